/*
 * treceval — the measure table, -m selection and parameters, per-topic ranking
 * (trec_eval's form_res_rels), the evaluation driver and trec_eval's text
 * output.  The measures themselves live in treceval_basic.c, treceval_gain.c,
 * (judgment groups, -R qrels_jg) treceval_jg.c and (preferences, -R prefs and
 * qrels_prefs) treceval_prefs.c.
 */
#define _GNU_SOURCE
#include "treceval_impl.h"
#include "buf.h"
#include "msort.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

enum { P_NONE, P_LONGCUT, P_DBLCUT, P_DBLPARAM, P_PAIR };
/* The judgments a measure reads: trec_eval's rel_info format (-R; prefs
 * includes qrels_prefs). */
enum { F_QRELS, F_JG, F_PREFS };

typedef struct {
	const char *name;
	int ptype;
	int kind;
	lc_te_calc calc;
	const long *dl;
	const double *dd;
	size_t ndef;
	int not_all;             /* 1 = left out of all_trec (as trec_eval leaves it) */
	int fmt;                 /* F_*: runid and num_q (no calc) take any */
} meas_def;

static const long cut_std[] = { 5, 10, 15, 20, 30, 100, 200, 500, 1000 };
static const long cut_success[] = { 1, 5, 10 };
static const long cut_unj[] = { 5, 10, 20 };
static const double cut_recall[] = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };
static const double cut_rmult[] = { 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0 };
static const double par_relstring[] = { 10.0 };
static const double par_utility[] = { 1.0, -1.0, 0.0, 0.0 };
static const double par_setF[] = { 1.0 };

#define NSTD (sizeof cut_std / sizeof cut_std[0])

static const meas_def table[] = {
	{ "runid", P_NONE, LC_TE_RUNID, NULL, NULL, NULL, 0, 0, F_QRELS },
	{ "num_q", P_NONE, LC_TE_NUMQ, NULL, NULL, NULL, 0, 0, F_QRELS },
	{ "num_ret", P_NONE, LC_TE_LONG, lc_te_calc_num_ret, NULL, NULL, 0, 0, F_QRELS },
	{ "num_rel", P_NONE, LC_TE_LONG, lc_te_calc_num_rel, NULL, NULL, 0, 0, F_QRELS },
	{ "num_rel_ret", P_NONE, LC_TE_LONG, lc_te_calc_num_rel_ret, NULL, NULL, 0, 0, F_QRELS },
	{ "map", P_NONE, LC_TE_FLOAT, lc_te_calc_map, NULL, NULL, 0, 0, F_QRELS },
	{ "gm_map", P_NONE, LC_TE_GM, lc_te_calc_gm_map, NULL, NULL, 0, 0, F_QRELS },
	{ "Rprec", P_NONE, LC_TE_FLOAT, lc_te_calc_Rprec, NULL, NULL, 0, 0, F_QRELS },
	{ "bpref", P_NONE, LC_TE_FLOAT, lc_te_calc_bpref, NULL, NULL, 0, 0, F_QRELS },
	{ "recip_rank", P_NONE, LC_TE_FLOAT, lc_te_calc_recip_rank, NULL, NULL, 0, 0, F_QRELS },
	{ "iprec_at_recall", P_DBLCUT, LC_TE_FLOAT, lc_te_calc_iprec_at_recall, NULL, cut_recall, 11, 0, F_QRELS },
	{ "P", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_P, cut_std, NULL, NSTD, 0, F_QRELS },
	{ "relstring", P_DBLPARAM, LC_TE_RELSTR, NULL, NULL, par_relstring, 1, 0, F_QRELS },
	{ "recall", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_recall, cut_std, NULL, NSTD, 0, F_QRELS },
	{ "infAP", P_NONE, LC_TE_FLOAT, lc_te_calc_infAP, NULL, NULL, 0, 0, F_QRELS },
	{ "gm_bpref", P_NONE, LC_TE_GM, lc_te_calc_gm_bpref, NULL, NULL, 0, 0, F_QRELS },
	{ "Rprec_mult", P_DBLCUT, LC_TE_FLOAT, lc_te_calc_Rprec_mult, NULL, cut_rmult, 10, 0, F_QRELS },
	{ "utility", P_DBLPARAM, LC_TE_FLOAT, lc_te_calc_utility, NULL, par_utility, 4, 0, F_QRELS },
	{ "11pt_avg", P_DBLPARAM, LC_TE_FLOAT, lc_te_calc_11pt_avg, NULL, cut_recall, 11, 0, F_QRELS },
	{ "binG", P_NONE, LC_TE_FLOAT, lc_te_calc_binG, NULL, NULL, 0, 0, F_QRELS },
	{ "G", P_PAIR, LC_TE_FLOAT, lc_te_calc_G, NULL, NULL, 0, 0, F_QRELS },
	{ "dcg", P_PAIR, LC_TE_FLOAT, lc_te_calc_dcg, NULL, NULL, 0, 1, F_QRELS },
	{ "ideal_dcg", P_PAIR, LC_TE_FLOAT, lc_te_calc_ideal_dcg, NULL, NULL, 0, 1, F_QRELS },
	{ "ndcg", P_PAIR, LC_TE_FLOAT, lc_te_calc_ndcg, NULL, NULL, 0, 0, F_QRELS },
	{ "ndcg_rel", P_PAIR, LC_TE_FLOAT, lc_te_calc_ndcg_rel, NULL, NULL, 0, 0, F_QRELS },
	{ "Rndcg", P_PAIR, LC_TE_FLOAT, lc_te_calc_Rndcg, NULL, NULL, 0, 0, F_QRELS },
	{ "ndcg_cut", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_ndcg_cut, cut_std, NULL, NSTD, 0, F_QRELS },
	{ "map_cut", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_map_cut, cut_std, NULL, NSTD, 0, F_QRELS },
	{ "relative_P", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_relative_P, cut_std, NULL, NSTD, 0, F_QRELS },
	{ "success", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_success, cut_success, NULL, 3, 0, F_QRELS },
	{ "set_P", P_NONE, LC_TE_FLOAT, lc_te_calc_set_P, NULL, NULL, 0, 0, F_QRELS },
	{ "set_relative_P", P_NONE, LC_TE_FLOAT, lc_te_calc_set_relative_P, NULL, NULL, 0, 0, F_QRELS },
	{ "set_recall", P_NONE, LC_TE_FLOAT, lc_te_calc_set_recall, NULL, NULL, 0, 0, F_QRELS },
	{ "set_map", P_NONE, LC_TE_FLOAT, lc_te_calc_set_map, NULL, NULL, 0, 0, F_QRELS },
	{ "set_F", P_DBLPARAM, LC_TE_FLOAT, lc_te_calc_set_F, NULL, par_setF, 1, 0, F_QRELS },
	{ "num_nonrel_judged_ret", P_NONE, LC_TE_LONG, lc_te_calc_num_nonrel_judged_ret, NULL, NULL, 0, 0, F_QRELS },
	{ "prefs_num_prefs_poss", P_NONE, LC_TE_LONG, lc_te_calc_prefs_num_prefs_poss, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_num_prefs_ful", P_NONE, LC_TE_LONG, lc_te_calc_prefs_num_prefs_ful, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_num_prefs_ful_ret", P_NONE, LC_TE_LONG, lc_te_calc_prefs_num_prefs_ful_ret, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_simp", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_simp, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_pair", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_pair, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_avgjg", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_avgjg, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_avgjg_Rnonrel", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_avgjg_Rnonrel, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_simp_ret", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_simp_ret, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_pair_ret", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_pair_ret, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_avgjg_ret", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_avgjg_ret, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_avgjg_Rnonrel_ret", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_avgjg_Rnonrel_ret, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_simp_imp", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_simp_imp, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_pair_imp", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_pair_imp, NULL, NULL, 0, 1, F_PREFS },
	{ "prefs_avgjg_imp", P_NONE, LC_TE_FLOAT, lc_te_calc_prefs_avgjg_imp, NULL, NULL, 0, 1, F_PREFS },
	{ "map_avgjg", P_NONE, LC_TE_FLOAT, lc_te_calc_map_avgjg, NULL, NULL, 0, 1, F_JG },
	{ "P_avgjg", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_P_avgjg, cut_std, NULL, NSTD, 1, F_JG },
	{ "Rprec_mult_avgjg", P_DBLCUT, LC_TE_FLOAT, lc_te_calc_Rprec_mult_avgjg, NULL, cut_rmult, 10, 1, F_JG },
	{ "yaap", P_NONE, LC_TE_FLOAT, lc_te_calc_yaap, NULL, NULL, 0, 1, F_QRELS },
	{ "rbp", P_PAIR, LC_TE_FLOAT, lc_te_calc_rbp, NULL, NULL, 0, 0, F_QRELS },
	{ "rbp_resid", P_NONE, LC_TE_FLOAT, lc_te_calc_rbp_resid, NULL, NULL, 0, 0, F_QRELS },
	{ "unj", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_unj, cut_unj, NULL, 3, 0, F_QRELS },
	/* lctk's additions for ir_measures names (treceval_ext.c); not in all_trec */
	{ "recip_rank_cut", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_recip_rank_cut, cut_success, NULL, 3, 1, F_QRELS },
	{ "judged", P_LONGCUT, LC_TE_FLOAT, lc_te_calc_judged, cut_unj, NULL, 3, 1, F_QRELS },
};
#define NMEAS (sizeof table / sizeof table[0])

static const char *const nick_official[] = { "runid", "num_q", "num_ret", "num_rel", "num_rel_ret", "map", "gm_map",
                                             "Rprec", "bpref", "recip_rank", "iprec_at_recall", "P", NULL };
static const char *const nick_set[] = { "runid", "num_q", "num_ret", "num_rel", "num_rel_ret", "utility", "set_P",
                                        "set_recall", "set_relative_P", "set_map", "set_F", NULL };
static const char *const nick_qrels_jg[] = { "runid", "num_q", "map_avgjg", "P_avgjg", "Rprec_mult_avgjg", NULL };
static const char *const nick_all_prefs[] = { "runid", "num_q", "prefs_num_prefs_poss", "prefs_num_prefs_ful",
                                              "prefs_num_prefs_ful_ret", "prefs_simp", "prefs_pair", "prefs_avgjg",
                                              "prefs_avgjg_Rnonrel", "prefs_simp_ret", "prefs_pair_ret",
                                              "prefs_avgjg_ret", "prefs_avgjg_Rnonrel_ret", "prefs_simp_imp",
                                              "prefs_pair_imp", "prefs_avgjg_imp", NULL };
static const char *const nick_prefs[] = { "runid", "num_q", "prefs_num_prefs_poss", "prefs_num_prefs_ful",
                                          "prefs_num_prefs_ful_ret", "prefs_simp", "prefs_pair", "prefs_avgjg", NULL };

typedef struct {
	char *name;
	char *params;
} meas_arg;

struct lc_te {
	int marked[NMEAS];
	int any_marked;
	meas_arg *args;
	size_t nargs;
	lc_te_params params[NMEAS];
	size_t first_value[NMEAS];
	size_t nvalues_m[NMEAS];
	lc_te_value *values;
	size_t nvalues;
	int inited;
	long rel_level;          /* rel=N of ir_measures names, 0 = none */
};

void lc_te_opts_default(lc_te_opts *o)
{
	memset(o, 0, sizeof *o);
	o->summary = 1;
	o->rel_level = 1;
	o->max_docs = LONG_MAX;
}

lc_te *lc_te_new(void)
{
	return lc_xcalloc(1, sizeof(lc_te));
}

void lc_te_free(lc_te *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nargs; i++)
		free(t->args[i].name);
	free(t->args);
	for (size_t m = 0; m < NMEAS; m++) {
		lc_te_params *p = &t->params[m];
		free(p->printable);
		free(p->l);
		free(p->d);
		if (p->p) {
			for (size_t i = 0; i < p->n; i++)
				free(p->p[i].name);
			free(p->p);
		}
	}
	for (size_t i = 0; i < t->nvalues; i++)
		free(t->values[i].name);
	free(t->values);
	free(t);
}

static int mark_single(lc_te *t, const char *name)
{
	for (size_t m = 0; m < NMEAS; m++)
		if (!strcmp(name, table[m].name)) {
			t->marked[m] = 1;
			return 0;
		}
	return -1;
}

size_t lc_te_measure_count(void) { return NMEAS; }
const char *lc_te_measure_name(size_t i) { return i < NMEAS ? table[i].name : NULL; }
long lc_te_rel_level(const lc_te *t) { return t->rel_level; }

int lc_te_measure_cuts(const char *name)
{
	for (size_t m = 0; m < NMEAS; m++)
		if (!strcmp(name, table[m].name))
			return table[m].ptype == P_LONGCUT ? 1 : table[m].ptype == P_DBLCUT ? 2 : 0;
	return 0;
}

/* 1 if arg is trec_eval selection syntax: a measure or nickname, with or without ".params". */
static int is_selection(const char *arg)
{
	size_t n = strcspn(arg, ".");
	static const char *const nicks[] = { "official", "set", "all_trec", "qrels_jg", "all_prefs", "prefs" };
	for (size_t i = 0; i < sizeof nicks / sizeof nicks[0]; i++)
		if (strlen(nicks[i]) == n && !strncmp(arg, nicks[i], n))
			return 1;
	for (size_t m = 0; m < NMEAS; m++)
		if (strlen(table[m].name) == n && !strncmp(arg, table[m].name, n))
			return 1;
	return 0;
}

/* Marks a translated name; cutoffs of the same measure from several names add
 * up ("-m P@5 -m P@10" = "P.5,10") instead of the later replacing the earlier. */
static int mark_alias(lc_te *t, const char *sel, lc_err *e)
{
	const char *dot = strchr(sel, '.');
	if (dot)
		for (size_t i = 0; i < t->nargs; i++) {
			if (strlen(t->args[i].name) != (size_t)(dot - sel) || strncmp(t->args[i].name, sel, (size_t)(dot - sel)))
				continue;
			const char *old = t->args[i].params, *add = dot + 1;
			size_t al = strlen(add);
			for (const char *q = old; *q;) {
				size_t fl = strcspn(q, ",");
				if (fl == al && !strncmp(q, add, al))
					return 0;   /* already asked for */
				q += fl + (q[fl] == ',');
			}
			size_t nl = strlen(t->args[i].name), ol = strlen(old);
			char *buf = lc_xmalloc(nl + 1 + ol + 1 + al + 1);
			memcpy(buf, t->args[i].name, nl + 1);
			memcpy(buf + nl + 1, old, ol);
			buf[nl + 1 + ol] = ',';
			memcpy(buf + nl + 2 + ol, add, al + 1);
			free(t->args[i].name);
			t->args[i].name = buf;
			t->args[i].params = buf + nl + 1;
			return 0;
		}
	return lc_te_mark(t, sel, e);
}

int lc_te_mark(lc_te *t, const char *arg, lc_err *e)
{
	if (!is_selection(arg)) {
		char *sel = NULL;
		long rel = 0;
		int a = lc_te_alias(arg, &sel, &rel, e);
		if (a < 0)
			return -1;
		if (a > 0) {
			if (rel && t->rel_level && rel != t->rel_level) {
				free(sel);
				return lc_err_set(e, 1, "lceval: '%s' asks for relevance level %ld, another measure for %ld: one level per call (trec_eval's -l is global)",
				                  arg, rel, t->rel_level);
			}
			if (rel)
				t->rel_level = rel;
			int r = mark_alias(t, sel, e);
			free(sel);
			return r;
		}
	}
	char *name = lc_xstrdup(arg);
	char *dot = strchr(name, '.');
	if (dot) {
		*dot = 0;
		char *params = dot + 1;
		t->args = lc_xrealloc(t->args, (t->nargs + 1) * sizeof *t->args);
		t->args[t->nargs].name = name;
		t->args[t->nargs].params = params;
		t->nargs++;
		if (!*params) {
			lc_err_set(e, 1, "trec_eval: improper measure in parameter '%s'\ntrec_eval: illegal measure '%s'", name, name);
			return -1;
		}
	}
	t->any_marked = 1;
	const char *const *nick = NULL;
	if (!strcmp(name, "official"))
		nick = nick_official;
	else if (!strcmp(name, "set"))
		nick = nick_set;
	else if (!strcmp(name, "qrels_jg"))
		nick = nick_qrels_jg;
	else if (!strcmp(name, "all_prefs"))
		nick = nick_all_prefs;
	else if (!strcmp(name, "prefs"))
		nick = nick_prefs;
	int r = 0;
	if (!strcmp(name, "all_trec")) {
		for (size_t m = 0; m < NMEAS; m++)
			if (!table[m].not_all)
				t->marked[m] = 1;
	} else if (nick) {
		for (; *nick; nick++)
			mark_single(t, *nick);
	} else
		r = mark_single(t, name);
	if (r < 0) {
		char sug[256];
		lc_te_suggest(arg, sug, sizeof sug);
		lc_err_set(e, 1, "trec_eval: illegal measure '%s'\n%s: the closest known measure is '%s' (trec_eval or "
		           "ir_measures names)", name, lc_progname(), sug);
	}
	if (!dot)
		free(name);
	return r;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static size_t count_params(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		if (*s == ',')
			n++;
	return n;
}

/* Splits a copy of s on ',' into fields (the copy is returned for freeing). */
static char *split_commas(const char *s, char ***fields, size_t *n)
{
	char *c = lc_xstrdup(s);
	*n = count_params(s);
	*fields = lc_xmalloc(*n * sizeof **fields);
	size_t k = 0;
	char *st = c;
	for (char *p = c;; p++) {
		if (*p == ',' || !*p) {
			int end = !*p;
			*p = 0;
			(*fields)[k++] = st;
			st = p + 1;
			if (end)
				break;
		}
	}
	return c;
}

static int init_params(lc_te *t, size_t m, lc_err *e)
{
	const meas_def *d = &table[m];
	lc_te_params *p = &t->params[m];
	const char *given = NULL;
	for (size_t i = 0; i < t->nargs; i++)
		if (!strcmp(t->args[i].name, d->name)) {
			given = t->args[i].params;
			break;
		}
	if (!given || d->ptype == P_NONE) {
		p->n = d->ndef;
		if (d->dl) {
			p->l = lc_xmalloc((d->ndef + 1) * sizeof *p->l);
			memcpy(p->l, d->dl, d->ndef * sizeof *p->l);
		}
		if (d->dd) {
			p->d = lc_xmalloc((d->ndef + 1) * sizeof *p->d);
			memcpy(p->d, d->dd, d->ndef * sizeof *p->d);
		}
		return 0;
	}
	p->given = 1;
	p->printable = lc_xstrdup(given);
	char **f;
	size_t n;
	char *copy;
	switch (d->ptype) {
	case P_LONGCUT:
		copy = split_commas(given, &f, &n);
		p->l = lc_xmalloc(n * sizeof *p->l);
		for (size_t i = 0; i < n; i++)
			p->l[i] = atol(f[i]);
		p->n = n;
		free(copy);
		free(f);
		qsort(p->l, n, sizeof *p->l, cmp_long);
		if (p->l[0] <= 0)
			return lc_err_set(e, 2, "trec_eval: Negative cutoff detected\ntrec_eval: Cannot initialize measure '%s'", d->name);
		for (size_t i = 1; i < n; i++)
			if (p->l[i - 1] == p->l[i])
				return lc_err_set(e, 2, "trec_eval: duplicate cutoffs detected\ntrec_eval: Cannot initialize measure '%s'", d->name);
		return 0;
	case P_DBLCUT:
	case P_DBLPARAM:
		copy = split_commas(given, &f, &n);
		p->d = lc_xmalloc(n * sizeof *p->d);
		for (size_t i = 0; i < n; i++)
			p->d[i] = atof(f[i]);
		p->n = n;
		free(copy);
		free(f);
		if (d->ptype == P_DBLCUT) {
			qsort(p->d, n, sizeof *p->d, cmp_dbl);
			for (size_t i = 1; i < n; i++)
				if (p->d[i - 1] == p->d[i])
					return lc_err_set(e, 2, "trec_eval: duplicate cutoffs detected\ntrec_eval: Cannot initialize measure '%s'", d->name);
		}
		return 0;
	case P_PAIR: {
		/* every item name=value */
		char last = ',';
		int bad = 0;
		for (const char *s = given; *s; s++) {
			if (*s == ',') {
				if (last == ',') {
					bad = 1;
					break;
				}
				last = ',';
			} else if (*s == '=') {
				if (last == '=') {
					bad = 1;
					break;
				}
				last = '=';
			}
		}
		if (bad || last != '=')
			return lc_err_set(e, 2, "trec_eval: malformed pair parameters in '%s'\ntrec_eval: Cannot initialize measure '%s'", given, d->name);
		copy = split_commas(given, &f, &n);
		p->p = lc_xcalloc(n, sizeof *p->p);
		for (size_t i = 0; i < n; i++) {
			char *eq = strchr(f[i], '=');
			if (eq) {
				*eq = 0;
				p->p[i].value = atof(eq + 1);
			}
			p->p[i].name = lc_xstrdup(f[i]);
		}
		p->n = n;
		free(copy);
		free(f);
		return 0;
	}
	}
	return 0;
}

static void add_value(lc_te *t, char *name, int kind, int m)
{
	t->values = lc_xrealloc(t->values, (t->nvalues + 1) * sizeof *t->values);
	t->values[t->nvalues++] = (lc_te_value){ name, kind, m };
}

int lc_te_init(lc_te *t, lc_err *e)
{
	if (!t->any_marked)
		for (const char *const *n = nick_official; *n; n++)
			mark_single(t, *n);
	for (size_t m = 0; m < NMEAS; m++) {
		if (!t->marked[m])
			continue;
		if (init_params(t, m, e) < 0)
			return -1;
		const meas_def *d = &table[m];
		lc_te_params *p = &t->params[m];
		t->first_value[m] = t->nvalues;
		lc_buf b = {0};
		if (d->ptype == P_LONGCUT)
			for (size_t i = 0; i < p->n; i++) {
				lc_buf_reset(&b);
				lc_buf_printf(&b, "%s_%ld", d->name, p->l[i]);
				add_value(t, lc_buf_detach(&b), d->kind, (int)m);
			}
		else if (d->ptype == P_DBLCUT)
			for (size_t i = 0; i < p->n; i++) {
				lc_buf_reset(&b);
				lc_buf_printf(&b, "%s_%3.2f", d->name, p->d[i]);
				add_value(t, lc_buf_detach(&b), d->kind, (int)m);
			}
		else {
			if (p->given)
				lc_buf_printf(&b, "%s_%s", d->name, p->printable);
			else
				lc_buf_adds(&b, d->name);
			add_value(t, lc_buf_detach(&b), d->kind, (int)m);
		}
		lc_buf_free(&b);
		t->nvalues_m[m] = t->nvalues - t->first_value[m];
	}
	t->inited = 1;
	return 0;
}

size_t lc_te_nvalues(const lc_te *t) { return t->nvalues; }
const lc_te_value *lc_te_value_at(const lc_te *t, size_t i) { return &t->values[i]; }

const char *lc_te_first_measure(const lc_te *t)
{
	for (size_t m = 0; m < NMEAS; m++)
		if (t->marked[m] && table[m].kind != LC_TE_RUNID && table[m].kind != LC_TE_NUMQ)
			return table[m].name;
	return NULL;
}

/* ---- per-topic ranking ---------------------------------------------------- */

/* A hit as form_rr ranks it (lc_te_hit).  The hit comes first:
 * lc_hit_cmp_trec sorts these too. */
typedef lc_te_hit thit;

typedef struct {
	thit *hits;              /* the topic's hits, ranked by form_rr */
	size_t caphits;
	long *rel;
	size_t caprel;
	long *jpos;
	size_t capjpos;
	long *levels;
	size_t caplev;
	uint32_t *tab;           /* hash heads: index + 1 of the latest entry */
	size_t captab;
	uint32_t *next;          /* chains: index + 1 of the entry before, 0 = end */
	size_t capnext;
	uint64_t *hh;            /* hashes of the retrieved docnos */
	size_t caphh;
	uint64_t *jh;            /* hashes of the judged docnos */
	size_t capjh;
	size_t *jidx;
	size_t capj;
	const char **sorted;
	size_t capsorted;
	double *lg;              /* log2(i + 2) (lc_te_log2_table) */
	size_t caplg;
	lc_te_jgwork *jg;        /* -R qrels_jg's (treceval_jg.c), NULL until then */
	lc_te_prefwork *prefs;   /* -R prefs's (treceval_prefs.c), NULL until then */
} work;

void *lc_te_grow(void *p, size_t *cap, size_t need, size_t el)
{
	if (need <= *cap)
		return p;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	*cap = nc;
	return lc_xrealloc(p, nc * el);
}

static int cmp_hit_docno(const void *a, const void *b, void *arg)
{
	return strcmp(((const thit *)a)->h.docno, ((const thit *)b)->h.docno);
}

static int cmp_hit_trec(const void *a, const void *b, void *arg)
{
	return lc_hit_cmp_trec(a, b);
}

/* A topic with a NaN score, ranked as trec_eval ranks it: its lines sorted by
 * docno ascending (get_trec_results), then by score and docno descending
 * (form_res_rels), each with glibc's merge sort (lc_msort): NaN equals every
 * score, so the order depends on the algorithm. */
static void rank_hits_nan(thit *h, size_t n)
{
	thit *tmp = lc_xmalloc(n * sizeof *tmp);
	lc_msort(h, n, sizeof *h, tmp, cmp_hit_docno, NULL);
	lc_msort(h, n, sizeof *h, tmp, cmp_hit_trec, NULL);
	free(tmp);
}

/* trec_eval's order (score desc, docno desc).  Runs are usually written best
 * first already: then only groups of equal scores need sorting. */
static void rank_hits(thit *h, size_t n)
{
	size_t i;
	/* "not <=" is also true next to a NaN, so a run in order has no NaN: one pass */
	for (i = 1; i < n; i++)
		if (!(h[i].h.score <= h[i - 1].h.score))
			break;
	if (i < n) {
		for (i = 0; i < n; i++)
			if (isnan(h[i].h.score)) {
				rank_hits_nan(h, n);
				return;
			}
		qsort(h, n, sizeof *h, lc_hit_cmp_trec);
		return;
	}
	for (i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && h[j].h.score == h[i].h.score)
			j++;
		if (j - i > 16)
			qsort(h + i, j - i, sizeof *h, lc_hit_cmp_trec);
		else   /* a few equal scores (the usual tie): docno descending by insertion */
			for (size_t k = i + 1; k < j; k++) {
				thit x = h[k];
				size_t m = k;
				for (; m > i && strcmp(h[m - 1].h.docno, x.h.docno) < 0; m--)
					h[m] = h[m - 1];
				h[m] = x;
			}
		i = j;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_judg(const void *a, const void *b)
{
	return strcmp(((const lc_judg *)a)->docno, ((const lc_judg *)b)->docno);
}

/* A docno's hash for the per-topic tables: 8 bytes at a time (multiply and
 * fold), the tail byte by byte. */
static inline uint64_t hstrn(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
	for (; n >= 8; n -= 8, s += 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	uint64_t t = 0;
	for (size_t k = 0; k < n; k++)
		t |= (uint64_t)(unsigned char)s[k] << (8 * k);
	h = (h ^ t) * 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 29);
}

static inline uint64_t hstr(const char *s)
{
	return hstrn(s, strlen(s));
}

/* First duplicated string in strcmp order, or NULL. */
static const char *first_dup(work *w, const char **s, size_t n)
{
	w->sorted = lc_te_grow(w->sorted, &w->capsorted, n + 1, sizeof *w->sorted);
	memcpy(w->sorted, s, n * sizeof *s);
	qsort(w->sorted, n, sizeof *w->sorted, cmp_str);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(w->sorted[i - 1], w->sorted[i]))
			return w->sorted[i];
	return NULL;
}

/* Builds rr for one topic from its nh hits in w->hits (ranked here).  Returns 0,
 * or -1 with the trec_eval error text. */
static int form_rr(work *w, const lc_te_opts *o, const lc_judg *j, size_t nj, size_t nh, lc_te_rr *rr, lc_buf *err)
{
	rank_hits(w->hits, nh);
	long num = (long)nh;
	if (o->max_docs < num)
		num = o->max_docs < 0 ? 0 : o->max_docs;

	/* The retrieved docnos, then the judged ones, go into a chained hash table
	 * (tab: heads, next: chains, no probing) behind a 16384-bit filter of other
	 * hash bits: a docno not seen before almost never enters the chain walk,
	 * so the branches stay predictable. */
	uint64_t filt[256];
	size_t ts = 16;
	while (ts < (size_t)num + 1 || ts < nj + 1)
		ts *= 2;
	size_t mask = ts - 1;
	w->tab = lc_te_grow(w->tab, &w->captab, ts, sizeof *w->tab);
	w->next = lc_te_grow(w->next, &w->capnext, ((size_t)num > nj ? (size_t)num : nj) + 1, sizeof *w->next);
	memset(w->tab, 0, ts * sizeof *w->tab);
	memset(filt, 0, sizeof filt);
	w->hh = lc_te_grow(w->hh, &w->caphh, (size_t)num + 1, sizeof *w->hh);
	for (long i = 0; i < num; i++) {
		const char *d = w->hits[i].h.docno;
		uint64_t h = w->hh[i] = hstrn(d, w->hits[i].len);
		unsigned fb = (unsigned)(h >> 50);
		if (filt[fb >> 6] >> (fb & 63) & 1) {
			for (uint32_t k = w->tab[h & mask]; k; k = w->next[k - 1])
				if (w->hh[k - 1] == h && !strcmp(w->hits[k - 1].h.docno, d)) {
					const char **tmp = lc_xmalloc((size_t)num * sizeof *tmp);
					for (long x = 0; x < num; x++)
						tmp[x] = w->hits[x].h.docno;
					const char *dup = first_dup(w, tmp, (size_t)num);
					free(tmp);
					lc_buf_printf(err, "trec_eval.form_res_qrels: duplicate docs %s", dup ? dup : d);
					return -1;
				}
		}
		filt[fb >> 6] |= 1ull << (fb & 63);
		w->next[i] = w->tab[h & mask];
		w->tab[h & mask] = (uint32_t)i + 1;
	}
	/* qrels: duplicates, levels, and the table for lookup */
	long max_rel = nj ? j[0].rel : 0;
	for (size_t k = 0; k < nj; k++)
		if (j[k].rel > max_rel)
			max_rel = j[k].rel;
	memset(w->tab, 0, ts * sizeof *w->tab);
	memset(filt, 0, sizeof filt);
	w->jh = lc_te_grow(w->jh, &w->capjh, nj + 1, sizeof *w->jh);
	for (size_t k = 0; k < nj; k++) {
		const char *d = j[k].docno;
		uint64_t h = w->jh[k] = hstr(d);
		unsigned fb = (unsigned)(h >> 50);
		if (filt[fb >> 6] >> (fb & 63) & 1) {
			for (uint32_t c = w->tab[h & mask]; c; c = w->next[c - 1])
				if (w->jh[c - 1] == h && !strcmp(j[c - 1].docno, d)) {
					lc_judg *tmp = lc_xmalloc(nj * sizeof *tmp);
					memcpy(tmp, j, nj * sizeof *tmp);
					qsort(tmp, nj, sizeof *tmp, cmp_judg);
					const char *dup = d;
					for (size_t q = 1; q < nj; q++)
						if (!strcmp(tmp[q - 1].docno, tmp[q].docno)) {
							dup = tmp[q].docno;
							break;
						}
					lc_buf_printf(err, "trec_eval.form_res_rels: duplicate docs %s\n", dup);
					free(tmp);
					return -1;
				}
		}
		filt[fb >> 6] |= 1ull << (fb & 63);
		w->next[k] = w->tab[h & mask];
		w->tab[h & mask] = (uint32_t)k + 1;
	}
	long nlev = max_rel >= 0 ? max_rel + 1 : 0;
	w->levels = lc_te_grow(w->levels, &w->caplev, (size_t)nlev + 1, sizeof *w->levels);
	memset(w->levels, 0, ((size_t)nlev + 1) * sizeof *w->levels);
	for (size_t k = 0; k < nj; k++)
		if (j[k].rel >= 0)
			w->levels[j[k].rel]++;
	w->rel = lc_te_grow(w->rel, &w->caprel, (size_t)num + 1, sizeof *w->rel);
	w->jpos = lc_te_grow(w->jpos, &w->capjpos, (size_t)num + 1, sizeof *w->jpos);
	long njpos = 0;
	rr->num_rel_ret = rr->num_nonpool = rr->num_unjudged = 0;
	long out = 0;
	for (long i = 0; i < num; i++) {
		const char *d = w->hits[i].h.docno;
		uint64_t h = w->hh[i];
		unsigned fb = (unsigned)(h >> 50);
		long rel = LC_TE_NONPOOL;
		if (filt[fb >> 6] >> (fb & 63) & 1)
			for (uint32_t c = w->tab[h & mask]; c; c = w->next[c - 1]) {
				const lc_judg *jj = &j[c - 1];
				if (w->jh[c - 1] == h && !strcmp(jj->docno, d)) {
					rel = jj->rel < 0 ? LC_TE_UNJUDGED : jj->rel;
					break;
				}
			}
		if (o->judged_only && rel < 0)
			continue;
		if (rel >= 0)
			w->jpos[njpos++] = out;
		w->rel[out++] = rel;
		if (rel == LC_TE_NONPOOL)
			rr->num_nonpool++;
		else if (rel == LC_TE_UNJUDGED)
			rr->num_unjudged++;
		else if (rel >= o->rel_level)
			rr->num_rel_ret++;
	}
	rr->num_ret = out;
	rr->lg = lc_te_log2_table(&w->lg, &w->caplg, (size_t)out + 2);
	rr->jpos = w->jpos;
	rr->num_jpos = njpos;
	rr->rel = w->rel;
	rr->num_rel = 0;
	rr->num_rel_levels = 0;
	for (long i = 0; i < nlev; i++)
		if (w->levels[i]) {
			rr->num_rel_levels = i + 1;
			if (i >= o->rel_level)
				rr->num_rel += w->levels[i];
		}
	rr->rel_levels = w->levels;
	rr->num_jgs = 0;
	rr->jgs = NULL;
	rr->prefs = NULL;
	return 0;
}

static char *relstring(const lc_te_rr *rr, double len_param)
{
	long len = (long)len_param;
	if (len > rr->num_ret)
		len = rr->num_ret;
	if (len < 0)
		len = 0;
	char *s = lc_xmalloc((size_t)len + 1);
	for (long i = 0; i < len; i++) {
		long r = rr->rel[i];
		s[i] = r > 9 ? '>' : r >= 0 ? (char)('0' + r) : r == LC_TE_NONPOOL ? '-' : r == LC_TE_UNJUDGED ? '.' : '<';
	}
	s[len] = 0;
	return s;
}

static int cmp_qid(const void *a, const void *b, void *arg)
{
	const lc_qrels *q = arg;
	return strcmp(q->q[*(const size_t *)a].qid, q->q[*(const size_t *)b].qid);
}

/* Shared by the evaluation threads (read-only except for per-topic slots). */
typedef struct {
	lc_te *t;
	const lc_te_opts *o;
	const lc_qrels *qr;
	const lc_run *run;
	const size_t *order;
	lc_te_result *res;
	const char *first;
	int general;             /* a measure or the qrels is not plain qrels: eval_general */
	int qfmt;                /* F_* of the qrels */
	int relstring_m;
	size_t nq, nthreads;
	int *fail_code;          /* [nq] */
	char **fail_msg;         /* [nq] */
} evjob;

typedef struct {
	evjob *job;
	size_t k;                /* this thread handles topics k, k + nthreads, ... */
} evthread;

static void free_work(work *w)
{
	free(w->hits);
	free(w->rel);
	free(w->jpos);
	free(w->levels);
	free(w->tab);
	free(w->next);
	free(w->hh);
	free(w->jh);
	free(w->jidx);
	free(w->sorted);
	free(w->lg);
	lc_te_jgwork_free(w->jg);
	lc_te_prefwork_free(w->prefs);
}

/* Measure m of one topic from rr into the topic's values v; -1 with trec_eval's
 * text in err when it cannot be computed (utility without four coefficients). */
static inline int calc_measure(const lc_te *t, size_t m, const lc_te_opts *o, const lc_te_rr *rr, double *v, lc_buf *err)
{
	if (table[m].calc == lc_te_calc_utility && t->params[m].n != 4) {
		lc_buf_reset(err);
		lc_buf_adds(err, "trec_eval.calc_utility: improper number of coefficients\n"
		                 "trec_eval: Can't calculate measure 'utility'\n");
		return -1;
	}
	if (table[m].calc)
		table[m].calc(&t->params[m], o, rr, v + t->first_value[m]);
	return 0;
}

/* A topic's measures when the qrels or a measure is not plain qrels: each
 * marked measure in table order reads the ranking of its format, formed when
 * the first needs it; a measure of another format than the qrels' stops the
 * evaluation with trec_eval's words (its form_res_rels* checks).  The hits
 * are in w->hits.  -1 with the text in err. */
static int eval_general(evjob *j, work *w, const lc_qrels_q *qq, size_t nh, double *v, lc_buf *err)
{
	const lc_te *t = j->t;
	const lc_te_opts *o = j->o;
	lc_te_rr rr;
	int formed = 0;
	for (size_t m = 0; m < NMEAS; m++) {
		if (!t->marked[m] || table[m].kind == LC_TE_RUNID || table[m].kind == LC_TE_NUMQ)
			continue;
		int f = table[m].fmt;
		if (f != j->qfmt) {
			static const char *const why[] = {
				[F_QRELS] = "trec_eval.form_res_qrels: rel_info format not qrels or results format not trec_results\n",
				[F_JG] = "trec_eval: rel_info format not qrels_jg or results format not trec_results\n",
				[F_PREFS] = ("trec_eval.form_prefs_info: prefs_info format not (prefs or qrels_prefs) or results "
				             "format not trec_results\n"),
			};
			lc_buf_adds(err, why[f]);
			lc_buf_printf(err, "trec_eval: Can't calculate measure '%s'\n", table[m].name);
			return -1;
		}
		if (!formed) {
			int r;
			if (f == F_QRELS)
				r = form_rr(w, o, qq->j, qq->n, nh, &rr, err);
			else if (f == F_PREFS)
				r = lc_te_form_prefs(&w->prefs, o, qq, w->hits, nh, &rr, err);
			else {
				rank_hits(w->hits, nh);
				long num = o->max_docs < (long)nh ? o->max_docs : (long)nh;
				w->sorted = lc_te_grow(w->sorted, &w->capsorted, nh + 1, sizeof *w->sorted);
				for (size_t i = 0; i < nh; i++)
					w->sorted[i] = w->hits[i].h.docno;
				r = lc_te_form_jg(&w->jg, o, qq, w->sorted, num, &rr, err);
			}
			if (r < 0) {
				lc_buf_printf(err, "trec_eval: Can't calculate measure '%s'\n", table[m].name);
				return -1;
			}
			formed = 1;
		}
		if (calc_measure(t, m, o, &rr, v, err) < 0)
			return -1;
	}
	return 0;
}

/* Evaluates topic ti, whose run query is rq (NULL: not in the run), into
 * res->v / res->relstr; on failure sets fail_code[ti] and fail_msg[ti]
 * (trec_eval's stderr text). */
static void eval_query(evjob *j, size_t ti, const lc_run_q *rq, work *w, lc_buf *err)
{
	static const thit bogus = { { "ceci_nest_pas_un_docno", 1.0 }, sizeof "ceci_nest_pas_un_docno" - 1 };
	lc_te *t = j->t;
	const lc_te_opts *o = j->o;
	size_t nv = t->nvalues;
	const lc_qrels_q *qq = &j->qr->q[j->order[ti]];
	size_t nh;
	int is_bogus = 0;
	lc_buf_reset(err);
	j->res->qid[ti] = qq->qid;
	if (!rq) {
		if (!o->complete) {
			lc_buf_printf(err, "trec_eval: result qid '%s' not found in qrels\n", qq->qid);
			goto fail;
		}
		nh = 1;
		is_bogus = 1;
	} else
		nh = rq->n;
	if (!j->first)
		return;
	w->hits = lc_te_grow(w->hits, &w->caphits, nh + 1, sizeof *w->hits);
	if (is_bogus)
		w->hits[0] = bogus;
	else
		for (size_t i = 0; i < nh; i++)
			w->hits[i] = (thit){ lc_run_hit(rq, i), lc_run_hit_len(rq, i) };
	double *v = j->res->v + ti * nv;
	if (j->general) {
		if (eval_general(j, w, qq, nh, v, err) < 0)
			goto fail;
		goto done;
	}
	lc_te_rr rr;
	if (form_rr(w, o, qq->j, qq->n, nh, &rr, err) < 0) {
		lc_buf_printf(err, "trec_eval: Can't calculate measure '%s'\n", j->first);
		goto fail;
	}
	for (size_t m = 0; m < NMEAS; m++) {
		if (!t->marked[m])
			continue;
		if (calc_measure(t, m, o, &rr, v, err) < 0)
			goto fail;
	}
	if (j->relstring_m >= 0)
		j->res->relstr[ti] = is_bogus ? lc_xstrdup("") : relstring(&rr, t->params[j->relstring_m].d[0]);
done:
	if (is_bogus)
		for (size_t k = 0; k < nv; k++) {
			const char *nm = t->values[k].name;
			if (!strcmp(nm, "num_ret") || !strcmp(nm, "utility") || !strncmp(nm, "unj", 3) || !strcmp(nm, "rbp_resid"))
				v[k] = 0.0;
		}
	return;
fail:
	j->fail_code[ti] = 4;
	j->fail_msg[ti] = lc_xstrdup(err->p ? err->p : "");
}

/* Topic ti of a run read whole. */
static void eval_topic(evjob *j, size_t ti, work *w, lc_buf *err)
{
	const char *qid = j->qr->q[j->order[ti]].qid;
	long ri = lc_strmap_find(&j->run->qids, qid, strlen(qid));
	eval_query(j, ti, ri < 0 ? NULL : &j->run->q[ri], w, err);
}

static void *eval_thread(void *arg)
{
	evthread *th = arg;
	evjob *j = th->job;
	work w = { 0 };
	lc_buf err = { 0 };
	for (size_t ti = th->k; ti < j->nq; ti += j->nthreads) {
		eval_topic(j, ti, &w, &err);
		if (j->nthreads == 1 && j->fail_code[ti])
			break;   /* sequential: stop at the first failure, as trec_eval */
	}
	free_work(&w);
	lc_buf_free(&err);
	return NULL;
}

/* Threads for large evaluations: topics are independent; results land in
 * per-topic slots, so the output does not depend on the number of threads. */
static size_t n_threads(size_t nq, const lc_te_opts *o)
{
	if (nq < 256)
		return 1;
	if (o->jobs > 0)
		return (size_t)o->jobs;
	const char *env = getenv("LCTK_THREADS");
	long n = env && *env ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 8)
		n = 8;
	return (size_t)n;
}

/* The result's arrays and the job over the qrels topics in strcmp order
 * (job->order malloc'd); the run is set by the caller. */
static void job_start(evjob *job, lc_te *t, const lc_te_opts *o, const lc_qrels *qr, lc_te_result *res)
{
	memset(res, 0, sizeof *res);
	size_t nv = t->nvalues;
	size_t nq = qr->nq;
	res->nq_all = nq;
	res->runid = "";
	res->qid = lc_xcalloc(nq + 1, sizeof *res->qid);
	res->v = lc_xcalloc((nq + 1) * (nv + 1), sizeof *res->v);
	res->relstr = lc_xcalloc(nq + 1, sizeof *res->relstr);
	res->summary = lc_xcalloc(nv + 1, sizeof *res->summary);
	size_t *order = lc_xmalloc((nq + 1) * sizeof *order);
	for (size_t i = 0; i < nq; i++)
		order[i] = i;
	qsort_r(order, nq, sizeof *order, cmp_qid, (void *)qr);
	if (o->only_qid) {
		/* -D N.QID: trec_eval skips every other qrels topic */
		size_t k = 0;
		for (size_t i = 0; i < nq; i++)
			if (!strcmp(qr->q[order[i]].qid, o->only_qid))
				order[k++] = order[i];
		nq = k;
	}
	int qfmt = qr->format == LC_QRELS_TREC_JG ? F_JG
	         : qr->format == LC_QRELS_PREFS || qr->format == LC_QRELS_TREC_PREFS ? F_PREFS : F_QRELS;
	*job = (evjob){ t, o, qr, NULL, order, res, lc_te_first_measure(t), qfmt != F_QRELS, qfmt, -1, nq,
	                n_threads(nq, o), lc_xcalloc(nq + 1, sizeof(int)), lc_xcalloc(nq + 1, sizeof(char *)) };
	for (size_t m = 0; m < NMEAS; m++) {
		if (t->marked[m] && table[m].kind == LC_TE_RELSTR)
			job->relstring_m = (int)m;
		if (t->marked[m] && table[m].fmt != F_QRELS)
			job->general = 1;
	}
}

static int job_finish(evjob *job);

int lc_te_evaluate(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, const lc_run *run, lc_te_result *res)
{
	evjob job;
	job_start(&job, t, o, qr, res);
	job.run = run;
	res->runid = run->runid ? run->runid : "";
	evthread *th = lc_xcalloc(job.nthreads, sizeof *th);
	pthread_t *tid = lc_xcalloc(job.nthreads, sizeof *tid);
	char *started = lc_xcalloc(job.nthreads, 1);
	for (size_t k = 0; k < job.nthreads; k++) {
		th[k] = (evthread){ &job, k };
		if (k > 0 && pthread_create(&tid[k], NULL, eval_thread, &th[k]) == 0)
			started[k] = 1;
	}
	eval_thread(&th[0]);
	for (size_t k = 1; k < job.nthreads; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			eval_thread(&th[k]);   /* thread creation failed: do its share here */
	}
	free(started);
	free(th);
	free(tid);
	return job_finish(&job);
}

/* num_rel's summary with -c, as trec_eval's te_calc_avg_num_rel: the
 * judgments of every qrels topic with rel > 0, whatever the relevance level
 * (-l) and whether or not the run has the topic. */
static long complete_num_rel(const lc_qrels *qr)
{
	long n = 0;
	for (size_t i = 0; i < qr->nq; i++)
		for (size_t k = 0; k < qr->q[i].n; k++)
			n += qr->q[i].j[k].rel > 0;
	return n;
}

/* The first failure, the summary; frees the job. */
static int job_finish(evjob *job)
{
	lc_te_result *res = job->res;
	const lc_te *t = job->t;
	size_t nq = job->nq, nv = t->nvalues;
	/* the first failing topic ends the evaluation, as in trec_eval */
	res->nq = nq;
	for (size_t ti = 0; ti < nq; ti++)
		if (job->fail_code[ti]) {
			res->nq = ti;
			res->fail_code = job->fail_code[ti];
			res->fail_msg = job->fail_msg[ti];
			job->fail_msg[ti] = NULL;
			break;
		}
	for (size_t ti = 0; ti < nq; ti++)
		free(job->fail_msg[ti]);
	free(job->fail_msg);
	free(job->fail_code);
	if (!res->fail_code && res->nq == 0) {
		res->fail_msg = lc_xstrdup("trec_eval: No queries with both results and relevance info\n");
		res->fail_code = 7;
	}
	/* -Z: the topics' values as z scores, before they are summed (convert_zscores.c) */
	const lc_zscores *zs = job->o->zscores;
	res->zscored = zs != NULL;
	for (size_t ti = 0; zs && ti < res->nq; ti++)
		for (size_t k = 0; k < nv; k++)
			res->v[ti * nv + k] = lc_zscore(zs, res->qid[ti], t->values[k].name, res->v[ti * nv + k]);
	/* summary: with -c over every qrels topic (more than were evaluated only with -D N.QID) */
	long nd = (long)(job->o->complete ? res->nq_all : res->nq);
	for (size_t k = 0; k < nv && !res->fail_code; k++) {
		double sum = 0.0;
		for (size_t ti = 0; ti < res->nq; ti++)
			sum += res->v[ti * nv + k];
		switch (t->values[k].kind) {
		case LC_TE_FLOAT:
			res->summary[k] = nd ? sum / (double)nd : sum;
			break;
		case LC_TE_GM:
			if (nd > (long)res->nq)
				sum += (double)(nd - (long)res->nq) * log(1e-5);
			res->summary[k] = nd ? exp(sum / (double)nd) : sum;
			break;
		case LC_TE_NUMQ:
			res->summary[k] = (double)nd;
			break;
		default:
			res->summary[k] = sum;
		}
		if (job->o->complete && !strcmp(t->values[k].name, "num_rel"))
			res->summary[k] = (double)complete_num_rel(job->qr);
	}
	free((void *)job->order);
	return res->fail_code ? -1 : 0;
}

/* ---- streaming: topics as a run reader delivers them (lc_run_stream) */
struct lc_te_stream {
	evjob job;
	size_t *pos;             /* [qrels query index] its position in job.order */
	char *done;              /* [position] the run had the topic (set atomically: forks share it) */
	work w;
	lc_buf err;
	int fork;                /* a fork: job, pos and done are its parent's */
	int clash;               /* a fork met a topic another thread had */
};

lc_te_stream *lc_te_stream_new(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, lc_te_result *res)
{
	lc_te_stream *s = lc_xcalloc(1, sizeof *s);
	job_start(&s->job, t, o, qr, res);
	s->job.nthreads = 1;
	s->pos = lc_xmalloc((qr->nq + 1) * sizeof *s->pos);
	for (size_t i = 0; i < qr->nq; i++)
		s->pos[i] = SIZE_MAX;    /* not evaluated (-D N.QID) */
	for (size_t ti = 0; ti < s->job.nq; ti++)
		s->pos[s->job.order[ti]] = ti;
	s->done = lc_xcalloc(qr->nq + 1, 1);
	return s;
}

void lc_te_stream_query(void *ctx, const lc_run_q *q)
{
	lc_te_stream *s = ctx;
	long qi = lc_strmap_find(&s->job.qr->qids, q->qid, strlen(q->qid));
	if (qi < 0)
		return;   /* run topics absent from the qrels are ignored */
	size_t ti = s->pos[qi];
	if (ti == SIZE_MAX)
		return;
	if (__atomic_exchange_n(&s->done[ti], 1, __ATOMIC_RELAXED)) {
		s->clash = 1;   /* only forks get here: one reader never gives a qid twice */
		return;
	}
	eval_query(&s->job, ti, q, &s->w, &s->err);
}

lc_te_stream *lc_te_stream_fork(lc_te_stream *s)
{
	lc_te_stream *f = lc_xcalloc(1, sizeof *f);
	f->job = s->job;
	f->pos = s->pos;
	f->done = s->done;
	f->fork = 1;
	return f;
}

static void stream_free(lc_te_stream *s)
{
	if (!s->fork) {
		free(s->pos);
		free(s->done);
	}
	free_work(&s->w);
	lc_buf_free(&s->err);
	free(s);
}

int lc_te_stream_join(lc_te_stream *f)
{
	int clash = f->clash;
	stream_free(f);
	return clash ? -1 : 0;
}

int lc_te_stream_end(lc_te_stream *s, const char *runid)
{
	evjob *j = &s->job;
	j->res->runid = runid ? runid : "";
	for (size_t ti = 0; ti < j->nq; ti++)
		if (!s->done[ti])
			eval_query(j, ti, NULL, &s->w, &s->err);
	int ret = job_finish(j);
	stream_free(s);
	return ret;
}

void lc_te_stream_abort(lc_te_stream *s)
{
	evjob *j = &s->job;
	for (size_t ti = 0; ti < j->nq; ti++)
		free(j->fail_msg[ti]);
	free(j->fail_msg);
	free(j->fail_code);
	free((void *)j->order);
	lc_te_result_free(j->res);
	stream_free(s);
}

void lc_te_result_free(lc_te_result *res)
{
	if (res->relstr)
		for (size_t i = 0; i < res->nq_all; i++)
			free(res->relstr[i]);
	free(res->relstr);
	free(res->qid);
	free(res->v);
	free(res->summary);
	free(res->fail_msg);
	memset(res, 0, sizeof *res);
}

/* -Z's text: every number as %6.4f after a "Z" (trec_eval's meas_print_*.c). */
static void print_z(const lc_te *t, const lc_te_opts *o, const lc_te_result *res, lc_buf *b, lc_output *out)
{
	size_t nv = t->nvalues;
	if (o->query)
		for (size_t ti = 0; ti < res->nq; ti++) {
			lc_buf_reset(b);
			for (size_t k = 0; k < nv; k++) {
				const lc_te_value *val = &t->values[k];
				if (val->kind == LC_TE_FLOAT || val->kind == LC_TE_LONG)
					lc_buf_printf(b, "Z%-22s\t%s\t%6.4f\n", val->name, res->qid[ti], res->v[ti * nv + k]);
				else if (val->kind == LC_TE_RELSTR)
					lc_buf_printf(b, "%-22s\t%s\t'%s'\n", val->name, res->qid[ti],
					              res->relstr[ti] ? res->relstr[ti] : "");
			}
			lc_output_write(out, b->p, b->len);
		}
	if (o->summary && !res->fail_code) {
		lc_buf_reset(b);
		for (size_t k = 0; k < nv; k++) {
			const lc_te_value *val = &t->values[k];
			if (val->kind == LC_TE_RUNID)
				lc_buf_printf(b, "%-22s\tall\t%s\n", val->name, res->runid);
			else if (val->kind != LC_TE_RELSTR)
				lc_buf_printf(b, "Z%-22s\tall\t%6.4f\n", val->name, res->summary[k]);
		}
		lc_output_write(out, b->p, b->len);
	}
	lc_buf_free(b);
}

void lc_te_print(const lc_te *t, const lc_te_opts *o, const lc_te_result *res, lc_output *out)
{
	size_t nv = t->nvalues;
	lc_buf b = { 0 };
	if (res->zscored) {
		print_z(t, o, res, &b, out);
		return;
	}
	if (o->query)
		for (size_t ti = 0; ti < res->nq; ti++) {
			const char *qid = res->qid[ti];
			const double *v = res->v + ti * nv;
			lc_buf_reset(&b);
			for (size_t k = 0; k < nv; k++) {
				const lc_te_value *val = &t->values[k];
				switch (val->kind) {
				case LC_TE_FLOAT:
					lc_buf_printf(&b, "%-22s\t%s\t%6.4f\n", val->name, qid, v[k]);
					break;
				case LC_TE_LONG:
					lc_buf_printf(&b, "%-22s\t%s\t%ld\n", val->name, qid, (long)v[k]);
					break;
				case LC_TE_RELSTR:
					lc_buf_printf(&b, "%-22s\t%s\t'%s'\n", val->name, qid, res->relstr[ti] ? res->relstr[ti] : "");
					break;
				default:
					break;
				}
			}
			lc_output_write(out, b.p, b.len);
		}
	if (o->summary && !res->fail_code) {
		lc_buf_reset(&b);
		for (size_t k = 0; k < nv; k++) {
			const lc_te_value *val = &t->values[k];
			switch (val->kind) {
			case LC_TE_FLOAT:
			case LC_TE_GM:
				lc_buf_printf(&b, "%-22s\tall\t%6.4f\n", val->name, res->summary[k]);
				break;
			case LC_TE_LONG:
			case LC_TE_NUMQ:
				lc_buf_printf(&b, "%-22s\tall\t%ld\n", val->name, (long)res->summary[k]);
				break;
			case LC_TE_RUNID:
				lc_buf_printf(&b, "%-22s\tall\t%s\n", val->name, res->runid);
				break;
			default:
				break;
			}
		}
		lc_output_write(out, b.p, b.len);
	}
	lc_buf_free(&b);
}
