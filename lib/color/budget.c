/*
 * budget — the bisection of lcompress --budget, several halvings per corpus
 * read (see budget.h).
 */
#include "budget.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int lc_budget_search(size_t budget, int levels, lc_budget_eval eval, void *ctx,
                     void (*progress)(void *ctx, int done), lc_budget_result *r, lc_err *e)
{
	if (levels < 1)
		levels = 1;
	if (levels > LC_BUDGET_MAX_LEVELS)
		levels = LC_BUDGET_MAX_LEVELS;
	double lo = 0, hi = 1;
	size_t fit_tot = SIZE_MAX;   /* tokens at hi, once a tried threshold fits */
	double thr[(1 << LC_BUDGET_MAX_LEVELS) - 1], los[(1 << LC_BUDGET_MAX_LEVELS) - 1],
	       his[(1 << LC_BUDGET_MAX_LEVELS) - 1];
	size_t tot[(1 << LC_BUDGET_MAX_LEVELS) - 1];
	r->calls = 0;
	for (int it = 0; it < LC_BUDGET_STEPS;) {
		if (progress)
			progress(ctx, it);
		int depth = LC_BUDGET_STEPS - it < levels ? LC_BUDGET_STEPS - it : levels;
		size_t nn = ((size_t)1 << depth) - 1;
		/* the tree of middles, heap order: node k's halves are 2k+1 (it fits:
		 * [lo, mid]) and 2k+2 (it does not: [mid, hi]) */
		los[0] = lo;
		his[0] = hi;
		for (size_t k = 0; k < nn; k++) {
			thr[k] = (los[k] + his[k]) / 2;
			if (2 * k + 2 < nn) {
				los[2 * k + 1] = los[k];
				his[2 * k + 1] = thr[k];
				los[2 * k + 2] = thr[k];
				his[2 * k + 2] = his[k];
			}
		}
		r->calls++;
		if (eval(ctx, lo, hi, thr, nn, tot, e) < 0)
			return -1;
		for (size_t k = 0, d = 0; d < (size_t)depth; d++) {
			if (tot[k] <= budget) {
				hi = thr[k];
				fit_tot = tot[k];
				k = 2 * k + 1;
			} else {
				lo = thr[k];
				k = 2 * k + 2;
			}
		}
		it += depth;
	}
	if (fit_tot == SIZE_MAX) {
		/* nothing tried fits: measure the smallest corpus (hi is still 1) */
		if (progress)
			progress(ctx, LC_BUDGET_STEPS);
		r->calls++;
		if (eval(ctx, lo, hi, &hi, 1, tot, e) < 0)
			return -1;
		fit_tot = tot[0];
	}
	r->threshold = hi;
	r->tokens = fit_tot;
	r->fits = fit_tot <= budget;
	return 0;
}

size_t lc_budget_add_passage(const lc_cmodel *m, const lc_cunits *u, const char *text, double mean_log, int unit,
                             int bare, const lc_tok *tok, size_t ttoks, double lo, double hi, const double *thr,
                             size_t n, size_t *tot, lc_bscratch *sc)
{
	if (u->n > sc->cap) {
		sc->cap = u->n > 2 * sc->cap ? u->n : 2 * sc->cap;
		sc->p = lc_xrealloc(sc->p, sc->cap * sizeof *sc->p);
		sc->mask = lc_xrealloc(sc->mask, sc->cap);
	}
	if (u->n && u->nsent > 1)
		lc_cmodel_probs(m, u, sc->p);
	size_t nd = 0, whole = SIZE_MAX;   /* distinct kept counts so far; the whole text's tokens */
	for (size_t j = 0; j < n; j++) {
		size_t kept = lc_compress_select_p(m, u, sc->p, 0, lc_cmodel_passage_threshold(m, thr[j], u->n, mean_log),
		                                   unit, sc->mask);
		size_t d = 0;
		while (d < nd && sc->kept[d] != kept)
			d++;
		if (d == nd) {
			sc->kept[nd] = kept;
			if (kept < u->n) {
				lc_buf_reset(&sc->s);
				lc_compress_render(u, text, sc->mask, bare, &sc->s);
				sc->toks[nd] = lc_tok_count(tok, sc->s.p, sc->s.len);
			} else {
				if (whole == SIZE_MAX)
					whole = lc_tok_count(tok, text, strlen(text));
				sc->toks[nd] = whole;
			}
			nd++;
		}
		tot[j] += ttoks + sc->toks[d];
	}
	/* the same kept set at both ends: the same at every threshold between (nested sets) */
	size_t klo = lc_compress_select_p(m, u, sc->p, 0, lc_cmodel_passage_threshold(m, lo, u->n, mean_log), unit, sc->mask);
	size_t khi = lc_compress_select_p(m, u, sc->p, 0, lc_cmodel_passage_threshold(m, hi, u->n, mean_log), unit, sc->mask);
	return klo == khi && n && sc->kept[0] == klo ? ttoks + sc->toks[0] : SIZE_MAX;
}

void lc_bscratch_free(lc_bscratch *sc)
{
	free(sc->p);
	free(sc->mask);
	lc_buf_free(&sc->s);
	memset(sc, 0, sizeof *sc);
}
