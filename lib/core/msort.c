/* msort — glibc's qsort merge sort, spelled out (see msort.h). */
#include "msort.h"

#include <string.h>

void lc_msort(void *base, size_t n, size_t size, void *tmp,
              int (*cmp)(const void *a, const void *b, void *arg), void *arg)
{
	if (n <= 1)
		return;
	size_t n1 = n / 2, n2 = n - n1;
	char *b1 = base, *b2 = b1 + n1 * size, *t = tmp;
	lc_msort(b1, n1, size, tmp, cmp, arg);
	lc_msort(b2, n2, size, tmp, cmp, arg);
	while (n1 > 0 && n2 > 0) {
		if (cmp(b1, b2, arg) <= 0) {
			memcpy(t, b1, size);
			b1 += size;
			n1--;
		} else {
			memcpy(t, b2, size);
			b2 += size;
			n2--;
		}
		t += size;
	}
	if (n1 > 0)
		memcpy(t, b1, n1 * size);
	/* what is left of the right half is in place already */
	memcpy(base, tmp, (n - n2) * size);
}
