/* fuzz_pidset.c — lcindex's duplicate-pid check in chunks against the check
 * without a limit: the input's first byte picks the limit (chunks of 1, 2, 5 or 20
 * rows) and the spacing of the lines (1..4, as --shard reads every Nth record);
 * the rest, cut at newlines, is the pids (NUL ends one early; a short alphabet
 * makes repeats common).  Both read the pids in order, as lcindex does: the
 * unlimited check stops at the first repeat; the chunked one stops at a repeat
 * within its chunk or reads to the end, then lc_pidset_finish looks across the
 * chunks.  The error the user sees (finish's duplicate, else the add's) must be
 * the unlimited check's, word for word, and both must agree there is none.
 * A difference aborts. */
#include "fuzz.h"
#include "pidset.h"
#include "pidstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXPIDS = 512, MAXLEN = 8 };

static int same_store(size_t row, const char *pid, size_t len, void *arg, lc_err *e)
{
	return lc_pidstore_equals(arg, row, pid, len, e);
}

static int scan_store(lc_pid_fn fn, void *fn_arg, void *arg, lc_err *e)
{
	return lc_pidstore_scan(arg, fn, fn_arg, e);
}

/* the error reading pids[0..n) under limit gives ("" for none) */
static void check(char (*pids)[MAXLEN + 1], size_t n, size_t limit, long step, char *msg, size_t cap)
{
	lc_pidset set = {0};
	lc_pidset_set_limit(&set, limit);
	lc_pidstore *store = lc_pidstore_new(0);
	lc_err e = {0}, dup = {0};
	char where[64];
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		long line = 1 + (long)i * step;
		snprintf(where, sizeof where, "f.jsonl:%ld", line);
		rc = lc_pidset_add(&set, pids[i], "f.jsonl", line, where, same_store, store, &e);
		if (!rc && lc_pidstore_add(store, pids[i], strlen(pids[i]), &e) < 0)
			abort();
	}
	int fin = lc_pidset_finish(&set, scan_store, store, &dup);
	if (fin < 0)
		abort();   /* the temporary file failed: not what is fuzzed */
	snprintf(msg, cap, "%s", fin > 0 ? dup.msg : rc ? e.msg : "");
	lc_pidset_free(&set);
	lc_pidstore_free(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 14)
		return 0;
	static const size_t limits[4] = { 20, 40, 100, 400 };
	size_t limit = limits[data[0] & 3];
	long step = 1 + ((data[0] >> 2) & 3);
	static char pids[MAXPIDS][MAXLEN + 1];
	size_t n = 0;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	while (p < end && n < MAXPIDS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t k = l < MAXLEN ? l : MAXLEN;
		memcpy(pids[n], p, k);
		pids[n][k] = 0;   /* a NUL inside ends the pid there */
		n++;
		p += l + (nl != NULL);
	}
	char want[1100], got[1100];
	check(pids, n, 0, step, want, sizeof want);
	check(pids, n, limit, step, got, sizeof got);
	if (strcmp(want, got)) {
		fprintf(stderr, "fuzz_pidset: limit %zu, step %ld:\n  unlimited: %s\n  chunked:   %s\n", limit, step, want, got);
		abort();
	}
	return 0;
}
