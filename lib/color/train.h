/*
 * train — fits the extractive compressor's weights (lib/color/compress) to
 * preference pairs with CoLoR's length-weighted ORPO objective (lib/color/orpo;
 * Seo et al., ACL 2025): Adam (Kingma & Ba, 2015) on shuffled minibatches with
 * an L2 penalty, optionally several seeded runs whose weights are averaged.
 * Each pair holds one passage's words and the masks of its chosen and rejected
 * candidates (lc_cunits_project); the model's mean per-word log-probability of
 * a mask stands in for an LLM's mean per-token log-probability.
 *
 * Every draw goes through lib/core/rng: the shuffle of run r is seeded with
 * seed + r, the validation split draws once from the stream (seed, hash of
 * the passage key).  Pairs are split by passage (lc_train_is_val:
 * a pure function of the passage key and the seed, so no passage is in both).
 * After every epoch lc_train() calls the caller's on_epoch with that epoch's
 * loss and preference accuracy (the library never prints).
 *
 * Ownership: lc_train_pair and its masks are the caller's (lc_train_pair_free
 * releases the units and masks, not the struct).  lc_train() reads the pairs,
 * changes only m->w and fills *res.  Single-threaded and deterministic: same
 * pairs, settings and seed -> same weights, bit for bit.
 */
#ifndef LC_TRAIN_H
#define LC_TRAIN_H

#include <stddef.h>

#include "compress.h"
#include "err.h"

typedef struct lc_train_pair {
	lc_cunits u;               /* the passage's words */
	unsigned char *mc, *mr;    /* malloc'd u.n masks: chosen, rejected */
	double lc, lr;             /* lengths of chosen and rejected (the length weight's) */
	int val;                   /* 1: a validation pair */
} lc_train_pair;

void lc_train_pair_free(lc_train_pair *p);

/* Settings (lctrain's options; lc_train_defaults gives CoLoR's). */
typedef struct lc_train_opts {
	double beta;     /* weight of the odds-ratio term (2.5) */
	double c;        /* length weight slope: w = max(c * (l_r - l_c), 1) (0.1) */
	double lr;       /* Adam learning rate (0.05) */
	double l2;       /* L2 penalty on the weights (1e-4) */
	double val;      /* share of passages held out (0.1) */
	long epochs;     /* (30) */
	long batch;      /* pairs per update (16) */
	long seed;       /* run r uses seed + r (0) */
	long average;    /* runs averaged (1) */
} lc_train_opts;

void lc_train_defaults(lc_train_opts *o);

/* 1 when the passage with this key (pid, or its text) is held out for
 * validation under seed: about a share frac of all keys. */
int lc_train_is_val(const char *key, long seed, double frac);

/* One epoch's figures, for the caller's progress lines and report.  val_loss
 * and val_acc are meaningless when nval == 0. */
typedef struct lc_train_epoch {
	long run, epoch;           /* from 1 */
	double loss, train_acc, val_loss, val_acc;
	size_t ntrain, nval;
} lc_train_epoch;

typedef void (*lc_train_epoch_fn)(const lc_train_epoch *ep, void *arg);

typedef struct lc_train_result {
	size_t ntrain, nval;
	double loss, val_loss;     /* of the last epoch of the last run (NAN: none) */
	double train_acc, val_acc; /* of the final weights (the average's when average > 1) */
} lc_train_result;

/* Trains m->w from its current value (each run restarts from it) on the n
 * pairs P.  on_epoch may be NULL.  Returns 0, or -1 with e set when no pair is
 * a training pair. */
int lc_train(lc_cmodel *m, const lc_train_pair *P, size_t n, const lc_train_opts *o,
             lc_train_epoch_fn on_epoch, void *arg, lc_train_result *res, lc_err *e);

#endif
