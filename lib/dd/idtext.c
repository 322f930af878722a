/*
 * idtext — "[1, 2, 3]" from a table of each small id's ", N" (see idtext.h).
 */
#include "idtext.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

struct lc_idtext {
	unsigned char ent[LC_IDTEXT_TABLE][8];   /* ", N" zero-filled; ent[v][7] = its length */
};

/* "[1, 2, 3]" — two digits at a time. */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline int ndigits(uint32_t v)
{
	return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 :
	       v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

/* Digits written back to front, no libc call. */
char *lc_idtext_u32(char *o, uint32_t v)
{
	int n = ndigits(v);
	char *q = o + n;
	while (v >= 100) {
		uint32_t r = v % 100;
		v /= 100;
		q -= 2;
		q[0] = digits2[2 * r];
		q[1] = digits2[2 * r + 1];
	}
	if (v >= 10) {
		q -= 2;
		q[0] = digits2[2 * v];
		q[1] = digits2[2 * v + 1];
	} else {
		*--q = (char)('0' + v);
	}
	return o + n;
}

lc_idtext *lc_idtext_new(void)
{
	lc_idtext *t = lc_xcalloc(1, sizeof *t);
	for (uint32_t v = 0; v < LC_IDTEXT_TABLE; v++) {
		unsigned char *e = t->ent[v];
		e[0] = ',';
		e[1] = ' ';
		e[7] = (unsigned char)(lc_idtext_u32((char *)e + 2, v) - (char *)e);
	}
	return t;
}

void lc_idtext_free(lc_idtext *t)
{
	free(t);
}

/* The length byte (the entry's last) of an entry loaded as one 64-bit word. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ENTRY_LEN(x) ((x) & 0xff)
#else
#define ENTRY_LEN(x) ((x) >> 56)
#endif

/* Appends ", N" for table id v at o: the entry is loaded once as a 64-bit word and
 * stored whole (zero-filled past the text), then o moves past the text by the
 * word's length byte (a shift, not a second load: five instructions an id). */
#define PUT_ENTRY(t, o, v) do { \
		uint64_t x_; \
		memcpy(&x_, (t)->ent[v], 8); \
		memcpy((o), &x_, 8); \
		(o) += ENTRY_LEN(x_); \
	} while (0)

char *lc_idtext_put(const lc_idtext *t, char *o, const uint32_t *tok, size_t n)
{
	*o++ = '[';
	if (n)
		o = lc_idtext_u32(o, tok[0]);
	for (size_t i = 1; i < n; i++) {
		uint32_t v = tok[i];
		if (v < LC_IDTEXT_TABLE) {
			PUT_ENTRY(t, o, v);
		} else {
			*o++ = ',';
			*o++ = ' ';
			o = lc_idtext_u32(o, v);
		}
	}
	*o++ = ']';
	return o;
}

char *lc_idtext_put16(const lc_idtext *t, char *o, const uint16_t *tok, size_t n)
{
	*o++ = '[';
	if (n)
		o = lc_idtext_u32(o, tok[0]);
	size_t i = 1;
	/* four at a time: the table loads of the next ids do not wait for this one's length */
	for (; i + 4 <= n; i += 4) {
		PUT_ENTRY(t, o, tok[i]);
		PUT_ENTRY(t, o, tok[i + 1]);
		PUT_ENTRY(t, o, tok[i + 2]);
		PUT_ENTRY(t, o, tok[i + 3]);
	}
	for (; i < n; i++)
		PUT_ENTRY(t, o, tok[i]);
	*o++ = ']';
	return o;
}

void lc_idtext_format(const lc_idtext *t, lc_buf *b, const uint32_t *tok, size_t n)
{
	lc_buf_grow(b, LC_IDTEXT_ROOM(n));
	b->len = (size_t)(lc_idtext_put(t, b->p + b->len, tok, n) - b->p);
	b->p[b->len] = 0;
}
