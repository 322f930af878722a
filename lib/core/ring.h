/*
 * ring — an ordered work ring: one producer fills slots, worker threads process them in
 * any order, and the producer hands the finished slots on strictly in the order it
 * filled them (lctok -j: batches of records tokenised in parallel, written in input
 * order, so the output is the same for any number of threads).
 *
 * A slot goes FREE -> FILLING (lc_ring_acquire) -> READY (lc_ring_submit) -> BUSY
 * (lc_ring_take, in a worker) -> DONE (lc_ring_finish) -> FREE (handed to the
 * producer's done callback in submission order, by lc_ring_acquire when it needs a
 * slot, or by lc_ring_drain at the end).  With no worker threads the producer takes
 * and finishes each slot itself.
 *
 * The ring holds only states and order: slots are indices 0..n-1 into the caller's
 * own array.  done() runs in the producer's thread without the ring's lock held.
 * Ownership: lc_ring_new() allocates; lc_ring_free() frees (after the workers are
 * joined).
 */
#ifndef LC_RING_H
#define LC_RING_H

typedef enum {
	LC_RING_FREE,      /* unused */
	LC_RING_FILLING,   /* the producer's, being filled */
	LC_RING_READY,     /* submitted, waiting for a worker */
	LC_RING_BUSY,      /* a worker's */
	LC_RING_DONE       /* processed, waiting to be handed on in order */
} lc_ring_state;

typedef struct lc_ring lc_ring;
typedef void (*lc_ring_done_fn)(void *ctx, int slot);

lc_ring *lc_ring_new(int nslots);
void lc_ring_free(lc_ring *r);

/* Producer: a slot to fill (FILLING).  While none is free, hands the oldest finished
 * slot to done(ctx, slot), or waits for a worker to finish one. */
int lc_ring_acquire(lc_ring *r, lc_ring_done_fn done, void *ctx);
/* Producer: the filled slot is READY, next in order. */
void lc_ring_submit(lc_ring *r, int slot);
/* Producer: gives back a slot it acquired but did not fill (FREE). */
void lc_ring_cancel(lc_ring *r, int slot);
/* Producer: hands every submitted slot to done in order as it finishes, then closes
 * the ring: lc_ring_take returns -1 to the workers. */
void lc_ring_drain(lc_ring *r, lc_ring_done_fn done, void *ctx);

/* Worker: the oldest READY slot (now BUSY), waiting for one; -1 once the ring is
 * closed.  lc_ring_try_take is the same without waiting (-1 when none is READY). */
int lc_ring_take(lc_ring *r);
int lc_ring_try_take(lc_ring *r);
/* Worker: slot is processed (DONE). */
void lc_ring_finish(lc_ring *r, int slot);

/* A slot's state (for tests and assertions). */
lc_ring_state lc_ring_state_of(lc_ring *r, int slot);
#endif
