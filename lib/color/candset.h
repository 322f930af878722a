/*
 * candset — a candidates file of lcgen candidates in memory: every compression
 * of every passage ({"pid","name","text","tokens"} lines), grouped by pid, for
 * the steps that look candidates up (lcgen labels, lcgen pairs).
 *
 *   lc_candset cs;
 *   if (lc_candset_load(&cs, path, &e) < 0) ... e says where and what;
 *   long k = lc_candset_find(&cs, pid, name);   // index into cs.v, or -1
 *   lc_candset_free(&cs);
 *
 * Ownership: lc_candset_load fills a caller's lc_candset (left empty and freed on
 * error); the strings of cs.v live as long as cs, until lc_candset_free.
 */
#ifndef LC_CANDSET_H
#define LC_CANDSET_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "strmap.h"

typedef struct lc_cand {
	const char *pid, *name, *text;
	size_t tokens;
} lc_cand;

typedef struct lc_candset {
	lc_cand *v;
	size_t n, cap;
	lc_strmap pids;       /* pid -> its id; its candidates are v[start[id]] .. + count[id] */
	size_t *start, *count;
	json_t *keep;         /* keeps the strings alive */
} lc_candset;

/* Reads path (any input lc_input reads).  Candidates of one pid must be
 * consecutive, "tokens" a count.  0, or -1 with e filled (FILE:LINE: what). */
int lc_candset_load(lc_candset *cs, const char *path, lc_err *e);
/* The index of pid's candidate called name, -1 when there is none. */
long lc_candset_find(const lc_candset *cs, const char *pid, const char *name);
/* The first candidate of pid and how many it has (*count 0: none). */
size_t lc_candset_of(const lc_candset *cs, const char *pid, size_t *count);
void lc_candset_free(lc_candset *cs);

#endif
