/* Unit tests for lib/color/train and lib/color/calibrate: the first Adam step
 * against a hand computation of ORPO's gradient, learning a preference,
 * determinism, --average as the mean of the single runs, the validation split,
 * no training pairs; the calibrated threshold against a count of the words it
 * keeps, and its edge cases. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "compress.h"
#include "orpo.h"
#include "tap.h"
#include "train.h"

static const char *texts[] = {
	"Quantum dots are tiny semiconductor particles. They glow under ultraviolet light. "
	"The dots were discovered in 1981 by Alexei Ekimov. They are used in displays, e.g. televisions.",
	"Televisions are used in homes. The light is bright. Many homes have two of them.",
	"Particles are small. They are everywhere. Physicists study them in large accelerators.",
	"The river floods every spring. Farmers plant rice after the water recedes. The soil is rich.",
	"Ekimov worked in Leningrad. He studied glass with tiny crystals inside. The colours changed with size.",
	"One sentence only here",
};
enum { NT = sizeof texts / sizeof *texts };

/* Pair i: the passage's first sentence chosen, the whole passage rejected. */
static void make_pair(lc_train_pair *q, lc_cctx *cx, const char *text)
{
	memset(q, 0, sizeof *q);
	lc_cunits_build(&q->u, cx, NULL, text);
	const char *dot = strchr(text, '.');
	char first[256];
	size_t k = dot ? (size_t)(dot - text + 1) : strlen(text);
	memcpy(first, text, k);
	first[k] = 0;
	q->mc = malloc(q->u.n);
	q->mr = malloc(q->u.n);
	lc_cunits_project(&q->u, cx, text, first, q->mc);
	lc_cunits_project(&q->u, cx, text, text, q->mr);
	q->lc = 6;
	q->lr = 20;
}

static int epochs_seen;
static double first_loss, last_loss;
static void count_epoch(const lc_train_epoch *ev, void *arg)
{
	if (epochs_seen++ == 0)
		first_loss = ev->loss;
	last_loss = ev->loss;
	(void)arg;
}

int main(void)
{
	lc_cctx *cx = lc_cctx_new();
	for (int i = 0; i < NT; i++)
		lc_cctx_add(cx, NULL, texts[i]);
	lc_train_pair P[NT - 1];
	for (int i = 0; i < NT - 1; i++)
		make_pair(&P[i], cx, texts[i]);
	lc_train_opts o;
	lc_train_defaults(&o);
	ok(o.beta == 2.5 && o.c == 0.1 && o.lr == 0.05 && o.l2 == 1e-4 && o.epochs == 30 && o.batch == 16 &&
	   o.average == 1 && o.val == 0.1, "defaults are CoLoR's and lctrain(1)'s");

	/* one Adam step on one pair: each weight moves by -lr * g / (|g| + 1e-8),
	 * g = ORPO's gradient through the model plus the L2 term */
	lc_cmodel m;
	lc_cmodel_init(&m);
	double w0[LC_NFEAT], g[LC_NFEAT] = {0};
	memcpy(w0, m.w, sizeof w0);
	double pc = lc_cmodel_logprob(&m, &P[0].u, P[0].mc, NULL, 0), pr = lc_cmodel_logprob(&m, &P[0].u, P[0].mr, NULL, 0);
	double dc, dr;
	lc_orpo(pc, pr, P[0].lc, P[0].lr, o.beta, o.c, &dc, &dr, NULL);
	lc_cmodel_logprob(&m, &P[0].u, P[0].mc, g, dc);
	lc_cmodel_logprob(&m, &P[0].u, P[0].mr, g, dr);
	o.epochs = 1;
	lc_train_result res;
	lc_err e = {0};
	ok(lc_train(&m, P, 1, &o, NULL, NULL, &res, &e) == 0 && res.ntrain == 1 && res.nval == 0, "one pair, one step");
	double worst = 0;
	for (int i = 0; i < LC_NFEAT; i++) {
		double gi = g[i] + o.l2 * w0[i];
		/* the bias-corrected moments of step 1 are g and g^2 */
		double want = w0[i] - o.lr * gi / (fabs(gi) + 1e-8);
		double err = fabs(m.w[i] - want);
		if (err > worst)
			worst = err;
	}
	ok(worst < 1e-9, "the first Adam step is -lr * sign(g) (worst error %.2g)", worst);

	/* learns the preference, loss falls, one callback per epoch and run */
	lc_cmodel_init(&m);
	o.epochs = 40;
	o.batch = 2;
	o.val = 0;
	epochs_seen = 0;
	ok(lc_train(&m, P, NT - 1, &o, count_epoch, NULL, &res, &e) == 0, "trains");
	ok(epochs_seen == 40 && last_loss < first_loss, "40 epochs reported, loss %.4f -> %.4f", first_loss, last_loss);
	ok(res.train_acc == 1.0 && res.loss == last_loss, "chosen preferred on every pair after training");
	double wa[LC_NFEAT];
	memcpy(wa, m.w, sizeof wa);
	lc_cmodel_init(&m);
	lc_train(&m, P, NT - 1, &o, NULL, NULL, &res, &e);
	ok(!memcmp(wa, m.w, sizeof wa), "same pairs, settings and seed: the same weights bit for bit");
	lc_cmodel_init(&m);
	o.seed = 1;
	lc_train(&m, P, NT - 1, &o, NULL, NULL, &res, &e);
	ok(memcmp(wa, m.w, sizeof wa) != 0, "another seed, other weights (another order)");

	/* --average 2 from seed 0 = the mean of seed 0's and seed 1's weights */
	double wb[LC_NFEAT];
	memcpy(wb, m.w, sizeof wb);
	lc_cmodel_init(&m);
	o.seed = 0;
	o.average = 2;
	epochs_seen = 0;
	lc_train(&m, P, NT - 1, &o, count_epoch, NULL, &res, &e);
	worst = 0;
	for (int i = 0; i < LC_NFEAT; i++)
		worst = fmax(worst, fabs(m.w[i] - (wa[i] + wb[i]) / 2));
	ok(worst < 1e-12 && epochs_seen == 80, "average of 2 runs is the mean of seeds 0 and 1 (error %.2g)", worst);
	o.average = 1;

	/* the validation split: by key, about the share asked, none at 0 */
	char key[32];
	int nv = 0, again = 1;
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "doc%d", i);
		nv += lc_train_is_val(key, 0, 0.1);
		again &= lc_train_is_val(key, 0, 0.1) == lc_train_is_val(key, 0, 0.1);
		again &= !lc_train_is_val(key, 5, 0);
	}
	ok(nv > 900 && nv < 1100 && again, "validation share 0.1 of 10000 keys: %d, stable, none at 0", nv);
	for (int i = 0; i < NT - 1; i++)
		P[i].val = i < 2;
	lc_cmodel_init(&m);
	o.epochs = 2;
	lc_train(&m, P, NT - 1, &o, NULL, NULL, &res, &e);
	ok(res.ntrain == 3 && res.nval == 2 && !isnan(res.val_loss), "validation pairs are counted apart and scored");
	for (int i = 0; i < NT - 1; i++)
		P[i].val = 1;
	ok(lc_train(&m, P, NT - 1, &o, NULL, NULL, &res, &e) == -1 && e.code == LC_EXIT_INPUT &&
	   strstr(e.msg, "no training pairs"), "no training pairs: an error, not a crash (%s)", e.msg);

	/* calibration: the threshold keeps about 1/R of the words */
	lc_cmodel_init(&m);
	memcpy(m.w, wa, sizeof wa);
	m.length_bias = 0.5;
	lc_cunits u = {0};
	for (double R = 1.5; R <= 4; R += 1.25) {
		lc_calib c = {0};
		for (int i = 0; i < NT; i++) {
			lc_cunits_build(&u, cx, NULL, texts[i]);
			lc_calib_add(&c, &m, &u);
		}
		double thr = lc_calib_threshold(&c, &m, R), mean_log = c.sum_log / (double)c.npass;
		size_t kept = 0, total = 0;
		double p[64];
		for (int i = 0; i < NT; i++) {
			lc_cunits_build(&u, cx, NULL, texts[i]);
			total += u.n;
			if (u.nsent <= 1) {
				kept += u.n;
				continue;
			}
			lc_cmodel_probs(&m, &u, p);
			double t = lc_cmodel_passage_threshold(&m, thr, u.n, mean_log);
			for (size_t k = 0; k < u.n; k++)
				kept += p[k] >= t;
		}
		double want = (double)total / R;
		ok(fabs((double)kept - want) <= 2, "ratio %.2f: threshold %.4f keeps %zu of %zu words (want %.1f)",
		   R, thr, kept, total, want);
		lc_calib_free(&c);
	}
	lc_calib c = {0};
	lc_cunits_build(&u, cx, NULL, texts[NT - 1]);
	lc_calib_add(&c, &m, &u);
	m.threshold = 0.25;
	ok(lc_calib_threshold(&c, &m, 2) == 0.25, "only one-sentence passages: the threshold stays");
	lc_calib_free(&c);
	lc_cunits_build(&u, cx, NULL, texts[NT - 1]);
	for (int i = 0; i < 30; i++)
		lc_calib_add(&c, &m, &u);
	lc_cunits_build(&u, cx, NULL, texts[0]);
	lc_calib_add(&c, &m, &u);
	ok(lc_calib_threshold(&c, &m, 2) == 1, "whole passages already reach the budget: threshold 1");
	lc_calib_free(&c);
	lc_cunits_free(&u);

	for (int i = 0; i < NT - 1; i++)
		lc_train_pair_free(&P[i]);
	lc_cmodel_free(&m);
	lc_cctx_free(cx);
	return done_testing();
}
