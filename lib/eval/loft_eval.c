/*
 * loft_eval — LOFT retrieval metrics per (query line, turn), numpy-exact means,
 * and LOFT's own JSON and JSONL files.  See loft_eval.h.
 */
#include "loft_eval.h"
#include "buf.h"
#include "json.h"

#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const famname[LC_LOFT_NFAM] = { "recall", "mrecall", "capped_recall", "precision", "f1" };

static void sel_put(lc_loft_sel *s, int fam, long k)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].family == fam && s->m[i].k == k)
			return;
	s->m = lc_xrealloc(s->m, (s->n + 1) * sizeof *s->m);
	size_t at = s->n;
	while (at > 0 && (s->m[at - 1].family > fam || (s->m[at - 1].family == fam && s->m[at - 1].k > k)))
		at--;
	memmove(&s->m[at + 1], &s->m[at], (s->n - at) * sizeof *s->m);
	s->m[at].family = fam;
	s->m[at].k = k;
	snprintf(s->m[at].name, sizeof s->m[at].name, "%s@%ld", famname[fam], k);
	s->n++;
}

int lc_loft_sel_add(lc_loft_sel *s, const char *arg, lc_err *e)
{
	static const long ks[] = { 1, 2, 3, 5 };
	if (!strcmp(arg, "loft")) {
		for (int f = 0; f < LC_LOFT_NFAM; f++) {
			if (f == LC_LOFT_CAPPED) {
				sel_put(s, f, 1);
				continue;
			}
			for (int i = 0; i < 4; i++)
				sel_put(s, f, ks[i]);
		}
		return 0;
	}
	const char *at = strchr(arg, '@');
	int fam = -1;
	for (int f = 0; f < LC_LOFT_NFAM && at; f++)
		if (strlen(famname[f]) == (size_t)(at - arg) && !strncmp(arg, famname[f], (size_t)(at - arg)))
			fam = f;
	if (fam < 0)
		return lc_err_set(e, 2, "unknown LOFT measure '%s' (loft, recall@K, mrecall@K, capped_recall@K, precision@K, f1@K)", arg);
	const char *p = at + 1;
	for (;;) {
		char *end;
		long k = strtol(p, &end, 10);
		if (end == p || k <= 0 || (*end && *end != ','))
			return lc_err_set(e, 2, "LOFT measure '%s': k must be a list of positive integers", arg);
		sel_put(s, fam, k);
		if (!*end)
			break;
		p = end + 1;
	}
	return 0;
}

void lc_loft_sel_free(lc_loft_sel *s)
{
	free(s->m);
	memset(s, 0, sizeof *s);
}

/* numpy's pairwise summation (PW_BLOCKSIZE 128, 8 accumulators). */
static double pairwise(const double *a, size_t n)
{
	if (n < 8) {
		double res = -0.0;
		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8];
		for (int j = 0; j < 8; j++)
			r[j] = a[j];
		size_t i;
		for (i = 8; i < n - (n % 8); i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += a[i + j];
		double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

double lc_numpy_mean(const double *a, size_t n)
{
	if (n == 0)
		return 0.0;
	return pairwise(a, n) / (double)n;
}

/* Evaluates one line: gold ids g[0..ng), predictions p[0..np). */
static void eval_line(const lc_loft_sel *s, const char *const *g, size_t ng, const char *const *p, size_t np,
                      double *v, unsigned char *isint)
{
	if (np == 0) {
		for (size_t i = 0; i < s->n; i++) {
			v[i] = 0.0;
			isint[i] = 1;
		}
		return;
	}
	/* distinct gold */
	for (size_t i = 0; i < s->n; i++) {
		long k = s->m[i].k;
		size_t top = (size_t)k < np ? (size_t)k : np;
		/* hits = |set(p[:k]) & set(g)| */
		size_t hits = 0;
		for (size_t a = 0; a < top; a++) {
			int seen = 0;
			for (size_t b = 0; b < a && !seen; b++)
				if (!strcmp(p[a], p[b]))
					seen = 1;
			if (seen)
				continue;
			for (size_t b = 0; b < ng; b++)
				if (!strcmp(p[a], g[b])) {
					hits++;
					break;
				}
		}
		double h = (double)hits;
		double lg = (double)ng;
		double rec = ng ? h / lg : 0.0;
		double prec = h / (double)k;
		isint[i] = 0;
		switch (s->m[i].family) {
		case LC_LOFT_RECALL: v[i] = rec; break;
		case LC_LOFT_MRECALL: v[i] = hits == ((size_t)k < ng ? (size_t)k : ng) ? 1.0 : 0.0; break;
		case LC_LOFT_CAPPED: {
			size_t d = (size_t)k < ng ? (size_t)k : ng;
			v[i] = d ? h / (double)d : 0.0;
			break;
		}
		case LC_LOFT_PRECISION: v[i] = prec; break;
		case LC_LOFT_F1:
			if (prec + rec == 0) {
				v[i] = 0.0;
				isint[i] = 1;
			} else
				v[i] = 2 * prec * rec / (prec + rec);
			break;
		}
	}
}

typedef struct {
	const char **s;
	size_t n, cap;
} ptrlist;

static void pl_push(ptrlist *l, const char *s)
{
	if (l->n == l->cap)
		l->s = lc_xrealloc(l->s, (l->cap = l->cap ? 2 * l->cap : 16) * sizeof *l->s);
	l->s[l->n++] = s;
}

/* Python's str.strip(): white space as str.isspace() defines it (UTF-8). */
static void py_strip(const char **s, size_t *n)
{
	static const char *const ws[] = { "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
	                                  "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
	                                  "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
	                                  "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80", NULL };
	for (int again = 1; again;) {
		again = 0;
		if (*n && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", (*s)[0])) {
			(*s)++, (*n)--, again = 1;
			continue;
		}
		for (int k = 0; ws[k]; k++) {
			size_t l = strlen(ws[k]);
			if (*n >= l && !memcmp(*s, ws[k], l)) {
				*s += l, *n -= l, again = 1;
				break;
			}
		}
	}
	for (int again = 1; again;) {
		again = 0;
		if (*n && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", (*s)[*n - 1])) {
			(*n)--, again = 1;
			continue;
		}
		for (int k = 0; ws[k]; k++) {
			size_t l = strlen(ws[k]);
			if (*n >= l && !memcmp(*s + *n - l, ws[k], l)) {
				*n -= l, again = 1;
				break;
			}
		}
	}
}

int lc_loft_dedup_load(lc_loft_dedup *d, const char *path, lc_err *e)
{
	memset(d, 0, sizeof *d);
	lc_input *in = lc_input_open_default(path, NULL, LC_DATASET_CORPUS, NULL, e);
	if (!in)
		return -1;
	lc_buf idb = { 0 }, tb = { 0 };
	json_t *o;
	int rr, ret = 0;
	while ((rr = lc_json_next_object(in, &o, e)) == 1) {
		const char *where = lc_input_where(in);
		json_t *pid = json_object_get(o, "pid"), *t = json_object_get(o, "title_text"),
		       *x = json_object_get(o, "passage_text");
		if (!pid && !t && !x) {   /* a BEIR corpus line: _id, title, text */
			pid = json_object_get(o, "_id");
			t = json_object_get(o, "title");
			x = json_object_get(o, "text");
		}
		const char *p = pid ? lc_json_id(pid, &idb, "pid", where, e) : NULL;
		if (!p || !json_is_string(t) || !json_is_string(x)) {
			if (p || !pid)
				lc_err_set(e, LC_EXIT_INPUT, "%s: --deduplicate-pids needs LOFT corpus lines with string 'pid', "
				           "'title_text' and 'passage_text' (or BEIR's '_id', 'title' and 'text')", where);
			json_decref(o);
			ret = -1;
			break;
		}
		const char *a = json_string_value(t), *b = json_string_value(x);
		size_t an = json_string_length(t), bn = json_string_length(x);
		py_strip(&a, &an);
		py_strip(&b, &bn);
		lc_buf_reset(&tb);
		lc_buf_add(&tb, a, an);
		lc_buf_add(&tb, b, bn);
		int is_new = 0;
		uint32_t id = lc_strmap_intern(&d->pids, p, strlen(p), &is_new);
		if (is_new) {
			d->text = lc_xrealloc(d->text, (d->n + 1) * sizeof *d->text);
			d->text[d->n++] = NULL;
		}
		free(d->text[id]);   /* a repeated pid: the last line wins (a Python dict) */
		d->text[id] = lc_xstrndup(tb.p ? tb.p : "", tb.len);
		json_decref(o);
	}
	if (rr < 0)
		ret = -1;
	lc_buf_free(&idb);
	lc_buf_free(&tb);
	lc_input_close(in);
	if (ret < 0)
		lc_loft_dedup_free(d);
	return ret;
}

void lc_loft_dedup_free(lc_loft_dedup *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->text[i]);
	free(d->text);
	lc_strmap_free(&d->pids);
	memset(d, 0, sizeof *d);
}

const char *lc_loft_dedup_text(const lc_loft_dedup *d, const char *id)
{
	long i = lc_strmap_find(&d->pids, id, strlen(id));
	return i >= 0 ? d->text[i] : NULL;
}

typedef struct {
	double rank;
	size_t at;
} rank_at;

static int cmp_rank(const void *a, const void *b)
{
	const rank_at *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

void lc_loft_evaluate(const lc_loft_sel *s, const lc_qrels *qr, const lc_run *run, long rel_level, lc_loft_result *res)
{
	memset(res, 0, sizeof *res);
	size_t cap = 0, nm = s->n;
	ptrlist gold = { 0 }, pred = { 0 }, dg = { 0 };
	lc_hit *tmp = NULL;
	rank_at *ord = NULL;
	size_t tmpcap = 0;
	for (size_t ri = 0; ri < qr->nrecs; ri++) {
		const lc_qrels_rec *rec = &qr->recs[ri];
		const lc_qrels_q *qq = &qr->q[rec->q];
		gold.n = 0;
		for (uint32_t k = 0; k < rec->n; k++) {
			const lc_judg *j = &qq->j[rec->start + k];
			if (qr->format == LC_QRELS_LOFT || j->rel >= rel_level)
				pl_push(&gold, j->docno);
		}
		long pi = lc_strmap_find(&run->qids, qq->qid, strlen(qq->qid));
		const lc_run_q *pq = pi >= 0 ? &run->q[pi] : NULL;
		int unanswered = !pq || pq->unanswered;
		uint32_t nturns = unanswered ? 1 : pq->num_turns;
		if (nturns == 0)
			nturns = 1;
		if (unanswered) {
			res->unanswered = lc_xrealloc(res->unanswered, (res->nunanswered + 1) * sizeof *res->unanswered);
			res->unanswered[res->nunanswered++] = qq->qid;
		}
		const lc_hit *h = NULL;
		size_t nh = 0;
		if (!unanswered) {
			h = pq->h;
			nh = pq->n;
			if (pq->rank && nh > 1) {
				/* a TREC run: rank column, then file order (never the scores) */
				if (nh > tmpcap) {
					tmpcap = nh;
					tmp = lc_xrealloc(tmp, tmpcap * sizeof *tmp);
					ord = lc_xrealloc(ord, tmpcap * sizeof *ord);
				}
				for (size_t k = 0; k < nh; k++) {
					ord[k].rank = pq->rank[k];
					ord[k].at = k;
				}
				qsort(ord, nh, sizeof *ord, cmp_rank);
				for (size_t k = 0; k < nh; k++)
					tmp[k] = h[ord[k].at];
				h = tmp;
			}
		}
		for (uint32_t t = 0; t < nturns; t++) {
			if (res->nlines == cap) {
				cap = cap ? 2 * cap : 64;
				res->qid = lc_xrealloc(res->qid, cap * sizeof *res->qid);
				res->turn = lc_xrealloc(res->turn, cap * sizeof *res->turn);
				res->v = lc_xrealloc(res->v, cap * (nm + 1) * sizeof *res->v);
				res->isint = lc_xrealloc(res->isint, cap * (nm + 1));
			}
			pred.n = 0;
			if (!unanswered) {
				size_t a = 0, z = nh;
				if (pq->turn_start) {
					a = t < pq->ntstart ? pq->turn_start[t] : nh;
					z = t < pq->ntstart ? pq->turn_start[t + 1] : nh;
				}
				for (size_t k = a; k < z; k++)
					pl_push(&pred, h[k].docno);
			}
			const char *const *g = gold.s;
			size_t ng = gold.n;
			if (nturns > 1) {
				g = t < gold.n ? &gold.s[t] : NULL;
				ng = t < gold.n ? 1 : 0;
			}
			if (s->dedup && !unanswered) {
				/* LOFT's --deduplicate_pids: compare passage texts (unknown ids: lceval refused them) */
				dg.n = 0;
				for (size_t k = 0; k < ng; k++) {
					const char *x = lc_loft_dedup_text(s->dedup, g[k]);
					pl_push(&dg, x ? x : g[k]);
				}
				g = dg.s;
				for (size_t k = 0; k < pred.n; k++) {
					const char *x = lc_loft_dedup_text(s->dedup, pred.s[k]);
					if (x)
						pred.s[k] = x;
				}
			}
			size_t L = res->nlines++;
			res->qid[L] = qq->qid;
			res->turn[L] = t;
			eval_line(s, g, ng, pred.s, pred.n, res->v + L * nm, res->isint + L * nm);
		}
	}
	res->mean = lc_xcalloc(nm + 1, sizeof *res->mean);
	double *col = lc_xmalloc((res->nlines + 1) * sizeof *col);
	for (size_t i = 0; i < nm; i++) {
		for (size_t L = 0; L < res->nlines; L++)
			col[L] = res->v[L * nm + i];
		res->mean[i] = lc_numpy_mean(col, res->nlines);
	}
	free(col);
	free(gold.s);
	free(pred.s);
	free(dg.s);
	free(tmp);
	free(ord);
}

void lc_loft_result_free(lc_loft_result *res)
{
	free(res->qid);
	free(res->turn);
	free(res->v);
	free(res->isint);
	free(res->mean);
	free(res->unanswered);
	memset(res, 0, sizeof *res);
}

void lc_loft_put_value(lc_buf *b, double v, int isint)
{
	char tmp[64];
	if (isint) {
		lc_buf_adds(b, "0");
		return;
	}
	lc_py_repr_double(tmp, sizeof tmp, v);
	lc_buf_adds(b, tmp);
}

void lc_loft_print_json(const lc_loft_sel *s, const lc_loft_result *res, lc_output *out)
{
	lc_buf b = { 0 };
	lc_buf_adds(&b, "{\n    \"quality\": {");
	for (size_t i = 0; i < s->n; i++) {
		lc_buf_adds(&b, i ? ",\n        " : "\n        ");
		lc_json_quote(&b, s->m[i].name, strlen(s->m[i].name));
		lc_buf_adds(&b, ": ");
		lc_loft_put_value(&b, res->mean[i], res->nlines == 0);
	}
	lc_buf_printf(&b, "%s},\n    \"num_unanswered_queries\": %zu\n}\n", s->n ? "\n    " : "", res->nunanswered);
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
}

void lc_loft_print_jsonl(const lc_loft_sel *s, const lc_loft_result *res, lc_output *out)
{
	lc_buf b = { 0 };
	for (size_t L = 0; L < res->nlines; L++) {
		lc_buf_reset(&b);
		lc_buf_adds(&b, "{\"qid\": ");
		lc_json_quote(&b, res->qid[L], strlen(res->qid[L]));
		lc_buf_printf(&b, ", \"turn_id\": \"%u\"", res->turn[L]);
		for (size_t i = 0; i < s->n; i++) {
			lc_buf_adds(&b, ", ");
			lc_json_quote(&b, s->m[i].name, strlen(s->m[i].name));
			lc_buf_adds(&b, ": ");
			lc_loft_put_value(&b, res->v[L * s->n + i], res->isint[L * s->n + i]);
		}
		lc_buf_adds(&b, "}\n");
		lc_output_write(out, b.p, b.len);
	}
	lc_buf_free(&b);
}
