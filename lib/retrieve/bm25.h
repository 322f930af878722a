/*
 * bm25 — BM25 retrieval over an lctk index (built in memory or memory-mapped).
 *
 * Scoring (Lucene/Anserini): for each query term t with query frequency qtf,
 *   idf(t)  = ln(1 + (N - df + 0.5) / (df + 0.5))
 *   score  += qtf * idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
 * with N documents, df documents containing t, tf its count in the document, dl the
 * document length and avgdl the mean length, both in analysed terms (exact, not
 * Lucene's lossy one-byte norms).  Defaults k1 = 0.9, b = 0.4.  Query and documents
 * go through the analyser stored in the index (analyze.h).  Query terms absent from
 * the index contribute nothing.  Only documents sharing at least one term with the
 * query are returned (so fewer than k hits is possible).
 * Ties: hits are ordered by score descending, then by document number (corpus order)
 * ascending; scores are summed in double precision in query-term order, so results
 * are deterministic.
 *
 * Substitution (for CoLoR labelling): lc_bm25_search_subst() ranks as if document
 * `doc` had the text `text`.  The index statistics N, df and avgdl stay FIXED at their
 * indexed values (the candidate's terms do not change df, its length does not change
 * avgdl); the candidate's own tf and dl are used.  lc_bm25_score_text() scores any
 * text the same way.
 *
 * Threads: an lc_bm25 is read-only after build/open.  Analysis and score accumulation
 * need per-thread state: an lc_bm25_ctx (one per thread).  lc_bm25_search() without
 * a ctx is thread-safe too (it uses an internal ctx under a lock, or a temporary one).
 *
 * Ownership: lc_bm25_build/open allocate, lc_bm25_free releases (and unmaps);
 * lc_bm25_pid() points into the index; lc_bm25_query_free() frees a parsed query.
 */
#ifndef LC_BM25_H
#define LC_BM25_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "buf.h"
#include "corpus.h"
#include "err.h"
#include "index_file.h"
#include "pidstore.h"

typedef struct lc_bm25_opts {
	double k1, b;              /* 0 = defaults 0.9 / 0.4 (set b_set to use b = 0) */
	int b_set;
	lc_analyze_opts an;        /* build only; an.flags 0 with an_set = no stem, no stop */
	int an_set;                /* 0 = LC_ANALYZE_DEFAULT_FLAGS */
} lc_bm25_opts;

typedef struct lc_bm25_hit {
	uint32_t doc;              /* document number (corpus row) */
	double score;
} lc_bm25_hit;

typedef struct lc_bm25 lc_bm25;
typedef struct lc_bm25_ctx lc_bm25_ctx;

/* A parsed query: distinct index terms with their weights (qtf * idf). */
typedef struct lc_bm25_query {
	size_t n;
	uint32_t *term;            /* index term numbers */
	uint32_t *qtf;
	double *w;                 /* qtf * idf */
	char **str;                /* term strings (for substitution scoring) */
	size_t *len;
} lc_bm25_query;

/* In-memory index over a loaded corpus (text rule: lc_passage_text).  NULL + e. */
lc_bm25 *lc_bm25_build(const lc_corpus *c, const lc_bm25_opts *opts, lc_err *e);
/* Memory-maps an index file; opts gives k1/b (NULL = defaults).  NULL + e. */
lc_bm25 *lc_bm25_open(const char *path, const lc_bm25_opts *opts, lc_err *e);
void lc_bm25_free(lc_bm25 *bm);

size_t lc_bm25_ndocs(const lc_bm25 *bm);
const lc_index *lc_bm25_index(const lc_bm25 *bm);
/* NUL-terminated pid of doc: copied into buf (valid until buf changes). */
const char *lc_bm25_pid(const lc_bm25 *bm, uint32_t doc, lc_buf *buf);

lc_bm25_ctx *lc_bm25_ctx_new(const lc_bm25 *bm);
void lc_bm25_ctx_free(lc_bm25_ctx *ctx);

/* Top k of query into hits[0..k); returns the number of hits (<= k). */
size_t lc_bm25_search(const lc_bm25 *bm, const char *query, size_t k, lc_bm25_hit *hits);
size_t lc_bm25_search_ctx(lc_bm25_ctx *ctx, const char *query, size_t k, lc_bm25_hit *hits);

/* Parse once, search many times. */
void lc_bm25_query_parse(lc_bm25_ctx *ctx, const char *query, lc_bm25_query *q);
void lc_bm25_query_free(lc_bm25_query *q);
size_t lc_bm25_search_query(lc_bm25_ctx *ctx, const lc_bm25_query *q, size_t k, lc_bm25_hit *hits);
/* As lc_bm25_search_query with document doc's text replaced by text[0..len). */
size_t lc_bm25_search_subst(lc_bm25_ctx *ctx, const lc_bm25_query *q, uint32_t doc,
                            const char *text, size_t len, size_t k, lc_bm25_hit *hits);
/* BM25 score of an arbitrary text against q under the index statistics. */
double lc_bm25_score_text(lc_bm25_ctx *ctx, const lc_bm25_query *q, const char *text, size_t len);

/* --- building index files (lcindex) ------------------------------------------ */
typedef struct lc_bm25_builder lc_bm25_builder;
lc_bm25_builder *lc_bm25_builder_new(const lc_analyze_opts *an, lc_err *e);  /* NULL = defaults */
/* Adds the next document (pid must be unique: the caller checks).  0, or -1 once
 * the builder has failed (with a memory limit: postings or pids could not be
 * spilled), when adding more is wasted work: lc_bm25_builder_error() tells why
 * (lc_bm25_builder_output() would report the same). */
int lc_bm25_builder_add(lc_bm25_builder *b, const char *pid, const char *text, size_t len);
/* 0 while the builder is sound; -1 + e (a copy of the failure) once it is not. */
int lc_bm25_builder_error(const lc_bm25_builder *b, lc_err *e);
size_t lc_bm25_builder_ndocs(const lc_bm25_builder *b);
/* The run key a --shard part's header carries (index_file.h; default 0, a complete index). */
void lc_bm25_builder_set_run(lc_bm25_builder *b, uint64_t run);
/* 1 if document doc's pid is pid[0..len), 0 if not (or no such document), -1 + e
 * (reading back spilled pids).  A scan of the pids: for checking a hash match. */
int lc_bm25_builder_pid_is(const lc_bm25_builder *b, size_t doc, const char *pid, size_t len, lc_err *e);
/* Every pid added so far, in document order, through fn (lc_pidstore_scan's
 * contract: fn's non-zero value stops it and is returned; -1 + e on a read error). */
int lc_bm25_builder_pid_scan(const lc_bm25_builder *b, lc_pid_fn fn, void *arg, lc_err *e);
/* Bytes of postings and pids held in memory (0 = no limit, the library's default;
 * lcindex's is 32M): past seven eighths of it postings are spilled as a sorted
 * run to a temporary file ($TMPDIR, else /tmp) and merged at the end, past a
 * sixteenth the pids go to one (lib/retrieve/pidstore); nothing is created
 * before.  The output is the same bytes.  Set before the first document.  The
 * last sixteenth is the caller's duplicate-pid check (lcindex's lib/retrieve/
 * pidset): lc_bm25_pid_check_share(limit) bytes. */
void lc_bm25_builder_set_memory(lc_bm25_builder *b, size_t limit);
size_t lc_bm25_pid_check_share(size_t limit);
size_t lc_bm25_builder_runs(const lc_bm25_builder *b);   /* runs spilled so far */
/* Serialises the index image (shard k/n; 1/1 = complete) into out (appended).
 * The builder is spent: release it with lc_bm25_builder_free().  For a builder
 * without a memory limit, which cannot fail; with one, use lc_bm25_builder_output()
 * (here a failed spill leaves out as it was). */
void lc_bm25_builder_finish(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, lc_buf *out);
/* The same image written to o: one within the memory limit through memory, a
 * larger one through a temporary file ($TMPDIR, else /tmp), so no copy of it is
 * held in memory (without a limit and without the file, through memory).  0 or
 * -1 + e (with a limit, no temporary file for a larger image is an error). */
struct lc_output;
int lc_bm25_builder_output(lc_bm25_builder *b, uint32_t shard_k, uint32_t shard_n, struct lc_output *o, lc_err *e);
void lc_bm25_builder_free(lc_bm25_builder *b);

#endif
