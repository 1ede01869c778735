/* demo_layout.h - synthetic but plausible boundaries for the demo city.
 *
 * No public boundary data for Huaibei's towns or grids is available (see
 * ../shared/data/README.md), so the demo draws its own: the county-level units,
 * towns and villages each get a contiguous area roughly where Huaibei is
 * (lon 116.4-117.1, lat 33.3-34.2), and every village is tiled by its grids
 * without gaps or overlaps. Pure computation, deterministic for a seed. */
#ifndef CW_APP_DEMO_LAYOUT_H
#define CW_APP_DEMO_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* Input: every village with its town and county-level unit (12-digit codes). */
struct cw_layout_village {
	const char *code, *town, *district;
	const char *name;
};

enum cw_grid_kind {
	CW_GRID_COMPREHENSIVE, /* 综合网格 */
	CW_GRID_SCHOOL,        /* 专属网格: 学校 */
	CW_GRID_HOSPITAL,      /* 医院 */
	CW_GRID_PARK,          /* 园区/公园 */
	CW_GRID_ENTERPRISE,    /* 企业 */
	CW_GRID_MARKET,        /* 商圈/市场 */
};

/* One polygon: a closed ring of (lon, lat) pairs, counter-clockwise, the last
 * point equal to the first. */
struct cw_layout_ring {
	double *lonlat; /* 2 * n doubles */
	size_t n;
};

struct cw_layout_region {
	char code[16]; /* 12-digit district/town/village code, or 15-digit grid code */
	struct cw_layout_ring ring;
};

struct cw_layout_grid {
	char code[16];    /* village code + 3-digit sequence, numbered west→east, north→south */
	char village[16];
	struct cw_layout_ring ring;
	enum cw_grid_kind kind;
	int households;   /* 300-500 typical for a comprehensive grid */
	int population;   /* at most about 2,500 */
	int part_timers;  /* part-time workers of the "1+1" model (full-time is always 1) */
};

struct cw_layout {
	struct cw_layout_region *areas; /* districts, towns and villages */
	size_t nareas;
	struct cw_layout_grid *grids;
	size_t ngrids;
};

/* Lays out the city. Returns 0, or -1 on bad input (an empty list, a village
 * whose codes don't nest). About 2,000 grids for Huaibei's 452 villages, with
 * 1 full-time + part-timers totalling about 4,600 workers. */
int cw_layout_city(const struct cw_layout_village *v, size_t n, uint64_t seed,
		   struct cw_layout *out);
void cw_layout_free(struct cw_layout *l);
const char *cw_grid_kind_name(enum cw_grid_kind k); /* "comprehensive", "school", … */
int cw_grid_kind_parse(const char *s);              /* kind or -1 */

#endif
