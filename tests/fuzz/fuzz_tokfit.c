/* fuzz_tokfit.c — token offsets, windows and truncation (lib/tok/tokfit, lctok
 * chunk and truncate) on arbitrary text with cl100k_base and the tiny
 * SentencePiece model of tests/vectors/tok (leading-space Strip, byte fallback):
 * offsets rise from 0 to the decoded length, windows lie inside the decoded text
 * and start on characters, a truncation encodes to at most N tokens and is a
 * prefix of the decoded text. */
#include "fuzz.h"
#include "tokfit.h"

#include <stdlib.h>
#include <string.h>

static lc_tok *toks[2];

static void load(void)
{
	lc_err e;
	const char *data = getenv("LCTK_DATA");
	if (!data)
		setenv("LCTK_DATA", data = "share/lctk", 1);
	char path[4096];
	snprintf(path, sizeof path, "%s/../../tests/vectors/tok/sp-tiny.json", data);
	setenv("LCTK_NO_CACHE", "1", 1);
	if (!(toks[0] = lc_tok_load("cl100k_base", &e)) || !(toks[1] = lc_tok_load_hf(path, &e))) {
		fprintf(stderr, "fuzz_tokfit: %s\n", e.msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!toks[0])
		load();
	if (size < 3)
		return 0;
	const lc_tok *t = toks[data[0] & 1];
	size_t max = 1 + data[1] % 16, overlap = data[2] % max;
	const char *s = (const char *)data + 3;
	size_t n = size - 3;
	lc_ids ids = {0}, cut = {0};
	lc_buf text = {0}, plain = {0}, res = {0};
	lc_err e;
	if (lc_tok_encode(t, s, n, LC_TOK_SPECIAL_TEXT, &ids, &e) < 0)
		abort();
	size_t *offs = malloc((ids.n + 1) * sizeof *offs);
	if (lc_tok_decode_offsets(t, ids.v, ids.n, &text, offs, &e) < 0 || lc_tok_decode(t, ids.v, ids.n, &plain, &e) < 0)
		abort();
	if (plain.len != text.len || memcmp(plain.p, text.p, text.len) || offs[0] != 0 || offs[ids.n] != text.len)
		abort();
	for (size_t i = 0; i < ids.n; i++)
		if (offs[i] > offs[i + 1])
			abort();
	lc_tok_window *w;
	size_t nw = lc_tok_windows(offs, ids.n, text.p, text.len, max, overlap, &w);
	if (!nw || w[nw - 1].end != ids.n)
		abort();
	for (size_t k = 0; k < nw; k++) {
		if (w[k].first != k * (max - overlap) || w[k].end - w[k].first > max || w[k].b0 > w[k].b1 ||
		    w[k].b1 > text.len || w[k].c0 > w[k].c1 ||
		    (w[k].b0 < text.len && ((unsigned char)text.p[w[k].b0] & 0xC0) == 0x80))
			abort();
	}
	free(w);
	free(offs);
	if (lc_tok_truncate(t, s, n, max, LC_TOK_SPECIAL_TEXT, &cut, &res, &e) < 0)
		abort();
	if (lc_tok_count(t, res.p ? res.p : "", res.len) > max)
		abort();
	/* a cut (or any text with a tokenizer that normalises) comes from the decoded text */
	if ((lc_tok_normalizes(t) || lc_utf8_valid_prefix(s, n) == n) &&
	    (res.len > text.len || (res.len && memcmp(res.p, text.p, res.len))))
		abort();
	free(ids.v);
	free(cut.v);
	lc_buf_free(&text);
	lc_buf_free(&plain);
	lc_buf_free(&res);
	return 0;
}
