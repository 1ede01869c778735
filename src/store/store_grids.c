/* store_grids.c - grid attributes, region boundaries and grid workers; see store.h. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define GRID_SELECT                                                                           \
	"SELECT r.code, r.name, r.parent, r.path, COALESCE(g.kind, 'comprehensive'), "        \
	"COALESCE(g.households, 0), COALESCE(g.population, 0), COALESCE(g.synthetic, 0), "   \
	"CASE WHEN b.code IS NULL THEN 0 ELSE 1 END, COALESCE(g.updated_at, r.updated_at) "  \
	"FROM regions r LEFT JOIN grids g ON g.code = r.code "                               \
	"LEFT JOIN region_boundaries b ON b.code = r.code "

static void grid_row(const struct cw_db_result *r, int row, struct cw_grid *g)
{
	g->code = cw_db_cell(r, row, 0);
	g->name = cw_db_cell(r, row, 1);
	g->village = cw_db_cell(r, row, 2);
	g->path = cw_db_cell(r, row, 3);
	g->kind = cw_db_cell(r, row, 4);
	g->households = cw_db_cell_int(r, row, 5);
	g->population = cw_db_cell_int(r, row, 6);
	g->synthetic = cw_store_cell_bool(r, row, 7);
	g->has_boundary = cw_store_cell_bool(r, row, 8);
	g->updated_at = cw_db_cell_int(r, row, 9);
}

int cw_store_grid_upsert(struct cw_tx *tx, const struct cw_grid *g)
{
	return CW_TXQ(tx,
		      "INSERT INTO grids (code, kind, households, population, synthetic, updated_at) "
		      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET "
		      "kind = excluded.kind, households = excluded.households, "
		      "population = excluded.population, synthetic = excluded.synthetic, "
		      "updated_at = excluded.updated_at",
		      NULL, CW_P_TEXT(g->code), CW_P_TEXT(g->kind), CW_P_INT(g->households),
		      CW_P_INT(g->population), CW_P_INT(g->synthetic ? 1 : 0), CW_P_INT(g->updated_at));
}

int cw_store_grid_get(struct cw_tx *tx, const char *code, struct cw_grid *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, GRID_SELECT "WHERE r.code = $1 AND r.level = 'grid'", &r,
			CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	grid_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_grid_list(struct cw_tx *tx, const char *scope_path, const char *after_code,
		       int limit, struct cw_grid **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			GRID_SELECT "WHERE r.level = 'grid' AND r.code > $1 AND "
				    CW_STORE_IN_SCOPE("r.path", "$2") " ORDER BY r.code LIMIT $3",
			&r, CW_P_TEXT(after_code ? after_code : ""), CW_P_TEXT(scope_path),
			CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_grid *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		grid_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

#define BOUNDARY_COLS "b.code, b.geojson, b.min_lon, b.min_lat, b.max_lon, b.max_lat, b.area_m2, b.updated_at"

static void boundary_row(const struct cw_db_result *r, int row, struct cw_boundary *b)
{
	b->code = cw_db_cell(r, row, 0);
	b->geojson = cw_db_cell(r, row, 1);
	for (int k = 0; k < 4; k++)
		b->bbox[k] = strtod(cw_db_cell(r, row, 2 + k), NULL);
	b->area_m2 = strtod(cw_db_cell(r, row, 6), NULL);
	b->updated_at = cw_db_cell_int(r, row, 7);
}

static int boundary_rows(struct cw_tx *tx, const struct cw_db_result *r, struct cw_boundary **items,
			 int *n)
{
	struct cw_boundary *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r->nrows * sizeof *v);
	for (int i = 0; i < r->nrows; i++)
		boundary_row(r, i, &v[i]);
	*items = v;
	*n = r->nrows;
	return CW_DB_OK;
}

int cw_store_boundary_set(struct cw_tx *tx, const struct cw_boundary *b)
{
	return CW_TXQ(tx,
		      "INSERT INTO region_boundaries (code, geojson, min_lon, min_lat, max_lon, "
		      "max_lat, area_m2, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
		      "ON CONFLICT (code) DO UPDATE SET geojson = excluded.geojson, "
		      "min_lon = excluded.min_lon, min_lat = excluded.min_lat, "
		      "max_lon = excluded.max_lon, max_lat = excluded.max_lat, "
		      "area_m2 = excluded.area_m2, updated_at = excluded.updated_at",
		      NULL, CW_P_TEXT(b->code), CW_P_TEXT(b->geojson), CW_P_REAL(b->bbox[0]),
		      CW_P_REAL(b->bbox[1]), CW_P_REAL(b->bbox[2]), CW_P_REAL(b->bbox[3]),
		      CW_P_REAL(b->area_m2), CW_P_INT(b->updated_at));
}

int cw_store_boundary_get(struct cw_tx *tx, const char *code, struct cw_boundary *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT " BOUNDARY_COLS " FROM region_boundaries b WHERE b.code = $1",
			&r, CW_P_TEXT(code));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	boundary_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_boundary_scan(struct cw_tx *tx, enum cw_level level, const char *after_code,
			   int limit, struct cw_boundary **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT " BOUNDARY_COLS " FROM region_boundaries b JOIN regions r ON r.code = b.code "
			"WHERE r.level = $1 AND b.code > $2 ORDER BY b.code LIMIT $3",
			&r, CW_P_TEXT(cw_level_name(level)), CW_P_TEXT(after_code ? after_code : ""),
			CW_P_INT(limit));
	return rc != CW_DB_OK ? rc : boundary_rows(tx, &r, items, n);
}

int cw_store_boundary_siblings(struct cw_tx *tx, const char *parent, const char *exclude,
			       const double bbox[4], struct cw_boundary **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT " BOUNDARY_COLS " FROM region_boundaries b JOIN regions r ON r.code = b.code "
			"WHERE r.parent = $1 AND b.code <> $2 AND b.max_lon >= $3 AND b.min_lon <= $4 "
			"AND b.max_lat >= $5 AND b.min_lat <= $6 ORDER BY b.code",
			&r, CW_P_TEXT(parent), CW_P_TEXT(exclude ? exclude : ""), CW_P_REAL(bbox[0]),
			CW_P_REAL(bbox[2]), CW_P_REAL(bbox[1]), CW_P_REAL(bbox[3]));
	return rc != CW_DB_OK ? rc : boundary_rows(tx, &r, items, n);
}

int cw_store_grid_worker_set(struct cw_tx *tx, const char *grid, int64_t user_id,
			     const char *duty, int64_t since)
{
	return CW_TXQ(tx,
		      "INSERT INTO grid_workers (grid, user_id, duty, since) VALUES ($1, $2, $3, $4) "
		      "ON CONFLICT (grid, user_id) DO UPDATE SET duty = excluded.duty",
		      NULL, CW_P_TEXT(grid), CW_P_INT(user_id), CW_P_TEXT(duty), CW_P_INT(since));
}

int cw_store_grid_worker_remove(struct cw_tx *tx, const char *grid, int64_t user_id)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "DELETE FROM grid_workers WHERE grid = $1 AND user_id = $2", &r,
			CW_P_TEXT(grid), CW_P_INT(user_id));
	return cw_store_one_changed(rc, &r);
}

int cw_store_grid_workers(struct cw_tx *tx, const char *scope_path, const char *grid,
			  struct cw_grid_worker **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc;
	const char *sel = "SELECT w.grid, w.user_id, u.username, u.name, w.duty, w.since "
			  "FROM grid_workers w JOIN users u ON u.id = w.user_id ";
	const char *order = " ORDER BY w.grid, CASE w.duty WHEN 'full_time' THEN 0 ELSE 1 END, "
			    "u.username";
	struct cw_arena *a = cw_tx_arena(tx);
	if (grid)
		rc = CW_TXQ(tx, cw_arena_printf(a, "%sWHERE w.grid = $1%s", sel, order), &r,
			    CW_P_TEXT(grid));
	else
		rc = CW_TXQ(tx,
			    cw_arena_printf(a, "%sJOIN regions g ON g.code = w.grid WHERE %s%s", sel,
					    CW_STORE_IN_SCOPE("g.path", "$1"), order),
			    &r, CW_P_TEXT(scope_path));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_grid_worker *v = cw_arena_alloc(a, (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].grid = cw_db_cell(&r, i, 0);
		v[i].user_id = cw_db_cell_int(&r, i, 1);
		v[i].username = cw_db_cell(&r, i, 2);
		v[i].name = cw_db_cell(&r, i, 3);
		v[i].duty = cw_db_cell(&r, i, 4);
		v[i].since = cw_db_cell_int(&r, i, 5);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}
