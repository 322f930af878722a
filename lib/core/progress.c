/* progress — rate-limited stderr meter with percent and ETA, ended before any message. */
#include "progress.h"
#include "err.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* The meter's line is on stderr and not ended yet: what the before-message hook ends. */
static int line_open, line_tty;

static void end_line(void)
{
	if (line_open)
		fputs(line_tty ? "\r\033[K" : "\n", stderr);
	line_open = 0;
}

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
	if (p->on)
		lc_set_before_message(end_line);
}

/* 1 when a line should be drawn now (the first one at once, then every 0.25 s). */
static int due(lc_progress *p, double *t)
{
	if (!p->on)
		return 0;
	*t = now();
	if (p->shown && *t - p->last < 0.25)
		return 0;
	p->last = *t;
	p->shown = 1;
	return 1;
}

static void eta_str(char *b, size_t n, double eta)
{
	if (eta < 0 || eta > 99 * 3600.0)
		snprintf(b, n, "--:--:--");
	else
		snprintf(b, n, "%02d:%02d:%02d", (int)(eta / 3600), (int)(eta / 60) % 60, (int)eta % 60);
}

static void draw_fraction(lc_progress *p, double t, uint64_t done, double frac, const char *of)
{
	double el = t - p->start;
	double rate = done / (el + 1e-9);
	char eta[16];
	if (frac > 0)
		eta_str(eta, sizeof eta, el * (1 - frac) / frac);
	else
		eta_str(eta, sizeof eta, -1);
	fprintf(stderr, "\r%s: %llu%s %s (%.0f%%, %.0f/s, ETA %s)  ", lc_progname(), (unsigned long long)done, of,
	        p->what, 100.0 * frac, rate, eta);
	line_open = 1;
	line_tty = p->tty;
}

void lc_progress_update(lc_progress *p, uint64_t done, uint64_t total)
{
	double t;
	if (!due(p, &t))
		return;
	if (total && done <= total) {
		char of[32];
		snprintf(of, sizeof of, "/%llu", (unsigned long long)total);
		draw_fraction(p, t, done, (double)done / (double)total, of);
		return;
	}
	double rate = done / (t - p->start + 1e-9);
	fprintf(stderr, "\r%s: %llu %s (%.0f/s)  ", lc_progname(), (unsigned long long)done, p->what, rate);
	line_open = 1;
	line_tty = p->tty;
}

static void bytes_at(lc_progress *p, double t, uint64_t done, long long pos, long long size)
{
	if (size > 0 && pos >= 0) {
		double frac = pos >= size ? 1.0 : (double)pos / (double)size;
		draw_fraction(p, t, done, frac, "");
		return;
	}
	double rate = done / (t - p->start + 1e-9);
	fprintf(stderr, "\r%s: %llu %s (%.0f/s)  ", lc_progname(), (unsigned long long)done, p->what, rate);
	line_open = 1;
	line_tty = p->tty;
}

void lc_progress_bytes(lc_progress *p, uint64_t done, long long pos, long long size)
{
	double t;
	if (due(p, &t))
		bytes_at(p, t, done, pos, size);
}

void lc_progress_input(lc_progress *p, uint64_t done, const lc_input *in)
{
	double t;
	if (due(p, &t)) {
		long long size = lc_input_size(in);
		bytes_at(p, t, done, size > 0 ? lc_input_bytes(in) : -1, size);
	}
}

void lc_progress_done(lc_progress *p)
{
	/* a terminal gets its line cleared; a file or pipe (--progress) gets the line
	 * ended, so that what follows starts on a line of its own */
	if (p->on)
		end_line();
	p->on = 0;
}
