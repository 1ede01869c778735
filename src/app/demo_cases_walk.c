/* demo_cases_walk.c - the pure parts of the demo's cases (demo_cases.h): the random
 * stream, when reports come in, and one case's walk through the engine. */
#include "app/demo_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escalation.h"
#include "util/clock.h"

#define DAY 86400
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- random stream ---- */

uint64_t cw_dc_next(struct cw_dc_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct cw_dc_rng cw_dc_rng_for(uint64_t seed, uint64_t i)
{
	struct cw_dc_rng r = {seed ^ 0x6a09e667f3bcc909ULL};
	r.s = cw_dc_next(&r) ^ (i * 0xd1b54a32d192ed03ULL);
	cw_dc_next(&r);
	return r;
}

double cw_dc_unit(struct cw_dc_rng *r)
{
	return (double)(cw_dc_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int cw_dc_below(struct cw_dc_rng *r, int n)
{
	return n <= 0 ? 0 : (int)(cw_dc_next(r) % (uint64_t)n);
}

int cw_dc_pick(struct cw_dc_rng *r, const double *cum, int n)
{
	if (n <= 0 || !(cum[n - 1] > 0))
		return -1;
	double x = cw_dc_unit(r) * cum[n - 1];
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* ---- when reports come in ---- */

double cw_dc_day_weight(const struct cw_calendar *cal, int64_t day)
{
	int y, m, d;
	cw_day_to_civil(day, &y, &m, &d);
	/* Seasonal swell: a triangle over the year, lowest in mid-January, highest in
	 * mid-July (street stalls, barbecues, rainstorms), +-25%. */
	int64_t doy = day - cw_day_from_civil(y, 1, 1); /* 0 .. 365 */
	double phase = (double)((doy + 365 - 14) % 365) / 182.5; /* 0 at Jan 14 */
	double tri = phase <= 1 ? phase : 2 - phase;	      /* 0 .. 1 .. 0 */
	double w = 0.75 + 0.5 * tri;
	if (cw_calendar_is_working_dayn(cal, day))
		return w;
	/* Rest days: fewer patrols and calls; holidays fewer still, the Spring Festival
	 * least of all. */
	enum cw_day_kind k = cw_calendar_kind(cal, day);
	if (k == CW_DAY_OFF)
		return w * (m <= 2 ? 0.25 : 0.4);
	return w * 0.55;
}

/* Reports by local hour: office hours on working days; later and flatter on rest days. */
static const double hour_work[24] = {
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 5.0, 9.0, 10.0, 9.0,
    5.0, 3.0, 6.0, 9.0, 9.5, 7.0, 4.0, 3.0, 2.5, 1.8, 1.0, 0.5,
};
static const double hour_rest[24] = {
    0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.5, 5.5, 5.5,
    4.5, 4.0, 4.5, 5.0, 5.0, 4.5, 4.5, 4.5, 4.0, 3.0, 1.5, 0.8,
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

void cw_dc_times(uint64_t seed, const struct cw_calendar *cal, int64_t until, int64_t n,
		 int64_t *out)
{
	int64_t last = cw_day_of(until - 1), first = last - 364;
	double cum_day[365], cum_work[24], cum_rest[24];
	double sum = 0;
	for (int i = 0; i < 365; i++)
		cum_day[i] = sum += cw_dc_day_weight(cal, first + i);
	sum = 0;
	for (int i = 0; i < 24; i++)
		cum_work[i] = sum += hour_work[i];
	sum = 0;
	for (int i = 0; i < 24; i++)
		cum_rest[i] = sum += hour_rest[i];
	struct cw_dc_rng r = cw_dc_rng_for(seed, UINT64_MAX);
	for (int64_t i = 0; i < n; i++) {
		int64_t day = first + cw_dc_pick(&r, cum_day, 365);
		bool work = cw_calendar_is_working_dayn(cal, day);
		int h = cw_dc_pick(&r, work ? cum_work : cum_rest, 24);
		int64_t t = cw_day_start(day) + h * 3600 + cw_dc_below(&r, 3600);
		out[i] = t < until ? t : until - 1;
	}
	qsort(out, (size_t)n, sizeof *out, cmp_i64);
}

/* ---- the walk ---- */

struct walk {
	const struct cw_dc_walk_in *in;
	struct cw_dc_rng *r;
	struct cw_dc_walk *w;
	const struct cw_case_kind *k;
	struct cw_escalation_policy policy;
	int64_t t;	   /* the last step */
	int64_t last_tick; /* the scheduler's last pass that did something */
	bool stopped;	   /* the data ends here (until reached, or a refusal) */
	bool center24;	   /* the centre works around the clock (数字城管, 12345); the
			    * petition office and dispute registration keep office hours */
};

static double u(struct walk *x)
{
	return cw_dc_unit(x->r);
}

static bool chance(struct walk *x, double p)
{
	return u(x) < p;
}

static const char *pick_text(struct walk *x, const char *const *v, int n)
{
	return v[cw_dc_below(x->r, n)];
}
#define PICK(x, arr) pick_text((x), (arr), NELEM(arr))

/* The deadline of `phase` from `from`: the category's own for handling and rework, the
 * kind's default otherwise (as cases.c computes it); 0 for none. */
static int64_t due_of(struct walk *x, int phase, int64_t from)
{
	struct cw_case_due d = cw_case_deadline(x->k, phase);
	if ((phase == CW_CASE_PH_HANDLE || phase == CW_CASE_PH_REWORK) &&
	    x->in->handle.unit != CW_CASE_DUE_NONE)
		d = x->in->handle;
	int64_t due = 0;
	enum cw_ec ec = CW_EC_OK;
	switch (d.unit) {
	case CW_CASE_DUE_WORKING_HOURS:
		ec = cw_due_working_hours(x->in->cal, x->in->hours, from, d.amount, &due);
		break;
	case CW_CASE_DUE_WORKING_DAYS:
		ec = cw_due_working_days(x->in->cal, x->in->hours, from, d.amount, &due);
		break;
	case CW_CASE_DUE_DAYS:
		ec = cw_due_days(x->in->cal, from, d.amount, &due);
		break;
	case CW_CASE_DUE_NONE:
		break;
	}
	return ec == CW_EC_OK ? due : 0;
}

static struct cw_dc_event *push(struct walk *x, int64_t at, enum cw_dc_role role,
				enum cw_level level, int64_t dept, const char *what,
				const char *note, int before, int after)
{
	struct cw_dc_walk *w = x->w;
	if (w->nev == CW_DC_MAX_EVENTS)
		return NULL;
	struct cw_dc_event *e = &w->ev[w->nev++];
	memset(e, 0, sizeof *e);
	e->at = at;
	e->role = role;
	e->level = level;
	e->department = dept;
	snprintf(e->what, sizeof e->what, "%s", what);
	e->note = note;
	e->status_before = before;
	e->status_after = after;
	w->updated_at = at;
	return e;
}

/* The scheduler's passes (every 30 s) between the last step and `upto` (exclusive):
 * each pass that changes something is taken as cw_escalation_decide() says. */
static void ticks(struct walk *x, int64_t upto)
{
	struct cw_dc_walk *w = x->w;
	for (int guard = 0; guard < 32 && w->nev < CW_DC_MAX_EVENTS; guard++) {
		struct cw_case_state *s = &w->st;
		if (!s->clock || s->status == CW_CASE_ST_SUSPENDED || !w->deadline)
			return;
		int64_t started = w->clock_started_at, due = w->deadline, at;
		if (!s->warned && !s->overdue && due > started)
			at = started + (due - started) * 800 / 1000;
		else
			at = due + 1;
		at = (at + 29) / 30 * 30;
		if (at <= x->last_tick)
			at = x->last_tick + 30;
		if (at <= x->t)
			at = (x->t / 30 + 1) * 30;
		if (at >= upto)
			return;
		enum cw_tick tick = cw_escalation_decide(x->k, &x->policy, s, started, due, at);
		if (tick == CW_TICK_NONE)
			return; /* overdue where it cannot go higher: nothing more until acted on */
		struct cw_case_state n;
		struct cw_case_effects fx;
		if (cw_escalation_apply(x->k, tick, s, &n, &fx) != CW_EC_OK) {
			w->refused++;
			return;
		}
		enum cw_level level = s->level;
		int before = s->status;
		*s = n;
		if (fx.clock == CW_CASE_CLOCK_START) {
			w->deadline = due_of(x, fx.phase, at);
			w->clock_started_at = at;
			w->clock_remaining = 0;
		}
		push(x, at, CW_DC_SYSTEM, level, s->department, fx.what,
		     tick == CW_TICK_ESCALATE ? "逾期未办结，自动提级" : NULL, before, s->status);
		x->last_tick = at;
	}
}

/* Which of the kind's windows are open at `at` (as cases.c works it out from the
 * timeline: from the latest entry of the anchor action, for the window's span). */
static uint32_t windows(struct walk *x, int64_t at)
{
	uint32_t open = 0;
	const struct cw_dc_walk *w = x->w;
	for (int win = 1; win < CW_CASE_WIN_MAX; win++) {
		const struct cw_case_window_def *d = &x->k->window[win];
		const char *anchor = d->name ? cw_case_action_name(x->k, d->anchor) : NULL;
		if (!anchor)
			continue;
		size_t len = strlen(anchor);
		for (int i = w->nev - 1; i >= 0; i--) {
			const char *what = w->ev[i].what;
			if (strncmp(what, anchor, len) != 0 || (what[len] && what[len] != '.'))
				continue;
			int64_t until = 0;
			enum cw_ec ec = CW_EC_OK;
			if (d->span.unit == CW_CASE_DUE_WORKING_DAYS)
				ec = cw_due_working_days(x->in->cal, x->in->hours, w->ev[i].at,
							 d->span.amount, &until);
			else if (d->span.unit == CW_CASE_DUE_WORKING_HOURS)
				ec = cw_due_working_hours(x->in->cal, x->in->hours, w->ev[i].at,
							  d->span.amount, &until);
			else if (d->span.unit == CW_CASE_DUE_DAYS)
				ec = cw_due_days(x->in->cal, w->ev[i].at, d->span.amount, &until);
			if (ec == CW_EC_OK && at <= until)
				open |= 1u << win;
			break;
		}
	}
	return open;
}

static struct cw_case_actor actor_of(struct walk *x, enum cw_dc_role role)
{
	struct cw_case_actor a = {0};
	bool petition = strcmp(x->k->name, "petition") == 0;
	bool dispute = strcmp(x->k->name, "dispute") == 0;
	switch (role) {
	case CW_DC_DISPATCH:
		a.roles = 1u << (petition ? CW_ROLE_PETITION_OFFICER : CW_ROLE_DISPATCHER);
		a.in_scope = a.level_ok = true;
		break;
	case CW_DC_DEPT:
		a.roles = 1u << (dispute ? CW_ROLE_MEDIATOR : CW_ROLE_DEPARTMENT);
		a.department = true;
		break;
	case CW_DC_GRID:
		a.roles = 1u << CW_ROLE_GRID_WORKER;
		a.grid_worker = true;
		break;
	case CW_DC_CITIZEN:
		a.roles = 1u << CW_ROLE_CITIZEN;
		a.reporter = true;
		break;
	case CW_DC_LEADER:
		a.roles = 1u << CW_ROLE_LEADER;
		a.in_scope = a.level_ok = true;
		break;
	default:
		break;
	}
	return a;
}

/* Takes `action` at `at` as `role`: the scheduler's passes up to then first; nothing
 * when `at` is after the end of the data. */
static bool step(struct walk *x, enum cw_dc_role role, int action,
		 const struct cw_case_action_input *in, int64_t at)
{
	struct cw_dc_walk *w = x->w;
	if (x->stopped)
		return false;
	if (at <= x->t)
		at = x->t + 60;
	if (at > x->in->until || w->nev >= CW_DC_MAX_EVENTS - 8) {
		x->stopped = true;
		return false;
	}
	ticks(x, at);
	struct cw_case_state n;
	struct cw_case_effects fx;
	struct cw_case_actor a = actor_of(x, role);
	w->st.windows_open = windows(x, at);
	if (cw_case_apply(x->k, &w->st, &a, action, in, &n, &fx) != CW_EC_OK) {
		w->refused++;
		x->stopped = true;
		return false;
	}
	enum cw_level level = w->st.level;
	int64_t dept = w->st.department;
	int before = w->st.status;
	w->st = n;
	w->st.windows_open = 0;
	switch (fx.clock) {
	case CW_CASE_CLOCK_START:
		w->deadline = due_of(x, fx.phase, at);
		w->clock_started_at = at;
		w->clock_remaining = 0;
		break;
	case CW_CASE_CLOCK_STOP:
		w->deadline = 0;
		w->clock_started_at = 0;
		w->clock_remaining = 0;
		break;
	case CW_CASE_CLOCK_PAUSE:
		w->clock_remaining = w->deadline > at ? w->deadline - at : 0;
		w->deadline = 0;
		break;
	case CW_CASE_CLOCK_RESUME:
		w->deadline = at + w->clock_remaining;
		w->clock_remaining = 0;
		break;
	case CW_CASE_CLOCK_EXTEND:
		if (w->deadline &&
		    cw_due_working_days(x->in->cal, x->in->hours, w->deadline, fx.days,
					&w->deadline) != CW_EC_OK)
			w->deadline = 0;
		break;
	case CW_CASE_CLOCK_KEEP:
		break;
	}
	const char *note = in ? (in->reason	? in->reason
				 : in->result	? in->result
				 : in->comment	? in->comment
						: in->note)
			      : NULL;
	push(x, at, role, level, role == CW_DC_DEPT ? dept : w->st.department, fx.what, note,
	     before, w->st.status);
	x->t = at;
	return true;
}

/* When the next step against the running deadline comes: mostly well in time, now and
 * then late (the scheduler then warns, marks it overdue and escalates). Staff count the
 * time in working hours, so they act at the office and in time when they mean to; the
 * dispatch centre and citizens act around the clock. */
static int64_t in_time(struct walk *x, double late_p, bool staff)
{
	int64_t t = x->t, due = x->w->deadline;
	bool late = chance(x, late_p);
	double f = late ? 1.05 + 1.5 * u(x) : 0.03 + 0.8 * u(x) * u(x);
	if (staff) {
		int64_t left = due > t ? cw_working_minutes_between(x->in->cal, x->in->hours, t, due)
				       : 0;
		if (left < 30)
			left = 240; /* no deadline, or already past it: half a working day */
		int64_t at;
		if (cw_due_working_minutes(x->in->cal, x->in->hours, t,
					   1 + (int64_t)(f * (double)left), &at) != CW_EC_OK)
			at = t + 3600;
		return at;
	}
	int64_t span = due > t ? due - t : 4 * 3600;
	return t + 60 + (int64_t)(f * (double)span);
}

/* A delay of `lo`..`hi` hours: working hours for staff, wall-clock for citizens. */
static int64_t after_hours(struct walk *x, double lo, double hi, bool staff)
{
	double h = lo + (hi - lo) * u(x);
	int64_t at;
	if (staff && cw_due_working_minutes(x->in->cal, x->in->hours, x->t,
					    1 + (int64_t)(h * 60), &at) == CW_EC_OK)
		return at;
	return x->t + 60 + (int64_t)(h * 3600);
}

/* A share lo..hi of the time left on the running deadline, in working hours. */
static int64_t share_of(struct walk *x, double lo, double hi)
{
	int64_t t = x->t, due = x->w->deadline;
	int64_t left = due > t ? cw_working_minutes_between(x->in->cal, x->in->hours, t, due) : 0;
	if (left < 30)
		return after_hours(x, 0.1, 2, true);
	int64_t at;
	if (cw_due_working_minutes(x->in->cal, x->in->hours, t,
				   1 + (int64_t)((lo + (hi - lo) * u(x)) * (double)left),
				   &at) != CW_EC_OK)
		at = t + 3600;
	return at;
}

static const char *const reject_reasons[] = {
    "不属于受理范围", "信息不全，无法核实", "现场核实无此问题", "已由其他渠道受理",
};
static const char *const return_reasons[] = {
    "不属于本单位职责范围，请重新派遣", "涉及其他部门职责，建议改派",
};
static const char *const extension_reasons[] = {
    "涉及多个部门，需协调处理", "需采购材料，申请延期", "天气原因暂无法施工",
    "当事人暂时联系不上，需延期处理",
};
static const char *const suspend_reasons[] = {
    "涉及产权争议，待有关部门确认", "需待天气好转后施工", "进入司法程序，暂缓办理",
};
static const char *const escalate_reasons[] = {
    "涉及多部门，提请上级协调", "问题复杂，提请上级督办",
};
static const char *const results_event[] = {
    "已清理完毕，现场恢复整洁", "已修复，恢复正常使用", "已责令整改，现场已规范",
    "已安排人员处置完毕", "已联系责任单位处理完毕",
};
static const char *const results_service[] = {
    "已电话答复诉求人", "已协调解决诉求", "已按政策解释说明",
};
static const char *const results_hazard[] = {
    "隐患已整改消除", "已落实管控措施，持续跟踪", "已移交相关部门处置并办结",
};
static const char *const results_dispute[] = {
    "已调解结案，双方履行协议", "调解终结，已告知当事人其他救济途径",
};
static const char *const results_petition[] = {
    "已书面答复信访人", "已按政策办理并答复信访人",
};
static const char *const agreements[] = {
    "双方达成调解协议", "双方自愿和解并签订协议",
};
static const char *const failures[] = {
    "一方拒绝调解", "双方分歧较大，调解不成",
};
static const char *const comments_good[] = {
    "处理及时，很满意", "效率高，点赞", "问题已解决，谢谢",
};
static const char *const comments_bad[] = {
    "问题仍未彻底解决", "处理太慢", "反复出现，希望根治",
};

/* Handling until a result is reported: disputes are mediated first. */
static bool handle(struct walk *x, double late_p)
{
	const struct cw_case_action_input none = {0};
	const char *kind = x->k->name;
	if (strcmp(kind, "dispute") == 0) {
		enum { MEDIATE = CW_CASE_ACT__BASE, AGREE, FAIL, CONFIRM };
		if (!step(x, CW_DC_DEPT, MEDIATE, &none, share_of(x, 0.02, 0.3)))
			return false;
		bool agreed = chance(x, 0.82);
		struct cw_case_action_input in = {0};
		if (agreed)
			in.result = PICK(x, agreements);
		else
			in.reason = PICK(x, failures);
		if (!step(x, CW_DC_DEPT, agreed ? AGREE : FAIL, &in, in_time(x, late_p, true)))
			return false;
		if (agreed && chance(x, 0.25) &&
		    !step(x, CW_DC_DEPT, CONFIRM, &none, after_hours(x, 24, 400, false)))
			return false;
		struct cw_case_action_input res = {.result = agreed ? results_dispute[0]
								    : results_dispute[1]};
		return step(x, CW_DC_DEPT, CW_CASE_ACT_REPORT_RESULT, &res,
			    share_of(x, 0.05, 0.5));
	}
	struct cw_case_action_input res = {0};
	res.result = strcmp(kind, "service") == 0    ? PICK(x, results_service)
		     : strcmp(kind, "hazard") == 0   ? PICK(x, results_hazard)
		     : strcmp(kind, "petition") == 0 ? PICK(x, results_petition)
						     : PICK(x, results_event);
	return step(x, CW_DC_DEPT, CW_CASE_ACT_REPORT_RESULT, &res, in_time(x, late_p, true));
}

/* Verification: by the grid worker on site when there is one, else the centre. */
static bool verify(struct walk *x, bool fixed)
{
	bool petition = strcmp(x->k->name, "petition") == 0;
	bool on_site = !petition && x->in->grid_worker && chance(x, x->in->patrol ? 0.85 : 0.5);
	struct cw_case_action_input in = {.fixed = fixed};
	return step(x, on_site ? CW_DC_GRID : CW_DC_DISPATCH, CW_CASE_ACT_VERIFY, &in,
		    in_time(x, 0.015, true));
}

static int rating(struct walk *x, bool second)
{
	double v = u(x);
	if (second)
		return v < 0.55 ? 5 : v < 0.9 ? 4 : v < 0.97 ? 3 : 2;
	return v < 0.60 ? 5 : v < 0.88 ? 4 : v < 0.95 ? 3 : v < 0.985 ? 2 : 1;
}

void cw_dc_walk(const struct cw_dc_walk_in *in, struct cw_dc_rng *r, struct cw_dc_walk *out)
{
	struct walk x = {.in = in, .r = r, .w = out, .k = in->kind,
			 .policy = cw_escalation_policy_default(), .t = in->created};
	const struct cw_case_action_input none = {0};
	const struct cw_case_kind *k = in->kind;
	bool petition = strcmp(k->name, "petition") == 0;
	x.center24 = !petition && strcmp(k->name, "dispute") != 0;
	memset(out, 0, sizeof *out);

	struct cw_case_effects fx;
	cw_case_open(k, in->level, &out->st, &fx);
	out->st.department = in->department;
	if (fx.clock == CW_CASE_CLOCK_START) {
		out->deadline = due_of(&x, fx.phase, in->created);
		out->clock_started_at = in->created;
	}
	push(&x, in->created, CW_DC_REPORTER, in->level, in->department, "create", NULL, 0,
	     out->st.status);

	/* The fate of the report at the centre. */
	double v = u(&x);
	if (v < 0.035) {
		struct cw_case_action_input rj = {.reason = PICK(&x, reject_reasons)};
		step(&x, CW_DC_DISPATCH, CW_CASE_ACT_REJECT, &rj, in_time(&x, 0.01, !x.center24));
		goto end;
	}
	if (v < 0.055 && in->merge_into) {
		struct cw_case_action_input mg = {.into = in->merge_into,
						  .note = "重复上报，合并办理"};
		step(&x, CW_DC_DISPATCH, CW_CASE_ACT_MERGE, &mg, in_time(&x, 0.01, !x.center24));
		goto end;
	}
	if (!step(&x, CW_DC_DISPATCH, CW_CASE_ACT_REGISTER, &none, in_time(&x, 0.015, !x.center24)))
		goto end;
	if (!in->department)
		goto end; /* nowhere to send it: it waits at the centre */
	struct cw_case_action_input disp = {.department = in->department};
	if (!step(&x, CW_DC_DISPATCH, CW_CASE_ACT_DISPATCH, &disp, in_time(&x, 0.015, !x.center24)))
		goto end;
	if (chance(&x, 0.03)) {
		/* Not our remit: back within the window, and on to the other unit. */
		struct cw_case_action_input rt = {.reason = PICK(&x, return_reasons)};
		/* Soon, and always within the 5 working days the window allows. */
		int64_t at = share_of(&x, 0.05, 0.4), soon = after_hours(&x, 0.5, 30, true);
		if (!step(&x, CW_DC_DEPT, CW_CASE_ACT_RETURN, &rt, at < soon ? at : soon))
			goto end;
		struct cw_case_action_input d2 = {
		    .department = in->other_department ? in->other_department : in->department};
		if (!step(&x, CW_DC_DISPATCH, CW_CASE_ACT_DISPATCH, &d2, in_time(&x, 0.015, !x.center24)))
			goto end;
	}
	if (!step(&x, CW_DC_DEPT, CW_CASE_ACT_ACCEPT, &none, share_of(&x, 0.01, 0.15)))
		goto end;
	if (chance(&x, 0.03) && !x.w->st.supervised) {
		struct cw_case_action_input sv = {.note = "领导督办"};
		if (!step(&x, CW_DC_LEADER, CW_CASE_ACT_SUPERVISE, &sv, share_of(&x, 0.05, 0.5)))
			goto end;
	}
	if (chance(&x, 0.01) && x.w->st.level > CW_LEVEL_CITY && !petition) {
		struct cw_case_action_input es = {.reason = PICK(&x, escalate_reasons)};
		if (!step(&x, CW_DC_DISPATCH, CW_CASE_ACT_ESCALATE, &es, share_of(&x, 0.05, 0.6)))
			goto end;
	}
	/* Stuck (积案): the unit never reports; the scheduler escalates it to the top and it
	 * stays overdue there. */
	if (chance(&x, 0.025))
		goto end;
	if (chance(&x, 0.05)) {
		int maxd = k->limits.max_extension_days < 10 ? k->limits.max_extension_days : 10;
		struct cw_case_action_input ex = {.days = 3 + cw_dc_below(r, maxd > 3 ? maxd - 2 : 1),
						  .reason = PICK(&x, extension_reasons)};
		if (ex.days > maxd)
			ex.days = maxd;
		if (!step(&x, CW_DC_DEPT, CW_CASE_ACT_REQUEST_EXTENSION, &ex, in_time(&x, 0, true)))
			goto end;
		int act = chance(&x, 0.8) ? CW_CASE_ACT_APPROVE_EXTENSION : CW_CASE_ACT_DENY_EXTENSION;
		if (!step(&x, CW_DC_DISPATCH, act, &none, share_of(&x, 0.05, 0.5)))
			goto end;
	}
	if (chance(&x, 0.015)) {
		struct cw_case_action_input sp = {.reason = PICK(&x, suspend_reasons)};
		if (!step(&x, CW_DC_DISPATCH, CW_CASE_ACT_SUSPEND, &sp, in_time(&x, 0, true)) ||
		    !step(&x, CW_DC_DISPATCH, CW_CASE_ACT_RESUME, &none,
			  after_hours(&x, 72, 480, true)))
			goto end;
	}
	if (!handle(&x, 0.045))
		goto end;
	if (chance(&x, 0.07)) {
		if (!verify(&x, false) || !handle(&x, 0.03))
			goto end;
	}
	if (!verify(&x, true))
		goto end;
	if (!in->citizen || !chance(&x, 0.93))
		goto review;
	int lv = rating(&x, false);
	struct cw_case_action_input rt = {
	    .rating = lv,
	    .comment = lv >= 4 ? (chance(&x, 0.4) ? PICK(&x, comments_good) : NULL)
		       : lv <= 2 ? PICK(&x, comments_bad)
				 : NULL};
	if (!step(&x, CW_DC_CITIZEN, CW_CASE_ACT_RATE, &rt, after_hours(&x, 0.2, 72, false)))
		goto end;
	if (x.w->st.status != CW_CASE_ST_CLOSED) {
		/* A bad rating: called back and rectified (整改), verified, rated once more. */
		if (!handle(&x, 0.05) || !verify(&x, true))
			goto end;
		int lv2 = rating(&x, true);
		struct cw_case_action_input rt2 = {.rating = lv2};
		if (!step(&x, CW_DC_CITIZEN, CW_CASE_ACT_RATE, &rt2, after_hours(&x, 1, 72, false)))
			goto end;
	}
review:
	if (petition && in->citizen && chance(&x, 0.06)) {
		/* 复查 (§35) and sometimes 复核 (§36), each decided a level up. */
		enum { REQ_REVIEW = CW_CASE_ACT__BASE, DECIDE_REVIEW, REQ_RE_REVIEW, DECIDE_RE_REVIEW };
		struct cw_case_action_input rq = {.reason = "对处理意见不服，申请复查"};
		struct cw_case_action_input dr = {.result = "维持原处理意见"};
		if (!step(&x, CW_DC_CITIZEN, REQ_REVIEW, &rq, after_hours(&x, 24, 600, false)) ||
		    !step(&x, CW_DC_DISPATCH, DECIDE_REVIEW, &dr, in_time(&x, 0.05, true)))
			goto end;
		if (chance(&x, 0.3)) {
			struct cw_case_action_input rq2 = {.reason = "对复查意见不服，申请复核"};
			struct cw_case_action_input dr2 = {.result = "维持复查意见"};
			if (!step(&x, CW_DC_CITIZEN, REQ_RE_REVIEW, &rq2, after_hours(&x, 24, 600, false)) ||
			    !step(&x, CW_DC_DISPATCH, DECIDE_RE_REVIEW, &dr2, in_time(&x, 0.05, true)))
				goto end;
		}
	}
end:
	/* Where the case stands when the data ends: the scheduler's passes up to then. */
	if (!x.w->refused) {
		x.t = x.t > x.last_tick ? x.t : x.last_tick;
		ticks(&x, in->until + 1);
	}
	out->st.windows_open = 0;
}
