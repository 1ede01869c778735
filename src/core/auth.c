/* auth.c - role table and account rules; see auth.h. */
#include "core/auth.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"

static const char *const role_names[CW_ROLE__COUNT] = {
    "sysadmin",   "secadmin",    "auditor",  "leader",           "dispatcher",
    "department", "grid_worker", "mediator", "petition_officer", "citizen",
};

#define R(x) (1u << CW_ROLE_##x)
#define STAFF                                                                               \
	(R(LEADER) | R(DISPATCHER) | R(DEPARTMENT) | R(GRID_WORKER) | R(MEDIATOR) |       \
	 R(PETITION_OFFICER))

/* Who may do what. Business roles read the regions of their scope; the three
 * admin roles split system configuration (sysadmin), accounts and permissions
 * (secadmin) and the audit trail (auditor). */
static const cw_roleset grants[CW_PERM__COUNT] = {
    [CW_PERM_REGION_READ] = STAFF | R(SYSADMIN) | R(SECADMIN) | R(AUDITOR),
    [CW_PERM_REGION_WRITE] = R(SYSADMIN),
    [CW_PERM_USER_READ] = R(SECADMIN) | R(AUDITOR),
    [CW_PERM_USER_WRITE] = R(SECADMIN),
    [CW_PERM_AUDIT_READ] = R(AUDITOR),
    [CW_PERM_DEPT_READ] = STAFF | R(SYSADMIN) | R(SECADMIN),
    [CW_PERM_DEPT_WRITE] = R(SYSADMIN),
    /* The 综治中心 (dispatchers) run the grid workforce of their region. */
    [CW_PERM_GRID_ASSIGN] = R(SYSADMIN) | R(DISPATCHER),
    [CW_PERM_CONFIG_WRITE] = R(SYSADMIN),
    /* Those who call a reporter back: the centre's dispatchers, petition officers and
     * mediators. Everyone else sees masked values (a reporter their own, on request). */
    [CW_PERM_PII_VIEW] = R(DISPATCHER) | R(PETITION_OFFICER) | R(MEDIATOR),
};

const char *cw_role_name(enum cw_role r)
{
	return r < CW_ROLE__COUNT ? role_names[r] : "?";
}

int cw_role_parse(const char *s)
{
	for (int i = 0; s && i < CW_ROLE__COUNT; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

bool cw_roleset_parse(const char *csv, cw_roleset *out)
{
	cw_roleset set = 0;
	char name[32];
	const char *p = csv;
	if (!p || !*p)
		return false;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n >= sizeof name)
			return false;
		memcpy(name, p, n);
		name[n] = 0;
		int r = cw_role_parse(name);
		if (r < 0)
			return false;
		set |= 1u << r;
		if (!e)
			break;
		p = e + 1;
	}
	*out = set;
	return true;
}

void cw_roleset_format(cw_roleset set, char *out, size_t n)
{
	size_t used = 0;
	out[0] = 0;
	for (int i = 0; i < CW_ROLE__COUNT; i++) {
		if (!(set & (1u << i)))
			continue;
		int w = snprintf(out + used, n - used, "%s%s", used ? "," : "", role_names[i]);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

enum cw_ec cw_roleset_check(cw_roleset set)
{
	const cw_roleset admins = R(SYSADMIN) | R(SECADMIN) | R(AUDITOR);
	if (set == 0 || set >= (1u << CW_ROLE__COUNT))
		return CW_EC_INVALID_ROLES;
	if ((set & admins) && set != (set & admins))
		return CW_EC_INVALID_ROLES;
	if ((set & admins) && (set & (set - 1)))
		return CW_EC_INVALID_ROLES; /* more than one admin role */
	return CW_EC_OK;
}

bool cw_roles_allow(cw_roleset roles, enum cw_perm perm)
{
	return perm < CW_PERM__COUNT && (roles & grants[perm]) != 0;
}

enum cw_ec cw_password_check(const char *pw, const char *username)
{
	if (!pw || !cw_utf8_valid(pw, strlen(pw)) || cw_utf8_len(pw) < 10 || strlen(pw) > 1024)
		return CW_EC_WEAK_PASSWORD;
	int lower = 0, upper = 0, digit = 0, other = 0;
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			lower = 1;
		else if (*p >= 'A' && *p <= 'Z')
			upper = 1;
		else if (*p >= '0' && *p <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (lower + upper + digit + other < 3)
		return CW_EC_WEAK_PASSWORD;
	if (username && strlen(username) >= 3 && strcasestr(pw, username))
		return CW_EC_WEAK_PASSWORD;
	return CW_EC_OK;
}

struct cw_auth_policy cw_auth_policy_default(void)
{
	return (struct cw_auth_policy){
	    .session_idle = 30 * 60,
	    .session_absolute = 12 * 3600,
	    .lockout_threshold = 5,
	    .lockout_duration = 15 * 60,
	};
}

bool cw_session_alive(const struct cw_auth_policy *p, int64_t created, int64_t last_seen,
		      int64_t now)
{
	return now < last_seen + p->session_idle && now < created + p->session_absolute;
}

bool cw_login_locked(const struct cw_login_state *s, int64_t now)
{
	return s->locked_until > now;
}

bool cw_login_fail(const struct cw_auth_policy *p, struct cw_login_state *s, int64_t now)
{
	s->failed++;
	if (s->failed >= p->lockout_threshold) {
		s->failed = 0;
		s->locked_until = now + p->lockout_duration;
		return true;
	}
	return false;
}

void cw_login_reset(struct cw_login_state *s)
{
	s->failed = 0;
	s->locked_until = 0;
}
