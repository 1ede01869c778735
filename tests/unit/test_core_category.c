/* test_core_category.c - unit tests of core/category: codes by kind, levels and
 * departments, deadlines, risk categories, parents, and the shipped catalogue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/category.h"

/* A valid urban subclass: 暴露垃圾, handled first by the town's urban management. */
static struct cw_category garbage(void)
{
	return (struct cw_category){
	    .code = "06010",
	    .parent = "06",
	    .name = "暴露垃圾",
	    .kind = "event",
	    .first_level = "town",
	    .departments = {[CW_LEVEL_TOWN] = "cgj", [CW_LEVEL_DISTRICT] = "cgj", [CW_LEVEL_CITY] = "cgj"},
	    .deadline = {CW_CASE_DUE_WORKING_HOURS, 4},
	};
}

static struct cw_category hazard(void)
{
	return (struct cw_category){
	    .code = "H401",
	    .parent = "H4",
	    .name = "安全生产隐患",
	    .kind = "hazard",
	    .first_level = "town",
	    .departments = {[CW_LEVEL_TOWN] = "zzb", [CW_LEVEL_DISTRICT] = "yjglj", [CW_LEVEL_CITY] = "yjglj"},
	    .deadline = {CW_CASE_DUE_WORKING_DAYS, 1},
	    .risk = "public_safety",
	};
}

static void assert_bad(const struct cw_category *c, const char *want_field)
{
	const char *field = NULL;
	assert_int_equal(cw_category_check(c, &field), CW_EC_INVALID_CATEGORY);
	assert_non_null(field);
	assert_string_equal(field, want_field);
}

static void assert_good(const struct cw_category *c)
{
	const char *field = "unset";
	if (cw_category_check(c, &field) != CW_EC_OK)
		fail_msg("%s refused at %s", c->code ? c->code : "(null)", field ? field : "?");
	assert_null(field);
}

static void test_valid_rows(void **state)
{
	(void)state;
	struct cw_category c = garbage();
	assert_good(&c);
	c.code = "06";
	c.parent = "";
	assert_good(&c);
	c.parent = NULL;
	assert_good(&c);
	struct cw_category h = hazard();
	assert_good(&h);
	struct cw_category d = {.code = "D101", .parent = "D1", .name = "婚姻家庭纠纷",
				.kind = "dispute", .first_level = "town",
				.departments = {[CW_LEVEL_TOWN] = "sfj", [CW_LEVEL_DISTRICT] = "sfj",
						[CW_LEVEL_CITY] = "sfj"},
				.deadline = {CW_CASE_DUE_DAYS, 30}};
	assert_good(&d);
	/* Grid and village may name a department or stay empty. */
	d.first_level = "grid";
	assert_good(&d);
	d.departments[CW_LEVEL_GRID] = "sfj";
	d.departments[CW_LEVEL_VILLAGE] = "sfj_2";
	assert_good(&d);
	/* A city-level category names only the city's department. */
	struct cw_category s = {.code = "S106", .parent = "S1", .name = "劳动保障诉求",
				.kind = "service", .first_level = "city",
				.departments = {[CW_LEVEL_CITY] = "rsj"},
				.deadline = {CW_CASE_DUE_WORKING_DAYS, 5}, .risk = ""};
	assert_good(&s);
}

static void test_codes_by_kind(void **state)
{
	(void)state;
	static const char *const bad_urban[] = {"6010", "060100", "06a10", "D101", "", "0601 "};
	for (size_t i = 0; i < sizeof bad_urban / sizeof bad_urban[0]; i++) {
		struct cw_category c = garbage();
		c.code = bad_urban[i];
		assert_bad(&c, "code");
	}
	struct cw_category c = garbage();
	c.code = NULL;
	assert_bad(&c, "code");
	/* A class code on a subclass row and the reverse. */
	c = garbage();
	c.code = "06";
	assert_bad(&c, "code");
	c = garbage();
	c.parent = NULL;
	assert_bad(&c, "code");
	/* A subclass's parent must look like a class of its kind. */
	c = garbage();
	c.parent = "D1";
	assert_bad(&c, "parent");
	c.parent = "060";
	assert_bad(&c, "parent");
	/* Letters belong to their kind: a dispute code on a hazard, an urban code on one. */
	struct cw_category h = hazard();
	h.code = "D401";
	assert_bad(&h, "code");
	h = hazard();
	h.code = "06010";
	assert_bad(&h, "code");
	h = hazard();
	h.code = "h401";
	assert_bad(&h, "code");
	h.code = "H4a1";
	assert_bad(&h, "code");
	h = hazard();
	h.code = "H4";
	h.parent = "";
	assert_good(&h);
	h.code = "H";
	assert_bad(&h, "code");
}

static void test_kind_name_level(void **state)
{
	(void)state;
	struct cw_category c = garbage();
	c.kind = "events";
	assert_bad(&c, "kind");
	c.kind = NULL;
	assert_bad(&c, "kind");
	c = garbage();
	c.name = "";
	assert_bad(&c, "name");
	c.name = NULL;
	assert_bad(&c, "name");
	c.name = "垃圾\n";
	assert_bad(&c, "name");
	c.name = "\xe5\x9e";
	assert_bad(&c, "name");
	/* 40 characters pass, 41 do not. */
	char name[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(name, "垃");
	c.name = name;
	assert_good(&c);
	strcat(name, "圾");
	assert_bad(&c, "name");
	c = garbage();
	c.first_level = "province";
	assert_bad(&c, "first_level");
	c.first_level = NULL;
	assert_bad(&c, "first_level");
}

static void test_departments(void **state)
{
	(void)state;
	/* The first level needs a department (the town here)… */
	struct cw_category c = garbage();
	c.departments[CW_LEVEL_TOWN] = "";
	assert_bad(&c, "dept_town");
	/* …and every level above it, the city above all. */
	c = garbage();
	c.departments[CW_LEVEL_DISTRICT] = NULL;
	assert_bad(&c, "dept_district");
	c = garbage();
	c.departments[CW_LEVEL_CITY] = "";
	assert_bad(&c, "dept_city");
	/* None below the first level. */
	c = garbage();
	c.departments[CW_LEVEL_GRID] = "cgj";
	assert_bad(&c, "dept_grid");
	c = garbage();
	c.first_level = "district";
	assert_bad(&c, "dept_town");
	/* Key form. */
	static const char *const bad_keys[] = {"CGJ", "1cgj", "cg-j", "城管", "cgj ",
					       "abcdefghijklmnopq"};
	for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
		c = garbage();
		c.departments[CW_LEVEL_DISTRICT] = bad_keys[i];
		assert_bad(&c, "dept_district");
	}
	c = garbage();
	c.departments[CW_LEVEL_DISTRICT] = "abcdefghijklmnop"; /* 16 */
	assert_good(&c);
}

static void test_deadlines(void **state)
{
	(void)state;
	static const struct {
		enum cw_case_due_unit unit;
		int max;
	} bounds[] = {{CW_CASE_DUE_WORKING_HOURS, CW_CATEGORY_HOURS_MAX},
		      {CW_CASE_DUE_WORKING_DAYS, CW_CATEGORY_WORKING_DAYS_MAX},
		      {CW_CASE_DUE_DAYS, CW_CATEGORY_DAYS_MAX}};
	for (size_t i = 0; i < 3; i++) {
		struct cw_category c = garbage();
		c.deadline = (struct cw_case_due){bounds[i].unit, 1};
		assert_good(&c);
		c.deadline.amount = bounds[i].max;
		assert_good(&c);
		c.deadline.amount = bounds[i].max + 1;
		assert_bad(&c, "deadline_amount");
		c.deadline.amount = 0;
		assert_bad(&c, "deadline_amount");
		c.deadline.amount = -3;
		assert_bad(&c, "deadline_amount");
	}
	struct cw_category c = garbage();
	c.deadline.unit = CW_CASE_DUE_NONE;
	assert_bad(&c, "deadline_unit");
	c.deadline.unit = (enum cw_case_due_unit)42;
	assert_bad(&c, "deadline_unit");

	assert_string_equal(cw_category_unit_name(CW_CASE_DUE_WORKING_HOURS), "working_hours");
	assert_string_equal(cw_category_unit_name(CW_CASE_DUE_WORKING_DAYS), "working_days");
	assert_string_equal(cw_category_unit_name(CW_CASE_DUE_DAYS), "days");
	assert_null(cw_category_unit_name(CW_CASE_DUE_NONE));
	assert_int_equal(cw_category_unit_parse("days"), CW_CASE_DUE_DAYS);
	assert_int_equal(cw_category_unit_parse("working_days"), CW_CASE_DUE_WORKING_DAYS);
	assert_int_equal(cw_category_unit_parse("hours"), CW_CASE_DUE_NONE);
	assert_int_equal(cw_category_unit_parse(NULL), CW_CASE_DUE_NONE);
}

static void test_risk(void **state)
{
	(void)state;
	static const char *const risks[] = {"political_security", "public_order", "social_conflict",
					    "public_safety", "cyber_security"};
	for (size_t i = 0; i < 5; i++) {
		struct cw_category h = hazard();
		h.risk = risks[i];
		assert_good(&h);
		assert_true(cw_category_risk_valid(risks[i]));
	}
	struct cw_category h = hazard();
	h.risk = "";
	assert_bad(&h, "risk");
	h.risk = NULL;
	assert_bad(&h, "risk");
	h.risk = "public";
	assert_bad(&h, "risk");
	/* Only hazards carry a risk category. */
	struct cw_category c = garbage();
	c.risk = "public_safety";
	assert_bad(&c, "risk");
	assert_true(cw_category_kind_valid("petition"));
	assert_false(cw_category_kind_valid("Petition"));
}

static void test_parent(void **state)
{
	(void)state;
	struct cw_category sub = garbage(), cls = garbage();
	cls.code = "06";
	cls.parent = "";
	cls.name = "市容环境";
	assert_int_equal(cw_category_check_parent(&sub, &cls), CW_EC_OK);
	assert_int_equal(cw_category_check_parent(&cls, NULL), CW_EC_OK); /* a class row */
	assert_int_equal(cw_category_check_parent(&sub, NULL), CW_EC_INVALID_CATEGORY);
	/* The class 07 is not 06010's parent even when named so. */
	struct cw_category other = cls;
	other.code = "07";
	sub.parent = "07";
	assert_int_equal(cw_category_check_parent(&sub, &other), CW_EC_INVALID_CATEGORY);
	/* A subclass cannot be a parent; nor a class of another kind or risk. */
	sub = garbage();
	struct cw_category notcls = garbage();
	notcls.code = "06";
	assert_int_equal(cw_category_check_parent(&sub, &notcls), CW_EC_INVALID_CATEGORY);
	struct cw_category h = hazard(), hcls = hazard();
	hcls.code = "H4";
	hcls.parent = NULL;
	assert_int_equal(cw_category_check_parent(&h, &hcls), CW_EC_OK);
	hcls.risk = "public_order";
	assert_int_equal(cw_category_check_parent(&h, &hcls), CW_EC_INVALID_CATEGORY);
	hcls = hazard();
	hcls.code = "H4";
	hcls.parent = NULL;
	hcls.kind = "dispute";
	assert_int_equal(cw_category_check_parent(&h, &hcls), CW_EC_INVALID_CATEGORY);
}

static void test_same(void **state)
{
	(void)state;
	struct cw_category a = garbage(), b = garbage();
	assert_true(cw_category_same(&a, &b));
	b.departments[CW_LEVEL_GRID] = "";
	b.risk = "";
	assert_true(cw_category_same(&a, &b)); /* NULL and "" are the same */
	b.name = "暴露垃圾（改）";
	assert_false(cw_category_same(&a, &b));
	b = garbage();
	b.deadline.amount = 5;
	assert_false(cw_category_same(&a, &b));
	b = garbage();
	b.departments[CW_LEVEL_TOWN] = "zjj";
	assert_false(cw_category_same(&a, &b));
}

/* ---- the shipped catalogue: every row passes, the DOMAIN.md anchors are exact ---- */

static void catalog_path(char *out, size_t n)
{
	/* __FILE__ is <repo>/tests/unit/test_core_category.c. */
	char here[1024];
	snprintf(here, sizeof here, "%s", __FILE__);
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(here, '/');
		if (!slash)
			fail_msg("cannot find the repository from %s", __FILE__);
		*slash = 0;
	}
	snprintf(out, n, "%s/catalog/categories.csv", here);
}

#define MAXROWS 400

static void test_shipped_catalog(void **state)
{
	(void)state;
	char path[1200];
	catalog_path(path, sizeof path);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	static char lines[MAXROWS][512];
	static struct cw_category rows[MAXROWS];
	int n = 0, lineno = 0, disputes = 0;
	char header[512];
	assert_non_null(fgets(header, sizeof header, f));
	assert_string_equal(header, "code,parent,name,kind,first_level,dept_grid,dept_village,dept_town,"
				    "dept_district,dept_city,deadline_amount,deadline_unit,risk\n");
	lineno = 1;
	while (n < MAXROWS && fgets(lines[n], sizeof lines[n], f)) {
		lineno++;
		char *col[13] = {0}, *p = lines[n];
		p[strcspn(p, "\r\n")] = 0;
		int k = 0;
		/* The shipped file has no quoted fields, so a plain split is enough here. */
		for (; k < 13; k++) {
			col[k] = p;
			char *comma = strchr(p, ',');
			if (!comma)
				break;
			*comma = 0;
			p = comma + 1;
		}
		if (k != 12)
			fail_msg("%s:%d: %d columns", path, lineno, k + 1);
		struct cw_category *c = &rows[n];
		*c = (struct cw_category){.code = col[0], .parent = col[1], .name = col[2],
					  .kind = col[3], .first_level = col[4], .risk = col[12]};
		for (int l = 0; l < CW_LEVEL__COUNT; l++)
			c->departments[CW_LEVEL_GRID - l] = col[5 + l];
		c->deadline.amount = atoi(col[10]);
		c->deadline.unit = cw_category_unit_parse(col[11]);
		const char *field = NULL;
		if (cw_category_check(c, &field) != CW_EC_OK)
			fail_msg("%s:%d (%s): bad %s", path, lineno, c->code, field);
		const struct cw_category *cls = NULL;
		for (int i = 0; i < n; i++) {
			if (strcmp(rows[i].code, c->code) == 0)
				fail_msg("%s:%d: %s twice", path, lineno, c->code);
			if (strcmp(rows[i].code, c->parent) == 0)
				cls = &rows[i];
		}
		if (cw_category_check_parent(c, cls) != CW_EC_OK)
			fail_msg("%s:%d (%s): bad parent", path, lineno, c->code);
		if (strcmp(c->kind, "dispute") == 0 && !cw_category_is_class(c))
			disputes++;
		n++;
	}
	fclose(f);
	assert_true(n >= 40);
	assert_int_equal(disputes, 15); /* DOMAIN.md §4's taxonomy */
	static const char *const anchors[][2] = {
	    {"06010", "暴露垃圾"}, {"07001", "违法小广告"}, {"08001", "施工扰民"}, {"09006", NULL}};
	for (size_t a = 0; a < 4; a++) {
		int i = 0;
		while (i < n && strcmp(rows[i].code, anchors[a][0]) != 0)
			i++;
		if (i == n)
			fail_msg("anchor %s is missing", anchors[a][0]);
		if (anchors[a][1])
			assert_string_equal(rows[i].name, anchors[a][1]);
		else
			assert_non_null(strstr(rows[i].name, "占道经营"));
		assert_string_equal(rows[i].kind, "event");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_rows),	   cmocka_unit_test(test_codes_by_kind),
	    cmocka_unit_test(test_kind_name_level), cmocka_unit_test(test_departments),
	    cmocka_unit_test(test_deadlines),	   cmocka_unit_test(test_risk),
	    cmocka_unit_test(test_parent),	   cmocka_unit_test(test_same),
	    cmocka_unit_test(test_shipped_catalog),
	};
	return cmocka_run_group_tests_name("core_category", tests, NULL, NULL);
}
