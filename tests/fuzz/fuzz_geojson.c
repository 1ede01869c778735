/* fuzz_geojson.c - libFuzzer target for grid boundaries (cw_geo_parse_text): any bytes
 * give either a valid geometry whose GeoJSON parses back, or a refusal with reasons in
 * both languages; never a crash, a leak or undefined behaviour. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "util/text.h"

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	struct cw_geo *g = NULL;
	struct cw_geo_problem why;
	memset(&why, 0, sizeof why);
	enum cw_ec ec = cw_geo_parse_text((const char *)data, size, &g, &why);
	if (ec != CW_EC_OK) {
		check(g == NULL || ec == CW_EC_OK);
		check(why.reason_en[0] && why.reason_zh[0]);
		check(cw_utf8_valid(why.reason_zh, strlen(why.reason_zh)));
		return 0;
	}
	/* What we accept we can write, and what we write we accept again. */
	char *text = cw_geo_to_text(g);
	struct cw_geo *again = NULL;
	check(cw_geo_parse_text(text, strlen(text), &again, &why) == CW_EC_OK);
	double a = cw_geo_area_m2(g), b = cw_geo_area_m2(again);
	check(a >= 0 && (a == 0 || (b / a > 0.999999 && b / a < 1.000001)));
	cw_geo_free(again);
	free(text);
	cw_geo_free(g);
	return 0;
}
