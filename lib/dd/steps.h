/*
 * steps — the per-step schedule of lib/dd/schedule.h as an iterator: which bucket
 * each training step takes, cycle by cycle.  Bucket i has batches[i] full batches;
 * cycle c (of C) gets floor((c+1)*M/C) - floor(c*M/C) of them.  Within a cycle each
 * step draws a bucket that still has batches with probability proportional to
 * odds[i] * (its batches in the cycle), fixed for the cycle; once only zero-odds
 * buckets are left they are taken shortest (lowest index) first.  The draw is
 * u = (lc_rng_next >> 11) * 2^-53 * (sum of live weights) on lc_rng seeded with
 * lc_rng_seed2(seed, LC_STEPS_STREAM), so a seed gives the same schedule everywhere.
 *
 * Ownership: lc_steps_init copies batches and odds; lc_steps_free releases the copies.
 */
#ifndef LC_STEPS_H
#define LC_STEPS_H
#include <stdint.h>
#include "rng.h"

#define LC_STEPS_STREAM 0x5343484544ULL   /* "SCHED" */

typedef struct lc_steps {
	int n;                 /* buckets */
	long cycles, cycle;    /* cycles in all; the current one */
	uint64_t step;         /* steps handed out so far */
	uint64_t remain;       /* batches left in the current cycle */
	uint64_t *batches;     /* n full batches per bucket (copy) */
	uint64_t *left;        /* n batches left per bucket in the current cycle */
	double *odds, *w;      /* n odds (copy); n weights of the current cycle */
	lc_rng rng;
} lc_steps;

/* A schedule over n >= 1 buckets and cycles >= 1 cycles. */
void lc_steps_init(lc_steps *s, int n, const uint64_t *batches, const double *odds, long cycles, uint64_t seed);
/* The next step's bucket (0..n-1), its cycle in *cycle and its number (from 0) in
 * *step; -1 once every batch of every cycle is taken. */
int lc_steps_next(lc_steps *s, long *cycle, uint64_t *step);
void lc_steps_free(lc_steps *s);

#endif
