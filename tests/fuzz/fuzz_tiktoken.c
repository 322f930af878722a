/* fuzz_tiktoken.c — the .tiktoken vocabulary loader on arbitrary bytes, and an
 * encode/decode round trip with whatever loads. */
#include "fuzz.h"
#include "tok.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_tok *t = lc_tok_load_tiktoken(path, NULL, &e);
	if (t) {
		lc_ids ids = {0};
		if (lc_tok_encode(t, "hello world 123", 15, LC_TOK_SPECIAL_TEXT, &ids, &e) == 0) {
			lc_buf b = {0};
			lc_tok_decode(t, ids.v, ids.n, &b, &e);
			lc_buf_free(&b);
		}
		free(ids.v);
		lc_tok_free(t);
	}
	close(fd);
	return 0;
}
