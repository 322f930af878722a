/*
 * wds — writes a decomposed dataset directory: length buckets of token sequences as
 * WebDataset tar shards (the Dataset Decomposition reference layout), JSONL shards or
 * flat binary token files, with per-bucket manifests and a stats file.
 *
 * Layout of DIR (see lctk-formats(5), DECOMPOSED DATASETS):
 *   DIR/D_k/shard-%07d.tar   members "{key:012d}.txt" holding "[1, 2, 3]", key = index
 *                            within the shard (as the reference's writer numbers them)
 *   DIR/D_k/shard-%07d.jsonl (--format jsonl) one {"ids":[...]} line per sequence
 *   DIR/D_k/tokens.bin       (--format bin) all sequences, little-endian uint32,
 *   DIR/D_k/index.bin        n+1 little-endian uint64 token offsets (sequence i is
 *                            tokens [index[i], index[i+1]) ); "shards" are consecutive
 *                            runs of sequences in manifest order
 *   DIR/D_k/manifest.jsonl   {"shard": "shard-0000000", "num_sequences": N} per shard
 *   DIR/stats.txt            the reference's get_stats.py layout (also printed)
 *   DIR/lcdecompose.json     counters (documents, tokens kept/dropped, parameters)
 * Baseline methods use buckets named L_LEN instead of D_k.
 *
 * Shuffling follows the reference: a bucket with shard size S collects sequences in a
 * pool; when the pool holds pool*S sequences (pool = 20) a uniformly random ordered
 * S-subset is drawn (partial Fisher-Yates with lc_rng) and written as the next shard.
 * At the end the rest is shuffled and written in shards of S; the last shard of a
 * bucket may be short (the reference drops it silently; with full_shards = 1 it is
 * dropped here too and counted in dropped_tail).
 *
 * Safety: each shard is written to ".NAME.tmp" and renamed; every file and directory
 * the writer creates is remembered, and a failure (lc_die, SIGINT/SIGTERM/SIGHUP, or
 * the caller calling lc_wds_abort) removes them all, so a failed run leaves no dataset.
 * A write error (ENOSPC, EIO) is reported as "DIR/D_k/shard-0000003.tar: No space left
 * on device".
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
} lc_wds_opts;

typedef struct lc_wds lc_wds;

/* The reference shard size for bucket k: min(2^(20-k), 65536), at least 1. */
size_t lc_wds_shard_size(int k);

/* Creates dir (refusing an existing non-empty one unless o->force). */
lc_wds *lc_wds_open(const lc_wds_opts *o, lc_err *e);

/* Declares a bucket ("D_8", sequences of at most max_len tokens, nominal training
 * length seq_len for the stats, shard size S).  Returns its id (>= 0). */
int lc_wds_bucket(lc_wds *w, const char *name, size_t max_len, uint64_t seq_len, size_t shard_size);

/* Adds one sequence (copied).  0 or -1 + e on a write error. */
int lc_wds_add(lc_wds *w, int bucket, const uint32_t *tok, size_t n, lc_err *e);

/* Flushes pools, writes manifests, stats.txt and DIR/lcdecompose.json = info (an
 * object {"params": {...}, "counters": {...}}; borrowed; NULL = none) to which close
 * adds counters "tail_dropped_sequences" and "tail_dropped_tokens" (full_shards).
 * The stats text (reference layout) is appended to stats_out if not NULL.
 * *tail_tokens (may be NULL) receives the tokens dropped by full_shards.  Frees w;
 * on error everything written is removed. */
int lc_wds_close(lc_wds *w, json_t *info, struct lc_buf *stats_out, uint64_t *tail_tokens, lc_err *e);
/* Removes everything written so far; frees w. */
void lc_wds_abort(lc_wds *w);

/* Merges datasets srcs[0..n) (same format) into a new dataset dir: shards renumbered
 * bucket by bucket in argument order, manifests joined, counters of lcdecompose.json
 * summed, stats recomputed.  Files are hard-linked when possible, else copied. */
int lc_wds_merge(const char *dir, int force, char *const *srcs, int n, struct lc_buf *stats_out, lc_err *e);

/* The buckets of an existing dataset dir (D_k and L_LEN subdirectories with their
 * manifests), sorted D before L, then by number.  *out is malloc'd (free it). */
typedef struct lc_wds_binfo {
	char name[64];
	char kind;              /* 'D' or 'L' */
	long num;               /* k for D_k, LEN for L_LEN */
	uint64_t seq_len;       /* 2^k or LEN */
	uint64_t shards, seqs;  /* from manifest.jsonl (num_sequences or num_chunks) */
} lc_wds_binfo;
int lc_wds_buckets(const char *dir, lc_wds_binfo **out, size_t *n, lc_err *e);

/* Stats in the reference layout for an existing dataset dir (reads manifests). */
int lc_wds_stats(const char *dir, struct lc_buf *out, lc_err *e);

/* Formats "[1, 2, 3]" into b (appends). */
void lc_wds_format_ids(struct lc_buf *b, const uint32_t *tok, size_t n);
#endif
