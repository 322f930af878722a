/*
 * strmap — interns byte strings into dense ids 0..n-1 (docnos, qids, terms, pids).
 *
 * Keys are copied into the map's own arena; lc_strmap_str() returns them
 * NUL-terminated and valid until lc_strmap_free().  Callers keep per-key values
 * in their own arrays indexed by id.  Open addressing, FNV-1a-style hash.
 */
#ifndef LC_STRMAP_H
#define LC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "hash.h"  /* lc_hash_bytes, the table's hash */

typedef struct lc_strmap {
	uint32_t *slots;      /* id + 1, 0 = empty */
	size_t nslots;
	const char **keys;
	uint32_t *lens;
	uint64_t *hashes;
	size_t n, cap;
	lc_arena arena;
} lc_strmap;

/* Returns the id of s, adding it if new (*is_new set when not NULL). */
uint32_t lc_strmap_intern(lc_strmap *m, const char *s, size_t n, int *is_new);
/* Returns the id of s, or -1 if absent. */
long lc_strmap_find(const lc_strmap *m, const char *s, size_t n);
static inline const char *lc_strmap_str(const lc_strmap *m, uint32_t id) { return m->keys[id]; }
static inline size_t lc_strmap_len(const lc_strmap *m, uint32_t id) { return m->lens[id]; }
static inline size_t lc_strmap_count(const lc_strmap *m) { return m->n; }
void lc_strmap_free(lc_strmap *m);

#endif
