/* test_geo.c - unit tests of src/geo: GeoJSON parsing and every bad-input class of
 * issue 3, area, containment and overlap, the lookup index (against GEOS) and the
 * locator under concurrent publishing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "geo/geo_int.h"
#include "util/buf.h"

#define R_EARTH 6371008.8
#define DEG (3.14159265358979323846 / 180.0)

/* ---- helpers ---- */

static bool utf8_ok(const char *s)
{
	json_t *j = json_string(s); /* jansson refuses invalid UTF-8 */
	bool ok = j != NULL;
	json_decref(j);
	return ok;
}

/* Parses text that must be refused, with both reasons mentioning what they should. */
static struct cw_geo_problem refused(const char *text, const char *en_part, const char *zh_part)
{
	struct cw_geo *g = (struct cw_geo *)1;
	struct cw_geo_problem why;
	enum cw_ec ec = cw_geo_parse_text(text, strlen(text), &g, &why);
	if (ec != CW_EC_INVALID_GEOMETRY)
		fail_msg("accepted: %s", text);
	assert_null(g);
	if (!strstr(why.reason_en, en_part))
		fail_msg("en reason \"%s\" lacks \"%s\" for %s", why.reason_en, en_part, text);
	if (!strstr(why.reason_zh, zh_part))
		fail_msg("zh reason \"%s\" lacks \"%s\" for %s", why.reason_zh, zh_part, text);
	assert_true(utf8_ok(why.reason_en));
	assert_true(utf8_ok(why.reason_zh));
	return why;
}

static struct cw_geo *parsed(const char *text)
{
	struct cw_geo *g = NULL;
	struct cw_geo_problem why;
	if (cw_geo_parse_text(text, strlen(text), &g, &why) != CW_EC_OK)
		fail_msg("refused (%s): %s", why.reason_en, text);
	assert_non_null(g);
	return g;
}

/* A Polygon (or, with hole, a square with a square hole) as GeoJSON text. */
static char *square_text(char *buf, size_t n, double x0, double y0, double x1, double y1)
{
	snprintf(buf, n,
		 "{\"type\":\"Polygon\",\"coordinates\":[[[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g],"
		 "[%.17g,%.17g],[%.17g,%.17g]]]}",
		 x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
	return buf;
}

static struct cw_geo *square(double x0, double y0, double x1, double y1)
{
	char buf[512];
	return parsed(square_text(buf, sizeof buf, x0, y0, x1, y1));
}

/* ---- parsing: what is accepted ---- */

static void test_parse_valid(void **state)
{
	(void)state;
	struct cw_geo *g = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[116.8,33.9],[116.81,33.9],"
				  "[116.81,33.91],[116.8,33.91],[116.8,33.9]]]}");
	double b[4];
	cw_geo_bbox(g, b);
	assert_true(b[0] == 116.8 && b[1] == 33.9 && b[2] == 116.81 && b[3] == 33.91);
	assert_false(g->multi);
	cw_geo_free(g);

	/* A hole; altitude (and a measure) ignored; integers are numbers too; either
	 * ring orientation. */
	g = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[0,0,10],[0,4,10],[4,4,10],[4,0,10],[0,0,10]],"
		   "[[1,1,0,7],[3,1,0,7],[3,3,0,7],[1,3,0,7],[1,1,0,7]]]}");
	assert_int_equal(g->nrings, 2);
	assert_int_equal(g->npos, 10);
	cw_geo_free(g);

	g = parsed("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
		   "[[[2,2],[3,2],[3,3],[2,2]]]],\"bbox\":[0,0,3,3]}");
	assert_true(g->multi);
	assert_int_equal(g->npolys, 2);
	cw_geo_free(g);

	/* A MultiPolygon of one polygon stays a MultiPolygon. */
	g = parsed("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]]]}");
	assert_true(g->multi);
	cw_geo_free(g);
}

/* ---- every bad-input class ---- */

static void test_invalid_json(void **state)
{
	(void)state;
	refused("", "not valid JSON", "不是有效的 JSON");
	refused("{", "not valid JSON", "不是有效的 JSON");
	refused("{\"type\":\"Polygon\",}", "not valid JSON", "JSON");
	refused("{\"type\":\"Polygon\",\"type\":\"Polygon\",\"coordinates\":[]}", "duplicate", "JSON");
	/* 1e400 does not fit a double: jansson refuses it rather than make an infinity. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[1e400,0],[1,0],[1,1],[1e400,0]]]}",
		"not valid JSON", "JSON");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[123456789012345678901234567890,0]]]}",
		"not valid JSON", "JSON");
	/* NaN and Infinity are not JSON. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[NaN,0],[1,0],[1,1],[NaN,0]]]}", "not valid JSON",
		"JSON");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[Infinity,0],[1,0],[1,1],[0,0]]]}",
		"not valid JSON", "JSON");
	struct cw_geo *g = (struct cw_geo *)1;
	struct cw_geo_problem why;
	assert_int_equal(cw_geo_parse_text(NULL, 0, &g, &why), CW_EC_INVALID_GEOMETRY);
	assert_null(g);
	assert_int_equal(cw_geo_parse(NULL, &g, &why), CW_EC_INVALID_GEOMETRY);
	/* why may be NULL. */
	assert_int_equal(cw_geo_parse_text("[]", 2, &g, NULL), CW_EC_INVALID_GEOMETRY);
}

static void test_wrong_types(void **state)
{
	(void)state;
	refused("[]", "must be a GeoJSON geometry", "GeoJSON 几何对象");
	refused("\"Polygon\"", "must be a GeoJSON geometry", "GeoJSON 几何对象");
	refused("7", "must be a GeoJSON geometry", "GeoJSON 几何对象");
	refused("null", "must be a GeoJSON geometry", "GeoJSON 几何对象");
	refused("{}", "no \"type\"", "缺少 \"type\"");
	refused("{\"type\":7,\"coordinates\":[]}", "no \"type\"", "缺少 \"type\"");
	refused("{\"type\":\"Point\",\"coordinates\":[116.8,33.9]}", "geometry type Point cannot be",
		"几何类型 Point");
	refused("{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}", "type LineString", "LineString");
	refused("{\"type\":\"MultiLineString\",\"coordinates\":[]}", "type MultiLineString", "MultiLineString");
	refused("{\"type\":\"MultiPoint\",\"coordinates\":[]}", "type MultiPoint", "MultiPoint");
	refused("{\"type\":\"GeometryCollection\",\"geometries\":[]}", "type GeometryCollection",
		"GeometryCollection");
	refused("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[]}}",
		"this is a Feature; send its \"geometry\"", "Feature");
	refused("{\"type\":\"FeatureCollection\",\"features\":[]}", "FeatureCollection", "FeatureCollection");
	refused("{\"type\":\"polygon\",\"coordinates\":[]}", "unknown geometry type", "未知的几何类型");
	refused("{\"type\":\"Polygon\"}", "no \"coordinates\" array", "缺少 \"coordinates\"");
	refused("{\"type\":\"Polygon\",\"coordinates\":{}}", "no \"coordinates\" array", "coordinates");
	refused("{\"type\":\"Polygon\",\"coordinates\":\"0 0, 1 1\"}", "no \"coordinates\" array",
		"coordinates");
	/* Wrong types at every depth. */
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[5]}", "polygon 1 is not an array of rings",
		"第 1 个多边形不是");
	refused("{\"type\":\"Polygon\",\"coordinates\":[5]}", "ring 1 is not an array of [lon, lat]",
		"第 1 个环不是");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[0,0,1,1]]}", "position 1 of ring 1 is not a [lon, lat]",
		"第 1 个环的第 1 个点不是");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"0\"],[1,1],[0,0]]]}",
		"position 2 of ring 1 is not a [lon, lat] pair of numbers", "第 1 个环的第 2 个点不是");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1],[1,1],[0,0]]]}", "position 2 of ring 1",
		"第 2 个点");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0,1,1,1],[1,1],[0,0]]]}",
		"position 2 of ring 1", "第 2 个点");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,null]]]}",
		"position 4 of ring 1", "第 4 个点");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0,true]]]}",
		"position 4 of ring 1", "第 4 个点");
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
		"[[[2,2],[3,2],[3,3],[2,2]],[[2.1,2.1],{},[2.2,2.2],[2.1,2.1]]]]}",
		"position 2 of polygon 2, ring 2", "第 2 个多边形的第 2 个环的第 2 个点");
}

static void test_out_of_range(void **state)
{
	(void)state;
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,0]]]}",
		"position 2 of ring 1 has longitude 181, outside -180..180", "经度 181 超出范围");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[-180.0000001,0],[1,1],[0,0]]]}",
		"longitude -180", "经度");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,-91],[1,1],[0,0]]]}",
		"position 2 of ring 1 has latitude -91, outside -90..90", "纬度 -91 超出范围");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[1e300,0],[1,0],[1,1],[1e300,0]]]}",
		"longitude 1e+300", "超出范围");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,-1e308],[0,0]]]}", "latitude -1e+308",
		"纬度");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,9223372036854775807],[0,0]]]}",
		"latitude 9.22337e+18", "纬度");
	/* The edges of the range are in range. */
	struct cw_geo *g = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[-180,-90],[180,-90],[180,90],"
				  "[-180,90],[-180,-90]]]}");
	cw_geo_free(g);
}

static void test_not_closed(void **state)
{
	(void)state;
	struct cw_geo_problem why =
	    refused("{\"type\":\"Polygon\",\"coordinates\":[[[116.8,33.9],[116.81,33.9],[116.81,33.91],"
		    "[116.8,33.91]]]}",
		    "ring 1 is not closed: its last position must repeat the first (116.8, 33.9)",
		    "第 1 个环未闭合");
	assert_true(why.has_location);
	assert_true(why.lon == 116.8 && why.lat == 33.9);
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
		"[[[2,2],[3,2],[3,3],[2,2.000001]]]]}",
		"polygon 2, ring 1 is not closed", "第 2 个多边形的第 1 个环未闭合");
	/* A hole that does not close. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
		"[[1,1],[2,1],[2,2],[1,2],[1,1.5]]]}",
		"ring 2 is not closed", "第 2 个环未闭合");
}

static void test_too_few_points(void **state)
{
	(void)state;
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
		"ring 1 has 3 positions; a ring needs at least 4", "第 1 个环只有 3 个点");
	refused("{\"type\":\"Polygon\",\"coordinates\":[[]]}", "ring 1 has 0 positions", "只有 0 个点");
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0]]]]}",
		"polygon 2, ring 1 has 1 positions", "第 2 个多边形的第 1 个环只有 1 个点");
	/* Four positions, but all the same point: GEOS finds too few distinct points. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[1,1],[1,1],[1,1]]]}", "too few distinct points",
		"不同点太少");
	/* Collinear: a ring with no area. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[2,0],[0,0]]]}", "at ", "位置");
}

static void test_empty(void **state)
{
	(void)state;
	refused("{\"type\":\"Polygon\",\"coordinates\":[]}", "the polygon is empty", "多边形是空的");
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[]}", "the MultiPolygon has no polygons",
		"没有多边形");
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],[]]}",
		"polygon 2 is empty (it has no rings)", "第 2 个多边形是空的");
}

static void test_too_many_vertices(void **state)
{
	(void)state;
	size_t n = CW_GEO_MAX_VERTICES + 1;
	char *text = malloc(n * 40 + 100);
	size_t len = (size_t)sprintf(text, "{\"type\":\"Polygon\",\"coordinates\":[[");
	for (size_t i = 0; i + 1 < n; i++) {
		double a = 2 * 3.14159265358979 * (double)i / (double)(n - 1);
		len += (size_t)sprintf(text + len, "[%.12f,%.12f],", 116.8 + 0.01 * cos(a), 33.9 + 0.01 * sin(a));
	}
	len += (size_t)sprintf(text + len, "[%.12f,%.12f]]]}", 116.81, 33.9);
	refused(text, "more than 100000 positions", "超过 100000 个");
	free(text);
}

static void test_invalid_by_geos(void **state)
{
	(void)state;
	/* A bow-tie: the edges cross at its middle. */
	struct cw_geo_problem why = refused(
	    "{\"type\":\"Polygon\",\"coordinates\":[[[116.8,33.95],[116.81,33.96],[116.81,33.95],"
	    "[116.8,33.96],[116.8,33.95]]]}",
	    "Self-intersection at 116.805, 33.955", "自相交，位置 116.805, 33.955");
	assert_true(why.has_location);
	assert_true(fabs(why.lon - 116.805) < 1e-9 && fabs(why.lat - 33.955) < 1e-9);

	why = refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
		      "[[5,5],[6,5],[6,6],[5,6],[5,5]]]}",
		      "A hole lies outside its outer ring", "洞（内环）在外环之外");
	assert_true(why.has_location);
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,4],[0,0]],"
		"[[1,1],[3,1],[3,3],[1,3],[1,1]],[[1.5,1.5],[2.5,1.5],[2.5,2.5],[1.5,2.5],[1.5,1.5]]]}",
		"A hole lies inside another hole", "一个洞（内环）在另一个洞之内");
	/* A hole touching the shell at four points cuts the polygon in pieces. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
		"[[5,0],[10,5],[5,10],[0,5],[5,0]]]}",
		"The interior is disconnected", "内部不连通");
	/* Parts of a MultiPolygon must not overlap. */
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[4,0],[4,4],[0,4],[0,0]]],"
		"[[[1,1],[2,1],[2,2],[1,2],[1,1]]]]}",
		"One polygon lies inside another", "一个多边形在另一个多边形之内");
	refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[4,0],[4,4],[0,4],[0,0]]],"
		"[[[2,2],[6,2],[6,6],[2,6],[2,2]]]]}",
		"Self-intersection at ", "自相交");
	/* A ring that touches itself at a point. */
	refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[2,2],[4,4],[0,4],[2,2],[0,0]]]}",
		"at 2, 2", "位置 2, 2");
}

static void test_from_ring(void **state)
{
	(void)state;
	struct cw_geo *g = (struct cw_geo *)1;
	struct cw_geo_problem why;
	double ok[] = {116.8, 33.9, 116.81, 33.9, 116.81, 33.91, 116.8, 33.91, 116.8, 33.9};
	assert_int_equal(cw_geo_from_ring(ok, 5, &g, &why), CW_EC_OK);
	assert_false(g->multi);
	cw_geo_free(g);

	double bad[10];
	memcpy(bad, ok, sizeof bad);
	bad[2] = NAN;
	assert_int_equal(cw_geo_from_ring(bad, 5, &g, &why), CW_EC_INVALID_GEOMETRY);
	assert_null(g);
	assert_non_null(strstr(why.reason_en, "position 2"));
	bad[2] = INFINITY;
	assert_int_equal(cw_geo_from_ring(bad, 5, &g, &why), CW_EC_INVALID_GEOMETRY);
	bad[2] = 116.81;
	bad[5] = -90.5;
	assert_int_equal(cw_geo_from_ring(bad, 5, &g, &why), CW_EC_INVALID_GEOMETRY);
	assert_non_null(strstr(why.reason_en, "position 3"));
	memcpy(bad, ok, sizeof bad);
	bad[9] = 33.90001;
	assert_int_equal(cw_geo_from_ring(bad, 5, &g, &why), CW_EC_INVALID_GEOMETRY);
	assert_non_null(strstr(why.reason_en, "not closed"));
	assert_non_null(strstr(why.reason_zh, "未闭合"));
	assert_int_equal(cw_geo_from_ring(ok, 3, &g, &why), CW_EC_INVALID_GEOMETRY);
	assert_non_null(strstr(why.reason_en, "at least 4"));
	assert_int_equal(cw_geo_from_ring(NULL, 0, &g, &why), CW_EC_INVALID_GEOMETRY);
	double bow[] = {0, 0, 1, 1, 1, 0, 0, 1, 0, 0};
	assert_int_equal(cw_geo_from_ring(bow, 5, &g, &why), CW_EC_INVALID_GEOMETRY);
	assert_string_equal(why.reason_en, "Self-intersection at 0.5, 0.5");
	assert_string_equal(why.reason_zh, "自相交，位置 0.5, 0.5");
}

/* ---- writing back ---- */

static void assert_same(const struct cw_geo *a, const struct cw_geo *b)
{
	assert_int_equal(a->multi, b->multi);
	assert_int_equal(a->npolys, b->npolys);
	assert_int_equal(a->nrings, b->nrings);
	assert_int_equal(a->npos, b->npos);
	assert_memory_equal(a->poly_ring, b->poly_ring, (a->npolys + 1) * sizeof *a->poly_ring);
	assert_memory_equal(a->ring_pos, b->ring_pos, (a->nrings + 1) * sizeof *a->ring_pos);
	assert_memory_equal(a->xy, b->xy, 2 * a->npos * sizeof *a->xy);
}

static void test_round_trip(void **state)
{
	(void)state;
	const char *simple = "{\"type\":\"Polygon\",\"coordinates\":[[[116.8,33.9],[116.81,33.9],"
			     "[116.81,33.91],[116.8,33.9]]]}";
	struct cw_geo *g = parsed(simple);
	char *text = cw_geo_to_text(g);
	assert_string_equal(text, simple); /* numbers as people typed them */
	free(text);
	cw_geo_free(g);

	const char *multi = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0,5],[4,0,5],[4,4,5],[0,4,5],"
			    "[0,0,5]],[[1,1],[3,1],[3,3],[1,3],[1,1]]],[[[116.801234567891,33.9],"
			    "[116.81,33.9],[116.81,33.912345678912],[116.801234567891,33.9]]]]}";
	g = parsed(multi);
	text = cw_geo_to_text(g);
	struct cw_geo *g2 = parsed(text);
	assert_same(g, g2);
	cw_geo_free(g2);
	free(text);

	/* Through jansson: the same numbers come back. */
	json_t *j = cw_geo_to_json(g);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "MultiPolygon");
	char *dumped = json_dumps(j, JSON_COMPACT);
	g2 = parsed(dumped);
	assert_same(g, g2);
	cw_geo_free(g2);
	free(dumped);
	struct cw_geo_problem why;
	assert_int_equal(cw_geo_parse(j, &g2, &why), CW_EC_OK);
	assert_same(g, g2);
	cw_geo_free(g2);
	json_decref(j);
	cw_geo_free(g);

	/* Computed coordinates (no short decimal form) come back bit for bit. */
	double ring[] = {116.8 + 1.0 / 3, 33.9 + 1.0 / 7, 116.9 + 1e-13, 33.9 + 1.0 / 7, 116.9, 34.1 / 3 * 3,
			 116.8 + 1.0 / 3, 33.9 + 1.0 / 7};
	assert_int_equal(cw_geo_from_ring(ring, 4, &g, &why), CW_EC_OK);
	text = cw_geo_to_text(g);
	g2 = parsed(text);
	assert_same(g, g2);
	cw_geo_free(g2);
	free(text);
	cw_geo_free(g);
}

/* ---- measures ---- */

static void test_area(void **state)
{
	(void)state;
	/* A 0.01° x 0.01° square near latitude 34: w * h * (R * pi / 180)^2 * cos(lat0),
	 * lat0 its centroid's latitude. */
	double x0 = 116.80, y0 = 34.00, x1 = 116.81, y1 = 34.01;
	struct cw_geo *g = square(x0, y0, x1, y1);
	double k = R_EARTH * DEG;
	double expected = (x1 - x0) * (y1 - y0) * k * k * cos((y0 + y1) / 2 * DEG);
	double a = cw_geo_area_m2(g);
	assert_true(fabs(a - expected) < 1e-9 * expected);
	assert_true(a > 1.02e6 && a < 1.03e6); /* about 1.025e6 m² */
	cw_geo_free(g);

	/* A hole takes its area away: a 4 x 4 square with a 2 x 2 hole is 3/4 of it. */
	g = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[116,33],[116.04,33],[116.04,33.04],[116,33.04],"
		   "[116,33]],[[116.01,33.01],[116.03,33.01],[116.03,33.03],[116.01,33.03],[116.01,33.01]]]}");
	struct cw_geo *full = square(116, 33, 116.04, 33.04);
	assert_true(fabs(cw_geo_area_m2(g) / cw_geo_area_m2(full) - 0.75) < 1e-6);
	cw_geo_free(full);
	cw_geo_free(g);

	/* Parts add up. */
	g = parsed("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[116,33],[116.01,33],[116.01,33.01],"
		   "[116,33.01],[116,33]]],[[[116.02,33],[116.03,33],[116.03,33.01],[116.02,33.01],[116.02,33]]]]}");
	struct cw_geo *one = square(116, 33, 116.01, 33.01);
	assert_true(fabs(cw_geo_area_m2(g) / cw_geo_area_m2(one) - 2) < 1e-6);
	cw_geo_free(one);
	cw_geo_free(g);
}

static void test_inside(void **state)
{
	(void)state;
	struct cw_geo *village = square(116.80, 33.90, 116.90, 34.00);
	struct cw_geo *in = square(116.82, 33.92, 116.84, 33.94);
	struct cw_geo *edge = square(116.80, 33.90, 116.85, 33.95); /* shares two sides */
	struct cw_geo *out = square(116.85, 33.95, 116.95, 33.97);
	struct cw_geo *far = square(117.0, 34.1, 117.01, 34.11);
	struct cw_geo_problem why;
	assert_true(cw_geo_inside(in, village, 0, &why));
	assert_true(cw_geo_inside(edge, village, 0, &why));
	assert_true(cw_geo_inside(village, village, 0, NULL));

	assert_false(cw_geo_inside(out, village, 100, &why));
	assert_non_null(strstr(why.reason_en, "reaches outside its village by about"));
	assert_non_null(strstr(why.reason_zh, "超出所属村（社区）边界约"));
	assert_true(why.has_location);
	assert_true(why.lon > 116.90 && why.lon < 116.95 && why.lat > 33.95 && why.lat < 33.97);
	assert_true(utf8_ok(why.reason_zh));

	assert_false(cw_geo_inside(far, village, 100, &why));
	assert_true(why.lon > 117.0 && why.lat > 34.1);

	/* A sliver 1e-6° wide (about 0.09 m x 2.2 km, some 200 m²) is within a
	 * tolerance of 1,000 m² but not of 10. */
	struct cw_geo *sliver = square(116.85, 33.95, 116.900001, 33.97);
	assert_true(cw_geo_inside(sliver, village, 1000, &why));
	assert_false(cw_geo_inside(sliver, village, 10, &why));
	assert_true(why.lon > 116.90);
	cw_geo_free(sliver);

	/* A village with a hole: a grid in the hole is outside. */
	struct cw_geo *donut = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[116.8,33.9],[116.9,33.9],"
				      "[116.9,34],[116.8,34],[116.8,33.9]],[[116.81,33.91],[116.85,33.91],"
				      "[116.85,33.95],[116.81,33.95],[116.81,33.91]]]}");
	assert_false(cw_geo_inside(in, donut, 100, &why));
	assert_true(why.lon > 116.82 && why.lon < 116.84);
	cw_geo_free(donut);

	cw_geo_free(village);
	cw_geo_free(in);
	cw_geo_free(edge);
	cw_geo_free(out);
	cw_geo_free(far);
}

static void test_overlaps(void **state)
{
	(void)state;
	struct cw_geo *a = square(116.80, 33.90, 116.82, 33.92);
	struct cw_geo *b = square(116.81, 33.91, 116.83, 33.93);
	struct cw_geo *touch = square(116.82, 33.90, 116.84, 33.92);
	struct cw_geo *corner = square(116.82, 33.92, 116.84, 33.94);
	struct cw_geo *far = square(117.0, 34.0, 117.01, 34.01);
	struct cw_geo *shared = square(116.81, 33.91, 116.82, 33.92);
	struct cw_geo_problem why;
	double area = -1;

	assert_true(cw_geo_overlaps(a, b, 100, &area, &why));
	double expected = cw_geo_area_m2(shared);
	assert_true(fabs(area - expected) < 0.01 * expected);
	assert_non_null(strstr(why.reason_en, "the boundaries overlap by about"));
	assert_non_null(strstr(why.reason_zh, "重叠约"));
	assert_true(why.has_location);
	assert_true(why.lon > 116.81 && why.lon < 116.82 && why.lat > 33.91 && why.lat < 33.92);
	assert_string_equal(why.other, "");
	assert_true(cw_geo_overlaps(b, a, 100, NULL, NULL));

	/* Touching along an edge or at a corner is not an overlap, even with no tolerance. */
	assert_false(cw_geo_overlaps(a, touch, 0, &area, &why));
	assert_true(area == 0);
	assert_false(cw_geo_overlaps(a, corner, 0, &area, &why));
	assert_true(area == 0);
	assert_false(cw_geo_overlaps(a, far, 0, &area, &why));
	assert_true(area == 0);

	/* A sliver below the tolerance is not an overlap, but its area is told. */
	struct cw_geo *sliver = square(116.819999, 33.90, 116.84, 33.92);
	assert_false(cw_geo_overlaps(a, sliver, 1000, &area, &why));
	assert_true(area > 100 && area < 1000);
	assert_true(cw_geo_overlaps(a, sliver, 10, &area, &why));
	cw_geo_free(sliver);

	/* Contained is an overlap. */
	assert_true(cw_geo_overlaps(a, shared, 100, &area, &why));

	cw_geo_free(a);
	cw_geo_free(b);
	cw_geo_free(touch);
	cw_geo_free(corner);
	cw_geo_free(far);
	cw_geo_free(shared);
}

/* ---- the index ---- */

static struct cw_geo_index *build(size_t n, const char *const *codes, struct cw_geo *const *geoms)
{
	struct cw_geo_index *ix = cw_geo_index_build(codes, (const struct cw_geo *const *)geoms, n);
	assert_non_null(ix);
	assert_int_equal(cw_geo_index_count(ix), n);
	return ix;
}

static void expect_at(const struct cw_geo_index *ix, double x, double y, const char *code)
{
	const char *got = cw_geo_index_locate(ix, x, y);
	if (code == NULL && got != NULL)
		fail_msg("(%.17g, %.17g): expected no grid, got %s", x, y, got);
	if (code != NULL && (got == NULL || strcmp(got, code)))
		fail_msg("(%.17g, %.17g): expected %s, got %s", x, y, code, got ? got : "none");
}

static void test_index_basic(void **state)
{
	(void)state;
	struct cw_geo_index *ix = build(0, NULL, NULL);
	expect_at(ix, 116.8, 33.9, NULL);
	cw_geo_index_free(ix);

	struct cw_geo *g[2] = {square(116.8, 33.9, 116.81, 33.91), square(116.81, 33.9, 116.82, 33.91)};
	const char *codes[2] = {"340602001001001", "340602001001002"};
	ix = build(2, codes, g);
	expect_at(ix, 116.805, 33.905, codes[0]);
	expect_at(ix, 116.815, 33.905, codes[1]);
	expect_at(ix, 116.825, 33.905, NULL);
	expect_at(ix, 116.805, 33.915, NULL);
	expect_at(ix, 0, 0, NULL);
	expect_at(ix, NAN, 33.905, NULL);
	expect_at(ix, 116.805, NAN, NULL);
	expect_at(ix, INFINITY, 33.905, NULL);
	expect_at(ix, 1e300, -1e300, NULL);
	/* Corners of the union are covered. */
	expect_at(ix, 116.8, 33.9, codes[0]);
	expect_at(ix, 116.82, 33.91, codes[1]);
	cw_geo_index_free(ix);
	cw_geo_free(g[0]);
	cw_geo_free(g[1]);
	cw_geo_index_free(NULL);
}

static void test_index_shared_edge(void **state)
{
	(void)state;
	/* The left grid has the larger code: the edge goes to the smaller one, whichever
	 * order the index was built in. */
	struct cw_geo *g[2] = {square(116.8, 33.9, 116.81, 33.91), square(116.81, 33.9, 116.82, 33.91)};
	const char *codes[2] = {"340602001001002", "340602001001001"};
	struct cw_geo *rg[2] = {g[1], g[0]};
	const char *rcodes[2] = {codes[1], codes[0]};
	for (int order = 0; order < 2; order++) {
		struct cw_geo_index *ix = order ? build(2, rcodes, rg) : build(2, codes, g);
		expect_at(ix, 116.81, 33.905, "340602001001001");
		expect_at(ix, 116.81, 33.9, "340602001001001");
		expect_at(ix, 116.81, 33.91, "340602001001001");
		expect_at(ix, 116.8099999, 33.905, "340602001001002");
		expect_at(ix, nextafter(116.81, 0), 33.905, "340602001001002");
		cw_geo_index_free(ix);
	}
	cw_geo_free(g[0]);
	cw_geo_free(g[1]);

	/* A diagonal shared edge, (0, 0) - (3, 1), between two triangles: a point exactly
	 * on it goes to the smaller code; points a hair off it go to exactly one side
	 * (never a crack, never both), agreeing with GEOS. */
	struct cw_geo *lower = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,0],[3,1],[0,0]]]}");
	struct cw_geo *upper = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,1],[0,1],[0,0]]]}");
	struct cw_geo *t[2] = {lower, upper};
	const char *tc[2] = {"B", "A"};
	struct cw_geo_index *ix = build(2, tc, t);
	expect_at(ix, 1.5, 0.5, "A");
	expect_at(ix, 0.75, 0.25, "A");
	expect_at(ix, 1.5, nextafter(0.5, 0), "B");
	expect_at(ix, 1.5, nextafter(0.5, 1), "A");
	GEOSContextHandle_t h = cw_geos();
	GEOSGeometry *gl = cw_geo_to_geos(h, lower);
	for (int k = 1; k < 3000; k++) {
		double x = k * 0.001, y = x / 3; /* rounded: mostly just off the line */
		const char *got = cw_geo_index_locate(ix, x, y);
		assert_non_null(got);
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
		char in_lower = GEOSCovers_r(h, gl, pt);
		GEOSGeometry *gu = cw_geo_to_geos(h, upper);
		char in_upper = GEOSCovers_r(h, gu, pt);
		GEOSGeom_destroy_r(h, gu);
		GEOSGeom_destroy_r(h, pt);
		assert_true(in_lower || in_upper);
		assert_string_equal(got, in_upper ? "A" : "B");
	}
	GEOSGeom_destroy_r(h, gl);
	cw_geo_index_free(ix);
	cw_geo_free(lower);
	cw_geo_free(upper);
}

static void test_index_shared_vertex(void **state)
{
	(void)state;
	/* Four grids meet at (116.81, 33.91): the smallest code wins, for every rotation
	 * of codes over the grids and of build order. */
	struct cw_geo *g[4] = {square(116.80, 33.90, 116.81, 33.91), square(116.81, 33.90, 116.82, 33.91),
			       square(116.81, 33.91, 116.82, 33.92), square(116.80, 33.91, 116.81, 33.92)};
	const char *names[4] = {"340602001001001", "340602001001002", "340602001001003", "340602001001004"};
	for (int rot = 0; rot < 4; rot++) {
		for (int rev = 0; rev < 2; rev++) {
			const char *codes[4];
			struct cw_geo *geoms[4];
			for (int i = 0; i < 4; i++) {
				int k = rev ? 3 - i : i;
				geoms[i] = g[k];
				codes[i] = names[(k + rot) % 4];
			}
			struct cw_geo_index *ix = build(4, codes, geoms);
			expect_at(ix, 116.81, 33.91, names[0]);
			/* Inside each, its own code. */
			for (int k = 0; k < 4; k++) {
				double b[4];
				cw_geo_bbox(g[k], b);
				expect_at(ix, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, names[(k + rot) % 4]);
			}
			cw_geo_index_free(ix);
		}
	}
	for (int i = 0; i < 4; i++)
		cw_geo_free(g[i]);
}

static void test_index_hole(void **state)
{
	(void)state;
	struct cw_geo *donut = parsed("{\"type\":\"Polygon\",\"coordinates\":[[[116.8,33.9],[116.84,33.9],"
				      "[116.84,33.94],[116.8,33.94],[116.8,33.9]],[[116.81,33.91],[116.83,33.91],"
				      "[116.83,33.93],[116.81,33.93],[116.81,33.91]]]}");
	struct cw_geo *fill = square(116.81, 33.91, 116.83, 33.93);
	const char *one[1] = {"340602001001100"};
	struct cw_geo_index *ix = build(1, one, &donut);
	expect_at(ix, 116.82, 33.92, NULL);		/* in the hole */
	expect_at(ix, 116.805, 33.905, one[0]);		/* in the ring */
	expect_at(ix, 116.81, 33.92, one[0]);		/* on the hole's edge */
	expect_at(ix, 116.81, 33.91, one[0]);		/* on the hole's corner */
	expect_at(ix, nextafter(116.81, 117), 33.92, NULL); /* just inside the hole */
	cw_geo_index_free(ix);

	struct cw_geo *both[2] = {donut, fill};
	const char *codes[2] = {"340602001001100", "340602001001200"};
	ix = build(2, codes, both);
	expect_at(ix, 116.82, 33.92, codes[1]); /* the grid that fills the hole */
	expect_at(ix, 116.81, 33.92, codes[0]); /* the shared edge: smaller code */
	cw_geo_index_free(ix);
	codes[1] = "340602001001050";
	ix = build(2, codes, both);
	expect_at(ix, 116.81, 33.92, codes[1]);
	expect_at(ix, 116.805, 33.905, codes[0]);
	cw_geo_index_free(ix);
	cw_geo_free(donut);
	cw_geo_free(fill);
}

static void test_index_multipolygon(void **state)
{
	(void)state;
	struct cw_geo *m = parsed("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[116.8,33.9],[116.81,33.9],"
				  "[116.81,33.91],[116.8,33.91],[116.8,33.9]]],[[[116.85,33.95],[116.86,33.95],"
				  "[116.86,33.96],[116.85,33.96],[116.85,33.95]],[[116.852,33.952],[116.858,33.952],"
				  "[116.858,33.958],[116.852,33.958],[116.852,33.952]]]]}");
	struct cw_geo *other = square(116.81, 33.9, 116.82, 33.91);
	struct cw_geo *g[2] = {m, other};
	const char *codes[2] = {"340602001001009", "340602001001001"};
	struct cw_geo_index *ix = build(2, codes, g);
	expect_at(ix, 116.805, 33.905, codes[0]);
	expect_at(ix, 116.851, 33.955, codes[0]);
	expect_at(ix, 116.855, 33.955, NULL); /* the second part's hole */
	expect_at(ix, 116.83, 33.93, NULL);   /* between the parts */
	expect_at(ix, 116.81, 33.905, codes[1]);
	cw_geo_index_free(ix);
	cw_geo_free(m);
	cw_geo_free(other);
}

/* A jittered lattice of grids with wiggly shared edges; some have a hole, some are
 * MultiPolygons of two cells (i, j) and (i + 2, j). */
enum { LW = 20, LH = 15 };
static const double L_X0 = 116.4, L_Y0 = 33.3, L_DX = 0.035, L_DY = 0.06;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdu;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53u;
	return x ^ (x >> 33);
}

static double hashf(uint64_t a, uint64_t b) /* in [-0.5, 0.5) */
{
	return (double)(mix(a * 1000003u + b) >> 11) * 0x1p-53 - 0.5;
}

static void lattice_node(int i, int j, double *x, double *y)
{
	*x = L_X0 + i * L_DX + (i > 0 && i < LW ? 0.3 * L_DX * hashf((uint64_t)i, (uint64_t)j * 2) : 0);
	*y = L_Y0 + j * L_DY + (j > 0 && j < LH ? 0.3 * L_DY * hashf((uint64_t)i, (uint64_t)j * 2 + 1) : 0);
}

/* Point k of 0..3 along the edge from node a to node b, the same for both grids
 * that share the edge. */
static void lattice_edge(int ai, int aj, int bi, int bj, int k, double *x, double *y)
{
	if (ai > bi || (ai == bi && aj > bj)) {
		int t = ai;
		ai = bi, bi = t, t = aj, aj = bj, bj = t;
		k = 3 - k;
	}
	double x0, y0, x1, y1;
	lattice_node(ai, aj, &x0, &y0);
	lattice_node(bi, bj, &x1, &y1);
	*x = x0 + (x1 - x0) * k / 3;
	*y = y0 + (y1 - y0) * k / 3;
	if (k == 1 || k == 2) {
		double w = 0.05 * hashf((uint64_t)(ai * 64 + aj), (uint64_t)(bi * 64 + bj) * 4 + (uint64_t)k);
		*x -= (y1 - y0) * w;
		*y += (x1 - x0) * w;
	}
}

static void cell_ring(struct cw_buf *b, int i, int j)
{
	static const int c[5][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}};
	cw_buf_putc(b, '[');
	for (int e = 0; e < 4; e++)
		for (int k = 0; k < 3; k++) {
			double x, y;
			lattice_edge(i + c[e][0], j + c[e][1], i + c[e + 1][0], j + c[e + 1][1], k, &x, &y);
			cw_buf_printf(b, "[%.17g,%.17g],", x, y);
		}
	double x, y;
	lattice_node(i, j, &x, &y);
	cw_buf_printf(b, "[%.17g,%.17g]]", x, y);
}

static void cell_polygon(struct cw_buf *b, int i, int j)
{
	cw_buf_putc(b, '[');
	cell_ring(b, i, j);
	if ((i * 7 + j * 3) % 5 == 0) { /* a hole in the middle of the cell */
		double cx = L_X0 + (i + 0.5) * L_DX, cy = L_Y0 + (j + 0.5) * L_DY;
		double hx = 0.15 * L_DX, hy = 0.15 * L_DY;
		cw_buf_printf(b, ",[[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g]]",
			      cx - hx, cy - hy, cx + hx, cy - hy, cx + hx, cy + hy, cx - hx, cy + hy, cx - hx, cy - hy);
	}
	cw_buf_putc(b, ']');
}

struct lattice {
	size_t n;
	struct cw_geo *geoms[LW * LH];
	char *codes[LW * LH];
};

static void lattice_make(struct lattice *L)
{
	bool used[LW][LH] = {{false}};
	L->n = 0;
	for (int j = 0; j < LH; j++)
		for (int i = 0; i < LW; i++) {
			if (used[i][j])
				continue;
			struct cw_buf b = {0};
			if (i + 2 < LW && (i * 3 + j) % 11 == 0 && !used[i + 2][j]) {
				cw_buf_puts(&b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
				cell_polygon(&b, i, j);
				cw_buf_putc(&b, ',');
				cell_polygon(&b, i + 2, j);
				cw_buf_puts(&b, "]}");
				used[i + 2][j] = true;
			} else {
				cw_buf_puts(&b, "{\"type\":\"Polygon\",\"coordinates\":");
				cell_polygon(&b, i, j);
				cw_buf_puts(&b, "}");
			}
			L->geoms[L->n] = parsed(cw_buf_str(&b));
			cw_buf_release(&b);
			/* Codes in an order unrelated to position or build order. */
			L->codes[L->n] = malloc(16);
			snprintf(L->codes[L->n], 16, "3406%011llu",
				 (unsigned long long)(mix((uint64_t)(i * 100 + j)) % 100000000000ull));
			L->n++;
		}
}

static void lattice_free(struct lattice *L)
{
	for (size_t i = 0; i < L->n; i++) {
		cw_geo_free(L->geoms[i]);
		free(L->codes[i]);
	}
}

/* The brute-force answer: the smallest code among the grids GEOS says cover the
 * point, trying every grid (the envelope test only skips grids that cannot). */
static const char *brute(GEOSContextHandle_t h, const struct lattice *L, GEOSGeometry *const *gg, double x,
			 double y)
{
	const char *best = NULL;
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
	for (size_t i = 0; i < L->n; i++) {
		double b[4];
		cw_geo_bbox(L->geoms[i], b);
		if (x < b[0] || x > b[2] || y < b[1] || y > b[3])
			continue;
		char c = GEOSCovers_r(h, gg[i], pt);
		assert_true(c == 0 || c == 1);
		if (c && (!best || strcmp(L->codes[i], best) < 0))
			best = L->codes[i];
	}
	GEOSGeom_destroy_r(h, pt);
	return best;
}

static void check_point(const struct cw_geo_index *ix, GEOSContextHandle_t h, const struct lattice *L,
			GEOSGeometry *const *gg, double x, double y, size_t *found)
{
	const char *want = brute(h, L, gg, x, y);
	expect_at(ix, x, y, want);
	*found += want != NULL;
}

static void test_index_cross_check(void **state)
{
	(void)state;
	static struct lattice L;
	lattice_make(&L);
	assert_true(L.n > 250);
	/* Built in a shuffled order. */
	size_t perm[LW * LH];
	for (size_t i = 0; i < L.n; i++)
		perm[i] = i;
	for (size_t i = L.n - 1; i > 0; i--) {
		size_t k = mix(i) % (i + 1), t = perm[i];
		perm[i] = perm[k];
		perm[k] = t;
	}
	const char *codes[LW * LH];
	struct cw_geo *geoms[LW * LH];
	for (size_t i = 0; i < L.n; i++) {
		codes[i] = L.codes[perm[i]];
		geoms[i] = L.geoms[perm[i]];
	}
	struct cw_geo_index *ix = build(L.n, codes, geoms);

	GEOSContextHandle_t h = cw_geos();
	GEOSGeometry *gg[LW * LH];
	for (size_t i = 0; i < L.n; i++)
		gg[i] = cw_geo_to_geos(h, L.geoms[i]);

	/* 200 x 200 random points over the lattice and a margin around it. */
	size_t found = 0, total = 0;
	double x0 = L_X0 - 0.05 * LW * L_DX, w = 1.1 * LW * L_DX;
	double y0 = L_Y0 - 0.05 * LH * L_DY, hgt = 1.1 * LH * L_DY;
	uint64_t seed = 1;
	for (int a = 0; a < 200; a++)
		for (int b = 0; b < 200; b++, total++) {
			double x = x0 + w * ((double)(mix(seed++) >> 11) * 0x1p-53);
			double y = y0 + hgt * ((double)(mix(seed++) >> 11) * 0x1p-53);
			check_point(ix, h, &L, gg, x, y, &found);
		}
	assert_true(found > total / 2 && found < total);
	/* Every vertex (shared by two to four grids, or on a hole) and the midpoint of
	 * every edge: the exact cases. */
	for (size_t i = 0; i < L.n; i++) {
		const struct cw_geo *g = L.geoms[i];
		for (size_t k = 0; k < g->npos; k++) {
			check_point(ix, h, &L, gg, g->xy[2 * k], g->xy[2 * k + 1], &found);
			if (k + 1 < g->npos)
				check_point(ix, h, &L, gg, (g->xy[2 * k] + g->xy[2 * k + 2]) / 2,
					    (g->xy[2 * k + 1] + g->xy[2 * k + 3]) / 2, &found);
		}
	}
	for (size_t i = 0; i < L.n; i++)
		GEOSGeom_destroy_r(h, gg[i]);
	cw_geo_index_free(ix);
	lattice_free(&L);
}

/* ---- the locator ---- */

enum { CELLS = 10, VERSIONS = 100, READERS = 4 };

struct shared {
	struct cw_geo_locator *loc;
	struct cw_geo *geoms[CELLS * CELLS];
	atomic_bool done;
	atomic_size_t lookups;
	atomic_int failures;
};

static struct cw_geo_index *version_index(struct shared *s, unsigned v)
{
	char buf[CELLS * CELLS][16];
	const char *codes[CELLS * CELLS];
	for (int c = 0; c < CELLS * CELLS; c++) {
		snprintf(buf[c], sizeof buf[c], "%03u%012d", v, c);
		codes[c] = buf[c];
	}
	return cw_geo_index_build(codes, (const struct cw_geo *const *)s->geoms, CELLS * CELLS);
}

static void *publisher(void *arg)
{
	struct shared *s = arg;
	for (unsigned v = 1; v <= VERSIONS; v++)
		cw_geo_locator_publish(s->loc, version_index(s, v));
	atomic_store(&s->done, true);
	return NULL;
}

static void *reader(void *arg)
{
	struct shared *s = arg;
	/* A GEOS context of this thread's own, finished when it exits. */
	struct cw_geo *g;
	const char *text = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}";
	if (cw_geo_parse_text(text, strlen(text), &g, NULL) != CW_EC_OK)
		atomic_fetch_add(&s->failures, 1);
	else
		cw_geo_free(g);
	uint64_t seed = (uint64_t)(uintptr_t)&g;
	unsigned last = 0;
	size_t n = 0;
	while (!atomic_load(&s->done) || n < 20000) {
		int c = (int)(mix(seed++) % (CELLS * CELLS));
		double x = 116.8 + 0.01 * (c % CELLS) + 0.001 + 0.008 * ((double)(mix(seed++) >> 11) * 0x1p-53);
		double y = 33.9 + 0.01 * (c / CELLS) + 0.001 + 0.008 * ((double)(mix(seed++) >> 11) * 0x1p-53);
		char code[16];
		unsigned v;
		int cell;
		/* One complete index answers: the right cell, and never an older version
		 * than one already seen. */
		if (!cw_geo_locator_locate(s->loc, x, y, code) || sscanf(code, "%3u%12d", &v, &cell) != 2 ||
		    cell != c || v < last)
			atomic_fetch_add(&s->failures, 1);
		else
			last = v;
		n++;
	}
	atomic_fetch_add(&s->lookups, n);
	return NULL;
}

static void test_locator_concurrent(void **state)
{
	(void)state;
	static struct shared s;
	for (int j = 0; j < CELLS; j++)
		for (int i = 0; i < CELLS; i++)
			s.geoms[j * CELLS + i] =
			    square(116.8 + 0.01 * i, 33.9 + 0.01 * j, 116.8 + 0.01 * (i + 1), 33.9 + 0.01 * (j + 1));
	s.loc = cw_geo_locator_new();
	char code[16] = "x";
	assert_false(cw_geo_locator_locate(s.loc, 116.805, 33.905, code));
	assert_string_equal(code, "");
	cw_geo_locator_publish(s.loc, version_index(&s, 0));
	assert_true(cw_geo_locator_locate(s.loc, 116.805, 33.905, code));
	assert_string_equal(code, "000000000000000");
	atomic_store(&s.done, false);

	pthread_t pub, rd[READERS];
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&rd[i], NULL, reader, &s), 0);
	assert_int_equal(pthread_create(&pub, NULL, publisher, &s), 0);
	pthread_join(pub, NULL);
	for (int i = 0; i < READERS; i++)
		pthread_join(rd[i], NULL);
	assert_int_equal(atomic_load(&s.failures), 0);
	assert_true(atomic_load(&s.lookups) >= READERS * 20000);

	assert_true(cw_geo_locator_locate(s.loc, 116.805, 33.905, code));
	assert_string_equal(code, "100000000000000");
	assert_false(cw_geo_locator_locate(s.loc, 117.5, 33.905, code));
	cw_geo_locator_publish(s.loc, NULL); /* no grids */
	assert_false(cw_geo_locator_locate(s.loc, 116.805, 33.905, code));
	cw_geo_locator_publish(s.loc, version_index(&s, 7));
	cw_geo_locator_free(s.loc);
	cw_geo_locator_free(NULL);
	for (int i = 0; i < CELLS * CELLS; i++)
		cw_geo_free(s.geoms[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),
	    cmocka_unit_test(test_invalid_json),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_not_closed),
	    cmocka_unit_test(test_too_few_points),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_too_many_vertices),
	    cmocka_unit_test(test_invalid_by_geos),
	    cmocka_unit_test(test_from_ring),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_area),
	    cmocka_unit_test(test_inside),
	    cmocka_unit_test(test_overlaps),
	    cmocka_unit_test(test_index_basic),
	    cmocka_unit_test(test_index_shared_edge),
	    cmocka_unit_test(test_index_shared_vertex),
	    cmocka_unit_test(test_index_hole),
	    cmocka_unit_test(test_index_multipolygon),
	    cmocka_unit_test(test_index_cross_check),
	    cmocka_unit_test(test_locator_concurrent),
	};
	return cmocka_run_group_tests_name("geo", tests, NULL, NULL);
}
