/* server.c - the HTTP server on libmicrohttpd: request context, body limits, routing,
 * replies, access log, metrics hooks and draining shutdown; see server.h. */
#include "http/server.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http/json.h"
#include "http/metrics.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/gate.h"
#include "util/log.h"
#include "util/text.h"

#define CW_CONN_TIMEOUT_S 30
#define CW_LOG_PATH_MAX 512 /* bytes of path in an access log line */

struct cw_server {
	struct MHD_Daemon *daemon;
	struct cw_server_config cfg;
	unsigned short port;
	atomic_int inflight; /* requests between the URI callback and completion */
	atomic_bool stopping;
	pthread_mutex_t streams_mu; /* guards the list of open streams */
	struct cw_stream *streams;
};

struct reply_header {
	struct reply_header *next;
	const char *name, *value;
};

struct held_json {
	struct held_json *next;
	json_t *doc;
};

/* The request as the server sees it. The public part comes first, so the
 * struct cw_req * handed to handlers converts back with a cast. */
struct req_ctx {
	struct cw_req req;
	struct cw_server *server;
	double started;
	size_t uri_len;       /* path and query as sent, for the 414 check */
	const char *log_path; /* the path as sent, without the query, made log-safe */
	const char *log_method;
	bool set_up;          /* the first access call has run */
	bool queued;          /* the response went to libmicrohttpd */
	size_t max_body;      /* the route's body limit, else the server's */
	int best;             /* the route set_up found for method and path, else -1 */
	int best_n;           /* its captures, pointers into req.path */
	const char *best_cap[CW_MAX_PATH_PARAMS];
	size_t best_len[CW_MAX_PATH_PARAMS];
	size_t discarded;     /* body bytes dropped after a 413 */
	struct cw_buf body;
	struct reply_header *headers, **headers_tail;
	struct held_json *docs;
};

static struct req_ctx *ctx_of(struct cw_req *req)
{
	return (struct req_ctx *)req;
}

/* Bytes that could forge or split a log line (controls, space, quotes, backslash,
 * anything non-ASCII) are written as %XX; at most `max` input bytes are kept. */
static const char *log_safe(struct cw_arena *a, const char *s, size_t n, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	bool cut = n > max;
	if (cut)
		n = max;
	char *out = cw_arena_alloc(a, n * 3 + 4), *o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	if (cut)
		memcpy(o, "...", 3), o += 3;
	*o = 0;
	return out;
}

static bool valid_request_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const char *secret_path_log(struct cw_arena *a, const struct cw_server_config *cfg,
				   const char *path);

static void client_address(struct MHD_Connection *conn, char *out, size_t n)
{
	snprintf(out, n, "-");
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)n);
}

static struct req_ctx *ctx_new(struct cw_server *s, struct MHD_Connection *conn, const char *uri)
{
	struct cw_arena *a = cw_arena_new();
	struct req_ctx *c = cw_arena_alloc(a, sizeof *c);
	c->req.arena = a;
	c->req.app = s->cfg.app;
	c->req.conn = conn;
	c->req.method = "";
	c->req.path = "";
	c->req.route_index = -1;
	c->server = s;
	c->started = cw_mono_seconds();
	c->uri_len = strlen(uri);
	c->log_path = log_safe(a, uri, strcspn(uri, "?"), CW_LOG_PATH_MAX);
	const char *secret = secret_path_log(a, &s->cfg, c->log_path);
	if (secret)
		c->log_path = secret;
	c->log_method = "-";
	c->headers_tail = &c->headers;
	c->best = -1;
	client_address(conn, c->req.source, sizeof c->req.source);
	snprintf(c->req.request_id, sizeof c->req.request_id, "-");
	atomic_fetch_add(&s->inflight, 1);
	return c;
}

/* libmicrohttpd calls this once per request, right after the request line: the
 * context made here is what every later callback of the request receives, and the
 * completion callback frees it even when libmicrohttpd answers the request itself
 * (a header too large), so no request escapes the access log or the drain count. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	return ctx_new(cls, conn, uri);
}

/* ---- request lookups ---- */

const char *cw_req_header(struct cw_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *cw_req_query(struct cw_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *cw_req_cookie(struct cw_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *cw_req_param(struct cw_req *req, int i)
{
	return i >= 0 && i < req->nparams ? req->params[i] : NULL;
}

bool cw_req_is_write(const struct cw_req *req)
{
	const char *m = req->method;
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

void cw_req_hold_json(struct cw_req *req, json_t *doc)
{
	if (!doc)
		return;
	struct req_ctx *c = ctx_of(req);
	struct held_json *h = cw_arena_alloc(req->arena, sizeof *h);
	h->doc = doc;
	h->next = c->docs;
	c->docs = h;
}

const struct cw_server_limits *cw_server_limits_of(struct cw_req *req)
{
	return &ctx_of(req)->server->cfg.limits;
}

struct cw_server_limits cw_server_limits_default(void)
{
	return (struct cw_server_limits){
	    .max_body = 1 << 20,
	    .max_url = 4096,
	    .conn_memory = 32 << 10,
	    .max_json_depth = 32,
	};
}

/* ---- replies ---- */

void cw_reply_header(struct cw_req *req, const char *name, const char *value)
{
	if (req->replied) {
		cw_error("bug: header %s added after the reply to %s %s", name, req->method,
			 req->path);
		return;
	}
	struct req_ctx *c = ctx_of(req);
	struct reply_header *h = cw_arena_alloc(req->arena, sizeof *h);
	h->name = cw_arena_strdup(req->arena, name);
	h->value = cw_arena_strdup(req->arena, value);
	*c->headers_tail = h;
	c->headers_tail = &h->next;
}

static bool has_reply_header(const struct req_ctx *c, const char *name)
{
	for (const struct reply_header *h = c->headers; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return true;
	return false;
}

static void add_header(struct MHD_Response *resp, const char *name, const char *value)
{
	/* libmicrohttpd refuses CR, LF and TAB in headers: no response splitting. */
	if (MHD_add_response_header(resp, name, value) != MHD_YES)
		cw_warn("response header %s refused", name);
}

static bool is_api_path(const char *path)
{
	return strncmp(path, "/api", 4) == 0 && (path[4] == 0 || path[4] == '/');
}

/* Takes resp (which may be NULL when libmicrohttpd is out of memory: the request
 * then ends without a response and the connection closes). */
static void set_response(struct cw_req *req, int status, struct MHD_Response *resp)
{
	struct req_ctx *c = ctx_of(req);
	if (req->replied) {
		cw_error("bug: second reply (%d) to %s %s", status, req->method, req->path);
		if (resp)
			MHD_destroy_response(resp);
		return;
	}
	req->replied = true;
	req->status = status;
	req->response = resp;
	if (!resp) {
		cw_error("cannot create a response for %s %s", req->method, req->path);
		return;
	}
	add_header(resp, "X-Request-Id", req->request_id);
	add_header(resp, "X-Content-Type-Options", "nosniff");
	add_header(resp, "X-Frame-Options", "DENY");
	add_header(resp, "Referrer-Policy", "same-origin");
	if (is_api_path(req->path) && !has_reply_header(c, "Cache-Control"))
		add_header(resp, "Cache-Control", "no-store");
	for (const struct reply_header *h = c->headers; h; h = h->next)
		add_header(resp, h->name, h->value);
	/* While draining, each connection ends after its current request. */
	if (atomic_load(&c->server->stopping))
		add_header(resp, "Connection", "close");
}

void cw_reply_json(struct cw_req *req, int status, json_t *body)
{
	if (!body) {
		cw_error("bug: no JSON body for the reply to %s %s", req->method, req->path);
		cw_reply_error(req, CW_EC_INTERNAL, NULL);
		return;
	}
	/* 15 significant digits: every coordinate and measure we serve survives (1e-13°
	 * is far below a millimetre) without 17-digit noise such as 116.78318440000001. */
	size_t len = 0;
	char *text = cw_json_dump(body, &len); /* the same bytes as jansson's, faster */
	if (!text) {
		text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		len = text ? strlen(text) : 0;
	}
	json_decref(body);
	cw_reply_json_text(req, status, text, len);
}

void cw_reply_json_text(struct cw_req *req, int status, char *text, size_t len)
{
	if (!text) {
		cw_error("cannot write the JSON reply to %s %s", req->method, req->path);
		cw_reply_error(req, CW_EC_INTERNAL, NULL);
		return;
	}
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback(len, text, free);
	if (!resp)
		free(text);
	else
		add_header(resp, "Content-Type", "application/json; charset=utf-8");
	set_response(req, status, resp);
}

void cw_reply_text(struct cw_req *req, int status, const char *content_type, const char *text,
		   size_t len)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	if (resp && content_type)
		add_header(resp, "Content-Type", content_type);
	set_response(req, status, resp);
}

void cw_reply_empty(struct cw_req *req, int status)
{
	set_response(req, status,
		     MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT));
}

void cw_reply_error(struct cw_req *req, enum cw_ec ec, const char *field)
{
	req->error_code = cw_ec_name(ec);
	json_t *body = json_object();
	json_object_set_new(body, "code", json_string(cw_ec_name(ec)));
	json_object_set_new(body, "message", json_string(cw_ec_message(ec, req->lang)));
	/* A field name can come from the client (UNKNOWN_FIELD): json_string refuses
	 * invalid UTF-8, and then the field is left out rather than the reply. */
	if (field) {
		json_t *f = json_string(field);
		if (f)
			json_object_set_new(body, "field", f);
	}
	cw_reply_json(req, cw_ec_status(ec), body);
}

/* ---- routing ---- */

/* Matches path against pattern segment by segment; {name} takes one non-empty
 * segment. Captures are pointers into path with their lengths. */
static bool route_match(const char *pat, const char *path, const char *cap[], size_t caplen[],
			int *ncap)
{
	int n = 0;
	if (*pat != '/' || *path != '/')
		return false;
	while (*pat == '/' && *path == '/') {
		pat++;
		path++;
		/* Most patterns differ from the path in their first bytes: a literal
		 * segment is compared byte by byte before anything is measured. */
		if (*pat != '{') {
			while (*pat && *pat != '/' && *pat == *path) {
				pat++;
				path++;
			}
			if ((*pat && *pat != '/') || (*path && *path != '/'))
				return false;
			continue;
		}
		size_t pl = strcspn(pat, "/"), ql = strcspn(path, "/");
		if (pl >= 2 && pat[0] == '{' && pat[pl - 1] == '}') {
			if (ql == 0 || n == CW_MAX_PATH_PARAMS)
				return false;
			cap[n] = path;
			caplen[n] = ql;
			n++;
		} else if (pl != ql || memcmp(pat, path, pl) != 0) {
			return false;
		}
		pat += pl;
		path += ql;
	}
	if (*pat || *path)
		return false;
	*ncap = n;
	return true;
}

static bool method_matches(const char *route_method, const char *method)
{
	/* HEAD is answered by the GET handler; libmicrohttpd drops the body. */
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void add_allowed(struct cw_buf *allow, const char *method)
{
	/* Few methods: a substring scan of ", "-separated names is enough. */
	size_t n = strlen(method);
	for (const char *p = cw_buf_str(allow); (p = strstr(p, method)); p += n)
		if ((p == allow->data || p[-1] == ' ') && (p[n] == 0 || p[n] == ','))
			return;
	if (allow->len)
		cw_buf_puts(allow, ", ");
	cw_buf_puts(allow, method);
}

/* Finds req's route: among the patterns that match, the one with the fewest
 * captures wins (a literal "/grids/locate" before "/grids/{code}"), then table
 * order. Replies 405 or 404 itself and returns false when there is none to run;
 * *fallback tells the caller to try the static-file fallback. */
static bool route_find_or_reply(struct req_ctx *c, bool *fallback)
{
	struct cw_req *req = &c->req;
	const struct cw_server_config *cfg = &c->server->cfg;
	const char *cap[CW_MAX_PATH_PARAMS], *best_cap[CW_MAX_PATH_PARAMS];
	size_t caplen[CW_MAX_PATH_PARAMS], best_len[CW_MAX_PATH_PARAMS];
	int ncap = 0, best = -1, best_n = INT_MAX;
	bool path_known = false;
	*fallback = false;

	/* set_up found it already (route_best): the table is walked once a request. */
	if (c->best >= 0) {
		best = c->best;
		best_n = c->best_n;
		memcpy(best_cap, c->best_cap, sizeof best_cap);
		memcpy(best_len, c->best_len, sizeof best_len);
	}
	for (int i = 0; best < 0 && i < cfg->nroutes; i++) {
		const struct cw_route *r = &cfg->routes[i];
		if (!route_match(r->pattern, req->path, cap, caplen, &ncap))
			continue;
		path_known = true;
		if (!method_matches(r->method, req->method) || ncap >= best_n)
			continue;
		best = i;
		best_n = ncap;
		memcpy(best_cap, cap, sizeof cap);
		memcpy(best_len, caplen, sizeof caplen);
	}
	if (best >= 0) {
		req->route = &cfg->routes[best];
		req->route_index = best;
		req->nparams = best_n;
		for (int k = 0; k < best_n; k++)
			req->params[k] = cw_arena_strndup(req->arena, best_cap[k], best_len[k]);
		return true;
	}
	if (path_known) {
		struct cw_buf allow = {0};
		for (int i = 0; i < cfg->nroutes; i++) {
			const struct cw_route *r = &cfg->routes[i];
			if (!route_match(r->pattern, req->path, cap, caplen, &ncap))
				continue;
			add_allowed(&allow, r->method);
			if (strcmp(r->method, "GET") == 0)
				add_allowed(&allow, "HEAD");
		}
		cw_reply_header(req, "Allow", cw_buf_str(&allow));
		cw_buf_release(&allow);
		cw_reply_error(req, CW_EC_METHOD_NOT_ALLOWED, NULL);
		return false;
	}
	if (cfg->fallback && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0))
		*fallback = true;
	else
		cw_reply_error(req, CW_EC_ROUTE_NOT_FOUND, NULL);
	return false;
}

struct query_check {
	const char *bad;
};

static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				       const char *value)
{
	(void)kind;
	struct query_check *q = cls;
	if (!cw_utf8_valid(key, strlen(key)) || (value && !cw_utf8_valid(value, strlen(value)))) {
		q->bad = key;
		return MHD_NO;
	}
	return MHD_YES;
}

static void bug_no_reply(struct cw_req *req, const char *what)
{
	cw_error("bug: %s for %s %s did not reply", what, req->method, req->path);
	cw_reply_error(req, CW_EC_INTERNAL, NULL);
}

/* Runs the request once its body is in: checks, route, authentication, handler. */
static void dispatch(struct req_ctx *c)
{
	struct cw_req *req = &c->req;
	const struct cw_server_config *cfg = &c->server->cfg;
	if (c->body.len) {
		req->body = c->body.data;
		req->body_len = c->body.len;
	}
	if (!cw_utf8_valid(req->path, strlen(req->path))) {
		cw_reply_error(req, CW_EC_INVALID_UTF8, NULL);
		return;
	}
	struct query_check q = {NULL};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_query_arg, &q);
	if (q.bad) {
		/* The name itself may be the invalid part: only a valid one is echoed. */
		bool name_ok = cw_utf8_valid(q.bad, strlen(q.bad));
		cw_reply_error(req, CW_EC_INVALID_UTF8, name_ok ? q.bad : NULL);
		return;
	}

	bool fallback;
	if (!route_find_or_reply(c, &fallback)) {
		if (fallback) {
			if (!cfg->fallback(req))
				cw_reply_error(req, CW_EC_ROUTE_NOT_FOUND, NULL);
			else if (!req->replied)
				bug_no_reply(req, "the fallback");
		}
		return;
	}
	if (!(req->route->flags & CW_ROUTE_PUBLIC)) {
		if (!cfg->authenticate(req)) {
			if (!req->replied)
				bug_no_reply(req, "authentication");
			return;
		}
		if (req->replied) {
			cw_error("bug: authentication accepted %s %s and replied", req->method,
				 req->path);
			return;
		}
	}
	req->route->handler(req);
	if (!req->replied)
		bug_no_reply(req, "the handler");
}

static enum MHD_Result queue_reply(struct req_ctx *c)
{
	struct cw_req *req = &c->req;
	c->queued = true;
	struct MHD_Response *resp = req->response;
	if (!resp)
		return MHD_NO; /* out of memory: close the connection */
	enum MHD_Result r = MHD_queue_response(req->conn, (unsigned)req->status, resp);
	MHD_destroy_response(resp); /* libmicrohttpd holds its own reference */
	req->response = NULL;
	if (r != MHD_YES)
		cw_error("libmicrohttpd refused the %d response to %s %s", req->status,
			 req->method, req->path);
	return r;
}

/* How much of a refused body we read and drop so that the client, still sending,
 * gets to read our 413 rather than a reset: enough for a phone's photo sent to the
 * wrong place, and a bound on what a client can make us read for nothing. */
static size_t discard_limit(size_t max_body)
{
	size_t floor = 16u << 20;
	return 4 * max_body > floor ? 4 * max_body : floor;
}

/* The body limit of the route a request will run, known from its headers: the one
 * route_find_or_reply will pick (fewest captures, then table order) when it sets its
 * own, else the server's. */
static size_t route_body_limit(struct req_ctx *c, const struct cw_server_config *cfg,
			       const char *method, const char *path)
{
	const char *cap[CW_MAX_PATH_PARAMS];
	size_t caplen[CW_MAX_PATH_PARAMS];
	int ncap = 0, best = -1, best_n = INT_MAX;
	for (int i = 0; i < cfg->nroutes; i++) {
		const struct cw_route *r = &cfg->routes[i];
		if (!route_match(r->pattern, path, cap, caplen, &ncap) ||
		    !method_matches(r->method, method) || ncap >= best_n)
			continue;
		best = i;
		best_n = ncap;
		memcpy(c->best_cap, cap, sizeof cap);
		memcpy(c->best_len, caplen, sizeof caplen);
	}
	/* Kept for route_find_or_reply, which would find the same. */
	c->best = best;
	c->best_n = best >= 0 ? best_n : 0;
	if (best >= 0 && cfg->routes[best].max_body)
		return cfg->routes[best].max_body;
	return cfg->limits.max_body;
}

/* The log form of a path that a CW_ROUTE_SECRET_PATH route's pattern, up to its first
 * {capture}, begins: that beginning and "{redacted}"; NULL for any other path. Every
 * request under such a prefix is caught, whatever its method or tail, so a secret never
 * reaches the access log. */
static const char *secret_path_log(struct cw_arena *a, const struct cw_server_config *cfg,
				   const char *path)
{
	for (int i = 0; i < cfg->nroutes; i++) {
		const struct cw_route *r = &cfg->routes[i];
		const char *brace = strchr(r->pattern, '{');
		if (!(r->flags & CW_ROUTE_SECRET_PATH) || !brace)
			continue;
		size_t n = (size_t)(brace - r->pattern);
		if (strncmp(path, r->pattern, n) == 0 && path[n])
			return cw_arena_printf(a, "%.*s{redacted}", (int)n, r->pattern);
	}
	return NULL;
}

/* Answers an error the headers already show, on the first call: the body is not
 * read, and libmicrohttpd closes the connection after this response. Doing it now
 * also spares a client that sent Expect: 100-continue the upload. */
static enum MHD_Result reject(struct req_ctx *c, enum cw_ec ec)
{
	cw_reply_error(&c->req, ec, NULL);
	return queue_reply(c);
}

/* The first access call: set up the request from its headers. */
static void set_up(struct req_ctx *c, const char *url, const char *method)
{
	struct cw_req *req = &c->req;
	struct cw_arena *a = req->arena;
	c->set_up = true;
	req->method = cw_arena_strdup(a, method);
	req->path = cw_arena_strdup(a, url);
	c->log_method = log_safe(a, method, strlen(method), 16);
	const char *rid = cw_req_header(req, "X-Request-Id");
	if (valid_request_id(rid))
		snprintf(req->request_id, sizeof req->request_id, "%s", rid);
	else
		cw_random_hex(req->request_id, 8);
	req->lang = cw_lang_from_header(cw_req_header(req, "Accept-Language"));
	c->max_body = route_body_limit(c, &c->server->cfg, req->method, req->path);
	const char *secret = secret_path_log(a, &c->server->cfg, req->path);
	if (secret)
		c->log_path = secret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	(void)version;
	struct cw_server *s = cls;
	struct req_ctx *c = *con_cls;
	if (!c) /* not expected: the URI callback runs first */
		*con_cls = c = ctx_new(s, conn, url);
	const struct cw_server_limits *lim = &s->cfg.limits;

	/* DESIGN.md: queueing on this first call makes libmicrohttpd close the
	 * connection; only errors, which may close it, are answered here. */
	if (!c->set_up) {
		set_up(c, url, method);
		if (c->uri_len > lim->max_url)
			return reject(c, CW_EC_URI_TOO_LONG);
		const char *cl = cw_req_header(&c->req, "Content-Length");
		if (cl) {
			unsigned long long n = strtoull(cl, NULL, 10);
			if (n <= c->max_body)
				return MHD_YES;
			/* A client that asked to continue waits for us: answer now and
			 * spare it the upload. One that is already sending would see a
			 * reset instead of our answer if we closed now, so a body of
			 * reasonable size is read and dropped and the 413 sent after it. */
			const char *expect = cw_req_header(&c->req, "Expect");
			if ((expect && strcasecmp(expect, "100-continue") == 0) ||
			    n > discard_limit(c->max_body))
				return reject(c, CW_EC_PAYLOAD_TOO_LARGE);
			cw_reply_error(&c->req, CW_EC_PAYLOAD_TOO_LARGE, NULL);
		}
		return MHD_YES;
	}
	if (c->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (c->req.replied) {
			/* libmicrohttpd 0.9.75 takes a response only before the body or
			 * after all of it, so the 413 waits while the rest is dropped;
			 * a client that keeps sending loses the connection instead. */
			c->discarded += n;
			return c->discarded > discard_limit(c->max_body) ? MHD_NO : MHD_YES;
		}
		/* Chunked uploads have no Content-Length: the running total decides. */
		if (n > c->max_body - c->body.len) {
			cw_reply_error(&c->req, CW_EC_PAYLOAD_TOO_LARGE, NULL);
			c->discarded = n;
			return MHD_YES;
		}
		cw_buf_append(&c->body, upload_data, n);
		return MHD_YES;
	}
	if (!c->req.replied) {
		/* The request's work, in turn with the others (util/gate.h). */
		cw_gate_enter();
		dispatch(c);
		cw_gate_leave();
	}
	return queue_reply(c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct cw_server *s = cls;
	struct req_ctx *c = *con_cls;
	if (!c)
		return;
	*con_cls = NULL;
	struct cw_req *req = &c->req;
	double secs = cw_mono_seconds() - c->started;

	static const char *const ends[] = {
	    [MHD_REQUEST_TERMINATED_COMPLETED_OK] = "",
	    [MHD_REQUEST_TERMINATED_WITH_ERROR] = " end=error",
	    [MHD_REQUEST_TERMINATED_TIMEOUT_REACHED] = " end=timeout",
	    [MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN] = " end=shutdown",
	    [MHD_REQUEST_TERMINATED_READ_ERROR] = " end=read_error",
	    [MHD_REQUEST_TERMINATED_CLIENT_ABORT] = " end=client_abort",
	};
	const char *end = (size_t)toe < sizeof ends / sizeof ends[0] && ends[toe] ? ends[toe]
										 : " end=other";
	const char *user = req->user && req->user->username
			       ? log_safe(req->arena, req->user->username,
					  strlen(req->user->username), 64)
			       : "-";
	/* Never the query (it may carry api_key or tokens), body, cookies or headers. */
	cw_info("access rid=%s ip=%s method=%s path=%s status=%d code=%s ms=%.2f user=%s%s",
		req->request_id, req->source[0] ? req->source : "-", c->log_method, c->log_path,
		req->status, req->error_code ? req->error_code : "-", secs * 1000.0, user, end);
	/* Requests libmicrohttpd answered itself have no status of ours to count. */
	if (req->status)
		cw_metrics_observe(req->route_index, req->status, secs);

	for (struct held_json *h = c->docs; h; h = h->next)
		json_decref(h->doc);
	if (req->response)
		MHD_destroy_response(req->response);
	cw_buf_release(&c->body);
	cw_arena_free(req->arena);
	atomic_fetch_sub(&s->inflight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	(void)socket_context;
	cw_metrics_conn(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	cw_warn("libmicrohttpd: %s", msg);
}

/* ---- streaming replies ---- */

/* A stream's life: cw_reply_stream creates it with the response; libmicrohttpd calls
 * stream_read whenever the socket can take more; with nothing queued the reader
 * suspends the connection (under mu, so a writer either sees `suspended` and resumes
 * it, or queued its bytes before the reader looked). Two references keep it: the
 * response's (dropped by stream_done when the request is over, which marks it `done`)
 * and the caller's (cw_stream_release). A writer resumes only a suspended connection,
 * which cannot complete meanwhile, so the connection is valid whenever it is touched.
 * Lock order: streams_mu, then mu; stream_done takes mu alone and calls nobody, so
 * libmicrohttpd may run it under its own locks while a writer holds the caller's. */
struct cw_stream {
	pthread_mutex_t mu;
	struct cw_server *server;
	struct MHD_Connection *conn;
	struct cw_buf q; /* bytes not yet handed to libmicrohttpd, from q_off */
	size_t q_off, max;
	bool suspended, ended, cut, done;
	int refs;
	struct cw_stream *prev, *next; /* in server->streams while not done */
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct cw_stream *st = cls;
	ssize_t r;
	pthread_mutex_lock(&st->mu);
	size_t have = st->q.len - st->q_off;
	if (st->cut) {
		r = MHD_CONTENT_READER_END_WITH_ERROR;
	} else if (have) {
		size_t n = have < max ? have : max;
		memcpy(out, st->q.data + st->q_off, n);
		st->q_off += n;
		if (st->q_off == st->q.len)
			st->q.len = st->q_off = 0;
		r = (ssize_t)n;
	} else if (st->ended || atomic_load(&st->server->stopping)) {
		r = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Nothing to send: out of the event loop until a write resumes it. */
		st->suspended = true;
		MHD_suspend_connection(st->conn);
		r = 0;
	}
	pthread_mutex_unlock(&st->mu);
	return r;
}

/* Under st->mu. */
static void stream_wake(struct cw_stream *st)
{
	if (st->suspended && !st->done) {
		st->suspended = false;
		MHD_resume_connection(st->conn);
	}
}

/* Drops a reference; under st->mu, which it releases (and destroys with the last). */
static void stream_unref_locked(struct cw_stream *st)
{
	bool last = --st->refs == 0;
	pthread_mutex_unlock(&st->mu);
	if (!last)
		return;
	cw_buf_release(&st->q);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

static void stream_unlink(struct cw_stream *st)
{
	struct cw_server *s = st->server;
	pthread_mutex_lock(&s->streams_mu);
	if (st->prev)
		st->prev->next = st->next;
	else if (s->streams == st)
		s->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	st->prev = st->next = NULL;
	pthread_mutex_unlock(&s->streams_mu);
}

/* The response's free callback: the request is over. */
static void stream_done(void *cls)
{
	struct cw_stream *st = cls;
	stream_unlink(st);
	cw_metrics_stream(-1);
	pthread_mutex_lock(&st->mu);
	st->done = true;
	st->suspended = false;
	cw_buf_release(&st->q);
	st->q_off = 0;
	stream_unref_locked(st);
}

struct cw_stream *cw_reply_stream(struct cw_req *req, const char *content_type,
				  size_t max_queued)
{
	struct req_ctx *c = ctx_of(req);
	struct cw_stream *st = cw_xcalloc(1, sizeof *st);
	pthread_mutex_init(&st->mu, NULL);
	st->server = c->server;
	st->conn = req->conn;
	st->max = max_queued ? max_queued : 1u << 20;
	st->refs = 2;
	pthread_mutex_lock(&c->server->streams_mu);
	st->next = c->server->streams;
	if (st->next)
		st->next->prev = st;
	c->server->streams = st;
	pthread_mutex_unlock(&c->server->streams_mu);
	cw_metrics_stream(1);
	struct MHD_Response *resp =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st, stream_done);
	if (!resp) {
		stream_done(st);
		cw_stream_release(st);
		set_response(req, 200, NULL);
		return NULL;
	}
	cw_reply_header(req, "Content-Type", content_type);
	set_response(req, 200, resp);
	return st;
}

bool cw_stream_write(struct cw_stream *st, const char *data, size_t len)
{
	bool ok = false;
	pthread_mutex_lock(&st->mu);
	if (st->cut || st->ended || st->done) {
		/* gone already */
	} else if (len > st->max - (st->q.len - st->q_off)) {
		/* The client falls behind: cut it rather than queue without bound. */
		st->cut = true;
		cw_buf_release(&st->q);
		st->q_off = 0;
		stream_wake(st);
	} else {
		if (st->q_off && st->q_off == st->q.len)
			st->q.len = st->q_off = 0;
		cw_buf_append(&st->q, data, len);
		stream_wake(st);
		ok = true;
	}
	pthread_mutex_unlock(&st->mu);
	return ok;
}

void cw_stream_end(struct cw_stream *st)
{
	pthread_mutex_lock(&st->mu);
	st->ended = true;
	stream_wake(st);
	pthread_mutex_unlock(&st->mu);
}

bool cw_stream_open(struct cw_stream *st)
{
	pthread_mutex_lock(&st->mu);
	bool open = !st->cut && !st->ended && !st->done;
	pthread_mutex_unlock(&st->mu);
	return open;
}

void cw_stream_release(struct cw_stream *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mu);
	stream_unref_locked(st);
}

/* Draining: every open stream ends after what it has queued. The streams are held
 * (a reference each) and ended outside streams_mu, which stream_done takes. */
static void end_streams(struct cw_server *s)
{
	pthread_mutex_lock(&s->streams_mu);
	int n = 0;
	for (struct cw_stream *st = s->streams; st; st = st->next)
		n++;
	struct cw_stream **v = cw_xcalloc((size_t)n + 1, sizeof *v);
	n = 0;
	for (struct cw_stream *st = s->streams; st; st = st->next) {
		pthread_mutex_lock(&st->mu);
		st->refs++;
		pthread_mutex_unlock(&st->mu);
		v[n++] = st;
	}
	pthread_mutex_unlock(&s->streams_mu);
	for (int i = 0; i < n; i++) {
		cw_stream_end(v[i]);
		cw_stream_release(v[i]);
	}
	free(v);
}

/* ---- start and stop ---- */

/* "HOST:PORT" or "[IPV6]:PORT" into a socket address; the host may be a name. */
static bool listen_address(const char *listen, struct sockaddr_storage *ss, char *err,
			   size_t errlen)
{
	char host[256];
	const char *colon, *h = listen;
	size_t hl;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':') {
			snprintf(err, errlen, "listen address %s: expected [IPV6]:PORT", listen);
			return false;
		}
		h = listen + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon) {
			snprintf(err, errlen, "listen address %s: expected HOST:PORT", listen);
			return false;
		}
		hl = (size_t)(colon - listen);
	}
	int64_t port;
	if (hl == 0 || hl >= sizeof host || !cw_parse_int(colon + 1, 0, 65535, &port)) {
		snprintf(err, errlen, "listen address %s: expected HOST:PORT with a port 0-65535",
			 listen);
		return false;
	}
	memcpy(host, h, hl);
	host[hl] = 0;

	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "listen address %s: %s", listen, gai_strerror(rc));
		return false;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	return true;
}

static bool check_routes(const struct cw_server_config *cfg, char *err, size_t errlen)
{
	bool need_auth = false;
	for (int i = 0; i < cfg->nroutes; i++) {
		const struct cw_route *r = &cfg->routes[i];
		if (!r->method || !r->pattern || r->pattern[0] != '/' || !r->handler) {
			snprintf(err, errlen, "route %d: needs a method, a /pattern and a handler", i);
			return false;
		}
		int caps = 0;
		for (const char *p = r->pattern; (p = strchr(p, '{')); p++)
			caps++;
		if (caps > CW_MAX_PATH_PARAMS) {
			snprintf(err, errlen, "route %s %s: more than %d captures", r->method,
				 r->pattern, CW_MAX_PATH_PARAMS);
			return false;
		}
		if (!(r->flags & CW_ROUTE_PUBLIC))
			need_auth = true;
	}
	/* A missing hook must not turn protected routes public. */
	if (need_auth && !cfg->authenticate) {
		snprintf(err, errlen, "routes need authentication but no authenticate hook is set");
		return false;
	}
	if (cfg->nroutes > CW_METRICS_MAX_ROUTES)
		cw_warn("%d routes: metrics count those past %d as route=\"other\"", cfg->nroutes,
			CW_METRICS_MAX_ROUTES);
	return true;
}

struct cw_server *cw_server_start(const struct cw_server_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	if (!cfg->listen) {
		snprintf(err, errlen, "no listen address");
		return NULL;
	}
	if (!check_routes(cfg, err, errlen) ||
	    !listen_address(cfg->listen, &ss, err, errlen))
		return NULL;

	struct cw_server *s = cw_xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	struct cw_server_limits def = cw_server_limits_default();
	struct cw_server_limits *lim = &s->cfg.limits;
	if (!lim->max_body)
		lim->max_body = def.max_body;
	if (!lim->max_url)
		lim->max_url = def.max_url;
	if (!lim->conn_memory)
		lim->conn_memory = def.conn_memory;
	if (lim->max_json_depth <= 0)
		lim->max_json_depth = def.max_json_depth;
	unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : 8;
	atomic_init(&s->inflight, 0);
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->streams_mu, NULL);
	cw_metrics_init(cfg->routes, cfg->nroutes);

	/* MHD_USE_ITC: quiescing a daemon with internal threads needs it; suspend and
	 * resume keep idle streams (cw_reply_stream) off the pool's threads. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_access, s,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, (void *)NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, lim->conn_memory,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CW_CONN_TIMEOUT_S,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, (void *)s,
	    MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s (address in use or not local?)",
			 cfg->listen);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	return s;
}

unsigned short cw_server_port(const struct cw_server *s)
{
	return s->port;
}

void cw_server_shutdown(struct cw_server *s, int timeout_ms)
{
	if (!s)
		return;
	atomic_store(&s->stopping, true);
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	/* libmicrohttpd's threads may still hold the listening socket, so it is closed
	 * only after the daemon stops; shutting it down now refuses new connections
	 * (and those already in its backlog) instead of leaving them hanging. */
	if (fd != MHD_INVALID_SOCKET)
		shutdown(fd, SHUT_RDWR);
	end_streams(s);
	int64_t deadline = cw_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	while (atomic_load(&s->inflight) > 0 && cw_now_ms() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&s->inflight);
	if (left > 0)
		cw_warn("shutdown: %d requests still running after %d ms; closing them", left,
			timeout_ms);
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	pthread_mutex_destroy(&s->streams_mu);
	free(s);
}
