/*
 * lceval.h — the parts of lceval (cmd/lceval.c) that live beside its main:
 * the comparison table of several runs (compare.c, compare_fmt.c), the trec_eval
 * measure family's printers (trec.c), the LOFT measure family's driver (loft.c),
 * both families in one call (mixed.c), and the readers of lceval's side inputs (inputs.c).  Program code, not
 * libcore: names are ev_*, errors exit through lc_die like the rest of main.
 *
 * A measure family is one row of main's family table: it claims -m names, reads
 * them before any file, and evaluates every run (ev_ctx) into the output.  A
 * family's run function returns the exit code; when it fails it has already
 * committed (trec_eval's partial text) or aborted the output, else main commits it.
 */
#ifndef LCEVAL_H
#define LCEVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "loft_eval.h"
#include "output.h"
#include "qrels.h"
#include "report.h"
#include "run.h"
#include "signif.h"
#include "treceval.h"

/* --format: the comparison table of several runs (text: also one run's trec_eval text) */
enum { EV_FMT_TEXT, EV_FMT_MARKDOWN, EV_FMT_LATEX, EV_FMT_CSV, EV_FMT_JSON };

/* Everything a family's evaluation needs; filled by main, read by the families. */
typedef struct ev_ctx {
	lc_te_opts o;          /* trec_eval's options; o.query is -q, o.rel_level -l */
	int json, jsonl;       /* --json (or --format json) / --jsonl */
	int format;            /* EV_FMT_* */
	lc_signif_opts so;     /* tests, correction, alpha */
	const char *qpath;     /* QRELS as given */
	char **rpaths;         /* [nruns] RUNs as given */
	size_t nruns;
	const lc_qrels *qr;
	const lc_run *runs;    /* [nruns] */
	lc_te_result *pre;     /* one run's trec_eval result, evaluated while it was read
	                        * (ev_trec_run takes it over), or NULL */
	const char *outpath;   /* -o FILE, or NULL */
	lc_report *rep;        /* --report (lc_report_on() tells if wanted) */
} ev_ctx;

/* The comparison of nruns runs on nm measures: per run a summary value and
 * per-topic values (nq x nm, row-major).  testable[k] = 0: no test for measure
 * k (integers, or topics that do not align).  Nothing here is owned. */
typedef struct ev_table {
	size_t nm, nq, nruns;
	const char *const *mnames;       /* [nm] */
	const int *testable;             /* [nm] */
	const int *is_long;              /* [nm] print as integer */
	char **runnames;                 /* [nruns] paths; the table shows their base names */
	const double *const *summary;    /* [nruns][nm] */
	const double *const *perq;       /* [nruns][nq * nm] */
	const char *const *qids;         /* [nq] per-topic rows to print first (-q, text), or NULL */
} ev_table;

/* The tests of one pair (run i as baseline, run j; d = run j - run i). */
typedef struct ev_pair {
	double diff, lo, hi, pt, pr, pt_adj, pr_adj;
	int significant;        /* the chosen test's corrected p < alpha */
} ev_pair;

/* Every pair i < j of every testable measure: result[ev_pair_index(nruns, i, j) * nm + k].
 * The corrected p-values are over the nruns (nruns - 1) / 2 pairs of one measure.
 * Returns a malloc'd array (caller frees). */
ev_pair *ev_compare(const ev_table *t, const lc_signif_opts *so);
size_t ev_pair_index(size_t nruns, size_t i, size_t j);
/* Appends v as a JSON number (Python's repr), null when not finite. */
void ev_json_num(lc_buf *b, double v);
/* The base name of a run path (a pointer into p). */
const char *ev_base(const char *p);
/* Whether run r is significantly better than run s on measure k (c from ev_compare). */
int ev_beats(const ev_table *t, const ev_pair *c, size_t r, size_t s, size_t k);
/* The test, its correction and alpha, in words ("paired randomization test (10000
 * permutations), Holm correction over 3 pairs, alpha 0.05"); appended to b. */
void ev_describe_tests(const ev_table *t, const lc_signif_opts *so, lc_buf *b);

/* The text table, then a block of tests per pair (compare.c). */
void ev_table_text(const ev_table *t, const lc_signif_opts *so, lc_output *out);
/* Appends "\"test\": ..., \"tests\": [...]": one object per pair and testable measure. */
void ev_tests_json(const ev_table *t, const lc_signif_opts *so, lc_buf *b);
/* --format markdown, latex, csv (compare_fmt.c): ranx's Report layout. */
void ev_table_format(const ev_table *t, const lc_signif_opts *so, int format, lc_output *out);

/* trec_eval results of several runs as a table (t->... owned by the caller of
 * ev_trec_table_free). */
void ev_trec_table(const lc_te *te, const lc_te_result *res, size_t nruns, char **names, ev_table *t);
void ev_trec_table_free(ev_table *t);
/* --json (one object; with several runs {"runs": [...], "tests": [...]}) / --jsonl
 * (a line per run and topic, then "all") of trec results; so NULL: no tests. */
void ev_trec_json(const lc_te *te, const lc_te_opts *o, const lc_te_result *res, size_t nruns, char **names,
                  int jsonl, const lc_signif_opts *so, lc_output *out);
/* The trec_eval family: evaluate every run, print (and fill --report); exit code. */
int ev_trec_run(const ev_ctx *c, lc_te *te, lc_output *out);

/* The pieces lceval/mixed.c joins.  Evaluate: every run's results (free with
 * *_results_free), or NULL and *code after the message, out aborted. */
lc_te_result *ev_trec_evaluate(const ev_ctx *c, lc_te *te, lc_output *out, int *code);
void ev_trec_results_free(lc_te_result *res, size_t n);
/* Appends a run's JSON members after its "run": , "summary": {...}[, "queries": {...} with -q]. */
void ev_trec_members(lc_buf *b, const lc_te *te, const lc_te_opts *o, const lc_te_result *r);
/* A line per run and topic ({"run": ..., "qid": ..., values}), then each run's "all". */
void ev_trec_jsonl(const lc_te *te, const lc_te_opts *o, const lc_te_result *res, size_t nruns, char **names,
                   lc_output *out);
lc_loft_result *ev_loft_evaluate(const ev_ctx *c, const lc_loft_sel *s, lc_output *out, int *code);
void ev_loft_results_free(lc_loft_result *res, size_t n);
/* Appends "quality": {...}, "num_unanswered_queries": N[, "QKEY": [lines] with query]. */
void ev_loft_members(lc_buf *b, const lc_loft_sel *s, const lc_loft_result *res, int query, const char *qkey);
/* One run's text: "measure<TAB>qid|all<TAB>value" lines, then num_unanswered_queries. */
void ev_loft_text(const lc_loft_sel *s, const lc_loft_result *res, int query, lc_output *out);
/* LOFT's per-line objects with "run" first, then a summary line per run ("qid": "all"). */
void ev_loft_jsonl(const lc_loft_sel *s, const lc_loft_result *res, char **names, size_t nruns, lc_output *out);

/* Both families in one call (mixed.c): ct holds the runs read for trec_eval,
 * cl the same runs read for LOFT.  Exit code. */
int ev_mixed_run(const ev_ctx *ct, const ev_ctx *cl, lc_te *te, const lc_loft_sel *s, lc_output *out);

/* The LOFT family: one run -> LOFT's JSON/JSONL or text; several runs -> the
 * comparison.  Returns the exit code. */
int ev_loft_run(const ev_ctx *c, const lc_loft_sel *s, lc_output *out);

/* inputs.c: what the first content line of path looks like: 'r' a run, 'q'
 * judgments, 0 unknown or unreadable. */
int ev_looks_like(const char *path, const char *member);
/* Corpus pid order (LOFT/BEIR corpus JSONL, a JSON array of ids, or one id a
 * line): a malloc'd array of malloc'd strings. */
char **ev_read_corpus(const char *path, size_t *n);
/* --bootstrap-indices: malloc'd rows of n indices each, *nres rows. */
uint32_t *ev_read_indices(const char *path, long *nres, size_t *n);
/* After trec_eval's "result qid 'X' not found in qrels": a line naming the file at fault. */
void ev_explain_missing(const char *msg, const char *qpath, const char *rpath);
/* --report: an output into an anonymous temp file, then its JSON object merged into rep. */
lc_output *ev_json_sink(FILE **tf);
void ev_json_sink_merge(lc_report *rep, lc_output *o, FILE *tf);

/* The whole of lceval -m passkey: probes is QRELS, runs the answer files.  json:
 * the JSON object (lceval(1), PASSKEY); jsonl: one line per probe; query: the
 * text or JSON also lists every probe.  Writes to out; when report is not NULL,
 * the JSON object's members are set in it too.  other_measures: how many other
 * -m were given (an error: passkey is scored alone).  0, or -1 + e (nothing
 * written to out; e->code 2 for bad usage, 1 for bad input). */
typedef struct ev_passkey_opts {
	int json, jsonl, query;
	size_t other_measures;
} ev_passkey_opts;
int ev_passkey_run(const ev_passkey_opts *o, const char *probes, char *const *runs, size_t nruns,
                    lc_output *out, json_t *report, lc_err *e);


#endif
