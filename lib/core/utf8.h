/*
 * utf8 — UTF-8 validation shared by every reader and the tokenizers: one
 * definition of a valid sequence (no overlongs, no surrogates, nothing above
 * U+10FFFF) and of the "maximal subpart" that a replacement covers (Unicode's
 * and WHATWG's rule, as Python's decode('utf-8', 'replace') and Rust's
 * from_utf8_lossy apply it).
 *
 * Also: decoding one code point, encoding one, counting code points.
 *
 * Ownership: output is appended to the caller's lc_buf.
 */
#ifndef LC_UTF8_H
#define LC_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Length of the valid sequence at s[i] (1..4; an ASCII byte, NUL included, is 1),
 * or 0 if it is invalid, with *bad = the length of the maximal subpart to replace
 * (>= 1). */
size_t lc_utf8_seq(const uint8_t *s, size_t n, size_t i, size_t *bad);
/* Length of the longest valid UTF-8 prefix of s. */
size_t lc_utf8_valid_prefix(const char *s, size_t n);
/* Appends the WHATWG-repaired form of s (each maximal invalid UTF-8 subpart ->
 * U+FFFD) to out.  Returns the number of replacements. */
size_t lc_utf8_repair(const char *s, size_t n, lc_buf *out);

/* Decodes the code point at s[0..n) into *cp; returns its byte length (1..4), or
 * 0 when the bytes there are not a valid sequence (the caller skips one byte). */
size_t lc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* The code point at s[*i] of text already known to be valid UTF-8 (no checks:
 * for hot loops over validated input); advances *i past it. */
static inline uint32_t lc_utf8_next_valid(const unsigned char *s, size_t *i)
{
	unsigned char b = s[*i];
	uint32_t cp;
	if (b < 0x80) {
		cp = b;
		*i += 1;
	} else if (b < 0xE0) {
		cp = (uint32_t)(b & 0x1F) << 6 | (s[*i + 1] & 0x3F);
		*i += 2;
	} else if (b < 0xF0) {
		cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[*i + 1] & 0x3F) << 6 | (s[*i + 2] & 0x3F);
		*i += 3;
	} else {
		cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[*i + 1] & 0x3F) << 12 | (uint32_t)(s[*i + 2] & 0x3F) << 6 |
		     (s[*i + 3] & 0x3F);
		*i += 4;
	}
	return cp;
}
/* Writes cp (<= U+10FFFF) as UTF-8 into out[0..4); returns the byte length. */
size_t lc_utf8_encode(uint32_t cp, char out[4]);
/* Appends cp as UTF-8 to b. */
void lc_utf8_put(lc_buf *b, uint32_t cp);
/* Code points in s[0..n): the bytes that are not continuation bytes (for valid
 * UTF-8, the number of characters; a byte offset inside s converts with it). */
size_t lc_utf8_cpcount(const char *s, size_t n);

#endif
