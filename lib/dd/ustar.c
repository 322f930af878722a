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

/* The fields every header holds besides its name and size (offset, length, bytes).
 * The rest of a header is zeros, so its checksum is the sum of these fields' bytes,
 * its name's and its size field's: about 90 bytes summed instead of 512 (a shard
 * holds up to 65536 members). */
static const struct { unsigned short at, len; const char *s; } fixed[] = {
	{ 100, 7, "000444 " },                   /* mode */
	{ 108, 7, "000000 " },                   /* uid */
	{ 116, 7, "000000 " },                   /* gid */
	{ 135, 1, " " },                         /* after the size */
	{ 136, 12, "00000000000 " },             /* mtime */
	{ 148, 8, "        " },                  /* checksum, counted as spaces */
	{ 156, 1, "0" },                         /* regular file */
	{ 257, 8, "ustar\0" "00" },              /* magic and version */
	{ 329, 7, "000000 " },                   /* devmajor */
	{ 337, 7, "000000 " },                   /* devminor */
};

static unsigned byte_sum(const char *p, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)p[i];
	return sum;
}

int lc_ustar_header(char *h, const char *name, unsigned long long size)
{
	size_t nlen = strlen(name);
	if (nlen > 99 || size >= (1ULL << 33))
		return -1;
	memset(h, 0, LC_USTAR_BLOCK);
	memcpy(h, name, nlen);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		memcpy(h + fixed[i].at, fixed[i].s, fixed[i].len);
		sum += byte_sum(fixed[i].s, fixed[i].len);
	}
	octal(h + 124, 11, size);
	sum += byte_sum(h, nlen) + byte_sum(h + 124, 11);
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
