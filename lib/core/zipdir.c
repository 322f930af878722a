/* zipdir — a zip's member count and names from its end-of-central-directory record. */
#include "zipdir.h"

#include <string.h>

#define EOCD_LEN 22          /* the end record without its comment */
#define ZIP64_LOC_LEN 20     /* the zip64 end record's locator, just before the end record */
#define ZIP64_EOCD_LEN 56    /* the zip64 end record without extensible data (what writers write) */
#define CDH_LEN 46           /* a directory entry before its name, extra field and comment */

static unsigned long long le(const unsigned char *p, int bytes)
{
	unsigned long long v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int sig(const unsigned char *p, unsigned char a, unsigned char b)
{
	return p[0] == 'P' && p[1] == 'K' && p[2] == a && p[3] == b;
}

int lc_zipdir_find(const unsigned char *tail, size_t len, lc_zipdir *d)
{
	memset(d, 0, sizeof *d);
	if (len < EOCD_LEN)
		return 0;
	/* the last record whose comment ends where the data ends */
	size_t lo = len - EOCD_LEN > 0xffff ? len - EOCD_LEN - 0xffff : 0;
	size_t pos = len - EOCD_LEN;
	while (!sig(tail + pos, 5, 6) || pos + EOCD_LEN + le(tail + pos + 20, 2) != len) {
		if (pos == lo)
			return 0;
		pos--;
	}
	unsigned long long members = le(tail + pos + 10, 2), size = le(tail + pos + 12, 4);
	size_t dir_end = pos;
	if (members == 0xffff || size == 0xffffffff || le(tail + pos + 16, 4) == 0xffffffff) {
		/* zip64: the counts are in the zip64 end record */
		if (pos < ZIP64_LOC_LEN + ZIP64_EOCD_LEN || !sig(tail + pos - ZIP64_LOC_LEN, 6, 7))
			return 0;
		const unsigned char *z = tail + pos - ZIP64_LOC_LEN - ZIP64_EOCD_LEN;
		if (!sig(z, 6, 6))
			return 0;
		members = le(z + 32, 8);
		size = le(z + 40, 8);
		dir_end = pos - ZIP64_LOC_LEN - ZIP64_EOCD_LEN;
	}
	d->members = members;
	if (size <= dir_end && (size == 0 || (size >= 4 && sig(tail + dir_end - size, 1, 2)))) {
		d->dir = tail + dir_end - size;
		d->dir_len = (size_t)size;
	}
	return 1;
}

int lc_zipdir_next(const lc_zipdir *d, size_t *pos, const char **name, size_t *n)
{
	if (!d->dir || *pos + CDH_LEN > d->dir_len || !sig(d->dir + *pos, 1, 2))
		return 0;
	const unsigned char *h = d->dir + *pos;
	size_t name_len = (size_t)le(h + 28, 2);
	size_t rest = name_len + (size_t)le(h + 30, 2) + (size_t)le(h + 32, 2);
	if (*pos + CDH_LEN + rest > d->dir_len)
		return 0;
	*name = (const char *)h + CDH_LEN;
	*n = name_len;
	*pos += CDH_LEN + rest;
	return 1;
}
