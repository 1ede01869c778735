/* region.h - the rules of the region tree: division codes, levels and scope.
 *
 * Codes are the national statistical division codes padded to 12 digits
 * (DOMAIN.md §1); a grid is its village's 12 digits plus a 3-digit sequence.
 * Scope is decided on materialised paths ("340600000000/340603000000/…", root
 * first), not on code prefixes, because a sysadmin may move a region under
 * another parent without renumbering it. */
#ifndef CW_CORE_REGION_H
#define CW_CORE_REGION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum cw_level {
	CW_LEVEL_CITY,
	CW_LEVEL_DISTRICT,
	CW_LEVEL_TOWN,
	CW_LEVEL_VILLAGE,
	CW_LEVEL_GRID,
	CW_LEVEL__COUNT,
	CW_LEVEL_INVALID = -1
};

#define CW_REGION_CODE_MAX 16 /* 15 digits and NUL */
#define CW_REGION_PATH_MAX (CW_LEVEL__COUNT * CW_REGION_CODE_MAX)

const char *cw_level_name(enum cw_level lvl); /* "city", …; NULL when invalid */
enum cw_level cw_level_parse(const char *s);

/* The level a code's digits say, or CW_LEVEL_INVALID for anything that is not a
 * 12-digit city/district/town/village code or a 15-digit grid code. */
enum cw_level cw_region_code_level(const char *code);
/* The parent's code by the numbering rules (the city's parent is ""). False when
 * the code is invalid. `out` holds CW_REGION_CODE_MAX. */
bool cw_region_code_parent(const char *code, char *out);
/* May `code` be created directly under `parent_code` (level one below, digits
 * consistent with the parent's)? */
enum cw_ec cw_region_check_new(const char *code, const char *parent_code,
			       enum cw_level parent_level);
/* May a region of `level` move under a parent of `parent_level` and `parent_path`,
 * given its own `path`? Rejects wrong levels and cycles. */
enum cw_ec cw_region_check_move(enum cw_level level, const char *path,
				enum cw_level parent_level, const char *parent_path);

/* True when `path` is `scope_path` or lies below it. */
bool cw_scope_contains(const char *scope_path, const char *path);
/* path of a child: parent_path + "/" + code (or just code at the root). */
void cw_region_child_path(const char *parent_path, const char *code, char *out, size_t n);

#endif
