/* index_file — one-file BM25 index: writer, mmap reader with checks, shard merge
 * (layout in index_file.h and lctk-formats(5)). */
#include "index_file.h"
#include "strmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "index_file assumes a little-endian host"
#endif

enum { S_STOP, S_DOCLEN, S_PIDOFF, S_PIDS, S_TERMOFF, S_TERMS, S_POSTOFF, S_POST, S_BLKOFF, S_BLOCKS, NSEC };
#define NSEC_V1 8
#define SEC_AT 72

static uint32_t crc(const void *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	const unsigned char *b = p;
	while (n) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, b, k);
		b += k;
		n -= k;
	}
	return (uint32_t)c;
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void pad8(lc_buf *b)
{
	static const char z[8];
	if (b->len & 7)
		lc_buf_add(b, z, 8 - (b->len & 7));
}

void lc_index_bounder_init(lc_index_bounder *bd, uint64_t n_docs, uint64_t total_len)
{
	double avgdl = n_docs ? (double)total_len / (double)n_docs : 0;   /* as bm25.c */
	if (avgdl <= 0)
		avgdl = 1;
	bd->base = LC_INDEX_BOUND_K1 * (1 - LC_INDEX_BOUND_B);
	bd->slope = LC_INDEX_BOUND_K1 * LC_INDEX_BOUND_B / avgdl;
}

void lc_index_bounder_add(const lc_index_bounder *bd, lc_index_block *b, int first, uint32_t tf, uint32_t dl)
{
	double f = (double)tf / ((double)tf + bd->base + bd->slope * (double)dl);
	if (first) {
		memset(b, 0, sizeof *b);
		b->maxtf = b->btf = tf;
		b->mindl = b->bdl = dl;
		b->pad = 0;
		return;
	}
	double g = (double)b->btf / ((double)b->btf + bd->base + bd->slope * (double)b->bdl);
	if (f > g) {
		b->btf = tf;
		b->bdl = dl;
	}
	if (tf > b->maxtf)
		b->maxtf = tf;
	if (dl < b->mindl)
		b->mindl = dl;
}

void lc_varint_put(lc_buf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;
	do {
		unsigned char c = v & 0x7F;
		v >>= 7;
		t[n++] = v ? (c | 0x80) : c;
	} while (v);
	lc_buf_add(b, t, n);
}

void lc_index_write(lc_buf *out, const lc_index_src *s)
{
	size_t start = out->len;
	uint64_t off[NSEC], size[NSEC];
	unsigned char hdr[LC_INDEX_HDR];
	memset(hdr, 0, sizeof hdr);
	lc_buf_add(out, hdr, sizeof hdr);
#define BEGIN(k) (pad8(out), off[k] = out->len - start)
#define END(k) (size[k] = out->len - start - off[k])
	BEGIN(S_STOP);
	lc_buf_add(out, s->stop ? s->stop : "", s->stop ? s->stop_len : 0);
	END(S_STOP);
	BEGIN(S_DOCLEN);
	lc_buf_add(out, s->doclen, s->n_docs * 4);
	END(S_DOCLEN);
	uint64_t total = 0;
	for (uint64_t d = 0; d < s->n_docs; d++)
		total += s->doclen[d];
	BEGIN(S_PIDOFF);
	uint64_t o = 0;
	for (uint64_t d = 0; d <= s->n_docs; d++) {
		unsigned char t[8];
		put64(t, o);
		lc_buf_add(out, t, 8);
		if (d < s->n_docs)
			o += strlen(s->pids[d]);
	}
	END(S_PIDOFF);
	BEGIN(S_PIDS);
	for (uint64_t d = 0; d < s->n_docs; d++)
		lc_buf_adds(out, s->pids[d]);
	END(S_PIDS);
	BEGIN(S_TERMOFF);
	o = 0;
	for (uint64_t t = 0; t <= s->n_terms; t++) {
		unsigned char b8[8];
		put64(b8, o);
		lc_buf_add(out, b8, 8);
		if (t < s->n_terms)
			o += s->term_len[t];
	}
	END(S_TERMOFF);
	BEGIN(S_TERMS);
	for (uint64_t t = 0; t < s->n_terms; t++)
		lc_buf_add(out, s->terms[t], s->term_len[t]);
	END(S_TERMS);
	/* postings (and their blocks) first into side buffers to know the offsets */
	lc_buf post = {0}, blk = {0};
	uint64_t *poff = lc_xmalloc((s->n_terms + 1) * sizeof *poff);
	uint64_t *boff = lc_xmalloc((s->n_terms + 1) * sizeof *boff);
	lc_index_bounder bd;
	lc_index_bounder_init(&bd, s->n_docs, total);
	for (uint64_t t = 0; t < s->n_terms; t++) {
		poff[t] = post.len;
		boff[t] = blk.len / sizeof(lc_index_block);
		uint64_t a = s->post_start[t], z = s->post_start[t + 1];
		lc_varint_put(&post, z - a);
		uint32_t prev = 0;
		lc_index_block b = {0};
		for (uint64_t i = a; i < z; i++) {
			lc_varint_put(&post, i == a ? s->post_doc[i] : s->post_doc[i] - prev);
			lc_varint_put(&post, s->post_tf[i]);
			prev = s->post_doc[i];
			if (z - a <= LC_INDEX_BLOCK)
				continue;
			uint32_t dl = s->post_doc[i] < s->n_docs ? s->doclen[s->post_doc[i]] : 0;
			lc_index_bounder_add(&bd, &b, (i - a) % LC_INDEX_BLOCK == 0, s->post_tf[i], dl);
			if ((i - a) % LC_INDEX_BLOCK == LC_INDEX_BLOCK - 1 || i + 1 == z) {
				b.end = post.len - poff[t];
				b.last = s->post_doc[i];
				lc_buf_add(&blk, &b, sizeof b);
			}
		}
	}
	poff[s->n_terms] = post.len;
	boff[s->n_terms] = blk.len / sizeof(lc_index_block);
	BEGIN(S_POSTOFF);
	lc_buf_add(out, poff, (s->n_terms + 1) * 8);
	END(S_POSTOFF);
	BEGIN(S_POST);
	lc_buf_add(out, post.p, post.len);
	END(S_POST);
	BEGIN(S_BLKOFF);
	lc_buf_add(out, boff, (s->n_terms + 1) * 8);
	END(S_BLKOFF);
	BEGIN(S_BLOCKS);
	lc_buf_add(out, blk.p, blk.len);
	END(S_BLOCKS);
	pad8(out);
	free(poff);
	free(boff);
	lc_buf_free(&post);
	lc_buf_free(&blk);
#undef BEGIN
#undef END
	unsigned char *h = (unsigned char *)out->p + start;
	uint64_t fsize = out->len - start;
	lc_index_put_header(h, s->flags, s->shard_k, s->shard_n, s->run, s->n_docs, s->n_terms, s->post_start[s->n_terms], total,
	                    fsize, off, size, crc(h + LC_INDEX_HDR, fsize - LC_INDEX_HDR));
}

uint32_t lc_index_crc(uint32_t c, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = (uint32_t)crc32(c, b, k);
		b += k;
		n -= k;
	}
	return c;
}

void lc_index_put_header(unsigned char *h, unsigned flags, uint32_t shard_k, uint32_t shard_n, uint64_t run, uint64_t n_docs,
                         uint64_t n_terms, uint64_t n_postings, uint64_t total_len, uint64_t fsize,
                         const uint64_t *off, const uint64_t *size, uint32_t body_crc)
{
	memset(h, 0, LC_INDEX_HDR);
	memcpy(h, LC_INDEX_MAGIC, 8);
	put32(h + 8, LC_INDEX_VERSION);
	put32(h + 12, LC_INDEX_HDR);
	put32(h + 16, flags);
	put32(h + 20, shard_k ? shard_k : 1);
	put32(h + 24, shard_n ? shard_n : 1);
	put64(h + 32, n_docs);
	put64(h + 40, n_terms);
	put64(h + 48, n_postings);
	put64(h + 56, total_len);
	put64(h + 64, fsize);
	put64(h + 232, run);
	for (int k = 0; k < NSEC; k++) {
		put64(h + SEC_AT + 16 * k, off[k]);
		put64(h + SEC_AT + 16 * k + 8, size[k]);
	}
	put32(h + 248, body_crc);
	put32(h + 252, crc(h, 252));
}

/* Each term's document frequency (the varint that opens its postings) and that
 * varint's length in bytes (0: it does not end inside the term's bytes). */
typedef struct heads {
	uint64_t *df;
	unsigned char *len;
} heads;

/* The varint at p (at most avail bytes, the term's bytes left) into t of hd. */
static void head_at(heads *hd, uint64_t t, const unsigned char *p, uint64_t avail)
{
	uint64_t df = 0;
	int sh = 0;
	hd->df[t] = 0;
	hd->len[t] = 0;
	for (uint64_t i = 0; i < avail && sh <= 63; i++) {
		unsigned char b = p[i];
		df |= (uint64_t)(b & 0x7F) << sh;
		sh += 7;
		if (!(b & 0x80)) {
			hd->df[t] = df;
			hd->len[t] = (unsigned char)(i + 1);
			return;
		}
	}
}

static int validate_blocks(lc_index *ix, const heads *hd, const uint64_t *off, const uint64_t *size, const char *name,
                           lc_err *e)
{
	uint64_t T = ix->n_terms;
	if (size[S_BLKOFF] != (T + 1) * 8 || size[S_BLOCKS] % sizeof(lc_index_block))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (block section sizes); rebuild it", name);
	ix->blkoff = (const uint64_t *)(ix->base + off[S_BLKOFF]);
	ix->blocks = (const lc_index_block *)(ix->base + off[S_BLOCKS]);
	uint64_t nb = size[S_BLOCKS] / sizeof(lc_index_block);
	if (ix->blkoff[0] != 0 || ix->blkoff[T] != nb)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (block offsets); rebuild it", name);
	for (uint64_t t = 0; t < T; t++) {
		uint64_t df = hd->df[t], want = df > LC_INDEX_BLOCK ? (df + LC_INDEX_BLOCK - 1) / LC_INDEX_BLOCK : 0;
		if (ix->blkoff[t] > ix->blkoff[t + 1] || ix->blkoff[t + 1] - ix->blkoff[t] != want)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (term %llu: blocks do not match its postings); rebuild it",
			                  name, (unsigned long long)t);
		uint64_t bytes = ix->postoff[t + 1] - ix->postoff[t], head = hd->len[t];
		uint64_t prev_end = head;
		for (uint64_t k = ix->blkoff[t]; k < ix->blkoff[t + 1]; k++) {
			const lc_index_block *b = &ix->blocks[k];
			if (b->end <= prev_end || b->end > bytes || b->last >= ix->n_docs ||
			    (k > ix->blkoff[t] && b->last <= b[-1].last))
				return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (term %llu: block %llu out of order); rebuild it",
				                  name, (unsigned long long)t, (unsigned long long)(k - ix->blkoff[t]));
			prev_end = b->end;
		}
	}
	return 0;
}

/* Section table, sizes and offsets of the header at ix->base (checksums aside). */
static int layout(lc_index *ix, uint64_t *off, uint64_t *size, const char *name, lc_err *e)
{
	const unsigned char *h = ix->base;
	size_t n = ix->size;
	ix->flags = get32(h + 16);
	ix->shard_k = get32(h + 20);
	ix->shard_n = get32(h + 24);
	ix->run = ix->version == 1 ? 0 : get64(h + 232);
	ix->n_docs = get64(h + 32);
	ix->n_terms = get64(h + 40);
	ix->n_postings = get64(h + 48);
	ix->total_len = get64(h + 56);
	int nsec = ix->version == 1 ? NSEC_V1 : NSEC;
	for (int k = 0; k < nsec; k++) {
		off[k] = get64(h + SEC_AT + 16 * k);
		size[k] = get64(h + SEC_AT + 16 * k + 8);
		if (off[k] < LC_INDEX_HDR || (off[k] & 7) || off[k] > n || size[k] > n - off[k])
			return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (section %d out of bounds)", name, k);
	}
	uint64_t N = ix->n_docs, T = ix->n_terms;
	/* N and T bounded by the file first: (T + 1) * 8 must not wrap to a size that matches */
	if (N > UINT32_MAX || T >= n / 8 || size[S_DOCLEN] != N * 4 || size[S_PIDOFF] != (N + 1) * 8 ||
	    size[S_TERMOFF] != (T + 1) * 8 || size[S_POSTOFF] != (T + 1) * 8 || !ix->shard_n ||
	    !ix->shard_k || ix->shard_k > ix->shard_n)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (inconsistent sizes)", name);
	ix->stop = (const char *)h + off[S_STOP];
	ix->stop_len = size[S_STOP];
	ix->doclen = (const uint32_t *)(h + off[S_DOCLEN]);
	ix->pidoff = (const uint64_t *)(h + off[S_PIDOFF]);
	ix->pids = (const char *)h + off[S_PIDS];
	ix->termoff = (const uint64_t *)(h + off[S_TERMOFF]);
	ix->terms = (const char *)h + off[S_TERMS];
	ix->postoff = (const uint64_t *)(h + off[S_POSTOFF]);
	ix->post = h + off[S_POST];
	ix->post_size = size[S_POST];
	if (ix->pidoff[N] != size[S_PIDS] || ix->termoff[T] != size[S_TERMS] || ix->postoff[T] != size[S_POST])
		return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (section ends disagree)", name);
	/* offsets must ascend, so no later read leaves its section (O(N + T), no decoding) */
	for (uint64_t d = 0; d < N; d++)
		if (ix->pidoff[d] > ix->pidoff[d + 1])
			return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (pid offsets)", name);
	for (uint64_t t = 0; t < T; t++)
		if (ix->termoff[t] > ix->termoff[t + 1] || ix->postoff[t] > ix->postoff[t + 1])
			return lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (term offsets)", name);
	return 0;
}

/* CRC-32 of the body of the file behind ix, read from fd through a small buffer,
 * and (hd not NULL) each term's head from those bytes: unlike a pass over the
 * mapping, this leaves no page of the file resident in the process, so a query
 * later maps only the postings it reads.  -1 if a read fails. */
static int crc_fd(const lc_index *ix, int fd, heads *hd, uint32_t *out)
{
	enum { CHUNK = 1 << 20 };
	unsigned char *b = lc_xmalloc(CHUNK);
	uint32_t c = 0;
	uint64_t off = LC_INDEX_HDR, n = ix->size - LC_INDEX_HDR, t = 0;
	uint64_t post = (uint64_t)(ix->post - ix->base);
	while (n) {
		ssize_t r = pread(fd, b, n < CHUNK ? (size_t)n : CHUNK, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(b);
			return -1;
		}
		c = lc_index_crc(c, b, (size_t)r);
		uint64_t cend = off + (uint64_t)r;
		for (; hd && t < ix->n_terms && post + ix->postoff[t] < cend; t++) {
			uint64_t at = post + ix->postoff[t], avail = ix->postoff[t + 1] - ix->postoff[t];
			if (avail > cend - at && cend < ix->size) {   /* the head may run into the next chunk */
				unsigned char tmp[10];
				ssize_t m = pread(fd, tmp, avail < sizeof tmp ? (size_t)avail : sizeof tmp, (off_t)at);
				if (m < 0) {
					free(b);
					return -1;
				}
				head_at(hd, t, tmp, (uint64_t)m);
			} else {
				head_at(hd, t, b + (at - off), avail);
			}
		}
		off = cend;
		n -= (uint64_t)r;
	}
	for (; hd && t < ix->n_terms; t++)   /* empty terms at the very end */
		head_at(hd, t, NULL, 0);
	free(b);
	*out = c;
	return 0;
}

/* fd: the file mapped at ix->base (its body is read through it), or -1. */
static int validate(lc_index *ix, const char *name, int fd, lc_err *e)
{
	const unsigned char *h = ix->base;
	size_t n = ix->size;
	if (n < 16 || memcmp(h, LC_INDEX_MAGIC, 8))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: not an lctk BM25 index (bad magic); build one with lcindex", name);
	uint32_t v = get32(h + 8);
	if (v != LC_INDEX_VERSION && v != 1)
		return lc_err_set(e, LC_EXIT_INPUT,
		                  "%s: index format version %u, but this program reads version 1 or %d; rebuild it with this lcindex",
		                  name, v, LC_INDEX_VERSION);
	if (n < LC_INDEX_HDR)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: truncated index (%zu bytes, header needs %d); rebuild it", name, n,
		                  LC_INDEX_HDR);
	if (get32(h + 252) != crc(h, 252))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: index header checksum mismatch (corrupt file); rebuild it", name);
	uint64_t fsize = get64(h + 64);
	if (fsize != n)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %s index (%zu bytes, header says %llu); rebuild it", name,
		                  n < fsize ? "truncated" : "oversized", n, (unsigned long long)fsize);
	ix->version = v;
	/* the layout is checked first (the body pass needs it), but a checksum
	 * mismatch is what a damaged file reports */
	uint64_t off[NSEC] = {0}, size[NSEC] = {0};
	lc_err lerr = {0};
	int lay = layout(ix, off, size, name, &lerr);
	uint64_t T = lay < 0 ? 0 : ix->n_terms;
	heads hd = { lc_xmalloc((T + 1) * sizeof *hd.df), lc_xmalloc(T + 1) };
	uint32_t body;
	int rc = 0;
	if (fd < 0) {
		body = crc(h + LC_INDEX_HDR, n - LC_INDEX_HDR);
		for (uint64_t t = 0; t < T; t++)
			head_at(&hd, t, ix->post + ix->postoff[t], ix->postoff[t + 1] - ix->postoff[t]);
	} else if (crc_fd(ix, fd, lay < 0 ? NULL : &hd, &body) < 0) {
		rc = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot read: %s", name, errno ? strerror(errno) : "file shrank");
		goto out;
	}
	if (get32(h + 248) != body) {
		rc = lc_err_set(e, LC_EXIT_INPUT, "%s: index checksum mismatch (corrupt file); rebuild it", name);
		goto out;
	}
	if (lay < 0) {
		*e = lerr;
		rc = -1;
		goto out;
	}
	/* every count against the bytes that hold it (O(T), one varint per term): a
	 * term's document frequency is at most N and at most half its postings bytes
	 * (a pair takes two bytes at least), and the frequencies add up to the
	 * header's postings count, so no postings loop can run past its section */
	uint64_t sum = 0, N = ix->n_docs;
	for (uint64_t t = 0; t < T; t++) {
		uint64_t df = hd.df[t], rest = ix->postoff[t + 1] - ix->postoff[t] - hd.len[t];
		if (!hd.len[t] || df > N || df > rest / 2) {
			rc = lc_err_set(e, LC_EXIT_INPUT,
			                "%s: corrupt index (term %llu: document frequency does not fit its %llu bytes of postings "
			                "or %llu documents); rebuild it",
			                name, (unsigned long long)t, (unsigned long long)(ix->postoff[t + 1] - ix->postoff[t]),
			                (unsigned long long)N);
			goto out;
		}
		sum += df;
	}
	if (sum != ix->n_postings) {
		rc = lc_err_set(e, LC_EXIT_INPUT,
		                "%s: corrupt index (header says %llu postings, the terms hold %llu); rebuild it", name,
		                (unsigned long long)ix->n_postings, (unsigned long long)sum);
		goto out;
	}
	rc = v == 1 ? 0 : validate_blocks(ix, &hd, off, size, name, e);
out:
	free(hd.df);
	free(hd.len);
	return rc;
}

int lc_index_from_mem(lc_index *ix, void *mem, size_t n, int take, const char *name, lc_err *e)
{
	memset(ix, 0, sizeof *ix);
	ix->base = mem;
	ix->size = n;
	if (take)
		ix->mem = mem;
	if (validate(ix, name, -1, e) < 0) {
		lc_index_close(ix);
		return -1;
	}
	return 0;
}

int lc_index_open(lc_index *ix, const char *path, lc_err *e)
{
	memset(ix, 0, sizeof *ix);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: not a regular file; give an index built by lcindex", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: empty file, not an lctk BM25 index", path);
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		int err = errno;
		close(fd);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot map: %s", path, strerror(err));
	}
	ix->base = m;
	ix->size = (size_t)st.st_size;
	ix->map = m;
	errno = 0;
	int rc = validate(ix, path, fd, e);
	close(fd);
	if (rc < 0) {
		lc_index_close(ix);
		return -1;
	}
	return 0;
}

void lc_index_close(lc_index *ix)
{
	if (ix->map)
		munmap(ix->map, ix->size);
	free(ix->mem);
	memset(ix, 0, sizeof *ix);
}

long lc_index_find_term(const lc_index *ix, const char *t, size_t n)
{
	size_t lo = 0, hi = ix->n_terms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = ix->terms + ix->termoff[mid];
		size_t sl = (size_t)(ix->termoff[mid + 1] - ix->termoff[mid]);
		int c = memcmp(s, t, sl < n ? sl : n);
		if (!c)
			c = sl < n ? -1 : sl > n ? 1 : 0;
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void lc_post_begin(const lc_index *ix, uint64_t term, lc_post *c)
{
	c->p = ix->post + ix->postoff[term];
	c->end = ix->post + ix->postoff[term + 1];
	c->left = lc_varint(&c->p, c->end);
	c->doc = 0;
	c->tf = 0;
	c->first = 1;
}

/* --- merge ------------------------------------------------------------------ */

static int cmp_term(const lc_index *a, uint64_t ta, const lc_index *b, uint64_t tb)
{
	const char *s = a->terms + a->termoff[ta], *t = b->terms + b->termoff[tb];
	size_t sl = (size_t)(a->termoff[ta + 1] - a->termoff[ta]), tl = (size_t)(b->termoff[tb + 1] - b->termoff[tb]);
	int c = memcmp(s, t, sl < tl ? sl : tl);
	return c ? c : (sl < tl ? -1 : sl > tl ? 1 : 0);
}

int lc_index_merge(lc_buf *out, const lc_index *parts, const char *const *names, size_t n, lc_err *e)
{
	if (!n)
		return lc_err_set(e, LC_EXIT_USAGE, "nothing to merge");
	const lc_index **by_k = lc_xcalloc(n, sizeof *by_k);
	int rc = -1;
	uint64_t N = 0, T = 0;
	for (size_t i = 0; i < n; i++) {
		const lc_index *p = &parts[i];
		if (p->shard_n != n) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: shard %u/%u, but %zu parts were given; give all %u shards",
			           names[i], p->shard_k, p->shard_n, n, p->shard_n);
			goto out;
		}
		if (by_k[p->shard_k - 1]) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: shard %u/%u given twice", names[i], p->shard_k, p->shard_n);
			goto out;
		}
		if (p->run && parts[0].run && p->run != parts[0].run) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: shard %u/%u is of another lcindex run than %s (other corpus or "
			           "options); merge the shards of one command line", names[i], p->shard_k, p->shard_n, names[0]);
			goto out;
		}
		if (p->flags != parts[0].flags || p->stop_len != parts[0].stop_len ||
		    memcmp(p->stop, parts[0].stop, p->stop_len)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: built with another analyser than %s; rebuild the shards alike",
			           names[i], names[0]);
			goto out;
		}
		by_k[p->shard_k - 1] = p;
		N += p->n_docs;
		T += p->n_terms;
	}
	for (size_t k = 0; k < n; k++) {
		uint64_t want = N > k ? (N - k + n - 1) / n : 0;
		if (by_k[k]->n_docs != want) {
			lc_err_set(e, LC_EXIT_INPUT, "shard %zu/%zu has %llu documents, expected %llu for %llu in all; were the shards built from the same corpus?",
			           k + 1, n, (unsigned long long)by_k[k]->n_docs, (unsigned long long)want,
			           (unsigned long long)N);
			goto out;
		}
	}
	{
		const char **pids = lc_xmalloc((N + 1) * sizeof *pids);
		uint32_t *doclen = lc_xmalloc((N + 1) * sizeof *doclen);
		lc_strmap seen = {0};
		for (uint64_t g = 0; g < N; g++) {
			const lc_index *p = by_k[g % n];
			uint64_t l = g / n;
			size_t len;
			const char *s = lc_index_pid(p, l, &len);
			int is_new;
			uint32_t id = lc_strmap_intern(&seen, s, len, &is_new);
			if (!is_new) {
				lc_err_set(e, LC_EXIT_INPUT, "duplicate pid '%s' (shards %llu/%zu and %llu/%zu); ids must be unique",
				           lc_strmap_str(&seen, id), (unsigned long long)(g % n + 1), n,
				           (unsigned long long)(id % n + 1), n);
				lc_strmap_free(&seen);
				free(pids);
				free(doclen);
				goto out;
			}
			pids[g] = lc_strmap_str(&seen, id);
			doclen[g] = p->doclen[l];
		}
		/* k-way merge of the sorted term lists */
		uint64_t *cur = lc_xcalloc(n, sizeof *cur);
		const char **terms = lc_xmalloc((T + 1) * sizeof *terms);
		uint32_t *tlen = lc_xmalloc((T + 1) * sizeof *tlen);
		uint64_t P = 0;
		for (size_t k = 0; k < n; k++)
			P += by_k[k]->n_postings;
		uint64_t *pstart = lc_xmalloc((T + 1) * sizeof *pstart);
		uint32_t *pdoc = lc_xmalloc((P + 1) * sizeof *pdoc), *ptf = lc_xmalloc((P + 1) * sizeof *ptf);
		lc_post *cs = lc_xcalloc(n, sizeof *cs);
		int *has = lc_xcalloc(n, sizeof *has);
		uint64_t nt = 0, np = 0;
		for (;;) {
			long best = -1;
			for (size_t k = 0; k < n; k++)
				if (cur[k] < by_k[k]->n_terms &&
				    (best < 0 || cmp_term(by_k[k], cur[k], by_k[best], cur[best]) < 0))
					best = (long)k;
			if (best < 0)
				break;
			const lc_index *bp = by_k[best];
			terms[nt] = bp->terms + bp->termoff[cur[best]];
			tlen[nt] = (uint32_t)(bp->termoff[cur[best] + 1] - bp->termoff[cur[best]]);
			pstart[nt] = np;
			for (size_t k = 0; k < n; k++) {
				has[k] = cur[k] < by_k[k]->n_terms && cmp_term(by_k[k], cur[k], bp, cur[best]) == 0;
				if (has[k]) {
					lc_post_begin(by_k[k], cur[k], &cs[k]);
					has[k] = lc_post_next(&cs[k]);
				}
			}
			/* interleave: global doc = local * n + k; merge by global doc */
			for (;;) {
				long m = -1;
				uint64_t mg = 0;
				for (size_t k = 0; k < n; k++)
					if (has[k]) {
						uint64_t g = (uint64_t)cs[k].doc * n + k;
						if (m < 0 || g < mg) {
							m = (long)k;
							mg = g;
						}
					}
				if (m < 0)
					break;
				if (cs[m].doc >= by_k[m]->n_docs) {
					lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (posting beyond the last document)",
					           names[by_k[m] - parts]);
					free(cs); free(has); free(cur); free(terms); free(tlen); free(pstart);
					free(pdoc); free(ptf); free(pids); free(doclen);
					lc_strmap_free(&seen);
					goto out;
				}
				if (np >= P) {
					lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt index (more postings than its header says)",
					           names[by_k[m] - parts]);
					free(cs); free(has); free(cur); free(terms); free(tlen); free(pstart);
					free(pdoc); free(ptf); free(pids); free(doclen);
					lc_strmap_free(&seen);
					goto out;
				}
				pdoc[np] = (uint32_t)mg;
				ptf[np] = cs[m].tf;
				np++;
				has[m] = lc_post_next(&cs[m]);
			}
			for (size_t k = 0; k < n; k++)
				if (cur[k] < by_k[k]->n_terms && cmp_term(by_k[k], cur[k], bp, cur[best] ) == 0 && (size_t)best != k)
					cur[k]++;
			cur[best]++;
			nt++;
		}
		pstart[nt] = np;
		lc_index_src src = {
			.flags = parts[0].flags, .stop = parts[0].stop, .stop_len = parts[0].stop_len,
			.shard_k = 1, .shard_n = 1, .n_docs = N, .pids = pids, .doclen = doclen,
			.n_terms = nt, .terms = terms, .term_len = tlen, .post_start = pstart,
			.post_doc = pdoc, .post_tf = ptf,
		};
		lc_index_write(out, &src);
		free(cs);
		free(has);
		free(cur);
		free(terms);
		free(tlen);
		free(pstart);
		free(pdoc);
		free(ptf);
		free(pids);
		free(doclen);
		lc_strmap_free(&seen);
		rc = 0;
	}
out:
	free(by_k);
	return rc;
}
