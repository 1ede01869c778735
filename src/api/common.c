/* common.c - authentication, the caller as an actor, and helpers every handler uses. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/text.h"

struct cw_actor cw_api_actor(struct cw_req *req)
{
	struct cw_principal *p = req->user;
	return (struct cw_actor){
	    .user_id = p ? p->user_id : 0,
	    .username = p ? p->username : "",
	    .roles = p ? p->roles : 0,
	    /* An authenticated caller without a region would see everything; that
	     * cannot happen (users.region is NOT NULL), so fail closed to "no scope". */
	    .region_path = p ? (p->region_path ? p->region_path : "-") : "-",
	    .source = req->source,
	    .request_id = req->request_id,
	};
}

struct cw_actor cw_api_anonymous(struct cw_req *req)
{
	return (struct cw_actor){.username = "", .region_path = "-", .source = req->source,
				 .request_id = req->request_id};
}

bool cw_api_fail(struct cw_req *req, enum cw_ec ec, const char *field)
{
	if (ec == CW_EC_OK)
		return false;
	cw_reply_error(req, ec, field);
	return true;
}

bool cw_api_require_or_reply(struct cw_req *req, enum cw_perm perm)
{
	if (req->user && cw_roles_allow(req->user->roles, perm))
		return true;
	cw_reply_error(req, CW_EC_FORBIDDEN, NULL);
	return false;
}

bool cw_api_limit_or_reply(struct cw_req *req, int def, int *limit)
{
	const char *s = cw_req_query(req, "limit");
	int64_t v = def;
	if (s && !cw_parse_int(s, 1, 200, &v)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "limit");
		return false;
	}
	*limit = (int)v;
	return true;
}

static void set_principal(struct cw_req *req, const struct cw_identity *id)
{
	struct cw_principal *p = cw_arena_alloc(req->arena, sizeof *p);
	p->user_id = id->user.id;
	p->username = id->user.username;
	p->name = id->user.name;
	p->roles = id->user.roles;
	p->region = id->user.region;
	p->region_path = id->user.region_path;
	p->department_id = id->user.department_id;
	p->via_token = id->via_token;
	p->session_key = id->session_key;
	p->csrf_token = id->csrf_token;
	req->user = p;
}

bool cw_api_authenticate(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	struct cw_identity id;
	enum cw_ec ec;
	const char *authz = cw_req_header(req, "Authorization");
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) != 0) {
			cw_reply_error(req, CW_EC_TOKEN_INVALID, NULL);
			return false;
		}
		ec = cw_token_resolve(api->store, req->arena, authz + 7, cw_now(), &id);
	} else {
		const char *cookie = cw_req_cookie(req, "cw_session");
		if (!cookie) {
			cw_reply_error(req, CW_EC_AUTH_REQUIRED, NULL);
			return false;
		}
		ec = cw_session_resolve(api->store, req->arena, &api->cfg, cookie, cw_now(), &id);
		if (ec == CW_EC_SESSION_EXPIRED)
			cw_reply_header(req, "Set-Cookie",
					"cw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	}
	if (cw_api_fail(req, ec, NULL))
		return false;
	set_principal(req, &id);
	/* A cookie rides along with any request the browser makes; the CSRF token,
	 * which only our own pages can read, proves the page is ours. */
	if (!id.via_token && cw_req_is_write(req)) {
		const char *t = cw_req_header(req, "X-CSRF-Token");
		if (!t || !id.csrf_token || !cw_const_eq(t, id.csrf_token)) {
			cw_reply_error(req, CW_EC_CSRF_FAILED, NULL);
			return false;
		}
	}
	return true;
}

json_t *cw_api_user_json(const struct cw_user *u)
{
	json_t *roles = json_array();
	for (int i = 0; i < CW_ROLE__COUNT; i++)
		if (u->roles & (1u << i))
			json_array_append_new(roles, json_string(cw_role_name((enum cw_role)i)));
	return json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)u->id, "username",
			 u->username, "name", u->name, "roles", roles, "region", u->region);
}

json_t *cw_api_region_json(const struct cw_region *r)
{
	return json_pack("{s:s, s:s, s:s, s:s?}", "code", r->code, "name", r->name, "level",
			 cw_level_name(r->level), "parent", r->parent);
}

const char *cw_api_etag(struct cw_req *req, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	char h[CW_SM3_HEX_LEN];
	cw_sm3_hex(text, strlen(text), h);
	free(text);
	return cw_arena_printf(req->arena, "\"%.16s\"", h);
}

bool cw_api_if_match_or_reply(struct cw_req *req, json_t *current)
{
	const char *if_match = cw_req_header(req, "If-Match");
	if (!if_match) {
		cw_reply_error(req, CW_EC_PRECONDITION_REQUIRED, NULL);
		return false;
	}
	if (strcmp(if_match, "*") != 0 && strcmp(if_match, cw_api_etag(req, current)) != 0) {
		cw_reply_error(req, CW_EC_PRECONDITION_FAILED, NULL);
		return false;
	}
	return true;
}

bool cw_api_if_match_fresh(struct cw_req *req, json_t *current)
{
	const char *if_match = cw_req_header(req, "If-Match");
	bool ok = if_match && (strcmp(if_match, "*") == 0 ||
			       strcmp(if_match, cw_api_etag(req, current)) == 0);
	json_decref(current);
	return ok;
}

json_t *cw_api_time_json(int64_t t)
{
	char buf[40];
	if (!t)
		return json_null();
	cw_time_format(t, buf, sizeof buf);
	return json_string(buf);
}
