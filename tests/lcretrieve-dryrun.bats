#!/usr/bin/env bats
# lcretrieve --llm --dry-run: every prompt built and counted with the model's
# tokenizer before anything is paid for; the counts are those of the exact text a
# request would carry (checked against the Batch file's bodies); nothing is sent.
load helpers

setup() {
	lctk_llm_setup
	D="$LCTK_DATA/data/hotpotqa"
	head -40 "$D/corpus.jsonl" > corpus.jsonl
	head -5 "$D/queries.jsonl" > queries.jsonl
	head -2 "$D/few_shot_queries.jsonl" > few.jsonl
}
teardown() { lctk_teardown; }

# batch_counts FILE ENC: "qid tokens" for every request body of a Batch file
batch_counts() {
	python3 - "$1" <<'PY' > contents.jsonl
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    print(json.dumps({"qid": r["custom_id"], "text": r["body"]["messages"][0]["content"]}))
PY
	lctok count -e "$2" -o counts.jsonl contents.jsonl
	python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l); print(d["qid"], d["n_tokens"])' < counts.jsonl
}

@test "per-query prompt tokens equal the counts of the prompts a Batch file carries" {
	for enc in cl100k_base o200k_base; do
		run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa --few-shot few.jsonl \
			--few-shot-corpus "$D/few_shot_corpus.jsonl" -e "$enc" --dry-run queries.jsonl
		printf '%s\n' "$output" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l); print(d["qid"], d["prompt_tokens"])' > dry.txt
		run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa --few-shot few.jsonl \
			--few-shot-corpus "$D/few_shot_corpus.jsonl" --model m --batch-out b.jsonl queries.jsonl
		batch_counts b.jsonl "$enc" > want.txt
		[ "$(wc -l < want.txt)" -eq 5 ] || fail "expected 5 requests"
		cmp dry.txt want.txt || fail "$enc: dry-run counts differ from the Batch prompts"
	done
}

@test "totals, mean, max and cost on stderr; --fit with --context-limit counts the fitted prompts" {
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa -e cl100k_base --dry-run \
		--price-in 2 --price-out 10 --max-tokens 50 queries.jsonl
	total=$(printf '%s\n' "$output" | python3 -c 'import json,sys; print(sum(json.loads(l)["prompt_tokens"] for l in sys.stdin))')
	[[ "$stderr" == *"dry run: 5 requests, $total prompt tokens"* ]] || fail "$stderr"
	# cost: total * 2 / 1e6 + 5 * 50 * 10 / 1e6
	want=$(python3 -c "t=$total; print('%.4f' % (t*2/1e6 + 5*50*10/1e6))")
	[[ "$stderr" == *"cost at most $want"* ]] || fail "want cost $want: $stderr"
	[[ "$stderr" == *"nothing sent"* ]] || fail "$stderr"
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa -e cl100k_base --dry-run \
		--context-limit 1500 --fit queries.jsonl
	printf '%s\n' "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 5, rows
for r in rows:
    assert r["prompt_tokens"] <= 1500, r
    assert 0 < r["passages"] < 40, r
print("ok")' || fail "fitted prompts: $output"
}

@test "a dry run sends nothing, even with an endpoint" {
	start_llm_server
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa -e cl100k_base --dry-run \
		--endpoint "$EP" --model m queries.jsonl
	[ "${#lines[@]}" -eq 5 ]
	[ ! -s "$T/server.log" ] || fail "requests reached the server: $(cat "$T/server.log")"
}

@test "usage: --dry-run needs -e, excludes Batch files; prices need --dry-run" {
	run -2 lcretrieve --llm -c corpus.jsonl --template hotpotqa --dry-run queries.jsonl
	assert_output --partial "--dry-run counts prompts with the model's tokenizer"
	run -2 lcretrieve --llm -c corpus.jsonl --template hotpotqa -e cl100k_base --dry-run --batch-out b.jsonl queries.jsonl
	assert_output --partial "drop --batch-in/--batch-out"
	run -2 lcretrieve --llm -c corpus.jsonl --template hotpotqa --model m --endpoint http://127.0.0.1:9/v1 \
		--price-in 1 queries.jsonl
	assert_output --partial "go with --dry-run"
	run -2 lcretrieve --llm -c corpus.jsonl --template hotpotqa -e cl100k_base --dry-run --price-in -1 queries.jsonl
	assert_output --partial "option --price-in"
}

@test "the dry run counts with a SentencePiece tokenizer.json too" {
	need_shared vocab/hf/mistral/tokenizer.json
	M="$SHARED/vocab/hf/mistral/tokenizer.json"
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa -e "$M" --dry-run queries.jsonl
	printf '%s\n' "$output" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l); print(d["qid"], d["prompt_tokens"])' > dry.txt
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template hotpotqa --model m --batch-out b.jsonl queries.jsonl
	python3 - b.jsonl <<'PY' > contents.jsonl
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    print(json.dumps({"qid": r["custom_id"], "text": r["body"]["messages"][0]["content"]}))
PY
	lctok count --tokenizer "$M" -o counts.jsonl contents.jsonl
	python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l); print(d["qid"], d["n_tokens"])' < counts.jsonl > want.txt
	cmp dry.txt want.txt
}
