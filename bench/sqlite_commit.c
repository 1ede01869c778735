/* sqlite_commit.c - the storage ceiling of bench/run: raw SQLite single-row commits with
 * the server's durability settings (WAL, synchronous=FULL, busy_timeout 5000, as
 * src/store/db_sqlite.c opens its connections), one short row per transaction
 * (BEGIN IMMEDIATE; INSERT; COMMIT), in a loop for SECONDS seconds.
 *
 * Usage: sqlite_commit FILE SECONDS [THREADS]
 *   FILE     a database file to create (removed first with its -wal and -shm; put it on
 *            the same file system as the benchmark's database)
 *   THREADS  1 (default): one connection committing in a loop; N > 1: N threads, each
 *            committing through its own connection, as SQLite gives it without group
 *            commit (writers wait for the write lock in SQLite's busy handler)
 * Prints one JSON object: {"threads","commits","seconds","commits_per_s","p50_ms",
 * "p99_ms","max_ms","busy_errors"}; latency is per transaction, from BEGIN to the end of
 * COMMIT, waits for the lock included. Links libsqlite3 only. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct worker {
	pthread_t th;
	const char *path;
	double seconds;
	double *lat; /* ms */
	size_t n, cap;
	long busy;
	int failed;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		fprintf(stderr, "sqlite_commit: %s: %s\n", sql, err ? err : sqlite3_errstr(rc));
	}
	sqlite3_free(err);
	return rc;
}

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_commit: cannot open %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	if (exec(db, "PRAGMA busy_timeout = 5000;"
		     "PRAGMA journal_mode = WAL;"
		     "PRAGMA synchronous = FULL;") != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = open_db(w->path);
	sqlite3_stmt *ins = NULL;
	if (!db || sqlite3_prepare_v2(db, "INSERT INTO t (at, note) VALUES (?1, 'bench commit row')", -1,
				      &ins, NULL) != SQLITE_OK) {
		w->failed = 1;
		sqlite3_close(db);
		return NULL;
	}
	double end = now_s() + w->seconds;
	for (;;) {
		double t0 = now_s();
		if (t0 >= end)
			break;
		if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
			w->busy++;
			continue;
		}
		sqlite3_bind_double(ins, 1, t0);
		int rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE || exec(db, "COMMIT") != SQLITE_OK) {
			exec(db, "ROLLBACK");
			w->busy++;
			continue;
		}
		double ms = (now_s() - t0) * 1e3;
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 4096;
			double *p = realloc(w->lat, cap * sizeof *p);
			if (!p) {
				w->failed = 1;
				break;
			}
			w->lat = p;
			w->cap = cap;
		}
		w->lat[w->n++] = ms;
	}
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fputs("usage: sqlite_commit FILE SECONDS [THREADS]\n", stderr);
		return 2;
	}
	const char *path = argv[1];
	double seconds = strtod(argv[2], NULL);
	int threads = argc > 3 ? atoi(argv[3]) : 1;
	if (seconds <= 0 || threads < 1 || threads > 1024) {
		fputs("sqlite_commit: SECONDS > 0 and 1 <= THREADS <= 1024\n", stderr);
		return 2;
	}
	char side[4096];
	remove(path);
	snprintf(side, sizeof side, "%s-wal", path);
	remove(side);
	snprintf(side, sizeof side, "%s-shm", path);
	remove(side);

	sqlite3 *db = open_db(path);
	if (!db || exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, at REAL NOT NULL, note TEXT NOT NULL)") !=
		       SQLITE_OK) {
		sqlite3_close(db);
		return 1;
	}

	struct worker *w = calloc((size_t)threads, sizeof *w);
	if (!w)
		return 1;
	double t0 = now_s();
	for (int i = 0; i < threads; i++) {
		w[i].path = path;
		w[i].seconds = seconds;
		if (pthread_create(&w[i].th, NULL, work, &w[i]) != 0) {
			fputs("sqlite_commit: cannot start a thread\n", stderr);
			return 1;
		}
	}
	size_t total = 0;
	long busy = 0;
	int failed = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].n;
		busy += w[i].busy;
		failed |= w[i].failed;
	}
	double elapsed = now_s() - t0;
	double *all = malloc((total ? total : 1) * sizeof *all);
	if (!all)
		return 1;
	size_t k = 0;
	for (int i = 0; i < threads; i++) {
		memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
		k += w[i].n;
		free(w[i].lat);
	}
	qsort(all, total, sizeof *all, cmp_double);
	printf("{\"threads\": %d, \"commits\": %zu, \"seconds\": %.3f, \"commits_per_s\": %.1f, "
	       "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"busy_errors\": %ld}\n",
	       threads, total, elapsed, (double)total / elapsed, pct(all, total, 50), pct(all, total, 99),
	       total ? all[total - 1] : 0.0, busy);
	free(all);
	free(w);
	sqlite3_close(db);
	return failed ? 1 : 0;
}
