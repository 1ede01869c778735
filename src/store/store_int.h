/* store_int.h - small helpers the store_*.c files share. Private to src/store/. */
#ifndef CW_STORE_STORE_INT_H
#define CW_STORE_STORE_INT_H

#include "store/db.h"

/* An UPDATE or DELETE of one row by key that matched nothing found nothing. */
static inline int cw_store_one_changed(int rc, const struct cw_db_result *r)
{
	return rc == CW_DB_OK && r->changes == 0 ? CW_DB_NOTFOUND : rc;
}

static inline bool cw_store_cell_bool(const struct cw_db_result *r, int row, int col)
{
	return cw_db_cell_int(r, row, col) != 0;
}

/* A NOT NULL text column written from an optional C string. */
static inline const char *cw_store_str(const char *s)
{
	return s ? s : "";
}

/* CW_P_TEXT for a char array, whose address the macro's NULL test would warn about. */
static inline struct cw_db_param cw_store_p_text(const char *s)
{
	return CW_P_TEXT(s);
}

/* Scope filter on a region path column: the scope itself or anything below it.
 * A range rather than LIKE or substr, so the path index serves it: every path
 * below P starts with "P/", and those sort between "P/" and "P0" ('0' follows
 * '/' in byte order; PostgreSQL's path column is COLLATE "C" for this). */
#define CW_STORE_IN_SCOPE(col, p) \
	"(" col " = " p " OR (" col " > " p " || '/' AND " col " < " p " || '0'))"

/* store_search.c: appends the full-text conditions of query `q` (core/search.h) to the
 * case list's WHERE clause in sql[*len..size) with parameters from p[*np] (at most
 * pmax in all). Every term becomes an EXISTS on case_terms, except that the rarest
 * one, when it has few cases, drives the query instead (c.id IN …); the fragments are
 * checked as substrings of the case's folded text. CW_DB_NOTFOUND when q cannot match
 * anything (not a valid query). SQLite (migration 15): all the terms in one MATCH on the
 * FTS5 table case_fts that drives the query, the list's cursor before_id (> 0) applied
 * inside it too so a deep page does not look up the newer matches, and with window > 0
 * only the newest `*window` matches (ORDER BY rowid DESC LIMIT window); only the rarest
 * one to three CJK terms (their counts from case_fts_vocab, migration 19) go into the
 * MATCH, the substring check does the rest. *window is set to 0 when the search was not
 * bounded after all (a rare term: all its matches searched at once). */
struct cw_db_param;
int cw_store_case_search_conds(struct cw_tx *tx, const char *q, int64_t before_id, int *window,
			       char *sql,
			       size_t size, size_t *len, struct cw_db_param *p, int *np, int pmax);

/* store_case_filters.c: appends the conditions of the console's list filters of f
 * (statuses, status_set, supervised, escalated, department, grid, due_before) like the
 * above; CW_DB_ERROR when they would need more than pmax parameters. */
struct cw_case_filter;
int cw_store_case_filter_conds(const struct cw_case_filter *f, char *sql, size_t size,
			       size_t *len, struct cw_db_param *p, int *np, int pmax);

/* store_counts.c: the counters of migration 16. The fields of a case they count, as
 * stored; cw_store_counts_add moves a case's contribution from `old` (NULL: a new case)
 * to `c`, in a handful of upserts (none when nothing counted changed). */
#define CW_STORE_COUNTS_GOOD_RATING 4 /* counted as good: ratings at or above it */
struct cw_store_counted {
	const char *category, *status, *region;
	int64_t day;
	bool overdue, supervised, escalated, rated, good, late;
	const char *district, *area; /* of the region, migration 18 (NULL: not looked up) */
};
struct cw_case;
int cw_store_counted_get(struct cw_tx *tx, int64_t id, struct cw_store_counted *out);
int cw_store_counts_add(struct cw_tx *tx, const struct cw_store_counted *old,
			const struct cw_case *c);
/* Adds sign (+1 or -1) times the contribution of the cases under the region path to the
 * counters, filed by the district and area the paths say now: -1 before a region move,
 * +1 after it re-files its subtree's cases (cw_store_region_move). */
int cw_store_counts_subtree(struct cw_tx *tx, const char *path, int sign);

#endif
