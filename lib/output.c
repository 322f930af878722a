/* output — buffered, atomic (-o FILE) or stdout, optional gzip. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define OUTBUF (1 << 16)
#define MAX_PENDING 16

struct lc_output {
	int fd;
	int is_stdout;        /* stdout or a non-regular file: written in place */
	int close_fd;
	char *path, *tmp;
	z_stream *z;
	char *buf;
	size_t len;
	int slot;             /* index in pending[] */
};

/* Temp files not yet committed, removed on fatal exit; fixed array so the
 * signal handler can walk it safely. */
static char *volatile pending[MAX_PENDING];

static void remove_pending(void)
{
	for (int i = 0; i < MAX_PENDING; i++) {
		char *p = pending[i];
		if (p)
			unlink(p);
	}
}

static void on_signal(int sig)
{
	remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

void lc_output_install_signal_cleanup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

static size_t ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

lc_output *lc_output_open(const char *path)
{
	lc_output *o = lc_xcalloc(1, sizeof *o);
	o->buf = lc_xmalloc(OUTBUF);
	o->slot = -1;
	if (!path || !strcmp(path, "-")) {
		o->fd = 1;
		o->is_stdout = 1;
		return o;
	}
	/* A device, FIFO or socket (-o /dev/null, -o /dev/stderr, a named pipe) is
	 * written in place: renaming a temp file over it would replace the device. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			lc_die(LC_EXIT_INPUT, "%s: is a directory; -o needs a file name", path);
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0)
			lc_die(LC_EXIT_INPUT, "%s: cannot open output: %s", path, strerror(errno));
		o->is_stdout = 1;  /* no temp file, no rename */
		o->path = lc_xstrdup(path);
		o->close_fd = 1;
		return o;
	}
	static int registered;
	if (!registered) {
		registered = 1;
		lc_at_die(remove_pending);
		/* also when a library exits on its own (libarchive on out-of-memory) */
		atexit(remove_pending);
	}
	lc_output_install_signal_cleanup();
	o->path = lc_xstrdup(path);
	char *d1 = lc_xstrdup(path), *d2 = lc_xstrdup(path);
	const char *dir = dirname(d1), *base = basename(d2);
	size_t n = strlen(dir) + strlen(base) + 16;
	o->tmp = lc_xmalloc(n);
	snprintf(o->tmp, n, "%s/.%s.XXXXXX", dir, base);
	free(d1);
	free(d2);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0)
		lc_die(LC_EXIT_INPUT, "%s: cannot create output: %s", path, strerror(errno));
	mode_t um = umask(0);
	umask(um);
	fchmod(o->fd, 0666 & ~um);
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending[i]) {
			pending[i] = o->tmp;
			o->slot = i;
			break;
		}
	if (ends_with(path, ".gz")) {
		o->z = lc_xcalloc(1, sizeof *o->z);
		if (deflateInit2(o->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			lc_die(LC_EXIT_INPUT, "%s: cannot start gzip compression", path);
	}
	return o;
}

static void write_fail(lc_output *o, int err)
{
	if (o->is_stdout && err == EPIPE) {
		lc_run_die_hooks();
		_exit(141);
	}
	lc_die(LC_EXIT_INPUT, "%s: write error: %s", o->path ? o->path : "(stdout)", strerror(err));
}

static void raw_write(lc_output *o, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			write_fail(o, errno);
		}
		p += w;
		n -= (size_t)w;
	}
}

static void deflate_out(lc_output *o, const char *p, size_t n, int flush)
{
	char out[OUTBUF];
	o->z->next_in = (Bytef *)p;
	o->z->avail_in = (uInt)n;
	do {
		o->z->next_out = (Bytef *)out;
		o->z->avail_out = sizeof out;
		int r = deflate(o->z, flush);
		if (r == Z_STREAM_ERROR)
			lc_die(LC_EXIT_INPUT, "%s: gzip compression failed", o->path);
		raw_write(o, out, sizeof out - o->z->avail_out);
	} while (o->z->avail_out == 0);
}

static void flush_buf(lc_output *o)
{
	if (!o->len)
		return;
	if (o->z)
		deflate_out(o, o->buf, o->len, Z_NO_FLUSH);
	else
		raw_write(o, o->buf, o->len);
	o->len = 0;
}

void lc_output_write(lc_output *o, const void *p, size_t n)
{
	if (o->len + n > OUTBUF) {
		flush_buf(o);
		if (n > OUTBUF) {
			if (o->z)
				deflate_out(o, p, n, Z_NO_FLUSH);
			else
				raw_write(o, p, n);
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void lc_output_puts(lc_output *o, const char *s) { lc_output_write(o, s, strlen(s)); }

void lc_output_putc(lc_output *o, char c)
{
	if (o->len == OUTBUF)
		flush_buf(o);
	o->buf[o->len++] = c;
}

void lc_output_printf(lc_output *o, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		lc_output_write(o, small, (size_t)n);
		return;
	}
	char *big = lc_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	lc_output_write(o, big, (size_t)n);
	free(big);
}

static void release(lc_output *o)
{
	if (o->slot >= 0)
		pending[o->slot] = NULL;
	if (o->z) {
		deflateEnd(o->z);
		free(o->z);
	}
	free(o->buf);
	free(o->path);
	free(o->tmp);
	free(o);
}

void lc_output_commit(lc_output *o)
{
	flush_buf(o);
	if (o->z)
		deflate_out(o, NULL, 0, Z_FINISH);
	if (o->is_stdout) {
		if (o->close_fd && close(o->fd) < 0)
			write_fail(o, errno);
		release(o);
		return;
	}
	if (fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS)
		write_fail(o, errno);
	if (close(o->fd) < 0)
		write_fail(o, errno);
	if (rename(o->tmp, o->path) < 0)
		lc_die(LC_EXIT_INPUT, "%s: cannot rename output into place: %s", o->path, strerror(errno));
	release(o);
}

void lc_output_abort(lc_output *o)
{
	if (!o)
		return;
	if (!o->is_stdout) {
		close(o->fd);
		unlink(o->tmp);
	} else if (o->close_fd) {
		close(o->fd);
	}
	release(o);
}
