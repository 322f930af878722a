/*
 * lcgen — synthetic data for CoLoR (brief §2.2), one subcommand per step:
 *
 *   candidates  several compressions of every passage, without queries:
 *               full, title, lead-k sentences, lead-50%, seeded random sentence
 *               subsets, word filters (content words, first occurrences,
 *               first occurrences of specific terms), the current model at
 *               several thresholds (-m), external summaries (--summaries FILE),
 *               LLM summaries (--endpoint, or Batch files; lib/llm/llmsum, shared
 *               with lcompress --endpoint).  -> {"pid","name","text","tokens"}
 *   labels      per query, each candidate of its gold passage in place of that
 *               passage, BM25 over the corpus (index statistics fixed, see
 *               lib/retrieve/bm25.h), or with --llm one LOFT prompt per label through
 *               lib/retrieve/llmretrieve's lc_llmr_ask (--context N: the gold passages
 *               + BM25's top N others): success = LOFT's (gold at rank 1 for one
 *               gold; all gold in the top |gold| otherwise).
 *               -> {"qid","pid","name","success","rank","tokens"}
 *   pairs       per (query, gold passage): chosen = shortest successful, rejected
 *               = longest failed; all succeed or all fail: shortest vs longest;
 *               --mode hard (default) drops the ones without a success.  TRL
 *               preference JSONL (prompt string; chosen/rejected as user +
 *               assistant messages, the shape of CoLoR's released pairs) plus
 *               pid, qid, chosen_name, rejected_name, chosen_tokens, rejected_tokens.
 *   probes      passkey-retrieval prompts at target token lengths (brief §2.4), or
 *               OpenAI Batch request lines (--batch MODEL) for them or for
 *               summarising a corpus (--summarise CORPUS).
 *
 * Lengths are cl100k_base tokens, or any tokenizer's (-e NAME, --tokenizer FILE:
 * the letters and names of lctok), as CoLoR's length weight expects.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bm25.h"
#include "buf.h"
#include "cli.h"
#include "hash.h"
#include "options.h"
#include "compress.h"
#include "corpus.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "llmretrieve.h"
#include "llmreq.h"
#include "llmsum.h"
#include "output.h"
#include "report.h"
#include "prompt.h"
#include "queries.h"
#include "sentsplit.h"
#include "strmap.h"
#include "tok.h"

enum { OPT_SUMMARIES = 256, OPT_SEED, OPT_RANDOM, OPT_MODE, OPT_LENGTHS, OPT_PER, OPT_BATCH,
       OPT_SUMMARISE, OPT_K1, OPT_B, OPT_NO_STOP, OPT_NO_STEM, OPT_KINDS, OPT_SELECTION, OPT_LABEL_BY,
       OPT_TOKENIZER,
       /* LLM options: every id from OPT_LLM on */
       OPT_LLM, OPT_ENDPOINT, OPT_MODEL, OPT_PARALLEL, OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_RETRIES, OPT_BACKOFF,
       OPT_CACHE, OPT_NO_CACHE, OPT_TEMPERATURE, OPT_MAX_TOKENS, OPT_BATCH_OUT, OPT_BATCH_IN, OPT_SKIP_BAD,
       OPT_VERBOSE, OPT_PROMPT, OPT_FEW_SHOT, OPT_FEW_SHOT_CORPUS, OPT_SHOTS, OPT_CONTEXT, OPT_CONTEXT_LIMIT };

static const lc_opt opts[] = {
	LC_OPT_CORPUS(),
	LC_OPT_QUERIES(),
	LC_OPT_MODEL_FILE(),
	LC_OPT_SUMMARIES(OPT_SUMMARIES),
	{ OPT_KINDS, "kinds", "LIST", "candidates to write: all (default) or a comma list of full,title,lead,random,filter,model,external,llm",
	  "all full title lead random filter model external llm" },
	{ OPT_RANDOM, "random", "N", "random sentence subsets per passage (default 3)", NULL },
	LC_OPT_SEED(OPT_SEED),
	{ OPT_MODE, "mode", "MODE", "pairs: hard (default) drops passages without a success; all keeps them", "hard all" },
	{ OPT_SELECTION, "selection", "RULE", "pairs: lctk (default: by tokens and each label) or released (CoLoR's released script)", "lctk released" },
	{ OPT_LABEL_BY, "label-by", "NAME", "pairs --selection released: the candidate whose label decides (default: the last one)", NULL },
	LC_OPT_K1(OPT_K1),
	LC_OPT_B(OPT_B),
	LC_OPT_NO_STOPWORDS(OPT_NO_STOP),
	LC_OPT_NO_STEM(OPT_NO_STEM),
	LC_OPT_ENCODING(),
	LC_OPT_TOKENIZER(OPT_TOKENIZER),
	{ OPT_LENGTHS, "lengths", "N,N,...", "probes: target lengths in tokens (default 1000,4000,16000)", NULL },
	{ OPT_PER, "per-length", "N", "probes: prompts per length (default 5)", NULL },
	{ OPT_BATCH, "batch", "MODEL", "probes: write OpenAI Batch request lines for MODEL", NULL },
	{ OPT_SUMMARISE, "summarise", "CORPUS", "probes: Batch requests summarising CORPUS (CoLoR's prompt)", LC_COMPLETE_FILE },
	LC_OPT_LLM(OPT_LLM),
	LC_OPT_ENDPOINT(OPT_ENDPOINT),
	LC_OPT_MODEL(OPT_MODEL),
	LC_OPT_PARALLEL(OPT_PARALLEL),
	LC_OPT_TIMEOUT(OPT_TIMEOUT),
	LC_OPT_CONNECT_TIMEOUT(OPT_CONNECT_TIMEOUT),
	LC_OPT_RETRIES(OPT_RETRIES),
	LC_OPT_BACKOFF(OPT_BACKOFF),
	LC_OPT_CACHE(OPT_CACHE),
	LC_OPT_NO_CACHE(OPT_NO_CACHE),
	LC_OPT_TEMPERATURE(OPT_TEMPERATURE),
	LC_OPT_MAX_TOKENS(OPT_MAX_TOKENS),
	LC_OPT_BATCH_OUT(OPT_BATCH_OUT),
	LC_OPT_BATCH_IN(OPT_BATCH_IN),
	LC_OPT_SKIP_BAD(OPT_SKIP_BAD),
	LC_OPT_VERBOSE(OPT_VERBOSE),
	LC_OPT_PROMPT(OPT_PROMPT, "arguana fever fiqa hotpotqa msmarco musique nq qampari quest quora scifact topiocqa webis_touche2020 default"),
	LC_OPT_FEW_SHOT(OPT_FEW_SHOT),
	LC_OPT_FEW_SHOT_CORPUS(OPT_FEW_SHOT_CORPUS),
	LC_OPT_SHOTS(OPT_SHOTS),
	{ OPT_CONTEXT, "context", "N", "labels --llm: prompt = the query's gold passages + BM25's top N others (default: whole corpus)", NULL },
	LC_OPT_CONTEXT_LIMIT(OPT_CONTEXT_LIMIT),
	LC_OPT_OUTPUT(),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const subs[] = { "candidates", "labels", "pairs", "probes", NULL };
static const lc_cmd cmd = { "lcgen", "candidates|labels|pairs|probes [options] [FILE...]",
	"CoLoR synthetic data: candidates, retrieval labels, preference pairs, probes", opts, subs };


/* The tokenizer for lengths: -e NAME or --tokenizer FILE (lctok's options). */
typedef struct {
	const char *encoding, *file;
} tokspec;

static lc_tok *tok_open(const tokspec *ts)
{
	lc_err e = {0};
	lc_tok *t = ts->file ? lc_tok_load_hf(ts->file, &e) : lc_tok_load(ts->encoding, &e);
	if (!t)
		lc_die_err(&e);
	return t;
}

/* ---------------------------------------------------------------- candidates */

typedef struct {
	lc_output *o;
	lc_strmap seen;     /* texts already written for this passage */
	const lc_tok *tok;
	lc_buf line;
	const char *pid;
	size_t written;     /* candidates written (--report) */
} emitter;

static void emit(emitter *em, const char *name, const char *text, size_t len)
{
	int is_new;
	lc_strmap_intern(&em->seen, text, len, &is_new);
	if (!is_new)
		return;
	lc_buf_reset(&em->line);
	lc_buf_adds(&em->line, "{\"pid\":");
	lc_json_quote(&em->line, em->pid, strlen(em->pid));
	lc_buf_adds(&em->line, ",\"name\":");
	lc_json_quote(&em->line, name, strlen(name));
	lc_buf_adds(&em->line, ",\"text\":");
	lc_json_quote(&em->line, text, len);
	lc_buf_printf(&em->line, ",\"tokens\":%zu}\n", lc_tok_count(em->tok, text, len));
	lc_output_write(em->o, em->line.p, em->line.len);
	em->written++;
}

static void emit_mask(emitter *em, const char *name, const lc_cunits *u, const char *text,
                      const unsigned char *mask, lc_buf *tmp)
{
	lc_buf_reset(tmp);
	lc_compress_render(u, text, mask, 0, tmp);
	if (tmp->len)
		emit(em, name, tmp->p, tmp->len);
}

/* LLM summaries of every passage (kind "llm"): lib/llm/llmsum, the loop lcompress
 * --endpoint uses.  Returns the per-passage summaries (NULL entries: none), or
 * NULL when only a Batch request file was written. */
static char **llm_summaries(const lc_corpus *c, const lc_llmr_opts *lr, int skip_bad)
{
	lc_llmsum_opts so;
	lc_llmsum_opts_default(&so);
	so.llm = lr->llm;
	so.batch_out = lr->batch_out;
	so.batch_in = lr->batch_in;
	so.progress = lr->progress;
	const char **texts = lc_xmalloc((c->n ? c->n : 1) * sizeof *texts);
	const char **ids = lc_xmalloc((c->n ? c->n : 1) * sizeof *ids);
	for (size_t i = 0; i < c->n; i++) {
		texts[i] = c->p[i].text;
		ids[i] = c->p[i].pid;
	}
	lc_llmsum r;
	lc_err e = {0};
	if (lc_llmsum_run(&so, texts, ids, c->n, &r, &e) < 0)
		lc_die_err(&e);
	free(texts);
	free(ids);
	if (lr->batch_out) {
		if (lr->verbose)
			lc_warn("%s: %zu Batch requests written", lr->batch_out, r.requests);
		lc_llmsum_free(&r);
		return NULL;
	}
	if (r.failed) {
		size_t f = r.first_failed, asked = 0;
		for (size_t i = 0; i < c->n; i++)
			asked += *c->p[i].text != 0;
		for (size_t i = f; i < c->n; i++)
			if (r.error[i] && (i == f || lr->verbose))
				lc_warn("passage '%s': %s", c->p[i].pid, r.error[i]);
		if (!skip_bad)
			lc_die(LC_EXIT_INPUT, "%zu of %zu LLM summaries failed (first: passage '%s'); nothing written (%s)", r.failed,
			       asked, c->p[f].pid,
			       lr->batch_in ? "resubmit those requests, or give --skip-bad"
			       : lr->llm.no_cache ? "give --skip-bad to write the other candidates"
			                          : "answers received are cached: re-run to resume, or give --skip-bad");
		lc_warn("warning: %zu LLM summaries failed; those passages have no llm candidate", r.failed);
	}
	if (!lr->batch_in)
		lc_warn("LLM %s: %zu requests, %zu from the cache, %zu retries", lr->llm.model, r.stats.requests,
		        r.stats.cached, r.stats.retries);
	char **out = r.summary;   /* taken over */
	for (size_t i = 0; i < r.n; i++)
		free(r.error[i]);
	free(r.error);
	return out;
}

static int cmd_candidates(int argc, char **argv, int first, const char *out, const char *model,
                          const char **sums, size_t nsums, long nrandom, long seed, const tokspec *ts,
                          const char *kinds, const lc_llmr_opts *lr, int skip_bad, lc_report *rep)
{
	static const char *const kn[] = { "full", "title", "lead", "random", "filter", "model", "external", "llm" };
	enum { NK = 8 };
	int use_llm = lr->llm.endpoint || lr->batch_in || lr->batch_out;
	int want[NK] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	if (kinds && strcmp(kinds, "all")) {
		memset(want, 0, sizeof want);
		char *dup = lc_xstrdup(kinds), *save = NULL;
		for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, "all")) {   /* "all,llm" is what a script appending a kind writes */
				for (int i = 0; i < NK; i++)
					want[i] = i < NK - 1 || use_llm;
				continue;
			}
			int found = 0;
			for (int i = 0; i < NK; i++)
				if (!strcmp(t, kn[i]))
					want[i] = found = 1;
			if (!found)
				lc_cli_usage_error(&cmd, "--kinds: unknown kind '%s' (full, title, lead, random, filter, model, external, llm)", t);
		}
		free(dup);
		if (want[7] && !use_llm)
			lc_cli_usage_error(&cmd, "--kinds llm needs --endpoint URL --model NAME (or --batch-in FILE)");
	}
	if (use_llm && !want[7])
		lc_cli_usage_error(&cmd, "--endpoint/--batch-in/--batch-out make llm candidates: add llm to --kinds");
	if (first >= argc)
		lc_cli_usage_error(&cmd, "candidates: no corpus given");
	lc_corpus c = {0};
	lc_err e = {0};
	for (int i = first; i < argc; i++)
		if (lc_corpus_load(&c, argv[i], NULL, &e) < 0)
			lc_die_err(&e);
	char **llm = NULL;
	char *llm_name = NULL;
	if (use_llm) {
		llm = llm_summaries(&c, lr, skip_bad);
		if (!llm) {   /* --batch-out: the Batch file is the output */
			lc_corpus_free(&c);
			return 0;
		}
		size_t l = strlen(lr->llm.model) + 5;
		llm_name = lc_xmalloc(l);
		snprintf(llm_name, l, "llm:%s", lr->llm.model);
	}
	lc_cmodel m;
	int have_model = 0;
	if (model) {
		if (lc_cmodel_load(&m, model, &e) < 0)
			lc_die_err(&e);
		have_model = 1;
	}
	json_t **summ = lc_xcalloc(nsums + 1, sizeof *summ);
	char **sname = lc_xcalloc(nsums + 1, sizeof *sname);
	for (size_t i = 0; i < nsums; i++) {
		if (!(summ[i] = lc_summaries_load(sums[i], &e)))
			lc_die_err(&e);
		const char *b = strrchr(sums[i], '/');
		b = b ? b + 1 : sums[i];
		size_t l = strlen(b);
		if (l > 6 && !strcmp(b + l - 6, ".jsonl"))
			l -= 6;
		sname[i] = lc_xstrndup(b, l);
	}
	lc_cctx *cx = lc_cctx_new();
	for (size_t i = 0; i < c.n; i++)
		lc_cctx_add(cx, c.p[i].title, c.p[i].text);
	lc_tok *tok = tok_open(ts);
	emitter em = { .o = lc_output_open(out), .tok = tok };
	lc_cunits u = {0};
	lc_buf tmp = {0};
	unsigned char *mask = NULL;
	double *p = NULL;
	size_t mcap = 0, missing_summ = 0;
	for (size_t i = 0; i < c.n; i++) {
		const lc_passage *ps = &c.p[i];
		em.pid = ps->pid;
		lc_strmap_free(&em.seen);
		memset(&em.seen, 0, sizeof em.seen);
		const char *text = ps->text;
		if (want[0])
			emit(&em, "full", text, strlen(text));
		if (!*text)
			goto summaries;   /* nothing to extract; given summaries still count (CoLoR pairs them) */
		lc_cunits_build(&u, cx, ps->title, text);
		if (u.n > mcap) {
			mcap = u.n;
			mask = lc_xrealloc(mask, mcap);
			p = lc_xrealloc(p, mcap * sizeof *p);
		}
		if (want[1] && ps->title && *ps->title)
			emit(&em, "title", ps->title, strlen(ps->title));
		/* lead-k sentences */
		for (size_t k = 1; want[2] && k <= 3 && k < u.nsent; k++) {
			for (size_t w = 0; w < u.n; w++)
				mask[w] = u.sent[w] < k;
			char name[32];
			snprintf(name, sizeof name, "lead-%zu", k);
			emit_mask(&em, name, &u, text, mask, &tmp);
		}
		for (size_t w = 0; want[2] && w < u.n; w++)
			mask[w] = w < (u.n + 1) / 2;
		if (want[2])
			emit_mask(&em, "lead-50%", &u, text, mask, &tmp);
		/* random sentence subsets */
		for (long r = 0; want[3] && r < nrandom && u.nsent > 1; r++) {
			uint64_t h = lc_mix64(lc_hash_bytes(ps->pid, strlen(ps->pid)) ^ lc_mix64((uint64_t)seed * 1000003u + (uint64_t)r));
			unsigned char keep[64];
			size_t ns = u.nsent < 64 ? u.nsent : 64, nk = 0;
			for (size_t s = 0; s < ns; s++) {
				h = lc_mix64(h + s);
				keep[s] = (h & 1) != 0;
				nk += keep[s];
			}
			if (!nk)
				keep[h % ns] = 1;
			for (size_t w = 0; w < u.n; w++)
				mask[w] = u.sent[w] < 64 ? keep[u.sent[w]] : 0;
			char name[32];
			snprintf(name, sizeof name, "random-%ld", r + 1);
			emit_mask(&em, name, &u, text, mask, &tmp);
		}
		/* word filters */
		for (size_t w = 0; w < u.n; w++) {
			const double *f = u.f + w * LC_NFEAT;
			mask[w] = !f[LC_F_STOP] && !f[LC_F_PUNCT];
		}
		if (want[4])
			emit_mask(&em, "content", &u, text, mask, &tmp);
		static const double taus[] = { 0, 0.2, 0.35, 0.5 };
		for (size_t t = 0; want[4] && t < sizeof taus / sizeof *taus; t++) {
			for (size_t w = 0; w < u.n; w++) {
				const double *f = u.f + w * LC_NFEAT;
				mask[w] = !f[LC_F_STOP] && !f[LC_F_PUNCT] && !f[LC_F_REPEAT] && f[LC_F_IDF] >= taus[t];
			}
			char name[32];
			snprintf(name, sizeof name, taus[t] > 0 ? "first-idf%.2f" : "first", taus[t]);
			emit_mask(&em, name, &u, text, mask, &tmp);
		}
		if (have_model && want[5]) {
			static const double thr[] = { 0.3, 0.5, 0.7 };
			for (size_t t = 0; t < 3; t++) {
				lc_compress_select(&m, &u, 0, thr[t], LC_UNIT_WORD, p, mask);
				char name[32];
				snprintf(name, sizeof name, "model@%.1f", thr[t]);
				emit_mask(&em, name, &u, text, mask, &tmp);
			}
			for (int r = 2; r <= 3; r++) {
				lc_compress_select(&m, &u, r, -1, LC_UNIT_WORD, p, mask);
				char name[32];
				snprintf(name, sizeof name, "model-r%d", r);
				emit_mask(&em, name, &u, text, mask, &tmp);
			}
		}
	summaries:
		for (size_t s = 0; want[6] && s < nsums; s++) {
			json_t *v = json_object_get(summ[s], ps->pid);
			if (!v) {
				missing_summ++;
				continue;
			}
			const char *t = json_string_value(v);
			if (*t)
				emit(&em, sname[s], t, strlen(t));
		}
		if (llm && llm[i] && *llm[i])
			emit(&em, llm_name, llm[i], strlen(llm[i]));
	}
	lc_output_commit(em.o);
	lc_tok_free(tok);
	if (missing_summ)
		lc_warn("warning: %zu passage%s without an external summary", missing_summ, missing_summ == 1 ? "" : "s");
	lc_report_int(rep, "passages", (long long)c.n);
	lc_report_int(rep, "candidates", (long long)em.written);
	lc_report_int(rep, "without_external_summary", (long long)missing_summ);
	for (size_t i = 0; i < nsums; i++) {
		json_decref(summ[i]);
		free(sname[i]);
	}
	free(summ);
	free(sname);
	for (size_t i = 0; llm && i < c.n; i++)
		free(llm[i]);
	free(llm);
	free(llm_name);
	if (have_model)
		lc_cmodel_free(&m);
	lc_cctx_free(cx);
	lc_cunits_free(&u);
	lc_buf_free(&tmp);
	lc_buf_free(&em.line);
	lc_strmap_free(&em.seen);
	free(mask);
	free(p);
	lc_corpus_free(&c);
	return 0;
}

/* --------------------------------------------------------------------- labels */

typedef struct {
	const char *pid, *name, *text;
	size_t tokens;
} cand;

typedef struct {
	cand *v;
	size_t n, cap;
	lc_strmap pids;       /* pid -> first index in v (candidates grouped by pid) */
	size_t *start, *count;
	json_t *keep;         /* keeps strings alive */
} candset;

static void candset_free(candset *cs)
{
	free(cs->v);
	free(cs->start);
	free(cs->count);
	lc_strmap_free(&cs->pids);
	json_decref(cs->keep);
}

static void load_candidates(const char *path, candset *cs)
{
	memset(cs, 0, sizeof *cs);
	cs->keep = json_array();
	lc_input *in = lc_input_open_or_die(path, NULL);
	char *line;
	size_t len;
	lc_buf idb = {0};
	while (lc_input_next(in, &line, &len)) {
		if (!len)
			continue;
		lc_err e = {0};
		const char *w = lc_input_where(in);
		json_t *o = lc_json_parse_object(line, len, w, &e);
		const char *pid = o ? lc_json_id(json_object_get(o, "pid"), &idb, "pid", w, &e) : NULL;
		const char *name = pid ? lc_json_str(o, "name", w, &e) : NULL;
		const char *text = name ? lc_json_str(o, "text", w, &e) : NULL;
		if (!text)
			lc_die(LC_EXIT_INPUT, "%s", e.msg);
		if (!json_is_string(json_object_get(o, "pid")))
			json_object_set_new(o, "pid", json_string(pid));
		pid = json_string_value(json_object_get(o, "pid"));
		json_array_append_new(cs->keep, o);
		int is_new;
		uint32_t id = lc_strmap_intern(&cs->pids, pid, strlen(pid), &is_new);
		if (is_new) {
			cs->start = lc_xrealloc(cs->start, (id + 1) * sizeof *cs->start);
			cs->count = lc_xrealloc(cs->count, (id + 1) * sizeof *cs->count);
			cs->start[id] = cs->n;
			cs->count[id] = 0;
		} else if (cs->start[id] + cs->count[id] != cs->n) {
			lc_die(LC_EXIT_INPUT, "%s: candidates of pid '%s' are not consecutive (write them grouped by pid, as lcgen candidates does)", w, pid);
		}
		cs->count[id]++;
		if (cs->n == cs->cap) {
			cs->cap = cs->cap ? cs->cap * 2 : 4096;
			cs->v = lc_xrealloc(cs->v, cs->cap * sizeof *cs->v);
		}
		cs->v[cs->n].pid = json_string_value(json_object_get(o, "pid"));
		cs->v[cs->n].name = name;
		cs->v[cs->n].text = text;
		json_t *wj = json_object_get(o, "tokens");
		if (!json_is_integer(wj) || json_integer_value(wj) < 0)
			lc_die(LC_EXIT_INPUT, "%s: field 'tokens': expected a count (write candidates with lcgen candidates)", w);
		cs->v[cs->n].tokens = (size_t)json_integer_value(wj);
		cs->n++;
	}
	lc_buf_free(&idb);
	lc_input_close(in);
}

/* One label to compute: candidate `cand` of gold passage `row` for query `qi`. */
typedef struct {
	size_t qi, cand;
	long row;
	const long *grow;     /* the query's gold rows */
	size_t ng;
	int success;
	long rank;
	int skip;             /* LLM request failed (--skip-bad) */
} item;

/* LOFT's success from a ranked list of rows: every gold in the top |gold|
 * (rank 1 for one gold); rank = position of `row`, 0 if absent. */
static int judge(const long *ranked, size_t n, const long *grow, size_t ng, long row, long *rank)
{
	size_t found = 0;
	*rank = 0;
	for (size_t h = 0; h < n; h++) {
		for (size_t g = 0; g < ng && h < ng; g++)
			if (ranked[h] == grow[g])
				found++;
		if (ranked[h] == row && !*rank)
			*rank = (long)h + 1;
	}
	return found == ng;
}

static void labels_bm25(const lc_corpus *c, const lc_queries *qs, const candset *cs, item *it, size_t nit,
                        double k1, double b, unsigned anflags)
{
	lc_err e = {0};
	lc_bm25_opts bo = { .k1 = k1, .b = b, .b_set = 1, .an = { .flags = anflags }, .an_set = 1 };
	lc_bm25 *bm = lc_bm25_build(c, &bo, &e);
	if (!bm)
		lc_die_err(&e);
	lc_bm25_ctx *ctx = lc_bm25_ctx_new(bm);
	lc_buf txt = {0};
	lc_bm25_hit *hits = NULL;
	long *ranked = NULL;
	size_t hcap = 0;
	lc_bm25_query pq;
	size_t cur = (size_t)-1;
	for (size_t i = 0; i < nit; i++) {
		item *t = &it[i];
		if (t->qi != cur) {
			if (cur != (size_t)-1)
				lc_bm25_query_free(&pq);
			lc_bm25_query_parse(ctx, qs->q[t->qi].text, &pq);
			cur = t->qi;
		}
		if (t->ng > hcap) {
			hcap = t->ng;
			hits = lc_xrealloc(hits, hcap * sizeof *hits);
			ranked = lc_xrealloc(ranked, hcap * sizeof *ranked);
		}
		lc_passage sub = c->p[t->row];
		sub.summary = cs->v[t->cand].text;
		lc_buf_reset(&txt);
		lc_passage_text(&sub, &txt);
		size_t nh = lc_bm25_search_subst(ctx, &pq, (uint32_t)t->row, txt.p, txt.len, t->ng, hits);
		for (size_t h = 0; h < nh; h++)
			ranked[h] = (long)hits[h].doc;
		t->success = judge(ranked, nh, t->grow, t->ng, t->row, &t->rank);
	}
	if (cur != (size_t)-1)
		lc_bm25_query_free(&pq);
	lc_bm25_ctx_free(ctx);
	lc_bm25_free(bm);
	free(hits);
	free(ranked);
	lc_buf_free(&txt);
}

static size_t count_tokens(void *ud, const char *s, size_t n) { return lc_tok_count(ud, s, n); }

/* --llm: one prompt per label (lib/retrieve/llmretrieve's lc_llmr_ask), the candidate in
 * place of its gold passage; with --context N only the query's gold passages and
 * BM25's top N other passages (of the original corpus, the same for every
 * candidate of the query) are in the prompt.  Returns 0, or 1 when only a Batch
 * request file was written. */
static int labels_llm(const lc_corpus *c, const lc_queries *qs, const candset *cs, item *it, size_t nit,
                      const lc_llmr_opts *lr0, long context, int skip_bad, double k1, double b, unsigned anflags,
                      const char *corpus_path, const tokspec *ts)
{
	lc_llmr_opts lr = *lr0;
	lr.corpus_path = corpus_path;
	/* the prompt template: named with --prompt, or the LOFT dataset the corpus
	 * path names, always said; never a silent fallback to the generic prompt */
	char *guessed = NULL;
	if (!lr.prompt) {
		guessed = lc_prompt_guess(corpus_path);
		if (!strcmp(guessed, "default"))
			lc_die(LC_EXIT_USAGE, "cannot tell which LOFT dataset %s holds (no file or directory name in its path "
			       "is one): give --prompt NAME (a LOFT dataset, or 'default' for the generic prompt) or --prompt FILE",
			       corpus_path);
		lr.prompt = guessed;
	}
	lc_warn("prompt template: %s (%s)", lr.prompt, guessed ? "named by the corpus path; --prompt NAME to choose another"
	                                                         : "--prompt");
	lc_err e = {0};
	lc_tok *tok = NULL;
	if (lr.context_limit) {
		tok = tok_open(ts);
		lr.count = count_tokens;
		lr.count_ud = tok;
	}
	lc_llmr_req *rq = lc_xcalloc(nit ? nit : 1, sizeof *rq);
	lc_buf ids = {0};
	size_t *idoff = lc_xmalloc((nit ? nit : 1) * sizeof *idoff);
	/* --context: per query, its gold rows + BM25's top N others, ascending */
	size_t **qrows = lc_xcalloc(qs->n ? qs->n : 1, sizeof *qrows);
	size_t *nqrows = lc_xcalloc(qs->n ? qs->n : 1, sizeof *nqrows);
	if (context >= 0) {
		lc_bm25_opts bo = { .k1 = k1, .b = b, .b_set = 1, .an = { .flags = anflags }, .an_set = 1 };
		lc_bm25 *bm = lc_bm25_build(c, &bo, &e);
		if (!bm)
			lc_die_err(&e);
		unsigned char *in = lc_xcalloc(c->n, 1);
		lc_bm25_hit *hits = NULL;
		for (size_t i = 0; i < nit; i++) {
			const item *t = &it[i];
			if (qrows[t->qi])
				continue;
			size_t want = (size_t)context + t->ng;
			if (want > c->n)
				want = c->n;
			hits = lc_xrealloc(hits, (want ? want : 1) * sizeof *hits);
			size_t nh = lc_bm25_search(bm, qs->q[t->qi].text, want, hits);
			memset(in, 0, c->n);
			for (size_t g = 0; g < t->ng; g++)
				in[t->grow[g]] = 1;
			size_t extra = 0;
			for (size_t h = 0; h < nh && extra < (size_t)context; h++)
				if (!in[hits[h].doc]) {
					in[hits[h].doc] = 1;
					extra++;
				}
			size_t *r = lc_xmalloc((t->ng + extra) * sizeof *r), m = 0;
			for (size_t d = 0; d < c->n; d++)
				if (in[d])
					r[m++] = d;
			qrows[t->qi] = r;
			nqrows[t->qi] = m;
		}
		free(in);
		free(hits);
		lc_bm25_free(bm);
	}
	/* custom_id = the JSON array ["qid","pid","name"]: unique, readable, joinable */
	for (size_t i = 0; i < nit; i++) {
		const item *t = &it[i];
		const cand *cd = &cs->v[t->cand];
		idoff[i] = ids.len;
		lc_buf_addc(&ids, '[');
		lc_json_quote(&ids, qs->q[t->qi].qid, strlen(qs->q[t->qi].qid));
		lc_buf_addc(&ids, ',');
		lc_json_quote(&ids, cd->pid, strlen(cd->pid));
		lc_buf_addc(&ids, ',');
		lc_json_quote(&ids, cd->name, strlen(cd->name));
		lc_buf_addc(&ids, ']');
		lc_buf_addc(&ids, '\0');
	}
	for (size_t i = 0; i < nit; i++) {
		const item *t = &it[i];
		rq[i].id = ids.p + idoff[i];
		rq[i].query = qs->q[t->qi].text;
		rq[i].subst = t->row;
		rq[i].subst_text = cs->v[t->cand].text;
		rq[i].rows = qrows[t->qi];
		rq[i].nrows = nqrows[t->qi];
	}
	lc_llmr_ans *ans = lc_xcalloc(nit ? nit : 1, sizeof *ans);
	if (lc_llmr_ask(&lr, c, rq, nit, ans, &e) < 0)
		lc_die_err(&e);
	int rc = 0;
	if (lr.batch_out) {
		if (lr.verbose)
			lc_warn("%s: %zu Batch requests written", lr.batch_out, nit);
		rc = 1;
	} else {
		size_t failed = 0, unparsed = 0, first = 0;
		long *ranked = NULL;
		size_t rcap = 0;
		for (size_t i = 0; i < nit; i++) {
			item *t = &it[i];
			if (!ans[i].answered) {
				if (!failed++)
					first = i;
				if (failed == 1 || lr.verbose)
					lc_warn("request %s: %s", rq[i].id, ans[i].error);
				t->skip = 1;
				continue;
			}
			unparsed += !ans[i].parsed;
			if (ans[i].pids.n > rcap) {
				rcap = ans[i].pids.n;
				ranked = lc_xrealloc(ranked, rcap * sizeof *ranked);
			}
			for (size_t k = 0; k < ans[i].pids.n; k++)
				ranked[k] = lc_corpus_find(c, ans[i].pids.s[k]);
			t->success = judge(ranked, ans[i].pids.n, t->grow, t->ng, t->row, &t->rank);
		}
		free(ranked);
		if (failed && !skip_bad)
			lc_die(LC_EXIT_INPUT, "%zu of %zu LLM requests got no answer (first: %s); nothing written (%s)", failed, nit,
			       rq[first].id,
			       lr.batch_in ? "resubmit those requests, or give --skip-bad"
			       : lr.llm.no_cache ? "give --skip-bad to write the other labels"
			                         : "answers received are cached: re-run to resume, or give --skip-bad");
		if (failed)
			lc_warn("warning: %zu labels without an LLM answer skipped", failed);
		if (unparsed)
			lc_warn("%zu of %zu LLM answers gave no usable prediction (no Final Answer list, or an id not in the "
			        "prompt): labelled as failures", unparsed, nit - failed);
	}
	lc_llmr_ans_free(ans, nit);
	free(ans);
	if (tok)
		lc_tok_free(tok);
	for (size_t q = 0; q < qs->n; q++)
		free(qrows[q]);
	free(qrows);
	free(nqrows);
	free(rq);
	free(idoff);
	lc_buf_free(&ids);
	free(guessed);
	return rc;
}

static int cmd_labels(int argc, char **argv, int first, const char *out, const char *corpus,
                      const char *queries, double k1, double b, unsigned anflags, const lc_llmr_opts *lr,
                      long context, int skip_bad, const tokspec *ts, lc_report *rep)
{
	if (!corpus || !queries || first >= argc)
		lc_cli_usage_error(&cmd, "labels: needs -c CORPUS -q QUERIES CANDIDATES");
	lc_corpus c = {0};
	lc_queries qs = {0};
	lc_err e = {0};
	if (lc_corpus_load(&c, corpus, NULL, &e) < 0 || lc_corpus_check_nonempty(&c, corpus, &e) < 0)
		lc_die_err(&e);
	if (lc_queries_load(&qs, queries, NULL, &e) < 0)
		lc_die_err(&e);
	candset cs;
	load_candidates(argv[first], &cs);
	/* the labels to compute, in output order */
	item *it = NULL;
	size_t nit = 0, icap = 0;
	long **grows = lc_xcalloc(qs.n ? qs.n : 1, sizeof *grows);
	size_t nogold = 0, nocand = 0, nolabel = 0, ok = 0, fail = 0;
	for (size_t qi = 0; qi < qs.n; qi++) {
		const lc_query *q = &qs.q[qi];
		if (!q->nans) {
			nolabel++;
			continue;
		}
		size_t ng = q->nans;
		long *grow = lc_xmalloc(ng * sizeof *grow);
		int missing = 0;
		for (size_t g = 0; g < ng; g++) {
			grow[g] = lc_corpus_find(&c, q->ans[g].pid);
			if (grow[g] < 0)
				missing = 1;
		}
		if (missing) {
			nogold++;
			free(grow);
			continue;
		}
		grows[qi] = grow;
		for (size_t g = 0; g < ng; g++) {
			const lc_passage *ps = &c.p[grow[g]];
			long cid = lc_strmap_find(&cs.pids, ps->pid, strlen(ps->pid));
			if (cid < 0) {
				nocand++;
				continue;
			}
			for (size_t k = cs.start[cid]; k < cs.start[cid] + cs.count[cid]; k++) {
				if (nit == icap) {
					icap = icap ? icap * 2 : 1024;
					it = lc_xrealloc(it, icap * sizeof *it);
				}
				it[nit++] = (item){ .qi = qi, .cand = k, .row = grow[g], .grow = grow, .ng = ng };
			}
		}
	}
	int batch_only = 0;
	if (lr)
		batch_only = labels_llm(&c, &qs, &cs, it, nit, lr, context, skip_bad, k1, b, anflags, corpus, ts);
	else
		labels_bm25(&c, &qs, &cs, it, nit, k1, b, anflags);
	if (!batch_only) {
		lc_output *o = lc_output_open(out);
		lc_buf line = {0};
		for (size_t i = 0; i < nit; i++) {
			const item *t = &it[i];
			if (t->skip)
				continue;
			const lc_query *q = &qs.q[t->qi];
			const cand *cd = &cs.v[t->cand];
			t->success ? ok++ : fail++;
			lc_buf_reset(&line);
			lc_buf_adds(&line, "{\"qid\":");
			lc_json_quote(&line, q->qid, strlen(q->qid));
			lc_buf_adds(&line, ",\"pid\":");
			lc_json_quote(&line, cd->pid, strlen(cd->pid));
			lc_buf_adds(&line, ",\"name\":");
			lc_json_quote(&line, cd->name, strlen(cd->name));
			lc_buf_printf(&line, ",\"success\":%s,\"rank\":%ld,\"tokens\":%zu}\n",
			              t->success ? "true" : "false", t->rank, cd->tokens);
			lc_output_write(o, line.p, line.len);
		}
		lc_output_commit(o);
		lc_buf_free(&line);
	}
	if (nolabel)
		lc_warn("warning: %zu quer%s without answers skipped", nolabel, nolabel == 1 ? "y" : "ies");
	if (nogold)
		lc_warn("warning: %zu quer%s whose gold pid is not in the corpus skipped", nogold, nogold == 1 ? "y" : "ies");
	if (nocand)
		lc_warn("warning: %zu gold passage%s without candidates skipped", nocand, nocand == 1 ? "" : "s");
	if (!batch_only)
		lc_warn("%zu labels: %zu successful, %zu failed", ok + fail, ok, fail);
	if (!batch_only) {
		lc_report_int(rep, "labels", (long long)(ok + fail));
		lc_report_int(rep, "successful", (long long)ok);
		lc_report_int(rep, "failed", (long long)fail);
	}
	lc_report_int(rep, "queries_without_answers", (long long)nolabel);
	lc_report_int(rep, "queries_without_gold", (long long)nogold);
	lc_report_int(rep, "gold_without_candidates", (long long)nocand);
	for (size_t qi = 0; qi < qs.n; qi++)
		free(grows[qi]);
	free(grows);
	free(it);
	candset_free(&cs);
	lc_corpus_free(&c);
	lc_queries_free(&qs);
	return 0;
}

/* ---------------------------------------------------------------------- pairs */

static void add_msgs(lc_buf *b, const char *prompt, size_t plen, const char *answer)
{
	lc_buf_adds(b, "[{\"role\":\"user\",\"content\":");
	lc_json_quote(b, prompt, plen);
	lc_buf_adds(b, "},{\"role\":\"assistant\",\"content\":");
	lc_json_quote(b, answer, strlen(answer));
	lc_buf_adds(b, "}]");
}

/* One label of a (qid, pid) group: candidate index into the candset, success. */
typedef struct { size_t cand; int success; } lab;

/* lctk's rule (brief §2.2 step 3): chosen = the shortest successful candidate,
 * rejected = the longest failed one, by tokens (first of equals); all succeed or
 * all fail: shortest vs longest.  Returns 1 when the group has a success, else 0;
 * *cok, *rok: the labels of chosen and rejected. */
static int select_lctk(const candset *cs, const lab *L, size_t nl, long *ch, long *rj, int *cok, int *rok)
{
	long sc = -1, lf = -1, sh = -1, lo = -1;
	int shok = 0, look = 0;
	for (size_t i = 0; i < nl; i++) {
		const cand *cd = &cs->v[L[i].cand];
		if (L[i].success && (sc < 0 || cd->tokens < cs->v[sc].tokens))
			sc = (long)L[i].cand;
		if (!L[i].success && (lf < 0 || cd->tokens > cs->v[lf].tokens))
			lf = (long)L[i].cand;
		if (sh < 0 || cd->tokens < cs->v[sh].tokens) {
			sh = (long)L[i].cand;
			shok = L[i].success;
		}
		if (lo < 0 || cd->tokens > cs->v[lo].tokens) {
			lo = (long)L[i].cand;
			look = L[i].success;
		}
	}
	if (sc >= 0 && lf >= 0) {
		*ch = sc;
		*rj = lf;
		*cok = 1;
		*rok = 0;
	} else {
		*ch = sh;
		*rj = lo;
		*cok = shok;
		*rok = look;
	}
	return sc >= 0;
}

/* Characters as Python's len() counts them: code points of the UTF-8 text. */
static size_t n_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int by_cand(const void *a, const void *b)
{
	size_t x = ((const lab *)a)->cand, y = ((const lab *)b)->cand;
	return x < y ? -1 : x > y;
}

/* The rule of CoLoR's released codes/7_make_orpo_dataset.py.  Its inner loop
 * reuses the outer loop's variable, so every summariser is filed under the last
 * one's name and label: a passage is kept (hard mode) when the LAST summariser's
 * candidate succeeded, and chosen/rejected are always the shortest and longest of
 * all candidates by characters (Python len), whatever their own labels.  Ties
 * follow Python's stable sort over the summariser order (= candidates-file order):
 * chosen = the first of the shortest, rejected = the last of the longest.  The
 * deciding candidate is label_by, or the group's last candidate.  Returns 1/0 (the
 * deciding label), or -1 when the group has no label for label_by. */
static int select_released(const candset *cs, lab *L, size_t nl, const char *label_by, long *ch, long *rj, int *cok,
                           int *rok)
{
	qsort(L, nl, sizeof *L, by_cand);
	long d = label_by ? -1 : (long)nl - 1;
	for (size_t i = 0; label_by && i < nl; i++)
		if (!strcmp(cs->v[L[i].cand].name, label_by))
			d = (long)i;
	if (d < 0)
		return -1;
	size_t sh = 0, lo = 0, shl = 0, lol = 0;
	for (size_t i = 0; i < nl; i++) {
		size_t len = n_chars(cs->v[L[i].cand].text);
		if (i == 0 || len < shl) {
			sh = i;
			shl = len;
		}
		if (i == 0 || len >= lol) {
			lo = i;
			lol = len;
		}
	}
	*ch = (long)L[sh].cand;
	*rj = (long)L[lo].cand;
	*cok = L[sh].success;
	*rok = L[lo].success;
	return L[d].success;
}

static int cmd_pairs(int argc, char **argv, int first, const char *out, const char *corpus, int hard, int released,
                     const char *label_by, lc_report *rep)
{
	if (!corpus || argc - first != 2)
		lc_cli_usage_error(&cmd, "pairs: needs -c CORPUS CANDIDATES LABELS");
	lc_corpus c = {0};
	lc_err e = {0};
	if (lc_corpus_load(&c, corpus, NULL, &e) < 0)
		lc_die_err(&e);
	candset cs;
	load_candidates(argv[first], &cs);
	lc_input *in = lc_input_open_or_die(argv[first + 1], NULL);
	lc_output *o = lc_output_open(out);
	char *line;
	size_t len;
	lc_buf cur = {0}, curpid = {0}, prompt = {0}, ob = {0}, idb = {0};
	/* labels of one (qid, pid) group arrive consecutively (lcgen labels order) */
	lab *L = NULL;
	size_t nl = 0, lcap = 0, npairs = 0, nsame = 0, nosucc = 0, nopid = 0, nolabel = 0;
	int more = 1;
	while (more) {
		more = lc_input_next(in, &line, &len);
		json_t *j = NULL;
		const char *qid = NULL, *pid = NULL, *name = NULL;
		int success = 0;
		if (more) {
			if (!len)
				continue;
			const char *w = lc_input_where(in);
			j = lc_json_parse_object(line, len, w, &e);
			qid = j ? lc_json_id(json_object_get(j, "qid"), &idb, "qid", w, &e) : NULL;
			qid = qid ? lc_xstrdup(qid) : NULL;
			pid = qid ? lc_json_id(json_object_get(j, "pid"), &idb, "pid", w, &e) : NULL;
			name = pid ? lc_json_str(j, "name", w, &e) : NULL;
			json_t *s = name ? json_object_get(j, "success") : NULL;
			if (!name || !json_is_boolean(s))
				lc_die(LC_EXIT_INPUT, "%s", e.msg[0] ? e.msg : "labels: 'success' must be true or false");
			success = json_is_true(s);
		}
		int same_group = more && cur.len && !strcmp(cur.p, qid) && !strcmp(curpid.p, pid);
		if (!same_group && nl) {
			/* close the group */
			long ch, rj;
			int cok, rok, keep;
			if (released) {
				keep = select_released(&cs, L, nl, label_by, &ch, &rj, &cok, &rok);
				if (keep < 0)
					nolabel++;
			} else {
				keep = select_lctk(&cs, L, nl, &ch, &rj, &cok, &rok);
			}
			long row = lc_corpus_find(&c, curpid.p);
			if (keep < 0) {
				/* counted in nolabel */
			} else if (!keep && hard)
				nosucc++;
			else if (row < 0)
				nopid++;
			else if (!released && !strcmp(cs.v[ch].text, cs.v[rj].text))
				nsame++;
			else {
				if (!strcmp(cs.v[ch].text, cs.v[rj].text))
					nsame++;
				lc_buf_reset(&prompt);
				lc_prompt_summarize(&prompt, c.p[row].text);
				lc_buf_reset(&ob);
				lc_buf_adds(&ob, "{\"prompt\":");
				lc_json_quote(&ob, prompt.p, prompt.len);
				lc_buf_adds(&ob, ",\"chosen\":");
				add_msgs(&ob, prompt.p, prompt.len, cs.v[ch].text);
				lc_buf_adds(&ob, ",\"rejected\":");
				add_msgs(&ob, prompt.p, prompt.len, cs.v[rj].text);
				lc_buf_adds(&ob, ",\"pid\":");
				lc_json_quote(&ob, curpid.p, curpid.len);
				lc_buf_adds(&ob, ",\"qid\":");
				lc_json_quote(&ob, cur.p, cur.len);
				lc_buf_adds(&ob, ",\"chosen_name\":");
				lc_json_quote(&ob, cs.v[ch].name, strlen(cs.v[ch].name));
				lc_buf_adds(&ob, ",\"rejected_name\":");
				lc_json_quote(&ob, cs.v[rj].name, strlen(cs.v[rj].name));
				lc_buf_printf(&ob, ",\"chosen_tokens\":%zu,\"rejected_tokens\":%zu,\"chosen_success\":%s,\"rejected_success\":%s}\n",
				              cs.v[ch].tokens, cs.v[rj].tokens, cok ? "true" : "false", rok ? "true" : "false");
				lc_output_write(o, ob.p, ob.len);
				npairs++;
			}
			nl = 0;
		}
		if (!more)
			break;
		if (!same_group) {
			lc_buf_reset(&cur);
			lc_buf_adds(&cur, qid);
			lc_buf_reset(&curpid);
			lc_buf_adds(&curpid, pid);
		}
		long cid = lc_strmap_find(&cs.pids, pid, strlen(pid));
		size_t k = 0;
		int found = 0;
		if (cid >= 0)
			for (k = cs.start[cid]; k < cs.start[cid] + cs.count[cid]; k++)
				if (!strcmp(cs.v[k].name, name)) {
					found = 1;
					break;
				}
		if (!found)
			lc_die(LC_EXIT_INPUT, "%s: label for pid '%s' candidate '%s' not in the candidates file",
			       lc_input_where(in), pid, name);
		if (nl == lcap) {
			lcap = lcap ? lcap * 2 : 64;
			L = lc_xrealloc(L, lcap * sizeof *L);
		}
		L[nl].cand = k;
		L[nl].success = success;
		nl++;
		free((char *)qid);
		json_decref(j);
	}
	lc_output_commit(o);
	lc_input_close(in);
	if (nosucc)
		lc_warn("hard mode: %zu query-passage group%s without a successful candidate dropped", nosucc, nosucc == 1 ? "" : "s");
	if (nopid)
		lc_warn("warning: %zu group%s whose pid is not in the corpus skipped", nopid, nopid == 1 ? "" : "s");
	if (nolabel)
		lc_warn("warning: %zu group%s without a label for candidate '%s' skipped", nolabel, nolabel == 1 ? "" : "s",
		        label_by);
	if (nsame)
		lc_warn(released ? "warning: %zu pair%s with chosen == rejected written (one candidate, as the released script does)"
		                 : "warning: %zu group%s where chosen == rejected skipped", nsame, nsame == 1 ? "" : "s");
	lc_warn("%zu pairs", npairs);
	lc_report_int(rep, "pairs", (long long)npairs);
	lc_report_int(rep, "groups_without_success", (long long)nosucc);
	lc_report_int(rep, "groups_without_pid", (long long)nopid);
	lc_report_int(rep, "groups_without_label", (long long)nolabel);
	lc_report_int(rep, "chosen_equals_rejected", (long long)nsame);
	candset_free(&cs);
	lc_corpus_free(&c);
	free(L);
	lc_buf_free(&cur);
	lc_buf_free(&curpid);
	lc_buf_free(&prompt);
	lc_buf_free(&ob);
	lc_buf_free(&idb);
	return 0;
}

/* --------------------------------------------------------------------- probes */

static const char *const FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

#define PROBE_HEAD "There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. " \
	"I will quiz you about the important information there.\n"
#define PROBE_TAIL "What is the pass key? The pass key is"

/* probes: passkey prompts, or with batch (the model) OpenAI Batch request lines
 * built by lib/llm/llmreq, the body builder of every LLM request (so --temperature
 * and --max-tokens reach these bodies as they reach candidates --batch-out);
 * --summarise is the Batch side of candidates --kinds llm (lib/llm/llmsum), line for
 * line. */
static int cmd_probes(const char *out, const char *lengths, long per, long seed, const char *batch,
                      const char *summarise, const tokspec *ts, const lc_llm_opts *lo, lc_report *rep)
{
	lc_llm_opts bo = *lo;
	bo.model = batch;
	lc_err e = {0};
	if (summarise) {
		if (!batch)
			lc_cli_usage_error(&cmd, "probes --summarise needs --batch MODEL");
		lc_corpus c = {0};
		if (lc_corpus_load(&c, summarise, NULL, &e) < 0)
			lc_die_err(&e);
		lc_llmsum_opts so;
		lc_llmsum_opts_default(&so);
		so.llm = bo;
		so.batch_out = out ? out : "-";
		const char **texts = lc_xmalloc((c.n ? c.n : 1) * sizeof *texts);
		const char **ids = lc_xmalloc((c.n ? c.n : 1) * sizeof *ids);
		for (size_t i = 0; i < c.n; i++) {
			texts[i] = c.p[i].text;
			ids[i] = c.p[i].pid;
		}
		lc_llmsum r;
		if (lc_llmsum_run(&so, texts, ids, c.n, &r, &e) < 0)
			lc_die_err(&e);
		lc_report_int(rep, "requests", (long long)c.n);
		lc_llmsum_free(&r);
		free(texts);
		free(ids);
		lc_corpus_free(&c);
		return 0;
	}
	lc_llm *cl = NULL;
	if (batch && !(cl = lc_llmreq_batch_client(&bo, &e)))
		lc_die_err(&e);
	lc_output *o = lc_output_open(out);
	lc_buf b = {0}, pr = {0};
	const char *s = lengths ? lengths : "1000,4000,16000";
	uint64_t r = lc_mix64((uint64_t)seed + 17);
	lc_tok *tok = tok_open(ts);
	size_t nprobes = 0;
	lc_buf one = {0};
	lc_buf_adds(&one, FILLER);
	lc_buf_addc(&one, ' ');
	size_t f1 = lc_tok_count(tok, one.p, one.len);
	lc_buf_adds(&one, FILLER);
	lc_buf_addc(&one, ' ');
	size_t fw = lc_tok_count(tok, one.p, one.len) - f1;  /* one more repetition */
	while (*s) {
		char *end;
		long L = strtol(s, &end, 10);
		if (end == s || L < 100 || L > 10000000 || (*end && *end != ','))
			lc_cli_usage_error(&cmd, "--lengths: expected comma-separated token counts >= 100, got '%s'", lengths);
		s = *end ? end + 1 : end;
		for (long k = 0; k < per; k++) {
			r = lc_mix64(r + 1);
			long key = 10000 + (long)(r % 90000);
			/* the instruction, key sentence and question, then filler to the target */
			lc_buf_reset(&pr);
			lc_buf_printf(&pr, "%s%s%ld. Remember it. %ld is the pass key. \n%s", PROBE_HEAD, "The pass key is ", key, key, PROBE_TAIL);
			size_t fixed = lc_tok_count(tok, pr.p, pr.len);
			size_t reps = (size_t)L > fixed + fw ? ((size_t)L - fixed) / fw : 1;
			r = lc_mix64(r + 1);
			size_t at = (size_t)(r % (reps + 1));
			lc_buf_reset(&pr);
			lc_buf_adds(&pr, PROBE_HEAD);
			for (size_t i = 0; i <= reps; i++) {
				if (i == at)
					lc_buf_printf(&pr, "The pass key is %ld. Remember it. %ld is the pass key. ", key, key);
				if (i < reps) {
					lc_buf_adds(&pr, FILLER);
					lc_buf_addc(&pr, ' ');
				}
			}
			lc_buf_addc(&pr, '\n');
			lc_buf_adds(&pr, PROBE_TAIL);
			char id[64];
			snprintf(id, sizeof id, "passkey-%ld-%ld", L, k);
			lc_buf_reset(&b);
			if (batch)
				lc_llmreq_batch_line(cl, &b, id, pr.p);   /* the prompt is ASCII */
			else {
				lc_buf_printf(&b, "{\"id\":\"%s\",\"length\":%ld,\"tokens\":%zu,\"answer\":\"%ld\",\"prompt\":", id, L,
				              lc_tok_count(tok, pr.p, pr.len), key);
				lc_json_quote(&b, pr.p, pr.len);
				lc_buf_adds(&b, "}\n");
			}
			lc_output_write(o, b.p, b.len);
			nprobes++;
		}
	}
	lc_output_commit(o);
	lc_report_int(rep, "probes", (long long)nprobes);
	lc_llm_free(cl);
	lc_tok_free(tok);
	lc_buf_free(&one);
	lc_buf_free(&b);
	lc_buf_free(&pr);
	return 0;
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	if (argc < 2 || argv[1][0] == '-') {
		lc_cli st0 = {0};
		while (lc_cli_next(&st0, &cmd, argc, argv) != -1)
			;
		lc_cli_usage_error(&cmd, "expected a subcommand: candidates, labels, pairs or probes");
	}
	const char *sub = argv[1];
	argc--;
	argv++;
	lc_cli st = {0};
	const char *out = NULL, *corpus = NULL, *queries = NULL, *model = NULL, *lengths = NULL;
	const char *batch = NULL, *summarise = NULL, *kinds = NULL;
	tokspec ts = { "cl100k_base", NULL };
	const char **sums = NULL;
	size_t nsums = 0;
	long nrandom = 3, seed = 0, per = 5;
	int hard = 1, released = 0, c;
	const char *label_by = NULL;
	double k1 = 0.9, b = 0.4;
	unsigned anflags = LC_ANALYZE_DEFAULT_FLAGS;
	lc_llmr_opts lr;
	lc_llmr_opts_default(&lr);
	int llm = 0, llm_opt = 0, labels_opt = 0, skip_bad = 0, tok_opt = 0, body_opt = 0;
	int is_probes = !strcmp(sub, "probes");
	long context = -1;
	lc_report rep = {0};
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1) {
		if (c == LC_OPT_REPORT_ID) {
			lc_report_arg(&rep, &cmd, optarg);
			continue;
		}
		if (c == OPT_TEMPERATURE || c == OPT_MAX_TOKENS)
			body_opt = c;   /* body parameters: probes --batch takes them too */
		if (c > OPT_LLM && !llm_opt && !(is_probes && body_opt == c))
			llm_opt = c;
		if (c >= OPT_PROMPT && !labels_opt)
			labels_opt = c;
		if (lc_llm_opt_set(&lr.llm, st.cur->name, optarg))
			continue;   /* the client's options: lib/llm/llm */
		switch (c) {
		case 'c': corpus = optarg; break;
		case 'q': queries = optarg; break;
		case 'm': model = optarg; break;
		case 'o': out = optarg; break;
		case OPT_SUMMARIES:
			sums = lc_xrealloc(sums, (nsums + 1) * sizeof *sums);
			sums[nsums++] = optarg;
			break;
		case OPT_RANDOM: nrandom = lc_cli_long("--random", optarg, 0, 1000); break;
		case OPT_SEED: seed = lc_cli_long("--seed", optarg, 0, 0x7fffffffL); break;
		case OPT_MODE:
			if (!strcmp(optarg, "hard"))
				hard = 1;
			else if (!strcmp(optarg, "all"))
				hard = 0;
			else
				lc_cli_usage_error(&cmd, "--mode: expected hard or all, got '%s'", optarg);
			break;
		case OPT_SELECTION:
			if (!strcmp(optarg, "lctk"))
				released = 0;
			else if (!strcmp(optarg, "released"))
				released = 1;
			else
				lc_cli_usage_error(&cmd, "--selection: expected lctk or released, got '%s'", optarg);
			break;
		case OPT_LABEL_BY: label_by = optarg; break;
		case OPT_K1: k1 = lc_cli_double("--k1", optarg, 0, 100); break;
		case OPT_B: b = lc_cli_double("--b", optarg, 0, 1); break;
		case OPT_NO_STOP: anflags &= ~(unsigned)LC_AN_STOP; break;
		case OPT_NO_STEM: anflags &= ~(unsigned)LC_AN_STEM; break;
		case OPT_LENGTHS: lengths = optarg; break;
		case OPT_PER: per = lc_cli_long("--per-length", optarg, 1, 100000); break;
		case OPT_BATCH: batch = optarg; break;
		case OPT_SUMMARISE: summarise = optarg; break;
		case 'e': ts.encoding = optarg; tok_opt |= 1; break;
		case OPT_TOKENIZER: ts.file = optarg; tok_opt |= 2; break;
		case OPT_KINDS: kinds = optarg; break;
		case OPT_LLM: llm = 1; break;
		case OPT_BATCH_OUT: lr.batch_out = optarg; break;
		case OPT_BATCH_IN: lr.batch_in = optarg; break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_VERBOSE: lr.verbose = lr.llm.verbose = 1; break;
		case OPT_PROMPT: lr.prompt = optarg; break;
		case OPT_FEW_SHOT: lr.few_shot = optarg; break;
		case OPT_FEW_SHOT_CORPUS: lr.few_shot_corpus = optarg; break;
		case OPT_SHOTS: lr.shots = (size_t)lc_cli_long("--shots", optarg, 0, 1000); break;
		case OPT_CONTEXT: context = lc_cli_long("--context", optarg, 0, 1L << 40); break;
		case OPT_CONTEXT_LIMIT: lr.context_limit = (size_t)lc_cli_long("--context-limit", optarg, 1, 1L << 40); break;
		}
	}
	lr.llm.seed = (unsigned long)seed;   /* retry jitter: timing only */
	if (is_probes && body_opt && !batch)
		lc_cli_usage_error(&cmd, "--%s goes with probes --batch MODEL", lc_cli_opt_name(&cmd, body_opt));
	if (tok_opt == 3)
		lc_cli_usage_error(&cmd, "give one of -e NAME and --tokenizer FILE");
	if (label_by && !released)
		lc_cli_usage_error(&cmd, "--label-by goes with --selection released");
	const char *llm_name = lc_cli_opt_name(&cmd, llm_opt);
	int is_cand = !strcmp(sub, "candidates"), is_labels = !strcmp(sub, "labels");
	if (llm && !is_labels)
		lc_cli_usage_error(&cmd, "--llm is an option of labels");
	if (llm_opt && !is_cand && !(is_labels && llm))
		lc_cli_usage_error(&cmd, "--%s works with candidates and labels --llm only", llm_name);
	if (is_cand && labels_opt)
		lc_cli_usage_error(&cmd, "--%s is an option of labels --llm", lc_cli_opt_name(&cmd, labels_opt));
	if (is_cand ? llm_opt != 0 : llm) {
		if (lr.batch_in && lr.batch_out)
			lc_cli_usage_error(&cmd, "--batch-in and --batch-out exclude each other");
		if (!lr.llm.model)
			lc_cli_usage_error(&cmd, "%s --model NAME", llm ? "--llm needs" : "LLM candidates need");
		if (!lr.llm.endpoint && !lr.batch_in && !lr.batch_out)
			lc_cli_usage_error(&cmd, "%s --endpoint URL (or --batch-out FILE / --batch-in FILE)",
			                   llm ? "--llm needs" : "LLM candidates need");
	}
	int known = is_cand || is_labels || is_probes || !strcmp(sub, "pairs");
	if (known) {
		/* the Batch file, not stdout, is the data of --batch-out */
		lc_report_start(&rep, &cmd, (!out || !strcmp(out, "-")) && !lr.batch_out, argc - st.ind, argv + st.ind);
		lc_report_str(&rep, "subcommand", sub);
	}
	int rc = -1;
	if (is_cand)
		rc = cmd_candidates(argc, argv, st.ind, out, model, sums, nsums, nrandom, seed, &ts, kinds, &lr, skip_bad, &rep);
	free(sums);
	if (is_labels)
		rc = cmd_labels(argc, argv, st.ind, out, corpus, queries, k1, b, anflags, llm ? &lr : NULL, context, skip_bad,
		                &ts, &rep);
	else if (!strcmp(sub, "pairs"))
		rc = cmd_pairs(argc, argv, st.ind, out, corpus, hard, released, label_by, &rep);
	else if (is_probes)
		rc = cmd_probes(out, lengths, per, seed, batch, summarise, &ts, &lr.llm, &rep);
	if (known) {
		if (!rc)
			lc_report_write(&rep);
		lc_report_free(&rep);
		return rc;
	}
	lc_cli_usage_error(&cmd, "unknown subcommand '%s' (candidates, labels, pairs, probes)", sub);
}
