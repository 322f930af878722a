/*
 * calibrate — the threshold that keeps 1/R of a corpus's words (calibrate.h).
 */
#include <math.h>
#include <stdlib.h>

#include "calibrate.h"
#include "err.h"

void lc_calib_add(lc_calib *c, const lc_cmodel *m, const lc_cunits *u)
{
	c->total += u->n;
	c->sum_log += log1p((double)u->n);
	c->npass++;
	if (u->nsent <= 1) {
		c->whole += u->n;
		return;
	}
	if (c->n + u->n > c->cap) {
		c->cap = (c->n + u->n) * 2;
		c->p = lc_xrealloc(c->p, c->cap * sizeof *c->p);
		c->nw = lc_xrealloc(c->nw, c->cap * sizeof *c->nw);
	}
	lc_cmodel_probs(m, u, c->p + c->n);
	for (size_t k = 0; k < u->n; k++)
		c->nw[c->n + k] = u->n;
	c->n += u->n;
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x > y ? -1 : x < y;
}

double lc_calib_threshold(lc_calib *c, const lc_cmodel *m, double target)
{
	double mean_log = c->npass ? c->sum_log / (double)c->npass : 0;
	/* rank the words by their probability with the passage's length shift */
	for (size_t k = 0; k < c->n; k++)
		c->p[k] = lc_cmodel_length_adjust(m, c->p[k], c->nw[k], mean_log);
	double want = (double)c->total / target - (double)c->whole;   /* words to keep among n */
	if (!c->n)
		return m->threshold;
	if (want <= 0)
		return 1;
	qsort(c->p, c->n, sizeof *c->p, cmp_desc);
	size_t k = want >= (double)c->n ? c->n - 1 : (size_t)want;
	return c->p[k];
}

void lc_calib_free(lc_calib *c)
{
	free(c->p);
	free(c->nw);
	*c = (lc_calib){0};
}
