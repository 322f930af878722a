#!/usr/bin/env bats
# lcgen --dry-run: the LLM requests of candidates (one summary per passage) and
# labels --llm (one LOFT prompt per candidate of a gold passage) are built and
# counted with the model's tokenizer before anything is paid for: the counts are
# those of the exact text a request would carry (checked against the Batch
# file's bodies, counted by lctok), the totals and cost are on stderr and in
# --report, and nothing reaches the server.
load helpers

setup() {
	lctk_llm_setup
	D="$LCTK_DATA/data/hotpotqa"
	# four queries, and one with two gold passages (the first two's)
	head -4 "$D/queries.jsonl" > queries.jsonl
	python3 -c '
import json
q = [json.loads(l) for l in open("queries.jsonl")]
print(json.dumps({"qid": "two", "query_text": "Which mouse lives in London?", "answers": q[0]["answers"] + q[1]["answers"]}))' >> queries.jsonl
	# the first 26 passages and the gold passages of those queries, in corpus order
	python3 - "$D/corpus.jsonl" > corpus.jsonl <<'PY'
import json, sys
gold = {a[0] for l in open("queries.jsonl") for a in json.loads(l)["answers"]}
for i, l in enumerate(open(sys.argv[1])):
    if i < 26 or json.loads(l)["pid"] in gold:
        print(l, end="")
PY
	mkdir -p hotpotqa
	cp corpus.jsonl hotpotqa/corpus.jsonl
}
teardown() { lctk_teardown; }

# batch_counts FILE ENC: "custom_id tokens" for every request body of a Batch file
batch_counts() {
	python3 - "$1" <<'PY' > contents.jsonl
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    print(json.dumps({"id": r["custom_id"], "text": r["body"]["messages"][0]["content"]}))
PY
	lctok count -e "$2" -o counts.jsonl contents.jsonl
	python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l); print(d["id"], d["n_tokens"])' < counts.jsonl
}

# dry_counts: "id tokens" for each request line of a dry run that is sent (not a repeat)
dry_counts() {
	python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("repeat"): continue
    i = d["id"] if "id" in d else d["pid"]
    print(i if isinstance(i, str) else json.dumps(i, separators=(",", ":"), ensure_ascii=False), d["prompt_tokens"])'
}

@test "candidates --dry-run: each summary prompt counted as lctok counts the Batch bodies; totals, cost and report" {
	lcgen candidates --kinds llm --model m --batch-out b.jsonl corpus.jsonl
	for enc in cl100k_base o200k_base; do
		run -0 --separate-stderr lcgen candidates --endpoint http://127.0.0.1:9/v1 --model m --dry-run -e "$enc" \
			--price-in 2 --price-out 10 --max-tokens 50 --report r.json corpus.jsonl
		printf '%s\n' "$output" | dry_counts > dry.txt
		batch_counts b.jsonl "$enc" > want.txt
		[ "$(wc -l < want.txt)" -eq "$(wc -l < corpus.jsonl)" ] || fail "expected one summary request per passage"
		cmp dry.txt want.txt || fail "$enc: dry-run counts differ from the Batch prompts"
	done
	total=$(awk '{ t += $2 } END { print t }' dry.txt)
	[[ "$stderr" == *"dry run of the summary requests"* ]] || fail "$stderr"
	n=$(wc -l < corpus.jsonl)
	[[ "$stderr" == *"dry run: $n requests, $total prompt tokens"* ]] || fail "$stderr"
	want=$(python3 -c "t=$total; print('%.4f' % (t*2/1e6 + $n*50*10/1e6))")
	[[ "$stderr" == *"cost at most $want"* ]] || fail "want cost $want: $stderr"
	run -0 python3 -c '
import json
d = json.load(open("r.json"))
print(d["subcommand"], d["dry_run"]["kind"], d["dry_run"]["requests"], d["dry_run"]["prompt_tokens"])'
	assert_output "candidates summary $n $total"
}

@test "labels --llm --dry-run: each label prompt counted as lctok counts the Batch bodies; a repeated prompt counted once" {
	lcgen candidates --kinds full,lead -o cand.jsonl corpus.jsonl 2>/dev/null
	lcgen labels --llm --model m --batch-out b.jsonl -c hotpotqa/corpus.jsonl -q queries.jsonl cand.jsonl 2>/dev/null
	run -0 --separate-stderr lcgen labels --llm --dry-run -e cl100k_base --price-in 1 \
		-c hotpotqa/corpus.jsonl -q queries.jsonl -o dry.jsonl cand.jsonl
	dry_counts < dry.jsonl > dry.txt
	# the unchanged passage ("full") of either gold passage of "two" is the same prompt
	[ "$(grep -c '"id":\["two",.*"repeat":true' dry.jsonl)" -eq 1 ] || fail "no repeated prompt: $(cat dry.jsonl)"
	batch_counts b.jsonl cl100k_base > want.txt
	[ "$(wc -l < want.txt)" -ge 8 ] || fail "too few label requests: $(wc -l < want.txt)"
	cmp dry.txt want.txt || fail "dry-run counts differ from the Batch prompts"
	n=$(wc -l < want.txt)
	total=$(awk '{ t += $2 } END { print t }' dry.txt)
	[[ "$stderr" == *"dry run of the label requests"* ]] || fail "$stderr"
	[[ "$stderr" == *"dry run: $n requests, $total prompt tokens"* ]] || fail "$stderr"
	want=$(python3 -c "print('%.4f' % ($total/1e6))")
	[[ "$stderr" == *"prompt cost $want"* ]] || fail "want $want: $stderr"
}

@test "a dry run sends nothing, even with an endpoint" {
	start_llm_server
	lcgen candidates --kinds full -o cand.jsonl corpus.jsonl 2>/dev/null
	run -0 --separate-stderr lcgen candidates --endpoint "$EP" --model m --dry-run -e cl100k_base corpus.jsonl
	[ "${#lines[@]}" -eq "$(wc -l < corpus.jsonl)" ]
	run -0 --separate-stderr lcgen labels --llm --endpoint "$EP" --model m --dry-run -e cl100k_base \
		-c hotpotqa/corpus.jsonl -q queries.jsonl cand.jsonl
	[ "${#lines[@]}" -ge 4 ]
	[ ! -s "$T/server.log" ] || fail "requests reached the server: $(cat "$T/server.log")"
}

@test "usage: --dry-run needs the LLM path and a named tokenizer, excludes Batch files; prices need --dry-run" {
	run -2 lcgen candidates --dry-run -e cl100k_base -o out.jsonl corpus.jsonl
	assert_output --partial "--dry-run counts the summary requests of --endpoint URL"
	run -2 lcgen candidates --endpoint http://127.0.0.1:9/v1 --model m --dry-run corpus.jsonl
	assert_output --partial "give -e NAME or --tokenizer FILE"
	run -2 lcgen candidates --endpoint http://127.0.0.1:9/v1 --model m --price-in 1 corpus.jsonl
	assert_output --partial "go with --dry-run"
	run -2 lcgen labels --dry-run -e cl100k_base -c corpus.jsonl -q queries.jsonl cand.jsonl
	assert_output --partial "--dry-run works with labels --llm only"
	run -2 lcgen labels --llm --dry-run -e cl100k_base --batch-out b.jsonl -c corpus.jsonl -q queries.jsonl cand.jsonl
	assert_output --partial "drop --batch-in/--batch-out"
	assert_no_file b.jsonl
	assert_no_file out.jsonl
}
