/* category.c - the checks of a case category row; see category.h and catalog/README.md. */
#include "core/category.h"

#include <string.h>

#include "util/text.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Each kind and the letter of its social-governance codes ('\0': the 5-digit urban codes). */
static const struct {
	const char *name;
	char letter;
} kinds[] = {
    {"event", 0}, {"dispute", 'D'}, {"petition", 'P'}, {"hazard", 'H'}, {"service", 'S'},
};

/* DOMAIN.md §1: the five risk categories (五类风险). */
static const char *const risks[] = {"political_security", "public_order", "social_conflict",
				    "public_safety", "cyber_security"};

static const char *const unit_names[] = {
    [CW_CASE_DUE_WORKING_HOURS] = "working_hours",
    [CW_CASE_DUE_WORKING_DAYS] = "working_days",
    [CW_CASE_DUE_DAYS] = "days",
};

/* The column name of each level's department, by enum cw_level. */
static const char *const dept_fields[CW_LEVEL__COUNT] = {"dept_city", "dept_district",
							 "dept_town", "dept_village", "dept_grid"};

static bool empty(const char *s)
{
	return !s || !*s;
}

static int kind_index(const char *kind)
{
	for (int i = 0; kind && i < NELEM(kinds); i++)
		if (strcmp(kind, kinds[i].name) == 0)
			return i;
	return -1;
}

bool cw_category_kind_valid(const char *kind)
{
	return kind_index(kind) >= 0;
}

bool cw_category_risk_valid(const char *risk)
{
	for (int i = 0; risk && i < NELEM(risks); i++)
		if (strcmp(risk, risks[i]) == 0)
			return true;
	return false;
}

const char *cw_category_unit_name(enum cw_case_due_unit unit)
{
	return unit > CW_CASE_DUE_NONE && unit <= CW_CASE_DUE_DAYS ? unit_names[unit] : NULL;
}

enum cw_case_due_unit cw_category_unit_parse(const char *s)
{
	for (int u = CW_CASE_DUE_WORKING_HOURS; s && u <= CW_CASE_DUE_DAYS; u++)
		if (strcmp(s, unit_names[u]) == 0)
			return (enum cw_case_due_unit)u;
	return CW_CASE_DUE_NONE;
}

bool cw_category_is_class(const struct cw_category *c)
{
	return empty(c->parent);
}

/* Is `code` a class (is_class) or subclass code of the kind with this letter? */
static bool code_ok(const char *code, char letter, bool is_class)
{
	if (!code)
		return false;
	size_t n = strlen(code);
	if (!letter) /* "06" or "06010" */
		return n == (is_class ? 2u : 5u) && cw_all_digits(code, n);
	/* "D1" or "D101" */
	return code[0] == letter && n == (is_class ? 2u : 4u) && cw_all_digits(code + 1, n - 1);
}

static bool dept_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n > CW_CATEGORY_DEPT_KEY_MAX || k[0] < 'a' || k[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

static bool name_ok(const char *s)
{
	if (empty(s))
		return false;
	size_t n = strlen(s);
	if (!cw_utf8_valid(s, n) || cw_utf8_len(s) > CW_CATEGORY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool deadline_ok(struct cw_case_due d)
{
	int max = d.unit == CW_CASE_DUE_WORKING_HOURS  ? CW_CATEGORY_HOURS_MAX
		  : d.unit == CW_CASE_DUE_WORKING_DAYS ? CW_CATEGORY_WORKING_DAYS_MAX
						       : CW_CATEGORY_DAYS_MAX;
	return d.amount >= 1 && d.amount <= max;
}

#define BAD(f)                                                                               \
	do {                                                                                 \
		*field = (f);                                                                \
		return CW_EC_INVALID_CATEGORY;                                               \
	} while (0)

enum cw_ec cw_category_check(const struct cw_category *c, const char **field)
{
	int k = kind_index(c->kind);
	if (k < 0)
		BAD("kind");
	bool is_class = cw_category_is_class(c);
	if (!code_ok(c->code, kinds[k].letter, is_class))
		BAD("code");
	if (!is_class && !code_ok(c->parent, kinds[k].letter, true))
		BAD("parent");
	if (!name_ok(c->name))
		BAD("name");
	enum cw_level first = cw_level_parse(c->first_level);
	if (first == CW_LEVEL_INVALID)
		BAD("first_level");
	/* Levels are numbered city 0 … grid 4: "above" is a smaller number. */
	for (int l = 0; l < CW_LEVEL__COUNT; l++) {
		const char *d = c->departments[l];
		bool below = l > (int)first;
		bool may_be_empty = below || l == CW_LEVEL_VILLAGE || l == CW_LEVEL_GRID;
		if (empty(d) ? !may_be_empty : (below || !dept_key_ok(d)))
			BAD(dept_fields[l]);
	}
	if (!cw_category_unit_name(c->deadline.unit))
		BAD("deadline_unit");
	if (!deadline_ok(c->deadline))
		BAD("deadline_amount");
	bool hazard = kinds[k].letter == 'H';
	if (hazard ? !cw_category_risk_valid(c->risk) : !empty(c->risk))
		BAD("risk");
	*field = NULL;
	return CW_EC_OK;
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

enum cw_ec cw_category_check_parent(const struct cw_category *c, const struct cw_category *cls)
{
	if (cw_category_is_class(c))
		return CW_EC_OK;
	if (!cls || !cw_category_is_class(cls) || !same_str(c->parent, cls->code) ||
	    !same_str(c->kind, cls->kind) || !same_str(c->risk, cls->risk) ||
	    strncmp(c->code, cls->code, strlen(cls->code)) != 0)
		return CW_EC_INVALID_CATEGORY;
	return CW_EC_OK;
}

bool cw_category_same(const struct cw_category *a, const struct cw_category *b)
{
	if (!same_str(a->code, b->code) || !same_str(a->parent, b->parent) ||
	    !same_str(a->name, b->name) || !same_str(a->kind, b->kind) ||
	    !same_str(a->first_level, b->first_level) || !same_str(a->risk, b->risk) ||
	    a->deadline.unit != b->deadline.unit || a->deadline.amount != b->deadline.amount)
		return false;
	for (int l = 0; l < CW_LEVEL__COUNT; l++)
		if (!same_str(a->departments[l], b->departments[l]))
			return false;
	return true;
}
