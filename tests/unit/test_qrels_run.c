/* Unit tests for lib/eval/qrels and lib/eval/run: format detection, trec_eval parsing
 * rules (atol relevance, atof scores, comments, runid), writer round trips, and the
 * TREC run fast path (a plain file) against the line reader (the same bytes gzipped). */
#include "buf.h"
#include "input.h"
#include "qrels.h"
#include "run.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/lctk-qr-XXXXXX";


/* Writes r with fn to a file and returns its path. */
static const char *dump_run(lc_run *r, void (*fn)(lc_run *, lc_output *), const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	lc_output *o = lc_output_open(p);
	fn(r, o);
	lc_output_commit(o);
	return p;
}

static void w_trec(lc_run *r, lc_output *o) { lc_err e; lc_run_write_trec(r, o, NULL, NULL, &e); }
static void w_jsonl(lc_run *r, lc_output *o) { lc_run_write_jsonl(r, o); }

/* What a read gave: status, error text after the file name, queries, hits, runid. */
static void describe(lc_buf *b, int rc, const lc_err *e, const char *path, lc_run *r)
{
	lc_buf_printf(b, "rc %d\n", rc);
	if (rc < 0) {
		const char *m = strstr(e->msg, path);
		lc_buf_printf(b, "code %d %s\n", e->code, m ? m + strlen(path) : e->msg);
		return;
	}
	lc_buf_printf(b, "nq %zu lines %zu runid %s\n", r->nq, r->nlines, r->runid ? r->runid : "(none)");
	for (size_t i = 0; i < r->nq; i++)
		for (size_t k = 0; k < r->q[i].n; k++) {
			lc_hit h = lc_run_hit(&r->q[i], k);
			lc_buf_printf(b, "%s %s %.17g\n", r->q[i].qid, h.docno, h.score);
		}
}

/* Writes text to dir/NAME and gzipped to dir/NAME.gz; their paths in plain and gz
 * (256 bytes each). */
static void write_plain_and_gz(const char *name, const char *text, size_t n, char *plain, char *gz)
{
	snprintf(plain, 256, "%s/%s", dir, name);
	snprintf(gz, 256, "%s/%s.gz", dir, name);
	FILE *f = fopen(plain, "wb");
	fwrite(text, 1, n, f);
	fclose(f);
	gzFile g = gzopen(gz, "wb");
	gzwrite(g, text, (unsigned)n);
	gzclose(g);
}

/* Reads text from a plain file (the fast path) and gzipped (lc_input's lines),
 * compact and not: 1 when all four agree; *rc = the status. */
static int fast_same(const char *name, const char *text, size_t n, int *rc)
{
	char plain[256], gz[256];
	write_plain_and_gz(name, text, n, plain, gz);
	lc_buf d[4] = { { 0 } };
	lc_run_opts o = { LC_RUN_TREC, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 0, 0 };
	for (int k = 0; k < 4; k++) {
		lc_run r = { 0 };
		lc_err e = { 0 };
		const char *p = k & 1 ? gz : plain;
		int got = k & 2 ? lc_run_read_compact(&r, p, &o, &e) : lc_run_read(&r, p, &o, &e);
		describe(&d[k], got, &e, p, &r);
		if (k == 0)
			*rc = got;
		lc_run_free(&r);
	}
	int same = 1;
	for (int k = 1; k < 4; k++)
		if (strcmp(d[0].p, d[k].p)) {
			same = 0;
			printf("# %s: read %d differs:\n# %.300s\n# vs\n# %.300s\n", name, k, d[0].p, d[k].p);
		}
	for (int k = 0; k < 4; k++)
		lc_buf_free(&d[k]);
	return same;
}

static void fast_path_tests(void)
{
	int rc;
	static const char mixed[] = "q2 Q0 d1 1 0.5 tagA\r\n  # comment\n\n\tq1\tQ0\td9 1 1e0 tagB extra\n"
	                            "q2 Q0 d2 2 0.25 tagA\nq1 Q0 d8 2 -3.5 tagC";
	ok(fast_same("mixed", mixed, sizeof mixed - 1, &rc) && rc == 0,
	   "fast path: CRLF, comments, blank lines, tabs, a query split in two, no final newline");
	static const char bom[] = "\xEF\xBB\xBFq1 Q0 d1 1 0.5 t\n";
	ok(fast_same("bom", bom, sizeof bom - 1, &rc) && rc == 0, "fast path: a byte order mark is dropped");
	static const char bad[] = "q1 Q0 d\xff" "1 1 0.5 t\n# c\xfe\nq1 Q0 d\000" "2 2 0.4 t\nq1 Q0 d3 3 0.3 t\xc3\n";
	ok(fast_same("bad", bad, sizeof bad - 1, &rc) && rc == 0, "fast path: bytes that are not UTF-8 and NUL repaired as lines are");
	static const char shortl[] = "q1 Q0 d1 1 0.5 t\n\nq1 Q0 d2 2 0.4 t\nq1 Q0 d3 3 0.3\n";
	ok(fast_same("short", shortl, sizeof shortl - 1, &rc) && rc < 0, "fast path: a 5-field line is refused at its line number");
	lc_buf big = { 0 };
	for (int i = 0; i < 300; i++)
		lc_buf_addc(&big, 'x');
	lc_buf longtag = { 0 };
	lc_buf_printf(&longtag, "q1 Q0 d1 1 0.5 %s\nq1 Q0 d2 1 0.5 %sy\n", big.p, big.p);
	ok(fast_same("longtag", longtag.p, longtag.len, &rc) && rc == 0, "fast path: a tag longer than 256 bytes");
	lc_input_set_max_record(40);
	static const char toolong[] = "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 1 0.5 ttttttttttttttttttttttttttttttttt\n";
	ok(fast_same("toolong", toolong, sizeof toolong - 1, &rc) && rc < 0, "fast path: --max-record is kept");
	static const char tail[] = "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 1 0.5 tttttttttttttttttttttttttttttttttttttt";
	ok(fast_same("toolong2", tail, sizeof tail - 1, &rc) && rc < 0, "fast path: --max-record on a last line without newline");
	lc_input_set_max_record(LC_INPUT_MAX_RECORD);
	/* several 4 MiB blocks, lines of every length across their ends */
	lc_buf many = { 0 };
	for (int i = 0; i < 200000; i++)
		lc_buf_printf(&many, "Q%d Q0 D%0*d %d 0.%d run%d\n", i / 997, 1 + i % 13, i, i, (i * 7919) % 10007, i % 3);
	ok(fast_same("many", many.p, many.len, &rc) && rc == 0, "fast path: 200,000 lines over several blocks");
	/* a 5 MB line across map windows, then lines again, CRLF split at a window's end */
	lc_buf huge = { 0 };
	lc_buf_adds(&huge, "q1 Q0 d1 1 0.5 ");
	for (int i = 0; i < 5000000; i++)
		lc_buf_addc(&huge, (char)('a' + i % 26));
	lc_buf_adds(&huge, "\nq1 Q0 d2 1 0.25 t\n");
	while (huge.len < ((size_t)6 << 20) - 1)
		lc_buf_adds(&huge, "q2 Q0 dx 3 0.125 t\n");
	while (huge.p[huge.len - 1] != '\n')
		huge.len--;
	lc_buf_addc(&huge, '#');   /* a comment whose CRLF straddles the 6 MiB mark */
	while (huge.len < ((size_t)6 << 20) - 1)
		lc_buf_addc(&huge, 'x');
	lc_buf_adds(&huge, "\r\nq3 Q0 dz 1 1 t\r\n");
	ok(fast_same("huge", huge.p, huge.len, &rc) && rc == 0, "fast path: a 5 MB line and CRLF across map windows");
	lc_buf_free(&huge);
	lc_buf_free(&big);
	lc_buf_free(&longtag);
	lc_buf_free(&many);
}

/* Reads qrels text from a plain file (mapped, lib/eval/qrels.c read_trec_mapped)
 * and gzipped (the line reader): 1 when both give the same status, error text
 * and judgments; *rc = the status. */
static int qrels_same(const char *name, const char *text, size_t n, int *rc)
{
	char plain[256], gz[256];
	write_plain_and_gz(name, text, n, plain, gz);
	lc_buf d[2] = { { 0 } };
	for (int k = 0; k < 2; k++) {
		lc_qrels q = { 0 };
		lc_err e = { 0 };
		const char *p = k ? gz : plain;
		int got = lc_qrels_read(&q, p, NULL, NULL, LC_QRELS_TREC, &e);
		lc_buf_printf(&d[k], "rc %d\n", got);
		if (got < 0) {
			const char *m = strstr(e.msg, p);
			lc_buf_printf(&d[k], "code %d %s\n", e.code, m ? m + strlen(p) : e.msg);
		} else
			for (size_t i = 0; i < q.nq; i++)
				for (size_t j = 0; j < q.q[i].n; j++)
					lc_buf_printf(&d[k], "%s %s %ld\n", q.q[i].qid, q.q[i].j[j].docno, q.q[i].j[j].rel);
		if (k == 0)
			*rc = got;
		lc_qrels_free(&q);
	}
	int same = !strcmp(d[0].p, d[1].p);
	if (!same)
		printf("# %s: mapped and line reader differ:\n# %.300s\n# vs\n# %.300s\n", name, d[0].p, d[1].p);
	lc_buf_free(&d[0]);
	lc_buf_free(&d[1]);
	return same;
}

static void qrels_mapped_tests(void)
{
	int rc;
	static const char mixed[] = "# c\r\nq1 0 d1 1\r\nq1\t0\td2\v2 \nq2 0 d1\f0\n  q2 0 d3 1";
	ok(qrels_same("qmixed", mixed, sizeof mixed - 1, &rc) && rc == 0,
	   "mapped qrels: CRLF, comments, every white space, no final newline");
	static const char blank[] = "q1 0 d1 1\n \t \nq1 0 d2 1\n";
	ok(qrels_same("qblank", blank, sizeof blank - 1, &rc) && rc < 0, "mapped qrels: a blank line is refused as trec_eval does");
	static const char odd[] = "q1 0 d1 1\n#\xff\nq1 0 d\000" "2 1\nq1 0 d3 -1\nq1 0 d4 +2\n";
	ok(qrels_same("qodd", odd, sizeof odd - 1, &rc) && rc == 0, "mapped qrels: bad bytes, NUL and signed rels as the line reader");
	static const char bad[] = "q1 0 d1 1\nq1 0 d2\n";
	ok(qrels_same("qbad", bad, sizeof bad - 1, &rc) && rc < 0, "mapped qrels: a 3-field line is refused at its line number");
	lc_input_set_max_record(12);
	static const char longc[] = "q1 0 d1 1\n# a comment too long\nq1 0 d2 1\n";
	ok(qrels_same("qlongc", longc, sizeof longc - 1, &rc) && rc < 0, "mapped qrels: --max-record on a comment");
	static const char longl[] = "q1 0 d1 1\nq1 0 d2 1\nq1 0 d3456789 1";
	ok(qrels_same("qlongl", longl, sizeof longl - 1, &rc) && rc < 0, "mapped qrels: --max-record on a last line without newline");
	lc_input_set_max_record(LC_INPUT_MAX_RECORD);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	lc_err e;
	lc_qrels q = { 0 };
	ok(lc_qrels_read(&q, tap_file(dir, "q.txt", "# c\nq2 0 d1 2.9\nq1 0 d2 +3\nq1 0 d3 -1\n"), NULL, NULL, LC_QRELS_AUTO, &e) == 0,
	   "TREC qrels read");
	ok(q.format == LC_QRELS_TREC && q.nq == 2 && q.q[0].j[0].rel == 2 && q.q[1].j[0].rel == 3 && q.q[1].j[1].rel == -1,
	   "rel read as atol: 2.9 -> 2, +3 -> 3, -1 kept");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, tap_file(dir, "q.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n"), NULL, NULL, LC_QRELS_AUTO, &e) == 0 &&
	   q.format == LC_QRELS_BEIR && q.q[0].n == 2, "BEIR tsv detected by its header");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, tap_file(dir, "q.jsonl", "{\"qid\": 7, \"answers\": [[\" p1 \", 1], [\"p1\", 0], [12, 2]]}\n"), NULL, NULL,
	                 LC_QRELS_AUTO, &e) == 0 && q.format == LC_QRELS_LOFT, "LOFT queries detected");
	ok(q.nq == 1 && !strcmp(q.q[0].qid, "7") && q.q[0].n == 3 && !strcmp(q.q[0].j[0].docno, "p1") &&
	   !strcmp(q.q[0].j[2].docno, "12"), "LOFT answers: ids stripped, integers in decimal, duplicates kept");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, tap_file(dir, "bad.txt", "q1 0 d1 1\nq1 0 d2 1 extra\n"), NULL, NULL, LC_QRELS_AUTO, &e) < 0 && e.code == LC_EXIT_INPUT && e.ref_code == LC_TREC_EXIT_FORMAT &&
	   strstr(e.msg, "bad.txt:2: malformed qrels line"), "5 fields: malformed at line 2, bad input, trec_eval's exit 2 as ref_code");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, tap_file(dir, "big.txt", "q1 0 d1 99999999999999999999\n"), NULL, NULL, LC_QRELS_AUTO, &e) < 0 &&
	   strstr(e.msg, "too large"), "huge relevance rejected");
	lc_qrels_free(&q);

	lc_run r = { 0 };
	lc_run_opts o = { 0 };
	ok(lc_run_read(&r, tap_file(dir, "r.txt", "q1 Q0 d1 1 0.5 tagA\n  # comment\n\nq1 Q0 d2 2 1e0 tagA extra fields\nq9 Q0 x 1 1 tagZ\n"),
	               &o, &e) == 0, "TREC run read");
	ok(r.format == LC_RUN_TREC && r.nq == 2 && r.q[0].n == 2 && r.q[0].h[1].score == 1.0 && !strcmp(r.runid, "tagZ"),
	   "atof scores, comments skipped, runid = tag of the last line");
	/* TREC -> JSONL -> TREC keeps ranking and scores */
	const char *pj = dump_run(&r, w_jsonl, "r.jsonl");
	lc_run r2 = { 0 };
	ok(lc_run_read(&r2, pj, &o, &e) == 0 && r2.format == LC_RUN_JSONL && r2.q[0].n == 2 &&
	   !strcmp(r2.q[0].h[0].docno, "d2") && r2.q[0].h[0].score == 1.0 && r2.q[0].h[1].score == 0.5,
	   "run JSONL round trip: ranked best first, exact scores");
	const char *pt = dump_run(&r2, w_trec, "r2.txt");
	lc_run r3 = { 0 };
	ok(lc_run_read(&r3, pt, &o, &e) == 0 && r3.q[0].n == 2 && r3.q[0].h[1].score == 0.5 && !strcmp(r3.q[0].h[1].docno, "d1"),
	   "TREC writer round trip");
	lc_run_free(&r);
	lc_run_free(&r2);
	lc_run_free(&r3);
	lc_run_opts lo = o;   /* read for LOFT measures: turns and repeats kept */
	lo.loft = 1;
	ok(lc_run_read(&r, tap_file(dir, "p.jsonl", "{\"qid\": \"a\", \"num_turns\": 1, \"model_outputs\": [[123, 7.0, \" x \"]]}\n"
	                                  "{\"qid\": \"a\", \"num_turns\": 2, \"model_outputs\": [[\"y\"], [\"z\", \"w\"]]}\n"),
	               &lo, &e) == 0 && r.format == LC_RUN_LOFT, "LOFT predictions detected");
	ok(r.nq == 1 && r.q[0].num_turns == 2 && r.q[0].n == 3 && r.q[0].turn_start && r.q[0].turn_start[1] == 1,
	   "a repeated qid: last line wins, turns kept");
	lc_run_free(&r);
	/* for trec_eval's measures: one ranking, a repeated pid after its best-ranked mention left out */
	ok(lc_run_read(&r, tap_file(dir, "p3.jsonl", "{\"qid\": \"a\", \"num_turns\": 2, \"model_outputs\": [[\"y\", \"z\"], [\"z\", \"w\", \"y\"]]}\n"),
	               &o, &e) == 0 && r.q[0].n == 3 && !r.q[0].turn_start && !strcmp(r.q[0].h[0].docno, "z") &&
	   !strcmp(r.q[0].h[1].docno, "y") && !strcmp(r.q[0].h[2].docno, "w"),
	   "without opts.loft: the turns one ranking (trec order), repeats left out");
	lc_run_free(&r);
	ok(lc_run_read(&r, tap_file(dir, "p2.jsonl", "{\"qid\": \"a\", \"num_turns\": 1, \"model_outputs\": [[123, 7.0, \" x \"]]}\n"), &lo, &e) == 0 &&
	   !strcmp(r.q[0].h[0].docno, "123") && !strcmp(r.q[0].h[1].docno, "7.0") && !strcmp(r.q[0].h[2].docno, "x"),
	   "prediction ids are Python str(x).strip()");
	lc_run_free(&r);
	static char *const pids[] = { "pA", "pB", "pC" };
	lc_run_opts ao = { LC_RUN_AUTO, NULL, pids, 3, 0, 0, NULL, NULL, 0, 0, 0 };
	ok(lc_run_read(&r, tap_file(dir, "ans.jsonl", "{\"id\": \"q1\", \"response_text\": \"Final Answer: [2, 0]\"}\n"
	                                    "{\"id\": \"q2\", \"response_text\": \"Final Answer: [5]\"}\n"), &ao, &e) == 0 &&
	   r.format == LC_RUN_ANSWERS, "raw answers detected");
	ok(r.q[0].n == 2 && !strcmp(r.q[0].h[0].docno, "pC") && r.q[0].h[0].score > r.q[0].h[1].score && r.q[1].unanswered,
	   "answers mapped through the corpus; an unknown index is unanswered");
	lc_run_free(&r);
	ok(lc_run_read(&r, tap_file(dir, "bad.jsonl", "{\"qid\": \"a\", \"hits\": [{\"pid\": \"x\", \"score\": \"high\"}]}\n"), &o, &e) < 0 &&
	   strstr(e.msg, "bad.jsonl:1: field 'score'"), "non-numeric JSONL score rejected with position");
	lc_run_free(&r);
	fast_path_tests();
	qrels_mapped_tests();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
