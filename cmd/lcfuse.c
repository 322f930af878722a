/*
 * lcfuse — fuses runs as ranx's fuse() does (lib/eval/fuse): RRF, CombSUM/MNZ/MAX/
 * MIN/MED/ANZ and weighted sum after a score normalisation; --optimize picks
 * the weighted sum's weights on ranx's 0.1 grid by a trec_eval measure
 * (lib/eval/treceval) over training qrels.  Thin main: parse_args (settings),
 * open_measure, read_inputs, load_candidates, choose_weights (--optimize), then
 * the fused run (write_fused) and --report (report).  See man/lcfuse.1.
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

/* The program's settings: its options, each bound to its field in the table
 * below (lib/cli/cli.h); only --report reaches parse_args' switch.  -1: not
 * given (the default depends on other options; parse_args settles it). */
typedef struct settings {
	int method, norm;  /* lc_fuse_method, lc_fuse_norm */
	int to;            /* 1 TREC, 0 JSONL */
	int from;          /* lc_run_format */
	long top, rrf_k;
	double *weights;   /* malloc'd: --weights, or --optimize's choice */
	size_t nweights;
	const char *out, *tag, *measure, *qpath, *qmember, *rmember;
	char **paths;      /* the runs (argv memory) */
	size_t nruns;
	lc_report rep;
} settings;

static settings S = { .method = -1, .norm = -1, .to = -1, .from = LC_RUN_AUTO, .rrf_k = 60, .tag = "lcfuse" };

static void method_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void norm_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void weights_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void to_cb(const lc_cmd *c, const lc_opt *o, const char *arg);
static void from_cb(const lc_cmd *c, const lc_opt *o, const char *arg);

static const lc_opt opts[] = {
	LC_OPT_METHOD(0, METHODS, LC_BIND_CALL(method_cb, S.method)),
	{ 0, "norm", "NORM", "score normalisation before fusing: " NORMS " (default minmax; none for rrf)", NORMS,
	  LC_BIND_CALL(norm_cb, S.norm) },
	{ 0, "weights", "W1,W2,...", "wsum: one weight per run, in the order of the runs", NULL,
	  LC_BIND_CALL(weights_cb, S.weights) },
	{ 'k', "k", "K", "keep the top K documents per query (default: all)", NULL, LC_BIND_LONG(S.top, 1, 1000000000L) },
	{ 0, "rrf-k", "K", "rrf: the constant k in 1/(k + rank) (default 60)", NULL, LC_BIND_LONG(S.rrf_k, 0, 1000000000L) },
	{ 0, "optimize", "MEASURE", "pick wsum's weights on a 0.1 grid by this trec_eval measure over --qrels", NULL,
	  LC_BIND_STR(S.measure) },
	LC_OPT_QRELS(0, LC_BIND_STR(S.qpath)),
	LC_OPT_QRELS_MEMBER(0, LC_BIND_STR(S.qmember)),
	LC_OPT_RUN_MEMBER(0, LC_BIND_STR(S.rmember)),
	LC_OPT_TO(0, "trec jsonl", LC_BIND_CALL(to_cb, S.to)),
	LC_OPT_FROM(0, "auto trec jsonl loft answers batch", LC_BIND_CALL(from_cb, S.from)),
	LC_OPT_TAG(0, S.tag),
	LC_OPT_OUTPUT(LC_BIND_STR(S.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const renamed[] = { "--top", "-k", NULL };
static const lc_cmd cmd = { "lcfuse", "[options] RUN RUN...",
	"fuse runs as ranx does (RRF, CombSUM/MNZ/MAX/MIN/MED/ANZ, weighted sum)", opts, NULL, renamed };

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
	free(S.weights);
	S.weights = parse_weights(arg, &S.nweights);
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

/* A TREC line cannot carry a qid or docno that is empty or holds white space
 * (trecid.h): refuse (exit 1) before anything is written. */
static void check_trec_ids(const lc_fuse_set *s)
{
	lc_err e = { 0 };
	for (size_t qi = 0; qi < s->nq; qi++) {
		if (lc_trec_id_check(s->q[qi].qid, "qid", "TREC", &e) < 0)
			lc_die_err(&e);
		for (size_t c = 0; c < s->q[qi].ncand; c++)
			if (lc_trec_id_check(s->q[qi].cand[c], "docno", "TREC", &e) < 0)
				lc_die_err(&e);
	}
}

/* The fused run to o, a query at a time: TREC lines (ranks from 1, tag) or run
 * JSONL, the best top hits of each query (0: all); a query no run has a
 * document for is kept ("#lctk empty QID", "hits": []). */
static void write_fused(const lc_fuse_set *s, const lc_fuse_opts *fo, long top, int trec, const char *tag,
                        lc_output *o)
{
	size_t m = lc_fuse_max_cand(s) + 1;
	lc_hit *h = lc_xmalloc(m * sizeof *h);
	double *scratch = lc_xmalloc(m * sizeof *scratch);
	lc_buf b = { 0 };
	char num[64];
	if (trec)
		check_trec_ids(s);
	for (size_t qi = 0; qi < s->nq; qi++) {
		size_t n = lc_fuse_rank(s, qi, fo, top, h, scratch);
		lc_buf_reset(&b);
		if (trec) {
			if (n == 0)   /* no run has a document for it: lctk-formats(5)'s mark, as lcconv writes */
				lc_buf_printf(&b, "#lctk empty %s\n", s->q[qi].qid);
			for (size_t k = 0; k < n; k++) {
				lc_trec_score(num, sizeof num, h[k].score);
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

/* Weights in Python's list repr ("[0.3, 0.7]"), for --optimize's message. */
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

/* What main works with between its steps: the inputs, the fused candidates and
 * --optimize's trials.  Everything is owned here and freed by free_fusion. */
typedef struct fusion {
	lc_te *te;         /* --optimize's measure, or NULL */
	size_t vi;         /* the value of te that --optimize maximises */
	lc_run *runs;      /* S.nruns runs */
	lc_qrels qr;       /* --qrels, read when given */
	lc_fuse_set s;
	double *grid;      /* --optimize: ng weightings of S.nruns weights */
	trial *tr;         /* --optimize: the score of each weighting */
	size_t ng, best;
} fusion;

/* Parses argv into S and checks the options against each other (usage errors
 * exit 2); then settles the defaults that depend on other options. */
static void parse_args(int argc, char **argv)
{
	lc_cli st = { 0 };
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&S.rep, &cmd, optarg);
	S.paths = argv + st.ind;
	S.nruns = (size_t)(argc - st.ind);
	if (S.nruns < 2)
		lc_cli_usage_error(&cmd, "expected at least two runs to fuse");
	if (S.measure && !S.qpath)
		lc_cli_usage_error(&cmd, "--optimize needs the training qrels: --qrels FILE");
	if (S.qmember && !S.qpath)
		lc_cli_usage_error(&cmd, "--qrels-member names a member of --qrels FILE");
	if (S.qpath && !S.measure)
		lc_cli_usage_error(&cmd, "--qrels is read only by --optimize MEASURE");
	if (S.method < 0)
		S.method = S.measure ? LC_FUSE_WSUM : LC_FUSE_RRF;
	if (S.measure && S.method != LC_FUSE_WSUM)
		lc_cli_usage_error(&cmd, "--optimize picks the weights of --method wsum, not %s", lc_fuse_method_name(S.method));
	if (S.measure && S.nruns > 6)
		lc_cli_usage_error(&cmd, "--optimize tries every weighting on a 0.1 grid: at most 6 runs, not %zu", S.nruns);
	if (S.measure && S.weights)
		lc_cli_usage_error(&cmd, "--optimize picks the weights: --weights cannot be given with it");
	if (S.method == LC_FUSE_WSUM && !S.measure && !S.weights)
		lc_cli_usage_error(&cmd, "--method wsum needs --weights W1,W2,... (one per run) or --optimize MEASURE");
	if (S.weights && S.method != LC_FUSE_WSUM)
		lc_cli_usage_error(&cmd, "--weights applies to --method wsum, not %s", lc_fuse_method_name(S.method));
	if (S.weights && S.nweights != S.nruns)
		lc_cli_usage_error(&cmd, "--weights: %zu weight%s for %zu runs: give one per run", S.nweights,
		                   S.nweights == 1 ? "" : "s", S.nruns);
	if (S.method == LC_FUSE_RRF && S.norm > LC_NORM_NONE)
		lc_cli_usage_error(&cmd, "rrf fuses ranks: --norm %s does not apply (use another --method)", lc_fuse_norm_name(S.norm));
	if (S.norm < 0)
		S.norm = S.method == LC_FUSE_RRF ? LC_NORM_NONE : LC_NORM_MINMAX;
	if (S.rrf_k != 60 && S.method != LC_FUSE_RRF)
		lc_cli_usage_error(&cmd, "--rrf-k applies to --method rrf");
}

/* --optimize's measure, before any file is read: a bad name fails first (exit 2). */
static void open_measure(fusion *f)
{
	lc_err e = { 0 };
	f->te = lc_te_new();
	if (lc_te_mark(f->te, S.measure, &e) < 0 || lc_te_init(f->te, &e) < 0) {
		/* an illegal measure is trec_eval's line, then "lcfuse: the closest known measure ..." */
		const char *nl = strchr(e.msg, '\n');
		size_t pl = strlen(lc_progname());
		if (nl && !strncmp(nl + 1, lc_progname(), pl) && !strncmp(nl + 1 + pl, ": ", 2)) {
			lc_warn("--optimize: %.*s", (int)(nl - e.msg), e.msg);
			lc_cli_usage_error(&cmd, "%s", nl + 1 + pl + 2);
		}
		lc_cli_usage_error(&cmd, "--optimize: %s", e.msg);
	}
	f->vi = pick_value(f->te, S.measure);
}

/* The runs and --qrels (a file that cannot be read or holds nothing: exit 1);
 * --to defaults to the first run's format. */
static void read_inputs(fusion *f)
{
	lc_err e = { 0 };
	f->runs = lc_xcalloc(S.nruns, sizeof *f->runs);
	lc_run_opts ro = { .format = S.from, .member = S.rmember, .member_option = "--run-member", .finite = 1,
	                   .empty_marks = 1 };
	for (size_t i = 0; i < S.nruns; i++) {
		if (lc_run_read(&f->runs[i], S.paths[i], &ro, &e) < 0)
			lc_die_err(&e);
		if (f->runs[i].nlines == 0)
			lc_die(1, "%s: no results found (expected a TREC run, run JSONL or LOFT predictions)", S.paths[i]);
	}
	if (S.to < 0)
		S.to = f->runs[0].format == LC_RUN_TREC;
	if (S.qpath) {
		if (lc_qrels_read(&f->qr, S.qpath, S.qmember, "--qrels-member", LC_QRELS_AUTO, &e) < 0)
			lc_die_err(&e);
		if (f->qr.njudg == 0)
			lc_die(1, "%s: no judgments found (expected TREC qrels, BEIR qrels or LOFT queries)", S.qpath);
	}
}

/* The candidates of every query with their per-run scores, as ranks for rrf,
 * then normalised. */
static void load_candidates(fusion *f)
{
	lc_err e = { 0 };
	if (lc_fuse_load(&f->s, f->runs, S.nruns, &e) < 0)
		lc_die_err(&e);
	f->s.names = (const char *const *)S.paths;
	if (S.method == LC_FUSE_RRF)
		lc_fuse_ranks(&f->s);
	if (lc_fuse_normalize(&f->s, S.norm, &e) < 0)
		lc_die_err(&e);
}

/* --optimize: tries every weighting on the grid, takes the best into S.weights
 * and says which on stderr. */
static void choose_weights(fusion *f)
{
	f->ng = lc_fuse_weight_grid(S.nruns, &f->grid);
	f->tr = lc_xcalloc(f->ng ? f->ng : 1, sizeof *f->tr);
	f->best = optimize(&f->s, f->te, f->vi, &f->qr, f->grid, f->ng, f->tr);
	S.weights = lc_xmalloc(S.nruns * sizeof *S.weights);
	memcpy(S.weights, f->grid + f->best * S.nruns, S.nruns * sizeof *S.weights);
	S.nweights = S.nruns;
	lc_buf b = { 0 };
	put_weights(&b, S.weights, S.nruns);
	lc_warn("--optimize %s: chose weights %s (%s %.4f over %zu weightings)", S.measure, b.p, S.measure,
	        f->tr[f->best].score, f->ng);
	lc_buf_free(&b);
}

/* --report's fields: the settings, the weights and --optimize's trials. */
static void report(const fusion *f)
{
	lc_report *rep = &S.rep;
	lc_report_str(rep, "options.method", lc_fuse_method_name(S.method));
	lc_report_str(rep, "options.norm", lc_fuse_norm_name(S.norm));
	if (S.method == LC_FUSE_RRF)
		lc_report_int(rep, "options.rrf_k", S.rrf_k);
	if (S.top)
		lc_report_int(rep, "options.k", S.top);
	lc_report_int(rep, "queries", (long long)f->s.nq);
	if (S.weights)
		lc_report_set(rep, "weights", weights_json(S.weights, S.nruns));
	if (S.measure) {
		lc_report_str(rep, "options.measure", S.measure);
		lc_report_real(rep, "score", f->tr[f->best].score);
		json_t *trials = json_array();
		for (size_t g = 0; g < f->ng; g++)
			json_array_append_new(trials, json_pack("{s:o, s:f}", "weights", weights_json(f->tr[g].w, S.nruns),
			                                        "score", f->tr[g].score));
		lc_report_set(rep, "trials", trials);
	}
}

static void free_fusion(fusion *f)
{
	lc_fuse_free(&f->s);
	for (size_t i = 0; i < S.nruns; i++)
		lc_run_free(&f->runs[i]);
	free(f->runs);
	if (S.qpath)
		lc_qrels_free(&f->qr);
	if (f->te)
		lc_te_free(f->te);
	free(f->grid);
	free(f->tr);
	free(S.weights);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	parse_args(argc, argv);
	fusion f = { 0 };
	if (S.measure)
		open_measure(&f);
	read_inputs(&f);
	load_candidates(&f);
	if (S.measure)
		choose_weights(&f);

	/* the fused run (-o atomically) and the report */
	lc_report_start(&S.rep, &cmd, !S.out || !strcmp(S.out, "-"), (int)S.nruns, S.paths);
	lc_fuse_opts fo = { S.method, S.weights, S.rrf_k };
	lc_err e = { 0 };
	if (lc_fuse_check(&f.s, &fo, &e) < 0)   /* a score no format can hold: before a byte is written */
		lc_die_err(&e);
	lc_output *o = lc_output_open(S.out);
	write_fused(&f.s, &fo, S.top, S.to, S.tag, o);
	if (lc_report_on(&S.rep))
		report(&f);
	lc_output_commit(o);
	lc_report_write(&S.rep);

	free_fusion(&f);
	return 0;
}
