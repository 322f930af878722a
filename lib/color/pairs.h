/*
 * pairs — CoLoR's preference pairs from labelled candidates (lcgen pairs): for
 * one (query, gold passage) group, which candidate is chosen and which rejected,
 * by lctk's rule or by the rule of CoLoR's released script, and the TRL
 * preference line written for the pair.
 *
 *   lc_pair_label L[] = one per label of the group: {candidate index, success};
 *   lc_pair p;
 *   int keep = lc_pair_select(cs, L, nl, &p);                  // lctk's rule
 *   int keep = lc_pair_select_released(cs, L, nl, label_by, &p);  // reorders L
 *   lc_pair_format(&line, prompt, plen, pid, qid, cs, &p);
 *
 * Ownership: nothing is allocated but the caller's lc_buf's growth.
 */
#ifndef LC_PAIRS_H
#define LC_PAIRS_H

#include <stddef.h>

#include "buf.h"
#include "candset.h"

/* One label of a (qid, pid) group: a candidate (index into the candset) and
 * whether it succeeded. */
typedef struct lc_pair_label {
	size_t cand;
	int success;
} lc_pair_label;

/* The pair chosen for a group: candidates (indices into the candset) and their labels. */
typedef struct lc_pair {
	size_t chosen, rejected;
	int chosen_ok, rejected_ok;
} lc_pair;

/* lctk's rule (CoLoR's preference pairs, Seo et al. 2025): chosen = the shortest
 * successful candidate, rejected = the longest failed one, by tokens (the first
 * of equals); when all succeed or all fail: the shortest against the longest.
 * Returns 1 when the group has a success, else 0.  nl >= 1. */
int lc_pair_select(const lc_candset *cs, const lc_pair_label *L, size_t nl, lc_pair *p);

/* The rule of CoLoR's released codes/7_make_orpo_dataset.py.  Its inner loop
 * reuses the outer loop's variable, so every summariser is filed under the last
 * one's name and label: a passage is kept (hard mode) when the LAST summariser's
 * candidate succeeded, and chosen/rejected are always the shortest and longest of
 * all candidates by characters (Python len), whatever their own labels.  Ties
 * follow Python's stable sort over the summariser order (= candidates-file order):
 * chosen = the first of the shortest, rejected = the last of the longest.  The
 * deciding candidate is the one called label_by, or (label_by NULL) the group's
 * last.  Sorts L by candidate.  Returns 1/0 (the deciding label), or -1 when the
 * group has no candidate called label_by.  nl >= 1. */
int lc_pair_select_released(const lc_candset *cs, lc_pair_label *L, size_t nl, const char *label_by, lc_pair *p);

/* Appends the pair's TRL preference line (with its newline) to b: the prompt
 * (prompt, plen: the summarisation prompt of the gold passage), chosen and
 * rejected as a user + assistant conversation, then pid, qid, the candidates'
 * names, token counts and labels. */
void lc_pair_format(lc_buf *b, const char *prompt, size_t plen, const char *pid, const char *qid,
                    const lc_candset *cs, const lc_pair *p);

#endif
