/*
 * tok_bpe — the merge engine: vocabulary and merge-rank lookups, the
 * thread-local piece cache, tiktoken/HF byte-level BPE (quadratic for short
 * pieces, a heap or bucket queue over a linked list for long ones) and
 * SentencePiece-style BPE with byte fallback.  Entry points in tok_impl.h.
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok.h"
#include "tok_impl.h"


#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

void tok_build_short(lc_tok *t)
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

int tok_vocab_build_hash(lc_tok *t)
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

void tok_pair_put(lc_tok *t, uint32_t a, uint32_t b, uint32_t rank, uint32_t nid)
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
			lc_oom();
		memset(tcache, 0, CACHE_SLOTS * sizeof *tcache);
		pthread_setspecific(cache_key, tcache);
	}
	return tcache;
}

/* ---- BPE ------------------------------------------------------------------------ */


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

void tok_bpe_piece(const lc_tok *t, const uint8_t *p, size_t n, sink *k)
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

/* Per-thread symbol arrays of tok_sp_piece (freed at thread exit). */
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
void tok_sp_piece(const lc_tok *t, const uint8_t *p, size_t n, sink *k)
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

uint32_t tok_vocab_find(const lc_tok *t, const uint8_t *p, size_t n)
{
	return vocab_lookup(t, p, n);
}

uint32_t tok_vocab_find_hashed(const lc_tok *t, const uint8_t *p, size_t n)
{
	return vocab_get(t, p, n, hbytes(p, n));
}
