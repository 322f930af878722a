/*
 * dfile — shard files written with O_DIRECT from an aligned buffer, ordinary writes
 * where the file system refuses (see dfile.h).
 */
#define _GNU_SOURCE   /* O_DIRECT */
#include "dfile.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int lc_dfile_open(lc_dfile *f, const char *path)
{
	lc_dfile_close(f);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
	f->direct = fd >= 0;
	if (fd < 0 && errno == EINVAL)   /* no O_DIRECT on this file system */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	f->fd = fd;
	f->is_open = 1;
	f->len = 0;
	return 0;
}

/* Turns O_DIRECT off: the rest of the file goes through the page cache. */
static int buffered(lc_dfile *f)
{
	int fl = fcntl(f->fd, F_GETFL);
	if (fl < 0 || fcntl(f->fd, F_SETFL, fl & ~O_DIRECT) < 0)
		return -1;
	f->direct = 0;
	return 0;
}

/* Writes p[0..n): a direct write the file system refuses (EINVAL: an unaligned end,
 * or a file system that takes O_DIRECT at open but not for this write) is made again
 * through the page cache. */
static int put(lc_dfile *f, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(f->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EINVAL && f->direct) {
				if (buffered(f) < 0)
					return -1;
				continue;
			}
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes out what the buffer holds, as far as direct writes can take it (whole
 * blocks); the rest moves to the front. */
static int flush(lc_dfile *f)
{
	size_t m = f->direct ? f->len & ~(size_t)(LC_DFILE_ALIGN - 1) : f->len;
	if (!m)
		return 0;
	if (put(f, f->p, m) < 0)
		return -1;
	memmove(f->p, f->p + m, f->len - m);
	f->len -= m;
	return 0;
}

#define HUGE ((size_t)2 << 20)

static void grow(lc_dfile *f, size_t need)
{
	size_t cap = f->cap ? f->cap : 2 * (size_t)LC_DFILE_FLUSH;   /* a multiple of HUGE */
	while (cap < need)
		cap *= 2;
	/* huge pages where the kernel has them (madvise mode): a direct write pins
	 * the buffer's pages, 2 MiB at a time instead of 4 KiB */
	void *p;
	if (posix_memalign(&p, HUGE, cap))
		lc_oom();
#ifdef MADV_HUGEPAGE
	madvise(p, cap, MADV_HUGEPAGE);
#endif
	if (f->len)
		memcpy(p, f->p, f->len);
	free(f->p);
	f->p = p;
	f->cap = cap;
}

char *lc_dfile_room(lc_dfile *f, size_t n)
{
	if ((f->len >= LC_DFILE_FLUSH || n > f->cap - f->len) && flush(f) < 0)
		return NULL;
	if (n > f->cap - f->len)
		grow(f, f->len + n);
	return f->p + f->len;
}

int lc_dfile_add(lc_dfile *f, const void *s, size_t n)
{
	char *o = lc_dfile_room(f, n);
	if (!o)
		return -1;
	memcpy(o, s, n);
	lc_dfile_commit(f, n);
	return 0;
}

int lc_dfile_finish(lc_dfile *f)
{
	/* the end is tried as a direct write too: put() takes it buffered if refused */
	if (put(f, f->p, f->len) < 0)
		return -1;
	f->len = 0;
	f->is_open = 0;
	return f->fd;
}

void lc_dfile_close(lc_dfile *f)
{
	if (f->is_open)
		close(f->fd);
	f->is_open = 0;
	f->len = 0;
}

void lc_dfile_free(lc_dfile *f)
{
	lc_dfile_close(f);
	free(f->p);
	memset(f, 0, sizeof *f);
}
