/*
 * treceval_impl — private to lib/eval/treceval*.c: the per-topic ranking as the
 * measures see it (lc_te_rr), measure parameters, gains, and the measure
 * implementations lc_te_calc_* that the table in treceval.c points at.  Not part
 * of lctk's API (treceval.h is); nothing outside lib/eval/treceval*.c includes it.
 *
 * Each lc_te_calc_* fills out[] (zeroed by the caller) for one topic from rr,
 * reading p (its measure's parameters) and o; it keeps no state.
 *
 * Ownership: lc_te_rr borrows its arrays from the evaluator's per-thread work
 * space; lc_te_gains owns its arrays (lc_te_gains_free); the log2 table is
 * process-wide, filled once before the evaluation threads start.
 */
#ifndef LC_TREC_EVAL_IMPL_H
#define LC_TREC_EVAL_IMPL_H

#include "buf.h"
#include "treceval.h"

#define LC_TE_NONPOOL (-1)     /* retrieved doc not in the qrels */
#define LC_TE_UNJUDGED (-2)    /* in the qrels with a negative judgment */

/* One topic's ranking as trec_eval's form_res_rels sees it. */
typedef struct lc_te_rr {
	long num_ret, num_rel, num_rel_ret, num_nonpool, num_unjudged;
	const long *rel;         /* [num_ret] judged value, LC_TE_NONPOOL or LC_TE_UNJUDGED */
	long num_rel_levels;     /* 1 + highest judged value >= 0 (0 if none) */
	const long *rel_levels;  /* [num_rel_levels] number of judged docs per value */
	const long *jpos;        /* [num_jpos] ranks i with rel[i] >= 0, ascending: a measure
	                          * whose unjudged docs weigh nothing visits only these */
	long num_jpos;
	const double *lg;        /* [num_ret + 2] log2(i + 2): the discounts, from the same work */
	long num_jgs;            /* -R qrels_jg: the ranking as each judgment group sees it */
	const struct lc_te_rr *jgs;  /* [num_jgs] (only num_ret .. rel_levels set), else NULL */
	const struct lc_te_prefs *prefs;  /* -R prefs, qrels_prefs: the preference counts (only this set), else NULL */
} lc_te_rr;

/* A run hit as the evaluator holds a topic's hits: with its docno's length
 * (lc_run_hit_len), so hashing it needs no strlen. */
typedef struct lc_te_hit {
	lc_hit h;
	size_t len;
} lc_te_hit;

/* -R prefs / qrels_prefs (treceval_prefs.c).  Docs are named by their
 * internal rank: the judged docs the ranking retrieved, in its order
 * (0 .. num_judged_ret - 1), then the topic's other judged docs in docno order. */
typedef struct lc_te_prefec {    /* an equivalence class: a sub-group's docs of one level */
	double level;
	long n;
	const long *rank;            /* [n] ascending */
} lc_te_prefec;

typedef struct lc_te_prefjg {    /* one judgment group's preferences and what the ranking made of them */
	long ful_ret, poss_ret;      /* both docs retrieved: fulfilled, possible (fulfilled included) */
	long ful_imp, poss_imp;      /* one retrieved */
	long poss_notoccur;          /* neither retrieved */
	long num_rel, num_rel_ret;   /* docs of level > 0 */
	long num_nonrel, num_nonrel_ret;  /* level 0 (in classes: <= 0) */
	long num_ecs;                /* > 0: one sub-group, held as classes ecs (highest level first) */
	const lc_te_prefec *ecs;
	const unsigned char *pa;     /* else several: [nj * nj] doc i preferred to doc j, transitive */
	const double *level;         /* [nj] the group's level for each doc, -1 if it has none */
} lc_te_prefjg;

typedef struct lc_te_prefs {
	long num_judged, num_judged_ret;
	long num_jgs;
	const lc_te_prefjg *jgs;     /* [num_jgs] in group name order */
	const uint16_t *counts;      /* [nj * nj] groups preferring doc i to doc j */
} lc_te_prefs;

typedef struct lc_te_pair {
	char *name;
	double value;
} lc_te_pair;

typedef struct lc_te_params {
	int given;               /* parameters came from the command line */
	char *printable;         /* as given */
	size_t n;
	long *l;                 /* long cutoffs */
	double *d;               /* double cutoffs / params */
	lc_te_pair *p;           /* name=value pairs */
} lc_te_params;

/* Gains as trec_eval's setup_gains builds them. */
typedef struct lc_te_gains {
	long *level;
	double *gain;
	long *count;
	size_t n;
} lc_te_gains;

void lc_te_gains_setup(const lc_te_params *p, const lc_te_rr *rr, lc_te_gains *g);
double lc_te_gain(const lc_te_gains *g, long rel);
void lc_te_gains_free(lc_te_gains *g);
/* log2(i + 2) for i < n in *tab (malloc'd, *cap entries, grown to n when shorter; the
 * caller frees it): each evaluating thread has its own, so no table is shared. */
const double *lc_te_log2_table(double **tab, size_t *cap, size_t n);

/* p (an array of el-byte elements, *cap of them) grown to hold need, doubling
 * from 64; returns the (possibly moved) array and updates *cap.  The work
 * spaces of treceval.c and treceval_jg.c grow this way; they own their arrays. */
void *lc_te_grow(void *p, size_t *cap, size_t need, size_t el);

typedef void (*lc_te_calc)(const lc_te_params *p, const lc_te_opts *o, const lc_te_rr *rr, double *out);

/* treceval_basic.c */
void lc_te_calc_num_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_num_rel(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_num_rel_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_map(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_gm_map(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_Rprec(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_bpref(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_gm_bpref(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_recip_rank(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_iprec_at_recall(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_P(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_recall(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_infAP(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_Rprec_mult(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_utility(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_11pt_avg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_map_cut(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_relative_P(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_success(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_set_P(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_set_relative_P(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_set_recall(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_set_map(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_set_F(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_num_nonrel_judged_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_rbp_resid(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_unj(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_yaap(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
/* treceval_jg.c: qrels_jg's ranking per judgment group.  lc_te_form_jg fills rr
 * (num_jgs, jgs) for topic qq from its num docs in trec_eval's ranked order
 * (ranked, borrowed; num may be negative: -M), into *w (allocated on first
 * use, freed with lc_te_jgwork_free; rr borrows from it until the next call).
 * -1 with trec_eval's text in err for a docno twice in the ranking. */
typedef struct lc_te_jgwork lc_te_jgwork;
int lc_te_form_jg(lc_te_jgwork **w, const lc_te_opts *o, const lc_qrels_q *qq, const char *const *ranked, long num,
                  lc_te_rr *rr, lc_buf *err);
void lc_te_jgwork_free(lc_te_jgwork *w);
void lc_te_calc_map_avgjg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_P_avgjg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_Rprec_mult_avgjg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
/* treceval_prefs.c: lc_te_form_prefs fills rr->prefs for topic qq (with its
 * pref array) from its nh hits in run order (hits, borrowed), into *w
 * (allocated on first use, freed with lc_te_prefwork_free; rr borrows from it
 * until the next call).  -1 with trec_eval's text in err for a docno twice in
 * the ranking, a doc at two levels of one sub-group, a doc at level 0 and
 * above 0 in one group, or contradicting preferences in one group. */
typedef struct lc_te_prefwork lc_te_prefwork;
int lc_te_form_prefs(lc_te_prefwork **w, const lc_te_opts *o, const lc_qrels_q *qq, const lc_te_hit *hits,
                     size_t nh, lc_te_rr *rr, lc_buf *err);
void lc_te_prefwork_free(lc_te_prefwork *w);
void lc_te_calc_prefs_num_prefs_poss(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_num_prefs_ful(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_num_prefs_ful_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_simp(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_pair(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_avgjg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_avgjg_Rnonrel(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_simp_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_pair_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_avgjg_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_avgjg_Rnonrel_ret(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_simp_imp(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_pair_imp(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_prefs_avgjg_imp(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
/* treceval_ext.c: lctk's additions for ir_measures names (RR@k, Judged@k) */
void lc_te_calc_recip_rank_cut(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_judged(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
/* treceval_gain.c */
void lc_te_calc_binG(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_G(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_ndcg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_dcg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_ideal_dcg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_ndcg_rel(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_Rndcg(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_ndcg_cut(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);
void lc_te_calc_rbp(const lc_te_params *, const lc_te_opts *, const lc_te_rr *, double *);

#endif
