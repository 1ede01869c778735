/* demo_cases.h - the pure parts of `civicgrid demo --cases N`: a seeded random stream,
 * the shape of a year of reports in time, and the walk of one case through the engine
 * (core/case_flow.h) with the scheduler's default escalation policy
 * (core/escalation.h) and deadlines from the working-day calendar (core/calendar.h).
 *
 * Deterministic: the same seed and inputs give the same numbers on every machine (no
 * floating-point results are printed or stored beyond what these functions return, and
 * they use only +, -, *, / and comparisons on doubles). No I/O; demo_cases.c does the
 * store's part. */
#ifndef CW_APP_DEMO_CASES_H
#define CW_APP_DEMO_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/case_flow.h"
#include "core/region.h"

/* splitmix64 */
struct cw_dc_rng {
	uint64_t s;
};

/* The stream of case `i` of a generation with `seed`: independent of every other case,
 * so a case is the same whatever was generated before it. */
struct cw_dc_rng cw_dc_rng_for(uint64_t seed, uint64_t i);
uint64_t cw_dc_next(struct cw_dc_rng *r);
double cw_dc_unit(struct cw_dc_rng *r);		     /* [0, 1) with 53 bits */
int cw_dc_below(struct cw_dc_rng *r, int n);	     /* 0 .. n-1 */
/* An index drawn by weight from the cumulative weights cum[0..n-1] (increasing, the
 * last one the total); -1 when n is 0 or the total is not positive. */
int cw_dc_pick(struct cw_dc_rng *r, const double *cum, int n);

/* The relative number of reports on local day `day` (a day number, core/calendar.h):
 * working days more than rest days, holidays (春节 above all) fewer, a seasonal swell
 * that peaks in July. */
double cw_dc_day_weight(const struct cw_calendar *cal, int64_t day);
/* n creation instants in [until - 365 days, until), sorted ascending, drawn by day
 * weight and then by the hour of day (working hours peak on working days, evenings on
 * rest days). `out` holds n. */
void cw_dc_times(uint64_t seed, const struct cw_calendar *cal, int64_t until, int64_t n,
		 int64_t *out);

/* Who takes a step of the walk (demo_cases.c turns it into a user). */
enum cw_dc_role {
	CW_DC_SYSTEM,	/* the scheduler: warn, overdue, escalate.overdue */
	CW_DC_REPORTER, /* the report itself */
	CW_DC_DISPATCH, /* the dispatch centre (or petition office) at the case's level */
	CW_DC_DEPT,	/* the department unit (mediators for disputes) */
	CW_DC_GRID,	/* the grid worker of the case's grid */
	CW_DC_CITIZEN,	/* the reporter as a citizen: ratings, review requests */
	CW_DC_LEADER,	/* supervision */
};

struct cw_dc_event {
	int64_t at;
	enum cw_dc_role role;
	enum cw_level level;  /* the case's handling level when the step was taken */
	int64_t department;   /* the case's department unit then */
	char what[48];	      /* the timeline key: "create", "register", "verify.fixed", … */
	const char *note;     /* static text, or NULL */
	int status_before;    /* 0 for the report */
	int status_after;
};

#define CW_DC_MAX_EVENTS 96

struct cw_dc_walk_in {
	const struct cw_case_kind *kind;
	struct cw_case_due handle; /* the category's own deadline (unit NONE: the kind's) */
	enum cw_level level;	   /* first handling level */
	int64_t department;	   /* the unit the category routes to (0: none) */
	int64_t other_department;  /* where a returned case goes next (0: the same) */
	int64_t merge_into;	   /* an earlier case in the same grid (0: none) */
	bool citizen;		   /* reported by a citizen who can rate */
	bool grid_worker;	   /* the case's grid has a worker to verify on site */
	bool patrol;		   /* found by the grid worker on patrol */
	int64_t created, until;	   /* the report, and the instant the data stops at */
	const struct cw_calendar *cal;	  /* NULL: plain weekdays */
	const struct cw_work_hours *hours; /* NULL: the default */
};

struct cw_dc_walk {
	struct cw_case_state st;
	int64_t deadline, clock_started_at, clock_remaining;
	int64_t updated_at; /* the last step */
	struct cw_dc_event ev[CW_DC_MAX_EVENTS];
	int nev;
	int refused; /* steps the engine refused: 0 unless the walk has a bug */
};

/* Walks one case from its report to where it stands at in->until: register or reject
 * or merge, dispatch (sometimes returned and dispatched again), accept, mediation for
 * disputes, extensions, suspensions, supervision, report, verification with rework,
 * the reporter's rating with rectification after a bad one, petition reviews, and the
 * scheduler's warnings, overdue marks and escalations in between; every step through
 * cw_case_apply() or cw_escalation_apply(). Steps that would fall after until are not
 * taken, so recent cases are still open. */
void cw_dc_walk(const struct cw_dc_walk_in *in, struct cw_dc_rng *r, struct cw_dc_walk *out);

#endif
