/* fuzz_index.c — the BM25 index reader behind its checksums: the input's size field
 * and both CRCs are fixed up first, so the structural checks, term lookup, postings
 * decoding and search run on arbitrary section contents. */
#include "fuzz.h"
#include "bm25.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < LC_INDEX_HDR || size > (1u << 24))
		return 0;
	unsigned char *img = malloc(size);
	memcpy(img, data, size);
	memcpy(img, LC_INDEX_MAGIC, 8);
	uint32_t v = LC_INDEX_VERSION;
	memcpy(img + 8, &v, 4);
	uint64_t fs = size;
	memcpy(img + 64, &fs, 8);
	uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), img + LC_INDEX_HDR, (uInt)(size - LC_INDEX_HDR));
	memcpy(img + 248, &c, 4);
	c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), img, 252);
	memcpy(img + 252, &c, 4);
	int fd;
	const char *path = lc_fuzz_file(img, size, &fd);
	free(img);
	if (!path)
		return 0;
	lc_err e;
	lc_bm25 *bm = lc_bm25_open(path, NULL, &e);
	if (bm) {
		const lc_index *ix = lc_bm25_index(bm);
		lc_bm25_hit hits[10];
		lc_buf b = {0};
		lc_buf q = {0};
		for (uint64_t t = 0; t < ix->n_terms && t < 8; t++) {
			lc_buf_add(&q, ix->terms + ix->termoff[t], (size_t)(ix->termoff[t + 1] - ix->termoff[t]));
			lc_buf_addc(&q, ' ');
		}
		lc_buf_adds(&q, "apple banana");
		size_t n = lc_bm25_search(bm, q.p, 10, hits);
		for (size_t i = 0; i < n; i++)
			(void)lc_bm25_pid(bm, hits[i].doc, &b);
		lc_bm25_ctx *ctx = lc_bm25_ctx_new(bm);
		lc_bm25_query pq;
		lc_bm25_query_parse(ctx, q.p, &pq);
		(void)lc_bm25_search_subst(ctx, &pq, 0, "apple pie", 9, 10, hits);
		lc_bm25_query_free(&pq);
		lc_bm25_ctx_free(ctx);
		lc_buf_free(&b);
		lc_buf_free(&q);
		lc_bm25_free(bm);
	}
	close(fd);
	return 0;
}
