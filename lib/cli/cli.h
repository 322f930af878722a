/*
 * cli — one option table per program drives getopt_long, --help, the lint check
 * and the shell completions.
 *
 * A program declares
 *     static const lc_opt opts[] = {
 *         { 'o', "output", "FILE", "write to FILE atomically", LC_COMPLETE_FILE },
 *         { OPT_SEED, "seed", "N", "random seed", NULL },
 *         LC_OPT_END };
 *     static const lc_cmd cmd = { "lcfoo", "[options] FILE...", "one-line summary", opts, NULL };
 * and loops `while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1) switch (c) ...`.
 * -h/--help, --version, --max-record BYTES (every program: the largest input
 * record, lc_input_set_max_record) and the hidden --lctk-options (machine-readable table, used
 * by completions/generate.sh and tests/lint.sh) are handled inside lc_cli_next().
 * Unknown options and missing arguments exit 2 with a hint to --help.
 * Options that name a file the program writes (long name output, batch-out,
 * responses or stats, with an argument and LC_COMPLETE_FILE) are checked with
 * lc_output_check() as they are parsed: a bad output name fails before any work.
 * An --output DIR (LC_COMPLETE_DIR) with a compression suffix is a usage error.
 *
 * id: a printable short option letter, or a value >= 256 for long-only options
 * (0 is allowed for a bound long-only option: it is never returned).
 * complete: NULL (free text), LC_COMPLETE_FILE, LC_COMPLETE_DIR, or
 * "choice1 choice2 ..." for an argument taken from a fixed list.
 *
 * Binding (git's parse-options is the model): an entry with kind != LC_OPT_NONE
 * is handled inside lc_cli_next(), which stores into var and goes on to the next
 * option without returning this one to the caller's switch:
 *     LC_OPT_STR     var is const char **, set to optarg (argv memory, not copied)
 *     LC_OPT_LONG    var is long *, lc_cli_long(optarg, min, max)
 *     LC_OPT_INT     var is int *,  lc_cli_long(optarg, min, max) (min/max within int)
 *     LC_OPT_DOUBLE  var is double *, lc_cli_double(optarg, min, max)
 *     LC_OPT_SET     var is int *, set to (int)min (a flag: arg must be NULL)
 *     LC_OPT_SIZE    var is size_t *, lc_cli_long(optarg, min, max) (0 <= min <= max)
 *     LC_OPT_ULONG   var is unsigned long *, lc_cli_long(optarg, min, max) (0 <= min <= max; a seed)
 *     LC_OPT_CALL    cb(cmd, opt, optarg) is called (optarg NULL for a flag)
 * Any other kind with a cb (the LC_BIND_*_NOTE forms): cb is called after the value
 * is stored, to note that (or which of a group of) options was given, e.g. for
 * "--prefix belongs to split" naming the last one the user typed.
 * Shared options (the lctk vocabulary, lctk(7)) are declared once in options.h.
 */
#ifndef LC_CLI_H
#define LC_CLI_H

#include <stddef.h>

#include "data.h"  /* lc_data_path, for programs that used to find it here */

#define LC_COMPLETE_FILE "@file"
#define LC_COMPLETE_DIR "@dir"

/* Option tables leave the binding fields out ({ id, name, arg, help, complete }):
 * zero is LC_OPT_NONE, so -Wextra's missing-field-initializers warning is noise here. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct lc_cmd;
struct lc_opt;

enum lc_opt_kind { LC_OPT_NONE, LC_OPT_STR, LC_OPT_LONG, LC_OPT_INT, LC_OPT_DOUBLE, LC_OPT_SET, LC_OPT_CALL,
                   LC_OPT_SIZE, LC_OPT_ULONG };

/* A bound option's callback: may exit through lc_cli_usage_error(cmd, ...). */
typedef void lc_opt_cb(const struct lc_cmd *cmd, const struct lc_opt *o, const char *arg);

typedef struct lc_opt {
	int id;
	const char *name;        /* long name without "--" */
	const char *arg;         /* argument name for --help, NULL = flag */
	const char *help;
	const char *complete;
	enum lc_opt_kind kind;   /* LC_OPT_NONE: returned to the caller (the default) */
	void *var;               /* where a bound option stores its value (not owned) */
	double min, max;         /* LONG/INT/SIZE/ULONG/DOUBLE range; SET: the value stored */
	lc_opt_cb *cb;           /* LC_OPT_CALL; other kinds: NULL or a note called after storing */
} lc_opt;

#define LC_OPT_END { 0, NULL, NULL, NULL, NULL, LC_OPT_NONE, NULL, 0, 0, NULL }

/* The binding fields of an entry, after complete: { 'o', "output", "FILE", "...", NULL, LC_BIND_STR(out) }.
 * The variable must outlive the parse (static for a static table).  A range's
 * bounds are stored as doubles (cast here: LONG_MAX rounds up to 2^63, which
 * range_long in cli.c reads back as LONG_MAX). */
#define LC_BIND_STR(v) LC_OPT_STR, (void *)(1 ? &(v) : (const char **)0), 0, 0, NULL
#define LC_BIND_LONG(v, lo, hi) LC_OPT_LONG, (void *)(1 ? &(v) : (long *)0), (double)(lo), (double)(hi), NULL
#define LC_BIND_INT(v, lo, hi) LC_OPT_INT, (void *)(1 ? &(v) : (int *)0), (double)(lo), (double)(hi), NULL
#define LC_BIND_DOUBLE(v, lo, hi) LC_OPT_DOUBLE, (void *)(1 ? &(v) : (double *)0), (double)(lo), (double)(hi), NULL
#define LC_BIND_SET(v, val) LC_OPT_SET, (void *)(1 ? &(v) : (int *)0), (val), 0, NULL
#define LC_BIND_SIZE(v, lo, hi) LC_OPT_SIZE, (void *)(1 ? &(v) : (size_t *)0), (double)(lo), (double)(hi), NULL
#define LC_BIND_ULONG(v, lo, hi) LC_OPT_ULONG, (void *)(1 ? &(v) : (unsigned long *)0), (double)(lo), (double)(hi), NULL
#define LC_BIND_CALL(fn, v) LC_OPT_CALL, (void *)&(v), 0, 0, (fn)
/* The same, with note(cmd, opt, optarg) called after the value is stored. */
#define LC_BIND_STR_NOTE(v, note) LC_OPT_STR, (void *)(1 ? &(v) : (const char **)0), 0, 0, (note)
#define LC_BIND_LONG_NOTE(v, lo, hi, note) LC_OPT_LONG, (void *)(1 ? &(v) : (long *)0), (double)(lo), (double)(hi), (note)
#define LC_BIND_DOUBLE_NOTE(v, lo, hi, note) LC_OPT_DOUBLE, (void *)(1 ? &(v) : (double *)0), (double)(lo), (double)(hi), (note)
#define LC_BIND_SIZE_NOTE(v, lo, hi, note) LC_OPT_SIZE, (void *)(1 ? &(v) : (size_t *)0), (double)(lo), (double)(hi), (note)
#define LC_BIND_SET_NOTE(v, val, note) LC_OPT_SET, (void *)(1 ? &(v) : (int *)0), (val), 0, (note)

typedef struct lc_cmd {
	const char *name;        /* "lceval" or "lctok encode" */
	const char *usage;       /* after the name */
	const char *summary;     /* one line */
	const lc_opt *opts;
	const char *const *subcommands; /* NULL-terminated, or NULL */
	const char *const *renamed;     /* NULL-terminated pairs: an old spelling ("--text", "-k") and
	                                   the new one ("-f/--field"); using the old one (or an
	                                   abbreviation equal to it) is a usage error naming the new one */
	int sub_optional;               /* 1: the program also runs without a subcommand (lcretrieve
	                                   QUERIES... | merge ...), so its first word may be an option or
	                                   a file; the completions offer those there too */
} lc_cmd;

typedef struct lc_cli {
	void *longopts;          /* built on first call; freed at the end */
	char *shortopts;
	const lc_opt *cur;       /* the option just returned */
	int ind;                 /* optind after parsing */
	struct { const char *opt, *path; } outs[8];   /* the files options named to write, by option */
	int nouts;
} lc_cli;

/* Next option id, -1 at the end (st->ind = first operand).  optarg holds the argument.
 * Bound options (kind != LC_OPT_NONE) are stored and skipped, never returned. */
int lc_cli_next(lc_cli *st, const lc_cmd *cmd, int argc, char **argv);
/* The long name of option id in cmd's table, NULL if none (or id 0). */
const char *lc_cli_opt_name(const lc_cmd *cmd, int id);
/* Prints --help for cmd on stdout. */
void lc_cli_help(const lc_cmd *cmd);
/* "lcNAME: message\nTry 'lcNAME --help'." then exit 2. */
_Noreturn void lc_cli_usage_error(const lc_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Validated numbers: junk, overflow or out-of-range exits 2 naming the option. */
long lc_cli_long(const char *opt, const char *arg, long min, long max);
double lc_cli_double(const char *opt, const char *arg, double min, double max);


/* Reopens closed fds 0-2 on /dev/null (lc_std_fds_open), calls lc_set_progname,
 * installs output cleanup (lc_output_install_signal_cleanup) and routes jansson's allocations
 * through lc_xmalloc (out of memory = clean exit 1); call first in main(). */
void lc_cli_init(int argc, char **argv);

#endif
