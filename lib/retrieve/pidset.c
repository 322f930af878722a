/* pidset — exact duplicate-pid detection from hashes, rows and line numbers
 * (see pidset.h). */
#include "pidset.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

static void grow_slots(lc_pidset *s)
{
	size_t ns = s->nslot ? 2 * s->nslot : 1024;
	uint32_t *slot = lc_xcalloc(ns, sizeof *slot);
	for (size_t r = 0; r < s->n; r++) {
		size_t i = (size_t)s->hash[r] & (ns - 1);
		while (slot[i])
			i = (i + 1) & (ns - 1);
		slot[i] = (uint32_t)(r + 1);
	}
	free(s->slot);
	s->slot = slot;
	s->nslot = ns;
}

/* the run row was read in: the last one starting at or before it */
static const lc_pidset_src *src_of(const lc_pidset *s, size_t row)
{
	size_t lo = 0, hi = s->nsrc;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->src[mid].first <= row)
			lo = mid;
		else
			hi = mid;
	}
	return &s->src[lo];
}

int lc_pidset_add(lc_pidset *s, const char *pid, const char *src, long line, const char *where,
                  lc_pidset_same_fn same, void *arg, lc_err *e)
{
	size_t len = strlen(pid);
	uint64_t h = lc_hash_bytes(pid, len);
	if (4 * (s->n + 1) > 3 * s->nslot)
		grow_slots(s);
	size_t i = (size_t)h & (s->nslot - 1);
	for (; s->slot[i]; i = (i + 1) & (s->nslot - 1)) {
		size_t r = s->slot[i] - 1;
		if (s->hash[r] != h)
			continue;
		int eq = same(r, pid, len, arg, e);
		if (eq < 0)
			return -1;
		if (eq) {
			const lc_pidset_src *run = src_of(s, r);
			return lc_err_set(e, LC_EXIT_INPUT, "%s: duplicate pid '%s' (first at %s:%ld); ids must be unique",
			                  where, pid, run->name, run->line + (long)(r - run->first));
		}
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->hash = lc_xrealloc(s->hash, s->cap * sizeof *s->hash);
	}
	const lc_pidset_src *last = s->nsrc ? &s->src[s->nsrc - 1] : NULL;
	int same_name = last && !strcmp(last->name, src);
	if (!same_name || line != last->line + (long)(s->n - last->first)) {
		if (s->nsrc == s->srccap) {
			s->srccap = s->srccap ? 2 * s->srccap : 8;
			s->src = lc_xrealloc(s->src, s->srccap * sizeof *s->src);
		}
		char *name = same_name ? s->src[s->nsrc - 1].name : lc_xstrdup(src);
		s->src[s->nsrc].first = s->n;
		s->src[s->nsrc].line = line;
		s->src[s->nsrc].name = name;
		s->nsrc++;
	}
	s->hash[s->n] = h;
	s->slot[i] = (uint32_t)(++s->n);
	return 0;
}

void lc_pidset_free(lc_pidset *s)
{
	for (size_t i = 0; i < s->nsrc; i++)
		if (!i || s->src[i].name != s->src[i - 1].name)
			free(s->src[i].name);
	free(s->src);
	free(s->hash);
	free(s->slot);
	memset(s, 0, sizeof *s);
}
