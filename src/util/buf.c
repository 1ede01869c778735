/* buf.c - growable byte string; see buf.h. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

static void reserve(struct cw_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = cw_xrealloc(b->data, cap);
	b->cap = cap;
}

void cw_buf_append(struct cw_buf *b, const void *p, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void cw_buf_puts(struct cw_buf *b, const char *s)
{
	cw_buf_append(b, s, strlen(s));
}

void cw_buf_putc(struct cw_buf *b, char c)
{
	cw_buf_append(b, &c, 1);
}

void cw_buf_printf(struct cw_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *cw_buf_str(struct cw_buf *b)
{
	return b->data ? b->data : "";
}

void cw_buf_reset(struct cw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

void cw_buf_release(struct cw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
