/* db_pg.c - the PostgreSQL driver on libpq: text parameters, SQLSTATE mapping, and
 * a reconnect before the next transaction when the server went away; see db.h. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/arena.h"
#include "util/log.h"

/* Type OIDs from the server's catalog (pg_type.h is not in libpq-dev). */
#define CW_PG_INT8OID 20
#define CW_PG_TEXTOID 25
#define CW_PG_FLOAT8OID 701

struct cw_db_conn {
	PGconn *pg;
};

static void quiet(void *arg, const char *message)
{
	/* Notices ("relation already exists, skipping") are not errors; errors come
	 * back in results. */
	(void)arg;
	(void)message;
}

static void copy_msg(char *out, size_t n, const char *msg)
{
	snprintf(out, n, "%s", msg ? msg : "unknown error");
	size_t len = strlen(out);
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = 0;
}

/* Session settings; run again after a reconnect, which starts a new session. */
static int session_setup(struct cw_db_conn *c)
{
	PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TimeZone = 'UTC'");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok ? CW_DB_OK : CW_DB_ERROR;
}

/* SQLSTATE classes: serialisation failure, deadlock and lock-not-available are
 * worth a retry; class 23 is an integrity constraint. Only the primary message is
 * logged: the detail line may quote the values of a violated key. */
static int fail(struct cw_db_conn *c, PGresult *r, const char *sql)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char buf[256];
	copy_msg(buf, sizeof buf, msg ? msg : PQerrorMessage(c->pg));
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		      strcmp(state, "55P03") == 0)) {
		cw_debug("postgres: %s [%s] (in: %.160s)", buf, state, sql);
		return CW_DB_BUSY;
	}
	if (state && strncmp(state, "23", 2) == 0) {
		cw_debug("postgres: %s [%s] (in: %.160s)", buf, state, sql);
		return CW_DB_CONSTRAINT;
	}
	cw_error("postgres: %s [%s] (in: %.160s)", buf, state ? state : "-", sql);
	return CW_DB_ERROR;
}

static int pg_connect(const char *url, struct cw_db_conn **out, char *err, size_t errlen)
{
	/* The URL is expanded last, so its own options override these defaults. */
	const char *const keys[] = {"application_name", "connect_timeout", "dbname", NULL};
	const char *const vals[] = {"civicgrid", "10", url, NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg) {
		copy_msg(err, errlen, "postgres: out of memory");
		return CW_DB_ERROR;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		char msg[400];
		copy_msg(msg, sizeof msg, PQerrorMessage(pg));
		snprintf(err, errlen, "postgres: %s", msg);
		PQfinish(pg);
		return CW_DB_ERROR;
	}
	PQsetNoticeProcessor(pg, quiet, NULL);
	struct cw_db_conn *c = cw_xcalloc(1, sizeof *c);
	c->pg = pg;
	if (session_setup(c) != CW_DB_OK) {
		copy_msg(err, errlen, "postgres: cannot set up the session");
		PQfinish(pg);
		free(c);
		return CW_DB_ERROR;
	}
	*out = c;
	return CW_DB_OK;
}

static void pg_disconnect(struct cw_db_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

static int pg_query(struct cw_db_conn *c, struct cw_arena *a, const char *sql,
		    const struct cw_db_param *params, int nparams, struct cw_db_result *out)
{
	const char **vals = NULL;
	Oid *types = NULL;
	char (*nums)[32] = NULL;
	if (nparams > 0) {
		vals = cw_xcalloc((size_t)nparams, sizeof *vals);
		types = cw_xcalloc((size_t)nparams, sizeof *types);
		nums = cw_xcalloc((size_t)nparams, sizeof *nums);
	}
	/* Typed parameters let the server resolve "$1 || '/'" and friends; a NULL
	 * stays untyped so it takes the type of the column it goes into. */
	for (int i = 0; i < nparams; i++) {
		switch (params[i].type) {
		case CW_DB_P_INT:
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)params[i].i);
			vals[i] = nums[i];
			types[i] = CW_PG_INT8OID;
			break;
		case CW_DB_P_TEXT:
			vals[i] = params[i].s;
			types[i] = CW_PG_TEXTOID;
			break;
		case CW_DB_P_REAL:
			snprintf(nums[i], sizeof nums[i], "%.17g", params[i].d);
			vals[i] = nums[i];
			types[i] = CW_PG_FLOAT8OID;
			break;
		default:
			vals[i] = NULL;
			types[i] = 0;
			break;
		}
	}
	PGresult *r = PQexecParams(c->pg, sql, nparams, types, vals, NULL, NULL, 0);
	free(vals);
	free(types);
	free(nums);

	int rc = CW_DB_OK;
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = fail(c, r, sql);
	} else if (out) {
		int nrows = PQntuples(r), ncols = PQnfields(r);
		out->nrows = nrows;
		out->ncols = ncols;
		if (nrows && ncols) {
			out->cells = cw_arena_alloc(a, (size_t)nrows * (size_t)ncols *
							   sizeof *out->cells);
			for (int i = 0; i < nrows; i++)
				for (int j = 0; j < ncols; j++)
					out->cells[(size_t)i * (size_t)ncols + (size_t)j] =
					    PQgetisnull(r, i, j)
						? NULL
						: cw_arena_strndup(a, PQgetvalue(r, i, j),
								   (size_t)PQgetlength(r, i, j));
		}
		out->changes = strtoll(PQcmdTuples(r), NULL, 10);
	}
	PQclear(r);
	return rc;
}

static int pg_exec_script(struct cw_db_conn *c, const char *sql)
{
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? CW_DB_OK
								  : fail(c, r, "a script");
	PQclear(r);
	return rc;
}

static int reconnect(struct cw_db_conn *c)
{
	cw_warn("postgres: connection lost; reconnecting");
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		char msg[400];
		copy_msg(msg, sizeof msg, PQerrorMessage(c->pg));
		cw_error("postgres: reconnect failed: %s", msg);
		return CW_DB_ERROR;
	}
	return session_setup(c);
}

static int pg_begin(struct cw_db_conn *c, bool write)
{
	(void)write; /* writers take row locks (SELECT … FOR UPDATE) where they need them */
	if (PQstatus(c->pg) != CONNECTION_OK && reconnect(c) != CW_DB_OK)
		return CW_DB_ERROR;
	PGresult *r = PQexec(c->pg, "BEGIN ISOLATION LEVEL READ COMMITTED");
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		return CW_DB_OK;
	}
	/* A server restart shows only when the idle connection is next used. Nothing
	 * has run in this transaction yet, so starting it again is safe. */
	if (PQstatus(c->pg) != CONNECTION_OK) {
		PQclear(r);
		if (reconnect(c) != CW_DB_OK)
			return CW_DB_ERROR;
		r = PQexec(c->pg, "BEGIN ISOLATION LEVEL READ COMMITTED");
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			return CW_DB_OK;
		}
	}
	int rc = fail(c, r, "BEGIN");
	PQclear(r);
	return rc;
}

static int pg_commit(struct cw_db_conn *c)
{
	PGresult *r = PQexec(c->pg, "COMMIT");
	int rc;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = fail(c, r, "COMMIT");
	else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
		/* COMMIT of a transaction with a failed statement rolls back "successfully":
		 * the caller ignored an error, and nothing was saved. */
		rc = CW_DB_ERROR;
	else
		rc = CW_DB_OK;
	PQclear(r);
	if (rc == CW_DB_ERROR)
		cw_error("postgres: commit did not save the transaction");
	return rc;
}

static int pg_rollback(struct cw_db_conn *c)
{
	if (PQstatus(c->pg) != CONNECTION_OK)
		return CW_DB_OK; /* the server dropped the transaction with the connection */
	PGresult *r = PQexec(c->pg, "ROLLBACK");
	PQclear(r);
	return CW_DB_OK;
}

const struct cw_db_driver cw_db_driver_pg = {
    .name = "postgres",
    .dialect = CW_DIALECT_PG,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .query = pg_query,
    .exec_script = pg_exec_script,
};
