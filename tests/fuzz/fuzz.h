/*
 * fuzz.h — shared by the libFuzzer harnesses in tests/fuzz/fuzz_*.c.
 * lc_fuzz_file() puts the fuzz input into a memfd and returns a path to it, so
 * harnesses exercise the real file-reading code paths (libarchive detection).
 */
#ifndef LC_FUZZ_H
#define LC_FUZZ_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static inline const char *lc_fuzz_file(const uint8_t *data, size_t size, int *fd)
{
	static char path[64];
	*fd = memfd_create("lctk-fuzz", 0);
	if (*fd < 0)
		return NULL;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(*fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
	return path;
}

/* Two files from one input: its first half (a qrels, say) and its second (a
 * run), their paths copied into a and b; 0, or -1 with nothing left open. */
static inline int lc_fuzz_halves(const uint8_t *data, size_t size, char a[64], char b[64], int *fa, int *fb)
{
	size_t half = size / 2;
	const char *p = lc_fuzz_file(data, half, fa);
	if (!p)
		return -1;
	snprintf(a, 64, "%s", p);
	if (!(p = lc_fuzz_file(data + half, size - half, fb))) {
		close(*fa);
		return -1;
	}
	snprintf(b, 64, "%s", p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
