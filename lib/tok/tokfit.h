/*
 * tokfit — text fitted to a token budget: the longest prefix that encodes to at
 * most N tokens (lctok truncate), and windows of N tokens with an overlap, as
 * byte and character spans of the decoded text (lctok chunk).
 *
 *   lc_ids ids = {0}; lc_buf res = {0};
 *   lc_tok_truncate(t, s, n, 512, LC_TOK_SPECIAL_ERROR, &ids, &res, &e);
 *   lc_tok_decode_offsets(t, ids.v, ids.n, &text, offs, &e);    // offs: ids.n + 1
 *   lc_tok_window *w; size_t nw = lc_tok_windows(offs, ids.n, text.p, text.len, 512, 64, &w);
 *
 * Ownership: ids and res are the caller's (free(ids.v), lc_buf_free); the
 * windows array is allocated here and freed by the caller (free).
 */
#ifndef LC_TOKFIT_H
#define LC_TOKFIT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "tok.h"

/* The longest prefix of s[0..n) that encodes to at most max tokens, into res
 * (reset): s itself when its encoding fits and the tokenizer does not normalise;
 * else the decoded text up to where id k starts, cut back to a character's
 * start, and encoded again, k lowered until that fits (encoding a prefix may
 * merge otherwise).  The first
 * encoding uses special_mode (LC_TOK_SPECIAL_ERROR fails on a special token's
 * text); the prefix's encodings read specials as text in ERROR mode.  ids: the
 * caller's scratch, left holding the ids of res.  0, or -1 with e filled. */
int lc_tok_truncate(const lc_tok *t, const char *s, size_t n, size_t max, int special_mode, lc_ids *ids, lc_buf *res,
                    lc_err *e);

/* One window: ids [first, end) of the text, its bytes [b0, b1) in the decoded
 * text (widened to whole UTF-8 characters) and the same span in characters
 * (code points) [c0, c1). */
typedef struct lc_tok_window {
	size_t first, end;
	size_t b0, b1;
	size_t c0, c1;
} lc_tok_window;

/* Windows of max ids over nt ids, each starting max - overlap ids after the one
 * before (overlap < max), the last ending at nt; one empty window when nt is 0.
 * d[0..dn) is the ids' decoded text and offs[0..nt] where each id starts in it
 * (lc_tok_decode_offsets).  *out is allocated (caller frees); returns the
 * number of windows. */
size_t lc_tok_windows(const size_t *offs, size_t nt, const char *d, size_t dn, size_t max, size_t overlap,
                      lc_tok_window **out);

#endif
