/*
 * schedule — curricula and the OpenLM parameter computation for variable sequence
 * length training over decomposed buckets.  See schedule.h.
 */
#include "err.h"
#include "schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lc_sched_curriculum(const char *name, int n, double *odds)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(name, "uniform"))
			odds[i] = 1;
		else if (!strcmp(name, "grow-p2"))
			odds[i] = ldexp(1.0, n - 1 - i);
		else if (!strcmp(name, "grow-linear"))
			odds[i] = n - i;
		else if (!strcmp(name, "shrink"))
			odds[i] = ldexp(1.0, i);
		else
			return -1;
	}
	return 0;
}

static double token_diff(const lc_openlm_in *in, const int64_t *f, const int64_t *d2)
{
	int64_t s = 0;
	for (int i = 0; i < in->n; i++)
		s += f[i] * d2[i] * (int64_t)in->seq_len[i];
	return (double)in->tokens / (double)in->epochs - (double)s;
}

int lc_openlm_params(const lc_openlm_in *in, lc_openlm_out *out, lc_err *e)
{
	int n = in->n;
	memset(out, 0, sizeof *out);
	if (n < 1)
		return lc_err_set(e, LC_EXIT_INPUT, "no buckets");
	double total_avail = 0;
	for (int i = 0; i < n; i++)
		total_avail += (double)in->seqs[i] * (double)in->seq_len[i];
	if (total_avail <= 0)
		return lc_err_set(e, LC_EXIT_INPUT, "the dataset has no sequences");
	double scale = (double)in->tokens / total_avail;
	int64_t *d2 = lc_xcalloc((size_t)n, sizeof *d2), *f = lc_xcalloc((size_t)n, sizeof *f);
	for (int i = 0; i < n; i++) {
		double d1 = in->batch_mult[i] * (double)in->global_batch * (double)in->workers;
		d2[i] = (int64_t)in->seq_per_shard[i] * in->gpus * in->workers;
		if (!((double)d2[i] > d1)) {
			free(d2), free(f);
			return lc_err_set(e, LC_EXIT_INPUT,
			                  "bucket %d: a shard (%llu sequences x %ld GPUs x %ld workers) must hold more than "
			                  "one batch per worker (%g x %ld x %ld); use fewer sequences per step or more GPUs",
			                  i, (unsigned long long)in->seq_per_shard[i], in->gpus, in->workers,
			                  in->batch_mult[i], in->global_batch, in->workers);
		}
		double tok_i = scale * (double)in->seqs[i] * (double)in->seq_len[i];
		double need = tok_i / (double)in->epochs / (double)in->seq_len[i];
		f[i] = (int64_t)nearbyint(need / (double)d2[i]);    /* round half to even */
	}
	/* the reference's adjustment: walk indices from the last, +-1 until the token
	 * count per epoch is met exactly or a state repeats at every index */
	size_t cap = 64, nh = 0;
	int64_t *hist = lc_xmalloc(cap * (size_t)n * sizeof *hist);
	int index = n - 1;
	out->matched = 1;
	while (token_diff(in, f, d2) != 0) {
		if (index < 0) {
			out->matched = 0;
			break;
		}
		int seen = 0;
		for (size_t h = 0; h < nh && !seen; h++)
			seen = !memcmp(hist + h * (size_t)n, f, (size_t)n * sizeof *f);
		if (seen)
			index--;
		double diff = token_diff(in, f, d2);
		if (!seen) {
			if (nh == cap) {
				cap *= 2;
				hist = lc_xrealloc(hist, cap * (size_t)n * sizeof *hist);
			}
			memcpy(hist + nh * (size_t)n, f, (size_t)n * sizeof *f);
			nh++;
		}
		int at = index < 0 ? n + index : index;   /* index -1 is the last bucket */
		if (diff < 0)
			f[at]--;
		else
			f[at]++;
	}
	free(hist);
	out->epochs = in->epochs;
	out->num_seq_per_epoch = lc_xcalloc((size_t)n, sizeof *out->num_seq_per_epoch);
	out->mix_weights = lc_xcalloc((size_t)n, sizeof *out->mix_weights);
	int64_t t0 = 0;
	for (int i = 0; i < n; i++) {
		out->num_seq_per_epoch[i] = f[i] * d2[i];
		int64_t t = out->num_seq_per_epoch[i] * (int64_t)in->seq_len[i];
		if (i == 0)
			t0 = t;
		out->train_num_samples += t;
	}
	for (int i = 0; i < n; i++) {
		int64_t t = out->num_seq_per_epoch[i] * (int64_t)in->seq_len[i];
		double w = t0 ? (double)t / (double)t0 * (double)f[0] * in->odds[i] : 0;
		out->mix_weights[i] = (int64_t)w;
	}
	out->tokens_real = out->train_num_samples * in->epochs;
	for (int i = 0; i < n; i++)
		if (f[i] < 0) {   /* the adjustment walked a bucket below zero: no loader takes that */
			lc_err_set(e, LC_EXIT_INPUT, "bucket %d would get %lld sequences per epoch (below zero: the adjustment "
			           "towards %llu tokens took more from it than it has); ask for more tokens, fewer epochs or "
			           "fewer GPUs", i, (long long)out->num_seq_per_epoch[i], (unsigned long long)in->tokens);
			free(d2), free(f);
			return -1;
		}
	free(d2), free(f);
	if (!t0)
		return lc_err_set(e, LC_EXIT_INPUT, "the shortest bucket gets no sequences per epoch; "
		                  "mixture weights are undefined (more tokens or fewer epochs)");
	return 0;
}
