/* fuzz_index.c — the BM25 index file loader: header, version, checksum, offsets;
 * a valid-looking image is then walked (terms, postings, pids). */
#include "fuzz.h"
#include "index_file.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *mem = malloc(size ? size : 1);
	memcpy(mem, data, size);
	lc_index ix;
	lc_err e;
	if (lc_index_from_mem(&ix, mem, size, 1, "fuzz.idx", &e) < 0)
		return 0;
	(void)lc_index_find_term(&ix, "the", 3);
	lc_index_close(&ix);
	return 0;
}
