/* store_cases.c - cases, their timeline and creation idempotency keys; see store.h.
 * Statuses and phases are stored as names: the store knows nothing of the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define CASE_SELECT                                                                          \
	"SELECT c.id, c.number, c.kind, c.category, c.title, c.description, c.status, "      \
	"c.level, c.region, g.path, c.grid, c.department_id, c.lon, c.lat, c.address, "      \
	"c.channel, c.reporter_user_id, c.deadline, c.clock, c.clock_started_at, "           \
	"c.clock_remaining, c.overdue, c.warned, c.supervised, c.extension_pending, "        \
	"c.extension_days_asked, c.extensions, c.extension_days, c.reworks, c.escalations, " \
	"c.ratings, c.rating, c.rectifications, c.kind_flags, c.resume_status, "             \
	"c.merged_into, c.version, c.created_at, c.updated_at "                              \
	"FROM cases c JOIN regions g ON g.code = c.region "

static void case_row(const struct cw_db_result *r, int i, struct cw_case *c)
{
	c->id = cw_db_cell_int(r, i, 0);
	c->number = cw_db_cell(r, i, 1);
	c->kind = cw_db_cell(r, i, 2);
	c->category = cw_db_cell(r, i, 3);
	c->title = cw_db_cell(r, i, 4);
	c->description = cw_db_cell(r, i, 5);
	c->status = cw_db_cell(r, i, 6);
	c->level = cw_db_cell(r, i, 7);
	c->region = cw_db_cell(r, i, 8);
	c->region_path = cw_db_cell(r, i, 9);
	c->grid = cw_db_cell(r, i, 10);
	c->department_id = cw_db_cell_int(r, i, 11);
	c->has_location = cw_db_cell(r, i, 12) != NULL && cw_db_cell(r, i, 13) != NULL;
	c->lon = c->has_location ? strtod(cw_db_cell(r, i, 12), NULL) : 0;
	c->lat = c->has_location ? strtod(cw_db_cell(r, i, 13), NULL) : 0;
	c->address = cw_db_cell(r, i, 14);
	c->channel = cw_db_cell(r, i, 15);
	c->reporter_user_id = cw_db_cell_int(r, i, 16);
	c->deadline = cw_db_cell_int(r, i, 17);
	c->clock = cw_db_cell(r, i, 18);
	c->clock_started_at = cw_db_cell_int(r, i, 19);
	c->clock_remaining = cw_db_cell_int(r, i, 20);
	c->overdue = cw_store_cell_bool(r, i, 21);
	c->warned = cw_store_cell_bool(r, i, 22);
	c->supervised = cw_store_cell_bool(r, i, 23);
	c->extension_pending = cw_store_cell_bool(r, i, 24);
	c->extension_days_asked = (int)cw_db_cell_int(r, i, 25);
	c->extensions = (int)cw_db_cell_int(r, i, 26);
	c->extension_days = (int)cw_db_cell_int(r, i, 27);
	c->reworks = (int)cw_db_cell_int(r, i, 28);
	c->escalations = (int)cw_db_cell_int(r, i, 29);
	c->ratings = (int)cw_db_cell_int(r, i, 30);
	c->rating = (int)cw_db_cell_int(r, i, 31);
	c->rectifications = (int)cw_db_cell_int(r, i, 32);
	c->kind_flags = cw_db_cell_int(r, i, 33);
	c->resume_status = cw_db_cell(r, i, 34);
	c->merged_into = cw_db_cell_int(r, i, 35);
	c->version = cw_db_cell_int(r, i, 36);
	c->created_at = cw_db_cell_int(r, i, 37);
	c->updated_at = cw_db_cell_int(r, i, 38);
}

/* 0 means "none" for these columns, stored as NULL so the foreign keys hold. */
static struct cw_db_param id_or_null(int64_t v)
{
	return v ? CW_P_INT(v) : CW_P_NULL;
}

int cw_store_case_insert(struct cw_tx *tx, struct cw_case *c, const char *day)
{
	struct cw_db_result r;
	/* The day's row is locked by the upsert until commit: numbers never repeat. */
	int rc = CW_TXQ(tx,
			"INSERT INTO case_number_days (day, last) VALUES ($1, 1) "
			"ON CONFLICT (day) DO UPDATE SET last = case_number_days.last + 1 "
			"RETURNING last",
			&r, CW_P_TEXT(day));
	if (rc != CW_DB_OK)
		return rc;
	char number[32];
	snprintf(number, sizeof number, "%.8s%05lld", day, (long long)cw_db_cell_int(&r, 0, 0));
	rc = CW_TXQ(tx,
		    "INSERT INTO cases (number, kind, category, title, description, status, level, "
		    "region, grid, department_id, lon, lat, address, channel, reporter_user_id, "
		    "deadline, clock, clock_started_at, clock_remaining, overdue, warned, "
		    "supervised, extension_pending, extension_days_asked, extensions, "
		    "extension_days, reworks, escalations, ratings, rating, rectifications, "
		    "kind_flags, resume_status, merged_into, version, created_at, updated_at) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
		    "$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, "
		    "$33, $34, 1, $35, $36) RETURNING id",
		    &r, cw_store_p_text(number), CW_P_TEXT(c->kind), CW_P_TEXT(c->category),
		    CW_P_TEXT(c->title), CW_P_TEXT(cw_store_str(c->description)),
		    CW_P_TEXT(c->status), CW_P_TEXT(c->level), CW_P_TEXT(c->region),
		    CW_P_TEXT(c->grid), id_or_null(c->department_id),
		    c->has_location ? CW_P_REAL(c->lon) : CW_P_NULL,
		    c->has_location ? CW_P_REAL(c->lat) : CW_P_NULL,
		    CW_P_TEXT(cw_store_str(c->address)), CW_P_TEXT(cw_store_str(c->channel)),
		    id_or_null(c->reporter_user_id), id_or_null(c->deadline),
		    CW_P_TEXT(cw_store_str(c->clock)), id_or_null(c->clock_started_at),
		    CW_P_INT(c->clock_remaining), CW_P_INT(c->overdue), CW_P_INT(c->warned),
		    CW_P_INT(c->supervised), CW_P_INT(c->extension_pending),
		    CW_P_INT(c->extension_days_asked), CW_P_INT(c->extensions),
		    CW_P_INT(c->extension_days), CW_P_INT(c->reworks), CW_P_INT(c->escalations),
		    CW_P_INT(c->ratings), CW_P_INT(c->rating), CW_P_INT(c->rectifications),
		    CW_P_INT(c->kind_flags), CW_P_TEXT(cw_store_str(c->resume_status)),
		    id_or_null(c->merged_into), CW_P_INT(c->created_at), CW_P_INT(c->updated_at));
	if (rc != CW_DB_OK)
		return rc;
	c->id = cw_db_cell_int(&r, 0, 0);
	c->number = cw_arena_strdup(cw_tx_arena(tx), number);
	c->version = 1;
	return CW_DB_OK;
}

int cw_store_case_get(struct cw_tx *tx, int64_t id, struct cw_case *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, CASE_SELECT "WHERE c.id = $1", &r, CW_P_INT(id));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	case_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_case_update(struct cw_tx *tx, struct cw_case *c)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"UPDATE cases SET category = $3, title = $4, description = $5, status = $6, "
			"level = $7, region = $8, grid = $9, department_id = $10, lon = $11, "
			"lat = $12, address = $13, channel = $14, reporter_user_id = $15, "
			"deadline = $16, clock = $17, clock_started_at = $18, clock_remaining = $19, "
			"overdue = $20, warned = $21, supervised = $22, extension_pending = $23, "
			"extension_days_asked = $24, extensions = $25, extension_days = $26, "
			"reworks = $27, escalations = $28, ratings = $29, rating = $30, "
			"rectifications = $31, kind_flags = $32, resume_status = $33, "
			"merged_into = $34, updated_at = $35, version = version + 1 "
			"WHERE id = $1 AND version = $2",
			&r, CW_P_INT(c->id), CW_P_INT(c->version), CW_P_TEXT(c->category),
			CW_P_TEXT(c->title), CW_P_TEXT(cw_store_str(c->description)),
			CW_P_TEXT(c->status), CW_P_TEXT(c->level), CW_P_TEXT(c->region),
			CW_P_TEXT(c->grid), id_or_null(c->department_id),
			c->has_location ? CW_P_REAL(c->lon) : CW_P_NULL,
			c->has_location ? CW_P_REAL(c->lat) : CW_P_NULL,
			CW_P_TEXT(cw_store_str(c->address)), CW_P_TEXT(cw_store_str(c->channel)),
			id_or_null(c->reporter_user_id), id_or_null(c->deadline),
			CW_P_TEXT(cw_store_str(c->clock)), id_or_null(c->clock_started_at),
			CW_P_INT(c->clock_remaining), CW_P_INT(c->overdue), CW_P_INT(c->warned),
			CW_P_INT(c->supervised), CW_P_INT(c->extension_pending),
			CW_P_INT(c->extension_days_asked), CW_P_INT(c->extensions),
			CW_P_INT(c->extension_days), CW_P_INT(c->reworks), CW_P_INT(c->escalations),
			CW_P_INT(c->ratings), CW_P_INT(c->rating), CW_P_INT(c->rectifications),
			CW_P_INT(c->kind_flags), CW_P_TEXT(cw_store_str(c->resume_status)),
			id_or_null(c->merged_into), CW_P_INT(c->updated_at));
	rc = cw_store_one_changed(rc, &r);
	if (rc == CW_DB_OK)
		c->version++;
	return rc;
}

int cw_store_case_list(struct cw_tx *tx, const struct cw_case_filter *f, int limit,
		       struct cw_case **items, int *n)
{
	/* Only the filters given become conditions, numbered in order. */
	char sql[8192];
	struct cw_db_param p[96];
	int np = 0;
	size_t len;
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	len = (size_t)snprintf(sql, sizeof sql, "%s WHERE 1 = 1", CASE_SELECT);
#define COND(fmt, param)                                                                     \
	do {                                                                                 \
		p[np++] = (param);                                                           \
		if (len < sizeof sql)                                                        \
			len += (size_t)snprintf(sql + len, sizeof sql - len, fmt, np);       \
	} while (0)
#define COND3(fmt, param)                                                                    \
	do {                                                                                 \
		p[np++] = (param);                                                           \
		if (len < sizeof sql)                                                        \
			len += (size_t)snprintf(sql + len, sizeof sql - len, fmt, np, np, np); \
	} while (0)
	if (f->scope_path)
		COND3(" AND (g.path = $%d OR (g.path > $%d || '/' AND g.path < $%d || '0'))",
		     CW_P_TEXT(f->scope_path));
	if (f->region_path)
		COND3(" AND (g.path = $%d OR (g.path > $%d || '/' AND g.path < $%d || '0'))",
		     CW_P_TEXT(f->region_path));
	if (f->status)
		COND(" AND c.status = $%d", CW_P_TEXT(f->status));
	if (f->kind)
		COND(" AND c.kind = $%d", CW_P_TEXT(f->kind));
	if (f->category)
		COND(" AND c.category = $%d", CW_P_TEXT(f->category));
	if (f->overdue >= 0)
		COND(" AND c.overdue = $%d", CW_P_INT(f->overdue ? 1 : 0));
	if (f->q) {
		int qrc = cw_store_case_search_conds(tx, f->q, sql, sizeof sql, &len, p, &np,
						     (int)(sizeof p / sizeof p[0]) - 2);
		if (qrc == CW_DB_NOTFOUND)
			return CW_DB_OK;
		if (qrc != CW_DB_OK)
			return qrc;
	}
	if (f->before_id > 0)
		COND(" AND c.id < $%d", CW_P_INT(f->before_id));
	COND(" ORDER BY c.id DESC LIMIT $%d", CW_P_INT(limit));
#undef COND
#undef COND3
	if (len >= sizeof sql)
		return CW_DB_ERROR;
	struct cw_db_result r;
	int rc = cw_tx_query(tx, sql, p, np, &r);
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		case_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_case_event_append(struct cw_tx *tx, struct cw_case_event *e)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"INSERT INTO case_timeline (case_id, at, user_id, username, action, note, "
			"status_before, status_after, detail) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
			&r, CW_P_INT(e->case_id), CW_P_INT(e->at), id_or_null(e->user_id),
			CW_P_TEXT(cw_store_str(e->username)), CW_P_TEXT(e->action),
			CW_P_TEXT(cw_store_str(e->note)), CW_P_TEXT(cw_store_str(e->status_before)),
			CW_P_TEXT(cw_store_str(e->status_after)), CW_P_TEXT(cw_store_str(e->detail)));
	if (rc != CW_DB_OK)
		return rc;
	e->id = cw_db_cell_int(&r, 0, 0);
	return CW_DB_OK;
}

int cw_store_case_events(struct cw_tx *tx, int64_t case_id, struct cw_case_event **items,
			 int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT id, case_id, at, user_id, username, action, note, status_before, "
			"status_after, detail FROM case_timeline WHERE case_id = $1 ORDER BY id",
			&r, CW_P_INT(case_id));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case_event *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].id = cw_db_cell_int(&r, i, 0);
		v[i].case_id = cw_db_cell_int(&r, i, 1);
		v[i].at = cw_db_cell_int(&r, i, 2);
		v[i].user_id = cw_db_cell_int(&r, i, 3);
		v[i].username = cw_db_cell(&r, i, 4);
		v[i].action = cw_db_cell(&r, i, 5);
		v[i].note = cw_db_cell(&r, i, 6);
		v[i].status_before = cw_db_cell(&r, i, 7);
		v[i].status_after = cw_db_cell(&r, i, 8);
		v[i].detail = cw_db_cell(&r, i, 9);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_idempotency_get(struct cw_tx *tx, const char *key, int64_t user_id,
			     struct cw_idempotency_key *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"SELECT key, user_id, request_hash, case_id, created_at FROM idempotency_keys "
			"WHERE key = $1 AND user_id = $2",
			&r, CW_P_TEXT(key), CW_P_INT(user_id));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	out->key = cw_db_cell(&r, 0, 0);
	out->user_id = cw_db_cell_int(&r, 0, 1);
	out->request_hash = cw_db_cell(&r, 0, 2);
	out->case_id = cw_db_cell_int(&r, 0, 3);
	out->created_at = cw_db_cell_int(&r, 0, 4);
	return CW_DB_OK;
}

int cw_store_idempotency_put(struct cw_tx *tx, const struct cw_idempotency_key *k)
{
	return CW_TXQ(tx,
		      "INSERT INTO idempotency_keys (key, user_id, request_hash, case_id, "
		      "created_at) VALUES ($1, $2, $3, $4, $5)",
		      NULL, CW_P_TEXT(k->key), CW_P_INT(k->user_id), CW_P_TEXT(k->request_hash),
		      CW_P_INT(k->case_id), CW_P_INT(k->created_at));
}

int cw_store_department_by_code(struct cw_tx *tx, const char *code, struct cw_department *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"SELECT d.id, d.code, d.name, d.region, g.path, d.created_at FROM departments d "
			"JOIN regions g ON g.code = d.region WHERE d.code = $1",
			&r, CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	out->id = cw_db_cell_int(&r, 0, 0);
	out->code = cw_db_cell(&r, 0, 1);
	out->name = cw_db_cell(&r, 0, 2);
	out->region = cw_db_cell(&r, 0, 3);
	out->region_path = cw_db_cell(&r, 0, 4);
	out->created_at = cw_db_cell_int(&r, 0, 5);
	return CW_DB_OK;
}

/* ---- the scheduler's scan (see store.h) ---- */

int cw_store_case_due_scan(struct cw_tx *tx, const struct cw_case_due_scan *f, int limit,
			   struct cw_case **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	const char *lv[6] = {0};
	for (int i = 0; i < 6 && f->escalate_levels[i]; i++)
		lv[i] = f->escalate_levels[i];
	/* The inner query reads only the columns of the partial index cases_clock_running
	 * (migration 6), in id order: an index-only scan that never visits a case whose
	 * clock does not run; whole rows are read for the candidates alone. */
	int rc = CW_TXQ(tx,
			CASE_SELECT
			"WHERE c.id IN (SELECT id FROM cases "
			"WHERE deadline IS NOT NULL AND id > $1 AND ("
			"(warned = 0 AND overdue = 0 AND $3 > 0 AND "
			"COALESCE(clock_started_at, deadline) + (deadline - "
			"COALESCE(clock_started_at, deadline)) * $3 / 1000 <= $2) "
			"OR (deadline < $2 AND (overdue = 0 OR level IN ($4, $5, $6, $7, $8, $9)))) "
			"ORDER BY id LIMIT $10) ORDER BY c.id",
			&r, CW_P_INT(f->after_id), CW_P_INT(f->now), CW_P_INT(f->warn_permille),
			CW_P_TEXT(lv[0]), CW_P_TEXT(lv[1]), CW_P_TEXT(lv[2]), CW_P_TEXT(lv[3]),
			CW_P_TEXT(lv[4]), CW_P_TEXT(lv[5]), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		case_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}
