/*
 * progress — a one-line meter on stderr for long work, shown only when stderr is a
 * terminal (or forced with --progress; --quiet silences it).  The first update is
 * drawn at once, later ones at most ~4 a second.  With a known total (a count of
 * requests, or the size of the input file being streamed) it shows percent and an
 * ETA (hh:mm:ss from the rate so far); otherwise the count and the rate.
 *
 * The line never runs into a message: every lc_warn()/lc_die() message first ends
 * it (cleared on a terminal, a newline elsewhere; err's before-message hook, set
 * by lc_progress_start), and the next update draws it again.  lc_progress_done()
 * ends it for good.  One meter is active at a time (the hook's state is the
 * meter's line, the only state kept outside the lc_progress).
 */
#ifndef LC_PROGRESS_H
#define LC_PROGRESS_H

#include <stdint.h>

#include "input.h"

typedef struct lc_progress {
	int on;
	int shown;            /* a line was printed */
	int tty;              /* stderr is a terminal */
	const char *what;     /* "lines", "passages" */
	double last, start;
} lc_progress;

enum { LC_PROGRESS_AUTO = 0, LC_PROGRESS_FORCE = 1, LC_PROGRESS_QUIET = 2 };

void lc_progress_start(lc_progress *p, const char *what, int mode);
/* done of total items (total 0 = unknown: a count and a rate). */
void lc_progress_update(lc_progress *p, uint64_t done, uint64_t total /* 0 = unknown */);
/* done items read from a file of size bytes of which pos are consumed: percent
 * and ETA from the bytes when size > 0, else as lc_progress_update(p, done, 0). */
void lc_progress_bytes(lc_progress *p, uint64_t done, long long pos, long long size);
/* lc_progress_bytes with in's position and size (lc_input_bytes, lc_input_size);
 * the position is asked for only when a line is due. */
void lc_progress_input(lc_progress *p, uint64_t done, const lc_input *in);
void lc_progress_done(lc_progress *p);

#endif
