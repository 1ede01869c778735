/* test_http_json_dump.c - unit tests of src/http/json_dump.c: the replies' JSON text is
 * byte for byte jansson's json_dumps(COMPACT | ENCODE_ANY | REAL_PRECISION(15)), for
 * every kind of value, escapes, reals of every size, key order, nesting, and a few
 * thousand random documents; what it cannot write it refuses (NULL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/json.h"

#define FLAGS (JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* Takes doc. */
static void same_as_jansson(json_t *doc)
{
	char *want = json_dumps(doc, FLAGS);
	size_t len = 0;
	char *got = cw_json_dump(doc, &len);
	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(doc);
}

static void test_scalars(void **state)
{
	(void)state;
	same_as_jansson(json_null());
	same_as_jansson(json_true());
	same_as_jansson(json_false());
	same_as_jansson(json_integer(0));
	same_as_jansson(json_integer(-1));
	same_as_jansson(json_integer(INT64_MAX));
	same_as_jansson(json_integer(INT64_MIN));
	same_as_jansson(json_string(""));
	same_as_jansson(json_object());
	same_as_jansson(json_array());
}

static void test_reals(void **state)
{
	(void)state;
	const double v[] = {0.0,	 -0.0,	      1.0,	   -1.0,	  0.5,
			    116.7831844, 33.9566,     116.78318440000001, 1e15,	  1e16,
			    1e17,	 1e21,	      1e22,	   1e100,	  -1e-5,
			    1e-7,	 1.5e-300,    123456789012345.0,  1.0 / 3.0, 2.0 / 3.0,
			    1e308,	 4.9e-324,    -123.456e-12,	  0.1,	  100.0};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		same_as_jansson(json_real(v[i]));
}

static void test_escapes(void **state)
{
	(void)state;
	same_as_jansson(json_string("a\"b\\c/d"));
	same_as_jansson(json_string("\b\f\n\r\t\x01\x1f\x7f end"));
	same_as_jansson(json_string("杜集区矿山集街道 \xe2\x80\xa8 \xf0\x9f\x98\x80 é"));
	/* A NUL inside a string: refused (jansson then writes \u0000), never cut short. */
	size_t len;
	json_t *nul = json_stringn("nul\0inside", 10);
	char *text = cw_json_dump(nul, &len);
	if (text)
		assert_memory_equal(text, "\"nul\\u0000inside\"", len);
	free(text);
	json_decref(nul);
	json_t *o = json_object();
	json_object_set_new(o, "key \"quoted\"\n", json_string("v"));
	json_object_set_new(o, "名", json_integer(1));
	same_as_jansson(o);
}

static void test_order_and_nesting(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:I, s:s, s:o, s:b, s:[i, f, {s:n}], s:{}}", "zeta", (json_int_t)1,
			      "alpha", "x", "mid", json_null(), "flag", 1, "list", 1, 2.5, "in",
			      "empty");
	json_object_set_new(o, "added", json_string("last"));
	json_object_del(o, "alpha");
	json_object_set_new(o, "alpha", json_string("again"));
	same_as_jansson(o);
	json_t *deep = json_array();
	for (int i = 0; i < 100; i++)
		deep = json_pack("[o]", deep);
	same_as_jansson(deep);
}

static void test_refuses_what_it_cannot_write(void **state)
{
	(void)state;
	size_t len;
	json_t *bad = json_stringn_nocheck("\xff\xfe", 2);
	assert_null(cw_json_dump(bad, &len));
	json_decref(bad);
	json_t *deep = json_array();
	for (int i = 0; i < 300; i++)
		deep = json_pack("[o]", deep);
	assert_null(cw_json_dump(deep, &len));
	json_decref(deep);
	assert_null(cw_json_dump(NULL, &len));
}

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) & 0xffffff;
}

static json_t *random_string(void)
{
	static const char *const parts[] = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x02",
					    "\x1f", "\x7f", "é", "区", "\xf0\x9f\x98\x80", "0", "{"};
	char buf[128];
	size_t n = 0;
	int k = (int)(rnd() % 12);
	for (int i = 0; i < k; i++) {
		const char *p = parts[rnd() % (sizeof parts / sizeof parts[0])];
		size_t l = strlen(p);
		memcpy(buf + n, p, l);
		n += l;
	}
	buf[n] = 0;
	return json_string(buf);
}

static json_t *random_value(int depth)
{
	switch (rnd() % (depth > 4 ? 6 : 8)) {
	case 0: return json_null();
	case 1: return json_boolean(rnd() & 1);
	case 2: return json_integer((json_int_t)rnd() - 0x800000);
	case 3: return json_real(((double)rnd() - 0x800000) / (double)(1u << (rnd() % 24)) *
				 ((rnd() & 1) ? 1e-9 : 1e9));
	case 4:
	case 5: return random_string();
	case 6: {
		json_t *a = json_array();
		for (int i = (int)(rnd() % 5); i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = (int)(rnd() % 6); i > 0; i--) {
			char key[16];
			snprintf(key, sizeof key, "k%u", rnd() % 50);
			json_object_set_new(o, key, random_value(depth + 1));
		}
		return o;
	}
	}
}

static void test_random_documents(void **state)
{
	(void)state;
	for (int i = 0; i < 3000; i++)
		same_as_jansson(random_value(0));
}

/* The streaming writer: the bytes of the same document built with jansson. */
static void test_writer_matches_jansson(void **state)
{
	(void)state;
	json_t *doc = json_pack("{s:I, s:s, s:o, s:b, s:[s, s], s:{s:f, s:f}, s:[], s:{}, s:o, s:s}",
				"id", (json_int_t)-42, "title", "引号\"与\\反斜杠\n换行\x01", "grid",
				json_null(), "overdue", 0, "actions", "accept", "reject", "location",
				"lon", 116.7831844, "lat", 1e22, "timeline", "extra", "embedded",
				json_pack("{s:i}", "k", 1), "last", "");
	char *want = json_dumps(doc, FLAGS);
	json_decref(doc);

	struct cw_jw *w = cw_jw_new();
	cw_jw_obj(w);
	cw_jw_key(w, "id");
	cw_jw_int(w, -42);
	cw_jw_key(w, "title");
	cw_jw_str(w, "引号\"与\\反斜杠\n换行\x01");
	cw_jw_key(w, "grid");
	cw_jw_str_or_null(w, NULL);
	cw_jw_key(w, "overdue");
	cw_jw_bool(w, false);
	cw_jw_key(w, "actions");
	cw_jw_arr(w);
	cw_jw_str(w, "accept");
	cw_jw_str(w, "reject");
	cw_jw_arr_end(w);
	cw_jw_key(w, "location");
	cw_jw_obj(w);
	cw_jw_key(w, "lon");
	cw_jw_real(w, 116.7831844);
	cw_jw_key(w, "lat");
	cw_jw_real(w, 1e22);
	cw_jw_obj_end(w);
	cw_jw_key(w, "timeline");
	cw_jw_arr(w);
	cw_jw_arr_end(w);
	cw_jw_key(w, "extra");
	cw_jw_obj(w);
	cw_jw_obj_end(w);
	cw_jw_key(w, "embedded");
	cw_jw_json(w, json_pack("{s:i}", "k", 1));
	cw_jw_key(w, "last");
	cw_jw_str(w, "");
	cw_jw_obj_end(w);
	size_t len = 0;
	char *got = cw_jw_finish(w, &len);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(got);
	free(want);
}

/* What json_pack would refuse fails the text: NULL, never half a document. */
static void test_writer_fails_whole(void **state)
{
	(void)state;
	size_t len;
	struct cw_jw *w = cw_jw_new();
	cw_jw_obj(w);
	cw_jw_key(w, "a");
	cw_jw_str(w, NULL);
	cw_jw_obj_end(w);
	assert_null(cw_jw_finish(w, &len));
	w = cw_jw_new();
	cw_jw_arr(w);
	cw_jw_str(w, "\xc3\x28");
	cw_jw_arr_end(w);
	assert_null(cw_jw_finish(w, &len));
	w = cw_jw_new();
	cw_jw_arr(w); /* never closed */
	assert_null(cw_jw_finish(w, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_reals),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_order_and_nesting),
	    cmocka_unit_test(test_refuses_what_it_cannot_write),
	    cmocka_unit_test(test_random_documents),
	    cmocka_unit_test(test_writer_matches_jansson),
	    cmocka_unit_test(test_writer_fails_whole),
	};
	return cmocka_run_group_tests_name("http_json_dump", tests, NULL, NULL);
}
