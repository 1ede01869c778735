/* notifications.c - who hears of a change to a case, and each user's notifications. */
#include "app/app.h"
#include "app/case_internal.h"

#include <string.h>

#include "util/arena.h"

/* The code at `level` on a region path ("340600000000/340603000000/…"); "" when the path
 * has no region of that level. */
static void ancestor_at(const char *path, enum cw_level level, char out[CW_REGION_CODE_MAX])
{
	out[0] = 0;
	const char *q = path ? path : "";
	while (*q) {
		size_t len = strcspn(q, "/");
		char part[CW_REGION_CODE_MAX] = "";
		if (len < sizeof part) {
			memcpy(part, q, len);
			if (cw_region_code_level(part) == level) {
				memcpy(out, part, sizeof part);
				return;
			}
		}
		q += len;
		if (*q == '/')
			q++;
	}
}

struct recipients {
	int64_t *ids;
	int n, cap;
	struct cw_arena *a;
	int64_t skip;
};

static void add(struct recipients *r, int64_t id)
{
	if (!id || id == r->skip)
		return;
	for (int i = 0; i < r->n; i++)
		if (r->ids[i] == id)
			return;
	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 16;
		int64_t *v = cw_arena_alloc(r->a, (size_t)cap * sizeof *v);
		if (r->n)
			memcpy(v, r->ids, (size_t)r->n * sizeof *v);
		r->ids = v;
		r->cap = cap;
	}
	r->ids[r->n++] = id;
}

int cw_notify_case(struct cw_tx *tx, const struct cw_case *k, unsigned notify, const char *what,
		   int64_t skip_user, int64_t now, int *count)
{
	struct recipients r = {.a = cw_store_tx_arena(tx), .skip = skip_user};
	struct cw_recipient *v;
	int n, rc;
	*count = 0;
	if (!notify)
		return CW_DB_OK;
	if (notify & CW_CASE_NOTIFY_REPORTER)
		add(&r, k->reporter_user_id);
	if (notify & (CW_CASE_NOTIFY_DISPATCHER | CW_CASE_NOTIFY_LEADERS)) {
		/* The dispatch centre and the leaders of the region at the handling level. */
		char at[CW_REGION_CODE_MAX];
		ancestor_at(k->region_path, cw_level_parse(k->level), at);
		if (*at) {
			if ((rc = cw_store_users_at_region(tx, at, &v, &n)) != CW_DB_OK)
				return rc;
			for (int i = 0; i < n; i++)
				if (((notify & CW_CASE_NOTIFY_DISPATCHER) &&
				     (v[i].roles & (1u << CW_ROLE_DISPATCHER))) ||
				    ((notify & CW_CASE_NOTIFY_LEADERS) &&
				     (v[i].roles & (1u << CW_ROLE_LEADER))))
					add(&r, v[i].id);
		}
	}
	if ((notify & CW_CASE_NOTIFY_DEPARTMENT) && k->department_id) {
		if ((rc = cw_store_users_of_department(tx, k->department_id, &v, &n)) != CW_DB_OK)
			return rc;
		for (int i = 0; i < n; i++)
			add(&r, v[i].id);
	}
	if ((notify & CW_CASE_NOTIFY_GRID_WORKER) && k->grid) {
		struct cw_grid_worker *w;
		if ((rc = cw_store_grid_workers(tx, NULL, k->grid, &w, &n)) != CW_DB_OK)
			return rc;
		for (int i = 0; i < n; i++)
			add(&r, w[i].user_id);
	}
	for (int i = 0; i < r.n; i++) {
		struct cw_notification nt = {.user_id = r.ids[i], .case_id = k->id, .what = what,
					     .level = k->level, .at = now};
		if ((rc = cw_store_notification_insert(tx, &nt)) != CW_DB_OK)
			return rc;
		if (nt.id)
			(*count)++;
	}
	return CW_DB_OK;
}

/* ---- the text ---- */

static const char *level_zh(const char *level)
{
	static const char *const names[CW_LEVEL__COUNT] = {"市级", "区县级", "乡镇（街道）级",
							   "村（社区）级", "网格"};
	enum cw_level l = cw_level_parse(level);
	return l == CW_LEVEL_INVALID ? "" : names[l];
}

const char *cw_notification_text(struct cw_arena *a, const struct cw_notification *nt,
				 enum cw_lang lang)
{
	const char *what = nt->what ? nt->what : "";
	const char *num = nt->number ? nt->number : "";
	bool en = lang == CW_LANG_EN;
	if (strcmp(what, "warn") == 0)
		return en ? cw_arena_printf(a, "Case %s is nearly due", num)
			  : cw_arena_printf(a, "案件 %s 即将超期", num);
	if (strcmp(what, "overdue") == 0)
		return en ? cw_arena_printf(a, "Case %s is overdue", num)
			  : cw_arena_printf(a, "案件 %s 已超期", num);
	if (strncmp(what, "escalate", 8) == 0) {
		bool late = strcmp(what, "escalate.overdue") == 0;
		return en ? cw_arena_printf(a, "Case %s %swas escalated to %s level", num,
					    late ? "is overdue and " : "", nt->level)
			  : cw_arena_printf(a, "案件 %s %s已提级至%s办理", num,
					    late ? "逾期未办结，" : "", level_zh(nt->level));
	}
	if (strcmp(what, "supervise") == 0)
		return en ? cw_arena_printf(a, "Case %s is under supervision", num)
			  : cw_arena_printf(a, "案件 %s 已列入督办", num);
	return en ? cw_arena_printf(a, "Case %s: %s", num, what)
		  : cw_arena_printf(a, "案件 %s 有新进展（%s）", num, what);
}

/* ---- the services ---- */

struct list_ctx {
	int64_t user_id, before_id;
	bool unread_only;
	int limit;
	struct cw_notification *items;
	int n;
};

static int list_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_notification_list(tx, c->user_id, c->unread_only, c->before_id, c->limit,
					  &c->items, &c->n);
}

enum cw_ec cw_notifications_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 bool unread_only, int64_t before_id, int limit,
				 struct cw_notification **items, int *n)
{
	struct list_ctx c = {.user_id = actor->user_id, .before_id = before_id,
			     .unread_only = unread_only, .limit = limit};
	*items = NULL;
	*n = 0;
	int rc = cw_store_tx(s, a, false, list_tx, &c);
	*items = c.items;
	*n = c.n;
	return cw_app_store_ec(rc, CW_EC_NOTIFICATION_NOT_FOUND, CW_EC_INTERNAL);
}

struct read_ctx {
	int64_t user_id, id, now, changed;
};

static int read_tx(struct cw_tx *tx, void *p)
{
	struct read_ctx *c = p;
	if (c->id)
		return cw_store_notification_read(tx, c->user_id, c->id, c->now);
	return cw_store_notification_read_all(tx, c->user_id, c->now, &c->changed);
}

enum cw_ec cw_notification_read(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				int64_t id, int64_t now)
{
	if (id <= 0 || !actor->user_id)
		return CW_EC_NOTIFICATION_NOT_FOUND;
	struct read_ctx c = {.user_id = actor->user_id, .id = id, .now = now};
	return cw_app_store_ec(cw_store_tx(s, a, true, read_tx, &c), CW_EC_NOTIFICATION_NOT_FOUND,
			       CW_EC_INTERNAL);
}

enum cw_ec cw_notifications_read_all(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, int64_t now, int64_t *changed)
{
	struct read_ctx c = {.user_id = actor->user_id, .now = now};
	*changed = 0;
	if (!actor->user_id)
		return CW_EC_OK;
	enum cw_ec ec = cw_app_store_ec(cw_store_tx(s, a, true, read_tx, &c),
					CW_EC_NOTIFICATION_NOT_FOUND, CW_EC_INTERNAL);
	*changed = c.changed;
	return ec;
}
