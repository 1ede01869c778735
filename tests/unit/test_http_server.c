/* test_http_server.c - the HTTP server end to end: a real libmicrohttpd daemon on
 * 127.0.0.1 (a free port), driven over plain sockets by a tiny HTTP/1.1 client. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/json.h"
#include "http/metrics.h"
#include "http/server.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/crypto.h"

#define MAX_BODY 1024
#define IO_TIMEOUT_S 5

/* ---- handlers (they run on the server's threads: no cmocka asserts here) ---- */

static atomic_int private_calls, sleep_started;

static void h_echo_get(struct cw_req *req)
{
	json_t *o = json_object();
	const char *q = cw_req_query(req, "q");
	json_object_set_new(o, "q", q ? json_string(q) : json_null());
	json_object_set_new(o, "rid", json_string(req->request_id));
	cw_reply_json(req, 200, o);
}

static void h_echo_post(struct cw_req *req)
{
	const char *msg;
	int64_t n = 0;
	struct cw_jfield spec[] = {
	    CW_JSTR("msg", true, 20, &msg),
	    CW_JINT("n", false, 0, 10, &n),
	    CW_JEND,
	};
	if (!cw_json_parse_or_reply(req, spec))
		return;
	cw_reply_json(req, 200, json_pack("{s:s, s:I}", "msg", msg, "n", (json_int_t)n));
}

static void h_region(struct cw_req *req)
{
	cw_reply_header(req, "ETag", "\"r1\"");
	cw_reply_json(req, 200, json_pack("{s:s}", "code", cw_req_param(req, 0)));
}

static void h_region_put(struct cw_req *req)
{
	cw_reply_empty(req, 204);
}

static void h_grid(struct cw_req *req)
{
	cw_reply_json(req, 200, json_pack("{s:s, s:s}", "route", "grid", "code",
					  cw_req_param(req, 0)));
}

static void h_locate(struct cw_req *req)
{
	cw_reply_json(req, 200, json_pack("{s:s, s:i}", "route", "locate", "n", req->nparams));
}

static void h_action(struct cw_req *req)
{
	cw_reply_json(req, 200, json_pack("{s:s, s:s}", "id", cw_req_param(req, 0), "action",
					  cw_req_param(req, 1)));
}

static void h_upload(struct cw_req *req)
{
	cw_reply_json(req, 200, json_pack("{s:I}", "len", (json_int_t)req->body_len));
}

static void h_private(struct cw_req *req)
{
	atomic_fetch_add(&private_calls, 1);
	cw_reply_json(req, 200, json_pack("{s:s}", "user", req->user->username));
}

static void h_sleep(struct cw_req *req)
{
	atomic_store(&sleep_started, 1);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	cw_reply_text(req, 200, "text/plain; charset=utf-8", "slept", 5);
}

static void h_no_reply(struct cw_req *req)
{
	(void)req;
}

static void h_metrics(struct cw_req *req)
{
	struct cw_buf b = {0};
	cw_metrics_render(&b);
	cw_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", cw_buf_str(&b),
		      b.len);
	cw_buf_release(&b);
}

static bool authenticate(struct cw_req *req)
{
	const char *who = cw_req_header(req, "X-Test-User");
	if (!who || strcmp(who, "alice") != 0) {
		cw_reply_error(req, CW_EC_AUTH_REQUIRED, NULL);
		return false;
	}
	struct cw_principal *p = cw_arena_alloc(req->arena, sizeof *p);
	p->username = "alice";
	req->user = p;
	return true;
}

static bool fallback(struct cw_req *req)
{
	if (strncmp(req->path, "/static/", 8) != 0)
		return false;
	cw_reply_header(req, "Cache-Control", "max-age=60");
	cw_reply_text(req, 200, "text/plain", "static", 6);
	return true;
}

static const struct cw_route routes[] = {
    {"GET", "/echo", h_echo_get, CW_ROUTE_PUBLIC},
    {"POST", "/echo", h_echo_post, CW_ROUTE_PUBLIC},
    {"GET", "/api/v1/regions/{code}", h_region, CW_ROUTE_PUBLIC},
    {"PUT", "/api/v1/regions/{code}", h_region_put, CW_ROUTE_PUBLIC},
    /* The capture comes first in the table; the literal must still win. */
    {"GET", "/api/v1/grids/{code}", h_grid, CW_ROUTE_PUBLIC},
    {"GET", "/api/v1/grids/locate", h_locate, CW_ROUTE_PUBLIC},
    {"POST", "/api/v1/cases/{id}/actions/{action}", h_action, CW_ROUTE_PUBLIC},
    {"GET", "/api/v1/private", h_private, 0},
    {"GET", "/sleep", h_sleep, CW_ROUTE_PUBLIC},
    {"GET", "/noreply", h_no_reply, CW_ROUTE_PUBLIC},
    {"GET", "/metrics", h_metrics, CW_ROUTE_PUBLIC},
    /* A route with a body limit of its own; the literal beside it keeps the server's. */
    {"POST", "/upload/{name}", h_upload, CW_ROUTE_PUBLIC, 4 * MAX_BODY},
    {"POST", "/upload/small", h_upload, CW_ROUTE_PUBLIC},
};

static struct cw_server *start_server(void)
{
	struct cw_server_config cfg = {
	    .listen = "127.0.0.1:0",
	    .threads = 2,
	    .limits = cw_server_limits_default(),
	    .routes = routes,
	    .nroutes = (int)(sizeof routes / sizeof routes[0]),
	    .authenticate = authenticate,
	    .fallback = fallback,
	};
	cfg.limits.max_body = MAX_BODY;
	char err[256];
	struct cw_server *s = cw_server_start(&cfg, err, sizeof err);
	if (!s)
		fprintf(stderr, "cw_server_start: %s\n", err);
	return s;
}

/* ---- a tiny blocking HTTP/1.1 client ---- */

struct client {
	int fd;
	size_t len;
	char buf[1 << 17];
};

struct resp {
	int status;
	char head[1 << 16];
	char *body;
	size_t body_len;
};

static struct cw_server *server;
static unsigned short port;

static int connect_to(unsigned short p)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {IO_TIMEOUT_S, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct client *client_open(void)
{
	struct client *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->fd = connect_to(port);
	assert_true(c->fd >= 0);
	return c;
}

static void client_close(struct client *c)
{
	close(c->fd);
	free(c);
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void resp_free(struct resp *r)
{
	free(r->body);
	free(r);
}

/* Reads one response; NULL on a closed connection or a timeout. Bodies are read by
 * Content-Length, or to the end of the connection without one. */
static struct resp *read_response(struct client *c, bool head_request)
{
	struct resp *r = calloc(1, sizeof *r);
	char *end;
	while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
		ssize_t n = c->len < sizeof c->buf
				? recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0)
				: -1;
		if (n <= 0) {
			free(r);
			return NULL;
		}
		c->len += (size_t)n;
	}
	size_t hlen = (size_t)(end - c->buf) + 4;
	if (hlen >= sizeof r->head) {
		free(r);
		return NULL;
	}
	memcpy(r->head, c->buf, hlen);
	r->head[hlen] = 0;
	memmove(c->buf, c->buf + hlen, c->len - hlen);
	c->len -= hlen;
	sscanf(r->head, "HTTP/1.%*d %d", &r->status);

	const char *cl = strcasestr(r->head, "\r\nContent-Length:");
	bool to_eof = !cl && !head_request;
	size_t want = cl && !head_request ? strtoul(cl + 17, NULL, 10) : 0;
	while (to_eof || c->len < want) {
		if (c->len == sizeof c->buf)
			break;
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
		if (n <= 0)
			break;
		c->len += (size_t)n;
	}
	if (to_eof)
		want = c->len;
	if (c->len < want) {
		free(r);
		return NULL;
	}
	r->body = malloc(want + 1);
	memcpy(r->body, c->buf, want);
	r->body[want] = 0;
	r->body_len = want;
	memmove(c->buf, c->buf + want, c->len - want);
	c->len -= want;
	return r;
}

/* The value of a response header (first one), in a static buffer; NULL if absent. */
static const char *header(const struct resp *r, const char *name)
{
	static char value[1024];
	char pat[128];
	snprintf(pat, sizeof pat, "\r\n%s:", name);
	const char *p = strcasestr(r->head, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, "\r");
	if (n >= sizeof value)
		n = sizeof value - 1;
	memcpy(value, p, n);
	value[n] = 0;
	return value;
}

static struct resp *request(struct client *c, const char *method, const char *target,
			    const char *headers, const char *body)
{
	struct cw_buf b = {0};
	cw_buf_printf(&b, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s", method, target,
		      headers ? headers : "");
	if (body)
		cw_buf_printf(&b, "Content-Length: %zu\r\n", strlen(body));
	cw_buf_puts(&b, "\r\n");
	if (body)
		cw_buf_puts(&b, body);
	bool sent = send_all(c->fd, b.data, b.len);
	cw_buf_release(&b);
	return sent ? read_response(c, strcmp(method, "HEAD") == 0) : NULL;
}

/* One request on a fresh connection. */
static struct resp *fetch(const char *method, const char *target, const char *headers,
			  const char *body)
{
	struct client *c = client_open();
	struct resp *r = request(c, method, target, headers, body);
	client_close(c);
	return r;
}

static json_t *body_json(const struct resp *r)
{
	json_error_t e;
	json_t *j = json_loadb(r->body, r->body_len, 0, &e);
	if (!j)
		fprintf(stderr, "not JSON (%s): %s\n", e.text, r->body);
	return j;
}

static void assert_error(const struct resp *r, int status, const char *code, const char *field)
{
	assert_non_null(r);
	assert_int_equal(r->status, status);
	assert_non_null(header(r, "Content-Type"));
	assert_string_equal(header(r, "Content-Type"), "application/json; charset=utf-8");
	json_t *j = body_json(r);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "code")), code);
	assert_non_null(json_string_value(json_object_get(j, "message")));
	if (field)
		assert_string_equal(json_string_value(json_object_get(j, "field")), field);
	else
		assert_null(json_object_get(j, "field"));
	json_decref(j);
}

static int group_setup(void **state)
{
	(void)state;
	if (cw_crypto_init() != 0)
		return -1;
	server = start_server();
	if (!server)
		return -1;
	port = cw_server_port(server);
	return port ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	cw_server_shutdown(server, 2000);
	return 0;
}

/* ---- tests ---- */

static void test_keep_alive(void **state)
{
	(void)state;
	struct client *c = client_open();
	for (int i = 0; i < 3; i++) {
		struct resp *r = request(c, "GET", "/echo?q=hi", NULL, NULL);
		assert_non_null(r); /* answered on the same connection */
		assert_int_equal(r->status, 200);
		const char *conn = header(r, "Connection");
		assert_false(conn && strcasecmp(conn, "close") == 0);
		json_t *j = body_json(r);
		assert_string_equal(json_string_value(json_object_get(j, "q")), "hi");
		json_decref(j);
		resp_free(r);
	}
	client_close(c);
}

static void test_security_headers(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/api/v1/regions/340600000000", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_string_equal(header(r, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(header(r, "X-Frame-Options"), "DENY");
	assert_string_equal(header(r, "Referrer-Policy"), "same-origin");
	assert_string_equal(header(r, "Cache-Control"), "no-store");
	assert_string_equal(header(r, "ETag"), "\"r1\"");
	resp_free(r);
	/* Outside /api the default is left to the handler. */
	r = fetch("GET", "/echo", NULL, NULL);
	assert_null(header(r, "Cache-Control"));
	assert_string_equal(header(r, "X-Frame-Options"), "DENY");
	resp_free(r);
}

static void test_not_found(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/api/v1/nothing", NULL, NULL);
	assert_error(r, 404, "ROUTE_NOT_FOUND", NULL);
	assert_string_equal(header(r, "Cache-Control"), "no-store");
	resp_free(r);
	/* Trailing slashes and empty captures are different paths. */
	r = fetch("GET", "/echo/", NULL, NULL);
	assert_error(r, 404, "ROUTE_NOT_FOUND", NULL);
	resp_free(r);
	r = fetch("GET", "/api/v1/regions/", NULL, NULL);
	assert_error(r, 404, "ROUTE_NOT_FOUND", NULL);
	resp_free(r);
}

static void test_method_not_allowed(void **state)
{
	(void)state;
	struct resp *r = fetch("DELETE", "/api/v1/regions/340600000000", NULL, NULL);
	assert_error(r, 405, "METHOD_NOT_ALLOWED", NULL);
	assert_string_equal(header(r, "Allow"), "GET, HEAD, PUT");
	resp_free(r);
	r = fetch("PUT", "/echo", NULL, "{}");
	assert_error(r, 405, "METHOD_NOT_ALLOWED", NULL);
	assert_string_equal(header(r, "Allow"), "GET, HEAD, POST");
	resp_free(r);
}

static void test_head_is_served_by_get(void **state)
{
	(void)state;
	struct resp *r = fetch("HEAD", "/api/v1/regions/340600000000", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_int_equal(r->body_len, 0);
	resp_free(r);
}

static void test_path_captures(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/api/v1/regions/340600000000", NULL, NULL);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "340600000000");
	json_decref(j);
	resp_free(r);

	/* Captures arrive URL-decoded. */
	r = fetch("GET", "/api/v1/regions/%E6%B7%AE%E5%8C%97", NULL, NULL);
	assert_int_equal(r->status, 200);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "淮北");
	json_decref(j);
	resp_free(r);

	r = fetch("POST", "/api/v1/cases/42/actions/dispatch", NULL, "{}");
	assert_int_equal(r->status, 200);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "42");
	assert_string_equal(json_string_value(json_object_get(j, "action")), "dispatch");
	json_decref(j);
	resp_free(r);

	/* A literal segment beats a capture, whatever the table order. */
	r = fetch("GET", "/api/v1/grids/locate", NULL, NULL);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "route")), "locate");
	json_decref(j);
	resp_free(r);
	r = fetch("GET", "/api/v1/grids/340603001001001", NULL, NULL);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "route")), "grid");
	json_decref(j);
	resp_free(r);
}

static void test_authentication_hook(void **state)
{
	(void)state;
	int before = atomic_load(&private_calls);
	struct resp *r = fetch("GET", "/api/v1/private", NULL, NULL);
	assert_error(r, 401, "AUTH_REQUIRED", NULL);
	resp_free(r);
	assert_int_equal(atomic_load(&private_calls), before); /* the handler never ran */

	r = fetch("GET", "/api/v1/private", "X-Test-User: alice\r\n", NULL);
	assert_int_equal(r->status, 200);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "user")), "alice");
	json_decref(j);
	resp_free(r);
	assert_int_equal(atomic_load(&private_calls), before + 1);
}

static void test_payload_too_large_by_content_length(void **state)
{
	(void)state;
	/* A client that sends a body over the limit in full reads the 413 after it:
	 * the server drops the body rather than closing on a client still sending. */
	struct client *c = client_open();
	char req[256];
	snprintf(req, sizeof req,
		 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Content-Length: %d\r\n\r\n",
		 MAX_BODY + 1);
	assert_true(send_all(c->fd, req, strlen(req)));
	char *over = malloc(MAX_BODY + 1);
	memset(over, ' ', MAX_BODY + 1);
	assert_true(send_all(c->fd, over, MAX_BODY + 1));
	free(over);
	struct resp *r = read_response(c, false);
	assert_error(r, 413, "PAYLOAD_TOO_LARGE", NULL);
	resp_free(r);
	client_close(c);

	/* A declared length beyond what the server will read for nothing is answered
	 * at once, from the headers alone. */
	c = client_open();
	snprintf(req, sizeof req,
		 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Content-Length: 1000000000\r\n\r\n");
	assert_true(send_all(c->fd, req, strlen(req)));
	r = read_response(c, false);
	assert_error(r, 413, "PAYLOAD_TOO_LARGE", NULL);
	resp_free(r);
	client_close(c);

	/* Even with Expect: 100-continue the answer is 413, not an invitation. */
	c = client_open();
	snprintf(req, sizeof req,
		 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Expect: 100-continue\r\nContent-Length: 10000000\r\n\r\n");
	assert_true(send_all(c->fd, req, strlen(req)));
	r = read_response(c, false);
	assert_error(r, 413, "PAYLOAD_TOO_LARGE", NULL);
	resp_free(r);
	client_close(c);

	/* At the limit is fine (and invalid JSON for this handler's spec). */
	char *body = malloc(MAX_BODY + 1);
	memset(body, ' ', MAX_BODY);
	body[MAX_BODY] = 0;
	r = fetch("POST", "/echo", "Content-Type: application/json\r\n", body);
	assert_error(r, 400, "INVALID_JSON", NULL);
	resp_free(r);
	free(body);
}

static void test_payload_too_large_chunked(void **state)
{
	(void)state;
	const char *head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n";
	char chunk[700];
	snprintf(chunk, sizeof chunk, "258\r\n%0600d\r\n", 0); /* 0x258 = 600 bytes */

	/* No Content-Length: the running total passes the limit on the second chunk;
	 * the rest is dropped unread and the answer is 413. */
	struct client *c = client_open();
	assert_true(send_all(c->fd, head, strlen(head)));
	for (int i = 0; i < 3; i++)
		assert_true(send_all(c->fd, chunk, strlen(chunk)));
	assert_true(send_all(c->fd, "0\r\n\r\n", 5));
	struct resp *r = read_response(c, false);
	assert_error(r, 413, "PAYLOAD_TOO_LARGE", NULL);
	resp_free(r);
	client_close(c);

	/* A client that goes on sending past what the server drops for nothing
	 * (16 MiB here) is cut off. */
	size_t big_len = 0x10000 + 16;
	char *big = malloc(big_len);
	int w = snprintf(big, big_len, "10000\r\n");
	memset(big + w, 'x', 0x10000);
	memcpy(big + w + 0x10000, "\r\n", 2);
	big_len = (size_t)w + 0x10000 + 2;
	c = client_open();
	assert_true(send_all(c->fd, head, strlen(head)));
	bool cut = false;
	for (int i = 0; i < 400 && !cut; i++) /* up to 25 MiB */
		cut = !send_all(c->fd, big, big_len);
	free(big);
	assert_true(cut);
	r = read_response(c, false);
	assert_null(r);
	client_close(c);
}

static json_int_t upload_len(struct resp *r)
{
	assert_non_null(r);
	assert_int_equal(r->status, 200);
	json_t *j = body_json(r);
	json_int_t n = json_integer_value(json_object_get(j, "len"));
	json_decref(j);
	resp_free(r);
	return n;
}

static void test_route_body_limit(void **state)
{
	(void)state;
	char *body = malloc(4 * MAX_BODY + 2);
	memset(body, 'x', 4 * MAX_BODY + 1);
	body[4 * MAX_BODY + 1] = 0;
	/* Over the server's limit but within the route's. */
	body[3 * MAX_BODY] = 0;
	assert_int_equal(upload_len(fetch("POST", "/upload/a", "", body)), 3 * MAX_BODY);
	body[3 * MAX_BODY] = 'x';
	body[4 * MAX_BODY] = 0;
	assert_int_equal(upload_len(fetch("POST", "/upload/a", "", body)), 4 * MAX_BODY);
	/* One byte over the route's limit; and the literal route, which wins the match,
	 * has the server's. */
	body[4 * MAX_BODY] = 'x';
	struct resp *r = fetch("POST", "/upload/a", "", body);
	assert_error(r, 413, "PAYLOAD_TOO_LARGE", NULL);
	resp_free(r);
	body[2 * MAX_BODY] = 0;
	r = fetch("POST", "/upload/small", "", body);
	assert_error(r, 413, "PAYLOAD_TOO_LARGE", NULL);
	resp_free(r);
	free(body);

	/* Chunked: the running total is held to the route's limit too. */
	const char *head = "POST /upload/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	char chunk[700];
	snprintf(chunk, sizeof chunk, "258\r\n%0600d\r\n", 0); /* 600 bytes */
	struct client *c = client_open();
	assert_true(send_all(c->fd, head, strlen(head)));
	for (int i = 0; i < 3; i++)
		assert_true(send_all(c->fd, chunk, strlen(chunk)));
	assert_true(send_all(c->fd, "0\r\n\r\n", 5));
	assert_int_equal(upload_len(read_response(c, false)), 1800);
	client_close(c);
}

static void test_uri_too_long(void **state)
{
	(void)state;
	size_t n = cw_server_limits_default().max_url + 10;
	char *target = malloc(n + 1);
	memcpy(target, "/echo?q=", 8);
	memset(target + 8, 'a', n - 8);
	target[n] = 0;
	struct resp *r = fetch("GET", target, NULL, NULL);
	assert_error(r, 414, "URI_TOO_LONG", NULL);
	resp_free(r);
	free(target);
}

/* Sends a request whose headers are far beyond the connection memory, reading at
 * the same time: the server answers before it has read everything and closes. */
static void test_huge_header_gets_4xx(void **state)
{
	(void)state;
	size_t big = 64 << 10;
	struct cw_buf b = {0};
	cw_buf_puts(&b, "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ");
	for (size_t i = 0; i < big; i++)
		cw_buf_putc(&b, 'a');
	cw_buf_puts(&b, "\r\n\r\n");

	struct client *c = client_open();
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	size_t off = 0;
	int64_t deadline = cw_now_ms() + IO_TIMEOUT_S * 1000;
	bool closed = false;
	while (!closed && cw_now_ms() < deadline && !memmem(c->buf, c->len, "\r\n\r\n", 4)) {
		struct pollfd p = {c->fd, POLLIN | (off < b.len ? POLLOUT : 0), 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & POLLIN) {
			ssize_t k = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
			if (k <= 0)
				closed = true;
			else
				c->len += (size_t)k;
		} else if (p.revents & POLLOUT) {
			ssize_t k = send(c->fd, b.data + off, b.len - off, MSG_NOSIGNAL);
			if (k > 0)
				off += (size_t)k;
		} else if (p.revents & (POLLERR | POLLHUP)) {
			closed = true;
		}
	}
	cw_buf_release(&b);
	int status = 0;
	sscanf(c->buf, "HTTP/1.%*d %d", &status);
	client_close(c);
	assert_true(status >= 400 && status <= 499);

	/* And the server is still serving. */
	struct resp *r = fetch("GET", "/echo", NULL, NULL);
	assert_int_equal(r->status, 200);
	resp_free(r);
}

static bool is_hex16(const char *s)
{
	if (!s || strlen(s) != 16)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

static void test_request_id(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/echo", "X-Request-Id: abc-123.X_y\r\n", NULL);
	assert_string_equal(header(r, "X-Request-Id"), "abc-123.X_y");
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "rid")), "abc-123.X_y");
	json_decref(j);
	resp_free(r);

	char id64[65], h[100];
	memset(id64, 'Z', 64);
	id64[64] = 0;
	snprintf(h, sizeof h, "X-Request-Id: %s\r\n", id64);
	r = fetch("GET", "/echo", h, NULL);
	assert_string_equal(header(r, "X-Request-Id"), id64);
	resp_free(r);

	static const char *const bad[] = {"X-Request-Id: has space\r\n",
					  "X-Request-Id: semi;colon\r\n",
					  "X-Request-Id: " /* 65 chars */
					  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					  "\r\n",
					  NULL};
	for (int i = 0; i < 4; i++) {
		r = fetch("GET", "/echo", bad[i], NULL);
		assert_true(is_hex16(header(r, "X-Request-Id")));
		resp_free(r);
	}
	/* Error replies carry it too. */
	r = fetch("GET", "/nothing/here", "X-Request-Id: err-1\r\n", NULL);
	assert_string_equal(header(r, "X-Request-Id"), "err-1");
	resp_free(r);
}

static void test_accept_language(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/nothing", "Accept-Language: en-US,en;q=0.9\r\n", NULL);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "message")), "No such endpoint");
	json_decref(j);
	resp_free(r);
	r = fetch("GET", "/nothing", NULL, NULL);
	j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "message")),
			    "请求的地址不存在");
	json_decref(j);
	resp_free(r);
}

static void test_json_bodies(void **state)
{
	(void)state;
	struct resp *r = fetch("POST", "/echo", "Content-Type: text/plain\r\n", "{\"msg\":\"a\"}");
	assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE", NULL);
	resp_free(r);
	r = fetch("POST", "/echo", NULL, "{\"msg\":\"a\"}");
	assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE", NULL);
	resp_free(r);
	r = fetch("POST", "/echo", "Content-Type: application/jsonp\r\n", "{\"msg\":\"a\"}");
	assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE", NULL);
	resp_free(r);

	r = fetch("POST", "/echo", "Content-Type: Application/JSON; charset=UTF-8\r\n",
		  "{\"msg\":\"你好\",\"n\":3}");
	assert_int_equal(r->status, 200);
	json_t *j = body_json(r);
	/* UTF-8 out, not \u escapes. */
	assert_non_null(strstr(r->body, "你好"));
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 3);
	json_decref(j);
	resp_free(r);

	r = fetch("POST", "/echo", "Content-Type: application/json\r\n", NULL);
	assert_error(r, 400, "INVALID_JSON", NULL);
	resp_free(r);
	r = fetch("POST", "/echo", "Content-Type: application/json\r\n", "{\"n\":3}");
	assert_error(r, 400, "MISSING_FIELD", "msg");
	resp_free(r);
	r = fetch("POST", "/echo", "Content-Type: application/json\r\n",
		  "{\"msg\":\"a\",\"n\":11}");
	assert_error(r, 400, "INVALID_FIELD", "n");
	resp_free(r);
	r = fetch("POST", "/echo", "Content-Type: application/json\r\n",
		  "{\"msg\":\"a\",\"admin\":true}");
	assert_error(r, 400, "UNKNOWN_FIELD", "admin");
	resp_free(r);
	r = fetch("POST", "/echo", "Content-Type: application/json\r\n", "{\"msg\":\"\xff\"}");
	assert_error(r, 400, "INVALID_UTF8", NULL);
	resp_free(r);
	r = fetch("POST", "/echo", "Content-Type: application/json\r\n",
		  "{\"msg\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}");
	assert_error(r, 400, "JSON_TOO_DEEP", NULL);
	resp_free(r);
}

static void test_query_must_be_utf8(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/echo?q=%C0%AF", NULL, NULL);
	assert_error(r, 400, "INVALID_UTF8", "q");
	resp_free(r);
	r = fetch("GET", "/echo?q=%E6%B7%AE", NULL, NULL);
	assert_int_equal(r->status, 200);
	json_t *j = body_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "q")), "淮");
	json_decref(j);
	resp_free(r);
	r = fetch("GET", "/api/v1/regions/%FF", NULL, NULL);
	assert_error(r, 400, "INVALID_UTF8", NULL);
	resp_free(r);
}

static void test_handler_without_reply_is_500(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/noreply", NULL, NULL);
	assert_error(r, 500, "INTERNAL", NULL);
	resp_free(r);
	/* And the server keeps going. */
	r = fetch("GET", "/echo", NULL, NULL);
	assert_int_equal(r->status, 200);
	resp_free(r);
}

static void test_fallback(void **state)
{
	(void)state;
	struct resp *r = fetch("GET", "/static/app.js", NULL, NULL);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "static");
	assert_string_equal(header(r, "Cache-Control"), "max-age=60");
	assert_string_equal(header(r, "X-Content-Type-Options"), "nosniff");
	resp_free(r);
	r = fetch("POST", "/static/app.js", NULL, "x");
	assert_error(r, 404, "ROUTE_NOT_FOUND", NULL);
	resp_free(r);
}

static bool metrics_contain(const char *const *want, int n)
{
	/* Counters move when a response completes, just after the client has it. */
	for (int attempt = 0; attempt < 50; attempt++) {
		struct resp *r = fetch("GET", "/metrics", NULL, NULL);
		bool all = r && r->status == 200;
		for (int i = 0; all && i < n; i++)
			if (!strstr(r->body, want[i])) {
				all = false;
				if (attempt == 49)
					fprintf(stderr, "missing: %s\n%s", want[i], r->body);
			}
		if (r)
			resp_free(r);
		if (all)
			return true;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_metrics(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		resp_free(fetch("GET", "/api/v1/regions/340600000000", NULL, NULL));
	resp_free(fetch("GET", "/no/such/route", NULL, NULL));
	static const char *const want[] = {
	    "# TYPE civicgrid_http_requests_total counter\n",
	    "civicgrid_http_requests_total{route=\"GET /api/v1/regions/{code}\",status=\"200\"} ",
	    "civicgrid_http_requests_total{route=\"unmatched\",status=\"404\"} ",
	    "# TYPE civicgrid_http_request_duration_seconds histogram\n",
	    "civicgrid_http_request_duration_seconds_bucket{route=\"GET /api/v1/regions/{code}\","
	    "le=\"0.005\"} ",
	    "civicgrid_http_request_duration_seconds_bucket{route=\"GET /api/v1/regions/{code}\","
	    "le=\"+Inf\"} ",
	    "civicgrid_http_request_duration_seconds_sum{route=\"GET /api/v1/regions/{code}\"} ",
	    "civicgrid_http_request_duration_seconds_count{route=\"GET /api/v1/regions/{code}\"} ",
	    "# TYPE civicgrid_http_open_connections gauge\ncivicgrid_http_open_connections ",
	    "civicgrid_process_start_time_seconds ",
	};
	assert_true(metrics_contain(want, (int)(sizeof want / sizeof want[0])));

	/* The counter is at least the 3 requests above (other tests add more). */
	struct resp *r = fetch("GET", "/metrics", NULL, NULL);
	const char *p = strstr(r->body, want[1]);
	assert_non_null(p);
	assert_true(strtoull(p + strlen(want[1]), NULL, 10) >= 3);
	/* Routes nobody called have no counter lines. */
	assert_null(strstr(r->body, "route=\"PUT /api/v1/regions/{code}\""));
	resp_free(r);
}

static void test_metrics_render_escapes_labels(void **state)
{
	(void)state;
	/* A separate table: metrics are global, so this runs after the server's checks
	 * and the server's own labels are restored by re-initialising below. */
	static const struct cw_route odd[] = {
	    {"GET", "/a\"b\\c\nd", h_echo_get, CW_ROUTE_PUBLIC},
	};
	cw_metrics_init(odd, 1);
	cw_metrics_observe(0, 200, 0.003);
	cw_metrics_observe(0, 200, 0.7);
	cw_metrics_observe(-1, 404, 0.0001);
	struct cw_buf b = {0};
	cw_metrics_render(&b);
	const char *txt = cw_buf_str(&b);
	assert_non_null(strstr(txt, "civicgrid_http_requests_total{route=\"GET /a\\\"b\\\\c\\nd\","
				    "status=\"200\"} 2\n"));
	assert_non_null(strstr(txt, "{route=\"GET /a\\\"b\\\\c\\nd\",le=\"0.0025\"} 0\n"));
	assert_non_null(strstr(txt, "{route=\"GET /a\\\"b\\\\c\\nd\",le=\"0.005\"} 1\n"));
	assert_non_null(strstr(txt, "{route=\"GET /a\\\"b\\\\c\\nd\",le=\"0.5\"} 1\n"));
	assert_non_null(strstr(txt, "{route=\"GET /a\\\"b\\\\c\\nd\",le=\"1\"} 2\n"));
	assert_non_null(strstr(txt, "{route=\"GET /a\\\"b\\\\c\\nd\",le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(txt, "_count{route=\"GET /a\\\"b\\\\c\\nd\"} 2\n"));
	assert_non_null(strstr(txt, "{route=\"unmatched\",status=\"404\"} 1\n"));
	/* Every line is a comment or "name{labels} value": no raw newline in a label. */
	for (const char *line = txt; *line; line = strchr(line, '\n') + 1) {
		assert_true(line[0] == '#' || strncmp(line, "civicgrid_", 10) == 0);
		assert_non_null(strchr(line, '\n'));
	}
	cw_buf_release(&b);
	cw_metrics_init(routes, (int)(sizeof routes / sizeof routes[0]));
}

/* Captures stderr (where cw_log writes) into a file while fn runs. */
static char *capture_log(void (*fn)(void), const char *wait_for)
{
	char path[] = "/tmp/cw-http-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	fn();
	/* The access line is written when the response completes: wait for it. */
	char *text = NULL;
	for (int attempt = 0; attempt < 100; attempt++) {
		fflush(stderr);
		off_t n = lseek(fd, 0, SEEK_END);
		free(text);
		text = calloc(1, (size_t)n + 1);
		if (pread(fd, text, (size_t)n, 0) < 0)
			text[0] = 0;
		if (strstr(text, wait_for))
			break;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	unlink(path);
	return text;
}

static void send_secret_request(void)
{
	resp_free(fetch("GET", "/api/v1/private?api_key=SECRET-KEY&x=%0Aforged",
			"X-Request-Id: log-test-1\r\nX-Test-User: alice\r\n"
			"Cookie: cw_session=SECRET-COOKIE\r\nAuthorization: Bearer SECRET-TOKEN\r\n",
			NULL));
}

static void send_error_request(void)
{
	resp_free(fetch("GET", "/nope%0Ainjected", "X-Request-Id: log-test-2\r\n", NULL));
}

static void test_access_log(void **state)
{
	(void)state;
	char *log = capture_log(send_secret_request, "rid=log-test-1");
	const char *line = strstr(log, "access rid=log-test-1 ");
	assert_non_null(line);
	assert_non_null(strstr(line, " ip=127.0.0.1 method=GET path=/api/v1/private status=200 "
				     "code=- ms="));
	assert_non_null(strstr(line, " user=alice"));
	/* Nothing of the query, cookies or tokens. */
	assert_null(strstr(log, "SECRET"));
	assert_null(strstr(log, "forged"));
	free(log);

	log = capture_log(send_error_request, "rid=log-test-2");
	line = strstr(log, "access rid=log-test-2 ");
	assert_non_null(line);
	/* A newline in the path cannot start a forged line. */
	assert_non_null(strstr(line, " path=/nope%0Ainjected status=404 code=ROUTE_NOT_FOUND "));
	assert_non_null(strstr(line, " user=-"));
	free(log);
}

/* ---- shutdown drains in-flight requests ---- */

struct slow_call {
	unsigned short port;
	int status;
	char body[16];
	bool conn_close;
	atomic_bool done;
};

static void *slow_client(void *arg)
{
	struct slow_call *sc = arg;
	struct client *c = calloc(1, sizeof *c);
	c->fd = connect_to(sc->port);
	if (c->fd >= 0) {
		struct resp *r = request(c, "GET", "/sleep", NULL, NULL);
		if (r) {
			sc->status = r->status;
			snprintf(sc->body, sizeof sc->body, "%s", r->body);
			const char *conn = header(r, "Connection");
			sc->conn_close = conn && strcasecmp(conn, "close") == 0;
			resp_free(r);
		}
		close(c->fd);
	}
	free(c);
	atomic_store(&sc->done, true);
	return NULL;
}

struct shutdown_call {
	struct cw_server *s;
	int64_t waited_ms;
};

static void *shutdown_thread(void *arg)
{
	struct shutdown_call *sd = arg;
	int64_t t0 = cw_now_ms();
	cw_server_shutdown(sd->s, 5000);
	sd->waited_ms = cw_now_ms() - t0;
	return NULL;
}

static void test_shutdown_drains(void **state)
{
	(void)state;
	struct cw_server *s = start_server();
	assert_non_null(s);
	struct slow_call sc = {.port = cw_server_port(s)};
	atomic_store(&sleep_started, 0);
	pthread_t client, stopper;
	assert_int_equal(pthread_create(&client, NULL, slow_client, &sc), 0);
	int64_t deadline = cw_now_ms() + IO_TIMEOUT_S * 1000;
	while (!atomic_load(&sleep_started) && cw_now_ms() < deadline) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&sleep_started));

	struct shutdown_call sd = {.s = s};
	assert_int_equal(pthread_create(&stopper, NULL, shutdown_thread, &sd), 0);
	/* While the slow request drains, new connections are refused, not left hanging. */
	bool refused = false;
	while (!refused && !atomic_load(&sc.done) && cw_now_ms() < deadline) {
		int fd = connect_to(sc.port);
		if (fd < 0)
			refused = true;
		else
			close(fd);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	bool refused_while_draining = refused && !atomic_load(&sc.done);
	pthread_join(client, NULL);
	pthread_join(stopper, NULL);

	assert_int_equal(sc.status, 200);
	assert_string_equal(sc.body, "slept");
	assert_true(sc.conn_close); /* draining: no keep-alive */
	assert_true(refused_while_draining);
	assert_true(sd.waited_ms >= 100); /* it waited for the handler, */
	assert_true(sd.waited_ms < 4000); /* not for the timeout */

	/* Nothing listens any more. */
	int fd = connect_to(sc.port);
	if (fd >= 0)
		close(fd);
	assert_true(fd < 0);
}

static void test_start_errors(void **state)
{
	(void)state;
	char err[256];
	struct cw_server_config cfg = {.routes = routes,
				       .nroutes = (int)(sizeof routes / sizeof routes[0]),
				       .authenticate = authenticate};
	static const char *const bad[] = {"127.0.0.1", "127.0.0.1:99999", ":8080",
					  "127.0.0.1:http", "[::1", "127.0.0.1:-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cfg.listen = bad[i];
		err[0] = 0;
		assert_null(cw_server_start(&cfg, err, sizeof err));
		assert_true(err[0] != 0);
	}
	/* The port in use by the running server. */
	char listen[32];
	snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
	cfg.listen = listen;
	assert_null(cw_server_start(&cfg, err, sizeof err));
	/* Protected routes without an authenticate hook are refused. */
	cfg.listen = "127.0.0.1:0";
	cfg.authenticate = NULL;
	assert_null(cw_server_start(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "authenticate"));
	/* The failed starts reset the metrics table: give it back to the server. */
	cw_metrics_init(routes, (int)(sizeof routes / sizeof routes[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keep_alive),
	    cmocka_unit_test(test_security_headers),
	    cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_method_not_allowed),
	    cmocka_unit_test(test_head_is_served_by_get),
	    cmocka_unit_test(test_path_captures),
	    cmocka_unit_test(test_authentication_hook),
	    cmocka_unit_test(test_payload_too_large_by_content_length),
	    cmocka_unit_test(test_payload_too_large_chunked),
	    cmocka_unit_test(test_route_body_limit),
	    cmocka_unit_test(test_uri_too_long),
	    cmocka_unit_test(test_huge_header_gets_4xx),
	    cmocka_unit_test(test_request_id),
	    cmocka_unit_test(test_accept_language),
	    cmocka_unit_test(test_json_bodies),
	    cmocka_unit_test(test_query_must_be_utf8),
	    cmocka_unit_test(test_handler_without_reply_is_500),
	    cmocka_unit_test(test_fallback),
	    cmocka_unit_test(test_metrics),
	    cmocka_unit_test(test_access_log),
	    cmocka_unit_test(test_metrics_render_escapes_labels),
	    cmocka_unit_test(test_start_errors),
	    cmocka_unit_test(test_shutdown_drains),
	};
	return cmocka_run_group_tests_name("http_server", tests, group_setup, group_teardown);
}
