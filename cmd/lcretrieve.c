/* lcretrieve — BM25 retrieval from an index file or a corpus, writing an lctk run
 * (JSONL) or a TREC run; with --llm, corpus-in-context retrieval by an LLM.
 * Thin: reading is lib/retrieve/queries + lib/retrieve/corpus, scoring lib/retrieve/bm25, the LLM mode
 * lib/retrieve/llmretrieve (prompts lib/llm/prompt, HTTP lib/llm/llm, tokens lib/tok/tok).
 * --shard K/N (BM25 or --llm) writes a part of the queries; `merge` (lib/cli/part) joins them.
 * main's steps: parse_args, check_options, start_report, load_queries, then run_llm,
 * or open_bm25, write_run and report_bm25. */
#include "bm25.h"
#include "cli.h"
#include "options.h"
#include "corpus.h"
#include "err.h"
#include "hash.h"
#include "json.h"
#include "llmretrieve.h"
#include "trecid.h"
#include "output.h"
#include "part.h"
#include "prompt.h"
#include "progress.h"
#include "queries.h"
#include "report.h"
#include "ring.h"
#include "strmap.h"
#include "tok.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the shipped prompts (share/lctk/prompts/loft/NAME.txt): LOFT's retrieval datasets, and
 * default, the generic prompt, used only when asked for */
#define TEMPLATES "arguana fever fiqa hotpotqa msmarco musique nq qampari quest quora scifact topiocqa webis_touche2020 default"

/* The settings: the options, each bound to its variable in the table (lib/cli/cli.h);
 * only --report reaches the switch (rep).  lo is set to lc_llmr_opts_default before
 * parsing.  llm_opt: the --llm-only option given last (an error without --llm);
 * an_opt: an analyser option was given (set by parse_args). */
static struct {
	const char *index, *corpus, *out, *tag, *tokenizer, *template;
	long k, jobs, seed;
	int trec, prog, quiet, llm, k_set, an_opt;
	lc_bm25_opts bo;
	lc_corpus_opts co;
	lc_llmr_opts lo;
	lc_shard shard;
	const lc_opt *llm_opt;
	lc_report rep;
} O = { .k = 100, .jobs = 1, .prog = LC_PROGRESS_AUTO, .co.fields_option = "--id FIELD -f FIELD",
        .bo = { .an_set = 1, .an = { LC_ANALYZE_DEFAULT_FLAGS, NULL } } };

static void note_llm(const lc_cmd *c, const lc_opt *o, const char *arg) { O.llm_opt = o; }
static void note_k(const lc_cmd *c, const lc_opt *o, const char *arg) { O.k_set = 1; }
static void note_b(const lc_cmd *c, const lc_opt *o, const char *arg) { O.bo.b_set = 1; }
static void note_quiet(const lc_cmd *c, const lc_opt *o, const char *arg) { O.quiet = 1; }

/* the LLM client's options (lib/llm/llm), noted as --llm-only */
static void llm_client_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_opt_llm_cb(c, o, arg);
	note_llm(c, o, arg);
}

/* --template NAME: one of TEMPLATES */
static void template_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	static const char names[] = TEMPLATES;
	size_t n = strlen(arg);
	const char *at = strstr(names, arg);
	if (!n || !at || (at > names && at[-1] != ' ') || (at[n] && at[n] != ' '))
		lc_cli_usage_error(c, "--template '%s': not a LOFT dataset lctk has a prompt for (one of: %s; "
		                   "or --prompt FILE for your own template)", arg, TEMPLATES);
	O.template = arg;
	note_llm(c, o, arg);
}

static void shard_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_err se;
	if (lc_shard_parse(arg, &O.shard, &se) < 0)
		lc_cli_usage_error(c, "%s", se.msg);
}

static const lc_opt opts[] = {
	{ 'i', "index", "INDEX", "search this index file (built by lcindex; - = standard input)", LC_COMPLETE_FILE,
	  LC_BIND_STR(O.index) },
	LC_OPT_CORPUS(LC_BIND_STR(O.corpus)),
	{ 'k', "k", "K", "return the top K passages per query (default 100)", NULL, LC_BIND_LONG_NOTE(O.k, 1, 1000000, note_k) },
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_JOBS(O.jobs),
	{ 0, "trec", NULL, "write a TREC run (qid Q0 docno rank score tag) instead of JSONL", NULL, LC_BIND_SET(O.trec, 1) },
	LC_OPT_TAG(0, O.tag),
	LC_OPT_K1(O.bo.k1),
	LC_OPT_B(O.bo.b, note_b),
	LC_OPT_ID(0, LC_BIND_STR(O.co.id_field)),
	LC_OPT_FIELD(LC_BIND_STR(O.co.text_fields)),
	LC_OPTS_ANALYSER(O.bo.an),
	LC_OPT_PROGRESS(0, LC_BIND_SET(O.prog, LC_PROGRESS_FORCE)),
	LC_OPT_QUIET(0, LC_BIND_SET_NOTE(O.prog, LC_PROGRESS_QUIET, note_quiet)),
	LC_OPT_LLM(0, LC_BIND_SET(O.llm, 1)),
	LC_OPTS_LLM_CLIENT_CB(O.lo.llm, llm_client_cb),
	{ 0, "template", "NAME", "--llm: the LOFT dataset's prompt: " TEMPLATES " (default: named by the corpus path)", TEMPLATES,
	  LC_BIND_CALL(template_cb, O.template) },
	LC_OPT_PROMPT(0, TEMPLATES, LC_BIND_STR_NOTE(O.lo.prompt, note_llm)),
	LC_OPT_FEW_SHOT(0, LC_BIND_STR_NOTE(O.lo.few_shot, note_llm)),
	LC_OPT_FEW_SHOT_CORPUS(0, LC_BIND_STR_NOTE(O.lo.few_shot_corpus, note_llm)),
	LC_OPT_SHOTS(0, LC_BIND_SIZE_NOTE(O.lo.shots, 0, 1000, note_llm)),
	LC_OPT_CONTEXT_LIMIT(0, LC_BIND_SIZE_NOTE(O.lo.context_limit, 1, 1L << 40, note_llm)),
	LC_OPT_DRY_RUN(0, LC_BIND_SET_NOTE(O.lo.dry_run, 1, note_llm)),
	LC_OPT_PRICE_IN(0, LC_BIND_DOUBLE_NOTE(O.lo.price_in, 0, 1e9, note_llm)),
	LC_OPT_PRICE_OUT(0, LC_BIND_DOUBLE_NOTE(O.lo.price_out, 0, 1e9, note_llm)),
	/* -e and --tokenizer: a name or a tokenizer.json (lc_tok spec) */
	LC_OPT_ENCODING(LC_BIND_STR_NOTE(O.tokenizer, note_llm)),
	LC_OPT_TOKENIZER(0, LC_BIND_STR_NOTE(O.tokenizer, note_llm)),
	{ 0, "fit", NULL, "--llm: drop the passages BM25 ranks lowest until the prompt fits", NULL,
	  LC_BIND_SET_NOTE(O.lo.fit, 1, note_llm) },
	{ 0, "prefilter", "K", "--llm: only BM25's top K passages (kept in corpus order)", NULL,
	  LC_BIND_SIZE_NOTE(O.lo.prefilter, 1, 1L << 40, note_llm) },
	LC_OPT_BATCH_OUT(0, LC_BIND_STR_NOTE(O.lo.batch_out, note_llm)),
	LC_OPT_BATCH_IN(0, LC_BIND_STR_NOTE(O.lo.batch_in, note_llm)),
	{ 0, "responses", "FILE", "--llm: also write the raw answers as JSONL", LC_COMPLETE_FILE,
	  LC_BIND_STR_NOTE(O.lo.responses, note_llm) },
	{ 0, "loft", NULL, "--llm: write LOFT predictions instead of a run", NULL,
	  LC_BIND_SET_NOTE(O.lo.format, LC_LLMR_LOFT, note_llm) },
	LC_OPT_SKIP_BAD_REQUESTS(0, LC_BIND_SET_NOTE(O.lo.skip_bad, 1, note_llm)),
	LC_OPT_VERBOSE(0, LC_BIND_SET_NOTE(O.lo.verbose, 1, note_llm)),
	LC_OPT_SEED_NOTE(O.seed, note_llm),
	LC_OPT_SHARD(0, LC_BIND_CALL(shard_cb, O.shard)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const renamed[] = { "--text", "-f/--field", NULL };
static const char *const subs[] = { "merge", NULL };
static const lc_cmd cmd = { "lcretrieve", "(-i INDEX | -c CORPUS | --llm -c CORPUS) [options] [QUERIES...] | merge -o OUT PART...",
                            "BM25 or LLM retrieval: queries (LOFT, BEIR or TSV) in, a ranked run out", opts, subs, renamed, 1 };

static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lcretrieve merge", "-o OUT PART...",
                                  "join the runs of 'lcretrieve --shard 1/N..N/N' into the run of one process",
                                  merge_opts, NULL };

/* Warns once with counts when gold pids of the queries are not in the index. */
static void check_gold(const lc_bm25 *bm, const lc_queries *qs)
{
	lc_strmap pids = {0};
	const lc_index *ix = lc_bm25_index(bm);
	for (uint64_t d = 0; d < ix->n_docs; d++) {
		size_t len;
		const char *s = lc_index_pid(ix, d, &len);
		lc_strmap_intern(&pids, s, len, NULL);
	}
	size_t missing = 0, nq = 0, total = 0;
	const char *example = NULL;
	for (size_t i = 0; i < qs->n; i++) {
		int miss = 0;
		for (size_t a = 0; a < qs->q[i].nans; a++) {
			total++;
			const char *p = qs->q[i].ans[a].pid;
			if (lc_strmap_find(&pids, p, strlen(p)) < 0) {
				missing++;
				miss = 1;
				if (!example)
					example = p;
			}
		}
		nq += miss;
	}
	if (missing)
		lc_warn("warning: %zu of %zu gold pids (in %zu of %zu queries; e.g. '%s') are not in the corpus; those queries cannot score fully",
		        missing, total, nq, qs->n, example);
	lc_strmap_free(&pids);
}

/* -i -: the index is memory-mapped, so standard input is copied to an unlinked
 * temporary file first (in $TMPDIR, else /tmp); messages name "-", not that file. */
static lc_bm25 *open_index_stdin(const lc_bm25_opts *bo)
{
	const char *dir = getenv("TMPDIR");
	lc_buf path = {0};
	lc_buf_printf(&path, "%s/lcretrieve-index.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path.p);
	if (fd < 0)
		lc_die(LC_EXIT_INPUT, "-: cannot make a temporary copy of the index read from standard input in %s: %s "
		       "(set TMPDIR, or give the index file's path)", dir && *dir ? dir : "/tmp", strerror(errno));
	char chunk[1 << 16];
	ssize_t n;
	for (;;) {
		n = read(0, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, chunk + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				int err = errno;
				unlink(path.p);
				lc_die(LC_EXIT_INPUT, "-: cannot copy the index from standard input to %s: %s (set TMPDIR to a "
				       "roomier directory, or give the index file's path)", path.p, strerror(err));
			}
			off += w;
		}
	}
	if (n < 0) {
		int err = errno;
		unlink(path.p);
		lc_die(LC_EXIT_INPUT, "-: cannot read the index from standard input: %s", strerror(err));
	}
	lc_err e;
	lc_bm25 *bm = lc_bm25_open(path.p, bo, &e);
	unlink(path.p);   /* the mapping stays valid */
	close(fd);
	if (!bm) {
		/* name the input as the user gave it */
		lc_buf m = {0};
		const char *at = strstr(e.msg, path.p);
		if (at) {
			lc_buf_add(&m, e.msg, (size_t)(at - e.msg));
			lc_buf_adds(&m, "- (standard input)");
			lc_buf_adds(&m, at + path.len);
		} else
			lc_buf_printf(&m, "- (standard input): %s", e.msg);
		snprintf(e.msg, sizeof e.msg, "%s", m.p);
		lc_buf_free(&m);
		lc_buf_free(&path);
		lc_die_err(&e);
	}
	lc_buf_free(&path);
	return bm;
}

/* -i with --no-stem/--no-stopwords/--stopwords: the analyser is the index's own, so
 * the options must describe it exactly; anything else is a usage error. */
static void check_analyser(const lc_bm25 *bm, const lc_bm25_opts *bo, const char *index)
{
	lc_err e;
	lc_analyzer *a = lc_analyzer_new(&bo->an, &e);
	if (!a)
		lc_die_err(&e);
	unsigned flags;
	const char *stop;
	size_t stop_len;
	lc_analyzer_config(a, &flags, &stop, &stop_len);
	const lc_index *ix = lc_bm25_index(bm);
	unsigned ixf = ix->flags & (unsigned)(LC_AN_STEM | LC_AN_STOP);
	flags &= (unsigned)(LC_AN_STEM | LC_AN_STOP);
	const char *why = NULL;
	if ((flags & LC_AN_STEM) != (ixf & LC_AN_STEM))
		why = ixf & LC_AN_STEM ? "the index was built with stemming (drop --no-stem)"
		                       : "the index was built without stemming (add --no-stem)";
	else if ((flags & LC_AN_STOP) != (ixf & LC_AN_STOP))
		why = ixf & LC_AN_STOP ? "the index was built with stopwords removed (drop --no-stopwords)"
		                       : "the index was built keeping stopwords (add --no-stopwords, drop --stopwords)";
	else if ((flags & LC_AN_STOP) && (stop_len != ix->stop_len || memcmp(stop, ix->stop, stop_len)))
		why = "the index was built with another stopword list (give the list it was built with, or none)";
	lc_analyzer_free(a);
	if (why) {
		char desc[128];
		lc_analyzer *ia = lc_analyzer_from_config(ixf, ix->stop, ix->stop_len, &e);
		if (!ia)
			lc_die_err(&e);
		lc_analyzer_describe(ia, desc, sizeof desc);
		lc_analyzer_free(ia);
		lc_cli_usage_error(&cmd, "-i %s: the analyser is a property of the index (%s): %s; "
		                   "queries are always analysed like the index", index, desc, why);
	}
}

/* mixed into the run key of --responses parts */
#define RESPONSES_KEY 0x726573706f6e7365ull   /* "response" */

/* Parses the command line into O; returns the index of the first operand.  The
 * LLM client takes --seed and --verbose; --tag defaults by mode. */
static int parse_args(int argc, char **argv)
{
	lc_cli st = {0};
	lc_llmr_opts_default(&O.lo);
	O.seed = (long)O.lo.llm.seed;
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&O.rep, &cmd, optarg);
	O.lo.llm.seed = (unsigned long)O.seed;
	if (O.lo.verbose)
		O.lo.llm.verbose = 1;
	/* an analyser option was given: --stopwords always sets the file, the others clear a flag */
	O.an_opt = O.bo.an.flags != LC_ANALYZE_DEFAULT_FLAGS || O.bo.an.stopword_file;
	if (!O.tag)
		O.tag = O.llm ? "lctk-llm" : "lctk-bm25";
	return st.ind;
}

/* --llm: the options that go together or exclude each other (usage errors). */
static void check_llm_options(void)
{
	const lc_llmr_opts *lo = &O.lo;
	if (O.index || !O.corpus)
		lc_cli_usage_error(&cmd, "--llm reads the passages themselves: give -c CORPUS, not -i INDEX");
	if (lo->batch_in && lo->batch_out)
		lc_cli_usage_error(&cmd, "--batch-in and --batch-out exclude each other");
	if (lo->dry_run && !O.tokenizer)
		lc_cli_usage_error(&cmd, "--dry-run counts prompts with the model's tokenizer: give -e NAME or --tokenizer FILE");
	if (lo->dry_run && (lo->batch_in || lo->batch_out))
		lc_cli_usage_error(&cmd, "--dry-run sends and writes no requests: drop --batch-in/--batch-out");
	if ((lo->price_in > 0 || lo->price_out > 0) && !lo->dry_run)
		lc_cli_usage_error(&cmd, "--price-in/--price-out go with --dry-run");
	if (!lo->llm.model && !lo->batch_in && !lo->dry_run)
		lc_cli_usage_error(&cmd, "--llm needs --model NAME");
	if (!lo->llm.endpoint && !lo->batch_in && !lo->batch_out && !lo->dry_run)
		lc_cli_usage_error(&cmd, "--llm needs --endpoint URL (or --batch-out FILE / --batch-in FILE)");
	if (lo->context_limit && !O.tokenizer)
		lc_cli_usage_error(&cmd, "--context-limit needs the model's tokenizer: give -e NAME or --tokenizer FILE");
	if (lo->fit && !lo->context_limit)
		lc_cli_usage_error(&cmd, "--fit needs --context-limit TOKENS");
	if (O.trec && lo->format == LC_LLMR_LOFT)
		lc_cli_usage_error(&cmd, "--trec and --loft exclude each other");
	if (O.template && lo->prompt)
		lc_cli_usage_error(&cmd, "--template and --prompt exclude each other");
}

/* The options that go together or exclude each other, and the operands (usage errors). */
static void check_options(int ind, int argc, char **argv)
{
	const lc_llmr_opts *lo = &O.lo;
	int index_stdin = O.index && !strcmp(O.index, "-");
	if (O.llm_opt && !O.llm)
		lc_cli_usage_error(&cmd, "--%s works with --llm only", O.llm_opt->name);
	if (O.llm)
		check_llm_options();
	if (!O.index == !O.corpus)
		lc_cli_usage_error(&cmd, "give exactly one of -i INDEX or -c CORPUS");
	if (O.shard.n && O.llm && (lo->batch_out || lo->batch_in || lo->dry_run))
		lc_cli_usage_error(&cmd, "--shard splits the queries of LLM calls: --batch-out, --batch-in and --dry-run "
		                   "run in one process (lcbatch split cuts a Batch file)");
	if (O.shard.n && O.llm && lo->skip_bad)
		lc_cli_usage_error(&cmd, "--shard parts hold one line per query for 'lcretrieve merge': drop --skip-bad "
		                   "(a failed shard is re-run; its answers are cached)");
	if (O.shard.n && lo->format == LC_LLMR_LOFT)
		lc_cli_usage_error(&cmd, "--shard writes JSONL parts for 'lcretrieve merge'; convert the merged run with lcconv --to loft");
	if (O.shard.n && O.trec)
		lc_cli_usage_error(&cmd, "--shard writes JSONL parts for 'lcretrieve merge'; convert the merged run with lcconv --to trec");
	if (index_stdin && ind >= argc)
		lc_cli_usage_error(&cmd, "-i - reads the index from standard input: give the queries as a file operand");
	for (int i = ind; i < argc; i++)
		if (index_stdin && !strcmp(argv[i], "-"))
			lc_cli_usage_error(&cmd, "-i - and the queries operand - cannot both read standard input");
	if (O.co.text_fields && !O.co.id_field)
		lc_cli_usage_error(&cmd, "-f/--field names the text fields of a custom schema: give --id FIELD too");
}

/* --report: opens the report with the options it records; the LLM mode writes to it too. */
static void start_report(int ind, int argc, char **argv)
{
	lc_report *rep = &O.rep;
	/* with --batch-out the Batch file is the output and stdout stays free */
	lc_report_start(rep, &cmd, (!O.out || !strcmp(O.out, "-")) && !O.lo.batch_out, argc - ind, argv + ind);
	if (lc_report_on(rep)) {
		lc_report_str(rep, "options.mode", O.llm ? "llm" : "bm25");
		lc_report_str(rep, O.llm || O.corpus ? "options.corpus" : "options.index", O.llm || O.corpus ? O.corpus : O.index);
		lc_report_int(rep, "options.k", O.k_set || !O.llm ? O.k : 0);
		if (O.llm) {
			lc_report_str(rep, "options.model", O.lo.llm.model);
			lc_report_bool(rep, "options.dry_run", O.lo.dry_run);
		}
	}
	O.lo.report = rep->o;
}

/* Reads the queries (standard input without operands), keeps this --shard's part
 * (i % N == K-1, in input order) and, for a BM25 --trec run, checks the qids.
 * Queries come first: bad queries fail before the (possibly slow) index build. */
static void load_queries(lc_queries *qs, int ind, int argc, char **argv)
{
	lc_err e;
	if (ind >= argc && lc_queries_load(qs, "-", NULL, &e) < 0)
		lc_die_err(&e);
	for (int i = ind; i < argc; i++)
		if (lc_queries_load(qs, argv[i], NULL, &e) < 0)
			lc_die_err(&e);
	if (O.shard.n) {
		size_t j = 0;
		for (size_t i = 0; i < qs->n; i++)
			if (lc_shard_has(&O.shard, i))
				qs->q[j++] = qs->q[i];
		qs->n = j;
	}
	if (O.trec && !O.llm)   /* the LLM mode checks its ids itself, with the corpus's */
		for (size_t i = 0; i < qs->n; i++)
			if (lc_trec_id_check(qs->q[i].qid, "qid", "TREC", &e) < 0)
				lc_die_err(&e);
}

/* --llm: the prompt template, named or the LOFT dataset the corpus path names;
 * never a silent fallback.  Sets O.lo.prompt; *guessed owns a guessed name. */
static void choose_template(lc_queries *qs, char **guessed)
{
	const char *how = "--prompt";
	*guessed = NULL;
	if (O.template) {
		O.lo.prompt = O.template;
		how = "--template";
	} else if (!O.lo.prompt) {
		*guessed = lc_prompt_guess(O.corpus);
		if (!strcmp(*guessed, "default")) {
			free(*guessed);
			lc_queries_free(qs);
			lc_cli_usage_error(&cmd, "cannot tell which LOFT dataset %s holds (no file or directory name in its "
			                   "path is one): give --template NAME (%s)", O.corpus, TEMPLATES);
		}
		O.lo.prompt = *guessed;
		how = "named by the corpus path; --template NAME to choose another";
	}
	if (!O.quiet)
		lc_warn("prompt template: %s (%s)", O.lo.prompt, how);
	if (lc_report_on(&O.rep))
		lc_report_str(&O.rep, "options.template", O.lo.prompt);
}

static size_t count_tokens(void *ud, const char *s, size_t n) { return lc_tok_count(ud, s, n); }

/* --llm: the whole mode lives in lib/retrieve/llmretrieve.  With --shard the run
 * (and --responses) start with a part header; the responses' run key differs from
 * the run's so the two kinds of part cannot be merged into one file.  Frees qs. */
static void run_llm(lc_queries *qs, uint64_t run_key)
{
	lc_llmr_opts *lo = &O.lo;
	lc_err e;
	char *guessed;
	choose_template(qs, &guessed);
	lo->progress = O.prog;
	lo->quiet = O.quiet;
	lc_corpus cp = {0};
	if (lc_corpus_load(&cp, O.corpus, &O.co, &e) < 0 || lc_corpus_check_nonempty(&cp, O.corpus, &e) < 0)
		lc_die_err(&e);
	lc_tok *tok = NULL;
	if (O.tokenizer && !(tok = lc_tok_load(O.tokenizer, &e)))
		lc_die_err(&e);
	lo->corpus_path = O.corpus;
	lo->bm25 = O.bo;
	lo->count = tok ? count_tokens : NULL;
	lo->count_ud = tok;
	lo->k = O.k_set ? (size_t)O.k : 0;
	lo->tag = O.tag;
	if (O.trec)
		lo->format = LC_LLMR_TREC;
	/* with --batch-out the Batch file is the output; the run output stays closed */
	lc_output *o = lo->batch_out ? NULL : lc_output_open(O.out);
	char *head = NULL;
	if (O.shard.n) {
		lc_part_header(o, "lcretrieve", &O.shard, run_key, "lines");
		lo->responses_head = head = lc_part_header_line("lcretrieve", &O.shard, lc_mix64(run_key ^ RESPONSES_KEY), "lines");
		lo->responses_tail = LC_PART_END;
	}
	if (lc_llmr_run(lo, &cp, qs, o, &e) < 0) {
		if (o)
			lc_output_abort(o);
		lc_die_err(&e);
	}
	if (o)
		lc_output_commit(o);
	if (tok)
		lc_tok_free(tok);
	free(head);
	lc_corpus_free(&cp);
	lc_queries_free(qs);
	lc_report_write(&O.rep);
	free(guessed);
}

/* BM25: the index built from -c, or opened from -i (standard input too); with -i
 * the analyser options must match the index's.  Warns about gold pids missing. */
static lc_bm25 *open_bm25(const lc_queries *qs)
{
	lc_err e;
	lc_bm25 *bm;
	if (O.corpus) {
		lc_corpus cp = {0};
		if (lc_corpus_load(&cp, O.corpus, &O.co, &e) < 0 || lc_corpus_check_nonempty(&cp, O.corpus, &e) < 0)
			lc_die_err(&e);
		bm = lc_bm25_build(&cp, &O.bo, &e);
		lc_corpus_free(&cp);
	} else if (!strcmp(O.index, "-"))
		bm = open_index_stdin(&O.bo);
	else
		bm = lc_bm25_open(O.index, &O.bo, &e);
	if (!bm)
		lc_die_err(&e);
	if (O.index && O.an_opt)
		check_analyser(bm, &O.bo, O.index);
	if (!O.quiet)
		check_gold(bm, qs);
	return bm;
}

/* what the BM25 run held, for the warning and --report */
typedef struct tally {
	size_t hits, nohits;        /* all hits; queries without one */
	char *first_nohit;          /* --trec: the first query the run cannot show (malloc'd) */
} tally;

/* Appends query q's nh hits h to line: TREC lines (pids checked: -1 + e) or one
 * JSONL object.  pid is scratch space. */
static int format_hits(lc_buf *line, lc_buf *pid, const lc_bm25 *bm, const lc_query *q, const lc_bm25_hit *h,
                       size_t nh, lc_err *e)
{
	if (O.trec) {
		if (!nh) {   /* lctk-formats(5)'s mark, as lcconv and --llm --trec write it */
			if (lc_trec_id_check(q->qid, "qid", "TREC", e) < 0)
				return -1;
			lc_buf_printf(line, "#lctk empty %s\n", q->qid);
		}
		for (size_t r = 0; r < nh; r++) {
			const char *p = lc_bm25_pid(bm, h[r].doc, pid);
			if (lc_trec_id_check(p, "pid", "TREC", e) < 0)
				return -1;
			lc_buf_printf(line, "%s Q0 %s %zu %.6f %s\n", q->qid, p, r + 1, h[r].score, O.tag);
		}
		return 0;
	}
	lc_buf_adds(line, "{\"qid\":");
	lc_json_quote(line, q->qid, strlen(q->qid));
	lc_buf_adds(line, ",\"hits\":[");
	for (size_t r = 0; r < nh; r++) {
		lc_buf_adds(line, r ? ",{\"pid\":" : "{\"pid\":");
		const char *p = lc_bm25_pid(bm, h[r].doc, pid);
		lc_json_quote(line, p, pid->len);
		lc_buf_printf(line, ",\"score\":%.6f}", h[r].score);
	}
	lc_buf_adds(line, "]}\n");
	return 0;
}

/* A slot of the run's ring (lib/core/ring): queries [a, z), searched and formatted
 * by a worker into out; the main thread writes the slots in input order. */
enum { SLOT_QUERIES = 64 };
typedef struct slot {
	size_t a, z;
	lc_buf out;                 /* the slot's lines (up to the failed query) */
	size_t hits, nohits;
	size_t first_nohit;         /* query number, SIZE_MAX for none */
	int failed;                 /* a TREC pid check failed: err */
	lc_err err;
} slot;

typedef struct run {
	const lc_bm25 *bm;
	const lc_queries *qs;
	size_t k;
	lc_ring *ring;
	slot *s;
	lc_output *o;
	tally *t;
	lc_progress *prog;
	size_t done;
} run;

/* A searching thread's own state. */
typedef struct searcher {
	lc_bm25_ctx *ctx;
	lc_bm25_hit *top;           /* k is at most N here */
	lc_buf pid;
} searcher;

static void searcher_init(searcher *w, const run *r)
{
	w->ctx = lc_bm25_ctx_new(r->bm);
	w->top = lc_xmalloc(r->k * sizeof *w->top);
	memset(&w->pid, 0, sizeof w->pid);
}

static void searcher_free(searcher *w)
{
	lc_bm25_ctx_free(w->ctx);
	free(w->top);
	lc_buf_free(&w->pid);
}

static void search_slot(searcher *w, const run *r, slot *sl)
{
	lc_buf_reset(&sl->out);
	sl->hits = sl->nohits = 0;
	sl->first_nohit = SIZE_MAX;
	sl->failed = 0;
	for (size_t i = sl->a; i < sl->z; i++) {
		const lc_query *q = &r->qs->q[i];
		size_t n = lc_bm25_search_ctx(w->ctx, q->text, r->k, w->top);
		sl->hits += n;
		if (!n && !sl->nohits++)
			sl->first_nohit = i;
		if (format_hits(&sl->out, &w->pid, r->bm, q, w->top, n, &sl->err) < 0) {
			sl->failed = 1;
			return;
		}
	}
}

static void *worker(void *arg)
{
	run *r = arg;
	searcher w;
	searcher_init(&w, r);
	int i;
	while ((i = lc_ring_take(r->ring)) >= 0) {
		search_slot(&w, r, &r->s[i]);
		lc_ring_finish(r->ring, i);
	}
	searcher_free(&w);
	return NULL;
}

/* The ring's done callback, in input order: writes and counts slot `i`. */
static void write_slot(void *ctx, int i)
{
	run *r = ctx;
	slot *sl = &r->s[i];
	if (sl->failed) {
		lc_output_abort(r->o);
		lc_die_err(&sl->err);
	}
	lc_output_write(r->o, sl->out.p, sl->out.len);
	r->t->hits += sl->hits;
	if (sl->nohits && !r->t->nohits && O.trec)
		r->t->first_nohit = lc_xstrdup(r->qs->q[sl->first_nohit].qid);
	r->t->nohits += sl->nohits;
	r->done += sl->z - sl->a;
	lc_progress_update(r->prog, r->done, r->qs->n);
}

/* BM25: searches the queries in slots of SLOT_QUERIES, on O.jobs threads (with
 * -j 1 here), while this thread writes the finished slots in input order, and
 * writes the run to O.out, counting into t. */
static void write_run(const lc_bm25 *bm, const lc_queries *qs, uint64_t run_key, tally *t)
{
	/* no query has more hits than the index has documents */
	size_t ndocs = lc_bm25_ndocs(bm);
	lc_progress pr;
	lc_progress_start(&pr, "queries", O.prog);
	run r = { .bm = bm, .qs = qs, .k = (size_t)O.k < ndocs ? (size_t)O.k : ndocs ? ndocs : 1, .t = t, .prog = &pr };
	int nslots = O.jobs > 1 ? (int)O.jobs * 3 : 1;
	r.s = lc_xcalloc((size_t)nslots, sizeof *r.s);
	r.ring = lc_ring_new(nslots);
	r.o = lc_output_open(O.out);
	if (O.shard.n)
		lc_part_header(r.o, "lcretrieve", &O.shard, run_key, "lines");
	long nt = O.jobs > 1 ? O.jobs : 0;
	pthread_t *th = lc_xcalloc((size_t)O.jobs, sizeof *th);
	for (long i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, worker, &r))
			lc_die(LC_EXIT_INPUT, "cannot start thread %ld", i);
	searcher w0;
	if (!nt)
		searcher_init(&w0, &r);
	for (size_t a = 0; a < qs->n; a += SLOT_QUERIES) {
		int i = lc_ring_acquire(r.ring, write_slot, &r);
		r.s[i].a = a;
		r.s[i].z = a + SLOT_QUERIES < qs->n ? a + SLOT_QUERIES : qs->n;
		lc_ring_submit(r.ring, i);
		if (!nt && (i = lc_ring_try_take(r.ring)) >= 0) {
			search_slot(&w0, &r, &r.s[i]);
			lc_ring_finish(r.ring, i);
		}
	}
	lc_ring_drain(r.ring, write_slot, &r);
	for (long i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	if (!nt)
		searcher_free(&w0);
	lc_progress_done(&pr);
	if (O.trec && t->nohits && !O.quiet)   /* TREC cannot list a query without hits: say so here */
		lc_warn("%zu quer%s no hits, only a '#lctk empty' mark in the TREC run (first: '%s'), which trec_eval skips; lceval then reports "
		        "\"result qid '%s' not found in qrels\" (the run, not the qrels, lacks it) unless given -c, "
		        "which scores it as 0", t->nohits, t->nohits == 1 ? "y has" : "ies have",
		        t->first_nohit, t->first_nohit);
	lc_output_commit(r.o);
	for (int i = 0; i < nslots; i++)
		lc_buf_free(&r.s[i].out);
	free(r.s);
	free(th);
	lc_ring_free(r.ring);
}

/* --report: what the BM25 run searched and found. */
static void report_bm25(const lc_bm25 *bm, const lc_queries *qs, const tally *t)
{
	if (!lc_report_on(&O.rep))
		return;
	lc_report_int(&O.rep, "documents", (long long)lc_bm25_ndocs(bm));
	lc_report_int(&O.rep, "queries", (long long)qs->n);
	lc_report_int(&O.rep, "hits", (long long)t->hits);
	lc_report_int(&O.rep, "queries_without_hits", (long long)t->nohits);
	lc_report_write(&O.rep);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return lc_part_merge_main(&merge_cmd, "lcretrieve", argc - 1, argv + 1);
	int ind = parse_args(argc, argv);
	check_options(ind, argc, argv);
	start_report(ind, argc, argv);
	lc_queries qs = {0};
	load_queries(&qs, ind, argc, argv);
	uint64_t run_key = O.shard.n ? lc_part_run_key(argc, argv) : 0;
	if (O.llm) {
		run_llm(&qs, run_key);
		return 0;
	}
	lc_bm25 *bm = open_bm25(&qs);
	tally t = {0};
	write_run(bm, &qs, run_key, &t);
	report_bm25(bm, &qs, &t);
	free(t.first_nohit);
	lc_bm25_free(bm);
	lc_queries_free(&qs);
	return 0;
}
