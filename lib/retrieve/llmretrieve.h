/*
 * llmretrieve — lcretrieve --llm: corpus-in-context retrieval with an LLM
 * (LOFT's corpus-in-context prompting, Lee et al. 2024).
 *
 * For each query: choose the passages that go in the prompt (all of them in
 * corpus order; with prefilter K only BM25's top K, still in corpus order), build
 * the LOFT prompt (prompt.h) with the few-shot examples, check it against the
 * context limit with the caller's token counter (refuse, or with fit drop the
 * passages BM25 ranks lowest until it fits — never a few-shot gold passage), then
 * send it (llm.h), or write it to an OpenAI Batch file, or take its answer from a
 * Batch results file.  Answers are parsed with LOFT's rule (answer.h); ids are row
 * numbers in that query's prompt and are mapped back to pids.
 *
 * Every prompt is planned and checked before the first request is sent, so an
 * oversized prompt never costs a request.  A request that fails for good is
 * reported per query ("query QID: ...") and the run fails (exit 1, no output)
 * unless skip_bad, which writes the other queries and counts the failures.
 * Unparseable or unmappable answers are not errors: they give an empty
 * prediction (LOFT scores them 0) and are counted on stderr.
 *
 * Few-shot gold passages are looked up in the corpus; one missing there is taken
 * from few_shot_corpus and appended after the corpus rows (so it keeps a row id).
 *
 * Batch round trip: --batch-out writes one request per query (custom_id = qid)
 * and nothing else; --batch-in with the SAME corpus, queries and selection flags
 * (prefilter, fit, context limit, prompt, shots) re-plans the same prompts and
 * joins the results on custom_id.
 *
 * Ownership: everything passed in is borrowed; output goes to `out` only.
 */
#ifndef LC_LLMRETRIEVE_H
#define LC_LLMRETRIEVE_H

#include <stddef.h>

#include "bm25.h"
#include "corpus.h"
#include "err.h"
#include "llm.h"
#include "output.h"
#include "queries.h"
#include "answer.h"

enum { LC_LLMR_RUN = 0, LC_LLMR_TREC = 1, LC_LLMR_LOFT = 2 };

/* Token counter for the context check (lc_tok_count adapts to it). */
typedef size_t (*lc_llmr_count_fn)(void *ud, const char *s, size_t n);

typedef struct lc_llmr_opts {
	lc_llm_opts llm;            /* endpoint, model, cache, parallel, timeouts, retries */
	const char *prompt;         /* template name or file; NULL = lc_prompt_guess(corpus_path) */
	const char *corpus_path;    /* for the guess and messages */
	const char *few_shot;       /* few-shot queries (LOFT JSONL), NULL = none */
	const char *few_shot_corpus;/* passages for few-shot gold missing from the corpus, or NULL */
	size_t shots;               /* at most this many examples (default 5) */
	size_t context_limit;       /* tokens; 0 = not checked */
	lc_llmr_count_fn count;     /* required with context_limit */
	void *count_ud;
	int fit;                    /* drop passages instead of refusing */
	size_t prefilter;           /* keep BM25's top K; 0 = all */
	lc_bm25_opts bm25;          /* BM25 for prefilter/fit ({0} = Anserini defaults) */
	const char *batch_out;      /* write Batch requests here instead of calling */
	const char *batch_in;       /* read Batch results instead of calling */
	const char *responses;      /* also write raw answers {"qid","response_text"} here */
	const char *responses_head; /* written first to responses (a --shard part header line), or NULL */
	const char *responses_tail; /* written last, when responses is committed (a part's end line), or NULL */
	int skip_bad;
	size_t k;                   /* at most k hits per query; 0 = all the model gave */
	int format;                 /* LC_LLMR_* */
	const char *tag;            /* TREC run tag (default "lctk-llm") */
	int verbose;
	int progress;               /* LC_PROGRESS_* mode of the request meter */
	int quiet;                  /* no warning about gold pids missing from the corpus */
	int dry_run;                /* plan and count every prompt, send nothing: one line
	                             * {"qid","prompt_tokens","passages"} per query to out and
	                             * the totals (requests, tokens, cost) on stderr; needs count */
	double price_in, price_out; /* dry_run: price per million prompt / answer tokens (0 = none) */
	json_t *report;             /* not NULL: the figures printed on stderr are also set in it
	                             * (--report): requests, cached, http, retries, failed,
	                             * unanswered, empty; a dry run's in "dry_run" */
} lc_llmr_opts;

void lc_llmr_opts_default(lc_llmr_opts *o);

/* Runs the whole retrieval, writing the run to out (not committed: the caller
 * commits on 0 and aborts on -1).  -1 + e on any failure. */
int lc_llmr_run(const lc_llmr_opts *o, const lc_corpus *c, const lc_queries *qs, lc_output *out, lc_err *e);

/* --- one prompt per request, with a passage swapped (lcgen labels --llm) --------
 *
 * Each request is a query over the corpus (all rows, or a subset of rows, in
 * corpus order) in which one passage's text may be replaced by another text
 * (CoLoR's labels: a candidate compression in place of its gold passage).  The
 * prompt is built exactly as lc_llmr_run builds it (template, blocks, few-shot
 * examples, whose gold passages are added to any subset), then sent through
 * lc_llm (cache, retries, parallel), written to o->batch_out (custom_id = the
 * request's id) or answered from o->batch_in (joined on custom_id).  Requests
 * whose prompts are identical are sent (or written) once, as the first of them,
 * and share its answer.  Uses o's llm, prompt, corpus_path, few_shot,
 * few_shot_corpus, shots, context_limit (with count: a longer prompt is a setup
 * error, before anything is sent), batch_out, batch_in, progress and verbose;
 * prefilter, fit, format, k and skip_bad are not used (the caller chooses rows
 * and decides about failures).  With dry_run (and count) every prompt is built
 * and counted into ans[i].prompt_tokens and nothing is sent or written (the
 * caller prints the totals: lib/llm/llmcost). */
typedef struct lc_llmr_req {
	const char *id;            /* unique: custom_id in Batch files */
	const char *query;
	long subst;                /* corpus row whose text is replaced, or -1 */
	const char *subst_text;    /* its text in this prompt (title unchanged) */
	const size_t *rows;        /* corpus rows in the prompt, ascending; NULL = every row */
	size_t nrows;
} lc_llmr_req;

typedef struct lc_llmr_ans {
	int answered;              /* a reply was received (error is NULL) */
	int parsed;                /* the reply gave a usable prediction (LOFT's rule, ids mapped) */
	lc_strlist pids;           /* the predicted pids, distinct, best first (empty unless parsed) */
	char *error;               /* why there is no reply (malloc'd), or NULL */
	size_t prompt_tokens;      /* dry_run: the prompt's tokens (o->count) */
	int repeat;                /* the prompt of an earlier request: sent once, as that one */
} lc_llmr_ans;

/* Fills ans[0..n-1] (zeroed first).  With batch_out only the Batch file is
 * written (ans stay unanswered).  -1 + e on setup errors (template, few-shot,
 * options, a prompt over context_limit, an unreadable Batch file, duplicate
 * ids with batch_in); failed
 * requests are not errors here: see ans[i].error. */
int lc_llmr_ask(const lc_llmr_opts *o, const lc_corpus *c, const lc_llmr_req *reqs, size_t n, lc_llmr_ans *ans,
                lc_err *e);
void lc_llmr_ans_free(lc_llmr_ans *ans, size_t n);

#endif
