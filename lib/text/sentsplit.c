/*
 * sentsplit — rule-based sentence segmentation (see sentsplit.h for the rules).
 * One left-to-right pass; each candidate terminator is checked against the
 * abbreviation list, initials, decimals, bracket depth and the next token.
 */
#include "sentsplit.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "err.h"

/* Lowercased, without the final dot.  Multi-dot forms ("e.g") are listed
 * with their inner dots. */
static const char *const abbrevs[] = {
	"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "vs", "etc",
	"e.g", "i.e", "cf", "al", "approx", "dept", "est", "fig", "figs", "eq", "eqs",
	"no", "nos", "vol", "vols", "pp", "p", "ed", "eds", "inc", "ltd", "co", "corp",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "rev", "hon", "u.s", "u.k",
	"u.n", "ph.d", "b.a", "m.a", "b.sc", "m.sc", "a.m", "p.m", "ca", "viz", "resp",
	"ref", "refs", "sec", "ch", "art", "ave", "blvd", "rd", "dist", "univ", "assn",
	"bros", "min", "max", "no", "op", "cit", "ibid", "et", "seq", "vii", "ie", "eg",
	NULL
};

static int is_abbrev(const char *w, size_t n)
{
	if (n == 0 || n > 8)
		return 0;
	for (const char *const *a = abbrevs; *a; a++)
		if (strlen(*a) == n && !strncasecmp(*a, w, n))
			return 1;
	return 0;
}

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_close(unsigned char c) { return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}'; }

/* UTF-8 sequences for closing quotes ” ’ » and CJK terminators */
static size_t match_utf8(const char *s, size_t n, size_t i, const char *seq)
{
	size_t k = strlen(seq);
	return (i + k <= n && !memcmp(s + i, seq, k)) ? k : 0;
}

/* The length of the white space character at s[i] (0 if none): ASCII's, and
 * Unicode's White_Space beyond it (NEL, no-break space, ogham space, the
 * U+2000..U+200A spaces, line and paragraph separators, narrow no-break,
 * medium mathematical and ideographic space). */
static size_t ws_len(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c < 0x80)
		return is_ws(c);
	const unsigned char *u = (const unsigned char *)s + i;
	if (c == 0xc2 && i + 1 < n && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (i + 2 >= n)
		return 0;
	if ((c == 0xe1 && u[1] == 0x9a && u[2] == 0x80) ||
	    (c == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf)) ||
	    (c == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) || (c == 0xe3 && u[1] == 0x80 && u[2] == 0x80))
		return 3;
	return 0;
}

/* The length of the white space character that ends s[0..b) (0 if none). */
static size_t ws_len_before(const char *s, size_t b)
{
	if (b && is_ws((unsigned char)s[b - 1]))
		return 1;
	if (b >= 2 && ws_len(s, b, b - 2) == 2)
		return 2;
	if (b >= 3 && ws_len(s, b, b - 3) == 3)
		return 3;
	return 0;
}

/* Closing quotes and brackets: ASCII's, ” ’ », and the CJK ones 」 』 ） ］ 】 》 〉 ＂ ＇ */
static size_t close_len(const char *s, size_t n, size_t i)
{
	if (is_close((unsigned char)s[i]))
		return 1;
	static const char *const closers[] = {
		"\xe2\x80\x9d", "\xe2\x80\x99", "\xc2\xbb", "\xe3\x80\x8d", "\xe3\x80\x8f", "\xef\xbc\x89",
		"\xef\xbc\xbd", "\xe3\x80\x91", "\xe3\x80\x8b", "\xe3\x80\x89", "\xef\xbc\x82", "\xef\xbc\x87", NULL
	};
	if ((unsigned char)s[i] < 0x80)
		return 0;
	size_t k;
	for (const char *const *c = closers; *c; c++)
		if ((k = match_utf8(s, n, i, *c)))
			return k;
	return 0;
}

static size_t cjk_stop(const char *s, size_t n, size_t i)
{
	size_t k;
	if ((k = match_utf8(s, n, i, "\xe3\x80\x82")) || (k = match_utf8(s, n, i, "\xef\xbc\x81")) ||
	    (k = match_utf8(s, n, i, "\xef\xbc\x9f")))
		return k;
	return 0;
}

/* A list item starts at s[i] (start of a line, after indentation)? */
static int list_item_at(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n)
		return 0;
	unsigned char c = (unsigned char)s[i];
	if ((c == '-' || c == '*' || c == '+') && i + 1 < n && s[i + 1] == ' ')
		return 1;
	if (match_utf8(s, n, i, "\xe2\x80\xa2"))  /* • */
		return 1;
	size_t j = i;
	while (j < n && j - i < 3 && isdigit((unsigned char)s[j]))
		j++;
	if (j == i && j < n && isalpha((unsigned char)s[j]) && j + 1 < n && s[j + 1] == ')')
		j++;
	if (j > i && j + 1 < n && (s[j] == '.' || s[j] == ')') && s[j + 1] == ' ')
		return 1;
	return 0;
}

static void push(lc_sentv *sv, const char *s, size_t a, size_t b)
{
	size_t k;
	while (a < b && (k = ws_len(s, b, a)))
		a += k;
	while (b > a && (k = ws_len_before(s, b)))
		b -= k;
	if (a >= b)
		return;
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = lc_xrealloc(sv->v, sv->cap * sizeof *sv->v);
	}
	sv->v[sv->n].start = a;
	sv->v[sv->n].end = b;
	sv->n++;
}

/* Does a closing bracket for an open one appear before the paragraph ends? */
static int closes_later(const char *s, size_t n, size_t i, int depth)
{
	for (; i < n; i++) {
		if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\n')
			return 0;
		if (s[i] == ')' || s[i] == ']') {
			if (--depth == 0)
				return 1;
		} else if (s[i] == '(' || s[i] == '[')
			depth++;
	}
	return 0;
}

/* Should the '.' at s[i] (not part of a run) be ignored as a terminator? */
static int dot_is_not_end(const char *s, size_t n, size_t i)
{
	/* decimal or version: digit.digit */
	if (i > 0 && i + 1 < n && isdigit((unsigned char)s[i - 1]) && isdigit((unsigned char)s[i + 1]))
		return 1;
	/* the word before the dot: letters and inner dots */
	size_t b = i;
	while (b > 0 && (isalpha((unsigned char)s[b - 1]) || (s[b - 1] == '.' && b - 1 > 0 &&
	       isalpha((unsigned char)s[b - 2]))))
		b--;
	size_t wl = i - b;
	if (wl == 0)
		return 0;
	if (b > 0 && !is_ws((unsigned char)s[b - 1]) && s[b - 1] != '(' && s[b - 1] != '"' &&
	    s[b - 1] != '\'' && s[b - 1] != '[')
		return 0;
	if (wl == 1 && isupper((unsigned char)s[b]))
		return 1;  /* initial */
	if (is_abbrev(s + b, wl))
		return 1;
	/* A.B.C style with single letters between dots */
	if (wl >= 3 && memchr(s + b, '.', wl)) {
		int single = 1;
		for (size_t k = b; k < i; k++)
			if (s[k] != '.' && (k + 1 < i && s[k + 1] != '.'))
				single = 0;
		if (single)
			return 1;
	}
	return 0;
}

size_t lc_sentsplit(const char *s, size_t n, lc_sentv *sv)
{
	sv->n = 0;
	size_t start = 0;
	int depth = 0;
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			/* blank line or list item on the next line: hard boundary */
			size_t j = i + 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
				j++;
			if ((j < n && s[j] == '\n') || list_item_at(s, n, i + 1) || list_item_at(s, n, start)) {
				push(sv, s, start, i);
				start = i + 1;
				depth = 0;
			}
			i++;
			continue;
		}
		if (c == '(' || c == '[') {
			depth++;
			i++;
			continue;
		}
		if ((c == ')' || c == ']') && depth > 0) {
			depth--;
			i++;
			continue;
		}
		size_t k = cjk_stop(s, n, i);
		if (k) {
			size_t e = i + k;
			while (e < n) {
				size_t cl = close_len(s, n, e);
				if (!cl)
					break;
				e += cl;
			}
			push(sv, s, start, e);
			start = i = e;
			depth = 0;
			continue;
		}
		if (c != '.' && c != '!' && c != '?') {
			i++;
			continue;
		}
		/* a run of terminators: "...", "?!" */
		size_t e = i;
		while (e < n && (s[e] == '.' || s[e] == '!' || s[e] == '?'))
			e++;
		int run = e - i > 1;
		if (c == '.' && !run && dot_is_not_end(s, n, i)) {
			i = e;
			continue;
		}
		/* closing quotes and brackets belong to the sentence */
		size_t after = e;
		int closed_brackets = 0;
		while (after < n) {
			size_t cl = close_len(s, n, after);
			if (!cl)
				break;
			if (s[after] == ')' || s[after] == ']')
				closed_brackets++;
			after += cl;
		}
		if (after < n && !ws_len(s, n, after)) {
			i = e;  /* "3.5", "a.b", "?x": no boundary */
			continue;
		}
		int d = depth - closed_brackets;
		if (d > 0 && closes_later(s, n, after, d)) {
			i = e;
			continue;
		}
		size_t nx = after, w;
		while (nx < n && (w = ws_len(s, n, nx)))
			nx += w;
		if (nx < n && islower((unsigned char)s[nx])) {
			i = e;
			continue;
		}
		push(sv, s, start, after);
		start = after;
		depth = 0;
		i = after;
	}
	push(sv, s, start, n);
	return sv->n;
}

void lc_sentv_free(lc_sentv *sv)
{
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
