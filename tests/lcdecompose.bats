#!/usr/bin/env bats
# lcdecompose: hand-computed decompositions, dataset properties (every token in one
# sequence or counted dropped, 2^k+1 tokens per sequence from one document, manifests
# match the shards, tars read by bsdtar and Python's tarfile), determinism, baselines,
# --shard + merge, the GNU parallel recipe, and bad input (malformed, ENOSPC).
load helpers
setup() { lctk_setup; }

CHECK="$ROOT/tests/dd_check.py"

# gen_ids N SEED > file: N documents of pseudo-random ids with a spread of lengths
# (including empty and very short documents), deterministic.
gen_ids() {
	python3 - "$1" "$2" <<'PY'
import json, random, sys
n, seed = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed)
for i in range(n):
    L = r.choice([0, 1, 5, 100, 255, 256, 257, 300, 600, 1000, 3000, 9000, r.randint(0, 20000)])
    print(json.dumps({"ids": [r.randrange(1, 100000) for _ in range(L)], "pid": str(i)}))
PY
}

@test "hand-computed: 13 tokens + EOT -> D_3 [1..9] and D_2 [10..13, EOT]" {
	echo '{"ids": [1,2,3,4,5,6,7,8,9,10,11,12,13]}' > in.jsonl
	run lcdecompose --eot 0 --kmin 2 --kmax 4 -o out in.jsonl
	assert_success
	assert_line --index 0 "D_2 : # shards: 1      seq-length: 4        # sequences: 1             # tokens: 4           "
	assert_line --index 1 "D_3 : # shards: 1      seq-length: 8        # sequences: 1             # tokens: 8           "
	assert_line --index 2 "D_4 : # shards: 0      seq-length: 16       # sequences: 0             # tokens: 0           "
	assert_line --index 3 "********************"
	assert_line --index 4 "Total number of tokens = 12"
	run -0 bsdtar -xOf out/D_3/shard-0000000.tar 000000000000.txt
	assert_output "[1, 2, 3, 4, 5, 6, 7, 8, 9]"
	run -0 bsdtar -xOf out/D_2/shard-0000000.tar 000000000000.txt
	assert_output "[10, 11, 12, 13, 0]"
	run cat out/D_3/manifest.jsonl
	assert_output '{"shard": "shard-0000000", "num_sequences": 1}'
	[ ! -s out/D_4/manifest.jsonl ]
	cmp out/stats.txt <(lcdecompose --eot 0 --kmin 2 --kmax 4 -q -o out2 in.jsonl)
}

@test "hand-computed: --no-random cuts long documents at 2^kmax; dropped counted" {
	# 39 tokens + EOT = 40: kmax 4 -> 17, 17, then 6 -> 5, 1 dropped; an empty doc drops its EOT
	python3 -c 'import json; print(json.dumps({"ids": list(range(1, 40))})); print("{\"ids\": []}")' > in.jsonl
	run lcdecompose --eot 0 --kmin 2 --kmax 4 --no-random --report -o out in.jsonl
	assert_success
	assert_line --partial "# sequences: 2 "
	assert_line --regexp '^tokens dropped +2$'
	assert_line --regexp '^tokens kept +39$'
	assert_line --regexp '^attention cost \(sum len\^2\) +528$'   # 2*16^2 + 4^2
	assert_line --regexp '2 documents \(1 empty, 1 gave no sequence\); 2 of 41 tokens dropped'
	run -0 bsdtar -xOf out/D_2/shard-0000000.tar
	assert_output "[35, 36, 37, 38, 39]"
	python3 "$CHECK" in.jsonl 0 2 4 out --no-random
}

@test "properties over generated data: tar, jsonl and bin" {
	gen_ids 600 1 > in.jsonl
	for f in tar jsonl bin; do
		run lcdecompose --eot 0 --format "$f" --seed 3 -q -o "out-$f" in.jsonl
		assert_success
		run python3 "$CHECK" in.jsonl 0 8 13 "out-$f"
		assert_success
		assert_output --regexp '^ok [0-9]+ [0-9]+$'
	done
	# all three formats hold the same sequences in the same shuffled order
	diff <(python3 "$CHECK" --dump out-tar) <(python3 "$CHECK" --dump out-bin)
	diff <(python3 "$CHECK" --dump out-tar) <(python3 "$CHECK" --dump out-jsonl)
}

@test "shards: reference sizes, bsdtar member count equals the manifest" {
	gen_ids 1500 2 > in.jsonl
	lcdecompose --eot 0 --kmin 11 --kmax 13 -q -o out in.jsonl >/dev/null
	# shards hold min(2^(20-k), 65536): D_11 512, D_12 256, D_13 128
	for d in out/D_*; do
		i=0
		while read -r line; do
			n=$(printf '%s' "$line" | sed 's/.*"num_sequences": \([0-9]*\).*/\1/')
			s=$(printf '%s' "$line" | sed 's/.*"shard": "\([^"]*\)".*/\1/')
			[ "$s" = "$(printf 'shard-%07d' $i)" ]
			[ "$(bsdtar -tf "$d/$s.tar" | wc -l)" -eq "$n" ]
			i=$((i + 1))
		done < "$d/manifest.jsonl"
	done
	# every shard but the last of a bucket is full; the last is not larger
	for k in 11 12 13; do
		size=$((1 << (20 - k)))
		awk -F'"num_sequences": ' -v s=$size '{sub(/}/,"",$2); n[NR]=$2+0} END {
			for (i = 1; i < NR; i++) if (n[i] != s) exit 1; if (NR && n[NR] > s) exit 1 }' out/D_$k/manifest.jsonl
	done
	[ "$(head -1 out/D_13/manifest.jsonl)" = '{"shard": "shard-0000000", "num_sequences": 128}' ]
	python3 "$CHECK" in.jsonl 0 11 13 out
}

@test "same seed -> byte-identical output; another seed differs" {
	gen_ids 300 3 > in.jsonl
	lcdecompose --eot 0 --seed 7 -q -o a in.jsonl >/dev/null
	lcdecompose --eot 0 --seed 7 -q -o b in.jsonl >/dev/null
	lcdecompose --eot 0 --seed 8 -q -o c in.jsonl >/dev/null
	diff -r a b
	! diff -r a c >/dev/null
}

@test "compressed input (.gz, .zst) reads the same" {
	gen_ids 100 4 > in.jsonl
	gzip -k in.jsonl
	zstd -q in.jsonl -o in.jsonl.zst
	lcdecompose --eot 0 -q -o a in.jsonl >/dev/null
	lcdecompose --eot 0 -q -o b in.jsonl.gz >/dev/null
	lcdecompose --eot 0 -q -o c in.jsonl.zst >/dev/null
	diff -r a b
	diff -r a c
}

@test "--full-shards drops a short final shard and counts it" {
	gen_ids 200 5 > in.jsonl
	run lcdecompose --eot 0 --kmin 8 --kmax 9 --no-random --full-shards -o out in.jsonl
	assert_success
	assert_output --partial "# shards: 0 "
	assert_output --partial "including a short final shard"
	! grep -q '"tail_dropped_tokens": 0' out/lcdecompose.json
	python3 "$CHECK" in.jsonl 0 8 9 out --no-random --partial
}

@test "baselines: concat and bestfit hand-computed report" {
	# L=3 -> 4-token sequences. docs [1 2]+EOT, [3 4 5 6 7]+EOT
	printf '{"ids":[1,2]}\n{"ids":[3,4,5,6,7]}\n' > in.jsonl
	run lcdecompose --eot 0 --method concat -L 3 --report -o c in.jsonl
	assert_success
	assert_line --regexp '^sequences +2$'
	assert_line --regexp '^tokens dropped +1$'
	assert_line --regexp '^boundary-crossing sequences +1$'
	run bsdtar -xOf c/L_3/shard-0000000.tar
	assert_success
	run -0 python3 "$CHECK" --dump c
	assert_output "$(printf 'L_3 1 2 0 3\nL_3 4 5 6 7')"
	run lcdecompose --eot 0 --compare -L 3 in.jsonl
	assert_success
	assert_line --index 0 --regexp '^method +dd +concat-3 +bestfit-3$'
	assert_line --regexp '^tokens padded +0 +0 +3$'
	assert_line --regexp '^sequences +0 +2 +3$'
	run -0 lcdecompose --eot 0 --method bestfit -L 3 -q -o b in.jsonl
	run -0 python3 "$CHECK" --dump b
	assert_output "$(printf 'L_3 1 2 0\nL_3 3 4 5 6\nL_3 7 0')"
}

@test "--shard K/N + merge = one process (same sequences)" {
	gen_ids 400 6 > in.jsonl
	lcdecompose --eot 0 --seed 9 -q -o one in.jsonl >/dev/null
	for k in 1 2 3; do lcdecompose --eot 0 --seed 9 --shard $k/3 -q -o p$k in.jsonl >/dev/null; done
	run lcdecompose merge -o m p1 p2 p3
	assert_success
	assert_line --partial "Total number of tokens"
	diff <(python3 "$CHECK" --dump one) <(python3 "$CHECK" --dump m)
	python3 "$CHECK" in.jsonl 0 8 13 m
	diff <(jq -S .counters one/lcdecompose.json 2>/dev/null || python3 -c 'import json,sys; print(json.load(open("one/lcdecompose.json"))["counters"])') \
	     <(jq -S .counters m/lcdecompose.json 2>/dev/null || python3 -c 'import json,sys; print(json.load(open("m/lcdecompose.json"))["counters"])')
	# merging parts made with different parameters is refused
	lcdecompose --eot 0 --seed 10 --shard 1/3 -q -o q in.jsonl >/dev/null
	run lcdecompose merge -o m2 p1 q
	assert_failure 1
	assert_output --partial "different parameters"
	assert_no_file m2
}

@test "bin format merge keeps the index consistent" {
	gen_ids 300 7 > in.jsonl
	lcdecompose --eot 0 --format bin -q -o one in.jsonl >/dev/null
	for k in 1 2; do lcdecompose --eot 0 --format bin --shard $k/2 -q -o p$k in.jsonl >/dev/null; done
	lcdecompose merge -o m p1 p2 >/dev/null
	diff <(python3 "$CHECK" --dump one) <(python3 "$CHECK" --dump m)
}

@test "GNU parallel recipe gives the single-process sequences" {
	command -v parallel >/dev/null || command -v xargs >/dev/null || skip "neither parallel nor xargs"
	gen_ids 300 8 > in.jsonl
	lcdecompose --eot 0 --seed 4 -q -o one in.jsonl >/dev/null
	run sh "$ROOT/share/lctk/recipes/lcdecompose-parallel.sh" 3 par --eot 0 --seed 4 in.jsonl
	assert_success
	diff <(python3 "$CHECK" --dump one) <(python3 "$CHECK" --dump par)
}

@test "pre-tokenised parsing: spacing variants and key order give the same dataset; bad ids fail" {
	# the same 4 documents written 'ids first' (fast path) and 'ids last' (general parser)
	cat > a.jsonl <<'J'
{"ids": [5, 6, 7, 8, 9, 10, 11, 12, 13]}
{"ids":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"pid":"x"}
  { "ids" :	[ 4294967295 ,0,  7 , 8,9,10,11,12,13 ] , "meta": {"ids2": [1]} }
{"ids": []}
J
	cat > b.jsonl <<'J'
{"pid": 1, "ids": [5,6,7,8,9,10,11,12,13]}
{"pid": "x", "ids": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]}
{"meta": {"ids2": [1]}, "ids": [4294967295, 0, 7, 8, 9, 10, 11, 12, 13]}
{"ids": [ ]}
J
	lcdecompose --eot 99 --kmin 2 --kmax 4 --no-random -q -o a a.jsonl >/dev/null
	lcdecompose --eot 99 --kmin 2 --kmax 4 --no-random -q -o b b.jsonl >/dev/null
	diff <(python3 "$CHECK" --dump a) <(python3 "$CHECK" --dump b)
	run -0 python3 "$CHECK" --dump a
	assert_line 'D_3 4294967295 0 7 8 9 10 11 12 13'
	for bad in '{"ids": [01, 2]}' '{"ids": [4294967296]}' '{"ids": [1.0]}' '{"ids": [1,]}' \
	           '{"ids": [1] "x": 2}' '{"ids": [1]} trailing' '{"ids": [-3]}'; do
		printf '%s\n' "$bad" > bad.jsonl
		run lcdecompose --eot 0 -q -o out bad.jsonl
		[ "$status" -eq 1 ] || fail "accepted: $bad"
		assert_output --partial "bad.jsonl:1"
		assert_no_file out
	done
}

@test "refuses a non-empty output directory unless --force" {
	printf '{"ids":[1,2,3]}\n' > in.jsonl
	mkdir out && touch out/keep
	run lcdecompose --eot 0 -o out in.jsonl
	assert_failure 1
	assert_output --partial "not empty"
	rm out/keep
	lcdecompose --eot 0 -q -o out in.jsonl >/dev/null
	run lcdecompose --eot 0 -o out in.jsonl
	assert_failure 1
	assert_output --partial "use --force"
	run lcdecompose --eot 0 --force --kmin 1 --kmax 1 -o out in.jsonl
	assert_success
	[ ! -e out/D_8 ]
	[ -d out/D_1 ]
}

@test "malformed line: FILE:LINE message, exit 1, no output; --skip-bad counts" {
	printf '{"ids":[1,2,3]}\n{"ids":[1,2\n{"ids":[-1]}\n{"text":"x"}\n' > in.jsonl
	run lcdecompose --eot 0 -o out in.jsonl
	assert_failure 1
	assert_output --partial "in.jsonl:2:"
	assert_no_file out
	run lcdecompose --eot 0 --skip-bad -o out in.jsonl
	assert_success
	assert_output --partial "3 malformed records skipped"
	grep -q '"bad_records_skipped": 3' out/lcdecompose.json
	printf '{"ids":[1,"a"]}\n' > bad.jsonl
	run lcdecompose --eot 0 -o out2 bad.jsonl
	assert_failure 1
	assert_output --partial "bad.jsonl:1: ids[1]"
	printf '{"text":"hello"}\n' > text.jsonl
	run lcdecompose --eot 0 -o out3 text.jsonl
	assert_failure 1
	assert_output --partial "tokenise with -e NAME"
	assert_no_file out3
}

@test "usage errors exit 2" {
	printf '{"ids":[1,2,3]}\n' > in.jsonl
	run lcdecompose -o out in.jsonl
	assert_failure 2
	assert_output --partial "needs --eot ID"
	assert_no_file out
	run lcdecompose --eot 0 --kmin 9 --kmax 8 -o out in.jsonl
	assert_failure 2
	run lcdecompose --eot 0 --method nope -o out in.jsonl
	assert_failure 2
	run lcdecompose --eot 0 in.jsonl
	assert_failure 2
	run lcdecompose --eot 0 --shard 4/3 -o out in.jsonl
	assert_failure 2
	assert_no_file out
}

@test "ENOSPC: clear message, exit 1, no output left" {
	need_faultinject
	gen_ids 300 9 > in.jsonl
	for fmt in tar jsonl bin; do
		for n in 1 3 8; do
			LD_PRELOAD=$FAULTINJECT LCTK_FAULT=write:$n:ENOSPC run --separate-stderr \
				lcdecompose --eot 0 --format $fmt --kmin 4 --kmax 9 -o out in.jsonl
			[ "$status" -eq 1 ] || fail "$fmt write:$n: exit $status"
			[[ "$stderr" == *"No space left on device"* ]] || fail "$fmt write:$n: $stderr"
			[ -z "$output" ] || fail "$fmt write:$n: stdout: $output"
			assert_no_file out
		done
	done
	# an existing (empty) directory is left, but empty
	mkdir out2
	LD_PRELOAD=$FAULTINJECT LCTK_FAULT=write:4:ENOSPC run lcdecompose --eot 0 -o out2 in.jsonl
	assert_failure 1
	[ -z "$(ls -A out2)" ]
	# merge on a full disk leaves nothing either
	lcdecompose --eot 0 --format bin --shard 1/2 -q -o p1 in.jsonl >/dev/null
	lcdecompose --eot 0 --format bin --shard 2/2 -q -o p2 in.jsonl >/dev/null
	LD_PRELOAD=$FAULTINJECT LCTK_FAULT=write:3:ENOSPC run lcdecompose merge -o m p1 p2
	assert_failure 1
	assert_output --partial "No space left on device"
	assert_no_file m
}

@test "SIGTERM mid-run removes everything written" {
	mkfifo fifo
	# the writer keeps the FIFO open, so lcdecompose is still reading when killed;
	# the output directory exists before any input is read
	(printf '{"ids":[1,2,3,4]}\n'; exec sleep 20) 3>&- > fifo &
	writer=$!
	lcdecompose --eot 0 --kmin 1 --kmax 2 -q -o out fifo 3>&- > /dev/null 2>&1 &
	pid=$!
	for i in $(seq 100); do [ -d out ] && break; sleep 0.05; done
	[ -d out ]
	kill -TERM $pid
	st=0
	wait $pid || st=$?
	kill $writer 2>/dev/null || true
	[ "$st" -eq 143 ] || fail "exit $st"
	assert_no_file out
}

@test "text input: -e tokenises exactly as the tokenizer vectors (same dataset as their ids)" {
	V="$ROOT/tests/vectors/tok/cl100k_base.jsonl"
	[ -f "$V" ] || skip "no tokenizer vectors"
	python3 - "$V" <<'PY'
import json, sys
with open("text.jsonl", "w") as t, open("ids.jsonl", "w") as i:
    for l in open(sys.argv[1]):
        r = json.loads(l)
        if r.get("mode") != "ordinary":
            continue
        t.write(json.dumps({"body": r["text"], "pid": r["id"]}) + "\n")
        i.write(json.dumps({"ids": r["ids"]}) + "\n")
PY
	run lcdecompose -e cl100k_base -f body --kmin 0 --kmax 3 --seed 2 -o a text.jsonl
	assert_success
	lcdecompose --eot 100257 --kmin 0 --kmax 3 --seed 2 -q -o b ids.jsonl >/dev/null
	diff <(python3 "$CHECK" --dump a) <(python3 "$CHECK" --dump b)
	diff a/stats.txt b/stats.txt
	# every document ends with cl100k's end-of-text id
	run -0 python3 "$CHECK" --dump a
	assert_line --regexp ' 100257$'
	run lcdecompose -e no_such_encoding -o c text.jsonl
	assert_failure
	assert_no_file c
	run lcdecompose -e cl100k_base -o c text.jsonl
	assert_failure 1
	assert_output --partial "text.jsonl:1: missing field 'text'"
	assert_no_file c
}

@test "--help and --version" {
	run lcdecompose --help
	assert_success
	assert_output --partial "usage: lcdecompose"
	run lcdecompose merge --help
	assert_success
	run lcdecompose --version
	assert_success
}
