/* Unit tests for lcindex's pid bookkeeping: pidstore (pids as one byte string, in
 * memory or, past its limit, spilled to a temporary file) and pidset (duplicates
 * from hashes). */
#include "buf.h"
#include "pidset.h"
#include "pidstore.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lctk-unit-pidset-XXXXXX";

/* scan callback: every pid joined by '|' into arg */
static int join(const char *pid, size_t len, size_t row, void *arg)
{
	lc_buf *b = arg;
	if (row)
		lc_buf_addc(b, '|');
	lc_buf_add(b, pid, len);
	return 0;
}

static void test_store(size_t limit)
{
	lc_err e = {0};
	lc_pidstore *s = lc_pidstore_new(limit);
	lc_buf want = {0}, got = {0};
	char pid[64];
	int bad = 0;
	/* long pids too, so that the spilled ones straddle the 1 MiB read blocks and the flushes */
	for (int i = 0; i < 120000; i++) {
		int n = snprintf(pid, sizeof pid, "%s%d", i % 3 ? "p" : "a-much-longer-pid-of-some-corpus-", i);
		if (lc_pidstore_add(s, pid, (size_t)n, &e) < 0)
			bad++;
		if (i)
			lc_buf_addc(&want, '|');
		lc_buf_add(&want, pid, (size_t)n);
	}
	is_num(bad, 0, "120000 pids added");
	is_num(lc_pidstore_count(s), 120000, "count");
	lc_buf_adds(&got, "");
	is_num(lc_pidstore_scan(s, join, &got, &e), 0, "scan to the end");
	ok(lc_pidstore_spilled(s) == (limit != 0), "limit %zu: spilled only with a limit (2.4 MB of pids)", limit);
	ok(got.len == want.len && !memcmp(got.p, want.p, got.len), "limit %zu: every pid back in order", limit);
	is_num(lc_pidstore_equals(s, 0, "a-much-longer-pid-of-some-corpus-0", 34, &e), 1, "row 0 equals");
	is_num(lc_pidstore_equals(s, 119998, "p119998", 7, &e), 1, "last rows equal");
	is_num(lc_pidstore_equals(s, 119998, "p11999", 6, &e), 0, "a prefix is not equal");
	is_num(lc_pidstore_equals(s, 119997, "p119998", 7, &e), 0, "another row is not equal");
	lc_pidstore_free(s);
	lc_buf_free(&want);
	lc_buf_free(&got);
}

static int same_store(size_t row, const char *pid, size_t len, void *arg, lc_err *e)
{
	return lc_pidstore_equals(arg, row, pid, len, e);
}

/* a hash match that is not the same pid (as a 64-bit collision would be) */
static int never_same(size_t row, const char *pid, size_t len, void *arg, lc_err *e)
{
	++*(int *)arg;
	return 0;
}

static void test_set(void)
{
	lc_err e = {0};
	lc_pidset set = {0};
	lc_pidstore *s = lc_pidstore_new(0);
	char pid[32];
	int bad = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(pid, sizeof pid, "d%d", i);
		const char *src = i < 3000 ? "a.jsonl" : "b.jsonl";
		if (lc_pidset_add(&set, pid, src, i < 3000 ? i + 1 : 2 * (i - 3000) + 1, "w", same_store, s, &e) < 0 ||
		    lc_pidstore_add(s, pid, strlen(pid), &e) < 0)
			bad++;
	}
	is_num(bad, 0, "5000 distinct pids over two files");
	is_num(lc_pidset_add(&set, "d2999", "c.jsonl", 7, "c.jsonl:7", same_store, s, &e), -1, "duplicate from the first file");
	is_str(e.msg, "c.jsonl:7: duplicate pid 'd2999' (first at a.jsonl:3000); ids must be unique", "message names the first");
	is_num(lc_pidset_add(&set, "d4000", "c.jsonl", 8, "c.jsonl:8", same_store, s, &e), -1, "duplicate from the second file");
	is_str(e.msg, "c.jsonl:8: duplicate pid 'd4000' (first at b.jsonl:2001); ids must be unique", "its source and line");
	is_num(lc_pidset_add(&set, "d0", "c.jsonl", 9, "c.jsonl:9", same_store, s, &e), -1, "row 0");
	is_str(e.msg, "c.jsonl:9: duplicate pid 'd0' (first at a.jsonl:1); ids must be unique", "row 0's source and line");
	is_num(lc_pidset_add(&set, "new", "c.jsonl", 10, "c.jsonl:10", same_store, s, &e), 0, "a new pid after errors");
	lc_pidset_free(&set);
	lc_pidstore_free(s);

	int asked = 0;
	ok(lc_pidset_add(&set, "x", "f", 1, "f:1", never_same, &asked, &e) == 0, "first x");
	is_num(lc_pidset_add(&set, "x", "f", 2, "f:2", never_same, &asked, &e), 0, "a hash match the check denies is no error");
	is_num(asked, 1, "the check was asked once");
	is_num(lc_pidset_add(&set, "y", "f", 3, "f:3", never_same, &asked, &e), 0, "y");
	is_num(asked, 1, "another hash asks nothing");
	/* nor do the other rows a probe passes: 20,000 distinct pids fill 61 % of the
	 * table, so probes run past occupied slots */
	char name[32];
	int rc = 0;
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof name, "n%d", i);
		rc |= lc_pidset_add(&set, name, "f", 4 + i, "w", never_same, &asked, &e);
	}
	is_num(rc, 0, "20,000 more pids");
	is_num(asked, 1, "the check is asked on an equal hash only");
	lc_pidset_free(&set);
}

static int scan_store(lc_pid_fn fn, void *fn_arg, void *arg, lc_err *e)
{
	return lc_pidstore_scan(arg, fn, fn_arg, e);
}

/* n pids "d0".."d<n-1>" read at f.jsonl lines 1.., then dup (a pid among them) at
 * line n + 1, under limit: what add and finish say */
static int chunked(size_t limit, int n, const char *dup, lc_err *e, int *added)
{
	lc_pidset set = {0};
	lc_pidset_set_limit(&set, limit);
	lc_pidstore *s = lc_pidstore_new(0);
	char pid[32], where[32];
	int rc = 0;
	for (int i = 0; i <= n && !rc; i++) {
		const char *p = pid;
		if (i < n)
			snprintf(pid, sizeof pid, "d%d", i);
		else
			p = dup;
		snprintf(where, sizeof where, "f.jsonl:%d", i + 1);
		rc = lc_pidset_add(&set, p, "f.jsonl", i + 1, where, same_store, s, e);
		if (!rc) {
			lc_pidstore_add(s, p, strlen(p), e);
			++*added;
		}
	}
	int fin = lc_pidset_finish(&set, scan_store, s, rc ? &(lc_err){0} : e);
	lc_pidset_free(&set);
	lc_pidstore_free(s);
	return rc ? -1 : fin;
}

static void test_chunks(void)
{
	lc_err e = {0};
	int added = 0;
	/* 2000 bytes: chunks of 100 rows */
	is_num(chunked(2000, 1000, "fresh", &e, &added), 0, "1001 distinct pids in 11 chunks: no duplicate");
	is_num(added, 1001, "every pid added");
	added = 0;
	is_num(chunked(2000, 1000, "d17", &e, &added), 1, "a pid of the first chunk repeated in the last: found at the end");
	is_str(e.msg, "f.jsonl:1001: duplicate pid 'd17' (first at f.jsonl:18); ids must be unique",
	       "the message lc_pidset_add gives within a chunk");
	added = 0;
	is_num(chunked(2000, 1000, "d905", &e, &added), -1, "a repeat within the last chunk: found when added");
	is_str(e.msg, "f.jsonl:1001: duplicate pid 'd905' (first at f.jsonl:906); ids must be unique", "same words");
	added = 0;
	is_num(chunked(20, 300, "d0", &e, &added), 1, "chunks of one row: found at the end");
	is_str(e.msg, "f.jsonl:301: duplicate pid 'd0' (first at f.jsonl:1); ids must be unique", "row 0 named");
	is_num(chunked(0, 300, "d0", &e, &added), -1, "no limit: found when added");
	is_str(e.msg, "f.jsonl:301: duplicate pid 'd0' (first at f.jsonl:1); ids must be unique", "the same message");

	/* the first repeat in row order wins: b repeats at row 4, a at row 5 (first at 0 and 2) */
	lc_pidset set = {0};
	lc_pidset_set_limit(&set, 20);   /* a chunk a row */
	lc_pidstore *s = lc_pidstore_new(0);
	const char *pids[] = { "a", "x", "b", "y", "b", "a" };
	int rc = 0;
	for (int i = 0; i < 6; i++) {
		rc |= lc_pidset_add(&set, pids[i], i < 3 ? "one" : "two", i < 3 ? 2 * i + 1 : i, "w", same_store, s, &e);
		lc_pidstore_add(s, pids[i], 1, &e);
	}
	is_num(rc, 0, "rows a chunk apart are not compared when added");
	is_num(lc_pidset_finish(&set, scan_store, s, &e), 1, "finish finds them");
	is_str(e.msg, "two:4: duplicate pid 'b' (first at one:5); ids must be unique",
	       "the earlier repeat, lines spaced by two in the first file");
	lc_pidset_free(&set);
	lc_pidstore_free(s);

	/* a hash match that is not the same pid is passed over at the end too: the set is
	 * given x, y, x, y (a chunk each) but the store holds x, y, x2, y, which is what
	 * a 64-bit collision of x and x2 would look like; the search goes on past it */
	static const char *given[] = { "x", "y", "x", "y" }, *stored[] = { "x", "y", "x2", "y" };
	lc_pidset_set_limit(&set, 20);
	s = lc_pidstore_new(0);
	rc = 0;
	for (int i = 0; i < 3; i++) {
		rc |= lc_pidset_add(&set, given[i], "f", i + 1, "w", same_store, s, &e);
		lc_pidstore_add(s, stored[i], strlen(stored[i]), &e);
	}
	is_num(rc, 0, "x, y, x a chunk each");
	is_num(lc_pidset_finish(&set, scan_store, s, &e), 0, "a collision alone is no duplicate");
	lc_pidset_free(&set);
	lc_pidstore_free(s);
	lc_pidset_set_limit(&set, 20);
	s = lc_pidstore_new(0);
	for (int i = 0; i < 4; i++) {
		lc_pidset_add(&set, given[i], "f", i + 1, "w", same_store, s, &e);
		lc_pidstore_add(s, stored[i], strlen(stored[i]), &e);
	}
	is_num(lc_pidset_finish(&set, scan_store, s, &e), 1, "past the collision (row 2), the repeat at row 3");
	is_str(e.msg, "f:4: duplicate pid 'y' (first at f:2); ids must be unique", "y named");
	lc_pidset_free(&set);
	lc_pidstore_free(s);

	/* an unusable TMPDIR: the chunk cannot be written */
	const char *old = getenv("TMPDIR");
	char *keep = old ? strdup(old) : NULL;
	setenv("TMPDIR", "/nonexistent-lctk-dir", 1);
	lc_pidset_set_limit(&set, 20);
	s = lc_pidstore_new(0);
	rc = lc_pidset_add(&set, "p", "f", 1, "f:1", same_store, s, &e);
	is_num(rc, 0, "the first row fits");
	is_num(lc_pidset_add(&set, "q", "f", 2, "f:2", same_store, s, &e), -1, "the second needs the file");
	is_str(e.msg, "cannot create a temporary file for the pid check in /nonexistent-lctk-dir: No such file or "
	       "directory; set TMPDIR to a writable directory or raise --memory", "what to do");
	is_num(lc_pidset_finish(&set, scan_store, s, &e), 0, "nothing written: nothing to merge");
	lc_pidset_free(&set);
	lc_pidstore_free(s);
	if (keep)
		setenv("TMPDIR", keep, 1);
	free(keep);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("TMPDIR", tmpdir, 1);
	test_store(0);
	test_store(1);
	test_store(1000);
	test_store(1u << 20);
	test_set();
	test_chunks();
	setenv("TMPDIR", "/nonexistent-lctk-dir", 1);
	lc_err e = {0};
	/* 99,990 bytes of pids under a limit of 100,000: all in memory, no file needed */
	lc_pidstore *s = lc_pidstore_new(100000);
	int rc = 0, i;
	for (i = 0; i < 9090 && !rc; i++)
		rc = lc_pidstore_add(s, "0123456789", 10, &e);
	is_num(rc, 0, "pids within the limit need no TMPDIR");
	is_num(lc_pidstore_spilled(s), 0, "nothing spilled");
	is_num(lc_pidstore_equals(s, 9089, "0123456789", 10, &e), 1, "the last pid reads back from memory");
	for (; i < 300000 && !rc; i++)
		rc = lc_pidstore_add(s, "0123456789", 10, &e);
	is_num(i, 9091, "the pid past the limit is the one that fails");
	is_num(rc, -1, "an unusable TMPDIR is an error once the limit is passed");
	ok(strstr(e.msg, "temporary file for index pids in /nonexistent-lctk-dir") != NULL, "it names the directory: %s", e.msg);
	ok(strstr(e.msg, "set TMPDIR to a writable directory or raise --memory") != NULL, "and says what to do: %s", e.msg);
	lc_pidstore_free(s);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
