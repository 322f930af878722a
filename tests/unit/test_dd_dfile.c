/* Unit tests for lib/dd/dfile (shard files written with O_DIRECT from an aligned
 * buffer, ordinary writes where refused).  Reference: the bytes given, read back
 * from the file; sizes around the block size, the flush size and an unaligned end
 * (which a direct write refuses and the page cache takes), in TMPDIR and, when it
 * exists, /dev/shm (tmpfs, which may refuse O_DIRECT at open). */
#include "dfile.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The test's bytes: a pattern no two nearby blocks share. */
static unsigned char byte_at(size_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

/* Writes size bytes to path through f in pieces of 1..step bytes (alternating
 * lc_dfile_add and room + commit); 1 when the file then holds exactly those bytes. */
static int round_trip(lc_dfile *f, const char *path, size_t size, size_t step)
{
	if (lc_dfile_open(f, path) < 0)
		return 0;
	unsigned char *want = malloc(size + 1);
	for (size_t i = 0; i < size; i++)
		want[i] = byte_at(i);
	size_t off = 0, k = 0;
	while (off < size) {
		size_t n = 1 + (k * 7919) % step;
		if (n > size - off)
			n = size - off;
		if (k++ % 2) {
			if (lc_dfile_add(f, want + off, n) < 0)
				return 0;
		} else {
			char *o = lc_dfile_room(f, n + 100);   /* more room than used, as tar members ask */
			if (!o)
				return 0;
			memcpy(o, want + off, n);
			memset(o + n, 'x', 100);
			lc_dfile_commit(f, n);
		}
		off += n;
	}
	int fd = lc_dfile_finish(f);
	if (fd < 0 || close(fd) < 0)
		return 0;
	FILE *in = fopen(path, "rb");
	unsigned char *got = malloc(size + 2);
	size_t r = in ? fread(got, 1, size + 1, in) : 0;
	if (in)
		fclose(in);
	int same = in && r == size && !memcmp(got, want, size);
	free(got), free(want);
	unlink(path);
	return same;
}

static void in_dir(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/lctk-dfile-%ld", dir, (long)getpid());
	static const size_t sizes[] = { 0, 1, 511, 512, 4095, 4096, 4097, 65536 + 512,
	                                (size_t)LC_DFILE_FLUSH - 1, (size_t)LC_DFILE_FLUSH + 4096,
	                                3 * (size_t)LC_DFILE_FLUSH + 1234 };
	lc_dfile f = { 0 };
	int all = 1;
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		int same = round_trip(&f, path, sizes[i], i % 2 ? 300 : 70000);
		if (!same)
			printf("#   %s: %zu bytes differ\n", dir, sizes[i]);
		all &= same;
	}
	ok(all, "%s: every size written through one lc_dfile (buffer reused) reads back the same", dir);
	/* one piece far larger than the buffer */
	ok(round_trip(&f, path, 5 * (size_t)LC_DFILE_FLUSH + 3, 5 * (size_t)LC_DFILE_FLUSH + 3),
	   "%s: one piece larger than the buffer grows it", dir);
	ok(((uintptr_t)f.p & (LC_DFILE_ALIGN - 1)) == 0, "%s: the buffer stays aligned after growing", dir);
	lc_dfile_free(&f);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	in_dir(tmp && *tmp ? tmp : "/tmp");
	struct stat st;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		in_dir("/dev/shm");
	else
		ok(1, "# skip /dev/shm: not there");

	/* errors: a missing directory; a closed file leaves nothing open */
	lc_dfile f = { 0 };
	ok(lc_dfile_open(&f, "/nonexistent-lctk-dir/x") < 0 && !f.is_open, "open in a missing directory fails");
	lc_dfile_free(&f);
	return done_testing();
}
