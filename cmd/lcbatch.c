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

enum { OPT_MAX_BYTES = 256, OPT_PREFIX, OPT_REQUESTS };

static const lc_opt opts[] = {
	{ OPT_REQUESTS, "requests", "N", "split: at most N requests per part (default 50000)", NULL },
	{ OPT_MAX_BYTES, "max-bytes", "SIZE", "split: at most SIZE bytes per part, K/M/G = 1000s (default 200M)", NULL },
	{ OPT_PREFIX, "prefix", "PREFIX", "split: write PREFIX.part-001.jsonl ... (default FILE without .jsonl)", NULL },
	LC_OPT_OUTPUT(),
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
	const char *out = NULL, *prefix = NULL, *split_opt = NULL;
	long nreq = LC_BATCH_MAX_REQUESTS;
	unsigned long long max_bytes = LC_BATCH_MAX_BYTES;
	int c;
	lc_report rep = {0};
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		switch (c) {
		case OPT_REQUESTS: nreq = lc_cli_long("--requests", optarg, 1, 1000000000L); split_opt = "--requests"; break;
		case OPT_MAX_BYTES:
			if (!(max_bytes = lc_batch_size("--max-bytes", optarg, &e)))
				lc_cli_usage_error(&cmd, "%s", e.msg);
			split_opt = "--max-bytes";
			break;
		case OPT_PREFIX: prefix = optarg; split_opt = "--prefix"; break;
		case 'o': out = optarg; break;
		case LC_OPT_REPORT_ID: lc_report_arg(&rep, &cmd, optarg); break;
		}
	int nargs = argc - st.ind;
	/* split writes no data to stdout; failed does unless -o */
	lc_report_start(&rep, &cmd, !is_split && (!out || !strcmp(out, "-")), nargs, argv + st.ind);
	lc_report_str(&rep, "subcommand", sub);
	if (is_split) {
		if (out)
			lc_cli_usage_error(&cmd, "split writes FILE.part-NNN.jsonl: -o belongs to failed (use --prefix)");
		if (nargs != 1)
			lc_cli_usage_error(&cmd, "split takes one request FILE");
		size_t parts;
		if (lc_batch_split(argv[st.ind], prefix, (size_t)nreq, max_bytes, &parts, &e) < 0)
			lc_die_err(&e);
		lc_warn("%s: %zu part%s written", argv[st.ind], parts, parts == 1 ? "" : "s");
		lc_report_int(&rep, "options.requests", nreq);
		lc_report_int(&rep, "options.max_bytes", (long long)max_bytes);
		lc_report_int(&rep, "parts", (long long)parts);
		lc_report_write(&rep);
		return 0;
	}
	if (split_opt)
		lc_cli_usage_error(&cmd, "%s belongs to split", split_opt);
	if (nargs != 2)
		lc_cli_usage_error(&cmd, "failed takes REQUESTS and RESULTS");
	size_t failed, total;
	if (lc_batch_failed(argv[st.ind], argv[st.ind + 1], out, &failed, &total, &e) < 0)
		lc_die_err(&e);
	lc_warn("%zu of %zu requests have no successful result%s", failed, total,
	        failed ? ": resubmit them" : "");
	lc_report_int(&rep, "requests", (long long)total);
	lc_report_int(&rep, "failed", (long long)failed);
	lc_report_write(&rep);
	return 0;
}
