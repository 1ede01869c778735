/* store_regions.c - the region tree: rows with materialised paths; see store.h. */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define REGION_COLS "code, name, parent, path, level, created_at, updated_at"

static void region_row(const struct cw_db_result *r, int row, struct cw_region *out)
{
	out->code = cw_db_cell(r, row, 0);
	out->name = cw_db_cell(r, row, 1);
	out->parent = cw_db_cell(r, row, 2);
	out->path = cw_db_cell(r, row, 3);
	out->level = cw_level_parse(cw_db_cell(r, row, 4));
	out->created_at = cw_db_cell_int(r, row, 5);
	out->updated_at = cw_db_cell_int(r, row, 6);
}

int cw_store_region_insert(struct cw_tx *tx, const struct cw_region *r)
{
	return CW_TXQ(tx,
		      "INSERT INTO regions (" REGION_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		      NULL, CW_P_TEXT(r->code), CW_P_TEXT(r->name), CW_P_TEXT(r->parent),
		      CW_P_TEXT(r->path), CW_P_TEXT(cw_level_name(r->level)),
		      CW_P_INT(r->created_at), CW_P_INT(r->updated_at));
}

int cw_store_region_get(struct cw_tx *tx, const char *code, struct cw_region *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT " REGION_COLS " FROM regions WHERE code = $1", &r,
			CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	region_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_region_children(struct cw_tx *tx, const char *parent, const char *after_code,
			     int limit, struct cw_region **items, int *n)
{
	struct cw_db_result r;
	int rc;
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	/* Every code sorts after "", so the first page needs no second statement. */
	const char *after = after_code ? after_code : "";
	if (parent)
		rc = CW_TXQ(tx,
			    "SELECT " REGION_COLS " FROM regions WHERE parent = $1 AND code > $2 "
			    "ORDER BY code LIMIT $3",
			    &r, CW_P_TEXT(parent), CW_P_TEXT(after), CW_P_INT(limit));
	else
		rc = CW_TXQ(tx,
			    "SELECT " REGION_COLS " FROM regions WHERE parent IS NULL AND code > $1 "
			    "ORDER BY code LIMIT $2",
			    &r, CW_P_TEXT(after), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_region *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		region_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_region_rename(struct cw_tx *tx, const char *code, const char *name, int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "UPDATE regions SET name = $2, updated_at = $3 WHERE code = $1", &r,
			CW_P_TEXT(code), CW_P_TEXT(name), CW_P_INT(now));
	return cw_store_one_changed(rc, &r);
}

int cw_store_region_move(struct cw_tx *tx, const char *code, const char *new_parent,
			 const char *new_path, int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT path FROM regions WHERE code = $1", &r, CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	const char *old_path = cw_db_cell(&r, 0, 0);
	/* The dashboard's counters file cases by district and area (the path's first three
	 * codes, store_counts.c): the subtree's cases leave their old ones and join their
	 * new ones, unless the move stays below the same area. */
	bool refile = strlen(old_path) <= 38 || strlen(new_path) <= 38 || old_path[38] != '/' ||
		      new_path[38] != '/' || strncmp(old_path, new_path, 38);
	if (refile && (rc = cw_store_counts_subtree(tx, old_path, -1)) != CW_DB_OK)
		return rc;

	rc = CW_TXQ(tx, "UPDATE regions SET parent = $2, path = $3, updated_at = $4 WHERE code = $1",
		    NULL, CW_P_TEXT(code), CW_P_TEXT(new_parent), CW_P_TEXT(new_path),
		    CW_P_INT(now));
	if (rc != CW_DB_OK)
		return rc;
	/* The subtree: rows whose path starts with old_path + "/" keep their tail. */
	rc = CW_TXQ(tx,
		    "UPDATE regions SET path = $2 || substr(path, length($1) + 1), updated_at = $3 "
		    "WHERE path > $1 || '/' AND path < $1 || '0'",
		    NULL, CW_P_TEXT(old_path), CW_P_TEXT(new_path), CW_P_INT(now));
	if (rc == CW_DB_OK && refile)
		rc = cw_store_counts_subtree(tx, new_path, 1);
	return rc;
}

int cw_store_region_count(struct cw_tx *tx, int64_t *n)
{
	struct cw_db_result r;
	int rc = cw_tx_query(tx, "SELECT COUNT(*) FROM regions", NULL, 0, &r);
	if (rc == CW_DB_OK)
		*n = cw_db_cell_int(&r, 0, 0);
	return rc;
}
