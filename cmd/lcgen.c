/*
 * lcgen — synthetic data for CoLoR (Seo et al., ACL 2025, the data pipeline
 * before ORPO training), one subcommand per step, each with its own option table
 * and settings struct, reached through the dispatch table at the end:
 *
 *   candidates  several compressions of every passage, without queries:
 *               full, title, lead-k sentences, lead-50%, seeded random sentence
 *               subsets, word filters (content words, first occurrences,
 *               first occurrences of specific terms), the current model at
 *               several thresholds (-m), external summaries (--summaries FILE),
 *               LLM summaries (--endpoint, or Batch files; lib/llm/llmsum, shared
 *               with lcompress --endpoint).  -> {"pid","name","text","tokens"}
 *   labels      per query, each candidate of its gold passage in place of that
 *               passage, BM25 over the corpus (index statistics fixed, see
 *               lib/retrieve/bm25.h), or with --llm one LOFT prompt per label through
 *               lib/retrieve/llmretrieve's lc_llmr_ask (--context N: the gold passages
 *               + BM25's top N others): success = LOFT's (gold at rank 1 for one
 *               gold; all gold in the top |gold| otherwise).
 *               -> {"qid","pid","name","success","rank","tokens"}
 *   pairs       per (query, gold passage): chosen = shortest successful, rejected
 *               = longest failed; all succeed or all fail: shortest vs longest;
 *               --mode hard (default) drops the ones without a success.  TRL
 *               preference JSONL (prompt string; chosen/rejected as user +
 *               assistant messages, the shape of CoLoR's released pairs) plus
 *               pid, qid, chosen_name, rejected_name, chosen_tokens, rejected_tokens.
 *   probes      passkey-retrieval prompts at target token lengths (as in
 *               LM-Infinite, Han et al. 2024), or OpenAI Batch request lines
 *               (--model NAME) for them or for summarising a corpus (--summarise CORPUS).
 *   merge       joins the parts of candidates/labels --shard K/N (lib/cli/part).
 *
 * candidates --endpoint and labels --llm take --dry-run: every request built and
 * counted, totals and cost (lib/llm/llmcost), nothing sent.
 *
 * Lengths are cl100k_base tokens, or any tokenizer's (-e NAME, --tokenizer FILE:
 * the letters and names of lctok), as CoLoR's length weight expects.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bm25.h"
#include "buf.h"
#include "candgen.h"
#include "candset.h"
#include "cli.h"
#include "options.h"
#include "compress.h"
#include "corpus.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "llmretrieve.h"
#include "llmcost.h"
#include "llmreq.h"
#include "llmsum.h"
#include "output.h"
#include "pairs.h"
#include "part.h"
#include "report.h"
#include "progress.h"
#include "rng.h"
#include "prompt.h"
#include "queries.h"
#include "sentsplit.h"
#include "strmap.h"
#include "tok.h"

/* ------------------------------------------------------------------ options
 * Each subcommand has its own settings struct and option table; every option is
 * bound to its field (lib/cli/cli.h), so the subcommand's main parses with a loop
 * that sees --report only.  The settings are static for the tables to point at. */

/* The tokenizer for lengths: -e NAME or --tokenizer FILE (lctok's options). */
typedef struct {
	const char *encoding, *file;
	int given;                /* 1 = -e, 2 = --tokenizer, 3 = both (a usage error) */
} tokspec;

/* Remembers the first option of a group (its long name) for a message. */
static void note(const char **first, const lc_opt *o)
{
	if (!*first)
		*first = o->name;
}

/* -e NAME or --tokenizer FILE, bound to a tokspec. */
static void tok_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	tokspec *ts = o->var;
	if (o->id == 'e')
		ts->encoding = arg;
	else
		ts->file = arg;
	ts->given |= o->id == 'e' ? 1 : 2;
}

/* --shard K/N, bound to an lc_shard. */
static void shard_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_err e = {0};
	if (lc_shard_parse(arg, o->var, &e) < 0)
		lc_cli_usage_error(c, "%s", e.msg);
}

/* lcgen candidates' settings. */
typedef struct cand_cfg {
	const char *out, *model, *kinds;
	const char **sums;        /* --summaries files (argv strings; the array is malloc'd) */
	size_t nsums;
	long nrandom, seed;
	tokspec ts;
	lc_llmr_opts lr;          /* the LLM client, --batch-out, --batch-in, --verbose */
	const char *llm_opt;      /* the first LLM option given (long name), NULL = none */
	int skip_bad;
	lc_shard shard;           /* --shard K/N: passages i with i % N == K-1 (0/0 = all) */
	uint64_t run;             /* the part header's run key (lc_part_run_key) */
} cand_cfg;

/* lr is set to lc_llmr_opts_default before parsing. */
static cand_cfg CAND = { .nrandom = 3, .ts = { LC_ENCODING_DEFAULT, NULL, 0 } };

/* An LLM option of candidates: noted (the first one given names the LLM checks). */
static void cand_note(const lc_cmd *c, const lc_opt *o, const char *arg) { note(&CAND.llm_opt, o); }
static void cand_llm_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_opt_llm_cb(c, o, arg);
	cand_note(c, o, arg);
}
/* --verbose: the client's reports too */
static void cand_verbose(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	CAND.lr.llm.verbose = 1;
	cand_note(c, o, arg);
}
/* --summaries FILE, repeatable */
static void sums_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	CAND.sums = lc_xrealloc(CAND.sums, (CAND.nsums + 1) * sizeof *CAND.sums);
	CAND.sums[CAND.nsums++] = arg;
}

static const lc_opt cand_opts[] = {
	LC_OPT_MODEL_FILE(LC_BIND_STR(CAND.model)),
	LC_OPT_SUMMARIES(0, LC_BIND_CALL(sums_cb, CAND.sums)),
	{ 0, "kinds", "LIST", "candidates to write: all (default) or a comma list of full,title,lead,random,filter,model,external,llm",
	  "all full title lead random filter model external llm", LC_BIND_STR(CAND.kinds) },
	{ 0, "random", "N", "random sentence subsets per passage (default 3)", NULL, LC_BIND_LONG(CAND.nrandom, 0, 1000) },
	LC_OPT_SEED(CAND.seed),
	LC_OPT_ENCODING(LC_BIND_CALL(tok_cb, CAND.ts)),
	LC_OPT_TOKENIZER(0, LC_BIND_CALL(tok_cb, CAND.ts)),
	LC_OPTS_LLM_CLIENT_CB(CAND.lr.llm, cand_llm_cb),
	LC_OPT_BATCH_OUT(0, LC_BIND_STR_NOTE(CAND.lr.batch_out, cand_note)),
	LC_OPT_BATCH_IN(0, LC_BIND_STR_NOTE(CAND.lr.batch_in, cand_note)),
	LC_OPT_SKIP_BAD_REQUESTS(0, LC_BIND_SET_NOTE(CAND.skip_bad, 1, cand_note)),
	LC_OPT_VERBOSE(0, LC_BIND_SET_NOTE(CAND.lr.verbose, 1, cand_verbose)),
	LC_OPT_QUIET(0, LC_BIND_SET(CAND.lr.quiet, 1)),
	LC_OPT_DRY_RUN(0, LC_BIND_SET(CAND.lr.dry_run, 1)),
	LC_OPT_PRICE_IN(0, LC_BIND_DOUBLE(CAND.lr.price_in, 0, 1e9)),
	LC_OPT_PRICE_OUT(0, LC_BIND_DOUBLE(CAND.lr.price_out, 0, 1e9)),
	LC_OPT_SHARD(0, LC_BIND_CALL(shard_cb, CAND.shard)),
	LC_OPT_OUTPUT(LC_BIND_STR(CAND.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd cand_cmd = { "lcgen candidates", "[options] CORPUS...",
	"several compressions of every passage, with their token lengths", cand_opts, NULL };

/* lcgen labels' settings. */
typedef struct labels_cfg {
	const char *out, *corpus, *queries;
	double k1, b;             /* BM25 */
	lc_analyze_opts an;       /* BM25 analysis (LC_AN_*; no stopword file) */
	long seed;                /* the LLM client's retry jitter */
	tokspec ts;               /* --context-limit's counter */
	int llm;                  /* --llm: the LLM reads the prompt, lr holds its settings */
	lc_llmr_opts lr;
	const char *llm_opt;      /* the first LLM option given (long name), NULL = none */
	long context;             /* --context N, -1 = the whole corpus */
	int skip_bad;
	lc_shard shard;           /* --shard K/N: queries i with i % N == K-1 (0/0 = all) */
	uint64_t run;             /* the part header's run key (lc_part_run_key) */
} labels_cfg;

/* lr is set to lc_llmr_opts_default before parsing. */
static labels_cfg LABELS = { .k1 = 0.9, .b = 0.4, .an = { LC_ANALYZE_DEFAULT_FLAGS, NULL },
                             .ts = { LC_ENCODING_DEFAULT, NULL, 0 }, .context = -1 };

/* An option of labels --llm: noted (the first one given names the "--llm only" error). */
static void labels_note(const lc_cmd *c, const lc_opt *o, const char *arg) { note(&LABELS.llm_opt, o); }
static void labels_llm_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_opt_llm_cb(c, o, arg);
	labels_note(c, o, arg);
}
static void labels_verbose(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	LABELS.lr.llm.verbose = 1;
	labels_note(c, o, arg);
}

static const lc_opt labels_opts[] = {
	LC_OPT_CORPUS(LC_BIND_STR(LABELS.corpus)),
	LC_OPT_QUERIES(LC_BIND_STR(LABELS.queries)),
	LC_OPT_K1(LABELS.k1),
	LC_OPT_B(LABELS.b, NULL),
	LC_OPT_NO_STOPWORDS(0, LC_BIND_ANALYSER(LABELS.an)),
	LC_OPT_NO_STEM(0, LC_BIND_ANALYSER(LABELS.an)),
	LC_OPT_SEED(LABELS.seed),
	LC_OPT_ENCODING(LC_BIND_CALL(tok_cb, LABELS.ts)),
	LC_OPT_TOKENIZER(0, LC_BIND_CALL(tok_cb, LABELS.ts)),
	LC_OPT_LLM(0, LC_BIND_SET(LABELS.llm, 1)),
	LC_OPTS_LLM_CLIENT_CB(LABELS.lr.llm, labels_llm_cb),
	LC_OPT_BATCH_OUT(0, LC_BIND_STR_NOTE(LABELS.lr.batch_out, labels_note)),
	LC_OPT_BATCH_IN(0, LC_BIND_STR_NOTE(LABELS.lr.batch_in, labels_note)),
	LC_OPT_SKIP_BAD_REQUESTS(0, LC_BIND_SET_NOTE(LABELS.skip_bad, 1, labels_note)),
	LC_OPT_VERBOSE(0, LC_BIND_SET_NOTE(LABELS.lr.verbose, 1, labels_verbose)),
	LC_OPT_QUIET(0, LC_BIND_SET(LABELS.lr.quiet, 1)),
	LC_OPT_PROMPT(0, "arguana fever fiqa hotpotqa msmarco musique nq qampari quest quora scifact topiocqa webis_touche2020 default",
	              LC_BIND_STR_NOTE(LABELS.lr.prompt, labels_note)),
	LC_OPT_FEW_SHOT(0, LC_BIND_STR_NOTE(LABELS.lr.few_shot, labels_note)),
	LC_OPT_FEW_SHOT_CORPUS(0, LC_BIND_STR_NOTE(LABELS.lr.few_shot_corpus, labels_note)),
	LC_OPT_SHOTS(0, LC_BIND_SIZE_NOTE(LABELS.lr.shots, 0, 1000, labels_note)),
	{ 0, "context", "N", "labels --llm: prompt = the query's gold passages + BM25's top N others (default: whole corpus)", NULL,
	  LC_BIND_LONG_NOTE(LABELS.context, 0, 1L << 40, labels_note) },
	LC_OPT_CONTEXT_LIMIT(0, LC_BIND_SIZE_NOTE(LABELS.lr.context_limit, 1, 1L << 40, labels_note)),
	LC_OPT_DRY_RUN(0, LC_BIND_SET_NOTE(LABELS.lr.dry_run, 1, labels_note)),
	LC_OPT_PRICE_IN(0, LC_BIND_DOUBLE_NOTE(LABELS.lr.price_in, 0, 1e9, labels_note)),
	LC_OPT_PRICE_OUT(0, LC_BIND_DOUBLE_NOTE(LABELS.lr.price_out, 0, 1e9, labels_note)),
	LC_OPT_SHARD(0, LC_BIND_CALL(shard_cb, LABELS.shard)),
	LC_OPT_OUTPUT(LC_BIND_STR(LABELS.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd labels_cmd = { "lcgen labels", "-c CORPUS -q QUERIES [options] CANDIDATES",
	"per query, each candidate of its gold passage in its place: retrieved (BM25, or an LLM with --llm)?",
	labels_opts, NULL };

/* lcgen pairs' settings. */
typedef struct pairs_cfg {
	const char *out, *corpus;
	int hard;                 /* --mode hard (1, the default) or all */
	int released;             /* --selection released */
	const char *label_by;
	int quiet;                /* --quiet: no "N pairs" summary */
} pairs_cfg;

static pairs_cfg PAIRS = { .hard = 1 };

static void mode_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if (strcmp(arg, "hard") && strcmp(arg, "all"))
		lc_cli_usage_error(c, "--mode: expected hard or all, got '%s'", arg);
	PAIRS.hard = !strcmp(arg, "hard");
}

static void selection_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if (strcmp(arg, "lctk") && strcmp(arg, "released"))
		lc_cli_usage_error(c, "--selection: expected lctk or released, got '%s'", arg);
	PAIRS.released = !strcmp(arg, "released");
}

static const lc_opt pairs_opts[] = {
	LC_OPT_CORPUS(LC_BIND_STR(PAIRS.corpus)),
	{ 0, "mode", "MODE", "pairs: hard (default) drops passages without a success; all keeps them", "hard all",
	  LC_BIND_CALL(mode_cb, PAIRS.hard) },
	{ 0, "selection", "RULE", "pairs: lctk (default: by tokens and each label) or released (CoLoR's released script)",
	  "lctk released", LC_BIND_CALL(selection_cb, PAIRS.released) },
	{ 0, "label-by", "NAME", "pairs --selection released: the candidate whose label decides (default: the last one)", NULL,
	  LC_BIND_STR(PAIRS.label_by) },
	LC_OPT_QUIET(0, LC_BIND_SET(PAIRS.quiet, 1)),
	LC_OPT_OUTPUT(LC_BIND_STR(PAIRS.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd pairs_cmd = { "lcgen pairs", "-c CORPUS [options] CANDIDATES LABELS",
	"TRL preference pairs: per (query, gold passage) a chosen and a rejected candidate", pairs_opts, NULL };

/* lcgen probes' settings. */
typedef struct probes_cfg {
	const char *out, *lengths;
	long per, seed;
	const char *model;        /* --model NAME: write Batch requests for it */
	const char *summarise;    /* --summarise CORPUS */
	tokspec ts;
	lc_llm_opts body;         /* --temperature, --max-tokens of the Batch bodies */
	const char *body_opt;     /* the first of them given (long name), NULL = none */
} probes_cfg;

/* body is set to the client's defaults (lc_llmr_opts_default) before parsing. */
static probes_cfg PROBES = { .per = 5, .ts = { LC_ENCODING_DEFAULT, NULL, 0 } };

/* --temperature, --max-tokens: into the Batch bodies, noted (they go with --model) */
static void body_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_opt_llm_cb(c, o, arg);
	note(&PROBES.body_opt, o);
}

static const lc_opt probes_opts[] = {
	{ 0, "lengths", "N,N,...", "probes: target lengths in tokens (default 1000,4000,16000)", NULL, LC_BIND_STR(PROBES.lengths) },
	{ 0, "per-length", "N", "probes: prompts per length (default 5)", NULL, LC_BIND_LONG(PROBES.per, 1, 100000) },
	LC_OPT_SEED(PROBES.seed),
	LC_OPT_ENCODING(LC_BIND_CALL(tok_cb, PROBES.ts)),
	LC_OPT_TOKENIZER(0, LC_BIND_CALL(tok_cb, PROBES.ts)),
	LC_OPT_MODEL(0, LC_BIND_STR(PROBES.model)),
	{ 0, "summarise", "CORPUS", "probes: Batch requests summarising CORPUS (CoLoR's prompt)", LC_COMPLETE_FILE,
	  LC_BIND_STR(PROBES.summarise) },
	LC_OPT_TEMPERATURE(0, LC_BIND_CALL(body_cb, PROBES.body)),
	LC_OPT_MAX_TOKENS(0, LC_BIND_CALL(body_cb, PROBES.body)),
	LC_OPT_OUTPUT(LC_BIND_STR(PROBES.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const probes_renamed[] = { "--batch", "--model", NULL };
static const lc_cmd probes_cmd = { "lcgen probes", "[options]",
	"passkey prompts at target token lengths, or OpenAI Batch requests (--model)", probes_opts, NULL,
	probes_renamed };

/* lcgen merge's settings. */
static struct {
	const char *out;
} MERGE;

static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(LC_BIND_STR(MERGE.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lcgen merge", "-o FILE PART...",
	"join the parts of 'lcgen candidates|labels --shard 1/N..N/N' into what one process writes", merge_opts, NULL };

/* The program's own table: only what every subcommand shares; `lcgen --help`
 * and --lctk-options show it after every subcommand's options (all_opts). */
static const lc_opt opts[] = {
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "candidates", "labels", "pairs", "probes", "merge", NULL };
static const lc_cmd cmd = { "lcgen", "candidates|labels|pairs|probes|merge [options] [FILE...]",
	"CoLoR synthetic data: candidates, retrieval labels, preference pairs, probes", opts, subs };


static lc_tok *tok_open(const tokspec *ts)
{
	lc_err e = {0};
	lc_tok *t = ts->file ? lc_tok_load_hf(ts->file, &e) : lc_tok_load(ts->encoding, &e);
	if (!t)
		lc_die_err(&e);
	return t;
}

/* ---------------------------------------------------------------- candidates */

typedef struct {
	lc_output *o;
	lc_strmap seen;     /* texts already written for this passage */
	const lc_tok *tok;
	lc_buf line;
	const char *pid;
	size_t written;     /* candidates written (--report) */
} emitter;

static void emit(emitter *em, const char *name, const char *text, size_t len)
{
	int is_new;
	lc_strmap_intern(&em->seen, text, len, &is_new);
	if (!is_new)
		return;
	lc_buf_reset(&em->line);
	lc_buf_adds(&em->line, "{\"pid\":");
	lc_json_quote(&em->line, em->pid, strlen(em->pid));
	lc_buf_adds(&em->line, ",\"name\":");
	lc_json_quote(&em->line, name, strlen(name));
	lc_buf_adds(&em->line, ",\"text\":");
	lc_json_quote(&em->line, text, len);
	lc_buf_printf(&em->line, ",\"tokens\":%zu}\n", lc_tok_count(em->tok, text, len));
	lc_output_write(em->o, em->line.p, em->line.len);
	em->written++;
}

/* lib/color/candgen's emit callback: the extractive candidates go through emit(). */
static void emit_cb(void *ud, const char *name, const char *text, size_t len)
{
	emit(ud, name, text, len);
}

/* LLM summaries of every passage (kind "llm"): lib/llm/llmsum, the loop lcompress
 * --endpoint uses.  Returns the per-passage summaries (NULL entries: none), or
 * NULL when only a Batch request file was written. */
static char **llm_summaries(const lc_corpus *c, const lc_llmr_opts *lr, int skip_bad, const lc_shard *shard)
{
	lc_llmsum_opts so;
	lc_llmsum_opts_default(&so);
	so.llm = lr->llm;
	so.batch_out = lr->batch_out;
	so.batch_in = lr->batch_in;
	so.progress = lr->quiet ? LC_PROGRESS_QUIET : lr->progress;
	const char **texts = lc_xmalloc((c->n ? c->n : 1) * sizeof *texts);
	const char **ids = lc_xmalloc((c->n ? c->n : 1) * sizeof *ids);
	for (size_t i = 0; i < c->n; i++) {
		texts[i] = lc_shard_has(shard, i) ? c->p[i].text : "";   /* an empty text is never sent */
		ids[i] = c->p[i].pid;
	}
	lc_llmsum r;
	lc_err e = {0};
	if (lc_llmsum_run(&so, texts, ids, c->n, &r, &e) < 0)
		lc_die_err(&e);
	free(texts);
	free(ids);
	if (lr->batch_out) {
		if (lr->verbose)
			lc_warn("%s: %zu Batch requests written", lr->batch_out, r.requests);
		lc_llmsum_free(&r);
		return NULL;
	}
	if (r.failed) {
		size_t f = r.first_failed, asked = 0;
		for (size_t i = 0; i < c->n; i++)
			asked += lc_shard_has(shard, i) && *c->p[i].text;
		for (size_t i = f; i < c->n; i++)
			if (r.error[i] && (i == f || lr->verbose))
				lc_warn("passage '%s': %s", c->p[i].pid, r.error[i]);
		if (!skip_bad)
			lc_die(LC_EXIT_INPUT, "%zu of %zu LLM summaries failed (first: passage '%s'); nothing written (%s)", r.failed,
			       asked, c->p[f].pid,
			       lr->batch_in ? "resubmit those requests, or give --skip-bad"
			       : lr->llm.no_cache ? "give --skip-bad to write the other candidates"
			                          : "answers received are cached: re-run to resume, or give --skip-bad");
		lc_warn("warning: %zu LLM summaries failed; those passages have no llm candidate", r.failed);
	}
	if (r.empty)
		lc_warn("warning: %zu LLM answer%s empty or only white space: no llm candidate for %s passage%s", r.empty,
		        r.empty == 1 ? " was" : "s were", r.empty == 1 ? "its" : "their", r.empty == 1 ? "" : "s");
	if (!lr->batch_in && !lr->quiet)
		lc_warn("LLM %s: %zu requests, %zu from the cache, %zu retries", lr->llm.model, r.stats.requests,
		        r.stats.cached, r.stats.retries);
	char **out = r.summary;   /* taken over */
	for (size_t i = 0; i < r.n; i++)
		free(r.error[i]);
	free(r.error);
	return out;
}


/* want[k] = 1 for every kind --kinds names (all of them by default; "all" means
 * every kind but llm unless use_llm).  Bad usage exits 2. */
static void parse_kinds(const char *kinds, int use_llm, int want[LC_CAND_NKINDS])
{
	for (int i = 0; i < LC_CAND_NKINDS; i++)
		want[i] = 1;
	if (!kinds || !strcmp(kinds, "all"))
		return;
	memset(want, 0, LC_CAND_NKINDS * sizeof *want);
	char *dup = lc_xstrdup(kinds), *save = NULL;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "all")) {   /* "all,llm" is what a script appending a kind writes */
			for (int i = 0; i < LC_CAND_NKINDS; i++)
				want[i] = i != LC_CAND_LLM || use_llm;
			continue;
		}
		int found = 0;
		for (int i = 0; i < LC_CAND_NKINDS; i++)
			if (!strcmp(t, lc_cand_kind_names[i]))
				want[i] = found = 1;
		if (!found)
			lc_cli_usage_error(&cand_cmd, "--kinds: unknown kind '%s' (full, title, lead, random, filter, model, external, llm)", t);
	}
	free(dup);
	if (want[LC_CAND_LLM] && !use_llm)
		lc_cli_usage_error(&cand_cmd, "--kinds llm needs --endpoint URL --model NAME (or --batch-in FILE)");
}

/* Ends a dry run: the request kind and the totals on stderr (lib/llm/llmcost), and
 * "dry_run" in the report with the kind. */
static void dry_run_done(const lc_llm_dry *d, const char *kind, const char *what, lc_report *rep)
{
	lc_warn("dry run of the %s requests (%s):", kind, what);
	lc_llm_dry_print(d);
	json_t *j = lc_llm_dry_report(d);
	json_object_set_new(j, "kind", json_string(kind));
	lc_report_set(rep, "dry_run", j);
}

/* candidates --dry-run: the summary request of every non-empty passage (CoLoR's
 * prompt, lib/llm/prompt, as lib/llm/llmsum sends it) counted with -e/--tokenizer;
 * one line {"pid","prompt_tokens"} per request on the output, nothing sent. */
static void dry_run_summaries(const cand_cfg *g, const lc_corpus *c, lc_report *rep)
{
	lc_llm_dry d = { .max_tokens = g->lr.llm.max_tokens, .price_in = g->lr.price_in, .price_out = g->lr.price_out };
	lc_tok *tok = tok_open(&g->ts);
	lc_output *o = lc_output_open(g->out);
	lc_buf prompt = {0}, line = {0};
	for (size_t i = 0; i < c->n; i++) {
		if (!lc_shard_has(&g->shard, i) || !*c->p[i].text)
			continue;   /* another task's, or empty: never sent */
		lc_buf_reset(&prompt);
		lc_prompt_summarize(&prompt, c->p[i].text);
		size_t t = lc_tok_count(tok, prompt.p, prompt.len);
		lc_llm_dry_add(&d, t);
		lc_buf_reset(&line);
		lc_buf_adds(&line, "{\"pid\":");
		lc_json_quote(&line, c->p[i].pid, strlen(c->p[i].pid));
		lc_buf_printf(&line, ",\"prompt_tokens\":%zu}\n", t);
		lc_output_write(o, line.p, line.len);
	}
	lc_output_commit(o);
	dry_run_done(&d, "summary", "llm candidates, one per non-empty passage", rep);
	lc_tok_free(tok);
	lc_buf_free(&prompt);
	lc_buf_free(&line);
}

static int cmd_candidates(const cand_cfg *g, int argc, char **argv, int first, lc_report *rep)
{
	const lc_llmr_opts *lr = &g->lr;
	int use_llm = lr->llm.endpoint || lr->batch_in || lr->batch_out;
	int want[LC_CAND_NKINDS];
	parse_kinds(g->kinds, use_llm, want);
	if (use_llm && !want[LC_CAND_LLM])
		lc_cli_usage_error(&cand_cmd, "--endpoint/--batch-in/--batch-out make llm candidates: add llm to --kinds");
	if (first >= argc)
		lc_cli_usage_error(&cand_cmd, "candidates: no corpus given");
	lc_corpus c = {0};
	lc_err e = {0};
	for (int i = first; i < argc; i++)
		if (lc_corpus_load(&c, argv[i], NULL, &e) < 0)
			lc_die_err(&e);
	if (lr->dry_run) {
		dry_run_summaries(g, &c, rep);
		lc_corpus_free(&c);
		return 0;
	}
	char **llm = NULL;
	char *llm_name = NULL;
	if (use_llm) {
		llm = llm_summaries(&c, lr, g->skip_bad, &g->shard);
		if (!llm) {   /* --batch-out: the Batch file is the output */
			lc_corpus_free(&c);
			return 0;
		}
		size_t l = strlen(lr->llm.model) + 5;
		llm_name = lc_xmalloc(l);
		snprintf(llm_name, l, "llm:%s", lr->llm.model);
	}
	lc_cmodel m;
	int have_model = 0;
	if (g->model) {
		if (lc_cmodel_load(&m, g->model, &e) < 0)
			lc_die_err(&e);
		have_model = 1;
	}
	json_t **summ = lc_xcalloc(g->nsums + 1, sizeof *summ);
	char **sname = lc_xcalloc(g->nsums + 1, sizeof *sname);
	for (size_t i = 0; i < g->nsums; i++) {
		if (!(summ[i] = lc_summaries_load(g->sums[i], &e)))
			lc_die_err(&e);
		const char *b = strrchr(g->sums[i], '/');
		b = b ? b + 1 : g->sums[i];
		size_t l = strlen(b);
		if (l > 6 && !strcmp(b + l - 6, ".jsonl"))
			l -= 6;
		sname[i] = lc_xstrndup(b, l);
	}
	lc_cctx *cx = lc_cctx_new();
	for (size_t i = 0; i < c.n; i++)
		lc_cctx_add(cx, c.p[i].title, c.p[i].text);
	lc_tok *tok = tok_open(&g->ts);
	emitter em = { .o = lc_output_open(g->out), .tok = tok };
	if (g->shard.n)
		lc_part_header(em.o, "lcgen candidates", &g->shard, g->run, "groups");
	lc_candgen cg = { .nrandom = g->nrandom, .seed = (uint64_t)g->seed, .model = have_model ? &m : NULL,
	                  .emit = emit_cb, .ud = &em };
	memcpy(cg.want, want, sizeof cg.want);
	size_t missing_summ = 0, npassages = 0;
	for (size_t i = 0; i < c.n; i++) {
		if (!lc_shard_has(&g->shard, i))
			continue;   /* another task's passage (the corpus statistics stay the whole corpus's) */
		npassages++;
		const lc_passage *ps = &c.p[i];
		em.pid = ps->pid;
		lc_strmap_free(&em.seen);
		memset(&em.seen, 0, sizeof em.seen);
		lc_candgen_passage(&cg, cx, ps->pid, ps->title, ps->text);   /* full ... model */
		/* given summaries count even for an empty passage (CoLoR pairs them) */
		for (size_t s = 0; want[LC_CAND_EXTERNAL] && s < g->nsums; s++) {
			json_t *v = json_object_get(summ[s], ps->pid);
			if (!v) {
				missing_summ++;
				continue;
			}
			const char *t = json_string_value(v);
			if (*t)
				emit(&em, sname[s], t, strlen(t));
		}
		if (llm && llm[i] && *llm[i])
			emit(&em, llm_name, llm[i], strlen(llm[i]));
		if (g->shard.n)
			lc_part_group_end(em.o);
	}
	lc_output_commit(em.o);
	lc_tok_free(tok);
	if (missing_summ)
		lc_warn("warning: %zu passage%s without an external summary", missing_summ, missing_summ == 1 ? "" : "s");
	lc_report_int(rep, "passages", (long long)npassages);
	lc_report_int(rep, "candidates", (long long)em.written);
	lc_report_int(rep, "without_external_summary", (long long)missing_summ);
	for (size_t i = 0; i < g->nsums; i++) {
		json_decref(summ[i]);
		free(sname[i]);
	}
	free(summ);
	free(sname);
	for (size_t i = 0; llm && i < c.n; i++)
		free(llm[i]);
	free(llm);
	free(llm_name);
	if (have_model)
		lc_cmodel_free(&m);
	lc_cctx_free(cx);
	lc_candgen_free(&cg);
	lc_buf_free(&em.line);
	lc_strmap_free(&em.seen);
	lc_corpus_free(&c);
	return 0;
}

/* --------------------------------------------------------------------- labels */


/* One label to compute: candidate `cand` of gold passage `row` for query `qi`. */
typedef struct {
	size_t qi, cand;
	long row;
	const long *grow;     /* the query's gold rows */
	size_t ng;
	int success;
	long rank;
	int skip;             /* LLM request failed (--skip-bad) */
} item;

/* LOFT's success from a ranked list of rows: every gold in the top |gold|
 * (rank 1 for one gold); rank = position of `row`, 0 if absent. */
static int judge(const long *ranked, size_t n, const long *grow, size_t ng, long row, long *rank)
{
	size_t found = 0;
	*rank = 0;
	for (size_t h = 0; h < n; h++) {
		for (size_t g = 0; g < ng && h < ng; g++)
			if (ranked[h] == grow[g])
				found++;
		if (ranked[h] == row && !*rank)
			*rank = (long)h + 1;
	}
	return found == ng;
}

static void labels_bm25(const labels_cfg *g, const lc_corpus *c, const lc_queries *qs, const lc_candset *cs, item *it,
                        size_t nit)
{
	lc_err e = {0};
	lc_bm25_opts bo = { .k1 = g->k1, .b = g->b, .b_set = 1, .an = g->an, .an_set = 1 };
	lc_bm25 *bm = lc_bm25_build(c, &bo, &e);
	if (!bm)
		lc_die_err(&e);
	lc_bm25_ctx *ctx = lc_bm25_ctx_new(bm);
	lc_buf txt = {0};
	lc_bm25_hit *hits = NULL;
	long *ranked = NULL;
	size_t hcap = 0;
	lc_bm25_query pq;
	size_t cur = (size_t)-1;
	for (size_t i = 0; i < nit; i++) {
		item *t = &it[i];
		if (t->qi != cur) {
			if (cur != (size_t)-1)
				lc_bm25_query_free(&pq);
			lc_bm25_query_parse(ctx, qs->q[t->qi].text, &pq);
			cur = t->qi;
		}
		if (t->ng > hcap) {
			hcap = t->ng;
			hits = lc_xrealloc(hits, hcap * sizeof *hits);
			ranked = lc_xrealloc(ranked, hcap * sizeof *ranked);
		}
		lc_passage sub = c->p[t->row];
		sub.summary = cs->v[t->cand].text;
		lc_buf_reset(&txt);
		lc_passage_text(&sub, &txt);
		size_t nh = lc_bm25_search_subst(ctx, &pq, (uint32_t)t->row, txt.p, txt.len, t->ng, hits);
		for (size_t h = 0; h < nh; h++)
			ranked[h] = (long)hits[h].doc;
		t->success = judge(ranked, nh, t->grow, t->ng, t->row, &t->rank);
	}
	if (cur != (size_t)-1)
		lc_bm25_query_free(&pq);
	lc_bm25_ctx_free(ctx);
	lc_bm25_free(bm);
	free(hits);
	free(ranked);
	lc_buf_free(&txt);
}

static size_t count_tokens(void *ud, const char *s, size_t n) { return lc_tok_count(ud, s, n); }

/* labels --llm --dry-run: one line {"id","prompt_tokens"} per request on the
 * output ("repeat":true when an earlier request has the same prompt: it is sent
 * once, and counted once in the totals). */
static void dry_run_labels(const labels_cfg *g, const lc_llmr_req *rq, const lc_llmr_ans *ans, size_t n,
                           lc_report *rep)
{
	lc_llm_dry d = { .max_tokens = g->lr.llm.max_tokens, .price_in = g->lr.price_in, .price_out = g->lr.price_out };
	lc_output *o = lc_output_open(g->out);
	lc_buf line = {0};
	for (size_t i = 0; i < n; i++) {
		if (!ans[i].repeat)
			lc_llm_dry_add(&d, ans[i].prompt_tokens);
		lc_buf_reset(&line);
		lc_buf_printf(&line, "{\"id\":%s,\"prompt_tokens\":%zu%s}\n", rq[i].id, ans[i].prompt_tokens,
		              ans[i].repeat ? ",\"repeat\":true" : "");
		lc_output_write(o, line.p, line.len);
	}
	lc_output_commit(o);
	dry_run_done(&d, "label", "labels --llm, one per candidate of a gold passage and query", rep);
	lc_buf_free(&line);
}

/* --llm: one prompt per label (lib/retrieve/llmretrieve's lc_llmr_ask), the candidate in
 * place of its gold passage; with --context N only the query's gold passages and
 * BM25's top N other passages (of the original corpus, the same for every
 * candidate of the query) are in the prompt.  Returns 0, or 1 when only a Batch
 * request file was written, or only the requests counted (--dry-run). */
static int labels_llm(const labels_cfg *cfg, const lc_corpus *c, const lc_queries *qs, const lc_candset *cs, item *it,
                      size_t nit, lc_report *rep)
{
	lc_llmr_opts lr = cfg->lr;
	const char *corpus_path = cfg->corpus;
	long context = cfg->context;
	lr.corpus_path = corpus_path;
	/* the prompt template: named with --prompt, or the LOFT dataset the corpus
	 * path names, always said; never a silent fallback to the generic prompt */
	char *guessed = NULL;
	if (!lr.prompt) {
		guessed = lc_prompt_guess(corpus_path);
		if (!strcmp(guessed, "default"))
			lc_die(LC_EXIT_USAGE, "cannot tell which LOFT dataset %s holds (no file or directory name in its path "
			       "is one): give --prompt NAME (a LOFT dataset, or 'default' for the generic prompt) or --prompt FILE",
			       corpus_path);
		lr.prompt = guessed;
	}
	if (!lr.quiet)
		lc_warn("prompt template: %s (%s)", lr.prompt, guessed ? "named by the corpus path; --prompt NAME to choose another"
		                                                         : "--prompt");
	if (lr.quiet)
		lr.progress = LC_PROGRESS_QUIET;
	lc_err e = {0};
	lc_tok *tok = NULL;
	if (lr.context_limit || lr.dry_run) {
		tok = tok_open(&cfg->ts);
		lr.count = count_tokens;
		lr.count_ud = tok;
	}
	lc_llmr_req *rq = lc_xcalloc(nit ? nit : 1, sizeof *rq);
	lc_buf ids = {0};
	size_t *idoff = lc_xmalloc((nit ? nit : 1) * sizeof *idoff);
	/* --context: per query, its gold rows + BM25's top N others, ascending */
	size_t **qrows = lc_xcalloc(qs->n ? qs->n : 1, sizeof *qrows);
	size_t *nqrows = lc_xcalloc(qs->n ? qs->n : 1, sizeof *nqrows);
	if (context >= 0) {
		lc_bm25_opts bo = { .k1 = cfg->k1, .b = cfg->b, .b_set = 1, .an = cfg->an, .an_set = 1 };
		lc_bm25 *bm = lc_bm25_build(c, &bo, &e);
		if (!bm)
			lc_die_err(&e);
		unsigned char *in = lc_xcalloc(c->n, 1);
		lc_bm25_hit *hits = NULL;
		for (size_t i = 0; i < nit; i++) {
			const item *t = &it[i];
			if (qrows[t->qi])
				continue;
			size_t want = (size_t)context + t->ng;
			if (want > c->n)
				want = c->n;
			hits = lc_xrealloc(hits, (want ? want : 1) * sizeof *hits);
			size_t nh = lc_bm25_search(bm, qs->q[t->qi].text, want, hits);
			memset(in, 0, c->n);
			for (size_t g = 0; g < t->ng; g++)
				in[t->grow[g]] = 1;
			size_t extra = 0;
			for (size_t h = 0; h < nh && extra < (size_t)context; h++)
				if (!in[hits[h].doc]) {
					in[hits[h].doc] = 1;
					extra++;
				}
			size_t *r = lc_xmalloc((t->ng + extra) * sizeof *r), m = 0;
			for (size_t d = 0; d < c->n; d++)
				if (in[d])
					r[m++] = d;
			qrows[t->qi] = r;
			nqrows[t->qi] = m;
		}
		free(in);
		free(hits);
		lc_bm25_free(bm);
	}
	/* custom_id = the JSON array ["qid","pid","name"]: unique, readable, joinable */
	for (size_t i = 0; i < nit; i++) {
		const item *t = &it[i];
		const lc_cand *cd = &cs->v[t->cand];
		idoff[i] = ids.len;
		lc_buf_addc(&ids, '[');
		lc_json_quote(&ids, qs->q[t->qi].qid, strlen(qs->q[t->qi].qid));
		lc_buf_addc(&ids, ',');
		lc_json_quote(&ids, cd->pid, strlen(cd->pid));
		lc_buf_addc(&ids, ',');
		lc_json_quote(&ids, cd->name, strlen(cd->name));
		lc_buf_addc(&ids, ']');
		lc_buf_addc(&ids, '\0');
	}
	for (size_t i = 0; i < nit; i++) {
		const item *t = &it[i];
		rq[i].id = ids.p + idoff[i];
		rq[i].query = qs->q[t->qi].text;
		rq[i].subst = t->row;
		rq[i].subst_text = cs->v[t->cand].text;
		rq[i].rows = qrows[t->qi];
		rq[i].nrows = nqrows[t->qi];
	}
	lc_llmr_ans *ans = lc_xcalloc(nit ? nit : 1, sizeof *ans);
	if (lc_llmr_ask(&lr, c, rq, nit, ans, &e) < 0)
		lc_die_err(&e);
	int rc = 0;
	if (lr.dry_run) {
		dry_run_labels(cfg, rq, ans, nit, rep);
		rc = 1;
	} else if (lr.batch_out) {
		if (lr.verbose)
			lc_warn("%s: %zu Batch requests written", lr.batch_out, nit);
		rc = 1;
	} else {
		size_t failed = 0, unparsed = 0, first = 0;
		long *ranked = NULL;
		size_t rcap = 0;
		for (size_t i = 0; i < nit; i++) {
			item *t = &it[i];
			if (!ans[i].answered) {
				if (!failed++)
					first = i;
				if (failed == 1 || lr.verbose)
					lc_warn("request %s: %s", rq[i].id, ans[i].error);
				t->skip = 1;
				continue;
			}
			unparsed += !ans[i].parsed;
			if (ans[i].pids.n > rcap) {
				rcap = ans[i].pids.n;
				ranked = lc_xrealloc(ranked, rcap * sizeof *ranked);
			}
			for (size_t k = 0; k < ans[i].pids.n; k++)
				ranked[k] = lc_corpus_find(c, ans[i].pids.s[k]);
			t->success = judge(ranked, ans[i].pids.n, t->grow, t->ng, t->row, &t->rank);
		}
		free(ranked);
		if (failed && !cfg->skip_bad)
			lc_die(LC_EXIT_INPUT, "%zu of %zu LLM requests got no answer (first: %s); nothing written (%s)", failed, nit,
			       rq[first].id,
			       lr.batch_in ? "resubmit those requests, or give --skip-bad"
			       : lr.llm.no_cache ? "give --skip-bad to write the other labels"
			                         : "answers received are cached: re-run to resume, or give --skip-bad");
		if (failed)
			lc_warn("warning: %zu labels without an LLM answer skipped", failed);
		if (unparsed)
			lc_warn("%zu of %zu LLM answers gave no usable prediction (no Final Answer list, or an id not in the "
			        "prompt): labelled as failures", unparsed, nit - failed);
	}
	lc_llmr_ans_free(ans, nit);
	free(ans);
	if (tok)
		lc_tok_free(tok);
	for (size_t q = 0; q < qs->n; q++)
		free(qrows[q]);
	free(qrows);
	free(nqrows);
	free(rq);
	free(idoff);
	lc_buf_free(&ids);
	free(guessed);
	return rc;
}

/* One label line {"qid","pid","name","success","rank","tokens"} (none for a
 * request that got no answer under --skip-bad); counts it in *ok or *fail. */
static void write_label(lc_output *o, lc_buf *line, const lc_query *q, const lc_cand *cd, const item *t, size_t *ok,
                        size_t *fail)
{
	if (t->skip)
		return;
	t->success ? (*ok)++ : (*fail)++;
	lc_buf_reset(line);
	lc_buf_adds(line, "{\"qid\":");
	lc_json_quote(line, q->qid, strlen(q->qid));
	lc_buf_adds(line, ",\"pid\":");
	lc_json_quote(line, cd->pid, strlen(cd->pid));
	lc_buf_adds(line, ",\"name\":");
	lc_json_quote(line, cd->name, strlen(cd->name));
	lc_buf_printf(line, ",\"success\":%s,\"rank\":%ld,\"tokens\":%zu}\n", t->success ? "true" : "false", t->rank,
	              cd->tokens);
	lc_output_write(o, line->p, line->len);
}

static int cmd_labels(const labels_cfg *cfg, int argc, char **argv, int first, lc_report *rep)
{
	const char *corpus = cfg->corpus, *queries = cfg->queries;
	if (!corpus || !queries || first >= argc)
		lc_cli_usage_error(&labels_cmd, "labels: needs -c CORPUS -q QUERIES CANDIDATES");
	lc_corpus c = {0};
	lc_queries qs = {0};
	lc_err e = {0};
	if (lc_corpus_load(&c, corpus, NULL, &e) < 0 || lc_corpus_check_nonempty(&c, corpus, &e) < 0)
		lc_die_err(&e);
	if (lc_queries_load(&qs, queries, NULL, &e) < 0)
		lc_die_err(&e);
	lc_candset cs;
	if (lc_candset_load(&cs, argv[first], &e) < 0)
		lc_die_err(&e);
	/* the labels to compute, in output order */
	item *it = NULL;
	size_t nit = 0, icap = 0;
	long **grows = lc_xcalloc(qs.n ? qs.n : 1, sizeof *grows);
	size_t nogold = 0, nocand = 0, nolabel = 0, ok = 0, fail = 0;
	for (size_t qi = 0; qi < qs.n; qi++) {
		const lc_query *q = &qs.q[qi];
		if (!lc_shard_has(&cfg->shard, qi))
			continue;   /* another task's query */
		if (!q->nans) {
			nolabel++;
			continue;
		}
		/* the gold rows, each once: a pid listed twice in answers is one gold passage */
		size_t ng = 0;
		long *grow = lc_xmalloc(q->nans * sizeof *grow);
		int missing = 0;
		for (size_t g = 0; g < q->nans; g++) {
			long row = lc_corpus_find(&c, q->ans[g].pid);
			if (row < 0)
				missing = 1;
			size_t h = 0;
			while (h < ng && grow[h] != row)
				h++;
			if (h == ng)
				grow[ng++] = row;
		}
		if (missing) {
			nogold++;
			free(grow);
			continue;
		}
		grows[qi] = grow;
		for (size_t g = 0; g < ng; g++) {
			const lc_passage *ps = &c.p[grow[g]];
			size_t ncand, k0 = lc_candset_of(&cs, ps->pid, &ncand);
			if (!ncand) {
				nocand++;
				continue;
			}
			for (size_t k = k0; k < k0 + ncand; k++) {
				if (nit == icap) {
					icap = icap ? icap * 2 : 1024;
					it = lc_xrealloc(it, icap * sizeof *it);
				}
				it[nit++] = (item){ .qi = qi, .cand = k, .row = grow[g], .grow = grow, .ng = ng };
			}
		}
	}
	int batch_only = 0;
	if (cfg->llm)
		batch_only = labels_llm(cfg, &c, &qs, &cs, it, nit, rep);
	else
		labels_bm25(cfg, &c, &qs, &cs, it, nit);
	if (!batch_only) {
		lc_output *o = lc_output_open(cfg->out);
		if (cfg->shard.n)
			lc_part_header(o, "lcgen labels", &cfg->shard, cfg->run, "groups");
		lc_buf line = {0};
		size_t i = 0;   /* the items are in query order: a part closes each query's group */
		for (size_t qi = 0; qi < qs.n; qi++) {
			if (!lc_shard_has(&cfg->shard, qi))
				continue;
			for (; i < nit && it[i].qi == qi; i++)
				write_label(o, &line, &qs.q[qi], &cs.v[it[i].cand], &it[i], &ok, &fail);
			if (cfg->shard.n)
				lc_part_group_end(o);
		}
		lc_output_commit(o);
		lc_buf_free(&line);
	}
	if (nolabel)
		lc_warn("warning: %zu quer%s without answers skipped", nolabel, nolabel == 1 ? "y" : "ies");
	if (nogold)
		lc_warn("warning: %zu quer%s whose gold pid is not in the corpus skipped", nogold, nogold == 1 ? "y" : "ies");
	if (nocand)
		lc_warn("warning: %zu gold passage%s without candidates skipped", nocand, nocand == 1 ? "" : "s");
	if (!batch_only && !cfg->lr.quiet)
		lc_warn("%zu labels: %zu successful, %zu failed", ok + fail, ok, fail);
	if (!batch_only) {
		lc_report_int(rep, "labels", (long long)(ok + fail));
		lc_report_int(rep, "successful", (long long)ok);
		lc_report_int(rep, "failed", (long long)fail);
	}
	lc_report_int(rep, "queries_without_answers", (long long)nolabel);
	lc_report_int(rep, "queries_without_gold", (long long)nogold);
	lc_report_int(rep, "gold_without_candidates", (long long)nocand);
	for (size_t qi = 0; qi < qs.n; qi++)
		free(grows[qi]);
	free(grows);
	free(it);
	lc_candset_free(&cs);
	lc_corpus_free(&c);
	lc_queries_free(&qs);
	return 0;
}

/* ---------------------------------------------------------------------- pairs */

static int cmd_pairs(const pairs_cfg *g, int argc, char **argv, int first, lc_report *rep)
{
	const char *corpus = g->corpus, *label_by = g->label_by;
	int hard = g->hard, released = g->released;
	if (!corpus || argc - first != 2)
		lc_cli_usage_error(&pairs_cmd, "pairs: needs -c CORPUS CANDIDATES LABELS");
	lc_corpus c = {0};
	lc_err e = {0};
	if (lc_corpus_load(&c, corpus, NULL, &e) < 0)
		lc_die_err(&e);
	lc_candset cs;
	if (lc_candset_load(&cs, argv[first], &e) < 0)
		lc_die_err(&e);
	lc_input *in = lc_input_open_or_die(argv[first + 1], NULL);
	lc_output *o = lc_output_open(g->out);
	char *line;
	size_t len;
	lc_buf cur = {0}, curpid = {0}, prompt = {0}, ob = {0}, idb = {0}, key = {0};
	/* labels of one (qid, pid) group arrive consecutively (lcgen labels order);
	 * groups holds every group begun, to refuse one that comes back */
	lc_strmap groups = {0};
	lc_pair_label *L = NULL;
	size_t nl = 0, lcap = 0, npairs = 0, nsame = 0, nosucc = 0, nopid = 0, nolabel = 0;
	int more = 1;
	while (more) {
		more = lc_input_next(in, &line, &len);
		json_t *j = NULL;
		const char *qid = NULL, *pid = NULL, *name = NULL;
		int success = 0;
		if (more) {
			if (!len)
				continue;
			const char *w = lc_input_where(in);
			j = lc_json_parse_object(line, len, w, &e);
			qid = j ? lc_json_id(json_object_get(j, "qid"), &idb, "qid", w, &e) : NULL;
			qid = qid ? lc_xstrdup(qid) : NULL;
			pid = qid ? lc_json_id(json_object_get(j, "pid"), &idb, "pid", w, &e) : NULL;
			name = pid ? lc_json_str(j, "name", w, &e) : NULL;
			if (!name)
				lc_die_err(&e);
			if (!json_is_boolean(json_object_get(j, "success")))
				lc_die(LC_EXIT_INPUT, "%s: field 'success': expected true or false (write labels with lcgen labels)", w);
			success = json_is_true(json_object_get(j, "success"));
		}
		int same_group = more && cur.len && !strcmp(cur.p, qid) && !strcmp(curpid.p, pid);
		if (!same_group && nl) {
			/* close the group */
			lc_pair pr;
			int keep = released ? lc_pair_select_released(&cs, L, nl, label_by, &pr) : lc_pair_select(&cs, L, nl, &pr);
			long row = lc_corpus_find(&c, curpid.p);
			int same = keep >= 0 && !strcmp(cs.v[pr.chosen].text, cs.v[pr.rejected].text);
			if (keep < 0)
				nolabel++;
			else if (!keep && hard)
				nosucc++;
			else if (row < 0)
				nopid++;
			else if (same && !released)
				nsame++;   /* skipped; the released script writes it (counted below) */
			else {
				nsame += same;
				lc_buf_reset(&prompt);
				lc_prompt_summarize(&prompt, c.p[row].text);
				lc_buf_reset(&ob);
				lc_pair_format(&ob, prompt.p, prompt.len, curpid.p, cur.p, &cs, &pr);
				lc_output_write(o, ob.p, ob.len);
				npairs++;
			}
			nl = 0;
		}
		if (!more)
			break;
		if (!same_group) {
			lc_buf_reset(&key);   /* "LEN:QIDPID": no two groups share a key */
			lc_buf_printf(&key, "%zu:%s%s", strlen(qid), qid, pid);
			int is_new;
			lc_strmap_intern(&groups, key.p, key.len, &is_new);
			if (!is_new)
				lc_die(LC_EXIT_INPUT, "%s: labels of query '%s' and pid '%s' are not consecutive "
				       "(write them grouped by query and pid, as lcgen labels does)", lc_input_where(in), qid, pid);
			lc_buf_reset(&cur);
			lc_buf_adds(&cur, qid);
			lc_buf_reset(&curpid);
			lc_buf_adds(&curpid, pid);
		}
		long k = lc_candset_find(&cs, pid, name);
		if (k < 0)
			lc_die(LC_EXIT_INPUT, "%s: label for pid '%s' candidate '%s' not in the candidates file",
			       lc_input_where(in), pid, name);
		for (size_t i = 0; i < nl; i++)
			if (L[i].cand == (size_t)k)
				lc_die(LC_EXIT_INPUT, "%s: candidate '%s' of pid '%s' is labelled twice for query '%s'",
				       lc_input_where(in), name, pid, qid);
		if (nl == lcap) {
			lcap = lcap ? lcap * 2 : 64;
			L = lc_xrealloc(L, lcap * sizeof *L);
		}
		L[nl++] = (lc_pair_label){ (size_t)k, success };
		free((char *)qid);
		json_decref(j);
	}
	lc_output_commit(o);
	lc_input_close(in);
	if (nosucc)
		lc_warn("hard mode: %zu query-passage group%s without a successful candidate dropped", nosucc, nosucc == 1 ? "" : "s");
	if (nopid)
		lc_warn("warning: %zu group%s whose pid is not in the corpus skipped", nopid, nopid == 1 ? "" : "s");
	if (nolabel)
		lc_warn("warning: %zu group%s without a label for candidate '%s' skipped", nolabel, nolabel == 1 ? "" : "s",
		        label_by);
	if (nsame)
		lc_warn(released ? "warning: %zu pair%s with chosen == rejected written (one candidate, as the released script does)"
		                 : "warning: %zu group%s where chosen == rejected skipped", nsame, nsame == 1 ? "" : "s");
	if (!g->quiet)
		lc_warn("%zu pairs", npairs);
	lc_report_int(rep, "pairs", (long long)npairs);
	lc_report_int(rep, "groups_without_success", (long long)nosucc);
	lc_report_int(rep, "groups_without_pid", (long long)nopid);
	lc_report_int(rep, "groups_without_label", (long long)nolabel);
	lc_report_int(rep, "chosen_equals_rejected", (long long)nsame);
	lc_candset_free(&cs);
	lc_corpus_free(&c);
	free(L);
	lc_buf_free(&cur);
	lc_buf_free(&curpid);
	lc_buf_free(&key);
	lc_strmap_free(&groups);
	lc_buf_free(&prompt);
	lc_buf_free(&ob);
	lc_buf_free(&idb);
	return 0;
}

/* --------------------------------------------------------------------- probes */

static const char *const FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

#define PROBE_HEAD "There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. " \
	"I will quiz you about the important information there.\n"
#define PROBE_TAIL "What is the pass key? The pass key is"

/* probes: passkey prompts, or with batch (the model) OpenAI Batch request lines
 * built by lib/llm/llmreq, the body builder of every LLM request (so --temperature
 * and --max-tokens reach these bodies as they reach candidates --batch-out);
 * --summarise is the Batch side of candidates --kinds llm (lib/llm/llmsum), line for
 * line. */

static int cmd_probes(const probes_cfg *g, lc_report *rep)
{
	const char *out = g->out, *lengths = g->lengths, *batch = g->model;
	long per = g->per;
	lc_llm_opts bo = g->body;
	bo.model = batch;
	lc_err e = {0};
	if (g->summarise) {
		if (!batch)
			lc_cli_usage_error(&probes_cmd, "probes --summarise needs --model NAME (the Batch requests' model)");
		lc_corpus c = {0};
		if (lc_corpus_load(&c, g->summarise, NULL, &e) < 0)
			lc_die_err(&e);
		lc_llmsum_opts so;
		lc_llmsum_opts_default(&so);
		so.llm = bo;
		so.batch_out = out ? out : "-";
		const char **texts = lc_xmalloc((c.n ? c.n : 1) * sizeof *texts);
		const char **ids = lc_xmalloc((c.n ? c.n : 1) * sizeof *ids);
		for (size_t i = 0; i < c.n; i++) {
			texts[i] = c.p[i].text;
			ids[i] = c.p[i].pid;
		}
		lc_llmsum r;
		if (lc_llmsum_run(&so, texts, ids, c.n, &r, &e) < 0)
			lc_die_err(&e);
		lc_report_int(rep, "requests", (long long)c.n);
		lc_llmsum_free(&r);
		free(texts);
		free(ids);
		lc_corpus_free(&c);
		return 0;
	}
	lc_llm *cl = NULL;
	if (batch && !(cl = lc_llmreq_batch_client(&bo, &e)))
		lc_die_err(&e);
	lc_output *o = lc_output_open(out);
	lc_buf b = {0}, pr = {0};
	const char *s = lengths ? lengths : "1000,4000,16000";
	lc_rng rng;   /* the keys and where they sit: lib/core/rng, seeded by --seed */
	lc_rng_seed(&rng, (uint64_t)g->seed);
	lc_tok *tok = tok_open(&g->ts);
	size_t nprobes = 0;
	lc_buf one = {0};
	lc_buf_adds(&one, FILLER);
	lc_buf_addc(&one, ' ');
	size_t f1 = lc_tok_count(tok, one.p, one.len);
	lc_buf_adds(&one, FILLER);
	lc_buf_addc(&one, ' ');
	size_t fw = lc_tok_count(tok, one.p, one.len) - f1;  /* one more repetition */
	while (*s) {
		char *end;
		long L = strtol(s, &end, 10);
		if (end == s || L < 100 || L > 10000000 || (*end && *end != ','))
			lc_cli_usage_error(&probes_cmd, "--lengths: expected comma-separated token counts >= 100, got '%s'", lengths);
		s = *end ? end + 1 : end;
		for (long k = 0; k < per; k++) {
			long key = 10000 + (long)lc_rng_below(&rng, 90000);   /* five digits */
			/* the instruction, key sentence and question, then filler to the target */
			lc_buf_reset(&pr);
			lc_buf_printf(&pr, "%s%s%ld. Remember it. %ld is the pass key. \n%s", PROBE_HEAD, "The pass key is ", key, key, PROBE_TAIL);
			size_t fixed = lc_tok_count(tok, pr.p, pr.len);
			size_t reps = (size_t)L > fixed + fw ? ((size_t)L - fixed) / fw : 1;
			size_t at = (size_t)lc_rng_below(&rng, reps + 1);
			lc_buf_reset(&pr);
			lc_buf_adds(&pr, PROBE_HEAD);
			for (size_t i = 0; i <= reps; i++) {
				if (i == at)
					lc_buf_printf(&pr, "The pass key is %ld. Remember it. %ld is the pass key. ", key, key);
				if (i < reps) {
					lc_buf_adds(&pr, FILLER);
					lc_buf_addc(&pr, ' ');
				}
			}
			lc_buf_addc(&pr, '\n');
			lc_buf_adds(&pr, PROBE_TAIL);
			char id[64];
			snprintf(id, sizeof id, "passkey-%ld-%ld", L, k);
			lc_buf_reset(&b);
			if (batch)
				lc_llmreq_batch_line(cl, &b, id, pr.p);   /* the prompt is ASCII */
			else {
				/* depth: where the key sits among the filler slots, 0 (first) to 1 (last) */
				lc_buf_printf(&b, "{\"id\":\"%s\",\"length\":%ld,\"tokens\":%zu,\"answer\":\"%ld\",\"depth\":%.4g,\"prompt\":",
				              id, L, lc_tok_count(tok, pr.p, pr.len), key, reps ? (double)at / (double)reps : 0.0);
				lc_json_quote(&b, pr.p, pr.len);
				lc_buf_adds(&b, "}\n");
			}
			lc_output_write(o, b.p, b.len);
			nprobes++;
		}
	}
	lc_output_commit(o);
	lc_report_int(rep, "probes", (long long)nprobes);
	lc_llm_free(cl);
	lc_tok_free(tok);
	lc_buf_free(&one);
	lc_buf_free(&b);
	lc_buf_free(&pr);
	return 0;
}

/* ---------------------------------------------------- options and dispatch */

static void check_tok(const lc_cmd *c, int given)
{
	if (given == 3)
		lc_cli_usage_error(c, "give one of -e NAME and --tokenizer FILE");
}

/* A dry run counts with the model's tokenizer, named; it writes no Batch file. */
static void check_dry(const lc_cmd *c, const lc_llmr_opts *lr, int tok_given)
{
	if ((lr->price_in > 0 || lr->price_out > 0) && !lr->dry_run)
		lc_cli_usage_error(c, "--price-in/--price-out go with --dry-run");
	if (lr->dry_run && !tok_given)
		lc_cli_usage_error(c, "--dry-run counts prompts with the model's tokenizer: give -e NAME or --tokenizer FILE");
	if (lr->dry_run && (lr->batch_in || lr->batch_out))
		lc_cli_usage_error(c, "--dry-run sends and writes no requests: drop --batch-in/--batch-out");
}

/* --shard K/N: a part is this run's data, so Batch files (written or read for
 * the whole run) do not go with it. */
static void check_shard(const lc_cmd *c, const lc_shard *s, const lc_llmr_opts *lr)
{
	if (s->n && (lr->batch_in || lr->batch_out))
		lc_cli_usage_error(c, "--shard splits the requests sent to --endpoint; a Batch file is split with "
		                   "'lcbatch split' (drop --shard or --batch-in/--batch-out)");
}

/* The LLM settings every LLM path checks: a model, and where the answers come from. */
static void check_llm(const lc_cmd *c, const lc_llmr_opts *lr, const char *who)
{
	if (lr->batch_in && lr->batch_out)
		lc_cli_usage_error(c, "--batch-in and --batch-out exclude each other");
	if (!lr->llm.model)
		lc_cli_usage_error(c, "%s --model NAME", who);
	if (!lr->llm.endpoint && !lr->batch_in && !lr->batch_out)
		lc_cli_usage_error(c, "%s --endpoint URL (or --batch-out FILE / --batch-in FILE)", who);
}

/* The report of a subcommand: "program" is lcgen, "subcommand" says which.  The
 * Batch file, not stdout, is the data of --batch-out. */
static void report_start(lc_report *rep, const char *sub, const char *out, const char *batch_out, int argc,
                         char **argv, int first)
{
	lc_report_start(rep, &cmd, (!out || !strcmp(out, "-")) && !batch_out, argc - first, argv + first);
	lc_report_str(rep, "subcommand", sub);
}

/* The report's "options" of each subcommand: what decides its output (lctk-formats(5) REPORTS). */
static void report_tok(lc_report *rep, const tokspec *ts)
{
	lc_report_str(rep, ts->file ? "options.tokenizer" : "options.encoding", ts->file ? ts->file : ts->encoding);
}

static void report_shard(lc_report *rep, const lc_shard *sh)
{
	char b[32];
	snprintf(b, sizeof b, "%u/%u", sh->k, sh->n);
	lc_report_str(rep, "options.shard", sh->n ? b : NULL);
}

static void report_cand_options(lc_report *rep, const cand_cfg *g)
{
	lc_report_str(rep, "options.kinds", g->kinds ? g->kinds : "all");
	lc_report_int(rep, "options.random", g->nrandom);
	lc_report_int(rep, "options.seed", g->seed);
	report_tok(rep, &g->ts);
	json_t *sums = json_array();
	for (size_t i = 0; i < g->nsums; i++)
		json_array_append_new(sums, lc_json_text(g->sums[i]));
	lc_report_set(rep, "options.summaries", sums);
	lc_report_str(rep, "options.model", g->lr.llm.model);
	report_shard(rep, &g->shard);
	lc_report_str(rep, "options.output", g->lr.batch_out ? g->lr.batch_out : g->out ? g->out : "-");
}

static void report_labels_options(lc_report *rep, const labels_cfg *g)
{
	lc_report_str(rep, "options.corpus", g->corpus);
	lc_report_str(rep, "options.queries", g->queries);
	lc_report_str(rep, "options.mode", g->llm ? "llm" : "bm25");
	lc_report_real(rep, "options.k1", g->k1);
	lc_report_real(rep, "options.b", g->b);
	lc_report_bool(rep, "options.stem", !!(g->an.flags & LC_AN_STEM));
	lc_report_bool(rep, "options.stopwords", !!(g->an.flags & LC_AN_STOP));
	if (g->llm) {
		lc_report_str(rep, "options.model", g->lr.llm.model);
		if (g->context >= 0)
			lc_report_int(rep, "options.context", g->context);
	}
	report_shard(rep, &g->shard);
	lc_report_str(rep, "options.output", g->lr.batch_out ? g->lr.batch_out : g->out ? g->out : "-");
}

static int main_candidates(int argc, char **argv, lc_report *rep)
{
	cand_cfg *g = &CAND;
	lc_llmr_opts_default(&g->lr);
	lc_cli st = {0};
	int c;
	while ((c = lc_cli_next(&st, &cand_cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* the only option not bound */
			lc_report_arg(rep, &cand_cmd, optarg);
	g->run = lc_part_run_key(argc, argv);
	check_shard(&cand_cmd, &g->shard, &g->lr);
	g->lr.llm.seed = (unsigned long)g->seed;   /* retry jitter: timing only */
	check_tok(&cand_cmd, g->ts.given);
	if (g->lr.dry_run && !g->lr.llm.endpoint)
		lc_cli_usage_error(&cand_cmd, "--dry-run counts the summary requests of --endpoint URL --model NAME: "
		                   "give them (nothing is sent)");
	check_dry(&cand_cmd, &g->lr, g->ts.given);
	/* an LLM option only means something when llm candidates are made (the page's LLM OPTIONS) */
	if (g->llm_opt && !g->lr.llm.endpoint && !g->lr.batch_in && !g->lr.batch_out)
		lc_cli_usage_error(&cand_cmd, "--%s works with llm candidates only: add llm to --kinds, with --endpoint URL "
		                   "--model NAME (or --batch-in FILE / --batch-out FILE)", g->llm_opt);
	if (g->llm_opt)
		check_llm(&cand_cmd, &g->lr, "LLM candidates need");
	report_start(rep, "candidates", g->out, g->lr.batch_out, argc, argv, st.ind);
	report_cand_options(rep, g);
	int rc = cmd_candidates(g, argc, argv, st.ind, rep);
	free(g->sums);
	return rc;
}

static int main_labels(int argc, char **argv, lc_report *rep)
{
	labels_cfg *g = &LABELS;
	lc_llmr_opts_default(&g->lr);
	lc_cli st = {0};
	int c;
	while ((c = lc_cli_next(&st, &labels_cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* the only option not bound */
			lc_report_arg(rep, &labels_cmd, optarg);
	g->run = lc_part_run_key(argc, argv);
	check_shard(&labels_cmd, &g->shard, &g->lr);
	g->lr.llm.seed = (unsigned long)g->seed;   /* retry jitter: timing only */
	check_tok(&labels_cmd, g->ts.given);
	if (g->llm_opt && !g->llm)
		lc_cli_usage_error(&labels_cmd, "--%s works with labels --llm only", g->llm_opt);
	check_dry(&labels_cmd, &g->lr, g->ts.given);
	if (g->llm && !g->lr.dry_run)   /* a dry run needs no server or model: nothing is sent */
		check_llm(&labels_cmd, &g->lr, "--llm needs");
	report_start(rep, "labels", g->out, g->lr.batch_out, argc, argv, st.ind);
	report_labels_options(rep, g);
	return cmd_labels(g, argc, argv, st.ind, rep);
}

static int main_pairs(int argc, char **argv, lc_report *rep)
{
	const pairs_cfg *g = &PAIRS;
	lc_cli st = {0};
	int c;
	while ((c = lc_cli_next(&st, &pairs_cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* the only option not bound */
			lc_report_arg(rep, &pairs_cmd, optarg);
	if (g->label_by && !g->released)
		lc_cli_usage_error(&pairs_cmd, "--label-by goes with --selection released");
	report_start(rep, "pairs", g->out, NULL, argc, argv, st.ind);
	lc_report_str(rep, "options.corpus", g->corpus);
	lc_report_str(rep, "options.mode", g->hard ? "hard" : "all");
	lc_report_str(rep, "options.selection", g->released ? "released" : "lctk");
	lc_report_str(rep, "options.label_by", g->label_by);
	lc_report_str(rep, "options.output", g->out ? g->out : "-");
	return cmd_pairs(g, argc, argv, st.ind, rep);
}

static int main_probes(int argc, char **argv, lc_report *rep)
{
	probes_cfg *g = &PROBES;
	lc_llmr_opts lr;   /* the client's defaults, for the Batch bodies */
	lc_llmr_opts_default(&lr);
	g->body = lr.llm;
	lc_cli st = {0};
	int c;
	while ((c = lc_cli_next(&st, &probes_cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* the only option not bound */
			lc_report_arg(rep, &probes_cmd, optarg);
	if (g->body_opt && !g->model)
		lc_cli_usage_error(&probes_cmd, "--%s goes with probes --model NAME", g->body_opt);
	check_tok(&probes_cmd, g->ts.given);
	if (st.ind < argc)
		lc_cli_usage_error(&probes_cmd, "probes reads no files: '%s'", argv[st.ind]);
	report_start(rep, "probes", g->out, NULL, argc, argv, st.ind);
	lc_report_str(rep, "options.lengths", g->lengths ? g->lengths : "1000,4000,16000");
	lc_report_int(rep, "options.per_length", g->per);
	lc_report_int(rep, "options.seed", g->seed);
	report_tok(rep, &g->ts);
	lc_report_str(rep, "options.model", g->model);
	lc_report_str(rep, "options.summarise", g->summarise);
	lc_report_str(rep, "options.output", g->out ? g->out : "-");
	return cmd_probes(g, rep);
}

/* lcgen merge -o OUT PART...: the parts of one candidates or labels run (which,
 * the first part's header says), joined in input order by lib/cli/part. */
static int main_merge(int argc, char **argv, lc_report *rep)
{
	lc_cli st = {0};
	int c;
	while ((c = lc_cli_next(&st, &merge_cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* the only option not bound */
			lc_report_arg(rep, &merge_cmd, optarg);
	const char *out = MERGE.out;
	if (!out)
		lc_cli_usage_error(&merge_cmd, "give the output with -o OUT");
	if (st.ind >= argc)
		lc_cli_usage_error(&merge_cmd, "give the parts to merge (the -o files of 'lcgen candidates|labels --shard K/N')");
	lc_err e = {0};
	lc_input *in = lc_input_open(argv[st.ind], NULL, &e);
	char *line;
	size_t len;
	int r = in ? lc_input_getline(in, &line, &len, &e) : -1;
	json_t *j = r > 0 ? json_loadb(line, len, 0, NULL) : NULL;
	const char *prog = json_string_value(json_object_get(json_object_get(j, "lctk_part"), "program"));
	char program[32] = "lcgen candidates";   /* for the message of a file that is no part */
	if (prog && (!strcmp(prog, "lcgen candidates") || !strcmp(prog, "lcgen labels")))
		snprintf(program, sizeof program, "%s", prog);
	json_decref(j);
	if (in)
		lc_input_close(in);
	if (r < 0)
		lc_die_err(&e);
	report_start(rep, "merge", out, NULL, argc, argv, st.ind);
	lc_report_str(rep, "options.output", out);
	lc_part_info info;
	lc_output *o = lc_output_open(out);
	if (lc_part_merge_info(program, argv + st.ind, argc - st.ind, o, &info, &e) < 0) {
		lc_output_abort(o);
		lc_die_err(&e);
	}
	lc_output_commit(o);
	/* the same keys as every other merge's report (lctk-formats(5) REPORTS) */
	lc_report_str(rep, "parts_of", program);
	lc_part_report(rep, &info);
	free(info.per_shard);
	return 0;
}

/* The subcommands: each parses its own options (argv[0] = its name) and runs. */
typedef struct subcmd {
	const char *name;
	int (*run)(int argc, char **argv, lc_report *rep);
	const lc_cmd *cmd;
} subcmd;

static const subcmd subcmds[] = {
	{ "candidates", main_candidates, &cand_cmd },
	{ "labels", main_labels, &labels_cmd },
	{ "pairs", main_pairs, &pairs_cmd },
	{ "probes", main_probes, &probes_cmd },
	{ "merge", main_merge, &merge_cmd },
};
enum { NSUBCMDS = sizeof subcmds / sizeof *subcmds };

/* The table of lcgen itself (--help, --lctk-options, completions): every
 * subcommand's options, each once and unbound (a subcommand's option before the
 * subcommand is not parsed into its settings), then the program's own; malloc'd. */
static lc_opt *all_opts(void)
{
	size_t n = 0, cap = sizeof opts / sizeof *opts;
	for (size_t i = 0; i < NSUBCMDS; i++)
		for (const lc_opt *o = subcmds[i].cmd->opts; o->name; o++)
			cap++;
	lc_opt *all = lc_xcalloc(cap, sizeof *all);
	for (size_t i = 0; i < NSUBCMDS; i++)
		for (const lc_opt *o = subcmds[i].cmd->opts; o->name; o++) {
			size_t k = 0;
			while (k < n && strcmp(all[k].name, o->name))
				k++;
			if (k == n && o->id != LC_OPT_REPORT_ID) {
				/* unbound: lcgen without a subcommand only shows them (and fails) */
				all[n] = *o;
				all[n].kind = LC_OPT_NONE;
				all[n].var = NULL;
				all[n++].cb = NULL;
			}
		}
	for (const lc_opt *o = opts; o->name; o++)
		all[n++] = *o;
	return all;
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc < 2 || argv[1][0] == '-') {   /* --help, --version, --lctk-options, or a mistake */
		lc_cmd top = cmd;
		top.opts = all_opts();
		lc_cli st0 = {0};
		while (lc_cli_next(&st0, &top, argc, argv) != -1)
			;
		lc_cli_usage_error(&cmd, "expected a subcommand: candidates, labels, pairs, probes or merge");
	}
	for (size_t i = 0; i < NSUBCMDS; i++)
		if (!strcmp(argv[1], subcmds[i].name)) {
			lc_report rep = {0};
			int rc = subcmds[i].run(argc - 1, argv + 1, &rep);
			if (!rc)
				lc_report_write(&rep);
			lc_report_free(&rep);
			return rc;
		}
	lc_cli_usage_error(&cmd, "unknown subcommand '%s' (candidates, labels, pairs, probes, merge)", argv[1]);
}
