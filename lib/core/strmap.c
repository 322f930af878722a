/* strmap — string interning with open addressing. */
#include "strmap.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

static void rehash(lc_strmap *m, size_t nslots)
{
	free(m->slots);
	m->slots = lc_xcalloc(nslots, sizeof *m->slots);
	m->nslots = nslots;
	for (size_t id = 0; id < m->n; id++) {
		size_t i = m->hashes[id] & (nslots - 1);
		while (m->slots[i])
			i = (i + 1) & (nslots - 1);
		m->slots[i] = (uint32_t)id + 1;
	}
}

long lc_strmap_find(const lc_strmap *m, const char *s, size_t n)
{
	if (!m->nslots)
		return -1;
	uint64_t h = lc_hash_bytes(s, n);
	for (size_t i = h & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		uint32_t v = m->slots[i];
		if (!v)
			return -1;
		v--;
		if (m->hashes[v] == h && m->lens[v] == n && !memcmp(m->keys[v], s, n))
			return v;
	}
}

uint32_t lc_strmap_intern(lc_strmap *m, const char *s, size_t n, int *is_new)
{
	if (m->n + 1 > m->nslots / 2)
		rehash(m, m->nslots ? m->nslots * 2 : 64);
	uint64_t h = lc_hash_bytes(s, n);
	size_t i = h & (m->nslots - 1);
	for (;; i = (i + 1) & (m->nslots - 1)) {
		uint32_t v = m->slots[i];
		if (!v)
			break;
		v--;
		if (m->hashes[v] == h && m->lens[v] == n && !memcmp(m->keys[v], s, n)) {
			if (is_new)
				*is_new = 0;
			return v;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->keys = lc_xrealloc(m->keys, m->cap * sizeof *m->keys);
		m->lens = lc_xrealloc(m->lens, m->cap * sizeof *m->lens);
		m->hashes = lc_xrealloc(m->hashes, m->cap * sizeof *m->hashes);
	}
	uint32_t id = (uint32_t)m->n++;
	m->keys[id] = lc_arena_strndup(&m->arena, s, n);
	m->lens[id] = (uint32_t)n;
	m->hashes[id] = h;
	m->slots[i] = id + 1;
	if (is_new)
		*is_new = 1;
	return id;
}

void lc_strmap_free(lc_strmap *m)
{
	free(m->slots);
	free(m->keys);
	free(m->lens);
	free(m->hashes);
	lc_arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}
