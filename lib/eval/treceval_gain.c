/*
 * treceval_gain — trec_eval's graded measures: ndcg, ndcg_rel, Rndcg, ndcg_cut,
 * G, binG, rbp, and the gain table they share (setup_gains: gain = relevance
 * value unless overridden by "level=gain" parameters; ideal ranking = judged
 * docs by decreasing gain).  Discounts are log2(rank + 1), taken from a cached
 * table of log2() values so results equal a direct call bit for bit.
 */
#define _GNU_SOURCE
#include "err.h"
#include "msort.h"
#include "treceval_impl.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const double *lc_te_log2_table(double **tab, size_t *cap, size_t n)
{
	if (n > *cap) {
		size_t nc = *cap ? *cap : 1024;
		while (nc < n)
			nc *= 2;
		*tab = lc_xrealloc(*tab, nc * sizeof **tab);
		for (size_t i = *cap; i < nc; i++)
			(*tab)[i] = log2((double)(i + 2));
		*cap = nc;
	}
	return *tab;
}

static int valid_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* trec_eval's comp_rel_gain: the difference of two gains converted to int,
 * so gains less than 1 apart compare equal (0.5 ties with 0, 1.2 with 1.5);
 * out of int's range x86's conversion gives INT_MIN. */
static int cmp_gain(const void *a, const void *b, void *arg)
{
	const lc_te_gains *g = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	double d = g->gain[x] - g->gain[y];
	if (!(d > (double)INT_MIN - 1.0 && d < (double)INT_MAX + 1.0))
		return INT_MIN;
	return (int)d;
}

void lc_te_gains_setup(const lc_te_params *p, const lc_te_rr *rr, lc_te_gains *g)
{
	size_t np = p ? p->n : 0;
	size_t cap = (size_t)rr->num_rel_levels + np;
	long *level = lc_xmalloc((cap + 1) * sizeof *level);
	double *gain = lc_xmalloc((cap + 1) * sizeof *gain);
	long *count = lc_xmalloc((cap + 1) * sizeof *count);
	size_t n = 0;
	for (size_t i = 0; i < np; i++) {
		if (!p->p || !valid_int(p->p[i].name))
			continue;
		level[n] = atol(p->p[i].name);
		gain[n] = p->p[i].value;
		count[n] = 0;
		n++;
	}
	size_t nparam = n;
	for (long i = 0; i < rr->num_rel_levels; i++) {
		size_t j;
		for (j = 0; j < nparam && level[j] != i; j++)
			;
		if (j < nparam)
			count[j] = rr->rel_levels[i];
		else {
			level[n] = i;
			gain[n] = (double)i;
			count[n] = rr->rel_levels[i];
			n++;
		}
	}
	/* sort by increasing gain, as trec_eval's qsort does on Debian 12 (glibc
	 * 2.36's merge sort, lc_msort): cmp_gain is not a total order, so the
	 * result depends on the algorithm and is not left to the C library */
	size_t *ix = lc_xmalloc((n + 1) * sizeof *ix);
	size_t *tmp = lc_xmalloc((n + 1) * sizeof *tmp);
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	g->level = level;
	g->gain = gain;
	g->count = count;
	g->n = n;
	lc_msort(ix, n, sizeof *ix, tmp, cmp_gain, g);
	free(tmp);
	long *l2 = lc_xmalloc((n + 1) * sizeof *l2);
	double *g2 = lc_xmalloc((n + 1) * sizeof *g2);
	long *c2 = lc_xmalloc((n + 1) * sizeof *c2);
	for (size_t i = 0; i < n; i++) {
		l2[i] = level[ix[i]];
		g2[i] = gain[ix[i]];
		c2[i] = count[ix[i]];
	}
	free(ix);
	free(level);
	free(gain);
	free(count);
	g->level = l2;
	g->gain = g2;
	g->count = c2;
}

double lc_te_gain(const lc_te_gains *g, long rel)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->level[i] == rel)
			return g->gain[i];
	return 0.0;
}

void lc_te_gains_free(lc_te_gains *g)
{
	free(g->level);
	free(g->gain);
	free(g->count);
	memset(g, 0, sizeof *g);
}

/* Fast gain lookup for values in [0, n): dense table built from g. */
typedef struct {
	double *dense;
	long n;
	const lc_te_gains *g;
} gainlut;

static void lut_init(gainlut *L, const lc_te_gains *g, long nlev)
{
	L->g = g;
	L->n = nlev < 4096 ? nlev : 0;
	L->dense = L->n ? lc_xmalloc((size_t)L->n * sizeof *L->dense) : NULL;
	for (long i = 0; i < L->n; i++)
		L->dense[i] = lc_te_gain(g, i);
}

static inline double lut(const gainlut *L, long rel)
{
	if (rel >= 0 && rel < L->n)
		return L->dense[rel];
	if (rel < 0 && rel != LC_TE_NONPOOL && rel != LC_TE_UNJUDGED)
		return lc_te_gain(L->g, rel);
	if (rel < 0)
		return lc_te_gain(L->g, rel);
	return lc_te_gain(L->g, rel);
}

static void lut_free(gainlut *L) { free(L->dense); }

/* 1 when docs outside the judged ranks (rr->jpos) have gain 0, so a sum over
 * the ranks may visit rr->jpos only: the same additions in the same order. */
static int only_judged(const gainlut *L)
{
	return lut(L, LC_TE_NONPOOL) == 0 && lut(L, LC_TE_UNJUDGED) == 0;
}

/* Index of the first judged rank >= i. */
static long jpos_from(const lc_te_rr *rr, long i)
{
	long k = 0;
	while (k < rr->num_jpos && rr->jpos[k] < i)
		k++;
	return k;
}

/* results_dcg over ranks i .. num_ret-1 (the tail of ndcg, ndcg_rel, Rndcg). */
static double dcg_tail(const lc_te_rr *rr, const gainlut *L, const double *lg, long i, double dcg)
{
	if (only_judged(L)) {
		for (long k = jpos_from(rr, i); k < rr->num_jpos; k++) {
			long x = rr->jpos[k];
			double rg = lut(L, rr->rel[x]);
			if (rg != 0)
				dcg += rg / lg[x];
		}
		return dcg;
	}
	for (; i < rr->num_ret; i++) {
		double rg = lut(L, rr->rel[i]);
		if (rg != 0)
			dcg += rg / lg[i];
	}
	return dcg;
}

/* Ideal ranking walker: yields the gain at successive ideal ranks. */
typedef struct {
	const lc_te_gains *g;
	long cur;
	long num_at;
	double gain;
} ideal;

static void ideal_init(ideal *I, const lc_te_gains *g)
{
	I->g = g;
	I->cur = (long)g->n - 1;
	I->gain = I->cur >= 0 ? g->gain[I->cur] : 0.0;
	I->num_at = 0;
}

static inline void ideal_step(ideal *I)
{
	I->num_at++;
	while (I->cur >= 0 && I->num_at > I->g->count[I->cur]) {
		I->num_at = 1;
		I->cur--;
		I->gain = I->cur >= 0 ? I->g->gain[I->cur] : 0.0;
	}
}

/* The run's dcg and the ideal ranking's, as trec_eval's te_calc_ndcg sums them
 * (its one function behind ndcg, dcg and ideal_dcg). */
static void dcg_pair(const lc_te_params *p, const lc_te_rr *rr, double *results, double *ideal_out)
{
	lc_te_gains g;
	lc_te_gains_setup(p, rr, &g);
	gainlut L;
	lut_init(&L, &g, rr->num_rel_levels);
	const double *lg = rr->lg;
	double results_dcg = 0.0, ideal_dcg = 0.0;
	ideal I;
	ideal_init(&I, &g);
	long i;
	for (i = 0; i < rr->num_ret && I.gain > 0.0; i++) {
		double rg = lut(&L, rr->rel[i]);
		if (rg != 0)
			results_dcg += rg / lg[i];
		ideal_step(&I);
		if (I.gain > 0.0)
			ideal_dcg += I.gain / lg[i];
	}
	if (i < rr->num_ret) {
		results_dcg = dcg_tail(rr, &L, lg, i, results_dcg);
		i = rr->num_ret;
	}
	while (I.gain > 0.0) {
		ideal_step(&I);
		if (I.gain > 0.0)
			ideal_dcg += I.gain / log2((double)(i + 2));
		i++;
	}
	*results = results_dcg;
	*ideal_out = ideal_dcg;
	lut_free(&L);
	lc_te_gains_free(&g);
}

void lc_te_calc_ndcg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double results_dcg, ideal_dcg;
	dcg_pair(p, rr, &results_dcg, &ideal_dcg);
	if (ideal_dcg > 0.0)
		out[0] = results_dcg / ideal_dcg;
}

void lc_te_calc_dcg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double ideal_dcg;
	dcg_pair(p, rr, &out[0], &ideal_dcg);
}

void lc_te_calc_ideal_dcg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double results_dcg;
	dcg_pair(p, rr, &results_dcg, &out[0]);
}

void lc_te_calc_ndcg_rel(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	lc_te_gains g;
	lc_te_gains_setup(p, rr, &g);
	gainlut L;
	lut_init(&L, &g, rr->num_rel_levels);
	const double *lg = rr->lg;
	double results_dcg = 0.0, ideal_dcg = 0.0, sum = 0.0;
	long num_rel_ret = 0, num_rel = 0;
	ideal I;
	ideal_init(&I, &g);
	long i;
	for (i = 0; i < rr->num_ret && I.gain > 0.0; i++) {
		double rg = lut(&L, rr->rel[i]);
		if (rg != 0)
			results_dcg += rg / lg[i];
		ideal_step(&I);
		if (I.gain > 0.0) {
			num_rel++;
			ideal_dcg += I.gain / lg[i];
		}
		if (rg > 0) {
			sum += results_dcg / ideal_dcg;
			num_rel_ret++;
		}
	}
	if (i < rr->num_ret && only_judged(&L)) {
		for (long k = jpos_from(rr, i); k < rr->num_jpos; k++) {
			long x = rr->jpos[k];
			double rg = lut(&L, rr->rel[x]);
			if (rg != 0)
				results_dcg += rg / lg[x];
			if (rg > 0) {
				sum += results_dcg / ideal_dcg;
				num_rel_ret++;
			}
		}
		i = rr->num_ret;
	}
	for (; i < rr->num_ret; i++) {
		double rg = lut(&L, rr->rel[i]);
		if (rg != 0)
			results_dcg += rg / lg[i];
		if (rg > 0) {
			sum += results_dcg / ideal_dcg;
			num_rel_ret++;
		}
	}
	while (I.gain > 0.0) {
		ideal_step(&I);
		if (I.gain > 0.0) {
			num_rel++;
			ideal_dcg += I.gain / log2((double)(i + 2));
		}
		i++;
	}
	sum += ((double)(num_rel - num_rel_ret)) * results_dcg / ideal_dcg;
	if (sum > 0.0)
		out[0] = sum / num_rel;
	lut_free(&L);
	lc_te_gains_free(&g);
}

void lc_te_calc_Rndcg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (rr->num_rel == 0)
		return;
	lc_te_gains g;
	lc_te_gains_setup(p, rr, &g);
	gainlut L;
	lut_init(&L, &g, rr->num_rel_levels);
	const double *lg = rr->lg;
	double results_dcg = 0.0, ideal_dcg = 0.0, sum = 0.0;
	long nchanged = 0;
	ideal I;
	ideal_init(&I, &g);
	double old = I.gain;
	long i;
	for (i = 0; i < rr->num_ret && I.gain > 0.0; i++) {
		double rg = lut(&L, rr->rel[i]);
		ideal_step(&I);
		if (old != I.gain) {
			if (ideal_dcg > 0.0) {
				sum += results_dcg / ideal_dcg;
				nchanged++;
			}
			old = I.gain;
		}
		if (rg != 0)
			results_dcg += rg / lg[i];
		if (I.gain > 0.0)
			ideal_dcg += I.gain / lg[i];
	}
	if (i < rr->num_ret) {
		results_dcg = dcg_tail(rr, &L, lg, i, results_dcg);
		i = rr->num_ret;
		if (ideal_dcg > 0.0) {
			sum += results_dcg / ideal_dcg;
			nchanged++;
		}
	}
	while (I.gain > 0.0) {
		ideal_step(&I);
		if (old != I.gain) {
			if (ideal_dcg > 0.0) {
				sum += results_dcg / ideal_dcg;
				nchanged++;
			}
			old = I.gain;
		}
		if (I.gain > 0.0)
			ideal_dcg += I.gain / log2((double)(i + 2));
		i++;
	}
	out[0] = sum / nchanged;
	lut_free(&L);
	lc_te_gains_free(&g);
}

void lc_te_calc_ndcg_cut(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	lc_te_gains g;
	lc_te_gains_setup(NULL, rr, &g);
	gainlut L;
	lut_init(&L, &g, rr->num_rel_levels);
	const double *lg = rr->lg;
	size_t ci = 0;
	double dcg = 0.0;
	if (only_judged(&L)) {
		/* the loop below, stepping from event to event: a judged rank or the
		 * next cutoff (one that was passed is never met, as below) */
		long k = 0;
		for (long i = 0;;) {
			long nj = k < rr->num_jpos ? rr->jpos[k] : rr->num_ret;
			long nc = ci < p->n && p->l[ci] >= i ? p->l[ci] : LONG_MAX;
			i = nj < nc ? nj : nc;
			if (i >= rr->num_ret)
				break;
			if (i == p->l[ci]) {
				out[ci] = dcg;
				if (++ci == p->n)
					break;
			}
			if (k < rr->num_jpos && rr->jpos[k] == i) {
				double rg = lut(&L, rr->rel[i]);
				if (rg != 0)
					dcg += rg / lg[i];
				k++;
			}
			i++;
		}
	} else
		for (long i = 0; i < rr->num_ret; i++) {
			if (i == p->l[ci]) {
				out[ci] = dcg;
				if (++ci == p->n)
					break;
			}
			double rg = lut(&L, rr->rel[i]);
			if (rg != 0)
				dcg += rg / lg[i];
		}
	for (; ci < p->n; ci++)
		out[ci] = dcg;
	/* ideal dcg at each cutoff */
	ideal I;
	ideal_init(&I, &g);
	double idcg = 0.0;
	ci = 0;
	for (long i = 0; ci < p->n; i++) {
		if (i == p->l[ci]) {
			if (idcg > 0.0)
				out[ci] /= idcg;
			else
				out[ci] = 0.0;
			ci++;
			i--;
			continue;
		}
		ideal_step(&I);
		if (I.gain <= 0.0)
			break;
		idcg += I.gain / log2((double)(i + 2));
	}
	for (; ci < p->n; ci++) {
		if (idcg > 0.0)
			out[ci] /= idcg;
		else
			out[ci] = 0.0;
	}
	lut_free(&L);
	lc_te_gains_free(&g);
}

void lc_te_calc_binG(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long rel_so_far = 0;
	double sum = 0.0;
	for (long i = 0; i < rr->num_ret; i++)
		if (rr->rel[i] >= o->rel_level) {
			rel_so_far++;
			sum += 1.0 / log2((double)(3 + i - rel_so_far));
		}
	if (rel_so_far)
		out[0] = sum / (double)rr->num_rel;
}

void lc_te_calc_G(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	lc_te_gains g;
	lc_te_gains_setup(p, rr, &g);
	gainlut L;
	lut_init(&L, &g, rr->num_rel_levels);
	double results_g = 0.0, sum_results = 0.0, sum_ideal = 0.0, sum_cost = 0.0, min_cost = 1.0;
	ideal I;
	ideal_init(&I, &g);
	long i;
	for (i = 0; i < rr->num_ret && I.gain > 0.0; i++) {
		double rg = lut(&L, rr->rel[i]);
		sum_results += rg;
		ideal_step(&I);
		if (I.gain > 0.0)
			sum_ideal += I.gain;
		if (I.gain >= min_cost)
			sum_cost += I.gain;
		else
			sum_cost += min_cost;
		if (rg != 0)
			results_g += rg / log2((double)(2 + sum_cost - sum_results));
	}
	for (; i < rr->num_ret; i++) {
		double rg = lut(&L, rr->rel[i]);
		sum_results += rg;
		sum_cost += min_cost;
		if (rg != 0)
			results_g += rg / log2((double)(2 + sum_cost - sum_results));
	}
	while (I.gain > 0.0) {
		ideal_step(&I);
		if (I.gain > 0.0)
			sum_ideal += I.gain;
	}
	if (sum_ideal > 0.0)
		out[0] = results_g / sum_ideal;
	lut_free(&L);
	lc_te_gains_free(&g);
}

void lc_te_calc_rbp(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double pp = 0.9;
	if (p && p->p)
		for (size_t i = 0; i < p->n; i++)
			if (!strcmp(p->p[i].name, "p"))
				pp = p->p[i].value;
	lc_te_gains g;
	lc_te_gains_setup(p, rr, &g);
	/* min/max start at the extremes (trec_eval leaves them uninitialised) */
	double mn = HUGE_VAL, mx = -HUGE_VAL;
	for (size_t i = 0; i < g.n; i++) {
		if (g.gain[i] < mn)
			mn = g.gain[i];
		if (g.gain[i] > mx)
			mx = g.gain[i];
	}
	if (mn < 0 || mx > 1)
		for (size_t i = 0; i < g.n; i++)
			g.gain[i] = (g.gain[i] - mn) / (mx - mn);
	gainlut L;
	lut_init(&L, &g, rr->num_rel_levels);
	double sum = 0.0, cur_p = 1.0;
	for (long i = 0; i < rr->num_ret; i++) {
		double gn = lut(&L, rr->rel[i]);
		if (gn != 0)
			sum += gn * cur_p;
		cur_p = cur_p * pp;
	}
	out[0] = (1.0 - pp) * sum;
	lut_free(&L);
	lc_te_gains_free(&g);
}
