/* regions.c - reading and changing the region tree within the actor's scope. */
#include "app/app.h"

#include <string.h>

#include "util/arena.h"
#include "util/text.h"

struct region_ctx {
	const struct cw_actor *actor;
	const char *code, *name, *parent;
	int64_t now;
	struct cw_region *out;
	enum cw_ec ec;
	const struct cw_if_match *if_match; /* update: checked under the region's lock */
};

static bool visible(const struct cw_actor *actor, const struct cw_region *r)
{
	return !actor->region_path || cw_scope_contains(actor->region_path, r->path);
}

static int get_scoped(struct cw_tx *tx, const struct cw_actor *actor, const char *code,
		      struct cw_region *r, enum cw_ec *ec)
{
	int rc = cw_store_region_get(tx, code, r);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(actor, r))) {
		*ec = CW_EC_REGION_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

static enum cw_ec finish(int rc, const struct region_ctx *c)
{
	if (rc == CW_DB_ABORT)
		return c->ec;
	return cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_REGION_EXISTS);
}

static int get_tx(struct cw_tx *tx, void *p)
{
	struct region_ctx *c = p;
	return get_scoped(tx, c->actor, c->code, c->out, &c->ec);
}

enum cw_ec cw_region_get_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *code, struct cw_region *out)
{
	if (cw_region_code_level(code) == CW_LEVEL_INVALID)
		return CW_EC_REGION_NOT_FOUND;
	struct region_ctx c = {.actor = actor, .code = code, .out = out};
	return finish(cw_store_tx(s, a, false, get_tx, &c), &c);
}

static bool name_valid(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && cw_utf8_valid(name, n) && cw_utf8_len(name) <= 100;
}

static int create_tx(struct cw_tx *tx, void *p)
{
	struct region_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_region parent = {0};
	int rc;
	enum cw_level lvl = cw_region_code_level(c->code);
	if (c->parent) {
		if ((rc = get_scoped(tx, c->actor, c->parent, &parent, &c->ec)))
			return rc;
	} else if (c->actor->region_path) {
		c->ec = CW_EC_FORBIDDEN; /* only an unrestricted actor may add a root */
		return CW_DB_ABORT;
	}
	if ((c->ec = cw_region_check_new(c->code, c->parent, c->parent ? parent.level
									: CW_LEVEL_INVALID)))
		return CW_DB_ABORT;
	char path[CW_REGION_PATH_MAX];
	cw_region_child_path(c->parent ? parent.path : NULL, c->code, path, sizeof path);
	struct cw_region r = {
	    .code = c->code,
	    .name = c->name,
	    .parent = c->parent,
	    .path = cw_arena_strdup(a, path),
	    .level = lvl,
	    .created_at = c->now,
	    .updated_at = c->now,
	};
	rc = cw_store_region_insert(tx, &r);
	if (rc == CW_DB_CONSTRAINT) {
		c->ec = CW_EC_REGION_EXISTS;
		return CW_DB_ABORT;
	}
	if (rc)
		return rc;
	if ((rc = cw_app_audit(tx, c->actor, "region.create", cw_arena_printf(a, "region:%s", c->code),
			       true, cw_arena_printf(a, "name=%s parent=%s", c->name,
						     c->parent ? c->parent : "-"))))
		return rc;
	if (c->out)
		*c->out = r;
	return CW_DB_OK;
}

enum cw_ec cw_region_create(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			    const char *code, const char *name, const char *parent, int64_t now,
			    struct cw_region *out)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_REGION_WRITE))
		return CW_EC_FORBIDDEN;
	if (cw_region_code_level(code) == CW_LEVEL_INVALID)
		return CW_EC_INVALID_REGION_CODE;
	if (!name_valid(name))
		return CW_EC_INVALID_FIELD;
	struct region_ctx c = {.actor = actor, .code = code, .name = name,
			       .parent = parent && *parent ? parent : NULL, .now = now, .out = out};
	return finish(cw_store_tx(s, a, true, create_tx, &c), &c);
}

static int rename_tx(struct cw_tx *tx, void *p)
{
	struct region_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_region r;
	int rc;
	if ((rc = get_scoped(tx, c->actor, c->code, &r, &c->ec)))
		return rc;
	if (strcmp(r.name, c->name) == 0)
		return CW_DB_OK;
	if ((rc = cw_store_region_rename(tx, c->code, c->name, c->now)))
		return rc;
	return cw_app_audit(tx, c->actor, "region.rename", cw_arena_printf(a, "region:%s", c->code),
			    true, cw_arena_printf(a, "%s -> %s", r.name, c->name));
}

static int move_tx(struct cw_tx *tx, void *p)
{
	struct region_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_region r, parent;
	int rc;
	if ((rc = get_scoped(tx, c->actor, c->code, &r, &c->ec)) ||
	    (rc = get_scoped(tx, c->actor, c->parent, &parent, &c->ec)))
		return rc;
	if (r.parent && strcmp(r.parent, parent.code) == 0)
		return CW_DB_OK;
	if ((c->ec = cw_region_check_move(r.level, r.path, parent.level, parent.path)))
		return CW_DB_ABORT;
	char path[CW_REGION_PATH_MAX];
	cw_region_child_path(parent.path, r.code, path, sizeof path);
	if ((rc = cw_store_region_move(tx, r.code, parent.code, path, c->now)))
		return rc;
	return cw_app_audit(tx, c->actor, "region.move", cw_arena_printf(a, "region:%s", c->code),
			    true, cw_arena_printf(a, "parent %s -> %s", r.parent ? r.parent : "-",
						  parent.code));
}

/* Rename and move in one transaction, so a refused move leaves the name as it was. */
static int update_tx(struct cw_tx *tx, void *p)
{
	struct region_ctx *c = p;
	int rc;
	if (c->if_match) {
		struct cw_region cur;
		if ((rc = cw_store_lock(tx, cw_arena_printf(cw_store_tx_arena(tx), "region:%s",
								c->code))) ||
		    (rc = get_scoped(tx, c->actor, c->code, &cur, &c->ec)))
			return rc;
		if (!c->if_match->fresh(c->if_match->ctx, &cur)) {
			c->ec = CW_EC_PRECONDITION_FAILED;
			return CW_DB_ABORT;
		}
	}
	if (c->name && (rc = rename_tx(tx, c)))
		return rc;
	return c->parent ? move_tx(tx, c) : CW_DB_OK;
}

enum cw_ec cw_region_update(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			    const char *code, const char *name, const char *new_parent,
			    int64_t now)
{
	return cw_region_update_if(s, a, actor, code, name, new_parent, now, NULL);
}

enum cw_ec cw_region_update_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			       const char *code, const char *name, const char *new_parent,
			       int64_t now, const struct cw_if_match *m)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_REGION_WRITE))
		return CW_EC_FORBIDDEN;
	if (name && !name_valid(name))
		return CW_EC_INVALID_FIELD;
	struct region_ctx c = {.actor = actor, .code = code, .name = name, .parent = new_parent,
			       .now = now, .if_match = m};
	enum cw_ec ec = finish(cw_store_tx(s, a, true, update_tx, &c), &c);
	if (ec == CW_EC_OK && new_parent)
		cw_token_cache_flush(); /* a moved region changes its users' scope paths */
	return ec;
}

struct children_ctx {
	const struct cw_actor *actor;
	const char *parent, *after;
	int limit;
	struct cw_region **items;
	int *n;
	enum cw_ec ec;
};

static int children_tx(struct cw_tx *tx, void *p)
{
	struct children_ctx *c = p;
	struct cw_region parent;
	int rc = get_scoped(tx, c->actor, c->parent, &parent, &c->ec);
	if (rc)
		return rc;
	return cw_store_region_children(tx, c->parent, c->after, c->limit, c->items, c->n);
}

enum cw_ec cw_region_children_scoped(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, const char *parent,
				     const char *after, int limit, struct cw_region **items,
				     int *n)
{
	if (cw_region_code_level(parent) == CW_LEVEL_INVALID)
		return CW_EC_REGION_NOT_FOUND;
	struct children_ctx c = {actor, parent, after, limit, items, n, CW_EC_OK};
	int rc = cw_store_tx(s, a, false, children_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_INTERNAL);
}

struct root_ctx {
	struct cw_region *out;
};

int cw_region_root_tx(struct cw_tx *tx, struct cw_region *out)
{
	struct cw_region *items;
	int n;
	int rc = cw_store_region_children(tx, NULL, NULL, 1, &items, &n);
	if (rc)
		return rc;
	if (n == 0)
		return CW_DB_NOTFOUND;
	*out = items[0];
	return CW_DB_OK;
}

static int root_tx(struct cw_tx *tx, void *p)
{
	struct root_ctx *c = p;
	return cw_region_root_tx(tx, c->out);
}

enum cw_ec cw_region_root(cw_store *s, struct cw_arena *a, struct cw_region *out)
{
	struct root_ctx c = {out};
	return cw_app_store_ec(cw_store_tx(s, a, false, root_tx, &c), CW_EC_REGION_NOT_FOUND,
			       CW_EC_INTERNAL);
}
