/* json.c - request bodies checked against typed field specs (Taler's spec arrays);
 * see json.h. Every check happens before any output is written. */
#include "http/json.h"

#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "http/server.h"
#include "util/arena.h"
#include "util/text.h"

int cw_json_depth(const char *text, size_t len)
{
	int depth = 0, max = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++; /* the escaped character cannot end the string */
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return max;
}

static const struct cw_jfield *spec_find(const struct cw_jfield *spec, const char *key,
					 size_t key_len)
{
	/* A key with an embedded NUL (\u0000) never names a field. */
	if (strlen(key) != key_len)
		return NULL;
	for (const struct cw_jfield *f = spec; f->type != CW_JT_END; f++)
		if (strcmp(f->name, key) == 0)
			return f;
	return NULL;
}

/* Whether v (non-null) fits field f; the error code otherwise. */
static enum cw_ec check_value(const struct cw_jfield *f, json_t *v)
{
	switch (f->type) {
	case CW_JT_STRING: {
		if (!json_is_string(v))
			return CW_EC_INVALID_FIELD;
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (memchr(s, 0, n))
			return CW_EC_INVALID_FIELD;
		if (f->nonempty && n == 0)
			return CW_EC_INVALID_FIELD;
		/* Code points are never more than bytes: skip the count when short. */
		if (f->max_len && n > f->max_len && cw_utf8_len(s) > f->max_len)
			return CW_EC_FIELD_TOO_LONG;
		return CW_EC_OK;
	}
	case CW_JT_INT: {
		if (!json_is_integer(v))
			return CW_EC_INVALID_FIELD;
		double d = (double)json_integer_value(v);
		return d < f->min || d > f->max ? CW_EC_INVALID_FIELD : CW_EC_OK;
	}
	case CW_JT_BOOL:
		return json_is_boolean(v) ? CW_EC_OK : CW_EC_INVALID_FIELD;
	case CW_JT_REAL: {
		if (!json_is_number(v))
			return CW_EC_INVALID_FIELD;
		double d = json_number_value(v);
		return d < f->min || d > f->max ? CW_EC_INVALID_FIELD : CW_EC_OK;
	}
	case CW_JT_JSON:
		return json_is_object(v) || json_is_array(v) ? CW_EC_OK : CW_EC_INVALID_FIELD;
	case CW_JT_END:
		break;
	}
	return CW_EC_INTERNAL;
}

static void store_value(const struct cw_jfield *f, json_t *v, struct cw_arena *a)
{
	switch (f->type) {
	case CW_JT_STRING:
		*(const char **)f->out =
		    cw_arena_strndup(a, json_string_value(v), json_string_length(v));
		break;
	case CW_JT_INT:
		*(int64_t *)f->out = (int64_t)json_integer_value(v);
		break;
	case CW_JT_BOOL:
		*(bool *)f->out = json_is_true(v);
		break;
	case CW_JT_REAL:
		*(double *)f->out = json_number_value(v);
		break;
	case CW_JT_JSON:
		*(json_t **)f->out = v;
		break;
	case CW_JT_END:
		break;
	}
}

static int fail(json_t *root, json_t **doc, const char **bad_field, const char *field,
		enum cw_ec ec)
{
	*bad_field = field;
	json_decref(root);
	*doc = NULL;
	return ec;
}

int cw_json_parse_spec(const char *text, size_t len, int max_depth,
		       const struct cw_jfield *spec, struct cw_arena *a, json_t **doc,
		       const char **bad_field)
{
	*doc = NULL;
	*bad_field = NULL;
	if (!text || len == 0)
		return CW_EC_INVALID_JSON;
	/* Before jansson sees it: its parser recurses once per level. */
	if (cw_json_depth(text, len) > max_depth)
		return CW_EC_JSON_TOO_DEEP;
	/* A raw NUL byte is a syntax error, not an encoding one. */
	if (memchr(text, 0, len))
		return CW_EC_INVALID_JSON;
	if (!cw_utf8_valid(text, len))
		return CW_EC_INVALID_UTF8;

	json_error_t err;
	/* JSON_ALLOW_NUL lets "\u0000" in a value parse so that it is reported against
	 * its field (INVALID_FIELD) instead of as broken JSON; JSON_DECODE_ANY lets a
	 * scalar parse so that it is reported as NOT_AN_OBJECT. */
	json_t *root = json_loadb(text, len,
				  JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
	if (!root)
		return json_error_code(&err) == json_error_invalid_utf8 ? CW_EC_INVALID_UTF8
									 : CW_EC_INVALID_JSON;
	if (!json_is_object(root))
		return fail(root, doc, bad_field, NULL, CW_EC_NOT_AN_OBJECT);

	for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
		const char *key = json_object_iter_key(it);
		if (!spec_find(spec, key, json_object_iter_key_len(it)))
			/* The key dies with the document: the arena keeps the copy. */
			return fail(root, doc, bad_field, cw_arena_strdup(a, key),
				    CW_EC_UNKNOWN_FIELD);
	}

	for (const struct cw_jfield *f = spec; f->type != CW_JT_END; f++) {
		json_t *v = json_object_get(root, f->name);
		if (!v || json_is_null(v)) {
			if (f->required)
				return fail(root, doc, bad_field, f->name, CW_EC_MISSING_FIELD);
			continue;
		}
		enum cw_ec ec = check_value(f, v);
		if (ec != CW_EC_OK)
			return fail(root, doc, bad_field, f->name, ec);
	}

	for (const struct cw_jfield *f = spec; f->type != CW_JT_END; f++) {
		json_t *v = json_object_get(root, f->name);
		bool given = v && !json_is_null(v);
		if (f->present)
			*f->present = given;
		if (given && f->out)
			store_value(f, v, a);
	}
	*doc = root;
	return CW_EC_OK;
}

/* "application/json", any case, optionally followed by parameters. */
static bool is_json_media_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	static const char want[] = "application/json";
	size_t n = sizeof want - 1;
	if (strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == 0 || *ct == ';';
}

bool cw_json_parse_or_reply(struct cw_req *req, const struct cw_jfield *spec)
{
	if (!is_json_media_type(cw_req_header(req, "Content-Type"))) {
		cw_reply_error(req, CW_EC_UNSUPPORTED_MEDIA_TYPE, NULL);
		return false;
	}
	json_t *doc;
	const char *field;
	int ec = cw_json_parse_spec(req->body, req->body_len,
				    cw_server_limits_of(req)->max_json_depth, spec, req->arena,
				    &doc, &field);
	if (ec != CW_EC_OK) {
		cw_reply_error(req, (enum cw_ec)ec, field);
		return false;
	}
	cw_req_hold_json(req, doc);
	return true;
}
