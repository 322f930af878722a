/* arena — bump allocator in growing blocks. */
#include "arena.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

struct lc_arena_block {
	lc_arena_block *next;
	size_t pad;           /* keeps data 16-byte aligned */
	char data[];
};

/* n bytes at the next multiple of align (a power of two, <= 16) in the head block,
 * or at the start of a new block twice the size of the last (64 KiB to 64 MiB). */
static void *take(lc_arena *a, size_t n, size_t align)
{
	size_t at = (a->used + align - 1) & ~(align - 1);
	if (!a->head || at + n > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64 * 1024;
		if (cap > (64u << 20))
			cap = 64u << 20;
		if (cap < n)
			cap = n;
		lc_arena_block *b = lc_xmalloc(sizeof *b + cap);
		b->next = a->head;
		a->head = b;
		a->cap = cap;
		at = 0;
	}
	a->used = at + n;
	a->total += n;
	return a->head->data + at;
}

void *lc_arena_alloc(lc_arena *a, size_t n)
{
	return take(a, (n + 15) & ~(size_t)15, 16);
}

char *lc_arena_strndup(lc_arena *a, const char *s, size_t n)
{
	char *p = take(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void lc_arena_free(lc_arena *a)
{
	lc_arena_block *b = a->head;
	while (b) {
		lc_arena_block *next = b->next;
		free(b);
		b = next;
	}
	memset(a, 0, sizeof *a);
}
