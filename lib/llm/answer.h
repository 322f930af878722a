/*
 * answer — LOFT's rule for turning an LLM's raw answer text into predicted ids.
 *
 * The rule (LOFT, Lee et al. 2024; google-deepmind/loft extract_prediction()):
 *   1. delete every '*' and '`', strip surrounding white space, split on '\n'
 *      (a '\r' stays part of its line);
 *   2. pick the answer line: LC_ANSWER_LOFT_53358FF (default)
 *      takes the FIRST line containing "final answer" (any case) and both '[' and
 *      ']'; LC_ANSWER_LOFT_HEAD takes the first line containing '[' and ']';
 *   3. cut from the first '[' to the last ']' and read it as a Python literal
 *      (what ast.literal_eval accepts: ints in any base with '_', floats, complex,
 *      strings with prefixes/escapes/implicit concatenation, \N{NAME} escapes,
 *      bytes, True/False/
 *      None, lists, tuples, sets, dicts); apostrophes between two alphanumerics
 *      are treated as escaped, as LOFT does.  A parse error gives an EMPTY
 *      prediction and no later line is tried; no qualifying line gives an empty
 *      prediction;
 *   4. each element becomes str(element) (Python's str(): 3 -> "3", 0x1 -> "1",
 *      'a' -> "a"; for a float/bool/None/container the Python text is not
 *      reproduced — such an element is flagged as non-mappable instead).
 * Mapping row indices to pids (LOFT's pid_mapper[str(a)]) is
 * lc_answer_map(): an element that is not a known index makes the whole
 * answer unmappable (LOFT then writes no prediction: "unanswered").
 *
 * \N{NAME} is resolved as CPython's unicodedata does for string escapes (names
 * and aliases case-insensitively, Hangul syllables, CJK unified ideographs; an
 * unknown name is a parse error, as in Python).  The names are read from the
 * Unicode Character Database files (UnicodeData.txt, NameAliases.txt in
 * /usr/share/unicode, Debian's unicode-data) when an escape is met, not
 * compiled in: the table is 0.9 MB of names (0.26 MB front-coded) that every
 * program parsing answers would carry for an escape models practically never
 * write, and reading the files for the rare answer that has one costs a few
 * milliseconds.  Without the files the element's text is unknown and it is not
 * mappable (with a warning).  Debian 12 ships Unicode 15.0; Python 3.11, which
 * LOFT ran on, has 14.0 (names new in 15.0 resolve here and fail there).
 *
 * Ownership: ids is filled with malloc'd strings the caller releases with
 * lc_strlist_free().
 */
#ifndef LC_ANSWER_H
#define LC_ANSWER_H

#include <stddef.h>

typedef struct lc_strlist {
	char **s;
	size_t n, cap;
} lc_strlist;

void lc_strlist_push(lc_strlist *l, const char *s, size_t n);
void lc_strlist_clear(lc_strlist *l);   /* frees the strings, keeps the array */
void lc_strlist_free(lc_strlist *l);

enum lc_answer_variant {
	LC_ANSWER_LOFT_53358FF = 0,   /* line must contain "final answer" (default) */
	LC_ANSWER_LOFT_HEAD = 1       /* first line with '[' and ']' */
};

/* Result flags of lc_answer_parse(). */
enum {
	LC_ANSWER_FOUND = 1,          /* a qualifying line was found */
	LC_ANSWER_PARSE_ERROR = 2,    /* its bracket text was not a Python literal */
	LC_ANSWER_NONSTR = 4          /* some element is not an int or str (never maps) */
};

/* Parses text (n bytes, need not be NUL-terminated) into ids (cleared first).
 * Returns the LC_ANSWER_* flags; ids holds str() of each top-level element in
 * order, duplicates kept (empty on parse error). */
int lc_answer_parse(const char *text, size_t n, int variant, lc_strlist *ids);

/* Maps ids (row indices as decimal strings "0".."nrows-1") to pids[index] in place.
 * Returns 0, or -1 if some id is not a valid index (ids then unchanged) —
 * LOFT's "unanswered".  flags = the result of lc_answer_parse (NONSTR -> -1). */
int lc_answer_map(lc_strlist *ids, int flags, char *const *pids, size_t nrows);

#endif
