/*
 * loft — lceval's LOFT measure family: evaluates every run with
 * lib/eval/loft_eval and prints LOFT's own files (one run, --json / --jsonl),
 * text, or the comparison of several runs on the per-line values.  See lceval.h.
 */
#include "lceval.h"
#include "err.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ev_loft_text(const lc_loft_sel *s, const lc_loft_result *res, int query, lc_output *out)
{
	lc_buf b = { 0 };
	if (query)
		for (size_t L = 0; L < res->nlines; L++) {
			char id[512];
			if (res->turn[L] || (L + 1 < res->nlines && res->qid[L + 1] == res->qid[L] && res->turn[L + 1]))
				snprintf(id, sizeof id, "%s#%u", res->qid[L], res->turn[L]);
			else
				snprintf(id, sizeof id, "%s", res->qid[L]);
			for (size_t i = 0; i < s->n; i++)
				lc_buf_printf(&b, "%-22s\t%s\t%6.4f\n", s->m[i].name, id, res->v[L * s->n + i]);
		}
	for (size_t i = 0; i < s->n; i++)
		lc_buf_printf(&b, "%-22s\tall\t%6.4f\n", s->m[i].name, res->mean[i]);
	lc_buf_printf(&b, "%-22s\tall\t%zu\n", "num_unanswered_queries", res->nunanswered);
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
}

/* One line's metrics as JSON members ("name": value, ...). */
static void line_members(lc_buf *b, const lc_loft_sel *s, const lc_loft_result *res, size_t L)
{
	for (size_t i = 0; i < s->n; i++) {
		lc_buf_adds(b, ", ");
		lc_json_quote(b, s->m[i].name, strlen(s->m[i].name));
		lc_buf_adds(b, ": ");
		lc_loft_put_value(b, res->v[L * s->n + i], res->isint[L * s->n + i]);
	}
}

void ev_loft_jsonl(const lc_loft_sel *s, const lc_loft_result *res, char **names, size_t nruns,
                             lc_output *out)
{
	lc_buf b = { 0 };
	for (size_t r = 0; r < nruns; r++) {
		for (size_t L = 0; L < res[r].nlines; L++) {
			lc_buf_reset(&b);
			lc_buf_adds(&b, "{\"run\": ");
			lc_json_quote(&b, names[r], strlen(names[r]));
			lc_buf_adds(&b, ", \"qid\": ");
			lc_json_quote(&b, res[r].qid[L], strlen(res[r].qid[L]));
			lc_buf_printf(&b, ", \"turn_id\": \"%u\"", res[r].turn[L]);
			line_members(&b, s, &res[r], L);
			lc_buf_adds(&b, "}\n");
			lc_output_write(out, b.p, b.len);
		}
		lc_buf_reset(&b);
		lc_buf_adds(&b, "{\"run\": ");
		lc_json_quote(&b, names[r], strlen(names[r]));
		lc_buf_adds(&b, ", \"qid\": \"all\"");
		for (size_t i = 0; i < s->n; i++) {
			lc_buf_adds(&b, ", ");
			lc_json_quote(&b, s->m[i].name, strlen(s->m[i].name));
			lc_buf_adds(&b, ": ");
			lc_loft_put_value(&b, res[r].mean[i], res[r].nlines == 0);
		}
		lc_buf_printf(&b, ", \"num_unanswered_queries\": %zu}\n", res[r].nunanswered);
		lc_output_write(out, b.p, b.len);
	}
	lc_buf_free(&b);
}

/* "KEY": [LOFT's per-line objects] */
static void queries_member(lc_buf *b, const lc_loft_sel *s, const lc_loft_result *res, const char *key)
{
	lc_json_quote(b, key, strlen(key));
	lc_buf_adds(b, ": [");
	for (size_t L = 0; L < res->nlines; L++) {
		lc_buf_adds(b, L ? ", {\"qid\": " : "{\"qid\": ");
		lc_json_quote(b, res->qid[L], strlen(res->qid[L]));
		lc_buf_printf(b, ", \"turn_id\": \"%u\"", res->turn[L]);
		line_members(b, s, res, L);
		lc_buf_addc(b, '}');
	}
	lc_buf_addc(b, ']');
}

void ev_loft_members(lc_buf *b, const lc_loft_sel *s, const lc_loft_result *res, int query, const char *qkey)
{
	lc_buf_adds(b, "\"quality\": {");
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			lc_buf_adds(b, ", ");
		lc_json_quote(b, s->m[i].name, strlen(s->m[i].name));
		lc_buf_adds(b, ": ");
		lc_loft_put_value(b, res->mean[i], res->nlines == 0);
	}
	lc_buf_printf(b, "}, \"num_unanswered_queries\": %zu", res->nunanswered);
	if (query) {
		lc_buf_adds(b, ", ");
		queries_member(b, s, res, qkey);
	}
}

/* Line names for text and tables: qid, or qid#turn when the query has several turns. */
static const char **line_names(const lc_loft_result *res, char ***own)
{
	const char **n = lc_xmalloc((res->nlines + 1) * sizeof *n);
	*own = lc_xcalloc(res->nlines + 1, sizeof **own);
	for (size_t L = 0; L < res->nlines; L++) {
		if (res->turn[L] || (L + 1 < res->nlines && res->qid[L + 1] == res->qid[L] && res->turn[L + 1])) {
			lc_buf b = { 0 };
			lc_buf_printf(&b, "%s#%u", res->qid[L], res->turn[L]);
			(*own)[L] = b.p;
			n[L] = b.p;
		} else
			n[L] = res->qid[L];
	}
	return n;
}

/* LOFT's --deduplicate_pids maps the gold and predicted ids of every answered
 * query: a missing one is its KeyError.  0, or 1 after the message. */
static int check_dedup(const lc_loft_sel *s, const lc_qrels *qr, const lc_run *runs, char **names, size_t nruns)
{
	for (size_t r = 0; r < nruns; r++)
		for (size_t ri = 0; ri < qr->nrecs; ri++) {
			const lc_qrels_q *qq = &qr->q[qr->recs[ri].q];
			long pi = lc_strmap_find(&runs[r].qids, qq->qid, strlen(qq->qid));
			if (pi < 0 || runs[r].q[pi].unanswered)
				continue;
			const lc_run_q *pq = &runs[r].q[pi];
			const char *bad = NULL, *what = "gold";
			for (uint32_t k = 0; !bad && k < qr->recs[ri].n; k++)
				if (!lc_loft_dedup_text(s->dedup, qq->j[qr->recs[ri].start + k].docno))
					bad = qq->j[qr->recs[ri].start + k].docno;
			for (size_t k = 0; !bad && k < pq->n; k++)
				if (!lc_loft_dedup_text(s->dedup, pq->h[k].docno))
					bad = pq->h[k].docno, what = "predicted";
			if (bad) {
				lc_warn("%s: query '%s': %s pid '%s' is not in the --deduplicate-pids corpus (LOFT stops with a "
				        "KeyError); give the corpus the queries were made from", names[r], qq->qid, what, bad);
				return 1;
			}
		}
	return 0;
}

/* Several runs, --json: LOFT's object per run (with -q its lines), then the tests. */
static void print_json_runs(const lc_loft_sel *s, const lc_loft_result *res, const ev_table *t, int query,
                            const lc_signif_opts *so, lc_output *out)
{
	size_t nruns = t->nruns;
	lc_buf b = { 0 };
	if (nruns > 1)
		lc_buf_adds(&b, "{\"runs\": [");
	for (size_t r = 0; r < nruns; r++) {
		lc_buf_adds(&b, r ? ", {" : "{");
		if (nruns > 1) {
			lc_buf_adds(&b, "\"run\": ");
			lc_json_quote(&b, t->runnames[r], strlen(t->runnames[r]));
			lc_buf_adds(&b, ", ");
		}
		ev_loft_members(&b, s, &res[r], query, "queries");
		lc_buf_addc(&b, '}');
	}
	if (nruns > 1) {
		lc_buf_adds(&b, "], ");
		ev_tests_json(t, so, &b);
		lc_buf_addc(&b, '}');
	}
	lc_buf_addc(&b, '\n');
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
}

/* The results in the form c asks (json, jsonl: these flags, not c's). */
static void print_results(const ev_ctx *c, const lc_loft_sel *s, const lc_loft_result *res, int json, int jsonl,
                          lc_output *out)
{
	size_t nruns = c->nruns;
	int query = c->o.query;
	if (nruns == 1 && (jsonl || (json && !query))) {
		/* LOFT's own files, byte for byte */
		if (jsonl)
			lc_loft_print_jsonl(s, &res[0], out);
		else
			lc_loft_print_json(s, &res[0], out);
		return;
	}
	if (nruns == 1 && !json && c->format == EV_FMT_TEXT) {
		ev_loft_text(s, &res[0], query, out);
		return;
	}
	if (jsonl) {
		ev_loft_jsonl(s, res, c->rpaths, nruns, out);
		return;
	}
	/* lines align across runs when the turns do (same qrels) */
	size_t nq = res[0].nlines, nm = s->n;
	int aligned = 1;
	for (size_t r = 1; r < nruns; r++)
		if (res[r].nlines != nq)
			aligned = 0;
	const char **mn = lc_xmalloc((nm + 1) * sizeof *mn);
	int *testable = lc_xmalloc((nm + 1) * sizeof *testable), *is_long = lc_xcalloc(nm + 1, sizeof *is_long);
	const double **sum = lc_xmalloc(nruns * sizeof *sum), **pq = lc_xmalloc(nruns * sizeof *pq);
	for (size_t i = 0; i < nm; i++) {
		mn[i] = s->m[i].name;
		testable[i] = aligned;
	}
	for (size_t r = 0; r < nruns; r++) {
		sum[r] = res[r].mean;
		pq[r] = res[r].v;
	}
	char **own = NULL;
	const char **qn = query && aligned && !json ? line_names(&res[0], &own) : NULL;
	ev_table t = { nm, aligned ? nq : 0, nruns, mn, testable, is_long, c->rpaths, sum, pq, qn };
	if (json)
		print_json_runs(s, res, &t, query, &c->so, out);
	else if (c->format == EV_FMT_TEXT)
		ev_table_text(&t, &c->so, out);
	else
		ev_table_format(&t, &c->so, c->format, out);
	if (own)
		for (size_t L = 0; L < nq; L++)
			free(own[L]);
	free(own);
	free(qn);
	free(mn);
	free(testable);
	free(is_long);
	free(sum);
	free(pq);
}

lc_loft_result *ev_loft_evaluate(const ev_ctx *c, const lc_loft_sel *s, lc_output *out, int *code)
{
	size_t nruns = c->nruns;
	if (s->dedup && check_dedup(s, c->qr, c->runs, c->rpaths, nruns)) {
		lc_output_abort(out);
		*code = LC_EXIT_INPUT;
		return NULL;
	}
	lc_loft_result *res = lc_xcalloc(nruns, sizeof *res);
	for (size_t r = 0; r < nruns; r++) {
		lc_loft_evaluate(s, c->qr, &c->runs[r], c->o.rel_level, &res[r]);
		for (size_t u = 0; u < res[r].nunanswered; u++)
			lc_warn("%s: query %s was unanswered, scored 0", c->rpaths[r], res[r].unanswered[u]);
	}
	return res;
}

void ev_loft_results_free(lc_loft_result *res, size_t n)
{
	for (size_t r = 0; r < n; r++)
		lc_loft_result_free(&res[r]);
	free(res);
}

int ev_loft_run(const ev_ctx *c, const lc_loft_sel *s, lc_output *out)
{
	size_t nruns = c->nruns;
	int code = 0;
	lc_loft_result *res = ev_loft_evaluate(c, s, out, &code);
	if (!res)
		return code;
	print_results(c, s, res, c->json, c->jsonl, out);
	if (lc_report_on(c->rep)) {
		FILE *tf;
		lc_output *rj = ev_json_sink(&tf);
		print_results(c, s, res, 1, 0, rj);
		ev_json_sink_merge(c->rep, rj, tf);
	}
	ev_loft_results_free(res, nruns);
	return 0;
}
