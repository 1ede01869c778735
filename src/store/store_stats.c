/* store_stats.c - the figures of the dashboard and the map (see store.h): aggregates
 * computed by the database, so that a year of the city's cases is read once per figure
 * and never shipped to the server row by row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

/* The regions of the scope, for `c.region IN (…)` or `area IN (…)`: SQLite evaluates
 * the subquery once into a lookup table. */
#define IN_SCOPE_REGIONS(p) \
	"(SELECT code FROM regions WHERE " CW_STORE_IN_SCOPE("path", p) ")"

#define DONE_PARAMS(q)                                                                         \
	CW_P_TEXT((q)->done[0]), CW_P_TEXT((q)->done[1]), CW_P_TEXT((q)->done[2]),             \
	    CW_P_TEXT((q)->done[3]), CW_P_TEXT((q)->done[4]), CW_P_TEXT((q)->done[5]),         \
	    CW_P_TEXT((q)->done[6]), CW_P_TEXT((q)->done[7])

/* The figures of the city and of a district come from the counters of migration 18
 * (store_counts.c) when they count what is asked (the good rating is theirs):
 * case_counts_district (status, category, day, district) for the groups and the late
 * closed cases, case_counts_area (day, area, status) for the sub-regions and the trend.
 * A narrower scope (a street, a community, a grid: at most ~65,000 cases a year at a
 * million) reads its cases through cases_region (region, id, created_at, status, …),
 * region by region: the index covers every figure (migration 18), no row is read. */

/* The scope's district code when it is one (its path has two codes), else NULL. */
static const char *scope_district(const struct cw_stats_query *q)
{
	const char *slash = q->whole_tree ? NULL : strchr(q->scope_path, '/');
	return slash && !strchr(slash + 1, '/') ? slash + 1 : NULL;
}

static bool from_counts(const struct cw_stats_query *q)
{
	return !q->no_counts && q->good_rating == CW_STORE_COUNTS_GOOD_RATING &&
	       (q->whole_tree || scope_district(q));
}

int cw_store_stats_groups(struct cw_tx *tx, const struct cw_stats_query *q,
			  struct cw_stats_group **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	/* case_counts_district: the period's rows in group order (the city sums its
	 * districts); the rows left at zero are not groups. */
#define COUNTS_SELECT                                                                         \
	"SELECT status, category, SUM(n), SUM(overdue), SUM(supervised), SUM(escalated), "   \
	"SUM(rated), SUM(good) FROM case_counts_district WHERE day >= $1 AND day <= $2 "
#define COUNTS_GROUP " GROUP BY status, category HAVING SUM(n) > 0"
#define GROUPS_SELECT                                                                         \
	"SELECT c.status, c.category, COUNT(*), SUM(c.overdue), SUM(c.supervised), "         \
	"SUM(CASE WHEN c.escalations > 0 THEN 1 ELSE 0 END), "                              \
	"SUM(CASE WHEN c.ratings > 0 THEN 1 ELSE 0 END), "                                  \
	"SUM(CASE WHEN c.ratings > 0 AND c.rating >= $3 THEN 1 ELSE 0 END) "                \
	"FROM cases c WHERE c.created_at >= $1 AND c.created_at < $2 "
	const char *district = scope_district(q);
	int rc = from_counts(q)
		     ? (district ? CW_TXQ(tx, COUNTS_SELECT "AND district = $3" COUNTS_GROUP, &r,
					  CW_P_INT(q->from_day), CW_P_INT(q->to_day),
					  CW_P_TEXT(district))
				 : CW_TXQ(tx, COUNTS_SELECT COUNTS_GROUP, &r, CW_P_INT(q->from_day),
					  CW_P_INT(q->to_day)))
		 : q->whole_tree
		     ? CW_TXQ(tx, GROUPS_SELECT "GROUP BY c.status, c.category", &r,
			      CW_P_INT(q->from), CW_P_INT(q->to), CW_P_INT(q->good_rating))
		     : CW_TXQ(tx,
			      GROUPS_SELECT "AND c.region IN " IN_SCOPE_REGIONS("$4")
					    " GROUP BY c.status, c.category",
			      &r, CW_P_INT(q->from), CW_P_INT(q->to), CW_P_INT(q->good_rating),
			      CW_P_TEXT(q->scope_path));
#undef GROUPS_SELECT
#undef COUNTS_GROUP
#undef COUNTS_SELECT
	if (rc != CW_DB_OK)
		return rc;
	struct cw_stats_group *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].status = cw_db_cell(&r, i, 0);
		v[i].category = cw_db_cell(&r, i, 1);
		v[i].count = cw_db_cell_int(&r, i, 2);
		v[i].overdue = cw_db_cell_int(&r, i, 3);
		v[i].supervised = cw_db_cell_int(&r, i, 4);
		v[i].escalated = cw_db_cell_int(&r, i, 5);
		v[i].rated = cw_db_cell_int(&r, i, 6);
		v[i].good = cw_db_cell_int(&r, i, 7);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

/* Sets *items to the rows of r (region, path, count, open, overdue). */
static void regions_rows(struct cw_tx *tx, const struct cw_db_result *r,
			 struct cw_stats_region **items, int *n)
{
	struct cw_stats_region *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r->nrows ? r->nrows : 1) * sizeof *v);
	for (int i = 0; i < r->nrows; i++) {
		struct cw_stats_region *x = &v[i];
		x->region = cw_db_cell(r, i, 0);
		x->path = cw_db_cell(r, i, 1);
		x->count = cw_db_cell_int(r, i, 2);
		x->open = cw_db_cell_int(r, i, 3);
		x->overdue = cw_db_cell_int(r, i, 4);
	}
	*items = v;
	*n = r->nrows;
}

int cw_store_stats_regions(struct cw_tx *tx, const struct cw_stats_query *q,
			   struct cw_stats_region **items, int *n)
{
	struct cw_db_result r;
	int rc;
	*items = NULL;
	*n = 0;
#define OPEN_OVERDUE(S, V, O)                                                                  \
	"SUM(CASE WHEN " S " IN ($3, $4, $5, $6, $7, $8, $9, $10) THEN 0 ELSE " V " END) "      \
	"AS open, "                                                                           \
	"SUM(CASE WHEN " S " IN ($3, $4, $5, $6, $7, $8, $9, $10) THEN 0 ELSE " O " END) "      \
	"AS overdue "
	if (from_counts(q)) {
		/* case_counts_area: each area (a street, or a shallower region) of the scope
		 * over the period's days; the app adds the areas up per sub-region. */
#define AREAS_SELECT                                                                          \
	"SELECT x.area, g.path, x.n, x.open, x.overdue FROM (SELECT area, SUM(n) AS n, "     \
	OPEN_OVERDUE("status", "n", "overdue")                                                \
	"FROM case_counts_area WHERE day >= $1 AND day <= $2 "
#define AREAS_GROUP " GROUP BY area HAVING SUM(n) > 0) x JOIN regions g ON g.code = x.area"
		rc = q->whole_tree
			 ? CW_TXQ(tx, AREAS_SELECT AREAS_GROUP, &r, CW_P_INT(q->from_day),
				  CW_P_INT(q->to_day), DONE_PARAMS(q))
			 : CW_TXQ(tx, AREAS_SELECT "AND area IN " IN_SCOPE_REGIONS("$11") AREAS_GROUP,
				  &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day), DONE_PARAMS(q),
				  CW_P_TEXT(q->scope_path));
#undef AREAS_GROUP
#undef AREAS_SELECT
	} else {
		/* cases_region (region, id): the cases of each region of the scope. */
		rc = CW_TXQ(tx,
			    "SELECT x.region, g.path, x.n, x.open, x.overdue FROM ("
			    "SELECT c.region, COUNT(*) AS n, "
			    OPEN_OVERDUE("c.status", "1", "c.overdue")
			    "FROM cases c WHERE c.region IN " IN_SCOPE_REGIONS("$11")
			    " AND c.created_at >= $1 AND c.created_at < $2 GROUP BY c.region) x "
			    "JOIN regions g ON g.code = x.region",
			    &r, CW_P_INT(q->from), CW_P_INT(q->to), DONE_PARAMS(q),
			    CW_P_TEXT(q->scope_path));
	}
#undef OPEN_OVERDUE
	if (rc != CW_DB_OK)
		return rc;
	regions_rows(tx, &r, items, n);
	return CW_DB_OK;
}

int cw_store_stats_days(struct cw_tx *tx, const struct cw_stats_query *q,
			struct cw_stats_day **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	/* Local days of Asia/Shanghai (UTC+8, no daylight saving), as cw_day_of counts them;
	 * case_counts_area is keyed by that day first (no sorting). */
#define DAY "((c.created_at + 28800) / 86400)"
#define AREA_DAYS                                                                             \
	"SELECT day, SUM(n) FROM case_counts_area WHERE day >= $1 AND day <= $2 "
	int rc = from_counts(q)
		     ? (q->whole_tree
			    ? CW_TXQ(tx, AREA_DAYS "GROUP BY day HAVING SUM(n) > 0", &r,
				     CW_P_INT(q->from_day), CW_P_INT(q->to_day))
			    : CW_TXQ(tx,
				     AREA_DAYS "AND area IN " IN_SCOPE_REGIONS("$3")
					       " GROUP BY day HAVING SUM(n) > 0",
				     &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day),
				     CW_P_TEXT(q->scope_path)))
		 : q->whole_tree
		     ? CW_TXQ(tx,
			      "SELECT " DAY ", COUNT(*) FROM cases c WHERE " DAY " >= $1 AND " DAY
			      " <= $2 GROUP BY " DAY,
			      &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day))
		     : CW_TXQ(tx,
			      "SELECT " DAY ", COUNT(*) FROM cases c WHERE c.region IN "
			      IN_SCOPE_REGIONS("$3") " AND c.created_at >= $4 AND c.created_at < $5 "
			      "AND " DAY " >= $1 AND " DAY " <= $2 GROUP BY " DAY " ORDER BY 1",
			      &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day), CW_P_TEXT(q->scope_path),
			      CW_P_INT(q->from), CW_P_INT(q->to));
#undef AREA_DAYS
#undef DAY
	if (rc != CW_DB_OK)
		return rc;
	struct cw_stats_day *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].day = cw_db_cell_int(&r, i, 0);
		v[i].count = cw_db_cell_int(&r, i, 1);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_stats_closed_late(struct cw_tx *tx, const struct cw_stats_query *q, int64_t *n)
{
	struct cw_db_result r;
	*n = 0;
	/* The city or a district: the counters' cases ever marked overdue (cases.late). */
	if (from_counts(q)) {
		const char *district = scope_district(q);
#define LATE_SELECT                                                                           \
	"SELECT COALESCE(SUM(late), 0) FROM case_counts_district "                           \
	"WHERE day >= $1 AND day <= $2 AND status IN ($3, $4, $5, $6)"
		int rc = district
			     ? CW_TXQ(tx, LATE_SELECT " AND district = $7", &r,
				      CW_P_INT(q->from_day), CW_P_INT(q->to_day),
				      CW_P_TEXT(q->closed[0]), CW_P_TEXT(q->closed[1]),
				      CW_P_TEXT(q->closed[2]), CW_P_TEXT(q->closed[3]),
				      CW_P_TEXT(district))
			     : CW_TXQ(tx, LATE_SELECT, &r, CW_P_INT(q->from_day),
				      CW_P_INT(q->to_day), CW_P_TEXT(q->closed[0]),
				      CW_P_TEXT(q->closed[1]), CW_P_TEXT(q->closed[2]),
				      CW_P_TEXT(q->closed[3]));
#undef LATE_SELECT
		if (rc != CW_DB_OK)
			return rc;
		*n = r.nrows ? cw_db_cell_int(&r, 0, 0) : 0;
		return CW_DB_OK;
	}
	/* The cases ever marked overdue (cases.late, migration 16), read from cases_region
	 * (which covers late and status since migration 18; `+ 0` and `|| ''` keep the
	 * planner from cases_late and cases_status, which visit the whole city's). */
	int rc = CW_TXQ(tx,
			"SELECT COUNT(*) FROM cases c WHERE c.region IN " IN_SCOPE_REGIONS("$3")
			" AND c.created_at >= $1 AND c.created_at < $2 AND c.late + 0 = 1 "
			"AND c.status || '' IN ($4, $5, $6, $7)",
			&r, CW_P_INT(q->from), CW_P_INT(q->to), CW_P_TEXT(q->scope_path),
			CW_P_TEXT(q->closed[0]), CW_P_TEXT(q->closed[1]), CW_P_TEXT(q->closed[2]),
			CW_P_TEXT(q->closed[3]));
	if (rc != CW_DB_OK)
		return rc;
	*n = r.nrows ? cw_db_cell_int(&r, 0, 0) : 0;
	return CW_DB_OK;
}

int cw_store_stats_grids(struct cw_tx *tx, const struct cw_stats_query *q,
			 struct cw_stats_grid **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT c.grid, COUNT(*), SUM(c.overdue) FROM cases c "
			"JOIN regions g ON g.code = c.grid "
			"WHERE c.grid IS NOT NULL AND " CW_STORE_IN_SCOPE("g.path", "$1")
			" AND c.status NOT IN ($2, $3, $4, $5, $6, $7, $8, $9) "
			"GROUP BY c.grid ORDER BY c.grid",
			&r, CW_P_TEXT(q->scope_path), DONE_PARAMS(q));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_stats_grid *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].grid = cw_db_cell(&r, i, 0);
		v[i].open = cw_db_cell_int(&r, i, 1);
		v[i].overdue = cw_db_cell_int(&r, i, 2);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_stats_points(struct cw_tx *tx, const struct cw_stats_query *q, bool open_only,
			  int limit, struct cw_case **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT c.id, c.number, c.title, c.status, c.overdue, c.lon, c.lat "
			"FROM cases c JOIN regions g ON g.code = c.region "
			"WHERE c.lon IS NOT NULL AND c.lat IS NOT NULL AND "
			CW_STORE_IN_SCOPE("g.path", "$1")
			" AND ($2 = 0 OR c.status NOT IN ($3, $4, $5, $6, $7, $8, $9, $10)) "
			"ORDER BY c.id DESC LIMIT $11",
			&r, CW_P_TEXT(q->scope_path), CW_P_INT(open_only ? 1 : 0),
			CW_P_TEXT(q->done[0]), CW_P_TEXT(q->done[1]), CW_P_TEXT(q->done[2]),
			CW_P_TEXT(q->done[3]), CW_P_TEXT(q->done[4]), CW_P_TEXT(q->done[5]),
			CW_P_TEXT(q->done[6]), CW_P_TEXT(q->done[7]), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		memset(&v[i], 0, sizeof v[i]);
		v[i].id = cw_db_cell_int(&r, i, 0);
		v[i].number = cw_db_cell(&r, i, 1);
		v[i].title = cw_db_cell(&r, i, 2);
		v[i].status = cw_db_cell(&r, i, 3);
		v[i].overdue = cw_store_cell_bool(&r, i, 4);
		v[i].has_location = true;
		v[i].lon = strtod(cw_db_cell(&r, i, 5), NULL);
		v[i].lat = strtod(cw_db_cell(&r, i, 6), NULL);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}
