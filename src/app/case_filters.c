/* case_filters.c - resolving the case list's department filter (see app.h). */
#include "app/app.h"

#include <string.h>

#include "util/text.h"

struct dept_ctx {
	const struct cw_actor *actor;
	const char *value;
	int64_t id;
};

static int dept_tx(struct cw_tx *tx, void *p)
{
	struct dept_ctx *c = p;
	if (!strcmp(c->value, "mine")) {
		struct cw_user u;
		if (!c->actor->user_id)
			return CW_DB_NOTFOUND;
		int rc = cw_store_user_get(tx, c->actor->user_id, &u);
		if (rc != CW_DB_OK)
			return rc;
		c->id = u.department_id;
		return c->id ? CW_DB_OK : CW_DB_NOTFOUND;
	}
	struct cw_department d;
	int64_t id;
	int rc = cw_parse_int(c->value, 1, INT64_MAX, &id) ? cw_store_department_get(tx, id, &d)
							     : cw_store_department_by_code(tx, c->value, &d);
	if (rc == CW_DB_OK)
		c->id = d.id;
	return rc;
}

enum cw_ec cw_case_filter_department(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, const char *value, int64_t *id)
{
	struct dept_ctx c = {.actor = actor, .value = value};
	*id = 0;
	if (!value || !*value || strlen(value) > 64)
		return CW_EC_INVALID_QUERY;
	int rc = cw_store_tx(s, a, false, dept_tx, &c);
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_INVALID_QUERY, CW_EC_INTERNAL);
	*id = c.id;
	return CW_EC_OK;
}
