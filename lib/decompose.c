/*
 * decompose — the reference binary Dataset Decomposition of one document, and the
 * small seeded generator (xoshiro256** + splitmix64) lctk's DD code draws from.
 * See decompose.h for the algorithm and the exact draw.
 */
#include "decompose.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void lc_rng_seed(lc_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

void lc_rng_seed2(lc_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	uint64_t a = splitmix64(&x);
	lc_rng_seed(r, a ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL));
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t lc_rng_next(lc_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint64_t lc_rng_below(lc_rng *r, uint64_t n)
{
	/* Lemire: 128-bit product, reject the biased low region. */
	unsigned __int128 m = (unsigned __int128)lc_rng_next(r) * n;
	uint64_t lo = (uint64_t)m;
	if (lo < n) {
		uint64_t t = (0 - n) % n;
		while (lo < t) {
			m = (unsigned __int128)lc_rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

uint64_t lc_hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

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
