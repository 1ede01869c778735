/* test_http_stream.c - streaming replies (cw_reply_stream) on a real libmicrohttpd
 * daemon on 127.0.0.1: bytes written from another thread arrive, an idle stream does
 * not spin, a client that does not read is cut at its queue's bound, a client that
 * left is noticed on the next write, and shutdown ends open streams at once. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/server.h"
#include "util/clock.h"
#include "util/crypto.h"

static struct cw_stream *_Atomic current; /* the stream the handler opened last */
static atomic_int opened;
static size_t max_queued = 4096;

/* Waits up to ms for the stream's request to be over. */
static bool wait_closed(struct cw_stream *st, int ms)
{
	for (int i = 0; i < ms / 10 && cw_stream_open(st); i++)
		usleep(10000);
	return !cw_stream_open(st);
}

static void h_stream(struct cw_req *req)
{
	cw_reply_header(req, "X-Accel-Buffering", "no");
	struct cw_stream *st = cw_reply_stream(req, "text/event-stream", max_queued);
	if (st)
		cw_stream_write(st, "retry: 3000\n\n", 13);
	atomic_store(&current, st);
	atomic_fetch_add(&opened, 1);
}

static void h_hello(struct cw_req *req)
{
	cw_reply_text(req, 200, "text/plain", "hi\n", 3);
}

static const struct cw_route routes[] = {
    {"GET", "/stream", h_stream, CW_ROUTE_PUBLIC},
    {"GET", "/hello", h_hello, CW_ROUTE_PUBLIC},
};

static struct cw_server *start(void)
{
	struct cw_server_config cfg = {
	    .listen = "127.0.0.1:0",
	    .threads = 1,
	    .limits = cw_server_limits_default(),
	    .routes = routes,
	    .nroutes = 2,
	};
	char err[256];
	struct cw_server *s = cw_server_start(&cfg, err, sizeof err);
	if (!s)
		fprintf(stderr, "cw_server_start: %s\n", err);
	return s;
}

static int dial(unsigned short port, const char *path, int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char req[256];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
	assert_int_equal(write(fd, req, (size_t)n), n);
	return fd;
}

/* Reads until `want` appears (true) or EOF/timeout (false); *eof tells which. */
static bool read_until(int fd, char *buf, size_t cap, size_t *len, const char *want, int ms,
		       bool *eof)
{
	int64_t end = cw_now_ms() + ms;
	*eof = false;
	for (;;) {
		buf[*len] = 0;
		if (want && strstr(buf, want))
			return true;
		int64_t left = end - cw_now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			return false;
		ssize_t n = read(fd, buf + *len, cap - 1 - *len);
		if (n <= 0) {
			*eof = true;
			return false;
		}
		*len += (size_t)n;
	}
}

static struct cw_stream *wait_stream(int before)
{
	for (int i = 0; i < 200 && atomic_load(&opened) == before; i++)
		usleep(10000);
	return atomic_load(&current);
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void test_stream_basics(void **state)
{
	(void)state;
	struct cw_server *s = start();
	assert_non_null(s);
	int o = atomic_load(&opened);
	int fd = dial(cw_server_port(s), "/stream", 0);
	struct cw_stream *st = wait_stream(o);
	assert_non_null(st);
	static char buf[1 << 16];
	size_t len = 0;
	bool eof;
	assert_true(read_until(fd, buf, sizeof buf, &len, "retry: 3000\n\n", 3000, &eof));
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_non_null(strcasestr(buf, "Content-Type: text/event-stream"));
	assert_non_null(strcasestr(buf, "Transfer-Encoding: chunked"));
	assert_non_null(strcasestr(buf, "X-Accel-Buffering: no"));

	/* Idle: suspended, not polled in a loop. One pool thread serves others. */
	double cpu0 = cpu_seconds();
	usleep(500000);
	assert_true(cpu_seconds() - cpu0 < 0.2);
	int fd2 = dial(cw_server_port(s), "/hello", 0);
	static char b2[4096];
	size_t l2 = 0;
	assert_true(read_until(fd2, b2, sizeof b2, &l2, "hi\n", 3000, &eof));
	close(fd2);

	/* A write from this thread wakes the stream. */
	assert_true(cw_stream_write(st, "data: one\n\n", 11));
	assert_true(read_until(fd, buf, sizeof buf, &len, "data: one\n\n", 3000, &eof));
	assert_true(cw_stream_write(st, "data: two\n\n", 11));
	assert_true(read_until(fd, buf, sizeof buf, &len, "data: two\n\n", 3000, &eof));
	assert_true(cw_stream_open(st));

	/* Shutdown ends it at once: the last chunk, then the close. */
	int64_t t0 = cw_now_ms();
	cw_server_shutdown(s, 5000);
	assert_true(cw_now_ms() - t0 < 2000);
	assert_false(cw_stream_open(st));
	assert_false(cw_stream_write(st, "x", 1)); /* still valid: the reference is ours */
	cw_stream_release(st);
	read_until(fd, buf, sizeof buf, &len, NULL, 3000, &eof);
	assert_true(eof);
	assert_non_null(strstr(buf, "\r\n0\r\n\r\n"));
	close(fd);
}

static void test_client_gone(void **state)
{
	(void)state;
	struct cw_server *s = start();
	assert_non_null(s);
	int o = atomic_load(&opened);
	int fd = dial(cw_server_port(s), "/stream", 0);
	struct cw_stream *st = wait_stream(o);
	assert_non_null(st);
	static char buf[4096];
	size_t len = 0;
	bool eof;
	assert_true(read_until(fd, buf, sizeof buf, &len, "retry", 3000, &eof));
	close(fd);
	usleep(100000);
	/* Suspended, it cannot see the close; writes (a ping) let it notice. */
	assert_true(cw_stream_open(st));
	for (int i = 0; i < 3 && cw_stream_open(st); i++) {
		cw_stream_write(st, ": ping\n\n", 8);
		wait_closed(st, 500);
	}
	assert_false(cw_stream_open(st));
	cw_stream_release(st);
	cw_server_shutdown(s, 1000);
}

static void test_slow_client_is_cut(void **state)
{
	(void)state;
	struct cw_server *s = start();
	assert_non_null(s);
	int o = atomic_load(&opened);
	int fd = dial(cw_server_port(s), "/stream", 4096); /* and never read */
	struct cw_stream *st = wait_stream(o);
	assert_non_null(st);
	/* Fill the socket buffers, then the queue (4 KiB): a write beyond it fails. */
	char chunk[1024];
	memset(chunk, 'x', sizeof chunk);
	bool ok = true;
	int writes = 0;
	while (ok && writes < 100000) {
		ok = cw_stream_write(st, chunk, sizeof chunk);
		writes++;
		if (writes % 64 == 0)
			usleep(1000);
	}
	assert_false(ok);
	assert_false(cw_stream_open(st));
	/* The request ends (now, or at the latest when shutdown closes it). */
	cw_server_shutdown(s, 1000);
	cw_stream_release(st);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	return cw_crypto_init() == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stream_basics),
	    cmocka_unit_test(test_client_gone),
	    cmocka_unit_test(test_slow_client_is_cut),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
