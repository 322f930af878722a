/* trecid — refuses ids that a white-space-separated file cannot hold, and splits
 * such a file's lines into fields (see trecid.h). */
#include "trecid.h"

#include <stdlib.h>
#include <string.h>

int lc_trec_id_check(const char *id, const char *kind, const char *fmt, lc_err *e)
{
	if (!*id)
		return lc_err_set(e, LC_EXIT_INPUT, "an empty %s cannot be written to a %s file; give the record an id or write JSONL",
				  kind, fmt);
	for (const char *p = id; *p; p++)
		if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
			return lc_err_set(e, LC_EXIT_INPUT, "%s '%s' contains white space, which would split or forge a line "
					  "of a %s file; rename it or write JSONL", kind, id, fmt);
	/* the first field of a TREC line: trec_eval (and lceval) skip a line that starts with '#' */
	if (*id == '#' && !strcmp(kind, "qid") && !strcmp(fmt, "TREC"))
		return lc_err_set(e, LC_EXIT_INPUT, "qid '%s' starts with '#', which makes its lines comments that trec_eval "
				  "and lceval skip; rename it or write JSONL", id);
	return 0;
}

static int trec_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int lc_trec_fields(const char *s, size_t len, const char **f, size_t *fl, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && trec_blank(s[i]))
			i++;
		if (i == len)
			break;
		size_t st = i;
		while (i < len && !trec_blank(s[i]))
			i++;
		if (n < max) {
			f[n] = s + st;
			fl[n] = i - st;
		}
		n++;
	}
	return n;
}

int lc_trec_number(const char *s, size_t n, double *v)
{
	char tmp[128];
	char *heap = NULL, *b = tmp;
	if (n >= sizeof tmp)
		b = heap = lc_xmalloc(n + 1);
	memcpy(b, s, n);
	b[n] = 0;
	char *end;
	*v = strtod(b, &end);
	/* strtod skips leading white space; a TREC field has none, but a caller's may */
	int whole = n && !trec_blank(b[0]) && end == b + n;
	free(heap);
	return whole;
}

double lc_trec_atof(const char *s, size_t n)
{
	double v;
	lc_trec_number(s, n, &v);   /* strtod's value whether or not the whole field is a number (atof) */
	return v;
}
