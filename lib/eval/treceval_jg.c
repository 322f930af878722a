/*
 * treceval_jg — trec_eval's measures over judgment groups (-R qrels_jg): the
 * per-topic ranking seen by each group (form_res_rels_jg) and map_avgjg,
 * P_avgjg and Rprec_mult_avgjg, each the ordinary measure computed per group
 * and averaged over the topic's groups, operation for operation as trec_eval
 * 10.0 does it (so its %6.4f output agrees).
 */
#include "treceval_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *docno;
	long rank;               /* 1-based */
} ranked_doc;

struct lc_te_jgwork {
	ranked_doc *d;
	size_t capd;
	long *rel;               /* [ngrp * num] ranked relevance per group */
	size_t caprel;
	long *byrank;            /* [num] one group's values by rank (-J) */
	size_t capbyrank;
	long *levels;            /* [ngrp * (max_rel + 1)] */
	size_t caplev;
	lc_te_rr *jgs;
	size_t capjgs;
};

void lc_te_jgwork_free(lc_te_jgwork *w)
{
	if (!w)
		return;
	free(w->d);
	free(w->rel);
	free(w->byrank);
	free(w->levels);
	free(w->jgs);
	free(w);
}

static int cmp_docno(const void *a, const void *b)
{
	return strcmp(((const ranked_doc *)a)->docno, ((const ranked_doc *)b)->docno);
}

int lc_te_form_jg(lc_te_jgwork **wp, const lc_te_opts *o, const lc_qrels_q *qq, const char *const *ranked, long num,
                  lc_te_rr *rr, lc_buf *err)
{
	if (!*wp)
		*wp = lc_xcalloc(1, sizeof **wp);
	lc_te_jgwork *w = *wp;
	size_t n = num > 0 ? (size_t)num : 0, ng = qq->ngrp;
	w->d = lc_te_grow(w->d, &w->capd, n + 1, sizeof *w->d);
	for (size_t i = 0; i < n; i++)
		w->d[i] = (ranked_doc){ ranked[i], (long)i + 1 };
	qsort(w->d, n, sizeof *w->d, cmp_docno);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(w->d[i].docno, w->d[i - 1].docno)) {
			lc_buf_printf(err, "trec_eval.form_res_qrels: duplicate docs %s", w->d[i].docno);
			return -1;
		}
	long max_rel = 0;
	for (size_t k = 0; k < qq->n; k++)
		if (qq->j[k].rel > max_rel)
			max_rel = qq->j[k].rel;
	size_t nlev = (size_t)max_rel + 1;
	w->levels = lc_te_grow(w->levels, &w->caplev, nlev * ng + 1, sizeof *w->levels);
	memset(w->levels, 0, nlev * ng * sizeof *w->levels);
	w->rel = lc_te_grow(w->rel, &w->caprel, n * ng + 1, sizeof *w->rel);
	w->byrank = lc_te_grow(w->byrank, &w->capbyrank, n + 1, sizeof *w->byrank);
	w->jgs = lc_te_grow(w->jgs, &w->capjgs, ng + 1, sizeof *w->jgs);
	for (size_t g = 0; g < ng; g++) {
		/* the docs and the group's judgments, both in docno order, side by side */
		const lc_judg *j = qq->j + qq->grp[g], *end = qq->j + qq->grp[g + 1];
		long *lev = w->levels + g * nlev, *list = w->rel + g * n;
		lc_te_rr *jr = &w->jgs[g];
		memset(jr, 0, sizeof *jr);
		for (size_t i = 0; i < n; i++) {
			for (; j < end && strcmp(j->docno, w->d[i].docno) < 0; j++)
				if (j->rel >= 0)
					lev[j->rel]++;
			long rel = LC_TE_NONPOOL;
			if (j < end && !strcmp(j->docno, w->d[i].docno)) {
				rel = j->rel < 0 ? LC_TE_UNJUDGED : j->rel;
				if (j->rel >= 0)
					lev[j->rel]++;
				j++;
			}
			w->byrank[w->d[i].rank - 1] = rel;
		}
		for (; j < end; j++)
			if (j->rel >= 0)
				lev[j->rel]++;
		if (o->judged_only) {
			/* unjudged docs leave the ranking; num_nonpool and num_unjudged stay 0, as in trec_eval */
			long out = 0;
			for (size_t i = 0; i < n; i++)
				if (w->byrank[i] >= 0) {
					if (w->byrank[i] >= o->rel_level)
						jr->num_rel_ret++;
					list[out++] = w->byrank[i];
				}
			jr->num_ret = out;
		} else {
			for (size_t i = 0; i < n; i++) {
				long rel = list[i] = w->byrank[i];
				if (rel == LC_TE_NONPOOL)
					jr->num_nonpool++;
				else if (rel == LC_TE_UNJUDGED)
					jr->num_unjudged++;
				else if (rel >= o->rel_level)
					jr->num_rel_ret++;
			}
			jr->num_ret = num;   /* trec_eval's count, negative when -M is */
		}
		jr->rel = list;
		jr->rel_levels = lev;
		for (size_t i = 0; i < nlev; i++)
			if (lev[i]) {
				jr->num_rel_levels = (long)i + 1;
				if ((long)i >= o->rel_level)
					jr->num_rel += lev[i];
			}
	}
	memset(rr, 0, sizeof *rr);
	rr->num_jgs = (long)ng;
	rr->jgs = w->jgs;
	return 0;
}

/* A measure averaged over the topic's judgment groups, as trec_eval's *_avgjg
 * measures are: calc's nout values for each group's ranking added up, then
 * divided by the number of groups when there are several. */
static void avg_groups(lc_te_calc calc, size_t nout, const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr,
                       double *out)
{
	double one[64], *v = nout <= 64 ? one : lc_xmalloc(nout * sizeof *v);
	for (long g = 0; g < rr->num_jgs; g++) {
		memset(v, 0, nout * sizeof *v);
		calc(p, o, &rr->jgs[g], v);
		for (size_t k = 0; k < nout; k++)
			out[k] += v[k];
	}
	if (rr->num_jgs > 1)
		for (size_t k = 0; k < nout; k++)
			out[k] /= rr->num_jgs;
	if (v != one)
		free(v);
}

void lc_te_calc_map_avgjg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	avg_groups(lc_te_calc_map, 1, p, o, rr, out);
}

void lc_te_calc_P_avgjg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	avg_groups(lc_te_calc_P, p->n, p, o, rr, out);
}

void lc_te_calc_Rprec_mult_avgjg(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	avg_groups(lc_te_calc_Rprec_mult, p->n, p, o, rr, out);
}
