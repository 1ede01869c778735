/* admin.c - services of the administration screens: the users list with filters, and
 * one category's name, deadline and active flag edited on its own (the whole taxonomy
 * is replaced by cw_categories_import). */
#include "app/app.h"

#include <ctype.h>
#include <string.h>

#include "core/category.h"
#include "util/arena.h"

/* ---- users, filtered ---- */

/* ASCII case-insensitive substring test (names are Chinese: bytes compare). */
static bool contains_fold(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return true;
	for (const char *h = hay; h && *h; h++) {
		size_t i = 0;
		while (i < n && h[i] &&
		       tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static bool user_matches(const struct cw_user_filter *f, const struct cw_user *u, int64_t now)
{
	if (f->role >= 0 && !(u->roles & (1u << f->role)))
		return false;
	if (f->q && *f->q && !contains_fold(u->username, f->q) && !contains_fold(u->name, f->q))
		return false;
	switch (f->state) {
	case CW_USER_STATE_ACTIVE:
		return !u->disabled && u->locked_until <= now;
	case CW_USER_STATE_DISABLED:
		return u->disabled;
	case CW_USER_STATE_LOCKED:
		return u->locked_until > now;
	default:
		return true;
	}
}

struct search_ctx {
	const struct cw_actor *actor;
	const struct cw_user_filter *f;
	int64_t now, after;
	int limit;
	struct cw_user *items;
	int n;
	enum cw_ec ec;
};

#define SEARCH_BATCH 200

static int search_tx(struct cw_tx *tx, void *p)
{
	struct search_ctx *c = p;
	const char *scope = c->actor->region_path;
	if (c->f->region && *c->f->region) {
		struct cw_region r;
		int rc = cw_store_region_get(tx, c->f->region, &r);
		if (rc == CW_DB_NOTFOUND ||
		    (rc == CW_DB_OK && scope && !cw_scope_contains(scope, r.path))) {
			c->ec = CW_EC_REGION_NOT_FOUND;
			return CW_DB_ABORT;
		}
		if (rc)
			return rc;
		scope = r.path;
	}
	c->items = cw_arena_alloc(cw_store_tx_arena(tx), (size_t)c->limit * sizeof *c->items);
	int64_t after = c->after;
	for (;;) {
		struct cw_user *batch;
		int nb;
		int rc = cw_store_user_list(tx, scope, after, SEARCH_BATCH, &batch, &nb);
		if (rc)
			return rc;
		for (int i = 0; i < nb; i++) {
			if (!user_matches(c->f, &batch[i], c->now))
				continue;
			c->items[c->n++] = batch[i];
			if (c->n == c->limit)
				return CW_DB_OK;
		}
		if (nb < SEARCH_BATCH)
			return CW_DB_OK;
		after = batch[nb - 1].id;
	}
}

enum cw_ec cw_user_search_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const struct cw_user_filter *f, int64_t now, int64_t after_id,
				 int limit, struct cw_user **items, int *n)
{
	*items = NULL;
	*n = 0;
	if (!cw_roles_allow(actor->roles, CW_PERM_USER_READ))
		return CW_EC_FORBIDDEN;
	if (limit <= 0)
		return CW_EC_OK;
	struct search_ctx c = {.actor = actor, .f = f, .now = now, .after = after_id,
			       .limit = limit};
	int rc = cw_store_tx(s, a, false, search_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	if (rc)
		return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
	*items = c.items;
	*n = c.n;
	return CW_EC_OK;
}

/* ---- one category ---- */

struct cat_get_ctx {
	const char *code;
	struct cw_stored_category *out;
};

static int cat_get_tx(struct cw_tx *tx, void *p)
{
	struct cat_get_ctx *c = p;
	return cw_store_category_get(tx, c->code, c->out);
}

enum cw_ec cw_category_get_any(cw_store *s, struct cw_arena *a, const char *code,
			       struct cw_stored_category *out)
{
	struct cat_get_ctx c = {code, out};
	return cw_app_store_ec(cw_store_tx(s, a, false, cat_get_tx, &c), CW_EC_CATEGORY_NOT_FOUND,
			       CW_EC_INTERNAL);
}

struct cat_list_ctx {
	struct cw_stored_category *items;
	int n;
};

static int cat_list_tx(struct cw_tx *tx, void *p)
{
	struct cat_list_ctx *c = p;
	return cw_store_category_list(tx, NULL, true, &c->items, &c->n);
}

enum cw_ec cw_categories_list_all(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				  struct cw_stored_category **items, int *n)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_CONFIG_WRITE))
		return CW_EC_FORBIDDEN;
	struct cat_list_ctx c = {NULL, 0};
	int rc = cw_store_tx(s, a, false, cat_list_tx, &c);
	if (rc)
		return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
	*items = c.items;
	*n = c.n;
	return CW_EC_OK;
}

struct cat_update_ctx {
	const struct cw_actor *actor;
	const char *code;
	const struct cw_category_change *ch;
	int64_t now;
	const struct cw_if_match *m;
	struct cw_stored_category *out;
	const char *field;
	enum cw_ec ec;
};

static const char *api_field(const char *column)
{
	if (!column)
		return NULL;
	if (strcmp(column, "deadline_amount") == 0)
		return "deadline.amount";
	if (strcmp(column, "deadline_unit") == 0)
		return "deadline.unit";
	return column;
}

static int cat_update_tx(struct cw_tx *tx, void *p)
{
	struct cat_update_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_stored_category cur;
	int rc;
	if ((rc = cw_store_lock(tx, "categories")))
		return rc;
	rc = cw_store_category_get(tx, c->code, &cur);
	if (rc == CW_DB_NOTFOUND) {
		c->ec = CW_EC_CATEGORY_NOT_FOUND;
		return CW_DB_ABORT;
	}
	if (rc)
		return rc;
	if (c->m && !c->m->fresh(c->m->ctx, &cur)) {
		c->ec = CW_EC_PRECONDITION_FAILED;
		return CW_DB_ABORT;
	}
	struct cw_category next = cur.cat;
	bool active = cur.active;
	if (c->ch->name)
		next.name = c->ch->name;
	if (c->ch->amount > 0 || c->ch->unit != CW_CASE_DUE_NONE) {
		if (c->ch->amount > 0)
			next.deadline.amount = c->ch->amount;
		if (c->ch->unit != CW_CASE_DUE_NONE)
			next.deadline.unit = c->ch->unit;
	}
	if (c->ch->active >= 0)
		active = c->ch->active != 0;
	const char *field = NULL;
	if (cw_category_check(&next, &field) != CW_EC_OK) {
		c->ec = CW_EC_INVALID_CATEGORY;
		c->field = api_field(field);
		return CW_DB_ABORT;
	}
	if (active != cur.active) {
		struct cw_stored_category *all;
		int n;
		if ((rc = cw_store_category_list(tx, NULL, true, &all, &n)))
			return rc;
		bool conflict = false;
		if (!active && cw_category_is_class(&cur.cat)) {
			for (int i = 0; i < n && !conflict; i++)
				conflict = all[i].active && all[i].cat.parent &&
					   strcmp(all[i].cat.parent, cur.cat.code) == 0;
		} else if (active && !cw_category_is_class(&cur.cat)) {
			conflict = true;
			for (int i = 0; i < n; i++)
				if (strcmp(all[i].cat.code, cur.cat.parent) == 0)
					conflict = !all[i].active;
		}
		if (conflict) {
			c->ec = CW_EC_CATEGORY_ACTIVE_CONFLICT;
			c->field = "active";
			return CW_DB_ABORT;
		}
	}
	bool name_changed = strcmp(next.name, cur.cat.name) != 0;
	bool deadline_changed = next.deadline.amount != cur.cat.deadline.amount ||
				next.deadline.unit != cur.cat.deadline.unit;
	bool active_changed = active != cur.active;
	if (name_changed || deadline_changed || active_changed) {
		if ((rc = cw_store_category_update(tx, &next, active, c->now)))
			return rc;
		const char *detail = cw_arena_printf(
		    a, "%s%s%s%s%s", name_changed ? "name" : "",
		    name_changed && (deadline_changed || active_changed) ? "," : "",
		    deadline_changed
			? cw_arena_printf(a, "deadline %d %s -> %d %s", cur.cat.deadline.amount,
					  cw_category_unit_name(cur.cat.deadline.unit),
					  next.deadline.amount,
					  cw_category_unit_name(next.deadline.unit))
			: "",
		    deadline_changed && active_changed ? "," : "",
		    active_changed ? (active ? "activated" : "deactivated") : "");
		if ((rc = cw_app_audit(tx, c->actor, "category.update",
				       cw_arena_printf(a, "category:%s", c->code), true, detail)))
			return rc;
	}
	return cw_store_category_get(tx, c->code, c->out);
}

enum cw_ec cw_category_update_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const char *code, const struct cw_category_change *ch, int64_t now,
				 const struct cw_if_match *m, struct cw_stored_category *out,
				 const char **field)
{
	*field = NULL;
	if (!cw_roles_allow(actor->roles, CW_PERM_CONFIG_WRITE))
		return CW_EC_FORBIDDEN;
	struct cat_update_ctx c = {.actor = actor, .code = code, .ch = ch, .now = now, .m = m,
				   .out = out};
	int rc = cw_store_tx(s, a, true, cat_update_tx, &c);
	if (rc == CW_DB_ABORT) {
		*field = c.field;
		return c.ec;
	}
	return cw_app_store_ec(rc, CW_EC_CATEGORY_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- grid worker candidates ---- */

struct cand_ctx {
	const struct cw_actor *actor;
	const char *code;
	struct cw_user *items;
	int n;
	enum cw_ec ec;
};

#define CANDIDATES_MAX 500

static int cand_tx(struct cw_tx *tx, void *p)
{
	struct cand_ctx *c = p;
	struct cw_region r;
	int rc = cw_store_region_get(tx, c->code, &r);
	if (rc == CW_DB_NOTFOUND ||
	    (rc == CW_DB_OK && (r.level != CW_LEVEL_GRID ||
				(c->actor->region_path &&
				 !cw_scope_contains(c->actor->region_path, r.path))))) {
		c->ec = CW_EC_GRID_NOT_FOUND;
		return CW_DB_ABORT;
	}
	if (rc)
		return rc;
	struct cw_user *us;
	int n;
	if ((rc = cw_store_user_list(tx, r.path, 0, CANDIDATES_MAX, &us, &n)))
		return rc;
	c->items = us;
	for (int i = 0; i < n; i++)
		if (!us[i].disabled && (us[i].roles & (1u << CW_ROLE_GRID_WORKER)))
			c->items[c->n++] = us[i];
	return CW_DB_OK;
}

enum cw_ec cw_grid_worker_candidates(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				     const char *code, struct cw_user **items, int *n)
{
	*items = NULL;
	*n = 0;
	if (!cw_roles_allow(actor->roles, CW_PERM_GRID_ASSIGN))
		return CW_EC_FORBIDDEN;
	struct cand_ctx c = {.actor = actor, .code = code};
	int rc = cw_store_tx(s, a, false, cand_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	if (rc)
		return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
	*items = c.items;
	*n = c.n;
	return CW_EC_OK;
}
