/* demo_cases.c - `civicgrid demo --cases N`: a year of cases across the demo city,
 * deterministic for a seed and an end date, written through the store in large
 * transactions. The walk of each case is demo_cases_walk.c's; this file picks what
 * each case is (kind, category, grid, point, channel, reporter, department) and writes
 * it with its timeline. One audit record for the whole generation. */
#include "app/app.h"
#include "app/demo_cases.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/category.h"
#include "geo/geo.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define BATCH 5000   /* cases per transaction */
#define MAX_DISTRICTS 16

/* ---- what the generation knows of the city ---- */

struct dc_grid {
	char code[16];
	int district;	     /* index into gen.districts */
	const char *village; /* names, for titles and addresses */
	const char *address;
	double bbox[4];
	int64_t worker_id;   /* the full-time grid worker, 0 none */
	const char *worker;  /* their username */
	int64_t last_case;   /* the latest case generated in this grid (merges) */
};

struct dc_cat {
	const char *code, *name, *kind;
	const struct cw_case_kind *k;
	struct cw_case_due deadline;
	enum cw_level first;
	const char *keys[CW_LEVEL__COUNT];
	int64_t dept[MAX_DISTRICTS], other[MAX_DISTRICTS]; /* -1: not worked out yet */
};

struct dc_user {
	int64_t id;
	const char *username;
	const char *path; /* home region path */
	enum cw_level level;
	int64_t department;
};

enum { U_CENTER, U_XS_CENTER, U_CG_DEPT, U_MEDIATOR, U_XF_OFFICER, U_LEADER, U_CITIZEN, U__N };
static const char *const user_names[U__N] = {"center", "xs_center", "cg_dept", "mediator",
					     "xf_officer", "leader", "citizen"};

struct gen {
	cw_store *s;
	const struct cw_demo_cases_options *opt;
	struct cw_arena *a; /* lives for the whole generation */
	struct cw_geo_locator *loc;
	struct cw_calendar *cal;
	char city[16];
	char districts[MAX_DISTRICTS][16];
	const char *district_paths[MAX_DISTRICTS];
	int ndistricts;
	struct dc_grid *grids;
	int ngrids;
	double *grid_cum;
	struct dc_cat *cats;
	int ncats;
	double kind_cum[5];
	const char *kinds[5];
	double *cat_cum[5]; /* per kind, over cats_of[kind] */
	int *cats_of[5], ncats_of[5];
	struct cw_department *depts;
	int ndepts;
	struct dc_user users[U__N];
	int64_t *times;
	int64_t *last_snapshot; /* grid last_case at the start of a batch (retries) */
	struct cw_dc_walk *walk; /* one case's walk, reused */
	struct cw_case_event *events; /* timeline entries waiting to be written */
	int nevents, cap_events;
	int64_t from, to, done;
	int64_t refused;
	bool exists; /* the store held cases already */
};

/* ---- loading the context ---- */

static int load_tx(struct cw_tx *tx, void *p)
{
	struct gen *g = p;
	struct cw_arena *a = g->a;
	int rc;
	struct cw_case *one;
	int n;
	struct cw_case_filter f = {.overdue = -1};
	if ((rc = cw_store_case_list(tx, &f, 1, &one, &n)))
		return rc;
	g->exists = n > 0;
	if (g->exists)
		return CW_DB_OK;

	struct cw_region root;
	if ((rc = cw_region_root_tx(tx, &root)))
		return rc;
	snprintf(g->city, sizeof g->city, "%s", root.code);

	/* Users the timeline names. */
	for (int i = 0; i < U__N; i++) {
		struct cw_user u;
		rc = cw_store_user_by_username(tx, user_names[i], &u);
		if (rc == CW_DB_NOTFOUND)
			continue;
		if (rc)
			return rc;
		g->users[i] = (struct dc_user){.id = u.id,
					       .username = cw_arena_strdup(a, u.username),
					       .path = cw_arena_strdup(a, u.region_path),
					       .level = cw_region_code_level(u.region),
					       .department = u.department_id};
	}

	/* Departments, all of them. */
	int cap = 0;
	int64_t after = 0;
	for (;;) {
		struct cw_department *items;
		if ((rc = cw_store_department_list(tx, NULL, after, 500, &items, &n)))
			return rc;
		for (int i = 0; i < n; i++) {
			if (g->ndepts == cap) {
				cap = cap ? 2 * cap : 128;
				g->depts = cw_xrealloc(g->depts, (size_t)cap * sizeof *g->depts);
			}
			struct cw_department *d = &g->depts[g->ndepts++];
			d->id = items[i].id;
			d->code = cw_arena_strdup(a, items[i].code);
			after = items[i].id;
		}
		if (n < 500)
			break;
	}

	/* Categories (active), by kind. */
	struct cw_stored_category *cats;
	if ((rc = cw_store_category_list(tx, NULL, false, &cats, &n)))
		return rc;
	g->cats = cw_xcalloc((size_t)(n ? n : 1), sizeof *g->cats);
	for (int i = 0; i < n; i++) {
		const struct cw_category *c = &cats[i].cat;
		const struct cw_case_kind *k = cw_case_kind_find(c->kind);
		if (!k)
			continue;
		struct dc_cat *d = &g->cats[g->ncats++];
		d->code = cw_arena_strdup(a, c->code);
		d->name = cw_arena_strdup(a, c->name);
		d->kind = k->name;
		d->k = k;
		d->deadline = c->deadline;
		d->first = cw_level_parse(c->first_level);
		if (d->first == CW_LEVEL_INVALID)
			d->first = CW_LEVEL_DISTRICT;
		for (int l = 0; l < CW_LEVEL__COUNT; l++)
			d->keys[l] = c->departments[l] && *c->departments[l]
					 ? cw_arena_strdup(a, c->departments[l])
					 : NULL;
		for (int j = 0; j < MAX_DISTRICTS; j++)
			d->dept[j] = d->other[j] = -1;
	}

	/* Grids with their boundaries' envelopes, full-time workers and place names. */
	int gcap = 0;
	const char *after_code = NULL;
	for (;;) {
		struct cw_grid *items;
		if ((rc = cw_store_grid_list(tx, root.path, after_code, 500, &items, &n)))
			return rc;
		for (int i = 0; i < n; i++) {
			after_code = cw_arena_strdup(a, items[i].code);
			if (!items[i].has_boundary)
				continue;
			if (g->ngrids == gcap) {
				gcap = gcap ? 2 * gcap : 1024;
				g->grids = cw_xrealloc(g->grids, (size_t)gcap * sizeof *g->grids);
				g->grid_cum = cw_xrealloc(g->grid_cum, (size_t)gcap * sizeof *g->grid_cum);
			}
			struct dc_grid *x = &g->grids[g->ngrids];
			memset(x, 0, sizeof *x);
			snprintf(x->code, sizeof x->code, "%s", items[i].code);
			/* The path's second part is the district. */
			const char *path = items[i].path;
			const char *slash = strchr(path, '/');
			char district[16] = "";
			if (slash)
				snprintf(district, sizeof district, "%.12s", slash + 1);
			int di = 0;
			while (di < g->ndistricts && strcmp(g->districts[di], district))
				di++;
			if (di == g->ndistricts) {
				if (g->ndistricts == MAX_DISTRICTS)
					continue;
				snprintf(g->districts[di], 16, "%s", district);
				g->district_paths[di] =
				    cw_arena_printf(a, "%.*s", (int)(slash - path) + 13, path);
				g->ndistricts++;
			}
			x->district = di;
			/* Names of the district, town and village for the address. */
			char codes[3][16] = {"", "", ""};
			const char *q = slash ? slash + 1 : "";
			for (int l = 0; l < 3 && *q; l++) {
				snprintf(codes[l], 16, "%.12s", q);
				q = strchr(q, '/');
				q = q ? q + 1 : "";
			}
			const char *names[3] = {"", "", ""};
			for (int l = 0; l < 3; l++) {
				struct cw_region r;
				if (*codes[l] && cw_store_region_get(tx, codes[l], &r) == CW_DB_OK)
					names[l] = r.name;
			}
			x->village = cw_arena_strdup(a, names[2]);
			x->address = cw_arena_printf(a, "%s%s%s%s", names[0], names[1], names[2],
						     items[i].name);
			/* Cases follow people, and the city more than the county: weight by
			 * population, less in 濉溪县 (a county, code 3406 2x). */
			double w = (double)(items[i].population > 50 ? items[i].population : 50);
			if (district[4] == '2')
				w *= 0.45;
			else if (strcmp(district, "340603000000") != 0)
				w *= 0.85;
			g->grid_cum[g->ngrids] = (g->ngrids ? g->grid_cum[g->ngrids - 1] : 0) + w;
			g->ngrids++;
		}
		if (n < 500)
			break;
	}
	for (int i = 0; i < g->ngrids; i++) {
		struct cw_boundary b;
		if ((rc = cw_store_boundary_get(tx, g->grids[i].code, &b)))
			return rc;
		memcpy(g->grids[i].bbox, b.bbox, sizeof b.bbox);
	}
	struct cw_grid_worker *ws;
	if ((rc = cw_store_grid_workers(tx, root.path, NULL, &ws, &n)))
		return rc;
	int gi = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(ws[i].duty, "full_time") != 0)
			continue;
		while (gi < g->ngrids && strcmp(g->grids[gi].code, ws[i].grid) < 0)
			gi++;
		if (gi < g->ngrids && strcmp(g->grids[gi].code, ws[i].grid) == 0 &&
		    !g->grids[gi].worker_id) {
			g->grids[gi].worker_id = ws[i].user_id;
			g->grids[gi].worker = cw_arena_strdup(a, ws[i].username);
		}
	}
	return CW_DB_OK;
}

/* ---- weights ---- */

/* The share of each kind (only kinds with categories are drawn). */
static const struct {
	const char *kind;
	double share;
} kind_share[5] = {
    {"event", 0.72}, {"service", 0.12}, {"dispute", 0.07}, {"hazard", 0.06}, {"petition", 0.03},
};

/* The most reported urban-management matters (a subclass weighs 1, a class row 0.2). */
static const struct {
	const char *code;
	double w;
} frequent[] = {
    {"06010", 9}, {"07001", 8}, {"09006", 7}, {"09001", 6}, {"09003", 5}, {"06002", 5},
    {"06003", 4}, {"09002", 4}, {"06001", 3}, {"08001", 3}, {"03002", 3}, {"01005", 3},
    {"06006", 3}, {"06008", 2}, {"04002", 2}, {"10005", 2}, {"D102", 4},  {"D101", 3},
    {"D114", 3},  {"S103", 3},  {"S101", 3},  {"S102", 2},  {"H402", 3},  {"H401", 2},
    {"P102", 2},  {"P101", 2},  {"P103", 2},
};

static double cat_weight(const struct dc_cat *c, bool is_class)
{
	for (int i = 0; i < NELEM(frequent); i++)
		if (strcmp(frequent[i].code, c->code) == 0)
			return frequent[i].w;
	return is_class ? 0.2 : 1.0;
}

static void build_weights(struct gen *g)
{
	double sum = 0;
	int nk = 0;
	for (int i = 0; i < 5; i++) {
		int cnt = 0;
		for (int j = 0; j < g->ncats; j++)
			cnt += strcmp(g->cats[j].kind, kind_share[i].kind) == 0;
		if (!cnt)
			continue;
		g->kinds[nk] = kind_share[i].kind;
		g->kind_cum[nk] = sum += kind_share[i].share;
		g->cats_of[nk] = cw_xcalloc((size_t)cnt, sizeof(int));
		g->cat_cum[nk] = cw_xcalloc((size_t)cnt, sizeof(double));
		double cs = 0;
		for (int j = 0; j < g->ncats; j++) {
			if (strcmp(g->cats[j].kind, kind_share[i].kind) != 0)
				continue;
			/* A class code is the short one: 2 digits, or a letter and a digit. */
			bool is_class = strlen(g->cats[j].code) <= 2;
			g->cats_of[nk][g->ncats_of[nk]] = j;
			g->cat_cum[nk][g->ncats_of[nk]++] = cs += cat_weight(&g->cats[j], is_class);
		}
		nk++;
	}
	for (int i = nk; i < 5; i++)
		g->kind_cum[i] = 0;
}

static int nkinds(const struct gen *g)
{
	int n = 0;
	while (n < 5 && g->kinds[n])
		n++;
	return n;
}

/* ---- routing (as cases.c: the key at the level, the district's unit, else the city's) ---- */

static int64_t dept_id(const struct gen *g, const char *code)
{
	for (int i = 0; i < g->ndepts; i++)
		if (strcmp(g->depts[i].code, code) == 0)
			return g->depts[i].id;
	return 0;
}

static const char *dept_code(const struct gen *g, int64_t id)
{
	for (int i = 0; i < g->ndepts; i++)
		if (g->depts[i].id == id)
			return g->depts[i].code;
	return NULL;
}

static void route(struct gen *g, struct dc_cat *c, int district)
{
	if (c->dept[district] >= 0)
		return;
	char code[64];
	int64_t d = 0, other = 0;
	const char *key = c->keys[c->first];
	if (key) {
		if (c->first >= CW_LEVEL_DISTRICT) {
			snprintf(code, sizeof code, "%s-%s", key, g->districts[district]);
			d = dept_id(g, code);
		}
		snprintf(code, sizeof code, "%s-%s", key, g->city);
		int64_t city_unit = dept_id(g, code);
		if (!d)
			d = city_unit;
		/* A returned case goes to the city's unit, or the district's 综治中心. */
		other = city_unit != d ? city_unit : 0;
		if (!other) {
			snprintf(code, sizeof code, "zzb-%s", g->districts[district]);
			other = dept_id(g, code);
		}
	}
	c->dept[district] = d;
	c->other[district] = other ? other : d;
}

/* ---- one case ---- */

static const char *const topics[] = {
    "拆迁补偿", "物业管理", "拖欠劳动报酬", "社会保障待遇", "环境污染", "住房保障",
    "土地承包", "教育入学",
};

struct channel {
	const char *name;
	double share;
};

static const char *pick_channel(struct cw_dc_rng *r, const struct channel *v, int n)
{
	double x = cw_dc_unit(r), sum = 0;
	for (int i = 0; i < n; i++)
		if (x < (sum += v[i].share))
			return v[i].name;
	return v[n - 1].name;
}

static const char *channel_for(struct cw_dc_rng *r, const struct dc_cat *c)
{
	/* Grid workers find a third; the rest come from citizens, who can rate. */
	static const struct channel event[] = {
	    {"grid_patrol", 0.33}, {"hotline_12345", 0.27}, {"app", 0.16},
	    {"wechat", 0.15},	   {"web", 0.05},	    {"department", 0.04},
	};
	static const struct channel service[] = {
	    {"hotline_12345", 0.55}, {"app", 0.15}, {"wechat", 0.15}, {"web", 0.10}, {"visit", 0.05},
	};
	static const struct channel hazard[] = {
	    {"grid_patrol", 0.55}, {"hotline_12345", 0.20}, {"app", 0.15}, {"department", 0.10},
	};
	static const struct channel dispute[] = {
	    {"visit", 0.35}, {"grid_patrol", 0.35}, {"hotline_12345", 0.15}, {"wechat", 0.15},
	};
	static const struct channel petition[] = {
	    {"letter", 0.4}, {"visit", 0.35}, {"web", 0.25},
	};
	if (strcmp(c->kind, "petition") == 0) {
		/* 来信, 来访, 网上信访, 集体访: the category says how it came. */
		if (strcmp(c->code, "P101") == 0)
			return "letter";
		if (strcmp(c->code, "P102") == 0 || strcmp(c->code, "P104") == 0)
			return "visit";
		if (strcmp(c->code, "P103") == 0)
			return "web";
		return pick_channel(r, petition, NELEM(petition));
	}
	if (strcmp(c->kind, "service") == 0)
		return pick_channel(r, service, NELEM(service));
	if (strcmp(c->kind, "hazard") == 0)
		return pick_channel(r, hazard, NELEM(hazard));
	if (strcmp(c->kind, "dispute") == 0)
		return pick_channel(r, dispute, NELEM(dispute));
	return pick_channel(r, event, NELEM(event));
}

/* The user a step of the walk is taken by: the demo user who holds that part, else the
 * department unit's code with no user (the demo has no account for every unit). */
static void who(const struct gen *g, const struct dc_grid *grid, const struct dc_cat *c,
		const struct cw_case *k, const struct cw_dc_event *e, int64_t *uid,
		const char **name)
{
	const struct dc_user *u = NULL;
	bool petition = strcmp(c->kind, "petition") == 0;
	*uid = 0;
	*name = "system";
	switch (e->role) {
	case CW_DC_SYSTEM:
		return;
	case CW_DC_REPORTER:
		if (k->reporter_user_id) {
			*uid = k->reporter_user_id;
			*name = k->reporter_user_id == grid->worker_id ? grid->worker
								       : g->users[U_CITIZEN].username;
			return;
		}
		/* An anonymous call or a unit's own finding, entered at the centre. */
		/* fall through */
	case CW_DC_DISPATCH: {
		const struct dc_user *xs = &g->users[U_XS_CENTER];
		if (petition)
			u = &g->users[U_XF_OFFICER];
		else if (xs->id && cw_scope_contains(xs->path, g->district_paths[grid->district]) &&
			 e->level >= xs->level)
			u = xs;
		else
			u = &g->users[U_CENTER];
		break;
	}
	case CW_DC_DEPT: {
		const struct dc_user *cg = &g->users[U_CG_DEPT], *med = &g->users[U_MEDIATOR];
		if (strcmp(c->kind, "dispute") == 0 && med->id && med->department == e->department)
			u = med;
		else if (strcmp(c->kind, "dispute") != 0 && cg->id && cg->department == e->department)
			u = cg;
		else {
			const char *code = dept_code(g, e->department);
			*name = code ? code : "department";
			return;
		}
		break;
	}
	case CW_DC_GRID:
		*uid = grid->worker_id;
		*name = grid->worker ? grid->worker : "grid_worker";
		return;
	case CW_DC_CITIZEN:
		u = &g->users[U_CITIZEN];
		break;
	case CW_DC_LEADER:
		u = &g->users[U_LEADER];
		break;
	}
	if (u && u->id) {
		*uid = u->id;
		*name = u->username;
	}
}

static int flush_events(struct cw_tx *tx, struct gen *g)
{
	int rc = cw_store_case_events_insert(tx, g->events, g->nevents);
	g->nevents = 0;
	return rc;
}

static int gen_case(struct cw_tx *tx, struct gen *g, int64_t i)
{
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_dc_rng r = cw_dc_rng_for(g->opt->seed, (uint64_t)i);
	int64_t created = g->times[i];

	struct dc_grid *grid = &g->grids[cw_dc_pick(&r, g->grid_cum, g->ngrids)];
	int kind = cw_dc_pick(&r, g->kind_cum, nkinds(g));
	struct dc_cat *cat = &g->cats[g->cats_of[kind][cw_dc_pick(&r, g->cat_cum[kind],
								 g->ncats_of[kind])]];
	const char *channel = channel_for(&r, cat);
	bool patrol = strcmp(channel, "grid_patrol") == 0 && grid->worker_id;
	int64_t reporter = 0;
	if (patrol)
		reporter = grid->worker_id;
	else if (strcmp(channel, "department") != 0 && cw_dc_unit(&r) < 0.96)
		reporter = g->users[U_CITIZEN].id;

	/* A point in the grid: drawn in its envelope until the index says it is inside. */
	bool located = false;
	double lon = 0, lat = 0;
	for (int t = 0; t < 64 && !located; t++) {
		char hit[16];
		lon = grid->bbox[0] + cw_dc_unit(&r) * (grid->bbox[2] - grid->bbox[0]);
		lat = grid->bbox[1] + cw_dc_unit(&r) * (grid->bbox[3] - grid->bbox[1]);
		/* Rounded to about 10 cm, as a phone would give it. */
		lon = (double)(int64_t)(lon * 1e6 + 0.5) / 1e6;
		lat = (double)(int64_t)(lat * 1e6 + 0.5) / 1e6;
		located = cw_geo_locator_locate(g->loc, lon, lat, hit) && strcmp(hit, grid->code) == 0;
	}

	route(g, cat, grid->district);
	struct cw_dc_walk_in in = {
	    .kind = cat->k,
	    .handle = cat->deadline,
	    .level = cat->first, /* a grid is the lowest level: never capped */
	    .department = cat->dept[grid->district],
	    .other_department = cat->other[grid->district],
	    .merge_into = grid->last_case,
	    .citizen = reporter && reporter == g->users[U_CITIZEN].id,
	    .grid_worker = grid->worker_id != 0,
	    .patrol = patrol,
	    .created = created,
	    .until = g->opt->until,
	    .cal = g->cal,
	    .hours = g->opt->work_hours,
	};
	struct cw_dc_walk *w = g->walk;
	cw_dc_walk(&in, &r, w);
	g->refused += w->refused;

	const struct cw_case_kind *k = cat->k;
	struct cw_case cs = {0}, *c = &cs;
	cs.kind = cat->kind;
	cs.category = cat->code;
	if (strcmp(cat->kind, "petition") == 0) {
		const char *topic = topics[cw_dc_below(&r, NELEM(topics))];
		cs.title = cw_arena_printf(a, "反映%s问题", topic);
		cs.description = cw_arena_printf(a, "信访人反映%s问题，要求依法处理。", topic);
	} else {
		cs.title = cw_arena_printf(a, "%s%s", grid->village, cat->name);
		cs.description =
		    strcmp(cat->kind, "service") == 0
			? cw_arena_printf(a, "群众反映%s相关诉求，请协调解决。", cat->name)
		    : strcmp(cat->kind, "hazard") == 0
			? cw_arena_printf(a, "排查发现%s存在%s，需及时整改。", grid->address, cat->name)
		    : strcmp(cat->kind, "dispute") == 0
			? cw_arena_printf(a, "%s发生%s，当事人申请调解。", grid->address, cat->name)
		    : patrol ? cw_arena_printf(a, "巡查发现%s存在%s问题，请及时处置。", grid->address,
					       cat->name)
			     : cw_arena_printf(a, "群众反映%s%s，希望尽快处理。", grid->address,
					       cat->name);
	}
	cs.status = cw_case_status_name(k, w->st.status);
	cs.level = cw_level_name(w->st.level);
	cs.region = grid->code;
	cs.grid = grid->code;
	cs.department_id = w->st.department;
	cs.has_location = located;
	cs.lon = located ? lon : 0;
	cs.lat = located ? lat : 0;
	cs.address = grid->address;
	cs.channel = channel;
	cs.reporter_user_id = reporter;
	cs.deadline = w->deadline;
	const char *ph = w->st.clock ? cw_case_phase_name(k, w->st.clock) : NULL;
	cs.clock = ph ? ph : "";
	cs.clock_started_at = w->clock_started_at;
	cs.clock_remaining = w->clock_remaining;
	cs.overdue = w->st.overdue;
	/* Late if the walk ever marked it overdue (the store counts it, store_counts.c). */
	for (int j = 0; j < w->nev && !cs.late; j++)
		cs.late = !strcmp(w->ev[j].what, "overdue") ||
			  !strcmp(w->ev[j].what, "escalate.overdue");
	cs.warned = w->st.warned;
	cs.supervised = w->st.supervised;
	cs.extension_pending = w->st.extension_pending;
	cs.extension_days_asked = w->st.extension_days_asked;
	cs.extensions = w->st.extensions;
	cs.extension_days = w->st.extension_days;
	cs.reworks = w->st.reworks;
	cs.escalations = w->st.escalations;
	cs.ratings = w->st.ratings;
	cs.rating = w->st.rating;
	cs.rectifications = w->st.rectifications;
	cs.kind_flags = w->st.kind_flags;
	cs.resume_status = w->st.resume_status ? cw_case_status_name(k, w->st.resume_status) : "";
	cs.merged_into = w->st.merged_into;
	cs.created_at = created;
	cs.updated_at = w->updated_at;

	char day[16];
	int64_t d = cw_day_of(created);
	int y, m, dd;
	cw_day_to_civil(d, &y, &m, &dd);
	snprintf(day, sizeof day, "%04d%02d%02d", y, m, dd);
	int rc = cw_store_case_insert(tx, c, day);
	if (rc)
		return rc;
	if ((rc = cw_case_index_tx(tx, c)))
		return rc;
	/* The timeline goes out in bulk, many cases' entries a statement. */
	if (g->nevents + w->nev > g->cap_events && (rc = flush_events(tx, g)))
		return rc;
	for (int j = 0; j < w->nev; j++) {
		const struct cw_dc_event *e = &w->ev[j];
		struct cw_case_event *ev = &g->events[g->nevents++];
		*ev = (struct cw_case_event){
		    .case_id = c->id,
		    .at = e->at,
		    .action = cw_arena_strdup(a, e->what),
		    .note = e->note,
		    .status_before = e->status_before ? cw_case_status_name(k, e->status_before) : "",
		    .status_after = cw_case_status_name(k, e->status_after),
		};
		who(g, grid, cat, c, e, &ev->user_id, &ev->username);
	}
	grid->last_case = c->id;
	return CW_DB_OK;
}

static int batch_tx(struct cw_tx *tx, void *p)
{
	struct gen *g = p;
	/* A retried transaction starts again from the same grids' last cases. */
	for (int i = 0; i < g->ngrids; i++)
		g->grids[i].last_case = g->last_snapshot[i];
	g->refused = 0;
	g->nevents = 0;
	int rc;
	if (g->from == 0) {
		struct cw_actor actor = cw_actor_cli();
		actor.username = "demo";
		char until[16];
		cw_day_format(cw_day_of(g->opt->until), until, sizeof until);
		rc = cw_app_audit(tx, &actor, "demo.cases", cw_arena_printf(cw_store_tx_arena(tx),
									   "city:%s", g->city),
				  true,
				  cw_arena_printf(cw_store_tx_arena(tx),
						  "cases=%" PRId64 " seed=%" PRIu64 " until=%s",
						  g->opt->cases, g->opt->seed, until));
		if (rc)
			return rc;
	}
	for (int64_t i = g->from; i < g->to; i++)
		if ((rc = gen_case(tx, g, i)))
			return rc;
	return flush_events(tx, g);
}

static void progress(const struct gen *g, double t0, bool end)
{
	double dt = cw_mono_seconds() - t0;
	fprintf(stderr, "\rdemo cases: %" PRId64 " / %" PRId64 " (%.0f cases/s)%s", g->done,
		g->opt->cases, dt > 0 ? (double)g->done / dt : 0.0, end ? "\n" : "");
	fflush(stderr);
}

static void gen_free(struct gen *g)
{
	for (int i = 0; i < 5; i++) {
		free(g->cats_of[i]);
		free(g->cat_cum[i]);
	}
	free(g->cats);
	free(g->grids);
	free(g->grid_cum);
	free(g->depts);
	free(g->times);
	free(g->last_snapshot);
	free(g->walk);
	free(g->events);
	if (g->loc)
		cw_geo_locator_free(g->loc);
	cw_calendar_free(g->cal);
	cw_arena_free(g->a);
}

int cw_demo_load_cases(cw_store *s, const struct cw_demo_cases_options *opt)
{
	struct gen g = {.s = s, .opt = opt, .a = cw_arena_new()};
	int result = -1;
	if (opt->cases <= 0)
		return 0;
	if (cw_store_tx(s, g.a, false, load_tx, &g)) {
		fputs("civicgrid: demo cases: cannot read the demo city\n", stderr);
		goto out;
	}
	if (g.exists) {
		if (!opt->quiet)
			printf("demo cases: the store holds cases already; none added\n");
		result = 0;
		goto out;
	}
	build_weights(&g);
	if (!g.ngrids || !nkinds(&g) || !g.ndistricts) {
		fputs("civicgrid: demo cases: the demo city has no grids or no categories; "
		      "load it first (civicgrid demo)\n",
		      stderr);
		goto out;
	}
	g.loc = cw_geo_locator_new();
	if (cw_grids_rebuild_index(s, g.loc) <= 0) {
		fputs("civicgrid: demo cases: cannot index the grids\n", stderr);
		goto out;
	}
	g.cal = cw_calendar_load(s);
	char until[16];
	cw_day_format(cw_day_of(opt->until), until, sizeof until);
	if (!cw_calendar_covers(g.cal, opt->until - 365 * 86400, opt->until - 1))
		cw_warn("demo cases: the working-day calendar does not cover the year before %s; "
			"deadlines fall back to Monday-Friday where it does not",
			until);
	g.times = cw_xcalloc((size_t)opt->cases, sizeof *g.times);
	cw_dc_times(opt->seed, g.cal, opt->until, opt->cases, g.times);
	g.last_snapshot = cw_xcalloc((size_t)g.ngrids, sizeof *g.last_snapshot);
	g.walk = cw_xmalloc(sizeof *g.walk);
	g.cap_events = 4096;
	g.events = cw_xcalloc((size_t)g.cap_events, sizeof *g.events);

	bool tty = !opt->quiet && isatty(STDERR_FILENO);
	double t0 = cw_mono_seconds();
	int64_t refused = 0;
	for (g.from = 0; g.from < opt->cases; g.from = g.to) {
		g.to = g.from + BATCH < opt->cases ? g.from + BATCH : opt->cases;
		for (int i = 0; i < g.ngrids; i++)
			g.last_snapshot[i] = g.grids[i].last_case;
		struct cw_arena *a = cw_arena_new();
		int rc = cw_store_tx(s, a, true, batch_tx, &g);
		cw_arena_free(a);
		if (rc) {
			if (tty)
				fputc('\n', stderr);
			fprintf(stderr, "civicgrid: demo cases: writing cases %" PRId64 "-%" PRId64
					" failed (store error %d)\n",
				g.from + 1, g.to, rc);
			goto out;
		}
		refused += g.refused;
		g.done = g.to;
		if (tty)
			progress(&g, t0, g.done == opt->cases);
	}
	double dt = cw_mono_seconds() - t0;
	if (refused)
		cw_warn("demo cases: the engine refused %" PRId64 " generated steps", refused);
	if (!opt->quiet)
		printf("demo cases: %" PRId64 " cases up to %s (seed %" PRIu64 ") in %.1f s, "
		       "%.0f cases/s\n",
		       opt->cases, until, opt->seed, dt, dt > 0 ? (double)opt->cases / dt : 0.0);
	result = 0;
out:
	gen_free(&g);
	return result;
}
