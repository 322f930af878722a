/* input — libarchive-backed line reader (plain, compressed, zip/tar members). */
#include "input.h"

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
#include <sys/stat.h>

struct lc_input {
	struct archive *a;
	char *path;           /* as given, "-" for stdin */
	char *glob;
	int is_archive;       /* zip/tar: entry names are members */
	int in_entry;         /* an entry is open for reading */
	int eof;
	int matched;          /* members matched so far */
	char *member;         /* current member name (archives) */
	const char *blk;      /* current data block */
	size_t blk_len, blk_pos;
	lc_buf line;
	int pushed;           /* lc_input_unget: line is returned again */
	long lineno;
	char *where;
	char *name;
};

static const char *display(const lc_input *in) { return strcmp(in->path, "-") ? in->path : "(stdin)"; }

static int arch_err(lc_input *in, lc_err *e)
{
	const char *m = archive_error_string(in->a);
	return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", lc_input_name(in),
	                  m ? m : "unreadable input (corrupt or truncated?)");
}

lc_input *lc_input_open(const char *path, const char *member_glob, lc_err *e)
{
	if (!path)
		path = "-";
	int is_stdin = !strcmp(path, "-");
	if (!is_stdin) {
		struct stat st;
		if (stat(path, &st) < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (S_ISDIR(st.st_mode)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: is a directory; give a file", path);
			return NULL;
		}
	}
	lc_input *in = lc_xcalloc(1, sizeof *in);
	in->path = lc_xstrdup(path);
	in->glob = member_glob ? lc_xstrdup(member_glob) : NULL;
	in->a = archive_read_new();
	if (!in->a) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: out of memory", path);
		lc_input_close(in);
		return NULL;
	}
	archive_read_support_filter_all(in->a);
	archive_read_support_format_tar(in->a);
	archive_read_support_format_gnutar(in->a);
	archive_read_support_format_zip(in->a);
	archive_read_support_format_empty(in->a);
	archive_read_support_format_raw(in->a);
	int r = is_stdin ? archive_read_open_fd(in->a, 0, 1 << 20)
	                 : archive_read_open_filename(in->a, path, 1 << 20);
	if (r != ARCHIVE_OK) {
		const char *m = archive_error_string(in->a);
		lc_err_set(e, LC_EXIT_INPUT, "%s: %s", display(in), m ? m : "cannot open");
		lc_input_close(in);
		return NULL;
	}
	/* A read error while libarchive sniffs the format is not reported by the open
	 * call (the "empty" format then wins); it leaves archive_errno set.  ESPIPE
	 * only says that a pipe cannot seek back, which libarchive copes with. */
	if (archive_errno(in->a) != 0 && archive_errno(in->a) != ESPIPE) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: read error: %s", display(in), strerror(archive_errno(in->a)));
		lc_input_close(in);
		return NULL;
	}
	return in;
}

/* Opens the next entry to read; 1 = ready, 0 = no more, -1 = error. */
static int next_entry(lc_input *in, lc_err *e)
{
	for (;;) {
		struct archive_entry *ent;
		int r = archive_read_next_header(in->a, &ent);
		if (r == ARCHIVE_EOF) {
			if (in->is_archive && in->glob && !in->matched)
				return lc_err_set(e, LC_EXIT_INPUT, "%s: no member matches '%s'",
				                  display(in), in->glob);
			return 0;
		}
		if (r < ARCHIVE_WARN)
			return arch_err(in, e);
		int fmt = archive_format(in->a);
		in->is_archive = fmt != ARCHIVE_FORMAT_RAW && fmt != ARCHIVE_FORMAT_EMPTY;
		if (in->is_archive) {
			if (archive_entry_filetype(ent) != AE_IFREG)
				continue;
			const char *nm = archive_entry_pathname(ent);
			if (!nm)
				nm = "?";
			if (in->glob && fnmatch(in->glob, nm, 0) != 0) {
				const char *base = strrchr(nm, '/');
				if (!base || fnmatch(in->glob, base + 1, 0) != 0)
					continue;
			}
			free(in->member);
			in->member = lc_xstrdup(nm);
			in->matched++;
		} else if (in->glob) {
			return lc_err_set(e, LC_EXIT_USAGE, "%s: --member given but the input is not a zip or tar archive",
			                  display(in));
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
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
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
			lc_buf_add(&all, in->blk + in->blk_pos, in->blk_len - in->blk_pos);
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
	*len = all.len;
	*out = lc_buf_detach(&all);
	return 0;
}

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

void lc_input_close(lc_input *in)
{
	if (!in)
		return;
	if (in->a)
		archive_read_free(in->a);
	lc_buf_free(&in->line);
	free(in->path);
	free(in->glob);
	free(in->member);
	free(in->where);
	free(in->name);
	free(in);
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

const char *lc_input_default_member(const char *path, const char *member, const char *dflt)
{
	if (member || !path)
		return member;
	size_t n = strlen(path);
	static const char *const ext[] = { ".zip", ".tar", ".tgz", ".tar.gz", ".tar.zst", ".tar.xz", NULL };
	for (int i = 0; ext[i]; i++) {
		size_t m = strlen(ext[i]);
		if (n > m && !strcasecmp(path + n - m, ext[i]))
			return dflt;
	}
	return NULL;
}
