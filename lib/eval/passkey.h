/*
 * passkey — scores passkey-retrieval answers (lceval -m passkey) against the
 * probes lcgen probes writes, per target length and per depth of the key.
 *
 * Probes: JSONL {"id", "length", "answer", "prompt"} (lcgen probes without
 * --batch; other fields ignored): "id" a string or integer, "length" the target
 * length in tokens (an integer >= 1), "answer" the key (a string or integer).
 * The depth of the key is a record's "depth" (a number from 0 to 1) when it has
 * one, else where the key first occurs in "prompt" (as a whole number when the
 * key is one, else as text): the bytes before it over the prompt's bytes.
 * lcgen's filler is ASCII sentences repeated, so bytes and tokens agree within
 * about one percent.  Depths fall in ten bins of ten percent, [0,10) ... [90,100]
 * (the key at the very end is in the last bin); a bin is named by its lower edge.
 *
 * Answers, one JSONL file per run, any mix of lctk's forms, a line each:
 *   - an OpenAI Batch result {"custom_id", "response": {"status_code", "body"},
 *     "error"} (a line with custom_id and response): the first choice's
 *     content (lib/llm/llm: lc_llm_content); an error, a status other than 200
 *     or a body without content is a FAILED answer;
 *   - an HTTP response or plain answer: the id in "qid", "id" or "custom_id",
 *     the text in "response_text", "answer", "response", "output", "text" or
 *     "model_output" (lib/eval/run's keys; lcretrieve --responses writes qid and
 *     response_text); a null text is a failed answer.
 * An id that is not a probe is an error (FILE:LINE), and so is a probe record or
 * a Batch request (custom_id and body, no response) where an answer belongs.  A later line for the same
 * probe replaces a failed answer (Batch results of a resubmission appended to
 * the first results); two answers with text for one probe are an error.
 *
 * Scoring (RULER's string_match_all with one reference, passkey retrieval's
 * "does the answer hold the key"): an answer is CORRECT when it contains the
 * key, white space around the key removed; a key of digits only must appear as
 * a whole number (a run of ASCII digits not preceded or followed by a digit:
 * "The pass key is 12345." holds 12345, "112345" and "12,345" do not); any other
 * key is found as text, ASCII case ignored.  A probe with no answer line is
 * MISSING, one whose request failed FAILED: both count against accuracy, which
 * is correct / probes.
 *
 * Ownership: lc_passkey_set owns its ids and keys; lc_passkey_result owns its
 * arrays.  Nothing is printed except through the lc_output a caller gives.
 */
#ifndef LC_PASSKEY_H
#define LC_PASSKEY_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "output.h"
#include "strmap.h"

#define LC_PASSKEY_BINS 10

typedef struct lc_passkey_probe {
	const char *id;          /* borrowed from the set's map */
	long length;             /* target length in tokens */
	int depth;               /* depth of the key in percent, 0..100 (floor) */
	int bin;                 /* depth bin 0..LC_PASSKEY_BINS-1 */
	char *key;               /* malloc'd, white space trimmed */
} lc_passkey_probe;

typedef struct lc_passkey_set {
	lc_strmap ids;           /* probe id -> index into p */
	lc_passkey_probe *p;     /* in file order */
	size_t n;
} lc_passkey_set;

/* Reads the probes at path ("-" = stdin; compressed or archived as lc_input reads).
 * 0, or -1 + e (FILE:LINE: what is wrong). */
int lc_passkey_load(lc_passkey_set *s, const char *path, lc_err *e);
void lc_passkey_set_free(lc_passkey_set *s);

/* What a run did with one probe. */
enum { LC_PASSKEY_MISSING = 0, LC_PASSKEY_FAILED, LC_PASSKEY_WRONG, LC_PASSKEY_CORRECT };
/* "missing" "failed" "wrong" "correct" */
const char *lc_passkey_state_name(int state);

/* 1 when answer (n bytes) holds key by the rule above, else 0. */
int lc_passkey_match(const char *answer, size_t n, const char *key);

/* Reads one run's answers at path and sets state[i] (s->n entries, zeroed by the
 * caller: MISSING) for every probe answered.  0, or -1 + e. */
int lc_passkey_read_answers(const lc_passkey_set *s, const char *path, unsigned char *state, lc_err *e);

/* One row: a length (0 = every length), a depth bin (-1 = every depth), counts. */
typedef struct lc_passkey_row {
	long length;
	int bin;
	size_t probes, correct, wrong, failed, missing;
} lc_passkey_row;

typedef struct lc_passkey_result {
	lc_passkey_row all;
	lc_passkey_row *by_length;     /* lengths ascending */
	size_t nlength;
	lc_passkey_row *by_depth;      /* bins ascending, only bins with probes */
	size_t ndepth;
	lc_passkey_row *by_cell;       /* length, then bin; only cells with probes */
	size_t ncell;
} lc_passkey_result;

/* Counts state (one run, s->n entries) into r (overwritten; free with lc_passkey_result_free). */
void lc_passkey_score(const lc_passkey_set *s, const unsigned char *state, lc_passkey_result *r);
void lc_passkey_result_free(lc_passkey_result *r);
/* correct / probes (0 for an empty row) */
double lc_passkey_accuracy(const lc_passkey_row *w);

#endif
