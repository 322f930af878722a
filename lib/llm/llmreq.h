/*
 * llmreq — OpenAI Batch request lines built by the one body builder every LLM
 * request of lctk goes through: lc_llm_body (lib/llm/llm: "model", "messages",
 * "temperature" when >= 0, "max_tokens" when > 0).  A Batch file and an HTTP run
 * with the same options therefore send the same body, whichever program or
 * subcommand writes it (lcgen candidates/probes, lcompress, via lib/llm/llmsum).
 *
 *   lc_llm *c = lc_llmreq_batch_client(&opts, &e);   // no key, no cache needed
 *   lc_llmreq_batch_line(c, &line, id, prompt);       // appends one line + "\n"
 *   lc_llm_free(c);
 *
 * Ownership: the client is the caller's (lc_llm_free); opts and strings are
 * borrowed; lines are appended to the caller's buffer.
 */
#ifndef LC_LLMREQ_H
#define LC_LLMREQ_H

#include "buf.h"
#include "err.h"
#include "llm.h"

/* A client used only to build bodies: the cache is off and a missing endpoint
 * defaults to OpenAI's (Batch files name no server).  NULL + e without a model. */
lc_llm *lc_llmreq_batch_client(const lc_llm_opts *o, lc_err *e);
/* Appends {"custom_id","method":"POST","url":"/v1/chat/completions","body":...}
 * for one user message holding prompt.  -1 (nothing appended) when prompt is
 * not valid UTF-8, else 0. */
int lc_llmreq_batch_line(const lc_llm *c, lc_buf *b, const char *custom_id, const char *prompt);
/* A Batch result for item i, whose answer content[i] and failure error[i] are
 * NULL until it has a result: 1 if it is to be kept — the first, or an answer
 * after a failure (the failed request resubmitted and the result files
 * concatenated; the failure is freed and cleared) — else 0: a repeat, warned
 * about once (where, id) and counted in *dup. */
int lc_llmreq_batch_keep(char **content, char **error, size_t i, int ok, const char *where, const char *id,
                         size_t *dup);

#endif
