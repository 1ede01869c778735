/* db.c - opening a store: URL parsing, the connection pool, the transaction runner
 * with busy retries, and the migration runner; see db.h. */
#include "store/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/migrations.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/gate.h"
#include "util/log.h"

#define CW_DB_RETRIES 10      /* runs of fn after the first one, on CW_DB_BUSY */
#define CW_DB_BACKOFF_MAX 250 /* milliseconds: cap of one back-off sleep */
/* Key of the PostgreSQL advisory lock that serialises migrations ("cwmg"). */
#define CW_DB_MIGRATION_LOCK 0x63776d67

struct cw_db_slot {
	struct cw_db_conn *conn; /* NULL until first used */
	bool in_use;
};

/* A function cw_tx_later asked to run before the commit. */
struct cw_db_later {
	cw_tx_fn fn;
	void *ctx;
	struct cw_db_later *next;
};

/* One caller's write transaction waiting for, or in, a group commit (see db.h). */
struct cw_db_job {
	cw_tx_fn fn;
	void *ctx;
	struct cw_db_later *later; /* what fn left for the end of the batch */
	struct cw_arena *arena;
	char *err; /* the caller's message buffer, or NULL */
	size_t errlen;
	int rc;
	bool done;   /* rc is final: the batch committed or failed */
	bool leader; /* this caller runs the next batch */
	pthread_cond_t cv;
	struct cw_db_job *next;
};

struct cw_db {
	const struct cw_db_driver *drv;
	char *target;     /* what the driver connects to; may hold a password */
	char *secrets[2]; /* password forms to scrub from messages, or NULL */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled when a slot is returned */
	int nslots;
	struct cw_db_slot *slots;
	/* Group commit: the queue of write jobs and the one write connection. */
	bool group;
	pthread_mutex_t wmu;
	struct cw_db_job *qhead, *qtail;
	bool writing;		/* a leader is running a batch */
	struct cw_db_conn *wconn; /* used only by the leader; NULL until first used */
	uint64_t batches, jobs;	/* commits and the write transactions they carried */
	/* The checkpointer: copies the WAL into the database on a connection and a
	 * thread of its own, so that the writer never stops for it. */
	pthread_t ckpt_thread;
	struct cw_db_conn *ckpt_conn;
	bool ckpt_started, ckpt_stop;
	uint64_t ckpt_done; /* db->batches when the last checkpoint began */
	pthread_cond_t ckpt_cv;
};

struct cw_tx {
	struct cw_db *db;
	struct cw_db_conn *conn;
	struct cw_arena *arena;
	struct cw_db_later *later, **later_tail; /* cw_tx_later's list, in order */
};

/* Runs the functions cw_tx_later queued on tx, in order (they may queue more). */
static int run_later(struct cw_tx *tx)
{
	for (struct cw_db_later *l = tx->later; l; l = l->next) {
		int rc = l->fn(tx, l->ctx);
		if (rc != CW_DB_OK)
			return rc;
	}
	return CW_DB_OK;
}

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, arg);
}

/* Replaces every occurrence of the URL's password in `s` with "***". Drivers do
 * not print passwords, but a message is cheap to check and a leak is not. */
static void scrub(const struct cw_db *db, char *s, size_t cap)
{
	for (int i = 0; i < 2; i++) {
		const char *sec = db->secrets[i];
		if (!sec || !*sec)
			continue;
		size_t n = strlen(sec);
		char *from = s, *p;
		while ((p = strstr(from, sec))) {
			size_t off = (size_t)(p - s), tail = strlen(p + n);
			if (off + 3 >= cap) {
				*p = 0;
				break;
			}
			if (off + 3 + tail >= cap)
				tail = cap - off - 4;
			memmove(p + 3, p + n, tail);
			p[3 + tail] = 0;
			memcpy(p, "***", 3);
			from = p + 3; /* past the mask, which may itself contain the secret */
		}
	}
}

static char *dup_range(const char *s, size_t n)
{
	char *p = cw_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* The password of "postgres://user:PASSWORD@host/db" and of "…?password=PASSWORD". */
static void find_secrets(struct cw_db *db, const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return;
	p += 3;
	size_t lim = strcspn(p, "?");
	const char *at = NULL;
	for (size_t i = 0; i < lim; i++)
		if (p[i] == '@')
			at = p + i;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon && at > colon + 1)
			db->secrets[0] = dup_range(colon + 1, (size_t)(at - colon - 1));
	}
	const char *q = strstr(p, "password=");
	if (q) {
		q += strlen("password=");
		size_t n = strcspn(q, "&");
		if (n)
			db->secrets[1] = dup_range(q, n);
	}
}

enum cw_dialect cw_db_dialect(const struct cw_db *db)
{
	return db->drv->dialect;
}

static bool pool_has_free(const struct cw_db *db)
{
	for (int i = 0; i < db->nslots; i++)
		if (!db->slots[i].in_use)
			return true;
	return false;
}

/* Takes a free slot, preferring one that is already connected, and connects it
 * when it is not. Blocks while every slot is in use. */
static int pool_get(struct cw_db *db, int *slot, char *err, size_t errlen)
{
	int pick = -1;
	pthread_mutex_lock(&db->mu);
	for (;;) {
		for (int i = 0; i < db->nslots; i++) {
			if (db->slots[i].in_use)
				continue;
			if (db->slots[i].conn) {
				pick = i;
				break;
			}
			if (pick < 0)
				pick = i;
		}
		if (pick >= 0)
			break;
		/* Out of the gate while waiting (util/gate.h); the lock is not held
		 * across cw_gate_enter. */
		pthread_mutex_unlock(&db->mu);
		bool gate = cw_gate_pause();
		pthread_mutex_lock(&db->mu);
		while (!pool_has_free(db))
			pthread_cond_wait(&db->cv, &db->mu);
		pthread_mutex_unlock(&db->mu);
		cw_gate_resume(gate);
		pthread_mutex_lock(&db->mu);
	}
	db->slots[pick].in_use = true;
	pthread_mutex_unlock(&db->mu);

	/* Connecting happens outside the lock: the slot is ours alone now. */
	if (!db->slots[pick].conn) {
		char msg[512] = "";
		struct cw_db_conn *c = NULL;
		if (db->drv->connect(db->target, &c, msg, sizeof msg) != CW_DB_OK) {
			scrub(db, msg, sizeof msg);
			set_err(err, errlen, "%s", msg);
			pthread_mutex_lock(&db->mu);
			db->slots[pick].in_use = false;
			pthread_cond_signal(&db->cv);
			pthread_mutex_unlock(&db->mu);
			return CW_DB_ERROR;
		}
		db->slots[pick].conn = c;
	}
	*slot = pick;
	return CW_DB_OK;
}

static void pool_put(struct cw_db *db, int slot)
{
	pthread_mutex_lock(&db->mu);
	db->slots[slot].in_use = false;
	pthread_cond_signal(&db->cv);
	pthread_mutex_unlock(&db->mu);
}

/* Sleeps a random time below a bound that doubles with each attempt, so writers
 * that collided do not collide again in lock-step. */
static void backoff(int attempt)
{
	static _Thread_local unsigned seed;
	if (!seed)
		seed = (unsigned)cw_now_ms() ^ (unsigned)(uintptr_t)&seed;
	long bound = 2L << (attempt < 8 ? attempt : 8);
	if (bound > CW_DB_BACKOFF_MAX)
		bound = CW_DB_BACKOFF_MAX;
	long ms = 1 + rand_r(&seed) % bound;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	bool gate = cw_gate_pause();
	nanosleep(&ts, NULL);
	cw_gate_resume(gate);
}

/* ---- group commit (see db.h) ---- */

#define CW_DB_BATCH_MAX 512 /* write transactions in one commit, at most */

static int savepoint(struct cw_db *db, const char *sql)
{
	return db->drv->query(db->wconn, NULL, sql, NULL, 0, NULL);
}

/* Runs one job in its own savepoint. Returns false when the whole transaction was
 * lost (an error that made SQLite roll it back), true otherwise; job->rc is set. */
static bool run_job(struct cw_db *db, struct cw_db_job *job)
{
	struct cw_tx tx = {.db = db, .conn = db->wconn, .arena = job->arena};
	tx.later_tail = &tx.later;
	int rc = savepoint(db, "SAVEPOINT cw_job");
	if (rc == CW_DB_OK) {
		rc = job->fn(&tx, job->ctx);
		if (rc == CW_DB_OK && db->drv->in_tx(db->wconn))
			rc = savepoint(db, "RELEASE cw_job");
	}
	job->rc = rc;
	job->later = rc == CW_DB_OK ? tx.later : NULL;
	if (!db->drv->in_tx(db->wconn))
		return false;
	if (rc != CW_DB_OK && (savepoint(db, "ROLLBACK TO cw_job") != CW_DB_OK ||
			       savepoint(db, "RELEASE cw_job") != CW_DB_OK))
		return false;
	return true;
}

/* The checkpointer (see struct cw_db): after commits, at most every 50 ms, a PASSIVE
 * checkpoint, which copies what no reader still needs and never waits for the writer
 * or the readers. A WAL that is fully copied starts again from its beginning at the
 * writer's next transaction, so the file stays small while commits keep coming. */
#define CW_DB_CKPT_PAUSE_MS 50

static void *checkpointer_main(void *p)
{
	struct cw_db *db = p;
	struct cw_db_conn *c = db->ckpt_conn;
	pthread_mutex_lock(&db->wmu);
	while (!db->ckpt_stop) {
		if (db->ckpt_done == db->batches) {
			pthread_cond_wait(&db->ckpt_cv, &db->wmu);
			continue;
		}
		db->ckpt_done = db->batches;
		pthread_mutex_unlock(&db->wmu);
		db->drv->exec_script(c, "PRAGMA wal_checkpoint(PASSIVE)");
		struct timespec ts = {.tv_nsec = CW_DB_CKPT_PAUSE_MS * 1000000L};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&db->wmu);
	}
	pthread_mutex_unlock(&db->wmu);
	/* The last commits, before the database closes. */
	db->drv->exec_script(c, "PRAGMA wal_checkpoint(PASSIVE)");
	return NULL;
}

static void start_checkpointer(struct cw_db *db)
{
	char msg[512] = "";
	if (db->drv->connect(db->target, &db->ckpt_conn, msg, sizeof msg) != CW_DB_OK) {
		scrub(db, msg, sizeof msg);
		cw_warn("store: no checkpointer (%s): the writer checkpoints", msg);
		db->ckpt_conn = NULL;
		return;
	}
	pthread_mutex_lock(&db->wmu);
	db->ckpt_started = pthread_create(&db->ckpt_thread, NULL, checkpointer_main, db) == 0;
	pthread_mutex_unlock(&db->wmu);
	if (!db->ckpt_started) {
		db->drv->disconnect(db->ckpt_conn);
		db->ckpt_conn = NULL;
	}
}

/* The leader's work: batch[0..n) in one transaction, one commit. A job that fails
 * is rolled back to its savepoint and keeps its code; a busy database (another
 * process writing) or a lost transaction runs the batch again, like run_tx. */
static void run_batch(struct cw_db *db, struct cw_db_job **jobs, int n)
{
	if (!db->wconn) {
		char msg[512] = "";
		if (db->drv->connect(db->target, &db->wconn, msg, sizeof msg) != CW_DB_OK) {
			scrub(db, msg, sizeof msg);
			cw_error("store: cannot connect: %s", msg);
			db->wconn = NULL;
			for (int i = 0; i < n; i++) {
				jobs[i]->rc = CW_DB_ERROR;
				if (jobs[i]->err)
					set_err(jobs[i]->err, jobs[i]->errlen, "%s", msg);
			}
			return;
		}
		/* A batch dirties the pages of every index of the tables it writes; with
		 * SQLite's default 2 MB cache they spilled to the WAL in mid-transaction
		 * (0.70 ms of CPU a created case against 0.50 ms with 32 MB). */
		db->drv->exec_script(db->wconn, "PRAGMA cache_size = -32768");
		/* The checkpointer thread copies the WAL back instead of the commit that
		 * crosses 1,000 pages (7.6% of the writer's time creating cases). If it
		 * cannot start, the writer checkpoints as SQLite does by default. */
		start_checkpointer(db);
		/* A backstop: a writer that never pauses gives the checkpointer no moment
		 * when the whole WAL is copied and the next transaction can start it
		 * again from the beginning, so the WAL would grow without bound. The
		 * writer's own checkpoint at 10,000 pages (40 MB) finds most of it copied
		 * already, and restarts it. */
		if (db->ckpt_started)
			db->drv->exec_script(db->wconn, "PRAGMA wal_autocheckpoint = 10000");
	}
	for (int attempt = 0;;) {
		int rc = db->drv->begin(db->wconn, true);
		bool began = rc == CW_DB_OK;
		if (began) {
			int lost = -1, ok = 0;
			for (int i = 0; i < n && lost < 0; i++)
				for (int again = 0;; again++) {
					if (!run_job(db, jobs[i])) {
						lost = i;
						break;
					}
					/* A busy statement is retried, like run_tx. */
					if (jobs[i]->rc != CW_DB_BUSY || again >= CW_DB_RETRIES)
						break;
					backoff(again);
				}
			/* What the jobs left for the end (cw_tx_later), outside any
			 * savepoint; one that fails fails its job like a lost transaction. */
			for (int i = 0; i < n && lost < 0; i++) {
				if (jobs[i]->rc != CW_DB_OK || !jobs[i]->later)
					continue;
				struct cw_tx tx = {.db = db, .conn = db->wconn, .arena = jobs[i]->arena,
						   .later = jobs[i]->later};
				struct cw_db_later *end = tx.later;
				while (end->next)
					end = end->next;
				tx.later_tail = &end->next;
				int lrc = run_later(&tx);
				if (lrc != CW_DB_OK) {
					jobs[i]->rc = lrc;
					lost = i;
				}
			}
			if (lost >= 0) {
				/* The job that lost the transaction keeps its code; the others
				 * run again without it. */
				db->drv->rollback(db->wconn);
				struct cw_db_job *bad = jobs[lost];
				if (bad->rc == CW_DB_OK)
					bad->rc = CW_DB_ERROR;
				memmove(jobs + lost, jobs + lost + 1,
					(size_t)(n - lost - 1) * sizeof *jobs);
				jobs[--n] = bad; /* past the end, still the caller's to wake */
				if (n == 0)
					return;
				continue;
			}
			for (int i = 0; i < n; i++)
				ok += jobs[i]->rc == CW_DB_OK;
			/* A batch of failures has nothing to make durable. */
			rc = ok ? db->drv->commit(db->wconn) : db->drv->rollback(db->wconn);
			if (rc == CW_DB_OK) {
				pthread_mutex_lock(&db->wmu);
				db->batches++;
				db->jobs += (uint64_t)n;
				pthread_cond_signal(&db->ckpt_cv);
				pthread_mutex_unlock(&db->wmu);
				return;
			}
			db->drv->rollback(db->wconn);
		}
		if (rc != CW_DB_BUSY || attempt >= CW_DB_RETRIES) {
			if (rc == CW_DB_BUSY)
				cw_warn("store: write batch still busy after %d attempts",
					CW_DB_RETRIES + 1);
			/* Nothing of the batch was committed; a job that failed by
			 * itself keeps its own code. */
			for (int i = 0; i < n; i++)
				if (!began || jobs[i]->rc == CW_DB_OK)
					jobs[i]->rc = rc;
			return;
		}
		backoff(attempt++);
	}
}

static int group_run_out(struct cw_db *db, struct cw_arena *a, cw_tx_fn fn, void *ctx,
			 char *err, size_t errlen)
{
	struct cw_db_job job = {.fn = fn, .ctx = ctx, .arena = a, .err = err, .errlen = errlen,
				.rc = CW_DB_ERROR};
	pthread_cond_init(&job.cv, NULL);
	pthread_mutex_lock(&db->wmu);
	if (db->qtail)
		db->qtail->next = &job;
	else
		db->qhead = &job;
	db->qtail = &job;
	if (!db->writing) {
		db->writing = true;
		job.leader = true;
	}
	while (!job.done && !job.leader)
		pthread_cond_wait(&job.cv, &db->wmu);
	if (!job.done) {
		/* The leader: the queue's head is this job, so the batch holds it. */
		struct cw_db_job *batch[CW_DB_BATCH_MAX];
		int n = 0;
		while (db->qhead && n < CW_DB_BATCH_MAX) {
			batch[n++] = db->qhead;
			db->qhead = db->qhead->next;
		}
		if (!db->qhead)
			db->qtail = NULL;
		pthread_mutex_unlock(&db->wmu);
		run_batch(db, batch, n);
		pthread_mutex_lock(&db->wmu);
		for (int i = 0; i < n; i++) {
			batch[i]->done = true;
			if (batch[i] != &job)
				pthread_cond_signal(&batch[i]->cv);
		}
		/* Hand over to the first caller that queued meanwhile. */
		if (db->qhead) {
			db->qhead->leader = true;
			pthread_cond_signal(&db->qhead->cv);
		} else {
			db->writing = false;
		}
	}
	pthread_mutex_unlock(&db->wmu);
	pthread_cond_destroy(&job.cv);
	return job.rc;
}

/* A write waits for its batch, or writes one as the leader, out of the gate
 * (util/gate.h): the places there are for the requests' reads, and a waiting writer
 * must not hold one. */
static int group_run(struct cw_db *db, struct cw_arena *a, cw_tx_fn fn, void *ctx, char *err,
		     size_t errlen)
{
	bool gate = cw_gate_pause();
	int rc = group_run_out(db, a, fn, ctx, err, errlen);
	cw_gate_resume(gate);
	return rc;
}

static int run_tx(struct cw_db *db, struct cw_arena *a, bool write, cw_tx_fn fn, void *ctx,
		  char *err, size_t errlen)
{
	if (write && db->group)
		return group_run(db, a, fn, ctx, err, errlen);
	int slot, rc;
	char msg[512];
	if (pool_get(db, &slot, msg, sizeof msg) != CW_DB_OK) {
		if (err)
			set_err(err, errlen, "%s", msg);
		else
			cw_error("store: cannot connect: %s", msg);
		return CW_DB_ERROR;
	}
	struct cw_tx tx = {.db = db, .conn = db->slots[slot].conn, .arena = a};
	for (int attempt = 0;; attempt++) {
		tx.later = NULL;
		tx.later_tail = &tx.later;
		rc = db->drv->begin(tx.conn, write);
		if (rc == CW_DB_OK) {
			rc = fn(&tx, ctx);
			if (rc == CW_DB_OK)
				rc = run_later(&tx);
			if (rc == CW_DB_OK)
				rc = db->drv->commit(tx.conn);
			if (rc != CW_DB_OK)
				db->drv->rollback(tx.conn);
		}
		if (rc != CW_DB_BUSY || attempt >= CW_DB_RETRIES)
			break;
		backoff(attempt);
	}
	if (rc == CW_DB_BUSY)
		cw_warn("store: transaction still busy after %d attempts", CW_DB_RETRIES + 1);
	pool_put(db, slot);
	return rc;
}

int cw_db_run_tx(struct cw_db *db, struct cw_arena *a, bool write, cw_tx_fn fn, void *ctx)
{
	return run_tx(db, a, write, fn, ctx, NULL, 0);
}

int cw_tx_query(struct cw_tx *tx, const char *sql, const struct cw_db_param *params,
		int nparams, struct cw_db_result *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	return tx->db->drv->query(tx->conn, tx->arena, sql, params, nparams, out);
}

struct cw_arena *cw_tx_arena(struct cw_tx *tx)
{
	return tx->arena;
}

int cw_tx_later(struct cw_tx *tx, cw_tx_fn fn, void *ctx)
{
	struct cw_db_later *l = cw_arena_alloc(tx->arena, sizeof *l);
	if (!l || !tx->later_tail)
		return CW_DB_ERROR;
	*l = (struct cw_db_later){.fn = fn, .ctx = ctx};
	*tx->later_tail = l;
	tx->later_tail = &l->next;
	return CW_DB_OK;
}

int cw_tx_flush_later(struct cw_tx *tx)
{
	struct cw_db_later *l = tx->later;
	if (!tx->later_tail)
		return CW_DB_OK;
	tx->later = NULL;
	tx->later_tail = &tx->later;
	for (; l; l = l->next) {
		int rc = l->fn(tx, l->ctx);
		if (rc != CW_DB_OK)
			return rc;
	}
	return CW_DB_OK;
}

enum cw_dialect cw_tx_dialect(const struct cw_tx *tx)
{
	return tx->db->drv->dialect;
}

int64_t cw_db_cell_int(const struct cw_db_result *r, int row, int col)
{
	const char *s = cw_db_cell(r, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

/* ---- migrations ---- */

struct migrate_ctx {
	const struct cw_migration *m; /* NULL: only read the current version */
	int version;                  /* out: highest applied version */
	bool applied;                 /* out: this run applied m */
};

/* One migration in one transaction: take the lock, create the bookkeeping table
 * if this is a new database, and apply m unless another process already did. */
static int migrate_fn(struct cw_tx *tx, void *p)
{
	struct migrate_ctx *mc = p;
	struct cw_db_result r;
	int rc;
	mc->applied = false;
	if (cw_tx_dialect(tx) == CW_DIALECT_PG) {
		/* Two instances starting together must not both run a migration. */
		rc = CW_TXQ(tx, "SELECT pg_advisory_xact_lock($1)", NULL,
			    CW_P_INT(CW_DB_MIGRATION_LOCK));
		if (rc != CW_DB_OK)
			return rc;
	}
	rc = tx->db->drv->exec_script(tx->conn,
				      "CREATE TABLE IF NOT EXISTS schema_migrations ("
				      "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
	if (rc != CW_DB_OK)
		return rc;
	rc = cw_tx_query(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0,
			 &r);
	if (rc != CW_DB_OK)
		return rc;
	mc->version = (int)cw_db_cell_int(&r, 0, 0);
	if (!mc->m)
		return CW_DB_OK;
	/* Applied or not by its own row, not by the highest number: migrations developed
	 * apart may land in any order, and a database that has 8 still gets 6 and 7. */
	rc = CW_TXQ(tx, "SELECT version FROM schema_migrations WHERE version = $1", &r,
		    CW_P_INT(mc->m->version));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows > 0)
		return CW_DB_OK;
	const char *sql = cw_tx_dialect(tx) == CW_DIALECT_PG ? mc->m->pg : mc->m->sqlite;
	rc = tx->db->drv->exec_script(tx->conn, sql);
	if (rc != CW_DB_OK)
		return rc;
	rc = CW_TXQ(tx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
		    NULL, CW_P_INT(mc->m->version), CW_P_INT(cw_now()));
	if (rc != CW_DB_OK)
		return rc;
	if (mc->m->version > mc->version)
		mc->version = mc->m->version;
	mc->applied = true;
	return CW_DB_OK;
}

static int migrate(struct cw_db *db, char *err, size_t errlen)
{
	struct cw_arena *a = cw_arena_new();
	struct migrate_ctx mc = {0};
	char msg[512] = "";
	int rc = run_tx(db, a, true, migrate_fn, &mc, msg, sizeof msg);
	if (rc != CW_DB_OK) {
		set_err(err, errlen, "%s", *msg ? msg : "cannot read the schema version");
		goto out;
	}
	int known = cw_migrations_count ? cw_migrations[cw_migrations_count - 1].version : 0;
	if (mc.version > known) {
		char v[64];
		snprintf(v, sizeof v, "%d > %d", mc.version, known);
		set_err(err, errlen,
			"the database schema is newer than this program knows (%s); upgrade civicgrid",
			v);
		rc = CW_DB_ERROR;
		goto out;
	}
	for (int i = 0; i < cw_migrations_count; i++) {
		mc.m = &cw_migrations[i];
		rc = run_tx(db, a, true, migrate_fn, &mc, msg, sizeof msg);
		if (rc != CW_DB_OK) {
			set_err(err, errlen, "migration %s failed (see the log)", mc.m->name);
			goto out;
		}
		if (mc.applied)
			cw_info("store: applied migration %d (%s)", mc.m->version, mc.m->name);
	}
out:
	cw_arena_free(a);
	return rc;
}

/* ---- open and close ---- */

struct cw_db *cw_db_open(const char *url, int pool_size, char *err, size_t errlen)
{
	const struct cw_db_driver *drv = &cw_db_driver_sqlite;
	const char *target = url;
	if (err && errlen)
		*err = 0;
	if (!url || !*url) {
		set_err(err, errlen, "%s", "no database URL given");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		target = url + 7;
		if (strncmp(target, "//", 2) == 0) /* "sqlite:///abs/path" */
			target += 2;
	} else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		drv = &cw_db_driver_pg;
	} else if (strstr(url, "://")) {
		set_err(err, errlen, "%s",
			"unsupported database URL (use sqlite:PATH, a file path or postgres://…)");
		return NULL;
	}
	if (!*target) {
		set_err(err, errlen, "%s", "empty database path");
		return NULL;
	}
	for (int i = 0; i < cw_migrations_count; i++)
		if (cw_migrations[i].version <= (i ? cw_migrations[i - 1].version : 0)) {
			set_err(err, errlen, "%s", "migrations are not numbered in increasing order");
			return NULL;
		}

	struct cw_db *db = cw_xcalloc(1, sizeof *db);
	db->drv = drv;
	db->target = cw_xstrdup(target);
	if (drv == &cw_db_driver_pg)
		find_secrets(db, url);
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	db->nslots = pool_size > 0 ? pool_size : 1;
	/* Every connection to ":memory:" is a database of its own: one is the pool. */
	if (drv == &cw_db_driver_sqlite &&
	    (strcmp(target, ":memory:") == 0 || strncmp(target, "file::memory:", 13) == 0))
		db->nslots = 1;
	db->slots = cw_xcalloc((size_t)db->nslots, sizeof *db->slots);
	/* A file database writes through the group committer; an in-memory one has only
	 * its one connection. */
	pthread_mutex_init(&db->wmu, NULL);
	pthread_cond_init(&db->ckpt_cv, NULL);
	db->group = drv->in_tx && db->nslots > 1;

	if (migrate(db, err, errlen) != CW_DB_OK) {
		if (err)
			scrub(db, err, errlen);
		cw_db_close(db);
		return NULL;
	}
	return db;
}

void cw_db_close(struct cw_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->nslots; i++)
		if (db->slots[i].conn)
			db->drv->disconnect(db->slots[i].conn);
	if (db->ckpt_started) {
		pthread_mutex_lock(&db->wmu);
		db->ckpt_stop = true;
		pthread_cond_signal(&db->ckpt_cv);
		pthread_mutex_unlock(&db->wmu);
		pthread_join(db->ckpt_thread, NULL);
		db->drv->disconnect(db->ckpt_conn);
	}
	if (db->wconn) {
		if (db->batches)
			cw_debug("store: %llu write transactions in %llu commits",
				 (unsigned long long)db->jobs, (unsigned long long)db->batches);
		db->drv->disconnect(db->wconn);
	}
	pthread_cond_destroy(&db->ckpt_cv);
	pthread_mutex_destroy(&db->wmu);
	free(db->slots);
	pthread_cond_destroy(&db->cv);
	pthread_mutex_destroy(&db->mu);
	free(db->target);
	free(db->secrets[0]);
	free(db->secrets[1]);
	free(db);
}

static int version_fn(struct cw_tx *tx, void *p)
{
	struct cw_db_result r;
	int rc = cw_tx_query(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0,
			     &r);
	if (rc == CW_DB_OK)
		*(int *)p = (int)cw_db_cell_int(&r, 0, 0);
	return rc;
}

int cw_db_schema_version(struct cw_db *db)
{
	struct cw_arena *a = cw_arena_new();
	int version = -1;
	int rc = run_tx(db, a, false, version_fn, &version, NULL, 0);
	cw_arena_free(a);
	return rc == CW_DB_OK ? version : -1;
}

/* ---- test support ---- */

static int reset_fn(struct cw_tx *tx, void *p)
{
	(void)p;
	if (cw_tx_dialect(tx) == CW_DIALECT_PG)
		return tx->db->drv->exec_script(tx->conn,
						"DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	/* Virtual tables (FTS5) first, with their shadow tables (an FTS5 table whose
	 * shadow tables are gone cannot be dropped); then newest table first, so a table
	 * goes before the tables it references. */
	struct cw_db_result r;
	int rc = cw_tx_query(tx,
			     "SELECT name FROM sqlite_schema WHERE type = 'table' "
			     "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
			     "ORDER BY sql LIKE 'CREATE VIRTUAL TABLE%' DESC, rowid DESC",
			     NULL, 0, &r);
	for (int i = 0; rc == CW_DB_OK && i < r.nrows; i++) {
		char sql[256];
		const char *name = cw_db_cell(&r, i, 0);
		if (strchr(name, '"') || strlen(name) > 200)
			return CW_DB_ERROR;
		snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS \"%s\"", name);
		rc = tx->db->drv->exec_script(tx->conn, sql);
	}
	return rc;
}

int cw_store_reset_for_tests(cw_store *s)
{
	struct cw_arena *a = cw_arena_new();
	int rc = run_tx(s, a, true, reset_fn, NULL, NULL, 0);
	cw_arena_free(a);
	if (rc != CW_DB_OK)
		return rc;
	return migrate(s, NULL, 0);
}

/* ---- one instance at a time (the scheduler) ---- */

/* PostgreSQL: a session-level advisory lock, taken with pg_try_advisory_lock on a
 * pooled connection that is set aside (in use) until fn returns, then released with
 * pg_advisory_unlock. fn runs its own transactions on the other connections of the pool,
 * so they commit batch by batch while the lock stays held; the pool needs two slots.
 * If this process dies or its connection drops, PostgreSQL ends the session and the
 * lock with it: a crashed instance never blocks the others. SQLite: there is one
 * database file and its write transactions are serialised (BEGIN IMMEDIATE), so fn just
 * runs; see docs/operations.md. */
int cw_store_exclusive(cw_store *db, int64_t key, int (*fn)(void *ctx), void *ctx, bool *got)
{
	*got = false;
	if (db->drv->dialect != CW_DIALECT_PG) {
		*got = true;
		return fn(ctx);
	}
	if (db->nslots < 2) {
		cw_error("store: an exclusive run needs a pool of two connections");
		return CW_DB_ERROR;
	}
	int slot;
	char msg[512];
	if (pool_get(db, &slot, msg, sizeof msg) != CW_DB_OK) {
		cw_error("store: cannot connect: %s", msg);
		return CW_DB_ERROR;
	}
	struct cw_arena *a = cw_arena_new();
	struct cw_db_result r;
	struct cw_db_conn *conn = db->slots[slot].conn;
	const struct cw_db_param p[] = {CW_P_INT(key)};
	memset(&r, 0, sizeof r);
	int rc = db->drv->query(conn, a, "SELECT pg_try_advisory_lock($1)", p, 1, &r);
	if (rc == CW_DB_OK && r.nrows == 1) {
		const char *v = cw_db_cell(&r, 0, 0);
		*got = v && (v[0] == 't' || v[0] == '1');
	}
	if (rc == CW_DB_OK && *got) {
		rc = fn(ctx);
		memset(&r, 0, sizeof r);
		if (db->drv->query(conn, a, "SELECT pg_advisory_unlock($1)", p, 1, &r) != CW_DB_OK) {
			/* Ending the session is the sure way to let the lock go. */
			db->drv->disconnect(conn);
			db->slots[slot].conn = NULL;
		}
	}
	cw_arena_free(a);
	pool_put(db, slot);
	return rc;
}
