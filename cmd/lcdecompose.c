/*
 * lcdecompose — Dataset Decomposition (Pouransari et al. 2024): cut tokenised documents into
 * power-of-two length buckets written as WebDataset shards, with the concat-and-chunk
 * and best-fit packing baselines, a per-method report, --shard K/N scale-out and
 * `lcdecompose merge`; --report FILE writes the figures as JSON.  The work is in lib/dd/decompose.c, lib/dd/pack.c and lib/dd/wds.c.
 */
#include "cli.h"
#include "options.h"
#include "decompose.h"
#include "err.h"
#include "hash.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "part.h"
#include "progress.h"
#include "report.h"
#include "wds.h"

#include "tok.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M_DD = 1, M_CONCAT = 2, M_BESTFIT = 4 };

/* The program's settings (its options, bound to the table below). */
typedef struct cfg {
	const char *field, *encoding, *tokenizer, *out;
	const char *default_encoding;   /* none of -e, --tokenizer, --eot: text goes through -e's default */
	int field_auto;          /* no -f: lc_text_field per record */
	long eot;             /* -1 = unknown */
	long text_eot;        /* with default_encoding: the end-of-text id of tokenised text */
	int kmin, kmax, randomize, method, format, force, report, compare, full_shards, pool;
	int special_text, numeric_eot, kmax_given;
	long gpus, workers;
	int len_given;
	unsigned long seed;
	long len;
	long shard_k, shard_n;
	uint64_t run;             /* with --shard: the command line's key (lc_part_run_key) */
	int skip_bad, progress;
	const char *method_name, *format_name;
} cfg;

/* The options, each bound to its field (lib/cli/cli.h); only --report reaches main's loop.
 * field NULL, kmax -1 and len 0 mean "not given" until main settles them. */
static struct {
	cfg c;
	int quiet;
} S = { .c = { .eot = -1, .text_eot = -1, .kmin = 8, .kmax = -1, .randomize = 1, .method = M_DD, .format = LC_WDS_TAR,
               .pool = 20, .method_name = "dd", .format_name = "tar", .full_shards = 1, .gpus = 1, .workers = 1 } };

/* --method dd|concat|bestfit */
static void method_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "dd")) S.c.method = M_DD;
	else if (!strcmp(arg, "concat")) S.c.method = M_CONCAT;
	else if (!strcmp(arg, "bestfit")) S.c.method = M_BESTFIT;
	else lc_cli_usage_error(cmd, "--method: '%s' is not dd, concat or bestfit", arg);
	S.c.method_name = arg;
}

/* --format tar|jsonl|bin */
static void format_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "tar")) S.c.format = LC_WDS_TAR;
	else if (!strcmp(arg, "jsonl")) S.c.format = LC_WDS_JSONL;
	else if (!strcmp(arg, "bin")) S.c.format = LC_WDS_BIN;
	else lc_cli_usage_error(cmd, "--format: '%s' is not tar, jsonl or bin", arg);
	S.c.format_name = arg;
}

/* -L/--length LEN: a callback, not LC_BIND_LONG, so that errors name --length (a bound
 * option with a letter is named -L) */
static void length_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	S.c.len = lc_cli_long("--length", arg, 1, 1L << 30);
}

/* --shard K/N: N is read first, since it bounds K */
static void shard_cb(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	const char *slash = strchr(arg, '/');
	if (!slash)
		lc_cli_usage_error(cmd, "--shard: expected K/N, e.g. 1/4");
	char *k = lc_xstrndup(arg, (size_t)(slash - arg));
	S.c.shard_n = lc_cli_long("--shard N", slash + 1, 1, 1L << 20);
	S.c.shard_k = lc_cli_long("--shard K", k, 1, S.c.shard_n);
	free(k);
}

static const lc_opt opts[] = {
	LC_OPT_ENCODING(LC_BIND_STR(S.c.encoding)),
	LC_OPT_TOKENIZER(0, LC_BIND_STR(S.c.tokenizer)),
	LC_OPT_FIELD(LC_BIND_STR(S.c.field)),
	LC_OPT_SPECIAL_AS_TEXT(0, LC_BIND_SET(S.c.special_text, 1)),
	{ 0, "eot", "ID", "end-of-text id appended to each document (default: the tokenizer's)", NULL,
	  LC_BIND_LONG(S.c.eot, 0, UINT32_MAX) },
	{ 0, "numeric-eot", NULL, "write end-of-text id 0 as a number, not as '<|endoftext|>'", NULL,
	  LC_BIND_SET(S.c.numeric_eot, 1) },
	{ 0, "kmin", "K", "shortest bucket 2^K (default 8)", NULL, LC_BIND_INT(S.c.kmin, 0, LC_DD_KMAX_LIMIT) },
	{ 0, "kmax", "K", "longest bucket 2^K (default 13)", NULL, LC_BIND_INT(S.c.kmax, 0, LC_DD_KMAX_LIMIT) },
	LC_OPT_SEED(S.c.seed),
	{ 0, "no-random", NULL, "cut long remainders at 2^kmax instead of drawing k", NULL, LC_BIND_SET(S.c.randomize, 0) },
	LC_OPT_METHOD(0, "dd concat bestfit", LC_BIND_CALL(method_cb, S.c.method)),
	{ 'L', "length", "LEN", "sequence length of the baselines (default 8192)", NULL, LC_BIND_CALL(length_cb, S.c.len) },
	LC_OPT_FORMAT(0, "tar jsonl bin", LC_BIND_CALL(format_cb, S.c.format)),
	LC_OPT_OUTPUT_DIR(LC_BIND_STR(S.c.out)),
	{ 0, "force", NULL, "replace an earlier lcdecompose output in DIR", NULL, LC_BIND_SET(S.c.force, 1) },
	{ 0, "table", NULL, "print the method's report table (sequences, tokens, cost)", NULL, LC_BIND_SET(S.c.report, 1) },
	{ 0, "compare", NULL, "report dd, concat and bestfit side by side (no output)", NULL, LC_BIND_SET(S.c.compare, 1) },
	LC_OPT_SHARD(0, LC_BIND_CALL(shard_cb, S.c.shard_n)),
	{ 0, "full-shards", NULL, "drop a final short shard per bucket (counted): the default", NULL,
	  LC_BIND_SET(S.c.full_shards, 1) },
	{ 0, "keep-short-shards", NULL, "keep a final short shard per bucket (OpenLM skips it)", NULL,
	  LC_BIND_SET(S.c.full_shards, 0) },
	LC_OPT_GPUS(0, LC_BIND_LONG(S.c.gpus, 1, 1L << 20)),
	LC_OPT_WORKERS(0, LC_BIND_LONG(S.c.workers, 1, 1L << 10)),
	{ 0, "pool", "N", "shuffle pool in shards (default 20)", NULL, LC_BIND_INT(S.c.pool, 1, 1000) },
	LC_OPT_SKIP_BAD(0, LC_BIND_SET(S.c.skip_bad, 1)),
	LC_OPT_PROGRESS(0, LC_BIND_SET(S.c.progress, 1)),
	LC_OPT_QUIET(0, LC_BIND_SET(S.quiet, 1)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "merge", NULL };
static const char *const renamed[] = { "-q", "--quiet", NULL };
static const lc_cmd cmd = {
	"lcdecompose",
	"[-e NAME | --tokenizer FILE | --eot ID] [options] -o DIR FILE...\n"
	"       lcdecompose merge [--force] -o DIR DIR...",
	"Dataset Decomposition of documents into power-of-two length buckets (WebDataset shards)",
	opts, subs, renamed, 1
};

/* lcdecompose merge: its options, bound to M */
static struct {
	const char *out;
	int force, quiet;
} M;

static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT_DIR(LC_BIND_STR(M.out)),
	LC_OPT_REPORT,
	{ 0, "force", NULL, "replace an earlier lcdecompose output in DIR", NULL, LC_BIND_SET(M.force, 1) },
	LC_OPT_QUIET(0, LC_BIND_SET(M.quiet, 1)),
	LC_OPT_END
};
static const lc_cmd merge_cmd = {
	"lcdecompose merge", "[--force] -o DIR DIR...",
	"join datasets made with --shard K/N into one (shards renumbered)", merge_opts, NULL
};

/* The end-of-text as the reference writes it: Python's str() of the token list. */
#define EOT_TEXT "'<|endoftext|>'"

typedef struct run {
	lc_dd dd;
	lc_dd_stats st;
	lc_wds *w;
	int bucket_of_k[LC_DD_KMAX_LIMIT + 1];
	int lbucket;
	lc_concat concat;
	lc_bestfit *bf;
	int methods;
	uint64_t seqs_written;
	const uint32_t *doc_end;   /* one past the current document's end-of-text */
	uint64_t nbad;             /* malformed records skipped (--skip-bad) */
} run;

/* Dies with e's message once the shard writer w (may be NULL) has removed what it
 * wrote and freed itself: an exit after lc_wds_open goes through lc_wds_abort. */
static _Noreturn void die_err(lc_wds *w, const lc_err *e)
{
	if (w)
		lc_wds_abort(w);
	lc_die_err(e);
}

static void emit_dd(void *ctx, int k, const uint32_t *tok, size_t n)
{
	run *r = ctx;
	if (r->w) {
		lc_err e;
		if (lc_wds_add_ex(r->w, r->bucket_of_k[k], tok, n, tok + n == r->doc_end ? LC_WDS_ENDS_DOC : 0, &e) < 0)
			die_err(r->w, &e);
	}
}

static void emit_seq(void *ctx, const uint32_t *tok, size_t n, int crossing)
{
	run *r = ctx;
	if (r->w) {
		lc_err e;
		if (lc_wds_add_ex(r->w, r->lbucket, tok, n, crossing ? LC_WDS_CROSSING : 0, &e) < 0)
			die_err(r->w, &e);
	}
}

/* ---- ids vector --------------------------------------------------------------- */

typedef struct ids { uint32_t *v; size_t n, cap; } ids;

static inline void ids_push(ids *d, uint32_t x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4096;
		d->v = lc_xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = x;
}

static inline const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Fast path for {"ids": [1, 2, ...] ...}: ids must be the first key.  Returns 1 when
 * the line was fully validated and parsed, 0 when the general parser must decide. */
static int fast_ids(const char *s, size_t n, ids *out)
{
	const char *p = s, *e = s + n;
	p = ws(p, e);
	if (p == e || *p++ != '{')
		return 0;
	p = ws(p, e);
	if (e - p < 5 || memcmp(p, "\"ids\"", 5))
		return 0;
	p = ws(p + 5, e);
	if (p == e || *p++ != ':')
		return 0;
	p = ws(p, e);
	if (p == e || *p++ != '[')
		return 0;
	size_t start = out->n;
	/* each id takes at least two bytes ("0,"), so this bounds the count */
	size_t need = out->n + (size_t)(e - p) / 2 + 2;
	if (need > out->cap) {
		out->cap = need + need / 2;
		out->v = lc_xrealloc(out->v, out->cap * sizeof *out->v);
	}
	uint32_t *v = out->v + out->n;
	p = ws(p, e);
	if (p < e && *p == ']') {
		p++;
	} else {
		/* The line is NUL-terminated (input.h): no byte test below matches the NUL at
		 * e, so no scan passes it.  The common case, "N, " after "N, ", costs one
		 * digit loop and two byte tests; anything else goes the long way. */
		for (;;) {
			const char *d0 = p;
			uint64_t x = 0;
			unsigned c;
			while ((c = (unsigned)(unsigned char)*p - '0') <= 9) {
				x = x * 10 + c;
				p++;
			}
			size_t nd = (size_t)(p - d0);
			if (nd - 1 >= 9 && (nd == 0 || nd > 10 || x > UINT32_MAX))
				goto no;                    /* no digit, or more than 32 bits */
			if (*d0 == '0' && nd > 1)
				goto no;                    /* leading zero: not JSON */
			*v++ = (uint32_t)x;
			if (*p == ',') {
				p++;
				if (*p == ' ')
					p++;
				if ((unsigned)(unsigned char)*p - '0' > 9)
					p = ws(p, e);
				continue;
			}
			if (*p == ']') {
				p++;
				break;
			}
			if (*p == '.' || *p == 'e' || *p == 'E')
				goto no;                    /* a number, but not an integer */
			p = ws(p, e);
			if (*p == ',') {
				p = ws(p + 1, e);
				continue;
			}
			if (*p == ']') {
				p++;
				break;
			}
			goto no;
		}
	}
	out->n = (size_t)(v - out->v);
	p = ws(p, e);
	if (p < e && *p == '}') {
		if (ws(p + 1, e) == e)
			return 1;
		goto no;
	}
	if (p < e && *p == ',') {
		/* validate the other fields: "{" + rest must be a JSON object without "ids" */
		size_t rn = (size_t)(e - p);
		char *tmp = lc_xmalloc(rn + 1);
		tmp[0] = '{';
		memcpy(tmp + 1, p + 1, rn - 1);
		json_error_t je;
		json_t *o = json_loadb(tmp, rn, JSON_REJECT_DUPLICATES, &je);
		free(tmp);
		int ok = o && json_is_object(o) && !json_object_get(o, "ids");
		json_decref(o);
		if (ok)
			return 1;
	}
no:
	out->n = start;
	return 0;
}

/* ---- main pipeline -------------------------------------------------------------- */

static lc_tok *g_tok;

static int bad_record(const cfg *c, run *r, lc_err *e)
{
	if (!c->skip_bad)
		die_err(r->w, e);
	r->nbad++;
	return 0;
}

/* Reads one record into d (tokens + EOT).  1 = document, 0 = skipped (bad, skip-bad). */
static int read_record(const cfg *c, run *r, lc_input *in, const char *line, size_t len, ids *d)
{
	lc_err e;
	d->n = 0;
	int have = 0, tokenised = 0;
	if (!c->encoding && !c->tokenizer && fast_ids(line, len, d)) {
		have = 1;
	} else {
		const char *where = lc_input_where(in);
		json_t *o = lc_json_parse_object(line, len, where, &e);
		if (!o)
			return bad_record(c, r, &e);
		const char *fld = c->field_auto ? lc_text_field(o) : c->field;   /* lctk(7): passage_text, else text */
		json_t *v = json_object_get(o, fld);
		json_t *a = json_object_get(o, "ids");
		if (v && (c->encoding || c->tokenizer || (c->default_encoding && !a))) {
			if (!json_is_string(v)) {
				lc_err_set(&e, LC_EXIT_INPUT, "%s: field '%s': expected a string, got %s",
				           where, fld, lc_json_type_name(v));
				json_decref(o);
				return bad_record(c, r, &e);
			}
			lc_ids out = { d->v, d->n, d->cap };
			int got = lc_tok_encode(g_tok, json_string_value(v), json_string_length(v),
			                        c->special_text ? LC_TOK_SPECIAL_TEXT : LC_TOK_SPECIAL_ALLOW, &out, &e);
			d->v = out.v, d->n = out.n, d->cap = out.cap;
			if (got < 0) {
				lc_err e2;
				lc_err_set(&e2, LC_EXIT_INPUT, "%s: %s", where, e.msg);
				json_decref(o);
				return bad_record(c, r, &e2);
			}
			have = tokenised = 1;
		} else if (a) {
			if (!json_is_array(a)) {
				lc_err_set(&e, LC_EXIT_INPUT, "%s: field 'ids': expected an array of token ids, got %s",
				           where, lc_json_type_name(a));
				json_decref(o);
				return bad_record(c, r, &e);
			}
			size_t i;
			json_t *x;
			json_array_foreach(a, i, x) {
				if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > UINT32_MAX) {
					lc_err_set(&e, LC_EXIT_INPUT, "%s: ids[%zu]: expected a token id from 0 to 4294967295",
					           where, i);
					json_decref(o);
					return bad_record(c, r, &e);
				}
				ids_push(d, (uint32_t)json_integer_value(x));
			}
			have = 1;
		} else {
			if (c->encoding || c->tokenizer)
				lc_err_set(&e, LC_EXIT_INPUT, "%s: missing field '%s' (and no 'ids'); choose the text field with -f FIELD",
				           where, fld);
			else if (v)
				lc_err_set(&e, LC_EXIT_INPUT, "%s: record has text but no 'ids' (--eot alone means pre-tokenised input); tokenise with -e NAME or --tokenizer FILE",
				           where);
			else
				lc_err_set(&e, LC_EXIT_INPUT, "%s: record has no 'ids' array and no '%s' field", where, fld);
			json_decref(o);
			return bad_record(c, r, &e);
		}
		json_decref(o);
	}
	long eot = c->eot < 0 && tokenised ? c->text_eot : c->eot;
	if (have && eot < 0)
		lc_die(LC_EXIT_USAGE, "%s: pre-tokenised input needs --eot ID (the end-of-text id appended to each document)",
		       lc_input_where(in));
	ids_push(d, (uint32_t)eot);
	return 1;
}

/* The method's figures for what was written: the short final shards that
 * --full-shards left out (t) are dropped tokens, not sequences, cost, padding
 * or boundary crossings of the dataset. */
static void drop_tail(lc_pack_report *rep, const lc_wds_tail *t)
{
	rep->tokens_kept -= t->tokens;
	rep->tokens_dropped += t->tokens;
	rep->sequences -= t->seqs;
	rep->attn_cost -= t->attn;
	rep->tokens_padded -= t->padded;
	rep->crossing -= t->crossing;
}

static void report_dd(const run *r, int compare, lc_pack_report *rep)
{
	memset(rep, 0, sizeof *rep);
	if (compare)   /* the lengths dd trains on, beside concat-LEN and bestfit-LEN */
		snprintf(rep->method, sizeof rep->method, "dd-%u..%u",
		         1U << r->dd.kmin, 1U << r->dd.kmax);
	else
		snprintf(rep->method, sizeof rep->method, "dd");
	rep->docs = r->st.docs;
	rep->tokens_in = r->st.tokens_in;
	rep->tokens_kept = r->st.tokens_kept;
	rep->tokens_dropped = r->st.tokens_dropped;
	for (int k = 0; k <= LC_DD_KMAX_LIMIT; k++) {
		rep->sequences += r->st.seqs[k];
		rep->attn_cost += r->st.seqs[k] * ((uint64_t)1 << k) * ((uint64_t)1 << k);
	}
}

static json_t *make_info(const cfg *c, const run *r, uint64_t nbad)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:i, s:b, s:I, s:I, s:b, s:i}",
	                      "method", c->method_name, "format", c->format_name,
	                      "kmin", c->kmin, "kmax", c->kmax, "random", c->randomize,
	                      "seed", (json_int_t)c->seed, "eot", (json_int_t)(c->eot < 0 ? c->text_eot : c->eot),
	                      "full_shards", c->full_shards, "pool", c->pool);
	if (c->method != M_DD)
		json_object_set_new(p, "length", json_integer(c->len));
	json_object_set_new(p, "tokenizer", c->tokenizer ? lc_json_text(c->tokenizer) :
	                    c->encoding ? json_string(c->encoding) :
	                    c->default_encoding ? json_string(c->default_encoding) : json_null());
	json_object_set_new(p, "field", json_string(c->field_auto ? "passage_text, else text" : c->field));
	json_object_set_new(p, "special_as_text", json_boolean(c->special_text));
	json_object_set_new(p, "eot_written_as", json_string(c->method == M_DD && c->format == LC_WDS_TAR &&
	                    c->eot == 0 && !c->numeric_eot ? "text" : "id"));
	json_t *cnt = json_object();
	json_object_set_new(cnt, "documents", json_integer((json_int_t)r->st.docs));
	json_object_set_new(cnt, "documents_empty", json_integer((json_int_t)r->st.docs_empty));
	json_object_set_new(cnt, "documents_without_sequence", json_integer((json_int_t)r->st.docs_dropped));
	json_object_set_new(cnt, "bad_records_skipped", json_integer((json_int_t)nbad));
	json_object_set_new(cnt, "tokens_in", json_integer((json_int_t)r->st.tokens_in));
	json_object_set_new(cnt, "tokens_kept", json_integer((json_int_t)r->st.tokens_kept));
	json_object_set_new(cnt, "tokens_dropped", json_integer((json_int_t)r->st.tokens_dropped));
	json_object_set_new(cnt, "tokens_padded", json_integer(0));
	json_t *info = json_object();
	json_object_set_new(info, "params", p);
	if (c->shard_n) {
		char s[64];
		snprintf(s, sizeof s, "%ld/%ld", c->shard_k, c->shard_n);
		json_object_set_new(info, "shard", lc_json_text(s));
		/* the parts of one split share it (same inputs and options): merge checks it */
		snprintf(s, sizeof s, "%016" PRIx64, c->run);
		json_object_set_new(info, "run", json_string(s));
	}
	json_object_set_new(info, "counters", cnt);
	return info;
}

/* Warns about what OpenLM's Dataset Decomposition loader will not train on: shards
 * smaller than their bucket's largest (it skips them), and buckets with fewer full
 * shards than GPUs x workers (it needs one per worker). */
static void warn_openlm(const char *dir, long gpus, long workers)
{
	lc_err e;
	lc_wds_binfo *b;
	size_t n;
	if (lc_wds_buckets(dir, &b, &n, &e) < 0)
		lc_die_err(&e);
	uint64_t need = (uint64_t)gpus * (uint64_t)workers;
	for (size_t i = 0; i < n; i++) {
		uint64_t skipped = b[i].seqs - b[i].full_shards * b[i].max_shard;
		if (skipped)
			lc_warn("%s: %" PRIu64 " sequences in %" PRIu64 " shards smaller than the largest (%" PRIu64
			        "); OpenLM's loader skips them (drop them: leave out --keep-short-shards)",
			        b[i].name, skipped, b[i].shards - b[i].full_shards, b[i].max_shard);
		if (b[i].full_shards < need)
			lc_warn("%s: %" PRIu64 " full shards; OpenLM needs at least GPUs x workers = %ld x %ld = %"
			        PRIu64 " per bucket (--gpus, --workers); use more data, fewer GPUs or workers%s",
			        b[i].name, b[i].full_shards, gpus, workers, need,
			        b[i].kind == 'D' ? ", or leave the bucket out (--kmin, --kmax)" : "");
	}
	free(b);
}

static void report_buckets(lc_report *rep, const char *dir);

/* The tables on standard output go through lc_output: a write error (a full disk)
 * is exit 1 with a message, EPIPE the quiet 141 of every program.  (stdio would
 * have let a vwarn's fflush meet the error first and the final check pass.) */
static void write_stdout(const char *p, size_t n)
{
	lc_output *o = lc_output_open(NULL);
	lc_output_write(o, p, n);
	lc_output_commit(o);
}

static int do_merge(int argc, char **argv)
{
	lc_cli st = { 0 };
	lc_report rep = {0};
	int o;
	while ((o = lc_cli_next(&st, &merge_cmd, argc, argv)) != -1)
		if (o == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &merge_cmd, optarg);
	const char *out = M.out;
	int force = M.force, quiet = M.quiet;
	if (!out)
		lc_cli_usage_error(&merge_cmd, "merge needs -o DIR");
	if (st.ind >= argc)
		lc_cli_usage_error(&merge_cmd, "merge needs at least one input directory");
	lc_report_start(&rep, &cmd, 1, argc - st.ind, argv + st.ind);
	lc_report_str(&rep, "subcommand", "merge");
	lc_report_str(&rep, "options.output", out);
	lc_err e;
	lc_buf stats = { 0 };
	if (lc_wds_merge(out, force, argv + st.ind, argc - st.ind, &stats, &e) < 0)
		lc_die_err(&e);
	if (lc_report_on(&rep)) {
		report_buckets(&rep, out);
		lc_report_write(&rep);
	}
	lc_report_free(&rep);
	write_stdout(stats.p, stats.len);   /* the data of standard output: --quiet is for standard error */
	lc_buf_free(&stats);
	if (!quiet)
		warn_openlm(out, 1, 1);
	return 0;
}

/* --report: each bucket of the dataset in dir as its manifest says, and the totals. */
static void report_buckets(lc_report *rep, const char *dir)
{
	lc_wds_binfo *b;
	size_t nb;
	lc_err e;
	if (lc_wds_buckets(dir, &b, &nb, &e) < 0)
		lc_die_err(&e);
	json_t *bs = lc_report_array(rep, "buckets");
	uint64_t shards = 0, seqs = 0;
	for (size_t i = 0; i < nb; i++) {
		json_array_append_new(bs, json_pack("{s:s, s:I, s:I, s:I, s:I}", "name", b[i].name, "seq_len",
		                      (json_int_t)b[i].seq_len, "shards", (json_int_t)b[i].shards, "full_shards",
		                      (json_int_t)b[i].full_shards, "sequences", (json_int_t)b[i].seqs));
		shards += b[i].shards;
		seqs += b[i].seqs;
	}
	free(b);
	lc_report_int(rep, "shards", (long long)shards);
	lc_report_int(rep, "sequences", (long long)seqs);
}

/* --report: the options, the documents' counts, each method's report and, with
 * -o DIR, each bucket's shards and sequences as its manifest says; then written. */
static void report_json(lc_report *rep, const cfg *c, const run *r, const lc_pack_report *reps, int nrep,
                        uint64_t nbad, uint64_t tail)
{
	lc_report_str(rep, "options.method", c->compare ? "compare" : c->method_name);
	lc_report_str(rep, "options.tokenizer", c->tokenizer ? c->tokenizer :
	              c->encoding ? c->encoding : c->default_encoding);
	lc_report_int(rep, "options.eot", c->eot < 0 ? c->text_eot : c->eot);
	lc_report_int(rep, "options.kmin", c->kmin);
	lc_report_int(rep, "options.kmax", c->kmax);
	if (c->method != M_DD || c->compare)
		lc_report_int(rep, "options.length", c->len);
	lc_report_int(rep, "options.seed", (long long)c->seed);
	lc_report_bool(rep, "options.random", c->randomize);
	lc_report_bool(rep, "options.full_shards", c->full_shards);
	lc_report_str(rep, "options.output", c->out);
	lc_report_int(rep, "documents", (long long)r->st.docs);
	lc_report_int(rep, "documents_empty", (long long)r->st.docs_empty);
	lc_report_int(rep, "documents_dropped", (long long)r->st.docs_dropped);
	lc_report_int(rep, "malformed_skipped", (long long)nbad);
	lc_report_int(rep, "tail_tokens_dropped", (long long)tail);
	json_t *ms = lc_report_array(rep, "methods");
	for (int i = 0; i < nrep; i++)
		json_array_append_new(ms, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "method", reps[i].method,
		                      "seq_len", (json_int_t)reps[i].seq_len, "documents", (json_int_t)reps[i].docs,
		                      "sequences", (json_int_t)reps[i].sequences, "tokens_in", (json_int_t)reps[i].tokens_in,
		                      "tokens_kept", (json_int_t)reps[i].tokens_kept, "tokens_dropped",
		                      (json_int_t)reps[i].tokens_dropped, "tokens_padded", (json_int_t)reps[i].tokens_padded,
		                      "crossing", (json_int_t)reps[i].crossing, "attn_cost", (json_int_t)reps[i].attn_cost));
	if (c->out)
		report_buckets(rep, c->out);
	lc_report_write(rep);
}

/* Parses argv into *c (the defaults that depend on other options filled in, the
 * options checked against each other) and starts the report; returns the index of
 * the first input.  Usage errors exit 2. */
static int parse_args(int argc, char **argv, lc_report *rep, cfg *c)
{
	lc_cli st = { 0 };
	int o;
	while ((o = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (o == LC_OPT_REPORT_ID) {   /* every other option is bound */
			if (optarg[0] == '-' && optarg[1])
				lc_cli_usage_error(&cmd, "--report FILE writes the figures as JSON ('%s' is not a file name); "
				                   "the table --report used to print is --table", optarg);
			lc_report_arg(rep, &cmd, optarg);
		}
	*c = S.c;
	c->field_auto = !c->field;
	if (c->field_auto)
		c->field = "text";
	c->kmax_given = c->kmax >= 0;
	if (!c->kmax_given)
		c->kmax = 13;
	c->len_given = c->len > 0;
	if (!c->len_given)
		c->len = 8192;
	if (c->compare) {
		/* like with like: dd's longest bucket is the baselines' length */
		if (c->len_given && c->kmax_given && (uint64_t)c->len != (uint64_t)1 << c->kmax)
			lc_cli_usage_error(&cmd, "--compare: -L %ld and --kmax %d (2^%d = %llu) differ; "
			                   "give one of them so that all methods share the longest length",
			                   c->len, c->kmax, c->kmax, 1ULL << c->kmax);
		if (c->len_given && !c->kmax_given) {
			if (c->len & (c->len - 1))
				lc_cli_usage_error(&cmd, "--compare: -L %ld is not a power of two, so dd cannot "
				                   "have the same longest length (its buckets are 2^k)", c->len);
			c->kmax = lc_ilog2((uint64_t)c->len);
			if (c->kmin > c->kmax)
				lc_cli_usage_error(&cmd, "--compare: -L %ld makes dd's longest bucket 2^%d, shorter "
				                   "than --kmin %d; lower --kmin", c->len, c->kmax, c->kmin);
		} else if (!c->len_given) {
			c->len = 1L << c->kmax;
		}
	}
	if (c->kmin > c->kmax)
		lc_cli_usage_error(&cmd, "--kmin %d is larger than --kmax %d", c->kmin, c->kmax);
	if (c->encoding && c->tokenizer)
		lc_cli_usage_error(&cmd, "give either -e NAME or --tokenizer FILE, not both");
	if (!c->out && !c->report && !c->compare && !rep->path)
		lc_cli_usage_error(&cmd, "missing -o DIR (or --table / --compare / --report FILE for a report only)");
	if (c->compare && c->out)
		lc_cli_usage_error(&cmd, "--compare only reports; drop -o DIR");
	if (st.ind >= argc)
		lc_cli_usage_error(&cmd, "no input files (use - for standard input)");
	lc_report_start(rep, &cmd, c->out || c->report || c->compare, argc - st.ind, argv + st.ind);
	return st.ind;
}

/* -e NAME / --tokenizer FILE: the tokenizer text input goes through (g_tok), and
 * its end-of-text id unless --eot gave one.  With none of -e, --tokenizer and
 * --eot, text goes through -e's default (LC_ENCODING_DEFAULT) and ends with its
 * end-of-text id, while pre-tokenised records still need --eot: nothing says
 * which tokenizer made their ids. */
static void load_tokenizer(cfg *c)
{
	if (!c->encoding && !c->tokenizer && c->eot < 0)
		c->default_encoding = LC_ENCODING_DEFAULT;
	const char *name = c->encoding ? c->encoding : c->tokenizer ? c->tokenizer : c->default_encoding;
	if (!name)
		return;
	lc_err e;
	g_tok = lc_tok_load(name, &e);
	if (!g_tok)
		lc_die_err(&e);
	if (c->default_encoding) {
		c->text_eot = lc_tok_eot(g_tok);
		return;
	}
	if (c->eot < 0)
		c->eot = lc_tok_eot(g_tok);
	if (c->eot < 0)
		lc_cli_usage_error(&cmd, "%s has no end-of-text token; give one with --eot ID", name);
}

/* The methods' state, and with -o DIR the shard writer and its buckets. */
static void open_output(const cfg *c, run *r)
{
	memset(r, 0, sizeof *r);
	r->dd = (lc_dd){ .kmin = c->kmin, .kmax = c->kmax, .randomize = c->randomize, .seed = c->seed };
	r->methods = c->compare ? (M_DD | M_CONCAT | M_BESTFIT) : c->method;
	if (r->methods & M_CONCAT)
		lc_concat_init(&r->concat, (size_t)c->len, emit_seq, r);
	if (r->methods & M_BESTFIT)
		r->bf = lc_bestfit_new((size_t)c->len, c->out != NULL);
	if (c->out) {
		lc_err e;
		lc_wds_opts wo = { .dir = c->out, .force = c->force, .format = c->format, .seed = c->seed,
		                   .pool = c->pool, .full_shards = c->full_shards };
		/* the reference appends the string, which OpenLM reads as id 0: the same token
		 * only for tokenizers whose end-of-text is 0 (GPT-NeoX's); others get the id */
		if (c->method == M_DD && c->format == LC_WDS_TAR && c->eot == 0 && !c->numeric_eot)
			wo.eot_text = EOT_TEXT;
		r->w = lc_wds_open(&wo, &e);
		if (!r->w)
			lc_die_err(&e);
		if (c->method == M_DD) {
			for (int k = c->kmin; k <= c->kmax; k++) {
				char name[16];
				snprintf(name, sizeof name, "D_%d", k);
				r->bucket_of_k[k] = lc_wds_bucket(r->w, name, ((size_t)1 << k) + 1, (uint64_t)1 << k,
				                                 lc_wds_shard_size(k));
			}
		} else {
			char name[32];
			snprintf(name, sizeof name, "L_%ld", c->len);
			r->lbucket = lc_wds_bucket(r->w, name, (size_t)c->len + 1, (uint64_t)c->len,
			                          lc_wds_shard_size(lc_ilog2((uint64_t)c->len)));
		}
	}
}

/* Reads every input record (this shard's), feeding each method; returns the
 * number of malformed records skipped (--skip-bad). */
/* --shard's choice of a document's part: FNV-1a of its record line, mixed (fmix64)
 * so that every byte counts in the residue: FNV-1a's low bits alone depend only on
 * the bytes' low bits, which left structured inputs in one part for N = 2, 4, 8.
 * SHARD_SCHEME enters the parts' run key, so a part of a version that chose
 * otherwise (FNV-1a modulo N, scheme 1) is refused by merge, never joined. */
#define SHARD_SCHEME 2
static unsigned shard_of(const char *line, size_t len, unsigned n)
{
	return (unsigned)(lc_mix64(lc_hash64(line, len)) % n);
}

static uint64_t read_documents(const cfg *c, run *r, char **files, int nfiles, int quiet)
{
	lc_progress prog;
	lc_progress_start(&prog, "documents", quiet ? LC_PROGRESS_QUIET : c->progress ? LC_PROGRESS_FORCE : LC_PROGRESS_AUTO);
	ids d = { 0 };
	uint64_t ordinal = 0;
	lc_dd_stats *stp = &r->st;
	for (int i = 0; i < nfiles; i++) {
		lc_input *in = lc_input_open_or_die(files[i], NULL);
		char *line;
		size_t len;
		while (lc_input_next(in, &line, &len)) {
			if (ws(line, line + len) == line + len)
				continue;   /* blank line: not a record */
			uint64_t ord = ordinal++;
			if (c->shard_n && shard_of(line, len, c->shard_n) != c->shard_k - 1)
				continue;
			if (!read_record(c, r, in, line, len, &d))
				continue;
			r->doc_end = d.v + d.n;
			if (r->methods & M_DD)
				lc_dd_doc(&r->dd, ord, d.v, d.n, c->method == M_DD ? emit_dd : NULL, r, stp);
			if (r->methods & M_CONCAT)
				lc_concat_doc(&r->concat, d.v, d.n);
			if (r->methods & M_BESTFIT)
				lc_bestfit_doc(r->bf, d.v, d.n);
			if ((ord & 1023) == 0)
				lc_progress_input(&prog, ord + 1, in);
		}
		lc_input_close(in);
	}
	lc_progress_done(&prog);
	free(d.v);
	if (g_tok)
		lc_tok_free(g_tok);
	return r->nbad;
}

/* Ends every method and closes the shards; fills reps (one per method, in the
 * order dd, concat, bestfit) and returns their number.  *tail: tokens of the
 * short final shards left out; *stats: the writer's per-bucket table. */
static int finish_methods(const cfg *c, run *r, uint64_t nbad, lc_pack_report *reps, lc_buf *stats,
                          uint64_t *tail)
{
	int nrep = 0;
	lc_pack_report bfrep;
	memset(&bfrep, 0, sizeof bfrep);
	if (r->methods & M_CONCAT)
		lc_concat_finish(&r->concat);
	if (r->methods & M_BESTFIT) {
		lc_bestfit_finish(r->bf, c->out ? emit_seq : NULL, r, &bfrep);
		lc_bestfit_free(r->bf);
	}
	/* counters for the info file come from the method that wrote the output */
	if (c->method == M_CONCAT) {
		r->st.docs = r->concat.rep.docs;
		r->st.tokens_in = r->concat.rep.tokens_in;
		r->st.tokens_kept = r->concat.rep.tokens_kept;
		r->st.tokens_dropped = r->concat.rep.tokens_dropped;
	} else if (c->method == M_BESTFIT) {
		r->st.docs = bfrep.docs;
		r->st.tokens_in = bfrep.tokens_in;
		r->st.tokens_kept = bfrep.tokens_kept;
	}
	lc_wds_tail t = { 0 };
	if (r->w) {
		lc_err e;
		json_t *info = make_info(c, r, nbad);
		if (c->method == M_BESTFIT)
			json_object_set_new(json_object_get(info, "counters"), "tokens_padded",
			                    json_integer((json_int_t)bfrep.tokens_padded));
		if (lc_wds_close(r->w, info, stats, &t, &e) < 0)
			lc_die_err(&e);
		json_decref(info);
	}
	*tail = t.tokens;
	if (r->methods & M_DD) {
		report_dd(r, c->compare, &reps[nrep]);
		if (c->method == M_DD)
			drop_tail(&reps[nrep], &t);
		nrep++;
	}
	if (r->methods & M_CONCAT) {
		reps[nrep] = r->concat.rep;
		if (c->method == M_CONCAT)
			drop_tail(&reps[nrep], &t);
		nrep++;
	}
	if (r->methods & M_BESTFIT) {
		reps[nrep] = bfrep;
		if (c->method == M_BESTFIT)
			drop_tail(&reps[nrep], &t);
		nrep++;
	}
	return nrep;
}

/* Standard output: the writer's table, then --table / --compare's. */
static void print_tables(const cfg *c, const run *r, const lc_buf *stats, const lc_pack_report *reps, int nrep)
{
	lc_buf t = { 0 };
	if (r->w)
		lc_buf_add(&t, stats->p, stats->len);
	if (c->report || c->compare) {
		if (r->w)
			lc_buf_addc(&t, '\n');
		lc_pack_table(&t, reps, nrep);
	}
	write_stdout(t.p, t.len);
	lc_buf_free(&t);
}

/* The summary on standard error (unless --quiet), and OpenLM's limits. */
static void warn_summary(const cfg *c, const run *r, const lc_pack_report *reps, int nrep, uint64_t nbad,
                         uint64_t tail)
{
	const lc_pack_report *m = &reps[0];
	for (int i = 0; i < nrep; i++)
		if (!strncmp(reps[i].method, c->method_name, 2))
			m = &reps[i];
	if (c->method == M_DD || c->compare)
		lc_warn("%" PRIu64 " documents (%" PRIu64 " empty, %" PRIu64 " gave no sequence); "
		        "%" PRIu64 " of %" PRIu64 " tokens dropped%s",
		        r->st.docs, r->st.docs_empty, r->st.docs_dropped, m->tokens_dropped, m->tokens_in,
		        tail ? " (including the short final shards, which OpenLM would skip)" : "");
	else
		lc_warn("%" PRIu64 " documents; %" PRIu64 " of %" PRIu64 " tokens dropped, %" PRIu64 " padded",
		        m->docs, m->tokens_dropped, m->tokens_in, m->tokens_padded);
	if (nbad)
		lc_warn("%" PRIu64 " malformed records skipped (--skip-bad)", nbad);
	if (c->out)
		warn_openlm(c->out, c->gpus, c->workers);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return do_merge(argc - 1, argv + 1);
	lc_report rep = {0};
	cfg c;
	int first = parse_args(argc, argv, &rep, &c);
	c.run = lc_mix64(lc_part_run_key(argc, argv) ^ SHARD_SCHEME);
	load_tokenizer(&c);
	run r;
	open_output(&c, &r);
	uint64_t nbad = read_documents(&c, &r, argv + first, argc - first, S.quiet);
	lc_pack_report reps[3];
	lc_buf stats = { 0 };
	uint64_t tail;
	int nrep = finish_methods(&c, &r, nbad, reps, &stats, &tail);
	print_tables(&c, &r, &stats, reps, nrep);
	lc_buf_free(&stats);
	if (lc_report_on(&rep))
		report_json(&rep, &c, &r, reps, nrep, nbad, tail);
	if (!S.quiet)
		warn_summary(&c, &r, reps, nrep, nbad, tail);
	return 0;
}
