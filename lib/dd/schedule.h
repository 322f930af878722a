/*
 * schedule — variable-sequence-length training schedules over Dataset Decomposition
 * buckets (Dataset Decomposition, Pouransari et al., NeurIPS 2024): curricula as sampling odds, per-step bucket/batch schedules
 * with constant tokens per step, and the OpenLM arguments of the reference's helper
 * (apple/ml-dataset-decomposition scripts/get_dd_params.py, reimplemented).
 *
 * Curricula (odds listed from the shortest bucket to the longest, n buckets):
 *   uniform      1 1 ... 1
 *   grow-p2      2^(n-1) ... 4 2 1       (the reference's 32 16 8 4 2 1 for six buckets)
 *   grow-linear  n n-1 ... 2 1
 *   shrink       1 2 4 ... 2^(n-1)
 *
 * Per-step schedule: with B sequences per step in the longest bucket (2^kmax), bucket
 * k takes b_k = B * 2^(kmax-k) sequences, so every step has B * 2^kmax tokens.  Bucket
 * k has floor(N_k / b_k) batches; with C cycles, cycle c gets batches
 * floor((c+1)*M/C) - floor(c*M/C) of each bucket.  Within a cycle every step picks a
 * bucket that still has batches with probability proportional to odds_k * M_k,c (its
 * mixture weight, fixed for the cycle as OpenLM's --train-data-mix-weights are) among
 * the buckets not yet exhausted; draws use lc_rng seeded with --seed.  The step
 * loop that does this is lc_steps_next (steps.h).
 *
 * Ownership: plain arrays owned by the caller.
 */
#ifndef LC_SCHEDULE_H
#define LC_SCHEDULE_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

/* Fills odds[0..n) for a named curriculum; -1 if the name is unknown. */
int lc_sched_curriculum(const char *name, int n, double *odds);

typedef struct lc_openlm_in {
	int n;                       /* buckets, shortest first */
	const uint64_t *seqs;        /* sequences available per bucket (manifests) */
	const uint64_t *seq_per_shard; /* nominal shard size per bucket */
	const uint64_t *seq_len;     /* 2^k */
	const double *batch_mult;    /* 2^(kmax-k) */
	const double *odds;          /* curriculum */
	uint64_t tokens;             /* total tokens to train on */
	long epochs, gpus, global_batch, workers;
} lc_openlm_in;

typedef struct lc_openlm_out {
	long epochs;
	int64_t train_num_samples;   /* tokens per epoch actually scheduled */
	int64_t *num_seq_per_epoch;  /* n entries, malloc'd */
	int64_t *mix_weights;        /* n entries, malloc'd */
	int matched;                 /* 0: the requested tokens could not be matched exactly */
	int64_t tokens_real;         /* epochs * train_num_samples */
} lc_openlm_out;

/* The reference's computation; -1 + e when a condition fails (e.g. a shard smaller
 * than a batch).  Free out->num_seq_per_epoch and out->mix_weights. */
int lc_openlm_params(const lc_openlm_in *in, lc_openlm_out *out, lc_err *e);
#endif
