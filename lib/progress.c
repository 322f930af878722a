/* progress — rate-limited stderr meter. */
#include "progress.h"
#include "err.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void lc_progress_start(lc_progress *p, const char *what, int mode)
{
	p->on = mode == LC_PROGRESS_FORCE || (mode == LC_PROGRESS_AUTO && isatty(2));
	p->what = what;
	p->shown = 0;
	p->tty = isatty(2);
	p->start = p->last = now();
}

void lc_progress_update(lc_progress *p, uint64_t done, uint64_t total)
{
	if (!p->on)
		return;
	double t = now();
	if (t - p->last < 0.25)
		return;
	p->last = t;
	double rate = done / (t - p->start + 1e-9);
	p->shown = 1;
	if (total && done > 0 && done <= total) {
		double eta = (total - done) / rate;
		fprintf(stderr, "\r%s: %llu/%llu %s (%.0f%%, %.0f/s, ETA %02d:%02d:%02d)  ", lc_progname(),
		        (unsigned long long)done, (unsigned long long)total, p->what, 100.0 * done / total, rate,
		        (int)(eta / 3600), (int)(eta / 60) % 60, (int)eta % 60);
	} else if (total)
		fprintf(stderr, "\r%s: %llu/%llu %s (%.0f%%, %.0f/s)  ", lc_progname(), (unsigned long long)done,
		        (unsigned long long)total, p->what, total ? 100.0 * done / total : 0.0, rate);
	else
		fprintf(stderr, "\r%s: %llu %s (%.0f/s)  ", lc_progname(), (unsigned long long)done, p->what, rate);
}

void lc_progress_done(lc_progress *p)
{
	/* a terminal gets its line cleared; a file or pipe (--progress) gets the line
	 * ended, so that what follows (an error) starts on a line of its own */
	if (p->on && p->shown)
		fputs(p->tty ? "\r\033[K" : "\n", stderr);
	p->on = 0;
}
