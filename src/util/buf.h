/* buf.h - a growable byte string.
 *
 * Invariant: after any append, `data` is non-NULL and NUL-terminated at `len`
 * (binary data may also contain NULs). A zero-initialised cw_buf is empty and valid;
 * cw_buf_release() frees its memory and leaves it empty again. */
#ifndef CW_UTIL_BUF_H
#define CW_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct cw_buf {
	char *data;
	size_t len, cap;
};

void cw_buf_append(struct cw_buf *b, const void *p, size_t n);
void cw_buf_puts(struct cw_buf *b, const char *s);
void cw_buf_putc(struct cw_buf *b, char c);
void cw_buf_printf(struct cw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *cw_buf_str(struct cw_buf *b); /* "" when empty */
void cw_buf_reset(struct cw_buf *b);      /* len = 0, keeps memory */
void cw_buf_release(struct cw_buf *b);

#endif
