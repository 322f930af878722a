/*
 * lcschedule — training schedules for variable sequence length training over an
 * lcdecompose dataset: per step the bucket and batch size at constant tokens per
 * step under a curriculum over cycles, or the OpenLM arguments the Dataset
 * Decomposition reference's helper prints.  The work is in lib/dd/schedule.c
 * (curricula, OpenLM arguments) and lib/dd/steps.c (the per-step draw); main reads
 * the options, the buckets and their odds, then runs one of the two and reports.
 */
#include "cli.h"
#include "options.h"
#include "err.h"
#include "json.h"
#include "output.h"
#include "report.h"
#include "schedule.h"
#include "steps.h"
#include "wds.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The settings: the options, each bound to its variable in the table
 * (lib/cli/cli.h; only --report reaches the switch), and the dataset operand. */
static struct settings {
	const char *curriculum, *odds, *out;
	long cycles, batch, gpus, workers, epochs, seed, tokens;
	int jsonl, openlm;
	const char *dir;
	lc_report rep;
} S = { .curriculum = "grow-p2", .cycles = 1, .batch = 64 };   /* gpus, workers 0: not given (1) */

/* --format table|jsonl */
static void format_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "jsonl")) *(int *)o->var = 1;
	else if (!strcmp(arg, "table")) *(int *)o->var = 0;
	else lc_cli_usage_error(c, "--format: '%s' is not table or jsonl", arg);
}

static const lc_opt opts[] = {
	{ 0, "curriculum", "NAME", "uniform, grow-p2 (default), grow-linear or shrink",
	  "uniform grow-p2 grow-linear shrink", LC_BIND_STR(S.curriculum) },
	{ 0, "odds", "LIST", "custom odds per bucket, shortest first (e.g. 32,16,8,4,2,1)", NULL, LC_BIND_STR(S.odds) },
	{ 0, "cycles", "C", "split the data into C cycles, each run with the curriculum (default 1)", NULL,
	  LC_BIND_LONG(S.cycles, 1, 1L << 20) },
	{ 0, "global-batch-size", "B", "sequences per step in the longest bucket (default 64)", NULL,
	  LC_BIND_LONG(S.batch, 1, 1L << 30) },
	LC_OPT_SEED(S.seed),
	LC_OPT_FORMAT(0, "table jsonl", LC_BIND_CALL(format_cb, S.jsonl)),
	{ 0, "openlm", NULL, "print the OpenLM arguments instead of the per-step schedule", NULL, LC_BIND_SET(S.openlm, 1) },
	{ 0, "total-tokens", "N", "--openlm: total tokens to train on", NULL, LC_BIND_LONG(S.tokens, 1, LONG_MAX) },
	LC_OPT_EPOCHS(0, LC_BIND_LONG(S.epochs, 1, 1L << 20)),
	LC_OPT_GPUS(0, LC_BIND_LONG(S.gpus, 1, 1L << 20)),
	LC_OPT_WORKERS(0, LC_BIND_LONG(S.workers, 1, 1L << 10)),
	LC_OPT_OUTPUT(LC_BIND_STR(S.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const renamed[] = { "--tokens", "--total-tokens", NULL };
static const lc_cmd cmd = {
	"lcschedule", "[options] DIR",
	"variable sequence length training schedule over lcdecompose buckets", opts, NULL, renamed
};

/* The dataset's D_k buckets, shortest first, and the odds the curriculum gives
 * each; both owned here (buckets_free). */
typedef struct buckets {
	lc_wds_binfo *b;
	int n, kmax;
	double *odds;
} buckets;

static void put_list_i64(lc_output *o, const int64_t *v, int n, const char *sep)
{
	for (int i = 0; i < n; i++)
		lc_output_printf(o, "%s%" PRId64, i ? sep : "", v[i]);
}

static void commas(char *out, size_t cap, int64_t v)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%" PRId64, v);
	size_t k = 0;
	for (int i = 0; i < n && k + 1 < cap; i++) {
		if (i && t[i - 1] != '-' && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = t[i];
	}
	out[k] = 0;
}

/* What the patched OpenLM loader (apple/ml-dataset-decomposition open_lm.patch) will
 * do with these arguments, on standard error: how many times each bucket's data
 * repeats, buckets given no sequences, buckets with fewer full shards than
 * GPUs x workers, and buckets read more often than the loader's five passes over a
 * manifest (the manifest and four appended copies). */
static void openlm_checks(const lc_wds_binfo *b, int n, const lc_openlm_in *in, const lc_openlm_out *r,
                          double *repeats)
{
	uint64_t workers = (uint64_t)in->gpus * (uint64_t)in->workers;
	lc_buf msg = { 0 };
	lc_buf_printf(&msg, "data repeats over %ld epochs (sequences trained on / sequences in full shards):",
	              r->epochs);
	for (int i = 0; i < n; i++) {
		uint64_t avail = in->seqs[i];
		double used = (double)r->num_seq_per_epoch[i] * (double)r->epochs;
		repeats[i] = avail && used > 0 ? used / (double)avail : 0;
		lc_buf_printf(&msg, " %s %.2fx", b[i].name, repeats[i]);
	}
	lc_warn("%s", msg.p);
	lc_buf_free(&msg);
	for (int i = 0; i < n; i++) {
		uint64_t full = b[i].full_shards;
		if (!full)
			lc_warn("%s: no full shard (%" PRIu64 " sequences in %" PRIu64 " shards); OpenLM cannot "
			        "train on it: leave it out (lcdecompose --kmin/--kmax) or add data", b[i].name,
			        b[i].seqs, b[i].shards);
		else if (r->num_seq_per_epoch[i] <= 0)
			lc_warn("%s: %" PRId64 " sequences per epoch: rounding its share (%" PRIu64 " sequences in "
			        "full shards) to whole rounds of one shard per worker (%" PRIu64 " sequences x %ld GPUs "
			        "x %ld workers) leaves it nothing, so OpenLM will not train on it; use more --total-tokens, "
			        "fewer --epochs, GPUs or workers, or leave the bucket out", b[i].name,
			        r->num_seq_per_epoch[i], in->seqs[i], in->seq_per_shard[i], in->gpus, in->workers);
		if (full && full < workers)
			lc_warn("%s: %" PRIu64 " full shards, fewer than GPUs x workers = %ld x %ld = %" PRIu64
			        "; OpenLM needs one shard per worker and will read the same shards repeatedly",
			        b[i].name, full, in->gpus, in->workers, workers);
		/* per epoch the loader takes whole rounds of one shard per worker, at least one */
		uint64_t f = in->seq_per_shard[i] && r->num_seq_per_epoch[i] > 0 ?
		             (uint64_t)r->num_seq_per_epoch[i] / (in->seq_per_shard[i] * workers) : 0;
		uint64_t reads = (uint64_t)r->epochs * (f ? f : 1) * workers;
		if (full && reads > 5 * full)
			lc_warn("%s: OpenLM would read %" PRIu64 " shards over %ld epochs but the bucket has %"
			        PRIu64 " full shards; the DD loader serves at most 5 passes over a manifest "
			        "(%" PRIu64 " shards) and fails beyond; use fewer --total-tokens or more data",
			        b[i].name, reads, r->epochs, full, 5 * full);
	}
}

/* Parses the options, checks the operands and starts --report. */
static void parse_args(int argc, char **argv)
{
	lc_cli st = { 0 };
	int c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&S.rep, &cmd, optarg);
	if (st.ind != argc - 1)
		lc_cli_usage_error(&cmd, "give exactly one dataset directory (made by lcdecompose)");
	if (S.openlm && !S.tokens)
		lc_cli_usage_error(&cmd, "--openlm needs --total-tokens N (the training budget)");
	if (!S.openlm && (S.tokens || S.epochs || S.gpus || S.workers))
		lc_cli_usage_error(&cmd, "--total-tokens, --epochs, --gpus and --workers are --openlm's: give --openlm, "
		                   "or drop them (the per-step schedule does not use them)");
	if (!S.gpus)
		S.gpus = 1;
	if (!S.workers)
		S.workers = 1;
	S.dir = argv[st.ind];
	lc_report_start(&S.rep, &cmd, !S.out || !strcmp(S.out, "-"), 1, argv + st.ind);
}

/* Reads the dataset's manifests and keeps the D_k buckets, shortest first;
 * exits 1 when there are none. */
static void read_buckets(buckets *d)
{
	lc_err e;
	lc_wds_binfo *all;
	size_t nall;
	if (lc_wds_buckets(S.dir, &all, &nall, &e) < 0)
		lc_die_err(&e);
	d->b = lc_xcalloc(nall ? nall : 1, sizeof *d->b);
	d->n = 0;
	for (size_t i = 0; i < nall; i++)
		if (all[i].kind == 'D')
			d->b[d->n++] = all[i];
	free(all);
	if (!d->n)
		lc_die(LC_EXIT_INPUT, "%s: no D_k bucket directories; is this an lcdecompose --method dd output?", S.dir);
	d->kmax = (int)d->b[d->n - 1].num;
	/* tokens per step, B x 2^kmax, and every bucket's batch must fit in 63 bits */
	if (d->kmax >= 63 || (uint64_t)S.batch > (uint64_t)INT64_MAX >> d->kmax)
		lc_die(LC_EXIT_INPUT, "%s: --global-batch-size %ld sequences of %s's length 2^%d make more than 2^63-1 "
		       "tokens per step; use a smaller batch size or leave the longest buckets out", S.dir, S.batch,
		       d->b[d->n - 1].name, d->kmax);
}

/* The odds per bucket: --odds, one per bucket, or the named --curriculum;
 * at least one must be positive (exit 2 otherwise). */
static void set_odds(buckets *d)
{
	int n = d->n;
	d->odds = lc_xcalloc((size_t)n, sizeof *d->odds);
	if (S.odds) {
		char *s = lc_xstrdup(S.odds), *save = NULL;
		int k = 0;
		for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (k == n)
				lc_cli_usage_error(&cmd, "--odds: %s has %d buckets but more odds were given", S.dir, n);
			d->odds[k++] = lc_cli_double("--odds", t, 0, 1e15);
		}
		if (k != n)
			lc_cli_usage_error(&cmd, "--odds: %s has %d buckets (D_%ld..D_%d) but %d odds were given",
			                   S.dir, n, d->b[0].num, d->kmax, k);
		free(s);
	} else if (lc_sched_curriculum(S.curriculum, n, d->odds) < 0) {
		lc_cli_usage_error(&cmd, "--curriculum: '%s' is not uniform, grow-p2, grow-linear or shrink", S.curriculum);
	}
	double total_odds = 0;
	for (int i = 0; i < n; i++)
		total_odds += d->odds[i];
	if (total_odds <= 0)
		lc_cli_usage_error(&cmd, "--odds: at least one bucket needs positive odds");
}

/* --report: the options and the buckets they apply to. */
static void report_options(const buckets *d)
{
	if (!lc_report_on(&S.rep))
		return;
	lc_report_str(&S.rep, "options.curriculum", S.odds ? NULL : S.curriculum);
	json_t *oj = json_array();
	for (int i = 0; i < d->n; i++)
		json_array_append_new(oj, json_real(d->odds[i]));
	lc_report_set(&S.rep, "options.odds", oj);
	lc_report_int(&S.rep, "options.cycles", S.cycles);
	lc_report_int(&S.rep, "options.global_batch_size", S.batch);
	lc_report_int(&S.rep, "options.seed", (long long)(uint64_t)S.seed);
	json_t *bj = json_array();
	for (int i = 0; i < d->n; i++)
		json_array_append_new(bj, lc_json_text(d->b[i].name));
	lc_report_set(&S.rep, "buckets", bj);
}

/* --openlm --format jsonl: the arguments as one JSON object. */
static void print_openlm_jsonl(lc_output *o, const buckets *d, const lc_openlm_out *r, const int64_t *bm,
                               const double *repeats)
{
	int n = d->n;
	lc_output_printf(o, "{\"epochs\": %ld, \"train_num_samples\": %" PRId64 ", \"dataset_batch_mult\": [",
	                 r->epochs, r->train_num_samples);
	put_list_i64(o, bm, n, ", ");
	lc_output_puts(o, "], \"source_num_seq_per_epoch\": [");
	put_list_i64(o, r->num_seq_per_epoch, n, ", ");
	lc_output_puts(o, "], \"train_data_mix_weights\": [");
	put_list_i64(o, r->mix_weights, n, ", ");
	lc_output_puts(o, "], \"data_repeats\": [");
	for (int i = 0; i < n; i++)
		lc_output_printf(o, "%s%.4g", i ? ", " : "", repeats[i]);
	lc_output_printf(o, "], \"tokens_requested\": %" PRIu64 ", \"tokens_total\": %" PRId64 ", \"matched\": %s}\n",
	                 (uint64_t)S.tokens, r->tokens_real, r->matched ? "true" : "false");
}

/* --openlm: the arguments as the reference's helper prints them. */
static void print_openlm_table(lc_output *o, const buckets *d, const lc_openlm_out *r, const int64_t *bm)
{
	int n = d->n;
	if (!r->matched) {
		char a[40], t[40];
		commas(a, sizeof a, (int64_t)(uint64_t)S.tokens);
		commas(t, sizeof t, r->tokens_real);
		lc_output_printf(o, "Cannot match requested number of tokens of %s. Go with %s instead.\n", a, t);
	}
	lc_output_printf(o, "**** Use the following arguments:\n--epochs %ld\n--train-num-samples %" PRId64
	                 "\n--dataset-batch-mult ", r->epochs, r->train_num_samples);
	put_list_i64(o, bm, n, " ");
	lc_output_puts(o, "\n--source-num-seq-per-epoch ");
	put_list_i64(o, r->num_seq_per_epoch, n, " ");
	lc_output_puts(o, "\n--train-data-mix-weights ");
	put_list_i64(o, r->mix_weights, n, " ");
	lc_output_puts(o, "\n");
}

/* --report for --openlm: the arguments and the data repeats; writes the report. */
static void report_openlm(const buckets *d, const lc_openlm_out *r, const double *repeats)
{
	if (!lc_report_on(&S.rep))
		return;
	lc_report_int(&S.rep, "options.tokens", (long long)(uint64_t)S.tokens);
	lc_report_int(&S.rep, "openlm.epochs", r->epochs);
	lc_report_int(&S.rep, "openlm.train_num_samples", r->train_num_samples);
	json_t *a = json_array(), *m = json_array(), *rp = json_array();
	for (int i = 0; i < d->n; i++) {
		json_array_append_new(a, json_integer(r->num_seq_per_epoch[i]));
		json_array_append_new(m, json_integer(r->mix_weights[i]));
		json_array_append_new(rp, json_real(repeats[i]));
	}
	lc_report_set(&S.rep, "openlm.source_num_seq_per_epoch", a);
	lc_report_set(&S.rep, "openlm.train_data_mix_weights", m);
	lc_report_set(&S.rep, "openlm.data_repeats", rp);
	lc_report_int(&S.rep, "openlm.tokens_total", r->tokens_real);
	lc_report_bool(&S.rep, "openlm.matched", r->matched);
	lc_report_write(&S.rep);
}

/* --openlm: the buckets as OpenLM's DD loader sees them go to lib/dd/schedule.c;
 * the arguments to o, the loader's fate of each bucket to stderr. */
static void run_openlm(lc_output *o, const buckets *d)
{
	int n = d->n;
	uint64_t *seqs = lc_xcalloc((size_t)n, sizeof *seqs), *sps = lc_xcalloc((size_t)n, sizeof *sps);
	uint64_t *len = lc_xcalloc((size_t)n, sizeof *len);
	double *mult = lc_xcalloc((size_t)n, sizeof *mult);
	int64_t *bm = lc_xcalloc((size_t)n, sizeof *bm);
	for (int i = 0; i < n; i++) {
		const lc_wds_binfo *b = &d->b[i];
		/* OpenLM's DD loader reads only the shards as large as the bucket's largest */
		seqs[i] = b->full_shards * b->max_shard;
		/* sequences per shard as the manifest says (the reference's README), the
		 * nominal size for a bucket without any */
		sps[i] = b->max_shard ? b->max_shard : lc_wds_shard_size((int)b->num);
		len[i] = b->seq_len;
		mult[i] = (double)((uint64_t)1 << (d->kmax - b->num));
		bm[i] = (int64_t)mult[i];
	}
	lc_openlm_in in = { n, seqs, sps, len, mult, d->odds, (uint64_t)S.tokens, S.epochs ? S.epochs : S.cycles,
	                    S.gpus, S.batch, S.workers };
	lc_openlm_out r;
	lc_err e;
	if (lc_openlm_params(&in, &r, &e) < 0)
		lc_die(e.code, "%s: %s", S.dir, e.msg);
	double *repeats = lc_xcalloc((size_t)n, sizeof *repeats);
	openlm_checks(d->b, n, &in, &r, repeats);
	if (S.jsonl)
		print_openlm_jsonl(o, d, &r, bm, repeats);
	else
		print_openlm_table(o, d, &r, bm);
	report_openlm(d, &r, repeats);
	free(r.num_seq_per_epoch), free(r.mix_weights), free(repeats);
	free(seqs), free(sps), free(len), free(mult), free(bm);
}

/* One line of the per-step schedule. */
static void print_step(lc_output *o, uint64_t step, long cy, const lc_wds_binfo *b, uint64_t bsz, uint64_t tokens)
{
	if (S.jsonl)
		lc_output_printf(o, "{\"step\": %" PRIu64 ", \"cycle\": %ld, \"bucket\": \"%s\", \"seq_len\": %" PRIu64
		                 ", \"batch_size\": %" PRIu64 ", \"tokens\": %" PRIu64 "}\n",
		                 step, cy, b->name, b->seq_len, bsz, tokens);
	else
		lc_output_printf(o, "%-8" PRIu64 " %-6ld %-6s %-8" PRIu64 " %-10" PRIu64 " %" PRIu64 "\n",
		                 step, cy, b->name, b->seq_len, bsz, tokens);
}

/* The per-step summary on stderr and in --report: steps, tokens per step and
 * the sequences of each bucket that fill no whole batch; writes the report. */
static void report_schedule(const buckets *d, uint64_t steps, uint64_t tokens_step, const uint64_t *unused)
{
	lc_buf msg = { 0 };
	lc_buf_printf(&msg, "%" PRIu64 " steps of %" PRIu64 " tokens; sequences left unused:", steps, tokens_step);
	for (int i = 0; i < d->n; i++)
		lc_buf_printf(&msg, " %s %" PRIu64, d->b[i].name, unused[i]);
	lc_warn("%s", msg.p);
	lc_buf_free(&msg);
	if (!lc_report_on(&S.rep))
		return;
	lc_report_int(&S.rep, "steps", (long long)steps);
	lc_report_int(&S.rep, "tokens_per_step", (long long)tokens_step);
	json_t *u = json_object();
	for (int i = 0; i < d->n; i++)
		json_object_set_new(u, d->b[i].name, json_integer((json_int_t)unused[i]));
	lc_report_set(&S.rep, "unused_sequences", u);
	lc_report_write(&S.rep);
}

/* The per-step schedule (lib/dd/steps.h): constant tokens per step, each cycle
 * a share of every bucket's full batches, drawn by the odds; commits o, then
 * reports. */
static void run_schedule(lc_output *o, const buckets *d)
{
	int n = d->n;
	uint64_t *bsz = lc_xcalloc((size_t)n, sizeof *bsz), *nb = lc_xcalloc((size_t)n, sizeof *nb);
	uint64_t tokens_step = (uint64_t)S.batch << d->kmax;
	uint64_t total = 0;
	for (int i = 0; i < n; i++) {
		bsz[i] = (uint64_t)S.batch << (d->kmax - d->b[i].num);
		nb[i] = d->b[i].seqs / bsz[i];
		if (nb[i] > (uint64_t)INT64_MAX - total)
			lc_die(LC_EXIT_INPUT, "%s: the buckets make more than 2^63-1 steps; the manifests are wrong or "
			       "--global-batch-size is far too small", S.dir);
		total += nb[i];
	}
	if (!S.jsonl)
		lc_output_printf(o, "%-8s %-6s %-6s %-8s %-10s %s\n", "step", "cycle", "bucket", "seq_len", "batch_size", "tokens");
	lc_steps st;
	lc_steps_init(&st, n, nb, d->odds, S.cycles, (uint64_t)S.seed);
	long cy;
	uint64_t step;
	for (int k; (k = lc_steps_next(&st, &cy, &step)) >= 0;)
		print_step(o, step, cy, &d->b[k], bsz[k], tokens_step);
	lc_output_commit(o);
	for (int i = 0; i < n; i++)   /* reused: the sequences no batch takes */
		nb[i] = d->b[i].seqs - nb[i] * bsz[i];
	report_schedule(d, st.step, tokens_step, nb);
	lc_steps_free(&st);
	free(bsz), free(nb);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	parse_args(argc, argv);
	buckets d = { 0 };
	read_buckets(&d);
	set_odds(&d);
	report_options(&d);
	lc_output *o = lc_output_open(S.out);
	if (S.openlm) {
		run_openlm(o, &d);
		lc_output_commit(o);
	} else {
		run_schedule(o, &d);   /* commits o before its summary */
	}
	free(d.odds), free(d.b);
	return 0;
}
