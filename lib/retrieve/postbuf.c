/* postbuf — postings keyed by term string: the current run in memory, sorted
 * runs spilled to a temporary file, and the merge that reads them back (see
 * postbuf.h).
 *
 * A run in the file is a sequence of records in bytewise order of their terms:
 *   LEN TERM DF FIRST LAST BYTES PAIRS
 * LEB128 numbers except TERM (LEN bytes) and PAIRS (BYTES bytes of LEB128
 * (gap, tf), the first gap being FIRST, the run's first document of the term). */
#define _GNU_SOURCE /* qsort_r */
#include "postbuf.h"
#include "buf.h"
#include "fdio.h"
#include "index_file.h"
#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 32                    /* bytes: u32 next + 28 of pairs */
#define CDATA (CHUNK - 4)
#define SLAB_CHUNKS (1u << 15)      /* 1 MiB slabs */
#define HEAP_RUNS 64                /* runs merged through a heap past this */

typedef struct tlist {           /* 16 bytes a term (its df is counted when needed) */
	uint32_t head, tail;            /* chunk numbers + 1; 0 = empty */
	uint32_t last;                  /* last document added */
	uint8_t fill;                   /* bytes used in the tail chunk */
} tlist;

typedef struct run {
	uint64_t off, end;              /* in the temporary file */
	uint64_t pos;                   /* next unread byte */
	unsigned char *buf;
	size_t blen, bpos, bcap;
	/* the record at the head of the run */
	int has;                        /* 0: the run is read to its end */
	lc_buf key;
	uint64_t df, first, last, bytes;
	uint64_t left;                  /* bytes of its pairs not read */
	uint32_t doc;                   /* the last document read */
} run;

struct lc_postbuf {
	size_t limit;
	/* the current run */
	lc_strmap terms;
	tlist *t;
	size_t tcap;
	unsigned char **slab;
	size_t nslab, slabcap;
	uint32_t nchunks;
	/* the spilled runs */
	int fd;
	uint64_t fsize;
	run *runs;
	size_t nruns, runcap;
	/* the merge: memory's terms in order, the next of them, the source being read */
	uint32_t *order;
	size_t mi;
	int mem_in;
	uint32_t mchunk, mdoc;
	uint8_t mpos;
	/* Finding the next term among many runs: a scan of every run's head costs
	 * O(runs) a term, quadratic when runs are many and each holds few of the
	 * terms (a small budget).  Past HEAP_RUNS runs, the runs with a record left
	 * whose term is not the current one are a binary min-heap of run numbers by
	 * (term, run number): O(log runs) a part.  With few runs the scan is kept: a
	 * term in most of them costs ~2 compares a run there, ~2 log2(runs) in a heap
	 * (a 100k-passage build with --memory 2M, 41 runs: 3 % more instructions). */
	int use_heap;
	uint32_t *heap;
	size_t nheap;
	uint32_t *in_term;              /* the runs holding the current term, oldest first */
	size_t nin;
	size_t bufsize;                 /* read buffer of a run */
	size_t cur;                     /* in_term[cur], then memory (== nin) */
};

lc_postbuf *lc_postbuf_new(size_t limit)
{
	lc_postbuf *pb = lc_xcalloc(1, sizeof *pb);
	pb->limit = limit;
	pb->fd = -1;
	return pb;
}

static void free_memory_run(lc_postbuf *pb)
{
	for (size_t i = 0; i < pb->nslab; i++)
		free(pb->slab[i]);
	free(pb->slab);
	pb->slab = NULL;
	pb->nslab = pb->slabcap = 0;
	pb->nchunks = 0;
	free(pb->t);
	pb->t = NULL;
	pb->tcap = 0;
	lc_strmap_free(&pb->terms);
	free(pb->order);
	pb->order = NULL;
}

void lc_postbuf_free(lc_postbuf *pb)
{
	if (!pb)
		return;
	free_memory_run(pb);
	for (size_t i = 0; i < pb->nruns; i++) {
		free(pb->runs[i].buf);
		lc_buf_free(&pb->runs[i].key);
	}
	free(pb->runs);
	free(pb->heap);
	free(pb->in_term);
	if (pb->fd >= 0)
		close(pb->fd);
	free(pb);
}

/* --- building ------------------------------------------------------------------ */

static inline unsigned char *chunk(const lc_postbuf *pb, uint32_t c)
{
	c--;
	return pb->slab[c / SLAB_CHUNKS] + (size_t)(c % SLAB_CHUNKS) * CHUNK;
}

static uint32_t new_chunk(lc_postbuf *pb)
{
	uint32_t c = pb->nchunks++;
	if (c / SLAB_CHUNKS >= pb->nslab) {
		if (pb->nslab == pb->slabcap) {
			pb->slabcap = pb->slabcap ? 2 * pb->slabcap : 16;
			pb->slab = lc_xrealloc(pb->slab, pb->slabcap * sizeof *pb->slab);
		}
		pb->slab[pb->nslab++] = lc_xmalloc((size_t)SLAB_CHUNKS * CHUNK);
	}
	unsigned char *p = chunk(pb, c + 1);
	memset(p, 0, 4);
	return c + 1;
}

static void put_byte(lc_postbuf *pb, tlist *l, unsigned char v)
{
	if (!l->tail || l->fill == CDATA) {
		uint32_t c = new_chunk(pb);
		if (l->tail)
			memcpy(chunk(pb, l->tail), &c, 4);
		else
			l->head = c;
		l->tail = c;
		l->fill = 0;
	}
	chunk(pb, l->tail)[4 + l->fill++] = v;
}

static void put_varint(lc_postbuf *pb, tlist *l, uint32_t v)
{
	do {
		unsigned char c = v & 0x7F;
		v >>= 7;
		put_byte(pb, l, v ? (c | 0x80) : c);
	} while (v);
}

uint32_t lc_postbuf_term(lc_postbuf *pb, const char *s, size_t n)
{
	return lc_strmap_intern(&pb->terms, s, n, NULL);
}

void lc_postbuf_add(lc_postbuf *pb, uint32_t term, uint32_t doc, uint32_t tf)
{
	if (term >= pb->tcap) {
		size_t cap = pb->tcap ? pb->tcap : 64;
		while (cap <= term)
			cap *= 2;
		pb->t = lc_xrealloc(pb->t, cap * sizeof *pb->t);
		memset(pb->t + pb->tcap, 0, (cap - pb->tcap) * sizeof *pb->t);
		pb->tcap = cap;
	}
	tlist *l = &pb->t[term];
	put_varint(pb, l, l->head ? doc - l->last : doc);
	put_varint(pb, l, tf);
	l->last = doc;
}

size_t lc_postbuf_bytes(const lc_postbuf *pb)
{
	const lc_strmap *m = &pb->terms;
	return (size_t)pb->nchunks * CHUNK + pb->tcap * sizeof *pb->t + m->nslots * sizeof *m->slots +
	       m->cap * (sizeof *m->keys + sizeof *m->lens + sizeof *m->hashes) + m->arena.total;
}

int lc_postbuf_full(const lc_postbuf *pb) { return pb->limit && lc_postbuf_bytes(pb) >= pb->limit; }

size_t lc_postbuf_runs(const lc_postbuf *pb) { return pb->nruns; }

/* the bytes of a list in memory; its df into *df (two LEB128 numbers a posting,
 * each ending in the one byte without the high bit) */
static size_t list_bytes(const lc_postbuf *pb, const tlist *l, uint64_t *df)
{
	size_t n = 0, ends = 0;
	for (uint32_t c = l->head; c; ) {
		uint32_t next;
		const unsigned char *p = chunk(pb, c);
		memcpy(&next, p, 4);
		size_t k = next ? CDATA : l->fill;
		for (size_t i = 0; i < k; i++)
			ends += !(p[4 + i] & 0x80);
		n += k;
		c = next;
	}
	*df = ends / 2;
	return n;
}

/* the first document of a list in memory (its first LEB128 number) */
static uint32_t list_first(const lc_postbuf *pb, const tlist *l)
{
	uint32_t c = l->head, x = 0;
	unsigned at = 0;
	for (int sh = 0; c; sh += 7) {
		uint32_t next;
		memcpy(&next, chunk(pb, c), 4);
		unsigned char b = chunk(pb, c)[4 + at++];
		x |= (uint32_t)(b & 0x7F) << sh;
		if (!(b & 0x80))
			break;
		if (at == CDATA) {
			c = next;
			at = 0;
		}
	}
	return x;
}

/* bytewise order of two byte strings, a prefix first (the runs' and the merge's order) */
static int cmp_key(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	return c ? c : (la < lb ? -1 : la > lb);
}

/* qsort_r comparator: term numbers by the bytes of their strings in ctx (an lc_strmap) */
static int cmp_term(const void *a, const void *b, void *ctx)
{
	const lc_strmap *m = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return cmp_key(lc_strmap_str(m, x), lc_strmap_len(m, x), lc_strmap_str(m, y), lc_strmap_len(m, y));
}

/* the current run's terms in bytewise order of their strings (malloc'd) */
static uint32_t *sorted_terms(const lc_postbuf *pb)
{
	size_t T = lc_strmap_count(&pb->terms);
	uint32_t *order = lc_xmalloc((T + 1) * sizeof *order);
	for (size_t i = 0; i < T; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, T, sizeof *order, cmp_term, (void *)&pb->terms);
	return order;
}

static int write_all(lc_postbuf *pb, const void *p, size_t n, lc_err *e)
{
	if (lc_pwrite_all(pb->fd, p, n, pb->fsize) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: %s; give TMPDIR room or raise --memory",
		                  strerror(errno));
	pb->fsize += n;
	return 0;
}

static int open_tmp(lc_postbuf *pb, lc_err *e)
{
	const char *dir;
	pb->fd = lc_tmpfd("lcindex-runs", &dir);
	if (pb->fd < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "cannot create a temporary file for index runs in %s: %s; "
		                  "set TMPDIR to a writable directory or raise --memory", dir, strerror(errno));
	return 0;
}

int lc_postbuf_spill(lc_postbuf *pb, lc_err *e)
{
	size_t T = lc_strmap_count(&pb->terms);
	if (!T)
		return 0;
	if (pb->fd < 0 && open_tmp(pb, e) < 0)
		return -1;
	if (pb->nruns == pb->runcap) {
		pb->runcap = pb->runcap ? 2 * pb->runcap : 8;
		pb->runs = lc_xrealloc(pb->runs, pb->runcap * sizeof *pb->runs);
	}
	uint32_t *order = sorted_terms(pb);
	uint64_t off = pb->fsize;
	lc_buf b = {0};
	int rc = 0;
	for (size_t i = 0; i < T && !rc; i++) {
		uint32_t t = order[i];
		tlist *l = t < pb->tcap ? &pb->t[t] : NULL;
		if (!l || !l->head)
			continue;
		size_t len = lc_strmap_len(&pb->terms, t);
		uint64_t df, bytes = list_bytes(pb, l, &df);
		lc_varint_put(&b, len);
		lc_buf_add(&b, lc_strmap_str(&pb->terms, t), len);
		lc_varint_put(&b, df);
		lc_varint_put(&b, list_first(pb, l));
		lc_varint_put(&b, l->last);
		lc_varint_put(&b, bytes);
		for (uint32_t c = l->head; c; ) {
			uint32_t next;
			memcpy(&next, chunk(pb, c), 4);
			lc_buf_add(&b, chunk(pb, c) + 4, next ? CDATA : l->fill);
			c = next;
		}
		if (b.len >= (256u << 10)) {   /* a small buffer: a spill is when memory peaks */
			rc = write_all(pb, b.p, b.len, e);
			lc_buf_reset(&b);
		}
	}
	if (!rc && b.len)
		rc = write_all(pb, b.p, b.len, e);
	lc_buf_free(&b);
	free(order);
	if (rc < 0)
		return -1;
	run *r = &pb->runs[pb->nruns++];
	memset(r, 0, sizeof *r);
	r->off = off;
	r->end = pb->fsize;
	free_memory_run(pb);   /* the next run starts with an empty dictionary */
	return 0;
}

/* --- reading: the merge ------------------------------------------------------------ */

static int fill(lc_postbuf *pb, run *r, lc_err *e)
{
	if (!r->buf) {
		uint64_t len = r->end - r->off;
		r->bcap = len < pb->bufsize ? (size_t)len + 1 : pb->bufsize;
		r->buf = lc_xmalloc(r->bcap);
	}
	size_t want = r->bcap;
	if (r->end - r->pos < want)
		want = (size_t)(r->end - r->pos);
	r->bpos = 0;
	ssize_t got = lc_pread_full(pb->fd, r->buf, want, r->pos);
	if (got != (ssize_t)want) {
		r->blen = 0;
		return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: %s",
		                  got < 0 ? strerror(errno) : "cut short");
	}
	r->blen = want;
	return 0;
}

static int cut_short(lc_err *e) { return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: cut short"); }

/* next byte of run r: 0..255, or -1 at its end, -2 on error (e set) */
static int get_byte(lc_postbuf *pb, run *r, lc_err *e)
{
	if (r->bpos == r->blen) {
		if (r->pos >= r->end)
			return -1;
		if (fill(pb, r, e) < 0)
			return -2;
	}
	r->pos++;
	return r->buf[r->bpos++];
}

static int get_varint(lc_postbuf *pb, run *r, uint64_t *v, lc_err *e)
{
	uint64_t x = 0;
	for (int sh = 0; sh < 64; sh += 7) {
		int c = get_byte(pb, r, e);
		if (c == -2)
			return -1;
		if (c < 0)
			return cut_short(e);
		x |= (uint64_t)(c & 0x7F) << sh;
		if (!(c & 0x80))
			break;
	}
	*v = x;
	return 0;
}

/* the run's next record: its head fields, the pairs left unread */
static int read_head(lc_postbuf *pb, run *r, lc_err *e)
{
	if (r->pos >= r->end) {
		r->has = 0;
		return 0;
	}
	uint64_t len;
	if (get_varint(pb, r, &len, e) < 0)
		return -1;
	if (len > r->end - r->pos)
		return cut_short(e);
	lc_buf_reset(&r->key);
	for (uint64_t i = 0; i < len; i++) {
		int c = get_byte(pb, r, e);
		if (c < 0)
			return c == -2 ? -1 : cut_short(e);
		lc_buf_addc(&r->key, (char)c);
	}
	if (get_varint(pb, r, &r->df, e) < 0 || get_varint(pb, r, &r->first, e) < 0 ||
	    get_varint(pb, r, &r->last, e) < 0 || get_varint(pb, r, &r->bytes, e) < 0)
		return -1;
	if (r->bytes > r->end - r->pos)
		return cut_short(e);
	r->left = r->bytes;
	r->doc = 0;
	r->has = 1;
	return 0;
}

/* past the rest of the head record's pairs */
static void skip_pairs(run *r)
{
	if (r->left <= r->blen - r->bpos)
		r->bpos += (size_t)r->left;
	else
		r->blen = r->bpos = 0;
	r->pos += r->left;
	r->left = 0;
}

/* --- the heap of runs --- */

/* run a's head record before run b's: by term, then older run first */
static int run_before(const lc_postbuf *pb, uint32_t a, uint32_t b)
{
	const run *x = &pb->runs[a], *y = &pb->runs[b];
	int c = cmp_key(x->key.p, x->key.len, y->key.p, y->key.len);
	return c ? c < 0 : a < b;
}

static void heap_down(lc_postbuf *pb, size_t i)
{
	uint32_t *h = pb->heap;
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < pb->nheap && run_before(pb, h[l], h[m]))
			m = l;
		if (l + 1 < pb->nheap && run_before(pb, h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_push(lc_postbuf *pb, uint32_t r)
{
	uint32_t *h = pb->heap;
	size_t i = pb->nheap++;
	h[i] = r;
	while (i && run_before(pb, h[i], h[(i - 1) / 2])) {
		uint32_t t = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static uint32_t heap_pop(lc_postbuf *pb)
{
	uint32_t top = pb->heap[0];
	pb->heap[0] = pb->heap[--pb->nheap];
	heap_down(pb, 0);
	return top;
}

int lc_postbuf_rewind(lc_postbuf *pb, lc_err *e)
{
	/* the runs' read buffers share the budget (4 KiB to 64 KiB a run) */
	size_t per = pb->limit && pb->nruns ? pb->limit / pb->nruns : (64u << 10);
	pb->bufsize = per < (4u << 10) ? (4u << 10) : per > (64u << 10) ? (64u << 10) : per;
	pb->use_heap = pb->nruns > HEAP_RUNS;
	if (!pb->in_term && pb->nruns) {
		pb->heap = pb->use_heap ? lc_xmalloc(pb->nruns * sizeof *pb->heap) : NULL;
		pb->in_term = lc_xmalloc(pb->nruns * sizeof *pb->in_term);
	}
	pb->nheap = pb->nin = 0;
	for (size_t i = 0; i < pb->nruns; i++) {
		run *r = &pb->runs[i];
		r->pos = r->off;
		r->blen = r->bpos = 0;
		if (read_head(pb, r, e) < 0)
			return -1;
		if (r->has && pb->use_heap)
			heap_push(pb, (uint32_t)i);
	}
	if (!pb->order)
		pb->order = sorted_terms(pb);
	pb->mi = 0;
	pb->mem_in = 0;
	pb->cur = 0;   /* no term yet: no run in it, memory not in it */
	return 0;
}

/* the memory run's next term with postings, from pb->mi on: its list or NULL */
static const tlist *mem_head(lc_postbuf *pb)
{
	size_t T = lc_strmap_count(&pb->terms);
	for (; pb->mi < T; pb->mi++) {
		uint32_t t = pb->order[pb->mi];
		if (t < pb->tcap && pb->t[t].head)
			return &pb->t[t];
	}
	return NULL;
}

/* the run whose head record has the least term (the oldest among equals), or NULL */
static const run *least_head(const lc_postbuf *pb)
{
	if (pb->use_heap)
		return pb->nheap ? &pb->runs[pb->heap[0]] : NULL;
	const run *least = NULL;
	for (size_t i = 0; i < pb->nruns; i++) {
		const run *r = &pb->runs[i];
		if (r->has && (!least || cmp_key(r->key.p, r->key.len, least->key.p, least->key.len) < 0))
			least = r;
	}
	return least;
}

/* pb->in_term: the runs whose head record is term key, oldest first */
static void take_term(lc_postbuf *pb, const char *key, size_t klen)
{
	if (pb->use_heap) {
		while (pb->nheap && !cmp_key(pb->runs[pb->heap[0]].key.p, pb->runs[pb->heap[0]].key.len, key, klen))
			pb->in_term[pb->nin++] = heap_pop(pb);
		return;
	}
	for (size_t i = 0; i < pb->nruns; i++) {
		const run *r = &pb->runs[i];
		if (r->has && !cmp_key(r->key.p, r->key.len, key, klen))
			pb->in_term[pb->nin++] = (uint32_t)i;
	}
}

int lc_postbuf_next_term(lc_postbuf *pb, lc_postbuf_entry *out, lc_err *e)
{
	for (size_t i = 0; i < pb->nin; i++) {   /* past the current term */
		run *r = &pb->runs[pb->in_term[i]];
		skip_pairs(r);
		if (read_head(pb, r, e) < 0)
			return -1;
		if (r->has && pb->use_heap)
			heap_push(pb, pb->in_term[i]);
	}
	pb->nin = 0;
	if (pb->mem_in) {
		pb->mem_in = 0;
		pb->mi++;
	}
	const run *least = least_head(pb);
	const char *key = least ? least->key.p : NULL;
	size_t klen = least ? least->key.len : 0;
	const tlist *ml = mem_head(pb);
	const char *ms = ml ? lc_strmap_str(&pb->terms, pb->order[pb->mi]) : NULL;
	size_t mn = ml ? lc_strmap_len(&pb->terms, pb->order[pb->mi]) : 0;
	if (ml && (!key || cmp_key(ms, mn, key, klen) < 0)) {
		key = ms;
		klen = mn;
	}
	if (!key)
		return 0;
	/* the term's parts, oldest first: the lists joined, the gap at each seam counted anew */
	take_term(pb, key, klen);
	uint64_t df = 0, bytes = 0, prev_last = 0;
	for (size_t i = 0; i < pb->nin; i++) {
		const run *r = &pb->runs[pb->in_term[i]];
		df += r->df;
		bytes += r->bytes;
		if (i)
			bytes = bytes - lc_varint_len(r->first) + lc_varint_len(r->first - prev_last);
		prev_last = r->last;
	}
	if (ml && !cmp_key(ms, mn, key, klen)) {
		uint32_t first = list_first(pb, ml);
		uint64_t mdf;
		pb->mem_in = 1;
		pb->mchunk = ml->head;
		pb->mpos = 0;
		pb->mdoc = 0;
		bytes += list_bytes(pb, ml, &mdf);
		df += mdf;
		if (pb->nin)
			bytes = bytes - lc_varint_len(first) + lc_varint_len(first - prev_last);
	}
	pb->cur = 0;
	out->str = key;
	out->len = klen;
	out->df = df;
	out->bytes = bytes;
	return 1;
}

/* the next (gap, tf) of the memory run's current list: 1, or 0 at its end */
static int mem_pair(lc_postbuf *pb, uint32_t v[2])
{
	const tlist *l = &pb->t[pb->order[pb->mi]];
	for (int k = 0; k < 2; k++) {
		uint32_t x = 0;
		for (int sh = 0;; sh += 7) {
			if (!pb->mchunk)
				return 0;
			uint32_t next;
			unsigned char *c = chunk(pb, pb->mchunk);
			memcpy(&next, c, 4);
			if (pb->mpos == (next ? CDATA : l->fill)) {
				if (!next)
					return 0;
				pb->mchunk = next;
				pb->mpos = 0;
				c = chunk(pb, next);
			}
			unsigned char b = c[4 + pb->mpos++];
			x |= (uint32_t)(b & 0x7F) << sh;
			if (!(b & 0x80))
				break;
		}
		v[k] = x;
	}
	return 1;
}

int lc_postbuf_next(lc_postbuf *pb, uint32_t *doc, uint32_t *tf, lc_err *e)
{
	for (; pb->cur < pb->nin; pb->cur++) {
		run *r = &pb->runs[pb->in_term[pb->cur]];
		if (!r->left)
			continue;
		uint64_t g, f, before = r->pos;
		if (get_varint(pb, r, &g, e) < 0 || get_varint(pb, r, &f, e) < 0)
			return -1;
		if (r->pos - before > r->left)
			return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: record overrun");
		r->left -= r->pos - before;
		r->doc += (uint32_t)g;
		*doc = r->doc;
		*tf = (uint32_t)f;
		return 1;
	}
	uint32_t v[2];
	if (pb->cur != pb->nin || !pb->mem_in || !mem_pair(pb, v))
		return 0;
	pb->mdoc += v[0];
	*doc = pb->mdoc;
	*tf = v[1];
	return 1;
}
