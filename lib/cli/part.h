/*
 * part — the parts written by `--shard K/N` runs of a JSONL-writing stage
 * (lcompress, lcretrieve, lctok count) and their merge.
 *
 * Shard K/N of a run takes the input records i (0-based, counted across every
 * input file in order) with i % N == K-1.  Its part file is one header line
 *   {"lctk_part":{"program":"lcompress","shard":"2/3","run":"<16 hex>","merge":"lines"}}
 * followed by the stage's ordinary output for those records.  "run" hashes the
 * command line without --shard and the output files (lc_part_run_key), so parts of different
 * runs (other options, other inputs) are not mixed.  "merge" says how parts join:
 *   lines  one output line per input record: the merge takes one line from
 *          part 1, 2, ..., N in turn, which restores the input order exactly;
 *   groups any number of output lines per input record, each record's lines
 *          followed by an empty line (lc_part_group_end): the merge takes one
 *          group from part 1, 2, ..., N in turn and drops the empty lines;
 *   sum    the body is one non-negative integer (a count): the merge prints the sum.
 * A part ends with the line LC_PART_END, which lc_part_header has its output
 * write when it is committed, so only a task that succeeded writes it (also to
 * stdout: a task killed while writing '> part' leaves no end line).
 * The merge refuses a set that is not exactly shards 1..N of one run, naming the
 * missing or repeated shard, a part without its end line or with lines after it,
 * and parts whose line counts cannot come from one input (a part cut short).
 */
#ifndef LC_PART_H
#define LC_PART_H

#include <stddef.h>
#include <stdint.h>
#include "cli.h"
#include "err.h"
#include "output.h"
#include "report.h"

typedef struct lc_shard {
	unsigned k, n;            /* 0/0 = the whole input (no --shard) */
} lc_shard;

/* Parses "K/N" (1 <= K <= N <= 2^20) into s; -1 with e (LC_EXIT_USAGE) if malformed. */
int lc_shard_parse(const char *arg, lc_shard *s, lc_err *e);

/* 1 if record i (0-based) belongs to shard s (always, for 0/0). */
static inline int lc_shard_has(const lc_shard *s, size_t i)
{
	return s->n == 0 || i % s->n == s->k - 1;
}

/* Hash of argv[1..argc-1] without --shard K/N, the files a task writes (-o/--output,
 * --report and --responses FILE: each task names its own) and the options that do not
 * change what it writes (-j/--jobs, --memory, --quiet, --progress, --verbose, and the
 * LLM client's --parallel --timeout --connect-timeout --retries --backoff --cache
 * --no-cache), in any of their spellings: equal for the tasks of one run. */
uint64_t lc_part_run_key(int argc, char **argv);

/* The same line (with its newline) as a string, for a file another module opens
 * (which must also end it with LC_PART_END); malloc'd. */
char *lc_part_header_line(const char *program, const lc_shard *s, uint64_t run, const char *merge);
/* The last line of every part (with its newline). */
#define LC_PART_END "{\"lctk_part_end\":true}\n"

/* Writes the header line of shard s of program's run (merge: "lines", "groups" or "sum")
 * and sets o's trailer to LC_PART_END (lc_output_set_trailer). */
void lc_part_header(lc_output *o, const char *program, const lc_shard *s, uint64_t run,
                    const char *merge);

/* Ends the group of one input record in a "groups" part (an empty line). */
static inline void lc_part_group_end(lc_output *o)
{
	lc_output_write(o, "\n", 1);
}

/* Merges the part files paths[0..n-1] (any order) of program into o.  Returns 0,
 * or -1 with e filled (LC_EXIT_INPUT), having written nothing the caller should
 * keep (abort o).  Reads each part once. */
int lc_part_merge(const char *program, char *const *paths, int n, lc_output *o, lc_err *e);

/* What a merge joined: N shards of run (16 hex digits) by merge ("lines" or
 * "sum"); per_shard[k-1] is shard k's body lines (lines) or count (sum), malloc'd;
 * total their sum. */
typedef struct lc_part_info {
	unsigned n;
	char run[17];
	char merge[8];
	unsigned long long *per_shard;
	unsigned long long total;
} lc_part_info;

/* lc_part_merge, also filling *info (free info->per_shard) when it returns 0. */
int lc_part_merge_info(const char *program, char *const *paths, int n, lc_output *o, lc_part_info *info,
                       lc_err *e);

/* What a merge joined, into rep: "shards", "run", "merge", "per_shard", then
 * "records" (lines, groups) or "count" (sum) (lctk-formats(5) REPORTS). */
void lc_part_report(lc_report *rep, const lc_part_info *info);

/* The `PROGRAM merge -o OUT PART...` subcommand: parses argc/argv (argv[0] =
 * "merge") with merge_cmd (its table holds -o/--output, and may hold
 * LC_OPT_REPORT), merges into OUT atomically and returns 0; dies with the message
 * on bad usage (2) or parts (1).  --report FILE: {"program": program, "version",
 * "inputs": the parts, "options": {"output"}, "subcommand": "merge", "shards",
 * "run", "merge", "per_shard", then "records" (lines) or "count" (sum)}
 * (lctk-formats(5) REPORTS). */
int lc_part_merge_main(const lc_cmd *merge_cmd, const char *program, int argc, char **argv);

#endif
