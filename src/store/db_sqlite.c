/* db_sqlite.c - the SQLite driver: WAL with durable commits, $N parameters bound by
 * name, and a small per-connection cache of prepared statements; see db.h. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/sqlite_vfs.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/text.h"

/* The store has a few dozen distinct statements; reads are hot, and preparing
 * costs as much as running a point query. */
#define CW_SQLITE_CACHE 64

struct cw_stmt_slot {
	uint64_t hash;
	char *sql; /* the cache key, NULL when the slot is empty */
	sqlite3_stmt *st;
	uint64_t used; /* tick of the last use, for LRU eviction */
	/* Parameter "$k" is bound at index pidx[k - 1] (0: the statement does not use
	 * it), k = 1 … maxk; -1 in maxk: a parameter not of that form. Looked up once at
	 * prepare time: sqlite3_bind_parameter_index is a linear search by name, which
	 * made a 200-row INSERT quadratic. */
	int maxk;
	int *pidx;
};

struct cw_db_conn {
	sqlite3 *db;
	uint64_t tick;
	struct cw_stmt_slot cache[CW_SQLITE_CACHE];
};

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return CW_DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CW_DB_BUSY;
	case SQLITE_CONSTRAINT:
		return CW_DB_CONSTRAINT;
	default:
		return CW_DB_ERROR;
	}
}

/* Maps and logs a failure. The message names the statement, never a value: the
 * SQL text holds only placeholders. Busy and constraint results are expected
 * outcomes that the caller handles, so they are logged at debug level. */
static int fail(struct cw_db_conn *c, int rc, const char *sql)
{
	int cw = map_rc(rc);
	if (cw == CW_DB_OK)
		cw = CW_DB_ERROR;
	if (cw == CW_DB_ERROR)
		cw_error("sqlite: %s (in: %.160s)", sqlite3_errmsg(c->db), sql);
	else
		cw_debug("sqlite: %s (in: %.160s)", sqlite3_errmsg(c->db), sql);
	return cw;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Fills the slot's "$k" -> index map (see struct cw_stmt_slot). */
static void map_params(struct cw_stmt_slot *slot)
{
	int n = sqlite3_bind_parameter_count(slot->st), maxk = 0;
	slot->pidx = NULL;
	for (int i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(slot->st, i);
		int k = name && name[0] == '$' ? atoi(name + 1) : 0;
		if (k < 1) {
			slot->maxk = -1;
			return;
		}
		if (k > maxk)
			maxk = k;
	}
	slot->maxk = maxk;
	if (!maxk)
		return;
	slot->pidx = cw_xcalloc((size_t)maxk, sizeof *slot->pidx);
	for (int i = 1; i <= n; i++)
		slot->pidx[atoi(sqlite3_bind_parameter_name(slot->st, i) + 1) - 1] = i;
}

static struct cw_stmt_slot *stmt_get(struct cw_db_conn *c, const char *sql, int *rc)
{
	uint64_t h = fnv1a(sql);
	struct cw_stmt_slot *victim = NULL;
	for (int i = 0; i < CW_SQLITE_CACHE; i++) {
		struct cw_stmt_slot *s = &c->cache[i];
		if (!s->sql) {
			if (!victim || victim->sql)
				victim = s;
			continue;
		}
		if (s->hash == h && strcmp(s->sql, sql) == 0) {
			s->used = ++c->tick;
			return s;
		}
		if (!victim || (victim->sql && s->used < victim->used))
			victim = s;
	}
	sqlite3_stmt *st = NULL;
	*rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (*rc != SQLITE_OK)
		return NULL;
	if (!st) { /* only white space or a comment */
		*rc = SQLITE_MISUSE;
		return NULL;
	}
	if (victim->sql) {
		sqlite3_finalize(victim->st);
		free(victim->sql);
		free(victim->pidx);
	}
	victim->hash = h;
	victim->sql = cw_xstrdup(sql);
	victim->st = st;
	victim->used = ++c->tick;
	map_params(victim);
	return victim;
}

/* One row's cells as text into cells[0 … ncols-1] (NULL for SQL NULL), all of them in
 * one arena block. Each cell is read as its own type: integers are formatted here
 * rather than converted by sqlite3_column_text (which stringifies through its printf
 * and then caches the text in the row), and text is read without conversion. Reals
 * and blobs keep SQLite's own text, so every cell reads exactly as before. */
#define CW_ROW_FAST_COLS 64
static void read_row(sqlite3_stmt *st, struct cw_arena *a, int ncols, char **cells)
{
	if (ncols > CW_ROW_FAST_COLS) {
		for (int j = 0; j < ncols; j++) {
			if (sqlite3_column_type(st, j) == SQLITE_NULL) {
				cells[j] = NULL;
				continue;
			}
			const char *t = (const char *)sqlite3_column_text(st, j);
			int len = sqlite3_column_bytes(st, j);
			cells[j] = cw_arena_strndup(a, t ? t : "", t ? (size_t)len : 0);
		}
		return;
	}
	char ints[CW_ROW_FAST_COLS][24];
	const char *src[CW_ROW_FAST_COLS];
	size_t len[CW_ROW_FAST_COLS];
	size_t total = 0;
	for (int j = 0; j < ncols; j++) {
		switch (sqlite3_column_type(st, j)) {
		case SQLITE_NULL:
			src[j] = NULL;
			len[j] = 0;
			continue;
		case SQLITE_INTEGER:
			len[j] = cw_int_text(sqlite3_column_int64(st, j), ints[j]);
			src[j] = ints[j];
			break;
		default: {
			const char *t = (const char *)sqlite3_column_text(st, j);
			len[j] = t ? (size_t)sqlite3_column_bytes(st, j) : 0;
			src[j] = t ? t : "";
			break;
		}
		}
		total += len[j] + 1;
	}
	char *p = total ? cw_arena_alloc(a, total) : NULL;
	for (int j = 0; j < ncols; j++) {
		if (!src[j]) {
			cells[j] = NULL;
			continue;
		}
		memcpy(p, src[j], len[j]);
		p[len[j]] = 0;
		cells[j] = p;
		p += len[j] + 1;
	}
}

static int sq_query(struct cw_db_conn *c, struct cw_arena *a, const char *sql,
		    const struct cw_db_param *params, int nparams, struct cw_db_result *out)
{
	int rc = SQLITE_OK;
	struct cw_stmt_slot *slot = stmt_get(c, sql, &rc);
	if (!slot)
		return fail(c, rc, sql);
	sqlite3_stmt *st = slot->st;
	/* Every parameter of the statement must be "$k" with k <= nparams: PostgreSQL
	 * refuses a missing parameter, so SQLite must not quietly bind it to NULL. */
	if (slot->maxk < 0 || slot->maxk > nparams) {
		cw_error("sqlite: statement parameters do not match the %d given (in: %.160s)",
			 nparams, sql);
		return CW_DB_ERROR;
	}
	for (int i = 0; i < slot->maxk && rc == SQLITE_OK; i++) {
		int idx = slot->pidx[i];
		if (idx == 0)
			continue; /* this statement does not use $i */
		switch (params[i].type) {
		case CW_DB_P_INT:
			rc = sqlite3_bind_int64(st, idx, params[i].i);
			break;
		case CW_DB_P_TEXT:
			/* Static: the bindings are cleared before this function returns. */
			rc = sqlite3_bind_text(st, idx, params[i].s, -1, SQLITE_STATIC);
			break;
		case CW_DB_P_REAL:
			rc = sqlite3_bind_double(st, idx, params[i].d);
			break;
		default:
			rc = sqlite3_bind_null(st, idx);
			break;
		}
	}

	int ncols = sqlite3_column_count(st), nrows = 0;
	size_t cap = 0;
	char **cells = NULL;
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (!out)
				continue;
			if ((size_t)(nrows + 1) * (size_t)ncols > cap) {
				cap = cap ? cap * 2 : (size_t)ncols * 16;
				cells = cw_xrealloc(cells, cap * sizeof *cells);
			}
			read_row(st, a, ncols, &cells[(size_t)nrows * (size_t)ncols]);
			nrows++;
		}
	}

	int result;
	if (rc == SQLITE_DONE) {
		result = CW_DB_OK;
		if (out) {
			out->nrows = nrows;
			out->ncols = ncols;
			if (nrows) {
				size_t n = (size_t)nrows * (size_t)ncols * sizeof *cells;
				out->cells = cw_arena_alloc(a, n);
				memcpy(out->cells, cells, n);
			}
			out->changes = sqlite3_stmt_readonly(st) ? 0 : sqlite3_changes64(c->db);
		}
	} else {
		result = fail(c, rc, sql);
	}
	free(cells);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

static void sq_disconnect(struct cw_db_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < CW_SQLITE_CACHE; i++) {
		if (!c->cache[i].sql)
			continue;
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
		free(c->cache[i].pidx);
	}
	if (sqlite3_close(c->db) != SQLITE_OK)
		cw_error("sqlite: close: %s", sqlite3_errmsg(c->db));
	free(c);
}

static int sq_exec_script(struct cw_db_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return CW_DB_OK;
	int cw = map_rc(rc);
	cw_error("sqlite: %s (in a script)", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return cw == CW_DB_OK ? CW_DB_ERROR : cw;
}

static int sq_connect(const char *path, struct cw_db_conn **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	/* NOMUTEX: a pooled connection is used by one thread at a time. The VFS writes a
	 * commit's WAL frames at once; it relies on synchronous=FULL, set below. */
	int rc = sqlite3_open_v2(path, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 cw_sqlite_vfs());
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "sqlite: cannot open %s: %s", path,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return CW_DB_ERROR;
	}
	sqlite3_extended_result_codes(db, 1);
	/* busy_timeout first, so that switching a new database to WAL while another
	 * connection holds a lock waits instead of failing. synchronous=FULL makes a
	 * commit durable across power loss (NORMAL in WAL may lose the last commits);
	 * acknowledged means committed (DESIGN.md). */
	char *msg = NULL;
	rc = sqlite3_exec(db,
			  "PRAGMA busy_timeout = 5000;"
			  "PRAGMA journal_mode = WAL;"
			  "PRAGMA foreign_keys = ON;"
			  "PRAGMA synchronous = FULL;",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "sqlite: cannot set up %s: %s", path,
			 msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(db);
		return CW_DB_ERROR;
	}
	struct cw_db_conn *c = cw_xcalloc(1, sizeof *c);
	c->db = db;
	*out = c;
	return CW_DB_OK;
}

static int sq_begin(struct cw_db_conn *c, bool write)
{
	/* IMMEDIATE takes the write lock now (waiting up to busy_timeout), so a
	 * writer never fails later on upgrading a read lock. */
	return sq_query(c, NULL, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", NULL, 0, NULL);
}

static int sq_commit(struct cw_db_conn *c)
{
	return sq_query(c, NULL, "COMMIT", NULL, 0, NULL);
}

static int sq_rollback(struct cw_db_conn *c)
{
	/* Some errors (SQLITE_FULL, SQLITE_IOERR, …) already rolled back. */
	if (sqlite3_get_autocommit(c->db))
		return CW_DB_OK;
	return sq_query(c, NULL, "ROLLBACK", NULL, 0, NULL);
}

static bool sq_in_tx(struct cw_db_conn *c)
{
	return !sqlite3_get_autocommit(c->db);
}

const struct cw_db_driver cw_db_driver_sqlite = {
    .name = "sqlite",
    .dialect = CW_DIALECT_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .query = sq_query,
    .exec_script = sq_exec_script,
    .in_tx = sq_in_tx,
};
