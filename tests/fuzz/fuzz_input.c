/* fuzz_input.c — the line reader over arbitrary bytes: every compression filter
 * and archive format libarchive detects, member selection, line splitting. */
#include "fuzz.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_input *in = lc_input_open(path, size && data[0] & 1 ? "*.jsonl" : NULL, &e);
	if (in) {
		char *line;
		size_t len;
		while (lc_input_getline(in, &line, &len, &e) == 1)
			(void)lc_input_where(in);
		lc_input_close(in);
	}
	close(fd);
	return 0;
}
