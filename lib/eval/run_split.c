/*
 * run_split — cuts a plain TREC run file into parts at topic-block boundaries
 * (lc_run_split in run.h), so that lceval -j N streams the parts on N threads.
 * Only the pages around each cut are read: the file is mapped, not copied.
 */
#include "run.h"
#include "mapfile.h"

#include <string.h>

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The first field of the line at p (end = file end): *len bytes at the
 * return value; NULL for a blank or '#' line. */
static const char *first_field(const char *p, const char *end, size_t *len)
{
	while (p < end && is_ws(*p))
		p++;
	if (p == end || *p == '\n' || *p == '#')
		return NULL;
	const char *s = p;
	while (p < end && !is_ws(*p) && *p != '\n')
		p++;
	*len = (size_t)(p - s);
	return s;
}

/* The start of the line after the one holding p, or end. */
static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

/* The first line at or after the line following pos whose qid differs from
 * the content line before it. */
static size_t cut_after(const char *m, size_t size, size_t pos)
{
	const char *end = m + size;
	const char *p = next_line(m + pos, end), *prev = NULL;
	size_t prevl = 0;
	for (; p < end; p = next_line(p, end)) {
		size_t l;
		const char *f = first_field(p, end, &l);
		if (!f)
			continue;
		if (prev && (l != prevl || memcmp(f, prev, l)))
			return (size_t)(p - m);
		prev = f;
		prevl = l;
	}
	return size;
}

size_t lc_run_split(const char *path, size_t n, lc_run_part *part)
{
	size_t size;
	const char *m = lc_map_file(path, &size);
	if (!m)
		return 0;
	if (n < 1)
		n = 1;
	if (n > 256)
		n = 256;
	size_t k = 0, at = 0;
	for (size_t i = 1; i < n && at < size; i++) {
		size_t want = size / n * i;
		if (want < at)
			want = at;
		size_t cut = cut_after(m, size, want);
		if (cut >= size)
			break;
		part[k++] = (lc_run_part){ at, cut };
		at = cut;
	}
	part[k++] = (lc_run_part){ at, size };
	lc_unmap_file(m, size);
	return k;
}
