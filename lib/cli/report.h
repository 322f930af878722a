/*
 * report — a program's figures as one JSON object, for scripts (--report FILE).
 *
 * Every program that reports figures on stderr (sizes, counts, request
 * summaries) can also write them, the same numbers, as a JSON object to FILE:
 *     { "program": "lcompress", "version": "0.1.0", "inputs": [...],
 *       "options": {...}, ...figures... }
 * Keys are stable (lctk-formats(5), REPORTS), numbers are JSON numbers.  FILE is
 * written atomically with lib/core/output (temp + rename; .gz etc. compress); "-"
 * means stdout and is refused (usage error) when stdout carries the program's data.
 *
 * A program adds LC_OPT_REPORT as the last entry of its option table, and in
 * its option switch
 *     case LC_OPT_REPORT_ID: lc_report_arg(&rep, &cmd, optarg); break;
 * after parsing lc_report_start(&rep, &cmd, stdout_busy, argc - st.ind, argv + st.ind),
 * then lc_report_*() setters and, once the work succeeded, lc_report_write().
 * Without --report every call is a cheap no-op (rep.path == NULL, rep.o == NULL).
 *
 * Ownership: the report owns its JSON object; lc_report_write() (or
 * lc_report_free()) frees it.  lc_report_set() steals the reference it is given.
 */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "cli.h"

/* The option id of --report, clear of every program's own ids (256 + a few dozen). */
#define LC_OPT_REPORT_ID 0x7e00
#define LC_OPT_REPORT \
	{ LC_OPT_REPORT_ID, "report", "FILE", "write the figures reported on stderr as a JSON object to FILE (lctk-formats(5) REPORTS)", LC_COMPLETE_FILE }

typedef struct lc_report {
	const char *path;   /* --report's argument, NULL = no report */
	json_t *o;          /* the object, NULL until lc_report_start (and without --report) */
} lc_report;

/* --report FILE: remembers path; a name lib/core/output cannot write exits 2 (empty,
 * directory, unwritable suffix) or 1 (missing directory), before any work. */
void lc_report_arg(lc_report *r, const lc_cmd *cmd, const char *path);
/* Starts the object: "program" (cmd->name), "version", "inputs" (the operands,
 * "-" when there are none).  stdout_busy: the program writes its data to stdout,
 * so --report - is a usage error. */
void lc_report_start(lc_report *r, const lc_cmd *cmd, int stdout_busy, int ninputs, char *const *inputs);

/* Setters; key may be "a.b" to set b inside object a (created on demand). */
void lc_report_int(lc_report *r, const char *key, long long v);
void lc_report_real(lc_report *r, const char *key, double v);
void lc_report_str(lc_report *r, const char *key, const char *v);   /* NULL = null */
void lc_report_bool(lc_report *r, const char *key, int v);
void lc_report_set(lc_report *r, const char *key, json_t *v);       /* steals v */
/* The array at key (created on demand), to append to; NULL without --report. */
json_t *lc_report_array(lc_report *r, const char *key);
/* 1 when a report is being collected (worth building costly figures). */
int lc_report_on(const lc_report *r);

/* Writes the object (2-space indent, keys in insertion order, reals to 17 digits so they read back
 * exactly, newline at the end)
 * atomically to the path and frees it; no-op without --report. */
void lc_report_write(lc_report *r);
void lc_report_free(lc_report *r);

#endif
