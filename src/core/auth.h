/* auth.h - roles, permissions, password policy, session and lockout rules.
 *
 * Pure rules: the caller supplies the clock and the stored state, this decides. */
#ifndef CW_CORE_AUTH_H
#define CW_CORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum cw_role {
	CW_ROLE_SYSADMIN,
	CW_ROLE_SECADMIN,
	CW_ROLE_AUDITOR,
	CW_ROLE_LEADER,
	CW_ROLE_DISPATCHER,
	CW_ROLE_DEPARTMENT,
	CW_ROLE_GRID_WORKER,
	CW_ROLE_MEDIATOR,
	CW_ROLE_PETITION_OFFICER,
	CW_ROLE_CITIZEN,
	CW_ROLE__COUNT
};

typedef uint32_t cw_roleset; /* bit (1u << role) */

const char *cw_role_name(enum cw_role r);
int cw_role_parse(const char *s); /* role or -1 */
/* "sysadmin,leader" <-> set; parse returns false on an unknown or empty name. */
bool cw_roleset_parse(const char *csv, cw_roleset *out);
void cw_roleset_format(cw_roleset set, char *out, size_t n);
/* The three admin roles (三员分立) are held by separate people and with no other
 * role; a set must hold at least one role. */
enum cw_ec cw_roleset_check(cw_roleset set);

/* What a role may do. Every permission check of the server goes through
 * cw_roles_allow(); the table in auth.c is the one place that grants. */
enum cw_perm {
	CW_PERM_REGION_READ,  /* read regions in scope */
	CW_PERM_REGION_WRITE, /* create, rename, move regions */
	CW_PERM_USER_READ,    /* list and read accounts in scope */
	CW_PERM_USER_WRITE,   /* create accounts, set roles/regions, unlock, reset */
	CW_PERM_AUDIT_READ,   /* read the audit log */
	CW_PERM_DEPT_READ,    /* list departments */
	CW_PERM_DEPT_WRITE,   /* create departments */
	CW_PERM_GRID_ASSIGN,  /* assign grid workers to grids in scope */
	CW_PERM_CONFIG_WRITE, /* system configuration: the holiday calendar, … */
	CW_PERM_PII_VIEW,     /* see a case reporter's name and phone unmasked (audited) */
	CW_PERM__COUNT
};

bool cw_roles_allow(cw_roleset roles, enum cw_perm perm);

/* Password policy: at least 10 code points, at least three of the classes
 * lower case, upper case, digit, other; must not contain the username. */
enum cw_ec cw_password_check(const char *password, const char *username);

struct cw_auth_policy {
	int64_t session_idle;     /* seconds without a request before a session ends */
	int64_t session_absolute; /* seconds after login when a session ends regardless */
	int lockout_threshold;    /* failed logins in a row that lock an account */
	int64_t lockout_duration; /* seconds an account stays locked */
};

/* Defaults of API.md and the issue: 30 min idle, 12 h absolute, 5 failures, 15 min. */
struct cw_auth_policy cw_auth_policy_default(void);

bool cw_session_alive(const struct cw_auth_policy *p, int64_t created, int64_t last_seen,
		      int64_t now);

struct cw_login_state {
	int failed;           /* consecutive failures */
	int64_t locked_until; /* 0 when not locked */
};

bool cw_login_locked(const struct cw_login_state *s, int64_t now);
/* After a failed password: counts the failure and locks at the threshold
 * (the counter then starts again). Returns true when this failure locked it. */
bool cw_login_fail(const struct cw_auth_policy *p, struct cw_login_state *s, int64_t now);
/* After a successful login or an unlock. */
void cw_login_reset(struct cw_login_state *s);

#endif
