/*
 * loft_eval — LOFT's retrieval evaluation (google-deepmind/loft, as copied with
 * the precision/F1 additions in going-doer/CoLoR), number for number.
 *
 * Per evaluated line (query record x turn): gold = the query's answers (all of
 * them when the prediction has num_turns == 1, else answers[t] alone for turn
 * t); pred = the prediction's ids for that turn in order.  With top = set of the
 * first k predictions (before de-duplication) and hits = |top & set(gold)|:
 *   recall@k = hits/len(gold)        mrecall@k = 1.0 if hits == min(k, len(gold))
 *   capped_recall@k = hits/min(k, len(gold))   precision@k = hits/k
 *   f1@k = 2*P*R/(P+R), int 0 when P+R == 0
 * An empty prediction list gives int 0 for every metric; a query without a
 * prediction (or whose LLM answer could not be mapped) is "unanswered": one line
 * of int 0 and a count in num_unanswered_queries.  Means are numpy.mean over all
 * lines (numpy's pairwise summation, reproduced exactly).
 *
 * Gold from a TREC/BEIR qrels = judged docs with rel >= level; from LOFT
 * queries = every answer (duplicates kept, relevance ignored).  Predictions from
 * a ranked run (TREC, JSONL) are its trec_eval ranking; LOFT predictions and LLM
 * answers keep their order.
 *
 * Ownership: results own their arrays (lc_loft_result_free).
 */
#ifndef LC_LOFT_EVAL_H
#define LC_LOFT_EVAL_H

#include <stddef.h>

#include "err.h"
#include "output.h"
#include "qrels.h"
#include "run.h"
#include "buf.h"
#include "strmap.h"

enum { LC_LOFT_RECALL, LC_LOFT_MRECALL, LC_LOFT_CAPPED, LC_LOFT_PRECISION, LC_LOFT_F1, LC_LOFT_NFAM };

typedef struct lc_loft_metric {
	int family;
	long k;
	char name[48];
} lc_loft_metric;

/* LOFT's --deduplicate_pids (google-deepmind/loft run_evaluation.py since
 * commit 53358ff; infer_eval.sh sets it for TopiOCQA retrieval): the gold and
 * predicted ids of every answered query are replaced by their passage's
 * title_text.strip() + passage_text.strip() from corpus.jsonl (the last line of a
 * pid wins), so passages with the same text count as one; the gold list keeps
 * its length.  An id missing from the corpus stops LOFT with a KeyError:
 * lceval checks for them first (lc_loft_dedup_text).  Unanswered queries are not mapped. */
typedef struct lc_loft_dedup {
	lc_strmap pids;          /* pid -> index into text */
	char **text;             /* malloc'd */
	size_t n;
} lc_loft_dedup;

/* Reads a LOFT corpus JSONL for --deduplicate-pids.  0, or -1 + e. */
int lc_loft_dedup_load(lc_loft_dedup *d, const char *path, lc_err *e);
void lc_loft_dedup_free(lc_loft_dedup *d);
/* The passage text of id (owned by d), or NULL when the corpus lacks it. */
const char *lc_loft_dedup_text(const lc_loft_dedup *d, const char *id);

typedef struct lc_loft_sel {
	lc_loft_metric *m;
	size_t n;
	const lc_loft_dedup *dedup;   /* compare ids by passage text, or NULL */
} lc_loft_sel;

/* "loft" (LOFT's 17 keys), "recall@k", "mrecall@k", "capped_recall@k",
 * "precision@k", "f1@k" (k may be a list: "recall@1,10").  Kept in LOFT's
 * order: family, then k ascending; duplicates ignored. */
int lc_loft_sel_add(lc_loft_sel *s, const char *arg, lc_err *e);
void lc_loft_sel_free(lc_loft_sel *s);

typedef struct lc_loft_result {
	size_t nlines;
	const char **qid;        /* [nlines] */
	unsigned *turn;          /* [nlines] */
	double *v;               /* [nlines * nmetrics] */
	unsigned char *isint;    /* [nlines * nmetrics]: value is Python int 0 */
	double *mean;            /* [nmetrics] */
	size_t nunanswered;
	const char **unanswered; /* [nunanswered] qids */
} lc_loft_result;

void lc_loft_evaluate(const lc_loft_sel *s, const lc_qrels *qr, const lc_run *run, long rel_level, lc_loft_result *res);
void lc_loft_result_free(lc_loft_result *res);

/* numpy.mean of a float64 array (pairwise summation as numpy does it). */
double lc_numpy_mean(const double *a, size_t n);

/* Appends a metric value as LOFT's json.dumps prints it: Python's repr of the
 * float, or "0" when isint (LOFT's int 0). */
void lc_loft_put_value(lc_buf *b, double v, int isint);

/* LOFT's printed object: json.dumps({"quality": means, "num_unanswered_queries": n}, indent=4). */
void lc_loft_print_json(const lc_loft_sel *s, const lc_loft_result *res, lc_output *out);
/* LOFT's metrics_per_line.jsonl. */
void lc_loft_print_jsonl(const lc_loft_sel *s, const lc_loft_result *res, lc_output *out);

#endif
