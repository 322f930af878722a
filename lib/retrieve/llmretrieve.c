/* llmretrieve — corpus-in-context retrieval with an LLM (see llmretrieve.h). */
#include "llmretrieve.h"
#include "llmcost.h"
#include "trecid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "bm25.h"
#include "json.h"
#include "llmreq.h"   /* lc_llmreq_batch_keep */
#include "progress.h"
#include "prompt.h"
#include "sha256.h"

typedef struct plan {
	size_t *rows;        /* doc indices in the prompt, ascending; NULL = all docs */
	size_t nrows;
	size_t tokens;       /* counted prompt size (0 = not counted) */
} plan;

typedef struct ctx {
	const lc_llmr_opts *o;
	const lc_corpus *c;
	const lc_queries *qs;
	lc_prompt_tpl tpl;
	int titled;
	lc_prompt_doc *docs;
	const char **pids;
	size_t ndocs;        /* corpus rows + few-shot extras */
	unsigned char *gold; /* per doc: a few-shot gold passage (never dropped) */
	lc_prompt_shot *shots;
	size_t nshots;
	size_t *goldv;
	lc_queries fsq;
	lc_corpus fsc;
	int have_fsc;
	lc_bm25 *bm;
	lc_bm25_hit *hits;
	long *blocktok;
	long prefix_tokens;  /* tokens of the shared prompt before the query (all rows), -1 = not yet */
	plan *plans;
	char **content;      /* per query: the answer, or NULL */
	char **error;        /* per query: why there is none */
	lc_buf pb;           /* prompt scratch */
	lc_progress prog;
	size_t ndone;
	size_t dup_results, unknown_results;
} ctx;

void lc_llmr_opts_default(lc_llmr_opts *o)
{
	memset(o, 0, sizeof *o);
	lc_llm_opts_default(&o->llm);
	o->shots = 5;
	o->format = LC_LLMR_RUN;
	o->tag = "lctk-llm";
}

static const char *qid_of(const ctx *x, size_t i) { return x->qs->q[i].qid; }

/* --- setup ------------------------------------------------------------------- */

static long find_extra(const ctx *x, const char *pid)
{
	for (size_t d = x->c->n; d < x->ndocs; d++)
		if (!strcmp(x->pids[d], pid))
			return (long)d;
	return -1;
}

/* The doc of a few-shot query's gold pid: a corpus row, else a passage of
 * few_shot_corpus appended after the rows (once).  -1 + e when neither has it. */
static long shot_doc(ctx *x, const lc_query *q, const char *pid, lc_err *e)
{
	const lc_llmr_opts *o = x->o;
	long d = lc_corpus_find(x->c, pid);
	if (d < 0)
		d = find_extra(x, pid);
	if (d < 0 && x->have_fsc) {
		long f = lc_corpus_find(&x->fsc, pid);
		if (f >= 0) {
			d = (long)x->ndocs++;
			x->docs = lc_xrealloc(x->docs, x->ndocs * sizeof *x->docs);
			x->pids = lc_xrealloc(x->pids, x->ndocs * sizeof *x->pids);
			const lc_passage *p = &x->fsc.p[f];
			x->docs[d].title = p->title;
			x->docs[d].text = lc_prompt_doc_text(p->text, p->summary);
			x->pids[d] = p->pid;
		}
	}
	if (d < 0)
		lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: few-shot query '%s': gold pid '%s' is not in the corpus%s", o->few_shot,
		           q->line, q->qid, pid, x->have_fsc ? " nor in --few-shot-corpus" : " (give --few-shot-corpus FILE)");
	return d;
}

/* The pids of a few-shot query's metadata.qrels ([[pid, rel], ...]), which give
 * LOFT's reasoning lines; NULL when it has none (its answers are used).  The
 * caller decrefs. */
static json_t *shot_qrels(const lc_query *q)
{
	json_t *m = q->meta ? json_loads(q->meta, 0, NULL) : NULL;
	json_t *qr = m ? json_object_get(m, "qrels") : NULL;
	if (!json_is_array(qr) || !json_array_size(qr)) {
		json_decref(m);
		return NULL;
	}
	json_incref(qr);
	json_decref(m);
	return qr;
}

/* qrels element i as a pid ([pid, rel] or a bare pid; strings or integers) into b; NULL if neither. */
static const char *qrel_pid(json_t *qr, size_t i, lc_buf *b)
{
	json_t *v = json_array_get(qr, i);
	if (json_is_array(v))
		v = json_array_get(v, 0);
	lc_buf_reset(b);
	if (json_is_string(v))
		lc_buf_adds(b, json_string_value(v));
	else if (json_is_integer(v))
		lc_buf_printf(b, "%lld", (long long)json_integer_value(v));
	else
		return NULL;
	return b->p;
}

static int load_shots(ctx *x, lc_err *e)
{
	const lc_llmr_opts *o = x->o;
	if (!o->few_shot || o->shots == 0)
		return 0;
	lc_queries_opts qo = { .keep_meta = 1 };
	if (lc_queries_load(&x->fsq, o->few_shot, &qo, e) < 0)
		return -1;
	if (o->few_shot_corpus) {
		if (lc_corpus_load(&x->fsc, o->few_shot_corpus, NULL, e) < 0)
			return -1;
		x->have_fsc = 1;
	}
	x->nshots = x->fsq.n < o->shots ? x->fsq.n : o->shots;
	size_t ngold = 0;
	for (size_t s = 0; s < x->nshots; s++) {
		ngold += x->fsq.q[s].nans;
		json_t *qr = shot_qrels(&x->fsq.q[s]);
		ngold += qr ? json_array_size(qr) : 0;
		json_decref(qr);
	}
	x->shots = lc_xcalloc(x->nshots ? x->nshots : 1, sizeof *x->shots);
	x->goldv = lc_xcalloc(ngold ? ngold : 1, sizeof *x->goldv);
	size_t gi = 0;
	lc_buf pb = {0};
	for (size_t s = 0; s < x->nshots; s++) {
		const lc_query *q = &x->fsq.q[s];
		x->shots[s].query = q->text;
		x->shots[s].gold = x->goldv + gi;
		for (size_t a = 0; a < q->nans; a++) {
			if (q->ans[a].rel <= 0)
				continue;
			long d = shot_doc(x, q, q->ans[a].pid, e);
			if (d < 0) {
				lc_buf_free(&pb);
				return -1;
			}
			x->goldv[gi++] = (size_t)d;
			x->shots[s].ngold++;
		}
		if (x->shots[s].ngold == 0) {
			lc_buf_free(&pb);
			return lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: few-shot query '%s' has no relevant answers", o->few_shot,
			                  q->line, q->qid);
		}
		/* LOFT writes one reasoning line per pid of metadata.qrels, in its order */
		json_t *qr = shot_qrels(q);
		if (qr) {
			x->shots[s].reason = x->goldv + gi;
			for (size_t r = 0; r < json_array_size(qr); r++) {
				const char *pid = qrel_pid(qr, r, &pb);
				long d = pid ? shot_doc(x, q, pid, e) : -1;
				if (d < 0) {
					if (!pid)
						lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: few-shot query '%s': metadata.qrels item %zu is not "
						           "[pid, rel]", o->few_shot, q->line, q->qid, r + 1);
					json_decref(qr);
					lc_buf_free(&pb);
					return -1;
				}
				x->goldv[gi++] = (size_t)d;
				x->shots[s].nreason++;
			}
			json_decref(qr);
		}
	}
	lc_buf_free(&pb);
	x->gold = lc_xcalloc(x->ndocs, 1);
	for (size_t g = 0; g < gi; g++)
		x->gold[x->goldv[g]] = 1;
	return 0;
}

static int setup(ctx *x, lc_err *e)
{
	const lc_llmr_opts *o = x->o;
	char *name = o->prompt ? lc_xstrdup(o->prompt) : lc_prompt_guess(o->corpus_path);
	int r = lc_prompt_tpl_load(&x->tpl, name, e);
	if (r == 0 && o->verbose)
		lc_warn("prompt template: %s", name);
	free(name);
	if (r < 0)
		return -1;
	x->ndocs = x->c->n;
	x->docs = lc_xcalloc(x->ndocs ? x->ndocs : 1, sizeof *x->docs);
	x->pids = lc_xcalloc(x->ndocs ? x->ndocs : 1, sizeof *x->pids);
	for (size_t d = 0; d < x->c->n; d++) {
		const lc_passage *p = &x->c->p[d];
		x->docs[d].title = p->title;
		x->docs[d].text = lc_prompt_doc_text(p->text, p->summary);
		x->pids[d] = p->pid;
	}
	if (load_shots(x, e) < 0)
		return -1;
	if (!x->gold)
		x->gold = lc_xcalloc(x->ndocs ? x->ndocs : 1, 1);
	x->titled = lc_prompt_titled(&x->tpl, x->docs, x->ndocs);
	if (o->prefilter || (o->fit && o->context_limit)) {
		x->bm = lc_bm25_build(x->c, &o->bm25, e);
		if (!x->bm)
			return -1;
		x->hits = lc_xcalloc(x->c->n ? x->c->n : 1, sizeof *x->hits);
	}
	if (o->context_limit) {
		x->prefix_tokens = -1;
		x->blocktok = lc_xmalloc((x->ndocs ? x->ndocs : 1) * sizeof *x->blocktok);
		for (size_t d = 0; d < x->ndocs; d++)
			x->blocktok[d] = -1;
	}
	return 0;
}

/* --- planning ---------------------------------------------------------------- */

static int build(ctx *x, size_t i, lc_err *e)
{
	const plan *p = &x->plans[i];
	lc_buf_reset(&x->pb);
	if (lc_prompt_build(&x->pb, &x->tpl, x->titled, x->docs, x->ndocs, p->rows, p->rows ? p->nrows : 0, x->shots,
	                    x->nshots, x->qs->q[i].text, e) < 0) {
		char m[sizeof e->msg];
		snprintf(m, sizeof m, "%s", e->msg);
		return lc_err_set(e, LC_EXIT_INPUT, "query '%s': %s", qid_of(x, i), m);
	}
	return 0;
}

static size_t count(ctx *x, const char *s, size_t n) { return x->o->count(x->o->count_ud, s, n); }

static long block_tokens(ctx *x, size_t d)
{
	if (x->blocktok[d] < 0) {
		lc_buf b = {0};
		lc_prompt_block(&b, x->titled, d, &x->docs[d]);
		x->blocktok[d] = (long)count(x, b.p, b.len);
		lc_buf_free(&b);
	}
	return x->blocktok[d];
}

static void set_rows(plan *p, const unsigned char *in, size_t ndocs)
{
	size_t n = 0;
	for (size_t d = 0; d < ndocs; d++)
		n += in[d];
	free(p->rows);
	p->rows = lc_xmalloc((n ? n : 1) * sizeof *p->rows);
	p->nrows = 0;
	for (size_t d = 0; d < ndocs; d++)
		if (in[d])
			p->rows[p->nrows++] = d;
}

static int plan_query(ctx *x, size_t i, lc_err *e)
{
	const lc_llmr_opts *o = x->o;
	plan *p = &x->plans[i];
	const char *q = x->qs->q[i].text;
	unsigned char *in = NULL;
	size_t nhits = 0;
	if (o->prefilter) {
		in = lc_xcalloc(x->ndocs ? x->ndocs : 1, 1);
		nhits = lc_bm25_search(x->bm, q, x->c->n, x->hits);
		for (size_t h = 0; h < nhits && h < o->prefilter; h++)
			in[x->hits[h].doc] = 1;
		for (size_t d = 0; d < x->ndocs; d++)
			in[d] |= x->gold[d];
		set_rows(p, in, x->ndocs);
	}
	if (!o->context_limit) {
		free(in);
		return 0;
	}
	if (build(x, i, e) < 0)
		goto fail;
	size_t n;
	if (!p->rows) {
		/* every prompt shares everything before the query: count that once.  Token
		 * counts add up except at the junction (one pre-token each side), so a sum
		 * well inside the limit is accepted; near the limit the prompt is counted whole */
		lc_buf tail = {0};
		lc_prompt_tail(&tail, &x->tpl, q);
		if (x->prefix_tokens < 0)
			x->prefix_tokens = (long)count(x, x->pb.p, x->pb.len - tail.len);
		n = (size_t)x->prefix_tokens + count(x, tail.p, tail.len);
		lc_buf_free(&tail);
		if (n + 64 > o->context_limit)
			n = count(x, x->pb.p, x->pb.len);
	} else
		n = count(x, x->pb.p, x->pb.len);
	if (n > o->context_limit) {
		if (!o->fit) {
			lc_err_set(e, LC_EXIT_INPUT,
			           "query '%s': the prompt is %zu tokens, over --context-limit %zu (%zu passages); "
			           "use --fit, --prefilter K or a compressed corpus",
			           qid_of(x, i), n, o->context_limit, p->rows ? p->nrows : x->ndocs);
			goto fail;
		}
		/* drop order: BM25's ranking from the bottom; documents without any query
		 * term rank below all hits, later rows lower */
		if (!o->prefilter)
			nhits = lc_bm25_search(x->bm, q, x->c->n, x->hits);
		size_t *order = lc_xmalloc((x->c->n ? x->c->n : 1) * sizeof *order);
		unsigned char *seen = lc_xcalloc(x->c->n ? x->c->n : 1, 1);
		size_t no = 0;
		for (size_t h = 0; h < nhits; h++) {
			order[no++] = x->hits[h].doc;
			seen[x->hits[h].doc] = 1;
		}
		for (size_t d = 0; d < x->c->n; d++)
			if (!seen[d])
				order[no++] = d;
		free(seen);
		if (!in) {
			in = lc_xmalloc(x->ndocs ? x->ndocs : 1);
			memset(in, 1, x->ndocs);
		}
		size_t pos = no;
		while (n > o->context_limit) {
			long excess = (long)(n - o->context_limit), dropped = 0;
			int any = 0;
			while (dropped < excess && pos > 0) {
				size_t d = order[--pos];
				if (in[d] && !x->gold[d]) {
					in[d] = 0;
					dropped += block_tokens(x, d);
					any = 1;
				}
			}
			if (!any) {
				lc_err_set(e, LC_EXIT_INPUT,
				           "query '%s': the prompt does not fit --context-limit %zu even with only the few-shot "
				           "passages (%zu tokens)", qid_of(x, i), o->context_limit, n);
				free(order);
				goto fail;
			}
			set_rows(p, in, x->ndocs);
			if (build(x, i, e) < 0) {
				free(order);
				goto fail;
			}
			n = count(x, x->pb.p, x->pb.len);
		}
		free(order);
		if (o->verbose)
			lc_warn("query '%s': kept %zu of %zu passages to fit %zu tokens", qid_of(x, i), p->nrows, x->ndocs,
			        o->context_limit);
	}
	p->tokens = n;
	free(in);
	return 0;
fail:
	free(in);
	return -1;
}

/* --- requests ---------------------------------------------------------------- */

static json_t *make_msgs(void *ud, size_t i)
{
	ctx *x = ud;
	lc_err e = {0};
	if (build(x, i, &e) < 0) {   /* planned already: cannot fail */
		x->error[i] = lc_xstrdup(e.msg);
		return NULL;
	}
	json_t *m = lc_llm_user_messages(x->pb.p);
	if (!m)
		x->error[i] = lc_xstrdup("the prompt is not valid UTF-8");
	return m;
}

/* --- results and Batch files, shared by lc_llmr_run and lc_llmr_ask ------------ */

/* Keeps item i's answer in content[i], or why there is none in error[i]. */
static void keep_result(char **content, char **error, size_t i, const lc_llm_result *r)
{
	if (r->ok)
		content[i] = lc_xstrdup(r->content);
	else
		error[i] = lc_xstrdup(r->error ? r->error : "error");
}

/* One line of a Batch results file: the item named by its custom_id in ids.  An
 * unknown custom_id or a second result is warned about once and counted; an
 * answer replaces an earlier failure (the failed requests resubmitted, their
 * results concatenated after the first file's). */
static void keep_batch_result(const lc_strmap *ids, char **content, char **error, size_t *unknown, size_t *dup,
                              const char *kind, const char *id, const lc_llm_result *r, const char *where)
{
	long i = lc_strmap_find(ids, id, strlen(id));
	if (i < 0) {
		if ((*unknown)++ == 0)
			lc_warn("%s: custom_id '%s' is not a %s of this run (ignored)", where, id, kind);
		return;
	}
	if (lc_llmreq_batch_keep(content, error, (size_t)i, r->ok, where, id, dup))
		keep_result(content, error, (size_t)i, r);
}

/* item(ud, i, &id, e): builds item i's prompt and returns it (NULL = skip the
 * item; NULL with e->code set = error). */
typedef const char *(*batch_item_fn)(void *ud, size_t i, const char **id, lc_err *e);

/* Writes one OpenAI Batch request per item to path (atomically: nothing on
 * error) and warns when the file is over OpenAI's limits.  kind and quote name
 * an item in messages ("query 'q1'", "request [...]").  *written = requests. */
static int write_batch_file(const char *path, lc_llm *cl, size_t n, batch_item_fn item, void *ud,
                            const char *kind, const char *quote, size_t *written, lc_err *e)
{
	lc_output *bo = lc_output_open(path);
	lc_buf line = {0};
	unsigned long long bytes = 0;
	*written = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = NULL;
		e->code = 0;
		const char *prompt = item(ud, i, &id, e);
		if (!prompt && e->code)
			goto fail;
		if (!prompt)
			continue;
		json_t *m = lc_llm_user_messages(prompt);
		if (!m) {
			lc_err_set(e, LC_EXIT_INPUT, "%s %s%s%s: the prompt is not valid UTF-8", kind, quote, id, quote);
			goto fail;
		}
		json_t *body = lc_llm_body(cl, m);
		lc_buf_reset(&line);
		lc_llm_batch_request(&line, id, body);
		lc_output_write(bo, line.p, line.len);
		bytes += line.len;
		(*written)++;
		json_decref(body);
		json_decref(m);
	}
	lc_buf_free(&line);
	lc_output_commit(bo);
	if (bytes > 200ULL * 1000 * 1000 || *written > 50000)
		lc_warn("%s: %zu requests, %.0f MB: over OpenAI's Batch limits (50,000 requests, 200 MB per file); "
		        "split it with lcbatch split %s and submit the parts", path, *written, bytes / 1e6, path);
	return 0;
fail:
	lc_output_abort(bo);
	lc_buf_free(&line);
	return -1;
}

static void on_done(void *ud, size_t i, const lc_llm_result *r)
{
	ctx *x = ud;
	keep_result(x->content, x->error, i, r);
	lc_progress_update(&x->prog, ++x->ndone, x->qs->n);
}

static void on_batch(void *ud, const char *id, const lc_llm_result *r, const char *where)
{
	ctx *x = ud;
	keep_batch_result(&x->qs->qids.ids, x->content, x->error, &x->unknown_results, &x->dup_results,
	                  "query", id, r, where);
}

static const char *batch_query(void *ud, size_t i, const char **id, lc_err *e)
{
	ctx *x = ud;
	*id = qid_of(x, i);
	return build(x, i, e) < 0 ? NULL : x->pb.p;
}

/* --dry-run: every prompt built and counted, nothing sent.  The prompt is the one
 * user message's content; a chat template's few tokens per message are not in it. */
static int dry_run(ctx *x, lc_output *out, lc_err *e)
{
	const lc_llmr_opts *o = x->o;
	if (!o->count)
		return lc_err_set(e, LC_EXIT_USAGE, "--dry-run needs the model's tokenizer to count prompts (-e SPEC)");
	lc_llm_dry d = { .max_tokens = o->llm.max_tokens, .price_in = o->price_in, .price_out = o->price_out };
	size_t n = x->qs->n;
	lc_buf line = {0};
	for (size_t i = 0; i < n; i++) {
		const plan *p = &x->plans[i];
		size_t t = p->tokens;   /* counted already when planned under --context-limit */
		if (!t) {
			if (build(x, i, e) < 0) {
				lc_buf_free(&line);
				return -1;
			}
			t = count(x, x->pb.p, x->pb.len);
		}
		lc_llm_dry_add(&d, t);
		lc_buf_reset(&line);
		lc_buf_adds(&line, "{\"qid\":");
		lc_json_quote(&line, qid_of(x, i), strlen(qid_of(x, i)));
		lc_buf_printf(&line, ",\"prompt_tokens\":%zu,\"passages\":%zu}\n", t, p->rows ? p->nrows : x->ndocs);
		if (out)
			lc_output_write(out, line.p, line.len);
	}
	lc_buf_free(&line);
	lc_llm_dry_print(&d);
	if (o->report)
		json_object_set_new(o->report, "dry_run", lc_llm_dry_report(&d));
	return 0;
}

static int write_batch(ctx *x, lc_llm *cl, lc_err *e)
{
	size_t written;
	if (write_batch_file(x->o->batch_out, cl, x->qs->n, batch_query, x, "query", "'", &written, e) < 0)
		return -1;
	if (x->o->verbose)
		lc_warn("%s: %zu Batch requests written", x->o->batch_out, written);
	return 0;
}

/* --- output ------------------------------------------------------------------ */

/* One query's prediction in the chosen form.  ids = the model's list mapped to
 * pids, as LOFT keeps it (repeats included); unanswered = the answer could not
 * be mapped (LOFT writes no prediction and counts the query as unanswered).
 *   LOFT     the list (its first k entries, as the others); no line when unanswered.
 *   run      the first k entries best first, score = entries - position; an entry
 *            repeating an earlier pid has "repeat":true (trec_eval measures skip
 *            it, LOFT measures count its top-k slot); unanswered = no hits and
 *            "answered":false.
 *   TREC     distinct pids as run lines (rank = position in the list); repeats,
 *            an empty list and an unanswered query as "#lctk ..." comment lines,
 *            which trec_eval skips and lceval's LOFT measures read. */
static void write_query(ctx *x, size_t i, const lc_strlist *ids, int unanswered, lc_output *out, lc_buf *b)
{
	const lc_llmr_opts *o = x->o;
	const char *qid = qid_of(x, i);
	lc_buf_reset(b);
	if (o->format == LC_LLMR_LOFT) {
		if (unanswered)
			return;
		lc_buf_adds(b, "{\"qid\":");
		lc_json_quote(b, qid, strlen(qid));
		lc_buf_adds(b, ",\"num_turns\":1,\"model_outputs\":[[");
		size_t n = o->k && ids->n > o->k ? o->k : ids->n;
		for (size_t k = 0; k < n; k++) {
			if (k)
				lc_buf_addc(b, ',');
			lc_json_quote(b, ids->s[k], strlen(ids->s[k]));
		}
		lc_buf_adds(b, "]]}\n");
		lc_output_write(out, b->p, b->len);
		return;
	}
	size_t n = unanswered ? 0 : ids->n;
	if (o->k && n > o->k)
		n = o->k;
	if (o->format == LC_LLMR_TREC) {
		if (unanswered || n == 0)
			lc_buf_printf(b, "#lctk %s %s\n", unanswered ? "unanswered" : "empty", qid);
		for (size_t k = 0; k < n; k++) {
			int rep = 0;
			for (size_t j = 0; j < k && !rep; j++)
				rep = !strcmp(ids->s[j], ids->s[k]);
			lc_buf_printf(b, "%s%s Q0 %s %zu %zu %s\n", rep ? "#lctk repeat " : "", qid, ids->s[k], k + 1, n - k,
			              o->tag);
		}
	} else {
		lc_buf_adds(b, "{\"qid\":");
		lc_json_quote(b, qid, strlen(qid));
		lc_buf_adds(b, ",\"hits\":[");
		for (size_t k = 0; k < n; k++) {
			int rep = 0;
			for (size_t j = 0; j < k && !rep; j++)
				rep = !strcmp(ids->s[j], ids->s[k]);
			lc_buf_adds(b, k ? ",{\"pid\":" : "{\"pid\":");
			lc_json_quote(b, ids->s[k], strlen(ids->s[k]));
			lc_buf_printf(b, ",\"score\":%zu%s}", n - k, rep ? ",\"repeat\":true" : "");
		}
		lc_buf_adds(b, unanswered ? "],\"answered\":false}\n" : "]}\n");
	}
	lc_output_write(out, b->p, b->len);
}

static int emit(ctx *x, lc_output *out, lc_err *e)
{
	const lc_llmr_opts *o = x->o;
	size_t failed = 0, empty = 0, nunanswered = 0;
	const char *first = NULL;
	for (size_t i = 0; i < x->qs->n; i++) {
		if (x->content[i])
			continue;
		failed++;
		lc_warn("query '%s': %s", qid_of(x, i), x->error[i] ? x->error[i] : "no answer");
		if (!first)
			first = qid_of(x, i);
	}
	if (failed && !o->skip_bad)
		return lc_err_set(e, LC_EXIT_INPUT, "%zu of %zu queries got no answer (first: '%s'); nothing written (%s)",
		                  failed, x->qs->n, first,
		                  o->batch_in ? "resubmit those requests, or give --skip-bad"
		                  : o->llm.no_cache ? "give --skip-bad to write the others"
		                                    : "answers received are cached: re-run to resume, or give --skip-bad");
	lc_output *resp = o->responses ? lc_output_open(o->responses) : NULL;
	if (resp && o->responses_head)
		lc_output_write(resp, o->responses_head, strlen(o->responses_head));
	if (resp && o->responses_tail)
		lc_output_set_trailer(resp, o->responses_tail);
	lc_strlist ids = {0};
	lc_buf b = {0};
	char **rowpids = lc_xmalloc((x->ndocs ? x->ndocs : 1) * sizeof *rowpids);
	for (size_t i = 0; i < x->qs->n; i++) {
		const char *a = x->content[i];
		if (!a)
			continue;
		const plan *p = &x->plans[i];
		size_t nrows = p->rows ? p->nrows : x->ndocs;
		for (size_t r = 0; r < nrows; r++)
			rowpids[r] = (char *)x->pids[p->rows ? p->rows[r] : r];
		int flags = lc_answer_parse(a, strlen(a), LC_ANSWER_LOFT_53358FF, &ids);
		int unanswered = lc_answer_map(&ids, flags, rowpids, nrows) < 0;
		if (unanswered) {
			nunanswered++;
			lc_strlist_clear(&ids);
		} else if (ids.n == 0)
			empty++;
		if (resp) {
			/* the raw text (ids are rows of THIS prompt) and the pids they map to:
			 * LOFT's list (repeats kept), null when it could not be mapped */
			lc_buf_reset(&b);
			lc_buf_adds(&b, "{\"qid\":");
			lc_json_quote(&b, qid_of(x, i), strlen(qid_of(x, i)));
			lc_buf_adds(&b, ",\"response_text\":");
			lc_json_quote(&b, a, strlen(a));
			lc_buf_adds(&b, unanswered ? ",\"pids\":null" : ",\"pids\":[");
			for (size_t k = 0; k < ids.n; k++) {
				if (k)
					lc_buf_addc(&b, ',');
				lc_json_quote(&b, ids.s[k], strlen(ids.s[k]));
			}
			lc_buf_adds(&b, unanswered ? "}\n" : "]}\n");
			lc_output_write(resp, b.p, b.len);
		}
		write_query(x, i, &ids, unanswered, out, &b);
	}
	free(rowpids);
	lc_strlist_free(&ids);
	lc_buf_free(&b);
	if (resp)
		lc_output_commit(resp);
	if (empty)
		lc_warn("%zu of %zu answers gave an empty prediction (no Final Answer list, or an empty one): scored 0",
		        empty, x->qs->n - failed);
	if (nunanswered)
		lc_warn("%zu of %zu answers name an id that is not in the prompt: unanswered, as LOFT counts them "
		        "(num_unanswered_queries), scored 0", nunanswered, x->qs->n - failed);
	if (failed)
		lc_warn("skipped %zu queries without an answer", failed);
	if (o->report) {
		json_object_set_new(o->report, "queries", json_integer((json_int_t)x->qs->n));
		json_object_set_new(o->report, "failed_queries", json_integer((json_int_t)failed));
		json_object_set_new(o->report, "empty_predictions", json_integer((json_int_t)empty));
		json_object_set_new(o->report, "unanswered", json_integer((json_int_t)nunanswered));
	}
	return 0;
}

/* --- driver ------------------------------------------------------------------ */

/* Warns once with counts when gold pids of the queries are not in the corpus. */
static void check_gold(const lc_corpus *c, const lc_queries *qs)
{
	size_t missing = 0, total = 0, nq = 0;
	const char *example = NULL;
	for (size_t i = 0; i < qs->n; i++) {
		int miss = 0;
		for (size_t a = 0; a < qs->q[i].nans; a++) {
			total++;
			if (lc_corpus_find(c, qs->q[i].ans[a].pid) < 0) {
				missing++;
				miss = 1;
				if (!example)
					example = qs->q[i].ans[a].pid;
			}
		}
		nq += miss;
	}
	if (missing)
		lc_warn("warning: %zu of %zu gold pids (in %zu of %zu queries; e.g. '%s') are not in the corpus; "
		        "those queries cannot score fully", missing, total, nq, qs->n, example);
}

int lc_llmr_run(const lc_llmr_opts *o, const lc_corpus *c, const lc_queries *qs, lc_output *out, lc_err *e)
{
	ctx x = {0};
	x.o = o;
	x.c = c;
	x.qs = qs;
	int rc = -1;
	lc_llm *cl = NULL;
	if ((o->context_limit || o->dry_run) && !o->count) {
		lc_err_set(e, LC_EXIT_USAGE, "%s needs a tokenizer", o->dry_run ? "--dry-run" : "--context-limit");
		return -1;
	}
	if (o->batch_in && o->batch_out) {
		lc_err_set(e, LC_EXIT_USAGE, "--batch-in and --batch-out exclude each other");
		return -1;
	}
	if (!o->quiet)
		check_gold(c, qs);
	if (o->format == LC_LLMR_TREC && !o->batch_out && !o->dry_run) {
		/* a TREC run cannot hold an id with white space: refuse before paying */
		for (size_t i = 0; i < qs->n; i++)
			if (lc_trec_id_check(qs->q[i].qid, "qid", "TREC", e) < 0)
				return -1;
		for (size_t d = 0; d < c->n; d++)
			if (lc_trec_id_check(c->p[d].pid, "pid", "TREC", e) < 0)
				return -1;
	}
	if (setup(&x, e) < 0)
		goto done;
	x.plans = lc_xcalloc(qs->n ? qs->n : 1, sizeof *x.plans);
	x.content = lc_xcalloc(qs->n ? qs->n : 1, sizeof *x.content);
	x.error = lc_xcalloc(qs->n ? qs->n : 1, sizeof *x.error);
	for (size_t i = 0; i < qs->n; i++)
		if (plan_query(&x, i, e) < 0)
			goto done;
	if (o->dry_run) {
		rc = dry_run(&x, out, e);
		goto done;
	}
	if (o->batch_in) {
		if (lc_llm_batch_read(o->batch_in, on_batch, &x, e) < 0)
			goto done;
		for (size_t i = 0; i < qs->n; i++)
			if (!x.content[i] && !x.error[i])
				x.error[i] = lc_xstrdup("no result for this custom_id in the Batch file");
		if (x.unknown_results > 1)
			lc_warn("%s: %zu results with unknown custom_ids ignored", o->batch_in, x.unknown_results);
		if (x.dup_results > 1)
			lc_warn("%s: %zu second results for a custom_id ignored (the first of each kept)", o->batch_in,
			        x.dup_results);
		rc = emit(&x, out, e);
		goto done;
	}
	if (o->batch_out) {
		/* body only: endpoint/model checked for form, the key is not needed */
		lc_llm_opts lo = o->llm;
		lo.no_cache = 1;
		if (!lo.endpoint || !*lo.endpoint)
			lo.endpoint = "https://api.openai.com/v1";
		if (!(cl = lc_llm_new(&lo, e)))
			goto done;
		rc = write_batch(&x, cl, e);
		goto done;
	}
	if (!(cl = lc_llm_new(&o->llm, e)))
		goto done;
	lc_progress_start(&x.prog, "requests", o->progress);
	lc_llm_run(cl, qs->n, make_msgs, on_done, &x);
	lc_progress_done(&x.prog);
	if (lc_llm_aborted(cl)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s", lc_llm_aborted(cl));
		goto done;
	}
	rc = emit(&x, out, e);
done:
	if (o->report && cl && !o->batch_out) {
		const lc_llm_stats *st = lc_llm_stats_get(cl);
		json_object_set_new(o->report, "requests", json_pack("{s:I, s:I, s:I, s:I, s:I}", "completed",
		                    (json_int_t)st->requests, "cached", (json_int_t)st->cached, "http", (json_int_t)st->http,
		                    "retries", (json_int_t)st->retries, "failed", (json_int_t)st->failed));
	}
	lc_llm_free(cl);
	for (size_t i = 0; x.plans && i < qs->n; i++) {
		free(x.plans[i].rows);
		free(x.content[i]);
		free(x.error[i]);
	}
	free(x.plans);
	free(x.content);
	free(x.error);
	lc_prompt_tpl_free(&x.tpl);
	free(x.docs);
	free(x.pids);
	free(x.gold);
	free(x.shots);
	free(x.goldv);
	free(x.blocktok);
	free(x.hits);
	if (x.bm)
		lc_bm25_free(x.bm);
	if (x.fsq.n || x.fsq.q)
		lc_queries_free(&x.fsq);
	if (x.have_fsc)
		lc_corpus_free(&x.fsc);
	lc_buf_free(&x.pb);
	return rc;
}

/* --- lc_llmr_ask: one prompt per request, a passage swapped ------------------ */

typedef struct actx {
	ctx x;                       /* template, docs, few-shot (setup()) */
	const lc_llmr_req *reqs;
	size_t n;
	char **content, **error;
	size_t *rowbuf;              /* scratch: the rows of one prompt */
	unsigned char *mark;         /* scratch: per doc */
	lc_strmap ids;               /* batch_in: custom_id -> request */
	size_t unknown, dup;
	size_t *same;                /* per request: the first request with the same prompt */
	size_t nuniq;
} actx;

/* The rows of request i's prompt in a->rowbuf (NULL = every row). */
static const size_t *req_rows(actx *a, size_t i, size_t *nrows)
{
	const lc_llmr_req *r = &a->reqs[i];
	ctx *x = &a->x;
	if (!r->rows) {
		*nrows = 0;
		return NULL;
	}
	memset(a->mark, 0, x->ndocs);
	for (size_t k = 0; k < r->nrows; k++)
		if (r->rows[k] < x->c->n)
			a->mark[r->rows[k]] = 1;
	size_t m = 0;
	for (size_t d = 0; d < x->ndocs; d++)
		if (a->mark[d] || x->gold[d])
			a->rowbuf[m++] = d;
	*nrows = m;
	return a->rowbuf;
}

static int build_req(actx *a, size_t i, lc_err *e)
{
	ctx *x = &a->x;
	const lc_llmr_req *r = &a->reqs[i];
	size_t nrows;
	const size_t *rows = req_rows(a, i, &nrows);
	const char *keep = NULL;
	if (r->subst >= 0 && (size_t)r->subst < x->c->n) {
		keep = x->docs[r->subst].text;
		x->docs[r->subst].text = r->subst_text ? r->subst_text : "";
	}
	lc_buf_reset(&x->pb);
	int rc = lc_prompt_build(&x->pb, &x->tpl, x->titled, x->docs, x->ndocs, rows, nrows, x->shots, x->nshots,
	                         r->query, e);
	if (keep)
		x->docs[r->subst].text = keep;
	if (rc < 0) {
		char m[sizeof e->msg];
		snprintf(m, sizeof m, "%s", e->msg);
		return lc_err_set(e, LC_EXIT_INPUT, "request %s: %s", r->id, m);
	}
	return 0;
}

static json_t *ask_make(void *ud, size_t i)
{
	actx *a = ud;
	lc_err e = {0};
	if (a->same[i] != i)
		return NULL;   /* the same prompt as an earlier request: its answer is copied */
	if (build_req(a, i, &e) < 0) {   /* checked before the run: cannot fail */
		a->error[i] = lc_xstrdup(e.msg);
		return NULL;
	}
	json_t *m = lc_llm_user_messages(a->x.pb.p);
	if (!m)
		a->error[i] = lc_xstrdup("the prompt is not valid UTF-8");
	return m;
}

static void ask_done(void *ud, size_t i, const lc_llm_result *r)
{
	actx *a = ud;
	keep_result(a->content, a->error, i, r);
	lc_progress_update(&a->x.prog, ++a->x.ndone, a->nuniq);
}

static void ask_batch(void *ud, const char *id, const lc_llm_result *r, const char *where)
{
	actx *a = ud;
	keep_batch_result(&a->ids, a->content, a->error, &a->unknown, &a->dup, "request", id, r, where);
}

/* Requests with the same prompt as an earlier one are written once. */
static const char *batch_req(void *ud, size_t i, const char **id, lc_err *e)
{
	actx *a = ud;
	*id = a->reqs[i].id;
	if (a->same[i] != i)
		return NULL;
	return build_req(a, i, e) < 0 ? NULL : a->x.pb.p;
}

static int ask_write_batch(actx *a, lc_llm *cl, lc_err *e)
{
	size_t written;
	return write_batch_file(a->x.o->batch_out, cl, a->n, batch_req, a, "request", "", &written, e);
}

void lc_llmr_ans_free(lc_llmr_ans *ans, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lc_strlist_free(&ans[i].pids);
		free(ans[i].error);
		memset(&ans[i], 0, sizeof ans[i]);
	}
}

int lc_llmr_ask(const lc_llmr_opts *o, const lc_corpus *c, const lc_llmr_req *reqs, size_t n, lc_llmr_ans *ans,
                lc_err *e)
{
	lc_llmr_opts so = *o;   /* the caller chooses the rows: no prefilter or fitting; the limit is checked below */
	so.prefilter = 0;
	so.fit = 0;
	so.context_limit = 0;
	actx a = {0};
	ctx *x = &a.x;
	x->o = &so;
	x->c = c;
	a.reqs = reqs;
	a.n = n;
	memset(ans, 0, n * sizeof *ans);
	int rc = -1;
	lc_llm *cl = NULL;
	if (o->batch_in && o->batch_out) {
		lc_err_set(e, LC_EXIT_USAGE, "--batch-in and --batch-out exclude each other");
		return -1;
	}
	if ((o->context_limit || o->dry_run) && !o->count) {
		lc_err_set(e, LC_EXIT_USAGE, "%s needs a tokenizer", o->dry_run ? "--dry-run" : "--context-limit");
		return -1;
	}
	if (setup(x, e) < 0)
		goto done;
	a.content = lc_xcalloc(n ? n : 1, sizeof *a.content);
	a.error = lc_xcalloc(n ? n : 1, sizeof *a.error);
	a.rowbuf = lc_xmalloc((x->ndocs ? x->ndocs : 1) * sizeof *a.rowbuf);
	a.mark = lc_xmalloc(x->ndocs ? x->ndocs : 1);
	/* every prompt is built once before anything is sent: a bad request costs
	 * nothing; identical prompts (e.g. the unchanged passage of several gold
	 * passages of one query) are sent once */
	a.same = lc_xmalloc((n ? n : 1) * sizeof *a.same);
	{
		lc_strmap seen = {0};
		size_t *first = NULL;
		char hex[65];
		for (size_t i = 0; i < n; i++) {
			if (build_req(&a, i, e) < 0) {
				lc_strmap_free(&seen);
				free(first);
				goto done;
			}
			lc_sha256_hex(x->pb.p, x->pb.len, hex);
			int is_new;
			uint32_t id = lc_strmap_intern(&seen, hex, 64, &is_new);
			if (is_new) {
				first = lc_xrealloc(first, (id + 1) * sizeof *first);
				first[id] = i;
				a.nuniq++;
				size_t nt = o->context_limit || o->dry_run ? o->count(o->count_ud, x->pb.p, x->pb.len) : 0;
				if (o->dry_run)
					ans[i].prompt_tokens = nt;
				if (o->context_limit && nt > o->context_limit) {
					lc_err_set(e, LC_EXIT_INPUT, "request %s: the prompt is %zu tokens, over --context-limit %zu; "
					           "use --context N or a compressed corpus", reqs[i].id, nt, o->context_limit);
					lc_strmap_free(&seen);
					free(first);
					goto done;
				}
			}
			a.same[i] = first[id];
			ans[i].repeat = a.same[i] != i;
			if (ans[i].repeat)
				ans[i].prompt_tokens = ans[a.same[i]].prompt_tokens;
		}
		lc_strmap_free(&seen);
		free(first);
	}
	if (o->dry_run) {   /* built and counted: nothing is sent or written */
		rc = 0;
		goto done;
	}
	if (o->batch_out) {
		lc_llm_opts lo = o->llm;   /* the body only: no key, no cache */
		lo.no_cache = 1;
		if (!lo.endpoint || !*lo.endpoint)
			lo.endpoint = "https://api.openai.com/v1";
		if (!(cl = lc_llm_new(&lo, e)))
			goto done;
		rc = ask_write_batch(&a, cl, e);
		goto done;
	}
	if (o->batch_in) {
		for (size_t i = 0; i < n; i++) {
			int is_new;
			lc_strmap_intern(&a.ids, reqs[i].id, strlen(reqs[i].id), &is_new);
			if (!is_new) {
				lc_err_set(e, LC_EXIT_INPUT, "request id '%s' occurs twice: Batch results cannot be joined", reqs[i].id);
				goto done;
			}
		}
		if (lc_llm_batch_read(o->batch_in, ask_batch, &a, e) < 0)
			goto done;
		if (a.unknown > 1)
			lc_warn("%s: %zu results with unknown custom_ids ignored", o->batch_in, a.unknown);
		if (a.dup > 1)
			lc_warn("%s: %zu second results for a custom_id ignored (the first of each kept)", o->batch_in, a.dup);
		for (size_t i = 0; i < n; i++)
			if (!a.content[i] && !a.error[i])
				a.error[i] = lc_xstrdup("no result for this custom_id in the Batch file");
	} else {
		if (!(cl = lc_llm_new(&o->llm, e)))
			goto done;
		lc_progress_start(&x->prog, "requests", o->progress);
		lc_llm_run(cl, n, ask_make, ask_done, &a);
		lc_progress_done(&x->prog);
		if (lc_llm_aborted(cl)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s", lc_llm_aborted(cl));
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (a.same[i] != i && !a.content[i]) {
			free(a.error[i]);
			a.error[i] = NULL;
			size_t f = a.same[i];
			if (a.content[f])
				a.content[i] = lc_xstrdup(a.content[f]);
			else if (a.error[f])
				a.error[i] = lc_xstrdup(a.error[f]);
		}
	char **rowpids = lc_xmalloc((x->ndocs ? x->ndocs : 1) * sizeof *rowpids);
	for (size_t i = 0; i < n; i++) {
		if (!a.content[i]) {
			ans[i].error = a.error[i];
			a.error[i] = NULL;
			if (!ans[i].error)
				ans[i].error = lc_xstrdup("no answer");
			continue;
		}
		ans[i].answered = 1;
		size_t nrows;
		const size_t *rows = req_rows(&a, i, &nrows);
		if (!rows)
			nrows = x->ndocs;
		for (size_t r = 0; r < nrows; r++)
			rowpids[r] = (char *)x->pids[rows ? rows[r] : r];
		lc_strlist ids = {0};
		int flags = lc_answer_parse(a.content[i], strlen(a.content[i]), LC_ANSWER_LOFT_53358FF, &ids);
		if (lc_answer_map(&ids, flags, rowpids, nrows) == 0 && ids.n > 0) {
			ans[i].parsed = 1;
			for (size_t k = 0; k < ids.n; k++) {
				int dup = 0;
				for (size_t j = 0; j < ans[i].pids.n && !dup; j++)
					dup = !strcmp(ans[i].pids.s[j], ids.s[k]);
				if (!dup)
					lc_strlist_push(&ans[i].pids, ids.s[k], strlen(ids.s[k]));
			}
		}
		lc_strlist_free(&ids);
	}
	free(rowpids);
	rc = 0;
done:
	lc_llm_free(cl);
	for (size_t i = 0; a.content && i < n; i++) {
		free(a.content[i]);
		free(a.error[i]);
	}
	free(a.content);
	free(a.error);
	free(a.rowbuf);
	free(a.mark);
	free(a.same);
	lc_strmap_free(&a.ids);
	lc_prompt_tpl_free(&x->tpl);
	free(x->docs);
	free(x->pids);
	free(x->gold);
	free(x->shots);
	free(x->goldv);
	free(x->blocktok);
	free(x->hits);
	if (x->bm)
		lc_bm25_free(x->bm);
	if (x->fsq.n || x->fsq.q)
		lc_queries_free(&x->fsq);
	if (x->have_fsc)
		lc_corpus_free(&x->fsc);
	lc_buf_free(&x->pb);
	if (rc < 0)
		lc_llmr_ans_free(ans, n);
	return rc;
}
