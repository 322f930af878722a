/* bm25_prune — exact top-k BM25 by MaxScore with block-max skipping (see bm25_prune.h). */
#include "bm25_prune.h"

#include <stdlib.h>
#include <string.h>

/* Bounds are multiplied by this before a comparison: each bound and the sum of
 * bounds may differ from the scorer's own rounding by a few ulps (1e-16 relative
 * each); 1e-9 covers any query length by far and costs nothing in pruning. */
#define PRUNE_MARGIN (1 + 1e-9)
#define DONE UINT32_MAX

typedef struct cursor {
	const unsigned char *start, *p, *end;   /* the term's postings; p after the current one */
	uint64_t df, left;                      /* left: postings after the current one */
	uint32_t doc, tf;                       /* current posting; doc DONE past the end */
	const lc_index_block *blk;
	size_t nblk, sb;                        /* sb: block the last shallow() found */
	size_t bj;                              /* block whose bound is bb (nblk: none yet) */
	double bb;
	double base, slope;                     /* lc_bm25_term_score()'s */
	int exact_pair;                         /* block bounds from (btf, bdl), else (maxtf, mindl) */
	double wk, ub;                          /* weight * (k1 + 1); bound over the term */
	size_t qi;                              /* position in the query (summation order) */
} cursor;

static void sift_down(lc_bm25_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && lc_bm25_hit_worse(&h[l], &h[m]))
			m = l;
		if (r < n && lc_bm25_hit_worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		lc_bm25_hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

void lc_bm25_heap_offer(lc_bm25_hit *hits, size_t *n, size_t k, lc_bm25_hit h)
{
	if (!k)
		return;
	if (*n < k) {
		hits[(*n)++] = h;
		if (*n == k)
			for (size_t j = k / 2 + 1; j-- > 0;)
				sift_down(hits, *n, j);
	} else if (lc_bm25_hit_worse(&hits[0], &h)) {
		hits[0] = h;
		sift_down(hits, *n, 0);
	}
}

static int cmp_hit(const void *a, const void *b)
{
	const lc_bm25_hit *x = a, *y = b;
	if (lc_bm25_hit_worse(x, y))
		return 1;
	if (lc_bm25_hit_worse(y, x))
		return -1;
	return 0;
}

void lc_bm25_hits_sort(lc_bm25_hit *hits, size_t n)
{
	if (n > 1)
		qsort(hits, n, sizeof *hits, cmp_hit);
}

static inline void next(cursor *c)
{
	if (!c->left) {
		c->doc = DONE;
		return;
	}
	c->left--;
	const unsigned char *p = c->p;
	if (c->end - p >= 2 && !((p[0] | p[1]) & 0x80)) {   /* the common case: two one-byte varints */
		c->doc += p[0];
		c->tf = p[1];
		c->p = p + 2;
		return;
	}
	c->doc += (uint32_t)lc_varint(&c->p, c->end);
	c->tf = (uint32_t)lc_varint(&c->p, c->end);
}

/* A block's bound as a fraction of the term's weight: tf / (tf + base + slope dl)
 * at its best posting (as the index's bounder chose it) or at (maxtf, mindl). */
static inline double block_ratio(const lc_index_block *bl, double base, double slope, int exact_pair)
{
	double t = exact_pair ? (double)bl->btf : (double)bl->maxtf;
	return t / (t + base + slope * (double)(exact_pair ? bl->bdl : bl->mindl));
}

/* Block of the current posting. */
static inline size_t cur_block(const cursor *c)
{
	return (size_t)((c->df - c->left - 1) / LC_INDEX_BLOCK);
}

/* Moves to the first posting with doc >= d, jumping over whole blocks. */
static void seek(cursor *c, uint32_t d)
{
	if (c->doc >= d)
		return;
	if (c->nblk) {
		size_t b = cur_block(c), j = b;
		while (j < c->nblk && c->blk[j].last < d)
			j++;
		if (j == c->nblk) {
			c->doc = DONE;
			c->left = 0;
			return;
		}
		if (j > b) {
			c->p = c->start + c->blk[j - 1].end;
			c->doc = c->blk[j - 1].last;
			c->left = c->df - (uint64_t)j * LC_INDEX_BLOCK;
			next(c);
		}
	}
	while (c->doc < d)
		next(c);
}

/* Bound of the term's contribution to document d (>= the current doc) without
 * decoding; *last is the last document the bound covers (DONE = to the end). */
static double shallow(cursor *c, uint32_t d, uint32_t *last)
{
	if (c->doc == DONE) {
		*last = DONE;
		return 0;
	}
	if (!c->nblk) {
		*last = DONE;
		return c->ub;
	}
	size_t j = c->sb > cur_block(c) ? c->sb : cur_block(c);
	while (j < c->nblk && c->blk[j].last < d)
		j++;
	c->sb = j;
	if (j == c->nblk) {
		*last = DONE;
		return 0;
	}
	*last = c->blk[j].last;
	if (c->bj != j) {
		const lc_index_block *bl = &c->blk[j];
		c->bj = j;
		c->bb = c->exact_pair ? lc_bm25_term_score(c->wk, bl->btf, c->base, c->slope, bl->bdl)
		                      : lc_bm25_term_score(c->wk, bl->maxtf, c->base, c->slope, bl->mindl);
	}
	return c->bb;
}

static int cmp_ub(const void *a, const void *b)
{
	const cursor *x = a, *y = b;
	if (x->ub != y->ub)
		return x->ub < y->ub ? -1 : 1;
	return x->qi < y->qi ? -1 : x->qi > y->qi;
}

/* The largest block ratio of term t (pr caches it per term for this base and
 * slope: it does not depend on the query). */
static double term_ratio(const lc_index *ix, lc_bm25_prune *pr, uint64_t t, double base, double slope, int exact_pair)
{
	if (!pr->tmax || pr->tbase != base || pr->tslope != slope) {
		free(pr->tmax);
		pr->tmax = lc_xcalloc((size_t)ix->n_terms + 1, sizeof *pr->tmax);
		pr->tbase = base;
		pr->tslope = slope;
	}
	if (pr->tmax[t] > 0)
		return pr->tmax[t];
	double m = 0;
	for (uint64_t j = ix->blkoff[t]; j < ix->blkoff[t + 1]; j++) {
		double r = block_ratio(&ix->blocks[j], base, slope, exact_pair);
		if (r > m)
			m = r;
	}
	pr->tmax[t] = m;
	return m;
}

static void setup(const lc_index *ix, double k1, double b, double avgdl, lc_bm25_prune *pr, const lc_bm25_query *q)
{
	double base = k1 * (1 - b), slope = k1 * b / avgdl;
	int exact_pair = k1 == LC_INDEX_BOUND_K1 && b == LC_INDEX_BOUND_B;
	if (q->n > pr->cap) {
		pr->cap = q->n;
		pr->cur = lc_xrealloc(pr->cur, pr->cap * sizeof(cursor));
		pr->contrib = lc_xrealloc(pr->contrib, pr->cap * sizeof *pr->contrib);
		pr->set = lc_xrealloc(pr->set, pr->cap * sizeof *pr->set);
	}
	cursor *cs = pr->cur;
	for (size_t i = 0; i < q->n; i++) {
		cursor *c = &cs[i];
		uint64_t t = q->term[i];
		memset(c, 0, sizeof *c);
		c->start = ix->post + ix->postoff[t];
		c->end = ix->post + ix->postoff[t + 1];
		c->p = c->start;
		c->df = c->left = lc_varint(&c->p, c->end);
		c->blk = ix->blocks + ix->blkoff[t];
		c->nblk = (size_t)(ix->blkoff[t + 1] - ix->blkoff[t]);
		c->bj = c->nblk;
		c->wk = q->w[i] * (k1 + 1);
		c->base = base;
		c->slope = slope;
		c->exact_pair = exact_pair;
		c->qi = i;
		double ub = 0;
		if (c->nblk) {   /* the best block's bound (rounded apart from the scorer's by ulps: PRUNE_MARGIN) */
			ub = c->wk * term_ratio(ix, pr, t, base, slope, exact_pair);
		} else {   /* a short list: its exact maximum */
			const unsigned char *p = c->p;
			uint32_t d = 0;
			for (uint64_t j = 0; j < c->df; j++) {
				d += (uint32_t)lc_varint(&p, c->end);
				uint32_t tf = (uint32_t)lc_varint(&p, c->end);
				double s = lc_bm25_term_score(c->wk, tf, base, slope, d < ix->n_docs ? ix->doclen[d] : 0);
				if (s > ub)
					ub = s;
			}
		}
		c->ub = ub;
		next(c);
	}
	qsort(cs, q->n, sizeof *cs, cmp_ub);
}

size_t lc_bm25_search_pruned(const lc_index *ix, double k1, double b, double avgdl, lc_bm25_prune *pr,
                             const lc_bm25_query *q, size_t k, lc_bm25_hit *hits)
{
	if (!q->n || !k)
		return 0;
	setup(ix, k1, b, avgdl, pr, q);
	double base = k1 * (1 - b), slope = k1 * b / avgdl;
	cursor *cs = pr->cur;
	size_t n = q->n, nh = 0, ess = 0;   /* cs[0..ess) are non-essential */
	double *contrib = pr->contrib;
	size_t *set = pr->set, nset = 0;   /* the query positions contrib holds for this document */
	double theta = 0, pre = 0;   /* pre: sum of the non-essential terms' bounds */
	int full = 0;
	for (size_t i = 0; i < n; i++)
		contrib[i] = 0;
	uint32_t d = DONE;
	for (size_t i = 0; i < n; i++)
		if (cs[i].doc < d)
			d = cs[i].doc;
	for (;;) {
		if (d == DONE || d >= ix->n_docs)
			break;
		/* the essential terms at d, and the next document they hold */
		double known = 0;
		uint32_t nd = DONE;
		for (size_t i = ess; i < n; i++) {
			cursor *c = &cs[i];
			if (c->doc == d) {
				double s = lc_bm25_term_score(c->wk, c->tf, base, slope, ix->doclen[d]);
				contrib[c->qi] = s;
				set[nset++] = c->qi;
				known += s;
				next(c);
			}
			if (c->doc < nd)
				nd = c->doc;
		}
		/* until the heap is full ess is 0: every term is essential and was
		 * scored above, so only a full heap has lists left to look up */
		int pruned = 0;
		if (full) {
			/* non-essential terms, largest bound first: each term's bound is
			 * narrowed to its block at d before its postings are decoded */
			double rest = pre;
			uint32_t last;
			for (size_t j = ess; j-- > 0;) {
				cursor *c = &cs[j];
				if ((known + rest) * PRUNE_MARGIN <= theta) {
					pruned = 1;
					break;
				}
				rest -= c->ub;
				if (rest < 0)
					rest = 0;
				double bb = shallow(c, d, &last);
				if ((known + rest + bb) * PRUNE_MARGIN <= theta) {
					pruned = 1;
					break;
				}
				seek(c, d);
				if (c->doc == d) {
					double s = lc_bm25_term_score(c->wk, c->tf, base, slope, ix->doclen[d]);
					contrib[c->qi] = s;
					set[nset++] = c->qi;
					known += s;
				}
			}
		}
		if (!pruned) {
			double score = 0;
			for (size_t i = 0; i < n; i++) {   /* in query order, as the exhaustive scorer adds */
				score += contrib[i];
				contrib[i] = 0;
			}
			lc_bm25_hit h = { d, score };
			lc_bm25_heap_offer(hits, &nh, k, h);
			if (nh == k) {
				full = 1;
				theta = hits[0].score;
				while (ess < n && (pre + cs[ess].ub) * PRUNE_MARGIN <= theta)   /* theta only grows */
					pre += cs[ess++].ub;
			}
		}
		else   /* what was set (a pruned document's few terms), not all n */
			while (nset)
				contrib[set[--nset]] = 0;
		nset = 0;
		/* nd is the least next document of the lists essential at d: no
		 * essential document is passed over; if theta has since left one of
		 * them out and nd is its document, the bounds prune nd at once */
		d = nd;
	}
	lc_bm25_hits_sort(hits, nh);
	return nh;
}

void lc_bm25_prune_free(lc_bm25_prune *pr)
{
	free(pr->cur);
	free(pr->contrib);
	free(pr->set);
	free(pr->tmax);
	memset(pr, 0, sizeof *pr);
}
