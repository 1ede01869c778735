/* test_util_file.c - unit tests of util/file (durable atomic writes, directories, bounded
 * reads) and the SHA-256 that names content-addressed files, on a real temporary dir. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/crypto.h"
#include "util/file.h"

static char root[] = "/tmp/cw-test-file.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root) || cw_crypto_init() != 0)
		return -1;
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_sha256(void **state)
{
	(void)state;
	char hex[CW_SHA256_HEX_LEN];
	cw_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cw_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_dir_ensure(void **state)
{
	(void)state;
	char dir[256], file[256];
	struct stat st;
	snprintf(dir, sizeof dir, "%s/sub", root);
	assert_int_equal(cw_dir_ensure(dir, 0750), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(cw_dir_ensure(dir, 0750), 0); /* already there */
	snprintf(file, sizeof file, "%s/plain", root);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(cw_dir_ensure(file, 0750), -1);
	assert_int_equal(errno, ENOTDIR);
	snprintf(dir, sizeof dir, "%s/no/such/parent", root);
	assert_int_equal(cw_dir_ensure(dir, 0750), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_write_atomic_and_read(void **state)
{
	(void)state;
	char dir[256], path[300];
	snprintf(dir, sizeof dir, "%s/w", root);
	assert_int_equal(cw_dir_ensure(dir, 0750), 0);
	snprintf(path, sizeof path, "%s/name", dir);
	struct cw_arena *a = cw_arena_new();
	char *data;
	size_t len;
	assert_int_equal(cw_file_read(a, path, 100, &data, &len), -1);
	assert_int_equal(errno, ENOENT);

	assert_int_equal(cw_file_write_atomic(dir, "name", "first", 5, 0640), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(cw_file_read(a, path, 100, &data, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "first");

	/* Replaced whole; no temporary file left beside it. */
	assert_int_equal(cw_file_write_atomic(dir, "name", "second!", 7, 0640), 0);
	assert_int_equal(cw_file_read(a, path, 100, &data, &len), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(data, "second!", 7);
	assert_int_equal(entries(dir), 1);

	/* Bounded reads; an empty file; a directory is not a file. */
	assert_int_equal(cw_file_read(a, path, 6, &data, &len), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(cw_file_write_atomic(dir, "empty", "", 0, 0640), 0);
	snprintf(path, sizeof path, "%s/empty", dir);
	assert_int_equal(cw_file_read(a, path, 6, &data, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(cw_file_read(a, dir, 1 << 20, &data, &len), -1);

	/* A directory that does not exist: an error, nothing created. */
	snprintf(path, sizeof path, "%s/missing", root);
	assert_int_equal(cw_file_write_atomic(path, "x", "y", 1, 0640), -1);
	assert_int_equal(errno, ENOENT);
	cw_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_dir_ensure),
	    cmocka_unit_test(test_write_atomic_and_read),
	};
	return cmocka_run_group_tests_name("util_file", tests, setup, teardown);
}
