/* geo.h - grid geometry on GEOS: GeoJSON in and out, validation with reasons a
 * person can act on, and the point-to-grid lookup index.
 *
 * Coordinates are WGS84 longitude/latitude (GeoJSON order). Every function is safe
 * to call from any thread: GEOS is used through the reentrant _r API with one
 * context per thread. A struct cw_geo is immutable once made. */
#ifndef CW_GEO_GEO_H
#define CW_GEO_GEO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/error.h"

#define CW_GEO_MAX_VERTICES 100000

struct cw_geo; /* a valid Polygon or MultiPolygon */

/* Why a geometry was refused, in both languages, with the place when known. */
struct cw_geo_problem {
	char reason_zh[256], reason_en[256];
	bool has_location;
	double lon, lat;
	char other[16]; /* the code of the other grid involved (overlaps), or "" */
};

/* Parses a GeoJSON geometry object and checks it: type Polygon or MultiPolygon;
 * coordinates [lon, lat] finite numbers within ±180/±90; every ring closed with at
 * least 4 positions; at most CW_GEO_MAX_VERTICES; valid by GEOS (with its reason
 * and location, e.g. a self-intersection). Returns CW_EC_OK with *out, or
 * CW_EC_INVALID_GEOMETRY with *why filled. */
enum cw_ec cw_geo_parse(const json_t *geometry, struct cw_geo **out, struct cw_geo_problem *why);
/* The same from text. */
enum cw_ec cw_geo_parse_text(const char *text, size_t len, struct cw_geo **out,
			     struct cw_geo_problem *why);
/* A polygon from one closed ring of n (lon, lat) pairs (n includes the closing
 * point); used by the demo generator. Checked like cw_geo_parse. */
enum cw_ec cw_geo_from_ring(const double *lonlat, size_t n, struct cw_geo **out,
			    struct cw_geo_problem *why);
void cw_geo_free(struct cw_geo *g);

/* GeoJSON of the geometry: a new jansson object / compact text (free()). */
json_t *cw_geo_to_json(const struct cw_geo *g);
char *cw_geo_to_text(const struct cw_geo *g);
/* Envelope: min lon, min lat, max lon, max lat. */
void cw_geo_bbox(const struct cw_geo *g, double out[4]);
/* Area in square metres (on a local equirectangular projection; good to ~0.5%). */
double cw_geo_area_m2(const struct cw_geo *g);

/* Is `inner` inside `outer`, allowing it to reach out by at most `tolerance_m2`
 * square metres of area? On false, *why says where it reaches out. */
bool cw_geo_inside(const struct cw_geo *inner, const struct cw_geo *outer, double tolerance_m2,
		   struct cw_geo_problem *why);
/* Do a and b share more than `tolerance_m2` square metres of area? Touching edges
 * are not an overlap. On true, *area_m2 is the shared area and *why says where. */
bool cw_geo_overlaps(const struct cw_geo *a, const struct cw_geo *b, double tolerance_m2,
		     double *area_m2, struct cw_geo_problem *why);

/* ---- the lookup index ---- */

/* Immutable once built; any number of threads may query it at once. */
struct cw_geo_index;

/* Builds an index of n geometries keyed by their codes (copied; the geometries
 * are not kept). NULL only when out of memory. */
struct cw_geo_index *cw_geo_index_build(const char *const *codes, const struct cw_geo *const *geoms,
					size_t n);
/* The code of the geometry that covers the point (interior or boundary); on a
 * shared edge or vertex the smallest code, so the answer never depends on build
 * order; NULL when no geometry covers it. The pointer lives as long as the index. */
const char *cw_geo_index_locate(const struct cw_geo_index *ix, double lon, double lat);
size_t cw_geo_index_count(const struct cw_geo_index *ix);
void cw_geo_index_free(struct cw_geo_index *ix);

/* A holder that swaps in a rebuilt index atomically. Readers never wait for a
 * rebuild: they use whichever index was current when they began; an index
 * replaced by cw_geo_locator_publish() is freed when its last reader is done. */
struct cw_geo_locator;

struct cw_geo_locator *cw_geo_locator_new(void);
/* Takes ownership of ix (may be NULL for "no grids"). Returns once the lookups
 * already running on the old index have finished (each takes about a microsecond)
 * and the old index is freed; build the new index before calling this. */
void cw_geo_locator_publish(struct cw_geo_locator *l, struct cw_geo_index *ix);
/* Looks the point up in the current index; copies the code into out (16 bytes; a
 * longer code is cut to 15 characters). False, with out = "", when no grid covers it. */
bool cw_geo_locator_locate(struct cw_geo_locator *l, double lon, double lat, char out[16]);
void cw_geo_locator_free(struct cw_geo_locator *l);

#endif
