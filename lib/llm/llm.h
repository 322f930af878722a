/*
 * llm — a client for OpenAI-compatible chat endpoints (OpenAI, vLLM,
 * llama.cpp's server), shared by lcretrieve --llm, lcgen and lcompress --endpoint.
 *
 * What it does for its callers:
 *  - runs many chat requests over libcurl's multi interface, at most `parallel`
 *    at a time, with connect and per-attempt timeouts;
 *  - retries 429, 5xx, connection errors, timeouts and malformed replies with
 *    exponential backoff and jitter, honouring Retry-After (seconds or HTTP date);
 *    other 4xx replies fail at once with the server's message;
 *  - keeps a persistent response cache: one file per answered request, named by
 *    the SHA-256 of the canonical request body (model, messages and parameters as
 *    compact JSON with sorted keys — not the URL, so "localhost" and "127.0.0.1"
 *    share answers, and never the API key), so a re-run or a resumed run never
 *    pays twice.  Entries an older lctk keyed on the URL as well are still read.
 *    Only successful answers are cached; a file is written atomically (a unique
 *    temp file in the entry's directory, then rename) before the caller hears of
 *    the answer, so processes sharing one cache (lcretrieve --llm --shard tasks)
 *    never read a partial entry and two writing the same one leave one whole
 *    copy; it holds no URL;
 *  - caps a reply at max_reply bytes counted after decoding (a gzip bomb stops
 *    there), failing that request without a retry;
 *  - writes and reads OpenAI Batch files (request lines; result lines in any
 *    order, with per-request errors) for offline runs.
 *
 * The API key is read from LCTK_API_KEY (sent to any endpoint), else from
 * OPENAI_API_KEY, which is sent only to https://api.openai.com (elsewhere a
 * warning says to set LCTK_API_KEY).  It is sent as "Authorization: Bearer ..."
 * and nowhere else: not in messages, cache files, batch files or the hash.
 * Redirects are not followed (the key would travel).  The endpoint is parsed
 * with libcurl's URL API: /chat/completions goes into its path, before a query;
 * user:password@ in it is sent as HTTP basic auth; neither credentials nor the
 * query appear in messages or files (lc_llm_url() shows "?..." for a query).
 *
 * Typical use (CoLoR summaries; see lib/retrieve/llmretrieve.c for a full caller):
 *     static json_t *make(void *ud, size_t i) {           // called when a slot frees
 *         lc_buf b = {0};
 *         lc_prompt_summarize(&b, passages[i]);           // prompt.h
 *         json_t *m = lc_llm_user_messages(b.p);          // NULL if not UTF-8
 *         lc_buf_free(&b);
 *         return m;
 *     }
 *     static void done(void *ud, size_t i, const lc_llm_result *r) {
 *         if (r->ok) summary[i] = strdup(r->content); else lc_warn("%zu: %s", i, r->error);
 *     }
 *     lc_llm_opts o; lc_llm_opts_default(&o); o.endpoint = url; o.model = name;
 *     lc_llm *c = lc_llm_new(&o, &e);   if (!c) lc_die_err(&e);
 *     size_t failed = lc_llm_run(c, n, make, done, NULL);
 *     lc_llm_free(c);
 * Offline: lc_llm_batch_request(&line, id, lc_llm_body(c, msgs)) per request,
 * later lc_llm_batch_read(results, fn, ud, &e) (join on custom_id yourself).
 *
 * Ownership: lc_llm_new() allocates, lc_llm_free() releases.  JSON values passed
 * in are borrowed unless said otherwise; results handed to callbacks are valid
 * only during the call (copy what you keep).  Not thread-safe: one lc_llm per
 * thread; callbacks run on the caller's thread, from inside lc_llm_run().
 */
#ifndef LC_LLM_H
#define LC_LLM_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

typedef struct lc_llm_opts {
	const char *endpoint;     /* "http://127.0.0.1:8080/v1" (/chat/completions appended), the full
	                             URL, or "http://host:port" alone (/v1/chat/completions appended) */
	const char *model;        /* required */
	const char *cache_dir;    /* NULL = $XDG_CACHE_HOME/lctk/llm (else ~/.cache/lctk/llm) */
	int no_cache;             /* 1 = neither read nor write the cache */
	int parallel;             /* concurrent requests (default 4) */
	double connect_timeout;   /* seconds (default 10) */
	double timeout;           /* seconds per attempt (default 600) */
	int retries;              /* retries after the first attempt (default 5) */
	double backoff;           /* first retry delay in seconds (default 1); doubles per retry */
	double backoff_max;       /* cap on one delay, also on Retry-After (default 60) */
	double temperature;       /* sent when >= 0 (default 0) */
	long max_tokens;          /* sent when > 0 (default 0 = not sent) */
	unsigned long seed;       /* seeds the jitter (timing only; never the output) */
	int verbose;              /* 1 = one stderr line per retry and a summary */
	size_t max_reply;         /* reply size cap in bytes after decoding; 0 = $LCTK_LLM_MAX_REPLY,
	                             else LC_LLM_MAX_REPLY_DEFAULT */
} lc_llm_opts;

#define LC_LLM_MAX_REPLY_DEFAULT ((size_t)16 << 20)

/* Fills the defaults listed above (endpoint/model NULL). */
void lc_llm_opts_default(lc_llm_opts *o);

typedef struct lc_llm lc_llm;

/* Checks options (endpoint must be http:// or https://), reads the key, creates
 * the cache directory.  NULL + e (code LC_EXIT_USAGE or LC_EXIT_INPUT) on error. */
lc_llm *lc_llm_new(const lc_llm_opts *o, lc_err *e);
void lc_llm_free(lc_llm *c);

/* [{"role":"user","content":text}] — new reference. */
json_t *lc_llm_user_messages(const char *text);
/* The request body {"model", "messages", "temperature"?, "max_tokens"?} — new
 * reference; messages is borrowed (the body takes its own reference). */
json_t *lc_llm_body(const lc_llm *c, json_t *messages);
/* The URL requests are POSTed to, as shown in messages: without user:password,
 * and with "?..." in place of a query. */
const char *lc_llm_url(const lc_llm *c);

/* The outcome of one request. */
typedef struct lc_llm_result {
	int ok;                   /* 1 = content holds the answer */
	const char *content;      /* assistant message text (ok) */
	const char *error;        /* what went wrong (!ok), e.g. "HTTP 500 after 6 attempts: ..." */
	int cached;               /* answered from the cache, no request sent */
	int attempts;             /* HTTP attempts made for this run */
} lc_llm_result;

/* Returns a new reference to the messages array of request i, or NULL to skip i
 * (done is then not called for it).  Called lazily, when a slot frees, so only
 * about `parallel` prompts live at once. */
typedef json_t *(*lc_llm_make_fn)(void *ud, size_t i);
/* Called exactly once per request not skipped, in completion order. */
typedef void (*lc_llm_done_fn)(void *ud, size_t i, const lc_llm_result *r);

/* Runs requests 0..n-1.  Returns the number that failed (after retries).
 * Stops early, sending nothing more, when LC_LLM_SAME_FAILURES attempts in a row
 * fail the same way with a connection or auth error (connection refused, DNS
 * failure, HTTP 401/403: a wrong port, host or key); requests in flight or
 * not yet made are then dropped without a done call and lc_llm_aborted() says
 * why — the caller reports that one message and writes no output.
 * SIGINT during the run: stops, says on stderr how many answers are cached and
 * that re-running the same command resumes from the cache, then re-raises SIGINT
 * with the handler the caller had (so -o outputs are removed). */
size_t lc_llm_run(lc_llm *c, size_t n, lc_llm_make_fn make, lc_llm_done_fn done, void *ud);

#define LC_LLM_SAME_FAILURES 3

/* Why the last lc_llm_run() stopped early ("3 requests in a row failed the same
 * way: ...; nothing more sent"; borrowed), or NULL when it ran to the end. */
const char *lc_llm_aborted(const lc_llm *c);

typedef struct lc_llm_stats {
	size_t requests;          /* requests completed (ok or failed) */
	size_t cached;            /* of which answered from the cache */
	size_t http;              /* HTTP attempts made */
	size_t retries;           /* of which were retries */
	size_t failed;            /* requests that failed for good */
} lc_llm_stats;
const lc_llm_stats *lc_llm_stats_get(const lc_llm *c);

/* The assistant text of a chat-completion response body: borrowed pointer, or
 * NULL with a reason in *why (static text or the server's error message). */
const char *lc_llm_content(json_t *response, const char **why);

/* --- OpenAI Batch ------------------------------------------------------------ */

/* Appends one request line {"custom_id","method":"POST","url":"/v1/chat/completions",
 * "body":body} and "\n" to b. */
void lc_llm_batch_request(lc_buf *b, const char *custom_id, json_t *body);

/* Called for each result line: r->ok with content, or !ok with the per-request
 * error (error object, non-200 status_code, or a body without content).
 * where = "file:LINE". */
typedef void (*lc_llm_batch_fn)(void *ud, const char *custom_id, const lc_llm_result *r, const char *where);
/* Reads a Batch results file (any order; lc_input, so compressed files work).
 * A line that is not JSON or lacks custom_id is an input error: -1 + e. */
int lc_llm_batch_read(const char *path, lc_llm_batch_fn fn, void *ud, lc_err *e);

#endif
