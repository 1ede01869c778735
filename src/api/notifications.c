/* notifications.c - GET /api/v1/notifications, POST …/{id}/read, POST …/read-all;
 * GET and PUT /api/v1/escalation-policy. */
#include <inttypes.h>
#include <string.h>

#include "api/api.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/text.h"

static json_t *time_json(int64_t t)
{
	char buf[40];
	cw_time_format(t, buf, sizeof buf);
	return json_string(buf);
}

void cw_h_notifications_list(struct cw_req *req)
{
	int limit;
	int64_t before = 0;
	bool unread = false;
	const char *u = cw_req_query(req, "unread");
	const char *cursor = cw_req_query(req, "cursor");
	if (u) {
		if (!strcmp(u, "1") || !strcmp(u, "true"))
			unread = true;
		else if (strcmp(u, "0") && strcmp(u, "false")) {
			cw_reply_error(req, CW_EC_INVALID_QUERY, "unread");
			return;
		}
	}
	if (!cw_api_limit_or_reply(req, 50, &limit))
		return;
	if (cursor && !cw_parse_int(cursor, 1, INT64_MAX, &before)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "cursor");
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_notification *items;
	int n;
	if (cw_api_fail(req,
			cw_notifications_list(cw_api_of(req)->store, req->arena, &actor, unread,
					      before, limit + 1, &items, &n),
			NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n && i < limit; i++) {
		const struct cw_notification *nt = &items[i];
		json_array_append_new(
		    arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:b}", "id", (json_int_t)nt->id,
				   "case", (json_int_t)nt->case_id, "number", nt->number, "what",
				   nt->what, "level", nt->level, "text",
				   cw_notification_text(req->arena, nt, req->lang), "at",
				   time_json(nt->at), "read", nt->read_at != 0));
	}
	json_t *next = n > limit ? json_string(cw_arena_printf(req->arena, "%" PRId64,
								items[limit - 1].id))
				 : json_null();
	cw_reply_json(req, 200, json_pack("{s:o, s:o}", "items", arr, "next_cursor", next));
}

void cw_h_notification_read(struct cw_req *req)
{
	int64_t id;
	if (!cw_parse_int(cw_req_param(req, 0), 1, INT64_MAX, &id)) {
		cw_reply_error(req, CW_EC_NOTIFICATION_NOT_FOUND, NULL);
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	if (cw_api_fail(req, cw_notification_read(cw_api_of(req)->store, req->arena, &actor, id,
						  cw_now()),
			NULL))
		return;
	cw_reply_empty(req, 204);
}

void cw_h_notifications_read_all(struct cw_req *req)
{
	struct cw_actor actor = cw_api_actor(req);
	int64_t changed = 0;
	if (cw_api_fail(req, cw_notifications_read_all(cw_api_of(req)->store, req->arena, &actor,
						       cw_now(), &changed),
			NULL))
		return;
	cw_reply_json(req, 200, json_pack("{s:I}", "marked", (json_int_t)changed));
}

/* ---- the escalation policy ---- */

/* Staff who handle or oversee cases, and the sysadmin who configures it. */
static bool may_read_policy(struct cw_req *req)
{
	struct cw_actor actor = cw_api_actor(req);
	cw_roleset staff = 1u << CW_ROLE_SYSADMIN | 1u << CW_ROLE_LEADER |
			   1u << CW_ROLE_DISPATCHER | 1u << CW_ROLE_DEPARTMENT |
			   1u << CW_ROLE_GRID_WORKER | 1u << CW_ROLE_MEDIATOR |
			   1u << CW_ROLE_PETITION_OFFICER;
	if (actor.roles & staff)
		return true;
	cw_reply_error(req, CW_EC_FORBIDDEN, NULL);
	return false;
}

static bool load_policy_or_reply(struct cw_req *req, json_t **out)
{
	struct cw_escalation_config cfg;
	if (cw_api_fail(req, cw_escalation_policy_get(cw_api_of(req)->store, req->arena, &cfg),
			NULL))
		return false;
	*out = cw_escalation_config_json(&cfg);
	return true;
}

static void reply_policy(struct cw_req *req)
{
	json_t *body;
	if (!load_policy_or_reply(req, &body))
		return;
	cw_reply_header(req, "ETag", cw_api_etag(req, body));
	cw_reply_json(req, 200, body);
}

void cw_h_escalation_policy_get(struct cw_req *req)
{
	if (may_read_policy(req))
		reply_policy(req);
}

void cw_h_escalation_policy_put(struct cw_req *req)
{
	json_t *levels = NULL, *cats = NULL;
	int64_t max = 0;
	bool has_max = false;
	struct cw_jfield spec[] = {CW_JANY("levels", false, &levels),
				   {"max_escalations", CW_JT_INT, false, 0, 0, 4, &max, &has_max, false},
				   CW_JANY("categories", false, &cats), CW_JEND};
	if (!cw_api_require_or_reply(req, CW_PERM_CONFIG_WRITE) || !cw_json_parse_or_reply(req, spec))
		return;
	json_t *cur;
	if (!load_policy_or_reply(req, &cur))
		return;
	bool fresh = cw_api_if_match_or_reply(req, cur);
	json_decref(cur);
	if (!fresh)
		return;
	json_t *in = json_object();
	if (levels)
		json_object_set(in, "levels", levels);
	if (has_max)
		json_object_set_new(in, "max_escalations", json_integer(max));
	if (cats)
		json_object_set(in, "categories", cats);
	struct cw_actor actor = cw_api_actor(req);
	const char *field = NULL;
	enum cw_ec ec = cw_escalation_policy_set(cw_api_of(req)->store, req->arena, &actor, in,
						 cw_now(), &field);
	json_decref(in);
	if (cw_api_fail(req, ec, field))
		return;
	reply_policy(req);
}
