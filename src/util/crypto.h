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

/* argon2id with libsodium's interactive limits (memory-hard; ~0.1 s here). */
int cw_password_hash(const char *password, char out[CW_PWHASH_LEN]);
bool cw_password_verify(const char *hash, const char *password);

bool cw_const_eq(const char *a, const char *b); /* constant time in the length of b */

#define CW_SHA256_HEX_LEN 65 /* 64 hex digits and NUL */
/* SHA-256 (libsodium) as lower-case hex: the names of content-addressed files. */
void cw_sha256_hex(const void *data, size_t n, char out[CW_SHA256_HEX_LEN]);

#endif
