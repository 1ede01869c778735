/* regions.c - the region tree: GET one, list children, create, rename or move. */
#include "api/api.h"

#include <string.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/crypto.h"

static void reply_region(struct cw_req *req, int status, const struct cw_region *r)
{
	json_t *body = cw_api_region_json(r);
	cw_reply_header(req, "ETag", cw_api_etag(req, body));
	cw_reply_json(req, status, body);
}

void cw_h_region_get(struct cw_req *req)
{
	struct cw_actor actor = cw_api_actor(req);
	struct cw_region r;
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_READ) ||
	    cw_api_fail(req, cw_region_get_scoped(cw_api_of(req)->store, req->arena, &actor,
						  cw_req_param(req, 0), &r),
			NULL))
		return;
	reply_region(req, 200, &r);
}

void cw_h_regions_list(struct cw_req *req)
{
	struct cw_actor actor = cw_api_actor(req);
	int limit;
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_READ) ||
	    !cw_api_limit_or_reply(req, 50, &limit))
		return;
	const char *parent = cw_req_query(req, "parent");
	const char *cursor = cw_req_query(req, "cursor");
	if (cursor && cw_region_code_level(cursor) == CW_LEVEL_INVALID) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "cursor");
		return;
	}
	json_t *items = json_array();
	json_t *next = json_null();
	if (!parent || !*parent) {
		/* Without a parent: the top of what the caller may see, their home region. */
		struct cw_region r;
		if (cw_api_fail(req, cw_region_get_scoped(cw_api_of(req)->store, req->arena, &actor,
							  req->user->region, &r),
				NULL)) {
			json_decref(items);
			return;
		}
		json_array_append_new(items, cw_api_region_json(&r));
	} else {
		struct cw_region *rs;
		int n;
		/* One more than asked tells whether another page exists. */
		enum cw_ec ec = cw_region_children_scoped(cw_api_of(req)->store, req->arena, &actor,
							  parent, cursor, limit + 1, &rs, &n);
		if (cw_api_fail(req, ec, ec == CW_EC_REGION_NOT_FOUND ? "parent" : NULL)) {
			json_decref(items);
			return;
		}
		for (int i = 0; i < n && i < limit; i++)
			json_array_append_new(items, cw_api_region_json(&rs[i]));
		if (n > limit) {
			json_decref(next);
			next = json_string(rs[limit - 1].code);
		}
	}
	cw_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

void cw_h_region_create(struct cw_req *req)
{
	const char *code, *name, *parent = NULL;
	struct cw_jfield spec[] = {
	    CW_JSTR("code", true, 15, &code),
	    CW_JSTR("name", true, 100, &name),
	    CW_JSTR("parent", false, 15, &parent),
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_WRITE) ||
	    !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_region r;
	enum cw_ec ec = cw_region_create(cw_api_of(req)->store, req->arena, &actor, code, name,
					 parent, cw_now(), &r);
	if (cw_api_fail(req, ec, ec == CW_EC_INVALID_REGION_CODE ? "code"
				 : ec == CW_EC_REGION_NOT_FOUND  ? "parent"
				 : ec == CW_EC_INVALID_FIELD     ? "name"
								 : NULL))
		return;
	cw_reply_header(req, "Location", cw_arena_printf(req->arena, "/api/v1/regions/%s", r.code));
	reply_region(req, 201, &r);
}

static bool region_fresh(void *req, const void *current)
{
	return cw_api_if_match_fresh(req, cw_api_region_json(current));
}

void cw_h_region_update(struct cw_req *req)
{
	const char *name = NULL, *parent = NULL;
	struct cw_jfield spec[] = {
	    CW_JSTR("name", false, 100, &name),
	    CW_JSTR("parent", false, 15, &parent),
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_WRITE) ||
	    !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_api *api = cw_api_of(req);
	struct cw_actor actor = cw_api_actor(req);
	const char *code = cw_req_param(req, 0);
	struct cw_region r;
	if (cw_api_fail(req, cw_region_get_scoped(api->store, req->arena, &actor, code, &r), NULL))
		return;
	json_t *cur = cw_api_region_json(&r);
	bool fresh = cw_api_if_match_or_reply(req, cur);
	json_decref(cur);
	if (!fresh)
		return;
	/* Checked again under the region's lock: of two writers with one ETag, one wins. */
	struct cw_if_match m = {region_fresh, req};
	enum cw_ec ec = cw_region_update_if(api->store, req->arena, &actor, code, name, parent,
					    cw_now(), &m);
	if (cw_api_fail(req, ec, ec == CW_EC_INVALID_FIELD ? "name"
				 : ec == CW_EC_OK	   ? NULL
							   : (parent ? "parent" : NULL)))
		return;
	if (cw_api_fail(req, cw_region_get_scoped(api->store, req->arena, &actor, code, &r), NULL))
		return;
	reply_region(req, 200, &r);
}
