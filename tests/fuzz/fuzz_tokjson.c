/* fuzz_tokjson.c — the Hugging Face tokenizer.json loader on arbitrary bytes
 * (model type checks, merges, added tokens, pre-tokenizer and normalizer specs). */
#include "fuzz.h"
#include "tok.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setenv("LCTK_NO_CACHE", "1", 1); /* never fill ~/.cache/lctk with fuzz models */
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_tok *t = lc_tok_load_hf(path, &e);
	if (t) {
		lc_ids ids = {0};
		lc_tok_encode(t, "Hello, wörld! 12345", 20, LC_TOK_SPECIAL_TEXT, &ids, &e);
		free(ids.v);
		lc_tok_free(t);
	}
	close(fd);
	return 0;
}
