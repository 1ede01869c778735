/* store_categories.c - the case category taxonomy and each category's default
 * department per level; see store.h. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define COLS                                                                                 \
	"c.code, c.parent, c.name, c.kind, c.first_level, c.deadline_amount, c.deadline_unit, " \
	"c.risk, c.active, c.updated_at"

static void row_from(const struct cw_db_result *r, int i, struct cw_stored_category *out)
{
	*out = (struct cw_stored_category){0};
	struct cw_category *c = &out->cat;
	c->code = cw_db_cell(r, i, 0);
	c->parent = cw_db_cell(r, i, 1);
	c->name = cw_db_cell(r, i, 2);
	c->kind = cw_db_cell(r, i, 3);
	c->first_level = cw_db_cell(r, i, 4);
	c->deadline.amount = (int)cw_db_cell_int(r, i, 5);
	c->deadline.unit = cw_category_unit_parse(cw_db_cell(r, i, 6));
	c->risk = cw_db_cell(r, i, 7);
	out->active = cw_store_cell_bool(r, i, 8);
	out->updated_at = cw_db_cell_int(r, i, 9);
	for (int l = 0; l < CW_LEVEL__COUNT; l++)
		c->departments[l] = "";
}

static int code_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cw_stored_category *)elem)->cat.code);
}

/* Puts the department rows (category, level, key) on their categories, which are in
 * byte order of code as both dialects sort them here. */
static void attach_departments(const struct cw_db_result *d, struct cw_stored_category *v, int n)
{
	for (int i = 0; i < d->nrows; i++) {
		struct cw_stored_category *c =
		    bsearch(cw_db_cell(d, i, 0), v, (size_t)n, sizeof *v, code_cmp);
		enum cw_level l = cw_level_parse(cw_db_cell(d, i, 1));
		if (c && l != CW_LEVEL_INVALID)
			c->cat.departments[l] = cw_db_cell(d, i, 2);
	}
}

int cw_store_category_list(struct cw_tx *tx, const char *kind, bool all,
			   struct cw_stored_category **items, int *n)
{
	struct cw_db_result r, d;
	*items = NULL;
	*n = 0;
	int rc;
	/* Four fixed statements rather than "$1 IS NULL", whose type PostgreSQL cannot infer. */
	if (kind) {
		rc = CW_TXQ(tx,
			    all ? "SELECT " COLS " FROM categories c WHERE c.kind = $1 ORDER BY c.code"
				: "SELECT " COLS " FROM categories c WHERE c.kind = $1 AND c.active = 1 "
				  "ORDER BY c.code",
			    &r, CW_P_TEXT(kind));
		if (rc == CW_DB_OK)
			rc = CW_TXQ(tx,
				    all ? "SELECT d.category, d.level, d.department_key FROM "
					  "category_departments d JOIN categories c ON c.code = d.category "
					  "WHERE c.kind = $1"
					: "SELECT d.category, d.level, d.department_key FROM "
					  "category_departments d JOIN categories c ON c.code = d.category "
					  "WHERE c.kind = $1 AND c.active = 1",
				    &d, CW_P_TEXT(kind));
	} else {
		rc = cw_tx_query(tx,
				 all ? "SELECT " COLS " FROM categories c ORDER BY c.code"
				     : "SELECT " COLS " FROM categories c WHERE c.active = 1 ORDER BY c.code",
				 NULL, 0, &r);
		if (rc == CW_DB_OK)
			rc = cw_tx_query(tx,
					 all ? "SELECT d.category, d.level, d.department_key FROM "
					       "category_departments d"
					     : "SELECT d.category, d.level, d.department_key FROM "
					       "category_departments d JOIN categories c ON c.code = "
					       "d.category WHERE c.active = 1",
					 NULL, 0, &d);
	}
	if (rc != CW_DB_OK)
		return rc;
	struct cw_stored_category *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		row_from(&r, i, &v[i]);
	attach_departments(&d, v, r.nrows);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_category_get(struct cw_tx *tx, const char *code, struct cw_stored_category *out)
{
	struct cw_db_result r, d;
	int rc = CW_TXQ(tx, "SELECT " COLS " FROM categories c WHERE c.code = $1", &r,
			CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	rc = CW_TXQ(tx,
		    "SELECT category, level, department_key FROM category_departments WHERE category = $1",
		    &d, CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	row_from(&r, 0, out);
	attach_departments(&d, out, 1);
	return CW_DB_OK;
}

static int write_one(struct cw_tx *tx, const struct cw_category *c, int64_t now)
{
	int rc = CW_TXQ(
	    tx,
	    "INSERT INTO categories (code, parent, name, kind, first_level, deadline_amount, "
	    "deadline_unit, risk, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) "
	    "ON CONFLICT (code) DO UPDATE SET parent = excluded.parent, name = excluded.name, "
	    "kind = excluded.kind, first_level = excluded.first_level, "
	    "deadline_amount = excluded.deadline_amount, deadline_unit = excluded.deadline_unit, "
	    "risk = excluded.risk, active = 1, updated_at = excluded.updated_at",
	    NULL, CW_P_TEXT(c->code), CW_P_TEXT(cw_store_str(c->parent)), CW_P_TEXT(c->name),
	    CW_P_TEXT(c->kind), CW_P_TEXT(c->first_level), CW_P_INT(c->deadline.amount),
	    CW_P_TEXT(cw_store_str(cw_category_unit_name(c->deadline.unit))),
	    CW_P_TEXT(cw_store_str(c->risk)), CW_P_INT(now));
	if (rc == CW_DB_OK)
		rc = CW_TXQ(tx, "DELETE FROM category_departments WHERE category = $1", NULL,
			    CW_P_TEXT(c->code));
	for (int l = 0; l < CW_LEVEL__COUNT && rc == CW_DB_OK; l++)
		if (c->departments[l] && *c->departments[l])
			rc = CW_TXQ(tx,
				    "INSERT INTO category_departments (category, level, department_key) "
				    "VALUES ($1, $2, $3)",
				    NULL, CW_P_TEXT(c->code), CW_P_TEXT(cw_level_name((enum cw_level)l)),
				    CW_P_TEXT(c->departments[l]));
	return rc;
}

static int ptr_code_cmp(const void *x, const void *y)
{
	return strcmp((*(const struct cw_category *const *)x)->code,
		      (*(const struct cw_category *const *)y)->code);
}

static int key_ptr_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct cw_category *const *)elem)->code);
}

int cw_store_category_replace_all(struct cw_tx *tx, const struct cw_category *v, int n,
				  int64_t now, int *changed)
{
	struct cw_stored_category *cur;
	int ncur;
	*changed = 0;
	int rc = cw_store_category_list(tx, NULL, true, &cur, &ncur);
	if (rc != CW_DB_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		const struct cw_stored_category *old =
		    bsearch(v[i].code, cur, (size_t)ncur, sizeof *cur, code_cmp);
		if (old && old->active && cw_category_same(&old->cat, &v[i]))
			continue;
		if ((rc = write_one(tx, &v[i], now)) != CW_DB_OK)
			return rc;
		++*changed;
	}
	/* What the new taxonomy no longer lists becomes inactive. */
	const struct cw_category **sorted =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(n ? n : 1) * sizeof *sorted);
	for (int i = 0; i < n; i++)
		sorted[i] = &v[i];
	qsort(sorted, (size_t)n, sizeof *sorted, ptr_code_cmp);
	for (int i = 0; i < ncur; i++) {
		if (!cur[i].active ||
		    bsearch(cur[i].cat.code, sorted, (size_t)n, sizeof *sorted, key_ptr_cmp))
			continue;
		if ((rc = CW_TXQ(tx, "UPDATE categories SET active = 0, updated_at = $2 WHERE code = $1",
				 NULL, CW_P_TEXT(cur[i].cat.code), CW_P_INT(now))) != CW_DB_OK)
			return rc;
		++*changed;
	}
	return CW_DB_OK;
}
