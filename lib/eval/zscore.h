/*
 * zscore — trec_eval's -Z FILE (get_zscores.c, convert_zscores.c): per topic
 * and measure value a mean and a standard deviation, read from lines
 * "qid measure mean stddev" (whitespace-separated, atof numbers), and the
 * conversion of a topic's raw value into its deviation from that mean in
 * standard deviations.
 *
 * lc_zscore() gives (value - mean) / stddev; with stddev 0 it gives 0 when the
 * value equals the mean, else LC_ZSCORE_MISSING, which it also gives when the
 * file has no line for the topic or the measure (trec_eval's -1000000).
 * trec_eval's lookups read one entry past the topic's (or the file's) last: a
 * measure missing for one topic may take the next topic's first line, a topic
 * missing from the file reads past the end.  lceval does what the help text
 * says (LC_ZSCORE_MISSING) instead; a (qid, measure) given twice: the first
 * line counts (trec_eval takes either).
 *
 * Ownership: lc_zscores_read() returns a malloc'd table (lc_zscores_free); the
 * strings passed to lc_zscore are borrowed for the call.
 */
#ifndef LC_ZSCORE_H
#define LC_ZSCORE_H

#include "err.h"

#define LC_ZSCORE_MISSING (-1000000.0)

typedef struct lc_zscores lc_zscores;

/* The file at path (any compression, '-' = stdin, as every lctk input).  NULL
 * + e with trec_eval's text and code 255 (its main returns UNDEF):
 * "trec_eval.get_zscores: Cannot read zscores file 'F'" (missing, unreadable
 * or empty) or "trec_eval.get_zscores: Malformed line N" (not four fields,
 * a blank line included). */
lc_zscores *lc_zscores_read(const char *path, lc_err *e);
void lc_zscores_free(lc_zscores *z);
/* value as a z score for topic qid and the printed value name meas ("P_10"). */
double lc_zscore(const lc_zscores *z, const char *qid, const char *meas, double value);

#endif
