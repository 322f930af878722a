/*
 * corpus — reading and writing passage corpora.
 *
 * Accepted records (one JSON object per line; blank lines are skipped):
 *   LOFT  {"pid", "title_text", "passage_text", "summary_text"?, "metadata"?}
 *   BEIR  {"_id", "title"?, "text", "summary_text"?, "metadata"?}  (corpus.jsonl, also inside a BEIR
 *         zip or tar, however compressed or named: input whose bytes are an archive
 *         reads the members named corpus.jsonl, in any folder (not few_shot_corpus.jsonl
 *         of a LOFT dataset), unless opts->member says otherwise)
 *   any   {...} with opts->id_field and opts->text_fields (comma-separated) given.
 * The format is decided per record: "pid" -> LOFT, else "_id" -> BEIR.  Ids may be
 * JSON strings or integers (rendered in decimal).  A missing or empty id, a missing
 * text field, a non-string text field, or a duplicate id (the message names both
 * lines) is an error.  An empty corpus is an error for lc_corpus_load().
 *
 * The text to index (lc_passage_text()) is title + " " + (summary if non-empty,
 * else text) — CoLoR's fallback rule — or, with explicit text_fields, those fields
 * joined by " " (stored in .text; .title is then NULL).
 *
 * Ownership: all strings of a loaded corpus live in c->arena until lc_corpus_free().
 * In the streaming reader the passage passed to the callback is valid only during
 * the callback.  lc_corpus_read() with seen == NULL skips the duplicate check.
 */
#ifndef LC_CORPUS_H
#define LC_CORPUS_H

#include <stddef.h>

#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "input.h"
#include "strmap.h"

typedef struct lc_passage {
	const char *pid;
	const char *title;     /* NULL or "" when absent */
	const char *text;      /* passage_text / text / joined explicit fields */
	const char *summary;   /* summary_text, NULL when absent */
	const char *meta;      /* compact JSON of "metadata", NULL when absent */
	const char *src;       /* lc_corpus_read: the input name the record was read from */
	long line;             /* and its line (0 elsewhere) */
} lc_passage;

typedef struct lc_corpus_opts {
	const char *id_field;      /* NULL = auto (pid / _id) */
	const char *text_fields;   /* "f1,f2": NULL = auto */
	const char *member;        /* archive member glob; NULL = auto (corpus.jsonl in an archive) */
	const char *member_option; /* the program's option that sets member ("--member"), which messages
	                              name; NULL = it has none (lc_input_open_default) */
	const char *fields_option; /* the program's options for other id and text fields ("--id FIELD -f
	                              FIELD"), which the message about a record without an id names;
	                              NULL = it has none (the message says to rename the fields) */
	int keep_meta;             /* keep metadata JSON in .meta */
	size_t shard_k, shard_n;   /* 0/0 = all; else only records i with i % n == k-1 (i = 0-based
	                              record number over all files), others are not parsed */
	struct lc_progress *progress; /* not NULL: lc_corpus_read updates this meter (lib/core/progress)
	                              with the records read and the file's position */
} lc_corpus_opts;

/* Ids seen so far with where each was first seen, for duplicate messages. */
typedef struct lc_idset {
	lc_strmap ids;             /* id -> dense index in first-seen order */
	long *line;                /* per id: line of first occurrence */
	const char **src;          /* per id: input name of first occurrence */
	size_t cap;
	lc_arena names;
} lc_idset;

/* Adds id; a duplicate gives -1 + e "WHERE: duplicate KIND 'id' (first at SRC:LINE)". */
int lc_idset_add(lc_idset *s, const char *id, const char *kind, const char *src, long line,
                 const char *where, lc_err *e);
void lc_idset_free(lc_idset *s);

typedef struct lc_corpus {
	size_t n;
	lc_passage *p;
	lc_idset pids;             /* pids.ids maps pid -> row (ids are dense in row order) */
	lc_arena arena;
	size_t cap;
	size_t nrec;               /* records seen over all loads (sharding counts these) */
} lc_corpus;

/* Loads (appends) every record of path ("-" = stdin) into c ({0}-initialised or
 * already holding passages from earlier files; pids must be unique over all).
 * Returns 0, or -1 with e set.  Does not reject an empty corpus: see lc_corpus_check. */
int lc_corpus_load(lc_corpus *c, const char *path, const lc_corpus_opts *opts, lc_err *e);
/* -1 + e ("CORPUS: empty corpus") if c has no passage. */
int lc_corpus_check_nonempty(const lc_corpus *c, const char *name, lc_err *e);
void lc_corpus_free(lc_corpus *c);

/* A summaries file: JSONL of {"pid", "summary_text", ...} (e.g. LLM summaries of a
 * corpus).  Returns a new JSON object pid -> summary string, or NULL + e naming
 * FILE:LINE (a bad line, or a pid's second line).  The caller json_decref()s it. */
json_t *lc_summaries_load(const char *path, lc_err *e);
/* Row of pid, -1 if absent. */
long lc_corpus_find(const lc_corpus *c, const char *pid);

/* Streaming: calls cb(passage, record_index, where, arg) for each record; cb returns 0
 * to go on, -1 to stop with an error it put in e.  With seen, checks duplicate pids
 * itself (keeps only the pids); without, a caller can check in cb (p->src, p->line).  *record_base counts records across calls (for sharding); may be NULL. */
typedef int (*lc_passage_fn)(const lc_passage *p, size_t record, const char *where, void *arg, lc_err *e);
int lc_corpus_read(const char *path, const lc_corpus_opts *opts, lc_passage_fn cb, void *arg,
                   lc_idset *seen, size_t *record_base, lc_err *e);

/* -1 + e when line is the first line of input in and starts as an lctk BM25
 * index does (LC_INDEX_MAGIC): the index given where its corpus was meant,
 * a message that says so instead of "invalid JSON".  0 otherwise. */
int lc_corpus_not_index(lc_input *in, const char *line, size_t len, lc_err *e);

/* The text to index for p (rule above), appended to out (not reset). */
void lc_passage_text(const lc_passage *p, lc_buf *out);

/* One output line each, with "\n", appended to out.
 * LOFT: {"pid","title_text","passage_text"[,"summary_text"],"metadata"} (metadata {} if none).
 * BEIR: {"_id","title","text"[,"metadata"]}. */
void lc_corpus_write_loft(lc_buf *out, const lc_passage *p);
void lc_corpus_write_beir(lc_buf *out, const lc_passage *p);

#endif
