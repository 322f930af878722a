/* llmsum — CoLoR summaries of many passages through an LLM (see llmsum.h). */
#include "llmsum.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "llmreq.h"
#include "output.h"
#include "progress.h"
#include "prompt.h"
#include "strmap.h"

typedef struct sctx {
	const char *const *passages;
	lc_llmsum *r;
	lc_progress prog;
	size_t ndone, nsend;
	lc_strmap ids;           /* batch_in: custom_id -> passage index */
	size_t unknown, dup;
} sctx;

void lc_llmsum_opts_default(lc_llmsum_opts *o)
{
	memset(o, 0, sizeof *o);
	lc_llm_opts_default(&o->llm);
	o->progress = LC_PROGRESS_AUTO;
}

static json_t *messages(const char *passage)
{
	lc_buf b = {0};
	lc_prompt_summarize(&b, passage);
	json_t *m = lc_llm_user_messages(b.p);
	lc_buf_free(&b);
	return m;
}

static json_t *make(void *ud, size_t i)
{
	sctx *x = ud;
	if (!*x->passages[i])
		return NULL;  /* an empty passage stays empty */
	json_t *m = messages(x->passages[i]);
	if (!m)
		x->r->error[i] = lc_xstrdup("the passage is not valid UTF-8");
	return m;
}

/* The summary an answer gives: "" for one that is empty or only white space
 * (a summary of nothing, so the passage is used), else the answer. */
static char *answer(sctx *x, const char *content)
{
	const char *p = content;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p)
		return lc_xstrdup(content);
	x->r->empty++;
	return lc_xstrdup("");
}

static void done(void *ud, size_t i, const lc_llm_result *res)
{
	sctx *x = ud;
	if (res->ok)
		x->r->summary[i] = answer(x, res->content);
	else
		x->r->error[i] = lc_xstrdup(res->error ? res->error : "error");
	lc_progress_update(&x->prog, ++x->ndone, x->nsend);
}

static void on_batch(void *ud, const char *id, const lc_llm_result *res, const char *where)
{
	sctx *x = ud;
	long i = lc_strmap_find(&x->ids, id, strlen(id));
	if (i < 0) {
		if (x->unknown++ == 0)
			lc_warn("%s: custom_id '%s' is not a passage of this run (ignored)", where, id);
		return;
	}
	int retried = x->r->error[i] != NULL;   /* a retry's answer replaces the failure: one request */
	if (!lc_llmreq_batch_keep(x->r->summary, x->r->error, (size_t)i, res->ok, where, id, &x->dup))
		return;
	x->r->requests += !retried;
	if (res->ok)
		x->r->summary[i] = answer(x, res->content);
	else
		x->r->error[i] = lc_xstrdup(res->error);
}

static int write_batch(const lc_llmsum_opts *o, sctx *x, const char *const *ids, size_t n, lc_err *e)
{
	lc_llm *cl = lc_llmreq_batch_client(&o->llm, e);
	if (!cl)
		return -1;
	lc_output *out = lc_output_open(o->batch_out);
	lc_buf line = {0}, prompt = {0};
	for (size_t i = 0; i < n; i++) {
		if (!*x->passages[i])
			continue;
		lc_buf_reset(&prompt);
		lc_prompt_summarize(&prompt, x->passages[i]);
		lc_buf_reset(&line);
		if (lc_llmreq_batch_line(cl, &line, ids[i], prompt.p) < 0) {
			x->r->error[i] = lc_xstrdup("the passage is not valid UTF-8");
			continue;
		}
		lc_output_write(out, line.p, line.len);
		x->r->requests++;
	}
	lc_buf_free(&line);
	lc_buf_free(&prompt);
	lc_llm_free(cl);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += x->r->error[i] != NULL;
	if (bad) {
		lc_output_abort(out);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %zu passage%s not valid UTF-8; no Batch file written", o->batch_out,
		                  bad, bad == 1 ? " is" : "s are");
	}
	lc_output_commit(out);
	return 0;
}

void lc_llmsum_free(lc_llmsum *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->summary[i]);
		free(r->error[i]);
	}
	free(r->summary);
	free(r->error);
	memset(r, 0, sizeof *r);
}

int lc_llmsum_run(const lc_llmsum_opts *o, const char *const *passages, const char *const *ids, size_t n,
                  lc_llmsum *r, lc_err *e)
{
	memset(r, 0, sizeof *r);
	if (o->batch_in && o->batch_out)
		return lc_err_set(e, LC_EXIT_USAGE, "--batch-in and --batch-out exclude each other");
	if ((o->batch_in || o->batch_out) && !ids)
		return lc_err_set(e, LC_EXIT_USAGE, "Batch files need an id per passage");
	r->n = n;
	r->summary = lc_xcalloc(n ? n : 1, sizeof *r->summary);
	r->error = lc_xcalloc(n ? n : 1, sizeof *r->error);
	sctx x = { .passages = passages, .r = r };
	int rc = 0;
	if (o->batch_out) {
		rc = write_batch(o, &x, ids, n, e);
	} else if (o->batch_in) {
		for (size_t i = 0; i < n; i++) {
			int is_new;
			lc_strmap_intern(&x.ids, ids[i], strlen(ids[i]), &is_new);
			if (!is_new) {
				rc = lc_err_set(e, LC_EXIT_INPUT, "id '%s' occurs twice: Batch results cannot be joined", ids[i]);
				break;
			}
		}
		if (rc == 0)
			rc = lc_llm_batch_read(o->batch_in, on_batch, &x, e);
		if (x.unknown > 1)
			lc_warn("%s: %zu results with unknown custom_ids ignored", o->batch_in, x.unknown);
		if (x.dup > 1)
			lc_warn("%s: %zu second results for a custom_id ignored (the first of each kept)", o->batch_in, x.dup);
		for (size_t i = 0; rc == 0 && i < n; i++)
			if (*passages[i] && !r->summary[i] && !r->error[i])
				r->error[i] = lc_xstrdup("no result for this custom_id in the Batch file");
		lc_strmap_free(&x.ids);
	} else {
		lc_llm *cl = lc_llm_new(&o->llm, e);
		if (!cl)
			rc = -1;
		else {
			for (size_t i = 0; i < n; i++)
				x.nsend += *passages[i] != 0;
			lc_progress_start(&x.prog, "summaries", o->progress);
			lc_llm_run(cl, n, make, done, &x);
			lc_progress_done(&x.prog);
			if (lc_llm_aborted(cl))
				rc = lc_err_set(e, LC_EXIT_INPUT, "%s", lc_llm_aborted(cl));
			r->stats = *lc_llm_stats_get(cl);
			r->requests = r->stats.requests;
			lc_llm_free(cl);
		}
	}
	if (rc < 0) {
		lc_llmsum_free(r);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (r->error[i] && !r->failed++)
			r->first_failed = i;
	return 0;
}
