/* trecid — refuses ids that a white-space-separated file cannot hold (see trecid.h). */
#include "trecid.h"

int lc_trec_id_check(const char *id, const char *kind, const char *fmt, lc_err *e)
{
	if (!*id)
		return lc_err_set(e, LC_EXIT_INPUT, "an empty %s cannot be written to a %s file; give the record an id or write JSONL",
				  kind, fmt);
	for (const char *p = id; *p; p++)
		if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
			return lc_err_set(e, LC_EXIT_INPUT, "%s '%s' contains white space, which would split or forge a line "
					  "of a %s file; rename it or write JSONL", kind, id, fmt);
	return 0;
}
