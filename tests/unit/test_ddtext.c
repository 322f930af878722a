/* Unit tests for lib/dd/ustar (tar members built in memory) and lib/dd/idtext ("[1, 2, 3]"
 * from a table).  References: libarchive's ustar writer with the settings lcdecompose's
 * shards used before (mode 0444, mtime 0, 64 KiB blocks, last block unpadded), and
 * lc_wds_format_ids (digit by digit). */
#include "idtext.h"
#include "ustar.h"
#include "wds.h"
#include "tap.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One archive of members (names[i], data of sizes[i] bytes 'a'+i) through libarchive. */
static size_t libarchive_tar(char *out, size_t cap, const char *const *names, const size_t *sizes, int n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_ustar(a);
	archive_write_add_filter_none(a);
	archive_write_set_bytes_per_block(a, 65536);
	archive_write_set_bytes_in_last_block(a, 1);
	size_t used = 0;
	archive_write_open_memory(a, out, cap, &used);
	struct archive_entry *ent = archive_entry_new();
	for (int i = 0; i < n; i++) {
		char *d = malloc(sizes[i] + 1);
		memset(d, 'a' + i, sizes[i]);
		archive_entry_clear(ent);
		archive_entry_set_pathname(ent, names[i]);
		archive_entry_set_filetype(ent, AE_IFREG);
		archive_entry_set_perm(ent, 0444);
		archive_entry_set_size(ent, (la_int64_t)sizes[i]);
		archive_entry_set_mtime(ent, 0, 0);
		archive_write_header(a, ent);
		archive_write_data(a, d, sizes[i]);
		free(d);
	}
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(ent);
	return used;
}

static size_t ustar_tar(lc_buf *b, const char *const *names, const size_t *sizes, int n)
{
	lc_buf_reset(b);
	for (int i = 0; i < n; i++) {
		size_t off = lc_ustar_begin(b);
		lc_buf_grow(b, sizes[i]);
		memset(b->p + b->len, 'a' + i, sizes[i]);
		b->len += sizes[i];
		if (lc_ustar_end(b, off, names[i]) < 0)
			return 0;
	}
	lc_ustar_finish(b);
	return b->len;
}

static void test_ustar(void)
{
	static char ref[1 << 20];
	lc_buf b = { 0 };
	const char *names[] = { "000000000000.txt", "000000000001.txt", "x", "000000000003.txt", "a/b.txt", "n" };
	const size_t sizes[] = { 3277, 0, 1, 511, 512, 513 };
	for (int n = 0; n <= 6; n++) {
		size_t rn = libarchive_tar(ref, sizeof ref, names, sizes, n);
		size_t un = ustar_tar(&b, names, sizes, n);
		ok(rn == un && !memcmp(ref, b.p, rn), "%d members: same %zu bytes as libarchive (got %zu)", n, rn, un);
	}
	size_t off = lc_ustar_begin(&b);
	char longname[120];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	ok(lc_ustar_end(&b, off, longname) < 0 && b.len == off, "a name of 119 bytes is refused, the buffer left as it was");
	lc_buf_free(&b);
}

static void test_idtext(void)
{
	lc_idtext *t = lc_idtext_new();
	lc_buf a = { 0 }, w = { 0 };
	uint32_t v[] = { 0, 9, 10, 99, 100, 99999, 100000, 123456, 4294967295u, 7, 50256, 0 };
	size_t nv = sizeof v / sizeof *v;
	lc_idtext_format(t, &a, v, 3);
	is_str(a.p, "[0, 9, 10]", "three small ids");
	lc_buf_reset(&a);
	lc_idtext_format(t, &a, v, 0);
	is_str(a.p, "[]", "no ids");
	lc_buf_reset(&a);
	lc_idtext_format(t, &a, v + 5, 4);
	is_str(a.p, "[99999, 100000, 123456, 4294967295]", "the table's last id and the ids past it");
	int same = 1;
	for (size_t k = 0; k <= nv; k++)
		for (size_t s = 0; s + k <= nv; s++) {
			lc_buf_reset(&a), lc_buf_reset(&w);
			lc_buf_adds(&a, "x"), lc_buf_adds(&w, "x");
			lc_idtext_format(t, &a, v + s, k);
			lc_wds_format_ids(&w, v + s, k);
			same &= a.len == w.len && !strcmp(a.p, w.p);
		}
	ok(same, "every slice of the ids: the same text as lc_wds_format_ids, appended");
	/* ids held in 16 bits: every slice (the loop takes four at a time, then the rest) */
	static const uint16_t v16[] = { 0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 32767, 32768, 50256,
	                                65535, 1, 12345, 65534, 8, 42, 60000, 99, 7 };
	size_t n16 = sizeof v16 / sizeof *v16;
	uint32_t v32[sizeof v16 / sizeof *v16];
	for (size_t i = 0; i < n16; i++)
		v32[i] = v16[i];
	same = 1;
	char out[LC_IDTEXT_ROOM(sizeof v16 / sizeof *v16)];
	for (size_t k = 0; k <= n16; k++)
		for (size_t s = 0; s + k <= n16; s++) {
			lc_buf_reset(&w);
			lc_wds_format_ids(&w, v32 + s, k);
			size_t len = (size_t)(lc_idtext_put16(t, out, v16 + s, k) - out);
			if (len != w.len || memcmp(out, w.p, len)) {
				printf("#   got:  '%.*s'\n#   want: '%s'\n", (int)len, out, w.p);
				same = 0;
			}
		}
	ok(same, "16-bit ids, every slice: the same text as lc_wds_format_ids");
	lc_buf_free(&a), lc_buf_free(&w);
	lc_idtext_free(t);
}

int main(void)
{
	test_ustar();
	test_idtext();
	return done_testing();
}
