/*
 * lcompress — compresses every passage of a corpus once, offline (CoLoR step 5).
 *
 * Embedded (default): the extractive model of lib/color/compress, from -m MODEL or the
 * shipped share/lctk/models/default.lcm.  The corpus is streamed, never held:
 * read once for its document frequencies and word counts (lib/color/cstream),
 * then again to write each record back with "summary_text" added
 * (passage_text kept), in input order.  --ratio R keeps
 * the top 1/R of each passage's words; --budget T lowers the keep threshold
 * (bisection, lib/color/budget: one more read of the corpus that measures every
 * passage at every threshold the bisection can try (lc_bhist), or with a
 * tokenizer.json one read per BUDGET_LEVELS halvings) until the whole
 * compressed corpus fits T tokens (when even the
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
#include "budget.h"
#include "compress.h"
#include "corpus.h"
#include "cstream.h"
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

/* The program's settings: every option bound to its field in the table below
 * (lib/cli/cli.h); only --report reaches the parse loop.  Cross-checks come
 * after parsing (check_options). */
typedef struct cfg {
	lc_shard shard;
	int dry_run, tok_given, best_effort, unit, skip_bad, quiet, bare, lead, pmode;
	double price_in, price_out, ratio, thr, length_bias;
	long budget;
	const char *model, *endpoint, *llm, *out, *field, *target, *encoding, *summaries;
	lc_report rep;
	int ninputs;
	char **inputs;
	const char *member;     /* --member GLOB: the corpus members of an archive */
	const char *batch_out, *batch_in;   /* LLM summaries through an OpenAI Batch file */
} cfg;

static cfg S = { .target = "summary_text", .encoding = LC_ENCODING_DEFAULT, .thr = -1, .length_bias = NAN,
                 .unit = LC_UNIT_WORD, .bare = 1, .pmode = LC_PROGRESS_AUTO };
/* the LLM client block (--endpoint ... --max-tokens), bound in the table: lib/llm/llm fills it */
static lc_llm_opts llmo;

/* -e NAME and --tokenizer FILE both set S.encoding (lc_tok_load takes either) */
static void note_tok(const lc_cmd *c, const lc_opt *o, const char *arg) { S.tok_given = 1; }
/* --quiet wins over --progress, whichever comes first (parse_options) */
static void note_quiet(const lc_cmd *c, const lc_opt *o, const char *arg) { S.quiet = 1; }

static void unit_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "word"))
		S.unit = LC_UNIT_WORD;
	else if (!strcmp(arg, "sentence"))
		S.unit = LC_UNIT_SENT;
	else
		lc_cli_usage_error(c, "--unit: expected word or sentence, got '%s'", arg);
}

static void shard_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_err se;
	if (lc_shard_parse(arg, &S.shard, &se) < 0)
		lc_cli_usage_error(c, "%s", se.msg);
}

static const lc_opt opts[] = {
	LC_OPT_MODEL_FILE(LC_BIND_STR(S.model)),
	LC_OPTS_LLM_CLIENT(llmo),
	LC_OPT_VERBOSE(0, LC_BIND_SET(llmo.verbose, 1)),
	{ 0, "ratio", "R", "keep about 1/R of each passage", NULL, LC_BIND_DOUBLE(S.ratio, 1, 1e6) },
	{ 0, "budget", "TOKENS", "fit the whole compressed corpus (title + text) in TOKENS tokens, or fail", NULL,
	  LC_BIND_LONG(S.budget, 1, 0x7fffffffffffL) },
	{ 0, "best-effort", NULL, "with --budget: when TOKENS cannot be met, write the smallest corpus (warning, exit 0)", NULL,
	  LC_BIND_SET(S.best_effort, 1) },
	LC_OPT_ENCODING(LC_BIND_STR_NOTE(S.encoding, note_tok)),
	LC_OPT_TOKENIZER(0, LC_BIND_STR_NOTE(S.encoding, note_tok)),
	{ 0, "lead", NULL, "baseline: keep the leading 1/R of each passage's words (--ratio R, default 2)", NULL,
	  LC_BIND_SET(S.lead, 1) },
	LC_OPT_SUMMARIES(0, LC_BIND_STR(S.summaries)),
	LC_OPT_THRESHOLD(0, LC_BIND_DOUBLE(S.thr, 0, 1)),
	LC_OPT_LENGTH_BIAS(0, LC_BIND_DOUBLE(S.length_bias, -100, 100)),
	{ 0, "unit", "UNIT", "what is kept or dropped: word (default) or sentence", "word sentence",
	  LC_BIND_CALL(unit_cb, S.unit) },
	LC_OPT_FIELD(LC_BIND_STR(S.field)),
	LC_OPT_TARGET(LC_BIND_STR(S.target)),
	LC_OPT_MEMBER(0, LC_BIND_STR(S.member)),
	{ 0, "keep-punct", NULL, "keep punctuation around kept words (default: stripped)", NULL, LC_BIND_SET(S.bare, 0) },
	LC_OPT_SKIP_BAD_BOTH(0, LC_BIND_SET(S.skip_bad, 1)),
	LC_OPT_QUIET(0, LC_BIND_SET_NOTE(S.pmode, LC_PROGRESS_QUIET, note_quiet)),
	LC_OPT_PROGRESS(0, LC_BIND_SET(S.pmode, LC_PROGRESS_FORCE)),
	LC_OPT_SHARD(0, LC_BIND_CALL(shard_cb, S.shard)),
	LC_OPT_BATCH_OUT(0, LC_BIND_STR(S.batch_out)),
	LC_OPT_BATCH_IN(0, LC_BIND_STR(S.batch_in)),
	LC_OPT_DRY_RUN(0, LC_BIND_SET(S.dry_run, 1)),
	LC_OPT_PRICE_IN(0, LC_BIND_DOUBLE(S.price_in, 0, 1e9)),
	LC_OPT_PRICE_OUT(0, LC_BIND_DOUBLE(S.price_out, 0, 1e9)),
	LC_OPT_OUTPUT(LC_BIND_STR(S.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "merge", NULL };
static const lc_cmd cmd = { "lcompress",
	"[-m MODEL | --endpoint URL --model NAME] [--ratio R | --budget N] [-o OUT] [CORPUS...] | merge -o OUT PART...",
	"compress a corpus's passages (summary_text) for long-context retrieval", opts, subs, NULL, 1 };

/* merge's own table, parsed by lib/cli/part's lc_part_merge_main, which takes -o from its
 * switch (so it stays unbound; lcretrieve and lctok merge are the same) */
static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lcompress merge", "-o OUT PART...",
                                  "join the parts of 'lcompress --shard 1/N..N/N' into the corpus of one process",
                                  merge_opts, NULL };

/* with a tokenizer.json (counts that need not add up over the kept words, so no
 * lc_bhist): halvings of the --budget bisection per read of the corpus
 * (lib/color/budget): 15 thresholds measured per read, 6 reads (a 7th when nothing fits); passages
 * whose kept set stops changing are not measured again.  3 to 5 cost about the
 * same on LOFT; 8 costs half as much again (more renderings per passage). */
#define BUDGET_LEVELS 4

/* what a run holds: the model, the corpus stream and one passage's scratch */
typedef struct run {
	cfg *c;
	lc_cmodel m;
	lc_tok *tok;
	lc_cstream cs;
	json_t *summ, *per;
	char **llm_out;          /* with --endpoint: this task's summaries (NULL: none) */
	lc_output *o;
	lc_cunits u;
	double *p;
	unsigned char *mask;
	size_t cap;
	lc_buf b, s, idb;
	size_t before, after, nosumm, written;
	lc_progress pr;
	lc_bscratch bs;          /* --budget: the measuring passes */
	lc_bhist hist;           /* --budget, additive tokenizer: tokens at every threshold, one read */
	const double *thr;
	double lo, hi;
	size_t nthr, *tot;
	uint32_t *fixed;         /* per passage: its tokens once they no longer change, else UINT32_MAX */
	size_t fixed_tot, fixed_next;
	lc_llm_dry dry;
	const char **texts;      /* --endpoint: this task's passages */
	const char **ids;        /* and their pids (Batch custom_ids) */
	size_t nt;
} run;

/* The options into S; the operands are the corpora. */
static void parse_options(int argc, char **argv)
{
	lc_cli st = {0};
	lc_llm_opts_default(&llmo);
	/* --stats FILE (per-passage JSONL) became the "per_passage" array of --report FILE */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--stats") || !strncmp(argv[i], "--stats=", 8))
			lc_cli_usage_error(&cmd, "--stats is gone: --report FILE writes the sizes as JSON (each passage's in \"per_passage\", lctk-formats(5))");
	int o;
	while ((o = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (o == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&S.rep, &cmd, optarg);
	if (S.quiet)
		S.pmode = LC_PROGRESS_QUIET;
	S.ninputs = argc - st.ind;
	S.inputs = argv + st.ind;
	S.endpoint = llmo.endpoint;
	S.llm = llmo.model;
}

/* the combinations that make no sense: usage errors (exit 2) */
static void check_options(cfg *c)
{
	const char *llm = c->llm;
	if (c->shard.n && c->budget > 0)
		lc_cli_usage_error(&cmd, "--budget fits the whole corpus at once; it cannot be split with --shard (use --ratio or a threshold)");
	if (llm && (access(llm, F_OK) == 0 || (strlen(llm) > 4 && !strcmp(llm + strlen(llm) - 4, ".lcm"))))
		lc_cli_usage_error(&cmd, "--model %s: --model names an LLM; use -m/--model-file for a model file", llm);
	if (c->dry_run && !c->endpoint)
		lc_cli_usage_error(&cmd, "--dry-run counts the summary requests of --endpoint URL --model NAME: give them (nothing is sent)");
	if (c->dry_run && !c->tok_given)
		lc_cli_usage_error(&cmd, "--dry-run counts prompts with the model's tokenizer: give -e NAME or --tokenizer FILE");
	if ((c->price_in > 0 || c->price_out > 0) && !c->dry_run)
		lc_cli_usage_error(&cmd, "--price-in/--price-out go with --dry-run");
	if (c->best_effort && c->budget <= 0)
		lc_cli_usage_error(&cmd, "--best-effort goes with --budget TOKENS");
	if (c->ratio > 0 && c->budget > 0)
		lc_cli_usage_error(&cmd, "--ratio and --budget exclude each other");
	if (c->ratio > 0 && c->thr >= 0)
		lc_cli_usage_error(&cmd, "--ratio and --threshold exclude each other (--ratio R keeps the top ceil(n/R) words whatever their probability)");
	if (c->batch_in && c->batch_out)
		lc_cli_usage_error(&cmd, "--batch-in and --batch-out exclude each other");
	if ((c->batch_in || c->batch_out) && (c->dry_run || c->shard.n))
		lc_cli_usage_error(&cmd, "--batch-in/--batch-out go without --dry-run and --shard (split Batch files with "
		                   "'lcbatch split')");
	if ((c->batch_in || c->batch_out) && !llm)
		lc_cli_usage_error(&cmd, "--batch-in/--batch-out summarise with an LLM: give --model NAME (the model of the "
		                   "Batch requests)");
	if (c->batch_out && c->out)
		lc_cli_usage_error(&cmd, "--batch-out FILE is the output (the requests); drop -o");
	if (c->endpoint || llm) {
		if (c->model || c->lead || c->summaries || c->ratio > 0 || c->budget > 0 || c->thr >= 0)
			lc_cli_usage_error(&cmd, "--endpoint summarises with an LLM: no -m, --lead, --summaries, --ratio, --budget or --threshold");
		if ((!c->endpoint && !c->batch_in && !c->batch_out) || !llm)
			lc_cli_usage_error(&cmd, "--endpoint and --model go together (or --model with --batch-out/--batch-in)");
	}
	if ((c->lead || c->summaries) && (c->model || c->budget > 0 || c->thr >= 0))
		lc_cli_usage_error(&cmd, "--lead and --summaries do not use a model, --budget or --threshold");
	if (c->lead && c->summaries)
		lc_cli_usage_error(&cmd, "--lead and --summaries exclude each other");
	if (!isnan(c->length_bias) && (c->lead || c->summaries || c->llm || c->ratio > 0))
		lc_cli_usage_error(&cmd, "--length-bias shapes the model's threshold or --budget; it has no effect with --ratio, --lead, --summaries or --endpoint");
	if (c->lead && c->ratio == 0)
		c->ratio = 2;
}

/* the model (or none), the summaries of --summaries and the tokenizer; *def: malloc'd default path */
static void load(run *r, char **def)
{
	cfg *c = r->c;
	lc_err e = {0};
	*def = NULL;
	if (c->summaries) {
		if (!(r->summ = lc_summaries_load(c->summaries, &e)))
			lc_die_err(&e);
		lc_cmodel_init(&r->m);
	} else if (c->lead || c->llm) {
		lc_cmodel_init(&r->m);
	} else if (!c->model) {
		*def = lc_data_path("models/default.lcm");
		if (!*def)
			lc_die(LC_EXIT_INPUT, "no default model (share/lctk/models/default.lcm not found; set LCTK_DATA or give -m MODEL)");
		c->model = *def;
	}
	if (c->model && lc_cmodel_load(&r->m, c->model, &e) < 0)
		lc_die_err(&e);
	if (!isnan(c->length_bias))
		r->m.length_bias = c->length_bias;
	if (!(r->tok = lc_tok_load(c->encoding, &e)))
		lc_die_err(&e);
}

/* one passage's units and, room for its probabilities and mask */
static void units(run *r, const lc_crec *x)
{
	lc_cunits_build(&r->u, r->cs.cx, x->title, x->text);
	if (r->u.n > r->cap) {
		r->cap = r->u.n > 2 * r->cap ? r->u.n : 2 * r->cap;
		r->p = lc_xrealloc(r->p, r->cap * sizeof *r->p);
		r->mask = lc_xrealloc(r->mask, r->cap);
	}
}

static size_t title_tokens(const run *r, const lc_crec *x)
{
	return x->title ? lc_tok_count(r->tok, x->title, strlen(x->title)) : 0;
}

/* --budget: one read of the corpus measures its tokens at r->thr[0..nthr); a
 * passage whose kept set no longer changes is measured no more (r->fixed: its
 * tokens; r->fixed_tot: their sum) */
static int measure_rec(void *ctx, const lc_crec *x, lc_err *e)
{
	run *r = ctx;
	lc_cunits_build(&r->u, r->cs.cx, x->title, x->text);
	size_t t = lc_budget_add_passage(&r->m, &r->u, x->text, r->cs.mean_log, r->c->unit, r->c->bare, r->tok,
	                                 title_tokens(r, x), r->lo, r->hi, r->thr, r->nthr, r->tot, &r->bs);
	if (t != SIZE_MAX && t < UINT32_MAX) {
		r->fixed[x->i] = (uint32_t)t;
		r->fixed_next += t;
	}
	return 0;
}

static int unfixed(void *ctx, size_t i) { return ((run *)ctx)->fixed[i] == UINT32_MAX; }

static int measure(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e)
{
	run *r = ctx;
	r->thr = thr;
	r->nthr = n;
	r->tot = tot;
	r->lo = lo;
	r->hi = hi;
	for (size_t j = 0; j < n; j++)
		tot[j] = r->fixed_tot;
	r->fixed_next = r->fixed_tot;
	int rc = lc_cstream_each(&r->cs, measure_rec, unfixed, r, e);
	r->fixed_tot = r->fixed_next;
	return rc;
}

/* --budget, one read: every passage's tokens at every threshold of the bisection's grid */
static int hist_rec(void *ctx, const lc_crec *x, lc_err *e)
{
	run *r = ctx;
	lc_cunits_build(&r->u, r->cs.cx, x->title, x->text);
	lc_bhist_add_passage(&r->hist, &r->m, &r->u, x->text, r->cs.mean_log, r->c->unit, r->c->bare, r->tok, 1,
	                     title_tokens(r, x), &r->bs);
	lc_progress_update(&r->pr, x->i + 1, r->cs.n);
	return 0;
}

static void budget_progress(void *ctx, int done)
{
	lc_progress_update(&((run *)ctx)->pr, (uint64_t)done, LC_BUDGET_STEPS + 1);
}

/* the threshold that fits --budget, or exit 1 before writing anything (unless --best-effort) */
static void fit_budget(run *r)
{
	lc_budget_result br;
	lc_err e = {0};
	if (lc_budget_tok_additive(r->tok)) {
		lc_bhist_init(&r->hist);
		lc_progress_start(&r->pr, "passages measured", r->c->pmode);
		if (lc_cstream_each(&r->cs, hist_rec, NULL, r, &e) < 0)
			lc_die_err(&e);
		lc_progress_done(&r->pr);
		lc_bhist_finish(&r->hist);
		lc_budget_search((size_t)r->c->budget, 1, lc_bhist_eval, &r->hist, NULL, &br, &e);
		lc_bhist_free(&r->hist);
	} else {
		/* other tokenizers: a read of the corpus per BUDGET_LEVELS halvings */
		r->fixed = lc_xmalloc((r->cs.n ? r->cs.n : 1) * sizeof *r->fixed);
		memset(r->fixed, 0xff, (r->cs.n ? r->cs.n : 1) * sizeof *r->fixed);
		lc_progress_start(&r->pr, "budget passes", r->c->pmode);
		if (lc_budget_search((size_t)r->c->budget, BUDGET_LEVELS, measure, r, budget_progress, &br, &e) < 0)
			lc_die_err(&e);
		lc_progress_done(&r->pr);
		free(r->fixed);
	}
	r->c->thr = br.threshold;
	if (!br.fits && !r->c->best_effort)
		lc_die(LC_EXIT_INPUT, "the compressed corpus needs at least %zu tokens (%s, title+text; titles and "
		       "one-sentence passages stay whole), more than --budget %ld: raise --budget, or add --best-effort "
		       "to write the smallest corpus anyway", br.tokens, lc_tok_name(r->tok), r->c->budget);
}

/* --dry-run with --endpoint: the summary request of every non-empty passage of
 * this task (CoLoR's prompt, lib/llm/prompt), counted with the -e/--tokenizer
 * tokenizer; one line per request on the output, the totals and cost on stderr. */
static int dry_rec(void *ctx, const lc_crec *x, lc_err *e)
{
	run *r = ctx;
	if (!lc_shard_has(&r->c->shard, x->i) || !*x->text)
		return 0;   /* an empty passage is never sent (lib/llm/llmsum) */
	lc_buf_reset(&r->s);
	lc_prompt_summarize(&r->s, x->text);
	size_t t = lc_tok_count(r->tok, r->s.p, r->s.len);
	lc_llm_dry_add(&r->dry, t);
	json_t *pid = json_object_get(x->o, "pid");
	lc_buf_reset(&r->b);
	lc_buf_adds(&r->b, "{\"pid\":");
	if (pid)
		lc_json_dump(&r->b, pid);
	else
		lc_buf_printf(&r->b, "%zu", x->i);
	lc_buf_printf(&r->b, ",\"prompt_tokens\":%zu}\n", t);
	lc_output_write(r->o, r->b.p, r->b.len);
	return 0;
}

static void dry_run(run *r)
{
	lc_err e = {0};
	r->dry = (lc_llm_dry){ .max_tokens = llmo.max_tokens, .price_in = r->c->price_in, .price_out = r->c->price_out };
	r->o = lc_output_open(r->c->out);
	if (lc_cstream_each(&r->cs, dry_rec, NULL, r, &e) < 0)
		lc_die_err(&e);
	lc_output_commit(r->o);
	lc_llm_dry_print(&r->dry);
	lc_report_str(&r->c->rep, "options.llm", r->c->llm);
	lc_report_str(&r->c->rep, "options.encoding", lc_tok_name(r->tok));
	lc_report_set(&r->c->rep, "dry_run", lc_llm_dry_report(&r->dry));
	lc_report_write(&r->c->rep);
}

/* --endpoint: the LLM's summaries of this task's passages, which it needs all at once */
static int text_rec(void *ctx, const lc_crec *x, lc_err *e)
{
	run *r = ctx;
	if (lc_shard_has(&r->c->shard, x->i)) {
		lc_err e2 = {0};
		const char *pid = lc_json_id(json_object_get(x->o, "pid"), &r->idb, "pid", "", &e2);
		char num[32];
		if (!pid)
			snprintf(num, sizeof num, "%zu", x->i);
		r->ids[r->nt] = lc_xstrdup(pid ? pid : num);
		r->texts[r->nt++] = lc_xstrdup(x->text);
	}
	return 0;
}

static void summarise(run *r, lc_llmsum *sr)
{
	cfg *c = r->c;
	lc_err e = {0};
	/* the summarising loop is lib/llm/llmsum's, shared with lcgen candidates */
	lc_llmsum_opts lo;
	lc_llmsum_opts_default(&lo);
	lo.llm = llmo;
	lo.batch_out = c->batch_out;
	lo.batch_in = c->batch_in;
	if (c->quiet)
		lo.progress = LC_PROGRESS_QUIET;
	r->texts = lc_xmalloc((r->cs.n ? r->cs.n : 1) * sizeof *r->texts);
	r->ids = lc_xmalloc((r->cs.n ? r->cs.n : 1) * sizeof *r->ids);
	/* the pids are the Batch custom_ids, as lcgen probes --summarise and candidates write them */
	if (lc_cstream_each(&r->cs, text_rec, NULL, r, &e) < 0 ||
	    lc_llmsum_run(&lo, r->texts, c->batch_in || c->batch_out ? r->ids : NULL, r->nt, sr, &e) < 0)
		lc_die_err(&e);
	for (size_t i = 0; i < r->nt; i++) {
		free((char *)r->texts[i]);
		free((char *)r->ids[i]);
	}
	free(r->texts);
	free(r->ids);
	if (c->batch_out) {
		if (!c->quiet)
			lc_warn("%s: %zu Batch requests written", c->batch_out, sr->requests);
		return;
	}
	if (sr->failed && !c->skip_bad)
		lc_die(LC_EXIT_INPUT, "%zu of %zu summaries failed (first: passage %zu: %s); --skip-bad keeps the passages of failed ones",
		       sr->failed, r->nt, sr->first_failed + 1, sr->error[sr->first_failed]);
	if (sr->failed)
		lc_warn("warning: %zu summaries failed, their passages are used (first: passage %zu: %s)", sr->failed,
		        sr->first_failed + 1, sr->error[sr->first_failed]);
	if (sr->empty && !c->quiet)
		lc_warn("warning: %zu LLM answer%s empty or only white space: %s passage%s used", sr->empty,
		        sr->empty == 1 ? " was" : "s were", sr->empty == 1 ? "its" : "their", sr->empty == 1 ? " is" : "s are");
	if (!c->quiet && !c->batch_in)
		lc_warn("LLM %s: %zu requests, %zu from the cache, %zu retries", c->llm, sr->stats.requests, sr->stats.cached,
		        sr->stats.retries);
	r->llm_out = sr->summary;   /* NULL for empty or failed passages */
}

static int in_shard(void *ctx, size_t i) { return lc_shard_has(&((run *)ctx)->c->shard, i); }

/* one passage compressed and written, its sizes counted */
static int compress_rec(void *ctx, const lc_crec *x, lc_err *e)
{
	run *r = ctx;
	cfg *c = r->c;
	size_t kept, i = x->i;
	int whole;   /* the passage counts as it is (all of it kept, or no summary for it) */
	size_t li = r->written++;   /* this task's passage number (llm_out's index) */
	units(r, x);
	lc_cunits *u = &r->u;
	size_t ttoks = title_tokens(r, x), toks = lc_tok_count(r->tok, x->text, strlen(x->text));
	r->before += ttoks + toks;
	lc_buf_reset(&r->s);
	if (r->llm_out) {
		const char *t = r->llm_out[li] ? r->llm_out[li] : "";
		lc_buf_adds(&r->s, t);
		kept = *t ? 0 : u->n;
		whole = !*t;
	} else if (r->summ) {
		lc_err e2 = {0};
		const char *pid = lc_json_id(json_object_get(x->o, "pid"), &r->idb, "pid", "", &e2);
		json_t *v = pid ? json_object_get(r->summ, pid) : NULL;
		if (!v)
			r->nosumm++;
		const char *t = v ? json_string_value(v) : "";
		lc_buf_adds(&r->s, t);
		kept = *t ? 0 : u->n;  /* empty summary: the passage is used */
		whole = !*t;           /* (an empty passage's summary is counted: it is what is indexed) */
	} else if (c->lead) {
		size_t want = u->nsent <= 1 ? u->n : (size_t)ceil((double)u->n / c->ratio);
		for (size_t k = 0; k < u->n; k++)
			r->mask[k] = k < want;
		kept = want;
		whole = kept >= u->n;
	} else {
		kept = lc_compress_select(&r->m, u, c->ratio, lc_cmodel_passage_threshold(&r->m, c->thr, u->n, r->cs.mean_log),
		                          c->unit, r->p, r->mask);
		whole = kept >= u->n;
	}
	if (!r->llm_out && !r->summ) {
		if (whole)   /* all of it kept: the passage as it is, its spacing too (what toks counts) */
			lc_buf_adds(&r->s, x->text);
		else
			lc_compress_render(u, x->text, r->mask, c->bare && !c->lead, &r->s);
	}
	size_t ct = ttoks + (whole ? toks : lc_tok_count(r->tok, r->s.p, r->s.len));
	r->after += ct;
	if (r->per) {
		json_t *pj = json_object_get(x->o, "pid"), *pp = json_object();
		json_object_set_new(pp, "pid", pj ? json_deep_copy(pj) : json_integer((json_int_t)i));
		json_object_set_new(pp, "tokens", json_integer((json_int_t)(ttoks + toks)));
		json_object_set_new(pp, "compressed_tokens", json_integer((json_int_t)ct));
		json_object_set_new(pp, "ratio", json_real(ct ? (double)(ttoks + toks) / (double)ct : 0.0));
		json_array_append_new(r->per, pp);
	}
	json_object_set_new(x->o, c->target, json_stringn(r->s.p, r->s.len));
	lc_buf_reset(&r->b);
	lc_json_dump(&r->b, x->o);
	lc_buf_addc(&r->b, '\n');
	lc_output_write(r->o, r->b.p, r->b.len);
	lc_progress_update(&r->pr, i + 1, r->cs.n);
	return 0;
}

/* the corpus written, then the warnings and the totals on stderr */
static void write_corpus(run *r, int argc, char **argv)
{
	cfg *c = r->c;
	lc_err e = {0};
	r->o = lc_output_open(c->out);
	r->per = lc_report_on(&c->rep) ? json_array() : NULL;   /* set last, in report() */
	if (c->shard.n)
		lc_part_header(r->o, "lcompress", &c->shard, lc_part_run_key(argc, argv), "lines");
	lc_progress_start(&r->pr, "passages compressed", c->pmode);
	if (lc_cstream_each(&r->cs, compress_rec, in_shard, r, &e) < 0)
		lc_die_err(&e);
	lc_progress_done(&r->pr);
	lc_output_commit(r->o);
	if (r->nosumm)
		lc_warn("warning: %zu passage%s without a summary in %s (the passage is used)", r->nosumm, r->nosumm == 1 ? "" : "s", c->summaries);
	if (r->cs.bad)
		lc_warn("skipped %zu bad record%s", r->cs.bad, r->cs.bad == 1 ? "" : "s");
	if (c->budget > 0 && r->after > (size_t)c->budget)
		lc_warn("warning: --best-effort: the compressed corpus needs %zu tokens, more than --budget %ld (titles and one-sentence passages stay whole)", r->after, c->budget);
	if (!c->quiet)
		lc_warn("%zu passages, tokens (%s, title+text) %zu -> %zu, ratio %.3fx", r->written, lc_tok_name(r->tok), r->before, r->after,
		        r->after ? (double)r->before / (double)r->after : 0.0);
}

static void report(run *r, const lc_llmsum *sr)
{
	cfg *c = r->c;
	lc_report *rep = &c->rep;
	if (lc_report_on(rep)) {
		lc_report_str(rep, "options.method", c->llm ? "llm" : c->summaries ? "summaries" : c->lead ? "lead" : "model");
		lc_report_str(rep, "options.model", c->model);
		lc_report_str(rep, "options.llm", c->llm);
		lc_report_str(rep, "options.summaries", c->summaries);
		if (c->ratio > 0)
			lc_report_real(rep, "options.ratio", c->ratio);
		if (c->budget > 0)
			lc_report_int(rep, "options.budget", c->budget);
		if (!c->lead && !c->summaries && !c->llm && c->ratio <= 0) {
			lc_report_real(rep, "options.threshold", c->thr);
			lc_report_real(rep, "options.length_bias", r->m.length_bias);   /* the model's, or --length-bias */
		}
		lc_report_str(rep, "options.unit", c->unit == LC_UNIT_SENT ? "sentence" : "word");
		lc_report_bool(rep, "options.keep_punct", !c->bare);
		lc_report_str(rep, "options.encoding", lc_tok_name(r->tok));
		lc_report_str(rep, "options.field", c->field);
		lc_report_str(rep, "options.target", c->target);
		lc_report_int(rep, "passages", (long long)r->cs.n);
		lc_report_int(rep, "skipped", (long long)r->cs.bad);
		lc_report_int(rep, "tokens", (long long)r->before);
		lc_report_int(rep, "compressed_tokens", (long long)r->after);
		lc_report_real(rep, "ratio", r->after ? (double)r->before / (double)r->after : 0.0);
		if (c->summaries)
			lc_report_int(rep, "without_summary", (long long)r->nosumm);
		if (c->batch_in)
			lc_report_str(rep, "options.batch_in", c->batch_in);
		if (c->llm) {
			lc_report_int(rep, "llm.requests", (long long)(c->batch_in ? sr->requests : sr->stats.requests));
			lc_report_int(rep, "llm.cached", (long long)sr->stats.cached);
			lc_report_int(rep, "llm.retries", (long long)sr->stats.retries);
			lc_report_int(rep, "llm.failed", (long long)sr->failed);
			lc_report_int(rep, "llm.empty", (long long)sr->empty);
		}
		/* the per-passage array goes last: the totals stay at the top of the file */
		lc_report_set(rep, "per_passage", r->per);
	}
	lc_report_write(rep);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return lc_part_merge_main(&merge_cmd, "lcompress", argc - 1, argv + 1);
	parse_options(argc, argv);
	cfg *c = &S;
	check_options(c);
	lc_report_start(&c->rep, &cmd, !c->out || !strcmp(c->out, "-"), c->ninputs, c->inputs);
	run r = { .c = c };
	char *def;
	load(&r, &def);
	/* the first read: corpus statistics, word counts, every record checked */
	r.cs = (lc_cstream){ .paths = c->inputs, .npaths = c->ninputs, .member = c->member,
	                     .member_option = LC_OPT_MEMBER_NAME, .field = c->field, .default_field = lc_text_field,
	                     .skip_bad = c->skip_bad, .progress = c->pmode };
	lc_err e = {0};
	/* the corpus is read more than once: a named pipe (a shell's <(cmd)) is kept
	 * in a temporary file first (standard input: lib/color/cstream's own copy) */
	for (int i = 0; i < c->ninputs; i++)
		if (strcmp(c->inputs[i], "-") && lc_input_spool(c->inputs[i], &e) < 0)
			lc_die_err(&e);
	if (lc_cstream_scan(&r.cs, &e) < 0)
		lc_die_err(&e);
	if (c->thr < 0 && !c->budget)
		c->thr = r.m.threshold;
	lc_llmsum sr = {0};
	if (c->endpoint && c->dry_run) {
		dry_run(&r);
	} else {
		if (c->budget > 0)
			fit_budget(&r);
		if (c->llm)
			summarise(&r, &sr);
		if (c->batch_out) {   /* the requests are the output */
			lc_report_str(&c->rep, "options.llm", c->llm);
			lc_report_str(&c->rep, "options.batch_out", c->batch_out);
			lc_report_int(&c->rep, "requests", (long long)sr.requests);
			lc_report_write(&c->rep);
		} else {
			write_corpus(&r, argc, argv);
			report(&r, &sr);
		}
	}
	lc_cstream_free(&r.cs);
	lc_cunits_free(&r.u);
	lc_bscratch_free(&r.bs);
	free(r.p);
	free(r.mask);
	free(def);
	lc_buf_free(&r.b);
	lc_buf_free(&r.s);
	lc_buf_free(&r.idb);
	lc_cmodel_free(&r.m);
	lc_tok_free(r.tok);
	if (r.summ)
		json_decref(r.summ);
	lc_llmsum_free(&sr);
	return 0;
}
