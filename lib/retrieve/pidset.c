/* pidset — exact duplicate-pid detection from hashes, rows and line numbers, a
 * chunk at a time within a memory limit (see pidset.h). */
#define _GNU_SOURCE   /* qsort_r */
#include "pidset.h"
#include "buf.h"
#include "fdio.h"
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REC 12                    /* a chunk's record: hash (8 bytes), row (4), native order */
#define IOBUF (64u << 10)

void lc_pidset_set_limit(lc_pidset *s, size_t limit)
{
	/* 8 bytes of hash a row, and at most 8/3 slots of 4 bytes (the table is a power
	 * of two at most three quarters full): under 19 bytes a row */
	s->max_rows = limit ? (limit / 20 ? limit / 20 : 1) : 0;
}

static void grow_slots(lc_pidset *s)
{
	size_t ns = s->nslot ? 2 * s->nslot : s->max_rows ? 16 : 1024;
	uint32_t *slot = lc_xcalloc(ns, sizeof *slot);
	for (size_t r = 0; r < s->n - s->first; r++) {
		size_t i = (size_t)s->hash[r] & (ns - 1);
		while (slot[i])
			i = (i + 1) & (ns - 1);
		slot[i] = (uint32_t)(r + 1);
	}
	free(s->slot);
	s->slot = slot;
	s->nslot = ns;
}

/* the run row was read in: the last one starting at or before it */
static const lc_pidset_src *src_of(const lc_pidset *s, size_t row)
{
	size_t lo = 0, hi = s->nsrc;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->src[mid].first <= row)
			lo = mid;
		else
			hi = mid;
	}
	return &s->src[lo];
}

static long line_of(const lc_pidset_src *run, size_t row)
{
	return run->line + (long)(row - run->first) * run->step;
}

/* the error for row's pid, first read at row first */
static int duplicate(const lc_pidset *s, const char *where, const char *pid, size_t first, lc_err *e)
{
	const lc_pidset_src *run = src_of(s, first);
	return lc_err_set(e, LC_EXIT_INPUT, "%s: duplicate pid '%s' (first at %s:%ld); ids must be unique",
	                  where, pid, run->name, line_of(run, first));
}

/* records where the next row was read: the last run goes on if the line keeps its spacing */
static void note_source(lc_pidset *s, const char *src, long line)
{
	lc_pidset_src *last = s->nsrc ? &s->src[s->nsrc - 1] : NULL;
	int same_name = last && !strcmp(last->name, src);
	if (same_name) {
		size_t k = s->n - last->first;   /* rows in the run */
		if (k == 1 && line > last->line) {
			last->step = line - last->line;
			return;
		}
		if (k > 1 && line == last->line + (long)k * last->step)
			return;
	}
	if (s->nsrc == s->srccap) {
		s->srccap = s->srccap ? 2 * s->srccap : 8;
		s->src = lc_xrealloc(s->src, s->srccap * sizeof *s->src);
	}
	char *name = same_name ? s->src[s->nsrc - 1].name : lc_xstrdup(src);
	s->src[s->nsrc++] = (lc_pidset_src){ .first = s->n, .line = line, .step = 0, .name = name };
}

static int file_error(lc_err *e)
{
	return lc_err_set(e, LC_EXIT_INPUT, "temporary file for the pid check: %s; give TMPDIR room or raise --memory",
	                  strerror(errno));
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const uint64_t *h = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (h[x] != h[y])
		return h[x] < h[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Writes the current chunk, sorted by (hash, row), and empties the table. */
static int spill(lc_pidset *s, lc_err *e)
{
	size_t k = s->n - s->first;
	if (!k)
		return 0;
	if (!s->has_fd) {
		const char *dir;
		if ((s->fd = lc_tmpfd("lcindex-pidcheck", &dir)) < 0)
			return lc_err_set(e, LC_EXIT_INPUT, "cannot create a temporary file for the pid check in %s: %s; "
			                  "set TMPDIR to a writable directory or raise --memory", dir, strerror(errno));
		s->has_fd = 1;
	}
	/* the slots (more of them than rows) are emptied anyway: they hold the order */
	for (size_t i = 0; i < k; i++)
		s->slot[i] = (uint32_t)i;
	qsort_r(s->slot, k, sizeof *s->slot, cmp_rows, s->hash);
	unsigned char *buf = lc_xmalloc(IOBUF);
	size_t used = 0;
	uint64_t at = s->fsize;
	int rc = 0;
	for (size_t i = 0; i < k && !rc; i++) {
		uint32_t row = (uint32_t)(s->first + s->slot[i]);
		memcpy(buf + used, &s->hash[s->slot[i]], 8);
		memcpy(buf + used + 8, &row, 4);
		used += REC;
		if (used + REC > IOBUF || i + 1 == k) {
			rc = lc_pwrite_all(s->fd, buf, used, at);
			at += used;
			used = 0;
		}
	}
	free(buf);
	if (rc < 0)
		return file_error(e);
	if (s->nchunks == s->chunkcap) {
		s->chunkcap = s->chunkcap ? 2 * s->chunkcap : 8;
		s->chunks = lc_xrealloc(s->chunks, s->chunkcap * sizeof *s->chunks);
	}
	s->chunks[s->nchunks++] = (lc_pidset_chunk){ .off = s->fsize, .n = k };
	s->fsize = at;
	memset(s->slot, 0, s->nslot * sizeof *s->slot);
	s->first = s->n;
	return 0;
}

int lc_pidset_add(lc_pidset *s, const char *pid, const char *src, long line, const char *where,
                  lc_pidset_same_fn same, void *arg, lc_err *e)
{
	size_t len = strlen(pid);
	uint64_t h = lc_hash_bytes(pid, len);
	size_t mask = s->nslot - 1;
	for (size_t i = s->nslot ? (size_t)h & mask : 0; s->nslot && s->slot[i]; i = (i + 1) & mask) {
		size_t r = s->slot[i] - 1;
		if (s->hash[r] != h)
			continue;
		int eq = same(s->first + r, pid, len, arg, e);
		if (eq < 0)
			return -1;
		if (eq)
			return duplicate(s, where, pid, s->first + r, e);
	}
	if (s->max_rows && s->n - s->first == s->max_rows && spill(s, e) < 0)
		return -1;
	size_t k = s->n - s->first;
	if (4 * (k + 1) > 3 * s->nslot)
		grow_slots(s);
	if (k == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		if (s->max_rows && s->cap > s->max_rows)
			s->cap = s->max_rows;
		s->hash = lc_xrealloc(s->hash, s->cap * sizeof *s->hash);
	}
	note_source(s, src, line);
	size_t i = (size_t)h & (s->nslot - 1);
	while (s->slot[i])
		i = (i + 1) & (s->nslot - 1);
	s->hash[k] = h;
	s->slot[i] = (uint32_t)(k + 1);
	s->n++;
	return 0;
}

/* ---- lc_pidset_finish: the chunks merged by hash ------------------------------------ */

typedef struct reader {
	uint64_t pos, end;
	unsigned char *buf;
	size_t blen, bpos;
	uint64_t h;                   /* the current record */
	size_t row;
} reader;

/* the reader's next record: 1, 0 at its end, -1 + e */
static int next_rec(int fd, reader *r, lc_err *e)
{
	if (r->bpos == r->blen) {
		if (r->pos >= r->end)
			return 0;
		size_t want = r->end - r->pos < IOBUF ? (size_t)(r->end - r->pos) : IOBUF / REC * REC;
		ssize_t got = lc_pread_full(fd, r->buf, want, r->pos);
		if (got != (ssize_t)want)
			return lc_err_set(e, LC_EXIT_INPUT, "reading back the temporary file for the pid check: %s",
			                  got < 0 ? strerror(errno) : "cut short");
		r->pos += want;
		r->blen = want;
		r->bpos = 0;
	}
	uint32_t row;
	memcpy(&r->h, r->buf + r->bpos, 8);
	memcpy(&row, r->buf + r->bpos + 8, 4);
	r->row = row;
	r->bpos += REC;
	return 1;
}

static int before(const reader *a, const reader *b)
{
	return a->h != b->h ? a->h < b->h : a->row < b->row;
}

static void sift_down(reader **heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && before(heap[l], heap[m]))
			m = l;
		if (l + 1 < n && before(heap[l + 1], heap[m]))
			m = l + 1;
		if (m == i)
			return;
		reader *t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

/* a hash whose rows were compared: its first repeated row (SIZE_MAX: none) */
typedef struct verdict {
	uint64_t h;
	size_t row, first;
	char *pid;                    /* malloc'd */
} verdict;

typedef struct merge {
	reader *rd;
	reader **heap;
	size_t nheap;
	size_t *grp;                  /* the current group's rows, ascending */
	size_t ngrp, grpcap;
	/* the best candidate so far: its repeated row, verified or not */
	size_t best;
	uint64_t best_h;
	const verdict *best_v;        /* when verified */
	size_t *best_rows;            /* when not: the group's rows */
	size_t nbest, bestcap;
} merge;

static const verdict *find_verdict(const verdict *v, size_t nv, uint64_t h)
{
	for (size_t i = 0; i < nv; i++)
		if (v[i].h == h)
			return &v[i];
	return NULL;
}

/* the group of equal hashes just gathered, against the best candidate */
static void consider(merge *m, uint64_t h, const verdict *v, size_t nv)
{
	if (m->ngrp < 2)
		return;
	const verdict *known = find_verdict(v, nv, h);
	size_t cand = known ? known->row : m->grp[1];
	if (cand >= m->best)
		return;
	m->best = cand;
	m->best_h = h;
	m->best_v = known;
	if (!known) {
		if (m->ngrp > m->bestcap) {
			m->bestcap = m->ngrp;
			m->best_rows = lc_xrealloc(m->best_rows, m->bestcap * sizeof *m->best_rows);
		}
		memcpy(m->best_rows, m->grp, m->ngrp * sizeof *m->grp);
		m->nbest = m->ngrp;
	}
}

/* One merge of every chunk: the group whose repeated row comes first, taking the
 * verdicts so far for the groups already compared. */
static int merge_pass(lc_pidset *s, merge *m, const verdict *v, size_t nv, lc_err *e)
{
	m->nheap = 0;
	m->best = SIZE_MAX;
	m->best_v = NULL;
	for (size_t i = 0; i < s->nchunks; i++) {
		reader *r = &m->rd[i];
		r->pos = s->chunks[i].off;
		r->end = s->chunks[i].off + (uint64_t)s->chunks[i].n * REC;
		r->blen = r->bpos = 0;
		int got = next_rec(s->fd, r, e);
		if (got < 0)
			return -1;
		if (got)
			m->heap[m->nheap++] = r;
	}
	for (size_t i = m->nheap / 2; i-- > 0;)
		sift_down(m->heap, m->nheap, i);
	m->ngrp = 0;
	uint64_t gh = 0;
	while (m->nheap) {
		reader *r = m->heap[0];
		if (m->ngrp && r->h != gh) {
			consider(m, gh, v, nv);
			m->ngrp = 0;
		}
		gh = r->h;
		if (m->ngrp == m->grpcap) {
			m->grpcap = m->grpcap ? 2 * m->grpcap : 16;
			m->grp = lc_xrealloc(m->grp, m->grpcap * sizeof *m->grp);
		}
		m->grp[m->ngrp++] = r->row;
		int got = next_rec(s->fd, r, e);
		if (got < 0)
			return -1;
		if (!got)
			m->heap[0] = m->heap[--m->nheap];
		sift_down(m->heap, m->nheap, 0);
	}
	consider(m, gh, v, nv);
	return 0;
}

/* the pids of some rows (ascending), fetched in one scan */
typedef struct fetch {
	const size_t *rows;
	size_t n, i;
	lc_buf text;                  /* the pids, each followed by a NUL */
	size_t *off;
} fetch;

static int fetch_pid(const char *pid, size_t len, size_t row, void *arg)
{
	fetch *f = arg;
	if (row != f->rows[f->i])
		return 0;
	f->off[f->i++] = f->text.len;
	lc_buf_add(&f->text, pid, len);
	lc_buf_addc(&f->text, 0);
	return f->i == f->n;   /* 1 stops the scan */
}

/* compares the pids of the best group's rows: its verdict */
static int verify(merge *m, lc_pidset_scan_fn scan, void *arg, verdict *out, lc_err *e)
{
	fetch f = { m->best_rows, m->nbest, 0, {0}, lc_xmalloc(m->nbest * sizeof(size_t)) };
	int rc = scan(fetch_pid, &f, arg, e);
	*out = (verdict){ .h = m->best_h, .row = SIZE_MAX };
	if (rc >= 0 && f.i < f.n)   /* the store lost rows: not a state lcindex can reach */
		rc = lc_err_set(e, LC_EXIT_INPUT, "the pid check: row %zu is past the pids stored", f.rows[f.i]);
	for (size_t i = 1; rc >= 0 && i < f.n && out->row == SIZE_MAX; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f.text.p + f.off[i], f.text.p + f.off[j])) {
				out->row = f.rows[i];
				out->first = f.rows[j];
				out->pid = lc_xstrdup(f.text.p + f.off[i]);
				break;
			}
	free(f.off);
	lc_buf_free(&f.text);
	return rc < 0 ? -1 : 0;
}

int lc_pidset_finish(lc_pidset *s, lc_pidset_scan_fn scan, void *arg, lc_err *e)
{
	if (!s->nchunks)
		return 0;   /* one chunk: every duplicate was seen when added */
	if (spill(s, e) < 0)
		return -1;
	free(s->slot);   /* the table's memory goes before the merge's */
	free(s->hash);
	s->slot = NULL;
	s->hash = NULL;
	s->nslot = s->cap = 0;
	merge m = { 0 };
	m.rd = lc_xcalloc(s->nchunks, sizeof *m.rd);
	m.heap = lc_xmalloc(s->nchunks * sizeof *m.heap);
	for (size_t i = 0; i < s->nchunks; i++) {
		uint64_t bytes = (uint64_t)s->chunks[i].n * REC;
		m.rd[i].buf = lc_xmalloc(bytes < IOBUF ? (size_t)bytes : IOBUF);
	}
	verdict *v = NULL;
	size_t nv = 0;
	int rc = 0;
	/* a collision (two pids, one hash) sends the search round again, past it */
	while (!(rc = merge_pass(s, &m, v, nv, e)) && m.best != SIZE_MAX && !m.best_v) {
		v = lc_xrealloc(v, (nv + 1) * sizeof *v);
		if ((rc = verify(&m, scan, arg, &v[nv], e)) < 0)
			break;
		nv++;
	}
	if (!rc && m.best != SIZE_MAX) {
		const lc_pidset_src *run = src_of(s, m.best);
		lc_buf where = { 0 };
		lc_buf_printf(&where, "%s:%ld", run->name, line_of(run, m.best));
		duplicate(s, where.p, m.best_v->pid, m.best_v->first, e);
		rc = 1;
		lc_buf_free(&where);
	}
	for (size_t i = 0; i < nv; i++)
		free(v[i].pid);
	free(v);
	for (size_t i = 0; i < s->nchunks; i++)
		free(m.rd[i].buf);
	free(m.rd);
	free(m.heap);
	free(m.grp);
	free(m.best_rows);
	return rc;
}

void lc_pidset_free(lc_pidset *s)
{
	for (size_t i = 0; i < s->nsrc; i++)
		if (!i || s->src[i].name != s->src[i - 1].name)
			free(s->src[i].name);
	free(s->src);
	free(s->hash);
	free(s->slot);
	free(s->chunks);
	if (s->has_fd)
		close(s->fd);
	memset(s, 0, sizeof *s);
}
