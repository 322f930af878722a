/*
 * ustar — tar member headers in libarchive's ustar layout, filled in place in a
 * buffer (see ustar.h).
 */
#include "ustar.h"

#include <string.h>

size_t lc_ustar_begin(lc_buf *b)
{
	size_t off = b->len;
	lc_buf_grow(b, LC_USTAR_BLOCK);
	b->len += LC_USTAR_BLOCK;
	b->p[b->len] = 0;
	return off;
}

/* v in octal, zero-filled to width digits (libarchive's format_octal). */
static void octal(char *p, size_t width, unsigned long long v)
{
	for (size_t i = width; i-- > 0; v >>= 3)
		p[i] = (char)('0' + (v & 7));
}

int lc_ustar_header(char *h, const char *name, unsigned long long size)
{
	size_t nlen = strlen(name);
	if (nlen > 99 || size >= (1ULL << 33))
		return -1;
	memset(h, 0, LC_USTAR_BLOCK);
	memcpy(h, name, nlen);
	memcpy(h + 100, "000444 ", 7);          /* mode */
	memcpy(h + 108, "000000 ", 7);          /* uid */
	memcpy(h + 116, "000000 ", 7);          /* gid */
	octal(h + 124, 11, size);
	h[135] = ' ';
	memcpy(h + 136, "00000000000 ", 12);    /* mtime */
	memset(h + 148, ' ', 8);                /* checksum, counted as spaces */
	h[156] = '0';                           /* regular file */
	memcpy(h + 257, "ustar\0" "00", 8);
	memcpy(h + 329, "000000 ", 7);          /* devmajor */
	memcpy(h + 337, "000000 ", 7);          /* devminor */
	unsigned sum = 0;
	for (size_t i = 0; i < LC_USTAR_BLOCK; i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 6, sum);
	h[154] = 0;
	h[155] = ' ';
	return 0;
}

int lc_ustar_end(lc_buf *b, size_t off, const char *name)
{
	size_t size = b->len - off - LC_USTAR_BLOCK;
	if (strlen(name) > 99 || size >= (1ULL << 33)) {
		b->len = off;
		b->p[off] = 0;
		return -1;
	}
	size_t pad = lc_ustar_pad(size);
	lc_buf_grow(b, pad);
	memset(b->p + b->len, 0, pad);
	b->len += pad;
	b->p[b->len] = 0;
	return lc_ustar_header(b->p + off, name, size);
}

void lc_ustar_finish(lc_buf *b)
{
	lc_buf_grow(b, 2 * LC_USTAR_BLOCK);
	memset(b->p + b->len, 0, 2 * LC_USTAR_BLOCK);
	b->len += 2 * LC_USTAR_BLOCK;
	b->p[b->len] = 0;
}
