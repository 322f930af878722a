/*
 * Unit tests for lib/llm/llmsum without a server: Batch request lines (CoLoR's
 * prompt, custom_id = id, empty passages skipped), Batch results joined on
 * custom_id (any order, unknown ids ignored, per-request errors, missing
 * results), bad options, and an unreachable endpoint failing per passage.
 * The HTTP path with a server is covered by tests/lcgen.bats and lcompress.bats.
 */
#include "buf.h"
#include "llmsum.h"
#include "progress.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lctk-llmsum-XXXXXX";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	lc_buf b = {0};
	char chunk[4096];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		lc_buf_add(&b, chunk, k);
	fclose(f);
	lc_buf_addc(&b, 0);
	return b.p;
}

static const char *const P[] = { "First one. Second one.", "", "Third passage here." };
static const char *const ID[] = { "p1", "p2", "p3" };

static void test_batch_out(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/req.jsonl", tmpdir);
	lc_llmsum_opts o;
	lc_llmsum_opts_default(&o);
	o.llm.model = "m1";
	o.batch_out = path;
	lc_llmsum r;
	lc_err e = {0};
	ok(lc_llmsum_run(&o, P, ID, 3, &r, &e) == 0, "batch out succeeds");
	is_num(r.requests, 2, "two requests (the empty passage is not sent)");
	is_num(r.failed, 0, "nothing failed");
	ok(!r.summary[0] && !r.summary[2], "no summaries yet");
	char *s = slurp(path);
	is_str(s, "{\"custom_id\":\"p1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m1\","
	          "\"messages\":[{\"role\":\"user\",\"content\":\"Summarize the following content. \\nContent:\\nFirst one. "
	          "Second one.\\n Summary:\"}],\"temperature\":0.0}}\n"
	          "{\"custom_id\":\"p3\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m1\","
	          "\"messages\":[{\"role\":\"user\",\"content\":\"Summarize the following content. \\nContent:\\nThird passage "
	          "here.\\n Summary:\"}],\"temperature\":0.0}}\n",
	       "request lines: CoLoR's prompt, custom_id = id");
	free(s);
	lc_llmsum_free(&r);
	o.batch_in = path;
	ok(lc_llmsum_run(&o, P, ID, 3, &r, &e) < 0 && e.code == LC_EXIT_USAGE, "batch in and out exclude each other");
	o.batch_in = NULL;
	ok(lc_llmsum_run(&o, P, NULL, 3, &r, &e) < 0 && e.code == LC_EXIT_USAGE, "batch files need ids");
}

static void test_batch_in(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/res.jsonl", tmpdir);
	tap_write(path,
	     "{\"custom_id\":\"zz\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"x\"}}]}}}\n"
	     "{\"custom_id\":\"p3\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"Third.\"}}]}}}\n"
	     "{\"custom_id\":\"p3\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"again\"}}]}}}\n");
	lc_llmsum_opts o;
	lc_llmsum_opts_default(&o);
	o.batch_in = path;
	lc_llmsum r;
	lc_err e = {0};
	ok(lc_llmsum_run(&o, P, ID, 3, &r, &e) == 0, "batch in succeeds");
	is_str(r.summary[2], "Third.", "joined on custom_id; the first of two results is kept");
	ok(!r.summary[1] && !r.error[1], "the empty passage has neither summary nor error");
	ok(!r.summary[0] && r.error[0], "a passage without a result has an error");
	is_str(r.error[0], "no result for this custom_id in the Batch file", "its message");
	is_num(r.failed, 1, "one failed");
	is_num(r.first_failed, 0, "the first failed is passage 0");
	lc_llmsum_free(&r);
	tap_write(path, "{\"custom_id\":\"p1\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}\nnot json\n");
	ok(lc_llmsum_run(&o, P, ID, 3, &r, &e) < 0 && e.code == LC_EXIT_INPUT, "a line that is not JSON fails the run");
	ok(strstr(e.msg, "res.jsonl:2") != NULL, "with its position");
	tap_write(path, "{\"custom_id\":\"p1\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}\n");
	ok(lc_llmsum_run(&o, P, ID, 3, &r, &e) == 0, "per-request errors do not fail the run");
	is_str(r.error[0], "batch error server_error: boom", "the per-request error is kept");
	lc_llmsum_free(&r);
	static const char *const dup[] = { "a", "b", "a" };
	ok(lc_llmsum_run(&o, P, dup, 3, &r, &e) < 0 && strstr(e.msg, "'a' occurs twice"), "duplicate ids are refused");
}

static void test_unreachable(void)
{
	char cache[300];
	snprintf(cache, sizeof cache, "%s/cache", tmpdir);
	lc_llmsum_opts o;
	lc_llmsum_opts_default(&o);
	o.llm.endpoint = "http://127.0.0.1:9/v1";
	o.llm.model = "m";
	o.llm.cache_dir = cache;
	o.llm.retries = 0;
	o.progress = LC_PROGRESS_QUIET;
	lc_llmsum r;
	lc_err e = {0};
	ok(lc_llmsum_run(&o, P, NULL, 3, &r, &e) == 0, "an unreachable server is not a setup error");
	is_num(r.failed, 2, "both non-empty passages failed");
	ok(r.error[0] && !r.summary[0] && !r.error[1], "per-passage errors; the empty passage is not sent");
	is_num(r.stats.requests, 2, "two requests");
	lc_llmsum_free(&r);
	o.llm.endpoint = "ftp://x";
	ok(lc_llmsum_run(&o, P, NULL, 3, &r, &e) < 0, "a bad endpoint is a setup error");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_batch_out();
	test_batch_in();
	test_unreachable();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
