/* json.h - request bodies parsed through typed field specs.
 *
 * A handler states its fields once, one line each:
 *
 *     const char *username, *password;
 *     struct cw_jfield spec[] = {
 *         CW_JSTR("username", true, 64, &username),
 *         CW_JSTR("password", true, 1024, &password),
 *         CW_JEND,
 *     };
 *     if (!cw_json_parse_or_reply(req, spec))
 *             return;
 *
 * The "…OrReply" contract: on false a 4xx naming the bad field has been sent and
 * nothing was changed. Checks, in order: Content-Type application/json (415),
 * body present, nesting depth, valid UTF-8, JSON syntax, top level an object,
 * unknown fields, then each field's presence, type, length (in characters) and
 * range. Strings land in the request arena. */
#ifndef CW_HTTP_JSON_H
#define CW_HTTP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct cw_arena;
struct cw_req;

enum cw_jtype {
	CW_JT_END,
	CW_JT_STRING, /* out: const char ** */
	CW_JT_INT,    /* out: int64_t *, checked against [min, max] */
	CW_JT_BOOL,   /* out: bool * */
	CW_JT_REAL,   /* out: double * (integers accepted), checked against [min, max] */
	CW_JT_JSON,   /* out: json_t ** borrowed from the parsed body (objects, arrays) */
};

struct cw_jfield {
	const char *name;
	enum cw_jtype type;
	bool required;
	size_t max_len;     /* strings: most characters (code points); 0 = no limit */
	double min, max;    /* ints and reals */
	void *out;
	bool *present;      /* optional: set to whether the field was given (non-null) */
	bool nonempty;      /* strings: "" is invalid */
};

#define CW_JSTR(n, req, len, out) {(n), CW_JT_STRING, (req), (len), 0, 0, (out), NULL, true}
#define CW_JSTR_EMPTY_OK(n, req, len, out) {(n), CW_JT_STRING, (req), (len), 0, 0, (out), NULL, false}
#define CW_JINT(n, req, lo, hi, out) {(n), CW_JT_INT, (req), 0, (lo), (hi), (out), NULL, false}
#define CW_JBOOL(n, req, out) {(n), CW_JT_BOOL, (req), 0, 0, 0, (out), NULL, false}
#define CW_JREAL(n, req, lo, hi, out) {(n), CW_JT_REAL, (req), 0, (lo), (hi), (out), NULL, false}
#define CW_JANY(n, req, out) {(n), CW_JT_JSON, (req), 0, 0, 0, (out), NULL, false}
#define CW_JEND {NULL, CW_JT_END, false, 0, 0, 0, NULL, NULL, false}

/* Parses req's body by spec; the parsed document lives until the request ends. */
bool cw_json_parse_or_reply(struct cw_req *req, const struct cw_jfield *spec);
/* The same checks on any JSON text (also used by the fuzz target). On failure
 * returns the error code and the offending field name (or NULL). */
int cw_json_parse_spec(const char *text, size_t len, int max_depth,
		       const struct cw_jfield *spec, struct cw_arena *a, json_t **doc,
		       const char **bad_field);
/* Nesting depth of JSON text, not counting brackets inside strings. */
int cw_json_depth(const char *text, size_t len);

/* doc as compact JSON text (malloc'd, NUL-terminated, *len bytes), exactly as
 * json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) writes it,
 * only faster; NULL when it cannot be sure (invalid UTF-8, too deep): ask jansson then
 * (json_dump.c). */
char *cw_json_dump(const json_t *doc, size_t *len);

/* A JSON text written straight, member by member, in the bytes cw_json_dump would
 * write for the same document built with jansson, without building it (json_dump.c):
 * for the large, hot replies (a case, the case list). Object members: cw_jw_key then
 * one value. A string that is not valid UTF-8 or a NULL given to cw_jw_str fails the
 * text, as json_pack would: cw_jw_finish then returns NULL. cw_jw_json writes (and
 * takes) a jansson value. */
#define CW_JW_MAX_DEPTH 32
struct cw_jw;
struct cw_jw *cw_jw_new(void);
void cw_jw_obj(struct cw_jw *w);
void cw_jw_obj_end(struct cw_jw *w);
void cw_jw_arr(struct cw_jw *w);
void cw_jw_arr_end(struct cw_jw *w);
void cw_jw_key(struct cw_jw *w, const char *key);
void cw_jw_str(struct cw_jw *w, const char *s);
void cw_jw_str_or_null(struct cw_jw *w, const char *s);
void cw_jw_int(struct cw_jw *w, int64_t v);
void cw_jw_bool(struct cw_jw *w, bool v);
void cw_jw_null(struct cw_jw *w);
void cw_jw_real(struct cw_jw *w, double v);
void cw_jw_json(struct cw_jw *w, json_t *v);
/* The text (malloc'd, NUL-terminated, *len bytes) or NULL when it failed or is not
 * closed; frees w either way. */
char *cw_jw_finish(struct cw_jw *w, size_t *len);
void cw_jw_free(struct cw_jw *w);

#endif
