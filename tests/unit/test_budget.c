/* Unit tests for lib/color/budget: the search with several halvings per call
 * tries the same thresholds and answers the same as the plain one-at-a-time
 * bisection (written out here as lcompress had it), on monotone and
 * non-monotone totals, budgets that fit, that never fit and that always fit. */
#include <math.h>
#include <stdint.h>

#include "budget.h"
#include "tap.h"

typedef struct curve {
	int kind;
	size_t evals;       /* thresholds measured */
	double seen[4096];  /* every threshold measured, for the "only tree nodes" check */
	size_t nseen;
	double lo, hi;      /* the last interval told */
	int outside;        /* thresholds or intervals outside the interval told before */
} curve;

/* corpus tokens at threshold t: 0 smooth, 1 with plateaus, 2 not monotone */
static size_t tokens_at(int kind, double t)
{
	switch (kind) {
	case 0: return (size_t)(100000 * (1 - t) * (1 - t)) + 5000;
	case 1: return (size_t)(floor((1 - t) * 37) * 2500) + 7000;
	default: return (size_t)(60000 * (1 - t) + 9000 * sin(t * 97)) + 20000;
	}
}

static int eval(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e)
{
	curve *c = ctx;
	/* every threshold of this call and the earlier ones' [lo, hi] nest */
	if (lo < c->lo || hi > c->hi)
		c->outside++;
	c->lo = lo;
	c->hi = hi;
	for (size_t j = 0; j < n; j++) {
		if (thr[j] < lo || thr[j] > hi)
			c->outside++;
		tot[j] = tokens_at(c->kind, thr[j]);
		if (c->nseen < sizeof c->seen / sizeof *c->seen)
			c->seen[c->nseen++] = thr[j];
	}
	c->evals += n;
	return 0;
}

static int fail_eval(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e)
{
	return lc_err_set(e, 1, "corpus: read error");
}

/* lcompress's bisection before lib/color/budget, verbatim but for the totals */
static void reference(int kind, size_t budget, double *thr, size_t *tokens, double *path)
{
	double lo = 0, hi = 1;
	size_t fit_tot = SIZE_MAX;
	for (int it = 0; it <= 24; it++) {
		if (it == 24 && fit_tot != SIZE_MAX)
			break;
		double mid = it < 24 ? (lo + hi) / 2 : hi;
		size_t tot = tokens_at(kind, mid);
		if (it < 24)
			path[it] = mid;
		if (it == 24)
			fit_tot = tot;
		else if (tot <= budget) {
			hi = mid;
			fit_tot = tot;
		} else
			lo = mid;
	}
	*thr = hi;
	*tokens = fit_tot;
}

int main(void)
{
	const size_t budgets[] = { 1, 5000, 5001, 30000, 47123, 60000, 80001, 105000, 200000 };
	for (int kind = 0; kind < 3; kind++)
		for (size_t b = 0; b < sizeof budgets / sizeof *budgets; b++) {
			double want, path[24];
			size_t wtok;
			reference(kind, budgets[b], &want, &wtok, path);
			for (int levels = 1; levels <= LC_BUDGET_MAX_LEVELS; levels++) {
				curve c = { .kind = kind, .lo = 0, .hi = 1 };
				lc_budget_result r;
				lc_err e = {0};
				int rc = lc_budget_search(budgets[b], levels, eval, &c, NULL, &r, &e);
				/* every threshold of the reference's path was measured */
				int onpath = 1;
				for (int i = 0; i < 24; i++) {
					int found = 0;
					for (size_t j = 0; j < c.nseen && !found; j++)
						found = c.seen[j] == path[i];
					onpath &= found;
				}
				int calls = (24 + levels - 1) / levels + (wtok > budgets[b] ? 1 : 0);
				ok(rc == 0 && r.threshold == want && r.tokens == wtok && r.fits == (wtok <= budgets[b]) &&
				   onpath && r.calls == calls && !c.outside,
				   "curve %d, budget %zu, %d levels: threshold %.17g (want %.17g), %zu tokens (want %zu), %d calls",
				   kind, budgets[b], levels, r.threshold, want, r.tokens, wtok, r.calls);
			}
		}
	/* a budget no threshold meets: threshold 1, measured, not fitting */
	curve c = { .kind = 0, .hi = 1 };
	lc_budget_result r;
	lc_err e = {0};
	lc_budget_search(10, 4, eval, &c, NULL, &r, &e);
	ok(r.threshold == 1 && r.tokens == 5000 && !r.fits, "too small a budget: the smallest corpus (%zu tokens)", r.tokens);
	/* levels out of range are clamped; 8 levels measure 255 thresholds a call */
	c = (curve){ .kind = 0, .hi = 1 };
	lc_budget_search(50000, 99, eval, &c, NULL, &r, &e);
	ok(r.calls == 3 && c.evals == 255 * 3, "levels clamped to %d (%d calls, %zu thresholds)", LC_BUDGET_MAX_LEVELS, r.calls, c.evals);
	ok(lc_budget_search(50000, 3, fail_eval, &c, NULL, &r, &e) == -1 && strstr(e.msg, "read error"),
	   "an error of the measuring function stops the search: %s", e.msg);
	return done_testing();
}
