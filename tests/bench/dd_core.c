/*
 * dd_core — benchmark harness for tests/bench/lcdecompose.sh: Dataset Decomposition
 * plus shard writing from token ids already in memory (no JSON parsing), i.e. the
 * work lib/dd/decompose.c and lib/dd/wds.c do per token.
 *
 *   dd_core TOKENS tar|jsonl|bin OUTDIR
 *
 * Documents get log-normal lengths (median e^6.5 ~ 665 tokens, like web text) and
 * pseudo-random ids below 50277; kmin 8, kmax 13, seed 0, as lcdecompose's defaults.
 * Prints "tokens N cpu SECONDS wall SECONDS" (cpu = process CPU time).
 */
#include "decompose.h"
#include "wds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static lc_wds *w;
static int bucket_of[LC_DD_KMAX_LIMIT + 1];

static void emit(void *ctx, int k, const uint32_t *tok, size_t n)
{
	(void)ctx;
	lc_err e;
	if (lc_wds_add(w, bucket_of[k], tok, n, &e) < 0)
		lc_die_err(&e);
}

static double clk(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: dd_core TOKENS tar|jsonl|bin OUTDIR\n");
		return 2;
	}
	size_t total = (size_t)atoll(argv[1]);
	lc_wds_format f = !strcmp(argv[2], "bin") ? LC_WDS_BIN : !strcmp(argv[2], "jsonl") ? LC_WDS_JSONL : LC_WDS_TAR;
	/* the documents, generated before timing */
	uint32_t *tok = lc_xmalloc((total + 1024) * sizeof *tok);
	size_t *len = NULL, nd = 0, cap = 0, pos = 0;
	lc_rng r;
	lc_rng_seed(&r, 1);
	while (pos < total) {
		double u1 = ((double)(lc_rng_next(&r) >> 11) + 0.5) * 0x1.0p-53;
		double u2 = ((double)(lc_rng_next(&r) >> 11) + 0.5) * 0x1.0p-53;
		double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
		size_t n = (size_t)exp(6.5 + 1.3 * z);
		if (n > 200000)
			n = 200000;
		if (pos + n + 1 > total)
			n = total - pos - 1;
		for (size_t i = 0; i < n; i++)
			tok[pos + i] = (uint32_t)lc_rng_below(&r, 50277);
		tok[pos + n] = 0;   /* end of text */
		if (nd == cap) {
			cap = cap ? cap * 2 : 1024;
			len = lc_xrealloc(len, cap * sizeof *len);
		}
		len[nd++] = n + 1;
		pos += n + 1;
	}
	double c0 = clk(CLOCK_PROCESS_CPUTIME_ID), w0 = clk(CLOCK_MONOTONIC);
	lc_err e;
	lc_wds_opts o = { .dir = argv[3], .force = 1, .format = f, .seed = 0, .pool = 20 };
	w = lc_wds_open(&o, &e);
	if (!w)
		lc_die_err(&e);
	for (int k = 8; k <= 13; k++) {
		char name[16];
		snprintf(name, sizeof name, "D_%d", k);
		bucket_of[k] = lc_wds_bucket(w, name, ((size_t)1 << k) + 1, (uint64_t)1 << k, lc_wds_shard_size(k));
	}
	lc_dd d = { 8, 13, 1, 0 };
	lc_dd_stats st = { 0 };
	pos = 0;
	for (size_t i = 0; i < nd; i++) {
		lc_dd_doc(&d, i, tok + pos, len[i], emit, NULL, &st);
		pos += len[i];
	}
	if (lc_wds_close(w, NULL, NULL, NULL, &e) < 0)
		lc_die_err(&e);
	double c1 = clk(CLOCK_PROCESS_CPUTIME_ID), w1 = clk(CLOCK_MONOTONIC);
	printf("tokens %zu cpu %.3f wall %.3f\n", pos, c1 - c0, w1 - w0);
	free(tok);
	free(len);
	return 0;
}
