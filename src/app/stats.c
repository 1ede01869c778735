/* stats.c - the dashboard's figures and the map's counts and points, in the caller's
 * scope (app.h). The database aggregates (store_stats.c); this file turns the groups
 * into totals and breakdowns and decides what counts as open, closed and on time. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "util/arena.h"

/* Finished cases: closed (a petition's review decided or final counts as closed) or
 * ended otherwise (rejected, merged into another). Padded by repetition: the store's
 * NOT IN takes exactly eight names. */
static const char *const closed_statuses[4] = {"closed", "reviewed", "final", "final"};
static const char *const done_statuses[8] = {"closed", "reviewed", "final", "rejected",
					     "merged", "merged", "merged", "merged"};
#define GOOD_RATING 4 /* 5 非常满意, 4 满意 (core/case_flow.h) */

static bool is_in(const char *s, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static void query_of(struct cw_stats_query *q, const struct cw_region *r)
{
	q->scope_path = r->path;
	q->whole_tree = !r->parent || !*r->parent;
	memcpy(q->done, done_statuses, sizeof q->done);
	memcpy(q->closed, closed_statuses, sizeof q->closed);
	q->good_rating = GOOD_RATING;
}

/* The region asked for (NULL: the actor's home region), in scope. */
static int region_in_scope(struct cw_tx *tx, const struct cw_actor *actor, const char *code,
			   struct cw_region *out, enum cw_ec *ec)
{
	int rc;
	if (!code) {
		if (!actor->region_path)
			return cw_region_root_tx(tx, out);
		const char *slash = strrchr(actor->region_path, '/');
		code = slash ? slash + 1 : actor->region_path;
	}
	if (cw_region_code_level(code) == CW_LEVEL_INVALID) {
		*ec = CW_EC_REGION_NOT_FOUND;
		return CW_DB_ABORT;
	}
	rc = cw_store_region_get(tx, code, out);
	if (rc == CW_DB_NOTFOUND ||
	    (rc == CW_DB_OK && actor->region_path && !cw_scope_contains(actor->region_path, out->path))) {
		*ec = CW_EC_REGION_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

/* ---- the dashboard ---- */

struct cases_ctx {
	const struct cw_actor *actor;
	const char *region;
	struct cw_case_stats *out;
	enum cw_ec ec;
};

static int cmp_count_desc(const void *a, const void *b)
{
	const struct cw_stats_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->code, y->code);
}

/* The index of code in v[0..*n), added (zero counts) when absent. */
static int slot(struct cw_stats_count *v, int *n, const char *code, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(v[i].code, code))
			return i;
	v[*n] = (struct cw_stats_count){.code = code, .name = name};
	return (*n)++;
}

static int cases_tx(struct cw_tx *tx, void *p)
{
	struct cases_ctx *c = p;
	struct cw_case_stats *o = c->out;
	struct cw_arena *a = cw_store_tx_arena(tx);
	int rc = region_in_scope(tx, c->actor, c->region, &o->region, &c->ec);
	if (rc)
		return rc;
	struct cw_stats_query q = {.from = cw_day_start(o->from_day),
				   .to = cw_day_start(o->to_day + 1),
				   .from_day = o->from_day,
				   .to_day = o->to_day};
	query_of(&q, &o->region);

	/* The region's children, for the breakdown by region (all of them, zeros too). */
	struct cw_region *kids;
	int nkids;
	if ((rc = cw_store_region_children(tx, o->region.code, NULL, 5000, &kids, &nkids)))
		return rc;
	o->by_region = cw_arena_alloc(a, (size_t)(nkids ? nkids : 1) * sizeof *o->by_region);
	o->nregions = nkids;
	for (int i = 0; i < nkids; i++)
		o->by_region[i] = (struct cw_stats_count){.code = kids[i].code, .name = kids[i].name};

	/* Categories: each group's category up to its class (the top level). */
	struct cw_stored_category *cats;
	int ncats;
	if ((rc = cw_store_category_list(tx, NULL, true, &cats, &ncats)))
		return rc;
	
	struct cw_stats_group *g;
	int ng;
	if ((rc = cw_store_stats_groups(tx, &q, &g, &ng)))
		return rc;
	o->by_status = cw_arena_alloc(a, (size_t)(ng ? ng : 1) * sizeof *o->by_status);
	o->by_category = cw_arena_alloc(a, (size_t)(ng ? ng : 1) * sizeof *o->by_category);
	o->nstatuses = o->ncategories = 0;
	for (int i = 0; i < ng; i++) {
		bool closed = is_in(g[i].status, closed_statuses, 4);
		bool done = is_in(g[i].status, done_statuses, 8);
		int64_t open = done ? 0 : g[i].count, overdue = done ? 0 : g[i].overdue;
		o->total += g[i].count;
		o->open += open;
		o->closed += closed ? g[i].count : 0;
		o->overdue += overdue;
		o->supervised += done ? 0 : g[i].supervised;
		o->escalated += g[i].escalated;
		o->rated += g[i].rated;
		o->satisfied += g[i].good;
		o->by_status[slot(o->by_status, &o->nstatuses, g[i].status, NULL)].count += g[i].count;
		/* The class of the category (a parent of a parent is followed too). */
		const char *code = g[i].category, *name = code;
		for (int depth = 0; depth < 8; depth++) {
			const struct cw_stored_category *found = NULL;
			for (int k = 0; k < ncats && !found; k++)
				if (!strcmp(cats[k].cat.code, code))
					found = &cats[k];
			if (!found)
				break;
			name = found->cat.name;
			if (!found->cat.parent || !*found->cat.parent)
				break;
			code = found->cat.parent;
		}
		struct cw_stats_count *cc =
		    &o->by_category[slot(o->by_category, &o->ncategories, code, name)];
		cc->count += g[i].count;
		cc->open += open;
		cc->overdue += overdue;
	}
	/* Each region's cases to the child whose subtree holds it. */
	struct cw_stats_region *rg;
	int nr;
	if ((rc = cw_store_stats_regions(tx, &q, &rg, &nr)))
		return rc;
	for (int i = 0; i < nr; i++)
		for (int k = 0; k < nkids; k++)
			if (cw_scope_contains(kids[k].path, rg[i].path)) {
				o->by_region[k].count += rg[i].count;
				o->by_region[k].open += rg[i].open;
				o->by_region[k].overdue += rg[i].overdue;
				break;
			}
	qsort(o->by_category, (size_t)o->ncategories, sizeof *o->by_category, cmp_count_desc);
	qsort(o->by_status, (size_t)o->nstatuses, sizeof *o->by_status, cmp_count_desc);

	struct cw_stats_day *days;
	int nd;
	if ((rc = cw_store_stats_days(tx, &q, &days, &nd)))
		return rc;
	int64_t span = o->to_day - o->from_day + 1;
	o->by_day = cw_arena_alloc(a, (size_t)span * sizeof *o->by_day);
	memset(o->by_day, 0, (size_t)span * sizeof *o->by_day);
	for (int i = 0; i < nd; i++)
		if (days[i].day >= o->from_day && days[i].day <= o->to_day)
			o->by_day[days[i].day - o->from_day] += days[i].count;

	return o->closed ? cw_store_stats_closed_late(tx, &q, &o->closed_late) : CW_DB_OK;
}

enum cw_ec cw_stats_cases(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *region, int64_t from_day, int64_t to_day,
			  struct cw_case_stats *out, const char **field)
{
	const cw_roleset readers = 1u << CW_ROLE_LEADER | 1u << CW_ROLE_DISPATCHER |
				   1u << CW_ROLE_DEPARTMENT | 1u << CW_ROLE_SYSADMIN;
	*field = NULL;
	if (!(actor->roles & readers))
		return CW_EC_FORBIDDEN;
	if (to_day < from_day) {
		*field = "to";
		return CW_EC_INVALID_QUERY;
	}
	if (to_day - from_day + 1 > CW_STATS_MAX_DAYS) {
		*field = "from";
		return CW_EC_INVALID_QUERY;
	}
	memset(out, 0, sizeof *out);
	out->from_day = from_day;
	out->to_day = to_day;
	struct cases_ctx c = {.actor = actor, .region = region, .out = out};
	int rc = cw_store_tx(s, a, false, cases_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- the map ---- */

struct map_ctx {
	const struct cw_actor *actor;
	const char *region;
	bool open_only;
	int limit;
	struct cw_stats_grid *grids;
	struct cw_case *points;
	int n;
	enum cw_ec ec;
};

static int grids_tx(struct cw_tx *tx, void *p)
{
	struct map_ctx *c = p;
	struct cw_region r;
	struct cw_stats_query q = {0};
	int rc = region_in_scope(tx, c->actor, c->region, &r, &c->ec);
	if (rc)
		return rc;
	query_of(&q, &r);
	return cw_store_stats_grids(tx, &q, &c->grids, &c->n);
}

enum cw_ec cw_stats_grids(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *within, struct cw_stats_grid **items, int *n)
{
	struct map_ctx c = {.actor = actor, .region = within};
	int rc = cw_store_tx(s, a, false, grids_tx, &c);
	*items = c.grids;
	*n = c.n;
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_INTERNAL);
}

static int points_tx(struct cw_tx *tx, void *p)
{
	struct map_ctx *c = p;
	struct cw_region r;
	struct cw_stats_query q = {0};
	int rc = region_in_scope(tx, c->actor, c->region, &r, &c->ec);
	if (rc)
		return rc;
	query_of(&q, &r);
	return cw_store_stats_points(tx, &q, c->open_only, c->limit + 1, &c->points, &c->n);
}

enum cw_ec cw_case_points(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *region, bool open_only, int limit, struct cw_case **items,
			  int *n, bool *truncated)
{
	struct map_ctx c = {.actor = actor, .region = region, .open_only = open_only,
			    .limit = limit};
	int rc = cw_store_tx(s, a, false, points_tx, &c);
	*items = c.points;
	*truncated = c.n > limit;
	*n = c.n > limit ? limit : c.n;
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_REGION_NOT_FOUND, CW_EC_INTERNAL);
}
