/*
 * batch — OpenAI Batch request files: split one at the API's limits (50,000
 * requests, 200 MB per file) and pick the requests to submit again (those whose
 * result is missing or an error).  Used by lcbatch; the files are the ones
 * lcretrieve --batch-out and lcgen write (lib/llm/llm.h, lc_llm_batch_request).
 *
 * Ownership: paths are borrowed; output files are written atomically (lib/core/output)
 * and nothing is committed when the input is bad.  Errors fill an lc_err
 * ("FILE:LINE: what is wrong") and return -1.
 */
#ifndef LC_BATCH_H
#define LC_BATCH_H

#include <stddef.h>

#include "err.h"

#define LC_BATCH_MAX_REQUESTS 50000
#define LC_BATCH_MAX_BYTES (200ULL * 1000 * 1000)

/* Splits the request file path ("-" = stdin; read once) into PREFIX.part-001.jsonl,
 * -002, ... with at most max_lines requests and max_bytes bytes (whole lines)
 * each; PREFIX is path without a .jsonl suffix (and without a compression suffix)
 * unless given.  Every line must be a request the Batch API accepts: a JSON object
 * with a non-empty string custom_id unique in the file, "method": "POST", a string
 * "url" and an object "body"; no line may be longer than max_bytes.  The parts are
 * built in a directory beside them (.BASE.split.XXXXXX) and renamed into place
 * only when the whole input is good, so a failure (or a fatal signal, through
 * lc_at_die) leaves no part of this run.  The parts PREFIX.part-NNN.jsonl an
 * earlier split left beyond the new count are removed (*removed counts them), so
 * the prefix names one split's parts.  Putting the parts in place and removing
 * those is one step as far as POSIX allows: the files it replaces or removes are
 * kept in the build directory until every rename has succeeded, and put back if
 * one fails; signals are blocked during it (only SIGKILL or a crash can leave a
 * mixture, see lcbatch(1)).  A name held by anything but a regular file
 * is an error.  Sets *parts to the number written.  Returns 0, or -1 + e. */
int lc_batch_split(const char *path, const char *prefix, size_t max_lines, unsigned long long max_bytes,
                   size_t *parts, size_t *removed, lc_err *e);

/* Writes to out ("-" or NULL = stdout) the lines of the request file requests
 * whose custom_id has no successful result in the results file (no result, an
 * error object, a non-200 status or no content).  *failed = lines written,
 * *total = requests read (none is an error), *unmatched = distinct result
 * custom_ids that no request has.  Returns 0, or -1 + e. */
int lc_batch_failed(const char *requests, const char *results, const char *out, size_t *failed, size_t *total,
                    size_t *unmatched, lc_err *e);

#endif
