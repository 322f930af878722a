/*
 * mixed — LOFT and trec_eval measures in one call: each family evaluates the
 * runs as it reads them (trec_eval's ranking, LOFT's predictions), and the
 * results are printed together: one run's text is trec_eval's lines then LOFT's,
 * --jsonl trec_eval's lines then LOFT's (each with its "run"), --json one object
 * per run with both families' members (LOFT's per-line values under
 * "loft_queries"), and the comparison one table of every measure.  In that
 * table LOFT's values are tested topic by topic when every topic has one LOFT
 * line in every run; otherwise LOFT's measures are shown but not tested.
 * See lceval.h.
 */
#include "lceval.h"
#include "err.h"
#include "json.h"
#include "strmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Line of topic i of the trec results in each LOFT result: at[r][i], or NULL
 * when some topic has no line or several (turns) in some run. */
static size_t **align(const lc_te_result *tr, const lc_loft_result *lr, size_t nruns)
{
	size_t nq = tr[0].nq;
	size_t **at = lc_xcalloc(nruns, sizeof *at);
	int ok = 1;
	for (size_t r = 0; r < nruns && ok; r++) {
		lc_strmap m = { 0 };
		size_t *line = lc_xmalloc((lr[r].nlines + 1) * sizeof *line);
		for (size_t L = 0; L < lr[r].nlines && ok; L++) {
			int fresh;
			uint32_t id = lc_strmap_intern(&m, lr[r].qid[L], strlen(lr[r].qid[L]), &fresh);
			line[id] = L;
			ok = fresh;
		}
		at[r] = lc_xmalloc((nq + 1) * sizeof **at);
		for (size_t i = 0; i < nq && ok; i++) {
			long id = lc_strmap_find(&m, tr[0].qid[i], strlen(tr[0].qid[i]));
			ok = id >= 0;
			if (ok)
				at[r][i] = line[id];
		}
		free(line);
		lc_strmap_free(&m);
	}
	if (!ok) {
		for (size_t r = 0; r < nruns; r++)
			free(at[r]);
		free(at);
		return NULL;
	}
	return at;
}

/* Both families' measures (trec_eval's first) as one table; merged_free frees it. */
typedef struct merged {
	ev_table t, trec;
	size_t **at;
	const char **mn;
	int *testable, *is_long;
	double **sum, **pq;
} merged;

static void merge(const ev_ctx *c, const lc_te *te, const lc_te_result *tr, const lc_loft_sel *s,
                  const lc_loft_result *lr, merged *g)
{
	size_t nr = c->nruns;
	ev_trec_table(te, tr, nr, c->rpaths, &g->trec);
	const ev_table *t = &g->trec;
	size_t nt = t->nm, nm = nt + s->n, nq = t->nq;
	g->at = align(tr, lr, nr);
	g->mn = lc_xmalloc((nm + 1) * sizeof *g->mn);
	g->testable = lc_xmalloc((nm + 1) * sizeof *g->testable);
	g->is_long = lc_xcalloc(nm + 1, sizeof *g->is_long);
	g->sum = lc_xmalloc(nr * sizeof *g->sum);
	g->pq = lc_xmalloc(nr * sizeof *g->pq);
	for (size_t k = 0; k < nm; k++) {
		g->mn[k] = k < nt ? t->mnames[k] : s->m[k - nt].name;
		g->testable[k] = k < nt ? t->testable[k] : g->at != NULL;
		g->is_long[k] = k < nt ? t->is_long[k] : 0;
	}
	for (size_t r = 0; r < nr; r++) {
		g->sum[r] = lc_xmalloc((nm + 1) * sizeof **g->sum);
		g->pq[r] = lc_xmalloc((nq * nm + 1) * sizeof **g->pq);
		for (size_t k = 0; k < nm; k++) {
			g->sum[r][k] = k < nt ? t->summary[r][k] : lr[r].mean[k - nt];
			for (size_t i = 0; i < nq; i++)
				g->pq[r][i * nm + k] = k < nt ? t->perq[r][i * nt + k]
				                     : g->at ? lr[r].v[g->at[r][i] * s->n + (k - nt)] : NAN;
		}
	}
	g->t = (ev_table){ nm, nq, nr, g->mn, g->testable, g->is_long, c->rpaths, (const double *const *)g->sum,
	                   (const double *const *)g->pq, c->o.query ? (const char *const *)tr[0].qid : NULL };
}

static void merged_free(merged *g)
{
	for (size_t r = 0; r < g->t.nruns; r++) {
		free(g->sum[r]);
		free(g->pq[r]);
		if (g->at)
			free(g->at[r]);
	}
	free(g->at);
	free(g->sum);
	free(g->pq);
	free(g->mn);
	free(g->testable);
	free(g->is_long);
	ev_trec_table_free(&g->trec);
}

/* One object; with several runs {"runs": [...], "test": ..., "tests": [...]}. */
static void json(const ev_ctx *c, const lc_te *te, const lc_te_result *tr, const lc_loft_sel *s,
                 const lc_loft_result *lr, lc_output *out)
{
	size_t nr = c->nruns;
	lc_buf b = { 0 };
	lc_buf_adds(&b, nr > 1 ? "{\"runs\": [" : "");
	for (size_t r = 0; r < nr; r++) {
		lc_buf_adds(&b, r ? ", {\"run\": " : "{\"run\": ");
		lc_json_quote(&b, c->rpaths[r], strlen(c->rpaths[r]));
		ev_trec_members(&b, te, &c->o, &tr[r]);
		lc_buf_adds(&b, ", ");
		ev_loft_members(&b, s, &lr[r], c->o.query, "loft_queries");
		lc_buf_addc(&b, '}');
	}
	if (nr > 1) {
		merged g;
		merge(c, te, tr, s, lr, &g);
		lc_buf_adds(&b, "], ");
		ev_tests_json(&g.t, &c->so, &b);
		lc_buf_addc(&b, '}');
		merged_free(&g);
	}
	lc_buf_addc(&b, '\n');
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
}

static void print_results(const ev_ctx *c, const lc_te *te, const lc_te_result *tr, const lc_loft_sel *s,
                          const lc_loft_result *lr, int as_json, int jsonl, lc_output *out)
{
	if (jsonl) {
		ev_trec_jsonl(te, &c->o, tr, c->nruns, c->rpaths, out);
		ev_loft_jsonl(s, lr, c->rpaths, c->nruns, out);
	} else if (as_json)
		json(c, te, tr, s, lr, out);
	else if (c->nruns == 1 && c->format == EV_FMT_TEXT) {
		lc_te_print(te, &c->o, tr, out);
		ev_loft_text(s, lr, c->o.query, out);
	} else {
		merged g;
		merge(c, te, tr, s, lr, &g);
		if (c->format == EV_FMT_TEXT)
			ev_table_text(&g.t, &c->so, out);
		else
			ev_table_format(&g.t, &c->so, c->format, out);
		merged_free(&g);
	}
}

int ev_mixed_run(const ev_ctx *ct, const ev_ctx *cl, lc_te *te, const lc_loft_sel *s, lc_output *out)
{
	int code = 0;
	lc_te_result *tr = ev_trec_evaluate(ct, te, out, &code);
	if (!tr)
		return code;
	lc_loft_result *lr = ev_loft_evaluate(cl, s, out, &code);
	if (!lr) {
		ev_trec_results_free(tr, ct->nruns);
		return code;
	}
	print_results(ct, te, tr, s, lr, ct->json, ct->jsonl, out);
	if (lc_report_on(ct->rep)) {
		FILE *tf;
		lc_output *rj = ev_json_sink(&tf);
		print_results(ct, te, tr, s, lr, 1, 0, rj);
		ev_json_sink_merge(ct->rep, rj, tf);
	}
	ev_trec_results_free(tr, ct->nruns);
	ev_loft_results_free(lr, cl->nruns);
	return 0;
}
