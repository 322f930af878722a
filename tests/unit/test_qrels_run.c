/* Unit tests for lib/eval/qrels and lib/eval/run: format detection, trec_eval parsing
 * rules (atol relevance, atof scores, comments, runid), and writer round trips. */
#include "qrels.h"
#include "run.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/lctk-qr-XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, 256, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

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

static void w_trec(lc_run *r, lc_output *o) { lc_err e; lc_run_write_trec(r, o, NULL, &e); }

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	lc_err e;
	lc_qrels q = { 0 };
	ok(lc_qrels_read(&q, put("q.txt", "# c\nq2 0 d1 2.9\nq1 0 d2 +3\nq1 0 d3 -1\n"), NULL, LC_QRELS_AUTO, &e) == 0,
	   "TREC qrels read");
	ok(q.format == LC_QRELS_TREC && q.nq == 2 && q.q[0].j[0].rel == 2 && q.q[1].j[0].rel == 3 && q.q[1].j[1].rel == -1,
	   "rel read as atol: 2.9 -> 2, +3 -> 3, -1 kept");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, put("q.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n"), NULL, LC_QRELS_AUTO, &e) == 0 &&
	   q.format == LC_QRELS_BEIR && q.q[0].n == 2, "BEIR tsv detected by its header");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, put("q.jsonl", "{\"qid\": 7, \"answers\": [[\" p1 \", 1], [\"p1\", 0], [12, 2]]}\n"), NULL,
	                 LC_QRELS_AUTO, &e) == 0 && q.format == LC_QRELS_LOFT, "LOFT queries detected");
	ok(q.nq == 1 && !strcmp(q.q[0].qid, "7") && q.q[0].n == 3 && !strcmp(q.q[0].j[0].docno, "p1") &&
	   !strcmp(q.q[0].j[2].docno, "12"), "LOFT answers: ids stripped, integers in decimal, duplicates kept");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, put("bad.txt", "q1 0 d1 1\nq1 0 d2 1 extra\n"), NULL, LC_QRELS_AUTO, &e) < 0 && e.code == 2 &&
	   strstr(e.msg, "bad.txt:2: malformed qrels line"), "5 fields: malformed at line 2, code 2");
	lc_qrels_free(&q);
	ok(lc_qrels_read(&q, put("big.txt", "q1 0 d1 99999999999999999999\n"), NULL, LC_QRELS_AUTO, &e) < 0 &&
	   strstr(e.msg, "too large"), "huge relevance rejected");
	lc_qrels_free(&q);

	lc_run r = { 0 };
	lc_run_opts o = { 0 };
	ok(lc_run_read(&r, put("r.txt", "q1 Q0 d1 1 0.5 tagA\n  # comment\n\nq1 Q0 d2 2 1e0 tagA extra fields\nq9 Q0 x 1 1 tagZ\n"),
	               &o, &e) == 0, "TREC run read");
	ok(r.format == LC_RUN_TREC && r.nq == 2 && r.q[0].n == 2 && r.q[0].h[1].score == 1.0 && !strcmp(r.runid, "tagZ"),
	   "atof scores, comments skipped, runid = tag of the last line");
	/* TREC -> JSONL -> TREC keeps ranking and scores */
	const char *pj = dump_run(&r, lc_run_write_jsonl, "r.jsonl");
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
	ok(lc_run_read(&r, put("p.jsonl", "{\"qid\": \"a\", \"num_turns\": 1, \"model_outputs\": [[123, 7.0, \" x \"]]}\n"
	                                  "{\"qid\": \"a\", \"num_turns\": 2, \"model_outputs\": [[\"y\"], [\"z\", \"w\"]]}\n"),
	               &o, &e) == 0 && r.format == LC_RUN_LOFT, "LOFT predictions detected");
	ok(r.nq == 1 && r.q[0].num_turns == 2 && r.q[0].n == 3 && r.q[0].turn_start[1] == 1, "a repeated qid: last line wins, turns kept");
	lc_run_free(&r);
	ok(lc_run_read(&r, put("p2.jsonl", "{\"qid\": \"a\", \"num_turns\": 1, \"model_outputs\": [[123, 7.0, \" x \"]]}\n"), &o, &e) == 0 &&
	   !strcmp(r.q[0].h[0].docno, "123") && !strcmp(r.q[0].h[1].docno, "7.0") && !strcmp(r.q[0].h[2].docno, "x"),
	   "prediction ids are Python str(x).strip()");
	lc_run_free(&r);
	static char *const pids[] = { "pA", "pB", "pC" };
	lc_run_opts ao = { LC_RUN_AUTO, NULL, pids, 3, 0, 0 };
	ok(lc_run_read(&r, put("ans.jsonl", "{\"id\": \"q1\", \"response_text\": \"Final Answer: [2, 0]\"}\n"
	                                    "{\"id\": \"q2\", \"response_text\": \"Final Answer: [5]\"}\n"), &ao, &e) == 0 &&
	   r.format == LC_RUN_ANSWERS, "raw answers detected");
	ok(r.q[0].n == 2 && !strcmp(r.q[0].h[0].docno, "pC") && r.q[0].h[0].score > r.q[0].h[1].score && r.q[1].unanswered,
	   "answers mapped through the corpus; an unknown index is unanswered");
	lc_run_free(&r);
	ok(lc_run_read(&r, put("bad.jsonl", "{\"qid\": \"a\", \"hits\": [{\"pid\": \"x\", \"score\": \"high\"}]}\n"), &o, &e) < 0 &&
	   strstr(e.msg, "bad.jsonl:1: field 'score'"), "non-numeric JSONL score rejected with position");
	lc_run_free(&r);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
