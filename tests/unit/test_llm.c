/*
 * Unit tests for lib/llm/llm against tests/llm-server.py (started here on 127.0.0.1,
 * ephemeral port): answers, parallel runs, retries on 429/500/dropped
 * connections/malformed JSON, non-retryable 4xx, the cache (hits, key-free
 * contents), Batch request lines and result parsing.  Skips when python3 is absent.
 */
#include "buf.h"
#include "llm.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lctk-llm-XXXXXX";
static pid_t server_pid;
static char url[128];
static int nserver;

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

/* Starts the server with the given extra args (NULL-terminated). 0 = ok. */
static int start_server(const char *const *extra)
{
	char portfile[256], logfile[256];
	nserver++;
	snprintf(portfile, sizeof portfile, "%s/port%d", tmpdir, nserver);
	snprintf(logfile, sizeof logfile, "%s/log%d", tmpdir, nserver);
	const char *srcdir = getenv("LCTK_SRC");
	char script[512];
	snprintf(script, sizeof script, "%s/tests/llm-server.py", srcdir ? srcdir : ".");
	const char *argv[32] = { "python3", script, "--port-file", portfile, "--log", logfile, "--retry-after", "0.1",
	                         "--slow", "2", "--expect-key", "sk-test-SECRET-123" };
	int k = 12;
	for (int i = 0; extra && extra[i] && k < 30; i++)
		argv[k++] = extra[i];
	argv[k] = NULL;
	server_pid = fork();
	if (server_pid == 0) {
		execvp("python3", (char **)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(portfile, "r");
		int port;
		if (f && fscanf(f, "%d", &port) == 1) {
			fclose(f);
			snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", port);
			return 0;
		}
		if (f)
			fclose(f);
		struct timespec ts = { 0, 20000000 };
		nanosleep(&ts, NULL);
	}
	stop_server();
	return -1;
}

static int log_lines(void)
{
	char logfile[256], line[4096];
	snprintf(logfile, sizeof logfile, "%s/log%d", tmpdir, nserver);
	FILE *f = fopen(logfile, "r");
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		n++;
	if (f)
		fclose(f);
	return n;
}

static int log_has(const char *s)
{
	char logfile[256], line[4096];
	snprintf(logfile, sizeof logfile, "%s/log%d", tmpdir, nserver);
	FILE *f = fopen(logfile, "r");
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		n += strstr(line, s) != NULL;
	if (f)
		fclose(f);
	return n;
}

#define NQ 6
static const char *prompts[NQ] = {
	"ID: 0 | TITLE: a | CONTENT: cats purr softly | END ID: 0\n\nID: 1 | TITLE: b | CONTENT: dogs bark loudly | END ID: 1\n\n"
	"====== Now let's start! ======\nquery: why do dogs bark\n",
	"ID: 0 | TITLE: a | CONTENT: cats purr softly | END ID: 0\n\nID: 1 | TITLE: b | CONTENT: dogs bark loudly | END ID: 1\n\n"
	"====== Now let's start! ======\nquery: cats purr\n",
	"Summarize the following content. \nContent:\nFirst sentence here. Second one.\n Summary:",
	"[[reply:Final Answer: [7]]]",
	"plain prompt three",
	"plain prompt four",
};

typedef struct outcome {
	int done, ok, cached;
	char text[256];
} outcome;
static outcome got[NQ];
static int skip_mask;

static json_t *make(void *ud, size_t i)
{
	(void)ud;
	if (skip_mask & (1 << i))
		return NULL;
	return lc_llm_user_messages(prompts[i]);
}

static void done(void *ud, size_t i, const lc_llm_result *r)
{
	(void)ud;
	got[i].done++;
	got[i].ok = r->ok;
	got[i].cached = r->cached;
	snprintf(got[i].text, sizeof got[i].text, "%s", r->ok ? r->content : r->error);
}

static double timeout = 20;

static lc_llm *client(const char *cache, int retries)
{
	lc_llm_opts o;
	lc_llm_opts_default(&o);
	o.endpoint = url;
	o.model = "test-model";
	o.cache_dir = cache;
	o.no_cache = cache == NULL;
	o.parallel = 3;
	o.retries = retries;
	o.backoff = 0.05;
	o.backoff_max = 0.5;
	o.timeout = timeout;
	lc_err e = {0};
	lc_llm *c = lc_llm_new(&o, &e);
	if (!c)
		printf("# %s\n", e.msg);
	return c;
}

static size_t run(lc_llm *c)
{
	memset(got, 0, sizeof got);
	return lc_llm_run(c, NQ, make, done, NULL);
}

static int grep_dir(const char *dir, const char *needle)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "grep -rqF -- '%s' '%s'", needle, dir);
	return system(cmd) == 0;
}

static void test_basic(void)
{
	char cache[300];
	snprintf(cache, sizeof cache, "%s/cache", tmpdir);
	ok(start_server(NULL) == 0, "server starts");
	lc_llm *c = client(cache, 2);
	ok(run(c) == 0, "six requests succeed");
	is_str(got[0].text, "The most relevant document is ID 1.\nFinal Answer: ['1']", "LOFT answer 0");
	is_str(got[1].text, "The most relevant document is ID 0.\nFinal Answer: ['0']", "LOFT answer 1");
	is_str(got[2].text, "First sentence here.", "summarisation prompt");
	is_str(got[3].text, "Final Answer: [7", "scripted reply");
	int once = 1;
	for (int i = 0; i < NQ; i++)
		once &= got[i].done == 1 && !got[i].cached;
	ok(once, "each request answered once, none from cache");
	is_num(log_lines(), NQ, "server saw six requests");
	is_num(log_has("\"auth\": \"ok\""), NQ, "the key went in the Authorization header");
	ok(!grep_dir(cache, "SECRET"), "the key is not in the cache");
	/* re-run: everything from the cache, no request */
	ok(run(c) == 0, "re-run succeeds");
	once = 1;
	for (int i = 0; i < NQ; i++)
		once &= got[i].done == 1 && got[i].cached;
	ok(once, "re-run answered from the cache");
	is_num(log_lines(), NQ, "re-run sent nothing");
	is_str(got[0].text, "The most relevant document is ID 1.\nFinal Answer: ['1']", "cached answer intact");
	const lc_llm_stats *st = lc_llm_stats_get(c);
	is_num(st->cached, NQ, "stats count cache hits");
	lc_llm_free(c);
	/* another model is another request */
	lc_llm_opts o;
	lc_llm_opts_default(&o);
	o.endpoint = url;
	o.model = "other-model";
	o.cache_dir = cache;
	lc_err e = {0};
	c = lc_llm_new(&o, &e);
	skip_mask = ~1;
	run(c);
	skip_mask = 0;
	ok(got[0].done == 1 && !got[0].cached && got[1].done == 0, "a different model misses the cache; skipped requests get no callback");
	is_num(log_lines(), NQ + 1, "one more request");
	lc_llm_free(c);
	stop_server();
}

static void test_faults(void)
{
	const char *f1[] = { "--fault", "429:1", "--fault", "500:1", "--fault", "drop:1", "--fault", "malformed:1", NULL };
	ok(start_server(f1) == 0, "fault server starts");
	lc_llm *c = client(NULL, 4);
	ok(run(c) == 0, "all requests succeed after 429, 500, drop and malformed replies");
	is_str(got[1].text, "The most relevant document is ID 0.\nFinal Answer: ['0']", "answer after retries");
	is_num(log_lines(), NQ * 5, "five attempts per request");
	const lc_llm_stats *st = lc_llm_stats_get(c);
	/* libcurl itself may re-send once when a reused connection was dropped */
	ok(st->retries >= NQ * 3 && st->retries <= NQ * 4, "retries counted (%zu)", st->retries);
	lc_llm_free(c);
	stop_server();
	/* too few retries: every request fails with the last error (429, 500, malformed) */
	const char *f3[] = { "--fault", "429:1", "--fault", "500:1", "--fault", "malformed:1", NULL };
	ok(start_server(f3) == 0, "fault server starts");
	c = client(NULL, 2);
	ok(run(c) == NQ, "with 2 retries every request fails");
	ok(strstr(got[0].text, "HTTP 200 but malformed JSON in the reply") != NULL, "error names the cause: %s", got[0].text);
	ok(strstr(got[0].text, "after 3 attempts") != NULL, "error counts attempts: %s", got[0].text);
	lc_llm_free(c);
	stop_server();

	const char *f2[] = { "--fault", "slow:1", "--slow", "4", NULL };
	ok(start_server(f2) == 0, "slow server starts");
	timeout = 1.5;
	c = client(NULL, 0);
	ok(run(c) == NQ, "a reply slower than the timeout fails without retries");
	ok(strstr(got[0].text, "imeout") || strstr(got[0].text, "timed out"), "timeout reported: %s", got[0].text);
	lc_llm_free(c);
	c = client(NULL, 1);
	ok(run(c) == 0, "and succeeds on the retry");
	lc_llm_free(c);
	stop_server();
	timeout = 20;

	ok(start_server(NULL) == 0, "server starts");
	c = client(NULL, 3);
	prompts[4] = "[[status:400]] bad";
	prompts[5] = "[[status:503]] down";
	int before = log_lines();
	ok(run(c) == 2, "a 400 and a permanent 503 fail");
	ok(strstr(got[4].text, "HTTP 400: injected status 400") != NULL, "400 message: %s", got[4].text);
	ok(strstr(got[5].text, "HTTP 503") && strstr(got[5].text, "after 4 attempts"), "503 retried: %s", got[5].text);
	is_num(log_lines() - before, 4 + 1 + 4, "400 not retried, 503 retried 3 times");
	prompts[4] = "plain prompt three";
	prompts[5] = "plain prompt four";
	lc_llm_free(c);
	stop_server();
	/* nothing listens there any more */
	c = client(NULL, 1);
	/* the same connection error 3 times in a row: the run stops, nothing more is sent */
	ok(run(c) < NQ, "unreachable endpoint: the run stops before every request failed");
	const char *why = lc_llm_aborted(c);
	ok(why && strstr(why, "3 requests in a row failed the same way") && strstr(why, "onnect") &&
	   strstr(why, "nothing more sent"), "one connection error reported: %s", why ? why : "(none)");
	lc_llm_free(c);
}

static void test_batch(void)
{
	lc_llm_opts o;
	lc_llm_opts_default(&o);
	o.endpoint = "https://api.example.org/v1/";
	o.model = "m";
	o.no_cache = 1;
	lc_err e = {0};
	lc_llm *c = lc_llm_new(&o, &e);
	is_str(lc_llm_url(c), "https://api.example.org/v1/chat/completions", "URL from a base endpoint");
	lc_llm_free(c);
	const char *urls[][2] = {
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions" },
		{ "http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/chat/completions" },
		{ "http://h/v1/chat/completions", "http://h/v1/chat/completions" },
		{ "http://h/openai/deployments/x", "http://h/openai/deployments/x/chat/completions" },
	};
	for (size_t k = 0; k < 4; k++) {
		o.endpoint = urls[k][0];
		c = lc_llm_new(&o, &e);
		is_str(c ? lc_llm_url(c) : e.msg, urls[k][1], urls[k][0]);
		lc_llm_free(c);
	}
	o.endpoint = "https://api.example.org/v1/";
	c = lc_llm_new(&o, &e);
	lc_buf b = {0};
	json_t *m = lc_llm_user_messages("hi \"there\"");
	json_t *body = lc_llm_body(c, m);
	lc_llm_batch_request(&b, "q1", body);
	is_str(b.p, "{\"custom_id\":\"q1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\","
	       "\"messages\":[{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}],\"temperature\":0.0}}\n",
	       "batch request line");
	json_decref(m);
	json_decref(body);
	lc_buf_free(&b);
	lc_llm_free(c);

	o.endpoint = "ftp://x";
	ok(lc_llm_new(&o, &e) == NULL && e.code == LC_EXIT_USAGE, "non-HTTP endpoint refused: %s", e.msg);
}

static char bids[8][32], btext[8][128];
static int bok[8], bn;
static void on_batch(void *ud, const char *id, const lc_llm_result *r, const char *where)
{
	(void)ud;
	(void)where;
	if (bn < 8) {
		snprintf(bids[bn], sizeof bids[bn], "%s", id);
		snprintf(btext[bn], sizeof btext[bn], "%s", r->ok ? r->content : r->error);
		bok[bn++] = r->ok;
	}
}

static void test_batch_read(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/results.jsonl", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("{\"id\":\"b1\",\"custom_id\":\"q2\",\"response\":{\"status_code\":200,\"body\":{\"choices\":[{\"message\":"
	      "{\"role\":\"assistant\",\"content\":\"Final Answer: [3]\"}}]}},\"error\":null}\n"
	      "{\"id\":\"b2\",\"custom_id\":\"q1\",\"response\":null,\"error\":{\"code\":\"bad\",\"message\":\"nope\"}}\n"
	      "\n"
	      "{\"id\":\"b3\",\"custom_id\":\"q3\",\"response\":{\"status_code\":500,\"body\":{\"error\":{\"message\":\"boom\"}}},\"error\":null}\n",
	      f);
	fclose(f);
	lc_err e = {0};
	ok(lc_llm_batch_read(path, on_batch, NULL, &e) == 0 && bn == 3, "three results read");
	ok(!strcmp(bids[0], "q2") && bok[0] && !strcmp(btext[0], "Final Answer: [3]"), "ok result");
	ok(!strcmp(bids[1], "q1") && !bok[1] && strstr(btext[1], "nope"), "error object reported: %s", btext[1]);
	ok(!strcmp(bids[2], "q3") && !bok[2] && strstr(btext[2], "500"), "status 500 reported: %s", btext[2]);
	f = fopen(path, "w");
	fputs("{\"custom_id\":\"q1\",\"response\":{\"status_code\":200,\"body\":{}}}\n{broken\n", f);
	fclose(f);
	bn = 0;
	ok(lc_llm_batch_read(path, on_batch, NULL, &e) == -1 && strstr(e.msg, ":2:"), "bad line is an input error: %s", e.msg);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("LCTK_API_KEY", "sk-test-SECRET-123", 1);
	setenv("no_proxy", "127.0.0.1", 1);   /* loopback only, whatever proxy is configured */
	setenv("NO_PROXY", "127.0.0.1", 1);
	if (system("python3 -c 1 >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP python3 not available\n");
		return 0;
	}
	test_basic();
	test_faults();
	test_batch();
	test_batch_read();
	stop_server();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return done_testing();
}
