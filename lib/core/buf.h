/*
 * buf — a growable byte string (in the spirit of Redis's sds, but a plain struct).
 *
 * An lc_buf owns its bytes; p is always NUL-terminated after any lc_buf_* call,
 * so p can be handed to C string functions.  Zero-initialise ({0}) to start;
 * lc_buf_free() releases.  Allocation failure exits (lc_xrealloc).
 */
#ifndef LC_BUF_H
#define LC_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct lc_buf {
	char *p;
	size_t len, cap;
} lc_buf;

void lc_buf_grow(lc_buf *b, size_t extra);           /* room for extra more bytes */
void lc_buf_add(lc_buf *b, const void *s, size_t n);
void lc_buf_adds(lc_buf *b, const char *s);
void lc_buf_addc(lc_buf *b, char c);
void lc_buf_printf(lc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lc_buf_vprintf(lc_buf *b, const char *fmt, va_list ap);
void lc_buf_reset(lc_buf *b);                           /* len = 0, keep memory */
void lc_buf_free(lc_buf *b);
/* Hands the bytes to the caller (free() them); b is left empty. */
char *lc_buf_detach(lc_buf *b);

#endif
