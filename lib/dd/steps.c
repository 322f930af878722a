/*
 * steps — the per-step bucket draw of a variable-sequence-length schedule
 * (lib/dd/steps.h has the rule).
 */
#include "steps.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void lc_steps_init(lc_steps *s, int n, const uint64_t *batches, const double *odds, long cycles, uint64_t seed)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	s->cycles = cycles;
	s->cycle = -1;   /* the first lc_steps_next starts cycle 0 */
	s->batches = lc_xcalloc((size_t)n, sizeof *s->batches);
	s->left = lc_xcalloc((size_t)n, sizeof *s->left);
	s->odds = lc_xcalloc((size_t)n, sizeof *s->odds);
	s->w = lc_xcalloc((size_t)n, sizeof *s->w);
	memcpy(s->batches, batches, (size_t)n * sizeof *batches);
	memcpy(s->odds, odds, (size_t)n * sizeof *odds);
	lc_rng_seed2(&s->rng, seed, LC_STEPS_STREAM);
}

/* Starts the next cycle: its share of each bucket's batches and their weights. */
static void start_cycle(lc_steps *s)
{
	uint64_t c = (uint64_t)++s->cycle, C = (uint64_t)s->cycles;
	s->remain = 0;
	for (int i = 0; i < s->n; i++) {
		s->left[i] = s->batches[i] * (c + 1) / C - s->batches[i] * c / C;
		s->w[i] = s->odds[i] * (double)s->left[i];
		s->remain += s->left[i];
	}
}

/* A bucket with batches left, drawn by weight; the shortest such when all live
 * weights are zero. */
static int draw(lc_steps *s)
{
	double live = 0;
	for (int i = 0; i < s->n; i++)
		if (s->left[i])
			live += s->w[i];
	int pick = -1;
	if (live > 0) {
		double u = (double)(lc_rng_next(&s->rng) >> 11) * 0x1.0p-53 * live;
		for (int i = 0; i < s->n; i++) {
			if (!s->left[i] || s->w[i] <= 0)
				continue;
			pick = i;
			if (u < s->w[i])
				break;
			u -= s->w[i];
		}
	} else {
		for (int i = 0; i < s->n && pick < 0; i++)
			if (s->left[i])
				pick = i;
	}
	return pick;
}

int lc_steps_next(lc_steps *s, long *cycle, uint64_t *step)
{
	while (!s->remain) {
		if (s->cycle + 1 >= s->cycles)
			return -1;
		start_cycle(s);
	}
	int pick = draw(s);
	s->left[pick]--;
	s->remain--;
	*cycle = s->cycle;
	*step = s->step++;
	return pick;
}

void lc_steps_free(lc_steps *s)
{
	free(s->batches), free(s->left), free(s->odds), free(s->w);
	memset(s, 0, sizeof *s);
}
