/* fuzz_corpus.c — the LOFT/BEIR corpus reader (and the query reader on the same
 * bytes): ids, types, duplicates, any compression. */
#include "fuzz.h"
#include "corpus.h"
#include "queries.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd;
	const char *path = lc_fuzz_file(data, size, &fd);
	if (!path)
		return 0;
	lc_err e;
	lc_corpus c = {0};
	lc_corpus_opts co = { .keep_meta = 1 };
	if (lc_corpus_load(&c, path, &co, &e) == 0) {
		lc_buf b = {0};
		for (size_t i = 0; i < c.n; i++) {
			lc_passage_text(&c.p[i], &b);
			lc_corpus_write_loft(&b, &c.p[i]);
			lc_corpus_write_beir(&b, &c.p[i]);
			lc_buf_reset(&b);
		}
		lc_buf_free(&b);
	}
	lc_corpus_free(&c);
	lc_queries qs = {0};
	lc_queries_opts qo = { .keep_meta = 1 };
	if (lc_queries_load(&qs, path, &qo, &e) == 0) {
		lc_buf b = {0};
		for (size_t i = 0; i < qs.n; i++) {
			lc_queries_write_loft(&b, &qs.q[i]);
			lc_queries_write_tsv(&b, &qs.q[i]);
			lc_buf_reset(&b);
		}
		lc_buf_free(&b);
	}
	lc_queries_free(&qs);
	close(fd);
	return 0;
}
