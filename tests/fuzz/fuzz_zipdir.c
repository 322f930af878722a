/* fuzz_zipdir.c — lib/core/zipdir over arbitrary bytes taken as a zip's last
 * bytes: the end-of-central-directory search (comment lengths, zip64 record and
 * locator, counts and offsets that point anywhere) and the walk over the
 * directory's entries (lengths that run past the end, missing signatures). */
#include "fuzz.h"
#include "zipdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lc_zipdir d;
	if (!lc_zipdir_find(data, size, &d))
		return 0;
	size_t pos = 0, total = 0;
	const char *name;
	size_t n;
	while (lc_zipdir_next(&d, &pos, &name, &n)) {
		for (size_t i = 0; i < n; i++)   /* every byte of the name is inside the tail */
			total += (unsigned char)name[i];
		if (pos > d.dir_len)
			__builtin_trap();
	}
	return (int)(total & 0);
}
