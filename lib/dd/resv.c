/*
 * resv — growable arrays in a reserved address range, on huge pages where possible
 * (see resv.h).
 */
#include "resv.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE ((size_t)2 << 20)

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

void lc_resv_init(lc_resv *r, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
	if (!max || max > SIZE_MAX / 2)
		return;
	/* PROT_NONE and MAP_NORESERVE: address space only, no memory committed; one
	 * huge page more, to start the array on a huge-page boundary */
	size_t len = round_up(max, HUGE) + HUGE;
	void *m = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return;   /* realloc'd instead */
	r->map = m;
	r->map_len = len;
	r->p = (char *)round_up((uintptr_t)m, HUGE);
#ifdef MADV_HUGEPAGE
	madvise(r->p, round_up(max, HUGE), MADV_HUGEPAGE);
#endif
}

void lc_resv_grow(lc_resv *r, size_t bytes)
{
	if (bytes <= r->usable)
		return;
	if (!r->map) {
		r->p = lc_xrealloc(r->p, bytes);
		r->usable = bytes;
		return;
	}
	size_t want = round_up(bytes, HUGE);
	if (want > round_up(r->max, HUGE))
		want = round_up(r->max, HUGE);
	if (want < bytes || mprotect(r->p, want, PROT_READ | PROT_WRITE) < 0)
		lc_oom();
	r->usable = want;
}

void lc_resv_free(lc_resv *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	else
		free(r->p);
	memset(r, 0, sizeof *r);
}
