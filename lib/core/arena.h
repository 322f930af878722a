/*
 * arena — a bump allocator for many small objects freed together
 * (strings of a corpus, qrels, run lines).
 *
 * Memory from lc_arena_alloc() lives until lc_arena_free(); never free() it.
 * Zero-initialise ({0}) to start.
 */
#ifndef LC_ARENA_H
#define LC_ARENA_H

#include <stddef.h>

typedef struct lc_arena_block lc_arena_block;
typedef struct lc_arena {
	lc_arena_block *head;
	size_t used, cap;     /* in the head block */
	size_t total;         /* bytes handed out, for statistics */
} lc_arena;

void *lc_arena_alloc(lc_arena *a, size_t n);                 /* 16-byte aligned */
char *lc_arena_strndup(lc_arena *a, const char *s, size_t n); /* NUL-terminated copy, packed (unaligned) */
void lc_arena_free(lc_arena *a);

#endif
