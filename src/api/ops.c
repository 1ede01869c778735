/* ops.c - /healthz and /metrics for the operators' monitoring. */
#include "api/api.h"

#include <stdio.h>

#include "http/metrics.h"
#include "util/buf.h"
#include "util/clock.h"

static int health_tx(struct cw_tx *tx, void *p)
{
	(void)p;
	char now[32];
	snprintf(now, sizeof now, "%lld", (long long)cw_now());
	/* A real write proves the store can commit, not only that it answers. */
	return cw_store_setting_set(tx, "health.last_check", now, cw_now());
}

void cw_h_healthz(struct cw_req *req)
{
	if (cw_store_tx(cw_api_of(req)->store, req->arena, true, health_tx, NULL)) {
		cw_reply_error(req, CW_EC_STORE_UNAVAILABLE, NULL);
		return;
	}
	cw_reply_text(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

void cw_h_metrics(struct cw_req *req)
{
	struct cw_buf b = {0};
	cw_metrics_render(&b);
	cw_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", cw_buf_str(&b), b.len);
	cw_buf_release(&b);
}
