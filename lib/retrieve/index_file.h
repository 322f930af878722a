/*
 * index_file — the one-file BM25 index: writer, validated memory-mapped reader, merge.
 *
 * The file is one little-endian image meant to be mmap'ed and used in place (no
 * load step: opening checks sizes and checksums, nothing is decoded up front).
 * Layout (version 2; all offsets from the start of the file, sections 8-byte aligned):
 *
 *   0   char[8] magic "LCTKBM25"
 *   8   u32 version (2)          12  u32 header size (256)
 *   16  u32 analyser flags (1 = Snowball English stemming, 2 = stopwords)
 *   20  u32 shard k              24  u32 shard n       (1/1 = a complete index)
 *   28  u32 reserved (0)
 *   32  u64 documents N          40  u64 terms T
 *   48  u64 postings             56  u64 total document length (terms)
 *   64  u64 file size
 *   72  10 x {u64 offset, u64 size} sections, in this order:
 *       STOP     the stopword list, "word\n" each (empty without stopwords)
 *       DOCLEN   u32[N] document lengths (terms after analysis)
 *       PIDOFF   u64[N+1] offsets of each pid in PIDS
 *       PIDS     pid bytes, concatenated, corpus order
 *       TERMOFF  u64[T+1] offsets of each term in TERMS
 *       TERMS    term bytes, concatenated, sorted bytewise ascending
 *       POSTOFF  u64[T+1] offsets of each term's postings in POST
 *       POST     per term: df, then df pairs (doc gap, tf), all LEB128 varints;
 *                doc gaps are doc - previous doc (the first is the doc number itself);
 *                docs ascend
 *       BLKOFF   u64[T+1] first block of each term in BLOCKS (in blocks)
 *       BLOCKS   skip and score-bound data (lc_index_block, 32 bytes each): a term
 *                with df > LC_INDEX_BLOCK postings has ceil(df / LC_INDEX_BLOCK)
 *                blocks of LC_INDEX_BLOCK postings (the last one shorter); a term
 *                with fewer postings has none (a reader scans them).  Derived from
 *                the postings and DOCLEN alone, so merge and build still agree.
 *   232 u64 run key of a --shard part: its command line's (lc_part_run_key), equal for
 *       the parts of one split, which merge checks; 0 for a complete index
 *   240 u8[8] reserved (0)
 *   248 u32 CRC-32 (zlib) of bytes [256, file size)
 *   252 u32 CRC-32 of bytes [0, 252)
 *
 * Version 1 (the same without BLKOFF and BLOCKS, 48 reserved bytes at 200) is still
 * read: blkoff and blocks are then NULL and searches score every posting.
 *
 * Document numbers are corpus order (0-based).  The bytes depend only on the
 * documents, their order and the analyser, so a build and a merge of shards of the
 * same corpus are byte-identical.  A shard K/N holds the records i with
 * i % N == K-1 (0-based record number over all input files), renumbered 0..; merge
 * interleaves them back.
 *
 * Ownership: lc_index_open() maps the file, lc_index_close() unmaps/frees.
 */
#ifndef LC_INDEX_FILE_H
#define LC_INDEX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define LC_INDEX_MAGIC "LCTKBM25"
#define LC_INDEX_VERSION 2
#define LC_INDEX_HDR 256
#define LC_INDEX_BLOCK 128
/* BM25 parameters the blocks' best (tf, dl) pair is chosen for (bm25.h defaults) */
#define LC_INDEX_BOUND_K1 0.9
#define LC_INDEX_BOUND_B 0.4

/* One block of LC_INDEX_BLOCK postings of a term.  Bounds hold for every posting
 * in the block: tf <= maxtf, dl >= mindl; (btf, bdl) is the posting whose
 * tf / (tf + k1 (1 - b) + k1 b dl / avgdl) is largest under LC_INDEX_BOUND_K1/B
 * (avgdl of this index), the first such. */
typedef struct lc_index_block {
	uint64_t end;        /* byte offset just past the block, from the term's postings start */
	uint32_t last;       /* last document of the block */
	uint32_t maxtf, mindl, btf, bdl;
	uint32_t pad;        /* 0 */
} lc_index_block;

typedef struct lc_index {
	const unsigned char *base;
	size_t size;
	uint32_t flags, shard_k, shard_n;
	uint64_t run;    /* a --shard part's run key (0: none) */
	uint64_t n_docs, n_terms, n_postings, total_len;
	const char *stop;
	size_t stop_len;
	const uint32_t *doclen;
	const uint64_t *pidoff;
	const char *pids;
	const uint64_t *termoff;
	const char *terms;
	const uint64_t *postoff;
	const unsigned char *post;
	size_t post_size;
	uint32_t version;
	const uint64_t *blkoff;              /* NULL in version 1 */
	const lc_index_block *blocks;        /* NULL in version 1 */
	/* private */
	void *mem;       /* malloc'd image (lc_index_from_mem with take) */
	void *map;       /* mmap'ed image */
} lc_index;

/* What the writer serialises.  Terms sorted bytewise; postings per term (sorted
 * rank) at post_start[t]..post_start[t+1] in post_doc/post_tf, docs ascending. */
typedef struct lc_index_src {
	unsigned flags;
	const char *stop;
	size_t stop_len;
	uint32_t shard_k, shard_n;
	uint64_t run;    /* the run key of a --shard part, 0 for a complete index */
	uint64_t n_docs;
	const char *const *pids;
	const uint32_t *doclen;
	uint64_t n_terms;
	const char *const *terms;
	const uint32_t *term_len;
	const uint64_t *post_start;
	const uint32_t *post_doc, *post_tf;
} lc_index_src;

/* Block bounds as the writer computes them (also for builders that stream). */
typedef struct lc_index_bounder {
	double base, slope;
} lc_index_bounder;
void lc_index_bounder_init(lc_index_bounder *bd, uint64_t n_docs, uint64_t total_len);
/* Folds posting (tf, dl) into b; first = it starts the block (b is reset). */
void lc_index_bounder_add(const lc_index_bounder *bd, lc_index_block *b, int first, uint32_t tf, uint32_t dl);

/* For writers that stream (bm25_build.c): the header of an image with sections
 * off/size[LC_INDEX_NSEC] in layout order and body_crc = CRC-32 of bytes
 * [LC_INDEX_HDR, fsize); lc_index_crc continues a CRC-32 (start with 0). */
#define LC_INDEX_NSEC 10
void lc_index_put_header(unsigned char *h, unsigned flags, uint32_t shard_k, uint32_t shard_n, uint64_t run, uint64_t n_docs,
                         uint64_t n_terms, uint64_t n_postings, uint64_t total_len, uint64_t fsize,
                         const uint64_t *off, const uint64_t *size, uint32_t body_crc);
uint32_t lc_index_crc(uint32_t crc, const void *p, size_t n);

/* Appends the serialised image to out (out->p is malloc'd, 8-byte aligned). */
void lc_index_write(lc_buf *out, const lc_index_src *s);
/* Maps and validates path: "PATH: not an lctk BM25 index", "PATH: index version V ...",
 * "PATH: truncated ...", "PATH: checksum mismatch ...", "PATH: corrupt index (...)".
 * Beyond the checksums, every section size and offset and every count (N, T, each
 * term's document frequency, the postings total) is checked against the bytes that
 * hold it, so a crafted file with valid checksums cannot make a reader loop or
 * read outside the image.  The body is read for these checks through the file
 * descriptor, not the mapping, so after opening no postings page is resident
 * (a search maps in only what it reads).  0 or -1 + e. */
int lc_index_open(lc_index *ix, const char *path, lc_err *e);
/* Validates an image in memory; take = free(mem) on close. */
int lc_index_from_mem(lc_index *ix, void *mem, size_t n, int take, const char *name, lc_err *e);
void lc_index_close(lc_index *ix);

/* Term number of t, or -1. */
long lc_index_find_term(const lc_index *ix, const char *t, size_t n);
static inline const char *lc_index_pid(const lc_index *ix, uint64_t d, size_t *len)
{
	*len = (size_t)(ix->pidoff[d + 1] - ix->pidoff[d]);
	return ix->pids + ix->pidoff[d];
}

/* Postings cursor: lc_post_begin then lc_post_next until it returns 0. */
typedef struct lc_post {
	const unsigned char *p, *end;
	uint64_t left;
	uint32_t doc, tf;
	int first;
} lc_post;
void lc_post_begin(const lc_index *ix, uint64_t term, lc_post *c);   /* c->left = df */
/* LEB128 (the postings' numbers): v appended to b; the bytes it takes */
void lc_varint_put(lc_buf *b, uint64_t v);
static inline unsigned lc_varint_len(uint64_t v)
{
	unsigned n = 1;
	while (v >>= 7)
		n++;
	return n;
}
static inline uint64_t lc_varint(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;
	int sh = 0;
	while (p < end) {
		unsigned char b = *p++;
		v |= (uint64_t)(b & 0x7F) << sh;
		if (!(b & 0x80))
			break;
		sh += 7;
		if (sh > 63)
			break;
	}
	*pp = p;
	return v;
}
static inline int lc_post_next(lc_post *c)
{
	if (!c->left)
		return 0;
	c->left--;
	uint64_t g = lc_varint(&c->p, c->end);
	c->doc = c->first ? (uint32_t)g : c->doc + (uint32_t)g;
	c->first = 0;
	c->tf = (uint32_t)lc_varint(&c->p, c->end);
	return 1;
}

/* Merges shard images 1/N..N/N (any order) into the complete index image in out.
 * names are used in messages.  Checks the shards agree (analyser, N, run key when
 * they have one) and that pids stay unique. */
int lc_index_merge(lc_buf *out, const lc_index *parts, const char *const *names, size_t n, lc_err *e);

#endif
