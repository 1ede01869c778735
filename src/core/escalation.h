/* escalation.h - the scheduler's decision for one case at one moment: nothing, warn
 * (yellow), mark overdue (red) or escalate one level. Pure: the caller brings the clock. */
#ifndef CW_CORE_ESCALATION_H
#define CW_CORE_ESCALATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/case_flow.h"
#include "core/error.h"
#include "core/region.h"

enum cw_tick {
	CW_TICK_NONE,
	CW_TICK_WARN,	  /* yellow: the share of the allowed time has passed */
	CW_TICK_OVERDUE,  /* red: the deadline has passed */
	CW_TICK_ESCALATE, /* overdue at its level: up one level and flagged for supervision */
};

/* What happens to a case handled at one level. Local policy (DOMAIN.md §3), so data:
 * the caller keeps one policy per category, or the default. */
struct cw_escalation_rule {
	int warn_permille; /* warn once this share of the allowed time has passed, in ‰; 0 never */
	bool escalate;	   /* overdue at this level moves the case up one level */
	int64_t grace;	   /* seconds past the deadline before it does */
};

struct cw_escalation_policy {
	struct cw_escalation_rule at[CW_LEVEL__COUNT]; /* by the case's handling level */
	int max_escalations; /* escalations a case may have had for another one; 0 no limit */
};

/* The default: warn at 80% of the allowed time; a case overdue at any level below the
 * city goes up one level at once, as often as it is overdue again. */
struct cw_escalation_policy cw_escalation_policy_default(void);

/* The decision for a case whose running deadline started at `started` and ends at
 * `due` (the last instant on time: overdue means now > due). Nothing while suspended or
 * with no clock running; a warning once per deadline, at started + share of (due -
 * started) exactly; overdue once; escalate when the rule says so, the grace has passed,
 * the limit allows and the kind lets the scheduler escalate in this state (a petition,
 * for one, only once it is marked overdue). The share is of wall-clock time: a deadline
 * in working days is stretched by nights and weekends alike, which moves the yellow
 * mark a little and never the red one. */
enum cw_tick cw_escalation_decide(const struct cw_case_kind *k,
				  const struct cw_escalation_policy *p,
				  const struct cw_case_state *s, int64_t started, int64_t due,
				  int64_t now);

/* Carry a decision out on the state: WARN sets `warned`, OVERDUE sets `overdue`, both
 * with a timeline key ("warn", "overdue") and whom to tell; ESCALATE is the escalate
 * action taken by the scheduler (timeline key "escalate.overdue"). NONE changes
 * nothing and leaves fx->what empty. Codes as cw_case_apply(). */
enum cw_ec cw_escalation_apply(const struct cw_case_kind *k, enum cw_tick tick,
			       const struct cw_case_state *in, struct cw_case_state *out,
			       struct cw_case_effects *fx);

#endif
