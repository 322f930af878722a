/*
 * budget — the corpus-wide keep threshold that fits a token budget
 * (lcompress --budget TOKENS).
 *
 * Bisection on the threshold t in [0, 1]: LC_BUDGET_STEPS halvings, each keeping
 * the lower half when the corpus compressed at the middle threshold fits
 * (total tokens <= budget), else the upper half; the answer is the upper end hi,
 * the lowest tried threshold that fits.  When no tried threshold fits, the
 * corpus at t = 1 (the smallest) is measured once more and reported as not
 * fitting.
 *
 * The totals come from a caller's function that measures the corpus at several
 * thresholds in one call (lcompress: one read of the corpus), told the interval
 * that every later threshold lies in.  lc_budget_search
 * asks for the middles of the next `levels` halvings at once — every threshold
 * the bisection may try in those steps, 2^levels - 1 of them — and then follows
 * the path the totals choose.  The thresholds tried and the answer are exactly
 * those of the plain one-at-a-time bisection (levels = 1), which the unit test
 * checks; a larger `levels` trades measurements for fewer calls.
 *
 * lc_bhist is the other way to get the totals, in one read of the corpus: a
 * passage's kept set only shrinks as the threshold grows, so its tokens are a
 * step function of it with at most (units + 1) steps.  lc_bhist_add_passage
 * finds, for each unit, the last threshold of the grid g / 2^LC_BUDGET_STEPS
 * (g = 1 .. 2^LC_BUDGET_STEPS: every threshold the bisection can try) that
 * keeps it, with the comparison lc_compress_select_p makes, and adds the
 * passage's token changes to a histogram over the grid (2^24 + 1 32-bit
 * counters, 64 MB whatever the corpus's size, the rare overflow carried apart);
 * lc_bhist_eval then answers any threshold of the grid exactly.  The tokens of
 * a kept set are the sum of its words' tokens (the first as rendered, the
 * others after their separating space) when the tokenizer's count is additive
 * over those joins: lc_budget_tok_additive says which are (the tiktoken
 * encodings, whose split patterns never join a space to the word before it);
 * a passage with a word that ends in Unicode White_Space (which those patterns
 * may join to the space after it), or any passage when additive is 0, has each
 * of its kept sets rendered and counted instead.
 *
 * lc_budget_add_passage() is one passage's part of such a measurement: the
 * passage decoded at every threshold asked (one lc_cmodel_probs), its text
 * rendered and counted once per distinct kept set (a passage's kept sets are
 * nested, so the same count is the same set).
 *
 * Ownership: nothing is kept; thr and tot arrays passed to eval are the
 * search's, valid during the call.  lc_bscratch is the caller's, reused across
 * passages, released by lc_bscratch_free.  lc_bhist is the caller's, its
 * counters allocated by lc_bhist_init and released by lc_bhist_free.
 */
#ifndef LC_BUDGET_H
#define LC_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compress.h"
#include "err.h"
#include "tok.h"

#define LC_BUDGET_STEPS 24
#define LC_BUDGET_MAX_LEVELS 8

/* Fills tot[j] with the corpus's tokens at threshold thr[j], j < n; -1 with e on
 * error.  [lo, hi] is the interval left: every threshold of this call and of
 * the later ones lies in it (so a passage whose kept set is the same at lo and
 * at hi adds the same tokens to every later total). */
typedef int (*lc_budget_eval)(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e);

typedef struct lc_budget_result {
	double threshold;   /* the threshold to compress with */
	size_t tokens;      /* the corpus's tokens at it */
	int fits;           /* tokens <= budget */
	int calls;          /* calls of eval made */
} lc_budget_result;

/* Searches with levels (1..LC_BUDGET_MAX_LEVELS) halvings per call of eval.
 * progress (may be NULL) is called with the halvings done so far, of
 * LC_BUDGET_STEPS + 1.  Returns 0, or -1 when eval failed. */
int lc_budget_search(size_t budget, int levels, lc_budget_eval eval, void *ctx,
                     void (*progress)(void *ctx, int done), lc_budget_result *r, lc_err *e);

typedef struct lc_bscratch {
	double *p;
	unsigned char *mask;
	size_t cap;
	/* lc_bhist_add_passage: per unit its last grid point, order, tokens; per sentence its mean */
	uint32_t *last, *sp, *nosp, *slast;
	uint64_t *order;
	unsigned char *live;
	double *smean;
	size_t *slen;
	size_t ucap, scap;
	size_t kept[(1 << LC_BUDGET_MAX_LEVELS) - 1], toks[(1 << LC_BUDGET_MAX_LEVELS) - 1];
	lc_buf s;
} lc_bscratch;

/* tot[j] += ttoks (the title's tokens) + the tokens of text (units u, words'
 * probabilities under m) compressed at corpus-wide threshold thr[j], j < n
 * (n <= 2^LC_BUDGET_MAX_LEVELS - 1), as lcompress writes it: unit word or
 * sentence, bare as in lc_compress_render, the whole text's tokens when every
 * word is kept; mean_log as for lc_cmodel_passage_threshold.  Returns the
 * passage's tokens when it keeps the same words at lo and at hi (the eval's
 * interval: then at every threshold to come), else SIZE_MAX. */
size_t lc_budget_add_passage(const lc_cmodel *m, const lc_cunits *u, const char *text, double mean_log, int unit,
                             int bare, const lc_tok *tok, size_t ttoks, double lo, double hi, const double *thr,
                             size_t n, size_t *tot, lc_bscratch *sc);
void lc_bscratch_free(lc_bscratch *sc);

/* the grid of thresholds: g / LC_BUDGET_GRID, g = 1 .. LC_BUDGET_GRID */
#define LC_BUDGET_GRID ((uint32_t)1 << LC_BUDGET_STEPS)

#define LC_BHIST_BLOCK 12   /* running totals are kept per 2^12 grid points */

typedef struct lc_bcarry { uint32_t g; int64_t v; } lc_bcarry;

typedef struct lc_bhist {
	int32_t *d;         /* d[g], g = 2..GRID: total at g minus total at g - 1 (with carry) */
	lc_bcarry *carry;   /* the part of a d[g] that would overflow 32 bits (rare) */
	size_t ncarry, carrycap;
	int64_t *before;    /* after lc_bhist_finish: per block, the total before it minus base */
	size_t base;        /* the total at g = 1 */
	size_t passages;    /* passages added */
} lc_bhist;

/* 1 when lc_tok_count of words joined by single spaces is the sum of the
 * first's count and the others' counts with their leading space (words
 * without ASCII whitespace, none ending in Unicode White_Space). */
int lc_budget_tok_additive(const lc_tok *tok);
void lc_bhist_init(lc_bhist *h);
/* Adds one passage's tokens at every grid threshold, as lc_budget_add_passage
 * counts them at one (same arguments; additive = lc_budget_tok_additive(tok)). */
void lc_bhist_add_passage(lc_bhist *h, const lc_cmodel *m, const lc_cunits *u, const char *text, double mean_log,
                          int unit, int bare, const lc_tok *tok, int additive, size_t ttoks, lc_bscratch *sc);
/* The total grows by v tokens at grid point g (2..GRID) and every one above
 * (lc_bhist_add_passage's steps; the part of a counter that would leave 32 bits
 * is carried apart). */
void lc_bhist_add(lc_bhist *h, uint32_t g, int64_t v);
/* Ends the adding: running totals per block of 2^LC_BHIST_BLOCK grid points. */
void lc_bhist_finish(lc_bhist *h);
/* The corpus's tokens at grid threshold t (t * LC_BUDGET_GRID a whole number in 1..GRID). */
size_t lc_bhist_tokens(const lc_bhist *h, double t);
/* An lc_budget_eval over a finished lc_bhist (ctx): never fails. */
int lc_bhist_eval(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e);
void lc_bhist_free(lc_bhist *h);

#endif
