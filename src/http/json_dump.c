/* json_dump.c - the replies' JSON text, byte for byte what jansson's
 * json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) writes, at
 * a fraction of its cost: jansson escapes a string one code point at a time through a
 * callback, which was a third of the work of GET /api/v1/cases/{id}. Runs of bytes that
 * need no escape are copied whole. Anything this writer does not know (a string that
 * is not valid UTF-8, a depth past CW_JSON_DUMP_MAX_DEPTH) makes it return NULL, and
 * the caller then asks jansson, whose answer stands. See json.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/json.h"
#include "util/text.h"

#define CW_JSON_DUMP_MAX_DEPTH 256

struct out {
	char *p;
	size_t len, cap;
};

static void grow(struct out *o, size_t need)
{
	if (o->len + need <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 1024;
	while (cap < o->len + need)
		cap *= 2;
	char *p = realloc(o->p, cap);
	if (!p)
		abort(); /* as cw_xrealloc: out of memory is not survivable here */
	o->p = p;
	o->cap = cap;
}

static void put(struct out *o, const char *s, size_t n)
{
	grow(o, n);
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void putc_(struct out *o, char c)
{
	grow(o, 1);
	o->p[o->len++] = c;
}

/* A JSON string as jansson writes it without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH:
 * '"', '\\' and the controls below 0x20 escaped, everything else as is. */
static bool put_string(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	grow(o, n + 2);
	size_t start = o->len;
	o->p[o->len++] = '"';
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			/* UTF-8 checked one run of non-ASCII bytes at a time: no sequence
			 * spans an ASCII byte, so the runs are valid iff the whole is. */
			size_t end = i + 1;
			while (end < n && (unsigned char)s[end] >= 0x80)
				end++;
			if (!cw_utf8_valid(s + i, end - i)) {
				o->len = start;
				return false;
			}
			i = end - 1;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (c == 0) { /* as cw_utf8_valid: no NUL in a string */
			o->len = start;
			return false;
		}
		put(o, s + run, i - run);
		run = i + 1;
		char esc[6] = {'\\', 0};
		size_t el = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			el = 6;
		}
		put(o, esc, el);
	}
	put(o, s + run, n - run);
	putc_(o, '"');
	return true;
}

/* jansson's jsonp_dtostr: "%.15g", a ".0" when it would read back as an integer, the
 * exponent without '+' and leading zeros. */
static void put_real(struct out *o, double v)
{
	char buf[64];
	int r = snprintf(buf, sizeof buf, "%.15g", v);
	if (r < 0 || (size_t)r >= sizeof buf - 3)
		r = 0;
	size_t len = (size_t)r;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == ',') /* a locale's decimal comma */
			buf[i] = '.';
	if (!memchr(buf, '.', len) && !memchr(buf, 'e', len)) {
		buf[len++] = '.';
		buf[len++] = '0';
		buf[len] = 0;
	}
	char *e = memchr(buf, 'e', len);
	if (e) {
		char *start = e + 1, *end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, len - (size_t)(end - buf) + 1);
			len -= (size_t)(end - start);
		}
	}
	put(o, buf, len);
}

static bool put_value(struct out *o, const json_t *v, int depth)
{
	if (depth > CW_JSON_DUMP_MAX_DEPTH)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
		put(o, "null", 4);
		return true;
	case JSON_TRUE:
		put(o, "true", 4);
		return true;
	case JSON_FALSE:
		put(o, "false", 5);
		return true;
	case JSON_INTEGER: {
		char buf[32];
		int r = snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		put(o, buf, (size_t)r);
		return true;
	}
	case JSON_REAL:
		put_real(o, json_real_value(v));
		return true;
	case JSON_STRING:
		return put_string(o, json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		putc_(o, '[');
		size_t n = json_array_size(v);
		for (size_t i = 0; i < n; i++) {
			if (i)
				putc_(o, ',');
			if (!put_value(o, json_array_get(v, i), depth + 1))
				return false;
		}
		putc_(o, ']');
		return true;
	}
	case JSON_OBJECT: {
		putc_(o, '{');
		bool first = true;
		/* Insertion order, as jansson's dump without JSON_SORT_KEYS. */
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			if (!first)
				putc_(o, ',');
			first = false;
			if (!put_string(o, json_object_iter_key(it), json_object_iter_key_len(it)))
				return false;
			putc_(o, ':');
			if (!put_value(o, json_object_iter_value(it), depth + 1))
				return false;
		}
		putc_(o, '}');
		return true;
	}
	}
	return false;
}

char *cw_json_dump(const json_t *doc, size_t *len)
{
	struct out o = {0};
	if (!doc || !put_value(&o, doc, 0)) {
		free(o.p);
		return NULL;
	}
	putc_(&o, 0);
	*len = o.len - 1;
	return o.p;
}

/* ---- the streaming writer (json.h) ---- */

struct cw_jw {
	struct out o;
	int depth;
	bool first[CW_JW_MAX_DEPTH + 1]; /* no member written yet at this depth */
	bool failed;
};

struct cw_jw *cw_jw_new(void)
{
	struct cw_jw *w = calloc(1, sizeof *w);
	if (!w)
		abort();
	w->first[0] = true;
	return w;
}

void cw_jw_free(struct cw_jw *w)
{
	if (!w)
		return;
	free(w->o.p);
	free(w);
}

/* Before a value: the comma that separates it from the one before (array members and
 * top level; an object member's comma comes with its key). */
static void value_sep(struct cw_jw *w, bool after_key)
{
	if (after_key)
		return;
	if (!w->first[w->depth])
		putc_(&w->o, ',');
	w->first[w->depth] = false;
}

static bool after_key_of(struct cw_jw *w)
{
	/* A key just written leaves ':' last. */
	return w->o.len && w->o.p[w->o.len - 1] == ':';
}

static void open_(struct cw_jw *w, char c)
{
	value_sep(w, after_key_of(w));
	putc_(&w->o, c);
	if (w->depth >= CW_JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->first[++w->depth] = true;
}

static void close_(struct cw_jw *w, char c)
{
	putc_(&w->o, c);
	if (w->depth > 0)
		w->depth--;
}

void cw_jw_obj(struct cw_jw *w) { open_(w, '{'); }
void cw_jw_obj_end(struct cw_jw *w) { close_(w, '}'); }
void cw_jw_arr(struct cw_jw *w) { open_(w, '['); }
void cw_jw_arr_end(struct cw_jw *w) { close_(w, ']'); }

void cw_jw_key(struct cw_jw *w, const char *key)
{
	if (!w->first[w->depth])
		putc_(&w->o, ',');
	w->first[w->depth] = false;
	if (!put_string(&w->o, key, strlen(key)))
		w->failed = true;
	putc_(&w->o, ':');
}

void cw_jw_str(struct cw_jw *w, const char *s)
{
	value_sep(w, after_key_of(w));
	if (!s) { /* json_pack's "s" with NULL fails the whole document: so does this */
		w->failed = true;
		put(&w->o, "null", 4);
		return;
	}
	if (!put_string(&w->o, s, strlen(s)))
		w->failed = true;
}

void cw_jw_str_or_null(struct cw_jw *w, const char *s)
{
	if (s)
		cw_jw_str(w, s);
	else
		cw_jw_null(w);
}

void cw_jw_int(struct cw_jw *w, int64_t v)
{
	value_sep(w, after_key_of(w));
	grow(&w->o, 24);
	w->o.len += cw_int_text(v, w->o.p + w->o.len);
}

void cw_jw_bool(struct cw_jw *w, bool v)
{
	value_sep(w, after_key_of(w));
	if (v)
		put(&w->o, "true", 4);
	else
		put(&w->o, "false", 5);
}

void cw_jw_null(struct cw_jw *w)
{
	value_sep(w, after_key_of(w));
	put(&w->o, "null", 4);
}

void cw_jw_real(struct cw_jw *w, double v)
{
	value_sep(w, after_key_of(w));
	put_real(&w->o, v);
}

void cw_jw_json(struct cw_jw *w, json_t *v)
{
	value_sep(w, after_key_of(w));
	if (!v) {
		w->failed = true;
		put(&w->o, "null", 4);
		return;
	}
	if (!put_value(&w->o, v, 0)) {
		/* What this writer refuses, jansson may still write. */
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		if (t)
			put(&w->o, t, strlen(t));
		else
			w->failed = true;
		free(t);
	}
	json_decref(v);
}

char *cw_jw_finish(struct cw_jw *w, size_t *len)
{
	char *text = NULL;
	if (!w->failed && w->depth == 0) {
		putc_(&w->o, 0);
		*len = w->o.len - 1;
		text = w->o.p;
		w->o.p = NULL;
	}
	cw_jw_free(w);
	return text;
}
