/* calendar.c - the holiday calendar (read by staff, edited by the sysadmin year by
 * year) and GET /api/v1/calendar/due, the deadline arithmetic the case engine uses. */
#include "api/api.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/gate.h"
#include "util/log.h"
#include "util/text.h"

/* The calendar in use. Readers hold the read lock only while computing a deadline
 * (microseconds); a reload builds the new calendar first and swaps it under the
 * write lock. */
static pthread_rwlock_t cal_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

void cw_api_calendar_refresh(struct cw_api *api, bool force)
{
	/* Out of the gate, as cw_api_grids_refresh. */
	bool gate = cw_gate_pause();
	pthread_mutex_lock(&reload_lock);
	int64_t stored = cw_calendar_version(api->store);
	if (stored >= 0 &&
	    (force || stored != __atomic_load_n(&api->calendar_version, __ATOMIC_ACQUIRE))) {
		struct cw_calendar *fresh = cw_calendar_load(api->store);
		pthread_rwlock_wrlock(&cal_lock);
		struct cw_calendar *old = api->calendar;
		api->calendar = fresh;
		pthread_rwlock_unlock(&cal_lock);
		cw_calendar_free(old);
		__atomic_store_n(&api->calendar_version, stored, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&reload_lock);
	cw_gate_resume(gate);
}

void cw_api_calendar_release(struct cw_api *api)
{
	cw_calendar_free(api->calendar);
	api->calendar = NULL;
}

static json_t *year_json(struct cw_req *req, int year, const struct cw_calendar_day *d, int n)
{
	json_t *days = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(days, json_pack("{s:s, s:s, s:s}", "date", d[i].day, "kind",
						      d[i].kind, "note", d[i].note));
	char hours[64];
	cw_work_hours_format(&cw_api_of(req)->work_hours, hours, sizeof hours);
	return json_pack("{s:i, s:b, s:o, s:s}", "year", year, "published", n > 0, "days", days,
			 "work_hours", hours);
}

static bool year_or_reply(struct cw_req *req, const char *s, int *year)
{
	int64_t y;
	if (!s || !cw_parse_int(s, CW_YEAR_MIN, CW_YEAR_MAX, &y)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "year");
		return false;
	}
	*year = (int)y;
	return true;
}

static bool load_year_or_reply(struct cw_req *req, int year, json_t **out)
{
	struct cw_calendar_day *d;
	int n;
	if (cw_api_fail(req, cw_calendar_year(cw_api_of(req)->store, req->arena, year, &d, &n), NULL))
		return false;
	*out = year_json(req, year, d, n);
	return true;
}

static void reply_year(struct cw_req *req, int year)
{
	json_t *body;
	if (!load_year_or_reply(req, year, &body))
		return;
	cw_reply_header(req, "ETag", cw_api_etag(req, body));
	cw_reply_json(req, 200, body);
}

void cw_h_calendar_get(struct cw_req *req)
{
	int year;
	const char *y = cw_req_query(req, "year");
	if (!y) {
		int m, d;
		cw_day_to_civil(cw_day_of(cw_now()), &year, &m, &d);
	} else if (!year_or_reply(req, y, &year)) {
		return;
	}
	reply_year(req, year);
}

static bool year_fresh(void *req, const void *current)
{
	const struct cw_calendar_days *y = current;
	return cw_api_if_match_fresh(req, year_json(req, y->year, y->days, y->n));
}

void cw_h_calendar_put(struct cw_req *req)
{
	json_t *days_json = NULL;
	struct cw_jfield spec[] = {CW_JANY("days", true, &days_json), CW_JEND};
	int year;
	if (!cw_api_require_or_reply(req, CW_PERM_CONFIG_WRITE) ||
	    !year_or_reply(req, cw_req_param(req, 0), &year) || !cw_json_parse_or_reply(req, spec))
		return;
	if (!json_is_array(days_json) || json_array_size(days_json) > 366) {
		cw_reply_error(req, CW_EC_INVALID_FIELD, "days");
		return;
	}
	size_t n = json_array_size(days_json);
	struct cw_calendar_day *days = cw_arena_alloc(req->arena, (n ? n : 1) * sizeof *days);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(days_json, i);
		const char *date = json_string_value(json_object_get(e, "date"));
		const char *kind = json_string_value(json_object_get(e, "kind"));
		json_t *note = json_object_get(e, "note");
		if (!json_is_object(e) || !date || !kind || (note && !json_is_string(note)) ||
		    json_object_size(e) != 2u + (note != NULL)) {
			cw_reply_error(req, CW_EC_INVALID_FIELD,
				       cw_arena_printf(req->arena, "days[%zu]", i));
			return;
		}
		days[i] = (struct cw_calendar_day){date, kind, note ? json_string_value(note) : ""};
	}
	json_t *cur;
	if (!load_year_or_reply(req, year, &cur))
		return;
	bool fresh = cw_api_if_match_or_reply(req, cur);
	json_decref(cur);
	if (!fresh)
		return;
	struct cw_actor actor = cw_api_actor(req);
	int bad = -1;
	/* The list is sorted by the service; remember the order the client sent. */
	const char **sent = cw_arena_alloc(req->arena, (n ? n : 1) * sizeof *sent);
	for (size_t i = 0; i < n; i++)
		sent[i] = days[i].day;
	struct cw_if_match m = {year_fresh, req}; /* checked again under the year's lock */
	enum cw_ec ec = cw_calendar_set_year_if(cw_api_of(req)->store, req->arena, &actor, year,
						days, (int)n, cw_now(), &bad, &m);
	if (ec == CW_EC_INVALID_CALENDAR && bad >= 0) {
		size_t at = 0;
		while (at < n && sent[at] != days[bad].day)
			at++;
		cw_reply_error(req, ec, cw_arena_printf(req->arena, "days[%zu]", at));
		return;
	}
	if (cw_api_fail(req, ec, NULL))
		return;
	cw_api_calendar_refresh(cw_api_of(req), true);
	reply_year(req, year);
}

void cw_h_calendar_due(struct cw_req *req)
{
	static const char *const rules[] = {"working_days", "working_hours", "days"};
	const char *from_s = cw_req_query(req, "from");
	int64_t from = cw_now();
	if (from_s && !cw_time_parse(from_s, &from)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "from");
		return;
	}
	int rule = -1;
	int64_t n = 0;
	for (int i = 0; i < 3; i++) {
		const char *v = cw_req_query(req, rules[i]);
		if (!v)
			continue;
		if (rule >= 0) { /* exactly one rule */
			cw_reply_error(req, CW_EC_INVALID_QUERY, rules[i]);
			return;
		}
		if (!cw_parse_int(v, 0, i == 1 ? CW_PERIOD_HOURS_MAX : CW_PERIOD_DAYS_MAX, &n)) {
			cw_reply_error(req, CW_EC_INVALID_QUERY, rules[i]);
			return;
		}
		rule = i;
	}
	if (rule < 0) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "working_days");
		return;
	}
	struct cw_api *api = cw_api_of(req);
	int64_t due = 0;
	enum cw_ec ec;
	pthread_rwlock_rdlock(&cal_lock);
	if (rule == 0)
		ec = cw_due_working_days(api->calendar, &api->work_hours, from, (int)n, &due);
	else if (rule == 1)
		ec = cw_due_working_hours(api->calendar, &api->work_hours, from, (int)n, &due);
	else
		ec = cw_due_days(api->calendar, from, (int)n, &due);
	bool covered = cw_calendar_covers(api->calendar, from, due);
	pthread_rwlock_unlock(&cal_lock);
	if (cw_api_fail(req, ec, rules[rule]))
		return;
	char due_s[40], from_txt[40];
	cw_time_format(due, due_s, sizeof due_s);
	cw_time_format(from, from_txt, sizeof from_txt);
	/* calendar_published is false when the period reaches into a year whose
	 * holidays are not listed yet: the answer then counts plain weekdays. */
	cw_reply_json(req, 200,
		      json_pack("{s:s, s:s, s:s, s:I, s:b}", "due", due_s, "from", from_txt, "rule",
				rules[rule], "n", (json_int_t)n, "calendar_published", covered));
}

static enum cw_ec due_cb(void *ctx, int unit, int amount, int64_t from, int64_t *out)
{
	return cw_api_due(ctx, unit, amount, from, out);
}

struct cw_case_env cw_api_case_env(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	return (struct cw_case_env){.locator = api->locator, .due = due_cb, .ctx = api,
				    .keyring = api->keyring};
}

enum cw_ec cw_api_due(struct cw_api *api, int unit, int amount, int64_t from, int64_t *due)
{
	enum cw_ec ec;
	pthread_rwlock_rdlock(&cal_lock);
	if (unit == CW_CASE_DUE_WORKING_DAYS)
		ec = cw_due_working_days(api->calendar, &api->work_hours, from, amount, due);
	else if (unit == CW_CASE_DUE_WORKING_HOURS)
		ec = cw_due_working_hours(api->calendar, &api->work_hours, from, amount, due);
	else if (unit == CW_CASE_DUE_DAYS)
		ec = cw_due_days(api->calendar, from, amount, due);
	else {
		*due = 0;
		ec = CW_EC_OK;
	}
	pthread_rwlock_unlock(&cal_lock);
	return ec;
}
