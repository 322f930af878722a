/*
 * fuse — ranx's fusion methods and normalisations over lib/eval/run runs (fuse.h).
 * Adapter: lc_fuse_load() turns lc_run queries (hits in file order, possibly
 * repeated docids) into ranx's view (one score per docid per run); lib/eval/run is
 * used as it is.
 */
#include "fuse.h"

#include "buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = { "rrf", "combsum", "combmnz", "combmax", "combmin",
                                            "combmed", "combanz", "wsum" };
static const char *const method_ranx[] = { "rrf", "sum", "mnz", "max", "min", "med", "anz", "wsum" };
static const char *const norm_names[] = { "none", "minmax", "max", "sum", "zscore", "rank", "borda" };

int lc_fuse_method_from_name(const char *name)
{
	for (int i = 0; i < 8; i++)
		if (!strcmp(name, method_names[i]) || !strcmp(name, method_ranx[i]))
			return i;
	return -1;
}

const char *lc_fuse_method_name(int method)
{
	return method >= 0 && method < 8 ? method_names[method] : "?";
}

int lc_fuse_norm_from_name(const char *name)
{
	for (int i = 0; i < 7; i++)
		if (!strcmp(name, norm_names[i]))
			return i;
	if (!strcmp(name, "min-max") || !strcmp(name, "min_max"))
		return LC_NORM_MINMAX;
	if (!strcmp(name, "zmuv"))
		return LC_NORM_ZSCORE;
	return -1;
}

const char *lc_fuse_norm_name(int norm)
{
	return norm >= 0 && norm < 7 ? norm_names[norm] : "?";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One hit of one run while a query is assembled. */
typedef struct entry {
	const char *docno;
	uint32_t run, pos;
	double score;
} entry;

static int cmp_entry(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->docno, y->docno);
	if (c)
		return c;
	if (x->run != y->run)
		return x->run < y->run ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A candidate in a run's ranking: score descending, candidate (docid) ascending. */
typedef struct ranked {
	double s;
	uint32_t c;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->c < y->c ? -1 : x->c > y->c;
}

int lc_fuse_load(lc_fuse_set *s, const lc_run *runs, size_t nruns, lc_err *e)
{
	memset(s, 0, sizeof *s);
	s->nruns = nruns;
	size_t total = 0;
	for (size_t r = 0; r < nruns; r++)
		total += runs[r].nq;
	if (total == 0)
		return lc_err_set(e, LC_EXIT_INPUT, "no run holds any query: nothing to fuse");
	const char **qids = lc_xmalloc(total * sizeof *qids);
	size_t n = 0;
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].nq; i++)
			qids[n++] = runs[r].q[i].qid;
	qsort(qids, n, sizeof *qids, cmp_str);
	size_t nq = 0;
	for (size_t i = 0; i < n; i++)
		if (nq == 0 || strcmp(qids[nq - 1], qids[i]))
			qids[nq++] = qids[i];
	s->nq = nq;
	s->q = lc_xcalloc(nq, sizeof *s->q);
	entry *ent = NULL;
	size_t cap = 0;
	for (size_t qi = 0; qi < nq; qi++) {
		lc_fuse_q *fq = &s->q[qi];
		fq->qid = qids[qi];
		size_t ql = strlen(fq->qid), ne = 0;
		for (size_t r = 0; r < nruns; r++) {
			long id = lc_strmap_find(&runs[r].qids, fq->qid, ql);
			if (id < 0)
				continue;
			const lc_run_q *rq = &runs[r].q[id];
			if (ne + rq->n > cap) {
				cap = (ne + rq->n) * 2;
				ent = lc_xrealloc(ent, cap * sizeof *ent);
			}
			for (size_t k = 0; k < rq->n; k++)
				ent[ne++] = (entry){ rq->h[k].docno, (uint32_t)r, (uint32_t)k, rq->h[k].score };
		}
		qsort(ent, ne, sizeof *ent, cmp_entry);
		size_t nc = 0;
		for (size_t i = 0; i < ne; i++)
			if (i == 0 || strcmp(ent[i].docno, ent[i - 1].docno))
				nc++;
		fq->ncand = nc;
		fq->cand = lc_arena_alloc(&s->arena, (nc ? nc : 1) * sizeof *fq->cand);
		fq->score = lc_arena_alloc(&s->arena, (nc ? nc : 1) * nruns * sizeof *fq->score);
		for (size_t i = 0; i < nc * nruns; i++)
			fq->score[i] = NAN;
		size_t c = 0;
		for (size_t i = 0; i < ne; i++) {
			if (i > 0 && strcmp(ent[i].docno, ent[i - 1].docno))
				c++;
			fq->cand[c] = ent[i].docno;
			fq->score[c * nruns + ent[i].run] = ent[i].score;   /* a repeat: the last wins */
		}
	}
	free(ent);
	free(qids);
	return 0;
}

/* Run r's candidates of q in ranking order into out; returns how many. */
static size_t run_order(const lc_fuse_set *s, const lc_fuse_q *q, size_t r, ranked *out)
{
	size_t n = 0;
	for (size_t c = 0; c < q->ncand; c++) {
		double v = q->score[c * s->nruns + r];
		if (!isnan(v))
			out[n++] = (ranked){ v, (uint32_t)c };
	}
	qsort(out, n, sizeof *out, cmp_ranked);
	return n;
}

size_t lc_fuse_max_cand(const lc_fuse_set *s)
{
	size_t m = 0;
	for (size_t i = 0; i < s->nq; i++)
		if (s->q[i].ncand > m)
			m = s->q[i].ncand;
	return m;
}

void lc_fuse_ranks(lc_fuse_set *s)
{
	ranked *ord = lc_xmalloc((lc_fuse_max_cand(s) + 1) * sizeof *ord);
	for (size_t qi = 0; qi < s->nq; qi++) {
		lc_fuse_q *q = &s->q[qi];
		q->rank = lc_arena_alloc(&s->arena, (q->ncand ? q->ncand : 1) * s->nruns * sizeof *q->rank);
		for (size_t i = 0; i < q->ncand * s->nruns; i++)
			q->rank[i] = 0;
		for (size_t r = 0; r < s->nruns; r++) {
			size_t n = run_order(s, q, r, ord);
			for (size_t i = 0; i < n; i++)
				q->rank[ord[i].c * s->nruns + r] = (double)(i + 1);
		}
	}
	free(ord);
}

/* Where an intermediate overflows a double, the formula is taken on the
 * scores scaled by a power of two, 2^-e with 2^e above the largest magnitude
 * met: sums, differences and squares then stay near 1, and because scaling by
 * a power of two is exact, every operation rounds as ranx's double arithmetic
 * would with an unbounded exponent.  Only contributions below 2^-1074 of the
 * largest score are lost, which cannot move a sum of that size.  Plain double
 * arithmetic, so the result is the same on every platform (and under
 * valgrind, which has no x87 extended precision).  Used only where ranx's
 * doubles give inf or NaN (or, for zscore, a standard deviation of inf), so
 * every other score stays ranx's. */
static int scale_exp(double biggest)
{
	int e = 0;
	frexp(biggest, &e);   /* biggest < 2^e */
	return e;
}

/* One run's results for one query, normalised as ranx's *_norm.py.  Where
 * ranx's doubles overflow on the way to a bounded result (minmax, sum and
 * zscore of scores near 1e308, zscore's squares from about 1e154), the same
 * formula is taken on scaled scores (scale_exp). */
static void norm_one(lc_fuse_set *s, lc_fuse_q *q, size_t r, int norm, ranked *ord)
{
	size_t n = run_order(s, q, r, ord), R = s->nruns;
	double *col = q->score;
	/* ranx's safe_min/safe_max: 0 for an empty list */
	double mn = n ? ord[n - 1].s : 0, mx = n ? ord[0].s : 0;
	switch (norm) {
	case LC_NORM_MINMAX: {
		double den = fmax(mx - mn, 1e-9);
		if (isfinite(den)) {
			for (size_t i = 0; i < n; i++)
				col[ord[i].c * R + r] = (ord[i].s - mn) / den;
		} else {
			int e = scale_exp(fmax(fabs(mx), fabs(mn)));
			double smn = ldexp(mn, -e), sden = ldexp(mx, -e) - smn;
			for (size_t i = 0; i < n; i++)
				col[ord[i].c * R + r] = (ldexp(ord[i].s, -e) - smn) / sden;
		}
		break;
	}
	case LC_NORM_MAX: {
		double den = fmax(mx, 1e-9);
		for (size_t i = 0; i < n; i++)
			col[ord[i].c * R + r] = ord[i].s / den;   /* not bounded: s / 1e-9 may overflow */
		break;
	}
	case LC_NORM_SUM: {
		double sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += ord[i].s;
		double den = fmax(sum - mn * (double)n, 1e-9);
		if (isfinite(sum) && isfinite(mn * (double)n) && isfinite(den)) {
			for (size_t i = 0; i < n; i++)
				col[ord[i].c * R + r] = (ord[i].s - mn) / den;
		} else {
			int e = scale_exp(fmax(fabs(mx), fabs(mn)));
			double ssum = 0, smn = ldexp(mn, -e);
			for (size_t i = 0; i < n; i++)
				ssum += ldexp(ord[i].s, -e);
			double sden = ssum - smn * (double)n;
			for (size_t i = 0; i < n; i++) {
				double num = ldexp(ord[i].s, -e) - smn;
				/* ranx's floor of 1e-9 is in the scores' own units */
				col[ord[i].c * R + r] = ldexp(sden, e) < 1e-9 ? ldexp(num, e) / 1e-9 : num / sden;
			}
		}
		break;
	}
	case LC_NORM_ZSCORE: {
		/* numba's np.mean and np.std: plain sums in order, population variance */
		double sum = 0, ssd = 0;
		for (size_t i = 0; i < n; i++)
			sum += ord[i].s;
		double mean = sum / (double)n;
		for (size_t i = 0; i < n; i++) {
			double d = ord[i].s - mean;
			ssd += d * d;
		}
		double den = fmax(sqrt(ssd / (double)n), 1e-9);
		if (n == 0 || (isfinite(mean) && isfinite(den))) {
			for (size_t i = 0; i < n; i++)
				col[ord[i].c * R + r] = (ord[i].s - mean) / den;
		} else {
			int e = scale_exp(fmax(fabs(mx), fabs(mn)));
			double ssum = 0, sssd = 0;
			for (size_t i = 0; i < n; i++)
				ssum += ldexp(ord[i].s, -e);
			double smean = ssum / (double)n;
			for (size_t i = 0; i < n; i++) {
				double d = ldexp(ord[i].s, -e) - smean;
				sssd += d * d;
			}
			double sden = sqrt(sssd / (double)n);
			for (size_t i = 0; i < n; i++) {
				double num = ldexp(ord[i].s, -e) - smean;
				col[ord[i].c * R + r] = ldexp(sden, e) < 1e-9 ? ldexp(num, e) / 1e-9 : num / sden;
			}
		}
		break;
	}
	case LC_NORM_RANK:
		for (size_t i = 0; i < n; i++)
			col[ord[i].c * R + r] = 1 - (double)i / (double)n;
		break;
	case LC_NORM_BORDA: {
		double nc = (double)q->ncand;
		double missing = 0.5 - ((double)n - 1) / (2 * nc);
		for (size_t c = 0; c < q->ncand; c++)
			col[c * R + r] = missing;
		for (size_t i = 0; i < n; i++)
			col[ord[i].c * R + r] = 1 - (double)i / nc;
		break;
	}
	}
}

/* The name of run r in messages. */
static const char *run_name(const lc_fuse_set *s, size_t r, char *buf, size_t size)
{
	if (s->names)
		return s->names[r];
	snprintf(buf, size, "run %zu", r + 1);
	return buf;
}

/* "NAME SCORE, NAME SCORE": the (normalised) score of c in every run that has it. */
static void put_scores(lc_buf *b, const lc_fuse_set *s, const lc_fuse_q *q, size_t c)
{
	char num[64], nb[32];
	int any = 0;
	for (size_t r = 0; r < s->nruns; r++) {
		double v = q->score[c * s->nruns + r];
		if (isnan(v))
			continue;
		lc_trec_score(num, sizeof num, v);
		lc_buf_printf(b, "%s%s %s", any ? ", " : "", run_name(s, r, nb, sizeof nb), num);
		any = 1;
	}
}

int lc_fuse_normalize(lc_fuse_set *s, int norm, lc_err *e)
{
	if (norm == LC_NORM_NONE)
		return 0;
	size_t m = lc_fuse_max_cand(s) + 1;
	ranked *ord = lc_xmalloc(m * sizeof *ord);
	double *before = lc_xmalloc(m * sizeof *before);
	int ret = 0;
	for (size_t qi = 0; qi < s->nq && !ret; qi++) {
		lc_fuse_q *q = &s->q[qi];
		for (size_t r = 0; r < s->nruns && !ret; r++) {
			for (size_t c = 0; c < q->ncand; c++)
				before[c] = q->score[c * s->nruns + r];
			norm_one(s, q, r, norm, ord);
			/* a normalised score that is not finite (--norm max's s / 1e-9) would
			 * read as 'absent' (NaN) or beat every score (inf): refuse it */
			for (size_t c = 0; c < q->ncand && !ret; c++) {
				double v = q->score[c * s->nruns + r];
				if (isfinite(v) || (isnan(v) && isnan(before[c])))
					continue;
				char num[64], nb[32];
				lc_trec_score(num, sizeof num, before[c]);
				ret = lc_err_set(e, LC_EXIT_INPUT,
				                 "%s: query '%s', doc '%s': --norm %s turns its score %s into %s, which is not a "
				                 "finite number: use --norm minmax, zscore or rank, or scale the run's scores down",
				                 run_name(s, r, nb, sizeof nb), q->qid, q->cand[c], lc_fuse_norm_name(norm), num,
				                 isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
			}
		}
	}
	free(before);
	free(ord);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The fused score of candidate c of q as ranx computes it.  mv: room for nruns. */
static double fuse_one(const lc_fuse_set *s, const lc_fuse_q *q, size_t c, const lc_fuse_opts *o, double *mv)
{
	size_t R = s->nruns;
	const double *row = q->score + c * R;
	double acc = 0;
	size_t cnt = 0;
	switch (o->method) {
	case LC_FUSE_RRF:
		for (size_t r = 0; r < R; r++) {
			double rk = q->rank[c * R + r];
			acc += rk > 0 ? 1.0 / ((double)o->rrf_k + rk) : 0.0;
		}
		break;
	case LC_FUSE_SUM:
		for (size_t r = 0; r < R; r++)
			acc += isnan(row[r]) ? 0.0 : row[r];
		break;
	case LC_FUSE_WSUM:
		for (size_t r = 0; r < R; r++)
			acc += o->weights[r] * (isnan(row[r]) ? 0.0 : row[r]);
		break;
	case LC_FUSE_MNZ:
	case LC_FUSE_ANZ:
		for (size_t r = 0; r < R; r++)
			if (!isnan(row[r])) {
				acc += row[r];
				cnt++;
			}
		acc = o->method == LC_FUSE_MNZ ? acc * (double)cnt : acc / (double)cnt;
		break;
	case LC_FUSE_MAX:
		/* ranx: max(res.get(doc_id, -1e9) for each run) */
		acc = isnan(row[0]) ? -1e9 : row[0];
		for (size_t r = 1; r < R; r++) {
			double v = isnan(row[r]) ? -1e9 : row[r];
			if (v > acc)
				acc = v;
		}
		break;
	case LC_FUSE_MIN:
		acc = isnan(row[0]) ? 1e9 : row[0];
		for (size_t r = 1; r < R; r++) {
			double v = isnan(row[r]) ? 1e9 : row[r];
			if (v < acc)
				acc = v;
		}
		break;
	case LC_FUSE_MED:
		for (size_t r = 0; r < R; r++)
			if (!isnan(row[r]))
				mv[cnt++] = row[r];
		qsort(mv, cnt, sizeof *mv, cmp_double);
		acc = cnt & 1 ? mv[cnt / 2] : (mv[cnt / 2 - 1] + mv[cnt / 2]) / 2;
		break;
	}
	return acc;
}

/* fuse_one where ranx's doubles overflow on the way (1e308 + 1e308 - 1e308,
 * the mean of 1e308 and 1e308): the same formula on the scores (and weights)
 * scaled by powers of two (scale_exp), scaled back once at the end.  A result
 * beyond the largest double stays inf. */
static double fuse_one_scaled(const lc_fuse_set *s, const lc_fuse_q *q, size_t c, const lc_fuse_opts *o, double *mv)
{
	size_t R = s->nruns;
	const double *row = q->score + c * R;
	double big = 0, wbig = 0;
	for (size_t r = 0; r < R; r++) {
		if (!isnan(row[r]))
			big = fmax(big, fabs(row[r]));
		if (o->method == LC_FUSE_WSUM)
			wbig = fmax(wbig, fabs(o->weights[r]));
	}
	int e = scale_exp(big), ew = o->method == LC_FUSE_WSUM ? scale_exp(wbig) : 0;
	double acc = 0;
	size_t cnt = 0;
	switch (o->method) {
	case LC_FUSE_SUM:
	case LC_FUSE_WSUM:
	case LC_FUSE_MNZ:
	case LC_FUSE_ANZ:
		for (size_t r = 0; r < R; r++)
			if (!isnan(row[r])) {
				double v = ldexp(row[r], -e);
				acc += o->method == LC_FUSE_WSUM ? ldexp(o->weights[r], -ew) * v : v;
				cnt++;
			}
		if (o->method == LC_FUSE_MNZ)
			acc *= (double)cnt;
		else if (o->method == LC_FUSE_ANZ)
			acc /= (double)cnt;
		return ldexp(acc, e + ew);
	case LC_FUSE_MED:
		for (size_t r = 0; r < R; r++)
			if (!isnan(row[r]))
				mv[cnt++] = row[r];
		qsort(mv, cnt, sizeof *mv, cmp_double);
		return cnt & 1 ? mv[cnt / 2] : ldexp((ldexp(mv[cnt / 2 - 1], -e) + ldexp(mv[cnt / 2], -e)) / 2, e);
	}
	return fuse_one(s, q, c, o, mv);
}

void lc_fuse_scores(const lc_fuse_set *s, size_t qi, const lc_fuse_opts *o, double *out)
{
	const lc_fuse_q *q = &s->q[qi];
	size_t R = s->nruns;
	double med[64], *mv = R <= 64 ? med : lc_xmalloc(R * sizeof *mv);
	for (size_t c = 0; c < q->ncand; c++) {
		out[c] = fuse_one(s, q, c, o, mv);
		if (!isfinite(out[c]))
			out[c] = fuse_one_scaled(s, q, c, o, mv);
	}
	if (mv != med)
		free(mv);
}

int lc_fuse_check(const lc_fuse_set *s, const lc_fuse_opts *o, lc_err *e)
{
	double *sc = lc_xmalloc((lc_fuse_max_cand(s) + 1) * sizeof *sc);
	int ret = 0;
	for (size_t qi = 0; qi < s->nq && !ret; qi++) {
		const lc_fuse_q *q = &s->q[qi];
		lc_fuse_scores(s, qi, o, sc);
		for (size_t c = 0; c < q->ncand && !ret; c++) {
			if (isfinite(sc[c]))
				continue;
			lc_buf b = { 0 };
			put_scores(&b, s, q, c);
			ret = lc_err_set(e, LC_EXIT_INPUT,
			                 "query '%s', doc '%s': the %s of its scores (%s) is %s, beyond the largest double "
			                 "(about 1.8e308), so no run format can hold it: %sscale the runs' scores down or "
			                 "normalise them (--norm minmax); nothing was written",
			                 q->qid, q->cand[c], lc_fuse_method_name(o->method), b.p ? b.p : "",
			                 isnan(sc[c]) ? "nan" : sc[c] < 0 ? "-inf" : "inf",
			                 o->method == LC_FUSE_WSUM ? "give smaller --weights, " : "");
			lc_buf_free(&b);
		}
	}
	free(sc);
	return ret;
}

static int cmp_hit_fused(const void *a, const void *b)
{
	const lc_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->docno, y->docno);
}

size_t lc_fuse_rank(const lc_fuse_set *s, size_t qi, const lc_fuse_opts *o, long top,
                    lc_hit *out, double *scratch)
{
	const lc_fuse_q *q = &s->q[qi];
	lc_fuse_scores(s, qi, o, scratch);
	for (size_t c = 0; c < q->ncand; c++)
		out[c] = (lc_hit){ q->cand[c], scratch[c] };
	qsort(out, q->ncand, sizeof *out, cmp_hit_fused);
	return top > 0 && (size_t)top < q->ncand ? (size_t)top : q->ncand;
}

size_t lc_fuse_weight_grid(size_t nruns, double **grid)
{
	size_t total = 1;
	for (size_t i = 0; i < nruns; i++)
		total *= 11;
	size_t n = 0, cap = 16;
	double *g = lc_xmalloc(cap * nruns * sizeof *g);
	unsigned *d = lc_xcalloc(nruns ? nruns : 1, sizeof *d);
	for (size_t t = 0; t < total; t++) {
		/* itertools.product order: the last position changes fastest */
		size_t x = t;
		for (size_t i = nruns; i-- > 0;) {
			d[i] = (unsigned)(x % 11);
			x /= 11;
		}
		unsigned tenths = 0;
		for (size_t i = 0; i < nruns; i++)
			tenths += d[i];
		if (tenths != 10)
			continue;
		if (n == cap) {
			cap *= 2;
			g = lc_xrealloc(g, cap * nruns * sizeof *g);
		}
		for (size_t i = 0; i < nruns; i++)
			g[n * nruns + i] = d[i] / 10.0;   /* round(x, 1): the double nearest to d/10 */
		n++;
	}
	free(d);
	*grid = g;
	return n;
}

void lc_fuse_free(lc_fuse_set *s)
{
	free(s->q);
	lc_arena_free(&s->arena);
	memset(s, 0, sizeof *s);
}
