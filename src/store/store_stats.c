/* store_stats.c - the figures of the dashboard and the map (see store.h): aggregates
 * computed by the database, so that a year of the city's cases is read once per figure
 * and never shipped to the server row by row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

/* The regions of the scope, for `c.region IN (…)`: SQLite evaluates the subquery once
 * into a lookup table, so a case costs a probe, not a join. `c.region || ''` keeps
 * SQLite from driving the query by thousands of region ranges where one index scan in
 * group order does better (the index choice below). */
#define IN_SCOPE_REGIONS(p) \
	"(SELECT code FROM regions WHERE " CW_STORE_IN_SCOPE("path", p) ")"

#define DONE_PARAMS(q)                                                                         \
	CW_P_TEXT((q)->done[0]), CW_P_TEXT((q)->done[1]), CW_P_TEXT((q)->done[2]),             \
	    CW_P_TEXT((q)->done[3]), CW_P_TEXT((q)->done[4]), CW_P_TEXT((q)->done[5]),         \
	    CW_P_TEXT((q)->done[6]), CW_P_TEXT((q)->done[7])

/* Aggregation without sorting: at a million cases SQLite's GROUP BY sorter costs
 * several times the scan, so every query below reads an index of migration 11 in the
 * order of its GROUP BY (PostgreSQL hashes). */

/* The whole city's figures come from the counters of migration 16 (store_counts.c) when
 * they count what is asked (the good rating is theirs); a narrower scope reads its cases
 * through the indexes of migration 11. */
static bool from_counts(const struct cw_stats_query *q)
{
	return q->whole_tree && q->good_rating == CW_STORE_COUNTS_GOOD_RATING;
}

int cw_store_stats_groups(struct cw_tx *tx, const struct cw_stats_query *q,
			  struct cw_stats_group **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	/* case_counts_day: the period's rows, grouped; the rows left at zero are not groups. */
#define COUNTS_SELECT                                                                         \
	"SELECT status, category, SUM(n), SUM(overdue), SUM(supervised), SUM(escalated), "   \
	"SUM(rated), SUM(good) FROM case_counts_day WHERE day >= $1 AND day <= $2 "          \
	"GROUP BY status, category HAVING SUM(n) > 0"
	/* cases_stats_status (status, category, created_at, …): one pass in group order. */
#define GROUPS_SELECT                                                                         \
	"SELECT c.status, c.category, COUNT(*), SUM(c.overdue), SUM(c.supervised), "         \
	"SUM(CASE WHEN c.escalations > 0 THEN 1 ELSE 0 END), "                              \
	"SUM(CASE WHEN c.ratings > 0 THEN 1 ELSE 0 END), "                                  \
	"SUM(CASE WHEN c.ratings > 0 AND c.rating >= $3 THEN 1 ELSE 0 END) "                \
	"FROM cases c WHERE c.created_at >= $1 AND c.created_at < $2 "
	int rc = from_counts(q)
		     ? CW_TXQ(tx, COUNTS_SELECT, &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day))
		 : q->whole_tree
		     ? CW_TXQ(tx, GROUPS_SELECT "GROUP BY c.status, c.category", &r,
			      CW_P_INT(q->from), CW_P_INT(q->to), CW_P_INT(q->good_rating))
		     : CW_TXQ(tx,
			      GROUPS_SELECT "AND c.region || '' IN " IN_SCOPE_REGIONS("$4")
					    " GROUP BY c.status, c.category",
			      &r, CW_P_INT(q->from), CW_P_INT(q->to), CW_P_INT(q->good_rating),
			      CW_P_TEXT(q->scope_path));
#undef GROUPS_SELECT
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

/* Appends the rows of r (region, path, count, open, overdue) to *items. */
static void regions_rows(struct cw_tx *tx, const struct cw_db_result *r,
			 struct cw_stats_region **items, int *n)
{
	struct cw_stats_region *v = cw_arena_alloc(
	    cw_tx_arena(tx), (size_t)(*n + r->nrows ? *n + r->nrows : 1) * sizeof *v);
	if (*n)
		memcpy(v, *items, (size_t)*n * sizeof *v);
	for (int i = 0; i < r->nrows; i++) {
		struct cw_stats_region *x = &v[*n + i];
		x->region = cw_db_cell(r, i, 0);
		x->path = cw_db_cell(r, i, 1);
		x->count = cw_db_cell_int(r, i, 2);
		x->open = cw_db_cell_int(r, i, 3);
		x->overdue = cw_db_cell_int(r, i, 4);
	}
	*items = v;
	*n += r->nrows;
}

static int regions_cases(struct cw_tx *tx, const struct cw_stats_query *q,
			 struct cw_stats_region **items, int *n);

/* The whole city: case_counts_region for the buckets the period covers entirely, the
 * cases of the days at its edges (less than a bucket each). A region may come twice. */
static int regions_counts(struct cw_tx *tx, const struct cw_stats_query *q,
			  struct cw_stats_region **items, int *n)
{
	const int64_t B = CW_STORE_COUNTS_BUCKET;
	int64_t b0 = q->from_day >= 0 ? (q->from_day + B - 1) / B : -((-q->from_day) / B);
	int64_t b1 = (q->to_day + 1 >= 0 ? (q->to_day + 1) / B : -((-(q->to_day + 1) + B - 1) / B)) - 1;
	if (b0 > b1)
		return regions_cases(tx, q, items, n);
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"SELECT x.region, g.path, x.n, x.open, x.overdue FROM ("
			"SELECT region, SUM(n) AS n, "
			"SUM(CASE WHEN status IN ($3, $4, $5, $6, $7, $8, $9, $10) THEN 0 ELSE n END) "
			"AS open, "
			"SUM(CASE WHEN status IN ($3, $4, $5, $6, $7, $8, $9, $10) THEN 0 "
			"ELSE overdue END) AS overdue "
			"FROM case_counts_region WHERE bucket >= $1 AND bucket <= $2 "
			"GROUP BY region HAVING SUM(n) > 0) x "
			"JOIN regions g ON g.code = x.region",
			&r, CW_P_INT(b0), CW_P_INT(b1), DONE_PARAMS(q));
	if (rc != CW_DB_OK)
		return rc;
	regions_rows(tx, &r, items, n);
	/* The edges, [from_day, b0 * B) and [(b1 + 1) * B, to_day], as instants. */
	struct cw_stats_query e = *q;
	if (q->from_day < b0 * B) {
		e.from = q->from;
		e.to = b0 * B * 86400 - 28800;
		if ((rc = regions_cases(tx, &e, items, n)))
			return rc;
	}
	if ((b1 + 1) * B <= q->to_day) {
		e.from = (b1 + 1) * B * 86400 - 28800;
		e.to = q->to;
		if ((rc = regions_cases(tx, &e, items, n)))
			return rc;
	}
	return CW_DB_OK;
}

int cw_store_stats_regions(struct cw_tx *tx, const struct cw_stats_query *q,
			   struct cw_stats_region **items, int *n)
{
	*items = NULL;
	*n = 0;
	return q->whole_tree ? regions_counts(tx, q, items, n) : regions_cases(tx, q, items, n);
}

/* Appends the cases' rows of [q->from, q->to) under the scope. */
static int regions_cases(struct cw_tx *tx, const struct cw_stats_query *q,
			 struct cw_stats_region **items, int *n)
{
	struct cw_db_result r;
	/* cases_stats_region (region, created_at, status, overdue): per region of the scope
	 * one range of its period, in region order; the path is joined per group. */
	int rc = CW_TXQ(tx,
			"SELECT x.region, g.path, x.n, x.open, x.overdue FROM ("
			"SELECT c.region, COUNT(*) AS n, "
			"SUM(CASE WHEN c.status IN ($4, $5, $6, $7, $8, $9, $10, $11) THEN 0 ELSE 1 END) "
			"AS open, "
			"SUM(CASE WHEN c.status IN ($4, $5, $6, $7, $8, $9, $10, $11) THEN 0 "
			"ELSE c.overdue END) AS overdue "
			"FROM cases c WHERE c.region IN " IN_SCOPE_REGIONS("$3")
			" AND c.created_at >= $1 AND c.created_at < $2 GROUP BY c.region) x "
			"JOIN regions g ON g.code = x.region",
			&r, CW_P_INT(q->from), CW_P_INT(q->to), CW_P_TEXT(q->scope_path), DONE_PARAMS(q));
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
	 * the period is written on the same expression so that the index on it
	 * (cases_stats_day) serves the range and the grouping. */
#define DAY "((c.created_at + 28800) / 86400)"
	int rc = from_counts(q)
		     ? CW_TXQ(tx,
			      "SELECT day, SUM(n) FROM case_counts_day WHERE day >= $1 AND day <= $2 "
			      "GROUP BY day HAVING SUM(n) > 0",
			      &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day))
		 : q->whole_tree
		     ? CW_TXQ(tx,
			      "SELECT " DAY ", COUNT(*) FROM cases c WHERE " DAY " >= $1 AND " DAY
			      " <= $2 GROUP BY " DAY,
			      &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day))
		     : CW_TXQ(tx,
			      "SELECT " DAY ", COUNT(*) FROM cases c WHERE " DAY " >= $1 AND " DAY
			      " <= $2 AND c.region || '' IN " IN_SCOPE_REGIONS("$3") " GROUP BY " DAY,
			      &r, CW_P_INT(q->from_day), CW_P_INT(q->to_day), CW_P_TEXT(q->scope_path));
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
	/* The whole city: the counters' cases ever marked overdue (cases.late). */
	if (from_counts(q)) {
		int rc = CW_TXQ(tx,
				"SELECT COALESCE(SUM(late), 0) FROM case_counts_day "
				"WHERE day >= $1 AND day <= $2 AND status IN ($3, $4, $5, $6)",
				&r, CW_P_INT(q->from_day), CW_P_INT(q->to_day),
				CW_P_TEXT(q->closed[0]), CW_P_TEXT(q->closed[1]),
				CW_P_TEXT(q->closed[2]), CW_P_TEXT(q->closed[3]));
		if (rc != CW_DB_OK)
			return rc;
		*n = r.nrows ? cw_db_cell_int(&r, 0, 0) : 0;
		return CW_DB_OK;
	}
	/* The cases ever marked overdue (cases.late, migration 16). Driven by the partial
	 * index cases_late: only the cases ever late are visited. */
	int rc = CW_TXQ(tx,
			"SELECT COUNT(*) FROM cases c "
			"WHERE c.id IN (SELECT id FROM cases WHERE late = 1) "
			"AND c.created_at >= $1 AND c.created_at < $2 "
			"AND c.region IN " IN_SCOPE_REGIONS("$3") " "
			"AND c.status IN ($4, $5, $6, $7)",
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
