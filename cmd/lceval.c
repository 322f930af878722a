/*
 * lceval — a drop-in trec_eval 10.0 and LOFT retrieval evaluator.
 * Thin main: options, reading inputs (lib/eval/qrels, lib/eval/run), then lib/eval/treceval,
 * lib/eval/loft_eval and lib/eval/signif do the work.  See man/lceval.1.
 * --report FILE: the --json object (same numbers) inside a report (lib/cli/report).
 */
#include "cli.h"
#include "options.h"
#include "err.h"
#include "loft_eval.h"
#include "output.h"
#include "qrels.h"
#include "run.h"
#include "signif.h"
#include "treceval.h"
#include "answer.h"
#include "input.h"
#include "json.h"
#include "buf.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_JSON = 256, OPT_JSONL, OPT_QFMT, OPT_RFMT, OPT_QMEMBER, OPT_RMEMBER, OPT_CORPUS,
	OPT_PERM, OPT_SEED, OPT_BOOT, OPT_ANSWER_RULE, OPT_ALPHA, OPT_CI, OPT_BOOT_IDX, OPT_DEDUP
};

static const lc_opt opts[] = {
	{ 'q', "query_eval_wanted", NULL, "also print each topic's values", NULL },
	{ 'm', "measure", "MEASURE", "measure, nickname (official, all_trec, set, loft) or MEASURE.PARAMS; repeatable",
	  "official all_trec set loft runid num_q num_ret num_rel num_rel_ret map gm_map Rprec bpref recip_rank iprec_at_recall P relstring recall infAP gm_bpref Rprec_mult utility 11pt_avg binG G ndcg ndcg_rel Rndcg ndcg_cut map_cut relative_P success set_P set_relative_P set_recall set_map set_F num_nonrel_judged_ret rbp rbp_resid unj recall@1 recall@5 recall@10 capped_recall@10 mrecall@10 precision@1 f1@1" },
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
	{ OPT_ALPHA, "alpha", "P", "significance level for the marks (default 0.05)", NULL },
	LC_OPT_REPORT,
	LC_OPT_END
};

static const lc_cmd cmd = { "lceval", "[options] QRELS RUN [RUN...]",
                            "evaluate runs like trec_eval 10.0 and LOFT, with significance tests", opts, NULL };

/* LOFT's measures are lowercase NAME@K (recall@10); ir_measures' names with a
 * cutoff have a capital letter (nDCG@10, P@5, RR@10) and go to lib/eval/treceval. */
static int is_loft_measure(const char *m)
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

/* What the first content line of path looks like: 'r' a run (TREC with 6 or
 * more fields, JSON with "hits" or "model_outputs"), 'q' judgments (TREC with
 * 4 fields, BEIR's header, JSON with "answers"), 0 unknown or unreadable. */
static int looks_like(const char *path, const char *member)
{
	if (!strcmp(path, "-"))
		return 0;
	lc_err e = { 0 };
	lc_input *in = lc_input_open(path, member, &e);
	if (!in)
		return 0;
	char *line;
	size_t len;
	int kind = 0;
	while (lc_input_next(in, &line, &len)) {
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			continue;
		if (line[i] == '{') {
			kind = strstr(line, "\"hits\"") || strstr(line, "\"model_outputs\"") ? 'r'
			     : strstr(line, "\"answers\"") ? 'q' : 0;
		} else if (!strncmp(line + i, "query-id", 8)) {
			kind = 'q';
		} else {
			int fields = 0, in_field = 0;
			for (size_t k = i; k < len; k++) {
				int ws = line[k] == ' ' || line[k] == '\t';
				fields += !ws && !in_field;
				in_field = !ws;
			}
			kind = fields >= 6 ? 'r' : fields == 4 ? 'q' : 0;
		}
		break;
	}
	lc_input_close(in);
	return kind;
}

/* Corpus pid order: LOFT/BEIR corpus JSONL ("pid" or "_id"), a JSON array of
 * ids, or one id per line. */
static char **read_corpus(const char *path, size_t *n)
{
	lc_input *in = lc_input_open_or_die(path, NULL);
	char *line;
	size_t len;
	char **pids = NULL;
	size_t cnt = 0, cap = 0;
	lc_buf idb = { 0 };
	while (lc_input_next(in, &line, &len)) {
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k == len)
			continue;
		if (line[k] == '[' && cnt == 0) {
			lc_err e = { 0 };
			json_t *a = lc_json_parse(line, len, lc_input_where(in), &e);
			if (!a || !json_is_array(a))
				lc_die(1, "%s: expected a JSON array of pids", lc_input_where(in));
			size_t i;
			json_t *v;
			json_array_foreach(a, i, v) {
				const char *p = lc_json_id(v, &idb, "pid", lc_input_where(in), &e);
				if (!p)
					lc_die_err(&e);
				if (cnt == cap)
					pids = lc_xrealloc(pids, (cap = cap ? 2 * cap : 64) * sizeof *pids);
				pids[cnt++] = lc_xstrdup(p);
			}
			json_decref(a);
			continue;
		}
		const char *p;
		char *own = NULL;
		if (line[k] == '{') {
			lc_err e = { 0 };
			json_t *o = lc_json_parse_object(line, len, lc_input_where(in), &e);
			if (!o)
				lc_die_err(&e);
			json_t *v = json_object_get(o, "pid");
			if (!v)
				v = json_object_get(o, "_id");
			if (!v)
				lc_die(1, "%s: corpus line has no 'pid' (or '_id')", lc_input_where(in));
			p = lc_json_id(v, &idb, "pid", lc_input_where(in), &e);
			if (!p)
				lc_die_err(&e);
			own = lc_xstrdup(p);
			json_decref(o);
		} else
			own = lc_xstrndup(line + k, len - k);
		if (cnt == cap)
			pids = lc_xrealloc(pids, (cap = cap ? 2 * cap : 64) * sizeof *pids);
		pids[cnt++] = own;
	}
	lc_buf_free(&idb);
	lc_input_close(in);
	*n = cnt;
	return pids;
}

/* --bootstrap-indices: one resample per line, n topic indices (0-based, in the
 * order lceval compares topics) separated by white space. */
static uint32_t *read_indices(const char *path, long *nres, size_t *n)
{
	lc_input *in = lc_input_open_or_die(path, NULL);
	char *line;
	size_t len;
	uint32_t *v = NULL;
	size_t cnt = 0, cap = 0, width = 0;
	long rows = 0;
	while (lc_input_next(in, &line, &len)) {
		size_t k = 0, w = 0;
		while (k < len) {
			while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
				k++;
			if (k == len)
				break;
			unsigned long x = 0;
			size_t st = k;
			while (k < len && line[k] >= '0' && line[k] <= '9' && x < 100000000)
				x = x * 10 + (unsigned long)(line[k++] - '0');
			if (k == st || (k < len && line[k] != ' ' && line[k] != '\t' && line[k] != '\r'))
				lc_die(1, "%s: expected topic indices (non-negative integers) separated by blanks", lc_input_where(in));
			if (cnt == cap)
				v = lc_xrealloc(v, (cap = cap ? 2 * cap : 1024) * sizeof *v);
			v[cnt++] = (uint32_t)x;
			w++;
		}
		if (w == 0)
			continue;
		if (rows && w != width)
			lc_die(1, "%s: %zu indices, the first resample has %zu: every resample has one index per topic",
			       lc_input_where(in), w, width);
		width = w;
		rows++;
	}
	lc_input_close(in);
	if (!rows)
		lc_die(1, "%s: no resamples found", path);
	for (size_t i = 0; i < cnt; i++)
		if (v[i] >= width)
			lc_die(1, "%s: index %u is not below the number of topics (%zu)", path, v[i], width);
	*nres = rows;
	*n = width;
	return v;
}

/* trec_eval's "result qid 'X' not found in qrels" means the RUN lacks topic X
 * that QRELS judges (issue 18 #23): the first line stays trec_eval's (the
 * conformance vectors pin it); this second line names the file at fault. */
static void explain_missing(const char *msg, const char *qpath, const char *rpath)
{
	static const char pre[] = "trec_eval: result qid '", suf[] = "' not found in qrels\n";
	size_t n = strlen(msg), lp = sizeof pre - 1, ls = sizeof suf - 1;
	if (n < lp + ls || strncmp(msg, pre, lp) || strcmp(msg + n - ls, suf))
		return;
	char *qid = lc_xstrndup(msg + lp, n - lp - ls);
	fputs("lceval: ", stderr);
	lc_fputs_escaped(rpath, 0, stderr);
	fputs(" lacks topic '", stderr);
	lc_fputs_escaped(qid, 0, stderr);
	fputs("' that ", stderr);
	lc_fputs_escaped(qpath, 0, stderr);
	fputs(" has (score it as 0 with -c)\n", stderr);
	free(qid);
}

/* --report: an output into an anonymous temp file (written through its fd), so the
 * --json printers of lib/eval/signif and lib/eval/loft_eval fill the report too. */
static lc_output *json_sink(FILE **tf)
{
	*tf = tmpfile();
	if (!*tf)
		lc_die(LC_EXIT_INPUT, "--report: cannot create a temporary file: %s", strerror(errno));
	char path[32];
	snprintf(path, sizeof path, "/dev/fd/%d", fileno(*tf));
	return lc_output_open(path);
}

/* The JSON object written to tf, merged into the report; tf closed. */
static void json_sink_merge(lc_report *rep, lc_output *o, FILE *tf)
{
	lc_output_commit(o);
	rewind(tf);
	json_error_t je;
	json_t *v = json_loadf(tf, 0, &je);
	fclose(tf);
	if (!json_is_object(v))
		lc_die(LC_EXIT_INPUT, "--report: cannot read back the JSON summary: %s", je.text);
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x)
		lc_report_set(rep, k, json_incref(x));
	json_decref(v);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = { 0 };
	lc_te_opts o;
	lc_te_opts_default(&o);
	lc_te *t = lc_te_new();
	const char **loft_ms = NULL;
	size_t nloft = 0, ntrec_m = 0;
	const char *outpath = NULL, *corpus = NULL, *qmember = NULL, *rmember = NULL;
	int json = 0, jsonl = 0, qfmt = LC_QRELS_AUTO, rfmt = LC_RUN_AUTO, variant = LC_ANSWER_LOFT_53358FF;
	lc_signif_opts so = { 10000, 10000, 0, 0.05, LC_CI_BCA, NULL, 0 };
	const char *boot_idx = NULL;
	int boot_given = 0, dedup = 0, l_given = 0;
	lc_report rep = {0};
	char **marg = lc_xcalloc((size_t)argc + 1, sizeof *marg);
	size_t nmarg = 0;
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1) {
		switch (c) {
		case 'q': o.query = 1; break;
		case 'c': o.complete = 1; break;
		case 'n': o.summary = 0; break;
		case 'J': o.judged_only = 1; break;
		case 'l':
			o.rel_level = atol(optarg);
			l_given = 1;
			break;
		case 'M': o.max_docs = atol(optarg); break;
		case 'N': o.num_docs_in_coll = atol(optarg); break;
		case 'm':
			if (is_loft_measure(optarg)) {
				loft_ms = lc_xrealloc(loft_ms, (nloft + 1) * sizeof *loft_ms);
				loft_ms[nloft++] = optarg;
			} else {
				marg[nmarg++] = optarg;
				ntrec_m++;
			}
			break;
		case 'o': outpath = optarg; break;
		case 'R':
			if (strcmp(optarg, "qrels")) {
				fputs("trec_eval: Illegal rel_format '", stderr);
				lc_fputs_escaped(optarg, 0, stderr);
				fputs("'\n", stderr);
				exit(2);
			}
			qfmt = LC_QRELS_TREC;
			break;
		case 'T':
			if (strcmp(optarg, "trec_results")) {
				fputs("trec_eval: Illegal retrieval results format '", stderr);
				lc_fputs_escaped(optarg, 0, stderr);
				fputs("'\n", stderr);
				exit(2);
			}
			rfmt = LC_RUN_TREC;
			break;
		case OPT_JSON: json = 1; break;
		case OPT_JSONL: jsonl = 1; break;
		case OPT_QFMT:
			qfmt = lc_qrels_format_from_name(optarg);
			if (qfmt < 0)
				lc_cli_usage_error(&cmd, "--qrels-format: unknown format '%s' (auto trec beir loft)", optarg);
			break;
		case OPT_RFMT:
			rfmt = lc_run_format_from_name(optarg);
			if (rfmt < 0)
				lc_cli_usage_error(&cmd, "--run-format: unknown format '%s' (auto trec jsonl loft answers batch)", optarg);
			break;
		case OPT_QMEMBER: qmember = optarg; break;
		case OPT_RMEMBER: rmember = optarg; break;
		case OPT_CORPUS: corpus = optarg; break;
		case OPT_ANSWER_RULE:
			if (!strcmp(optarg, "loft") || !strcmp(optarg, "53358ff"))
				variant = LC_ANSWER_LOFT_53358FF;
			else if (!strcmp(optarg, "head"))
				variant = LC_ANSWER_LOFT_HEAD;
			else
				lc_cli_usage_error(&cmd, "--answer-rule: expected 'loft' or 'head', got '%s'", optarg);
			break;
		case OPT_PERM: so.permutations = lc_cli_long("--permutations", optarg, 1, 100000000); break;
		case OPT_BOOT:
			so.bootstrap = lc_cli_long("--bootstrap", optarg, 1, 100000000);
			boot_given = 1;
			break;
		case OPT_BOOT_IDX: boot_idx = optarg; break;
		case OPT_DEDUP: dedup = 1; break;
		case OPT_CI:
			if (!strcmp(optarg, "bca"))
				so.ci = LC_CI_BCA;
			else if (!strcmp(optarg, "percentile"))
				so.ci = LC_CI_PERCENTILE;
			else
				lc_cli_usage_error(&cmd, "--ci: expected 'bca' or 'percentile', got '%s'", optarg);
			break;
		case OPT_SEED: so.seed = (unsigned long)lc_cli_long("--seed", optarg, 0, LONG_MAX); break;
		case OPT_ALPHA: so.alpha = lc_cli_double("--alpha", optarg, 0.0, 1.0); break;
		case LC_OPT_REPORT_ID: lc_report_arg(&rep, &cmd, optarg); break;
		}
	}
	int nops = argc - st.ind;
	if (nops < 2)
		lc_cli_usage_error(&cmd, "expected QRELS and at least one RUN");
	if (nloft && ntrec_m)
		lc_cli_usage_error(&cmd, "LOFT measures (-m loft, recall@k, ...) and trec_eval measures cannot be mixed in one call");
	if (json && jsonl)
		lc_cli_usage_error(&cmd, "--json and --jsonl are exclusive");
	if (dedup && !nloft)
		lc_cli_usage_error(&cmd, "--deduplicate-pids applies to LOFT measures (-m loft, recall@k, ...)");
	if (boot_idx && boot_given)
		lc_cli_usage_error(&cmd, "--bootstrap-indices gives the resamples: --bootstrap N cannot be given with it");
	uint32_t *bidx = NULL;
	if (boot_idx) {
		bidx = read_indices(boot_idx, &so.bootstrap, &so.boot_n);
		so.boot_idx = bidx;
	}
	const char *qpath = argv[st.ind];
	char **rpaths = argv + st.ind + 1;
	lc_report_start(&rep, &cmd, !outpath || !strcmp(outpath, "-"), argc - st.ind, argv + st.ind);
	if (lc_report_on(&rep)) {
		json_t *ms = json_array();
		for (size_t i = 0; i < nloft; i++)
			json_array_append_new(ms, json_string(loft_ms[i]));
		for (size_t i = 0; i < nmarg; i++)
			json_array_append_new(ms, json_string(marg[i]));
		lc_report_set(&rep, "options.measures", ms);
		lc_report_int(&rep, "options.level_for_rel", o.rel_level);
		lc_report_bool(&rep, "options.complete_rel_info", o.complete);
	}
	size_t nruns = (size_t)nops - 1;

	/* measures first: trec_eval rejects a bad -m before reading files */
	lc_err e = { 0 };
	lc_loft_sel lsel = { 0 };
	if (nloft) {
		for (size_t i = 0; i < nloft; i++)
			if (lc_loft_sel_add(&lsel, loft_ms[i], &e) < 0)
				lc_die(2, "%s", e.msg);
	} else {
		for (size_t i = 0; i < nmarg; i++)
			if (lc_te_mark(t, marg[i], &e) < 0) {
				lc_fputs_escaped(e.msg, 1, stderr);
				fputc('\n', stderr);
				exit(e.code);
			}
		/* ir_measures' rel=N ("P(rel=2)@5") is trec_eval's -l N */
		long rl = lc_te_rel_level(t);
		if (rl && l_given && rl != o.rel_level)
			lc_cli_usage_error(&cmd, "-l %ld and a measure's rel=%ld disagree: give one", o.rel_level, rl);
		if (rl)
			o.rel_level = rl;
		if (lc_te_init(t, &e) < 0) {
			lc_fputs_escaped(e.msg, 1, stderr);
			fputc('\n', stderr);
			exit(e.code);
		}
	}

	/* QRELS and RUN given the other way round: say so instead of a parse error */
	if (looks_like(qpath, qmember) == 'r' && looks_like(rpaths[0], rmember) == 'q')
		lc_cli_usage_error(&cmd, "QRELS and RUN are swapped: %s looks like a run and %s like judgments; give QRELS first: lceval [options] %s %s",
		                   qpath, rpaths[0], rpaths[0], qpath);

	lc_qrels qr = { 0 };
	size_t ql = strlen(qpath);
	if (!qmember && ql > 4 && !strcmp(qpath + ql - 4, ".zip"))
		qmember = "*qrels/test.tsv";   /* a BEIR dataset zip */
	if (lc_qrels_read(&qr, qpath, qmember, qfmt, &e) < 0)
		lc_die_err(&e);
	lc_run_opts ro = { rfmt, rmember, NULL, 0, variant, nloft > 0 };
	char **pids = NULL;
	size_t npids = 0;
	if (corpus) {
		pids = read_corpus(corpus, &npids);
		ro.pids = pids;
		ro.npids = npids;
	}
	if (qr.njudg == 0 && qr.nrecs == 0)
		lc_die(1, "%s: no judgments found (expected TREC qrels, BEIR qrels or LOFT queries)", qpath);
	lc_loft_dedup dd = { 0 };
	if (dedup) {
		/* LOFT reads corpus.jsonl next to the answers file; --corpus names another */
		lc_buf cp = { 0 };
		if (corpus)
			lc_buf_adds(&cp, corpus);
		else {
			const char *sl = strrchr(qpath, '/');
			if (sl)
				lc_buf_add(&cp, qpath, (size_t)(sl - qpath) + 1);
			lc_buf_adds(&cp, "corpus.jsonl");
		}
		if (lc_loft_dedup_load(&dd, cp.p, &e) < 0)
			lc_die(1, "%s (--deduplicate-pids reads the corpus next to QRELS, as LOFT does, or --corpus FILE)", e.msg);
		lc_buf_free(&cp);
		lsel.dedup = &dd;
	}
	lc_run *runs = lc_xcalloc(nruns, sizeof *runs);
	for (size_t i = 0; i < nruns; i++) {
		if ((nloft ? lc_run_read : lc_run_read_compact)(&runs[i], rpaths[i], &ro, &e) < 0)
			lc_die_err(&e);
		if (runs[i].nlines == 0 && !nloft)
			lc_die(1, "%s: no results found (expected a TREC run, run JSONL, LOFT predictions or LLM answers)", rpaths[i]);
	}

	lc_output *out = lc_output_open(outpath);
	int code = 0;
	if (nloft) {
		code = lc_loft_main(&lsel, &qr, runs, rpaths, nruns, o.rel_level, json, jsonl, o.query, &so, out);
		if (code) {
			lc_output_abort(out);
			goto done;
		}
		if (lc_report_on(&rep)) {
			FILE *tf;
			lc_output *rj = json_sink(&tf);
			if (lc_loft_main(&lsel, &qr, runs, rpaths, nruns, o.rel_level, 1, 0, o.query, &so, rj)) {
				lc_output_abort(rj);
				fclose(tf);
				code = LC_EXIT_INPUT;
				lc_output_abort(out);
				goto done;
			}
			json_sink_merge(&rep, rj, tf);
		}
	} else if (nruns == 1) {
		lc_te_result res;
		lc_te_evaluate(t, &o, &qr, &runs[0], &res);
		if (res.fail_code && (outpath || json || jsonl)) {
			/* trec_eval's partial per-topic text is kept only for its own format */
			lc_output_abort(out);
			lc_fputs_escaped(res.fail_msg, 1, stderr);
			explain_missing(res.fail_msg, qpath, rpaths[0]);
			code = res.fail_code;
			lc_te_result_free(&res);
			goto done;   /* everything freed: no leak on the error exit (issue 18 #24) */
		}
		if (json || jsonl)
			lc_signif_print_json(t, &o, &res, 1, rpaths, jsonl, NULL, out);
		else
			lc_te_print(t, &o, &res, out);
		if (lc_report_on(&rep) && !res.fail_code) {
			FILE *tf;
			lc_output *rj = json_sink(&tf);
			lc_signif_print_json(t, &o, &res, 1, rpaths, 0, NULL, rj);
			json_sink_merge(&rep, rj, tf);
		}
		if (res.fail_code) {
			lc_output_commit(out);
			lc_fputs_escaped(res.fail_msg, 1, stderr);
			explain_missing(res.fail_msg, qpath, rpaths[0]);
			code = res.fail_code;
			lc_te_result_free(&res);
			goto done;
		}
		lc_te_result_free(&res);
	} else {
		lc_te_result *res = lc_xcalloc(nruns, sizeof *res);
		for (size_t i = 0; i < nruns; i++) {
			lc_te_evaluate(t, &o, &qr, &runs[i], &res[i]);
			if (res[i].fail_code) {
				lc_output_abort(out);
				fputs("lceval: ", stderr);
				lc_fputs_escaped(rpaths[i], 0, stderr);
				fputs(": ", stderr);
				lc_fputs_escaped(res[i].fail_msg, 1, stderr);
				explain_missing(res[i].fail_msg, qpath, rpaths[i]);
				code = res[i].fail_code;
				for (size_t k = 0; k <= i; k++)
					lc_te_result_free(&res[k]);
				free(res);
				goto done;
			}
		}
		if (json || jsonl)
			lc_signif_print_json(t, &o, res, nruns, rpaths, jsonl, &so, out);
		else
			lc_signif_table(t, &o, res, nruns, rpaths, &so, out);
		if (lc_report_on(&rep)) {
			FILE *tf;
			lc_output *rj = json_sink(&tf);
			lc_signif_print_json(t, &o, res, nruns, rpaths, 0, &so, rj);
			json_sink_merge(&rep, rj, tf);
		}
		for (size_t i = 0; i < nruns; i++)
			lc_te_result_free(&res[i]);
		free(res);
	}
	lc_output_commit(out);
	lc_report_write(&rep);
done:
	lc_report_free(&rep);
	for (size_t i = 0; i < nruns; i++)
		lc_run_free(&runs[i]);
	free(runs);
	for (size_t i = 0; i < npids; i++)
		free(pids[i]);
	free(pids);
	lc_qrels_free(&qr);
	lc_te_free(t);
	lc_loft_sel_free(&lsel);
	lc_loft_dedup_free(&dd);
	free(loft_ms);
	free(marg);
	free(bidx);
	return code;
}
