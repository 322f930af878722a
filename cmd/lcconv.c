/*
 * lcconv — converts corpora, queries, qrels and runs between LOFT JSONL, BEIR
 * (also straight out of a BEIR .zip), TREC and lctk's run JSONL, so any dataset a
 * user has can enter an lctk pipeline.  The readers and writers are libcore's
 * (corpus, queries, qrels, run); this file only picks them and reports what the
 * target format cannot hold (--report FILE: the counts as JSON).
 */
#include "cli.h"
#include "options.h"
#include "corpus.h"
#include "err.h"
#include "input.h"
#include "output.h"
#include "progress.h"
#include "qrels.h"
#include "queries.h"
#include "report.h"
#include "run.h"
#include "strmap.h"
#include "trecid.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_AUTO, K_CORPUS, K_QUERIES, K_QRELS, K_RUN };
/* The options, each bound to its variable in the table (lib/cli/cli.h); only
 * --report reaches the switch. */
static struct {
	const char *to, *from, *member, *qrels, *qmember, *tag, *out;
	int kind, pmode;
} O = { .kind = K_AUTO, .pmode = LC_PROGRESS_AUTO };

static void kind_cb(const lc_cmd *c, const lc_opt *o, const char *arg);

static const lc_opt opts[] = {
	{ 0, "kind", "KIND", "what the input holds: corpus, queries, qrels or run (default: detected)",
	  "corpus queries qrels run", LC_BIND_CALL(kind_cb, O.kind) },
	LC_OPT_TO(0, "loft beir tsv trec jsonl", LC_BIND_STR(O.to)),
	LC_OPT_FROM(0, "trec beir loft jsonl answers batch", LC_BIND_STR(O.from)),
	LC_OPT_MEMBER(0, LC_BIND_STR(O.member)),
	LC_OPT_QRELS(0, LC_BIND_STR(O.qrels)),
	LC_OPT_QRELS_MEMBER(0, LC_BIND_STR(O.qmember)),
	LC_OPT_TAG(0, O.tag),
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_PROGRESS(0, LC_BIND_SET(O.pmode, LC_PROGRESS_FORCE)),
	LC_OPT_QUIET(0, LC_BIND_SET(O.pmode, LC_PROGRESS_QUIET)),
	LC_OPT_REPORT,
	LC_OPT_END
};

static const char *const renamed[] = { "-k", "--kind", "-t", "--to", NULL };
static const lc_cmd cmd = { "lcconv", "--to FORMAT [--kind KIND] [options] [FILE...]",
	"convert corpora, queries, qrels and runs between LOFT, BEIR, TREC and lctk formats", opts, NULL, renamed };

static int kind_from_name(const char *s)
{
	static const char *names[] = { "auto", "corpus", "queries", "qrels", "run" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* --kind NAME */
static void kind_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if ((*(int *)o->var = kind_from_name(arg)) < 0)
		lc_cli_usage_error(c, "unknown kind '%s' (corpus, queries, qrels, run)", arg);
}

/* 1 when path's bytes are a zip or tar archive (a BEIR or LOFT dataset). */
static int archive(const char *path)
{
	lc_err e = {0};
	int r = lc_input_archive(path, &e);
	if (r < 0)
		lc_die_err(&e);
	return r;
}

/* 1 if the white-space-separated fields f[0 .. n) of a line read as TREC qrels
 * ('qid iter docno rel') or a TREC run ('qid iter docno rank score tag'): the
 * iter column 0 or Q0 (any number), and numbers where the format has them. */
static int trec_shaped(const char *const *f, const size_t *fl, int n)
{
	double v;
	if (n < 4 || !(lc_trec_number(f[1], fl[1], &v) || (fl[1] == 2 && !memcmp(f[1], "Q0", 2))))
		return 0;
	if (n == 4)
		return lc_trec_number(f[3], fl[3], &v);
	return n >= 6 && lc_trec_number(f[3], fl[3], &v) && lc_trec_number(f[4], fl[4], &v);
}

/* Guesses the kind from the first content line of path (lcconv(1), --kind): a JSON
 * record by its fields; 'qid<TAB>text' (one tab, as --to tsv writes) as TSV queries;
 * other lines by their number of fields (3 or 4: qrels, 6 or more: a run).  A line
 * of one tab that also reads as TREC qrels or a run, an empty file and a line of
 * no kind are bad input (exit 1) that name --kind; standard input and an archive
 * need --kind (exit 2). */
static int detect_kind(const char *path, const char *member)
{
	if (!strcmp(path, "-"))
		lc_die(LC_EXIT_USAGE, "standard input is read once: say what it holds with --kind KIND (corpus, queries, "
		       "qrels or run)");
	if (!member && archive(path))
		lc_die(LC_EXIT_USAGE, "%s: a BEIR zip or tar holds a corpus, queries and qrels: say which with --kind KIND",
		       path);
	lc_err e = {0};
	lc_input *in = lc_input_open_default(path, member, NULL, LC_OPT_MEMBER_NAME, &e);
	if (!in)
		lc_die_err(&e);
	char *line;
	size_t len;
	int kind = -1, seen = 0;
	while (lc_input_next(in, &line, &len)) {
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			continue;
		seen = 1;
		if (line[i] == '{') {
			if (strstr(line, "\"hits\"") || strstr(line, "\"model_outputs\""))
				kind = K_RUN;
			else if (strstr(line, "\"passage_text\"") || strstr(line, "\"title\""))
				kind = K_CORPUS;
			else if (strstr(line, "\"query_text\"") || strstr(line, "\"_id\""))
				kind = K_QUERIES;
		} else if (!strncmp(line + i, "query-id", 8)) {
			kind = K_QRELS;
		} else {
			const char *f[6];
			size_t fl[6];
			int fields = lc_trec_fields(line + i, len - i, f, fl, 6);
			size_t tabs = 0;
			for (size_t k = i; k < len; k++)
				tabs += line[k] == '\t';
			if (tabs == 1 && i == 0) {
				/* 'qid<TAB>text' */
				if (trec_shaped(f, fl, fields))
					lc_die(LC_EXIT_INPUT, "%s: the line reads both as TSV queries ('qid<TAB>text') and as a TREC "
					       "%s line: say which with --kind queries or --kind %s", lc_input_where(in),
					       fields == 4 ? "qrels" : "run", fields == 4 ? "qrels" : "run");
				kind = K_QUERIES;
			} else {
				kind = fields == 4 || fields == 3 ? K_QRELS : fields >= 6 ? K_RUN : -1;
			}
		}
		break;
	}
	if (kind < 0 && !seen)
		lc_die(LC_EXIT_INPUT, "%s: no record to tell the kind from: give --kind KIND (corpus, queries, qrels or "
		       "run)", lc_input_name(in));
	if (kind < 0)
		lc_die(LC_EXIT_INPUT, "%s: cannot tell whether this is a corpus, queries, qrels or a run: give --kind KIND",
		       lc_input_where(in));
	lc_input_close(in);
	return kind;
}

static void conv_corpus(char **files, int nfiles, const char *to, const char *member, lc_output *o, lc_report *rep,
                        int pmode)
{
	int beir = !strcmp(to, "beir");
	if (!beir && strcmp(to, "loft"))
		lc_die(LC_EXIT_USAGE, "a corpus converts to loft or beir, not '%s'", to);
	lc_corpus c = {0};
	lc_progress pr;
	lc_progress_start(&pr, "records", pmode);
	lc_corpus_opts co = { .member = member, .member_option = LC_OPT_MEMBER_NAME, .keep_meta = 1,
	                      .progress = &pr };
	lc_err e = {0};
	for (int i = 0; i < nfiles; i++)
		if (lc_corpus_load(&c, files[i], &co, &e) < 0)
			lc_die_err(&e);
	lc_progress_done(&pr);
	lc_buf b = {0};
	size_t summaries = 0;
	for (size_t i = 0; i < c.n; i++) {
		lc_buf_reset(&b);
		if (beir) {
			summaries += c.p[i].summary != NULL;
			lc_corpus_write_beir(&b, &c.p[i]);
		} else {
			lc_corpus_write_loft(&b, &c.p[i]);
		}
		lc_output_write(o, b.p, b.len);
	}
	if (summaries)
		lc_warn("%zu passages have summary_text, which a BEIR corpus cannot hold: not written", summaries);
	lc_report_int(rep, "records", (long long)c.n);
	lc_report_int(rep, "summaries_dropped", (long long)summaries);
	lc_buf_free(&b);
	lc_corpus_free(&c);
}

/* LOFT answers are a query's gold passages: lceval -m loft takes every answer of
 * LOFT queries whatever its relevance, and from other qrels the judgments at
 * least its relevance level, 1.  A TREC or BEIR judgment of 0 or below
 * (non-relevant, or in the pool but unjudged) is therefore no answer: q keeps
 * only its relevant judgments, and a query left with none is taken out of q, as
 * if it had not been judged.  LOFT answers stay as they are.  Returns the
 * judgments left out; *queries counts the queries. */
static size_t keep_relevant(lc_qrels *q, size_t *queries)
{
	*queries = 0;
	if (q->format == LC_QRELS_LOFT)
		return 0;
	size_t dropped = 0;
	for (size_t i = 0; i < q->nq; i++)
		for (size_t k = 0; k < q->q[i].n; k++)
			dropped += q->q[i].j[k].rel <= 0;
	if (!dropped)
		return 0;
	lc_qrels kept = { .format = q->format };
	for (size_t i = 0; i < q->nq; i++) {
		const lc_qrels_q *qq = &q->q[i];
		size_t n = 0;
		for (size_t k = 0; k < qq->n; k++)
			if (qq->j[k].rel > 0) {
				lc_qrels_add(&kept, qq->qid, strlen(qq->qid), qq->j[k].docno, strlen(qq->j[k].docno),
				             qq->j[k].rel);
				n++;
			}
		*queries += !n;
	}
	lc_qrels_recs_per_query(&kept);
	lc_qrels_free(q);
	*q = kept;
	return dropped;
}

static void warn_nonrelevant(size_t dropped, const char *path)
{
	if (dropped)
		lc_warn("%zu judgments in %s have relevance 0 or below: not LOFT answers (gold passages), "
		        "left out", dropped, strcmp(path, "-") ? path : "(stdin)");
}

/* LOFT answers from a qrels file (they replace a query's own).  A query without
 * judgments there and without answers of its own is not a LOFT query (LOFT's
 * recall divides by its gold count): *keep[i] is 0 for those, which are left out. */
static void attach_answers(lc_queries *qs, const char *qrels_path, const char *member, lc_report *rep,
                           unsigned char *keep)
{
	lc_qrels q = {0};
	lc_err e = {0};
	if (lc_qrels_read(&q, qrels_path, member, "--qrels-member", LC_QRELS_AUTO, &e) < 0)
		lc_die_err(&e);
	size_t emptied, nonrel = keep_relevant(&q, &emptied);
	warn_nonrelevant(nonrel, qrels_path);
	lc_report_int(rep, "nonrelevant_judgments_dropped", (long long)nonrel);
	size_t missing = 0;
	for (size_t i = 0; i < qs->n; i++) {
		long k = lc_strmap_find(&q.qids, qs->q[i].qid, strlen(qs->q[i].qid));
		if (k < 0) {
			if (!qs->q[i].nans) {
				missing++;
				keep[i] = 0;
			}
			continue;
		}
		lc_qrels_q *qq = &q.q[k];
		lc_qrel *ans = lc_arena_alloc(&qs->arena, (qq->n ? qq->n : 1) * sizeof *ans);
		for (size_t j = 0; j < qq->n; j++) {
			ans[j].pid = lc_arena_strndup(&qs->arena, qq->j[j].docno, strlen(qq->j[j].docno));
			ans[j].rel = (int)qq->j[j].rel;
		}
		qs->q[i].ans = ans;
		qs->q[i].nans = qq->n;
	}
	if (missing)
		lc_warn("%zu queries have no judgments in %s: left out (a LOFT query needs its answers)", missing,
		        strcmp(qrels_path, "-") ? qrels_path : "(stdin)");
	lc_report_int(rep, "queries_without_judgments", (long long)missing);
	lc_qrels_free(&q);
}

/* 1 if some query has no answers (BEIR queries have none; LOFT's have theirs). */
static int without_answers(const lc_queries *qs)
{
	for (size_t i = 0; i < qs->n; i++)
		if (!qs->q[i].nans)
			return 1;
	return 0;
}

static void conv_queries(char **files, int nfiles, const char *to, const char *member, const char *qrels,
                         const char *qmember, lc_output *o, lc_report *rep)
{
	int fmt = !strcmp(to, "loft") ? 0 : !strcmp(to, "beir") ? 1 : !strcmp(to, "tsv") ? 2 : -1;
	if (fmt < 0)
		lc_die(LC_EXIT_USAGE, "queries convert to loft, beir or tsv, not '%s'", to);
	lc_queries qs = {0};
	lc_err e = {0};
	/* A BEIR zip on standard input holds the queries and the qrels that fill their
	 * answers: read it twice, as a named file is. */
	if (fmt == 0 && nfiles == 1 && !strcmp(files[0], "-") && (!qrels || !strcmp(qrels, "-")) &&
	    lc_input_spool_stdin(&e) < 0)
		lc_die_err(&e);
	for (int i = 0; i < nfiles; i++) {
		lc_queries_opts qo = { .member = member, .member_option = LC_OPT_MEMBER_NAME, .keep_meta = 1 };
		if (lc_queries_load(&qs, files[i], &qo, &e) < 0)
			lc_die_err(&e);
	}
	unsigned char *keep = lc_xmalloc(qs.n ? qs.n : 1);
	memset(keep, 1, qs.n ? qs.n : 1);
	if (fmt == 0 && qrels)
		attach_answers(&qs, qrels, qmember, rep, keep);   /* an archive: its qrels/test.tsv */
	else if (fmt == 0 && nfiles == 1 && without_answers(&qs) && (member || qmember || archive(files[0])))
		attach_answers(&qs, files[0], qmember ? qmember : LC_QRELS_MEMBER, rep, keep);   /* a BEIR zip or tar (LOFT's has answers) */
	for (size_t i = 0; fmt == 2 && i < qs.n; i++)   /* before anything is written, as the TREC writers */
		if (keep[i] && lc_queries_tsv_id_check(qs.q[i].qid, &e) < 0)
			lc_die_err(&e);
	lc_buf b = {0};
	size_t dropped = 0, written = 0;
	for (size_t i = 0; i < qs.n; i++) {
		if (!keep[i])
			continue;
		written++;
		lc_buf_reset(&b);
		if (fmt == 0)
			lc_queries_write_loft(&b, &qs.q[i]);
		else {
			dropped += qs.q[i].nans > 0;
			if (fmt == 1)
				lc_queries_write_beir(&b, &qs.q[i]);
			else
				lc_queries_write_tsv(&b, &qs.q[i]);
		}
		lc_output_write(o, b.p, b.len);
	}
	if (dropped)
		lc_warn("%zu queries have answers, which %s queries cannot hold: not written "
		        "(convert them with --kind qrels)", dropped, to);
	lc_report_int(rep, "records", (long long)written);
	lc_report_int(rep, "answers_dropped", (long long)dropped);
	free(keep);
	lc_buf_free(&b);
	lc_queries_free(&qs);
}

/* TREC and BEIR qrels hold one judgment per query and document (trec_eval
 * stops at a second: "duplicate docs"), but LOFT answers may name a pid twice.
 * Keeps each query's first judgment of a document; returns how many went. */
static size_t drop_repeated_judgments(lc_qrels *q)
{
	size_t dropped = 0;
	for (size_t i = 0; i < q->nq; i++) {
		lc_qrels_q *qq = &q->q[i];
		if (qq->n < 2)
			continue;
		lc_strmap seen = {0};
		size_t w = 0;
		for (size_t k = 0; k < qq->n; k++) {
			int is_new;
			lc_strmap_intern(&seen, qq->j[k].docno, strlen(qq->j[k].docno), &is_new);
			if (is_new)
				qq->j[w++] = qq->j[k];
		}
		dropped += qq->n - w;
		qq->n = w;
		lc_strmap_free(&seen);
	}
	q->njudg -= dropped;
	return dropped;
}

static void conv_qrels(char **files, int nfiles, const char *to, const char *from, const char *member, lc_output *o,
                       lc_report *rep)
{
	int fmt = lc_qrels_format_from_name(to);
	if (fmt != LC_QRELS_TREC && fmt != LC_QRELS_BEIR && fmt != LC_QRELS_LOFT)
		lc_die(LC_EXIT_USAGE, "qrels convert to trec, beir or loft, not '%s'", to);
	int in_fmt = from ? lc_qrels_format_from_name(from) : LC_QRELS_AUTO;
	if (in_fmt < 0)
		lc_die(LC_EXIT_USAGE, "unknown qrels format '%s' (trec, beir, loft)", from);
	if (in_fmt == LC_QRELS_PREFS || in_fmt == LC_QRELS_TREC_PREFS)
		lc_die(LC_EXIT_USAGE, "'%s' holds preferences, not relevance values: qrels convert from trec, beir, loft "
		       "or trec_jg", from);
	lc_qrels q = {0};
	lc_err e = {0};
	for (int i = 0; i < nfiles; i++)
		if (lc_qrels_read(&q, files[i], member, LC_OPT_MEMBER_NAME, in_fmt, &e) < 0)
			lc_die_err(&e);
	size_t nonrel = 0, emptied = 0;
	if (fmt == LC_QRELS_LOFT && (nonrel = keep_relevant(&q, &emptied))) {
		warn_nonrelevant(nonrel, nfiles == 1 ? files[0] : "the qrels");
		if (emptied)
			lc_warn("%zu queries have no judgment of relevance 1 or more: left out (a LOFT query needs "
			        "its answers)", emptied);
	}
	size_t repeated = fmt == LC_QRELS_LOFT ? 0 : drop_repeated_judgments(&q);
	if (repeated)
		lc_warn("%zu judgments repeat a document of their query: the first kept, as %s qrels hold one per "
		        "query and document", repeated, to);
	if (fmt == LC_QRELS_TREC) {
		if (lc_qrels_write_trec(&q, o, &e) < 0)
			lc_die_err(&e);
	} else if (fmt == LC_QRELS_BEIR) {
		if (lc_qrels_write_beir(&q, o, &e) < 0)
			lc_die_err(&e);
	} else
		lc_qrels_write_loft(&q, o);
	lc_report_int(rep, "records", (long long)q.njudg);
	lc_report_int(rep, "queries", (long long)q.nq);
	lc_report_int(rep, "repeated_judgments_dropped", (long long)repeated);
	if (fmt == LC_QRELS_LOFT) {
		lc_report_int(rep, "nonrelevant_judgments_dropped", (long long)nonrel);
		lc_report_int(rep, "queries_without_judgments", (long long)emptied);
	}
	lc_qrels_free(&q);
}

static void conv_run(char **files, int nfiles, const char *to, const char *from, const char *member,
                     const char *tag, lc_output *o, lc_report *rep)
{
	int fmt = lc_run_format_from_name(to);
	if (fmt != LC_RUN_TREC && fmt != LC_RUN_JSONL && fmt != LC_RUN_LOFT)
		lc_die(LC_EXIT_USAGE, "runs convert to trec, jsonl or loft, not '%s'", to);
	lc_run_opts ro = { .format = from ? lc_run_format_from_name(from) : LC_RUN_AUTO, .member = member,
	                   .member_option = LC_OPT_MEMBER_NAME, .finite = 1,
	                   .loft = 1 };   /* keep what the writers mark: repeats, empty and unanswered queries */
	if (ro.format < 0)
		lc_die(LC_EXIT_USAGE, "unknown run format '%s' (trec, jsonl, loft, answers, batch)", from);
	if (nfiles > 1)
		lc_die(LC_EXIT_USAGE, "runs are converted one file at a time");
	lc_run r = {0};
	lc_err e = {0};
	if (lc_run_read(&r, files[0], &ro, &e) < 0)
		lc_die_err(&e);
	if (fmt != LC_RUN_LOFT && r.format == LC_RUN_LOFT)
		lc_warn("LOFT predictions hold no scores: scores are synthetic (descending by rank)");
	size_t repeats = 0;   /* LOFT predictions hold repeats as they are */
	if (fmt == LC_RUN_TREC) {
		if (lc_run_write_trec(&r, o, tag ? tag : r.runid, &repeats, &e) < 0)
			lc_die_err(&e);
	} else if (fmt == LC_RUN_JSONL)
		repeats = lc_run_write_jsonl(&r, o);
	size_t unanswered = 0;   /* LOFT output: the queries it has no line for */
	if (fmt == LC_RUN_LOFT) {
		size_t written = lc_run_write_loft(&r, o);
		unanswered = r.nq - written;
		if (r.format != LC_RUN_LOFT)
			lc_warn("LOFT predictions hold no scores: %zu quer%s written as ranked id lists", written,
			        written == 1 ? "y" : "ies");
		if (unanswered)
			lc_warn("%zu unanswered quer%s left out: LOFT predictions have no line for %s (LOFT counts %s in "
			        "num_unanswered_queries)", unanswered, unanswered == 1 ? "y" : "ies",
			        unanswered == 1 ? "it" : "them", unanswered == 1 ? "it" : "them");
	}
	if (repeats)
		lc_warn("%zu hits repeat a pid of their query: written as %s, which trec_eval measures skip and LOFT "
		        "measures count", repeats, fmt == LC_RUN_TREC ? "'#lctk repeat' comment lines" : "\"repeat\": true");
	lc_report_int(rep, "records", (long long)r.nlines);
	lc_report_int(rep, "queries", (long long)r.nq);
	lc_report_int(rep, "repeats_marked", (long long)repeats);
	if (fmt == LC_RUN_LOFT)
		lc_report_int(rep, "unanswered_left_out", (long long)unanswered);
	lc_run_free(&r);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	lc_report rep = {0};
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &cmd, optarg);
	const char *to = O.to, *from = O.from, *member = O.member, *qrels = O.qrels, *tag = O.tag, *out = O.out;
	int kind = O.kind, pmode = O.pmode;
	if (!to)
		lc_cli_usage_error(&cmd, "say the target format with --to");
	char *std_in[] = { "-" };
	char **files = st.ind < argc ? argv + st.ind : std_in;
	int nfiles = st.ind < argc ? argc - st.ind : 1;
	/* a named pipe (a shell's <(cmd)) whose kind is detected is read twice (its
	 * first line, then whole): it is kept in a temporary file first; with --kind
	 * it streams */
	for (int i = 0; kind == K_AUTO && i < nfiles; i++) {
		lc_err se = { 0 };
		if (strcmp(files[i], "-") && lc_input_spool(files[i], &se) < 0)
			lc_die_err(&se);
	}
	if (kind == K_AUTO)
		kind = detect_kind(files[0], member);
	if (kind == K_CORPUS || kind == K_QUERIES) {
		if (from)
			lc_cli_usage_error(&cmd, "--from applies to qrels and runs; corpora and queries are detected per record");
	}
	if (O.qmember && (kind != K_QUERIES || strcmp(to, "loft")))
		lc_cli_usage_error(&cmd, "--qrels-member picks the judgments that fill LOFT answers: --kind queries --to loft");
	lc_report_start(&rep, &cmd, !out || !strcmp(out, "-"), argc - st.ind, argv + st.ind);
	static const char *const kinds[] = { "auto", "corpus", "queries", "qrels", "run" };
	lc_report_str(&rep, "options.kind", kinds[kind]);
	lc_report_str(&rep, "options.to", to);
	lc_output *o = lc_output_open(out);
	switch (kind) {
	case K_CORPUS:
		conv_corpus(files, nfiles, to, member, o, &rep, pmode);   /* an archive: *corpus.jsonl (lib/retrieve/corpus) */
		break;
	case K_QUERIES:
		conv_queries(files, nfiles, to, member, qrels, O.qmember, o, &rep);  /* an archive: *queries.jsonl */
		break;
	case K_QRELS:
		conv_qrels(files, nfiles, to, from, member, o, &rep);
		break;
	case K_RUN:
		conv_run(files, nfiles, to, from, member, tag, o, &rep);
		break;
	}
	lc_output_commit(o);
	lc_report_write(&rep);
	return 0;
}
