/* bm25_build — the index builder behind lcindex and lc_bm25_build: analysed
 * documents into compact postings (postbuf, spilled to sorted runs past seven
 * eighths of the memory budget) and the pids as one byte string (pidstore, spilled
 * past the other eighth), then one pass that streams the index image (layout in
 * index_file.h) to memory or to a file.  Nothing touches TMPDIR until the budget
 * calls for it. */
#define _GNU_SOURCE /* qsort_r */
#include "bm25.h"
#include "fdio.h"
#include "output.h"
#include "pidstore.h"
#include "postbuf.h"
#include "strmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct lc_bm25_builder {
	lc_analyzer *an;
	lc_strmap terms;
	uint32_t *tmp;
	size_t ntmp, tmpcap;
	uint32_t *tlast, *tdf;    /* per term: last document, document frequency */
	uint64_t *tbytes;         /* per term: bytes of its (gap, tf) pairs in the image */
	size_t tcap;
	size_t limit;
	lc_postbuf *pb;
	lc_pidstore *ps;
	uint32_t *doclen;
	size_t ndocs, doccap;
	uint64_t pidbytes, total;
	lc_err err;
	int failed;
};

lc_bm25_builder *lc_bm25_builder_new(const lc_analyze_opts *an, lc_err *e)
{
	lc_bm25_builder *b = lc_xcalloc(1, sizeof *b);
	b->an = lc_analyzer_new(an, e);
	if (!b->an) {
		free(b);
		return NULL;
	}
	return b;
}

void lc_bm25_builder_set_memory(lc_bm25_builder *b, size_t limit) { b->limit = limit; }

/* The budget's shares: an eighth for the pids (at least a byte, 0 being no limit),
 * the rest for the postings. */
static size_t pid_share(size_t limit) { return limit ? (limit / 8 ? limit / 8 : 1) : 0; }
static size_t post_share(size_t limit) { return limit - limit / 8; }

static void collect(const char *t, size_t n, void *arg)
{
	lc_bm25_builder *b = arg;
	if (b->ntmp == b->tmpcap) {
		b->tmpcap = b->tmpcap ? b->tmpcap * 2 : 1024;
		b->tmp = lc_xrealloc(b->tmp, b->tmpcap * sizeof *b->tmp);
	}
	b->tmp[b->ntmp++] = lc_strmap_intern(&b->terms, t, n, NULL);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static unsigned vlen(uint64_t v)
{
	unsigned n = 1;
	while (v >>= 7)
		n++;
	return n;
}

/* qsort_r comparator: term numbers by the bytes of their strings in ctx (an lc_strmap) */
static int cmp_term_id(const void *a, const void *b, void *ctx)
{
	const lc_strmap *m = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = lc_strmap_len(m, x), ly = lc_strmap_len(m, y);
	int c = memcmp(lc_strmap_str(m, x), lc_strmap_str(m, y), lx < ly ? lx : ly);
	return c ? c : (lx < ly ? -1 : lx > ly);
}

/* term numbers in bytewise order of their strings (malloc'd) */
static uint32_t *sorted_terms(const lc_bm25_builder *b)
{
	size_t T = lc_strmap_count(&b->terms);
	uint32_t *order = lc_xmalloc((T + 1) * sizeof *order);
	for (size_t i = 0; i < T; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, T, sizeof *order, cmp_term_id, (void *)&b->terms);
	return order;
}

int lc_bm25_builder_add(lc_bm25_builder *b, const char *pid, const char *text, size_t len)
{
	if (b->failed)
		return -1;
	if (!b->pb)
		b->pb = lc_postbuf_new(post_share(b->limit));
	if (!b->ps)
		b->ps = lc_pidstore_new(pid_share(b->limit));
	b->ntmp = 0;
	lc_analyze(b->an, text, len, collect, b);
	if (b->ndocs == b->doccap) {
		b->doccap = b->doccap ? b->doccap * 2 : 1024;
		b->doclen = lc_xrealloc(b->doclen, b->doccap * sizeof *b->doclen);
	}
	if (b->ntmp > 1)   /* tmp is NULL while no document had a term: qsort(NULL, 0) is undefined */
		qsort(b->tmp, b->ntmp, sizeof *b->tmp, cmp_u32);
	size_t T = lc_strmap_count(&b->terms);
	if (T > b->tcap) {
		size_t cap = b->tcap ? b->tcap : 1024;
		while (cap < T)
			cap *= 2;
		b->tlast = lc_xrealloc(b->tlast, cap * sizeof *b->tlast);
		b->tdf = lc_xrealloc(b->tdf, cap * sizeof *b->tdf);
		b->tbytes = lc_xrealloc(b->tbytes, cap * sizeof *b->tbytes);
		memset(b->tdf + b->tcap, 0, (cap - b->tcap) * sizeof *b->tdf);
		memset(b->tbytes + b->tcap, 0, (cap - b->tcap) * sizeof *b->tbytes);
		memset(b->tlast + b->tcap, 0, (cap - b->tcap) * sizeof *b->tlast);
		b->tcap = cap;
	}
	uint32_t d = (uint32_t)b->ndocs;
	for (size_t i = 0; i < b->ntmp;) {
		size_t j = i + 1;
		while (j < b->ntmp && b->tmp[j] == b->tmp[i])
			j++;
		uint32_t t = b->tmp[i], tf = (uint32_t)(j - i);
		b->tbytes[t] += vlen(b->tdf[t] ? d - b->tlast[t] : d) + vlen(tf);
		b->tdf[t]++;
		b->tlast[t] = d;
		lc_postbuf_add(b->pb, t, d, tf);
		i = j;
	}
	b->doclen[b->ndocs] = (uint32_t)b->ntmp;
	b->total += b->ntmp;
	size_t pl = strlen(pid);
	if (lc_pidstore_add(b->ps, pid, pl, &b->err) < 0)
		b->failed = 1;
	b->pidbytes += pl;
	b->ndocs++;
	if (lc_postbuf_full(b->pb)) {
		uint32_t *order = sorted_terms(b);
		if (lc_postbuf_spill(b->pb, order, lc_strmap_count(&b->terms), &b->err) < 0)
			b->failed = 1;
		free(order);
	}
	return b->failed ? -1 : 0;
}

int lc_bm25_builder_error(const lc_bm25_builder *b, lc_err *e)
{
	if (!b->failed)
		return 0;
	*e = b->err;
	return -1;
}

size_t lc_bm25_builder_ndocs(const lc_bm25_builder *b) { return b->ndocs; }

int lc_bm25_builder_pid_is(const lc_bm25_builder *b, size_t doc, const char *pid, size_t len, lc_err *e)
{
	return doc < b->ndocs ? lc_pidstore_equals(b->ps, doc, pid, len, e) : 0;
}
size_t lc_bm25_builder_runs(const lc_bm25_builder *b) { return b->pb ? lc_postbuf_runs(b->pb) : 0; }

/* --- streaming the image -------------------------------------------------------- */

typedef struct sink {
	lc_buf *buf;              /* memory, or */
	int fd;                   /* a seekable file (buffered in w) */
	lc_buf w;
	size_t start;             /* of the image in buf */
	uint64_t pos;             /* bytes of the image so far */
	uint32_t crc;             /* of the bytes after the header */
	lc_err *e;
	int failed;
} sink;

/* p[0..n) to the file at byte at */
static void write_at(sink *s, const void *p, size_t n, uint64_t at)
{
	if (!s->failed && lc_pwrite_all(s->fd, p, n, at) < 0) {
		lc_err_set(s->e, LC_EXIT_INPUT, "writing the index to a temporary file: %s; set TMPDIR to a disk with room",
		           strerror(errno));
		s->failed = 1;
	}
}

static void flush(sink *s)
{
	write_at(s, s->w.p, s->w.len, s->pos - s->w.len);
	lc_buf_reset(&s->w);
}

/* The block table of a file sink goes straight to its place (BLOCKS, after
 * BLKOFF) instead of being held until then; its CRC is combined in there. */
typedef struct blocks {
	lc_buf b;
	uint64_t at;              /* file offset of the next block */
	uint32_t crc;             /* of the blocks written */
} blocks;

static void blocks_flush(sink *s, blocks *bk)
{
	if (s->buf || !bk->b.len)
		return;
	bk->crc = lc_index_crc(bk->crc, bk->b.p, bk->b.len);
	write_at(s, bk->b.p, bk->b.len, bk->at);
	bk->at += bk->b.len;
	lc_buf_reset(&bk->b);
}

static void put(sink *s, const void *p, size_t n)
{
	if (s->pos >= LC_INDEX_HDR)
		s->crc = lc_index_crc(s->crc, p, n);
	s->pos += n;
	if (s->buf) {
		lc_buf_add(s->buf, p, n);
		return;
	}
	lc_buf_add(&s->w, p, n);
	if (s->w.len >= (1u << 20))
		flush(s);
}

static void put64(sink *s, uint64_t v) { put(s, &v, 8); }

static void pad(sink *s)
{
	static const char z[8];
	if (s->pos & 7)
		put(s, z, 8 - (s->pos & 7));
}

static void put_varint(lc_buf *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7F;
		v >>= 7;
		lc_buf_addc(b, (char)(v ? (c | 0x80) : c));
	} while (v);
}

static uint64_t nblocks(uint64_t df)
{
	return df > LC_INDEX_BLOCK ? (df + LC_INDEX_BLOCK - 1) / LC_INDEX_BLOCK : 0;
}

/* PIDOFF and PIDS: scans of the pid store */
typedef struct pidw {
	sink *s;
	uint64_t off;
} pidw;

static int put_pidoff(const char *pid, size_t len, size_t row, void *arg)
{
	pidw *w = arg;
	w->off += len;
	put64(w->s, w->off);
	return 0;
}

static int put_pid(const char *pid, size_t len, size_t row, void *arg)
{
	put(((pidw *)arg)->s, pid, len);
	return 0;
}

enum { S_STOP, S_DOCLEN, S_PIDOFF, S_PIDS, S_TERMOFF, S_TERMS, S_POSTOFF, S_POST, S_BLKOFF, S_BLOCKS };

/* The image's sections: their sizes and offsets, the postings P; returns the
 * image's size. */
static uint64_t plan(const lc_bm25_builder *b, uint64_t *size, uint64_t *off, uint64_t *P_out)
{
	size_t T = lc_strmap_count(&b->terms);
	uint64_t N = b->ndocs;
	unsigned flags;
	const char *stop;
	size_t stop_len;
	lc_analyzer_config(b->an, &flags, &stop, &stop_len);
	uint64_t P = 0, post = 0, nb = 0, tbytes = 0;
	for (size_t t = 0; t < T; t++) {
		P += b->tdf[t];
		post += vlen(b->tdf[t]) + b->tbytes[t];
		nb += nblocks(b->tdf[t]);
		tbytes += lc_strmap_len(&b->terms, (uint32_t)t);
	}
	size[S_STOP] = stop ? stop_len : 0;
	size[S_DOCLEN] = N * 4;
	size[S_PIDOFF] = (N + 1) * 8;
	size[S_PIDS] = b->pidbytes;
	size[S_TERMOFF] = size[S_POSTOFF] = size[S_BLKOFF] = (T + 1) * 8;
	size[S_TERMS] = tbytes;
	size[S_POST] = post;
	size[S_BLOCKS] = nb * sizeof(lc_index_block);
	uint64_t o = LC_INDEX_HDR;
	for (int k = 0; k < LC_INDEX_NSEC; k++) {
		o = (o + 7) & ~(uint64_t)7;
		off[k] = o;
		o += size[k];
	}
	*P_out = P;
	return (o + 7) & ~(uint64_t)7;
}

static int stream(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, sink *s)
{
	if (b->failed) {
		*s->e = b->err;
		return -1;
	}
	if (!b->pb)
		b->pb = lc_postbuf_new(post_share(b->limit));
	if (!b->ps)
		b->ps = lc_pidstore_new(0);
	size_t T = lc_strmap_count(&b->terms);
	uint64_t N = b->ndocs;
	uint32_t *order = sorted_terms(b);
	unsigned flags;
	const char *stop;
	size_t stop_len;
	lc_analyzer_config(b->an, &flags, &stop, &stop_len);
	uint64_t size[LC_INDEX_NSEC], off[LC_INDEX_NSEC], P;
	uint64_t fsize = plan(b, size, off, &P);
	unsigned char hdr[LC_INDEX_HDR] = {0};
	put(s, hdr, sizeof hdr);
	pad(s);
	put(s, stop ? stop : "", size[S_STOP]);
	pad(s);
	put(s, b->doclen, N * 4);
	pad(s);
	pidw pw = { s, 0 };
	put64(s, 0);
	int bad = lc_pidstore_scan(b->ps, put_pidoff, &pw, s->e) < 0;
	pad(s);
	if (bad || lc_pidstore_scan(b->ps, put_pid, &pw, s->e) < 0) {
		free(order);
		return -1;
	}
	pad(s);
	uint64_t v = 0;
	for (size_t r = 0; r <= T; r++) {
		put64(s, v);
		if (r < T)
			v += lc_strmap_len(&b->terms, order[r]);
	}
	pad(s);
	for (size_t r = 0; r < T; r++)
		put(s, lc_strmap_str(&b->terms, order[r]), lc_strmap_len(&b->terms, order[r]));
	pad(s);
	v = 0;
	for (size_t r = 0; r <= T; r++) {
		put64(s, v);
		if (r < T)
			v += vlen(b->tdf[order[r]]) + b->tbytes[order[r]];
	}
	pad(s);
	/* POST, with the blocks gathered on the way */
	lc_index_bounder bd;
	lc_index_bounder_init(&bd, N, b->total);
	lc_buf pl = {0};
	blocks bk = { .at = off[S_BLOCKS] };
	int rc = 0;
	for (size_t r = 0; r < T && !rc && !s->failed; r++) {
		uint32_t t = order[r];
		lc_buf_reset(&pl);
		put_varint(&pl, b->tdf[t]);
		if (lc_postbuf_open_term(b->pb, t, s->e) < 0) {
			rc = -1;
			break;
		}
		uint32_t doc, tf, prev = 0;
		uint64_t i = 0, df = b->tdf[t], put_before = 0;   /* bytes of the list already put */
		lc_index_block bl = {0};
		int got;
		while ((got = lc_postbuf_next(b->pb, &doc, &tf, s->e)) > 0) {
			put_varint(&pl, i ? doc - prev : doc);
			put_varint(&pl, tf);
			prev = doc;
			if (df > LC_INDEX_BLOCK) {
				lc_index_bounder_add(&bd, &bl, i % LC_INDEX_BLOCK == 0, tf, doc < N ? b->doclen[doc] : 0);
				if (i % LC_INDEX_BLOCK == LC_INDEX_BLOCK - 1 || i + 1 == df) {
					bl.end = put_before + pl.len;
					bl.last = doc;
					lc_buf_add(&bk.b, &bl, sizeof bl);
					if (bk.b.len >= (1u << 20))
						blocks_flush(s, &bk);
				}
			}
			i++;
			if (pl.len >= (1u << 20)) {   /* a long list is not held whole */
				put(s, pl.p, pl.len);
				put_before += pl.len;
				lc_buf_reset(&pl);
			}
		}
		if (got < 0)
			rc = -1;
		else if (i != df || put_before + pl.len != vlen(df) + b->tbytes[t])
			rc = lc_err_set(s->e, LC_EXIT_INPUT, "internal error: term %zu has %llu postings back of %llu", r,
			                (unsigned long long)i, (unsigned long long)df);
		else
			put(s, pl.p, pl.len);
	}
	lc_buf_free(&pl);
	if (!rc && !s->failed) {
		pad(s);
		v = 0;
		for (size_t r = 0; r <= T; r++) {
			put64(s, v);
			if (r < T)
				v += nblocks(b->tdf[order[r]]);
		}
		pad(s);
		if (s->buf)
			put(s, bk.b.p, bk.b.len);
		else {   /* written in place: count them in pos and the CRC */
			blocks_flush(s, &bk);
			if (bk.at != off[S_BLOCKS] + size[S_BLOCKS])
				rc = lc_err_set(s->e, LC_EXIT_INPUT, "internal error: %llu bytes of blocks, planned %llu",
				                (unsigned long long)(bk.at - off[S_BLOCKS]), (unsigned long long)size[S_BLOCKS]);
			flush(s);
			s->pos += size[S_BLOCKS];
			s->crc = (uint32_t)crc32_combine(s->crc, bk.crc, (z_off_t)size[S_BLOCKS]);
		}
		pad(s);
	}
	lc_buf_free(&bk.b);
	free(order);
	if (rc || s->failed)
		return -1;
	if (s->pos != fsize)
		return lc_err_set(s->e, LC_EXIT_INPUT, "internal error: index image of %llu bytes, planned %llu",
		                  (unsigned long long)s->pos, (unsigned long long)fsize);
	lc_index_put_header(hdr, flags, shard_k, shard_n, N, T, P, b->total, fsize, off, size, s->crc);
	if (s->buf) {
		memcpy(s->buf->p + s->start, hdr, sizeof hdr);
		return 0;
	}
	flush(s);
	if (!s->failed && lc_pwrite_all(s->fd, hdr, sizeof hdr, 0) < 0)
		return lc_err_set(s->e, LC_EXIT_INPUT, "writing the index to a temporary file: %s", strerror(errno));
	return s->failed ? -1 : 0;
}

void lc_bm25_builder_finish(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, lc_buf *out)
{
	lc_err e;
	size_t start = out->len;
	sink s = { .buf = out, .fd = -1, .start = start, .e = &e };
	if (stream(b, shard_k, shard_n, &s) < 0)
		out->len = start;
}

/* the image through memory to o */
static int output_in_memory(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, lc_output *o, lc_err *e)
{
	lc_buf img = {0};
	sink m = { .buf = &img, .fd = -1, .e = e };
	int rc = stream(b, shard_k, shard_n, &m);
	if (!rc)
		lc_output_write(o, img.p, img.len);
	lc_buf_free(&img);
	return rc;
}

int lc_bm25_builder_output(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, lc_output *o, lc_err *e)
{
	uint64_t size[LC_INDEX_NSEC], off[LC_INDEX_NSEC], P;
	if (lc_bm25_builder_error(b, e) < 0)   /* a spill failed while documents were added */
		return -1;
	uint64_t fsize = plan(b, size, off, &P);
	/* a small image (an eighth of the budget) is put together in memory: a small build
	 * never touches TMPDIR; a larger one goes through the file when it can, so it
	 * is not held in memory next to the postings */
	if (b->limit && fsize <= b->limit / 8)
		return output_in_memory(b, shard_k, shard_n, o, e);
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	lc_buf name = {0};
	lc_buf_adds(&name, dir);
	lc_buf_adds(&name, "/lcindex-image.XXXXXX");
	int fd = mkstemp(name.p);
	int err = errno;
	if (fd >= 0)
		unlink(name.p);
	lc_buf_free(&name);
	if (fd < 0 && (!b->limit || fsize <= b->limit))   /* no file: through memory, within the budget */
		return output_in_memory(b, shard_k, shard_n, o, e);
	if (fd < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "cannot create a temporary file for the index image (%llu bytes, "
		                  "more than the memory budget) in %s: %s; set TMPDIR to a writable directory or raise --memory",
		                  (unsigned long long)fsize, dir, strerror(err));
	sink s = { .fd = fd, .e = e };
	int rc = stream(b, shard_k, shard_n, &s);
	lc_buf_free(&s.w);
	size_t cap = 1u << 20;
	char *buf = rc ? NULL : lc_xmalloc(cap);
	for (uint64_t at = 0; !rc && at < s.pos;) {
		ssize_t n = pread(fd, buf, cap, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = lc_err_set(e, LC_EXIT_INPUT, "reading back the index from its temporary file: %s",
			                n < 0 ? strerror(errno) : "cut short");
			break;
		}
		lc_output_write(o, buf, (size_t)n);
		at += (uint64_t)n;
	}
	free(buf);
	close(fd);
	return rc;
}

void lc_bm25_builder_free(lc_bm25_builder *b)
{
	if (!b)
		return;
	lc_analyzer_free(b->an);
	lc_strmap_free(&b->terms);
	lc_postbuf_free(b->pb);
	free(b->tmp);
	free(b->tlast);
	free(b->tdf);
	free(b->tbytes);
	free(b->doclen);
	lc_pidstore_free(b->ps);
	free(b);
}
