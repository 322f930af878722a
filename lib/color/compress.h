/*
 * compress — the embedded extractive compressor of CoLoR (Seo et al., ACL 2025:
 * passages compressed offline so a corpus fits a long-context retriever's prompt).
 *
 * A passage is cut into sentences (lib/text/sentsplit) and each sentence into words
 * (whitespace-separated chunks).  Each word gets a feature vector computed from
 * the word, its sentence, its passage and the corpus (lc_cctx): term specificity
 * (Lucene IDF of its rarest term, rare/unique-in-corpus flags), overlap with the
 * title, function word, number, capitalisation, repetition inside the passage
 * and the sentence's redundancy with earlier sentences, position and length of
 * word, sentence and passage.  Terms are lowercased alphanumeric runs stemmed
 * with Snowball English (libstemmer), close to what BM25 indexes.
 *
 * Model: every word is kept independently with probability
 * p_w = sigmoid(theta . f_w).  A candidate compression is a keep-mask y over the
 * words; its probability is prod_w p_w^y_w (1 - p_w)^(1 - y_w), and the
 * "mean per-token log-probability" of CoLoR's ORPO objective is the mean over the passage's
 * words, lp = (1/n) sum_w log P(y_w).  Any candidate text (an extract or an LLM
 * summary) maps to a mask by lc_cunits_project(): a passage word is kept when the
 * candidate still holds an unused occurrence of its main term.
 *
 * Training pairs go through the ORPO loss (lib/color/orpo.h, lc_orpo), whose gradient
 * with respect to lp_c and lp_r lc_cmodel_logprob() chains to theta.
 *
 * Decoding (lc_compress_select): keep the words with p_w >= threshold (the
 * model's, or given) when ratio is 0, else (ratio >= 1) the top ceil(n / ratio)
 * words; a passage of one
 * sentence stays whole; a non-empty passage never compresses to nothing (the
 * most probable word is kept), since an empty summary means "use the passage".
 * With unit = sentence, whole sentences are kept by their mean p_w.
 *
 * Corpus-wide allocation (lc_cmodel_passage_threshold): the ORPO pairs only
 * compare candidates of the same passage, so they never teach how much of each
 * passage to keep relative to the others under one corpus-wide threshold.  The
 * model's length_bias shifts each passage's threshold in logit space by
 * length_bias * (log(1 + words) - mean over the corpus), so that long passages
 * (more repetition and filler) are cut harder than short ones.  It is a
 * hyperparameter stored in the model (lctrain --length-bias), chosen leave one
 * dataset out (tests/bench/lcompress.sh).
 *
 * Model file (text, see lctk-formats(5)): "lctk-compress-model 1", the feature
 * names, weights as hexadecimal floats (exact round trip), threshold, an
 * optional length_bias (absent: 0), free "meta" lines, then "checksum CRC32"
 * over all preceding bytes.
 *
 * Ownership: lc_cctx_new/lc_cctx_free; lc_cunits is caller-owned and reused
 * (lc_cunits_free releases); lc_cmodel owns its weight array (lc_cmodel_free).
 * A cctx is read-only after building and may be shared by threads; the stemmer
 * inside it is not: lc_cunits_build() takes the cctx non-const for that reason.
 */
#ifndef LC_COMPRESS_H
#define LC_COMPRESS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "sentsplit.h"
#include "orpo.h"  /* lc_orpo, the loss the model trains with */

#define LC_CMODEL_VERSION 1

enum {
	LC_F_BIAS, LC_F_STOP, LC_F_IDF, LC_F_IDF2, LC_F_TITLE, LC_F_REPEAT, LC_F_TF,
	LC_F_NUM, LC_F_CAP, LC_F_PUNCT, LC_F_SPOS, LC_F_SFIRST, LC_F_SIDF, LC_F_STITLE,
	LC_F_SLEN, LC_F_PLEN, LC_F_UNIQUE, LC_F_RARE, LC_F_WPOS, LC_F_SREDUND, LC_F_WLEN,
	LC_F_IDF_TITLE, LC_F_STOP_SIDF,
	LC_NFEAT
};
/* Feature names, in order (the model file lists them). */
extern const char *const lc_cfeat_names[LC_NFEAT];

typedef struct lc_cctx lc_cctx;

lc_cctx *lc_cctx_new(void);
/* Adds one passage to the corpus statistics (document frequencies). */
void lc_cctx_add(lc_cctx *cx, const char *title, const char *text);
void lc_cctx_free(lc_cctx *cx);

typedef struct lc_cunits {
	size_t n;               /* words */
	lc_span *w;             /* byte spans of the words in the text */
	unsigned *sent;         /* sentence index of each word */
	size_t nsent;
	double *f;              /* n x LC_NFEAT features */
	long *term;             /* main term id per word (-1: no alphanumeric term) */
	/* internal scratch */
	size_t cap;
	lc_sentv sv;
	lc_buf tmp;
} lc_cunits;

/* Cuts text into words and computes their features (title may be NULL). */
void lc_cunits_build(lc_cunits *u, lc_cctx *cx, const char *title, const char *text);
/* Mask of the passage words that the candidate text keeps (see header comment).
 * Returns the number kept. */
size_t lc_cunits_project(const lc_cunits *u, lc_cctx *cx, const char *text,
                         const char *cand, unsigned char *mask);
void lc_cunits_free(lc_cunits *u);
/* The word count u->n that lc_cunits_build(u, ..., text) gives, without the
 * features or the corpus (sentence split into the caller's scratch). */
size_t lc_cunits_count(const char *text, lc_sentv *scratch);

typedef struct lc_cmodel {
	double w[LC_NFEAT];
	double threshold;        /* keep a word when p >= threshold */
	double length_bias;      /* see lc_cmodel_passage_threshold; 0: none */
	char *meta;              /* "key value\n" lines, may be NULL */
} lc_cmodel;

/* Untrained model: keeps everything a little more than half the time. */
void lc_cmodel_init(lc_cmodel *m);
int lc_cmodel_load(lc_cmodel *m, const char *path, lc_err *e);
/* The file's bytes (with its checksum line) into b. */
void lc_cmodel_format(const lc_cmodel *m, lc_buf *b);
void lc_cmodel_free(lc_cmodel *m);

/* p[i] = keep probability of word i. */
void lc_cmodel_probs(const lc_cmodel *m, const lc_cunits *u, double *p);
/* Mean per-word log-probability of mask; if grad != NULL, adds
 * scale * d(lp)/d(theta) to grad[LC_NFEAT]. */
double lc_cmodel_logprob(const lc_cmodel *m, const lc_cunits *u, const unsigned char *mask,
                         double *grad, double scale);

/* The keep threshold for one passage of nwords words, given the corpus-wide
 * threshold and mean_log = the mean of log(1 + words) over the passages being
 * compressed together: threshold shifted in logit space by
 * m->length_bias * (log(1 + nwords) - mean_log).  Thresholds of 0 or 1 and a
 * zero length_bias are returned unchanged. */
double lc_cmodel_passage_threshold(const lc_cmodel *m, double threshold, size_t nwords, double mean_log);
/* The same shift moved onto a word's probability instead: p passes
 * lc_cmodel_passage_threshold(m, t, nwords, mean_log) exactly when the returned
 * value passes t.  Lets one corpus-wide threshold be calibrated by ranking. */
double lc_cmodel_length_adjust(const lc_cmodel *m, double p, size_t nwords, double mean_log);

enum { LC_UNIT_WORD = 0, LC_UNIT_SENT = 1 };
/* Chooses the words to keep into mask[u->n]; ratio > 1 keeps the top
 * ceil(n / ratio) (sentence unit: sentences until the budget), else the threshold
 * (< 0: the model's) decides.  p: scratch of u->n doubles.  Returns words kept. */
size_t lc_compress_select(const lc_cmodel *m, const lc_cunits *u, double ratio, double threshold,
                          int unit, double *p, unsigned char *mask);
/* lc_compress_select with the probabilities already in p (lc_cmodel_probs; not
 * read for a passage of one sentence): the same mask, so that one passage can be
 * decoded at many thresholds for the price of one lc_cmodel_probs. */
size_t lc_compress_select_p(const lc_cmodel *m, const lc_cunits *u, const double *p, double ratio,
                            double threshold, int unit, unsigned char *mask);
/* Appends the kept words, single-space separated, to out.  bare: strip leading
 * and trailing punctuation from each word and drop words that are only
 * punctuation (BM25 never sees it; it costs tokens). */
void lc_compress_render(const lc_cunits *u, const char *text, const unsigned char *mask, int bare,
                        lc_buf *out);
/* The bytes lc_compress_render writes for word k: text[*start..*start + length),
 * the returned length (0: a bare word that is only punctuation, not written). */
size_t lc_compress_piece(const lc_cunits *u, const char *text, size_t k, int bare, size_t *start);

#endif
