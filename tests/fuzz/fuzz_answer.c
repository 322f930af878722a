/* fuzz_answer.c — LOFT's answer rule (both variants): the "Final Answer: [...]"
 * line finder, the Python-literal list reader and the index -> pid mapping. */
#include "fuzz.h"
#include "answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *pids[] = { "a", "b", "c" };
	lc_strlist ids = {0};
	for (int v = LC_ANSWER_LOFT_53358FF; v <= LC_ANSWER_LOFT_HEAD; v++) {
		int flags = lc_answer_parse((const char *)data, size, v, &ids);
		lc_answer_map(&ids, flags, pids, 3);
	}
	lc_strlist_free(&ids);
	return 0;
}
