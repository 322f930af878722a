/* Unit tests for lib/color/cstream (and the two compress.h helpers it and
 * lib/color/budget rely on): the scan's counts and mean log word count against
 * lc_cunits_build, records numbered alike on every read, want() skipping, bad
 * records skipped or fatal, a corpus that changes between reads refused;
 * lc_cunits_count = lc_cunits_build's n, lc_compress_select_p = lc_compress_select. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compress.h"
#include "cstream.h"
#include "tap.h"

static const char *default_field(const json_t *rec) { (void)rec; return "passage_text"; }

typedef struct seen {
	size_t n, idx[16];
	char pid[16][8];
} seen;

static int collect(void *ctx, const lc_crec *r, lc_err *e)
{
	seen *s = ctx;
	if (s->n < 16) {
		s->idx[s->n] = r->i;
		snprintf(s->pid[s->n], sizeof s->pid[0], "%s", json_string_value(json_object_get(r->o, "pid")));
	}
	s->n++;
	return 0;
}

static int odd(void *ctx, size_t i) { (void)ctx; return i % 2 == 1; }

int main(void)
{
	const char *texts[] = { "One two three. Four five.", "A single sentence here", "",
	                        "U.S. troops  arrived in 1944. They stayed... Then left!  Done." };
	char path[] = "/tmp/test_cstream_XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	tap_write(path, "{\"pid\":\"a\",\"title_text\":\"T\",\"passage_text\":\"One two three. Four five.\"}\n"
	                 "{oops\n"
	                 "\n"
	                 "{\"pid\":\"b\",\"passage_text\":\"A single sentence here\"}\n"
	                 "{\"pid\":\"c\",\"passage_text\":\"\"}\n"
	                 "{\"pid\":\"x\"}\n"
	                 "{\"pid\":\"d\",\"passage_text\":\"U.S. troops  arrived in 1944. They stayed... Then left!  Done.\"}\n");
	char *paths[] = { path };
	lc_err e = {0};
	lc_cstream s = { .paths = paths, .npaths = 1, .default_field = default_field, .progress = 0 };
	ok(lc_cstream_scan(&s, &e) == -1 && strstr(e.msg, ":2:"), "a bad record stops the scan, naming its line: %s", e.msg);
	lc_cstream_free(&s);
	s = (lc_cstream){ .paths = paths, .npaths = 1, .default_field = default_field, .skip_bad = 1 };
	int rc = lc_cstream_scan(&s, &e);
	ok(rc == 0 && s.n == 4 && s.bad == 2, "skip_bad: 4 records, 2 bad (%zu, %zu)", s.n, s.bad);
	/* word counts and the mean log word count, as lc_cunits_build counts words */
	lc_cctx *cx = lc_cctx_new();
	lc_cunits u = {0};
	lc_sentv sv = {0};
	double mean = 0;
	int same = 1;
	for (int i = 0; i < 4; i++) {
		lc_cctx_add(cx, NULL, texts[i]);
		lc_cunits_build(&u, cx, NULL, texts[i]);
		same &= lc_cunits_count(texts[i], &sv) == u.n;
		mean += log1p((double)u.n) / 4;
	}
	ok(same, "lc_cunits_count = lc_cunits_build's word count");
	ok(s.mean_log == mean, "mean log(1 + words) %.17g (want %.17g)", s.mean_log, mean);
	/* every read numbers the records alike; want() picks */
	seen a = {0}, b = {0};
	ok(lc_cstream_each(&s, collect, NULL, &a, &e) == 0 && a.n == 4 && !strcmp(a.pid[3], "d") && a.idx[3] == 3,
	   "second read: 4 records in order");
	ok(lc_cstream_each(&s, collect, odd, &b, &e) == 0 && b.n == 2 && !strcmp(b.pid[0], "b") && b.idx[1] == 3,
	   "want(): records 1 and 3 only (%s, %s)", b.pid[0], b.pid[1]);
	/* a corpus that changed between reads */
	tap_write(path, "{\"pid\":\"a\",\"passage_text\":\"x\"}\n");
	seen c = {0};
	ok(lc_cstream_each(&s, collect, NULL, &c, &e) == -1 && strstr(e.msg, "changed"), "a shorter corpus: %s", e.msg);
	lc_cstream_free(&s);
	/* without bad records, want() skips lines unparsed: the numbers still hold */
	tap_write(path, "{\"pid\":\"a\",\"passage_text\":\"x y. z.\"}\n\n{\"pid\":\"b\",\"passage_text\":\"q\"}\n"
	                 "{\"pid\":\"c\",\"passage_text\":\"r s\"}\n{\"pid\":\"d\",\"passage_text\":\"t\"}\n");
	s = (lc_cstream){ .paths = paths, .npaths = 1, .default_field = default_field };
	seen d = {0};
	ok(lc_cstream_scan(&s, &e) == 0 && s.n == 4 && lc_cstream_each(&s, collect, odd, &d, &e) == 0 && d.n == 2 &&
	   !strcmp(d.pid[0], "b") && !strcmp(d.pid[1], "d"), "no bad records: want() on unparsed lines (%s, %s)", d.pid[0], d.pid[1]);
	lc_cstream_free(&s);
	unlink(path);
	/* lc_compress_select_p with lc_cmodel_probs' p is lc_compress_select, at many thresholds and both units */
	lc_cmodel m;
	lc_cmodel_init(&m);
	srand(3);
	for (int i = 0; i < LC_NFEAT; i++)
		m.w[i] = (rand() / (double)RAND_MAX - 0.5) * 3;
	lc_cunits_build(&u, cx, NULL, texts[3]);
	double p[64], q[64];
	unsigned char m1[64], m2[64];
	lc_cmodel_probs(&m, &u, p);
	int agree = 1;
	for (int unit = 0; unit < 2; unit++)
		for (int k = 0; k <= 40; k++) {
			double t = k / 40.0;
			size_t k1 = lc_compress_select(&m, &u, 0, t, unit, q, m1);
			size_t k2 = lc_compress_select_p(&m, &u, p, 0, t, unit, m2);
			agree &= k1 == k2 && !memcmp(m1, m2, u.n);
		}
	ok(agree, "lc_compress_select_p = lc_compress_select (%zu words, 41 thresholds, word and sentence)", u.n);
	lc_cmodel_free(&m);
	lc_cunits_free(&u);
	lc_sentv_free(&sv);
	lc_cctx_free(cx);
	return done_testing();
}
