/* pii.c - the reporter's name and phone number: checked, sealed under the current key
 * of the key file before the store sees them, opened and masked for answers; the key
 * usage listing and the rewrap after a rotation. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "core/pii.h"
#include "util/arena.h"
#include "util/crypto.h"
#include "util/keyring.h"
#include "util/log.h"
#include "util/text.h"

enum cw_ec cw_pii_reporter_check(const char *name, const char *phone, const char **field)
{
	if (name) {
		*field = "reporter.name";
		if (cw_utf8_valid(name, strlen(name)) && cw_utf8_len(name) > CW_PII_NAME_MAX)
			return CW_EC_FIELD_TOO_LONG;
		if (!cw_pii_name_valid(name))
			return CW_EC_INVALID_FIELD;
	}
	if (phone) {
		*field = "reporter.phone";
		if (!cw_pii_phone_valid(phone))
			return CW_EC_INVALID_FIELD;
	}
	*field = NULL;
	return CW_EC_OK;
}

enum cw_ec cw_pii_reporter_seal(struct cw_keyring *kr, struct cw_arena *a, const char *name,
				const char *phone, struct cw_case *c)
{
	c->reporter_name_enc = c->reporter_phone_enc = "";
	if (!name && !phone)
		return CW_EC_OK;
	if (!kr)
		return CW_EC_INTERNAL;
	if (name && !(c->reporter_name_enc = cw_keyring_seal(kr, a, CW_PII_LABEL_NAME, name)))
		return CW_EC_INTERNAL;
	if (phone && !(c->reporter_phone_enc = cw_keyring_seal(kr, a, CW_PII_LABEL_PHONE, phone)))
		return CW_EC_INTERNAL;
	return CW_EC_OK;
}

/* Opens one sealed column; false (logged without the value) when it cannot be. */
static bool open_one(struct cw_keyring *kr, struct cw_arena *a, int64_t case_id,
		     const char *label, const char *sealed, const char **plain)
{
	*plain = NULL;
	if (!sealed || !*sealed)
		return true;
	if (kr && cw_keyring_open(kr, a, label, sealed, plain) == 0)
		return true;
	char id[CW_KEY_ID_MAX] = "?";
	cw_keyring_key_id(sealed, id);
	cw_warn("pii: case %lld: %s cannot be opened (key %s: not in the key file, or the "
		"value was altered)",
		(long long)case_id, label, id);
	return false;
}

void cw_pii_reporter_view(struct cw_keyring *kr, struct cw_arena *a, const struct cw_case *c,
			  bool unmasked, struct cw_case_reporter *out)
{
	memset(out, 0, sizeof *out);
	bool has_name = c->reporter_name_enc && *c->reporter_name_enc;
	bool has_phone = c->reporter_phone_enc && *c->reporter_phone_enc;
	out->present = has_name || has_phone;
	out->masked = !unmasked;
	if (!out->present)
		return;
	const char *name, *phone;
	if (!open_one(kr, a, c->id, CW_PII_LABEL_NAME, c->reporter_name_enc, &name) ||
	    !open_one(kr, a, c->id, CW_PII_LABEL_PHONE, c->reporter_phone_enc, &phone)) {
		out->unreadable = true;
		return;
	}
	if (unmasked) {
		out->name = name;
		out->phone = phone;
		return;
	}
	char m[CW_PII_MASK_MAX];
	if (name) {
		cw_pii_mask_name(name, m);
		out->name = cw_arena_strdup(a, m);
	}
	if (phone) {
		cw_pii_mask_phone(phone, m);
		out->phone = cw_arena_strdup(a, m);
	}
}

/* ---- keys: usage and rewrap ---- */

#define KEYS_PAGE 500

struct page_ctx {
	int64_t after;
	int limit;
	struct cw_case_pii *items;
	int n;
};

static int page_tx(struct cw_tx *tx, void *p)
{
	struct page_ctx *c = p;
	return cw_store_case_pii_page(tx, c->after, c->limit, &c->items, &c->n);
}

static struct cw_key_usage *push_key(struct cw_key_usage **v, int *n, int *cap,
				      const char *id)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = cw_xrealloc(*v, (size_t)*cap * sizeof **v);
	}
	struct cw_key_usage *u = &(*v)[(*n)++];
	memset(u, 0, sizeof *u);
	memcpy(u->id, id, strnlen(id, sizeof u->id - 1));
	return u;
}

static void count_key(struct cw_key_usage **v, int *n, int *cap, const char *sealed)
{
	char id[CW_KEY_ID_MAX];
	if (!sealed || !*sealed)
		return;
	if (!cw_keyring_key_id(sealed, id))
		memcpy(id, "(not sealed)", sizeof "(not sealed)");
	for (int i = 0; i < *n; i++)
		if (strcmp((*v)[i].id, id) == 0) {
			(*v)[i].values++;
			return;
		}
	push_key(v, n, cap, id)->values = 1;
}

enum cw_ec cw_keys_usage(cw_store *s, struct cw_keyring *kr, struct cw_key_usage **items,
			 int *n)
{
	int cap = 0;
	*items = NULL;
	*n = 0;
	char ids[256][CW_KEY_ID_MAX], cur[CW_KEY_ID_MAX];
	int nids = cw_keyring_ids(kr, ids, 256);
	cw_keyring_current(kr, cur);
	for (int i = 0; i < nids; i++) {
		struct cw_key_usage *u = push_key(items, n, &cap, ids[i]);
		u->in_file = true;
		u->current = strcmp(ids[i], cur) == 0;
	}
	struct page_ctx c = {.after = 0, .limit = KEYS_PAGE};
	for (;;) {
		struct cw_arena *a = cw_arena_new();
		int rc = cw_store_tx(s, a, false, page_tx, &c);
		if (rc != CW_DB_OK) {
			cw_arena_free(a);
			free(*items);
			*items = NULL;
			*n = 0;
			return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
		}
		for (int i = 0; i < c.n; i++) {
			count_key(items, n, &cap, c.items[i].name_enc);
			count_key(items, n, &cap, c.items[i].phone_enc);
		}
		int got = c.n;
		if (got)
			c.after = c.items[got - 1].id;
		cw_arena_free(a);
		if (got < c.limit)
			break;
	}
	return CW_EC_OK;
}

struct rewrap_ctx {
	struct cw_keyring *kr;
	const struct cw_actor *actor;
	char current[CW_KEY_ID_MAX];
	int64_t after;
	int limit;
	int seen;
	int64_t rewrapped, failed;
};

/* Re-seals one value unless it is already under the current key; *out stays the old
 * text when it cannot be opened. */
static void reseal(struct rewrap_ctx *c, struct cw_arena *a, const char *label,
		   const char *sealed, const char **out, int64_t *done)
{
	char id[CW_KEY_ID_MAX];
	const char *plain;
	*out = sealed;
	if (!sealed || !*sealed || (cw_keyring_key_id(sealed, id) && !strcmp(id, c->current)))
		return;
	if (cw_keyring_open(c->kr, a, label, sealed, &plain)) {
		c->failed++;
		return;
	}
	const char *again = cw_keyring_seal(c->kr, a, label, plain);
	cw_memzero_str(plain);
	if (!again) {
		c->failed++;
		return;
	}
	*out = again;
	(*done)++;
}

static int rewrap_tx(struct cw_tx *tx, void *p)
{
	struct rewrap_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_case_pii *v;
	int n;
	int rc = cw_store_case_pii_page(tx, c->after, c->limit, &v, &n);
	if (rc != CW_DB_OK)
		return rc;
	c->seen = n;
	int64_t done = 0;
	for (int i = 0; i < n; i++) {
		const char *name, *phone;
		int64_t here = 0;
		reseal(c, a, CW_PII_LABEL_NAME, v[i].name_enc, &name, &here);
		reseal(c, a, CW_PII_LABEL_PHONE, v[i].phone_enc, &phone, &here);
		c->after = v[i].id;
		if (!here)
			continue;
		rc = cw_store_case_pii_set(tx, &v[i], name, phone);
		if (rc == CW_DB_NOTFOUND)
			continue; /* changed meanwhile, under the current key then */
		if (rc != CW_DB_OK)
			return rc;
		done += here;
	}
	c->rewrapped += done;
	return CW_DB_OK;
}

struct rewrap_audit_ctx {
	const struct cw_actor *actor;
	const char *detail;
};

static int rewrap_audit_tx(struct cw_tx *tx, void *p)
{
	struct rewrap_audit_ctx *c = p;
	return cw_app_audit(tx, c->actor, "keys.rewrap", "cases", true, c->detail);
}

enum cw_ec cw_keys_rewrap(cw_store *s, struct cw_keyring *kr, const struct cw_actor *actor,
			  int batch, int64_t now, int64_t *rewrapped, int64_t *failed)
{
	(void)now;
	struct rewrap_ctx c = {.kr = kr, .actor = actor, .limit = batch > 0 ? batch : KEYS_PAGE};
	cw_keyring_current(kr, c.current);
	*rewrapped = *failed = 0;
	int rc;
	for (;;) {
		struct cw_arena *a = cw_arena_new();
		int64_t after = c.after, ok = c.rewrapped, bad = c.failed;
		rc = cw_store_tx(s, a, true, rewrap_tx, &c);
		cw_arena_free(a);
		if (rc != CW_DB_OK) {
			/* The batch rolled back: count it as not done. */
			c.after = after;
			c.rewrapped = ok;
			c.failed = bad;
			break;
		}
		if (c.seen < c.limit)
			break;
	}
	*rewrapped = c.rewrapped;
	*failed = c.failed;
	if (rc == CW_DB_OK && (c.rewrapped || c.failed)) {
		struct cw_arena *a = cw_arena_new();
		struct rewrap_audit_ctx ac = {
		    .actor = actor,
		    .detail = cw_arena_printf(a, "%lld values re-sealed under key %s, %lld unreadable",
					      (long long)c.rewrapped, c.current, (long long)c.failed)};
		rc = cw_store_tx(s, a, true, rewrap_audit_tx, &ac);
		cw_arena_free(a);
	}
	return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
}
