/*
 * passkey — lceval -m passkey: scores every run's answers to lcgen's probes
 * (lib/eval/passkey) and writes the text table, the JSON object or one JSON line
 * per probe (lceval(1), PASSKEY).
 */
#include "lceval.h"
#include "passkey.h"

#include "buf.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ output */

#define BIN_PCT (100 / LC_PASSKEY_BINS)

static void text_row(lc_buf *b, const char *run, const lc_passkey_row *w)
{
	lc_buf_printf(b, "%s\t", run);
	if (w->length)
		lc_buf_printf(b, "%ld\t", w->length);
	else
		lc_buf_adds(b, "all\t");
	if (w->bin >= 0)
		lc_buf_printf(b, "%d-%d\t", w->bin * BIN_PCT, (w->bin + 1) * BIN_PCT);
	else
		lc_buf_adds(b, "all\t");
	lc_buf_printf(b, "%zu\t%zu\t%zu\t%zu\t%zu\t%.4f\n", w->probes, w->correct, w->wrong, w->failed, w->missing,
	              lc_passkey_accuracy(w));
}

static void json_str(lc_buf *b, const char *key, const char *v)
{
	lc_buf_printf(b, "\"%s\": ", key);
	lc_json_quote(b, v, strlen(v));
}

/* {"run", ["length"], ["depth"], "probes", ..., "accuracy"} */
static void json_row(lc_buf *b, const char *run, const lc_passkey_row *w)
{
	lc_buf_adds(b, "{");
	json_str(b, "run", run);
	if (w->length)
		lc_buf_printf(b, ", \"length\": %ld", w->length);
	if (w->bin >= 0)
		lc_buf_printf(b, ", \"depth\": %d", w->bin * BIN_PCT);
	char acc[40];
	lc_py_repr_double(acc, sizeof acc, lc_passkey_accuracy(w));
	lc_buf_printf(b, ", \"probes\": %zu, \"correct\": %zu, \"wrong\": %zu, \"failed\": %zu, \"missing\": %zu, "
	              "\"accuracy\": %s}", w->probes, w->correct, w->wrong, w->failed, w->missing, acc);
}

static void json_probe(lc_buf *b, const char *run, const lc_passkey_probe *p, int st)
{
	lc_buf_adds(b, "{");
	json_str(b, "run", run);
	lc_buf_adds(b, ", ");
	json_str(b, "id", p->id);
	lc_buf_printf(b, ", \"length\": %ld, \"depth\": %d, ", p->length, p->depth);
	json_str(b, "key", p->key);
	lc_buf_adds(b, ", ");
	json_str(b, "result", lc_passkey_state_name(st));
	lc_buf_adds(b, "}");
}

/* One member "name": [rows of every run] of the JSON object. */
static void json_rows(lc_buf *b, const char *name, char *const *runs, const lc_passkey_result *res, size_t nruns, int which)
{
	lc_buf_printf(b, ",\n  \"%s\": [", name);
	int first = 1;
	for (size_t r = 0; r < nruns; r++) {
		const lc_passkey_row *w = which == 0 ? &res[r].all : which == 1 ? res[r].by_length
		                        : which == 2 ? res[r].by_depth : res[r].by_cell;
		size_t n = which == 0 ? 1 : which == 1 ? res[r].nlength : which == 2 ? res[r].ndepth : res[r].ncell;
		for (size_t i = 0; i < n; i++) {
			lc_buf_adds(b, first ? "\n    " : ",\n    ");
			first = 0;
			json_row(b, runs[r], &w[i]);
		}
	}
	lc_buf_adds(b, "\n  ]");
}

static void write_json(lc_buf *b, const char *probes, char *const *runs, size_t nruns, const lc_passkey_set *s,
                       unsigned char *const *state, const lc_passkey_result *res, int query)
{
	lc_buf_adds(b, "{\n  ");
	json_str(b, "measure", "passkey");
	lc_buf_adds(b, ",\n  ");
	json_str(b, "probes_file", probes);
	json_rows(b, "runs", runs, res, nruns, 0);
	json_rows(b, "by_length", runs, res, nruns, 1);
	json_rows(b, "by_depth", runs, res, nruns, 2);
	json_rows(b, "by_length_depth", runs, res, nruns, 3);
	if (query) {
		lc_buf_adds(b, ",\n  \"per_probe\": [");
		for (size_t r = 0; r < nruns; r++)
			for (size_t i = 0; i < s->n; i++) {
				lc_buf_adds(b, r || i ? ",\n    " : "\n    ");
				json_probe(b, runs[r], &s->p[i], state[r][i]);
			}
		lc_buf_adds(b, "\n  ]");
	}
	lc_buf_adds(b, "\n}\n");
}

static void write_text(lc_buf *b, char *const *runs, size_t nruns, const lc_passkey_set *s,
                       unsigned char *const *state, const lc_passkey_result *res, int query)
{
	if (query) {
		lc_buf_adds(b, "run\tprobe\tlength\tdepth\tkey\tresult\n");
		for (size_t r = 0; r < nruns; r++)
			for (size_t i = 0; i < s->n; i++)
				lc_buf_printf(b, "%s\t%s\t%ld\t%d\t%s\t%s\n", runs[r], s->p[i].id, s->p[i].length, s->p[i].depth,
				              s->p[i].key, lc_passkey_state_name(state[r][i]));
		lc_buf_addc(b, '\n');
	}
	lc_buf_adds(b, "run\tlength\tdepth\tprobes\tcorrect\twrong\tfailed\tmissing\taccuracy\n");
	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < res[r].nlength; i++)
			text_row(b, runs[r], &res[r].by_length[i]);
		for (size_t i = 0; i < res[r].ndepth; i++)
			text_row(b, runs[r], &res[r].by_depth[i]);
		text_row(b, runs[r], &res[r].all);
	}
}

int ev_passkey_run(const ev_passkey_opts *o, const char *probes, char *const *runs, size_t nruns,
                    lc_output *out, json_t *report, lc_err *e)
{
	if (o->other_measures)
		return lc_err_set(e, LC_EXIT_USAGE, "-m passkey is scored alone: give the other measures in another call");
	lc_passkey_set s = {0};
	if (lc_passkey_load(&s, probes, e) < 0) {
		lc_passkey_set_free(&s);
		return -1;
	}
	unsigned char **state = lc_xcalloc(nruns, sizeof *state);
	lc_passkey_result *res = lc_xcalloc(nruns, sizeof *res);
	int ret = 0;
	size_t r;
	for (r = 0; r < nruns; r++) {
		state[r] = lc_xcalloc(s.n, 1);
		if (lc_passkey_read_answers(&s, runs[r], state[r], e) < 0) {
			ret = -1;
			r++;
			break;
		}
		lc_passkey_score(&s, state[r], &res[r]);
	}
	size_t nread = r;
	lc_buf b = {0};
	if (!ret && report) {
		write_json(&b, probes, runs, nruns, &s, state, res, o->query);
		json_error_t je;
		json_t *v = json_loadb(b.p, b.len, 0, &je);
		json_object_update(report, v);
		json_decref(v);
		lc_buf_reset(&b);
	}
	if (!ret && o->jsonl) {
		for (r = 0; r < nruns; r++)
			for (size_t i = 0; i < s.n; i++) {
				json_probe(&b, runs[r], &s.p[i], state[r][i]);
				lc_buf_addc(&b, '\n');
			}
	} else if (!ret && o->json)
		write_json(&b, probes, runs, nruns, &s, state, res, o->query);
	else if (!ret)
		write_text(&b, runs, nruns, &s, state, res, o->query);
	if (!ret)
		lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
	for (r = 0; r < nread; r++) {
		free(state[r]);
		lc_passkey_result_free(&res[r]);
	}
	free(state);
	free(res);
	lc_passkey_set_free(&s);
	return ret;
}
