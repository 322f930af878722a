/*
 * inputs — lceval's side inputs and side outputs: what a file looks like (for
 * swapped QRELS and RUN), the --corpus pid order, --bootstrap-indices, the
 * message that blames a run lacking a topic, and the --report JSON sink.
 * See lceval.h.
 */
#include "lceval.h"
#include "err.h"
#include "input.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the first content line of path looks like: 'r' a run (TREC with 6 or
 * more fields, JSON with "hits" or "model_outputs"), 'q' judgments (TREC with
 * 4 fields, BEIR's header, JSON with "answers"), 0 unknown or unreadable (the
 * reader then says what is wrong, naming lceval's member options). */
int ev_looks_like(const char *path, const char *member)
{
	if (!strcmp(path, "-"))
		return 0;
	lc_err e = { 0 };
	lc_input *in = lc_input_open(path, member, &e);
	if (!in)
		return 0;
	char *line;
	size_t len;
	int kind = 0;
	while (lc_input_getline(in, &line, &len, &e) == 1) {
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			continue;
		if (line[i] == '{') {
			kind = strstr(line, "\"hits\"") || strstr(line, "\"model_outputs\"") ? 'r'
			     : strstr(line, "\"answers\"") ? 'q' : 0;
		} else if (!strncmp(line + i, "query-id", 8)) {
			kind = 'q';
		} else {
			int fields = 0, in_field = 0;
			for (size_t k = i; k < len; k++) {
				int ws = line[k] == ' ' || line[k] == '\t';
				fields += !ws && !in_field;
				in_field = !ws;
			}
			kind = fields >= 6 ? 'r' : fields == 4 ? 'q' : 0;
		}
		break;
	}
	lc_input_close(in);
	return kind;
}

/* Corpus pid order: LOFT/BEIR corpus JSONL ("pid" or "_id"), a JSON array of
 * ids, or one id per line. */
char **ev_read_corpus(const char *path, size_t *n)
{
	lc_err oe = { 0 };
	lc_input *in = lc_input_open_default(path, NULL, LC_DATASET_CORPUS, NULL, &oe);   /* a dataset's archive: its corpus.jsonl */
	if (!in)
		lc_die_err(&oe);
	char *line;
	size_t len;
	char **pids = NULL;
	size_t cnt = 0, cap = 0;
	lc_buf idb = { 0 };
	while (lc_input_next(in, &line, &len)) {
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k == len)
			continue;
		if (line[k] == '[' && cnt == 0) {
			lc_err e = { 0 };
			json_t *a = lc_json_parse(line, len, lc_input_where(in), &e);
			if (!a || !json_is_array(a))
				lc_die(1, "%s: expected a JSON array of pids", lc_input_where(in));
			size_t i;
			json_t *v;
			json_array_foreach(a, i, v) {
				const char *p = lc_json_id(v, &idb, "pid", lc_input_where(in), &e);
				if (!p)
					lc_die_err(&e);
				if (cnt == cap)
					pids = lc_xrealloc(pids, (cap = cap ? 2 * cap : 64) * sizeof *pids);
				pids[cnt++] = lc_xstrdup(p);
			}
			json_decref(a);
			continue;
		}
		const char *p;
		char *own = NULL;
		if (line[k] == '{') {
			lc_err e = { 0 };
			json_t *o = lc_json_parse_object(line, len, lc_input_where(in), &e);
			if (!o)
				lc_die_err(&e);
			json_t *v = json_object_get(o, "pid");
			if (!v)
				v = json_object_get(o, "_id");
			if (!v)
				lc_die(1, "%s: corpus line has no 'pid' (or '_id')", lc_input_where(in));
			p = lc_json_id(v, &idb, "pid", lc_input_where(in), &e);
			if (!p)
				lc_die_err(&e);
			own = lc_xstrdup(p);
			json_decref(o);
		} else
			own = lc_xstrndup(line + k, len - k);
		if (cnt == cap)
			pids = lc_xrealloc(pids, (cap = cap ? 2 * cap : 64) * sizeof *pids);
		pids[cnt++] = own;
	}
	lc_buf_free(&idb);
	lc_input_close(in);
	*n = cnt;
	return pids;
}

/* --bootstrap-indices: one resample per line, n topic indices (0-based, in the
 * order lceval compares topics) separated by white space. */
uint32_t *ev_read_indices(const char *path, long *nres, size_t *n)
{
	lc_input *in = lc_input_open_or_die(path, NULL);
	char *line;
	size_t len;
	uint32_t *v = NULL;
	size_t cnt = 0, cap = 0, width = 0;
	long rows = 0;
	while (lc_input_next(in, &line, &len)) {
		size_t k = 0, w = 0;
		while (k < len) {
			while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
				k++;
			if (k == len)
				break;
			unsigned long x = 0;
			size_t st = k;
			while (k < len && line[k] >= '0' && line[k] <= '9' && x < 100000000)
				x = x * 10 + (unsigned long)(line[k++] - '0');
			if (k == st || (k < len && line[k] != ' ' && line[k] != '\t' && line[k] != '\r'))
				lc_die(1, "%s: expected topic indices (non-negative integers) separated by blanks", lc_input_where(in));
			if (cnt == cap)
				v = lc_xrealloc(v, (cap = cap ? 2 * cap : 1024) * sizeof *v);
			v[cnt++] = (uint32_t)x;
			w++;
		}
		if (w == 0)
			continue;
		if (rows && w != width)
			lc_die(1, "%s: %zu indices, the first resample has %zu: every resample has one index per topic",
			       lc_input_where(in), w, width);
		width = w;
		rows++;
	}
	lc_input_close(in);
	if (!rows)
		lc_die(1, "%s: no resamples found", path);
	for (size_t i = 0; i < cnt; i++)
		if (v[i] >= width)
			lc_die(1, "%s: index %u is not below the number of topics (%zu)", path, v[i], width);
	*nres = rows;
	*n = width;
	return v;
}

/* trec_eval's "result qid 'X' not found in qrels" means the RUN lacks topic X
 * that QRELS judges: the first line stays trec_eval's (the
 * conformance vectors pin it); this second line names the file at fault. */
void ev_explain_missing(const char *msg, const char *qpath, const char *rpath)
{
	static const char pre[] = "trec_eval: result qid '", suf[] = "' not found in qrels\n";
	size_t n = strlen(msg), lp = sizeof pre - 1, ls = sizeof suf - 1;
	if (n < lp + ls || strncmp(msg, pre, lp) || strcmp(msg + n - ls, suf))
		return;
	char *qid = lc_xstrndup(msg + lp, n - lp - ls);
	fputs("lceval: ", stderr);
	lc_fputs_escaped(rpath, 0, stderr);
	fputs(" lacks topic '", stderr);
	lc_fputs_escaped(qid, 0, stderr);
	fputs("' that ", stderr);
	lc_fputs_escaped(qpath, 0, stderr);
	fputs(" has (score it as 0 with -c)\n", stderr);
	free(qid);
}

/* --report: an output into an anonymous temp file (written through its fd), so the
 * --json printers of lib/eval/signif and lib/eval/loft_eval fill the report too. */
lc_output *ev_json_sink(FILE **tf)
{
	*tf = tmpfile();
	if (!*tf)
		lc_die(LC_EXIT_INPUT, "--report: cannot create a temporary file: %s", strerror(errno));
	char path[32];
	snprintf(path, sizeof path, "/dev/fd/%d", fileno(*tf));
	return lc_output_open(path);
}

/* The JSON object written to tf, merged into the report; tf closed. */
void ev_json_sink_merge(lc_report *rep, lc_output *o, FILE *tf)
{
	lc_output_commit(o);
	rewind(tf);
	json_error_t je;
	json_t *v = json_loadf(tf, 0, &je);
	fclose(tf);
	if (!json_is_object(v))
		lc_die(LC_EXIT_INPUT, "--report: cannot read back the JSON summary: %s", je.text);
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x)
		lc_report_set(rep, k, json_incref(x));
	json_decref(v);
}
