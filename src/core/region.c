/* region.c - division-code rules and scope tests; see region.h. */
#include "core/region.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"

static const char *const level_names[CW_LEVEL__COUNT] = {"city", "district", "town", "village",
							 "grid"};

const char *cw_level_name(enum cw_level lvl)
{
	return lvl >= 0 && lvl < CW_LEVEL__COUNT ? level_names[lvl] : NULL;
}

enum cw_level cw_level_parse(const char *s)
{
	for (int i = 0; s && i < CW_LEVEL__COUNT; i++)
		if (strcmp(s, level_names[i]) == 0)
			return (enum cw_level)i;
	return CW_LEVEL_INVALID;
}

static bool zeros(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '0')
			return false;
	return true;
}

/* Digits: 1-2 province, 3-4 city, 5-6 county, 7-9 town, 10-12 village. Each level
 * has its own part non-zero and every part below it zero. */
static enum cw_level level12(const char *c)
{
	if (zeros(c, 2) || zeros(c + 2, 2))
		return CW_LEVEL_INVALID;
	if (zeros(c + 4, 8))
		return CW_LEVEL_CITY;
	if (zeros(c + 4, 2))
		return CW_LEVEL_INVALID;
	if (zeros(c + 6, 6))
		return CW_LEVEL_DISTRICT;
	if (zeros(c + 6, 3))
		return CW_LEVEL_INVALID;
	if (zeros(c + 9, 3))
		return CW_LEVEL_TOWN;
	return CW_LEVEL_VILLAGE;
}

enum cw_level cw_region_code_level(const char *code)
{
	if (!code)
		return CW_LEVEL_INVALID;
	size_t n = strlen(code);
	if (!cw_all_digits(code, n))
		return CW_LEVEL_INVALID;
	if (n == 15)
		return level12(code) == CW_LEVEL_VILLAGE && !zeros(code + 12, 3) ? CW_LEVEL_GRID
										   : CW_LEVEL_INVALID;
	return n == 12 ? level12(code) : CW_LEVEL_INVALID;
}

bool cw_region_code_parent(const char *code, char *out)
{
	enum cw_level lvl = cw_region_code_level(code);
	static const int keep[CW_LEVEL__COUNT] = {0, 4, 6, 9, 12};
	if (lvl == CW_LEVEL_INVALID)
		return false;
	if (lvl == CW_LEVEL_CITY) {
		out[0] = 0;
		return true;
	}
	int k = keep[lvl];
	memcpy(out, code, (size_t)k);
	memset(out + k, '0', (size_t)(12 - k));
	out[12] = 0;
	return true;
}

enum cw_ec cw_region_check_new(const char *code, const char *parent_code,
			       enum cw_level parent_level)
{
	enum cw_level lvl = cw_region_code_level(code);
	if (lvl == CW_LEVEL_INVALID)
		return CW_EC_INVALID_REGION_CODE;
	char expect[CW_REGION_CODE_MAX];
	cw_region_code_parent(code, expect);
	if (lvl == CW_LEVEL_CITY)
		return parent_code && *parent_code ? CW_EC_INVALID_REGION_CODE : CW_EC_OK;
	if (!parent_code || parent_level != lvl - 1 || strcmp(expect, parent_code) != 0)
		return CW_EC_INVALID_REGION_CODE;
	return CW_EC_OK;
}

enum cw_ec cw_region_check_move(enum cw_level level, const char *path,
				enum cw_level parent_level, const char *parent_path)
{
	if (level == CW_LEVEL_CITY || parent_level != level - 1)
		return CW_EC_INVALID_REGION_MOVE;
	if (cw_scope_contains(path, parent_path))
		return CW_EC_INVALID_REGION_MOVE;
	return CW_EC_OK;
}

bool cw_scope_contains(const char *scope_path, const char *path)
{
	if (!scope_path || !path || !*scope_path)
		return false;
	size_t n = strlen(scope_path);
	return strncmp(scope_path, path, n) == 0 && (path[n] == 0 || path[n] == '/');
}

void cw_region_child_path(const char *parent_path, const char *code, char *out, size_t n)
{
	if (parent_path && *parent_path)
		snprintf(out, n, "%s/%s", parent_path, code);
	else
		snprintf(out, n, "%s", code);
}
