/*
 * faultinject.c — an LD_PRELOAD shim that makes the N-th call of write, read,
 * open or malloc fail, so tests can show that every program reports a failing
 * disk or memory exhaustion clearly, exits non-zero and leaves no partial output.
 *
 *   LCTK_FAULT=write:3:ENOSPC   the 3rd write() and every later one fail (disk full)
 *   LCTK_FAULT=read:2:EIO:once  only the 2nd read() fails
 *   LCTK_FAULT=open:4:EACCES    open()/openat() from the 4th call on
 *   LCTK_FAULT=malloc:100       the 100th malloc/calloc/realloc returns NULL (ENOMEM)
 *   LCTK_FAULT=rename:4:EIO:once  only the 4th rename()/renameat() fails
 *
 *   LCTK_SLOW=200               every write() (not to stderr) first sleeps 200 ms, so a
 *                               test can interrupt a program in the middle of its output
 *
 * Writes to stderr (fd 2) are never counted or failed, so messages still appear.
 * Built by the Makefile as $(B)/tests/faultinject.so (glibc only: uses the
 * __libc_* allocator entry points and RTLD_NEXT).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

enum { F_NONE, F_WRITE, F_READ, F_OPEN, F_MALLOC, F_RENAME };

static int kind = -1, err_no, once;
static long slow_ms;
static long at, calls;

__attribute__((constructor)) static void parse(void)
{
	kind = F_NONE;
	const char *slow = getenv("LCTK_SLOW");
	if (slow)
		slow_ms = atol(slow);
	const char *s = getenv("LCTK_FAULT");
	if (!s || !*s)
		return;
	char buf[128];
	strncpy(buf, s, sizeof buf - 1);
	buf[sizeof buf - 1] = 0;
	char *save, *name = strtok_r(buf, ":", &save), *n = strtok_r(NULL, ":", &save),
	            *e = strtok_r(NULL, ":", &save), *o = strtok_r(NULL, ":", &save);
	if (!name || !n)
		return;
	at = atol(n);
	once = o && !strcmp(o, "once");
	err_no = EIO;
	if (e) {
		if (!strcmp(e, "ENOSPC")) err_no = ENOSPC;
		else if (!strcmp(e, "EIO")) err_no = EIO;
		else if (!strcmp(e, "EACCES")) err_no = EACCES;
		else if (!strcmp(e, "ENOMEM")) err_no = ENOMEM;
		else if (!strcmp(e, "EPIPE")) err_no = EPIPE;
		else if (!strcmp(e, "once")) once = 1;
	}
	if (!strcmp(name, "write")) kind = F_WRITE;
	else if (!strcmp(name, "read")) kind = F_READ;
	else if (!strcmp(name, "open")) kind = F_OPEN;
	else if (!strcmp(name, "rename")) kind = F_RENAME;
	else if (!strcmp(name, "malloc")) { kind = F_MALLOC; err_no = ENOMEM; }
}

/* 1 if this call of kind k must fail. */
static int fire(int k)
{
	if (kind != k)
		return 0;
	long c = ++calls;
	if (once ? c == at : c >= at) {
		errno = err_no;
		return 1;
	}
	return 0;
}

ssize_t write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fd != 2 && fire(F_WRITE))
		return -1;
	if (fd != 2 && slow_ms > 0) {
		struct timespec ts = { slow_ms / 1000, (slow_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return real(fd, p, n);
}

ssize_t read(int fd, void *p, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	if (!real)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	if (fire(F_READ))
		return -1;
	return real(fd, p, n);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (fire(F_OPEN))
		return -1;
	return real(path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (fire(F_OPEN))
		return -1;
	return real(dir, path, flags, mode);
}

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (fire(F_RENAME))
		return -1;
	return real(from, to);
}

int renameat(int fromdir, const char *from, int todir, const char *to)
{
	static int (*real)(int, const char *, int, const char *);
	if (!real)
		real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
	if (fire(F_RENAME))
		return -1;
	return real(fromdir, from, todir, to);
}

void *malloc(size_t n)
{
	if (kind == F_MALLOC && fire(F_MALLOC))
		return NULL;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t s)
{
	if (kind == F_MALLOC && fire(F_MALLOC))
		return NULL;
	return __libc_calloc(n, s);
}

void *realloc(void *p, size_t n)
{
	if (kind == F_MALLOC && fire(F_MALLOC))
		return NULL;
	return __libc_realloc(p, n);
}
