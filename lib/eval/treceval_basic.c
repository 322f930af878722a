/*
 * treceval_basic — trec_eval's binary-relevance measures: counts, map, P,
 * recall, R-precision, bpref, infAP, interpolated precision, utility, set
 * measures, success, unjudged fractions, yaap.  Each function fills out[] (zeroed by
 * the caller) for one topic; the arithmetic follows trec_eval 10.0 operation for
 * operation so the doubles (and their %6.4f rounding) agree.
 */
#include "err.h"
#include "treceval_impl.h"

#include <math.h>
#include <stdlib.h>

#define MIN_GEO_MEAN 0.00001
#define INFAP_EPSILON 0.00001

static inline int isrel(const lc_te_opts *o, long r) { return r >= o->rel_level; }

void lc_te_calc_num_ret(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = (double)rr->num_ret;
}

void lc_te_calc_num_rel(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = (double)rr->num_rel;
}

void lc_te_calc_num_rel_ret(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = (double)rr->num_rel_ret;
}

static double ap_sum(const lc_te_opts *o, const lc_te_rr *rr, long *nrel)
{
	long rel_so_far = 0;
	double sum = 0.0;
	for (long i = 0; i < rr->num_ret; i++)
		if (isrel(o, rr->rel[i])) {
			rel_so_far++;
			sum += (double)rel_so_far / (double)(i + 1);
		}
	*nrel = rel_so_far;
	return sum;
}

void lc_te_calc_map(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long n;
	double sum = ap_sum(o, rr, &n);
	if (n)
		out[0] = sum / (double)rr->num_rel;
}

void lc_te_calc_gm_map(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long n;
	double sum = ap_sum(o, rr, &n);
	if (n)
		sum = sum / (double)rr->num_rel;
	out[0] = log(sum > MIN_GEO_MEAN ? sum : MIN_GEO_MEAN);
}

/* Robertson's yaap: log((1 + sum) / (1 + num_rel - sum)), sum = map's sum of
 * precisions at the relevant ranks. */
void lc_te_calc_yaap(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long n;
	double sum = ap_sum(o, rr, &n);
	out[0] = log((1.0 + sum) / (1.0 + (double)rr->num_rel - sum));
}

void lc_te_calc_Rprec(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long look = rr->num_ret < rr->num_rel ? rr->num_ret : rr->num_rel;
	if (!look)
		return;
	long rel_so_far = 0;
	for (long i = 0; i < look; i++)
		if (isrel(o, rr->rel[i]))
			rel_so_far++;
	out[0] = (double)rel_so_far / (double)rr->num_rel;
}

static double bpref(const lc_te_opts *o, const lc_te_rr *rr)
{
	long num_nonrel = 0;
	for (long j = 0; j < o->rel_level && j < rr->num_rel_levels; j++)
		num_nonrel += rr->rel_levels[j];
	long nonrel_so_far = 0;
	double b = 0.0;
	for (long j = 0; j < rr->num_ret; j++) {
		long r = rr->rel[j];
		if (r == LC_TE_NONPOOL || r == LC_TE_UNJUDGED)
			continue;
		if (r >= 0 && r < o->rel_level)
			nonrel_so_far++;
		else {
			if (nonrel_so_far > 0) {
				long a = nonrel_so_far < rr->num_rel ? nonrel_so_far : rr->num_rel;
				long c = num_nonrel < rr->num_rel ? num_nonrel : rr->num_rel;
				b += 1.0 - ((double)a / (double)c);
			} else
				b += 1.0;
		}
	}
	if (rr->num_rel)
		b /= rr->num_rel;
	return b;
}

void lc_te_calc_bpref(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = bpref(o, rr);
}

void lc_te_calc_gm_bpref(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double b = bpref(o, rr);
	out[0] = log(b > MIN_GEO_MEAN ? b : MIN_GEO_MEAN);
}

void lc_te_calc_recip_rank(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	for (long i = 0; i < rr->num_ret; i++)
		if (isrel(o, rr->rel[i])) {
			out[0] = 1.0 / (double)(i + 1);
			return;
		}
}

/* Interpolated precision at recall fractions (lround, as in 10.0); sum or values. */
static void iprec(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out, double *sum)
{
	long n = (long)p->n;
	long cut[64], *cutoffs = n <= 64 ? cut : lc_xmalloc((size_t)n * sizeof *cutoffs);
	for (long i = 0; i < n; i++)
		cutoffs[i] = lround(p->d[i] * rr->num_rel);
	long cur = n - 1;
	while (cur >= 0 && cutoffs[cur] > rr->num_rel_ret)
		cur--;
	/* a run query with no hits (JSONL "hits": [], which TREC text cannot say)
	 * has precision 0 at every recall, as a query -c fills in (trec_eval's one
	 * bogus document); 0 / 0 would print nan */
	double precis = rr->num_ret ? (double)rr->num_rel_ret / (double)rr->num_ret : 0.0;
	double int_precis = precis;
	long rel_so_far = rr->num_rel_ret;
	for (long i = rr->num_ret; i > 0 && rel_so_far > 0; i--) {
		precis = (double)rel_so_far / (double)i;
		if (int_precis < precis)
			int_precis = precis;
		if (isrel(o, rr->rel[i - 1])) {
			while (cur >= 0 && rel_so_far == cutoffs[cur]) {
				if (out)
					out[cur] = int_precis;
				else
					*sum += int_precis;
				cur--;
			}
			rel_so_far--;
		}
	}
	while (cur >= 0) {
		if (out)
			out[cur] = int_precis;
		else
			*sum += int_precis;
		cur--;
	}
	if (cutoffs != cut)
		free(cutoffs);
}

void lc_te_calc_iprec_at_recall(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	iprec(p, o, rr, out, NULL);
}

void lc_te_calc_11pt_avg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double sum = 0.0;
	iprec(p, o, rr, NULL, &sum);
	out[0] = sum / (double)p->n;
}

/* Shared shape of the cutoff measures: walk ranks, emit at each cutoff. */
#define CUTOFF_WALK(COUNT_EXPR, EMIT_AT_I, EMIT_REST)                              \
	do {                                                                       \
		size_t ci = 0;                                                     \
		long so_far = 0;                                                   \
		for (long i = 0; i < rr->num_ret; i++) {                           \
			if (i == p->l[ci]) {                                       \
				EMIT_AT_I;                                         \
				if (++ci == p->n)                                  \
					break;                                     \
			}                                                          \
			if (COUNT_EXPR)                                            \
				so_far++;                                          \
		}                                                                  \
		for (; ci < p->n; ci++) {                                          \
			EMIT_REST;                                                 \
		}                                                                  \
	} while (0)

void lc_te_calc_P(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	CUTOFF_WALK(isrel(o, rr->rel[i]),
	            out[ci] = (double)so_far / (double)i,
	            out[ci] = (double)so_far / (double)p->l[ci]);
}

void lc_te_calc_recall(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (!rr->num_rel)
		return;
	CUTOFF_WALK(isrel(o, rr->rel[i]),
	            out[ci] = (double)so_far / (double)rr->num_rel,
	            out[ci] = (double)so_far / (double)rr->num_rel);
}

void lc_te_calc_success(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	CUTOFF_WALK(isrel(o, rr->rel[i]),
	            out[ci] = so_far ? 1.0 : 0.0,
	            out[ci] = so_far ? 1.0 : 0.0);
}

void lc_te_calc_relative_P(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (!rr->num_rel)
		return;
	CUTOFF_WALK(isrel(o, rr->rel[i]),
	            out[ci] = (double)so_far / (double)(i > rr->num_rel ? rr->num_rel : i),
	            out[ci] = (double)so_far / (double)(p->l[ci] > rr->num_rel ? rr->num_rel : p->l[ci]));
}

void lc_te_calc_unj(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	CUTOFF_WALK(rr->rel[i] == LC_TE_NONPOOL || rr->rel[i] == LC_TE_UNJUDGED,
	            out[ci] = (double)so_far / (double)i,
	            out[ci] = (double)so_far / (double)p->l[ci]);
}

void lc_te_calc_map_cut(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (!rr->num_rel)
		return;
	size_t ci = 0;
	long rel_so_far = 0;
	double sum = 0.0;
	for (long i = 0; i < rr->num_ret; i++) {
		if (i == p->l[ci]) {
			out[ci] = sum / (double)rr->num_rel;
			if (++ci == p->n)
				break;
		}
		if (isrel(o, rr->rel[i])) {
			rel_so_far++;
			sum += (double)rel_so_far / (double)(i + 1);
		}
	}
	for (; ci < p->n; ci++)
		out[ci] = sum / (double)rr->num_rel;
}

void lc_te_calc_infAP(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long nonrel_so_far = 0, rel_so_far = 0, pool_unjudged_so_far = 0;
	double inf_ap = 0.0;
	for (long j = 0; j < rr->num_ret; j++) {
		long r = rr->rel[j];
		if (r == LC_TE_NONPOOL)
			continue;
		if (r == LC_TE_UNJUDGED) {
			pool_unjudged_so_far++;
			continue;
		}
		if (r >= 0 && r < o->rel_level)
			nonrel_so_far++;
		else {
			rel_so_far++;
			if (j == 0)
				inf_ap += 1.0;
			else {
				double fj = (double)j;
				inf_ap += 1.0 / (fj + 1.0) +
				          (fj / (fj + 1.0)) *
				          ((rel_so_far - 1 + nonrel_so_far + pool_unjudged_so_far) / fj) *
				          ((rel_so_far - 1 + INFAP_EPSILON) /
				           (rel_so_far - 1 + nonrel_so_far + 2 * INFAP_EPSILON));
			}
		}
	}
	if (rr->num_rel)
		inf_ap /= rr->num_rel;
	out[0] = inf_ap;
}

void lc_te_calc_Rprec_mult(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long n = (long)p->n;
	long cut[64], *cutoffs = n <= 64 ? cut : lc_xmalloc((size_t)n * sizeof *cutoffs);
	for (long i = 0; i < n; i++)
		cutoffs[i] = (long)(p->d[i] * rr->num_rel + 0.9);
	/* a run query with no hits (JSONL "hits": [], which TREC text cannot say)
	 * has precision 0 at every recall, as a query -c fills in (trec_eval's one
	 * bogus document); 0 / 0 would print nan */
	double precis = rr->num_ret ? (double)rr->num_rel_ret / (double)rr->num_ret : 0.0;
	long cur = n - 1;
	while (cur >= 0 && cutoffs[cur] > rr->num_ret) {
		out[cur] = (double)rr->num_rel_ret / (double)cutoffs[cur];
		cur--;
	}
	long rel_so_far = rr->num_rel_ret;
	for (long i = rr->num_ret; i > 0 && rel_so_far > 0; i--) {
		precis = (double)rel_so_far / (double)i;
		while (cur >= 0 && i == cutoffs[cur]) {
			out[cur] = precis;
			cur--;
		}
		if (isrel(o, rr->rel[i - 1]))
			rel_so_far--;
	}
	if (cutoffs != cut)
		free(cutoffs);
}

void lc_te_calc_utility(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	const double *c = p->d;
	out[0] = c[0] * rr->num_rel_ret + c[1] * (rr->num_ret - rr->num_rel_ret) +
	         c[2] * (rr->num_rel - rr->num_rel_ret) +
	         c[3] * (o->num_docs_in_coll + rr->num_rel_ret - rr->num_ret - rr->num_rel);
}

void lc_te_calc_set_P(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (rr->num_ret)
		out[0] = (double)rr->num_rel_ret / (double)rr->num_ret;
}

void lc_te_calc_set_relative_P(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (rr->num_ret && rr->num_rel)
		out[0] = (double)rr->num_rel_ret / (double)(rr->num_ret < rr->num_rel ? rr->num_ret : rr->num_rel);
}

void lc_te_calc_set_recall(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (rr->num_rel)
		out[0] = (double)rr->num_rel_ret / (double)rr->num_rel;
}

void lc_te_calc_set_map(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (rr->num_ret && rr->num_rel)
		out[0] = ((double)rr->num_rel_ret * (double)rr->num_rel_ret) /
		         ((double)rr->num_ret * (double)rr->num_rel);
}

void lc_te_calc_set_F(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	if (rr->num_ret && rr->num_rel && rr->num_rel_ret) {
		double P = (double)rr->num_rel_ret / (double)rr->num_ret;
		double R = (double)rr->num_rel_ret / (double)rr->num_rel;
		double x = p->d[0];
		out[0] = (x + 1.0) * P * R / (x * P + R);
	}
}

void lc_te_calc_num_nonrel_judged_ret(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long n = 0;
	for (long i = 0; i < rr->num_ret; i++)
		if (rr->rel[i] >= 0 && rr->rel[i] < o->rel_level)
			n++;
	out[0] = (double)n;
}

void lc_te_calc_rbp_resid(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	double pp = 0.9, cur_p = 1.0, sum = 0.0;
	long unj = 0;
	for (long i = 0; i < rr->num_ret; i++) {
		if (rr->rel[i] < 0) {
			unj++;
			sum += cur_p;
		}
		cur_p = cur_p * pp;
	}
	if (unj)
		out[0] = cur_p + (1 - pp) * sum;
}
