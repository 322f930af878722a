/* Unit tests for the streamed TREC run (lc_run_stream, lc_te_evaluate_path) and
 * the run reader's score parser: every score the fast path reads equals C
 * strtod() bit for bit (edge cases and 200,000 generated decimals); a streamed
 * run gives each query once with the hits, nlines and runid a whole read gives;
 * what cannot be streamed (a qid in two blocks, stdin, gzip) says so; a bad line
 * fails as in a whole read; the evaluation of a streamed run equals
 * lc_te_evaluate's, failures included. */
#include "buf.h"
#include "qrels.h"
#include "run.h"
#include "treceval.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/lctk-rs-XXXXXX";

/* What the stream delivered: "qid docno score-bits" lines, in call order. */
typedef struct {
	lc_buf b;
	size_t calls;
} seen;

static void collect(void *ctx, const lc_run_q *q)
{
	seen *s = ctx;
	s->calls++;
	for (size_t i = 0; i < q->n; i++) {
		lc_hit h = lc_run_hit(q, i);
		uint64_t bits;
		memcpy(&bits, &h.score, 8);
		lc_buf_printf(&s->b, "%s %s %016llx\n", q->qid, h.docno, (unsigned long long)bits);
	}
}

/* The same lines from a whole compact read. */
static void whole(lc_buf *b, const lc_run *r)
{
	for (size_t i = 0; i < r->nq; i++)
		for (size_t k = 0; k < r->q[i].n; k++) {
			lc_hit h = lc_run_hit(&r->q[i], k);
			uint64_t bits;
			memcpy(&bits, &h.score, 8);
			lc_buf_printf(b, "%s %s %016llx\n", r->q[i].qid, h.docno, (unsigned long long)bits);
		}
}

static const char *const edge[] = {
	"0", "-0", "+0", "-0.0", "0.0000", "1", "1.", ".5", "-.5", "+.5", "0.1", "0.3", "-0.9996", "2.5e-3", "1e5",
	"1E-3", "123456789012345", "1234567890123456", "12345678901234567890", "9007199254740993",
	"0.123456789012345", "0.1234567890123456", "123456.789012345", "000000000000001.5", "0.000000000000000000000001",
	"0.0000000000000000000000000000001", "1.7976931348623157e308", "4.9e-324", "1e400", "-1e400", "inf", "-inf",
	"nan", "0x1p3", "0x.8", "1,5", "abc", "1.2.3", "--1", "+-1", "5e", ".", "-", "+", "0.99999999999999999999",
	"99999999999999.9", "999999999999999", "1e22", "1e23", "0.5x", "7.0000000000000000", "3.14159265358979",
};

/* Scores: the edge cases and random decimals through the fast path (a
 * plain file, mapped) against strtod. */
static void score_tests(void)
{
	lc_buf text = { 0 };
	size_t n = 0;
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++, n++)
		lc_buf_printf(&text, "q%zu Q0 d%zu 1 %s t\n", n % 7, n, edge[i]);
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 200000; i++, n++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int ni = (int)(x % 8), nf = (int)(x >> 8) % 12;
		char s[64];
		size_t k = 0;
		if (x >> 20 & 1)
			s[k++] = '-';
		uint64_t y = x >> 24;
		for (int d = 0; d < ni; d++, y /= 10)
			s[k++] = (char)('0' + y % 10);
		if (nf || !ni)
			s[k++] = '.';
		y = x * 0x9E3779B97F4A7C15ull;
		for (int d = 0; d < nf || (!ni && !d); d++, y /= 10)
			s[k++] = (char)('0' + y % 10);
		s[k] = 0;
		lc_buf_printf(&text, "q%zu Q0 d%zu 1 %s t\n", n % 7, n, s);
	}
	char path[300];
	snprintf(path, sizeof path, "%s/scores.run", dir);
	tap_write(path, text.p);
	lc_run r = { 0 };
	lc_err e = { 0 };
	lc_run_opts o = { 0 };
	int rc = lc_run_read_compact(&r, path, &o, &e);
	ok(rc == 0 && r.nlines == n, "score file read (%zu lines)", n);
	/* line i is hit i / 7 of query q(i % 7) */
	size_t bad = 0;
	const char *p = text.p;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *sc = p;
		for (int f = 0; f < 4; f++)
			sc = strchr(sc, ' ') + 1;
		const char *end = strchr(sc, ' ');
		char buf[64];
		snprintf(buf, sizeof buf, "%.*s", (int)(end - sc), sc);
		double want = strtod(buf, NULL);
		char qid[16];
		snprintf(qid, sizeof qid, "q%zu", i % 7);
		long qi = lc_strmap_find(&r.qids, qid, strlen(qid));
		double got = qi < 0 || r.q[qi].n <= i / 7 ? -1 : lc_run_hit(&r.q[qi], i / 7).score;
		if (memcmp(&got, &want, sizeof got) && !(got != got && want != want)) {
			if (bad++ < 5)
				printf("# score '%s': got %.17g, strtod %.17g\n", buf, got, want);
		}
		p = strchr(p, '\n') + 1;
	}
	ok(bad == 0, "every score equals strtod's bit for bit (%zu differ)", bad);
	lc_run_free(&r);
	seen s = { 0 };
	rc = lc_run_stream(&r, path, &o, collect, &s, &e);
	ok(rc == 1 && r.nq == 0, "interleaved qids are not streamed (1, run emptied)");
	lc_run_free(&r);
	lc_buf_free(&s.b);
	lc_buf_free(&text);
}

static void stream_tests(void)
{
	const char *run = "# a comment\n"
	                  "b Q0 d3 1 0.5 tagA\n"
	                  "b Q0 d1 2 0.5 tagA\n"
	                  "\n"
	                  "b\tQ0\td2\t3\t-1e3\ttagB  \r\n"
	                  "a Q0 d9 1 7 x\n"
	                  "c Q0 d1 1 1.25 last_tag";
	char path[300];
	snprintf(path, sizeof path, "%s/s.run", dir);
	tap_write(path, run);
	lc_run r = { 0 }, w = { 0 };
	lc_err e = { 0 };
	seen s = { 0 };
	lc_buf b = { 0 };
	int rc = lc_run_stream(&r, path, NULL, collect, &s, &e);
	ok(rc == 0 && s.calls == 3 && r.nq == 3 && r.nlines == 5 && r.runid && !strcmp(r.runid, "last_tag"),
	   "streamed: one call per query, nlines, runid = last tag");
	ok(lc_run_read_compact(&w, path, NULL, &e) == 0, "the same run read whole");
	whole(&b, &w);
	is_str(s.b.p, b.p, "streamed hits = whole read's hits");
	lc_run_free(&r);
	lc_run_free(&w);
	lc_buf_free(&s.b);
	lc_buf_free(&b);

	/* qids that differ only in their 8th, 9th, 16th or 17th byte (the reader compares words) */
	snprintf(path, sizeof path, "%s/q.run", dir);
	tap_write(path, "abcdefgX Q0 d1 1 1 t\nabcdefgY Q0 d1 1 1 t\n"
	                "abcdefghX Q0 d1 1 1 t\nabcdefghY Q0 d1 1 1 t\n"
	                "abcdefghijklmnoX Q0 d1 1 1 t\nabcdefghijklmnoX Q0 d2 1 1 t\nabcdefghijklmnoY Q0 d1 1 1 t\n"
	                "abcdefghijklmnopX Q0 d1 1 1 t\nabcdefghijklmnopY Q0 d1 1 1 t\nabcdefghijklmnopY Q0 d2 1 1 t\n");
	s = (seen){ 0 };
	rc = lc_run_stream(&r, path, NULL, collect, &s, &e);
	ok(rc == 0 && s.calls == 8 && r.nq == 8 && r.nlines == 10, "qids differing late are told apart (%zu calls)", s.calls);
	lc_run_free(&r);
	lc_buf_free(&s.b);

	/* a bad line after streamed queries: the whole read's error */
	snprintf(path, sizeof path, "%s/bad.run", dir);
	tap_write(path, "a Q0 d1 1 1 t\nb Q0 d1 1 1 t\nb Q0 d2 2\n");
	s = (seen){ 0 };
	rc = lc_run_stream(&r, path, NULL, collect, &s, &e);
	ok(rc < 0 && e.code == LC_EXIT_INPUT && e.ref_code == LC_TREC_EXIT_FORMAT && strstr(e.msg, "bad.run:3: malformed run line") && strstr(e.msg, "found 4"),
	   "a malformed line is bad input (trec_eval exits 2: ref_code) and its line: %s", e.msg);
	lc_run_free(&r);
	lc_buf_free(&s.b);

	/* what cannot be read twice or read in place is left to a whole read */
	snprintf(path, sizeof path, "%s/s.run.gz", dir);
	gzFile gz = gzopen(path, "wb");
	gzputs(gz, run);
	gzclose(gz);
	s = (seen){ 0 };
	ok(lc_run_stream(&r, path, NULL, collect, &s, &e) == 1 && r.nq == 0, "gzip: not streamed");
	ok(lc_run_stream(&r, "-", NULL, collect, &s, &e) == 1 && r.nq == 0, "stdin: not streamed (nothing read)");
	ok(lc_run_stream(&r, dir, NULL, collect, &s, &e) == 1, "a directory: not streamed (the whole read says why)");
	lc_run_free(&r);
	lc_buf_free(&s.b);
}

/* lc_te_evaluate_path (streamed, or not for a split qid) against lc_te_evaluate. */
static int same_eval(const char *qrels, const char *run, const char *measure, int complete, const char *name)
{
	char qp[300], rp[300];
	snprintf(qp, sizeof qp, "%s/e.qrels", dir);
	snprintf(rp, sizeof rp, "%s/e.run", dir);
	tap_write(qp, qrels);
	tap_write(rp, run);
	lc_qrels qr = { 0 };
	lc_err e = { 0 };
	if (lc_qrels_read(&qr, qp, NULL, NULL, LC_QRELS_AUTO, &e) < 0)
		return 0;
	lc_te *t = lc_te_new();
	lc_te_mark(t, measure, &e);
	lc_te_init(t, &e);
	lc_te_opts o;
	lc_te_opts_default(&o);
	o.complete = complete;
	lc_run r1 = { 0 }, r2 = { 0 };
	lc_te_result a, b;
	int ok1 = lc_te_evaluate_path(t, &o, &qr, rp, NULL, &r1, &a, &e) == 0;
	int ok2 = lc_run_read_compact(&r2, rp, NULL, &e) == 0;
	lc_te_evaluate(t, &o, &qr, &r2, &b);
	size_t nv = lc_te_nvalues(t);
	int same = ok1 && ok2 && a.nq == b.nq && a.fail_code == b.fail_code &&
	           !strcmp(a.fail_msg ? a.fail_msg : "", b.fail_msg ? b.fail_msg : "") &&
	           !strcmp(a.runid, b.runid) && !memcmp(a.summary, b.summary, nv * sizeof *a.summary) &&
	           !memcmp(a.v, b.v, a.nq * nv * sizeof *a.v);
	for (size_t i = 0; same && i < a.nq; i++)
		same = !strcmp(a.qid[i], b.qid[i]);
	if (!same)
		printf("# %s: nq %zu/%zu fail %d/%d '%s' '%s'\n", name, a.nq, b.nq, a.fail_code, b.fail_code,
		       a.fail_msg ? a.fail_msg : "", b.fail_msg ? b.fail_msg : "");
	lc_te_result_free(&a);
	lc_te_result_free(&b);
	lc_run_free(&r1);
	lc_run_free(&r2);
	lc_te_free(t);
	lc_qrels_free(&qr);
	return same;
}

static void eval_tests(void)
{
	const char *qrels = "1 0 d1 1\n1 0 d2 0\n1 0 d5 2\n2 0 d3 1\n2 0 d4 1\n3 0 d9 1\n";
	const char *run = "2 Q0 d4 1 0.9 r\n2 Q0 d8 2 0.9 r\n2 Q0 d3 3 0.1 r\n"
	                  "9 Q0 d1 1 1 r\n"
	                  "1 Q0 d7 1 3 r\n1 Q0 d5 2 2 r\n1 Q0 d1 3 2 r\n1 Q0 d2 4 1 r\n"
	                  "3 Q0 d9 1 1 r2\n";
	ok(same_eval(qrels, run, "all_trec", 0, "streamed"), "streamed evaluation = whole read's (all_trec)");
	const char *split = "2 Q0 d4 1 0.9 r\n1 Q0 d7 1 3 r\n2 Q0 d3 3 0.1 r\n3 Q0 d9 1 1 r\n1 Q0 d5 2 2 r\n";
	ok(same_eval(qrels, split, "all_trec", 0, "split"), "a qid in two blocks: read whole, same evaluation");
	const char *lacks = "2 Q0 d4 1 0.9 r\n1 Q0 d7 1 3 r\n";
	ok(same_eval(qrels, lacks, "map", 0, "lacks"), "a qrels topic the run lacks: the same failure");
	ok(same_eval(qrels, lacks, "all_trec", 1, "complete"), "-c: the lacking topic scored as trec_eval does, same values");
	const char *dup = "1 Q0 d7 1 3 r\n1 Q0 d5 2 2 r\n2 Q0 d4 1 0.9 r\n2 Q0 d4 2 0.8 r\n3 Q0 d9 1 1 r\n";
	ok(same_eval(qrels, dup, "ndcg_cut.10", 0, "dup"), "a duplicate doc in a streamed topic: the same failure and topics before it");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	score_tests();
	stream_tests();
	eval_tests();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
