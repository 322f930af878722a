/*
 * decompose — Dataset Decomposition (Pouransari et al., NeurIPS 2024), the reference
 * binary decomposition of one tokenised document into power-of-two pieces.
 *
 * Per document (its tokens followed by one end-of-text token, n tokens in all),
 * while more than one token remains:
 *     k = floor(log2(n - 1))
 *     k < kmin            -> the remaining n tokens are dropped (counted)
 *     k > kmax, random    -> k is drawn from {kmax, ..., kmin} with P(k) ∝ 2^(kmax-k)
 *     k > kmax, !random   -> k = kmax   (--no-random; the reference's randomize=False)
 *     the next 2^k + 1 tokens form one sequence of bucket D_k (the extra token is the
 *     shifted target), and n -= 2^k + 1.
 * A final single token (n == 1) is dropped and counted too, as are empty documents
 * (an empty document is just its end-of-text token).  Pieces do not overlap.
 *
 * Randomness: the draw uses lc_rng, xoshiro256** seeded through splitmix64.  Every
 * document gets its own generator, seeded from (seed, document ordinal), so that the
 * pieces of a document do not depend on which other documents the same process saw;
 * this is what makes `--shard K/N` + merge produce exactly one process's sequences.
 * The draw is exact integer arithmetic: with m = kmax - kmin, u is uniform in
 * [1, 2^(m+1) - 1] (u = 1 + lc_rng_below(2^(m+1) - 1)) and k = kmax - floor(log2(u));
 * exactly 2^j values of u give floor(log2(u)) = j, so P(k) = 2^(kmax-k) / (2^(m+1) - 1).
 *
 * Ownership: lc_dd is a plain value (no heap); callbacks receive pointers into the
 * caller's token array, valid only during the call.
 */
#ifndef LC_DECOMPOSE_H
#define LC_DECOMPOSE_H
#include <stddef.h>
#include <stdint.h>

#include "hash.h"  /* lc_hash64: the document hash used by --shard K/N */
#include "rng.h"

enum { LC_DD_KMAX_LIMIT = 30 };   /* 2^30 + 1 tokens per sequence at most */



typedef struct lc_dd {
	int kmin, kmax;       /* 0 <= kmin <= kmax <= LC_DD_KMAX_LIMIT */
	int randomize;        /* 1 = reference draw for long remainders, 0 = always kmax */
	uint64_t seed;
} lc_dd;

typedef struct lc_dd_stats {
	uint64_t docs;              /* documents seen */
	uint64_t docs_empty;        /* documents with no tokens before the end-of-text */
	uint64_t docs_dropped;      /* documents that gave no sequence at all */
	uint64_t tokens_in;         /* tokens including one end-of-text per document */
	uint64_t tokens_kept;       /* sum over sequences of 2^k + 1 */
	uint64_t tokens_dropped;    /* remainders shorter than 2^kmin + 1, final single tokens */
	uint64_t seqs[LC_DD_KMAX_LIMIT + 1];   /* sequences per bucket k */
} lc_dd_stats;

/* Receives one sequence: tokens tok[0 .. 2^k] (2^k + 1 of them). */
typedef void (*lc_dd_emit_fn)(void *ctx, int k, const uint32_t *tok, size_t n);

/* Draws k in [kmin, kmax] with P(k) ∝ 2^(kmax - k). */
int lc_dd_draw(const lc_dd *d, lc_rng *r);

/* Decomposes one document tok[0..n) (end-of-text already appended by the caller),
 * calling emit for every piece in document order; ordinal seeds the document's
 * generator.  Updates st (may be NULL).  Returns the number of tokens dropped. */
size_t lc_dd_doc(const lc_dd *d, uint64_t ordinal, const uint32_t *tok, size_t n,
                 lc_dd_emit_fn emit, void *ctx, lc_dd_stats *st);

/* floor(log2(x)) for x >= 1. */
int lc_ilog2(uint64_t x);
#endif
