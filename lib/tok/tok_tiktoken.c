/*
 * tok_tiktoken — .tiktoken vocabularies (base64 token, rank per line), the
 * named encodings shipped in share/lctk/vocab and lc_tok_load, which picks
 * between a named encoding and a tokenizer.json path.
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok.h"
#include "tok_impl.h"

#include "data.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- tiktoken files --------------------------------------------------------------------- */

static int8_t b64tab[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;
static void b64_init(void)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	memset(b64tab, -1, sizeof b64tab);
	for (int i = 0; i < 64; i++)
		b64tab[(unsigned char)al[i]] = (int8_t)i;
}

/* Decodes standard padded base64 s[0..n) into out; returns length or -1. */
static long b64dec(const char *s, size_t n, uint8_t *out)
{
	if (n == 0 || n % 4)
		return -1;
	size_t o = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n; i += 4) {
		int pad = 0;
		if (i + 4 == n) {
			if (u[n - 1] == '=')
				pad = u[n - 2] == '=' ? 2 : 1;
		}
		int a = b64tab[u[i]], b = b64tab[u[i + 1]];
		int c = pad == 2 ? 0 : b64tab[u[i + 2]], d = pad >= 1 ? 0 : b64tab[u[i + 3]];
		if ((a | b | c | d) < 0)
			return -1;
		uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (long)o;
}

int tok_read_file(const char *path, char **data, size_t *len, lc_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
	lc_buf b = {0};
	char tmp[65536];
	size_t r;
	if (!fseek(f, 0, SEEK_END)) {
		long sz = ftell(f);
		if (sz > 0)
			lc_buf_grow(&b, (size_t)sz + 1);
		rewind(f);
	}
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		lc_buf_add(&b, tmp, r);
	int err = ferror(f);
	fclose(f);
	if (err) {
		lc_buf_free(&b);
		return lc_err_set(e, LC_EXIT_INPUT, "%s: read error", path);
	}
	if (!b.p)
		lc_buf_add(&b, "", 0);
	*len = b.len;
	*data = lc_buf_detach(&b);
	return 0;
}

typedef struct special_def {
	const char *s;
	uint32_t id;
} special_def;

static lc_tok *load_tiktoken(const char *path, const char *pattern, const special_def *sp, const char *name, lc_err *e)
{
	char *data;
	size_t len;
	if (tok_read_file(path, &data, &len, e))
		return NULL;
	lc_tok *t = tok_new(name ? name : path, MODE_TIKTOKEN);
	pthread_once(&b64_once, b64_init);
	t->whole_lookup = 1;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	uint32_t *rank_of = lc_xmalloc(lines * sizeof *rank_of);
	uint32_t *off = lc_xmalloc(lines * sizeof *off), *ln = lc_xmalloc(lines * sizeof *ln);
	t->blob_cap = len;
	t->blob = lc_xmalloc(t->blob_cap + 1);
	size_t cnt = 0, lineno = 0, maxrank = 0;
	uint8_t tokbuf[4096];
	for (size_t i = 0; i < len;) {
		lineno++;
		char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t le = end;
		if (le > i && data[le - 1] == '\r')
			le--;
		if (le > i) {
			char *sp1 = memchr(data + i, ' ', le - i);
			if (!sp1) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: expected 'BASE64 RANK'", path, lineno);
				goto fail;
			}
			size_t bl = (size_t)(sp1 - (data + i));
			long tl = bl <= 4 * (sizeof tokbuf / 3) ? b64dec(data + i, bl, tokbuf) : -1;
			if (tl <= 0) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: bad base64 token", path, lineno);
				goto fail;
			}
			size_t r = 0, j = (size_t)(sp1 - data) + 1;
			if (j >= le) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: missing rank", path, lineno);
				goto fail;
			}
			for (; j < le; j++) {
				if (data[j] < '0' || data[j] > '9' || r > 16777216) {
					lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: bad rank", path, lineno);
					goto fail;
				}
				r = r * 10 + (size_t)(data[j] - '0');
			}
			if (r >= 16777216) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%zu: corrupt vocabulary: rank %zu too large", path, lineno, r);
				goto fail;
			}
			off[cnt] = tok_blob_add(t, tokbuf, (size_t)tl);
			ln[cnt] = (uint32_t)tl;
			rank_of[cnt++] = (uint32_t)r;
			if (r > maxrank)
				maxrank = r;
		}
		i = end + 1;
	}
	if (!cnt) {
		lc_err_set(e, LC_EXIT_INPUT, "%s:1: corrupt vocabulary: no tokens", path);
		goto fail;
	}
	tok_set_ids(t, maxrank + 1);
	lineno = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (t->len[rank_of[i]] != NONE32) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: corrupt vocabulary: rank %u appears twice", path, rank_of[i]);
			goto fail;
		}
		t->off[rank_of[i]] = off[i];
		t->len[rank_of[i]] = ln[i];
	}
	tok_vocab_build_hash(t);
	tok_build_short(t);
	t->nrank = t->n_vocab;
	for (int b = 0; b < 256; b++) {
		uint8_t c = (uint8_t)b;
		t->byte_id[b] = tok_vocab_find_hashed(t, &c, 1);
		if (t->byte_id[b] == NONE32 && !(b == 0xC0 || b == 0xC1 || b >= 0xF5)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocabulary lacks the single byte 0x%02x (every byte needs a token)", path, b);
			goto fail;
		}
	}
	/* a token whose bytes duplicate another's would make ranks ambiguous */
	for (const special_def *d = sp; d && d->s; d++) {
		tok_set_ids(t, (size_t)d->id + 1);
		if (t->len[d->id] != NONE32) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: special token %s id %u collides with a vocabulary rank", path, d->s, d->id);
			goto fail;
		}
		t->off[d->id] = tok_blob_add(t, d->s, strlen(d->s));
		t->len[d->id] = (uint32_t)strlen(d->s);
		tok_add_added(t, d->s, strlen(d->s), d->id, 1, 0);
	}
	tok_added_index(t);
	tok_find_eot(t);
	t->nst = 1;
	t->st[0].keep_matches = 1;
	if (tok_stage_regex(&t->st[0], pattern ? pattern : tok_pat_cl100k, strlen(pattern ? pattern : tok_pat_cl100k), 0, e))
		goto fail;
	free(rank_of);
	free(off);
	free(ln);
	free(data);
	return t;
fail:
	free(rank_of);
	free(off);
	free(ln);
	free(data);
	lc_tok_free(t);
	return NULL;
}

lc_tok *lc_tok_load_tiktoken(const char *vocab_path, const char *pattern, lc_err *e)
{
	return load_tiktoken(vocab_path, pattern, NULL, NULL, e);
}

static const special_def SP_CL100K[] = { { "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 },
	{ "<|fim_middle|>", 100259 }, { "<|fim_suffix|>", 100260 }, { "<|endofprompt|>", 100276 }, { NULL, 0 } };
static const special_def SP_O200K[] = { { "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 }, { NULL, 0 } };
static const special_def SP_R50K[] = { { "<|endoftext|>", 50256 }, { NULL, 0 } };

static const struct {
	const char *name, *file, *pat;
	const special_def *sp;
} encodings[] = {
	{ "cl100k_base", "cl100k_base", tok_pat_cl100k, SP_CL100K },
	{ "o200k_base", "o200k_base", tok_pat_o200k, SP_O200K },
	{ "p50k_base", "p50k_base", tok_pat_gpt2, SP_R50K },
	{ "r50k_base", "r50k_base", tok_pat_gpt2, SP_R50K },
	{ "gpt2", "r50k_base", tok_pat_gpt2, SP_R50K },
};

lc_tok *lc_tok_load(const char *spec, lc_err *e)
{
	size_t sl = strlen(spec);
	if (strchr(spec, '/') || (sl > 5 && !strcmp(spec + sl - 5, ".json")))
		return lc_tok_load_hf(spec, e);
	for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++) {
		if (strcmp(spec, encodings[i].name))
			continue;
		char rel[128];
		snprintf(rel, sizeof rel, "vocab/%s.tiktoken", encodings[i].file);
		char *p = lc_data_path(rel);
		if (!p) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocabulary %s not found (set LCTK_DATA to the share/lctk directory)", spec, rel);
			return NULL;
		}
		lc_tok *t = load_tiktoken(p, encodings[i].pat, encodings[i].sp, encodings[i].name, e);
		free(p);
		return t;
	}
	lc_err_set(e, LC_EXIT_INPUT, "unknown encoding '%s' (known: cl100k_base, o200k_base, p50k_base, r50k_base, gpt2; or a tokenizer.json path)", spec);
	return NULL;
}
