/*
 * lcsplit — sentence segmentation of passages (lib/text/sentsplit), each sentence
 * with its offsets.  JSONL in (field -f, default passage_text, else text), the same record
 * out with a "sentences" array of {"start","end","text"}; or --text for plain
 * lines.  Offsets are Unicode code points by default (Python slicing), bytes
 * with --bytes.  --report FILE: records, sentences and skipped records as JSON.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "options.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "sentsplit.h"

/* The options, each bound to its variable in the table (lib/cli/cli.h); only
 * --report reaches the switch. */
static struct {
	const char *field, *target, *out, *member;
	int text, bytes, skip_bad, pmode;
} O = { .target = "sentences", .pmode = LC_PROGRESS_AUTO };

static const lc_opt opts[] = {
	LC_OPT_FIELD(LC_BIND_STR(O.field)),
	LC_OPT_TARGET(LC_BIND_STR(O.target)),
	LC_OPT_TEXT_LINES(0, LC_BIND_SET(O.text, 1)),
	LC_OPT_MEMBER(0, LC_BIND_STR(O.member)),
	{ 0, "bytes", NULL, "offsets in bytes instead of code points", NULL, LC_BIND_SET(O.bytes, 1) },
	LC_OPT_SKIP_BAD(0, LC_BIND_SET(O.skip_bad, 1)),
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_PROGRESS(0, LC_BIND_SET(O.pmode, LC_PROGRESS_FORCE)),
	LC_OPT_QUIET(0, LC_BIND_SET(O.pmode, LC_PROGRESS_QUIET)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd cmd = { "lcsplit", "[options] [FILE...]",
	"split passages into sentences with offsets", opts, NULL };

static void emit_sents(lc_buf *b, const char *s, size_t n, lc_sentv *sv, int bytes, size_t *nsent)
{
	lc_sentsplit(s, n, sv);
	*nsent += sv->n;
	lc_buf_addc(b, '[');
	size_t cp = 0, last = 0;
	for (size_t i = 0; i < sv->n; i++) {
		size_t a = sv->v[i].start, e = sv->v[i].end, oa = a, oe = e;
		if (!bytes) {
			cp += lc_utf8_cpcount(s + last, a - last);
			oa = cp;
			cp += lc_utf8_cpcount(s + a, e - a);
			oe = cp;
			last = e;
		}
		lc_buf_printf(b, "%s{\"start\":%zu,\"end\":%zu,\"text\":", i ? "," : "", oa, oe);
		lc_json_quote(b, s + a, e - a);
		lc_buf_addc(b, '}');
	}
	lc_buf_addc(b, ']');
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	lc_report rep = {0};
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &cmd, optarg);
	lc_report_start(&rep, &cmd, !O.out || !strcmp(O.out, "-"), argc - st.ind, argv + st.ind);
	lc_output *o = lc_output_open(O.out);
	lc_buf b = {0}, sb = {0};
	lc_sentv sv = {0};
	long bad = 0;
	size_t records = 0, nsent = 0;
	lc_progress pr;
	lc_progress_start(&pr, "records", O.pmode);
	int nfiles = argc - st.ind;
	for (int fi = 0; fi < (nfiles ? nfiles : 1); fi++) {
		const char *path = nfiles ? argv[st.ind + fi] : "-";
		/* a BEIR or LOFT dataset's archive: its corpus.jsonl, as lcompress reads it */
		lc_err oe = {0};
		lc_input *in = lc_input_open_default(path, O.member, O.text ? NULL : LC_DATASET_CORPUS, LC_OPT_MEMBER_NAME,
		                                     &oe);
		if (!in)
			lc_die_err(&oe);
		char *line;
		size_t len;
		while (lc_input_next(in, &line, &len)) {
			lc_buf_reset(&b);
			if (O.text) {
				lc_input_repair(in, &line, &len);   /* plain text goes into JSON strings */
				lc_buf_printf(&b, "{\"line\":%ld,\"%s\":", lc_input_lineno(in), "sentences");
				emit_sents(&b, line, len, &sv, O.bytes, &nsent);
				lc_buf_adds(&b, "}\n");
				lc_output_write(o, b.p, b.len);
				lc_progress_input(&pr, ++records, in);
				continue;
			}
			if (len == 0)
				continue;
			lc_err e = {0};
			json_t *obj = lc_json_parse_object(line, len, lc_input_where(in), &e);
			const char *s = obj ? lc_json_str(obj, O.field ? O.field : lc_text_field(obj), lc_input_where(in), &e) : NULL;
			if (!s) {
				if (obj)
					json_decref(obj);
				if (!O.skip_bad)
					lc_die(LC_EXIT_INPUT, "%s", e.msg);
				bad++;
				continue;
			}
			size_t n = strlen(s);
			lc_buf_reset(&sb);
			emit_sents(&sb, s, n, &sv, O.bytes, &nsent);
			json_error_t je;
			json_t *arr = json_loadb(sb.p, sb.len, 0, &je);
			json_object_set_new(obj, O.target, arr);
			lc_json_dump(&b, obj);
			lc_buf_addc(&b, '\n');
			lc_output_write(o, b.p, b.len);
			json_decref(obj);
			lc_progress_input(&pr, ++records, in);
		}
		lc_input_warn_repaired(in);
		lc_input_close(in);
	}
	lc_progress_done(&pr);
	lc_output_commit(o);
	if (bad)
		lc_warn("skipped %ld bad record%s", bad, bad == 1 ? "" : "s");
	if (lc_report_on(&rep)) {
		lc_report_str(&rep, "options.field", O.text ? NULL : O.field ? O.field : "passage_text, else text");
		lc_report_str(&rep, "options.offsets", O.bytes ? "bytes" : "code points");
		lc_report_int(&rep, "records", (long long)records);
		lc_report_int(&rep, "sentences", (long long)nsent);
		lc_report_int(&rep, "skipped", bad);
		lc_report_write(&rep);
	}
	lc_buf_free(&b);
	lc_buf_free(&sb);
	lc_sentv_free(&sv);
	return 0;
}
