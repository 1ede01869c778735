/* store_counts.c - the counters of cases behind the whole city's dashboard (migration
 * 16; see store.h and store_int.h). Every insert and update of a case moves its
 * contribution from the key it had to the key it has, in the same transaction: a new
 * case costs two upserts, a change of a counted field four at most, any other change
 * none. */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

#define LOCAL_DAY(t) (((t) + 28800) / 86400) /* as cw_day_of and migration 16 count */

static void counted_of(const struct cw_case *c, struct cw_store_counted *k)
{
	k->category = c->category;
	k->status = c->status;
	k->region = c->region;
	k->day = LOCAL_DAY(c->created_at);
	k->overdue = c->overdue;
	k->supervised = c->supervised;
	k->escalated = c->escalations > 0;
	k->rated = c->ratings > 0;
	k->good = c->ratings > 0 && c->rating >= CW_STORE_COUNTS_GOOD_RATING;
	k->late = c->late || c->overdue;
}

int cw_store_counted_get(struct cw_tx *tx, int64_t id, struct cw_store_counted *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"SELECT category, status, region, created_at, overdue, supervised, "
			"escalations, ratings, rating, late FROM cases WHERE id = $1",
			&r, CW_P_INT(id));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	struct cw_case c = {.category = cw_db_cell(&r, 0, 0),
			    .status = cw_db_cell(&r, 0, 1),
			    .region = cw_db_cell(&r, 0, 2),
			    .created_at = cw_db_cell_int(&r, 0, 3),
			    .overdue = cw_store_cell_bool(&r, 0, 4),
			    .supervised = cw_store_cell_bool(&r, 0, 5),
			    .escalations = (int)cw_db_cell_int(&r, 0, 6),
			    .ratings = (int)cw_db_cell_int(&r, 0, 7),
			    .rating = (int)cw_db_cell_int(&r, 0, 8),
			    .late = cw_store_cell_bool(&r, 0, 9)};
	counted_of(&c, out);
	return CW_DB_OK;
}

/* Adds sign (+1 or -1) times k's contribution to its rows; `day`, `region` false skip
 * that table (its key and values did not change). */
static int add(struct cw_tx *tx, const struct cw_store_counted *k, int sign, bool day,
	       bool region)
{
	int rc = CW_DB_OK;
	if (day)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_counts_day (day, category, status, n, overdue, "
			    "supervised, escalated, rated, good, late) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
			    "ON CONFLICT (status, category, day) DO UPDATE SET "
			    "n = case_counts_day.n + excluded.n, "
			    "overdue = case_counts_day.overdue + excluded.overdue, "
			    "supervised = case_counts_day.supervised + excluded.supervised, "
			    "escalated = case_counts_day.escalated + excluded.escalated, "
			    "rated = case_counts_day.rated + excluded.rated, "
			    "good = case_counts_day.good + excluded.good, "
			    "late = case_counts_day.late + excluded.late",
			    NULL, CW_P_INT(k->day), CW_P_TEXT(k->category), CW_P_TEXT(k->status),
			    CW_P_INT(sign), CW_P_INT(sign * k->overdue), CW_P_INT(sign * k->supervised),
			    CW_P_INT(sign * k->escalated), CW_P_INT(sign * k->rated),
			    CW_P_INT(sign * k->good), CW_P_INT(sign * k->late));
	if (rc == CW_DB_OK && region)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_counts_region (bucket, region, status, n, overdue) "
			    "VALUES ($1, $2, $3, $4, $5) "
			    "ON CONFLICT (region, bucket, status) DO UPDATE SET "
			    "n = case_counts_region.n + excluded.n, "
			    "overdue = case_counts_region.overdue + excluded.overdue",
			    NULL, CW_P_INT(k->day / CW_STORE_COUNTS_BUCKET), CW_P_TEXT(k->region),
			    CW_P_TEXT(k->status), CW_P_INT(sign), CW_P_INT(sign * k->overdue));
	return rc;
}

/* Key order of the rows (day table: status, category, day; region table: region,
 * bucket, status), negative when a's row comes first. */
static int cmp_day(const struct cw_store_counted *a, const struct cw_store_counted *b)
{
	int c = strcmp(a->status, b->status);
	if (!c)
		c = strcmp(a->category, b->category);
	return c ? c : (a->day > b->day) - (a->day < b->day);
}

static int cmp_region(const struct cw_store_counted *a, const struct cw_store_counted *b)
{
	int64_t x = a->day / CW_STORE_COUNTS_BUCKET, y = b->day / CW_STORE_COUNTS_BUCKET;
	int c = strcmp(a->region, b->region);
	if (!c)
		c = (x > y) - (x < y);
	return c ? c : strcmp(a->status, b->status);
}

int cw_store_counts_add(struct cw_tx *tx, const struct cw_store_counted *old,
			const struct cw_case *c)
{
	struct cw_store_counted k;
	counted_of(c, &k);
	if (!old)
		return add(tx, &k, 1, true, true);
	bool same_status = !strcmp(old->status, k.status);
	bool day = old->day != k.day || strcmp(old->category, k.category) || !same_status ||
		   old->overdue != k.overdue || old->supervised != k.supervised ||
		   old->escalated != k.escalated || old->rated != k.rated ||
		   old->good != k.good || old->late != k.late;
	bool region = old->day != k.day || strcmp(old->region, k.region) || !same_status ||
		      old->overdue != k.overdue;
	/* Each table's two rows in key order, the day table's first: two concurrent
	 * changes (PostgreSQL) wait for each other rather than deadlock. */
	int rc = CW_DB_OK;
	if (day) {
		bool old_first = cmp_day(old, &k) <= 0;
		rc = add(tx, old_first ? old : &k, old_first ? -1 : 1, true, false);
		if (rc == CW_DB_OK)
			rc = add(tx, old_first ? &k : old, old_first ? 1 : -1, true, false);
	}
	if (rc == CW_DB_OK && region) {
		bool old_first = cmp_region(old, &k) <= 0;
		rc = add(tx, old_first ? old : &k, old_first ? -1 : 1, false, true);
		if (rc == CW_DB_OK)
			rc = add(tx, old_first ? &k : old, old_first ? 1 : -1, false, true);
	}
	return rc;
}

/* The counters as a recount from the cases would make them (migration 16's backfill). */
#define RECOUNT_DAY                                                                            \
	"SELECT (created_at + 28800) / 86400 AS day, category, status, COUNT(*) AS n, "      \
	"SUM(overdue) AS overdue, SUM(supervised) AS supervised, "                          \
	"SUM(CASE WHEN escalations > 0 THEN 1 ELSE 0 END) AS escalated, "                   \
	"SUM(CASE WHEN ratings > 0 THEN 1 ELSE 0 END) AS rated, "                           \
	"SUM(CASE WHEN ratings > 0 AND rating >= 4 THEN 1 ELSE 0 END) AS good, "            \
	"SUM(late) AS late FROM cases GROUP BY (created_at + 28800) / 86400, category, status"
#define RECOUNT_REGION                                                                         \
	"SELECT (created_at + 28800) / 86400 / 8 AS bucket, region, status, COUNT(*) AS n, " \
	"SUM(overdue) AS overdue FROM cases "                                                \
	"GROUP BY (created_at + 28800) / 86400 / 8, region, status"
#define DAY_COLS "day, category, status, n, overdue, supervised, escalated, rated, good, late"
#define REGION_COLS "bucket, region, status, n, overdue"

int cw_store_counts_check(struct cw_tx *tx, int64_t *diff)
{
	struct cw_db_result r;
	*diff = 0;
	/* Rows left at zero by cases that moved away count as absent. */
	int rc = cw_tx_query(tx,
			"SELECT (SELECT COUNT(*) FROM (SELECT " DAY_COLS " FROM case_counts_day "
			"WHERE n <> 0 EXCEPT " RECOUNT_DAY ") a) + "
			"(SELECT COUNT(*) FROM (" RECOUNT_DAY " EXCEPT SELECT " DAY_COLS
			" FROM case_counts_day) b) + "
			"(SELECT COUNT(*) FROM (SELECT " REGION_COLS " FROM case_counts_region "
			"WHERE n <> 0 EXCEPT " RECOUNT_REGION ") c) + "
			"(SELECT COUNT(*) FROM (" RECOUNT_REGION " EXCEPT SELECT " REGION_COLS
			" FROM case_counts_region) d)",
			NULL, 0, &r);
	if (rc != CW_DB_OK)
		return rc;
	*diff = r.nrows ? cw_db_cell_int(&r, 0, 0) : 0;
	return CW_DB_OK;
}

int cw_store_counts_rebuild(struct cw_tx *tx)
{
	int rc = cw_tx_query(tx, "DELETE FROM case_counts_day", NULL, 0, NULL);
	if (rc == CW_DB_OK)
		rc = cw_tx_query(tx, "DELETE FROM case_counts_region", NULL, 0, NULL);
	if (rc == CW_DB_OK)
		rc = cw_tx_query(tx, "INSERT INTO case_counts_day (" DAY_COLS ") " RECOUNT_DAY,
				 NULL, 0, NULL);
	if (rc == CW_DB_OK)
		rc = cw_tx_query(tx,
				 "INSERT INTO case_counts_region (" REGION_COLS ") " RECOUNT_REGION,
				 NULL, 0, NULL);
	return rc;
}
