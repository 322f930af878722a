/*
 * rng — lctk's seeded pseudo-random generator (xoshiro256**, seeded by splitmix64).
 * Not for cryptography.  An lc_rng is a plain value owned by its user; copy it to
 * fork a stream.  Used by Dataset Decomposition draws and shard shuffles, curricula,
 * the significance tests' permutations and bootstrap samples, lctrain's pair order
 * and validation split, lcgen's random candidates and the LLM client's retry jitter:
 * every --seed goes through it.
 */
#ifndef LC_RNG_H
#define LC_RNG_H

#include <stdint.h>

typedef struct lc_rng { uint64_t s[4]; } lc_rng;
void lc_rng_seed(lc_rng *r, uint64_t seed);
/* Seeds from two words (seed, stream), e.g. (--seed, document ordinal). */
void lc_rng_seed2(lc_rng *r, uint64_t seed, uint64_t stream);
uint64_t lc_rng_next(lc_rng *r);
/* Uniform in [0, n), n >= 1, unbiased (Lemire's multiply-and-reject). */
uint64_t lc_rng_below(lc_rng *r, uint64_t n);

#endif
