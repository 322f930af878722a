/*
 * pidset — duplicate-pid detection for lcindex without keeping the pids: a table
 * of 64-bit pid hashes (lc_hash_bytes) -> row, and where each row was read as
 * runs of lines of one input, evenly spaced (a new run at each input, and where
 * blank or skipped lines break the spacing; --shard K/N reads every Nth record):
 * about 16 bytes a pid instead of the strings lc_idset keeps.  Exact: on a hash
 * match the caller's `same` callback compares the earlier pid itself (lcindex
 * asks the index builder's pid store), so a collision that is not a duplicate is
 * no error.  Rows are numbered 0, 1, ... in the order pids are added.
 *
 * Within a memory limit (lc_pidset_set_limit; lcindex's --memory) the table holds
 * a chunk of rows: when the chunk fills, its hashes and rows are written, sorted,
 * to an unlinked temporary file ($TMPDIR, else /tmp) and the table starts empty.
 * A pid repeated within a chunk is an error when it is added, as without a
 * limit; one repeated across chunks is found by lc_pidset_finish, which merges
 * the chunks by hash and reports the duplicate a reader in row order meets
 * first, with the same words.  So a caller that calls lc_pidset_finish before
 * reporting any error of its own (a malformed record, a failed spill) tells the
 * user exactly what an unlimited table would have.
 *
 * Ownership: zero-initialise ({0}); lc_pidset_free releases (and closes the
 * temporary file).
 */
#ifndef LC_PIDSET_H
#define LC_PIDSET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pidstore.h"

typedef struct lc_pidset_src {
	size_t first;               /* first row of the run */
	long line;                  /* its line; row first + i is at line + i * step */
	long step;                  /* 0 while the run has one row */
	char *name;                 /* malloc'd (shared by a name's runs: freed by its first) */
} lc_pidset_src;

typedef struct lc_pidset_chunk {
	uint64_t off;               /* in the temporary file */
	size_t n;                   /* rows (records of 12 bytes: hash, row) */
} lc_pidset_chunk;

typedef struct lc_pidset {
	size_t n;                   /* rows added */
	/* the current chunk: rows first..n-1 */
	size_t first;
	uint64_t *hash;             /* hash[r - first] */
	size_t cap;
	uint32_t *slot;             /* open addressing, linear probing: r - first + 1, 0 = empty */
	size_t nslot;               /* a power of two, or 0 */
	size_t max_rows;            /* rows a chunk holds within the limit; 0 = no limit */
	/* the chunks written */
	int fd, has_fd;
	uint64_t fsize;
	lc_pidset_chunk *chunks;
	size_t nchunks, chunkcap;
	lc_pidset_src *src;
	size_t nsrc, srccap;
} lc_pidset;

/* Bytes the table may hold (0 = no limit, the default); before the first add. */
void lc_pidset_set_limit(lc_pidset *s, size_t limit);

/* 1 if row's pid equals pid[0..len), 0 if not, -1 + e. */
typedef int (*lc_pidset_same_fn)(size_t row, const char *pid, size_t len, void *arg, lc_err *e);

/* Adds pid (read at src:line) as the next row.  A duplicate within the chunk gives
 * -1 + e "WHERE: duplicate pid 'PID' (first at SRC:LINE); ids must be unique" (the
 * words of lc_idset_add); -1 too when same fails or the chunk cannot be written. */
int lc_pidset_add(lc_pidset *s, const char *pid, const char *src, long line, const char *where,
                  lc_pidset_same_fn same, void *arg, lc_err *e);

/* Every pid added, in row order, through fn (lc_pidstore_scan's contract). */
typedef int (*lc_pidset_scan_fn)(lc_pid_fn fn, void *fn_arg, void *arg, lc_err *e);

/* The duplicates lc_pidset_add could not see (the two rows in different chunks):
 * 0 when there is none; 1 + e, the message lc_pidset_add would have given for the
 * first row that repeats an earlier pid; -1 + e when the temporary file fails.
 * Call it once, after the last add (or before reporting an error of one's own);
 * it empties the current chunk. */
int lc_pidset_finish(lc_pidset *s, lc_pidset_scan_fn scan, void *arg, lc_err *e);

void lc_pidset_free(lc_pidset *s);

#endif
