/* crypto.c - libsodium and libgcrypt wrappers; see crypto.h. */
#include "util/crypto.h"

#include <gcrypt.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/gate.h"

/* argon2id takes 64 MiB and ~0.1 s of one core per hash. Letting every server
 * thread hash at once would let a burst of logins take a gigabyte and every core;
 * two at a time keeps memory bounded and leaves the other requests a core. */
#define CW_PWHASH_CONCURRENCY 2
static sem_t pwhash_slots;

/* The cost of new password hashes: libsodium's INTERACTIVE limits (the production
 * default), or, with CW_PASSWORD_HASH_COST=min in the environment, its minimum
 * (1 pass over 8 KiB) - for the test suite only, which hashes and checks thousands of
 * passwords (docs/configuration.md). A hash keeps the cost it was made with, so
 * verifying costs what hashing did. */
static unsigned long long pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

static int pwhash_cost_from_env(void)
{
	const char *cost = getenv("CW_PASSWORD_HASH_COST");
	if (!cost || !*cost || strcmp(cost, "interactive") == 0) {
		pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		return 0;
	}
	if (strcmp(cost, "min") == 0) {
		pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
		pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
		return 0;
	}
	fputs("civicgrid: CW_PASSWORD_HASH_COST must be 'interactive' (the default) or 'min' (tests only)\n",
	      stderr);
	return -1;
}

int cw_crypto_init(void)
{
	if (sodium_init() < 0)
		return -1;
	if (!gcry_check_version(GCRYPT_VERSION))
		return -1;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	if (pwhash_cost_from_env())
		return -1;
	static bool slots_ready;
	if (!slots_ready && sem_init(&pwhash_slots, 0, CW_PWHASH_CONCURRENCY))
		return -1;
	slots_ready = true;
	return 0;
}

void cw_random_bytes(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void cw_random_token(char out[CW_TOKEN_TEXT_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, CW_TOKEN_TEXT_LEN, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void cw_random_hex(char *out, size_t n)
{
	unsigned char raw[64];
	if (n > sizeof raw)
		n = sizeof raw;
	randombytes_buf(raw, n);
	cw_hex_encode(raw, n, out);
}

void cw_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = 0;
}

void cw_sm3(const void *data, size_t n, uint8_t out[CW_SM3_LEN])
{
	gcry_md_hash_buffer(GCRY_MD_SM3, out, data, n);
}

void cw_sm3_hex(const void *data, size_t n, char out[CW_SM3_HEX_LEN])
{
	uint8_t d[CW_SM3_LEN];
	cw_sm3(data, n, d);
	cw_hex_encode(d, sizeof d, out);
}

/* A hash has its own limit (pwhash_slots): the thread leaves the gate (util/gate.h)
 * meanwhile, so that logins do not hold the places of other requests. */
int cw_password_hash(const char *password, char out[CW_PWHASH_LEN])
{
	bool gate = cw_gate_pause();
	while (sem_wait(&pwhash_slots) != 0)
		;
	int rc = crypto_pwhash_str_alg(out, password, strlen(password),
				       pwhash_opslimit, pwhash_memlimit,
				       crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&pwhash_slots);
	cw_gate_resume(gate);
	return rc == 0 ? 0 : -1;
}

bool cw_password_verify(const char *hash, const char *password)
{
	if (!hash || !*hash)
		return false;
	bool gate = cw_gate_pause();
	while (sem_wait(&pwhash_slots) != 0)
		;
	int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	sem_post(&pwhash_slots);
	cw_gate_resume(gate);
	return rc == 0;
}

bool cw_const_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < lb; i++)
		diff |= (unsigned char)(a[i % (la ? la : 1)] ^ b[i]);
	return diff == 0 && la == lb;
}

void cw_sha256_hex(const void *data, size_t n, char out[CW_SHA256_HEX_LEN])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, n);
	cw_hex_encode(h, sizeof h, out);
}

/* ---- SM4-GCM ---- */

static gcry_cipher_hd_t sm4_gcm(const uint8_t key[CW_SM4_KEY_LEN],
				const uint8_t nonce[CW_SM4_GCM_NONCE_LEN], const void *aad,
				size_t aad_len)
{
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_SM4, GCRY_CIPHER_MODE_GCM, 0))
		return NULL;
	if (gcry_cipher_setkey(h, key, CW_SM4_KEY_LEN) ||
	    gcry_cipher_setiv(h, nonce, CW_SM4_GCM_NONCE_LEN) ||
	    gcry_cipher_authenticate(h, aad_len ? aad : "", aad_len)) {
		gcry_cipher_close(h);
		return NULL;
	}
	return h;
}

int cw_sm4_gcm_seal_nonce(const uint8_t key[CW_SM4_KEY_LEN],
			  const uint8_t nonce[CW_SM4_GCM_NONCE_LEN], const void *aad,
			  size_t aad_len, const void *in, size_t n, uint8_t *out)
{
	gcry_cipher_hd_t h = sm4_gcm(key, nonce, aad, aad_len);
	if (!h)
		return -1;
	memmove(out, nonce, CW_SM4_GCM_NONCE_LEN);
	uint8_t *ct = out + CW_SM4_GCM_NONCE_LEN;
	gcry_cipher_final(h);
	int rc = (n && gcry_cipher_encrypt(h, ct, n, in, n)) ||
			 gcry_cipher_gettag(h, ct + n, CW_SM4_GCM_TAG_LEN)
		     ? -1
		     : 0;
	gcry_cipher_close(h);
	return rc;
}

int cw_sm4_gcm_seal(const uint8_t key[CW_SM4_KEY_LEN], const void *aad, size_t aad_len,
		    const void *in, size_t n, uint8_t *out)
{
	uint8_t nonce[CW_SM4_GCM_NONCE_LEN];
	randombytes_buf(nonce, sizeof nonce);
	return cw_sm4_gcm_seal_nonce(key, nonce, aad, aad_len, in, n, out);
}

int cw_sm4_gcm_open(const uint8_t key[CW_SM4_KEY_LEN], const void *aad, size_t aad_len,
		    const uint8_t *in, size_t len, uint8_t *out)
{
	if (len < CW_SM4_GCM_OVERHEAD)
		return -1;
	size_t n = len - CW_SM4_GCM_OVERHEAD;
	gcry_cipher_hd_t h = sm4_gcm(key, in, aad, aad_len);
	if (!h)
		return -1;
	const uint8_t *ct = in + CW_SM4_GCM_NONCE_LEN;
	gcry_cipher_final(h);
	int rc = (n && gcry_cipher_decrypt(h, out, n, ct, n)) ||
			 gcry_cipher_checktag(h, ct + n, CW_SM4_GCM_TAG_LEN)
		     ? -1
		     : 0;
	gcry_cipher_close(h);
	if (rc)
		sodium_memzero(out, n);
	return rc;
}

void cw_hmac_sm3(const void *key, size_t key_len, const void *data, size_t n,
		 uint8_t out[CW_SM3_LEN])
{
	gcry_md_hd_t h;
	memset(out, 0, CW_SM3_LEN);
	if (gcry_md_open(&h, GCRY_MD_SM3, GCRY_MD_FLAG_HMAC))
		return;
	if (!gcry_md_setkey(h, key, key_len)) {
		gcry_md_write(h, data, n);
		memcpy(out, gcry_md_read(h, GCRY_MD_SM3), CW_SM3_LEN);
	}
	gcry_md_close(h);
}

size_t cw_base64_len(size_t n)
{
	return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
}

void cw_base64_encode(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2base64(out, cw_base64_len(n), in, n, sodium_base64_VARIANT_ORIGINAL);
}

long cw_base64_decode(const char *in, uint8_t *out, size_t cap)
{
	size_t len = 0;
	const char *end = NULL;
	if (sodium_base642bin(out, cap, in, strlen(in), NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    *end)
		return -1;
	return (long)len;
}

int cw_hex_decode(const char *in, uint8_t *out, size_t n)
{
	size_t len = 0;
	const char *end = NULL;
	if (strlen(in) != 2 * n || sodium_hex2bin(out, n, in, 2 * n, NULL, &len, &end) ||
	    len != n)
		return -1;
	return 0;
}

void cw_memzero(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void cw_memzero_str(const char *s)
{
	if (s)
		sodium_memzero((char *)s, strlen(s));
}
