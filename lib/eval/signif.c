/*
 * signif — paired t-test, paired randomization test, bootstrap confidence
 * intervals, Holm and Bonferroni corrections: statistics only (lceval prints
 * the tables).  Definitions are in signif.h (and lceval(1)).
 */
#include "signif.h"
#include "err.h"
#include "loft_eval.h"   /* lc_numpy_mean */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Student's t via the regularised incomplete beta function ---- */
static double betacf(double a, double b, double x)
{
	const double eps = 1e-15, fpmin = 1e-300;
	double qab = a + b, qap = a + 1.0, qam = a - 1.0;
	double c = 1.0, d = 1.0 - qab * x / qap;
	if (fabs(d) < fpmin)
		d = fpmin;
	d = 1.0 / d;
	double h = d;
	for (int m = 1; m <= 10000; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < fpmin) d = fpmin;
		c = 1.0 + aa / c;
		if (fabs(c) < fpmin) c = fpmin;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < fpmin) d = fpmin;
		c = 1.0 + aa / c;
		if (fabs(c) < fpmin) c = fpmin;
		d = 1.0 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1.0) < eps)
			break;
	}
	return h;
}

static double betai(double a, double b, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1.0 - x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return bt * betacf(a, b, x) / a;
	return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

double lc_ttest_paired(const double *a, const double *b, size_t n)
{
	if (n < 2)
		return 1.0;
	double mean = 0.0;
	for (size_t i = 0; i < n; i++)
		mean += b[i] - a[i];
	mean /= (double)n;
	double ss = 0.0;
	for (size_t i = 0; i < n; i++) {
		double d = b[i] - a[i] - mean;
		ss += d * d;
	}
	double sd = sqrt(ss / (double)(n - 1));
	if (sd == 0.0)
		return mean == 0.0 ? 1.0 : 0.0;
	double t = mean / (sd / sqrt((double)n));
	double df = (double)(n - 1);
	return betai(0.5 * df, 0.5, df / (df + t * t));
}

double lc_randomization_test(const double *a, const double *b, size_t n, long perms, lc_rng *r)
{
	if (n == 0 || perms <= 0)
		return 1.0;
	double *d = lc_xmalloc(n * sizeof *d);
	double obs = 0.0;
	for (size_t i = 0; i < n; i++) {
		d[i] = b[i] - a[i];
		obs += d[i];
	}
	obs = fabs(obs);
	long ge = 0;
	for (long p = 0; p < perms; p++) {
		double s = 0.0;
		size_t i = 0;
		while (i < n) {
			uint64_t bits = lc_rng_next(r);
			for (int k = 0; k < 64 && i < n; k++, i++)
				s += (bits >> k & 1) ? d[i] : -d[i];
		}
		if (fabs(s) >= obs - 1e-12 * (1.0 + obs))
			ge++;
	}
	free(d);
	return (double)(1 + ge) / (double)(1 + perms);
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static double percentile(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	double f = pos - (double)lo;
	return s[lo] + (s[hi] - s[lo]) * f;
}

void lc_bootstrap_ci(const double *a, const double *b, size_t n, long B, lc_rng *r, double *lo, double *hi)
{
	if (n == 0 || B <= 0) {
		*lo = *hi = 0.0;
		return;
	}
	double *m = lc_xmalloc((size_t)B * sizeof *m);
	for (long k = 0; k < B; k++) {
		double s = 0.0;
		for (size_t i = 0; i < n; i++) {
			size_t j = (size_t)lc_rng_below(r, n);
			s += b[j] - a[j];
		}
		m[k] = s / (double)n;
	}
	qsort(m, (size_t)B, sizeof *m, cmp_d);
	*lo = percentile(m, (size_t)B, 0.025);
	*hi = percentile(m, (size_t)B, 0.975);
	free(m);
}

double lc_ndtr(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

double lc_ndtri(double p)
{
	if (!(p > 0.0 && p < 1.0))
		return p == 0.0 ? -INFINITY : p == 1.0 ? INFINITY : NAN;
	/* Acklam's rational approximation, then two Halley steps on erfc */
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
	                            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
	                            6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
	                            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
	                            3.754408661907416e+00 };
	double x;
	if (p < 0.02425) {
		double q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		double q = sqrt(-2 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		double q = p - 0.5, r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	for (int it = 0; it < 2; it++) {
		double e = lc_ndtr(x) - p;
		double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
		x = x - u / (1 + x * u / 2);
	}
	return x;
}

/* numpy.percentile(sorted s, q) with the default 'linear' method. */
static double np_percentile(const double *s, size_t n, double q)
{
	double vi = q / 100.0 * (double)(n - 1);
	if (vi <= 0)
		return s[0];
	if (vi >= (double)(n - 1))
		return s[n - 1];
	size_t lo = (size_t)floor(vi);
	double t = vi - (double)lo, x = s[lo], y = s[lo + 1], diff = y - x;
	return t >= 0.5 ? y - diff * (1 - t) : x + diff * t;
}

/* numpy's sum of a float64 array (pairwise), as lc_numpy_mean without the division. */
static double np_sum(const double *v, size_t n)
{
	return n ? lc_numpy_mean(v, n) * (double)n : 0.0;
}

int lc_bootstrap_interval(const double *a, const double *b, size_t n, const lc_signif_opts *so, lc_rng *r,
                          double *lo, double *hi)
{
	long B = so->bootstrap;
	*lo = *hi = 0.0;
	if (so->boot_idx && so->boot_n != n)
		return -1;
	if (n == 0 || B <= 0)
		return 0;
	double *d = lc_xmalloc(n * sizeof *d), *rs = lc_xmalloc(n * sizeof *rs);
	double *m = lc_xmalloc((size_t)B * sizeof *m);
	for (size_t i = 0; i < n; i++)
		d[i] = b[i] - a[i];
	for (long k = 0; k < B; k++) {
		for (size_t i = 0; i < n; i++) {
			size_t j = so->boot_idx ? so->boot_idx[(size_t)k * n + i] : (size_t)lc_rng_below(r, n);
			rs[i] = d[j];
		}
		m[k] = lc_numpy_mean(rs, n);
	}
	const double alpha = (1.0 - 0.95) / 2;   /* as SciPy computes it: 0.025000000000000022 */
	double q1 = alpha * 100, q2 = (1 - alpha) * 100;
	if (so->ci == LC_CI_BCA && n > 1) {
		double theta = lc_numpy_mean(d, n);
		size_t lt = 0, le = 0;
		for (long k = 0; k < B; k++) {
			lt += m[k] < theta;
			le += m[k] <= theta;
		}
		double z0 = lc_ndtri((double)(lt + le) / (double)(2 * B));
		/* jackknife: the mean without topic i */
		double *ji = lc_xmalloc(n * sizeof *ji);
		for (size_t i = 0; i < n; i++) {
			size_t w = 0;
			for (size_t j = 0; j < n; j++)
				if (j != i)
					rs[w++] = d[j];
			ji[i] = lc_numpy_mean(rs, n - 1);
		}
		double dot = lc_numpy_mean(ji, n);
		double *u3 = lc_xmalloc(n * sizeof *u3), *u2 = lc_xmalloc(n * sizeof *u2);
		for (size_t i = 0; i < n; i++) {
			double u = (double)(n - 1) * (dot - ji[i]);
			u2[i] = u * u;
			u3[i] = u * u * u;
		}
		double nn = (double)n;
		double num = np_sum(u3, n) / (nn * nn * nn), den = np_sum(u2, n) / (nn * nn);
		double ahat = 1.0 / 6 * num / pow(den, 1.5);
		double za = lc_ndtri(alpha), n1 = z0 + za, n2 = z0 - za;
		double a1 = lc_ndtr(z0 + n1 / (1 - ahat * n1)), a2 = lc_ndtr(z0 + n2 / (1 - ahat * n2));
		if (isfinite(a1) && isfinite(a2)) {
			q1 = a1 * 100;
			q2 = a2 * 100;
		}
		free(ji);
		free(u3);
		free(u2);
	}
	qsort(m, (size_t)B, sizeof *m, cmp_d);
	*lo = np_percentile(m, (size_t)B, q1);
	*hi = np_percentile(m, (size_t)B, q2);
	free(d);
	free(rs);
	free(m);
	return 0;
}

void lc_holm(const double *p, size_t n, double *adj)
{
	size_t *ix = lc_xmalloc((n + 1) * sizeof *ix);
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && p[ix[j]] < p[ix[j - 1]]; j--) {
			size_t t = ix[j];
			ix[j] = ix[j - 1];
			ix[j - 1] = t;
		}
	double run = 0.0;
	for (size_t i = 0; i < n; i++) {
		double v = (double)(n - i) * p[ix[i]];
		if (v > 1.0)
			v = 1.0;
		if (v < run)
			v = run;
		run = v;
		adj[ix[i]] = v;
	}
	free(ix);
}

void lc_bonferroni(const double *p, size_t n, double *adj)
{
	for (size_t i = 0; i < n; i++)
		adj[i] = fmin(1.0, (double)n * p[i]);
}

void lc_p_adjust(int correction, const double *p, size_t n, double *adj)
{
	if (correction == LC_CORR_HOLM)
		lc_holm(p, n, adj);
	else if (correction == LC_CORR_BONFERRONI)
		lc_bonferroni(p, n, adj);
	else
		memcpy(adj, p, n * sizeof *adj);
}
