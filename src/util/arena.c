/* arena.c - bump allocator in chained blocks; see arena.h. */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CW_ARENA_BLOCK 8192
#define CW_ALIGN 16

struct block {
	struct block *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
};

struct cw_arena {
	struct block *head;
	size_t total;
};

static void oom(void)
{
	fputs("civicgrid: out of memory\n", stderr);
	abort();
}

void *cw_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *cw_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *cw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *cw_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = cw_xmalloc(n);
	memcpy(p, s, n);
	return p;
}

struct cw_arena *cw_arena_new(void)
{
	return cw_xcalloc(1, sizeof(struct cw_arena));
}

void *cw_arena_alloc(struct cw_arena *a, size_t n)
{
	n = (n + CW_ALIGN - 1) & ~(size_t)(CW_ALIGN - 1);
	if (n == 0)
		n = CW_ALIGN;
	struct block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > CW_ARENA_BLOCK / 2 ? n : CW_ARENA_BLOCK;
		b = cw_xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		/* A big allocation gets its own block behind the current one, so the
		 * current block keeps serving small requests. */
		if (cap == n && a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *cw_arena_strndup(struct cw_arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = cw_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *cw_arena_strdup(struct cw_arena *a, const char *s)
{
	return s ? cw_arena_strndup(a, s, strlen(s)) : NULL;
}

char *cw_arena_vprintf(struct cw_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *p = cw_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *cw_arena_printf(struct cw_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = cw_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t cw_arena_used(const struct cw_arena *a)
{
	return a->total;
}

void cw_arena_free(struct cw_arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *n = b->next;
		free(b);
		b = n;
	}
	free(a);
}
