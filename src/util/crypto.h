/* crypto.h - the cryptography civicgrid uses, behind one narrow header.
 *
 * libsodium: random bytes and argon2id password hashes.
 * libgcrypt: SM3 (GB/T 32905) for the audit chain and token digests.
 * Call cw_crypto_init() once before any other function here. */
#ifndef CW_UTIL_CRYPTO_H
#define CW_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_SM3_LEN 32
#define CW_SM3_HEX_LEN 65 /* 64 hex digits and NUL */
#define CW_PWHASH_LEN 128 /* crypto_pwhash_STRBYTES */
#define CW_TOKEN_TEXT_LEN 44 /* 32 random bytes in base64url without padding, and NUL */

int cw_crypto_init(void); /* 0 or -1 */

void cw_random_bytes(void *buf, size_t n);
/* 32 random bytes as base64url text (43 chars); `out` holds CW_TOKEN_TEXT_LEN. */
void cw_random_token(char out[CW_TOKEN_TEXT_LEN]);
/* `n` random bytes as lower-case hex; `out` holds 2n+1. */
void cw_random_hex(char *out, size_t n);

void cw_sm3(const void *data, size_t n, uint8_t out[CW_SM3_LEN]);
void cw_sm3_hex(const void *data, size_t n, char out[CW_SM3_HEX_LEN]);
void cw_hex_encode(const uint8_t *in, size_t n, char *out); /* out holds 2n+1 */

/* argon2id with libsodium's interactive limits (memory-hard; ~0.1 s here), or its
 * minimum when CW_PASSWORD_HASH_COST=min (tests only; read by cw_crypto_init). */
int cw_password_hash(const char *password, char out[CW_PWHASH_LEN]);
bool cw_password_verify(const char *hash, const char *password);

bool cw_const_eq(const char *a, const char *b); /* constant time in the length of b */

#define CW_SHA256_HEX_LEN 65 /* 64 hex digits and NUL */
/* SHA-256 (libsodium) as lower-case hex: the names of content-addressed files. */
void cw_sha256_hex(const void *data, size_t n, char out[CW_SHA256_HEX_LEN]);
/* ---- SM4-GCM (GB/T 32907 block cipher in Galois/Counter Mode, RFC 8998) ---- */

#define CW_SM4_KEY_LEN 16
#define CW_SM4_GCM_NONCE_LEN 12
#define CW_SM4_GCM_TAG_LEN 16
/* What a sealed value adds to its plaintext: nonce before it, tag after it. */
#define CW_SM4_GCM_OVERHEAD (CW_SM4_GCM_NONCE_LEN + CW_SM4_GCM_TAG_LEN)

/* Seals in[0..n) under `key` with a fresh random nonce and the associated data
 * aad[0..aad_len) (authenticated, not encrypted): out (n + CW_SM4_GCM_OVERHEAD bytes)
 * is nonce | ciphertext | tag. 0 or -1. */
int cw_sm4_gcm_seal(const uint8_t key[CW_SM4_KEY_LEN], const void *aad, size_t aad_len,
		    const void *in, size_t n, uint8_t *out);
/* The same with a given nonce: only for known-answer tests; a nonce must never repeat
 * under one key. */
int cw_sm4_gcm_seal_nonce(const uint8_t key[CW_SM4_KEY_LEN],
			  const uint8_t nonce[CW_SM4_GCM_NONCE_LEN], const void *aad,
			  size_t aad_len, const void *in, size_t n, uint8_t *out);
/* Opens nonce | ciphertext | tag (len bytes, at least CW_SM4_GCM_OVERHEAD) into out
 * (len - CW_SM4_GCM_OVERHEAD bytes). -1, with out zeroed, when the key is wrong or any
 * bit of the nonce, ciphertext, tag or associated data was changed. */
int cw_sm4_gcm_open(const uint8_t key[CW_SM4_KEY_LEN], const void *aad, size_t aad_len,
		    const uint8_t *in, size_t len, uint8_t *out);

/* HMAC-SM3 of data[0..n) under key[0..key_len). */
void cw_hmac_sm3(const void *key, size_t key_len, const void *data, size_t n,
		 uint8_t out[CW_SM3_LEN]);

/* Standard base64 with padding; `out` holds cw_base64_len(n). */
size_t cw_base64_len(size_t n);
void cw_base64_encode(const uint8_t *in, size_t n, char *out);
/* Decodes NUL-terminated base64 into out (at most cap bytes); the length or -1. */
long cw_base64_decode(const char *in, uint8_t *out, size_t cap);
/* Hex digits (either case) to bytes; exactly 2n digits expected. 0 or -1. */
int cw_hex_decode(const char *in, uint8_t *out, size_t n);
void cw_memzero(void *p, size_t n);
/* Zeroes a NUL-terminated string in place (a plaintext held in an arena). */
void cw_memzero_str(const char *s);

#endif
