/*
 * budget — the bisection of lcompress --budget, several halvings per corpus
 * read, and lc_bhist, every threshold of its grid measured in one read (see
 * budget.h).
 */
#include "budget.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tok_unicode.h"   /* lc_tok_uc_class: White_Space */
#include "utf8.h"

int lc_budget_search(size_t budget, int levels, lc_budget_eval eval, void *ctx,
                     void (*progress)(void *ctx, int done), lc_budget_result *r, lc_err *e)
{
	if (levels < 1)
		levels = 1;
	if (levels > LC_BUDGET_MAX_LEVELS)
		levels = LC_BUDGET_MAX_LEVELS;
	double lo = 0, hi = 1;
	size_t fit_tot = SIZE_MAX;   /* tokens at hi, once a tried threshold fits */
	double thr[(1 << LC_BUDGET_MAX_LEVELS) - 1], los[(1 << LC_BUDGET_MAX_LEVELS) - 1],
	       his[(1 << LC_BUDGET_MAX_LEVELS) - 1];
	size_t tot[(1 << LC_BUDGET_MAX_LEVELS) - 1];
	r->calls = 0;
	for (int it = 0; it < LC_BUDGET_STEPS;) {
		if (progress)
			progress(ctx, it);
		int depth = LC_BUDGET_STEPS - it < levels ? LC_BUDGET_STEPS - it : levels;
		size_t nn = ((size_t)1 << depth) - 1;
		/* the tree of middles, heap order: node k's halves are 2k+1 (it fits:
		 * [lo, mid]) and 2k+2 (it does not: [mid, hi]) */
		los[0] = lo;
		his[0] = hi;
		for (size_t k = 0; k < nn; k++) {
			thr[k] = (los[k] + his[k]) / 2;
			if (2 * k + 2 < nn) {
				los[2 * k + 1] = los[k];
				his[2 * k + 1] = thr[k];
				los[2 * k + 2] = thr[k];
				his[2 * k + 2] = his[k];
			}
		}
		r->calls++;
		if (eval(ctx, lo, hi, thr, nn, tot, e) < 0)
			return -1;
		for (size_t k = 0, d = 0; d < (size_t)depth; d++) {
			if (tot[k] <= budget) {
				hi = thr[k];
				fit_tot = tot[k];
				k = 2 * k + 1;
			} else {
				lo = thr[k];
				k = 2 * k + 2;
			}
		}
		it += depth;
	}
	if (fit_tot == SIZE_MAX) {
		/* nothing tried fits: measure the smallest corpus (hi is still 1) */
		if (progress)
			progress(ctx, LC_BUDGET_STEPS);
		r->calls++;
		if (eval(ctx, lo, hi, &hi, 1, tot, e) < 0)
			return -1;
		fit_tot = tot[0];
	}
	r->threshold = hi;
	r->tokens = fit_tot;
	r->fits = fit_tot <= budget;
	return 0;
}

/* Room in sc for n words' probabilities and keep mask. */
static void reserve_words(lc_bscratch *sc, size_t n)
{
	if (n > sc->cap) {
		sc->cap = n > 2 * sc->cap ? n : 2 * sc->cap;
		sc->p = lc_xrealloc(sc->p, sc->cap * sizeof *sc->p);
		sc->mask = lc_xrealloc(sc->mask, sc->cap);
	}
}

size_t lc_budget_add_passage(const lc_cmodel *m, const lc_cunits *u, const char *text, double mean_log, int unit,
                             int bare, const lc_tok *tok, size_t ttoks, double lo, double hi, const double *thr,
                             size_t n, size_t *tot, lc_bscratch *sc)
{
	reserve_words(sc, u->n);
	if (u->n && u->nsent > 1)
		lc_cmodel_probs(m, u, sc->p);
	size_t nd = 0, whole = SIZE_MAX;   /* distinct kept counts so far; the whole text's tokens */
	for (size_t j = 0; j < n; j++) {
		size_t kept = lc_compress_select_p(m, u, sc->p, 0, lc_cmodel_passage_threshold(m, thr[j], u->n, mean_log),
		                                   unit, sc->mask);
		size_t d = 0;
		while (d < nd && sc->kept[d] != kept)
			d++;
		if (d == nd) {
			sc->kept[nd] = kept;
			if (kept < u->n) {
				lc_buf_reset(&sc->s);
				lc_compress_render(u, text, sc->mask, bare, &sc->s);
				sc->toks[nd] = lc_tok_count(tok, sc->s.p, sc->s.len);
			} else {
				if (whole == SIZE_MAX)
					whole = lc_tok_count(tok, text, strlen(text));
				sc->toks[nd] = whole;
			}
			nd++;
		}
		tot[j] += ttoks + sc->toks[d];
	}
	/* the same kept set at both ends: the same at every threshold between (nested sets) */
	size_t klo = lc_compress_select_p(m, u, sc->p, 0, lc_cmodel_passage_threshold(m, lo, u->n, mean_log), unit, sc->mask);
	size_t khi = lc_compress_select_p(m, u, sc->p, 0, lc_cmodel_passage_threshold(m, hi, u->n, mean_log), unit, sc->mask);
	return klo == khi && n && sc->kept[0] == klo ? ttoks + sc->toks[0] : SIZE_MAX;
}

void lc_bscratch_free(lc_bscratch *sc)
{
	free(sc->p);
	free(sc->mask);
	free(sc->last);
	free(sc->order);
	free(sc->sp);
	free(sc->nosp);
	free(sc->live);
	free(sc->smean);
	free(sc->slen);
	free(sc->slast);
	lc_buf_free(&sc->s);
	memset(sc, 0, sizeof *sc);
}

/* ---- the corpus's tokens at every threshold of the grid, in one read ------ */

int lc_budget_tok_additive(const lc_tok *tok)
{
	/* the tiktoken encodings' split patterns (lib/tok/tok_pretok.c): a space is
	 * only ever the first character of a piece, or part of a run of whitespace,
	 * so a piece never spans "word SPACE" unless the word ends in whitespace */
	static const char *const names[] = { "cl100k_base", "o200k_base", "p50k_base", "r50k_base", "gpt2" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(lc_tok_name(tok), names[i]))
			return 1;
	return 0;
}

static size_t bhist_bytes(void) { return ((size_t)LC_BUDGET_GRID + 1) * sizeof(int32_t); }

void lc_bhist_init(lc_bhist *h)
{
	memset(h, 0, sizeof *h);
	/* zeroed pages that cost no memory until a passage's step lands in them;
	 * huge pages where the kernel offers them (the steps land all over it) */
	void *d = mmap(NULL, bhist_bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED)
		lc_oom();
#ifdef MADV_HUGEPAGE
	madvise(d, bhist_bytes(), MADV_HUGEPAGE);
#endif
	h->d = d;
}

void lc_bhist_free(lc_bhist *h)
{
	if (h->d)
		munmap(h->d, bhist_bytes());
	free(h->carry);
	free(h->before);
	memset(h, 0, sizeof *h);
}

void lc_bhist_add(lc_bhist *h, uint32_t g, int64_t v)
{
	int32_t r;
	if (v >= INT32_MIN && v <= INT32_MAX && !__builtin_add_overflow(h->d[g], (int32_t)v, &r)) {
		h->d[g] = r;
		return;
	}
	if (h->ncarry == h->carrycap) {
		h->carrycap = h->carrycap ? 2 * h->carrycap : 16;
		h->carry = lc_xrealloc(h->carry, h->carrycap * sizeof *h->carry);
	}
	h->carry[h->ncarry++] = (lc_bcarry){ g, (int64_t)h->d[g] + v };
	h->d[g] = 0;
}

/* passage threshold at grid point g */
static double grid_pt(const lc_cmodel *m, uint32_t g, size_t n, double mean_log)
{
	return lc_cmodel_passage_threshold(m, ldexp((double)g, -LC_BUDGET_STEPS), n, mean_log);
}

/* The last grid point g whose passage threshold q passes (q >= threshold, as
 * lc_compress_select_p compares), 0 when none does.  The passage threshold is
 * non-decreasing on the grid: grid points are 2^-24 apart, far more than the
 * rounding of log and exp, and every other step rounds monotonically. */
static uint32_t last_kept(const lc_cmodel *m, double q, size_t n, double mean_log)
{
	const uint32_t N = LC_BUDGET_GRID;
	double x = floor(ldexp(m->length_bias == 0 ? q : lc_cmodel_length_adjust(m, q, n, mean_log), LC_BUDGET_STEPS));
	uint32_t g = x >= N ? N : x > 0 ? (uint32_t)x : 0;
	if (m->length_bias == 0)
		return g;   /* the threshold is t itself: q >= g / 2^24 exactly when g <= q * 2^24 */
	/* the inverse is a guess (rounded): step to the exact answer */
	for (int steps = 0; steps < 8; steps++) {
		if (g < N && q >= grid_pt(m, g + 1, n, mean_log))
			g++;
		else if (g > 0 && q < grid_pt(m, g, n, mean_log))
			g--;
		else
			return g;
	}
	uint32_t lo = 0, hi = N;   /* far off: bisect; g = 0 always passes (threshold 0) */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (q >= grid_pt(m, mid, n, mean_log))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* 1 when the piece's last character is Unicode White_Space (or not valid UTF-8) */
static int ends_in_space(const char *s, size_t len)
{
	size_t i = len - 1;
	while (i > 0 && len - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	uint32_t cp;
	if (lc_utf8_decode((const unsigned char *)s + i, len - i, &cp) != len - i)
		return 1;
	return (lc_tok_uc_class(cp) & LC_UC_WS) != 0;
}

static void bscratch_reserve(lc_bscratch *sc, size_t n, size_t nsent)
{
	reserve_words(sc, n);
	if (n > sc->ucap) {
		sc->ucap = n > 2 * sc->ucap ? n : 2 * sc->ucap;
		sc->last = lc_xrealloc(sc->last, sc->ucap * sizeof *sc->last);
		sc->order = lc_xrealloc(sc->order, sc->ucap * sizeof *sc->order);
		sc->sp = lc_xrealloc(sc->sp, sc->ucap * sizeof *sc->sp);
		sc->nosp = lc_xrealloc(sc->nosp, sc->ucap * sizeof *sc->nosp);
		sc->live = lc_xrealloc(sc->live, sc->ucap);
	}
	if (nsent > sc->scap) {
		sc->scap = nsent > 2 * sc->scap ? nsent : 2 * sc->scap;
		sc->smean = lc_xrealloc(sc->smean, sc->scap * sizeof *sc->smean);
		sc->slen = lc_xrealloc(sc->slen, sc->scap * sizeof *sc->slen);
		sc->slast = lc_xrealloc(sc->slast, sc->scap * sizeof *sc->slast);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* one passage while its kept set shrinks */
typedef struct pstate {
	const lc_cunits *u;
	const char *text;
	const lc_tok *tok;
	lc_bscratch *sc;
	int bare, exact, forced;   /* forced: word unit, an empty set keeps the most probable word */
	size_t best, kept, first, whole;
	uint64_t sum;              /* additive: kept live words' tokens after a space */
} pstate;

static size_t whole_tokens(pstate *ps)
{
	if (ps->whole == SIZE_MAX)
		ps->whole = lc_tok_count(ps->tok, ps->text, strlen(ps->text));
	return ps->whole;
}

/* word k's tokens at the start of the rendered text */
static size_t first_tokens(pstate *ps, size_t k)
{
	lc_bscratch *sc = ps->sc;
	if (sc->nosp[k] == UINT32_MAX) {
		size_t a, len = lc_compress_piece(ps->u, ps->text, k, ps->bare, &a);
		size_t c = lc_tok_count(ps->tok, ps->text + a, len);
		sc->nosp[k] = c < UINT32_MAX ? (uint32_t)c : UINT32_MAX - 1;
	}
	return sc->nosp[k];
}

/* the tokens of the kept set in sc->mask, as lc_budget_add_passage counts them */
static size_t set_tokens(pstate *ps)
{
	lc_bscratch *sc = ps->sc;
	size_t n = ps->u->n;
	if (!ps->kept && ps->forced) {
		if (n == 1)
			return whole_tokens(ps);
		if (!ps->exact)
			return ps->sc->live[ps->best] ? first_tokens(ps, ps->best) : 0;
		sc->mask[ps->best] = 1;
		lc_buf_reset(&sc->s);
		lc_compress_render(ps->u, ps->text, sc->mask, ps->bare, &sc->s);
		sc->mask[ps->best] = 0;
		return lc_tok_count(ps->tok, sc->s.p, sc->s.len);
	}
	if (ps->kept == n)
		return whole_tokens(ps);
	if (!ps->exact)
		return ps->first < n ? (size_t)(ps->sum - sc->sp[ps->first]) + first_tokens(ps, ps->first) : 0;
	lc_buf_reset(&sc->s);
	lc_compress_render(ps->u, ps->text, sc->mask, ps->bare, &sc->s);
	return lc_tok_count(ps->tok, sc->s.p, sc->s.len);
}

void lc_bhist_add_passage(lc_bhist *h, const lc_cmodel *m, const lc_cunits *u, const char *text, double mean_log,
                          int unit, int bare, const lc_tok *tok, int additive, size_t ttoks, lc_bscratch *sc)
{
	const uint32_t N = LC_BUDGET_GRID;
	size_t n = u->n;
	h->passages++;
	if (!n || u->nsent <= 1) {   /* whole at every threshold (lc_compress_select_p) */
		h->base += ttoks + lc_tok_count(tok, text, strlen(text));
		return;
	}
	bscratch_reserve(sc, n, u->nsent);
	double *p = sc->p;
	lc_cmodel_probs(m, u, p);
	pstate ps = { .u = u, .text = text, .tok = tok, .sc = sc, .bare = bare, .exact = !additive,
	              .forced = unit != LC_UNIT_SENT, .whole = SIZE_MAX };
	/* each word's last grid point: its own, or its sentence's (the best sentence always stays) */
	if (unit == LC_UNIT_SENT) {
		for (size_t s = 0; s < u->nsent; s++) {
			sc->smean[s] = 0;
			sc->slen[s] = 0;
		}
		for (size_t k = 0; k < n; k++) {
			sc->smean[u->sent[k]] += p[k];
			sc->slen[u->sent[k]]++;
		}
		size_t best = 0;
		for (size_t s = 0; s < u->nsent; s++) {
			sc->smean[s] = sc->slen[s] ? sc->smean[s] / (double)sc->slen[s] : 0;
			if (sc->smean[s] > sc->smean[best])
				best = s;
		}
		for (size_t s = 0; s < u->nsent; s++)
			sc->slast[s] = s == best ? N : sc->slen[s] ? last_kept(m, sc->smean[s], n, mean_log) : 0;
		for (size_t k = 0; k < n; k++)
			sc->last[k] = sc->slast[u->sent[k]];
	} else {
		for (size_t k = 0; k < n; k++) {
			sc->last[k] = last_kept(m, p[k], n, mean_log);
			if (p[k] > p[ps.best])
				ps.best = k;
		}
	}
	/* the rendered pieces; their tokens after a space when counts add up */
	for (size_t k = 0; k < n; k++) {
		size_t a, len = lc_compress_piece(u, text, k, bare, &a);
		sc->live[k] = len > 0;
		sc->nosp[k] = UINT32_MAX;
		if (len && !ps.exact && ends_in_space(text + a, len))
			ps.exact = 1;
	}
	if (!ps.exact)
		for (size_t k = 0; k < n; k++) {
			if (!sc->live[k])
				continue;
			size_t a, len = lc_compress_piece(u, text, k, bare, &a);
			lc_buf_reset(&sc->s);
			lc_buf_addc(&sc->s, ' ');
			lc_buf_add(&sc->s, text + a, len);
			size_t c = lc_tok_count(tok, sc->s.p, sc->s.len);
			sc->sp[k] = c < UINT32_MAX ? (uint32_t)c : UINT32_MAX - 1;
		}
	/* the kept set at g = 1, and the words that leave it later, in order */
	size_t no = 0;
	ps.first = n;
	for (size_t k = 0; k < n; k++) {
		sc->mask[k] = sc->last[k] >= 1;
		if (!sc->mask[k])
			continue;
		ps.kept++;
		if (sc->live[k]) {
			if (!ps.exact)
				ps.sum += sc->sp[k];
			if (ps.first == n)
				ps.first = k;
		}
		if (sc->last[k] < N)
			sc->order[no++] = (uint64_t)sc->last[k] << 32 | k;
	}
	qsort(sc->order, no, sizeof *sc->order, cmp_u64);
	size_t t = set_tokens(&ps);
	h->base += ttoks + t;
	for (size_t i = 0; i < no;) {
		uint32_t v = (uint32_t)(sc->order[i] >> 32);   /* kept up to v, gone from v + 1 */
		for (; i < no && (uint32_t)(sc->order[i] >> 32) == v; i++) {
			size_t k = (size_t)(sc->order[i] & UINT32_MAX);
			sc->mask[k] = 0;
			ps.kept--;
			if (sc->live[k] && !ps.exact)
				ps.sum -= sc->sp[k];
		}
		while (ps.first < n && !(sc->mask[ps.first] && sc->live[ps.first]))
			ps.first++;
		size_t t2 = set_tokens(&ps);
		lc_bhist_add(h, v + 1, (int64_t)t2 - (int64_t)t);
		t = t2;
	}
}

void lc_bhist_finish(lc_bhist *h)
{
	size_t nb = ((size_t)LC_BUDGET_GRID >> LC_BHIST_BLOCK) + 2;
	if (h->before)
		return;
	h->before = lc_xcalloc(nb, sizeof *h->before);
	for (size_t g = 0; g <= LC_BUDGET_GRID; g++)
		h->before[(g >> LC_BHIST_BLOCK) + 1] += h->d[g];
	for (size_t i = 0; i < h->ncarry; i++)
		h->before[(h->carry[i].g >> LC_BHIST_BLOCK) + 1] += h->carry[i].v;
	for (size_t b = 1; b < nb; b++)
		h->before[b] += h->before[b - 1];
}

size_t lc_bhist_tokens(const lc_bhist *h, double t)
{
	double x = ldexp(t, LC_BUDGET_STEPS);
	uint32_t g = x <= 1 ? 1 : x >= LC_BUDGET_GRID ? LC_BUDGET_GRID : (uint32_t)x;
	uint32_t b = g >> LC_BHIST_BLOCK;
	int64_t tot = (int64_t)h->base + h->before[b];
	for (uint32_t i = b << LC_BHIST_BLOCK; i <= g; i++)
		tot += h->d[i];
	for (size_t i = 0; i < h->ncarry; i++)
		if (h->carry[i].g >> LC_BHIST_BLOCK == b && h->carry[i].g <= g)
			tot += h->carry[i].v;
	return (size_t)tot;
}

int lc_bhist_eval(void *ctx, double lo, double hi, const double *thr, size_t n, size_t *tot, lc_err *e)
{
	for (size_t j = 0; j < n; j++)
		tot[j] = lc_bhist_tokens(ctx, thr[j]);
	return 0;
}
