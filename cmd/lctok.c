/*
 * lctok — exact BPE tokenisation from the command line: encode, decode, count,
 * truncate and chunk JSONL records (or plain lines with --text) under a tiktoken
 * encoding or a Hugging Face tokenizer.json.  The work is lib/tok/tok's; this file
 * reads records, runs them through -j worker threads in batches (an ordered ring,
 * lib/core/ring) and writes the results in input order, so output is identical for
 * any -j.
 */
#include "cli.h"
#include "options.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "part.h"
#include "progress.h"
#include "report.h"
#include "ring.h"
#include "tok.h"
#include "tokfit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CMD_ENCODE, CMD_DECODE, CMD_COUNT, CMD_TRUNCATE, CMD_CHUNK };
static const char *const subcommands[] = { "encode", "decode", "count", "truncate", "chunk", "merge", NULL };

/* Ids of the long-only options check_options asks about (S.given); the others are bound with id 0. */
enum { OPT_VOCAB = 256, OPT_PATTERN, OPT_ALLOW, OPT_ASTEXT, OPT_TOTAL, OPT_HIST, OPT_OVERLAP, OPT_JOIN,
       OPT_OVERHEAD, OPT_SHARD, OPT_LAST };

/* ---- settings: the options, each bound to its field in the table below (lib/cli/cli.h);
 * only --report reaches the parse loop.  Read-only once parsed (the workers read them). */

static struct {
	int sub;
	const char *enc, *vocab, *pattern, *tokfile, *outpath;
	lc_tok *tok;
	const char *field, *target, *idfield, *join;
	const char *member;    /* --member GLOB: archive members to read */
	int field_auto;        /* no -f: passage_text, else text, per record (lc_text_field) */
	int target_auto;       /* truncate/chunk without -t: the field read */
	char **fields;         /* -f F1,F2,...: NULL-terminated, when more than one */
	long overhead;
	int text, special, addsp, total, hist, skip;
	long n, overlap, jobs;
	size_t nsp; /* ids the post-processor template adds */
	int progress, quiet;
	lc_shard shard;
	lc_report rep;
	unsigned char given[OPT_LAST];   /* options the checks ask about, by id (note_given) */
} S = { .jobs = 1, .progress = LC_PROGRESS_AUTO, .special = LC_TOK_SPECIAL_ERROR };

/* A note: the option was given (check_options' tables ask by id). */
static void note_given(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	S.given[o->id] = 1;
}

/* --quiet: no progress, and no total line on stderr either */
static void note_quiet(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	S.quiet = 1;
}

/* --shard K/N, into S.shard */
static void shard_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_err se;
	if (lc_shard_parse(arg, &S.shard, &se) < 0)
		lc_cli_usage_error(c, "%s", se.msg);
	note_given(c, o, arg);
}

static const lc_opt opts[] = {
	LC_OPT_ENCODING(LC_BIND_STR(S.enc)),
	{ OPT_VOCAB, "vocab", "FILE", "any .tiktoken file (with --pattern)", LC_COMPLETE_FILE,
	  LC_BIND_STR_NOTE(S.vocab, note_given) },
	{ OPT_PATTERN, "pattern", "RE", "split regex for --vocab (default: cl100k_base's)", NULL,
	  LC_BIND_STR_NOTE(S.pattern, note_given) },
	LC_OPT_TOKENIZER(0, LC_BIND_STR(S.tokfile)),
	LC_OPT_FIELD(LC_BIND_STR_NOTE(S.field, note_given)),
	{ OPT_JOIN, "join", "STR", "separator between -f F1,F2 fields (default \" | \", as lcretrieve's prompt separates them)", NULL,
	  LC_BIND_STR_NOTE(S.join, note_given) },
	{ OPT_OVERHEAD, "overhead", "N", "count: add N tokens per record (e.g. a chat template's fixed tokens per message)", NULL,
	  LC_BIND_LONG_NOTE(S.overhead, 0, 1L << 30, note_given) },
	LC_OPT_TARGET(LC_BIND_STR(S.target)),
	LC_OPT_TEXT_LINES(0, LC_BIND_SET(S.text, 1)),
	{ OPT_ALLOW, "allow-special", NULL, "encode special-token text as the special token", NULL,
	  LC_BIND_SET_NOTE(S.special, LC_TOK_SPECIAL_ALLOW, note_given) },
	LC_OPT_SPECIAL_AS_TEXT(OPT_ASTEXT, LC_BIND_SET_NOTE(S.special, LC_TOK_SPECIAL_TEXT, note_given)),
	{ 0, "add-special", NULL, "apply the tokenizer.json post-processor template (e.g. BOS)", NULL,
	  LC_BIND_SET(S.addsp, 1) },
	{ 'n', "tokens", "N", "truncate/chunk: at most N tokens", NULL,
	  LC_BIND_LONG_NOTE(S.n, 1, 1L << 40, note_given) },
	{ OPT_OVERLAP, "overlap", "M", "chunk: tokens shared by consecutive chunks (default 0)", NULL,
	  LC_BIND_LONG_NOTE(S.overlap, 0, 1L << 40, note_given) },
	LC_OPT_ID(0, LC_BIND_STR(S.idfield)),
	LC_OPT_MEMBER(0, LC_BIND_STR(S.member)),
	{ OPT_TOTAL, "total", NULL, "count: print only the total", NULL, LC_BIND_SET_NOTE(S.total, 1, note_given) },
	{ OPT_HIST, "hist", NULL, "count: print a histogram of per-record counts", NULL,
	  LC_BIND_SET_NOTE(S.hist, 1, note_given) },
	LC_OPT_SHARD(OPT_SHARD, LC_BIND_CALL(shard_cb, S.shard)),
	LC_OPT_JOBS(S.jobs),
	LC_OPT_OUTPUT(LC_BIND_STR(S.outpath)),
	LC_OPT_SKIP_BAD(0, LC_BIND_SET(S.skip, 1)),
	LC_OPT_PROGRESS(0, LC_BIND_SET(S.progress, LC_PROGRESS_FORCE)),
	LC_OPT_QUIET(0, LC_BIND_SET_NOTE(S.progress, LC_PROGRESS_QUIET, note_quiet)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd cmd = { "lctok", "encode|decode|count|truncate|chunk (-e NAME | --vocab FILE --pattern RE | --tokenizer FILE) [options] [FILE...] | merge -o OUT PART...",
			    "exact BPE tokenisation: encode, decode, count, truncate, chunk", opts, subcommands };

/* merge's own table; its -o is returned to lc_part_merge_main (lib/cli/part), which reads it */
static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lctok merge", "-o OUT PART...",
                                  "sum the counts of 'lctok count --total --shard 1/N..N/N'", merge_opts, NULL };


/* ---- one batch of records ---------------------------------------------------------- */

typedef struct batch {
	lc_buf data;           /* lines, each NUL-terminated */
	size_t *off, *len;
	long *lineno;
	char *name;            /* input name for messages (owned) */
	size_t n, cap;
	lc_buf out;
	size_t *counts;        /* per-record tokens (count) */
	size_t nbad;           /* skipped with --skip-bad */
	int failed;            /* index of the failing record + 1, 0 = none */
	size_t failed_out;     /* out.len before the failing record */
	lc_err err;
	unsigned used;         /* without -f: the default fields read, USED_* bits */
} batch;

/* The default text fields a record was read from (lc_text_field), for --report. */
enum { USED_PASSAGE_TEXT = 1, USED_TEXT = 2 };

static void batch_reset(batch *b)
{
	lc_buf_reset(&b->data);
	lc_buf_reset(&b->out);
	b->n = 0;
	b->nbad = 0;
	b->failed = 0;
	b->used = 0;
	free(b->name);
	b->name = NULL;
}

static void batch_add(batch *b, const char *line, size_t len, long lineno)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->off = lc_xrealloc(b->off, b->cap * sizeof *b->off);
		b->len = lc_xrealloc(b->len, b->cap * sizeof *b->len);
		b->lineno = lc_xrealloc(b->lineno, b->cap * sizeof *b->lineno);
		b->counts = lc_xrealloc(b->counts, b->cap * sizeof *b->counts);
	}
	b->off[b->n] = b->data.len;
	b->len[b->n] = len;
	b->lineno[b->n] = lineno;
	lc_buf_add(&b->data, line, len);
	lc_buf_addc(&b->data, 0);
	b->n++;
}

/* ---- record processing --------------------------------------------------------------- */

typedef struct wctx {
	lc_ids ids;
	lc_buf tmp, tmp2, tmp3, joined;
	const char *field;     /* the record's text field (S.field, or by lc_text_field) */
} wctx;

/* -f F1,F2,...: the fields' strings joined with --join into w->joined.  A missing
 * field or null counts as empty; any other non-string is an error. */
static int join_fields(wctx *w, json_t *obj, const char **s, size_t *n, lc_err *e)
{
	lc_buf_reset(&w->joined);
	for (size_t k = 0; S.fields[k]; k++) {
		json_t *v = json_object_get(obj, S.fields[k]);
		if (v && !json_is_string(v) && !json_is_null(v))
			return lc_err_set(e, LC_EXIT_INPUT, "field '%s': expected a string, got %s", S.fields[k],
					  lc_json_type_name(v));
		if (k)
			lc_buf_adds(&w->joined, S.join);
		if (json_is_string(v))
			lc_buf_add(&w->joined, json_string_value(v), json_string_length(v));
	}
	*s = w->joined.p ? w->joined.p : "";
	*n = w->joined.len;
	return 0;
}

static void put_ids(lc_buf *o, const uint32_t *v, size_t n, int json)
{
	char num[16];
	if (json)
		lc_buf_addc(o, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			lc_buf_add(o, json ? "," : " ", 1);
		uint32_t x = v[i];
		int k = 16;
		do {
			num[--k] = (char)('0' + x % 10);
			x /= 10;
		} while (x);
		lc_buf_add(o, num + k, (size_t)(16 - k));
	}
	if (json)
		lc_buf_addc(o, ']');
}

/* Appends the record line with "key":<raw JSON value> added (replacing an existing
 * key: then the record is re-serialised without it). */
static void splice(lc_buf *o, json_t *obj, const char *line, size_t len, const char *key, const char *raw, size_t rawlen)
{
	lc_buf tmp = {0};
	if (json_object_get(obj, key)) {
		json_object_del(obj, key);
		lc_json_dump(&tmp, obj);
		line = tmp.p;
		len = tmp.len;
	}
	size_t e = len;
	while (e > 0 && line[e - 1] != '}')
		e--;
	lc_buf_add(o, line, e - 1);
	if (json_object_size(obj))
		lc_buf_addc(o, ',');
	lc_json_quote(o, key, strlen(key));
	lc_buf_addc(o, ':');
	lc_buf_add(o, raw, rawlen);
	lc_buf_adds(o, "}\n");
	lc_buf_free(&tmp);
}

/* JSON-safe string of possibly invalid UTF-8 bytes (replacement characters). */
static void quote_lossy(lc_buf *o, const char *s, size_t n, lc_buf *tmp)
{
	if (lc_utf8_valid_prefix(s, n) == n) {
		lc_json_quote(o, s, n);
		return;
	}
	lc_buf_reset(tmp);
	lc_utf8_repair(s, n, tmp);
	lc_json_quote(o, tmp->p, tmp->len);
}

static int encode_text(wctx *w, const char *s, size_t n, lc_err *e)
{
	w->ids.n = 0;
	if (lc_tok_encode(S.tok, s, n, S.special, &w->ids, e))
		return -1;
	if (S.addsp)
		lc_tok_add_special(S.tok, &w->ids, 0);
	return 0;
}

/* Parses "1 2 3", "[1, 2, 3]" or "1,2,3" into w->ids. */
static int parse_id_list(wctx *w, const char *s, lc_err *e)
{
	w->ids.n = 0;
	const char *p = s;
	while (*p == ' ' || *p == '\t' || *p == '[')
		p++;
	while (*p && *p != ']') {
		char *end;
		if (*p < '0' || *p > '9')
			return lc_err_set(e, LC_EXIT_INPUT, "expected a token id, found '%.10s'", p);
		unsigned long v = strtoul(p, &end, 10);
		if (v > 0xFFFFFFFFul)
			return lc_err_set(e, LC_EXIT_INPUT, "token id %.12s is out of range", p);
		lc_ids_push(&w->ids, (uint32_t)v);
		p = end;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
	}
	return 0;
}

static int ids_from_json(wctx *w, json_t *arr, lc_err *e)
{
	w->ids.n = 0;
	if (!json_is_array(arr))
		return lc_err_set(e, LC_EXIT_INPUT, "field '%s': expected an array of token ids, got %s", S.field,
				  arr ? lc_json_type_name(arr) : "nothing (missing)");
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xFFFFFFFFll)
			return lc_err_set(e, LC_EXIT_INPUT, "field '%s'[%zu]: expected a token id (non-negative integer)", S.field, i);
		lc_ids_push(&w->ids, (uint32_t)json_integer_value(v));
	}
	return 0;
}

/* The tokens a text may take: -n, less the template's specials when they are added. */
static size_t budget(void)
{
	long b = S.n - (S.addsp ? (long)S.nsp : 0);
	return b < 0 ? 0 : (size_t)b;
}

/* Content ids only (no template); the budget leaves room for the template. */
static int encode_content(wctx *w, const char *s, size_t n, lc_err *e)
{
	w->ids.n = 0;
	return lc_tok_encode(S.tok, s, n, S.special, &w->ids, e);
}

static int truncate_text(wctx *w, const char *s, size_t n, lc_buf *res, lc_err *e)
{
	return lc_tok_truncate(S.tok, s, n, budget(), S.special, &w->ids, res, e);
}

/* Chunk records for one text. parent_json = raw JSON of the parent id. */
static int chunk_text(wctx *w, json_t *obj, const char *s, size_t n, const char *parent_json, lc_buf *o, lc_err *e)
{
	if (encode_content(w, s, n, e))
		return -1;
	lc_buf_reset(&w->tmp);
	size_t *offs = lc_xmalloc((w->ids.n + 1) * sizeof *offs);
	if (lc_tok_decode_offsets(S.tok, w->ids.v, w->ids.n, &w->tmp, offs, e)) {
		free(offs);
		return -1;
	}
	const char *d = w->tmp.p;
	lc_tok_window *win;
	size_t nw = lc_tok_windows(offs, w->ids.n, d, w->tmp.len, budget(), (size_t)S.overlap, &win);
	free(offs);
	for (size_t k = 0; k < nw; k++) {
		lc_buf_adds(o, "{");
		int first = 1;
		if (obj) {
			const char *key;
			json_t *v;
			json_object_foreach(obj, key, v)
			{
				if (!strcmp(key, w->field) || !strcmp(key, S.idfield))
					continue;
				if (!first)
					lc_buf_addc(o, ',');
				first = 0;
				lc_json_quote(o, key, strlen(key));
				lc_buf_addc(o, ':');
				lc_json_dump(o, v);
			}
		}
		if (!first)
			lc_buf_addc(o, ',');
		lc_json_quote(o, S.idfield, strlen(S.idfield));
		lc_buf_addc(o, ':');
		/* "PARENT#k" */
		lc_buf_reset(&w->tmp2);
		if (parent_json[0] == '"') {
			json_error_t je;
			json_t *pj = json_loads(parent_json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
			lc_buf_add(&w->tmp2, json_string_value(pj), json_string_length(pj));
			json_decref(pj);
		} else
			lc_buf_adds(&w->tmp2, parent_json);
		lc_buf_printf(&w->tmp2, "#%zu", k);
		lc_json_quote(o, w->tmp2.p, w->tmp2.len);
		const lc_tok_window *c = &win[k];
		lc_buf_printf(o, ",\"parent\":%s,\"chunk\":%zu,\"start\":%zu,\"end\":%zu,\"n_tokens\":%zu,", parent_json, k, c->c0,
		              c->c1, c->end - c->first);
		lc_json_quote(o, w->field, strlen(w->field));
		lc_buf_addc(o, ':');
		quote_lossy(o, d + c->b0, c->b1 - c->b0, &w->tmp2);
		lc_buf_adds(o, "}\n");
	}
	free(win);
	return 0;
}

static int process(wctx *w, batch *b, size_t i, lc_err *e)
{
	char *line = b->data.p + b->off[i];
	size_t len = b->len[i];
	lc_buf *o = &b->out;
	char where[512];
	snprintf(where, sizeof where, "%s:%ld", b->name, b->lineno[i]);
	lc_err le = {0};
	int rc = 0;
	json_t *obj = NULL;
	b->counts[i] = 0;
	if (S.text) {
		/* a plain line is decoded as a WHATWG stream: a leading BOM is dropped */
		if (S.sub != CMD_DECODE && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
			line += 3;
			len -= 3;
		}
		switch (S.sub) {
		case CMD_ENCODE:
			if ((rc = encode_text(w, line, len, &le)))
				break;
			put_ids(o, w->ids.v, w->ids.n, 0);
			lc_buf_addc(o, '\n');
			break;
		case CMD_COUNT:
			if ((rc = lc_tok_count_ex(S.tok, line, len, S.special, &b->counts[i], &le)))
				break;
			if (S.addsp)
				b->counts[i] += S.nsp;
			if (!S.total && !S.hist)
				lc_buf_printf(o, "%zu\n", b->counts[i]);
			break;
		case CMD_DECODE:
			if ((rc = parse_id_list(w, line, &le)))
				break;
			lc_buf_reset(&w->tmp);
			if ((rc = lc_tok_decode(S.tok, w->ids.v, w->ids.n, &w->tmp, &le)))
				break;
			lc_buf_add(o, w->tmp.p, w->tmp.len);
			lc_buf_addc(o, '\n');
			break;
		case CMD_TRUNCATE:
			if ((rc = truncate_text(w, line, len, &w->tmp2, &le)))
				break;
			lc_buf_add(o, w->tmp2.p, w->tmp2.len);
			lc_buf_addc(o, '\n');
			break;
		case CMD_CHUNK: {
			char pj[32];
			snprintf(pj, sizeof pj, "%ld", b->lineno[i]);
			rc = chunk_text(w, NULL, line, len, pj, o, &le);
			break;
		}
		}
	} else {
		obj = lc_json_parse_object(line, len, where, e);
		if (!obj)
			return -1;
		w->field = S.field_auto ? lc_text_field(obj) : S.field;
		const char *target = S.target_auto ? w->field : S.target;
		json_t *fv = json_object_get(obj, w->field);
		if (S.sub == CMD_DECODE) {
			if ((rc = ids_from_json(w, fv, &le)))
				goto done;
			lc_buf_reset(&w->tmp);
			if ((rc = lc_tok_decode(S.tok, w->ids.v, w->ids.n, &w->tmp, &le)))
				goto done;
			lc_buf_reset(&w->tmp2);
			quote_lossy(&w->tmp2, w->tmp.p, w->tmp.len, &w->tmp3);
			splice(o, obj, line, len, S.target, w->tmp2.p, w->tmp2.len);
			goto done;
		}
		const char *s = NULL;
		size_t n = 0;
		if (S.fields) {
			if ((rc = join_fields(w, obj, &s, &n, &le)))
				goto done;
		} else if (!json_is_string(fv)) {
			rc = lc_err_set(&le, LC_EXIT_INPUT, "field '%s': expected a string, got %s", w->field,
					fv ? lc_json_type_name(fv) : "nothing (missing)");
			goto done;
		} else {
			s = json_string_value(fv);
			n = json_string_length(fv);
		}
		switch (S.sub) {
		case CMD_ENCODE:
			if ((rc = encode_text(w, s, n, &le)))
				break;
			lc_buf_reset(&w->tmp);
			put_ids(&w->tmp, w->ids.v, w->ids.n, 1);
			splice(o, obj, line, len, target, w->tmp.p, w->tmp.len);
			break;
		case CMD_COUNT: {
			if ((rc = lc_tok_count_ex(S.tok, s, n, S.special, &b->counts[i], &le)))
				break;
			if (S.addsp)
				b->counts[i] += S.nsp;
			b->counts[i] += (size_t)S.overhead;
			if (!S.total && !S.hist) {
				char num[32];
				int k = snprintf(num, sizeof num, "%zu", b->counts[i]);
				splice(o, obj, line, len, target, num, (size_t)k);
			}
			break;
		}
		case CMD_TRUNCATE: {
			if ((rc = truncate_text(w, s, n, &w->tmp2, &le)))
				break;
			lc_buf q = {0};
			lc_json_quote(&q, w->tmp2.p, w->tmp2.len);
			splice(o, obj, line, len, target, q.p, q.len);
			lc_buf_free(&q);
			break;
		}
		case CMD_CHUNK: {
			lc_buf pj = {0};
			json_t *idv = json_object_get(obj, S.idfield);
			if (!idv && !strcmp(S.idfield, "pid"))
				idv = json_object_get(obj, "id");
			if (json_is_string(idv) || json_is_integer(idv))
				lc_json_dump(&pj, idv);
			else
				lc_buf_printf(&pj, "%ld", b->lineno[i]);
			rc = chunk_text(w, obj, s, n, pj.p, o, &le);
			lc_buf_free(&pj);
			break;
		}
		}
	}
done:
	if (obj)
		json_decref(obj);
	if (!rc && obj && S.field_auto)
		b->used |= !strcmp(w->field, "text") ? USED_TEXT : USED_PASSAGE_TEXT;
	if (rc)
		lc_err_set(e, le.code ? le.code : LC_EXIT_INPUT, "%s: %s", where, le.msg);
	return rc ? -1 : 0;
}

static void process_batch(wctx *w, batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		size_t before = b->out.len;
		lc_err e = {0};
		if (process(w, b, i, &e)) {
			b->out.len = before;
			if (b->out.p)
				b->out.p[before] = 0;
			b->counts[i] = 0;
			if (S.skip) {
				b->nbad++;
				if (b->nbad <= 3)
					lc_warn("%s (skipped)", e.msg);
				continue;
			}
			b->failed = (int)i + 1;
			b->failed_out = before;
			b->err = e;
			return;
		}
	}
}

/* ---- the run: batches in an ordered ring (lib/core/ring), -j workers ---------------- */

#define MAXB 64

typedef struct run {
	batch b[MAXB];
	int nb;
	lc_ring *ring;
	wctx w0;               /* the reading thread's own context, for -j 1 */
	lc_output *out;
	size_t total, records, bad;
	size_t hist[65], histtok[65];
	unsigned used;         /* the batches' USED_* bits */
} run;

static void wctx_free(wctx *w)
{
	free(w->ids.v);
	lc_buf_free(&w->tmp);
	lc_buf_free(&w->tmp2);
	lc_buf_free(&w->tmp3);
	lc_buf_free(&w->joined);
}

static void *worker(void *arg)
{
	run *r = arg;
	wctx w = { .field = S.field };
	int i;
	while ((i = lc_ring_take(r->ring)) >= 0) {
		process_batch(&w, &r->b[i]);
		lc_ring_finish(r->ring, i);
	}
	wctx_free(&w);
	return NULL;
}

/* The ring's done callback: batch `slot`, processed, written and counted in input order. */
static void finish_batch(void *ctx, int slot)
{
	run *r = ctx;
	batch *b = &r->b[slot];
	size_t upto = b->failed ? (size_t)b->failed - 1 : b->n;
	size_t outlen = b->failed ? b->failed_out : b->out.len;
	if (outlen)
		lc_output_write(r->out, b->out.p, outlen);
	for (size_t i = 0; i < upto; i++) {
		r->total += b->counts[i];
		int k = 0;
		while (k < 64 && ((size_t)1 << k) <= b->counts[i])
			k++;
		r->hist[k]++;
		r->histtok[k] += b->counts[i];
	}
	r->records += upto - b->nbad;
	r->bad += b->nbad;
	r->used |= b->used;
	if (b->failed)
		lc_die_err(&b->err);
}

/* Fills b with the next records of in (up to 1 MiB or 4096 lines); 0 at the end of in.
 * *record counts every record read, for --shard. */
static int fill_batch(batch *b, lc_input *in, size_t *record)
{
	char *line;
	size_t len;
	batch_reset(b);
	while (b->data.len < (1 << 20) && b->n < 4096) {
		if (!lc_input_next(in, &line, &len))
			return 0;
		/* a batch holds the lines of one archive member, whose name its
		 * messages give: "x.zip(ds/corpus.jsonl):LINE" */
		if (lc_input_lineno(in) == 1 && b->name) {
			lc_input_unget(in);
			return 1;
		}
		if (!b->name)
			b->name = lc_xstrdup(lc_input_name(in));
		if (lc_shard_has(&S.shard, (*record)++))
			batch_add(b, line, len, lc_input_lineno(in));
	}
	return 1;
}

/* Reads every file into batches, processed by the workers (or here with -j 1) and
 * written in order by finish_batch. */
static void run_files(run *r, char **files, int nfiles)
{
	lc_progress pr;
	lc_progress_start(&pr, "records", S.progress);
	size_t lines_read = 0, record = 0;
	for (int fi = 0; fi < nfiles; fi++) {
		/* a zip or tar (a BEIR or LOFT dataset) gives its corpus.jsonl, as to
		 * lcindex; --text and decode read every member, --member chooses */
		lc_err oe = {0};
		lc_input *in = lc_input_open_default(files[fi], S.member,
		                                     S.text || S.sub == CMD_DECODE ? NULL : LC_DATASET_CORPUS,
		                                     LC_OPT_MEMBER_NAME, &oe);
		if (!in)
			lc_die_err(&oe);
		for (int more = 1; more;) {
			int i = lc_ring_acquire(r->ring, finish_batch, r);
			more = fill_batch(&r->b[i], in, &record);
			lines_read += r->b[i].n;
			lc_progress_input(&pr, lines_read, in);
			if (!r->b[i].n) {
				lc_ring_cancel(r->ring, i);
				continue;
			}
			lc_ring_submit(r->ring, i);
			if (S.jobs == 1 && (i = lc_ring_try_take(r->ring)) >= 0) {
				process_batch(&r->w0, &r->b[i]);
				lc_ring_finish(r->ring, i);
			}
		}
		lc_input_close(in);
	}
	lc_ring_drain(r->ring, finish_batch, r);
	lc_progress_done(&pr);
}

/* ---- options ------------------------------------------------------------------------- */

#define SUB(c) (1u << (c))
/* Options that only some subcommands take. */
static const struct { int opt; unsigned subs; const char *msg; } only_for[] = {
	{ 'n', SUB(CMD_TRUNCATE) | SUB(CMD_CHUNK), "-n is for truncate and chunk" },
	{ OPT_OVERLAP, SUB(CMD_CHUNK), "--overlap is for chunk" },
	{ OPT_TOTAL, SUB(CMD_COUNT), "--total and --hist are for count" },
	{ OPT_HIST, SUB(CMD_COUNT), "--total and --hist are for count" },
	{ OPT_OVERHEAD, SUB(CMD_COUNT), "--overhead is for count" },
	{ OPT_SHARD, SUB(CMD_COUNT), "--shard is for count --total (partial counts that 'lctok merge' sums)" },
};
/* Options that need another (need > 0), or exclude it (need < 0). */
static const struct { int opt, other, need; const char *msg; } pairs[] = {
	{ OPT_PATTERN, OPT_VOCAB, 1, "--pattern goes with --vocab" },
	{ OPT_SHARD, OPT_TOTAL, 1, "--shard is for count --total (partial counts that 'lctok merge' sums)" },
	{ OPT_JOIN, 'f', 1, "--join goes with -f F1,F2" },
	{ OPT_ALLOW, OPT_ASTEXT, -1, "--allow-special and --special-as-text exclude each other" },
	{ OPT_TOTAL, OPT_HIST, -1, "--total and --hist exclude each other" },
};

/* -f F1,F2,...: S.fields, NULL-terminated. */
static void split_fields(void)
{
	if (S.sub != CMD_COUNT && S.sub != CMD_ENCODE)
		lc_cli_usage_error(&cmd, "-f F1,F2 (joined fields) is for count and encode");
	if (S.text)
		lc_cli_usage_error(&cmd, "-f F1,F2 names JSON fields: not with --text");
	size_t nf = 1;
	for (const char *p = S.field; *p; p++)
		nf += *p == ',';
	S.fields = lc_xcalloc(nf + 1, sizeof *S.fields);
	const char *a = S.field;
	for (size_t k = 0; k < nf; k++) {
		const char *z = strchr(a, ',');
		size_t l = z ? (size_t)(z - a) : strlen(a);
		if (!l)
			lc_cli_usage_error(&cmd, "-f %s: empty field name", S.field);
		S.fields[k] = lc_xstrndup(a, l);
		a = z ? z + 1 : a + l;
	}
}

/* The checks between options (the tables above, then the values), and the defaults. */
static void check_options(void)
{
	if (S.sub < 0)
		lc_cli_usage_error(&cmd, "missing subcommand (encode, decode, count, truncate, chunk)");
	if (!!S.enc + !!S.vocab + !!S.tokfile > 1)
		lc_cli_usage_error(&cmd, "give at most one of -e NAME, --vocab FILE or --tokenizer FILE");
	if (!S.enc && !S.vocab && !S.tokfile)
		S.enc = LC_ENCODING_DEFAULT;   /* -e's default, as in every program */
	if ((S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK) && !S.given['n'])
		lc_cli_usage_error(&cmd, "%s needs -n N", subcommands[S.sub]);
	for (size_t i = 0; i < sizeof only_for / sizeof *only_for; i++)
		if (S.given[only_for[i].opt] && !(only_for[i].subs & SUB(S.sub)))
			lc_cli_usage_error(&cmd, "%s", only_for[i].msg);
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
		if (S.given[pairs[i].opt] && (pairs[i].need > 0) != !!S.given[pairs[i].other])
			lc_cli_usage_error(&cmd, "%s", pairs[i].msg);
	if (S.sub == CMD_CHUNK && S.overlap >= S.n)
		lc_cli_usage_error(&cmd, "--overlap must be smaller than -n");
	if (!S.field) {
		S.field = S.sub == CMD_DECODE ? "ids" : "text";
		S.field_auto = S.sub != CMD_DECODE;
	}
	if (strchr(S.field, ','))
		split_fields();
	else if (S.join)
		lc_cli_usage_error(&cmd, "--join goes with -f F1,F2");
	if (!S.join)
		S.join = " | ";
	if (!S.target) {
		S.target = S.sub == CMD_ENCODE ? "ids" : S.sub == CMD_DECODE ? "text" : S.sub == CMD_COUNT ? "n_tokens" : S.field;
		S.target_auto = S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK;
	}
	if (!S.idfield)
		S.idfield = "pid";
}

/* Parses the subcommand (taken off *argc, *argv) and the options into S; returns the
 * index of the first file. */
static int parse_args(int *argcp, char ***argvp)
{
	int argc = *argcp;
	char **argv = *argvp;
	S.sub = -1;
	if (argc >= 2 && argv[1][0] != '-') {
		for (int i = 0; subcommands[i]; i++)
			if (!strcmp(argv[1], subcommands[i]))
				S.sub = i;
		if (S.sub < 0)
			lc_cli_usage_error(&cmd, "unknown subcommand '%s' (encode, decode, count, truncate, chunk)", argv[1]);
		argv[1] = argv[0];
		*argvp = ++argv;
		*argcp = --argc;
	}
	lc_cli st = { 0 };
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&S.rep, &cmd, optarg);
	return st.ind;
}

/* Loads the tokenizer named by -e, --vocab or --tokenizer into S.tok. */
static void load_tokenizer(void)
{
	lc_err e = { 0 };
	S.tok = S.enc ? lc_tok_load(S.enc, &e) : S.vocab ? lc_tok_load_tiktoken(S.vocab, S.pattern, &e)
	                                             : lc_tok_load_hf(S.tokfile, &e);
	if (!S.tok)
		lc_die_err(&e);
	lc_ids tmp = { 0 };
	lc_tok_add_special(S.tok, &tmp, 0);
	S.nsp = tmp.n;
	free(tmp.v);
	if (S.addsp && (S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK) && S.n - (long)S.nsp - S.overlap < 1)
		lc_cli_usage_error(&cmd, "-n %ld leaves no room for text next to the %zu template ids of --add-special", S.n, S.nsp);
}

/* count's totals or histogram, and --report. */
static void summary(const run *r)
{
	if (S.sub == CMD_COUNT) {
		if (S.total)
			lc_output_printf(r->out, "%zu\n", r->total);
		else if (S.hist) {
			lc_output_puts(r->out, "min\tmax\trecords\ttokens\n");
			for (int k = 0; k < 65; k++)
				if (r->hist[k])
					lc_output_printf(r->out, "%zu\t%zu\t%zu\t%zu\n", k ? (size_t)1 << (k - 1) : 0,
							 k ? ((size_t)1 << k) - 1 : 0, r->hist[k], r->histtok[k]);
			lc_output_printf(r->out, "total\t\t%zu\t%zu\n", r->records, r->total);
		} else if (!S.quiet && (isatty(2) || S.progress == LC_PROGRESS_FORCE))
			fprintf(stderr, "lctok: total %zu tokens in %zu records\n", r->total, r->records);
	}
}

static void report(const run *r)
{
	lc_report *rep = &S.rep;
	lc_report_str(rep, "subcommand", subcommands[S.sub]);
	lc_report_str(rep, "options.tokenizer", S.enc ? S.enc : S.vocab ? S.vocab : S.tokfile);
	/* the field read: without -f, the one the records had (lc_text_field), the
	 * rule itself when they had each or none was read */
	const char *field = S.field;
	if (S.field_auto)
		field = r->used == USED_TEXT ? "text" : r->used == USED_PASSAGE_TEXT ? "passage_text" : "passage_text, else text";
	lc_report_str(rep, "options.field", S.text ? NULL : field);
	if (S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK)
		lc_report_int(rep, "options.tokens", S.n);
	if (S.sub == CMD_COUNT)
		lc_report_int(rep, "options.overhead", S.overhead);
	lc_report_int(rep, "records", (long long)r->records);
	lc_report_int(rep, "skipped", (long long)r->bad);
	if (S.sub == CMD_COUNT)
		lc_report_int(rep, "tokens", (long long)r->total);
	lc_report_write(rep);
}

static void free_run(run *r)
{
	wctx_free(&r->w0);
	for (int i = 0; i < MAXB; i++) {
		batch_reset(&r->b[i]);
		lc_buf_free(&r->b[i].data);
		lc_buf_free(&r->b[i].out);
		free(r->b[i].off);
		free(r->b[i].len);
		free(r->b[i].lineno);
		free(r->b[i].counts);
	}
	lc_ring_free(r->ring);
	free(r);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return lc_part_merge_main(&merge_cmd, "lctok count", argc - 1, argv + 1);
	int ind = parse_args(&argc, &argv);
	check_options();
	lc_report_start(&S.rep, &cmd, !S.outpath || !strcmp(S.outpath, "-"), argc - ind, argv + ind);
	load_tokenizer();

	run *r = lc_xcalloc(1, sizeof *r);
	r->out = lc_output_open(S.outpath);
	if (S.shard.n)
		lc_part_header(r->out, "lctok count", &S.shard, lc_part_run_key(argc, argv), "sum");
	r->nb = S.jobs > 1 ? (int)(S.jobs * 3 < MAXB ? S.jobs * 3 : MAXB) : 1;
	r->ring = lc_ring_new(r->nb);
	/* at most MAXB batches are in flight, so more threads than that would only wait */
	long nth = S.jobs > 1 ? (S.jobs < MAXB ? S.jobs : MAXB) : 0;
	pthread_t *th = lc_xcalloc((size_t)nth + 1, sizeof *th);
	for (long i = 0; i < nth; i++)
		pthread_create(&th[i], NULL, worker, r);
	char *stdin_only[] = { "-" };
	int nfiles = argc - ind;
	run_files(r, nfiles > 0 ? argv + ind : stdin_only, nfiles > 0 ? nfiles : 1);
	for (long i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	free(th);

	summary(r);
	lc_output_commit(r->out);
	if (r->bad)
		fprintf(stderr, "lctok: skipped %zu bad records\n", r->bad);
	if (lc_report_on(&S.rep))
		report(r);
	free_run(r);
	for (size_t k = 0; S.fields && S.fields[k]; k++)
		free(S.fields[k]);
	free(S.fields);
	lc_tok_free(S.tok);
	return 0;
}
