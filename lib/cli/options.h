/*
 * options — the lctk option vocabulary: every option that more than one program
 * takes is declared here once, so its long name, letter, argument name and help
 * text are the same everywhere (lctk(7) has the table; `make lint` checks it).
 *
 * Each macro is one lc_opt entry.  The first argument is the id the program's
 * switch sees (the letter, where the vocabulary gives one, is fixed here and
 * the id argument is dropped); the optional rest binds the option to a variable
 * (cli.h: LC_BIND_STR(v), LC_BIND_INT(v, lo, hi), ...), in which case
 * lc_cli_next() stores it and the switch never sees it (the id may then be 0):
 *     static const char *out;
 *     static const lc_opt opts[] = { LC_OPT_OUTPUT(LC_BIND_STR(out)), LC_OPT_SEED(OPT_SEED), LC_OPT_END };
 * A program-specific default or detail belongs in the program's man page, not here.
 */
#ifndef LC_OPTIONS_H
#define LC_OPTIONS_H

#include <jansson.h>
#include <limits.h>

#include "analyze.h"
#include "cli.h"
#include "llm.h"

/* The default text field, one rule in every program (lctk(7)): "passage_text"
 * when rec has that key, else "text" when it has that one, else "passage_text"
 * (for the error).  The string is static. */
const char *lc_text_field(const json_t *rec);

#define LC_ENCODINGS "cl100k_base o200k_base p50k_base r50k_base gpt2"
#define LC_ENCODING_DEFAULT "cl100k_base"   /* -e's default in every program */

/* --- tokenizer selection (every program that counts or makes tokens) ------- */
#define LC_OPT_ENCODING(...) { 'e', "encoding", "NAME", \
	"tiktoken encoding: cl100k_base (default), o200k_base, p50k_base, r50k_base, gpt2", LC_ENCODINGS, __VA_ARGS__ }
#define LC_OPT_TOKENIZER(id, ...) { id, "tokenizer", "FILE", \
	"tokenise with a Hugging Face tokenizer.json (byte-level or byte-fallback BPE) instead of -e", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_SPECIAL_AS_TEXT(id, ...) { id, "special-as-text", NULL, \
	"tokenise special-token text in the input as ordinary text", NULL, __VA_ARGS__ }

/* --- inputs and fields ------------------------------------------------------ */
#define LC_OPT_CORPUS(...) { 'c', "corpus", "CORPUS", \
	"the LOFT/BEIR corpus (JSONL, or a BEIR .zip where the page says so)", LC_COMPLETE_FILE, __VA_ARGS__ }
/* lceval: -c is trec_eval's -c (complete_rel_info_wanted) there */
#define LC_OPT_CORPUS_NOLETTER(id, ...) { id, "corpus", "CORPUS", \
	"the LOFT/BEIR corpus (JSONL, or a BEIR .zip where the page says so)", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_QUERIES(...) { 'q', "queries", "QUERIES", \
	"the LOFT/BEIR queries (JSONL)", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_FIELD(...) { 'f', "field", "FIELD", \
	"the record's text field, F1,F2,... where the page says so (default passage_text, else text; BM25 indexing: lctk(7))", NULL, __VA_ARGS__ }
#define LC_OPT_TARGET(...) { 't', "target", "FIELD", \
	"the field the result is written to (default: the page's)", NULL, __VA_ARGS__ }
#define LC_OPT_ID(id, ...) { id, "id", "FIELD", \
	"the record's id field (default pid, else the format's id field)", NULL, __VA_ARGS__ }
#define LC_OPT_TEXT_LINES(id, ...) { id, "text", NULL, \
	"plain text in, one passage a line, instead of JSONL", NULL, __VA_ARGS__ }
#define LC_OPT_MEMBER(id, ...) { id, "member", "GLOB", \
	"archive member(s) to read from a .zip or .tar (default: the page's)", NULL, __VA_ARGS__ }
/* its name as the input readers' messages give it (lc_input_open_default's option) */
#define LC_OPT_MEMBER_NAME "--member"
/* --skip-bad is one idea, "skip what fails, count it, go on", but what can fail differs: bad
 * records (lctok, lcsplit, lcdecompose), LLM requests (lcgen, lcretrieve --llm: their records
 * are not skipped), or both (lcompress); each help says which (tests/options.exceptions) */
#define LC_OPT_SKIP_BAD(id, ...) { id, "skip-bad", NULL, \
	"skip bad records (counted on stderr) instead of failing", NULL, __VA_ARGS__ }
#define LC_OPT_SKIP_BAD_REQUESTS(id, ...) { id, "skip-bad", NULL, \
	"LLM: write the rest when requests fail for good (counted on stderr) instead of failing", NULL, __VA_ARGS__ }
#define LC_OPT_SKIP_BAD_BOTH(id, ...) { id, "skip-bad", NULL, \
	"skip bad records, and keep the passage of a failed LLM request (counted on stderr), instead of failing", NULL, \
	__VA_ARGS__ }
#define LC_OPT_SUMMARIES(id, ...) { id, "summaries", "FILE", \
	"summaries to use (JSONL: pid + summary_text), e.g. from an LLM", LC_COMPLETE_FILE, __VA_ARGS__ }

/* --- outputs ------------------------------------------------------------------ */
#define LC_OPT_OUTPUT(...) { 'o', "output", "FILE", \
	"write to FILE atomically (default stdout)", LC_COMPLETE_FILE, __VA_ARGS__ }
/* lcdecompose: a real directory (listed in tests/options.exceptions) */
#define LC_OPT_OUTPUT_DIR(...) { 'o', "output", "DIR", \
	"write the dataset into directory DIR", LC_COMPLETE_DIR, __VA_ARGS__ }
/* FORMAT's choices are program-specific: they are in the completion list and the page */
#define LC_OPT_FORMAT(id, choices, ...) { id, "format", "FORMAT", \
	"output format (the choices and default are on the page)", choices, __VA_ARGS__ }
/* FORMAT's choices are program-specific here too (completion list and page) */
#define LC_OPT_FROM(id, choices, ...) { id, "from", "FORMAT", \
	"input format when detection is not wanted (the choices are on the page)", choices, __VA_ARGS__ }
#define LC_OPT_TO(id, choices, ...) { id, "to", "FORMAT", \
	"output format to convert or write to (the choices and default are on the page)", choices, __VA_ARGS__ }
#define LC_OPT_METHOD(id, choices, ...) { id, "method", "METHOD", \
	"the algorithm (the choices and default are on the page)", choices, __VA_ARGS__ }
#define LC_OPT_QRELS(id, ...) { id, "qrels", "FILE", \
	"relevance judgements (TREC, BEIR or LOFT; what they are used for is on the page)", LC_COMPLETE_FILE, __VA_ARGS__ }
/* the members lceval, lcfuse and lcconv read from a qrels or run archive */
#define LC_OPT_QRELS_MEMBER(id, ...) { id, "qrels-member", "GLOB", \
	"archive member holding the qrels (default '*qrels/test.tsv', BEIR's test split)", NULL, __VA_ARGS__ }
#define LC_OPT_RUN_MEMBER(id, ...) { id, "run-member", "GLOB", \
	"archive member(s) holding each run (default: every member)", NULL, __VA_ARGS__ }
/* bound to a const char * that the default is left in; a TAG that is empty or holds
 * white space (it would split a TREC line) is a usage error (lc_opt_tag_cb) */
#define LC_OPT_TAG(id, v) { id, "tag", "TAG", \
	"run tag of TREC run output (default: the page's)", NULL, LC_BIND_STR_NOTE(v, lc_opt_tag_cb) }
void lc_opt_tag_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg);

/* --- randomness, sharding, progress, threads ---------------------------------- */
/* The ranges of the shared numeric options: one definition, bound here, so no
 * program accepts a value another refuses.  A seed is any number 0..2^63-1 (lc_cli_long's
 * range; lib/core/rng takes 64 bits); jobs are 1..256 threads. */
#define LC_SEED_MAX LONG_MAX
#define LC_JOBS_MAX 256
/* --seed bound to v, a long or an unsigned long (the kind follows its type) */
#define LC_OPT_SEED(v) LC_OPT_SEED_NOTE(v, NULL)
#define LC_OPT_SEED_NOTE(v, note) { 0, "seed", "N", \
	"random seed 0..2^63-1 (default 0); the same seed gives the same output", NULL, \
	_Generic(&(v), long *: LC_OPT_LONG, unsigned long *: LC_OPT_ULONG), (void *)&(v), 0, (double)LC_SEED_MAX, (note) }
#define LC_OPT_SHARD(id, ...) { id, "shard", "K/N", \
	"process only slice K of N of the input (join the parts with the program's merge)", NULL, __VA_ARGS__ }
#define LC_OPT_PROGRESS(id, ...) { id, "progress", NULL, \
	"show progress even when stderr is not a terminal", NULL, __VA_ARGS__ }
#define LC_OPT_QUIET(id, ...) { id, "quiet", NULL, \
	"no progress meter or summary on stderr (errors and counts of records skipped or dropped remain)", NULL, __VA_ARGS__ }
/* -j bound to v, a long */
#define LC_OPT_JOBS(v) { 'j', "jobs", "N", \
	"worker threads 1..256 (default 1); the output does not depend on N", NULL, LC_BIND_LONG(v, 1, LC_JOBS_MAX) }
#define LC_OPT_EPOCHS(id, ...) { id, "epochs", "N", \
	"passes over the data (default: the page's)", NULL, __VA_ARGS__ }
#define LC_OPT_GPUS(id, ...) { id, "gpus", "G", \
	"GPUs of the training job (default 1)", NULL, __VA_ARGS__ }
#define LC_OPT_WORKERS(id, ...) { id, "workers", "W", \
	"data loader workers per GPU (default 1)", NULL, __VA_ARGS__ }

/* --- BM25 --------------------------------------------------------------------- */
/* One range for every program that scores BM25: k1 above 0 (lib/retrieve/bm25 takes
 * k1 <= 0 as "the default"), b 0..1. */
#define LC_K1_MIN 1e-9
#define LC_K1_MAX 1000
/* --k1 bound to v (a double); --b bound to v with note (or NULL) called when given */
#define LC_OPT_K1(v) { 0, "k1", "K1", "BM25 k1, above 0 up to 1000 (default 0.9)", NULL, \
	LC_BIND_DOUBLE(v, LC_K1_MIN, LC_K1_MAX) }
#define LC_OPT_B(v, note) { 0, "b", "B", "BM25 b, 0..1 (default 0.4)", NULL, LC_BIND_DOUBLE_NOTE(v, 0, 1, note) }
#define LC_OPT_NO_STEM(id, ...) { id, "no-stem", NULL, \
	"BM25 analysis: no Snowball English stemming (an index's must match)", NULL, __VA_ARGS__ }
#define LC_OPT_NO_STOPWORDS(id, ...) { id, "no-stopwords", NULL, \
	"BM25 analysis: keep stopwords (an index's must match)", NULL, __VA_ARGS__ }
#define LC_OPT_STOPWORDS(id, ...) { id, "stopwords", "FILE", \
	"BM25 analysis: stopword list, one word a line (default share/lctk/stopwords/english.txt)", LC_COMPLETE_FILE, __VA_ARGS__ }
/* The three bound to a program's lc_analyze_opts (set it to LC_ANALYZE_DEFAULT_FLAGS
 * first); in the order given: --no-stem clears LC_AN_STEM, --no-stopwords clears
 * LC_AN_STOP, --stopwords FILE sets stopword_file and LC_AN_STOP again. */
void lc_opt_analyser_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg);
#define LC_BIND_ANALYSER(anopts) LC_BIND_CALL(lc_opt_analyser_cb, anopts)
#define LC_OPTS_ANALYSER(anopts) \
	LC_OPT_NO_STEM(0, LC_BIND_ANALYSER(anopts)), LC_OPT_NO_STOPWORDS(0, LC_BIND_ANALYSER(anopts)), \
	LC_OPT_STOPWORDS(0, LC_BIND_ANALYSER(anopts))

/* --- extractive compression models -------------------------------------------- */
#define LC_OPT_MODEL_FILE(...) { 'm', "model-file", "MODEL", \
	"extractive compression model file (.lcm)", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_THRESHOLD(id, ...) { id, "threshold", "P", \
	"keep words whose keep probability is >= P (default: the model's; lctrain: 0.5)", NULL, __VA_ARGS__ }
#define LC_OPT_LENGTH_BIAS(id, ...) { id, "length-bias", "A", \
	"cut long passages harder: threshold logit + A*(log words - corpus mean) (default: the model's; lctrain: 0.5)", NULL, __VA_ARGS__ }

/* --- the LLM client (lib/llm/llm: lc_llm_opt_set) ------------------------------------
 * Bind each to a program's lc_llm_opts with LC_BIND_LLM(opts); the program keeps no case for them. */
/* The client's command-line options, the same in every program that calls an LLM:
 * --endpoint --model --parallel --timeout --connect-timeout --retries --backoff
 * --cache --no-cache --temperature --max-tokens (the reply limit is LCTK_LLM_MAX_REPLY).  If name (a long option name
 * without dashes) is one of them, sets its field from arg (numbers validated:
 * a bad one exits 2, see lc_cli_long) and returns 1; else returns 0. */
int lc_llm_opt_set(lc_llm_opts *o, const char *name, const char *arg);
void lc_opt_llm_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg);
#define LC_BIND_LLM(llmopts) LC_BIND_CALL(lc_opt_llm_cb, llmopts)
#define LC_OPT_LLM(id, ...) { id, "llm", NULL, \
	"use an LLM that reads the whole corpus in its prompt (LOFT)", NULL, __VA_ARGS__ }
#define LC_OPT_ENDPOINT(id, ...) { id, "endpoint", "URL", \
	"LLM: OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1", NULL, __VA_ARGS__ }
#define LC_OPT_MODEL(id, ...) { id, "model", "NAME", \
	"LLM: model name sent with each request", NULL, __VA_ARGS__ }
#define LC_OPT_PARALLEL(id, ...) { id, "parallel", "N", "LLM: N requests at a time (default 4)", NULL, __VA_ARGS__ }
#define LC_OPT_TIMEOUT(id, ...) { id, "timeout", "SECS", "LLM: time limit per attempt (default 600)", NULL, __VA_ARGS__ }
#define LC_OPT_CONNECT_TIMEOUT(id, ...) { id, "connect-timeout", "SECS", "LLM: time limit to connect (default 10)", NULL, __VA_ARGS__ }
#define LC_OPT_RETRIES(id, ...) { id, "retries", "N", "LLM: retries on 429, 5xx, connection errors (default 5)", NULL, __VA_ARGS__ }
#define LC_OPT_BACKOFF(id, ...) { id, "backoff", "SECS", "LLM: first retry delay, doubled each time (default 1)", NULL, __VA_ARGS__ }
#define LC_OPT_CACHE(id, ...) { id, "cache", "DIR", "LLM: response cache (default $XDG_CACHE_HOME/lctk/llm)", LC_COMPLETE_DIR, __VA_ARGS__ }
#define LC_OPT_NO_CACHE(id, ...) { id, "no-cache", NULL, "LLM: neither read nor write the response cache", NULL, __VA_ARGS__ }
#define LC_OPT_TEMPERATURE(id, ...) { id, "temperature", "X", "LLM: sampling temperature (default 0)", NULL, __VA_ARGS__ }
#define LC_OPT_MAX_TOKENS(id, ...) { id, "max-tokens", "N", "LLM: answer length limit sent to the server", NULL, __VA_ARGS__ }
/* the whole client block, bound to an lc_llm_opts (ids 0: never returned) */
#define LC_OPTS_LLM_CLIENT(llmopts) LC_OPTS_LLM_CLIENT_CB(llmopts, lc_opt_llm_cb)
/* the same with the program's own callback, which calls lc_opt_llm_cb and then notes
 * that an LLM option was given (lcretrieve: "--model works with --llm only") */
#define LC_OPTS_LLM_CLIENT_CB(llmopts, cb) \
	LC_OPT_ENDPOINT(0, LC_BIND_CALL(cb, llmopts)), LC_OPT_MODEL(0, LC_BIND_CALL(cb, llmopts)), \
	LC_OPT_PARALLEL(0, LC_BIND_CALL(cb, llmopts)), LC_OPT_TIMEOUT(0, LC_BIND_CALL(cb, llmopts)), \
	LC_OPT_CONNECT_TIMEOUT(0, LC_BIND_CALL(cb, llmopts)), LC_OPT_RETRIES(0, LC_BIND_CALL(cb, llmopts)), \
	LC_OPT_BACKOFF(0, LC_BIND_CALL(cb, llmopts)), LC_OPT_CACHE(0, LC_BIND_CALL(cb, llmopts)), \
	LC_OPT_NO_CACHE(0, LC_BIND_CALL(cb, llmopts)), LC_OPT_TEMPERATURE(0, LC_BIND_CALL(cb, llmopts)), \
	LC_OPT_MAX_TOKENS(0, LC_BIND_CALL(cb, llmopts))
/* LLM prompts and batches (lcretrieve --llm, lcgen labels --llm) */
#define LC_OPT_PROMPT(id, templates, ...) { id, "prompt", "NAME|FILE", \
	"LLM: prompt template, a template name or file (default: named by the corpus path)", "@file " templates, __VA_ARGS__ }
#define LC_OPT_FEW_SHOT(id, ...) { id, "few-shot", "FILE", \
	"LLM: few-shot queries (LOFT few_shot_queries.jsonl)", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_FEW_SHOT_CORPUS(id, ...) { id, "few-shot-corpus", "FILE", \
	"LLM: passages of few-shot answers not in the corpus", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_SHOTS(id, ...) { id, "shots", "N", "LLM: at most N few-shot examples (default 5)", NULL, __VA_ARGS__ }
#define LC_OPT_CONTEXT_LIMIT(id, ...) { id, "context-limit", "TOKENS", \
	"LLM: refuse prompts longer than TOKENS (counted with -e or --tokenizer)", NULL, __VA_ARGS__ }
#define LC_OPT_DRY_RUN(id, ...) { id, "dry-run", NULL, \
	"LLM: build and count every request's prompt (-e or --tokenizer), send nothing: per-request tokens, total, cost", NULL, __VA_ARGS__ }
#define LC_OPT_PRICE_IN(id, ...) { id, "price-in", "X", "--dry-run: price per million prompt tokens", NULL, __VA_ARGS__ }
#define LC_OPT_PRICE_OUT(id, ...) { id, "price-out", "X", \
	"--dry-run: price per million answer tokens (with --max-tokens)", NULL, __VA_ARGS__ }
#define LC_OPT_BATCH_OUT(id, ...) { id, "batch-out", "FILE", \
	"LLM: write OpenAI Batch requests instead of calling (nothing else is written)", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_BATCH_IN(id, ...) { id, "batch-in", "FILE", \
	"LLM: read OpenAI Batch results instead of calling", LC_COMPLETE_FILE, __VA_ARGS__ }
#define LC_OPT_VERBOSE(id, ...) { id, "verbose", NULL, \
	"LLM: report retries, cache use and prompt fitting on stderr", NULL, __VA_ARGS__ }

#endif
