/* utf8 — validating UTF-8 the Unicode/WHATWG way: sequence lengths, the valid
 * prefix of a string, repair with U+FFFD; and decoding, encoding and counting
 * code points (see utf8.h). */
#include "utf8.h"

#include <string.h>

size_t lc_utf8_seq(const uint8_t *s, size_t n, size_t i, size_t *bad)
{
	uint8_t b = s[i];
	size_t need;
	uint8_t lo = 0x80, hi = 0xBF;
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		need = 1;
	else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	size_t k;
	for (k = 1; k <= need; k++) {
		if (i + k >= n) {
			*bad = k;
			return 0;
		}
		uint8_t c = s[i + k];
		if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) {
			*bad = k;
			return 0;
		}
	}
	return need + 1;
}

size_t lc_utf8_valid_prefix(const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, bad;
	while (i < n) {
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t l = lc_utf8_seq(s, n, i, &bad);
		if (!l)
			return i;
		i += l;
	}
	return n;
}

size_t lc_utf8_repair(const char *str, size_t n, lc_buf *out)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, reps = 0, bad;
	lc_buf_grow(out, n + 16);
	while (i < n) {
		size_t v = lc_utf8_valid_prefix((const char *)s + i, n - i);
		lc_buf_add(out, s + i, v);
		i += v;
		if (i >= n)
			break;
		bad = 1;
		lc_utf8_seq(s, n, i, &bad);
		lc_buf_add(out, "\xEF\xBF\xBD", 3);
		reps++;
		i += bad;
	}
	return reps;
}

size_t lc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) { len = 2; v = c & 0x1F; min = 0x80; }
	else if (c >= 0xE0 && c <= 0xEF) { len = 3; v = c & 0x0F; min = 0x800; }
	else if (c >= 0xF0 && c <= 0xF4) { len = 4; v = c & 0x07; min = 0x10000; }
	else return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

size_t lc_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void lc_utf8_put(lc_buf *b, uint32_t cp)
{
	char enc[4];
	lc_buf_add(b, enc, lc_utf8_encode(cp, enc));
}

size_t lc_utf8_cpcount(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}
