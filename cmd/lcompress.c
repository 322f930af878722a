/*
 * lcompress — compresses every passage of a corpus once, offline (CoLoR step 5).
 *
 * Embedded (default): the extractive model of lib/color/compress, from -m MODEL or the
 * shipped share/lctk/models/default.lcm.  The corpus is read whole first (the
 * features use its document frequencies), then each record is written back with
 * "summary_text" added (passage_text kept), in input order.  --ratio R keeps
 * the top 1/R of each passage's words; --budget T lowers the keep threshold
 * (bisection) until the whole compressed corpus fits T tokens (when even the
 * smallest does not fit it fails, exit 1 and no output, unless --best-effort);
 * otherwise the
 * model's threshold (or --threshold) decides; under a threshold each passage's
 * own threshold follows the model's length_bias (or --length-bias), so long
 * passages are cut harder than short ones.  Sizes before/after are reported
 * on stderr in tokens (cl100k_base by default) of title + text, counted apart,
 * and with --report FILE as JSON (totals and each passage's sizes).  A meter
 * (percent of the input read, then passages done) shows on a terminal.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "options.h"
#include "compress.h"
#include "corpus.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "llmcost.h"
#include "llmsum.h"
#include "progress.h"
#include "report.h"
#include "output.h"
#include "part.h"
#include "prompt.h"
#include "tok.h"

enum { OPT_ENDPOINT = 256, OPT_MODEL, OPT_RATIO, OPT_BUDGET, OPT_THRESHOLD, OPT_UNIT, OPT_SKIP_BAD,
       OPT_QUIET, OPT_KEEP_PUNCT, OPT_ENCODING, OPT_STATS, OPT_LEAD, OPT_SUMMARIES, OPT_PARALLEL, OPT_NO_CACHE, OPT_LENGTH_BIAS,
       OPT_BEST_EFFORT, OPT_TOKENIZER, OPT_PROGRESS, OPT_SHARD, OPT_DRY_RUN, OPT_PRICE_IN, OPT_PRICE_OUT };

/* the LLM client block (--endpoint ... --max-tokens), bound in the table: lib/llm/llm fills it */
static lc_llm_opts llmo;

static const lc_opt opts[] = {
	LC_OPT_MODEL_FILE(),
	LC_OPTS_LLM_CLIENT(llmo),
	LC_OPT_VERBOSE(0, LC_BIND_SET(llmo.verbose, 1)),
	{ OPT_RATIO, "ratio", "R", "keep about 1/R of each passage", NULL },
	{ OPT_BUDGET, "budget", "TOKENS", "fit the whole compressed corpus (title + text) in TOKENS tokens, or fail", NULL },
	{ OPT_BEST_EFFORT, "best-effort", NULL, "with --budget: when TOKENS cannot be met, write the smallest corpus (warning, exit 0)", NULL },
	LC_OPT_ENCODING(),
	LC_OPT_TOKENIZER(OPT_TOKENIZER),
	{ OPT_LEAD, "lead", NULL, "baseline: keep the leading 1/R of each passage's words (--ratio R, default 2)", NULL },
	LC_OPT_SUMMARIES(OPT_SUMMARIES),
	LC_OPT_THRESHOLD(OPT_THRESHOLD),
	LC_OPT_LENGTH_BIAS(OPT_LENGTH_BIAS),
	{ OPT_UNIT, "unit", "UNIT", "what is kept or dropped: word (default) or sentence", "word sentence" },
	LC_OPT_FIELD(),
	LC_OPT_TARGET(),
	{ OPT_KEEP_PUNCT, "keep-punct", NULL, "keep punctuation around kept words (default: stripped)", NULL },
	LC_OPT_SKIP_BAD(OPT_SKIP_BAD),
	LC_OPT_QUIET(OPT_QUIET),
	LC_OPT_PROGRESS(OPT_PROGRESS),
	LC_OPT_SHARD(OPT_SHARD),
	LC_OPT_DRY_RUN(OPT_DRY_RUN),
	LC_OPT_PRICE_IN(OPT_PRICE_IN),
	LC_OPT_PRICE_OUT(OPT_PRICE_OUT),
	LC_OPT_OUTPUT(),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "merge", NULL };
static const lc_cmd cmd = { "lcompress",
	"[-m MODEL | --endpoint URL --model NAME] [--ratio R | --budget N] [-o OUT] [CORPUS...] | merge -o OUT PART...",
	"compress a corpus's passages (summary_text) for long-context retrieval", opts, subs };

static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(),
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lcompress merge", "-o OUT PART...",
                                  "join the parts of 'lcompress --shard 1/N..N/N' into the corpus of one process",
                                  merge_opts, NULL };

typedef struct rec {
	json_t *o;
	const char *title, *text;
	lc_cunits u;
	double *p;
	size_t ttoks, toks;
	size_t memo_kept, memo_toks;   /* --budget: tokens of the last kept set tried */
} rec;

/* --dry-run with --endpoint: the summary request of every non-empty passage of
 * this task (CoLoR's prompt, lib/llm/prompt), counted with the -e/--tokenizer
 * tokenizer; one line per request on the output, the totals and cost on stderr. */
static void dry_run_requests(const rec *R, size_t n, const lc_shard *shard, const lc_tok *tok, const char *out,
                             lc_llm_dry *d)
{
	lc_output *o = lc_output_open(out);
	lc_buf prompt = {0}, line = {0};
	for (size_t i = 0; i < n; i++) {
		if (!lc_shard_has(shard, i) || !*R[i].text)
			continue;   /* an empty passage is never sent (lib/llm/llmsum) */
		lc_buf_reset(&prompt);
		lc_prompt_summarize(&prompt, R[i].text);
		size_t t = lc_tok_count(tok, prompt.p, prompt.len);
		lc_llm_dry_add(d, t);
		json_t *pid = json_object_get(R[i].o, "pid");
		lc_buf_reset(&line);
		lc_buf_adds(&line, "{\"pid\":");
		if (pid)
			lc_json_dump(&line, pid);
		else
			lc_buf_printf(&line, "%zu", i);
		lc_buf_printf(&line, ",\"prompt_tokens\":%zu}\n", t);
		lc_output_write(o, line.p, line.len);
	}
	lc_output_commit(o);
	lc_llm_dry_print(d);
	lc_buf_free(&prompt);
	lc_buf_free(&line);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return lc_part_merge_main(&merge_cmd, "lcompress", argc - 1, argv + 1);
	lc_cli st = {0};
	lc_shard shard = {0, 0};
	int dry_run = 0, tok_given = 0;
	double price_in = 0, price_out = 0;
	const char *model = NULL, *endpoint = NULL, *llm = NULL, *out = NULL;
	const char *field = NULL, *target = "summary_text", *encoding = "cl100k_base", *summaries = NULL;
	double ratio = 0, thr = -1, length_bias = NAN;
	long budget = 0;
	int best_effort = 0;
	int unit = LC_UNIT_WORD, skip_bad = 0, quiet = 0, bare = 1, lead = 0, c;
	lc_report rep = {0};
	int pmode = LC_PROGRESS_AUTO;
	lc_llm_opts_default(&llmo);
	/* --stats FILE (per-passage JSONL) became the "per_passage" array of --report FILE */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--stats") || !strncmp(argv[i], "--stats=", 8))
			lc_cli_usage_error(&cmd, "--stats is gone: --report FILE writes the sizes as JSON (each passage's in \"per_passage\", lctk-formats(5))");
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		switch (c) {
		case 'm': model = optarg; break;
		case OPT_RATIO: ratio = lc_cli_double("--ratio", optarg, 1, 1e6); break;
		case OPT_BUDGET: budget = lc_cli_long("--budget", optarg, 1, 0x7fffffffffffL); break;
		case OPT_BEST_EFFORT: best_effort = 1; break;
		case OPT_THRESHOLD: thr = lc_cli_double("--threshold", optarg, 0, 1); break;
		case OPT_LENGTH_BIAS: length_bias = lc_cli_double("--length-bias", optarg, -100, 100); break;
		case OPT_UNIT:
			if (!strcmp(optarg, "word"))
				unit = LC_UNIT_WORD;
			else if (!strcmp(optarg, "sentence"))
				unit = LC_UNIT_SENT;
			else
				lc_cli_usage_error(&cmd, "--unit: expected word or sentence, got '%s'", optarg);
			break;
		case 'f': field = optarg; break;
		case 't': target = optarg; break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_QUIET: quiet = 1; pmode = LC_PROGRESS_QUIET; break;
		case OPT_PROGRESS: if (!quiet) pmode = LC_PROGRESS_FORCE; break;
		case OPT_KEEP_PUNCT: bare = 0; break;
		case 'e':
		case OPT_TOKENIZER: encoding = optarg; tok_given = 1; break;   /* lc_tok_load takes a name or a tokenizer.json */
		case OPT_LEAD: lead = 1; break;
		case OPT_SUMMARIES: summaries = optarg; break;
		case OPT_SHARD: {
			lc_err se;
			if (lc_shard_parse(optarg, &shard, &se) < 0)
				lc_cli_usage_error(&cmd, "%s", se.msg);
			break;
		}
		case 'o': out = optarg; break;
		case LC_OPT_REPORT_ID: lc_report_arg(&rep, &cmd, optarg); break;
		case OPT_DRY_RUN: dry_run = 1; break;
		case OPT_PRICE_IN: price_in = lc_cli_double("--price-in", optarg, 0, 1e9); break;
		case OPT_PRICE_OUT: price_out = lc_cli_double("--price-out", optarg, 0, 1e9); break;
		}
	if (shard.n && budget > 0)
		lc_cli_usage_error(&cmd, "--budget fits the whole corpus at once; it cannot be split with --shard (use --ratio or a threshold)");
	endpoint = llmo.endpoint;
	llm = llmo.model;
	if (llm && (access(llm, F_OK) == 0 || (strlen(llm) > 4 && !strcmp(llm + strlen(llm) - 4, ".lcm"))))
		lc_cli_usage_error(&cmd, "--model %s: --model names an LLM; use -m/--model-file for a model file", llm);
	if (dry_run && !endpoint)
		lc_cli_usage_error(&cmd, "--dry-run counts the summary requests of --endpoint URL --model NAME: give them (nothing is sent)");
	if (dry_run && !tok_given)
		lc_cli_usage_error(&cmd, "--dry-run counts prompts with the model's tokenizer: give -e NAME or --tokenizer FILE");
	if ((price_in > 0 || price_out > 0) && !dry_run)
		lc_cli_usage_error(&cmd, "--price-in/--price-out go with --dry-run");
	if (best_effort && budget <= 0)
		lc_cli_usage_error(&cmd, "--best-effort goes with --budget TOKENS");
	if (ratio > 0 && budget > 0)
		lc_cli_usage_error(&cmd, "--ratio and --budget exclude each other");
	if (endpoint || llm) {
		if (model || lead || summaries || ratio > 0 || budget > 0 || thr >= 0)
			lc_cli_usage_error(&cmd, "--endpoint summarises with an LLM: no -m, --lead, --summaries, --ratio, --budget or --threshold");
		if (!endpoint || !llm)
			lc_cli_usage_error(&cmd, "--endpoint and --model go together");
	}
	if ((lead || summaries) && (model || budget > 0 || thr >= 0))
		lc_cli_usage_error(&cmd, "--lead and --summaries do not use a model, --budget or --threshold");
	if (lead && summaries)
		lc_cli_usage_error(&cmd, "--lead and --summaries exclude each other");
	if (!isnan(length_bias) && (lead || summaries || endpoint || ratio > 0))
		lc_cli_usage_error(&cmd, "--length-bias shapes the model's threshold or --budget; it has no effect with --ratio, --lead, --summaries or --endpoint");
	if (lead && ratio == 0)
		ratio = 2;
	lc_report_start(&rep, &cmd, !out || !strcmp(out, "-"), argc - st.ind, argv + st.ind);
	lc_cmodel m;
	lc_err e = {0};
	char *def = NULL;
	json_t *summ = NULL;
	if (summaries) {
		if (!(summ = lc_summaries_load(summaries, &e)))
			lc_die_err(&e);
		lc_cmodel_init(&m);
	} else if (lead || endpoint) {
		lc_cmodel_init(&m);
	} else if (!model) {
		def = lc_data_path("models/default.lcm");
		if (!def)
			lc_die(LC_EXIT_INPUT, "no default model (share/lctk/models/default.lcm not found; set LCTK_DATA or give -m MODEL)");
		model = def;
	}
	if (model && lc_cmodel_load(&m, model, &e) < 0)
		lc_die_err(&e);
	if (!isnan(length_bias))
		m.length_bias = length_bias;
	lc_tok *tok = lc_tok_load(encoding, &e);
	if (!tok)
		lc_die_err(&e);

	/* read the corpus */
	rec *R = NULL;
	size_t n = 0, cap = 0, bad = 0;
	lc_cctx *cx = lc_cctx_new();
	int nfiles = argc - st.ind;
	lc_progress pr;
	lc_progress_start(&pr, "passages read", pmode);
	for (int fi = 0; fi < (nfiles ? nfiles : 1); fi++) {
		lc_input *in = lc_input_open_or_die(nfiles ? argv[st.ind + fi] : "-", NULL);
		char *line;
		size_t len;
		while (lc_input_next(in, &line, &len)) {
			if (!len)
				continue;
			const char *w = lc_input_where(in);
			json_t *o = lc_json_parse_object(line, len, w, &e);
			const char *text = o ? lc_json_str(o, field ? field : lc_text_field(o), w, &e) : NULL;
			if (!text) {
				if (o)
					json_decref(o);
				if (!skip_bad)
					lc_die(LC_EXIT_INPUT, "%s", e.msg);
				bad++;
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				R = lc_xrealloc(R, cap * sizeof *R);
			}
			memset(&R[n], 0, sizeof R[n]);
			R[n].o = o;
			R[n].text = text;
			json_t *t = json_object_get(o, "title_text");
			R[n].title = json_is_string(t) ? json_string_value(t) : NULL;
			lc_cctx_add(cx, R[n].title, text);
			n++;
			lc_progress_input(&pr, n, in);
		}
		lc_input_close(in);
	}
	lc_progress_done(&pr);
	/* features and probabilities */
	size_t maxn = 0, before = 0;
	lc_progress_start(&pr, "passages measured", pmode);
	double mean_log = 0;  /* of log(1 + words), for the per-passage thresholds */
	for (size_t i = 0; i < n; i++) {
		lc_cunits_build(&R[i].u, cx, R[i].title, R[i].text);
		mean_log += log1p((double)R[i].u.n) / (double)n;
		if (!lc_shard_has(&shard, i)) {
			/* another task's passage: only its word count mattered (mean_log) */
			lc_cunits_free(&R[i].u);
			json_decref(R[i].o);
			R[i].o = NULL;
			lc_progress_update(&pr, i + 1, n);
			continue;
		}
		R[i].p = lc_xmalloc((R[i].u.n ? R[i].u.n : 1) * sizeof *R[i].p);
		R[i].ttoks = R[i].title ? lc_tok_count(tok, R[i].title, strlen(R[i].title)) : 0;
		R[i].toks = lc_tok_count(tok, R[i].text, strlen(R[i].text));
		before += R[i].ttoks + R[i].toks;
		if (R[i].u.n > maxn)
			maxn = R[i].u.n;
		lc_progress_update(&pr, i + 1, n);
	}
	lc_progress_done(&pr);
	unsigned char *mask = lc_xmalloc(maxn ? maxn : 1);
	lc_buf b = {0}, s = {0};
	if (thr < 0 && !budget)
		thr = m.threshold;
	if (budget > 0) {
		/* bisection on the threshold: the largest kept set that fits.  A
		 * passage's kept sets are nested (a lower threshold keeps a superset),
		 * so the same count is the same set: its tokens are counted once. */
		for (size_t i = 0; i < n; i++)
			R[i].memo_kept = SIZE_MAX;
		double lo = 0, hi = 1;
		size_t fit_tot = SIZE_MAX;   /* tokens at hi, once a tried threshold fits */
		lc_progress_start(&pr, "budget passes", pmode);
		for (int it = 0; it <= 24; it++) {
			lc_progress_update(&pr, (uint64_t)it, 25);
			/* 24 halvings, then one last pass at hi when no tried threshold fitted */
			if (it == 24 && fit_tot != SIZE_MAX)
				break;
			double mid = it < 24 ? (lo + hi) / 2 : hi;
			size_t tot = 0;
			for (size_t i = 0; i < n; i++) {
				size_t kept = lc_compress_select(&m, &R[i].u, 0,
				                                 lc_cmodel_passage_threshold(&m, mid, R[i].u.n, mean_log),
				                                 unit, R[i].p, mask);
				if (kept != R[i].memo_kept) {
					lc_buf_reset(&s);
					lc_compress_render(&R[i].u, R[i].text, mask, bare && kept < R[i].u.n, &s);
					R[i].memo_kept = kept;
					R[i].memo_toks = kept < R[i].u.n ? lc_tok_count(tok, s.p, s.len) : R[i].toks;
				}
				tot += R[i].ttoks + R[i].memo_toks;
			}
			if (it == 24)
				fit_tot = tot;
			else if (tot <= (size_t)budget) {
				hi = mid;
				fit_tot = tot;
			} else
				lo = mid;
		}
		lc_progress_done(&pr);
		thr = hi;
		/* the smallest corpus (threshold 1) over the budget: fail before writing */
		if (fit_tot > (size_t)budget && !best_effort)
			lc_die(LC_EXIT_INPUT, "the compressed corpus needs at least %zu tokens (%s, title+text; titles and "
			       "one-sentence passages stay whole), more than --budget %ld: raise --budget, or add --best-effort "
			       "to write the smallest corpus anyway", fit_tot, lc_tok_name(tok), budget);
	}
	char **llm_out = NULL;
	lc_llmsum sr = {0};
	lc_buf idb2 = {0};   /* declared before the dry run's goto cleanup, which frees it */
	if (endpoint && dry_run) {
		lc_llm_dry d = { .max_tokens = llmo.max_tokens, .price_in = price_in, .price_out = price_out };
		dry_run_requests(R, n, &shard, tok, out, &d);
		lc_report_str(&rep, "options.llm", llm);
		lc_report_str(&rep, "options.encoding", lc_tok_name(tok));
		lc_report_set(&rep, "dry_run", lc_llm_dry_report(&d));
		lc_report_write(&rep);
		goto cleanup;
	}
	if (endpoint) {
		/* the summarising loop is lib/llm/llmsum's, shared with lcgen candidates */
		lc_llmsum_opts lo;
		lc_llmsum_opts_default(&lo);
		lo.llm = llmo;
		if (quiet)
			lo.progress = LC_PROGRESS_QUIET;
		/* this task's passages only (all of them without --shard) */
		const char **texts = lc_xmalloc((n ? n : 1) * sizeof *texts);
		size_t nt = 0;
		for (size_t i = 0; i < n; i++)
			if (lc_shard_has(&shard, i))
				texts[nt++] = R[i].text;
		if (lc_llmsum_run(&lo, texts, NULL, nt, &sr, &e) < 0)
			lc_die_err(&e);
		free(texts);
		if (sr.failed && !skip_bad)
			lc_die(LC_EXIT_INPUT, "%zu of %zu summaries failed (first: passage %zu: %s); --skip-bad keeps the passages of failed ones",
			       sr.failed, nt, sr.first_failed + 1, sr.error[sr.first_failed]);
		if (sr.failed)
			lc_warn("warning: %zu summaries failed, their passages are used (first: passage %zu: %s)", sr.failed,
			        sr.first_failed + 1, sr.error[sr.first_failed]);
		if (!quiet)
			lc_warn("LLM %s: %zu requests, %zu from the cache, %zu retries", llm, sr.stats.requests, sr.stats.cached,
			        sr.stats.retries);
		llm_out = sr.summary;   /* NULL for empty or failed passages */
	}
	lc_output *o = lc_output_open(out);
	json_t *per = lc_report_on(&rep) ? json_array() : NULL;   /* set last, below */
	if (shard.n)
		lc_part_header(o, "lcompress", &shard, lc_part_run_key(argc, argv), "lines");
	size_t after = 0, nosumm = 0, written = 0;
	lc_progress_start(&pr, "passages compressed", pmode);
	for (size_t i = 0; i < n; i++) {
		size_t kept;
		if (!lc_shard_has(&shard, i))
			continue;
		size_t li = written++;   /* this task's passage number (llm_out's index) */
		lc_buf_reset(&s);
		if (llm_out) {
			const char *t = llm_out[li] ? llm_out[li] : "";
			lc_buf_adds(&s, t);
			kept = *t ? 0 : R[i].u.n;
		} else if (summ) {
			lc_err e2 = {0};
			const char *pid = lc_json_id(json_object_get(R[i].o, "pid"), &idb2, "pid", "", &e2);
			json_t *v = pid ? json_object_get(summ, pid) : NULL;
			if (!v)
				nosumm++;
			const char *t = v ? json_string_value(v) : "";
			lc_buf_adds(&s, t);
			kept = *t ? 0 : R[i].u.n;  /* empty summary: the passage is used */
		} else if (lead) {
			size_t want = R[i].u.nsent <= 1 ? R[i].u.n : (size_t)ceil((double)R[i].u.n / ratio);
			for (size_t k = 0; k < R[i].u.n; k++)
				mask[k] = k < want;
			kept = want;
			lc_compress_render(&R[i].u, R[i].text, mask, 0, &s);
		} else {
			kept = lc_compress_select(&m, &R[i].u, ratio, lc_cmodel_passage_threshold(&m, thr, R[i].u.n, mean_log),
			                          unit, R[i].p, mask);
			lc_compress_render(&R[i].u, R[i].text, mask, bare && kept < R[i].u.n, &s);
		}
		size_t ct = R[i].ttoks + (kept < R[i].u.n ? lc_tok_count(tok, s.p, s.len) : R[i].toks);
		after += ct;
		if (per) {
			json_t *pj = json_object_get(R[i].o, "pid"), *pp = json_object();
			json_object_set_new(pp, "pid", pj ? json_deep_copy(pj) : json_integer((json_int_t)i));
			json_object_set_new(pp, "tokens", json_integer((json_int_t)(R[i].ttoks + R[i].toks)));
			json_object_set_new(pp, "compressed_tokens", json_integer((json_int_t)ct));
			json_object_set_new(pp, "ratio", json_real(ct ? (double)(R[i].ttoks + R[i].toks) / (double)ct : 0.0));
			json_array_append_new(per, pp);
		}
		json_object_set_new(R[i].o, target, json_stringn(s.p, s.len));
		lc_buf_reset(&b);
		lc_json_dump(&b, R[i].o);
		lc_buf_addc(&b, '\n');
		lc_output_write(o, b.p, b.len);
		lc_progress_update(&pr, i + 1, n);
	}
	lc_progress_done(&pr);
	lc_output_commit(o);
	if (nosumm)
		lc_warn("warning: %zu passage%s without a summary in %s (the passage is used)", nosumm, nosumm == 1 ? "" : "s", summaries);
	if (bad)
		lc_warn("skipped %zu bad record%s", bad, bad == 1 ? "" : "s");
	if (budget > 0 && after > (size_t)budget)
		lc_warn("warning: --best-effort: the compressed corpus needs %zu tokens, more than --budget %ld (titles and one-sentence passages stay whole)", after, budget);
	if (!quiet)
		lc_warn("%zu passages, tokens (%s, title+text) %zu -> %zu, ratio %.3fx", written, lc_tok_name(tok), before, after,
		        after ? (double)before / (double)after : 0.0);
	if (lc_report_on(&rep)) {
		lc_report_str(&rep, "options.method", endpoint ? "llm" : summaries ? "summaries" : lead ? "lead" : "model");
		lc_report_str(&rep, "options.model", model);
		lc_report_str(&rep, "options.llm", llm);
		lc_report_str(&rep, "options.summaries", summaries);
		if (ratio > 0)
			lc_report_real(&rep, "options.ratio", ratio);
		if (budget > 0)
			lc_report_int(&rep, "options.budget", budget);
		if (!lead && !summaries && !endpoint && ratio <= 0)
			lc_report_real(&rep, "options.threshold", thr);
		lc_report_str(&rep, "options.unit", unit == LC_UNIT_SENT ? "sentence" : "word");
		lc_report_str(&rep, "options.encoding", lc_tok_name(tok));
		lc_report_str(&rep, "options.field", field);
		lc_report_str(&rep, "options.target", target);
		lc_report_int(&rep, "passages", (long long)n);
		lc_report_int(&rep, "skipped", (long long)bad);
		lc_report_int(&rep, "tokens", (long long)before);
		lc_report_int(&rep, "compressed_tokens", (long long)after);
		lc_report_real(&rep, "ratio", after ? (double)before / (double)after : 0.0);
		if (summaries)
			lc_report_int(&rep, "without_summary", (long long)nosumm);
		if (endpoint) {
			lc_report_int(&rep, "llm.requests", (long long)sr.stats.requests);
			lc_report_int(&rep, "llm.cached", (long long)sr.stats.cached);
			lc_report_int(&rep, "llm.retries", (long long)sr.stats.retries);
			lc_report_int(&rep, "llm.failed", (long long)sr.failed);
		}
		/* the per-passage array goes last: the totals stay at the top of the file */
		lc_report_set(&rep, "per_passage", per);
	}
	lc_report_write(&rep);
cleanup:
	for (size_t i = 0; i < n; i++) {
		lc_cunits_free(&R[i].u);
		free(R[i].p);
		json_decref(R[i].o);
	}
	free(R);
	free(mask);
	free(def);
	lc_buf_free(&b);
	lc_buf_free(&s);
	lc_cmodel_free(&m);
	lc_cctx_free(cx);
	lc_tok_free(tok);
	if (summ)
		json_decref(summ);
	lc_llmsum_free(&sr);
	lc_buf_free(&idb2);
	return 0;
}
