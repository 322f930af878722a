/* fuzz_corpus.c — corpus and query readers and the analyser over arbitrary bytes:
 * LOFT/BEIR/explicit-field detection, ids, duplicates, then indexing and a search. */
#include "fuzz.h"
#include "bm25.h"
#include "corpus.h"
#include "queries.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_corpus c = {0};
	lc_corpus_opts o = { .keep_meta = 1 };
	if (size && (data[0] & 3) == 1) {
		o.id_field = "id";
		o.text_fields = "a,b";
	}
	if (lc_corpus_load(&c, path, &o, &e) == 0 && c.n) {
		lc_bm25_opts bo = { .an_set = 1, .an = { LC_AN_STEM, NULL } };
		lc_bm25 *bm = lc_bm25_build(&c, &bo, &e);
		if (bm) {
			lc_bm25_hit h[5];
			lc_buf t = {0};
			lc_passage_text(&c.p[0], &t);
			(void)lc_bm25_search(bm, t.p, 5, h);
			lc_buf_reset(&t);
			lc_corpus_write_loft(&t, &c.p[0]);
			lc_corpus_write_beir(&t, &c.p[c.n - 1]);
			lc_buf_free(&t);
			lc_bm25_free(bm);
		}
	}
	lc_corpus_free(&c);
	lc_queries qs = {0};
	if (lc_queries_load(&qs, path, NULL, &e) == 0 && qs.n) {
		lc_buf t = {0};
		lc_queries_write_loft(&t, &qs.q[0]);
		lc_queries_write_tsv(&t, &qs.q[qs.n - 1]);
		lc_buf_free(&t);
	}
	lc_queries_free(&qs);
	close(fd);
	return 0;
}
