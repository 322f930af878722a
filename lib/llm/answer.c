/*
 * answer — LOFT's answer-line rule and a small reader for Python literals
 * (the subset ast.literal_eval accepts), used to turn LLM answers into ids.
 * See answer.h for the rule; the reader reports only what the callers need:
 * whether the text is a valid literal and str() of each top-level element when
 * that element is an int or a str.
 */
#include "answer.h"
#include "buf.h"
#include "err.h"
#include "utf8.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lc_strlist_push(lc_strlist *l, const char *s, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->s = lc_xrealloc(l->s, l->cap * sizeof *l->s);
	}
	l->s[l->n++] = lc_xstrndup(s, n);
}

void lc_strlist_clear(lc_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	l->n = 0;
}

void lc_strlist_free(lc_strlist *l)
{
	lc_strlist_clear(l);
	free(l->s);
	l->s = NULL;
	l->cap = 0;
}

/* ---- Python literal reader ------------------------------------------------ */

enum { K_INT, K_STR, K_BYTES, K_FLOAT, K_COMPLEX, K_BOOL, K_NONE, K_LIST, K_TUPLE, K_SET, K_DICT };

typedef struct {
	const char *s;
	size_t n, i;
	int err;
	lc_buf text;          /* str() of the value just read (ints and strs) */
	int text_ok;          /* text is exact */
} pyrd;

typedef struct {
	int kind;
	int hashable;
} pyval;

static void ws(pyrd *r)
{
	while (r->i < r->n) {
		char c = r->s[r->i];
		if (c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n')
			r->i++;
		else if (c == '\\' && r->i + 1 < r->n && r->s[r->i + 1] == '\n')
			r->i += 2;
		else if (c == '#') {
			while (r->i < r->n && r->s[r->i] != '\n')
				r->i++;
		} else
			break;
	}
}

static int peek(pyrd *r) { ws(r); return r->i < r->n ? (unsigned char)r->s[r->i] : -1; }
static int is_id(int c) { return c == '_' || isalnum(c) || c >= 0x80; }

/* Decimal string of a digit string in base b (digits already validated). */
static void to_decimal(lc_buf *out, const char *d, size_t n, int base)
{
	/* little-endian base-1e9 limbs */
	uint32_t *limb = lc_xcalloc(n / 2 + 2, sizeof *limb);
	size_t nl = 1;
	for (size_t i = 0; i < n; i++) {
		int c = d[i];
		if (c == '_')
			continue;
		uint64_t v = (uint64_t)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
		for (size_t k = 0; k < nl; k++) {
			uint64_t x = (uint64_t)limb[k] * (uint64_t)base + v;
			limb[k] = (uint32_t)(x % 1000000000u);
			v = x / 1000000000u;
		}
		if (v)
			limb[nl++] = (uint32_t)v;
	}
	while (nl > 1 && limb[nl - 1] == 0)
		nl--;
	lc_buf_printf(out, "%u", limb[nl - 1]);
	for (size_t k = nl - 1; k-- > 0;)
		lc_buf_printf(out, "%09u", limb[k]);
	free(limb);
}

static int digit_ok(int c, int base)
{
	if (base == 16) return isxdigit(c);
	if (base == 8) return c >= '0' && c <= '7';
	if (base == 2) return c == '0' || c == '1';
	return isdigit(c);
}

/* Digits with single '_' between digits.  Returns count of chars consumed (0 = none). */
static size_t digits(pyrd *r, int base)
{
	size_t st = r->i;
	if (r->i >= r->n || !digit_ok((unsigned char)r->s[r->i], base))
		return 0;
	while (r->i < r->n) {
		int c = (unsigned char)r->s[r->i];
		if (digit_ok(c, base))
			r->i++;
		else if (c == '_' && r->i + 1 < r->n && digit_ok((unsigned char)r->s[r->i + 1], base))
			r->i++;
		else
			break;
	}
	return r->i - st;
}

static int number(pyrd *r, pyval *v)
{
	size_t st = r->i;
	const char *s = r->s;
	lc_buf_reset(&r->text);
	r->text_ok = 0;
	if (s[st] == '0' && st + 1 < r->n && strchr("xXoObB", s[st + 1])) {
		int base = strchr("xX", s[st + 1]) ? 16 : strchr("oO", s[st + 1]) ? 8 : 2;
		r->i += 2;
		if (r->i < r->n && s[r->i] == '_')
			r->i++;
		size_t ds = r->i;
		if (!digits(r, base))
			return r->err = 1, -1;
		if (r->i < r->n && is_id((unsigned char)s[r->i]))
			return r->err = 1, -1;
		to_decimal(&r->text, s + ds, r->i - ds, base);
		r->text_ok = 1;
		v->kind = K_INT;
		v->hashable = 1;
		return 0;
	}
	size_t ids = r->i;
	size_t nd = digits(r, 10);
	int isfloat = 0;
	if (r->i < r->n && s[r->i] == '.') {
		r->i++;
		isfloat = 1;
		if (!nd && !digits(r, 10))
			return r->err = 1, -1;
		if (nd)
			digits(r, 10);
	}
	if (!nd && !isfloat)
		return r->err = 1, -1;
	if (r->i < r->n && (s[r->i] == 'e' || s[r->i] == 'E')) {
		size_t save = r->i;
		r->i++;
		if (r->i < r->n && (s[r->i] == '+' || s[r->i] == '-'))
			r->i++;
		if (!digits(r, 10)) {
			r->i = save;
			return r->err = 1, -1;
		}
		isfloat = 1;
	}
	if (r->i < r->n && (s[r->i] == 'j' || s[r->i] == 'J')) {
		r->i++;
		v->kind = K_COMPLEX;
	} else if (isfloat)
		v->kind = K_FLOAT;
	else {
		/* decimal int: no leading zeros unless all zeros */
		int allzero = 1, lead = s[ids] == '0';
		for (size_t k = ids; k < r->i; k++)
			if (s[k] != '0' && s[k] != '_')
				allzero = 0;
		if (lead && !allzero)
			return r->err = 1, -1;
		to_decimal(&r->text, s + ids, r->i - ids, 10);
		r->text_ok = 1;
		v->kind = K_INT;
	}
	if (r->i < r->n && is_id((unsigned char)s[r->i]))
		return r->err = 1, -1;
	v->hashable = 1;
	return 0;
}

/* ---- \N{NAME}: Python's unicodedata name lookup ------------------------------
 *
 * As CPython's _getcode() without named sequences: "HANGUL SYLLABLE " + jamo
 * (longest match, case-sensitive), "CJK UNIFIED IDEOGRAPH-" + 4 or 5 upper-case
 * hex digits inside a CJK ideograph range, else a character name or a name
 * alias (NameAliases.txt), compared case-insensitively.  The names are read from
 * the Unicode Character Database files when an escape needs them (Debian
 * unicode-data: /usr/share/unicode); see answer.h for why. */

static const char *const uni_dirs[] = { "/usr/share/unicode", "/usr/share/unicode-data", "/usr/share/unicode/ucd", NULL };

static FILE *uni_open(const char *file)
{
	char path[256];
	for (int i = 0; uni_dirs[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", uni_dirs[i], file);
		FILE *f = fopen(path, "r");
		if (f)
			return f;
	}
	return NULL;
}

static int name_eq(const char *field, size_t flen, const char *name, size_t n)
{
	if (flen != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (toupper((unsigned char)name[i]) != (unsigned char)field[i])
			return 0;
	return 1;
}

static void jamo(const char **p, const char *end, const char *const *tab, int count, int *pos)
{
	size_t best = 0;
	*pos = -1;
	for (int i = 0; i < count; i++) {
		size_t l = strlen(tab[i]);
		if ((*pos >= 0 && l <= best) || l > (size_t)(end - *p))
			continue;
		if (!strncmp(*p, tab[i], l)) {
			best = l;
			*pos = i;
		}
	}
	*p += best;
}

/* 1 + *cp, 0 = no such name, -1 = the name table is not installed. */
static int unicode_name(const char *name, size_t n, uint32_t *cp)
{
	static const char *const L[] = { "G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ",
	                                 "C", "K", "T", "P", "H" };
	static const char *const V[] = { "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE",
	                                 "YO", "U", "WEO", "WE", "WI", "YU", "EU", "YI", "I" };
	static const char *const T[] = { "", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT",
	                                 "LP", "LH", "M", "B", "BS", "S", "SS", "NG", "J", "C", "K", "T", "P", "H" };
	if (n > 16 && !strncasecmp(name, "HANGUL SYLLABLE ", 16)) {
		const char *p = name + 16, *end = name + n;
		int l, v, t;
		jamo(&p, end, L, 19, &l);
		jamo(&p, end, V, 21, &v);
		jamo(&p, end, T, 28, &t);
		if (l < 0 || v < 0 || t < 0 || p != end)
			return 0;
		*cp = 0xAC00 + (uint32_t)((l * 21 + v) * 28 + t);
		return 1;
	}
	int cjk = n > 22 && !strncasecmp(name, "CJK UNIFIED IDEOGRAPH-", 22);
	uint32_t want = 0;
	if (cjk) {
		if (n - 22 != 4 && n - 22 != 5)
			return 0;
		for (size_t i = 22; i < n; i++) {
			char c = name[i];
			if (c >= '0' && c <= '9')
				want = want * 16 + (uint32_t)(c - '0');
			else if (c >= 'A' && c <= 'F')
				want = want * 16 + (uint32_t)(c - 'A' + 10);
			else
				return 0;
		}
	}
	FILE *f = uni_open("UnicodeData.txt");
	if (!f) {
		lc_warn("warning: \\N{%.*s} in an answer: no Unicode name table (install Debian's unicode-data, "
		        "/usr/share/unicode/UnicodeData.txt); the element cannot be mapped", (int)n, name);
		return -1;
	}
	char line[512];
	int found = 0;
	uint32_t first = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *semi = strchr(line, ';');
		if (!semi)
			continue;
		uint32_t code = (uint32_t)strtoul(line, NULL, 16);
		char *nm = semi + 1, *ne = strchr(nm, ';');
		if (!ne)
			continue;
		size_t nl = (size_t)(ne - nm);
		if (cjk) {
			/* "<CJK Ideograph..., First>" .. "<..., Last>" ranges */
			if (nl > 14 && !strncmp(nm, "<CJK Ideograph", 14)) {
				if (!strncmp(ne - 6, "First>", 6))
					first = code;
				else if (!strncmp(ne - 5, "Last>", 5) && want >= first && want <= code)
					found = 1, *cp = want;
			}
		} else if (*nm != '<' && name_eq(nm, nl, name, n))
			found = 1, *cp = code;
	}
	fclose(f);
	if (found || cjk)
		return found;
	f = uni_open("NameAliases.txt");
	while (f && !found && fgets(line, sizeof line, f)) {
		char *semi = strchr(line, ';');
		if (line[0] == '#' || !semi)
			continue;
		char *nm = semi + 1, *ne = strchr(nm, ';');
		if (ne && name_eq(nm, (size_t)(ne - nm), name, n))
			found = 1, *cp = (uint32_t)strtoul(line, NULL, 16);
	}
	if (f)
		fclose(f);
	return found;
}

/* One string literal (prefix already known).  Appends decoded text to r->text. */
static int string1(pyrd *r, int raw, int bytes)
{
	const char *s = r->s;
	char q = s[r->i];
	int triple = r->i + 2 < r->n && s[r->i + 1] == q && s[r->i + 2] == q;
	r->i += triple ? 3 : 1;
	for (;;) {
		if (r->i >= r->n)
			return r->err = 1, -1;
		char c = s[r->i];
		if (c == q && (!triple || (r->i + 2 < r->n && s[r->i + 1] == q && s[r->i + 2] == q))) {
			r->i += triple ? 3 : 1;
			return 0;
		}
		if (c == '\n' && !triple)
			return r->err = 1, -1;
		if (c == '\\' && r->i + 1 < r->n) {
			char d = s[r->i + 1];
			if (raw) {
				lc_buf_addc(&r->text, c);
				lc_buf_addc(&r->text, d);
				r->i += 2;
				continue;
			}
			r->i += 2;
			switch (d) {
			case '\n': break;
			case '\\': lc_buf_addc(&r->text, '\\'); break;
			case '\'': lc_buf_addc(&r->text, '\''); break;
			case '"': lc_buf_addc(&r->text, '"'); break;
			case 'a': lc_buf_addc(&r->text, '\a'); break;
			case 'b': lc_buf_addc(&r->text, '\b'); break;
			case 'f': lc_buf_addc(&r->text, '\f'); break;
			case 'n': lc_buf_addc(&r->text, '\n'); break;
			case 'r': lc_buf_addc(&r->text, '\r'); break;
			case 't': lc_buf_addc(&r->text, '\t'); break;
			case 'v': lc_buf_addc(&r->text, '\v'); break;
			case 'x': case 'u': case 'U': {
				int nx = d == 'x' ? 2 : d == 'u' ? 4 : 8;
				if (bytes && d != 'x') {
					lc_buf_addc(&r->text, '\\');
					lc_buf_addc(&r->text, d);
					break;
				}
				uint32_t cp = 0;
				for (int k = 0; k < nx; k++) {
					if (r->i >= r->n || !isxdigit((unsigned char)s[r->i]))
						return r->err = 1, -1;
					int h = s[r->i++];
					cp = cp * 16 + (uint32_t)(isdigit(h) ? h - '0' : tolower(h) - 'a' + 10);
				}
				if (cp > 0x10FFFF)
					return r->err = 1, -1;
				lc_utf8_put(&r->text, cp);
				break;
			}
			case 'N':
				if (bytes) {
					lc_buf_addc(&r->text, '\\');
					lc_buf_addc(&r->text, d);
					break;
				}
				/* named character \N{NAME} */
				if (r->i >= r->n || s[r->i] != '{')
					return r->err = 1, -1;
				{
					size_t ns = ++r->i;
					while (r->i < r->n && s[r->i] != '}')
						r->i++;
					if (r->i >= r->n || r->i == ns)
						return r->err = 1, -1;
					uint32_t cp;
					int f = unicode_name(s + ns, r->i - ns, &cp);
					r->i++;
					if (f == 0)
						return r->err = 1, -1;   /* Python: unknown Unicode character name */
					if (f < 0)
						r->text_ok = 0;          /* no name table: text unknown */
					else
						lc_utf8_put(&r->text, cp);
				}
				break;
			default:
				if (d >= '0' && d <= '7') {
					uint32_t cp = (uint32_t)(d - '0');
					for (int k = 0; k < 2 && r->i < r->n && s[r->i] >= '0' && s[r->i] <= '7'; k++)
						cp = cp * 8 + (uint32_t)(s[r->i++] - '0');
					lc_utf8_put(&r->text, cp);
				} else {
					lc_buf_addc(&r->text, '\\');
					lc_buf_addc(&r->text, d);
				}
			}
			continue;
		}
		lc_buf_addc(&r->text, c);
		r->i++;
	}
}

/* Adjacent string literals, concatenated.  At entry r->i is at a prefix or quote. */
static int strings(pyrd *r, pyval *v)
{
	lc_buf_reset(&r->text);
	r->text_ok = 1;
	int kind = -1;
	for (;;) {
		int c = peek(r);
		size_t st = r->i;
		int raw = 0, bytes = 0, fstr = 0;
		while (r->i < r->n && strchr("rRbBuUfF", r->s[r->i]) && r->s[r->i]) {
			char p = (char)tolower((unsigned char)r->s[r->i]);
			if (p == 'r') raw = 1;
			if (p == 'b') bytes = 1;
			if (p == 'f') fstr = 1;
			r->i++;
		}
		if (r->i >= r->n || (r->s[r->i] != '\'' && r->s[r->i] != '"') || r->i - st > 2) {
			r->i = st;
			if (kind < 0)
				return r->err = 1, -1;
			break;
		}
		(void)c;
		if (fstr)
			return r->err = 1, -1;        /* JoinedStr: not a literal */
		int k = bytes ? K_BYTES : K_STR;
		if (kind >= 0 && k != kind)
			return r->err = 1, -1;        /* bytes + str */
		kind = k;
		if (string1(r, raw, bytes) < 0)
			return -1;
		size_t save = r->i;
		int nc = peek(r);
		if (nc < 0 || !(nc == '\'' || nc == '"' || strchr("rRbBuUfF", nc))) {
			r->i = save;
			break;
		}
	}
	v->kind = kind;
	v->hashable = 1;
	return 0;
}

static int value(pyrd *r, pyval *v, int top);

/* Comma-separated items until close; for dicts, key: value pairs. */
static int items(pyrd *r, char close, int dict, int need_hash, size_t *count, lc_strlist *ids, int *flags)
{
	*count = 0;
	for (;;) {
		int c = peek(r);
		if (c == close) {
			r->i++;
			return 0;
		}
		pyval e;
		if (value(r, &e, 0) < 0)
			return -1;
		if (need_hash && !e.hashable)
			return r->err = 1, -1;
		if (ids) {
			if ((e.kind == K_INT || e.kind == K_STR) && r->text_ok)
				lc_strlist_push(ids, r->text.p ? r->text.p : "", r->text.len);
			else {
				lc_strlist_push(ids, "", 0);
				*flags |= LC_ANSWER_NONSTR;
			}
		}
		if (dict) {
			if (peek(r) != ':')
				return r->err = 1, -1;
			r->i++;
			pyval dv;
			if (value(r, &dv, 0) < 0)
				return -1;
		}
		(*count)++;
		c = peek(r);
		if (c == ',') {
			r->i++;
			continue;
		}
		if (c == close) {
			r->i++;
			return 0;
		}
		return r->err = 1, -1;
	}
}

static int atom(pyrd *r, pyval *v, lc_strlist *ids, int *flags)
{
	int c = peek(r);
	size_t cnt;
	if (c < 0)
		return r->err = 1, -1;
	if (c == '[') {
		r->i++;
		if (items(r, ']', 0, 0, &cnt, ids, flags) < 0)
			return -1;
		v->kind = K_LIST;
		v->hashable = 0;
		return 0;
	}
	if (c == '(') {
		/* parenthesised value or tuple */
		r->i++;
		if (peek(r) == ')') {
			r->i++;
			v->kind = K_TUPLE;
			v->hashable = 1;
			return 0;
		}
		pyval e;
		if (value(r, &e, 0) < 0)
			return -1;
		int hash = e.hashable;
		c = peek(r);
		if (c == ')') {
			r->i++;
			*v = e;
			return 0;
		}
		if (c != ',')
			return r->err = 1, -1;
		r->i++;
		while ((c = peek(r)) != ')') {
			if (value(r, &e, 0) < 0)
				return -1;
			hash &= e.hashable;
			c = peek(r);
			if (c == ',')
				r->i++;
			else if (c != ')')
				return r->err = 1, -1;
		}
		r->i++;
		v->kind = K_TUPLE;
		v->hashable = hash;
		r->text_ok = 0;
		return 0;
	}
	if (c == '{') {
		r->i++;
		if (peek(r) == '}') {
			r->i++;
			v->kind = K_DICT;
			v->hashable = 0;
			return 0;
		}
		/* decide dict or set from the first item */
		size_t save = r->i;
		pyval k;
		if (value(r, &k, 0) < 0)
			return -1;
		int isdict = peek(r) == ':';
		r->i = save;
		if (items(r, '}', isdict, 1, &cnt, NULL, NULL) < 0)
			return -1;
		v->kind = isdict ? K_DICT : K_SET;
		v->hashable = 0;
		return 0;
	}
	if (isdigit(c) || (c == '.' && r->i + 1 < r->n && isdigit((unsigned char)r->s[r->i + 1])))
		return number(r, v);
	if (c == '\'' || c == '"')
		return strings(r, v);
	if (is_id(c)) {
		size_t st = r->i;
		while (r->i < r->n && is_id((unsigned char)r->s[r->i]))
			r->i++;
		size_t len = r->i - st;
		if (r->i < r->n && (r->s[r->i] == '\'' || r->s[r->i] == '"') && len <= 2) {
			r->i = st;
			return strings(r, v);
		}
		const char *w = r->s + st;
		r->text_ok = 0;
		v->hashable = 1;
		if (len == 4 && !memcmp(w, "True", 4)) { v->kind = K_BOOL; return 0; }
		if (len == 5 && !memcmp(w, "False", 5)) { v->kind = K_BOOL; return 0; }
		if (len == 4 && !memcmp(w, "None", 4)) { v->kind = K_NONE; return 0; }
		if (len == 3 && !memcmp(w, "set", 3) && peek(r) == '(') {
			r->i++;
			if (peek(r) != ')')
				return r->err = 1, -1;
			r->i++;
			v->kind = K_SET;
			v->hashable = 0;
			return 0;
		}
		return r->err = 1, -1;
	}
	return r->err = 1, -1;
}

/* A value: atom, signed number, or real +/- imaginary. */
static int value(pyrd *r, pyval *v, int top)
{
	(void)top;
	int c = peek(r);
	int sign = 0;
	if (c == '-' || c == '+') {
		sign = c;
		r->i++;
		c = peek(r);
	}
	if (sign) {
		/* operand must be a numeric constant (possibly parenthesised) */
		pyval e;
		if (atom(r, &e, NULL, NULL) < 0)
			return -1;
		if (e.kind != K_INT && e.kind != K_FLOAT && e.kind != K_COMPLEX)
			return r->err = 1, -1;
		if (e.kind == K_INT && sign == '-' && r->text_ok) {
			if (!(r->text.len == 1 && r->text.p[0] == '0')) {
				lc_buf t = {0};
				lc_buf_addc(&t, '-');
				lc_buf_add(&t, r->text.p, r->text.len);
				lc_buf_reset(&r->text);
				lc_buf_add(&r->text, t.p, t.len);
				lc_buf_free(&t);
			}
		}
		*v = e;
	} else if (atom(r, v, NULL, NULL) < 0)
		return -1;
	/* complex: real (+|-) imaginary */
	c = peek(r);
	if ((c == '+' || c == '-') && (v->kind == K_INT || v->kind == K_FLOAT)) {
		r->i++;
		pyval im;
		if (atom(r, &im, NULL, NULL) < 0)
			return -1;
		if (im.kind != K_COMPLEX)
			return r->err = 1, -1;
		v->kind = K_COMPLEX;
		r->text_ok = 0;
	}
	return 0;
}

/* Parses the whole bracket text; top level may be a tuple ("[1], [2]"). */
static int parse_literal(const char *s, size_t n, lc_strlist *ids, int *flags)
{
	pyrd r = { .s = s, .n = n };
	int ret = 0;
	if (memchr(s, 0, n)) {
		ret = -1;
		goto out;
	}
	/* the text starts with '[': read the list and collect its elements */
	r.i = 1;
	size_t cnt;
	if (items(&r, ']', 0, 0, &cnt, ids, flags) < 0) {
		ret = -1;
		goto out;
	}
	int c = peek(&r);
	if (c == ',') {
		/* a tuple whose first element is this list: its elements never map */
		r.i++;
		while ((c = peek(&r)) >= 0) {
			pyval e;
			if (value(&r, &e, 0) < 0) {
				ret = -1;
				goto out;
			}
			c = peek(&r);
			if (c == ',')
				r.i++;
			else if (c >= 0) {
				ret = -1;
				goto out;
			}
		}
		lc_strlist_clear(ids);
		lc_strlist_push(ids, "", 0);
		*flags |= LC_ANSWER_NONSTR;
	} else if (c >= 0)
		ret = -1;
out:
	lc_buf_free(&r.text);
	return ret;
}

static int has_final_answer(const char *s, size_t n)
{
	static const char key[] = "final answer";
	for (size_t i = 0; i + 12 <= n; i++) {
		size_t k = 0;
		while (k < 12 && tolower((unsigned char)s[i + k]) == key[k])
			k++;
		if (k == 12)
			return 1;
	}
	return 0;
}

int lc_answer_parse(const char *text, size_t n, int variant, lc_strlist *ids)
{
	lc_strlist_clear(ids);
	lc_buf clean = {0};
	for (size_t i = 0; i < n; i++)
		if (text[i] != '*' && text[i] != '`')
			lc_buf_addc(&clean, text[i]);
	/* Python str.strip(): ASCII white space (and a few Unicode ones, ignored) */
	size_t a = 0, b = clean.len;
	while (a < b && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", clean.p[a]))
		a++;
	while (b > a && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", clean.p[b - 1]))
		b--;
	int flags = 0;
	size_t ls = a;
	while (ls <= b && b > a) {
		const char *nl = memchr(clean.p + ls, '\n', b - ls);
		size_t le = nl ? (size_t)(nl - clean.p) : b;
		const char *line = clean.p + ls;
		size_t len = le - ls;
		const char *lb = memchr(line, '[', len);
		const char *rb = NULL;
		for (size_t k = len; k-- > 0;)
			if (line[k] == ']') {
				rb = line + k;
				break;
			}
		int ok = lb && rb && (variant == LC_ANSWER_LOFT_HEAD || has_final_answer(line, len));
		if (ok) {
			flags |= LC_ANSWER_FOUND;
			if (rb < lb) {
				flags |= LC_ANSWER_PARSE_ERROR;
				break;
			}
			/* escape apostrophes between alphanumerics as LOFT's regex does */
			lc_buf lit = {0};
			size_t m = (size_t)(rb - lb) + 1;
			for (size_t k = 0; k < m;) {
				if (k + 2 < m && isalnum((unsigned char)lb[k]) && (unsigned char)lb[k] < 0x80 &&
				    lb[k + 1] == '\'' && isalnum((unsigned char)lb[k + 2]) && (unsigned char)lb[k + 2] < 0x80) {
					lc_buf_addc(&lit, lb[k]);
					lc_buf_adds(&lit, "\\'");
					lc_buf_addc(&lit, lb[k + 2]);
					k += 3;
				} else
					lc_buf_addc(&lit, lb[k++]);
			}
			if (parse_literal(lit.p, lit.len, ids, &flags) < 0) {
				lc_strlist_clear(ids);
				flags |= LC_ANSWER_PARSE_ERROR;
				flags &= ~LC_ANSWER_NONSTR;
			}
			lc_buf_free(&lit);
			break;
		}
		if (!nl)
			break;
		ls = le + 1;
	}
	lc_buf_free(&clean);
	return flags;
}

int lc_answer_map(lc_strlist *ids, int flags, char *const *pids, size_t nrows)
{
	if (flags & LC_ANSWER_NONSTR)
		return -1;
	size_t *ix = lc_xmalloc((ids->n + 1) * sizeof *ix);
	for (size_t i = 0; i < ids->n; i++) {
		const char *s = ids->s[i];
		size_t v = 0, len = strlen(s);
		/* str(i) for i in range(nrows): canonical decimal, no sign, no leading 0 */
		if (len == 0 || len > 18 || (len > 1 && s[0] == '0')) {
			free(ix);
			return -1;
		}
		for (size_t k = 0; k < len; k++) {
			if (!isdigit((unsigned char)s[k])) {
				free(ix);
				return -1;
			}
			v = v * 10 + (size_t)(s[k] - '0');
		}
		if (v >= nrows) {
			free(ix);
			return -1;
		}
		ix[i] = v;
	}
	for (size_t i = 0; i < ids->n; i++) {
		free(ids->s[i]);
		ids->s[i] = lc_xstrdup(pids[ix[i]]);
	}
	free(ix);
	return 0;
}
