/* analyze — Unicode word split, case folding, stopwords, Snowball English stemming
 * (see analyze.h for the exact rules). */
#include "analyze.h"
#include "arena.h"
#include "buf.h"
#include "data.h"
#include "input.h"
#include "strmap.h"
#include "utf8.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cached distinct words per analyser: the first this many a text brings, which
 * Zipf's law makes nearly every word occurrence; a rarer word is stemmed each
 * time.  65,536 holds LOFT's whole vocabulary and keeps the cache at ~6 MB on a
 * 700k-passage real collection, where 2M cost 40 MB more and was no faster. */
#define CACHE_MAX 65536

/* Same words as share/lctk/stopwords/english.txt (a unit test keeps them equal); used
 * when that file cannot be found, so library users need no data directory. */
const char lc_english_stopwords[] =
	"i\nme\nmy\nmyself\nwe\nour\nours\nourselves\nyou\nyour\nyours\nyourself\nyourselves\nhe\nhim\n"
	"his\nhimself\nshe\nher\nhers\nherself\nit\nits\nitself\nthey\nthem\ntheir\ntheirs\nthemselves\n"
	"what\nwhich\nwho\nwhom\nthis\nthat\nthese\nthose\nam\nis\nare\nwas\nwere\nbe\nbeen\nbeing\nhave\n"
	"has\nhad\nhaving\ndo\ndoes\ndid\ndoing\nwould\nshould\ncould\nought\ni'm\nyou're\nhe's\nshe's\n"
	"it's\nwe're\nthey're\ni've\nyou've\nwe've\nthey've\ni'd\nyou'd\nhe'd\nshe'd\nwe'd\nthey'd\ni'll\n"
	"you'll\nhe'll\nshe'll\nwe'll\nthey'll\nisn't\naren't\nwasn't\nweren't\nhasn't\nhaven't\nhadn't\n"
	"doesn't\ndon't\ndidn't\nwon't\nwouldn't\nshan't\nshouldn't\ncan't\ncannot\ncouldn't\nmustn't\n"
	"let's\nthat's\nwho's\nwhat's\nhere's\nthere's\nwhen's\nwhere's\nwhy's\nhow's\na\nan\nthe\nand\n"
	"but\nif\nor\nbecause\nas\nuntil\nwhile\nof\nat\nby\nfor\nwith\nabout\nagainst\nbetween\ninto\n"
	"through\nduring\nbefore\nafter\nabove\nbelow\nto\nfrom\nup\ndown\nin\nout\non\noff\nover\nunder\n"
	"again\nfurther\nthen\nonce\nhere\nthere\nwhen\nwhere\nwhy\nhow\nall\nany\nboth\neach\nfew\nmore\n"
	"most\nother\nsome\nsuch\nno\nnor\nnot\nonly\nown\nsame\nso\nthan\ntoo\nvery\n";

struct lc_analyzer {
	unsigned flags;
	struct sb_stemmer *stem;
	lc_buf stoptext;         /* "w1\nw2\n" as stored in an index */
	lc_strmap stop;
	lc_strmap cache;         /* folded word -> cache id */
	int32_t *clen;           /* per cache id: term length, -1 = stopword */
	const char **cterm;      /* per cache id: term bytes (arena) */
	size_t ccap;
	lc_arena arena;
	lc_buf word;             /* folded word being built */
};

#include "casefold_table.h"   /* lc_casefold_pairs: U+0180 on, generated */

uint32_t lc_casefold(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 32 : c;
	if (c < 0x100) {
		if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
			return c + 32;
		if (c == 0xB5)
			return 0x3BC;                       /* micro sign -> mu */
		return c;
	}
	if (c < 0x180) {
		if (c == 0x130) return 'i';             /* CaseFolding.txt's T entry: search 'i' matches */
		if (c == 0x131 || c == 0x138 || c == 0x149) return c;
		if (c == 0x178) return 0xFF;
		if (c == 0x17F) return 's';
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c + 1 : c;
		return (c & 1) ? c : c + 1;
	}
	size_t lo = 0, hi = LC_CASEFOLD_PAIRS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lc_casefold_pairs[mid][0] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < LC_CASEFOLD_PAIRS && lc_casefold_pairs[lo][0] == c ? lc_casefold_pairs[lo][1] : c;
}

int lc_is_word_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
	if (c < 0xC0)
		return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA;
	if (c == 0xD7 || c == 0xF7)
		return 0;
	if (c >= 0x2000 && c <= 0x2BFF)
		return 0;
	if (c >= 0x3000 && c <= 0x303F)
		return 0;
	if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF))
		return 2;
	if (c >= 0xE000 && c <= 0xF8FF)
		return 0;
	if (c >= 0xFE30 && c <= 0xFE4F)
		return 0;
	if (c >= 0xFF00 && c <= 0xFF65)
		return (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
	if (c >= 0xFFF0 && c <= 0xFFFF)
		return 0;
	if (c >= 0x1F000 && c <= 0x1FAFF)
		return 0;
	return 1;
}

static int load_stop(lc_analyzer *a, const char *text, size_t n)
{
	const char *p = text, *end = text + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *s = p, *t = le;
		while (s < t && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		for (const char *h = s; h < t; h++)
			if (*h == '#') {
				t = h;
				break;
			}
		while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
			t--;
		if (t > s) {
			int is_new;
			lc_strmap_intern(&a->stop, s, (size_t)(t - s), &is_new);
			if (is_new) {
				lc_buf_add(&a->stoptext, s, (size_t)(t - s));
				lc_buf_addc(&a->stoptext, '\n');
			}
		}
		p = le + 1;
	}
	return 0;
}

static lc_analyzer *make(unsigned flags, lc_err *e)
{
	lc_analyzer *a = lc_xcalloc(1, sizeof *a);
	a->flags = flags & (LC_AN_STEM | LC_AN_STOP);
	if (a->flags & LC_AN_STEM) {
		a->stem = sb_stemmer_new("english", NULL);
		if (!a->stem) {
			lc_err_set(e, LC_EXIT_INPUT, "cannot create the Snowball English stemmer (libstemmer)");
			free(a);
			return NULL;
		}
	}
	lc_buf_adds(&a->stoptext, "");
	return a;
}

lc_analyzer *lc_analyzer_from_config(unsigned flags, const char *stop, size_t stop_len, lc_err *e)
{
	lc_analyzer *a = make(flags, e);
	if (a && (a->flags & LC_AN_STOP))
		load_stop(a, stop, stop_len);
	return a;
}

lc_analyzer *lc_analyzer_new(const lc_analyze_opts *opts, lc_err *e)
{
	unsigned flags = opts ? opts->flags : LC_ANALYZE_DEFAULT_FLAGS;
	if (!(flags & LC_AN_STOP))
		return make(flags, e);
	char *path = NULL;
	const char *file = opts ? opts->stopword_file : NULL;
	if (!file) {
		path = lc_data_path("stopwords/english.txt");
		if (!path)
			return lc_analyzer_from_config(flags, lc_english_stopwords, strlen(lc_english_stopwords), e);
		file = path;
	}
	lc_input *in = lc_input_open(file, NULL, e);
	free(path);
	if (!in)
		return NULL;
	char *text;
	size_t len;
	int r = lc_input_slurp(in, &text, &len, e);
	lc_input_close(in);
	if (r < 0)
		return NULL;
	lc_analyzer *a = lc_analyzer_from_config(flags, text, len, e);
	free(text);
	return a;
}

lc_analyzer *lc_analyzer_clone(const lc_analyzer *a)
{
	/* a's configuration was accepted once, so building it again can only run
	 * out of memory (a new stemmer and word cache) */
	lc_analyzer *b = lc_analyzer_from_config(a->flags, a->stoptext.p, a->stoptext.len, NULL);
	if (!b)
		lc_oom();
	return b;
}

void lc_analyzer_config(const lc_analyzer *a, unsigned *flags, const char **stop, size_t *stop_len)
{
	*flags = a->flags;
	*stop = a->stoptext.p ? a->stoptext.p : "";
	*stop_len = a->stoptext.len;
}

void lc_analyzer_describe(const lc_analyzer *a, char *out, size_t outsz)
{
	snprintf(out, outsz, "stem=%s stopwords=%zu", (a->flags & LC_AN_STEM) ? "english" : "none",
	         (a->flags & LC_AN_STOP) ? lc_strmap_count(&a->stop) : (size_t)0);
}

void lc_analyzer_free(lc_analyzer *a)
{
	if (!a)
		return;
	if (a->stem)
		sb_stemmer_delete(a->stem);
	lc_buf_free(&a->stoptext);
	lc_strmap_free(&a->stop);
	lc_strmap_free(&a->cache);
	free(a->clen);
	free(a->cterm);
	lc_arena_free(&a->arena);
	lc_buf_free(&a->word);
	free(a);
}

/* Turns the folded word into a term (or nothing) and hands it to fn, via the cache. */
static size_t emit(lc_analyzer *a, const char *w, size_t n, lc_term_fn fn, void *arg)
{
	if (n > LC_MAX_TERM)
		return 0;
	int is_new = 0;
	uint32_t id;
	if (lc_strmap_count(&a->cache) < CACHE_MAX) {
		id = lc_strmap_intern(&a->cache, w, n, &is_new);
	} else {
		long f = lc_strmap_find(&a->cache, w, n);
		if (f < 0) {
			id = UINT32_MAX;
			is_new = 1;
		} else
			id = (uint32_t)f;
	}
	if (!is_new) {
		if (a->clen[id] < 0)
			return 0;
		fn(a->cterm[id], (size_t)a->clen[id], arg);
		return 1;
	}
	const char *term = w;
	int32_t tlen = (int32_t)n;
	if ((a->flags & LC_AN_STOP) && lc_strmap_find(&a->stop, w, n) >= 0)
		tlen = -1;
	else if (a->stem) {
		const sb_symbol *s = sb_stemmer_stem(a->stem, (const sb_symbol *)w, (int)n);
		if (s) {
			term = (const char *)s;
			tlen = sb_stemmer_length(a->stem);
		}
	}
	if (id != UINT32_MAX) {
		if (id >= a->ccap) {
			a->ccap = a->ccap ? a->ccap * 2 : 4096;
			a->clen = lc_xrealloc(a->clen, a->ccap * sizeof *a->clen);
			a->cterm = lc_xrealloc(a->cterm, a->ccap * sizeof *a->cterm);
		}
		a->clen[id] = tlen;
		a->cterm[id] = tlen >= 0 ? lc_arena_strndup(&a->arena, term, (size_t)tlen) : NULL;
		term = a->cterm[id];
	}
	if (tlen < 0 || tlen == 0)
		return 0;
	fn(term, (size_t)tlen, arg);
	return 1;
}

size_t lc_analyze(lc_analyzer *a, const char *text, size_t n, lc_term_fn fn, void *arg)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, count = 0;
	lc_buf *w = &a->word;
	lc_buf_reset(w);
	while (i < n) {
		uint32_t cp;
		size_t l;
		if (s[i] < 0x80) {
			cp = s[i];
			l = 1;
		} else if (!(l = lc_utf8_decode(s + i, n - i, &cp))) {
			cp = ' ';
			l = 1;
		}
		int k = lc_is_word_char(cp);
		if (k == 1) {
			cp = lc_casefold(cp);
			if (cp < 0x80)
				lc_buf_addc(w, (char)cp);
			else {
				char enc[4];
				lc_buf_add(w, enc, lc_utf8_encode(cp, enc));
			}
			i += l;
			continue;
		}
		if ((cp == '\'' || cp == 0x2019) && w->len > 0 && i + l < n) {
			uint32_t nx;
			size_t l2 = s[i + l] < 0x80 ? (nx = s[i + l], 1) : lc_utf8_decode(s + i + l, n - i - l, &nx);
			if (l2 && lc_is_word_char(nx) == 1 && w->p[w->len - 1] != '\'') {
				lc_buf_addc(w, '\'');
				i += l;
				continue;
			}
		}
		if (w->len) {
			count += emit(a, w->p, w->len, fn, arg);
			lc_buf_reset(w);
		}
		if (k == 2) {
			char enc[4];
			size_t el = lc_utf8_encode(cp, enc);
			count += emit(a, enc, el, fn, arg);
		}
		i += l;
	}
	if (w->len) {
		count += emit(a, w->p, w->len, fn, arg);
		lc_buf_reset(w);
	}
	return count;
}
