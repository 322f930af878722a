/* Unit tests for lib/dd/wds's shuffle pool, which holds ids in 16 bits until a bucket
 * takes one of 65536 or more and then widens to 32 bits.  Reference: the members'
 * texts (tar) and tokens.bin (bin) against the ids given, formatted digit by digit
 * (lc_wds_format_ids), for ids on both sides of 65536 and of the text table's
 * 100000, before and after a bucket widens, in sequences short and long enough for the
 * pool's eight-at-a-time copy. */
#include "wds.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The texts of the members of a tar file (malloc'd strings), appended to out[*n]. */
static void tar_texts(const char *path, char **out, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char h[512];
	while (f && fread(h, 1, 512, f) == 512 && h[0]) {
		size_t size = strtoul(h + 124, NULL, 8), padded = (size + 511) / 512 * 512;
		char *d = calloc(1, padded + 1);
		if (fread(d, 1, padded, f) != padded)
			break;
		d[size] = 0;
		out[(*n)++] = d;
	}
	if (f)
		fclose(f);
}

#define NSEQ 6
static const uint32_t seq[NSEQ][4] = {
	{ 1, 2, 3, 4 }, { 65535, 0, 7, 10 }, { 99, 100, 101, 65534 },
	{ 65536, 5, 6, 7 },                     /* the bucket widens here */
	{ 100000, 4294967295u, 12, 0 }, { 9, 99999, 9, 9 },
};

static char *dir_in_tmp(const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	char *d = malloc(512);
	snprintf(d, 512, "%s/lctk-wds-pool-%s-%ld", tmp && *tmp ? tmp : "/tmp", tag, (long)getpid());
	return d;
}

/* Writes the sequences into one bucket (shards of 2, pool of 1 shard) in format f. */
static int write_all(const char *dir, lc_wds_format f)
{
	lc_err e;
	lc_wds_opts o = { .dir = dir, .format = f, .seed = 3, .pool = 1, .full_shards = 0 };
	lc_wds *w = lc_wds_open(&o, &e);
	if (!w)
		return -1;
	int b = lc_wds_bucket(w, "L_4", 4, 4, 2);
	for (int i = 0; i < NSEQ; i++)
		if (lc_wds_add(w, b, seq[i], 4, &e) < 0)
			return -1;
	return lc_wds_close(w, NULL, NULL, NULL, &e);
}

/* Sequences of 20 ids, so that the pool's copy takes eight at a time (then the rest):
 * bucket L_20 stays 16-bit (ids on both sides of 32768, up to 65535); L_21 widens at
 * an id inside the eight-at-a-time part, L_22 at one in the rest. */
#define NLONG 20
static const uint32_t lseq[4][NLONG] = {
	{ 0, 32767, 32768, 65535, 1, 40000, 9, 65534, 10, 99, 100, 50256, 32769, 2, 3, 4, 60000, 5, 6, 65535 },
	{ 7, 8, 9, 10, 11, 65536, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26 },
	{ 40000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 70000, 19 },
	{ 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 32768, 32768, 32768, 32768, 32768, 32768,
	  32768, 32768, 0, 0, 0, 1 },
};

static void test_long(void)
{
	char *dir = dir_in_tmp("long");
	lc_err e;
	lc_wds_opts o = { .dir = dir, .format = LC_WDS_TAR, .seed = 5, .pool = 1, .full_shards = 0 };
	lc_wds *w = lc_wds_open(&o, &e);
	int rc = w ? 0 : -1;
	/* bucket L_(20 + i) takes the 16-bit sequences 0 and 3, and for i > 0 sequence i */
	for (int i = 0; i < 3 && !rc; i++) {
		char name[16];
		snprintf(name, sizeof name, "L_%d", NLONG + i);
		int b = lc_wds_bucket(w, name, NLONG + (size_t)i, NLONG, 8);
		rc |= lc_wds_add(w, b, lseq[0], NLONG, &e) | lc_wds_add(w, b, lseq[3], NLONG, &e);
		if (i)
			rc |= lc_wds_add(w, b, lseq[i], NLONG, &e);
	}
	ok(!rc && lc_wds_close(w, NULL, NULL, NULL, &e) == 0, "long sequences: written");
	int same = 1;
	for (int i = 0; i < 3; i++) {
		char p[600], *got[4];
		size_t ng = 0;
		snprintf(p, sizeof p, "%s/L_%d/shard-0000000.tar", dir, NLONG + i);
		tar_texts(p, got, &ng);
		const int want_seq[3] = { 0, 3, i };
		size_t nw = i ? 3 : 2;
		char *want[3];
		for (size_t j = 0; j < nw; j++) {
			lc_buf b = { 0 };
			lc_wds_format_ids(&b, lseq[want_seq[j]], NLONG);
			want[j] = lc_buf_detach(&b);
		}
		same &= ng == nw;
		qsort(got, ng, sizeof *got, cmp_str);
		qsort(want, nw, sizeof *want, cmp_str);
		for (size_t j = 0; same && j < nw; j++)
			if (strcmp(got[j], want[j])) {
				printf("#   L_%d got:  '%s'\n#   want: '%s'\n", NLONG + i, got[j], want[j]);
				same = 0;
			}
		for (size_t j = 0; j < ng; j++)
			free(got[j]);
		for (size_t j = 0; j < nw; j++)
			free(want[j]);
	}
	ok(same, "long sequences: 16-bit pools, and pools widened inside and after the copy's blocks, hold every id");
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "long sequences: cleaned up");
	free(dir);
}

int main(void)
{
	setenv("LCTK_NO_SYNC", "1", 1);
	/* tar: every member's text is one sequence's, each sequence once */
	char *dir = dir_in_tmp("tar");
	ok(write_all(dir, LC_WDS_TAR) == 0, "tar: a bucket that widens is written");
	char *got[16], *want[NSEQ];
	size_t ng = 0;
	for (int s = 0; s < 3; s++) {
		char p[600];
		snprintf(p, sizeof p, "%s/L_4/shard-%07d.tar", dir, s);
		tar_texts(p, got, &ng);
		unlink(p);
	}
	for (int i = 0; i < NSEQ; i++) {
		lc_buf b = { 0 };
		lc_wds_format_ids(&b, seq[i], 4);
		want[i] = lc_buf_detach(&b);
	}
	is_num(ng, NSEQ, "tar: one member per sequence");
	int same = ng == NSEQ;
	qsort(got, ng, sizeof *got, cmp_str);
	qsort(want, NSEQ, sizeof *want, cmp_str);
	for (size_t i = 0; same && i < ng; i++)
		if (strcmp(got[i], want[i])) {
			printf("#   got:  '%s'\n#   want: '%s'\n", got[i], want[i]);
			same = 0;
		}
	ok(same, "tar: the members hold the sequences' ids, those read in 16 bits and in 32 alike");
	for (size_t i = 0; i < ng; i++)
		free(got[i]);
	for (int i = 0; i < NSEQ; i++)
		free(want[i]);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "tar: cleaned up");
	free(dir);

	/* bin: tokens.bin holds every sequence's ids as little-endian uint32 */
	dir = dir_in_tmp("bin");
	ok(write_all(dir, LC_WDS_BIN) == 0, "bin: a bucket that widens is written");
	char p[600];
	snprintf(p, sizeof p, "%s/L_4/tokens.bin", dir);
	FILE *f = fopen(p, "rb");
	unsigned char raw[NSEQ * 16 + 1];
	size_t nr = f ? fread(raw, 1, sizeof raw, f) : 0;
	if (f)
		fclose(f);
	is_num(nr, NSEQ * 16, "bin: 4 bytes per id");
	/* each 16-byte record is one of the sequences; each sequence once */
	int seen[NSEQ] = { 0 }, all = nr == NSEQ * 16;
	for (size_t r = 0; all && r < NSEQ; r++) {
		uint32_t v[4];
		for (int t = 0; t < 4; t++) {
			const unsigned char *q = raw + 16 * r + 4 * t;
			v[t] = q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
		}
		int hit = 0;
		for (int i = 0; i < NSEQ && !hit; i++)
			if (!seen[i] && !memcmp(v, seq[i], sizeof v))
				seen[i] = hit = 1;
		all &= hit;
	}
	ok(all, "bin: every sequence's ids, 16-bit and 32-bit pools alike");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "bin: cleaned up");
	free(dir);
	test_long();
	return done_testing();
}
