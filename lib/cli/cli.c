/* cli — getopt_long driven by a table; help, version, completion dump, numbers. */
#include "cli.h"
#include "err.h"
#include "input.h"
#include "output.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT_HELP (-100)
#define OPT_VERSION (-101)
#define OPT_DUMP (-102)
#define OPT_MAX_RECORD (-103)

void lc_cli_init(int argc, char **argv)
{
	(void)argc;
	lc_std_fds_open();   /* before anything opens a file that could become fd 2 */
	lc_set_progname(argv[0]);
	lc_output_install_signal_cleanup();
	/* jansson asserts inside its lexer when an allocation fails: make every
	 * jansson allocation die cleanly with "out of memory" instead. */
	json_set_alloc_funcs(lc_xmalloc, free);
}

static int n_opts(const lc_opt *o)
{
	int n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

static void build(lc_cli *st, const lc_cmd *cmd)
{
	int n = n_opts(cmd->opts);
	struct option *lo = lc_xcalloc((size_t)n + 5, sizeof *lo);
	char *so = lc_xmalloc((size_t)n * 2 + 8);
	size_t k = 0;
	so[k++] = ':';
	so[k++] = 'h';
	for (int i = 0; i < n; i++) {
		const lc_opt *o = &cmd->opts[i];
		lo[i].name = o->name;
		lo[i].has_arg = o->arg ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = 1000 + i;         /* index-based, mapped back to id */
		if (o->id > 0 && o->id < 256) {
			so[k++] = (char)o->id;
			if (o->arg)
				so[k++] = ':';
		}
	}
	so[k] = 0;
	lo[n] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	lo[n + 1] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
	lo[n + 2] = (struct option){ "lctk-options", no_argument, NULL, OPT_DUMP };
	/* every program that reads records shares this one (lib/core/input.h) */
	lo[n + 3] = (struct option){ "max-record", required_argument, NULL, OPT_MAX_RECORD };
	st->longopts = lo;
	st->shortopts = so;
}

void lc_cli_help(const lc_cmd *cmd)
{
	printf("usage: %s %s\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
	for (const lc_opt *o = cmd->opts; o && o->name; o++) {
		char left[64];
		if (o->id > 0 && o->id < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-26s %s\n", left, o->help);
	}
	printf("  %-26s %s\n", "    --max-record BYTES", "largest input record (line) in bytes, 0 = no limit (default 64 MiB)");
	printf("  %-26s %s\n", "-h, --help", "show this help and exit");
	printf("  %-26s %s\n", "    --version", "show the version and exit");
	printf("\nSee %s(1) for details.\n", lc_progname());
}

/* One line per option: "opt\t-x\t--name\tARG\tcomplete\thelp", then "sub\tNAME" lines
 * ("sub\tNAME\toptional" when the program also runs without one: cmd->sub_optional). */
static void dump(const lc_cmd *cmd)
{
	for (const lc_opt *o = cmd->opts; o && o->name; o++) {
		char s[4] = "";
		if (o->id > 0 && o->id < 256)
			snprintf(s, sizeof s, "-%c", o->id);
		printf("opt\t%s\t--%s\t%s\t%s\t%s\n", s, o->name, o->arg ? o->arg : "", o->complete ? o->complete : "",
		       o->help ? o->help : "");
	}
	printf("opt\t\t--max-record\tBYTES\t\tlargest input record (line) in bytes, 0 = no limit (default 64 MiB)\n");
	printf("opt\t-h\t--help\t\t\tshow this help and exit\nopt\t\t--version\t\t\tshow the version and exit\n");
	for (const char *const *s = cmd->subcommands; s && *s; s++)
		printf("sub\t%s%s\n", *s, cmd->sub_optional ? "\toptional" : "");
}

void lc_cli_usage_error(const lc_cmd *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lc_warn("%s", msg);   /* escapes control characters from argv */
	fprintf(stderr, "Try '%s --help' for more information.\n", cmd->name);
	lc_run_die_hooks();
	exit(LC_EXIT_USAGE);
}

/* Exit 0 after --help, --version or --lctk-options printed to stdout, or 1 with a
 * message when that failed (stdout on a full disk), as every program's output does
 * (lib/core/output: the same message, and 141 for a closed pipe). */
static _Noreturn void exit_printed(void)
{
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		int err = errno;
		if (err == EPIPE)   /* a closed pipe ends it quietly, as lc_output does */
			_exit(141);
		lc_die(LC_EXIT_INPUT, "(stdout): write error%s%s", err ? ": " : "", err ? strerror(err) : "");
	}
	exit(0);
}

/* 1 if o names a file the program writes through lc_output: -o FILE and the
 * others below, and --report FILE (which lc_report_arg checks itself). */
static int writes_file(const lc_opt *o, int with_report)
{
	static const char *const names[] = { "output", "batch-out", "responses", "stats", NULL };
	if (!o->arg || !o->complete || strcmp(o->complete, LC_COMPLETE_FILE))
		return 0;
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(o->name, names[i]))
			return 1;
	return with_report && !strcmp(o->name, "report");
}

/* An option naming a file the program will write (lc_output) is checked as it is
 * parsed, so "-o ''", a directory, a missing directory or an unwritable suffix fail
 * before any input is read. */
static void check_output(const lc_cmd *cmd, const lc_opt *o)
{
	if (o->arg && o->complete && !strcmp(o->complete, LC_COMPLETE_DIR) && !strcmp(o->name, "output") &&
	    lc_output_compressed(optarg))
		lc_cli_usage_error(cmd, "%s: -o names a directory of shards, which cannot be compressed: drop the suffix", optarg);
	if (!writes_file(o, 0))
		return;
	lc_err e;
	if (lc_output_check(optarg, &e) == 0)
		return;
	if (e.code == LC_EXIT_USAGE)
		lc_cli_usage_error(cmd, "%s", e.msg);
	lc_die_err(&e);
}

/* Two options naming one file to write (-o x --report x): the second rename would
 * replace the first's file, so that is a usage error.  st keeps each option's
 * last file (an option given twice names its file once). */
static void check_distinct(lc_cli *st, const lc_cmd *cmd, const lc_opt *o)
{
	if (!writes_file(o, 1))
		return;
	int slot = -1;
	for (int k = 0; k < st->nouts; k++) {
		if (!strcmp(st->outs[k].opt, o->name))
			slot = k;
		else if (lc_output_same_file(st->outs[k].path, optarg))
			lc_cli_usage_error(cmd, "%s: given to both --%s and --%s; each output needs a file of its own",
			                   optarg, st->outs[k].opt, o->name);
	}
	if (slot < 0 && st->nouts < (int)(sizeof st->outs / sizeof st->outs[0]))
		slot = st->nouts++;
	if (slot >= 0)
		st->outs[slot].opt = o->name, st->outs[slot].path = optarg;
}

/* A range bound of the table (a double) as a long: LONG_MAX and LONG_MIN do not
 * survive the trip through double exactly (2^63 does not fit), so they are clamped. */
static long range_long(double v)
{
	if (v >= (double)LONG_MAX)
		return LONG_MAX;
	if (v <= (double)LONG_MIN)
		return LONG_MIN;
	return (long)v;
}

/* Stores a bound option's value; returns 0 if o is not bound (the caller gets it). */
static int bind(const lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	char flag[80];
	if (o->id > 0 && o->id < 256)
		snprintf(flag, sizeof flag, "-%c", o->id);
	else
		snprintf(flag, sizeof flag, "--%s", o->name);
	switch (o->kind) {
	case LC_OPT_NONE:
		return 0;
	case LC_OPT_STR:
		*(const char **)o->var = arg;
		break;
	case LC_OPT_LONG:
		*(long *)o->var = lc_cli_long(flag, arg, range_long(o->min), range_long(o->max));
		break;
	case LC_OPT_INT:
		*(int *)o->var = (int)lc_cli_long(flag, arg, (long)o->min, (long)o->max);
		break;
	case LC_OPT_SIZE:
		*(size_t *)o->var = (size_t)lc_cli_long(flag, arg, range_long(o->min), range_long(o->max));
		break;
	case LC_OPT_ULONG:
		*(unsigned long *)o->var = (unsigned long)lc_cli_long(flag, arg, range_long(o->min), range_long(o->max));
		break;
	case LC_OPT_DOUBLE:
		*(double *)o->var = lc_cli_double(flag, arg, o->min, o->max);
		break;
	case LC_OPT_SET:
		*(int *)o->var = (int)o->min;
		break;
	case LC_OPT_CALL:
		o->cb(cmd, o, arg);
		return 1;
	}
	if (o->cb)   /* a note: the value is stored, tell the program the option was given */
		o->cb(cmd, o, arg);
	return 1;
}

/* word is what the user typed ("--text=a,b", "--batch", "-k"): a usage error if
 * cmd lists it as an old spelling. */
static void check_renamed(const lc_cmd *cmd, const char *word)
{
	if (!cmd->renamed || !word)
		return;
	size_t n = strcspn(word, "=");
	for (const char *const *r = cmd->renamed; r[0] && r[1]; r += 2)
		if (strlen(r[0]) == n && !strncmp(word, r[0], n))
			lc_cli_usage_error(cmd, "%s is now %s", r[0], r[1]);
}

/* One getopt step: an option id, -1 at the end, or -2 after a handled option. */
static int step(lc_cli *st, const lc_cmd *cmd, int argc, char **argv)
{
	if (!st->longopts) {
		build(st, cmd);
		optind = 1;
		opterr = 0;
	}
	int li = -1;
	int c = getopt_long(argc, argv, st->shortopts, st->longopts, &li);
	st->ind = optind;
	if (c == -1) {
		free(st->longopts);
		free(st->shortopts);
		st->longopts = NULL;
		st->shortopts = NULL;
		return -1;
	}
	switch (c) {
	case 'h':
	case OPT_HELP:
		lc_cli_help(cmd);
		exit_printed();
	case OPT_VERSION:
		printf("%s (lctk) %s\n", cmd->name, LCTK_VERSION);
		exit_printed();
	case OPT_DUMP:
		dump(cmd);
		exit_printed();
	case OPT_MAX_RECORD:
		lc_input_set_max_record((size_t)lc_cli_long("--max-record", optarg, 0, LONG_MAX));
		return -2;
	case ':':
		if (optopt > 0 && optopt < 256)
			lc_cli_usage_error(cmd, "option -%c needs an argument", optopt);
		lc_cli_usage_error(cmd, "option %s needs an argument", argv[optind - 1]);
	case '?':
		if (optopt > 0 && optopt < 256) {
			char w[3] = { '-', (char)optopt, 0 };
			check_renamed(cmd, w);
			lc_cli_usage_error(cmd, "unknown option -%c", optopt);
		}
		check_renamed(cmd, argv[optind - 1]);
		lc_cli_usage_error(cmd, "unknown option %s", argv[optind - 1]);
	}
	if (c >= 1000) {
		/* a long option: getopt takes an unambiguous abbreviation, so an old
		 * spelling that is a prefix of a new one ("--batch") is caught here */
		int back = optarg && optind >= 2 && optarg == argv[optind - 1] ? 2 : 1;
		check_renamed(cmd, optind - back >= 1 ? argv[optind - back] : NULL);
		st->cur = &cmd->opts[c - 1000];
		check_output(cmd, st->cur);
		check_distinct(st, cmd, st->cur);
		if (bind(cmd, st->cur, optarg))
			return -2;
		return st->cur->id;
	}
	for (const lc_opt *o = cmd->opts; o && o->name; o++)
		if (o->id == c) {
			st->cur = o;
			check_output(cmd, o);
			check_distinct(st, cmd, o);
			if (bind(cmd, o, optarg))
				return -2;
			return c;
		}
	lc_cli_usage_error(cmd, "unknown option -%c", c);
}

int lc_cli_next(lc_cli *st, const lc_cmd *cmd, int argc, char **argv)
{
	int c;
	while ((c = step(st, cmd, argc, argv)) == -2)
		;
	return c;
}

long lc_cli_long(const char *opt, const char *arg, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end || errno == ERANGE || v < min || v > max)
		lc_die(LC_EXIT_USAGE, "option %s: '%s' is not a whole number from %ld to %ld", opt, arg, min, max);
	return v;
}

double lc_cli_double(const char *opt, const char *arg, double min, double max)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end == arg || *end || errno == ERANGE || !isfinite(v) || v < min || v > max)
		lc_die(LC_EXIT_USAGE, "option %s: '%s' is not a number from %g to %g", opt, arg, min, max);
	return v;
}

const char *lc_cli_opt_name(const lc_cmd *cmd, int id)
{
	for (const lc_opt *o = cmd->opts; id && o && o->name; o++)
		if (o->id == id)
			return o->name;
	return NULL;
}
