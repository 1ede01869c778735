/* test_open311.c - unit tests of the Open311 pieces that need no server: the form body
 * parser (api/open311.c), the check of submitted attribute values and the status
 * mappings (app/open311.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/open311.h"
#include "app/open311.h"
#include "util/arena.h"

static struct cw_form_pair *parse(struct cw_arena *a, const char *body, int *n, bool *ok)
{
	struct cw_form_pair *p = NULL;
	*ok = cw_form_parse(a, body, strlen(body), &p, n);
	return p;
}

static void test_form(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	int n;
	bool ok;
	struct cw_form_pair *p =
	    parse(a, "a=1&b=hello+world&c=%E5%9E%83%2b%26&&attribute%5Bk%5D%5B%5D=x&empty=&flag", &n, &ok);
	assert_true(ok);
	assert_int_equal(n, 6);
	assert_string_equal(p[0].name, "a");
	assert_string_equal(p[0].value, "1");
	assert_string_equal(p[1].value, "hello world");
	assert_string_equal(p[2].value, "垃+&");
	assert_string_equal(p[3].name, "attribute[k][]");
	assert_string_equal(p[3].value, "x");
	assert_string_equal(p[4].name, "empty");
	assert_string_equal(p[4].value, "");
	assert_string_equal(p[5].name, "flag");
	assert_string_equal(p[5].value, "");
	/* Broken escapes, a NUL byte, invalid UTF-8. */
	parse(a, "a=%zz", &n, &ok);
	assert_false(ok);
	parse(a, "a=%4", &n, &ok);
	assert_false(ok);
	parse(a, "a=%", &n, &ok);
	assert_false(ok);
	parse(a, "a=%00", &n, &ok);
	assert_false(ok);
	parse(a, "a=%ff%fe", &n, &ok);
	assert_false(ok);
	parse(a, "", &n, &ok);
	assert_true(ok);
	assert_int_equal(n, 0);
	cw_arena_free(a);
}

static const struct cw_o311_attr attrs[] = {
    {.code = "volume", .datatype = "singlevaluelist", .required = true, .variable = true,
     .values = "[{\"key\":\"small\",\"name\":\"S\"},{\"key\":\"large\",\"name\":\"L\"}]"},
    {.code = "kinds", .datatype = "multivaluelist", .variable = true,
     .values = "[{\"key\":\"a\",\"name\":\"A\"},{\"key\":\"b\",\"name\":\"B\"}]"},
    {.code = "bags", .datatype = "number", .variable = true, .values = "[]"},
    {.code = "seen", .datatype = "datetime", .variable = true, .values = "[]"},
    {.code = "mark", .datatype = "string", .variable = true, .values = "[]"},
    {.code = "more", .datatype = "text", .variable = true, .values = "[]"},
    {.code = "info", .datatype = "string", .variable = false, .values = "[]"},
};
#define NATTRS ((int)(sizeof attrs / sizeof attrs[0]))

static enum cw_ec check1(struct cw_arena *a, const char *code, const char *v, bool list,
			 const char **json, const char **field)
{
	const char *vol[] = {"small"};
	const char *vals[] = {v};
	struct cw_o311_value in[2] = {{.code = "volume", .v = vol, .n = 1},
				      {.code = code, .v = vals, .n = 1, .list = list}};
	if (strcmp(code, "volume") == 0) /* the value under test is the only one */
		return cw_o311_check_values(a, attrs, NATTRS, in + 1, 1, json, field);
	return cw_o311_check_values(a, attrs, NATTRS, in, 2, json, field);
}

static void test_values(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	const char *json = NULL, *field = NULL;
	const char *kinds[] = {"b", "a"};
	const char *vol[] = {"large"};
	struct cw_o311_value ok[] = {{.code = "volume", .v = vol, .n = 1},
				     {.code = "kinds", .v = kinds, .n = 2, .list = true}};
	assert_int_equal(cw_o311_check_values(a, attrs, NATTRS, ok, 2, &json, &field), CW_EC_OK);
	assert_string_equal(json, "{\"kinds\":[\"b\",\"a\"],\"volume\":\"large\"}");

	assert_int_equal(check1(a, "bags", "3.5", false, &json, &field), CW_EC_OK);
	assert_int_equal(check1(a, "bags", "-2e3", false, &json, &field), CW_EC_OK);
	assert_int_equal(check1(a, "seen", "2026-11-27T08:00:00+08:00", false, &json, &field), CW_EC_OK);
	assert_int_equal(check1(a, "seen", "2026-11-27", false, &json, &field), CW_EC_OK);
	assert_int_equal(check1(a, "mark", "东门", false, &json, &field), CW_EC_OK);
	assert_int_equal(check1(a, "kinds", "a", false, &json, &field), CW_EC_OK);

	const struct {
		const char *code, *v;
		bool list;
	} bad[] = {
	    {"bags", "three", false}, {"bags", "1x", false},	{"bags", "nan", false},
	    {"bags", "inf", false},   {"seen", "today", false}, {"volume", "huge", false},
	    {"kinds", "c", false},    {"nope", "x", false},	{"info", "x", false},
	    {"mark", "a\x01", false}, {"bags", "1", true},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		field = NULL;
		assert_int_equal(check1(a, bad[i].code, bad[i].v, bad[i].list, &json, &field),
				 CW_EC_INVALID_ATTRIBUTE);
		char want[80];
		snprintf(want, sizeof want, "attribute[%s]", bad[i].code);
		assert_string_equal(field, want);
	}
	/* The required one missing; two values for a single-value list. */
	const char *m[] = {"1"};
	struct cw_o311_value only_bags[] = {{.code = "bags", .v = m, .n = 1}};
	assert_int_equal(cw_o311_check_values(a, attrs, NATTRS, only_bags, 1, &json, &field),
			 CW_EC_INVALID_ATTRIBUTE);
	assert_string_equal(field, "attribute[volume]");
	const char *two[] = {"small", "large"};
	struct cw_o311_value twice[] = {{.code = "volume", .v = two, .n = 2, .list = true}};
	assert_int_equal(cw_o311_check_values(a, attrs, NATTRS, twice, 1, &json, &field),
			 CW_EC_INVALID_ATTRIBUTE);
	cw_arena_free(a);
}

static void test_status(void **state)
{
	(void)state;
	const char *open[] = {"reported", "registered", "dispatched", "in_progress", "resolved",
			      "suspended"};
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
		assert_string_equal(cw_o311_status(open[i]), "open");
	const char *closed[] = {"closed", "rejected", "merged", "final"};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
		assert_string_equal(cw_o311_status(closed[i]), "closed");
	assert_string_equal(cw_o311_update_status("reported"), "OPEN");
	assert_string_equal(cw_o311_update_status("dispatched"), "ACTION_SCHEDULED");
	assert_string_equal(cw_o311_update_status("in_progress"), "IN_PROGRESS");
	assert_string_equal(cw_o311_update_status("closed"), "FIXED");
	assert_string_equal(cw_o311_update_status("rejected"), "NO_FURTHER_ACTION");
	assert_string_equal(cw_o311_update_status("merged"), "DUPLICATE");
	assert_string_equal(cw_o311_update_status("final"), "CLOSED");
	assert_string_equal(cw_o311_update_status("mediating"), "OPEN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
