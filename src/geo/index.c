/* index.c - the point-to-grid lookup: a packed R-tree (sort-tile-recursive) over the
 * polygons' envelopes with an exact point-in-polygon test, and the locator that swaps
 * in a rebuilt index while lookups go on.
 *
 * Why not GEOS's STRtree of prepared geometries (what issue 3 first asked for):
 * - GEOS does not promise concurrent reads. In 3.11 (what Debian ships) an STRtree
 *   is built lazily by its first query (TemplateSTRtree::query: "if (!built())
 *   build();"; GEOSSTRtree_build only arrived in 3.12, libgeos/geos#835), and
 *   prepared geometries fill their point locator and segment indexes lazily, without
 *   locks: "Prepared geometry is not thread-safe" (libgeos/geos#825, open; its fix
 *   #826 is unmerged). Warming every structure up before publishing works in
 *   practice (pygeos and georust do so) but relies on internals no release
 *   documents. Each GEOS lookup also makes and destroys a point geometry, and every
 *   geometry made or destroyed counts itself on the one default GeometryFactory
 *   with a plain int (in Debian's libgeos 3.11.1, GeometryFactory::dropRef is a
 *   `subl $1` without `lock`): lookups from many threads would race on it.
 * - Speed is not the reason: with bench/grid_lookup.c --geos (1,976 lattice grids,
 *   33,592 vertices over Huaibei's box, 2,000,000 points, one thread, -O2, this
 *   2-core machine, four runs) GEOS's STRtree + GEOSPreparedCovers_r answered
 *   2.4-2.7 million random points/s (2.1-2.6 million points inside a grid); this
 *   index 4.4-5.1 million/s (3.6-4.3 million inside), the same within noise through
 *   the locator. Fanout 8 and 32 measured within 10% of 16.
 *
 * The index is plain immutable memory after cw_geo_index_build(), so any number of
 * threads may read it with no locks. Point in polygon is even-odd over all rings of
 * a polygon (holes are not covered); a point on an edge or vertex is covered. The
 * on-segment and crossing-side tests use an exact orientation predicate (a fast
 * floating-point filter, exact expansion arithmetic when the filter cannot decide),
 * so two grids sharing an edge never leave a crack between them nor both claim a
 * point off the edge. Among several covering grids the smallest code wins. */
#include "geo/geo_int.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

/* Children per node: 2,000 polygons make a tree of three levels. */
#define CW_IX_FANOUT 16
/* Depth bound for the traversal stack: 16^8 > 2^32 entries. */
#define CW_IX_MAXDEPTH 9

struct ix_entry { /* one polygon of a grid */
	double bbox[4];
	uint32_t grid;	 /* rank of the grid's code: a smaller rank is a smaller code */
	uint32_t nrings; /* rings ring0 .. ring0 + nrings - 1, the first the shell */
	size_t ring0;
};

struct ix_node {
	double bbox[4];
	uint32_t first, count; /* children: entries for a leaf node, nodes otherwise */
};

struct cw_geo_index {
	size_t ngrids, nentries, nnodes, nleaves; /* nodes[0 .. nleaves - 1] are leaves */
	char **codes;				  /* by rank */
	struct ix_entry *entries;
	struct ix_node *nodes; /* level by level from the leaves; the root is last */
	size_t *ring_start;    /* position of each ring's first point, and one past the end */
	double *xy;
};

/* ---- exact orientation ---- */

/* (x, y) = a + b exactly: x the rounded sum, y the rounding error (Knuth). */
static inline void two_sum(double a, double b, double *x, double *y)
{
	double s = a + b, bv = s - a, av = s - bv;
	*x = s;
	*y = (a - av) + (b - bv);
}

/* Adds b to the non-overlapping expansion e[0..*n-1] (smallest magnitude first),
 * dropping zeros (Shewchuk's Grow-Expansion with zero elimination). */
static void grow(double *e, int *n, double b)
{
	double q = b;
	int m = 0;
	for (int i = 0; i < *n; i++) {
		double h;
		two_sum(q, e[i], &q, &h);
		if (h != 0)
			e[m++] = h;
	}
	if (q != 0)
		e[m++] = q;
	*n = m;
}

static void add_product(double *e, int *n, double a, double b)
{
	double p = a * b;
	grow(e, n, fma(a, b, -p)); /* the exact error of the product */
	grow(e, n, p);
}

/* Sign of (a - c) x (b - c), computed exactly from the six products of its expansion. */
static int orient_exact(double ax, double ay, double bx, double by, double cx, double cy)
{
	double e[16];
	int n = 0;
	add_product(e, &n, ax, by);
	add_product(e, &n, -ax, cy);
	add_product(e, &n, -cx, by);
	add_product(e, &n, -ay, bx);
	add_product(e, &n, ay, cx);
	add_product(e, &n, cy, bx);
	if (n == 0)
		return 0;
	return e[n - 1] > 0 ? 1 : -1; /* the largest component decides */
}

/* > 0 when c lies left of a->b, < 0 right, 0 on the line; exact. Shewchuk's
 * orient2d filter: the rounded determinant decides unless it is within its error
 * bound of zero, and then the exact sum does. */
static inline int orient(double ax, double ay, double bx, double by, double cx, double cy)
{
	static const double errbound = (3.0 + 16.0 * 0x1p-53) * 0x1p-53;
	double detleft = (ax - cx) * (by - cy);
	double detright = (ay - cy) * (bx - cx);
	double det = detleft - detright, detsum;
	if (detleft > 0) {
		if (detright <= 0)
			return det > 0 ? 1 : -1;
		detsum = detleft + detright;
	} else if (detleft < 0) {
		if (detright >= 0)
			return det < 0 ? -1 : 1;
		detsum = -detleft - detright;
	} else {
		return (det > 0) - (det < 0);
	}
	if (fabs(det) >= errbound * detsum)
		return det > 0 ? 1 : -1;
	return orient_exact(ax, ay, bx, by, cx, cy);
}

/* ---- point in polygon ---- */

enum { OUT = 0, IN = 1, ON = 2 };

static int locate_in_ring(const double *v, size_t n, double px, double py, int *inside)
{
	for (size_t i = 0; i + 1 < n; i++) {
		double ax = v[2 * i], ay = v[2 * i + 1], bx = v[2 * i + 2], by = v[2 * i + 3];
		if ((ay > py) != (by > py)) {
			/* The edge crosses the horizontal line through p (half-open in y, so a
			 * vertex on the line is counted once). Is the crossing right of p? */
			if (px < ax && px < bx) {
				*inside ^= 1;
			} else if (px <= ax || px <= bx) {
				int o = orient(ax, ay, bx, by, px, py);
				if (o == 0)
					return ON;
				if ((o > 0) == (by > ay))
					*inside ^= 1;
			}
		} else if (ay == py || by == py) {
			/* Touches the line without crossing: p may still be on it. */
			if ((ay == py && ax == px) || (by == py && bx == px))
				return ON;
			if (ay == py && by == py && px >= fmin(ax, bx) && px <= fmax(ax, bx))
				return ON;
		}
	}
	return OUT;
}

static bool covers(const struct cw_geo_index *ix, const struct ix_entry *e, double px, double py)
{
	int inside = 0;
	for (size_t r = e->ring0; r < e->ring0 + e->nrings; r++) {
		size_t first = ix->ring_start[r], n = ix->ring_start[r + 1] - first;
		if (locate_in_ring(ix->xy + 2 * first, n, px, py, &inside) == ON)
			return true;
	}
	return inside;
}

static inline bool bbox_has(const double *b, double x, double y)
{
	return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
}

const char *cw_geo_index_locate(const struct cw_geo_index *ix, double lon, double lat)
{
	if (!ix || !ix->nnodes || !(lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0))
		return NULL;
	uint32_t best = UINT32_MAX;
	uint32_t stack[CW_IX_MAXDEPTH * CW_IX_FANOUT];
	size_t sp = 0;
	uint32_t root = (uint32_t)(ix->nnodes - 1);
	if (bbox_has(ix->nodes[root].bbox, lon, lat))
		stack[sp++] = root;
	while (sp) {
		const struct ix_node *nd = &ix->nodes[stack[--sp]];
		uint32_t end = nd->first + nd->count;
		if ((size_t)(nd - ix->nodes) < ix->nleaves) {
			for (uint32_t i = nd->first; i < end; i++) {
				const struct ix_entry *e = &ix->entries[i];
				/* Only a smaller code could change the answer. */
				if (e->grid < best && bbox_has(e->bbox, lon, lat) && covers(ix, e, lon, lat))
					best = e->grid;
			}
		} else {
			for (uint32_t i = nd->first; i < end; i++)
				if (bbox_has(ix->nodes[i].bbox, lon, lat))
					stack[sp++] = i;
		}
	}
	return best == UINT32_MAX ? NULL : ix->codes[best];
}

size_t cw_geo_index_count(const struct cw_geo_index *ix)
{
	return ix ? ix->ngrids : 0;
}

/* ---- building ---- */

void cw_geo_index_free(struct cw_geo_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->ngrids; i++)
		free(ix->codes[i]);
	free(ix->codes);
	free(ix->entries);
	free(ix->nodes);
	free(ix->ring_start);
	free(ix->xy);
	free(ix);
}

struct by_code {
	const char *code;
	size_t orig;
};

static int cmp_code(const void *a, const void *b)
{
	const struct by_code *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : (x->orig > y->orig) - (x->orig < y->orig);
}

/* What STR sorts: a box and the thing it stands for. */
struct str_item {
	double bbox[4];
	size_t id;
};

static int cmp_cx(const void *a, const void *b)
{
	const struct str_item *x = a, *y = b;
	double cx = x->bbox[0] + x->bbox[2], cy = y->bbox[0] + y->bbox[2];
	return (cx > cy) - (cx < cy);
}

static int cmp_cy(const void *a, const void *b)
{
	const struct str_item *x = a, *y = b;
	double cx = x->bbox[1] + x->bbox[3], cy = y->bbox[1] + y->bbox[3];
	return (cx > cy) - (cx < cy);
}

/* Sort-tile-recursive order: vertical slices of about sqrt(n / M) nodes' worth of
 * items by x, each sorted by y, so that runs of M items are compact boxes. */
static void str_sort(struct str_item *it, size_t n)
{
	qsort(it, n, sizeof *it, cmp_cx);
	size_t nodes = (n + CW_IX_FANOUT - 1) / CW_IX_FANOUT;
	size_t slices = (size_t)ceil(sqrt((double)nodes));
	size_t per = slices ? ((nodes + slices - 1) / slices) * CW_IX_FANOUT : n;
	for (size_t s = 0; s < n; s += per)
		qsort(it + s, n - s < per ? n - s : per, sizeof *it, cmp_cy);
}

static void bbox_union(double *acc, const double *b)
{
	acc[0] = fmin(acc[0], b[0]);
	acc[1] = fmin(acc[1], b[1]);
	acc[2] = fmax(acc[2], b[2]);
	acc[3] = fmax(acc[3], b[3]);
}

/* Groups items (already in STR order) in runs of CW_IX_FANOUT into nodes whose
 * children start at `base`. */
static size_t pack(const struct str_item *it, size_t n, size_t base, struct ix_node *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i += CW_IX_FANOUT, k++) {
		size_t c = n - i < CW_IX_FANOUT ? n - i : CW_IX_FANOUT;
		struct ix_node *nd = &out[k];
		memcpy(nd->bbox, it[i].bbox, sizeof nd->bbox);
		for (size_t j = 1; j < c; j++)
			bbox_union(nd->bbox, it[i + j].bbox);
		nd->first = (uint32_t)(base + i);
		nd->count = (uint32_t)c;
	}
	return k;
}

struct cw_geo_index *cw_geo_index_build(const char *const *codes, const struct cw_geo *const *geoms,
					size_t n)
{
	struct cw_geo_index *ix = cw_xcalloc(1, sizeof *ix);
	size_t nentries = 0, nrings = 0, npos = 0;
	for (size_t i = 0; i < n; i++) {
		nentries += geoms[i]->npolys;
		nrings += geoms[i]->nrings;
		npos += geoms[i]->npos;
	}
	if (nentries >= UINT32_MAX / 2 || n >= UINT32_MAX) {
		free(ix);
		return NULL;
	}

	/* Ranks by code, so that "the smallest code" is "the smallest rank". */
	struct by_code *order = cw_xcalloc(n, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = (struct by_code){codes[i], i};
	qsort(order, n, sizeof *order, cmp_code);
	uint32_t *rank = cw_xcalloc(n, sizeof *rank);
	ix->ngrids = n;
	ix->codes = cw_xcalloc(n, sizeof *ix->codes);
	for (size_t r = 0; r < n; r++) {
		rank[order[r].orig] = (uint32_t)r;
		ix->codes[r] = cw_xstrdup(order[r].code);
	}
	free(order);

	/* One entry per polygon, in STR order; coordinates copied in that order too, so
	 * that neighbours in the tree are neighbours in memory. */
	struct str_item *items = cw_xcalloc(nentries, sizeof *items);
	struct { size_t geom, poly; } *src = cw_xcalloc(nentries, sizeof *src);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cw_geo *g = geoms[i];
		for (size_t p = 0; p < g->npolys; p++, k++) {
			double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
			for (size_t j = g->ring_pos[g->poly_ring[p]]; j < g->ring_pos[g->poly_ring[p + 1]]; j++) {
				double pt[4] = {g->xy[2 * j], g->xy[2 * j + 1], g->xy[2 * j], g->xy[2 * j + 1]};
				bbox_union(b, pt);
			}
			memcpy(items[k].bbox, b, sizeof b);
			items[k].id = k;
			src[k].geom = i;
			src[k].poly = p;
		}
	}
	str_sort(items, nentries);

	ix->nentries = nentries;
	ix->entries = cw_xcalloc(nentries, sizeof *ix->entries);
	ix->ring_start = cw_xcalloc(nrings + 1, sizeof *ix->ring_start);
	ix->xy = cw_xcalloc(2 * npos, sizeof *ix->xy);
	size_t r_out = 0, p_out = 0;
	for (size_t e = 0; e < nentries; e++) {
		const struct cw_geo *g = geoms[src[items[e].id].geom];
		size_t p = src[items[e].id].poly;
		struct ix_entry *en = &ix->entries[e];
		memcpy(en->bbox, items[e].bbox, sizeof en->bbox);
		en->grid = rank[src[items[e].id].geom];
		en->ring0 = r_out;
		en->nrings = (uint32_t)(g->poly_ring[p + 1] - g->poly_ring[p]);
		for (size_t r = g->poly_ring[p]; r < g->poly_ring[p + 1]; r++) {
			size_t first = g->ring_pos[r], cnt = g->ring_pos[r + 1] - first;
			ix->ring_start[r_out++] = p_out;
			memcpy(ix->xy + 2 * p_out, g->xy + 2 * first, 2 * cnt * sizeof *ix->xy);
			p_out += cnt;
		}
	}
	ix->ring_start[r_out] = p_out;
	free(src);
	free(rank);

	/* Levels of nodes from the leaves up; every level has at most a sixteenth of the
	 * one below (rounded up), so all of them fit in twice the leaves. */
	size_t nleaves = (nentries + CW_IX_FANOUT - 1) / CW_IX_FANOUT;
	ix->nodes = cw_xcalloc(2 * nleaves + 1, sizeof *ix->nodes);
	if (nentries) {
		for (size_t e = 0; e < nentries; e++) {
			memcpy(items[e].bbox, ix->entries[e].bbox, sizeof items[e].bbox);
			items[e].id = e;
		}
		size_t level_start = 0, level_n = pack(items, nentries, 0, ix->nodes);
		ix->nleaves = level_n;
		while (level_n > 1) {
			/* Sort this level's nodes by STR and store them in that order, then
			 * pack them into the next level. */
			struct str_item *up = cw_xcalloc(level_n, sizeof *up);
			struct ix_node *tmp = cw_xcalloc(level_n, sizeof *tmp);
			for (size_t i = 0; i < level_n; i++) {
				memcpy(up[i].bbox, ix->nodes[level_start + i].bbox, sizeof up[i].bbox);
				up[i].id = level_start + i;
			}
			str_sort(up, level_n);
			for (size_t i = 0; i < level_n; i++)
				tmp[i] = ix->nodes[up[i].id];
			memcpy(ix->nodes + level_start, tmp, level_n * sizeof *tmp);
			size_t next = level_start + level_n;
			size_t next_n = pack(up, level_n, level_start, ix->nodes + next);
			level_start = next;
			level_n = next_n;
			free(tmp);
			free(up);
		}
		ix->nnodes = level_start + level_n;
	}
	free(items);
	return ix;
}

/* ---- the locator ---- */

/* Readers count themselves in readers[epoch & 1] for the time of one lookup. A
 * publisher swaps the index, moves the epoch on, and waits until the readers counted
 * under the old epoch are gone before freeing the old index. A reader re-checks the
 * epoch after counting itself, so the first epoch change after that check always
 * waits for it; readers never wait for a publisher. The wait lasts one lookup
 * (about a microsecond), not a rebuild: indexes are built before publish. */
struct cw_geo_locator {
	_Atomic(struct cw_geo_index *) cur;
	atomic_uint epoch;
	atomic_size_t readers[2];
	pthread_mutex_t publish; /* one publisher at a time; readers never take it */
};

struct cw_geo_locator *cw_geo_locator_new(void)
{
	struct cw_geo_locator *l = cw_xcalloc(1, sizeof *l);
	atomic_init(&l->cur, NULL);
	atomic_init(&l->epoch, 0);
	atomic_init(&l->readers[0], 0);
	atomic_init(&l->readers[1], 0);
	pthread_mutex_init(&l->publish, NULL);
	return l;
}

void cw_geo_locator_publish(struct cw_geo_locator *l, struct cw_geo_index *ix)
{
	pthread_mutex_lock(&l->publish);
	struct cw_geo_index *old = atomic_exchange(&l->cur, ix);
	unsigned e = atomic_load(&l->epoch);
	atomic_store(&l->epoch, e + 1);
	while (atomic_load(&l->readers[e & 1]) != 0)
		sched_yield();
	pthread_mutex_unlock(&l->publish);
	cw_geo_index_free(old);
}

bool cw_geo_locator_locate(struct cw_geo_locator *l, double lon, double lat, char out[16])
{
	unsigned e;
	for (;;) {
		e = atomic_load(&l->epoch);
		atomic_fetch_add(&l->readers[e & 1], 1);
		if (atomic_load(&l->epoch) == e)
			break;
		atomic_fetch_sub(&l->readers[e & 1], 1);
	}
	const char *code = cw_geo_index_locate(atomic_load(&l->cur), lon, lat);
	size_t n = code ? strnlen(code, 15) : 0;
	memcpy(out, code ? code : "", n);
	out[n] = 0;
	atomic_fetch_sub(&l->readers[e & 1], 1);
	return code != NULL;
}

void cw_geo_locator_free(struct cw_geo_locator *l)
{
	if (!l)
		return;
	cw_geo_index_free(atomic_load(&l->cur));
	pthread_mutex_destroy(&l->publish);
	free(l);
}
