/* escalation.c - the scheduler's warn / overdue / escalate decision; see escalation.h. */
#include "core/escalation.h"

#include <stdio.h>
#include <string.h>

static const struct cw_case_actor scheduler = {.roles = CW_CASE_SYSTEM};

struct cw_escalation_policy cw_escalation_policy_default(void)
{
	struct cw_escalation_policy p = {.max_escalations = 0};
	for (int l = 0; l < CW_LEVEL__COUNT; l++)
		p.at[l] = (struct cw_escalation_rule){
		    .warn_permille = 800,
		    .escalate = l != CW_LEVEL_CITY,
		    .grace = 0,
		};
	return p;
}

enum cw_tick cw_escalation_decide(const struct cw_case_kind *k,
				  const struct cw_escalation_policy *p,
				  const struct cw_case_state *s, int64_t started, int64_t due,
				  int64_t now)
{
	if (s->status == CW_CASE_ST_SUSPENDED || s->clock == CW_CASE_PH_NONE ||
	    s->level < 0 || s->level >= CW_LEVEL__COUNT)
		return CW_TICK_NONE;
	const struct cw_escalation_rule *r = &p->at[s->level];
	if (now > due) {
		if (r->escalate && now - due > r->grace &&
		    (p->max_escalations <= 0 || s->escalations < p->max_escalations) &&
		    (cw_case_allowed(k, s, &scheduler) & 1ull << CW_CASE_ACT_ESCALATE))
			return CW_TICK_ESCALATE;
		return s->overdue ? CW_TICK_NONE : CW_TICK_OVERDUE;
	}
	if (s->warned || s->overdue || r->warn_permille <= 0 || due <= started)
		return CW_TICK_NONE;
	/* Rounded down to the second. Instants are bounded by the calendar's years, so the
	 * product cannot overflow. */
	int64_t warn_at = started + (due - started) * r->warn_permille / 1000;
	return now >= warn_at ? CW_TICK_WARN : CW_TICK_NONE;
}

enum cw_ec cw_escalation_apply(const struct cw_case_kind *k, enum cw_tick tick,
			       const struct cw_case_state *in, struct cw_case_state *out,
			       struct cw_case_effects *fx)
{
	if (tick == CW_TICK_ESCALATE) {
		const struct cw_case_action_input why = {.reason = "逾期未办结，自动提级"};
		enum cw_ec ec = cw_case_apply(k, in, &scheduler, CW_CASE_ACT_ESCALATE, &why, out, fx);
		if (ec == CW_EC_OK)
			snprintf(fx->what, sizeof fx->what, "escalate.overdue");
		return ec;
	}
	struct cw_case_state n = *in;
	memset(fx, 0, sizeof *fx);
	fx->status_before = fx->status_after = in->status;
	fx->level_before = fx->level_after = in->level;
	fx->clock = CW_CASE_CLOCK_KEEP;
	fx->phase = in->clock;
	switch (tick) {
	case CW_TICK_WARN:
		n.warned = true;
		fx->notify = CW_CASE_NOTIFY_DEPARTMENT | CW_CASE_NOTIFY_DISPATCHER;
		snprintf(fx->what, sizeof fx->what, "warn");
		break;
	case CW_TICK_OVERDUE:
		n.overdue = true;
		n.warned = true;
		fx->notify = CW_CASE_NOTIFY_DEPARTMENT | CW_CASE_NOTIFY_DISPATCHER |
			     CW_CASE_NOTIFY_LEADERS;
		snprintf(fx->what, sizeof fx->what, "overdue");
		break;
	default:
		break;
	}
	*out = n;
	return CW_EC_OK;
}
