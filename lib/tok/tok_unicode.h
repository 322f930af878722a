/*
 * tok_unicode — Unicode tables for lib/tok/tok (generated into tok_unicode.c by
 * lib/tok/gen/unicode-tables.mjs from the Unicode Character Database; versions in
 * lc_tok_unicode_version / lc_tok_nfc_unicode_version).
 *
 * lc_tok_uc_class(cp): low 3 bits = LC_UC_* general category group, bit LC_UC_WS =
 * Unicode White_Space.  lc_tok_uc_ccc(cp): canonical combining class.
 * lc_tok_nfc() normalises UTF-8 to NFC (the input must be valid UTF-8).
 * All tables are static constant data; nothing to free.
 */
#ifndef LC_TOK_UNICODE_H
#define LC_TOK_UNICODE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum { LC_UC_OTHER = 0, LC_UC_LU = 1, LC_UC_LL = 2, LC_UC_LT = 3, LC_UC_LM = 4,
       LC_UC_LO = 5, LC_UC_M = 6, LC_UC_N = 7, LC_UC_WS = 8 };

typedef struct lc_tok_decomp { uint32_t cp, off, len; } lc_tok_decomp;
typedef struct lc_tok_comp { uint32_t a, b, c; } lc_tok_comp;

extern const char lc_tok_unicode_version[], lc_tok_nfc_unicode_version[];
extern const uint16_t lc_tok_uc_class_1[], lc_tok_uc_ccc_1[];
extern const uint8_t lc_tok_uc_class_2[], lc_tok_uc_ccc_2[];
extern const lc_tok_decomp lc_tok_uc_decomp[];
extern const uint32_t lc_tok_uc_decomp_pool[];
extern const lc_tok_comp lc_tok_uc_comp[];
extern const size_t lc_tok_uc_ndecomp, lc_tok_uc_ncomp;

static inline unsigned lc_tok_uc_class(uint32_t cp)
{
	if (cp >= 0x110000)
		return 0;
	return lc_tok_uc_class_2[(size_t)lc_tok_uc_class_1[cp >> 7] * 128 + (cp & 127)];
}

static inline unsigned lc_tok_uc_ccc(uint32_t cp)
{
	if (cp >= 0x110000)
		return 0;
	return lc_tok_uc_ccc_2[(size_t)lc_tok_uc_ccc_1[cp >> 7] * 128 + (cp & 127)];
}

/* Appends the NFC form of valid UTF-8 s[0..n) to out. */
void lc_tok_nfc(const char *s, size_t n, lc_buf *out);
/* 1 if s[0..n) is certainly already NFC (fast check; 0 = maybe not). */
int lc_tok_nfc_quick(const char *s, size_t n);

#endif
