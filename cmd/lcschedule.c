/*
 * lcschedule — training schedules for variable sequence length training over an
 * lcdecompose dataset: per step the bucket and batch size at constant tokens per
 * step under a curriculum over cycles, or the OpenLM arguments the Dataset
 * Decomposition reference's helper prints.  The work is in lib/dd/schedule.c.
 */
#include "cli.h"
#include "options.h"
#include "decompose.h"
#include "err.h"
#include "output.h"
#include "report.h"
#include "schedule.h"
#include "wds.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options, each bound to its variable in the table (lib/cli/cli.h); only
 * --report reaches the switch. */
static struct {
	const char *curriculum, *odds, *out;
	long cycles, batch, gpus, workers, epochs, seed, tokens;
	int jsonl, openlm;
} O = { .curriculum = "grow-p2", .cycles = 1, .batch = 64, .gpus = 1, .workers = 1 };

/* --format table|jsonl */
static void format_cb(const lc_cmd *c, const lc_opt *o, const char *arg)
{
	if (!strcmp(arg, "jsonl")) *(int *)o->var = 1;
	else if (!strcmp(arg, "table")) *(int *)o->var = 0;
	else lc_cli_usage_error(c, "--format: '%s' is not table or jsonl", arg);
}

static const lc_opt opts[] = {
	{ 0, "curriculum", "NAME", "uniform, grow-p2 (default), grow-linear or shrink",
	  "uniform grow-p2 grow-linear shrink", LC_BIND_STR(O.curriculum) },
	{ 0, "odds", "LIST", "custom odds per bucket, shortest first (e.g. 32,16,8,4,2,1)", NULL, LC_BIND_STR(O.odds) },
	{ 0, "cycles", "C", "split the data into C cycles, each run with the curriculum (default 1)", NULL,
	  LC_BIND_LONG(O.cycles, 1, 1L << 20) },
	{ 0, "global-batch-size", "B", "sequences per step in the longest bucket (default 64)", NULL,
	  LC_BIND_LONG(O.batch, 1, 1L << 30) },
	LC_OPT_SEED(0, LC_BIND_LONG(O.seed, 0, LONG_MAX)),
	LC_OPT_FORMAT(0, "table jsonl", LC_BIND_CALL(format_cb, O.jsonl)),
	{ 0, "openlm", NULL, "print the OpenLM arguments instead of the per-step schedule", NULL, LC_BIND_SET(O.openlm, 1) },
	{ 0, "total-tokens", "N", "--openlm: total tokens to train on", NULL, LC_BIND_LONG(O.tokens, 1, LONG_MAX) },
	LC_OPT_EPOCHS(0, LC_BIND_LONG(O.epochs, 1, 1L << 20)),
	LC_OPT_GPUS(0, LC_BIND_LONG(O.gpus, 1, 1L << 20)),
	LC_OPT_WORKERS(0, LC_BIND_LONG(O.workers, 1, 1L << 10)),
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_REPORT,
	LC_OPT_END
};
static const char *const renamed[] = { "--tokens", "--total-tokens", NULL };
static const lc_cmd cmd = {
	"lcschedule", "[options] DIR",
	"variable sequence length training schedule over lcdecompose buckets", opts, NULL, renamed
};

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

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = { 0 };
	int c;
	lc_report rep = {0};
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		if (c == LC_OPT_REPORT_ID)   /* every other option is bound */
			lc_report_arg(&rep, &cmd, optarg);
	const char *curriculum = O.curriculum, *odds_arg = O.odds, *out = O.out;
	long cycles = O.cycles, batch = O.batch, gpus = O.gpus, workers = O.workers, epochs = O.epochs;
	uint64_t seed = (uint64_t)O.seed, tokens = (uint64_t)O.tokens;
	int jsonl = O.jsonl, openlm = O.openlm;
	if (st.ind != argc - 1)
		lc_cli_usage_error(&cmd, "give exactly one dataset directory (made by lcdecompose)");
	if (openlm && !tokens)
		lc_cli_usage_error(&cmd, "--openlm needs --total-tokens N (the training budget)");
	const char *dir = argv[st.ind];
	lc_report_start(&rep, &cmd, !out || !strcmp(out, "-"), 1, argv + st.ind);
	lc_err e;
	lc_wds_binfo *all;
	size_t nall;
	if (lc_wds_buckets(dir, &all, &nall, &e) < 0)
		lc_die_err(&e);
	/* D_k buckets only, shortest first */
	lc_wds_binfo *b = lc_xcalloc(nall ? nall : 1, sizeof *b);
	int n = 0;
	for (size_t i = 0; i < nall; i++)
		if (all[i].kind == 'D')
			b[n++] = all[i];
	free(all);
	if (!n)
		lc_die(LC_EXIT_INPUT, "%s: no D_k bucket directories; is this an lcdecompose --method dd output?", dir);
	int kmax = (int)b[n - 1].num;
	double *odds = lc_xcalloc((size_t)n, sizeof *odds);
	if (odds_arg) {
		char *s = lc_xstrdup(odds_arg), *save = NULL;
		int k = 0;
		for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (k == n)
				lc_cli_usage_error(&cmd, "--odds: %s has %d buckets but more odds were given", dir, n);
			odds[k++] = lc_cli_double("--odds", t, 0, 1e15);
		}
		if (k != n)
			lc_cli_usage_error(&cmd, "--odds: %s has %d buckets (D_%ld..D_%d) but %d odds were given",
			                   dir, n, b[0].num, kmax, k);
		free(s);
	} else if (lc_sched_curriculum(curriculum, n, odds) < 0) {
		lc_cli_usage_error(&cmd, "--curriculum: '%s' is not uniform, grow-p2, grow-linear or shrink", curriculum);
	}
	double total_odds = 0;
	for (int i = 0; i < n; i++)
		total_odds += odds[i];
	if (total_odds <= 0)
		lc_cli_usage_error(&cmd, "--odds: at least one bucket needs positive odds");

	if (lc_report_on(&rep)) {
		lc_report_str(&rep, "options.curriculum", odds_arg ? NULL : curriculum);
		json_t *oj = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(oj, json_real(odds[i]));
		lc_report_set(&rep, "options.odds", oj);
		lc_report_int(&rep, "options.cycles", cycles);
		lc_report_int(&rep, "options.global_batch_size", batch);
		lc_report_int(&rep, "options.seed", (long long)seed);
		json_t *bj = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(bj, json_string(b[i].name));
		lc_report_set(&rep, "buckets", bj);
	}
	lc_output *o = lc_output_open(out);
	if (openlm) {
		uint64_t *seqs = lc_xcalloc((size_t)n, sizeof *seqs), *sps = lc_xcalloc((size_t)n, sizeof *sps);
		uint64_t *len = lc_xcalloc((size_t)n, sizeof *len);
		double *mult = lc_xcalloc((size_t)n, sizeof *mult);
		int64_t *bm = lc_xcalloc((size_t)n, sizeof *bm);
		for (int i = 0; i < n; i++) {
			/* OpenLM's DD loader reads only the shards as large as the bucket's largest */
			seqs[i] = b[i].full_shards * b[i].max_shard;
			/* sequences per shard as the manifest says (the reference's README), the
			 * nominal size for a bucket without any */
			sps[i] = b[i].max_shard ? b[i].max_shard : lc_wds_shard_size((int)b[i].num);
			len[i] = b[i].seq_len;
			mult[i] = (double)((uint64_t)1 << (kmax - b[i].num));
			bm[i] = (int64_t)mult[i];
		}
		lc_openlm_in in = { n, seqs, sps, len, mult, odds, tokens, epochs ? epochs : cycles, gpus, batch, workers };
		lc_openlm_out r;
		if (lc_openlm_params(&in, &r, &e) < 0)
			lc_die(e.code, "%s: %s", dir, e.msg);
		double *repeats = lc_xcalloc((size_t)n, sizeof *repeats);
		openlm_checks(b, n, &in, &r, repeats);
		if (jsonl) {
			lc_output_printf(o, "{\"epochs\": %ld, \"train_num_samples\": %" PRId64 ", \"dataset_batch_mult\": [",
			                 r.epochs, r.train_num_samples);
			put_list_i64(o, bm, n, ", ");
			lc_output_puts(o, "], \"source_num_seq_per_epoch\": [");
			put_list_i64(o, r.num_seq_per_epoch, n, ", ");
			lc_output_puts(o, "], \"train_data_mix_weights\": [");
			put_list_i64(o, r.mix_weights, n, ", ");
			lc_output_puts(o, "], \"data_repeats\": [");
			for (int i = 0; i < n; i++)
				lc_output_printf(o, "%s%.4g", i ? ", " : "", repeats[i]);
			lc_output_printf(o, "], \"tokens_requested\": %" PRIu64 ", \"tokens_total\": %" PRId64 ", \"matched\": %s}\n",
			                 tokens, r.tokens_real, r.matched ? "true" : "false");
		} else {
			if (!r.matched) {
				char a[40], t[40];
				commas(a, sizeof a, (int64_t)tokens);
				commas(t, sizeof t, r.tokens_real);
				lc_output_printf(o, "Cannot match requested number of tokens of %s. Go with %s instead.\n", a, t);
			}
			lc_output_printf(o, "**** Use the following arguments:\n--epochs %ld\n--train-num-samples %" PRId64
			                 "\n--dataset-batch-mult ", r.epochs, r.train_num_samples);
			put_list_i64(o, bm, n, " ");
			lc_output_puts(o, "\n--source-num-seq-per-epoch ");
			put_list_i64(o, r.num_seq_per_epoch, n, " ");
			lc_output_puts(o, "\n--train-data-mix-weights ");
			put_list_i64(o, r.mix_weights, n, " ");
			lc_output_puts(o, "\n");
		}
		if (lc_report_on(&rep)) {
			lc_report_int(&rep, "options.tokens", (long long)tokens);
			lc_report_int(&rep, "openlm.epochs", r.epochs);
			lc_report_int(&rep, "openlm.train_num_samples", r.train_num_samples);
			json_t *a = json_array(), *m = json_array(), *rp = json_array();
			for (int i = 0; i < n; i++) {
				json_array_append_new(a, json_integer(r.num_seq_per_epoch[i]));
				json_array_append_new(m, json_integer(r.mix_weights[i]));
				json_array_append_new(rp, json_real(repeats[i]));
			}
			lc_report_set(&rep, "openlm.source_num_seq_per_epoch", a);
			lc_report_set(&rep, "openlm.train_data_mix_weights", m);
			lc_report_set(&rep, "openlm.data_repeats", rp);
			lc_report_int(&rep, "openlm.tokens_total", r.tokens_real);
			lc_report_bool(&rep, "openlm.matched", r.matched);
			lc_report_write(&rep);
		}
		free(r.num_seq_per_epoch), free(r.mix_weights), free(repeats);
		free(seqs), free(sps), free(len), free(mult), free(bm);
		lc_output_commit(o);
		free(odds), free(b);
		return 0;
	}

	/* per-step schedule */
	uint64_t *bsz = lc_xcalloc((size_t)n, sizeof *bsz), *nb = lc_xcalloc((size_t)n, sizeof *nb);
	uint64_t *left = lc_xcalloc((size_t)n, sizeof *left);
	double *w = lc_xcalloc((size_t)n, sizeof *w);
	uint64_t tokens_step = (uint64_t)batch << kmax;
	for (int i = 0; i < n; i++) {
		bsz[i] = (uint64_t)batch << (kmax - b[i].num);
		nb[i] = b[i].seqs / bsz[i];
	}
	if (!jsonl)
		lc_output_printf(o, "%-8s %-6s %-6s %-8s %-10s %s\n", "step", "cycle", "bucket", "seq_len", "batch_size", "tokens");
	lc_rng rng;
	lc_rng_seed2(&rng, seed, 0x5343484544ULL);
	uint64_t step = 0;
	for (long cy = 0; cy < cycles; cy++) {
		uint64_t remain = 0;
		for (int i = 0; i < n; i++) {
			left[i] = nb[i] * (uint64_t)(cy + 1) / (uint64_t)cycles - nb[i] * (uint64_t)cy / (uint64_t)cycles;
			w[i] = odds[i] * (double)left[i];
			remain += left[i];
		}
		while (remain) {
			/* draw proportional to the cycle's weights among buckets with batches left */
			double live = 0;
			for (int i = 0; i < n; i++)
				if (left[i])
					live += w[i];
			int pick = -1;
			if (live > 0) {
				double u = (double)(lc_rng_next(&rng) >> 11) * 0x1.0p-53 * live;
				for (int i = 0; i < n; i++) {
					if (!left[i] || w[i] <= 0)
						continue;
					pick = i;
					if (u < w[i])
						break;
					u -= w[i];
				}
			} else {
				/* only zero-odds buckets left: take them shortest first */
				for (int i = 0; i < n && pick < 0; i++)
					if (left[i])
						pick = i;
			}
			left[pick]--;
			remain--;
			if (jsonl)
				lc_output_printf(o, "{\"step\": %" PRIu64 ", \"cycle\": %ld, \"bucket\": \"%s\", \"seq_len\": %" PRIu64
				                 ", \"batch_size\": %" PRIu64 ", \"tokens\": %" PRIu64 "}\n",
				                 step, cy, b[pick].name, b[pick].seq_len, bsz[pick], tokens_step);
			else
				lc_output_printf(o, "%-8" PRIu64 " %-6ld %-6s %-8" PRIu64 " %-10" PRIu64 " %" PRIu64 "\n",
				                 step, cy, b[pick].name, b[pick].seq_len, bsz[pick], tokens_step);
			step++;
		}
	}
	lc_output_commit(o);
	lc_buf msg = { 0 };
	lc_buf_printf(&msg, "%" PRIu64 " steps of %" PRIu64 " tokens; sequences left unused:", step, tokens_step);
	for (int i = 0; i < n; i++)
		lc_buf_printf(&msg, " %s %" PRIu64, b[i].name, b[i].seqs - nb[i] * bsz[i]);
	lc_warn("%s", msg.p);
	lc_buf_free(&msg);
	if (lc_report_on(&rep)) {
		lc_report_int(&rep, "steps", (long long)step);
		lc_report_int(&rep, "tokens_per_step", (long long)tokens_step);
		json_t *u = json_object();
		for (int i = 0; i < n; i++)
			json_object_set_new(u, b[i].name, json_integer((json_int_t)(b[i].seqs - nb[i] * bsz[i])));
		lc_report_set(&rep, "unused_sequences", u);
		lc_report_write(&rep);
	}
	free(bsz), free(nb), free(left), free(w), free(odds), free(b);
	return 0;
}
