/* category.h - the rules of a case category (DOMAIN.md §2): its code by kind, its first
 * handling level, default department per level, deadline and risk category. */
#ifndef CW_CORE_CATEGORY_H
#define CW_CORE_CATEGORY_H

/* The taxonomy is data (catalog/categories.csv, described in catalog/README.md); these
 * are the checks every row passes before it is stored. Codes:
 *   event (urban management, GB/T 47678.5): class "06", subclass "06010";
 *   dispute D, petition P, hazard H, service S: class "D1", subclass "D101".
 * A letter code can never equal a digit code, so the two families never collide. */

#include <stdbool.h>

#include "core/case_flow.h"
#include "core/error.h"
#include "core/region.h"

#define CW_CATEGORY_CODE_MAX 8	     /* the longest code ("06010") and NUL, with room */
#define CW_CATEGORY_NAME_MAX 40	     /* characters */
#define CW_CATEGORY_DEPT_KEY_MAX 16  /* bytes: lower-case letters, digits, '_' */
#define CW_CATEGORY_MAX 2000	     /* rows in one taxonomy */
/* Deadline bounds per unit: a year at most, whatever the unit. */
#define CW_CATEGORY_HOURS_MAX 960
#define CW_CATEGORY_WORKING_DAYS_MAX 250
#define CW_CATEGORY_DAYS_MAX 365

struct cw_category {
	const char *code;
	const char *parent;	 /* the class's code; NULL or "" on a class row */
	const char *name;
	const char *kind;	 /* "event", "service", "hazard", "dispute", "petition" */
	const char *first_level; /* "grid" … "city" */
	/* Default department key per level, indexed by enum cw_level; NULL or "" none. */
	const char *departments[CW_LEVEL__COUNT];
	struct cw_case_due deadline;
	const char *risk; /* hazards: "political_security", …; otherwise NULL or "" */
};

/* Checks one row on its own: the code's form for its kind, a parent of the right form
 * (or none), a name of 1-CW_CATEGORY_NAME_MAX characters of valid UTF-8 without control
 * characters, a known kind and level, department keys of the right form with the first
 * level and every level above it named (grid and village may stay empty; city never),
 * none below the first level, a deadline within the bounds of its unit, and a risk
 * category exactly for hazards. CW_EC_OK, or CW_EC_INVALID_CATEGORY with *field the
 * column at fault ("code", "parent", "name", "kind", "first_level", "dept_town", …,
 * "deadline_amount", "deadline_unit", "risk"). */
enum cw_ec cw_category_check(const struct cw_category *c, const char **field);
/* Checks a subclass against its class (NULL when the class does not exist): the class
 * is a class row of the same kind and risk, and the subclass's code extends it.
 * CW_EC_OK (also for a class row), or CW_EC_INVALID_CATEGORY: the parent is at fault. */
enum cw_ec cw_category_check_parent(const struct cw_category *c, const struct cw_category *cls);

bool cw_category_is_class(const struct cw_category *c);
/* Every shown field equal (NULL and "" are the same). */
bool cw_category_same(const struct cw_category *a, const struct cw_category *b);

bool cw_category_kind_valid(const char *kind);
bool cw_category_risk_valid(const char *risk);
/* "working_hours", "working_days", "days"; NULL for CW_CASE_DUE_NONE or unknown. */
const char *cw_category_unit_name(enum cw_case_due_unit unit);
/* The unit of a name, CW_CASE_DUE_NONE when unknown. */
enum cw_case_due_unit cw_category_unit_parse(const char *s);

#endif
