/* events.c - GET /api/v1/events: live case changes of a region as Server-Sent Events,
 * a streaming reply fed by the timeline poller of app/events.c. */
#include "api/api.h"

#include "util/text.h"

/* Queued bytes per stream beyond which a client that does not read is cut off (it
 * reconnects with Last-Event-ID): a full replay (about 1,000 events of ~250 bytes)
 * fits. */
#define EVENTS_MAX_QUEUED (1u << 20)

static bool ev_send(void *cls, const char *text, size_t len)
{
	return cw_stream_write(cls, text, len);
}

static bool ev_alive(void *cls)
{
	return cw_stream_open(cls);
}

static void ev_release(void *cls)
{
	cw_stream_release(cls);
}

/* Last-Event-ID (the header EventSource sends on reconnect) or ?last_event_id= for
 * clients that cannot set headers: a timeline id, or -1 when neither is given. */
static bool last_id_or_reply(struct cw_req *req, int64_t *out)
{
	const char *field = "last_event_id";
	const char *v = cw_req_query(req, field);
	if (!v) {
		field = "Last-Event-ID";
		v = cw_req_header(req, field);
	}
	*out = -1;
	if (!v || !*v)
		return true;
	if (!cw_parse_int(v, 0, INT64_MAX, out)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, field);
		return false;
	}
	return true;
}

void cw_h_events(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	if (!api->events) {
		cw_reply_error(req, CW_EC_INTERNAL, NULL);
		return;
	}
	/* The region asked for must lie in the caller's scope (404 otherwise, as for
	 * every region); without one, the caller's home region. */
	const char *scope = req->user->region_path;
	const char *code = cw_req_query(req, "region");
	if (code) {
		struct cw_actor actor = cw_api_actor(req);
		struct cw_region r;
		if (cw_api_fail(req, cw_region_get_scoped(api->store, req->arena, &actor, code, &r),
				NULL))
			return;
		scope = r.path;
	}
	int64_t last_id;
	if (!last_id_or_reply(req, &last_id))
		return;

	/* A slot first (the limit), then the reply, then the sink. */
	int64_t sub = cw_events_subscribe(api->events, scope, last_id);
	if (!sub) {
		cw_reply_header(req, "Retry-After", "5");
		cw_reply_error(req, CW_EC_TOO_MANY_STREAMS, NULL);
		return;
	}
	cw_reply_header(req, "X-Accel-Buffering", "no");
	struct cw_stream *st =
	    cw_reply_stream(req, "text/event-stream; charset=utf-8", EVENTS_MAX_QUEUED);
	if (!st) {
		cw_events_unsubscribe(api->events, sub);
		return;
	}
	/* The reconnection delay first; a comment so the client sees the stream open. */
	static const char hello[] = "retry: 3000\n: live\n\n";
	cw_stream_write(st, hello, sizeof hello - 1);
	/* The hub holds the stream from here and releases it when it is over. */
	cw_events_activate(api->events, sub,
			   (struct cw_events_sink){.send = ev_send, .alive = ev_alive,
						   .release = ev_release, .cls = st});
}
