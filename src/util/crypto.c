/* crypto.c - libsodium and libgcrypt wrappers; see crypto.h. */
#include "util/crypto.h"

#include <gcrypt.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>

/* argon2id takes 64 MiB and ~0.1 s of one core per hash. Letting every server
 * thread hash at once would let a burst of logins take a gigabyte and every core;
 * two at a time keeps memory bounded and leaves the other requests a core. */
#define CW_PWHASH_CONCURRENCY 2
static sem_t pwhash_slots;

int cw_crypto_init(void)
{
	if (sodium_init() < 0)
		return -1;
	if (!gcry_check_version(GCRYPT_VERSION))
		return -1;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
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

int cw_password_hash(const char *password, char out[CW_PWHASH_LEN])
{
	while (sem_wait(&pwhash_slots) != 0)
		;
	int rc = crypto_pwhash_str_alg(out, password, strlen(password),
				       crypto_pwhash_OPSLIMIT_INTERACTIVE,
				       crypto_pwhash_MEMLIMIT_INTERACTIVE,
				       crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&pwhash_slots);
	return rc == 0 ? 0 : -1;
}

bool cw_password_verify(const char *hash, const char *password)
{
	if (!hash || !*hash)
		return false;
	while (sem_wait(&pwhash_slots) != 0)
		;
	int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	sem_post(&pwhash_slots);
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
