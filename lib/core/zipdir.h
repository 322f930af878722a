/*
 * zipdir — what a zip archive's central directory says, found in the archive's
 * last bytes.  lib/core/input reads a zip that comes as a stream (standard
 * input, a pipe, a compressed zip) by its local headers, one after another, and
 * libarchive then passes over a damaged local header without a word, searching
 * on for the next one; the directory at the end says how many members, and
 * which, the archive has, so a member skipped so is found out.
 *
 * lc_zipdir_find() looks for the end-of-central-directory record (and the zip64
 * one before it, when the counts need it) in tail, the last len bytes of the
 * archive: the record is within the last 65557 bytes (its comment is at most
 * 65535 bytes), the directory itself may start before tail.
 *
 * Ownership: d points into tail (borrowed; valid while tail is), as do the
 * names lc_zipdir_next() returns (not NUL-terminated: n bytes).
 */
#ifndef LC_ZIPDIR_H
#define LC_ZIPDIR_H

#include <stddef.h>

/* The bytes from the end of the archive a caller keeps for lc_zipdir_find: the
 * end record and its longest comment, the zip64 record and locator, and room
 * for the directory of a dataset's archive (hundreds of members). */
#define LC_ZIPDIR_TAIL ((size_t)256 << 10)

typedef struct lc_zipdir {
	unsigned long long members;   /* the entries the directory lists */
	const unsigned char *dir;     /* the directory, when it lies wholly in tail; else NULL */
	size_t dir_len;
} lc_zipdir;

/* 1 with d filled when tail ends with an end-of-central-directory record (its
 * comment reaching exactly to the end), else 0. */
int lc_zipdir_find(const unsigned char *tail, size_t len, lc_zipdir *d);

/* The name of the directory's entry at *pos (start with *pos = 0), *pos moved
 * to the next: 1, or 0 at the end of the directory, when d->dir is NULL, or
 * when an entry is cut short or lacks its signature. */
int lc_zipdir_next(const lc_zipdir *d, size_t *pos, const char **name, size_t *n);

#endif
