/* test_sqlite_vfs.c - the "cw-unix" VFS (store/sqlite_vfs.c), which gathers a commit's
 * WAL writes into one: every commit is visible to another connection at once, a
 * transaction that spills its cache reads its own frames back, and a process killed
 * right after its commits returned loses none of them. Real SQLite on a temporary dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/sqlite_vfs.h"

static char root[] = "/tmp/cw-test-vfs.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static sqlite3 *open_db(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, name);
	sqlite3 *db = NULL;
	const char *vfs = cw_sqlite_vfs();
	assert_non_null(vfs);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;"
				      "PRAGMA synchronous = FULL;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return db;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
}

static long long one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

/* Each commit of the writer is seen by a second connection right after it returns,
 * with indexes (many pages per commit) and checkpoints in between. */
static void test_commits_visible_to_readers(void **state)
{
	(void)state;
	sqlite3 *w = open_db("visible.db"), *r = open_db("visible.db");
	exec(w, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);"
		"CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b);");
	char sql[256];
	for (int i = 1; i <= 400; i++) {
		snprintf(sql, sizeof sql,
			 "BEGIN IMMEDIATE; INSERT INTO t VALUES (%d, hex(randomblob(40)), "
			 "hex(randomblob(300))); COMMIT;",
			 i);
		exec(w, sql);
		assert_int_equal(one(r, "SELECT count(*) FROM t"), i);
		if (i % 97 == 0)
			exec(r, "PRAGMA wal_checkpoint(PASSIVE)");
	}
	/* One commit of several MB: more than one write of the real VFS can take. */
	exec(w, "BEGIN IMMEDIATE;"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000) "
		"INSERT INTO t (a, b) SELECT hex(randomblob(40)), hex(randomblob(300)) FROM n;"
		"COMMIT;");
	assert_int_equal(one(r, "SELECT count(*) FROM t"), 8400);
	integrity_ok(r);
	sqlite3_close(r);
	sqlite3_close(w);
}

/* A transaction larger than its page cache spills frames into the WAL before it
 * commits and reads them back; a rollback after a spill leaves nothing behind. */
static void test_spill_and_rollback(void **state)
{
	(void)state;
	sqlite3 *w = open_db("spill.db"), *r = open_db("spill.db");
	exec(w, "PRAGMA cache_size = 10;"
		"CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);");
	exec(w, "BEGIN IMMEDIATE;"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
		"INSERT INTO t SELECT i, hex(randomblob(100)) FROM n;");
	assert_int_equal(one(w, "SELECT count(*) FROM t WHERE v > ''"), 5000);
	assert_int_equal(one(r, "SELECT count(*) FROM t"), 0);
	exec(w, "ROLLBACK");
	assert_int_equal(one(w, "SELECT count(*) FROM t"), 0);
	exec(w, "BEGIN IMMEDIATE;"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
		"INSERT INTO t SELECT i, hex(randomblob(100)) FROM n; COMMIT;");
	assert_int_equal(one(r, "SELECT count(*) FROM t"), 3000);
	integrity_ok(r);
	sqlite3_close(r);
	sqlite3_close(w);
}

/* A child process commits and reports each commit through a pipe once it returned;
 * the parent kills it (SIGKILL, no close) at a random moment. Every reported commit
 * is in the database when it is opened again, and the database is intact. */
static void test_killed_writer_keeps_its_commits(void **state)
{
	(void)state;
	sqlite3 *db = open_db("kill.db");
	exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);");
	sqlite3_close(db);
	for (int round = 0; round < 3; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			sqlite3 *c = open_db("kill.db");
			char sql[200];
			for (int i = 0;; i++) {
				snprintf(sql, sizeof sql,
					 "INSERT INTO t (v) VALUES (hex(randomblob(%d)))", 50 + i % 900);
				if (sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
					_exit(2);
				long long id = sqlite3_last_insert_rowid(c);
				if (write(fds[1], &id, sizeof id) != sizeof id)
					_exit(3);
			}
		}
		close(fds[1]);
		usleep(150000 + 100000 * round);
		kill(pid, SIGKILL);
		long long id, last = 0;
		ssize_t n;
		while ((n = read(fds[0], &id, sizeof id)) == sizeof id)
			last = id;
		close(fds[0]);
		int status = 0;
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));
		assert_true(last > 0);
		db = open_db("kill.db");
		char sql[100];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE id <= %lld", last);
		assert_int_equal(one(db, sql), last);
		integrity_ok(db);
		sqlite3_close(db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commits_visible_to_readers),
	    cmocka_unit_test(test_spill_and_rollback),
	    cmocka_unit_test(test_killed_writer_keeps_its_commits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
