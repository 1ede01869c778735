/* grids.c - grids: the point lookup, boundaries with their checks, attributes,
 * workers, the GeoJSON view and the all-or-nothing import. */
#include "app/app.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/demo_layout.h"
#include "geo/geo.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/text.h"

/* Overlaps and reach-outs smaller than this are rounding, not a drawing error. */
#define CW_GRID_TOLERANCE_M2 1.0
#define GRIDS_VERSION_KEY "grids.version"

static bool visible(const struct cw_actor *actor, const char *path)
{
	return !actor->region_path || cw_scope_contains(actor->region_path, path);
}

/* ---- the index ---- */

struct scan_ctx {
	const char *after;
	struct cw_boundary *items;
	int n;
};

static int scan_tx(struct cw_tx *tx, void *p)
{
	struct scan_ctx *c = p;
	return cw_store_boundary_scan(tx, CW_LEVEL_GRID, c->after, 500, &c->items, &c->n);
}

int64_t cw_grids_rebuild_index(cw_store *s, struct cw_geo_locator *loc)
{
	size_t cap = 0, n = 0;
	char **codes = NULL;
	struct cw_geo **geoms = NULL;
	char after[16] = "";
	int64_t result = -1;
	for (;;) {
		struct cw_arena *a = cw_arena_new();
		struct scan_ctx c = {.after = after};
		if (cw_store_tx(s, a, false, scan_tx, &c)) {
			cw_arena_free(a);
			goto out;
		}
		for (int i = 0; i < c.n; i++) {
			struct cw_geo *g;
			struct cw_geo_problem why;
			const char *text = c.items[i].geojson;
			if (cw_geo_parse_text(text, strlen(text), &g, &why)) {
				/* Stored boundaries were checked on the way in; one that no
				 * longer parses is left out rather than stopping the server. */
				cw_warn("grid %s: stored boundary is unusable: %s", c.items[i].code,
					why.reason_en);
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				codes = cw_xrealloc(codes, cap * sizeof *codes);
				geoms = cw_xrealloc(geoms, cap * sizeof *geoms);
			}
			codes[n] = cw_xstrdup(c.items[i].code);
			geoms[n] = g;
			n++;
		}
		if (c.n)
			snprintf(after, sizeof after, "%s", c.items[c.n - 1].code);
		cw_arena_free(a);
		if (c.n < 500)
			break;
	}
	struct cw_geo_index *ix = cw_geo_index_build((const char *const *)codes,
						     (const struct cw_geo *const *)geoms, n);
	if (ix) {
		cw_geo_locator_publish(loc, ix);
		result = (int64_t)n;
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(codes[i]);
		cw_geo_free(geoms[i]);
	}
	free(codes);
	free(geoms);
	return result;
}

struct version_ctx {
	int64_t v;
};

static int version_tx(struct cw_tx *tx, void *p)
{
	struct version_ctx *c = p;
	const char *v;
	int rc = cw_store_setting_get(tx, GRIDS_VERSION_KEY, &v);
	if (rc == CW_DB_NOTFOUND) {
		c->v = 0;
		return CW_DB_OK;
	}
	if (rc == CW_DB_OK && !cw_parse_int(v, 0, INT64_MAX, &c->v))
		c->v = 0;
	return rc;
}

int64_t cw_grids_version(cw_store *s)
{
	struct cw_arena *a = cw_arena_new();
	struct version_ctx c = {0};
	int rc = cw_store_tx(s, a, false, version_tx, &c);
	cw_arena_free(a);
	return rc ? -1 : c.v;
}

int cw_grids_bump_version(struct cw_tx *tx, int64_t now)
{
	struct version_ctx c = {0};
	int rc = version_tx(tx, &c);
	if (rc)
		return rc;
	char v[32];
	snprintf(v, sizeof v, "%" PRId64, c.v + 1);
	return cw_store_setting_set(tx, GRIDS_VERSION_KEY, v, now);
}

/* ---- locate ---- */

struct locate_ctx {
	const char *code;
	struct cw_region r;
};

static int locate_tx(struct cw_tx *tx, void *p)
{
	struct locate_ctx *c = p;
	return cw_store_region_get(tx, c->code, &c->r);
}

enum cw_ec cw_grid_locate(cw_store *s, struct cw_arena *a, struct cw_geo_locator *loc,
			  const struct cw_actor *actor, double lon, double lat,
			  struct cw_located *out)
{
	if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
		return CW_EC_INVALID_QUERY;
	char code[16];
	if (!cw_geo_locator_locate(loc, lon, lat, code))
		return CW_EC_NO_GRID;
	struct locate_ctx c = {.code = code};
	int rc = cw_store_tx(s, a, false, locate_tx, &c);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(actor, c.r.path)))
		return CW_EC_NO_GRID;
	if (rc)
		return CW_EC_STORE_UNAVAILABLE;
	memset(out, 0, sizeof *out);
	/* The path names the ancestors as the tree has them now (a moved region keeps
	 * its code but not its old parent). */
	const char *p = c.r.path;
	while (*p) {
		size_t len = strcspn(p, "/");
		char part[16] = "";
		if (len < sizeof part)
			memcpy(part, p, len);
		switch (cw_region_code_level(part)) {
		case CW_LEVEL_CITY: memcpy(out->city, part, sizeof part); break;
		case CW_LEVEL_DISTRICT: memcpy(out->district, part, sizeof part); break;
		case CW_LEVEL_TOWN: memcpy(out->town, part, sizeof part); break;
		case CW_LEVEL_VILLAGE: memcpy(out->village, part, sizeof part); break;
		case CW_LEVEL_GRID: memcpy(out->grid, part, sizeof part); break;
		default: break;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return CW_EC_OK;
}

/* ---- one grid ---- */

struct view_ctx {
	const struct cw_actor *actor;
	const char *code;
	struct cw_grid_view *out;
	enum cw_ec ec;
};

static int load_grid_scoped(struct cw_tx *tx, const struct cw_actor *actor, const char *code,
			    struct cw_grid *g, enum cw_ec *ec)
{
	int rc = cw_store_grid_get(tx, code, g);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(actor, g->path))) {
		*ec = CW_EC_GRID_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

static int view_tx(struct cw_tx *tx, void *p)
{
	struct view_ctx *c = p;
	int rc = load_grid_scoped(tx, c->actor, c->code, &c->out->grid, &c->ec);
	if (rc)
		return rc;
	struct cw_boundary b;
	rc = cw_store_boundary_get(tx, c->code, &b);
	if (rc == CW_DB_OK) {
		c->out->geojson = b.geojson;
		c->out->area_m2 = b.area_m2;
	} else if (rc != CW_DB_NOTFOUND) {
		return rc;
	}
	return cw_store_grid_workers(tx, NULL, c->code, &c->out->workers, &c->out->nworkers);
}

enum cw_ec cw_grid_get_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			      const char *code, struct cw_grid_view *out)
{
	if (cw_region_code_level(code) != CW_LEVEL_GRID)
		return CW_EC_GRID_NOT_FOUND;
	memset(out, 0, sizeof *out);
	struct view_ctx c = {actor, code, out, CW_EC_OK};
	int rc = cw_store_tx(s, a, false, view_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_GRID_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- the FeatureCollection ---- */

struct fc_ctx {
	const struct cw_actor *actor;
	const char *within;
	json_t *features;
	enum cw_ec ec;
};

static int fc_tx(struct cw_tx *tx, void *p)
{
	struct fc_ctx *c = p;
	struct cw_region r;
	int rc = cw_store_region_get(tx, c->within, &r);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(c->actor, r.path))) {
		c->ec = CW_EC_REGION_NOT_FOUND;
		return CW_DB_ABORT;
	}
	if (rc)
		return rc;
	struct cw_grid_worker *ws;
	int nw, wi = 0;
	json_array_clear(c->features); /* a busy retry starts afresh */
	if ((rc = cw_store_grid_workers(tx, r.path, NULL, &ws, &nw)))
		return rc;
	char after[16] = "";
	for (;;) {
		struct cw_grid *gs;
		int n;
		if ((rc = cw_store_grid_list(tx, r.path, after, 500, &gs, &n)))
			return rc;
		for (int i = 0; i < n; i++) {
			struct cw_boundary b;
			json_t *geom = json_null();
			rc = cw_store_boundary_get(tx, gs[i].code, &b);
			if (rc == CW_DB_OK) {
				json_t *g = json_loads(b.geojson, 0, NULL);
				if (g) {
					json_decref(geom);
					geom = g;
				}
			} else if (rc != CW_DB_NOTFOUND) {
				return rc;
			}
			json_t *workers = json_array();
			/* Both lists are in grid-code order: walk them together. */
			while (wi < nw && strcmp(ws[wi].grid, gs[i].code) < 0)
				wi++;
			for (; wi < nw && strcmp(ws[wi].grid, gs[i].code) == 0; wi++)
				json_array_append_new(workers, json_string(ws[wi].name));
			json_t *props = json_pack(
			    "{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o}", "code", gs[i].code, "name",
			    gs[i].name, "village", gs[i].village, "type", gs[i].kind, "households",
			    (json_int_t)gs[i].households, "population", (json_int_t)gs[i].population,
			    "synthetic", gs[i].synthetic, "workers", workers);
			json_array_append_new(c->features,
					      json_pack("{s:s, s:s, s:o, s:o}", "type", "Feature", "id",
							gs[i].code, "geometry", geom, "properties",
							props));
		}
		if (n < 500)
			break;
		snprintf(after, sizeof after, "%s", gs[n - 1].code);
	}
	return CW_DB_OK;
}

enum cw_ec cw_grids_feature_collection(cw_store *s, struct cw_arena *a,
				       const struct cw_actor *actor, const char *within,
				       json_t **out)
{
	if (cw_region_code_level(within) == CW_LEVEL_INVALID)
		return CW_EC_REGION_NOT_FOUND;
	struct fc_ctx c = {actor, within, json_array(), CW_EC_OK};
	int rc = cw_store_tx(s, a, false, fc_tx, &c);
	if (rc) {
		json_decref(c.features);
		return rc == CW_DB_ABORT ? c.ec : cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_INTERNAL);
	}
	*out = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", c.features);
	return CW_EC_OK;
}

/* ---- boundaries ---- */

/* Checks g against its village's boundary (when it has one) and the stored
 * boundaries of its sibling grids, except those named in `skip` (being replaced).
 * Returns CW_DB_OK with *ec set to OK or to the refusal. */
static int check_neighbours(struct cw_tx *tx, const char *code, const char *village,
			    const struct cw_geo *g, bool (*skip)(const char *code, void *),
			    void *skip_ctx, enum cw_ec *ec, struct cw_geo_problem *why)
{
	struct cw_boundary vb, *sibs;
	int n, rc = cw_store_boundary_get(tx, village, &vb);
	*ec = CW_EC_OK;
	if (rc == CW_DB_OK) {
		struct cw_geo *vg;
		struct cw_geo_problem ignored;
		if (cw_geo_parse_text(vb.geojson, strlen(vb.geojson), &vg, &ignored) == CW_EC_OK) {
			bool inside = cw_geo_inside(g, vg, CW_GRID_TOLERANCE_M2, why);
			cw_geo_free(vg);
			if (!inside) {
				*ec = CW_EC_GEOMETRY_OUTSIDE_PARENT;
				snprintf(why->other, sizeof why->other, "%s", village);
				return CW_DB_OK;
			}
		}
	} else if (rc != CW_DB_NOTFOUND) {
		return rc;
	}
	double bbox[4];
	cw_geo_bbox(g, bbox);
	if ((rc = cw_store_boundary_siblings(tx, village, code, bbox, &sibs, &n)))
		return rc;
	for (int i = 0; i < n; i++) {
		if (skip && skip(sibs[i].code, skip_ctx))
			continue;
		struct cw_geo *sg;
		struct cw_geo_problem ignored;
		if (cw_geo_parse_text(sibs[i].geojson, strlen(sibs[i].geojson), &sg, &ignored))
			continue;
		double area;
		bool overlap = cw_geo_overlaps(g, sg, CW_GRID_TOLERANCE_M2, &area, why);
		cw_geo_free(sg);
		if (overlap) {
			*ec = CW_EC_GEOMETRY_OVERLAP;
			snprintf(why->other, sizeof why->other, "%s", sibs[i].code);
			return CW_DB_OK;
		}
	}
	return CW_DB_OK;
}

struct boundary_ctx {
	const struct cw_actor *actor;
	const char *code;
	const struct cw_geo *geom;
	const char *text;
	int64_t now;
	struct cw_geo_problem *why;
	enum cw_ec ec;
	const struct cw_if_match *if_match;
};

/* The If-Match of a grid write: the grid as GET shows it, read under the grid's lock. */
static int grid_fresh(struct cw_tx *tx, const struct cw_actor *actor, const char *code,
		      const struct cw_if_match *m, enum cw_ec *ec)
{
	if (!m)
		return CW_DB_OK;
	int rc = cw_store_lock(tx, cw_arena_printf(cw_store_tx_arena(tx), "region:%s", code));
	if (rc)
		return rc;
	struct cw_grid_view v;
	memset(&v, 0, sizeof v);
	struct view_ctx vc = {actor, code, &v, CW_EC_OK};
	rc = view_tx(tx, &vc);
	if (rc == CW_DB_ABORT)
		*ec = vc.ec;
	if (rc)
		return rc;
	if (!m->fresh(m->ctx, &v)) {
		*ec = CW_EC_PRECONDITION_FAILED;
		return CW_DB_ABORT;
	}
	return CW_DB_OK;
}

static int boundary_tx(struct cw_tx *tx, void *p)
{
	struct boundary_ctx *c = p;
	struct cw_grid g;
	int rc = grid_fresh(tx, c->actor, c->code, c->if_match, &c->ec);
	if (rc)
		return rc;
	rc = load_grid_scoped(tx, c->actor, c->code, &g, &c->ec);
	if (rc)
		return rc;
	if ((rc = check_neighbours(tx, c->code, g.village, c->geom, NULL, NULL, &c->ec, c->why)))
		return rc;
	if (c->ec)
		return CW_DB_ABORT;
	struct cw_boundary b = {.code = c->code, .geojson = c->text,
				.area_m2 = cw_geo_area_m2(c->geom), .updated_at = c->now};
	cw_geo_bbox(c->geom, b.bbox);
	if ((rc = cw_store_boundary_set(tx, &b)) || (rc = cw_grids_bump_version(tx, c->now)))
		return rc;
	struct cw_arena *a = cw_store_tx_arena(tx);
	return cw_app_audit(tx, c->actor, "grid.boundary", cw_arena_printf(a, "grid:%s", c->code),
			    true, cw_arena_printf(a, "area_m2=%.0f", b.area_m2));
}

enum cw_ec cw_grid_set_boundary(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *code, const json_t *geometry, int64_t now,
				struct cw_geo_problem *why)
{
	return cw_grid_set_boundary_if(s, a, actor, code, geometry, now, why, NULL);
}

enum cw_ec cw_grid_set_boundary_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				   const char *code, const json_t *geometry, int64_t now,
				   struct cw_geo_problem *why, const struct cw_if_match *m)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_REGION_WRITE))
		return CW_EC_FORBIDDEN;
	if (cw_region_code_level(code) != CW_LEVEL_GRID)
		return CW_EC_GRID_NOT_FOUND;
	struct cw_geo *g;
	enum cw_ec ec = cw_geo_parse(geometry, &g, why);
	if (ec)
		return ec;
	char *text = cw_geo_to_text(g);
	struct boundary_ctx c = {actor, code, g, cw_arena_strdup(a, text), now, why, CW_EC_OK, m};
	free(text);
	int rc = cw_store_tx(s, a, true, boundary_tx, &c);
	cw_geo_free(g);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_GRID_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- attributes ---- */

struct attrs_ctx {
	const struct cw_actor *actor;
	const char *code, *kind;
	int64_t households, population, now;
	enum cw_ec ec;
	const struct cw_if_match *if_match;
};

static int attrs_tx(struct cw_tx *tx, void *p)
{
	struct attrs_ctx *c = p;
	struct cw_grid g;
	int rc = grid_fresh(tx, c->actor, c->code, c->if_match, &c->ec);
	if (rc)
		return rc;
	rc = load_grid_scoped(tx, c->actor, c->code, &g, &c->ec);
	if (rc)
		return rc;
	struct cw_arena *a = cw_store_tx_arena(tx);
	const char *before = cw_arena_printf(a, "%s/%" PRId64 "/%" PRId64, g.kind, g.households,
					     g.population);
	if (c->kind)
		g.kind = c->kind;
	if (c->households >= 0)
		g.households = c->households;
	if (c->population >= 0)
		g.population = c->population;
	g.updated_at = c->now;
	if ((rc = cw_store_grid_upsert(tx, &g)))
		return rc;
	return cw_app_audit(tx, c->actor, "grid.update", cw_arena_printf(a, "grid:%s", c->code), true,
			    cw_arena_printf(a, "type/households/population %s -> %s/%" PRId64
					       "/%" PRId64,
					    before, g.kind, g.households, g.population));
}

enum cw_ec cw_grid_update(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *code, const char *kind, int64_t households,
			  int64_t population, int64_t now)
{
	return cw_grid_update_if(s, a, actor, code, kind, households, population, now, NULL);
}

enum cw_ec cw_grid_update_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			     const char *code, const char *kind, int64_t households,
			     int64_t population, int64_t now, const struct cw_if_match *m)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_REGION_WRITE))
		return CW_EC_FORBIDDEN;
	if (kind && cw_grid_kind_parse(kind) < 0)
		return CW_EC_INVALID_FIELD;
	struct attrs_ctx c = {actor, code, kind, households, population, now, CW_EC_OK, m};
	int rc = cw_store_tx(s, a, true, attrs_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_GRID_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- workers ---- */

struct worker_ctx {
	const struct cw_actor *actor;
	const char *code, *duty;
	int64_t user_id, now;
	bool remove;
	enum cw_ec ec;
};

static int worker_tx(struct cw_tx *tx, void *p)
{
	struct worker_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_grid g;
	struct cw_user u;
	int rc = load_grid_scoped(tx, c->actor, c->code, &g, &c->ec);
	if (rc)
		return rc;
	rc = cw_store_user_get(tx, c->user_id, &u);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(c->actor, u.region_path))) {
		c->ec = CW_EC_USER_NOT_FOUND;
		return CW_DB_ABORT;
	}
	if (rc)
		return rc;
	const char *obj = cw_arena_printf(a, "grid:%s", c->code);
	if (c->remove) {
		rc = cw_store_grid_worker_remove(tx, c->code, c->user_id);
		if (rc == CW_DB_NOTFOUND) {
			c->ec = CW_EC_USER_NOT_FOUND;
			return CW_DB_ABORT;
		}
		return rc ? rc
			  : cw_app_audit(tx, c->actor, "grid.worker.remove", obj, true,
					 cw_arena_printf(a, "user=%s", u.username));
	}
	bool own = strcmp(u.region, c->code) == 0;
	bool is_gw = (u.roles & (1u << CW_ROLE_GRID_WORKER)) != 0;
	bool staff_over = !is_gw && cw_scope_contains(u.region_path, g.path) &&
			  !(u.roles & ((1u << CW_ROLE_SYSADMIN) | (1u << CW_ROLE_SECADMIN) |
				       (1u << CW_ROLE_AUDITOR) | (1u << CW_ROLE_CITIZEN)));
	if (strcmp(c->duty, "full_time") == 0 ? !(is_gw && own) : !((is_gw && own) || staff_over)) {
		c->ec = CW_EC_NOT_A_GRID_WORKER;
		return CW_DB_ABORT;
	}
	rc = cw_store_grid_worker_set(tx, c->code, c->user_id, c->duty, c->now);
	if (rc == CW_DB_CONSTRAINT) {
		c->ec = CW_EC_GRID_HAS_FULL_TIME_WORKER;
		return CW_DB_ABORT;
	}
	return rc ? rc
		  : cw_app_audit(tx, c->actor, "grid.worker.assign", obj, true,
				 cw_arena_printf(a, "user=%s duty=%s", u.username, c->duty));
}

static enum cw_ec worker_change(cw_store *s, struct cw_arena *a, struct worker_ctx *c)
{
	if (!cw_roles_allow(c->actor->roles, CW_PERM_GRID_ASSIGN))
		return CW_EC_FORBIDDEN;
	if (cw_region_code_level(c->code) != CW_LEVEL_GRID)
		return CW_EC_GRID_NOT_FOUND;
	int rc = cw_store_tx(s, a, true, worker_tx, c);
	if (rc == CW_DB_ABORT)
		return c->ec;
	return cw_app_store_ec(rc, CW_EC_GRID_NOT_FOUND, CW_EC_INTERNAL);
}

enum cw_ec cw_grid_assign_worker(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const char *code, int64_t user_id, const char *duty, int64_t now)
{
	if (strcmp(duty, "full_time") != 0 && strcmp(duty, "part_time") != 0)
		return CW_EC_INVALID_FIELD;
	struct worker_ctx c = {actor, code, duty, user_id, now, false, CW_EC_OK};
	return worker_change(s, a, &c);
}

enum cw_ec cw_grid_remove_worker(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const char *code, int64_t user_id)
{
	struct worker_ctx c = {actor, code, "", user_id, 0, true, CW_EC_OK};
	return worker_change(s, a, &c);
}

/* ---- import ---- */

struct feat {
	size_t index;
	const char *code, *name, *kind;
	char village[16];
	int64_t households, population;
	struct cw_geo *geom;
	double bbox[4];
	bool bad;
	bool exists;
};

/* Records a refusal with its reason; the place comes from `at` when it has one. */
static void add_problem(struct cw_import_report *rep, size_t index, const char *code,
			const char *zh, const char *en, const struct cw_geo_problem *at)
{
	rep->problems = cw_xrealloc(rep->problems, (rep->nproblems + 1) * sizeof *rep->problems);
	struct cw_import_problem *p = &rep->problems[rep->nproblems++];
	memset(p, 0, sizeof *p);
	p->index = index;
	snprintf(p->code, sizeof p->code, "%s", code ? code : "");
	snprintf(p->reason_zh, sizeof p->reason_zh, "%s", zh);
	snprintf(p->reason_en, sizeof p->reason_en, "%s", en);
	if (at && at->has_location) {
		p->has_location = true;
		p->lon = at->lon;
		p->lat = at->lat;
	}
}

static void refuse(struct cw_import_report *rep, struct feat *f, const char *zh, const char *en)
{
	add_problem(rep, f->index, f->code, zh, en, NULL);
	f->bad = true;
}

/* Reads one feature's properties and geometry; marks it bad with a reason. */
static void read_feature(const json_t *ft, struct feat *f, struct cw_import_report *rep,
			 struct cw_arena *a)
{
	json_t *props = json_object_get(ft, "properties");
	json_t *geometry = json_object_get(ft, "geometry");
	const char *type = json_string_value(json_object_get(ft, "type"));
	char zh[320], en[320];
	if (!json_is_object(ft) || !type || strcmp(type, "Feature") != 0) {
		refuse(rep, f, "不是 GeoJSON Feature 对象", "not a GeoJSON Feature object");
		return;
	}
	f->code = json_string_value(json_object_get(props, "code"));
	if (!f->code || cw_region_code_level(f->code) != CW_LEVEL_GRID) {
		f->code = f->code ? cw_arena_strdup(a, f->code) : NULL;
		refuse(rep, f, "properties.code 必须是 15 位网格代码（村/社区 12 位代码 + 3 位序号）",
		       "properties.code must be a 15-digit grid code (the village's 12 digits and a "
		       "3-digit sequence)");
		return;
	}
	f->code = cw_arena_strdup(a, f->code);
	memcpy(f->village, f->code, 12);
	f->village[12] = 0;
	json_t *name = json_object_get(props, "name");
	json_t *kind = json_object_get(props, "type");
	json_t *hh = json_object_get(props, "households");
	json_t *pop = json_object_get(props, "population");
	f->name = json_string_value(name);
	if (name && (!f->name || !*f->name || cw_utf8_len(f->name) > 100)) {
		refuse(rep, f, "properties.name 必须是 1-100 个字符的文本",
		       "properties.name must be text of 1-100 characters");
		return;
	}
	f->name = f->name ? cw_arena_strdup(a, f->name)
			  : cw_arena_printf(a, "第%s网格", f->code + 12);
	f->kind = kind ? json_string_value(kind) : "comprehensive";
	if (!f->kind || cw_grid_kind_parse(f->kind) < 0) {
		refuse(rep, f,
		       "properties.type 必须是 comprehensive、school、hospital、park、enterprise 或 market",
		       "properties.type must be comprehensive, school, hospital, park, enterprise or "
		       "market");
		return;
	}
	f->kind = cw_arena_strdup(a, f->kind);
	f->households = hh ? json_integer_value(hh) : 0;
	f->population = pop ? json_integer_value(pop) : 0;
	if ((hh && (!json_is_integer(hh) || f->households < 0 || f->households > 1000000)) ||
	    (pop && (!json_is_integer(pop) || f->population < 0 || f->population > 10000000))) {
		refuse(rep, f, "properties.households 和 population 必须是非负整数",
		       "properties.households and population must be non-negative integers");
		return;
	}
	struct cw_geo_problem why;
	if (cw_geo_parse(geometry, &f->geom, &why)) {
		snprintf(zh, sizeof zh, "几何无效：%s", why.reason_zh);
		snprintf(en, sizeof en, "invalid geometry: %s", why.reason_en);
		add_problem(rep, f->index, f->code, zh, en, &why);
		f->bad = true;
		return;
	}
	cw_geo_bbox(f->geom, f->bbox);
}

static int by_code(const void *a, const void *b)
{
	const struct feat *x = *(const struct feat *const *)a, *y = *(const struct feat *const *)b;
	int c = strcmp(x->code, y->code);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

struct import_ctx {
	const struct cw_actor *actor;
	struct feat *f;
	size_t n;
	struct feat **sorted; /* good features by code */
	size_t nsorted;
	int64_t now;
	struct cw_import_report *rep;
	void (*progress)(size_t, size_t);
};

static bool in_file(const char *code, void *p)
{
	struct import_ctx *c = p;
	size_t lo = 0, hi = c->nsorted;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(c->sorted[mid]->code, code);
		if (d == 0)
			return true;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool boxes_meet(const double a[4], const double b[4])
{
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

static int check_tx(struct cw_tx *tx, void *p)
{
	struct import_ctx *c = p;
	char zh[320], en[320];
	for (size_t i = 0; i < c->nsorted; i++) {
		struct feat *f = c->sorted[i];
		struct cw_region v, r;
		int rc = cw_store_region_get(tx, f->village, &v);
		if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && (v.level != CW_LEVEL_VILLAGE ||
							       !visible(c->actor, v.path)))) {
			snprintf(zh, sizeof zh, "所属村（社区）%s 不存在", f->village);
			snprintf(en, sizeof en, "its village %s does not exist", f->village);
			refuse(c->rep, f, zh, en);
			continue;
		}
		if (rc)
			return rc;
		rc = cw_store_region_get(tx, f->code, &r);
		if (rc == CW_DB_OK) {
			f->exists = true;
			if (!r.parent || strcmp(r.parent, f->village) != 0) {
				snprintf(zh, sizeof zh, "网格 %s 已存在，但不属于村（社区）%s", f->code,
					 f->village);
				snprintf(en, sizeof en, "grid %s exists but not under village %s",
					 f->code, f->village);
				refuse(c->rep, f, zh, en);
				continue;
			}
		} else if (rc != CW_DB_NOTFOUND) {
			return rc;
		}
		enum cw_ec ec;
		struct cw_geo_problem why;
		if ((rc = check_neighbours(tx, f->code, f->village, f->geom, in_file, c, &ec, &why)))
			return rc;
		if (ec) {
			snprintf(zh, sizeof zh, "%s：%s", ec == CW_EC_GEOMETRY_OVERLAP
							     ? "与已有网格重叠"
							     : "超出所属村（社区）边界",
				 why.reason_zh);
			snprintf(en, sizeof en, "%s: %s", ec == CW_EC_GEOMETRY_OVERLAP
							     ? "overlaps a stored grid"
							     : "reaches outside its village",
				 why.reason_en);
			if (ec == CW_EC_GEOMETRY_OVERLAP) {
				snprintf(zh + strlen(zh), sizeof zh - strlen(zh), "（%s）", why.other);
				snprintf(en + strlen(en), sizeof en - strlen(en), " (%s)", why.other);
			}
			add_problem(c->rep, f->index, f->code, zh, en, &why);
			f->bad = true;
		}
		if (c->progress)
			c->progress(i + 1, c->nsorted);
	}
	return CW_DB_OK;
}

/* Overlaps between the file's own grids of one village. */
static void check_file_overlaps(struct import_ctx *c)
{
	char zh[320], en[320];
	for (size_t i = 0; i < c->nsorted; i++) {
		struct feat *a = c->sorted[i];
		/* Sorted by code, so a village's grids stand together. */
		for (size_t k = i + 1; k < c->nsorted && strcmp(c->sorted[k]->village, a->village) == 0;
		     k++) {
			struct feat *b = c->sorted[k];
			double area;
			struct cw_geo_problem why;
			if (!boxes_meet(a->bbox, b->bbox) ||
			    !cw_geo_overlaps(b->geom, a->geom, CW_GRID_TOLERANCE_M2, &area, &why))
				continue;
			snprintf(zh, sizeof zh, "与第 %zu 个要素（%s）重叠 %.0f 平方米：%s", a->index,
				 a->code, area, why.reason_zh);
			snprintf(en, sizeof en, "overlaps feature %zu (%s) by %.0f m²: %s", a->index,
				 a->code, area, why.reason_en);
			add_problem(c->rep, b->index, b->code, zh, en, &why);
			b->bad = true;
		}
	}
}

struct write_ctx {
	struct import_ctx *c;
	size_t created, updated;
};

static int write_tx(struct cw_tx *tx, void *p)
{
	struct write_ctx *w = p;
	struct import_ctx *c = w->c;
	struct cw_arena *a = cw_store_tx_arena(tx);
	int rc;
	w->created = w->updated = 0;
	for (size_t i = 0; i < c->nsorted; i++) {
		struct feat *f = c->sorted[i];
		struct cw_region v, r;
		if ((rc = cw_store_region_get(tx, f->village, &v)))
			return rc;
		rc = cw_store_region_get(tx, f->code, &r);
		if (rc == CW_DB_NOTFOUND) {
			char path[CW_REGION_PATH_MAX];
			cw_region_child_path(v.path, f->code, path, sizeof path);
			struct cw_region n = {.code = f->code, .name = f->name, .parent = f->village,
					      .path = path, .level = CW_LEVEL_GRID,
					      .created_at = c->now, .updated_at = c->now};
			if ((rc = cw_store_region_insert(tx, &n)))
				return rc;
			w->created++;
		} else if (rc == CW_DB_OK) {
			if (strcmp(r.name, f->name) != 0 &&
			    (rc = cw_store_region_rename(tx, f->code, f->name, c->now)))
				return rc;
			w->updated++;
		} else {
			return rc;
		}
		struct cw_grid g = {.code = f->code, .kind = f->kind, .households = f->households,
				    .population = f->population, .updated_at = c->now};
		char *text = cw_geo_to_text(f->geom);
		struct cw_boundary b = {.code = f->code, .geojson = cw_arena_strdup(a, text),
					.area_m2 = cw_geo_area_m2(f->geom), .updated_at = c->now};
		free(text);
		memcpy(b.bbox, f->bbox, sizeof b.bbox);
		if ((rc = cw_store_grid_upsert(tx, &g)) || (rc = cw_store_boundary_set(tx, &b)))
			return rc;
	}
	if ((rc = cw_grids_bump_version(tx, c->now)))
		return rc;
	return cw_app_audit(tx, c->actor, "grid.import", "grids", true,
			    cw_arena_printf(a, "features=%zu created=%zu updated=%zu", c->nsorted,
					    w->created, w->updated));
}

enum cw_ec cw_grids_import(cw_store *s, const struct cw_actor *actor, const json_t *fc,
			   int64_t now, void (*progress)(size_t done, size_t total),
			   struct cw_import_report *rep)
{
	memset(rep, 0, sizeof *rep);
	if (!cw_roles_allow(actor->roles, CW_PERM_REGION_WRITE))
		return CW_EC_FORBIDDEN;
	const char *type = json_string_value(json_object_get(fc, "type"));
	json_t *features = json_object_get(fc, "features");
	if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features))
		return CW_EC_NOT_A_FEATURE_COLLECTION;
	struct cw_arena *a = cw_arena_new();
	size_t n = json_array_size(features);
	rep->features = n;
	struct feat *f = cw_xcalloc(n ? n : 1, sizeof *f);
	struct feat **sorted = cw_xcalloc(n ? n : 1, sizeof *sorted);
	size_t ns = 0;
	for (size_t i = 0; i < n; i++) {
		f[i].index = i;
		read_feature(json_array_get(features, i), &f[i], rep, a);
		if (!f[i].bad)
			sorted[ns++] = &f[i];
	}
	qsort(sorted, ns, sizeof *sorted, by_code);
	size_t kept = 0;
	for (size_t i = 0; i < ns; i++) {
		if (kept && strcmp(sorted[kept - 1]->code, sorted[i]->code) == 0) {
			char zh[200], en[200];
			snprintf(zh, sizeof zh, "代码与第 %zu 个要素重复", sorted[kept - 1]->index);
			snprintf(en, sizeof en, "the same code as feature %zu", sorted[kept - 1]->index);
			refuse(rep, sorted[i], zh, en);
			continue;
		}
		sorted[kept++] = sorted[i];
	}
	struct import_ctx c = {actor, f, n, sorted, kept, now, rep, progress};
	enum cw_ec ec = CW_EC_OK;
	int rc = cw_store_tx(s, a, false, check_tx, &c);
	if (rc)
		ec = CW_EC_STORE_UNAVAILABLE;
	if (!ec)
		check_file_overlaps(&c);
	if (!ec && rep->nproblems == 0 && kept > 0) {
		struct write_ctx w = {&c, 0, 0};
		rc = cw_store_tx(s, a, true, write_tx, &w);
		if (rc)
			ec = cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_REGION_EXISTS);
		rep->created = w.created;
		rep->updated = w.updated;
	} else if (!ec && rep->nproblems) {
		ec = CW_EC_INVALID_GEOMETRY;
	}
	/* Problems in the order of the file. */
	for (size_t i = 1; i < rep->nproblems; i++)
		for (size_t k = i; k > 0 && rep->problems[k - 1].index > rep->problems[k].index; k--) {
			struct cw_import_problem t = rep->problems[k];
			rep->problems[k] = rep->problems[k - 1];
			rep->problems[k - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		cw_geo_free(f[i].geom);
	free(f);
	free(sorted);
	cw_arena_free(a);
	return ec;
}
