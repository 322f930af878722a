/* fuzz_prefs.c — trec_eval's judgment-group formats end to end: the first byte
 * picks prefs, qrels_prefs or qrels_jg and a -M cut, the rest is split in
 * half, the judgments then the run; the prefs measures (all_prefs) or the
 * qrels_jg ones are evaluated over whatever parses: preference arrays and
 * their transitive closure, equivalence classes, contradictions, ties. */
#include "fuzz.h"
#include "qrels.h"
#include "run.h"
#include "treceval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned opt = data[0];
	data++;
	size--;
	int fq, fr;
	char qpath[64], rpath[64];
	if (lc_fuzz_halves(data, size, qpath, rpath, &fq, &fr) < 0)
		return 0;
	static const int fmts[] = { LC_QRELS_PREFS, LC_QRELS_TREC_PREFS, LC_QRELS_TREC_JG, LC_QRELS_PREFS };
	int fmt = fmts[opt & 3];
	lc_qrels qr = { .raw = 1 };   /* as lceval reads them */
	lc_run run = { 0 };
	lc_err e;
	lc_run_opts ro = { LC_RUN_TREC, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 1, 0 };
	if (lc_qrels_read(&qr, qpath, NULL, NULL, fmt, &e) == 0 && lc_run_read(&run, rpath, &ro, &e) == 0 &&
	    qr.njudg < 2000 && run.nlines < 2000) {
		lc_te *t = lc_te_new();
		if (lc_te_mark(t, fmt == LC_QRELS_TREC_JG ? "qrels_jg" : "all_prefs", &e) == 0 && lc_te_init(t, &e) == 0) {
			lc_te_opts o;
			lc_te_opts_default(&o);
			o.complete = opt >> 2 & 1;
			if (opt & 8)
				o.max_docs = (long)(opt >> 4) - 2;   /* -2 .. 13: trec_eval's negative -M too */
			lc_te_result res;
			lc_te_evaluate(t, &o, &qr, &run, &res);   /* res is filled (fail_code) either way */
			lc_te_result_free(&res);
		}
		lc_te_free(t);
	}
	lc_qrels_free(&qr);
	lc_run_free(&run);
	close(fq);
	close(fr);
	return 0;
}
