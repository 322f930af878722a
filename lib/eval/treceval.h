/*
 * treceval — trec_eval 10.0's measures, selection syntax, ranking rules and
 * output, reimplemented (not copied) from its documented semantics and the
 * conformance vectors in ../shared/vectors/eval/.
 *
 * Selection: lc_te_mark() takes what trec_eval's -m takes: a measure name, a
 * nickname ("official", "all_trec", "set"), or name.params ("P.5,10",
 * "ndcg.1=3,2=7", "iprec_at_recall.0.25,0.5", "rbp.p=0.8").  Measures are always
 * computed and printed in trec_eval's table order, whatever the -m order.
 *
 * Evaluation (lc_te_evaluate): topics are the qrels topics in strcmp order; per
 * topic the run's docs are ranked by score descending, ties by docno descending
 * (strcmp), cut to max_docs; a docno twice in the run or in the qrels of a topic,
 * or a qrels topic absent from the run without `complete`, stops evaluation with
 * trec_eval's message and exit code 4 (res->fail_*), after the topics before it.
 * With `complete` a missing topic is scored against trec_eval's one-document
 * dummy ranking.  Run topics absent from the qrels are ignored.
 *
 * Values: res->v[t * nvalues + k] per topic and value; summary values follow
 * trec_eval (means over topics, sums for counts, geometric means with a 1e-5
 * floor for gm_*).  Per-topic gm_* values are stored as log(max(x, 1e-5)).
 * With o->zscores (-Z) each per-topic value is first replaced by its z score
 * (lib/eval/zscore, the stored log for gm_*), as trec_eval converts them
 * before accumulating; res->zscored is then set and every number prints as
 * %6.4f after a "Z" (runid and relstring keep their text).
 *
 * The measure implementations (lc_te_calc_*, the per-topic ranking they read)
 * are private to lib/eval/treceval*.c: treceval_impl.h.
 *
 * Ownership: lc_te owns its tables; lc_te_result owns its arrays (free with
 * lc_te_result_free); qid pointers borrow from the qrels.
 */
#ifndef LC_TREC_EVAL_H
#define LC_TREC_EVAL_H

#include <stddef.h>

#include "err.h"
#include "output.h"
#include "qrels.h"
#include "run.h"
#include "zscore.h"

/* The version trec_eval 10.0 prints for -v (its Makefile's VERSIONID). */
#define LC_TREC_EVAL_VERSION "10.0-rc3"

typedef struct lc_te_opts {
	int query;               /* -q: per-topic output */
	int complete;            /* -c: score missing topics, average over all qrels topics */
	int summary;             /* print the "all" block (default 1; -n clears) */
	int judged_only;         /* -J */
	long rel_level;          /* -l, default 1 */
	long max_docs;           /* -M, default LONG_MAX */
	long num_docs_in_coll;   /* -N, default 0 */
	long jobs;               /* -j: threads; 0 (the default) = one for a streamed run, LCTK_THREADS
	                          * or the number of processors (at most 8) for a run read whole */
	const lc_zscores *zscores;  /* -Z: per-topic values become z scores (borrowed), or NULL */
	const char *only_qid;    /* -D N.QID: evaluate the qrels topic QID alone (borrowed), or NULL; with
	                          * complete the means still divide by every qrels topic, as trec_eval */
} lc_te_opts;

void lc_te_opts_default(lc_te_opts *o);

/* How a value is reported. */
enum lc_te_kind {
	LC_TE_FLOAT,     /* per topic %6.4f, summary mean */
	LC_TE_LONG,      /* per topic %ld, summary sum */
	LC_TE_GM,        /* summary only: geometric mean */
	LC_TE_NUMQ,      /* summary only: number of topics */
	LC_TE_RUNID,     /* summary only: the run's tag */
	LC_TE_RELSTR     /* per topic only: relevance string */
};

typedef struct lc_te_value {
	char *name;              /* printed name, e.g. "P_10", "iprec_at_recall_0.10" */
	int kind;                /* LC_TE_* */
	int meas;                /* index of its measure in the table */
} lc_te_value;

typedef struct lc_te lc_te;

lc_te *lc_te_new(void);
void lc_te_free(lc_te *t);
/* Marks measures as trec_eval's -m does.  Also takes ir_measures' names and
 * lceval's printed value names (lc_te_alias).  -1 with e->msg = trec_eval's
 * text ("trec_eval: illegal measure 'X'", then a line naming the closest known
 * name, "lcNAME: the closest known measure is ...", lcNAME = lc_progname())
 * and e->code = 1. */
int lc_te_mark(lc_te *t, const char *arg, lc_err *e);
/* The relevance level the marked names asked for (ir_measures' rel=N, e.g.
 * "P(rel=2)@5"), 0 if none: the caller applies it as -l. */
long lc_te_rel_level(const lc_te *t);
/* Parses parameters and lays out the values; marks "official" if nothing was
 * marked.  -1 with trec_eval's message and code 2 on bad parameters. */
int lc_te_init(lc_te *t, lc_err *e);
size_t lc_te_nvalues(const lc_te *t);
const lc_te_value *lc_te_value_at(const lc_te *t, size_t i);
/* Name of the first marked measure that needs the ranking (for error text). */
const char *lc_te_first_measure(const lc_te *t);

typedef struct lc_te_result {
	size_t nq;               /* topics evaluated before any failure */
	const char **qid;        /* [nq] */
	double *v;               /* [nq * nvalues] */
	char **relstr;           /* [nq] (NULL entries when relstring is not requested) */
	double *summary;         /* [nvalues] */
	size_t nq_all;           /* number of qrels topics */
	const char *runid;
	int zscored;             /* o->zscores was given: values are z scores, none is an integer */
	int fail_code;           /* 0, or trec_eval's exit code (4, 7) */
	char *fail_msg;          /* trec_eval's stderr text for the failure, whole (an id in it may be
	                          * long): malloc'd, NULL when fail_code is 0 */
} lc_te_result;

/* 0, or -1 when a topic failed as trec_eval fails (res->fail_code, fail_msg):
 * res is filled either way, and lc_te_result_free releases it either way. */
int lc_te_evaluate(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, const lc_run *run, lc_te_result *res);
void lc_te_result_free(lc_te_result *res);

/* The same evaluation with the run's queries given one at a time, as
 * lc_run_stream reads them (lc_te_stream_query is its callback): each topic is
 * evaluated when it arrives (one thread), the qrels topics the run lacked and
 * the summary at lc_te_stream_end, which fills res as lc_te_evaluate does,
 * returns what it returns and frees s.  A query must come at most once.
 * lc_te_stream_abort drops s and what res got so far (the run is read whole
 * instead).  t, o, qr and res are borrowed until then. */
typedef struct lc_te_stream lc_te_stream;
lc_te_stream *lc_te_stream_new(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, lc_te_result *res);
void lc_te_stream_query(void *ctx, const lc_run_q *q);
int lc_te_stream_end(lc_te_stream *s, const char *runid);
void lc_te_stream_abort(lc_te_stream *s);
/* A stream for one more thread: it shares s's topics and result (each topic is
 * evaluated by the thread that meets it first) and has its own scratch
 * memory; lc_te_stream_query on it is safe while other forks of s run.
 * lc_te_stream_join frees the fork and returns -1 when its thread met a topic
 * that another had already evaluated (the run's topic was in two parts: read
 * it as one), else 0.  Join every fork before ending or aborting s. */
lc_te_stream *lc_te_stream_fork(lc_te_stream *s);
int lc_te_stream_join(lc_te_stream *fork);

/* A TREC measure evaluation of the run at path: streamed (lc_run_stream) when
 * it can be, with o->jobs > 1 in that many parts at once (lc_run_split), else
 * read whole (lc_run_read_compact) and lc_te_evaluate'd.  run
 * (zero-initialised) gets the queries, nlines and runid (lc_run_free it; res
 * borrows its runid).  0 with res filled (res->fail_code as lc_te_evaluate),
 * or -1 + e when the run cannot be read. */
int lc_te_evaluate_path(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, const char *path, const lc_run_opts *ro,
                        lc_run *run, lc_te_result *res, lc_err *e);

/* trec_eval's text output for one run: per-topic blocks (o->query) for the
 * topics evaluated, then the summary (o->summary) unless evaluation failed. */
void lc_te_print(const lc_te *t, const lc_te_opts *o, const lc_te_result *res, lc_output *out);

/* treceval_names.c: ir_measures' names ("nDCG@10", "P(rel=2)@5", "AP", "RR@10",
 * "Judged@10", "SetF" ...) and lceval's printed value names ("ndcg_cut_10",
 * "iprec_at_recall_0.10") in trec_eval's -m syntax.  Returns 1 with *out
 * (malloc'd, e.g. "ndcg_cut.10") and *rel (N of rel=N, else 0) set; 0 when name
 * is neither; -1 + e (code 1) for an ir_measures name used wrongly ("P" without
 * a cutoff, gains with a cutoff, an unknown parameter). */
int lc_te_alias(const char *name, char **out, long *rel, lc_err *e);
/* The known name (trec_eval's, a nickname or ir_measures') closest to name by
 * edit distance, ignoring case, into buf ("nDGC@10" -> "nDCG@10"). */
void lc_te_suggest(const char *name, char *buf, size_t size);
/* trec_eval's measure names in table order (i < count), and whether measure
 * name takes cutoffs: 1 integer cutoffs, 2 fractional cutoffs, 0 other/unknown. */
size_t lc_te_measure_count(void);
const char *lc_te_measure_name(size_t i);
int lc_te_measure_cuts(const char *name);

#endif
