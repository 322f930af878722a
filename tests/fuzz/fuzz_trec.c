/* fuzz_trec.c — qrels and run readers (every format, auto-detected) and a full
 * trec_eval all_trec evaluation and LOFT evaluation of the input against itself:
 * the first half of the input is the qrels, the second the run. */
#include "fuzz.h"
#include "loft_eval.h"
#include "qrels.h"
#include "run.h"
#include "treceval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fq, fr;
	char qpath[64], rpath[64];
	if (lc_fuzz_halves(data, size, qpath, rpath, &fq, &fr) < 0)
		return 0;
	int raw = (int)(size & 1);   /* ids kept byte for byte (lceval) or repaired (lcconv), both */
	lc_qrels qr = { .raw = raw };
	lc_run run = { 0 };
	lc_err e;
	static char *const pids[] = { "a", "b", "c" };
	lc_run_opts ro = { LC_RUN_AUTO, NULL, pids, 3, 0, 0, NULL, NULL, 0, raw, 0 };
	if (lc_qrels_read(&qr, qpath, NULL, NULL, LC_QRELS_AUTO, &e) == 0 && lc_run_read(&run, rpath, &ro, &e) == 0 &&
	    qr.njudg < 10000 && run.nlines < 10000) {
		lc_te *t = lc_te_new();
		lc_te_mark(t, "all_trec", &e);
		lc_te_init(t, &e);
		lc_te_opts o;
		lc_te_opts_default(&o);
		o.complete = 1;
		lc_te_result res;
		lc_te_evaluate(t, &o, &qr, &run, &res);
		lc_te_result_free(&res);
		lc_te_free(t);
		lc_loft_sel s = { 0 };
		lc_loft_sel_add(&s, "loft", &e);
		lc_loft_result lr;
		lc_loft_evaluate(&s, &qr, &run, 1, &lr);
		lc_loft_result_free(&lr);
		lc_loft_sel_free(&s);
	}
	lc_qrels_free(&qr);
	lc_run_free(&run);
	close(fq);
	close(fr);
	return 0;
}
