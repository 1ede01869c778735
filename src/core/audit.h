/* audit.h - the audit record and its place in the SM3 hash chain.
 *
 * Each record's hash is SM3 over its predecessor's hash and its own fields in a
 * length-prefixed canonical form, so changing, removing or reordering any record
 * breaks every hash after it. The first record's predecessor is 64 zeros. */
#ifndef CW_CORE_AUDIT_H
#define CW_CORE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/crypto.h"

#define CW_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct cw_audit_rec {
	int64_t seq;            /* 1, 2, 3, … without gaps */
	int64_t at;             /* Unix seconds */
	int64_t user_id;        /* 0 when nobody is signed in */
	const char *username;   /* "" when unknown */
	const char *role;       /* the roles the user acted with, "" when none */
	const char *source;     /* client address */
	const char *action;     /* "session.login", "user.create", … */
	const char *object;     /* "user:42", "region:340603000000", … */
	bool success;
	const char *request_id; /* "" for command-line changes */
	const char *detail;     /* short JSON or text, never a secret */
	char prev_hash[CW_SM3_HEX_LEN];
	char hash[CW_SM3_HEX_LEN];
};

/* Fills rec->hash from rec->prev_hash and the fields. */
void cw_audit_hash(struct cw_audit_rec *rec);
/* True when rec->hash is what its fields and prev_hash give. */
bool cw_audit_hash_ok(const struct cw_audit_rec *rec);

#endif
