/*
 * idtext — token ids as text, "[1, 2, 3]" (Python's str() of a list of ints, the text
 * of a WebDataset shard member and of a JSONL shard's "ids"), formatted from a table:
 * the text ", N" of every id below LC_IDTEXT_TABLE is 8 bytes in the table (the last
 * byte holding its length), so an id costs one 8-byte copy.  Larger ids are formatted
 * digit by digit.  Same bytes as lc_wds_format_ids.
 *
 * Ownership: lc_idtext_new() allocates the table (800 kB); lc_idtext_free() frees it.
 * A table is read-only once made: threads may share it.
 */
#ifndef LC_IDTEXT_H
#define LC_IDTEXT_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define LC_IDTEXT_TABLE 100000   /* ids with at most 5 digits: ", " + 5 digits + length */

typedef struct lc_idtext lc_idtext;

lc_idtext *lc_idtext_new(void);
void lc_idtext_free(lc_idtext *t);

/* Bytes lc_idtext_put may touch for n ids: the text is at most 12 bytes an id, and
 * 8-byte copies may write a few bytes past its end. */
#define LC_IDTEXT_ROOM(n) ((size_t)(n) * 12 + 16)

/* Writes "[1, 2, 3]" (the n ids of tok) at o, which has LC_IDTEXT_ROOM(n) bytes;
 * returns the end of the text (no NUL). */
char *lc_idtext_put(const lc_idtext *t, char *o, const uint32_t *tok, size_t n);

/* Same for ids held in 16 bits (every one of them is in the table). */
char *lc_idtext_put16(const lc_idtext *t, char *o, const uint16_t *tok, size_t n);

/* Appends "[1, 2, 3]" (the n ids of tok) to b. */
void lc_idtext_format(const lc_idtext *t, lc_buf *b, const uint32_t *tok, size_t n);

/* Writes id v in decimal at o; returns the end (no NUL).  At most 10 bytes. */
char *lc_idtext_u32(char *o, uint32_t v);
#endif
