/*
 * lcfuse — fuses runs as ranx's fuse() does (lib/eval/fuse): RRF, CombSUM/MNZ/MAX/
 * MIN/MED/ANZ and weighted sum after a score normalisation; --optimize picks
 * the weighted sum's weights on ranx's 0.1 grid by a trec_eval measure
 * (lib/eval/treceval) over training qrels.  Thin main: options, reading runs and
 * qrels, writing the fused run.  See man/lcfuse.1.
 */
#include "buf.h"
#include "cli.h"
#include "options.h"
#include "report.h"
#include "err.h"
#include "fuse.h"
#include "json.h"
#include "output.h"
#include "qrels.h"
#include "run.h"
#include "treceval.h"
#include "trecid.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METHODS "rrf combsum combmnz combmax combmin combmed combanz wsum"
#define NORMS "none minmax max sum zscore rank borda"

/* The options, each bound to its variable in the table (lib/cli/cli.h); only
 * --report reaches the switch.  -1: not given (the default depends on others). */
static struct {
	int method, norm, to, from;
	long top, rrf_k;
	double *weights;   /* malloc'd */
	size_t nweights;
	const char *out, *tag, *measure, *qpath;
} O = { .method = -1, .norm = -1, .to = -1, .from = LC_RUN_AUTO, .rrf_k = 60, .tag = "lcfuse" };

static void method_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void norm_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void weights_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void to_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void from_cb(const lc_cmd *c, const lc_opt *o, const char *arg);

static const lc_opt opts[] = {
	LC_OPT_METHOD(0, METHODS, LC_BIND_CALL(method_cb, O.method)),
	{ 0, "norm", "NORM", "score normalisation before fusing: " NORMS " (default minmax; none for rrf)", NORMS,
	  LC_BIND_CALL(norm_cb, O.norm) },
	{ 0, "weights", "W1,W2,...", "wsum: one weight per run, in the order of the runs", NULL,
	  LC_BIND_CALL(weights_cb, O.weights) },
	{ 0, "top", "K", "keep the best K documents per query", NULL, LC_BIND_LONG(O.top, 1, 1000000000L) },
	{ 0, "rrf-k", "K", "rrf: the constant k in 1/(k + rank) (default 60)", NULL, LC_BIND_LONG(O.rrf_k, 0, 1000000000L) },
	{ 0, "optimize", "MEASURE", "pick wsum's weights on a 0.1 grid by this trec_eval measure over --qrels", NULL,
	  LC_BIND_STR(O.measure) },
	LC_OPT_QRELS(0, LC_BIND_STR(O.qpath)),
	LC_OPT_TO(0, "trec jsonl", LC_BIND_CALL(to_cb, O.to)),
	LC_OPT_FROM(0, "auto trec jsonl loft answers batch", LC_BIND_CALL(from_cb, O.from)),
	LC_OPT_TAG(0, LC_BIND_STR(O.tag)),
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd cmd = { "lcfuse", "[options] RUN RUN...",
	"fuse runs as ranx does (RRF, CombSUM/MNZ/MAX/MIN/MED/ANZ, weighted sum)", opts, NULL };

/* "0.3,0.7" -> n doubles (malloc'd). */
static double *parse_weights(const char *arg, size_t *n)
{
	char *s = lc_xstrdup(arg), *save = NULL;
	double *w = NULL;
	*n = 0;
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		w = lc_xrealloc(w, (*n + 1) * sizeof *w);
		w[(*n)++] = lc_cli_double("--weights", tok, -1e300, 1e300);
	}
	free(s);
	if (*n == 0)
		lc_cli_usage_error(&cmd, "--weights: expected numbers separated by commas, got '%s'", arg);
	return w;
}

static void method_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if ((*(int *)o->var = lc_fuse_method_from_name(arg)) < 0)
		lc_cli_usage_error(c, "--method: unknown method '%s' (" METHODS ")", arg);
}

static void norm_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if ((*(int *)o->var = lc_fuse_norm_from_name(arg)) < 0)
		lc_cli_usage_error(c, "--norm: unknown normalisation '%s' (" NORMS ")", arg);
}

/* --weights W1,W2,...: the last one given counts */
static void weights_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	free(O.weights);
	O.weights = parse_weights(arg, &O.nweights);
}

static void to_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "trec"))
		*(int *)o->var = 1;
	else if (!strcmp(arg, "jsonl"))
		*(int *)o->var = 0;
	else
		lc_cli_usage_error(c, "--to: a fused run is written as trec or jsonl, not '%s'", arg);
}

static void from_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if ((*(int *)o->var = lc_run_format_from_name(arg)) < 0)
		lc_cli_usage_error(c, "--from: unknown run format '%s' (auto trec jsonl loft answers batch)", arg);
}

/* TREC text of a score that reads back as the same double. */
static void fmt_score(char *num, size_t size, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(num, size, "%.*g", prec, v);
		if (strtod(num, NULL) == v)
			break;
	}
}

static void write_fused(const lc_fuse_set *s, const lc_fuse_opts *fo, long top, int trec, const char *tag,
                        lc_output *o)
{
	size_t m = lc_fuse_max_cand(s) + 1;
	lc_hit *h = lc_xmalloc(m * sizeof *h);
	double *scratch = lc_xmalloc(m * sizeof *scratch);
	lc_buf b = { 0 };
	char num[64];
	lc_err e = { 0 };
	if (trec)
		for (size_t qi = 0; qi < s->nq; qi++) {
			if (lc_trec_id_check(s->q[qi].qid, "qid", "TREC", &e) < 0)
				lc_die_err(&e);
			for (size_t c = 0; c < s->q[qi].ncand; c++)
				if (lc_trec_id_check(s->q[qi].cand[c], "docno", "TREC", &e) < 0)
					lc_die_err(&e);
		}
	for (size_t qi = 0; qi < s->nq; qi++) {
		size_t n = lc_fuse_rank(s, qi, fo, top, h, scratch);
		lc_buf_reset(&b);
		if (trec) {
			for (size_t k = 0; k < n; k++) {
				fmt_score(num, sizeof num, h[k].score);
				lc_buf_printf(&b, "%s Q0 %s %zu %s %s\n", s->q[qi].qid, h[k].docno, k + 1, num, tag);
			}
		} else {
			lc_buf_adds(&b, "{\"qid\": ");
			lc_json_quote(&b, s->q[qi].qid, strlen(s->q[qi].qid));
			lc_buf_adds(&b, ", \"hits\": [");
			for (size_t k = 0; k < n; k++) {
				lc_buf_adds(&b, k ? ", {\"pid\": " : "{\"pid\": ");
				lc_json_quote(&b, h[k].docno, strlen(h[k].docno));
				lc_py_repr_double(num, sizeof num, h[k].score);
				lc_buf_printf(&b, ", \"score\": %s}", num);
			}
			lc_buf_adds(&b, "]}\n");
		}
		lc_output_write(o, b.p, b.len);
	}
	lc_buf_free(&b);
	free(h);
	free(scratch);
}

/* The value of lt that --optimize maximises: the only one, or the one named like the measure. */
static size_t pick_value(const lc_te *t, const char *measure)
{
	size_t nv = lc_te_nvalues(t);
	char *want = lc_xstrdup(measure);
	for (char *p = want; *p; p++)
		if (*p == '.')
			*p = '_';
	size_t found = nv;
	for (size_t i = 0; i < nv; i++) {
		const lc_te_value *v = lc_te_value_at(t, i);
		if (v->kind != LC_TE_FLOAT && v->kind != LC_TE_GM)
			continue;
		if (!strcmp(v->name, want) || nv == 1) {
			found = i;
			break;
		}
	}
	free(want);
	if (found == nv)
		lc_cli_usage_error(&cmd, "--optimize: '%s' gives several values or none to maximise: name one value, e.g. ndcg_cut.10 or P.5", measure);
	return found;
}

typedef struct trial {
	const double *w;
	double score;
} trial;

/* ranx's optimize_weights: every grid tuple in order; the best score wins, a tie
 * going to the later tuple (ranx's `score >= best_score`, best starting at 0). */
static size_t optimize(lc_fuse_set *s, lc_te *t, size_t vi, const lc_qrels *qr, double *grid, size_t ng,
                       trial *tr)
{
	lc_te_opts to;
	lc_te_opts_default(&to);
	to.complete = 1;   /* ranx scores a qrels query missing from the run as 0 */
	if (lc_te_rel_level(t) > 0)
		to.rel_level = lc_te_rel_level(t);   /* ir_measures' rel=N */
	/* the fused run to evaluate: every candidate, scores rewritten per trial */
	lc_run er = { 0 };
	for (size_t qi = 0; qi < s->nq; qi++) {
		lc_run_q *q = lc_run_query(&er, s->q[qi].qid, strlen(s->q[qi].qid));
		for (size_t c = 0; c < s->q[qi].ncand; c++)
			lc_run_add(&er, q, s->q[qi].cand[c], strlen(s->q[qi].cand[c]), 0);
	}
	double *sc = lc_xmalloc((lc_fuse_max_cand(s) + 1) * sizeof *sc);
	size_t best = 0;
	double best_score = 0;
	for (size_t g = 0; g < ng; g++) {
		lc_fuse_opts fo = { LC_FUSE_WSUM, grid + g * s->nruns, 60 };
		for (size_t qi = 0; qi < s->nq; qi++) {
			lc_fuse_scores(s, qi, &fo, sc);
			for (size_t c = 0; c < s->q[qi].ncand; c++)
				er.q[qi].h[c].score = sc[c];
		}
		lc_te_result res;
		lc_te_evaluate(t, &to, qr, &er, &res);
		if (res.fail_code)
			lc_die(1, "--optimize: %s", res.fail_msg);
		double v = res.summary[vi];
		lc_te_result_free(&res);
		tr[g] = (trial){ grid + g * s->nruns, v };
		if (v >= best_score) {
			best_score = v;
			best = g;
		}
	}
	free(sc);
	lc_run_free(&er);
	return best;
}

/* Weights as a JSON array (a new reference), for --report. */
static json_t *weights_json(const double *w, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(w[i]));
	return a;
}

static void put_weights(lc_buf *b, const double *w, size_t n)
{
	char num[64];
	lc_buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		lc_py_repr_double(num, sizeof num, w[i]);
		lc_buf_printf(b, "%s%s", i ? ", " : "", num);
	}
	lc_buf_addc(b, ']');
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = { 0 };
	lc_report rep = {0};
	lc_err e = { 0 };
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &cmd, optarg);
	int method = O.method, norm = O.norm, to = O.to, from = O.from;
	long top = O.top, rrf_k = O.rrf_k;
	double *weights = O.weights;
	size_t nweights = O.nweights;
	const char *out = O.out, *tag = O.tag, *measure = O.measure, *qpath = O.qpath;
	size_t nruns = (size_t)(argc - st.ind);
	if (nruns < 2)
		lc_cli_usage_error(&cmd, "expected at least two runs to fuse");
	if (measure && !qpath)
		lc_cli_usage_error(&cmd, "--optimize needs the training qrels: --qrels FILE");
	if (qpath && !measure)
		lc_cli_usage_error(&cmd, "--qrels is read only by --optimize MEASURE");
	if (method < 0)
		method = measure ? LC_FUSE_WSUM : LC_FUSE_RRF;
	if (measure && method != LC_FUSE_WSUM)
		lc_cli_usage_error(&cmd, "--optimize picks the weights of --method wsum, not %s", lc_fuse_method_name(method));
	if (measure && nruns > 6)
		lc_cli_usage_error(&cmd, "--optimize tries every weighting on a 0.1 grid: at most 6 runs, not %zu", nruns);
	if (measure && weights)
		lc_cli_usage_error(&cmd, "--optimize picks the weights: --weights cannot be given with it");
	if (method == LC_FUSE_WSUM && !measure && !weights)
		lc_cli_usage_error(&cmd, "--method wsum needs --weights W1,W2,... (one per run) or --optimize MEASURE");
	if (weights && method != LC_FUSE_WSUM)
		lc_cli_usage_error(&cmd, "--weights applies to --method wsum, not %s", lc_fuse_method_name(method));
	if (weights && nweights != nruns)
		lc_cli_usage_error(&cmd, "--weights: %zu weight%s for %zu runs: give one per run", nweights,
		                   nweights == 1 ? "" : "s", nruns);
	if (method == LC_FUSE_RRF && norm > LC_NORM_NONE)
		lc_cli_usage_error(&cmd, "rrf fuses ranks: --norm %s does not apply (use another --method)", lc_fuse_norm_name(norm));
	if (norm < 0)
		norm = method == LC_FUSE_RRF ? LC_NORM_NONE : LC_NORM_MINMAX;
	if (rrf_k != 60 && method != LC_FUSE_RRF)
		lc_cli_usage_error(&cmd, "--rrf-k applies to --method rrf");

	/* the measure first: a bad name fails before any file is read */
	lc_te *te = NULL;
	size_t vi = 0;
	if (measure) {
		te = lc_te_new();
		if (lc_te_mark(te, measure, &e) < 0 || lc_te_init(te, &e) < 0)
			lc_cli_usage_error(&cmd, "--optimize: %s", e.msg);
		vi = pick_value(te, measure);
	}

	lc_run *runs = lc_xcalloc(nruns, sizeof *runs);
	lc_run_opts ro = { from, NULL, NULL, 0, 0, 0 };
	for (size_t i = 0; i < nruns; i++) {
		const char *p = argv[st.ind + i];
		if (lc_run_read(&runs[i], p, &ro, &e) < 0)
			lc_die(e.code == 2 ? 1 : e.code, "%s", e.msg);
		if (runs[i].nlines == 0)
			lc_die(1, "%s: no results found (expected a TREC run, run JSONL or LOFT predictions)", p);
	}
	if (to < 0)
		to = runs[0].format == LC_RUN_TREC;
	lc_qrels qr = { 0 };
	if (qpath) {
		if (lc_qrels_read(&qr, qpath, NULL, LC_QRELS_AUTO, &e) < 0)
			lc_die(e.code == 2 ? 1 : e.code, "%s", e.msg);
		if (qr.njudg == 0)
			lc_die(1, "%s: no judgments found (expected TREC qrels, BEIR qrels or LOFT queries)", qpath);
	}

	lc_fuse_set s;
	if (lc_fuse_load(&s, runs, nruns, &e) < 0)
		lc_die_err(&e);
	if (method == LC_FUSE_RRF)
		lc_fuse_ranks(&s);
	lc_fuse_normalize(&s, norm);

	double *grid = NULL;
	trial *tr = NULL;
	size_t ng = 0, best = 0;
	if (measure) {
		ng = lc_fuse_weight_grid(nruns, &grid);
		tr = lc_xcalloc(ng ? ng : 1, sizeof *tr);
		best = optimize(&s, te, vi, &qr, grid, ng, tr);
		weights = lc_xmalloc(nruns * sizeof *weights);
		memcpy(weights, grid + best * nruns, nruns * sizeof *weights);
		nweights = nruns;
		lc_buf b = { 0 };
		put_weights(&b, weights, nruns);
		lc_warn("--optimize %s: chose weights %s (%s %.4f over %zu weightings)", measure, b.p, measure,
		        tr[best].score, ng);
		lc_buf_free(&b);
	}

	lc_report_start(&rep, &cmd, !out || !strcmp(out, "-"), (int)nruns, argv + st.ind);
	lc_fuse_opts fo = { method, weights, rrf_k };
	lc_output *o = lc_output_open(out);
	write_fused(&s, &fo, top, to, tag, o);
	if (lc_report_on(&rep)) {
		lc_report_str(&rep, "options.method", lc_fuse_method_name(method));
		lc_report_str(&rep, "options.norm", lc_fuse_norm_name(norm));
		if (method == LC_FUSE_RRF)
			lc_report_int(&rep, "options.rrf_k", rrf_k);
		if (top)
			lc_report_int(&rep, "options.top", top);
		lc_report_int(&rep, "queries", (long long)s.nq);
		if (weights)
			lc_report_set(&rep, "weights", weights_json(weights, nruns));
		if (measure) {
			lc_report_str(&rep, "options.measure", measure);
			lc_report_real(&rep, "score", tr[best].score);
			json_t *trials = json_array();
			for (size_t g = 0; g < ng; g++)
				json_array_append_new(trials, json_pack("{s:o, s:f}", "weights", weights_json(tr[g].w, nruns),
				                                        "score", tr[g].score));
			lc_report_set(&rep, "trials", trials);
		}
	}
	lc_output_commit(o);
	lc_report_write(&rep);

	lc_fuse_free(&s);
	for (size_t i = 0; i < nruns; i++)
		lc_run_free(&runs[i]);
	free(runs);
	if (qpath)
		lc_qrels_free(&qr);
	if (te)
		lc_te_free(te);
	free(grid);
	free(tr);
	free(weights);
	return 0;
}
