/*
 * treceval_ext — the two measures lctk adds to trec_eval's table for
 * ir_measures names that trec_eval 10.0 cannot compute with one global option
 * (treceval.h).  Neither is part of all_trec or official; they are computed on
 * trec_eval's ranking like every other measure.
 *   recip_rank_cut.K  RR@K: trec_eval's recip_rank over the first K ranked
 *                     docs (1/rank of the first relevant doc if rank <= K, else 0).
 *   judged.K          Judged@K (ir_measures' judged provider): of the first
 *                     min(K, num_ret) docs, the fraction that appear in the
 *                     qrels with any judgment; 0 for an empty ranking.
 */
#include "treceval_impl.h"

void lc_te_calc_recip_rank_cut(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	long first = 0;
	for (long i = 0; i < rr->num_ret; i++)
		if (rr->rel[i] >= o->rel_level) {
			first = i + 1;
			break;
		}
	for (size_t ci = 0; ci < p->n; ci++)
		out[ci] = first > 0 && first <= p->l[ci] ? 1.0 / (double)first : 0.0;
}

void lc_te_calc_judged(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	for (size_t ci = 0; ci < p->n; ci++) {
		long n = p->l[ci] < rr->num_ret ? p->l[ci] : rr->num_ret, judged = 0;
		for (long i = 0; i < n; i++)
			judged += rr->rel[i] != LC_TE_NONPOOL;
		out[ci] = n > 0 ? (double)judged / (double)n : 0.0;
	}
}
