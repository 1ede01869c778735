/* test_pii.c - personal data: SM4-GCM (util/crypto.h) with the RFC 8998 known answer and
 * tampering, the key file (util/keyring.h), and masking and validation (core/pii.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/auth.h"
#include "core/pii.h"
#include "util/arena.h"
#include "util/crypto.h"
#include "util/keyring.h"

static int group_setup(void **state)
{
	(void)state;
	return cw_crypto_init() == 0 ? 0 : -1;
}

static void unhex(const char *h, uint8_t *out, size_t n)
{
	assert_int_equal(cw_hex_decode(h, out, n), 0);
}

/* ---- SM4-GCM: RFC 8998 appendix A.1 ---- */

#define KAT_KEY "0123456789ABCDEFFEDCBA9876543210"
#define KAT_IV "00001234567800000000ABCD"
#define KAT_AAD "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"
#define KAT_PT                                                                                     \
	"AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"                        \
	"EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
#define KAT_CT                                                                                     \
	"17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"                        \
	"D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
#define KAT_TAG "83DE3541E4C2B58177E065A9BF7B62EC"

struct kat {
	uint8_t key[16], iv[12], aad[20], pt[64], sealed[12 + 64 + 16];
};

static void kat_load(struct kat *k)
{
	unhex(KAT_KEY, k->key, 16);
	unhex(KAT_IV, k->iv, 12);
	unhex(KAT_AAD, k->aad, 20);
	unhex(KAT_PT, k->pt, 64);
	memcpy(k->sealed, k->iv, 12);
	unhex(KAT_CT, k->sealed + 12, 64);
	unhex(KAT_TAG, k->sealed + 76, 16);
}

static void test_sm4_gcm_known_answer(void **state)
{
	(void)state;
	struct kat k;
	kat_load(&k);
	uint8_t out[sizeof k.sealed], back[64];
	assert_int_equal(cw_sm4_gcm_seal_nonce(k.key, k.iv, k.aad, 20, k.pt, 64, out), 0);
	assert_memory_equal(out, k.sealed, sizeof out);
	assert_int_equal(cw_sm4_gcm_open(k.key, k.aad, 20, k.sealed, sizeof k.sealed, back), 0);
	assert_memory_equal(back, k.pt, 64);
}

static void test_sm4_gcm_tamper(void **state)
{
	(void)state;
	struct kat k;
	kat_load(&k);
	uint8_t back[64];
	/* One flipped bit anywhere in the nonce, the ciphertext or the tag. */
	for (size_t i = 0; i < sizeof k.sealed; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			uint8_t bad[sizeof k.sealed];
			memcpy(bad, k.sealed, sizeof bad);
			bad[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(cw_sm4_gcm_open(k.key, k.aad, 20, bad, sizeof bad, back), -1);
		}
	}
	/* In the associated data, a shorter or a longer one. */
	for (size_t i = 0; i < sizeof k.aad; i++) {
		uint8_t aad[20];
		memcpy(aad, k.aad, sizeof aad);
		aad[i] ^= 0x80;
		assert_int_equal(cw_sm4_gcm_open(k.key, aad, 20, k.sealed, sizeof k.sealed, back), -1);
	}
	assert_int_equal(cw_sm4_gcm_open(k.key, k.aad, 19, k.sealed, sizeof k.sealed, back), -1);
	/* Another key; a truncated value; too short to hold nonce and tag. */
	uint8_t key2[16];
	memcpy(key2, k.key, 16);
	key2[15] ^= 1;
	assert_int_equal(cw_sm4_gcm_open(key2, k.aad, 20, k.sealed, sizeof k.sealed, back), -1);
	assert_int_equal(cw_sm4_gcm_open(k.key, k.aad, 20, k.sealed, sizeof k.sealed - 1, back), -1);
	assert_int_equal(cw_sm4_gcm_open(k.key, k.aad, 20, k.sealed, 27, back), -1);
	/* A refused open leaves nothing of the plaintext behind. */
	uint8_t bad[sizeof k.sealed];
	memcpy(bad, k.sealed, sizeof bad);
	bad[sizeof bad - 1] ^= 1;
	memset(back, 0x55, sizeof back);
	assert_int_equal(cw_sm4_gcm_open(k.key, k.aad, 20, bad, sizeof bad, back), -1);
	for (size_t i = 0; i < sizeof back; i++)
		assert_int_equal(back[i], 0);
}

static void test_sm4_gcm_random_nonce(void **state)
{
	(void)state;
	uint8_t key[16], a[5 + 28], b[5 + 28], back[5];
	cw_random_bytes(key, sizeof key);
	assert_int_equal(cw_sm4_gcm_seal(key, "col", 3, "hello", 5, a), 0);
	assert_int_equal(cw_sm4_gcm_seal(key, "col", 3, "hello", 5, b), 0);
	assert_memory_not_equal(a, b, 12); /* a fresh nonce each time */
	assert_int_equal(cw_sm4_gcm_open(key, "col", 3, a, sizeof a, back), 0);
	assert_memory_equal(back, "hello", 5);
	assert_int_equal(cw_sm4_gcm_open(key, "cok", 3, a, sizeof a, back), -1);
	/* The empty plaintext seals to nonce and tag and opens again. */
	uint8_t e[28];
	assert_int_equal(cw_sm4_gcm_seal(key, "", 0, "", 0, e), 0);
	assert_int_equal(cw_sm4_gcm_open(key, "", 0, e, sizeof e, back), 0);
	e[20] ^= 4;
	assert_int_equal(cw_sm4_gcm_open(key, "", 0, e, sizeof e, back), -1);
}

static void test_base64_hex(void **state)
{
	(void)state;
	char b[16];
	uint8_t raw[8];
	cw_base64_encode((const uint8_t *)"abcd", 4, b);
	assert_string_equal(b, "YWJjZA==");
	assert_int_equal(cw_base64_decode("YWJjZA==", raw, sizeof raw), 4);
	assert_memory_equal(raw, "abcd", 4);
	assert_int_equal(cw_base64_decode("YWJj*A==", raw, sizeof raw), -1);
	assert_int_equal(cw_base64_decode("YWJjZGVmZ2hpams=", raw, 4), -1); /* too long */
	assert_int_equal(cw_hex_decode("00ff", raw, 2), 0);
	assert_int_equal(raw[1], 0xff);
	assert_int_equal(cw_hex_decode("00f", raw, 2), -1);
	assert_int_equal(cw_hex_decode("00fg", raw, 2), -1);
}

/* ---- the key file ---- */

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char p[160];
	if (!*tmpdir) {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/cw-keyring-XXXXXX");
		assert_non_null(mkdtemp(tmpdir));
	}
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void test_keyring_create_seal_open(void **state)
{
	(void)state;
	char err[512], id[CW_KEY_ID_MAX], path[200];
	snprintf(path, sizeof path, "%s", tmp_path("keys/pii.key"));
	struct cw_keyring *kr = cw_keyring_load(path, false, err, sizeof err);
	assert_null(kr);
	assert_non_null(strstr(err, "cannot read"));
	kr = cw_keyring_load(path, true, err, sizeof err);
	assert_non_null(kr);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(tmp_path("keys"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	cw_keyring_current(kr, id);
	assert_string_equal(id, "k1");

	struct cw_arena *a = cw_arena_new();
	const char *s = cw_keyring_seal(kr, a, "cases.reporter_phone_enc", "13812345678");
	assert_non_null(s);
	assert_true(strncmp(s, "sm4gcm:k1:", 10) == 0);
	assert_null(strstr(s, "13812345678"));
	char kid[CW_KEY_ID_MAX];
	assert_true(cw_keyring_key_id(s, kid));
	assert_string_equal(kid, "k1");
	const char *p;
	assert_int_equal(cw_keyring_open(kr, a, "cases.reporter_phone_enc", s, &p), 0);
	assert_string_equal(p, "13812345678");
	/* Moved to another column, changed, or not a sealed value at all: refused. */
	assert_int_equal(cw_keyring_open(kr, a, "cases.reporter_name_enc", s, &p), -1);
	assert_null(p);
	char *bad = cw_arena_strdup(a, s);
	bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
	assert_int_equal(cw_keyring_open(kr, a, "cases.reporter_phone_enc", bad, &p), -1);
	assert_int_equal(cw_keyring_open(kr, a, "x", "13812345678", &p), -1);
	assert_int_equal(cw_keyring_open(kr, a, "x", "sm4gcm:k9:AAAA", &p), -1);
	assert_int_equal(cw_keyring_open(kr, a, "x", "sm4gcm:k1:", &p), -1);

	/* Rotation: a new current key; old values still open; a second load agrees. */
	struct cw_keyring *other = cw_keyring_load(path, false, err, sizeof err);
	assert_non_null(other);
	char nid[CW_KEY_ID_MAX];
	assert_int_equal(cw_keyring_rotate_file(path, nid, err, sizeof err), 0);
	assert_string_equal(nid, "k2");
	assert_int_equal(cw_keyring_refresh(kr, false, err, sizeof err), 1);
	assert_int_equal(cw_keyring_refresh(kr, false, err, sizeof err), 0);
	cw_keyring_current(kr, id);
	assert_string_equal(id, "k2");
	char ids[4][CW_KEY_ID_MAX];
	assert_int_equal(cw_keyring_ids(kr, ids, 4), 2);
	assert_string_equal(ids[0], "k1");
	const char *s2 = cw_keyring_seal(kr, a, "c", "张三");
	assert_true(strncmp(s2, "sm4gcm:k2:", 10) == 0);
	assert_int_equal(cw_keyring_open(kr, a, "cases.reporter_phone_enc", s, &p), 0);
	assert_string_equal(p, "13812345678");

	/* Another process's keyring that has not seen the rotation re-reads on meeting k2. */
	cw_keyring_current(other, id);
	assert_string_equal(id, "k1");
	assert_int_equal(cw_keyring_open(other, a, "c", s2, &p), 0);
	assert_string_equal(p, "张三");
	cw_keyring_free(other);

	/* Group- or other-readable: refused, saying why; refresh keeps the loaded keys. */
	chmod(path, 0644);
	assert_null(cw_keyring_load(path, false, err, sizeof err));
	assert_non_null(strstr(err, "group or others"));
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(cw_keyring_refresh(kr, true, err, sizeof err), -1);
	assert_int_equal(cw_keyring_open(kr, a, "c", s2, &p), 0);
	chmod(path, 0640);
	assert_null(cw_keyring_load(path, false, err, sizeof err));
	chmod(path, 0600);
	cw_keyring_free(kr);
	cw_arena_free(a);
}

static void test_keyring_bad_files(void **state)
{
	(void)state;
	char err[512];
	const char *p = tmp_path("bad.key");
	static const char *const bad[] = {
	    "",
	    "# only a comment\n",
	    "k1 0123\n",
	    "k1 " /* 63 digits */ "000000000000000000000000000000000000000000000000000000000000000\n",
	    "k1\n",
	    "k 1 0000000000000000000000000000000000000000000000000000000000000000\n",
	    "k1 0000000000000000000000000000000000000000000000000000000000000000\n"
	    "k1 1111111111111111111111111111111111111111111111111111111111111111\n",
	    "k1 000000000000000000000000000000000000000000000000000000000000000g\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(p, bad[i], 0600);
		assert_null(cw_keyring_load(p, false, err, sizeof err));
		assert_true(*err);
	}
	write_file(p,
		   "# two keys\n\nold 0000000000000000000000000000000000000000000000000000000000000000\n"
		   "  new_2 FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF  \r\n",
		   0600);
	struct cw_keyring *kr = cw_keyring_load(p, false, err, sizeof err);
	assert_non_null(kr);
	char id[CW_KEY_ID_MAX];
	cw_keyring_current(kr, id);
	assert_string_equal(id, "new_2");
	cw_keyring_free(kr);
	/* Rotation after ids that are not k<n> starts at k1, and adds a missing newline. */
	write_file(p, "old 0000000000000000000000000000000000000000000000000000000000000000", 0600);
	char nid[CW_KEY_ID_MAX];
	assert_int_equal(cw_keyring_rotate_file(p, nid, err, sizeof err), 0);
	assert_string_equal(nid, "k1");
	kr = cw_keyring_load(p, false, err, sizeof err);
	assert_non_null(kr);
	cw_keyring_current(kr, id);
	assert_string_equal(id, "k1");
	cw_keyring_free(kr);
	unlink(p);
}

/* ---- masking and validation ---- */

static void test_mask_name(void **state)
{
	(void)state;
	char m[CW_PII_MASK_MAX];
	cw_pii_mask_name("张三丰", m);
	assert_string_equal(m, "张**");
	cw_pii_mask_name("张三", m);
	assert_string_equal(m, "张*");
	cw_pii_mask_name("张", m);
	assert_string_equal(m, "*");
	cw_pii_mask_name("欧阳娜娜", m);
	assert_string_equal(m, "欧***");
	cw_pii_mask_name("Li Lei", m);
	assert_string_equal(m, "L*****");
	cw_pii_mask_name("𠀀x", m); /* a 4-byte first character */
	assert_string_equal(m, "𠀀*");
	cw_pii_mask_name("", m);
	assert_string_equal(m, "*");
	cw_pii_mask_name("\xe5\xbc", m); /* cut UTF-8 */
	assert_string_equal(m, "*");
	/* The longest valid name fits. */
	char longest[4 * CW_PII_NAME_MAX + 1] = "";
	for (int i = 0; i < CW_PII_NAME_MAX; i++)
		strcat(longest, "𠀀");
	assert_true(cw_pii_name_valid(longest));
	cw_pii_mask_name(longest, m);
	assert_int_equal(strlen(m), 4 + CW_PII_NAME_MAX - 1);
}

static void test_mask_phone(void **state)
{
	(void)state;
	char m[CW_PII_MASK_MAX];
	cw_pii_mask_phone("13812345678", m);
	assert_string_equal(m, "138****5678");
	cw_pii_mask_phone("0561-3051234", m);
	assert_string_equal(m, "0561-***1234");
	cw_pii_mask_phone("05613051234", m);
	assert_string_equal(m, "0561***1234");
	cw_pii_mask_phone("010-12345678", m);
	assert_string_equal(m, "010-****5678");
	cw_pii_mask_phone("12345", m);
	assert_string_equal(m, "*****");
	cw_pii_mask_phone("1234567", m);
	assert_string_equal(m, "*******");
	cw_pii_mask_phone("12345678", m);
	assert_string_equal(m, "123*5678");
	cw_pii_mask_phone("", m);
	assert_string_equal(m, "");
}

static void test_phone_valid(void **state)
{
	(void)state;
	static const char *const good[] = {"13812345678", "19912345678", "0561-3051234",
					   "05613051234", "010-12345678", "02112345678",
					   "0561-30512345"};
	static const char *const bad[] = {"", "12812345678", "1381234567", "138123456789",
					  "138 1234 5678", "+8613812345678", "12345", "110",
					  "0561-0512345", "0561-305123", "0561--3051234",
					  "0061-3051234", "0561-30512x4", "1381234567a", "05613051"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(cw_pii_phone_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (cw_pii_phone_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
	assert_false(cw_pii_phone_valid(NULL));
}

static void test_name_valid(void **state)
{
	(void)state;
	assert_true(cw_pii_name_valid("张三"));
	assert_true(cw_pii_name_valid("张"));
	assert_true(cw_pii_name_valid("Li Lei"));
	assert_true(cw_pii_name_valid("买买提·艾力"));
	assert_false(cw_pii_name_valid(NULL));
	assert_false(cw_pii_name_valid(""));
	assert_false(cw_pii_name_valid("   "));
	assert_false(cw_pii_name_valid("张\n三"));
	assert_false(cw_pii_name_valid("张\t三"));
	assert_false(cw_pii_name_valid("张\x7f"));
	assert_false(cw_pii_name_valid("张\xc2\x85")); /* NEL, a C1 control */
	assert_false(cw_pii_name_valid("\xe5\xbc"));
	assert_false(cw_pii_name_valid("\xc0\xaf")); /* overlong */
	char s[64 * 3 + 1] = "";
	for (int i = 0; i < 50; i++)
		strcat(s, "张");
	assert_true(cw_pii_name_valid(s));
	strcat(s, "张");
	assert_false(cw_pii_name_valid(s));
}

/* Who may see a reporter unmasked: those who call reporters back, no one else. */
static void test_pii_view_permission(void **state)
{
	(void)state;
	for (int r = 0; r < CW_ROLE__COUNT; r++) {
		bool want = r == CW_ROLE_DISPATCHER || r == CW_ROLE_PETITION_OFFICER ||
			    r == CW_ROLE_MEDIATOR;
		if (cw_roles_allow(1u << r, CW_PERM_PII_VIEW) != want)
			fail_msg("role %s: PII_VIEW %s", cw_role_name(r), want ? "missing" : "granted");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sm4_gcm_known_answer),
	    cmocka_unit_test(test_sm4_gcm_tamper),
	    cmocka_unit_test(test_sm4_gcm_random_nonce),
	    cmocka_unit_test(test_base64_hex),
	    cmocka_unit_test(test_keyring_create_seal_open),
	    cmocka_unit_test(test_keyring_bad_files),
	    cmocka_unit_test(test_mask_name),
	    cmocka_unit_test(test_mask_phone),
	    cmocka_unit_test(test_phone_valid),
	    cmocka_unit_test(test_name_valid),
	    cmocka_unit_test(test_pii_view_permission),
	};
	int rc = cmocka_run_group_tests_name("pii", tests, group_setup, NULL);
	if (*tmpdir) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	}
	return rc;
}
