/* candgen — the extractive candidates of one passage (see candgen.h). */
#include "candgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hash.h"
#include "rng.h"

const char *const lc_cand_kind_names[LC_CAND_NKINDS] = { "full", "title", "lead", "random", "filter", "model",
                                                         "external", "llm" };

/* Renders the words g->mask keeps and emits them as name (nothing if none). */
static void emit_mask(lc_candgen *g, const char *name, const char *text)
{
	lc_buf_reset(&g->tmp);
	lc_compress_render(&g->u, text, g->mask, 0, &g->tmp);
	if (g->tmp.len)
		g->emit(g->ud, name, g->tmp.p, g->tmp.len);
}

/* lead-1..3 sentences (each shorter than the passage) and lead-50% of the words */
static void lead(lc_candgen *g, const char *text)
{
	const lc_cunits *u = &g->u;
	for (size_t k = 1; k <= 3 && k < u->nsent; k++) {
		for (size_t w = 0; w < u->n; w++)
			g->mask[w] = u->sent[w] < k;
		char name[32];
		snprintf(name, sizeof name, "lead-%zu", k);
		emit_mask(g, name, text);
	}
	for (size_t w = 0; w < u->n; w++)
		g->mask[w] = w < (u->n + 1) / 2;
	emit_mask(g, "lead-50%", text);
}

static void random_subsets(lc_candgen *g, const char *pid, const char *text)
{
	const lc_cunits *u = &g->u;
	lc_rng rng;
	lc_rng_seed2(&rng, g->seed, lc_hash64(pid, strlen(pid)));
	for (long r = 0; r < g->nrandom && u->nsent > 1; r++) {
		unsigned char keep[LC_CAND_MAX_SENTENCES];
		size_t ns = u->nsent < LC_CAND_MAX_SENTENCES ? u->nsent : LC_CAND_MAX_SENTENCES, nk = 0;
		for (size_t s = 0; s < ns; s++) {
			keep[s] = lc_rng_next(&rng) >> 63;   /* each sentence kept with odds 1/2 */
			nk += keep[s];
		}
		if (!nk)
			keep[lc_rng_below(&rng, ns)] = 1;
		for (size_t w = 0; w < u->n; w++)
			g->mask[w] = u->sent[w] < LC_CAND_MAX_SENTENCES ? keep[u->sent[w]] : 0;
		char name[32];
		snprintf(name, sizeof name, "random-%ld", r + 1);
		emit_mask(g, name, text);
	}
}

/* content words; first occurrences of content words, all and above IDF thresholds */
static void word_filters(lc_candgen *g, const char *text)
{
	const lc_cunits *u = &g->u;
	for (size_t w = 0; w < u->n; w++) {
		const double *f = u->f + w * LC_NFEAT;
		g->mask[w] = !f[LC_F_STOP] && !f[LC_F_PUNCT];
	}
	emit_mask(g, "content", text);
	static const double taus[] = { 0, 0.2, 0.35, 0.5 };
	for (size_t t = 0; t < sizeof taus / sizeof *taus; t++) {
		for (size_t w = 0; w < u->n; w++) {
			const double *f = u->f + w * LC_NFEAT;
			g->mask[w] = !f[LC_F_STOP] && !f[LC_F_PUNCT] && !f[LC_F_REPEAT] && f[LC_F_IDF] >= taus[t];
		}
		char name[32];
		snprintf(name, sizeof name, taus[t] > 0 ? "first-idf%.2f" : "first", taus[t]);
		emit_mask(g, name, text);
	}
}

/* the model at thresholds 0.3, 0.5, 0.7 and at ratios 2 and 3 */
static void model(lc_candgen *g, const char *text)
{
	static const double thr[] = { 0.3, 0.5, 0.7 };
	for (size_t t = 0; t < sizeof thr / sizeof *thr; t++) {
		lc_compress_select(g->model, &g->u, 0, thr[t], LC_UNIT_WORD, g->p, g->mask);
		char name[32];
		snprintf(name, sizeof name, "model@%.1f", thr[t]);
		emit_mask(g, name, text);
	}
	for (int r = 2; r <= 3; r++) {
		lc_compress_select(g->model, &g->u, r, -1, LC_UNIT_WORD, g->p, g->mask);
		char name[32];
		snprintf(name, sizeof name, "model-r%d", r);
		emit_mask(g, name, text);
	}
}

void lc_candgen_passage(lc_candgen *g, lc_cctx *cx, const char *pid, const char *title, const char *text)
{
	if (g->want[LC_CAND_FULL])
		g->emit(g->ud, "full", text, strlen(text));
	if (!*text)
		return;   /* nothing to extract */
	lc_cunits_build(&g->u, cx, title, text);
	if (g->u.n > g->cap) {
		g->cap = g->u.n;
		g->mask = lc_xrealloc(g->mask, g->cap);
		g->p = lc_xrealloc(g->p, g->cap * sizeof *g->p);
	}
	if (g->want[LC_CAND_TITLE] && title && *title)
		g->emit(g->ud, "title", title, strlen(title));
	if (g->want[LC_CAND_LEAD])
		lead(g, text);
	if (g->want[LC_CAND_RANDOM])
		random_subsets(g, pid, text);
	if (g->want[LC_CAND_FILTER])
		word_filters(g, text);
	if (g->model && g->want[LC_CAND_MODEL])
		model(g, text);
}

void lc_candgen_free(lc_candgen *g)
{
	lc_cunits_free(&g->u);
	lc_buf_free(&g->tmp);
	free(g->mask);
	free(g->p);
	g->mask = NULL;
	g->p = NULL;
	g->cap = 0;
}
