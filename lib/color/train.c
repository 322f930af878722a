/*
 * train — Adam on length-weighted ORPO for the extractive compressor (train.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "orpo.h"
#include "rng.h"
#include "train.h"

void lc_train_pair_free(lc_train_pair *p)
{
	lc_cunits_free(&p->u);
	free(p->mc);
	free(p->mr);
	p->mc = p->mr = NULL;
}

void lc_train_defaults(lc_train_opts *o)
{
	*o = (lc_train_opts){ .beta = 2.5, .c = 0.1, .lr = 0.05, .l2 = 1e-4, .val = 0.1,
	                      .epochs = 30, .batch = 16, .seed = 0, .average = 1 };
}

int lc_train_is_val(const char *key, long seed, double frac)
{
	/* one draw of the seed's stream for this key: uniform in [0, 1) */
	lc_rng r;
	lc_rng_seed2(&r, (uint64_t)seed, lc_hash_bytes(key, strlen(key)));
	return (double)(lc_rng_next(&r) >> 11) * 0x1p-53 < frac;
}

/* Fisher-Yates over the training pairs' indices. */
static void shuffle(size_t *order, size_t n, lc_rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)lc_rng_below(r, i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* Adam's state: first and second moments, the step count. */
typedef struct {
	double mom[LC_NFEAT], vel[LC_NFEAT];
	long step;
} adam;

static void adam_step(adam *a, double *w, const double *g, double lr, double l2)
{
	const double b1 = 0.9, b2 = 0.999;
	a->step++;
	for (int i = 0; i < LC_NFEAT; i++) {
		double gi = g[i] + l2 * w[i];
		a->mom[i] = b1 * a->mom[i] + (1 - b1) * gi;
		a->vel[i] = b2 * a->vel[i] + (1 - b2) * gi * gi;
		double mh = a->mom[i] / (1 - pow(b1, (double)a->step)), vh = a->vel[i] / (1 - pow(b2, (double)a->step));
		w[i] -= lr * mh / (sqrt(vh) + 1e-8);
	}
}

/* One pass over the training pairs in order; adds the loss to *loss and the
 * pairs preferred right to *right. */
static void train_epoch(lc_cmodel *m, const lc_train_pair *P, const size_t *order, size_t ntrain,
                        const lc_train_opts *o, adam *a, double *loss, size_t *right)
{
	for (size_t b0 = 0; b0 < ntrain; b0 += (size_t)o->batch) {
		double g[LC_NFEAT] = {0};
		size_t b1n = b0 + (size_t)o->batch < ntrain ? b0 + (size_t)o->batch : ntrain;
		double inv = 1.0 / (double)(b1n - b0);
		for (size_t k = b0; k < b1n; k++) {
			const lc_train_pair *q = &P[order[k]];
			double pc = lc_cmodel_logprob(m, &q->u, q->mc, NULL, 0);
			double pr = lc_cmodel_logprob(m, &q->u, q->mr, NULL, 0);
			double dc, dr;
			*loss += lc_orpo(pc, pr, q->lc, q->lr, o->beta, o->c, &dc, &dr, NULL);
			*right += pc > pr;
			/* minimise: the gradient of the loss */
			lc_cmodel_logprob(m, &q->u, q->mc, g, dc * inv);
			lc_cmodel_logprob(m, &q->u, q->mr, g, dr * inv);
		}
		adam_step(a, m->w, g, o->lr, o->l2);
	}
}

/* Loss and right preferences over the validation pairs. */
static void validate(const lc_cmodel *m, const lc_train_pair *P, size_t n, const lc_train_opts *o,
                     double *loss, size_t *right)
{
	for (size_t i = 0; i < n; i++)
		if (P[i].val) {
			double pc = lc_cmodel_logprob(m, &P[i].u, P[i].mc, NULL, 0);
			double pr = lc_cmodel_logprob(m, &P[i].u, P[i].mr, NULL, 0);
			*loss += lc_orpo(pc, pr, P[i].lc, P[i].lr, o->beta, o->c, NULL, NULL, NULL);
			*right += pc > pr;
		}
}

/* Preference accuracy of the final weights on both sides of the split. */
static void accuracy(const lc_cmodel *m, const lc_train_pair *P, size_t n, lc_train_result *res)
{
	size_t tr = 0, vr = 0;
	for (size_t i = 0; i < n; i++) {
		int right = lc_cmodel_logprob(m, &P[i].u, P[i].mc, NULL, 0) > lc_cmodel_logprob(m, &P[i].u, P[i].mr, NULL, 0);
		if (P[i].val)
			vr += (size_t)right;
		else
			tr += (size_t)right;
	}
	res->train_acc = (double)tr / (double)res->ntrain;
	res->val_acc = res->nval ? (double)vr / (double)res->nval : 0;
}

int lc_train(lc_cmodel *m, const lc_train_pair *P, size_t n, const lc_train_opts *o,
             lc_train_epoch_fn on_epoch, void *arg, lc_train_result *res, lc_err *e)
{
	*res = (lc_train_result){ .loss = NAN, .val_loss = NAN };
	for (size_t i = 0; i < n; i++)
		if (P[i].val)
			res->nval++;
		else
			res->ntrain++;
	if (!res->ntrain)
		return lc_err_set(e, LC_EXIT_INPUT, "no training pairs (%zu validation pairs)", res->nval);
	size_t *order = lc_xmalloc(res->ntrain * sizeof *order);
	double w0[LC_NFEAT], wsum[LC_NFEAT] = {0};
	memcpy(w0, m->w, sizeof w0);
	for (long run = 0; run < o->average; run++) {
		for (size_t i = 0, k = 0; i < n; i++)
			if (!P[i].val)
				order[k++] = i;
		memcpy(m->w, w0, sizeof w0);
		adam a = {0};
		lc_rng rng;   /* run r shuffles as a single run with seed + r does */
		lc_rng_seed(&rng, (uint64_t)o->seed + (uint64_t)run);   /* unsigned: --seed may be 2^63-1 */
		for (long ep = 1; ep <= o->epochs; ep++) {
			shuffle(order, res->ntrain, &rng);
			double tl = 0, vl = 0;
			size_t right = 0, vr = 0;
			train_epoch(m, P, order, res->ntrain, o, &a, &tl, &right);
			validate(m, P, n, o, &vl, &vr);
			lc_train_epoch ev = { .run = run + 1, .epoch = ep, .ntrain = res->ntrain, .nval = res->nval,
			                      .loss = tl / (double)res->ntrain,
			                      .train_acc = (double)right / (double)res->ntrain,
			                      .val_loss = res->nval ? vl / (double)res->nval : NAN,
			                      .val_acc = res->nval ? (double)vr / (double)res->nval : 0 };
			res->loss = ev.loss;
			res->val_loss = ev.val_loss;
			res->train_acc = ev.train_acc;
			res->val_acc = ev.val_acc;
			if (on_epoch)
				on_epoch(&ev, arg);
		}
		for (int i = 0; i < LC_NFEAT; i++)
			wsum[i] += m->w[i];
	}
	if (o->average > 1) {
		for (int i = 0; i < LC_NFEAT; i++)
			m->w[i] = wsum[i] / (double)o->average;
		accuracy(m, P, n, res);
	}
	free(order);
	return 0;
}
