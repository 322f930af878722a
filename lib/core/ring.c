/*
 * ring — the ordered work ring (see ring.h): one mutex, a condition for "a slot became
 * READY" (workers wait on it) and one for "a slot became DONE" (the producer waits).
 */
#include "ring.h"
#include "err.h"

#include <pthread.h>
#include <stdlib.h>

struct lc_ring {
	pthread_mutex_t mu;
	pthread_cond_t ready, done;
	int n, closed;
	lc_ring_state *state;
	unsigned long *seq;          /* submission number of each slot */
	unsigned long next_seq;      /* the next submission's number */
	unsigned long next_out;      /* the number to hand on next */
};

lc_ring *lc_ring_new(int nslots)
{
	lc_ring *r = lc_xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->ready, NULL);
	pthread_cond_init(&r->done, NULL);
	r->n = nslots;
	r->state = lc_xcalloc((size_t)nslots, sizeof *r->state);
	r->seq = lc_xcalloc((size_t)nslots, sizeof *r->seq);
	return r;
}

void lc_ring_free(lc_ring *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->ready);
	pthread_cond_destroy(&r->done);
	free(r->state);
	free(r->seq);
	free(r);
}

/* The slot to hand on next if it is DONE, else -1.  Lock held. */
static int next_done(const lc_ring *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->state[i] == LC_RING_DONE && r->seq[i] == r->next_out)
			return i;
	return -1;
}

/* Hands slot i (DONE, next in order) to done without the lock; frees it.  Lock held. */
static void hand_on(lc_ring *r, int i, lc_ring_done_fn done, void *ctx)
{
	pthread_mutex_unlock(&r->mu);
	done(ctx, i);
	pthread_mutex_lock(&r->mu);
	r->state[i] = LC_RING_FREE;
	r->next_out++;
}

int lc_ring_acquire(lc_ring *r, lc_ring_done_fn done, void *ctx)
{
	pthread_mutex_lock(&r->mu);
	for (;;) {
		for (int i = 0; i < r->n; i++)
			if (r->state[i] == LC_RING_FREE) {
				r->state[i] = LC_RING_FILLING;
				pthread_mutex_unlock(&r->mu);
				return i;
			}
		int d = next_done(r);
		if (d >= 0)
			hand_on(r, d, done, ctx);
		else
			pthread_cond_wait(&r->done, &r->mu);
	}
}

void lc_ring_submit(lc_ring *r, int slot)
{
	pthread_mutex_lock(&r->mu);
	r->seq[slot] = r->next_seq++;
	r->state[slot] = LC_RING_READY;
	pthread_cond_signal(&r->ready);
	pthread_mutex_unlock(&r->mu);
}

void lc_ring_cancel(lc_ring *r, int slot)
{
	pthread_mutex_lock(&r->mu);
	r->state[slot] = LC_RING_FREE;
	pthread_mutex_unlock(&r->mu);
}

void lc_ring_drain(lc_ring *r, lc_ring_done_fn done, void *ctx)
{
	pthread_mutex_lock(&r->mu);
	while (r->next_out < r->next_seq) {
		int d = next_done(r);
		if (d >= 0)
			hand_on(r, d, done, ctx);
		else
			pthread_cond_wait(&r->done, &r->mu);
	}
	r->closed = 1;
	pthread_cond_broadcast(&r->ready);
	pthread_mutex_unlock(&r->mu);
}

/* The oldest READY slot, now BUSY, or -1.  Lock held. */
static int take_locked(lc_ring *r)
{
	int pick = -1;
	for (int i = 0; i < r->n; i++)
		if (r->state[i] == LC_RING_READY && (pick < 0 || r->seq[i] < r->seq[pick]))
			pick = i;
	if (pick >= 0)
		r->state[pick] = LC_RING_BUSY;
	return pick;
}

int lc_ring_take(lc_ring *r)
{
	pthread_mutex_lock(&r->mu);
	int pick;
	while ((pick = take_locked(r)) < 0 && !r->closed)
		pthread_cond_wait(&r->ready, &r->mu);
	pthread_mutex_unlock(&r->mu);
	return pick;
}

int lc_ring_try_take(lc_ring *r)
{
	pthread_mutex_lock(&r->mu);
	int pick = take_locked(r);
	pthread_mutex_unlock(&r->mu);
	return pick;
}

void lc_ring_finish(lc_ring *r, int slot)
{
	pthread_mutex_lock(&r->mu);
	r->state[slot] = LC_RING_DONE;
	pthread_cond_broadcast(&r->done);
	pthread_mutex_unlock(&r->mu);
}

lc_ring_state lc_ring_state_of(lc_ring *r, int slot)
{
	pthread_mutex_lock(&r->mu);
	lc_ring_state s = r->state[slot];
	pthread_mutex_unlock(&r->mu);
	return s;
}
