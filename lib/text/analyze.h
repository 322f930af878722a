/*
 * analyze — the text analyser shared by lcindex, lcretrieve and every program that
 * scores text with BM25.  Text (UTF-8) becomes a sequence of index terms:
 *
 * 1. Word split.  A word is a maximal run of word characters: ASCII letters and
 *    digits, and every code point >= U+0080 except separators and symbols (Latin-1
 *    punctuation and signs U+0080-U+00BF other than ª ² ³ µ ¹ º, × and ÷; the
 *    blocks U+2000-U+2BFF (general punctuation, super/subscripts, currency, arrows,
 *    maths, box drawing, dingbats), U+3000-U+303F, U+FE30-U+FE4F, ASCII-like
 *    punctuation in U+FF00-U+FF65, private use U+E000-U+F8FF, specials U+FFF0-U+FFFF,
 *    and U+1F000-U+1FAFF (emoji and pictographs)).  Combining marks stay inside
 *    words.  Han ideographs and kana (U+3040-U+30FF, U+3400-U+4DBF, U+4E00-U+9FFF,
 *    U+F900-U+FAFF, U+20000-U+2FFFF) are one term each.  An apostrophe (' or U+2019)
 *    between two word characters is kept as ' ("don't", "o'neill").  Invalid UTF-8
 *    bytes separate words.  Words longer than LC_MAX_TERM bytes are dropped.
 * 2. Lowercase: Unicode simple case folding for ASCII, Latin-1, Latin Extended-A,
 *    the regular pairs of Latin Extended-B and Latin Extended Additional, Greek
 *    (final sigma folds to sigma), Cyrillic (incl. the U+0400 supplement), Armenian
 *    and fullwidth Latin.  Other scripts pass through unchanged.
 * 3. Stopwords (optional): the folded word is dropped if it is in the list
 *    (default share/lctk/stopwords/english.txt: 174 common English function words —
 *    pronouns, auxiliaries and their contractions, determiners, prepositions,
 *    conjunctions, question words; a built-in copy is used if the file is missing).
 * 4. Stemming (optional): Snowball English ("english" in libstemmer, i.e. Porter2),
 *    which also strips the possessive 's.
 *
 * The configuration (flags + stopword list) can be exported with
 * lc_analyzer_config() and rebuilt with lc_analyzer_from_config(): an index stores
 * it, so queries are analysed exactly like the documents.
 *
 * Threads: an lc_analyzer holds a libstemmer stemmer and a word->term cache, so it
 * is NOT thread-safe; give each thread its own (lc_analyzer_clone()).
 * Ownership: lc_analyzer_new/clone/from_config allocate, lc_analyzer_free releases.
 * Token pointers passed to callbacks are valid only during the callback.
 */
#ifndef LC_ANALYZE_H
#define LC_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "utf8.h"  /* lc_utf8_decode, for callers that used to find it here */

#define LC_MAX_TERM 128

enum {
	LC_AN_STEM = 1,      /* Snowball English stemming */
	LC_AN_STOP = 2,      /* drop stopwords */
};

typedef struct lc_analyze_opts {
	unsigned flags;              /* LC_AN_* */
	const char *stopword_file;   /* NULL = share/lctk/stopwords/english.txt */
} lc_analyze_opts;

#define LC_ANALYZE_DEFAULT_FLAGS (LC_AN_STEM | LC_AN_STOP)

typedef struct lc_analyzer lc_analyzer;

/* The default English list, "word\n" each: the words of share/lctk/stopwords/english.txt,
 * used when that file is not found. */
extern const char lc_english_stopwords[];

/* opts NULL = defaults.  NULL + e if the stopword list or stemmer cannot be had. */
lc_analyzer *lc_analyzer_new(const lc_analyze_opts *opts, lc_err *e);
/* Same configuration, independent state (for another thread).  Fails only when
 * memory is exhausted (lc_oom, err.h). */
lc_analyzer *lc_analyzer_clone(const lc_analyzer *a);
/* From a stored configuration: flags and the stopword list as "w1\nw2\n..." text. */
lc_analyzer *lc_analyzer_from_config(unsigned flags, const char *stop, size_t stop_len, lc_err *e);
/* The configuration to store: *stop points into a (valid while a lives). */
void lc_analyzer_config(const lc_analyzer *a, unsigned *flags, const char **stop, size_t *stop_len);
/* "stem=english stopwords=33" — for --stats and messages. */
void lc_analyzer_describe(const lc_analyzer *a, char *out, size_t outsz);
void lc_analyzer_free(lc_analyzer *a);

/* Calls fn for every term of text[0..n) in order; returns the number of terms. */
typedef void (*lc_term_fn)(const char *term, size_t len, void *arg);
size_t lc_analyze(lc_analyzer *a, const char *text, size_t n, lc_term_fn fn, void *arg);

/* Building blocks, exposed for tests and other tokenisers. */
uint32_t lc_casefold(uint32_t cp);        /* simple case folding (see above) */
int lc_is_word_char(uint32_t cp);         /* 1 word char, 2 single-char term (Han/kana), 0 not */

#endif
