/* fuzz_qrels.c — the qrels readers (TREC, BEIR tsv, LOFT answers, qrels_jg, prefs and qrels_prefs; detection) and
 * their writers on whatever parses. */
#include "fuzz.h"
#include "qrels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	for (int fmt = LC_QRELS_AUTO; fmt <= LC_QRELS_TREC_PREFS; fmt++) {
		lc_qrels q = {0};
		lc_err e;
		if (lc_qrels_read(&q, path, NULL, NULL, fmt, &e) == 0 && fmt == LC_QRELS_AUTO) {
			lc_output *o = lc_output_open("/dev/null");
			lc_qrels_write_trec(&q, o, &e);
			lc_qrels_write_beir(&q, o, &e);
			lc_qrels_write_loft(&q, o);
			lc_output_abort(o);
		}
		lc_qrels_free(&q);
	}
	close(fd);
	return 0;
}
