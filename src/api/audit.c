/* audit.c - GET /api/v1/audit: the audit trail, for the auditor only, newest first. */
#include "api/api.h"

#include <inttypes.h>
#include <string.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/text.h"

static bool time_or_reply(struct cw_req *req, const char *name, int64_t *out)
{
	const char *s = cw_req_query(req, name);
	if (!s || !*s)
		return true;
	if (!cw_time_parse(s, out)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, name);
		return false;
	}
	return true;
}

void cw_h_audit_list(struct cw_req *req)
{
	struct cw_audit_filter f = {.success = -1};
	int limit;
	if (!cw_api_require_or_reply(req, CW_PERM_AUDIT_READ) ||
	    !cw_api_limit_or_reply(req, 50, &limit) || !time_or_reply(req, "from", &f.from) ||
	    !time_or_reply(req, "to", &f.to))
		return;
	const char *s;
	if ((s = cw_req_query(req, "cursor")) && !cw_parse_int(s, 1, INT64_MAX, &f.before_seq)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "cursor");
		return;
	}
	if ((s = cw_req_query(req, "success"))) {
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			cw_reply_error(req, CW_EC_INVALID_QUERY, "success");
			return;
		}
		f.success = s[0] == 't';
	}
	f.username = cw_req_query(req, "user");
	f.action = cw_req_query(req, "action");
	f.object = cw_req_query(req, "object");
	const char *texts[] = {f.username, f.action, f.object};
	const char *names[] = {"user", "action", "object"};
	for (int i = 0; i < 3; i++)
		if (texts[i] && (strlen(texts[i]) > 200 || !cw_utf8_valid(texts[i], strlen(texts[i])))) {
			cw_reply_error(req, CW_EC_INVALID_QUERY, names[i]);
			return;
		}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_audit_rec *rs;
	int n;
	if (cw_api_fail(req, cw_audit_list(cw_api_of(req)->store, req->arena, &actor, &f, limit + 1,
					   &rs, &n),
			NULL))
		return;
	json_t *items = json_array();
	for (int i = 0; i < n && i < limit; i++) {
		char at[40];
		cw_time_format(rs[i].at, at, sizeof at);
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "seq",
			      (json_int_t)rs[i].seq, "at", at, "user_id", (json_int_t)rs[i].user_id,
			      "username", rs[i].username, "role", rs[i].role, "source",
			      rs[i].source, "action", rs[i].action, "object", rs[i].object,
			      "success", rs[i].success, "request_id", rs[i].request_id, "detail",
			      rs[i].detail, "hash", rs[i].hash));
	}
	json_t *next = n > limit ? json_string(cw_arena_printf(req->arena, "%" PRId64,
								rs[limit - 1].seq))
				 : json_null();
	cw_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}
