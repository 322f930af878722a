/*
 * fdio — writing a whole buffer to a file descriptor, reading one back, and the
 * unlinked temporary files that spill code writes its runs to.
 *
 * write(2) and pwrite(2) may write less than asked or be interrupted; these loop
 * until every byte is written.  A call that writes nothing (returns 0) is taken
 * as a full device (errno ENOSPC), so a loop never spins without progress.
 * Both return 0, or -1 with errno set; the bytes before the failure are written.
 * Callers keep their own error messages (which file, what to do).
 */
#ifndef LC_FDIO_H
#define LC_FDIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* p[0..n) at fd's file position. */
int lc_write_all(int fd, const void *p, size_t n);

/* p[0..n) at byte off of fd's file (the file position is not used or moved). */
int lc_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

/* Reads n bytes at byte off of fd's file into p, retrying short and interrupted
 * reads: the bytes read (fewer than n only at the end of the file), or -1 with
 * errno set. */
ssize_t lc_pread_full(int fd, void *p, size_t n, uint64_t off);

/* A new, already unlinked temporary file $TMPDIR/STEM.XXXXXX (else in /tmp), open
 * for reading and writing: its descriptor (the caller closes it), or -1 with
 * errno set.  *dir is set to the directory tried, for the caller's message. */
int lc_tmpfd(const char *stem, const char **dir);
#endif
