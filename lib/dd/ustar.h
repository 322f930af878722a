/*
 * ustar — tar members built in a memory buffer, byte for byte what libarchive's ustar
 * writer produces for a regular file with mode 0444, uid and gid 0, mtime 0 and empty
 * user and group names (the shards lcdecompose wrote through libarchive before), so a
 * shard is formatted in place and written in big writes without a copy through
 * libarchive's block buffer.
 *
 * Use: off = lc_ustar_begin(b); append the member's data to b; lc_ustar_end(b, off,
 * name); ...; lc_ustar_finish(b) appends the end of the archive (two zero blocks; the
 * file ends there, unpadded).  b is the caller's; nothing is allocated here.
 */
#ifndef LC_USTAR_H
#define LC_USTAR_H
#include <stddef.h>
#include "buf.h"

#define LC_USTAR_BLOCK 512

/* Reserves a header block at the end of b; returns its offset, for lc_ustar_end. */
size_t lc_ustar_begin(lc_buf *b);

/* Completes the member whose header is at off: its data is b->p[off + 512 .. b->len).
 * Fills the header for a file called name (at most 99 bytes) and pads the data
 * with zeros to a whole block.  0, or -1 when name is too long or the data is 8 GiB
 * or more (b is then left as it was before lc_ustar_begin). */
int lc_ustar_end(lc_buf *b, size_t off, const char *name);

/* Fills the 512-byte header block h for a member called name (at most 99 bytes) of
 * size bytes, as lc_ustar_end does; for callers that format members in their own
 * memory.  0, or -1 when name is too long or size is 8 GiB or more. */
int lc_ustar_header(char *h, const char *name, unsigned long long size);

/* The zero bytes that pad a member of size bytes to a whole block. */
static inline size_t lc_ustar_pad(unsigned long long size)
{
	return (size_t)((LC_USTAR_BLOCK - size % LC_USTAR_BLOCK) % LC_USTAR_BLOCK);
}

/* Appends the end-of-archive marker: two zero blocks. */
void lc_ustar_finish(lc_buf *b);
#endif
