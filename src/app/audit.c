/* audit.c - verification of the SM3 audit chain, page by page. */
#include "app/app.h"

#include <string.h>

#include "util/arena.h"

struct scan_ctx {
	int64_t after;
	struct cw_audit_rec *items;
	int n;
};

static int scan_tx(struct cw_tx *tx, void *p)
{
	struct scan_ctx *c = p;
	return cw_store_audit_scan(tx, c->after, 1000, &c->items, &c->n);
}

struct head_ctx {
	int64_t seq;
	char hash[CW_SM3_HEX_LEN];
};

static int head_tx(struct cw_tx *tx, void *p)
{
	struct head_ctx *c = p;
	return cw_store_audit_head(tx, &c->seq, c->hash);
}

int cw_audit_verify(cw_store *s, int64_t *count, int64_t *bad_seq, const char **why)
{
	char prev[CW_SM3_HEX_LEN] = CW_AUDIT_GENESIS;
	int64_t expect = 1;
	/* The head is read first: records appended while we walk lie beyond it and
	 * are checked next time, while records removed from the end show up as a
	 * chain that stops short of the head. */
	struct head_ctx head;
	struct cw_arena *ha = cw_arena_new();
	int hrc = cw_store_tx(s, ha, false, head_tx, &head);
	cw_arena_free(ha);
	if (hrc)
		return -1;
	for (;;) {
		struct cw_arena *a = cw_arena_new();
		struct scan_ctx c = {.after = expect - 1};
		if (cw_store_tx(s, a, false, scan_tx, &c)) {
			cw_arena_free(a);
			return -1;
		}
		for (int i = 0; i < c.n && expect <= head.seq; i++) {
			struct cw_audit_rec *r = &c.items[i];
			const char *problem = NULL;
			if (r->seq != expect)
				problem = "a record is missing before this one";
			else if (strcmp(r->prev_hash, prev) != 0)
				problem = "its link to the previous record is broken";
			else if (!cw_audit_hash_ok(r))
				problem = "its content does not match its hash";
			if (problem) {
				*bad_seq = expect;
				*why = problem;
				cw_arena_free(a);
				return 1;
			}
			memcpy(prev, r->hash, sizeof prev);
			expect++;
		}
		cw_arena_free(a);
		if (c.n == 0 || expect > head.seq)
			break;
	}
	if (expect - 1 != head.seq || strcmp(prev, head.hash) != 0) {
		*bad_seq = expect;
		*why = "records at the end of the log are missing";
		return 1;
	}
	*count = expect - 1;
	return 0;
}

struct list_ctx {
	const struct cw_audit_filter *f;
	int limit;
	struct cw_audit_rec **items;
	int *n;
};

static int list_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_audit_list(tx, c->f, c->limit, c->items, c->n);
}

enum cw_ec cw_audit_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			 const struct cw_audit_filter *f, int limit, struct cw_audit_rec **items,
			 int *n)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_AUDIT_READ))
		return CW_EC_FORBIDDEN;
	struct list_ctx c = {f, limit, items, n};
	return cw_app_store_ec(cw_store_tx(s, a, false, list_tx, &c), CW_EC_OK, CW_EC_INTERNAL);
}
