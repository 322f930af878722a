/*
 * zscore — the means and standard deviations of trec_eval's -Z file, sorted by
 * topic then measure (strcmp) and found by binary search.  See zscore.h.
 */
#include "zscore.h"
#include "arena.h"
#include "input.h"
#include "trecid.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	char *qid, *meas;        /* in the table's arena */
	double mean, stddev;
	size_t line;             /* file order: the first of two equal keys wins */
} zline;

struct lc_zscores {
	zline *l;
	size_t n;
	lc_arena arena;          /* the qids' and measures' copies */
};

static int cmp_key(const char *qa, const char *ma, const zline *b)
{
	int r = strcmp(qa, b->qid);
	return r ? r : strcmp(ma, b->meas);
}

static int cmp_line(const void *a, const void *b)
{
	const zline *x = a, *y = b;
	int r = cmp_key(x->qid, x->meas, y);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

lc_zscores *lc_zscores_read(const char *path, lc_err *e)
{
	lc_err ie = { 0 };
	lc_input *in = lc_input_open(path, NULL, &ie);
	if (!in) {
		lc_err_set(e, 255, "trec_eval.get_zscores: Cannot read zscores file '%s'", path);
		return NULL;
	}
	lc_zscores *z = lc_xcalloc(1, sizeof *z);
	size_t cap = 0;
	char *line;
	size_t len;
	int r;
	while ((r = lc_input_getline(in, &line, &len, &ie)) > 0) {
		if (z->n == cap) {
			cap = cap ? cap * 2 : 64;
			z->l = lc_xrealloc(z->l, cap * sizeof *z->l);
		}
		const char *f[5];
		size_t fl[5];
		/* trec_eval's C strings end at a NUL byte */
		if (lc_trec_fields(line, strnlen(line, len), f, fl, 5) != 4) {
			z->n++;
			lc_err_set(e, 255, "trec_eval.get_zscores: Malformed line %zu", z->n);
			goto fail;
		}
		z->l[z->n] = (zline){ lc_arena_strndup(&z->arena, f[0], fl[0]), lc_arena_strndup(&z->arena, f[1], fl[1]),
		                      lc_trec_atof(f[2], fl[2]), lc_trec_atof(f[3], fl[3]), z->n };
		z->n++;
	}
	if (r < 0 || z->n == 0) {
		lc_err_set(e, 255, "trec_eval.get_zscores: Cannot read zscores file '%s'", path);
		goto fail;
	}
	lc_input_close(in);
	qsort(z->l, z->n, sizeof *z->l, cmp_line);
	return z;
fail:
	lc_input_close(in);
	lc_zscores_free(z);
	return NULL;
}

void lc_zscores_free(lc_zscores *z)
{
	if (!z)
		return;
	lc_arena_free(&z->arena);
	free(z->l);
	free(z);
}

double lc_zscore(const lc_zscores *z, const char *qid, const char *meas, double value)
{
	/* the first line with key >= (qid, meas) */
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(qid, meas, &z->l[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == z->n || cmp_key(qid, meas, &z->l[lo]))
		return LC_ZSCORE_MISSING;
	const zline *l = &z->l[lo];
	if (l->stddev)
		return (value - l->mean) / l->stddev;
	return value == l->mean ? 0.0 : LC_ZSCORE_MISSING;
}
