/*
 * tok_pretok — pre-tokenisation: hand-written matchers for the known split
 * patterns (cl100k, o200k, gpt2 and Qwen's one-digit variant) over the
 * generated Unicode tables, PCRE2 (JIT) for any other regex, and the stage
 * chain that hands each piece to the merge engine (tok_bpe.c).
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok.h"
#include "tok_unicode.h"
#include "tok_impl.h"


#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- character classes ------------------------------------------------------ */

/* class values 0..8 (tok_unicode.h), END = 9 past the end */
#define C_END 9u
#define M_L 0x3Eu
#define M_N 0x80u
#define M_WS 0x100u
#define M_OTHER 0x41u /* not \s, \p{L}, \p{N}: categories other + M */
#define M_U 0x7Au     /* Lu Lt Lm Lo M */
#define M_W 0x74u     /* Ll Lm Lo M */
#define M_P 0x141u    /* [^\r\n\p{L}\p{N}] before the \r\n test */
#define IS(c, m) ((m) >> (c) & 1u)

static uint8_t asc_cls[128];
static pthread_once_t asc_once = PTHREAD_ONCE_INIT;
static void asc_init(void)
{
	for (int i = 0; i < 128; i++)
		asc_cls[i] = (uint8_t)lc_tok_uc_class((uint32_t)i);
}

static inline unsigned ccls(const uint8_t *s, size_t n, size_t i, size_t *l)
{
	if (i >= n) {
		*l = 0;
		return C_END;
	}
	uint8_t b = s[i];
	if (b < 0x80) {
		*l = 1;
		return asc_cls[b];
	}
	uint32_t cp;
	if (b < 0xE0) {
		cp = (uint32_t)(b & 0x1F) << 6 | (s[i + 1] & 0x3F);
		*l = 2;
	} else if (b < 0xF0) {
		cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
		*l = 3;
	} else {
		cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3F) << 12 |
		     (uint32_t)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
		*l = 4;
	}
	return lc_tok_uc_class(cp);
}

static inline size_t run_of(const uint8_t *s, size_t n, size_t i, unsigned mask)
{
	size_t l;
	for (;;) {
		while (i < n && s[i] < 0x80 && IS(asc_cls[s[i]], mask))
			i++;
		unsigned c = ccls(s, n, i, &l);
		if (!IS(c, mask))
			return i;
		i += l;
	}
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d) (ci) or the case-sensitive form, at s[i] == '\'' */
static inline size_t contraction(const uint8_t *s, size_t n, size_t i, int ci)
{
	if (i + 1 >= n || s[i] != '\'')
		return 0;
	uint8_t c = s[i + 1];
	if (ci && c >= 'A' && c <= 'Z')
		c += 32;
	uint8_t d = i + 2 < n ? s[i + 2] : 0;
	if (ci && d >= 'A' && d <= 'Z')
		d += 32;
	switch (c) {
	case 's': case 't': case 'm': case 'd':
		return 2;
	case 'r': case 'v':
		return d == 'e' ? 3 : 0;
	case 'l':
		return d == 'l' ? 3 : 0;
	case 0xC5: /* U+017F LATIN SMALL LETTER LONG S folds to 's' */
		return ci && d == 0xBF ? 3 : 0;
	}
	return 0;
}

/* \s*[\r\n]+ | \s+(?!\S) | \s+  at a White_Space character */
static inline size_t ws_tail(const uint8_t *s, size_t n, size_t i, int nl_alt)
{
	size_t j = i, nl_end = 0, last = i, l;
	for (;;) {
		unsigned c = ccls(s, n, j, &l);
		if (!IS(c, M_WS))
			break;
		if (s[j] == '\r' || s[j] == '\n')
			nl_end = j + 1;
		last = j;
		j += l;
	}
	if (nl_alt && nl_end)
		return nl_end;
	if (j >= n)
		return j;
	if (last > i)
		return last;
	return j;
}

/* \p{N}{1,max} at i, whose first character (l0 bytes) is a digit. */
static inline size_t digit_run(const uint8_t *s, size_t n, size_t i, size_t l0, int max)
{
	size_t j = i + l0, l;
	for (int k = 1; k < max; k++) {
		if (!IS(ccls(s, n, j, &l), M_N))
			break;
		j += l;
	}
	return j;
}

/* " ?[^\s\p{L}\p{N}]+" followed by [\r\n]* (o200k: [\r\n/]*) at i, or 0 when i
 * does not start one (c0, b0: the class and byte of s[i]). */
static inline size_t other_run(const uint8_t *s, size_t n, size_t i, unsigned c0, uint8_t b0, int slash)
{
	size_t j = i, l1;
	unsigned c = c0;
	if (b0 == ' ') {
		unsigned c1 = ccls(s, n, i + 1, &l1);
		if (IS(c1, M_OTHER)) {
			j = i + 1;
			c = c1;
		}
	}
	if (!IS(c, M_OTHER))
		return 0;
	j = run_of(s, n, j, M_OTHER);
	while (j < n && (s[j] == '\r' || s[j] == '\n' || (slash && s[j] == '/')))
		j++;
	return j;
}

static size_t next_cl100k(const uint8_t *s, size_t n, size_t i, int ndig)
{
	size_t l0, l1;
	uint8_t b0 = s[i];
	unsigned c0 = ccls(s, n, i, &l0);
	if (b0 == '\'') {
		size_t k = contraction(s, n, i, 1);
		if (k)
			return i + k;
	}
	if (IS(c0, M_L))
		return run_of(s, n, i + l0, M_L);
	if (IS(c0, M_P) && b0 != '\r' && b0 != '\n') {
		unsigned c1 = ccls(s, n, i + l0, &l1);
		if (IS(c1, M_L))
			return run_of(s, n, i + l0 + l1, M_L);
	}
	if (IS(c0, M_N))
		return digit_run(s, n, i, l0, ndig);
	size_t j = other_run(s, n, i, c0, b0, 0);
	return j ? j : ws_tail(s, n, i, 1);
}

/* [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+ at p, with backtracking */
static inline size_t o200k_uw(const uint8_t *s, size_t n, size_t p)
{
	size_t a = p, lastw = SIZE_MAX, l;
	unsigned c;
	for (;;) {
		c = ccls(s, n, a, &l);
		if (!IS(c, M_U))
			break;
		if (IS(c, M_W))
			lastw = a + l;
		a += l;
	}
	if (IS(c, M_W))
		return run_of(s, n, a + l, M_W);
	return lastw;
}

static size_t next_o200k(const uint8_t *s, size_t n, size_t i)
{
	size_t l0, l1, e;
	uint8_t b0 = s[i];
	unsigned c0 = ccls(s, n, i, &l0);
	int pre = IS(c0, M_P) && b0 != '\r' && b0 != '\n';
	if (pre && (e = o200k_uw(s, n, i + l0)) != SIZE_MAX)
		goto contr;
	if ((e = o200k_uw(s, n, i)) != SIZE_MAX)
		goto contr;
	if (pre && IS(ccls(s, n, i + l0, &l1), M_U)) {
		e = run_of(s, n, run_of(s, n, i + l0, M_U), M_W);
		goto contr;
	}
	if (IS(c0, M_U)) {
		e = run_of(s, n, run_of(s, n, i, M_U), M_W);
		goto contr;
	}
	if (IS(c0, M_N))
		return digit_run(s, n, i, l0, 3);
	if ((e = other_run(s, n, i, c0, b0, 1)))
		return e;
	return ws_tail(s, n, i, 1);
contr:
	if (e < n && s[e] == '\'')
		e += contraction(s, n, e, 1);
	return e;
}

static size_t next_gpt2(const uint8_t *s, size_t n, size_t i)
{
	size_t l0, l1;
	uint8_t b0 = s[i];
	if (b0 == '\'') {
		size_t k = contraction(s, n, i, 0);
		if (k)
			return i + k;
	}
	unsigned c = ccls(s, n, i, &l0);
	size_t j = i;
	if (b0 == ' ') {
		unsigned c1 = ccls(s, n, i + 1, &l1);
		if (IS(c1, M_L | M_N | M_OTHER)) {
			j = i + 1;
			c = c1;
		}
	}
	if (IS(c, M_L))
		return run_of(s, n, j, M_L);
	if (IS(c, M_N))
		return run_of(s, n, j, M_N);
	if (IS(c, M_OTHER))
		return run_of(s, n, j, M_OTHER);
	return ws_tail(s, n, i, 0);
}

/* ---- pre-tokenizer stages ------------------------------------------------------ */

static void run_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k);

static inline void piece(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k)
{
	if (si >= t->nst) {
		if (t->sp)
			tok_sp_piece(t, s, n, k);
		else
			tok_bpe_piece(t, s, n, k);
	} else
		run_stage(t, si, s, n, k);
}

static void split_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k);

static void run_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k)
{
	if (!n)
		return;
	if (t->st[si].prefix_space && s[0] != ' ') {
		/* ByteLevel add_prefix_space: " " + segment */
		uint8_t stackbuf[512];
		uint8_t *b = n + 1 <= sizeof stackbuf ? stackbuf : lc_xmalloc(n + 1);
		b[0] = ' ';
		memcpy(b + 1, s, n);
		split_stage(t, si, b, n + 1, k);
		if (b != stackbuf)
			free(b);
		return;
	}
	split_stage(t, si, s, n, k);
}

static void split_stage(const lc_tok *t, int si, const uint8_t *s, size_t n, sink *k)
{
	const stage *g = &t->st[si];
	size_t i = 0;
	switch (g->kind) {
	case PT_WHOLE:
		piece(t, si + 1, s, n, k);
		return;
	case PT_CL100K:
		while (i < n) {
			size_t e = next_cl100k(s, n, i, 3);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_QWEN:
		while (i < n) {
			size_t e = next_cl100k(s, n, i, 1);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_O200K:
		while (i < n) {
			size_t e = next_o200k(s, n, i);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_GPT2:
		while (i < n) {
			size_t e = next_gpt2(s, n, i);
			piece(t, si + 1, s + i, e - i, k);
			i = e;
		}
		return;
	case PT_PCRE: {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(g->re, NULL);
		size_t pos = 0, gap = 0;
		while (pos <= n) {
			int rc = pcre2_match(g->re, s, n, pos, PCRE2_NO_UTF_CHECK, md, NULL);
			if (rc < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			size_t a = ov[0], b = ov[1];
			if (b <= a) {
				if (a >= n)
					break;
				size_t l = 1;
				while (a + l < n && (s[a + l] & 0xC0) == 0x80)
					l++;
				pos = a + l;
				continue;
			}
			if (g->keep_gaps && a > gap)
				piece(t, si + 1, s + gap, a - gap, k);
			if (g->keep_matches)
				piece(t, si + 1, s + a, b - a, k);
			gap = pos = b;
		}
		if (g->keep_gaps && gap < n)
			piece(t, si + 1, s + gap, n - gap, k);
		pcre2_match_data_free(md);
		return;
	}
	}
}

/* ---- split patterns ------------------------------------------------------------------- */

const char tok_pat_cl100k[] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char PAT_CL100K_PY[] =
	"'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";
static const char PAT_QWEN[] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char tok_pat_o200k[] =
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
	"|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
	"|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char tok_pat_gpt2[] =
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char PAT_GPT2_PY[] =
	"'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s";

static const struct {
	const char *pat;
	int kind;
} known_pats[] = {
	{ tok_pat_cl100k, PT_CL100K }, { PAT_CL100K_PY, PT_CL100K }, { PAT_QWEN, PT_QWEN },
	{ tok_pat_o200k, PT_O200K },   { tok_pat_gpt2, PT_GPT2 },        { PAT_GPT2_PY, PT_GPT2 },
};

/* Fills g for regex pat: a built-in matcher if pat is a known split pattern. */
int tok_stage_regex(stage *g, const char *pat, size_t patlen, int literal, lc_err *e)
{
	if (!literal)
		for (size_t i = 0; i < sizeof known_pats / sizeof *known_pats; i++)
			if (strlen(known_pats[i].pat) == patlen && !memcmp(known_pats[i].pat, pat, patlen)) {
				g->kind = known_pats[i].kind;
				return 0;
			}
	int ec;
	PCRE2_SIZE eo;
	g->re = pcre2_compile((PCRE2_SPTR)pat, patlen, PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0), &ec, &eo, NULL);
	if (!g->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		return lc_err_set(e, LC_EXIT_INPUT, "bad split pattern at offset %zu: %s", (size_t)eo, (char *)msg);
	}
	pcre2_jit_compile(g->re, PCRE2_JIT_COMPLETE);
	g->kind = PT_PCRE;
	return 0;
}

/* A segment through stage 0 onwards (or straight to the merge engine when the
 * tokenizer has no pre-tokenizer). */
void tok_pretokenize(const lc_tok *t, const uint8_t *s, size_t n, sink *k)
{
	piece(t, 0, s, n, k);
}

void tok_pretok_init(void)
{
	pthread_once(&asc_once, asc_init);
}
