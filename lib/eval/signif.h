/*
 * signif — significance tests between paired per-topic scores (statistics
 * only: lceval's cmd/lceval/ prints the comparison tables).
 *
 * For runs A (baseline) and B with per-topic scores a_i, b_i and d_i = b_i - a_i
 * over the n topics both were evaluated on:
 *   paired t-test: t = mean(d) / (sd(d)/sqrt(n)), sd with n-1; two-sided p from
 *     Student's t with n-1 degrees of freedom (regularised incomplete beta);
 *     p = 1 when every d_i is 0, p = 0 when sd = 0 but mean != 0;
 *   paired randomization test: each of P permutations flips the sign of every
 *     d_i with probability 1/2; p = (1 + #{|mean(d*)| >= |mean(d)|}) / (1 + P)
 *     (two-sided, counting the observed labelling once);
 *   bootstrap 95% CI of mean(d): B resamples of the topics with replacement
 *     (drawn from lc_rng, or given as index rows to reproduce another tool's
 *     resamples), each resample's mean taken as numpy.mean takes it; then
 *     LC_CI_BCA (default), SciPy's scipy.stats.bootstrap method='BCa' (1.10):
 *       z0 = ndtri((#{m < theta} + #{m <= theta}) / 2B), theta = mean(d);
 *       a = sum(U^3)/n^3 / (6 (sum(U^2)/n^2)^1.5), U_i = (n-1)(mean of the
 *         jackknife means - jackknife mean without topic i);
 *       alpha_1,2 = ndtr(z0 + (z0 -/+ z)/(1 - a (z0 -/+ z))), z = ndtri(0.975);
 *       the interval is numpy.percentile of the B means at 100 alpha_1,2;
 *     when that is undefined (a = 0/0: every d_i equal) the percentile
 *     interval is given, where SciPy gives nan;
 *     LC_CI_PERCENTILE: numpy.percentile at 2.5 and 97.5 (SciPy's
 *     method='percentile');
 *   Holm correction over m comparisons (lceval: every pair of runs, one
 *     measure): sort p ascending, p'_(j) = max over i <= j of min(1, (m-i+1) p_(i));
 *   Bonferroni correction: p'_i = min(1, m p_i).
 * Randomness: lc_rng (rng.h) seeded from --seed; the stream is
 * restarted for every (measure, run) pair so results do not depend on the
 * measure selection.
 */
#ifndef LC_SIGNIF_H
#define LC_SIGNIF_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

enum { LC_CI_BCA = 0, LC_CI_PERCENTILE = 1 };
/* The test whose corrected p decides significance, and the correction. */
enum { LC_TEST_RANDOMIZATION = 0, LC_TEST_T = 1 };
enum { LC_CORR_HOLM = 0, LC_CORR_BONFERRONI = 1, LC_CORR_NONE = 2 };

typedef struct lc_signif_opts {
	long permutations;
	long bootstrap;
	unsigned long seed;
	double alpha;
	int ci;                   /* LC_CI_* */
	const uint32_t *boot_idx; /* [bootstrap * boot_n] resample indices (row k = resample k), or NULL */
	size_t boot_n;            /* topics per given resample (must equal the topics compared) */
	int test;                 /* LC_TEST_* */
	int correction;           /* LC_CORR_* */
} lc_signif_opts;


double lc_ttest_paired(const double *a, const double *b, size_t n);
double lc_randomization_test(const double *a, const double *b, size_t n, long perms, lc_rng *r);
void lc_bootstrap_ci(const double *a, const double *b, size_t n, long B, lc_rng *r, double *lo, double *hi);
/* The interval so->ci of mean(b - a) over so->bootstrap resamples (so->boot_idx,
 * else drawn from r).  0, or -1 when boot_idx rows do not have n indices. */
int lc_bootstrap_interval(const double *a, const double *b, size_t n, const lc_signif_opts *so, lc_rng *r,
                          double *lo, double *hi);
/* Standard normal CDF and its inverse (double precision). */
double lc_ndtr(double x);
double lc_ndtri(double p);
/* Corrected p-values adj[n] (caller's array) of p[n]. */
void lc_holm(const double *p, size_t n, double *adj);
void lc_bonferroni(const double *p, size_t n, double *adj);
/* correction = LC_CORR_*: Holm, Bonferroni, or adj = p. */
void lc_p_adjust(int correction, const double *p, size_t n, double *adj);

#endif
