/* fuzz_json.c — the JSON wrapper: parse a line, typed field access, re-encode. */
#include "fuzz.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lc_err e;
	json_t *v = lc_json_parse_object((const char *)data, size, "fuzz:1", &e);
	if (!v)
		return 0;
	lc_buf b = {0};
	int bad;
	(void)lc_json_str(v, "pid", "fuzz:1", &e);
	(void)lc_json_opt_str(v, "title_text", "fuzz:1", &e, &bad);
	(void)lc_json_id(json_object_get(v, "qid"), &b, "qid", "fuzz:1", &e);
	lc_buf_reset(&b);
	lc_json_dump(&b, v);
	json_decref(v);
	lc_buf_free(&b);
	return 0;
}
