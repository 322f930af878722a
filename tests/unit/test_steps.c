/* Unit tests for lib/dd/steps (the per-step bucket draw of lcschedule): each
 * cycle's share of batches, step numbering, zero odds last, determinism, and the
 * first steps of a seeded schedule against lcschedule's output before the draw
 * moved to the library. */
#include "steps.h"
#include "tap.h"

#include <string.h>

/* Runs a schedule; per[c][i] counts bucket i in cycle c; order[] the first picks.
 * Returns the steps, or -1 when step numbers or cycles come out of order. */
static long run(int n, const uint64_t *nb, const double *odds, long cycles, uint64_t seed,
                long per[][4], int *order, int norder)
{
	lc_steps s;
	lc_steps_init(&s, n, nb, odds, cycles, seed);
	long cy, last = 0, steps = 0;
	uint64_t step;
	int k, bad = 0;
	while ((k = lc_steps_next(&s, &cy, &step)) >= 0) {
		if (step != (uint64_t)steps || cy < last || cy >= cycles)
			bad = 1;
		last = cy;
		if (per)
			per[cy][k]++;
		if (steps < norder)
			order[steps] = k;
		steps++;
	}
	if (lc_steps_next(&s, &cy, &step) != -1)   /* stays finished */
		bad = 1;
	lc_steps_free(&s);
	return bad ? -1 : steps;
}

static void test_shares(void)
{
	/* lcschedule --global-batch-size 2 --cycles 3 over D_4 1000, D_5 500, D_6 260
	 * sequences: batches 125, 125, 130; grow-p2 odds 4 2 1 */
	const uint64_t nb[3] = { 125, 125, 130 };
	const double odds[3] = { 4, 2, 1 };
	long per[3][4] = { { 0 } };
	int first[16];
	is_num(run(3, nb, odds, 3, 1, per, first, 16), 380, "every batch once: 380 steps numbered in order");
	/* cycle c gets floor((c+1)M/3) - floor(cM/3): 125 -> 41 42 42, 130 -> 43 43 44 */
	ok(per[0][0] == 41 && per[1][0] == 42 && per[2][0] == 42, "D_4's 125 batches split 41 42 42");
	ok(per[0][2] == 43 && per[1][2] == 43 && per[2][2] == 44, "D_6's 130 batches split 43 43 44");
	/* lcschedule's first 16 steps for --seed 1 (before the draw moved here) */
	const int want[16] = { 1, 2, 0, 0, 1, 0, 1, 1, 0, 1, 2, 2, 1, 2, 0, 0 };
	ok(!memcmp(first, want, sizeof want), "seed 1: the same first 16 buckets as lcschedule drew");
	int a[64], b[64], c[64];
	run(3, nb, odds, 3, 1, NULL, a, 64);
	run(3, nb, odds, 3, 1, NULL, b, 64);
	run(3, nb, odds, 3, 2, NULL, c, 64);
	ok(!memcmp(a, b, sizeof a), "the same seed gives the same schedule");
	ok(memcmp(a, c, sizeof a), "another seed gives another schedule");
}

static void test_edges(void)
{
	/* zero odds: bucket 0 only after every positive-odds batch, shortest first */
	const uint64_t nb[3] = { 3, 2, 2 };
	const double odds[3] = { 0, 1, 0 };
	int order[8];
	is_num(run(3, nb, odds, 1, 0, NULL, order, 8), 7, "zero-odds buckets still run: 7 steps");
	const int want[7] = { 1, 1, 0, 0, 0, 2, 2 };
	ok(!memcmp(order, want, sizeof want), "zero odds: the weighted bucket first, then the rest shortest first");
	/* more cycles than batches: one batch lands in the last cycle */
	const uint64_t one[1] = { 1 };
	const double w1[1] = { 1 };
	long per[3][4] = { { 0 } };
	is_num(run(1, one, w1, 3, 0, per, order, 8), 1, "one batch over 3 cycles: one step");
	ok(per[2][0] == 1, "floor((c+1)/3) - floor(c/3) puts it in cycle 2");
	const uint64_t none[2] = { 0, 0 };
	const double w2[2] = { 1, 1 };
	is_num(run(2, none, w2, 2, 0, NULL, order, 8), 0, "no full batch: no step");
}

int main(void)
{
	test_shares();
	test_edges();
	return done_testing();
}
