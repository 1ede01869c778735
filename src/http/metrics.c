/* metrics.c - request counters, latency histograms and the connection gauge behind
 * /metrics, in fixed arrays of relaxed atomics; see metrics.h. */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "http/server.h"
#include "util/gate.h"

/* Slots: one per route, then one for requests that matched no route (including
 * those the static-file fallback served), then one for routes beyond the table's
 * capacity, so a grown route table degrades to a coarse label, not a crash. */
#define SLOT_UNMATCHED CW_METRICS_MAX_ROUTES
#define SLOT_OTHER (CW_METRICS_MAX_ROUTES + 1)
#define NSLOTS (CW_METRICS_MAX_ROUTES + 2)
#define STATUS_MIN 100
#define NSTATUS 500 /* 100..599 */

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,   0.25,   0.5,   1,    2.5,   5};
static const char *const bound_text[] = {"0.001", "0.0025", "0.005", "0.01",
					 "0.025", "0.05",   "0.1",   "0.25",
					 "0.5",   "1",      "2.5",   "5"};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])
#define NBUCKETS (NBOUNDS + 1) /* the last is +Inf */

static _Atomic uint64_t requests[NSLOTS][NSTATUS];
/* Per-bucket (not cumulative) counts; render sums them, so _count and the +Inf
 * bucket agree even while other threads observe. */
static _Atomic uint64_t buckets[NSLOTS][NBUCKETS];
static _Atomic uint64_t sum_ns[NSLOTS];
static _Atomic int64_t open_connections;
static _Atomic int64_t open_streams;

static const struct cw_route *table;
static int ntable;
static double start_time;

void cw_metrics_init(const struct cw_route *routes, int nroutes)
{
	for (int i = 0; i < NSLOTS; i++) {
		for (int k = 0; k < NSTATUS; k++)
			atomic_store_explicit(&requests[i][k], 0, memory_order_relaxed);
		for (size_t k = 0; k < NBUCKETS; k++)
			atomic_store_explicit(&buckets[i][k], 0, memory_order_relaxed);
		atomic_store_explicit(&sum_ns[i], 0, memory_order_relaxed);
	}
	atomic_store_explicit(&open_connections, 0, memory_order_relaxed);
	table = routes;
	ntable = nroutes > 0 ? nroutes : 0;
	/* The first init is as close to process start as this library gets. */
	if (start_time == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
}

static int slot_of(int route)
{
	if (route < 0 || route >= ntable)
		return SLOT_UNMATCHED;
	return route < CW_METRICS_MAX_ROUTES ? route : SLOT_OTHER;
}

void cw_metrics_observe(int route, int status, double seconds)
{
	int s = slot_of(route);
	if (status >= STATUS_MIN && status < STATUS_MIN + NSTATUS)
		atomic_fetch_add_explicit(&requests[s][status - STATUS_MIN], 1,
					  memory_order_relaxed);
	if (!(seconds >= 0)) /* also catches NaN */
		seconds = 0;
	size_t b = 0;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&buckets[s][b], 1, memory_order_relaxed);
	/* Nanoseconds in 64 bits overflow after 584 years of summed latency. */
	atomic_fetch_add_explicit(&sum_ns[s], (uint64_t)(seconds * 1e9), memory_order_relaxed);
}

void cw_metrics_stream(int delta)
{
	atomic_fetch_add_explicit(&open_streams, delta, memory_order_relaxed);
}

void cw_metrics_conn(int delta)
{
	atomic_fetch_add_explicit(&open_connections, delta, memory_order_relaxed);
}

/* A label value in the exposition format: backslash, double quote and newline
 * are the characters that must be escaped. */
static void put_label(struct cw_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			cw_buf_puts(out, "\\\\");
		else if (*s == '"')
			cw_buf_puts(out, "\\\"");
		else if (*s == '\n')
			cw_buf_puts(out, "\\n");
		else
			cw_buf_putc(out, *s);
	}
}

static void put_route(struct cw_buf *out, int slot)
{
	cw_buf_puts(out, "route=\"");
	if (slot == SLOT_UNMATCHED) {
		cw_buf_puts(out, "unmatched");
	} else if (slot == SLOT_OTHER) {
		cw_buf_puts(out, "other");
	} else {
		put_label(out, table[slot].method ? table[slot].method : "");
		cw_buf_putc(out, ' ');
		put_label(out, table[slot].pattern ? table[slot].pattern : "");
	}
	cw_buf_putc(out, '"');
}

static bool slot_used(int slot)
{
	if (slot < CW_METRICS_MAX_ROUTES)
		return slot < ntable;
	if (slot == SLOT_OTHER)
		return ntable > CW_METRICS_MAX_ROUTES;
	return true;
}

void cw_metrics_render(struct cw_buf *out)
{
	cw_buf_puts(out, "# HELP civicgrid_http_requests_total HTTP requests answered, by route "
			 "and status.\n"
			 "# TYPE civicgrid_http_requests_total counter\n");
	for (int s = 0; s < NSLOTS; s++) {
		if (!slot_used(s))
			continue;
		for (int k = 0; k < NSTATUS; k++) {
			uint64_t n = atomic_load_explicit(&requests[s][k], memory_order_relaxed);
			if (!n)
				continue;
			cw_buf_puts(out, "civicgrid_http_requests_total{");
			put_route(out, s);
			cw_buf_printf(out, ",status=\"%d\"} %llu\n", k + STATUS_MIN,
				      (unsigned long long)n);
		}
	}

	cw_buf_puts(out, "# HELP civicgrid_http_request_duration_seconds Time from the request "
			 "line to the response sent, by route.\n"
			 "# TYPE civicgrid_http_request_duration_seconds histogram\n");
	for (int s = 0; s < NSLOTS; s++) {
		if (!slot_used(s))
			continue;
		uint64_t counts[NBUCKETS], total = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			counts[b] = atomic_load_explicit(&buckets[s][b], memory_order_relaxed);
			total += counts[b];
		}
		if (!total)
			continue;
		uint64_t cum = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += counts[b];
			cw_buf_puts(out, "civicgrid_http_request_duration_seconds_bucket{");
			put_route(out, s);
			cw_buf_printf(out, ",le=\"%s\"} %llu\n",
				      b < NBOUNDS ? bound_text[b] : "+Inf", (unsigned long long)cum);
		}
		double sum = (double)atomic_load_explicit(&sum_ns[s], memory_order_relaxed) / 1e9;
		cw_buf_puts(out, "civicgrid_http_request_duration_seconds_sum{");
		put_route(out, s);
		cw_buf_printf(out, "} %.9f\n", sum);
		cw_buf_puts(out, "civicgrid_http_request_duration_seconds_count{");
		put_route(out, s);
		cw_buf_printf(out, "} %llu\n", (unsigned long long)total);
	}

	cw_buf_printf(out,
		      "# HELP civicgrid_http_open_connections HTTP connections open now.\n"
		      "# TYPE civicgrid_http_open_connections gauge\n"
		      "civicgrid_http_open_connections %lld\n",
		      (long long)atomic_load_explicit(&open_connections, memory_order_relaxed));
	cw_buf_printf(out,
		      "# HELP civicgrid_http_open_streams Streaming replies (Server-Sent "
		      "Events) open now.\n"
		      "# TYPE civicgrid_http_open_streams gauge\n"
		      "civicgrid_http_open_streams %lld\n",
		      (long long)atomic_load_explicit(&open_streams, memory_order_relaxed));
	uint64_t entered, queued;
	cw_gate_counts(&entered, &queued);
	cw_buf_printf(out,
		      "# HELP civicgrid_gate_width Requests worked on at once (0: no limit).\n"
		      "# TYPE civicgrid_gate_width gauge\n"
		      "civicgrid_gate_width %d\n"
		      "# HELP civicgrid_gate_entries_total Entries into the gate (a request enters "
		      "again after each wait it stepped out for).\n"
		      "# TYPE civicgrid_gate_entries_total counter\n"
		      "civicgrid_gate_entries_total %llu\n"
		      "# HELP civicgrid_gate_queued_total Entries that waited in its queue.\n"
		      "# TYPE civicgrid_gate_queued_total counter\n"
		      "civicgrid_gate_queued_total %llu\n",
		      cw_gate_width(), (unsigned long long)entered, (unsigned long long)queued);
	cw_buf_printf(out,
		      "# HELP civicgrid_process_start_time_seconds Start time of the process "
		      "since the Unix epoch in seconds.\n"
		      "# TYPE civicgrid_process_start_time_seconds gauge\n"
		      "civicgrid_process_start_time_seconds %.3f\n",
		      start_time);
}
