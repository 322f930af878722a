/*
 * plot — lcplot's machinery: JSON records in, a gnuplot script out, gnuplot run
 * without a shell.
 *
 * Reading: an input is JSONL, or JSON documents spanning lines (lceval --json,
 * a report file), or several concatenated; a top-level array gives its elements.
 * A field is named by a path into nested objects ("summary.recall_5",
 * "quality.recall@1", "runs.0.run"): the whole path as a key wins, so keys with
 * dots still work.
 *
 * Writing: data never reaches gnuplot as something it evaluates.  Every string
 * (titles, axis labels, series names, point labels) is written by lc_plot_quote()
 * as single-quoted gnuplot strings, in which gnuplot does no backquote (shell)
 * substitution and no @macro expansion; enhanced-text markup is switched off for
 * every text, so "a_b^c{x}" is drawn as typed.  Data blocks hold numbers only.
 *
 * Ownership: lc_plot_read() appends new references to the caller's array;
 * lc_plot_get() returns a borrowed pointer.  lc_plot_point labels belong to the
 * caller.
 */
#ifndef LC_PLOT_H
#define LC_PLOT_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "input.h"
#include "output.h"

/* Appends s as a gnuplot string expression that gnuplot never evaluates:
 * single-quoted runs with ' doubled, a newline or tab as "\n" / "\t" joined with
 * '.', any other control character as U+FFFD.  A ' that would open a run or
 * follow another ' is the string "'" on its own: gnuplot 5.4 rejects '''x' and
 * 'a''''b'.  "" gives ''. */
void lc_plot_quote(lc_buf *b, const char *s);

/* The value at path inside v (borrowed), NULL if absent: an object's key equal to
 * the whole path, else the longest key that is a prefix ending before a '.',
 * then the rest inside that value; an array is indexed by a decimal number. */
json_t *lc_plot_get(json_t *v, const char *path);

/* Reads every JSON value of in and appends its records to recs (a JSON array):
 * with records_path NULL, an object is a record and an array's elements are;
 * with records_path, the value at that path in each input value is (an array's
 * elements or one object).  A record that is not an object is an error.
 * 0 at the end of input, -1 with e ("FILE:LINE:COL: ...") on bad input. */
int lc_plot_read(lc_input *in, const char *records_path, json_t *recs, lc_err *e);

typedef struct lc_plot_point {
	double x, y, lo, hi;     /* lo/hi: the error bar's ends, when spec->errbars */
	unsigned series;
	const char *label;       /* NULL = none; not owned */
} lc_plot_point;

typedef struct lc_plot_spec {
	const char *type;        /* points, lines, linespoints or hist */
	const char *format;      /* gp, svg, png or pdf */
	int width, height;       /* pixels (PDF: 100 pixels an inch) */
	long bins;               /* hist */
	int logx, logy, errbars;
	const char *title, *xlabel, *ylabel;   /* xlabel, ylabel required */
	const char *const *series;             /* nseries names; "" = unnamed */
	size_t nseries;
} lc_plot_spec;

/* Appends the whole gnuplot script for points P[0..n) (sorted by series, then x)
 * to g.  One series gets no legend entry.  Histogram bins are linear, or
 * logarithmic with logx (then every x must be > 0). */
void lc_plot_script(lc_buf *g, const lc_plot_spec *spec, const lc_plot_point *P, size_t n);

/* Runs gnuplot (found on PATH, no shell) with script on its standard input and
 * copies its standard output into o.  0 on success; -1 with e when gnuplot
 * cannot be started or fails.  The caller aborts o on failure. */
int lc_plot_render(const char *script, size_t len, lc_output *o, lc_err *e);

#endif
