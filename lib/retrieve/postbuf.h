/*
 * postbuf — the postings of an index being built, keyed by term string, held
 * within a memory limit (lcindex's budget, --memory) whatever the vocabulary.
 *
 * The current run is in memory: a term dictionary (strmap: the run's terms
 * numbered 0, 1, ... in the order they first came) and per term a chain of
 * 32-byte chunks of LEB128 (doc gap, tf) pairs, about 3 bytes a posting.  When
 * the run's bytes, chunks and dictionary together, pass the limit,
 * lc_postbuf_spill() writes the run, its terms in bytewise order of their
 * strings, to an unlinked temporary file ($TMPDIR, else /tmp) and empties
 * memory, dictionary included; the file is created at the first spill, so
 * postings that never pass the limit need no TMPDIR.
 *
 * Reading merges the runs and what is still in memory by term string: every
 * distinct term once, in bytewise order, with its document frequency, the bytes
 * its (gap, tf) pairs take as one list (the first gap being the first document),
 * and its postings in ascending document order (documents must be added in
 * ascending order).  lc_postbuf_rewind() starts a merge, so it can be done twice
 * (an index image is sized, then written).  No term may be added once reading
 * has started.
 *
 * Ownership: lc_postbuf_new allocates, lc_postbuf_free releases (and closes the
 * temporary file).  Strings handed out while reading stay valid until the next
 * lc_postbuf_next_term.  Errors (the temporary file) are returned through lc_err.
 */
#ifndef LC_POSTBUF_H
#define LC_POSTBUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct lc_postbuf lc_postbuf;

/* limit: bytes of a run (chunks + dictionary) that make lc_postbuf_full() true (0 = never). */
lc_postbuf *lc_postbuf_new(size_t limit);
void lc_postbuf_free(lc_postbuf *pb);

/* --- building --- */
/* The current run's number for term s[0..n), added if new (numbers start again after a spill). */
uint32_t lc_postbuf_term(lc_postbuf *pb, const char *s, size_t n);
/* term (a number of the current run) is in doc tf times; doc >= every doc added before. */
void lc_postbuf_add(lc_postbuf *pb, uint32_t term, uint32_t doc, uint32_t tf);
size_t lc_postbuf_bytes(const lc_postbuf *pb);   /* of the current run */
int lc_postbuf_full(const lc_postbuf *pb);
size_t lc_postbuf_runs(const lc_postbuf *pb);
/* Writes the current run (if it has a term) and empties memory.  0 or -1 + e. */
int lc_postbuf_spill(lc_postbuf *pb, lc_err *e);

/* --- reading: the merge --- */
typedef struct lc_postbuf_entry {
	const char *str;           /* the term (not NUL-terminated) */
	size_t len;
	uint64_t df;               /* documents */
	uint64_t bytes;            /* of its (gap, tf) pairs as one LEB128 list */
} lc_postbuf_entry;

/* Starts (or starts again) the merge.  0 or -1 + e. */
int lc_postbuf_rewind(lc_postbuf *pb, lc_err *e);
/* The next term: 1, 0 after the last, -1 + e.  Its postings need not be read. */
int lc_postbuf_next_term(lc_postbuf *pb, lc_postbuf_entry *t, lc_err *e);
/* The current term's next posting: 1, 0 after its last, -1 + e. */
int lc_postbuf_next(lc_postbuf *pb, uint32_t *doc, uint32_t *tf, lc_err *e);

#endif
