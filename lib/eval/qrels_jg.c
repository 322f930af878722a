/*
 * qrels_jg — trec_eval's qrels_jg format (get_qrels_jg.c): TREC qrels whose
 * second field names a judgment group (one user's judgments).  read_trec in
 * qrels.c reads the lines; lc_qrels_group orders each query's judgments by
 * group, then docno, as trec_eval stores them, finds a docno judged twice in
 * one group (trec_eval's error at read time) and records the groups' bounds.
 */
#define _GNU_SOURCE
#include "qrels.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	const lc_qrels *q;
	const lc_qrels_jgline *l;
} sort_ctx;

/* qid, then group, then docno (strcmp), as trec_eval sorts its lines */
static int cmp_line(const void *a, const void *b, void *arg)
{
	const sort_ctx *c = arg;
	const lc_qrels_jgline *x = &c->l[*(const size_t *)a], *y = &c->l[*(const size_t *)b];
	int r = x->q == y->q ? 0 : strcmp(c->q->q[x->q].qid, c->q->q[y->q].qid);
	if (!r)
		r = strcmp(x->jg, y->jg);
	if (!r)
		r = strcmp(c->q->q[x->q].j[x->k].docno, c->q->q[y->q].j[y->k].docno);
	return r;
}

int lc_qrels_group(lc_qrels *q, const lc_qrels_jgline *lines, size_t n, const char *path, lc_err *e)
{
	size_t *ord = lc_xmalloc((n + 1) * sizeof *ord);
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	sort_ctx c = { q, lines };
	qsort_r(ord, n, sizeof *ord, cmp_line, &c);
	for (size_t i = 1; i < n; i++) {
		const lc_qrels_jgline *a = &lines[ord[i - 1]], *b = &lines[ord[i]];
		if (a->q == b->q && !strcmp(a->jg, b->jg) && !strcmp(q->q[a->q].j[a->k].docno, q->q[b->q].j[b->k].docno)) {
			lc_err_set(e, 2, "trec_eval.get_qrels: duplicate docs %s\ntrec_eval: Quit in file '%s'",
			           q->q[b->q].j[b->k].docno, path);
			free(ord);
			return -1;
		}
	}
	/* each query's judgments in that order, and where each group starts */
	lc_judg **sorted = lc_xcalloc(q->nq + 1, sizeof *sorted);
	size_t *fill = lc_xcalloc(q->nq + 1, sizeof *fill);
	for (size_t i = 0; i < q->nq; i++) {
		sorted[i] = lc_xmalloc((q->q[i].n + 1) * sizeof **sorted);
		q->q[i].grp = lc_xmalloc((q->q[i].n + 2) * sizeof *q->q[i].grp);
		q->q[i].ngrp = 0;
	}
	const char *prev_jg = NULL;
	uint32_t prev_q = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		const lc_qrels_jgline *l = &lines[ord[i]];
		lc_qrels_q *qq = &q->q[l->q];
		if (l->q != prev_q || strcmp(l->jg, prev_jg))
			qq->grp[qq->ngrp++] = (uint32_t)fill[l->q];
		sorted[l->q][fill[l->q]++] = qq->j[l->k];
		prev_q = l->q;
		prev_jg = l->jg;
	}
	for (size_t i = 0; i < q->nq; i++) {
		lc_qrels_q *qq = &q->q[i];
		qq->grp[qq->ngrp] = (uint32_t)qq->n;
		free(qq->j);
		qq->j = sorted[i];
		qq->cap = qq->n + 1;
	}
	free(sorted);
	free(fill);
	free(ord);
	return 0;
}
