/*
 * fdio — writing a whole buffer to a file descriptor (see fdio.h).
 */
#include "fdio.h"

#include <errno.h>
#include <stdbool.h>
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
