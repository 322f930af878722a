/* bm25_build — the index builder behind lcindex and lc_bm25_build: analysed
 * documents into compact postings keyed by term string (postbuf: postings and
 * term dictionary together spilled to sorted runs past seven eighths of the
 * memory budget) and the pids as one byte string (pidstore, spilled past a
 * sixteenth); then the runs are merged twice, once to size the index image's
 * sections and once to write them side by side (layout in index_file.h), to
 * memory or to a file.  Nothing touches TMPDIR until the budget calls for it. */
#include "bm25.h"
#include "fdio.h"
#include "output.h"
#include "pidstore.h"
#include "postbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct lc_bm25_builder {
	lc_analyzer *an;
	uint32_t *tmp;            /* the document's terms (postbuf's numbers) */
	size_t ntmp, tmpcap;
	size_t limit;
	lc_postbuf *pb;
	lc_pidstore *ps;
	uint32_t *doclen;
	size_t ndocs, doccap;
	uint64_t pidbytes, total;
	/* the merged terms' totals, once measured (plan) */
	int measured;
	uint64_t n_terms, term_bytes, post_bytes, n_postings, n_blocks;
	lc_err err;
	int failed;
	uint64_t run;             /* the header's run key (lc_bm25_builder_set_run) */
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

/* The budget's shares: a sixteenth for the pids (at least a byte, 0 being no
 * limit), another for the caller's duplicate-pid check, the rest (seven eighths)
 * for the postings and their term dictionary. */
static size_t pid_share(size_t limit) { return limit ? (limit / 16 ? limit / 16 : 1) : 0; }
size_t lc_bm25_pid_check_share(size_t limit) { return pid_share(limit); }
static size_t post_share(size_t limit) { return limit - limit / 8; }

static void collect(const char *t, size_t n, void *arg)
{
	lc_bm25_builder *b = arg;
	if (b->ntmp == b->tmpcap) {
		b->tmpcap = b->tmpcap ? b->tmpcap * 2 : 1024;
		b->tmp = lc_xrealloc(b->tmp, b->tmpcap * sizeof *b->tmp);
	}
	b->tmp[b->ntmp++] = lc_postbuf_term(b->pb, t, n);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
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
	uint32_t d = (uint32_t)b->ndocs;
	for (size_t i = 0; i < b->ntmp;) {
		size_t j = i + 1;
		while (j < b->ntmp && b->tmp[j] == b->tmp[i])
			j++;
		lc_postbuf_add(b->pb, b->tmp[i], d, (uint32_t)(j - i));
		i = j;
	}
	b->doclen[b->ndocs] = (uint32_t)b->ntmp;
	b->total += b->ntmp;
	size_t pl = strlen(pid);
	if (lc_pidstore_add(b->ps, pid, pl, &b->err) < 0)
		b->failed = 1;
	b->pidbytes += pl;
	b->ndocs++;
	if (lc_postbuf_full(b->pb) && lc_postbuf_spill(b->pb, &b->err) < 0)
		b->failed = 1;
	return b->failed ? -1 : 0;
}

int lc_bm25_builder_error(const lc_bm25_builder *b, lc_err *e)
{
	if (!b->failed)
		return 0;
	*e = b->err;
	return -1;
}

void lc_bm25_builder_set_run(lc_bm25_builder *b, uint64_t run)
{
	b->run = run;
}

size_t lc_bm25_builder_ndocs(const lc_bm25_builder *b) { return b->ndocs; }

int lc_bm25_builder_pid_is(const lc_bm25_builder *b, size_t doc, const char *pid, size_t len, lc_err *e)
{
	return doc < b->ndocs ? lc_pidstore_equals(b->ps, doc, pid, len, e) : 0;
}
int lc_bm25_builder_pid_scan(const lc_bm25_builder *b, lc_pid_fn fn, void *arg, lc_err *e)
{
	return b->ps ? lc_pidstore_scan(b->ps, fn, arg, e) : 0;
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

/* p[0..n) to the image at byte at (the file, or memory already sized) */
static void write_at(sink *s, const void *p, size_t n, uint64_t at)
{
	if (s->buf) {
		memcpy(s->buf->p + s->start + at, p, n);
		return;
	}
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

/* the image's first sections, in order */
static void put(sink *s, const void *p, size_t n)
{
	if (s->pos >= LC_INDEX_HDR)
		s->crc = lc_index_crc(s->crc, p, n);
	if (!s->buf && n >= (1u << 20)) {   /* a large section (DOCLEN) goes straight to the file */
		flush(s);
		write_at(s, p, n, s->pos);
		s->pos += n;
		return;
	}
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

/* The sections written while the terms are merged (TERMOFF to BLOCKS) are
 * written side by side, each through a buffer to its place; their CRCs are
 * combined into the image's in layout order. */
typedef struct secw {
	lc_buf b;
	uint64_t at;              /* image offset of the next byte */
	uint32_t crc;             /* of the bytes written */
} secw;

static void secw_flush(sink *s, secw *w)
{
	if (!w->b.len)
		return;
	w->crc = lc_index_crc(w->crc, w->b.p, w->b.len);
	write_at(s, w->b.p, w->b.len, w->at);
	w->at += w->b.len;
	lc_buf_reset(&w->b);
}

#define SECW_BUF (256u << 10)   /* bytes a section holds before they go to their place */

static void secw_put(sink *s, secw *w, const void *p, size_t n)
{
	lc_buf_add(&w->b, p, n);
	if (w->b.len >= SECW_BUF)
		secw_flush(s, w);
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

/* The merged terms' totals: one pass of the merge, once.  0 or -1 + e. */
static int measure(lc_bm25_builder *b, lc_err *e)
{
	if (b->measured)
		return 0;
	if (lc_postbuf_rewind(b->pb, e) < 0)
		return -1;
	lc_postbuf_entry t;
	int got;
	while ((got = lc_postbuf_next_term(b->pb, &t, e)) > 0) {
		b->n_terms++;
		b->term_bytes += t.len;
		b->n_postings += t.df;
		b->post_bytes += lc_varint_len(t.df) + t.bytes;
		b->n_blocks += nblocks(t.df);
	}
	if (got < 0)
		return -1;
	b->measured = 1;
	return 0;
}

/* The image's sections: their sizes and offsets; returns the image's size, or 0 + e. */
static uint64_t plan(lc_bm25_builder *b, uint64_t *size, uint64_t *off, lc_err *e)
{
	if (!b->pb)
		b->pb = lc_postbuf_new(post_share(b->limit));
	if (!b->ps)
		b->ps = lc_pidstore_new(0);
	if (measure(b, e) < 0)
		return 0;
	uint64_t N = b->ndocs, T = b->n_terms;
	unsigned flags;
	const char *stop;
	size_t stop_len;
	lc_analyzer_config(b->an, &flags, &stop, &stop_len);
	size[S_STOP] = stop ? stop_len : 0;
	size[S_DOCLEN] = N * 4;
	size[S_PIDOFF] = (N + 1) * 8;
	size[S_PIDS] = b->pidbytes;
	size[S_TERMOFF] = size[S_POSTOFF] = size[S_BLKOFF] = (T + 1) * 8;
	size[S_TERMS] = b->term_bytes;
	size[S_POST] = b->post_bytes;
	size[S_BLOCKS] = b->n_blocks * sizeof(lc_index_block);
	uint64_t o = LC_INDEX_HDR;
	for (int k = 0; k < LC_INDEX_NSEC; k++) {
		o = (o + 7) & ~(uint64_t)7;
		off[k] = o;
		o += size[k];
	}
	return (o + 7) & ~(uint64_t)7;
}

/* TERMOFF to BLOCKS, from the merge, into w[0..6) (W(section)): 0 or -1 (e set) */
#define W(sec) (&w[(sec) - S_TERMOFF])
static int put_terms(lc_bm25_builder *b, sink *s, const uint64_t *off, const uint64_t *size, secw *w)
{
	uint64_t N = b->ndocs;
	lc_index_bounder bd;
	lc_index_bounder_init(&bd, N, b->total);
	uint64_t toff = 0, poff = 0, boff = 0, r = 0;
	int rc = lc_postbuf_rewind(b->pb, s->e), got = 0;
	lc_postbuf_entry t;
	while (!rc && !s->failed && (got = lc_postbuf_next_term(b->pb, &t, s->e)) > 0) {
		secw_put(s, W(S_TERMOFF), &toff, 8);
		secw_put(s, W(S_POSTOFF), &poff, 8);
		secw_put(s, W(S_BLKOFF), &boff, 8);
		toff += t.len;
		poff += lc_varint_len(t.df) + t.bytes;
		boff += nblocks(t.df);
		secw_put(s, W(S_TERMS), t.str, t.len);
		/* the list, varints straight into POST's buffer, its blocks gathered on the way */
		secw *ps = W(S_POST);
		uint64_t start = ps->at + ps->b.len;   /* of the list in the image */
		lc_varint_put(&ps->b, t.df);
		uint32_t doc, tf, prev = 0;
		uint64_t i = 0, df = t.df;
		lc_index_block bl = {0};
		while ((got = lc_postbuf_next(b->pb, &doc, &tf, s->e)) > 0) {
			lc_varint_put(&ps->b, i ? doc - prev : doc);
			lc_varint_put(&ps->b, tf);
			prev = doc;
			if (df > LC_INDEX_BLOCK) {
				lc_index_bounder_add(&bd, &bl, i % LC_INDEX_BLOCK == 0, tf, doc < N ? b->doclen[doc] : 0);
				if (i % LC_INDEX_BLOCK == LC_INDEX_BLOCK - 1 || i + 1 == df) {
					bl.end = ps->at + ps->b.len - start;
					bl.last = doc;
					secw_put(s, W(S_BLOCKS), &bl, sizeof bl);
				}
			}
			i++;
			if (ps->b.len >= SECW_BUF)   /* a long list is not held whole */
				secw_flush(s, ps);
		}
		if (got < 0)
			rc = -1;
		else if (i != df || ps->at + ps->b.len - start != lc_varint_len(df) + t.bytes)
			rc = lc_err_set(s->e, LC_EXIT_INPUT, "internal error: term %llu has %llu postings back of %llu",
			                (unsigned long long)r, (unsigned long long)i, (unsigned long long)df);
		r++;
	}
	if (got < 0)
		rc = -1;
	if (!rc && r != b->n_terms)
		rc = lc_err_set(s->e, LC_EXIT_INPUT, "internal error: %llu terms merged, planned %llu",
		                (unsigned long long)r, (unsigned long long)b->n_terms);
	if (!rc) {
		secw_put(s, W(S_TERMOFF), &toff, 8);
		secw_put(s, W(S_POSTOFF), &poff, 8);
		secw_put(s, W(S_BLKOFF), &boff, 8);
	}
	for (int k = S_TERMOFF; k <= S_BLOCKS; k++) {
		secw_flush(s, W(k));
		if (!rc && W(k)->at != off[k] + size[k])
			rc = lc_err_set(s->e, LC_EXIT_INPUT, "internal error: section %d of %llu bytes, planned %llu", k,
			                (unsigned long long)(W(k)->at - off[k]), (unsigned long long)size[k]);
	}
	return rc || s->failed ? -1 : 0;
}

static int stream(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, sink *s)
{
	if (b->failed) {
		*s->e = b->err;
		return -1;
	}
	uint64_t size[LC_INDEX_NSEC], off[LC_INDEX_NSEC];
	uint64_t fsize = plan(b, size, off, s->e);
	if (!fsize)
		return -1;
	uint64_t N = b->ndocs;
	unsigned flags;
	const char *stop;
	size_t stop_len;
	lc_analyzer_config(b->an, &flags, &stop, &stop_len);
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
	if (bad || lc_pidstore_scan(b->ps, put_pid, &pw, s->e) < 0)
		return -1;
	pad(s);
	if (s->pos != off[S_TERMOFF])
		return lc_err_set(s->e, LC_EXIT_INPUT, "internal error: the terms start at %llu, planned %llu",
		                  (unsigned long long)s->pos, (unsigned long long)off[S_TERMOFF]);
	if (s->buf) {   /* the rest is written in place: zeroes between the sections */
		lc_buf_grow(s->buf, fsize - s->pos);
		memset(s->buf->p + s->buf->len, 0, fsize - s->pos);
		s->buf->len += fsize - s->pos;
		s->buf->p[s->buf->len] = 0;
	} else
		flush(s);
	secw w[S_BLOCKS - S_TERMOFF + 1];
	memset(w, 0, sizeof w);
	for (int k = S_TERMOFF; k <= S_BLOCKS; k++)
		W(k)->at = off[k];
	int rc = put_terms(b, s, off, size, w);
	for (int k = S_TERMOFF; k <= S_BLOCKS; k++)
		lc_buf_free(&W(k)->b);
	if (rc < 0)
		return -1;
	static const unsigned char z[8];
	for (int k = S_TERMOFF; k <= S_BLOCKS; k++) {   /* the CRC: each section, then its padding */
		uint64_t end = k + 1 < LC_INDEX_NSEC ? off[k + 1] : fsize;
		s->crc = (uint32_t)crc32_combine(s->crc, W(k)->crc, (z_off_t)size[k]);
		s->crc = lc_index_crc(s->crc, z, end - (off[k] + size[k]));
	}
	s->pos = fsize;
	lc_index_put_header(hdr, flags, shard_k, shard_n, b->run, N, b->n_terms, b->n_postings, b->total, fsize, off, size,
	                    s->crc);
	write_at(s, hdr, sizeof hdr, 0);
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
	uint64_t size[LC_INDEX_NSEC], off[LC_INDEX_NSEC];
	if (lc_bm25_builder_error(b, e) < 0)   /* a spill failed while documents were added */
		return -1;
	uint64_t fsize = plan(b, size, off, e);
	if (!fsize)
		return -1;
	/* a small image (an eighth of the budget) is put together in memory: a small build
	 * never touches TMPDIR; a larger one goes through the file when it can, so it
	 * is not held in memory next to the postings */
	if (b->limit && fsize <= b->limit / 8)
		return output_in_memory(b, shard_k, shard_n, o, e);
	const char *dir;
	int fd = lc_tmpfd("lcindex-image", &dir);
	int err = errno;
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
	lc_postbuf_free(b->pb);
	free(b->tmp);
	free(b->doclen);
	lc_pidstore_free(b->ps);
	free(b);
}
