/* case_internal.h - what the case services (cases.c) share with the scheduler
 * (scheduler.c) and the notifications (notifications.c). Private to src/app/. */
#ifndef CW_APP_CASE_INTERNAL_H
#define CW_APP_CASE_INTERNAL_H

#include "app/app.h"
#include "core/case_flow.h"

/* The engine's state of a stored case, and back (cases.c). */
void cw_case_state_of(const struct cw_case_kind *k, const struct cw_case *c,
		      struct cw_case_state *st);
void cw_case_state_put(const struct cw_case_kind *k, const struct cw_case_state *st,
		       struct cw_case *c);

/* One change the engine computed, to persist. */
struct cw_case_commit_args {
	const struct cw_case_env *env;
	const struct cw_actor *actor; /* the scheduler: user_id 0, username "system" */
	const struct cw_case_kind *kind;
	const struct cw_case_effects *fx;
	const char *status_before;
	const char *note;	  /* timeline note, or NULL */
	const char *audit_action; /* "case.escalate", …; NULL: no audit record */
	int64_t now;
	int notified;  /* out: notifications written */
	enum cw_ec ec; /* out: why, when CW_DB_ABORT is returned */
};

/* `k` holds the new state (cw_case_state_put) at the version it was read at. Applies
 * fx->clock (a new deadline for the phase at the case's level from the category or the
 * kind, pause, resume, extend), writes the case with the version check (CW_DB_NOTFOUND:
 * it changed since it was read; nothing was written), appends the timeline entry,
 * notifies whom fx->notify names (never the actor) and appends the audit record, all in
 * `tx`. CW_DB_ABORT with ch->ec when a deadline cannot be computed. */
int cw_case_commit(struct cw_tx *tx, struct cw_case *k, struct cw_case_commit_args *ch);

/* Resolves CW_CASE_NOTIFY_* bits for case `k` (at its handling level now) to users and
 * writes one notification of `what` to each, except `skip_user` (the actor); *count says
 * how many (notifications.c). */
int cw_notify_case(struct cw_tx *tx, const struct cw_case *k, unsigned notify, const char *what,
		   int64_t skip_user, int64_t now, int *count);

#endif
