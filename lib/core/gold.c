/* gold — one entry of a LOFT query's "answers": pid and relevance (see gold.h). */
#include "gold.h"
#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An answer's relevance: a JSON integer, a number with an integral value (1.0) or
 * a string holding a decimal integer ("1"), as LOFT data has them (LOFT itself
 * ignores the value).  0, or -1 for anything else or a value beyond +-2^31. */
static int rel_value(json_t *v, int *rel)
{
	double d;
	if (json_is_integer(v))
		d = (double)json_integer_value(v);
	else if (json_is_real(v))
		d = json_real_value(v);
	else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		long l = strtol(s, &end, 10);
		if (end == s || *end || errno || !isdigit((unsigned char)end[-1]))
			return -1;
		d = (double)l;
	} else
		return -1;
	if (d != floor(d) || d > INT_MAX || d < INT_MIN)
		return -1;
	*rel = (int)d;
	return 0;
}

int lc_gold_entry(json_t *v, size_t i, lc_buf *idb, const char **pid, size_t *plen, int *rel, const char *where,
                  lc_err *e)
{
	json_t *pv = v, *rv = NULL;
	if (json_is_array(v)) {
		if (json_array_size(v) < 1)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: answers[%zu]: empty array; expected [pid, rel]", where, i);
		pv = json_array_get(v, 0);
		rv = json_array_size(v) > 1 ? json_array_get(v, 1) : NULL;
	}
	const char *p = lc_json_id(pv, idb, "answers", where, e);
	if (!p)
		return -1;
	*rel = 1;
	if (rv && rel_value(rv, rel) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: answers[%zu]: relevance must be an integer (1, 1.0 or \"1\"), got %s",
		                  where, i, lc_json_type_name(rv));
	/* str(x).strip(): Python strips Unicode white space; ids carry ASCII */
	size_t n = strlen(p);
	while (n && isspace((unsigned char)*p))
		p++, n--;
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	*pid = p;
	*plen = n;
	return 0;
}
