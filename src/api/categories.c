/* categories.c - GET /api/v1/categories: the case category taxonomy, for every signed-in
 * user (the citizens' portal offers it when they report). */
#include "api/api.h"

#include <string.h>

#include "core/category.h"

static json_t *category_json(const struct cw_stored_category *s)
{
	const struct cw_category *c = &s->cat;
	json_t *depts = json_object();
	/* From the first level up, as a case climbs: grid … city. */
	for (int l = CW_LEVEL__COUNT - 1; l >= 0; l--)
		if (c->departments[l] && *c->departments[l])
			json_object_set_new(depts, cw_level_name((enum cw_level)l),
					    json_string(c->departments[l]));
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:{s:i, s:s}, s:o}", "code", c->code,
			      "parent", *c->parent ? json_string(c->parent) : json_null(), "name",
			      c->name, "kind", c->kind, "first_level", c->first_level, "deadline",
			      "amount", c->deadline.amount, "unit",
			      cw_category_unit_name(c->deadline.unit), "departments", depts);
	if (c->risk && *c->risk)
		json_object_set_new(o, "risk", json_string(c->risk));
	return o;
}

void cw_h_categories_list(struct cw_req *req)
{
	struct cw_stored_category *items;
	int n;
	const char *all = cw_req_query(req, "all");
	if (all && strcmp(all, "true") == 0 && !cw_req_query(req, "kind")) {
		cw_api_categories_list_all(req); /* admin.c: inactive ones too (sysadmin) */
		return;
	}
	enum cw_ec ec = cw_categories_list(cw_api_of(req)->store, req->arena,
					   cw_req_query(req, "kind"), &items, &n);
	if (cw_api_fail(req, ec, ec == CW_EC_INVALID_QUERY ? "kind" : NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, category_json(&items[i]));
	cw_reply_json(req, 200, json_pack("{s:o}", "items", arr));
}

json_t *cw_api_category_json(const struct cw_stored_category *c)
{
	return category_json(c);
}
