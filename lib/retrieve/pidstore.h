/*
 * pidstore — the pids of an index being built, in document order, as one byte
 * string (each pid followed by a NUL) with no per-pid pointer: in memory, or
 * (spill mode, lcindex --memory) in an unlinked temporary file ($TMPDIR, else
 * /tmp) behind a 1 MiB buffer.  Reading is a scan from the first pid, which is
 * all the index image needs (PIDOFF and PIDS are written by scanning twice) and
 * what a duplicate check needs on a (rare) hash match.
 *
 * Pids must not contain NUL (they come from C strings).
 * Ownership: lc_pidstore_new allocates, lc_pidstore_free releases (and closes the
 * file).  Errors (the temporary file) are returned through lc_err.
 */
#ifndef LC_PIDSTORE_H
#define LC_PIDSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct lc_pidstore lc_pidstore;

lc_pidstore *lc_pidstore_new(int spill);
void lc_pidstore_free(lc_pidstore *s);

/* Appends pid[0..len).  0 or -1 + e (spill mode: the temporary file). */
int lc_pidstore_add(lc_pidstore *s, const char *pid, size_t len, lc_err *e);
size_t lc_pidstore_count(const lc_pidstore *s);

/* Calls fn(pid, len, row, arg) for every pid in order until fn returns non-zero;
 * pid is valid during the call only.  Returns fn's non-zero value, 0 at the end,
 * or -1 + e on a read error (so fn must not return -1). */
typedef int (*lc_pid_fn)(const char *pid, size_t len, size_t row, void *arg);
int lc_pidstore_scan(const lc_pidstore *s, lc_pid_fn fn, void *arg, lc_err *e);

/* 1 if pid `row` equals pid[0..len), 0 if not, -1 + e on a read error. */
int lc_pidstore_equals(const lc_pidstore *s, size_t row, const char *pid, size_t len, lc_err *e);

#endif
