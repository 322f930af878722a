#!/usr/bin/env bats
load helpers
setup() { lctk_setup; V="$ROOT/tests/vectors/color"; }

@test "lcgen candidates: named compressions of each passage, with token lengths" {
	run lcgen candidates --random 1 "$V/corpus.jsonl"
	assert_success
	assert_line '{"pid":"p1","name":"title","text":"Quantum dots","tokens":3}'
	assert_line '{"pid":"p1","name":"lead-1","text":"Quantum dots are tiny semiconductor particles.","tokens":8}'
	assert_line '{"pid":"p1","name":"first","text":"Quantum dots tiny semiconductor particles. glow ultraviolet light. discovered 1981 Alexei Ekimov.","tokens":22}'
	# an empty passage has only itself; a one-sentence passage has no lead-k
	assert_line '{"pid":"p6","name":"full","text":"","tokens":0}'
	refute_line --partial '"pid":"p7","name":"lead-1"'
	# identical texts of one passage are written once
	[ "$(echo "$output" | grep -c '"pid":"p7"')" -eq "$(echo "$output" | grep '"pid":"p7"' | sort -u -t'"' -k12,12 | wc -l)" ]
}

@test "lcgen candidates: external summaries; same seed, same output; other seed differs" {
	run lcgen candidates --summaries "$V/summaries.jsonl" "$V/corpus.jsonl"
	assert_success
	assert_line --partial '{"pid":"p2","name":"summaries","text":"Solar panels turn sunlight into power."'
	assert_output --partial 'passages without an external summary'
	lcgen candidates --seed 5 "$V/corpus.jsonl" > a
	lcgen candidates --seed 5 "$V/corpus.jsonl" > b
	lcgen candidates --seed 6 --random 6 "$V/corpus.jsonl" > c
	cmp a b
	! cmp -s a c
}

@test "lcgen candidates --kinds selects the kinds written" {
	run lcgen candidates --kinds full,filter --summaries "$V/summaries.jsonl" "$V/corpus.jsonl"
	assert_success
	refute_output --partial '"name":"title"'
	refute_output --partial '"name":"lead-'
	refute_output --partial '"name":"summaries"'
	assert_output --partial '"name":"first"'
	run lcgen candidates --kinds full,nope "$V/corpus.jsonl"
	assert_failure 2
}

@test "lcgen labels: BM25 with the candidate in place of its gold passage" {
	lcgen candidates "$V/corpus.jsonl" > cand.jsonl
	run lcgen labels -c "$V/corpus.jsonl" -q "$V/queries.jsonl" -o labels.jsonl cand.jsonl
	assert_success
	assert_output --partial '1 query whose gold pid is not in the corpus skipped'
	run grep -c . labels.jsonl
	[ "$output" -gt 20 ]
	grep -q '{"qid":"q1","pid":"p1","name":"full","success":true,"rank":1,"tokens":30}' labels.jsonl
	# two gold passages: every candidate of each is labelled against both
	grep -q '"qid":"q4","pid":"p2"' labels.jsonl
	grep -q '"qid":"q4","pid":"p5"' labels.jsonl
}

@test "lcgen labels: a candidate that loses the query's terms fails" {
	printf '%s\n' '{"pid":"p1","name":"full","text":"Quantum dots are tiny semiconductor particles. The dots were discovered in 1981 by Alexei Ekimov.","tokens":20}' \
		'{"pid":"p1","name":"bad","text":"Nothing relevant here.","tokens":4}' > cand.jsonl
	printf '%s\n' '{"qid":"q1","query_text":"who discovered ekimov particles","answers":[["p1",1]]}' > q.jsonl
	printf '%s\n' '{"pid":"p1","title_text":"","passage_text":"Ekimov discovered particles long ago"}' '{"pid":"p2","title_text":"","passage_text":"Ekimov"}' > c.jsonl
	run lcgen labels -c c.jsonl -q q.jsonl cand.jsonl
	assert_success
	assert_line '{"qid":"q1","pid":"p1","name":"full","success":true,"rank":1,"tokens":20}'
	assert_line '{"qid":"q1","pid":"p1","name":"bad","success":false,"rank":0,"tokens":4}'
}

pairs_setup() {
	printf '%s\n' \
		'{"pid":"p1","name":"full","text":"F1 full text here","tokens":20}' \
		'{"pid":"p1","name":"short","text":"S1","tokens":3}' \
		'{"pid":"p1","name":"mid","text":"M1 mid","tokens":8}' \
		'{"pid":"p1","name":"longfail","text":"L1 long failing","tokens":12}' \
		'{"pid":"p3","name":"a","text":"A3","tokens":5}' \
		'{"pid":"p3","name":"b","text":"B3 b","tokens":9}' \
		'{"pid":"p4","name":"only","text":"O4","tokens":5}' > cand.jsonl
	printf '%s\n' \
		'{"qid":"q1","pid":"p1","name":"full","success":true}' \
		'{"qid":"q1","pid":"p1","name":"short","success":false}' \
		'{"qid":"q1","pid":"p1","name":"mid","success":true}' \
		'{"qid":"q1","pid":"p1","name":"longfail","success":false}' \
		'{"qid":"q2","pid":"p3","name":"a","success":false}' \
		'{"qid":"q2","pid":"p3","name":"b","success":false}' \
		'{"qid":"q3","pid":"p4","name":"only","success":true}' > labels.jsonl
}

@test "lcgen pairs: shortest successful vs longest failed, TRL conversational shape" {
	pairs_setup
	run lcgen pairs -c "$V/corpus.jsonl" -o pairs.jsonl cand.jsonl labels.jsonl
	assert_success
	assert_output --partial 'hard mode: 1 query-passage group without a successful candidate dropped'
	assert_output --partial '1 group where chosen == rejected skipped'
	run python3 -c '
import json
rows = [json.loads(l) for l in open("pairs.jsonl")]
assert len(rows) == 1, rows
r = rows[0]
assert r["prompt"].startswith("Summarize the following content. \nContent:\nQuantum dots are") and r["prompt"].endswith("\n Summary:")
assert [m["role"] for m in r["chosen"]] == ["user", "assistant"] and r["chosen"][0]["content"] == r["prompt"]
print(r["chosen"][1]["content"], r["rejected"][1]["content"], r["chosen_name"], r["rejected_name"], r["chosen_tokens"], r["rejected_tokens"], r["pid"], r["qid"])'
	assert_success
	assert_output 'M1 mid L1 long failing mid longfail 8 12 p1 q1'
}

@test "lcgen pairs --mode all: all failed -> shortest vs longest" {
	pairs_setup
	run lcgen pairs --mode all -c "$V/corpus.jsonl" cand.jsonl labels.jsonl
	assert_success
	assert_line --partial '"chosen_name":"a","rejected_name":"b","chosen_tokens":5,"rejected_tokens":9'
}

@test "lcgen pairs: a label naming an unknown candidate is an error with its line" {
	pairs_setup
	echo '{"qid":"q9","pid":"p1","name":"nope","success":true}' >> labels.jsonl
	run lcgen pairs -c "$V/corpus.jsonl" -o out.jsonl cand.jsonl labels.jsonl
	assert_failure 1
	assert_output --partial 'labels.jsonl:8'
	assert_output --partial "'nope'"
	assert_no_file out.jsonl
}

@test "lcgen probes: passkey prompts are seeded and hold their key" {
	run lcgen probes --lengths 200,300 --per-length 2 --seed 3
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	run python3 -c '
import json, subprocess
out = subprocess.run(["lcgen", "probes", "--lengths", "300", "--per-length", "3", "--seed", "3"], capture_output=True, text=True).stdout
for l in out.splitlines():
    r = json.loads(l)
    assert "The pass key is %s. Remember it. %s is the pass key." % (r["answer"], r["answer"]) in r["prompt"]
    assert r["prompt"].endswith("What is the pass key? The pass key is")
    assert 270 <= r["tokens"] <= 300, r["tokens"]
print("ok")'
	assert_output ok
	lcgen probes --seed 3 > a; lcgen probes --seed 3 > b; cmp a b
}

@test "lcgen probes --batch and --summarise write OpenAI Batch requests" {
	run lcgen probes --summarise "$V/corpus.jsonl" --batch gpt-4o-mini
	assert_success
	assert_line --index 0 --partial '{"custom_id":"p1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Summarize the following content. \nContent:\nQuantum dots'
	run lcgen probes --summarise "$V/corpus.jsonl"
	assert_failure 2
}

@test "lcgen: bad usage and bad input" {
	run lcgen
	assert_failure 2
	run lcgen frobnicate
	assert_failure 2
	run lcgen labels cand.jsonl
	assert_failure 2
	echo '{"pid":"p1","name":"x"}' > bad.jsonl
	run lcgen labels -c "$V/corpus.jsonl" -q "$V/queries.jsonl" bad.jsonl
	assert_failure 1
	assert_output --partial 'bad.jsonl:1'
}

@test "lcgen on LOFT scifact: pairs from retrieval labels" {
	need_shared data/loft/scifact/corpus.jsonl
	D="$SHARED/data/loft/scifact"
	lcgen candidates --summaries "$D/summaries/phi3_mini_4k.jsonl" -o cand.jsonl "$D/corpus.jsonl"
	lcgen labels -c "$D/corpus.jsonl" -q "$D/queries.jsonl" -o labels.jsonl cand.jsonl
	run lcgen pairs -c "$D/corpus.jsonl" -o pairs.jsonl cand.jsonl labels.jsonl
	assert_success
	# the full passage is labelled exactly as plain BM25 ranks it
	ok=$(grep '"name":"full"' labels.jsonl | grep -c '"success":true')
	all=$(grep -c '"name":"full"' labels.jsonl)
	[ "$all" -ge 250 ] && [ "$ok" -ge 190 ]
	[ "$(grep -c . pairs.jsonl)" -ge 150 ]
}
