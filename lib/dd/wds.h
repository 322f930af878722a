/*
 * wds — writes a decomposed dataset directory: length buckets of token sequences as
 * WebDataset tar shards (the Dataset Decomposition reference layout), JSONL shards or
 * flat binary token files, with per-bucket manifests and a stats file.
 *
 * Layout of DIR (see lctk-formats(5), DECOMPOSED DATASETS).  The top level holds only
 * the bucket directories, so that the reference's scripts (get_stats.py reads every
 * entry of DIR as a bucket "X_k") run on it unchanged:
 *   DIR/D_k/shard-%07d.tar   members "{key:012d}.txt" holding "[1, 2, 3]", key = index
 *                            within the shard (as the reference's writer numbers them);
 *                            with o.eot_text a sequence that ends its document ends
 *                            with that text instead of the id ("[1, 2, '<|endoftext|>']",
 *                            Python's str() of the reference's list).  An empty bucket
 *                            holds one empty shard, as the reference's ShardWriter leaves
 *   DIR/D_k/shard-%07d.jsonl (--format jsonl) one {"ids":[...]} line per sequence
 *   DIR/D_k/tokens.bin       (--format bin) all sequences, little-endian uint32,
 *   DIR/D_k/index.bin        n+1 little-endian uint64 token offsets (sequence i is
 *                            tokens [index[i], index[i+1]) ); "shards" are consecutive
 *                            runs of sequences in manifest order
 *   DIR/D_k/manifest.jsonl   {"shard": "shard-0000000", "num_sequences": N} per shard
 *   DIR/D_k/lcdecompose.json counters (documents, tokens kept/dropped, parameters), the
 *                            same copy in every bucket (older datasets: DIR/lcdecompose.json
 *                            and DIR/stats.txt, still read and replaced)
 * The stats (the reference's get_stats.py layout) are returned to the caller, which
 * prints them.
 * Baseline methods use buckets named L_LEN instead of D_k.
 *
 * Shuffling follows the reference: a bucket with shard size S collects sequences in a
 * pool; when the pool holds pool*S sequences (pool = 20) a uniformly random ordered
 * S-subset is drawn (partial Fisher-Yates with lc_rng) and written as the next shard.
 * At the end the rest is shuffled and written in shards of S; the last shard of a
 * bucket may be short: with full_shards = 1 it is dropped, as the reference does (and
 * as OpenLM's loader would skip it), and counted in tail_dropped_*.
 *
 * The pools hold ids in 16 bits until a bucket takes one of 65536 or more (then 32),
 * in address ranges reserved once per pool, on huge pages where the kernel has them
 * (lib/dd/resv): only the slots filled take memory.
 * Tar shards are written with O_DIRECT where the file system allows it (lib/dd/dfile):
 * members are formatted in an aligned buffer that goes to the device without a copy
 * into the page cache.
 * Safety: each shard is written to ".NAME.tmp", fsynced and renamed; bucket
 * directories and DIR are fsynced at the end, and DIR's parent once DIR is in place
 * (LCTK_NO_SYNC=1 in the environment skips every fsync, for scratch work).  Every
 * file and directory the writer creates is remembered, and a failure (lc_die,
 * SIGINT/SIGTERM/SIGHUP, or the caller calling lc_wds_abort) removes them all, so a
 * failed run leaves no dataset.  Replacing an earlier output (force) builds the new
 * one in a sibling "PARENT/.NAME.lctk-XXXXXX" and exchanges the two directories only
 * when the new one is complete (renameat2 RENAME_EXCHANGE, else two renames), then
 * removes the old one; a failure leaves the old dataset as it was.
 * A write error (ENOSPC, EIO) is reported as "DIR/D_k/shard-0000003.tar: No space left
 * on device" (naming the sibling when replacing).
 *
 * Ownership: lc_wds_open() allocates; lc_wds_close() (success) or lc_wds_abort() frees.
 */
#ifndef LC_WDS_H
#define LC_WDS_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "buf.h"
#include "err.h"

typedef enum { LC_WDS_TAR, LC_WDS_JSONL, LC_WDS_BIN } lc_wds_format;

typedef struct lc_wds_opts {
	const char *dir;
	int force;            /* replace an earlier lcdecompose output in dir */
	lc_wds_format format;
	uint64_t seed;        /* shuffle seed */
	int pool;             /* shuffle pool in shards; 0 = 20 */
	int full_shards;      /* drop a final short shard, as the reference does */
	const char *eot_text; /* tar: written in place of the last id of a sequence that ends
	                         its document (lc_wds_add_ex ends_doc); NULL = the id */
} lc_wds_opts;

typedef struct lc_wds lc_wds;

/* The reference shard size for bucket k: min(2^(20-k), 65536), at least 1. */
size_t lc_wds_shard_size(int k);

/* Creates dir (refusing an existing non-empty one unless o->force; then the new
 * dataset is built beside it and replaces it in lc_wds_close). */
lc_wds *lc_wds_open(const lc_wds_opts *o, lc_err *e);

/* Declares a bucket ("D_8", sequences of at most max_len tokens, nominal training
 * length seq_len for the stats, shard size S).  Returns its id (>= 0). */
int lc_wds_bucket(lc_wds *w, const char *name, size_t max_len, uint64_t seq_len, size_t shard_size);

/* Adds one sequence (copied).  0 or -1 + e on a write error. */
int lc_wds_add(lc_wds *w, int bucket, const uint32_t *tok, size_t n, lc_err *e);
/* Same, with flags: LC_WDS_ENDS_DOC when tok[n-1] is the end-of-text appended to
 * its document (written as o.eot_text in tar shards when that is set),
 * LC_WDS_CROSSING when the sequence holds more than one document (counted in
 * lc_wds_tail if it is dropped). */
enum { LC_WDS_ENDS_DOC = 1, LC_WDS_CROSSING = 2 };
int lc_wds_add_ex(lc_wds *w, int bucket, const uint32_t *tok, size_t n, int flags, lc_err *e);

/* What the short final shards dropped by full_shards held: sequences, tokens,
 * attention cost (each sequence its bucket's seq_len squared), padding (each
 * sequence max_len - its length) and sequences crossing a document boundary. */
typedef struct lc_wds_tail {
	uint64_t seqs, tokens, attn, padded, crossing;
} lc_wds_tail;

/* Flushes pools, writes manifests and DIR/D_k/lcdecompose.json = info (an
 * object {"params": {...}, "counters": {...}}; borrowed; NULL = none) to which close
 * adds counters "tail_dropped_sequences" and "tail_dropped_tokens" (full_shards),
 * fsyncs, and puts the dataset in place.
 * The stats text (reference layout) is appended to stats_out if not NULL.
 * *tail (may be NULL) receives what full_shards dropped.  Frees w; on error
 * everything written is removed. */
int lc_wds_close(lc_wds *w, json_t *info, struct lc_buf *stats_out, lc_wds_tail *tail, lc_err *e);
/* Removes everything written so far; frees w. */
void lc_wds_abort(lc_wds *w);

/* Merges datasets srcs[0..n) (same format) into a new dataset dir: shards renumbered
 * bucket by bucket in argument order, manifests joined, counters of lcdecompose.json
 * summed, stats recomputed.  Files are hard-linked when possible, else copied.
 * Empty shards are not joined; a bucket left without shards gets one empty shard
 * (what one process writes).  force replaces dir as lc_wds_close does. */
int lc_wds_merge(const char *dir, int force, char *const *srcs, int n, struct lc_buf *stats_out, lc_err *e);

/* The buckets of an existing dataset dir (D_k and L_LEN subdirectories with their
 * manifests), sorted D before L, then by number.  *out is malloc'd (free it). */
typedef struct lc_wds_binfo {
	char name[64];
	char kind;              /* 'D' or 'L' */
	long num;               /* k for D_k, LEN for L_LEN */
	uint64_t seq_len;       /* 2^k or LEN */
	uint64_t shards, seqs;  /* from manifest.jsonl (num_sequences or num_chunks) */
	uint64_t max_shard;     /* the largest shard's sequences */
	uint64_t full_shards;   /* shards holding max_shard (> 0) sequences: the ones OpenLM's
	                           DD loader reads; it skips every other shard */
} lc_wds_binfo;
int lc_wds_buckets(const char *dir, lc_wds_binfo **out, size_t *n, lc_err *e);

/* Stats in the reference layout for an existing dataset dir (reads manifests). */
int lc_wds_stats(const char *dir, struct lc_buf *out, lc_err *e);

/* Formats "[1, 2, 3]" into b (appends). */
void lc_wds_format_ids(struct lc_buf *b, const uint32_t *tok, size_t n);
#endif
