/* store_misc.c - the store's entry points, departments and settings; see store.h. */
#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

cw_store *cw_store_open(const char *url, int pool_size, char *err, size_t errlen)
{
	return cw_db_open(url, pool_size, err, errlen);
}

void cw_store_close(cw_store *s)
{
	cw_db_close(s);
}

bool cw_store_is_postgres(const cw_store *s)
{
	return cw_db_dialect(s) == CW_DIALECT_PG;
}

int cw_store_schema_version(cw_store *s)
{
	return cw_db_schema_version(s);
}

int cw_store_tx(cw_store *s, struct cw_arena *a, bool write, int (*fn)(struct cw_tx *, void *),
		void *ctx)
{
	return cw_db_run_tx(s, a, write, fn, ctx);
}

struct cw_arena *cw_store_tx_arena(struct cw_tx *tx)
{
	return cw_tx_arena(tx);
}

/* ---- departments ---- */

#define DEPT_SELECT                                                                          \
	"SELECT d.id, d.code, d.name, d.region, g.path, d.created_at FROM departments d "    \
	"JOIN regions g ON g.code = d.region "

static void dept_row(const struct cw_db_result *r, int row, struct cw_department *d)
{
	d->id = cw_db_cell_int(r, row, 0);
	d->code = cw_db_cell(r, row, 1);
	d->name = cw_db_cell(r, row, 2);
	d->region = cw_db_cell(r, row, 3);
	d->region_path = cw_db_cell(r, row, 4);
	d->created_at = cw_db_cell_int(r, row, 5);
}

int cw_store_department_ensure(struct cw_tx *tx, struct cw_department *d, bool *created)
{
	struct cw_db_result r;
	/* ON CONFLICT DO NOTHING rather than insert-then-catch: a failed statement would
	 * abort the whole transaction on PostgreSQL. */
	int rc = CW_TXQ(tx,
			"INSERT INTO departments (code, name, region, created_at) "
			"VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING RETURNING id",
			&r, CW_P_TEXT(d->code), CW_P_TEXT(d->name), CW_P_TEXT(d->region),
			CW_P_INT(d->created_at));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 1) {
		d->id = cw_db_cell_int(&r, 0, 0);
		if (created)
			*created = true;
		return CW_DB_OK;
	}
	rc = CW_TXQ(tx, "SELECT id FROM departments WHERE code = $1", &r, CW_P_TEXT(d->code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_ERROR; /* the conflicting row vanished: cannot happen in one tx */
	d->id = cw_db_cell_int(&r, 0, 0);
	if (created)
		*created = false;
	return CW_DB_OK;
}

int cw_store_department_get(struct cw_tx *tx, int64_t id, struct cw_department *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, DEPT_SELECT "WHERE d.id = $1", &r, CW_P_INT(id));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	dept_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_department_list(struct cw_tx *tx, const char *scope_path, int64_t after_id,
			     int limit, struct cw_department **items, int *n)
{
	struct cw_db_result r;
	int rc;
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	if (scope_path)
		rc = CW_TXQ(tx,
			    DEPT_SELECT "WHERE d.id > $1 AND " CW_STORE_IN_SCOPE("g.path", "$3")
					" ORDER BY d.id LIMIT $2",
			    &r, CW_P_INT(after_id), CW_P_INT(limit), CW_P_TEXT(scope_path));
	else
		rc = CW_TXQ(tx, DEPT_SELECT "WHERE d.id > $1 ORDER BY d.id LIMIT $2", &r,
			    CW_P_INT(after_id), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_department *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		dept_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

/* ---- settings ---- */

int cw_store_setting_get(struct cw_tx *tx, const char *key, const char **value)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT value FROM settings WHERE key = $1", &r, CW_P_TEXT(key));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	*value = cw_db_cell(&r, 0, 0);
	return CW_DB_OK;
}

int cw_store_setting_set(struct cw_tx *tx, const char *key, const char *value, int64_t now)
{
	return CW_TXQ(tx,
		      "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) "
		      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
		      "updated_at = excluded.updated_at",
		      NULL, CW_P_TEXT(key), CW_P_TEXT(cw_store_str(value)), CW_P_INT(now));
}
