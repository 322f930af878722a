/*
 * fdio — writing a whole buffer to a file descriptor (see fdio.h).
 */
#include "fdio.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

int lc_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t w = write(fd, s, n);
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
	}
	return 0;
}

int lc_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	const char *s = p;
	while (n) {
		ssize_t w = pwrite(fd, s, n, (off_t)off);
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
