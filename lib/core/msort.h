/*
 * msort — the merge sort glibc's qsort uses (top-down, the left half n/2,
 * taking the left element while cmp <= 0), for comparisons that are not a
 * total order.  trec_eval sorts with such comparisons (a NaN score equals
 * every score; gains less than 1 apart compare equal), and then the order it
 * prints depends on the algorithm, so lceval spells it out instead of leaving
 * it to the C library.  Stable; O(n log n).
 */
#ifndef LC_MSORT_H
#define LC_MSORT_H

#include <stddef.h>

/* Sorts n elements of size bytes at base with cmp(a, b, arg).  tmp: scratch of
 * n * size bytes, owned by the caller. */
void lc_msort(void *base, size_t n, size_t size, void *tmp,
              int (*cmp)(const void *a, const void *b, void *arg), void *arg);

#endif
