/* users.c - account administration for the security administrator (secadmin). */
#include "api/api.h"

#include <inttypes.h>
#include <string.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/text.h"

static bool id_param_or_reply(struct cw_req *req, int64_t *id)
{
	if (!cw_parse_int(cw_req_param(req, 0), 1, INT64_MAX, id)) {
		cw_reply_error(req, CW_EC_USER_NOT_FOUND, NULL);
		return false;
	}
	return true;
}

static json_t *user_admin_json(const struct cw_user *u, int64_t now)
{
	json_t *j = cw_api_user_json(u);
	json_object_set_new(j, "disabled", json_boolean(u->disabled));
	json_object_set_new(j, "locked", json_boolean(u->locked_until > now));
	json_object_set_new(j, "has_password", json_boolean(u->password_hash && *u->password_hash));
	json_object_set_new(j, "department", u->department_id ? json_integer(u->department_id)
							     : json_null());
	return j;
}

/* "roles": ["leader", …] → a set, or 0 when absent; replies on a bad value. */
static bool roles_or_reply(struct cw_req *req, json_t *arr, cw_roleset *out)
{
	*out = 0;
	if (!arr)
		return true;
	size_t i;
	json_t *v;
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > CW_ROLE__COUNT)
		goto bad;
	json_array_foreach(arr, i, v) {
		int r = json_is_string(v) ? cw_role_parse(json_string_value(v)) : -1;
		if (r < 0)
			goto bad;
		*out |= 1u << r;
	}
	return true;
bad:
	cw_reply_error(req, CW_EC_INVALID_FIELD, "roles");
	return false;
}

static const char *field_of(enum cw_ec ec)
{
	switch (ec) {
	case CW_EC_INVALID_ROLES:
		return "roles";
	case CW_EC_WEAK_PASSWORD:
		return "password";
	case CW_EC_REGION_NOT_FOUND:
		return "region";
	case CW_EC_DEPARTMENT_NOT_FOUND:
		return "department";
	case CW_EC_USERNAME_TAKEN:
		return "username";
	default:
		return NULL;
	}
}

void cw_h_users_list(struct cw_req *req)
{
	int limit;
	int64_t after = 0;
	const char *cursor = cw_req_query(req, "cursor");
	if (!cw_api_limit_or_reply(req, 50, &limit))
		return;
	if (cursor && !cw_parse_int(cursor, 0, INT64_MAX, &after)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "cursor");
		return;
	}
	/* Filters (the administration screen): ?role= ?region= ?q= ?state= */
	struct cw_user_filter f = {.role = -1, .region = cw_req_query(req, "region"),
				   .q = cw_req_query(req, "q"), .state = CW_USER_STATE_ANY};
	const char *role = cw_req_query(req, "role"), *state = cw_req_query(req, "state");
	if (role && *role && (f.role = cw_role_parse(role)) < 0) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "role");
		return;
	}
	if (f.q && cw_utf8_len(f.q) > 64) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "q");
		return;
	}
	if (state && *state) {
		static const char *const states[] = {"active", "disabled", "locked"};
		for (int i = 0; i < 3; i++)
			if (strcmp(state, states[i]) == 0)
				f.state = i;
		if (f.state < 0) {
			cw_reply_error(req, CW_EC_INVALID_QUERY, "state");
			return;
		}
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_user *us;
	int n;
	int64_t now = cw_now();
	enum cw_ec ec = cw_user_search_scoped(cw_api_of(req)->store, req->arena, &actor, &f, now,
					      after, limit + 1, &us, &n);
	if (cw_api_fail(req, ec, ec == CW_EC_REGION_NOT_FOUND ? "region" : NULL))
		return;
	json_t *items = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(items, user_admin_json(&us[i], now));
	json_t *next = n > limit ? json_string(cw_arena_printf(req->arena, "%" PRId64,
								us[limit - 1].id))
				 : json_null();
	cw_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

void cw_h_user_get(struct cw_req *req)
{
	int64_t id;
	struct cw_user u;
	if (!cw_api_require_or_reply(req, CW_PERM_USER_READ) || !id_param_or_reply(req, &id))
		return;
	struct cw_actor actor = cw_api_actor(req);
	if (cw_api_fail(req, cw_user_get_scoped(cw_api_of(req)->store, req->arena, &actor, id, &u),
			NULL))
		return;
	cw_reply_json(req, 200, user_admin_json(&u, cw_now()));
}

void cw_h_user_create(struct cw_req *req)
{
	const char *username, *name, *region, *password = NULL;
	json_t *roles_json = NULL;
	int64_t department = 0;
	struct cw_jfield spec[] = {
	    CW_JSTR("username", true, 64, &username),
	    CW_JSTR("name", true, 64, &name),
	    CW_JSTR("region", true, 15, &region),
	    CW_JANY("roles", true, &roles_json),
	    CW_JSTR("password", false, 1024, &password),
	    CW_JINT("department", false, 1, 9007199254740991.0, &department),
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_USER_WRITE) || !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_user_input in = {.username = username, .name = name, .region = region,
				   .password = password, .department_id = department};
	if (!roles_or_reply(req, roles_json, &in.roles))
		return;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_user u;
	enum cw_ec ec = cw_user_create(cw_api_of(req)->store, req->arena, &actor, &in, cw_now(), &u);
	if (cw_api_fail(req, ec, ec == CW_EC_INVALID_FIELD ? "username" : field_of(ec)))
		return;
	cw_reply_header(req, "Location",
			cw_arena_printf(req->arena, "/api/v1/users/%" PRId64, u.id));
	cw_reply_json(req, 201, user_admin_json(&u, cw_now()));
}

void cw_h_user_update(struct cw_req *req)
{
	const char *name = NULL, *region = NULL;
	json_t *roles_json = NULL, *dept_json = NULL;
	bool disabled = false, has_disabled = false;
	int64_t id;
	struct cw_jfield spec[] = {
	    CW_JSTR("name", false, 64, &name),
	    CW_JSTR("region", false, 15, &region),
	    CW_JANY("roles", false, &roles_json),
	    {"disabled", CW_JT_BOOL, false, 0, 0, 0, &disabled, &has_disabled, false},
	    CW_JANY("department", false, &dept_json),
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_USER_WRITE) || !id_param_or_reply(req, &id) ||
	    !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_user_change ch = {.name = name, .region = region, .disabled = -1,
				    .department_id = -1};
	if (!roles_or_reply(req, roles_json, &ch.roles))
		return;
	if (has_disabled)
		ch.disabled = disabled;
	if (dept_json) {
		if (!json_is_integer(dept_json) || json_integer_value(dept_json) < 1) {
			cw_reply_error(req, CW_EC_INVALID_FIELD, "department");
			return;
		}
		ch.department_id = json_integer_value(dept_json);
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_user u;
	if (req->user->user_id == id && has_disabled && disabled) {
		/* Locking oneself out would leave no one to undo it. */
		cw_reply_error(req, CW_EC_FORBIDDEN, "disabled");
		return;
	}
	enum cw_ec ec = cw_user_update(cw_api_of(req)->store, req->arena, &actor, id, &ch, cw_now(), &u);
	if (cw_api_fail(req, ec, field_of(ec)))
		return;
	cw_reply_json(req, 200, user_admin_json(&u, cw_now()));
}

static bool target_or_reply(struct cw_req *req, struct cw_user *u)
{
	int64_t id;
	if (!id_param_or_reply(req, &id))
		return false;
	struct cw_actor actor = cw_api_actor(req);
	return !cw_api_fail(req, cw_user_get_scoped(cw_api_of(req)->store, req->arena, &actor, id, u),
			    NULL);
}

void cw_h_user_unlock(struct cw_req *req)
{
	struct cw_user u;
	if (!cw_api_require_or_reply(req, CW_PERM_USER_WRITE) || !target_or_reply(req, &u))
		return;
	struct cw_actor actor = cw_api_actor(req);
	if (cw_api_fail(req, cw_user_unlock(cw_api_of(req)->store, req->arena, &actor, u.username,
					    cw_now()),
			NULL))
		return;
	cw_reply_empty(req, 204);
}

void cw_h_user_password(struct cw_req *req)
{
	const char *password;
	struct cw_jfield spec[] = {CW_JSTR("password", true, 1024, &password), CW_JEND};
	struct cw_user u;
	if (!cw_api_require_or_reply(req, CW_PERM_USER_WRITE) || !target_or_reply(req, &u) ||
	    !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_actor actor = cw_api_actor(req);
	if (cw_api_fail(req, cw_user_set_password(cw_api_of(req)->store, req->arena, &actor,
						  u.username, password, cw_now()),
			"password"))
		return;
	cw_reply_empty(req, 204);
}

void cw_h_departments_list(struct cw_req *req)
{
	int limit;
	int64_t after = 0;
	const char *cursor = cw_req_query(req, "cursor");
	if (!cw_api_limit_or_reply(req, 100, &limit))
		return;
	if (cursor && !cw_parse_int(cursor, 0, INT64_MAX, &after)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "cursor");
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_department *ds;
	int n;
	if (cw_api_fail(req, cw_department_list_scoped(cw_api_of(req)->store, req->arena, &actor,
						       after, limit + 1, &ds, &n),
			NULL))
		return;
	json_t *items = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s}", "id",
						       (json_int_t)ds[i].id, "code", ds[i].code,
						       "name", ds[i].name, "region", ds[i].region));
	json_t *next = n > limit ? json_string(cw_arena_printf(req->arena, "%" PRId64,
								ds[limit - 1].id))
				 : json_null();
	cw_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}
