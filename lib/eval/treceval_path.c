/*
 * treceval_path — trec_eval's measures over a run file: streamed query by
 * query when the run allows it (a plain TREC file whose queries each come in
 * one block, as runs are written: memory for one query instead of the run),
 * else read whole and evaluated as before.  Both give the same result.
 */
#include "treceval.h"

#include <string.h>

int lc_te_evaluate_path(lc_te *t, const lc_te_opts *o, const lc_qrels *qr, const char *path, const lc_run_opts *ro,
                        lc_run *run, lc_te_result *res, lc_err *e)
{
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
