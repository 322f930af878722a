/* fuzz_input.c — the line reader over arbitrary bytes: every compression filter
 * and archive format libarchive detects, zlib's gzip checks, the replay of data
 * that looks like an empty archive, member selection, line splitting, the
 * maximum record size and UTF-8 repair.  The last byte picks options (a member
 * glob, a 64-byte record limit): gzip and zip data end in 0 (no options), so
 * their seeds are read whole. */
#include "fuzz.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	unsigned opt = size ? data[size - 1] : 0;
	lc_input_set_max_record(opt & 2 ? 64 : LC_INPUT_MAX_RECORD);
	lc_input *in = lc_input_open(path, opt & 1 ? "*.jsonl" : NULL, &e);
	if (in) {
		char *line;
		size_t len;
		while (lc_input_getline(in, &line, &len, &e) == 1) {
			(void)lc_input_where(in);
			lc_input_repair(in, &line, &len);
		}
		(void)lc_input_repaired(in);
		lc_input_close(in);
	}
	close(fd);
	return 0;
}
