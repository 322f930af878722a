/*
 * lcbatch — OpenAI Batch request files: `split` one at the API's limits
 * (50,000 requests, 200 MB per file) into FILE.part-001.jsonl ..., and `failed`:
 * the requests whose result is missing or an error, to submit again.  The logic
 * is in lib/llm/batch.c.  --report FILE: the counts printed on stderr, as JSON.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "options.h"
#include "err.h"
#include "report.h"
#include "size.h"

/* The options, each bound to its variable in the table (lib/cli/cli.h); only
 * --report reaches the switch.  split_opt: the split option given last, an
 * error with failed. */
static struct {
	const char *out, *prefix;
	long nreq;
	unsigned long long max_bytes;
	const lc_opt *split_opt;
} O = { .nreq = LC_BATCH_MAX_REQUESTS, .max_bytes = LC_BATCH_MAX_BYTES };

static void note_split(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	O.split_opt = o;
}

/* --max-bytes SIZE: K/M/G are powers of 1000 (lc_size_parse) */
static void max_bytes_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	lc_err e = {0};
	if (!(*(unsigned long long *)o->var = lc_size_parse("--max-bytes", arg, &e)))
		lc_cli_usage_error(c, "%s", e.msg);
	note_split(c, o, arg);
}

static const lc_opt opts[] = {
	{ 0, "requests", "N", "split: at most N requests per part (default 50000)", NULL,
	  LC_BIND_LONG_NOTE(O.nreq, 1, 1000000000L, note_split) },
	{ 0, "max-bytes", "SIZE", "split: at most SIZE bytes per part, K/M/G = 1000s (default 200M)", NULL,
	  LC_BIND_CALL(max_bytes_cb, O.max_bytes) },
	{ 0, "prefix", "PREFIX", "split: write PREFIX.part-001.jsonl ... (default FILE without .jsonl)", NULL,
	  LC_BIND_STR_NOTE(O.prefix, note_split) },
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "split", "failed", NULL };
static const char *const renamed[] = { "-n", "--requests", NULL };
static const lc_cmd cmd = { "lcbatch", "split [options] FILE | failed [options] REQUESTS RESULTS",
	"OpenAI Batch files: split at the API's limits, pick failed requests to resubmit", opts, subs, renamed };

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc < 2 || argv[1][0] == '-') {
		lc_cli st0 = {0};
		while (lc_cli_next(&st0, &cmd, argc, argv) != -1)
			;
		lc_cli_usage_error(&cmd, "expected a subcommand: split or failed");
	}
	const char *sub = argv[1];
	int is_split = !strcmp(sub, "split");
	if (!is_split && strcmp(sub, "failed"))
		lc_cli_usage_error(&cmd, "unknown subcommand '%s': expected split or failed", sub);
	argc--;
	argv++;
	lc_cli st = {0};
	lc_err e = {0};
	int c;
	lc_report rep = {0};
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &cmd, optarg);
	const char *out = O.out, *prefix = O.prefix;
	long nreq = O.nreq;
	unsigned long long max_bytes = O.max_bytes;
	int nargs = argc - st.ind;
	/* split writes no data to stdout; failed does unless -o */
	lc_report_start(&rep, &cmd, !is_split && (!out || !strcmp(out, "-")), nargs, argv + st.ind);
	lc_report_str(&rep, "subcommand", sub);
	if (is_split) {
		if (out)
			lc_cli_usage_error(&cmd, "split writes FILE.part-NNN.jsonl: -o belongs to failed (use --prefix)");
		if (nargs != 1)
			lc_cli_usage_error(&cmd, "split takes one request FILE");
		if (!prefix && !strcmp(argv[st.ind], "-"))
			lc_cli_usage_error(&cmd, "split of standard input needs --prefix PREFIX to name the parts");
		size_t parts, removed;
		if (lc_batch_split(argv[st.ind], prefix, (size_t)nreq, max_bytes, &parts, &removed, &e) < 0)
			lc_die_err(&e);
		lc_warn("%s: %zu part%s written", argv[st.ind], parts, parts == 1 ? "" : "s");
		if (removed)
			lc_warn("removed %zu part%s of an earlier split beyond part %zu", removed, removed == 1 ? "" : "s",
			        parts);
		lc_report_int(&rep, "options.requests", nreq);
		lc_report_int(&rep, "options.max_bytes", (long long)max_bytes);
		lc_report_int(&rep, "parts", (long long)parts);
		lc_report_write(&rep);
		return 0;
	}
	if (O.split_opt)
		lc_cli_usage_error(&cmd, "--%s belongs to split", O.split_opt->name);
	if (nargs != 2)
		lc_cli_usage_error(&cmd, "failed takes REQUESTS and RESULTS");
	if (!strcmp(argv[st.ind], "-") && !strcmp(argv[st.ind + 1], "-"))
		lc_cli_usage_error(&cmd, "REQUESTS and RESULTS are both standard input, which can be read once: name a file");
	size_t failed, total, unmatched;
	if (lc_batch_failed(argv[st.ind], argv[st.ind + 1], out, &failed, &total, &unmatched, &e) < 0)
		lc_die_err(&e);
	if (unmatched)
		lc_warn("%s: %zu result%s whose custom_id is in no request of %s: ignored (results of another batch?)",
		        argv[st.ind + 1], unmatched, unmatched == 1 ? "" : "s", argv[st.ind]);
	lc_warn("%zu of %zu requests have no successful result%s", failed, total,
	        failed ? ": resubmit them" : "");
	lc_report_int(&rep, "requests", (long long)total);
	lc_report_int(&rep, "failed", (long long)failed);
	lc_report_write(&rep);
	return 0;
}
