/* fuzz_answer.c — LOFT's answer rule and the Python-literal reader (lib/llm/answer),
 * both line-selection variants, then the index -> pid mapping. */
#include "fuzz.h"
#include "answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const pids[] = { "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11" };
	lc_strlist ids = { 0 };
	for (int v = 0; v < 2; v++) {
		int fl = lc_answer_parse((const char *)data, size, v, &ids);
		(void)lc_answer_map(&ids, fl, pids, 12);
	}
	lc_strlist_free(&ids);
	return 0;
}
