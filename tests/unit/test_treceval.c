/* Unit tests for lib/eval/treceval (measure edge cases), lib/eval/signif and lib/eval/loft_eval
 * helpers: values worked out by hand from trec_eval 10.0's definitions. */
#include "loft_eval.h"
#include "qrels.h"
#include "run.h"
#include "signif.h"
#include "tap.h"
#include "treceval.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static lc_qrels qr;
static lc_run run;

static void J(const char *q, const char *d, long rel) { lc_qrels_add(&qr, q, strlen(q), d, strlen(d), rel); }
static void R(const char *q, const char *d, double s) { lc_run_add(&run, lc_run_query(&run, q, strlen(q)), d, strlen(d), s); }

static void reset(void)
{
	lc_qrels_free(&qr);
	lc_run_free(&run);
}

/* Evaluates with the given -m arguments; returns the value named name for topic
 * qid ("all" = summary); NAN if absent. */
static double val(const char *const *m, const lc_te_opts *o, const char *qid, const char *name, int *fail)
{
	lc_te *t = lc_te_new();
	lc_err e = { 0 };
	for (; *m; m++)
		lc_te_mark(t, *m, &e);
	lc_te_init(t, &e);
	lc_te_result res;
	lc_te_evaluate(t, o, &qr, &run, &res);
	if (fail)
		*fail = res.fail_code;
	double v = NAN;
	for (size_t k = 0; k < lc_te_nvalues(t); k++) {
		if (strcmp(lc_te_value_at(t, k)->name, name))
			continue;
		if (!strcmp(qid, "all"))
			v = res.summary[k];
		else
			for (size_t i = 0; i < res.nq; i++)
				if (!strcmp(res.qid[i], qid))
					v = res.v[i * lc_te_nvalues(t) + k];
	}
	lc_te_result_free(&res);
	lc_te_free(t);
	return v;
}

#define M(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

int main(void)
{
	lc_te_opts o;
	lc_te_opts_default(&o);

	/* P_k divides by k even when fewer docs were retrieved */
	J("q", "a", 1); J("q", "b", 1); J("q", "c", 0);
	R("q", "a", 2); R("q", "x", 1);
	ok(NEAR(val(M("P.10"), &o, "q", "P_10", NULL), 0.1), "P_10 = 1/10 with 2 docs retrieved");
	ok(NEAR(val(M("recall.10"), &o, "q", "recall_10", NULL), 0.5), "recall_10 = value at num_ret");
	ok(NEAR(val(M("ndcg_cut.1"), &o, "q", "ndcg_cut_1", NULL), 1.0), "ndcg_cut_1 = 1 with a relevant doc first");
	/* ndcg_cut at k > num_ret: ideal keeps growing to k */
	ok(NEAR(val(M("ndcg_cut.5"), &o, "q", "ndcg_cut_5", NULL), 1.0 / (1.0 + 1.0 / log2(3.0))),
	   "ndcg_cut_5: dcg at num_ret over ideal dcg at 5");
	reset();

	/* ties: equal scores ranked by docno descending */
	J("q", "d1", 1);
	R("q", "d1", 1.0); R("q", "d2", 1.0); R("q", "d10", 1.0);
	/* order: d2 > d10 > d1 -> relevant at rank 3 */
	ok(NEAR(val(M("recip_rank"), &o, "q", "recip_rank", NULL), 1.0 / 3), "ties broken by docno descending (strcmp)");
	reset();

	/* iprec_at_recall rounds recall fractions with lround (10.0), Rprec_mult with +0.9 */
	for (int i = 0; i < 7; i++) {
		char d[8];
		snprintf(d, sizeof d, "r%d", i);
		J("q", d, 1);
	}
	R("q", "n1", 9); R("q", "r0", 8); R("q", "n2", 7); R("q", "r1", 6); R("q", "n3", 5); R("q", "r2", 4);
	/* 7 rel, 3 retrieved at ranks 2,4,6.  recall 0.3 -> lround(2.1) = 2 rel -> int prec at 2nd rel = max(2/4, 3/6) = 0.5 */
	ok(NEAR(val(M("iprec_at_recall.0.3"), &o, "q", "iprec_at_recall_0.30", NULL), 0.5), "iprec_at_recall uses lround");
	/* Rprec_mult 0.2: (long)(0.2*7 + 0.9) = 2 docs -> P@2 = 1/2 */
	ok(NEAR(val(M("Rprec_mult.0.2"), &o, "q", "Rprec_mult_0.20", NULL), 0.5), "Rprec_mult rounds with +0.9");
	/* 0.5*7+0.9 = 4.4 -> 4 docs -> 2/4 */
	ok(NEAR(val(M("Rprec_mult.0.5"), &o, "q", "Rprec_mult_0.50", NULL), 0.5), "Rprec_mult 0.5");
	o.max_docs = 2;
	ok(NEAR(val(M("num_ret"), &o, "q", "num_ret", NULL), 2), "-M 2 keeps 2 docs");
	o.max_docs = LONG_MAX;
	reset();

	/* gm_map floors at 1e-5; num_q; sums of counts */
	J("a", "x", 1); J("b", "y", 1);
	R("a", "x", 1); R("b", "z", 1);
	double gm = val(M("gm_map"), &o, "all", "gm_map", NULL);
	ok(NEAR(gm, exp((log(1.0) + log(0.00001)) / 2)), "gm_map geometric mean with 1e-5 floor");
	ok(NEAR(val(M("num_ret"), &o, "all", "num_ret", NULL), 2), "num_ret summary is a sum");
	reset();

	/* relstring characters and -J */
	J("q", "a", 10); J("q", "b", -1); J("q", "c", 0); J("q", "d", 2);
	R("q", "a", 5); R("q", "b", 4); R("q", "x", 3); R("q", "c", 2); R("q", "d", 1);
	{
		lc_te *t = lc_te_new();
		lc_err e = { 0 };
		lc_te_mark(t, "relstring", &e);
		lc_te_init(t, &e);
		lc_te_result res;
		lc_te_evaluate(t, &o, &qr, &run, &res);
		is_str(res.relstr[0], ">.-02", "relstring: >9 is '>', unjudged '.', not in pool '-'");
		lc_te_result_free(&res);
		o.judged_only = 1;
		lc_te_evaluate(t, &o, &qr, &run, &res);
		is_str(res.relstr[0], ">02", "-J drops unjudged and unpooled docs");
		o.judged_only = 0;
		lc_te_result_free(&res);
		lc_te_free(t);
	}
	/* rbp: gains 0..10 rescaled by max 10: (1-p) * (1 + 0.9^3*0 + 0.9^4*0.2) */
	ok(NEAR(val(M("rbp"), &o, "q", "rbp", NULL), 0.1 * (1.0 + pow(0.9, 4) * 0.2)), "rbp rescales gains by the maximum");
	ok(NEAR(val(M("bpref"), &o, "q", "bpref", NULL), 0.5 * (1.0 + (1.0 - 1.0 / 1.0))), "bpref skips unjudged docs");
	reset();

	/* duplicate docno in the run and in the qrels: exit 4 */
	J("q", "a", 1);
	R("q", "a", 1); R("q", "a", 2);
	int fail = 0;
	val(M("map"), &o, "q", "map", &fail);
	ok(fail == 4, "duplicate run docno fails with 4");
	reset();
	J("q", "a", 1); J("q", "a", 0);
	R("q", "a", 1);
	val(M("map"), &o, "q", "map", &fail);
	ok(fail == 4, "duplicate qrels docno fails with 4");
	reset();

	/* all-negative judgments: defined as no relevance levels, no crash */
	J("q", "a", -1);
	R("q", "a", 1);
	ok(NEAR(val(M("all_trec"), &o, "q", "ndcg", &fail), 0.0) && fail == 0, "a topic judged only negatively scores 0");
	reset();

	/* selection errors */
	{
		lc_te *t = lc_te_new();
		lc_err e = { 0 };
		ok(lc_te_mark(t, "bogus", &e) < 0 && e.code == 1, "unknown measure rejected with code 1");
		ok(lc_te_mark(t, "P.", &e) < 0, "empty parameter list rejected");
		lc_te_free(t);
		t = lc_te_new();
		lc_te_mark(t, "recall.0,5", &e);
		ok(lc_te_init(t, &e) < 0 && e.code == 2 && strstr(e.msg, "Negative cutoff"), "cutoff 0 rejected with code 2");
		lc_te_free(t);
		t = lc_te_new();
		lc_te_mark(t, "ndcg.1=3,2", &e);
		ok(lc_te_init(t, &e) < 0 && strstr(e.msg, "malformed pair"), "malformed gain pairs rejected");
		lc_te_free(t);
	}

	/* signif: Holm, t-test, randomization determinism */
	{
		double p[3] = { 0.01, 0.04, 0.03 }, adj[3];
		lc_holm(p, 3, adj);
		ok(NEAR(adj[0], 0.03) && NEAR(adj[2], 0.06) && NEAR(adj[1], 0.06), "Holm: 3p, 2p, then monotone");
		double a[5] = { 0.1, 0.2, 0.3, 0.4, 0.5 }, b[5] = { 0.2, 0.25, 0.45, 0.4, 0.7 };
		/* d = .1 .05 .15 0 .2; mean .1, sd .0790569; t = 2.8284; df 4 -> p = 0.04742 */
		ok(fabs(lc_ttest_paired(a, b, 5) - 0.0474) < 1e-4, "paired t-test two-sided p");
		ok(lc_ttest_paired(a, a, 5) == 1.0, "identical runs: p = 1");
		lc_rng r1, r2;
		lc_rng_seed(&r1, 5);
		lc_rng_seed(&r2, 5);
		double x = lc_randomization_test(a, b, 5, 1000, &r1), y = lc_randomization_test(a, b, 5, 1000, &r2);
		/* 32 sign patterns; |sum| >= observed only for all-positive and all-negative (+ the 0 flip): 4/32 */
		ok(x == y && fabs(x - 0.125) < 0.04, "randomization test: seeded, near the exact 4/32");
		double lo, hi;
		lc_bootstrap_ci(a, b, 5, 2000, &r1, &lo, &hi);
		ok(lo > 0.0 && hi < 0.21 && lo < 0.1 && hi > 0.1, "bootstrap CI brackets the mean difference");
	}

	/* numpy's pairwise mean */
	{
		double v[10];
		for (int i = 0; i < 10; i++)
			v[i] = 1.0 / 3;
		is_num(lc_numpy_mean(v, 10), 0.33333333333333337, "numpy mean of ten 1/3 (pairwise sum)");
	}
	/* Python repr of doubles */
	{
		char b[64];
		lc_py_repr_double(b, sizeof b, 1e-05);
		is_str(b, "1e-05", "repr 1e-05");
		lc_py_repr_double(b, sizeof b, 7.0);
		is_str(b, "7.0", "repr 7.0");
		lc_py_repr_double(b, sizeof b, 0.1 + 0.2);
		is_str(b, "0.30000000000000004", "repr 0.1+0.2");
		lc_py_repr_double(b, sizeof b, 1e16);
		is_str(b, "1e+16", "repr 1e16");
	}
	reset();

	/* lc_run_split: parts cover the file and start where the qid changes */
	{
		char dir[] = "/tmp/test_treceval.XXXXXX";
		if (!mkdtemp(dir))
			return 1;
		const char *text = "a Q0 d1 1 3 t\na Q0 d2 2 2 t\na Q0 d3 3 1 t\n\n# note\nb Q0 d1 1 3 t\n"
		                   "b Q0 d2 2 2 t\n  c Q0 d1 1 1 t\nc Q0 d2 2 1 t";
		const char *path = tap_file(dir, "run.txt", text);
		size_t size = strlen(text);
		lc_run_part p[8];
		size_t k = lc_run_split(path, 2, p);
		ok(k == 2 && p[0].start == 0 && p[0].end == 78 && p[1].start == 78 && p[1].end == size,
		   "2 parts: the middle falls in b's block, the second part starts at c's first line");
		k = lc_run_split(path, 8, p);
		int whole = k >= 1 && p[0].start == 0 && p[k - 1].end == size;
		for (size_t i = 1; i < k; i++)
			whole &= p[i].start == p[i - 1].end && p[i].start > p[i - 1].start &&
			         (text[p[i].start] == 'b' || text[p[i].start + 2] == 'c');
		ok(whole && k == 3, "8 parts asked, 3 topics: 3 parts, each a topic's lines (%zu)", k);
		path = tap_file(dir, "one.txt", "a Q0 d1 1 3 t\na Q0 d2 2 2 t\n");
		ok(lc_run_split(path, 4, p) == 1 && p[0].start == 0 && p[0].end == 28, "one topic: one part");
		unlink(path);
		ok(lc_run_split(path, 2, p) == 0, "a missing file: 0 parts");
		path = tap_file(dir, "empty.txt", "");
		ok(lc_run_split(path, 2, p) == 0, "an empty file: 0 parts");
		unlink(path);
		unlink(tap_file(dir, "run.txt", ""));
		rmdir(dir);
	}
	return done_testing();
}
