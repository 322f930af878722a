/* fuzz_sentsplit.c — sentence split and extractive compression invariants
 * (issue 18): lib/text/sentsplit's spans are in range, non-empty, ascending and
 * disjoint, trimmed of white space (Unicode's), and cover every byte that is
 * not white space; lib/color/compress keeps a subset of the passage's words, in order (the
 * rendered summary is the kept words' bytes, joined by single spaces, and each
 * word span lies inside a sentence).  A violation aborts, so libFuzzer and the
 * replay driver report it. */
#include "fuzz.h"
#include "compress.h"
#include "sentsplit.h"

#include <stdlib.h>
#include <string.h>

static int ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* The length of the Unicode white space character (UTF-8) at s[i] within s[0..n), 0 if none. */
static size_t uws(const char *s, size_t n, size_t i)
{
	if (ws((unsigned char)s[i]))
		return 1;
	static const char *const seq[] = { "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9",
	                                   "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80", NULL };
	for (const char *const *q = seq; *q; q++) {
		size_t k = strlen(*q);
		if (i + k <= n && !memcmp(s + i, *q, k))
			return k;
	}
	if (i + 3 <= n && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
	    (unsigned char)s[i + 2] >= 0x80 && (unsigned char)s[i + 2] <= 0x8a)
		return 3;                          /* U+2000 .. U+200A */
	return 0;
}

static void check_split(const char *s, size_t n)
{
	lc_sentv sv = {0};
	size_t k = lc_sentsplit(s, n, &sv);
	if (k != sv.n)
		abort();
	size_t prev = 0;
	for (size_t i = 0; i < sv.n; i++) {
		size_t a = sv.v[i].start, b = sv.v[i].end;
		if (a >= b || b > n || a < prev)
			abort();                       /* in range, non-empty, ascending, disjoint */
		if (uws(s, b, a))
			abort();                       /* trimmed */
		for (size_t t = 1; t <= 3 && t <= b - a; t++)
			if (uws(s, b, b - t) == t)
				abort();
		for (size_t j = prev, w; j < a; j += w)
			if (!(w = uws(s, a, j)))
				abort();                   /* covered: only white space between spans */
		prev = b;
	}
	for (size_t j = prev, w; j < n; j += w)
		if (!(w = uws(s, n, j)))
			abort();
	lc_sentv_free(&sv);
}

static void check_compress(const char *text, double ratio, int unit)
{
	lc_cctx *cx = lc_cctx_new();
	lc_cctx_add(cx, "Title", text);
	lc_cctx_add(cx, NULL, "Another passage for the statistics. It has two sentences.");
	lc_cunits u = {0};
	lc_cunits_build(&u, cx, "Title", text);
	size_t tn = strlen(text);
	lc_cmodel m;
	lc_cmodel_init(&m);
	double *p = malloc((u.n ? u.n : 1) * sizeof *p);
	unsigned char *mask = malloc(u.n ? u.n : 1);
	size_t kept = lc_compress_select(&m, &u, ratio, -1, unit, p, mask);
	size_t cnt = 0;
	lc_buf want = {0};
	for (size_t i = 0; i < u.n; i++) {
		if (u.w[i].start >= u.w[i].end || u.w[i].end > tn || (i && u.w[i].start < u.w[i - 1].end))
			abort();                       /* words in range and in order */
		if (u.sent[i] >= u.nsent || (i && u.sent[i] < u.sent[i - 1]))
			abort();
		if (mask[i]) {
			if (cnt++)
				lc_buf_addc(&want, ' ');
			lc_buf_add(&want, text + u.w[i].start, u.w[i].end - u.w[i].start);
		}
	}
	if (cnt != kept || kept > u.n)
		abort();
	lc_buf got = {0};
	lc_compress_render(&u, text, mask, 0, &got);
	if (got.len != want.len || (got.len && memcmp(got.p, want.p, got.len)))
		abort();                           /* the summary is the kept words, in order */
	lc_buf_free(&got);
	lc_buf_free(&want);
	free(mask);
	free(p);
	lc_cmodel_free(&m);
	lc_cunits_free(&u);
	lc_cctx_free(cx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	check_split((const char *)data, size);
	/* the compressor takes C strings (JSON text): cut at the first NUL */
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	unsigned char sel = size ? data[0] : 0;
	check_compress(text, (sel & 1) ? 2.0 + (sel >> 4) : 0, (sel & 2) ? LC_UNIT_SENT : LC_UNIT_WORD);
	free(text);
	return 0;
}
