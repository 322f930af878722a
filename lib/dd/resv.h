/*
 * resv — a growable array in an address range reserved once: the whole range (the
 * most the array may ever need) is mapped without memory behind it, and the prefix in
 * use is made writable as it grows.  The array never moves (no copy on growth, as
 * realloc makes), and it sits on transparent huge pages where the kernel offers them
 * (madvise mode): a shuffle pool read in random order then costs far fewer page
 * faults and TLB misses.  Only the pages written take memory.  Where the range cannot
 * be reserved, the array is realloc'd instead (p may then move on growth).
 *
 * Ownership: the lc_resv is the caller's (zero-initialise it); lc_resv_free releases
 * the range or the allocation.  Out of memory ends the program (lc_oom), as
 * lc_xrealloc does.
 */
#ifndef LC_RESV_H
#define LC_RESV_H
#include <stddef.h>

typedef struct lc_resv {
	char *p;          /* the array: usable bytes from p */
	size_t usable;    /* bytes writable from p */
	size_t max;       /* the most it may grow to */
	void *map;        /* the reserved range (NULL: realloc'd) */
	size_t map_len;
} lc_resv;

/* Reserves room for max bytes; nothing usable yet. */
void lc_resv_init(lc_resv *r, size_t max);

/* Makes at least bytes (<= max) usable from r->p, which may change only when the
 * range could not be reserved. */
void lc_resv_grow(lc_resv *r, size_t bytes);

void lc_resv_free(lc_resv *r);
#endif
