/* fuzz_json.c - libFuzzer target for the JSON body parser (cw_json_parse_spec) with
 * the shape of a real request (a case report), checking what it promises on success.
 *
 * Build (json.c's _or_reply half links against server.c, hence libmicrohttpd):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_json.c $(find src/http src/util -name '*.c') src/core/error.c \
 *     $(pkg-config --cflags --libs libmicrohttpd jansson libsodium libgcrypt) -lm */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "http/json.h"
#include "util/arena.h"
#include "util/text.h"

#define MAX_DEPTH 32

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_string(const char *s, size_t max_len, bool nonempty)
{
	if (!s)
		return;
	size_t n = strlen(s);
	check(n == 0 || cw_utf8_valid(s, n));
	check(!nonempty || n > 0);
	check(max_len == 0 || cw_utf8_len(s) <= max_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *kind = NULL, *category = NULL, *title = NULL, *description = NULL;
	const char *address = NULL;
	int64_t level = 3;
	bool anonymous = false, has_address = false;
	double lon = 0;
	json_t *location = NULL;
	const struct cw_jfield spec[] = {
	    CW_JSTR("kind", true, 16, &kind),
	    CW_JSTR("category", true, 32, &category),
	    CW_JSTR("title", true, 100, &title),
	    CW_JSTR_EMPTY_OK("description", false, 2000, &description),
	    {"address", CW_JT_STRING, false, 200, 0, 0, &address, &has_address, true},
	    CW_JINT("level", false, 1, 5, &level),
	    CW_JBOOL("anonymous", false, &anonymous),
	    CW_JREAL("lon", false, -180, 180, &lon),
	    CW_JANY("location", false, &location),
	    CW_JEND,
	};
	struct cw_arena *a = cw_arena_new();
	json_t *doc = NULL;
	const char *field = NULL;
	int ec = cw_json_parse_spec((const char *)data, size, MAX_DEPTH, spec, a, &doc, &field);
	if (ec == CW_EC_OK) {
		check(doc != NULL && json_is_object(doc));
		check_string(kind, 16, true);
		check_string(category, 32, true);
		check_string(title, 100, true);
		check_string(description, 2000, false);
		check_string(address, 200, true);
		check(kind && category && title);
		check(has_address == (address != NULL));
		check(level >= 1 && level <= 5);
		check(lon >= -180 && lon <= 180);
		check(!location || json_is_object(location) || json_is_array(location));
		check(cw_json_depth((const char *)data, size) <= MAX_DEPTH);
	} else {
		check(doc == NULL);
		check(ec > CW_EC_OK && ec < CW_EC__COUNT);
		check(cw_ec_status((enum cw_ec)ec) == 400);
		/* Failure leaves the outputs alone. */
		check(!kind && !category && !title && level == 3 && !location);
		if (field)
			check(cw_utf8_valid(field, strlen(field)));
	}
	json_decref(doc);
	cw_arena_free(a);
	return 0;
}
