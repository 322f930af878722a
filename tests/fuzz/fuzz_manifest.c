/* fuzz_manifest.c — the decomposed-dataset manifest reader (D_k/manifest.jsonl)
 * used by lcschedule and lcdecompose merge. */
#include "fuzz.h"
#include "buf.h"
#include "wds.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	char path[128];
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/lctk-fuzz-manifest-%d", (int)getpid());
		mkdir(dir, 0700);
		snprintf(path, sizeof path, "%s/D_8", dir);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof path, "%s/D_8/manifest.jsonl", dir);
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	lc_wds_binfo *b = NULL;
	size_t n = 0;
	lc_err e;
	if (lc_wds_buckets(dir, &b, &n, &e) == 0)
		free(b);
	lc_buf s = {0};
	lc_wds_stats(dir, &s, &e);
	lc_buf_free(&s);
	return 0;
}
