/*
 * sha256 — SHA-256 (FIPS 180-4), used to name cache entries by the hash of a
 * canonical request (lib/llm/llm.c).  Written from the standard; no state beyond the
 * context struct, so it is thread-safe per context.
 *
 * Use: lc_sha256_init(&c); lc_sha256_update(&c, p, n)...; lc_sha256_final(&c, out);
 * or the one-shot lc_sha256_hex(p, n, hex) which writes 64 lowercase hex digits + NUL.
 */
#ifndef LC_SHA256_H
#define LC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct lc_sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	unsigned char blk[64];
	size_t fill;           /* bytes pending in blk */
} lc_sha256;

void lc_sha256_init(lc_sha256 *c);
void lc_sha256_update(lc_sha256 *c, const void *p, size_t n);
void lc_sha256_final(lc_sha256 *c, unsigned char out[32]);
/* hex must hold 65 bytes. */
void lc_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
