/*
 * run — retrieval results in every format lctk reads, and writers.
 *
 * Formats:
 *   TREC     "qid iter docno rank score tag": at least 6 white-space separated
 *            fields, later ones ignored; blank and '#' lines skipped; score read
 *            as C atof(); rank and iter ignored; runid = tag of the LAST content
 *            line (trec_eval 10.0 semantics).  Hits keep file order; ranking by
 *            score is the evaluator's business.
 *   JSONL    lctk's run: {"qid", "hits": [{"pid", "score"}, ...]} best first;
 *            a hit without "score" gets a synthetic one between the hit above and
 *            the next scored hit below (n - i when no hit of the line has one), so
 *            ranking by score keeps the hits' order (one double apart where steps
 *            of 1 or the interpolation are too fine for the doubles there).
 *   LOFT     predictions {"qid", "num_turns", "model_outputs": [[pid, ...], ...]};
 *            ids become Python's str(x).strip() (123 -> "123", 7.0 -> "7.0");
 *            a repeated qid: the last line wins.  Scores are synthetic
 *            (n - rank), so the file order is the ranking.
 *   ANSWERS  raw LLM answers, JSONL with an id ("qid", "id" or "custom_id") and
 *            the text ("response_text", "answer", "response", "output", "text"
 *            or "model_output"); parsed by LOFT's rule (answer.h).  A line's
 *            "pids" (lcretrieve --responses: the mapped list, duplicates kept,
 *            null = unanswered) wins over the text when present.
 *   BATCH    OpenAI Batch result lines {"custom_id", "response": {"status_code",
 *            "body": {"choices": [{"message": {"content"}}]}}, "error"}, any
 *            order, joined on custom_id (= qid); content parsed as ANSWERS.
 *   For ANSWERS/BATCH, elements are row indices mapped to pids through
 *   lc_run_opts.pids (the corpus order) when given; an element that is not a
 *   valid index makes the query unanswered (flag set, no hits), as in LOFT.
 *   Without pids, answers whose elements are all row numbers (decimal ints or
 *   digit strings) cannot be scored: lc_run_read fails and says to pass the
 *   corpus.
 *   A failed batch request (error, status != 200, no content) is unanswered.
 * Detection (LC_RUN_AUTO) from the first content line: not '{' = TREC; JSON
 * with "hits" = JSONL, "model_outputs" = LOFT, "response" + "custom_id" =
 * BATCH, otherwise ANSWERS.
 *
 * Memory: a compact TREC run (lc_run_read_compact) keeps per query one array of scores,
 * one of docno offsets and one buffer of the docnos, each trimmed to its size
 * when the reader moves on to another query: about 21 bytes per hit of the
 * trec_eval speed anchor (10M hits in 210 MB) instead of 25.  The writers,
 * lc_hits_sort_trec and fusion need h: do not pass them a compact run.
 *
 * Ownership: lc_run owns all strings (arena) and arrays; lc_run_free() frees.
 */
#ifndef LC_RUN_H
#define LC_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "output.h"
#include "strmap.h"

enum lc_run_format { LC_RUN_AUTO = 0, LC_RUN_TREC, LC_RUN_JSONL, LC_RUN_LOFT, LC_RUN_ANSWERS, LC_RUN_BATCH };

typedef struct lc_hit {
	const char *docno;
	double score;
} lc_hit;

typedef struct lc_run_q {
	const char *qid;
	lc_hit *h;               /* all hits, turn after turn (NULL in a compact run) */
	size_t n, cap;
	/* A compact run (TREC read by lc_run_read_compact): hit i is docno dbuf + doff[i]
	 * with score sc[i]; 12 bytes plus the docno per hit instead of 16. */
	double *sc;
	uint32_t *doff;
	char *dbuf;
	size_t dlen, dcap;
	uint32_t num_turns;      /* LOFT: num_turns of the line; others 1 */
	uint32_t *turn_start;    /* LOFT with num_turns > 1: start of turn t in h (num_turns+1 entries) */
	uint32_t ntstart;
	double *rank;            /* TREC read with opts.loft: rank column per hit; else NULL */
	size_t rank_cap;
	int unanswered;          /* LOFT's unanswered: answer could not be mapped/obtained */
	int parse_error;         /* ANSWERS/BATCH: the answer line was not a literal */
} lc_run_q;

typedef struct lc_run {
	lc_strmap qids;
	lc_run_q *q;
	size_t nq;
	size_t nlines;           /* content lines read */
	int empty;               /* the input had no line at all (not even a blank line or a comment) */
	const char *runid;       /* TREC: tag of the last content line; else NULL */
	int format;
	lc_arena arena;
} lc_run;

typedef struct lc_run_opts {
	int format;              /* LC_RUN_* */
	const char *member;      /* archive member glob, or NULL */
	char *const *pids;       /* corpus pid order for ANSWERS/BATCH, or NULL */
	size_t npids;
	int answer_variant;      /* LC_ANSWER_* variant (answer.h) */
	int loft;                /* read for LOFT measures: repeats, annotations, TREC ranks */
	const char *member_option; /* the program's option that sets member ("--run-member"), which
	                            messages name; NULL = none (lc_input_open_default) */
	const char *corpus_option; /* the program's option that gives the corpus pids ("--corpus FILE"),
	                            which the message about unmapped row numbers names; NULL = none */
	int finite;              /* a TREC score that is not finite (nan, inf, 1e400) or not all one
	                          * number ("xyz", "12abc": atof's 0 and 12; also in an LLM run's
	                          * "#lctk repeat" line) is bad input naming FILE:LINE: for programs
	                          * that write scores (JSON has no nan); lceval reads them as trec_eval
	                          * does.  Not for a compact run. */
	int raw;                 /* a TREC run's qids, docnos and tag keep their bytes (lc_input_keep_bytes:
	                          * only NUL is replaced), for byte comparison as trec_eval's strcmp
	                          * (lceval); else bytes that are not UTF-8 become U+FFFD */
	int empty_marks;         /* without loft: a TREC "#lctk empty QID" is still a query without
	                          * hits (lcfuse keeps it; trec_eval's view, lceval's, has no such query) */
} lc_run_opts;

/* trec_eval's exit code for a malformed qrels or run line (lc_err.ref_code) */
#define LC_TREC_EXIT_FORMAT 2

int lc_run_format_from_name(const char *name);   /* "trec" "jsonl" "loft" "answers" "batch" "auto" */

/* Reads path ("-" = stdin) into r (zero-initialised).  0, or -1 with e filled
 * (code LC_EXIT_INPUT; a malformed TREC line also sets ref_code
 * LC_TREC_EXIT_FORMAT, trec_eval's exit for it). */
int lc_run_read(lc_run *r, const char *path, const lc_run_opts *o, lc_err *e);
/* lc_run_read, but a TREC run read without o->loft is kept compact (sc, doff,
 * dbuf; h = NULL): for lc_te_evaluate and lc_run_hit only. */
int lc_run_read_compact(lc_run *r, const char *path, const lc_run_opts *o, lc_err *e);
void lc_run_free(lc_run *r);

/* Streams a TREC run (what lceval's trec_eval measures read): fn(ctx, q) is
 * called once per query as soon as its block of consecutive lines ends, with q
 * compact (lc_run_hit; q->qid, hits and arrays borrowed, valid during the call
 * only); r gets what lc_run_read_compact gives except the hits: the queries
 * (n = 0), nlines, runid.  Memory: one query's hits, not the run's.  0, or -1
 * + e as lc_run_read (fn may have been called for the queries before the
 * error); 1 when the run cannot be streamed: not an uncompressed regular TREC
 * file, o->loft, or a qid whose lines are split in several blocks (then r is
 * emptied, what fn received is to be dropped, and the caller reads the run
 * whole). */
typedef void (*lc_run_each)(void *ctx, const lc_run_q *q);
int lc_run_stream(lc_run *r, const char *path, const lc_run_opts *o, lc_run_each fn, void *ctx, lc_err *e);

/* Bytes [start, end) of a plain TREC run file, each part starting at a line
 * where the qid changes (lc_run_split), so that several threads can stream a
 * run's parts at once (lceval -j). */
typedef struct lc_run_part {
	uint64_t start, end;
} lc_run_part;
/* Cuts the regular uncompressed file at path into at most n parts (n <= 256)
 * of about equal size, each but the first starting at the first line whose
 * first field differs from the line before (blank and '#' lines skipped): a
 * topic block of a well-formed run is never split.  Fills part[0 .. k) in file
 * order, covering the file, and returns k (>= 1); 0 when path is not a
 * regular file or cannot be mapped. */
size_t lc_run_split(const char *path, size_t n, lc_run_part *part);
/* lc_run_stream over one part (NULL: the whole file, which is lc_run_stream): fn sees the part's queries, r gets its queries,
 * nlines and runid (the tag of the part's last content line).  Returns 1
 * (r emptied) also when the part cannot be read on its own: a line that needs
 * repair or is malformed, a qid split in two blocks inside the part: the
 * caller then streams or reads the whole file, which gives the same result,
 * warnings and errors as without parts.  fn may be called from several
 * threads at once, one per part: ctx must allow it. */
int lc_run_stream_part(lc_run *r, const char *path, const lc_run_opts *o, const lc_run_part *part, lc_run_each fn,
                       void *ctx, lc_err *e);

/* Hit i of q, compact or not. */
static inline lc_hit lc_run_hit(const lc_run_q *q, size_t i)
{
	if (q->h)
		return q->h[i];
	return (lc_hit){ q->dbuf + q->doff[i], q->sc[i] };
}

/* The length of hit i's docno: a compact query's docnos are NUL-ended one after
 * another in dbuf, so it is the next offset (or dlen) less one; no strlen. */
static inline size_t lc_run_hit_len(const lc_run_q *q, size_t i)
{
	if (q->h)
		return strlen(q->h[i].docno);
	return (i + 1 < q->n ? q->doff[i + 1] : q->dlen) - q->doff[i] - 1;
}

/* Appends a hit to query qid (creating it).  Used by readers and programs. */
lc_run_q *lc_run_query(lc_run *r, const char *qid, size_t qlen);
void lc_run_add(lc_run *r, lc_run_q *q, const char *docno, size_t dlen, double score);

/* Sorts a query's hits as trec_eval ranks them: score descending, equal scores
 * by docno descending (strcmp).  hits may be any array. */
void lc_hits_sort_trec(lc_hit *h, size_t n);
/* That order as a qsort comparator over lc_hit. */
int lc_hit_cmp_trec(const void *a, const void *b);

/* Python repr() of a double (shortest round-trip: 0.1, 1e-05, 7.0) into buf (>= 32 bytes). */
void lc_py_repr_double(char *buf, size_t size, double v);
/* A TREC run's score: the shortest of %.15g, %.16g, %.17g that reads back as v. */
void lc_trec_score(char *buf, size_t size, double v);

/* Writers; an unanswered query (q->unanswered) stays unanswered: TREC "#lctk
 * unanswered QID", JSONL "answered": false, LOFT no line.  A query without hits is
 * TREC "#lctk empty QID"; a hit whose docno a better-ranked hit of its query has
 * (LOFT predictions and LLM answers keep the model's repeats) is TREC "#lctk
 * repeat QID Q0 PID RANK SCORE TAG" and JSONL "repeat": true, lctk-formats(5)'s
 * marks, which trec_eval measures skip and LOFT measures count.  Queries in stored order, hits ranked in place with lc_hits_sort_trec
 * (TREC, JSONL; LOFT output of a TREC/JSONL run) or kept as stored (LOFT
 * predictions and answers, every turn).  Scores are written so that reading
 * them back gives the same doubles: TREC with the shortest of %.15g/%.16g/%.17g
 * that round-trips ("3", "0.1"), JSONL in Python repr form ("3.0", "0.1").  tag = run tag for TREC (the run's own tag, else "lctk", if NULL). */
/* TREC refuses (-1 + e, nothing written) a qid or docno that is empty or holds
 * white space (trecid.h).
 * *repeats (may be NULL) and the JSONL writer's result: the hits marked as repeats. */
int lc_run_write_trec(lc_run *r, lc_output *o, const char *tag, size_t *repeats, lc_err *e);
size_t lc_run_write_jsonl(lc_run *r, lc_output *o);
/* lc_run_write_loft returns the lines written: the queries but the unanswered ones. */
size_t lc_run_write_loft(lc_run *r, lc_output *o);

#endif
