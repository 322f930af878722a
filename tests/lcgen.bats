#!/usr/bin/env bats
load helpers
setup() {
	lctk_setup
	V="$ROOT/tests/vectors/color"
	export XDG_CACHE_HOME="$T/xdg"
	unset LCTK_API_KEY OPENAI_API_KEY
	export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
}

teardown() { lctk_teardown; }

# llm_server [flags...]: tests/llm-server.py (the deterministic OpenAI-compatible
# server of lcretrieve-llm.bats: summaries = the first sentence; LOFT prompts =
# the block sharing most words with the query, ties to the lowest id) on an
# ephemeral port (helpers.bash: start_llm_server); sets EP; one line per HTTP
# request in $T/server.log.
llm_server() {
	start_llm_server --retry-after 0.1 "$@"
}

requests() {
	if [ -f "$T/server.log" ]; then wc -l <"$T/server.log" | tr -d ' '; else echo 0; fi
}

# a corpus where the server's choice is known: q1's words are in p10 (2) and p40 (1)
llm_corpus() {
	cat >c.jsonl <<'EOF2'
{"pid": "p10", "title_text": "Whales", "passage_text": "Humpback whales sing long songs in the ocean. They migrate far."}
{"pid": "p20", "title_text": "Bees", "passage_text": "Honey bees dance to tell the hive where flowers grow."}
{"pid": "p30", "title_text": "Volcanoes", "passage_text": "Lava erupts from volcanoes when magma pressure rises."}
{"pid": "p40", "title_text": "Big animals", "passage_text": "Blue whales are the largest animals."}
EOF2
	cat >q.jsonl <<'EOF2'
{"qid": "q1", "query_text": "why do whales sing", "answers": [["p10", 1]]}
{"qid": "q2", "query_text": "magma bees", "answers": [["p30", 1], ["p20", 1]]}
EOF2
	printf '%s\n' \
		'{"pid":"p10","name":"full","text":"Humpback whales sing long songs in the ocean. They migrate far.","tokens":14}' \
		'{"pid":"p10","name":"keeps","text":"Whales sing.","tokens":3}' \
		'{"pid":"p10","name":"loses","text":"Humpback songs.","tokens":4}' \
		'{"pid":"p20","name":"full","text":"Honey bees dance to tell the hive where flowers grow.","tokens":11}' \
		'{"pid":"p30","name":"full","text":"Lava erupts from volcanoes when magma pressure rises.","tokens":10}' >cand.jsonl
}

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

@test "lcgen pairs: a group that comes back, a candidate labelled twice and a non-boolean success are errors with their line" {
	pairs_setup
	# q1's group split by q2's: pairs would be built from two halves of it
	{ sed -n 1,2p labels.jsonl; sed -n 5,6p labels.jsonl; sed -n 3,4p labels.jsonl; } > split.jsonl
	run lcgen pairs -c "$V/corpus.jsonl" -o out.jsonl cand.jsonl split.jsonl
	assert_failure 1
	assert_output --partial "split.jsonl:5: labels of query 'q1' and pid 'p1' are not consecutive"
	assert_no_file out.jsonl
	# the same labels twice over (cat a b): every pair would be written twice
	cat labels.jsonl labels.jsonl > twice.jsonl
	run lcgen pairs -c "$V/corpus.jsonl" -o out.jsonl cand.jsonl twice.jsonl
	assert_failure 1
	assert_output --partial "twice.jsonl:8: labels of query 'q1' and pid 'p1' are not consecutive"
	{ sed -n 1,2p labels.jsonl; echo '{"qid":"q1","pid":"p1","name":"short","success":true}'; sed -n '3,$p' labels.jsonl; } > dup.jsonl
	run lcgen pairs -c "$V/corpus.jsonl" -o out.jsonl cand.jsonl dup.jsonl
	assert_failure 1
	assert_output --partial "dup.jsonl:3: candidate 'short' of pid 'p1' is labelled twice for query 'q1'"
	sed '2s/false/"no"/' labels.jsonl > str.jsonl
	run lcgen pairs -c "$V/corpus.jsonl" -o out.jsonl cand.jsonl str.jsonl
	assert_failure 1
	assert_output "lcgen: str.jsonl:2: field 'success': expected true or false (write labels with lcgen labels)"
	assert_no_file out.jsonl
}

@test "lcgen labels: a gold pid listed twice in answers is one gold passage" {
	lcgen candidates "$V/corpus.jsonl" > cand.jsonl
	head -1 "$V/queries.jsonl" > q1.jsonl
	python3 -c 'import json,sys; q=json.loads(open("q1.jsonl").read()); q["answers"]=q["answers"]*2; print(json.dumps(q))' > q2.jsonl
	lcgen labels -c "$V/corpus.jsonl" -q q1.jsonl -o a.jsonl cand.jsonl
	lcgen labels -c "$V/corpus.jsonl" -q q2.jsonl -o b.jsonl cand.jsonl
	[ -s a.jsonl ]
	cmp a.jsonl b.jsonl
}

@test "lcgen probes: passkey prompts are seeded and hold their key" {
	run lcgen probes --lengths 200,300 --per-length 2 --seed 3
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	run -0 python3 -c '
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

@test "lcgen probes --model and --summarise write OpenAI Batch requests" {
	run lcgen probes --summarise "$V/corpus.jsonl" --model gpt-4o-mini
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

@test "lcgen: bad option values are usage errors in the subcommand's words; an option is checked by the subcommand it is given to" {
	usage() { printf '%s\nTry '"'"'lcgen %s--help'"'"' for more information.' "$1" "$2"; }
	run -2 --separate-stderr lcgen candidates --random 1001 "$V/corpus.jsonl"
	assert_equal "$stderr" "lcgen: option --random: '1001' is not a whole number from 0 to 1000"
	run -2 --separate-stderr lcgen candidates -e cl100k_base --tokenizer t.json "$V/corpus.jsonl"
	assert_equal "$stderr" "$(usage "lcgen: give one of -e NAME and --tokenizer FILE" "candidates ")"
	run -2 --separate-stderr lcgen candidates --skip-bad --verbose "$V/corpus.jsonl"
	assert_equal "$stderr" "$(usage "lcgen: --skip-bad works with llm candidates only: add llm to --kinds, with --endpoint URL --model NAME (or --batch-in FILE / --batch-out FILE)" "candidates ")"
	run -2 --separate-stderr lcgen candidates --endpoint http://127.0.0.1:9/v1 --skip-bad "$V/corpus.jsonl"
	assert_equal "$stderr" "$(usage "lcgen: LLM candidates need --model NAME" "candidates ")"
	# the first LLM option given is the one named
	run -2 --separate-stderr lcgen labels --few-shot f.jsonl --model m -c "$V/corpus.jsonl" -q "$V/queries.jsonl" cand.jsonl
	assert_equal "$stderr" "$(usage "lcgen: --few-shot works with labels --llm only" "labels ")"
	run -2 --separate-stderr lcgen labels --context-limit 0 -c "$V/corpus.jsonl" -q "$V/queries.jsonl" cand.jsonl
	assert_equal "$stderr" "lcgen: option --context-limit: '0' is not a whole number from 1 to 1099511627776"
	run -2 --separate-stderr lcgen pairs --mode soft -c "$V/corpus.jsonl" cand.jsonl labels.jsonl
	assert_equal "$stderr" "$(usage "lcgen: --mode: expected hard or all, got 'soft'" "pairs ")"
	run -2 --separate-stderr lcgen pairs --selection ours -c "$V/corpus.jsonl" cand.jsonl labels.jsonl
	assert_equal "$stderr" "$(usage "lcgen: --selection: expected lctk or released, got 'ours'" "pairs ")"
	run -2 --separate-stderr lcgen probes --max-tokens 20 --temperature 0.5
	assert_equal "$stderr" "$(usage "lcgen: --max-tokens goes with probes --model NAME" "probes ")"
	# before the subcommand an option is not parsed into any subcommand's settings
	run -2 --separate-stderr lcgen --random zz candidates "$V/corpus.jsonl"
	assert_equal "$stderr" "$(usage "lcgen: expected a subcommand: candidates, labels, pairs, probes or merge" "")"
	assert_output ""
}

@test "lcgen candidates --endpoint: the LLM summary is a candidate with its token length, cached" {
	llm_server
	run lcgen candidates --kinds full,llm --endpoint "$EP" --model m -o cand.jsonl "$V/corpus.jsonl"
	assert_success
	assert_output 'lcgen: LLM m: 6 requests, 0 from the cache, 0 retries'   # the empty passage is not sent
	n=$(requests)
	[ "$n" -ge 6 ]
	run grep '"name":"llm:m"' cand.jsonl
	assert_line --index 0 '{"pid":"p1","name":"llm:m","text":"Quantum dots are tiny semiconductor particles.","tokens":8}'
	assert_line --index 1 '{"pid":"p2","name":"llm:m","text":"Solar panels convert sunlight into electricity.","tokens":7}'
	# p7's summary is its whole one-sentence passage: written once, as "full"
	[ "${#lines[@]}" -eq 5 ]
	# the token count is lctok's count of the text
	[ "$(echo 'Solar panels convert sunlight into electricity.' | lctok count -e cl100k_base --text)" = 7 ]
	# a re-run: no request, the same bytes
	run -0 lcgen candidates --kinds full,llm --endpoint "$EP" --model m -o cand2.jsonl "$V/corpus.jsonl"
	assert_output 'lcgen: LLM m: 6 requests, 6 from the cache, 0 retries'
	[ "$(requests)" -eq "$n" ]
	cmp cand.jsonl cand2.jsonl
	# with every kind, the LLM summary comes last and duplicates of lead-1 are dropped
	lcgen candidates --endpoint "$EP" --model m "$V/corpus.jsonl" 2>/dev/null >all.jsonl
	[ "$(requests)" -eq "$n" ]
	grep -q '"pid":"p1","name":"lead-1","text":"Quantum dots are tiny semiconductor particles."' all.jsonl
	! grep -q '"pid":"p1","name":"llm:m"' all.jsonl
	# "all" may head a list (the recipe appends ",llm")
	lcgen candidates --kinds all,llm --endpoint "$EP" --model m "$V/corpus.jsonl" 2>/dev/null >all2.jsonl
	cmp all.jsonl all2.jsonl
}

@test "lcgen candidates --batch-out / --batch-in: OpenAI Batch files give the same candidates" {
	llm_server
	lcgen candidates --kinds full,llm --endpoint "$EP" --model m "$V/corpus.jsonl" 2>/dev/null >http.jsonl
	run lcgen candidates --kinds full,llm --model m --batch-out req.jsonl "$V/corpus.jsonl"
	assert_success
	assert_no_stdout
	[ "$(grep -c . req.jsonl)" -eq 6 ]
	assert_equal "$(head -1 req.jsonl | cut -c1-60)" '{"custom_id":"p1","method":"POST","url":"/v1/chat/completion'
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res.jsonl
	lcgen candidates --kinds full,llm --model m --batch-in res.jsonl "$V/corpus.jsonl" >batch.jsonl
	cmp http.jsonl batch.jsonl
	# a per-request error fails the run unless --skip-bad
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res2.jsonl --batch-fail p3
	run lcgen candidates --kinds full,llm --model m --batch-in res2.jsonl -o out.jsonl "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial "lcgen: passage 'p3': batch error server_error: injected batch failure"
	assert_output --partial "1 of 6 LLM summaries failed (first: passage 'p3')"
	assert_no_file out.jsonl
	run lcgen candidates --kinds full,llm --model m --batch-in res2.jsonl --skip-bad -o out.jsonl "$V/corpus.jsonl"
	assert_success
	assert_output --partial '1 LLM summaries failed; those passages have no llm candidate'
	[ "$(grep -c '"name":"llm:m"' out.jsonl)" -eq 4 ]
	# p3 resubmitted and its result appended: the answer replaces the failure
	{ cat res2.jsonl; grep '"p3"' res.jsonl; } > res3.jsonl
	lcgen candidates --kinds full,llm --model m --batch-in res3.jsonl "$V/corpus.jsonl" >retried.jsonl
	cmp http.jsonl retried.jsonl
}

@test "lcgen candidates --endpoint: server down, HTTP 500 after retries, malformed replies" {
	run lcgen candidates --kinds full,llm --endpoint http://127.0.0.1:9/v1 --model m --retries 1 --backoff 0.01 -o out.jsonl "$V/corpus.jsonl"
	assert_failure 1
	# every request refused the same way: one message after 3, nothing more sent (issue 10 §4)
	assert_output --partial "3 requests in a row failed the same way: http://127.0.0.1:9/v1/chat/completions: Couldn't connect to server; nothing more sent"
	refute_output --partial "lcgen: passage 'p1': "
	assert_no_file out.jsonl
	llm_server --fault 500:3
	run lcgen candidates --kinds full,llm --endpoint "$EP" --model m --retries 2 --backoff 0.01 -o out.jsonl "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial "HTTP 500: injected status 500 (after 3 attempts)"
	assert_output --partial "answers received are cached: re-run to resume"
	assert_no_file out.jsonl
	[ "$(requests)" -ge 18 ]
	stop_llm_server
	rm -f server.log
	llm_server --fault malformed:5
	run lcgen candidates --kinds full,llm --endpoint "$EP" --model m --retries 1 --backoff 0.01 -o out.jsonl "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial "malformed JSON in the reply"
	assert_no_file out.jsonl
}

@test "lcgen labels --llm: the LLM judges each candidate in place of its gold passage" {
	llm_corpus
	llm_server
	run lcgen labels --llm --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o labels.jsonl cand.jsonl
	assert_success
	assert_output --partial '5 labels: 2 successful, 3 failed'
	# 4 requests: q2's two "full" prompts are the same (the unchanged corpus): sent once
	n=$(requests)
	[ "$n" -eq 4 ]
	run cat labels.jsonl
	assert_line --index 0 '{"qid":"q1","pid":"p10","name":"full","success":true,"rank":1,"tokens":14}'
	assert_line --index 1 '{"qid":"q1","pid":"p10","name":"keeps","success":true,"rank":1,"tokens":3}'
	# without the query's words the server picks p40: a failure
	assert_line --index 2 '{"qid":"q1","pid":"p10","name":"loses","success":false,"rank":0,"tokens":4}'
	# two gold passages and one id answered (p20, the lower of two ties): LOFT's rule fails it
	assert_line --index 3 '{"qid":"q2","pid":"p30","name":"full","success":false,"rank":0,"tokens":10}'
	assert_line --index 4 '{"qid":"q2","pid":"p20","name":"full","success":false,"rank":1,"tokens":11}'
	# the cache: a re-run sends nothing and writes the same bytes
	lcgen labels --llm --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o labels2.jsonl cand.jsonl 2>/dev/null
	[ "$(requests)" -eq "$n" ]
	cmp labels.jsonl labels2.jsonl
	# BM25 labels of the same candidates differ where BM25 and the LLM disagree
	run -0 lcgen labels -c c.jsonl -q q.jsonl cand.jsonl
	assert_line --index 3 --partial '"qid":"q2","pid":"p30","name":"full","success":true'
}

@test "lcgen labels --llm --context N: the gold passages and BM25's top N others only" {
	llm_corpus
	llm_server
	# --context 0: the gold passage alone, so even the losing candidate is found
	run lcgen labels --llm --context 0 --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl cand.jsonl
	assert_success
	assert_line '{"qid":"q1","pid":"p10","name":"loses","success":true,"rank":1,"tokens":4}'
	# --context 1: p40 (BM25's best other passage for q1) comes in and wins
	run -0 lcgen labels --llm --context 1 --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl cand.jsonl
	assert_line '{"qid":"q1","pid":"p10","name":"loses","success":false,"rank":0,"tokens":4}'
	# --context-limit: every prompt is counted first; one too long stops the run before any request
	n=$(requests)
	run lcgen labels --llm --context-limit 280 --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_failure 1
	assert_output --regexp "lcgen: request \[\"q1\",\"p10\",\"full\"\]: the prompt is [0-9]+ tokens, over --context-limit 280; use --context N"
	assert_no_file l.jsonl
	[ "$(requests)" -eq "$n" ]
	run lcgen labels --llm --context 0 --context-limit 280 --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl cand.jsonl
	assert_success
	# the Batch file shows the prompts: rows renumbered, the candidate swapped in, p20/p30 absent
	run lcgen labels --llm --context 1 --prompt default --model m --batch-out b.jsonl -c c.jsonl -q q.jsonl cand.jsonl
	assert_success
	[ "$(grep -c . b.jsonl)" -eq 4 ]   # q2's two "full" prompts are one request
	run -0 python3 -c '
import json
rows = [json.loads(l) for l in open("b.jsonl")]
print(rows[2]["custom_id"])
p = rows[2]["body"]["messages"][0]["content"]
print([l for l in p.splitlines() if l.startswith("ID: ")])'
	assert_line --index 0 '["q1","p10","loses"]'
	assert_line --index 1 "['ID: 0 | TITLE: Whales | CONTENT: Humpback songs. | END ID: 0', 'ID: 1 | TITLE: Big animals | CONTENT: Blue whales are the largest animals. | END ID: 1']"
	# Batch results give the same labels as HTTP
	lcgen labels --llm --context 1 --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o http.jsonl cand.jsonl 2>/dev/null
	python3 "$ROOT/tests/llm-server.py" --batch b.jsonl res.jsonl
	lcgen labels --llm --context 1 --prompt default --model m --batch-in res.jsonl -c c.jsonl -q q.jsonl -o batch.jsonl cand.jsonl 2>/dev/null
	cmp http.jsonl batch.jsonl
}

@test "lcgen labels --llm: failed requests, --skip-bad, bad usage" {
	llm_corpus
	run lcgen labels --llm --prompt default --endpoint http://127.0.0.1:9/v1 --model m --retries 0 -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_failure 1
	assert_output --partial "3 requests in a row failed the same way: http://127.0.0.1:9/v1/chat/completions: Couldn't connect to server; nothing more sent"
	refute_output --partial "lcgen: request [\"q1\",\"p10\",\"full\"]: "
	assert_no_file l.jsonl
	llm_server --fault 500:2
	run lcgen labels --llm --prompt default --endpoint "$EP" --model m --retries 1 --backoff 0.01 -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_failure 1
	assert_output --partial "HTTP 500: injected status 500 (after 2 attempts)"
	assert_no_file l.jsonl
	stop_llm_server
	llm_server --fault malformed:3
	run lcgen labels --llm --prompt default --endpoint "$EP" --model m --retries 1 --backoff 0.01 -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_failure 1
	assert_output --partial "malformed JSON in the reply"
	assert_no_file l.jsonl
	stop_llm_server
	llm_server
	# one request that always fails (400): --skip-bad writes the others and counts it
	printf '%s\n' '{"pid":"p30","name":"bad","text":"[[status:400]] magma","tokens":2}' >>cand.jsonl
	run lcgen labels --llm --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_failure 1
	assert_output --partial "HTTP 400"
	assert_no_file l.jsonl
	run lcgen labels --llm --skip-bad --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_success
	assert_output --partial '1 labels without an LLM answer skipped'
	[ "$(grep -c . l.jsonl)" -eq 5 ]
	# an answer without a Final Answer list is a failure, counted
	printf '%s\n' '{"pid":"p30","name":"odd","text":"[[reply:no idea]]","tokens":2}' >>cand.jsonl
	run lcgen labels --llm --skip-bad --prompt default --endpoint "$EP" --model m -c c.jsonl -q q.jsonl -o l.jsonl cand.jsonl
	assert_success
	assert_output --partial '1 of 6 LLM answers gave no usable prediction'
	grep -q '"name":"odd","success":false,"rank":0' l.jsonl
	# usage
	run lcgen labels --llm --prompt default --model m -c c.jsonl -q q.jsonl cand.jsonl
	assert_failure 2
	assert_output --partial 'needs --endpoint URL'
	run lcgen labels --llm --prompt default --endpoint "$EP" -c c.jsonl -q q.jsonl cand.jsonl
	assert_failure 2
	run lcgen labels --context 3 -c c.jsonl -q q.jsonl cand.jsonl
	assert_failure 2
	run lcgen labels --endpoint "$EP" --model m -c c.jsonl -q q.jsonl cand.jsonl
	assert_failure 2
	run lcgen pairs --llm -c c.jsonl cand.jsonl l.jsonl
	assert_failure 2
	run lcgen candidates --model m "$V/corpus.jsonl"
	assert_failure 2
	run lcgen candidates --endpoint "$EP" --model m --few-shot q.jsonl "$V/corpus.jsonl"
	assert_failure 2
	run lcgen candidates --kinds full,llm "$V/corpus.jsonl"
	assert_failure 2
	run lcgen candidates --kinds all,llm "$V/corpus.jsonl"
	assert_failure 2
	assert_output --partial '--kinds llm needs --endpoint'
	run lcgen candidates --kinds all "$V/corpus.jsonl"
	assert_success
	run lcgen candidates --kinds full --endpoint "$EP" --model m "$V/corpus.jsonl"
	assert_failure 2
	run lcgen labels --llm --prompt default --endpoint ftp://x --model m -c c.jsonl -q q.jsonl cand.jsonl
	assert_failure 2
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
	[ "$all" -ge 250 ] || fail "$all full candidates labelled"
	[ "$ok" -ge 190 ] || fail "$ok of $all full candidates successful"
	[ "$(grep -c . pairs.jsonl)" -ge 150 ]
}

@test "color.mk with ENDPOINT, LLM_MODEL, LLM_LABELS, LLM_CONTEXT runs lcgen with the LLM (dry run)" {
	mkdir d
	cp "$ROOT/share/lctk/data/hotpotqa/few_shot_queries.jsonl" d/
	touch d/corpus.jsonl d/queries.jsonl
	run make -n -f "$ROOT/share/lctk/recipes/color.mk" DATA=d OUT=o ENDPOINT=http://h/v1 LLM_MODEL=m \
		LLM_LABELS=1 LLM_CONTEXT=5 o/labels.jsonl
	assert_success
	assert_line --partial 'lcgen candidates --seed 1 --kinds full,filter,model,external,llm --endpoint http://h/v1 --model m '
	assert_line --regexp 'lcgen labels --llm --endpoint http://h/v1 --model m --context 5 --few-shot d/few_shot_queries.jsonl +-c d/corpus.jsonl'
	# without them: the embedded pipeline as before
	run -0 make -n -f "$ROOT/share/lctk/recipes/color.mk" DATA=d OUT=o o/labels.jsonl
	assert_line --regexp 'lcgen candidates --seed 1 --kinds full,filter,model,external +-o o/candidates.jsonl'
	assert_line --regexp 'lcgen labels +-c d/corpus.jsonl'
}

@test "lcgen labels --llm: the prompt template is said; a corpus path that names no LOFT dataset is refused, a named one is used" {
	lctk_llm_setup
	printf '%s\n' '{"pid":"p1","title_text":"","passage_text":"Cats purr."}' '{"pid":"p2","title_text":"","passage_text":"Dogs bark."}' > c.jsonl
	printf '%s\n' '{"qid":"q1","query_text":"what purrs?","answers":[["p1",1]]}' > q.jsonl
	printf '%s\n' '{"qid":"q1","pid":"p1","name":"lead","text":"Cats.","tokens":2}' > cand.jsonl
	run -2 lcgen labels --llm --model m --batch-out b.jsonl -c c.jsonl -q q.jsonl cand.jsonl
	assert_output --partial "cannot tell which LOFT dataset c.jsonl holds"
	assert_output --partial "--prompt NAME"
	assert_no_file b.jsonl
	mkdir -p fiqa
	cp c.jsonl fiqa/corpus.jsonl
	run -0 --separate-stderr lcgen labels --llm --model m --batch-out b.jsonl -c fiqa/corpus.jsonl -q q.jsonl cand.jsonl
	[[ "$stderr" == *"prompt template: fiqa (named by the corpus path"* ]] || fail "$stderr"
	run -0 --separate-stderr lcgen labels --llm --prompt default --model m --batch-out b2.jsonl -c c.jsonl -q q.jsonl cand.jsonl
	[[ "$stderr" == *"prompt template: default (--prompt)"* ]] || fail "$stderr"
	run -1 cmp -s b.jsonl b2.jsonl
}

@test "lcgen: each subcommand has its own options; completions offer them after its name" {
	run -2 lcgen pairs --kinds full -c c.jsonl cand.jsonl labels.jsonl
	assert_output --partial "unknown option --kinds"
	run -2 lcgen probes --endpoint http://127.0.0.1:9/v1
	assert_output --partial "unknown option --endpoint"
	run -0 lcgen probes --help
	assert_line --partial -- "--lengths N,N,..."
	refute_output --partial -- "--kinds"
	# lcgen --help lists every subcommand's options once
	run -0 lcgen --help
	[ "$(grep -c -- '--seed N' <<<"$output")" -eq 1 ]
	run -0 bash -c 'source "$1/completions/lctk.bash"; COMP_WORDS=(lcgen probes --); COMP_CWORD=2; _lcgen
		printf "%s\n" "${COMPREPLY[@]}"' sh "$ROOT"
	assert_line -- --lengths
	refute_line -- --kinds
	run -0 bash -c 'source "$1/completions/lctk.bash"; COMP_WORDS=(lcgen candidates --k); COMP_CWORD=2; _lcgen
		printf "%s\n" "${COMPREPLY[@]}"' sh "$ROOT"
	assert_output -- --kinds
}

@test "lcgen candidates: random subsets are lib/core/rng draws (xoshiro256**, stream = FNV-1a of the pid), as a reference computes them" {
	printf '%s\n' '{"pid":"a1","title_text":"T","passage_text":"Alpha one. Bravo two. Charlie three. Delta four. Echo five."}' \
		'{"pid":"b2","title_text":"T","passage_text":"Golf one. Hotel two. India three."}' \
		'{"pid":"c3","title_text":"T","passage_text":"Juliet one. Kilo two. Lima three. Mike four. November five. Oscar six. Papa seven."}' > rc.jsonl
	run -0 lcgen candidates --kinds random --random 5 --seed 7 -o got.jsonl rc.jsonl
	# the reference: splitmix64 seeding, xoshiro256**, Lemire's bounded draw (lib/core/rng.c's
	# published algorithms), the top bit of a draw keeps a sentence; identical texts once
	python3 - rc.jsonl 7 5 > want.jsonl <<'PY'
import json, sys
M = (1 << 64) - 1
def splitmix(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    z = x
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return x, z ^ (z >> 31)
def seed(s):
    st = []
    for _ in range(4):
        s, v = splitmix(s); st.append(v)
    return st
def seed2(s, stream):
    _, a = splitmix(s)
    return seed(a ^ ((stream * 0xd1342543de82ef95 + 0x2545f4914f6cdd1d) & M))
rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
def nxt(s):
    out = (rotl((s[1] * 5) & M, 7) * 9) & M
    t = (s[1] << 17) & M
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
    return out
def below(s, n):
    m = nxt(s) * n
    if (m & M) < n:
        t = ((1 << 64) - n) % n
        while (m & M) < t:
            m = nxt(s) * n
    return m >> 64
def fnv(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & M
    return h
path, sd, nr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for l in open(path):
    p = json.loads(l)
    sents = [s + "." for s in p["passage_text"][:-1].split(". ")]
    st, seen = seed2(sd, fnv(p["pid"].encode())), set()
    for r in range(nr):
        keep = [nxt(st) >> 63 for _ in sents]
        if not any(keep):
            keep[below(st, len(sents))] = 1
        text = " ".join(s for s, k in zip(sents, keep) if k)
        if text not in seen:
            seen.add(text)
            print(json.dumps({"pid": p["pid"], "name": "random-%d" % (r + 1), "text": text}))
PY
	run -0 python3 -c '
import json, sys
for l in open("got.jsonl"):
    d = json.loads(l); del d["tokens"]; print(json.dumps(d))' 
	[ "$(wc -l < want.jsonl)" -ge 10 ] || fail "too few reference subsets"
	diff <(printf '%s\n' "$output") want.jsonl
}

@test "lcgen --quiet (candidates, labels, pairs): no summaries or prompt template line; the output and the skip counts stay" {
	llm_corpus
	llm_server
	mkdir -p fiqa
	cp c.jsonl fiqa/c.jsonl
	run -0 --separate-stderr lcgen labels --llm --endpoint "$EP" --model m -c fiqa/c.jsonl -q q.jsonl -o l1.jsonl cand.jsonl
	[[ "$stderr" == *"prompt template: fiqa"* ]] || fail "no template line without --quiet: $stderr"
	[[ "$stderr" == *"5 labels: "* ]] || fail "no labels summary without --quiet: $stderr"
	run -0 --separate-stderr lcgen labels --llm --quiet --endpoint "$EP" --model m -c fiqa/c.jsonl -q q.jsonl -o l2.jsonl cand.jsonl
	assert_equal "$stderr" ""
	cmp l1.jsonl l2.jsonl
	run -0 --separate-stderr lcgen labels --quiet -c c.jsonl -q q.jsonl -o bm25.jsonl cand.jsonl
	assert_equal "$stderr" ""
	run -0 --separate-stderr lcgen candidates --kinds full,llm --endpoint "$EP" --model m --quiet -o cands.jsonl c.jsonl
	assert_equal "$stderr" ""
	grep -q '"name":"llm:m"' cands.jsonl
	run -0 --separate-stderr lcgen pairs --quiet -c c.jsonl cand.jsonl l1.jsonl
	[ -n "$output" ] || fail "no pairs written"
	# the "N pairs" summary is gone, the count of groups dropped stays
	assert_equal "$stderr" "lcgen: hard mode: 2 query-passage groups without a successful candidate dropped"
	# counts of what was skipped or dropped remain
	printf '%s\n' '{"qid": "q9", "query_text": "no answers"}' >> q.jsonl
	run -0 --separate-stderr lcgen labels --quiet -c c.jsonl -q q.jsonl -o bm25b.jsonl cand.jsonl
	assert_equal "$stderr" "lcgen: warning: 1 query without answers skipped"
}

@test "lcgen candidates: the LLM options without an LLM kind are refused by name, not with a demand for --model" {
	llm_corpus
	local o
	for o in --skip-bad --verbose "--temperature 0.5" "--parallel 2" --no-cache; do
		run -2 lcgen candidates --kinds full,lead $o c.jsonl
		assert_output --partial "${o%% *} works with llm candidates only"
		refute_output --partial "need --model"
	done
	# with an LLM kind they work as before
	llm_server
	run -0 --separate-stderr lcgen candidates --kinds full,llm --endpoint "$EP" --model m --skip-bad --verbose \
		--temperature 0.5 --parallel 2 --no-cache -o cands.jsonl c.jsonl
	grep -q '"name":"llm:m"' cands.jsonl
	# and the help says what lcgen's --skip-bad does: failed requests, not bad records
	run -0 lcgen candidates --help
	assert_line --regexp '^ +--skip-bad +LLM: .*requests'
	refute_line --regexp '^ +--skip-bad .*records'
	run -0 lcretrieve --help
	assert_line --regexp '^ +--skip-bad +LLM: .*requests'
	refute_line --regexp '^ +--skip-bad .*records'
	run -0 lctok --help
	assert_line --regexp '^ +--skip-bad +skip bad records'
}
