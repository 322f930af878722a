/*
 * signif — paired t-test, paired randomization test, bootstrap confidence
 * intervals, Holm correction, and lceval's multi-run table / JSON output.
 * Definitions are in signif.h (and lceval(1)).
 */
#include "signif.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "loft_eval.h"
#include "run.h"

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

/* ---- the table ---- */

typedef struct {
	double diff, lo, hi, pt, pr, pt_h, pr_h;
} cmpres;

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Computes tests for every (run > 0, measure) pair: out[(r-1)*nm + k]. */
static cmpres *compute(const lc_signif_input *in, const lc_signif_opts *so)
{
	size_t nm = in->nm, nq = in->nq, nr = in->nruns;
	if (so->boot_idx && nr > 1 && so->boot_n != nq)
		lc_die(2, "--bootstrap-indices: the resamples have %zu indices each, the comparison has %zu topics",
		       so->boot_n, nq);
	cmpres *c = lc_xcalloc((nr ? nr : 1) * (nm ? nm : 1), sizeof *c);
	double *a = lc_xmalloc((nq + 1) * sizeof *a), *b = lc_xmalloc((nq + 1) * sizeof *b);
	for (size_t k = 0; k < nm; k++) {
		if (!in->testable[k])
			continue;
		for (size_t r = 1; r < nr; r++) {
			for (size_t i = 0; i < nq; i++) {
				a[i] = in->perq[0][i * nm + k];
				b[i] = in->perq[r][i * nm + k];
			}
			cmpres *x = &c[(r - 1) * nm + k];
			double s = 0.0;
			for (size_t i = 0; i < nq; i++)
				s += b[i] - a[i];
			x->diff = nq ? s / (double)nq : 0.0;
			x->pt = lc_ttest_paired(a, b, nq);
			lc_rng rng;
			lc_rng_seed(&rng, so->seed * 1000003ull + r);
			x->pr = lc_randomization_test(a, b, nq, so->permutations, &rng);
			lc_rng_seed(&rng, so->seed * 1000003ull + r + 0x5bd1e995ull);
			lc_bootstrap_interval(a, b, nq, so, &rng, &x->lo, &x->hi);
		}
		if (nr > 1) {
			double *p = lc_xmalloc(nr * sizeof *p), *adj = lc_xmalloc(nr * sizeof *adj);
			for (size_t r = 1; r < nr; r++)
				p[r - 1] = c[(r - 1) * nm + k].pt;
			lc_holm(p, nr - 1, adj);
			for (size_t r = 1; r < nr; r++)
				c[(r - 1) * nm + k].pt_h = adj[r - 1];
			for (size_t r = 1; r < nr; r++)
				p[r - 1] = c[(r - 1) * nm + k].pr;
			lc_holm(p, nr - 1, adj);
			for (size_t r = 1; r < nr; r++)
				c[(r - 1) * nm + k].pr_h = adj[r - 1];
			free(p);
			free(adj);
		}
	}
	free(a);
	free(b);
	return c;
}

void lc_signif_table_generic(const lc_signif_input *in, const lc_signif_opts *so, lc_output *out)
{
	size_t nm = in->nm, nr = in->nruns;
	cmpres *c = compute(in, so);
	lc_buf b = { 0 };
	for (size_t i = 0; in->qids && i < in->nq; i++)
		for (size_t k = 0; k < nm; k++) {
			lc_buf_printf(&b, "%-22s\t%s", in->mnames[k], in->qids[i]);
			for (size_t r = 0; r < nr; r++) {
				double v = in->perq[r][i * nm + k];
				if (in->is_long[k])
					lc_buf_printf(&b, "\t%ld", (long)v);
				else
					lc_buf_printf(&b, "\t%6.4f", v);
			}
			lc_buf_addc(&b, '\n');
		}
	if (in->qids && in->nq)
		lc_buf_addc(&b, '\n');
	lc_buf_printf(&b, "%-22s", "measure");
	for (size_t r = 0; r < nr; r++)
		lc_buf_printf(&b, "\t%-12s", base(in->runnames[r]));
	while (b.len && b.p[b.len - 1] == ' ')
		b.len--;
	lc_buf_addc(&b, '\n');
	for (size_t k = 0; k < nm; k++) {
		lc_buf_printf(&b, "%-22s", in->mnames[k]);
		for (size_t r = 0; r < nr; r++) {
			double v = in->summary[r][k];
			char mark = ' ';
			if (r > 0 && in->testable[k] && c[(r - 1) * nm + k].pr_h < so->alpha)
				mark = c[(r - 1) * nm + k].diff > 0 ? '+' : c[(r - 1) * nm + k].diff < 0 ? '-' : ' ';
			if (in->is_long[k])
				lc_buf_printf(&b, "\t%-10ld%c ", (long)v, ' ');
			else
				lc_buf_printf(&b, "\t%-10.4f%c ", v, mark);
		}
		while (b.len && b.p[b.len - 1] == ' ')
			b.len--;
		lc_buf_addc(&b, '\n');
	}
	for (size_t r = 1; r < nr; r++) {
		lc_buf_printf(&b, "\n# %s vs %s (baseline), %zu topics; +/- = Holm-corrected randomization p < %g\n",
		              base(in->runnames[r]), base(in->runnames[0]), in->nq, so->alpha);
		lc_buf_printf(&b, "%-22s\t%8s\t%-19s\t%8s\t%8s\t%8s\t%8s\n", "measure", "diff", "95% CI",
		              "p_t", "p_t_holm", "p_rand", "p_rand_holm");
		for (size_t k = 0; k < nm; k++) {
			if (!in->testable[k])
				continue;
			cmpres *x = &c[(r - 1) * nm + k];
			char ci[64];
			snprintf(ci, sizeof ci, "[%.4f, %.4f]", x->lo, x->hi);
			lc_buf_printf(&b, "%-22s\t%+8.4f\t%-19s\t%8.4f\t%8.4f\t%8.4f\t%8.4f\n", in->mnames[k], x->diff, ci,
			              x->pt, x->pt_h, x->pr, x->pr_h);
		}
	}
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
	free(c);
}

/* Builds the generic input from trec results: FLOAT and LONG and GM values. */
static void from_trec(const lc_te *t, const lc_te_result *res, size_t nruns, char **names, lc_signif_input *in,
                      size_t **map_out)
{
	size_t nv = lc_te_nvalues(t);
	size_t *map = lc_xmalloc((nv + 1) * sizeof *map);
	size_t nm = 0;
	for (size_t k = 0; k < nv; k++) {
		int kind = lc_te_value_at(t, k)->kind;
		if (kind == LC_TE_FLOAT || kind == LC_TE_LONG || kind == LC_TE_GM || kind == LC_TE_NUMQ)
			map[nm++] = k;
	}
	const char **mn = lc_xmalloc((nm + 1) * sizeof *mn);
	int *testable = lc_xmalloc((nm + 1) * sizeof *testable);
	int *is_long = lc_xmalloc((nm + 1) * sizeof *is_long);
	double **sum = lc_xmalloc(nruns * sizeof *sum);
	double **pq = lc_xmalloc(nruns * sizeof *pq);
	size_t nq = res[0].nq;
	for (size_t m = 0; m < nm; m++) {
		const lc_te_value *v = lc_te_value_at(t, map[m]);
		mn[m] = v->name;
		testable[m] = v->kind == LC_TE_FLOAT || v->kind == LC_TE_GM;
		is_long[m] = v->kind == LC_TE_LONG || v->kind == LC_TE_NUMQ;
	}
	for (size_t r = 0; r < nruns; r++) {
		sum[r] = lc_xmalloc((nm + 1) * sizeof **sum);
		pq[r] = lc_xmalloc((nq * nm + 1) * sizeof **pq);
		for (size_t m = 0; m < nm; m++) {
			sum[r][m] = res[r].summary[map[m]];
			for (size_t i = 0; i < nq; i++) {
				double x = res[r].v[i * nv + map[m]];
				if (lc_te_value_at(t, map[m])->kind == LC_TE_GM)
					x = exp(x);   /* stored as log */
				pq[r][i * nm + m] = x;
			}
		}
	}
	*in = (lc_signif_input){ nm, nq, nruns, mn, testable, is_long, names, (const double *const *)sum,
	                         (const double *const *)pq, NULL };
	*map_out = map;
}

static void free_input(lc_signif_input *in)
{
	for (size_t r = 0; r < in->nruns; r++) {
		free((void *)in->summary[r]);
		free((void *)in->perq[r]);
	}
	free((void *)in->summary);
	free((void *)in->perq);
	free((void *)in->mnames);
	free((void *)in->testable);
	free((void *)in->is_long);
}

void lc_signif_table(const lc_te *t, const lc_te_opts *o, const lc_te_result *res, size_t nruns, char **names,
                     const lc_signif_opts *so, lc_output *out)
{
	lc_signif_input in;
	size_t *map;
	from_trec(t, res, nruns, names, &in, &map);
	if (o->query)
		in.qids = (const char *const *)res[0].qid;
	lc_signif_table_generic(&in, so, out);
	free_input(&in);
	free(map);
}

static void num(lc_buf *b, double v)
{
	char tmp[64];
	if (!isfinite(v)) {
		lc_buf_adds(b, "null");
		return;
	}
	lc_py_repr_double(tmp, sizeof tmp, v);
	lc_buf_adds(b, tmp);
}

static void values_obj(lc_buf *b, const lc_te *t, const lc_te_result *r, const double *v, const char *relstr, int summary)
{
	size_t nv = lc_te_nvalues(t);
	int first = 1;
	for (size_t k = 0; k < nv; k++) {
		const lc_te_value *val = lc_te_value_at(t, k);
		int kind = val->kind;
		if (summary ? kind == LC_TE_RELSTR : (kind == LC_TE_GM || kind == LC_TE_NUMQ || kind == LC_TE_RUNID))
			continue;
		lc_buf_adds(b, first ? "" : ", ");
		first = 0;
		lc_json_quote(b, val->name, strlen(val->name));
		lc_buf_adds(b, ": ");
		if (kind == LC_TE_RUNID)
			lc_json_quote(b, r->runid, strlen(r->runid));
		else if (kind == LC_TE_RELSTR)
			lc_json_quote(b, relstr ? relstr : "", relstr ? strlen(relstr) : 0);
		else if (kind == LC_TE_LONG || kind == LC_TE_NUMQ)
			lc_buf_printf(b, "%ld", (long)v[k]);
		else
			num(b, v[k]);
	}
}

void lc_signif_tests_json(const lc_signif_input *in, const lc_signif_opts *so, lc_buf *b)
{
	cmpres *c = compute(in, so);
	lc_buf_adds(b, "\"tests\": [");
	int first = 1;
	for (size_t r = 1; r < in->nruns; r++)
		for (size_t k = 0; k < in->nm; k++) {
			if (!in->testable[k])
				continue;
			cmpres *x = &c[(r - 1) * in->nm + k];
			lc_buf_adds(b, first ? "{\"run\": " : ", {\"run\": ");
			first = 0;
			lc_json_quote(b, in->runnames[r], strlen(in->runnames[r]));
			lc_buf_adds(b, ", \"baseline\": ");
			lc_json_quote(b, in->runnames[0], strlen(in->runnames[0]));
			lc_buf_adds(b, ", \"measure\": ");
			lc_json_quote(b, in->mnames[k], strlen(in->mnames[k]));
			const char *keys[] = { "diff", "ci_low", "ci_high", "p_t", "p_t_holm", "p_rand", "p_rand_holm" };
			double vals[] = { x->diff, x->lo, x->hi, x->pt, x->pt_h, x->pr, x->pr_h };
			for (int q = 0; q < 7; q++) {
				lc_buf_printf(b, ", \"%s\": ", keys[q]);
				num(b, vals[q]);
			}
			lc_buf_printf(b, ", \"significant\": %s}", x->pr_h < so->alpha ? "true" : "false");
		}
	lc_buf_addc(b, ']');
	free(c);
}

void lc_signif_print_json(const lc_te *t, const lc_te_opts *o, const lc_te_result *res, size_t nruns, char **names,
                          int jsonl, const lc_signif_opts *so, lc_output *out)
{
	size_t nv = lc_te_nvalues(t);
	lc_buf b = { 0 };
	if (jsonl) {
		for (size_t r = 0; r < nruns; r++) {
			for (size_t i = 0; i < res[r].nq; i++) {
				lc_buf_reset(&b);
				lc_buf_adds(&b, "{\"run\": ");
				lc_json_quote(&b, names[r], strlen(names[r]));
				lc_buf_adds(&b, ", \"qid\": ");
				lc_json_quote(&b, res[r].qid[i], strlen(res[r].qid[i]));
				lc_buf_adds(&b, ", ");
				values_obj(&b, t, &res[r], res[r].v + i * nv, res[r].relstr[i], 0);
				lc_buf_adds(&b, "}\n");
				lc_output_write(out, b.p, b.len);
			}
			if (o->summary && !res[r].fail_code) {
				lc_buf_reset(&b);
				lc_buf_adds(&b, "{\"run\": ");
				lc_json_quote(&b, names[r], strlen(names[r]));
				lc_buf_adds(&b, ", \"qid\": \"all\", ");
				values_obj(&b, t, &res[r], res[r].summary, NULL, 1);
				lc_buf_adds(&b, "}\n");
				lc_output_write(out, b.p, b.len);
			}
		}
		lc_buf_free(&b);
		return;
	}
	lc_buf_adds(&b, nruns > 1 ? "{\"runs\": [" : "");
	for (size_t r = 0; r < nruns; r++) {
		if (r)
			lc_buf_adds(&b, ", ");
		lc_buf_adds(&b, "{\"run\": ");
		lc_json_quote(&b, names[r], strlen(names[r]));
		if (!res[r].fail_code) {
			lc_buf_adds(&b, ", \"summary\": {");
			values_obj(&b, t, &res[r], res[r].summary, NULL, 1);
			lc_buf_addc(&b, '}');
		}
		if (o->query) {
			lc_buf_adds(&b, ", \"queries\": {");
			for (size_t i = 0; i < res[r].nq; i++) {
				if (i)
					lc_buf_adds(&b, ", ");
				lc_json_quote(&b, res[r].qid[i], strlen(res[r].qid[i]));
				lc_buf_adds(&b, ": {");
				values_obj(&b, t, &res[r], res[r].v + i * nv, res[r].relstr[i], 0);
				lc_buf_addc(&b, '}');
			}
			lc_buf_addc(&b, '}');
		}
		lc_buf_addc(&b, '}');
	}
	if (nruns > 1 && so) {
		lc_signif_input in;
		size_t *map;
		from_trec(t, res, nruns, names, &in, &map);
		lc_buf_adds(&b, "], ");
		lc_signif_tests_json(&in, so, &b);
		lc_buf_adds(&b, "}\n");
		free_input(&in);
		free(map);
	} else
		lc_buf_adds(&b, nruns > 1 ? "]}\n" : "\n");
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
}
