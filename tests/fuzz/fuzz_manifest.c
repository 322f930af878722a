/* fuzz_manifest.c — the decomposed-dataset manifest reader (D_k/manifest.jsonl)
 * used by lcschedule and lcdecompose merge.  Each input is written to
 * DIR/D_8/manifest.jsonl, DIR made once per process with mkdtemp under $TMPDIR
 * (else /tmp) and removed at exit, so replays and fuzz runs leave nothing behind. */
#include "fuzz.h"
#include "buf.h"
#include "wds.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[4096];

static void remove_dir(void)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/D_8/manifest.jsonl", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/D_8", dir);
	rmdir(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200];
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/lctk-fuzz-manifest-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			dir[0] = 0;
			return 0;
		}
		atexit(remove_dir);
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
