/* output — buffered, atomic (-o FILE) or in place (stdout, devices), optional compression. */
#include "output.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#define MAX_LINKS 40          /* symlinks followed before giving up (ELOOP) */

enum { Z_NONE, Z_GZIP, Z_ARCHIVE };

struct lc_output {
	int fd;
	int is_stdout;        /* stdout or a non-regular file: written in place */
	int close_fd;
	char *path;           /* as given, for messages */
	char *target;         /* the regular file renamed over (symlinks followed) */
	char *tmp;
	int zkind;
	z_stream *z;
	struct archive *ar;   /* .zst .xz .bz2 ...: a raw stream through a libarchive filter */
	char *buf;
	size_t len;
	int slot;             /* index in pending[] */
	char *trailer;        /* written by commit, or NULL */
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

/* Every signal whose default action ends the program: remove what is pending (all
 * die hooks, which are async-signal-safe), then die of the same signal so the exit
 * status is the signal's. */
static const int fatal_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2,
                                  SIGBUS, SIGPIPE, SIGVTALRM, SIGPROF };

static void on_signal(int sig)
{
	lc_run_die_hooks();
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
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++) {
		struct sigaction old;
		sigaction(fatal_sigs[i], NULL, &old);
		if (old.sa_handler == SIG_DFL)
			sigaction(fatal_sigs[i], &sa, NULL);
	}
	/* ulimit -f: write() fails with EFBIG ("File too large") and the normal error
	 * path reports it and removes the temp file, instead of a silent SIGXFSZ death. */
	struct sigaction old;
	sigaction(SIGXFSZ, NULL, &old);
	if (old.sa_handler == SIG_DFL)
		signal(SIGXFSZ, SIG_IGN);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* ---- compression by suffix ------------------------------------------------------ */

typedef struct {
	const char *suffix;
	int kind;
	int (*add)(struct archive *);
} comp;

static const comp comps[] = {
	{ ".gz", Z_GZIP, NULL },
	{ ".zst", Z_ARCHIVE, archive_write_add_filter_zstd },
	{ ".xz", Z_ARCHIVE, archive_write_add_filter_xz },
	{ ".bz2", Z_ARCHIVE, archive_write_add_filter_bzip2 },
	{ ".lz4", Z_ARCHIVE, archive_write_add_filter_lz4 },
	{ ".lzma", Z_ARCHIVE, archive_write_add_filter_lzma },
	{ ".lz", Z_ARCHIVE, archive_write_add_filter_lzip },
};

/* Suffixes of containers lctk reads but cannot write: writing plain text under such
 * a name would be a lie, so they are a usage error. */
static const char *const refused[] = { ".zip", ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst",
                                       ".7z", ".rar", ".Z", NULL };

static const comp *comp_of(const char *path)
{
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++)
		if (ends_with(path, comps[i].suffix)) {
			/* "x.tar.gz" is an archive, not a compressed stream */
			size_t n = strlen(path) - strlen(comps[i].suffix);
			if (n >= 4 && !strncmp(path + n - 4, ".tar", 4))
				return NULL;
			return &comps[i];
		}
	return NULL;
}

static const char *refused_suffix(const char *path)
{
	for (size_t i = 0; refused[i]; i++)
		if (ends_with(path, refused[i]))
			return refused[i];
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		if (!ends_with(path, comps[i].suffix))
			continue;
		size_t n = strlen(path) - strlen(comps[i].suffix);
		if (n >= 4 && !strncmp(path + n - 4, ".tar", 4))
			return ".tar";
	}
	return NULL;
}

int lc_output_compressed(const char *path)
{
	return path && comp_of(path) != NULL;
}

const char *lc_output_plain_name(const char *path)
{
	if (lc_output_compressed(path))
		lc_die(LC_EXIT_USAGE, "%s: this output is binary and read in place; it cannot be compressed: drop the '%s' suffix",
		       path, comp_of(path)->suffix);
	return path;
}

/* ---- checking the name ------------------------------------------------------- */

/* /dev/stdout, /dev/stderr, /dev/stdin, /dev/fd/N, /proc/self/fd/N: the fd N they
 * name, or -1. */
static int fd_path(const char *path)
{
	if (!strcmp(path, "/dev/stdin"))
		return 0;
	if (!strcmp(path, "/dev/stdout"))
		return 1;
	if (!strcmp(path, "/dev/stderr"))
		return 2;
	const char *p = NULL;
	if (!strncmp(path, "/dev/fd/", 8))
		p = path + 8;
	else if (!strncmp(path, "/proc/self/fd/", 14))
		p = path + 14;
	if (!p || *p < '0' || *p > '9')
		return -1;
	char *end;
	long n = strtol(p, &end, 10);
	if (*end || n < 0 || n > INT_MAX)
		return -1;
	return (int)n;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return lc_xstrdup(".");
	if (slash == path)
		return lc_xstrdup("/");
	return lc_xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Follows symlinks in the last component as a shell '>' would; returns the malloc'd
 * final name (which may not exist), or NULL with errno set (ELOOP). */
static char *follow(const char *path)
{
	char *cur = lc_xstrdup(path);
	for (int hops = 0; hops < MAX_LINKS; hops++) {
		struct stat st;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		char link[PATH_MAX];
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			return cur;
		link[n] = 0;
		char *next;
		if (link[0] == '/') {
			next = lc_xstrdup(link);
		} else {
			char *d = dir_of(cur);
			size_t len = strlen(d) + (size_t)n + 2;
			next = lc_xmalloc(len);
			snprintf(next, len, "%s/%s", d, link);
			free(d);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	errno = ELOOP;
	return NULL;
}

int lc_output_same_file(const char *a, const char *b)
{
	if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-") || fd_path(a) >= 0 || fd_path(b) >= 0)
		return 0;
	char *ta = follow(a), *tb = follow(b);
	int same = 0;
	if (ta && tb && !strcmp(base_of(ta), base_of(tb))) {
		char *da = dir_of(ta), *db = dir_of(tb);
		struct stat sa, sb;
		same = stat(da, &sa) == 0 && stat(db, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
		free(da), free(db);
	}
	free(ta), free(tb);
	return same;
}

int lc_output_check(const char *path, lc_err *e)
{
	if (!path || !strcmp(path, "-"))
		return 0;
	if (!*path)
		return lc_err_set(e, LC_EXIT_USAGE, "empty output file name ''; give a file name, or - for stdout");
	const char *bad = refused_suffix(path);
	if (bad)
		return lc_err_set(e, LC_EXIT_USAGE,
		                  "%s: cannot write a '%s' file; lctk compresses output named .gz .zst .xz .bz2 .lz4 .lzma .lz, or writes plain text under any other name",
		                  path, bad);
	if (fd_path(path) >= 0)
		return 0;
	char *t = follow(path);
	if (!t)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot follow the symbolic link: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (stat(t, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			rc = lc_err_set(e, LC_EXIT_USAGE, "%s: is a directory; -o needs a file name", path);
		/* devices, FIFOs, sockets are opened (and then checked) when written */
	} else if (errno != ENOENT) {
		rc = lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, strerror(errno));
	} else {
		char *d = dir_of(t);
		if (stat(d, &st) < 0)
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: directory %s: %s; create it first", path, d, strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: %s is not a directory", path, d);
		free(d);
	}
	if (rc == 0 && (stat(t, &st) < 0 || S_ISREG(st.st_mode))) {
		/* the temp file is created next to the target: the directory must be writable */
		char *d = dir_of(t);
		if (access(d, W_OK | X_OK) < 0)
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot write in directory %s: %s", path, d, strerror(errno));
		free(d);
	}
	free(t);
	return rc;
}

/* ---- opening ------------------------------------------------------------------- */

static void raw_write(lc_output *o, const char *p, size_t n);

static la_ssize_t ar_write(struct archive *a, void *ctx, const void *p, size_t n)
{
	(void)a;
	raw_write(ctx, p, n);
	return (la_ssize_t)n;
}

static void start_compression(lc_output *o)
{
	const comp *c = comp_of(o->path);
	if (!c)
		return;
	o->zkind = c->kind;
	if (c->kind == Z_GZIP) {
		o->z = lc_xcalloc(1, sizeof *o->z);
		if (deflateInit2(o->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			lc_die(LC_EXIT_INPUT, "%s: cannot start gzip compression", o->path);
		return;
	}
	o->ar = archive_write_new();
	if (!o->ar)
		lc_oom();
	struct archive_entry *en = archive_entry_new();
	if (!en)
		lc_oom();
	archive_entry_set_pathname(en, "data");
	archive_entry_set_filetype(en, AE_IFREG);
	/* ARCHIVE_WARN would mean "through an external program": refuse that too */
	if (c->add(o->ar) != ARCHIVE_OK || archive_write_set_format_raw(o->ar) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(o->ar, 1) != ARCHIVE_OK ||
	    archive_write_open(o->ar, o, NULL, ar_write, NULL) != ARCHIVE_OK ||
	    archive_write_header(o->ar, en) != ARCHIVE_OK)
		lc_die(LC_EXIT_INPUT, "%s: cannot start %s compression: %s", o->path, c->suffix + 1,
		       archive_error_string(o->ar) ? archive_error_string(o->ar) : "not supported by libarchive");
	archive_entry_free(en);
}

static void make_pending(lc_output *o)
{
	static int registered;
	if (!registered) {
		registered = 1;
		lc_at_die(remove_pending);
		/* also when a library exits on its own (libarchive on out-of-memory) */
		atexit(remove_pending);
	}
	lc_output_install_signal_cleanup();
	sigset_t old;
	lc_signals_block(&old);
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending[i]) {
			pending[i] = o->tmp;
			o->slot = i;
			break;
		}
	lc_signals_restore(&old);
}

void lc_signals_block(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
}

void lc_signals_restore(const sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }

/* ".BASE.XXXXXX" in dir, BASE shortened so the name fits NAME_MAX. */
static char *temp_name(const char *target)
{
	char *dir = dir_of(target);
	const char *base = base_of(target);
	int keep = (int)strlen(base);
	if (keep > NAME_MAX - 8)
		keep = NAME_MAX - 8;
	size_t n = strlen(dir) + (size_t)keep + 16;
	char *t = lc_xmalloc(n);
	snprintf(t, n, "%s/.%.*s.XXXXXX", dir, keep, base);
	free(dir);
	return t;
}

/* The existing file's owner and mode go to the new file; never more access than it had. */
static void keep_mode(int fd, const struct stat *st)
{
	mode_t mode = st->st_mode & 0777;
	if (geteuid() == 0) {
		if (fchown(fd, st->st_uid, st->st_gid) < 0)
			mode &= 0700;
	} else if (st->st_gid != getegid() && fchown(fd, (uid_t)-1, st->st_gid) < 0) {
		mode &= 0707;     /* the group could not be kept: no group access at all */
	}
	fchmod(fd, mode);
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
	lc_err e;
	if (lc_output_check(path, &e) < 0)
		lc_die_err(&e);
	o->path = lc_xstrdup(path);
	/* /dev/stdout and friends name an fd this process already has: write through it
	 * (a duplicate) as a shell does, never temp + rename in /dev. */
	int fdn = fd_path(path);
	if (fdn >= 0) {
		o->fd = fcntl(fdn, F_DUPFD_CLOEXEC, 3);
		if (o->fd < 0)
			lc_die(LC_EXIT_INPUT, "%s: cannot write: %s", path, strerror(errno));
		o->is_stdout = 1;
		o->close_fd = 1;
		start_compression(o);
		return o;
	}
	o->target = follow(path);
	if (!o->target)
		lc_die(LC_EXIT_INPUT, "%s: cannot follow the symbolic link: %s", path, strerror(ELOOP));
	/* A device, FIFO or socket (-o /dev/null, a named pipe) is written in place:
	 * renaming a temp file over it would replace the device. */
	struct stat st;
	int exists = stat(o->target, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		o->fd = open(o->target, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0)
			lc_die(LC_EXIT_INPUT, "%s: cannot open output: %s", path, strerror(errno));
		o->is_stdout = 1;  /* no temp file, no rename */
		o->close_fd = 1;
		start_compression(o);
		return o;
	}
	o->tmp = temp_name(o->target);
	make_pending(o);
	o->fd = mkstemp(o->tmp);
	if (o->fd >= 0)
		fcntl(o->fd, F_SETFD, FD_CLOEXEC);   /* not inherited by gnuplot, curl ... */
	if (o->fd < 0) {
		pending[o->slot] = NULL;
		lc_die(LC_EXIT_INPUT, "%s: cannot create output: %s", path, strerror(errno));
	}
	if (exists) {
		keep_mode(o->fd, &st);
	} else {
		mode_t um = umask(0);
		umask(um);
		fchmod(o->fd, 0666 & ~um);
	}
	start_compression(o);
	return o;
}

/* ---- writing ------------------------------------------------------------------- */

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

static void encode(lc_output *o, const char *p, size_t n)
{
	if (o->z) {
		deflate_out(o, p, n, Z_NO_FLUSH);
	} else if (o->ar) {
		while (n) {
			la_ssize_t w = archive_write_data(o->ar, p, n);
			if (w <= 0)
				lc_die(LC_EXIT_INPUT, "%s: compression failed: %s", o->path,
				       archive_error_string(o->ar) ? archive_error_string(o->ar) : "unknown error");
			p += w;
			n -= (size_t)w;
		}
	} else {
		raw_write(o, p, n);
	}
}

static void flush_buf(lc_output *o)
{
	if (!o->len)
		return;
	encode(o, o->buf, o->len);
	o->len = 0;
}

void lc_output_write(lc_output *o, const void *p, size_t n)
{
	if (!n)
		return;   /* p may be NULL then (an empty list): memcpy must not see it */
	if (o->len + n > OUTBUF) {
		flush_buf(o);
		if (n > OUTBUF) {
			encode(o, p, n);
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void lc_output_puts(lc_output *o, const char *s) { lc_output_write(o, s, strlen(s)); }

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

/* ---- finishing ----------------------------------------------------------------- */

static void release(lc_output *o)
{
	if (o->slot >= 0)
		pending[o->slot] = NULL;
	if (o->z) {
		deflateEnd(o->z);
		free(o->z);
	}
	if (o->ar)
		archive_write_free(o->ar);
	free(o->buf);
	free(o->path);
	free(o->target);
	free(o->tmp);
	free(o->trailer);
	free(o);
}

int lc_output_sync_enabled(void)
{
	const char *s = getenv("LCTK_NO_SYNC");
	return !(s && *s && strcmp(s, "0"));
}

static void finish_compression(lc_output *o)
{
	if (o->z) {
		deflate_out(o, NULL, 0, Z_FINISH);
	} else if (o->ar) {
		if (archive_write_close(o->ar) != ARCHIVE_OK)
			lc_die(LC_EXIT_INPUT, "%s: compression failed: %s", o->path,
			       archive_error_string(o->ar) ? archive_error_string(o->ar) : "unknown error");
	}
}

void lc_output_set_trailer(lc_output *o, const char *s)
{
	free(o->trailer);
	o->trailer = s ? lc_xstrdup(s) : NULL;
}

void lc_output_commit(lc_output *o)
{
	if (o->trailer)
		lc_output_write(o, o->trailer, strlen(o->trailer));
	flush_buf(o);
	finish_compression(o);
	if (o->is_stdout) {
		if (o->close_fd && close(o->fd) < 0)
			write_fail(o, errno);
		release(o);
		return;
	}
	int sync = lc_output_sync_enabled();
	if (sync && fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS)
		write_fail(o, errno);
	if (close(o->fd) < 0)
		write_fail(o, errno);
	if (rename(o->tmp, o->target) < 0)
		lc_die(LC_EXIT_INPUT, "%s: cannot rename output into place: %s", o->path, strerror(errno));
	/* the temp name is gone: nothing to remove if the directory sync below fails */
	if (o->slot >= 0)
		pending[o->slot] = NULL;
	o->slot = -1;
	if (sync) {
		char *d = dir_of(o->target);
		if (lc_fsync_dir(d) < 0)
			lc_die(LC_EXIT_INPUT, "%s: written, but syncing directory %s failed: %s", o->path, d, strerror(errno));
		free(d);
	}
	release(o);
}

int lc_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES ? 0 : -1;   /* a write-only directory cannot be opened to sync */
	int rc = fsync(fd);
	int err = errno;
	close(fd);
	if (rc < 0 && err != EINVAL && err != EROFS) {
		errno = err;
		return -1;
	}
	return 0;
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
