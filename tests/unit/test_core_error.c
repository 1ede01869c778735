/* test_core_error.c - unit tests of core/error: the error registry and Accept-Language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "util/text.h"

static void test_registry_complete(void **state)
{
	(void)state;
	for (int ec = 0; ec < CW_EC__COUNT; ec++) {
		const char *name = cw_ec_name((enum cw_ec)ec);
		assert_non_null(name);
		assert_true(strlen(name) > 0);
		/* Codes are UPPER_SNAKE in the JSON contract. */
		if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(name))
			fail_msg("code %d has name \"%s\"", ec, name);
		int status = cw_ec_status((enum cw_ec)ec);
		if (status < 200 || status > 599)
			fail_msg("%s has status %d", name, status);
		/* Only OK is a success; everything else is an error status. */
		if (ec != CW_EC_OK && status < 400)
			fail_msg("%s has non-error status %d", name, status);
		const char *zh = cw_ec_message((enum cw_ec)ec, CW_LANG_ZH);
		const char *en = cw_ec_message((enum cw_ec)ec, CW_LANG_EN);
		assert_non_null(zh);
		assert_non_null(en);
		if (!*zh || !*en)
			fail_msg("%s lacks a message", name);
		/* Messages go into JSON bodies, which must be UTF-8; the zh-CN one is Chinese. */
		assert_true(cw_utf8_valid(zh, strlen(zh)));
		assert_true(cw_utf8_valid(en, strlen(en)));
		assert_true(cw_utf8_len(zh) < strlen(zh));
		assert_string_not_equal(zh, en);
	}
}

static void test_registry_names_unique(void **state)
{
	(void)state;
	for (int a = 0; a < CW_EC__COUNT; a++)
		for (int b = a + 1; b < CW_EC__COUNT; b++)
			if (strcmp(cw_ec_name((enum cw_ec)a), cw_ec_name((enum cw_ec)b)) == 0)
				fail_msg("code name %s is used twice", cw_ec_name((enum cw_ec)a));
}

static void test_registry_known_codes(void **state)
{
	(void)state;
	/* Names and statuses that API.md and clients rely on. */
	assert_int_equal(CW_EC_OK, 0);
	assert_string_equal(cw_ec_name(CW_EC_OK), "OK");
	assert_int_equal(cw_ec_status(CW_EC_OK), 200);
	assert_string_equal(cw_ec_name(CW_EC_AUTH_FAILED), "AUTH_FAILED");
	assert_int_equal(cw_ec_status(CW_EC_AUTH_FAILED), 401);
	assert_string_equal(cw_ec_name(CW_EC_ACCOUNT_LOCKED), "ACCOUNT_LOCKED");
	assert_int_equal(cw_ec_status(CW_EC_ACCOUNT_LOCKED), 423);
	assert_string_equal(cw_ec_name(CW_EC_CSRF_FAILED), "CSRF_FAILED");
	assert_int_equal(cw_ec_status(CW_EC_CSRF_FAILED), 403);
	assert_int_equal(cw_ec_status(CW_EC_UNSUPPORTED_MEDIA_TYPE), 415);
	assert_int_equal(cw_ec_status(CW_EC_PAYLOAD_TOO_LARGE), 413);
	assert_int_equal(cw_ec_status(CW_EC_PRECONDITION_FAILED), 412);
	assert_int_equal(cw_ec_status(CW_EC_REGION_NOT_FOUND), 404);
	assert_int_equal(cw_ec_status(CW_EC_INVALID_REGION_CODE), 400);
	assert_string_equal(cw_ec_message(CW_EC_OK, CW_LANG_EN), "OK");
	assert_string_equal(cw_ec_message(CW_EC_OK, CW_LANG_ZH), "成功");

	/* Out of range answers as INTERNAL rather than reading past the table. */
	assert_string_equal(cw_ec_name(CW_EC__COUNT), "INTERNAL");
	assert_int_equal(cw_ec_status(CW_EC__COUNT), 500);
	assert_string_equal(cw_ec_message(CW_EC__COUNT, CW_LANG_EN),
			    cw_ec_message(CW_EC_INTERNAL, CW_LANG_EN));
	assert_string_equal(cw_ec_message(CW_EC__COUNT, CW_LANG_ZH),
			    cw_ec_message(CW_EC_INTERNAL, CW_LANG_ZH));
}

static void test_lang_from_header(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		enum cw_lang want;
	} cases[] = {
	    {"en", CW_LANG_EN},
	    {"EN", CW_LANG_EN},
	    {"en-US", CW_LANG_EN},
	    {"en-US,en;q=0.9", CW_LANG_EN},
	    {"zh", CW_LANG_ZH},
	    {"zh-CN", CW_LANG_ZH},
	    {"zh-Hant-TW", CW_LANG_ZH},
	    {"zh-CN,zh;q=0.9,en;q=0.8", CW_LANG_ZH},
	    {"fr, en;q=0.5", CW_LANG_EN},
	    {"fr-FR,fr;q=0.9,en-GB;q=0.3", CW_LANG_EN},
	    {"en;q=0.2, zh;q=0.9", CW_LANG_ZH},
	    {"en; q=0.8, zh; q=0.9", CW_LANG_ZH},
	    {"zh;q=0.4,en;q=0.6", CW_LANG_EN},
	    /* Equal weights: the first listed wins. */
	    {"en, zh", CW_LANG_EN},
	    {"zh, en", CW_LANG_ZH},
	    {"en;q=0.5, zh;q=0.5", CW_LANG_EN},
	    /* Nothing we speak: the default. */
	    {"fr", CW_LANG_ZH},
	    {"fr;q=0.9, de", CW_LANG_ZH},
	    {"*", CW_LANG_ZH},
	    {"english", CW_LANG_ZH},
	    {"enx", CW_LANG_ZH},
	    {"", CW_LANG_ZH},
	    {"   ", CW_LANG_ZH},
	    {",,,;;;", CW_LANG_ZH},
	    {";q=1", CW_LANG_ZH},
	    {"\xff\xfe garbage ;;; q=", CW_LANG_ZH},
	    /* q=0 means "not acceptable" (RFC 9110 §12.4.2). */
	    {"en;q=0", CW_LANG_ZH},
	    {"en;q=0.0, fr", CW_LANG_ZH},
	    {"zh;q=0, en", CW_LANG_EN},
	};
	assert_int_equal(cw_lang_from_header(NULL), CW_LANG_ZH);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (cw_lang_from_header(cases[i].header) != cases[i].want)
			fail_msg("Accept-Language \"%s\" should give %s", cases[i].header,
				 cases[i].want == CW_LANG_EN ? "en" : "zh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry_complete),
	    cmocka_unit_test(test_registry_names_unique),
	    cmocka_unit_test(test_registry_known_codes),
	    cmocka_unit_test(test_lang_from_header),
	};
	return cmocka_run_group_tests_name("core_error", tests, NULL, NULL);
}
