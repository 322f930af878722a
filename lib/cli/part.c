/* part — `--shard K/N` part files (a header line, then the slice's output) and
 * their merge: interleaving lines or groups of lines back into input order, or
 * summing counts. */
#include "part.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "input.h"
#include "report.h"

int lc_shard_parse(const char *arg, lc_shard *s, lc_err *e)
{
	char *end;
	unsigned long k, n;
	if (!arg || arg[0] < '0' || arg[0] > '9')
		goto bad;
	errno = 0;
	k = strtoul(arg, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	n = strtoul(end + 1, &end, 10);
	if (errno || *end || k < 1 || n < 1 || k > n || n > (1ul << 20))
		goto bad;
	s->k = (unsigned)k;
	s->n = (unsigned)n;
	return 0;
bad:
	return lc_err_set(e, LC_EXIT_USAGE, "--shard wants K/N with 1 <= K <= N (e.g. 2/8), not '%s'",
	                  arg ? arg : "");
}

/* Options left out of the run key: the files a task writes, and what changes how a
 * task runs but not what it writes (threads, memory, progress, the LLM client's
 * pacing and cache), so the tasks of one split may differ in them. */
static const char *const key_skip_arg[] = { "--shard", "-o", "--output", "--report", "--responses", "-j", "--jobs",
                                            "--memory", "--parallel", "--timeout", "--connect-timeout", "--retries",
                                            "--backoff", "--cache", NULL };
static const char *const key_skip_flag[] = { "--quiet", "--progress", "--verbose", "--no-cache", NULL };

/* 1 if argument a (and, for an option taking one, *skip_next: the next) is left out */
static int key_skips(const char *a, int *skip_next)
{
	*skip_next = 0;
	for (int k = 0; key_skip_flag[k]; k++)
		if (!strcmp(a, key_skip_flag[k]))
			return 1;
	for (int k = 0; key_skip_arg[k]; k++) {
		const char *o = key_skip_arg[k];
		size_t n = strlen(o);
		if (!strcmp(a, o)) {
			*skip_next = 1;
			return 1;
		}
		if (o[1] == '-' ? !strncmp(a, o, n) && a[n] == '=' : !strncmp(a, o, 2))   /* --opt=ARG, -oARG */
			return 1;
	}
	return 0;
}

uint64_t lc_part_run_key(int argc, char **argv)
{
	uint64_t h = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int skip_next;
		if (key_skips(a, &skip_next)) {
			i += skip_next;
			continue;
		}
		/* h = hash(h || arg || NUL): order and boundaries count */
		uint64_t x = lc_hash64(a, strlen(a) + 1);
		h = lc_mix64(h ^ (x + 0x9e3779b97f4a7c15ull + (h << 6)));
	}
	return h;
}

char *lc_part_header_line(const char *program, const lc_shard *s, uint64_t run, const char *merge)
{
	lc_buf b = {0};
	lc_buf_printf(&b, "{\"lctk_part\":{\"program\":\"%s\",\"shard\":\"%u/%u\",\"run\":\"%016" PRIx64
	              "\",\"merge\":\"%s\"}}\n", program, s->k, s->n, run, merge);
	return lc_buf_detach(&b);
}

void lc_part_header(lc_output *o, const char *program, const lc_shard *s, uint64_t run,
                    const char *merge)
{
	char *h = lc_part_header_line(program, s, run, merge);
	lc_output_write(o, h, strlen(h));
	free(h);
	lc_output_set_trailer(o, LC_PART_END);
}

/* One part being merged. */
typedef struct part {
	const char *path;
	lc_input *in;
	lc_shard s;
	char run[17];
	char merge[8];
	size_t lines;             /* body lines read */
	int done;                 /* its end line was read */
} part;

/* 1 if line (without its newline) is LC_PART_END's */
static int is_end(const char *line, size_t len)
{
	return len == sizeof LC_PART_END - 2 && !memcmp(line, LC_PART_END, len);
}

/* After p's end line: the end of the file, or -1 with e. */
static int after_end(part *p, lc_err *e)
{
	char *line;
	size_t len;
	int r = lc_input_getline(p->in, &line, &len, e);
	if (r < 0)
		return -1;
	if (r)
		return lc_err_set(e, LC_EXIT_INPUT, "%s (shard %u/%u) has lines after its end line: not one part "
		                  "as '--shard K/N -o FILE' writes it; re-run it", p->path, p->s.k, p->s.n);
	return 0;
}

/* p ended without its end line. */
static int cut_short(part *p, lc_err *e)
{
	return lc_err_set(e, LC_EXIT_INPUT, "%s (shard %u/%u) has no end line: the part is cut short (its task "
	                  "did not finish, or the file was copied or edited in part); re-run it", p->path, p->s.k,
	                  p->s.n);
}

/* Opens p->path and reads its header; -1 with e if it is not a part of program. */
static int part_open(part *p, const char *program, lc_err *e)
{
	char *line;
	size_t len;
	p->in = lc_input_open(p->path, NULL, e);
	if (!p->in)
		return -1;
	int r = lc_input_getline(p->in, &line, &len, e);
	if (r < 0)
		return -1;
	json_t *j = r ? json_loadb(line, len, 0, NULL) : NULL;
	json_t *h = json_object_get(j, "lctk_part");
	const char *prog = json_string_value(json_object_get(h, "program"));
	const char *shard = json_string_value(json_object_get(h, "shard"));
	const char *run = json_string_value(json_object_get(h, "run"));
	const char *merge = json_string_value(json_object_get(h, "merge"));
	int ok = prog && shard && run && merge && strlen(run) == 16 &&
	         (!strcmp(merge, "lines") || !strcmp(merge, "groups") || !strcmp(merge, "sum")) &&
	         !lc_shard_parse(shard, &p->s, NULL);
	if (ok && strcmp(prog, program)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: a part of a '%s --shard' run, not of %s", p->path, prog, program);
		json_decref(j);
		return -1;
	}
	if (ok) {
		memcpy(p->run, run, 17);
		strcpy(p->merge, merge);
	}
	json_decref(j);
	if (!ok)
		return lc_err_set(e, LC_EXIT_INPUT,
		                  "%s:1: not a part written by '%s --shard K/N -o FILE' (no lctk_part header line)",
		                  p->path, program);
	return 0;
}

/* Checks that parts[0..n-1] are shards 1..N of one run; sorts them by shard. */
static int part_check_set(part *parts, int n, lc_err *e)
{
	unsigned N = parts[0].s.n;
	for (int i = 1; i < n; i++) {
		if (strcmp(parts[i].run, parts[0].run) || parts[i].s.n != N || strcmp(parts[i].merge, parts[0].merge))
			return lc_err_set(e, LC_EXIT_INPUT,
			                  "%s (shard %u/%u) and %s (shard %u/%u) come from different runs "
			                  "(other options, inputs or N): merge the parts of one run",
			                  parts[0].path, parts[0].s.k, N, parts[i].path, parts[i].s.k, parts[i].s.n);
	}
	part **by = lc_xcalloc(N + 1, sizeof *by);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		part *p = &parts[i];
		if (by[p->s.k])
			rc = lc_err_set(e, LC_EXIT_INPUT, "shard %u/%u given twice (%s and %s)", p->s.k, N,
			                by[p->s.k]->path, p->path);
		by[p->s.k] = p;
	}
	for (unsigned k = 1; k <= N && !rc; k++)
		if (!by[k])
			rc = lc_err_set(e, LC_EXIT_INPUT, "shard %u/%u is missing: give all %u parts (%d given); "
			                "re-run that task (--shard %u/%u) first", k, N, N, n, k, N);
	if (!rc) {
		part *sorted = lc_xmalloc((size_t)n * sizeof *sorted);
		for (unsigned k = 1; k <= N; k++)
			sorted[k - 1] = *by[k];
		memcpy(parts, sorted, (size_t)n * sizeof *sorted);
		free(sorted);
	}
	free(by);
	return rc;
}

/* Copies the next record of p to o: one line, or with grouped the lines up to
 * an empty one (not copied).  1, 0 at p's end line (the last), -1 with e. */
static int copy_record(part *p, int grouped, lc_output *o, lc_err *e)
{
	char *line;
	size_t len;
	for (int first = 1;; first = 0) {
		int r = lc_input_getline(p->in, &line, &len, e);
		if (r < 0)
			return -1;
		if ((r == 0 || is_end(line, len)) && !first)
			return lc_err_set(e, LC_EXIT_INPUT, "%s (shard %u/%u) ends inside a group (no empty line after its "
			                  "last): the part is cut short; re-run it", p->path, p->s.k, p->s.n);
		if (r == 0)
			return cut_short(p, e);
		if (is_end(line, len))
			return after_end(p, e);
		if (grouped && !len)
			return 1;
		lc_output_write(o, line, len);
		lc_output_write(o, "\n", 1);
		if (!grouped)
			return 1;
	}
}

/* merge "lines" (grouped 0) or "groups" (1): one record of each part in turn;
 * the record counts must be those of a round-robin split (non-increasing in K,
 * first minus last at most 1). */
static int merge_lines(part *parts, int n, int grouped, lc_output *o, lc_err *e)
{
	for (int live = n; live > 0;) {
		live = 0;
		for (int i = 0; i < n; i++) {
			if (parts[i].done)
				continue;
			int r = copy_record(&parts[i], grouped, o, e);
			if (r < 0)
				return -1;
			if (r == 0) {
				parts[i].done = 1;
				continue;
			}
			parts[i].lines++;
			live++;
		}
	}
	for (int i = 1; i < n; i++)
		if (parts[i].lines > parts[i - 1].lines || parts[0].lines - parts[i].lines > 1)
			return lc_err_set(e, LC_EXIT_INPUT,
			                  "%s (shard %u/%u) has %zu records but %s (shard 1/%u) has %zu: "
			                  "a shard of one input has as many as shard 1 or one fewer; re-run it",
			                  parts[i].path, parts[i].s.k, parts[i].s.n, parts[i].lines, parts[0].path,
			                  parts[0].s.n, parts[0].lines);
	return 0;
}

void lc_part_report(lc_report *rep, const lc_part_info *info)
{
	lc_report_int(rep, "shards", info->n);
	lc_report_str(rep, "run", info->run);
	lc_report_str(rep, "merge", info->merge);
	json_t *per = lc_report_array(rep, "per_shard");
	for (unsigned k = 0; per && k < info->n; k++)
		json_array_append_new(per, json_integer((json_int_t)info->per_shard[k]));
	lc_report_int(rep, strcmp(info->merge, "sum") ? "records" : "count", (long long)info->total);
}

/* merge "sum": each body is one integer line */
static int merge_sum(part *parts, int n, lc_output *o, unsigned long long *counts, lc_err *e)
{
	unsigned long long total = 0;
	for (int i = 0; i < n; i++) {
		char *line, *end;
		size_t len;
		int r = lc_input_getline(parts[i].in, &line, &len, e);
		if (r < 0)
			return -1;
		errno = 0;
		unsigned long long v = r ? strtoull(line, &end, 10) : 0;
		if (!r || errno || end == line || *end || line[0] == '-')
			return r < 0 ? -1
			             : lc_err_set(e, LC_EXIT_INPUT, "%s:2: a count part holds one number after its header",
			                          parts[i].path);
		if ((r = lc_input_getline(parts[i].in, &line, &len, e)) < 0)
			return -1;
		if (r == 0)
			return cut_short(&parts[i], e);
		if (!is_end(line, len))
			return lc_err_set(e, LC_EXIT_INPUT, "%s:3: a count part holds one number after its header",
			                  parts[i].path);
		if (after_end(&parts[i], e) < 0)
			return -1;
		if (total + v < total)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: the counts overflow 64 bits", parts[i].path);
		total += v;
		counts[i] = v;
	}
	lc_output_printf(o, "%llu\n", total);
	return 0;
}

int lc_part_merge(const char *program, char *const *paths, int n, lc_output *o, lc_err *e)
{
	lc_part_info info;
	int rc = lc_part_merge_info(program, paths, n, o, &info, e);
	if (rc == 0)
		free(info.per_shard);
	return rc;
}

int lc_part_merge_info(const char *program, char *const *paths, int n, lc_output *o, lc_part_info *info,
                       lc_err *e)
{
	if (n < 1)
		return lc_err_set(e, LC_EXIT_USAGE, "give the part files to merge");
	part *parts = lc_xcalloc((size_t)n, sizeof *parts);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		parts[i].path = paths[i];
		rc = part_open(&parts[i], program, e);
	}
	if (!rc)
		rc = part_check_set(parts, n, e);
	unsigned long long *counts = NULL;
	if (!rc) {
		counts = lc_xcalloc((size_t)n, sizeof *counts);
		rc = !strcmp(parts[0].merge, "sum") ? merge_sum(parts, n, o, counts, e)
		                                     : merge_lines(parts, n, !strcmp(parts[0].merge, "groups"), o, e);
	}
	if (!rc) {
		memset(info, 0, sizeof *info);
		info->n = (unsigned)n;
		memcpy(info->run, parts[0].run, sizeof info->run);
		memcpy(info->merge, parts[0].merge, sizeof info->merge);
		for (int i = 0; i < n; i++) {
			if (strcmp(parts[0].merge, "sum"))
				counts[i] = parts[i].lines;
			info->total += counts[i];
		}
		info->per_shard = counts;
	} else
		free(counts);
	for (int i = 0; i < n; i++)
		if (parts[i].in)
			lc_input_close(parts[i].in);
	free(parts);
	return rc;
}

int lc_part_merge_main(const lc_cmd *merge_cmd, const char *program, int argc, char **argv)
{
	lc_cli st = {0};
	const char *out = NULL;
	lc_report rep = {0};
	int c;
	while ((c = lc_cli_next(&st, merge_cmd, argc, argv)) != -1)
		if (c == 'o')
			out = optarg;
		else if (c == LC_OPT_REPORT_ID)
			lc_report_arg(&rep, merge_cmd, optarg);
	if (!out)
		lc_cli_usage_error(merge_cmd, "give the output with -o OUT");
	if (st.ind >= argc)
		lc_cli_usage_error(merge_cmd, "give the parts to merge (the -o files of '%s --shard K/N')", program);
	/* the report names the program, and the subcommand apart, like every other */
	const lc_cmd prog = { program, merge_cmd->usage, merge_cmd->summary, merge_cmd->opts, NULL, NULL };
	lc_report_start(&rep, &prog, !strcmp(out, "-"), argc - st.ind, argv + st.ind);
	lc_report_str(&rep, "options.output", out);
	lc_report_str(&rep, "subcommand", "merge");
	lc_err e = {0};
	lc_part_info info;
	lc_output *o = lc_output_open(out);
	if (lc_part_merge_info(program, argv + st.ind, argc - st.ind, o, &info, &e) < 0) {
		lc_output_abort(o);
		lc_report_free(&rep);
		lc_die_err(&e);
	}
	lc_output_commit(o);
	if (lc_report_on(&rep)) {
		lc_part_report(&rep, &info);
		lc_report_write(&rep);
	}
	free(info.per_shard);
	return 0;
}
