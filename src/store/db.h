/* db.h - the storage driver interface and the transaction runner.
 *
 * A driver is a struct of function pointers (struct cw_db_driver) with two real
 * implementations, SQLite (db_sqlite.c) and PostgreSQL (db_pg.c). Everything above
 * the drivers - migrations and the domain queries of store.h - is written once, in
 * SQL both dialects accept: placeholders are $1, $2, … (SQLite binds them by name),
 * times are int64 Unix seconds, booleans are integers 0/1, hashes are hex text.
 * Where the dialects truly differ, the caller asks cw_tx_dialect().
 *
 * Only src/store/ includes this header. */
#ifndef CW_STORE_DB_H
#define CW_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct cw_arena;

enum cw_dialect { CW_DIALECT_SQLITE, CW_DIALECT_PG };


enum cw_db_ptype { CW_DB_P_NULL, CW_DB_P_INT, CW_DB_P_TEXT, CW_DB_P_REAL };

struct cw_db_param {
	enum cw_db_ptype type;
	int64_t i;
	const char *s;
	double d;
};

#define CW_P_INT(v) ((struct cw_db_param){.type = CW_DB_P_INT, .i = (int64_t)(v)})
#define CW_P_TEXT(v) ((struct cw_db_param){.type = (v) ? CW_DB_P_TEXT : CW_DB_P_NULL, .s = (v)})
#define CW_P_REAL(v) ((struct cw_db_param){.type = CW_DB_P_REAL, .d = (double)(v)})
#define CW_P_NULL ((struct cw_db_param){.type = CW_DB_P_NULL})

/* A fully read result: nrows x ncols text cells in row-major order, NULL for SQL
 * NULL; allocated in the arena given to cw_db_run_tx(). `changes` is the number of
 * rows an INSERT/UPDATE/DELETE touched. */
struct cw_db_result {
	int nrows, ncols;
	char **cells;
	int64_t changes;
};

static inline const char *cw_db_cell(const struct cw_db_result *r, int row, int col)
{
	return r->cells[row * r->ncols + col];
}
int64_t cw_db_cell_int(const struct cw_db_result *r, int row, int col); /* NULL -> 0 */

struct cw_db_conn;

struct cw_db_driver {
	const char *name;
	enum cw_dialect dialect;
	/* `url` is the part after "sqlite:" or the whole "postgres://…" URL. */
	int (*connect)(const char *url, struct cw_db_conn **out, char *err, size_t errlen);
	void (*disconnect)(struct cw_db_conn *c);
	/* A write transaction takes the write lock at once (SQLite BEGIN IMMEDIATE). */
	int (*begin)(struct cw_db_conn *c, bool write);
	int (*commit)(struct cw_db_conn *c);
	int (*rollback)(struct cw_db_conn *c);
	/* Runs one statement; rows (if any) go to *out when out is not NULL. */
	int (*query)(struct cw_db_conn *c, struct cw_arena *a, const char *sql,
		     const struct cw_db_param *params, int nparams, struct cw_db_result *out);
	/* Runs a script of several statements without parameters (migrations). */
	int (*exec_script)(struct cw_db_conn *c, const char *sql);
	/* Whether a transaction is open: false after an error that rolled it back by
	 * itself. NULL for a driver without group commit. */
	bool (*in_tx)(struct cw_db_conn *c);
};

extern const struct cw_db_driver cw_db_driver_sqlite;
extern const struct cw_db_driver cw_db_driver_pg;

struct cw_db; /* a driver with a pool of connections; thread-safe */
struct cw_tx; /* one open transaction on one pooled connection */

/* "sqlite:PATH", a bare PATH, or "postgres://…"/"postgresql://…". Opens `pool_size`
 * connections lazily and applies pending migrations before returning. NULL on
 * failure with a reason in err (never the password of the URL). */
struct cw_db *cw_db_open(const char *url, int pool_size, char *err, size_t errlen);
void cw_db_close(struct cw_db *db);
enum cw_dialect cw_db_dialect(const struct cw_db *db);
int cw_db_schema_version(struct cw_db *db);

typedef int (*cw_tx_fn)(struct cw_tx *tx, void *ctx);

/* Runs fn inside a transaction on a pooled connection and commits when fn returns
 * CW_DB_OK; rolls back otherwise and returns fn's code. On CW_DB_BUSY (from fn or
 * from the commit) it rolls back and runs fn again, up to 10 times with growing
 * random back-off, so fn must have no effects outside the transaction other than
 * writing into its ctx. Result memory comes from `a`.
 *
 * Group commit (SQLite files): write transactions do not take a pooled connection.
 * Callers queue their fn; the first caller that finds no batch running becomes the
 * writer, takes every queued fn, runs each in a SAVEPOINT of one transaction on the
 * one write connection (a fn that fails is rolled back to its savepoint and gets its
 * code), commits once, and wakes each caller with its result. So a write is still
 * acknowledged only after its commit, but concurrent writers share one fsync. fn may
 * run on another caller's thread (never two at once), may see the uncommitted changes
 * of fns queued before it, and may be run again if the batch's commit is retried.
 * Read transactions keep their pooled connections and are never blocked by writes
 * (WAL). fn must not start another transaction. */
int cw_db_run_tx(struct cw_db *db, struct cw_arena *a, bool write, cw_tx_fn fn, void *ctx);

int cw_tx_query(struct cw_tx *tx, const char *sql, const struct cw_db_param *params,
		int nparams, struct cw_db_result *out);
/* Same with a param array literal: CW_TXQ(tx, sql, &res, CW_P_INT(1), CW_P_TEXT(s)). */
#define CW_TXQ(tx, sql, out, ...)                                                             \
	cw_tx_query((tx), (sql), (const struct cw_db_param[]){__VA_ARGS__},                     \
		    (int)(sizeof((const struct cw_db_param[]){__VA_ARGS__}) /                      \
			  sizeof(struct cw_db_param)),                                            \
		    (out))
struct cw_arena *cw_tx_arena(struct cw_tx *tx);
enum cw_dialect cw_tx_dialect(const struct cw_tx *tx);

/* Runs fn(tx, ctx) later in this same transaction: after the caller's fn has returned
 * CW_DB_OK and, under group commit, after the fns of every other caller of the batch,
 * just before the commit, in the order they were asked for. Dropped if the caller's fn
 * fails. If it fails, the caller's transaction fails with its code (under group commit
 * the others run again without it). For writes that cost per statement boundary: FTS5
 * writes out its pending terms at every SAVEPOINT and RELEASE. ctx must live in the
 * transaction's arena (or longer). CW_DB_ERROR when out of memory. */
int cw_tx_later(struct cw_tx *tx, cw_tx_fn fn, void *ctx);
/* Runs now, in order, what cw_tx_later queued on tx so far: for a read that must see
 * the transaction's own deferred writes (a text search after indexing). */
int cw_tx_flush_later(struct cw_tx *tx);

#endif
