/* Unit tests for lib/dd/decompose (the DD algorithm and its draw), lib/dd/pack (baselines),
 * lib/dd/wds's token formatting and lib/dd/schedule (curricula, OpenLM arguments).
 * Expected values are computed by hand in the comments. */
#include "decompose.h"
#include "pack.h"
#include "schedule.h"
#include "wds.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

typedef struct rec { int n; size_t len[20000]; int k[20000]; const uint32_t *first[20000]; } rec;

static void emit(void *ctx, int k, const uint32_t *tok, size_t n)
{
	rec *r = ctx;
	r->len[r->n] = n;
	r->k[r->n] = k;
	r->first[r->n] = tok;
	r->n++;
}

static uint32_t doc[1 << 16];

/* Decompose n tokens; returns pieces in r, dropped count. */
static size_t run(int kmin, int kmax, int random, size_t n, uint64_t ord, rec *r)
{
	lc_dd d = { kmin, kmax, random, 7 };
	r->n = 0;
	return lc_dd_doc(&d, ord, doc, n, emit, r, NULL);
}

static rec rr, ra, rb;

static void test_hand(void)
{
	size_t dr;
	/* n=1 (empty doc: EOT only): no piece, 1 dropped */
	dr = run(2, 4, 1, 1, 0, &rr);
	ok(rr.n == 0 && dr == 1, "empty document: nothing kept, its EOT dropped");
	/* n=5: floor(log2 4)=2 -> one piece of 5 */
	dr = run(2, 4, 1, 5, 0, &rr);
	ok(rr.n == 1 && rr.len[0] == 5 && rr.k[0] == 2 && dr == 0, "n=5 -> one D_2 piece of 5 tokens");
	/* n=6: k=2 (log2 5 = 2.3) -> 5 tokens, 1 left and dropped */
	dr = run(2, 4, 1, 6, 0, &rr);
	ok(rr.n == 1 && rr.len[0] == 5 && dr == 1, "n=6 -> 5 + 1 dropped");
	/* n=14: log2 13 -> 3 (9 tokens), rest 5 -> k=2 (5 tokens) */
	dr = run(2, 4, 1, 14, 0, &rr);
	ok(rr.n == 2 && rr.len[0] == 9 && rr.len[1] == 5 && rr.first[1] == doc + 9 && dr == 0,
	   "n=14 -> 9 + 5, consecutive");
	/* n=4: log2 3 = 1 < kmin 2 -> all dropped */
	dr = run(2, 4, 1, 4, 0, &rr);
	ok(rr.n == 0 && dr == 4, "n=4 below 2^kmin+1 -> 4 dropped");
	/* n=40 --no-random, kmax 4: 17 (k=4 capped), rest 23 -> 17, rest 6 -> 5, 1 dropped */
	dr = run(2, 4, 0, 40, 0, &rr);
	ok(rr.n == 3 && rr.len[0] == 17 && rr.len[1] == 17 && rr.len[2] == 5 && dr == 1,
	   "n=40 no-random kmax=4 -> 17 17 5 + 1 dropped");
	/* n=18 exactly 2^4+2: log2 17 = 4 -> 17, 1 dropped; no draw needed */
	dr = run(2, 4, 1, 18, 0, &rr);
	ok(rr.n == 1 && rr.len[0] == 17 && dr == 1, "n=18 -> 17 + 1 dropped");
	/* random: every piece 2^k+1 with kmin<=k<=kmax, pieces consecutive, tokens conserved */
	int good = 1;
	for (uint64_t ord = 0; ord < 2000; ord++) {
		size_t n = 1 + (ord * 7919) % 5000;
		lc_dd d = { 3, 7, 1, 99 };
		lc_dd_stats st = { 0 };
		size_t pos = 0, kept = 0;
		rr.n = 0;
		/* count via stats only (stats are enough here) */
		dr = lc_dd_doc(&d, ord, doc, n, NULL, NULL, &st);
		for (int k = 0; k <= LC_DD_KMAX_LIMIT; k++) {
			if (st.seqs[k] && (k < 3 || k > 7))
				good = 0;
			kept += st.seqs[k] * (((size_t)1 << k) + 1);
		}
		if (kept + dr != n || st.tokens_kept != kept || st.tokens_dropped != dr)
			good = 0;
		/* the remainder must be too short for kmin */
		if (dr > 1 && lc_ilog2(dr - 1) >= 3)
			good = 0;
		(void)pos;
	}
	ok(good, "random draws: buckets in [kmin,kmax], tokens kept + dropped = n, remainder < 2^kmin+1");
}

static void test_draw(void)
{
	lc_dd d = { 8, 13, 1, 1 };
	lc_rng r;
	lc_rng_seed(&r, 12345);
	long cnt[14] = { 0 };
	const long N = 630000;
	for (long i = 0; i < N; i++)
		cnt[lc_dd_draw(&d, &r)]++;
	/* P(k) = 2^(13-k)/63: k=8 -> 32/63, k=13 -> 1/63 */
	int good = 1;
	for (int k = 8; k <= 13; k++) {
		double want = N * (double)(1 << (13 - k)) / 63.0;
		double dev = (cnt[k] - want) / want;
		if (dev > 0.04 || dev < -0.04)
			good = 0;
		printf("# k=%d got %ld want %.0f\n", k, cnt[k], want);
	}
	ok(good, "draw frequencies within 4%% of 2^(kmax-k)/(2^(m+1)-1)");
	/* kmin == kmax: always that k */
	lc_dd one = { 5, 5, 1, 1 };
	int same = 1;
	for (int i = 0; i < 1000; i++)
		same &= lc_dd_draw(&one, &r) == 5;
	ok(same, "kmin == kmax draws kmax");
	/* same seed and ordinal -> same pieces; generator is per document */
	run(2, 4, 1, 60000, 42, &ra);
	run(2, 4, 1, 60000, 42, &rb);
	int eq = ra.n == rb.n;
	for (int i = 0; eq && i < ra.n; i++)
		eq = ra.len[i] == rb.len[i];
	ok(eq, "same seed and document ordinal -> identical decomposition");
	uint64_t lo = 0;
	int inrange = 1;
	for (int i = 0; i < 100000; i++) {
		uint64_t v = lc_rng_below(&r, 7);
		inrange &= v < 7;
		lo += v == 0;
	}
	ok(inrange && lo > 12000 && lo < 16500, "lc_rng_below(7) in range and roughly uniform");
}

static void test_format(void)
{
	lc_buf b = { 0 };
	uint32_t v[] = { 1, 2, 3, 0, 4294967295u, 10, 99, 100 };
	lc_wds_format_ids(&b, v, 3);
	is_str(b.p, "[1, 2, 3]", "format [1, 2, 3]");
	lc_buf_reset(&b);
	lc_wds_format_ids(&b, v + 3, 5);
	is_str(b.p, "[0, 4294967295, 10, 99, 100]", "format edge values");
	lc_buf_reset(&b);
	lc_wds_format_ids(&b, v, 0);
	is_str(b.p, "[]", "format empty");
	lc_buf_free(&b);
	ok(lc_wds_shard_size(8) == 4096 && lc_wds_shard_size(13) == 128 && lc_wds_shard_size(2) == 65536 &&
	   lc_wds_shard_size(20) == 1, "shard sizes min(2^(20-k), 65536)");
}

static int nseq;
static size_t seqlens[16];
static uint32_t seq0[16];
static void pemit(void *ctx, const uint32_t *tok, size_t n, int crossing)
{
	(void)ctx;
	seqlens[nseq] = n;
	seq0[nseq] = tok[0];
	nseq++;
}

static void test_pack(void)
{
	/* L=3 -> sequences of 4 tokens.  docs: [1 2 0] and [3 4 5 6 7 0]
	 * stream 1 2 0 3 | 4 5 6 7 | 0 -> 2 sequences, 1 dropped; the first crosses. */
	uint32_t d1[] = { 1, 2, 0 }, d2[] = { 3, 4, 5, 6, 7, 0 }, d3[] = { 9 };
	lc_concat c;
	nseq = 0;
	lc_concat_init(&c, 3, pemit, NULL);
	lc_concat_doc(&c, d1, 3);
	lc_concat_doc(&c, d2, 6);
	lc_concat_finish(&c);
	ok(nseq == 2 && seq0[0] == 1 && seq0[1] == 4, "concat: 2 sequences 1.. and 4..");
	ok(c.rep.sequences == 2 && c.rep.tokens_kept == 8 && c.rep.tokens_dropped == 1 && c.rep.crossing == 1 &&
	   c.rep.attn_cost == 18, "concat report: kept 8, dropped 1, 1 crossing, cost 2*3^2");
	/* bestfit L=3 (bins of 4): pieces 3 | 4 2 | 1 -> sorted 4 3 2 1:
	 * bin0 [4] full; bin1 [3] room 1; bin2 [2] room 2; the 1 goes to bin1 (least room). */
	lc_bestfit *bf = lc_bestfit_new(3, 1);
	lc_bestfit_doc(bf, d1, 3);
	lc_bestfit_doc(bf, d2, 6);
	lc_bestfit_doc(bf, d3, 1);
	lc_pack_report rep;
	nseq = 0;
	lc_bestfit_finish(bf, pemit, NULL, &rep);
	lc_bestfit_free(bf);
	ok(rep.sequences == 3 && rep.tokens_kept == 10 && rep.tokens_padded == 2 && rep.crossing == 1 &&
	   rep.tokens_dropped == 0, "bestfit: 3 bins, 2 padded, 1 crossing");
	ok(nseq == 3 && seqlens[0] == 4 && seq0[0] == 3 && seqlens[1] == 4 && seq0[1] == 1 && seqlens[2] == 2 &&
	   seq0[2] == 7, "bestfit bins: [3 4 5 6] [1 2 0 9] [7 0]");
	/* two bins with the same room (pack.h: the most recently filled is used first, and
	 * a bin leaves the pool of its room once filled).  L=3, pieces 3 3 1 1:
	 * bin0 [1 2 3] room 1, bin1 [4 5 6] room 1; the first 1 ([7]) goes to bin1,
	 * the second ([8]) to bin0, which still has room 1: 2 full bins, nothing padded. */
	uint32_t e1[] = { 1, 2, 3 }, e2[] = { 4, 5, 6 }, e3[] = { 7 }, e4[] = { 8 };
	bf = lc_bestfit_new(3, 1);
	lc_bestfit_doc(bf, e1, 3);
	lc_bestfit_doc(bf, e2, 3);
	lc_bestfit_doc(bf, e3, 1);
	lc_bestfit_doc(bf, e4, 1);
	nseq = 0;
	lc_bestfit_finish(bf, pemit, NULL, &rep);
	lc_bestfit_free(bf);
	ok(rep.sequences == 2 && rep.tokens_padded == 0 && rep.crossing == 2 && nseq == 2 && seqlens[0] == 4 &&
	   seq0[0] == 1 && seqlens[1] == 4 && seq0[1] == 4,
	   "bestfit, equal rooms: [1 2 3 8] [4 5 6 7], none padded (%llu bins, %llu padded)",
	   (unsigned long long)rep.sequences, (unsigned long long)rep.tokens_padded);
}

static void test_schedule(void)
{
	double o[6];
	lc_sched_curriculum("grow-p2", 6, o);
	ok(o[0] == 32 && o[5] == 1, "grow-p2 = 32 .. 1");
	lc_sched_curriculum("grow-linear", 6, o);
	ok(o[0] == 6 && o[5] == 1, "grow-linear = 6 .. 1");
	lc_sched_curriculum("shrink", 6, o);
	ok(o[0] == 1 && o[5] == 32, "shrink = 1 .. 32");
	ok(lc_sched_curriculum("nope", 6, o) < 0, "unknown curriculum");
	/* The reference README's DCLM example (get_dd_params.py output). */
	uint64_t shards[] = { 3560, 5996, 7410, 6309, 5157, 4513 }, sps[6], len[6], seqs[6];
	double mult[6], odds[] = { 32, 16, 8, 4, 2, 1 };
	for (int i = 0; i < 6; i++) {
		sps[i] = 4096 >> i;
		len[i] = 256u << i;
		seqs[i] = shards[i] * sps[i];
		mult[i] = 32 >> i;
	}
	lc_openlm_in in = { 6, seqs, sps, len, mult, odds, 28795904000ULL, 8, 8, 64, 1 };
	lc_openlm_out out;
	lc_err e;
	int rc = lc_openlm_params(&in, &out, &e);
	int64_t want_seq[] = { 1507328, 1277952, 794624, 335872, 137216, 61440 };
	int64_t want_w[] = { 1472, 1248, 776, 328, 134, 60 };
	int eq = rc == 0 && out.train_num_samples == 3607101440LL;
	for (int i = 0; eq && i < 6; i++)
		eq = out.num_seq_per_epoch[i] == want_seq[i] && out.mix_weights[i] == want_w[i];
	ok(eq, "OpenLM arguments match the reference README example");
	free(out.num_seq_per_epoch), free(out.mix_weights);
	/* A budget that cannot be met exactly: one bucket of 256-token sequences, shards of
	 * 100 (d2 = 100 x 1 GPU x 1 worker), 153601 tokens over 2 epochs = 76800.5 a epoch.
	 * f = round(76800.5 / 256 / 100) = 3 gives 76800, diff +0.5 -> f 4 (diff -25599.5)
	 * -> f 3, a state seen: the index moves past the first bucket (-1, the last) and
	 * diff +0.5 steps up once more -> f 4, and the walk ends unmatched: 400 sequences
	 * an epoch (a diff between 0 and 1 still steps up, not down). */
	{
		uint64_t s1[] = { 1000 }, p1[] = { 100 }, l1[] = { 256 };
		double m1[] = { 1 }, o1[] = { 1 };
		lc_openlm_in one = { 1, s1, p1, l1, m1, o1, 153601, 2, 1, 1, 1 };
		lc_openlm_out o1out;
		int rc1 = lc_openlm_params(&one, &o1out, &e);
		long long got = rc1 == 0 ? (long long)o1out.num_seq_per_epoch[0] : -1;
		ok(rc1 == 0 && got == 400 && !o1out.matched && o1out.train_num_samples == 102400,
		   "a fractional token count per epoch: 400 sequences, unmatched (%lld)", got);
		if (rc1 == 0)
			free(o1out.num_seq_per_epoch), free(o1out.mix_weights);
	}
	/* no bucket at all: refused as such (not as a dataset without sequences) */
	in.n = 0;
	e.msg[0] = 0;
	ok(lc_openlm_params(&in, &out, &e) < 0 && !strcmp(e.msg, "no buckets"), "no buckets refused: %s", e.msg);
}

int main(void)
{
	for (size_t i = 0; i < sizeof doc / sizeof doc[0]; i++)
		doc[i] = (uint32_t)i;
	test_hand();
	test_draw();
	test_format();
	test_pack();
	test_schedule();
	return done_testing();
}
