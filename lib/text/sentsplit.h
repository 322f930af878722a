/*
 * sentsplit — rule-based sentence segmentation with offsets.
 *
 * Used by lcsplit, by the extractive compressor (lib/color/compress) and by lcgen, so
 * every program cuts a passage the same way.  A sentence ends at . ! ? (or a run
 * of them, an ellipsis, the CJK full stops 。！？) followed by optional closing
 * quotes/brackets (CJK ones too: 」』）】》), white space (Unicode's: no-break and
 * ideographic spaces too), and a token that can start a sentence (not a
 * lowercase ASCII letter).  It does not end after a known abbreviation ("Dr.",
 * "e.g.", "Fig.", months...), an initial ("J. R. R. Tolkien"), inside a decimal
 * number ("3.14"), or inside brackets that close later on the same paragraph.
 * A blank line and a line that starts a list item ("- ", "* ", "• ", "1. ",
 * "1) ", "a) ") always start a new sentence; the text after the last terminator
 * is a sentence even without final punctuation.  Spans are trimmed of
 * surrounding whitespace; whitespace-only text has no sentences.
 *
 * Offsets are BYTE offsets into the input (UTF-8 safe: boundaries never fall
 * inside a multibyte character); lc_utf8_cpcount() converts to code points.
 *
 * Ownership: lc_sentsplit() fills a caller-owned lc_sentv (reused across calls
 * to avoid allocation); lc_sentv_free() releases it.
 */
#ifndef LC_SENTSPLIT_H
#define LC_SENTSPLIT_H

#include <stddef.h>

#include "utf8.h"  /* lc_utf8_cpcount */

typedef struct lc_span {
	size_t start, end;       /* byte offsets, end exclusive */
} lc_span;

typedef struct lc_sentv {
	lc_span *v;
	size_t n, cap;
} lc_sentv;

/* Splits s[0..n) into sentences; returns the count (also sv->n). */
size_t lc_sentsplit(const char *s, size_t n, lc_sentv *sv);
void lc_sentv_free(lc_sentv *sv);

#endif
