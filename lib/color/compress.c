/*
 * compress — features, model, ORPO objective and decoding of the embedded
 * extractive compressor (see compress.h for the design).
 */
#include "compress.h"

#include <ctype.h>
#include <libstemmer.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "input.h"
#include "strmap.h"

const char *const lc_cfeat_names[LC_NFEAT] = {
	"bias", "stopword", "idf", "idf2", "in_title", "repeat", "tf", "number",
	"capitalised", "punctuation", "sentence_position", "first_sentence",
	"sentence_idf", "sentence_title", "sentence_length", "passage_length",
	"unique_in_corpus", "rare_in_corpus", "word_position", "sentence_redundancy",
	"word_length", "idf_x_title", "stopword_x_sentence_idf",
};

/* English function words: lowercase, sorted for bsearch. */
static const char *const stopwords[] = {
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an",
	"and", "any", "are", "as", "at", "be", "because", "been", "before", "being",
	"below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
	"doing", "down", "during", "each", "either", "few", "for", "from", "further",
	"had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
	"himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
	"just", "may", "me", "might", "more", "most", "must", "my", "myself", "no", "nor",
	"not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
	"ourselves", "out", "over", "own", "same", "shall", "she", "should", "so", "some",
	"such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
	"there", "these", "they", "this", "those", "through", "to", "too", "under",
	"until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
	"while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
	"yourself", "yourselves",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_stopword(const char *w)
{
	return bsearch(&w, stopwords, sizeof stopwords / sizeof *stopwords, sizeof *stopwords,
	               cmp_str) != NULL;
}

struct lc_cctx {
	lc_strmap stems;          /* stem -> id */
	lc_strmap raw;            /* lowercased word -> index into rawstem */
	uint32_t *rawstem;        /* raw id -> stem id */
	unsigned char *rawstop;   /* raw id -> stopword */
	size_t rawcap;
	uint32_t *df;             /* stem id -> document frequency */
	uint32_t *mark;           /* stem id -> last passage that counted it (+1) */
	int32_t *cnt;             /* stem id -> scratch counter (kept at 0) */
	int32_t *first;           /* stem id -> scratch (kept at -1) */
	size_t cap;
	size_t ndocs;
	struct sb_stemmer *stemmer;
	lc_buf low;
	uint32_t *titles;         /* scratch: title stem ids */
	size_t ntitles, titlecap;
};

lc_cctx *lc_cctx_new(void)
{
	lc_cctx *cx = lc_xcalloc(1, sizeof *cx);
	cx->stemmer = sb_stemmer_new("english", "UTF_8");
	if (!cx->stemmer)
		lc_oom();   /* English is compiled into libstemmer: only memory can fail */
	return cx;
}

void lc_cctx_free(lc_cctx *cx)
{
	if (!cx)
		return;
	lc_strmap_free(&cx->stems);
	lc_strmap_free(&cx->raw);
	free(cx->rawstem);
	free(cx->rawstop);
	free(cx->df);
	free(cx->mark);
	free(cx->cnt);
	free(cx->first);
	free(cx->titles);
	lc_buf_free(&cx->low);
	sb_stemmer_delete(cx->stemmer);
	free(cx);
}


static void grow_stems(lc_cctx *cx, size_t need)
{
	if (need <= cx->cap)
		return;
	size_t nc = cx->cap ? cx->cap : 1024;
	while (nc < need)
		nc *= 2;
	cx->df = lc_xrealloc(cx->df, nc * sizeof *cx->df);
	cx->mark = lc_xrealloc(cx->mark, nc * sizeof *cx->mark);
	cx->cnt = lc_xrealloc(cx->cnt, nc * sizeof *cx->cnt);
	cx->first = lc_xrealloc(cx->first, nc * sizeof *cx->first);
	for (size_t i = cx->cap; i < nc; i++) {
		cx->df[i] = cx->mark[i] = 0;
		cx->cnt[i] = 0;
		cx->first[i] = -1;
	}
	cx->cap = nc;
}

static int is_term_byte(unsigned char c) { return isalnum(c) || c >= 0x80; }

/* Stem id of the term s[0..n) (lowercased here); *stop set for function words. */
static uint32_t term_id(lc_cctx *cx, const char *s, size_t n, int *stop)
{
	lc_buf_reset(&cx->low);
	for (size_t i = 0; i < n; i++)
		lc_buf_addc(&cx->low, (char)tolower((unsigned char)s[i]));
	int is_new;
	uint32_t r = lc_strmap_intern(&cx->raw, cx->low.p, n, &is_new);
	if (is_new) {
		if (r >= cx->rawcap) {
			cx->rawcap = cx->rawcap ? cx->rawcap * 2 : 4096;
			cx->rawstem = lc_xrealloc(cx->rawstem, cx->rawcap * sizeof *cx->rawstem);
			cx->rawstop = lc_xrealloc(cx->rawstop, cx->rawcap);
		}
		cx->rawstop[r] = (unsigned char)is_stopword(cx->low.p);
		const sb_symbol *st = sb_stemmer_stem(cx->stemmer, (const sb_symbol *)cx->low.p, (int)n);
		int sl = sb_stemmer_length(cx->stemmer);
		uint32_t sid = st ? lc_strmap_intern(&cx->stems, (const char *)st, (size_t)sl, NULL)
		                  : lc_strmap_intern(&cx->stems, cx->low.p, n, NULL);
		grow_stems(cx, sid + 1);
		cx->rawstem[r] = sid;
	}
	*stop = cx->rawstop[r];
	return cx->rawstem[r];
}

static void count_doc(lc_cctx *cx, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		if (!is_term_byte((unsigned char)s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && is_term_byte((unsigned char)s[j]))
			j++;
		int stop;
		uint32_t t = term_id(cx, s + i, j - i, &stop);
		if (cx->mark[t] != cx->ndocs + 1) {
			cx->mark[t] = (uint32_t)cx->ndocs + 1;
			cx->df[t]++;
		}
		i = j;
	}
}

void lc_cctx_add(lc_cctx *cx, const char *title, const char *text)
{
	count_doc(cx, title);
	count_doc(cx, text);
	cx->ndocs++;
}

static double idf_of(const lc_cctx *cx, uint32_t t)
{
	double N = (double)cx->ndocs, df = t < cx->cap ? cx->df[t] : 0;
	if (df > N)
		df = N;
	double idf = log(1 + (N - df + 0.5) / (df + 0.5));
	double mx = log(1 + (N + 0.5) / 0.5);
	return mx > 0 ? idf / mx : 0;
}

static int in_title(const lc_cctx *cx, uint32_t t)
{
	for (size_t i = 0; i < cx->ntitles; i++)
		if (cx->titles[i] == t)
			return 1;
	return 0;
}

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Words (whitespace-separated chunks) inside the sentence spans of sv. */
static size_t count_words(const char *text, const lc_sentv *sv)
{
	size_t n = 0;
	for (size_t si = 0; si < sv->n; si++)
		for (size_t i = sv->v[si].start, b = sv->v[si].end; i < b; i++)
			if (!is_ws((unsigned char)text[i]) && (i == sv->v[si].start || is_ws((unsigned char)text[i - 1])))
				n++;
	return n;
}

size_t lc_cunits_count(const char *text, lc_sentv *scratch)
{
	lc_sentsplit(text, strlen(text), scratch);
	return count_words(text, scratch);
}

void lc_cunits_build(lc_cunits *u, lc_cctx *cx, const char *title, const char *text)
{
	u->n = 0;
	u->nsent = 0;
	size_t tn = strlen(text);
	/* title terms */
	cx->ntitles = 0;
	if (title) {
		size_t n = strlen(title);
		for (size_t i = 0; i < n;) {
			if (!is_term_byte((unsigned char)title[i])) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < n && is_term_byte((unsigned char)title[j]))
				j++;
			int stop;
			uint32_t t = term_id(cx, title + i, j - i, &stop);
			if (!stop) {
				if (cx->ntitles == cx->titlecap) {
					cx->titlecap = cx->titlecap ? cx->titlecap * 2 : 32;
					cx->titles = lc_xrealloc(cx->titles, cx->titlecap * sizeof *cx->titles);
				}
				cx->titles[cx->ntitles++] = t;
			}
			i = j;
		}
	}
	lc_sentsplit(text, tn, &u->sv);
	u->nsent = u->sv.n;
	/* the word arrays are sized by the passage's real word count, not a fixed minimum */
	size_t need = count_words(text, &u->sv);
	if (need > u->cap) {
		u->cap = u->cap * 2 > need ? u->cap * 2 : need;
		u->w = lc_xrealloc(u->w, u->cap * sizeof *u->w);
		u->sent = lc_xrealloc(u->sent, u->cap * sizeof *u->sent);
		u->term = lc_xrealloc(u->term, u->cap * sizeof *u->term);
		u->f = lc_xrealloc(u->f, u->cap * LC_NFEAT * sizeof *u->f);
	}
	/* words */
	for (size_t si = 0; si < u->sv.n; si++) {
		size_t a = u->sv.v[si].start, b = u->sv.v[si].end;
		for (size_t i = a; i < b;) {
			if (is_ws((unsigned char)text[i])) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < b && !is_ws((unsigned char)text[j]))
				j++;
			u->w[u->n].start = i;
			u->w[u->n].end = j;
			u->sent[u->n] = (unsigned)si;
			u->n++;
			i = j;
		}
	}
	size_t n = u->n;
	double plen = log(1.0 + (double)n) / 6.0;
	/* per word: main term, idf, flags */
	for (size_t k = 0; k < n; k++) {
		double *f = u->f + k * LC_NFEAT;
		memset(f, 0, LC_NFEAT * sizeof *f);
		size_t a = u->w[k].start, b = u->w[k].end;
		long best = -1;
		double bidf = 0;
		int allstop = 1, nterms = 0, digit = 0, intitle = 0;
		for (size_t i = a; i < b;) {
			if (!is_term_byte((unsigned char)text[i])) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < b && is_term_byte((unsigned char)text[j])) {
				if (isdigit((unsigned char)text[j]))
					digit = 1;
				j++;
			}
			int stop;
			uint32_t t = term_id(cx, text + i, j - i, &stop);
			double idf = idf_of(cx, t);
			if (best < 0 || idf > bidf) {
				best = t;
				bidf = idf;
			}
			if (!stop)
				allstop = 0;
			if (!stop && in_title(cx, t))
				intitle = 1;
			nterms++;
			i = j;
		}
		u->term[k] = best;
		f[LC_F_BIAS] = 1;
		f[LC_F_PLEN] = plen;
		if (!nterms) {
			f[LC_F_PUNCT] = 1;
			continue;
		}
		f[LC_F_STOP] = allstop;
		f[LC_F_IDF] = bidf;
		f[LC_F_IDF2] = bidf * bidf;
		f[LC_F_TITLE] = intitle;
		f[LC_F_IDF_TITLE] = bidf * intitle;
		f[LC_F_NUM] = digit;
		size_t ws = k;
		while (ws > 0 && u->sent[ws - 1] == u->sent[k])
			ws--;
		unsigned char c0 = (unsigned char)text[a];
		while (a < b && !is_term_byte(c0))
			c0 = (unsigned char)text[++a];
		f[LC_F_CAP] = (ws != k && isupper(c0)) ? 1 : 0;
		uint32_t df = (uint32_t)best < cx->cap ? cx->df[best] : 0;
		f[LC_F_UNIQUE] = df <= 1;
		f[LC_F_RARE] = df <= 3;
		double wl = (double)(b - u->w[k].start) / 12.0;
		f[LC_F_WLEN] = wl > 1 ? 1 : wl;
	}
	/* repetition and tf inside the passage */
	for (size_t k = 0; k < n; k++)
		if (u->term[k] >= 0)
			cx->cnt[u->term[k]]++;
	double logn = log(2.0 + (double)n);
	for (size_t k = 0; k < n; k++) {
		long t = u->term[k];
		if (t < 0)
			continue;
		double *f = u->f + k * LC_NFEAT;
		f[LC_F_TF] = log(1.0 + cx->cnt[t]) / logn;
		if (cx->first[t] >= 0)
			f[LC_F_REPEAT] = 1;
		else
			cx->first[t] = (int32_t)k;
	}
	/* sentence-level features */
	size_t k = 0;
	for (size_t si = 0; si < u->nsent; si++) {
		size_t a = k;
		while (k < n && u->sent[k] == si)
			k++;
		size_t len = k - a;
		if (!len)
			continue;
		double sidf = 0, stitle = 0, sred = 0;
		size_t nt = 0;
		for (size_t x = a; x < k; x++) {
			const double *f = u->f + x * LC_NFEAT;
			if (u->term[x] < 0)
				continue;
			nt++;
			sidf += f[LC_F_IDF];
			stitle += f[LC_F_TITLE];
			if ((size_t)cx->first[u->term[x]] < a)
				sred += 1;
		}
		if (nt) {
			sidf /= (double)nt;
			stitle /= (double)nt;
			sred /= (double)nt;
		}
		for (size_t x = a; x < k; x++) {
			double *f = u->f + x * LC_NFEAT;
			f[LC_F_SPOS] = u->nsent > 1 ? (double)si / (double)(u->nsent - 1) : 0;
			f[LC_F_SFIRST] = si == 0;
			f[LC_F_SIDF] = sidf;
			f[LC_F_STITLE] = stitle;
			f[LC_F_SLEN] = log(1.0 + (double)len) / 4.0;
			f[LC_F_WPOS] = len > 1 ? (double)(x - a) / (double)(len - 1) : 0;
			f[LC_F_SREDUND] = sred;
			f[LC_F_STOP_SIDF] = f[LC_F_STOP] * sidf;
		}
	}
	for (size_t x = 0; x < n; x++)
		if (u->term[x] >= 0) {
			cx->cnt[u->term[x]] = 0;
			cx->first[u->term[x]] = -1;
		}
	/* the sentence spans are scratch: a unit held for later keeps only n words */
	lc_sentv_free(&u->sv);
}

size_t lc_cunits_project(const lc_cunits *u, lc_cctx *cx, const char *text,
                         const char *cand, unsigned char *mask)
{
	(void)text;
	size_t cn = strlen(cand);
	lc_buf seen = {0};
	for (size_t i = 0; i < cn;) {
		if (!is_term_byte((unsigned char)cand[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < cn && is_term_byte((unsigned char)cand[j]))
			j++;
		int stop;
		uint32_t t = term_id(cx, cand + i, j - i, &stop);
		cx->cnt[t]++;
		lc_buf_add(&seen, &t, sizeof t);
		i = j;
	}
	size_t kept = 0;
	for (size_t k = 0; k < u->n; k++) {
		long t = u->term[k];
		if (t < 0)
			mask[k] = k > 0 ? mask[k - 1] : 0;
		else if (cx->cnt[t] > 0) {
			cx->cnt[t]--;
			mask[k] = 1;
		} else
			mask[k] = 0;
		kept += mask[k];
	}
	for (size_t i = 0; i + sizeof(uint32_t) <= seen.len; i += sizeof(uint32_t)) {
		uint32_t t;
		memcpy(&t, seen.p + i, sizeof t);
		cx->cnt[t] = 0;
	}
	lc_buf_free(&seen);
	return kept;
}

void lc_cunits_free(lc_cunits *u)
{
	free(u->w);
	free(u->sent);
	free(u->term);
	free(u->f);
	lc_sentv_free(&u->sv);
	lc_buf_free(&u->tmp);
	memset(u, 0, sizeof *u);
}

/* --- model ---------------------------------------------------------------- */

void lc_cmodel_init(lc_cmodel *m)
{
	memset(m, 0, sizeof *m);
	m->w[LC_F_BIAS] = 0.2;
	m->threshold = 0.5;
}

void lc_cmodel_free(lc_cmodel *m)
{
	free(m->meta);
	m->meta = NULL;
}

void lc_cmodel_format(const lc_cmodel *m, lc_buf *b)
{
	size_t start = b->len;
	lc_buf_printf(b, "lctk-compress-model %d\n", LC_CMODEL_VERSION);
	lc_buf_printf(b, "features %d\n", LC_NFEAT);
	for (int i = 0; i < LC_NFEAT; i++)
		lc_buf_printf(b, "w %s %a\n", lc_cfeat_names[i], m->w[i]);
	lc_buf_printf(b, "threshold %a\n", m->threshold);
	if (m->length_bias != 0)
		lc_buf_printf(b, "length_bias %a\n", m->length_bias);
	if (m->meta) {
		const char *s = m->meta;
		while (*s) {
			const char *nl = strchr(s, '\n');
			size_t l = nl ? (size_t)(nl - s) : strlen(s);
			if (l)
				lc_buf_printf(b, "meta %.*s\n", (int)l, s);
			s += l + (nl != NULL);
		}
	}
	uLong crc = crc32(0L, (const Bytef *)b->p + start, (uInt)(b->len - start));
	lc_buf_printf(b, "checksum %08lx\n", (unsigned long)crc);
}

int lc_cmodel_load(lc_cmodel *m, const char *path, lc_err *e)
{
	lc_cmodel_init(m);
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	char *data = NULL;
	size_t len = 0;
	if (lc_input_slurp(in, &data, &len, e) < 0) {
		lc_input_close(in);
		return -1;
	}
	lc_input_close(in);
	int rc = -1;
	lc_buf meta = {0};
	int seen[LC_NFEAT] = {0};
	if (len < 20 || strncmp(data, "lctk-compress-model ", 20)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: not an lctk compression model (no 'lctk-compress-model' header)", path);
		goto out;
	}
	int ver = atoi(data + 20);
	if (ver != LC_CMODEL_VERSION) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: model file version %d, this lctk reads version %d: retrain it with lctrain",
		           path, ver, LC_CMODEL_VERSION);
		goto out;
	}
	/* checksum: last line */
	char *ck = NULL;
	for (char *p = data; (p = strstr(p, "checksum ")) != NULL; p++)
		if (p == data || p[-1] == '\n')
			ck = p;
	if (!ck) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: no checksum line: the model file is truncated or corrupted", path);
		goto out;
	}
	unsigned long want = strtoul(ck + 9, NULL, 16);
	unsigned long got = crc32(0L, (const Bytef *)data, (uInt)(ck - data));
	if (want != got) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: checksum mismatch (file says %08lx, contents give %08lx): the model file is corrupted",
		           path, want, got);
		goto out;
	}
	*ck = 0;
	char *save = NULL;
	int lineno = 0;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1)
			continue;
		if (!strncmp(line, "features ", 9)) {
			if (atoi(line + 9) != LC_NFEAT) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%d: model has %d features, this lctk has %d: retrain it with lctrain",
				           path, lineno, atoi(line + 9), LC_NFEAT);
				goto out;
			}
		} else if (!strncmp(line, "w ", 2)) {
			char name[64];
			char val[64];
			if (sscanf(line + 2, "%63s %63s", name, val) != 2) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%d: bad weight line", path, lineno);
				goto out;
			}
			int fi = -1;
			for (int i = 0; i < LC_NFEAT; i++)
				if (!strcmp(name, lc_cfeat_names[i]))
					fi = i;
			char *end;
			double v = strtod(val, &end);
			if (fi < 0 || *end || !isfinite(v)) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%d: unknown feature '%s' or bad value: retrain the model with this lctk",
				           path, lineno, name);
				goto out;
			}
			m->w[fi] = v;
			seen[fi] = 1;
		} else if (!strncmp(line, "threshold ", 10)) {
			char *end;
			m->threshold = strtod(line + 10, &end);
			if (*end || !(m->threshold >= 0 && m->threshold <= 1)) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%d: bad threshold", path, lineno);
				goto out;
			}
		} else if (!strncmp(line, "length_bias ", 12)) {
			char *end;
			m->length_bias = strtod(line + 12, &end);
			if (*end || !isfinite(m->length_bias) || fabs(m->length_bias) > 100) {
				lc_err_set(e, LC_EXIT_INPUT, "%s:%d: bad length_bias", path, lineno);
				goto out;
			}
		} else if (!strncmp(line, "meta ", 5)) {
			lc_buf_adds(&meta, line + 5);
			lc_buf_addc(&meta, '\n');
		} else {
			lc_err_set(e, LC_EXIT_INPUT, "%s:%d: unknown line in model file", path, lineno);
			goto out;
		}
	}
	for (int i = 0; i < LC_NFEAT; i++)
		if (!seen[i]) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: feature '%s' missing from the model file", path, lc_cfeat_names[i]);
			goto out;
		}
	m->meta = meta.len ? lc_buf_detach(&meta) : NULL;
	rc = 0;
out:
	lc_buf_free(&meta);
	free(data);
	return rc;
}

double lc_cmodel_passage_threshold(const lc_cmodel *m, double threshold, size_t nwords, double mean_log)
{
	if (m->length_bias == 0 || !(threshold > 0 && threshold < 1))
		return threshold;
	double z = log(threshold / (1 - threshold)) + m->length_bias * (log1p((double)nwords) - mean_log);
	return 1 / (1 + exp(-z));
}

double lc_cmodel_length_adjust(const lc_cmodel *m, double p, size_t nwords, double mean_log)
{
	if (m->length_bias == 0)
		return p;
	double q = p < 1e-300 ? 1e-300 : p > 1 - 1e-16 ? 1 - 1e-16 : p;
	double z = log(q / (1 - q)) - m->length_bias * (log1p((double)nwords) - mean_log);
	return 1 / (1 + exp(-z));
}

static double dot(const double *w, const double *f)
{
	double s = 0;
	for (int i = 0; i < LC_NFEAT; i++)
		s += w[i] * f[i];
	return s;
}

void lc_cmodel_probs(const lc_cmodel *m, const lc_cunits *u, double *p)
{
	for (size_t k = 0; k < u->n; k++)
		p[k] = lc_sigmoid(dot(m->w, u->f + k * LC_NFEAT));
}

/* log lc_sigmoid(z), stable */
double lc_cmodel_logprob(const lc_cmodel *m, const lc_cunits *u, const unsigned char *mask,
                         double *grad, double scale)
{
	if (!u->n)
		return 0;
	double lp = 0, inv = 1.0 / (double)u->n;
	for (size_t k = 0; k < u->n; k++) {
		const double *f = u->f + k * LC_NFEAT;
		double z = dot(m->w, f);
		double y = mask[k] ? 1 : 0;
		lp += mask[k] ? lc_log_sigmoid(z) : lc_log_sigmoid(-z);
		if (grad) {
			double g = (y - lc_sigmoid(z)) * inv * scale;
			for (int i = 0; i < LC_NFEAT; i++)
				grad[i] += g * f[i];
		}
	}
	return lp * inv;
}

/* --- decoding -------------------------------------------------------------- */

typedef struct { double p; size_t i; } ranked;

static int cmp_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->p != y->p)
		return x->p > y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

size_t lc_compress_select(const lc_cmodel *m, const lc_cunits *u, double ratio, double threshold,
                          int unit, double *p, unsigned char *mask)
{
	if (u->n && u->nsent > 1)
		lc_cmodel_probs(m, u, p);
	return lc_compress_select_p(m, u, p, ratio, threshold, unit, mask);
}

size_t lc_compress_select_p(const lc_cmodel *m, const lc_cunits *u, const double *p, double ratio,
                            double threshold, int unit, unsigned char *mask)
{
	size_t n = u->n;
	if (!n)
		return 0;
	if (u->nsent <= 1) {
		memset(mask, 1, n);
		return n;
	}
	if (threshold < 0)
		threshold = m->threshold;
	memset(mask, 0, n);
	size_t kept = 0;
	if (unit == LC_UNIT_SENT) {
		/* mean p per sentence */
		ranked *r = lc_xmalloc(u->nsent * sizeof *r);
		size_t *len = lc_xcalloc(u->nsent, sizeof *len);
		for (size_t s = 0; s < u->nsent; s++) {
			r[s].p = 0;
			r[s].i = s;
		}
		for (size_t k = 0; k < n; k++) {
			r[u->sent[k]].p += p[k];
			len[u->sent[k]]++;
		}
		for (size_t s = 0; s < u->nsent; s++)
			r[s].p = len[s] ? r[s].p / (double)len[s] : 0;
		unsigned char *keep = lc_xcalloc(u->nsent, 1);
		if (ratio >= 1) {
			qsort(r, u->nsent, sizeof *r, cmp_ranked);
			size_t budget = (size_t)ceil((double)n / ratio), got = 0;
			for (size_t j = 0; j < u->nsent && got < budget; j++) {
				keep[r[j].i] = 1;
				got += len[r[j].i];
			}
		} else {
			size_t best = 0;
			for (size_t s = 0; s < u->nsent; s++) {
				if (r[s].p >= threshold)
					keep[s] = 1;
				if (r[s].p > r[best].p)
					best = s;
			}
			keep[r[best].i] = 1;
		}
		for (size_t k = 0; k < n; k++)
			if (keep[u->sent[k]]) {
				mask[k] = 1;
				kept++;
			}
		free(keep);
		free(len);
		free(r);
		return kept;
	}
	if (ratio >= 1) {
		ranked *r = lc_xmalloc(n * sizeof *r);
		for (size_t k = 0; k < n; k++) {
			r[k].p = p[k];
			r[k].i = k;
		}
		qsort(r, n, sizeof *r, cmp_ranked);
		size_t budget = (size_t)ceil((double)n / ratio);
		for (size_t j = 0; j < budget; j++)
			mask[r[j].i] = 1;
		free(r);
		return budget;
	}
	size_t best = 0;
	for (size_t k = 0; k < n; k++) {
		if (p[k] >= threshold) {
			mask[k] = 1;
			kept++;
		}
		if (p[k] > p[best])
			best = k;
	}
	if (!kept) {
		mask[best] = 1;
		kept = 1;
	}
	return kept;
}

size_t lc_compress_piece(const lc_cunits *u, const char *text, size_t k, int bare, size_t *start)
{
	size_t a = u->w[k].start, b = u->w[k].end;
	if (bare) {
		while (a < b && !is_term_byte((unsigned char)text[a]))
			a++;
		while (b > a && !is_term_byte((unsigned char)text[b - 1]))
			b--;
	}
	*start = a;
	return b - a;
}

void lc_compress_render(const lc_cunits *u, const char *text, const unsigned char *mask, int bare,
                        lc_buf *out)
{
	int first = 1;
	for (size_t k = 0; k < u->n; k++)
		if (mask[k]) {
			size_t a, len = lc_compress_piece(u, text, k, bare, &a), b = a + len;
			if (!len)
				continue;
			if (!first)
				lc_buf_addc(out, ' ');
			lc_buf_add(out, text + a, b - a);
			first = 0;
		}
	if (!out->p)
		lc_buf_adds(out, "");
}
