/* test_search_fts.c - what store_search.c relies on to delete a case's old FTS5 terms on
 * SQLite: the index terms of the stored folded text (the fields folded and joined by a
 * newline, as app/search.c builds it) are exactly the terms indexed field by field, in
 * the same order and under the same cap; and each term is one token of FTS5's ascii
 * tokenizer (no ASCII separator in it, no upper-case ASCII it would fold). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/search.h"

static cw_search_term by_field[CW_SEARCH_TERMS_MAX], from_body[CW_SEARCH_TERMS_MAX];

/* The terms of fields[0..4) one call each, and of their folded text in one call; the
 * two lists must be equal. */
static void check(const char *const fields[4])
{
	int n = 0, k = 0;
	static char body[64 * 1024];
	size_t o = 0;
	for (int i = 0; i < 4; i++) {
		if (!fields[i])
			continue;
		cw_search_index_terms(fields[i], by_field, &n, CW_SEARCH_TERMS_MAX);
		o += cw_search_fold(fields[i], body + o, sizeof body - o - 1);
		body[o++] = '\n';
	}
	body[o] = 0;
	cw_search_index_terms(body, from_body, &k, CW_SEARCH_TERMS_MAX);
	assert_int_equal(n, k);
	for (int i = 0; i < n; i++) {
		assert_string_equal(by_field[i], from_body[i]);
		for (const unsigned char *c = (const unsigned char *)by_field[i]; *c; c++)
			assert_true(*c >= 0x80 || (*c >= 'a' && *c <= 'z') ||
				    (*c >= '0' && *c <= '9'));
	}
}

static void test_fields(void **state)
{
	(void)state;
	const char *a[4] = {"2026112800001", "路边垃圾暴露", "相山区 Xiangshan Road 88号",
			    "垃圾桶满了，ＡＢＣ　１２３ 夜间噪音"};
	check(a);
	const char *b[4] = {"2026112800002", NULL, "", "a\nb 垃\n圾 UPPER lower MiXeD"};
	check(b);
	const char *c[4] = {"x", "Ｒｏａｄ", "road", "ROAD-road_road.road"};
	check(c);
	/* a word longer than the prefix cap, and non-CJK letters (separators) */
	const char *d[4] = {"abcdefghijklmnopqrstuvwxyz0123456789", "Ünïcödé café Ελλάδα",
			    "한국어 ひらがな カタカナ 〇", "\xF0\xA0\x80\x80\xF0\xA0\x80\x81"};
	check(d);
}

static void test_cap(void **state)
{
	(void)state;
	/* more distinct terms than the cap across the fields: the same first ones win */
	static char f1[3 * 1500 + 1], f2[3 * 1500 + 1];
	size_t o = 0;
	for (unsigned cp = 0x4E00; cp < 0x4E00 + 1500; cp++) {
		f1[o++] = (char)(0xE0 | (cp >> 12));
		f1[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		f1[o++] = (char)(0x80 | (cp & 0x3F));
	}
	o = 0;
	for (unsigned cp = 0x6000; cp < 0x6000 + 1500; cp++) {
		f2[o++] = (char)(0xE0 | (cp >> 12));
		f2[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		f2[o++] = (char)(0x80 | (cp & 0x3F));
	}
	const char *a[4] = {"n1", f1, "addr", f2};
	check(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_fields),
					   cmocka_unit_test(test_cap)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
