/* Unit tests for lib/core/sha256: FIPS 180-4 / NIST example vectors and chunked updates. */
#include "sha256.h"
#include "tap.h"

#include <stdlib.h>

int main(void)
{
	char hex[65];
	lc_sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty string");
	lc_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	lc_sha256_hex(two, strlen(two), hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two-block message");
	/* one million 'a', fed in uneven pieces */
	lc_sha256 c;
	unsigned char d[32];
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	lc_sha256_init(&c);
	size_t off = 0, step = 1;
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		lc_sha256_update(&c, a + off, n);
		off += n;
		step = step * 7 % 977 + 1;
	}
	lc_sha256_final(&c, d);
	char h2[65];
	for (int i = 0; i < 32; i++)
		sprintf(h2 + 2 * i, "%02x", d[i]);
	is_str(h2, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "million a, chunked updates");
	/* lengths around the padding boundary agree with a one-shot hash of the same bytes */
	int okall = 1;
	for (size_t n = 50; n < 70; n++) {
		char x[65], y[65];
		lc_sha256_hex(a, n, x);
		lc_sha256_init(&c);
		lc_sha256_update(&c, a, n / 2);
		lc_sha256_update(&c, a + n / 2, n - n / 2);
		lc_sha256_final(&c, d);
		for (int i = 0; i < 32; i++)
			sprintf(y + 2 * i, "%02x", d[i]);
		okall &= !strcmp(x, y);
	}
	ok(okall, "split updates equal one-shot near the 56-byte padding boundary");
	lc_sha256_hex(a, 55, hex);
	is_str(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318", "55 bytes (one-block padding edge)");
	lc_sha256_hex(a, 64, hex);
	is_str(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb", "64 bytes");
	free(a);
	return done_testing();
}
