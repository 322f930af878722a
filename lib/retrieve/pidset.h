/*
 * pidset — duplicate-pid detection for lcindex without keeping the pids: a table
 * of 64-bit pid hashes (lc_hash_bytes) -> row, and where each row was read as
 * runs of consecutive lines of one input (a new run at each input and after each
 * skipped line): about 16 bytes a pid instead of the strings lc_idset keeps.  Exact: on a hash match the caller's
 * `same` callback compares the earlier pid itself (lcindex asks the index
 * builder's pid store), so a collision that is not a duplicate is no error.
 * Rows are numbered 0, 1, ... in the order pids are added.
 *
 * Ownership: zero-initialise ({0}); lc_pidset_free releases.
 */
#ifndef LC_PIDSET_H
#define LC_PIDSET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct lc_pidset_src {
	size_t first;               /* first row of the run */
	long line;                  /* its line; row first + i is at line + i */
	char *name;                 /* malloc'd (shared by a name's runs: freed by its first) */
} lc_pidset_src;

typedef struct lc_pidset {
	uint64_t *hash;             /* per row */
	size_t n, cap;
	uint32_t *slot;             /* open addressing, linear probing: row + 1, 0 = empty */
	size_t nslot;               /* a power of two, or 0 */
	lc_pidset_src *src;
	size_t nsrc, srccap;
} lc_pidset;

/* 1 if row's pid equals pid[0..len), 0 if not, -1 + e. */
typedef int (*lc_pidset_same_fn)(size_t row, const char *pid, size_t len, void *arg, lc_err *e);

/* Adds pid (read at src:line) as the next row.  A duplicate gives -1 + e
 * "WHERE: duplicate pid 'PID' (first at SRC:LINE); ids must be unique" (the words
 * of lc_idset_add); -1 too when same fails. */
int lc_pidset_add(lc_pidset *s, const char *pid, const char *src, long line, const char *where,
                  lc_pidset_same_fn same, void *arg, lc_err *e);
void lc_pidset_free(lc_pidset *s);

#endif
