/*
 * lceval — a drop-in trec_eval 10.0 and LOFT retrieval evaluator that also
 * compares runs.  Thin main: options (settings), then the measure families
 * (lib/eval/treceval through cmd/lceval/trec.c, lib/eval/loft_eval through
 * cmd/lceval/loft.c) evaluate every run, and cmd/lceval/compare*.c print the
 * comparison of several runs with lib/eval/signif's tests.  See man/lceval.1.
 * --report FILE: the --json object (same numbers) inside a report (lib/cli/report).
 */
#include "cli.h"
#include "options.h"
#include "err.h"
#include "answer.h"
#include "buf.h"
#include "lceval.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LOFT's measures are lowercase NAME@K (recall@10); ir_measures' names with a
 * cutoff have a capital letter (nDCG@10, P@5, RR@10) and go to lib/eval/treceval. */
static int claims_loft(const char *m)
{
	if (!strcmp(m, "loft"))
		return 1;
	const char *at = strchr(m, '@');
	if (!at)
		return 0;
	for (const char *p = m; p < at; p++)
		if (*p >= 'A' && *p <= 'Z')
			return 0;
	return 1;
}

/* lcgen probes' passkey accuracy (lib/eval/passkey), scored alone. */
static int claims_passkey(const char *m)
{
	return !strcmp(m, "passkey");
}

/* Every other name is trec_eval's (lib/eval/treceval reports unknown ones). */
static int claims_trec(const char *m)
{
	(void)m;
	return 1;
}

/* The measure families: a -m name goes to the first that claims it, so the
 * catch-all trec_eval family stays last and a new family goes before it. */
enum { FAM_PASSKEY, FAM_LOFT, FAM_TREC, NFAM };
static int (*const claims[NFAM])(const char *) = { claims_passkey, claims_loft, claims_trec };

/* The program's settings: its options, each bound to its field in the table below
 * (lib/cli/cli.h); only --report reaches parse_args' switch.  c.o is set to
 * lc_te_opts_default before parsing. */
typedef struct settings {
	ev_ctx c;
	const char **ms[NFAM];    /* the -m arguments of each family (argv memory; the arrays are malloc'd) */
	size_t nms[NFAM];
	const char *corpus, *qmember, *rmember, *boot_idx;
	const char *zpath;        /* -Z FILE */
	const char *bad_rel_fmt, *bad_res_fmt;   /* an unknown -R / -T (argv memory) */
	int qfmt, rfmt, variant, boot_given, dedup, l_given;
	lc_report rep;
} settings;

static settings S = {
	.c = { .so = { 10000, 10000, 0, 0.05, LC_CI_BCA, NULL, 0, LC_TEST_RANDOMIZATION, LC_CORR_HOLM } },
	.qfmt = LC_QRELS_AUTO, .rfmt = LC_RUN_AUTO, .variant = LC_ANSWER_LOFT_53358FF,
};

/* -m MEASURE (repeatable): into the list of the family that claims it. */
static void measure_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	int f = 0;
	while (!claims[f](arg))
		f++;
	S.ms[f] = lc_xrealloc(S.ms[f], (S.nms[f] + 1) * sizeof *S.ms[f]);
	S.ms[f][S.nms[f]++] = arg;
}

/* -l, -M, -N: trec_eval reads their numbers with atol (no check), and so does lceval. */
static void atol_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	*(long *)o->var = atol(arg);
	if (o->id == 'l')
		S.l_given = 1;
}

/* -R FMT and -T FMT: trec_eval's formats (qrels, qrels_jg, prefs,
 * qrels_prefs; trec_results); an unknown one is kept for check_trec_formats
 * (trec_eval finds it after the options, so a later -v still prints its version). */
static void trec_format_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	static const struct { const char *name; int fmt; } rel[] = {
		{ "qrels", LC_QRELS_TREC }, { "qrels_jg", LC_QRELS_TREC_JG },
		{ "prefs", LC_QRELS_PREFS }, { "qrels_prefs", LC_QRELS_TREC_PREFS },
	};
	int is_rel = o->id == 'R', fmt = -1;
	if (is_rel) {
		for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
			if (!strcmp(arg, rel[i].name))
				fmt = rel[i].fmt;
	} else if (!strcmp(arg, "trec_results"))
		fmt = LC_RUN_TREC;
	*(is_rel ? &S.bad_rel_fmt : &S.bad_res_fmt) = fmt < 0 ? arg : NULL;
	if (fmt >= 0)
		*(int *)o->var = fmt;
}

/* The last -R and -T were unknown: trec_eval's message and exit code, -R's first. */
static void check_trec_formats(void)
{
	const char *bad = S.bad_rel_fmt ? S.bad_rel_fmt : S.bad_res_fmt;
	if (!bad)
		return;
	fputs(S.bad_rel_fmt ? "trec_eval: Illegal rel_format '" : "trec_eval: Illegal retrieval results format '", stderr);
	lc_fputs_escaped(bad, 0, stderr);
	fputs("'\n", stderr);
	exit(2);
}

/* -D N[.QID]: trec_eval's debug level, whose printouts lceval does not make;
 * N.QID evaluates topic QID alone (a -D without a '.' keeps an earlier QID, as
 * in trec_eval). */
static void debug_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	const char *dot = strchr(arg, '.');
	if (dot)
		*(const char **)o->var = dot + 1;
}

/* trec_eval's own words in e, as it prints them, and its exit code. */
static _Noreturn void trec_die(const lc_err *e)
{
	lc_fputs_escaped(e->msg, 1, stderr);
	fputc('\n', stderr);
	exit(e->code);
}

/* Marks the -m names of trec_eval's family in te; an illegal one is trec_eval's
 * error (te is freed first). */
static void mark_trec(const settings *s, lc_te *te)
{
	lc_err e = { 0 };
	for (size_t i = 0; i < s->nms[FAM_TREC]; i++)
		if (lc_te_mark(te, s->ms[FAM_TREC][i], &e) < 0) {
			lc_te_free(te);
			trec_die(&e);
		}
}

/* -v: trec_eval's version line on standard error, exit 0, when trec_eval meets
 * it: after the -m names before it are checked (an illegal one exits 1 first). */
static void trec_version_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	lc_te *te = lc_te_new();
	mark_trec(&S, te);
	lc_te_free(te);
	fputs("trec_eval version " LC_TREC_EVAL_VERSION "\n", stderr);
	exit(0);
}

static void qrels_format_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	S.qfmt = lc_qrels_format_from_name(arg);
	if (S.qfmt < 0)
		lc_cli_usage_error(cmd, "--qrels-format: unknown format '%s' (auto trec beir loft trec_jg prefs trec_prefs)",
		                   arg);
}

static void run_format_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	S.rfmt = lc_run_format_from_name(arg);
	if (S.rfmt < 0)
		lc_cli_usage_error(cmd, "--run-format: unknown format '%s' (auto trec jsonl loft answers batch)", arg);
}

static void answer_rule_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "loft") || !strcmp(arg, "53358ff"))
		S.variant = LC_ANSWER_LOFT_53358FF;
	else if (!strcmp(arg, "head"))
		S.variant = LC_ANSWER_LOFT_HEAD;
	else
		lc_cli_usage_error(cmd, "--answer-rule: expected 'loft' or 'head', got '%s'", arg);
}

static void note_bootstrap(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	S.boot_given = 1;
}

static void ci_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "bca"))
		S.c.so.ci = LC_CI_BCA;
	else if (!strcmp(arg, "percentile"))
		S.c.so.ci = LC_CI_PERCENTILE;
	else
		lc_cli_usage_error(cmd, "--ci: expected 'bca' or 'percentile', got '%s'", arg);
}

static void test_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "randomization"))
		S.c.so.test = LC_TEST_RANDOMIZATION;
	else if (!strcmp(arg, "t"))
		S.c.so.test = LC_TEST_T;
	else
		lc_cli_usage_error(cmd, "--test: expected 'randomization' or 't', got '%s'", arg);
}

static void correction_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "holm"))
		S.c.so.correction = LC_CORR_HOLM;
	else if (!strcmp(arg, "bonferroni"))
		S.c.so.correction = LC_CORR_BONFERRONI;
	else if (!strcmp(arg, "none"))
		S.c.so.correction = LC_CORR_NONE;
	else
		lc_cli_usage_error(cmd, "--correction: expected 'holm', 'bonferroni' or 'none', got '%s'", arg);
}

static void format_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	static const char *const names[] = { "text", "markdown", "latex", "csv", "json" };
	S.c.format = -1;
	for (int f = EV_FMT_TEXT; f <= EV_FMT_JSON; f++)
		if (!strcmp(arg, names[f]))
			S.c.format = f;
	if (S.c.format < 0)
		lc_cli_usage_error(cmd, "--format: expected text, markdown, latex, csv or json, got '%s'", arg);
}

static const lc_opt opts[] = {
	{ 'q', "query_eval_wanted", NULL, "also print each topic's values", NULL, LC_BIND_SET(S.c.o.query, 1) },
	{ 'm', "measure", "MEASURE", "measure, nickname (official, all_trec, set, qrels_jg, prefs, all_prefs, loft, passkey) or MEASURE.PARAMS; repeatable",
	  "official all_trec set qrels_jg prefs all_prefs loft passkey runid num_q num_ret num_rel num_rel_ret map gm_map Rprec bpref recip_rank iprec_at_recall P relstring recall infAP gm_bpref Rprec_mult utility 11pt_avg binG G ndcg ndcg_rel Rndcg ndcg_cut map_cut relative_P success set_P set_relative_P set_recall set_map set_F num_nonrel_judged_ret rbp rbp_resid unj dcg ideal_dcg yaap map_avgjg P_avgjg Rprec_mult_avgjg prefs_num_prefs_poss prefs_num_prefs_ful prefs_num_prefs_ful_ret prefs_simp prefs_pair prefs_avgjg prefs_avgjg_Rnonrel prefs_simp_ret prefs_pair_ret prefs_avgjg_ret prefs_avgjg_Rnonrel_ret prefs_simp_imp prefs_pair_imp prefs_avgjg_imp recall@1 recall@5 recall@10 capped_recall@10 mrecall@10 precision@1 f1@1",
	  LC_BIND_CALL(measure_cb, S.ms) },
	{ 'c', "complete_rel_info_wanted", NULL, "score qrels topics missing from the run; average over all qrels topics", NULL,
	  LC_BIND_SET(S.c.o.complete, 1) },
	{ 'n', "nosummary", NULL, "do not print the summary ('all') lines", NULL, LC_BIND_SET(S.c.o.summary, 0) },
	{ 'l', "level_for_rel", "N", "minimum judgment value that counts as relevant (default 1)", NULL,
	  LC_BIND_CALL(atol_cb, S.c.o.rel_level) },
	{ 'M', "Max_retrieved_per_topic", "N", "evaluate only the first N ranked docs per topic", NULL,
	  LC_BIND_CALL(atol_cb, S.c.o.max_docs) },
	{ 'J', "Judged_docs_only", NULL, "drop unjudged docs from the ranking before evaluating", NULL,
	  LC_BIND_SET(S.c.o.judged_only, 1) },
	{ 'N', "Number_docs_in_coll", "N", "number of docs in the collection (utility)", NULL,
	  LC_BIND_CALL(atol_cb, S.c.o.num_docs_in_coll) },
	{ 'v', "trec_eval_version", NULL, "print trec_eval's version line (trec_eval version " LC_TREC_EVAL_VERSION
	  ") on stderr and exit; --version is lceval's", NULL, LC_BIND_CALL(trec_version_cb, S.zpath) },
	{ 'D', "Debug_level", "N[.QID]", "trec_eval's debug level (no debug printouts); N.QID evaluates topic QID alone",
	  NULL, LC_BIND_CALL(debug_cb, S.c.o.only_qid) },
	{ 'Z', "Zscore", "FILE", "print z scores: each topic's values against FILE's lines 'qid measure mean stddev'",
	  LC_COMPLETE_FILE, LC_BIND_STR(S.zpath) },
	{ 'R', "Rel_info_format", "FMT", "trec_eval's name for --qrels-format: qrels (= trec), qrels_jg (= trec_jg), "
	  "prefs (= prefs), qrels_prefs (= trec_prefs)", "qrels qrels_jg prefs qrels_prefs",
	  LC_BIND_CALL(trec_format_cb, S.qfmt) },
	{ 'T', "Results_format", "FMT", "trec_eval's name for --run-format: trec_results (= trec)", "trec_results",
	  LC_BIND_CALL(trec_format_cb, S.rfmt) },
	LC_OPT_OUTPUT(LC_BIND_STR(S.c.outpath)),
	LC_OPT_JOBS(S.c.o.jobs),
	{ 0, "json", NULL, "print one JSON object (summary, and per topic with -q)", NULL, LC_BIND_SET(S.c.json, 1) },
	{ 0, "jsonl", NULL, "print one JSON line per topic (and turn, for LOFT measures)", NULL, LC_BIND_SET(S.c.jsonl, 1) },
	{ 0, "qrels-format", "FMT", "qrels format: auto trec beir loft trec_jg (qid group docno rel) prefs (qid group "
	  "subgroup docno level) trec_prefs (TREC qrels as prefs)", "auto trec beir loft trec_jg prefs trec_prefs",
	  LC_BIND_CALL(qrels_format_cb, S.qfmt) },
	{ 0, "run-format", "FMT", "run format: auto trec jsonl loft answers batch", "auto trec jsonl loft answers batch",
	  LC_BIND_CALL(run_format_cb, S.rfmt) },
	LC_OPT_QRELS_MEMBER(0, LC_BIND_STR(S.qmember)),
	LC_OPT_RUN_MEMBER(0, LC_BIND_STR(S.rmember)),
	LC_OPT_CORPUS_NOLETTER(0, LC_BIND_STR(S.corpus)),
	{ 0, "deduplicate-pids", NULL, "LOFT measures: compare ids by passage text (LOFT's --deduplicate_pids, for TopiOCQA)", NULL,
	  LC_BIND_SET(S.dedup, 1) },
	{ 0, "answer-rule", "RULE", "LLM answer line rule: loft (53358ff, default) or head", "loft head",
	  LC_BIND_CALL(answer_rule_cb, S.variant) },
	{ 0, "permutations", "N", "randomization test permutations (default 10000)", NULL,
	  LC_BIND_LONG(S.c.so.permutations, 1, 100000000) },
	{ 0, "bootstrap", "N", "bootstrap resamples for confidence intervals (default 10000)", NULL,
	  LC_BIND_LONG_NOTE(S.c.so.bootstrap, 1, 100000000, note_bootstrap) },
	{ 0, "ci", "METHOD", "bootstrap interval: bca (default, SciPy's) or percentile", "bca percentile",
	  LC_BIND_CALL(ci_cb, S.c.so.ci) },
	{ 0, "bootstrap-indices", "FILE", "take the bootstrap resamples from FILE (a line of topic indices each)", LC_COMPLETE_FILE,
	  LC_BIND_STR(S.boot_idx) },
	LC_OPT_SEED(S.c.so.seed),
	{ 0, "test", "TEST", "the test behind the marks: randomization (default) or t", "randomization t",
	  LC_BIND_CALL(test_cb, S.c.so.test) },
	{ 0, "correction", "METHOD", "multiple-comparison correction over the pairs of runs: holm (default), bonferroni or none",
	  "holm bonferroni none", LC_BIND_CALL(correction_cb, S.c.so.correction) },
	{ 0, "alpha", "P", "significance level for the marks (default 0.05)", NULL, LC_BIND_DOUBLE(S.c.so.alpha, 0.0, 1.0) },
	LC_OPT_FORMAT(0, "text markdown latex csv json", LC_BIND_CALL(format_cb, S.c.format)),
	LC_OPT_REPORT,
	LC_OPT_END
};

static const lc_cmd cmd = { "lceval", "[options] QRELS RUN [RUN...]",
                            "evaluate runs like trec_eval 10.0 and LOFT, with significance tests", opts, NULL };

/* Parses argv into S; returns the index of QRELS.  Usage errors exit 2. */
static int parse_args(int argc, char **argv)
{
	settings *s = &S;
	ev_ctx *c = &s->c;
	lc_te_opts_default(&c->o);
	lc_cli st = { 0 };
	int o;
	while ((o = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (o == LC_OPT_REPORT_ID)
			lc_report_arg(&s->rep, &cmd, optarg);
	if (argc - st.ind < 2)
		lc_cli_usage_error(&cmd, "expected QRELS and at least one RUN");
	check_trec_formats();
	if (c->json && c->jsonl)
		lc_cli_usage_error(&cmd, "--json and --jsonl are exclusive");
	if ((c->json || c->jsonl) && c->format != EV_FMT_TEXT)
		lc_cli_usage_error(&cmd, "--format and --%s are exclusive (--format json is --json)", c->json ? "json" : "jsonl");
	if (c->format == EV_FMT_JSON)
		c->json = 1;
	if (c->o.query && c->format != EV_FMT_TEXT && c->format != EV_FMT_JSON)
		lc_cli_usage_error(&cmd, "-q gives per-topic values in text, --json and --jsonl; --format %s is the summary table",
		                   c->format == EV_FMT_MARKDOWN ? "markdown" : c->format == EV_FMT_LATEX ? "latex" : "csv");
	if (argc - st.ind - 1 > 26 && !c->json && !c->jsonl)
		lc_cli_usage_error(&cmd, "%d runs: the comparison names runs a to z, give at most 26", argc - st.ind - 1);
	if ((s->qfmt == LC_QRELS_PREFS || s->qfmt == LC_QRELS_TREC_PREFS) && s->nms[FAM_LOFT])
		lc_cli_usage_error(&cmd, "preference judgments (-R prefs, qrels_prefs) go with trec_eval's measures: LOFT's "
		                   "need relevance judgments");
	if (s->qfmt == LC_QRELS_TREC_JG && s->nms[FAM_LOFT])   /* a docno judged in two groups would be gold twice */
		lc_cli_usage_error(&cmd, "judgment groups (-R qrels_jg) go with trec_eval's measures: LOFT's need one "
		                   "judgment per passage");
	if (s->dedup && !s->nms[FAM_LOFT])
		lc_cli_usage_error(&cmd, "--deduplicate-pids applies to LOFT measures (-m loft, recall@k, ...)");
	if (s->boot_idx && s->boot_given)
		lc_cli_usage_error(&cmd, "--bootstrap-indices gives the resamples: --bootstrap N cannot be given with it");
	c->qpath = argv[st.ind];
	c->rpaths = argv + st.ind + 1;
	c->nruns = (size_t)(argc - st.ind - 1);
	return st.ind;
}

/* The trec_eval measures, before any file is read (trec_eval rejects a bad -m
 * first); its messages keep trec_eval's words and exit codes. */
static void trec_measures(settings *s, lc_te *te)
{
	lc_err e = { 0 };
	mark_trec(s, te);
	/* ir_measures' rel=N ("P(rel=2)@5") is trec_eval's -l N */
	long rl = lc_te_rel_level(te);
	if (rl && s->l_given && rl != s->c.o.rel_level)
		lc_cli_usage_error(&cmd, "-l %ld and a measure's rel=%ld disagree: give one", s->c.o.rel_level, rl);
	if (rl)
		s->c.o.rel_level = rl;
	if (lc_te_init(te, &e) < 0) {
		/* trec_eval reads -Z's file before it initialises the measures */
		lc_err ze = { 0 };
		lc_zscores *zs = s->zpath ? lc_zscores_read(s->zpath, &ze) : NULL;
		lc_zscores_free(zs);
		if (s->zpath && !zs)
			e = ze;
		trec_die(&e);
	}
}

/* The LOFT measures, and --deduplicate-pids' corpus (LOFT reads corpus.jsonl
 * next to the answers file; --corpus names another; QRELS a dataset's zip or
 * tar: its corpus.jsonl). */
static void loft_measures(settings *s, lc_loft_sel *sel, lc_loft_dedup *dd)
{
	lc_err e = { 0 };
	for (size_t i = 0; i < s->nms[FAM_LOFT]; i++)
		if (lc_loft_sel_add(sel, s->ms[FAM_LOFT][i], &e) < 0)
			lc_die(2, "%s", e.msg);
	if (!s->dedup)
		return;
	lc_buf cp = { 0 };
	lc_err ae = { 0 };
	if (s->corpus)
		lc_buf_adds(&cp, s->corpus);
	else if (lc_input_archive(s->c.qpath, &ae) == 1)
		lc_buf_adds(&cp, s->c.qpath);   /* a dataset's archive: its corpus.jsonl */
	else {
		const char *sl = strrchr(s->c.qpath, '/');
		if (sl)
			lc_buf_add(&cp, s->c.qpath, (size_t)(sl - s->c.qpath) + 1);
		lc_buf_adds(&cp, "corpus.jsonl");
	}
	if (lc_loft_dedup_load(dd, cp.p, &e) < 0)
		lc_die(1, "%s (--deduplicate-pids reads the corpus next to QRELS, as LOFT does, or --corpus FILE)", e.msg);
	lc_buf_free(&cp);
	sel->dedup = dd;
}

/* An input error while reading QRELS or a RUN, with trec_eval's exit code
 * where it has its own (2 for a malformed line). */
static _Noreturn void die_read(lc_err *e)
{
	if (e->ref_code)
		e->code = e->ref_code;
	lc_die_err(e);
}

/* QRELS (QRELS and RUN given the other way round: say so instead of a parse error). */
static void read_qrels(settings *s, lc_qrels *qr)
{
	ev_ctx *c = &s->c;
	if (ev_looks_like(c->qpath, s->qmember) == 'r' && ev_looks_like(c->rpaths[0], s->rmember) == 'q')
		lc_cli_usage_error(&cmd, "QRELS and RUN are swapped: %s looks like a run and %s like judgments; give QRELS first: lceval [options] %s %s",
		                   c->qpath, c->rpaths[0], c->rpaths[0], c->qpath);
	lc_err e = { 0 };
	/* a zip or tar (a BEIR dataset) gives its qrels/test.tsv unless --qrels-member */
	if (lc_qrels_read(qr, c->qpath, s->qmember, "--qrels-member", s->qfmt, &e) < 0) {
		if (!strncmp(e.msg, "trec_eval", 9)) {   /* trec_eval's own words (qrels_jg's duplicates) */
			trec_die(&e);
		}
		die_read(&e);
	}
	if (qr->njudg == 0 && qr->nrecs == 0)
		lc_die(1, "%s: no judgments found (expected TREC qrels, BEIR qrels or LOFT queries)", c->qpath);
}

/* A run with nothing to evaluate is bad input, except a TREC run of comments
 * and blank lines only: trec_eval reads it as a run without topics (-c scores
 * every topic 0; without, its 'result qid not found').  An empty file stays
 * an error (trec_eval: "Cannot read results file"). */
static int no_results(const lc_run *r)
{
	return r->nlines == 0 && (r->format != LC_RUN_TREC || r->empty);
}

/* Every RUN, read as the LOFT family (loft) or trec_eval's wants it. */
static lc_run *read_runs(const settings *s, int loft, char **pids, size_t npids)
{
	const ev_ctx *c = &s->c;
	lc_err e = { 0 };
	lc_run_opts ro = { s->rfmt, s->rmember, pids, npids, s->variant, loft, "--run-member", "--corpus FILE", 0, 1, 0 };
	lc_run *runs = lc_xcalloc(c->nruns, sizeof *runs);
	/* trec_eval alone reads the compact form (scores and docnos only) */
	int (*read)(lc_run *, const char *, const lc_run_opts *, lc_err *) =
		loft || s->nms[FAM_LOFT] ? lc_run_read : lc_run_read_compact;
	for (size_t i = 0; i < c->nruns; i++) {
		if (read(&runs[i], c->rpaths[i], &ro, &e) < 0)
			die_read(&e);
		if (no_results(&runs[i]) && !loft)
			lc_die(1, "%s: no results found (expected a TREC run, run JSONL, LOFT predictions or LLM answers)", c->rpaths[i]);
	}
	return runs;
}

/* One RUN for trec_eval's measures alone: evaluated as it is read (streamed when
 * it is a plain TREC file), into *res. */
static lc_run *eval_run(const settings *s, lc_te *te, lc_te_result *res)
{
	const ev_ctx *c = &s->c;
	lc_err e = { 0 };
	lc_run_opts ro = { s->rfmt, s->rmember, NULL, 0, s->variant, 0, "--run-member", "--corpus FILE", 0, 1, 0 };
	lc_run *run = lc_xcalloc(1, sizeof *run);
	if (lc_te_evaluate_path(te, &c->o, c->qr, c->rpaths[0], &ro, run, res, &e) < 0)
		die_read(&e);
	if (no_results(run))
		lc_die(1, "%s: no results found (expected a TREC run, run JSONL, LOFT predictions or LLM answers)", c->rpaths[0]);
	return run;
}

/* The runs as each family read them (either may be NULL), and the arrays. */
static void free_runs(lc_run *runs, lc_run *lruns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (runs)
			lc_run_free(&runs[i]);
		if (lruns)
			lc_run_free(&lruns[i]);
	}
	free(runs);
	free(lruns);
}

static void free_pids(char **pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pids[i]);
	free(pids);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	int ind = parse_args(argc, argv);
	ev_ctx *c = &S.c;
	c->rep = &S.rep;
	uint32_t *bidx = NULL;
	if (S.boot_idx)
		c->so.boot_idx = bidx = ev_read_indices(S.boot_idx, &c->so.bootstrap, &c->so.boot_n);
	lc_report_start(&S.rep, &cmd, !c->outpath || !strcmp(c->outpath, "-"), argc - ind, argv + ind);
	if (lc_report_on(&S.rep)) {
		json_t *ms = json_array();
		for (int f = 0; f < NFAM; f++)
			for (size_t i = 0; i < S.nms[f]; i++)
				json_array_append_new(ms, json_string(S.ms[f][i]));
		lc_report_set(&S.rep, "options.measures", ms);
		lc_report_int(&S.rep, "options.level_for_rel", c->o.rel_level);
		lc_report_bool(&S.rep, "options.complete_rel_info", c->o.complete);
		lc_report_bool(&S.rep, "options.judged_docs_only", c->o.judged_only);
		if (c->o.max_docs != LONG_MAX)
			lc_report_int(&S.rep, "options.max_retrieved", c->o.max_docs);
		if (c->o.num_docs_in_coll)
			lc_report_int(&S.rep, "options.num_docs_in_coll", c->o.num_docs_in_coll);
		lc_report_str(&S.rep, "options.qrels_format", lc_qrels_format_name(S.qfmt));
		lc_report_str(&S.rep, "options.zscore", S.zpath);
		lc_report_str(&S.rep, "options.only_query", c->o.only_qid);
	}

	if (S.nms[FAM_PASSKEY]) {   /* -m passkey: lcgen probes against answers (lceval(1), PASSKEY) */
		ev_passkey_opts po = { c->json, c->jsonl, c->o.query, S.nms[FAM_LOFT] + S.nms[FAM_TREC] };
		lc_err pe = { 0 };
		lc_output *out = lc_output_open(c->outpath);
		if (ev_passkey_run(&po, c->qpath, c->rpaths, c->nruns, out, S.rep.o, &pe) < 0)
			lc_die_err(&pe);
		lc_output_commit(out);
		lc_report_write(&S.rep);
		lc_report_free(&S.rep);
		for (int f = 0; f < NFAM; f++)
			free(S.ms[f]);
		free(bidx);
		return 0;
	}

	/* a family's measures are read before any file; no -m at all is trec_eval's default */
	int want_loft = S.nms[FAM_LOFT] > 0, want_trec = S.nms[FAM_TREC] || !want_loft;
	lc_te *te = lc_te_new();
	lc_loft_sel lsel = { 0 };
	lc_loft_dedup dd = { 0 };
	if (want_loft)
		loft_measures(&S, &lsel, &dd);
	if (want_trec)
		trec_measures(&S, te);

	/* a named pipe (a shell's <(cmd)) is read more than once: its first lines to
	 * tell judgments from a run, then whole, and a run by each family when both
	 * are asked (LOFT keeps repeats and order), as is a run on standard input
	 * then: each is kept in a temporary file first */
	lc_err se = { 0 };
	if (strcmp(c->qpath, "-") && lc_input_spool(c->qpath, &se) < 0)   /* standard input: never sniffed, read once */
		die_read(&se);
	for (size_t i = 0; i < c->nruns; i++)
		if ((strcmp(c->rpaths[i], "-") || (want_trec && want_loft)) && lc_input_spool(c->rpaths[i], &se) < 0)
			die_read(&se);
	lc_qrels qr = { .raw = 1 };   /* ids compared byte for byte, as trec_eval's strcmp */
	read_qrels(&S, &qr);
	c->qr = &qr;
	char **pids = NULL;
	size_t npids = 0;
	if (S.corpus)
		pids = ev_read_corpus(S.corpus, &npids);
	/* -Z's file is read before the runs are evaluated, its error reported after
	 * theirs (trec_eval reads it third) */
	lc_err ze = { 0 };
	lc_zscores *zs = S.zpath && want_trec ? lc_zscores_read(S.zpath, &ze) : NULL;
	c->o.zscores = zs;
	lc_te_result pre;
	int streamed = want_trec && !want_loft && c->nruns == 1 && !S.corpus;
	lc_run *runs = streamed ? eval_run(&S, te, &pre) : want_trec ? read_runs(&S, 0, pids, npids) : NULL;
	if (streamed)
		c->pre = &pre;
	lc_run *lruns = want_loft ? read_runs(&S, 1, pids, npids) : NULL;
	if (S.zpath && want_trec && !zs) {
		free_runs(runs, lruns, c->nruns);
		free_pids(pids, npids);
		trec_die(&ze);
	}
	ev_ctx lc = *c;
	lc.runs = lruns;
	c->runs = runs;

	/* the families evaluate and print (a new family: a claims_* row, its measures and a branch here) */
	lc_output *out = lc_output_open(c->outpath);
	int code = !want_trec ? ev_loft_run(&lc, &lsel, out) : !want_loft ? ev_trec_run(c, te, out)
	         : ev_mixed_run(c, &lc, te, &lsel, out);
	if (!code) {
		lc_output_commit(out);
		lc_report_write(&S.rep);
	}
	lc_report_free(&S.rep);
	free_runs(runs, lruns, c->nruns);
	free_pids(pids, npids);
	lc_qrels_free(&qr);
	lc_te_free(te);
	lc_zscores_free(zs);
	lc_loft_sel_free(&lsel);
	lc_loft_dedup_free(&dd);
	for (int f = 0; f < NFAM; f++)
		free(S.ms[f]);
	free(bidx);
	return code;
}
