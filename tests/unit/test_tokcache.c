/*
 * Unit tests for lib/tok/tokcache: a second load of a tokenizer.json comes from the
 * cache and encodes and decodes identically; every cache file that is corrupt
 * (each header byte and sampled body bytes flipped), truncated, of another format
 * version or pointing elsewhere is rejected and rebuilt; structurally broken files
 * with a correct checksum are rejected or at least harmless (fuzz with reseal);
 * an unusable cache directory and LCTK_NO_CACHE only mean no cache.
 */
#include "tok.h"
#include "tokcache.h"
#include "tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/lctk-tokcache-XXXXXX";
static char cdir[300], model[300];

static const char *const texts[] = { "ab ab", "x\xe2\x82\xac", "<s>ab", "", "ab ab ab b a \xc3\xa9 z", NULL };

/* ids of every text, one line each */
static void encode_all(const lc_tok *t, lc_buf *out)
{
	lc_buf_reset(out);
	for (int i = 0; texts[i]; i++) {
		lc_ids ids = {0};
		lc_err e;
		if (lc_tok_encode(t, texts[i], strlen(texts[i]), LC_TOK_SPECIAL_ALLOW, &ids, &e))
			lc_buf_adds(out, "error");
		for (size_t k = 0; k < ids.n; k++)
			lc_buf_printf(out, " %u", ids.v[k]);
		lc_buf_adds(out, "\n");
		lc_buf dec = {0};
		lc_tok_decode(t, ids.v, ids.n, &dec, &e);
		lc_buf_add(out, dec.p ? dec.p : "", dec.len);
		lc_buf_adds(out, "\n");
		lc_buf_free(&dec);
		free(ids.v);
	}
}

/* the one tok-*.bin file in cdir, or "" */
static void data_file(char *out, size_t n)
{
	out[0] = 0;
	DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "tok-", 4))
			snprintf(out, n, "%s/%s", cdir, de->d_name);
	if (d)
		closedir(d);
}

static int count_files(const char *d0)
{
	int n = 0;
	DIR *d = opendir(d0);
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	char *b = malloc(*n + 1);
	if (fread(b, 1, *n, f) != *n)
		*n = 0;
	b[*n] = 0;
	fclose(f);
	return b;
}

static void spit(const char *p, const char *b, size_t n)
{
	FILE *f = fopen(p, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
}

/* loads model: 1 if from the cache, 0 if parsed, -1 on failure; out = its ids */
static int load(lc_buf *out)
{
	lc_err e;
	lc_tok *t = lc_tok_load_hf(model, &e);
	if (!t)
		return -1;
	int c = lc_tok_cached(t);
	encode_all(t, out);
	lc_tok_free(t);
	return c;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(cdir, sizeof cdir, "%s/cache", dir);
	snprintf(model, sizeof model, "%s/tokenizer.json", dir);
	size_t mn;
	char *mj = slurp("tests/vectors/tok/sp-tiny.json", &mn);
	ok(mj != NULL, "tiny model read");
	if (!mj)
		return done_testing();
	spit(model, mj, mn);
	setenv("LCTK_CACHE", cdir, 1);
	unsetenv("LCTK_NO_CACHE");

	lc_buf ref = {0}, got = {0};
	setenv("LCTK_NO_CACHE", "1", 1);
	ok(load(&ref) == 0, "LCTK_NO_CACHE=1: parsed");
	ok(count_files(cdir) == 0, "LCTK_NO_CACHE=1: nothing written");
	setenv("LCTK_NO_CACHE", "0", 1);
	ok(load(&got) == 0 && !strcmp(got.p, ref.p), "LCTK_NO_CACHE=0: cache on, first load parses");
	unsetenv("LCTK_NO_CACHE");
	ok(count_files(cdir) == 2, "a data file and a ref file written");
	ok(load(&got) == 1 && !strcmp(got.p, ref.p), "second load from the cache, identical ids and text");
	is_str(got.p, ref.p, "cached output");

	char df[600];
	data_file(df, sizeof df);
	size_t gn;
	char *good = slurp(df, &gn);
	ok(good && gn > 1000, "cache file %zu bytes", gn);

	/* every header byte and 400 body bytes flipped: rejected, rebuilt */
	int bad = 0, rebuilt = 0;
	unsigned long x = 12345;
	for (size_t i = 0; i < 1000 + 400; i++) {
		size_t pos = i < 1000 ? 5 * i : (x = x * 6364136223846793005ul + 1442695040888963407ul, (size_t)(x >> 33) % gn);
		if (pos >= gn)
			continue;
		good[pos] ^= (char)(1 << (i % 8));
		spit(df, good, gn);
		good[pos] ^= (char)(1 << (i % 8));
		bad += load(&got) != 0 || strcmp(got.p, ref.p);
		size_t rn;
		char *r = slurp(df, &rn);
		rebuilt += rn == gn && !memcmp(r, good, gn);
		free(r);
	}
	ok(bad == 0, "1400 one-bit corruptions (every 5th header byte, 400 anywhere): all rejected, ids as parsed (%d failures)", bad);
	ok(rebuilt == 1400, "each corrupt file rebuilt byte for byte (%d of 1400)", rebuilt);

	/* truncated at various lengths */
	size_t cuts[] = { 0, 1, 8, 100, gn / 2, gn - 1 };
	bad = 0;
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		spit(df, good, cuts[i]);
		bad += load(&got) != 0 || strcmp(got.p, ref.p);
	}
	ok(bad == 0, "truncated cache files rejected (%d failures)", bad);

	/* another format version, with a correct checksum */
	good[8] ^= 0x7f;
	lc_tokcache_reseal(good, gn);
	spit(df, good, gn);
	ok(load(&got) == 0 && !strcmp(got.p, ref.p), "foreign format version rejected");
	good[8] ^= 0x7f;
	lc_tokcache_reseal(good, gn);
	ok(load(&got) == 1, "rebuilt file used again");

	/* structure fuzz: random bytes overwritten and the checksum made right; a
	 * file accepted anyway must still encode without crashing or hanging */
	int rejected = 0, accepted = 0, nfuzz = 300;
	if (getenv("LCTK_TOKCACHE_FUZZ")) /* longer runs by hand */
		nfuzz = atoi(getenv("LCTK_TOKCACHE_FUZZ"));
	for (int i = 0; i < nfuzz; i++) {
		char *m = malloc(gn);
		memcpy(m, good, gn);
		for (int k = 0; k < 1 + i % 8; k++) {
			x = x * 6364136223846793005ul + 1442695040888963407ul;
			size_t pos = (size_t)(x >> 33) % gn;
			if (i % 3 == 0)
				pos %= 4000; /* the header: sizes, masks, ids */
			m[pos] = (char)(x >> 20);
		}
		lc_tokcache_reseal(m, gn);
		spit(df, m, gn);
		free(m);
		int r = load(&got);
		rejected += r == 0;
		accepted += r == 1;
	}
	ok(rejected + accepted == nfuzz, "%d resealed random corruptions: %d rejected, %d accepted harmlessly", nfuzz, rejected, accepted);
	ok(rejected > nfuzz / 3, "most structural corruptions are detected (%d)", rejected);

	/* a ref file naming garbage or another hash */
	char rf[700];
	snprintf(rf, sizeof rf, "%s", df);
	DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "ref-", 4))
			snprintf(rf, sizeof rf, "%s/%s", cdir, de->d_name);
	closedir(d);
	spit(rf, "LCTKREF1 00000000000000000000000000000000000000000000000000000000000000zz\n", 74);
	ok(load(&got) == 1 && !strcmp(got.p, ref.p), "ref file with a bad hash: the model found by its content hash");
	size_t rl;
	char *rc = slurp(rf, &rl);
	ok(rc && rl == 74 && !strncmp(rc, "LCTKREF1 ", 9) && !strstr(rc, "zz"), "ref file rewritten");
	free(rc);
	spit(rf, "LCTKREF1 0000000000000000000000000000000000000000000000000000000000000000\n", 74);
	ok(load(&got) == 1 && !strcmp(got.p, ref.p), "ref file naming a missing hash: found by the content hash");

	/* the cache directory cannot be created: a file is in the way */
	char blocked[400];
	snprintf(blocked, sizeof blocked, "%s/file", dir);
	spit(blocked, "x", 1);
	snprintf(blocked, sizeof blocked, "%s/file/sub", dir);
	setenv("LCTK_CACHE", blocked, 1);
	ok(load(&got) == 0 && !strcmp(got.p, ref.p), "unusable cache directory: parsed, same ids");
	ok(load(&got) == 0, "still no cache, no failure");
	unsetenv("LCTK_CACHE");

	/* XDG_CACHE_HOME/lctk is the default */
	char xdg[400], xl[420];
	snprintf(xdg, sizeof xdg, "%s/xdg", dir);
	setenv("XDG_CACHE_HOME", xdg, 1);
	load(&got);
	snprintf(xl, sizeof xl, "%s/lctk", xdg);
	ok(count_files(xl) == 2 && load(&got) == 1, "XDG_CACHE_HOME/lctk used when LCTK_CACHE is unset");

	free(good);
	free(mj);
	lc_buf_free(&ref);
	lc_buf_free(&got);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return done_testing();
}
