/*
 * gold — one entry of a LOFT query's "answers" (its gold passages), read by one
 * rule for every program: the query reader (lib/retrieve/queries: lcretrieve,
 * lcgen, lcconv) and the LOFT qrels reader (lib/eval/qrels: lceval, lcfuse,
 * lcconv --kind qrels).
 *
 * An entry is [pid, rel], [pid] or a bare pid.  The pid is a string or an
 * integer (rendered in decimal), white space around it removed as LOFT's
 * evaluation does (str(x).strip()).  rel is an integer written as LOFT data has
 * it: 1, 1.0 or "1" (a number with an integral value, or a string of decimal
 * digits with an optional sign), at most 2^31 - 1 in size; absent, it is 1.
 * LOFT itself ignores rel; graded trec_eval measures read it.  Elements after
 * the second are ignored, as LOFT ignores them.
 *
 * Errors (-1 + e, exit 1): "WHERE: answers[I]: empty array; expected [pid, rel]",
 * "WHERE: field 'answers': expected a string or integer id, got TYPE",
 * "WHERE: answers[I]: relevance must be an integer (1, 1.0 or \"1\"), got TYPE".
 *
 * Ownership: *pid points into v (a string) or into idb (an integer id), valid
 * while v lives and until idb changes; it is *plen bytes long and not
 * NUL-terminated where the stripped end falls inside the string.
 */
#ifndef LC_GOLD_H
#define LC_GOLD_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Entry i of an "answers" array (v), at where ("file:LINE").  0, or -1 + e. */
int lc_gold_entry(json_t *v, size_t i, lc_buf *idb, const char **pid, size_t *plen, int *rel, const char *where,
                  lc_err *e);

#endif
