/* demo_grids.c - the demo city's grids: synthetic boundaries for every district, town
 * and village, about 2,000 grids tiling the villages, and their grid workers. */
#include "app/app.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/demo_layout.h"
#include "geo/geo.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"

/* gw_001 (API.md) is the full-time worker of the first grid of 相南街道. */
#define GW001_TOWN "340603001000"

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
};
static const char *const given[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "建", "国", "红", "文",
    "志", "春", "海", "燕", "宁", "辉", "鹏", "佳", "晨", "欣",
};

static uint64_t next(uint64_t *s)
{
	/* splitmix64: small, fast and good enough for names. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *person_name(struct cw_arena *a, uint64_t *rng)
{
	const char *s = surnames[next(rng) % (sizeof surnames / sizeof surnames[0])];
	const char *g1 = given[next(rng) % (sizeof given / sizeof given[0])];
	if (next(rng) % 3 == 0)
		return cw_arena_printf(a, "%s%s", s, g1);
	return cw_arena_printf(a, "%s%s%s", s, g1, given[next(rng) % (sizeof given / sizeof given[0])]);
}

struct tree_ctx {
	struct cw_layout_village *v;
	size_t n, cap;
	char **names; /* village names, by index */
};

static int collect(struct cw_tx *tx, const char *parent, struct tree_ctx *c, const char *district,
		   const char *town)
{
	struct cw_region *rs;
	int n, rc;
	const char *after = NULL;
	struct cw_arena *a = cw_store_tx_arena(tx);
	do {
		if ((rc = cw_store_region_children(tx, parent, after, 500, &rs, &n)))
			return rc;
		for (int i = 0; i < n; i++) {
			if (rs[i].level == CW_LEVEL_DISTRICT)
				rc = collect(tx, rs[i].code, c, rs[i].code, NULL);
			else if (rs[i].level == CW_LEVEL_TOWN)
				rc = collect(tx, rs[i].code, c, district, rs[i].code);
			else if (rs[i].level == CW_LEVEL_VILLAGE && district && town) {
				if (c->n == c->cap) {
					c->cap = c->cap ? 2 * c->cap : 512;
					c->v = cw_xrealloc(c->v, c->cap * sizeof *c->v);
				}
				c->v[c->n++] = (struct cw_layout_village){
				    .code = cw_arena_strdup(a, rs[i].code),
				    .town = cw_arena_strdup(a, town),
				    .district = cw_arena_strdup(a, district),
				    .name = cw_arena_strdup(a, rs[i].name),
				};
			}
			if (rc)
				return rc;
		}
		after = n ? rs[n - 1].code : NULL;
	} while (n == 500);
	return CW_DB_OK;
}

static int tree_tx(struct cw_tx *tx, void *p)
{
	struct tree_ctx *c = p;
	c->n = 0;
	struct cw_region root;
	if (cw_region_root_tx(tx, &root))
		return CW_DB_NOTFOUND;
	return collect(tx, root.code, c, NULL, NULL);
}

struct load_ctx {
	const struct cw_layout *l;
	const struct cw_layout_village *v;
	size_t nv;
	uint64_t seed;
	int64_t now;
	size_t grids, workers;
	bool existed;
};

static const char *village_name(const struct load_ctx *c, const char *code)
{
	for (size_t i = 0; i < c->nv; i++)
		if (strcmp(c->v[i].code, code) == 0)
			return c->v[i].name;
	return "";
}

/* Short form of a village's name for its grids: "徐暨村村委会" → "徐暨村". */
static const char *short_name(struct cw_arena *a, const char *name)
{
	static const char *const suffixes[] = {"社区居民委员会", "社区居委会", "居民委员会",
					       "村民委员会", "居委会", "村委会"};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strcmp(name + n - k, suffixes[i]) == 0) {
			bool village = strcmp(suffixes[i], "村委会") == 0 ||
				       strcmp(suffixes[i], "村民委员会") == 0;
			return cw_arena_printf(a, "%.*s%s", (int)(n - k), name,
					       village ? "" : "社区");
		}
	}
	return name;
}

static int boundary_of(struct cw_tx *tx, const char *code, const struct cw_layout_ring *ring,
		       int64_t now)
{
	struct cw_geo *g;
	struct cw_geo_problem why;
	/* A centimetre is plenty for a drawn boundary, and short numbers keep the
	 * city's GeoJSON small for phones. Equal inputs round equally, so neighbours
	 * still share their vertices exactly. */
	double *ll = cw_arena_alloc(cw_store_tx_arena(tx), 2 * ring->n * sizeof *ll);
	for (size_t i = 0; i < 2 * ring->n; i++)
		ll[i] = round(ring->lonlat[i] * 1e7) / 1e7;
	if (cw_geo_from_ring(ll, ring->n, &g, &why)) {
		cw_error("demo: the generated boundary of %s is invalid: %s", code, why.reason_en);
		return CW_DB_ERROR;
	}
	char *text = cw_geo_to_text(g);
	struct cw_boundary b = {.code = code, .geojson = cw_arena_strdup(cw_store_tx_arena(tx), text),
				.area_m2 = cw_geo_area_m2(g), .updated_at = now};
	cw_geo_bbox(g, b.bbox);
	free(text);
	cw_geo_free(g);
	return cw_store_boundary_set(tx, &b);
}

static int add_worker(struct cw_tx *tx, const char *grid, const char *path, const char *username,
		      const char *name, const char *duty, int64_t now, int64_t *id)
{
	struct cw_user u = {.username = username, .name = name, .region = grid, .region_path = path,
			    .roles = 1u << CW_ROLE_GRID_WORKER, .password_hash = "",
			    .created_at = now, .updated_at = now};
	int rc = cw_store_user_insert(tx, &u);
	if (rc)
		return rc;
	*id = u.id;
	return cw_store_grid_worker_set(tx, grid, u.id, duty, now);
}

static int load_tx(struct cw_tx *tx, void *p)
{
	struct load_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	const struct cw_layout *l = c->l;
	int rc;
	c->grids = c->workers = 0;
	c->existed = false;
	/* Idempotent: grids already there (from an earlier run or an import) stay. */
	struct cw_grid *gs;
	int ng;
	struct cw_region root;
	if ((rc = cw_region_root_tx(tx, &root)) ||
	    (rc = cw_store_grid_list(tx, root.path, NULL, 1, &gs, &ng)))
		return rc;
	if (ng > 0) {
		c->existed = true;
		return CW_DB_OK;
	}
	for (size_t i = 0; i < l->nareas; i++)
		if ((rc = boundary_of(tx, l->areas[i].code, &l->areas[i].ring, c->now)))
			return rc;
	struct cw_user gw001;
	bool have_gw001 = cw_store_user_by_username(tx, "gw_001", &gw001) == CW_DB_OK;
	bool gw001_placed = false;
	uint64_t rng = c->seed ^ 0x6772696473ULL;
	for (size_t i = 0; i < l->ngrids; i++) {
		const struct cw_layout_grid *lg = &l->grids[i];
		struct cw_region v;
		if ((rc = cw_store_region_get(tx, lg->village, &v)))
			return rc;
		char path[CW_REGION_PATH_MAX];
		cw_region_child_path(v.path, lg->code, path, sizeof path);
		const char *gpath = cw_arena_strdup(a, path);
		struct cw_region r = {
		    .code = lg->code,
		    .name = cw_arena_printf(a, "%s第%d网格", short_name(a, village_name(c, lg->village)),
					    atoi(lg->code + 12)),
		    .parent = lg->village, .path = gpath, .level = CW_LEVEL_GRID,
		    .created_at = c->now, .updated_at = c->now};
		struct cw_grid g = {.code = lg->code, .kind = cw_grid_kind_name(lg->kind),
				    .households = lg->households, .population = lg->population,
				    .synthetic = true, .updated_at = c->now};
		if ((rc = cw_store_region_insert(tx, &r)) || (rc = cw_store_grid_upsert(tx, &g)) ||
		    (rc = boundary_of(tx, lg->code, &lg->ring, c->now)))
			return rc;
		c->grids++;
		int64_t id;
		if (have_gw001 && !gw001_placed && strncmp(lg->village, GW001_TOWN, 9) == 0) {
			/* The demo login of API.md takes this grid's full-time post. */
			gw001.region = lg->code;
			gw001.region_path = gpath;
			gw001.updated_at = c->now;
			if ((rc = cw_store_user_update(tx, &gw001)) ||
			    (rc = cw_store_grid_worker_set(tx, lg->code, gw001.id, "full_time", c->now)))
				return rc;
			gw001_placed = true;
		} else if ((rc = add_worker(tx, lg->code, gpath, cw_arena_printf(a, "gw%s", lg->code),
					    person_name(a, &rng), "full_time", c->now, &id))) {
			return rc;
		}
		c->workers++;
		for (int k = 1; k <= lg->part_timers; k++) {
			if ((rc = add_worker(tx, lg->code, gpath,
					     cw_arena_printf(a, "gw%s.p%d", lg->code, k),
					     person_name(a, &rng), "part_time", c->now, &id)))
				return rc;
			c->workers++;
		}
	}
	if ((rc = cw_grids_bump_version(tx, c->now)))
		return rc;
	struct cw_actor actor = cw_actor_cli();
	actor.username = "demo";
	return cw_app_audit(tx, &actor, "demo.grids", "city", true,
			    cw_arena_printf(a, "grids+%zu workers+%zu (synthetic)", c->grids,
					    c->workers));
}

int cw_demo_load_grids(cw_store *s, uint64_t seed, bool quiet)
{
	struct cw_arena *a = cw_arena_new();
	struct tree_ctx t = {0};
	int rc = cw_store_tx(s, a, false, tree_tx, &t);
	if (rc || t.n == 0) {
		fprintf(stderr, "civicgrid demo: no villages to lay grids out in\n");
		free(t.v);
		cw_arena_free(a);
		return -1;
	}
	struct cw_layout l;
	if (cw_layout_city(t.v, t.n, seed, &l)) {
		fprintf(stderr, "civicgrid demo: laying out the grids failed\n");
		free(t.v);
		cw_arena_free(a);
		return -1;
	}
	struct load_ctx c = {.l = &l, .v = t.v, .nv = t.n, .seed = seed, .now = cw_now()};
	rc = cw_store_tx(s, a, true, load_tx, &c);
	cw_layout_free(&l);
	free(t.v);
	cw_arena_free(a);
	if (rc) {
		fprintf(stderr, "civicgrid demo: loading the grids failed (store error %d)\n", rc);
		return -1;
	}
	if (!quiet && !c.existed)
		printf("demo grids: %zu grids (synthetic boundaries) and %zu grid workers added\n",
		       c.grids, c.workers);
	else if (!quiet)
		printf("demo grids: 0 grids and 0 grid workers added\n");
	return 0;
}
