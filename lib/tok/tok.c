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
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok.h"
#include "tok_unicode.h"
#include "tok_impl.h"
#include "tokcache.h"
#include "data.h"

#include <errno.h>
#include <jansson.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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

/* ---- hashing -------------------------------------------------------------- */

static inline uint64_t hbytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)p[i] << (8 * i);
		h = (h ^ w) * 0x94d049bb133111ebull;
		h ^= h >> 29;
	}
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static inline uint64_t load_pfx(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	if (n >= 8) {
		memcpy(&w, p, 8);
		return w;
	}
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static inline uint32_t vocab_get(const lc_tok *t, const uint8_t *p, size_t n, uint64_t h)
{
	if (n > t->max_tok_len)
		return NONE32;
	uint16_t tag = (uint16_t)(h >> 48);
	uint64_t pfx = load_pfx(p, n);
	for (size_t i = h & t->hmask;; i = (i + 1) & t->hmask) {
		const vslot *v = &t->hs[i];
		if (v->id == NONE32)
			return NONE32;
		if (v->pfx == pfx && v->len == n && v->tag == tag &&
		    (n <= 8 || !memcmp(t->blob + t->off[v->id] + 8, p + 8, n - 8)))
			return v->id;
	}
}

static inline uint32_t short_get(const uint64_t *tab, size_t mask, uint32_t key)
{
	for (size_t i = (key * 0x9E3779B1u) >> 8 & mask;; i = (i + 1) & mask) {
		uint64_t v = tab[i];
		if (v == UINT64_MAX)
			return NONE32;
		if ((uint32_t)(v >> 32) == key)
			return (uint32_t)v;
	}
}

static inline uint32_t vocab_lookup(const lc_tok *t, const uint8_t *p, size_t n)
{
	switch (n) {
	case 1:
		return t->byte_id[p[0]];
	case 2:
		return t->two[p[0] | (uint32_t)p[1] << 8];
	case 3:
		return short_get(t->t3, t->m3, p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16);
	case 4: {
		uint32_t w;
		memcpy(&w, p, 4);
		return short_get(t->t4, t->m4, w);
	}
	}
	if (n > t->max_tok_len)
		return NONE32;
	uint64_t h = hbytes(p, n);
	size_t b1 = (h >> 20) & t->bmask, b2 = (h >> 40) & t->bmask;
	if (!(t->bloom[b1 >> 6] >> (b1 & 63) & 1) || !(t->bloom[b2 >> 6] >> (b2 & 63) & 1))
		return NONE32;
	return vocab_get(t, p, n, h);
}

static void short_put(uint64_t *tab, size_t mask, uint32_t key, uint32_t id)
{
	size_t i = (key * 0x9E3779B1u) >> 8 & mask;
	while (tab[i] != UINT64_MAX) {
		if ((uint32_t)(tab[i] >> 32) == key)
			return; /* the lower id wins */
		i = (i + 1) & mask;
	}
	tab[i] = (uint64_t)key << 32 | id;
}

static void build_short(lc_tok *t)
{
	size_t c3 = 0, c4 = 0;
	for (size_t id = 0; id < t->n_vocab; id++) {
		c3 += t->len[id] == 3;
		c4 += t->len[id] == 4;
	}
	t->two = lc_xmalloc(65536 * sizeof *t->two);
	memset(t->two, 0xff, 65536 * sizeof *t->two);
	size_t z3 = 64, z4 = 64;
	while (z3 < c3 * 2)
		z3 <<= 1;
	while (z4 < c4 * 2)
		z4 <<= 1;
	t->m3 = z3 - 1;
	t->m4 = z4 - 1;
	t->t3 = lc_xmalloc(z3 * sizeof *t->t3);
	t->t4 = lc_xmalloc(z4 * sizeof *t->t4);
	memset(t->t3, 0xff, z3 * sizeof *t->t3);
	memset(t->t4, 0xff, z4 * sizeof *t->t4);
	for (size_t id = 0; id < t->n_vocab; id++) {
		if (t->len[id] < 2 || t->len[id] > 4)
			continue;   /* only 2-4 byte tokens go into these tables (and blob may be empty) */
		const uint8_t *p = (const uint8_t *)t->blob + t->off[id];
		if (t->len[id] == 2 && t->two[p[0] | (uint32_t)p[1] << 8] == NONE32)
			t->two[p[0] | (uint32_t)p[1] << 8] = (uint32_t)id;
		else if (t->len[id] == 3)
			short_put(t->t3, t->m3, p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16, (uint32_t)id);
		else if (t->len[id] == 4) {
			uint32_t w;
			memcpy(&w, p, 4);
			short_put(t->t4, t->m4, w, (uint32_t)id);
		}
	}
}

static int vocab_build_hash(lc_tok *t)
{
	size_t cnt = 0;
	t->max_tok_len = 0;
	for (size_t i = 0; i < t->n_vocab; i++)
		if (t->len[i] != NONE32) {
			cnt++;
			if (t->len[i] <= 65535 && t->len[i] > t->max_tok_len)
				t->max_tok_len = t->len[i];
		}
	size_t sz = 1024;
	while (sz < cnt + cnt / 4)
		sz <<= 1;
	t->hmask = sz - 1;
	t->hs = lc_xmalloc(sz * sizeof *t->hs);
	memset(t->hs, 0xff, sz * sizeof *t->hs);
	size_t nb = 1 << 16;
	while (nb < (t->n_vocab + 1) * 16)
		nb <<= 1;
	t->bmask = nb - 1;
	t->bloom = lc_xcalloc(nb / 64, sizeof *t->bloom);
	for (size_t id = 0; id < t->n_vocab; id++) {
		if (t->len[id] == NONE32 || t->len[id] > 65535)
			continue;
		const uint8_t *p = (const uint8_t *)t->blob + t->off[id];
		size_t n = t->len[id];
		uint64_t h = hbytes(p, n), pfx = load_pfx(p, n);
		uint16_t tag = (uint16_t)(h >> 48);
		size_t i = h & t->hmask;
		int dup = 0;
		for (; t->hs[i].id != NONE32; i = (i + 1) & t->hmask) {
			const vslot *v = &t->hs[i];
			if (v->pfx == pfx && v->len == n && v->tag == tag &&
			    (n <= 8 || !memcmp(t->blob + t->off[v->id] + 8, p + 8, n - 8))) {
				dup = 1; /* same bytes as a lower id: the first wins */
				break;
			}
		}
		if (dup)
			continue;
		t->hs[i] = (vslot){ pfx, (uint32_t)id, (uint16_t)n, tag };
		if (n >= 5) {
			size_t b1 = (h >> 20) & t->bmask, b2 = (h >> 40) & t->bmask;
			t->bloom[b1 >> 6] |= 1ull << (b1 & 63);
			t->bloom[b2 >> 6] |= 1ull << (b2 & 63);
		}
	}
	return 0;
}

static inline uint64_t pair_key(uint32_t a, uint32_t b) { return ((uint64_t)a << 32) | b; }

static inline int pair_get(const lc_tok *t, uint32_t a, uint32_t b, uint32_t *rank, uint32_t *nid)
{
	uint64_t k = pair_key(a, b);
	uint64_t h = k * 0x9E3779B97F4A7C15ull;
	for (size_t i = (h >> 20) & t->pmask;; i = (i + 1) & t->pmask) {
		if (t->pkey[i] == UINT64_MAX)
			return 0;
		if (t->pkey[i] == k) {
			*rank = (uint32_t)(t->pval[i] >> 32);
			*nid = (uint32_t)t->pval[i];
			return 1;
		}
	}
}

static void pair_put(lc_tok *t, uint32_t a, uint32_t b, uint32_t rank, uint32_t nid)
{
	uint64_t k = pair_key(a, b);
	uint64_t h = k * 0x9E3779B97F4A7C15ull;
	size_t i = (h >> 20) & t->pmask;
	for (; t->pkey[i] != UINT64_MAX; i = (i + 1) & t->pmask)
		if (t->pkey[i] == k)
			return; /* keep the lower rank */
	t->pkey[i] = k;
	t->pval[i] = ((uint64_t)rank << 32) | nid;
}

/* ---- character classes ------------------------------------------------------ */

/* class values 0..8 (tok_unicode.h), END = 9 past the end */
#define C_END 9u
#define M_L 0x3Eu
#define M_N 0x80u
#define M_WS 0x100u
#define M_OTHER 0x41u /* not \s, \p{L}, \p{N}: categories other + M */
#define M_U 0x7Au     /* Lu Lt Lm Lo M */
#define M_W 0x74u     /* Ll Lm Lo M */
#define M_P 0x141u    /* [^\r\n\p{L}\p{N}] before the \r\n test */
#define IS(c, m) ((m) >> (c) & 1u)

static uint8_t asc_cls[128];
static pthread_once_t asc_once = PTHREAD_ONCE_INIT;
static void asc_init(void)
{
	for (int i = 0; i < 128; i++)
		asc_cls[i] = (uint8_t)lc_tok_uc_class((uint32_t)i);
}

static inline unsigned ccls(const uint8_t *s, size_t n, size_t i, size_t *l)
{
	if (i >= n) {
		*l = 0;
		return C_END;
	}
	uint8_t b = s[i];
	if (b < 0x80) {
		*l = 1;
		return asc_cls[b];
	}
	uint32_t cp;
	if (b < 0xE0) {
		cp = (uint32_t)(b & 0x1F) << 6 | (s[i + 1] & 0x3F);
		*l = 2;
	} else if (b < 0xF0) {
		cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
		*l = 3;
	} else {
		cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3F) << 12 |
		     (uint32_t)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
		*l = 4;
	}
	return lc_tok_uc_class(cp);
}

static inline size_t run_of(const uint8_t *s, size_t n, size_t i, unsigned mask)
{
	size_t l;
	for (;;) {
		while (i < n && s[i] < 0x80 && IS(asc_cls[s[i]], mask))
			i++;
		unsigned c = ccls(s, n, i, &l);
		if (!IS(c, mask))
			return i;
		i += l;
	}
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d) (ci) or the case-sensitive form, at s[i] == '\'' */
static inline size_t contraction(const uint8_t *s, size_t n, size_t i, int ci)
{
	if (i + 1 >= n || s[i] != '\'')
		return 0;
	uint8_t c = s[i + 1];
	if (ci && c >= 'A' && c <= 'Z')
		c += 32;
	uint8_t d = i + 2 < n ? s[i + 2] : 0;
	if (ci && d >= 'A' && d <= 'Z')
		d += 32;
	switch (c) {
	case 's': case 't': case 'm': case 'd':
		return 2;
	case 'r': case 'v':
		return d == 'e' ? 3 : 0;
	case 'l':
		return d == 'l' ? 3 : 0;
	case 0xC5: /* U+017F LATIN SMALL LETTER LONG S folds to 's' */
		return ci && d == 0xBF ? 3 : 0;
	}
	return 0;
}

/* \s*[\r\n]+ | \s+(?!\S) | \s+  at a White_Space character */
static inline size_t ws_tail(const uint8_t *s, size_t n, size_t i, int nl_alt)
{
	size_t j = i, nl_end = 0, last = i, l;
	for (;;) {
		unsigned c = ccls(s, n, j, &l);
		if (!IS(c, M_WS))
			break;
		if (s[j] == '\r' || s[j] == '\n')
			nl_end = j + 1;
		last = j;
		j += l;
	}
	if (nl_alt && nl_end)
		return nl_end;
	if (j >= n)
		return j;
	if (last > i)
		return last;
	return j;
}

/* \p{N}{1,max} at i, whose first character (l0 bytes) is a digit. */
static inline size_t digit_run(const uint8_t *s, size_t n, size_t i, size_t l0, int max)
{
	size_t j = i + l0, l;
	for (int k = 1; k < max; k++) {
		if (!IS(ccls(s, n, j, &l), M_N))
			break;
		j += l;
	}
	return j;
}

/* " ?[^\s\p{L}\p{N}]+" followed by [\r\n]* (o200k: [\r\n/]*) at i, or 0 when i
 * does not start one (c0, b0: the class and byte of s[i]). */
static inline size_t other_run(const uint8_t *s, size_t n, size_t i, unsigned c0, uint8_t b0, int slash)
{
	size_t j = i, l1;
	unsigned c = c0;
	if (b0 == ' ') {
		unsigned c1 = ccls(s, n, i + 1, &l1);
		if (IS(c1, M_OTHER)) {
			j = i + 1;
			c = c1;
		}
	}
	if (!IS(c, M_OTHER))
		return 0;
	j = run_of(s, n, j, M_OTHER);
	while (j < n && (s[j] == '\r' || s[j] == '\n' || (slash && s[j] == '/')))
		j++;
	return j;
}

static size_t next_cl100k(const uint8_t *s, size_t n, size_t i, int ndig)
{
	size_t l0, l1;
	uint8_t b0 = s[i];
	unsigned c0 = ccls(s, n, i, &l0);
	if (b0 == '\'') {
		size_t k = contraction(s, n, i, 1);
		if (k)
			return i + k;
	}
	if (IS(c0, M_L))
		return run_of(s, n, i + l0, M_L);
	if (IS(c0, M_P) && b0 != '\r' && b0 != '\n') {
		unsigned c1 = ccls(s, n, i + l0, &l1);
		if (IS(c1, M_L))
			return run_of(s, n, i + l0 + l1, M_L);
	}
	if (IS(c0, M_N))
		return digit_run(s, n, i, l0, ndig);
	size_t j = other_run(s, n, i, c0, b0, 0);
	return j ? j : ws_tail(s, n, i, 1);
}

/* [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+ at p, with backtracking */
static inline size_t o200k_uw(const uint8_t *s, size_t n, size_t p)
{
	size_t a = p, lastw = SIZE_MAX, l;
	unsigned c;
	for (;;) {
		c = ccls(s, n, a, &l);
		if (!IS(c, M_U))
			break;
		if (IS(c, M_W))
			lastw = a + l;
		a += l;
	}
	if (IS(c, M_W))
		return run_of(s, n, a + l, M_W);
	return lastw;
}

static size_t next_o200k(const uint8_t *s, size_t n, size_t i)
{
	size_t l0, l1, e;
	uint8_t b0 = s[i];
	unsigned c0 = ccls(s, n, i, &l0);
	int pre = IS(c0, M_P) && b0 != '\r' && b0 != '\n';
	if (pre && (e = o200k_uw(s, n, i + l0)) != SIZE_MAX)
		goto contr;
	if ((e = o200k_uw(s, n, i)) != SIZE_MAX)
		goto contr;
	if (pre && IS(ccls(s, n, i + l0, &l1), M_U)) {
		e = run_of(s, n, run_of(s, n, i + l0, M_U), M_W);
		goto contr;
	}
	if (IS(c0, M_U)) {
		e = run_of(s, n, run_of(s, n, i, M_U), M_W);
		goto contr;
	}
	if (IS(c0, M_N))
		return digit_run(s, n, i, l0, 3);
	if ((e = other_run(s, n, i, c0, b0, 1)))
		return e;
	return ws_tail(s, n, i, 1);
contr:
	if (e < n && s[e] == '\'')
		e += contraction(s, n, e, 1);
	return e;
}

static size_t next_gpt2(const uint8_t *s, size_t n, size_t i)
{
	size_t l0, l1;
	uint8_t b0 = s[i];
	if (b0 == '\'') {
		size_t k = contraction(s, n, i, 0);
		if (k)
			return i + k;
	}
	unsigned c = ccls(s, n, i, &l0);
	size_t j = i;
	if (b0 == ' ') {
		unsigned c1 = ccls(s, n, i + 1, &l1);
		if (IS(c1, M_L | M_N | M_OTHER)) {
			j = i + 1;
			c = c1;
		}
	}
	if (IS(c, M_L))
		return run_of(s, n, j, M_L);
	if (IS(c, M_N))
		return run_of(s, n, j, M_N);
	if (IS(c, M_OTHER))
		return run_of(s, n, j, M_OTHER);
	return ws_tail(s, n, i, 0);
}

/* ---- thread-local piece cache ------------------------------------------------ */

#define CACHE_SLOTS 16384
#define CACHE_KEY 23
#define CACHE_IDS 7
typedef struct centry {
	unsigned serial;
	uint8_t klen, nids;
	uint8_t key[CACHE_KEY + 1];
	uint32_t ids[CACHE_IDS];
} __attribute__((aligned(64))) centry;

static pthread_key_t cache_key, pairs_key, scratch_key, bucket_key, sp_key;
static void bscratch_free(void *v);
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static _Thread_local centry *tcache;
static void cache_init(void)
{
	pthread_key_create(&cache_key, free);
	pthread_key_create(&pairs_key, free);
	pthread_key_create(&scratch_key, free);
	pthread_key_create(&bucket_key, bscratch_free);
	pthread_key_create(&sp_key, free);
}

static centry *cache_get(void)
{
	if (!tcache) {
		pthread_once(&cache_once, cache_init);
		if (posix_memalign((void **)&tcache, 64, CACHE_SLOTS * sizeof *tcache))
			lc_die(LC_EXIT_INPUT, "out of memory");
		memset(tcache, 0, CACHE_SLOTS * sizeof *tcache);
		pthread_setspecific(cache_key, tcache);
	}
	return tcache;
}

/* ---- BPE ------------------------------------------------------------------------ */

typedef struct sink {
	lc_ids *out;
	size_t count;
} sink;

static inline void emit(sink *k, uint32_t id)
{
	k->count++;
	if (k->out)
		lc_ids_push(k->out, id);
}

/* Thread-local memo of tiktoken pair ranks, keyed by the two parts' ids (parts
 * are always tokens, so the ids fix the concatenated bytes): random text that
 * misses the piece cache then stays in L2 instead of the vocabulary table. */
#define PAIR_SLOTS 32768
typedef struct pentry {
	uint64_t key; /* ida << 32 | idb, with the tokenizer serial mixed in */
	uint32_t rank;
} pentry;
static _Thread_local pentry *tpairs;
static _Thread_local unsigned tpairs_serial;

static inline int pair_rank(const lc_tok *t, const uint8_t *p, size_t a, size_t b_end,
			    uint32_t ida, uint32_t idb, uint32_t *rank, uint32_t *nid)
{
	if (t->mode == MODE_TIKTOKEN) {
		if (!tpairs || tpairs_serial != t->serial) {
			if (!tpairs) {
				tpairs = lc_xmalloc(PAIR_SLOTS * sizeof *tpairs);
				pthread_once(&cache_once, cache_init);
				pthread_setspecific(pairs_key, tpairs);
			}
			memset(tpairs, 0xff, PAIR_SLOTS * sizeof *tpairs);
			tpairs_serial = t->serial;
		}
		uint64_t key = (uint64_t)ida << 32 | idb;
		pentry *pe = &tpairs[((key * 0x9E3779B97F4A7C15ull) >> 40) & (PAIR_SLOTS - 1)];
		uint32_t id;
		if (pe->key == key)
			id = pe->rank;
		else {
			id = vocab_lookup(t, p + a, b_end - a);
			pe->key = key;
			pe->rank = id;
		}
		if (id == NONE32)
			return 0;
		*rank = *nid = id;
		return 1;
	}
	return pair_get(t, ida, idb, rank, nid);
}

#define SMALL_BPE 64
#define BUCKET_BPE 8192

/* Simple loop for short pieces; writes ids to ids[], returns their count. */
static size_t bpe_small(const lc_tok *t, const uint8_t *p, size_t n, uint32_t *ids)
{
	uint32_t st[SMALL_BPE + 1], rk[SMALL_BPE], nid[SMALL_BPE];
	size_t m = n;
	for (size_t i = 0; i < n; i++) {
		st[i] = (uint32_t)i;
		ids[i] = t->byte_id[p[i]];
	}
	st[n] = (uint32_t)n;
	for (size_t i = 0; i + 1 < m; i++)
		if (!pair_rank(t, p, st[i], st[i + 2], ids[i], ids[i + 1], &rk[i], &nid[i]))
			rk[i] = NONE32;
	while (m > 1) {
		uint32_t best = NONE32;
		size_t bi = 0;
		for (size_t i = 0; i + 1 < m; i++)
			if (rk[i] < best) {
				best = rk[i];
				bi = i;
			}
		if (best == NONE32)
			break;
		ids[bi] = nid[bi];
		/* remove part bi+1 */
		memmove(st + bi + 1, st + bi + 2, (m - bi - 1) * sizeof *st);
		memmove(ids + bi + 1, ids + bi + 2, (m - bi - 2) * sizeof *ids);
		if (bi + 3 < m) {
			memmove(rk + bi + 1, rk + bi + 2, (m - bi - 3) * sizeof *rk);
			memmove(nid + bi + 1, nid + bi + 2, (m - bi - 3) * sizeof *nid);
		}
		m--;
		if (bi > 0 && !pair_rank(t, p, st[bi - 1], st[bi + 1], ids[bi - 1], ids[bi], &rk[bi - 1], &nid[bi - 1]))
			rk[bi - 1] = NONE32;
		if (bi + 1 < m && !pair_rank(t, p, st[bi], st[bi + 2], ids[bi], ids[bi + 1], &rk[bi], &nid[bi]))
			rk[bi] = NONE32;
	}
	return m;
}

typedef struct hent {
	uint64_t key; /* rank << 32 | left position */
	uint32_t right, nid, verl, verr;
} hent;

static inline void heap_push(hent **h, size_t *hn, size_t *hcap, hent e)
{
	(void)hcap; /* callers size the heap for the worst case */
	size_t i = (*hn)++;
	hent *a = *h;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (a[p].key <= e.key)
			break;
		a[i] = a[p];
		i = p;
	}
	a[i] = e;
}

static hent heap_pop(hent *a, size_t *hn)
{
	hent top = a[0], last = a[--*hn];
	size_t i = 0, n = *hn;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && a[c + 1].key < a[c].key)
			c++;
		if (a[c].key >= last.key)
			break;
		a[i] = a[c];
		i = c;
	}
	if (n)
		a[i] = last;
	return top;
}

/* Per-thread scratch for the heap BPE (grown as needed, freed at thread exit). */
static _Thread_local void *tscratch;
static _Thread_local size_t tscratch_cap;

static void *scratch(size_t bytes)
{
	if (bytes > tscratch_cap) {
		pthread_once(&cache_once, cache_init);
		free(tscratch);
		tscratch_cap = bytes + bytes / 2;
		tscratch = lc_xmalloc(tscratch_cap);
		pthread_setspecific(scratch_key, tscratch);
	}
	return tscratch;
}

/* Heap BPE (O(n log n)) for pieces longer than SMALL_BPE; emits directly.
 * init NULL: the symbols are the bytes of p.  Otherwise init[0..n) are the
 * initial symbol ids (SentencePiece characters; HF merges only look at ids). */
static void bpe_large(const lc_tok *t, const uint8_t *p, size_t n, const uint32_t *init, sink *k)
{
	/* a merge pushes at most two entries: the heap never exceeds 3n */
	size_t hcap = 3 * n + 4;
	char *base = scratch((n + 1) * 4 * sizeof(uint32_t) + hcap * sizeof(hent) + 64);
	hent *h = (hent *)(((uintptr_t)base + 15) & ~(uintptr_t)15);
	uint32_t *nx = (uint32_t *)(h + hcap), *pv = nx + n + 1, *id = pv + n + 1, *ver = id + n + 1;
	size_t hn = 0;
	for (size_t i = 0; i < n; i++) {
		nx[i] = (uint32_t)i + 1;
		pv[i] = (uint32_t)i - 1;
		id[i] = init ? init[i] : t->byte_id[p[i]];
		ver[i] = 0;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t r, ni;
		if (pair_rank(t, p, i, i + 2, id[i], id[i + 1], &r, &ni))
			heap_push(&h, &hn, &hcap, (hent){ (uint64_t)r << 32 | i, (uint32_t)i + 1, ni, 0, 0 });
	}
	while (hn) {
		hent e = heap_pop(h, &hn);
		uint32_t a = (uint32_t)e.key, b = e.right;
		if (nx[a] != b || ver[a] != e.verl || ver[b] != e.verr || b >= n)
			continue;
		id[a] = e.nid;
		nx[a] = nx[b];
		if (nx[a] < n)
			pv[nx[a]] = a;
		ver[a]++;
		ver[b] = NONE32; /* dead */
		uint32_t r, ni;
		if (a > 0) {
			uint32_t q = pv[a];
			if (pair_rank(t, p, q, nx[a], id[q], id[a], &r, &ni))
				heap_push(&h, &hn, &hcap, (hent){ (uint64_t)r << 32 | q, a, ni, ver[q], ver[a] });
		}
		if (nx[a] < n) {
			uint32_t c = nx[a];
			if (pair_rank(t, p, a, nx[c], id[a], id[c], &r, &ni))
				heap_push(&h, &hn, &hcap, (hent){ (uint64_t)r << 32 | a, c, ni, ver[a], ver[c] });
		}
	}
	for (uint32_t i = 0; i < n; i = nx[i])
		if (id[i] != NONE32)
			emit(k, id[i]);
}

/*
 * Bucket BPE for very long pieces (1 MB of one letter): merges are processed rank
 * by rank, each rank's pairs left to right.  That is the same order as "lowest
 * rank, leftmost first" because a merge only creates pairs of other, in a trained
 * vocabulary higher, ranks; if a lower rank ever appears the piece is redone with
 * the heap.  Linear apart from sorting the few unsorted buckets.
 */
typedef struct bent {
	uint32_t a, b, bend, nid, next;
} bent;

static int cmp_bent_a(const void *x, const void *y, void *ctx)
{
	const bent *E = ctx;
	uint32_t a = E[*(const uint32_t *)x].a, b = E[*(const uint32_t *)y].a;
	return a < b ? -1 : a > b;
}

/* The bucket BPE's per-rank arrays and entry lists, kept per thread between
 * pieces: allocating them per piece cost more in page faults than the merging.
 * Invariant between calls: every head is NONE32, bits and uns are all zero. */
typedef struct bscratch {
	uint32_t *head, *tail;
	uint64_t *bits, *uns;
	size_t rcap;
	bent *E;
	size_t ecap;
	uint32_t *tmp;
	size_t tcap;
} bscratch;

static _Thread_local bscratch *tbs;

static void bscratch_free(void *v)
{
	bscratch *b = v;
	free(b->head);
	free(b->tail);
	free(b->bits);
	free(b->uns);
	free(b->E);
	free(b->tmp);
	free(b);
}

static bscratch *bscratch_get(size_t R)
{
	if (!tbs) {
		pthread_once(&cache_once, cache_init);
		tbs = lc_xcalloc(1, sizeof *tbs);
		pthread_setspecific(bucket_key, tbs);
	}
	if (tbs->rcap < R) {
		size_t W = (R + 63) / 64;
		free(tbs->head);
		free(tbs->tail);
		free(tbs->bits);
		free(tbs->uns);
		tbs->head = lc_xmalloc(R * sizeof *tbs->head);
		memset(tbs->head, 0xff, R * sizeof *tbs->head);
		tbs->tail = lc_xmalloc(R * sizeof *tbs->tail);
		tbs->bits = lc_xcalloc(W, 8);
		tbs->uns = lc_xcalloc(W, 8);
		tbs->rcap = R;
	}
	return tbs;
}

static int bpe_bucket(const lc_tok *t, const uint8_t *p, size_t n, sink *k)
{
	size_t R = t->nrank, W = (R + 63) / 64;
	bscratch *bs = bscratch_get(R);
	uint32_t *head = bs->head, *tail = bs->tail;
	uint64_t *bits = bs->bits, *uns = bs->uns;
	uint32_t *nx = scratch((3 * n + 2) * sizeof *nx), *pv = nx + n + 1, *id = pv + n + 1;
	if (bs->ecap < n + 16) {
		bs->ecap = n + 16;
		free(bs->E);
		bs->E = lc_xmalloc(bs->ecap * sizeof *bs->E);
	}
	size_t ecap = bs->ecap, en = 0, tcap = bs->tcap;
	bent *E = bs->E;
	uint32_t *tmp = bs->tmp;
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		nx[i] = (uint32_t)i + 1;
		pv[i] = (uint32_t)i - 1;
		id[i] = t->byte_id[p[i]];
	}
#define BPUSH(A, B, BE, RK, NID)                                                           \
	do {                                                                                \
		if (en == ecap) {                                                           \
			ecap *= 2;                                                          \
			E = lc_xrealloc(E, ecap * sizeof *E);                               \
		}                                                                           \
		E[en] = (bent){ (A), (B), (BE), (NID), NONE32 };                            \
		if (head[RK] == NONE32) {                                                   \
			head[RK] = (uint32_t)en;                                            \
			bits[(RK) >> 6] |= 1ull << ((RK) & 63);                             \
		} else {                                                                    \
			if (E[tail[RK]].a > (A))                                            \
				uns[(RK) >> 6] |= 1ull << ((RK) & 63);                      \
			E[tail[RK]].next = (uint32_t)en;                                    \
		}                                                                           \
		tail[RK] = (uint32_t)en++;                                                  \
	} while (0)
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t r, ni;
		if (pair_rank(t, p, i, i + 2, id[i], id[i + 1], &r, &ni) && r < R)
			BPUSH((uint32_t)i, (uint32_t)i + 1, (uint32_t)i + 2, r, ni);
	}
	size_t w = 0;
	while (ok) {
		while (w < W && !bits[w])
			w++;
		if (w >= W)
			break;
		uint32_t r = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits[w]));
		bits[w] &= bits[w] - 1;
		size_t tn = 0;
		for (uint32_t e = head[r]; e != NONE32; e = E[e].next) {
			if (tn == tcap) {
				tcap = tcap ? tcap * 2 : 1024;
				tmp = lc_xrealloc(tmp, tcap * sizeof *tmp);
			}
			tmp[tn++] = e;
		}
		head[r] = NONE32;
		if (uns[r >> 6] >> (r & 63) & 1) {
			qsort_r(tmp, tn, sizeof *tmp, cmp_bent_a, E);
			uns[r >> 6] &= ~(1ull << (r & 63));
		}
		for (size_t q = 0; q < tn && ok; q++) {
			bent e = E[tmp[q]];
			if (nx[e.a] != e.b || nx[e.b] != e.bend)
				continue;
			id[e.a] = e.nid;
			nx[e.a] = e.bend;
			nx[e.b] = NONE32 - 1; /* dead */
			if (e.bend < n)
				pv[e.bend] = e.a;
			uint32_t r2, ni;
			if (e.a > 0) {
				uint32_t l = pv[e.a];
				if (pair_rank(t, p, l, e.bend, id[l], id[e.a], &r2, &ni) && r2 < R) {
					if (r2 <= r)
						ok = 0;
					else
						BPUSH(l, e.a, e.bend, r2, ni);
				}
			}
			if (e.bend < n && ok) {
				uint32_t c = e.bend;
				if (pair_rank(t, p, e.a, nx[c], id[e.a], id[c], &r2, &ni) && r2 < R) {
					if (r2 <= r)
						ok = 0;
					else
						BPUSH(e.a, c, nx[c], r2, ni);
				}
			}
		}
		/* a bucket above r may be refilled; continue scanning from r's word */
	}
#undef BPUSH
	if (ok) {
		for (uint32_t i = 0; i < n; i = nx[i])
			if (id[i] != NONE32)
				emit(k, id[i]);
	} else {
		/* restore the invariant: empty the buckets left */
		for (size_t v = 0; v < W; v++)
			while (bits[v]) {
				head[v * 64 + (size_t)__builtin_ctzll(bits[v])] = NONE32;
				bits[v] &= bits[v] - 1;
			}
		memset(uns, 0, W * 8);
	}
	bs->E = E;
	bs->ecap = ecap;
	bs->tmp = tmp;
	bs->tcap = tcap;
	return ok ? 0 : -1;
}

static void bpe_piece(const lc_tok *t, const uint8_t *p, size_t n, sink *k)
{
	if (n == 1) {
		if (t->byte_id[p[0]] != NONE32)
			emit(k, t->byte_id[p[0]]);
		return;
	}
	if (n == 0)
		return;
	uint64_t h = 0;
	centry *ce = NULL;
	if (n <= CACHE_KEY) {
		/* the thread's piece cache first: frequent words stay in L1/L2 */
		h = hbytes(p, n);
		centry *c = cache_get();
		ce = &c[(h >> 7) & (CACHE_SLOTS - 1)];
		if (ce->serial == t->serial && ce->klen == n && !memcmp(ce->key, p, n)) {
			for (size_t i = 0; i < ce->nids; i++)
				emit(k, ce->ids[i]);
			return;
		}
	}
	uint32_t ids[SMALL_BPE];
	size_t m;
	uint32_t whole = NONE32;
	if (t->whole_lookup && n <= t->max_tok_len) {
		if (!h)
			h = hbytes(p, n);
		whole = vocab_get(t, p, n, h);
	}
	if (whole != NONE32) {
		ids[0] = whole;
		m = 1;
	} else if (n > SMALL_BPE) {
		if (n >= BUCKET_BPE && t->nrank) {
			size_t before = k->count, olen = k->out ? k->out->n : 0;
			if (bpe_bucket(t, p, n, k) == 0)
				return;
			k->count = before; /* a lower rank appeared: redo with the heap */
			if (k->out)
				k->out->n = olen;
		}
		bpe_large(t, p, n, NULL, k);
		return;
	} else
		m = bpe_small(t, p, n, ids);
	for (size_t i = 0; i < m; i++)
		if (ids[i] != NONE32)
			emit(k, ids[i]);
	if (ce && m <= CACHE_IDS) {
		ce->serial = t->serial;
		ce->klen = (uint8_t)n;
		memcpy(ce->key, p, n);
		ce->nids = (uint8_t)m;
		memcpy(ce->ids, ids, m * sizeof *ids);
	}
}

/* ---- SentencePiece-style BPE ------------------------------------------------------ */

/* Length of the UTF-8 character at p (input is valid UTF-8 after repair). */
static inline size_t utf8_len(uint8_t b)
{
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* Quadratic BPE over initial symbol ids (a short SentencePiece word): ids[0..m)
 * are merged in place, lowest rank first, leftmost on ties; returns the count. */
static size_t sp_small(const lc_tok *t, uint32_t *ids, size_t m)
{
	uint32_t rk[SMALL_BPE], nid[SMALL_BPE];
	for (size_t i = 0; i + 1 < m; i++)
		if (!pair_get(t, ids[i], ids[i + 1], &rk[i], &nid[i]))
			rk[i] = NONE32;
	while (m > 1) {
		uint32_t best = NONE32;
		size_t bi = 0;
		for (size_t i = 0; i + 1 < m; i++)
			if (rk[i] < best) {
				best = rk[i];
				bi = i;
			}
		if (best == NONE32)
			break;
		ids[bi] = nid[bi];
		memmove(ids + bi + 1, ids + bi + 2, (m - bi - 2) * sizeof *ids);
		if (bi + 3 < m) {
			memmove(rk + bi + 1, rk + bi + 2, (m - bi - 3) * sizeof *rk);
			memmove(nid + bi + 1, nid + bi + 2, (m - bi - 3) * sizeof *nid);
		}
		m--;
		if (bi > 0 && !pair_get(t, ids[bi - 1], ids[bi], &rk[bi - 1], &nid[bi - 1]))
			rk[bi - 1] = NONE32;
		if (bi + 1 < m && !pair_get(t, ids[bi], ids[bi + 1], &rk[bi], &nid[bi]))
			rk[bi] = NONE32;
	}
	return m;
}

/* One word of a SentencePiece piece: bytes w[0..wn), initial symbols ids[0..m)
 * (overwritten).  Looked up in the thread's piece cache first. */
static void sp_word(const lc_tok *t, const uint8_t *w, size_t wn, uint32_t *ids, size_t m, sink *k)
{
	if (m == 1) {
		emit(k, ids[0]);
		return;
	}
	centry *ce = NULL;
	if (wn <= CACHE_KEY) {
		uint64_t h = hbytes(w, wn);
		ce = &cache_get()[(h >> 7) & (CACHE_SLOTS - 1)];
		if (ce->serial == t->serial && ce->klen == wn && !memcmp(ce->key, w, wn)) {
			for (size_t i = 0; i < ce->nids; i++)
				emit(k, ce->ids[i]);
			return;
		}
	}
	if (m > SMALL_BPE) {
		bpe_large(t, NULL, m, ids, k);
		return;
	}
	m = sp_small(t, ids, m);
	for (size_t i = 0; i < m; i++)
		emit(k, ids[i]);
	if (ce && m <= CACHE_IDS) {
		ce->serial = t->serial;
		ce->klen = (uint8_t)wn;
		memcpy(ce->key, w, wn);
		ce->nids = (uint8_t)m;
		memcpy(ce->ids, ids, m * sizeof *ids);
	}
}

/* Per-thread symbol arrays of sp_piece (freed at thread exit). */
static _Thread_local uint32_t *tsp;
static _Thread_local size_t tsp_cap;

static inline int sp_cut(const lc_tok *t, uint32_t left, uint32_t id)
{
	return id == t->sp_space && !(t->sp_glue[left >> 6] >> (left & 63) & 1);
}

/* Whole-piece BPE as HF's byte_fallback model runs it: one symbol per character
 * (its vocabulary id), a character not in the vocabulary as its <0xNN> tokens
 * (or <unk>, fused with a preceding <unk> when fuse_unk, if a byte token is
 * missing), then merges by rank, leftmost first.  The piece is cut into words
 * where no merge can cross (see sp_glue), which gives the same ids. */
static void sp_piece(const lc_tok *t, const uint8_t *p, size_t n, sink *k)
{
	if (!n)
		return;
	/* ids[i]: symbol i; pos[i]: byte offset of its character */
	if (n + 1 > tsp_cap) {
		pthread_once(&cache_once, cache_init);
		free(tsp);
		tsp_cap = n + 1 + n / 2;
		tsp = lc_xmalloc(2 * tsp_cap * sizeof *tsp);
		pthread_setspecific(sp_key, tsp);
	}
	uint32_t *ids = tsp, *pos = ids + n + 1;
	size_t m = 0;
	int last_unk = 0;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(p[i]);
		if (l > n - i)
			l = n - i;
		uint32_t id = vocab_lookup(t, p + i, l);
		if (id != NONE32) {
			pos[m] = (uint32_t)i;
			ids[m++] = id;
			last_unk = 0;
		} else {
			int all = 1;
			for (size_t j = 0; j < l; j++)
				all &= t->fb_id[p[i + j]] != NONE32;
			if (all) {
				for (size_t j = 0; j < l; j++) {
					pos[m] = (uint32_t)i;
					ids[m++] = t->fb_id[p[i + j]];
				}
				last_unk = 0;
			} else if (t->unk != NONE32 && !(t->fuse_unk && last_unk)) {
				pos[m] = (uint32_t)i;
				ids[m++] = t->unk;
				last_unk = 1;
			}
		}
		i += l;
	}
	pos[m] = (uint32_t)n;
	if (t->sp_space == NONE32) {
		if (m == 1)
			emit(k, ids[0]);
		else if (m > 1)
			bpe_large(t, NULL, m, ids, k);
		return;
	}
	size_t ws = 0;
	for (size_t i = 1; i <= m; i++)
		if (i == m || sp_cut(t, ids[i - 1], ids[i])) {
			sp_word(t, p + pos[ws], pos[i] - pos[ws], ids + ws, i - ws, k);
			ws = i;
		}
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

/* ---- pre-tokenizer stages ------------------------------------------------------ */

static void run_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k);

static inline void piece(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k)
{
	if (si >= t->nst) {
		if (t->sp)
			sp_piece(t, s, n, k);
		else
			bpe_piece(t, s, n, k);
	} else
		run_stage(t, si, s, n, k);
}

static void split_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k);

static void run_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k)
{
	if (!n)
		return;
	if (t->st[si].prefix_space && s[0] != ' ') {
		/* ByteLevel add_prefix_space: " " + segment */
		uint8_t stackbuf[512];
		uint8_t *b = n + 1 <= sizeof stackbuf ? stackbuf : lc_xmalloc(n + 1);
		b[0] = ' ';
		memcpy(b + 1, s, n);
		split_stage(t, si, b, n + 1, k);
		if (b != stackbuf)
			free(b);
		return;
	}
	split_stage(t, si, s, n, k);
}

static void split_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k)
{
	const stage *g = &t->st[si];
	size_t i = 0;
	switch (g->kind) {
	case PT_WHOLE:
		piece(t, si + 1, s, n, k);
		return;
	case PT_CL100K:
		while (i < n) {
			size_t e = next_cl100k(s, n, i, 3);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_QWEN:
		while (i < n) {
			size_t e = next_cl100k(s, n, i, 1);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_O200K:
		while (i < n) {
			size_t e = next_o200k(s, n, i);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_GPT2:
		while (i < n) {
			size_t e = next_gpt2(s, n, i);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_PCRE: {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(g->re, NULL);
		size_t pos = 0, gap = 0;
		while (pos <= n) {
			int rc = pcre2_match(g->re, s, n, pos, PCRE2_NO_UTF_CHECK, md, NULL);
			if (rc < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			size_t a = ov[0], b = ov[1];
			if (b <= a) {
				if (a >= n)
					break;
				size_t l = 1;
				while (a + l < n && (s[a + l] & 0xC0) == 0x80)
					l++;
				pos = a + l;
				continue;
			}
			if (g->keep_gaps && a > gap)
				piece(t, si + 1, s + gap, a - gap, k);
			if (g->keep_matches)
				piece(t, si + 1, s + a, b - a, k);
			gap = pos = b;
		}
		if (g->keep_gaps && gap < n)
			piece(t, si + 1, s + gap, n - gap, k);
		pcre2_match_data_free(md);
		return;
	}
	}
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
		piece(t, 0, s + i, p - i, k);
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
 * valid UTF-8, else one U+FFFD per token. */
static void flush_bytes(lc_buf *out, const char *run, size_t n)
{
	if (!n)
		return;
	if (lc_utf8_valid_prefix(run, n) == n)
		lc_buf_add(out, run, n);
	else
		for (size_t i = 0; i < n; i++)
			lc_buf_add(out, "\xef\xbf\xbd", 3);
}

static int sp_decode(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, lc_err *e)
{
	size_t start = out->len;
	lc_buf run = {0}; /* the current run of <0xNN> bytes */
	for (size_t i = 0; i < n; i++) {
		uint32_t id = ids[i];
		if (id >= t->n_vocab || t->len[id] == NONE32) {
			lc_buf_free(&run);
			return lc_err_set(e, LC_EXIT_INPUT, "token id %u is out of range (%s has ids 0..%zu%s)",
					  id, t->name, t->n_vocab - 1, id < t->n_vocab ? ", but this one is unused" : "");
		}
		if (t->fb_byte[id] >= 0) {
			lc_buf_addc(&run, (char)t->fb_byte[id]);
			continue;
		}
		flush_bytes(out, run.p, run.len);
		lc_buf_reset(&run);
		lc_buf_add(out, t->dblob + t->doff[id], t->dlen[id]);
	}
	flush_bytes(out, run.p, run.len);
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
	return 0;
}

int lc_tok_decode(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, lc_err *e)
{
	if (t->sp)
		return sp_decode(t, ids, n, out, e);
	for (size_t i = 0; i < n; i++) {
		size_t l;
		const char *p = lc_tok_token_bytes(t, ids[i], &l);
		if (!p)
			return lc_err_set(e, LC_EXIT_INPUT, "token id %u is out of range (%s has ids 0..%zu%s)",
					  ids[i], t->name, t->n_vocab - 1,
					  ids[i] < t->n_vocab ? ", but this one is unused" : "");
		lc_buf_add(out, p, l);
	}
	if (!out->p)
		lc_buf_add(out, "", 0);
	return 0;
}

long lc_tok_eot(const lc_tok *t) { return t->eot; }
const char *lc_tok_name(const lc_tok *t) { return t->name; }
int lc_tok_normalizes(const lc_tok *t) { return t->nfc || t->nnops || t->strip_start || t->strip_stop; }

/* ---- construction helpers ------------------------------------------------------------- */

static uint32_t blob_add(lc_tok *t, const void *p, size_t n)
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

static void set_ids(lc_tok *t, size_t n)
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

static void added_index(lc_tok *t)
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

static void add_added(lc_tok *t, const char *s, size_t n, uint32_t id, int special, int normalized)
{
	t->add = lc_xrealloc(t->add, (t->nadd + 1) * sizeof *t->add);
	t->add[t->nadd++] = (added){ lc_xstrndup(s, n), n, id, special, normalized };
}

static const char *const eot_names[] = { "<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", NULL };

static void find_eot(lc_tok *t)
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

static lc_tok *tok_new(const char *name, int mode)
{
	pthread_once(&asc_once, asc_init);
	lc_tok *t = lc_xcalloc(1, sizeof *t);
	t->name = lc_xstrdup(name);
	t->mode = mode;
	t->serial = atomic_fetch_add(&tok_serial, 1) + 1;
	t->eot = -1;
	return t;
}

/* ---- split patterns ------------------------------------------------------------------- */

static const char PAT_CL100K[] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char PAT_CL100K_PY[] =
	"'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";
static const char PAT_QWEN[] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char PAT_O200K[] =
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
	"|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
	"|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char PAT_GPT2[] =
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char PAT_GPT2_PY[] =
	"'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s";

static const struct {
	const char *pat;
	int kind;
} known_pats[] = {
	{ PAT_CL100K, PT_CL100K }, { PAT_CL100K_PY, PT_CL100K }, { PAT_QWEN, PT_QWEN },
	{ PAT_O200K, PT_O200K },   { PAT_GPT2, PT_GPT2 },        { PAT_GPT2_PY, PT_GPT2 },
};

/* Fills g for regex pat: a built-in matcher if pat is a known split pattern. */
static int stage_regex(stage *g, const char *pat, size_t patlen, int literal, lc_err *e)
{
	if (!literal)
		for (size_t i = 0; i < sizeof known_pats / sizeof *known_pats; i++)
			if (strlen(known_pats[i].pat) == patlen && !memcmp(known_pats[i].pat, pat, patlen)) {
				g->kind = known_pats[i].kind;
				return 0;
			}
	int ec;
	PCRE2_SIZE eo;
	g->re = pcre2_compile((PCRE2_SPTR)pat, patlen, PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0), &ec, &eo, NULL);
	if (!g->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		return lc_err_set(e, LC_EXIT_INPUT, "bad split pattern at offset %zu: %s", (size_t)eo, (char *)msg);
	}
	pcre2_jit_compile(g->re, PCRE2_JIT_COMPLETE);
	g->kind = PT_PCRE;
	return 0;
}

/* ---- tiktoken files --------------------------------------------------------------------- */

static int8_t b64tab[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;
static void b64_init(void)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	memset(b64tab, -1, sizeof b64tab);
	for (int i = 0; i < 64; i++)
		b64tab[(unsigned char)al[i]] = (int8_t)i;
}

/* Decodes standard padded base64 s[0..n) into out; returns length or -1. */
static long b64dec(const char *s, size_t n, uint8_t *out)
{
	if (n == 0 || n % 4)
		return -1;
	size_t o = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n; i += 4) {
		int pad = 0;
		if (i + 4 == n) {
			if (u[n - 1] == '=')
				pad = u[n - 2] == '=' ? 2 : 1;
		}
		int a = b64tab[u[i]], b = b64tab[u[i + 1]];
		int c = pad == 2 ? 0 : b64tab[u[i + 2]], d = pad >= 1 ? 0 : b64tab[u[i + 3]];
		if ((a | b | c | d) < 0)
			return -1;
		uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (long)o;
}

static int read_file(const char *path, char **data, size_t *len, lc_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
	lc_buf b = {0};
	char tmp[65536];
	size_t r;
	if (!fseek(f, 0, SEEK_END)) {
		long sz = ftell(f);
		if (sz > 0)
			lc_buf_grow(&b, (size_t)sz + 1);
		rewind(f);
	}
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		lc_buf_add(&b, tmp, r);
	int err = ferror(f);
	fclose(f);
	if (err) {
		lc_buf_free(&b);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: read error", path);
	}
	if (!b.p)
		lc_buf_add(&b, "", 0);
	*len = b.len;
	*data = lc_buf_detach(&b);
	return 0;
}

typedef struct special_def {
	const char *s;
	uint32_t id;
} special_def;

static lc_tok *load_tiktoken(const char *path, const char *pattern, const special_def *sp, const char *name, lc_err *e)
{
	char *data;
	size_t len;
	if (read_file(path, &data, &len, e))
		return NULL;
	lc_tok *t = tok_new(name ? name : path, MODE_TIKTOKEN);
	pthread_once(&b64_once, b64_init);
	t->whole_lookup = 1;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	uint32_t *rank_of = lc_xmalloc(lines * sizeof *rank_of);
	uint32_t *off = lc_xmalloc(lines * sizeof *off), *ln = lc_xmalloc(lines * sizeof *ln);
	t->blob_cap = len;
	t->blob = lc_xmalloc(t->blob_cap + 1);
	size_t cnt = 0, lineno = 0, maxrank = 0;
	uint8_t tokbuf[4096];
	for (size_t i = 0; i < len;) {
		lineno++;
		char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t le = end;
		if (le > i && data[le - 1] == '\r')
			le--;
		if (le > i) {
			char *sp1 = memchr(data + i, ' ', le - i);
			if (!sp1) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: expected 'BASE64 RANK'", path, lineno);
				goto fail;
			}
			size_t bl = (size_t)(sp1 - (data + i));
			long tl = bl <= 4 * (sizeof tokbuf / 3) ? b64dec(data + i, bl, tokbuf) : -1;
			if (tl <= 0) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: bad base64 token", path, lineno);
				goto fail;
			}
			size_t r = 0, j = (size_t)(sp1 - data) + 1;
			if (j >= le) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: missing rank", path, lineno);
				goto fail;
			}
			for (; j < le; j++) {
				if (data[j] < '0' || data[j] > '9' || r > 16777216) {
					lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: bad rank", path, lineno);
					goto fail;
				}
				r = r * 10 + (size_t)(data[j] - '0');
			}
			if (r >= 16777216) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: rank %zu too large", path, lineno, r);
				goto fail;
			}
			off[cnt] = blob_add(t, tokbuf, (size_t)tl);
			ln[cnt] = (uint32_t)tl;
			rank_of[cnt++] = (uint32_t)r;
			if (r > maxrank)
				maxrank = r;
		}
		i = end + 1;
	}
	if (!cnt) {
		lc_err_set(e, LC_EXIT_INPUT, "%s:1: corrupt vocabulary: no tokens", path);
		goto fail;
	}
	set_ids(t, maxrank + 1);
	lineno = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (t->len[rank_of[i]] != NONE32) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt vocabulary: rank %u appears twice", path, rank_of[i]);
			goto fail;
		}
		t->off[rank_of[i]] = off[i];
		t->len[rank_of[i]] = ln[i];
	}
	vocab_build_hash(t);
	build_short(t);
	t->nrank = t->n_vocab;
	for (int b = 0; b < 256; b++) {
		uint8_t c = (uint8_t)b;
		t->byte_id[b] = vocab_get(t, &c, 1, hbytes(&c, 1));
		if (t->byte_id[b] == NONE32 && !(b == 0xC0 || b == 0xC1 || b >= 0xF5)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocabulary lacks the single byte 0x%02x (every byte needs a token)", path, b);
			goto fail;
		}
	}
	/* a token whose bytes duplicate another's would make ranks ambiguous */
	for (const special_def *d = sp; d && d->s; d++) {
		set_ids(t, (size_t)d->id + 1);
		if (t->len[d->id] != NONE32) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: special token %s id %u collides with a vocabulary rank", path, d->s, d->id);
			goto fail;
		}
		t->off[d->id] = blob_add(t, d->s, strlen(d->s));
		t->len[d->id] = (uint32_t)strlen(d->s);
		add_added(t, d->s, strlen(d->s), d->id, 1, 0);
	}
	added_index(t);
	find_eot(t);
	t->nst = 1;
	t->st[0].keep_matches = 1;
	if (stage_regex(&t->st[0], pattern ? pattern : PAT_CL100K, strlen(pattern ? pattern : PAT_CL100K), 0, e))
		goto fail;
	free(rank_of);
	free(off);
	free(ln);
	free(data);
	return t;
fail:
	free(rank_of);
	free(off);
	free(ln);
	free(data);
	lc_tok_free(t);
	return NULL;
}

lc_tok *lc_tok_load_tiktoken(const char *vocab_path, const char *pattern, lc_err *e)
{
	return load_tiktoken(vocab_path, pattern, NULL, NULL, e);
}

static const special_def SP_CL100K[] = { { "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 },
	{ "<|fim_middle|>", 100259 }, { "<|fim_suffix|>", 100260 }, { "<|endofprompt|>", 100276 }, { NULL, 0 } };
static const special_def SP_O200K[] = { { "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 }, { NULL, 0 } };
static const special_def SP_R50K[] = { { "<|endoftext|>", 50256 }, { NULL, 0 } };

static const struct {
	const char *name, *file, *pat;
	const special_def *sp;
} encodings[] = {
	{ "cl100k_base", "cl100k_base", PAT_CL100K, SP_CL100K },
	{ "o200k_base", "o200k_base", PAT_O200K, SP_O200K },
	{ "p50k_base", "p50k_base", PAT_GPT2, SP_R50K },
	{ "r50k_base", "r50k_base", PAT_GPT2, SP_R50K },
	{ "gpt2", "r50k_base", PAT_GPT2, SP_R50K },
};

/* ---- tokenizer.json -------------------------------------------------------------------------- */

static int bl_byte_of_cp[324]; /* byte-level char -> byte, -1 if none */
static uint32_t bl_cp_of_byte[256];
static pthread_once_t bl_once = PTHREAD_ONCE_INIT;
static void bl_init(void)
{
	int n = 0;
	for (int i = 0; i < 324; i++)
		bl_byte_of_cp[i] = -1;
	for (int b = 0; b < 256; b++) {
		int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
		uint32_t cp = printable ? (uint32_t)b : (uint32_t)(256 + n++);
		bl_cp_of_byte[b] = cp;
		bl_byte_of_cp[cp] = b;
	}
}

/* Byte-level string -> raw bytes into out; returns 0 if some char is outside the alphabet. */
static int bl_decode(const char *s, size_t n, lc_buf *out)
{
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		if (p[i] < 0x80)
			cp = p[i++];
		else if ((p[i] & 0xE0) == 0xC0 && i + 1 < n) {
			cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
			i += 2;
		} else
			return 0;
		if (cp >= 324 || bl_byte_of_cp[cp] < 0)
			return 0;
		lc_buf_addc(out, (char)bl_byte_of_cp[cp]);
	}
	return 1;
}

static int hf_pretok(lc_tok *t, json_t *p, const char *path, int *bytelevel, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (!type)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: pre_tokenizer without a type", path);
	if (!strcmp(type, "Sequence")) {
		json_t *a = json_object_get(p, "pretokenizers");
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) if (hf_pretok(t, v, path, bytelevel, e)) return -1;
		return 0;
	}
	if (t->nst >= (int)(sizeof t->st / sizeof *t->st))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: too many pre-tokenizers", path);
	stage *g = &t->st[t->nst];
	memset(g, 0, sizeof *g);
	if (!strcmp(type, "ByteLevel")) {
		*bytelevel = 1;
		json_t *ur = json_object_get(p, "use_regex");
		int use_regex = ur ? json_is_true(ur) : 1;
		g->prefix_space = json_is_true(json_object_get(p, "add_prefix_space"));
		g->keep_matches = 1;
		g->kind = use_regex ? PT_GPT2 : PT_WHOLE;
		if (use_regex || g->prefix_space)
			t->nst++;
		return 0;
	}
	if (!strcmp(type, "Split") && t->sp) {
		/* SentencePiece files (gemma3) split on " " after a normalizer that
		 * replaced every " ": nothing is left to split on */
		const char *str = json_string_value(json_object_get(json_object_get(p, "pattern"), "String"));
		int gone = 0;
		for (size_t i = 0; str && i < t->nnops; i++)
			gone |= t->nops[i].from && !strcmp(t->nops[i].from, str) && !strstr(t->nops[i].to, str);
		if (gone)
			return 0;
		return lc_err_set(e, LC_EXIT_INPUT, "%s: a Split pre_tokenizer in a byte_fallback (SentencePiece-style) BPE is supported only on a string the normalizer removes", path);
	}
	if (!strcmp(type, "Metaspace"))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: the Metaspace pre_tokenizer is not supported (SentencePiece files with a Prepend/Replace normalizer are)", path);
	if (!strcmp(type, "Split")) {
		json_t *pat = json_object_get(p, "pattern");
		const char *re = json_string_value(json_object_get(pat, "Regex"));
		const char *str = json_string_value(json_object_get(pat, "String"));
		const char *beh = json_string_value(json_object_get(p, "behavior"));
		int invert = json_is_true(json_object_get(p, "invert"));
		if (!re && !str)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Split pre_tokenizer without a pattern", path);
		if (!beh || !strcmp(beh, "Isolated")) {
			g->keep_matches = g->keep_gaps = 1;
		} else if (!strcmp(beh, "Removed")) {
			g->keep_matches = invert;
			g->keep_gaps = !invert;
		} else
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Split behavior '%s' is not supported (Isolated and Removed are)", path, beh);
		const char *ps = re ? re : str;
		size_t pl = strlen(ps);
		if (re) {
			json_t *jr = json_object_get(pat, "Regex");
			pl = json_string_length(jr);
		}
		if (stage_regex(g, ps, pl, !re, e)) {
			char m[sizeof e->msg];
			snprintf(m, sizeof m, "%s", e->msg);
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, m);
		}
		t->nst++;
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: pre_tokenizer '%s' is not supported (lctok handles byte-level BPE: Split, ByteLevel, Sequence)", path, type);
}

static int hf_normalizer(lc_tok *t, json_t *p, const char *path, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (type && !strcmp(type, "NFC")) {
		if (t->nnops)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: an NFC normalizer after Prepend/Replace is not supported", path);
		t->nfc = 1;
		return 0;
	}
	if (type && !strcmp(type, "Sequence")) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(p, "normalizers"), i, v) if (hf_normalizer(t, v, path, e)) return -1;
		return 0;
	}
	if (type && (!strcmp(type, "Prepend") || !strcmp(type, "Replace"))) {
		int prep = !strcmp(type, "Prepend");
		json_t *from = prep ? NULL : json_object_get(json_object_get(p, "pattern"), "String");
		json_t *to = json_object_get(p, prep ? "prepend" : "content");
		if ((!prep && !json_is_string(from)) || !json_is_string(to))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s normalizer: only a literal String pattern and content are supported", path, type);
		t->nops = lc_xrealloc(t->nops, (t->nnops + 1) * sizeof *t->nops);
		struct norm_op *op = &t->nops[t->nnops++];
		op->from = from ? lc_xstrndup(json_string_value(from), json_string_length(from)) : NULL;
		op->nfrom = from ? json_string_length(from) : 0;
		op->to = lc_xstrndup(json_string_value(to), json_string_length(to));
		op->nto = json_string_length(to);
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: normalizer '%s' is not supported (NFC, Prepend, Replace and Sequence are)", path, type ? type : "?");
}

static int special_ids(json_t *sp, const char *name, uint32_t **v, size_t *n, const char *path, lc_err *e)
{
	json_t *ent = json_object_get(sp, name);
	json_t *ids = json_object_get(ent, "ids");
	if (!json_is_array(ids))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor names special token '%s' without ids", path, name);
	size_t i;
	json_t *x;
	json_array_foreach(ids, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor: bad id for '%s'", path, name);
		*v = lc_xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = (uint32_t)json_integer_value(x);
	}
	return 0;
}

static int hf_post(lc_tok *t, json_t *p, const char *path, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (!type)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor without a type", path);
	if (!strcmp(type, "ByteLevel"))
		return 0;
	if (!strcmp(type, "Sequence")) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(p, "processors"), i, v) if (hf_post(t, v, path, e)) return -1;
		return 0;
	}
	if (!strcmp(type, "TemplateProcessing")) {
		json_t *single = json_object_get(p, "single"), *sp = json_object_get(p, "special_tokens");
		size_t i;
		json_t *v;
		int seen = 0;
		json_array_foreach(single, i, v)
		{
			json_t *st = json_object_get(v, "SpecialToken");
			if (st) {
				const char *id = json_string_value(json_object_get(st, "id"));
				if (!id || special_ids(sp, id, seen ? &t->post_ids : &t->pre_ids, seen ? &t->npost : &t->npre, path, e))
					return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor template: bad SpecialToken", path);
			} else if (json_object_get(v, "Sequence"))
				seen = 1;
		}
		return 0;
	}
	if (!strcmp(type, "RobertaProcessing") || !strcmp(type, "BertProcessing")) {
		json_t *cls = json_object_get(p, "cls"), *sep = json_object_get(p, "sep");
		if (!json_is_integer(json_array_get(cls, 1)) || !json_is_integer(json_array_get(sep, 1)))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s without cls/sep ids", path, type);
		t->pre_ids = lc_xmalloc(sizeof *t->pre_ids);
		t->pre_ids[0] = (uint32_t)json_integer_value(json_array_get(cls, 1));
		t->npre = 1;
		t->post_ids = lc_xmalloc(sizeof *t->post_ids);
		t->post_ids[0] = (uint32_t)json_integer_value(json_array_get(sep, 1));
		t->npost = 1;
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor '%s' is not supported", path, type);
}

/* The decoder of a byte_fallback BPE: Replace (literal strings), ByteFallback,
 * Fuse and Strip, in a Sequence or alone. */
static int hf_decoder(lc_tok *t, json_t *p, const char *path, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (!type)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: decoder without a type", path);
	if (!strcmp(type, "Sequence")) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(p, "decoders"), i, v) if (hf_decoder(t, v, path, e)) return -1;
		return 0;
	}
	if (!strcmp(type, "ByteFallback") || !strcmp(type, "Fuse"))
		return 0;
	if (!strcmp(type, "Replace")) {
		json_t *from = json_object_get(json_object_get(p, "pattern"), "String");
		json_t *to = json_object_get(p, "content");
		if (!json_is_string(from) || !json_is_string(to) || t->dec_from)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Replace decoder: one literal String pattern is supported", path);
		t->dec_from = lc_xstrndup(json_string_value(from), json_string_length(from));
		t->dec_to = lc_xstrndup(json_string_value(to), json_string_length(to));
		return 0;
	}
	if (!strcmp(type, "Strip")) {
		const char *c = json_string_value(json_object_get(p, "content"));
		json_int_t a = json_integer_value(json_object_get(p, "start")), z = json_integer_value(json_object_get(p, "stop"));
		if (!c || strlen(c) != 1 || a < 0 || z < 0 || a > 64 || z > 64)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Strip decoder: an ASCII character and small counts are supported", path);
		t->strip_ch = c[0];
		t->strip_start = (unsigned)a;
		t->strip_stop = (unsigned)z;
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: decoder '%s' is not supported (Replace, ByteFallback, Fuse, Strip)", path, type);
}

/* <0xNN> byte tokens and <unk> of a byte_fallback BPE. */
static int sp_tables(lc_tok *t, json_t *vocab, const char *unk, const char *path, lc_err *e)
{
	t->fb_byte = lc_xmalloc(t->n_vocab * sizeof *t->fb_byte);
	for (size_t i = 0; i < t->n_vocab; i++)
		t->fb_byte[i] = -1;
	for (int c = 0; c < 256; c++) {
		char name[8];
		snprintf(name, sizeof name, "<0x%02X>", c); /* HF: format!("<{b:#04X}>") */
		json_t *v = json_object_get(vocab, name);
		t->fb_id[c] = v ? (uint32_t)json_integer_value(v) : NONE32;
		if (v)
			t->fb_byte[json_integer_value(v)] = (int16_t)c;
	}
	t->unk = NONE32;
	if (unk) {
		json_t *v = json_object_get(vocab, unk);
		if (!v)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: unk_token '%s' is not in the vocab", path, unk);
		t->unk = (uint32_t)json_integer_value(v);
	}
	return 0;
}

/* Each token's decoded text: the decoder's Replace applied ("▁" -> " "). */
static void sp_decoded(lc_tok *t)
{
	t->doff = lc_xmalloc(t->n_vocab * sizeof *t->doff);
	t->dlen = lc_xcalloc(t->n_vocab, sizeof *t->dlen);
	lc_buf b = {0};
	size_t nf = t->dec_from ? strlen(t->dec_from) : 0, nt = t->dec_to ? strlen(t->dec_to) : 0;
	for (size_t id = 0; id < t->n_vocab; id++) {
		t->doff[id] = (uint32_t)t->dblob_len;
		if (t->len[id] == NONE32)
			continue;
		const char *p = t->blob + t->off[id];
		size_t n = t->len[id];
		lc_buf_reset(&b);
		for (size_t i = 0; i < n;) {
			if (nf && n - i >= nf && !memcmp(p + i, t->dec_from, nf)) {
				lc_buf_add(&b, t->dec_to, nt);
				i += nf;
			} else
				lc_buf_addc(&b, p[i++]);
		}
		if (t->dblob_len + b.len + 1 > t->dblob_cap) {
			t->dblob_cap = (t->dblob_len + b.len + 1) * 2;
			t->dblob = lc_xrealloc(t->dblob, t->dblob_cap);
		}
		memcpy(t->dblob + t->dblob_len, b.p ? b.p : "", b.len);
		t->dlen[id] = (uint32_t)b.len;
		t->dblob_len += b.len;
	}
	lc_buf_free(&b);
}

/* The word-split tables: sp_space = id of "\u2581"; bit id of sp_glue set when
 * some token has id's text (one character) right before a "\u2581", and for
 * byte-fallback tokens and <unk> (not single characters: never cut after). */
static void sp_words(lc_tok *t)
{
	static const uint8_t SP[3] = { 0xE2, 0x96, 0x81 };
	t->sp_glue = lc_xcalloc((t->n_vocab + 63) / 64, sizeof *t->sp_glue);
	t->sp_space = vocab_lookup(t, SP, 3);
	if (t->sp_space == NONE32)
		return;
#define GLUE(id) (t->sp_glue[(id) >> 6] |= 1ull << ((id) & 63))
	for (size_t id = 0; id < t->n_vocab; id++) {
		if (t->fb_byte[id] >= 0 || id == t->unk)
			GLUE(id);
		if (t->len[id] == NONE32 || t->len[id] < 4)
			continue;
		const uint8_t *s = (const uint8_t *)t->blob + t->off[id];
		size_t n = t->len[id];
		for (size_t j = 1; j + 3 <= n; j++) {
			if (memcmp(s + j, SP, 3))
				continue;
			size_t c = j - 1;
			while (c > 0 && (s[c] & 0xC0) == 0x80)
				c--;
			uint32_t l = vocab_lookup(t, s + c, j - c);
			if (l != NONE32)
				GLUE(l);
		}
	}
	if (t->unk != NONE32)
		GLUE(t->unk);
#undef GLUE
}

/* Id of a vocab string of a tokenizer.json, as the vocabulary loop stored it. */
static uint32_t hf_vocab_id(const lc_tok *t, const char *s, size_t n, lc_buf *tmp)
{
	lc_buf_reset(tmp);
	if (!t->sp && bl_decode(s, n, tmp))
		return vocab_lookup(t, (const uint8_t *)(tmp->p ? tmp->p : ""), tmp->len);
	return vocab_lookup(t, (const uint8_t *)s, n);
}

static lc_tok *hf_parse(const char *path, const char *data, size_t len, lc_err *e);

/* The binary cache first (tokcache.h): by the file's fingerprint, then by the
 * hash of its bytes; on a miss, parse and fill the cache. */
lc_tok *lc_tok_load_hf(const char *path, lc_err *e)
{
	lc_tokcache c;
	int on = !lc_tokcache_begin(&c, path);
	lc_tok *t = tok_new(path, MODE_HF);
	if (on && !lc_tokcache_load(&c, NULL, t)) {
		lc_tokcache_end(&c);
		return t;
	}
	char *data;
	size_t len;
	if (read_file(path, &data, &len, e)) {
		lc_tok_free(t);
		lc_tokcache_end(&c);
		return NULL;
	}
	uint8_t sha[32];
	on &= len == c.src_size; /* changed since stat: no cache this time */
	if (on) {
		lc_tokcache_sha(data, len, sha);
		if (!lc_tokcache_load(&c, sha, t)) {
			lc_tokcache_store_ref(&c, sha);
			free(data);
			lc_tokcache_end(&c);
			return t;
		}
	}
	lc_tok_free(t);
	t = hf_parse(path, data, len, e);
	if (t && on)
		lc_tokcache_store(&c, t, sha);
	free(data);
	lc_tokcache_end(&c);
	return t;
}

static lc_tok *hf_parse(const char *path, const char *data, size_t len, lc_err *e)
{
	pthread_once(&bl_once, bl_init);
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_DECODE_ANY, &je);
	if (!root) {
		if (je.line <= 0)
			lc_err_set(e, LC_EXIT_INPUT, "%s: cannot read tokenizer.json: %s", path, je.text);
		else
			lc_err_set(e, LC_EXIT_INPUT, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
		return NULL;
	}
	lc_tok *t = tok_new(path, MODE_HF);
	lc_buf b = {0}, b2 = {0};
	json_t *model = json_object_get(root, "model");
	if (!json_is_object(model)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: not a tokenizer.json (no \"model\" object)", path);
		goto fail;
	}
	const char *mtype = json_string_value(json_object_get(model, "type"));
	json_t *vocab = json_object_get(model, "vocab"), *merges = json_object_get(model, "merges");
	if (mtype ? strcmp(mtype, "BPE") : !merges) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: model type '%s' is not supported: lctok handles byte-level BPE only (not WordPiece, Unigram or WordLevel)",
			   path, mtype ? mtype : "?");
		goto fail;
	}
	if (!json_is_object(vocab) || !json_is_array(merges)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: BPE model without vocab object and merges array", path);
		goto fail;
	}
	json_t *dr = json_object_get(model, "dropout");
	if (json_is_number(dr) && json_number_value(dr) > 0) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: BPE dropout is not supported (it is not deterministic)", path);
		goto fail;
	}
	t->sp = json_is_true(json_object_get(model, "byte_fallback"));
	t->fuse_unk = json_is_true(json_object_get(model, "fuse_unk"));
	const char *csp = json_string_value(json_object_get(model, "continuing_subword_prefix"));
	const char *ews = json_string_value(json_object_get(model, "end_of_word_suffix"));
	if ((csp && *csp) || (ews && *ews)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: continuing_subword_prefix/end_of_word_suffix are not supported", path);
		goto fail;
	}
	t->whole_lookup = json_is_true(json_object_get(model, "ignore_merges"));
	int bytelevel = 0;
	if (hf_normalizer(t, json_object_get(root, "normalizer"), path, e) ||
	    hf_pretok(t, json_object_get(root, "pre_tokenizer"), path, &bytelevel, e) ||
	    hf_post(t, json_object_get(root, "post_processor"), path, e) ||
	    (t->sp && hf_decoder(t, json_object_get(root, "decoder"), path, e)))
		goto fail;
	if (t->sp && bytelevel) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: byte_fallback together with a ByteLevel pre_tokenizer is not supported", path);
		goto fail;
	}
	if (!bytelevel && !t->sp) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: not a byte-level BPE (no ByteLevel pre_tokenizer); unsupported", path);
		goto fail;
	}
	/* vocabulary */
	const char *key;
	json_t *val;
	size_t maxid = 0;
	json_object_foreach(vocab, key, val)
	{
		if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) > 16777215) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocab entry '%s': id must be a non-negative integer", path, key);
			goto fail;
		}
		if ((size_t)json_integer_value(val) > maxid)
			maxid = (size_t)json_integer_value(val);
	}
	json_t *at = json_object_get(root, "added_tokens");
	size_t i;
	json_t *v;
	json_array_foreach(at, i, v)
	{
		json_t *id = json_object_get(v, "id");
		if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > 16777215 ||
		    !json_is_string(json_object_get(v, "content"))) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: added_tokens[%zu]: needs integer id and string content", path, i);
			goto fail;
		}
		if ((size_t)json_integer_value(id) > maxid)
			maxid = (size_t)json_integer_value(id);
	}
	set_ids(t, maxid + 1);
	json_object_foreach(vocab, key, val)
	{
		size_t id = (size_t)json_integer_value(val);
		lc_buf_reset(&b);
		if (t->sp || !bl_decode(key, strlen(key), &b)) {
			lc_buf_reset(&b);
			lc_buf_adds(&b, key);
		}
		t->off[id] = blob_add(t, b.p ? b.p : "", b.len);
		t->len[id] = (uint32_t)b.len;
	}
	vocab_build_hash(t);
	build_short(t);
	for (int c = 0; c < 256; c++) {
		uint8_t ch = (uint8_t)c;
		t->byte_id[c] = vocab_get(t, &ch, 1, hbytes(&ch, 1));
		/* bytes that never occur in valid UTF-8 (C0 C1 F5..FF) may be missing */
		if (t->byte_id[c] == NONE32 && !t->sp && !(c == 0xC0 || c == 0xC1 || c >= 0xF5)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocab lacks the byte-level token for byte 0x%02x; not a byte-level BPE", path, c);
			goto fail;
		}
	}
	/* merges */
	size_t nm = json_array_size(merges), sz = 1024;
	while (sz < nm * 2)
		sz <<= 1;
	t->pmask = sz - 1;
	t->pkey = lc_xmalloc(sz * sizeof *t->pkey);
	t->pval = lc_xcalloc(sz, sizeof *t->pval); /* zeroed: the cache file is byte-for-byte reproducible */
	memset(t->pkey, 0xff, sz * sizeof *t->pkey);
	json_array_foreach(merges, i, v)
	{
		const char *a = NULL, *c = NULL;
		size_t al = 0, cl = 0;
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			const char *spc = strchr(s, ' ');
			if (spc && !strchr(spc + 1, ' ')) {
				a = s;
				al = (size_t)(spc - s);
				c = spc + 1;
				cl = strlen(c);
			}
		} else if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
			   json_is_string(json_array_get(v, 1))) {
			a = json_string_value(json_array_get(v, 0));
			al = strlen(a);
			c = json_string_value(json_array_get(v, 1));
			cl = strlen(c);
		}
		if (!a) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: merges[%zu]: expected \"A B\" or [\"A\", \"B\"]", path, i);
			goto fail;
		}
		/* looked up in lctk's own table (as stored: byte-level decoded when the
		 * string is in the byte alphabet): a third of the load time otherwise */
		lc_buf_reset(&b2);
		lc_buf_add(&b2, a, al);
		lc_buf_add(&b2, c, cl);
		uint32_t ia = hf_vocab_id(t, b2.p, al, &b), ib = hf_vocab_id(t, b2.p + al, cl, &b),
			 iab = hf_vocab_id(t, b2.p, al + cl, &b);
		if (ia == NONE32 || ib == NONE32 || iab == NONE32) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: merges[%zu]: '%.*s %s' uses a token that is not in the vocab", path, i, (int)al, a, c);
			goto fail;
		}
		pair_put(t, ia, ib, (uint32_t)i, iab);
	}
	t->nrank = nm;
	if (t->sp && sp_tables(t, vocab, json_string_value(json_object_get(model, "unk_token")), path, e))
		goto fail;
	/* added tokens */
	json_array_foreach(at, i, v)
	{
		size_t id = (size_t)json_integer_value(json_object_get(v, "id"));
		json_t *c = json_object_get(v, "content");
		const char *s = json_string_value(c);
		size_t sl = json_string_length(c);
		if (json_is_true(json_object_get(v, "lstrip")) || json_is_true(json_object_get(v, "rstrip")) ||
		    json_is_true(json_object_get(v, "single_word"))) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: added token '%s' uses lstrip/rstrip/single_word, which lctok does not support", path, s);
			goto fail;
		}
		int special = json_is_true(json_object_get(v, "special"));
		json_t *nj = json_object_get(v, "normalized");
		int normalized = nj ? json_is_true(nj) : !special;
		if (normalized && t->nfc && lc_utf8_valid_prefix(s, sl) == sl && !lc_tok_nfc_quick(s, sl)) {
			/* HF matches a normalized added token by its normalised content */
			lc_buf nb = {0};
			lc_tok_nfc(s, sl, &nb);
			add_added(t, nb.p, nb.len, (uint32_t)id, special, normalized);
			lc_buf_free(&nb);
		} else
			add_added(t, s, sl, (uint32_t)id, special, normalized);
		lc_buf_reset(&b);
		if (t->sp || !bl_decode(s, sl, &b)) {
			lc_buf_reset(&b);
			lc_buf_add(&b, s, sl);
		}
		t->off[id] = blob_add(t, b.p ? b.p : "", b.len);
		t->len[id] = (uint32_t)b.len;
	}
	if (t->sp) {
		sp_decoded(t);
		sp_words(t);
	}
	/* NFC-normalised text can only contain normalized added tokens if they are NFC themselves: fine */
	added_index(t);
	find_eot(t);
	lc_buf_free(&b);
	lc_buf_free(&b2);
	json_decref(root);
	return t;
fail:
	lc_buf_free(&b);
	lc_buf_free(&b2);
	json_decref(root);
	lc_tok_free(t);
	return NULL;
}

lc_tok *lc_tok_load(const char *spec, lc_err *e)
{
	size_t sl = strlen(spec);
	if (strchr(spec, '/') || (sl > 5 && !strcmp(spec + sl - 5, ".json")))
		return lc_tok_load_hf(spec, e);
	for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++) {
		if (strcmp(spec, encodings[i].name))
			continue;
		char rel[128];
		snprintf(rel, sizeof rel, "vocab/%s.tiktoken", encodings[i].file);
		char *p = lc_data_path(rel);
		if (!p) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocabulary %s not found (set LCTK_DATA to the share/lctk directory)", spec, rel);
			return NULL;
		}
		lc_tok *t = load_tiktoken(p, encodings[i].pat, encodings[i].sp, encodings[i].name, e);
		free(p);
		return t;
	}
	lc_err_set(e, LC_EXIT_INPUT, "unknown encoding '%s' (known: cl100k_base, o200k_base, p50k_base, r50k_base, gpt2; or a tokenizer.json path)", spec);
	return NULL;
}

