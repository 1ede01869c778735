/* test_util.c - unit tests of src/util: arena, buf, clock, text, crypto and log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/text.h"

/* 2026-01-01T00:00:00Z */
#define T2026 INT64_C(1767225600)

static int group_setup(void **state)
{
	(void)state;
	return cw_crypto_init() == 0 ? 0 : -1;
}

/* ---- arena ---- */

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_arena_many_allocations(void **state)
{
	(void)state;
	enum { N = 5000 };
	static unsigned char *ptr[N];
	static size_t size[N];
	struct cw_arena *a = cw_arena_new();
	size_t total = 0;
	for (int i = 0; i < N; i++) {
		/* Mostly small, with some that exceed a block and a few very big ones. */
		size_t n = (size_t)(i * 37 % 301);
		if (i % 97 == 0)
			n = 5000 + (size_t)i;
		if (i % 1000 == 500)
			n = (size_t)1 << 20;
		ptr[i] = cw_arena_alloc(a, n);
		size[i] = n;
		total += n;
		assert_non_null(ptr[i]);
		assert_int_equal((uintptr_t)ptr[i] % 16, 0);
		assert_true(all_bytes(ptr[i], n, 0));
		memset(ptr[i], (unsigned char)(i % 251 + 1), n);
	}
	/* No allocation overlaps another: every pattern is still intact. */
	for (int i = 0; i < N; i++)
		assert_true(all_bytes(ptr[i], size[i], (unsigned char)(i % 251 + 1)));
	assert_true(cw_arena_used(a) >= total);
	cw_arena_free(a);
}

static void test_arena_zero_size_and_alignment(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	assert_int_equal(cw_arena_used(a), 0);
	void *p = cw_arena_alloc(a, 0);
	void *q = cw_arena_alloc(a, 0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	for (size_t n = 1; n < 200; n++) {
		unsigned char *r = cw_arena_alloc(a, n);
		assert_int_equal((uintptr_t)r % 16, 0);
		memset(r, 0xAB, n);
	}
	/* A big allocation after small ones, and small ones after it, stay aligned. */
	unsigned char *big = cw_arena_alloc(a, 100000);
	assert_int_equal((uintptr_t)big % 16, 0);
	assert_true(all_bytes(big, 100000, 0));
	unsigned char *small = cw_arena_alloc(a, 3);
	assert_int_equal((uintptr_t)small % 16, 0);
	assert_true(all_bytes(small, 3, 0));
	cw_arena_free(a);
	cw_arena_free(NULL);
}

static void test_arena_memory_is_zeroed_when_reused(void **state)
{
	(void)state;
	/* Dirty a first arena's memory, free it, and allocate the same sizes again: the
	 * allocator hands the same chunks back, and the arena must clear them. */
	for (int round = 0; round < 2; round++) {
		struct cw_arena *a = cw_arena_new();
		for (int i = 0; i < 64; i++) {
			size_t n = i % 8 == 0 ? 9000 : 500;
			unsigned char *p = cw_arena_alloc(a, n);
			assert_true(all_bytes(p, n, 0));
			memset(p, 0xFF, n);
		}
		cw_arena_free(a);
	}
}

static void test_arena_strings(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	assert_null(cw_arena_strdup(a, NULL));
	assert_null(cw_arena_strndup(a, NULL, 3));
	const char *src = "淮北市 grid 340603001001001";
	char *s = cw_arena_strdup(a, src);
	assert_ptr_not_equal(s, src);
	assert_string_equal(s, src);
	assert_string_equal(cw_arena_strdup(a, ""), "");
	assert_string_equal(cw_arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(cw_arena_strndup(a, "abcdef", 0), "");
	assert_string_equal(cw_arena_printf(a, "%s-%d-%05.1f", "case", 42, 3.14), "case-42-003.1");
	assert_string_equal(cw_arena_printf(a, "%s", ""), "");

	/* A formatted string bigger than a block. */
	char *filler = cw_xmalloc(20001);
	memset(filler, 'z', 20000);
	filler[20000] = 0;
	char *big = cw_arena_printf(a, "<%s>", filler);
	assert_int_equal(strlen(big), 20002);
	assert_int_equal(big[0], '<');
	assert_int_equal(big[20001], '>');
	assert_true(all_bytes((unsigned char *)big + 1, 20000, 'z'));
	free(filler);
	/* The copy survives later allocations. */
	for (int i = 0; i < 1000; i++)
		cw_arena_strdup(a, "padding padding padding");
	assert_string_equal(s, src);
	cw_arena_free(a);
}

static void test_xalloc(void **state)
{
	(void)state;
	void *p = cw_xmalloc(0);
	assert_non_null(p);
	free(p);
	unsigned char *z = cw_xcalloc(100, 3);
	assert_true(all_bytes(z, 300, 0));
	z = cw_xrealloc(z, 100000);
	assert_true(all_bytes(z, 300, 0));
	free(z);
	char *s = cw_xstrdup("相山区");
	assert_string_equal(s, "相山区");
	free(s);
}

/* ---- buf ---- */

static void assert_buf_invariant(struct cw_buf *b)
{
	assert_non_null(b->data);
	assert_true(b->len < b->cap);
	assert_int_equal(b->data[b->len], 0);
}

static void test_buf_empty(void **state)
{
	(void)state;
	struct cw_buf b = {0};
	assert_string_equal(cw_buf_str(&b), "");
	cw_buf_reset(&b);
	assert_string_equal(cw_buf_str(&b), "");
	cw_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);

	/* Appending nothing still makes the buffer a valid empty string. */
	cw_buf_append(&b, "", 0);
	assert_buf_invariant(&b);
	assert_int_equal(b.len, 0);
	cw_buf_release(&b);

	cw_buf_printf(&b, "%s", "");
	assert_buf_invariant(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	cw_buf_release(&b);
}

static void test_buf_append(void **state)
{
	(void)state;
	struct cw_buf b = {0};
	cw_buf_puts(&b, "abc");
	assert_buf_invariant(&b);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	cw_buf_putc(&b, '-');
	cw_buf_printf(&b, "%d/%s", 42, "区");
	assert_buf_invariant(&b);
	assert_string_equal(cw_buf_str(&b), "abc-42/区");
	assert_int_equal(b.len, strlen("abc-42/区"));

	/* Binary data with NULs keeps its length and is still terminated. */
	cw_buf_append(&b, "x\0y", 3);
	assert_buf_invariant(&b);
	assert_int_equal(b.len, strlen("abc-42/区") + 3);
	assert_memory_equal(b.data + b.len - 3, "x\0y", 3);
	cw_buf_release(&b);
}

static void test_buf_growth(void **state)
{
	(void)state;
	struct cw_buf b = {0};
	char expect[100000];
	size_t n = 0;
	for (int i = 0; i < 10000; i++) {
		int w = snprintf(expect + n, sizeof expect - n, "%d,", i);
		n += (size_t)w;
		if (i % 3 == 0)
			cw_buf_printf(&b, "%d,", i);
		else {
			char tmp[16];
			snprintf(tmp, sizeof tmp, "%d,", i);
			cw_buf_puts(&b, tmp);
		}
		assert_buf_invariant(&b);
	}
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, expect, n);

	/* One printf much larger than the capacity so far. */
	char *wide = cw_xmalloc(50001);
	memset(wide, 'w', 50000);
	wide[50000] = 0;
	cw_buf_printf(&b, "[%s]", wide);
	assert_buf_invariant(&b);
	assert_int_equal(b.len, n + 50002);
	assert_int_equal(b.data[n], '[');
	assert_int_equal(b.data[b.len - 1], ']');
	free(wide);
	cw_buf_release(&b);
}

static void test_buf_reset_and_release(void **state)
{
	(void)state;
	struct cw_buf b = {0};
	cw_buf_puts(&b, "some text that is here");
	char *data = b.data;
	size_t cap = b.cap;
	cw_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(cw_buf_str(&b), "");
	/* Reset keeps the memory. */
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.cap, cap);
	cw_buf_puts(&b, "new");
	assert_string_equal(cw_buf_str(&b), "new");
	assert_int_equal(b.len, 3);

	cw_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(cw_buf_str(&b), "");
	/* A released buffer is usable again. */
	cw_buf_putc(&b, 'q');
	assert_buf_invariant(&b);
	assert_string_equal(b.data, "q");
	cw_buf_release(&b);
	cw_buf_release(&b);
}

/* ---- clock ---- */

static void test_time_format(void **state)
{
	(void)state;
	char out[26];
	cw_time_format(0, out, sizeof out);
	assert_string_equal(out, "1970-01-01T08:00:00+08:00");
	cw_time_format(T2026, out, sizeof out);
	assert_string_equal(out, "2026-01-01T08:00:00+08:00");
	/* 16:00 UTC is already the next day in China. */
	cw_time_format(T2026 - 8 * 3600 - 1, out, sizeof out);
	assert_string_equal(out, "2025-12-31T23:59:59+08:00");
	cw_time_format(T2026 + 58 * 86400 + 12 * 3600 + 34 * 60 + 56, out, sizeof out);
	assert_string_equal(out, "2026-02-28T20:34:56+08:00");
	/* 2024 is a leap year. */
	cw_time_format(INT64_C(1709164800), out, sizeof out);
	assert_string_equal(out, "2024-02-29T08:00:00+08:00");
}

static int64_t parse_ok(const char *s)
{
	int64_t t = -12345;
	if (!cw_time_parse(s, &t))
		fail_msg("cw_time_parse rejected \"%s\"", s);
	return t;
}

static void test_time_parse_accepts(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-01-01T00:00:00Z"), T2026);
	assert_int_equal(parse_ok("2026-01-01T00:00:00z"), T2026);
	assert_int_equal(parse_ok("2026-01-01T08:00:00+08:00"), T2026);
	assert_int_equal(parse_ok("2025-12-31T19:00:00-05:00"), T2026);
	assert_int_equal(parse_ok("2026-01-01T00:00:00-05:00"), T2026 + 5 * 3600);
	assert_int_equal(parse_ok("2026-01-01T05:30:00+05:30"), T2026);
	/* Fractions are accepted and dropped. */
	assert_int_equal(parse_ok("2026-01-01T00:00:00.5Z"), T2026);
	assert_int_equal(parse_ok("2026-01-01T08:00:00.123456789+08:00"), T2026);
	/* A bare date is local midnight in China. */
	assert_int_equal(parse_ok("2026-01-01"), T2026 - 8 * 3600);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("2024-02-29"), INT64_C(1709164800) - 8 * 3600);
	assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400));
	assert_int_equal(parse_ok("2026-12-31T23:59:59+08:00"), INT64_C(1798761599) - 8 * 3600);
}

static void test_time_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "garbage",
	    "2026",
	    "2026-02-30",
	    "2025-02-29",
	    "2100-02-29",
	    "2026-13-01",
	    "2026-00-10",
	    "2026-01-00",
	    "2026-01-32",
	    "2026-1-01",
	    "2026/01/01",
	    "2026-01-01x",
	    "2026-01-01 ",
	    "2026-01-01T25:00:00Z",
	    "2026-01-01T24:00:00Z",
	    "2026-01-01T08:60:00Z",
	    "2026-01-01T08:00:61Z",
	    "2026-01-01T08:00Z",
	    "2026-01-01T08:00:00",
	    "2026-01-01T08:00:00+0800",
	    "2026-01-01T08:00:00+08",
	    "2026-01-01T08:00:00+24:00",
	    "2026-01-01T08:00:00+08:60",
	    "2026-01-01T08:00:00.Z",
	    "2026-01-01T08:00:00+08:00 ",
	    "2026-01-01T08:00:00+08:00junk",
	    "2026-01-01T08:00:00Zjunk",
	    "2026-01-01X08:00:00Z",
	    "2026-01-01T8:00:00Z",
	    "+026-01-01",
	    "1969-12-31T23:59:59Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 777;
		if (cw_time_parse(bad[i], &t))
			fail_msg("cw_time_parse accepted \"%s\"", bad[i]);
	}
}

static void test_time_round_trip(void **state)
{
	(void)state;
	static const int64_t ts[] = {0,	1,	T2026 - 1, T2026, INT64_C(1709164800),
				     INT64_C(1798732799), INT64_C(4102444800), INT64_C(253402271999)};
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		char out[26];
		cw_time_format(ts[i], out, sizeof out);
		assert_int_equal(strlen(out), 25);
		assert_int_equal(parse_ok(out), ts[i]);
	}
	/* Every hour of a year, including the midnight boundaries. */
	for (int64_t t = T2026; t < T2026 + 366 * 86400; t += 3600 + 17) {
		char out[26];
		cw_time_format(t, out, sizeof out);
		assert_int_equal(parse_ok(out), t);
	}
}

static void test_now(void **state)
{
	(void)state;
	int64_t before = (int64_t)time(NULL);
	int64_t now = cw_now();
	assert_true(now >= before && now <= before + 2);
	int64_t ms1 = cw_now_ms();
	double s1 = cw_mono_seconds();
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
	int64_t ms2 = cw_now_ms();
	double s2 = cw_mono_seconds();
	assert_true(ms2 - ms1 >= 19);
	assert_true(s2 - s1 >= 0.019);
}

static int64_t duration_ok(const char *s)
{
	int64_t v = -1;
	if (!cw_duration_parse(s, &v))
		fail_msg("cw_duration_parse rejected \"%s\"", s);
	return v;
}

static void test_duration_parse(void **state)
{
	(void)state;
	assert_int_equal(duration_ok("30m"), 1800);
	assert_int_equal(duration_ok("12h"), 43200);
	assert_int_equal(duration_ok("15m"), 900);
	assert_int_equal(duration_ok("90s"), 90);
	assert_int_equal(duration_ok("2d"), 172800);
	assert_int_equal(duration_ok("45"), 45);
	assert_int_equal(duration_ok("0"), 0);
	static const char *const bad[] = {"", "-1", "5x", "m", "1.5h", " 5", "5 ", "5 m",
					  "+5", "5mm", "h5", "99999999999999999999", "0x10"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 0;
		if (cw_duration_parse(bad[i], &v))
			fail_msg("cw_duration_parse accepted \"%s\"", bad[i]);
	}
	int64_t v = 0;
	assert_false(cw_duration_parse(NULL, &v));
}

/* ---- text ---- */

static bool valid(const char *s)
{
	return cw_utf8_valid(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("plain ASCII ~"));
	assert_true(valid("淮北市相山区网格员"));
	assert_true(valid("é ß ¢"));            /* 2-byte */
	assert_true(valid("\xE2\x82\xAC"));      /* U+20AC, 3-byte */
	assert_true(valid("\xF0\x9F\x98\x80"));  /* U+1F600, 4-byte */
	assert_true(valid("\xF4\x8F\xBF\xBF"));  /* U+10FFFF, the last code point */
	assert_true(valid("\xEF\xBF\xBF"));      /* U+FFFF */
	assert_true(valid("\xED\x9F\xBF"));      /* U+D7FF, just below the surrogates */
	assert_true(valid("\xEE\x80\x80"));      /* U+E000, just above them */

	assert_false(valid("\xC0\x80"));         /* overlong NUL */
	assert_false(valid("\xC1\xBF"));         /* overlong */
	assert_false(valid("\xE0\x80\xAF"));     /* overlong '/' */
	assert_false(valid("\xE0\x9F\xBF"));     /* overlong U+07FF */
	assert_false(valid("\xF0\x8F\xBF\xBF")); /* overlong U+FFFF */
	assert_false(valid("\xED\xA0\x80"));     /* U+D800 surrogate */
	assert_false(valid("\xED\xBF\xBF"));     /* U+DFFF surrogate */
	assert_false(valid("\xF4\x90\x80\x80")); /* U+110000 */
	assert_false(valid("\xF5\x80\x80\x80"));
	assert_false(valid("\xFF"));
	assert_false(valid("\x80"));             /* lone continuation */
	assert_false(valid("a\xBF" "b"));
	assert_false(valid("\xE6\xB7"));         /* 淮 cut short */
	assert_false(valid("\xE6"));
	assert_false(valid("\xF0\x9F\x98"));
	assert_false(valid("\xE6\xB7" "a"));     /* continuation replaced */
	assert_false(valid("\xC3\xC3"));

	/* Truncation is judged by n, not by the NUL. */
	const char *huai = "淮";
	assert_true(cw_utf8_valid(huai, 3));
	assert_false(cw_utf8_valid(huai, 2));
	assert_false(cw_utf8_valid(huai, 1));
	assert_true(cw_utf8_valid(huai, 0));
	/* An embedded NUL is not text. */
	assert_false(cw_utf8_valid("ab\0cd", 5));
	assert_false(cw_utf8_valid("\0", 1));
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(cw_utf8_len(""), 0);
	assert_int_equal(cw_utf8_len("abc"), 3);
	assert_int_equal(cw_utf8_len("淮北市"), 3);
	assert_int_equal(strlen("淮北市"), 9);
	assert_int_equal(cw_utf8_len("相山区 A1"), 6);
	assert_int_equal(cw_utf8_len("é\xF0\x9F\x98\x80"), 2);
}

static void test_all_digits(void **state)
{
	(void)state;
	assert_true(cw_all_digits("0123456789", 10));
	assert_true(cw_all_digits("12ab", 2));
	assert_false(cw_all_digits("12ab", 3));
	assert_false(cw_all_digits("", 0));
	assert_false(cw_all_digits("-1", 2));
	assert_false(cw_all_digits("１２", strlen("１２"))); /* full-width digits */
}

static void test_parse_int(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_true(cw_parse_int("5", 1, 10, &v));
	assert_int_equal(v, 5);
	assert_true(cw_parse_int("1", 1, 10, &v));
	assert_int_equal(v, 1);
	assert_true(cw_parse_int("10", 1, 10, &v));
	assert_int_equal(v, 10);
	assert_false(cw_parse_int("0", 1, 10, &v));
	assert_false(cw_parse_int("11", 1, 10, &v));
	assert_true(cw_parse_int("-7", -10, 10, &v));
	assert_int_equal(v, -7);
	assert_false(cw_parse_int("-11", -10, 10, &v));
	assert_true(cw_parse_int("007", 0, 10, &v));
	assert_int_equal(v, 7);

	assert_true(cw_parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &v));
	assert_true(v == INT64_MAX);
	assert_true(cw_parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &v));
	assert_true(v == INT64_MIN);

	static const char *const bad[] = {"+1",
					  " 1",
					  "1 ",
					  "",
					  "-",
					  "--1",
					  "1a",
					  "0x10",
					  "1e3",
					  "1.0",
					  "\t1",
					  "1\n",
					  "99999999999999999999",
					  "9223372036854775808",
					  "-9223372036854775809",
					  "18446744073709551616"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cw_parse_int(bad[i], INT64_MIN, INT64_MAX, &v))
			fail_msg("cw_parse_int accepted \"%s\"", bad[i]);
	assert_false(cw_parse_int(NULL, INT64_MIN, INT64_MAX, &v));
}

/* ---- crypto ---- */

static void test_sm3_vectors(void **state)
{
	(void)state;
	char hex[CW_SM3_HEX_LEN];
	/* GB/T 32905-2016, appendix A, examples 1 and 2. */
	cw_sm3_hex("abc", 3, hex);
	assert_string_equal(hex, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	const char *abcd16 = "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd";
	cw_sm3_hex(abcd16, 64, hex);
	assert_string_equal(hex, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");

	uint8_t raw[CW_SM3_LEN];
	cw_sm3("abc", 3, raw);
	assert_int_equal(raw[0], 0x66);
	assert_int_equal(raw[31], 0xe0);
	char again[CW_SM3_HEX_LEN];
	cw_hex_encode(raw, sizeof raw, again);
	assert_string_equal(again, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

static void test_hex_encode(void **state)
{
	(void)state;
	const uint8_t in[] = {0x00, 0x0f, 0xab, 0xff, 0x10};
	char out[11];
	memset(out, 'X', sizeof out);
	cw_hex_encode(in, sizeof in, out);
	assert_string_equal(out, "000fabff10");
	cw_hex_encode(in, 0, out);
	assert_string_equal(out, "");
}

static void test_password_hash(void **state)
{
	(void)state;
	char h1[CW_PWHASH_LEN], h2[CW_PWHASH_LEN];
	assert_int_equal(cw_password_hash("Huaibei-Grid-2026", h1), 0);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	assert_true(cw_password_verify(h1, "Huaibei-Grid-2026"));
	assert_false(cw_password_verify(h1, "Huaibei-Grid-2027"));
	assert_false(cw_password_verify(h1, "huaibei-grid-2026"));
	assert_false(cw_password_verify(h1, ""));
	/* Salted: the same password hashes differently, and both verify. */
	assert_int_equal(cw_password_hash("Huaibei-Grid-2026", h2), 0);
	assert_string_not_equal(h1, h2);
	assert_true(cw_password_verify(h2, "Huaibei-Grid-2026"));
	/* An account without a password cannot sign in with any. */
	assert_false(cw_password_verify("", ""));
	assert_false(cw_password_verify("", "Huaibei-Grid-2026"));
	assert_false(cw_password_verify(NULL, "Huaibei-Grid-2026"));
	assert_false(cw_password_verify("not a hash", "not a hash"));
	/* Chinese passwords work byte for byte. */
	assert_int_equal(cw_password_hash("淮北市相山区Ab1!", h1), 0);
	assert_true(cw_password_verify(h1, "淮北市相山区Ab1!"));
	assert_false(cw_password_verify(h1, "淮北市相山区Ab1"));
}

static void test_random(void **state)
{
	(void)state;
	char t1[CW_TOKEN_TEXT_LEN], t2[CW_TOKEN_TEXT_LEN];
	cw_random_token(t1);
	cw_random_token(t2);
	assert_int_equal(strlen(t1), 43);
	assert_int_equal(strlen(t2), 43);
	assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 43);
	assert_string_not_equal(t1, t2);

	char h1[33], h2[33];
	cw_random_hex(h1, 16);
	cw_random_hex(h2, 16);
	assert_int_equal(strlen(h1), 32);
	assert_int_equal(strspn(h1, "0123456789abcdef"), 32);
	assert_string_not_equal(h1, h2);

	uint8_t b1[32] = {0}, b2[32] = {0};
	cw_random_bytes(b1, sizeof b1);
	cw_random_bytes(b2, sizeof b2);
	assert_memory_not_equal(b1, b2, sizeof b1);
}

static void test_const_eq(void **state)
{
	(void)state;
	assert_true(cw_const_eq("", ""));
	assert_true(cw_const_eq("token-abc", "token-abc"));
	assert_false(cw_const_eq("token-abc", "token-abd"));
	assert_false(cw_const_eq("Token-abc", "token-abc"));
	assert_false(cw_const_eq("abc", "abcd"));
	assert_false(cw_const_eq("abcd", "abc"));
	assert_false(cw_const_eq("", "a"));
	assert_false(cw_const_eq("a", ""));
	/* A repeated prefix is not equality. */
	assert_false(cw_const_eq("ab", "abab"));
	assert_false(cw_const_eq("abab", "ab"));
}

/* ---- log ---- */

/* Runs cw_log with stderr sent to a temporary file and returns what it wrote. */
static char *capture_log(enum cw_log_level lvl, const char *msg)
{
	static char out[8192];
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	fflush(stderr);
	int saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	cw_log(lvl, "%s", msg);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, sizeof out - 1, tmp);
	out[n] = 0;
	fclose(tmp);
	return out;
}

static void test_log_format(void **state)
{
	(void)state;
	cw_log_set_level(CW_LOG_INFO);
	char *line = capture_log(CW_LOG_INFO, "region 340603000000 created");
	/* "2026-11-27T16:04:00+08:00 INFO region 340603000000 created\n" */
	assert_true(strlen(line) > 26);
	char ts[26];
	memcpy(ts, line, 25);
	ts[25] = 0;
	assert_string_equal(ts + 19, "+08:00");
	int64_t t = 0;
	assert_true(cw_time_parse(ts, &t));
	int64_t now = cw_now();
	assert_true(t <= now && t >= now - 5);
	assert_string_equal(line + 25, " INFO region 340603000000 created\n");

	line = capture_log(CW_LOG_ERROR, "store down");
	assert_string_equal(line + 25, " ERROR store down\n");
	line = capture_log(CW_LOG_WARN, "slow");
	assert_string_equal(line + 25, " WARN slow\n");
}

static void test_log_levels(void **state)
{
	(void)state;
	cw_log_set_level(CW_LOG_INFO);
	assert_string_equal(capture_log(CW_LOG_DEBUG, "hidden"), "");
	cw_log_set_level(CW_LOG_DEBUG);
	assert_string_equal(capture_log(CW_LOG_DEBUG, "shown") + 25, " DEBUG shown\n");
	cw_log_set_level(CW_LOG_ERROR);
	assert_string_equal(capture_log(CW_LOG_WARN, "hidden"), "");
	assert_string_equal(capture_log(CW_LOG_INFO, "hidden"), "");
	assert_string_not_equal(capture_log(CW_LOG_ERROR, "shown"), "");
	cw_log_set_level(CW_LOG_INFO);
}

static void test_log_long_line(void **state)
{
	(void)state;
	char *msg = cw_xmalloc(6001);
	memset(msg, 'x', 6000);
	msg[6000] = 0;
	char *line = capture_log(CW_LOG_WARN, msg);
	free(msg);
	/* Cut to one bounded line, still ending in a newline. */
	size_t n = strlen(line);
	assert_true(n > 1000 && n <= 2048);
	assert_int_equal(line[n - 1], '\n');
	assert_ptr_equal(strchr(line, '\n'), line + n - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arena_many_allocations),
	    cmocka_unit_test(test_arena_zero_size_and_alignment),
	    cmocka_unit_test(test_arena_memory_is_zeroed_when_reused),
	    cmocka_unit_test(test_arena_strings),
	    cmocka_unit_test(test_xalloc),
	    cmocka_unit_test(test_buf_empty),
	    cmocka_unit_test(test_buf_append),
	    cmocka_unit_test(test_buf_growth),
	    cmocka_unit_test(test_buf_reset_and_release),
	    cmocka_unit_test(test_time_format),
	    cmocka_unit_test(test_time_parse_accepts),
	    cmocka_unit_test(test_time_parse_rejects),
	    cmocka_unit_test(test_time_round_trip),
	    cmocka_unit_test(test_now),
	    cmocka_unit_test(test_duration_parse),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_len),
	    cmocka_unit_test(test_all_digits),
	    cmocka_unit_test(test_parse_int),
	    cmocka_unit_test(test_sm3_vectors),
	    cmocka_unit_test(test_hex_encode),
	    cmocka_unit_test(test_password_hash),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_const_eq),
	    cmocka_unit_test(test_log_format),
	    cmocka_unit_test(test_log_levels),
	    cmocka_unit_test(test_log_long_line),
	};
	return cmocka_run_group_tests_name("util", tests, group_setup, NULL);
}
