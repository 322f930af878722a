/*
 * qrels_prefs — trec_eval's preference judgments (get_prefs.c,
 * get_qrels_prefs.c): "qid jg jsg docno level" (prefs) or TREC qrels read as
 * preferences, "qid jg docno level" with every line in sub-group "0"
 * (qrels_prefs).  Each line becomes a judgment of its query (in file order),
 * its group, sub-group and atof'd level in the query's pref array.
 * Everything else about the lines (which docs a group prefers to which, the
 * consistency of a group) is the evaluation's business: treceval_prefs.c.
 */
#include "qrels.h"
#include "trecid.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	uint32_t q, k;           /* query index, judgment index in q->q[q].j */
	lc_qrels_pref p;
} pref_line;

int lc_qrels_read_prefs(lc_qrels *q, lc_input *in, int format, lc_err *e)
{
	if (q->nq)
		return lc_err_set(e, 2, "%s: preference judgments come in one file, read into empty qrels", lc_input_path(in));
	int want = format == LC_QRELS_PREFS ? 5 : 4;
	const char *who = format == LC_QRELS_PREFS ? "get_prefs" : "get_qrels_prefs";
	pref_line *pl = NULL;
	size_t n = 0, cap = 0;
	long data_lines = 0;
	int r, any = 0;
	char *line;
	size_t len;
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		any = 1;
		if (len > 0 && line[0] == '#')
			continue;   /* trec_eval's counts leave comment lines out */
		data_lines++;
		lc_input_repair(in, &line, &len);
		const char *f[5];
		size_t fl[5];
		int nf = lc_trec_fields(line, len, f, fl, 5);
		if (nf != want) {
			lc_err_set(e, 2, "trec_eval.%s: Malformed line %ld\ntrec_eval: Quit in file '%s'\n"
			           "lceval: %s: expected %d fields '%s', found %d", who, data_lines, lc_input_path(in),
			           lc_input_where(in), want, want == 5 ? "qid jg jsg docno level" : "qid jg docno level", nf);
			free(pl);
			return -1;
		}
		uint32_t id = lc_qrels_add(q, f[0], fl[0], f[want - 2], fl[want - 2], 0);
		if (n == cap)
			pl = lc_xrealloc(pl, (cap = cap ? 2 * cap : 64) * sizeof *pl);
		pl[n++] = (pref_line){ id, (uint32_t)(q->q[id].n - 1),
		                       { lc_arena_strndup(&q->arena, f[1], fl[1]),
		                         want == 5 ? lc_arena_strndup(&q->arena, f[2], fl[2]) : "0",
		                         lc_trec_atof(f[want - 1], fl[want - 1]) } };
	}
	if (r < 0) {
		free(pl);
		return -1;
	}
	if (!any) {
		/* trec_eval cannot read an empty file (and says so in get_prefs' words for both formats) */
		lc_err_set(e, 2, "trec_eval.get_prefs: Cannot read prefs file '%s'\ntrec_eval: Quit in file '%s'",
		           lc_input_path(in), lc_input_path(in));
		free(pl);
		return -1;
	}
	for (size_t i = 0; i < q->nq; i++)
		q->q[i].pref = lc_xmalloc((q->q[i].n + 1) * sizeof *q->q[i].pref);
	for (size_t i = 0; i < n; i++)
		q->q[pl[i].q].pref[pl[i].k] = pl[i].p;
	free(pl);
	lc_qrels_recs_per_query(q);
	return 0;
}
