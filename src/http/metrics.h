/* metrics.h - counters for /metrics in the Prometheus text format (version 0.0.4).
 * Lock-free (atomics); fixed memory. */
#ifndef CW_HTTP_METRICS_H
#define CW_HTTP_METRICS_H

#include "util/buf.h"

#define CW_METRICS_MAX_ROUTES 128

struct cw_route;

void cw_metrics_init(const struct cw_route *routes, int nroutes);
/* route -1 for requests that matched no route. */
void cw_metrics_observe(int route, int status, double seconds);
void cw_metrics_conn(int delta); /* +1 on open, -1 on close */
void cw_metrics_render(struct cw_buf *out);
/* Streaming replies (Server-Sent Events) open now: +1 on start, -1 on end. */
void cw_metrics_stream(int delta);

#endif
