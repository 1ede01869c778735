/* case_flow.c - the table of who may do what to a case, the one check that reads it, the
 * transitions, and the built-in kinds (event, petition, dispute); see case_flow.h. */
#include "core/case_flow.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"

#define R(x) (1u << CW_ROLE_##x)
#define ST(x) (1ull << CW_CASE_ST_##x)
#define S(x) CW_CASE_ST_##x
#define A(x) CW_CASE_ACT_##x
#define PH(x) CW_CASE_PH_##x
#define OPEN CW_CASE_OPEN
#define REGION CW_CASE_REL_REGION
#define DEPT CW_CASE_REL_DEPARTMENT
#define GRID CW_CASE_REL_GRID
#define REPORTER CW_CASE_REL_REPORTER
#define SYSTEM CW_CASE_SYSTEM
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define N_REPORTER CW_CASE_NOTIFY_REPORTER
#define N_DISPATCHER CW_CASE_NOTIFY_DISPATCHER
#define N_DEPARTMENT CW_CASE_NOTIFY_DEPARTMENT
#define N_GRID CW_CASE_NOTIFY_GRID_WORKER
#define N_LEADERS CW_CASE_NOTIFY_LEADERS

#define WH(n) {CW_CASE_DUE_WORKING_HOURS, n}
#define WD(n) {CW_CASE_DUE_WORKING_DAYS, n}
#define DAYS(n) {CW_CASE_DUE_DAYS, n}

/* ---- the base loop: 数字城管七步闭环 and its side paths ---- */

/* Which deadline runs in each status. The handling clock starts at dispatch and
 * keeps running through acceptance (DOMAIN.md §2). */
static const struct cw_case_status_def base_statuses[CW_CASE_ST__BASE] = {
    [S(REPORTED)] = {"reported", 0, PH(REGISTER)},
    [S(REGISTERED)] = {"registered", OPEN, PH(DISPATCH)},
    [S(REJECTED)] = {"rejected", CW_CASE_FINAL, PH(NONE)},
    [S(DISPATCHED)] = {"dispatched", OPEN, PH(HANDLE)},
    [S(IN_PROGRESS)] = {"in_progress", OPEN, PH(HANDLE)},
    [S(RESOLVED)] = {"resolved", OPEN, PH(VERIFY)},
    [S(CLOSED)] = {"closed", 0, PH(NONE)},
    [S(SUSPENDED)] = {"suspended", 0, PH(NONE)},
    [S(MERGED)] = {"merged", CW_CASE_FINAL, PH(NONE)},
};

#define NEED(x) CW_CASE_NEED_##x
static const struct cw_case_action_def base_actions[CW_CASE_ACT__BASE] = {
    [A(REGISTER)] = {"register", 0, N_REPORTER},
    [A(REJECT)] = {"reject", NEED(REASON), N_REPORTER},
    [A(DISPATCH)] = {"dispatch", NEED(DEPARTMENT), N_DEPARTMENT},
    [A(ACCEPT)] = {"accept", 0, N_REPORTER},
    [A(RETURN)] = {"return", NEED(REASON), N_DISPATCHER},
    [A(REQUEST_EXTENSION)] = {"request_extension", NEED(DAYS) | NEED(REASON), N_DISPATCHER},
    [A(APPROVE_EXTENSION)] = {"approve_extension", 0, N_DEPARTMENT},
    [A(DENY_EXTENSION)] = {"deny_extension", 0, N_DEPARTMENT},
    /* The grid worker hears of a result so as to check it on site. */
    [A(REPORT_RESULT)] = {"report_result", NEED(RESULT), N_DISPATCHER | N_GRID},
    [A(VERIFY)] = {"verify", 0, N_REPORTER | N_DEPARTMENT, N_DEPARTMENT},
    [A(SUSPEND)] = {"suspend", 0, N_DEPARTMENT | N_REPORTER},
    [A(RESUME)] = {"resume", 0, N_DEPARTMENT | N_REPORTER},
    [A(SUPERVISE)] = {"supervise", 0, N_DEPARTMENT | N_DISPATCHER},
    [A(ESCALATE)] = {"escalate", NEED(REASON), N_LEADERS | N_DISPATCHER | N_DEPARTMENT},
    [A(MERGE)] = {"merge", NEED(INTO), N_REPORTER},
    [A(RATE)] = {"rate", NEED(RATING), 0, N_DEPARTMENT | N_DISPATCHER},
};

/* Who may take which action, in which status, with which relation to the case. This
 * is the one place that grants; a kind's rows take the place of these for an action
 * in a status they cover.
 *
 * The dispatch centre (综治中心/指挥中心) of the case's region at its handling level
 * runs the loop; the department unit the case is with handles it; the case grid's
 * worker checks results on site; leaders supervise and escalate; the reporter rates.
 * The admin roles, mediators and petition officers have no part in an event. */
static const struct cw_case_rule base_rules[] = {
    /* action                 from / from_class           roles                  relation */
    {A(REGISTER), ST(REPORTED), 0, R(DISPATCHER), REGION, .to = S(REGISTERED)},
    {A(REJECT), ST(REPORTED), 0, R(DISPATCHER), REGION, .to = S(REJECTED)},
    {A(DISPATCH), ST(REGISTERED), 0, R(DISPATCHER), REGION, .to = S(DISPATCHED)},
    {A(ACCEPT), ST(DISPATCHED), 0, R(DEPARTMENT), DEPT, .to = S(IN_PROGRESS)},
    /* "Not our remit": back to the dispatcher, within 5 working days of dispatch. */
    {A(RETURN), ST(DISPATCHED) | ST(IN_PROGRESS), 0, R(DEPARTMENT), DEPT,
     .window = CW_CASE_WIN_RETURN, .to = S(REGISTERED)},
    {A(REQUEST_EXTENSION), ST(IN_PROGRESS), 0, R(DEPARTMENT), DEPT},
    {A(APPROVE_EXTENSION), ST(IN_PROGRESS), 0, R(DISPATCHER), REGION},
    {A(DENY_EXTENSION), ST(IN_PROGRESS), 0, R(DISPATCHER), REGION},
    {A(REPORT_RESULT), ST(IN_PROGRESS), 0, R(DEPARTMENT), DEPT, .to = S(RESOLVED)},
    /* Not fixed: back to handling on a rework deadline (返工). */
    {A(VERIFY), ST(RESOLVED), 0, R(DISPATCHER), REGION, .to = S(CLOSED),
     .to_no = S(IN_PROGRESS), .phase_no = PH(REWORK)},
    {A(VERIFY), ST(RESOLVED), 0, R(GRID_WORKER), GRID, .to = S(CLOSED),
     .to_no = S(IN_PROGRESS), .phase_no = PH(REWORK)},
    {A(SUSPEND), 0, OPEN, R(DISPATCHER), REGION, .to = S(SUSPENDED)},
    {A(RESUME), ST(SUSPENDED), 0, R(DISPATCHER), REGION, .to = CW_CASE_ST_RESUME},
    {A(SUPERVISE), 0, OPEN, R(LEADER) | R(DISPATCHER) | SYSTEM, REGION},
    {A(ESCALATE), 0, OPEN, R(LEADER) | R(DISPATCHER) | SYSTEM, REGION},
    {A(MERGE), ST(REPORTED), OPEN, R(DISPATCHER), REGION, .to = S(MERGED)},
    /* A bad rating reopens the case for rectification (整改) on its own deadline. */
    {A(RATE), ST(CLOSED), 0, R(CITIZEN), REPORTER, .to_no = S(IN_PROGRESS),
     .phase_no = PH(RECTIFY)},
};

static const char *const base_phases[CW_CASE_PH__BASE] = {
    "none", "register", "dispatch", "handle", "rework", "verify", "rectify",
};

/* ---- names ---- */

static const struct cw_case_status_def *status_def(const struct cw_case_kind *k, int s)
{
	if (s > S(NONE) && s < CW_CASE_ST__BASE)
		return &base_statuses[s];
	if (s >= CW_CASE_ST__BASE && s - CW_CASE_ST__BASE < k->n_statuses)
		return &k->statuses[s - CW_CASE_ST__BASE];
	return NULL;
}

static const struct cw_case_action_def *action_def(const struct cw_case_kind *k, int a)
{
	if (a > A(NONE) && a < CW_CASE_ACT__BASE)
		return &base_actions[a];
	if (a >= CW_CASE_ACT__BASE && a - CW_CASE_ACT__BASE < k->n_actions)
		return &k->actions[a - CW_CASE_ACT__BASE];
	return NULL;
}

int cw_case_status_count(const struct cw_case_kind *k)
{
	return CW_CASE_ST__BASE + k->n_statuses;
}

int cw_case_action_count(const struct cw_case_kind *k)
{
	return CW_CASE_ACT__BASE + k->n_actions;
}

const char *cw_case_status_name(const struct cw_case_kind *k, int status)
{
	const struct cw_case_status_def *d = status_def(k, status);
	return d ? d->name : NULL;
}

int cw_case_status_parse(const struct cw_case_kind *k, const char *name)
{
	for (int s = 1; name && s < cw_case_status_count(k); s++)
		if (status_def(k, s)->name && strcmp(name, status_def(k, s)->name) == 0)
			return s;
	return S(NONE);
}

const char *cw_case_action_name(const struct cw_case_kind *k, int action)
{
	const struct cw_case_action_def *d = action_def(k, action);
	return d ? d->name : NULL;
}

int cw_case_action_parse(const struct cw_case_kind *k, const char *name)
{
	for (int a = 1; name && a < cw_case_action_count(k); a++)
		if (action_def(k, a)->name && strcmp(name, action_def(k, a)->name) == 0)
			return a;
	return A(NONE);
}

const char *cw_case_phase_name(const struct cw_case_kind *k, int phase)
{
	if (phase >= 0 && phase < CW_CASE_PH__BASE)
		return base_phases[phase];
	if (phase >= CW_CASE_PH__BASE && phase - CW_CASE_PH__BASE < k->n_phases)
		return k->phases[phase - CW_CASE_PH__BASE];
	return NULL;
}

void cw_case_actions_format(const struct cw_case_kind *k, cw_case_actions set, char *out,
			    size_t n)
{
	size_t used = 0;
	if (n == 0)
		return;
	out[0] = 0;
	for (int a = 1; a < cw_case_action_count(k); a++) {
		if (!(set & (1ull << a)))
			continue;
		int w = snprintf(out + used, n - used, "%s%s", used ? "," : "",
				 cw_case_action_name(k, a));
		if (w < 0 || (size_t)w >= n - used) {
			out[used] = 0;
			break;
		}
		used += (size_t)w;
	}
}

struct cw_case_due cw_case_deadline(const struct cw_case_kind *k, int phase)
{
	if (phase <= PH(NONE) || phase >= CW_CASE_PH_MAX || !cw_case_phase_name(k, phase))
		return (struct cw_case_due){CW_CASE_DUE_NONE, 0};
	return k->deadline[phase];
}

enum cw_rating_class cw_case_rating_class(int rating)
{
	if (rating < 1 || rating > 5)
		return CW_RATING_INVALID;
	return rating >= 4 ? CW_RATING_GOOD : rating == 3 ? CW_RATING_NEUTRAL : CW_RATING_BAD;
}

const char *cw_case_rating_name(int rating)
{
	static const char *const names[] = {"非常不满意", "不满意", "基本满意", "满意", "非常满意"};
	return rating >= 1 && rating <= 5 ? names[rating - 1] : NULL;
}

/* ---- the check ---- */

static bool row_covers(const struct cw_case_kind *k, const struct cw_case_rule *r, int action,
		       int status)
{
	if (r->action != action)
		return false;
	if (r->from & (1ull << status))
		return true;
	return (r->from_class & status_def(k, status)->cls) != 0;
}

static bool actor_fits(const struct cw_case_rule *r, const struct cw_case_actor *a)
{
	cw_roleset held = a->roles & r->roles;
	if (!held)
		return false;
	if (held & SYSTEM)
		return true;
	switch (r->rel) {
	case REGION:
		return a->in_scope && a->level_ok;
	case DEPT:
		return a->department;
	case GRID:
		return a->grid_worker;
	case REPORTER:
		return a->reporter;
	}
	return false;
}

/* The row that lets `actor` take `action` in this state. The kind's rows decide alone
 * when one of them covers the action in this status, so a kind can narrow as well as
 * widen what the base table says. */
static enum cw_ec find_row(const struct cw_case_kind *k, const struct cw_case_state *s,
			   const struct cw_case_actor *actor, int action,
			   const struct cw_case_rule **out)
{
	const struct cw_case_rule *rows = base_rules;
	int n = NELEM(base_rules);
	for (int i = 0; i < k->n_rules; i++)
		if (row_covers(k, &k->rules[i], action, s->status)) {
			rows = k->rules;
			n = k->n_rules;
			break;
		}
	bool shut = false;
	for (int i = 0; i < n; i++) {
		const struct cw_case_rule *r = &rows[i];
		if (!row_covers(k, r, action, s->status) || !actor_fits(r, actor))
			continue;
		if (r->window && !(s->windows_open & (1u << r->window))) {
			shut = true;
			continue;
		}
		*out = r;
		return CW_EC_OK;
	}
	return shut ? CW_EC_ACTION_WINDOW_CLOSED : CW_EC_ACTION_NOT_ALLOWED;
}

/* What the state forbids whoever asks: these hold for every kind. */
static enum cw_ec base_guard(const struct cw_case_kind *k, const struct cw_case_state *s,
			     int action)
{
	const struct cw_case_limits *lim = &k->limits;
	switch (action) {
	case A(REQUEST_EXTENSION):
		if (s->extension_pending)
			return CW_EC_ACTION_NOT_ALLOWED;
		if (s->extensions >= lim->max_extensions ||
		    s->extension_days >= lim->max_extension_total)
			return CW_EC_EXTENSION_LIMIT_REACHED;
		return CW_EC_OK;
	case A(APPROVE_EXTENSION):
	case A(DENY_EXTENSION):
		return s->extension_pending ? CW_EC_OK : CW_EC_ACTION_NOT_ALLOWED;
	case A(SUPERVISE):
		return s->supervised ? CW_EC_ACTION_NOT_ALLOWED : CW_EC_OK;
	case A(ESCALATE):
		if (s->level == CW_LEVEL_CITY)
			return CW_EC_CASE_AT_TOP_LEVEL;
		return s->level > CW_LEVEL_CITY && s->level < CW_LEVEL__COUNT
			   ? CW_EC_OK
			   : CW_EC_ACTION_NOT_ALLOWED;
	case A(RATE):
		/* One rating, and one more after each rectification, up to the limit. */
		return s->ratings <= s->rectifications && s->ratings <= lim->max_reratings
			   ? CW_EC_OK
			   : CW_EC_ACTION_NOT_ALLOWED;
	}
	return CW_EC_OK;
}

static enum cw_ec check(const struct cw_case_kind *k, const struct cw_case_state *s,
			const struct cw_case_actor *actor, int action,
			const struct cw_case_rule **row)
{
	enum cw_ec ec = find_row(k, s, actor, action, row);
	if (ec == CW_EC_OK)
		ec = base_guard(k, s, action);
	if (ec == CW_EC_OK && k->guard)
		ec = k->guard(k, s, action);
	return ec;
}

static bool state_known(const struct cw_case_kind *k, const struct cw_case_state *s)
{
	return status_def(k, s->status) != NULL;
}

cw_case_actions cw_case_allowed(const struct cw_case_kind *k, const struct cw_case_state *s,
				const struct cw_case_actor *actor)
{
	cw_case_actions set = 0;
	const struct cw_case_rule *row;
	if (!state_known(k, s))
		return 0;
	for (int a = 1; a < cw_case_action_count(k); a++)
		if (check(k, s, actor, a, &row) == CW_EC_OK)
			set |= 1ull << a;
	return set;
}

/* ---- input ---- */

static bool blank(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 全角空格 */
			p += 3;
		else
			return false;
	}
	return true;
}

static enum cw_ec check_text(const char *s, bool required, const char *name,
			     const char **field)
{
	*field = name;
	if (!s || blank(s))
		return required ? CW_EC_MISSING_FIELD : CW_EC_OK;
	size_t n = strnlen(s, CW_CASE_TEXT_MAX + 1);
	if (n > CW_CASE_TEXT_MAX)
		return CW_EC_FIELD_TOO_LONG;
	if (!cw_utf8_valid(s, n))
		return CW_EC_INVALID_FIELD;
	return CW_EC_OK;
}

static enum cw_ec check_id(int64_t id, const char *name, const char **field)
{
	*field = name;
	if (id == 0)
		return CW_EC_MISSING_FIELD;
	return id > 0 ? CW_EC_OK : CW_EC_INVALID_FIELD;
}

static enum cw_ec check_input(const struct cw_case_kind *k, const struct cw_case_state *s,
			      int action, const struct cw_case_action_input *in,
			      const char **field)
{
	static const struct cw_case_action_input none;
	unsigned needs = action_def(k, action)->needs;
	enum cw_ec ec = CW_EC_OK;
	if (!in)
		in = &none;
	if (needs & NEED(REASON) && (ec = check_text(in->reason, true, "reason", field)))
		return ec;
	if (needs & NEED(RESULT) && (ec = check_text(in->result, true, "result", field)))
		return ec;
	if (needs & NEED(DEPARTMENT) && (ec = check_id(in->department, "department", field)))
		return ec;
	if (needs & NEED(INTO)) {
		if ((ec = check_id(in->into, "into", field)))
			return ec;
		if (in->into == s->id)
			return CW_EC_INVALID_FIELD;
	}
	if (needs & NEED(DAYS)) {
		*field = "days";
		if (in->days < 1 || in->days > k->limits.max_extension_days ||
		    in->days > k->limits.max_extension_total - s->extension_days)
			return CW_EC_INVALID_FIELD;
	}
	if (needs & NEED(RATING)) {
		*field = "level";
		if (in->rating == 0)
			return CW_EC_MISSING_FIELD;
		if (cw_case_rating_class(in->rating) == CW_RATING_INVALID)
			return CW_EC_INVALID_FIELD;
		if ((ec = check_text(in->comment, false, "comment", field)))
			return ec;
	}
	if ((ec = check_text(in->note, false, "note", field)))
		return ec;
	*field = NULL;
	return CW_EC_OK;
}

/* ---- transitions ---- */

static void start_clock(struct cw_case_state *n, struct cw_case_effects *fx, int phase)
{
	fx->clock = phase ? CW_CASE_CLOCK_START : CW_CASE_CLOCK_STOP;
	fx->phase = phase;
	n->clock = phase;
	/* A new deadline (or none) starts with no warning given and nothing late. */
	n->overdue = false;
	n->warned = false;
}

/* The move a row describes, with the deadline that goes with it. */
static void move(const struct cw_case_kind *k, const struct cw_case_state *in,
		 struct cw_case_state *n, struct cw_case_effects *fx, const struct cw_case_rule *r,
		 bool no)
{
	int to = no && r->to_no ? r->to_no : r->to;
	int phase = no ? r->phase_no : r->phase;
	if (to == CW_CASE_ST_RESUME)
		to = in->resume_status;
	if (to)
		n->status = to;
	fx->phase = in->clock;
	if (n->status == S(SUSPENDED) && in->status != S(SUSPENDED)) {
		n->resume_status = in->status;
		if (in->clock)
			fx->clock = CW_CASE_CLOCK_PAUSE;
	} else if (in->status == S(SUSPENDED) && n->status != S(SUSPENDED)) {
		n->resume_status = S(NONE);
		if (in->clock)
			fx->clock = CW_CASE_CLOCK_RESUME;
	} else if (phase) {
		start_clock(n, fx, phase);
	} else if (n->status != in->status) {
		int own = status_def(k, n->status)->phase;
		/* Accepting a dispatched case keeps the handling clock that dispatch started. */
		if (own != in->clock)
			start_clock(n, fx, own);
	}
	if (n->status != in->status && in->extension_pending) {
		n->extension_pending = false;
		n->extension_days_asked = 0;
		fx->extension_dropped = true;
	}
}

static const char *rating_word(int rating)
{
	switch (cw_case_rating_class(rating)) {
	case CW_RATING_GOOD:
		return "good";
	case CW_RATING_NEUTRAL:
		return "neutral";
	default:
		return "bad";
	}
}

void cw_case_open(const struct cw_case_kind *k, enum cw_level level,
		  struct cw_case_state *out, struct cw_case_effects *fx)
{
	memset(out, 0, sizeof *out);
	memset(fx, 0, sizeof *fx);
	out->status = S(REPORTED);
	out->level = level;
	out->clock = status_def(k, S(REPORTED))->phase;
	fx->status_after = out->status;
	fx->level_before = fx->level_after = level;
	fx->clock = out->clock ? CW_CASE_CLOCK_START : CW_CASE_CLOCK_KEEP;
	fx->phase = out->clock;
	fx->notify = N_DISPATCHER;
	snprintf(fx->what, sizeof fx->what, "report");
}

enum cw_ec cw_case_apply(const struct cw_case_kind *k, const struct cw_case_state *in,
			 const struct cw_case_actor *actor, int action,
			 const struct cw_case_action_input *input, struct cw_case_state *out,
			 struct cw_case_effects *fx)
{
	static const struct cw_case_action_input none;
	const struct cw_case_rule *row = NULL;
	struct cw_case_state n = *in;
	enum cw_ec ec;

	memset(fx, 0, sizeof *fx);
	if (!input)
		input = &none;
	if (!action_def(k, action)) {
		ec = CW_EC_UNKNOWN_ACTION;
		goto refuse;
	}
	if (!state_known(k, in)) {
		ec = CW_EC_ACTION_NOT_ALLOWED;
		goto refuse;
	}
	if ((ec = check(k, in, actor, action, &row)))
		goto refuse;
	if ((ec = check_input(k, in, action, input, &fx->field)))
		goto refuse;

	fx->action = action;
	fx->status_before = in->status;
	fx->level_before = in->level;
	fx->clock = CW_CASE_CLOCK_KEEP;
	const struct cw_case_action_def *def = action_def(k, action);
	const char *outcome = NULL;
	bool no = false;

	switch (action) {
	case A(DISPATCH):
		n.department = input->department;
		break;
	case A(RETURN):
		n.department = 0;
		break;
	case A(REQUEST_EXTENSION):
		n.extension_pending = true;
		n.extension_days_asked = input->days;
		break;
	case A(APPROVE_EXTENSION):
		n.extensions++;
		n.extension_days += in->extension_days_asked;
		n.extension_pending = false;
		n.extension_days_asked = 0;
		if (in->clock) {
			fx->clock = CW_CASE_CLOCK_EXTEND;
			fx->days = in->extension_days_asked;
			n.overdue = false;
			n.warned = false;
		}
		break;
	case A(DENY_EXTENSION):
		n.extension_pending = false;
		n.extension_days_asked = 0;
		break;
	case A(VERIFY):
		no = !input->fixed;
		outcome = no ? "not_fixed" : "fixed";
		if (no) {
			n.reworks++;
			fx->rework = true;
		}
		break;
	case A(SUPERVISE):
		n.supervised = true;
		break;
	case A(ESCALATE):
		n.level = (enum cw_level)(in->level - 1);
		n.escalations++;
		n.supervised = true;
		/* The new level gets its own time for the step the case is in. */
		if (in->clock)
			start_clock(&n, fx, in->clock);
		break;
	case A(MERGE):
		n.merged_into = input->into;
		break;
	case A(RATE):
		n.ratings++;
		n.rating = input->rating;
		outcome = rating_word(input->rating);
		/* Only a bad rating with a re-rating still to come opens a rectification. */
		no = cw_case_rating_class(input->rating) == CW_RATING_BAD &&
		     in->rectifications < k->limits.max_reratings;
		if (no) {
			n.rectifications++;
			fx->rectification = true;
		}
		break;
	}
	move(k, in, &n, fx, row, no);

	fx->status_after = n.status;
	fx->level_after = n.level;
	fx->notify = no ? def->notify_no : def->notify;
	snprintf(fx->what, sizeof fx->what, "%s%s%s", def->name, outcome ? "." : "",
		 outcome ? outcome : "");
	if (k->on_transition &&
	    (ec = k->on_transition(k, in, &n, actor, action, input, fx)) != CW_EC_OK)
		goto refuse;
	*out = n;
	return CW_EC_OK;

refuse:
	*out = *in;
	{
		const char *field = ec == CW_EC_MISSING_FIELD || ec == CW_EC_INVALID_FIELD ||
					    ec == CW_EC_FIELD_TOO_LONG
					? fx->field
					: NULL;
		memset(fx, 0, sizeof *fx);
		fx->field = field;
	}
	return ec;
}

/* ---- the kinds ---- */

/* Events, service requests and hazards run the base loop. Defaults are local policy
 * (DOMAIN.md §2: a category names its own handling deadline and overrides these);
 * the rectification limit is 国办发〔2019〕51号's 15 working days. */
#define EVENT_KIND(kind_name)                                                               \
	{                                                                                   \
	    .name = kind_name,                                                              \
	    .deadline =                                                                     \
		{                                                                           \
		    [PH(REGISTER)] = WH(2),                                                 \
		    [PH(DISPATCH)] = WH(2),                                                 \
		    [PH(HANDLE)] = WD(5),                                                   \
		    [PH(REWORK)] = WD(3),                                                   \
		    [PH(VERIFY)] = WD(1),                                                   \
		    [PH(RECTIFY)] = WD(15),                                                 \
		},                                                                          \
	    .window = {[CW_CASE_WIN_RETURN] = {"return", A(DISPATCH), WD(5)}},              \
	    .limits = {.max_extensions = 2,                                                 \
		       .max_extension_days = 15,                                            \
		       .max_extension_total = 30,                                           \
		       .max_reratings = 1},                                                 \
	}

static const struct cw_case_kind event_kinds[] = {
    EVENT_KIND("event"),
    EVENT_KIND("service"),
    EVENT_KIND("hazard"),
};

/* Petitions (信访工作条例 2022): the petition office (petition_officer) does what the
 * dispatch centre does for an event; after the reply the petitioner may ask for a
 * review (复查) and then a re-review (复核), each decided one level up, after which the
 * matter is final (§35, §36). */
enum {
	PET_REVIEWING = CW_CASE_ST__BASE,
	PET_REVIEWED,
	PET_RE_REVIEWING,
	PET_FINAL,
};
enum {
	PET_REQUEST_REVIEW = CW_CASE_ACT__BASE,
	PET_DECIDE_REVIEW,
	PET_REQUEST_RE_REVIEW,
	PET_DECIDE_RE_REVIEW,
};
enum { PET_PH_REVIEW = CW_CASE_PH__BASE, PET_PH_RE_REVIEW };
enum { PET_WIN_REVIEW = CW_CASE_WIN__BASE, PET_WIN_RE_REVIEW };

static const struct cw_case_status_def petition_statuses[] = {
    [PET_REVIEWING - CW_CASE_ST__BASE] = {"reviewing", OPEN, PET_PH_REVIEW},
    [PET_REVIEWED - CW_CASE_ST__BASE] = {"reviewed", 0, PH(NONE)},
    [PET_RE_REVIEWING - CW_CASE_ST__BASE] = {"re_reviewing", OPEN, PET_PH_RE_REVIEW},
    [PET_FINAL - CW_CASE_ST__BASE] = {"final", CW_CASE_FINAL, PH(NONE)},
};

static const struct cw_case_action_def petition_actions[] = {
    [PET_REQUEST_REVIEW - CW_CASE_ACT__BASE] = {"request_review", NEED(REASON), N_DISPATCHER},
    [PET_DECIDE_REVIEW - CW_CASE_ACT__BASE] = {"decide_review", NEED(RESULT), N_REPORTER},
    [PET_REQUEST_RE_REVIEW - CW_CASE_ACT__BASE] = {"request_re_review", NEED(REASON),
						   N_DISPATCHER},
    [PET_DECIDE_RE_REVIEW - CW_CASE_ACT__BASE] = {"decide_re_review", NEED(RESULT),
						  N_REPORTER},
};

static const char *const petition_phases[] = {"review", "re_review"};

#define PO R(PETITION_OFFICER)
static const struct cw_case_rule petition_rules[] = {
    {A(REGISTER), ST(REPORTED), 0, PO, REGION, .to = S(REGISTERED)},
    {A(REJECT), ST(REPORTED), 0, PO, REGION, .to = S(REJECTED)},
    {A(DISPATCH), ST(REGISTERED), 0, PO, REGION, .to = S(DISPATCHED)},
    {A(APPROVE_EXTENSION), ST(IN_PROGRESS), 0, PO, REGION},
    {A(DENY_EXTENSION), ST(IN_PROGRESS), 0, PO, REGION},
    {A(VERIFY), ST(RESOLVED), 0, PO, REGION, .to = S(CLOSED), .to_no = S(IN_PROGRESS),
     .phase_no = PH(REWORK)},
    {A(SUSPEND), 0, OPEN, PO, REGION, .to = S(SUSPENDED)},
    {A(RESUME), ST(SUSPENDED), 0, PO, REGION, .to = CW_CASE_ST_RESUME},
    {A(SUPERVISE), 0, OPEN, R(LEADER) | PO | SYSTEM, REGION},
    {A(ESCALATE), 0, OPEN, R(LEADER) | PO | SYSTEM, REGION},
    /* Repeat petitions on the same matter are merged by the petition office. */
    {A(MERGE), ST(REPORTED), OPEN, PO, REGION, .to = S(MERGED)},
    {PET_REQUEST_REVIEW, ST(CLOSED), 0, R(CITIZEN), REPORTER, .window = PET_WIN_REVIEW,
     .to = PET_REVIEWING},
    {PET_DECIDE_REVIEW, 1ull << PET_REVIEWING, 0, PO, REGION, .to = PET_REVIEWED},
    {PET_REQUEST_RE_REVIEW, 1ull << PET_REVIEWED, 0, R(CITIZEN), REPORTER,
     .window = PET_WIN_RE_REVIEW, .to = PET_RE_REVIEWING},
    {PET_DECIDE_RE_REVIEW, 1ull << PET_RE_REVIEWING, 0, PO, REGION, .to = PET_FINAL},
};

/* §19: while a matter is within its time limit a higher level does not take it up, so
 * a petition goes up a level only once it is overdue. */
static enum cw_ec petition_guard(const struct cw_case_kind *k, const struct cw_case_state *s,
				 int action)
{
	(void)k;
	if (action == A(ESCALATE) && !s->overdue)
		return CW_EC_ACTION_NOT_ALLOWED;
	return CW_EC_OK;
}

static enum cw_ec petition_transition(const struct cw_case_kind *k,
				      const struct cw_case_state *before,
				      struct cw_case_state *after, const struct cw_case_actor *actor,
				      int action, const struct cw_case_action_input *in,
				      struct cw_case_effects *fx)
{
	(void)k;
	(void)actor;
	(void)in;
	switch (action) {
	case A(REGISTER):
		/* §22, §23: the 15 days cover registering and transferring, so registration
		 * does not start a clock of its own. */
		after->clock = before->clock;
		after->overdue = before->overdue;
		after->warned = before->warned;
		fx->clock = CW_CASE_CLOCK_KEEP;
		fx->phase = before->clock;
		break;
	case PET_REQUEST_REVIEW:
	case PET_REQUEST_RE_REVIEW:
		/* The body one level up decides a review (§35, §36). */
		if (before->level > CW_LEVEL_CITY && before->level < CW_LEVEL__COUNT)
			after->level = (enum cw_level)(before->level - 1);
		fx->level_after = after->level;
		break;
	}
	return CW_EC_OK;
}

static const struct cw_case_kind petition_kind = {
    .name = "petition",
    .statuses = petition_statuses,
    .n_statuses = NELEM(petition_statuses),
    .actions = petition_actions,
    .n_actions = NELEM(petition_actions),
    .phases = petition_phases,
    .n_phases = NELEM(petition_phases),
    .rules = petition_rules,
    .n_rules = NELEM(petition_rules),
    .deadline =
	{
	    [PH(REGISTER)] = DAYS(15), /* §22, §23: register and transfer */
	    [PH(HANDLE)] = DAYS(60),   /* §34, from acceptance */
	    [PH(REWORK)] = DAYS(15),   /* local */
	    [PH(VERIFY)] = WD(5),      /* local */
	    [PH(RECTIFY)] = WD(15),
	    [PET_PH_REVIEW] = DAYS(30),	   /* §35 */
	    [PET_PH_RE_REVIEW] = DAYS(30), /* §36 */
	},
    .window =
	{
	    [CW_CASE_WIN_RETURN] = {"return", A(DISPATCH), WD(5)}, /* §23 */
	    [PET_WIN_REVIEW] = {"review", A(VERIFY), DAYS(30)},    /* §35 */
	    [PET_WIN_RE_REVIEW] = {"re_review", PET_DECIDE_REVIEW, DAYS(30)}, /* §36 */
	},
    /* §34: extendable once, by at most 30 days. */
    .limits = {.max_extensions = 1,
	       .max_extension_days = 30,
	       .max_extension_total = 30,
	       .max_reratings = 1},
    .guard = petition_guard,
    .on_transition = petition_transition,
};

/* Disputes (人民调解法): dispatched to a mediation committee, whose mediators accept,
 * mediate, and end in an agreement or a failure (a party's refusal ends it, §17); the
 * parties may apply for judicial confirmation within 30 days of an agreement (§33).
 * The result then goes through the base loop's verification and rating. Pure data. */
enum {
	DIS_MEDIATING = CW_CASE_ST__BASE,
	DIS_AGREEMENT,
	DIS_FAILED,
	DIS_CONFIRMED,
};
enum { DIS_MEDIATE = CW_CASE_ACT__BASE, DIS_AGREE, DIS_FAIL, DIS_CONFIRM };
enum { DIS_WIN_CONFIRM = CW_CASE_WIN__BASE };

static const struct cw_case_status_def dispute_statuses[] = {
    /* "A mediation concludes within one month": the handling clock keeps running. */
    [DIS_MEDIATING - CW_CASE_ST__BASE] = {"mediating", OPEN, PH(HANDLE)},
    [DIS_AGREEMENT - CW_CASE_ST__BASE] = {"agreement", OPEN, PH(NONE)},
    [DIS_FAILED - CW_CASE_ST__BASE] = {"failed", OPEN, PH(NONE)},
    [DIS_CONFIRMED - CW_CASE_ST__BASE] = {"confirmed", OPEN, PH(NONE)},
};

static const struct cw_case_action_def dispute_actions[] = {
    [DIS_MEDIATE - CW_CASE_ACT__BASE] = {"mediate", 0, N_REPORTER},
    [DIS_AGREE - CW_CASE_ACT__BASE] = {"agree", NEED(RESULT), N_REPORTER | N_DISPATCHER},
    [DIS_FAIL - CW_CASE_ACT__BASE] = {"fail", NEED(REASON), N_REPORTER | N_DISPATCHER},
    [DIS_CONFIRM - CW_CASE_ACT__BASE] = {"confirm", 0, N_DISPATCHER},
};

#define MED R(MEDIATOR)
static const struct cw_case_rule dispute_rules[] = {
    {A(ACCEPT), ST(DISPATCHED), 0, MED, DEPT, .to = S(IN_PROGRESS)},
    {A(RETURN), ST(DISPATCHED) | ST(IN_PROGRESS), 0, MED, DEPT, .window = CW_CASE_WIN_RETURN,
     .to = S(REGISTERED)},
    {DIS_MEDIATE, ST(IN_PROGRESS), 0, MED, DEPT, .to = DIS_MEDIATING},
    {A(REQUEST_EXTENSION), ST(IN_PROGRESS) | 1ull << DIS_MEDIATING, 0, MED, DEPT},
    {A(APPROVE_EXTENSION), 1ull << DIS_MEDIATING, 0, R(DISPATCHER), REGION},
    {A(DENY_EXTENSION), 1ull << DIS_MEDIATING, 0, R(DISPATCHER), REGION},
    {DIS_AGREE, 1ull << DIS_MEDIATING, 0, MED, DEPT, .to = DIS_AGREEMENT},
    {DIS_FAIL, 1ull << DIS_MEDIATING, 0, MED, DEPT, .to = DIS_FAILED},
    {DIS_CONFIRM, 1ull << DIS_AGREEMENT, 0, MED, DEPT, .window = DIS_WIN_CONFIRM,
     .to = DIS_CONFIRMED},
    {A(REPORT_RESULT), 1ull << DIS_AGREEMENT | 1ull << DIS_FAILED | 1ull << DIS_CONFIRMED, 0,
     MED, DEPT, .to = S(RESOLVED)},
    /* A dispute is mediated before it reports: nobody reports straight from handling. */
    {A(REPORT_RESULT), ST(IN_PROGRESS), 0, 0, DEPT},
};

static const struct cw_case_kind dispute_kind = {
    .name = "dispute",
    .statuses = dispute_statuses,
    .n_statuses = NELEM(dispute_statuses),
    .actions = dispute_actions,
    .n_actions = NELEM(dispute_actions),
    .rules = dispute_rules,
    .n_rules = NELEM(dispute_rules),
    .deadline =
	{
	    [PH(REGISTER)] = WD(1),
	    [PH(DISPATCH)] = WD(1),
	    [PH(HANDLE)] = DAYS(30), /* local default: one month */
	    [PH(REWORK)] = DAYS(10),
	    [PH(VERIFY)] = WD(3),
	    [PH(RECTIFY)] = WD(15),
	},
    .window =
	{
	    [CW_CASE_WIN_RETURN] = {"return", A(DISPATCH), WD(5)},
	    [DIS_WIN_CONFIRM] = {"confirm", DIS_AGREE, DAYS(30)}, /* §33 */
	},
    .limits = {.max_extensions = 1,
	       .max_extension_days = 15,
	       .max_extension_total = 15,
	       .max_reratings = 1},
};

const struct cw_case_kind *cw_case_kind_event(void)
{
	return &event_kinds[0];
}

const struct cw_case_kind *cw_case_kind_petition(void)
{
	return &petition_kind;
}

const struct cw_case_kind *cw_case_kind_dispute(void)
{
	return &dispute_kind;
}

const struct cw_case_kind *cw_case_kind_find(const char *name)
{
	static const struct cw_case_kind *const kinds[] = {
	    &event_kinds[0], &event_kinds[1], &event_kinds[2], &petition_kind, &dispute_kind,
	};
	for (int i = 0; name && i < NELEM(kinds); i++)
		if (strcmp(name, kinds[i]->name) == 0)
			return kinds[i];
	return NULL;
}

/* ---- descriptor check ---- */

static bool status_ok(const struct cw_case_kind *k, int s)
{
	return status_def(k, s) != NULL;
}

bool cw_case_kind_valid(const struct cw_case_kind *k)
{
	if (!k || !k->name || !*k->name || k->n_statuses < 0 || k->n_actions < 0 ||
	    k->n_phases < 0 || k->n_rules < 0 || cw_case_status_count(k) > CW_CASE_ST_MAX ||
	    cw_case_action_count(k) > CW_CASE_ACT_MAX ||
	    CW_CASE_PH__BASE + k->n_phases > CW_CASE_PH_MAX)
		return false;
	for (int s = 1; s < cw_case_status_count(k); s++) {
		const struct cw_case_status_def *d = status_def(k, s);
		if (!d->name || !*d->name || cw_case_status_parse(k, d->name) != s ||
		    !cw_case_phase_name(k, d->phase))
			return false;
	}
	for (int a = 1; a < cw_case_action_count(k); a++) {
		const char *name = cw_case_action_name(k, a);
		if (!name || !*name || cw_case_action_parse(k, name) != a)
			return false;
	}
	for (int p = 0; p < CW_CASE_PH__BASE + k->n_phases; p++)
		if (!cw_case_phase_name(k, p))
			return false;
	for (int w = 1; w < CW_CASE_WIN_MAX; w++) {
		const struct cw_case_window_def *d = &k->window[w];
		if (d->name && (!action_def(k, d->anchor) || d->span.unit == CW_CASE_DUE_NONE ||
				d->span.amount <= 0))
			return false;
	}
	if (!k->window[CW_CASE_WIN_RETURN].name)
		return false; /* the base table's return row needs it */
	const struct cw_case_limits *lim = &k->limits;
	if (lim->max_extensions < 0 || lim->max_extension_days < 0 ||
	    lim->max_extension_total < 0 || lim->max_reratings < 0)
		return false;
	int n = NELEM(base_rules);
	for (int pass = 0; pass < 2; pass++) {
		const struct cw_case_rule *rows = pass ? k->rules : base_rules;
		if (pass)
			n = k->n_rules;
		for (int i = 0; i < n; i++) {
			const struct cw_case_rule *r = &rows[i];
			uint64_t known = cw_case_status_count(k) >= 64
					     ? ~1ull
					     : ((1ull << cw_case_status_count(k)) - 1) & ~1ull;
			if (!action_def(k, r->action) || (r->from & ~known) ||
			    (!r->from && !r->from_class))
				return false;
			if (r->to && r->to != CW_CASE_ST_RESUME && !status_ok(k, r->to))
				return false;
			if (r->to_no && !status_ok(k, r->to_no))
				return false;
			if ((r->phase && !cw_case_phase_name(k, r->phase)) ||
			    (r->phase_no && !cw_case_phase_name(k, r->phase_no)))
				return false;
			if (r->window && (r->window < 0 || r->window >= CW_CASE_WIN_MAX ||
					  !k->window[r->window].name))
				return false;
		}
	}
	return true;
}
