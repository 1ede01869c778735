/* store_counts.c - the counters of cases behind the dashboard of the city and of each
 * district (migrations 16 and 18; see store.h and store_int.h). Every insert and update
 * of a case moves its contribution from the key it had to the key it has, in the same
 * transaction: a new case costs two upserts, a change of a counted field four at most,
 * any other change none. The district and area of a case are read from its region's
 * path (CW_M18_DISTRICT and CW_M18_AREA of migrations.c, spelled again below). */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

#define LOCAL_DAY(t) (((t) + 28800) / 86400) /* as cw_day_of and migration 16 count */
/* The region g's district and area (migration 18): paths are 12-digit codes joined by
 * '/', a grid's 15 digits last. */
#define DISTRICT_OF                                                                            \
	"CASE WHEN substr(g.path, 26, 1) = '/' THEN substr(g.path, 14, 12) "                  \
	"WHEN substr(g.path, 13, 1) = '/' THEN g.code ELSE '' END"
#define AREA_OF "CASE WHEN substr(g.path, 39, 1) = '/' THEN substr(g.path, 27, 12) ELSE g.code END"

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
	k->district = k->area = NULL;
}

int cw_store_counted_get(struct cw_tx *tx, int64_t id, struct cw_store_counted *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"SELECT c.category, c.status, c.region, c.created_at, c.overdue, "
			"c.supervised, c.escalations, c.ratings, c.rating, c.late, " DISTRICT_OF
			", " AREA_OF " FROM cases c JOIN regions g ON g.code = c.region "
			"WHERE c.id = $1",
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
	out->district = cw_db_cell(&r, 0, 10);
	out->area = cw_db_cell(&r, 0, 11);
	return CW_DB_OK;
}

/* k's district and area from its region's path as it is now. */
static int place_of(struct cw_tx *tx, struct cw_store_counted *k)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT " DISTRICT_OF ", " AREA_OF " FROM regions g WHERE g.code = $1",
			&r, CW_P_TEXT(k->region));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	k->district = cw_db_cell(&r, 0, 0);
	k->area = cw_db_cell(&r, 0, 1);
	return CW_DB_OK;
}


#define DISTRICT_SET                                                                          \
	"ON CONFLICT (status, category, day, district) DO UPDATE SET "                       \
	"n = case_counts_district.n + excluded.n, "                                          \
	"overdue = case_counts_district.overdue + excluded.overdue, "                        \
	"supervised = case_counts_district.supervised + excluded.supervised, "               \
	"escalated = case_counts_district.escalated + excluded.escalated, "                  \
	"rated = case_counts_district.rated + excluded.rated, "                              \
	"good = case_counts_district.good + excluded.good, "                                 \
	"late = case_counts_district.late + excluded.late"
#define AREA_SET                                                                              \
	"ON CONFLICT (day, area, status) DO UPDATE SET "                                     \
	"n = case_counts_area.n + excluded.n, "                                              \
	"overdue = case_counts_area.overdue + excluded.overdue"
#define DISTRICT_COLS                                                                         \
	"status, category, day, district, n, overdue, supervised, escalated, rated, good, late"
#define AREA_COLS "day, area, status, n, overdue"

/* Adds sign (+1 or -1) times k's contribution to its rows (k->district and k->area
 * known); `district`, `area` false skip that table (its key and values did not change). */
static int add(struct cw_tx *tx, const struct cw_store_counted *k, int sign, bool district,
	       bool area)
{
	int rc = CW_DB_OK;
	if (district)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_counts_district (" DISTRICT_COLS ") "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) " DISTRICT_SET,
			    NULL, CW_P_TEXT(k->status), CW_P_TEXT(k->category), CW_P_INT(k->day),
			    CW_P_TEXT(k->district), CW_P_INT(sign), CW_P_INT(sign * k->overdue),
			    CW_P_INT(sign * k->supervised), CW_P_INT(sign * k->escalated),
			    CW_P_INT(sign * k->rated), CW_P_INT(sign * k->good),
			    CW_P_INT(sign * k->late));
	if (rc == CW_DB_OK && area)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_counts_area (" AREA_COLS ") "
			    "VALUES ($1, $2, $3, $4, $5) " AREA_SET,
			    NULL, CW_P_INT(k->day), CW_P_TEXT(k->area), CW_P_TEXT(k->status),
			    CW_P_INT(sign), CW_P_INT(sign * k->overdue));
	return rc;
}

/* A new case: its rows, the district and area read from its region in the same
 * statements (no lookup of its own). */
static int add_new(struct cw_tx *tx, const struct cw_store_counted *k)
{
	int rc = CW_TXQ(tx,
			"INSERT INTO case_counts_district (" DISTRICT_COLS ") "
			"SELECT $1, $2, $3, " DISTRICT_OF ", 1, $5, $6, $7, $8, $9, $10 "
			"FROM regions g WHERE g.code = $4 " DISTRICT_SET,
			NULL, CW_P_TEXT(k->status), CW_P_TEXT(k->category), CW_P_INT(k->day),
			CW_P_TEXT(k->region), CW_P_INT(k->overdue), CW_P_INT(k->supervised),
			CW_P_INT(k->escalated), CW_P_INT(k->rated), CW_P_INT(k->good),
			CW_P_INT(k->late));
	if (rc == CW_DB_OK)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_counts_area (" AREA_COLS ") "
			    "SELECT $1, " AREA_OF ", $3, 1, $4 "
			    "FROM regions g WHERE g.code = $2 " AREA_SET,
			    NULL, CW_P_INT(k->day), CW_P_TEXT(k->region), CW_P_TEXT(k->status),
			    CW_P_INT(k->overdue));
	return rc;
}

/* Key order of the rows (district table: status, category, day, district; area table:
 * day, area, status), negative when a's row comes first. */
static int cmp_district(const struct cw_store_counted *a, const struct cw_store_counted *b)
{
	int c = strcmp(a->status, b->status);
	if (!c)
		c = strcmp(a->category, b->category);
	if (!c)
		c = (a->day > b->day) - (a->day < b->day);
	return c ? c : strcmp(a->district, b->district);
}

static int cmp_area(const struct cw_store_counted *a, const struct cw_store_counted *b)
{
	int c = (a->day > b->day) - (a->day < b->day);
	if (!c)
		c = strcmp(a->area, b->area);
	return c ? c : strcmp(a->status, b->status);
}

int cw_store_counts_add(struct cw_tx *tx, const struct cw_store_counted *old,
			const struct cw_case *c)
{
	struct cw_store_counted k;
	counted_of(c, &k);
	if (!old)
		return add_new(tx, &k);
	int rc = CW_DB_OK;
	if (!strcmp(old->region, k.region)) {
		k.district = old->district;
		k.area = old->area;
	} else if ((rc = place_of(tx, &k)) != CW_DB_OK) {
		return rc;
	}
	bool same_status = !strcmp(old->status, k.status);
	bool district = old->day != k.day || strcmp(old->category, k.category) || !same_status ||
			strcmp(old->district, k.district) || old->overdue != k.overdue ||
			old->supervised != k.supervised || old->escalated != k.escalated ||
			old->rated != k.rated || old->good != k.good || old->late != k.late;
	bool area = old->day != k.day || strcmp(old->area, k.area) || !same_status ||
		    old->overdue != k.overdue;
	/* Each table's two rows in key order, the district table's first: two concurrent
	 * changes (PostgreSQL) wait for each other rather than deadlock. */
	if (district) {
		bool old_first = cmp_district(old, &k) <= 0;
		rc = add(tx, old_first ? old : &k, old_first ? -1 : 1, true, false);
		if (rc == CW_DB_OK)
			rc = add(tx, old_first ? &k : old, old_first ? 1 : -1, true, false);
	}
	if (rc == CW_DB_OK && area) {
		bool old_first = cmp_area(old, &k) <= 0;
		rc = add(tx, old_first ? old : &k, old_first ? -1 : 1, false, true);
		if (rc == CW_DB_OK)
			rc = add(tx, old_first ? &k : old, old_first ? 1 : -1, false, true);
	}
	return rc;
}

/* The counters as a recount from the cases would make them (migration 18's backfill);
 * WHERE_CASES narrows the cases (a subtree) and S scales every figure (the sign). */
#define DAY_OF "(c.created_at + 28800) / 86400"
#define RECOUNT_DISTRICT(S, WHERE_CASES)                                                      \
	"SELECT c.status, c.category, " DAY_OF " AS day, " DISTRICT_OF " AS district, "     \
	S "COUNT(*) AS n, " S "SUM(c.overdue) AS overdue, " S "SUM(c.supervised) AS supervised, " \
	S "SUM(CASE WHEN c.escalations > 0 THEN 1 ELSE 0 END) AS escalated, "                 \
	S "SUM(CASE WHEN c.ratings > 0 THEN 1 ELSE 0 END) AS rated, "                         \
	S "SUM(CASE WHEN c.ratings > 0 AND c.rating >= 4 THEN 1 ELSE 0 END) AS good, "        \
	S "SUM(c.late) AS late FROM cases c JOIN regions g ON g.code = c.region "             \
	"WHERE " WHERE_CASES " GROUP BY c.status, c.category, " DAY_OF ", " DISTRICT_OF
#define RECOUNT_AREA(S, WHERE_CASES)                                                          \
	"SELECT " DAY_OF " AS day, " AREA_OF " AS area, c.status, " S "COUNT(*) AS n, "      \
	S "SUM(c.overdue) AS overdue FROM cases c JOIN regions g ON g.code = c.region "      \
	"WHERE " WHERE_CASES " GROUP BY " DAY_OF ", " AREA_OF ", c.status"

int cw_store_counts_check(struct cw_tx *tx, int64_t *diff)
{
	struct cw_db_result r;
	*diff = 0;
	/* Rows left at zero by cases that moved away count as absent. */
	int rc = cw_tx_query(
	    tx,
	    "SELECT (SELECT COUNT(*) FROM (SELECT " DISTRICT_COLS " FROM case_counts_district "
	    "WHERE n <> 0 EXCEPT " RECOUNT_DISTRICT("", "true") ") a) + "
	    "(SELECT COUNT(*) FROM (" RECOUNT_DISTRICT("", "true") " EXCEPT SELECT " DISTRICT_COLS
	    " FROM case_counts_district) b) + "
	    "(SELECT COUNT(*) FROM (SELECT " AREA_COLS " FROM case_counts_area "
	    "WHERE n <> 0 EXCEPT " RECOUNT_AREA("", "true") ") c) + "
	    "(SELECT COUNT(*) FROM (" RECOUNT_AREA("", "true") " EXCEPT SELECT " AREA_COLS
	    " FROM case_counts_area) d)",
	    NULL, 0, &r);
	if (rc != CW_DB_OK)
		return rc;
	*diff = r.nrows ? cw_db_cell_int(&r, 0, 0) : 0;
	return CW_DB_OK;
}

int cw_store_counts_rebuild(struct cw_tx *tx)
{
	int rc = cw_tx_query(tx, "DELETE FROM case_counts_district", NULL, 0, NULL);
	if (rc == CW_DB_OK)
		rc = cw_tx_query(tx, "DELETE FROM case_counts_area", NULL, 0, NULL);
	if (rc == CW_DB_OK)
		rc = cw_tx_query(tx,
				 "INSERT INTO case_counts_district (" DISTRICT_COLS ") "
				 RECOUNT_DISTRICT("", "true"),
				 NULL, 0, NULL);
	if (rc == CW_DB_OK)
		rc = cw_tx_query(tx,
				 "INSERT INTO case_counts_area (" AREA_COLS ") " RECOUNT_AREA("", "true"),
				 NULL, 0, NULL);
	return rc;
}

int cw_store_counts_subtree(struct cw_tx *tx, const char *path, int sign)
{
	/* The subtree's regions through regions_path, their cases through cases_region. */
	int rc = CW_TXQ(tx,
			"INSERT INTO case_counts_district (" DISTRICT_COLS ") "
			RECOUNT_DISTRICT("$2 * ", CW_STORE_IN_SCOPE("g.path", "$1")) " " DISTRICT_SET,
			NULL, CW_P_TEXT(path), CW_P_INT(sign));
	if (rc == CW_DB_OK)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_counts_area (" AREA_COLS ") "
			    RECOUNT_AREA("$2 * ", CW_STORE_IN_SCOPE("g.path", "$1")) " " AREA_SET,
			    NULL, CW_P_TEXT(path), CW_P_INT(sign));
	return rc;
}
