/* Unit tests for lib/core/utf8: decode/encode round trips at every length boundary,
 * the invalid sequences decode refuses (overlong, surrogate, > U+10FFFF,
 * truncated), code point counts, validation and repair. */
#include "buf.h"
#include "tap.h"
#include "utf8.h"

#include <stdint.h>

int main(void)
{
	static const uint32_t cps[] = { 0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF,
		                        0x10000, 0x1F600, 0x10FFFF };
	for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
		char enc[4];
		size_t n = lc_utf8_encode(cps[i], enc);
		uint32_t back = 0xFFFFFFFF;
		size_t m = lc_utf8_decode((const unsigned char *)enc, n, &back);
		ok(m == n && back == cps[i] && lc_utf8_valid_prefix(enc, n) == n, "round trip U+%04X (%zu bytes)",
		   (unsigned)cps[i], n);
	}
	struct { const char *s; size_t n; const char *name; } bad[] = {
		{ "\xC0\xAF", 2, "overlong 2-byte" },
		{ "\xE0\x80\xAF", 3, "overlong 3-byte" },
		{ "\xED\xA0\x80", 3, "surrogate U+D800" },
		{ "\xF4\x90\x80\x80", 4, "above U+10FFFF" },
		{ "\xE2\x82", 2, "truncated" },
		{ "\x80", 1, "lone continuation byte" },
		{ "\xFF", 1, "0xFF" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		uint32_t cp;
		ok(lc_utf8_decode((const unsigned char *)bad[i].s, bad[i].n, &cp) == 0, "decode refuses %s", bad[i].name);
	}
	lc_buf b = {0};
	lc_utf8_put(&b, 0x48);
	lc_utf8_put(&b, 0xE9);
	lc_utf8_put(&b, 0x20AC);
	lc_utf8_put(&b, 0x1F600);
	ok(b.len == 10 && !memcmp(b.p, "H\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10), "put appends the encodings");
	is_num(lc_utf8_cpcount(b.p, b.len), 4, "cpcount counts characters, not bytes");
	is_num(lc_utf8_cpcount("", 0), 0, "cpcount of nothing");
	lc_buf r = {0};
	is_num(lc_utf8_repair("a\xE2\x82z\xFF", 5, &r), 2, "repair: a truncated sequence and 0xFF are two replacements");
	ok(r.len == 8 && !memcmp(r.p, "a\xEF\xBF\xBDz\xEF\xBF\xBD", 8), "repair: maximal subparts become U+FFFD");
	lc_buf_free(&b);
	lc_buf_free(&r);
	return done_testing();
}
