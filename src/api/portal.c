/* portal.c - /api/v1/public/…: the citizens' portal (no sign-in; app/portal.c).
 *
 * These routes are public: they never look at a session cookie or a token, so a staff
 * member's browser gains nothing by calling them and there is no CSRF to guard against
 * (a forged request could only do what anyone may do anonymously). Abuse is held off
 * by a token bucket per client network (util/ratelimit.h): every POST takes a token,
 * and so does every tracking-code lookup that finds nothing; without one the answer
 * is 429 RATE_LIMITED with Retry-After. The tracking code in the path never reaches
 * the access log (CW_ROUTE_SECRET_PATH), and no answer here may be cached. */
#include "api/api.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/portal.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/ratelimit.h"

/* An address as bytes (family first), for comparing the text forms of one address. */
static bool addr_bytes(const char *text, uint8_t out[17])
{
	memset(out, 0, 17);
	if (inet_pton(AF_INET, text, out + 1) == 1) {
		out[0] = 4;
		return true;
	}
	if (inet_pton(AF_INET6, text, out + 1) == 1) {
		out[0] = 6;
		return true;
	}
	return false;
}

static bool is_trusted(const char *list, const char *addr)
{
	uint8_t a[17], b[17];
	if (!list || !addr || !addr_bytes(addr, a))
		return false;
	char item[64];
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		size_t i = 0, j = n;
		while (i < n && p[i] == ' ')
			i++;
		while (j > i && p[j - 1] == ' ')
			j--;
		if (j - i < sizeof item) {
			memcpy(item, p + i, j - i);
			item[j - i] = 0;
			if (addr_bytes(item, b) && memcmp(a, b, 17) == 0)
				return true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The citizen's address: the connection's, unless it is a trusted reverse proxy's;
 * then the right-most address of X-Forwarded-For that is not a trusted proxy (the one
 * the outermost proxy saw; what lies left of it the client may have written). */
static const char *client_of(struct cw_req *req)
{
	const char *list = cw_api_of(req)->trusted_proxies;
	if (!list || !*list || !is_trusted(list, req->source))
		return req->source;
	const char *xff = cw_req_header(req, "X-Forwarded-For");
	if (!xff)
		return req->source;
	size_t len = strlen(xff);
	while (len > 0) {
		size_t start = len;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		size_t i = start, j = len;
		while (i < j && (xff[i] == ' ' || xff[i] == '\t'))
			i++;
		while (j > i && (xff[j - 1] == ' ' || xff[j - 1] == '\t'))
			j--;
		char *item = cw_arena_strndup(req->arena, xff + i, j - i);
		uint8_t b[17];
		if (!addr_bytes(item, b))
			return req->source; /* not an address: believe nothing */
		if (!is_trusted(list, item))
			return item;
		len = start > 0 ? start - 1 : 0;
	}
	return req->source;
}

/* Takes a token from the caller's bucket, or replies 429 and returns false. */
static bool take_or_reply(struct cw_req *req)
{
	struct cw_ratelimit *rl = cw_api_of(req)->portal_limit;
	if (!rl)
		return true;
	uint8_t key[17];
	int64_t retry = 0;
	cw_ratelimit_key(client_of(req), key);
	if (cw_ratelimit_take(rl, key, 1, cw_now_ms(), &retry))
		return true;
	cw_reply_header(req, "Retry-After", cw_arena_printf(req->arena, "%" PRId64, retry));
	cw_reply_header(req, "Cache-Control", "no-store");
	cw_reply_error(req, CW_EC_RATE_LIMITED, NULL);
	return false;
}

static json_t *view_json(const struct cw_portal_view *v)
{
	json_t *tl = json_array();
	for (int i = 0; i < v->ntimeline; i++) {
		const struct cw_portal_event *e = &v->timeline[i];
		json_t *o = json_pack("{s:o, s:s, s:s}", "at", cw_api_time_json(e->at), "event", e->event,
				      "status", e->phase);
		if (e->note)
			json_object_set_new(o, "note", json_string(e->note));
		json_array_append_new(tl, o);
	}
	return json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:b, s:o}",
			 "number", v->number, "category", "code", v->category, "name",
			 v->category_name, "status", v->phase, "created_at",
			 cw_api_time_json(v->created_at), "updated_at", cw_api_time_json(v->updated_at),
			 "deadline", cw_api_time_json(v->deadline), "timeline", tl, "photos", v->photos,
			 "photos_max", CW_PORTAL_PHOTOS_MAX, "can_rate", v->can_rate, "rating",
			 v->rating ? json_integer(v->rating) : json_null());
}

static void reply_view(struct cw_req *req, int status, const struct cw_portal_view *v)
{
	json_t *o = view_json(v);
	if (v->merged_phase)
		json_object_set_new(o, "merged_status", json_string(v->merged_phase));
	cw_reply_header(req, "Cache-Control", "no-store");
	cw_reply_json(req, status, o);
}

/* ---- GET /api/v1/public/categories ---- */

void cw_h_public_categories(struct cw_req *req)
{
	struct cw_stored_category *items;
	int n;
	if (cw_api_fail(req, cw_portal_categories(cw_api_of(req)->store, req->arena, &items, &n),
			NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct cw_category *c = &items[i].cat;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s}", "code", c->code, "name",
						     c->name, "parent",
						     c->parent && *c->parent ? json_string(c->parent)
									     : json_null(),
						     "kind", c->kind));
	}
	cw_reply_header(req, "Cache-Control", "public, max-age=300");
	cw_reply_json(req, 200, json_pack("{s:o}", "items", arr));
}

/* ---- POST /api/v1/public/reports ---- */

void cw_h_public_report_create(struct cw_req *req)
{
	if (!take_or_reply(req))
		return;
	struct cw_portal_input in = {0};
	json_t *location = NULL;
	struct cw_jfield spec[] = {
	    CW_JSTR("category", true, 8, &in.category),
	    CW_JSTR("description", true, CW_PORTAL_DESCRIPTION_MAX, &in.description),
	    CW_JSTR("title", false, CW_PORTAL_TITLE_MAX, &in.title),
	    CW_JANY("location", true, &location),
	    CW_JSTR_EMPTY_OK("address", false, CW_PORTAL_ADDRESS_MAX, &in.address),
	    CW_JSTR_EMPTY_OK("name", false, 50, &in.name),
	    CW_JSTR_EMPTY_OK("phone", false, 20, &in.phone),
	    CW_JEND,
	};
	if (!cw_json_parse_or_reply(req, spec))
		return;
	json_t *lon = json_object_get(location, "lon"), *lat = json_object_get(location, "lat");
	if (!json_is_object(location) || json_object_size(location) != 2 || !json_is_number(lon) ||
	    !json_is_number(lat)) {
		cw_reply_error(req, CW_EC_INVALID_FIELD, "location");
		return;
	}
	in.lon = json_number_value(lon);
	in.lat = json_number_value(lat);
	/* Optional fields left empty on a form are not given. */
	if (in.address && !*in.address)
		in.address = NULL;
	if (in.name && !*in.name)
		in.name = NULL;
	if (in.phone && !*in.phone)
		in.phone = NULL;
	struct cw_case_env env = cw_api_case_env(req);
	struct cw_portal_view v;
	char code[16];
	const char *field = NULL;
	enum cw_ec ec = cw_portal_report(cw_api_of(req)->store, req->arena, &env, client_of(req),
					 req->request_id, &in, cw_now(), code, &v, &field);
	if (cw_api_fail(req, ec, field))
		return;
	cw_events_wake(cw_api_of(req)->events);
	cw_reply_header(req, "Cache-Control", "no-store");
	cw_reply_json(req, 201, json_pack("{s:s, s:o}", "tracking_code", code, "case", view_json(&v)));
}

/* ---- GET /api/v1/public/reports/{code} ---- */

void cw_h_public_report_get(struct cw_req *req)
{
	struct cw_portal_view v;
	struct cw_case_env env = cw_api_case_env(req);
	enum cw_ec ec = cw_portal_get(cw_api_of(req)->store, req->arena, &env, cw_req_param(req, 0),
				      cw_now(), &v);
	/* A lookup that finds nothing costs a token: guessing codes runs dry. */
	if (ec == CW_EC_CASE_NOT_FOUND && !take_or_reply(req))
		return;
	if (cw_api_fail(req, ec, NULL))
		return;
	reply_view(req, 200, &v);
}

/* ---- POST /api/v1/public/reports/{code}/photos ---- */

void cw_h_public_report_photo(struct cw_req *req)
{
	if (!take_or_reply(req))
		return;
	struct cw_attachment_input in = {
	    .content_type = cw_req_header(req, "Content-Type"),
	    .data = req->body,
	    .len = req->body ? req->body_len : 0,
	};
	struct cw_case_env env = cw_api_case_env(req);
	struct cw_portal_view v;
	const char *field = NULL;
	struct cw_api *api = cw_api_of(req);
	enum cw_ec ec = cw_portal_add_photo(api->store, req->arena, &env, api->data_dir,
					    client_of(req), req->request_id, cw_req_param(req, 0), &in,
					    cw_now(), &v, &field);
	if (cw_api_fail(req, ec, field))
		return;
	cw_events_wake(api->events);
	reply_view(req, 201, &v);
}

/* ---- POST /api/v1/public/reports/{code}/rating ---- */

void cw_h_public_report_rate(struct cw_req *req)
{
	if (!take_or_reply(req))
		return;
	int64_t level = 0;
	const char *comment = NULL;
	struct cw_jfield spec[] = {
	    CW_JINT("level", true, 1, 5, &level),
	    CW_JSTR_EMPTY_OK("comment", false, CW_PORTAL_COMMENT_MAX, &comment),
	    CW_JEND,
	};
	if (!cw_json_parse_or_reply(req, spec))
		return;
	struct cw_case_env env = cw_api_case_env(req);
	struct cw_portal_view v;
	const char *field = NULL;
	enum cw_ec ec = cw_portal_rate(cw_api_of(req)->store, req->arena, &env, client_of(req),
				       req->request_id, cw_req_param(req, 0), (int)level, comment,
				       cw_now(), &v, &field);
	if (cw_api_fail(req, ec, field))
		return;
	cw_events_wake(cw_api_of(req)->events);
	reply_view(req, 200, &v);
}
