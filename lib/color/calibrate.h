/*
 * calibrate — the corpus-wide threshold at which a compressor model keeps
 * about 1/R of a corpus's words (lctrain --target-ratio).
 *
 * Passages of one sentence are kept whole by lcompress, so they count as kept;
 * the words of the other passages are ranked by their keep probability with
 * the model's per-passage length shift (lc_cmodel_length_adjust, with the mean
 * log length of all passages added), and the threshold is the probability of
 * the word at the (1 - 1/R) quantile of the words still to keep.
 *
 *   lc_calib c = {0};
 *   for each passage: lc_cunits_build(&u, ...); lc_calib_add(&c, m, &u);
 *   m->threshold = lc_calib_threshold(&c, m, R);
 *   lc_calib_free(&c);
 *
 * Ownership: lc_calib is the caller's, zero-initialised; it owns its arrays
 * until lc_calib_free.  The model must not change between add and threshold.
 */
#ifndef LC_CALIBRATE_H
#define LC_CALIBRATE_H

#include <stddef.h>

#include "compress.h"

typedef struct lc_calib {
	double *p;          /* keep probabilities of the words of multi-sentence passages */
	size_t *nw;         /* per word: the word count of its passage */
	size_t n, cap;
	size_t total;       /* words of all passages */
	size_t whole;       /* words of one-sentence passages (kept whole) */
	size_t npass;
	double sum_log;     /* sum of log1p(words) over the passages */
} lc_calib;

/* Adds one passage's words under model m. */
void lc_calib_add(lc_calib *c, const lc_cmodel *m, const lc_cunits *u);
/* The threshold that keeps about total/target words: 1 when the one-sentence
 * passages alone reach it; m->threshold unchanged when no passage has two
 * sentences.  Reorders c's arrays. */
double lc_calib_threshold(lc_calib *c, const lc_cmodel *m, double target);
void lc_calib_free(lc_calib *c);

#endif
