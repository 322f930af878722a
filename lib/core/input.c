/* input — libarchive-backed line reader (plain, compressed, zip/tar members). */
#include "input.h"
#include "fdio.h"
#include "strmap.h"
#include "utf8.h"
#include "zipdir.h"

#include <ctype.h>
#include "buf.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The byte source under libarchive.  It reads the file itself so that gzip is
 * inflated by zlib with its CRC32 and ISIZE checked (libarchive's gzip filter
 * checks neither and ignores trailing garbage), and so that the bytes libarchive
 * saw while detecting the format can be offered again as plain data when the
 * detection ends in an archive without a single entry (a file that starts with
 * 512 NUL bytes is an empty tar to libarchive). */
#define SRC_CHUNK (1u << 16)
#define SRC_RECORD_MAX (16u << 20)   /* bytes kept for a replay on a pipe */

typedef struct src {
	int fd;
	int own_fd;
	int seekable;         /* a regular file: a replay is a rewind */
	unsigned char *ibuf;  /* raw bytes read from fd */
	size_t ipos, ilen;
	int in_eof;
	int gz;               /* the bytes are gzip: inflate them */
	int zinit;
	z_stream zs;
	int member_done;      /* inflate reached the end of a gzip member */
	unsigned char *obuf;  /* inflated bytes */
	int recording;        /* keep what libarchive reads in rec */
	int rec_over;         /* rec outgrew SRC_RECORD_MAX */
	lc_buf rec;
	int replaying;        /* hand out rec before reading on */
	unsigned long long total; /* bytes handed to libarchive */
	unsigned long long raw;   /* bytes read from fd (lc_input_bytes on a pipe) */
	int hard_err;         /* a read or integrity error was reported */
	int keep_tail;        /* keep the last LC_ZIPDIR_TAIL bytes handed out in tail (a zip read as a stream) */
	lc_buf tail;
} src;

struct lc_input {
	struct archive *a;
	src s;
	char *path;           /* as given, "-" for stdin */
	char *glob;
	int glob_soft;        /* glob applies only if the data is an archive (lc_input_open_default) */
	char *option;         /* the option that sets glob, for messages; NULL = none */
	int is_archive;       /* zip/tar: entry names are members */
	int started;          /* the first header has been read */
	int in_entry;         /* an entry is open for reading */
	int eof;
	int matched;          /* members matched so far */
	char *member;         /* current member name (archives) */
	long headers;         /* entries whose header was read, matched or not */
	char *last_header;    /* the name in the last of them (archives) */
	lc_strmap seen;       /* the names in all of them, for a zip read as a stream (src.keep_tail) */
	const char *blk;      /* current data block */
	size_t blk_len, blk_pos;
	size_t max_record;    /* 0 = no limit */
	lc_buf line;
	int pushed;           /* lc_input_unget: line is returned again */
	long lineno;
	long repaired;        /* bytes replaced by U+FFFD (lc_input_repair) */
	int keep_bytes;       /* lc_input_keep_bytes: only NUL is replaced */
	lc_buf fix;           /* the repaired line */
	char *where;
	char *name;
	long long size;       /* a regular file's size, -1 otherwise */
};

static size_t default_max_record = LC_INPUT_MAX_RECORD;

void lc_input_set_max_record(size_t bytes) { default_max_record = bytes; }
size_t lc_input_max_record(void) { return default_max_record; }

/* lc_input_spool was called: standard input, or a named pipe or device, is a
 * temporary file that every opening of its name reads from its start (a
 * program-wide setting, as the above): stdin_spooled for "-" (descriptor 0 is
 * the copy); spooled[] for names (the copy's descriptor; opened again through
 * /proc/self/fd, so each lc_input has its own offset). */
static int stdin_spooled;
static struct spooled_name { char *path; int fd; } *spooled;
static size_t nspooled;

/* fd's bytes to the end into a new temporary file: its descriptor (offset at the
 * end), or -1 with e filled; name: the input's name in messages */
static int copy_to_tmp(int fd, const char *name, lc_err *e)
{
	const char *dir;
	int tmp = lc_tmpfd("lctk-stdin", &dir);
	if (tmp < 0) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create a temporary file in %s to hold it: %s "
		           "(set TMPDIR to a writable directory)", name, dir, strerror(errno));
		return -1;
	}
	char *b = lc_xmalloc(SRC_CHUNK);
	int ok = 0;
	for (;;) {
		ssize_t n = read(fd, b, SRC_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: read error: %s", name, strerror(errno));
			break;
		}
		if (n == 0) {
			ok = 1;
			break;
		}
		if (lc_write_all(tmp, b, (size_t)n) < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: cannot copy it to a temporary file in %s: %s "
			           "(set TMPDIR to a directory with room)", name, dir, strerror(errno));
			break;
		}
	}
	free(b);
	if (!ok) {
		close(tmp);
		return -1;
	}
	return tmp;
}

int lc_input_spool_stdin(lc_err *e)
{
	if (stdin_spooled)
		return 0;
	struct stat st;
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) && lseek(0, 0, SEEK_CUR) == 0) {
		stdin_spooled = 1;   /* redirected from a file: it can be read again as it is */
		return 0;
	}
	int fd = copy_to_tmp(0, "(stdin)", e);
	if (fd < 0)
		return -1;
	if (dup2(fd, 0) < 0)
		lc_err_set(e, LC_EXIT_INPUT, "(stdin): %s", strerror(errno));
	else
		stdin_spooled = 1;
	close(fd);
	return stdin_spooled ? 0 : -1;
}

static const struct spooled_name *find_spooled(const char *path)
{
	for (size_t i = 0; i < nspooled; i++)
		if (!strcmp(spooled[i].path, path))
			return &spooled[i];
	return NULL;
}

int lc_input_spool(const char *path, lc_err *e)
{
	if (!path || !strcmp(path, "-"))
		return lc_input_spool_stdin(e);
	struct stat st;
	if (find_spooled(path) || stat(path, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 0;   /* a file can be read again; an error is lc_input_open's to report */
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return 0;
	int fd = copy_to_tmp(in, path, e);
	close(in);
	if (fd < 0)
		return -1;
	spooled = lc_xrealloc(spooled, (nspooled + 1) * sizeof *spooled);
	spooled[nspooled].path = lc_xstrdup(path);
	spooled[nspooled++].fd = fd;
	return 0;
}

static const char *display(const lc_input *in) { return strcmp(in->path, "-") ? in->path : "(stdin)"; }

static const char *arch_msg(lc_input *in)
{
	const char *m = archive_error_string(in->a);
	return m ? m : "unreadable input (corrupt or truncated?)";
}

static int arch_err(lc_input *in, lc_err *e)
{
	return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", lc_input_name(in), arch_msg(in));
}

/* 1 for zip and tar, whose entries are members; 0 for plain data (raw) and the
 * format not yet known. */
static int archive_format_is_archive(int fmt)
{
	return fmt && fmt != ARCHIVE_FORMAT_RAW && fmt != ARCHIVE_FORMAT_EMPTY;
}

/* An error while reading the next header of an archive (a damaged header, a
 * bad CRC libarchive found in it, data cut short): the member it names, when
 * libarchive read as far as the name, else the member after the last one read
 * (in->member, which arch_err names, is the last member matched: it was read
 * whole, and the damage lies after it). */
static int header_err(lc_input *in, struct archive_entry *ent, lc_err *e)
{
	int archive = archive_format_is_archive(archive_format(in->a));
	const char *nm = ent && archive ? archive_entry_pathname(ent) : NULL;
	if (nm && *nm)
		return lc_err_set(e, LC_EXIT_INPUT, "%s(%s): %s", display(in), nm, arch_msg(in));
	if (in->last_header)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: the member after %s cannot be read: %s", display(in),
		                  in->last_header, arch_msg(in));
	if (archive && !in->headers)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: the first member cannot be read: %s", display(in), arch_msg(in));
	return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", display(in), arch_msg(in));
}

/* Reads more raw bytes into ibuf when it is used up; -1 = read error (errno). */
static int src_fill(src *s)
{
	if (s->ipos < s->ilen || s->in_eof)
		return 0;
	for (;;) {
		ssize_t n = read(s->fd, s->ibuf, SRC_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		s->raw += (unsigned long long)n;
		s->ipos = 0;
		s->ilen = (size_t)n;
		if (n == 0)
			s->in_eof = 1;
		return 0;
	}
}

static int src_fail(src *s, struct archive *a, int err, const char *what)
{
	s->hard_err = 1;
	archive_set_error(a, err, "%s", what);
	return -1;
}

/* Reads the first bytes and decides between gzip (inflated here) and anything else. */
static int src_start(src *s)
{
	s->ipos = s->ilen = 0;
	s->in_eof = 0;
	s->member_done = 0;
	if (src_fill(s) < 0)
		return -1;
	/* a gzip header is at least 10 bytes; two magic bytes decide it */
	while (s->ilen < 2 && !s->in_eof) {
		ssize_t n = read(s->fd, s->ibuf + s->ilen, SRC_CHUNK - s->ilen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			s->in_eof = 1;
		s->raw += (unsigned long long)n;
		s->ilen += (size_t)n;
	}
	s->gz = s->ilen >= 2 && s->ibuf[0] == 0x1f && s->ibuf[1] == 0x8b;
	if (s->gz) {
		if (s->zinit)
			inflateEnd(&s->zs);
		memset(&s->zs, 0, sizeof s->zs);
		if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
			return -1;
		s->zinit = 1;
		if (!s->obuf)
			s->obuf = lc_xmalloc(SRC_CHUNK);
	}
	return 0;
}

static la_ssize_t gz_read(src *s, struct archive *a, const void **buf)
{
	s->zs.next_out = s->obuf;
	s->zs.avail_out = SRC_CHUNK;
	while (s->zs.avail_out == SRC_CHUNK) {
		if (src_fill(s) < 0)
			return src_fail(s, a, errno, strerror(errno));
		size_t avail = s->ilen - s->ipos;
		if (s->member_done) {
			if (!avail)
				return 0;   /* in_eof: all members read */
			if (s->ibuf[s->ipos] != 0x1f || (avail >= 2 && s->ibuf[s->ipos + 1] != 0x8b))
				return src_fail(s, a, EILSEQ,
				                "trailing garbage after the gzip data; the file is damaged");
			inflateReset(&s->zs);
			s->member_done = 0;
		}
		s->zs.next_in = s->ibuf + s->ipos;
		s->zs.avail_in = (uInt)avail;
		int r = inflate(&s->zs, Z_NO_FLUSH);
		s->ipos = s->ilen - s->zs.avail_in;
		if (r == Z_STREAM_END) {
			s->member_done = 1;
		} else if (r == Z_DATA_ERROR || r == Z_NEED_DICT) {
			char m[160];
			snprintf(m, sizeof m, "corrupt gzip data (%s); the file is damaged",
			         s->zs.msg ? s->zs.msg : "invalid data");
			return src_fail(s, a, EILSEQ, m);
		} else if (r == Z_MEM_ERROR) {
			return src_fail(s, a, ENOMEM, "out of memory");
		} else if (s->in_eof && s->ipos == s->ilen && s->zs.avail_out == SRC_CHUNK) {
			return src_fail(s, a, EILSEQ,
			                "unexpected end of gzip data; the file is truncated");
		}
	}
	*buf = s->obuf;
	return (la_ssize_t)(SRC_CHUNK - s->zs.avail_out);
}

static la_ssize_t raw_read(src *s, struct archive *a, const void **buf)
{
	if (s->ipos == s->ilen && !s->in_eof)
		s->ipos = s->ilen = 0;
	if (src_fill(s) < 0)
		return src_fail(s, a, errno, strerror(errno));
	*buf = s->ibuf + s->ipos;
	size_t n = s->ilen - s->ipos;
	s->ipos = s->ilen;
	return (la_ssize_t)n;
}

/* Appends n bytes to tail, keeping at least the last LC_ZIPDIR_TAIL bytes. */
static void tail_add(lc_buf *tail, const void *p, size_t n)
{
	lc_buf_add(tail, p, n);
	if (tail->len > 2 * LC_ZIPDIR_TAIL) {
		memmove(tail->p, tail->p + tail->len - LC_ZIPDIR_TAIL, LC_ZIPDIR_TAIL);
		tail->len = LC_ZIPDIR_TAIL;
	}
}

static la_ssize_t src_read(struct archive *a, void *cd, const void **buf)
{
	src *s = cd;
	if (s->replaying) {
		s->replaying = 0;
		if (s->rec.len) {
			*buf = s->rec.p;
			return (la_ssize_t)s->rec.len;
		}
	}
	la_ssize_t n = s->gz ? gz_read(s, a, buf) : raw_read(s, a, buf);
	if (n > 0) {
		s->total += (unsigned long long)n;
		if (s->keep_tail)
			tail_add(&s->tail, *buf, (size_t)n);
		if (s->recording && !s->rec_over) {
			if (s->rec.len + (size_t)n > SRC_RECORD_MAX)
				s->rec_over = 1;
			else
				lc_buf_add(&s->rec, *buf, (size_t)n);
		}
	}
	return n;
}

/* Only for a plain regular file (zip's central directory is read by seeking). */
static la_int64_t src_seek(struct archive *a, void *cd, la_int64_t off, int whence)
{
	src *s = cd;
	off_t r = lseek(s->fd, (off_t)off, whence);
	if (r < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	s->ipos = s->ilen = 0;
	s->in_eof = 0;
	return (la_int64_t)r;
}

static int src_close(struct archive *a, void *cd) { (void)a; (void)cd; return ARCHIVE_OK; }

/* A plain regular file: libarchive may seek (and reads a zip by its central
 * directory); anything else it reads as a stream. */
static int src_can_seek(const src *s) { return s->seekable && !s->gz; }

/* A new libarchive reader over in->s; raw_only skips archive formats. */
static int arch_open(lc_input *in, int raw_only, lc_err *e)
{
	if (in->a)
		archive_read_free(in->a);
	in->a = archive_read_new();
	if (!in->a)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: out of memory", display(in));
	archive_read_support_filter_all(in->a);
	if (!raw_only) {
		archive_read_support_format_tar(in->a);
		archive_read_support_format_gnutar(in->a);
		archive_read_support_format_zip(in->a);
	}
	archive_read_support_format_empty(in->a);
	archive_read_support_format_raw(in->a);
	archive_read_set_callback_data(in->a, &in->s);
	archive_read_set_read_callback(in->a, src_read);
	archive_read_set_close_callback(in->a, src_close);
	if (src_can_seek(&in->s))
		archive_read_set_seek_callback(in->a, src_seek);
	if (archive_read_open1(in->a) != ARCHIVE_OK) {
		const char *m = archive_error_string(in->a);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", display(in), m ? m : "cannot open");
	}
	return 0;
}

lc_input *lc_input_open(const char *path, const char *member_glob, lc_err *e)
{
	if (!path)
		path = "-";
	int is_stdin = !strcmp(path, "-");
	int fd = 0;
	struct stat st;
	if (is_stdin && stdin_spooled && lseek(0, 0, SEEK_SET) != 0) {
		lc_err_set(e, LC_EXIT_INPUT, "(stdin): cannot read it again: %s", strerror(errno));
		return NULL;
	}
	if (!is_stdin) {
		if (stat(path, &st) < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (S_ISDIR(st.st_mode)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: is a directory; give a file", path);
			return NULL;
		}
		const struct spooled_name *sp = find_spooled(path);
		char again[64];
		if (sp)
			snprintf(again, sizeof again, "/proc/self/fd/%d", sp->fd);
		fd = open(sp ? again : path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, strerror(errno));
			return NULL;
		}
	}
	lc_input *in = lc_xcalloc(1, sizeof *in);
	in->path = lc_xstrdup(path);
	in->glob = member_glob ? lc_xstrdup(member_glob) : NULL;
	in->max_record = default_max_record;
	in->s.fd = fd;
	in->s.own_fd = !is_stdin;
	in->s.seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0;
	in->size = in->s.seekable ? (long long)st.st_size : -1;
	in->s.ibuf = lc_xmalloc(SRC_CHUNK);
	in->s.recording = !in->s.seekable;
	if (src_start(&in->s) < 0) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: read error: %s", display(in), strerror(errno));
		lc_input_close(in);
		return NULL;
	}
	/* a zip's directory is at its end: keep the last bytes until the format is known */
	in->s.keep_tail = !src_can_seek(&in->s);
	if (arch_open(in, 0, e) < 0) {
		lc_input_close(in);
		return NULL;
	}
	if (in->s.hard_err) {   /* a read error while libarchive sniffed the format */
		arch_err(in, e);
		lc_input_close(in);
		return NULL;
	}
	return in;
}

/* The first header said "archive without entries" although bytes were read: the
 * data is not an archive, so read it again as plain data. */
static int reopen_raw(lc_input *in, lc_err *e)
{
	src *s = &in->s;
	if (s->seekable) {
		if (lseek(s->fd, 0, SEEK_SET) != 0 || src_start(s) < 0)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: read error: %s", display(in), strerror(errno));
	} else {
		if (s->rec_over)
			return lc_err_set(e, LC_EXIT_INPUT,
			                  "%s: unrecognised data (it starts like an empty tar archive); "
			                  "give it as a file, not a pipe", display(in));
		s->replaying = 1;
	}
	s->recording = 0;
	s->keep_tail = 0;
	lc_buf_free(&s->tail);
	return arch_open(in, 1, e);
}

/* 1 for the metadata macOS adds to the archives it makes: "__MACOSX/..." and
 * AppleDouble "._NAME" files (resource forks, not data; "._corpus.jsonl"
 * would match --member '*corpus.jsonl').  Never a member lctk reads. */
static int mac_metadata(const char *nm)
{
	const char *base = strrchr(nm, '/');
	base = base ? base + 1 : nm;
	return !strncmp(base, "._", 2) || !strncmp(nm, "__MACOSX/", 9) || strstr(nm, "/__MACOSX/");
}

/* The archive has no member the glob matches.  For a default member (a dataset's
 * file) the message names the option that chooses others, when the program has
 * one; a glob the user gave needs no such advice. */
static int no_member(lc_input *in, lc_err *e)
{
	if (!in->glob_soft)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: no member matches '%s'", display(in), in->glob);
	if (in->option)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: no member matches '%s' (the file a BEIR or LOFT dataset "
		                  "names so; choose other members with %s GLOB, or extract the file)",
		                  display(in), in->glob, in->option);
	return lc_err_set(e, LC_EXIT_INPUT, "%s: no member matches '%s' (the file a BEIR or LOFT dataset names so; "
	                  "extract the file you mean and give it)", display(in), in->glob);
}

/* At the end of a zip read as a stream: the members libarchive found, against
 * those the central directory lists (lib/core/zipdir).  Where a local header is
 * damaged, libarchive's stream reader searches on for the next without a word,
 * and the member would be left out as if the archive had never held it.  The
 * rest of the input (the directory libarchive stopped at) is read here. */
static int zip_stream_check(lc_input *in, lc_err *e)
{
	src *s = &in->s;
	for (;;) {
		const void *b;
		la_ssize_t n = s->gz ? gz_read(s, in->a, &b) : raw_read(s, in->a, &b);
		if (n < 0)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", display(in), arch_msg(in));
		if (n == 0)
			break;
		tail_add(&s->tail, b, (size_t)n);
	}
	lc_zipdir d;
	if (!lc_zipdir_find((const unsigned char *)s->tail.p, s->tail.len, &d) ||
	    d.members == (unsigned long long)in->headers)
		return 0;
	const char *name;
	size_t n, pos = 0;
	while (lc_zipdir_next(&d, &pos, &name, &n))
		if (lc_strmap_find(&in->seen, name, n) < 0)
			return lc_err_set(e, LC_EXIT_INPUT, "%s(%.*s): the member's local header is damaged, so it "
			                  "cannot be read (the zip's directory lists %llu members, %ld %s found); the "
			                  "archive is damaged", display(in), (int)n, name, d.members, in->headers,
			                  in->headers == 1 ? "was" : "were");
	return lc_err_set(e, LC_EXIT_INPUT, "%s: the zip's directory lists %llu members but %ld %s found; the "
	                  "archive is damaged", display(in), d.members, in->headers, in->headers == 1 ? "was" : "were");
}

/* Opens the next entry to read; 1 = ready, 0 = no more, -1 = error. */
static int next_entry(lc_input *in, lc_err *e)
{
	for (;;) {
		struct archive_entry *ent;
		int r = archive_read_next_header(in->a, &ent);
		if (in->s.hard_err)
			return header_err(in, NULL, e);
		if (!in->started) {
			in->started = 1;
			in->s.recording = 0;
			int fmt = archive_format(in->a);
			if ((fmt & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_ZIP) {
				in->s.keep_tail = 0;
				lc_buf_free(&in->s.tail);
			}
			if (r == ARCHIVE_EOF && in->s.total > 0 && (fmt & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_EMPTY) {
				if (reopen_raw(in, e) < 0)
					return -1;
				continue;
			}
			if (!in->s.replaying)
				lc_buf_free(&in->s.rec);
		}
		if (r == ARCHIVE_EOF) {
			if (in->s.keep_tail && in->is_archive && zip_stream_check(in, e) < 0)
				return -1;
			if (in->is_archive && in->glob && !in->matched)
				return no_member(in, e);
			return 0;
		}
		if (r != ARCHIVE_OK)   /* a warning too: a bad CRC or a damaged header */
			return header_err(in, ent, e);
		in->is_archive = archive_format_is_archive(archive_format(in->a));
		in->headers++;
		if (in->is_archive) {
			const char *nm = archive_entry_pathname(ent);
			if (!nm)
				nm = "?";
			free(in->last_header);
			in->last_header = lc_xstrdup(nm);
			if (in->s.keep_tail)
				lc_strmap_intern(&in->seen, nm, strlen(nm), NULL);
			if (archive_entry_filetype(ent) != AE_IFREG)
				continue;
			if (mac_metadata(nm))
				continue;
			if (in->glob && fnmatch(in->glob, nm, 0) != 0) {
				const char *base = strrchr(nm, '/');
				if (!base || fnmatch(in->glob, base + 1, 0) != 0)
					continue;
			}
			free(in->member);
			in->member = lc_xstrdup(nm);
			in->matched++;
		} else if (in->glob && !in->glob_soft) {
			return lc_err_set(e, LC_EXIT_USAGE, "%s: %s given but the input is not a zip or tar archive",
			                  display(in), in->option ? in->option : "a member glob");
		}
		in->lineno = 0;
		in->in_entry = 1;
		in->blk_len = in->blk_pos = 0;
		return 1;
	}
}

/* Makes data available in blk; 1 = data, 0 = entry finished, -1 = error. */
static int fill(lc_input *in, lc_err *e)
{
	const void *b;
	size_t n;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(in->a, &b, &n, &off);
		if (in->s.hard_err)
			return arch_err(in, e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK)   /* ARCHIVE_WARN is a zip member's bad CRC */
			return arch_err(in, e);
		if (n == 0)
			continue;
		in->blk = b;
		in->blk_len = n;
		in->blk_pos = 0;
		return 1;
	}
}

int lc_input_getline_nonblank(lc_input *in, char **line, size_t *len, lc_err *e)
{
	int r;
	while ((r = lc_input_getline(in, line, len, e)) == 1) {
		for (size_t k = 0; k < *len; k++)
			if (!isspace((unsigned char)(*line)[k]))
				return 1;
	}
	return r;
}

void lc_input_unget(lc_input *in)
{
	in->pushed = 1;
}

int lc_input_getline(lc_input *in, char **line, size_t *len, lc_err *e)
{
	if (in->pushed && in->line.p) {
		in->pushed = 0;
		*line = in->line.p;
		*len = in->line.len;
		return 1;
	}
	in->pushed = 0;
	lc_buf_reset(&in->line);
	for (;;) {
		if (in->eof)
			return 0;
		if (!in->in_entry) {
			int r = next_entry(in, e);
			if (r <= 0) {
				in->eof = 1;
				return r;
			}
		}
		if (in->blk_pos == in->blk_len) {
			int r = fill(in, e);
			if (r < 0) {
				in->eof = 1;
				return -1;
			}
			if (r == 0) {
				in->in_entry = 0;
				if (in->line.len || in->line.p) {
					/* last line of the member without its newline */
					if (in->line.len) {
						in->lineno++;
						goto done;
					}
				}
				continue;
			}
		}
		const char *s = in->blk + in->blk_pos;
		size_t avail = in->blk_len - in->blk_pos;
		const char *nl = memchr(s, '\n', avail);
		size_t take = nl ? (size_t)(nl - s) : avail;
		if (in->max_record && in->line.len + take > in->max_record) {
			in->eof = 1;
			return lc_err_set(e, LC_EXIT_INPUT,
			                  "%s:%ld: record longer than %zu bytes; raise --max-record BYTES if it is genuine",
			                  lc_input_name(in), in->lineno + 1, in->max_record);
		}
		if (!nl) {
			lc_buf_add(&in->line, s, avail);
			in->blk_pos = in->blk_len;
			continue;
		}
		lc_buf_add(&in->line, s, (size_t)(nl - s));
		in->blk_pos += (size_t)(nl - s) + 1;
		in->lineno++;
		goto done;
	}
done:
	if (in->lineno == 1 && in->line.len >= 3 && !memcmp(in->line.p, "\xEF\xBB\xBF", 3)) {
		/* a UTF-8 byte order mark starts the file (member): not data */
		memmove(in->line.p, in->line.p + 3, in->line.len - 3 + 1);
		in->line.len -= 3;
	}
	if (in->line.len && in->line.p[in->line.len - 1] == '\r')
		in->line.p[--in->line.len] = 0;
	if (!in->line.p)
		lc_buf_grow(&in->line, 0), in->line.p[0] = 0;
	*line = in->line.p;
	*len = in->line.len;
	return 1;
}

int lc_input_slurp(lc_input *in, char **out, size_t *len, lc_err *e)
{
	lc_buf all = {0};
	for (;;) {
		if (!in->in_entry) {
			int r = next_entry(in, e);
			if (r < 0) {
				lc_buf_free(&all);
				return -1;
			}
			if (r == 0)
				break;
		}
		if (in->blk_pos < in->blk_len) {
			size_t take = in->blk_len - in->blk_pos;
			if (in->max_record && all.len + take > in->max_record) {
				/* a whole-file read (template, stopwords, model) is one record */
				lc_buf_free(&all);
				in->eof = 1;
				return lc_err_set(e, LC_EXIT_INPUT,
				                  "%s: file longer than %zu bytes (it is read whole, as one record); raise --max-record BYTES if it is genuine",
				                  lc_input_name(in), in->max_record);
			}
			lc_buf_add(&all, in->blk + in->blk_pos, take);
			in->blk_pos = in->blk_len;
		}
		int r = fill(in, e);
		if (r < 0) {
			lc_buf_free(&all);
			return -1;
		}
		if (r == 0)
			in->in_entry = 0;
	}
	in->eof = 1;
	if (!all.p)
		lc_buf_grow(&all, 0), all.p[0] = 0;
	if (all.len >= 3 && !memcmp(all.p, "\xEF\xBB\xBF", 3)) {
		memmove(all.p, all.p + 3, all.len - 3 + 1);
		all.len -= 3;
	}
	/* bytes that are not UTF-8 (and NUL) become U+FFFD, counted and warned
	 * about, as for lines */
	char *p = all.p;
	size_t n = all.len;
	long before = in->repaired;
	lc_input_repair(in, &p, &n);
	if (p != all.p) {
		lc_buf_reset(&all);
		lc_buf_add(&all, p, n);
		lc_buf_reset(&in->fix);
		long now = in->repaired;
		in->repaired -= before;
		lc_input_warn_repaired(in);
		in->repaired = now;
	}
	*len = all.len;
	*out = lc_buf_detach(&all);
	return 0;
}

void lc_input_repair(lc_input *in, char **line, size_t *len)
{
	const unsigned char *s = (const unsigned char *)*line;
	size_t n = *len, bad;
	/* NUL is valid UTF-8 but would cut a C string: it is replaced too */
	const unsigned char *nul = memchr(s, 0, n);
	size_t i = in->keep_bytes ? (nul ? (size_t)(nul - s) : n) : lc_utf8_valid_prefix(*line, nul ? (size_t)(nul - s) : n);
	if (i == n)
		return;   /* the common case: valid, untouched */
	lc_buf *out = &in->fix;
	lc_buf_reset(out);
	lc_buf_grow(out, n + 8);
	lc_buf_add(out, s, i);
	while (i < n) {
		size_t k = !s[i] ? 0 : in->keep_bytes ? 1 : lc_utf8_seq(s, n, i, &bad);
		if (k) {
			lc_buf_add(out, s + i, k);
			i += k;
		} else {
			lc_buf_add(out, "\xEF\xBF\xBD", 3);
			in->repaired++;
			i++;
		}
	}
	*line = out->p;
	*len = out->len;
}

long lc_input_repaired(const lc_input *in) { return in->repaired; }

void lc_input_keep_bytes(lc_input *in) { in->keep_bytes = 1; }
int lc_input_keeps_bytes(const lc_input *in) { return in->keep_bytes; }

void lc_input_warn_repaired(lc_input *in)
{
	if (in->repaired && in->keep_bytes)
		lc_warn("%s: %ld NUL byte%s replaced by U+FFFD", lc_input_name(in), in->repaired, in->repaired == 1 ? "" : "s");
	else if (in->repaired)
		lc_warn("%s: %ld byte%s that %s not UTF-8 (or NUL) replaced by U+FFFD", lc_input_name(in), in->repaired,
		        in->repaired == 1 ? "" : "s", in->repaired == 1 ? "is" : "are");
}

int lc_input_no_member(const lc_input *in) { return in->eof && in->is_archive && in->glob && !in->matched; }

const char *lc_input_path(const lc_input *in) { return in->path; }
long lc_input_lineno(const lc_input *in) { return in->lineno; }

const char *lc_input_name(const lc_input *in)
{
	lc_input *w = (lc_input *)in;
	free(w->name);
	if (in->is_archive && in->member) {
		size_t n = strlen(display(in)) + strlen(in->member) + 3;
		w->name = lc_xmalloc(n);
		snprintf(w->name, n, "%s(%s)", display(in), in->member);
	} else {
		w->name = lc_xstrdup(display(in));
	}
	return w->name;
}

const char *lc_input_where(lc_input *in)
{
	const char *nm = lc_input_name(in);
	size_t n = strlen(nm) + 24;
	free(in->where);
	in->where = lc_xmalloc(n);
	snprintf(in->where, n, "%s:%ld", nm, in->lineno);
	return in->where;
}

long long lc_input_size(const lc_input *in) { return in->size; }

int lc_input_is_plain(const lc_input *in)
{
	return in->started && in->a && in->s.seekable && !in->s.gz && !in->is_archive && strcmp(in->path, "-") &&
	       !find_spooled(in->path) &&   /* its name is the pipe: the copy is read through the descriptor */
	       archive_filter_count(in->a) == 1 && archive_filter_code(in->a, 0) == ARCHIVE_FILTER_NONE;
}

long long lc_input_bytes(const lc_input *in)
{
	if (in->s.seekable) {
		/* the file offset, less what is read but not yet consumed (zip members
		 * are found by seeking, so a count of reads would overshoot) */
		off_t pos = lseek(in->s.fd, 0, SEEK_CUR);
		if (pos >= 0)
			return (long long)pos - (long long)(in->s.ilen - in->s.ipos);
	}
	return (long long)in->s.raw;
}

void lc_input_close(lc_input *in)
{
	if (!in)
		return;
	if (in->a)
		archive_read_free(in->a);
	if (in->s.zinit)
		inflateEnd(&in->s.zs);
	if (in->s.own_fd)
		close(in->s.fd);
	free(in->s.ibuf);
	free(in->s.obuf);
	lc_buf_free(&in->s.rec);
	lc_buf_free(&in->s.tail);
	lc_strmap_free(&in->seen);
	lc_buf_free(&in->line);
	lc_buf_free(&in->fix);
	free(in->path);
	free(in->glob);
	free(in->option);
	free(in->member);
	free(in->last_header);
	free(in->where);
	free(in->name);
	free(in);
}

lc_input *lc_input_open_default(const char *path, const char *member, const char *dflt, const char *option,
                                lc_err *e)
{
	lc_input *in = lc_input_open(path, member ? member : dflt, e);
	if (in && !member && dflt)
		in->glob_soft = 1;
	if (in && option)
		in->option = lc_xstrdup(option);
	return in;
}

lc_input *lc_input_open_or_die(const char *path, const char *member_glob)
{
	lc_err e = {0};
	lc_input *in = lc_input_open(path, member_glob, &e);
	if (!in)
		lc_die_err(&e);
	return in;
}

int lc_input_next(lc_input *in, char **line, size_t *len)
{
	lc_err e = {0};
	int r = lc_input_getline(in, line, len, &e);
	if (r < 0)
		lc_die_err(&e);
	return r;
}

int lc_input_archive(const char *path, lc_err *e)
{
	if ((!path || !strcmp(path, "-")) && !stdin_spooled)
		return 0;   /* standard input is read once */
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	char *line;
	size_t len;
	int r = lc_input_getline(in, &line, &len, e);   /* reads the first header */
	int is = in->is_archive;
	lc_input_close(in);
	return r < 0 ? -1 : is;
}
