/* store_audit.c - the append-only, SM3-chained audit log; see store.h and core/audit.h. */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define AUDIT_COLS                                                                           \
	"seq, at, user_id, username, role, source, action, object, success, request_id, "    \
	"detail, prev_hash, hash"

static void copy_hash(char dst[CW_SM3_HEX_LEN], const char *src)
{
	snprintf(dst, CW_SM3_HEX_LEN, "%s", src ? src : "");
}

static void audit_row(const struct cw_db_result *r, int row, struct cw_audit_rec *a)
{
	a->seq = cw_db_cell_int(r, row, 0);
	a->at = cw_db_cell_int(r, row, 1);
	a->user_id = cw_db_cell_int(r, row, 2);
	a->username = cw_db_cell(r, row, 3);
	a->role = cw_db_cell(r, row, 4);
	a->source = cw_db_cell(r, row, 5);
	a->action = cw_db_cell(r, row, 6);
	a->object = cw_db_cell(r, row, 7);
	a->success = cw_store_cell_bool(r, row, 8);
	a->request_id = cw_db_cell(r, row, 9);
	a->detail = cw_db_cell(r, row, 10);
	copy_hash(a->prev_hash, cw_db_cell(r, row, 11));
	copy_hash(a->hash, cw_db_cell(r, row, 12));
}

int cw_store_audit_append(struct cw_tx *tx, struct cw_audit_rec *rec)
{
	struct cw_db_result r;
	/* The head row is the chain's lock: on PostgreSQL FOR UPDATE makes concurrent
	 * appenders queue here; on SQLite the write transaction (BEGIN IMMEDIATE)
	 * already holds the database's only write lock. */
	const char *head_sql = cw_tx_dialect(tx) == CW_DIALECT_PG
				   ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
				   : "SELECT seq, hash FROM audit_head WHERE id = 1";
	int rc = cw_tx_query(tx, head_sql, NULL, 0, &r);
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows != 1)
		return CW_DB_ERROR;
	rec->seq = cw_db_cell_int(&r, 0, 0) + 1;
	copy_hash(rec->prev_hash, cw_db_cell(&r, 0, 1));
	/* NULL strings are hashed as "" (core/audit.c) and so stored as "". */
	rec->username = cw_store_str(rec->username);
	rec->role = cw_store_str(rec->role);
	rec->source = cw_store_str(rec->source);
	rec->action = cw_store_str(rec->action);
	rec->object = cw_store_str(rec->object);
	rec->request_id = cw_store_str(rec->request_id);
	rec->detail = cw_store_str(rec->detail);
	cw_audit_hash(rec);

	rc = CW_TXQ(tx,
		    "INSERT INTO audit (" AUDIT_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
		    "$10, $11, $12, $13)",
		    NULL, CW_P_INT(rec->seq), CW_P_INT(rec->at), CW_P_INT(rec->user_id),
		    CW_P_TEXT(rec->username), CW_P_TEXT(rec->role), CW_P_TEXT(rec->source),
		    CW_P_TEXT(rec->action), CW_P_TEXT(rec->object), CW_P_INT(rec->success ? 1 : 0),
		    CW_P_TEXT(rec->request_id), CW_P_TEXT(rec->detail), cw_store_p_text(rec->prev_hash),
		    cw_store_p_text(rec->hash));
	if (rc != CW_DB_OK)
		return rc;
	return CW_TXQ(tx, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", NULL,
		      CW_P_INT(rec->seq), cw_store_p_text(rec->hash));
}

static int audit_rows(struct cw_tx *tx, const struct cw_db_result *r, struct cw_audit_rec **items,
		      int *n)
{
	struct cw_audit_rec *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r->nrows * sizeof *v);
	for (int i = 0; i < r->nrows; i++)
		audit_row(r, i, &v[i]);
	*items = v;
	*n = r->nrows;
	return CW_DB_OK;
}

int cw_store_audit_list(struct cw_tx *tx, const struct cw_audit_filter *f, int limit,
			struct cw_audit_rec **items, int *n)
{
	/* At most 7 conditions, so the SQL has at most 2^7 shapes: few enough for the
	 * SQLite statement cache to keep the ones in use. */
	struct cw_db_param p[9];
	int np = 0;
	char sql[1024];
	size_t len;
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	len = (size_t)snprintf(sql, sizeof sql, "SELECT " AUDIT_COLS " FROM audit WHERE 1 = 1");
#define ADD(...) (len += (size_t)snprintf(sql + len, sizeof sql - len, __VA_ARGS__))
	if (f && f->username) {
		p[np++] = CW_P_TEXT(f->username);
		ADD(" AND username = $%d", np);
	}
	if (f && f->action && *f->action) {
		p[np++] = CW_P_TEXT(f->action);
		ADD(" AND substr(action, 1, length($%d)) = $%d", np, np);
	}
	if (f && f->object) {
		p[np++] = CW_P_TEXT(f->object);
		ADD(" AND object = $%d", np);
	}
	if (f && f->success >= 0) {
		p[np++] = CW_P_INT(f->success ? 1 : 0);
		ADD(" AND success = $%d", np);
	}
	if (f && f->from) {
		p[np++] = CW_P_INT(f->from);
		ADD(" AND at >= $%d", np);
	}
	if (f && f->to) {
		p[np++] = CW_P_INT(f->to);
		ADD(" AND at < $%d", np);
	}
	if (f && f->before_seq) {
		p[np++] = CW_P_INT(f->before_seq);
		ADD(" AND seq < $%d", np);
	}
	p[np++] = CW_P_INT(limit);
	ADD(" ORDER BY seq DESC LIMIT $%d", np);
#undef ADD
	struct cw_db_result r;
	int rc = cw_tx_query(tx, sql, p, np, &r);
	if (rc != CW_DB_OK)
		return rc;
	return audit_rows(tx, &r, items, n);
}

int cw_store_audit_scan(struct cw_tx *tx, int64_t after_seq, int limit,
			struct cw_audit_rec **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	int rc = CW_TXQ(tx, "SELECT " AUDIT_COLS " FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
			&r, CW_P_INT(after_seq), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	return audit_rows(tx, &r, items, n);
}

int cw_store_audit_tamper_for_tests(struct cw_tx *tx, int64_t seq, bool del)
{
	struct cw_db_result r;
	int rc = del ? CW_TXQ(tx, "DELETE FROM audit WHERE seq = $1", &r, CW_P_INT(seq))
		     : CW_TXQ(tx, "UPDATE audit SET detail = 'tampered' WHERE seq = $1", &r,
			      CW_P_INT(seq));
	/* A probe that matched no row proves nothing: report it as such. */
	return cw_store_one_changed(rc, &r);
}

int cw_store_audit_head(struct cw_tx *tx, int64_t *seq, char hash[CW_SM3_HEX_LEN])
{
	struct cw_db_result r;
	int rc = cw_tx_query(tx, "SELECT seq, hash FROM audit_head WHERE id = 1", NULL, 0, &r);
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows != 1)
		return CW_DB_NOTFOUND;
	*seq = cw_db_cell_int(&r, 0, 0);
	copy_hash(hash, cw_db_cell(&r, 0, 1));
	return CW_DB_OK;
}
