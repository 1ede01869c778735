/* cases.c - /api/v1/cases: report, read, list, and actions with If-Match. The ETag is
 * the case's id and version, so every user's copy of a case goes stale together. */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/case_flow.h"
#include "core/search.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/text.h"

/* "reporter": null when the case holds none; else name and phone (null when not given),
 * masked unless unmasked on request (app/pii.c). */
static json_t *reporter_json(const struct cw_case_reporter *r)
{
	if (!r->present)
		return json_null();
	json_t *o = json_pack("{s:o, s:o, s:b}", "name", r->name ? json_string(r->name) : json_null(),
			      "phone", r->phone ? json_string(r->phone) : json_null(), "masked",
			      r->masked);
	if (r->unreadable)
		json_object_set_new(o, "unreadable", json_true());
	return o;
}

/* ---- a case and the case list, written straight (http/json.h, cw_jw): they are the
 * hottest replies, and building then freeing their jansson trees cost more than
 * reading them from the store. Member for member (order included) the bytes the
 * jansson builders they replaced wrote; a new member is added here. */

/* cw_time_format's "YYYY-MM-DDTHH:MM:SS+08:00" without gmtime_r and snprintf (four a
 * case, two hundred a list page): Hinnant's civil_from_days on China Standard Time.
 * Years outside 1970-9999 go to cw_time_format. */
static void time_text(int64_t t, char out[40])
{
	int64_t local = t + CW_CST_OFFSET;
	if (local < 0 || local >= INT64_C(253402300800)) { /* 10000-01-01 */
		cw_time_format(t, out, 40);
		return;
	}
	int64_t days = local / 86400, secs = local % 86400;
	int64_t z = days + 719468, era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int y = (int)(yoe + era * 400 + (m <= 2));
	int hh = (int)(secs / 3600), mm = (int)(secs / 60 % 60), ss = (int)(secs % 60);
	char *o = out;
	*o++ = (char)('0' + y / 1000);
	*o++ = (char)('0' + y / 100 % 10);
	*o++ = (char)('0' + y / 10 % 10);
	*o++ = (char)('0' + y % 10);
	*o++ = '-';
	*o++ = (char)('0' + m / 10);
	*o++ = (char)('0' + m % 10);
	*o++ = '-';
	*o++ = (char)('0' + d / 10);
	*o++ = (char)('0' + d % 10);
	*o++ = 'T';
	*o++ = (char)('0' + hh / 10);
	*o++ = (char)('0' + hh % 10);
	*o++ = ':';
	*o++ = (char)('0' + mm / 10);
	*o++ = (char)('0' + mm % 10);
	*o++ = ':';
	*o++ = (char)('0' + ss / 10);
	*o++ = (char)('0' + ss % 10);
	memcpy(o, "+08:00", 7);
}

static void jw_time(struct cw_jw *w, const char *key, int64_t t)
{
	cw_jw_key(w, key);
	if (!t) {
		cw_jw_null(w);
		return;
	}
	char buf[40];
	time_text(t, buf);
	cw_jw_str(w, buf);
}

/* The members of case_summary_json, without the braces. */
static void case_summary_write(struct cw_jw *w, const struct cw_case *c)
{
	cw_jw_key(w, "id");
	cw_jw_int(w, c->id);
	cw_jw_key(w, "number");
	cw_jw_str(w, c->number);
	cw_jw_key(w, "kind");
	cw_jw_str(w, c->kind);
	cw_jw_key(w, "category");
	cw_jw_str(w, c->category);
	cw_jw_key(w, "title");
	cw_jw_str(w, c->title);
	cw_jw_key(w, "description");
	cw_jw_str(w, c->description);
	cw_jw_key(w, "status");
	cw_jw_str(w, c->status);
	cw_jw_key(w, "level");
	cw_jw_str(w, c->level);
	cw_jw_key(w, "region");
	cw_jw_str(w, c->region);
	cw_jw_key(w, "grid");
	cw_jw_str_or_null(w, c->grid);
	jw_time(w, "deadline", c->deadline);
	cw_jw_key(w, "overdue");
	cw_jw_bool(w, c->overdue);
	cw_jw_key(w, "supervised");
	cw_jw_bool(w, c->supervised);
	cw_jw_key(w, "version");
	cw_jw_int(w, c->version);
	cw_jw_key(w, "address");
	cw_jw_str(w, c->address);
	cw_jw_key(w, "channel");
	cw_jw_str(w, c->channel);
	jw_time(w, "created_at", c->created_at);
	jw_time(w, "updated_at", c->updated_at);
	cw_jw_key(w, "department");
	if (c->department_id)
		cw_jw_int(w, c->department_id);
	else
		cw_jw_null(w);
	cw_jw_key(w, "location");
	if (c->has_location) {
		cw_jw_obj(w);
		cw_jw_key(w, "lon");
		cw_jw_real(w, c->lon);
		cw_jw_key(w, "lat");
		cw_jw_real(w, c->lat);
		cw_jw_obj_end(w);
	} else {
		cw_jw_null(w);
	}
	if (c->ratings) {
		cw_jw_key(w, "rating");
		cw_jw_int(w, c->rating);
	}
	if (c->merged_into) {
		cw_jw_key(w, "merged_into");
		cw_jw_int(w, c->merged_into);
	}
	cw_jw_key(w, "warned");
	cw_jw_bool(w, c->warned);
	cw_jw_key(w, "clock");
	cw_jw_str_or_null(w, c->clock && *c->clock ? c->clock : NULL);
	jw_time(w, "clock_started_at", c->clock_started_at);
	cw_jw_key(w, "escalations");
	cw_jw_int(w, c->escalations);
}

/* case_json, written. */
static char *case_text(struct cw_req *req, const struct cw_case_view *v, size_t *len)
{
	struct cw_jw *w = cw_jw_new();
	cw_jw_obj(w);
	case_summary_write(w, &v->c);
	cw_jw_key(w, "attachments");
	cw_jw_json(w, cw_api_attachments_brief(req, v->attachments, v->nattachments));
	cw_jw_key(w, "reporter");
	cw_jw_json(w, reporter_json(&v->reporter));
	if (v->department_code) {
		cw_jw_key(w, "department_code");
		cw_jw_str(w, v->department_code);
	}
	cw_jw_key(w, "department_name");
	cw_jw_str_or_null(w, v->department_name);
	cw_jw_key(w, "region_name");
	cw_jw_str_or_null(w, v->region_name);
	cw_jw_key(w, "grid_name");
	cw_jw_str_or_null(w, v->grid_name);
	cw_jw_key(w, "timeline");
	cw_jw_arr(w);
	for (int i = 0; i < v->ntimeline; i++) {
		const struct cw_case_event *e = &v->timeline[i];
		cw_jw_obj(w);
		jw_time(w, "at", e->at);
		cw_jw_key(w, "user");
		cw_jw_str(w, e->username);
		cw_jw_key(w, "action");
		cw_jw_str(w, e->action);
		cw_jw_key(w, "note");
		cw_jw_str(w, e->note);
		cw_jw_key(w, "status_before");
		cw_jw_str(w, e->status_before);
		cw_jw_key(w, "status_after");
		cw_jw_str(w, e->status_after);
		cw_jw_obj_end(w);
	}
	cw_jw_arr_end(w);
	cw_jw_key(w, "actions");
	cw_jw_arr(w);
	for (int i = 0; i < v->nactions; i++)
		cw_jw_str(w, v->actions[i]);
	cw_jw_arr_end(w);
	cw_jw_obj_end(w);
	return cw_jw_finish(w, len);
}

static const char *etag_of(struct cw_req *req, const struct cw_case *c)
{
	return cw_arena_printf(req->arena, "\"%" PRId64 "-%" PRId64 "\"", c->id, c->version);
}

static void reply_case(struct cw_req *req, int status, const struct cw_case_view *v)
{
	cw_reply_header(req, "ETag", etag_of(req, &v->c));
	if (status == 201)
		cw_reply_header(req, "Location",
				cw_arena_printf(req->arena, "/api/v1/cases/%" PRId64, v->c.id));
	size_t len = 0;
	char *text = case_text(req, v, &len);
	cw_reply_json_text(req, status, text, len);
}

static bool id_or_reply(struct cw_req *req, int64_t *id)
{
	if (!cw_parse_int(cw_req_param(req, 0), 1, INT64_MAX, id)) {
		cw_reply_error(req, CW_EC_CASE_NOT_FOUND, NULL);
		return false;
	}
	return true;
}

void cw_h_case_create(struct cw_req *req)
{
	struct cw_case_input in = {0};
	json_t *location = NULL, *reporter = NULL;
	struct cw_jfield spec[] = {
	    CW_JSTR("kind", true, 16, &in.kind),
	    CW_JSTR("category", true, 8, &in.category),
	    CW_JSTR("title", true, CW_CASE_TITLE_MAX, &in.title),
	    CW_JSTR_EMPTY_OK("description", false, CW_CASE_DESCRIPTION_MAX, &in.description),
	    CW_JANY("location", false, &location),
	    CW_JSTR("region", false, 15, &in.region),
	    CW_JSTR_EMPTY_OK("address", false, CW_CASE_ADDRESS_MAX, &in.address),
	    CW_JSTR("channel", false, 32, &in.channel),
	    CW_JANY("reporter", false, &reporter),
	    CW_JEND,
	};
	if (!cw_json_parse_or_reply(req, spec))
		return;
	/* "reporter": {"name", "phone"}, both optional strings, neither empty; the rules
	 * of the values are the service's (core/pii.h). */
	if (reporter && !json_is_null(reporter)) {
		const char *k;
		json_t *val;
		if (!json_is_object(reporter)) {
			cw_reply_error(req, CW_EC_INVALID_FIELD, "reporter");
			return;
		}
		json_object_foreach(reporter, k, val) {
			bool name = !strcmp(k, "name"), phone = !strcmp(k, "phone");
			const char *field = name ? "reporter.name" : "reporter.phone";
			if (!name && !phone) {
				cw_reply_error(req, CW_EC_INVALID_FIELD, "reporter");
				return;
			}
			if (!json_is_string(val) || json_string_length(val) == 0) {
				cw_reply_error(req, CW_EC_INVALID_FIELD, field);
				return;
			}
			*(name ? &in.reporter_name : &in.reporter_phone) = json_string_value(val);
		}
	}
	if (location) {
		json_t *lon = json_object_get(location, "lon"), *lat = json_object_get(location, "lat");
		if (!json_is_object(location) || json_object_size(location) != 2 ||
		    !json_is_number(lon) || !json_is_number(lat)) {
			cw_reply_error(req, CW_EC_INVALID_FIELD, "location");
			return;
		}
		in.has_location = true;
		in.lon = json_number_value(lon);
		in.lat = json_number_value(lat);
	}
	const char *key = cw_req_header(req, "Idempotency-Key");
	if (key) {
		size_t n = strlen(key);
		if (n == 0 || n > 128 || !cw_utf8_valid(key, n)) {
			cw_reply_error(req, CW_EC_BAD_REQUEST, "Idempotency-Key");
			return;
		}
		char hash[CW_SM3_HEX_LEN];
		cw_sm3_hex(req->body ? req->body : "", req->body ? req->body_len : 0, hash);
		in.idempotency_key = key;
		in.request_hash = cw_arena_strndup(req->arena, hash, 64);
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_case_env env = cw_api_case_env(req);
	struct cw_case_view v;
	const char *field = NULL;
	enum cw_ec ec = cw_case_create(cw_api_of(req)->store, req->arena, &env, &actor, &in, cw_now(),
				       &v, &field);
	if (cw_api_fail(req, ec, field))
		return;
	if (!v.replayed)
		cw_events_wake(cw_api_of(req)->events); /* a timeline entry: push it now */
	reply_case(req, v.replayed ? 200 : 201, &v);
}

void cw_h_case_get(struct cw_req *req)
{
	int64_t id;
	if (!id_or_reply(req, &id))
		return;
	/* ?unmask=reporter: the reporter's name and phone in full (permission, audit). */
	const char *unmask = cw_req_query(req, "unmask");
	if (unmask && strcmp(unmask, "reporter") != 0) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "unmask");
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_case_env env = cw_api_case_env(req);
	struct cw_case_view v;
	if (cw_api_fail(req, cw_case_get_unmasked(cw_api_of(req)->store, req->arena, &env, &actor,
						  id, cw_now(), unmask != NULL, &v),
			NULL))
		return;
	if (unmask)
		cw_reply_header(req, "Cache-Control", "no-store");
	reply_case(req, 200, &v);
}

/* If-Match: "<id>-<version>" (the ETag); 428 without it, 412 for another case's. */
static bool if_match_or_reply(struct cw_req *req, int64_t id, int64_t *version)
{
	const char *h = cw_req_header(req, "If-Match");
	if (!h) {
		cw_reply_error(req, CW_EC_PRECONDITION_REQUIRED, "If-Match");
		return false;
	}
	long long hid = 0, hver = 0;
	char tail = 0;
	if (sscanf(h, " \"%lld-%lld\"%c", &hid, &hver, &tail) != 2 || hid != id || hver < 1) {
		cw_reply_error(req, CW_EC_PRECONDITION_FAILED, "If-Match");
		return false;
	}
	*version = hver;
	return true;
}

void cw_h_case_action(struct cw_req *req)
{
	int64_t id, version, department = 0, days = 0, into = 0, rating = 0;
	struct cw_case_action_input in = {0};
	const char *action = cw_req_param(req, 1);
	struct cw_jfield spec[8];
	int n = 0;
	if (!id_or_reply(req, &id))
		return;
	/* Each action takes its own fields (API.md); any other field is refused. */
	if (!strcmp(action, "dispatch"))
		spec[n++] = (struct cw_jfield)CW_JINT("department", true, 1, 9007199254740991.0,
						      &department);
	else if (!strcmp(action, "request_extension")) {
		spec[n++] = (struct cw_jfield)CW_JINT("days", true, 1, 365, &days);
		spec[n++] = (struct cw_jfield)CW_JSTR("reason", true, CW_CASE_TEXT_MAX, &in.reason);
	} else if (!strcmp(action, "return") || !strcmp(action, "escalate") ||
		   !strcmp(action, "reject") || !strcmp(action, "suspend"))
		spec[n++] = (struct cw_jfield)CW_JSTR("reason", !strcmp(action, "return") ||
									!strcmp(action, "escalate"),
						      CW_CASE_TEXT_MAX, &in.reason);
	else if (!strcmp(action, "report_result"))
		spec[n++] = (struct cw_jfield)CW_JSTR("result", true, CW_CASE_TEXT_MAX, &in.result);
	else if (!strcmp(action, "verify"))
		spec[n++] = (struct cw_jfield)CW_JBOOL("fixed", true, &in.fixed);
	else if (!strcmp(action, "merge"))
		spec[n++] = (struct cw_jfield)CW_JINT("into", true, 1, 9007199254740991.0, &into);
	else if (!strcmp(action, "rate")) {
		spec[n++] = (struct cw_jfield)CW_JINT("level", true, 1, 5, &rating);
		spec[n++] = (struct cw_jfield)CW_JSTR_EMPTY_OK("comment", false, CW_CASE_TEXT_MAX,
							       &in.comment);
	}
	spec[n++] = (struct cw_jfield)CW_JSTR_EMPTY_OK("note", false, CW_CASE_TEXT_MAX, &in.note);
	spec[n++] = (struct cw_jfield)CW_JEND;
	/* An empty body is an empty object for actions without fields. */
	if (req->body && req->body_len > 0 && !cw_json_parse_or_reply(req, spec))
		return;
	if ((!req->body || req->body_len == 0) && spec[0].required) {
		cw_reply_error(req, CW_EC_MISSING_FIELD, spec[0].name);
		return;
	}
	if (!if_match_or_reply(req, id, &version))
		return;
	in.department = department;
	in.days = (int)days;
	in.into = into;
	in.rating = (int)rating;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_case_env env = cw_api_case_env(req);
	struct cw_case_view v;
	const char *field = NULL;
	enum cw_ec ec = cw_case_act(cw_api_of(req)->store, req->arena, &env, &actor, id, version,
				    action, &in, cw_now(), &v, &field);
	if (cw_api_fail(req, ec, field))
		return;
	cw_events_wake(cw_api_of(req)->events); /* a timeline entry: push it now */
	reply_case(req, 200, &v);
}

void cw_h_cases_list(struct cw_req *req)
{
	struct cw_case_filter f = {.overdue = -1};
	int limit;
	int64_t before = 0;
	const char *cursor = cw_req_query(req, "cursor");
	f.q = cw_req_query(req, "q");
	if (f.q) { /* full-text search (core/search.h): checked here, matched by the store */
		struct cw_search_query *sq = cw_arena_alloc(req->arena, sizeof *sq);
		if (cw_search_query_parse(f.q, sq) != CW_EC_OK) {
			cw_reply_error(req, CW_EC_INVALID_QUERY, "q");
			return;
		}
	}
	if (!cw_api_limit_or_reply(req, 50, &limit))
		return;
	if (cursor && !cw_parse_int(cursor, 1, INT64_MAX, &before)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "cursor");
		return;
	}
	f.before_id = before;
	f.status = cw_req_query(req, "status");
	f.kind = cw_req_query(req, "kind");
	f.category = cw_req_query(req, "category");
	const char *overdue = cw_req_query(req, "overdue");
	if (overdue) {
		if (!strcmp(overdue, "true"))
			f.overdue = 1;
		else if (!strcmp(overdue, "false"))
			f.overdue = 0;
		else {
			cw_reply_error(req, CW_EC_INVALID_QUERY, "overdue");
			return;
		}
	}
	struct cw_actor actor = cw_api_actor(req);
	if (!cw_api_case_filters_or_reply(req, &actor, &f))
		return;
	const char *region = cw_req_query(req, "region");
	if (region) {
		struct cw_region r;
		enum cw_ec ec = cw_region_get_scoped(cw_api_of(req)->store, req->arena, &actor, region,
						     &r);
		if (cw_api_fail(req, ec == CW_EC_REGION_NOT_FOUND ? CW_EC_INVALID_QUERY : ec,
				"region"))
			return;
		f.region_path = r.path;
	}
	struct cw_case *items;
	int n;
	if (cw_api_fail(req, cw_case_list(cw_api_of(req)->store, req->arena, &actor, &f, limit + 1,
					  &items, &n),
			NULL))
		return;
	/* {"items": [summary + "reporter", …], "next_cursor"}, written straight. */
	struct cw_jw *w = cw_jw_new();
	cw_jw_obj(w);
	cw_jw_key(w, "items");
	cw_jw_arr(w);
	for (int i = 0; i < n && i < limit; i++) {
		struct cw_case_reporter rep; /* lists show masked values only */
		cw_pii_reporter_view(cw_api_of(req)->keyring, req->arena, &items[i], false, &rep);
		cw_jw_obj(w);
		case_summary_write(w, &items[i]);
		cw_jw_key(w, "reporter");
		cw_jw_json(w, reporter_json(&rep));
		cw_jw_obj_end(w);
	}
	cw_jw_arr_end(w);
	cw_jw_key(w, "next_cursor");
	if (n > limit)
		cw_jw_str(w, cw_arena_printf(req->arena, "%" PRId64, items[limit - 1].id));
	else
		cw_jw_null(w);
	cw_jw_obj_end(w);
	size_t len = 0;
	char *text = cw_jw_finish(w, &len);
	cw_reply_json_text(req, 200, text, len);
}
