/* geo.c - grid boundaries: GeoJSON Polygon/MultiPolygon in and out, validation with
 * reasons a person can act on (in Chinese and English), area, containment and overlap. */
#include "geo/geo_int.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"

/* Mean Earth radius (IUGG), metres. */
#define CW_EARTH_R 6371008.8
#define CW_DEG (3.14159265358979323846 / 180.0)

/* ---- this thread's GEOS context ---- */

struct geos_tls {
	GEOSContextHandle_t h;
	char err[256];
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *p)
{
	struct geos_tls *t = p;
	GEOS_finish_r(t->h);
	free(t);
}

static void tls_init(void)
{
	if (pthread_key_create(&tls_key, tls_free) != 0)
		abort(); /* only when the process is out of keys: a bug, not input */
}

/* GEOS reports errors (and notices) through these rather than printing them; the
 * last error is kept so that a refusal can say what GEOS said. */
static void on_error(const char *msg, void *userdata)
{
	struct geos_tls *t = userdata;
	snprintf(t->err, sizeof t->err, "%s", msg ? msg : "");
}

static void on_notice(const char *msg, void *userdata)
{
	(void)msg;
	(void)userdata;
}

static struct geos_tls *tls(void)
{
	pthread_once(&tls_once, tls_init);
	struct geos_tls *t = pthread_getspecific(tls_key);
	if (t)
		return t;
	t = cw_xcalloc(1, sizeof *t);
	t->h = GEOS_init_r();
	if (!t->h) {
		free(t);
		return NULL;
	}
	GEOSContext_setErrorMessageHandler_r(t->h, on_error, t);
	GEOSContext_setNoticeMessageHandler_r(t->h, on_notice, t);
	if (pthread_setspecific(tls_key, t) != 0) {
		tls_free(t);
		return NULL;
	}
	return t;
}

GEOSContextHandle_t cw_geos(void)
{
	struct geos_tls *t = tls();
	if (!t)
		return NULL;
	t->err[0] = 0;
	return t->h;
}

const char *cw_geos_error(void)
{
	pthread_once(&tls_once, tls_init);
	struct geos_tls *t = pthread_getspecific(tls_key);
	return t && t->err[0] ? t->err : "";
}

/* ---- problems ---- */

/* Cuts s back so that it does not end inside a UTF-8 sequence (after truncation). */
static void utf8_trim(char *s)
{
	size_t n = strlen(s);
	size_t i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < want)
		s[i - 1] = 0;
}

static void vsay(char *dst, size_t cap, const char *fmt, va_list ap)
{
	int n = vsnprintf(dst, cap, fmt, ap);
	if (n >= (int)cap)
		utf8_trim(dst);
}

__attribute__((format(printf, 2, 3))) static void zh(struct cw_geo_problem *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(why->reason_zh, sizeof why->reason_zh, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void en(struct cw_geo_problem *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(why->reason_en, sizeof why->reason_en, fmt, ap);
	va_end(ap);
}

static void at(struct cw_geo_problem *why, double lon, double lat)
{
	why->has_location = true;
	why->lon = lon;
	why->lat = lat;
}

/* Where in the input something is, 1-based, the way a person counts: "polygon 2,
 * ring 1" (only "ring 1" for a Polygon, which has one polygon). */
struct where {
	bool multi;
	size_t poly, ring;
};

static const char *where_en(const struct where *w, char *b, size_t n)
{
	if (w->multi)
		snprintf(b, n, "polygon %zu, ring %zu", w->poly, w->ring);
	else
		snprintf(b, n, "ring %zu", w->ring);
	return b;
}

static const char *where_zh(const struct where *w, char *b, size_t n)
{
	if (w->multi)
		snprintf(b, n, "第 %zu 个多边形的第 %zu 个环", w->poly, w->ring);
	else
		snprintf(b, n, "第 %zu 个环", w->ring);
	return b;
}

/* ---- GEOS geometries from ours ---- */

static void destroy_all(GEOSContextHandle_t h, GEOSGeometry **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i])
			GEOSGeom_destroy_r(h, v[i]);
}

static GEOSGeometry *ring_to_geos(GEOSContextHandle_t h, const struct cw_geo *g, size_t r)
{
	size_t first = g->ring_pos[r], n = g->ring_pos[r + 1] - first;
	GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, g->xy + 2 * first, (unsigned)n, 0, 0);
	if (!seq)
		return NULL;
	return GEOSGeom_createLinearRing_r(h, seq); /* owns seq, even on failure */
}

static GEOSGeometry *poly_to_geos(GEOSContextHandle_t h, const struct cw_geo *g, size_t p)
{
	size_t r0 = g->poly_ring[p], nr = g->poly_ring[p + 1] - r0;
	GEOSGeometry **rings = cw_xcalloc(nr, sizeof *rings);
	GEOSGeometry *poly = NULL;
	for (size_t i = 0; i < nr; i++)
		if (!(rings[i] = ring_to_geos(h, g, r0 + i)))
			goto out;
	poly = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)(nr - 1));
	if (poly)
		memset(rings, 0, nr * sizeof *rings); /* the polygon owns them now */
out:
	destroy_all(h, rings, nr);
	free(rings);
	return poly;
}

GEOSGeometry *cw_geo_to_geos(GEOSContextHandle_t h, const struct cw_geo *g)
{
	if (!g->multi)
		return poly_to_geos(h, g, 0);
	GEOSGeometry **polys = cw_xcalloc(g->npolys, sizeof *polys);
	GEOSGeometry *multi = NULL;
	for (size_t p = 0; p < g->npolys; p++)
		if (!(polys[p] = poly_to_geos(h, g, p)))
			goto out;
	multi = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)g->npolys);
	if (multi)
		memset(polys, 0, g->npolys * sizeof *polys);
out:
	destroy_all(h, polys, g->npolys);
	free(polys);
	return multi;
}

/* ---- parsing ---- */

void cw_geo_free(struct cw_geo *g)
{
	if (!g)
		return;
	free(g->poly_ring);
	free(g->ring_pos);
	free(g->xy);
	free(g);
}

static struct cw_geo *geo_alloc(bool multi, size_t npolys, size_t nrings, size_t npos)
{
	struct cw_geo *g = cw_xcalloc(1, sizeof *g);
	g->multi = multi;
	g->npolys = npolys;
	g->nrings = nrings;
	g->npos = npos;
	g->poly_ring = cw_xcalloc(npolys + 1, sizeof *g->poly_ring);
	g->ring_pos = cw_xcalloc(nrings + 1, sizeof *g->ring_pos);
	g->xy = cw_xcalloc(2 * npos, sizeof *g->xy);
	return g;
}

/* The GEOS validity reasons (IsValidOp) in words a person can act on. */
static const struct {
	const char *geos, *zh, *en;
} validity_words[] = {
	{"Self-intersection", "自相交", "Self-intersection"},
	{"Ring Self-intersection", "环自相交（环在一点上与自身接触）",
	 "Ring self-intersection (a ring touches itself)"},
	{"Hole lies outside shell", "洞（内环）在外环之外", "A hole lies outside its outer ring"},
	{"Holes are nested", "一个洞（内环）在另一个洞之内", "A hole lies inside another hole"},
	{"Interior is disconnected", "内部不连通（洞把多边形分成了几块）",
	 "The interior is disconnected (holes cut the polygon in pieces)"},
	{"Nested shells", "一个多边形在另一个多边形之内", "One polygon lies inside another"},
	{"Duplicate Rings", "有两个相同的环", "Two rings are the same"},
	{"Too few points in geometry component", "环的不同点太少（退化成线或点）",
	 "A ring has too few distinct points (it collapses to a line or a point)"},
	{"Too few distinct points in geometry component", "环的不同点太少（退化成线或点）",
	 "A ring has too few distinct points (it collapses to a line or a point)"},
	{"Invalid Coordinate", "坐标无效", "Invalid coordinate"},
	{"Ring is not closed", "环未闭合", "A ring is not closed"},
};

static void geos_failed(struct cw_geo_problem *why, const char *what_zh, const char *what_en)
{
	const char *msg = cw_geos_error();
	zh(why, "%s失败（GEOS：%s）", what_zh, *msg ? msg : "未知错误");
	en(why, "%s failed (GEOS: %s)", what_en, *msg ? msg : "unknown error");
}

static void compute_bbox(struct cw_geo *g)
{
	double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
	for (size_t i = 0; i < g->npos; i++) {
		double x = g->xy[2 * i], y = g->xy[2 * i + 1];
		b[0] = fmin(b[0], x);
		b[1] = fmin(b[1], y);
		b[2] = fmax(b[2], x);
		b[3] = fmax(b[3], y);
	}
	memcpy(g->bbox, b, sizeof b);
}

/* The last step of every parse: GEOS validity, with the reason and the place. */
static enum cw_ec finish(struct cw_geo *g, struct cw_geo **out, struct cw_geo_problem *why)
{
	compute_bbox(g);
	GEOSContextHandle_t h = cw_geos();
	GEOSGeometry *gg = h ? cw_geo_to_geos(h, g) : NULL;
	if (!gg) {
		geos_failed(why, "构造几何", "building the geometry");
		cw_geo_free(g);
		return CW_EC_INVALID_GEOMETRY;
	}
	char *reason = NULL;
	GEOSGeometry *loc = NULL;
	char valid = GEOSisValidDetail_r(h, gg, 0, &reason, &loc);
	enum cw_ec ec = CW_EC_OK;
	if (valid != 1) {
		ec = CW_EC_INVALID_GEOMETRY;
		double x = 0, y = 0;
		bool has = loc && GEOSGeomGetX_r(h, loc, &x) == 1 && GEOSGeomGetY_r(h, loc, &y) == 1 &&
			   isfinite(x) && isfinite(y);
		if (valid != 0 || !reason) {
			geos_failed(why, "检查几何有效性", "checking validity");
		} else {
			const char *wzh = NULL, *wen = NULL;
			for (size_t i = 0; i < sizeof validity_words / sizeof *validity_words; i++)
				if (!strcmp(reason, validity_words[i].geos)) {
					wzh = validity_words[i].zh;
					wen = validity_words[i].en;
				}
			char gen_zh[160], gen_en[160];
			if (!wzh) {
				snprintf(gen_zh, sizeof gen_zh, "几何无效（%.100s）", reason);
				snprintf(gen_en, sizeof gen_en, "Invalid geometry (%.100s)", reason);
				wzh = gen_zh;
				wen = gen_en;
			}
			if (has) {
				zh(why, "%s，位置 %.9g, %.9g", wzh, x, y);
				en(why, "%s at %.9g, %.9g", wen, x, y);
				at(why, x, y);
			} else {
				zh(why, "%s", wzh);
				en(why, "%s", wen);
			}
		}
	}
	if (reason)
		GEOSFree_r(h, reason);
	if (loc)
		GEOSGeom_destroy_r(h, loc);
	GEOSGeom_destroy_r(h, gg);
	if (ec != CW_EC_OK) {
		cw_geo_free(g);
		return ec;
	}
	*out = g;
	return CW_EC_OK;
}

static bool bad_lon(double x)
{
	return !(isfinite(x) && x >= -180.0 && x <= 180.0);
}

static bool bad_lat(double y)
{
	return !(isfinite(y) && y >= -90.0 && y <= 90.0);
}

/* The polygon p (0-based) of the coordinates: the whole array for a Polygon. */
static json_t *poly_at(json_t *coords, bool multi, size_t p)
{
	return multi ? json_array_get(coords, p) : coords;
}

/* Checks the shape of the coordinates and counts rings and positions; fills *why
 * and returns false on the first thing wrong. */
static bool check_coords(json_t *coords, bool multi, size_t *nrings_out, size_t *npos_out,
			 struct cw_geo_problem *why)
{
	size_t npolys = multi ? json_array_size(coords) : 1;
	size_t nrings = 0, npos = 0;
	char wz[128], we[128];
	if (npolys == 0) {
		zh(why, "MultiPolygon 中没有多边形");
		en(why, "the MultiPolygon has no polygons");
		return false;
	}
	for (size_t p = 0; p < npolys; p++) {
		json_t *poly = poly_at(coords, multi, p);
		if (!json_is_array(poly)) {
			zh(why, "第 %zu 个多边形不是由环组成的数组", p + 1);
			en(why, "polygon %zu is not an array of rings", p + 1);
			return false;
		}
		if (json_array_size(poly) == 0) {
			if (multi) {
				zh(why, "第 %zu 个多边形是空的（没有任何环）", p + 1);
				en(why, "polygon %zu is empty (it has no rings)", p + 1);
			} else {
				zh(why, "多边形是空的（没有任何环）");
				en(why, "the polygon is empty (it has no rings)");
			}
			return false;
		}
		for (size_t r = 0; r < json_array_size(poly); r++) {
			struct where w = {multi, p + 1, r + 1};
			where_zh(&w, wz, sizeof wz);
			where_en(&w, we, sizeof we);
			json_t *ring = json_array_get(poly, r);
			if (!json_is_array(ring)) {
				zh(why, "%s不是由点（[经度, 纬度]）组成的数组", wz);
				en(why, "%s is not an array of [lon, lat] positions", we);
				return false;
			}
			size_t n = json_array_size(ring);
			if (n < 4) {
				zh(why, "%s只有 %zu 个点；一个环至少需要 4 个点（最后一个点与第一个点相同）", wz, n);
				en(why, "%s has %zu positions; a ring needs at least 4 (the last repeating the first)",
				   we, n);
				return false;
			}
			if (n > CW_GEO_MAX_VERTICES - npos) {
				zh(why, "边界的点超过 %d 个", CW_GEO_MAX_VERTICES);
				en(why, "the boundary has more than %d positions", CW_GEO_MAX_VERTICES);
				return false;
			}
			for (size_t i = 0; i < n; i++) {
				json_t *pos = json_array_get(ring, i);
				size_t k = json_array_size(pos);
				bool numbers = json_is_array(pos) && k >= 2 && k <= 4;
				for (size_t j = 0; numbers && j < k; j++)
					numbers = json_is_number(json_array_get(pos, j));
				if (!numbers) {
					zh(why, "%s的第 %zu 个点不是 [经度, 纬度] 数字对", wz, i + 1);
					en(why, "position %zu of %s is not a [lon, lat] pair of numbers", i + 1, we);
					return false;
				}
				double x = json_number_value(json_array_get(pos, 0));
				double y = json_number_value(json_array_get(pos, 1));
				if (bad_lon(x)) {
					zh(why, "%s的第 %zu 个点经度 %g 超出范围（-180 至 180）", wz, i + 1, x);
					en(why, "position %zu of %s has longitude %g, outside -180..180", i + 1, we, x);
					return false;
				}
				if (bad_lat(y)) {
					zh(why, "%s的第 %zu 个点纬度 %g 超出范围（-90 至 90）", wz, i + 1, y);
					en(why, "position %zu of %s has latitude %g, outside -90..90", i + 1, we, y);
					return false;
				}
			}
			json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, n - 1);
			double x0 = json_number_value(json_array_get(first, 0));
			double y0 = json_number_value(json_array_get(first, 1));
			if (x0 != json_number_value(json_array_get(last, 0)) ||
			    y0 != json_number_value(json_array_get(last, 1))) {
				zh(why, "%s未闭合：最后一个点必须与第一个点 (%.9g, %.9g) 相同", wz, x0, y0);
				en(why, "%s is not closed: its last position must repeat the first (%.9g, %.9g)", we,
				   x0, y0);
				at(why, x0, y0);
				return false;
			}
			nrings++;
			npos += n;
		}
	}
	*nrings_out = nrings;
	*npos_out = npos;
	return true;
}

enum cw_ec cw_geo_parse(const json_t *geometry, struct cw_geo **out, struct cw_geo_problem *why)
{
	struct cw_geo_problem scratch;
	if (!why)
		why = &scratch;
	memset(why, 0, sizeof *why);
	*out = NULL;
	json_t *obj = (json_t *)geometry; /* jansson's getters are not const-correct */
	if (!json_is_object(obj)) {
		zh(why, "边界必须是 GeoJSON 几何对象（JSON 对象）");
		en(why, "the boundary must be a GeoJSON geometry (a JSON object)");
		return CW_EC_INVALID_GEOMETRY;
	}
	const char *type = json_string_value(json_object_get(obj, "type"));
	if (!type) {
		zh(why, "几何缺少 \"type\"（应为 Polygon 或 MultiPolygon）");
		en(why, "the geometry has no \"type\" (Polygon or MultiPolygon)");
		return CW_EC_INVALID_GEOMETRY;
	}
	bool multi = !strcmp(type, "MultiPolygon");
	if (!multi && strcmp(type, "Polygon")) {
		static const char *const known[] = {"Point",	     "MultiPoint",	   "LineString",
						    "MultiLineString", "GeometryCollection", "Feature",
						    "FeatureCollection"};
		const char *name = NULL;
		for (size_t i = 0; i < sizeof known / sizeof *known; i++)
			if (!strcmp(type, known[i]))
				name = known[i];
		if (name && !strncmp(name, "Feature", 7)) {
			zh(why, "收到的是 %s；边界应为其中的 \"geometry\"（Polygon 或 MultiPolygon）", name);
			en(why, "this is a %s; send its \"geometry\" (a Polygon or MultiPolygon)", name);
		} else if (name) {
			zh(why, "几何类型 %s 不能作为边界：边界必须是 Polygon 或 MultiPolygon", name);
			en(why, "geometry type %s cannot be a boundary: it must be a Polygon or MultiPolygon",
			   name);
		} else {
			zh(why, "未知的几何类型：边界必须是 Polygon 或 MultiPolygon");
			en(why, "unknown geometry type: a boundary must be a Polygon or MultiPolygon");
		}
		return CW_EC_INVALID_GEOMETRY;
	}
	json_t *coords = json_object_get(obj, "coordinates");
	if (!json_is_array(coords)) {
		zh(why, "几何缺少 \"coordinates\" 数组");
		en(why, "the geometry has no \"coordinates\" array");
		return CW_EC_INVALID_GEOMETRY;
	}
	size_t nrings = 0, npos = 0;
	if (!check_coords(coords, multi, &nrings, &npos, why))
		return CW_EC_INVALID_GEOMETRY;

	size_t npolys = multi ? json_array_size(coords) : 1;
	struct cw_geo *g = geo_alloc(multi, npolys, nrings, npos);
	size_t r = 0, i = 0;
	for (size_t p = 0; p < npolys; p++) {
		json_t *poly = poly_at(coords, multi, p);
		g->poly_ring[p] = r;
		for (size_t k = 0; k < json_array_size(poly); k++, r++) {
			json_t *ring = json_array_get(poly, k);
			g->ring_pos[r] = i;
			for (size_t j = 0; j < json_array_size(ring); j++, i++) {
				json_t *pos = json_array_get(ring, j);
				g->xy[2 * i] = json_number_value(json_array_get(pos, 0));
				g->xy[2 * i + 1] = json_number_value(json_array_get(pos, 1));
			}
		}
	}
	g->poly_ring[npolys] = r;
	g->ring_pos[r] = i;
	return finish(g, out, why);
}

enum cw_ec cw_geo_parse_text(const char *text, size_t len, struct cw_geo **out,
			     struct cw_geo_problem *why)
{
	struct cw_geo_problem scratch;
	if (!why)
		why = &scratch;
	memset(why, 0, sizeof *why);
	*out = NULL;
	json_error_t err;
	json_t *j = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err) : NULL;
	if (!j) {
		int line = text ? err.line : 0, col = text ? err.column : 0;
		zh(why, "不是有效的 JSON（第 %d 行第 %d 列）", line, col);
		en(why, "not valid JSON (line %d, column %d): %.120s", line, col, text ? err.text : "no text");
		return CW_EC_INVALID_GEOMETRY;
	}
	enum cw_ec ec = cw_geo_parse(j, out, why);
	json_decref(j);
	return ec;
}

enum cw_ec cw_geo_from_ring(const double *lonlat, size_t n, struct cw_geo **out,
			    struct cw_geo_problem *why)
{
	struct cw_geo_problem scratch;
	if (!why)
		why = &scratch;
	memset(why, 0, sizeof *why);
	*out = NULL;
	if (!lonlat || n < 4) {
		zh(why, "环只有 %zu 个点；一个环至少需要 4 个点（最后一个点与第一个点相同）", lonlat ? n : 0);
		en(why, "the ring has %zu positions; a ring needs at least 4 (the last repeating the first)",
		   lonlat ? n : 0);
		return CW_EC_INVALID_GEOMETRY;
	}
	if (n > CW_GEO_MAX_VERTICES) {
		zh(why, "边界的点超过 %d 个", CW_GEO_MAX_VERTICES);
		en(why, "the boundary has more than %d positions", CW_GEO_MAX_VERTICES);
		return CW_EC_INVALID_GEOMETRY;
	}
	for (size_t i = 0; i < n; i++) {
		double x = lonlat[2 * i], y = lonlat[2 * i + 1];
		if (bad_lon(x) || bad_lat(y)) {
			zh(why, "第 %zu 个点 (%g, %g) 超出经纬度范围", i + 1, x, y);
			en(why, "position %zu (%g, %g) is outside -180..180, -90..90", i + 1, x, y);
			return CW_EC_INVALID_GEOMETRY;
		}
	}
	if (lonlat[0] != lonlat[2 * (n - 1)] || lonlat[1] != lonlat[2 * (n - 1) + 1]) {
		zh(why, "环未闭合：最后一个点必须与第一个点 (%.9g, %.9g) 相同", lonlat[0], lonlat[1]);
		en(why, "the ring is not closed: its last position must repeat the first (%.9g, %.9g)",
		   lonlat[0], lonlat[1]);
		at(why, lonlat[0], lonlat[1]);
		return CW_EC_INVALID_GEOMETRY;
	}
	struct cw_geo *g = geo_alloc(false, 1, 1, n);
	g->poly_ring[1] = 1;
	g->ring_pos[1] = n;
	memcpy(g->xy, lonlat, 2 * n * sizeof *lonlat);
	return finish(g, out, why);
}

/* ---- writing back ---- */

json_t *cw_geo_to_json(const struct cw_geo *g)
{
	json_t *polys = json_array();
	for (size_t p = 0; p < g->npolys; p++) {
		json_t *poly = json_array();
		for (size_t r = g->poly_ring[p]; r < g->poly_ring[p + 1]; r++) {
			json_t *ring = json_array();
			for (size_t i = g->ring_pos[r]; i < g->ring_pos[r + 1]; i++) {
				json_t *pos = json_array();
				json_array_append_new(pos, json_real(g->xy[2 * i]));
				json_array_append_new(pos, json_real(g->xy[2 * i + 1]));
				json_array_append_new(ring, pos);
			}
			json_array_append_new(poly, ring);
		}
		json_array_append_new(polys, poly);
	}
	json_t *coords = polys;
	if (!g->multi) {
		coords = json_incref(json_array_get(polys, 0));
		json_decref(polys);
	}
	json_t *obj = json_object();
	json_object_set_new(obj, "type", json_string(g->multi ? "MultiPolygon" : "Polygon"));
	json_object_set_new(obj, "coordinates", coords);
	return obj;
}

/* The shortest of 15, 16 or 17 significant digits that reads back as the same double:
 * short for coordinates typed by people, exact for computed ones (so a vertex two
 * grids share stays shared after a round trip). */
static void put_number(struct cw_buf *b, double v)
{
	char s[32];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	cw_buf_puts(b, s);
}

char *cw_geo_to_text(const struct cw_geo *g)
{
	struct cw_buf b = {0};
	cw_buf_printf(&b, "{\"type\":\"%s\",\"coordinates\":", g->multi ? "MultiPolygon" : "Polygon");
	if (g->multi)
		cw_buf_putc(&b, '[');
	for (size_t p = 0; p < g->npolys; p++) {
		cw_buf_puts(&b, p ? ",[" : "[");
		for (size_t r = g->poly_ring[p]; r < g->poly_ring[p + 1]; r++) {
			cw_buf_puts(&b, r > g->poly_ring[p] ? ",[" : "[");
			for (size_t i = g->ring_pos[r]; i < g->ring_pos[r + 1]; i++) {
				cw_buf_puts(&b, i > g->ring_pos[r] ? ",[" : "[");
				put_number(&b, g->xy[2 * i]);
				cw_buf_putc(&b, ',');
				put_number(&b, g->xy[2 * i + 1]);
				cw_buf_putc(&b, ']');
			}
			cw_buf_putc(&b, ']');
		}
		cw_buf_putc(&b, ']');
	}
	if (g->multi)
		cw_buf_putc(&b, ']');
	cw_buf_putc(&b, '}');
	return b.data;
}

void cw_geo_bbox(const struct cw_geo *g, double out[4])
{
	memcpy(out, g->bbox, sizeof g->bbox);
}

/* ---- measures ---- */

/* Square degrees to square metres at latitude lat0 (a local equirectangular
 * projection: x scaled by cos(lat0)). */
static double deg2_to_m2(double area_deg2, double lat0)
{
	double k = CW_EARTH_R * CW_DEG;
	return area_deg2 * k * k * cos(lat0 * CW_DEG);
}

double cw_geo_area_m2(const struct cw_geo *g)
{
	/* Shoelace on coordinates taken relative to each ring's first point (less
	 * cancellation); the centroid's latitude weights each ring by its area. */
	double area = 0, moment_y = 0;
	for (size_t p = 0; p < g->npolys; p++) {
		for (size_t r = g->poly_ring[p]; r < g->poly_ring[p + 1]; r++) {
			size_t first = g->ring_pos[r], last = g->ring_pos[r + 1] - 1;
			double x0 = g->xy[2 * first], y0 = g->xy[2 * first + 1];
			double a2 = 0, cy6 = 0;
			for (size_t i = first; i < last; i++) {
				double xa = g->xy[2 * i] - x0, ya = g->xy[2 * i + 1] - y0;
				double xb = g->xy[2 * i + 2] - x0, yb = g->xy[2 * i + 3] - y0;
				double cross = xa * yb - xb * ya;
				a2 += cross;
				cy6 += (ya + yb) * cross;
			}
			if (a2 == 0)
				continue;
			double ring_area = fabs(a2) / 2, ring_cy = y0 + cy6 / (3 * a2);
			double sign = r == g->poly_ring[p] ? 1.0 : -1.0; /* holes take area away */
			area += sign * ring_area;
			moment_y += sign * ring_area * ring_cy;
		}
	}
	if (area <= 0)
		return 0;
	return deg2_to_m2(area, moment_y / area);
}

/* Area in m² of a GEOS geometry, projected around its own centroid. */
static bool geos_area_m2(GEOSContextHandle_t h, const GEOSGeometry *gg, double *m2)
{
	double a = 0, lat0 = 0;
	if (GEOSisEmpty_r(h, gg) == 1) {
		*m2 = 0;
		return true;
	}
	if (GEOSArea_r(h, gg, &a) != 1)
		return false;
	GEOSGeometry *c = GEOSGetCentroid_r(h, gg);
	if (!c)
		return false;
	bool ok = GEOSisEmpty_r(h, c) == 1 || GEOSGeomGetY_r(h, c, &lat0) == 1;
	GEOSGeom_destroy_r(h, c);
	*m2 = ok ? deg2_to_m2(a, lat0) : 0;
	return ok;
}

/* "0.4" or "1234": an area as a person would say it. */
static void fmt_area(double m2, char *b, size_t n)
{
	snprintf(b, n, m2 < 10 ? "%.1f" : "%.0f", m2);
}

static bool point_on(GEOSContextHandle_t h, const GEOSGeometry *gg, double *x, double *y)
{
	GEOSGeometry *pt = GEOSPointOnSurface_r(h, gg);
	if (!pt)
		return false;
	bool ok = GEOSisEmpty_r(h, pt) == 0 && GEOSGeomGetX_r(h, pt, x) == 1 &&
		  GEOSGeomGetY_r(h, pt, y) == 1;
	GEOSGeom_destroy_r(h, pt);
	return ok;
}

/* Which overlay: a \ b or a ∩ b. */
enum overlay { DIFFERENCE, INTERSECTION };

/* The area of a \ b or a ∩ b in m², and a point on it when that area exceeds
 * tolerance. Returns false (with why) when GEOS could not compute it. */
static bool overlay_area(const struct cw_geo *a, const struct cw_geo *b, enum overlay op, double tol,
			 double *m2, bool *has_pt, double *x, double *y, struct cw_geo_problem *why)
{
	*m2 = 0;
	*has_pt = false;
	GEOSContextHandle_t h = cw_geos();
	GEOSGeometry *ga = h ? cw_geo_to_geos(h, a) : NULL;
	GEOSGeometry *gb = ga ? cw_geo_to_geos(h, b) : NULL;
	GEOSGeometry *res = NULL;
	bool ok = false;
	if (gb)
		res = op == DIFFERENCE ? GEOSDifference_r(h, ga, gb) : GEOSIntersection_r(h, ga, gb);
	if (res && geos_area_m2(h, res, m2)) {
		ok = true;
		if (*m2 > tol)
			*has_pt = point_on(h, res, x, y);
	}
	if (!ok)
		geos_failed(why, "比较两个边界", "comparing the two boundaries");
	if (res)
		GEOSGeom_destroy_r(h, res);
	if (gb)
		GEOSGeom_destroy_r(h, gb);
	if (ga)
		GEOSGeom_destroy_r(h, ga);
	return ok;
}

bool cw_geo_inside(const struct cw_geo *inner, const struct cw_geo *outer, double tolerance_m2,
		   struct cw_geo_problem *why)
{
	struct cw_geo_problem scratch;
	if (!why)
		why = &scratch;
	memset(why, 0, sizeof *why);
	double m2, x = 0, y = 0;
	bool has_pt;
	if (!overlay_area(inner, outer, DIFFERENCE, tolerance_m2, &m2, &has_pt, &x, &y, why))
		return false;
	if (m2 <= tolerance_m2)
		return true;
	char ab[32];
	fmt_area(m2, ab, sizeof ab);
	if (has_pt) {
		zh(why, "边界超出所属村（社区）边界约 %s 平方米，位置 %.9g, %.9g", ab, x, y);
		en(why, "the boundary reaches outside its village by about %s m², at %.9g, %.9g", ab, x, y);
		at(why, x, y);
	} else {
		zh(why, "边界超出所属村（社区）边界约 %s 平方米", ab);
		en(why, "the boundary reaches outside its village by about %s m²", ab);
	}
	return false;
}

bool cw_geo_overlaps(const struct cw_geo *a, const struct cw_geo *b, double tolerance_m2,
		     double *area_m2, struct cw_geo_problem *why)
{
	struct cw_geo_problem scratch;
	double dummy;
	if (!why)
		why = &scratch;
	if (!area_m2)
		area_m2 = &dummy;
	memset(why, 0, sizeof *why);
	*area_m2 = 0;
	/* Envelopes that do not share area cannot overlap: most sibling pairs end here. */
	if (a->bbox[2] <= b->bbox[0] || b->bbox[2] <= a->bbox[0] || a->bbox[3] <= b->bbox[1] ||
	    b->bbox[3] <= a->bbox[1])
		return false;
	double m2, x = 0, y = 0;
	bool has_pt;
	/* When GEOS cannot tell, say so rather than let a possible overlap through. */
	if (!overlay_area(a, b, INTERSECTION, tolerance_m2, &m2, &has_pt, &x, &y, why))
		return true;
	*area_m2 = m2;
	if (m2 <= tolerance_m2)
		return false;
	char ab[32];
	fmt_area(m2, ab, sizeof ab);
	if (has_pt) {
		zh(why, "两个边界重叠约 %s 平方米，位置 %.9g, %.9g", ab, x, y);
		en(why, "the boundaries overlap by about %s m², at %.9g, %.9g", ab, x, y);
		at(why, x, y);
	} else {
		zh(why, "两个边界重叠约 %s 平方米", ab);
		en(why, "the boundaries overlap by about %s m²", ab);
	}
	return true;
}
