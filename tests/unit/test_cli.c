/* Unit tests for lib/cli/cli's option binding (lc_opt kind/var) and the shared declarations of lib/cli/options.h. */
#include "cli.h"
#include "options.h"
#include "tap.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

enum { OPT_PLAIN = 256 };

static const char *s_out, *s_enc = "cl100k_base";
static long s_seed = 7;
static long s_jobs = 1;
static int s_quiet;
static double s_b = 0.4;
static lc_llm_opts s_llm;
static int s_cb_calls;
static const char *s_cb_arg;

static void count_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	(void)cmd;
	s_cb_calls += *(int *)o->var;
	s_cb_arg = arg;
}
static int s_step = 1;

/* the LC_BIND_*_NOTE forms: the value is stored, then the note names the option */
static const char *s_pre;
static long s_n = 5;
static int s_f;
static long s_big;
static size_t s_sz = 5;
static unsigned long s_ul = 5;
static lc_analyze_opts s_an = { LC_ANALYZE_DEFAULT_FLAGS, NULL };
static const lc_opt *s_last;
static int s_notes;
static void note_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	(void)cmd;
	(void)arg;
	s_last = o;
	s_notes++;
}

static const lc_opt opts[] = {
	LC_OPT_OUTPUT(LC_BIND_STR(s_out)),
	LC_OPT_ENCODING(LC_BIND_STR(s_enc)),
	LC_OPT_SEED(s_seed),
	LC_OPT_JOBS(s_jobs),
	LC_OPT_QUIET(0, LC_BIND_SET(s_quiet, 3)),
	LC_OPT_B(s_b, NULL),
	{ 'x', "count", "ARG", "callback", NULL, LC_BIND_CALL(count_cb, s_step) },
	LC_OPTS_LLM_CLIENT(s_llm),
	{ 0, "pre", "P", "noted string", NULL, LC_BIND_STR_NOTE(s_pre, note_cb) },
	{ 0, "num", "N", "noted long", NULL, LC_BIND_LONG_NOTE(s_n, 1, 9, note_cb) },
	{ 0, "big", "N", "long up to LONG_MAX", NULL, LC_BIND_LONG(s_big, 1, LONG_MAX) },
	LC_OPTS_ANALYSER(s_an),
	{ 0, "size", "N", "a size_t", NULL, LC_BIND_SIZE(s_sz, 0, 1L << 40) },
	{ 0, "ulong", "N", "an unsigned long", NULL, LC_BIND_ULONG(s_ul, 0, LONG_MAX) },
	{ 0, "flag", NULL, "noted flag", NULL, LC_BIND_SET_NOTE(s_f, 4, note_cb) },
	{ OPT_PLAIN, "plain", "V", "an unbound option the caller sees", NULL },
	{ 'u', "unbound", NULL, "an unbound flag", NULL },
	LC_OPT_END
};
static const lc_cmd cmd = { "test_cli", "[options]", "cli binding test", opts, NULL };

/* Parses argv (NULL-terminated); returns the ids the caller saw, as a string of letters ('P' = --plain). */
static const char *parse(char **argv, int *first_operand)
{
	static char seen[64];
	size_t n = 0;
	int argc = 0;
	while (argv[argc])
		argc++;
	lc_cli st = {0};
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1 && n + 1 < sizeof seen)
		seen[n++] = c == OPT_PLAIN ? 'P' : (char)c;
	seen[n] = 0;
	*first_operand = st.ind;
	return seen;
}

/* Runs parse in a child; returns its exit status (2 = usage error). */
static int child_status(char **argv)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(99);
		int ind;
		parse(argv, &ind);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	lc_llm_opts_default(&s_llm);
	char *a1[] = { "t", "-o", "out.jsonl", "--seed", "42", "-j3", "--quiet", "--b", "0.75", "-e", "o200k_base",
		       "-x", "one", "--count=two", "--plain", "v", "-u", "--endpoint", "http://h/v1", "--model", "m",
		       "--retries", "2", "--timeout", "1.5", "--no-cache", "--max-tokens", "9", "--temperature", "0.5",
		       "operand", NULL };
	int ind;
	is_str(parse(a1, &ind), "Pu", "bound options are not returned; unbound ones are, in order");
	is_str(s_out, "out.jsonl", "LC_OPT_STR stores optarg");
	is_str(s_enc, "o200k_base", "-e stores into its variable");
	is_num(s_seed, 42, "LC_OPT_LONG parses");
	is_num(s_jobs, 3, "-j (a long) parses an attached short argument");
	is_num(s_quiet, 3, "LC_OPT_SET stores its value");
	is_num(s_b, 0.75, "LC_OPT_DOUBLE parses");
	is_num(s_cb_calls, 2, "LC_OPT_CALL calls back once per use");
	is_str(s_cb_arg, "two", "the callback gets the argument of --name=ARG");
	is_str(s_llm.endpoint, "http://h/v1", "LLM block: --endpoint");
	is_str(s_llm.model, "m", "LLM block: --model");
	is_num(s_llm.retries, 2, "LLM block: --retries");
	is_num(s_llm.timeout, 1.5, "LLM block: --timeout");
	is_num(s_llm.no_cache, 1, "LLM block: --no-cache");
	is_num(s_llm.max_tokens, 9, "LLM block: --max-tokens");
	is_num(s_llm.temperature, 0.5, "LLM block: --temperature");
	is_str(a1[ind], "operand", "st.ind is the first operand");
	ok(!strcmp(lc_cli_opt_name(&cmd, OPT_PLAIN), "plain"), "lc_cli_opt_name still finds unbound options");

	is_num(s_notes, 0, "no note before a noted option is given");
	char *a2[] = { "t", "--num", "3", "--flag", "--pre", "p", "--num=8", NULL };
	is_str(parse(a2, &ind), "", "noted options are bound, not returned");
	is_num(s_n, 8, "LC_BIND_LONG_NOTE stores the last value");
	is_num(s_f, 4, "LC_BIND_SET_NOTE stores its value");
	is_str(s_pre, "p", "LC_BIND_STR_NOTE stores optarg");
	is_num(s_notes, 4, "the note is called once per use");
	is_str(s_last ? s_last->name : "", "num", "the note sees the option given last");
	char *a3[] = { "t", "--big", "9223372036854775807", NULL };
	parse(a3, &ind);
	is_num(s_big == LONG_MAX, 1, "a LONG_MAX bound takes LONG_MAX (the double range is clamped)");
	char *bad00[] = { "t", "--big", "0", NULL };
	is_num(child_status(bad00), 2, "below a LONG_MAX range is still a usage error");
	char *a4[] = { "t", "--no-stopwords", "--stopwords", "sw.txt", "--no-stem", NULL };
	is_str(parse(a4, &ind), "", "the analyser options are bound");
	is_num(s_an.flags, LC_AN_STOP, "--no-stopwords then --stopwords FILE: stopwords on, --no-stem: stemming off");
	is_str(s_an.stopword_file, "sw.txt", "--stopwords stores the file");
	char *a5[] = { "t", "--no-stopwords", NULL };
	parse(a5, &ind);
	is_num(s_an.flags, 0, "--no-stopwords after --stopwords FILE clears LC_AN_STOP");
	char *a6[] = { "t", "--size", "1099511627776", NULL };
	parse(a6, &ind);
	is_num(s_sz == (size_t)1 << 40, 1, "LC_OPT_SIZE stores a size_t up to its bound");
	char *bad6[] = { "t", "--size", "-1", NULL };
	is_num(child_status(bad6), 2, "a negative LC_OPT_SIZE is a usage error");
	char *a7[] = { "t", "--ulong", "9223372036854775807", NULL };
	parse(a7, &ind);
	is_num(s_ul == (unsigned long)LONG_MAX, 1, "LC_OPT_ULONG stores an unsigned long up to LONG_MAX");
	char *a8[] = { "t", "--ulong=0", NULL };
	is_str(parse(a8, &ind), "", "LC_OPT_ULONG is bound, not returned");
	is_num(s_ul, 0, "LC_OPT_ULONG takes its lower bound");
	char *bad7[] = { "t", "--ulong", "-1", NULL };
	is_num(child_status(bad7), 2, "a negative LC_OPT_ULONG is a usage error");
	char *bad8[] = { "t", "--ulong", "9223372036854775808", NULL };
	is_num(child_status(bad8), 2, "an LC_OPT_ULONG past its bound is a usage error");
	char *bad0[] = { "t", "--num", "10", NULL };
	is_num(child_status(bad0), 2, "a noted long out of range is a usage error");

	char *bad1[] = { "t", "--seed", "-1", NULL };
	is_num(child_status(bad1), 2, "a bound long out of range is a usage error (exit 2)");
	char *bad2[] = { "t", "-j", "x", NULL };
	is_num(child_status(bad2), 2, "a bound int that is not a number is a usage error");
	char *bad3[] = { "t", "--b", "1.5", NULL };
	is_num(child_status(bad3), 2, "a bound double out of range is a usage error");
	char *bad4[] = { "t", "--retries", "-1", NULL };
	is_num(child_status(bad4), 2, "an LLM block value out of range is a usage error");
	char *bad5[] = { "t", "--seed", NULL };
	is_num(child_status(bad5), 2, "a bound option without its argument is a usage error");
	char *good[] = { "t", "--quiet", NULL };
	is_num(child_status(good), 0, "a good parse exits 0");
	return done_testing();
}
