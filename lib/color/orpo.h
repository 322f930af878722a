/*
 * orpo — the preference loss CoLoR trains its compressor with: ORPO (Hong et al.,
 * EMNLP 2024, "ORPO: Monolithic Preference Optimization without Reference Model")
 * with CoLoR's length weight on the odds-ratio term (Seo et al., ACL 2025; c = 0.1
 * and beta = 2.5 there).
 *
 * For a chosen candidate c and a rejected r of the same passage, with lp = the
 * mean per-token log-probability the model gives each and l = their lengths:
 *   LOR  = (lp_c - lp_r) - (log(1 - e^lp_c) - log(1 - e^lp_r))
 *   w    = max(c * (l_r - l_c), 1)
 *   loss = -lp_c - beta * log sigmoid(w * LOR)
 * lc_orpo returns the loss and its analytic gradient with respect to lp_c and
 * lp_r; the model (lib/color/compress, lc_cmodel_logprob) chains that to its weights.
 * lp >= 0 is clamped to -1e-9 (log(1 - e^lp) needs lp < 0).
 */
#ifndef LC_ORPO_H
#define LC_ORPO_H

#include <math.h>

/* Numerically stable logistic function and its logarithm. */
static inline double lc_sigmoid(double x)
{
	return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

static inline double lc_log_sigmoid(double z)
{
	return z >= 0 ? -log1p(exp(-z)) : z - log1p(exp(z));
}

/* ORPO with length weight.  Returns the loss; *dc, *dr = d loss / d lp_c, lp_r;
 * *lor = the log odds ratio (each may be NULL). */
double lc_orpo(double lpc, double lpr, double lc, double lr, double beta, double c,
               double *dc, double *dr, double *lor);

#endif
