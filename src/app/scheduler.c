/* scheduler.c - the case scheduler: one pass over the running deadlines at a moment,
 * deciding with the escalation policy (core/escalation.h) and persisting each change
 * as the case services do (cw_case_commit). */
#include "app/app.h"
#include "app/case_internal.h"

#include <string.h>

#include "util/arena.h"
#include "util/log.h"

/* Key of the PostgreSQL advisory lock that lets one instance run a pass ("cwsc"). */
#define CW_SCHEDULER_LOCK 0x63777363

static const struct cw_actor system_actor = {
    .user_id = 0, .username = "system", .roles = 0, .region_path = NULL,
    .source = "scheduler", .request_id = ""};

struct pass {
	cw_store *store;
	struct cw_arena *a;
	const struct cw_case_env *env;
	int64_t now;
	struct cw_escalation_config cfg;
	struct cw_case_due_scan scan;
	struct cw_tick_report *out;
	/* One batch: what it did, kept apart until it commits (it may be run again). */
	struct cw_tick_change *batch;
	int nbatch, warned, overdue, escalated, notified, conflicts, errors;
	int64_t last_id;
	int ncandidates;
};

static const char *tick_name(enum cw_tick t)
{
	return t == CW_TICK_WARN ? "warn" : t == CW_TICK_OVERDUE ? "overdue" : "escalate";
}

static int one_case(struct cw_tx *tx, struct pass *p, struct cw_case *k)
{
	const struct cw_case_kind *kind = cw_case_kind_find(k->kind);
	if (!kind)
		return CW_DB_OK;
	struct cw_case_state before, after;
	struct cw_case_effects fx;
	cw_case_state_of(kind, k, &before);
	const struct cw_escalation_policy *pol = cw_escalation_config_for(&p->cfg, k->category);
	int64_t started = k->clock_started_at ? k->clock_started_at : k->deadline;
	enum cw_tick t = cw_escalation_decide(kind, pol, &before, started, k->deadline, p->now);
	if (t == CW_TICK_NONE)
		return CW_DB_OK;
	enum cw_ec ec = cw_escalation_apply(kind, t, &before, &after, &fx);
	if (ec != CW_EC_OK) {
		p->errors++;
		return CW_DB_OK;
	}
	const char *status_before = k->status;
	cw_case_state_put(kind, &after, k);
	/* Overdue, or escalated for it: late for good (cases.late, the dashboard's on-time
	 * rate; the store keeps it set). */
	if (t == CW_TICK_OVERDUE || t == CW_TICK_ESCALATE)
		k->late = true;
	struct cw_case_commit_args ch = {
	    .env = p->env, .actor = &system_actor, .kind = kind, .fx = &fx,
	    .status_before = status_before,
	    .note = t == CW_TICK_ESCALATE ? "逾期未办结，自动提级" : NULL,
	    .audit_action = t == CW_TICK_ESCALATE ? "case.escalate" : NULL, .now = p->now};
	int rc = cw_case_commit(tx, k, &ch);
	if (rc == CW_DB_NOTFOUND) { /* changed since the scan read it: the next pass sees it */
		p->conflicts++;
		return CW_DB_OK;
	}
	if (rc == CW_DB_ABORT) { /* refused before anything was written */
		p->errors++;
		return CW_DB_OK;
	}
	if (rc != CW_DB_OK)
		return rc;
	p->notified += ch.notified;
	if (t == CW_TICK_WARN)
		p->warned++;
	else if (t == CW_TICK_OVERDUE)
		p->overdue++;
	else
		p->escalated++;
	p->batch[p->nbatch++] = (struct cw_tick_change){
	    .case_id = k->id, .number = k->number, .what = tick_name(t), .level = k->level};
	return CW_DB_OK;
}

static int batch_tx(struct cw_tx *tx, void *ctx)
{
	struct pass *p = ctx;
	struct cw_case *items;
	int n;
	p->nbatch = p->warned = p->overdue = p->escalated = p->notified = p->conflicts =
	    p->errors = 0;
	int rc = cw_store_case_due_scan(tx, &p->scan, CW_SCHEDULER_BATCH, &items, &n);
	if (rc != CW_DB_OK)
		return rc;
	p->ncandidates = n;
	p->last_id = n ? items[n - 1].id : p->scan.after_id;
	p->batch = cw_arena_alloc(p->a, (size_t)(n ? n : 1) * sizeof *p->batch);
	for (int i = 0; i < n; i++)
		if ((rc = one_case(tx, p, &items[i])) != CW_DB_OK)
			return rc;
	return CW_DB_OK;
}

static int policy_tx(struct cw_tx *tx, void *ctx)
{
	struct pass *p = ctx;
	return cw_escalation_config_load_tx(tx, &p->cfg);
}

/* What the scan must return: the smallest warning share and every level at which some
 * policy escalates, so that it finds each case any rule could act on. */
static void scan_bounds(struct pass *p)
{
	int min = 0, nl = 0;
	for (int l = 0; l < CW_LEVEL__COUNT; l++) {
		bool esc = false;
		for (int i = -1; i < p->cfg.ncategories; i++) {
			const struct cw_escalation_policy *pol =
			    i < 0 ? &p->cfg.base : &p->cfg.categories[i].policy;
			int w = pol->at[l].warn_permille;
			if (w > 0 && (min == 0 || w < min))
				min = w;
			esc = esc || pol->at[l].escalate;
		}
		if (esc)
			p->scan.escalate_levels[nl++] = cw_level_name((enum cw_level)l);
	}
	p->scan.warn_permille = min;
}

static int run_pass(void *ctx)
{
	struct pass *p = ctx;
	int rc = cw_store_tx(p->store, p->a, false, policy_tx, p);
	if (rc != CW_DB_OK)
		return rc;
	scan_bounds(p);
	struct cw_tick_report *o = p->out;
	int cap = 0;
	for (;;) {
		rc = cw_store_tx(p->store, p->a, true, batch_tx, p);
		if (rc != CW_DB_OK)
			return rc;
		o->candidates += p->ncandidates;
		o->warned += p->warned;
		o->overdue += p->overdue;
		o->escalated += p->escalated;
		o->notified += p->notified;
		o->conflicts += p->conflicts;
		o->errors += p->errors;
		if (p->nbatch) {
			if (o->nchanges + p->nbatch > cap) {
				int ncap = cap ? cap * 2 : 64;
				while (ncap < o->nchanges + p->nbatch)
					ncap *= 2;
				struct cw_tick_change *v = cw_arena_alloc(p->a, (size_t)ncap * sizeof *v);
				if (o->nchanges)
					memcpy(v, o->changes, (size_t)o->nchanges * sizeof *v);
				o->changes = v;
				cap = ncap;
			}
			memcpy(o->changes + o->nchanges, p->batch, (size_t)p->nbatch * sizeof *p->batch);
			o->nchanges += p->nbatch;
		}
		if (p->ncandidates < CW_SCHEDULER_BATCH)
			return CW_DB_OK;
		p->scan.after_id = p->last_id;
	}
}

enum cw_ec cw_scheduler_pass(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			     int64_t now, struct cw_tick_report *out)
{
	memset(out, 0, sizeof *out);
	struct pass p = {.store = s, .a = a, .env = env, .now = now, .out = out};
	p.scan.now = now;
	bool got = false;
	int rc = cw_store_exclusive(s, CW_SCHEDULER_LOCK, run_pass, &p, &got);
	if (rc == CW_DB_OK && !got)
		out->skipped = true;
	return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
}
