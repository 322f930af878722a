/*
 * queries — reading and writing query sets.
 *
 * Accepted lines (format decided per line; blank lines skipped):
 *   LOFT  {"qid", "query_text", "answers"?: [[pid, rel], ...], "metadata"?}
 *         (each entry read by lib/core/gold, as lceval's LOFT qrels reader reads it:
 *         an answer may also be a bare pid or [pid]; rel then defaults to 1;
 *         rel is an integer, written 1, 1.0 or "1"; pids may be strings or integers,
 *         white space around them removed as LOFT's str(x).strip() does;
 *         query_text may be a list of one string, as LOFT allows; more turns are an error)
 *   BEIR  {"_id", "text", "metadata"?}   (queries.jsonl, also inside a BEIR zip or tar:
 *         input whose bytes are an archive reads the members named queries.jsonl, in any
 *         folder (not few_shot_queries.jsonl of a LOFT dataset), unless opts->member is set)
 *   TSV   qid<TAB>text                  (any line not starting with '{')
 * Errors: invalid JSON, missing qid/text, empty qid, a TSV line without a tab,
 * duplicate qids (naming both lines).
 *
 * Ownership: all strings live in qs->arena until lc_queries_free().
 */
#ifndef LC_QUERIES_H
#define LC_QUERIES_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "corpus.h"
#include "err.h"

typedef struct lc_qrel {
	const char *pid;
	int rel;
} lc_qrel;

typedef struct lc_query {
	const char *qid;
	const char *text;
	size_t nans;
	lc_qrel *ans;          /* gold answers in file order (LOFT "answers"); NULL if none */
	const char *meta;      /* compact JSON of "metadata", NULL when absent or not kept */
	size_t line;           /* its line in the file it was read from (messages) */
} lc_query;

typedef struct lc_queries_opts {
	const char *member;    /* archive member glob; NULL = auto (queries.jsonl in an archive) */
	const char *member_option; /* the program's option that sets member ("--member"), which messages
	                              name; NULL = it has none (lc_input_open_default) */
	int keep_meta;
} lc_queries_opts;

typedef struct lc_queries {
	size_t n;
	lc_query *q;
	lc_idset qids;         /* qid -> row */
	lc_arena arena;
	size_t cap;
} lc_queries;

/* Appends the queries of path ("-" = stdin) to qs ({0}-initialised).  0 or -1 + e. */
int lc_queries_load(lc_queries *qs, const char *path, const lc_queries_opts *opts, lc_err *e);
void lc_queries_free(lc_queries *qs);

/* One line each, with "\n", appended to out.
 * LOFT: {"qid","query_text","answers":[[pid,rel],...],"metadata":META or {}}
 * BEIR: {"_id","text"}
 * TSV:  qid<TAB>text (tabs and newlines inside the text become spaces; the qid
 *       must pass lc_queries_tsv_id_check first). */
void lc_queries_write_loft(lc_buf *out, const lc_query *q);
void lc_queries_write_beir(lc_buf *out, const lc_query *q);
void lc_queries_write_tsv(lc_buf *out, const lc_query *q);
/* 0 if qid reads back from a TSV queries line as itself; else -1 + e (exit 1)
 * naming it: a tab, newline or CR would move or split the line's fields, and a
 * qid starting with '{' makes the line read as JSON (the writers of TREC and BEIR
 * files refuse their ids likewise, trecid.h). */
int lc_queries_tsv_id_check(const char *qid, lc_err *e);

#endif
