/*
 * bm25_prune — exact top-k BM25 with dynamic pruning (MaxScore with block-max
 * skipping, as PISA and Lucene do) over a version-2 index's blocks (index_file.h).
 *
 * Exact: the hits (documents, scores to the last bit, order) are those of scoring
 * every posting (bm25.c's accumulate + collect_top).  A document's score is summed
 * in query-term order with lc_bm25_term_score(), as there.  Bounds come from each
 * block's best (tf, dl) pair under the index's bound parameters, or its (maxtf,
 * mindl) under other k1/b, and are compared with a relative margin (PRUNE_MARGIN in
 * bm25_prune.c) far above any rounding difference, so a bound is never below a
 * score.  Documents are visited in ascending order, so a later document tied with
 * the k-th score loses the tie-break: pruning drops a document when its bound is at
 * most the k-th score.
 *
 * Ownership: lc_bm25_prune is scratch owned by its caller (zeroed to start,
 * lc_bm25_prune_free to release); hits are written by the caller-sized array.
 */
#ifndef LC_BM25_PRUNE_H
#define LC_BM25_PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "bm25.h"
#include "index_file.h"

/* One term's contribution; the one expression every scorer of postings uses. */
static inline double lc_bm25_term_score(double wk, uint32_t tf, double base, double slope, uint32_t dl)
{
	double t = (double)tf;
	return wk * t / (t + base + slope * (double)dl);
}

/* a ranks below b: lower score, or the same score and a later document */
static inline int lc_bm25_hit_worse(const lc_bm25_hit *a, const lc_bm25_hit *b)
{
	return a->score < b->score || (a->score == b->score && a->doc > b->doc);
}

/* Keeps the best k of the hits offered in hits[0..*n) (a heap, worst at hits[0]). */
void lc_bm25_heap_offer(lc_bm25_hit *hits, size_t *n, size_t k, lc_bm25_hit h);
/* Sorts hits best first. */
void lc_bm25_hits_sort(lc_bm25_hit *hits, size_t n);

typedef struct lc_bm25_prune {
	void *cur;                 /* per-term cursors */
	double *contrib;
	size_t *set;               /* positions of contrib set for the current document */
	size_t cap;
	double *tmax;              /* per index term: its best block's ratio (0 = not yet) */
	double tbase, tslope;      /* the scoring parameters tmax holds for */
} lc_bm25_prune;

/* Top k (k >= 1) of q over ix (which must have blocks) into hits; returns the count. */
size_t lc_bm25_search_pruned(const lc_index *ix, double k1, double b, double avgdl, lc_bm25_prune *pr,
                             const lc_bm25_query *q, size_t k, lc_bm25_hit *hits);
void lc_bm25_prune_free(lc_bm25_prune *pr);

#endif
