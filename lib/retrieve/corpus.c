/* corpus — LOFT / BEIR / explicit-field JSONL corpus reader and writers (see corpus.h). */
#include "corpus.h"
#include "index_file.h"
#include "input.h"
#include "json.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int lc_idset_add(lc_idset *s, const char *id, const char *kind, const char *src, long line,
                 const char *where, lc_err *e)
{
	int is_new;
	uint32_t k = lc_strmap_intern(&s->ids, id, strlen(id), &is_new);
	if (!is_new)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: duplicate %s '%s' (first at %s:%ld); ids must be unique",
		                  where, kind, id, s->src[k], s->line[k]);
	if (k >= s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->line = lc_xrealloc(s->line, s->cap * sizeof *s->line);
		s->src = lc_xrealloc(s->src, s->cap * sizeof *s->src);
	}
	/* input names repeat: keep one copy per distinct name */
	if (k > 0 && !strcmp(s->src[k - 1], src))
		s->src[k] = s->src[k - 1];
	else
		s->src[k] = lc_arena_strndup(&s->names, src, strlen(src));
	s->line[k] = line;
	return 0;
}

void lc_idset_free(lc_idset *s)
{
	lc_strmap_free(&s->ids);
	free(s->line);
	free(s->src);
	lc_arena_free(&s->names);
	memset(s, 0, sizeof *s);
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

typedef struct rec_bufs {
	lc_buf id, text, meta;
} rec_bufs;

/* Fills p from object o (strings borrowed from o or from the buffers). */
static int parse_record(json_t *o, const lc_corpus_opts *opts, const char *where, lc_passage *p,
                        rec_bufs *b, lc_err *e)
{
	memset(p, 0, sizeof *p);
	int bad;
	if (opts && opts->id_field) {
		p->pid = lc_json_id(json_object_get(o, opts->id_field), &b->id, opts->id_field, where, e);
		if (!p->pid)
			return -1;
	} else if (json_object_get(o, "pid")) {
		if (!(p->pid = lc_json_id(json_object_get(o, "pid"), &b->id, "pid", where, e)))
			return -1;
	} else if (json_object_get(o, "_id")) {
		if (!(p->pid = lc_json_id(json_object_get(o, "_id"), &b->id, "_id", where, e)))
			return -1;
	} else
		return lc_err_set(e, LC_EXIT_INPUT, "%s: no id field: expected 'pid' (LOFT) or '_id' (BEIR); for other JSONL %s%s",
		                  where, opts && opts->fields_option ? "give " : "rename its id and text fields 'pid' and "
		                  "'passage_text'", opts && opts->fields_option ? opts->fields_option : "");
	if (!*p->pid)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: empty id", where);
	if (p->pid != b->id.p) {   /* copy: the id must outlive json lookups below */
		lc_buf_reset(&b->id);
		lc_buf_adds(&b->id, p->pid);
		p->pid = b->id.p;
	}
	if (opts && opts->text_fields) {
		lc_buf_reset(&b->text);
		const char *f = opts->text_fields;
		int first = 1;
		while (*f) {
			const char *comma = strchr(f, ',');
			size_t fl = comma ? (size_t)(comma - f) : strlen(f);
			char name[256];
			if (fl == 0 || fl >= sizeof name)
				return lc_err_set(e, LC_EXIT_USAGE, "bad --text field list '%s'", opts->text_fields);
			memcpy(name, f, fl);
			name[fl] = 0;
			const char *t = lc_json_str(o, name, where, e);
			if (!t)
				return -1;
			if (!first)
				lc_buf_addc(&b->text, ' ');
			lc_buf_adds(&b->text, t);
			first = 0;
			f += fl + (comma ? 1 : 0);
		}
		lc_buf_adds(&b->text, "");
		p->text = b->text.p;
	} else if (json_object_get(o, "passage_text") || !json_object_get(o, "text")) {
		p->title = lc_json_opt_str(o, "title_text", where, e, &bad);
		if (bad)
			return -1;
		p->summary = lc_json_opt_str(o, "summary_text", where, e, &bad);
		if (bad)
			return -1;
		if (!(p->text = lc_json_str(o, "passage_text", where, e)))
			return -1;
	} else {
		p->title = lc_json_opt_str(o, "title", where, e, &bad);
		if (bad)
			return -1;
		p->summary = lc_json_opt_str(o, "summary_text", where, e, &bad);   /* lcompress adds it */
		if (bad)
			return -1;
		if (!(p->text = lc_json_str(o, "text", where, e)))
			return -1;
	}
	if (opts && opts->keep_meta) {
		json_t *m = json_object_get(o, "metadata");
		if (m) {
			lc_buf_reset(&b->meta);
			lc_json_dump(&b->meta, m);
			p->meta = b->meta.p;
		}
	}
	return 0;
}

int lc_corpus_not_index(lc_input *in, const char *line, size_t len, lc_err *e)
{
	if (lc_input_lineno(in) != 1 || len < sizeof LC_INDEX_MAGIC - 1 ||
	    memcmp(line, LC_INDEX_MAGIC, sizeof LC_INDEX_MAGIC - 1))
		return 0;
	return lc_err_set(e, LC_EXIT_INPUT, "%s: an lctk BM25 index (lcindex's output), not a corpus: lcretrieve "
	                  "searches it with -i/--index; other programs read the corpus it was built from",
	                  lc_input_name(in));
}

int lc_corpus_read(const char *path, const lc_corpus_opts *opts, lc_passage_fn cb, void *arg,
                   lc_idset *seen, size_t *record_base, lc_err *e)
{
	lc_input *in = lc_input_open_default(path, opts ? opts->member : NULL, LC_DATASET_CORPUS,
	                                     opts ? opts->member_option : NULL, e);
	if (!in)
		return -1;
	rec_bufs b = {0};
	size_t rec = record_base ? *record_base : 0;
	size_t sk = opts ? opts->shard_k : 0, sn = opts ? opts->shard_n : 0;
	char *line;
	size_t len;
	int r, rc = 0;
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		if (lc_corpus_not_index(in, line, len, e) < 0) {
			rc = -1;
			break;
		}
		if (is_blank(line, len))
			continue;
		size_t this = rec++;
		if (sn && this % sn != sk - 1)
			continue;
		const char *where = lc_input_where(in);
		json_t *o = lc_json_parse_object(line, len, where, e);
		if (!o) {
			rc = -1;
			break;
		}
		lc_passage p;
		int bad = parse_record(o, opts, where, &p, &b, e) < 0;
		p.src = lc_input_name(in);
		p.line = lc_input_lineno(in);
		if (bad || (seen && lc_idset_add(seen, p.pid, "pid", p.src, p.line, where, e) < 0) ||
		    cb(&p, this, where, arg, e) < 0) {
			json_decref(o);
			rc = -1;
			break;
		}
		json_decref(o);
		if (opts && opts->progress)
			lc_progress_input(opts->progress, rec, in);
	}
	if (r < 0)
		rc = -1;
	if (record_base)
		*record_base = rec;
	lc_buf_free(&b.id);
	lc_buf_free(&b.text);
	lc_buf_free(&b.meta);
	lc_input_close(in);
	return rc;
}

static const char *dup_opt(lc_arena *a, const char *s)
{
	return s ? lc_arena_strndup(a, s, strlen(s)) : NULL;
}

static int add_cb(const lc_passage *p, size_t record, const char *where, void *arg, lc_err *e)
{
	lc_corpus *c = arg;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->p = lc_xrealloc(c->p, c->cap * sizeof *c->p);
	}
	lc_passage *q = &c->p[c->n++];
	q->pid = lc_strmap_str(&c->pids.ids, (uint32_t)(c->n - 1));
	q->title = dup_opt(&c->arena, p->title);
	q->text = dup_opt(&c->arena, p->text);
	q->summary = dup_opt(&c->arena, p->summary);
	q->meta = dup_opt(&c->arena, p->meta);
	return 0;
}

int lc_corpus_load(lc_corpus *c, const char *path, const lc_corpus_opts *opts, lc_err *e)
{
	return lc_corpus_read(path, opts, add_cb, c, &c->pids, &c->nrec, e);
}

int lc_corpus_check_nonempty(const lc_corpus *c, const char *name, lc_err *e)
{
	if (c->n)
		return 0;
	return lc_err_set(e, LC_EXIT_INPUT, "%s: empty corpus (no passages)", name ? name : "(stdin)");
}

void lc_corpus_free(lc_corpus *c)
{
	free(c->p);
	lc_idset_free(&c->pids);
	lc_arena_free(&c->arena);
	memset(c, 0, sizeof *c);
}

long lc_corpus_find(const lc_corpus *c, const char *pid)
{
	return lc_strmap_find(&c->pids.ids, pid, strlen(pid));
}

void lc_passage_text(const lc_passage *p, lc_buf *out)
{
	const char *body = (p->summary && *p->summary) ? p->summary : p->text;
	if (p->title && *p->title) {
		lc_buf_adds(out, p->title);
		lc_buf_addc(out, ' ');
	}
	lc_buf_adds(out, body ? body : "");
}

static void kv(lc_buf *out, const char *k, const char *v, int comma)
{
	if (comma)
		lc_buf_addc(out, ',');
	lc_json_quote(out, k, strlen(k));
	lc_buf_addc(out, ':');
	lc_json_quote(out, v ? v : "", v ? strlen(v) : 0);
}

void lc_corpus_write_loft(lc_buf *out, const lc_passage *p)
{
	lc_buf_addc(out, '{');
	kv(out, "pid", p->pid, 0);
	kv(out, "title_text", p->title, 1);
	kv(out, "passage_text", p->text, 1);
	if (p->summary)
		kv(out, "summary_text", p->summary, 1);
	lc_buf_adds(out, ",\"metadata\":");
	lc_buf_adds(out, p->meta ? p->meta : "{}");
	lc_buf_adds(out, "}\n");
}

void lc_corpus_write_beir(lc_buf *out, const lc_passage *p)
{
	lc_buf_addc(out, '{');
	kv(out, "_id", p->pid, 0);
	kv(out, "title", p->title, 1);
	kv(out, "text", p->text, 1);
	if (p->meta) {
		lc_buf_adds(out, ",\"metadata\":");
		lc_buf_adds(out, p->meta);
	}
	lc_buf_adds(out, "}\n");
}

json_t *lc_summaries_load(const char *path, lc_err *e)
{
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return NULL;
	json_t *map = json_object(), *o;
	lc_buf idb = {0};
	int r;
	while ((r = lc_json_next_object(in, &o, e)) == 1) {
		const char *w = lc_input_where(in);
		const char *pid = lc_json_id(json_object_get(o, "pid"), &idb, "pid", w, e);
		const char *s = pid ? lc_json_str(o, "summary_text", w, e) : NULL;
		if (s && json_object_get(map, pid)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: pid '%s' has a second summary; keep one line per passage "
			           "(pids must be unique)", w, pid);
			s = NULL;
		}
		if (s)
			json_object_set_new(map, pid, json_string(s));
		json_decref(o);
		if (!s) {
			r = -1;
			break;
		}
	}
	lc_buf_free(&idb);
	lc_input_close(in);
	if (r < 0) {
		json_decref(map);
		return NULL;
	}
	return map;
}
