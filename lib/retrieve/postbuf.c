/* postbuf — compact in-memory postings with sorted runs spilled to a temporary
 * file (see postbuf.h). */
#include "postbuf.h"
#include "buf.h"
#include "fdio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 32                    /* bytes: u32 next + 28 of pairs */
#define CDATA (CHUNK - 4)
#define SLAB_CHUNKS (1u << 15)      /* 1 MiB slabs */

typedef struct tlist {
	uint32_t head, tail;            /* chunk numbers + 1; 0 = empty */
	uint32_t last;                  /* last document added in this run */
	uint8_t fill;                   /* bytes used in the tail chunk */
} tlist;

typedef struct run {
	uint64_t off, end;              /* in the temporary file */
	uint64_t pos;                   /* next unread byte */
	unsigned char *buf;
	size_t blen, bpos, bcap;
	uint64_t next_term;             /* term of the record at pos (UINT64_MAX: none) */
	uint64_t rec_left;              /* bytes left of the open record */
} run;

struct lc_postbuf {
	size_t limit;
	unsigned char **slab;
	size_t nslab, slabcap;
	uint32_t nchunks;               /* chunks handed out since the last spill */
	tlist *t;
	size_t nt, tcap;
	int fd;
	uint64_t fsize;
	run *runs;
	size_t nruns, runcap;
	/* reading */
	uint32_t cur_term;
	size_t cur_run;                 /* runs then memory (== nruns) */
	uint32_t cur_doc;
	uint32_t mchunk;
	uint8_t mpos;
	int mem_open;
};

lc_postbuf *lc_postbuf_new(size_t limit)
{
	lc_postbuf *pb = lc_xcalloc(1, sizeof *pb);
	pb->limit = limit;
	pb->fd = -1;
	return pb;
}

void lc_postbuf_free(lc_postbuf *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; i < pb->nslab; i++)
		free(pb->slab[i]);
	free(pb->slab);
	free(pb->t);
	for (size_t i = 0; i < pb->nruns; i++)
		free(pb->runs[i].buf);
	free(pb->runs);
	if (pb->fd >= 0)
		close(pb->fd);
	free(pb);
}

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

void lc_postbuf_add(lc_postbuf *pb, uint32_t term, uint32_t doc, uint32_t tf)
{
	if (term >= pb->tcap) {
		size_t cap = pb->tcap ? pb->tcap : 1024;
		while (cap <= term)
			cap *= 2;
		pb->t = lc_xrealloc(pb->t, cap * sizeof *pb->t);
		memset(pb->t + pb->tcap, 0, (cap - pb->tcap) * sizeof *pb->t);
		pb->tcap = cap;
	}
	if (term >= pb->nt)
		pb->nt = term + 1;
	tlist *l = &pb->t[term];
	put_varint(pb, l, l->head ? doc - l->last : doc);
	put_varint(pb, l, tf);
	l->last = doc;
}

int lc_postbuf_full(const lc_postbuf *pb)
{
	return pb->limit && (size_t)pb->nchunks * CHUNK >= pb->limit;
}

size_t lc_postbuf_runs(const lc_postbuf *pb) { return pb->nruns; }

static size_t list_bytes(const lc_postbuf *pb, const tlist *l)
{
	size_t n = 0;
	for (uint32_t c = l->head; c; ) {
		uint32_t next;
		memcpy(&next, chunk(pb, c), 4);
		n += next ? CDATA : l->fill;
		c = next;
	}
	return n;
}

static void add_uvarint(lc_buf *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7F;
		v >>= 7;
		lc_buf_addc(b, (char)(v ? (c | 0x80) : c));
	} while (v);
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
	const char *dir = getenv("TMPDIR");
	lc_buf name = {0};
	lc_buf_adds(&name, dir && *dir ? dir : "/tmp");
	lc_buf_adds(&name, "/lcindex-runs.XXXXXX");
	pb->fd = mkstemp(name.p);
	int err = errno;
	if (pb->fd >= 0)
		unlink(name.p);
	lc_buf_free(&name);
	if (pb->fd < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "cannot create a temporary file for index runs in %s: %s; "
		                  "set TMPDIR to a writable directory or raise --memory",
		                  dir && *dir ? dir : "/tmp", strerror(err));
	return 0;
}

int lc_postbuf_spill(lc_postbuf *pb, const uint32_t *order, size_t n, lc_err *e)
{
	if (pb->fd < 0 && open_tmp(pb, e) < 0)
		return -1;
	if (pb->nruns == pb->runcap) {
		pb->runcap = pb->runcap ? 2 * pb->runcap : 8;
		pb->runs = lc_xrealloc(pb->runs, pb->runcap * sizeof *pb->runs);
	}
	run *r = &pb->runs[pb->nruns];
	memset(r, 0, sizeof *r);
	r->off = pb->fsize;
	lc_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		uint32_t t = order[i];
		if (t >= pb->nt || !pb->t[t].head)
			continue;
		tlist *l = &pb->t[t];
		add_uvarint(&b, t);
		add_uvarint(&b, list_bytes(pb, l));
		for (uint32_t c = l->head; c; ) {
			uint32_t next;
			memcpy(&next, chunk(pb, c), 4);
			lc_buf_add(&b, chunk(pb, c) + 4, next ? CDATA : l->fill);
			c = next;
		}
		memset(l, 0, sizeof *l);
		if (b.len >= (1u << 20)) {
			if (write_all(pb, b.p, b.len, e) < 0) {
				lc_buf_free(&b);
				return -1;
			}
			lc_buf_reset(&b);
		}
	}
	int rc = b.len ? write_all(pb, b.p, b.len, e) : 0;
	lc_buf_free(&b);
	if (rc < 0)
		return -1;
	r->end = pb->fsize;
	r->pos = r->off;
	r->next_term = UINT64_MAX;
	pb->nruns++;
	pb->nchunks = 0;   /* the slabs are reused */
	return 0;
}

/* --- reading ------------------------------------------------------------------ */

static int fill(lc_postbuf *pb, run *r, lc_err *e)
{
	if (!r->buf) {
		uint64_t len = r->end - r->off;
		r->bcap = len < (64u << 10) ? (size_t)len + 1 : (64u << 10);
		r->buf = lc_xmalloc(r->bcap);
	}
	size_t want = r->bcap;
	if (r->end - r->pos < want)
		want = (size_t)(r->end - r->pos);
	r->blen = r->bpos = 0;
	while (r->blen < want) {
		ssize_t got = pread(pb->fd, r->buf + r->blen, want - r->blen, (off_t)(r->pos + r->blen));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: %s",
			                  got < 0 ? strerror(errno) : "cut short");
		r->blen += (size_t)got;
	}
	return 0;
}

/* next byte of run r; -1 at its end or on error (e set) */
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
			return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: cut short");
		x |= (uint64_t)(c & 0x7F) << sh;
		if (!(c & 0x80))
			break;
	}
	*v = x;
	return 0;
}

static int read_head(lc_postbuf *pb, run *r, lc_err *e)
{
	if (r->pos >= r->end) {
		r->next_term = UINT64_MAX - 1;   /* exhausted */
		return 0;
	}
	if (get_varint(pb, r, &r->next_term, e) < 0 || get_varint(pb, r, &r->rec_left, e) < 0)
		return -1;
	return 0;
}

int lc_postbuf_open_term(lc_postbuf *pb, uint32_t term, lc_err *e)
{
	for (size_t i = 0; i < pb->nruns; i++)
		if (pb->runs[i].next_term == UINT64_MAX && read_head(pb, &pb->runs[i], e) < 0)
			return -1;
	pb->cur_term = term;
	pb->cur_run = 0;
	pb->cur_doc = 0;
	pb->mem_open = 0;
	return 0;
}

int lc_postbuf_next(lc_postbuf *pb, uint32_t *doc, uint32_t *tf, lc_err *e)
{
	while (pb->cur_run < pb->nruns) {
		run *r = &pb->runs[pb->cur_run];
		if (r->next_term != pb->cur_term) {
			pb->cur_run++;
			pb->cur_doc = 0;
			continue;
		}
		if (!r->rec_left) {   /* record done: the next one is read when a term asks */
			if (read_head(pb, r, e) < 0)
				return -1;
			if (r->next_term == pb->cur_term)
				return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: term %u twice in a run",
				                  pb->cur_term);
			continue;
		}
		uint64_t g, f, before = r->pos;
		if (get_varint(pb, r, &g, e) < 0 || get_varint(pb, r, &f, e) < 0)
			return -1;
		if (r->pos - before > r->rec_left)
			return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index runs: record overrun");
		r->rec_left -= r->pos - before;
		pb->cur_doc += (uint32_t)g;
		*doc = pb->cur_doc;
		*tf = (uint32_t)f;
		return 1;
	}
	/* memory */
	if (pb->cur_term >= pb->nt)
		return 0;
	tlist *l = &pb->t[pb->cur_term];
	if (!pb->mem_open) {
		pb->mem_open = 1;
		pb->mchunk = l->head;
		pb->mpos = 0;
		pb->cur_doc = 0;
	}
	uint32_t v[2];
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
				memcpy(&next, c, 4);
			}
			unsigned char b = c[4 + pb->mpos++];
			x |= (uint32_t)(b & 0x7F) << sh;
			if (!(b & 0x80))
				break;
		}
		v[k] = x;
	}
	pb->cur_doc += v[0];
	*doc = pb->cur_doc;
	*tf = v[1];
	return 1;
}
