/* pidstore — the pids of an index being built as NUL-separated bytes, in memory
 * or in an unlinked temporary file (see pidstore.h). */
#include "pidstore.h"
#include "buf.h"
#include "fdio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFSZ (1u << 20)   /* read-back blocks */

struct lc_pidstore {
	size_t limit;           /* bytes held in memory before a flush; 0 = never flush */
	int fd;                 /* -1 until the first flush */
	uint64_t fsize;         /* bytes in the file */
	lc_buf mem;             /* the pids not in the file (all of them until the first flush) */
	size_t n;
};

lc_pidstore *lc_pidstore_new(size_t limit)
{
	lc_pidstore *s = lc_xcalloc(1, sizeof *s);
	s->limit = limit;
	s->fd = -1;
	return s;
}

void lc_pidstore_free(lc_pidstore *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	lc_buf_free(&s->mem);
	free(s);
}

size_t lc_pidstore_count(const lc_pidstore *s) { return s->n; }
int lc_pidstore_spilled(const lc_pidstore *s) { return s->fd >= 0; }

static int open_tmp(lc_pidstore *s, lc_err *e)
{
	const char *dir;
	s->fd = lc_tmpfd("lcindex-pids", &dir);
	if (s->fd < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "cannot create a temporary file for index pids in %s: %s; "
		                  "set TMPDIR to a writable directory or raise --memory", dir, strerror(errno));
	return 0;
}

static int flush(lc_pidstore *s, lc_err *e)
{
	if (s->fd < 0 && open_tmp(s, e) < 0)
		return -1;
	if (lc_pwrite_all(s->fd, s->mem.p, s->mem.len, s->fsize) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "temporary file for index pids: %s; give TMPDIR room or raise --memory",
		                  strerror(errno));
	s->fsize += s->mem.len;
	lc_buf_reset(&s->mem);
	return 0;
}

int lc_pidstore_add(lc_pidstore *s, const char *pid, size_t len, lc_err *e)
{
	if (s->limit && s->mem.len + len + 1 > s->limit && s->mem.len && flush(s, e) < 0)
		return -1;
	lc_buf_add(&s->mem, pid, len);
	lc_buf_addc(&s->mem, 0);
	s->n++;
	return 0;
}

/* scan state: a pid cut by a block boundary is gathered in part */
typedef struct scan {
	lc_pid_fn fn;
	void *arg;
	lc_buf part;
	size_t row;
} scan;

/* feeds bytes p[0..n) to the scan; the fn's non-zero value, or 0 */
static int feed(scan *sc, const char *p, size_t n)
{
	while (n) {
		const char *z = memchr(p, 0, n);
		if (!z) {
			lc_buf_add(&sc->part, p, n);
			return 0;
		}
		size_t k = (size_t)(z - p);
		int r;
		if (sc->part.len) {
			lc_buf_add(&sc->part, p, k);
			r = sc->fn(sc->part.p, sc->part.len, sc->row++, sc->arg);
			lc_buf_reset(&sc->part);
		} else
			r = sc->fn(p, k, sc->row++, sc->arg);
		if (r)
			return r;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

int lc_pidstore_scan(const lc_pidstore *s, lc_pid_fn fn, void *arg, lc_err *e)
{
	scan sc = { fn, arg, {0}, 0 };
	int r = 0;
	char *blk = s->fsize ? lc_xmalloc(BUFSZ) : NULL;
	for (uint64_t at = 0; !r && at < s->fsize;) {
		size_t want = s->fsize - at < BUFSZ ? (size_t)(s->fsize - at) : BUFSZ;
		ssize_t got = pread(s->fd, blk, want, (off_t)at);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = lc_err_set(e, LC_EXIT_INPUT, "reading back the temporary file for index pids: %s",
			               got < 0 ? strerror(errno) : "cut short");
			break;
		}
		at += (uint64_t)got;
		r = feed(&sc, blk, (size_t)got);
	}
	free(blk);
	if (!r)
		r = feed(&sc, s->mem.p, s->mem.len);
	lc_buf_free(&sc.part);
	return r;
}

typedef struct want {
	size_t row;
	const char *pid;
	size_t len;
} want;

static int match(const char *pid, size_t len, size_t row, void *arg)
{
	const want *w = arg;
	if (row < w->row)
		return 0;
	return len == w->len && !memcmp(pid, w->pid, len) ? 1 : 2;
}

int lc_pidstore_equals(const lc_pidstore *s, size_t row, const char *pid, size_t len, lc_err *e)
{
	want w = { row, pid, len };
	int r = lc_pidstore_scan(s, match, &w, e);
	return r < 0 ? -1 : r == 1;
}
