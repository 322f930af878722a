/* Unit tests for lib/dd/resv (growable arrays in a reserved address range).
 * Reference: the bytes written before each growth read back after it; the array
 * does not move while it grows; a range far larger than the machine's memory is
 * only address space (the bytes used are what counts); an empty one is fine. */
#include "resv.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

int main(void)
{
	lc_resv r;
	lc_resv_init(&r, (size_t)64 << 20);
	int same = 1, kept = 1;
	size_t have = 0;
	char *first = NULL;
	for (size_t want = 100; want <= ((size_t)64 << 20); want *= 3) {
		lc_resv_grow(&r, want);
		if (!first)
			first = r.p;
		kept &= r.p == first || !r.map;
		same &= r.usable >= want;
		for (size_t i = 0; i < have && same; i += 4093)
			same &= r.p[i] == (char)(i * 7);
		for (size_t i = have; i < want; i++)
			r.p[i] = (char)(i * 7);
		have = want;
	}
	ok(same, "each growth keeps the bytes written before it");
	ok(kept, "the array does not move while it grows (reserved range)");
	lc_resv_free(&r);
	ok(r.p == NULL && r.usable == 0, "freed: empty again");

	/* 1 TiB reserved, 3 MiB used */
	lc_resv_init(&r, (size_t)1 << 40);
	lc_resv_grow(&r, (size_t)3 << 20);
	memset(r.p, 'x', (size_t)3 << 20);
	ok(r.p[((size_t)3 << 20) - 1] == 'x', "a 1 TiB range takes only the memory written");
	lc_resv_free(&r);

	lc_resv_init(&r, 0);
	lc_resv_grow(&r, 0);
	lc_resv_free(&r);
	ok(1, "an empty array: init, grow to 0, free");
	return done_testing();
}
