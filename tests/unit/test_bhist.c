/* Unit tests for lib/color/budget's lc_bhist (lcompress --budget in one read):
 * the corpus's tokens it answers at thresholds of the grid equal the totals of
 * lc_budget_add_passage (which renders and counts each kept set) at random
 * thresholds and right at every word's and sentence's own boundary, for word
 * and sentence units, bare and with punctuation, with and without length bias,
 * with the additive count and with every kept set counted (words that end in
 * Unicode White_Space, which a split pattern may join to the space after them,
 * are among them); the search over it picks the threshold and total the search
 * over the rendered totals picks; the 32-bit counters carry their overflow. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "tap.h"

static const char *const texts[] = {
	"The quick brown fox jumps over the lazy dog. It was not amused, said the dog's owner. Foxes are wild.",
	"Paris is the capital of France. It has 2,102,650 residents (2023). The Seine runs through it!",
	"One sentence only, kept whole at every threshold",
	"",
	"   ",
	"Short. Two.",
	"\"Quoted,\" she said -- then left... Was it 3.14 or 2.72? Nobody knew; (nobody) cared.",
	"Distances: 100\xc2\xa0 km and 5\xc2\xa0 miles. The\xc2\xa0 non-breaking spaces end words here. Done.",
	"Unicode caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9. \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88 here. "
	"Emoji \xf0\x9f\x98\x80 too.",
	"I'm sure they'll say we've done it. You'd think so! Don't you? Y'ALL'D BE SURPRISED.",
	"Line one.\nLine two with  double  spaces.\tTabbed words.\n\nNew paragraph, new sentence.",
	"<|endoftext|> is spelled here. Special tokens count as text... OK.",
	"A. B. C. D. E. F. G. H. I. J. K.",
	"x",
	"Numbers 1234567 and 12 345 and 0.000001 and -42. More numbers: 7, 8, 9.",
};
#define NT (sizeof texts / sizeof *texts)

typedef struct corpus {
	lc_cctx *cx;
	lc_cunits u[NT];
	double mean_log;
} corpus;

/* the corpus's tokens at t, one passage at a time, each kept set rendered */
static size_t direct(corpus *c, const lc_cmodel *m, int unit, int bare, const lc_tok *tok, double t, lc_bscratch *sc)
{
	size_t tot = 0;
	for (size_t i = 0; i < NT; i++)
		lc_budget_add_passage(m, &c->u[i], texts[i], c->mean_log, unit, bare, tok, i, 0, 1, &t, 1, &tot, sc);
	return tot;
}

typedef struct dctx {
	corpus *c;
	const lc_cmodel *m;
	int unit, bare;
	const lc_tok *tok;
	lc_bscratch *sc;
} dctx;

static int direct_eval(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e)
{
	dctx *d = ctx;
	for (size_t j = 0; j < n; j++)
		tot[j] = direct(d->c, d->m, d->unit, d->bare, d->tok, thr[j], d->sc);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	setenv("LCTK_DATA", "share/lctk", 0);
	lc_err e = {0};
	lc_tok *tok = lc_tok_load("cl100k_base", &e);
	ok(tok != NULL, "cl100k_base loads (%s)", tok ? "" : e.msg);
	if (!tok)
		return done_testing();
	ok(lc_budget_tok_additive(tok), "cl100k_base counts add up over the renderer's joins");

	corpus c = { .cx = lc_cctx_new() };
	for (size_t i = 0; i < NT; i++)
		lc_cctx_add(c.cx, i % 3 ? "A title" : NULL, texts[i]);
	for (size_t i = 0; i < NT; i++) {
		lc_cunits_build(&c.u[i], c.cx, i % 3 ? "A title" : NULL, texts[i]);
		c.mean_log += log1p((double)c.u[i].n) / (double)NT;
	}
	lc_cmodel m;
	lc_cmodel_init(&m);
	m.w[LC_F_BIAS] = -0.4;
	m.w[LC_F_IDF] = 3;
	m.w[LC_F_STOP] = -1.5;
	m.w[LC_F_NUM] = 0.8;
	m.w[LC_F_SPOS] = -0.7;
	const double biases[] = { 0, 0.7, -2.5 };
	lc_bscratch sc = {0};
	/* model 0: punctuation weight -1.  Model 1: +6, which makes a punctuation-only word
	 * ("--") its passage's most probable, the one word kept when none passes (bare:
	 * rendered as nothing).  Model 2: the bias alone, -16.2: every word's p is
	 * 1 / (1 + e^16.2) = 9.2e-8, between grid points 1 and 2 (2^-24 = 6.0e-8). */
	const double punct[] = { -1, 6, 0 };
	lc_cmodel m0 = m;
	for (size_t pi = 0; pi < 3; pi++)
	for (size_t bi = 0; bi < sizeof biases / sizeof *biases; bi++)
		for (int unit = 0; unit < 2; unit++)
			for (int bare = 0; bare < 2; bare++)
				for (int additive = 0; additive < 2; additive++) {
					if (pi < 2) {
						m = m0;
						m.w[LC_F_PUNCT] = punct[pi];
					} else {
						memset(m.w, 0, sizeof m.w);
						m.w[LC_F_BIAS] = -16.2;
					}
					m.length_bias = biases[bi];
					lc_bhist h;
					lc_bhist_init(&h);
					for (size_t i = 0; i < NT; i++)
						lc_bhist_add_passage(&h, &m, &c.u[i], texts[i], c.mean_log, unit, bare, tok, additive, i, &sc);
					lc_bhist_finish(&h);
					/* thresholds: the ends, random ones, and each unit's boundary and its neighbours */
					uint32_t g[4096];
					size_t ng = 0;
					g[ng++] = 1;
					g[ng++] = LC_BUDGET_GRID;
					g[ng++] = LC_BUDGET_GRID - 1;
					srand(7);
					for (int k = 0; k < 60; k++)
						g[ng++] = 1 + (uint32_t)(((uint64_t)rand() * 65537 + (uint64_t)rand()) % LC_BUDGET_GRID);
					for (size_t i = 0; i < NT && ng + 64 < sizeof g / sizeof *g; i++) {
						lc_cunits *u = &c.u[i];
						if (u->nsent <= 1)
							continue;
						double *p = malloc(u->n * sizeof *p);
						lc_cmodel_probs(&m, u, p);
						for (size_t k = 0; k < u->n && ng + 8 < sizeof g / sizeof *g; k++) {
							double q = p[k];
							if (unit == LC_UNIT_SENT) {   /* the word's sentence's mean */
								double s = 0;
								size_t n = 0;
								for (size_t j = 0; j < u->n; j++)
									if (u->sent[j] == u->sent[k]) {
										s += p[j];
										n++;
									}
								q = s / (double)n;
							}
							double x = floor(ldexp(lc_cmodel_length_adjust(&m, q, u->n, c.mean_log), LC_BUDGET_STEPS));
							for (int d = -1; d <= 2; d++)
								if (x + d >= 1 && x + d <= LC_BUDGET_GRID)
									g[ng++] = (uint32_t)(x + d);
						}
						free(p);
					}
					qsort(g, ng, sizeof *g, cmp_u32);
					size_t bad = 0, first_bad = 0, want = 0, got = 0;
					for (size_t k = 0; k < ng; k++) {
						double t = ldexp((double)g[k], -LC_BUDGET_STEPS);
						size_t w = direct(&c, &m, unit, bare, tok, t, &sc), r = lc_bhist_tokens(&h, t);
						if (w != r && !bad++) {
							first_bad = g[k];
							want = w;
							got = r;
						}
					}
					ok(!bad && h.passages == NT,
					   "model %zu, bias %g, %s, %s, %s: %zu thresholds as rendered and counted (%zu differ; first at g=%zu: %zu, want %zu)",
					   pi, biases[bi], unit ? "sentence" : "word", bare ? "bare" : "punctuation",
					   additive ? "additive" : "every set counted", ng, bad, first_bad, got, want);
					/* the search over it picks what the search over the rendered totals picks */
					dctx d = { &c, &m, unit, bare, tok, &sc };
					size_t budget = (direct(&c, &m, unit, bare, tok, 0.5, &sc) + direct(&c, &m, unit, bare, tok, 0.9, &sc)) / 2;
					lc_budget_result r1, r2;
					lc_budget_search(budget, 1, lc_bhist_eval, &h, NULL, &r1, &e);
					lc_budget_search(budget, 4, direct_eval, &d, NULL, &r2, &e);
					ok(r1.threshold == r2.threshold && r1.tokens == r2.tokens && r1.fits == r2.fits,
					   "  budget %zu: threshold %.17g, %zu tokens (rendered: %.17g, %zu)", budget, r1.threshold,
					   r1.tokens, r2.threshold, r2.tokens);
					lc_bhist_free(&h);
				}

	/* counters carry what leaves 32 bits */
	lc_bhist h;
	lc_bhist_init(&h);
	h.base = 10;
	lc_bhist_add(&h, 5, INT32_MAX);
	lc_bhist_add(&h, 5, INT32_MAX);
	lc_bhist_add(&h, 5, -3);
	lc_bhist_add(&h, 4096 + 3, 7);
	lc_bhist_add(&h, LC_BUDGET_GRID, (int64_t)1 << 40);
	lc_bhist_finish(&h);
	const size_t big = 2 * (size_t)INT32_MAX - 3 + 10;
	ok(lc_bhist_tokens(&h, ldexp(4, -LC_BUDGET_STEPS)) == 10 && lc_bhist_tokens(&h, ldexp(5, -LC_BUDGET_STEPS)) == big &&
	   lc_bhist_tokens(&h, ldexp(4096 + 2, -LC_BUDGET_STEPS)) == big &&
	   lc_bhist_tokens(&h, ldexp(4096 + 3, -LC_BUDGET_STEPS)) == big + 7 &&
	   lc_bhist_tokens(&h, 0.5) == big + 7 && lc_bhist_tokens(&h, 1) == big + 7 + ((size_t)1 << 40),
	   "32-bit counters carry their overflow: %zu at g=5, %zu at t=1", lc_bhist_tokens(&h, ldexp(5, -LC_BUDGET_STEPS)),
	   lc_bhist_tokens(&h, 1));
	lc_bhist_free(&h);

	for (size_t i = 0; i < NT; i++)
		lc_cunits_free(&c.u[i]);
	lc_cctx_free(c.cx);
	lc_bscratch_free(&sc);
	lc_cmodel_free(&m);
	lc_tok_free(tok);
	return done_testing();
}
