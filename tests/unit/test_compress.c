/* Unit tests for lib/color/compress: ORPO loss and gradient by finite differences
 * (with respect to the log-probs and through the model to its weights),
 * features, projection, decoding rules, model file round trip and corruption. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "compress.h"
#include "orpo.h"
#include "tap.h"

static double total_loss(lc_cmodel *m, lc_cunits *u, unsigned char *mc, unsigned char *mr,
                         double lc, double lr, double *grad)
{
	double pc = lc_cmodel_logprob(m, u, mc, NULL, 0), pr = lc_cmodel_logprob(m, u, mr, NULL, 0);
	double dc, dr;
	double loss = lc_orpo(pc, pr, lc, lr, 2.5, 0.1, &dc, &dr, NULL);
	if (grad) {
		for (int i = 0; i < LC_NFEAT; i++)
			grad[i] = 0;
		lc_cmodel_logprob(m, u, mc, grad, dc);
		lc_cmodel_logprob(m, u, mr, grad, dr);
	}
	return loss;
}

int main(void)
{
	/* ORPO value against a hand computation */
	double pc = -0.3, pr = -0.9, dc, dr, lor;
	double loss = lc_orpo(pc, pr, 10, 40, 2.5, 0.1, &dc, &dr, &lor);
	double L = (pc - pr) - (log(1 - exp(pc)) - log(1 - exp(pr)));
	double w = fmax(0.1 * (40 - 10), 1);
	double want = -pc - 2.5 * log(1 / (1 + exp(-w * L)));
	ok(fabs(lor - L) < 1e-12 && fabs(loss - want) < 1e-12, "ORPO loss matches brief §2.2 (LOR %.6f, loss %.6f)", lor, loss);
	/* w floor at 1 when chosen is longer */
	double l2 = lc_orpo(pc, pr, 50, 40, 2.5, 0.1, NULL, NULL, NULL);
	ok(fabs(l2 - (-pc - 2.5 * log(1 / (1 + exp(-L))))) < 1e-12, "length weight floors at 1");
	/* finite differences on lp */
	double h = 1e-6;
	for (int t = 0; t < 3; t++) {
		double a = -0.05 - 0.7 * t, b = -1.3 + 0.4 * t;
		lc_orpo(a, b, 5, 60, 2.5, 0.1, &dc, &dr, NULL);
		double nc = (lc_orpo(a + h, b, 5, 60, 2.5, 0.1, NULL, NULL, NULL) - lc_orpo(a - h, b, 5, 60, 2.5, 0.1, NULL, NULL, NULL)) / (2 * h);
		double nr = (lc_orpo(a, b + h, 5, 60, 2.5, 0.1, NULL, NULL, NULL) - lc_orpo(a, b - h, 5, 60, 2.5, 0.1, NULL, NULL, NULL)) / (2 * h);
		ok(fabs(nc - dc) < 1e-5 * fmax(1, fabs(nc)) && fabs(nr - dr) < 1e-5 * fmax(1, fabs(nr)),
		   "d loss/d lp analytic = numeric (case %d: %.6g %.6g vs %.6g %.6g)", t, dc, dr, nc, nr);
	}
	/* through the model */
	lc_cctx *cx = lc_cctx_new();
	const char *title = "Quantum dots";
	const char *text = "Quantum dots are tiny semiconductor particles. They glow under ultraviolet light. "
	                   "The dots were discovered in 1981 by Alexei Ekimov. They are used in displays, e.g. televisions.";
	lc_cctx_add(cx, title, text);
	lc_cctx_add(cx, "Other", "Televisions are used in homes. The light is bright.");
	lc_cctx_add(cx, "Third", "Particles are small. They are everywhere.");
	lc_cunits u = {0};
	lc_cunits_build(&u, cx, title, text);
	ok(u.n == 27 && u.nsent == 4, "words and sentences (%zu, %zu)", u.n, u.nsent);
	unsigned char mc[64], mr[64];
	size_t kc = lc_cunits_project(&u, cx, text, "Quantum dots: semiconductor particles discovered 1981 by Ekimov.", mc);
	size_t kr = lc_cunits_project(&u, cx, text, text, mr);
	ok(kc == 8 && kr == u.n, "projection keeps the candidate's words (%zu) and all for the passage (%zu)", kc, kr);
	/* the projection's counters start at 0 each time: 4 "dots" in one candidate (2 in
	 * the passage) leave nothing for the next, which keeps "Quantum" alone */
	unsigned char mq[64];
	lc_cunits_project(&u, cx, text, "Quantum dots dots dots dots", mq);
	size_t kq = lc_cunits_project(&u, cx, text, "Quantum", mq);
	ok(kq == 1 && mq[0] == 1 && mq[1] == 0 && mq[12] == 0, "a projection does not inherit the last one's unused terms (%zu)", kq);
	/* capitalised: a word after the first of its sentence starting with a capital
	 * (words 18 "Alexei", 19 "Ekimov."; not 0 "Quantum", 11 "The", 14 "discovered") */
	ok(u.f[18 * LC_NFEAT + LC_F_CAP] == 1 && u.f[19 * LC_NFEAT + LC_F_CAP] == 1 && u.f[0 * LC_NFEAT + LC_F_CAP] == 0 &&
	   u.f[11 * LC_NFEAT + LC_F_CAP] == 0 && u.f[14 * LC_NFEAT + LC_F_CAP] == 0, "capitalised feature: mid-sentence capitals");
	ok(u.f[0 * LC_NFEAT + LC_F_TITLE] == 1 && u.f[2 * LC_NFEAT + LC_F_STOP] == 1 &&
	   u.f[3 * LC_NFEAT + LC_F_IDF] > u.f[2 * LC_NFEAT + LC_F_IDF], "title, stopword and idf features");
	lc_cmodel m;
	lc_cmodel_init(&m);
	srand(7);
	for (int i = 0; i < LC_NFEAT; i++)
		m.w[i] = (rand() / (double)RAND_MAX - 0.5) * 2;
	double grad[LC_NFEAT], g2[LC_NFEAT];
	total_loss(&m, &u, mc, mr, 12, 45, grad);
	int good = 1;
	double worst = 0;
	for (int i = 0; i < LC_NFEAT; i++) {
		double s = m.w[i];
		m.w[i] = s + h;
		double up = total_loss(&m, &u, mc, mr, 12, 45, g2);
		m.w[i] = s - h;
		double dn = total_loss(&m, &u, mc, mr, 12, 45, g2);
		m.w[i] = s;
		double num = (up - dn) / (2 * h);
		double err = fabs(num - grad[i]) / fmax(1e-3, fabs(num) + fabs(grad[i]));
		if (err > worst)
			worst = err;
		if (err > 1e-4)
			good = 0;
	}
	ok(good, "gradient check through the model: worst relative error %.2g", worst);
	/* decoding rules */
	double p[64];
	unsigned char mask[64];
	m.threshold = 0.99;
	for (int i = 0; i < LC_NFEAT; i++)
		m.w[i] = 0;
	m.w[LC_F_BIAS] = -5;
	size_t kept = lc_compress_select(&m, &u, 0, -1, LC_UNIT_WORD, p, mask);
	ok(kept == 1, "never compresses a passage to nothing");
	kept = lc_compress_select(&m, &u, 2.0, -1, LC_UNIT_WORD, p, mask);
	ok(kept == 14, "ratio 2 keeps ceil(n/2) words (%zu)", kept);
	/* p_w = sigmoid(theta . f_w), and the bias feature is 1 for every word */
	int allp = 1;
	for (size_t k = 0; k < u.n; k++)
		allp &= fabs(p[k] - 1 / (1 + exp(5.0))) < 1e-15;
	ok(allp, "bias weight -5 alone: every word's p is 1 / (1 + e^5)");
	kept = lc_compress_select(&m, &u, 0, 0.0, LC_UNIT_SENT, p, mask);
	ok(kept == u.n, "sentence unit, threshold 0 keeps all");
	/* sentence unit, ratio 2: budget ceil(27 / 2) = 14 words.  A weight on the
	 * sentence position (0, 1/3, 2/3, 1) ranks the later sentences higher: the last
	 * (7 words, 7 < 14), then the third (9: 16), and the budget is reached */
	m.w[LC_F_SPOS] = 3;
	kept = lc_compress_select(&m, &u, 2.0, -1, LC_UNIT_SENT, p, mask);
	m.w[LC_F_SPOS] = 0;
	int last2 = 1;
	for (size_t k = 0; k < u.n; k++)
		last2 &= mask[k] == (k >= 11);
	ok(kept == 16 && last2, "sentence unit, ratio 2: best sentences until 14 words are reached (%zu kept)", kept);
	lc_cunits u1 = {0};
	lc_cunits_build(&u1, cx, NULL, "One sentence only, kept whole");
	kept = lc_compress_select(&m, &u1, 4.0, -1, LC_UNIT_WORD, p, mask);
	ok(kept == u1.n && kept == 5, "one-sentence passage stays whole");
	lc_cunits_build(&u1, cx, NULL, "");
	ok(lc_compress_select(&m, &u1, 0, -1, LC_UNIT_WORD, p, mask) == 0 && u1.n == 0, "empty passage stays empty");
	lc_buf out = {0};
	unsigned char mm[64] = {1, 1, 0, 1};
	lc_compress_render(&u, text, mm, 0, &out);
	is_str(out.p, "Quantum dots tiny", "render joins kept words");
	unsigned char m5[64] = {0};
	m5[4] = m5[5] = m5[24] = m5[25] = 1;
	lc_buf_reset(&out);
	lc_compress_render(&u, text, m5, 0, &out);
	is_str(out.p, "semiconductor particles. displays, e.g.", "render keeps punctuation");
	lc_buf_reset(&out);
	lc_compress_render(&u, text, m5, 1, &out);
	is_str(out.p, "semiconductor particles displays e.g", "bare render strips outer punctuation");
	/* every byte >= 0x80 is part of a term: "мир" ends in D1 80, "À" is C3 80; only the
	 * ASCII punctuation around them is punctuation */
	const char *cyr = "Привет, мир. Voilà À!";
	lc_cunits uc = {0};
	lc_cunits_build(&uc, cx, NULL, cyr);
	unsigned char all[8] = {1, 1, 1, 1, 1, 1, 1, 1};
	lc_buf_reset(&out);
	lc_compress_render(&uc, cyr, all, 1, &out);
	is_str(out.p, "Привет мир Voilà À", "bare render keeps UTF-8 letters whole (bytes 0x80 included)");
	lc_cunits_free(&uc);
	/* per-passage thresholds from the length bias */
	m.length_bias = 0;
	ok(lc_cmodel_passage_threshold(&m, 0.3, 1000, 2.0) == 0.3, "no length bias: threshold unchanged");
	m.length_bias = 0.5;
	double tl = lc_cmodel_passage_threshold(&m, 0.3, 1000, 2.0), ts = lc_cmodel_passage_threshold(&m, 0.3, 2, 2.0);
	ok(tl > 0.3 && ts < 0.3, "long passages get a higher threshold, short ones a lower (%g, %g)", tl, ts);
	double z = log(0.3 / 0.7) + 0.5 * (log1p(1000.0) - 2.0);
	ok(fabs(tl - 1 / (1 + exp(-z))) < 1e-12, "shift is length_bias * (log(1 + words) - mean) in logit space");
	ok(fabs(lc_cmodel_passage_threshold(&m, 0.3, 6, log1p(6.0)) - 0.3) < 1e-12, "a passage of mean length keeps the threshold");
	for (double pw = 0.05; pw < 1; pw += 0.1)
		ok((pw >= tl) == (lc_cmodel_length_adjust(&m, pw, 1000, 2.0) >= 0.3) &&
		   (pw >= ts) == (lc_cmodel_length_adjust(&m, pw, 2, 2.0) >= 0.3),
		   "p = %.2f passes the shifted threshold iff its adjusted value passes 0.3", pw);
	/* the adjusted value itself: p's logit shifted the other way, back through the sigmoid */
	double za = log(0.3 / 0.7) - 0.5 * (log1p(1000.0) - 2.0);
	ok(fabs(lc_cmodel_length_adjust(&m, 0.3, 1000, 2.0) - 1 / (1 + exp(-za))) < 1e-12,
	   "length_adjust(0.3) = sigmoid(logit(0.3) - length_bias * (log(1 + words) - mean))");
	/* the ends: p = 1 passes every shifted threshold below 1, p = 0 none above 0 */
	ok(lc_cmodel_length_adjust(&m, 1.0, 1000, 2.0) >= 0.3 && lc_cmodel_length_adjust(&m, 1.0, 2, 2.0) >= 0.3 &&
	   !(lc_cmodel_length_adjust(&m, 0.0, 1000, 2.0) >= 0.3) && !(lc_cmodel_length_adjust(&m, 0.0, 2, 2.0) >= 0.3),
	   "p = 1 passes and p = 0 fails the shifted threshold, adjusted alike");
	ok(lc_cmodel_passage_threshold(&m, 0, 1000, 2.0) == 0 && lc_cmodel_passage_threshold(&m, 1, 2, 2.0) == 1,
	   "thresholds 0 and 1 stay (keep all, keep the minimum)");
	/* model file */
	lc_buf b = {0};
	m.meta = lc_xstrdup("seed 1\ntrained-on x\n");
	m.length_bias = -0x1.8p-2;
	lc_cmodel_format(&m, &b);
	char path[] = "/tmp/lctk-model-XXXXXX";
	int fd = mkstemp(path);
	ok(write(fd, b.p, b.len) == (ssize_t)b.len, "model written");
	close(fd);
	lc_cmodel m2;
	lc_err e = {0};
	ok(lc_cmodel_load(&m2, path, &e) == 0 && !memcmp(m2.w, m.w, sizeof m.w) && m2.threshold == m.threshold &&
	   m2.length_bias == m.length_bias && !strcmp(m2.meta, m.meta), "model file round trip is exact");
	lc_cmodel_free(&m2);
	b.p[b.len - 20] ^= 1;
	FILE *f = fopen(path, "wb");
	fwrite(b.p, 1, b.len, f);
	fclose(f);
	ok(lc_cmodel_load(&m2, path, &e) < 0 && strstr(e.msg, "corrupted"), "corrupted model refused: %s", e.msg);
	f = fopen(path, "wb");
	fputs("lctk-compress-model 9\nchecksum 0\n", f);
	fclose(f);
	ok(lc_cmodel_load(&m2, path, &e) < 0 && strstr(e.msg, "version 9"), "other version refused: %s", e.msg);
	/* a threshold outside [0, 1] and a missing feature are refused (the checksums are right) */
	m.threshold = 1.5;
	lc_buf_reset(&b);
	lc_cmodel_format(&m, &b);
	tap_write(path, b.p);
	ok(lc_cmodel_load(&m2, path, &e) < 0 && strstr(e.msg, "bad threshold"), "threshold 1.5 refused: %s", e.msg);
	m.threshold = -0.25;
	lc_buf_reset(&b);
	lc_cmodel_format(&m, &b);
	tap_write(path, b.p);
	ok(lc_cmodel_load(&m2, path, &e) < 0 && strstr(e.msg, "bad threshold"), "threshold -0.25 refused: %s", e.msg);
	m.threshold = 0.5;
	{
		lc_buf nb = {0};
		lc_buf_adds(&nb, "lctk-compress-model 1\nfeatures 23\n");
		for (int i = 1; i < LC_NFEAT; i++)   /* every weight but the bias's */
			lc_buf_printf(&nb, "w %s 0x0p+0\n", lc_cfeat_names[i]);
		lc_buf_adds(&nb, "threshold 0x1p-1\n");
		lc_buf_printf(&nb, "checksum %08lx\n", (unsigned long)crc32(0L, (const Bytef *)nb.p, (uInt)nb.len));
		tap_write(path, nb.p);
		ok(lc_cmodel_load(&m2, path, &e) < 0 && strstr(e.msg, "feature 'bias' missing"), "no bias weight refused: %s", e.msg);
		lc_buf_free(&nb);
	}
	/* a file without length_bias (older lctrain) loads with 0 */
	m.length_bias = 0;
	lc_buf_reset(&b);
	lc_cmodel_format(&m, &b);
	ok(!strstr(b.p, "length_bias"), "no length_bias line when it is 0");
	f = fopen(path, "wb");
	fwrite(b.p, 1, b.len, f);
	fclose(f);
	ok(lc_cmodel_load(&m2, path, &e) == 0 && m2.length_bias == 0, "model without length_bias loads with 0");
	lc_cmodel_free(&m2);
	unlink(path);
	lc_buf_free(&b);
	lc_buf_free(&out);
	lc_cmodel_free(&m);
	lc_cunits_free(&u);
	lc_cunits_free(&u1);
	lc_cctx_free(cx);
	return done_testing();
}
