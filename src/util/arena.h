/* arena.h - a bump allocator: one per request (or per command), freed at once.
 *
 * Invariants: allocations are 16-byte aligned and live until cw_arena_free().
 * Out of memory aborts the process (as Redis' zmalloc does): every caller may
 * assume a non-NULL result, and input sizes are bounded before they reach here. */
#ifndef CW_UTIL_ARENA_H
#define CW_UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct cw_arena;

struct cw_arena *cw_arena_new(void);
void *cw_arena_alloc(struct cw_arena *a, size_t n);   /* zeroed */
char *cw_arena_strdup(struct cw_arena *a, const char *s); /* NULL stays NULL */
char *cw_arena_strndup(struct cw_arena *a, const char *s, size_t n);
char *cw_arena_printf(struct cw_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *cw_arena_vprintf(struct cw_arena *a, const char *fmt, va_list ap);
size_t cw_arena_used(const struct cw_arena *a);
void cw_arena_free(struct cw_arena *a);

/* Allocation helpers for long-lived objects: abort on out of memory. */
void *cw_xmalloc(size_t n);
void *cw_xcalloc(size_t n, size_t size);
void *cw_xrealloc(void *p, size_t n);
char *cw_xstrdup(const char *s);

#endif
