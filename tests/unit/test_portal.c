/* test_portal.c - the citizens' portal's pure rules (core/portal.h): tracking codes made
 * and read back, public text, derived titles, public categories, the public phases and
 * timeline; and the token buckets of the public routes (util/ratelimit.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/portal.h"
#include "util/ratelimit.h"

static void test_code_make(void **state)
{
	(void)state;
	uint8_t zero[8] = {0}, ones[8], r[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
	memset(ones, 0xff, sizeof ones);
	char canon[13], shown[16];
	cw_portal_code_make(zero, canon, shown);
	assert_string_equal(canon, "000000000000");
	assert_string_equal(shown, "0000-0000-0000");
	cw_portal_code_make(ones, canon, shown);
	assert_string_equal(canon, "ZZZZZZZZZZZZ");
	/* 0x123456789abcdef >> 0 as 60 bits: 12 symbols of 5 bits. */
	cw_portal_code_make(r, canon, shown);
	assert_int_equal(strlen(canon), 12);
	assert_int_equal(strlen(shown), 14);
	assert_true(shown[4] == '-' && shown[9] == '-');
	assert_true(strspn(canon, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == 12);
	/* Read back exactly. */
	char back[13];
	assert_true(cw_portal_code_normalize(shown, back));
	assert_string_equal(back, canon);
	/* Every bit of the 60 matters: flipping one changes the code. */
	for (int bit = 0; bit < 60; bit++) {
		uint8_t x[8];
		memcpy(x, r, 8);
		x[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		char c2[13];
		cw_portal_code_make(x, c2, NULL);
		assert_string_not_equal(c2, canon);
	}
}

static void test_code_normalize(void **state)
{
	(void)state;
	char c[13];
	assert_true(cw_portal_code_normalize("abcd-efgh-jkmn", c));
	assert_string_equal(c, "ABCDEFGHJKMN");
	assert_true(cw_portal_code_normalize(" ab cd ef gh jk mn ", c));
	assert_string_equal(c, "ABCDEFGHJKMN");
	/* I and L read as 1, O as 0. */
	assert_true(cw_portal_code_normalize("OIL0-1234-5678", c));
	assert_string_equal(c, "011012345678");
	/* U is not a symbol; neither is anything else. */
	assert_false(cw_portal_code_normalize("UUUU-UUUU-UUUU", c));
	assert_string_equal(c, "");
	assert_false(cw_portal_code_normalize("ABCD-EFGH-JKM", c));
	assert_false(cw_portal_code_normalize("ABCD-EFGH-JKMNP", c));
	assert_false(cw_portal_code_normalize("ABCD_EFGH_JKMN", c));
	assert_false(cw_portal_code_normalize("ABCD-EFGH-JKM\xC3\xA9", c));
	assert_false(cw_portal_code_normalize("", c));
	assert_false(cw_portal_code_normalize(NULL, c));
}

static void test_text_ok(void **state)
{
	(void)state;
	assert_true(cw_portal_text_ok("路灯不亮了，晚上很危险。", false));
	assert_true(cw_portal_text_ok("第一行\n第二行\r\n\t缩进", true));
	assert_false(cw_portal_text_ok("第一行\n第二行", false));
	assert_true(cw_portal_text_ok("a < b, 3<4, <<, < 5", false));
	assert_false(cw_portal_text_ok("<script>alert(1)</script>", true));
	assert_false(cw_portal_text_ok("x </textarea>", true));
	assert_false(cw_portal_text_ok("x <!-- y", true));
	assert_false(cw_portal_text_ok("x <?php", true));
	assert_false(cw_portal_text_ok("x <img src=x>", true));
	assert_false(cw_portal_text_ok("bell\a", true));
	assert_false(cw_portal_text_ok("del\x7f", true));
	assert_false(cw_portal_text_ok("c1 \xC2\x85", true));
	assert_false(cw_portal_text_ok("ls \xE2\x80\xA8", true));
	assert_false(cw_portal_text_ok("bad \xFF utf8", true));
	assert_false(cw_portal_text_ok(NULL, true));
}

static void test_title(void **state)
{
	(void)state;
	char t[128];
	cw_portal_title("  路灯不亮了\n晚上很危险", t, sizeof t);
	assert_string_equal(t, "路灯不亮了");
	cw_portal_title("\n\n　井盖丢失", t, sizeof t);
	assert_string_equal(t, "井盖丢失");
	/* 40 characters: 30 and an ellipsis. */
	cw_portal_title("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十", t,
			sizeof t);
	assert_string_equal(t, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十\xE2\x80\xA6");
	cw_portal_title("   \n  ", t, sizeof t);
	assert_string_equal(t, "");
	/* A small buffer cuts on a character boundary. */
	char s[10];
	cw_portal_title("一二三四五", s, sizeof s);
	assert_string_equal(s, "一二\xE2\x80\xA6");
}

static void test_categories(void **state)
{
	(void)state;
	assert_true(cw_portal_category_public("06010", "event"));
	assert_true(cw_portal_category_public("06", "event"));
	assert_true(cw_portal_category_public("S103", "service"));
	assert_true(cw_portal_category_public("H402", "hazard"));
	assert_true(cw_portal_category_public("H4", "hazard"));
	assert_false(cw_portal_category_public("H202", "hazard"));
	assert_false(cw_portal_category_public("H101", "hazard"));
	assert_false(cw_portal_category_public("D102", "dispute"));
	assert_false(cw_portal_category_public("P101", "petition"));
	assert_false(cw_portal_category_public(NULL, "event"));
}

static void test_phases_and_events(void **state)
{
	(void)state;
	assert_string_equal(cw_portal_phase("reported"), "received");
	assert_string_equal(cw_portal_phase("registered"), "accepted");
	assert_string_equal(cw_portal_phase("rejected"), "not_accepted");
	assert_string_equal(cw_portal_phase("dispatched"), "assigned");
	assert_string_equal(cw_portal_phase("in_progress"), "in_progress");
	assert_string_equal(cw_portal_phase("resolved"), "checking");
	assert_string_equal(cw_portal_phase("closed"), "closed");
	assert_string_equal(cw_portal_phase("suspended"), "on_hold");
	assert_string_equal(cw_portal_phase("merged"), "merged");
	assert_string_equal(cw_portal_phase("mediating"), "in_progress");
	bool note;
	assert_string_equal(cw_portal_event("create", "", "reported", false, &note), "received");
	assert_false(note);
	assert_string_equal(cw_portal_event("reject", "reported", "rejected", false, &note),
			    "not_accepted");
	assert_true(note);
	assert_string_equal(cw_portal_event("report_result", "in_progress", "resolved", false, &note),
			    "checking");
	assert_true(note);
	assert_string_equal(cw_portal_event("verify.no", "resolved", "in_progress", false, &note),
			    "reopened");
	assert_false(note);
	assert_string_equal(cw_portal_event("rate.bad", "closed", "in_progress", false, &note),
			    "rated");
	assert_string_equal(cw_portal_event("attach", "", "", true, &note), "photo_added");
	assert_null(cw_portal_event("attach", "", "", false, &note));
	/* The city's internal steps. */
	assert_null(cw_portal_event("escalate", "dispatched", "dispatched", false, &note));
	assert_null(cw_portal_event("supervise", "registered", "registered", false, &note));
	assert_null(cw_portal_event("request_extension", "in_progress", "in_progress", false, &note));
	assert_null(cw_portal_event("warn", "", "", false, &note));
	/* Accept moves assigned to in_progress: shown; a reason on a return is not. */
	assert_string_equal(cw_portal_event("accept", "dispatched", "in_progress", false, &note),
			    "in_progress");
	assert_string_equal(cw_portal_event("return", "dispatched", "registered", false, &note),
			    "accepted");
	assert_false(note);
}

static void test_ratelimit(void **state)
{
	(void)state;
	struct cw_ratelimit *rl = cw_ratelimit_new(3, 1000, 64);
	assert_non_null(rl);
	uint8_t a[17], b[17];
	cw_ratelimit_key("192.0.2.1", a);
	cw_ratelimit_key("192.0.2.2", b);
	int64_t retry = 0, t = 1000000;
	for (int i = 0; i < 3; i++)
		assert_true(cw_ratelimit_take(rl, a, 1, t, &retry));
	assert_false(cw_ratelimit_check(rl, a, 1, t, &retry));
	assert_false(cw_ratelimit_take(rl, a, 1, t, &retry));
	assert_int_equal(retry, 1);
	/* Another address has its own bucket. */
	assert_true(cw_ratelimit_take(rl, b, 1, t, NULL));
	/* One token per second comes back, never more than the burst. */
	assert_false(cw_ratelimit_take(rl, a, 1, t + 999, &retry));
	assert_true(cw_ratelimit_take(rl, a, 1, t + 1000, &retry));
	assert_false(cw_ratelimit_take(rl, a, 1, t + 1000, &retry));
	assert_true(cw_ratelimit_check(rl, a, 1, t + 1000000, NULL));
	for (int i = 0; i < 3; i++)
		assert_true(cw_ratelimit_take(rl, a, 1, t + 1000000, NULL));
	assert_false(cw_ratelimit_take(rl, a, 1, t + 1000000, &retry));
	/* A cost beyond what is left waits for the difference. */
	assert_false(cw_ratelimit_take(rl, a, 2, t + 1000500, &retry));
	assert_int_equal(retry, 2);
	cw_ratelimit_free(rl);
}

static void test_ratelimit_keys(void **state)
{
	(void)state;
	uint8_t a[17], b[17];
	/* An IPv6 subscriber's /64 is one client; a mapped IPv4 address is the IPv4 one. */
	cw_ratelimit_key("2001:db8:1:2::1", a);
	cw_ratelimit_key("2001:db8:1:2:ffff::9", b);
	assert_memory_equal(a, b, 17);
	cw_ratelimit_key("2001:db8:1:3::1", b);
	assert_memory_not_equal(a, b, 17);
	cw_ratelimit_key("::ffff:192.0.2.7", a);
	cw_ratelimit_key("192.0.2.7", b);
	assert_memory_equal(a, b, 17);
	cw_ratelimit_key("-", a);
	cw_ratelimit_key("192.0.2.7", b);
	assert_memory_not_equal(a, b, 17);
}

static void test_ratelimit_table_full(void **state)
{
	(void)state;
	/* A flood of addresses fills the table; memory stays fixed and a client whose bucket
	 * is drained is not forgotten while fuller ones can be dropped. */
	struct cw_ratelimit *rl = cw_ratelimit_new(2, 60000, 8);
	uint8_t k[17], drained[17];
	cw_ratelimit_key("198.51.100.1", drained);
	assert_true(cw_ratelimit_take(rl, drained, 2, 0, NULL));
	char addr[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(addr, sizeof addr, "203.0.%d.%d", i / 250, i % 250 + 1);
		cw_ratelimit_key(addr, k);
		assert_true(cw_ratelimit_take(rl, k, 1, 10, NULL));
	}
	assert_false(cw_ratelimit_take(rl, drained, 1, 20, NULL));
	cw_ratelimit_free(rl);
	assert_null(cw_ratelimit_new(0, 1000, 8));
	assert_null(cw_ratelimit_new(1, 0, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_make),	    cmocka_unit_test(test_code_normalize),
	    cmocka_unit_test(test_text_ok),	    cmocka_unit_test(test_title),
	    cmocka_unit_test(test_categories),	    cmocka_unit_test(test_phases_and_events),
	    cmocka_unit_test(test_ratelimit),	    cmocka_unit_test(test_ratelimit_keys),
	    cmocka_unit_test(test_ratelimit_table_full),
	};
	return cmocka_run_group_tests_name("portal", tests, NULL, NULL);
}
