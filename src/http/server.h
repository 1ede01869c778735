/* server.h - the HTTP server: libmicrohttpd glue, routing, request context, replies.
 *
 * Life of a request: libmicrohttpd calls us once with the headers (we only set up a
 * struct cw_req with its own arena), then with body chunks (appended, bounded by
 * max_body), then with no data: only then is the route found, the caller
 * authenticated (unless the route is public), the handler run, and the one reply
 * queued. Queueing on the second call keeps connections alive (DESIGN.md). The
 * arena is freed when the response completes, after the access log line. */
#ifndef CW_HTTP_SERVER_H
#define CW_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/auth.h"
#include "core/error.h"

struct cw_arena;
struct cw_req;
struct MHD_Connection;

typedef void (*cw_handler)(struct cw_req *req);

enum cw_route_flags {
	CW_ROUTE_PUBLIC = 1u << 0, /* no authentication needed */
	/* The path holds a secret after its first {capture} (a portal tracking code): the
	 * access log shows the path up to it and "{redacted}" instead of the rest. */
	CW_ROUTE_SECRET_PATH = 1u << 1,
};

/* Routing: the path (URL-decoded, without the query) is matched segment by segment.
 * When several patterns match, the one with the fewest {captures} wins, then table
 * order, so "/grids/locate" beats "/grids/{code}". HEAD runs the GET route. A path
 * that matches only with other methods answers 405 with an Allow header. */
struct cw_route {
	const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern; /* "/api/v1/regions/{code}": a {name} matches one segment */
	cw_handler handler;
	unsigned flags;
	size_t max_body; /* bytes of body this route takes; 0: the server's max_body */
};

#define CW_MAX_PATH_PARAMS 4

/* Who is calling, once authenticated. */
struct cw_principal {
	int64_t user_id;
	const char *username, *name;
	cw_roleset roles;
	const char *region, *region_path;
	int64_t department_id;
	bool via_token;          /* Authorization: Bearer */
	const char *session_key; /* SM3 hex of the session cookie; NULL for tokens */
	const char *csrf_token;  /* the session's; NULL for tokens */
};

struct cw_req {
	struct cw_arena *arena;
	void *app;               /* the cw_server_config.app pointer */
	struct MHD_Connection *conn;
	const char *method, *path; /* path without the query string */
	const struct cw_route *route;
	int route_index;           /* -1 when no route matched */
	const char *params[CW_MAX_PATH_PARAMS]; /* {name} captures, in pattern order */
	int nparams;
	const char *body;          /* NUL-terminated; NULL when there is none */
	size_t body_len;
	enum cw_lang lang;         /* from Accept-Language */
	char request_id[65];       /* the client's X-Request-Id (1-64 of [A-Za-z0-9._-])
				      or 16 random hex digits */
	char source[64];           /* client address */
	struct cw_principal *user; /* NULL until authenticated */

	/* Set by the reply functions; read by the access log and metrics. */
	int status;
	const char *error_code;
	bool replied;
	void *response; /* struct MHD_Response *, queued by the server */
};

/* Lookups into the request. NULL when absent. Header and cookie values are as the
 * client sent them (not checked for UTF-8). The path, its captures and every query
 * argument are valid UTF-8: the server answers 400 INVALID_UTF8 before dispatch
 * otherwise; their content (length, digits, …) is for the handler to check. */
const char *cw_req_header(struct cw_req *req, const char *name);
const char *cw_req_query(struct cw_req *req, const char *name);
const char *cw_req_cookie(struct cw_req *req, const char *name);
const char *cw_req_param(struct cw_req *req, int i);
/* True when the request changes state (not GET/HEAD/OPTIONS). */
bool cw_req_is_write(const struct cw_req *req);
/* Keeps doc alive until the request completes (takes the reference), so strings and
 * values borrowed from it stay valid for the whole request. */
void cw_req_hold_json(struct cw_req *req, json_t *doc);

/* Replies: exactly one per request. cw_reply_json takes the reference to body. */
void cw_reply_json(struct cw_req *req, int status, json_t *body);
/* The same reply from JSON text already written (cw_jw_finish): takes text (malloc'd);
 * NULL (a text that failed) replies 500 INTERNAL, as a NULL body does. */
void cw_reply_json_text(struct cw_req *req, int status, char *text, size_t len);
void cw_reply_text(struct cw_req *req, int status, const char *content_type, const char *text,
		   size_t len);
void cw_reply_empty(struct cw_req *req, int status);
/* {"code","message","field"?} with the registry's status and the caller's language. */
void cw_reply_error(struct cw_req *req, enum cw_ec ec, const char *field);
/* Adds a header to the reply about to be sent (call before the reply function). */
void cw_reply_header(struct cw_req *req, const char *name, const char *value);

/* A zero field takes the default. */
struct cw_server_limits {
	size_t max_body;      /* bytes; 413 beyond (default 1 MiB): at once for a
				 Content-Length over it; for a chunked upload after its
				 end, the rest unread (the connection is cut past 4x) */
	size_t max_url;       /* bytes of path and query; 414 beyond (default 4096) */
	size_t conn_memory;   /* libmicrohttpd per-connection buffer: headers must fit
				 (default 32 KiB); 431 beyond */
	int max_json_depth;   /* nesting of arrays/objects; 400 beyond (default 32) */
};

struct cw_server_config {
	const char *listen; /* "127.0.0.1:8080"; port 0 picks a free one */
	int threads;        /* libmicrohttpd thread-pool size */
	struct cw_server_limits limits;
	const struct cw_route *routes;
	int nroutes;
	void *app;
	/* Authenticates req (sets req->user) or replies with an error and returns false.
	 * Called for every matched route that is not CW_ROUTE_PUBLIC. */
	bool (*authenticate)(struct cw_req *req);
	/* Optional: serves a GET for a path no route matched (static files); returns
	 * false to let the server answer 404. */
	bool (*fallback)(struct cw_req *req);
};

struct cw_server;

/* Needs cw_crypto_init() first (request ids are random). Refuses a table with a
 * non-public route and no authenticate hook. Threads default to 8. The config is
 * copied; the route table must outlive the server. NULL with err on failure. */
struct cw_server *cw_server_start(const struct cw_server_config *cfg, char *err, size_t errlen);
unsigned short cw_server_port(const struct cw_server *s);
/* Stops accepting (new connections are refused), lets in-flight requests finish
 * (up to timeout_ms; their responses carry Connection: close), then stops and frees s. */
void cw_server_shutdown(struct cw_server *s, int timeout_ms);
const struct cw_server_limits *cw_server_limits_of(struct cw_req *req);
struct cw_server_limits cw_server_limits_default(void);

/* ---- streaming replies (Server-Sent Events) ----
 *
 * A reply whose body is written later, from any thread, for as long as the client
 * stays: libmicrohttpd suspends the connection while nothing is queued, so an idle
 * stream occupies no pool thread. Each stream has a bounded queue: a write that would
 * exceed it cuts the stream (the client reconnects) instead of growing memory.
 * cw_server_shutdown ends every stream (the queued bytes are still sent), so a
 * draining server does not wait for clients that never leave. */
struct cw_stream;

/* Starts the streaming reply to req (status 200, the given content type, chunked) and
 * returns the caller's reference to the stream (NULL when libmicrohttpd has no memory:
 * then the request ends without a reply). The stream stays valid until the caller
 * calls cw_stream_release, even after the client has gone (writes then fail):
 * libmicrohttpd's own reference is dropped when the request completes. No callback
 * runs from libmicrohttpd's cleanup, so callers may write while holding their locks.
 * max_queued 0 means 1 MiB. */
struct cw_stream *cw_reply_stream(struct cw_req *req, const char *content_type,
				  size_t max_queued);
/* Queues bytes; thread-safe. False when the stream has ended or was cut or its
 * request is over, or when these bytes would overflow its queue (the stream is then
 * cut). */
bool cw_stream_write(struct cw_stream *st, const char *data, size_t len);
/* Ends the stream once the queued bytes are sent. */
void cw_stream_end(struct cw_stream *st);
/* False once the stream was ended or cut or its request is over. */
bool cw_stream_open(struct cw_stream *st);
void cw_stream_release(struct cw_stream *st);

#endif
