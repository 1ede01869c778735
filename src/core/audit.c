/* audit.c - canonical form and SM3 chaining of audit records; see audit.h. */
#include "core/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

static void field(struct cw_buf *b, const char *s)
{
	if (!s)
		s = "";
	cw_buf_printf(b, "%zu:", strlen(s));
	cw_buf_puts(b, s);
	cw_buf_putc(b, '|');
}

static void compute(const struct cw_audit_rec *r, char out[CW_SM3_HEX_LEN])
{
	struct cw_buf b = {0};
	char num[64];
	field(&b, r->prev_hash);
	snprintf(num, sizeof num, "%" PRId64, r->seq);
	field(&b, num);
	snprintf(num, sizeof num, "%" PRId64, r->at);
	field(&b, num);
	snprintf(num, sizeof num, "%" PRId64, r->user_id);
	field(&b, num);
	field(&b, r->username);
	field(&b, r->role);
	field(&b, r->source);
	field(&b, r->action);
	field(&b, r->object);
	field(&b, r->success ? "1" : "0");
	field(&b, r->request_id);
	field(&b, r->detail);
	cw_sm3_hex(b.data, b.len, out);
	cw_buf_release(&b);
}

void cw_audit_hash(struct cw_audit_rec *rec)
{
	compute(rec, rec->hash);
}

bool cw_audit_hash_ok(const struct cw_audit_rec *rec)
{
	char h[CW_SM3_HEX_LEN];
	compute(rec, h);
	return strcmp(h, rec->hash) == 0;
}
