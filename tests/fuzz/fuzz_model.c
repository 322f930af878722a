/* fuzz_model.c — the compression model file loader (version, checksum, weights);
 * a model that loads is printed and used on a small passage. */
#include "fuzz.h"
#include "compress.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_cmodel m;
	lc_cmodel_init(&m);
	lc_err e;
	if (lc_cmodel_load(&m, path, &e) == 0) {
		lc_buf b = {0};
		lc_cmodel_format(&m, &b);
		lc_buf_free(&b);
		lc_cctx *cx = lc_cctx_new();
		lc_cctx_add(cx, "Title", "One sentence here. Another one there.");
		lc_cunits u = {0};
		lc_cunits_build(&u, cx, "Title", "One sentence here. Another one there.");
		double *p = malloc((u.n ? u.n : 1) * sizeof *p);
		lc_cmodel_probs(&m, &u, p);
		free(p);
		lc_cunits_free(&u);
		lc_cctx_free(cx);
	}
	lc_cmodel_free(&m);
	close(fd);
	return 0;
}
