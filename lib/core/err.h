/*
 * err — error reporting shared by every lctk program.
 *
 * Messages have one shape: "lcNAME: WHERE: what is wrong and what to do", where
 * WHERE is "file:line" or "file(member):line:col" when known.  Library code never
 * exits: it fills an lc_err and returns failure; only programs call lc_die().
 * The exceptions, each named so: exhausted memory (the lc_x* allocators and
 * lc_oom() end the program with "out of memory", exit 1, as git's xmalloc does),
 * the *_or_die conveniences programs call (lc_input_open_or_die, lc_input_next),
 * and lc_output (output.h), whose write errors are fatal by design so a failed
 * write never leaves a partial file.
 *
 * Exit codes (CONTRIBUTING): 1 bad input, 2 bad usage.  lc_die() first runs the
 * cleanup hooks (output.c removes its temp files), so a failed run leaves nothing.
 */
#ifndef LC_ERR_H
#define LC_ERR_H

#include <stddef.h>
#include <stdio.h>

enum { LC_EXIT_OK = 0, LC_EXIT_INPUT = 1, LC_EXIT_USAGE = 2 };

/* An error a library function reports to its caller. */
typedef struct lc_err {
	int code;         /* exit code the program should use (LC_EXIT_*) */
	int ref_code;     /* the exit code a reference tool gives for this error, which a
	                     program that mimics it uses (lceval: trec_eval's 2 for a malformed
	                     qrels or run line, where code is LC_EXIT_INPUT); 0 = none */
	char msg[1024];   /* full message without the program name, e.g. "f.jsonl:3: ..." */
} lc_err;

/* Fills e (if not NULL) with printf-style text; sets e->code = code and
 * e->ref_code = 0. Returns -1. */
int lc_err_set(lc_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* lc_err_set, with e->ref_code = ref_code. Returns -1. */
int lc_err_set_ref(lc_err *e, int code, int ref_code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The program's name as used in messages ("lceval").  Set once from main(). */
void lc_set_progname(const char *argv0);
const char *lc_progname(void);

/* "lcNAME: message" on stderr, and lc_die() too: control characters in the message
 * (C0 including \n \t ESC, DEL, C1, bytes that are not UTF-8) are written as \xNN,
 * C1 characters as \u00NN, so data cannot drive the terminal. */
void lc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fn runs before every lc_warn/lc_die message (NULL = none): lib/core/progress ends its
 * meter's line there, so a message never runs into it. */
void lc_set_before_message(void (*fn)(void));
/* Print "lcNAME: message", run cleanup hooks, exit(code). */
_Noreturn void lc_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report an lc_err and exit with its code. */
_Noreturn void lc_die_err(const lc_err *e);

/* s on f with control characters escaped as lc_warn() does; keep_newlines keeps '\n'
 * (for text made of whole lines, such as trec_eval's messages). */
void lc_fputs_escaped(const char *s, int keep_newlines, FILE *f);

/* Reopens any of fds 0-2 that is closed on /dev/null, so a file opened later (a temp
 * output) cannot become stderr and receive messages.  lc_cli_init() calls it first. */
void lc_std_fds_open(void);

/* Cleanup run by lc_die() and by the fatal-signal handler (async-signal-safe). */
void lc_at_die(void (*fn)(void));
void lc_run_die_hooks(void);

/* malloc family that dies on exhaustion ("out of memory"), exit 1.  lc_oom() is
 * the same exit for an allocation made by another library (a stemmer, a PCRE2
 * match block) whose only possible failure is memory. */
_Noreturn void lc_oom(void);
void *lc_xmalloc(size_t n);
void *lc_xcalloc(size_t n, size_t size);
void *lc_xrealloc(void *p, size_t n);
char *lc_xstrdup(const char *s);
char *lc_xstrndup(const char *s, size_t n);

#endif
