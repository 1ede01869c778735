/* session.c - POST/GET/DELETE /api/v1/session: sign in, who am I, sign out. */
#include "api/api.h"

#include "util/arena.h"
#include "util/clock.h"

static void reply_session(struct cw_req *req, const struct cw_user *u, const char *csrf)
{
	cw_reply_json(req, 200,
		      json_pack("{s:o, s:s?}", "user", cw_api_user_json(u), "csrf_token", csrf));
}

void cw_h_session_create(struct cw_req *req)
{
	const char *username, *password;
	struct cw_jfield spec[] = {
	    CW_JSTR("username", true, 64, &username),
	    CW_JSTR("password", true, 1024, &password),
	    CW_JEND,
	};
	if (!cw_json_parse_or_reply(req, spec))
		return;
	struct cw_api *api = cw_api_of(req);
	struct cw_actor actor = cw_api_anonymous(req);
	struct cw_identity id;
	const char *cookie;
	enum cw_ec ec = cw_login(api->store, req->arena, &api->cfg, &actor, username, password,
				 cw_now(), &id, &cookie);
	if (cw_api_fail(req, ec, NULL))
		return;
	/* The access log names who signed in (the request itself was anonymous). */
	struct cw_principal *p = cw_arena_alloc(req->arena, sizeof *p);
	p->user_id = id.user.id;
	p->username = id.user.username;
	req->user = p;
	cw_reply_header(req, "Set-Cookie",
			cw_arena_printf(req->arena,
					"cw_session=%s; Path=/; HttpOnly; SameSite=Strict; "
					"Max-Age=%lld%s",
					cookie, (long long)api->cfg.policy.session_absolute,
					api->secure_cookies ? "; Secure" : ""));
	reply_session(req, &id.user, id.csrf_token);
}

void cw_h_session_get(struct cw_req *req)
{
	struct cw_principal *p = req->user;
	struct cw_user u = {.id = p->user_id, .username = p->username, .name = p->name,
			    .roles = p->roles, .region = p->region};
	reply_session(req, &u, p->csrf_token);
}

void cw_h_session_delete(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	if (req->user->via_token) {
		/* A bearer token is not a session: revoke it with the command line. */
		cw_reply_error(req, CW_EC_BAD_REQUEST, NULL);
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	if (cw_api_fail(req, cw_logout(api->store, req->arena, &actor, req->user->session_key),
			NULL))
		return;
	cw_reply_header(req, "Set-Cookie", "cw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	cw_reply_empty(req, 204);
}
