/* test_app_escalation_policy.c - the escalation policy's JSON (parse, check field by
 * field, canonical form, category lookup) and the notification texts: the pure parts of
 * app/escalation_policy.c and app/notifications.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app.h"
#include "util/arena.h"

/* Field by field: the structs have padding. */
static void same_policy(const struct cw_escalation_policy *x, const struct cw_escalation_policy *y)
{
	for (int l = 0; l < CW_LEVEL__COUNT; l++) {
		assert_int_equal(x->at[l].warn_permille, y->at[l].warn_permille);
		assert_int_equal(x->at[l].escalate, y->at[l].escalate);
		assert_int_equal(x->at[l].grace, y->at[l].grace);
	}
	assert_int_equal(x->max_escalations, y->max_escalations);
}

static enum cw_ec parse(struct cw_arena *a, const char *text, struct cw_escalation_config *c,
			const char **field)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	enum cw_ec ec = cw_escalation_config_parse(a, j, c, field);
	json_decref(j);
	return ec;
}

static void test_default_and_partial(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	struct cw_escalation_config c;
	const char *field;
	struct cw_escalation_policy def = cw_escalation_policy_default();
	assert_int_equal(parse(a, "{}", &c, &field), CW_EC_OK);
	same_policy(&c.base, &def);
	assert_int_equal(c.ncategories, 0);

	/* A level's fields left out keep the default. */
	assert_int_equal(parse(a, "{\"levels\":{\"town\":{\"grace_hours\":24}},\"max_escalations\":2}",
			       &c, &field),
			 CW_EC_OK);
	assert_int_equal(c.base.at[CW_LEVEL_TOWN].grace, 24 * 3600);
	assert_int_equal(c.base.at[CW_LEVEL_TOWN].warn_permille, 800);
	assert_true(c.base.at[CW_LEVEL_TOWN].escalate);
	assert_false(c.base.at[CW_LEVEL_CITY].escalate);
	assert_int_equal(c.base.max_escalations, 2);
	cw_arena_free(a);
}

static void test_bad_fields(void **state)
{
	(void)state;
	static const struct {
		const char *json, *field;
		enum cw_ec ec;
	} bad[] = {
	    {"{\"levels\":{\"town\":{\"warn_percent\":101}}}", "levels.town.warn_percent", CW_EC_INVALID_FIELD},
	    {"{\"levels\":{\"town\":{\"warn_percent\":-1}}}", "levels.town.warn_percent", CW_EC_INVALID_FIELD},
	    {"{\"levels\":{\"town\":{\"warn_percent\":80.5}}}", "levels.town.warn_percent", CW_EC_INVALID_FIELD},
	    {"{\"levels\":{\"grid\":{\"escalate\":1}}}", "levels.grid.escalate", CW_EC_INVALID_FIELD},
	    {"{\"levels\":{\"grid\":{\"grace_hours\":8761}}}", "levels.grid.grace_hours", CW_EC_INVALID_FIELD},
	    {"{\"levels\":{\"grid\":{\"colour\":1}}}", "levels.grid.colour", CW_EC_UNKNOWN_FIELD},
	    {"{\"levels\":{\"county\":{}}}", "levels.county", CW_EC_UNKNOWN_FIELD},
	    {"{\"levels\":[]}", "levels", CW_EC_INVALID_FIELD},
	    {"{\"levels\":{\"town\":true}}", "levels.town", CW_EC_INVALID_FIELD},
	    {"{\"max_escalations\":5}", "max_escalations", CW_EC_INVALID_FIELD},
	    {"{\"categories\":{\"01-x\":{}}}", "categories.01-x", CW_EC_INVALID_FIELD},
	    {"{\"categories\":{\"01\":{\"levels\":{\"town\":{\"escalate\":\"no\"}}}}}",
	     "categories.01.levels.town.escalate", CW_EC_INVALID_FIELD},
	    {"{\"categories\":{\"01\":{\"bogus\":1}}}", "categories.01.bogus", CW_EC_UNKNOWN_FIELD},
	    {"{\"extra\":1}", "extra", CW_EC_UNKNOWN_FIELD},
	};
	struct cw_arena *a = cw_arena_new();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cw_escalation_config c;
		const char *field = NULL;
		assert_int_equal(parse(a, bad[i].json, &c, &field), bad[i].ec);
		assert_non_null(field);
		assert_string_equal(field, bad[i].field);
	}
	cw_arena_free(a);
}

static void test_categories_and_round_trip(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	struct cw_escalation_config c, again;
	const char *field;
	assert_int_equal(
	    parse(a,
		  "{\"levels\":{\"district\":{\"warn_percent\":70}},"
		  "\"categories\":{\"01\":{\"levels\":{\"district\":{\"escalate\":false}}},"
		  "\"01001\":{\"max_escalations\":1}}}",
		  &c, &field),
	    CW_EC_OK);
	assert_int_equal(c.ncategories, 2);
	/* The longest prefix wins; an override starts from the base. */
	const struct cw_escalation_policy *p = cw_escalation_config_for(&c, "01002");
	assert_false(p->at[CW_LEVEL_DISTRICT].escalate);
	assert_int_equal(p->at[CW_LEVEL_DISTRICT].warn_permille, 700);
	p = cw_escalation_config_for(&c, "01001");
	assert_int_equal(p->max_escalations, 1);
	assert_true(p->at[CW_LEVEL_DISTRICT].escalate);
	assert_ptr_equal(cw_escalation_config_for(&c, "06010"), &c.base);
	assert_ptr_equal(cw_escalation_config_for(&c, NULL), &c.base);

	/* The canonical JSON parses back to the same policies. */
	json_t *j = cw_escalation_config_json(&c);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(j, "levels"), "grid"), "warn_percent")),
			 80);
	assert_int_equal(cw_escalation_config_parse(a, j, &again, &field), CW_EC_OK);
	json_decref(j);
	same_policy(&again.base, &c.base);
	assert_int_equal(again.ncategories, 2);
	for (int i = 0; i < 2; i++)
		same_policy(cw_escalation_config_for(&again, c.categories[i].category),
			    &c.categories[i].policy);
	cw_arena_free(a);
}

static void test_notification_text(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	struct cw_notification nt = {.number = "2026112700001", .what = "overdue", .level = "town"};
	assert_string_equal(cw_notification_text(a, &nt, CW_LANG_ZH), "案件 2026112700001 已超期");
	assert_string_equal(cw_notification_text(a, &nt, CW_LANG_EN), "Case 2026112700001 is overdue");
	nt.what = "warn";
	assert_string_equal(cw_notification_text(a, &nt, CW_LANG_ZH), "案件 2026112700001 即将超期");
	nt.what = "escalate.overdue";
	nt.level = "district";
	assert_string_equal(cw_notification_text(a, &nt, CW_LANG_ZH),
			    "案件 2026112700001 逾期未办结，已提级至区县级办理");
	assert_string_equal(cw_notification_text(a, &nt, CW_LANG_EN),
			    "Case 2026112700001 is overdue and was escalated to district level");
	nt.what = "dispatch";
	assert_non_null(strstr(cw_notification_text(a, &nt, CW_LANG_ZH), "2026112700001"));
	cw_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_and_partial),
	    cmocka_unit_test(test_bad_fields),
	    cmocka_unit_test(test_categories_and_round_trip),
	    cmocka_unit_test(test_notification_text),
	};
	return cmocka_run_group_tests_name("app_escalation_policy", tests, NULL, NULL);
}
