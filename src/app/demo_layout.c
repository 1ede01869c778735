/* demo_layout.c - synthetic boundaries for the demo city: one jittered lattice over
 * Huaibei, cut into districts, towns, villages and grids; see demo_layout.h.
 *
 * How: the city is a set of cells of a square lattice (about 0.2 km) whose
 * vertices are bent by a smooth warp and jittered, so that lines are curved and
 * ragged. Each region owns a set of cells, cut from its parent's in proportion to
 * the area its grids want (urban grids ~0.35 km², rural ones ~2.8 km²). Every cut
 * keeps both pieces orthogonally convex and connected (each row and each column of
 * a piece is one run of cells), so every region is a topological disc. A last
 * "wiggle" moves cells across boundaries so they meander; it moves a cell only
 * when every region it leaves or joins stays a disc. A region's ring walks every
 * lattice vertex on its boundary, so neighbours share edges vertex by vertex and
 * the regions tile their parent exactly.
 *
 * Grid numbering (west→east, north→south): in a village of n grids with area A
 * (km², on the local plane below) and northernmost northing N, a grid's row is
 * floor((N - c) / sqrt(A / n)) where c is the northing of its centroid; grids are
 * numbered by row, then by the easting of their centroid (west first). */
#include "app/demo_layout.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/region.h"
#include "util/arena.h"

/* The local plane: kilometres east and north of the centre of Huaibei's rough
 * bounding box (lon 116.4-117.1, lat 33.3-34.2). */
#define LON0 116.75
#define LAT0 33.75
#define HALF_LON 0.35
#define HALF_LAT 0.45
#define KM_PER_DEG_LAT 111.32
#define PI 3.14159265358979323846

#define CELL_KM 0.2        /* an urban grid is ~9 cells, a rural one ~70 */
#define JITTER 0.22        /* of a cell, each coordinate */
#define ASPECT 0.62        /* width / height of the city's rectangle: Huaibei is tall */
#define FILL 0.85          /* the share of that rectangle the city's outline keeps */
#define MIN_CELLS 3        /* per grid, so that no grid is a single cell */
#define CORNER_SHARE 0.3   /* a smaller piece than this goes in a corner, not a strip */

/* Huaibei has 4,616 grid workers for its 452 villages (DOMAIN.md §1). */
#define WORKERS_PER_VILLAGE (4616.0 / 452.0)

static double km_per_deg_lon(void)
{
	return KM_PER_DEG_LAT * cos(LAT0 * PI / 180.0);
}

/* ---- random numbers: splitmix64, so a seed gives the same city everywhere ---- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static double rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

static int rng_int(struct rng *r, int lo, int hi)
{
	return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static int rng_pick(struct rng *r, const double *w, int n)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += w[i];
	double x = rng_unit(r) * sum;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* A stream of its own for each village, so one village's grids don't depend on
 * how many random numbers the others drew. */
static struct rng rng_for(uint64_t seed, const char *code)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (const char *p = code; *p; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(0x100000001b3);
	struct rng r = {seed ^ h};
	rng_next(&r);
	return r;
}

/* ---- grid kinds ---- */

static const char *const kind_names[] = {"comprehensive", "school",     "hospital",
					 "park",          "enterprise", "market"};
#define NKINDS ((int)(sizeof kind_names / sizeof kind_names[0]))

const char *cw_grid_kind_name(enum cw_grid_kind k)
{
	return (int)k >= 0 && (int)k < NKINDS ? kind_names[k] : NULL;
}

int cw_grid_kind_parse(const char *s)
{
	for (int i = 0; s && i < NKINDS; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

/* ---- what each kind of village gets ---- */

/* By the last three digits of the code: 001-199 residents' committee (社区),
 * 200-399 villagers' committee (村); above that a development zone's virtual
 * community or a state farm's living quarter. */
enum vclass { V_COMMUNITY, V_VILLAGE, V_OTHER };

static const struct vclass_info {
	int gmin, gmax;         /* grids */
	double grid_km2;        /* area of a comprehensive grid */
	double dedicated;       /* chance that a grid is dedicated */
	double kinds[NKINDS];   /* which dedicated kind, relative weights */
	int hh_min, hh_max;     /* households of a comprehensive grid */
	double part_timers[4];  /* chance of 0..3 part-timers before balancing */
	double urban;           /* orders siblings: urban ones go towards the core */
} classes[] = {
    [V_COMMUNITY] = {5, 8, 0.35, 0.13, {0, 3, 2, 1.5, 1.5, 2}, 330, 500, {0.1, 0.4, 0.35, 0.15}, 1},
    [V_VILLAGE] = {2, 4, 2.8, 0.03, {0, 6, 0, 0, 4, 0}, 300, 460, {0.25, 0.45, 0.2, 0.1}, 0},
    [V_OTHER] = {2, 4, 1.5, 0.3, {0, 0, 0, 4, 6, 0}, 300, 450, {0.2, 0.45, 0.25, 0.1}, 0.5},
};

static enum vclass village_class(const char *code)
{
	int s = (code[9] - '0') * 100 + (code[10] - '0') * 10 + (code[11] - '0');
	return s < 200 ? V_COMMUNITY : s < 400 ? V_VILLAGE : V_OTHER;
}

/* ---- the region tree ---- */

enum { LV_DISTRICT, LV_TOWN, LV_VILLAGE, LV_GRID, LV__COUNT };

struct node {
	char code[16];
	int level, first, nchild; /* children: nodes[first .. first + nchild) */
	double weight;            /* km² its grids want */
	double urban;             /* 0 rural .. 1 urban; random for grids */
	int ngrids;
	size_t off, len;          /* its cells: ctx.cells[off .. off + len), after the
				   * wiggle ctx.byl[level][off .. off + len) */
	struct cw_layout_ring ring;
	/* grids */
	enum cw_grid_kind kind;
	int households, population, part_timers;
};

struct keyed {
	int64_t key;
	int cell;
};

struct ctx {
	struct node *nodes;
	size_t nnodes;
	int w, h;                /* lattice cells */
	int *cells;              /* the city's cells; each node owns a range */
	size_t ncells;
	int *lo, *hi;            /* the city's outline: row y is cells [lo[y], hi[y]) */
	int *label[LV__COUNT];   /* the node of each cell at each level, or -1 */
	int *byl[LV__COUNT];     /* after the wiggle: cells by node, per level */
	double *vlon, *vlat;     /* lattice vertices, (w + 1) * (h + 1) */
	double corex, corey;     /* the urban core, in cells */
	/* scratch */
	unsigned *mark;
	unsigned stamp;
	int *queue, *ord[2], *next, *touched;
	struct keyed *keys;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_keyed(const void *a, const void *b)
{
	int64_t x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;
	return (x > y) - (x < y);
}

/* ---- cutting sets of cells ---- */

static void bbox(const struct ctx *c, const int *cells, size_t n, int *x0, int *y0, int *x1,
		 int *y1)
{
	*x0 = c->w, *y0 = c->h, *x1 = -1, *y1 = -1;
	for (size_t i = 0; i < n; i++) {
		int x = cells[i] % c->w, y = cells[i] / c->w;
		*x0 = x < *x0 ? x : *x0, *x1 = x > *x1 ? x : *x1;
		*y0 = y < *y0 ? y : *y0, *y1 = y > *y1 ? y : *y1;
	}
}

/* Are these cells one piece (through shared edges)? Empty is not a piece. */
static bool connected(struct ctx *c, const int *cells, size_t n)
{
	if (n == 0)
		return false;
	unsigned in = ++c->stamp, seen = ++c->stamp;
	for (size_t i = 0; i < n; i++)
		c->mark[cells[i]] = in;
	size_t head = 0, tail = 0;
	c->queue[tail++] = cells[0];
	c->mark[cells[0]] = seen;
	while (head < tail) {
		int cell = c->queue[head++], x = cell % c->w, y = cell / c->w;
		int nb[4] = {x > 0 ? cell - 1 : -1, x < c->w - 1 ? cell + 1 : -1,
			     y > 0 ? cell - c->w : -1, y < c->h - 1 ? cell + c->w : -1};
		for (int i = 0; i < 4; i++)
			if (nb[i] >= 0 && c->mark[nb[i]] == in) {
				c->mark[nb[i]] = seen;
				c->queue[tail++] = nb[i];
			}
	}
	return tail == n;
}

/* Orders cells column by column from the `low` (west) or high side (axis 0), or row
 * by row from the south or north (axis 1); within a column from its low or high end.
 * A prefix of this order is whole columns plus one end of the next column, so both
 * it and the rest stay orthogonally convex. */
static void strip_order(struct ctx *c, const int *cells, size_t n, int axis, bool low,
			bool high_end, int *out)
{
	for (size_t i = 0; i < n; i++) {
		int x = cells[i] % c->w, y = cells[i] / c->w;
		int64_t p = axis == 0 ? x : y, q = axis == 0 ? y : x;
		if (!low)
			p = -p;
		if (high_end)
			q = -q;
		c->keys[i] = (struct keyed){p * (INT64_C(1) << 32) + q, cells[i]};
	}
	qsort(c->keys, n, sizeof c->keys[0], cmp_keyed);
	for (size_t i = 0; i < n; i++)
		out[i] = c->keys[i].cell;
}

/* Cuts cells[0..n) across `axis` so that the first *k are on the low side (or the
 * high side when !low) and both pieces are connected; tries *k first, then the
 * nearest counts within [kmin, kmax]. A cut between whole columns always works, so
 * this fails only when no such count is in range. */
static bool strip_cut(struct ctx *c, int *cells, size_t n, size_t *k, size_t kmin, size_t kmax,
		      int axis, bool low)
{
	if (kmin < 1 || kmax >= n || kmin > kmax)
		return false;
	bool sorted[2] = {false, false};
	for (size_t d = 0; d <= n; d++) {
		bool any = false;
		for (int s = 0; s < 2; s++) {
			if ((d == 0 && s) || (!s && *k < d))
				continue;
			size_t kk = s ? *k + d : *k - d;
			if (kk < kmin || kk > kmax)
				continue;
			any = true;
			for (int e = 0; e < 2; e++) {
				if (!sorted[e])
					strip_order(c, cells, n, axis, low, e, c->ord[e]);
				sorted[e] = true;
				if (connected(c, c->ord[e], kk) &&
				    connected(c, c->ord[e] + kk, n - kk)) {
					memcpy(cells, c->ord[e], n * sizeof *cells);
					*k = kk;
					return true;
				}
			}
		}
		if (!any && (*k < d || *k - d < kmin) && *k + d > kmax)
			break;
	}
	return false;
}

/* Puts k cells in a corner of the region's bounding box first: the region's cells in
 * a rectangle of a × b cells at that corner plus the first few of the next column, a
 * staircase, so both pieces stay orthogonally convex. The corner is the east one
 * when fx, the north one when fy. Picks the most square rectangle; false when no
 * corner piece of k cells leaves both pieces connected. */
static bool corner_cut(struct ctx *c, int *cells, size_t n, size_t k, bool fx, bool fy)
{
	int x0, y0, x1, y1;
	bbox(c, cells, n, &x0, &y0, &x1, &y1);
	size_t bw = (size_t)(x1 - x0 + 1), bh = (size_t)(y1 - y0 + 1), st = bw + 1;
	/* s[b * st + a]: how many cells lie in the first a columns and b rows */
	size_t *s = cw_xcalloc((bw + 1) * (bh + 1), sizeof *s);
	for (size_t i = 0; i < n; i++) {
		int x = cells[i] % c->w, y = cells[i] / c->w;
		size_t a = (size_t)(fx ? x1 - x : x - x0), b = (size_t)(fy ? y1 - y : y - y0);
		s[(b + 1) * st + a + 1]++;
	}
	for (size_t b = 1; b <= bh; b++)
		for (size_t a = 1; a <= bw; a++)
			s[b * st + a] += s[(b - 1) * st + a] + s[b * st + a - 1] - s[(b - 1) * st + a - 1];
	size_t best_a = 0, best_b = 0, best = SIZE_MAX, a = bw;
	for (size_t b = 1; b <= bh; b++) {
		while (a > 0 && s[b * st + a] > k)
			a--;
		if (a == bw) /* whole rows: that would be a strip */
			continue;
		size_t score = a > b ? a - b : b - a;
		if (a > 0 && score < best)
			best = score, best_a = a, best_b = b;
	}
	bool ok = false;
	if (best != SIZE_MAX) {
		/* the rest comes from column best_a, from the corner's side up to row yc */
		size_t rem = k - s[best_b * st + best_a], got = 0, yc = 0;
		while (got < rem) {
			got += s[(yc + 1) * st + best_a + 1] - s[(yc + 1) * st + best_a] -
			       s[yc * st + best_a + 1] + s[yc * st + best_a];
			yc++;
		}
		size_t np = 0, nr = k;
		int *out = c->ord[0];
		for (size_t i = 0; i < n && nr <= n; i++) {
			int x = cells[i] % c->w, y = cells[i] / c->w;
			size_t xa = (size_t)(fx ? x1 - x : x - x0), yb = (size_t)(fy ? y1 - y : y - y0);
			bool in = (xa < best_a && yb < best_b) || (xa == best_a && yb < yc);
			if (in && np < k)
				out[np++] = cells[i];
			else if (!in && nr < n)
				out[nr++] = cells[i];
			else
				nr = n + 1; /* miscounted: give up on this cut */
		}
		ok = np == k && nr == n && connected(c, out, k) && connected(c, out + k, n - k);
		if (ok)
			memcpy(cells, out, n * sizeof *cells);
	}
	free(s);
	return ok;
}

static size_t clampz(size_t v, size_t lo, size_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Gives the siblings ids[0..m) (in order of precedence: the more urban first) the
 * cells[off .. off + n) in proportion to their weights: splits them into two groups
 * of about equal weight, cuts the cells for the two (the first group towards the
 * urban core), and recurses. */
static bool split(struct ctx *c, size_t off, size_t n, const int *ids, int m)
{
	struct node *nd = c->nodes;
	if (m == 1) {
		nd[ids[0]].off = off;
		nd[ids[0]].len = n;
		return n > 0;
	}
	if (n < 2)
		return false;
	int *cells = c->cells + off;
	double sum = 0, acc = 0, best = HUGE_VAL, w1 = 0;
	size_t g = 0, g1 = 0;
	for (int i = 0; i < m; i++)
		sum += nd[ids[i]].weight, g += (size_t)nd[ids[i]].ngrids;
	int j = 1;
	for (int i = 1; i < m; i++) {
		acc += nd[ids[i - 1]].weight;
		if (fabs(acc - sum / 2) < best)
			best = fabs(acc - sum / 2), j = i, w1 = acc;
	}
	for (int i = 0; i < j; i++)
		g1 += (size_t)nd[ids[i]].ngrids;
	double f = sum > 0 ? w1 / sum : 0.5;
	size_t min1 = MIN_CELLS * g1, min2 = MIN_CELLS * (g - g1);
	if (min1 + min2 > n) /* too small for its grids: only keep both pieces non-empty */
		min1 = min2 = 1;
	int x0, y0, x1, y1;
	bbox(c, cells, n, &x0, &y0, &x1, &y1);
	bool core_east = c->corex > (x0 + x1 + 1) / 2.0, core_north = c->corey > (y0 + y1 + 1) / 2.0;

	if (f < CORNER_SHARE || f > 1 - CORNER_SHARE) {
		/* a small group gets a compact block in a corner rather than a thin strip
		 * across the region: towards the core if it is the more urban group */
		bool first = f < 0.5;
		size_t ks = clampz((size_t)llround((double)n * (first ? f : 1 - f)),
				   first ? min1 : min2, n - (first ? min2 : min1));
		if (corner_cut(c, cells, n, ks, first ? core_east : !core_east,
			       first ? core_north : !core_north)) {
			const int *sid = first ? ids : ids + j, *bid = first ? ids + j : ids;
			int sm = first ? j : m - j;
			return split(c, off, ks, sid, sm) && split(c, off + ks, n - ks, bid, m - sm);
		}
	}
	int axis = x1 - x0 >= y1 - y0 ? 0 : 1;
	for (int t = 0; t < 2; t++, axis = !axis) {
		size_t k = clampz((size_t)llround((double)n * f), min1, n - min2);
		if (strip_cut(c, cells, n, &k, min1, n - min2, axis, axis == 0 ? !core_east : !core_north))
			return split(c, off, k, ids, j) && split(c, off + k, n - k, ids + j, m - j);
	}
	return false;
}

/* Children of a node in order of precedence: the more urban first, then by code
 * (grids: by their random key). */
static void children_in_order(const struct ctx *c, const struct node *p, int *ids)
{
	for (int i = 0; i < p->nchild; i++) {
		int id = p->first + i, at = i;
		const struct node *x = &c->nodes[id];
		while (at > 0) {
			const struct node *y = &c->nodes[ids[at - 1]];
			if (y->urban > x->urban || (y->urban == x->urban && strcmp(y->code, x->code) < 0))
				break;
			ids[at] = ids[at - 1];
			at--;
		}
		ids[at] = id;
	}
}

/* ---- the city's outline and lattice ---- */

/* A corner cut off the city's rectangle, `depth` cells deep at the edge and
 * `height` rows tall, curving with exponent p. */
struct corner {
	double depth, height, p;
};

static double corner_at(const struct corner *k, double t)
{
	/* t: rows from the corner's own edge, 0 at the edge */
	return t >= k->height ? 0 : k->depth * pow(1 - t / k->height, k->p);
}

static void outline(struct ctx *c, struct rng *r)
{
	int w = c->w, h = c->h;
	/* Huaibei is narrower in the north; the north-east corner stays nearly whole,
	 * since the urban districts are there. */
	struct corner sw = {rng_range(r, .05, .18) * w, rng_range(r, .1, .3) * h, rng_range(r, .6, 1.8)};
	struct corner nw = {rng_range(r, .15, .3) * w, rng_range(r, .2, .35) * h, rng_range(r, .6, 1.8)};
	struct corner se = {rng_range(r, .08, .25) * w, rng_range(r, .1, .3) * h, rng_range(r, .6, 1.8)};
	struct corner ne = {rng_range(r, 0, .08) * w, rng_range(r, .05, .15) * h, rng_range(r, .6, 1.8)};
	c->ncells = 0;
	for (int y = 0; y < h; y++) {
		double l = fmax(corner_at(&sw, y + .5), corner_at(&nw, h - y - .5));
		double rr = fmax(corner_at(&se, y + .5), corner_at(&ne, h - y - .5));
		c->lo[y] = (int)l;
		c->hi[y] = w - (int)rr;
		for (int x = c->lo[y]; x < c->hi[y]; x++)
			c->cells[c->ncells++] = y * w + x;
	}
}

/* One sine wave of the warp. */
struct wave {
	double a, kx, ky, ph;
};

static double wave_sum(const struct wave *wv, int n, double x, double y)
{
	double d = 0;
	for (int i = 0; i < n; i++)
		d += wv[i].a * sin(wv[i].kx * x + wv[i].ky * y + wv[i].ph);
	return d;
}

static bool convex_ccw(const double *px, const double *py, const size_t v[4], double eps)
{
	for (int i = 0; i < 4; i++) {
		size_t a = v[i], b = v[(i + 1) % 4], d = v[(i + 2) % 4];
		double cr = (px[b] - px[a]) * (py[d] - py[b]) - (py[b] - py[a]) * (px[d] - px[b]);
		if (!(cr > eps))
			return false;
	}
	return true;
}

#define WARP_CELLS 14 /* the most the warp moves a vertex, in cells */

/* Places the lattice's vertices: a regular lattice of `cell` km, bent by a smooth
 * warp (three sine waves per coordinate, 45, 18 and 6 km long) so that boundaries
 * curve, and jittered so that they are not ruler-straight. The warp's slope is
 * kept below where any cell would fold (every cell stays a convex quadrilateral,
 * counter-clockwise); a cell the jitter makes non-convex loses its jitter. */
static void vertices(struct ctx *c, struct rng *r, double cell)
{
	int w = c->w, h = c->h;
	size_t nv = (size_t)(w + 1) * (size_t)(h + 1);
	double *px = cw_xmalloc(nv * sizeof *px), *py = cw_xmalloc(nv * sizeof *py);
	double *jx = cw_xmalloc(nv * sizeof *jx), *jy = cw_xmalloc(nv * sizeof *jy);
	/* wavelengths in cells and slopes (a·2π/λ); the amplitudes add up to < WARP_CELLS */
	static const double lambda[3] = {225, 90, 30}, slope[3] = {0.3, 0.2, 0.05};
	struct wave wv[2][3];
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 3; i++) {
			double th = rng_range(r, 0, 2 * PI), kk = 2 * PI / (lambda[i] * cell);
			wv[k][i] = (struct wave){slope[i] / kk, kk * cos(th), kk * sin(th),
						 rng_range(r, 0, 2 * PI)};
		}
	for (int j = 0; j <= h; j++)
		for (int i = 0; i <= w; i++) {
			size_t v = (size_t)j * (size_t)(w + 1) + (size_t)i;
			jx[v] = rng_range(r, -JITTER, JITTER) * cell;
			jy[v] = rng_range(r, -JITTER, JITTER) * cell;
		}
	double *qx = cw_xmalloc(nv * sizeof *qx), *qy = cw_xmalloc(nv * sizeof *qy);
	for (double scale = 1;; scale /= 2) {
		for (int j = 0; j <= h; j++)
			for (int i = 0; i <= w; i++) {
				size_t v = (size_t)j * (size_t)(w + 1) + (size_t)i;
				double x = (i - w / 2.0) * cell, y = (j - h / 2.0) * cell;
				px[v] = x + scale * wave_sum(wv[0], 3, x, y);
				py[v] = y + scale * wave_sum(wv[1], 3, x, y);
			}
		bool folds = false;
		for (int j = 0; j < h && !folds; j++)
			for (int i = 0; i < w && !folds; i++) {
				size_t v0 = (size_t)j * (size_t)(w + 1) + (size_t)i;
				size_t q[4] = {v0, v0 + 1, v0 + (size_t)w + 2, v0 + (size_t)w + 1};
				folds = !convex_ccw(px, py, q, 0.2 * cell * cell);
			}
		if (!folds || scale < 1e-3)
			break;
	}
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t v = 0; v < nv; v++)
			qx[v] = px[v] + jx[v], qy[v] = py[v] + jy[v];
		for (int j = 0; j < h; j++)
			for (int i = 0; i < w; i++) {
				size_t v0 = (size_t)j * (size_t)(w + 1) + (size_t)i;
				size_t q[4] = {v0, v0 + 1, v0 + (size_t)w + 2, v0 + (size_t)w + 1};
				if (convex_ccw(qx, qy, q, 1e-3 * cell * cell))
					continue;
				for (int k = 0; k < 4; k++)
					jx[q[k]] = jy[q[k]] = 0;
				changed = true;
			}
	}
	double kx = km_per_deg_lon();
	for (size_t v = 0; v < nv; v++) {
		c->vlon[v] = LON0 + qx[v] / kx;
		c->vlat[v] = LAT0 + qy[v] / KM_PER_DEG_LAT;
	}
	free(px), free(py), free(jx), free(jy), free(qx), free(qy);
}

/* ---- the districts ---- */

static int find_child(const struct ctx *c, int first, int n, const char *code)
{
	for (int i = first; i < first + n; i++)
		if (strcmp(c->nodes[i].code, code) == 0)
			return i;
	return -1;
}

/* Huaibei's own arrangement: 濉溪县 takes the west and the south and wraps round a
 * block in the north-east, which is 相山区 (the urban core, north-centre) to the
 * west, 杜集区 north-east and 烈山区 east; the block reaches further south on its
 * east side, so 烈山区 runs south-east. False when the districts are not Huaibei's
 * four or a piece comes out disconnected. */
static bool districts_huaibei(struct ctx *c, int nd)
{
	int du = find_child(c, 0, nd, "340602000000"), xiang = find_child(c, 0, nd, "340603000000");
	int lie = find_child(c, 0, nd, "340604000000"), sui = find_child(c, 0, nd, "340621000000");
	if (nd != 4 || du < 0 || xiang < 0 || lie < 0 || sui < 0)
		return false;
	struct node *n = c->nodes;
	int w = c->w, h = c->h;
	double wblock = n[du].weight + n[xiang].weight + n[lie].weight;
	double target = (double)c->ncells * wblock / (wblock + n[sui].weight);
	int x0 = (int)lround(0.42 * w), x1 = x0 + (int)lround(0.5 * (w - x0)), e = (int)lround(0.22 * h);
	int y0 = -1;
	double best = HUGE_VAL;
	for (int y = h - 1; y - e >= h / 10; y--) {
		double cnt = 0;
		for (int yy = y - e; yy < h; yy++) {
			int from = yy >= y ? x0 : x1, lo = c->lo[yy] > from ? c->lo[yy] : from;
			cnt += c->hi[yy] > lo ? c->hi[yy] - lo : 0;
		}
		if (fabs(cnt - target) < best)
			best = fabs(cnt - target), y0 = y;
	}
	if (y0 < 0)
		return false;
	size_t nb = 0, nr = 0;
	int *tmp = c->ord[0];
	for (size_t i = 0; i < c->ncells; i++) {
		int cell = c->cells[i], x = cell % w, y = cell / w;
		bool in = (y >= y0 && x >= x0) || (y >= y0 - e && x >= x1);
		if (in)
			c->cells[nb++] = cell;
		else
			tmp[nr++] = cell;
	}
	memcpy(c->cells + nb, tmp, nr * sizeof *tmp);
	if (!connected(c, c->cells, nb) || !connected(c, c->cells + nb, nr))
		return false;
	size_t gd = (size_t)n[du].ngrids, gx = (size_t)n[xiang].ngrids, gl = (size_t)n[lie].ngrids;
	size_t k1 = (size_t)llround((double)nb * n[xiang].weight / wblock);
	if (!strip_cut(c, c->cells, nb, &k1, MIN_CELLS * gx, nb - MIN_CELLS * (gd + gl), 0, true))
		return false;
	size_t rest = nb - k1;
	size_t k2 = (size_t)llround((double)rest * n[lie].weight / (n[lie].weight + n[du].weight));
	if (!strip_cut(c, c->cells + k1, rest, &k2, MIN_CELLS * gl, rest - MIN_CELLS * gd, 1, true))
		return false;
	n[xiang].off = 0, n[xiang].len = k1;
	n[lie].off = k1, n[lie].len = k2;
	n[du].off = k1 + k2, n[du].len = rest - k2;
	n[sui].off = nb, n[sui].len = nr;
	return true;
}

static bool districts(struct ctx *c, int nd, int *ids)
{
	if (districts_huaibei(c, nd))
		return true;
	/* anything else: cut the outline like every level below, from its centre */
	struct node top = {.first = 0, .nchild = nd};
	children_in_order(c, &top, ids);
	c->corex = c->w / 2.0, c->corey = c->h / 2.0;
	size_t i = 0; /* the outline's cells again: the attempt above may have moved them */
	for (int y = 0; y < c->h; y++)
		for (int x = c->lo[y]; x < c->hi[y]; x++)
			c->cells[i++] = y * c->w + x;
	return split(c, 0, c->ncells, ids, nd);
}

/* ---- the wiggle ---- */

/* Cut lines are straight in the lattice; real boundaries follow fields, roads and
 * canals. So cells on a boundary change sides: where a smooth random field is
 * positive for a pair of neighbours one advances, where it is negative the other,
 * so each boundary meanders; a few passes, sizes kept near their shares. A cell
 * changes owner at every level where the two sides differ, and only if each
 * region it leaves or joins stays a disc, which a look at its 8 neighbours tells. */

#define WIGGLE_PASSES 4

static bool member(const struct ctx *c, const int *lab, int x, int y, int id)
{
	return x >= 0 && y >= 0 && x < c->w && y < c->h && lab[y * c->w + x] == id;
}

/* Does region id stay a disc when the cell at (x, y) joins it (join) or leaves it?
 * For joining: its edge neighbours in the region must be one run round the cell,
 * neither none nor all four, and a corner neighbour in the region must share an
 * edge neighbour with it (else the two would touch at a point only). Leaving is
 * the same test for the region's complement joining, as the sphere sees it. */
static bool simple(const struct ctx *c, const int *lab, int x, int y, int id, bool join)
{
	/* E, NE, N, NW, W, SW, S, SE */
	static const int dx[8] = {1, 1, 0, -1, -1, -1, 0, 1}, dy[8] = {0, 1, 1, 1, 0, -1, -1, -1};
	bool s[8];
	for (int k = 0; k < 8; k++)
		s[k] = member(c, lab, x + dx[k], y + dy[k], id) == join;
	int edges = 0, runs = 0;
	for (int k = 0; k < 8; k += 2) {
		edges += s[k];
		runs += s[k] && !s[(k + 6) % 8]; /* a run starts here */
		if (s[k + 1] && !s[k] && !s[(k + 2) % 8])
			return false;
	}
	return edges >= 1 && edges <= 3 && runs == 1;
}

static void wiggle(struct ctx *c, struct rng *r)
{
	/* meanders about 4 km long on district boundaries, 1 km on grid ones; a
	 * district gives or takes at most 3% of its area, a grid 25% */
	static const double lambda[LV__COUNT] = {20, 14, 9, 5}; /* in cells: × 0.2 km */
	static const double tolerance[LV__COUNT] = {0.03, 0.06, 0.12, 0.25};
	struct wave field[LV__COUNT][2];
	for (int l = 0; l < LV__COUNT; l++)
		for (int i = 0; i < 2; i++) {
			double th = rng_range(r, 0, 2 * PI), k = 2 * PI / lambda[l];
			field[l][i] = (struct wave){1, k * cos(th), k * sin(th), rng_range(r, 0, 2 * PI)};
		}
	size_t *cnt = cw_xcalloc(c->nnodes, sizeof *cnt);
	for (size_t i = 0; i < c->nnodes; i++)
		cnt[i] = c->nodes[i].len;
	static const int dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1};
	for (int pass = 0; pass < WIGGLE_PASSES; pass++)
		for (size_t t = 0; t < c->ncells; t++) {
			int cell = c->cells[rng_next(r) % c->ncells], x = cell % c->w, y = cell / c->w;
			int d = (int)(rng_next(r) % 4), nx = x + dx[d], ny = y + dy[d];
			if (nx < 0 || ny < 0 || nx >= c->w || ny >= c->h)
				continue;
			int nb = ny * c->w + nx, top = 0;
			if (c->label[LV_GRID][nb] < 0 || c->label[LV_GRID][nb] == c->label[LV_GRID][cell])
				continue;
			while (c->label[top][nb] == c->label[top][cell])
				top++;
			int from = c->label[top][cell], to = c->label[top][nb];
			double f = wave_sum(field[top], 2, x, y) * (to > from ? 1 : -1);
			bool ok = f > 0.3;
			for (int l = top; ok && l < LV__COUNT; l++) {
				int a = c->label[l][cell], b = c->label[l][nb];
				double lo = (double)c->nodes[a].len * (1 - tolerance[l]);
				double hi = (double)c->nodes[b].len * (1 + tolerance[l]);
				ok = (double)cnt[a] - 1 >= lo && (double)cnt[b] + 1 <= hi &&
				     cnt[a] > (size_t)MIN_CELLS * (size_t)c->nodes[a].ngrids &&
				     simple(c, c->label[l], x, y, a, false) && simple(c, c->label[l], x, y, b, true);
			}
			if (!ok)
				continue;
			for (int l = top; l < LV__COUNT; l++) {
				cnt[c->label[l][cell]]--;
				cnt[c->label[l][nb]]++;
				c->label[l][cell] = c->label[l][nb];
			}
		}
	free(cnt);
}

/* Each node's cells, from the labels: node.off/len then index byl[its level]. */
static void cells_by_node(struct ctx *c)
{
	for (size_t i = 0; i < c->nnodes; i++)
		c->nodes[i].len = 0;
	for (int l = 0; l < LV__COUNT; l++)
		for (size_t i = 0; i < c->ncells; i++)
			c->nodes[c->label[l][c->cells[i]]].len++;
	size_t off[LV__COUNT] = {0};
	for (size_t i = 0; i < c->nnodes; i++) {
		c->nodes[i].off = off[c->nodes[i].level];
		off[c->nodes[i].level] += c->nodes[i].len;
		c->nodes[i].len = 0;
	}
	for (int l = 0; l < LV__COUNT; l++) {
		c->byl[l] = cw_xmalloc(c->ncells * sizeof *c->byl[l]);
		for (size_t i = 0; i < c->ncells; i++) {
			struct node *x = &c->nodes[c->label[l][c->cells[i]]];
			c->byl[l][x->off + x->len++] = c->cells[i];
		}
	}
}

/* ---- rings ---- */

/* The boundary of a node's cells, counter-clockwise from its lowest lattice vertex,
 * through every lattice vertex on it, closed. False when the cells are not one
 * disc (a pinch or a second ring), which the cuts above never make. */
static bool trace(struct ctx *c, int id, struct cw_layout_ring *out)
{
	const struct node *nd = &c->nodes[id];
	const int *lab = c->label[nd->level];
	int w = c->w, h = c->h, stride = w + 1, start = -1;
	size_t nt = 0;
	bool ok = true;
	for (size_t i = 0; i < nd->len; i++) {
		int cell = c->byl[nd->level][nd->off + i], x = cell % w, y = cell / w;
		int v = y * stride + x;
		/* each edge with the region on its left: bottom, right, top, left */
		const int e[4][2] = {{v, v + 1},
				     {v + 1, v + 1 + stride},
				     {v + 1 + stride, v + stride},
				     {v + stride, v}};
		const bool edge[4] = {y == 0 || lab[cell - w] != id, x == w - 1 || lab[cell + 1] != id,
				      y == h - 1 || lab[cell + w] != id, x == 0 || lab[cell - 1] != id};
		for (int k = 0; k < 4; k++) {
			if (!edge[k])
				continue;
			if (c->next[e[k][0]] >= 0) {
				ok = false; /* two boundary edges leave one vertex: a pinch */
				continue;
			}
			c->next[e[k][0]] = e[k][1];
			c->touched[nt++] = e[k][0];
			if (start < 0 || e[k][0] < start)
				start = e[k][0];
		}
	}
	out->lonlat = NULL, out->n = 0;
	if (ok && nt > 0) {
		double *p = cw_xmalloc((nt + 1) * 2 * sizeof *p);
		size_t n = 0;
		int v = start;
		do {
			p[2 * n] = c->vlon[v], p[2 * n + 1] = c->vlat[v];
			n++;
			v = c->next[v];
		} while (v >= 0 && v != start && n < nt);
		p[2 * n] = p[0], p[2 * n + 1] = p[1];
		ok = v == start && n == nt;
		out->lonlat = p, out->n = n + 1;
	}
	for (size_t i = 0; i < nt; i++)
		c->next[c->touched[i]] = -1;
	if (!ok || nt == 0) {
		free(out->lonlat);
		out->lonlat = NULL, out->n = 0;
		return false;
	}
	return true;
}

/* Area (km²) and centroid of a ring on the local plane, and its northernmost
 * northing; the numbering rule at the top of the file uses them. */
static double ring_plane(const struct cw_layout_ring *r, double *cx, double *cy, double *north)
{
	double kx = km_per_deg_lon(), a = 0, sx = 0, sy = 0;
	*north = -HUGE_VAL;
	for (size_t i = 0; i + 1 < r->n; i++) {
		double x0 = (r->lonlat[2 * i] - LON0) * kx, y0 = (r->lonlat[2 * i + 1] - LAT0) * KM_PER_DEG_LAT;
		double x1 = (r->lonlat[2 * i + 2] - LON0) * kx;
		double y1 = (r->lonlat[2 * i + 3] - LAT0) * KM_PER_DEG_LAT;
		double cr = x0 * y1 - x1 * y0;
		a += cr, sx += (x0 + x1) * cr, sy += (y0 + y1) * cr;
		*north = y0 > *north ? y0 : *north;
	}
	*cx = sx / (3 * a), *cy = sy / (3 * a);
	return a / 2;
}

struct place {
	long row;
	double east, north;
	int id;
};

static int cmp_place(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->east != y->east)
		return x->east < y->east ? -1 : 1;
	if (x->north != y->north)
		return x->north > y->north ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Puts a village's grids in numbering order, west→east, north→south (see the top
 * of the file), into ids. */
static void number_grids(const struct ctx *c, const struct node *vil, int *ids)
{
	double vx, vy, north, gn;
	double band = sqrt(ring_plane(&vil->ring, &vx, &vy, &north) / vil->nchild);
	struct place *pl = cw_xmalloc((size_t)vil->nchild * sizeof *pl);
	for (int i = 0; i < vil->nchild; i++) {
		pl[i].id = vil->first + i;
		ring_plane(&c->nodes[pl[i].id].ring, &pl[i].east, &pl[i].north, &gn);
		pl[i].row = (long)floor((north - pl[i].north) / band);
	}
	qsort(pl, (size_t)vil->nchild, sizeof *pl, cmp_place);
	for (int i = 0; i < vil->nchild; i++)
		ids[i] = pl[i].id;
	free(pl);
}

/* ---- the whole city ---- */

static void ctx_free(struct ctx *c)
{
	if (c->nodes)
		for (size_t i = 0; i < c->nnodes; i++)
			free(c->nodes[i].ring.lonlat);
	free(c->nodes);
	free(c->cells), free(c->lo), free(c->hi);
	for (int i = 0; i < LV__COUNT; i++)
		free(c->label[i]), free(c->byl[i]);
	free(c->vlon), free(c->vlat), free(c->mark), free(c->queue);
	free(c->ord[0]), free(c->ord[1]), free(c->next), free(c->touched), free(c->keys);
}

/* Checks the codes nest and sorts them; NULL on bad input. */
static const char **sorted_codes(const struct cw_layout_village *v, size_t n)
{
	const char **codes = cw_xmalloc(n * sizeof *codes);
	for (size_t i = 0; i < n; i++) {
		char town[16], district[16];
		if (!v[i].code || !v[i].town || !v[i].district ||
		    cw_region_code_level(v[i].code) != CW_LEVEL_VILLAGE ||
		    !cw_region_code_parent(v[i].code, town) || strcmp(town, v[i].town) != 0 ||
		    !cw_region_code_parent(v[i].town, district) || strcmp(district, v[i].district) != 0)
			goto bad;
		codes[i] = v[i].code;
	}
	qsort(codes, n, sizeof *codes, cmp_str);
	for (size_t i = 1; i < n; i++)
		if (strcmp(codes[i - 1], codes[i]) == 0)
			goto bad;
	return codes;
bad:
	free(codes);
	return NULL;
}

static void set_code(char *dst, const char *src, size_t keep)
{
	memcpy(dst, src, keep);
	memset(dst + keep, '0', 12 - keep);
	dst[12] = 0;
}

/* The tree: districts, towns, villages, grids, each level in code order, each
 * node's children contiguous. Grids get their kind and figures here. */
static void build_tree(struct ctx *c, const char **codes, size_t n, const int *ngrids, int nd,
		       int nt, uint64_t seed)
{
	struct node *nodes = c->nodes;
	int d = -1, t = -1, g = nd + nt + (int)n;
	for (size_t k = 0; k < n; k++) {
		const char *code = codes[k];
		if (k == 0 || strncmp(code, codes[k - 1], 6) != 0) {
			d++;
			set_code(nodes[d].code, code, 6);
			nodes[d].level = LV_DISTRICT, nodes[d].first = nd + t + 1;
		}
		if (k == 0 || strncmp(code, codes[k - 1], 9) != 0) {
			t++;
			set_code(nodes[nd + t].code, code, 9);
			nodes[nd + t].level = LV_TOWN, nodes[nd + t].first = nd + nt + (int)k;
			nodes[d].nchild++;
		}
		struct node *vil = &nodes[nd + nt + (int)k];
		enum vclass cls = village_class(code);
		const struct vclass_info *ci = &classes[cls];
		set_code(vil->code, code, 12);
		vil->level = LV_VILLAGE, vil->first = g, vil->nchild = ngrids[k], vil->urban = ci->urban;
		nodes[nd + t].nchild++;
		struct rng r = rng_for(seed, code);
		rng_int(&r, ci->gmin, ci->gmax); /* the count, drawn before */
		int dedicated = 0;
		for (int i = 0; i < ngrids[k]; i++, g++) {
			struct node *x = &nodes[g];
			x->level = LV_GRID, x->ngrids = 1, x->urban = rng_unit(&r);
			/* at least one comprehensive grid in every village */
			bool ded = rng_unit(&r) < ci->dedicated && dedicated + 1 < ngrids[k];
			int kind = rng_pick(&r, ci->kinds, NKINDS);
			x->kind = ded ? (enum cw_grid_kind)kind : CW_GRID_COMPREHENSIVE;
			dedicated += ded;
			x->weight = ci->grid_km2 * (ded ? 0.6 : 1) * rng_range(&r, 0.75, 1.3);
			x->households = ded ? rng_int(&r, 20, 180) : rng_int(&r, ci->hh_min, ci->hh_max);
			long pop = lround(x->households * rng_range(&r, 2.5, 2.9));
			x->population = pop > 2500 ? 2500 : (int)pop;
			x->part_timers = rng_pick(&r, ci->part_timers, 4);
			vil->weight += x->weight;
			vil->ngrids++;
		}
	}
	/* totals upwards; a town's or district's urbanness is its villages' mean */
	for (int i = nd + nt - 1; i >= 0; i--) {
		struct node *p = &nodes[i];
		int villages = 0;
		double urban = 0;
		for (int j = p->first; j < p->first + p->nchild; j++) {
			p->weight += nodes[j].weight;
			p->ngrids += nodes[j].ngrids;
			int nv = p->level == LV_TOWN ? 1 : nodes[j].nchild;
			urban += nodes[j].urban * nv;
			villages += nv;
		}
		p->urban = urban / villages;
	}
}

static bool cut_all(struct ctx *c, int nd, int *ids)
{
	if (!districts(c, nd, ids))
		return false;
	/* the urban core: the middle of the most urban district */
	int core = 0;
	for (int i = 1; i < nd; i++)
		if (c->nodes[i].urban > c->nodes[core].urban)
			core = i;
	double sx = 0, sy = 0;
	const struct node *k = &c->nodes[core];
	for (size_t i = 0; i < k->len; i++)
		sx += c->cells[k->off + i] % c->w + 0.5, sy += c->cells[k->off + i] / c->w + 0.5;
	c->corex = sx / (double)k->len, c->corey = sy / (double)k->len;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct node *p = &c->nodes[i];
		if (p->level == LV_GRID)
			break;
		children_in_order(c, p, ids);
		if (!split(c, p->off, p->len, ids, p->nchild))
			return false;
	}
	return true;
}

/* Part-timers so that grids + part-timers come to Huaibei's ratio of workers per
 * village (0-3 in each grid). */
static void balance_workers(struct cw_layout_grid *g, size_t ng, size_t nvillages, struct rng *r)
{
	long target = lround(WORKERS_PER_VILLAGE * (double)nvillages), sum = (long)ng;
	for (size_t i = 0; i < ng; i++)
		sum += g[i].part_timers;
	target = target < (long)ng ? (long)ng : target > 4 * (long)ng ? 4 * (long)ng : target;
	while (sum != target) {
		struct cw_layout_grid *x = &g[rng_next(r) % ng];
		if (sum < target && x->part_timers < 3)
			x->part_timers++, sum++;
		else if (sum > target && x->part_timers > 0)
			x->part_timers--, sum--;
	}
}

int cw_layout_city(const struct cw_layout_village *v, size_t n, uint64_t seed, struct cw_layout *out)
{
	memset(out, 0, sizeof *out);
	/* a bound on memory: 10,000 villages are about 1.6 million cells */
	if (!v || n == 0 || n > 10000)
		return -1;
	const char **codes = sorted_codes(v, n);
	if (!codes)
		return -1;
	struct ctx c = {0};
	int *ngrids = cw_xmalloc(n * sizeof *ngrids), nd = 0, nt = 0, ng = 0;
	for (size_t k = 0; k < n; k++) {
		struct rng r = rng_for(seed, codes[k]);
		const struct vclass_info *ci = &classes[village_class(codes[k])];
		ngrids[k] = rng_int(&r, ci->gmin, ci->gmax);
		ng += ngrids[k];
		nd += k == 0 || strncmp(codes[k], codes[k - 1], 6) != 0;
		nt += k == 0 || strncmp(codes[k], codes[k - 1], 9) != 0;
	}
	c.nnodes = (size_t)nd + (size_t)nt + n + (size_t)ng;
	c.nodes = cw_xcalloc(c.nnodes, sizeof *c.nodes);
	build_tree(&c, codes, n, ngrids, nd, nt, seed);
	free(ngrids);
	free(codes);

	/* The city's rectangle: its outline keeps about FILL of it, for the area the
	 * grids want. */
	double total = 0, kx = km_per_deg_lon();
	for (int i = 0; i < nd; i++)
		total += c.nodes[i].weight;
	double hk = sqrt(total / FILL / ASPECT);
	c.w = (int)fmax(8, lround(ASPECT * hk / CELL_KM));
	c.h = (int)fmax(8, lround(hk / CELL_KM));
	size_t cells = (size_t)c.w * (size_t)c.h, nv = (size_t)(c.w + 1) * (size_t)(c.h + 1);
	c.cells = cw_xmalloc(cells * sizeof *c.cells);
	c.lo = cw_xmalloc((size_t)c.h * sizeof *c.lo);
	c.hi = cw_xmalloc((size_t)c.h * sizeof *c.hi);
	for (int i = 0; i < LV__COUNT; i++) {
		c.label[i] = cw_xmalloc(cells * sizeof *c.label[i]);
		memset(c.label[i], 0xff, cells * sizeof *c.label[i]);
	}
	c.vlon = cw_xmalloc(nv * sizeof *c.vlon);
	c.vlat = cw_xmalloc(nv * sizeof *c.vlat);
	c.mark = cw_xcalloc(cells, sizeof *c.mark);
	c.queue = cw_xmalloc(cells * sizeof *c.queue);
	c.ord[0] = cw_xmalloc(cells * sizeof *c.ord[0]);
	c.ord[1] = cw_xmalloc(cells * sizeof *c.ord[1]);
	c.next = cw_xmalloc(nv * sizeof *c.next);
	memset(c.next, 0xff, nv * sizeof *c.next);
	c.touched = cw_xmalloc(4 * cells * sizeof *c.touched);
	c.keys = cw_xmalloc(cells * sizeof *c.keys);
	int *ids = cw_xmalloc(c.nnodes * sizeof *ids);

	struct rng r = {seed};
	rng_next(&r);
	outline(&c, &r);
	/* the cell gives the city exactly that area, unless the city would then not fit
	 * the bounding box with room for the warp and the jitter */
	double cell = sqrt(total / (double)c.ncells);
	cell = fmin(cell, HALF_LON * kx / (c.w / 2.0 + WARP_CELLS + 1));
	cell = fmin(cell, HALF_LAT * KM_PER_DEG_LAT / (c.h / 2.0 + WARP_CELLS + 1));
	vertices(&c, &r, cell);
	bool ok = c.ncells >= (size_t)ng && cut_all(&c, nd, ids);
	for (size_t i = 0; ok && i < c.nnodes; i++)
		for (size_t j = 0; j < c.nodes[i].len; j++)
			c.label[c.nodes[i].level][c.cells[c.nodes[i].off + j]] = (int)i;
	if (ok) {
		wiggle(&c, &r);
		cells_by_node(&c);
	}
	for (size_t i = 0; ok && i < c.nnodes; i++)
		ok = trace(&c, (int)i, &c.nodes[i].ring);
	if (!ok) {
		free(ids);
		ctx_free(&c);
		return -1;
	}

	size_t na = c.nnodes - (size_t)ng;
	out->areas = cw_xcalloc(na, sizeof *out->areas);
	out->grids = cw_xcalloc((size_t)ng, sizeof *out->grids);
	for (size_t i = 0; i < na; i++) {
		struct node *x = &c.nodes[i];
		memcpy(out->areas[i].code, x->code, sizeof x->code);
		if (x->level == LV_VILLAGE)
			number_grids(&c, x, ids);
		out->areas[i].ring = x->ring;
		x->ring.lonlat = NULL;
		if (x->level != LV_VILLAGE)
			continue;
		for (int k = 0; k < x->nchild; k++) {
			struct node *y = &c.nodes[ids[k]];
			struct cw_layout_grid *gr = &out->grids[out->ngrids++];
			memcpy(gr->code, x->code, 12);
			gr->code[12] = (char)('0' + (k + 1) / 100);
			gr->code[13] = (char)('0' + (k + 1) / 10 % 10);
			gr->code[14] = (char)('0' + (k + 1) % 10);
			memcpy(gr->village, x->code, sizeof gr->village);
			gr->ring = y->ring;
			y->ring.lonlat = NULL;
			gr->kind = y->kind;
			gr->households = y->households;
			gr->population = y->population;
			gr->part_timers = y->part_timers;
		}
	}
	out->nareas = na;
	balance_workers(out->grids, out->ngrids, n, &r);
	free(ids);
	ctx_free(&c);
	return 0;
}

void cw_layout_free(struct cw_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nareas; i++)
		free(l->areas[i].ring.lonlat);
	for (size_t i = 0; i < l->ngrids; i++)
		free(l->grids[i].ring.lonlat);
	free(l->areas);
	free(l->grids);
	memset(l, 0, sizeof *l);
}
