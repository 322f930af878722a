/* fuzz_encode.c — tokenizer encode on arbitrary bytes (invalid UTF-8, specials,
 * long runs) with every bundled encoding; checks decode(encode(x)) == x for valid
 * UTF-8 and that count equals the number of ids. */
#include "fuzz.h"
#include "tok.h"

#include <stdlib.h>
#include <string.h>

static lc_tok *toks[4];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[4] = { "cl100k_base", "o200k_base", "p50k_base", "r50k_base" };
	if (!toks[0]) {
		lc_err e;
		if (!getenv("LCTK_DATA"))
			setenv("LCTK_DATA", "share/lctk", 1);
		for (int i = 0; i < 4; i++)
			if (!(toks[i] = lc_tok_load(names[i], &e)))
				abort();
	}
	if (!size)
		return 0;
	lc_tok *t = toks[data[0] & 3];
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	lc_ids ids = {0};
	lc_err e;
	for (int mode = 0; mode < 3; mode++) {
		ids.n = 0;
		if (lc_tok_encode(t, s, n, mode, &ids, &e) < 0)
			continue;
		if (mode == LC_TOK_SPECIAL_TEXT && lc_tok_count(t, s, n) != ids.n)
			abort();
		if (mode == LC_TOK_SPECIAL_TEXT && lc_utf8_valid_prefix(s, n) == n) {
			lc_buf b = {0};
			if (lc_tok_decode(t, ids.v, ids.n, &b, &e) < 0 || b.len != n || memcmp(b.p, s, n))
				abort();
			lc_buf_free(&b);
		}
	}
	free(ids.v);
	return 0;
}
