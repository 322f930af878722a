/*
 * decompose — the reference binary Dataset Decomposition of one document (draws
 * from lc_rng, rng.h).
 * See decompose.h for the algorithm and the exact draw.
 */
#include "decompose.h"

int lc_ilog2(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

int lc_dd_draw(const lc_dd *d, lc_rng *r)
{
	int m = d->kmax - d->kmin;
	uint64_t total = (2ULL << m) - 1;
	uint64_t u = 1 + lc_rng_below(r, total);
	return d->kmax - lc_ilog2(u);
}

size_t lc_dd_doc(const lc_dd *d, uint64_t ordinal, const uint32_t *tok, size_t n,
                 lc_dd_emit_fn emit, void *ctx, lc_dd_stats *st)
{
	lc_rng r;
	int seeded = 0;
	size_t pos = 0, kept = 0;
	while (n - pos > 1) {
		int k = lc_ilog2(n - pos - 1);
		if (k < d->kmin)
			break;
		if (k > d->kmax) {
			if (d->randomize) {
				if (!seeded) {
					lc_rng_seed2(&r, d->seed, ordinal);
					seeded = 1;
				}
				k = lc_dd_draw(d, &r);
			} else {
				k = d->kmax;
			}
		}
		size_t len = ((size_t)1 << k) + 1;
		if (emit)
			emit(ctx, k, tok + pos, len);
		if (st)
			st->seqs[k]++;
		pos += len;
		kept += len;
	}
	size_t dropped = n - pos;
	if (st) {
		st->docs++;
		if (n <= 1)
			st->docs_empty++;
		if (!kept)
			st->docs_dropped++;
		st->tokens_in += n;
		st->tokens_kept += kept;
		st->tokens_dropped += dropped;
	}
	return dropped;
}
