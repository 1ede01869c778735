/* stats.c - the map's and the dashboard's API: GET /api/v1/config (public: the tile
 * setting), /api/v1/stats/cases, /api/v1/stats/grids and /api/v1/cases/points. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "util/clock.h"
#include "util/text.h"

#define POINTS_DEFAULT 5000
#define POINTS_MAX 20000

void cw_h_config(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	json_t *o = json_object();
	json_object_set_new(o, "tile_url", api->tile_url ? json_string(api->tile_url) : json_null());
	json_object_set_new(o, "tile_attribution", api->tile_attribution
							? json_string(api->tile_attribution)
							: json_null());
	cw_reply_json(req, 200, o);
}

/* ?name=YYYY-MM-DD, or def when absent; false after replying 400 INVALID_QUERY. */
static bool day_or_reply(struct cw_req *req, const char *name, int64_t def, int64_t *out)
{
	const char *v = cw_req_query(req, name);
	*out = def;
	if (!v)
		return true;
	if (strlen(v) != 10 || !cw_day_parse(v, out)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, name);
		return false;
	}
	return true;
}

static json_t *day_json(int64_t day)
{
	char buf[16];
	cw_day_format(day, buf, sizeof buf);
	return json_string(buf);
}

static json_t *rate_json(int64_t num, int64_t den)
{
	return den > 0 ? json_real((double)num / (double)den) : json_null();
}

void cw_h_stats_cases(struct cw_req *req)
{
	int64_t today = cw_day_of(cw_now()), from, to;
	if (!day_or_reply(req, "to", today, &to))
		return;
	if (!day_or_reply(req, "from", to - 29, &from))
		return;
	const char *region = cw_req_query(req, "region");
	struct cw_actor actor = cw_api_actor(req);
	struct cw_case_stats st;
	const char *field = NULL;
	enum cw_ec ec = cw_stats_cases(cw_api_of(req)->store, req->arena, &actor, region, from, to,
				       &st, &field);
	if (cw_api_fail(req, ec, field))
		return;
	json_t *days = json_array();
	for (int64_t d = st.from_day; d <= st.to_day; d++)
		json_array_append_new(days, json_pack("{s:o, s:I}", "date", day_json(d), "count",
						      (json_int_t)st.by_day[d - st.from_day]));
	json_t *cats = json_array();
	for (int i = 0; i < st.ncategories; i++)
		json_array_append_new(cats, json_pack("{s:s, s:s, s:I}", "code",
						      st.by_category[i].code, "name",
						      st.by_category[i].name, "count",
						      (json_int_t)st.by_category[i].count));
	json_t *regions = json_array();
	for (int i = 0; i < st.nregions; i++) {
		const struct cw_stats_count *r = &st.by_region[i];
		json_array_append_new(regions,
				      json_pack("{s:s, s:s, s:I, s:I, s:I}", "code", r->code, "name",
						r->name, "count", (json_int_t)r->count, "open",
						(json_int_t)r->open, "overdue", (json_int_t)r->overdue));
	}
	json_t *statuses = json_object();
	for (int i = 0; i < st.nstatuses; i++)
		json_object_set_new(statuses, st.by_status[i].code,
				    json_integer(st.by_status[i].count));
	json_t *o = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "region",
			      cw_api_region_json(&st.region), "from", day_json(st.from_day), "to",
			      day_json(st.to_day), "total", (json_int_t)st.total, "open",
			      (json_int_t)st.open, "closed", (json_int_t)st.closed, "overdue",
			      (json_int_t)st.overdue, "supervised", (json_int_t)st.supervised,
			      "escalated", (json_int_t)st.escalated);
	json_object_set_new(o, "on_time_rate", rate_json(st.closed - st.closed_late, st.closed));
	json_object_set_new(o, "satisfaction_rate", rate_json(st.satisfied, st.rated));
	json_object_set_new(o, "rated", json_integer(st.rated));
	json_object_set_new(o, "by_day", days);
	json_object_set_new(o, "by_category", cats);
	json_object_set_new(o, "by_region", regions);
	json_object_set_new(o, "by_status", statuses);
	cw_reply_json(req, 200, o);
}

void cw_h_stats_grids(struct cw_req *req)
{
	struct cw_actor actor = cw_api_actor(req);
	struct cw_stats_grid *items;
	int n;
	if (cw_api_fail(req, cw_stats_grids(cw_api_of(req)->store, req->arena, &actor,
					    cw_req_query(req, "within"), &items, &n),
			NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "grid", items[i].grid,
						     "open", (json_int_t)items[i].open, "overdue",
						     (json_int_t)items[i].overdue));
	cw_reply_json(req, 200, json_pack("{s:o}", "items", arr));
}

void cw_h_case_points(struct cw_req *req)
{
	const char *open = cw_req_query(req, "open"), *lim = cw_req_query(req, "limit");
	int64_t limit = POINTS_DEFAULT;
	bool open_only = true;
	if (open && !strcmp(open, "false"))
		open_only = false;
	else if (open && strcmp(open, "true")) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "open");
		return;
	}
	if (lim && !cw_parse_int(lim, 1, POINTS_MAX, &limit)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "limit");
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_case *items;
	int n;
	bool truncated;
	if (cw_api_fail(req, cw_case_points(cw_api_of(req)->store, req->arena, &actor,
					    cw_req_query(req, "region"), open_only, (int)limit,
					    &items, &n, &truncated),
			NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:f, s:f, s:s, s:b}", "id", (json_int_t)items[i].id,
				   "number", items[i].number, "title", items[i].title, "lon",
				   items[i].lon, "lat", items[i].lat, "status", items[i].status,
				   "overdue", items[i].overdue));
	cw_reply_json(req, 200, json_pack("{s:o, s:b}", "items", arr, "truncated", truncated));
}
