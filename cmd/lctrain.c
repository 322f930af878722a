/*
 * lctrain — trains the embedded extractive compressor (lib/color/compress) on
 * preference pairs with CoLoR's length-weighted ORPO objective (brief §2.2).
 *
 * Pairs: TRL preference JSONL (prompt/chosen/rejected, strings or lists of
 * {"role","content"} whose last assistant message is the answer) plus lctk's
 * fields (pid, chosen_tokens, rejected_tokens).  The passage is the corpus
 * record with that pid (-c, any number of corpora, each its own statistics; a
 * pair without a pid, as CoLoR released them, is joined by the passage text in
 * its prompt) or, without -c, the text after "Content:\n" in the prompt.  The
 * lengths of the length weight are the pair's counts, or a tokenizer's (-e,
 * --tokenizer), optionally cut as TRL <= 0.11 cuts them (--truncate-like-trl,
 * trl_truncate below; CoLoR's training saw those).  Each candidate is
 * projected onto the passage's words; its mean per-word log-probability under
 * the model stands in for the LLM's mean per-token log-probability.
 * Adam on minibatches, seeded shuffling, L2; a validation split by passage
 * (no passage in both); per-epoch loss and validation preference accuracy on
 * stderr (and with --report FILE as JSON).  Single-threaded and deterministic: same inputs + seed -> same file.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "options.h"
#include "compress.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "report.h"
#include "strmap.h"
#include "tok.h"

enum { OPT_BETA = 256, OPT_C, OPT_LR, OPT_EPOCHS, OPT_SEED, OPT_VAL, OPT_L2, OPT_BATCH,
       OPT_THRESHOLD, OPT_INIT, OPT_QUIET, OPT_TARGET, OPT_AVERAGE, OPT_LENGTH_BIAS, OPT_TOKENIZER, OPT_TRL,
       OPT_MAX_LENGTH, OPT_MAX_PROMPT };

static const lc_opt opts[] = {
	LC_OPT_CORPUS(),
	{ OPT_BETA, "beta", "B", "weight of the odds-ratio term (default 2.5)", NULL },
	{ OPT_C, "c", "C", "length weight slope: w = max(C*(l_r - l_c), 1) (default 0.1)", NULL },
	{ OPT_LR, "lr", "RATE", "Adam learning rate (default 0.05)", NULL },
	LC_OPT_EPOCHS(OPT_EPOCHS),
	{ OPT_BATCH, "batch-size", "N", "pairs per update (default 16)", NULL },
	{ OPT_L2, "l2", "LAMBDA", "L2 penalty on the weights (default 1e-4)", NULL },
	LC_OPT_SEED(OPT_SEED),
	{ OPT_VAL, "val", "FRACTION", "share of passages held out for validation (default 0.1)", NULL },
	LC_OPT_THRESHOLD(OPT_THRESHOLD),
	LC_OPT_LENGTH_BIAS(OPT_LENGTH_BIAS),
	{ OPT_TARGET, "target-ratio", "R", "set the threshold so that the corpora (-c) keep 1/R of their words", NULL },
	{ OPT_AVERAGE, "average", "N", "train N times (seeds SEED..SEED+N-1) and average the weights (default 1)", NULL },
	LC_OPT_ENCODING(),
	LC_OPT_TOKENIZER(OPT_TOKENIZER),
	{ OPT_TRL, "truncate-like-trl", NULL, "lengths as TRL <= 0.11's ORPOTrainer truncates them (see lctrain(1))", NULL },
	{ OPT_MAX_LENGTH, "max-length", "N", "--truncate-like-trl: TRL's max_length (default 512)", NULL },
	{ OPT_MAX_PROMPT, "max-prompt-length", "N", "--truncate-like-trl: TRL's max_prompt_length (default 128)", NULL },
	{ OPT_INIT, "init", "MODEL", "start from MODEL instead of the untrained model", LC_COMPLETE_FILE },
	LC_OPT_QUIET(OPT_QUIET),
	LC_OPT_OUTPUT(),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const renamed[] = { "--batch", "--batch-size", NULL };
static const lc_cmd cmd = { "lctrain", "[options] [-c CORPUS]... PAIRS...",
	"train the extractive compressor with length-weighted ORPO", opts, NULL, renamed };

typedef struct {
	lc_cunits u;
	unsigned char *mc, *mr;
	double lc, lr;
	int val;
} pair;

typedef struct {
	lc_cctx *cx;
	json_t *recs;        /* array of corpus records */
} corpus;

static uint64_t rng;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The answer text of a chosen/rejected value: a string, or the last message's content. */
static const char *answer_text(json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_array(v) && json_array_size(v) > 0) {
		json_t *last = json_array_get(v, json_array_size(v) - 1);
		json_t *c = json_object_get(last, "content");
		if (json_is_string(c))
			return json_string_value(c);
	}
	return NULL;
}

static const char *prompt_text(json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *c = json_object_get(json_array_get(v, i), "content");
			json_t *r = json_object_get(json_array_get(v, i), "role");
			if (json_is_string(c) && json_is_string(r) && !strcmp(json_string_value(r), "user"))
				return json_string_value(c);
		}
	}
	return NULL;
}

/* The passage inside the summarisation prompt, into b. */
static int passage_from_prompt(const char *p, lc_buf *b)
{
	const char *s = strstr(p, "Content:\n");
	if (!s)
		return -1;
	s += 9;
	const char *e = strstr(s, "\n Summary:");
	if (!e)
		e = s + strlen(s);
	lc_buf_reset(b);
	lc_buf_add(b, s, (size_t)(e - s));
	return 0;
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x > y ? -1 : x < y;
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	int in = 0;
	for (; *s; s++) {
		int ws = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';
		if (!ws && !in)
			n++;
		in = !ws;
	}
	return n;
}

/* Token counts of one pair as TRL <= 0.11's ORPOTrainer.tokenize_row sees them:
 * p = prompt (with the BOS TRL prepends), rc, rr = responses (with the EOS it
 * appends).  When prompt + the longer response exceed max_length, the prompt
 * keeps its last max_prompt tokens (truncation_mode "keep_end"); when that is
 * still too long, both responses keep their first max_length - max_prompt
 * tokens.  The length term counts the response tokens left (labels != -100). */
static void trl_truncate(double p, double *rc, double *rr, long max_len, long max_prompt)
{
	double longer = *rc > *rr ? *rc : *rr;
	if (p + longer > (double)max_len && p > (double)max_prompt)
		p = (double)max_prompt;
	if (p + longer > (double)max_len) {
		double keep = (double)(max_len - max_prompt);
		if (*rc > keep)
			*rc = keep;
		if (*rr > keep)
			*rr = keep;
	}
}

/* The number of special ids the tokenizer's post-processor puts around a text
 * (its BOS: what TRL prepends to the prompt; 0 for tiktoken encodings). */
static size_t tok_bos(const lc_tok *t)
{
	lc_ids ids = {0};
	lc_tok_add_special(t, &ids, 0);
	size_t n = ids.n;
	free(ids.v);
	return n;
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	double beta = 2.5, cc = 0.1, lr = 0.05, l2 = 1e-4, valfrac = 0.1, thr = 0.5, target = 0, length_bias = 0.5;
	long epochs = 30, seed = 0, batch = 16, average = 1;
	const char *out = NULL, *init = NULL, *encoding = NULL, *tokfile = NULL;
	int quiet = 0, trl = 0, c;
	lc_report rep = {0};
	long max_len = 512, max_prompt = 128;
	const char **corpora = NULL;
	size_t ncorpora = 0;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		switch (c) {
		case 'c':
			corpora = lc_xrealloc(corpora, (ncorpora + 1) * sizeof *corpora);
			corpora[ncorpora++] = optarg;
			break;
		case OPT_BETA: beta = lc_cli_double("--beta", optarg, 0, 1e6); break;
		case OPT_C: cc = lc_cli_double("--c", optarg, 0, 1e6); break;
		case OPT_LR: lr = lc_cli_double("--lr", optarg, 1e-9, 100); break;
		case OPT_EPOCHS: epochs = lc_cli_long("--epochs", optarg, 0, 100000); break;
		case OPT_BATCH: batch = lc_cli_long("--batch-size", optarg, 1, 1000000); break;
		case OPT_L2: l2 = lc_cli_double("--l2", optarg, 0, 100); break;
		case OPT_SEED: seed = lc_cli_long("--seed", optarg, 0, 0x7fffffffL); break;
		case OPT_VAL: valfrac = lc_cli_double("--val", optarg, 0, 0.9); break;
		case OPT_THRESHOLD: thr = lc_cli_double("--threshold", optarg, 0, 1); break;
		case OPT_INIT: init = optarg; break;
		case OPT_AVERAGE: average = lc_cli_long("--average", optarg, 1, 1000); break;
		case OPT_LENGTH_BIAS: length_bias = lc_cli_double("--length-bias", optarg, -100, 100); break;
		case OPT_TARGET: target = lc_cli_double("--target-ratio", optarg, 1, 1000); break;
		case OPT_QUIET: quiet = 1; break;
		case 'e': encoding = optarg; break;
		case OPT_TOKENIZER: tokfile = optarg; break;
		case OPT_TRL: trl = 1; break;
		case OPT_MAX_LENGTH: max_len = lc_cli_long("--max-length", optarg, 2, 100000000); break;
		case OPT_MAX_PROMPT: max_prompt = lc_cli_long("--max-prompt-length", optarg, 1, 100000000); break;
		case 'o': out = optarg; break;
		case LC_OPT_REPORT_ID: lc_report_arg(&rep, &cmd, optarg); break;
		}
	if (encoding && tokfile)
		lc_cli_usage_error(&cmd, "give one of -e NAME and --tokenizer FILE");
	if (max_prompt >= max_len)
		lc_cli_usage_error(&cmd, "--max-prompt-length must be below --max-length (TRL keeps max-length - max-prompt-length response tokens)");
	lc_tok *tok = NULL;
	if (encoding || tokfile) {
		lc_err e = {0};
		if (!(tok = encoding ? lc_tok_load(encoding, &e) : lc_tok_load_hf(tokfile, &e)))
			lc_die_err(&e);
	}
	size_t bos = tok ? tok_bos(tok) : 0;
	if (st.ind >= argc)
		lc_cli_usage_error(&cmd, "no pairs file given");
	lc_report_start(&rep, &cmd, !out || !strcmp(out, "-"), argc - st.ind, argv + st.ind);
	json_t *hist = lc_report_array(&rep, "history");

	/* corpora: records by pid, statistics per corpus */
	lc_strmap pidmap = {0};
	lc_strmap textmap = {0};     /* passage text -> its first pid (joins pairs without a pid) */
	uint32_t *text_pid = NULL;
	size_t *pid_corpus = NULL;
	json_t **pid_rec = NULL;
	corpus *cs = lc_xcalloc(ncorpora + 1, sizeof *cs);
	lc_buf idb = {0};
	for (size_t ci = 0; ci < ncorpora; ci++) {
		cs[ci].cx = lc_cctx_new();
		cs[ci].recs = json_array();
		lc_input *in = lc_input_open_or_die(corpora[ci], NULL);
		lc_err e = {0};
		json_t *o;
		int r;
		while ((r = lc_json_next_object(in, &o, &e)) == 1) {
			const char *w = lc_input_where(in);
			const char *pid = lc_json_id(json_object_get(o, "pid"), &idb, "pid", w, &e);
			const char *text = pid ? lc_json_str(o, "passage_text", w, &e) : NULL;
			if (!text)
				lc_die(LC_EXIT_INPUT, "%s", e.msg);
			json_t *t = json_object_get(o, "title_text");
			const char *title = json_is_string(t) ? json_string_value(t) : NULL;
			lc_cctx_add(cs[ci].cx, title, text);
			int is_new;
			uint32_t id = lc_strmap_intern(&pidmap, pid, strlen(pid), &is_new);
			if (is_new) {
				pid_corpus = lc_xrealloc(pid_corpus, (id + 1) * sizeof *pid_corpus);
				pid_rec = lc_xrealloc(pid_rec, (id + 1) * sizeof *pid_rec);
				pid_corpus[id] = ci;
				pid_rec[id] = o;
				json_array_append_new(cs[ci].recs, o);
				uint32_t tid = lc_strmap_intern(&textmap, text, strlen(text), &is_new);
				if (is_new) {
					text_pid = lc_xrealloc(text_pid, (tid + 1) * sizeof *text_pid);
					text_pid[tid] = id;
				}
			} else {
				json_decref(o);
			}
		}
		if (r < 0)
			lc_die_err(&e);
		lc_input_close(in);
	}
	/* pairs: read all first (statistics from the prompts when no corpus) */
	json_t *pairs_json = json_array();
	json_t *wheres = json_array();
	for (int fi = st.ind; fi < argc; fi++) {
		lc_input *in = lc_input_open_or_die(argv[fi], NULL);
		lc_err e = {0};
		json_t *o;
		int r;
		while ((r = lc_json_next_object(in, &o, &e)) == 1) {
			json_array_append_new(pairs_json, o);
			json_array_append_new(wheres, json_string(lc_input_where(in)));
		}
		if (r < 0)
			lc_die_err(&e);
		lc_input_close(in);
	}
	size_t np = json_array_size(pairs_json);
	lc_cctx *pcx = NULL;
	lc_buf pb = {0};
	if (!ncorpora) {
		pcx = lc_cctx_new();
		lc_strmap seenp = {0};
		for (size_t i = 0; i < np; i++) {
			const char *pr = prompt_text(json_object_get(json_array_get(pairs_json, i), "prompt"));
			if (pr && !passage_from_prompt(pr, &pb)) {
				int is_new;
				lc_strmap_intern(&seenp, pb.p, pb.len, &is_new);
				if (is_new)
					lc_cctx_add(pcx, NULL, pb.p);
			}
		}
		lc_strmap_free(&seenp);
	}
	pair *P = lc_xcalloc(np ? np : 1, sizeof *P);
	size_t n = 0, same = 0, nopid = 0, empty = 0, ntrain = 0, nval = 0, joined = 0, unjoined = 0;
	for (size_t i = 0; i < np; i++) {
		json_t *o = json_array_get(pairs_json, i);
		const char *w = json_string_value(json_array_get(wheres, i));
		const char *ch = answer_text(json_object_get(o, "chosen"));
		const char *rj = answer_text(json_object_get(o, "rejected"));
		if (!ch || !rj)
			lc_die(LC_EXIT_INPUT, "%s: 'chosen' and 'rejected' must be strings or lists of {\"role\",\"content\"} messages", w);
		if (!strcmp(ch, rj)) {
			same++;
			continue;
		}
		const char *title = NULL, *text = NULL, *pid = NULL;
		lc_cctx *cx = pcx;
		json_t *pj = json_object_get(o, "pid");
		lc_err e = {0};
		if (pj)
			pid = lc_json_id(pj, &idb, "pid", w, &e);
		if (ncorpora) {
			long id = -1;
			if (pid) {
				if ((id = lc_strmap_find(&pidmap, pid, strlen(pid))) < 0) {
					nopid++;
					continue;
				}
			} else {
				/* no pid (CoLoR's released pairs): the corpus passage whose
				 * text is the one in the prompt */
				const char *pr = prompt_text(json_object_get(o, "prompt"));
				long tid = pr && !passage_from_prompt(pr, &pb) ? lc_strmap_find(&textmap, pb.p, pb.len) : -1;
				if (tid < 0) {
					unjoined++;
					continue;
				}
				id = text_pid[tid];
				pid = lc_strmap_str(&pidmap, (uint32_t)id);
				joined++;
			}
			json_t *rec = pid_rec[id];
			cx = cs[pid_corpus[id]].cx;
			text = json_string_value(json_object_get(rec, "passage_text"));
			json_t *t = json_object_get(rec, "title_text");
			title = json_is_string(t) ? json_string_value(t) : NULL;
		} else {
			const char *pr = prompt_text(json_object_get(o, "prompt"));
			if (!pr || passage_from_prompt(pr, &pb) < 0)
				lc_die(LC_EXIT_INPUT, "%s: no passage: the prompt has no \"Content:\\n\" part; give the corpus with -c", w);
			text = pb.p;
		}
		pair *q = &P[n];
		lc_cunits_build(&q->u, cx, title, text);
		if (q->u.n == 0) {
			lc_cunits_free(&q->u);
			empty++;
			continue;
		}
		q->mc = lc_xmalloc(q->u.n);
		q->mr = lc_xmalloc(q->u.n);
		lc_cunits_project(&q->u, cx, text, ch, q->mc);
		lc_cunits_project(&q->u, cx, text, rj, q->mr);
		if (tok) {
			q->lc = (double)lc_tok_count(tok, ch, strlen(ch)) + trl;   /* TRL appends an EOS */
			q->lr = (double)lc_tok_count(tok, rj, strlen(rj)) + trl;
		} else {
			json_t *lcj = json_object_get(o, "chosen_tokens"), *lrj = json_object_get(o, "rejected_tokens");
			if (trl && (!json_is_number(lcj) || !json_is_number(lrj)))
				lc_die(LC_EXIT_INPUT, "%s: --truncate-like-trl needs token counts: give -e NAME or --tokenizer FILE, "
				       "or pairs with \"prompt_tokens\", \"chosen_tokens\" and \"rejected_tokens\"", w);
			q->lc = json_is_number(lcj) ? json_number_value(lcj) : (double)count_words(ch);
			q->lr = json_is_number(lrj) ? json_number_value(lrj) : (double)count_words(rj);
		}
		if (trl) {
			double pl;
			const char *pr = prompt_text(json_object_get(o, "prompt"));
			json_t *plj = json_object_get(o, "prompt_tokens");
			if (tok && pr)
				pl = (double)(lc_tok_count(tok, pr, strlen(pr)) + bos);
			else if (json_is_number(plj))
				pl = json_number_value(plj);
			else
				lc_die(LC_EXIT_INPUT, "%s: --truncate-like-trl needs the prompt's length: a \"prompt\" (with -e or "
				       "--tokenizer) or \"prompt_tokens\"", w);
			trl_truncate(pl, &q->lc, &q->lr, max_len, max_prompt);
		}
		/* validation by passage: hash of the passage key and the seed */
		const char *key = pid ? pid : text;
		uint64_t h = lc_hash_bytes(key, strlen(key)) ^ ((uint64_t)seed * 0x9E3779B97F4A7C15ULL);
		h ^= h >> 33;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
		q->val = (double)(h % 1000000) / 1e6 < valfrac;
		if (q->val)
			nval++;
		else
			ntrain++;
		n++;
	}
	if (same)
		lc_warn("warning: %zu pair%s with chosen == rejected skipped", same, same == 1 ? "" : "s");
	if (joined && !quiet)
		lc_warn("%zu pair%s without a pid joined to the corpora by the passage text in the prompt", joined,
		        joined == 1 ? "" : "s");
	if (unjoined)
		lc_warn("warning: %zu pair%s without a pid skipped: the passage in the prompt is in none of the corpora "
		        "(give the corpus the pairs were made from, add a \"pid\" field as lcgen pairs writes, "
		        "or drop -c to take the passage from the prompt)", unjoined, unjoined == 1 ? "" : "s");
	if (nopid)
		lc_warn("warning: %zu pair%s whose pid is not in the corpora skipped", nopid, nopid == 1 ? "" : "s");
	if (empty)
		lc_warn("warning: %zu pair%s with an empty passage skipped", empty, empty == 1 ? "" : "s");
	if (!ntrain)
		lc_die(LC_EXIT_INPUT, "no usable training pairs (%zu read)", np);

	lc_cmodel m;
	lc_cmodel_init(&m);
	if (init) {
		lc_err e = {0};
		if (lc_cmodel_load(&m, init, &e) < 0)
			lc_die_err(&e);
		free(m.meta);
		m.meta = NULL;
	}
	m.threshold = thr;
	m.length_bias = length_bias;
	size_t *order = lc_xmalloc(ntrain * sizeof *order);
	double w0[LC_NFEAT], wsum[LC_NFEAT] = {0};
	memcpy(w0, m.w, sizeof w0);
	double vacc = 0, tacc = 0, last_loss = NAN, last_vloss = NAN;
	for (long run = 0; run < average; run++) {
	for (size_t i = 0, k = 0; i < n; i++)
		if (!P[i].val)
			order[k++] = i;
	memcpy(m.w, w0, sizeof w0);
	double mom[LC_NFEAT] = {0}, vel[LC_NFEAT] = {0};
	const double b1 = 0.9, b2 = 0.999;
	long step = 0;
	rng = 0x2545F4914F6CDD1DULL ^ (uint64_t)(seed + run) * 0x9E3779B97F4A7C15ULL;
	if (!rng)
		rng = 1;
	for (long ep = 1; ep <= epochs; ep++) {
		for (size_t i = ntrain; i > 1; i--) {
			size_t j = next_rand() % i, t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		double tl = 0;
		size_t right = 0;
		for (size_t b0 = 0; b0 < ntrain; b0 += (size_t)batch) {
			double g[LC_NFEAT] = {0};
			size_t b1n = b0 + (size_t)batch < ntrain ? b0 + (size_t)batch : ntrain;
			double inv = 1.0 / (double)(b1n - b0);
			for (size_t k = b0; k < b1n; k++) {
				pair *q = &P[order[k]];
				double pc = lc_cmodel_logprob(&m, &q->u, q->mc, NULL, 0);
				double pr = lc_cmodel_logprob(&m, &q->u, q->mr, NULL, 0);
				double dc, dr;
				tl += lc_orpo(pc, pr, q->lc, q->lr, beta, cc, &dc, &dr, NULL);
				right += pc > pr;
				/* minimise: the gradient of the loss */
				lc_cmodel_logprob(&m, &q->u, q->mc, g, dc * inv);
				lc_cmodel_logprob(&m, &q->u, q->mr, g, dr * inv);
			}
			step++;
			for (int i = 0; i < LC_NFEAT; i++) {
				double gi = g[i] + l2 * m.w[i];
				mom[i] = b1 * mom[i] + (1 - b1) * gi;
				vel[i] = b2 * vel[i] + (1 - b2) * gi * gi;
				double mh = mom[i] / (1 - pow(b1, (double)step)), vh = vel[i] / (1 - pow(b2, (double)step));
				m.w[i] -= lr * mh / (sqrt(vh) + 1e-8);
			}
		}
		tacc = (double)right / (double)ntrain;
		double vl = 0;
		size_t vr = 0;
		for (size_t i = 0; i < n; i++)
			if (P[i].val) {
				double pc = lc_cmodel_logprob(&m, &P[i].u, P[i].mc, NULL, 0);
				double pr = lc_cmodel_logprob(&m, &P[i].u, P[i].mr, NULL, 0);
				vl += lc_orpo(pc, pr, P[i].lc, P[i].lr, beta, cc, NULL, NULL, NULL);
				vr += pc > pr;
			}
		vacc = nval ? (double)vr / (double)nval : 0;
		last_loss = tl / (double)ntrain;
		last_vloss = nval ? vl / (double)nval : NAN;
		if (hist)
			json_array_append_new(hist, json_pack("{s:I, s:I, s:f, s:f, s:o, s:o}", "run", (json_int_t)(run + 1),
			                      "epoch", (json_int_t)ep, "loss", last_loss, "train_acc", tacc,
			                      "val_loss", nval ? json_real(last_vloss) : json_null(),
			                      "val_acc", nval ? json_real(vacc) : json_null()));
		if (!quiet) {
			char runs[32] = "";
			if (average > 1)
				snprintf(runs, sizeof runs, "run %ld ", run + 1);
			if (nval)
				lc_warn("%sepoch %ld: loss %.4f train_acc %.4f val_loss %.4f val_acc %.4f",
				        runs, ep, tl / (double)ntrain, tacc, vl / (double)nval, vacc);
			else
				lc_warn("%sepoch %ld: loss %.4f train_acc %.4f (no validation pairs)", runs, ep, tl / (double)ntrain, tacc);
		}
	}
	for (int i = 0; i < LC_NFEAT; i++)
		wsum[i] += m.w[i];
	}
	if (average > 1) {
		for (int i = 0; i < LC_NFEAT; i++)
			m.w[i] = wsum[i] / (double)average;
		size_t tr = 0, vr = 0;
		for (size_t i = 0; i < n; i++) {
			int right = lc_cmodel_logprob(&m, &P[i].u, P[i].mc, NULL, 0) > lc_cmodel_logprob(&m, &P[i].u, P[i].mr, NULL, 0);
			if (P[i].val)
				vr += (size_t)right;
			else
				tr += (size_t)right;
		}
		tacc = (double)tr / (double)ntrain;
		vacc = nval ? (double)vr / (double)nval : 0;
		if (!quiet)
			lc_warn("average of %ld runs: train_acc %.4f val_acc %.4f", average, tacc, vacc);
	}
	if (target > 0) {
		if (!ncorpora)
			lc_die(LC_EXIT_USAGE, "--target-ratio needs the corpora (-c) to calibrate on");
		/* the (1 - 1/R) quantile of the keep probabilities of all words of
		 * passages with more than one sentence (others are kept whole) */
		double *all = NULL, mean_log = 0;
		size_t *nw = NULL;   /* per word: the words of its passage */
		size_t na = 0, acap = 0, whole = 0, total = 0, npass = 0;
		lc_cunits u = {0};
		for (size_t ci = 0; ci < ncorpora; ci++)
			for (size_t i = 0; i < json_array_size(cs[ci].recs); i++) {
				json_t *rec = json_array_get(cs[ci].recs, i);
				json_t *t = json_object_get(rec, "title_text");
				lc_cunits_build(&u, cs[ci].cx, json_is_string(t) ? json_string_value(t) : NULL,
				                json_string_value(json_object_get(rec, "passage_text")));
				total += u.n;
				mean_log += log1p((double)u.n);
				npass++;
				if (u.nsent <= 1) {
					whole += u.n;
					continue;
				}
				if (na + u.n > acap) {
					acap = (na + u.n) * 2;
					all = lc_xrealloc(all, acap * sizeof *all);
					nw = lc_xrealloc(nw, acap * sizeof *nw);
				}
				lc_cmodel_probs(&m, &u, all + na);
				for (size_t k = 0; k < u.n; k++)
					nw[na + k] = u.n;
				na += u.n;
			}
		lc_cunits_free(&u);
		/* rank the words by their probability with the passage's length shift */
		if (npass)
			mean_log /= (double)npass;
		for (size_t k = 0; k < na; k++)
			all[k] = lc_cmodel_length_adjust(&m, all[k], nw[k], mean_log);
		free(nw);
		double want = (double)total / target - (double)whole;  /* words to keep among na */
		if (na && want > 0) {
			qsort(all, na, sizeof *all, cmp_desc);
			size_t k = want >= (double)na ? na - 1 : (size_t)want;
			m.threshold = all[k];
		} else if (na)
			m.threshold = 1;
		lc_warn("threshold %.6f keeps about 1/%g of the corpora's words", m.threshold, target);
		free(all);
	}
	lc_buf meta = {0};
	lc_buf_printf(&meta, "trainer lctrain %s\nobjective orpo beta=%g c=%g\nlr %g\nepochs %ld\nbatch %ld\nl2 %g\nseed %ld\naverage %ld\n"
	              "pairs train=%zu val=%zu\ntrain_accuracy %.4f\nval_accuracy %.4f\n",
	              LCTK_VERSION, beta, cc, lr, epochs, batch, l2, seed, average, ntrain, nval, tacc, vacc);
	if (tok || trl)   /* only then: the default model's file stays as it was */
		lc_buf_printf(&meta, "lengths %s%s\n", tok ? lc_tok_name(tok) : "pair-fields", trl ? " truncate-like-trl" : "");
	if (trl)
		lc_buf_printf(&meta, "trl max_length=%ld max_prompt_length=%ld\n", max_len, max_prompt);
	for (int fi = st.ind; fi < argc; fi++) {
		/* the file and its folder (datasets are often told apart by folder
		 * only), never the machine-specific rest of the path */
		const char *b = argv[fi], *p = argv[fi] + strlen(argv[fi]);
		for (int slashes = 0; p > argv[fi]; p--)
			if (p[-1] == '/' && ++slashes == 2) {
				b = p;
				break;
			}
		lc_buf_printf(&meta, "data %s\n", b);
	}
	m.meta = lc_buf_detach(&meta);
	lc_buf mb = {0};
	lc_cmodel_format(&m, &mb);
	lc_output *o = lc_output_open(out);
	lc_output_write(o, mb.p, mb.len);
	lc_output_commit(o);
	if (lc_report_on(&rep)) {
		lc_report_real(&rep, "options.beta", beta);
		lc_report_real(&rep, "options.lr", lr);
		lc_report_int(&rep, "options.batch", batch);
		lc_report_int(&rep, "options.seed", seed);
		lc_report_int(&rep, "options.average", average);
		if (target > 0)
			lc_report_real(&rep, "options.target_ratio", target);
		lc_report_int(&rep, "pairs_train", (long long)ntrain);
		lc_report_int(&rep, "pairs_val", (long long)nval);
		lc_report_int(&rep, "epochs", epochs);
		lc_report_real(&rep, "loss", last_loss);
		lc_report_real(&rep, "val_loss", last_vloss);
		lc_report_real(&rep, "train_acc", tacc);
		if (nval)
			lc_report_real(&rep, "val_acc", vacc);
		else
			lc_report_set(&rep, "val_acc", json_null());
		lc_report_real(&rep, "threshold", m.threshold);
		lc_report_real(&rep, "length_bias", m.length_bias);
		/* the per-epoch history goes last */
		json_incref(hist);
		json_object_del(rep.o, "history");
		lc_report_set(&rep, "history", hist);
		lc_report_write(&rep);
	}
	for (size_t i = 0; i < n; i++) {
		lc_cunits_free(&P[i].u);
		free(P[i].mc);
		free(P[i].mr);
	}
	free(P);
	free(order);
	for (size_t ci = 0; ci < ncorpora; ci++) {
		lc_cctx_free(cs[ci].cx);
		json_decref(cs[ci].recs);
	}
	free(cs);
	free(corpora);
	free(pid_corpus);
	free(pid_rec);
	lc_strmap_free(&pidmap);
	lc_strmap_free(&textmap);
	if (tok)
		lc_tok_free(tok);
	free(text_pid);
	json_decref(pairs_json);
	json_decref(wheres);
	lc_cctx_free(pcx);
	lc_buf_free(&pb);
	lc_buf_free(&idb);
	lc_buf_free(&mb);
	lc_cmodel_free(&m);
	return 0;
}
