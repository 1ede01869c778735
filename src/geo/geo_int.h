/* geo_int.h - what geo.c shares with index.c (and the geo unit test): the layout of a
 * struct cw_geo and this thread's GEOS context. Not for use outside src/geo. */
#ifndef CW_GEO_GEO_INT_H
#define CW_GEO_GEO_INT_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "geo/geo.h"

/* A geometry is kept as plain, immutable coordinate arrays rather than a GEOS object,
 * so that any number of threads can read one at once: GEOS does not promise that
 * reading a geometry from two contexts at once is safe (some versions fill caches
 * such as envelopes lazily). GEOS geometries are made from these arrays, in the
 * calling thread's context, for as long as one operation needs them.
 *
 * Polygon p has rings poly_ring[p] .. poly_ring[p + 1] - 1; ring r has the
 * positions ring_pos[r] .. ring_pos[r + 1] - 1, each (xy[2i], xy[2i + 1]) =
 * (lon, lat). The first ring of a polygon is its shell, the others its holes. Every
 * ring is closed (its last position repeats the first). */
struct cw_geo {
	bool multi; /* was a MultiPolygon, so it is written back as one */
	size_t npolys, nrings, npos;
	size_t *poly_ring; /* npolys + 1 */
	size_t *ring_pos;  /* nrings + 1 */
	double *xy;	   /* 2 * npos */
	double bbox[4];	   /* min lon, min lat, max lon, max lat */
};

/* This thread's GEOS context, made on first use and finished when the thread exits;
 * NULL only when GEOS cannot make one (out of memory). */
GEOSContextHandle_t cw_geos(void);
/* The last error GEOS reported on this thread's context ("" if none). */
const char *cw_geos_error(void);
/* A new GEOS Polygon or MultiPolygon of g in context h; NULL on a GEOS error. */
GEOSGeometry *cw_geo_to_geos(GEOSContextHandle_t h, const struct cw_geo *g);

#endif
