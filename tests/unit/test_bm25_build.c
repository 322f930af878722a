/* Unit tests for the index builder's memory budget (lib/retrieve/bm25_build):
 * the same image at every budget, the postings' and pids' shares, and when a
 * temporary file is needed at all (a small build needs none; a needed one that
 * cannot be made is an error naming TMPDIR and --memory). */
#include "bm25.h"
#include "buf.h"
#include "output.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[] = "/tmp/lctk-unit-bm25build-XXXXXX";

/* a builder at limit over n documents: pid "passage-NNNNNN", text "common wK xJ" */
static lc_bm25_builder *build(size_t limit, size_t n)
{
	lc_err e;
	lc_bm25_builder *b = lc_bm25_builder_new(NULL, &e);
	if (!b)
		return NULL;
	lc_bm25_builder_set_memory(b, limit);
	char pid[32], text[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(pid, sizeof pid, "passage-%06zu", i);
		int len = snprintf(text, sizeof text, "common w%zu x%zu", i % 500, i % 7);
		lc_bm25_builder_add(b, pid, text, (size_t)len);
	}
	return b;
}

/* a builder at limit over 100 documents of 50 words each none other has (5,000
 * posting lists, a 32-byte chunk each in memory) and 1,500 bytes of pids */
static lc_bm25_builder *build_wide(size_t limit)
{
	lc_err e;
	lc_bm25_builder *b = lc_bm25_builder_new(NULL, &e);
	if (!b)
		return NULL;
	lc_bm25_builder_set_memory(b, limit);
	char pid[32];
	lc_buf text = {0};
	for (size_t i = 0; i < 100; i++) {
		snprintf(pid, sizeof pid, "passage-%06zu", i);
		lc_buf_reset(&text);
		for (size_t j = 0; j < 50; j++) {
			char w[32];
			snprintf(w, sizeof w, "%sw%zu", j ? " " : "", i * 50 + j);
			lc_buf_adds(&text, w);
		}
		lc_bm25_builder_add(b, pid, text.p, text.len);
	}
	lc_buf_free(&text);
	return b;
}

/* lc_bm25_builder_output into dir/name: 0 or -1 + e; the bytes in *img */
static int output(lc_bm25_builder *b, const char *name, lc_buf *img, lc_err *e)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	lc_output *o = lc_output_open(path);
	int rc = lc_bm25_builder_output(b, 1, 1, o, e);
	if (rc < 0) {
		lc_output_abort(o);
		return -1;
	}
	lc_output_commit(o);
	FILE *f = fopen(path, "rb");
	char blk[4096];
	size_t got;
	while (f && (got = fread(blk, 1, sizeof blk, f)) > 0)
		lc_buf_add(img, blk, got);
	if (f)
		fclose(f);
	return 0;
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("LCTK_NO_SYNC", "1", 1);
	setenv("TMPDIR", tmpdir, 1);
	lc_err e = {0};
	/* the reference: no limit */
	lc_bm25_builder *b = build(0, 5000);
	lc_buf ref = {0};
	lc_bm25_builder_finish(b, 1, 1, &ref);
	lc_bm25_builder_free(b);
	ok(ref.len > 0, "unlimited: an image of %zu bytes", ref.len);

	/* budgets from a byte to past the whole: the same bytes; runs only below the postings */
	static const size_t limits[] = { 1, 1000, 8000, 32000, 1000000 };
	for (size_t k = 0; k < sizeof limits / sizeof *limits; k++) {
		lc_buf img = {0};
		b = build(limits[k], 5000);
		int rc = output(b, "x.idx", &img, &e);
		ok(rc == 0 && img.len == ref.len && !memcmp(img.p, ref.p, ref.len), "limit %zu: the same image (%zu runs)",
		   limits[k], lc_bm25_builder_runs(b));
		if (limits[k] == 1000000)
			is_num(lc_bm25_builder_runs(b), 0, "a budget past the postings spills no run");
		else
			ok(lc_bm25_builder_runs(b) > 0, "limit %zu spills runs", limits[k]);
		lc_bm25_builder_free(b);
		lc_buf_free(&img);
	}

	/* without a usable TMPDIR */
	setenv("TMPDIR", "/nonexistent-lctk-dir", 1);
	lc_buf img = {0};
	b = build(16 * ref.len, 5000);   /* the image within an eighth of the budget */
	ok(output(b, "small.idx", &img, &e) == 0 && img.len == ref.len && !memcmp(img.p, ref.p, ref.len),
	   "a build within its budget needs no TMPDIR");
	lc_bm25_builder_free(b);
	lc_buf_reset(&img);
	b = build(7 * ref.len, 5000);   /* the image past an eighth, within the whole: through memory
	                                 * (the 75 KB of pids within their sixteenth) */
	ok(output(b, "mid.idx", &img, &e) == 0 && img.len == ref.len && !memcmp(img.p, ref.p, ref.len),
	   "an image within the budget goes through memory when no file can be made");
	lc_bm25_builder_free(b);
	/* 5000 pids of 15 bytes (75 KB) past their sixteenth of 200K; postings (~55 KB of chunks) within the rest */
	b = build(200000, 5000);
	is_num(output(b, "pids.idx", &img, &e), -1, "pids past their share want the temporary file");
	ok(strstr(e.msg, "temporary file for index pids in /nonexistent-lctk-dir") &&
	   strstr(e.msg, "set TMPDIR to a writable directory or raise --memory"), "it says so: %s", e.msg);
	is_num(lc_bm25_builder_runs(b), 0, "no run was needed");
	lc_bm25_builder_free(b);
	b = build_wide(32000);   /* pids within their 2,000 bytes, postings far past the rest */
	is_num(output(b, "runs.idx", &img, &e), -1, "runs want the temporary file");
	ok(strstr(e.msg, "temporary file for index runs in /nonexistent-lctk-dir") != NULL, "it says so: %s", e.msg);
	lc_bm25_builder_free(b);
	lc_buf_free(&img);
	lc_buf_free(&ref);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
