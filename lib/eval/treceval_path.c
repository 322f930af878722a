/*
 * treceval_path — trec_eval's measures over a run file: streamed query by
 * query when the run allows it (a plain TREC file whose queries each come in
 * one block, as runs are written: memory for one query instead of the run),
 * with -j N in N parts at once (lc_run_split: each thread reads and evaluates
 * its own byte range, the topics' values land in their own slots), else read
 * whole and evaluated as before.  All give the same result.
 */
#include "treceval.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One thread's part of the run. */
typedef struct {
	const char *path;
	const lc_run_opts *ro;
	lc_run_part part;
	lc_te_stream *fork;
	lc_run run;
	lc_err e;
	int rc;                  /* lc_run_stream_part's, or 1 when the fork met another part's topic */
} part_job;

static void *part_thread(void *arg)
{
	part_job *p = arg;
	p->rc = lc_run_stream_part(&p->run, p->path, p->ro, &p->part, lc_te_stream_query, p->fork, &p->e);
	return NULL;
}

/* The parts' queries, line count and run id (the last part with lines has the
 * file's last tag) into run, as one reader would have left them. */
static void merge_parts(lc_run *run, part_job *pj, size_t np)
{
	for (size_t k = 0; k < np; k++) {
		const lc_run *r = &pj[k].run;
		for (size_t i = 0; i < r->nq; i++)
			lc_run_query(run, r->q[i].qid, strlen(r->q[i].qid));
		run->nlines += r->nlines;
		if (r->nlines && r->runid)
			run->runid = lc_arena_strndup(&run->arena, r->runid, strlen(r->runid));
	}
	run->format = LC_RUN_TREC;
}

/* The run streamed in o->jobs parts on as many threads.  0 with res filled, or
 * 1 (res and run untouched) when the run is to be read by one reader. */
static int evaluate_parts(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, const char *path, const lc_run_opts *ro,
                          lc_run *run, lc_te_result *res)
{
	size_t n = o->jobs > 256 ? 256 : (size_t)o->jobs;
	lc_run_part *parts = lc_xcalloc(n, sizeof *parts);
	size_t np = lc_run_split(path, n, parts);
	if (np < 2) {
		free(parts);
		return 1;
	}
	lc_te_stream *s = lc_te_stream_new(t, o, qr, res);
	part_job *pj = lc_xcalloc(np, sizeof *pj);
	pthread_t *tid = lc_xcalloc(np, sizeof *tid);
	char *started = lc_xcalloc(np, 1);
	for (size_t k = 0; k < np; k++) {
		pj[k] = (part_job){ .path = path, .ro = ro, .part = parts[k], .fork = lc_te_stream_fork(s) };
		if (k > 0 && pthread_create(&tid[k], NULL, part_thread, &pj[k]) == 0)
			started[k] = 1;
	}
	part_thread(&pj[0]);
	int whole = 0;
	for (size_t k = 0; k < np; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else if (k > 0)
			part_thread(&pj[k]);   /* thread creation failed: read the part here */
		if (lc_te_stream_join(pj[k].fork) < 0 || pj[k].rc != 0)
			whole = 1;
	}
	if (whole)
		lc_te_stream_abort(s);
	else {
		merge_parts(run, pj, np);
		lc_te_stream_end(s, run->runid);
	}
	for (size_t k = 0; k < np; k++)
		lc_run_free(&pj[k].run);
	free(started);
	free(tid);
	free(pj);
	free(parts);
	return whole;
}

int lc_te_evaluate_path(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, const char *path, const lc_run_opts *ro,
                        lc_run *run, lc_te_result *res, lc_err *e)
{
	if (o->jobs > 1 && !ro->loft && (ro->format == LC_RUN_AUTO || ro->format == LC_RUN_TREC) && !ro->member &&
	    evaluate_parts(t, o, qr, path, ro, run, res) == 0)
		return 0;
	lc_te_stream *s = lc_te_stream_new(t, o, qr, res);
	int rc = lc_run_stream(run, path, ro, lc_te_stream_query, s, e);
	if (rc == 0) {
		lc_te_stream_end(s, run->runid);
		return 0;
	}
	lc_te_stream_abort(s);
	if (rc < 0)
		return -1;
	if (lc_run_read_compact(run, path, ro, e) < 0)
		return -1;
	lc_te_evaluate(t, o, qr, run, res);
	return 0;
}
