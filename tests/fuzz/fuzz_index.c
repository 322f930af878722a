/* fuzz_index.c — the BM25 index reader behind its checksums: the input's size field
 * and both CRCs are fixed up first, so the structural checks, term lookup, postings
 * decoding and search run on arbitrary section contents.  Structure-aware
 * mutations (chosen by the input's last byte) then rewrite one count the way an
 * attacker would — a term's document frequency, the postings, document or term
 * total, a section size — before the CRCs are recomputed, so they reach the
 * validator instead of dying at the checksum (plain byte mutation never produced
 * a consistent huge document frequency in 10M runs). */
#include "fuzz.h"
#include "bm25.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* Rewrites the count chosen by sel (a byte of the input) in the image. */
static void mutate(unsigned char *img, size_t size, unsigned sel, unsigned arg)
{
	enum { SEC = 72, POSTOFF = 6, POST = 7 };
	static const uint64_t big[] = { 0, 1, 2, 0x7fffffff, 0xffffffff, 0x100000000ull, 1ull << 62, UINT64_MAX };
	uint64_t v = big[arg % 8];
	switch (sel % 8) {
	case 1: {   /* a term's df: a 9-byte varint, keeping the term's postings bytes */
		uint64_t op = get64(img + SEC + 16 * POSTOFF), sp = get64(img + SEC + 16 * POSTOFF + 8);
		uint64_t o = get64(img + SEC + 16 * POST), sz = get64(img + SEC + 16 * POST + 8);
		if (op > size || sp > size - op || sp < 16 || o > size || sz > size - o)
			return;
		uint64_t t = (arg / 8) % (sp / 8 - 1);
		uint64_t a = get64(img + op + 8 * t), z = get64(img + op + 8 * t + 8);
		if (a > z || z > sz || z - a < 9)
			return;
		for (int i = 0; i < 9; i++, v >>= 7)
			img[o + a + i] = (unsigned char)((v & 0x7F) | (i < 8 ? 0x80 : 0));
		return;
	}
	case 2: put64(img + 48, v); return;                   /* postings total */
	case 3: put64(img + 32, v); return;                   /* documents */
	case 4: put64(img + 40, v); return;                   /* terms */
	case 5: put64(img + 48, get64(img + 48) + (arg & 1 ? 1 : (uint64_t)-1)); return;
	case 6: put64(img + SEC + 16 * ((arg / 8) % 8) + 8, v); return;   /* a section size */
	case 7: put64(img + SEC + 16 * ((arg / 8) % 8), v & ~(uint64_t)7); return;   /* a section offset */
	}
}

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
	if (size > LC_INDEX_HDR + 2)
		mutate(img, size, data[size - 1], data[size - 2]);
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
