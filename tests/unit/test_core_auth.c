/* test_core_auth.c - unit tests of core/auth: roles, permissions, passwords, sessions, lockout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/auth.h"

#define R(x) (1u << CW_ROLE_##x)
#define ADMINS (R(SYSADMIN) | R(SECADMIN) | R(AUDITOR))
#define ALL_ROLES ((1u << CW_ROLE__COUNT) - 1)

static const char *const names[CW_ROLE__COUNT] = {
    [CW_ROLE_SYSADMIN] = "sysadmin",
    [CW_ROLE_SECADMIN] = "secadmin",
    [CW_ROLE_AUDITOR] = "auditor",
    [CW_ROLE_LEADER] = "leader",
    [CW_ROLE_DISPATCHER] = "dispatcher",
    [CW_ROLE_DEPARTMENT] = "department",
    [CW_ROLE_GRID_WORKER] = "grid_worker",
    [CW_ROLE_MEDIATOR] = "mediator",
    [CW_ROLE_PETITION_OFFICER] = "petition_officer",
    [CW_ROLE_CITIZEN] = "citizen",
};

/* ---- roles ---- */

static void test_role_names(void **state)
{
	(void)state;
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		assert_string_equal(cw_role_name((enum cw_role)r), names[r]);
		assert_int_equal(cw_role_parse(names[r]), r);
	}
	assert_int_equal(cw_role_parse("admin"), -1);
	assert_int_equal(cw_role_parse(""), -1);
	assert_int_equal(cw_role_parse("leader "), -1);
	assert_int_equal(cw_role_parse("grid"), -1);
	assert_int_equal(cw_role_parse(NULL), -1);
	assert_int_equal(cw_role_parse(cw_role_name(CW_ROLE__COUNT)), -1);
}

static void test_roleset_parse(void **state)
{
	(void)state;
	cw_roleset set = 0;
	assert_true(cw_roleset_parse("leader,dispatcher", &set));
	assert_int_equal(set, R(LEADER) | R(DISPATCHER));
	assert_true(cw_roleset_parse("dispatcher,leader", &set));
	assert_int_equal(set, R(LEADER) | R(DISPATCHER));
	assert_true(cw_roleset_parse("auditor", &set));
	assert_int_equal(set, R(AUDITOR));
	assert_true(cw_roleset_parse("petition_officer,grid_worker,citizen", &set));
	assert_int_equal(set, R(PETITION_OFFICER) | R(GRID_WORKER) | R(CITIZEN));

	static const char *const bad[] = {
	    "",
	    ",",
	    ",,",
	    "leader,",
	    ",leader",
	    "leader,,dispatcher",
	    "leader,boss",
	    "boss",
	    " leader",
	    "leader ,dispatcher",
	    "leader;dispatcher",
	    "Leader",
	    "leaderleaderleaderleaderleaderleaderleader",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		set = 12345;
		if (cw_roleset_parse(bad[i], &set))
			fail_msg("roleset \"%s\" parsed", bad[i]);
		assert_int_equal(set, 12345); /* untouched on failure */
	}
	assert_false(cw_roleset_parse(NULL, &set));
}

static void test_roleset_format(void **state)
{
	(void)state;
	char out[256];
	cw_roleset_format(R(LEADER) | R(DISPATCHER), out, sizeof out);
	assert_string_equal(out, "leader,dispatcher");
	cw_roleset_format(R(AUDITOR), out, sizeof out);
	assert_string_equal(out, "auditor");
	cw_roleset_format(0, out, sizeof out);
	assert_string_equal(out, "");

	/* Every set survives a round trip through its text. */
	char full[256];
	cw_roleset_format(ALL_ROLES, full, sizeof full);
	for (cw_roleset s = 1; s <= ALL_ROLES; s++) {
		cw_roleset back = 0;
		cw_roleset_format(s, out, sizeof out);
		assert_true(cw_roleset_parse(out, &back));
		assert_int_equal(back, s);
	}

	/* A short buffer is cut like snprintf: terminated, never overrun. */
	for (size_t n = 1; n < strlen(full) + 1; n++) {
		char small[256];
		memset(small, 'X', sizeof small);
		cw_roleset_format(ALL_ROLES, small, n);
		assert_true(strlen(small) < n);
		assert_int_equal(strncmp(small, full, strlen(small)), 0);
		assert_int_equal(small[n], 'X');
	}
}

/* The rule of auth.h, written independently: one or more roles; an admin role
 * only alone. */
static bool roleset_ok(cw_roleset s)
{
	if (s == 0 || (s & ~(cw_roleset)ALL_ROLES))
		return false;
	if (s & ADMINS)
		return s == R(SYSADMIN) || s == R(SECADMIN) || s == R(AUDITOR);
	return true;
}

static void test_roleset_check(void **state)
{
	(void)state;
	const enum cw_ec ok = CW_EC_OK, bad = CW_EC_INVALID_ROLES;
	assert_int_equal(cw_roleset_check(0), bad);
	assert_int_equal(cw_roleset_check(R(SYSADMIN)), ok);
	assert_int_equal(cw_roleset_check(R(SECADMIN)), ok);
	assert_int_equal(cw_roleset_check(R(AUDITOR)), ok);
	/* 三员分立: the admin roles exclude each other ... */
	assert_int_equal(cw_roleset_check(R(SYSADMIN) | R(SECADMIN)), bad);
	assert_int_equal(cw_roleset_check(R(SYSADMIN) | R(AUDITOR)), bad);
	assert_int_equal(cw_roleset_check(R(SECADMIN) | R(AUDITOR)), bad);
	assert_int_equal(cw_roleset_check(ADMINS), bad);
	/* ... and every business role. */
	for (int r = CW_ROLE_LEADER; r < CW_ROLE__COUNT; r++) {
		assert_int_equal(cw_roleset_check(R(SYSADMIN) | (1u << r)), bad);
		assert_int_equal(cw_roleset_check(R(SECADMIN) | (1u << r)), bad);
		assert_int_equal(cw_roleset_check(R(AUDITOR) | (1u << r)), bad);
		assert_int_equal(cw_roleset_check(1u << r), ok);
	}
	assert_int_equal(cw_roleset_check(R(LEADER) | R(DISPATCHER)), ok);
	assert_int_equal(cw_roleset_check(R(GRID_WORKER) | R(MEDIATOR)), ok);
	assert_int_equal(cw_roleset_check(R(DISPATCHER) | R(PETITION_OFFICER) | R(DEPARTMENT)), ok);
	/* Bits of no role. */
	assert_int_equal(cw_roleset_check(1u << CW_ROLE__COUNT), bad);
	assert_int_equal(cw_roleset_check(R(LEADER) | (1u << 31)), bad);

	for (cw_roleset s = 0; s < (1u << (CW_ROLE__COUNT + 1)); s++)
		if ((cw_roleset_check(s) == ok) != roleset_ok(s))
			fail_msg("cw_roleset_check(0x%x) is wrong", s);
}

/* ---- permissions ---- */

static bool allowed_alone(int role, enum cw_perm p)
{
	return cw_roles_allow(1u << role, p);
}

static void test_roles_allow(void **state)
{
	(void)state;
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		/* Only the auditor reads the audit log. */
		assert_int_equal(allowed_alone(r, CW_PERM_AUDIT_READ), r == CW_ROLE_AUDITOR);
		/* Only the security admin manages accounts. */
		assert_int_equal(allowed_alone(r, CW_PERM_USER_WRITE), r == CW_ROLE_SECADMIN);
		/* Only the system admin changes the region tree and departments. */
		assert_int_equal(allowed_alone(r, CW_PERM_REGION_WRITE), r == CW_ROLE_SYSADMIN);
		assert_int_equal(allowed_alone(r, CW_PERM_DEPT_WRITE), r == CW_ROLE_SYSADMIN);
		/* Every staff role reads the regions of its scope; a citizen none. */
		assert_int_equal(allowed_alone(r, CW_PERM_REGION_READ), r != CW_ROLE_CITIZEN);
	}
	/* A citizen holds none of these permissions. */
	for (int p = 0; p < CW_PERM__COUNT; p++)
		assert_false(cw_roles_allow(R(CITIZEN), (enum cw_perm)p));
	/* The auditor reads and never writes. */
	assert_true(cw_roles_allow(R(AUDITOR), CW_PERM_USER_READ));
	assert_false(cw_roles_allow(R(AUDITOR), CW_PERM_USER_WRITE));
	assert_false(cw_roles_allow(R(AUDITOR), CW_PERM_REGION_WRITE));
	assert_false(cw_roles_allow(R(AUDITOR), CW_PERM_DEPT_WRITE));
	/* The system admin does not manage accounts, the security admin not the tree. */
	assert_false(cw_roles_allow(R(SYSADMIN), CW_PERM_USER_WRITE));
	assert_false(cw_roles_allow(R(SECADMIN), CW_PERM_REGION_WRITE));
	assert_true(cw_roles_allow(R(SECADMIN), CW_PERM_USER_READ));

	/* A set holds a permission when any of its roles does. */
	assert_true(cw_roles_allow(R(CITIZEN) | R(LEADER), CW_PERM_REGION_READ));
	assert_false(cw_roles_allow(R(LEADER) | R(DISPATCHER), CW_PERM_AUDIT_READ));
	/* Nobody, and no permission outside the table. */
	for (int p = 0; p < CW_PERM__COUNT; p++)
		assert_false(cw_roles_allow(0, (enum cw_perm)p));
	assert_false(cw_roles_allow(ALL_ROLES, CW_PERM__COUNT));
}

/* ---- passwords ---- */

static void test_password_policy(void **state)
{
	(void)state;
	const enum cw_ec ok = CW_EC_OK, weak = CW_EC_WEAK_PASSWORD;
	assert_int_equal(cw_password_check("Abcdefgh12", "zhangsan"), ok);
	assert_int_equal(cw_password_check("Abcdefgh12", NULL), ok);
	/* Length: 9 is too short. */
	assert_int_equal(cw_password_check("Abcdefg12", "zhangsan"), weak);
	assert_int_equal(cw_password_check("", "zhangsan"), weak);
	assert_int_equal(cw_password_check(NULL, "zhangsan"), weak);
	/* Three of the four classes. */
	assert_int_equal(cw_password_check("abcdefgh12", "zhangsan"), weak); /* lower, digit */
	assert_int_equal(cw_password_check("ABCDEFGH!!", "zhangsan"), weak); /* upper, other */
	assert_int_equal(cw_password_check("abcdefghijklmnop", "zhangsan"), weak);
	assert_int_equal(cw_password_check("1234567890123", "zhangsan"), weak);
	assert_int_equal(cw_password_check("abcdefgh1!", "zhangsan"), ok);
	assert_int_equal(cw_password_check("ABCDEFGH1!", "zhangsan"), ok);
	assert_int_equal(cw_password_check("Abcdefgh!!", "zhangsan"), ok);
	assert_int_equal(cw_password_check("Ab1!Ab1!Ab", "zhangsan"), ok);

	/* Length counts code points, not bytes: Chinese characters are "other". */
	assert_int_equal(cw_password_check("淮北市相山区12a!", "zhangsan"), ok);    /* 10 */
	assert_int_equal(cw_password_check("淮北市相山12a!", "zhangsan"), weak);    /* 9, 17 bytes */
	assert_int_equal(cw_password_check("淮北市相山区网格12!", "zhangsan"), weak); /* digit, other */
	assert_int_equal(cw_password_check("淮北市Ab12!!!!", "zhangsan"), ok);
	/* Not text. */
	assert_int_equal(cw_password_check("Abcdefgh12\xC0\x80", "zhangsan"), weak);
	assert_int_equal(cw_password_check("Abcdefgh12\xFF", "zhangsan"), weak);

	/* The username, in any case, anywhere. */
	assert_int_equal(cw_password_check("zhangsan-2026X", "zhangsan"), weak);
	assert_int_equal(cw_password_check("X1!ZhangSan99", "zhangsan"), weak);
	assert_int_equal(cw_password_check("Pw-2026-ZHANGSAN", "zhangsan"), weak);
	assert_int_equal(cw_password_check("Pw-2026-zhangsan", "ZhangSan"), weak);
	assert_int_equal(cw_password_check("Pw-2026-zhang-san", "zhangsan"), ok);

	/* Very long input is refused, not scanned without bound. */
	char lng[2000];
	for (size_t i = 0; i < sizeof lng - 1; i++)
		lng[i] = "Ab1!"[i % 4];
	lng[sizeof lng - 1] = 0;
	assert_int_equal(cw_password_check(lng, "zhangsan"), weak);
	lng[100] = 0;
	assert_int_equal(cw_password_check(lng, "zhangsan"), ok);
}

/* ---- sessions and lockout ---- */

static void test_policy_defaults(void **state)
{
	(void)state;
	struct cw_auth_policy p = cw_auth_policy_default();
	assert_int_equal(p.session_idle, 30 * 60);
	assert_int_equal(p.session_absolute, 12 * 3600);
	assert_int_equal(p.lockout_threshold, 5);
	assert_int_equal(p.lockout_duration, 15 * 60);
}

static void test_session_alive(void **state)
{
	(void)state;
	struct cw_auth_policy p = cw_auth_policy_default();
	const int64_t t0 = INT64_C(1767225600);
	/* Idle: alive until one second before last_seen + idle. */
	assert_true(cw_session_alive(&p, t0, t0, t0));
	assert_true(cw_session_alive(&p, t0, t0, t0 + p.session_idle - 1));
	assert_false(cw_session_alive(&p, t0, t0, t0 + p.session_idle));
	assert_false(cw_session_alive(&p, t0, t0, t0 + p.session_idle + 1));
	/* Activity moves the idle limit. */
	int64_t seen = t0 + 3600;
	assert_true(cw_session_alive(&p, t0, seen, seen + p.session_idle - 1));
	assert_false(cw_session_alive(&p, t0, seen, seen + p.session_idle));
	/* Absolute: ends at created + absolute however busy the session is. */
	int64_t end = t0 + p.session_absolute;
	assert_true(cw_session_alive(&p, t0, end - 1, end - 1));
	assert_false(cw_session_alive(&p, t0, end - 1, end));
	assert_false(cw_session_alive(&p, t0, end, end));
	assert_false(cw_session_alive(&p, t0, end + 10, end + 10));

	/* A custom policy is honoured, not the defaults. */
	struct cw_auth_policy q = {.session_idle = 10, .session_absolute = 25,
				   .lockout_threshold = 3, .lockout_duration = 60};
	assert_true(cw_session_alive(&q, 100, 100, 109));
	assert_false(cw_session_alive(&q, 100, 100, 110));
	assert_true(cw_session_alive(&q, 100, 120, 124));
	assert_false(cw_session_alive(&q, 100, 120, 125));
}

static void test_lockout(void **state)
{
	(void)state;
	struct cw_auth_policy p = cw_auth_policy_default();
	struct cw_login_state s = {0};
	const int64_t t = INT64_C(1767225600);
	assert_false(cw_login_locked(&s, t));
	for (int i = 0; i < 4; i++) {
		assert_false(cw_login_fail(&p, &s, t + i));
		assert_false(cw_login_locked(&s, t + i));
	}
	/* The fifth failure locks for lockout_duration from that failure. */
	int64_t t5 = t + 10;
	assert_true(cw_login_fail(&p, &s, t5));
	assert_true(cw_login_locked(&s, t5));
	assert_int_equal(s.locked_until, t5 + p.lockout_duration);
	assert_true(cw_login_locked(&s, t5 + p.lockout_duration - 1));
	assert_false(cw_login_locked(&s, t5 + p.lockout_duration));
	assert_false(cw_login_locked(&s, t5 + p.lockout_duration + 3600));

	/* After the lock the count starts again: four more do not lock anew. */
	int64_t later = t5 + p.lockout_duration;
	for (int i = 0; i < 4; i++)
		assert_false(cw_login_fail(&p, &s, later + i));
	assert_false(cw_login_locked(&s, later + 4));
	assert_true(cw_login_fail(&p, &s, later + 5));
	assert_true(cw_login_locked(&s, later + 5));

	/* Reset (a good login or an unlock) clears both the lock and the count. */
	cw_login_reset(&s);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.locked_until, 0);
	assert_false(cw_login_locked(&s, later + 5));
	for (int i = 0; i < 4; i++)
		assert_false(cw_login_fail(&p, &s, later + 10 + i));
	cw_login_reset(&s);
	for (int i = 0; i < 4; i++)
		assert_false(cw_login_fail(&p, &s, later + 20 + i));
	assert_false(cw_login_locked(&s, later + 30));

	/* A custom threshold and duration. */
	struct cw_auth_policy q = {.session_idle = 10, .session_absolute = 25,
				   .lockout_threshold = 3, .lockout_duration = 60};
	struct cw_login_state s2 = {0};
	assert_false(cw_login_fail(&q, &s2, 1000));
	assert_false(cw_login_fail(&q, &s2, 1001));
	assert_true(cw_login_fail(&q, &s2, 1002));
	assert_int_equal(s2.locked_until, 1062);
	assert_true(cw_login_locked(&s2, 1061));
	assert_false(cw_login_locked(&s2, 1062));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_role_names),
	    cmocka_unit_test(test_roleset_parse),
	    cmocka_unit_test(test_roleset_format),
	    cmocka_unit_test(test_roleset_check),
	    cmocka_unit_test(test_roles_allow),
	    cmocka_unit_test(test_password_policy),
	    cmocka_unit_test(test_policy_defaults),
	    cmocka_unit_test(test_session_alive),
	    cmocka_unit_test(test_lockout),
	};
	return cmocka_run_group_tests_name("core_auth", tests, NULL, NULL);
}
