/* err — program name, messages, die with cleanup, checked allocation. */
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *progname = "lctk";
static void (*die_hooks[8])(void);
static int n_die_hooks;
static void (*before_message)(void);

void lc_set_before_message(void (*fn)(void)) { before_message = fn; }

static void err_vset(lc_err *e, int code, int ref_code, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->code = code;
	e->ref_code = ref_code;
}

int lc_err_set(lc_err *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		err_vset(e, code, 0, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int lc_err_set_ref(lc_err *e, int code, int ref_code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		err_vset(e, code, ref_code, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void lc_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

const char *lc_progname(void) { return progname; }

void lc_std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* lower fds are open by now, so open() returns fd itself */
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (s[0] >= 0xf8)
		return 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;   /* overlong, surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* s escaped, then tail ("" or "\n") as it is, in one write: stderr is unbuffered */
static void put_escaped(const char *s, int keep_newlines, const char *tail, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), tl = strlen(tail);
	char small[2048];
	char *out = len * 6 + tl + 1 <= sizeof small ? small : malloc(len * 6 + tl + 1);
	if (!out) {
		out = small;
		len = (sizeof small - tl - 1) / 6;
	}
	size_t k = 0;
	const unsigned char *endp = p + len;
	while (p < endp && *p) {
		if (*p < 0x20 || *p == 0x7f) {
			if (*p == '\n' && keep_newlines)
				out[k++] = '\n';
			else
				k += (size_t)sprintf(out + k, "\\x%02x", *p);
			p++;
		} else if (*p < 0x80) {
			out[k++] = (char)*p++;
		} else {
			int n = utf8_len(p);
			if (!n || p + n > endp) {
				k += (size_t)sprintf(out + k, "\\x%02x", *p++);
			} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
				k += (size_t)sprintf(out + k, "\\u%04x", p[1]);    /* C1 control, U+0080..U+009F */
				p += 2;
			} else {
				memcpy(out + k, p, (size_t)n);
				k += (size_t)n;
				p += n;
			}
		}
	}
	memcpy(out + k, tail, tl);
	fwrite(out, 1, k + tl, f);
	if (out != small)
		free(out);
}

void lc_fputs_escaped(const char *s, int keep_newlines, FILE *f) { put_escaped(s, keep_newlines, "", f); }

static void vwarn(const char *fmt, va_list ap)
{
	if (before_message)
		before_message();   /* ends a progress line (lib/core/progress) */
	fflush(stdout);
	char small[1024];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	char *msg = small;
	if (n >= (int)sizeof small) {
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, ap);
		else
			msg = small;   /* truncated, still escaped */
	}
	/* the message carries data (ids, file names, a server's error text): control
	 * characters are shown as \xNN / \u00NN so they cannot drive the terminal */
	char line[4096];
	int m = snprintf(line, sizeof line, "%s: %s", progname, n < 0 ? "(unprintable message)" : msg);
	if (m >= 0 && (size_t)m < sizeof line) {
		put_escaped(line, 0, "\n", stderr);   /* one write, not three */
	} else {
		fprintf(stderr, "%s: ", progname);
		put_escaped(n < 0 ? "(unprintable message)" : msg, 0, "\n", stderr);
	}
	if (msg != small)
		free(msg);
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

_Noreturn void lc_oom(void) { lc_die(LC_EXIT_INPUT, "out of memory"); }
static void *oom(void) { lc_oom(); }

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
