/* store_cases.c - cases, their timeline and creation idempotency keys; see store.h.
 * Statuses and phases are stored as names: the store knows nothing of the engine. */
#include <pthread.h>
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
	"c.merged_into, c.version, c.created_at, c.updated_at, "                             \
	"c.reporter_name_enc, c.reporter_phone_enc, c.late "                                  \
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
	c->reporter_name_enc = cw_db_cell(r, i, 39);
	c->reporter_phone_enc = cw_db_cell(r, i, 40);
	c->late = cw_store_cell_bool(r, i, 41);
}

/* 0 means "none" for these columns, stored as NULL so the foreign keys hold. */
static struct cw_db_param id_or_null(int64_t v)
{
	return v ? CW_P_INT(v) : CW_P_NULL;
}

/* The columns a case's INSERT and UPDATE both write, each with its parameter: a new
 * column is added here once. (INSERT adds number, kind, created_at and version 1;
 * UPDATE keys on id and version and bumps the version.) */
#define CASE_COLUMNS(X)                                                                      \
	X(category, CW_P_TEXT(c->category))                                                  \
	X(title, CW_P_TEXT(c->title))                                                        \
	X(description, CW_P_TEXT(cw_store_str(c->description)))                             \
	X(status, CW_P_TEXT(c->status))                                                      \
	X(level, CW_P_TEXT(c->level))                                                        \
	X(region, CW_P_TEXT(c->region))                                                      \
	X(grid, CW_P_TEXT(c->grid))                                                          \
	X(department_id, id_or_null(c->department_id))                                       \
	X(lon, c->has_location ? CW_P_REAL(c->lon) : CW_P_NULL)                              \
	X(lat, c->has_location ? CW_P_REAL(c->lat) : CW_P_NULL)                              \
	X(address, CW_P_TEXT(cw_store_str(c->address)))                                     \
	X(channel, CW_P_TEXT(cw_store_str(c->channel)))                                     \
	X(reporter_user_id, id_or_null(c->reporter_user_id))                                 \
	X(deadline, id_or_null(c->deadline))                                                 \
	X(clock, CW_P_TEXT(cw_store_str(c->clock)))                                         \
	X(clock_started_at, id_or_null(c->clock_started_at))                                 \
	X(clock_remaining, CW_P_INT(c->clock_remaining))                                     \
	X(overdue, CW_P_INT(c->overdue))                                                     \
	X(warned, CW_P_INT(c->warned))                                                       \
	X(supervised, CW_P_INT(c->supervised))                                               \
	X(extension_pending, CW_P_INT(c->extension_pending))                                 \
	X(extension_days_asked, CW_P_INT(c->extension_days_asked))                           \
	X(extensions, CW_P_INT(c->extensions))                                               \
	X(extension_days, CW_P_INT(c->extension_days))                                       \
	X(reworks, CW_P_INT(c->reworks))                                                     \
	X(escalations, CW_P_INT(c->escalations))                                             \
	X(ratings, CW_P_INT(c->ratings))                                                     \
	X(rating, CW_P_INT(c->rating))                                                       \
	X(rectifications, CW_P_INT(c->rectifications))                                       \
	X(kind_flags, CW_P_INT(c->kind_flags))                                               \
	X(resume_status, CW_P_TEXT(cw_store_str(c->resume_status)))                         \
	X(merged_into, id_or_null(c->merged_into))                                           \
	X(updated_at, CW_P_INT(c->updated_at))                                               \
	X(reporter_name_enc, CW_P_TEXT(cw_store_str(c->reporter_name_enc)))                 \
	X(reporter_phone_enc, CW_P_TEXT(cw_store_str(c->reporter_phone_enc)))              \
	X(late, CW_P_INT(c->late))

#define CASE_COL_NAME(name, param) #name,
#define CASE_COL_PARAM(name, param) p[n++] = (param);
static const char *const case_columns[] = {CASE_COLUMNS(CASE_COL_NAME)};
#define CASE_NCOLS ((int)(sizeof case_columns / sizeof case_columns[0]))

static void case_params(const struct cw_case *c, struct cw_db_param *p)
{
	int n = 0;
	CASE_COLUMNS(CASE_COL_PARAM)
	(void)n;
}

/* The INSERT (number $1, kind $2, created_at $3, the columns from $4) or the UPDATE
 * (id $1, version $2, the columns from $3) of a case. 0, or -1 when sql is too small. */
static int case_sql(char *sql, size_t size, bool update)
{
	size_t len = 0;
#define ADD(...)                                                                             \
	do {                                                                                 \
		if (len < size)                                                              \
			len += (size_t)snprintf(sql + len, size - len, __VA_ARGS__);         \
	} while (0)
	if (update) {
		ADD("UPDATE cases SET ");
		for (int i = 0; i < CASE_NCOLS; i++)
			ADD("%s%s = $%d", i ? ", " : "", case_columns[i], i + 3);
		ADD(", version = version + 1 WHERE id = $1 AND version = $2");
	} else {
		ADD("INSERT INTO cases (number, kind, created_at, version");
		for (int i = 0; i < CASE_NCOLS; i++)
			ADD(", %s", case_columns[i]);
		ADD(") VALUES ($1, $2, $3, 1");
		for (int i = 0; i < CASE_NCOLS; i++)
			ADD(", $%d", i + 4);
		ADD(") RETURNING id");
	}
#undef ADD
	return len < size ? 0 : -1;
}

/* The two statements, built once: 75 snprintf calls each were 4% of a create. */
static char case_insert_sql[2048], case_update_sql[2048];
static bool case_sql_ok;

static void case_sql_build(void)
{
	case_sql_ok = case_sql(case_insert_sql, sizeof case_insert_sql, false) == 0 &&
		      case_sql(case_update_sql, sizeof case_update_sql, true) == 0;
}

static const char *case_sql_get(bool update)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, case_sql_build);
	return !case_sql_ok ? NULL : update ? case_update_sql : case_insert_sql;
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
	/* number, kind and created_at are written once; the rest is case_params(). */
	struct cw_db_param p[3 + CASE_NCOLS];
	c->late = c->late || c->overdue;
	p[0] = cw_store_p_text(number);
	p[1] = CW_P_TEXT(c->kind);
	p[2] = CW_P_INT(c->created_at);
	case_params(c, p + 3);
	const char *sql = case_sql_get(false);
	if (!sql)
		return CW_DB_ERROR;
	rc = cw_tx_query(tx, sql, p, 3 + CASE_NCOLS, &r);
	if (rc != CW_DB_OK)
		return rc;
	c->id = cw_db_cell_int(&r, 0, 0);
	c->number = cw_arena_strdup(cw_tx_arena(tx), number);
	c->version = 1;
	return cw_store_counts_add(tx, NULL, c);
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
	struct cw_db_param p[2 + CASE_NCOLS];
	/* The counted fields as stored, for the counters (store_counts.c). */
	struct cw_store_counted old;
	int rc = cw_store_counted_get(tx, c->id, &old);
	if (rc != CW_DB_OK)
		return rc;
	c->late = c->late || old.late || c->overdue;
	p[0] = CW_P_INT(c->id);
	p[1] = CW_P_INT(c->version);
	case_params(c, p + 2);
	const char *sql = case_sql_get(true);
	if (!sql)
		return CW_DB_ERROR;
	rc = cw_tx_query(tx, sql, p, 2 + CASE_NCOLS, &r);
	rc = cw_store_one_changed(rc, &r);
	if (rc == CW_DB_OK)
		c->version++;
	if (rc == CW_DB_OK)
		rc = cw_store_counts_add(tx, &old, c);
	return rc;
}

/* One query of cw_store_case_list; `*window` > 0 bounds a text search to that many of
 * the newest matches (SQLite), 0 searches them all; set to 0 when it searched them all. */
static int list_query(struct cw_tx *tx, const struct cw_case_filter *f, int limit, int *window,
		      struct cw_db_result *r)
{
	/* Only the filters given become conditions, numbered in order. */
	char sql[8192];
	struct cw_db_param p[160]; /* q: up to 67, the console filters up to 35 */
	int np = 0;
	size_t len;
	memset(r, 0, sizeof *r);
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
	for (int i = 0; i < 2; i++) {
		const char *path = i ? f->region_path : f->scope_path;
		if (!path)
			continue;
		/* The city or a district holds a large share of the cases: walking cases
		 * newest first finds a page at once, so `g.path || ''` keeps the planner from
		 * driving the query by the regions of the tree instead, which reads all their
		 * cases and sorts them (?open=true for the city: 210 ms against 3 ms at
		 * 1,000,000 cases). A town or a village drives the query by its regions. */
		if (strchr(path, '/') == strrchr(path, '/'))
			COND3(" AND (g.path || '' = $%d OR (g.path || '' > $%d || '/' AND "
			      "g.path || '' < $%d || '0'))",
			      CW_P_TEXT(path));
		else
			COND3(" AND (g.path = $%d OR (g.path > $%d || '/' AND g.path < $%d || '0'))",
			      CW_P_TEXT(path));
	}
	if (f->status)
		COND(" AND c.status = $%d", CW_P_TEXT(f->status));
	if (f->kind)
		COND(" AND c.kind = $%d", CW_P_TEXT(f->kind));
	if (f->category)
		COND(" AND c.category = $%d", CW_P_TEXT(f->category));
	if (f->overdue >= 0)
		COND(" AND c.overdue = $%d", CW_P_INT(f->overdue ? 1 : 0));
	if (cw_store_case_filter_conds(f, sql, sizeof sql, &len, p, &np,
				       (int)(sizeof p / sizeof p[0]) - 2) != CW_DB_OK)
		return CW_DB_ERROR;
	if (f->q) {
		int qrc = cw_store_case_search_conds(tx, f->q, f->before_id, window, sql,
						     sizeof sql, &len, p, &np,
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
	return cw_tx_query(tx, sql, p, np, r);
}

/* Newest matches searched first: enough for a page of a common word. */
#define SEARCH_WINDOW 2000

int cw_store_case_list(struct cw_tx *tx, const struct cw_case_filter *f, int limit,
		       struct cw_case **items, int *n)
{
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	struct cw_db_result r;
	/* A text search looks at the newest matches first: 4 pages of them (a common word
	 * fills its page there: 0.4 ms less than 2,000 at 1,000,000 cases), then 2,000
	 * (other filters that leave fewer); only a page it cannot fill from them (a rare
	 * word, or filters that leave few) searches all of them. The transaction's own
	 * index writes wait for its end (store_search.c): run them first. */
	int windows[3] = {4 * limit, SEARCH_WINDOW, 0};
	bool search = f->q && cw_tx_dialect(tx) == CW_DIALECT_SQLITE;
	int rc = f->q ? cw_tx_flush_later(tx) : CW_DB_OK;
	for (int i = search ? 0 : 2; i < 3 && rc == CW_DB_OK; i++) {
		int window = windows[i];
		if (i == 1 && window <= windows[0])
			continue;
		rc = list_query(tx, f, limit, &window, &r);
		if (rc != CW_DB_OK || window == 0 || r.nrows >= limit)
			break;
	}
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

/* ---- sealed personal data (see store.h) ---- */

int cw_store_case_pii_page(struct cw_tx *tx, int64_t after_id, int limit,
			   struct cw_case_pii **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT id, reporter_name_enc, reporter_phone_enc FROM cases "
			"WHERE id > $1 AND (reporter_name_enc <> '' OR reporter_phone_enc <> '') "
			"ORDER BY id LIMIT $2",
			&r, CW_P_INT(after_id), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case_pii *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].id = cw_db_cell_int(&r, i, 0);
		v[i].name_enc = cw_db_cell(&r, i, 1);
		v[i].phone_enc = cw_db_cell(&r, i, 2);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_case_pii_set(struct cw_tx *tx, const struct cw_case_pii *old,
			  const char *name_enc, const char *phone_enc)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"UPDATE cases SET reporter_name_enc = $2, reporter_phone_enc = $3 "
			"WHERE id = $1 AND reporter_name_enc = $4 AND reporter_phone_enc = $5",
			&r, CW_P_INT(old->id), CW_P_TEXT(cw_store_str(name_enc)),
			CW_P_TEXT(cw_store_str(phone_enc)), CW_P_TEXT(cw_store_str(old->name_enc)),
			CW_P_TEXT(cw_store_str(old->phone_enc)));
	return cw_store_one_changed(rc, &r);
}
