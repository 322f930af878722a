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

enum {
	OPT_JSON = 256, OPT_JSONL, OPT_QFMT, OPT_RFMT, OPT_QMEMBER, OPT_RMEMBER, OPT_CORPUS,
	OPT_PERM, OPT_SEED, OPT_BOOT, OPT_ANSWER_RULE, OPT_ALPHA, OPT_CI, OPT_BOOT_IDX, OPT_DEDUP,
	OPT_FORMAT, OPT_TEST, OPT_CORRECTION
};

static const lc_opt opts[] = {
	{ 'q', "query_eval_wanted", NULL, "also print each topic's values", NULL },
	{ 'm', "measure", "MEASURE", "measure, nickname (official, all_trec, set, loft, passkey) or MEASURE.PARAMS; repeatable",
	  "official all_trec set loft passkey runid num_q num_ret num_rel num_rel_ret map gm_map Rprec bpref recip_rank iprec_at_recall P relstring recall infAP gm_bpref Rprec_mult utility 11pt_avg binG G ndcg ndcg_rel Rndcg ndcg_cut map_cut relative_P success set_P set_relative_P set_recall set_map set_F num_nonrel_judged_ret rbp rbp_resid unj recall@1 recall@5 recall@10 capped_recall@10 mrecall@10 precision@1 f1@1" },
	{ 'c', "complete_rel_info_wanted", NULL, "score qrels topics missing from the run; average over all qrels topics", NULL },
	{ 'n', "nosummary", NULL, "do not print the summary ('all') lines", NULL },
	{ 'l', "level_for_rel", "N", "minimum judgment value that counts as relevant (default 1)", NULL },
	{ 'M', "Max_retrieved_per_topic", "N", "evaluate only the first N ranked docs per topic", NULL },
	{ 'J', "Judged_docs_only", NULL, "drop unjudged docs from the ranking before evaluating", NULL },
	{ 'N', "Number_docs_in_coll", "N", "number of docs in the collection (utility)", NULL },
	{ 'R', "Rel_info_format", "FMT", "trec_eval's name for --qrels-format: qrels (= trec)", "qrels" },
	{ 'T', "Results_format", "FMT", "trec_eval's name for --run-format: trec_results (= trec)", "trec_results" },
	LC_OPT_OUTPUT(),
	{ OPT_JSON, "json", NULL, "print one JSON object (summary, and per topic with -q)", NULL },
	{ OPT_JSONL, "jsonl", NULL, "print one JSON line per topic (and turn, for LOFT measures)", NULL },
	{ OPT_QFMT, "qrels-format", "FMT", "qrels format: auto trec beir loft", "auto trec beir loft" },
	{ OPT_RFMT, "run-format", "FMT", "run format: auto trec jsonl loft answers batch", "auto trec jsonl loft answers batch" },
	{ OPT_QMEMBER, "qrels-member", "GLOB", "archive member holding the qrels (e.g. '*qrels/test.tsv')", NULL },
	{ OPT_RMEMBER, "run-member", "GLOB", "archive member holding each run", NULL },
	LC_OPT_CORPUS_NOLETTER(OPT_CORPUS),
	{ OPT_DEDUP, "deduplicate-pids", NULL, "LOFT measures: compare ids by passage text (LOFT's --deduplicate_pids, for TopiOCQA)", NULL },
	{ OPT_ANSWER_RULE, "answer-rule", "RULE", "LLM answer line rule: loft (53358ff, default) or head", "loft head" },
	{ OPT_PERM, "permutations", "N", "randomization test permutations (default 10000)", NULL },
	{ OPT_BOOT, "bootstrap", "N", "bootstrap resamples for confidence intervals (default 10000)", NULL },
	{ OPT_CI, "ci", "METHOD", "bootstrap interval: bca (default, SciPy's) or percentile", "bca percentile" },
	{ OPT_BOOT_IDX, "bootstrap-indices", "FILE", "take the bootstrap resamples from FILE (a line of topic indices each)", LC_COMPLETE_FILE },
	LC_OPT_SEED(OPT_SEED),
	{ OPT_TEST, "test", "TEST", "the test behind the marks: randomization (default) or t", "randomization t" },
	{ OPT_CORRECTION, "correction", "METHOD", "multiple-comparison correction over the pairs of runs: holm (default), bonferroni or none", "holm bonferroni none" },
	{ OPT_ALPHA, "alpha", "P", "significance level for the marks (default 0.05)", NULL },
	LC_OPT_FORMAT(OPT_FORMAT, "text markdown latex csv json"),
	LC_OPT_REPORT,
	LC_OPT_END
};

static const lc_cmd cmd = { "lceval", "[options] QRELS RUN [RUN...]",
                            "evaluate runs like trec_eval 10.0 and LOFT, with significance tests", opts, NULL };

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

typedef struct settings {
	ev_ctx c;
	const char **ms[NFAM];    /* the -m arguments of each family (argv memory) */
	size_t nms[NFAM];
	const char *corpus, *qmember, *rmember, *boot_idx;
	int qfmt, rfmt, variant, boot_given, dedup, l_given;
	lc_report rep;
} settings;

/* Parses argv into s; returns the index of QRELS.  Usage errors exit 2. */
static int parse_args(int argc, char **argv, settings *s)
{
	ev_ctx *c = &s->c;
	lc_te_opts_default(&c->o);
	c->so = (lc_signif_opts){ 10000, 10000, 0, 0.05, LC_CI_BCA, NULL, 0, LC_TEST_RANDOMIZATION, LC_CORR_HOLM };
	s->qfmt = LC_QRELS_AUTO;
	s->rfmt = LC_RUN_AUTO;
	s->variant = LC_ANSWER_LOFT_53358FF;
	lc_cli st = { 0 };
	int o;
	while ((o = lc_cli_next(&st, &cmd, argc, argv)) != -1) {
		switch (o) {
		case 'q': c->o.query = 1; break;
		case 'c': c->o.complete = 1; break;
		case 'n': c->o.summary = 0; break;
		case 'J': c->o.judged_only = 1; break;
		case 'l':
			c->o.rel_level = atol(optarg);
			s->l_given = 1;
			break;
		case 'M': c->o.max_docs = atol(optarg); break;
		case 'N': c->o.num_docs_in_coll = atol(optarg); break;
		case 'm': {
			int f = 0;
			while (!claims[f](optarg))
				f++;
			s->ms[f] = lc_xrealloc(s->ms[f], (s->nms[f] + 1) * sizeof *s->ms[f]);
			s->ms[f][s->nms[f]++] = optarg;
			break;
		}
		case 'o': c->outpath = optarg; break;
		case 'R':
			if (strcmp(optarg, "qrels")) {
				fputs("trec_eval: Illegal rel_format '", stderr);
				lc_fputs_escaped(optarg, 0, stderr);
				fputs("'\n", stderr);
				exit(2);
			}
			s->qfmt = LC_QRELS_TREC;
			break;
		case 'T':
			if (strcmp(optarg, "trec_results")) {
				fputs("trec_eval: Illegal retrieval results format '", stderr);
				lc_fputs_escaped(optarg, 0, stderr);
				fputs("'\n", stderr);
				exit(2);
			}
			s->rfmt = LC_RUN_TREC;
			break;
		case OPT_JSON: c->json = 1; break;
		case OPT_JSONL: c->jsonl = 1; break;
		case OPT_QFMT:
			s->qfmt = lc_qrels_format_from_name(optarg);
			if (s->qfmt < 0)
				lc_cli_usage_error(&cmd, "--qrels-format: unknown format '%s' (auto trec beir loft)", optarg);
			break;
		case OPT_RFMT:
			s->rfmt = lc_run_format_from_name(optarg);
			if (s->rfmt < 0)
				lc_cli_usage_error(&cmd, "--run-format: unknown format '%s' (auto trec jsonl loft answers batch)", optarg);
			break;
		case OPT_QMEMBER: s->qmember = optarg; break;
		case OPT_RMEMBER: s->rmember = optarg; break;
		case OPT_CORPUS: s->corpus = optarg; break;
		case OPT_ANSWER_RULE:
			if (!strcmp(optarg, "loft") || !strcmp(optarg, "53358ff"))
				s->variant = LC_ANSWER_LOFT_53358FF;
			else if (!strcmp(optarg, "head"))
				s->variant = LC_ANSWER_LOFT_HEAD;
			else
				lc_cli_usage_error(&cmd, "--answer-rule: expected 'loft' or 'head', got '%s'", optarg);
			break;
		case OPT_PERM: c->so.permutations = lc_cli_long("--permutations", optarg, 1, 100000000); break;
		case OPT_BOOT:
			c->so.bootstrap = lc_cli_long("--bootstrap", optarg, 1, 100000000);
			s->boot_given = 1;
			break;
		case OPT_BOOT_IDX: s->boot_idx = optarg; break;
		case OPT_DEDUP: s->dedup = 1; break;
		case OPT_CI:
			if (!strcmp(optarg, "bca"))
				c->so.ci = LC_CI_BCA;
			else if (!strcmp(optarg, "percentile"))
				c->so.ci = LC_CI_PERCENTILE;
			else
				lc_cli_usage_error(&cmd, "--ci: expected 'bca' or 'percentile', got '%s'", optarg);
			break;
		case OPT_TEST:
			if (!strcmp(optarg, "randomization"))
				c->so.test = LC_TEST_RANDOMIZATION;
			else if (!strcmp(optarg, "t"))
				c->so.test = LC_TEST_T;
			else
				lc_cli_usage_error(&cmd, "--test: expected 'randomization' or 't', got '%s'", optarg);
			break;
		case OPT_CORRECTION:
			if (!strcmp(optarg, "holm"))
				c->so.correction = LC_CORR_HOLM;
			else if (!strcmp(optarg, "bonferroni"))
				c->so.correction = LC_CORR_BONFERRONI;
			else if (!strcmp(optarg, "none"))
				c->so.correction = LC_CORR_NONE;
			else
				lc_cli_usage_error(&cmd, "--correction: expected 'holm', 'bonferroni' or 'none', got '%s'", optarg);
			break;
		case OPT_FORMAT: {
			static const char *const names[] = { "text", "markdown", "latex", "csv", "json" };
			c->format = -1;
			for (int f = EV_FMT_TEXT; f <= EV_FMT_JSON; f++)
				if (!strcmp(optarg, names[f]))
					c->format = f;
			if (c->format < 0)
				lc_cli_usage_error(&cmd, "--format: expected text, markdown, latex, csv or json, got '%s'", optarg);
			break;
		}
		case OPT_SEED: c->so.seed = (unsigned long)lc_cli_long("--seed", optarg, 0, LONG_MAX); break;
		case OPT_ALPHA: c->so.alpha = lc_cli_double("--alpha", optarg, 0.0, 1.0); break;
		case LC_OPT_REPORT_ID: lc_report_arg(&s->rep, &cmd, optarg); break;
		}
	}
	if (argc - st.ind < 2)
		lc_cli_usage_error(&cmd, "expected QRELS and at least one RUN");
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
	for (size_t i = 0; i < s->nms[FAM_TREC]; i++)
		if (lc_te_mark(te, s->ms[FAM_TREC][i], &e) < 0) {
			lc_fputs_escaped(e.msg, 1, stderr);
			fputc('\n', stderr);
			exit(e.code);
		}
	/* ir_measures' rel=N ("P(rel=2)@5") is trec_eval's -l N */
	long rl = lc_te_rel_level(te);
	if (rl && s->l_given && rl != s->c.o.rel_level)
		lc_cli_usage_error(&cmd, "-l %ld and a measure's rel=%ld disagree: give one", s->c.o.rel_level, rl);
	if (rl)
		s->c.o.rel_level = rl;
	if (lc_te_init(te, &e) < 0) {
		lc_fputs_escaped(e.msg, 1, stderr);
		fputc('\n', stderr);
		exit(e.code);
	}
}

/* The LOFT measures, and --deduplicate-pids' corpus (LOFT reads corpus.jsonl
 * next to the answers file; --corpus names another). */
static void loft_measures(settings *s, lc_loft_sel *sel, lc_loft_dedup *dd)
{
	lc_err e = { 0 };
	for (size_t i = 0; i < s->nms[FAM_LOFT]; i++)
		if (lc_loft_sel_add(sel, s->ms[FAM_LOFT][i], &e) < 0)
			lc_die(2, "%s", e.msg);
	if (!s->dedup)
		return;
	lc_buf cp = { 0 };
	if (s->corpus)
		lc_buf_adds(&cp, s->corpus);
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

/* QRELS (QRELS and RUN given the other way round: say so instead of a parse error). */
static void read_qrels(settings *s, lc_qrels *qr)
{
	ev_ctx *c = &s->c;
	if (ev_looks_like(c->qpath, s->qmember) == 'r' && ev_looks_like(c->rpaths[0], s->rmember) == 'q')
		lc_cli_usage_error(&cmd, "QRELS and RUN are swapped: %s looks like a run and %s like judgments; give QRELS first: lceval [options] %s %s",
		                   c->qpath, c->rpaths[0], c->rpaths[0], c->qpath);
	lc_err e = { 0 };
	size_t ql = strlen(c->qpath);
	if (!s->qmember && ql > 4 && !strcmp(c->qpath + ql - 4, ".zip"))
		s->qmember = "*qrels/test.tsv";   /* a BEIR dataset zip */
	if (lc_qrels_read(qr, c->qpath, s->qmember, s->qfmt, &e) < 0)
		lc_die_err(&e);
	if (qr->njudg == 0 && qr->nrecs == 0)
		lc_die(1, "%s: no judgments found (expected TREC qrels, BEIR qrels or LOFT queries)", c->qpath);
}

/* Every RUN, read as the LOFT family (loft) or trec_eval's wants it. */
static lc_run *read_runs(const settings *s, int loft, char **pids, size_t npids)
{
	const ev_ctx *c = &s->c;
	lc_err e = { 0 };
	lc_run_opts ro = { s->rfmt, s->rmember, pids, npids, s->variant, loft };
	lc_run *runs = lc_xcalloc(c->nruns, sizeof *runs);
	for (size_t i = 0; i < c->nruns; i++) {
		if (lc_run_read(&runs[i], c->rpaths[i], &ro, &e) < 0)
			lc_die_err(&e);
		if (runs[i].nlines == 0 && !loft)
			lc_die(1, "%s: no results found (expected a TREC run, run JSONL, LOFT predictions or LLM answers)", c->rpaths[i]);
	}
	return runs;
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	settings s = { 0 };
	int ind = parse_args(argc, argv, &s);
	ev_ctx *c = &s.c;
	c->rep = &s.rep;
	uint32_t *bidx = NULL;
	if (s.boot_idx)
		c->so.boot_idx = bidx = ev_read_indices(s.boot_idx, &c->so.bootstrap, &c->so.boot_n);
	lc_report_start(&s.rep, &cmd, !c->outpath || !strcmp(c->outpath, "-"), argc - ind, argv + ind);
	if (lc_report_on(&s.rep)) {
		json_t *ms = json_array();
		for (int f = 0; f < NFAM; f++)
			for (size_t i = 0; i < s.nms[f]; i++)
				json_array_append_new(ms, json_string(s.ms[f][i]));
		lc_report_set(&s.rep, "options.measures", ms);
		lc_report_int(&s.rep, "options.level_for_rel", c->o.rel_level);
		lc_report_bool(&s.rep, "options.complete_rel_info", c->o.complete);
	}

	if (s.nms[FAM_PASSKEY]) {   /* -m passkey: lcgen probes against answers (lceval(1), PASSKEY) */
		ev_passkey_opts po = { c->json, c->jsonl, c->o.query, s.nms[FAM_LOFT] + s.nms[FAM_TREC] };
		lc_err pe = { 0 };
		lc_output *out = lc_output_open(c->outpath);
		if (ev_passkey_run(&po, c->qpath, c->rpaths, c->nruns, out, s.rep.o, &pe) < 0)
			lc_die_err(&pe);
		lc_output_commit(out);
		lc_report_write(&s.rep);
		lc_report_free(&s.rep);
		for (int f = 0; f < NFAM; f++)
			free(s.ms[f]);
		free(bidx);
		return 0;
	}

	/* a family's measures are read before any file; no -m at all is trec_eval's default */
	int want_loft = s.nms[FAM_LOFT] > 0, want_trec = s.nms[FAM_TREC] || !want_loft;
	lc_te *te = lc_te_new();
	lc_loft_sel lsel = { 0 };
	lc_loft_dedup dd = { 0 };
	if (want_loft)
		loft_measures(&s, &lsel, &dd);
	if (want_trec)
		trec_measures(&s, te);

	lc_qrels qr = { 0 };
	read_qrels(&s, &qr);
	c->qr = &qr;
	char **pids = NULL;
	size_t npids = 0;
	if (s.corpus)
		pids = ev_read_corpus(s.corpus, &npids);
	/* each family reads the runs its way: LOFT keeps repeats and order */
	lc_run *runs = want_trec ? read_runs(&s, 0, pids, npids) : NULL;
	lc_run *lruns = want_loft ? read_runs(&s, 1, pids, npids) : NULL;
	ev_ctx lc = *c;
	lc.runs = lruns;
	c->runs = runs;

	/* the families evaluate and print (a new family: a claims_* row, its measures and a branch here) */
	lc_output *out = lc_output_open(c->outpath);
	int code = !want_trec ? ev_loft_run(&lc, &lsel, out) : !want_loft ? ev_trec_run(c, te, out)
	         : ev_mixed_run(c, &lc, te, &lsel, out);
	if (!code) {
		lc_output_commit(out);
		lc_report_write(&s.rep);
	}
	lc_report_free(&s.rep);
	for (size_t i = 0; i < c->nruns; i++) {
		if (runs)
			lc_run_free(&runs[i]);
		if (lruns)
			lc_run_free(&lruns[i]);
	}
	free(runs);
	free(lruns);
	for (size_t i = 0; i < npids; i++)
		free(pids[i]);
	free(pids);
	lc_qrels_free(&qr);
	lc_te_free(te);
	lc_loft_sel_free(&lsel);
	lc_loft_dedup_free(&dd);
	for (int f = 0; f < NFAM; f++)
		free(s.ms[f]);
	free(bidx);
	return code;
}
