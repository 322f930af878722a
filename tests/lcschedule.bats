#!/usr/bin/env bats
# lcschedule: OpenLM arguments against the reference helper's published example,
# per-step schedules (constant tokens per step, every full batch used once per run,
# curricula order, cycles, determinism) and bad input; what the OpenLM loader will do
# with the arguments (data repeats, buckets it will not train on, too few shards).
load helpers
setup() { lctk_setup; }

# mkds DIR K:SHARDS:SEQS_PER_SHARD... : manifests only (lcschedule reads nothing else)
mkds() {
	d=$1; shift
	mkdir -p "$d"
	for spec in "$@"; do
		k=${spec%%:*}; rest=${spec#*:}; s=${rest%%:*}; n=${rest#*:}
		mkdir -p "$d/D_$k"
		: > "$d/D_$k/manifest.jsonl"
		i=0
		while [ $i -lt "$s" ]; do
			printf '{"shard": "shard-%07d", "num_sequences": %d}\n' $i "$n" >> "$d/D_$k/manifest.jsonl"
			i=$((i + 1))
		done
	done
}

@test "--openlm reproduces the reference README example (DCLM, 8 GPUs, 8 epochs)" {
	mkds dclm 8:3560:4096 9:5996:2048 10:7410:1024 11:6309:512 12:5157:256 13:4513:128
	run lcschedule --openlm --total-tokens 28795904000 --epochs 8 --gpus 8 --global-batch-size 64 \
		--odds 32,16,8,4,2,1 dclm
	assert_success
	assert_line "**** Use the following arguments:"
	assert_line "--epochs 8"
	assert_line "--train-num-samples 3607101440"
	assert_line "--dataset-batch-mult 32 16 8 4 2 1"
	assert_line "--source-num-seq-per-epoch 1507328 1277952 794624 335872 137216 61440"
	assert_line "--train-data-mix-weights 1472 1248 776 328 134 60"
	# grow-p2 is the default curriculum, and JSONL carries the same numbers
	run --separate-stderr lcschedule --openlm --total-tokens 28795904000 --epochs 8 --gpus 8 --global-batch-size 64 --format jsonl dclm
	assert_success
	assert_output --partial '"train_data_mix_weights": [1472, 1248, 776, 328, 134, 60]'
	run python3 -c 'import json,sys; json.loads(sys.argv[1])' "$output"
	assert_success
}

@test "--openlm: a token budget that can be met exactly is met" {
	mkds ds 8:10:4096 9:10:2048
	# 2^22 tokens = half the data (each bucket holds 10 * 2^20 tokens): 8192 and 4096
	# sequences per epoch are whole multiples of a shard (x 1 GPU x 1 worker)
	run lcschedule --openlm --total-tokens 4194304 --epochs 1 --gpus 1 --global-batch-size 4 --odds 1,1 ds
	assert_success
	refute_line --partial "Cannot match"
	assert_line "--train-num-samples 4194304"
	assert_line "--source-num-seq-per-epoch 8192 4096"
}

@test "--openlm: an adjustment that would give a bucket fewer than zero sequences is an error, not negative arguments" {
	# a small decomposed corpus: the reference's walk towards the budget takes D_10 below zero
	mkds ds 8:1:530 9:1:109 10:1:6 11:1:0 12:1:0 13:1:0
	run --separate-stderr lcschedule --openlm --total-tokens 1000000 --epochs 2 --global-batch-size 1 --gpus 4 ds
	assert_failure 1
	assert_output ""
	[[ "$stderr" == *"bucket 2 would get -240 sequences per epoch (below zero"*"ask for more tokens, fewer epochs or fewer GPUs"* ]] || fail "$stderr"
	run -0 lcschedule --openlm --total-tokens 1000000 --epochs 2 --global-batch-size 1 --gpus 2 ds
	assert_line "--source-num-seq-per-epoch 1060 218 108 0 0 256"
}

@test "per-step schedule: constant tokens per step; every batch used exactly once" {
	mkds ds 4:1:1000 5:1:500 6:1:260
	run lcschedule --global-batch-size 2 --cycles 3 --seed 1 ds
	assert_success
	# batch sizes: D_4 8, D_5 4, D_6 2 -> batches 125, 125, 130
	[ "$(echo "$output" | awk 'NR>1 && $3=="D_4"' | wc -l)" -eq 125 ]
	[ "$(echo "$output" | awk 'NR>1 && $3=="D_6"' | wc -l)" -eq 130 ]
	echo "$output" | awk 'NR>1 && /^[0-9]/ { n++; if ($6 != 128 || $4 * $5 != 128) exit 1 } END { if (n != 380) exit 1 }'
	assert_line --partial "380 steps of 128 tokens"
	# each cycle gets its share: D_6 130 batches over 3 cycles -> 43, 43, 44
	[ "$(echo "$output" | awk 'NR>1 && $3=="D_6" && $2==2' | wc -l)" -eq 44 ]
	# same seed -> same schedule
	a=$(lcschedule --global-batch-size 2 --cycles 3 --seed 1 ds 2>/dev/null | md5sum)
	b=$(lcschedule --global-batch-size 2 --cycles 3 --seed 1 ds 2>/dev/null | md5sum)
	[ "$a" = "$b" ]
}

@test "curricula: grow-p2 front-loads short buckets, shrink long ones" {
	mkds ds 4:1:4000 8:1:250
	# batch sizes 16 (D_4) and 1 (D_8): 250 batches each; compare mean positions
	for c in grow-p2 shrink uniform grow-linear; do
		lcschedule --global-batch-size 1 --curriculum $c --format jsonl ds 2>/dev/null > $c.jsonl
	done
	mean() { python3 -c '
import json,sys
pos=[json.loads(l)["step"] for l in open(sys.argv[1]) if json.loads(l)["bucket"]==sys.argv[2]]
print(int(sum(pos)/len(pos)))' "$1" "$2"; }
	g=$(mean grow-p2.jsonl D_4); s=$(mean shrink.jsonl D_4)
	[ "$g" -lt "$s" ]
	g8=$(mean grow-p2.jsonl D_8); s8=$(mean shrink.jsonl D_8)
	[ "$g8" -gt "$s8" ]
	[ "$(wc -l < uniform.jsonl)" -eq "$(wc -l < grow-linear.jsonl)" ]
}

@test "reads an lcdecompose output directly" {
	python3 -c 'import json,random; r=random.Random(1); [print(json.dumps({"ids":[r.randrange(9) for _ in range(r.randint(0,3000))]})) for _ in range(200)]' > in.jsonl
	# short shards kept: this little data fills no shard of 2^(20-k) sequences
	lcdecompose --eot 0 --kmin 6 --kmax 9 --keep-short-shards --quiet -o ds in.jsonl >/dev/null
	run lcschedule --global-batch-size 1 --format jsonl ds
	assert_success
	assert_line --index 0 --regexp '^\{"step": 0, "cycle": 0, "bucket": "D_[6-9]", "seq_len": [0-9]+, "batch_size": [0-9]+, "tokens": 512\}$'
}

@test "bad input: wrong number of odds, no buckets, bad manifest" {
	mkds ds 8:1:10 9:1:10
	run lcschedule --odds 1,2,3 ds
	assert_failure 2
	assert_output --partial "has 2 buckets"
	run lcschedule --curriculum sideways ds
	assert_failure 2
	# OpenLM's options without --openlm would change nothing: a usage error, not ignored
	for o in "--total-tokens 1000" "--epochs 2" "--gpus 8" "--workers 2"; do
		run -2 lcschedule $o ds
		assert_output --partial "are --openlm's"
	done
	mkdir empty
	run lcschedule empty
	assert_failure 1
	assert_output --partial "no D_k bucket"
	echo '{"shard": "shard-0000000"}' > ds/D_9/manifest.jsonl
	run lcschedule ds
	assert_failure 1
	assert_output --partial "manifest.jsonl:1"
	run lcschedule --openlm ds
	assert_failure 2
	# num_chunks is accepted for num_sequences
	echo '{"shard": "shard-0000000", "num_chunks": 10}' > ds/D_9/manifest.jsonl
	run lcschedule ds
	assert_success
	want=$output
	# a manifest is read as every input: a BOM, CRLF and blank lines are no error
	printf '\xef\xbb\xbf{"shard": "shard-0000000", "num_chunks": 10}\r\n\n' > ds/D_9/manifest.jsonl
	run -0 lcschedule ds
	assert_output "$want"
	# a shard smaller than a batch cannot satisfy OpenLM's condition
	run lcschedule --openlm --total-tokens 1000 --global-batch-size 100000 ds
	assert_failure 1
	assert_output --partial "must hold more than one batch"
}

@test "--openlm says how many times the data repeats (stderr and JSONL)" {
	mkds ds 8:10:4096 9:10:2048
	# 2^22 tokens of the 2 x 10 x 2^20 available: 8192 of 40960 and 4096 of 20480 sequences
	run --separate-stderr lcschedule --openlm --total-tokens 4194304 --epochs 1 --global-batch-size 4 --odds 1,1 ds
	assert_success
	[ "$stderr" = "lcschedule: data repeats over 1 epochs (sequences trained on / sequences in full shards): D_8 0.20x D_9 0.20x" ] ||
		fail "stderr: $stderr"
	# 50 times as many tokens over 2 epochs: 5 passes, the most OpenLM's loader serves
	run --separate-stderr lcschedule --openlm --total-tokens 104857600 --epochs 2 --global-batch-size 4 --odds 1,1 --format jsonl ds
	assert_success
	assert_output --partial '"data_repeats": [5, 5]'
	[ "$stderr" = "lcschedule: data repeats over 2 epochs (sequences trained on / sequences in full shards): D_8 5.00x D_9 5.00x" ] ||
		fail "stderr: $stderr"
	# twice that is more than the loader can serve: named
	run --separate-stderr lcschedule --openlm --total-tokens 209715200 --epochs 2 --global-batch-size 4 --odds 1,1 ds
	assert_success
	[[ "$stderr" == *"D_8: OpenLM would read 100 shards over 2 epochs but the bucket has 10 full shards; the DD loader serves at most 5 passes over a manifest (50 shards)"* ]] ||
		fail "stderr: $stderr"
}

@test "--openlm warns of a bucket given 0 sequences and of fewer full shards than GPUs x workers" {
	mkds ds 8:40:4096 9:1:2048
	run --separate-stderr lcschedule --openlm --total-tokens 4194304 --epochs 1 --gpus 4 --global-batch-size 4 --odds 1,1 ds
	assert_success
	assert_line -- "--source-num-seq-per-epoch 16384 0"
	[[ "$stderr" == *"D_9: 0 sequences per epoch: "*"so OpenLM will not train on it"* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *"D_9: 1 full shards, fewer than GPUs x workers = 4 x 1 = 4;"* ]] || fail "stderr: $stderr"
	# a bucket without any full shard (one empty shard, as lcdecompose leaves it)
	printf '{"shard": "shard-0000000", "num_sequences": 0}\n' > ds/D_9/manifest.jsonl
	run --separate-stderr lcschedule --openlm --total-tokens 4194304 --epochs 1 --global-batch-size 4 --odds 1,1 ds
	assert_success
	[[ "$stderr" == *"D_9: no full shard (0 sequences in 1 shards); OpenLM cannot train on it"* ]] || fail "stderr: $stderr"
}

@test "--openlm counts only full shards, as OpenLM's loader reads them" {
	mkds a 8:10:4096 9:10:2048
	mkds b 8:10:4096 9:10:2048
	# a short final shard (kept with lcdecompose --keep-short-shards) is skipped by the loader
	printf '{"shard": "shard-0000010", "num_sequences": 2000}\n' >> b/D_9/manifest.jsonl
	lcschedule --openlm --total-tokens 5100000 --epochs 1 --global-batch-size 4 --odds 1,1 a > a.out 2> a.err
	lcschedule --openlm --total-tokens 5100000 --epochs 1 --global-batch-size 4 --odds 1,1 b > b.out 2> b.err
	diff a.out b.out
	diff a.err b.err
}

@test "overflow is refused, exit 1: sequences past 2^63-1 in a bucket, tokens per step past 2^63-1" {
	mkdir -p big/D_7
	printf '{"shard": "shard-%07d", "num_sequences": 9223372036854775807}\n' 0 1 > big/D_7/manifest.jsonl
	# the old build printed about 2^63 steps: keep only stderr, stop it early
	run sh -c 'timeout 10 lcschedule big 2>&1 >/dev/null'
	assert_failure 1
	assert_output --partial "big/D_7/manifest.jsonl: the shards hold more than 2^63-1 sequences"
	mkds wide 30:1:100 40:1:10
	run lcschedule --global-batch-size 1073741824 wide
	assert_failure 1
	assert_output --partial "more than 2^63-1 tokens per step"
	run lcschedule --global-batch-size 8388607 wide
	assert_success
	mkds long 0:1:10 62:1:1000
	run lcschedule long
	assert_failure 1
	assert_output --partial "D_62's length 2^62"
}

@test "a directory named like a bucket that is not one (D_x, D_-1, D_07, D_63) is an error naming it, not skipped" {
	for bad in D_x D_-1 D_07 D_63; do
		rm -rf ds
		mkds ds 7:1:64 8:1:32
		mkdir "ds/$bad"
		run lcschedule --global-batch-size 1 ds
		assert_failure 1
		assert_output --partial "ds/$bad: not a bucket directory name"
	done
	rm -rf ds/D_63
	: > ds/D_notes
	run lcschedule --global-batch-size 1 ds
	assert_success
}
