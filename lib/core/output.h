/*
 * output — where programs write: stdout, or -o FILE written atomically.
 *
 * A named regular file is written to a temp file in the same directory
 * (".NAME.XXXXXX", NAME shortened so the temp name fits NAME_MAX), then fsync'd,
 * renamed over NAME by lc_output_commit(), and the directory fsync'd, so a reader
 * never sees a half-written file and a power loss does not undo the rename.
 * LCTK_NO_SYNC=1 skips both fsyncs (scratch work).  The new file keeps an existing
 * file's mode (and, as root, owner); a new file gets 0666 & ~umask, as '>' would.
 *
 * Where the name leads:
 *  - "-" or NULL: stdout.
 *  - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: written straight through
 *    the fd this process already has (never temp + rename inside /dev).
 *  - a device, FIFO or socket: opened and written in place.
 *  - a symlink: followed as a shell '>' does; the temp file goes in the TARGET's
 *    directory and the rename replaces the target, not the link.
 *
 * A name ending in .gz is gzip-compressed through zlib; .zst .xz .bz2 .lz4 .lzma .lz
 * through a libarchive filter (raw format), whatever kind of file the name leads to.
 * Container suffixes lctk cannot write (.zip .tar .tar.gz .tgz .7z ...) are a usage
 * error, and so are an empty name and a directory; a missing or unwritable parent
 * directory is an input error.  lc_output_check() tells all that before any work;
 * lc_cli_next() calls it for every -o/--output, --batch-out, --responses and
 * --stats FILE option as it parses them.
 *
 * If the program dies (lc_die, or any signal whose default action ends the program:
 * INT TERM HUP QUIT ALRM USR1 USR2 BUS PIPE VTALRM PROF) before commit, or exits any
 * other way (exit() from a library), the temp file is removed and the program dies
 * of the same signal.  SIGXFSZ is ignored, so 'ulimit -f' shows as "File too large".
 * Write errors (ENOSPC, EIO, EFBIG ...) are fatal with a clear message and leave no
 * partial file.  EPIPE on stdout ends the program quietly with status 141, as a
 * shell reports a SIGPIPE death.
 *
 * Ownership: lc_output_open() allocates; lc_output_commit() or lc_output_abort()
 * frees.  Only these functions write to the file; do not mix with stdio on stdout.
 */
#ifndef LC_OUTPUT_H
#define LC_OUTPUT_H

#include <signal.h>
#include <stddef.h>

#include "err.h"

typedef struct lc_output lc_output;

/* path NULL or "-" = stdout.  Dies (exit 1) if the temp file cannot be created. */
lc_output *lc_output_open(const char *path);
void lc_output_write(lc_output *o, const void *p, size_t n);
void lc_output_puts(lc_output *o, const char *s);
void lc_output_printf(lc_output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text (copied) that lc_output_commit writes last, so that it is there only when the
 * program succeeded, on stdout too (a --shard part's end line, part.h).  NULL: none. */
void lc_output_set_trailer(lc_output *o, const char *s);
/* Writes the trailer, flushes, fsyncs, renames into place.  Dies on error (temp removed). */
void lc_output_commit(lc_output *o);
/* Discard: removes the temp file (stdout: drops unflushed bytes). */
void lc_output_abort(lc_output *o);
/* Installs the fatal-signal handler that runs the die hooks and removes pending temp
 * files, and ignores SIGXFSZ.  Signals already ignored or handled are left alone. */
void lc_output_install_signal_cleanup(void);
/* Blocks every signal while a registry that a die hook or signal handler walks
 * (temp files, parts, shards written) is changed; lc_signals_restore(old) ends it. */
void lc_signals_block(sigset_t *old);
void lc_signals_restore(const sigset_t *old);

/* 0 if path can be written as an output (NULL, "-", or see above); else -1 with e
 * filled: LC_EXIT_USAGE for an empty name, a directory or a suffix lctk cannot
 * write, LC_EXIT_INPUT for a missing or unwritable directory.  Creates nothing. */
int lc_output_check(const char *path, lc_err *e);
/* 1 if a and b name the same file to write (symlinks followed, the directory
 * compared by device and inode), so that one rename would replace the other's
 * output; 0 for "-", /dev/fd/N names and different files. */
int lc_output_same_file(const char *a, const char *b);
/* 1 if path's suffix makes lc_output_open() compress (.gz .zst .xz .bz2 ...). */
int lc_output_compressed(const char *path);
/* For binary outputs read by mmap (an index): returns path, or exits 2 when its
 * suffix would compress it. */
const char *lc_output_plain_name(const char *path);
/* 0 when LCTK_NO_SYNC is set (to anything but "" or "0"): skip fsync. */
int lc_output_sync_enabled(void);
/* fsync a directory (after a rename in it); 0, or -1 with errno.  EINVAL/EROFS
 * (file systems that cannot sync a directory) count as success. */
int lc_fsync_dir(const char *dir);

#endif
