/*
 * cstream — the corpus read once for its statistics and again for each pass
 * of compression (see cstream.h).
 */
#include "cstream.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "corpus.h"
#include "fdio.h"
#include "input.h"
#include "json.h"
#include "progress.h"

/* One record: 1 = good (r filled, *o a new reference), 0 = bad (e filled), skipped by the caller. */
static int parse(lc_cstream *s, const char *line, size_t len, const char *where, json_t **o, lc_crec *r, lc_err *e)
{
	*o = lc_json_parse_object(line, len, where, e);
	if (!*o)
		return 0;
	const char *text = lc_json_str(*o, s->field ? s->field : s->default_field(*o), where, e);
	if (!text) {
		json_decref(*o);
		*o = NULL;
		return 0;
	}
	json_t *t = json_object_get(*o, "title_text");   /* LOFT; a BEIR record's is "title" */
	if (!t)
		t = json_object_get(*o, "title");
	r->o = *o;
	r->text = text;
	r->title = json_is_string(t) ? json_string_value(t) : NULL;
	return 1;
}

/* An unlinked temporary file in TMPDIR (else /tmp), read and write; NULL with errno. */
static FILE *spool_open(void)
{
	const char *dir;
	int fd = lc_tmpfd("lctk-stdin", &dir);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (fd >= 0 && !f)
		close(fd);
	return f;
}

static const char *path_of(const lc_cstream *s, int fi) { return s->npaths ? s->paths[fi] : "-"; }

/* Path fi opened: its corpus.jsonl when it is a dataset's archive, unless s->member. */
static lc_input *open_path(const lc_cstream *s, int fi, lc_err *e)
{
	return lc_input_open_default(path_of(s, fi), s->member, LC_DATASET_CORPUS, s->member_option, e);
}

int lc_cstream_scan(lc_cstream *s, lc_err *e)
{
	int nf = s->npaths ? s->npaths : 1;
	s->cx = lc_cctx_new();
	s->spool = lc_xcalloc((size_t)nf, sizeof *s->spool);
	s->n = s->bad = 0;
	uint32_t *words = NULL;   /* per passage, for mean_log's sum in input order */
	size_t cap = 0;
	lc_progress pr;
	lc_progress_start(&pr, "passages read", s->progress);
	int rc = 0;
	for (int fi = 0; fi < nf && !rc; fi++) {
		lc_input *in = open_path(s, fi, e);
		if (!in) {
			rc = -1;
			break;
		}
		if (!strcmp(path_of(s, fi), "-") && !(s->spool[fi] = spool_open())) {
			lc_input_close(in);
			rc = lc_err_set(e, LC_EXIT_INPUT, "cannot create a temporary file for standard input in %s: %s (set TMPDIR to a writable directory)",
			                getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
			break;
		}
		char *line;
		size_t len;
		int got;
		while ((got = lc_input_getline(in, &line, &len, e)) == 1) {
			if (lc_corpus_not_index(in, line, len, e) < 0) {   /* not a bad record: the wrong file */
				rc = -1;
				break;
			}
			if (!len)
				continue;
			json_t *o;
			lc_crec r;
			if (!parse(s, line, len, lc_input_where(in), &o, &r, e)) {
				if (!s->skip_bad) {
					rc = -1;
					break;
				}
				s->bad++;
				continue;
			}
			if (s->spool[fi] && (fwrite(line, 1, len, s->spool[fi]) != len || putc('\n', s->spool[fi]) == EOF)) {
				json_decref(o);
				rc = lc_err_set(e, LC_EXIT_INPUT, "cannot write the temporary copy of standard input (disk full? set TMPDIR)");
				break;
			}
			lc_cctx_add(s->cx, r.title, r.text);
			if (s->n == cap) {
				cap = cap ? cap * 2 : 4096;
				words = lc_xrealloc(words, cap * sizeof *words);
			}
			size_t w = lc_cunits_count(r.text, &s->sv);
			words[s->n++] = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
			json_decref(o);
			lc_progress_input(&pr, s->n, in);
		}
		if (got < 0)
			rc = -1;
		lc_input_close(in);
	}
	lc_progress_done(&pr);
	if (!rc) {
		lc_progress_start(&pr, "passages measured", s->progress);
		s->mean_log = 0;
		for (size_t i = 0; i < s->n; i++) {
			s->mean_log += log1p((double)words[i]) / (double)s->n;
			lc_progress_update(&pr, i + 1, s->n);
		}
		lc_progress_done(&pr);
	}
	free(words);
	return rc;
}

/* The good lines of one file again: from the spool, or the file re-read and its bad lines skipped. */
static int each_file(lc_cstream *s, int fi, size_t *i, lc_crec_fn fn, int (*want)(void *, size_t), void *ctx,
                     lc_err *e)
{
	FILE *sp = s->spool[fi];
	lc_input *in = NULL;
	char *line = NULL;
	size_t len = 0, lcap = 0;
	if (sp) {
		fflush(sp);
		rewind(sp);
	} else if (!(in = open_path(s, fi, e)))
		return -1;
	int rc = 0;
	for (;;) {
		int got;
		const char *where = "standard input";
		if (sp) {
			ssize_t r = getline(&line, &lcap, sp);
			got = r > 0;
			len = r > 0 ? (size_t)r - 1 : 0;
		} else {
			got = lc_input_getline(in, &line, &len, e);
			where = lc_input_where(in);
		}
		if (got < 0) {
			rc = -1;
			break;
		}
		if (!got)
			break;
		if (!len)
			continue;
		if (want && !s->bad && *i < s->n && !want(ctx, *i)) {
			(*i)++;   /* every non-blank line is a good record */
			continue;
		}
		json_t *o;
		lc_crec r;
		lc_err e2;
		if (!parse(s, line, len, where, &o, &r, &e2))
			continue;   /* counted by the scan */
		if (*i >= s->n) {
			json_decref(o);
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: the corpus changed while it was read (more records than on the first read)", where);
			break;
		}
		r.i = (*i)++;
		rc = want && !want(ctx, r.i) ? 0 : fn(ctx, &r, e);
		json_decref(o);
		if (rc < 0)
			break;
	}
	if (sp)
		free(line);
	else
		lc_input_close(in);
	return rc;
}

int lc_cstream_each(lc_cstream *s, lc_crec_fn fn, int (*want)(void *ctx, size_t i), void *ctx, lc_err *e)
{
	size_t i = 0;
	for (int fi = 0; fi < (s->npaths ? s->npaths : 1); fi++)
		if (each_file(s, fi, &i, fn, want, ctx, e) < 0)
			return -1;
	if (i != s->n)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: the corpus changed while it was read (%zu records, %zu on the first read)",
		                  path_of(s, s->npaths ? s->npaths - 1 : 0), i, s->n);
	return 0;
}

void lc_cstream_free(lc_cstream *s)
{
	for (int fi = 0; s->spool && fi < (s->npaths ? s->npaths : 1); fi++)
		if (s->spool[fi])
			fclose(s->spool[fi]);
	free(s->spool);
	lc_cctx_free(s->cx);
	lc_sentv_free(&s->sv);
	memset(s, 0, sizeof *s);
}
