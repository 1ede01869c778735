/* test_demo_layout.c - unit tests of app/demo_layout: the demo city's synthetic
 * boundaries, made from the real village list, tile exactly, nest, and carry
 * plausible figures; GEOS agrees that they are valid and do not overlap. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "app/demo_layout.h"
#include "core/region.h"
#include "geo/geo.h"

#define SEED UINT64_C(20260101)
#define MAX_VILLAGES 2000

/* Huaibei's rough bounding box (demo_layout.h) and the local plane of the
 * numbering rule (demo_layout.c). */
#define LON_MIN 116.4
#define LON_MAX 117.1
#define LAT_MIN 33.3
#define LAT_MAX 34.2
#define LON0 116.75
#define LAT0 33.75
#define KM_PER_DEG_LAT 111.32
#define PI 3.14159265358979323846

static struct village_row {
	char code[16], town[16], district[16], name[160];
} rows[MAX_VILLAGES];
static struct cw_layout_village villages[MAX_VILLAGES];
static size_t nvillages;
static struct cw_layout city; /* the layout of SEED, made once */

/* ---- the village list ---- */

/* ../shared/data beside the repository, found from this file's path, or
 * $CW_SHARED_DATA. */
static FILE *open_villages(void)
{
	char path[4096];
	const char *dir = getenv("CW_SHARED_DATA");
	if (dir && *dir) {
		snprintf(path, sizeof path, "%s/huaibei-villages.csv", dir);
	} else {
		const char *slash = strrchr(__FILE__, '/');
		int len = slash ? (int)(slash - __FILE__) : 1;
		snprintf(path, sizeof path, "%.*s/../../../shared/data/huaibei-villages.csv", len,
			 slash ? __FILE__ : ".");
	}
	FILE *f = fopen(path, "r");
	if (!f)
		fprintf(stderr, "cannot open %s (set CW_SHARED_DATA to the data directory)\n", path);
	return f;
}

/* One CSV field (quotes allowed) into out; returns the position after its comma. */
static const char *csv_field(const char *p, char *out, size_t cap)
{
	size_t n = 0;
	bool quoted = *p == '"';
	if (quoted)
		p++;
	while (*p && (quoted ? *p != '"' : *p != ',' && *p != '\n' && *p != '\r')) {
		if (n + 1 < cap)
			out[n++] = *p;
		p++;
	}
	out[n] = 0;
	if (quoted && *p == '"')
		p++;
	return *p == ',' ? p + 1 : p;
}

static int load_villages(void)
{
	FILE *f = open_villages();
	if (!f)
		return -1;
	char line[1024], town[32];
	nvillages = 0;
	if (!fgets(line, sizeof line, f)) /* the header */
		goto fail;
	while (fgets(line, sizeof line, f) && nvillages < MAX_VILLAGES) {
		struct village_row *r = &rows[nvillages];
		const char *p = csv_field(line, r->code, sizeof r->code);
		p = csv_field(p, r->name, sizeof r->name);
		csv_field(p, town, sizeof town);
		if (strlen(r->code) != 12 || strlen(town) != 9)
			goto fail;
		snprintf(r->town, sizeof r->town, "%.9s000", town);
		snprintf(r->district, sizeof r->district, "%.6s000000", town);
		villages[nvillages] = (struct cw_layout_village){r->code, r->town, r->district, r->name};
		nvillages++;
	}
	fclose(f);
	return nvillages > 0 ? 0 : -1;
fail:
	fclose(f);
	return -1;
}

static int group_setup(void **state)
{
	(void)state;
	if (load_villages() != 0)
		return -1;
	return cw_layout_city(villages, nvillages, SEED, &city);
}

static int group_teardown(void **state)
{
	(void)state;
	cw_layout_free(&city);
	return 0;
}

/* ---- geometry helpers ---- */

/* Shoelace area in degrees², around the city's centre so that the terms are small
 * and sums of children match their parent to ~1e-12. */
static double ring_area(const struct cw_layout_ring *r)
{
	double a = 0;
	for (size_t i = 0; i + 1 < r->n; i++) {
		double x0 = r->lonlat[2 * i] - LON0, y0 = r->lonlat[2 * i + 1] - LAT0;
		double x1 = r->lonlat[2 * i + 2] - LON0, y1 = r->lonlat[2 * i + 3] - LAT0;
		a += x0 * y1 - x1 * y0;
	}
	return a / 2;
}

/* The numbering rule's plane (km), area and centroid, and northernmost northing:
 * the same arithmetic as demo_layout.c. */
static double ring_plane(const struct cw_layout_ring *r, double *cx, double *cy, double *north)
{
	double kx = KM_PER_DEG_LAT * cos(LAT0 * PI / 180.0), a = 0, sx = 0, sy = 0;
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

static double area_km2(const struct cw_layout_ring *r)
{
	double cx, cy, north;
	return ring_plane(r, &cx, &cy, &north);
}

static int orient(const double *a, const double *b, const double *c)
{
	double v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
	return (v > 0) - (v < 0);
}

static bool within(const double *a, const double *b, const double *p)
{
	return fmin(a[0], b[0]) <= p[0] && p[0] <= fmax(a[0], b[0]) && fmin(a[1], b[1]) <= p[1] &&
	       p[1] <= fmax(a[1], b[1]);
}

/* Do segments ab and cd share any point? */
static bool segments_touch(const double *a, const double *b, const double *c, const double *d)
{
	int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
	if (o1 * o2 < 0 && o3 * o4 < 0)
		return true;
	return (o1 == 0 && within(a, b, c)) || (o2 == 0 && within(a, b, d)) ||
	       (o3 == 0 && within(c, d, a)) || (o4 == 0 && within(c, d, b));
}

/* A simple ring: no zero-length edge, no edge folding back on the previous one,
 * and no two other edges sharing any point. */
static bool ring_simple(const struct cw_layout_ring *r)
{
	const double *p = r->lonlat;
	size_t m = r->n - 1; /* edges */
	for (size_t i = 0; i < m; i++) {
		const double *a = p + 2 * i, *b = p + 2 * i + 2, *c = p + 2 * ((i + 1) % m) + 2;
		if (a[0] == b[0] && a[1] == b[1])
			return false;
		if (orient(a, b, c) == 0 && (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) > 0)
			return false;
	}
	for (size_t i = 0; i < m; i++) {
		const double *a = p + 2 * i, *b = a + 2;
		double x0 = fmin(a[0], b[0]), x1 = fmax(a[0], b[0]), y0 = fmin(a[1], b[1]), y1 = fmax(a[1], b[1]);
		for (size_t j = i + 2; j < m; j++) {
			if (i == 0 && j == m - 1)
				continue; /* the closing edge meets the first at the start */
			const double *c = p + 2 * j, *d = c + 2;
			if (fmax(c[0], d[0]) < x0 || fmin(c[0], d[0]) > x1 || fmax(c[1], d[1]) < y0 ||
			    fmin(c[1], d[1]) > y1)
				continue;
			if (segments_touch(a, b, c, d))
				return false;
		}
	}
	return true;
}

/* Even-odd point in polygon. */
static bool ring_contains(const struct cw_layout_ring *r, double x, double y)
{
	bool in = false;
	for (size_t i = 0; i + 1 < r->n; i++) {
		double x0 = r->lonlat[2 * i], y0 = r->lonlat[2 * i + 1];
		double x1 = r->lonlat[2 * i + 2], y1 = r->lonlat[2 * i + 3];
		if ((y0 > y) != (y1 > y) && x < x0 + (y - y0) * (x1 - x0) / (y1 - y0))
			in = !in;
	}
	return in;
}

static void ring_bbox(const struct cw_layout_ring *r, double b[4])
{
	b[0] = b[1] = HUGE_VAL, b[2] = b[3] = -HUGE_VAL;
	for (size_t i = 0; i < r->n; i++) {
		b[0] = fmin(b[0], r->lonlat[2 * i]), b[2] = fmax(b[2], r->lonlat[2 * i]);
		b[1] = fmin(b[1], r->lonlat[2 * i + 1]), b[3] = fmax(b[3], r->lonlat[2 * i + 1]);
	}
}

static void ring_centroid(const struct cw_layout_ring *r, double *x, double *y)
{
	double north;
	ring_plane(r, x, y, &north);
}

/* ---- lookups ---- */

static int level_of(const char *code)
{
	return (int)cw_region_code_level(code);
}

static const struct cw_layout_region *area(const char *code)
{
	for (size_t i = 0; i < city.nareas; i++)
		if (strcmp(city.areas[i].code, code) == 0)
			return &city.areas[i];
	return NULL;
}

static bool is_community(const char *code)
{
	return code[9] == '0' || code[9] == '1';
}

/* ---- edges: the tiling is exact vertex by vertex ---- */

struct edge {
	double v[4];
};

static int cmp_edge(const void *a, const void *b)
{
	const double *x = ((const struct edge *)a)->v, *y = ((const struct edge *)b)->v;
	for (int i = 0; i < 4; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static size_t add_edges(const struct cw_layout_ring *r, struct edge *e, size_t n)
{
	for (size_t i = 0; i + 1 < r->n; i++)
		e[n++] = (struct edge){{r->lonlat[2 * i], r->lonlat[2 * i + 1], r->lonlat[2 * i + 2],
					r->lonlat[2 * i + 3]}};
	return n;
}

/* The children tile the parent exactly: each of the children's directed edges is
 * either on the parent's ring (once) or shared, reversed, with another child; each
 * edge of the parent's ring is some child's. With simple counter-clockwise rings
 * that is an exact partition, shared edges identical vertex by vertex. */
static void check_tiling(const struct cw_layout_ring *parent, const struct cw_layout_ring *kids[],
			 size_t nk)
{
	size_t ne = 0, np = 0;
	for (size_t i = 0; i < nk; i++)
		ne += kids[i]->n;
	struct edge *e = malloc(ne * sizeof *e), *p = malloc(parent->n * sizeof *p);
	assert_non_null(e);
	assert_non_null(p);
	ne = 0;
	for (size_t i = 0; i < nk; i++)
		ne = add_edges(kids[i], e, ne);
	np = add_edges(parent, p, 0);
	qsort(e, ne, sizeof *e, cmp_edge);
	qsort(p, np, sizeof *p, cmp_edge);
	for (size_t i = 0; i < ne; i++) {
		if (i > 0)
			assert_int_not_equal(cmp_edge(&e[i - 1], &e[i]), 0);
		struct edge rev = {{e[i].v[2], e[i].v[3], e[i].v[0], e[i].v[1]}};
		bool shared = bsearch(&rev, e, ne, sizeof *e, cmp_edge) != NULL;
		bool outer = bsearch(&e[i], p, np, sizeof *p, cmp_edge) != NULL;
		assert_true(shared != outer);
	}
	for (size_t i = 0; i < np; i++)
		assert_non_null(bsearch(&p[i], e, ne, sizeof *e, cmp_edge));
	free(e);
	free(p);
}

/* ---- tests ---- */

static void test_bad_input(void **state)
{
	(void)state;
	struct cw_layout l;
	assert_int_equal(cw_layout_city(villages, 0, 1, &l), -1);
	assert_int_equal(l.nareas + l.ngrids, 0);
	assert_int_equal(cw_layout_city(NULL, 3, 1, &l), -1);
	static const struct cw_layout_village bad[][1] = {
	    {{"340602001004", "340602002000", "340602000000", "x"}}, /* town of another code */
	    {{"340602001004", "340602001000", "340603000000", "x"}}, /* district */
	    {{"340602001000", "340602001000", "340602000000", "x"}}, /* a town, not a village */
	    {{"34060200100", "340602001000", "340602000000", "x"}},  /* 11 digits */
	    {{"34060200100a", "340602001000", "340602000000", "x"}}, /* a letter */
	    {{"340602001004", "340602001", "340602", "x"}},          /* not padded */
	    {{NULL, "340602001000", "340602000000", "x"}},
	    {{"340602001004", NULL, "340602000000", "x"}},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(cw_layout_city(bad[i], 1, 1, &l), -1);
		assert_null(l.areas);
		assert_null(l.grids);
	}
	const struct cw_layout_village twice[2] = {
	    {"340602001004", "340602001000", "340602000000", "x"},
	    {"340602001004", "340602001000", "340602000000", "y"},
	};
	assert_int_equal(cw_layout_city(twice, 2, 1, &l), -1);
	cw_layout_free(&l); /* harmless on an empty layout */
	cw_layout_free(NULL);
}

static void test_kind_names(void **state)
{
	(void)state;
	static const char *const names[] = {"comprehensive", "school", "hospital",
					    "park",          "enterprise", "market"};
	for (int i = 0; i < 6; i++) {
		assert_string_equal(cw_grid_kind_name((enum cw_grid_kind)i), names[i]);
		assert_int_equal(cw_grid_kind_parse(names[i]), i);
	}
	assert_null(cw_grid_kind_name((enum cw_grid_kind)6));
	assert_null(cw_grid_kind_name((enum cw_grid_kind)-1));
	assert_int_equal(cw_grid_kind_parse("School"), -1);
	assert_int_equal(cw_grid_kind_parse(""), -1);
	assert_int_equal(cw_grid_kind_parse(NULL), -1);
}

/* Every district, town and village of the input has an area, and nothing else. */
static void test_areas_cover_the_input(void **state)
{
	(void)state;
	size_t towns = 0, districts = 0;
	for (size_t i = 0; i < nvillages; i++) {
		assert_non_null(area(villages[i].code));
		assert_non_null(area(villages[i].town));
		assert_non_null(area(villages[i].district));
	}
	for (size_t i = 0; i < city.nareas; i++) {
		int lv = level_of(city.areas[i].code);
		towns += lv == CW_LEVEL_TOWN, districts += lv == CW_LEVEL_DISTRICT;
		assert_true(lv == CW_LEVEL_DISTRICT || lv == CW_LEVEL_TOWN || lv == CW_LEVEL_VILLAGE);
	}
	assert_int_equal(districts, 4);
	assert_int_equal(towns, 37);
	assert_int_equal(city.nareas, 4 + 37 + nvillages);
}

/* Grid codes: the village's code + 001..N, consecutive; every village has grids;
 * about 2,000 in all; communities have more than villages. */
static void test_grid_codes(void **state)
{
	(void)state;
	assert_in_range(city.ngrids, 1800, 2300);
	size_t i = 0, comm = 0, vill = 0, ncomm = 0, nvill = 0;
	for (size_t k = 0; k < city.nareas; k++) {
		const char *v = city.areas[k].code;
		if (level_of(v) != CW_LEVEL_VILLAGE)
			continue;
		size_t n = 0;
		for (; i < city.ngrids && strncmp(city.grids[i].code, v, 12) == 0; i++, n++) {
			char want[32];
			snprintf(want, sizeof want, "%.12s%03d", v, (int)(n + 1) % 1000);
			assert_string_equal(city.grids[i].code, want);
			assert_string_equal(city.grids[i].village, v);
			assert_int_equal(level_of(city.grids[i].code), CW_LEVEL_GRID);
		}
		assert_true(n >= 1);
		if (is_community(v))
			comm += n, ncomm++;
		else if (v[9] == '2' || v[9] == '3')
			vill += n, nvill++;
	}
	assert_int_equal(i, city.ngrids); /* no grid outside a village, all in order */
	assert_true(comm >= 5 * ncomm && comm <= 8 * ncomm);
	assert_true(vill >= 2 * nvill && vill <= 4 * nvill);
}

/* "1+1": one full-time worker per grid and 0-3 part-timers, 4,616 in all (±3%). */
static void test_workers(void **state)
{
	(void)state;
	long workers = (long)city.ngrids;
	for (size_t i = 0; i < city.ngrids; i++) {
		assert_in_range(city.grids[i].part_timers, 0, 3);
		workers += city.grids[i].part_timers;
	}
	assert_in_range(workers, 4616 - 138, 4616 + 138);
}

static void test_grid_figures(void **state)
{
	(void)state;
	size_t dedicated = 0, in_communities = 0;
	for (size_t i = 0; i < city.ngrids; i++) {
		const struct cw_layout_grid *g = &city.grids[i];
		assert_in_range(g->kind, CW_GRID_COMPREHENSIVE, CW_GRID_MARKET);
		if (g->kind == CW_GRID_COMPREHENSIVE) {
			assert_in_range(g->households, 300, 500);
		} else {
			assert_in_range(g->households, 1, 299);
			dedicated++;
			in_communities += is_community(g->village);
		}
		assert_true(g->population >= (int)floor(g->households * 2.5) &&
			    g->population <= (int)ceil(g->households * 2.9));
		assert_true(g->population <= 2500);
	}
	double share = (double)dedicated / (double)city.ngrids;
	assert_true(share >= 0.05 && share <= 0.12);
	assert_true(in_communities * 2 > dedicated); /* mostly urban */
}

/* Coordinates inside the bounding box; rings closed, at least 4 points,
 * counter-clockwise and simple. */
static void check_ring(const struct cw_layout_ring *r)
{
	assert_true(r->n >= 4);
	for (size_t i = 0; i < r->n; i++) {
		assert_true(r->lonlat[2 * i] > LON_MIN && r->lonlat[2 * i] < LON_MAX);
		assert_true(r->lonlat[2 * i + 1] > LAT_MIN && r->lonlat[2 * i + 1] < LAT_MAX);
	}
	assert_true(r->lonlat[0] == r->lonlat[2 * r->n - 2] && r->lonlat[1] == r->lonlat[2 * r->n - 1]);
	assert_true(ring_area(r) > 0);
	assert_true(ring_simple(r));
}

static void test_rings_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < city.nareas; i++)
		check_ring(&city.areas[i].ring);
	for (size_t i = 0; i < city.ngrids; i++)
		check_ring(&city.grids[i].ring);
}

/* The self-intersection check itself catches a bow tie, a pinch and a spike. */
static void test_ring_check_catches_bad_rings(void **state)
{
	(void)state;
	double bow[] = {0, 0, 1, 1, 1, 0, 0, 1, 0, 0};
	double pinch[] = {0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1, 0, 0};
	double spike[] = {0, 0, 2, 0, 3, 0, 2, 0, 2, 2, 0, 0};
	double square[] = {0, 0, 1, 0, 1, 1, 0, 1, 0, 0};
	assert_false(ring_simple(&(struct cw_layout_ring){bow, 5}));
	assert_false(ring_simple(&(struct cw_layout_ring){pinch, 7}));
	assert_false(ring_simple(&(struct cw_layout_ring){spike, 6}));
	assert_true(ring_simple(&(struct cw_layout_ring){square, 5}));
}

/* The parts of every area add up to it: grids to their village, villages to their
 * town, towns to their district; and the edges match exactly. */
static void test_tiling_is_exact(void **state)
{
	(void)state;
	const struct cw_layout_ring **kids = malloc((city.ngrids + city.nareas) * sizeof *kids);
	assert_non_null(kids);
	size_t checked = 0;
	for (size_t k = 0; k < city.nareas; k++) {
		const struct cw_layout_region *parent = &city.areas[k];
		size_t nk = 0;
		double sum = 0;
		if (level_of(parent->code) == CW_LEVEL_VILLAGE) {
			for (size_t i = 0; i < city.ngrids; i++)
				if (strcmp(city.grids[i].village, parent->code) == 0)
					kids[nk++] = &city.grids[i].ring;
		} else {
			for (size_t i = 0; i < city.nareas; i++) {
				char up[16];
				if (cw_region_code_parent(city.areas[i].code, up) && strcmp(up, parent->code) == 0)
					kids[nk++] = &city.areas[i].ring;
			}
		}
		assert_true(nk >= 1);
		for (size_t i = 0; i < nk; i++)
			sum += ring_area(kids[i]);
		double whole = ring_area(&parent->ring);
		assert_true(fabs(sum - whole) <= 1e-9 * whole);
		check_tiling(&parent->ring, kids, nk);
		checked++;
	}
	assert_int_equal(checked, city.nareas);
	free((void *)kids);
}

/* Random points: inside the city each lies in exactly one grid, and that grid's
 * village, town and district are the ones that contain it; outside, in none. */
static void test_points_in_one_grid(void **state)
{
	(void)state;
	double (*box)[4] = malloc(city.ngrids * sizeof *box), (*abox)[4] = malloc(city.nareas * sizeof *abox);
	assert_non_null(box);
	assert_non_null(abox);
	for (size_t i = 0; i < city.ngrids; i++)
		ring_bbox(&city.grids[i].ring, box[i]);
	int *lv = malloc(city.nareas * sizeof *lv);
	assert_non_null(lv);
	for (size_t i = 0; i < city.nareas; i++) {
		ring_bbox(&city.areas[i].ring, abox[i]);
		lv[i] = level_of(city.areas[i].code) - CW_LEVEL_DISTRICT;
	}
	uint64_t s = 12345;
	size_t inside = 0, n = 2000;
	for (size_t t = 0; t < n; t++) {
		s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		double x = LON_MIN + (LON_MAX - LON_MIN) * (double)(s >> 11) * 0x1.0p-53;
		s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		double y = LAT_MIN + (LAT_MAX - LAT_MIN) * (double)(s >> 11) * 0x1.0p-53;
		const struct cw_layout_region *in[3] = {NULL, NULL, NULL};
		int nin[3] = {0, 0, 0};
		for (size_t i = 0; i < city.nareas; i++)
			if (x >= abox[i][0] && x <= abox[i][2] && y >= abox[i][1] && y <= abox[i][3] &&
			    ring_contains(&city.areas[i].ring, x, y))
				in[lv[i]] = &city.areas[i], nin[lv[i]]++;
		size_t hits = 0, hit = 0;
		for (size_t i = 0; i < city.ngrids; i++)
			if (x >= box[i][0] && x <= box[i][2] && y >= box[i][1] && y <= box[i][3] &&
			    ring_contains(&city.grids[i].ring, x, y))
				hits++, hit = i;
		if (nin[0] == 0) {
			assert_int_equal(nin[1] + nin[2], 0);
			assert_int_equal(hits, 0);
			continue;
		}
		inside++;
		assert_int_equal(nin[0], 1);
		assert_int_equal(nin[1], 1);
		assert_int_equal(nin[2], 1);
		assert_int_equal(hits, 1);
		assert_string_equal(city.grids[hit].village, in[2]->code);
		assert_memory_equal(in[2]->code, in[1]->code, 9);
		assert_memory_equal(in[1]->code, in[0]->code, 6);
	}
	/* the city fills a good part of the box, not all of it */
	assert_in_range(inside, n / 4, n * 9 / 10);
	free(box);
	free(abox);
	free(lv);
}

/* The rule of demo_layout.c: a village's grids in rows of height sqrt(area / n)
 * from its northernmost point, numbered row by row, west to east in a row. */
static void test_numbering_west_east_north_south(void **state)
{
	(void)state;
	size_t rows_with_two = 0;
	for (size_t i = 0; i < city.ngrids;) {
		const struct cw_layout_region *v = area(city.grids[i].village);
		assert_non_null(v);
		size_t n = 0;
		while (i + n < city.ngrids && strcmp(city.grids[i + n].village, v->code) == 0)
			n++;
		double vx, vy, north;
		double band = sqrt(ring_plane(&v->ring, &vx, &vy, &north) / (double)n);
		long prev_row = LONG_MIN;
		double prev_x = -HUGE_VAL, prev_y = HUGE_VAL;
		for (size_t k = 0; k < n; k++) {
			double x, y, gn;
			ring_plane(&city.grids[i + k].ring, &x, &y, &gn);
			long row = (long)floor((north - y) / band);
			assert_true(row >= prev_row);
			if (row == prev_row) {
				assert_true(x >= prev_x); /* 001 is not east of 002 in the same row */
				rows_with_two++;
			} else if (k > 0) {
				assert_true(y < prev_y); /* a later row is further south */
			}
			prev_row = row, prev_x = x, prev_y = y;
		}
		i += n;
	}
	assert_true(rows_with_two > 100);
}

/* Huaibei's arrangement: 濉溪县 the largest, taking the west and the south; 相山区
 * north-centre, 杜集区 north-east, 烈山区 east, south of 杜集区. */
static void test_district_arrangement(void **state)
{
	(void)state;
	const struct cw_layout_region *du = area("340602000000"), *xiang = area("340603000000");
	const struct cw_layout_region *lie = area("340604000000"), *sui = area("340621000000");
	assert_non_null(du);
	assert_non_null(xiang);
	assert_non_null(lie);
	assert_non_null(sui);
	double dx, dy, xx, xy, lx, ly, sx, sy;
	ring_centroid(&du->ring, &dx, &dy);
	ring_centroid(&xiang->ring, &xx, &xy);
	ring_centroid(&lie->ring, &lx, &ly);
	ring_centroid(&sui->ring, &sx, &sy);
	assert_true(xy > sy && dy > sy);
	assert_true(dx > xx && lx > xx);
	assert_true(ly < dy);
	assert_true(sx < xx);
	double a = area_km2(&sui->ring);
	assert_true(a > area_km2(&du->ring) && a > area_km2(&xiang->ring) && a > area_km2(&lie->ring));
	double bs[4], bc[4] = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
	ring_bbox(&sui->ring, bs);
	for (size_t i = 0; i < city.nareas; i++) {
		double b[4];
		ring_bbox(&city.areas[i].ring, b);
		bc[0] = fmin(bc[0], b[0]), bc[1] = fmin(bc[1], b[1]);
	}
	assert_true(bs[0] == bc[0] && bs[1] == bc[1]); /* westernmost and southernmost */
	/* the whole city: Huaibei is about 2,741 km² */
	double total = 0;
	for (size_t i = 0; i < city.nareas; i++)
		if (level_of(city.areas[i].code) == CW_LEVEL_DISTRICT)
			total += area_km2(&city.areas[i].ring);
	assert_true(total > 2000 && total < 3500);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Urban grids are small, rural ones large: the medians of comprehensive grids. */
static void test_grid_sizes(void **state)
{
	(void)state;
	double *urban = malloc(city.ngrids * sizeof *urban), *rural = malloc(city.ngrids * sizeof *rural);
	assert_non_null(urban);
	assert_non_null(rural);
	size_t nu = 0, nr = 0;
	for (size_t i = 0; i < city.ngrids; i++) {
		const struct cw_layout_grid *g = &city.grids[i];
		double a = area_km2(&g->ring);
		assert_true(a > 0.02 && a < 10);
		if (g->kind != CW_GRID_COMPREHENSIVE)
			continue;
		if (is_community(g->village))
			urban[nu++] = a;
		else if (g->village[9] == '2' || g->village[9] == '3')
			rural[nr++] = a;
	}
	qsort(urban, nu, sizeof *urban, cmp_double);
	qsort(rural, nr, sizeof *rural, cmp_double);
	assert_true(urban[nu / 2] > 0.2 && urban[nu / 2] < 0.5);
	assert_true(rural[nr / 2] > 2 && rural[nr / 2] < 6);
	free(urban);
	free(rural);
}

static bool same_ring(const struct cw_layout_ring *a, const struct cw_layout_ring *b)
{
	return a->n == b->n && memcmp(a->lonlat, b->lonlat, 2 * a->n * sizeof *a->lonlat) == 0;
}

static void test_deterministic(void **state)
{
	(void)state;
	struct cw_layout again, other;
	assert_int_equal(cw_layout_city(villages, nvillages, SEED, &again), 0);
	assert_int_equal(again.nareas, city.nareas);
	assert_int_equal(again.ngrids, city.ngrids);
	for (size_t i = 0; i < city.nareas; i++) {
		assert_string_equal(again.areas[i].code, city.areas[i].code);
		assert_true(same_ring(&again.areas[i].ring, &city.areas[i].ring));
	}
	for (size_t i = 0; i < city.ngrids; i++) {
		const struct cw_layout_grid *a = &again.grids[i], *b = &city.grids[i];
		assert_string_equal(a->code, b->code);
		assert_string_equal(a->village, b->village);
		assert_true(same_ring(&a->ring, &b->ring));
		assert_true(a->kind == b->kind && a->households == b->households &&
			    a->population == b->population && a->part_timers == b->part_timers);
	}
	cw_layout_free(&again);
	assert_null(again.areas);

	/* the order of the input does not matter */
	struct cw_layout_village *rev = malloc(nvillages * sizeof *rev);
	assert_non_null(rev);
	for (size_t i = 0; i < nvillages; i++)
		rev[i] = villages[nvillages - 1 - i];
	assert_int_equal(cw_layout_city(rev, nvillages, SEED, &again), 0);
	assert_int_equal(again.ngrids, city.ngrids);
	for (size_t i = 0; i < city.ngrids; i++)
		assert_true(same_ring(&again.grids[i].ring, &city.grids[i].ring));
	cw_layout_free(&again);
	free(rev);

	assert_int_equal(cw_layout_city(villages, nvillages, SEED + 1, &other), 0);
	size_t differ = other.ngrids != city.ngrids;
	for (size_t i = 0; i < city.nareas && i < other.nareas; i++)
		differ += !same_ring(&other.areas[i].ring, &city.areas[i].ring);
	assert_true(differ > 0);
	cw_layout_free(&other);
}

/* A small input of another city: the generic arrangement still tiles. */
static void test_other_input(void **state)
{
	(void)state;
	static const struct cw_layout_village few[] = {
	    {"110101001001", "110101001000", "110101000000", "a"},
	    {"110101001002", "110101001000", "110101000000", "b"},
	    {"110101002201", "110101002000", "110101000000", "c"},
	    {"110102100200", "110102100000", "110102000000", "d"},
	    {"110102100201", "110102100000", "110102000000", "e"},
	};
	struct cw_layout l;
	assert_int_equal(cw_layout_city(few, 5, 7, &l), 0);
	assert_int_equal(l.nareas, 2 + 3 + 5);
	for (size_t i = 0; i < l.nareas; i++)
		check_ring(&l.areas[i].ring);
	for (size_t i = 0; i < l.ngrids; i++)
		check_ring(&l.grids[i].ring);
	assert_true(l.ngrids >= 5 * 2 + 2 * 3);
	cw_layout_free(&l);
}

/* ---- GEOS agrees ---- */

static struct cw_geo *geo_of(const struct cw_layout_ring *r, const char *code)
{
	struct cw_geo *g = NULL;
	struct cw_geo_problem why;
	enum cw_ec ec = cw_geo_from_ring(r->lonlat, r->n, &g, &why);
	if (ec != CW_EC_OK)
		fprintf(stderr, "%s: %s\n", code, why.reason_en);
	assert_int_equal(ec, CW_EC_OK);
	return g;
}

/* Every ring is a valid polygon by GEOS; every grid, village and town lies inside
 * its parent; neighbours do not overlap: each grid and the next (no tolerance at
 * all inside a village, 0.01 m² across), each village or town and the next of
 * its parent, every two districts. */
static void test_geos_valid_inside_no_overlap(void **state)
{
	(void)state;
	struct cw_geo **ga = calloc(city.nareas, sizeof *ga), **gg = calloc(city.ngrids, sizeof *gg);
	assert_non_null(ga);
	assert_non_null(gg);
	for (size_t i = 0; i < city.nareas; i++)
		ga[i] = geo_of(&city.areas[i].ring, city.areas[i].code);
	for (size_t i = 0; i < city.ngrids; i++)
		gg[i] = geo_of(&city.grids[i].ring, city.grids[i].code);
	struct cw_geo_problem why;
	double m2;
	for (size_t i = 0; i < city.nareas; i++) {
		char up[16], next_up[16];
		const char *code = city.areas[i].code;
		if (!cw_region_code_parent(code, up))
			continue;
		if (level_of(up) != CW_LEVEL_CITY) {
			size_t p = (size_t)(area(up) - city.areas);
			if (!cw_geo_inside(ga[i], ga[p], 0.01, &why))
				fail_msg("%s not inside %s: %s", code, up, why.reason_en);
		}
		/* siblings: each against the next (areas come in code order); districts all */
		for (size_t j = i + 1; j < city.nareas; j++) {
			if (!cw_region_code_parent(city.areas[j].code, next_up) || strcmp(up, next_up) != 0)
				break;
			if (cw_geo_overlaps(ga[i], ga[j], 0.01, &m2, &why))
				fail_msg("%s overlaps %s: %s", code, city.areas[j].code, why.reason_en);
			if (level_of(code) != CW_LEVEL_DISTRICT)
				break;
		}
	}
	for (size_t i = 0; i < city.ngrids; i++) {
		size_t v = (size_t)(area(city.grids[i].village) - city.areas);
		if (!cw_geo_inside(gg[i], ga[v], 0.01, &why))
			fail_msg("%s not inside its village: %s", city.grids[i].code, why.reason_en);
		if (i + 1 == city.ngrids)
			break;
		/* the next grid: the neighbour east or south in the same village, or the
		 * first grid of the next village; with no tolerance at all inside a village */
		bool same = strcmp(city.grids[i + 1].village, city.grids[i].village) == 0;
		if (cw_geo_overlaps(gg[i], gg[i + 1], same ? 0 : 0.01, &m2, &why))
			fail_msg("%s overlaps %s: %s", city.grids[i].code, city.grids[i + 1].code,
				 why.reason_en);
	}
	for (size_t i = 0; i < city.nareas; i++)
		cw_geo_free(ga[i]);
	for (size_t i = 0; i < city.ngrids; i++)
		cw_geo_free(gg[i]);
	free(ga);
	free(gg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_areas_cover_the_input),
	    cmocka_unit_test(test_grid_codes),
	    cmocka_unit_test(test_workers),
	    cmocka_unit_test(test_grid_figures),
	    cmocka_unit_test(test_rings_valid),
	    cmocka_unit_test(test_ring_check_catches_bad_rings),
	    cmocka_unit_test(test_tiling_is_exact),
	    cmocka_unit_test(test_points_in_one_grid),
	    cmocka_unit_test(test_numbering_west_east_north_south),
	    cmocka_unit_test(test_district_arrangement),
	    cmocka_unit_test(test_grid_sizes),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_other_input),
	    cmocka_unit_test(test_geos_valid_inside_no_overlap),
	};
	return cmocka_run_group_tests_name("demo_layout", tests, group_setup, group_teardown);
}
