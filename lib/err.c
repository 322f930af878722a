/* err — program name, messages, die with cleanup, checked allocation. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "lctk";
static void (*die_hooks[8])(void);
static int n_die_hooks;

int lc_err_set(lc_err *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->code = code;
	}
	return -1;
}

void lc_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

const char *lc_progname(void) { return progname; }

static void vwarn(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lc_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void lc_at_die(void (*fn)(void))
{
	for (int i = 0; i < n_die_hooks; i++)
		if (die_hooks[i] == fn)
			return;
	if (n_die_hooks < (int)(sizeof die_hooks / sizeof die_hooks[0]))
		die_hooks[n_die_hooks++] = fn;
}

void lc_run_die_hooks(void)
{
	for (int i = n_die_hooks - 1; i >= 0; i--)
		die_hooks[i]();
}

void lc_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	lc_run_die_hooks();
	exit(code);
}

void lc_die_err(const lc_err *e)
{
	lc_die(e->code ? e->code : LC_EXIT_INPUT, "%s", e->msg);
}

static void *oom(void) { lc_die(LC_EXIT_INPUT, "out of memory"); }

void *lc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *lc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *lc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

char *lc_xstrdup(const char *s) { return lc_xstrndup(s, strlen(s)); }

char *lc_xstrndup(const char *s, size_t n)
{
	char *p = lc_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}
