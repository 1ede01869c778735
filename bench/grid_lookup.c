/* grid_lookup.c - benchmark of the in-process point-to-grid lookup (src/geo/index.c):
 * lookups per second, one thread, over ~2,000 grids covering Huaibei's bounding box.
 *
 * Build (after the library, e.g. cmake --build build):
 *   cc -O2 -Isrc bench/grid_lookup.c build/libcwlib.a \
 *      $(pkg-config --libs geos jansson libsodium libgcrypt) -lpthread -lm -o build/grid_lookup
 * Run:
 *   build/grid_lookup                 a synthetic city: a jittered lattice of grids
 *                                     filling an ellipse in Huaibei's bounding box
 *   build/grid_lookup grids.geojson   a FeatureCollection (code from properties.code)
 *   build/grid_lookup --geos [file]   also time GEOS's STRtree + prepared geometries
 * Build the library in Release (-DCMAKE_BUILD_TYPE=Release) for figures worth quoting. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/geo_int.h"

#define NPOINTS 2000000
#define LON0 116.4
#define LON1 117.1
#define LAT0 33.3
#define LAT1 34.2
#define CELLS 50 /* per side; the cells inside the ellipse that fills the box: 1,976 grids */
#define SUB 4	 /* each lattice edge is drawn with SUB - 1 points between its ends */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static double rnd(void) /* uniform in [0, 1) */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) * 0x1p-53;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdu;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53u;
	return x ^ (x >> 33);
}

static double hashf(uint64_t a, uint64_t b) /* deterministic in [-0.5, 0.5) */
{
	return (double)(mix(a * 1000003u + b) >> 11) * 0x1p-53 - 0.5;
}

static const double dx = (LON1 - LON0) / CELLS, dy = (LAT1 - LAT0) / CELLS;

/* Lattice node (i, j), jittered inside the box except on its border. */
static void node(int i, int j, double *x, double *y)
{
	*x = LON0 + i * dx;
	*y = LAT0 + j * dy;
	if (i > 0 && i < CELLS)
		*x += 0.3 * dx * hashf((uint64_t)i, (uint64_t)j * 2);
	if (j > 0 && j < CELLS)
		*y += 0.3 * dy * hashf((uint64_t)i, (uint64_t)j * 2 + 1);
}

/* Point k (0..SUB) along the lattice edge from node a to node b, the same for both
 * grids that share the edge (computed from the edge, not the grid). */
static void edge_point(int ai, int aj, int bi, int bj, int k, double *x, double *y)
{
	int swap = (ai > bi) || (ai == bi && aj > bj);
	if (swap) {
		int t = ai;
		ai = bi, bi = t, t = aj, aj = bj, bj = t;
		k = SUB - k;
	}
	double x0, y0, x1, y1;
	node(ai, aj, &x0, &y0);
	node(bi, bj, &x1, &y1);
	double t = (double)k / SUB;
	*x = x0 + (x1 - x0) * t;
	*y = y0 + (y1 - y0) * t;
	if (k > 0 && k < SUB) { /* a small wiggle across the edge */
		double w = 0.04 * hashf((uint64_t)(ai * 100 + aj), (uint64_t)(bi * 100 + bj) * 8 + (uint64_t)k);
		*x += -(y1 - y0) * w;
		*y += (x1 - x0) * w;
	}
}

static struct cw_geo *lattice_cell(int i, int j)
{
	static const int corner[5][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}};
	double ring[2 * (4 * SUB + 1)];
	size_t n = 0;
	for (int c = 0; c < 4; c++)
		for (int k = 0; k < SUB; k++, n++)
			edge_point(i + corner[c][0], j + corner[c][1], i + corner[c + 1][0], j + corner[c + 1][1],
				   k, &ring[2 * n], &ring[2 * n + 1]);
	ring[2 * n] = ring[0];
	ring[2 * n + 1] = ring[1];
	n++;
	struct cw_geo *g;
	struct cw_geo_problem why;
	if (cw_geo_from_ring(ring, n, &g, &why)) {
		fprintf(stderr, "cell %d,%d: %s\n", i, j, why.reason_en);
		exit(1);
	}
	return g;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n + 65536 > cap)
			buf = realloc(buf, cap = 2 * cap + 65536);
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

static size_t load_file(const char *path, char ***codes, struct cw_geo ***geoms)
{
	size_t len;
	char *text = slurp(path, &len);
	json_error_t err;
	json_t *fc = text ? json_loadb(text, len, 0, &err) : NULL;
	free(text);
	json_t *features = json_object_get(fc, "features");
	if (!json_is_array(features)) {
		fprintf(stderr, "%s: not a GeoJSON FeatureCollection\n", path);
		exit(1);
	}
	size_t n = 0, cap = json_array_size(features);
	*codes = calloc(cap, sizeof **codes);
	*geoms = calloc(cap, sizeof **geoms);
	for (size_t i = 0; i < cap; i++) {
		json_t *f = json_array_get(features, i);
		struct cw_geo_problem why;
		struct cw_geo *g;
		if (cw_geo_parse(json_object_get(f, "geometry"), &g, &why)) {
			fprintf(stderr, "feature %zu: %s (skipped)\n", i, why.reason_en);
			continue;
		}
		const char *code = json_string_value(json_object_get(json_object_get(f, "properties"), "code"));
		char fallback[32];
		snprintf(fallback, sizeof fallback, "%015zu", i);
		(*codes)[n] = strdup(code ? code : fallback);
		(*geoms)[n++] = g;
	}
	json_decref(fc);
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- GEOS STRtree + prepared geometries, for comparison ---- */

struct geos_q {
	GEOSContextHandle_t h;
	const GEOSPreparedGeometry **prep;
	const GEOSGeometry *pt;
	size_t best;
};

static void geos_visit(void *item, void *userdata)
{
	struct geos_q *q = userdata;
	size_t i = (size_t)(uintptr_t)item;
	if (i < q->best && GEOSPreparedCovers_r(q->h, q->prep[i], q->pt) == 1)
		q->best = i;
}

static void bench_geos(struct cw_geo **geoms, size_t n, const double *pts, const char *label)
{
	GEOSContextHandle_t h = GEOS_init_r();
	GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
	GEOSGeometry **gg = calloc(n, sizeof *gg);
	const GEOSPreparedGeometry **prep = calloc(n, sizeof *prep);
	for (size_t i = 0; i < n; i++) {
		gg[i] = cw_geo_to_geos(h, geoms[i]);
		prep[i] = GEOSPrepare_r(h, gg[i]);
		GEOSSTRtree_insert_r(h, tree, gg[i], (void *)(uintptr_t)i);
	}
	struct geos_q q = {h, prep, NULL, SIZE_MAX};
	size_t hits = 0;
	double t0 = now();
	for (size_t k = 0; k < NPOINTS; k++) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, pts[2 * k], pts[2 * k + 1]);
		q.pt = pt;
		q.best = SIZE_MAX;
		GEOSSTRtree_query_r(h, tree, pt, geos_visit, &q);
		hits += q.best != SIZE_MAX;
		GEOSGeom_destroy_r(h, pt);
	}
	double t = now() - t0;
	printf("GEOS STRtree+prepared, %-14s %10.0f lookups/s (%zu of %d found)\n", label, NPOINTS / t, hits,
	       NPOINTS);
	GEOSSTRtree_destroy_r(h, tree);
	for (size_t i = 0; i < n; i++) {
		GEOSPreparedGeom_destroy_r(h, prep[i]);
		GEOSGeom_destroy_r(h, gg[i]);
	}
	free(prep);
	free(gg);
	GEOS_finish_r(h);
}

static void bench_index(const struct cw_geo_index *ix, struct cw_geo_locator *loc, const double *pts,
			const char *label)
{
	size_t hits = 0;
	double t0 = now();
	for (size_t k = 0; k < NPOINTS; k++)
		hits += cw_geo_index_locate(ix, pts[2 * k], pts[2 * k + 1]) != NULL;
	double t = now() - t0;
	printf("index,                 %-14s %10.0f lookups/s (%zu of %d found)\n", label, NPOINTS / t,
	       hits, NPOINTS);
	char code[16];
	hits = 0;
	t0 = now();
	for (size_t k = 0; k < NPOINTS; k++)
		hits += cw_geo_locator_locate(loc, pts[2 * k], pts[2 * k + 1], code);
	t = now() - t0;
	printf("locator,               %-14s %10.0f lookups/s (%zu of %d found)\n", label, NPOINTS / t,
	       hits, NPOINTS);
}

int main(int argc, char **argv)
{
	int geos = 0;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--geos"))
			geos = 1;
		else
			file = argv[i];
	}
	char **codes;
	struct cw_geo **geoms;
	size_t n;
	double bb[4] = {LON0, LAT0, LON1, LAT1};
	if (file) {
		n = load_file(file, &codes, &geoms);
		if (!n) {
			fprintf(stderr, "%s: no grids\n", file);
			return 1;
		}
		cw_geo_bbox(geoms[0], bb);
		for (size_t i = 1; i < n; i++) {
			double b[4];
			cw_geo_bbox(geoms[i], b);
			bb[0] = fmin(bb[0], b[0]), bb[1] = fmin(bb[1], b[1]);
			bb[2] = fmax(bb[2], b[2]), bb[3] = fmax(bb[3], b[3]);
		}
	} else {
		n = 0;
		codes = calloc(CELLS * CELLS, sizeof *codes);
		geoms = calloc(CELLS * CELLS, sizeof *geoms);
		for (int j = 0; j < CELLS; j++)
			for (int i = 0; i < CELLS; i++) {
				double u = (i + 0.5) / CELLS - 0.5, v = (j + 0.5) / CELLS - 0.5;
				if (u * u + v * v > 0.25)
					continue;
				codes[n] = malloc(16);
				snprintf(codes[n], 16, "3406%08d%03d", j * CELLS + i, 1 + i % 10);
				geoms[n++] = lattice_cell(i, j);
			}
	}
	size_t nvert = 0;
	for (size_t i = 0; i < n; i++)
		nvert += geoms[i]->npos;

	double t0 = now();
	struct cw_geo_index *ix = cw_geo_index_build((const char *const *)codes,
						     (const struct cw_geo *const *)geoms, n);
	double tb = now() - t0;
	struct cw_geo_locator *loc = cw_geo_locator_new();
	cw_geo_locator_publish(loc, cw_geo_index_build((const char *const *)codes,
						       (const struct cw_geo *const *)geoms, n));
	printf("%zu grids, %zu vertices; index built in %.1f ms\n", n, nvert, tb * 1e3);

	/* Points are made before timing, so the figures are the lookups alone. */
	double *random_pts = malloc(2 * NPOINTS * sizeof *random_pts);
	double *inside_pts = malloc(2 * NPOINTS * sizeof *inside_pts);
	for (size_t k = 0; k < NPOINTS; k++) {
		random_pts[2 * k] = bb[0] + (bb[2] - bb[0]) * rnd();
		random_pts[2 * k + 1] = bb[1] + (bb[3] - bb[1]) * rnd();
	}
	for (size_t k = 0; k < NPOINTS; k++) {
		/* A point inside a grid: random points of the bbox, drawn again until
		 * one falls in a grid. */
		double x = bb[0] + (bb[2] - bb[0]) * rnd(), y = bb[1] + (bb[3] - bb[1]) * rnd();
		for (int tries = 0; tries < 100 && !cw_geo_index_locate(ix, x, y); tries++) {
			x = bb[0] + (bb[2] - bb[0]) * rnd();
			y = bb[1] + (bb[3] - bb[1]) * rnd();
		}
		inside_pts[2 * k] = x;
		inside_pts[2 * k + 1] = y;
	}
	bench_index(ix, loc, random_pts, "random points");
	bench_index(ix, loc, inside_pts, "inside points");
	if (geos) {
		bench_geos(geoms, n, random_pts, "random points");
		bench_geos(geoms, n, inside_pts, "inside points");
	}

	cw_geo_locator_free(loc);
	cw_geo_index_free(ix);
	for (size_t i = 0; i < n; i++) {
		cw_geo_free(geoms[i]);
		free(codes[i]);
	}
	free(geoms);
	free(codes);
	free(random_pts);
	free(inside_pts);
	return 0;
}
