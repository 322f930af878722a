/*
 * lctok — exact BPE tokenisation from the command line: encode, decode, count,
 * truncate and chunk JSONL records (or plain lines with --text) under a tiktoken
 * encoding or a Hugging Face tokenizer.json.  The work is lib/tok/tok's; this file
 * reads records, runs them through -j worker threads in batches and writes the
 * results in input order, so output is identical for any -j.
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
#include "tok.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CMD_ENCODE, CMD_DECODE, CMD_COUNT, CMD_TRUNCATE, CMD_CHUNK };
static const char *const subcommands[] = { "encode", "decode", "count", "truncate", "chunk", "merge", NULL };

enum { OPT_VOCAB = 256, OPT_PATTERN, OPT_TOKENIZER, OPT_ALLOW, OPT_ASTEXT, OPT_ADDSP, OPT_TEXT,
       OPT_TOTAL, OPT_HIST, OPT_OVERLAP, OPT_ID, OPT_SKIP, OPT_PROGRESS, OPT_QUIET, OPT_JOIN, OPT_OVERHEAD, OPT_SHARD };

static const lc_opt opts[] = {
	LC_OPT_ENCODING(),
	{ OPT_VOCAB, "vocab", "FILE", "any .tiktoken file (with --pattern)", LC_COMPLETE_FILE },
	{ OPT_PATTERN, "pattern", "RE", "split regex for --vocab (default: cl100k_base's)", NULL },
	LC_OPT_TOKENIZER(OPT_TOKENIZER),
	LC_OPT_FIELD(),
	{ OPT_JOIN, "join", "STR", "separator between -f F1,F2 fields (default \" | \", as lcretrieve's prompt separates them)", NULL },
	{ OPT_OVERHEAD, "overhead", "N", "count: add N tokens per record (e.g. a chat template's fixed tokens per message)", NULL },
	LC_OPT_TARGET(),
	LC_OPT_TEXT_LINES(OPT_TEXT),
	{ OPT_ALLOW, "allow-special", NULL, "encode special-token text as the special token", NULL },
	LC_OPT_SPECIAL_AS_TEXT(OPT_ASTEXT),
	{ OPT_ADDSP, "add-special", NULL, "apply the tokenizer.json post-processor template (e.g. BOS)", NULL },
	{ 'n', "tokens", "N", "truncate/chunk: at most N tokens", NULL },
	{ OPT_OVERLAP, "overlap", "M", "chunk: tokens shared by consecutive chunks (default 0)", NULL },
	LC_OPT_ID(OPT_ID),
	{ OPT_TOTAL, "total", NULL, "count: print only the total", NULL },
	{ OPT_HIST, "hist", NULL, "count: print a histogram of per-record counts", NULL },
	LC_OPT_SHARD(OPT_SHARD),
	LC_OPT_JOBS(),
	LC_OPT_OUTPUT(),
	LC_OPT_SKIP_BAD(OPT_SKIP),
	LC_OPT_PROGRESS(OPT_PROGRESS),
	LC_OPT_QUIET(OPT_QUIET),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd cmd = { "lctok", "encode|decode|count|truncate|chunk (-e NAME | --vocab FILE --pattern RE | --tokenizer FILE) [options] [FILE...] | merge -o OUT PART...",
			    "exact BPE tokenisation: encode, decode, count, truncate, chunk", opts, subcommands };

static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(),
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lctok merge", "-o OUT PART...",
                                  "sum the counts of 'lctok count --total --shard 1/N..N/N'", merge_opts, NULL };

/* ---- settings shared read-only by the workers ------------------------------------ */

static struct {
	int sub;
	lc_tok *tok;
	const char *field, *target, *idfield, *join;
	int field_auto;        /* no -f: passage_text, else text, per record (lc_text_field) */
	int target_auto;       /* truncate/chunk without -t: the field read */
	char **fields;         /* -f F1,F2,...: NULL-terminated, when more than one */
	long overhead;
	int text, special, addsp, total, hist, skip;
	long n, overlap;
	size_t nsp; /* ids the post-processor template adds */
} S;

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
	int state;             /* 0 free, 1 ready, 2 busy, 3 done */
	unsigned long seq;
} batch;

static void batch_reset(batch *b)
{
	lc_buf_reset(&b->data);
	lc_buf_reset(&b->out);
	b->n = 0;
	b->nbad = 0;
	b->failed = 0;
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

/* Decoded prefix of the first k ids, cut back to valid UTF-8, into w->tmp. */
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
	if (encode_content(w, s, n, e))
		return -1;
	size_t N = budget();
	lc_buf_reset(res);
	if (w->ids.n <= N && !lc_tok_normalizes(S.tok)) {
		lc_buf_add(res, s, n);
		return 0;
	}
	size_t k = w->ids.n < N ? w->ids.n : N;
	lc_ids all = w->ids;
	w->ids = (lc_ids){ 0 };
	for (;;) {
		lc_buf_reset(res);
		if (lc_tok_decode(S.tok, all.v, k, res, e)) {
			free(all.v);
			return -1;
		}
		res->len = lc_utf8_valid_prefix(res->p, res->len);
		res->p[res->len] = 0;
		w->ids.n = 0;
		if (lc_tok_encode(S.tok, res->p, res->len, S.special == LC_TOK_SPECIAL_ERROR ? LC_TOK_SPECIAL_TEXT : S.special, &w->ids, e)) {
			free(all.v);
			return -1;
		}
		if (w->ids.n <= N || k == 0)
			break;
		k--;
	}
	free(all.v);
	return 0;
}

static size_t cp_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Chunk records for one text. parent_json = raw JSON of the parent id. */
static int chunk_text(wctx *w, json_t *obj, const char *s, size_t n, const char *parent_json, lc_buf *o, lc_err *e)
{
	if (encode_content(w, s, n, e))
		return -1;
	lc_buf_reset(&w->tmp);
	if (lc_tok_decode(S.tok, w->ids.v, w->ids.n, &w->tmp, e))
		return -1;
	const char *d = w->tmp.p;
	size_t dn = w->tmp.len, nt = w->ids.n;
	size_t *cum = lc_xmalloc((nt + 1) * sizeof *cum);
	cum[0] = 0;
	for (size_t i = 0; i < nt; i++) {
		size_t l = 0;
		lc_tok_token_bytes(S.tok, w->ids.v[i], &l);
		cum[i + 1] = cum[i] + l;
	}
	size_t N = budget(), step = N - (size_t)S.overlap;
	size_t k = 0, cpos = 0, cbyte = 0;
	for (size_t st = 0;; st += step, k++) {
		size_t en = st + N < nt ? st + N : nt;
		size_t b0 = cum[st], b1 = cum[en];
		while (b0 > 0 && b0 < dn && ((unsigned char)d[b0] & 0xC0) == 0x80)
			b0--;
		while (b1 < dn && ((unsigned char)d[b1] & 0xC0) == 0x80)
			b1++;
		/* character offsets, counted incrementally (b0 never moves backwards past cbyte by much) */
		size_t c0;
		if (b0 >= cbyte)
			c0 = cpos + cp_count(d + cbyte, b0 - cbyte);
		else
			c0 = cp_count(d, b0);
		size_t c1 = c0 + cp_count(d + b0, b1 - b0);
		cpos = c0;
		cbyte = b0;
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
		lc_buf_printf(o, ",\"parent\":%s,\"chunk\":%zu,\"start\":%zu,\"end\":%zu,\"n_tokens\":%zu,", parent_json, k, c0, c1, en - st);
		lc_json_quote(o, w->field, strlen(w->field));
		lc_buf_addc(o, ':');
		quote_lossy(o, d + b0, b1 - b0, &w->tmp2);
		lc_buf_adds(o, "}\n");
		if (en >= nt)
			break;
	}
	free(cum);
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

/* ---- thread pool --------------------------------------------------------------------- */

#define MAXB 64
static batch ring[MAXB];
static int nring;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv_work = PTHREAD_COND_INITIALIZER, cv_done = PTHREAD_COND_INITIALIZER;
static int stopping;

static void *worker(void *arg)
{
	(void)arg;
	wctx w = { .field = S.field };
	pthread_mutex_lock(&mu);
	for (;;) {
		batch *pick = NULL;
		for (int i = 0; i < nring; i++)
			if (ring[i].state == 1 && (!pick || ring[i].seq < pick->seq))
				pick = &ring[i];
		if (!pick) {
			if (stopping)
				break;
			pthread_cond_wait(&cv_work, &mu);
			continue;
		}
		pick->state = 2;
		pthread_mutex_unlock(&mu);
		process_batch(&w, pick);
		pthread_mutex_lock(&mu);
		pick->state = 3;
		pthread_cond_broadcast(&cv_done);
	}
	pthread_mutex_unlock(&mu);
	free(w.ids.v);
	lc_buf_free(&w.tmp);
	lc_buf_free(&w.tmp2);
	lc_buf_free(&w.tmp3);
	lc_buf_free(&w.joined);
	return NULL;
}

/* ---- output side (main thread) -------------------------------------------------------- */

static struct {
	lc_output *out;
	size_t total, records, bad;
	size_t hist[65];
	size_t histtok[65];
} R;

static void finish_batch(batch *b)
{
	size_t upto = b->failed ? (size_t)b->failed - 1 : b->n;
	size_t outlen = b->failed ? b->failed_out : b->out.len;
	if (outlen)
		lc_output_write(R.out, b->out.p, outlen);
	for (size_t i = 0; i < upto; i++) {
		R.total += b->counts[i];
		int k = 0;
		while (k < 64 && ((size_t)1 << k) <= b->counts[i])
			k++;
		R.hist[k]++;
		R.histtok[k] += b->counts[i];
	}
	R.records += upto - b->nbad;
	R.bad += b->nbad;
	if (b->failed)
		lc_die_err(&b->err);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return lc_part_merge_main(&merge_cmd, "lctok count", argc - 1, argv + 1);
	lc_shard shard = { 0, 0 };
	S.sub = -1;
	if (argc >= 2 && argv[1][0] != '-') {
		for (int i = 0; subcommands[i]; i++)
			if (!strcmp(argv[1], subcommands[i]))
				S.sub = i;
		if (S.sub < 0)
			lc_cli_usage_error(&cmd, "unknown subcommand '%s' (encode, decode, count, truncate, chunk)", argv[1]);
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	const char *enc = NULL, *vocab = NULL, *pattern = NULL, *tokfile = NULL, *outpath = NULL;
	long jobs = 1;
	int progress_mode = LC_PROGRESS_AUTO, have_n = 0, quiet = 0;
	lc_report rep = {0};
	S.special = LC_TOK_SPECIAL_ERROR;
	S.overlap = 0;
	lc_cli st = { 0 };
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1) {
		switch (c) {
		case 'e': enc = optarg; break;
		case OPT_VOCAB: vocab = optarg; break;
		case OPT_PATTERN: pattern = optarg; break;
		case OPT_TOKENIZER: tokfile = optarg; break;
		case 'f': S.field = optarg; break;
		case 't': S.target = optarg; break;
		case OPT_TEXT: S.text = 1; break;
		case OPT_ALLOW:
			if (S.special == LC_TOK_SPECIAL_TEXT)
				lc_cli_usage_error(&cmd, "--allow-special and --special-as-text exclude each other");
			S.special = LC_TOK_SPECIAL_ALLOW;
			break;
		case OPT_ASTEXT:
			if (S.special == LC_TOK_SPECIAL_ALLOW)
				lc_cli_usage_error(&cmd, "--allow-special and --special-as-text exclude each other");
			S.special = LC_TOK_SPECIAL_TEXT;
			break;
		case OPT_ADDSP: S.addsp = 1; break;
		case 'n': S.n = lc_cli_long("-n", optarg, 1, 1L << 40); have_n = 1; break;
		case OPT_OVERLAP: S.overlap = lc_cli_long("--overlap", optarg, 0, 1L << 40); break;
		case OPT_ID: S.idfield = optarg; break;
		case OPT_JOIN: S.join = optarg; break;
		case OPT_OVERHEAD: S.overhead = lc_cli_long("--overhead", optarg, 0, 1L << 30); break;
		case OPT_TOTAL: S.total = 1; break;
		case OPT_HIST: S.hist = 1; break;
		case 'j': jobs = lc_cli_long("-j", optarg, 1, 64); break;
		case 'o': outpath = optarg; break;
		case OPT_SKIP: S.skip = 1; break;
		case OPT_PROGRESS: progress_mode = LC_PROGRESS_FORCE; break;
		case OPT_QUIET: progress_mode = LC_PROGRESS_QUIET; quiet = 1; break;
		case LC_OPT_REPORT_ID: lc_report_arg(&rep, &cmd, optarg); break;
		case OPT_SHARD: {
			lc_err se;
			if (lc_shard_parse(optarg, &shard, &se) < 0)
				lc_cli_usage_error(&cmd, "%s", se.msg);
			break;
		}
		}
	}
	if (S.sub < 0)
		lc_cli_usage_error(&cmd, "missing subcommand (encode, decode, count, truncate, chunk)");
	if (!!enc + !!vocab + !!tokfile != 1)
		lc_cli_usage_error(&cmd, "give exactly one of -e NAME, --vocab FILE or --tokenizer FILE");
	if (pattern && !vocab)
		lc_cli_usage_error(&cmd, "--pattern goes with --vocab");
	if ((S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK) && !have_n)
		lc_cli_usage_error(&cmd, "%s needs -n N", subcommands[S.sub]);
	if (have_n && S.sub != CMD_TRUNCATE && S.sub != CMD_CHUNK)
		lc_cli_usage_error(&cmd, "-n is for truncate and chunk");
	if (S.sub == CMD_CHUNK && S.overlap >= S.n)
		lc_cli_usage_error(&cmd, "--overlap must be smaller than -n");
	if (S.sub != CMD_CHUNK && S.overlap)
		lc_cli_usage_error(&cmd, "--overlap is for chunk");
	if ((S.total || S.hist) && S.sub != CMD_COUNT)
		lc_cli_usage_error(&cmd, "--total and --hist are for count");
	if (S.total && S.hist)
		lc_cli_usage_error(&cmd, "--total and --hist exclude each other");
	if (shard.n && (S.sub != CMD_COUNT || !S.total))
		lc_cli_usage_error(&cmd, "--shard is for count --total (partial counts that 'lctok merge' sums)");
	if (!S.field) {
		S.field = S.sub == CMD_DECODE ? "ids" : "text";
		S.field_auto = S.sub != CMD_DECODE;
	}
	if (strchr(S.field, ',')) {
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
	} else if (S.join)
		lc_cli_usage_error(&cmd, "--join goes with -f F1,F2");
	if (!S.join)
		S.join = " | ";
	if (S.overhead && S.sub != CMD_COUNT)
		lc_cli_usage_error(&cmd, "--overhead is for count");
	if (!S.target) {
		S.target = S.sub == CMD_ENCODE ? "ids" : S.sub == CMD_DECODE ? "text" : S.sub == CMD_COUNT ? "n_tokens" : S.field;
		S.target_auto = S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK;
	}
	if (!S.idfield)
		S.idfield = "pid";

	lc_report_start(&rep, &cmd, !outpath || !strcmp(outpath, "-"), argc - st.ind, argv + st.ind);
	lc_err e = { 0 };
	S.tok = enc ? lc_tok_load(enc, &e) : vocab ? lc_tok_load_tiktoken(vocab, pattern, &e) : lc_tok_load_hf(tokfile, &e);
	if (!S.tok)
		lc_die_err(&e);
	{
		lc_ids tmp = { 0 };
		lc_tok_add_special(S.tok, &tmp, 0);
		S.nsp = tmp.n;
		free(tmp.v);
	}
	if (S.addsp && (S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK) && S.n - (long)S.nsp - S.overlap < 1)
		lc_cli_usage_error(&cmd, "-n %ld leaves no room for text next to the %zu template ids of --add-special", S.n, S.nsp);
	R.out = lc_output_open(outpath);
	if (shard.n)
		lc_part_header(R.out, "lctok count", &shard, lc_part_run_key(argc, argv), "sum");

	int nfiles = argc - st.ind;
	char *stdin_only[] = { "-" };
	char **files = nfiles > 0 ? argv + st.ind : stdin_only;
	if (nfiles <= 0)
		nfiles = 1;
	nring = jobs > 1 ? (int)(jobs * 3 < MAXB ? jobs * 3 : MAXB) : 1;
	pthread_t th[64];
	for (long i = 0; i < jobs && jobs > 1; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	wctx w0 = { 0 };
	lc_progress pr;
	lc_progress_start(&pr, "records", progress_mode);
	unsigned long seq = 0, next_out = 0;
	size_t lines_read = 0, record = 0;   /* record: --shard's index over every file */
	const size_t BATCH_BYTES = 1 << 20, BATCH_LINES = 4096;
	for (int fi = 0; fi < nfiles; fi++) {
		lc_input *in = lc_input_open_or_die(files[fi], NULL);
		char *line;
		size_t len;
		int more = 1;
		while (more) {
			/* get a free slot */
			batch *b = NULL;
			if (jobs > 1) {
				pthread_mutex_lock(&mu);
				for (;;) {
					for (int i = 0; i < nring && !b; i++)
						if (ring[i].state == 0)
							b = &ring[i];
					if (b)
						break;
					/* write finished batches in order */
					batch *nb = NULL;
					for (int i = 0; i < nring; i++)
						if (ring[i].seq == next_out && ring[i].state == 3)
							nb = &ring[i];
					if (nb) {
						pthread_mutex_unlock(&mu);
						finish_batch(nb);
						pthread_mutex_lock(&mu);
						nb->state = 0;
						next_out++;
						continue;
					}
					pthread_cond_wait(&cv_done, &mu);
				}
				pthread_mutex_unlock(&mu);
			} else
				b = &ring[0];
			batch_reset(b);
			b->name = lc_xstrdup(lc_input_name(in));
			while (b->data.len < BATCH_BYTES && b->n < BATCH_LINES) {
				if (!lc_input_next(in, &line, &len)) {
					more = 0;
					break;
				}
				if (lc_shard_has(&shard, record++))
					batch_add(b, line, len, lc_input_lineno(in));
			}
			lines_read += b->n;
			lc_progress_input(&pr, lines_read, in);
			if (!b->n)
				continue;
			b->seq = seq++;
			if (jobs > 1) {
				pthread_mutex_lock(&mu);
				b->state = 1;
				pthread_cond_signal(&cv_work);
				pthread_mutex_unlock(&mu);
			} else {
				process_batch(&w0, b);
				finish_batch(b);
				next_out++;
			}
		}
		lc_input_close(in);
	}
	if (jobs > 1) {
		pthread_mutex_lock(&mu);
		while (next_out < seq) {
			batch *nb = NULL;
			for (int i = 0; i < nring; i++)
				if (ring[i].seq == next_out && ring[i].state == 3)
					nb = &ring[i];
			if (!nb) {
				pthread_cond_wait(&cv_done, &mu);
				continue;
			}
			pthread_mutex_unlock(&mu);
			finish_batch(nb);
			pthread_mutex_lock(&mu);
			nb->state = 0;
			next_out++;
		}
		stopping = 1;
		pthread_cond_broadcast(&cv_work);
		pthread_mutex_unlock(&mu);
		for (long i = 0; i < jobs; i++)
			pthread_join(th[i], NULL);
	}
	lc_progress_done(&pr);
	if (S.sub == CMD_COUNT) {
		if (S.total)
			lc_output_printf(R.out, "%zu\n", R.total);
		else if (S.hist) {
			lc_output_puts(R.out, "min\tmax\trecords\ttokens\n");
			for (int k = 0; k < 65; k++)
				if (R.hist[k])
					lc_output_printf(R.out, "%zu\t%zu\t%zu\t%zu\n", k ? (size_t)1 << (k - 1) : 0,
							 k ? ((size_t)1 << k) - 1 : 0, R.hist[k], R.histtok[k]);
			lc_output_printf(R.out, "total\t\t%zu\t%zu\n", R.records, R.total);
		} else if (!quiet && (isatty(2) || progress_mode == LC_PROGRESS_FORCE))
			fprintf(stderr, "lctok: total %zu tokens in %zu records\n", R.total, R.records);
	}
	lc_output_commit(R.out);
	if (R.bad)
		fprintf(stderr, "lctok: skipped %zu bad records\n", R.bad);
	if (lc_report_on(&rep)) {
		lc_report_str(&rep, "subcommand", subcommands[S.sub]);
		lc_report_str(&rep, "options.tokenizer", enc ? enc : vocab ? vocab : tokfile);
		lc_report_str(&rep, "options.field", S.text ? NULL : S.field);
		if (S.sub == CMD_TRUNCATE || S.sub == CMD_CHUNK)
			lc_report_int(&rep, "options.tokens", S.n);
		if (S.sub == CMD_COUNT)
			lc_report_int(&rep, "options.overhead", S.overhead);
		lc_report_int(&rep, "records", (long long)R.records);
		lc_report_int(&rep, "skipped", (long long)R.bad);
		if (S.sub == CMD_COUNT)
			lc_report_int(&rep, "tokens", (long long)R.total);
		lc_report_write(&rep);
	}
	free(w0.ids.v);
	lc_buf_free(&w0.tmp);
	lc_buf_free(&w0.tmp2);
	lc_buf_free(&w0.tmp3);
	lc_buf_free(&w0.joined);
	for (size_t k = 0; S.fields && S.fields[k]; k++)
		free(S.fields[k]);
	free(S.fields);
	for (int i = 0; i < MAXB; i++) {
		batch_reset(&ring[i]);
		lc_buf_free(&ring[i].data);
		lc_buf_free(&ring[i].out);
		free(ring[i].off);
		free(ring[i].len);
		free(ring[i].lineno);
		free(ring[i].counts);
	}
	lc_tok_free(S.tok);
	return 0;
}
