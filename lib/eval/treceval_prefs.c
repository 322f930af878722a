/*
 * treceval_prefs — trec_eval 10.0's preference measures (-R prefs,
 * -R qrels_prefs): which of a topic's judged preferences a ranking fulfils
 * (form_prefs_counts.c), and the fourteen prefs_* measures over those counts,
 * each operation in trec_eval's order so its %6.4f output agrees.
 *
 * The ranking: score descending, ties by docno ascending (not descending as
 * for qrels), cut to -M; -J and -l do not apply.  Each judged doc gets an
 * internal rank: the judged docs the ranking retrieved first, in ranking
 * order (0 .. num_judged_ret - 1), then the others in docno order.  A
 * judgment group (jg) with one sub-group (jsg) holds its docs in
 * equivalence classes, one per level, highest first; a group with several
 * sub-groups holds a preference array (doc i preferred to doc j when i has
 * the higher level in some sub-group, closed under transitivity), checked for
 * contradictions.  A preference A > B is fulfilled when A ranks above B: both
 * retrieved ("ret"), only A retrieved ("imp"), or neither ("notoccur",
 * counted as possible only).
 */
#include "treceval_impl.h"
#include "msort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lc_te_prefwork {
	lc_hit *rk, *rktmp;      /* the topic's hits, ranked */
	size_t caprk, caprktmp;
	const char **names;      /* the retrieved docnos, sorted (duplicates) */
	size_t capnames;
	size_t *ln, *lntmp;      /* the topic's lines (judgment indices), sorted */
	size_t capln, caplntmp;
	long *rank;              /* [judgment] internal rank of its doc */
	size_t caprank;
	const char **doc;        /* the distinct judged docnos in docno order */
	size_t capdoc;
	long *docrank;           /* [distinct doc] its internal rank, -1 until known */
	size_t capdocrank;
	long *member;            /* a preference array group's internal ranks, ascending */
	size_t capmember;
	lc_te_prefjg *jgs;
	size_t capjgs;
	lc_te_prefec *ecs;
	size_t capecs;
	long *ecrank;            /* the classes' internal ranks, class after class */
	size_t capecrank;
	unsigned char *pa;       /* [num_pa * nj * nj] the groups' preference arrays */
	size_t cappa;
	double *lev;             /* [num_pa * nj] their levels per doc, -1 where none */
	size_t caplev;
	uint16_t *counts;        /* [nj * nj] preferences of doc i over doc j, over all groups */
	size_t capcounts;
	lc_te_prefs prefs;
};

void lc_te_prefwork_free(lc_te_prefwork *w)
{
	if (!w)
		return;
	free(w->rk);
	free(w->rktmp);
	free(w->names);
	free(w->ln);
	free(w->lntmp);
	free(w->rank);
	free(w->doc);
	free(w->docrank);
	free(w->member);
	free(w->jgs);
	free(w->ecs);
	free(w->ecrank);
	free(w->pa);
	free(w->lev);
	free(w->counts);
	free(w);
}

static int cmp_hit_docno(const void *a, const void *b, void *arg)
{
	return strcmp(((const lc_hit *)a)->docno, ((const lc_hit *)b)->docno);
}

/* form_prefs_counts' ranking: score descending, then docno ascending */
static int cmp_hit_pref(const void *a, const void *b, void *arg)
{
	const lc_hit *x = a, *y = b;
	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	return strcmp(x->docno, y->docno);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct {
	const lc_qrels_q *qq;
	const long *rank;
} line_ctx;

static int cmp_line_docno(const void *a, const void *b, void *arg)
{
	const line_ctx *c = arg;
	return strcmp(c->qq->j[*(const size_t *)a].docno, c->qq->j[*(const size_t *)b].docno);
}

/* group, sub-group, level descending, internal rank */
static int cmp_line_group(const void *a, const void *b, void *arg)
{
	const line_ctx *c = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const lc_qrels_pref *px = &c->qq->pref[x], *py = &c->qq->pref[y];
	int r = strcmp(px->jg, py->jg);
	if (!r)
		r = strcmp(px->jsg, py->jsg);
	if (r)
		return r;
	if (px->level > py->level)
		return -1;
	if (px->level < py->level)
		return 1;
	return c->rank[x] < c->rank[y] ? -1 : c->rank[x] > c->rank[y];
}

/* The topic's hits in form_prefs_counts' order, as trec_eval gets there with
 * glibc's merge sort (lc_msort): the run's lines by docno, then the ranking. */
static void rank_hits(lc_te_prefwork *w, const lc_te_hit *hits, size_t nh)
{
	w->rk = lc_te_grow(w->rk, &w->caprk, nh + 1, sizeof *w->rk);
	w->rktmp = lc_te_grow(w->rktmp, &w->caprktmp, nh + 1, sizeof *w->rktmp);
	for (size_t i = 0; i < nh; i++)
		w->rk[i] = hits[i].h;
	lc_msort(w->rk, nh, sizeof *w->rk, w->rktmp, cmp_hit_docno, NULL);
	lc_msort(w->rk, nh, sizeof *w->rk, w->rktmp, cmp_hit_pref, NULL);
}

/* Internal ranks for the judged docs (w->rank per judgment, w->docrank per
 * distinct doc); returns the number of distinct judged docs, *njr those of
 * them among the num retrieved. */
static long internal_ranks(lc_te_prefwork *w, const lc_qrels_q *qq, long num, long *njr)
{
	size_t n = qq->n;
	line_ctx c = { qq, NULL };
	w->ln = lc_te_grow(w->ln, &w->capln, n + 1, sizeof *w->ln);
	w->lntmp = lc_te_grow(w->lntmp, &w->caplntmp, n + 1, sizeof *w->lntmp);
	for (size_t k = 0; k < n; k++)
		w->ln[k] = k;
	lc_msort(w->ln, n, sizeof *w->ln, w->lntmp, cmp_line_docno, &c);
	w->doc = lc_te_grow(w->doc, &w->capdoc, n + 1, sizeof *w->doc);
	w->docrank = lc_te_grow(w->docrank, &w->capdocrank, n + 1, sizeof *w->docrank);
	w->rank = lc_te_grow(w->rank, &w->caprank, n + 1, sizeof *w->rank);
	long nd = 0;
	for (size_t i = 0; i < n; i++) {
		const char *d = qq->j[w->ln[i]].docno;
		if (!nd || strcmp(w->doc[nd - 1], d)) {
			w->docrank[nd] = -1;
			w->doc[nd++] = d;
		}
		w->rank[w->ln[i]] = nd - 1;   /* the doc's index for now */
	}
	long next = 0;
	for (long i = 0; i < num; i++) {
		const char *d = w->rk[i].docno;
		const char **hit = bsearch(&d, w->doc, (size_t)nd, sizeof *w->doc, cmp_str);
		if (hit)
			w->docrank[hit - w->doc] = next++;
	}
	*njr = next;
	for (long u = 0; u < nd; u++)
		if (w->docrank[u] < 0)
			w->docrank[u] = next++;
	for (size_t k = 0; k < n; k++)
		w->rank[k] = w->docrank[w->rank[k]];
	return nd;
}

/* One preference, doc at internal rank hi preferred to the one at lo (hi !=
 * lo; ranks below njr were retrieved, in ranking order): fulfilled when hi
 * ranks above lo; "ret" when both were retrieved, "imp" when one was, else
 * possible only ("notoccur").  trec_eval's add_ec_pref_to_jg and
 * add_prefs_to_jg branch differently to the same counts.  The fulfilled ones
 * join the possible ones at the group's end. */
static void count_pref(lc_te_prefjg *g, long hi, long lo, long njr)
{
	if (hi < lo) {
		if (lo < njr)
			g->ful_ret++;
		else if (hi < njr)
			g->ful_imp++;
		else
			g->poss_notoccur++;
	} else if (hi < njr)
		g->poss_ret++;
	else if (lo < njr)
		g->poss_imp++;
	else
		g->poss_notoccur++;
}

/* A group held as equivalence classes: its counts (add_ec_pref_to_jg). */
static int count_ecs(lc_te_prefjg *g, long njr, long nj, uint16_t *counts, lc_buf *err)
{
	for (long e1 = 0; e1 < g->num_ecs; e1++) {
		const lc_te_prefec *a = &g->ecs[e1];
		long ret = 0;
		while (ret < a->n && a->rank[ret] < njr)
			ret++;
		if (a->level > 0.0) {
			g->num_rel_ret += ret;
			g->num_rel += a->n;
		} else {
			g->num_nonrel_ret += ret;
			g->num_nonrel += a->n;
		}
		for (long e2 = e1 + 1; e2 < g->num_ecs; e2++) {
			const lc_te_prefec *b = &g->ecs[e2];
			for (long x = 0; x < a->n; x++)
				for (long y = 0; y < b->n; y++) {
					long hi = a->rank[x], lo = b->rank[y];
					counts[hi * nj + lo]++;
					if (hi == lo) {
						lc_buf_printf(err, "trec_eval.form_prefs_counts: Internal docid %ld occurs with different "
						                   "rel_level in same jsg\n", hi);
						return -1;
					}
					count_pref(g, hi, lo, njr);
				}
		}
	}
	g->poss_ret += g->ful_ret;
	g->poss_imp += g->ful_imp;
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* A group of several sub-groups: its preference array pa and levels lev from
 * lines ln[0 .. n) (sorted by sub-group, level, rank), closed under
 * transitivity, checked, and counted (form_jg_pa, add_transitives,
 * add_pa_pref_to_jg). */
static int form_pa(lc_te_prefwork *w, const lc_qrels_q *qq, const size_t *ln, size_t n, lc_te_prefjg *g,
                   unsigned char *pa, double *lev, long njr, long nj, lc_buf *err)
{
	g->pa = pa;
	g->level = lev;
	memset(pa, 0, (size_t)nj * (size_t)nj);
	for (long i = 0; i < nj; i++)
		lev[i] = -1.0;
	for (size_t i = 0; i < n; i++) {
		const lc_qrels_pref *p = &qq->pref[ln[i]];
		long r = w->rank[ln[i]];
		if ((lev[r] > 0.0 && p->level == 0.0) || (lev[r] == 0.0 && p->level > 0.0)) {
			lc_buf_printf(err, "trec_eval.form_prefs_counts: doc '%s' has both 0 and non-0 rel_level assigned\n",
			              qq->j[ln[i]].docno);
			return -1;
		}
		lev[r] = p->level;
		size_t j = i + 1;
		while (j < n && !strcmp(qq->pref[ln[j]].jsg, p->jsg) && qq->pref[ln[j]].level == p->level)
			j++;
		for (; j < n && !strcmp(qq->pref[ln[j]].jsg, p->jsg); j++)
			pa[r * nj + w->rank[ln[j]]] = 1;
	}
	/* the group's docs: no other row or column of its array is ever set */
	w->member = lc_te_grow(w->member, &w->capmember, n + 1, sizeof *w->member);
	long m = 0;
	for (size_t i = 0; i < n; i++)
		w->member[m++] = w->rank[ln[i]];
	qsort(w->member, (size_t)m, sizeof *w->member, cmp_long);
	long u = 0;
	for (long i = 0; i < m; i++)
		if (!u || w->member[u - 1] != w->member[i])
			w->member[u++] = w->member[i];
	m = u;
	const long *mb = w->member;
	/* transitive closure (Warshall); a doc preferred to itself through a cycle is not a preference */
	for (long k = 0; k < m; k++)
		for (long i = 0; i < m; i++)
			if (pa[mb[i] * nj + mb[k]])
				for (long j = 0; j < m; j++)
					pa[mb[i] * nj + mb[j]] |= pa[mb[k] * nj + mb[j]];
	for (long i = 0; i < m; i++)
		pa[mb[i] * nj + mb[i]] = 0;
	for (long i = 0; i < m; i++)
		for (long j = 0; j < m; j++)
			if (i != j && pa[mb[i] * nj + mb[j]] && pa[mb[j] * nj + mb[i]]) {
				lc_buf_printf(err, "trec_eval.form_prefs_counts: Pref inconsistency found\n      internal rank %ld "
				                   "and internal rank %ld are conflicted\n", mb[i], mb[j]);
				return -1;
			}
	for (long i = 0; i < m; i++) {
		long r = mb[i];
		if (lev[r] > 0.0) {
			g->num_rel++;
			g->num_rel_ret += r < njr;
		} else if (lev[r] == 0.0) {
			g->num_nonrel++;
			g->num_nonrel_ret += r < njr;
		}
	}
	for (long i = 0; i < m; i++)
		for (long j = 0; j < m; j++) {
			long hi = mb[i], lo = mb[j];
			if (!pa[hi * nj + lo])
				continue;
			w->counts[hi * nj + lo]++;
			count_pref(g, hi, lo, njr);
		}
	g->poss_ret += g->ful_ret;
	g->poss_imp += g->ful_imp;
	return 0;
}

/* The end of the group that starts at sorted line s (of n), and its number
 * of sub-groups (the lines are sorted by group, then sub-group). */
static size_t group_end(const lc_qrels_q *qq, const size_t *ln, size_t s, size_t n, int *subs)
{
	size_t e = s + 1;
	*subs = 1;
	for (; e < n && !strcmp(qq->pref[ln[e]].jg, qq->pref[ln[s]].jg); e++)
		*subs += strcmp(qq->pref[ln[e]].jsg, qq->pref[ln[e - 1]].jsg) != 0;
	return e;
}

/* Each group of the sorted lines w->ln, held as classes (one sub-group) or a
 * preference array (several), and counted into w->jgs and w->counts. */
static int form_groups(lc_te_prefwork *w, const lc_qrels_q *qq, long njr, long nj, lc_buf *err)
{
	size_t n = qq->n, ngrp = 0, npa = 0, nec = 0;
	int subs;
	for (size_t s = 0, e; s < n; s = e) {
		e = group_end(qq, w->ln, s, n, &subs);
		ngrp++;
		if (subs > 1)
			npa++;
		else
			for (size_t i = s; i < e; i++)
				nec += i == s || qq->pref[w->ln[i]].level != qq->pref[w->ln[i - 1]].level;
	}
	size_t nn = (size_t)nj * (size_t)nj;
	w->jgs = lc_te_grow(w->jgs, &w->capjgs, ngrp + 1, sizeof *w->jgs);
	w->ecs = lc_te_grow(w->ecs, &w->capecs, nec + 1, sizeof *w->ecs);
	w->ecrank = lc_te_grow(w->ecrank, &w->capecrank, n + 1, sizeof *w->ecrank);
	w->pa = lc_te_grow(w->pa, &w->cappa, npa * nn + 1, 1);
	w->lev = lc_te_grow(w->lev, &w->caplev, npa * (size_t)nj + 1, sizeof *w->lev);
	w->counts = lc_te_grow(w->counts, &w->capcounts, nn + 1, sizeof *w->counts);
	memset(w->counts, 0, nn * sizeof *w->counts);
	size_t g = 0, ec = 0, ecr = 0, pai = 0;
	for (size_t s = 0, e; s < n; s = e) {
		e = group_end(qq, w->ln, s, n, &subs);
		lc_te_prefjg *jr = &w->jgs[g++];
		memset(jr, 0, sizeof *jr);
		int r;
		if (subs > 1) {
			r = form_pa(w, qq, w->ln + s, e - s, jr, w->pa + pai * nn, w->lev + pai * (size_t)nj, njr, nj, err);
			pai++;
		} else {
			/* one class per level, highest first, each in internal rank order */
			jr->ecs = w->ecs + ec;
			for (size_t i = s; i < e; i++) {
				const lc_qrels_pref *p = &qq->pref[w->ln[i]];
				if (i == s || p->level != qq->pref[w->ln[i - 1]].level)
					w->ecs[ec++] = (lc_te_prefec){ p->level, 0, w->ecrank + ecr };
				w->ecs[ec - 1].n++;
				w->ecrank[ecr++] = w->rank[w->ln[i]];
			}
			jr->num_ecs = (long)(w->ecs + ec - jr->ecs);
			r = count_ecs(jr, njr, nj, w->counts, err);
		}
		if (r < 0)
			return -1;
	}
	w->prefs = (lc_te_prefs){ nj, njr, (long)ngrp, w->jgs, w->counts };
	return 0;
}

int lc_te_form_prefs(lc_te_prefwork **wp, const lc_te_opts *o, const lc_qrels_q *qq, const lc_te_hit *hits,
                     size_t nh, lc_te_rr *rr, lc_buf *err)
{
	if (!*wp)
		*wp = lc_xcalloc(1, sizeof **wp);
	lc_te_prefwork *w = *wp;
	rank_hits(w, hits, nh);
	long num = (long)nh;
	if (o->max_docs < num)
		num = o->max_docs < 0 ? 0 : o->max_docs;   /* trec_eval crashes on a negative -M here */
	w->names = lc_te_grow(w->names, &w->capnames, (size_t)num + 1, sizeof *w->names);
	for (long i = 0; i < num; i++)
		w->names[i] = w->rk[i].docno;
	qsort(w->names, (size_t)num, sizeof *w->names, cmp_str);
	for (long i = 1; i < num; i++)
		if (!strcmp(w->names[i], w->names[i - 1])) {
			lc_buf_printf(err, "trec_eval.form_prefs_counts: duplicate docs %s", w->names[i]);
			return -1;
		}
	long njr, nj = internal_ranks(w, qq, num, &njr);
	line_ctx c = { qq, w->rank };
	lc_msort(w->ln, qq->n, sizeof *w->ln, w->lntmp, cmp_line_group, &c);
	if (form_groups(w, qq, njr, nj, err) < 0)
		return -1;
	memset(rr, 0, sizeof *rr);
	rr->prefs = &w->prefs;
	return 0;
}

/* ---- the measures ---------------------------------------------------------- */

typedef enum { RET = 1, IMP = 2, NOTOCCUR = 4 } pref_kind;

/* A group's preferences fulfilled and possible of the kinds asked for. */
static void group_counts(const lc_te_prefjg *g, int kinds, long *ful, long *poss)
{
	*ful = *poss = 0;
	if (kinds & RET) {
		*ful += g->ful_ret;
		*poss += g->poss_ret;
	}
	if (kinds & IMP) {
		*ful += g->ful_imp;
		*poss += g->poss_imp;
	}
	if (kinds & NOTOCCUR)
		*poss += g->poss_notoccur;
}

/* fulfilled / possible over every group's preferences (prefs_simp*) */
static double simple(const lc_te_prefs *p, int kinds)
{
	long ful = 0, poss = 0;
	for (long i = 0; i < p->num_jgs; i++) {
		long f, q;
		group_counts(&p->jgs[i], kinds, &f, &q);
		ful += f;
		poss += q;
	}
	return poss ? (double)ful / (double)poss : 0.0;
}

/* fulfilled / possible per group, averaged over the groups (prefs_avgjg*) */
static double per_group(const lc_te_prefs *p, int kinds)
{
	double sum = 0.0;
	for (long i = 0; i < p->num_jgs; i++) {
		long f, q;
		group_counts(&p->jgs[i], kinds, &f, &q);
		if (q)
			sum += (double)f / (double)q;
	}
	return sum > 0.0 ? sum / (double)p->num_jgs : 0.0;
}

/* Over the doc pairs some group has a preference on: the share of their
 * preferences each pair fulfils, averaged (prefs_pair*).  Pairs with both
 * docs retrieved, then one, then (only counted) neither. */
static double pairs(const lc_te_prefs *p, int kinds)
{
	const uint16_t *c = p->counts;
	long nj = p->num_judged, njr = p->num_judged_ret, num = 0;
	double sum = 0;
	for (long i = 0; i < njr; i++)
		for (long j = i + 1; j < njr; j++)
			if (c[i * nj + j] || c[j * nj + i]) {
				num++;
				sum += (double)c[i * nj + j] / (double)(c[i * nj + j] + c[j * nj + i]);
			}
	if (kinds & IMP)
		for (long i = 0; i < njr; i++)
			for (long j = njr; j < nj; j++)
				if (c[i * nj + j] || c[j * nj + i]) {
					num++;
					sum += (double)c[i * nj + j] / (double)(c[i * nj + j] + c[j * nj + i]);
				}
	if (kinds & NOTOCCUR)
		for (long i = njr; i < nj; i++)
			for (long j = i + 1; j < nj; j++)
				num += c[i * nj + j] || c[j * nj + i];
	return num ? sum / (double)num : 0.0;
}

/* The preferences of class a's docs over class b's that the ranking fulfils
 * (a doc of a retrieved above one of b) and the others; ret: only the
 * retrieved docs of each class (its first, in internal rank order). */
static void count_pair(const lc_te_prefec *a, const lc_te_prefec *b, long njr, int ret, long *ful, long *poss)
{
	for (long x = 0; x < a->n && (!ret || a->rank[x] < njr); x++)
		for (long y = 0; y < b->n && (!ret || b->rank[y] < njr); y++) {
			if (a->rank[x] < b->rank[y] && a->rank[x] < njr)
				(*ful)++;
			else
				(*poss)++;
		}
}

/* prefs_avgjg_Rnonrel's recount of a group that has more nonrelevant docs
 * (level 0; in classes, level <= 0) than relevant ones, R: with only R of the
 * nonrelevant ones, the first in internal rank order.  ret: prefs_avgjg_Rnonrel_ret's,
 * over the retrieved docs alone. */
static void recount(const lc_te_prefjg *g, long njr, long nj, int ret, long *ful_out, long *poss_out)
{
	long ful = 0, poss = 0;
	if (g->num_ecs > 0) {
		/* the last class stands for the nonrelevant docs: its first R (trec_eval
		 * reads past the class when it has fewer; lceval takes those it has) */
		const lc_te_prefec *last = &g->ecs[g->num_ecs - 1];
		long r = ret ? g->num_rel_ret : g->num_rel;
		lc_te_prefec nonrel = { 0.0, r < last->n ? r : last->n, last->rank };
		/* each class against the later ones but the last, then against the new
		 * nonrelevant class (the last class too, against its own first docs) */
		for (long e1 = 0; e1 < g->num_ecs; e1++)
			for (long e2 = e1 + 1; e2 <= g->num_ecs; e2++)
				if (e2 != g->num_ecs - 1)
					count_pair(&g->ecs[e1], e2 == g->num_ecs ? &nonrel : &g->ecs[e2], njr, ret, &ful, &poss);
	} else {
		const unsigned char *pa = g->pa;
		const double *lev = g->level;
		long end = ret ? njr : nj, seen = 0, cut = 0;
		for (cut = 0; cut < end; cut++)
			if (lev[cut] == 0.0 && ++seen == g->num_rel + 1)
				break;
		for (long i = 0; i < end; i++) {
			if (i >= cut && lev[i] == 0.0)
				continue;
			for (long j = 0; j < end; j++) {
				if (j == i || (j >= cut && lev[j] == 0.0) || !pa[i * nj + j])
					continue;
				if (i < njr && j < i)
					poss++;
				else if (i < njr)
					ful++;
				else
					poss++;
			}
		}
	}
	*ful_out = ful;
	*poss_out = poss + ful;
}

/* prefs_avgjg_Rnonrel(_ret): per group, the nonrelevant docs (retrieved ones
 * for _ret) brought to R, the relevant ones: with fewer, R - N fulfilled
 * preferences for each relevant retrieved doc are added; with more, the group
 * is recounted with R of them.  Averaged over the groups. */
static double rnonrel(const lc_te_prefs *p, int ret)
{
	double sum = 0.0;
	for (long i = 0; i < p->num_jgs; i++) {
		const lc_te_prefjg *g = &p->jgs[i];
		long r = ret ? g->num_rel_ret : g->num_rel, n = ret ? g->num_nonrel_ret : g->num_nonrel, ful, poss;
		if (r >= n) {
			group_counts(g, ret ? RET : RET | IMP | NOTOCCUR, &ful, &poss);
			ful += g->num_rel_ret * (r - n);
			poss += g->num_rel * (r - n);
		} else
			recount(g, p->num_judged_ret, p->num_judged, ret, &ful, &poss);
		sum += (double)ful / (double)poss;   /* 0 / 0 makes the topic's value 0, as in trec_eval */
	}
	return sum > 0.0 ? sum / (double)p->num_jgs : 0.0;
}

/* The fulfilled (ful) or the possible preferences of the kinds asked for, over every group. */
static long sum_counts(const lc_te_prefs *p, int kinds, int ful)
{
	long sum = 0;
	for (long i = 0; i < p->num_jgs; i++) {
		long f, q;
		group_counts(&p->jgs[i], kinds, &f, &q);
		sum += ful ? f : q;
	}
	return sum;
}

void lc_te_calc_prefs_num_prefs_poss(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = (double)sum_counts(rr->prefs, RET | IMP | NOTOCCUR, 0);
}

void lc_te_calc_prefs_num_prefs_ful(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = (double)sum_counts(rr->prefs, RET | IMP, 1);
}

void lc_te_calc_prefs_num_prefs_ful_ret(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = (double)sum_counts(rr->prefs, RET, 1);
}

void lc_te_calc_prefs_simp(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = simple(rr->prefs, RET | IMP | NOTOCCUR);
}

void lc_te_calc_prefs_pair(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = pairs(rr->prefs, RET | IMP | NOTOCCUR);
}

void lc_te_calc_prefs_avgjg(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = per_group(rr->prefs, RET | IMP | NOTOCCUR);
}

void lc_te_calc_prefs_avgjg_Rnonrel(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = rnonrel(rr->prefs, 0);
}

void lc_te_calc_prefs_simp_ret(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = simple(rr->prefs, RET);
}

void lc_te_calc_prefs_pair_ret(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = pairs(rr->prefs, RET);
}

void lc_te_calc_prefs_avgjg_ret(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = per_group(rr->prefs, RET);
}

void lc_te_calc_prefs_avgjg_Rnonrel_ret(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr,
                                        double *out)
{
	out[0] = rnonrel(rr->prefs, 1);
}

void lc_te_calc_prefs_simp_imp(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = simple(rr->prefs, RET | IMP);
}

void lc_te_calc_prefs_pair_imp(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = pairs(rr->prefs, RET | IMP);
}

void lc_te_calc_prefs_avgjg_imp(const lc_te_params *pp, const lc_te_opts *o, const lc_te_rr *rr, double *out)
{
	out[0] = per_group(rr->prefs, RET | IMP);
}
