/* test_core_audit.c - unit tests of core/audit: the SM3 hash chain of audit records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/audit.h"
#include "util/crypto.h"

static int group_setup(void **state)
{
	(void)state;
	return cw_crypto_init() == 0 ? 0 : -1;
}

static struct cw_audit_rec record(int64_t seq, const char *prev_hash)
{
	struct cw_audit_rec r = {
	    .seq = seq,
	    .at = INT64_C(1767225600) + seq * 60,
	    .user_id = 42,
	    .username = "secadmin",
	    .role = "secadmin",
	    .source = "127.0.0.1",
	    .action = "user.create",
	    .object = "user:43",
	    .success = true,
	    .request_id = "req-0001",
	    .detail = "{\"username\":\"gw_001\",\"roles\":[\"grid_worker\"]}",
	};
	snprintf(r.prev_hash, sizeof r.prev_hash, "%s", prev_hash);
	cw_audit_hash(&r);
	return r;
}

/* What `civicgrid audit verify` checks: every hash matches, and every record
 * names its predecessor's hash, starting from the genesis. */
static bool chain_ok(const struct cw_audit_rec *r, size_t n)
{
	const char *prev = CW_AUDIT_GENESIS;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r[i].prev_hash, prev) != 0 || !cw_audit_hash_ok(&r[i]))
			return false;
		prev = r[i].hash;
	}
	return true;
}

static void build_chain(struct cw_audit_rec c[3])
{
	c[0] = record(1, CW_AUDIT_GENESIS);
	c[1] = record(2, c[0].hash);
	c[1].action = "session.login";
	c[1].object = "user:42";
	c[1].detail = "";
	cw_audit_hash(&c[1]);
	c[2] = record(3, c[1].hash);
	c[2].success = false;
	c[2].user_id = 0;
	c[2].username = "";
	c[2].role = "";
	cw_audit_hash(&c[2]);
}

static void test_chain(void **state)
{
	(void)state;
	struct cw_audit_rec c[3];
	build_chain(c);
	assert_int_equal(strlen(CW_AUDIT_GENESIS), 64);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(strlen(c[i].hash), 64);
		assert_int_equal(strspn(c[i].hash, "0123456789abcdef"), 64);
		assert_true(cw_audit_hash_ok(&c[i]));
	}
	assert_string_equal(c[0].prev_hash, CW_AUDIT_GENESIS);
	assert_string_equal(c[1].prev_hash, c[0].hash);
	assert_string_equal(c[2].prev_hash, c[1].hash);
	assert_string_not_equal(c[0].hash, c[1].hash);
	assert_string_not_equal(c[1].hash, c[2].hash);
	assert_true(chain_ok(c, 3));

	/* Deterministic: the same fields give the same hash. */
	struct cw_audit_rec again = record(1, CW_AUDIT_GENESIS);
	assert_string_equal(again.hash, c[0].hash);
}

static void test_canonical_form(void **state)
{
	(void)state;
	/* The canonical form is part of every stored chain: a change to it would make
	 * `audit verify` reject logs written before. Each field is "<bytes>:<value>|". */
	struct cw_audit_rec r = record(7, CW_AUDIT_GENESIS);
	r.at = INT64_C(1767225600);
	r.user_id = 42;
	r.username = "张三";
	cw_audit_hash(&r);
	char canon[1024];
	snprintf(canon, sizeof canon,
		 "64:%s|1:7|10:1767225600|2:42|6:张三|8:secadmin|9:127.0.0.1|11:user.create|"
		 "7:user:43|1:1|8:req-0001|%zu:%s|",
		 CW_AUDIT_GENESIS, strlen(r.detail), r.detail);
	char want[CW_SM3_HEX_LEN];
	cw_sm3_hex(canon, strlen(canon), want);
	assert_string_equal(r.hash, want);
}

static void test_any_change_breaks_hash(void **state)
{
	(void)state;
	const struct cw_audit_rec good = record(2, CW_AUDIT_GENESIS);
	assert_true(cw_audit_hash_ok(&good));
	struct cw_audit_rec r;

#define TAMPER(stmt)                                                                       \
	do {                                                                               \
		r = good;                                                                  \
		stmt;                                                                      \
		if (cw_audit_hash_ok(&r))                                                  \
			fail_msg("tampering not detected: %s", #stmt);                     \
	} while (0)

	TAMPER(r.seq = 3);
	TAMPER(r.at += 1);
	TAMPER(r.at = 0);
	TAMPER(r.user_id = 1);
	TAMPER(r.username = "admin");
	TAMPER(r.username = "");
	TAMPER(r.role = "auditor");
	TAMPER(r.source = "10.0.0.1");
	TAMPER(r.action = "user.delete");
	TAMPER(r.object = "user:44");
	TAMPER(r.success = false);
	TAMPER(r.request_id = "req-0002");
	TAMPER(r.detail = "{}");
	TAMPER(r.detail = "");
	TAMPER(r.prev_hash[0] = r.prev_hash[0] == '0' ? '1' : '0');
	TAMPER(r.hash[63] = r.hash[63] == '0' ? '1' : '0');
	TAMPER(r.hash[0] = 0);
#undef TAMPER
	/* Undoing the change restores it. */
	r = good;
	assert_true(cw_audit_hash_ok(&r));
}

static void test_field_boundaries(void **state)
{
	(void)state;
	/* Moving bytes between neighbouring fields changes the hash. */
	struct cw_audit_rec a = record(1, CW_AUDIT_GENESIS), b = a;
	a.username = "ab";
	a.role = "c";
	b.username = "a";
	b.role = "bc";
	cw_audit_hash(&a);
	cw_audit_hash(&b);
	assert_string_not_equal(a.hash, b.hash);

	/* A value that imitates the separators cannot forge another split. */
	a.username = "a|1:b";
	a.role = "";
	b.username = "a";
	b.role = "b";
	cw_audit_hash(&a);
	cw_audit_hash(&b);
	assert_string_not_equal(a.hash, b.hash);

	a = record(1, CW_AUDIT_GENESIS);
	b = a;
	a.object = "user:4";
	a.request_id = "2";
	b.object = "user:";
	b.request_id = "42";
	cw_audit_hash(&a);
	cw_audit_hash(&b);
	assert_string_not_equal(a.hash, b.hash);

	/* Numbers too: seq 1 at 23 is not seq 12 at 3. */
	a = record(1, CW_AUDIT_GENESIS);
	b = a;
	a.seq = 1;
	a.at = 23;
	b.seq = 12;
	b.at = 3;
	cw_audit_hash(&a);
	cw_audit_hash(&b);
	assert_string_not_equal(a.hash, b.hash);
}

static void test_chain_detects_edit_removal_reorder(void **state)
{
	(void)state;
	struct cw_audit_rec c[3];

	/* An edit whose own hash is recomputed still breaks the next link. */
	build_chain(c);
	c[1].detail = "{\"username\":\"someone-else\"}";
	cw_audit_hash(&c[1]);
	assert_true(cw_audit_hash_ok(&c[1]));
	assert_false(chain_ok(c, 3));

	/* Removing the middle record. */
	build_chain(c);
	struct cw_audit_rec without[2] = {c[0], c[2]};
	assert_false(chain_ok(without, 2));

	/* Swapping two records. */
	build_chain(c);
	struct cw_audit_rec swapped[3] = {c[0], c[2], c[1]};
	assert_false(chain_ok(swapped, 3));

	/* A chain that does not start at the genesis. */
	build_chain(c);
	assert_false(chain_ok(c + 1, 2));
	assert_true(chain_ok(c, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_canonical_form),
	    cmocka_unit_test(test_any_change_breaks_hash),
	    cmocka_unit_test(test_field_boundaries),
	    cmocka_unit_test(test_chain_detects_edit_removal_reorder),
	};
	return cmocka_run_group_tests_name("core_audit", tests, group_setup, NULL);
}
