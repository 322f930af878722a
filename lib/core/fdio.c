/*
 * fdio — writing a whole buffer to a file descriptor, reading one back; unlinked
 * temporary files (see fdio.h).
 */
#include "fdio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The loop behind both: write(2) at the file position, or pwrite(2) at off. */
static int write_loop(int fd, const char *s, size_t n, bool at_off, uint64_t off)
{
	while (n) {
		ssize_t w = at_off ? pwrite(fd, s, n, (off_t)off) : write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		s += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int lc_write_all(int fd, const void *p, size_t n)
{
	return write_loop(fd, p, n, false, 0);
}

int lc_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	return write_loop(fd, p, n, true, off);
}

ssize_t lc_pread_full(int fd, void *p, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)p + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int lc_tmpfd(const char *stem, const char **dir)
{
	const char *d = getenv("TMPDIR");
	if (!d || !*d)
		d = "/tmp";
	*dir = d;
	size_t n = strlen(d) + strlen(stem) + 9;
	char *name = malloc(n);
	if (!name)
		return -1;
	snprintf(name, n, "%s/%s.XXXXXX", d, stem);
	int fd = mkstemp(name);
	int err = errno;
	if (fd >= 0)
		unlink(name);
	free(name);
	errno = err;
	return fd;
}
