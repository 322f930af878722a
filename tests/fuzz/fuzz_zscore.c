/* fuzz_zscore.c — lceval -Z's z file over arbitrary bytes: the four-field line
 * parser with its trec_eval errors, the table sorted by topic and measure, and
 * lookups of topics and measures before, inside and past the file's. */
#include "fuzz.h"
#include "zscore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_zscores *z = lc_zscores_read(path, &e);
	if (z) {
		static const char *const qids[] = { "", "0", "1", "301", "q1", "zzzz", "\xff" };
		static const char *const meas[] = { "", "map", "P_10", "ndcg_cut_10", "num_ret", "zz" };
		double sum = 0;
		for (size_t i = 0; i < sizeof qids / sizeof *qids; i++)
			for (size_t j = 0; j < sizeof meas / sizeof *meas; j++)
				sum += lc_zscore(z, qids[i], meas[j], (double)(i + j));
		(void)sum;
		lc_zscores_free(z);
	}
	close(fd);
	return 0;
}
