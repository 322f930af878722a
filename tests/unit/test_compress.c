/* Unit tests for lib/color/compress: ORPO loss and gradient by finite differences
 * (with respect to the log-probs and through the model to its weights),
 * features, projection, decoding rules, model file round trip and corruption. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

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
	kept = lc_compress_select(&m, &u, 0, 0.0, LC_UNIT_SENT, p, mask);
	ok(kept == u.n, "sentence unit, threshold 0 keeps all");
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
