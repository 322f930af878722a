/* fuzz_llm.c — what lcretrieve --llm reads from outside: OpenAI Batch result files
 * (lc_llm_batch_read, lc_llm_content on every body), prompt template files
 * (lc_prompt_tpl_parse) and LOFT prompt building from the parsed template. */
#include "fuzz.h"
#include "llm.h"
#include "prompt.h"

#include <stdlib.h>
#include <string.h>

static size_t seen;
static void on_result(void *ud, const char *id, const lc_llm_result *r, const char *where)
{
	(void)ud;
	(void)where;
	seen += strlen(id) + (r->ok ? strlen(r->content) : strlen(r->error));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_llm_batch_read(path, on_result, NULL, &e);
	close(fd);

	lc_prompt_tpl t;
	if (lc_prompt_tpl_parse(&t, (const char *)data, size, "fuzz", &e) == 0) {
		lc_prompt_doc docs[2] = { { "T", "text one" }, { NULL, "text two" } };
		size_t gold[1] = { 1 };
		lc_prompt_shot shot = { "a query", gold, 1, NULL, 0 };
		size_t rows[1] = { 1 };
		lc_buf b = {0};
		lc_prompt_build(&b, &t, lc_prompt_titled(&t, docs, 2), docs, 2, NULL, 0, &shot, 1, "q {query}", &e);
		lc_prompt_build(&b, &t, 0, docs, 2, rows, 1, &shot, 1, "q", &e);
		lc_buf_free(&b);
		lc_prompt_tpl_free(&t);
	}
	json_t *v = json_loadb((const char *)data, size, 0, NULL);
	const char *why;
	lc_llm_content(v, &why);
	json_decref(v);
	return 0;
}
