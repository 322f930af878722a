/*
 * pack — the baselines Dataset Decomposition (Pouransari et al., NeurIPS 2024) is
 * compared with, and the per-method report: concat-and-chunk and best-fit-decreasing
 * packing (Ding et al. 2024, "Fewer Truncations Improve Language Modeling").
 *
 * Sequence convention (shared with decompose.h): a training sequence of length L
 * holds L + 1 tokens (the extra one is the shifted target), so DD's D_k sequences
 * hold 2^k + 1 tokens and a baseline with -L LEN holds LEN + 1.  Every document is
 * its tokens plus one end-of-text token.
 *
 * concat:  all documents in input order are concatenated and cut into consecutive
 *          LEN + 1 token sequences; the final shorter remainder is dropped.  A
 *          sequence "crosses a boundary" when it holds tokens of two or more documents.
 * bestfit: documents longer than LEN + 1 are split into LEN + 1 pieces plus a shorter
 *          remainder; all pieces are then packed best-fit-decreasing (longest first,
 *          ties in input order; each into the open bin with the least room that fits,
 *          the most recently filled such bin on ties; else a new bin) into bins of LEN + 1.
 *          Unused room is "padded"; nothing is dropped; a bin with two or more pieces
 *          crosses a boundary (with per-document attention masking it would not).
 * Attention cost is Σ len² over sequences with len the training length: 2^k for
 * DD, LEN for both baselines (a packed bin is padded to LEN).
 *
 * Ownership: lc_bestfit_new() allocates, lc_bestfit_free() frees; lc_concat is a
 * value whose buffer lc_concat_finish() frees.  Emitted token pointers are valid
 * only during the callback.
 */
#ifndef LC_PACK_H
#define LC_PACK_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

typedef struct lc_pack_report {
	char method[32];         /* "dd", "concat", "bestfit" */
	uint64_t seq_len;        /* LEN for baselines, 0 for dd (varies) */
	uint64_t docs, sequences, tokens_in, tokens_kept, tokens_dropped, tokens_padded;
	uint64_t crossing;       /* sequences holding tokens of more than one document */
	uint64_t attn_cost;      /* Σ len² */
} lc_pack_report;

/* One sequence; crossing = it holds tokens of more than one document. */
typedef void (*lc_pack_emit_fn)(void *ctx, const uint32_t *tok, size_t n, int crossing);

typedef struct lc_concat {
	size_t cap;              /* LEN + 1 */
	uint32_t *buf;
	size_t fill;
	int docs_in_buf;         /* documents with tokens in buf */
	lc_pack_emit_fn emit;
	void *ctx;
	lc_pack_report rep;
} lc_concat;

void lc_concat_init(lc_concat *c, size_t len, lc_pack_emit_fn emit, void *ctx);
void lc_concat_doc(lc_concat *c, const uint32_t *tok, size_t n);
void lc_concat_finish(lc_concat *c);      /* drops the remainder; frees buf */

typedef struct lc_bestfit lc_bestfit;
/* keep_tokens = 0: lengths only (report); 1: keeps the tokens so finish can emit. */
lc_bestfit *lc_bestfit_new(size_t len, int keep_tokens);
void lc_bestfit_doc(lc_bestfit *b, const uint32_t *tok, size_t n);
/* Packs; emits each bin (pieces concatenated, unpadded) in bin order; fills rep. */
void lc_bestfit_finish(lc_bestfit *b, lc_pack_emit_fn emit, void *ctx, lc_pack_report *rep);
void lc_bestfit_free(lc_bestfit *b);

/* Appends a side-by-side table of reports r[0..n) (one column per method). */
void lc_pack_table(lc_buf *out, const lc_pack_report *r, int n);
#endif
