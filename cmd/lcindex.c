/* lcindex — builds a one-file BM25 index from a corpus, merges shard indexes, prints
 * index statistics (--report FILE: the built or merged index's as JSON).  Logic lives in lib/retrieve/corpus, lib/retrieve/bm25 and lib/retrieve/index_file. */
#include "size.h"
#include "bm25.h"
#include "cli.h"
#include "options.h"
#include "corpus.h"
#include "err.h"
#include "index_file.h"
#include "output.h"
#include "part.h"
#include "pidset.h"
#include "progress.h"
#include "report.h"

#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The memory budget without --memory or LCTK_INDEX_MEMORY: postings, their terms and
 * pids past it spill to TMPDIR, as sort(1) does.  Chosen by measurement (tests/bench/
 * results/bm25-scaling.txt): one million LOFT passages then peak at about 59 MB and
 * 700,000 of real text at 53 MB, below Xapian's 60-100 MB, and a build whose postings
 * fit (about 100k passages) never spills. */
#define DEFAULT_MEMORY "32M"
#define MEMORY_UNSET ULLONG_MAX   /* O.memory before --memory; 0 = unlimited */

/* The options, each bound to its variable in the table (lib/cli/cli.h); only
 * --report reaches the switch. */
static struct {
	const char *out;
	lc_corpus_opts co;
	lc_analyze_opts an;
	int stats, prog;
	long sk, sn;
	unsigned long long memory;
} O = { .co.member_option = LC_OPT_MEMBER_NAME, .co.fields_option = "--id FIELD -f FIELD", .an = { LC_ANALYZE_DEFAULT_FLAGS, NULL }, .prog = LC_PROGRESS_AUTO,
        .memory = MEMORY_UNSET };

/* -o FILE of merge: an index is never compressed (lc_output_plain_name); a build's
 * -o is checked after parsing, since --stats writes text that may be */
static void out_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	*(const char **)o->var = lc_output_plain_name(arg);
}

/* a memory budget: SIZE (lc_size_parse: K/M/G) or "unlimited" (0); what names it
 * (--memory, LCTK_INDEX_MEMORY) leads the message of a bad one */
static unsigned long long memory_size(const lc_cmd *c, const char *what, const char *arg)
{
	if (!strcmp(arg, "unlimited"))
		return 0;
	lc_err me;
	unsigned long long v = lc_size_parse(what, arg, &me);
	if (!v)
		lc_cli_usage_error(c, "%s, or 'unlimited'", me.msg);
	return v;
}

/* --memory SIZE|unlimited */
static void memory_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	O.memory = memory_size(c, "--memory", arg);
}

/* --shard K/N */
static void shard_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	const char *slash = strchr(arg, '/');
	if (!slash)
		lc_cli_usage_error(c, "--shard wants K/N, e.g. 2/8");
	char *k = lc_xstrndup(arg, (size_t)(slash - arg));
	O.sn = lc_cli_long("--shard", slash + 1, 1, 1 << 20);
	O.sk = lc_cli_long("--shard", k, 1, O.sn);
	free(k);
}

static const lc_opt opts[] = {
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_ID(0, LC_BIND_STR(O.co.id_field)),
	LC_OPT_FIELD(LC_BIND_STR(O.co.text_fields)),
	LC_OPT_MEMBER(0, LC_BIND_STR(O.co.member)),
	LC_OPTS_ANALYSER(O.an),
	LC_OPT_SHARD(0, LC_BIND_CALL(shard_cb, O.sn)),
	{ 0, "stats", NULL, "print statistics of the INDEX operands instead of building", NULL, LC_BIND_SET(O.stats, 1) },
	LC_OPT_PROGRESS(0, LC_BIND_SET(O.prog, LC_PROGRESS_FORCE)),
	LC_OPT_QUIET(0, LC_BIND_SET(O.prog, LC_PROGRESS_QUIET)),
	{ 0, "memory", "SIZE", "hold at most SIZE of postings, their terms and pids in memory (default " DEFAULT_MEMORY "; 'unlimited': no limit), spilling sorted runs to $TMPDIR", NULL,
	  LC_BIND_CALL(memory_cb, O.memory) },
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "merge", NULL };
static const char *const renamed[] = { "--text", "-f/--field", NULL };
static const lc_cmd cmd = { "lcindex", "[options] CORPUS... | --stats INDEX... | merge -o FILE PART...",
                            "build a BM25 index (one memory-mappable file) from corpora", opts, subs, renamed, 1 };

static struct {
	const char *out;
} M;

static const lc_opt merge_opts[] = {
	LC_OPT_OUTPUT(LC_BIND_CALL(out_cb, M.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const lc_cmd merge_cmd = { "lcindex merge", "-o FILE PART...",
                                  "merge shard indexes 1/N..N/N into one index identical to a single build",
                                  merge_opts, NULL };

typedef struct build {
	lc_bm25_builder *b;
	lc_pidset seen;           /* duplicate pids: hashes, the builder keeps the strings */
	lc_buf text;
	lc_progress prog;
	size_t done;
} build;

/* lc_pidset's check of a hash match: the earlier pid, from the builder */
static int same_pid(size_t row, const char *pid, size_t len, void *arg, lc_err *e)
{
	return lc_bm25_builder_pid_is(arg, row, pid, len, e);
}

/* lc_pidset_finish's pids: the builder's store */
static int scan_pids(lc_pid_fn fn, void *fn_arg, void *arg, lc_err *e)
{
	return lc_bm25_builder_pid_scan(arg, fn, fn_arg, e);
}

static int add(const lc_passage *p, size_t record, const char *where, void *arg, lc_err *e)
{
	build *st = arg;
	if (lc_pidset_add(&st->seen, p->pid, p->src, p->line, where, same_pid, st->b, e) < 0)
		return -1;
	lc_buf_reset(&st->text);
	lc_passage_text(p, &st->text);
	st->done++;
	/* a failed spill (no TMPDIR, a full disk) ends the reading there, not at the end */
	if (lc_bm25_builder_add(st->b, p->pid, st->text.p ? st->text.p : "", st->text.len) < 0)
		return lc_bm25_builder_error(st->b, e);
	return 0;
}

static void write_image(const char *out, const lc_buf *img)
{
	if ((!out || !strcmp(out, "-")) && isatty(1))
		lc_die(LC_EXIT_USAGE, "refusing to write a binary index to a terminal; use -o INDEX");
	lc_output *o = lc_output_open(out);
	lc_output_write(o, img->p, img->len);
	lc_output_commit(o);
}

static void describe_analyser(const lc_index *ix, char *desc, size_t n);

/* --report: the figures of the index written to out, read back from the file
 * (written to stdout, they are not known) */
static void report_index(lc_report *rep, const char *out)
{
	lc_index ix;
	lc_err e;
	if (!out || !strcmp(out, "-") || lc_index_open(&ix, out, &e) < 0)
		return;
	char desc[128];
	describe_analyser(&ix, desc, sizeof desc);
	lc_report_str(rep, "options.analyser", desc);
	lc_report_int(rep, "options.shard_k", (long long)ix.shard_k);
	lc_report_int(rep, "options.shard_n", (long long)ix.shard_n);
	lc_report_int(rep, "terms", (long long)ix.n_terms);
	lc_report_int(rep, "postings", (long long)ix.n_postings);
	lc_report_int(rep, "total_length", (long long)ix.total_len);
	lc_report_real(rep, "avgdl", ix.n_docs ? (double)ix.total_len / (double)ix.n_docs : 0.0);
	lc_report_int(rep, "bytes", (long long)ix.size);
	lc_index_close(&ix);
}

/* lcindex merge -o OUT PART...: --report FILE writes program, subcommand, the
 * shards and the merged index's figures (those of a build's report) */
static int do_merge(int argc, char **argv)
{
	lc_cli st = {0};
	lc_report rep = {0};
	int c;
	while ((c = lc_cli_next(&st, &merge_cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* -o is bound */
			lc_report_arg(&rep, &merge_cmd, optarg);
	const char *out = M.out;
	if (!out)
		lc_cli_usage_error(&merge_cmd, "give the output with -o OUT");
	int n = argc - st.ind;
	if (n < 1)
		lc_cli_usage_error(&merge_cmd, "give the shard indexes to merge");
	lc_index *parts = lc_xcalloc((size_t)n, sizeof *parts);
	const char **names = lc_xcalloc((size_t)n, sizeof *names);
	lc_err e;
	for (int i = 0; i < n; i++) {
		names[i] = argv[st.ind + i];
		if (lc_index_open(&parts[i], names[i], &e) < 0)
			lc_die_err(&e);
	}
	/* the report names the program, and the subcommand apart, like every other */
	lc_report_start(&rep, &cmd, !strcmp(out, "-"), n, argv + st.ind);
	lc_report_str(&rep, "options.output", out);
	lc_report_str(&rep, "subcommand", "merge");
	unsigned long long docs = 0;
	for (int i = 0; i < n; i++)
		docs += parts[i].n_docs;
	lc_buf img = {0};
	if (lc_index_merge(&img, parts, names, (size_t)n, &e) < 0)
		lc_die_err(&e);
	write_image(out, &img);
	if (lc_report_on(&rep)) {
		lc_report_int(&rep, "shards", n);
		lc_report_int(&rep, "documents", (long long)docs);
		report_index(&rep, out);
		lc_report_write(&rep);
	}
	for (int i = 0; i < n; i++)
		lc_index_close(&parts[i]);
	free(parts);
	free(names);
	lc_buf_free(&img);
	return 0;
}

/* The analyser an index was built with, described into desc (--stats, --report). */
static void describe_analyser(const lc_index *ix, char *desc, size_t n)
{
	lc_err e;
	lc_analyzer *a = lc_analyzer_from_config(ix->flags, ix->stop, ix->stop_len, &e);
	if (!a)
		lc_die_err(&e);
	lc_analyzer_describe(a, desc, n);
	lc_analyzer_free(a);
}

/* --stats: one index's figures as key<TAB>value lines, to o */
static void print_stats(lc_output *o, const char *path)
{
	lc_index ix;
	lc_err e;
	if (lc_index_open(&ix, path, &e) < 0)
		lc_die_err(&e);
	char desc[128];
	describe_analyser(&ix, desc, sizeof desc);
	lc_output_printf(o, "index\t%s\nversion\t%d\nshard\t%u/%u\ndocuments\t%llu\nterms\t%llu\npostings\t%llu\n"
	       "total_length\t%llu\navgdl\t%.4f\nanalyser\t%s\nbytes\t%zu\n",
	       path, LC_INDEX_VERSION, ix.shard_k, ix.shard_n, (unsigned long long)ix.n_docs,
	       (unsigned long long)ix.n_terms, (unsigned long long)ix.n_postings, (unsigned long long)ix.total_len,
	       ix.n_docs ? (double)ix.total_len / (double)ix.n_docs : 0.0, desc, ix.size);
	lc_index_close(&ix);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return do_merge(argc - 1, argv + 1);
	lc_cli st = {0};
	lc_report rep = {0};
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &cmd, optarg);
	const char *out = O.out;
	lc_corpus_opts co = O.co;
	lc_analyze_opts an = O.an;
	int stats = O.stats, prog = O.prog;
	long sk = O.sk, sn = O.sn;
	unsigned long long memory = O.memory;
	if (co.text_fields && !co.id_field)
		lc_cli_usage_error(&cmd, "-f/--field names the text fields of a custom schema: give --id FIELD too");
	if (co.text_fields && !*co.text_fields)
		lc_cli_usage_error(&cmd, "-f/--field wants one or more field names (F1,F2,...)");
	if (stats && rep.path)
		lc_cli_usage_error(&cmd, "--report describes an index being built; --stats prints an index's figures itself");
	lc_report_start(&rep, &cmd, !out || !strcmp(out, "-"), argc - st.ind, argv + st.ind);
	/* the options first, as every report has them (the analyser is added from the index) */
	lc_report_int(&rep, "options.shard_k", sn ? sk : 1);
	lc_report_int(&rep, "options.shard_n", sn ? sn : 1);
	if (stats) {
		if (st.ind >= argc)
			lc_cli_usage_error(&cmd, "--stats wants INDEX operands");
		/* -o FILE as for any text output: atomic; a write error fails (exit 1) */
		lc_output *o = lc_output_open(out);
		for (int i = st.ind; i < argc; i++)
			print_stats(o, argv[i]);
		lc_output_commit(o);
		return 0;
	}
	out = lc_output_plain_name(out);
	co.shard_k = (size_t)sk;
	co.shard_n = (size_t)sn;
	lc_err e;
	build b = {0};
	if (!(b.b = lc_bm25_builder_new(&an, &e)))
		lc_die_err(&e);
	if (sn)   /* a part: its command line's key, which merge checks (index_file.h) */
		lc_bm25_builder_set_run(b.b, lc_part_run_key(argc, argv));
	const char *env = getenv("LCTK_INDEX_MEMORY");
	if (memory == MEMORY_UNSET)
		memory = memory_size(&cmd, env && *env ? "LCTK_INDEX_MEMORY" : "the default", env && *env ? env : DEFAULT_MEMORY);
	lc_bm25_builder_set_memory(b.b, (size_t)memory);
	lc_pidset_set_limit(&b.seen, lc_bm25_pid_check_share((size_t)memory));   /* the budget's share */
#ifdef __GLIBC__
	/* The budget is what the process holds: blocks of 128 KiB and more are mapped
	 * and unmapped, so what a spill frees goes back to the system.  (By default
	 * glibc raises this threshold as large blocks are freed, then keeps what the
	 * next runs free in its heap: 700k passages of real text peaked at 61.7 MB
	 * instead of 52.3, at the same CPU time.) */
	if (memory)
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	lc_progress_start(&b.prog, "records", prog);
	co.progress = &b.prog;   /* lc_corpus_read: records read, percent of the file */
	size_t records = 0;
	static char *stdin_only[] = { "-" };
	char **files = st.ind < argc ? argv + st.ind : stdin_only;
	int nfiles = st.ind < argc ? argc - st.ind : 1;
	for (int i = 0; i < nfiles; i++)
		if (lc_corpus_read(files[i], &co, add, &b, NULL, &records, &e) < 0) {
			/* a pid repeated across the check's chunks comes first if it came before */
			lc_err dup;
			if (lc_pidset_finish(&b.seen, scan_pids, b.b, &dup) > 0)
				lc_die_err(&dup);
			lc_die_err(&e);
		}
	lc_progress_done(&b.prog);
	if (lc_pidset_finish(&b.seen, scan_pids, b.b, &e) != 0)
		lc_die_err(&e);
	if (!records)
		lc_die(LC_EXIT_INPUT, "%s: empty corpus (no passages); nothing to index",
		       nfiles == 1 ? (strcmp(files[0], "-") ? files[0] : "(stdin)") : "input");
	if ((!out || !strcmp(out, "-")) && isatty(1))
		lc_die(LC_EXIT_USAGE, "refusing to write a binary index to a terminal; use -o INDEX");
	size_t ndocs = lc_bm25_builder_ndocs(b.b);
	lc_pidset_free(&b.seen);   /* every pid is checked: its memory goes before the image's */
	lc_output *o = lc_output_open(out);
	if (lc_bm25_builder_output(b.b, sn ? (uint32_t)sk : 1, sn ? (uint32_t)sn : 1, o, &e) < 0)
		lc_die_err(&e);
	lc_output_commit(o);
	if (lc_report_on(&rep)) {
		lc_report_int(&rep, "records", (long long)records);
		lc_report_int(&rep, "documents", (long long)ndocs);
		report_index(&rep, out);   /* the index was streamed out: read back */
		lc_report_write(&rep);
	}
	lc_buf_free(&b.text);
	lc_bm25_builder_free(b.b);
	return 0;
}
