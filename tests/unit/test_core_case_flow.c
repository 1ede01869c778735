/* test_core_case_flow.c - unit tests of core/case_flow and core/escalation: the loop, every
 * side path, the permission table for every role and status, bad input, the kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/case_flow.h"
#include "core/escalation.h"

#define B(x) (1ull << CW_CASE_ACT_##x)
#define ALL_WINDOWS 0xffffffffu

static const struct cw_case_kind *EV;

/* ---- helpers ---- */

/* An actor with one role and every relation to the case. */
static struct cw_case_actor who(enum cw_role role)
{
	return (struct cw_case_actor){
	    .roles = 1u << role,
	    .in_scope = true,
	    .level_ok = true,
	    .department = true,
	    .grid_worker = true,
	    .reporter = true,
	};
}

static const struct cw_case_actor SCHED = {.roles = CW_CASE_SYSTEM};

/* A case in `status` with nothing pending, handled at town level, every window open. */
static struct cw_case_state in_status(int status)
{
	struct cw_case_state s = {
	    .id = 1,
	    .status = status,
	    .level = CW_LEVEL_TOWN,
	    .department = 7,
	    .windows_open = ALL_WINDOWS,
	};
	if (status == CW_CASE_ST_SUSPENDED)
		s.resume_status = CW_CASE_ST_IN_PROGRESS;
	return s;
}

static void assert_same_state(const struct cw_case_state *a, const struct cw_case_state *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->resume_status, b->resume_status);
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->department, b->department);
	assert_int_equal(a->merged_into, b->merged_into);
	assert_int_equal(a->clock, b->clock);
	assert_int_equal(a->overdue, b->overdue);
	assert_int_equal(a->warned, b->warned);
	assert_int_equal(a->supervised, b->supervised);
	assert_int_equal(a->extension_pending, b->extension_pending);
	assert_int_equal(a->extension_days_asked, b->extension_days_asked);
	assert_int_equal(a->extensions, b->extensions);
	assert_int_equal(a->extension_days, b->extension_days);
	assert_int_equal(a->reworks, b->reworks);
	assert_int_equal(a->escalations, b->escalations);
	assert_int_equal(a->ratings, b->ratings);
	assert_int_equal(a->rating, b->rating);
	assert_int_equal(a->rectifications, b->rectifications);
	assert_int_equal(a->kind_flags, b->kind_flags);
	assert_int_equal(a->windows_open, b->windows_open);
}

static int act(const struct cw_case_kind *k, const char *name)
{
	int a = cw_case_action_parse(k, name);
	if (!a)
		fail_msg("kind %s has no action \"%s\"", k->name, name);
	return a;
}

static int status(const struct cw_case_kind *k, const char *name)
{
	int s = cw_case_status_parse(k, name);
	if (!s)
		fail_msg("kind %s has no status \"%s\"", k->name, name);
	return s;
}

/* "register,reject" -> set */
static cw_case_actions set_of(const struct cw_case_kind *k, const char *csv)
{
	cw_case_actions set = 0;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", csv);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		set |= 1ull << act(k, t);
	return set;
}

static void assert_allowed(const struct cw_case_kind *k, const struct cw_case_state *s,
			   const struct cw_case_actor *a, const char *want)
{
	cw_case_actions got = cw_case_allowed(k, s, a);
	cw_case_actions exp = set_of(k, want);
	if (got != exp) {
		char g[512], e[512];
		cw_case_actions_format(k, got, g, sizeof g);
		cw_case_actions_format(k, exp, e, sizeof e);
		fail_msg("%s in %s: allowed {%s}, want {%s}", k->name,
			 cw_case_status_name(k, s->status), g, e);
	}
}

/* Apply and expect success; *s becomes the new state. Also checks that what apply
 * accepts is what allowed listed. */
static struct cw_case_effects ok(const struct cw_case_kind *k, struct cw_case_state *s,
				 const struct cw_case_actor *a, int action,
				 const struct cw_case_action_input *in)
{
	struct cw_case_effects fx;
	struct cw_case_state out;
	if (!(cw_case_allowed(k, s, a) & 1ull << action))
		fail_msg("%s not listed in %s", cw_case_action_name(k, action),
			 cw_case_status_name(k, s->status));
	enum cw_ec ec = cw_case_apply(k, s, a, action, in, &out, &fx);
	if (ec != CW_EC_OK)
		fail_msg("%s in %s: %s (field %s)", cw_case_action_name(k, action),
			 cw_case_status_name(k, s->status), cw_ec_name(ec),
			 fx.field ? fx.field : "-");
	assert_int_equal(fx.action, action);
	assert_int_equal(fx.status_before, s->status);
	assert_int_equal(fx.status_after, out.status);
	assert_int_equal(fx.level_before, s->level);
	assert_int_equal(fx.level_after, out.level);
	*s = out;
	return fx;
}

/* Apply and expect `want`; the state must come back untouched. */
static const char *refused(const struct cw_case_kind *k, const struct cw_case_state *s,
			   const struct cw_case_actor *a, int action,
			   const struct cw_case_action_input *in, enum cw_ec want)
{
	static struct cw_case_effects fx;
	struct cw_case_state out;
	memset(&out, 0x5a, sizeof out);
	enum cw_ec ec = cw_case_apply(k, s, a, action, in, &out, &fx);
	if (ec != want)
		fail_msg("%s in %s: %s, want %s", cw_case_action_name(k, action),
			 cw_case_status_name(k, s->status), cw_ec_name(ec), cw_ec_name(want));
	assert_same_state(&out, s);
	/* In place too. */
	struct cw_case_state same = *s;
	assert_int_equal(cw_case_apply(k, &same, a, action, in, &same, &fx), want);
	assert_same_state(&same, s);
	return fx.field;
}

/* ---- names ---- */

static void test_names(void **state)
{
	(void)state;
	static const char *const statuses[] = {"reported", "registered", "rejected",
					       "dispatched", "in_progress", "resolved",
					       "closed",   "suspended",  "merged"};
	static const char *const actions[] = {
	    "register",		 "reject", "dispatch", "accept",   "return",   "request_extension",
	    "approve_extension", "deny_extension", "report_result", "verify",   "suspend",
	    "resume",		 "supervise", "escalate", "merge", "rate"};
	assert_int_equal(cw_case_status_count(EV), 10);
	assert_int_equal(cw_case_action_count(EV), 17);
	for (int i = 0; i < 9; i++) {
		assert_string_equal(cw_case_status_name(EV, i + 1), statuses[i]);
		assert_int_equal(cw_case_status_parse(EV, statuses[i]), i + 1);
	}
	for (int i = 0; i < 16; i++) {
		assert_string_equal(cw_case_action_name(EV, i + 1), actions[i]);
		assert_int_equal(cw_case_action_parse(EV, actions[i]), i + 1);
	}
	assert_int_equal(cw_case_status_parse(EV, "Reported"), 0);
	assert_int_equal(cw_case_status_parse(EV, ""), 0);
	assert_int_equal(cw_case_status_parse(EV, NULL), 0);
	assert_int_equal(cw_case_status_parse(EV, "reviewing"), 0); /* a petition's */
	assert_int_equal(cw_case_action_parse(EV, "close"), 0);
	assert_int_equal(cw_case_action_parse(EV, "mediate"), 0); /* a dispute's */
	assert_int_equal(cw_case_action_parse(EV, NULL), 0);
	assert_null(cw_case_status_name(EV, 0));
	assert_null(cw_case_status_name(EV, 10));
	assert_null(cw_case_status_name(EV, -1));
	assert_null(cw_case_action_name(EV, 0));
	assert_null(cw_case_action_name(EV, 17));
	assert_string_equal(cw_case_phase_name(EV, CW_CASE_PH_HANDLE), "handle");
	assert_null(cw_case_phase_name(EV, CW_CASE_PH__BASE));

	const struct cw_case_kind *pet = cw_case_kind_petition();
	assert_string_equal(cw_case_status_name(pet, status(pet, "reviewing")), "reviewing");
	assert_true(status(pet, "reviewing") >= CW_CASE_ST__BASE);
	assert_true(act(pet, "decide_re_review") >= CW_CASE_ACT__BASE);
	assert_int_equal(cw_case_status_parse(pet, "registered"), CW_CASE_ST_REGISTERED);
	assert_string_equal(cw_case_phase_name(pet, CW_CASE_PH__BASE), "review");

	char buf[64];
	cw_case_actions_format(EV, B(REGISTER) | B(REJECT) | B(MERGE), buf, sizeof buf);
	assert_string_equal(buf, "register,reject,merge");
	cw_case_actions_format(EV, 0, buf, sizeof buf);
	assert_string_equal(buf, "");
	cw_case_actions_format(EV, B(REGISTER) | B(REJECT), buf, 12); /* cut at a comma */
	assert_string_equal(buf, "register");

	static const char *const kinds[] = {"event", "service", "hazard", "petition", "dispute"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const struct cw_case_kind *k = cw_case_kind_find(kinds[i]);
		assert_non_null(k);
		assert_string_equal(k->name, kinds[i]);
		if (!cw_case_kind_valid(k))
			fail_msg("kind %s is not consistent", kinds[i]);
	}
	assert_ptr_equal(cw_case_kind_find("event"), cw_case_kind_event());
	assert_ptr_equal(cw_case_kind_find("dispute"), cw_case_kind_dispute());
	assert_null(cw_case_kind_find("Event"));
	assert_null(cw_case_kind_find(NULL));
}

/* cw_case_kind_valid catches the mistakes a new kind module could make. */
static void test_kind_valid(void **state)
{
	(void)state;
	struct cw_case_kind k = *EV;
	assert_true(cw_case_kind_valid(&k));

	struct cw_case_rule bad_window = {CW_CASE_ACT_ACCEPT, 1ull << CW_CASE_ST_DISPATCHED, 0,
					  1u << CW_ROLE_DEPARTMENT, CW_CASE_REL_DEPARTMENT,
					  .window = 5, .to = CW_CASE_ST_IN_PROGRESS};
	k.rules = &bad_window;
	k.n_rules = 1;
	assert_false(cw_case_kind_valid(&k));

	struct cw_case_rule bad_to = {CW_CASE_ACT_ACCEPT, 1ull << CW_CASE_ST_DISPATCHED, 0,
				      1u << CW_ROLE_DEPARTMENT, CW_CASE_REL_DEPARTMENT,
				      .to = CW_CASE_ST__BASE};
	k.rules = &bad_to;
	assert_false(cw_case_kind_valid(&k));

	struct cw_case_rule bad_action = {CW_CASE_ACT__BASE, 1ull << CW_CASE_ST_DISPATCHED};
	k.rules = &bad_action;
	assert_false(cw_case_kind_valid(&k));

	struct cw_case_rule no_status = {CW_CASE_ACT_ACCEPT, 0, 0, 1u << CW_ROLE_DEPARTMENT};
	k.rules = &no_status;
	assert_false(cw_case_kind_valid(&k));

	k = *EV;
	static const struct cw_case_status_def dup[] = {{"closed", 0, 0}};
	k.statuses = dup;
	k.n_statuses = 1;
	assert_false(cw_case_kind_valid(&k)); /* a name twice */

	k = *EV;
	k.limits.max_extensions = -1;
	assert_false(cw_case_kind_valid(&k));

	k = *EV;
	k.window[CW_CASE_WIN_RETURN].name = NULL;
	assert_false(cw_case_kind_valid(&k));
	assert_false(cw_case_kind_valid(NULL));
}

static void test_ratings(void **state)
{
	(void)state;
	assert_int_equal(cw_case_rating_class(5), CW_RATING_GOOD);
	assert_int_equal(cw_case_rating_class(4), CW_RATING_GOOD);
	assert_int_equal(cw_case_rating_class(3), CW_RATING_NEUTRAL);
	assert_int_equal(cw_case_rating_class(2), CW_RATING_BAD);
	assert_int_equal(cw_case_rating_class(1), CW_RATING_BAD);
	assert_int_equal(cw_case_rating_class(0), CW_RATING_INVALID);
	assert_int_equal(cw_case_rating_class(6), CW_RATING_INVALID);
	assert_int_equal(cw_case_rating_class(-3), CW_RATING_INVALID);
	assert_string_equal(cw_case_rating_name(5), "非常满意");
	assert_string_equal(cw_case_rating_name(4), "满意");
	assert_string_equal(cw_case_rating_name(3), "基本满意");
	assert_string_equal(cw_case_rating_name(2), "不满意");
	assert_string_equal(cw_case_rating_name(1), "非常不满意");
	assert_null(cw_case_rating_name(0));
	assert_null(cw_case_rating_name(6));
}

/* ---- the loop ---- */

static void test_whole_loop(void **state)
{
	(void)state;
	struct cw_case_state s;
	struct cw_case_effects fx;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER), dept = who(CW_ROLE_DEPARTMENT),
			     gw = who(CW_ROLE_GRID_WORKER), cit = who(CW_ROLE_CITIZEN);

	cw_case_open(EV, CW_LEVEL_TOWN, &s, &fx);
	s.id = 11;
	s.windows_open = ALL_WINDOWS;
	assert_int_equal(s.status, CW_CASE_ST_REPORTED);
	assert_int_equal(s.level, CW_LEVEL_TOWN);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_REGISTER);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DISPATCHER);
	assert_string_equal(fx.what, "report");
	assert_int_equal(cw_case_deadline(EV, CW_CASE_PH_REGISTER).unit,
			 CW_CASE_DUE_WORKING_HOURS);

	fx = ok(EV, &s, &disp, CW_CASE_ACT_REGISTER, NULL);
	assert_int_equal(s.status, CW_CASE_ST_REGISTERED);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_DISPATCH);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_REPORTER);
	assert_string_equal(fx.what, "register");

	fx = ok(EV, &s, &disp, CW_CASE_ACT_DISPATCH,
		&(struct cw_case_action_input){.department = 42});
	assert_int_equal(s.status, CW_CASE_ST_DISPATCHED);
	assert_int_equal(s.department, 42);
	/* The deadline clock starts at dispatch (DOMAIN.md §2). */
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_HANDLE);
	assert_int_equal(s.clock, CW_CASE_PH_HANDLE);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT);
	assert_int_equal(cw_case_deadline(EV, CW_CASE_PH_HANDLE).unit, CW_CASE_DUE_WORKING_DAYS);
	assert_int_equal(cw_case_deadline(EV, CW_CASE_PH_HANDLE).amount, 5);

	fx = ok(EV, &s, &dept, CW_CASE_ACT_ACCEPT, NULL);
	assert_int_equal(s.status, CW_CASE_ST_IN_PROGRESS);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP); /* still the dispatch deadline */
	assert_int_equal(fx.phase, CW_CASE_PH_HANDLE);
	assert_int_equal(s.clock, CW_CASE_PH_HANDLE);

	fx = ok(EV, &s, &dept, CW_CASE_ACT_REPORT_RESULT,
		&(struct cw_case_action_input){.result = "已清理"});
	assert_int_equal(s.status, CW_CASE_ST_RESOLVED);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_VERIFY);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DISPATCHER | CW_CASE_NOTIFY_GRID_WORKER);

	/* The grid worker checks on site and closes. */
	fx = ok(EV, &s, &gw, CW_CASE_ACT_VERIFY, &(struct cw_case_action_input){.fixed = true});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_STOP);
	assert_int_equal(s.clock, CW_CASE_PH_NONE);
	assert_false(fx.rework);
	assert_string_equal(fx.what, "verify.fixed");
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_REPORTER | CW_CASE_NOTIFY_DEPARTMENT);
	assert_int_equal(s.reworks, 0);

	assert_allowed(EV, &s, &cit, "rate");
	fx = ok(EV, &s, &cit, CW_CASE_ACT_RATE,
		&(struct cw_case_action_input){.rating = 5, .comment = "很快"});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);
	assert_int_equal(s.rating, 5);
	assert_int_equal(s.ratings, 1);
	assert_false(fx.rectification);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_string_equal(fx.what, "rate.good");
	assert_int_equal(fx.notify, 0);
	/* A good rating is final. */
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		struct cw_case_actor a = who((enum cw_role)r);
		assert_allowed(EV, &s, &a, "");
	}
	refused(EV, &s, &cit, CW_CASE_ACT_RATE, &(struct cw_case_action_input){.rating = 1},
		CW_EC_ACTION_NOT_ALLOWED);
}

/* ---- the one table, for every role and status ---- */

struct expect {
	const char *role, *status, *actions;
};

/* Event, service, hazard: nothing pending, every window open, at town level. Pairs not
 * listed allow nothing. */
static const struct expect event_table[] = {
    {"dispatcher", "reported", "register,reject,merge"},
    {"dispatcher", "registered", "dispatch,suspend,supervise,escalate,merge"},
    {"dispatcher", "dispatched", "suspend,supervise,escalate,merge"},
    {"dispatcher", "in_progress", "suspend,supervise,escalate,merge"},
    {"dispatcher", "resolved", "verify,suspend,supervise,escalate,merge"},
    {"dispatcher", "suspended", "resume"},
    {"leader", "registered", "supervise,escalate"},
    {"leader", "dispatched", "supervise,escalate"},
    {"leader", "in_progress", "supervise,escalate"},
    {"leader", "resolved", "supervise,escalate"},
    {"department", "dispatched", "accept,return"},
    {"department", "in_progress", "return,request_extension,report_result"},
    {"grid_worker", "resolved", "verify"},
    {"citizen", "closed", "rate"},
};

static const struct expect petition_table[] = {
    {"petition_officer", "reported", "register,reject,merge"},
    {"petition_officer", "registered", "dispatch,suspend,supervise,merge"},
    {"petition_officer", "dispatched", "suspend,supervise,merge"},
    {"petition_officer", "in_progress", "suspend,supervise,merge"},
    {"petition_officer", "resolved", "verify,suspend,supervise,merge"},
    {"petition_officer", "suspended", "resume"},
    {"petition_officer", "reviewing", "decide_review,suspend,supervise,merge"},
    {"petition_officer", "re_reviewing", "decide_re_review,suspend,supervise,merge"},
    {"leader", "registered", "supervise"},
    {"leader", "dispatched", "supervise"},
    {"leader", "in_progress", "supervise"},
    {"leader", "resolved", "supervise"},
    {"leader", "reviewing", "supervise"},
    {"leader", "re_reviewing", "supervise"},
    {"department", "dispatched", "accept,return"},
    {"department", "in_progress", "return,request_extension,report_result"},
    {"citizen", "closed", "rate,request_review"},
    {"citizen", "reviewed", "request_re_review"},
};

#define OPEN_DISPUTE "suspend,supervise,escalate,merge"
static const struct expect dispute_table[] = {
    {"dispatcher", "reported", "register,reject,merge"},
    {"dispatcher", "registered", "dispatch," OPEN_DISPUTE},
    {"dispatcher", "dispatched", OPEN_DISPUTE},
    {"dispatcher", "in_progress", OPEN_DISPUTE},
    {"dispatcher", "resolved", "verify," OPEN_DISPUTE},
    {"dispatcher", "suspended", "resume"},
    {"dispatcher", "mediating", OPEN_DISPUTE},
    {"dispatcher", "agreement", OPEN_DISPUTE},
    {"dispatcher", "failed", OPEN_DISPUTE},
    {"dispatcher", "confirmed", OPEN_DISPUTE},
    {"leader", "registered", "supervise,escalate"},
    {"leader", "dispatched", "supervise,escalate"},
    {"leader", "in_progress", "supervise,escalate"},
    {"leader", "resolved", "supervise,escalate"},
    {"leader", "mediating", "supervise,escalate"},
    {"leader", "agreement", "supervise,escalate"},
    {"leader", "failed", "supervise,escalate"},
    {"leader", "confirmed", "supervise,escalate"},
    {"mediator", "dispatched", "accept,return"},
    {"mediator", "in_progress", "return,request_extension,mediate"},
    {"mediator", "mediating", "request_extension,agree,fail"},
    {"mediator", "agreement", "confirm,report_result"},
    {"mediator", "failed", "report_result"},
    {"mediator", "confirmed", "report_result"},
    {"grid_worker", "resolved", "verify"},
    {"citizen", "closed", "rate"},
};

static const char *expected(const struct expect *t, size_t n, const char *role, const char *st)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].role, role) == 0 && strcmp(t[i].status, st) == 0)
			return t[i].actions;
	return "";
}

static void check_table(const struct cw_case_kind *k, const struct expect *t, size_t n)
{
	/* Every entry names a real role and status (a typo would pass silently). */
	for (size_t i = 0; i < n; i++) {
		assert_true(cw_role_parse(t[i].role) >= 0);
		status(k, t[i].status);
		set_of(k, t[i].actions);
	}
	for (int r = 0; r < CW_ROLE__COUNT; r++)
		for (int st = 1; st < cw_case_status_count(k); st++) {
			struct cw_case_state s = in_status(st);
			struct cw_case_actor a = who((enum cw_role)r);
			const char *want = expected(t, n, cw_role_name((enum cw_role)r),
						    cw_case_status_name(k, st));
			cw_case_actions got = cw_case_allowed(k, &s, &a);
			if (got != set_of(k, want)) {
				char g[512];
				cw_case_actions_format(k, got, g, sizeof g);
				fail_msg("%s: %s in %s may {%s}, the table says {%s}", k->name,
					 cw_role_name((enum cw_role)r), cw_case_status_name(k, st),
					 g, want);
			}
			/* And apply agrees with the list for every action, allowed or not
			 * (inputs that satisfy every action's needs). */
			struct cw_case_action_input in = {.reason = "r", .result = "r",
							  .department = 3, .days = 1,
							  .into = 2, .rating = 4};
			for (int ac = 1; ac < cw_case_action_count(k); ac++) {
				struct cw_case_state out;
				struct cw_case_effects fx;
				enum cw_ec ec = cw_case_apply(k, &s, &a, ac, &in, &out, &fx);
				if ((ec == CW_EC_OK) != !!(got & 1ull << ac))
					fail_msg("%s: %s %s in %s: apply says %s", k->name,
						 cw_role_name((enum cw_role)r),
						 cw_case_action_name(k, ac),
						 cw_case_status_name(k, st), cw_ec_name(ec));
			}
		}
}

static void test_table_event(void **state)
{
	(void)state;
	check_table(EV, event_table, sizeof event_table / sizeof event_table[0]);
	check_table(cw_case_kind_find("service"), event_table,
		    sizeof event_table / sizeof event_table[0]);
	check_table(cw_case_kind_find("hazard"), event_table,
		    sizeof event_table / sizeof event_table[0]);
}

static void test_table_petition(void **state)
{
	(void)state;
	check_table(cw_case_kind_petition(), petition_table,
		    sizeof petition_table / sizeof petition_table[0]);
}

static void test_table_dispute(void **state)
{
	(void)state;
	check_table(cw_case_kind_dispute(), dispute_table,
		    sizeof dispute_table / sizeof dispute_table[0]);
}

/* Sub-states change the list the same way for everyone. */
static void test_table_substates(void **state)
{
	(void)state;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER), dept = who(CW_ROLE_DEPARTMENT);
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.extension_pending = true;
	s.extension_days_asked = 3;
	assert_allowed(EV, &s, &disp,
		       "approve_extension,deny_extension,suspend,supervise,escalate,merge");
	assert_allowed(EV, &s, &dept, "return,report_result");
	s.extension_pending = false;
	s.supervised = true;
	assert_allowed(EV, &s, &disp, "suspend,escalate,merge");
	s.level = CW_LEVEL_CITY;
	assert_allowed(EV, &s, &disp, "suspend,merge");
	s.windows_open = 0;
	assert_allowed(EV, &s, &dept, "request_extension,report_result");
	s.extensions = EV->limits.max_extensions;
	assert_allowed(EV, &s, &dept, "report_result");
	/* The scheduler may supervise and escalate and nothing else. */
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	assert_allowed(EV, &s, &SCHED, "supervise,escalate");
	s.status = CW_CASE_ST_REPORTED;
	assert_allowed(EV, &s, &SCHED, "");
	/* A status the kind does not know allows nothing. */
	s.status = 40;
	assert_allowed(EV, &s, &disp, "");
	s.status = 0;
	assert_allowed(EV, &s, &disp, "");
}

/* Several roles: exactly the union of what each may do. */
static void test_table_roles_union(void **state)
{
	(void)state;
	const struct cw_case_kind *kinds[] = {EV, cw_case_kind_petition(),
					      cw_case_kind_dispute()};
	for (size_t i = 0; i < 3; i++)
		for (int st = 1; st < cw_case_status_count(kinds[i]); st++)
			for (int r1 = 0; r1 < CW_ROLE__COUNT; r1++)
				for (int r2 = r1 + 1; r2 < CW_ROLE__COUNT; r2++) {
					struct cw_case_state s = in_status(st);
					struct cw_case_actor a = who((enum cw_role)r1);
					struct cw_case_actor b = who((enum cw_role)r2);
					struct cw_case_actor ab = a;
					ab.roles |= b.roles;
					assert_int_equal(cw_case_allowed(kinds[i], &s, &ab),
							 cw_case_allowed(kinds[i], &s, &a) |
							     cw_case_allowed(kinds[i], &s, &b));
				}
}

/* Without the relation a row asks for, a role gets nothing: out of scope, above one's
 * level, not the case's department, grid or reporter. */
static void test_out_of_scope(void **state)
{
	(void)state;
	const struct cw_case_kind *kinds[] = {EV, cw_case_kind_petition(),
					      cw_case_kind_dispute()};
	for (size_t i = 0; i < 3; i++)
		for (int st = 1; st < cw_case_status_count(kinds[i]); st++)
			for (int r = 0; r < CW_ROLE__COUNT; r++) {
				const struct cw_case_kind *k = kinds[i];
				struct cw_case_state s = in_status(st);
				struct cw_case_actor none = {.roles = 1u << r};
				assert_allowed(k, &s, &none, "");
				struct cw_case_actor a = who((enum cw_role)r);
				cw_case_actions full = cw_case_allowed(k, &s, &a);
				/* Each relation taken away in turn removes only what needs it. */
				struct cw_case_actor out = a;
				out.in_scope = false;
				struct cw_case_actor low = a;
				low.level_ok = false;
				struct cw_case_actor nodept = a;
				nodept.department = false;
				struct cw_case_actor nogrid = a;
				nogrid.grid_worker = false;
				struct cw_case_actor stranger = a;
				stranger.reporter = false;
				cw_case_actions o = cw_case_allowed(k, &s, &out);
				assert_int_equal(o, cw_case_allowed(k, &s, &low));
				switch (r) {
				case CW_ROLE_DISPATCHER:
				case CW_ROLE_LEADER:
				case CW_ROLE_PETITION_OFFICER:
					assert_int_equal(o, 0);
					assert_int_equal(cw_case_allowed(k, &s, &nodept), full);
					assert_int_equal(cw_case_allowed(k, &s, &stranger), full);
					break;
				case CW_ROLE_DEPARTMENT:
				case CW_ROLE_MEDIATOR:
					/* A department acts on what it was sent, wherever it is. */
					assert_int_equal(o, full);
					assert_int_equal(cw_case_allowed(k, &s, &nodept), 0);
					break;
				case CW_ROLE_GRID_WORKER:
					assert_int_equal(o, full);
					assert_int_equal(cw_case_allowed(k, &s, &nogrid), 0);
					break;
				case CW_ROLE_CITIZEN:
					assert_int_equal(o, full);
					assert_int_equal(cw_case_allowed(k, &s, &stranger), 0);
					break;
				default:
					assert_int_equal(full, 0);
				}
			}
}

/* ---- side paths ---- */

static void test_reject(void **state)
{
	(void)state;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER);
	struct cw_case_state s = in_status(CW_CASE_ST_REPORTED);
	s.clock = CW_CASE_PH_REGISTER;
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_REJECT, NULL, CW_EC_MISSING_FIELD),
			    "reason");
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_REJECT,
				    &(struct cw_case_action_input){.reason = " \t\n　"},
				    CW_EC_MISSING_FIELD),
			    "reason");
	struct cw_case_effects fx = ok(EV, &s, &disp, CW_CASE_ACT_REJECT,
				       &(struct cw_case_action_input){.reason = "重复上报"});
	assert_int_equal(s.status, CW_CASE_ST_REJECTED);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_STOP);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_REPORTER);
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		struct cw_case_actor a = who((enum cw_role)r);
		assert_allowed(EV, &s, &a, "");
	}
	assert_allowed(EV, &s, &SCHED, "");
}

static void test_return_window(void **state)
{
	(void)state;
	struct cw_case_actor dept = who(CW_ROLE_DEPARTMENT);
	const struct cw_case_action_input why = {.reason = "不属于本部门职责"};
	for (int from = CW_CASE_ST_DISPATCHED; from <= CW_CASE_ST_IN_PROGRESS; from++) {
		struct cw_case_state s = in_status(from);
		s.clock = CW_CASE_PH_HANDLE;
		s.department = 42;
		s.overdue = true;

		/* Past the 5 working days: refused, and not listed. */
		s.windows_open = ALL_WINDOWS & ~(1u << CW_CASE_WIN_RETURN);
		assert_false(cw_case_allowed(EV, &s, &dept) & B(RETURN));
		refused(EV, &s, &dept, CW_CASE_ACT_RETURN, &why, CW_EC_ACTION_WINDOW_CLOSED);
		/* A closed window says so only to those who could otherwise return. */
		struct cw_case_actor disp = who(CW_ROLE_DISPATCHER);
		refused(EV, &s, &disp, CW_CASE_ACT_RETURN, &why, CW_EC_ACTION_NOT_ALLOWED);

		s.windows_open = 1u << CW_CASE_WIN_RETURN;
		assert_string_equal(
		    refused(EV, &s, &dept, CW_CASE_ACT_RETURN, NULL, CW_EC_MISSING_FIELD),
		    "reason");
		struct cw_case_effects fx = ok(EV, &s, &dept, CW_CASE_ACT_RETURN, &why);
		assert_int_equal(s.status, CW_CASE_ST_REGISTERED);
		assert_int_equal(s.department, 0);
		assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
		assert_int_equal(fx.phase, CW_CASE_PH_DISPATCH);
		assert_false(s.overdue);
		assert_int_equal(fx.notify, CW_CASE_NOTIFY_DISPATCHER);
		assert_string_equal(fx.what, "return");
		/* Back with the dispatcher, who sends it elsewhere. */
		assert_allowed(EV, &s, &dept, "");
		ok(EV, &s, &disp, CW_CASE_ACT_DISPATCH,
		   &(struct cw_case_action_input){.department = 43});
		assert_int_equal(s.department, 43);
	}
}

static void test_extension(void **state)
{
	(void)state;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER), dept = who(CW_ROLE_DEPARTMENT);
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	s.warned = true;
	s.overdue = true;
	const int ask = CW_CASE_ACT_REQUEST_EXTENSION;

	/* Nothing pending: nothing to approve. */
	refused(EV, &s, &disp, CW_CASE_ACT_APPROVE_EXTENSION, NULL, CW_EC_ACTION_NOT_ALLOWED);
	refused(EV, &s, &disp, CW_CASE_ACT_DENY_EXTENSION, NULL, CW_EC_ACTION_NOT_ALLOWED);
	/* Bad requests. */
	assert_string_equal(refused(EV, &s, &dept, ask,
				    &(struct cw_case_action_input){.days = 0, .reason = "x"},
				    CW_EC_INVALID_FIELD),
			    "days");
	assert_string_equal(refused(EV, &s, &dept, ask,
				    &(struct cw_case_action_input){.days = -2, .reason = "x"},
				    CW_EC_INVALID_FIELD),
			    "days");
	assert_string_equal(
	    refused(EV, &s, &dept, ask,
		    &(struct cw_case_action_input){.days = EV->limits.max_extension_days + 1,
						   .reason = "x"},
		    CW_EC_INVALID_FIELD),
	    "days");
	assert_string_equal(refused(EV, &s, &dept, ask, &(struct cw_case_action_input){.days = 3},
				    CW_EC_MISSING_FIELD),
			    "reason");
	/* The dispatcher cannot ask, the department cannot grant. */
	refused(EV, &s, &disp, ask, &(struct cw_case_action_input){.days = 3, .reason = "x"},
		CW_EC_ACTION_NOT_ALLOWED);

	struct cw_case_effects fx =
	    ok(EV, &s, &dept, ask,
	       &(struct cw_case_action_input){.days = 10, .reason = "待材料"});
	assert_true(s.extension_pending);
	assert_int_equal(s.extension_days_asked, 10);
	assert_int_equal(s.status, CW_CASE_ST_IN_PROGRESS);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DISPATCHER);
	/* One request at a time. */
	assert_false(cw_case_allowed(EV, &s, &dept) & B(REQUEST_EXTENSION));
	refused(EV, &s, &dept, ask, &(struct cw_case_action_input){.days = 3, .reason = "x"},
		CW_EC_ACTION_NOT_ALLOWED);
	refused(EV, &s, &dept, CW_CASE_ACT_APPROVE_EXTENSION, NULL, CW_EC_ACTION_NOT_ALLOWED);

	fx = ok(EV, &s, &disp, CW_CASE_ACT_APPROVE_EXTENSION, NULL);
	assert_false(s.extension_pending);
	assert_int_equal(s.extensions, 1);
	assert_int_equal(s.extension_days, 10);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_EXTEND);
	assert_int_equal(fx.days, 10);
	assert_int_equal(fx.phase, CW_CASE_PH_HANDLE);
	assert_false(s.overdue); /* a new deadline */
	assert_false(s.warned);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT);

	ok(EV, &s, &dept, ask, &(struct cw_case_action_input){.days = 5, .reason = "x"});
	fx = ok(EV, &s, &disp, CW_CASE_ACT_DENY_EXTENSION, NULL);
	assert_false(s.extension_pending);
	assert_int_equal(s.extensions, 1);
	assert_int_equal(s.extension_days, 10);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);

	ok(EV, &s, &dept, ask, &(struct cw_case_action_input){.days = 15, .reason = "x"});
	ok(EV, &s, &disp, CW_CASE_ACT_APPROVE_EXTENSION, NULL);
	assert_int_equal(s.extensions, 2);
	assert_int_equal(s.extension_days, 25);
	/* At most two: the list drops it and a request says why. */
	assert_false(cw_case_allowed(EV, &s, &dept) & B(REQUEST_EXTENSION));
	refused(EV, &s, &dept, ask, &(struct cw_case_action_input){.days = 1, .reason = "x"},
		CW_EC_EXTENSION_LIMIT_REACHED);

	/* The total in days, with a kind configured for more requests. */
	struct cw_case_kind k = *EV;
	k.limits.max_extensions = 5;
	assert_true(cw_case_kind_valid(&k));
	assert_string_equal(refused(&k, &s, &dept, ask,
				    &(struct cw_case_action_input){.days = 6, .reason = "x"},
				    CW_EC_INVALID_FIELD),
			    "days");
	ok(&k, &s, &dept, ask, &(struct cw_case_action_input){.days = 5, .reason = "x"});
	ok(&k, &s, &disp, CW_CASE_ACT_APPROVE_EXTENSION, NULL);
	assert_int_equal(s.extension_days, 30);
	refused(&k, &s, &dept, ask, &(struct cw_case_action_input){.days = 1, .reason = "x"},
		CW_EC_EXTENSION_LIMIT_REACHED);

	/* A pending request lapses when the case moves on. */
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	ok(EV, &s, &dept, ask, &(struct cw_case_action_input){.days = 2, .reason = "x"});
	fx = ok(EV, &s, &dept, CW_CASE_ACT_REPORT_RESULT,
		&(struct cw_case_action_input){.result = "done"});
	assert_true(fx.extension_dropped);
	assert_false(s.extension_pending);
	assert_int_equal(s.extension_days_asked, 0);
	assert_int_equal(s.extensions, 0);
}

static void test_suspend_resume(void **state)
{
	(void)state;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER), dept = who(CW_ROLE_DEPARTMENT);
	static const struct {
		int status, clock;
	} from[] = {
	    {CW_CASE_ST_REGISTERED, CW_CASE_PH_DISPATCH},
	    {CW_CASE_ST_DISPATCHED, CW_CASE_PH_HANDLE},
	    {CW_CASE_ST_IN_PROGRESS, CW_CASE_PH_REWORK},
	    {CW_CASE_ST_RESOLVED, CW_CASE_PH_VERIFY},
	};
	for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
		struct cw_case_state s = in_status(from[i].status);
		s.clock = from[i].clock;
		s.overdue = true;
		struct cw_case_effects fx = ok(EV, &s, &disp, CW_CASE_ACT_SUSPEND, NULL);
		assert_int_equal(s.status, CW_CASE_ST_SUSPENDED);
		assert_int_equal(s.resume_status, from[i].status);
		assert_int_equal(fx.clock, CW_CASE_CLOCK_PAUSE);
		assert_int_equal(fx.phase, from[i].clock);
		assert_int_equal(s.clock, from[i].clock);
		assert_true(s.overdue);
		assert_string_equal(fx.what, "suspend");
		/* Suspended: the handler can do nothing, the dispatcher only resume. */
		assert_allowed(EV, &s, &dept, "");
		assert_allowed(EV, &s, &disp, "resume");
		refused(EV, &s, &disp, CW_CASE_ACT_SUSPEND, NULL, CW_EC_ACTION_NOT_ALLOWED);

		fx = ok(EV, &s, &disp, CW_CASE_ACT_RESUME, NULL);
		assert_int_equal(s.status, from[i].status);
		assert_int_equal(s.resume_status, CW_CASE_ST_NONE);
		assert_int_equal(fx.clock, CW_CASE_CLOCK_RESUME);
		assert_int_equal(fx.phase, from[i].clock);
		assert_int_equal(s.clock, from[i].clock);
	}
	/* Not before registration, not after closing. */
	struct cw_case_state s = in_status(CW_CASE_ST_REPORTED);
	refused(EV, &s, &disp, CW_CASE_ACT_SUSPEND, NULL, CW_EC_ACTION_NOT_ALLOWED);
	s = in_status(CW_CASE_ST_CLOSED);
	refused(EV, &s, &disp, CW_CASE_ACT_SUSPEND, NULL, CW_EC_ACTION_NOT_ALLOWED);
	/* A suspended case with no clock resumes with none. */
	s = in_status(CW_CASE_ST_REGISTERED);
	struct cw_case_effects fx = ok(EV, &s, &disp, CW_CASE_ACT_SUSPEND, NULL);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	fx = ok(EV, &s, &disp, CW_CASE_ACT_RESUME, NULL);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_int_equal(s.status, CW_CASE_ST_REGISTERED);
}

static void test_supervise(void **state)
{
	(void)state;
	struct cw_case_actor lead = who(CW_ROLE_LEADER), disp = who(CW_ROLE_DISPATCHER);
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	struct cw_case_effects fx = ok(EV, &s, &lead, CW_CASE_ACT_SUPERVISE, NULL);
	assert_true(s.supervised);
	assert_int_equal(s.status, CW_CASE_ST_IN_PROGRESS);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT | CW_CASE_NOTIFY_DISPATCHER);
	refused(EV, &s, &lead, CW_CASE_ACT_SUPERVISE, NULL, CW_EC_ACTION_NOT_ALLOWED);
	refused(EV, &s, &disp, CW_CASE_ACT_SUPERVISE, NULL, CW_EC_ACTION_NOT_ALLOWED);
	s = in_status(CW_CASE_ST_RESOLVED);
	ok(EV, &s, &disp, CW_CASE_ACT_SUPERVISE, NULL);
	assert_true(s.supervised);
	/* A leader of another district, or below the case's level, cannot. */
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	lead.in_scope = false;
	refused(EV, &s, &lead, CW_CASE_ACT_SUPERVISE, NULL, CW_EC_ACTION_NOT_ALLOWED);
	lead.in_scope = true;
	lead.level_ok = false;
	refused(EV, &s, &lead, CW_CASE_ACT_SUPERVISE, NULL, CW_EC_ACTION_NOT_ALLOWED);
}

static void test_escalate(void **state)
{
	(void)state;
	struct cw_case_actor lead = who(CW_ROLE_LEADER);
	const struct cw_case_action_input why = {.reason = "群众反映强烈"};
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.level = CW_LEVEL_GRID;
	s.clock = CW_CASE_PH_HANDLE;
	s.overdue = true;
	s.warned = true;
	assert_string_equal(
	    refused(EV, &s, &lead, CW_CASE_ACT_ESCALATE, NULL, CW_EC_MISSING_FIELD), "reason");
	static const enum cw_level up[] = {CW_LEVEL_VILLAGE, CW_LEVEL_TOWN, CW_LEVEL_DISTRICT,
					   CW_LEVEL_CITY};
	for (int i = 0; i < 4; i++) {
		enum cw_level before = s.level;
		struct cw_case_effects fx = ok(EV, &s, &lead, CW_CASE_ACT_ESCALATE, &why);
		assert_int_equal(s.level, up[i]);
		assert_int_equal(fx.level_before, before);
		assert_int_equal(fx.level_after, up[i]);
		assert_int_equal(s.escalations, i + 1);
		assert_true(s.supervised);
		assert_int_equal(s.status, CW_CASE_ST_IN_PROGRESS);
		/* The new level gets its own time for the same step. */
		assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
		assert_int_equal(fx.phase, CW_CASE_PH_HANDLE);
		assert_false(s.overdue);
		assert_false(s.warned);
		assert_int_equal(fx.notify, CW_CASE_NOTIFY_LEADERS | CW_CASE_NOTIFY_DISPATCHER |
						CW_CASE_NOTIFY_DEPARTMENT);
		assert_string_equal(fx.what, "escalate");
	}
	/* The city is the top. */
	assert_false(cw_case_allowed(EV, &s, &lead) & B(ESCALATE));
	refused(EV, &s, &lead, CW_CASE_ACT_ESCALATE, &why, CW_EC_CASE_AT_TOP_LEVEL);
	/* An invalid level is refused, not moved. */
	s.level = CW_LEVEL_INVALID;
	refused(EV, &s, &lead, CW_CASE_ACT_ESCALATE, &why, CW_EC_ACTION_NOT_ALLOWED);
	/* With no clock running, escalation starts none. */
	s = in_status(CW_CASE_ST_REGISTERED);
	struct cw_case_effects fx = ok(EV, &s, &lead, CW_CASE_ACT_ESCALATE, &why);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_int_equal(s.level, CW_LEVEL_DISTRICT);
}

static void test_merge(void **state)
{
	(void)state;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER);
	struct cw_case_state s = in_status(CW_CASE_ST_REPORTED);
	s.id = 100;
	s.clock = CW_CASE_PH_REGISTER;
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_MERGE, NULL, CW_EC_MISSING_FIELD),
			    "into");
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_MERGE,
				    &(struct cw_case_action_input){.into = -5},
				    CW_EC_INVALID_FIELD),
			    "into");
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_MERGE,
				    &(struct cw_case_action_input){.into = 100},
				    CW_EC_INVALID_FIELD),
			    "into");
	struct cw_case_effects fx =
	    ok(EV, &s, &disp, CW_CASE_ACT_MERGE, &(struct cw_case_action_input){.into = 99});
	assert_int_equal(s.status, CW_CASE_ST_MERGED);
	assert_int_equal(s.merged_into, 99);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_STOP);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_REPORTER);
	/* A merged case allows nothing, to anyone. */
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		struct cw_case_actor a = who((enum cw_role)r);
		a.roles |= CW_CASE_SYSTEM;
		assert_allowed(EV, &s, &a, "");
	}
	/* Also from handling. */
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	ok(EV, &s, &disp, CW_CASE_ACT_MERGE, &(struct cw_case_action_input){.into = 5});
	assert_int_equal(s.status, CW_CASE_ST_MERGED);
}

static void test_rework(void **state)
{
	(void)state;
	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER), dept = who(CW_ROLE_DEPARTMENT);
	struct cw_case_state s = in_status(CW_CASE_ST_RESOLVED);
	s.clock = CW_CASE_PH_VERIFY;
	const struct cw_case_action_input result = {.result = "已处理"};
	for (int i = 1; i <= 2; i++) {
		struct cw_case_effects fx = ok(EV, &s, &disp, CW_CASE_ACT_VERIFY,
					       &(struct cw_case_action_input){.fixed = false});
		assert_int_equal(s.status, CW_CASE_ST_IN_PROGRESS);
		assert_int_equal(s.reworks, i);
		assert_true(fx.rework);
		assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
		assert_int_equal(fx.phase, CW_CASE_PH_REWORK);
		assert_int_equal(s.clock, CW_CASE_PH_REWORK);
		assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT);
		assert_string_equal(fx.what, "verify.not_fixed");
		ok(EV, &s, &dept, CW_CASE_ACT_REPORT_RESULT, &result);
		assert_int_equal(s.clock, CW_CASE_PH_VERIFY);
	}
	ok(EV, &s, &disp, CW_CASE_ACT_VERIFY, &(struct cw_case_action_input){.fixed = true});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);
	assert_int_equal(s.reworks, 2);
}

static void test_rating_rectification(void **state)
{
	(void)state;
	struct cw_case_actor cit = who(CW_ROLE_CITIZEN), disp = who(CW_ROLE_DISPATCHER),
			     dept = who(CW_ROLE_DEPARTMENT);
	struct cw_case_state s = in_status(CW_CASE_ST_CLOSED);
	const int rate = CW_CASE_ACT_RATE;

	assert_string_equal(refused(EV, &s, &cit, rate, NULL, CW_EC_MISSING_FIELD), "level");
	assert_string_equal(refused(EV, &s, &cit, rate, &(struct cw_case_action_input){.rating = 6},
				    CW_EC_INVALID_FIELD),
			    "level");
	assert_string_equal(refused(EV, &s, &cit, rate,
				    &(struct cw_case_action_input){.rating = -1},
				    CW_EC_INVALID_FIELD),
			    "level");
	assert_string_equal(refused(EV, &s, &cit, rate,
				    &(struct cw_case_action_input){.rating = 4, .comment = "\xff"},
				    CW_EC_INVALID_FIELD),
			    "comment");
	/* Only the reporter, only a citizen. */
	struct cw_case_actor other = cit;
	other.reporter = false;
	refused(EV, &s, &other, rate, &(struct cw_case_action_input){.rating = 4},
		CW_EC_ACTION_NOT_ALLOWED);
	refused(EV, &s, &disp, rate, &(struct cw_case_action_input){.rating = 4},
		CW_EC_ACTION_NOT_ALLOWED);

	/* Bad: back to the department on a rectification deadline. */
	struct cw_case_effects fx =
	    ok(EV, &s, &cit, rate,
	       &(struct cw_case_action_input){.rating = 2, .comment = "没修好"});
	assert_int_equal(s.status, CW_CASE_ST_IN_PROGRESS);
	assert_int_equal(s.rating, 2);
	assert_int_equal(s.ratings, 1);
	assert_int_equal(s.rectifications, 1);
	assert_true(fx.rectification);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_RECTIFY);
	assert_int_equal(cw_case_deadline(EV, CW_CASE_PH_RECTIFY).unit, CW_CASE_DUE_WORKING_DAYS);
	assert_int_equal(cw_case_deadline(EV, CW_CASE_PH_RECTIFY).amount, 15);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT | CW_CASE_NOTIFY_DISPATCHER);
	assert_string_equal(fx.what, "rate.bad");
	assert_allowed(EV, &s, &cit, "");

	ok(EV, &s, &dept, CW_CASE_ACT_REPORT_RESULT,
	   &(struct cw_case_action_input){.result = "已整改"});
	ok(EV, &s, &disp, CW_CASE_ACT_VERIFY, &(struct cw_case_action_input){.fixed = true});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);

	/* One more rating; bad again does not reopen. */
	assert_allowed(EV, &s, &cit, "rate");
	fx = ok(EV, &s, &cit, rate, &(struct cw_case_action_input){.rating = 1});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);
	assert_int_equal(s.ratings, 2);
	assert_int_equal(s.rating, 1);
	assert_int_equal(s.rectifications, 1);
	assert_false(fx.rectification);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_string_equal(fx.what, "rate.bad");
	/* A third: no. */
	assert_allowed(EV, &s, &cit, "");
	refused(EV, &s, &cit, rate, &(struct cw_case_action_input){.rating = 5},
		CW_EC_ACTION_NOT_ALLOWED);

	/* Neutral is neither good nor a reason to rectify. */
	s = in_status(CW_CASE_ST_CLOSED);
	fx = ok(EV, &s, &cit, rate, &(struct cw_case_action_input){.rating = 3});
	assert_string_equal(fx.what, "rate.neutral");
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);
	assert_false(fx.rectification);
	assert_allowed(EV, &s, &cit, "");
}

/* ---- bad input: the right code, the field, nothing changed ---- */

static void test_bad_input(void **state)
{
	(void)state;
	char longtext[CW_CASE_TEXT_MAX + 2];
	memset(longtext, 'a', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = 0;
	char fits[CW_CASE_TEXT_MAX + 1];
	memset(fits, 'a', sizeof fits - 1);
	fits[sizeof fits - 1] = 0;

	struct cw_case_actor disp = who(CW_ROLE_DISPATCHER), dept = who(CW_ROLE_DEPARTMENT);
	static const struct {
		int status;
		enum cw_role role;
		int action;
		struct cw_case_action_input in;
		enum cw_ec want;
		const char *field;
	} cases[] = {
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, 0, {0}, CW_EC_UNKNOWN_ACTION, NULL},
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, CW_CASE_ACT__BASE, {0},
	     CW_EC_UNKNOWN_ACTION, NULL},
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, -1, {0}, CW_EC_UNKNOWN_ACTION, NULL},
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, 1000, {0}, CW_EC_UNKNOWN_ACTION, NULL},
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, CW_CASE_ACT_REJECT, {.reason = ""},
	     CW_EC_MISSING_FIELD, "reason"},
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, CW_CASE_ACT_REJECT, {.reason = "ok\xc3"},
	     CW_EC_INVALID_FIELD, "reason"},
	    {CW_CASE_ST_REPORTED, CW_ROLE_DISPATCHER, CW_CASE_ACT_REGISTER,
	     {.note = "\xed\xa0\x80"}, CW_EC_INVALID_FIELD, "note"},
	    {CW_CASE_ST_REGISTERED, CW_ROLE_DISPATCHER, CW_CASE_ACT_DISPATCH, {0},
	     CW_EC_MISSING_FIELD, "department"},
	    {CW_CASE_ST_REGISTERED, CW_ROLE_DISPATCHER, CW_CASE_ACT_DISPATCH, {.department = -1},
	     CW_EC_INVALID_FIELD, "department"},
	    {CW_CASE_ST_IN_PROGRESS, CW_ROLE_DEPARTMENT, CW_CASE_ACT_REPORT_RESULT, {0},
	     CW_EC_MISSING_FIELD, "result"},
	    {CW_CASE_ST_IN_PROGRESS, CW_ROLE_DEPARTMENT, CW_CASE_ACT_REPORT_RESULT,
	     {.result = "　"}, CW_EC_MISSING_FIELD, "result"},
	    {CW_CASE_ST_IN_PROGRESS, CW_ROLE_DISPATCHER, CW_CASE_ACT_ESCALATE, {0},
	     CW_EC_MISSING_FIELD, "reason"},
	    /* Permission comes before input: no hints to those who may not act. */
	    {CW_CASE_ST_REPORTED, CW_ROLE_CITIZEN, CW_CASE_ACT_REJECT, {0},
	     CW_EC_ACTION_NOT_ALLOWED, NULL},
	    {CW_CASE_ST_CLOSED, CW_ROLE_DISPATCHER, CW_CASE_ACT_DISPATCH, {.department = 4},
	     CW_EC_ACTION_NOT_ALLOWED, NULL},
	    {CW_CASE_ST_REPORTED, CW_ROLE_AUDITOR, CW_CASE_ACT_REGISTER, {0},
	     CW_EC_ACTION_NOT_ALLOWED, NULL},
	    {CW_CASE_ST_REPORTED, CW_ROLE_SYSADMIN, CW_CASE_ACT_REGISTER, {0},
	     CW_EC_ACTION_NOT_ALLOWED, NULL},
	    {CW_CASE_ST_REGISTERED, CW_ROLE_CITIZEN, CW_CASE_ACT_DISPATCH, {.department = 4},
	     CW_EC_ACTION_NOT_ALLOWED, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cw_case_state s = in_status(cases[i].status);
		struct cw_case_actor a = who(cases[i].role);
		const char *field =
		    refused(EV, &s, &a, cases[i].action, &cases[i].in, cases[i].want);
		if (cases[i].field)
			assert_string_equal(field, cases[i].field);
		else
			assert_null(field);
	}

	/* Lengths: exactly the limit is fine, one byte more is not. */
	struct cw_case_state s = in_status(CW_CASE_ST_REPORTED);
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_REJECT,
				    &(struct cw_case_action_input){.reason = longtext},
				    CW_EC_FIELD_TOO_LONG),
			    "reason");
	assert_string_equal(refused(EV, &s, &disp, CW_CASE_ACT_REGISTER,
				    &(struct cw_case_action_input){.note = longtext},
				    CW_EC_FIELD_TOO_LONG),
			    "note");
	struct cw_case_state t = s;
	ok(EV, &t, &disp, CW_CASE_ACT_REJECT, &(struct cw_case_action_input){.reason = fits});

	/* An action of another kind is unknown here. */
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	refused(EV, &s, &dept, act(cw_case_kind_dispute(), "mediate"), NULL,
		CW_EC_UNKNOWN_ACTION);
	/* A state with a status the kind does not have. */
	s.status = CW_CASE_ST__BASE + 3;
	refused(EV, &s, &disp, CW_CASE_ACT_SUSPEND, NULL, CW_EC_ACTION_NOT_ALLOWED);

	/* In place on success. */
	s = in_status(CW_CASE_ST_REPORTED);
	struct cw_case_effects fx;
	assert_int_equal(cw_case_apply(EV, &s, &disp, CW_CASE_ACT_REGISTER, NULL, &s, &fx),
			 CW_EC_OK);
	assert_int_equal(s.status, CW_CASE_ST_REGISTERED);
}

/* ---- the other kinds, through the same entry points ---- */

static void test_petition(void **state)
{
	(void)state;
	const struct cw_case_kind *k = cw_case_kind_petition();
	struct cw_case_actor po = who(CW_ROLE_PETITION_OFFICER), disp = who(CW_ROLE_DISPATCHER),
			     dept = who(CW_ROLE_DEPARTMENT), cit = who(CW_ROLE_CITIZEN),
			     lead = who(CW_ROLE_LEADER);
	struct cw_case_state s;
	struct cw_case_effects fx;

	/* Statutory deadlines are data (信访工作条例 §22-23, §34-36). */
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH_REGISTER).unit, CW_CASE_DUE_DAYS);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH_REGISTER).amount, 15);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH_HANDLE).amount, 60);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH__BASE).unit, CW_CASE_DUE_DAYS);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH__BASE).amount, 30);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH__BASE + 1).amount, 30);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH__BASE + 2).unit, CW_CASE_DUE_NONE);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH_MAX).unit, CW_CASE_DUE_NONE);
	assert_int_equal(cw_case_deadline(k, -1).unit, CW_CASE_DUE_NONE);
	assert_int_equal(k->limits.max_extension_total, 30);
	assert_int_equal(k->window[CW_CASE_WIN_RETURN].span.unit, CW_CASE_DUE_WORKING_DAYS);
	assert_int_equal(k->window[CW_CASE_WIN_RETURN].span.amount, 5);

	cw_case_open(k, CW_LEVEL_TOWN, &s, &fx);
	s.id = 7;
	s.windows_open = 1u << CW_CASE_WIN_RETURN;
	assert_int_equal(fx.phase, CW_CASE_PH_REGISTER);
	/* The petition office registers, not the dispatch centre. */
	refused(k, &s, &disp, CW_CASE_ACT_REGISTER, NULL, CW_EC_ACTION_NOT_ALLOWED);
	fx = ok(k, &s, &po, CW_CASE_ACT_REGISTER, NULL);
	/* The 15 days cover registering and transferring: no new clock (the hook). */
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_int_equal(s.clock, CW_CASE_PH_REGISTER);
	fx = ok(k, &s, &po, CW_CASE_ACT_DISPATCH, &(struct cw_case_action_input){.department = 9});
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_HANDLE);
	ok(k, &s, &dept, CW_CASE_ACT_ACCEPT, NULL);

	/* One extension, of at most 30 days (§34). */
	assert_string_equal(refused(k, &s, &dept, CW_CASE_ACT_REQUEST_EXTENSION,
				    &(struct cw_case_action_input){.days = 31, .reason = "x"},
				    CW_EC_INVALID_FIELD),
			    "days");
	ok(k, &s, &dept, CW_CASE_ACT_REQUEST_EXTENSION,
	   &(struct cw_case_action_input){.days = 30, .reason = "需要调查"});
	refused(k, &s, &disp, CW_CASE_ACT_APPROVE_EXTENSION, NULL, CW_EC_ACTION_NOT_ALLOWED);
	fx = ok(k, &s, &po, CW_CASE_ACT_APPROVE_EXTENSION, NULL);
	assert_int_equal(fx.days, 30);
	refused(k, &s, &dept, CW_CASE_ACT_REQUEST_EXTENSION,
		&(struct cw_case_action_input){.days = 1, .reason = "x"},
		CW_EC_EXTENSION_LIMIT_REACHED);

	/* §19: a petition within its time limit does not go up; overdue, it may. */
	refused(k, &s, &lead, CW_CASE_ACT_ESCALATE, &(struct cw_case_action_input){.reason = "x"},
		CW_EC_ACTION_NOT_ALLOWED);
	struct cw_case_state late = s;
	late.overdue = true;
	assert_allowed(k, &late, &lead, "supervise,escalate");
	ok(k, &late, &lead, CW_CASE_ACT_ESCALATE,
	   &(struct cw_case_action_input){.reason = "逾期"});
	assert_int_equal(late.level, CW_LEVEL_DISTRICT);

	ok(k, &s, &dept, CW_CASE_ACT_REPORT_RESULT,
	   &(struct cw_case_action_input){.result = "书面答复意见"});
	struct cw_case_actor gw = who(CW_ROLE_GRID_WORKER);
	refused(k, &s, &gw, CW_CASE_ACT_VERIFY, &(struct cw_case_action_input){.fixed = true},
		CW_EC_ACTION_NOT_ALLOWED);
	ok(k, &s, &po, CW_CASE_ACT_VERIFY, &(struct cw_case_action_input){.fixed = true});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);

	/* Review (复查): within 30 days of the reply, decided one level up. */
	const int req = act(k, "request_review");
	refused(k, &s, &cit, req, &(struct cw_case_action_input){.reason = "不服"},
		CW_EC_ACTION_WINDOW_CLOSED);
	s.windows_open = ALL_WINDOWS;
	assert_string_equal(refused(k, &s, &cit, req, NULL, CW_EC_MISSING_FIELD), "reason");
	fx = ok(k, &s, &cit, req, &(struct cw_case_action_input){.reason = "不服处理意见"});
	assert_int_equal(s.status, status(k, "reviewing"));
	assert_string_equal(cw_case_status_name(k, s.status), "reviewing");
	assert_int_equal(s.level, CW_LEVEL_DISTRICT);
	assert_int_equal(fx.level_after, CW_LEVEL_DISTRICT);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_string_equal(cw_case_phase_name(k, fx.phase), "review");
	assert_string_equal(fx.what, "request_review");
	/* The reviewing body may suspend and resume like any other open status. */
	fx = ok(k, &s, &po, CW_CASE_ACT_SUSPEND, NULL);
	assert_int_equal(s.resume_status, status(k, "reviewing"));
	ok(k, &s, &po, CW_CASE_ACT_RESUME, NULL);
	assert_int_equal(s.status, status(k, "reviewing"));

	fx = ok(k, &s, &po, act(k, "decide_review"),
		&(struct cw_case_action_input){.result = "维持原处理意见"});
	assert_int_equal(s.status, status(k, "reviewed"));
	assert_int_equal(fx.clock, CW_CASE_CLOCK_STOP);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_REPORTER);

	/* Re-review (复核), then the matter is final. */
	const int rereq = act(k, "request_re_review");
	s.windows_open = 0;
	refused(k, &s, &cit, rereq, &(struct cw_case_action_input){.reason = "x"},
		CW_EC_ACTION_WINDOW_CLOSED);
	s.windows_open = ALL_WINDOWS;
	ok(k, &s, &cit, rereq, &(struct cw_case_action_input){.reason = "仍不服"});
	assert_int_equal(s.status, status(k, "re_reviewing"));
	assert_int_equal(s.level, CW_LEVEL_CITY);
	ok(k, &s, &po, act(k, "decide_re_review"),
	   &(struct cw_case_action_input){.result = "维持"});
	assert_int_equal(s.status, status(k, "final"));
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		struct cw_case_actor a = who((enum cw_role)r);
		assert_allowed(k, &s, &a, "");
	}

	/* A review request at city level stays at city level. */
	s = in_status(CW_CASE_ST_CLOSED);
	s.level = CW_LEVEL_CITY;
	ok(k, &s, &cit, req, &(struct cw_case_action_input){.reason = "x"});
	assert_int_equal(s.level, CW_LEVEL_CITY);
}

static void test_dispute(void **state)
{
	(void)state;
	const struct cw_case_kind *k = cw_case_kind_dispute();
	struct cw_case_actor med = who(CW_ROLE_MEDIATOR), disp = who(CW_ROLE_DISPATCHER),
			     dept = who(CW_ROLE_DEPARTMENT), cit = who(CW_ROLE_CITIZEN);
	struct cw_case_state s = in_status(CW_CASE_ST_DISPATCHED);
	s.clock = CW_CASE_PH_HANDLE;
	struct cw_case_effects fx;

	assert_null(k->guard);
	assert_null(k->on_transition);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH_HANDLE).unit, CW_CASE_DUE_DAYS);
	assert_int_equal(cw_case_deadline(k, CW_CASE_PH_HANDLE).amount, 30);

	/* The mediation committee's mediators do the department's part. */
	refused(k, &s, &dept, CW_CASE_ACT_ACCEPT, NULL, CW_EC_ACTION_NOT_ALLOWED);
	ok(k, &s, &med, CW_CASE_ACT_ACCEPT, NULL);
	refused(k, &s, &med, CW_CASE_ACT_REPORT_RESULT,
		&(struct cw_case_action_input){.result = "x"}, CW_EC_ACTION_NOT_ALLOWED);
	fx = ok(k, &s, &med, act(k, "mediate"), NULL);
	assert_int_equal(s.status, status(k, "mediating"));
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP); /* one month from dispatch */
	assert_int_equal(s.clock, CW_CASE_PH_HANDLE);
	assert_string_equal(fx.what, "mediate");

	/* Extension in the kind's own status, through the base guards. */
	ok(k, &s, &med, CW_CASE_ACT_REQUEST_EXTENSION,
	   &(struct cw_case_action_input){.days = 10, .reason = "当事人外出"});
	assert_allowed(k, &s, &med, "agree,fail");
	assert_allowed(k, &s, &disp,
		       "approve_extension,deny_extension,suspend,supervise,escalate,merge");
	fx = ok(k, &s, &disp, CW_CASE_ACT_APPROVE_EXTENSION, NULL);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_EXTEND);
	assert_int_equal(fx.days, 10);

	/* Suspension remembers a kind's status too. */
	ok(k, &s, &disp, CW_CASE_ACT_SUSPEND, NULL);
	assert_int_equal(s.resume_status, status(k, "mediating"));
	ok(k, &s, &disp, CW_CASE_ACT_RESUME, NULL);
	assert_int_equal(s.status, status(k, "mediating"));

	struct cw_case_state failed = s;
	assert_string_equal(refused(k, &s, &med, act(k, "agree"), NULL, CW_EC_MISSING_FIELD),
			    "result");
	fx = ok(k, &s, &med, act(k, "agree"),
		&(struct cw_case_action_input){.result = "赔偿 2000 元，7 日内履行"});
	assert_int_equal(s.status, status(k, "agreement"));
	assert_int_equal(fx.clock, CW_CASE_CLOCK_STOP);

	/* Judicial confirmation only within 30 days of the agreement (§33). */
	const int confirm = act(k, "confirm");
	s.windows_open = 1u << CW_CASE_WIN_RETURN;
	refused(k, &s, &med, confirm, NULL, CW_EC_ACTION_WINDOW_CLOSED);
	assert_allowed(k, &s, &med, "report_result");
	s.windows_open = ALL_WINDOWS;
	ok(k, &s, &med, confirm, NULL);
	assert_int_equal(s.status, status(k, "confirmed"));
	fx = ok(k, &s, &med, CW_CASE_ACT_REPORT_RESULT,
		&(struct cw_case_action_input){.result = "已司法确认"});
	assert_int_equal(s.status, CW_CASE_ST_RESOLVED);
	assert_int_equal(fx.phase, CW_CASE_PH_VERIFY);
	ok(k, &s, &disp, CW_CASE_ACT_VERIFY, &(struct cw_case_action_input){.fixed = true});
	ok(k, &s, &cit, CW_CASE_ACT_RATE, &(struct cw_case_action_input){.rating = 5});
	assert_int_equal(s.status, CW_CASE_ST_CLOSED);

	/* A party refuses: it ends in failure (§17), with a reason. */
	assert_string_equal(refused(k, &failed, &med, act(k, "fail"), NULL, CW_EC_MISSING_FIELD),
			    "reason");
	ok(k, &failed, &med, act(k, "fail"),
	   &(struct cw_case_action_input){.reason = "一方拒绝"});
	assert_int_equal(failed.status, status(k, "failed"));
	assert_allowed(k, &failed, &med, "report_result");
	ok(k, &failed, &med, CW_CASE_ACT_REPORT_RESULT,
	   &(struct cw_case_action_input){.result = "引导诉讼"});
	assert_int_equal(failed.status, CW_CASE_ST_RESOLVED);
}

/* A kind written outside case_flow.c plugs in through the descriptor alone. */
static int hook_calls;
static enum cw_ec refuse_big_merges(const struct cw_case_kind *k,
				    const struct cw_case_state *before,
				    struct cw_case_state *after, const struct cw_case_actor *actor,
				    int action, const struct cw_case_action_input *in,
				    struct cw_case_effects *fx)
{
	(void)k;
	(void)before;
	(void)actor;
	hook_calls++;
	if (action == CW_CASE_ACT_MERGE && in->into > 1000) {
		fx->field = "into";
		return CW_EC_INVALID_FIELD;
	}
	after->kind_flags |= 1;
	return CW_EC_OK;
}

static void test_custom_kind(void **state)
{
	(void)state;
	static const struct cw_case_status_def extra[] = {{"on_site", CW_CASE_OPEN, 0}};
	static const struct cw_case_action_def acts[] = {{"arrive", 0, CW_CASE_NOTIFY_REPORTER}};
	static const struct cw_case_rule rows[] = {
	    {CW_CASE_ACT__BASE, 1ull << CW_CASE_ST_IN_PROGRESS, 0, 1u << CW_ROLE_GRID_WORKER,
	     CW_CASE_REL_GRID, .to = CW_CASE_ST__BASE},
	    {CW_CASE_ACT_REPORT_RESULT, 1ull << CW_CASE_ST__BASE, 0, 1u << CW_ROLE_GRID_WORKER,
	     CW_CASE_REL_GRID, .to = CW_CASE_ST_RESOLVED},
	};
	struct cw_case_kind k = *EV;
	k.name = "patrol";
	k.statuses = extra;
	k.n_statuses = 1;
	k.actions = acts;
	k.n_actions = 1;
	k.rules = rows;
	k.n_rules = 2;
	k.on_transition = refuse_big_merges;
	assert_true(cw_case_kind_valid(&k));

	struct cw_case_actor gw = who(CW_ROLE_GRID_WORKER), disp = who(CW_ROLE_DISPATCHER);
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	hook_calls = 0;
	struct cw_case_effects fx = ok(&k, &s, &gw, cw_case_action_parse(&k, "arrive"), NULL);
	assert_string_equal(cw_case_status_name(&k, s.status), "on_site");
	assert_int_equal(fx.clock, CW_CASE_CLOCK_STOP); /* its status has no clock */
	assert_int_equal(s.kind_flags, 1);
	assert_int_equal(hook_calls, 1);
	assert_allowed(&k, &s, &gw, "report_result");
	assert_allowed(&k, &s, &disp, "suspend,supervise,escalate,merge");
	/* The hook refuses: nothing changes, its field comes through. */
	assert_string_equal(refused(&k, &s, &disp, CW_CASE_ACT_MERGE,
				    &(struct cw_case_action_input){.into = 5000},
				    CW_EC_INVALID_FIELD),
			    "into");
	ok(&k, &s, &gw, CW_CASE_ACT_REPORT_RESULT, &(struct cw_case_action_input){.result = "ok"});
	assert_int_equal(s.status, CW_CASE_ST_RESOLVED);
}

/* ---- escalation policy ---- */

static void test_escalation_warn_overdue(void **state)
{
	(void)state;
	const struct cw_escalation_policy p = cw_escalation_policy_default();
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	const int64_t t0 = 1767225600, due = t0 + 1000; /* 80%: t0 + 800 */

	assert_int_equal(p.at[CW_LEVEL_TOWN].warn_permille, 800);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, t0, due, t0), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, t0, due, t0 + 799), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, t0, due, t0 + 800), CW_TICK_WARN);

	struct cw_case_state n;
	struct cw_case_effects fx;
	assert_int_equal(cw_escalation_apply(EV, CW_TICK_WARN, &s, &n, &fx), CW_EC_OK);
	assert_true(n.warned);
	assert_false(n.overdue);
	assert_string_equal(fx.what, "warn");
	assert_int_equal(fx.clock, CW_CASE_CLOCK_KEEP);
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT | CW_CASE_NOTIFY_DISPATCHER);
	s = n;
	/* Warned once per deadline; exactly at the deadline is still on time. */
	assert_int_equal(cw_escalation_decide(EV, &p, &s, t0, due, t0 + 900), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, t0, due, due), CW_TICK_NONE);
	/* One second later: overdue, and at town level that escalates. */
	assert_int_equal(cw_escalation_decide(EV, &p, &s, t0, due, due + 1), CW_TICK_ESCALATE);

	assert_int_equal(cw_escalation_apply(EV, CW_TICK_ESCALATE, &s, &n, &fx), CW_EC_OK);
	assert_int_equal(n.level, CW_LEVEL_DISTRICT);
	assert_true(n.supervised);
	assert_int_equal(n.escalations, 1);
	assert_false(n.warned);
	assert_int_equal(fx.clock, CW_CASE_CLOCK_START);
	assert_int_equal(fx.phase, CW_CASE_PH_HANDLE);
	assert_string_equal(fx.what, "escalate.overdue");

	/* With a fresh deadline at district level the case starts over. */
	const int64_t t1 = due + 1, due1 = t1 + 2000;
	assert_int_equal(cw_escalation_decide(EV, &p, &n, t1, due1, t1 + 10), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &n, t1, due1, t1 + 1600), CW_TICK_WARN);

	/* Exactly at a share that does not divide evenly: rounded down to the second. */
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 7, 5), CW_TICK_NONE);
	s.warned = false;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 7, 4), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 7, 5), CW_TICK_WARN);
	/* A deadline that is not after its start never warns, but can be late. */
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 100, 100, 100), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 100, 50, 60), CW_TICK_ESCALATE);
}

static void test_escalation_limits(void **state)
{
	(void)state;
	struct cw_escalation_policy p = cw_escalation_policy_default();
	struct cw_case_state s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	s.warned = true;
	struct cw_case_state n;
	struct cw_case_effects fx;

	/* At the city nothing is higher: overdue once, then quiet. */
	s.level = CW_LEVEL_CITY;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_OVERDUE);
	assert_int_equal(cw_escalation_apply(EV, CW_TICK_OVERDUE, &s, &n, &fx), CW_EC_OK);
	assert_true(n.overdue);
	assert_string_equal(fx.what, "overdue");
	assert_int_equal(fx.notify, CW_CASE_NOTIFY_DEPARTMENT | CW_CASE_NOTIFY_DISPATCHER |
					CW_CASE_NOTIFY_LEADERS);
	assert_int_equal(n.level, CW_LEVEL_CITY);
	assert_int_equal(cw_escalation_decide(EV, &p, &n, 0, 100, 5000), CW_TICK_NONE);
	/* Asked to escalate anyway, the engine refuses and changes nothing. */
	assert_int_equal(cw_escalation_apply(EV, CW_TICK_ESCALATE, &n, &s, &fx),
			 CW_EC_CASE_AT_TOP_LEVEL);
	assert_same_state(&s, &n);

	/* Already escalated as often as the policy allows. */
	p.max_escalations = 1;
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	s.level = CW_LEVEL_DISTRICT;
	s.escalations = 1;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_OVERDUE);
	s.escalations = 0;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_ESCALATE);

	/* A level that does not escalate only marks overdue. */
	p = cw_escalation_policy_default();
	p.at[CW_LEVEL_DISTRICT].escalate = false;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_OVERDUE);
	s.overdue = true;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_NONE);

	/* Grace: red first, escalation after the grace has passed. */
	p = cw_escalation_policy_default();
	p.at[CW_LEVEL_DISTRICT].grace = 60;
	s.overdue = false;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_OVERDUE);
	s.overdue = true;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 160), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 161), CW_TICK_ESCALATE);

	/* No warning when the policy has none. */
	p.at[CW_LEVEL_DISTRICT].warn_permille = 0;
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	s.level = CW_LEVEL_DISTRICT;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 99), CW_TICK_NONE);

	/* NONE changes nothing. */
	assert_int_equal(cw_escalation_apply(EV, CW_TICK_NONE, &s, &n, &fx), CW_EC_OK);
	assert_same_state(&n, &s);
	assert_string_equal(fx.what, "");
}

static void test_escalation_not_ticking(void **state)
{
	(void)state;
	const struct cw_escalation_policy p = cw_escalation_policy_default();
	/* Suspended: the clock is paused, whatever the time. */
	struct cw_case_state s = in_status(CW_CASE_ST_SUSPENDED);
	s.clock = CW_CASE_PH_HANDLE;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 85), CW_TICK_NONE);
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 1000000), CW_TICK_NONE);
	/* No clock: closed, rejected, merged. */
	int quiet[] = {CW_CASE_ST_CLOSED, CW_CASE_ST_REJECTED, CW_CASE_ST_MERGED};
	for (int i = 0; i < 3; i++) {
		s = in_status(quiet[i]);
		assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 1000000), CW_TICK_NONE);
	}
	/* A reported case overdue to register: red, but the scheduler may not escalate
	 * what nobody has registered. */
	s = in_status(CW_CASE_ST_REPORTED);
	s.clock = CW_CASE_PH_REGISTER;
	assert_int_equal(cw_escalation_decide(EV, &p, &s, 0, 100, 101), CW_TICK_OVERDUE);
	/* A petition: red first (§19), then up. */
	const struct cw_case_kind *pet = cw_case_kind_petition();
	s = in_status(CW_CASE_ST_IN_PROGRESS);
	s.clock = CW_CASE_PH_HANDLE;
	assert_int_equal(cw_escalation_decide(pet, &p, &s, 0, 100, 101), CW_TICK_OVERDUE);
	struct cw_case_state n;
	struct cw_case_effects fx;
	assert_int_equal(cw_escalation_apply(pet, CW_TICK_OVERDUE, &s, &n, &fx), CW_EC_OK);
	assert_int_equal(cw_escalation_decide(pet, &p, &n, 0, 100, 131), CW_TICK_ESCALATE);
	assert_int_equal(cw_escalation_apply(pet, CW_TICK_ESCALATE, &n, &s, &fx), CW_EC_OK);
	assert_int_equal(s.level, CW_LEVEL_DISTRICT);
	assert_false(s.overdue);
}

static int setup(void **state)
{
	(void)state;
	EV = cw_case_kind_event();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_kind_valid),
	    cmocka_unit_test(test_ratings),
	    cmocka_unit_test(test_whole_loop),
	    cmocka_unit_test(test_table_event),
	    cmocka_unit_test(test_table_petition),
	    cmocka_unit_test(test_table_dispute),
	    cmocka_unit_test(test_table_substates),
	    cmocka_unit_test(test_table_roles_union),
	    cmocka_unit_test(test_out_of_scope),
	    cmocka_unit_test(test_reject),
	    cmocka_unit_test(test_return_window),
	    cmocka_unit_test(test_extension),
	    cmocka_unit_test(test_suspend_resume),
	    cmocka_unit_test(test_supervise),
	    cmocka_unit_test(test_escalate),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_rework),
	    cmocka_unit_test(test_rating_rectification),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_petition),
	    cmocka_unit_test(test_dispute),
	    cmocka_unit_test(test_custom_kind),
	    cmocka_unit_test(test_escalation_warn_overdue),
	    cmocka_unit_test(test_escalation_limits),
	    cmocka_unit_test(test_escalation_not_ticking),
	};
	return cmocka_run_group_tests_name("core_case_flow", tests, setup, NULL);
}
