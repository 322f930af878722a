/*
 * progress — a one-line meter on stderr for long work, shown only when stderr is a
 * terminal (or forced with --progress; --quiet silences it).  At most ~4 updates
 * a second.  With a known total it shows percent and an ETA (hh:mm:ss from the
 * rate so far).  lc_progress_done() clears the line on a terminal and ends it
 * with a newline elsewhere, so a message printed next starts on its own line:
 * call it before reporting an error.
 */
#ifndef LC_PROGRESS_H
#define LC_PROGRESS_H

#include <stdint.h>

typedef struct lc_progress {
	int on;
	int shown;            /* a line was printed */
	int tty;              /* stderr is a terminal */
	const char *what;     /* "lines", "passages" */
	double last, start;
} lc_progress;

enum { LC_PROGRESS_AUTO = 0, LC_PROGRESS_FORCE = 1, LC_PROGRESS_QUIET = 2 };

void lc_progress_start(lc_progress *p, const char *what, int mode);
void lc_progress_update(lc_progress *p, uint64_t done, uint64_t total /* 0 = unknown */);
void lc_progress_done(lc_progress *p);

#endif
