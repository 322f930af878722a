/*
 * compare — lceval's comparison of several runs: the tests of every pair of runs
 * on every measure (lib/eval/signif), corrected over the pairs of a measure, and
 * the text table and JSON tests.  Marks follow ranx's Report: after a value, the
 * letters of the runs it is significantly better than.  See lceval.h.
 */
#include "lceval.h"
#include "err.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ev_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Pairs (0,1), (0,2), ..., (0,n-1), (1,2), ... numbered from 0. */
size_t ev_pair_index(size_t nruns, size_t i, size_t j)
{
	return i * nruns - i * (i + 1) / 2 + (j - i - 1);
}

static size_t npairs(size_t nruns)
{
	return nruns * (nruns - (nruns > 0)) / 2;
}

/* One pair's tests on one measure: a = run i's per-topic values, b = run j's.
 * The random streams depend on the pair and the seed only (so on the run
 * before: run 0 against run r uses the streams lceval used before pairs). */
static void test_pair(const double *a, const double *b, size_t nq, size_t nruns, size_t i, size_t j,
                      const lc_signif_opts *so, ev_pair *x)
{
	double s = 0.0;
	for (size_t q = 0; q < nq; q++)
		s += b[q] - a[q];
	x->diff = nq ? s / (double)nq : 0.0;
	x->pt = lc_ttest_paired(a, b, nq);
	unsigned long long stream = (unsigned long long)(i * nruns + j);
	lc_rng rng;
	lc_rng_seed(&rng, so->seed * 1000003ull + stream);
	x->pr = lc_randomization_test(a, b, nq, so->permutations, &rng);
	lc_rng_seed(&rng, so->seed * 1000003ull + stream + 0x5bd1e995ull);
	lc_bootstrap_interval(a, b, nq, so, &rng, &x->lo, &x->hi);
}

ev_pair *ev_compare(const ev_table *t, const lc_signif_opts *so)
{
	size_t nm = t->nm, nq = t->nq, nr = t->nruns, np = npairs(nr);
	if (so->boot_idx && nr > 1 && so->boot_n != nq)
		lc_die(2, "--bootstrap-indices: the resamples have %zu indices each, the comparison has %zu topics",
		       so->boot_n, nq);
	ev_pair *c = lc_xcalloc((np ? np : 1) * (nm ? nm : 1), sizeof *c);
	double *a = lc_xmalloc((nq + 1) * sizeof *a), *b = lc_xmalloc((nq + 1) * sizeof *b);
	double *p = lc_xmalloc((np + 1) * sizeof *p), *adj = lc_xmalloc((np + 1) * sizeof *adj);
	for (size_t k = 0; k < nm; k++) {
		if (!t->testable[k])
			continue;
		for (size_t i = 0; i < nr; i++)
			for (size_t j = i + 1; j < nr; j++) {
				for (size_t q = 0; q < nq; q++) {
					a[q] = t->perq[i][q * nm + k];
					b[q] = t->perq[j][q * nm + k];
				}
				test_pair(a, b, nq, nr, i, j, so, &c[ev_pair_index(nr, i, j) * nm + k]);
			}
		for (size_t x = 0; x < np; x++)
			p[x] = c[x * nm + k].pt;
		lc_p_adjust(so->correction, p, np, adj);
		for (size_t x = 0; x < np; x++)
			c[x * nm + k].pt_adj = adj[x];
		for (size_t x = 0; x < np; x++)
			p[x] = c[x * nm + k].pr;
		lc_p_adjust(so->correction, p, np, adj);
		for (size_t x = 0; x < np; x++) {
			ev_pair *e = &c[x * nm + k];
			e->pr_adj = adj[x];
			e->significant = (so->test == LC_TEST_T ? e->pt_adj : e->pr_adj) < so->alpha;
		}
	}
	free(a);
	free(b);
	free(p);
	free(adj);
	return c;
}

int ev_beats(const ev_table *t, const ev_pair *c, size_t r, size_t s, size_t k)
{
	if (r == s || !t->testable[k])
		return 0;
	size_t i = r < s ? r : s, j = r < s ? s : r;
	return c[ev_pair_index(t->nruns, i, j) * t->nm + k].significant && t->summary[r][k] > t->summary[s][k];
}

static const char *corr_name(int correction)
{
	return correction == LC_CORR_HOLM ? "holm" : correction == LC_CORR_BONFERRONI ? "bonferroni" : NULL;
}

void ev_describe_tests(const ev_table *t, const lc_signif_opts *so, lc_buf *b)
{
	size_t np = npairs(t->nruns);
	if (so->test == LC_TEST_T)
		lc_buf_adds(b, "paired t-test");
	else
		lc_buf_printf(b, "paired randomization test (%ld permutations)", so->permutations);
	if (so->correction == LC_CORR_NONE)
		lc_buf_adds(b, ", no correction");
	else
		lc_buf_printf(b, ", %s correction over the %zu pair%s of each measure",
		              so->correction == LC_CORR_HOLM ? "Holm" : "Bonferroni", np, np == 1 ? "" : "s");
	lc_buf_printf(b, ", alpha %g", so->alpha);
}

/* Pads b with spaces from byte start to width w (cells are ASCII). */
static void pad(lc_buf *b, size_t start, size_t w)
{
	while (b->len - start < w)
		lc_buf_addc(b, ' ');
}

static void trim_line(lc_buf *b)
{
	while (b->len && b->p[b->len - 1] == ' ')
		b->len--;
	lc_buf_addc(b, '\n');
}

void ev_table_text(const ev_table *t, const lc_signif_opts *so, lc_output *out)
{
	size_t nm = t->nm, nr = t->nruns;
	if (nr > 26)
		lc_die(2, "%zu runs: the comparison names runs a to z, give at most 26", nr);
	ev_pair *c = ev_compare(t, so);
	lc_buf b = { 0 };
	for (size_t i = 0; t->qids && i < t->nq; i++)
		for (size_t k = 0; k < nm; k++) {
			lc_buf_printf(&b, "%-22s\t%s", t->mnames[k], t->qids[i]);
			for (size_t r = 0; r < nr; r++) {
				double v = t->perq[r][i * nm + k];
				if (t->is_long[k])
					lc_buf_printf(&b, "\t%ld", (long)v);
				else
					lc_buf_printf(&b, "\t%6.4f", v);
			}
			lc_buf_addc(&b, '\n');
		}
	if (t->qids && t->nq)
		lc_buf_addc(&b, '\n');
	lc_buf_adds(&b, "# runs:");
	for (size_t r = 0; r < nr; r++)
		lc_buf_printf(&b, " %c %s%s", 'a' + (int)r, ev_base(t->runnames[r]), r + 1 < nr ? "," : "");
	lc_buf_adds(&b, "\n# letters after a value: the runs it is significantly better than (");
	ev_describe_tests(t, so, &b);
	lc_buf_adds(&b, ")\n");
	lc_buf_printf(&b, "%-22s", "measure");
	for (size_t r = 0; r < nr; r++)
		lc_buf_printf(&b, "\t%-12s", ev_base(t->runnames[r]));
	trim_line(&b);
	for (size_t k = 0; k < nm; k++) {
		lc_buf_printf(&b, "%-22s", t->mnames[k]);
		for (size_t r = 0; r < nr; r++) {
			double v = t->summary[r][k];
			lc_buf_addc(&b, '\t');
			size_t start = b.len;
			if (t->is_long[k])
				lc_buf_printf(&b, "%ld", (long)v);
			else {
				lc_buf_printf(&b, "%.4f", v);
				int any = 0;
				for (size_t s = 0; s < nr; s++)
					if (ev_beats(t, c, r, s, k)) {
						lc_buf_adds(&b, any ? "" : " ");
						lc_buf_addc(&b, (char)('a' + (int)s));
						any = 1;
					}
			}
			pad(&b, start, 12);
		}
		trim_line(&b);
	}
	const char *cn = corr_name(so->correction);
	for (size_t i = 0; i < nr; i++)
		for (size_t j = i + 1; j < nr; j++) {
			lc_buf_printf(&b, "\n# %c %s vs %c %s (baseline), %zu topics: diff = mean(%c - %c)\n",
			              'a' + (int)j, ev_base(t->runnames[j]), 'a' + (int)i, ev_base(t->runnames[i]), t->nq,
			              'a' + (int)j, 'a' + (int)i);
			lc_buf_printf(&b, "%-22s\t%8s\t%-19s\t%8s", "measure", "diff", "95% CI", "p_t");
			if (cn)
				lc_buf_printf(&b, "\tp_t_%s", cn);
			lc_buf_printf(&b, "\t%8s", "p_rand");
			if (cn)
				lc_buf_printf(&b, "\tp_rand_%s", cn);
			lc_buf_addc(&b, '\n');
			for (size_t k = 0; k < nm; k++) {
				if (!t->testable[k])
					continue;
				ev_pair *x = &c[ev_pair_index(nr, i, j) * nm + k];
				char ci[64];
				snprintf(ci, sizeof ci, "[%.4f, %.4f]", x->lo, x->hi);
				lc_buf_printf(&b, "%-22s\t%+8.4f\t%-19s\t%8.4f", t->mnames[k], x->diff, ci, x->pt);
				if (cn)
					lc_buf_printf(&b, "\t%8.4f", x->pt_adj);
				lc_buf_printf(&b, "\t%8.4f", x->pr);
				if (cn)
					lc_buf_printf(&b, "\t%8.4f", x->pr_adj);
				lc_buf_addc(&b, '\n');
			}
		}
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
	free(c);
}

void ev_json_num(lc_buf *b, double v)
{
	char tmp[64];
	if (!isfinite(v)) {
		lc_buf_adds(b, "null");
		return;
	}
	lc_py_repr_double(tmp, sizeof tmp, v);
	lc_buf_adds(b, tmp);
}

void ev_tests_json(const ev_table *t, const lc_signif_opts *so, lc_buf *b)
{
	ev_pair *c = ev_compare(t, so);
	const char *cn = corr_name(so->correction);
	lc_buf_printf(b, "\"test\": \"%s\", \"correction\": \"%s\", \"alpha\": ",
	              so->test == LC_TEST_T ? "t" : "randomization", cn ? cn : "none");
	ev_json_num(b, so->alpha);
	lc_buf_adds(b, ", \"tests\": [");
	int first = 1;
	for (size_t i = 0; i < t->nruns; i++)
		for (size_t j = i + 1; j < t->nruns; j++)
			for (size_t k = 0; k < t->nm; k++) {
				if (!t->testable[k])
					continue;
				ev_pair *x = &c[ev_pair_index(t->nruns, i, j) * t->nm + k];
				lc_buf_adds(b, first ? "{\"run\": " : ", {\"run\": ");
				first = 0;
				lc_json_quote(b, t->runnames[j], strlen(t->runnames[j]));
				lc_buf_adds(b, ", \"baseline\": ");
				lc_json_quote(b, t->runnames[i], strlen(t->runnames[i]));
				lc_buf_adds(b, ", \"measure\": ");
				lc_json_quote(b, t->mnames[k], strlen(t->mnames[k]));
				const double vals[] = { x->diff, x->lo, x->hi, x->pt, x->pt_adj, x->pr, x->pr_adj };
				const char *keys[] = { "diff", "ci_low", "ci_high", "p_t", "p_t_", "p_rand", "p_rand_" };
				for (int q = 0; q < 7; q++) {
					int adjusted = keys[q][strlen(keys[q]) - 1] == '_';
					if (adjusted && !cn)
						continue;
					lc_buf_printf(b, ", \"%s%s\": ", keys[q], adjusted ? cn : "");
					ev_json_num(b, vals[q]);
				}
				lc_buf_printf(b, ", \"significant\": %s}", x->significant ? "true" : "false");
			}
	lc_buf_addc(b, ']');
	free(c);
}
