/* fuzz_shardmerge.c — shard + merge against a single build (issue 18): the
 * input's first byte picks N (1..4) and the analyser (stemming, stopwords); the
 * rest, cut at newlines, is the documents (ids d0, d1, ...).  One build of all
 * documents (lib/retrieve/bm25's builder, as lcindex does) must be byte-identical to
 * lc_index_merge() of the N shard builds K/N, each holding the documents i with
 * i % N == K-1 (lcindex --shard K/N; the record filter itself lives in
 * lib/retrieve/corpus and is exercised by the suites).  The first byte's top two
 * bits also pick a memory budget (none, 1, 600 or 4,000 bytes): that build, its
 * postings and term dictionary spilled to runs and merged by term string, must
 * give the same bytes too.  A difference or a merge error aborts. */
#include "fuzz.h"
#include "bm25.h"

#include <stdlib.h>
#include <string.h>

enum { MAXDOCS = 64, MAXN = 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 1 << 16)
		return 0;
	unsigned sel = data[0];
	size_t nshards = 1 + sel % MAXN;
	lc_analyze_opts an = { LC_ANALYZE_DEFAULT_FLAGS, NULL };
	if (sel & 0x10)
		an.flags &= ~(unsigned)LC_AN_STEM;
	if (sel & 0x20)
		an.flags &= ~(unsigned)LC_AN_STOP;
	const char *doc[MAXDOCS];
	size_t len[MAXDOCS], nd = 0;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	while (p < end && nd < MAXDOCS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		doc[nd] = p;
		len[nd++] = l;
		p += l + (nl != NULL);
	}
	if (nd < nshards)
		return 0;   /* lcindex refuses an empty corpus; every shard holds a document */
	lc_err e;
	char pid[32];
	lc_bm25_builder *b = lc_bm25_builder_new(&an, &e);
	if (!b)
		abort();
	for (size_t i = 0; i < nd; i++) {
		snprintf(pid, sizeof pid, "d%zu", i);
		lc_bm25_builder_add(b, pid, doc[i], len[i]);
	}
	lc_buf whole = {0};
	lc_bm25_builder_finish(b, 1, 1, &whole);
	lc_bm25_builder_free(b);

	static const size_t budgets[4] = { 0, 1, 600, 4000 };
	if (budgets[sel >> 6]) {
		if (!(b = lc_bm25_builder_new(&an, &e)))
			abort();
		lc_bm25_builder_set_memory(b, budgets[sel >> 6]);
		for (size_t i = 0; i < nd; i++) {
			snprintf(pid, sizeof pid, "d%zu", i);
			lc_bm25_builder_add(b, pid, doc[i], len[i]);
		}
		lc_buf spilled = {0};
		lc_bm25_builder_finish(b, 1, 1, &spilled);   /* runs in TMPDIR (else /tmp) */
		lc_bm25_builder_free(b);
		if (spilled.len != whole.len || memcmp(spilled.p, whole.p, whole.len))
			abort();   /* a budget changed the index */
		lc_buf_free(&spilled);
	}

	lc_index parts[MAXN];
	const char *names[MAXN] = { "shard1", "shard2", "shard3", "shard4" };
	for (size_t k = 0; k < nshards; k++) {
		if (!(b = lc_bm25_builder_new(&an, &e)))
			abort();
		for (size_t i = k; i < nd; i += nshards) {
			snprintf(pid, sizeof pid, "d%zu", i);
			lc_bm25_builder_add(b, pid, doc[i], len[i]);
		}
		lc_buf img = {0};
		lc_bm25_builder_finish(b, (uint32_t)k + 1, (uint32_t)nshards, &img);
		lc_bm25_builder_free(b);
		size_t n = img.len;
		if (lc_index_from_mem(&parts[k], lc_buf_detach(&img), n, 1, names[k], &e) < 0)
			abort();   /* a shard the builder wrote must open */
	}
	lc_buf merged = {0};
	if (lc_index_merge(&merged, parts, names, nshards, &e) < 0)
		abort();
	if (merged.len != whole.len || memcmp(merged.p, whole.p, whole.len))
		abort();   /* shard + merge differs from one build */
	for (size_t k = 0; k < nshards; k++)
		lc_index_close(&parts[k]);
	lc_buf_free(&merged);
	lc_buf_free(&whole);
	return 0;
}
