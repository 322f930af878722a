/*
 * Unit tests for lib/tok/tok: every line of the tokenizer conformance vectors
 * (../shared/vectors/tok when present, else the copy in tests/vectors/tok), in
 * every mode, plus decode(encode(x)) == x, UTF-8 repair, counting, the heap BPE
 * against the simple one, and error paths (corrupt vocabulary, unknown names,
 * unsupported tokenizer.json models, ids out of range).
 */
#include "tok.h"
#include "tap.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static const char *shared_dir(void)
{
	static char buf[1024];
	const char *s = getenv("LCTK_SHARED");
	snprintf(buf, sizeof buf, "%s/vectors/tok", s ? s : "../shared");
	if (access(buf, R_OK) != 0)
		return NULL;
	return s ? s : "../shared";
}

static size_t b64d(const char *s, unsigned char *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	unsigned v = 0;
	int bits = 0;
	for (; *s && *s != '='; s++) {
		const char *p = strchr(al, *s);
		if (!p)
			continue;
		v = v << 6 | (unsigned)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	return o;
}

static int ids_equal(const lc_ids *a, json_t *arr)
{
	if (json_array_size(arr) != a->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if ((uint32_t)json_integer_value(json_array_get(arr, i)) != a->v[i])
			return 0;
	return 1;
}

/* Runs one vector file; returns mismatches. */
static int run_vectors(const char *path, const lc_tok *t, int hf, size_t *nlines)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int bad = 0;
	unsigned char *raw = NULL;
	*nlines = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &je);
		if (!o) {
			bad++;
			continue;
		}
		(*nlines)++;
		const char *id = json_string_value(json_object_get(o, "id"));
		json_t *jt = json_object_get(o, "text");
		const char *text = json_string_value(jt);
		size_t tl = json_string_length(jt);
		const char *in = text;
		size_t inl = tl;
		const char *b64 = json_string_value(json_object_get(o, "input_b64"));
		if (b64) {
			raw = realloc(raw, strlen(b64));
			inl = b64d(b64, raw);
			in = (const char *)raw;
			/* raw input is decoded as a WHATWG stream: a leading BOM is dropped */
			if (inl >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
				in += 3;
				inl -= 3;
			}
		}
		json_t *want = json_object_get(o, "ids");
		int mode, addsp = 0;
		if (hf) {
			mode = LC_TOK_SPECIAL_ALLOW;
			addsp = json_is_true(json_object_get(o, "add_special_tokens"));
		} else {
			const char *m = json_string_value(json_object_get(o, "mode"));
			mode = !strcmp(m, "all") ? LC_TOK_SPECIAL_ALLOW : !strcmp(m, "default") ? LC_TOK_SPECIAL_ERROR : LC_TOK_SPECIAL_TEXT;
		}
		lc_ids ids = {0};
		lc_err e = {0};
		int rc = lc_tok_encode(t, in, inl, mode, &ids, &e);
		if (addsp && rc == 0)
			lc_tok_add_special(t, &ids, 0);
		int fail = 0;
		if (json_is_null(want)) {
			if (rc != -1 || !strstr(e.msg, "special token"))
				fail = 1;
		} else if (rc != 0 || !ids_equal(&ids, want)) {
			fail = 1;
		} else {
			lc_buf d = {0};
			const char *exp = text;
			size_t el = tl;
			unsigned char *db = NULL;
			const char *decb64 = json_string_value(json_object_get(o, "decoded_b64"));
			json_t *dec = json_object_get(o, "decoded");
			if (decb64) {
				db = malloc(strlen(decb64) + 1);
				el = b64d(decb64, db);
				exp = (const char *)db;
			} else if (json_is_string(dec)) {
				exp = json_string_value(dec);
				el = json_string_length(dec);
			}
			if (lc_tok_decode(t, ids.v, ids.n, &d, &e) || d.len != el || memcmp(d.p, exp, el)) {
				fail = 2;
			}
			if (!hf && mode == LC_TOK_SPECIAL_TEXT && lc_tok_count(t, in, inl) != ids.n)
				fail = 3;
			lc_buf_free(&d);
			free(db);
		}
		if (fail) {
			if (bad < 5) {
				printf("# %s: %s (%s) failed (%d):\n#   got ", path, id,
				       hf ? (addsp ? "add_special" : "plain") : json_string_value(json_object_get(o, "mode")), fail);
				for (size_t i = 0; i < ids.n && i < 40; i++)
					printf("%u ", ids.v[i]);
				char *w = json_dumps(want, 0);
				printf("\n#   want %.400s\n", w);
				free(w);
			}
			bad++;
		}
		free(ids.v);
		json_decref(o);
	}
	free(raw);
	free(line);
	fclose(f);
	return bad;
}

static void test_vectors(void)
{
	const char *sh = shared_dir();
	char vdir[1024], path[1200];
	snprintf(vdir, sizeof vdir, "%s", sh ? sh : "");
	static const char *const encs[] = { "cl100k_base", "o200k_base", "p50k_base", "r50k_base" };
	for (size_t i = 0; i < 4; i++) {
		lc_err e = {0};
		lc_tok *t = lc_tok_load(encs[i], &e);
		ok(t != NULL, "load %s %s", encs[i], e.msg);
		if (!t)
			continue;
		if (sh)
			snprintf(path, sizeof path, "%s/vectors/tok/%s.jsonl", vdir, encs[i]);
		else
			snprintf(path, sizeof path, "tests/vectors/tok/%s.jsonl", encs[i]);
		size_t n;
		int bad = run_vectors(path, t, 0, &n);
		ok(bad == 0 && n > 0, "%s: %zu vector lines exact (%d mismatches)", path, n, bad);
		lc_tok_free(t);
	}
	static const char *const hfs[] = { "llama3", "llama3_1", "qwen3", "gpt-neox-20b" };
	for (size_t i = 0; i < 4; i++) {
		if (!sh) {
			printf("ok %d - # SKIP hf-%s: ../shared not present\n", ++tap_n, hfs[i]);
			continue;
		}
		snprintf(path, sizeof path, "%s/vocab/hf/%s/tokenizer.json", vdir, hfs[i]);
		lc_err e = {0};
		lc_tok *t = lc_tok_load(path, &e);
		ok(t != NULL, "load %s %s", path, e.msg);
		if (!t)
			continue;
		snprintf(path, sizeof path, "%s/vectors/tok/hf-%s.jsonl", vdir, hfs[i]);
		size_t n;
		int bad = run_vectors(path, t, 1, &n);
		ok(bad == 0 && n > 0, "%s: %zu vector lines exact (%d mismatches)", path, n, bad);
		lc_tok_free(t);
	}
}

static void test_repair(void)
{
	lc_buf b = {0};
	/* maximal subparts: E0 80 is two subparts (80 cannot follow E0), F0 9F 98 one */
	size_t r = lc_utf8_repair("a\xE0\x80z\xF0\x9F\x98!\xFF", 10, &b);
	is_str(b.p, "a\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD!\xEF\xBF\xBD", "WHATWG repair of invalid UTF-8");
	is_num(r, 4, "four replacements");
	is_num(lc_utf8_valid_prefix("ab\xC3\xA9\xC3", 5), 4, "valid prefix stops at a truncated sequence");
	lc_buf_free(&b);
}

static void test_roundtrip_and_heap(void)
{
	lc_err e = {0};
	lc_tok *t = lc_tok_load("cl100k_base", &e);
	ok(t != NULL, "load cl100k_base");
	if (!t)
		return;
	/* long pieces go through the heap BPE: compare with the same text cut short */
	lc_buf big = {0};
	for (int i = 0; i < 3000; i++)
		lc_buf_adds(&big, i % 7 ? "ab" : "xyz");
	lc_ids a = {0};
	ok(lc_tok_encode(t, big.p, big.len, LC_TOK_SPECIAL_TEXT, &a, &e) == 0, "encode a 6.6 kB single piece");
	lc_buf d = {0};
	lc_tok_decode(t, a.v, a.n, &d, &e);
	ok(d.len == big.len && !memcmp(d.p, big.p, big.len), "decode(encode(x)) == x for a long piece");
	ok(lc_tok_count(t, big.p, big.len) == a.n, "count agrees with encode on a long piece");
	/* special tokens */
	lc_ids s = {0};
	ok(lc_tok_encode(t, "a<|endoftext|>", 14, LC_TOK_SPECIAL_ERROR, &s, &e) == -1 && strstr(e.msg, "at byte 1"),
	   "special token in ERROR mode names the byte offset: %s", e.msg);
	ok(lc_tok_encode(t, "a<|endoftext|>", 14, LC_TOK_SPECIAL_ALLOW, &s, &e) == 0 && s.n == 2 && s.v[1] == 100257,
	   "ALLOW mode gives the special id");
	ok(lc_tok_eot(t) == 100257, "eot id");
	uint32_t badid = 100256;
	lc_buf_reset(&d);
	ok(lc_tok_decode(t, &badid, 1, &d, &e) == -1 && strstr(e.msg, "100256"), "unused id is an error: %s", e.msg);
	free(s.v);
	free(a.v);
	lc_buf_free(&d);
	lc_buf_free(&big);
	lc_tok_free(t);
}

struct thr {
	const lc_tok *t;
	const char *text;
	size_t n;
	lc_ids ids;
};

static void *thr_main(void *arg)
{
	struct thr *a = arg;
	lc_err e;
	for (int i = 0; i < 20; i++) {
		a->ids.n = 0;
		lc_tok_encode(a->t, a->text, a->n, LC_TOK_SPECIAL_TEXT, &a->ids, &e);
	}
	return NULL;
}

static void test_threads(void)
{
	lc_err e = {0};
	lc_tok *t = lc_tok_load("o200k_base", &e);
	if (!t)
		return;
	lc_buf txt = {0};
	for (int i = 0; i < 2000; i++)
		lc_buf_printf(&txt, "Record %d: naïve café, 東京 %d; tokenizers share one table. ", i, i * 37);
	lc_ids ref = {0};
	lc_tok_encode(t, txt.p, txt.len, LC_TOK_SPECIAL_TEXT, &ref, &e);
	struct thr a[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (struct thr){ t, txt.p, txt.len, {0} };
		pthread_create(&th[i], NULL, thr_main, &a[i]);
	}
	int same = 1;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		same &= a[i].ids.n == ref.n && !memcmp(a[i].ids.v, ref.v, ref.n * sizeof *ref.v);
		free(a[i].ids.v);
	}
	ok(same, "4 threads sharing one tokenizer give identical ids");
	size_t c = 0;
	ok(lc_tok_count_ex(t, txt.p, txt.len, LC_TOK_SPECIAL_ERROR, &c, &e) == 0 && c == ref.n &&
	   lc_tok_count(t, txt.p, txt.len) == ref.n, "count and count_ex agree with encode");
	free(ref.v);
	lc_buf_free(&txt);
	lc_tok_free(t);
}

static void test_errors(void)
{
	char dir[] = "/tmp/lctk-tok-XXXXXX", path[256];
	if (!mkdtemp(dir))
		return;
	lc_err e = {0};
	ok(lc_tok_load("cl200k_base", &e) == NULL && strstr(e.msg, "unknown encoding"), "unknown encoding: %s", e.msg);
	snprintf(path, sizeof path, "%s/v.tiktoken", dir);
	FILE *f = fopen(path, "w");
	for (int b = 0; b < 256; b++) {
		static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		fprintf(f, "%c%c== %d\n", al[b >> 2], al[(b & 3) << 4], b);
		if (b == 100)
			fprintf(f, "@@@ 999\n");
	}
	fclose(f);
	ok(lc_tok_load_tiktoken(path, NULL, &e) == NULL && strstr(e.msg, "v.tiktoken:102:"), "corrupt vocabulary names FILE:LINE: %s", e.msg);
	snprintf(path, sizeof path, "%s/wp.json", dir);
	f = fopen(path, "w");
	fputs("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{}}}", f);
	fclose(f);
	ok(lc_tok_load(path, &e) == NULL && strstr(e.msg, "WordPiece"), "WordPiece refused: %s", e.msg);
	f = fopen(path, "w");
	fputs("{\"model\":", f);
	fclose(f);
	ok(lc_tok_load(path, &e) == NULL && strstr(e.msg, "invalid JSON"), "malformed tokenizer.json: %s", e.msg);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd))
		return;
}

int main(void)
{
	if (!getenv("LCTK_DATA"))
		setenv("LCTK_DATA", "share/lctk", 1);
	setenv("LCTK_NO_CACHE", "1", 1); /* the parser itself; test_tokcache covers the cache */
	test_repair();
	test_roundtrip_and_heap();
	test_errors();
	test_threads();
	test_vectors();
	return done_testing();
}
