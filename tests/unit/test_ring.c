/* Unit tests for lib/core/ring, the ordered work ring: items are handed on in the order
 * they were submitted, each processed exactly once, whatever order the workers finish
 * them in (workers here take uneven, item-dependent amounts of work, so they finish out
 * of order; the verdict does not depend on timing). */
#include "ring.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>

#define NSLOT 6
#define NITEM 2000

typedef struct test {
	lc_ring *ring;
	int item[NSLOT];          /* the item each slot holds */
	int processed[NITEM];     /* times each item was processed */
	unsigned long work[NSLOT];
	int order[NITEM], nout;   /* items in the order they were handed on */
	int bad_state;
} test;

static void *worker(void *arg)
{
	test *t = arg;
	int i;
	while ((i = lc_ring_take(t->ring)) >= 0) {
		if (lc_ring_state_of(t->ring, i) != LC_RING_BUSY)
			t->bad_state = 1;
		/* uneven work: item k spins (k * 7919) % 20000 steps */
		volatile unsigned long x = 0;
		for (int s = 0; s < (t->item[i] * 7919) % 20000; s++)
			x += (unsigned long)s;
		t->work[i] = x;
		t->processed[t->item[i]]++;
		lc_ring_finish(t->ring, i);
	}
	return NULL;
}

static void done(void *ctx, int slot)
{
	test *t = ctx;
	if (lc_ring_state_of(t->ring, slot) != LC_RING_DONE)
		t->bad_state = 1;
	t->order[t->nout++] = t->item[slot];
}

/* Runs NITEM items through a ring of NSLOT slots with nthreads workers (0: the producer
 * processes each item itself, as lctok -j 1 does); every 7th slot acquired is given back
 * unfilled. */
static void run(int nthreads)
{
	test *t = calloc(1, sizeof *t);
	t->ring = lc_ring_new(NSLOT);
	pthread_t th[4];
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, t);
	int next = 0;
	for (int n = 0; next < NITEM; n++) {
		int s = lc_ring_acquire(t->ring, done, t);
		if (lc_ring_state_of(t->ring, s) != LC_RING_FILLING)
			t->bad_state = 1;
		if (n % 7 == 6) {
			lc_ring_cancel(t->ring, s);
			continue;
		}
		t->item[s] = next++;
		lc_ring_submit(t->ring, s);
		if (!nthreads) {
			int j = lc_ring_try_take(t->ring);
			t->processed[t->item[j]]++;
			lc_ring_finish(t->ring, j);
		}
	}
	lc_ring_drain(t->ring, done, t);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	int in_order = t->nout == NITEM, once = 1;
	for (int k = 0; k < NITEM; k++) {
		in_order &= t->order[k] == k;
		once &= t->processed[k] == 1;
	}
	ok(in_order, "%d workers: %d items handed on in submission order (%d handed on)", nthreads, NITEM, t->nout);
	ok(once, "%d workers: every item processed exactly once", nthreads);
	ok(!t->bad_state, "%d workers: slots are FILLING when acquired, BUSY in a worker, DONE when handed on", nthreads);
	int all_free = 1;
	for (int s = 0; s < NSLOT; s++)
		all_free &= lc_ring_state_of(t->ring, s) == LC_RING_FREE;
	ok(all_free, "%d workers: every slot FREE after the drain", nthreads);
	ok(lc_ring_try_take(t->ring) == -1 && lc_ring_take(t->ring) == -1, "%d workers: a closed ring gives no more work", nthreads);
	lc_ring_free(t->ring);
	free(t);
}

int main(void)
{
	run(0);
	run(1);
	run(3);
	return done_testing();
}
