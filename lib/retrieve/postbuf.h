/*
 * postbuf — postings of an index being built, compact in memory and spilled to
 * sorted runs on disk past a memory limit (lcindex's budget, --memory).
 *
 * Postings are added in ascending document order.  In memory each term's list is
 * a chain of 32-byte chunks of LEB128 (doc gap, tf) pairs (about 3 bytes a
 * posting instead of the 16 of two arrays of structs).  When the chunks pass the
 * limit, lc_postbuf_spill() writes every non-empty list, in the term order the
 * caller gives, as one run to an unlinked temporary file ($TMPDIR, else /tmp) and
 * empties memory; the file is created at the first spill, so postings that never
 * pass the limit need no TMPDIR.  Reading back (lc_postbuf_open_term/next) visits terms in the same
 * order (every run lists its terms in it), each term's runs oldest first and then
 * what is still in memory, so the documents come out ascending.
 *
 * Ownership: lc_postbuf_new allocates, lc_postbuf_free releases (and closes the
 * temporary file).  Errors (the temporary file) are returned through lc_err.
 */
#ifndef LC_POSTBUF_H
#define LC_POSTBUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct lc_postbuf lc_postbuf;

/* limit: bytes of chunks that make lc_postbuf_full() true (0 = never). */
lc_postbuf *lc_postbuf_new(size_t limit);
void lc_postbuf_free(lc_postbuf *pb);

void lc_postbuf_add(lc_postbuf *pb, uint32_t term, uint32_t doc, uint32_t tf);
int lc_postbuf_full(const lc_postbuf *pb);
size_t lc_postbuf_runs(const lc_postbuf *pb);
/* Writes a run: the terms in order[0..n) (every term with postings must be there,
 * in the order reading will use).  0 or -1 + e. */
int lc_postbuf_spill(lc_postbuf *pb, const uint32_t *order, size_t n, lc_err *e);

/* Reading: call lc_postbuf_open_term for terms in the spill order, then
 * lc_postbuf_next until it returns 0 (or -1 + e on a read error). */
int lc_postbuf_open_term(lc_postbuf *pb, uint32_t term, lc_err *e);
int lc_postbuf_next(lc_postbuf *pb, uint32_t *doc, uint32_t *tf, lc_err *e);

#endif
