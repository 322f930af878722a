/* bm25 — BM25 search over an index built in memory (bm25_build.c) or mapped,
 * including substituted-document scoring for CoLoR (see bm25.h). */
#include "bm25.h"
#include "bm25_prune.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lc_bm25 {
	lc_index ix;
	double k1, b, avgdl;
	lc_analyzer *proto;
	pthread_mutex_t lock;
	lc_bm25_ctx *shared;
};

struct lc_bm25_ctx {
	const lc_bm25 *bm;
	lc_analyzer *an;
	double *acc;
	unsigned char *seen;      /* doc already in touched[] (scores may be 0 in odd indexes) */
	uint32_t *touched;
	size_t ntouched;
	lc_bm25_query tmpq;
	/* scratch for query parsing and substitution */
	uint32_t *tf;
	size_t tfcap;
	size_t dl;
	const lc_bm25_query *curq;
	int exhaustive;           /* LCTK_BM25_EXHAUSTIVE set: score every posting (tests) */
	lc_bm25_prune pr;         /* scratch of the pruned search */
};

/* --- index -------------------------------------------------------------------- */

static lc_bm25 *finish_open(lc_bm25 *bm, const lc_bm25_opts *opts, lc_err *e)
{
	bm->proto = lc_analyzer_from_config(bm->ix.flags, bm->ix.stop, bm->ix.stop_len, e);
	if (!bm->proto) {
		lc_index_close(&bm->ix);
		free(bm);
		return NULL;
	}
	bm->k1 = opts && opts->k1 > 0 ? opts->k1 : 0.9;
	bm->b = opts && (opts->b > 0 || opts->b_set) ? opts->b : 0.4;
	bm->avgdl = bm->ix.n_docs ? (double)bm->ix.total_len / (double)bm->ix.n_docs : 0;
	if (bm->avgdl <= 0)
		bm->avgdl = 1;
	pthread_mutex_init(&bm->lock, NULL);
	return bm;
}

lc_bm25 *lc_bm25_build(const lc_corpus *c, const lc_bm25_opts *opts, lc_err *e)
{
	lc_analyze_opts an = { LC_ANALYZE_DEFAULT_FLAGS, NULL };
	if (opts && opts->an_set)
		an = opts->an;
	lc_bm25_builder *b = lc_bm25_builder_new(&an, e);
	if (!b)
		return NULL;
	lc_buf text = {0};
	for (size_t i = 0; i < c->n; i++) {
		lc_buf_reset(&text);
		lc_passage_text(&c->p[i], &text);
		lc_bm25_builder_add(b, c->p[i].pid, text.p ? text.p : "", text.len);
	}
	lc_buf_free(&text);
	lc_buf img = {0};
	lc_bm25_builder_finish(b, 1, 1, &img);
	lc_bm25_builder_free(b);
	size_t n = img.len;
	lc_bm25 *bm = lc_xcalloc(1, sizeof *bm);
	if (lc_index_from_mem(&bm->ix, lc_buf_detach(&img), n, 1, "(in-memory index)", e) < 0) {
		free(bm);
		return NULL;
	}
	return finish_open(bm, opts, e);
}

lc_bm25 *lc_bm25_open(const char *path, const lc_bm25_opts *opts, lc_err *e)
{
	lc_bm25 *bm = lc_xcalloc(1, sizeof *bm);
	if (lc_index_open(&bm->ix, path, e) < 0) {
		free(bm);
		return NULL;
	}
	if (bm->ix.shard_n != 1) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: a partial index (shard %u/%u); combine the shards with 'lcindex merge' first",
		           path, bm->ix.shard_k, bm->ix.shard_n);
		lc_index_close(&bm->ix);
		free(bm);
		return NULL;
	}
	return finish_open(bm, opts, e);
}

void lc_bm25_free(lc_bm25 *bm)
{
	if (!bm)
		return;
	lc_bm25_ctx_free(bm->shared);
	lc_analyzer_free(bm->proto);
	lc_index_close(&bm->ix);
	pthread_mutex_destroy(&bm->lock);
	free(bm);
}

size_t lc_bm25_ndocs(const lc_bm25 *bm) { return (size_t)bm->ix.n_docs; }
const lc_index *lc_bm25_index(const lc_bm25 *bm) { return &bm->ix; }

const char *lc_bm25_pid(const lc_bm25 *bm, uint32_t doc, lc_buf *buf)
{
	size_t len;
	const char *s = lc_index_pid(&bm->ix, doc, &len);
	lc_buf_reset(buf);
	lc_buf_add(buf, s, len);
	return buf->p;
}

/* --- search ------------------------------------------------------------------- */

lc_bm25_ctx *lc_bm25_ctx_new(const lc_bm25 *bm)
{
	lc_bm25_ctx *c = lc_xcalloc(1, sizeof *c);
	c->bm = bm;
	c->an = lc_analyzer_clone(bm->proto);
	const char *ex = getenv("LCTK_BM25_EXHAUSTIVE");
	c->exhaustive = ex && *ex && strcmp(ex, "0");
	return c;
}

void lc_bm25_ctx_free(lc_bm25_ctx *c)
{
	if (!c)
		return;
	lc_analyzer_free(c->an);
	free(c->acc);
	free(c->seen);
	free(c->touched);
	free(c->tf);
	lc_bm25_query_free(&c->tmpq);
	lc_bm25_prune_free(&c->pr);
	free(c);
}

typedef struct qparse {
	lc_bm25_ctx *ctx;
	lc_bm25_query *q;
	size_t cap;
} qparse;

static void query_term(const char *t, size_t n, void *arg)
{
	qparse *qp = arg;
	lc_bm25_query *q = qp->q;
	long id = lc_index_find_term(&qp->ctx->bm->ix, t, n);
	if (id < 0)
		return;
	for (size_t i = 0; i < q->n; i++)
		if (q->term[i] == (uint32_t)id) {
			q->qtf[i]++;
			return;
		}
	if (q->n == qp->cap) {
		qp->cap = qp->cap ? qp->cap * 2 : 16;
		q->term = lc_xrealloc(q->term, qp->cap * sizeof *q->term);
		q->qtf = lc_xrealloc(q->qtf, qp->cap * sizeof *q->qtf);
		q->w = lc_xrealloc(q->w, qp->cap * sizeof *q->w);
		q->str = lc_xrealloc(q->str, qp->cap * sizeof *q->str);
		q->len = lc_xrealloc(q->len, qp->cap * sizeof *q->len);
	}
	q->term[q->n] = (uint32_t)id;
	q->qtf[q->n] = 1;
	q->str[q->n] = lc_xstrndup(t, n);
	q->len[q->n] = n;
	q->n++;
}

void lc_bm25_query_parse(lc_bm25_ctx *ctx, const char *query, lc_bm25_query *q)
{
	memset(q, 0, sizeof *q);
	qparse qp = { ctx, q, 0 };
	lc_analyze(ctx->an, query, strlen(query), query_term, &qp);
	const lc_index *ix = &ctx->bm->ix;
	double N = (double)ix->n_docs;
	for (size_t i = 0; i < q->n; i++) {
		lc_post c;
		lc_post_begin(ix, q->term[i], &c);
		double df = (double)c.left;
		q->w[i] = (double)q->qtf[i] * log(1.0 + (N - df + 0.5) / (df + 0.5));
	}
}

void lc_bm25_query_free(lc_bm25_query *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->str[i]);
	free(q->term);
	free(q->qtf);
	free(q->w);
	free(q->str);
	free(q->len);
	memset(q, 0, sizeof *q);
}

/* The per-document accumulators of exhaustive scoring, made on first use (a
 * pruned search needs none: 13 bytes a document saved). */
static void need_acc(lc_bm25_ctx *c)
{
	if (c->acc)
		return;
	size_t n = (size_t)c->bm->ix.n_docs + 1;
	c->acc = lc_xcalloc(n, sizeof *c->acc);
	c->seen = lc_xcalloc(n, 1);
	c->touched = lc_xmalloc(n * sizeof *c->touched);
}

static void accumulate(lc_bm25_ctx *ctx, const lc_bm25_query *q, uint32_t skip)
{
	need_acc(ctx);
	const lc_bm25 *bm = ctx->bm;
	const lc_index *ix = &bm->ix;
	double k1 = bm->k1, b = bm->b, avgdl = bm->avgdl;
	double base = k1 * (1 - b), slope = k1 * b / avgdl;
	double *acc = ctx->acc;
	for (size_t i = 0; i < q->n; i++) {
		lc_post c;
		lc_post_begin(ix, q->term[i], &c);
		double wk = q->w[i] * (k1 + 1);
		while (lc_post_next(&c)) {
			uint32_t d = c.doc;
			if (d == skip || d >= ix->n_docs)
				continue;
			double s = lc_bm25_term_score(wk, c.tf, base, slope, ix->doclen[d]);
			if (!ctx->seen[d]) {
				ctx->seen[d] = 1;
				ctx->touched[ctx->ntouched++] = d;
			}
			acc[d] += s;
		}
	}
}

static size_t collect_top(lc_bm25_ctx *ctx, size_t k, lc_bm25_hit *hits)
{
	size_t n = 0;
	for (size_t i = 0; i < ctx->ntouched; i++) {
		uint32_t d = ctx->touched[i];
		lc_bm25_hit h = { d, ctx->acc[d] };
		ctx->acc[d] = 0;
		ctx->seen[d] = 0;
		lc_bm25_heap_offer(hits, &n, k, h);
	}
	ctx->ntouched = 0;
	lc_bm25_hits_sort(hits, n);
	return n;
}

size_t lc_bm25_search_query(lc_bm25_ctx *ctx, const lc_bm25_query *q, size_t k, lc_bm25_hit *hits)
{
	if (k && !ctx->exhaustive && ctx->bm->ix.blocks)
		return lc_bm25_search_pruned(&ctx->bm->ix, ctx->bm->k1, ctx->bm->b, ctx->bm->avgdl, &ctx->pr, q, k, hits);
	accumulate(ctx, q, UINT32_MAX);
	return collect_top(ctx, k, hits);
}

static void count_term(const char *t, size_t n, void *arg)
{
	lc_bm25_ctx *ctx = arg;
	const lc_bm25_query *q = ctx->curq;
	ctx->dl++;
	for (size_t i = 0; i < q->n; i++)
		if (q->len[i] == n && !memcmp(q->str[i], t, n)) {
			ctx->tf[i]++;
			return;
		}
}

double lc_bm25_score_text(lc_bm25_ctx *ctx, const lc_bm25_query *q, const char *text, size_t len)
{
	if (q->n > ctx->tfcap) {
		ctx->tfcap = q->n;
		ctx->tf = lc_xrealloc(ctx->tf, ctx->tfcap * sizeof *ctx->tf);
	}
	if (q->n)
		memset(ctx->tf, 0, q->n * sizeof *ctx->tf);
	ctx->dl = 0;
	ctx->curq = q;
	lc_analyze(ctx->an, text, len, count_term, ctx);
	const lc_bm25 *bm = ctx->bm;
	double k1 = bm->k1, b = bm->b;
	double norm = k1 * (1 - b) + (k1 * b / bm->avgdl) * (double)ctx->dl;  /* as lc_bm25_term_score() */
	double s = 0;
	for (size_t i = 0; i < q->n; i++)
		if (ctx->tf[i]) {
			double tf = (double)ctx->tf[i];
			s += q->w[i] * (k1 + 1) * tf / (tf + norm);   /* same operation order as accumulate() */
		}
	return s;
}

size_t lc_bm25_search_subst(lc_bm25_ctx *ctx, const lc_bm25_query *q, uint32_t doc,
                            const char *text, size_t len, size_t k, lc_bm25_hit *hits)
{
	accumulate(ctx, q, doc);
	if (doc < ctx->bm->ix.n_docs) {
		double s = lc_bm25_score_text(ctx, q, text, len);
		if (s > 0) {
			ctx->seen[doc] = 1;
			ctx->touched[ctx->ntouched++] = doc;
			ctx->acc[doc] = s;
		}
	}
	return collect_top(ctx, k, hits);
}

size_t lc_bm25_search_ctx(lc_bm25_ctx *ctx, const char *query, size_t k, lc_bm25_hit *hits)
{
	lc_bm25_query_free(&ctx->tmpq);
	lc_bm25_query_parse(ctx, query, &ctx->tmpq);
	return lc_bm25_search_query(ctx, &ctx->tmpq, k, hits);
}

size_t lc_bm25_search(const lc_bm25 *bm, const char *query, size_t k, lc_bm25_hit *hits)
{
	lc_bm25 *m = (lc_bm25 *)bm;     /* the lock and the shared ctx are internal state */
	if (pthread_mutex_trylock(&m->lock) == 0) {
		if (!m->shared)
			m->shared = lc_bm25_ctx_new(bm);
		size_t n = lc_bm25_search_ctx(m->shared, query, k, hits);
		pthread_mutex_unlock(&m->lock);
		return n;
	}
	lc_bm25_ctx *c = lc_bm25_ctx_new(bm);
	size_t n = lc_bm25_search_ctx(c, query, k, hits);
	lc_bm25_ctx_free(c);
	return n;
}
