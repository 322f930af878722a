/*
 * lctrain — trains the embedded extractive compressor (lib/color/compress) on
 * preference pairs with CoLoR's length-weighted ORPO objective (Seo et al.,
 * ACL 2025; the loop is lib/color/train, the threshold calibration
 * lib/color/calibrate).
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
 * projected onto the passage's words.  Per-epoch loss and validation
 * preference accuracy on stderr (and with --report FILE as JSON).
 * Single-threaded and deterministic: same inputs + seed -> same file.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "calibrate.h"
#include "cli.h"
#include "options.h"
#include "compress.h"
#include "corpus.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "report.h"
#include "strmap.h"
#include "tok.h"
#include "train.h"

/* The program's settings: its options, bound to the table below. */
static struct settings {
	lc_train_opts t;
	double thr, target, length_bias;
	const char *out, *init, *encoding, *tokfile;
	int quiet, trl;
	long max_len, max_prompt;
	const char **corpora;
	size_t ncorpora;
	lc_report rep;
} S = { .thr = 0.5, .length_bias = 0.5, .max_len = 512, .max_prompt = 128 };

static const lc_opt opts[] = {
	LC_OPT_CORPUS(),
	{ 0, "beta", "B", "weight of the odds-ratio term (default 2.5)", NULL, LC_BIND_DOUBLE(S.t.beta, 0, 1e6) },
	{ 0, "c", "C", "length weight slope: w = max(C*(l_r - l_c), 1) (default 0.1)", NULL, LC_BIND_DOUBLE(S.t.c, 0, 1e6) },
	{ 0, "lr", "RATE", "Adam learning rate (default 0.05)", NULL, LC_BIND_DOUBLE(S.t.lr, 1e-9, 100) },
	LC_OPT_EPOCHS(0, LC_BIND_LONG(S.t.epochs, 0, 100000)),
	{ 0, "batch-size", "N", "pairs per update (default 16)", NULL, LC_BIND_LONG(S.t.batch, 1, 1000000) },
	{ 0, "l2", "LAMBDA", "L2 penalty on the weights (default 1e-4)", NULL, LC_BIND_DOUBLE(S.t.l2, 0, 100) },
	LC_OPT_SEED(S.t.seed),
	{ 0, "val", "FRACTION", "share of passages held out for validation (default 0.1)", NULL, LC_BIND_DOUBLE(S.t.val, 0, 0.9) },
	LC_OPT_THRESHOLD(0, LC_BIND_DOUBLE(S.thr, 0, 1)),
	LC_OPT_LENGTH_BIAS(0, LC_BIND_DOUBLE(S.length_bias, -100, 100)),
	{ 0, "target-ratio", "R", "set the threshold so that the corpora (-c) keep 1/R of their words", NULL,
	  LC_BIND_DOUBLE(S.target, 1, 1000) },
	{ 0, "average", "N", "train N times (seeds SEED..SEED+N-1) and average the weights (default 1)", NULL,
	  LC_BIND_LONG(S.t.average, 1, 1000) },
	LC_OPT_ENCODING(LC_BIND_STR(S.encoding)),
	LC_OPT_TOKENIZER(0, LC_BIND_STR(S.tokfile)),
	{ 0, "truncate-like-trl", NULL, "lengths as TRL <= 0.11's ORPOTrainer truncates them (see lctrain(1))", NULL,
	  LC_BIND_SET(S.trl, 1) },
	{ 0, "max-length", "N", "--truncate-like-trl: TRL's max_length (default 512)", NULL, LC_BIND_LONG(S.max_len, 2, 100000000) },
	{ 0, "max-prompt-length", "N", "--truncate-like-trl: TRL's max_prompt_length (default 128)", NULL,
	  LC_BIND_LONG(S.max_prompt, 1, 100000000) },
	{ 0, "init", "MODEL", "start from MODEL instead of the untrained model", LC_COMPLETE_FILE, LC_BIND_STR(S.init) },
	LC_OPT_QUIET(0, LC_BIND_SET(S.quiet, 1)),
	LC_OPT_OUTPUT(LC_BIND_STR(S.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const renamed[] = { "--batch", "--batch-size", NULL };
static const lc_cmd cmd = { "lctrain", "[options] [-c CORPUS]... PAIRS...",
	"train the extractive compressor with length-weighted ORPO", opts, NULL, renamed };

typedef struct {
	lc_cctx *cx;
	uint32_t *ids;       /* its passages' pid ids, in file order (first of each pid) */
	size_t n, cap;
} corpus;

/* The passages pairs can point at: the corpora's records by pid (each corpus
 * its own statistics), or without -c the prompts' passages (pcx). */
typedef struct {
	corpus *cs;
	size_t n;
	lc_strmap pidmap;
	lc_strmap textmap;     /* passage text -> its first pid (joins pairs without a pid) */
	uint32_t *text_pid;
	size_t *pid_corpus;
	const char **pid_title, **pid_text;   /* by pid id, in arena (title NULL when absent) */
	lc_arena arena;
	lc_cctx *pcx;
} passages;

/* Pairs skipped, by reason, and joined by their prompt's text. */
typedef struct {
	size_t read, same, nopid, empty, joined, unjoined;
} counts;

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

/* One -c passage: counted in its corpus's statistics; the first with its pid is
 * the one pairs point at. */
static int add_passage(const lc_passage *p, size_t record, const char *where, void *arg, lc_err *e)
{
	passages *ps = arg;
	size_t ci = ps->n - 1;
	corpus *c = &ps->cs[ci];
	lc_cctx_add(c->cx, p->title, p->text);
	int is_new;
	uint32_t id = lc_strmap_intern(&ps->pidmap, p->pid, strlen(p->pid), &is_new);
	if (!is_new)
		return 0;
	ps->pid_corpus = lc_xrealloc(ps->pid_corpus, (id + 1) * sizeof *ps->pid_corpus);
	ps->pid_title = lc_xrealloc(ps->pid_title, (id + 1) * sizeof *ps->pid_title);
	ps->pid_text = lc_xrealloc(ps->pid_text, (id + 1) * sizeof *ps->pid_text);
	ps->pid_corpus[id] = ci;
	ps->pid_title[id] = p->title ? lc_arena_strndup(&ps->arena, p->title, strlen(p->title)) : NULL;
	ps->pid_text[id] = lc_arena_strndup(&ps->arena, p->text, strlen(p->text));
	if (c->n == c->cap)
		c->ids = lc_xrealloc(c->ids, (c->cap = c->cap ? 2 * c->cap : 256) * sizeof *c->ids);
	c->ids[c->n++] = id;
	uint32_t tid = lc_strmap_intern(&ps->textmap, p->text, strlen(p->text), &is_new);
	if (is_new) {
		ps->text_pid = lc_xrealloc(ps->text_pid, (tid + 1) * sizeof *ps->text_pid);
		ps->text_pid[tid] = id;
	}
	return 0;
}

/* Every -c corpus (LOFT or BEIR records; a dataset's zip or tar gives its
 * corpus.jsonl, lib/retrieve/corpus): its statistics, and its passages by pid.
 * A pid seen before keeps its first passage. */
static void load_corpora(passages *ps)
{
	ps->cs = lc_xcalloc(S.ncorpora + 1, sizeof *ps->cs);
	lc_corpus_opts co = { .member_option = NULL };
	for (size_t ci = 0; ci < S.ncorpora; ci++) {
		ps->cs[ps->n++].cx = lc_cctx_new();
		lc_err e = {0};
		if (lc_corpus_read(S.corpora[ci], &co, add_passage, ps, NULL, NULL, &e) < 0)
			lc_die_err(&e);
	}
}

/* Without -c: statistics over the distinct passages in the prompts. */
static void prompt_statistics(passages *ps, json_t *pairs, lc_buf *pb)
{
	ps->pcx = lc_cctx_new();
	lc_strmap seen = {0};
	for (size_t i = 0; i < json_array_size(pairs); i++) {
		const char *pr = prompt_text(json_object_get(json_array_get(pairs, i), "prompt"));
		if (pr && !passage_from_prompt(pr, pb)) {
			int is_new;
			lc_strmap_intern(&seen, pb->p, pb->len, &is_new);
			if (is_new)
				lc_cctx_add(ps->pcx, NULL, pb->p);
		}
	}
	lc_strmap_free(&seen);
}

/* Every pair of every file, in order, and where each was read. */
static void read_pairs(int nfiles, char **files, json_t *pairs, json_t *wheres)
{
	for (int fi = 0; fi < nfiles; fi++) {
		lc_input *in = lc_input_open_or_die(files[fi], NULL);
		lc_err e = {0};
		json_t *o;
		int r;
		while ((r = lc_json_next_object(in, &o, &e)) == 1) {
			json_array_append_new(pairs, o);
			json_array_append_new(wheres, lc_json_text(lc_input_where(in)));
		}
		if (r < 0)
			lc_die_err(&e);
		lc_input_close(in);
	}
}

/* The passage of pair o: its title and text, its statistics and the key of
 * the validation split (pid, or the text).  0, or 1 to skip it (counted). */
static int pair_passage(passages *ps, json_t *o, const char *w, lc_buf *pb, lc_buf *idb, counts *k,
                        const char **title, const char **text, const char **key, lc_cctx **cx)
{
	const char *pid = NULL;
	json_t *pj = json_object_get(o, "pid");
	lc_err e = {0};
	if (pj)
		pid = lc_json_id(pj, idb, "pid", w, &e);
	*title = NULL;
	if (!ps->n) {
		const char *pr = prompt_text(json_object_get(o, "prompt"));
		if (!pr || passage_from_prompt(pr, pb) < 0)
			lc_die(LC_EXIT_INPUT, "%s: no passage: the prompt has no \"Content:\\n\" part; give the corpus with -c", w);
		*text = pb->p;
		*cx = ps->pcx;
		*key = pid ? pid : *text;
		return 0;
	}
	long id = -1;
	if (pid) {
		if ((id = lc_strmap_find(&ps->pidmap, pid, strlen(pid))) < 0) {
			k->nopid++;
			return 1;
		}
	} else {
		/* no pid (CoLoR's released pairs): the corpus passage whose text is the one in the prompt */
		const char *pr = prompt_text(json_object_get(o, "prompt"));
		long tid = pr && !passage_from_prompt(pr, pb) ? lc_strmap_find(&ps->textmap, pb->p, pb->len) : -1;
		if (tid < 0) {
			k->unjoined++;
			return 1;
		}
		id = ps->text_pid[tid];
		pid = lc_strmap_str(&ps->pidmap, (uint32_t)id);
		k->joined++;
	}
	*cx = ps->cs[ps->pid_corpus[id]].cx;
	*text = ps->pid_text[id];
	*title = ps->pid_title[id];
	*key = pid;
	return 0;
}

/* The pair's count in field name: 1 with *v set, 0 when absent; a value that
 * is not a whole number >= 0 (a string, 2.5, -5, 1e300) is bad input at w. */
static int token_field(json_t *o, const char *name, const char *w, double *v)
{
	json_t *j = json_object_get(o, name);
	if (!j)
		return 0;
	double x = json_is_number(j) ? json_number_value(j) : -1;
	if (!(x >= 0 && x <= 1e15 && x == floor(x)))
		lc_die(LC_EXIT_INPUT, "%s: field '%s': expected a token count (a whole number from 0), got %s; "
		       "drop the field to count words, or give -e NAME to count tokens", w, name,
		       json_is_number(j) ? "a number out of range" : lc_json_type_name(j));
	*v = x;
	return 1;
}

/* The lengths of the length weight: a tokenizer's counts, the pair's or its
 * words, cut as TRL cuts them with --truncate-like-trl. */
static void pair_lengths(lc_train_pair *q, json_t *o, const char *w, const char *ch, const char *rj,
                         const lc_tok *tok, size_t bos)
{
	if (tok) {
		q->lc = (double)lc_tok_count(tok, ch, strlen(ch)) + S.trl;   /* TRL appends an EOS */
		q->lr = (double)lc_tok_count(tok, rj, strlen(rj)) + S.trl;
	} else {
		int hc = token_field(o, "chosen_tokens", w, &q->lc), hr = token_field(o, "rejected_tokens", w, &q->lr);
		if (S.trl && (!hc || !hr))
			lc_die(LC_EXIT_INPUT, "%s: --truncate-like-trl needs token counts: give -e NAME or --tokenizer FILE, "
			       "or pairs with \"prompt_tokens\", \"chosen_tokens\" and \"rejected_tokens\"", w);
		if (!hc)
			q->lc = (double)count_words(ch);
		if (!hr)
			q->lr = (double)count_words(rj);
	}
	if (!S.trl)
		return;
	double pl;
	const char *pr = prompt_text(json_object_get(o, "prompt"));
	if (tok && pr)
		pl = (double)(lc_tok_count(tok, pr, strlen(pr)) + bos);
	else if (!token_field(o, "prompt_tokens", w, &pl))
		lc_die(LC_EXIT_INPUT, "%s: --truncate-like-trl needs the prompt's length: a \"prompt\" (with -e or "
		       "--tokenizer) or \"prompt_tokens\"", w);
	trl_truncate(pl, &q->lc, &q->lr, S.max_len, S.max_prompt);
}

/* The training pairs of the files: passage words, candidate masks, lengths
 * and split.  Warns about the pairs skipped; *n = the pairs kept. */
static lc_train_pair *build_pairs(passages *ps, int nfiles, char **files, const lc_tok *tok, size_t *n, counts *kout)
{
	json_t *pairs = json_array(), *wheres = json_array();
	lc_buf pb = {0}, idb = {0};
	read_pairs(nfiles, files, pairs, wheres);
	if (!ps->n)
		prompt_statistics(ps, pairs, &pb);
	size_t np = json_array_size(pairs), bos = tok ? tok_bos(tok) : 0;
	lc_train_pair *P = lc_xcalloc(np ? np : 1, sizeof *P);
	counts k = { .read = np };
	*n = 0;
	for (size_t i = 0; i < np; i++) {
		json_t *o = json_array_get(pairs, i);
		const char *w = json_string_value(json_array_get(wheres, i));
		const char *ch = answer_text(json_object_get(o, "chosen"));
		const char *rj = answer_text(json_object_get(o, "rejected"));
		if (!ch || !rj)
			lc_die(LC_EXIT_INPUT, "%s: 'chosen' and 'rejected' must be strings or lists of {\"role\",\"content\"} messages", w);
		if (!strcmp(ch, rj)) {
			k.same++;
			continue;
		}
		const char *title, *text, *key;
		lc_cctx *cx;
		if (pair_passage(ps, o, w, &pb, &idb, &k, &title, &text, &key, &cx))
			continue;
		lc_train_pair *q = &P[*n];
		lc_cunits_build(&q->u, cx, title, text);
		if (q->u.n == 0) {
			lc_cunits_free(&q->u);
			k.empty++;
			continue;
		}
		q->mc = lc_xmalloc(q->u.n);
		q->mr = lc_xmalloc(q->u.n);
		lc_cunits_project(&q->u, cx, text, ch, q->mc);
		lc_cunits_project(&q->u, cx, text, rj, q->mr);
		pair_lengths(q, o, w, ch, rj, tok, bos);
		q->val = lc_train_is_val(key, S.t.seed, S.t.val);
		(*n)++;
	}
	if (k.same)
		lc_warn("warning: %zu pair%s with chosen == rejected skipped", k.same, k.same == 1 ? "" : "s");
	if (k.joined && !S.quiet)
		lc_warn("%zu pair%s without a pid joined to the corpora by the passage text in the prompt", k.joined,
		        k.joined == 1 ? "" : "s");
	if (k.unjoined)
		lc_warn("warning: %zu pair%s without a pid skipped: the passage in the prompt is in none of the corpora "
		        "(give the corpus the pairs were made from, add a \"pid\" field as lcgen pairs writes, "
		        "or drop -c to take the passage from the prompt)", k.unjoined, k.unjoined == 1 ? "" : "s");
	if (k.nopid)
		lc_warn("warning: %zu pair%s whose pid is not in the corpora skipped", k.nopid, k.nopid == 1 ? "" : "s");
	if (k.empty)
		lc_warn("warning: %zu pair%s with an empty passage skipped", k.empty, k.empty == 1 ? "" : "s");
	size_t ntrain = 0;
	for (size_t i = 0; i < *n; i++)
		ntrain += !P[i].val;
	if (!ntrain)
		lc_die(LC_EXIT_INPUT, "no usable training pairs (%zu read)", np);
	*kout = k;
	json_decref(pairs);
	json_decref(wheres);
	lc_buf_free(&pb);
	lc_buf_free(&idb);
	return P;
}

/* After every epoch: a progress line, and a row of the report's history. */
static void on_epoch(const lc_train_epoch *ev, void *arg)
{
	json_t *hist = arg;
	if (hist)
		json_array_append_new(hist, json_pack("{s:I, s:I, s:f, s:f, s:o, s:o}", "run", (json_int_t)ev->run,
		                      "epoch", (json_int_t)ev->epoch, "loss", ev->loss, "train_acc", ev->train_acc,
		                      "val_loss", ev->nval ? json_real(ev->val_loss) : json_null(),
		                      "val_acc", ev->nval ? json_real(ev->val_acc) : json_null()));
	if (S.quiet)
		return;
	char runs[32] = "";
	if (S.t.average > 1)
		snprintf(runs, sizeof runs, "run %ld ", ev->run);
	if (ev->nval)
		lc_warn("%sepoch %ld: loss %.4f train_acc %.4f val_loss %.4f val_acc %.4f",
		        runs, ev->epoch, ev->loss, ev->train_acc, ev->val_loss, ev->val_acc);
	else
		lc_warn("%sepoch %ld: loss %.4f train_acc %.4f (no validation pairs)", runs, ev->epoch, ev->loss, ev->train_acc);
}

/* --target-ratio: the threshold that keeps 1/R of the corpora's words. */
static void calibrate(lc_cmodel *m, passages *ps)
{
	lc_calib c = {0};
	lc_cunits u = {0};
	for (size_t ci = 0; ci < ps->n; ci++)
		for (size_t i = 0; i < ps->cs[ci].n; i++) {
			uint32_t id = ps->cs[ci].ids[i];
			lc_cunits_build(&u, ps->cs[ci].cx, ps->pid_title[id], ps->pid_text[id]);
			lc_calib_add(&c, m, &u);
		}
	lc_cunits_free(&u);
	m->threshold = lc_calib_threshold(&c, m, S.target);
	lc_calib_free(&c);
	lc_warn("threshold %.6f keeps about 1/%g of the corpora's words", m->threshold, S.target);
}

/* The model file's meta lines: settings, figures and the data's file names. */
static char *model_meta(const lc_train_result *res, const lc_tok *tok, int nfiles, char **files)
{
	const lc_train_opts *t = &S.t;
	lc_buf meta = {0};
	lc_buf_printf(&meta, "trainer lctrain %s\nobjective orpo beta=%g c=%g\nlr %g\nepochs %ld\nbatch %ld\nl2 %g\nseed %ld\naverage %ld\n"
	              "pairs train=%zu val=%zu\ntrain_accuracy %.4f\nval_accuracy %.4f\n",
	              LCTK_VERSION, t->beta, t->c, t->lr, t->epochs, t->batch, t->l2, t->seed, t->average,
	              res->ntrain, res->nval, res->train_acc, res->val_acc);
	if (tok || S.trl)   /* only then: the default model's file stays as it was */
		lc_buf_printf(&meta, "lengths %s%s\n", tok ? lc_tok_name(tok) : "pair-fields", S.trl ? " truncate-like-trl" : "");
	if (S.trl)
		lc_buf_printf(&meta, "trl max_length=%ld max_prompt_length=%ld\n", S.max_len, S.max_prompt);
	for (int fi = 0; fi < nfiles; fi++) {
		/* the file and its folder (datasets are often told apart by folder
		 * only), never the machine-specific rest of the path */
		const char *b = files[fi], *p = files[fi] + strlen(files[fi]);
		for (int slashes = 0; p > files[fi]; p--)
			if (p[-1] == '/' && ++slashes == 2) {
				b = p;
				break;
			}
		lc_buf_printf(&meta, "data %s\n", b);
	}
	return lc_buf_detach(&meta);
}

static void write_model(const lc_cmodel *m)
{
	lc_buf mb = {0};
	lc_cmodel_format(m, &mb);
	lc_output *o = lc_output_open(S.out);
	lc_output_write(o, mb.p, mb.len);
	lc_output_commit(o);
	lc_buf_free(&mb);
}

static void write_report(lc_report *rep, json_t *hist, const lc_train_result *res, const lc_cmodel *m,
                         const counts *k)
{
	lc_report_real(rep, "options.beta", S.t.beta);
	lc_report_real(rep, "options.lr", S.t.lr);
	lc_report_int(rep, "options.batch", S.t.batch);
	lc_report_int(rep, "options.seed", S.t.seed);
	lc_report_int(rep, "options.average", S.t.average);
	lc_report_real(rep, "options.c", S.t.c);
	lc_report_real(rep, "options.l2", S.t.l2);
	lc_report_real(rep, "options.val", S.t.val);
	lc_report_str(rep, "options.lengths", S.encoding ? S.encoding : S.tokfile ? S.tokfile : "pair-fields");
	lc_report_bool(rep, "options.truncate_like_trl", S.trl);
	if (S.trl) {
		lc_report_int(rep, "options.max_length", S.max_len);
		lc_report_int(rep, "options.max_prompt_length", S.max_prompt);
	}
	if (S.target > 0)
		lc_report_real(rep, "options.target_ratio", S.target);
	/* what stderr says of the pairs read: skipped by reason, joined by the prompt's text */
	lc_report_int(rep, "pairs_read", (long long)k->read);
	lc_report_int(rep, "skipped_same", (long long)k->same);
	lc_report_int(rep, "skipped_not_in_corpora", (long long)k->nopid);
	lc_report_int(rep, "skipped_unjoined", (long long)k->unjoined);
	lc_report_int(rep, "skipped_empty", (long long)k->empty);
	lc_report_int(rep, "joined_by_text", (long long)k->joined);
	lc_report_int(rep, "pairs_train", (long long)res->ntrain);
	lc_report_int(rep, "pairs_val", (long long)res->nval);
	lc_report_int(rep, "epochs", S.t.epochs);
	lc_report_real(rep, "loss", res->loss);
	lc_report_real(rep, "val_loss", res->val_loss);
	lc_report_real(rep, "train_acc", res->train_acc);
	if (res->nval)
		lc_report_real(rep, "val_acc", res->val_acc);
	else
		lc_report_set(rep, "val_acc", json_null());
	lc_report_real(rep, "threshold", m->threshold);
	lc_report_real(rep, "length_bias", m->length_bias);
	/* the per-epoch history goes last */
	json_incref(hist);
	json_object_del(rep->o, "history");
	lc_report_set(rep, "history", hist);
	lc_report_write(rep);
}

static void passages_free(passages *ps)
{
	for (size_t ci = 0; ci < ps->n; ci++) {
		lc_cctx_free(ps->cs[ci].cx);
		free(ps->cs[ci].ids);
	}
	free(ps->cs);
	free(ps->pid_corpus);
	free(ps->pid_title);
	free(ps->pid_text);
	lc_arena_free(&ps->arena);
	free(ps->text_pid);
	lc_strmap_free(&ps->pidmap);
	lc_strmap_free(&ps->textmap);
	lc_cctx_free(ps->pcx);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	lc_train_defaults(&S.t);
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == 'c') {
			S.corpora = lc_xrealloc(S.corpora, (S.ncorpora + 1) * sizeof *S.corpora);
			S.corpora[S.ncorpora++] = optarg;
		} else if (c == LC_OPT_REPORT_ID) {
			lc_report_arg(&S.rep, &cmd, optarg);
		}
	if (S.encoding && S.tokfile)
		lc_cli_usage_error(&cmd, "give one of -e NAME and --tokenizer FILE");
	if (S.max_prompt >= S.max_len)
		lc_cli_usage_error(&cmd, "--max-prompt-length must be below --max-length (TRL keeps max-length - max-prompt-length response tokens)");
	lc_tok *tok = NULL;
	lc_err e = {0};
	if ((S.encoding || S.tokfile) && !(tok = S.encoding ? lc_tok_load(S.encoding, &e) : lc_tok_load_hf(S.tokfile, &e)))
		lc_die_err(&e);
	if (st.ind >= argc)
		lc_cli_usage_error(&cmd, "no pairs file given");
	if (S.target > 0 && !S.ncorpora)
		lc_die(LC_EXIT_USAGE, "--target-ratio needs the corpora (-c) to calibrate on");
	int nfiles = argc - st.ind;
	char **files = argv + st.ind;
	lc_report_start(&S.rep, &cmd, !S.out || !strcmp(S.out, "-"), nfiles, files);
	json_t *hist = lc_report_array(&S.rep, "history");

	passages ps = {0};
	lc_buf idb = {0};
	load_corpora(&ps);
	size_t n;
	counts k;
	lc_train_pair *P = build_pairs(&ps, nfiles, files, tok, &n, &k);
	lc_cmodel m;
	lc_cmodel_init(&m);
	if (S.init) {
		if (lc_cmodel_load(&m, S.init, &e) < 0)
			lc_die_err(&e);
		free(m.meta);
		m.meta = NULL;
	}
	m.threshold = S.thr;
	m.length_bias = S.length_bias;
	lc_train_result res;
	if (lc_train(&m, P, n, &S.t, on_epoch, hist, &res, &e) < 0)
		lc_die_err(&e);
	if (S.t.average > 1 && !S.quiet)
		lc_warn("average of %ld runs: train_acc %.4f val_acc %.4f", S.t.average, res.train_acc, res.val_acc);
	if (S.target > 0)
		calibrate(&m, &ps);
	m.meta = model_meta(&res, tok, nfiles, files);
	write_model(&m);
	if (lc_report_on(&S.rep))
		write_report(&S.rep, hist, &res, &m, &k);
	for (size_t i = 0; i < n; i++)
		lc_train_pair_free(&P[i]);
	free(P);
	passages_free(&ps);
	free(S.corpora);
	if (tok)
		lc_tok_free(tok);
	lc_buf_free(&idb);
	lc_cmodel_free(&m);
	return 0;
}
