/*
 * tap.h — the smallest TAP producer for lctk's C unit tests (run by prove).
 * ok(cond, name) records a test; done_testing() prints the plan and returns the
 * exit status.  is_str/is_num print what differed.  tap_write/tap_file put a
 * test's input text in a file.
 */
#ifndef LC_TAP_H
#define LC_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed, tap_pass;

/* cond is evaluated before the message's arguments (the comma operator orders
 * them; a function's arguments are evaluated in no set order), so a message may
 * show what the condition computed */
#define ok(cond, ...) (tap_pass = !!(cond), tap_ok(tap_pass, __FILE__, __LINE__, __VA_ARGS__))
#define is_str(got, want, name) do { const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ && !strcmp(g_, w_), "%s", name)) \
		printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)
#define is_num(got, want, name) do { double g_ = (double)(got), w_ = (double)(want); \
	if (!ok(g_ == w_, "%s", name)) printf("#   got:  %.17g\n#   want: %.17g\n", g_, w_); } while (0)

__attribute__((format(printf, 4, 5)))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Writes text into path (a test's input file). */
static inline void tap_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Writes text into dir/name; returns the path, valid for the next 3 calls. */
static inline const char *tap_file(const char *dir, const char *name, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	tap_write(p, text);
	return p;
}

#endif
