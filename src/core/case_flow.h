/* case_flow.h - the case engine: statuses, actions, who may take which action, and what
 * an action does to a case. Pure: the caller computes relations and time windows. */
#ifndef CW_CORE_CASE_FLOW_H
#define CW_CORE_CASE_FLOW_H

/* How it is used. The api layer loads the case, fills a cw_case_state (persisted
 * fields plus the time windows it works out with the calendar) and a cw_case_actor
 * (roles plus the actor's relations to this case), and calls cw_case_allowed() for the
 * "actions" list or cw_case_apply() for an action. apply answers the new state and the
 * effects: what to do with the deadline clock, whom to notify, the timeline key,
 * before/after. The caller persists state, timeline entry and audit record in one
 * transaction.
 *
 * Who may do what is one table of rows (action, from-statuses, roles, relation,
 * window, target) in case_flow.c; cw_case_allowed() and cw_case_apply() both read it
 * through one check, so the list a user sees and what the server accepts agree.
 *
 * A case kind (event, petition, dispute, …) is a descriptor of plain data: its extra
 * statuses, actions, deadline phases and time windows, its own table rows (which take
 * the place of the base rows for the same action and status), default deadlines, limits,
 * and two optional hooks. A configured server may copy a built-in descriptor and change
 * the data (deadlines, limits) from its settings. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/error.h"
#include "core/region.h"

/* Statuses. 0 is "none" so that a row's unset target means "unchanged". A kind's
 * extra statuses are numbered CW_CASE_ST__BASE + i, at most CW_CASE_ST_MAX in all. */
enum cw_case_status {
	CW_CASE_ST_NONE,
	CW_CASE_ST_REPORTED,
	CW_CASE_ST_REGISTERED,
	CW_CASE_ST_REJECTED,
	CW_CASE_ST_DISPATCHED,
	CW_CASE_ST_IN_PROGRESS,
	CW_CASE_ST_RESOLVED,
	CW_CASE_ST_CLOSED,
	CW_CASE_ST_SUSPENDED,
	CW_CASE_ST_MERGED,
	CW_CASE_ST__BASE
};
#define CW_CASE_ST_MAX 64
#define CW_CASE_ST_RESUME (-1) /* a row target: the status remembered at suspension */

/* Actions, named as in API.md. A kind's extra actions are CW_CASE_ACT__BASE + i. */
enum cw_case_action {
	CW_CASE_ACT_NONE,
	CW_CASE_ACT_REGISTER,
	CW_CASE_ACT_REJECT,		/* {reason} */
	CW_CASE_ACT_DISPATCH,		/* {department} */
	CW_CASE_ACT_ACCEPT,
	CW_CASE_ACT_RETURN,		/* {reason} */
	CW_CASE_ACT_REQUEST_EXTENSION,	/* {days, reason} */
	CW_CASE_ACT_APPROVE_EXTENSION,
	CW_CASE_ACT_DENY_EXTENSION,
	CW_CASE_ACT_REPORT_RESULT,	/* {result} */
	CW_CASE_ACT_VERIFY,		/* {fixed} */
	CW_CASE_ACT_SUSPEND,		/* {reason} */
	CW_CASE_ACT_RESUME,
	CW_CASE_ACT_SUPERVISE,
	CW_CASE_ACT_ESCALATE,		/* {reason} */
	CW_CASE_ACT_MERGE,		/* {into} */
	CW_CASE_ACT_RATE,		/* {level 1-5, comment?} */
	CW_CASE_ACT__BASE
};
#define CW_CASE_ACT_MAX 64
typedef uint64_t cw_case_actions; /* bit (1ull << action) */

/* Deadline phases: which clock runs. A kind's extra phases are CW_CASE_PH__BASE + i. */
enum cw_case_phase {
	CW_CASE_PH_NONE,
	CW_CASE_PH_REGISTER, /* reported: register or reject */
	CW_CASE_PH_DISPATCH, /* registered: dispatch */
	CW_CASE_PH_HANDLE,   /* dispatched, in progress: the deadline that starts at dispatch */
	CW_CASE_PH_REWORK,   /* in progress again after a failed verification */
	CW_CASE_PH_VERIFY,   /* resolved: verify */
	CW_CASE_PH_RECTIFY,  /* in progress again after a bad rating (整改) */
	CW_CASE_PH__BASE
};
#define CW_CASE_PH_MAX 16

/* Time windows: periods after an action within which another action is allowed.
 * 0 is "none"; a kind's extra windows are CW_CASE_WIN__BASE + i. */
enum cw_case_window {
	CW_CASE_WIN_NONE,
	CW_CASE_WIN_RETURN, /* a department may return a case within 5 working days of dispatch */
	CW_CASE_WIN__BASE
};
#define CW_CASE_WIN_MAX 8

/* A period as data; the calendar module turns it into an instant. */
enum cw_case_due_unit {
	CW_CASE_DUE_NONE,	   /* no deadline */
	CW_CASE_DUE_WORKING_HOURS,
	CW_CASE_DUE_WORKING_DAYS,
	CW_CASE_DUE_DAYS,	   /* calendar days under the statutory rule (DOMAIN.md §3) */
};
struct cw_case_due {
	enum cw_case_due_unit unit;
	int amount;
};

/* What a case is, as far as the engine is concerned. Every field but windows_open is
 * persisted by the caller. */
struct cw_case_state {
	int64_t id;		   /* the case (a merge into itself is refused) */
	int status;		   /* CW_CASE_ST_* or a kind's extra status */
	int resume_status;	   /* while suspended: the status resume returns to */
	enum cw_level level;	   /* where the case is handled now */
	int64_t department;	   /* the department unit dispatched to; 0 none */
	int64_t merged_into;	   /* merged: the case it lives on in */
	int clock;		   /* the phase whose deadline runs; paused while suspended */
	bool overdue;		   /* red: the running deadline has passed */
	bool warned;		   /* yellow: the warning for the running deadline was given */
	bool supervised;	   /* 督办 */
	bool extension_pending;	   /* a request_extension awaits approve/deny */
	int extension_days_asked;  /* its days */
	int extensions;		   /* extensions approved */
	int extension_days;	   /* days approved in all */
	int reworks;		   /* failed verifications (返工) */
	int escalations;	   /* levels climbed */
	int ratings;		   /* ratings given, a re-rating included */
	int rating;		   /* the latest, 1-5; 0 none */
	int rectifications;	   /* rectifications opened by bad ratings */
	uint32_t kind_flags;	   /* free for the kind's module */
	/* Not persisted: worked out by the caller from the timeline and the calendar
	 * when it loads the case, bit (1u << window) for each window still open. */
	uint32_t windows_open;
};

/* A pseudo role for table rows: the scheduler applying the escalation policy. It
 * satisfies every relation. */
#define CW_CASE_SYSTEM (1u << 31)

/* Who acts, and how they relate to this case. The caller computes the relations from
 * the actor's home region and units and the case's region, grid, department and
 * reporter; the table says which relation a row needs. */
struct cw_case_actor {
	cw_roleset roles;  /* the actor's roles, or CW_CASE_SYSTEM */
	bool in_scope;	   /* the case's region lies in the actor's home-region subtree */
	bool level_ok;	   /* the actor's home region is at the case's handling level or above */
	bool department;   /* the actor belongs to the department unit the case is with */
	bool grid_worker;  /* the actor is a grid worker of the case's grid */
	bool reporter;	   /* the actor reported the case */
};

/* The relation a table row requires. */
enum cw_case_rel {
	CW_CASE_REL_REGION,	/* in_scope and level_ok: the region's staff at the level */
	CW_CASE_REL_DEPARTMENT, /* department */
	CW_CASE_REL_GRID,	/* grid_worker */
	CW_CASE_REL_REPORTER,	/* reporter */
};

/* A row of the table: `roles` with `rel` to the case may take `action` in a status of
 * `from` (bit 1ull << status) or of class `from_class`, while `window` (if any) is
 * open; the case moves to `to` (0: unchanged). For verify {fixed: false} and a rating
 * that opens a rectification it moves to `to_no` instead. `phase`/`phase_no` name the
 * deadline to start on that move (0: the new status's own, kept if it already runs).
 * A row with roles 0 grants nobody: a kind uses it to take a base row away. */
struct cw_case_rule {
	int action;
	uint64_t from;
	unsigned from_class;
	cw_roleset roles;
	enum cw_case_rel rel;
	int window;
	int to, to_no;
	int phase, phase_no;
};

/* Status classes. */
#define CW_CASE_OPEN 1u	    /* work remains: supervise, escalate, suspend, merge apply */
#define CW_CASE_FINAL 2u    /* nothing more happens (rejected, merged) */

struct cw_case_status_def {
	const char *name;
	unsigned cls;  /* CW_CASE_OPEN, CW_CASE_FINAL or 0 */
	int phase;     /* the deadline that runs in this status */
};

/* Input fields an action requires (checked before the action does anything). */
#define CW_CASE_NEED_REASON 1u
#define CW_CASE_NEED_DEPARTMENT 2u
#define CW_CASE_NEED_DAYS 4u
#define CW_CASE_NEED_RESULT 8u
#define CW_CASE_NEED_INTO 16u
#define CW_CASE_NEED_RATING 32u

/* Who hears of an action (the caller resolves these to users). */
#define CW_CASE_NOTIFY_REPORTER 1u
#define CW_CASE_NOTIFY_DISPATCHER 2u  /* the dispatch centre at the handling level */
#define CW_CASE_NOTIFY_DEPARTMENT 4u  /* the department unit the case is with */
#define CW_CASE_NOTIFY_GRID_WORKER 8u /* the workers of the case's grid */
#define CW_CASE_NOTIFY_LEADERS 16u    /* leaders at the handling level */

struct cw_case_action_def {
	const char *name;
	unsigned needs;			/* CW_CASE_NEED_* */
	unsigned notify, notify_no;	/* on the ordinary outcome, on the "no" outcome */
};

struct cw_case_window_def {
	const char *name;
	int anchor;		 /* the action it starts at */
	struct cw_case_due span; /* how long it stays open */
};

struct cw_case_limits {
	int max_extensions;	 /* approved extensions per case */
	int max_extension_days;	 /* days one request may ask for */
	int max_extension_total; /* days of all extensions together */
	int max_reratings;	 /* ratings after a rectification (好差评: 1) */
};

/* The body of an action, as parsed by the api layer. Strings are UTF-8, NUL-ended,
 * borrowed for the call. */
#define CW_CASE_TEXT_MAX 4000 /* bytes of reason, result, comment, note */
struct cw_case_action_input {
	const char *reason;   /* reject, return, request_extension, suspend, escalate */
	int64_t department;   /* dispatch: the department unit */
	int days;	      /* request_extension */
	const char *result;   /* report_result */
	bool fixed;	      /* verify */
	int64_t into;	      /* merge */
	int rating;	      /* rate: 1-5, see cw_case_rating_class() */
	const char *comment;  /* rate, optional */
	const char *note;     /* any action, optional: goes to the timeline */
};

/* What the caller must do with the deadline. */
enum cw_case_clock_op {
	CW_CASE_CLOCK_KEEP,
	CW_CASE_CLOCK_START,  /* compute a new deadline for `phase` from now (and the level) */
	CW_CASE_CLOCK_STOP,   /* no deadline any more */
	CW_CASE_CLOCK_PAUSE,  /* suspended: remember how much time is left */
	CW_CASE_CLOCK_RESUME, /* resumed: the deadline moves by the time spent suspended */
	CW_CASE_CLOCK_EXTEND, /* move the deadline by `days` (in the phase's day unit) */
};

struct cw_case_effects {
	int action;
	int status_before, status_after;
	enum cw_level level_before, level_after;
	enum cw_case_clock_op clock;
	int phase;		  /* START: the deadline to compute; otherwise the running one */
	int days;		  /* EXTEND */
	bool rework;		  /* a rework was counted (返工) */
	bool rectification;	  /* a bad rating opened a rectification (整改) */
	bool extension_dropped;	  /* a pending extension request lapsed with this move */
	unsigned notify;	  /* CW_CASE_NOTIFY_* */
	char what[48];		  /* timeline key: "<action>" or "<action>.<outcome>" */
	const char *field;	  /* on a 400 error: the input field at fault */
};

struct cw_case_kind {
	const char *name; /* "event", "petition", "dispute", "service", "hazard" */
	const struct cw_case_status_def *statuses; /* extra statuses */
	int n_statuses;
	const struct cw_case_action_def *actions; /* extra actions */
	int n_actions;
	const char *const *phases; /* names of extra phases */
	int n_phases;
	/* The kind's rows. For an action in a status where one of them applies (whoever
	 * it grants), the base rows do not. */
	const struct cw_case_rule *rules;
	int n_rules;
	/* Default deadline per phase; a category's own deadline overrides it. */
	struct cw_case_due deadline[CW_CASE_PH_MAX];
	struct cw_case_window_def window[CW_CASE_WIN_MAX]; /* by window id */
	struct cw_case_limits limits;
	/* Optional. guard: may `action` be taken in this state at all (beyond the table)?
	 * CW_EC_OK or the code to refuse with; used by allowed and apply alike.
	 * on_transition: after the engine computed `after` and `fx`, adjust them or refuse
	 * (the state is then left as it was). */
	enum cw_ec (*guard)(const struct cw_case_kind *k, const struct cw_case_state *s,
			    int action);
	enum cw_ec (*on_transition)(const struct cw_case_kind *k,
				    const struct cw_case_state *before, struct cw_case_state *after,
				    const struct cw_case_actor *actor, int action,
				    const struct cw_case_action_input *in,
				    struct cw_case_effects *fx);
};

/* The built-in kinds: the 数字城管 loop (event; service requests and hazards run the
 * same loop under their own names), petitions (信访) and disputes (矛盾纠纷调解). */
const struct cw_case_kind *cw_case_kind_event(void);
const struct cw_case_kind *cw_case_kind_petition(void);
const struct cw_case_kind *cw_case_kind_dispute(void);
const struct cw_case_kind *cw_case_kind_find(const char *name); /* NULL when unknown */
/* Is a descriptor consistent: names present and distinct, every row's action, statuses,
 * phases and window known to the kind, limits not negative? For a new kind's tests. */
bool cw_case_kind_valid(const struct cw_case_kind *k);

/* Names <-> numbers, for this kind. Names are the API's; parse answers 0 for an unknown
 * or NULL name, name answers NULL for a number the kind does not have. */
const char *cw_case_status_name(const struct cw_case_kind *k, int status);
int cw_case_status_parse(const struct cw_case_kind *k, const char *name);
const char *cw_case_action_name(const struct cw_case_kind *k, int action);
int cw_case_action_parse(const struct cw_case_kind *k, const char *name);
const char *cw_case_phase_name(const struct cw_case_kind *k, int phase);
int cw_case_status_count(const struct cw_case_kind *k); /* highest status + 1 */
int cw_case_action_count(const struct cw_case_kind *k); /* highest action + 1 */
/* "register,reject,merge": the set's names in number order; cut short (at a comma)
 * when `n` is too small. */
void cw_case_actions_format(const struct cw_case_kind *k, cw_case_actions set, char *out,
			    size_t n);

/* A new case: reported, handled at `level`, its register clock started. */
void cw_case_open(const struct cw_case_kind *k, enum cw_level level,
		  struct cw_case_state *out, struct cw_case_effects *fx);

/* Which actions this actor may take now. The same check as cw_case_apply(), minus
 * the input; 0 for a state the kind does not know. */
cw_case_actions cw_case_allowed(const struct cw_case_kind *k, const struct cw_case_state *s,
				const struct cw_case_actor *actor);

/* Take `action`. CW_EC_OK with *out the new state and *fx the effects; otherwise
 * *out == *in and the code says why:
 *   UNKNOWN_ACTION (404)        the kind has no such action;
 *   ACTION_NOT_ALLOWED (409)    not in this status, not for these roles or relations,
 *                               or the state forbids it now (pending request, …);
 *   ACTION_WINDOW_CLOSED (409)  the row's window has closed (return after 5 working days);
 *   EXTENSION_LIMIT_REACHED, CASE_AT_TOP_LEVEL (409);
 *   MISSING_FIELD, INVALID_FIELD, FIELD_TOO_LONG (400) with fx->field naming the field;
 *   or what the kind's hooks answer. `out` may be `in`. */
enum cw_ec cw_case_apply(const struct cw_case_kind *k, const struct cw_case_state *in,
			 const struct cw_case_actor *actor, int action,
			 const struct cw_case_action_input *input, struct cw_case_state *out,
			 struct cw_case_effects *fx);

/* The kind's default deadline for a phase ({NONE, 0} when it has none). */
struct cw_case_due cw_case_deadline(const struct cw_case_kind *k, int phase);

/* Ratings (好差评, 国办发〔2019〕51号): 5 非常满意, 4 满意, 3 基本满意, 2 不满意,
 * 1 非常不满意. 4-5 are good, 3 neutral, 1-2 bad; a bad rating opens a rectification. */
enum cw_rating_class { CW_RATING_INVALID = -1, CW_RATING_BAD, CW_RATING_NEUTRAL, CW_RATING_GOOD };
enum cw_rating_class cw_case_rating_class(int rating);
const char *cw_case_rating_name(int rating); /* "非常满意", …; NULL outside 1-5 */

#endif
