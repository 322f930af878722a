/*
 * treceval_names — ir_measures' measure names and lceval's printed value names
 * translated into trec_eval's -m syntax (treceval.h: lc_te_alias), and the
 * closest known name for an unknown one (lc_te_suggest).
 *
 * ir_measures name = NAME ['(' key=value, ... ')'] ['@' CUTOFF]; the
 * trec_eval computation behind each (ir_measures docs/measures.rst and its
 * pytrec_eval provider):
 *   nDCG@k -> ndcg_cut.k      nDCG -> ndcg      nDCG(gains={0:0,1:1,2:3}) -> ndcg.0=0,1=1,2=3
 *   P@k -> P.k                R@k -> recall.k   AP -> map   AP@k -> map_cut.k
 *   RR -> recip_rank          RR@k -> recip_rank_cut.k (lctk: recip_rank cut at k)
 *   Rprec, Bpref, infAP -> Rprec, bpref, infAP
 *   Judged@k -> judged.k (lctk: ir_measures' judged provider)
 *   NumRet -> num_ret   NumRet(rel=N) -> num_rel_ret   NumRel -> num_rel   NumQ -> num_q
 *   SetP, SetR, SetF, SetAP -> set_P, set_recall, set_F, set_map
 *   Success@k -> success.k    IPrec@r -> iprec_at_recall.r
 *   rel=N (any measure) -> relevance level N (trec_eval's -l N)
 * A printed value name NAME_CUT ("ndcg_cut_10", "P_5", "iprec_at_recall_0.10")
 * becomes NAME.CUT when NAME takes cutoffs.
 */
#include "treceval.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

typedef struct irm {
	const char *name;        /* ir_measures */
	const char *plain;       /* trec_eval without cutoff, NULL = a cutoff is required */
	const char *cut;         /* trec_eval with cutoff, NULL = takes none */
} irm;

static const irm irms[] = {
	{ "nDCG", "ndcg", "ndcg_cut" },
	{ "P", NULL, "P" },
	{ "R", NULL, "recall" },
	{ "AP", "map", "map_cut" },
	{ "RR", "recip_rank", "recip_rank_cut" },
	{ "Rprec", "Rprec", NULL },
	{ "Bpref", "bpref", NULL },
	{ "infAP", "infAP", NULL },
	{ "Judged", NULL, "judged" },
	{ "NumRet", "num_ret", NULL },
	{ "NumRel", "num_rel", NULL },
	{ "NumRelRet", "num_rel_ret", NULL },
	{ "NumQ", "num_q", NULL },
	{ "SetP", "set_P", NULL },
	{ "SetR", "set_recall", NULL },
	{ "SetF", "set_F", NULL },
	{ "SetAP", "set_map", NULL },
	{ "Success", NULL, "success" },
	{ "IPrec", NULL, "iprec_at_recall" },
};
#define NIRM (sizeof irms / sizeof irms[0])

static int all_digits(const char *s, size_t n, int frac)
{
	if (n == 0)
		return 0;
	int dots = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' && frac && !dots++)
			continue;
		else if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "gains={0:0,1:1,2:3}" value -> "0=0,1=1,2=3" into b; -1 if malformed. */
static int gains_pairs(const char *v, size_t n, lc_buf *b)
{
	if (n < 2 || v[0] != '{' || v[n - 1] != '}')
		return -1;
	for (size_t i = 1; i < n - 1; i++) {
		char c = v[i];
		if (c == ':')
			c = '=';
		else if (c == ' ')
			continue;
		else if (!isdigit((unsigned char)c) && c != ',' && c != '.' && c != '-')
			return -1;
		lc_buf_addc(b, c);
	}
	return b->len ? 0 : -1;
}

/* NAME_CUT (a printed value name) -> NAME.CUT; 1 if it was one.  Every '_'
 * is tried, last first ("iprec_at_recall_0.10", "ndcg_cut_10"). */
static int value_name(const char *name, char **out)
{
	for (const char *us = name + strlen(name); us-- > name;) {
		if (*us != '_')
			continue;
		size_t pl = (size_t)(us - name);
		char *prefix = lc_xstrndup(name, pl);
		int cuts = lc_te_measure_cuts(prefix);
		free(prefix);
		if (cuts && all_digits(us + 1, strlen(us + 1), cuts == 2)) {
			lc_buf b = { 0 };
			lc_buf_add(&b, name, pl);
			lc_buf_addc(&b, '.');
			lc_buf_adds(&b, us + 1);
			*out = lc_buf_detach(&b);
			return 1;
		}
	}
	return 0;
}

int lc_te_alias(const char *name, char **out, long *rel, lc_err *e)
{
	*out = NULL;
	*rel = 0;
	if (value_name(name, out))
		return 1;
	size_t nl = strcspn(name, "(@");
	const irm *m = NULL;
	for (size_t i = 0; i < NIRM; i++)
		if (strlen(irms[i].name) == nl && !strncmp(name, irms[i].name, nl))
			m = &irms[i];
	if (!m)
		return 0;
	const char *s = name + nl;
	lc_buf gains = { 0 };
	if (*s == '(') {
		const char *close = strrchr(s, ')');
		if (!close)
			return lc_err_set(e, 1, "lceval: '%s': parameters end with ')'", name);
		const char *p = s + 1;
		while (p < close) {
			size_t kl = strcspn(p, "=");
			const char *v = p + kl + 1;
			/* a value runs to the next ',' outside braces */
			size_t vl = 0;
			int depth = 0;
			while (v + vl < close && (depth || v[vl] != ',')) {
				depth += v[vl] == '{' ? 1 : v[vl] == '}' ? -1 : 0;
				vl++;
			}
			if (p + kl >= close) {
				lc_buf_free(&gains);
				return lc_err_set(e, 1, "lceval: '%s': a parameter is key=value", name);
			}
			if (kl == 3 && !strncmp(p, "rel", 3) && all_digits(v, vl, 0)) {
				*rel = atol(v);
			} else if (kl == 5 && !strncmp(p, "gains", 5) && !strcmp(m->name, "nDCG")) {
				if (gains_pairs(v, vl, &gains) < 0) {
					lc_buf_free(&gains);
					return lc_err_set(e, 1, "lceval: '%s': gains are written {REL:GAIN,...}, e.g. gains={0:0,1:1,2:3}", name);
				}
			} else {
				lc_buf_free(&gains);
				return lc_err_set(e, 1, "lceval: '%s': parameter '%.*s' is not one lceval maps onto trec_eval (rel=N%s)",
				                  name, (int)kl, p, strcmp(m->name, "nDCG") ? "" : ", gains={...}");
			}
			p = v + vl + (v + vl < close);
		}
		s = close + 1;
	}
	const char *cut = NULL;
	if (*s == '@') {
		cut = s + 1;
		if (!all_digits(cut, strlen(cut), !strcmp(m->name, "IPrec"))) {
			lc_buf_free(&gains);
			return lc_err_set(e, 1, "lceval: '%s': the cutoff after '@' is a number", name);
		}
	} else if (*s) {
		lc_buf_free(&gains);
		return lc_err_set(e, 1, "lceval: '%s': expected NAME(PARAMS)@CUTOFF", name);
	}
	lc_buf b = { 0 };
	if (cut) {
		if (!m->cut) {
			lc_buf_free(&gains);
			return lc_err_set(e, 1, "lceval: '%s': %s takes no cutoff", name, m->name);
		}
		if (gains.len) {
			lc_buf_free(&gains);
			return lc_err_set(e, 1, "lceval: '%s': trec_eval's ndcg_cut has no gains: give nDCG(gains=...) without a cutoff, or nDCG@k", name);
		}
		lc_buf_printf(&b, "%s.%s", m->cut, cut);
	} else {
		if (!m->plain) {
			lc_buf_free(&gains);
			return lc_err_set(e, 1, "lceval: '%s' needs a cutoff, e.g. %s@10", name, m->name);
		}
		if (!strcmp(m->name, "NumRet") && *rel)
			lc_buf_adds(&b, "num_rel_ret");   /* ir_measures: NumRet(rel=N) = relevant retrieved */
		else
			lc_buf_adds(&b, m->plain);
		if (gains.len) {
			lc_buf_addc(&b, '.');
			lc_buf_add(&b, gains.p, gains.len);
		}
	}
	lc_buf_free(&gains);
	*out = lc_buf_detach(&b);
	return 1;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = lc_xmalloc((lb + 1) * sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

void lc_te_suggest(const char *name, char *buf, size_t size)
{
	static const char *const nicks[] = { "official", "all_trec", "set", "qrels_jg", "all_prefs", "prefs" };
	size_t nl = strcspn(name, "(@.");
	char *base = lc_xstrndup(name, nl);
	/* an ir_measures-looking name ('@' or '(') is matched against those first */
	int irm_first = name[nl] == '@' || name[nl] == '(';
	size_t nt = lc_te_measure_count(), total = nt + NIRM + sizeof nicks / sizeof nicks[0];
	const char *best = "official";
	size_t bd = (size_t)-1;
	for (size_t k = 0; k < total; k++) {
		size_t i = irm_first ? (k < NIRM ? nt + k : k - NIRM) : k;
		if (irm_first && k >= nt + NIRM)
			i = k;
		const char *c = i < nt ? lc_te_measure_name(i) : i < nt + NIRM ? irms[i - nt].name : nicks[i - nt - NIRM];
		size_t d = edit_distance(base, c);
		if (d < bd) {
			bd = d;
			best = c;
		}
	}
	/* keep what followed the name ("@10") when the suggestion is ir_measures' */
	int is_irm = 0;
	for (size_t i = 0; i < NIRM; i++)
		is_irm |= best == irms[i].name;
	snprintf(buf, size, "%s%s", best, is_irm && name[nl] != '.' ? name + nl : "");
	free(base);
}
