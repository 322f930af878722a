/*
 * hash — lctk's byte hashes and 64-bit mixer, in one place.
 *
 * Two hashes with two contracts:
 *   lc_hash64      FNV-1a over bytes, byte for byte.  Part of lctk's output (mixed
 *                  by lc_mix64, lcdecompose --shard K/N's choice of a document's
 *                  part; hashed into --shard parts' run keys), so it never changes.
 *   lc_hash_bytes  FNV-1a over 8-byte words with a final avalanche, for in-memory
 *                  hash tables (lc_strmap) and seeded draws; faster on long keys.
 * lc_mix64 is MurmurHash3's fmix64 finaliser: it spreads every input bit over the
 * output, for combining a hash with a seed or a counter.
 * None of these is for cryptography (lib/core/sha256 is).
 */
#ifndef LC_HASH_H
#define LC_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t lc_hash64(const void *p, size_t n);
uint64_t lc_hash_bytes(const void *p, size_t n);

static inline uint64_t lc_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif
