/* Unit tests for lib/retrieve/postbuf: runs keyed by term string.  A random
 * stream of (term, doc, tf) postings over a vocabulary that keeps growing is
 * added with spills at random points; the merge must give every term once, in
 * bytewise order, with exactly the postings added (documents ascending), the df
 * and the byte count of the joined LEB128 list; twice (rewind); whether or not a
 * term's postings are read.  A spill empties the dictionary: memory after it is
 * what the next run adds, not what came before. */
#include "postbuf.h"
#include "rng.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NT 600       /* distinct terms */
#define ND 400       /* documents */

typedef struct posting { uint32_t doc, tf; } posting;

/* the reference: per term, its postings */
static posting *ref[NT];
static size_t nref[NT];

static void term_name(char *b, size_t cap, int t)
{
	/* names whose bytewise order is not their number's (prefixes, lengths) */
	snprintf(b, cap, "%c%d", "zab\xc3"[t % 4], t * 7919 % 1000);
}

static unsigned vlen(uint64_t v)
{
	unsigned n = 1;
	while (v >>= 7)
		n++;
	return n;
}

static int cmp_name(const void *a, const void *b)
{
	char x[16], y[16];
	term_name(x, sizeof x, *(const int *)a);
	term_name(y, sizeof y, *(const int *)b);
	return strcmp(x, y);
}

/* one merge against the reference; read_every: read postings of every term (else every third) */
static int check_merge(lc_postbuf *pb, int read_every, const char *what)
{
	lc_err e;
	int order[NT], n = 0;
	for (int t = 0; t < NT; t++)
		if (nref[t])
			order[n++] = t;
	qsort(order, (size_t)n, sizeof *order, cmp_name);
	if (lc_postbuf_rewind(pb, &e) < 0)
		return ok(0, "%s: rewind: %s", what, e.msg);
	lc_postbuf_entry en;
	int i = 0, bad = 0, got;
	while ((got = lc_postbuf_next_term(pb, &en, &e)) > 0 && !bad) {
		char want[16];
		if (i >= n)
			return ok(0, "%s: more terms than added", what);
		int t = order[i++];
		term_name(want, sizeof want, t);
		uint64_t bytes = 0;
		for (size_t k = 0; k < nref[t]; k++)
			bytes += vlen(k ? ref[t][k].doc - ref[t][k - 1].doc : ref[t][k].doc) + vlen(ref[t][k].tf);
		if (en.len != strlen(want) || memcmp(en.str, want, en.len) || en.df != nref[t] || en.bytes != bytes) {
			printf("# term %d: got '%.*s' df %llu bytes %llu, want '%s' df %zu bytes %llu\n", t, (int)en.len,
			       en.str, (unsigned long long)en.df, (unsigned long long)en.bytes, want, nref[t],
			       (unsigned long long)bytes);
			bad = 1;
		}
		if (!read_every && t % 3)
			continue;
		uint32_t doc, tf;
		size_t k = 0;
		while ((got = lc_postbuf_next(pb, &doc, &tf, &e)) > 0)
			if (k >= nref[t] || ref[t][k].doc != doc || ref[t][k++].tf != tf)
				bad = 1;
		if (got < 0 || k != nref[t])
			bad = 1;
	}
	return ok(!bad && got == 0 && i == n, "%s: %d terms merged in order with their postings", what, n);
}

/* the random stream into pb (and the reference), a spill after a document with
 * odds 1 in spill_odds; the number of spills, -1 on error */
static int add_stream(lc_postbuf *pb, uint64_t seed, unsigned spill_odds, size_t *before_spill, size_t *after_spill)
{
	lc_err e;
	lc_rng rng;
	lc_rng_seed(&rng, seed);
	for (int t = 0; t < NT; t++)
		nref[t] = 0;
	int spills = 0;
	for (uint32_t d = 0; d < ND; d++) {
		/* a growing vocabulary: document d draws from the first 100 + d terms */
		int seen[NT] = {0};
		int m = 1 + (int)(lc_rng_next(&rng) % 12);
		for (int j = 0; j < m; j++) {
			int t = (int)(lc_rng_next(&rng) % (uint64_t)(100 + d < NT ? 100 + d : NT));
			if (seen[t])
				continue;
			seen[t] = 1;
			uint32_t tf = 1 + (uint32_t)(lc_rng_next(&rng) % (j == 0 ? 300 : 3));
			char name[16];
			term_name(name, sizeof name, t);
			lc_postbuf_add(pb, lc_postbuf_term(pb, name, strlen(name)), d * 37, tf);   /* gaps past one byte */
			ref[t] = realloc(ref[t], (nref[t] + 1) * sizeof *ref[t]);
			ref[t][nref[t]++] = (posting){ d * 37, tf };
		}
		if (lc_rng_next(&rng) % spill_odds == 0) {
			*before_spill = lc_postbuf_bytes(pb);
			if (lc_postbuf_spill(pb, &e) < 0) {
				ok(0, "spill: %s", e.msg);
				return -1;
			}
			*after_spill = lc_postbuf_bytes(pb);
			spills++;
		}
	}
	return spills;
}

int main(void)
{
	char tmpdir[] = "/tmp/lctk-unit-postbuf-XXXXXX";
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("TMPDIR", tmpdir, 1);
	lc_postbuf *pb = lc_postbuf_new(0);
	size_t before_spill = 0, after_spill = 0;
	int spills = add_stream(pb, 7, 40, &before_spill, &after_spill);
	if (spills < 0)
		return done_testing();
	ok(spills > 3 && lc_postbuf_runs(pb) == (size_t)spills, "%d runs spilled", spills);
	ok(before_spill > 0 && after_spill == 0, "a spill empties memory, dictionary included (%zu -> %zu bytes)",
	   before_spill, after_spill);
	check_merge(pb, 1, "runs and memory");
	check_merge(pb, 0, "again, some terms' postings not read");
	lc_postbuf_free(pb);

	/* many small runs (past the 64 a scan merges): the heap's merge, the same result */
	pb = lc_postbuf_new(0);
	spills = add_stream(pb, 11, 3, &before_spill, &after_spill);
	ok(spills > 100 && lc_postbuf_runs(pb) == (size_t)spills, "%d runs spilled", spills);
	check_merge(pb, 1, "many runs and memory");
	check_merge(pb, 0, "many runs again, some terms' postings not read");
	lc_postbuf_free(pb);
	spills = add_stream(pb = lc_postbuf_new(0), 7, 40, &before_spill, &after_spill);   /* the reference for below */
	lc_postbuf_free(pb);

	/* the same postings, all in memory (no run): the same merge */
	pb = lc_postbuf_new(0);
	for (uint32_t d = 0; d < ND * 37; d += 37)
		for (int t = 0; t < NT; t++)
			for (size_t k = 0; k < nref[t]; k++)
				if (ref[t][k].doc == d) {
					char name[16];
					term_name(name, sizeof name, t);
					lc_postbuf_add(pb, lc_postbuf_term(pb, name, strlen(name)), d, ref[t][k].tf);
				}
	is_num(lc_postbuf_runs(pb), 0, "no limit, no spill: no run");
	check_merge(pb, 1, "memory alone");
	lc_postbuf_free(pb);

	/* the limit counts the dictionary: long terms with one posting each pass it */
	pb = lc_postbuf_new(20000);
	char w[128];
	int n = 0;
	while (!lc_postbuf_full(pb) && n < 1000) {
		snprintf(w, sizeof w, "%0100d", n);
		lc_postbuf_add(pb, lc_postbuf_term(pb, w, strlen(w)), (uint32_t)n, 1);
		n++;
	}
	ok(n < 200, "100-byte terms fill a 20,000-byte limit after %d of them (their postings: %d bytes)", n, 2 * n);
	lc_postbuf_free(pb);

	for (int t = 0; t < NT; t++)
		free(ref[t]);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
