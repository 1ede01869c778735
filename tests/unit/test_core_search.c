/* test_core_search.c - unit tests of core/search: index terms of CJK runs (unigrams and
 * bigrams) and words (prefixes), full-width folding, the term cap, query parsing, and
 * matching as the store does it (every query term indexed, every fragment a substring
 * of the folded text). */
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

static cw_search_term terms[CW_SEARCH_TERMS_MAX];
static int nterms;

static void index_text(const char *text)
{
	nterms = 0;
	cw_search_index_terms(text, terms, &nterms, CW_SEARCH_TERMS_MAX);
}

static bool has(const char *t)
{
	for (int i = 0; i < nterms; i++)
		if (strcmp(terms[i], t) == 0)
			return true;
	return false;
}

/* What the store does: all query terms in the index, all fragments in the folded text. */
static bool matches(const char *text, const char *q)
{
	struct cw_search_query qq;
	if (cw_search_query_parse(q, &qq) != CW_EC_OK)
		fail_msg("query %s refused", q);
	index_text(text);
	char folded[4096];
	cw_search_fold(text, folded, sizeof folded);
	for (int i = 0; i < qq.nterms; i++)
		if (!has(qq.terms[i]))
			return false;
	for (int i = 0; i < qq.nfragments; i++)
		if (!strstr(folded, qq.fragments[i]))
			return false;
	return true;
}

static void test_cjk_unigrams_bigrams(void **state)
{
	(void)state;
	index_text("暴露垃圾，噪音");
	assert_true(has("暴"));
	assert_true(has("垃"));
	assert_true(has("垃圾"));
	assert_true(has("露垃"));
	assert_true(has("噪音"));
	assert_false(has("圾噪")); /* the comma separates the runs */
	assert_false(has("，"));
	/* 暴 露 垃 圾 噪 音 + 暴露 露垃 垃圾 噪音 */
	assert_int_equal(nterms, 10);
}

static void test_words_and_numbers(void **state)
{
	(void)state;
	index_text("2026112700001 Xiangshan Road 3号楼");
	assert_true(has("2026112700001"));
	assert_true(has("20261127"));
	assert_true(has("2"));
	assert_true(has("xiangshan"));
	assert_true(has("xi"));
	assert_true(has("road"));
	assert_false(has("Road"));
	assert_true(has("3"));
	assert_true(has("号楼"));
	assert_false(has("0001")); /* words are found from their start */
	/* a long word: prefixes up to CW_SEARCH_WORD_MAX bytes */
	index_text("abcdefghijklmnopqrstuvwxyz0123");
	assert_true(has("abcdefghijklmnopqrstuvwx"));
	assert_false(has("abcdefghijklmnopqrstuvwxy"));
	assert_int_equal(nterms, CW_SEARCH_WORD_MAX);
}

static void test_fullwidth_folding(void **state)
{
	(void)state;
	index_text("Ａ座１２号");
	assert_true(has("a"));
	assert_true(has("12"));
	assert_true(has("座"));
	char out[64];
	assert_int_equal(cw_search_fold("Ａ座１２号 ABc", out, sizeof out), strlen("a座12号 abc"));
	assert_string_equal(out, "a座12号 abc");
	assert_true(matches("Ａ座１２号", "a座"));
	assert_true(matches("A座12号", "ａ座１２"));
}

static void test_cap_and_dedup(void **state)
{
	(void)state;
	/* many distinct characters: the cap holds and the first ones are kept */
	char big[20000];
	size_t o = 0;
	for (unsigned cp = 0x4E00; cp < 0x4E00 + 3000; cp++) {
		big[o++] = (char)(0xE0 | (cp >> 12));
		big[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		big[o++] = (char)(0x80 | (cp & 0x3F));
	}
	big[o] = 0;
	index_text(big);
	assert_int_equal(nterms, CW_SEARCH_TERMS_MAX);
	assert_true(has("一"));
	/* repeated text adds nothing; several fields share one set */
	nterms = 0;
	assert_int_equal(cw_search_index_terms("垃圾垃圾", terms, &nterms, CW_SEARCH_TERMS_MAX), 4);
	assert_int_equal(cw_search_index_terms("垃圾", terms, &nterms, CW_SEARCH_TERMS_MAX), 0);
	assert_int_equal(cw_search_index_terms("井盖", terms, &nterms, CW_SEARCH_TERMS_MAX), 3);
	assert_int_equal(nterms, 7);
	/* a small cap */
	nterms = 0;
	assert_int_equal(cw_search_index_terms("一二三四", terms, &nterms, 3), 3);
}

static void test_query_parse(void **state)
{
	(void)state;
	struct cw_search_query q;
	assert_int_equal(cw_search_query_parse("井", &q), CW_EC_OK);
	assert_int_equal(q.nterms, 1);
	assert_string_equal(q.terms[0], "井");
	assert_int_equal(q.nfragments, 1);

	assert_int_equal(cw_search_query_parse("垃圾桶", &q), CW_EC_OK);
	assert_int_equal(q.nterms, 2); /* bigrams only */
	assert_string_equal(q.terms[0], "垃圾");
	assert_string_equal(q.terms[1], "圾桶");
	assert_string_equal(q.fragments[0], "垃圾桶");

	assert_int_equal(cw_search_query_parse("  垃圾，噪音  Road ", &q), CW_EC_OK);
	assert_int_equal(q.nfragments, 3);
	assert_string_equal(q.fragments[2], "road");
	assert_int_equal(q.nterms, 3);

	assert_int_equal(cw_search_query_parse("垃圾 垃圾", &q), CW_EC_OK);
	assert_int_equal(q.nfragments, 1);
	assert_int_equal(q.nterms, 1);

	assert_int_equal(cw_search_query_parse("", &q), CW_EC_INVALID_QUERY);
	assert_int_equal(cw_search_query_parse("  ，。!?", &q), CW_EC_INVALID_QUERY);
	assert_int_equal(cw_search_query_parse("\xff\xfe", &q), CW_EC_INVALID_QUERY);
	char longq[400] = "";
	for (int i = 0; i < 101; i++)
		strcat(longq, "a");
	assert_int_equal(cw_search_query_parse(longq, &q), CW_EC_INVALID_QUERY);
	longq[100] = 0;
	assert_int_equal(cw_search_query_parse(longq, &q), CW_EC_OK);
	/* the most fragments a query can have */
	char many[256] = "";
	for (int i = 0; i < 50; i++)
		strcat(many, i % 2 ? "b " : "a ");
	assert_int_equal(cw_search_query_parse(many, &q), CW_EC_OK);
	assert_int_equal(q.nfragments, 2);
	/* many distinct terms: capped, fragments keep the rest exact */
	assert_int_equal(cw_search_query_parse("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯", &q),
			 CW_EC_OK);
	assert_int_equal(q.nterms, CW_SEARCH_QUERY_TERMS_MAX);
}

static void test_matching(void **state)
{
	(void)state;
	assert_true(matches("小区门口垃圾桶满了", "垃圾"));
	assert_true(matches("小区门口垃圾桶满了", "垃圾桶"));
	assert_true(matches("小区门口垃圾桶满了", "桶"));
	/* both bigrams present but apart: no match */
	assert_false(matches("垃圾 散落，圾桶 另说", "垃圾桶"));
	assert_true(matches("窨井盖缺失", "井"));
	assert_false(matches("窨井盖缺失", "噪音"));
	assert_true(matches("夜间施工噪音扰民", "噪音 施工"));
	assert_false(matches("夜间施工噪音扰民", "噪音 垃圾"));
	assert_true(matches("2026112700001 积水", "2026112700001"));
	assert_true(matches("2026112700001 积水", "202611270"));
	assert_false(matches("2026112700001 积水", "2026112700002"));
	assert_true(matches("Xiangshan ROAD 12", "road"));
	assert_false(matches("Broadway", "road")); /* words from their start */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cjk_unigrams_bigrams), cmocka_unit_test(test_words_and_numbers),
	    cmocka_unit_test(test_fullwidth_folding),	 cmocka_unit_test(test_cap_and_dedup),
	    cmocka_unit_test(test_query_parse),		 cmocka_unit_test(test_matching),
	};
	return cmocka_run_group_tests_name("core_search", tests, NULL, NULL);
}
