/* tokfit — truncation to a token budget and token windows (see tokfit.h). */
#include "tokfit.h"
#include "utf8.h"

#include <stdlib.h>

int lc_tok_truncate(const lc_tok *t, const char *s, size_t n, size_t max, int special_mode, lc_ids *ids, lc_buf *res,
                    lc_err *e)
{
	ids->n = 0;
	if (lc_tok_encode(t, s, n, special_mode, ids, e))
		return -1;
	lc_buf_reset(res);
	if (ids->n <= max && !lc_tok_normalizes(t)) {
		lc_buf_add(res, s, n);
		return 0;
	}
	int again = special_mode == LC_TOK_SPECIAL_ERROR ? LC_TOK_SPECIAL_TEXT : special_mode;
	size_t k = ids->n < max ? ids->n : max;
	lc_ids all = *ids;   /* the text's ids; ids takes each prefix's */
	*ids = (lc_ids){ 0 };
	/* the prefixes are cut from the whole decoded text at the ids' offsets, back
	 * to a character's start: decoding the first k ids alone could end in half
	 * a <0xNN> run, which a SentencePiece decoder turns into U+FFFD */
	lc_buf text = {0};
	size_t *offs = lc_xmalloc((all.n + 1) * sizeof *offs);
	int rc = lc_tok_decode_offsets(t, all.v, all.n, &text, offs, e);
	while (!rc) {
		lc_buf_reset(res);
		lc_buf_add(res, text.p, lc_utf8_valid_prefix(text.p, offs[k]));
		ids->n = 0;
		if ((rc = lc_tok_encode(t, res->p, res->len, again, ids, e)) != 0)
			break;
		if (ids->n <= max || k == 0)
			break;
		k--;
	}
	free(offs);
	lc_buf_free(&text);
	free(all.v);
	return rc ? -1 : 0;
}

size_t lc_tok_windows(const size_t *offs, size_t nt, const char *d, size_t dn, size_t max, size_t overlap,
                      lc_tok_window **out)
{
	size_t step = max - overlap, cap = nt > max ? (nt - max) / step + 2 : 1, nw = 0;
	lc_tok_window *w = lc_xmalloc(cap * sizeof *w);
	size_t cpos = 0, cbyte = 0;   /* characters before byte cbyte (the last window's b0) */
	for (size_t st = 0;; st += step) {
		size_t en = st + max < nt ? st + max : nt;
		size_t b0 = offs[st], b1 = offs[en];
		while (b0 > 0 && b0 < dn && ((unsigned char)d[b0] & 0xC0) == 0x80)
			b0--;
		while (b1 < dn && ((unsigned char)d[b1] & 0xC0) == 0x80)
			b1++;
		/* character offsets, counted on from the last window's start (starts only
		 * move forward: offs rises and b0 stays on a character's start) */
		size_t c0 = cpos + lc_utf8_cpcount(d + cbyte, b0 - cbyte);
		cpos = c0;
		cbyte = b0;
		if (nw == cap)
			w = lc_xrealloc(w, (cap *= 2) * sizeof *w);
		w[nw++] = (lc_tok_window){ st, en, b0, b1, c0, c0 + lc_utf8_cpcount(d + b0, b1 - b0) };
		if (en >= nt)
			break;
	}
	*out = w;
	return nw;
}
