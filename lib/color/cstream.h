/*
 * cstream — a corpus read as a stream, as many times as compressing it needs
 * (lcompress), so that memory does not grow with the corpus.
 *
 * lc_cstream_scan() is the first read: every record is parsed and checked (a bad
 * one is an error, or skipped and counted with skip_bad), the corpus statistics
 * of the compressor (lc_cctx: document frequencies) are built, and the mean of
 * log(1 + words) over the passages, which lc_cmodel_passage_threshold needs, is
 * computed — the one thing kept per passage until then is its word count (4
 * bytes).  lc_cstream_each() reads the corpus again and hands the good records
 * to a function one at a time, numbered as the scan numbered them.  A standard
 * input ("-") cannot be read twice: the scan copies its good lines into an
 * unlinked temporary file (in TMPDIR, else /tmp) that later reads use.  Input
 * whose bytes are a zip or tar archive (a BEIR dataset) is read from its members
 * named corpus.jsonl, as lib/retrieve/corpus reads it, or from those matching
 * the member glob.
 *
 * Errors: a record's error names "file:LINE" (the first read finds them all); a
 * corpus that changed between reads is an error too.
 *
 * Ownership: the caller owns the lc_cstream and its settings (paths, field,
 * member borrowed until lc_cstream_free); cx is the stream's (valid until
 * lc_cstream_free, which also closes the temporary files).  The record handed
 * to the function (its JSON object and strings) is valid during the call only.
 */
#ifndef LC_CSTREAM_H
#define LC_CSTREAM_H

#include <jansson.h>
#include <stdio.h>

#include "compress.h"
#include "err.h"
#include "sentsplit.h"

typedef struct lc_crec {
	size_t i;              /* 0-based number among the good records */
	json_t *o;             /* the record (borrowed) */
	const char *title;     /* title_text (BEIR: title), NULL when it is not a string */
	const char *text;      /* the text field */
} lc_crec;

/* Returns 0, or -1 with e to stop the read. */
typedef int (*lc_crec_fn)(void *ctx, const lc_crec *r, lc_err *e);

typedef struct lc_cstream {
	/* settings */
	char *const *paths;      /* the corpus files, "-" = standard input */
	int npaths;              /* 0: standard input */
	const char *member;      /* archive member glob; NULL: corpus.jsonl of a zip or tar */
	const char *member_option; /* the program's option that sets member ("--member"), which messages
	                            name; NULL = it has none (lc_input_open_default) */
	const char *field;       /* the text field; NULL: default_field(record) */
	const char *(*default_field)(const json_t *rec);
	int skip_bad;            /* skip (and count) bad records instead of failing */
	int progress;            /* lib/core/progress mode of the scan's meters */
	/* filled by lc_cstream_scan */
	lc_cctx *cx;
	size_t n, bad;           /* good records, skipped bad ones */
	double mean_log;         /* mean of log(1 + words) over the n passages */
	/* internal */
	FILE **spool;            /* per path: standard input's good lines, or NULL */
	lc_sentv sv;
} lc_cstream;

int lc_cstream_scan(lc_cstream *s, lc_err *e);
/* fn(ctx, record) for every good record in order; -1 with e when a read or fn
 * failed.  want (may be NULL) picks records by number: when want(ctx, i) is 0
 * record i is skipped, without parsing it when the scan found no bad record. */
int lc_cstream_each(lc_cstream *s, lc_crec_fn fn, int (*want)(void *ctx, size_t i), void *ctx, lc_err *e);
void lc_cstream_free(lc_cstream *s);

#endif
