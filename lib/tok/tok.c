/*
 * tok — the BPE engine behind lctok (see tok.h for the contract).
 *
 * Pipeline for one text:
 *   1. ERROR mode: refuse text that spells a special token (byte offset named).
 *   2. WHATWG repair of invalid UTF-8 (each maximal invalid subpart -> U+FFFD).
 *   3. Added/special tokens are cut out of the raw text (leftmost-longest), then
 *      (tokenizer.json) the gaps are NFC-normalised and tokens marked
 *      "normalized" are cut out of the normalised text.
 *   4. Each remaining segment runs through the pre-tokenizer stages: hand-written
 *      matchers for the known split patterns (cl100k, o200k, gpt2/r50k/p50k, Qwen's
 *      one-digit cl100k variant) over generated Unicode 16 tables, or PCRE2 (JIT)
 *      for any other regex.
 *   5. Each piece is looked up whole (tiktoken; HF ignore_merges), then in a
 *      thread-local cache, then merged: the adjacent pair with the lowest rank
 *      first, leftmost on ties (tiktoken: rank of the concatenated bytes; HF: the
 *      merge's index).  Short pieces use the simple quadratic loop; long ones a
 *      heap over a linked list, so 1 MB of one letter stays O(n log n).
 *
 * Everything in struct lc_tok is read-only after load, so threads share it.
 *
 * This file holds steps 1-3, decoding and construction; step 4 is tok_pretok.c,
 * step 5 tok_bpe.c, and the loaders are tok_tiktoken.c and tok_hf.c (their
 * shared internals are declared in tok_impl.h).
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok.h"
#include "tok_unicode.h"
#include "tok_impl.h"
#include "tokcache.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_uint tok_serial;

void lc_ids_push(lc_ids *ids, uint32_t id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 64;
		ids->v = lc_xrealloc(ids->v, ids->cap * sizeof *ids->v);
	}
	ids->v[ids->n++] = id;
}

/* Applies the normalizer's Prepend/Replace steps to s[0..n), in order, into out. */
static void apply_norm_ops(const lc_tok *t, const uint8_t *s, size_t n, lc_buf *out)
{
	lc_buf cur = {0}, next = {0};
	lc_buf_add(&cur, (const char *)s, n);
	for (size_t o = 0; o < t->nnops; o++) {
		const struct norm_op *op = &t->nops[o];
		lc_buf_reset(&next);
		if (!op->from) { /* Prepend: only to a non-empty piece */
			if (cur.len)
				lc_buf_add(&next, op->to, op->nto);
			lc_buf_add(&next, cur.p, cur.len);
		} else {
			const char *p = cur.p, *end = cur.p + cur.len, *m;
			while (op->nfrom && (m = memmem(p, (size_t)(end - p), op->from, op->nfrom))) {
				lc_buf_add(&next, p, (size_t)(m - p));
				lc_buf_add(&next, op->to, op->nto);
				p = m + op->nfrom;
			}
			lc_buf_add(&next, p, (size_t)(end - p));
		}
		lc_buf swap = cur;
		cur = next;
		next = swap;
	}
	lc_buf_add(out, cur.p ? cur.p : "", cur.len);
	lc_buf_free(&cur);
	lc_buf_free(&next);
}

/* ---- added tokens ---------------------------------------------------------------- */

/* category bit of an added token: special (1) or not (0), normalized (2) or not */
static inline unsigned acat(const added *a) { return 1u << ((a->special ? 1 : 0) | (a->normalized ? 2 : 0)); }

/* Leftmost-longest added token in s[from..n) among categories in cats. */
static size_t find_added(const lc_tok *t, const uint8_t *s, size_t n, size_t from, unsigned cats, size_t *which)
{
	if (!(t->cats & cats))
		return n;
	for (size_t i = from; i < n; i++) {
		uint32_t b0 = t->bstart[s[i]], b1 = t->bstart[s[i] + 1];
		for (uint32_t j = b0; j < b1; j++) {
			const added *a = &t->add[t->border[j]];
			if (!(acat(a) & cats) || a->n > n - i)
				continue;
			if (!memcmp(s + i, a->s, a->n)) {
				*which = t->border[j];
				return i;
			}
		}
	}
	return n;
}

#define CAT_SPECIAL 0xAu   /* special, normalized or not */
#define CAT_RAW_NS 0x1u    /* non-special, not normalized */
#define CAT_RAW_SP 0x2u
#define CAT_NORM_NS 0x4u
#define CAT_NORM_SP 0x8u

static void encode_normalized(const lc_tok *t, const uint8_t *s, size_t n, int allow, sink *k)
{
	unsigned cats = CAT_NORM_NS | (allow ? CAT_NORM_SP : 0);
	size_t i = 0, w;
	while (i < n) {
		size_t p = find_added(t, s, n, i, cats, &w);
		tok_pretokenize(t, s + i, p - i, k);
		if (p >= n)
			break;
		emit(k, t->add[w].id);
		i = p + t->add[w].n;
	}
}

static void encode_segment(const lc_tok *t, const uint8_t *s, size_t n, int allow, sink *k)
{
	if (!n)
		return;
	lc_buf b = {0};
	if (t->nfc && !lc_tok_nfc_quick((const char *)s, n)) {
		lc_tok_nfc((const char *)s, n, &b);
		s = (const uint8_t *)b.p;
		n = b.len;
	}
	if (t->nnops) {
		lc_buf c = {0};
		apply_norm_ops(t, s, n, &c);
		lc_buf_free(&b);
		b = c;
		s = (const uint8_t *)b.p;
		n = b.len;
	}
	encode_normalized(t, s, n, allow, k);
	lc_buf_free(&b);
}

static void encode_text(const lc_tok *t, const uint8_t *s, size_t n, int allow, sink *k)
{
	unsigned cats = CAT_RAW_NS | (allow ? CAT_RAW_SP : 0);
	size_t i = 0, w;
	while (i < n) {
		size_t p = find_added(t, s, n, i, cats, &w);
		encode_segment(t, s + i, p - i, allow, k);
		if (p >= n)
			break;
		emit(k, t->add[w].id);
		i = p + t->add[w].n;
	}
}

static int tok_encode(const lc_tok *t, const char *str, size_t n, int mode, lc_ids *out, lc_err *e, size_t *count);

int lc_tok_encode(const lc_tok *t, const char *str, size_t n, int mode, lc_ids *out, lc_err *e)
{
	return tok_encode(t, str, n, mode, out, e, NULL);
}

static int tok_encode(const lc_tok *t, const char *str, size_t n, int mode, lc_ids *out, lc_err *e, size_t *count)
{
	const uint8_t *s = (const uint8_t *)str;
	sink k = { out, 0 };
	if (mode == LC_TOK_SPECIAL_ERROR) {
		size_t w;
		size_t p = find_added(t, s, n, 0, CAT_SPECIAL, &w);
		if (p < n)
			return lc_err_set(e, LC_EXIT_INPUT,
					  "special token '%s' at byte %zu; use --allow-special to encode it "
					  "as a special token or --special-as-text to encode it as text",
					  t->add[w].s, p);
	}
	if (lc_utf8_valid_prefix(str, n) != n) {
		lc_buf b = {0};
		lc_utf8_repair(str, n, &b);
		encode_text(t, (const uint8_t *)b.p, b.len, mode == LC_TOK_SPECIAL_ALLOW, &k);
		lc_buf_free(&b);
	} else
		encode_text(t, s, n, mode == LC_TOK_SPECIAL_ALLOW, &k);
	if (count)
		*count = k.count;
	return 0;
}

int lc_tok_count_ex(const lc_tok *t, const char *s, size_t n, int mode, size_t *count, lc_err *e)
{
	if (mode == LC_TOK_SPECIAL_TEXT) {
		*count = lc_tok_count(t, s, n);
		return 0;
	}
	return tok_encode(t, s, n, mode, NULL, e, count);
}

size_t lc_tok_count(const lc_tok *t, const char *str, size_t n)
{
	sink k = { NULL, 0 };
	if (lc_utf8_valid_prefix(str, n) != n) {
		lc_buf b = {0};
		lc_utf8_repair(str, n, &b);
		encode_text(t, (const uint8_t *)b.p, b.len, 0, &k);
		lc_buf_free(&b);
	} else
		encode_text(t, (const uint8_t *)str, n, 0, &k);
	return k.count;
}

void lc_tok_add_special(const lc_tok *t, lc_ids *out, size_t from)
{
	if (t->npre) {
		for (size_t i = 0; i < t->npre; i++)
			lc_ids_push(out, 0);
		memmove(out->v + from + t->npre, out->v + from, (out->n - t->npre - from) * sizeof *out->v);
		memcpy(out->v + from, t->pre_ids, t->npre * sizeof *out->v);
	}
	for (size_t i = 0; i < t->npost; i++)
		lc_ids_push(out, t->post_ids[i]);
}

const char *lc_tok_token_bytes(const lc_tok *t, uint32_t id, size_t *len)
{
	if (id >= t->n_vocab || t->len[id] == NONE32)
		return NULL;
	if (t->dlen) { /* SentencePiece: the decoded text ("▁" -> " ", <0xNN> -> byte) */
		*len = t->dlen[id];
		return t->dblob + t->doff[id];
	}
	*len = t->len[id];
	return t->blob + t->off[id];
}

/* HF's ByteFallback decoder: a run of <0xNN> tokens becomes its bytes if they are
 * valid UTF-8, else one U+FFFD per token.  offs (NULL: not wanted): where each
 * token of the run starts in out. */
static void flush_bytes(lc_buf *out, const char *run, size_t n, size_t *offs)
{
	if (!n)
		return;
	int valid = lc_utf8_valid_prefix(run, n) == n;
	for (size_t i = 0; offs && i < n; i++)
		offs[i] = out->len + (valid ? i : 3 * i);
	if (valid)
		lc_buf_add(out, run, n);
	else
		for (size_t i = 0; i < n; i++)
			lc_buf_add(out, "\xef\xbf\xbd", 3);
}

static int out_of_range(const lc_tok *t, uint32_t id, lc_err *e)
{
	return lc_err_set(e, LC_EXIT_INPUT, "token id %u is out of range (%s has ids 0..%zu%s)", id, t->name,
			  t->n_vocab - 1, id < t->n_vocab ? ", but this one is unused" : "");
}

static int sp_decode(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, size_t *offs, lc_err *e)
{
	size_t start = out->len;
	lc_buf run = {0}; /* the current run of <0xNN> bytes */
	size_t run0 = 0;  /* its first token */
	for (size_t i = 0; i < n; i++) {
		uint32_t id = ids[i];
		if (id >= t->n_vocab || t->len[id] == NONE32) {
			lc_buf_free(&run);
			return out_of_range(t, id, e);
		}
		if (t->fb_byte[id] >= 0) {
			if (!run.len)
				run0 = i;
			lc_buf_addc(&run, (char)t->fb_byte[id]);
			continue;
		}
		flush_bytes(out, run.p, run.len, offs ? offs + run0 : NULL);
		lc_buf_reset(&run);
		if (offs)
			offs[i] = out->len;
		lc_buf_add(out, t->dblob + t->doff[id], t->dlen[id]);
	}
	flush_bytes(out, run.p, run.len, offs ? offs + run0 : NULL);
	lc_buf_free(&run);
	/* Strip decoder: up to strip_start leading and strip_stop trailing strip_ch */
	size_t cut = 0;
	while (cut < t->strip_start && start + cut < out->len && out->p[start + cut] == t->strip_ch)
		cut++;
	if (cut) {
		memmove(out->p + start, out->p + start + cut, out->len - start - cut);
		out->len -= cut;
	}
	for (unsigned j = 0; j < t->strip_stop && out->len > start && out->p[out->len - 1] == t->strip_ch; j++)
		out->len--;
	if (!out->p)
		lc_buf_add(out, "", 0);
	else
		out->p[out->len] = 0;
	for (size_t i = 0; offs && i < n; i++) {   /* from start, past the stripped text */
		size_t o = offs[i] - start;
		o = o > cut ? o - cut : 0;
		offs[i] = o < out->len - start ? o : out->len - start;
	}
	if (offs)
		offs[n] = out->len - start;
	return 0;
}

static int decode(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, size_t *offs, lc_err *e)
{
	if (t->sp)
		return sp_decode(t, ids, n, out, offs, e);
	size_t start = out->len;
	for (size_t i = 0; i < n; i++) {
		size_t l;
		const char *p = lc_tok_token_bytes(t, ids[i], &l);
		if (!p)
			return out_of_range(t, ids[i], e);
		if (offs)
			offs[i] = out->len - start;
		lc_buf_add(out, p, l);
	}
	if (offs)
		offs[n] = out->len - start;
	if (!out->p)
		lc_buf_add(out, "", 0);
	return 0;
}

int lc_tok_decode(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, lc_err *e)
{
	return decode(t, ids, n, out, NULL, e);
}

int lc_tok_decode_offsets(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, size_t *offs, lc_err *e)
{
	return decode(t, ids, n, out, offs, e);
}

long lc_tok_eot(const lc_tok *t) { return t->eot; }
const char *lc_tok_name(const lc_tok *t) { return t->name; }
int lc_tok_normalizes(const lc_tok *t) { return t->nfc || t->nnops || t->strip_start || t->strip_stop; }

/* ---- construction helpers ------------------------------------------------------------- */

uint32_t tok_blob_add(lc_tok *t, const void *p, size_t n)
{
	if (t->blob_len + n + 1 > t->blob_cap) {
		t->blob_cap = (t->blob_len + n + 1) * 2;
		t->blob = lc_xrealloc(t->blob, t->blob_cap);
	}
	memcpy(t->blob + t->blob_len, p, n);
	uint32_t o = (uint32_t)t->blob_len;
	t->blob_len += n;
	return o;
}

void tok_set_ids(lc_tok *t, size_t n)
{
	if (n <= t->n_vocab)
		return;
	t->off = lc_xrealloc(t->off, n * sizeof *t->off);
	t->len = lc_xrealloc(t->len, n * sizeof *t->len);
	for (size_t i = t->n_vocab; i < n; i++) {
		t->len[i] = NONE32;
		t->off[i] = 0;
	}
	t->n_vocab = n;
}

static int cmp_border(const void *a, const void *b, void *ctx)
{
	const added *v = ctx;
	const added *x = &v[*(const uint32_t *)a], *y = &v[*(const uint32_t *)b];
	uint8_t fx = (uint8_t)x->s[0], fy = (uint8_t)y->s[0];
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

void tok_added_index(lc_tok *t)
{
	t->border = lc_xmalloc((t->nadd + 1) * sizeof *t->border);
	size_t m = 0;
	for (size_t i = 0; i < t->nadd; i++)
		if (t->add[i].n)
			t->border[m++] = (uint32_t)i;
	qsort_r(t->border, m, sizeof *t->border, cmp_border, t->add);
	memset(t->bstart, 0, sizeof t->bstart);
	for (size_t i = 0; i < m; i++)
		t->bstart[(uint8_t)t->add[t->border[i]].s[0] + 1]++;
	for (int i = 0; i < 256; i++)
		t->bstart[i + 1] += t->bstart[i];
	t->cats = 0;
	for (size_t i = 0; i < m; i++)
		t->cats |= acat(&t->add[t->border[i]]);
}

void tok_add_added(lc_tok *t, const char *s, size_t n, uint32_t id, int special, int normalized)
{
	t->add = lc_xrealloc(t->add, (t->nadd + 1) * sizeof *t->add);
	t->add[t->nadd++] = (added){ lc_xstrndup(s, n), n, id, special, normalized };
}

static const char *const eot_names[] = { "<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", NULL };

void tok_find_eot(lc_tok *t)
{
	t->eot = -1;
	for (int k = 0; eot_names[k] && t->eot < 0; k++)
		for (size_t i = 0; i < t->nadd; i++)
			if (!strcmp(t->add[i].s, eot_names[k])) {
				t->eot = t->add[i].id;
				break;
			}
}

void lc_tok_free(lc_tok *t)
{
	if (!t)
		return;
	lc_tokcache_unmap(t);
	free(t->name);
	free(t->off);
	free(t->len);
	free(t->blob);
	free(t->hs);
	free(t->two);
	free(t->t3);
	free(t->t4);
	free(t->bloom);
	free(t->pkey);
	free(t->pval);
	for (size_t i = 0; i < t->nadd; i++)
		free(t->add[i].s);
	free(t->add);
	free(t->border);
	for (int i = 0; i < t->nst; i++)
		if (t->st[i].re)
			pcre2_code_free(t->st[i].re);
	free(t->pre_ids);
	free(t->post_ids);
	for (size_t i = 0; i < t->nnops; i++) {
		free(t->nops[i].from);
		free(t->nops[i].to);
	}
	free(t->nops);
	free(t->fb_byte);
	free(t->sp_glue);
	free(t->doff);
	free(t->dlen);
	free(t->dblob);
	free(t->dec_from);
	free(t->dec_to);
	free(t);
}

lc_tok *tok_new(const char *name, int mode)
{
	tok_pretok_init();
	lc_tok *t = lc_xcalloc(1, sizeof *t);
	t->name = lc_xstrdup(name);
	t->mode = mode;
	t->serial = atomic_fetch_add(&tok_serial, 1) + 1;
	t->eot = -1;
	return t;
}
