/* Unit tests for the retrieval modules: analyze, corpus, queries, index_file, bm25. */
#include "analyze.h"
#include "bm25.h"
#include "corpus.h"
#include "index_file.h"
#include "queries.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lctk-unit-bm25-XXXXXX";

static char *write_tmp(const char *name, const char *data)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	fputs(data, f);
	fclose(f);
	return path;
}

static void join_term(const char *t, size_t n, void *arg)
{
	lc_buf *b = arg;
	if (b->len)
		lc_buf_addc(b, '|');
	lc_buf_add(b, t, n);
}

static const char *terms(lc_analyzer *a, const char *text)
{
	static lc_buf b;
	lc_buf_reset(&b);
	lc_buf_adds(&b, "");
	lc_analyze(a, text, strlen(text), join_term, &b);
	return b.p;
}

static void test_analyze(void)
{
	lc_err e = {0};
	lc_analyze_opts none = { 0, NULL };
	lc_analyzer *a = lc_analyzer_new(&none, &e);
	is_str(terms(a, "Hello, WORLD! foo-bar 3.14 don't"), "hello|world|foo|bar|3|14|don't", "split + lowercase");
	is_str(terms(a, "ÉCOLE Straße ΣΟΦΊΑ Москва İ"), "école|straße|σοφία|москва|i", "Unicode case folding (Latin, Greek, Cyrillic)");
	is_str(terms(a, "东京 tower"), "东|京|tower", "Han ideographs are one term each");
	is_str(terms(a, "a\xff" "b “quoted” x—y"), "a|b|quoted|x|y", "invalid UTF-8 and punctuation separate words");
	is_str(terms(a, "'tis rock'n'roll 'x'"), "tis|rock'n'roll|x", "apostrophes only inside words");
	lc_analyzer_free(a);
	lc_analyze_opts stem = { LC_AN_STEM, NULL };
	a = lc_analyzer_new(&stem, &e);
	is_str(terms(a, "Running runners generously the cats' cat's"), "run|runner|generous|the|cat|cat", "Snowball English stemming");
	lc_analyzer_free(a);
	char *sw = write_tmp("stop.txt", "# comment\nthe\n  of  \n");
	lc_analyze_opts st = { LC_AN_STEM | LC_AN_STOP, sw };
	a = lc_analyzer_new(&st, &e);
	is_str(terms(a, "The history of Rome"), "histori|rome", "stopwords dropped before stemming");
	unsigned fl;
	const char *stop;
	size_t sl;
	lc_analyzer_config(a, &fl, &stop, &sl);
	ok(fl == 3 && sl == 7 && !memcmp(stop, "the\nof\n", 7), "config exported");
	lc_analyzer *b = lc_analyzer_from_config(fl, stop, sl, &e);
	is_str(terms(b, "The history of Rome"), "histori|rome", "analyser rebuilt from config behaves the same");
	lc_analyzer_free(b);
	lc_analyzer_free(a);
	lc_analyze_opts deff = { LC_AN_STOP, "share/lctk/stopwords/english.txt" };
	a = lc_analyzer_new(&deff, &e);
	ok(a != NULL, "shipped stopword list loads");
	if (a) {
		lc_analyzer_config(a, &fl, &stop, &sl);
		ok(sl == strlen(lc_english_stopwords) && !memcmp(stop, lc_english_stopwords, sl),
		   "built-in stopword list equals share/lctk/stopwords/english.txt");
		is_str(terms(a, "What is the history of Rome? It's old"), "history|rome|old", "default stopwords (incl. contractions)");
		lc_analyzer_free(a);
	}
	ok(lc_casefold(0x3C2) == 0x3C3 && lc_casefold(0x1E9E) == 0xDF && lc_casefold(0x42F) == 0x44F, "casefold table");
	/* beyond the blocks once written by hand: Latin digraphs (DŽ Dž dž), Latin Extended-B,
	 * Greek Extended, Kelvin sign, Cyrillic Extended-B, Cherokee (folds to its capitals) */
	ok(lc_casefold(0x1C4) == 0x1C6 && lc_casefold(0x1C5) == 0x1C6 && lc_casefold(0x1C6) == 0x1C6 &&
	   lc_casefold(0x1CA) == 0x1CC && lc_casefold(0x1F1) == 0x1F3, "casefold: Latin digraphs");
	ok(lc_casefold(0x181) == 0x253 && lc_casefold(0x23A) == 0x2C65 && lc_casefold(0x1F08) == 0x1F00 &&
	   lc_casefold(0x1F88) == 0x1F80 && lc_casefold(0x212A) == 'k' && lc_casefold(0xA640) == 0xA641 &&
	   lc_casefold(0xAB70) == 0x13A0 && lc_casefold(0x10400) == 0x10428, "casefold: Extended-B, Greek Extended, Kelvin, Cyrillic, Cherokee, Deseret");
	ok(lc_casefold(0x130) == 'i' && lc_casefold(0x149) == 0x149 && lc_casefold(0x4E00) == 0x4E00 &&
	   lc_casefold(0x10FFFF) == 0x10FFFF, "casefold: T entry, F-only, uncased, last code point");
}

static void test_corpus(void)
{
	lc_err e = {0};
	lc_corpus c = {0};
	char *p = write_tmp("loft.jsonl",
	                    "{\"pid\": \"a\", \"title_text\": \"T\", \"passage_text\": \"body\", \"metadata\": {\"x\": 1}}\n"
	                    "\n"
	                    "{\"pid\": 12, \"title_text\": \"\", \"passage_text\": \"long\", \"summary_text\": \"short\"}\n"
	                    "{\"pid\": \"c\", \"title_text\": \"U\", \"passage_text\": \"p\", \"summary_text\": \"\"}\n");
	lc_corpus_opts o = { .keep_meta = 1 };
	ok(lc_corpus_load(&c, p, &o, &e) == 0 && c.n == 3, "LOFT corpus loads (%s)", e.msg);
	is_str(c.p[1].pid, "12", "integer pid rendered in decimal");
	is_str(c.p[0].meta, "{\"x\":1}", "metadata kept as compact JSON");
	lc_buf b = {0};
	lc_passage_text(&c.p[1], &b);
	lc_buf_addc(&b, '/');
	lc_passage_text(&c.p[2], &b);
	is_str(b.p, "short/U p", "index text: summary if non-empty, else passage, after the title");
	lc_buf_reset(&b);
	lc_corpus_write_loft(&b, &c.p[0]);
	lc_corpus_write_beir(&b, &c.p[1]);
	is_str(b.p, "{\"pid\":\"a\",\"title_text\":\"T\",\"passage_text\":\"body\",\"metadata\":{\"x\":1}}\n"
	            "{\"_id\":\"12\",\"title\":\"\",\"text\":\"long\"}\n", "LOFT and BEIR writers");
	ok(lc_corpus_find(&c, "c") == 2 && lc_corpus_find(&c, "zz") == -1, "find by pid");
	ok(lc_corpus_load(&c, p, NULL, &e) < 0 && strstr(e.msg, "loft.jsonl:1: duplicate pid 'a' (first at ") &&
	   strstr(e.msg, "loft.jsonl:1)"), "duplicate pid names both lines: %s", e.msg);
	lc_corpus_free(&c);

	p = write_tmp("beir.jsonl", "{\"_id\": \"d1\", \"title\": \"Tt\", \"text\": \"x y\"}\n");
	ok(lc_corpus_load(&c, p, NULL, &e) == 0 && c.n == 1 && !strcmp(c.p[0].title, "Tt"), "BEIR corpus loads");
	lc_corpus_free(&c);
	p = write_tmp("any.jsonl", "{\"doc\": 5, \"a\": \"one\", \"b\": \"two\"}\n");
	lc_corpus_opts f = { .id_field = "doc", .text_fields = "a,b" };
	ok(lc_corpus_load(&c, p, &f, &e) == 0 && !strcmp(c.p[0].pid, "5") && !strcmp(c.p[0].text, "one two"),
	   "explicit --id/--text fields");
	lc_corpus_free(&c);
	p = write_tmp("bad1.jsonl", "{\"pid\": \"a\", \"title_text\": \"T\"}\n");
	ok(lc_corpus_load(&c, p, NULL, &e) < 0 && strstr(e.msg, "bad1.jsonl:1: missing field 'passage_text'"), "missing field: %s", e.msg);
	lc_corpus_free(&c);
	p = write_tmp("bad2.jsonl", "{\"id\": \"a\"}\n");
	ok(lc_corpus_load(&c, p, NULL, &e) < 0 && strstr(e.msg, "no id field"), "unknown shape: %s", e.msg);
	lc_corpus_free(&c);
	p = write_tmp("empty.jsonl", "\n");
	ok(lc_corpus_load(&c, p, NULL, &e) == 0 && lc_corpus_check_nonempty(&c, p, &e) < 0 && strstr(e.msg, "empty corpus"),
	   "empty corpus detected");
	lc_corpus_free(&c);
	lc_buf_free(&b);
}

static void test_queries(void)
{
	lc_err e = {0};
	lc_queries qs = {0};
	char *p = write_tmp("q.jsonl", "{\"qid\": \"1\", \"query_text\": \"what\", \"answers\": [[\"a\", 1], [\"b\", 2]]}\n"
	                               "{\"_id\": 2, \"text\": \"who\"}\n"
	                               "3\twhere is it\n");
	ok(lc_queries_load(&qs, p, NULL, &e) == 0 && qs.n == 3, "LOFT + BEIR + TSV lines (%s)", e.msg);
	ok(qs.q[0].nans == 2 && !strcmp(qs.q[0].ans[1].pid, "b") && qs.q[0].ans[1].rel == 2, "answers parsed");
	is_str(qs.q[1].qid, "2", "integer qid");
	is_str(qs.q[2].text, "where is it", "TSV text");
	lc_buf b = {0};
	lc_queries_write_loft(&b, &qs.q[0]);
	lc_queries_write_beir(&b, &qs.q[1]);
	lc_queries_write_tsv(&b, &qs.q[2]);
	is_str(b.p, "{\"qid\":\"1\",\"query_text\":\"what\",\"answers\":[[\"a\",1],[\"b\",2]],\"metadata\":{}}\n"
	            "{\"_id\":\"2\",\"text\":\"who\"}\n3\twhere is it\n", "query writers");
	lc_buf_free(&b);
	ok(lc_queries_load(&qs, p, NULL, &e) < 0 && strstr(e.msg, "duplicate qid '1'"), "duplicate qid: %s", e.msg);
	lc_queries_free(&qs);
	p = write_tmp("q2.tsv", "no tab here\n");
	ok(lc_queries_load(&qs, p, NULL, &e) < 0 && strstr(e.msg, "q2.tsv:1:"), "TSV without tab: %s", e.msg);
	lc_queries_free(&qs);
}

static double bm(double tf, double dl, double avgdl, double df, double N)
{
	double idf = log(1 + (N - df + 0.5) / (df + 0.5));
	return idf * tf * 1.9 / (tf + 0.9 * (1 - 0.4 + 0.4 * dl / avgdl));
}

static void load_corpus(lc_corpus *c, const char *text)
{
	lc_err e = {0};
	char *p = write_tmp("c.jsonl", text);
	if (lc_corpus_load(c, p, NULL, &e) < 0)
		printf("# %s\n", e.msg);
}

static void test_bm25(void)
{
	lc_err e = {0};
	lc_corpus c = {0};
	load_corpus(&c, "{\"pid\":\"d0\",\"title_text\":\"\",\"passage_text\":\"apple banana\"}\n"
	                "{\"pid\":\"d1\",\"title_text\":\"\",\"passage_text\":\"apple apple cherry\"}\n"
	                "{\"pid\":\"d2\",\"title_text\":\"\",\"passage_text\":\"banana\"}\n"
	                "{\"pid\":\"d3\",\"title_text\":\"\",\"passage_text\":\"banana apple\"}\n");
	lc_bm25_opts o = { .an_set = 1, .an = { 0, NULL } };
	lc_bm25 *b = lc_bm25_build(&c, &o, &e);
	ok(b && lc_bm25_ndocs(b) == 4, "index built");
	lc_bm25_hit h[10];
	size_t n = lc_bm25_search(b, "apple apple", 10, h);
	double avg = 8.0 / 4;
	ok(n == 3 && h[0].doc == 1 && h[1].doc == 0 && h[2].doc == 3, "ranking, ties in corpus order");
	ok(fabs(h[0].score - 2 * bm(2, 3, avg, 3, 4)) < 1e-12 && fabs(h[1].score - 2 * bm(1, 2, avg, 3, 4)) < 1e-12,
	   "Lucene BM25 scores with query term frequency (%.17g)", h[0].score);
	ok(h[1].score == h[2].score, "equal documents score equal");
	n = lc_bm25_search(b, "durian", 10, h);
	ok(n == 0, "no matching term, no hits");
	n = lc_bm25_search(b, "banana cherry", 2, h);
	ok(n == 2 && h[0].doc == 1, "k limits hits; rare term wins");

	lc_bm25_ctx *ctx = lc_bm25_ctx_new(b);
	lc_bm25_query q;
	lc_bm25_query_parse(ctx, "apple cherry", &q);
	lc_bm25_hit h2[10];
	size_t n1 = lc_bm25_search_query(ctx, &q, 10, h);
	size_t n2 = lc_bm25_search_subst(ctx, &q, 1, "apple apple cherry", 18, 10, h2);
	int same = n1 == n2;
	for (size_t i = 0; same && i < n1; i++)
		same = h[i].doc == h2[i].doc && h[i].score == h2[i].score;
	ok(same, "substituting a document's own text changes nothing");
	n2 = lc_bm25_search_subst(ctx, &q, 2, "cherry", 6, 10, h2);
	ok(n2 == 4 && h2[1].doc == 2 && fabs(h2[1].score - bm(1, 1, avg, 1, 4)) < 1e-12,
	   "substituted document scored with fixed N/df/avgdl and its own tf/dl");
	ok(fabs(lc_bm25_score_text(ctx, &q, "cherry", 6) - bm(1, 1, avg, 1, 4)) < 1e-12, "score_text");
	lc_bm25_query_free(&q);
	lc_bm25_query_parse(ctx, "durian", &q);
	ok(q.n == 0 && lc_bm25_search_subst(ctx, &q, 0, "durian", 6, 10, h2) == 0 &&
	   lc_bm25_score_text(ctx, &q, "durian", 6) == 0, "query without index terms: no hits, score 0");
	lc_bm25_query_free(&q);
	lc_bm25_ctx_free(ctx);

	/* file round trip, corruption, version, merge */
	const lc_index *ix = lc_bm25_index(b);
	char path[600];
	snprintf(path, sizeof path, "%s/i.idx", tmpdir);
	FILE *f = fopen(path, "wb");
	fwrite(ix->base, 1, ix->size, f);
	fclose(f);
	lc_bm25 *b2 = lc_bm25_open(path, NULL, &e);
	n = b2 ? lc_bm25_search(b2, "apple apple", 10, h2) : 0;
	ok(n == 3 && h2[0].doc == 1 && h2[0].score == lc_bm25_search(b, "apple apple", 10, h) * 0 + h[0].score, "mmap'ed index answers the same");
	lc_buf pb = {0};
	is_str(lc_bm25_pid(b2, 3, &pb), "d3", "pid lookup");
	lc_bm25_free(b2);
	unsigned char *img = malloc(ix->size);
	memcpy(img, ix->base, ix->size);
	img[ix->size - 3] ^= 1;
	lc_index t;
	ok(lc_index_from_mem(&t, img, ix->size, 0, "x.idx", &e) < 0 && strstr(e.msg, "x.idx: index checksum mismatch"), "corruption: %s", e.msg);
	img[ix->size - 3] ^= 1;
	ok(lc_index_from_mem(&t, img, ix->size - 8, 0, "x.idx", &e) < 0 && strstr(e.msg, "truncated"), "truncation: %s", e.msg);
	img[8] = 3;
	ok(lc_index_from_mem(&t, img, ix->size, 0, "x.idx", &e) < 0 && strstr(e.msg, "version 3"), "version: %s", e.msg);
	free(img);

	lc_index parts[3];
	lc_buf imgs[3] = {{0}};
	const char *names[3] = { "p1", "p2", "p3" };
	for (unsigned k = 0; k < 3; k++) {
		lc_bm25_builder *bb = lc_bm25_builder_new(&o.an, &e);
		lc_buf tx = {0};
		for (size_t i = k; i < c.n; i += 3) {
			lc_buf_reset(&tx);
			lc_passage_text(&c.p[i], &tx);
			lc_bm25_builder_add(bb, c.p[i].pid, tx.p, tx.len);
		}
		lc_buf_free(&tx);
		lc_bm25_builder_finish(bb, k + 1, 3, &imgs[k]);
		lc_bm25_builder_free(bb);
		lc_index_from_mem(&parts[2 - k], imgs[k].p, imgs[k].len, 0, names[k], &e);
	}
	lc_buf m = {0};
	ok(lc_index_merge(&m, parts, names, 3, &e) == 0 && m.len == ix->size && !memcmp(m.p, ix->base, m.len),
	   "merge of 3 shards (given out of order) is byte-identical to a single build");
	ok(lc_index_merge(&m, parts, names, 2, &e) < 0 && strstr(e.msg, "give all 3"), "missing shard: %s", e.msg);
	for (int k = 0; k < 3; k++)
		lc_buf_free(&imgs[k]);
	lc_buf_free(&m);

	/* a builder spilling a run every document writes the same bytes */
	lc_bm25_builder *sb = lc_bm25_builder_new(&o.an, &e);
	lc_bm25_builder_set_memory(sb, 1);
	lc_buf tx = {0}, sp = {0};
	for (size_t i = 0; i < c.n; i++) {
		lc_buf_reset(&tx);
		lc_passage_text(&c.p[i], &tx);
		lc_bm25_builder_add(sb, c.p[i].pid, tx.p, tx.len);
	}
	ok(lc_bm25_builder_runs(sb) == c.n, "a run per document at a 1-byte limit (%zu runs)", lc_bm25_builder_runs(sb));
	lc_bm25_builder_finish(sb, 1, 1, &sp);
	ok(sp.len == ix->size && !memcmp(sp.p, ix->base, sp.len), "spilled runs merge into the same image");
	lc_bm25_builder_free(sb);
	lc_buf_free(&tx);
	lc_buf_free(&sp);
	lc_buf_free(&pb);
	lc_bm25_free(b);
	/* an index never searched (no shared context) and NULL are freed like any other:
	 * the library's free functions take NULL */
	b = lc_bm25_build(&c, &o, &e);
	lc_bm25_free(b);
	lc_bm25_free(NULL);
	lc_bm25_ctx_free(NULL);
	ok(1, "an index never searched, and NULL, are freed");
	lc_corpus_free(&c);
}

/* Pruned search (bm25_prune) against scoring every posting: the same documents,
 * scores to the bit and order, on a corpus with long lists (blocks), repeated
 * documents (exact ties) and many query shapes, under the index's bound
 * parameters and under others. */
static void test_pruned(void)
{
	static const char *vocab[] = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
	                               "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho",
	                               "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega" };
	enum { NV = sizeof vocab / sizeof *vocab, NDOC = 3000, PERIOD = 211 };
	uint32_t x = 12345;
	lc_buf cj = {0};
	for (int i = 0; i < NDOC; i++) {
		uint32_t y = 777u + (uint32_t)(i % PERIOD) * 2654435761u;   /* documents repeat every PERIOD */
		if (i % 7 == 3)
			y = (x = x * 1103515245u + 12345u);                     /* and some are unique */
		lc_buf_printf(&cj, "{\"pid\":\"p%d\",\"title_text\":\"\",\"passage_text\":\"", i);
		int len = 1 + (int)(y >> 5) % 40;
		for (int w = 0; w < len; w++) {
			y = y * 1103515245u + 12345u;
			unsigned r = (y >> 16) % 1000;
			/* Zipf-like: low indexes common */
			int v = r < 300 ? 0 : r < 500 ? 1 : r < 620 ? 2 : r < 700 ? 3 : 4 + (int)(r % (NV - 4));
			lc_buf_printf(&cj, "%s%s", w ? " " : "", vocab[v]);
		}
		lc_buf_adds(&cj, "\"}\n");
	}
	lc_corpus c = {0};
	load_corpus(&c, cj.p);
	lc_buf_free(&cj);
	lc_bm25_opts other = { .k1 = 1.2, .b = 0.75 };
	const lc_bm25_opts *params[2] = { NULL, &other };
	size_t bad = 0, runs = 0, hits_seen = 0;
	for (int pi = 0; pi < 2; pi++) {
		lc_err e = {0};
		lc_bm25 *bm = lc_bm25_build(&c, params[pi], &e);
		unsetenv("LCTK_BM25_EXHAUSTIVE");
		lc_bm25_ctx *pr = lc_bm25_ctx_new(bm);
		setenv("LCTK_BM25_EXHAUSTIVE", "1", 1);
		lc_bm25_ctx *ex = lc_bm25_ctx_new(bm);
		unsetenv("LCTK_BM25_EXHAUSTIVE");
		lc_bm25_hit a[100], b[100];
		uint32_t y = 99;
		for (int qn = 0; qn < 150; qn++) {
			char q[512] = "";
			int nt = 1 + qn % 9;
			for (int w = 0; w < nt; w++) {
				y = y * 1103515245u + 12345u;
				strcat(q, vocab[(y >> 16) % NV]);
				strcat(q, " ");
			}
			static const size_t ks[] = { 1, 10, 100 };
			for (int ki = 0; ki < 3; ki++) {
				size_t na = lc_bm25_search_ctx(pr, q, ks[ki], a), nb = lc_bm25_search_ctx(ex, q, ks[ki], b);
				runs++;
				hits_seen += na;
				int same = na == nb;
				for (size_t i = 0; same && i < na; i++)
					same = a[i].doc == b[i].doc && !memcmp(&a[i].score, &b[i].score, sizeof a[i].score);
				if (!same && bad++ < 3)
					printf("# differs: params %d, k %zu, query '%s'\n", pi, ks[ki], q);
			}
		}
		lc_bm25_ctx_free(pr);
		lc_bm25_ctx_free(ex);
		lc_bm25_free(bm);
	}
	ok(bad == 0 && hits_seen > runs, "pruned top-k = exhaustive top-k, bit for bit (%zu searches, %zu hits, %zu differ)",
	   runs, hits_seen, bad);
	lc_corpus_free(&c);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	setenv("LCTK_DATA", "share/lctk", 0);
	test_analyze();
	test_corpus();
	test_queries();
	test_bm25();
	test_pruned();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
