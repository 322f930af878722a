/*
 * pidstore — the pids of an index being built, in document order, as one byte
 * string (each pid followed by a NUL) with no per-pid pointer: in memory while
 * they fit the store's share of lcindex's memory budget (all of them without a
 * budget), then in an unlinked temporary file ($TMPDIR, else /tmp) behind a
 * buffer of that share.  A store whose pids fit never creates the file, so a
 * small build needs no TMPDIR.  Reading is a scan from the first pid, which is
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

/* limit: bytes of pids held in memory before they go to the temporary file
 * (0 = never: every pid stays in memory). */
lc_pidstore *lc_pidstore_new(size_t limit);
void lc_pidstore_free(lc_pidstore *s);

/* Appends pid[0..len).  0 or -1 + e (the temporary file, once past the limit). */
int lc_pidstore_add(lc_pidstore *s, const char *pid, size_t len, lc_err *e);
size_t lc_pidstore_count(const lc_pidstore *s);
/* 1 once pids have gone to the temporary file. */
int lc_pidstore_spilled(const lc_pidstore *s);

/* Calls fn(pid, len, row, arg) for every pid in order until fn returns non-zero;
 * pid is valid during the call only.  Returns fn's non-zero value, 0 at the end,
 * or -1 + e on a read error (so fn must not return -1). */
typedef int (*lc_pid_fn)(const char *pid, size_t len, size_t row, void *arg);
int lc_pidstore_scan(const lc_pidstore *s, lc_pid_fn fn, void *arg, lc_err *e);

/* 1 if pid `row` equals pid[0..len), 0 if not, -1 + e on a read error. */
int lc_pidstore_equals(const lc_pidstore *s, size_t row, const char *pid, size_t len, lc_err *e);

#endif
