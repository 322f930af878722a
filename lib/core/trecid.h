/*
 * trecid — ids that a white-space-separated file can hold, and the fields of
 * such a file's lines.
 *
 * TREC runs and qrels split lines on white space and BEIR/TSV files on tabs, so
 * a qid or docno that is empty or contains a space, tab, newline or other white
 * space would forge or merge lines when written there (JSONL and LOFT files can
 * hold any id); a TREC qid cannot start with '#', which makes its lines
 * comments.  Writers of those formats check every id first and refuse it,
 * naming the record, instead of writing a file that reads back differently.
 */
#ifndef LC_TRECID_H
#define LC_TRECID_H

#include <stddef.h>

#include "err.h"

/* 0 if id can be written as one TREC/TSV field; else -1 + e (exit 1) naming
 * kind ("qid", "docno"), the id (control characters escaped by lc_warn/lc_die)
 * and fmt ("TREC", "BEIR") with what to do. */
int lc_trec_id_check(const char *id, const char *kind, const char *fmt, lc_err *e);

/* The white-space-separated fields of a TREC qrels or prefs line, split where
 * trec_eval's readers split (space, tab, CR, LF, VT, FF): the first max in f
 * and fl (pointers into s, lengths); returns how many fields there are (those
 * past max are counted, not kept). */
int lc_trec_fields(const char *s, size_t len, const char **f, size_t *fl, int max);

/* C's strtod (atof) of the field s[0 .. n), which need not be NUL-terminated:
 * "3" "2.5" "1e400" "nan", 0 for "x", as trec_eval's readers take numbers. */
double lc_trec_atof(const char *s, size_t n);
/* 1 if all of the field s[0 .. n) is one number as strtod reads it ("3" "-2.5e3"
 * "0x1p4" "nan" "inf" "1e400"), its value in *v; 0 for an empty field or one with
 * bytes after the number ("12abc", "xyz"), which lc_trec_atof reads as 12 and 0. */
int lc_trec_number(const char *s, size_t n, double *v);

#endif
