#!/usr/bin/env bats
# lcgen candidates and labels --shard K/N + lcgen merge: each task writes the
# candidates of every N-th passage (labels: of every N-th query) as a part whose
# records are groups of lines; merge restores the order and gives byte for byte
# what one process writes (the corpus statistics and BM25 stay the whole
# corpus's), and refuses a missing, repeated, foreign or cut part, naming it.
load helpers

setup() {
	lctk_llm_setup
	D="$LCTK_DATA/data/hotpotqa"
}
teardown() { lctk_teardown; }

@test "candidates --shard K/N merged equal one process, in any part order, with a model and summaries" {
	head -200 "$D/corpus.jsonl" > c.jsonl
	lcgen candidates --seed 4 --random 2 -m "$LCTK_DATA/models/default.lcm" -o one.jsonl c.jsonl 2>/dev/null
	for k in 1 2 3; do
		lcgen candidates --seed 4 --random 2 -m "$LCTK_DATA/models/default.lcm" --shard $k/3 -o p$k.jsonl c.jsonl 2>/dev/null
	done
	run -0 head -1 p2.jsonl
	assert_output --regexp '^\{"lctk_part":\{"program":"lcgen candidates","shard":"2/3","run":"[0-9a-f]{16}","merge":"groups"\}\}$'
	# each part holds the candidates of passages 2, 5, 8, ... only
	run -0 python3 -c '
import json
pids = [json.loads(l)["pid"] for l in open("c.jsonl")]
got = {json.loads(l)["pid"] for l in open("p2.jsonl") if l.strip() and "lctk_part" not in l}
print(got == set(pids[1::3]))'
	assert_output True
	run -0 lcgen merge -o m.jsonl p3.jsonl p1.jsonl p2.jsonl
	[ "$(wc -l < one.jsonl)" -gt 1500 ]
	cmp one.jsonl m.jsonl
}

@test "candidates --shard over several inputs counts passages across the files" {
	head -50 "$D/corpus.jsonl" > a.jsonl
	sed -n 51,90p "$D/corpus.jsonl" > b.jsonl
	lcgen candidates --kinds full,lead,filter -o one.jsonl a.jsonl b.jsonl 2>/dev/null
	for k in 1 2 3 4; do lcgen candidates --kinds full,lead,filter --shard $k/4 -o p$k.jsonl a.jsonl b.jsonl 2>/dev/null; done
	lcgen merge -o m.jsonl p1.jsonl p2.jsonl p3.jsonl p4.jsonl
	cmp one.jsonl m.jsonl
}

@test "labels --shard K/N merged equal one process (BM25 over the whole corpus)" {
	lcgen candidates --kinds full,lead,filter -o cand.jsonl "$D/corpus.jsonl" 2>/dev/null
	head -60 "$D/queries.jsonl" > q.jsonl
	lcgen labels -c "$D/corpus.jsonl" -q q.jsonl -o one.jsonl cand.jsonl 2>/dev/null
	for k in 1 2; do lcgen labels --shard $k/2 -c "$D/corpus.jsonl" -q q.jsonl -o l$k.jsonl cand.jsonl 2>/dev/null; done
	run -0 head -1 l1.jsonl
	assert_output --partial '"program":"lcgen labels","shard":"1/2"'
	lcgen merge -o m.jsonl l2.jsonl l1.jsonl
	[ "$(wc -l < one.jsonl)" -gt 300 ]
	cmp one.jsonl m.jsonl
}

@test "candidates --endpoint and labels --llm: each task sends only its own requests; merged equal one process" {
	start_llm_server
	head -12 "$D/corpus.jsonl" > c.jsonl
	mkdir -p hotpotqa
	cp c.jsonl hotpotqa/corpus.jsonl
	python3 -c '
import json
pids = {json.loads(l)["pid"] for l in open("c.jsonl")}
for l in open("'"$D"'/queries.jsonl"):
    if all(a[0] in pids for a in json.loads(l)["answers"]): print(l, end="")' > q.jsonl
	[ "$(wc -l < q.jsonl)" -ge 2 ] || fail "too few queries with gold in the sample"
	lcgen candidates --kinds full,lead,llm --endpoint "$EP" --model m --no-cache -o one.jsonl c.jsonl 2>/dev/null
	n1=$(wc -l < "$T/server.log")
	[ "$n1" -ge 12 ] || fail "$n1 requests"
	grep -q '"name":"llm:m"' one.jsonl || fail "no LLM candidates"
	: > "$T/server.log"
	for k in 1 2 3; do
		lcgen candidates --kinds full,lead,llm --endpoint "$EP" --model m --no-cache --shard $k/3 -o p$k.jsonl c.jsonl 2>/dev/null
	done
	lcgen merge -o m.jsonl p1.jsonl p2.jsonl p3.jsonl
	cmp one.jsonl m.jsonl
	# the three tasks together sent the requests of one process, no more
	[ "$(wc -l < "$T/server.log")" -eq "$n1" ] || fail "$n1 requests for one process, $(wc -l < "$T/server.log") for the shards"
	lcgen labels --llm --endpoint "$EP" --model m --no-cache -c hotpotqa/corpus.jsonl -q q.jsonl -o lone.jsonl one.jsonl 2>/dev/null
	for k in 1 2; do
		lcgen labels --llm --endpoint "$EP" --model m --no-cache --shard $k/2 -c hotpotqa/corpus.jsonl -q q.jsonl \
			-o l$k.jsonl one.jsonl 2>/dev/null
	done
	lcgen merge -o lm.jsonl l1.jsonl l2.jsonl
	cmp lone.jsonl lm.jsonl
}

@test "merge refuses a missing, repeated, foreign or cut part, naming it; bad --shard usage" {
	head -30 "$D/corpus.jsonl" > c.jsonl
	for k in 1 2 3; do lcgen candidates --kinds full,lead --shard $k/3 -o p$k.jsonl c.jsonl 2>/dev/null; done
	run lcgen merge -o m.jsonl p1.jsonl p3.jsonl
	assert_failure 1
	assert_output "lcgen: shard 2/3 is missing: give all 3 parts (2 given); re-run that task (--shard 2/3) first"
	run lcgen merge -o m.jsonl p1.jsonl p2.jsonl p2.jsonl
	assert_failure 1
	assert_output "lcgen: shard 2/3 given twice (p2.jsonl and p2.jsonl)"
	lcgen candidates --kinds full --shard 2/3 -o other.jsonl c.jsonl 2>/dev/null
	run lcgen merge -o m.jsonl p1.jsonl other.jsonl p3.jsonl
	assert_failure 1
	assert_output --partial "come from different runs"
	# a part cut inside a group, and one missing whole groups
	head -n 5 p3.jsonl > cut.jsonl
	run lcgen merge -o m.jsonl p1.jsonl p2.jsonl cut.jsonl
	assert_failure 1
	assert_output --partial "cut.jsonl (shard 3/3) ends inside a group"
	# cut after a whole group: no end line (a task killed while writing '> part')
	awk 'NR == 1 || n < 3 { print } /^$/ { n++ }' p3.jsonl > short.jsonl
	run lcgen merge -o m.jsonl p1.jsonl p2.jsonl short.jsonl
	assert_failure 1
	assert_output --partial "short.jsonl (shard 3/3) has no end line: the part is cut short"
	# whole groups left out before the end line: the counts cannot come from one input
	{ cat short.jsonl; tail -n 1 p3.jsonl; } > fewer.jsonl
	run lcgen merge -o m.jsonl p1.jsonl p2.jsonl fewer.jsonl
	assert_failure 1
	assert_output --partial "fewer.jsonl (shard 3/3) has 3 records but p1.jsonl (shard 1/3) has 10"
	# lines after the end line
	{ cat p3.jsonl; sed -n 2p p3.jsonl; } > more.jsonl
	run lcgen merge -o m.jsonl p1.jsonl p2.jsonl more.jsonl
	assert_failure 1
	assert_output --partial "more.jsonl (shard 3/3) has lines after its end line"
	printf '%s\n' '{"qid":"q1","pid":"p1","name":"full","text":"x","tokens":1}' > cand.jsonl
	printf '%s\n' '{"qid":"q1","query_text":"x","answers":[["p1",1]]}' > q.jsonl
	printf '%s\n' '{"pid":"p1","title_text":"","passage_text":"x"}' > c1.jsonl
	lcgen labels --shard 1/3 -c c1.jsonl -q q.jsonl -o l1.jsonl cand.jsonl 2>/dev/null
	run lcgen merge -o m.jsonl p1.jsonl l1.jsonl p3.jsonl
	assert_failure 1
	assert_output "lcgen: l1.jsonl: a part of a 'lcgen labels --shard' run, not of lcgen candidates"
	run lcgen merge -o m.jsonl c.jsonl
	assert_failure 1
	assert_output --partial "c.jsonl:1: not a part written by 'lcgen candidates --shard K/N -o FILE'"
	assert_no_file m.jsonl
	run lcgen merge p1.jsonl
	assert_failure 2
	assert_output --partial "give the output with -o OUT"
	run lcgen candidates --shard 4/3 c.jsonl
	assert_failure 2
	assert_output --partial "--shard wants K/N with 1 <= K <= N (e.g. 2/8), not '4/3'"
	run lcgen candidates --kinds llm --model m --batch-out b.jsonl --shard 1/2 c.jsonl
	assert_failure 2
	assert_output --partial "a Batch file is split with 'lcbatch split'"
	assert_no_file b.jsonl
	run lcgen pairs --shard 1/2 -c c.jsonl cand.jsonl l1.jsonl
	assert_failure 2
}

@test "color.mk SCHEDULER=local|parallel SHARDS=N: candidates, labels and pairs byte-identical to one process" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed (make deps-test)"
	M="$ROOT/share/lctk/recipes/color.mk"
	run -0 make -s -f "$M" BIN="$BUILD/bin" OUT=one one/pairs.jsonl
	for s in "local 3" "parallel 2"; do
		set -- $s
		run -0 make -s -f "$M" BIN="$BUILD/bin" OUT=$1 SCHEDULER=$1 SHARDS=$2 $1/pairs.jsonl
		assert_output --partial "labels merge: COMPLETED"
		[ -f "$1/candidates.jsonl.parts/part-$2.jsonl" ] || fail "$1: no part $2"
		for f in candidates labels pairs; do
			cmp one/$f.jsonl $1/$f.jsonl
		done
	done
	[ "$(wc -l < one/labels.jsonl)" -gt 1000 ]
	# the default runs each stage as one process, no parts
	assert_no_file one/candidates.jsonl.parts
}

@test "merge --report: the parts' program, each shard's records (passages) and their sum" {
	head -60 "$D/corpus.jsonl" > c.jsonl
	for k in 1 2 3; do lcgen candidates --seed 4 --shard $k/3 -o p$k.jsonl c.jsonl 2>/dev/null; done
	lcgen merge -o m.jsonl --report r.json p2.jsonl p3.jsonl p1.jsonl
	# shard k holds passages k-1, k-1+3, ...: 20 each; one line per candidate in m.jsonl
	want=$(for k in 1 2 3; do grep -v lctk_part p$k.jsonl | jq -r .pid | sort -u | wc -l; done | jq -cs '.')
	run -0 jq -c '[.program, .subcommand, .parts_of, .shards, .merge, .per_shard, .records, .options.output]' r.json
	assert_output "[\"lcgen\",\"merge\",\"lcgen candidates\",3,\"groups\",$want,60,\"m.jsonl\"]"
}
