/* buf — growable byte string. */
#include "buf.h"
#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_buf_grow(lc_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = lc_xrealloc(b->p, cap);
	b->cap = cap;
}

void lc_buf_add(lc_buf *b, const void *s, size_t n)
{
	lc_buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void lc_buf_adds(lc_buf *b, const char *s) { lc_buf_add(b, s, strlen(s)); }

void lc_buf_addc(lc_buf *b, char c)
{
	lc_buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void lc_buf_vprintf(lc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	lc_buf_grow(b, 64);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		lc_buf_grow(b, (size_t)n);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void lc_buf_printf(lc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lc_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void lc_buf_reset(lc_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

void lc_buf_free(lc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *lc_buf_detach(lc_buf *b)
{
	char *p = b->p ? b->p : lc_xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
