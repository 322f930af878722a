/*
 * Unit tests for lib/retrieve/llmretrieve's lc_llmr_ask (lcgen labels --llm) without a
 * server: the prompts written to a Batch file (the swapped passage, the rows
 * subset renumbered, few-shot gold passages added, the corpus text restored
 * between requests) and the answers read back from a Batch results file
 * (LOFT's parse, row ids mapped to pids, duplicates dropped, unparseable and
 * missing answers); identical prompts written once and answered alike.  HTTP runs are covered by tests/lcgen.bats.
 */
#include "buf.h"
#include "corpus.h"
#include "llmretrieve.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lctk-llmrask-XXXXXX";

static size_t count_bytes(void *ud, const char *s, size_t n)
{
	(void)ud;
	(void)s;
	return n;
}

static void spit(const char *dir, const char *name, const char *text, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", dir, name);
	tap_write(path, text);
}

/* The user message of Batch request line k of path (malloc'd), or NULL. */
static char *prompt_of(const char *path, int k)
{
	json_error_t je;
	FILE *f = fopen(path, "r");
	char line[1 << 16];
	char *out = NULL;
	for (int i = 0; f && fgets(line, sizeof line, f); i++)
		if (i == k) {
			json_t *v = json_loads(line, 0, &je);
			const char *c = json_string_value(json_object_get(
				json_array_get(json_object_get(json_object_get(v, "body"), "messages"), 0), "content"));
			out = c ? strdup(c) : NULL;
			json_decref(v);
		}
	if (f)
		fclose(f);
	return out;
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	char cpath[300], fpath[300], tpath[300], bpath[300], rpath[300];
	spit(tmpdir, "c.jsonl",
	     "{\"pid\":\"p1\",\"title_text\":\"One\",\"passage_text\":\"First passage.\"}\n"
	     "{\"pid\":\"p2\",\"title_text\":\"Two\",\"passage_text\":\"Second passage.\"}\n"
	     "{\"pid\":\"p3\",\"title_text\":\"Three\",\"passage_text\":\"Third passage.\"}\n",
	     cpath, sizeof cpath);
	spit(tmpdir, "few.jsonl", "{\"qid\":\"f1\",\"query_text\":\"second\",\"answers\":[[\"p2\",1]]}\n", fpath, sizeof fpath);
	spit(tmpdir, "t.txt", "@instruction\nFind it.\n@format\nFinal Answer: [id]\n@query\nquery: {query}\n", tpath,
	     sizeof tpath);
	snprintf(bpath, sizeof bpath, "%s/b.jsonl", tmpdir);
	lc_corpus c = {0};
	lc_err e = {0};
	ok(lc_corpus_load(&c, cpath, NULL, &e) == 0, "corpus loads");
	static const size_t only3[] = { 2 };
	lc_llmr_req rq[] = {
		{ "r0", "first", 0, "SWAPPED one.", NULL, 0 },
		{ "r1", "third", 2, "SWAPPED three.", only3, 1 },
		{ "r2", "plain", -1, NULL, NULL, 0 },
		{ "r3", "plain", 1, "Second passage.", NULL, 0 },   /* the same prompt as r2 */
	};
	lc_llmr_opts o;
	lc_llmr_opts_default(&o);
	o.llm.model = "m";
	o.prompt = tpath;
	o.corpus_path = cpath;
	o.few_shot = fpath;
	o.batch_out = bpath;
	lc_llmr_ans ans[4];
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) == 0, "batch out: %s", e.msg);
	ok(!ans[0].answered && !ans[0].error, "batch out leaves the answers empty");
	char *p0 = prompt_of(bpath, 0), *p1 = prompt_of(bpath, 1), *p2 = prompt_of(bpath, 2);
	ok(p0 && strstr(p0, "ID: 0 | TITLE: One | CONTENT: SWAPPED one. | END ID: 0") && !strstr(p0, "First passage."),
	   "request 0: the candidate in place of row 0, title kept");
	ok(p0 && strstr(p0, "ID: 2 | TITLE: Three | CONTENT: Third passage. | END ID: 2"), "request 0: every row");
	ok(p1 && strstr(p1, "ID: 0 | TITLE: Two | CONTENT: Second passage. | END ID: 0") &&
	       strstr(p1, "ID: 1 | TITLE: Three | CONTENT: SWAPPED three. | END ID: 1") && !strstr(p1, "One"),
	   "request 1: rows {2} + the few-shot gold (row 1), renumbered");
	ok(p1 && strstr(p1, "TITLE: Two | ID: 0"), "request 1: the example cites its gold by its new id");
	ok(p2 && strstr(p2, "CONTENT: First passage.") && strstr(p2, "CONTENT: Third passage.") && !strstr(p2, "SWAPPED"),
	   "request 2: the corpus is restored after each swap");
	ok(p2 && strstr(p2, "query: plain\n"), "request 2: its query last");
	char *p3 = prompt_of(bpath, 3);
	ok(!p3, "request 3 has request 2's prompt: written once");
	free(p0);
	free(p1);
	free(p2);
	free(p3);
	spit(tmpdir, "r.jsonl",
	     "{\"custom_id\":\"r1\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"Final Answer: ['1']\"}}]}}}\n"
	     "{\"custom_id\":\"r0\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"x\\nFinal Answer: ['2', 0, '2']\"}}]}}}\n",
	     rpath, sizeof rpath);
	o.batch_out = NULL;
	o.batch_in = rpath;
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) == 0, "batch in: %s", e.msg);
	ok(ans[0].answered && ans[0].parsed && ans[0].pids.n == 2, "request 0: two distinct pids");
	if (ans[0].pids.n == 2) {
		is_str(ans[0].pids.s[0], "p3", "row 2 -> p3 first");
		is_str(ans[0].pids.s[1], "p1", "row 0 -> p1 second");
	}
	ok(ans[1].parsed && ans[1].pids.n == 1 && !strcmp(ans[1].pids.s[0], "p3"), "request 1: id 1 of its prompt -> p3");
	ok(!ans[2].answered && ans[2].error && strstr(ans[2].error, "no result for this custom_id"), "request 2: no result");
	ok(!ans[3].answered && ans[3].error && !strcmp(ans[3].error, ans[2].error), "request 3 shares request 2's outcome");
	lc_llmr_ans_free(ans, 4);
	spit(tmpdir, "r.jsonl",
	     "{\"custom_id\":\"r0\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"Final Answer: ['7']\"}}]}}}\n"
	     "{\"custom_id\":\"r1\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":{\"content\":\"no list\"}}]}}}\n"
	     "{\"custom_id\":\"r2\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}\n",
	     rpath, sizeof rpath);
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) == 0, "batch in again");
	ok(ans[0].answered && !ans[0].parsed && ans[0].pids.n == 0, "an id not in the prompt: answered, not parsed");
	ok(ans[1].answered && !ans[1].parsed, "no Final Answer line: answered, not parsed");
	is_str(ans[2].error, "batch error server_error: boom", "a per-request error");
	is_str(ans[3].error, "batch error server_error: boom", "shared by the request with the same prompt");
	lc_llmr_ans_free(ans, 4);
	/* --context-limit: every distinct prompt counted before anything is read or sent */
	o.context_limit = 50;
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) < 0 && e.code == LC_EXIT_USAGE, "a limit without a counter is refused");
	o.count = count_bytes;
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) < 0 && strstr(e.msg, "request r0: the prompt is ") &&
	       strstr(e.msg, "over --context-limit 50"), "a prompt over the limit is a setup error: %s", e.msg);
	o.context_limit = 100000;
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) == 0, "under the limit: runs");
	lc_llmr_ans_free(ans, 4);
	o.context_limit = 0;
	/* setup errors */
	lc_llmr_req dup[] = { { "a", "q", -1, NULL, NULL, 0 }, { "a", "q", -1, NULL, NULL, 0 } };
	ok(lc_llmr_ask(&o, &c, dup, 2, ans, &e) < 0 && strstr(e.msg, "'a' occurs twice"), "duplicate ids with batch in");
	o.batch_in = NULL;
	o.prompt = "/nonexistent/t.txt";
	ok(lc_llmr_ask(&o, &c, rq, 4, ans, &e) < 0, "a missing template is a setup error");
	lc_corpus_free(&c);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
