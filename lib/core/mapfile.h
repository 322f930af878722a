/*
 * mapfile — maps a whole non-empty regular file read-only, or declines.  For
 * readers with a fast path over a mapped file and a fallback that reports the
 * errors (lceval's qrels reader, lc_run_split): a file that cannot be mapped
 * (absent, unreadable, a pipe, empty) gives NULL with nothing said.
 */
#ifndef LC_MAPFILE_H
#define LC_MAPFILE_H

#include <stddef.h>

/* path's bytes, *size of them (> 0), or NULL.  Owned by the caller, released
 * with lc_unmap_file(m, *size); the descriptor is already closed. */
const char *lc_map_file(const char *path, size_t *size);
void lc_unmap_file(const char *m, size_t size);

#endif
