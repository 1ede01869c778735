/* test_http_json.c - unit tests of src/http/json.c: the spec parser's every check,
 * in the order json.h promises, and the nesting-depth scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "http/json.h"
#include "util/arena.h"

/* The fields a handler might declare: one of each type, limits that tests hit. */
static const char *name, *note;
static int64_t age;
static bool ok, note_present;
static double lon;
static json_t *loc;
static const struct cw_jfield spec[] = {
    CW_JSTR("name", true, 5, &name),
    CW_JINT("age", false, 0, 150, &age),
    CW_JBOOL("ok", false, &ok),
    CW_JREAL("lon", false, -180, 180, &lon),
    CW_JANY("loc", false, &loc),
    {"note", CW_JT_STRING, false, 0, 0, 0, &note, &note_present, false},
    CW_JEND,
};

static struct cw_arena *arena;
static json_t *doc;
static const char *field;

static void reset_outputs(void)
{
	name = note = "unchanged";
	age = -7;
	ok = false;
	note_present = true;
	lon = -7;
	loc = NULL;
}

/* Parses text against spec with a depth limit of 4; keeps the document in `doc`. */
static int parse_n(const char *text, size_t len)
{
	json_decref(doc);
	doc = NULL;
	return cw_json_parse_spec(text, len, 4, spec, arena, &doc, &field);
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static int setup(void **state)
{
	(void)state;
	arena = cw_arena_new();
	doc = NULL;
	field = NULL;
	reset_outputs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(doc);
	doc = NULL;
	cw_arena_free(arena);
	return 0;
}

static void test_valid_body_fills_every_field(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"张三\",\"age\":42,\"ok\":true,\"lon\":116.8,"
			       "\"loc\":{\"lat\":33.9},\"note\":\"\"}"),
			 CW_EC_OK);
	assert_null(field);
	assert_non_null(doc);
	assert_string_equal(name, "张三");
	assert_int_equal(age, 42);
	assert_true(ok);
	assert_true(lon > 116.79 && lon < 116.81);
	assert_true(json_is_object(loc));
	assert_string_equal(note, "");
	assert_true(note_present);
}

static void test_strings_are_copied_into_the_arena(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"abc\"}"), CW_EC_OK);
	json_decref(doc);
	doc = NULL;
	/* Under ASan a pointer into the freed document would fault here. */
	assert_string_equal(name, "abc");
}

static void test_optional_fields_absent_or_null(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"a\",\"age\":null,\"note\":null}"), CW_EC_OK);
	assert_int_equal(age, -7); /* left as the caller's default */
	assert_false(note_present);
	assert_string_equal(note, "unchanged");
}

static void test_empty_and_syntax_errors(void **state)
{
	(void)state;
	assert_int_equal(cw_json_parse_spec(NULL, 0, 4, spec, arena, &doc, &field),
			 CW_EC_INVALID_JSON);
	assert_null(doc);
	assert_int_equal(parse(""), CW_EC_INVALID_JSON);
	assert_int_equal(parse("   "), CW_EC_INVALID_JSON);
	assert_int_equal(parse("{"), CW_EC_INVALID_JSON);
	assert_int_equal(parse("{\"name\":\"a\",}"), CW_EC_INVALID_JSON);
	assert_int_equal(parse("{\"name\":\"a\"} x"), CW_EC_INVALID_JSON);
	assert_int_equal(parse("{\"name\":'a'}"), CW_EC_INVALID_JSON);
	assert_int_equal(parse("{\"age\":99999999999999999999,\"name\":\"a\"}"),
			 CW_EC_INVALID_JSON);
	/* A raw NUL byte is broken JSON whatever follows it. */
	assert_int_equal(parse_n("{\"name\":\"a\"}\0", 13), CW_EC_INVALID_JSON);
	assert_null(doc);
}

static void test_duplicate_keys_are_invalid(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"a\",\"name\":\"b\"}"), CW_EC_INVALID_JSON);
}

static void test_top_level_must_be_an_object(void **state)
{
	(void)state;
	assert_int_equal(parse("[1,2]"), CW_EC_NOT_AN_OBJECT);
	assert_int_equal(parse("\"name\""), CW_EC_NOT_AN_OBJECT);
	assert_int_equal(parse("42"), CW_EC_NOT_AN_OBJECT);
	assert_int_equal(parse("null"), CW_EC_NOT_AN_OBJECT);
	assert_null(doc);
}

static void test_unknown_field_is_named(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"a\",\"is_admin\":true}"), CW_EC_UNKNOWN_FIELD);
	assert_string_equal(field, "is_admin");
	/* Field names are exact: no case folding. */
	assert_int_equal(parse("{\"Name\":\"a\"}"), CW_EC_UNKNOWN_FIELD);
	assert_string_equal(field, "Name");
	/* A key with an embedded NUL never matches a field. */
	assert_int_not_equal(parse("{\"name\\u0000x\":\"a\",\"name\":\"b\"}"), CW_EC_OK);
}

static void test_missing_required_field(void **state)
{
	(void)state;
	assert_int_equal(parse("{}"), CW_EC_MISSING_FIELD);
	assert_string_equal(field, "name");
	assert_int_equal(parse("{\"name\":null}"), CW_EC_MISSING_FIELD);
	assert_string_equal(field, "name");
}

static void test_wrong_types(void **state)
{
	(void)state;
	static const struct {
		const char *body, *field;
	} cases[] = {
	    {"{\"name\":5}", "name"},
	    {"{\"name\":[\"a\"]}", "name"},
	    {"{\"name\":\"a\",\"age\":\"5\"}", "age"},
	    {"{\"name\":\"a\",\"age\":5.0}", "age"}, /* a real given for an int */
	    {"{\"name\":\"a\",\"age\":5.5}", "age"},
	    {"{\"name\":\"a\",\"age\":true}", "age"},
	    {"{\"name\":\"a\",\"ok\":1}", "ok"},
	    {"{\"name\":\"a\",\"ok\":\"true\"}", "ok"},
	    {"{\"name\":\"a\",\"lon\":\"1\"}", "lon"},
	    {"{\"name\":\"a\",\"loc\":5}", "loc"},
	    {"{\"name\":\"a\",\"loc\":\"x\"}", "loc"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].body), CW_EC_INVALID_FIELD);
		assert_string_equal(field, cases[i].field);
	}
}

static void test_ranges(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"a\",\"age\":0}"), CW_EC_OK);
	assert_int_equal(parse("{\"name\":\"a\",\"age\":150}"), CW_EC_OK);
	assert_int_equal(age, 150);
	assert_int_equal(parse("{\"name\":\"a\",\"age\":151}"), CW_EC_INVALID_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"age\":-1}"), CW_EC_INVALID_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"age\":9223372036854775807}"),
			 CW_EC_INVALID_FIELD);
	assert_int_equal(parse("{\"name\":\"a\",\"lon\":180.0}"), CW_EC_OK);
	assert_int_equal(parse("{\"name\":\"a\",\"lon\":180.0001}"), CW_EC_INVALID_FIELD);
	assert_string_equal(field, "lon");
	/* An integer is a fine real. */
	assert_int_equal(parse("{\"name\":\"a\",\"lon\":-90}"), CW_EC_OK);
	assert_true(lon == -90.0);
}

static void test_string_length_counts_characters(void **state)
{
	(void)state;
	/* Five Chinese characters are 15 bytes but within a limit of 5. */
	assert_int_equal(parse("{\"name\":\"淮北市相山\"}"), CW_EC_OK);
	assert_string_equal(name, "淮北市相山");
	assert_int_equal(parse("{\"name\":\"淮北市相山区\"}"), CW_EC_FIELD_TOO_LONG);
	assert_string_equal(field, "name");
	assert_int_equal(parse("{\"name\":\"abcde\"}"), CW_EC_OK);
	assert_int_equal(parse("{\"name\":\"abcdef\"}"), CW_EC_FIELD_TOO_LONG);
	/* An escape is one character. */
	assert_int_equal(parse("{\"name\":\"\\u6dee\\u5317\"}"), CW_EC_OK);
	assert_string_equal(name, "淮北");
}

static void test_empty_and_nul_strings(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"\"}"), CW_EC_INVALID_FIELD);
	assert_string_equal(field, "name");
	assert_int_equal(parse("{\"name\":\"a\\u0000b\"}"), CW_EC_INVALID_FIELD);
	assert_string_equal(field, "name");
	assert_int_equal(parse("{\"name\":\"a\",\"note\":\"\\u0000\"}"), CW_EC_INVALID_FIELD);
	assert_string_equal(field, "note");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"\xff\"}"), CW_EC_INVALID_UTF8);
	assert_int_equal(parse("{\"name\":\"\xc0\xaf\"}"), CW_EC_INVALID_UTF8); /* overlong */
	assert_int_equal(parse("{\"name\":\"\xed\xa0\x80\"}"), CW_EC_INVALID_UTF8); /* surrogate */
	assert_int_equal(parse("{\"name\":\"\xe6\xb7\"}"), CW_EC_INVALID_UTF8); /* truncated */
	assert_int_equal(parse("{\"\xff\":1}"), CW_EC_INVALID_UTF8);
	assert_null(doc);
}

static void test_failure_changes_nothing(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"fine\",\"age\":1,\"ok\":true,\"lon\":\"bad\"}"),
			 CW_EC_INVALID_FIELD);
	assert_string_equal(name, "unchanged");
	assert_int_equal(age, -7);
	assert_false(ok);
	assert_null(doc);
}

static void test_depth_limit(void **state)
{
	(void)state;
	/* depth 4 is the limit in parse(). */
	assert_int_equal(parse("{\"name\":\"a\",\"loc\":{\"a\":[[1]]}}"), CW_EC_OK);
	assert_int_equal(parse("{\"name\":\"a\",\"loc\":{\"a\":[[[1]]]}}"), CW_EC_JSON_TOO_DEEP);
	assert_null(doc);
	/* Brackets inside strings do not count, including after escaped quotes. */
	assert_int_equal(parse("{\"name\":\"[[[[[\"}"), CW_EC_OK);
	assert_int_equal(parse("{\"name\":\"\\\"[[\",\"note\":\"{{{{{{\"}"), CW_EC_OK);
	/* An escaped backslash ends the escape: the quote after it closes the string. */
	assert_int_equal(parse("{\"name\":\"a\\\\\",\"loc\":[[[[1]]]]}"), CW_EC_JSON_TOO_DEEP);
	/* Depth is checked before syntax: a deep unclosed body is TOO_DEEP. */
	assert_int_equal(parse("[[[[[[[[[[[[[[[[[[[["), CW_EC_JSON_TOO_DEEP);
}

static void test_depth_scan(void **state)
{
	(void)state;
	assert_int_equal(cw_json_depth("", 0), 0);
	assert_int_equal(cw_json_depth("1", 1), 0);
	assert_int_equal(cw_json_depth("{}", 2), 1);
	assert_int_equal(cw_json_depth("[[]]", 4), 2);
	assert_int_equal(cw_json_depth("[[],[[]],{}]", 12), 3);
	assert_int_equal(cw_json_depth("\"[[[\"", 5), 0);
	assert_int_equal(cw_json_depth("[\"\\\"]\",[]]", 10), 2);
	assert_int_equal(cw_json_depth("[\"\\\\\",[]]", 9), 2);
	/* Unbalanced closers never make the depth negative. */
	assert_int_equal(cw_json_depth("]]]}[[", 6), 2);
	/* An unterminated string hides the rest; a trailing backslash is harmless. */
	assert_int_equal(cw_json_depth("[\"[[[", 5), 1);
	assert_int_equal(cw_json_depth("[\"\\", 3), 1);
	/* Only len bytes are read. */
	assert_int_equal(cw_json_depth("[[[[", 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_valid_body_fills_every_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_strings_are_copied_into_the_arena, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_optional_fields_absent_or_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_and_syntax_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_keys_are_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_top_level_must_be_an_object, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_field_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_required_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_string_length_counts_characters, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_empty_and_nul_strings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
	    cmocka_unit_test(test_depth_scan),
	};
	return cmocka_run_group_tests_name("http_json", tests, NULL, NULL);
}
