/*
 * fuse — rank fusion of several runs as ranx's fuse() computes it (ranx
 * fusion/NAME.py and normalization/NAME.py): RRF, CombSUM, CombMNZ, CombMAX,
 * CombMIN, CombMED, CombANZ and weighted sum, after one of ranx's score
 * normalisations (min-max, max, sum, z-score, rank, borda).
 *
 * Input: runs read with lib/eval/run (any format it reads).  lc_fuse_load() builds,
 * per query of the union of the runs' qids (strcmp order, as ranx sorts its
 * keys), the candidate set (every docid any run retrieved for it, strcmp order)
 * and a score matrix: one row per candidate, one column per run, NaN where the
 * run did not retrieve the doc.  A run lacking a query counts as an empty
 * result list for it (ranx's make_comparable); a docid repeated within one
 * query of one run keeps its last score (ranx reads runs into a dict).
 *
 * Ranking inside a run (RRF's rank, rank and borda normalisation): score
 * descending, equal scores by docid ascending (strcmp); rank 1 is the best.
 * The fused list is ordered the same way.  ranx sorts with numba's unstable
 * quicksort, so its order among equal scores is unspecified; this is the one
 * deterministic choice, documented in lcfuse(1).
 *
 * Sums run over the runs in the order given, from 0.0, one addition at a time,
 * as ranx's njit code does, so scores are bit-for-bit ranx's formulas.  Where
 * ranx's doubles overflow to inf or NaN on the way to a finite result (CombSUM
 * of 1e308, 1e308 and -1e308, CombANZ/CombMED's mean of 1e308 and 1e308,
 * minmax/sum/zscore of scores near 1e308, zscore's squares from about 1e154),
 * the formula is taken on the scores scaled by a power of two (exact), so it
 * rounds as ranx's doubles would with an unbounded exponent.  A score that is still
 * not finite (a sum beyond the largest double, --norm max's s / 1e-9) is an
 * error: lc_fuse_normalize and lc_fuse_check say which query and doc.
 *
 * Ownership: lc_fuse_set owns its arrays (lc_fuse_free); candidate docid and
 * qid pointers borrow from the runs, which must outlive the set.
 */
#ifndef LC_FUSE_H
#define LC_FUSE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "run.h"

enum lc_fuse_method {
	LC_FUSE_RRF, LC_FUSE_SUM, LC_FUSE_MNZ, LC_FUSE_MAX, LC_FUSE_MIN, LC_FUSE_MED,
	LC_FUSE_ANZ, LC_FUSE_WSUM
};
enum lc_fuse_norm {
	LC_NORM_NONE, LC_NORM_MINMAX, LC_NORM_MAX, LC_NORM_SUM, LC_NORM_ZSCORE, LC_NORM_RANK,
	LC_NORM_BORDA
};

/* "rrf", "combsum" (or ranx's "sum"), "combmnz"/"mnz", "combmax"/"max",
 * "combmin"/"min", "combmed"/"med", "combanz"/"anz", "wsum"; -1 if unknown. */
int lc_fuse_method_from_name(const char *name);
const char *lc_fuse_method_name(int method);      /* "rrf", "combsum", ... */
/* "none", "minmax" ("min-max", "min_max"), "max", "sum", "zscore" ("zmuv"),
 * "rank", "borda"; -1 if unknown. */
int lc_fuse_norm_from_name(const char *name);
const char *lc_fuse_norm_name(int norm);

typedef struct lc_fuse_q {
	const char *qid;
	size_t ncand;
	const char **cand;       /* [ncand] docids, strcmp ascending */
	double *score;           /* [ncand * nruns]: score of cand c in run r at c*nruns+r; NaN = absent */
	double *rank;            /* [ncand * nruns]: 1-based rank in run r, 0 = absent; NULL until lc_fuse_ranks() */
} lc_fuse_q;

typedef struct lc_fuse_set {
	size_t nruns, nq;
	lc_fuse_q *q;            /* [nq], qids in strcmp order */
	lc_arena arena;          /* the per-query arrays */
	const char *const *names;/* [nruns] the runs' names for messages (borrowed), or NULL: "run 1", ... */
} lc_fuse_set;

/* Builds s (zero-initialised) from runs[0..nruns).  0, or -1 + e when no run
 * holds any query. */
int lc_fuse_load(lc_fuse_set *s, const lc_run *runs, size_t nruns, lc_err *e);
/* Fills every query's rank matrix (needed by RRF). */
void lc_fuse_ranks(lc_fuse_set *s);
/* Normalises every run's scores per query in place, as ranx's norm (borda
 * gives every candidate a score in every run).  0, or -1 + e naming the run,
 * query and doc when a normalised score is not finite (--norm max divides by
 * 1e-9 when a run's best score is not above it). */
int lc_fuse_normalize(lc_fuse_set *s, int norm, lc_err *e);

typedef struct lc_fuse_opts {
	int method;              /* LC_FUSE_* */
	const double *weights;   /* WSUM: one per run */
	long rrf_k;              /* RRF: k (ranx's default 60) */
} lc_fuse_opts;

/* Fused score of every candidate of query qi into out[0..ncand), candidate order;
 * inf or NaN where the fused score is not a finite double (lc_fuse_check). */
void lc_fuse_scores(const lc_fuse_set *s, size_t qi, const lc_fuse_opts *o, double *out);
/* Fuses every query once: 0 when every fused score is finite, else -1 + e
 * naming the first query and doc whose score is not, with the runs' scores of
 * it.  Call before writing anything. */
int lc_fuse_check(const lc_fuse_set *s, const lc_fuse_opts *o, lc_err *e);
/* Fused ranking of query qi: hits (docid borrowed, score) sorted by score
 * descending, docid ascending, into out (room for ncand); returns
 * min(ncand, top) (top <= 0: all).  scratch: room for ncand doubles. */
size_t lc_fuse_rank(const lc_fuse_set *s, size_t qi, const lc_fuse_opts *o, long top,
                    lc_hit *out, double *scratch);
/* Largest ncand over the queries (for sizing out/scratch). */
size_t lc_fuse_max_cand(const lc_fuse_set *s);

/* ranx's weight grid (optimize_weights, step 0.1): every tuple of nruns weights
 * from {0.0, 0.1, ..., 1.0} summing to 1 (as tenths: no rounding), in
 * itertools.product order (the last run's weight changes fastest).  ranx
 * filters with a float `sum(seq) == 1.0`, which under Python 3.11's plain sum
 * drops some tuples (66 -> 62 for three runs); lctk keeps them all.
 * Returns the number of tuples; *grid (malloc'd, caller frees) holds them,
 * nruns doubles each. */
size_t lc_fuse_weight_grid(size_t nruns, double **grid);

void lc_fuse_free(lc_fuse_set *s);

#endif
