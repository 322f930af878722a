/*
 * llmsum — CoLoR summaries of many passages through an LLM (CoLoR's candidate step, Seo et al., ACL 2025):
 * the one loop lcompress --endpoint, lcgen candidates --endpoint and lcgen
 * probes --summarise share.
 *
 * Each non-empty passage gets one chat request with CoLoR's prompt
 * (lc_prompt_summarize), sent through lc_llm (parallel requests, retries, the
 * response cache), or written to an OpenAI Batch request file (custom_id =
 * ids[i]; lib/llm/llmreq, the same body as an HTTP request), or answered from a Batch results file (joined on custom_id).  An
 * empty passage is never sent: its summary stays NULL (the caller keeps it
 * empty).  Failures are per passage (error[i]); only setup problems (bad
 * options, an unreadable Batch file) fail the whole call.
 *
 * Ownership: passages and ids are borrowed; lc_llmsum_run() fills r with
 * malloc'd strings that lc_llmsum_free() releases.
 */
#ifndef LC_LLMSUM_H
#define LC_LLMSUM_H

#include <stddef.h>

#include "err.h"
#include "llm.h"

typedef struct lc_llmsum_opts {
	lc_llm_opts llm;           /* endpoint, model, cache, parallel, timeouts, retries */
	const char *batch_out;     /* write Batch request lines here instead of calling (needs ids) */
	const char *batch_in;      /* read answers from this Batch results file (needs ids) */
	int progress;              /* LC_PROGRESS_* mode of the request meter */
} lc_llmsum_opts;

void lc_llmsum_opts_default(lc_llmsum_opts *o);

typedef struct lc_llmsum {
	size_t n;
	char **summary;            /* per passage: the answer, or NULL (empty passage, failure, batch_out) */
	char **error;              /* per passage: why it has no answer, or NULL */
	size_t failed;             /* passages with an error */
	size_t first_failed;       /* index of the first of them (valid when failed > 0) */
	size_t requests;           /* requests written (batch_out) or answered (HTTP, Batch results) */
	size_t empty;              /* answers that were empty or only white space (kept as "") */
	lc_llm_stats stats;        /* HTTP runs: requests, cached, retries, ... */
} lc_llmsum;

/* Summarises passages[0..n-1] (ids[i] = custom_id for Batch files; may be NULL
 * without batch_out/batch_in).  Batch results for unknown ids are ignored with
 * one warning, a second result for an id keeps the first; a passage without a
 * result gets an error.  0, or -1 + e (r then holds nothing to free). */
int lc_llmsum_run(const lc_llmsum_opts *o, const char *const *passages, const char *const *ids, size_t n,
                  lc_llmsum *r, lc_err *e);
void lc_llmsum_free(lc_llmsum *r);

#endif
