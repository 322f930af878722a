/*
 * output — where programs write: stdout, or -o FILE written atomically.
 *
 * A named file is written to a temp file in the same directory (".NAME.XXXXXX"),
 * then fsync'd and renamed over NAME by lc_output_commit(), so a reader never sees
 * a half-written file.  If the program dies (lc_die, SIGINT, SIGTERM, SIGHUP) before
 * commit, or exits any other way (exit() from a library), the temp file is removed.  A name ending in ".gz" is gzip-compressed
 * through zlib.  Write errors (ENOSPC, EIO, ...) are fatal with a clear message and
 * leave no partial file.  EPIPE on stdout ends the program quietly with status 141,
 * as a shell reports a SIGPIPE death.
 *
 * Ownership: lc_output_open() allocates; lc_output_commit() or lc_output_abort()
 * frees.  Only these functions write to the file; do not mix with stdio on stdout.
 */
#ifndef LC_OUTPUT_H
#define LC_OUTPUT_H

#include <stddef.h>

#include "err.h"

typedef struct lc_output lc_output;

/* path NULL or "-" = stdout.  Dies (exit 1) if the temp file cannot be created. */
lc_output *lc_output_open(const char *path);
void lc_output_write(lc_output *o, const void *p, size_t n);
void lc_output_puts(lc_output *o, const char *s);
void lc_output_putc(lc_output *o, char c);
void lc_output_printf(lc_output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flush, fsync, rename into place.  Dies on error (temp removed). */
void lc_output_commit(lc_output *o);
/* Discard: removes the temp file (stdout: drops unflushed bytes). */
void lc_output_abort(lc_output *o);
/* Installs the SIGINT/SIGTERM/SIGHUP handler that removes pending temp files. */
void lc_output_install_signal_cleanup(void);

#endif
