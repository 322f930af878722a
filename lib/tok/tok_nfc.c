/*
 * tok_nfc — Unicode NFC normalisation for tokenizer.json "NFC" normalizers (Qwen,
 * GPT-NeoX), over the generated tables in tok_unicode.c: full canonical
 * decomposition (Hangul algorithmically), canonical ordering by combining class,
 * then canonical composition with the Full_Composition_Exclusion list applied.
 * Input must be valid UTF-8 (lib/tok/tok repairs it first).
 */
#include "tok_unicode.h"
#include "err.h"
#include "utf8.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SBASE = 0xAC00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11A7,
       LCOUNT = 19, VCOUNT = 21, TCOUNT = 28, NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT };

/* Code points whose NFC_Quick_Check is not Yes: decomposable characters that
 * are not primary composites (No) and second characters of a composition pair,
 * Hangul vowel and trailing jamo included (Maybe).  Built once. */
static uint8_t notyes[0x110000 / 8];
static pthread_once_t notyes_once = PTHREAD_ONCE_INIT;

static void notyes_init(void)
{
	uint8_t *prim = lc_xcalloc(0x110000 / 8, 1);
	for (size_t i = 0; i < lc_tok_uc_ncomp; i++) {
		uint32_t c = lc_tok_uc_comp[i].c, b = lc_tok_uc_comp[i].b;
		prim[c >> 3] |= (uint8_t)(1u << (c & 7));
		notyes[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
	for (size_t i = 0; i < lc_tok_uc_ndecomp; i++) {
		uint32_t c = lc_tok_uc_decomp[i].cp;
		if (!(prim[c >> 3] >> (c & 7) & 1))
			notyes[c >> 3] |= (uint8_t)(1u << (c & 7));
	}
	for (uint32_t c = VBASE; c < VBASE + VCOUNT; c++)
		notyes[c >> 3] |= (uint8_t)(1u << (c & 7));
	for (uint32_t c = TBASE + 1; c < TBASE + TCOUNT; c++)
		notyes[c >> 3] |= (uint8_t)(1u << (c & 7));
	free(prim);
}

int lc_tok_nfc_quick(const char *str, size_t n)
{
	/* UAX #15 quick check: every code point NFC_QC=Yes and combining classes in
	 * canonical order.  Below U+0300 everything is Yes with class 0. */
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	for (; i < n; i++)
		if (s[i] >= 0xCC)
			break;
	if (i == n)
		return 1;
	pthread_once(&notyes_once, notyes_init);
	while (i > 0 && (s[i] & 0xC0) == 0x80)
		i--;
	unsigned last = 0;
	while (i < n) {
		if (s[i] < 0x80) {
			last = 0;
			i++;
			continue;
		}
		uint32_t cp = lc_utf8_next_valid(s, &i);
		if (notyes[cp >> 3] >> (cp & 7) & 1)
			return 0;
		unsigned c = lc_tok_uc_ccc(cp);
		if (c && last > c)
			return 0;
		last = c;
	}
	return 1;
}

static const lc_tok_decomp *find_decomp(uint32_t cp)
{
	size_t lo = 0, hi = lc_tok_uc_ndecomp;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (lc_tok_uc_decomp[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < lc_tok_uc_ndecomp && lc_tok_uc_decomp[lo].cp == cp ? &lc_tok_uc_decomp[lo] : NULL;
}

static uint32_t compose(uint32_t a, uint32_t b)
{
	if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
		return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
	if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT)
		return a + (b - TBASE);
	size_t lo = 0, hi = lc_tok_uc_ncomp;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const lc_tok_comp *c = &lc_tok_uc_comp[mid];
		if (c->a < a || (c->a == a && c->b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < lc_tok_uc_ncomp && lc_tok_uc_comp[lo].a == a && lc_tok_uc_comp[lo].b == b)
		return lc_tok_uc_comp[lo].c;
	return 0;
}

void lc_tok_nfc(const char *str, size_t n, lc_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t cap = n * 3 + 8, m = 0;
	uint32_t *d = lc_xmalloc(cap * sizeof *d);
	for (size_t i = 0; i < n;) {
		uint32_t cp = lc_utf8_next_valid(s, &i);
		const lc_tok_decomp *dc;
		if (m + 20 > cap) {
			cap *= 2;
			d = lc_xrealloc(d, cap * sizeof *d);
		}
		if (cp >= SBASE && cp < SBASE + SCOUNT) {
			uint32_t si = cp - SBASE;
			d[m++] = LBASE + si / NCOUNT;
			d[m++] = VBASE + (si % NCOUNT) / TCOUNT;
			if (si % TCOUNT)
				d[m++] = TBASE + si % TCOUNT;
		} else if (cp >= 0xC0 && (dc = find_decomp(cp))) {
			for (uint32_t k = 0; k < dc->len; k++)
				d[m++] = lc_tok_uc_decomp_pool[dc->off + k];
		} else
			d[m++] = cp;
	}
	/* canonical ordering: stable insertion sort inside each run of non-starters */
	for (size_t i = 1; i < m; i++) {
		unsigned c = lc_tok_uc_ccc(d[i]);
		if (!c)
			continue;
		size_t j = i;
		uint32_t x = d[i];
		while (j > 0) {
			unsigned pc = lc_tok_uc_ccc(d[j - 1]);
			if (pc <= c)
				break;
			d[j] = d[j - 1];
			j--;
		}
		d[j] = x;
	}
	/* canonical composition */
	if (m) {
		size_t starter = 0, o = 1;
		unsigned last = lc_tok_uc_ccc(d[0]);
		if (last)
			last = 256;
		for (size_t i = 1; i < m; i++) {
			uint32_t ch = d[i];
			unsigned cc = lc_tok_uc_ccc(ch);
			uint32_t comp = compose(d[starter], ch);
			if (comp && (last < cc || last == 0) && !(last == 0 && o - 1 != starter)) {
				d[starter] = comp;
				continue;
			}
			if (!cc)
				starter = o;
			last = cc;
			d[o++] = ch;
		}
		m = o;
	}
	for (size_t i = 0; i < m; i++)
		lc_utf8_put(out, d[i]);
	if (!out->p)
		lc_buf_add(out, "", 0);
	free(d);
}
