/* fuzz_run.c — the run readers: TREC run, run JSONL, LOFT predictions, raw LLM
 * answers and OpenAI Batch results (answers parsed and mapped through a small pid
 * list), then every writer. */
#include "fuzz.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	static char *pids[] = { "p0", "p1", "p2", "p3" };
	for (int fmt = LC_RUN_AUTO; fmt <= LC_RUN_BATCH; fmt++) {
		lc_run r = {0};
		lc_err e;
		lc_run_opts o = { .format = fmt, .pids = pids, .npids = 4 };
		if (lc_run_read(&r, path, &o, &e) == 0) {
			lc_output *out = lc_output_open("/dev/null");
			lc_run_write_trec(&r, out, NULL, NULL, &e);
			lc_run_write_jsonl(&r, out);
			lc_run_write_loft(&r, out);
			lc_output_abort(out);
		}
		lc_run_free(&r);
	}
	close(fd);
	return 0;
}
