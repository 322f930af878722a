/*
 * trec — lceval's trec_eval measure family: evaluates every run with
 * lib/eval/treceval and prints trec_eval's text (one run), the comparison
 * (several runs), or JSON / JSON lines.  See lceval.h.
 */
#include "lceval.h"
#include "err.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ev_trec_table(const lc_te *te, const lc_te_result *res, size_t nruns, char **names, ev_table *t)
{
	size_t nv = lc_te_nvalues(te);
	size_t *map = lc_xmalloc((nv + 1) * sizeof *map);
	size_t nm = 0;
	for (size_t k = 0; k < nv; k++) {
		int kind = lc_te_value_at(te, k)->kind;
		if (kind == LC_TE_FLOAT || kind == LC_TE_LONG || kind == LC_TE_GM || kind == LC_TE_NUMQ)
			map[nm++] = k;
	}
	const char **mn = lc_xmalloc((nm + 1) * sizeof *mn);
	int *testable = lc_xmalloc((nm + 1) * sizeof *testable);
	int *is_long = lc_xmalloc((nm + 1) * sizeof *is_long);
	double **sum = lc_xmalloc(nruns * sizeof *sum);
	double **pq = lc_xmalloc(nruns * sizeof *pq);
	size_t nq = res[0].nq;
	for (size_t m = 0; m < nm; m++) {
		const lc_te_value *v = lc_te_value_at(te, map[m]);
		mn[m] = v->name;
		testable[m] = v->kind == LC_TE_FLOAT || v->kind == LC_TE_GM;
		is_long[m] = (v->kind == LC_TE_LONG || v->kind == LC_TE_NUMQ) && !res[0].zscored;
	}
	for (size_t r = 0; r < nruns; r++) {
		sum[r] = lc_xmalloc((nm + 1) * sizeof **sum);
		pq[r] = lc_xmalloc((nq * nm + 1) * sizeof **pq);
		for (size_t m = 0; m < nm; m++) {
			sum[r][m] = res[r].summary[map[m]];
			for (size_t i = 0; i < nq; i++) {
				double x = res[r].v[i * nv + map[m]];
				if (lc_te_value_at(te, map[m])->kind == LC_TE_GM)
					x = exp(x);   /* stored as log */
				pq[r][i * nm + m] = x;
			}
		}
	}
	free(map);
	*t = (ev_table){ nm, nq, nruns, mn, testable, is_long, names, (const double *const *)sum,
	                 (const double *const *)pq, NULL };
}

void ev_trec_table_free(ev_table *t)
{
	for (size_t r = 0; r < t->nruns; r++) {
		free((void *)t->summary[r]);
		free((void *)t->perq[r]);
	}
	free((void *)t->summary);
	free((void *)t->perq);
	free((void *)t->mnames);
	free((void *)t->testable);
	free((void *)t->is_long);
}

static void values_obj(lc_buf *b, const lc_te *te, const lc_te_result *r, const double *v, const char *relstr, int summary)
{
	size_t nv = lc_te_nvalues(te);
	int first = 1;
	for (size_t k = 0; k < nv; k++) {
		const lc_te_value *val = lc_te_value_at(te, k);
		int kind = val->kind;
		if (summary ? kind == LC_TE_RELSTR : (kind == LC_TE_GM || kind == LC_TE_NUMQ || kind == LC_TE_RUNID))
			continue;
		lc_buf_adds(b, first ? "" : ", ");
		first = 0;
		lc_json_quote(b, val->name, strlen(val->name));
		lc_buf_adds(b, ": ");
		if (kind == LC_TE_RUNID)
			lc_json_quote(b, r->runid, strlen(r->runid));
		else if (kind == LC_TE_RELSTR)
			lc_json_quote(b, relstr ? relstr : "", relstr ? strlen(relstr) : 0);
		else if ((kind == LC_TE_LONG || kind == LC_TE_NUMQ) && !r->zscored)
			lc_buf_printf(b, "%ld", (long)v[k]);
		else
			ev_json_num(b, v[k]);
	}
}

void ev_trec_jsonl(const lc_te *te, const lc_te_opts *o, const lc_te_result *res, size_t nruns, char **names,
                        lc_output *out)
{
	size_t nv = lc_te_nvalues(te);
	lc_buf b = { 0 };
	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < res[r].nq; i++) {
			lc_buf_reset(&b);
			lc_buf_adds(&b, "{\"run\": ");
			lc_json_quote(&b, names[r], strlen(names[r]));
			lc_buf_adds(&b, ", \"qid\": ");
			lc_json_quote(&b, res[r].qid[i], strlen(res[r].qid[i]));
			lc_buf_adds(&b, ", ");
			values_obj(&b, te, &res[r], res[r].v + i * nv, res[r].relstr[i], 0);
			lc_buf_adds(&b, "}\n");
			lc_output_write(out, b.p, b.len);
		}
		if (o->summary && !res[r].fail_code) {
			lc_buf_reset(&b);
			lc_buf_adds(&b, "{\"run\": ");
			lc_json_quote(&b, names[r], strlen(names[r]));
			lc_buf_adds(&b, ", \"qid\": \"all\", ");
			values_obj(&b, te, &res[r], res[r].summary, NULL, 1);
			lc_buf_adds(&b, "}\n");
			lc_output_write(out, b.p, b.len);
		}
	}
	lc_buf_free(&b);
}

void ev_trec_members(lc_buf *b, const lc_te *te, const lc_te_opts *o, const lc_te_result *r)
{
	size_t nv = lc_te_nvalues(te);
	if (!r->fail_code) {
		lc_buf_adds(b, ", \"summary\": {");
		values_obj(b, te, r, r->summary, NULL, 1);
		lc_buf_addc(b, '}');
	}
	if (o->query) {
		lc_buf_adds(b, ", \"queries\": {");
		for (size_t i = 0; i < r->nq; i++) {
			if (i)
				lc_buf_adds(b, ", ");
			lc_json_quote(b, r->qid[i], strlen(r->qid[i]));
			lc_buf_adds(b, ": {");
			values_obj(b, te, r, r->v + i * nv, r->relstr[i], 0);
			lc_buf_addc(b, '}');
		}
		lc_buf_addc(b, '}');
	}
}

void ev_trec_json(const lc_te *te, const lc_te_opts *o, const lc_te_result *res, size_t nruns, char **names,
                  int jsonl, const lc_signif_opts *so, lc_output *out)
{
	if (jsonl) {
		ev_trec_jsonl(te, o, res, nruns, names, out);
		return;
	}
	lc_buf b = { 0 };
	lc_buf_adds(&b, nruns > 1 ? "{\"runs\": [" : "");
	for (size_t r = 0; r < nruns; r++) {
		if (r)
			lc_buf_adds(&b, ", ");
		lc_buf_adds(&b, "{\"run\": ");
		lc_json_quote(&b, names[r], strlen(names[r]));
		ev_trec_members(&b, te, o, &res[r]);
		lc_buf_addc(&b, '}');
	}
	if (nruns > 1 && so) {
		ev_table t;
		ev_trec_table(te, res, nruns, names, &t);
		lc_buf_adds(&b, "], ");
		ev_tests_json(&t, so, &b);
		lc_buf_adds(&b, "}\n");
		ev_trec_table_free(&t);
	} else
		lc_buf_adds(&b, nruns > 1 ? "]}\n" : "\n");
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
}

/* The results as a table (text or --format) or JSON, into out. */
static void print_results(const ev_ctx *c, const lc_te *te, const lc_te_result *res, int json, int jsonl,
                          lc_output *out)
{
	if (json || jsonl) {
		ev_trec_json(te, &c->o, res, c->nruns, c->rpaths, jsonl, c->nruns > 1 ? &c->so : NULL, out);
		return;
	}
	if (c->nruns == 1 && c->format == EV_FMT_TEXT) {
		lc_te_print(te, &c->o, res, out);
		return;
	}
	ev_table t;
	ev_trec_table(te, res, c->nruns, c->rpaths, &t);
	if (c->o.query)
		t.qids = (const char *const *)res[0].qid;
	if (c->format == EV_FMT_TEXT)
		ev_table_text(&t, &c->so, out);
	else
		ev_table_format(&t, &c->so, c->format, out);
	ev_trec_table_free(&t);
}

int ev_trec_run(const ev_ctx *c, lc_te *te, lc_output *out)
{
	size_t nruns = c->nruns;
	lc_te_result *res = lc_xcalloc(nruns, sizeof *res);
	int code = 0;
	for (size_t i = 0; i < nruns; i++) {
		if (c->pre && i == 0)
			res[0] = *c->pre;
		else
			lc_te_evaluate(te, &c->o, c->qr, &c->runs[i], &res[i]);
		/* trec_eval's partial per-topic text is kept only for one run in its own format, on stdout */
		int partial = nruns == 1 && !c->json && !c->jsonl && c->format == EV_FMT_TEXT && !c->outpath;
		if (res[i].fail_code && !partial) {
			lc_output_abort(out);
			if (nruns > 1) {
				fputs("lceval: ", stderr);
				lc_fputs_escaped(c->rpaths[i], 0, stderr);
				fputs(": ", stderr);
			}
			lc_fputs_escaped(res[i].fail_msg, 1, stderr);
			ev_explain_missing(res[i].fail_msg, c->qpath, c->rpaths[i]);
			code = res[i].fail_code;
			nruns = i + 1;
			goto done;
		}
	}
	print_results(c, te, res, c->json, c->jsonl, out);
	if (res[0].fail_code) {
		/* one run, trec_eval's text: what was printed stays, then its message */
		lc_output_commit(out);
		lc_fputs_escaped(res[0].fail_msg, 1, stderr);
		ev_explain_missing(res[0].fail_msg, c->qpath, c->rpaths[0]);
		code = res[0].fail_code;
		goto done;
	}
	if (lc_report_on(c->rep)) {
		FILE *tf;
		lc_output *rj = ev_json_sink(&tf);
		print_results(c, te, res, 1, 0, rj);
		ev_json_sink_merge(c->rep, rj, tf);
	}
done:
	for (size_t i = 0; i < nruns; i++)
		lc_te_result_free(&res[i]);
	free(res);
	return code;
}

lc_te_result *ev_trec_evaluate(const ev_ctx *c, lc_te *te, lc_output *out, int *code)
{
	lc_te_result *res = lc_xcalloc(c->nruns, sizeof *res);
	for (size_t i = 0; i < c->nruns; i++) {
		lc_te_evaluate(te, &c->o, c->qr, &c->runs[i], &res[i]);
		if (res[i].fail_code) {
			lc_output_abort(out);
			fputs("lceval: ", stderr);
			lc_fputs_escaped(c->rpaths[i], 0, stderr);
			fputs(": ", stderr);
			lc_fputs_escaped(res[i].fail_msg, 1, stderr);
			ev_explain_missing(res[i].fail_msg, c->qpath, c->rpaths[i]);
			*code = res[i].fail_code;
			ev_trec_results_free(res, i + 1);
			return NULL;
		}
	}
	return res;
}

void ev_trec_results_free(lc_te_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lc_te_result_free(&res[i]);
	free(res);
}
