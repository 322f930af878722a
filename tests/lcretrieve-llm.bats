#!/usr/bin/env bats
# lcretrieve --llm: corpus-in-context retrieval against tests/llm-server.py, a
# deterministic OpenAI-compatible server on 127.0.0.1 (ephemeral port) that picks
# the passage sharing most words with the query and can inject 429 (Retry-After),
# 500, slow replies, dropped connections and malformed JSON.  Its log (one line per
# HTTP request) counts requests; the key must never show in argv, logs or the cache.

load helpers

KEY="sk-lctk-test-7f3a9c1e5b"

setup() {
	lctk_llm_setup
	llm_corpus 6
	cat >queries.jsonl <<'EOF'
{"qid": "q1", "query_text": "why do whales sing", "answers": [["p10", 1]]}
{"qid": "q2", "query_text": "what makes magma erupts", "answers": [["p30", 1]]}
{"qid": "q3", "query_text": "silent night hunt", "answers": [["p50", 1]]}
{"qid": "q4", "query_text": "how does ice move", "answers": [["p40", 1]]}
EOF
	cat >few.jsonl <<'EOF'
{"qid": "f1", "query_text": "bees dance", "answers": [["p20", 1]]}
{"qid": "f2", "query_text": "warm reefs", "answers": [["p60", 1]]}
EOF
	cat >expected.jsonl <<'EOF'
{"qid":"q1","hits":[{"pid":"p10","score":1}]}
{"qid":"q2","hits":[{"pid":"p30","score":1}]}
{"qid":"q3","hits":[{"pid":"p50","score":1}]}
{"qid":"q4","hits":[{"pid":"p40","score":1}]}
EOF
}

teardown() { lctk_teardown; }

# start_server [server flags...]: helpers.bash's start_llm_server with this
# suite's defaults; sets EP, logs requests to $T/server.log
start_server() {
	start_llm_server --retry-after 0.2 --slow 3 --expect-key "$KEY" "$@"
}

stop_server() {
	stop_llm_server
}

no_key() {
	if grep -rqF -- "$KEY" "$@"; then fail "the API key was found in $*"; fi
}

requests() {
	if [ -f "$T/server.log" ]; then wc -l <"$T/server.log" | tr -d ' '; else echo 0; fi
}

# llm ARGS...: lcretrieve --llm over the test corpus with the usual flags
llm() {
	lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq \
		--few-shot few.jsonl --backoff 0.05 "$@"
}

@test "answers are parsed and row ids mapped to pids (run JSONL)" {
	start_server
	run llm -o run.jsonl queries.jsonl
	assert_success
	run cat run.jsonl
	assert_output "$(cat expected.jsonl)"
	[ "$(requests)" -eq 4 ]
	# one prompt per query, holding every passage and both examples
	run grep -c '"auth": "missing"' server.log
	assert_output 4
}

@test "--trec and --loft output formats" {
	start_server
	run --separate-stderr llm --trec --tag mine queries.jsonl
	assert_success
	assert_line --index 0 "q1 Q0 p10 1 1 mine"
	assert_line --index 3 "q4 Q0 p40 1 1 mine"
	run --separate-stderr llm --loft queries.jsonl
	assert_success
	assert_line --index 1 '{"qid":"q2","num_turns":1,"model_outputs":[["p30"]]}'
	[ "$(requests)" -eq 4 ]   # the second run came from the cache
}

@test "the response cache: a re-run sends nothing and writes the same bytes" {
	start_server
	llm --cache cache -o a.jsonl queries.jsonl
	[ "$(requests)" -eq 4 ]
	[ "$(find cache -name '*.json' | wc -l)" -eq 4 ]
	llm --cache cache -o b.jsonl queries.jsonl
	[ "$(requests)" -eq 4 ]
	cmp a.jsonl b.jsonl
	# another model or temperature is another request
	llm --cache cache --temperature 0.5 queries.jsonl >/dev/null
	[ "$(requests)" -eq 8 ]
	# --no-cache asks again
	llm --no-cache queries.jsonl >/dev/null
	[ "$(requests)" -eq 12 ]
	# default cache dir: $XDG_CACHE_HOME/lctk/llm
	llm queries.jsonl >/dev/null
	[ "$(find "$XDG_CACHE_HOME/lctk/llm" -name '*.json' | wc -l)" -eq 4 ]
}

@test "retries 429 (Retry-After) and 500 with backoff, then succeeds" {
	start_server --fault 429:1 --fault 500:1
	run llm --no-cache --verbose -o run.jsonl queries.jsonl
	assert_success
	[ "$(requests)" -eq 12 ]
	assert_output --partial "HTTP 429"
	assert_output --partial "HTTP 500"
	run cat run.jsonl
	assert_output "$(cat expected.jsonl)"
}

@test "retries dropped connections and malformed JSON" {
	start_server --fault drop:1 --fault malformed:1
	run llm --no-cache -o run.jsonl queries.jsonl
	assert_success
	run cat run.jsonl
	assert_output "$(cat expected.jsonl)"
	run grep -c '"result": "malformed"' server.log
	assert_output 4
}

@test "too few retries: exit 1, the cause per query, no output file" {
	start_server --fault 500:3
	run llm --no-cache --retries 2 -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'q1': HTTP 500: injected status 500 (after 3 attempts)"
	assert_output --partial "4 of 4 queries got no answer"
	assert_no_file run.jsonl
	[ "$(requests)" -eq 12 ]
}

@test "a 400 is not retried; --skip-bad writes the other queries" {
	start_server
	printf '%s\n' '{"qid": "bad", "query_text": "[[status:400]] whales", "answers": []}' >>queries.jsonl
	run llm --no-cache -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'bad': HTTP 400: injected status 400"
	assert_no_file run.jsonl
	[ "$(requests)" -eq 5 ]
	run llm --no-cache --skip-bad -o run.jsonl queries.jsonl
	assert_success
	assert_output --partial "skipped 1 queries without an answer"
	run cat run.jsonl
	assert_output "$(cat expected.jsonl)"
}

@test "a reply slower than --timeout fails, and is retried" {
	start_server --fault slow:1 --slow 5
	run llm --no-cache --timeout 1.5 --retries 0 -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "Timeout was reached"
	assert_no_file run.jsonl
	stop_server
	start_server --fault slow:1 --slow 5   # fresh attempt counts: every first attempt is slow again
	run llm --no-cache --timeout 2 --retries 1 --parallel 4 -o run.jsonl queries.jsonl
	assert_success
	run cat run.jsonl
	assert_output "$(cat expected.jsonl)"
}

@test "unreachable endpoint: clear message, exit 1, no output" {
	start_server
	port=$(cat "$T/port")
	stop_server
	run lcretrieve --llm -c corpus.jsonl --template nq --endpoint "http://127.0.0.1:$port/v1" --model m --retries 1 \
		--backoff 0.01 -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "Couldn't connect to server"
	assert_no_file run.jsonl
}

cached_at_least() {
	[ "$(find cache -name '*.json' 2>/dev/null | wc -l)" -ge "$1" ]
}

@test "resume after interruption: answered requests are not paid twice" {
	stop_server
	start_server --fault slow:1 --slow 1
	for i in 1 2 3 4 5 6 7 8; do
		printf '{"qid": "r%d", "query_text": "whales sing %d", "answers": [["p10", 1]]}\n' "$i" "$i"
	done >q8.jsonl
	lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq --parallel 1 \
		--cache cache -o run.jsonl q8.jsonl 3>&- 2>err.txt &
	pid=$!
	track_pid "$pid"
	# each answer takes >= 1 s (slow:1), so after two there are six seconds left
	wait_until 120 cached_at_least 2 || fail "no two answers cached: $(cat err.txt)"
	kill -TERM "$pid"   # (background jobs of a script ignore SIGINT)
	wait "$pid" || true
	assert_no_file run.jsonl
	done_before=$(find cache -name '*.json' | wc -l)
	[ "$done_before" -ge 2 ]
	[ "$done_before" -lt 8 ]
	sent_before=$(requests)
	run lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq --parallel 4 \
		--cache cache -o run.jsonl q8.jsonl
	assert_success
	[ "$(( $(requests) - sent_before ))" -eq "$(( 8 - done_before ))" ]
	[ "$(wc -l <run.jsonl)" -eq 8 ]
	[ "$(grep -c '"p10"' run.jsonl)" -eq 8 ]
}

@test "OpenAI Batch round trip: requests out, results in any order back in" {
	start_server
	run --separate-stderr llm --batch-out batch.jsonl queries.jsonl
	assert_success
	assert_no_stdout
	[ "$(requests)" -eq 0 ]
	[ "$(wc -l <batch.jsonl)" -eq 4 ]
	run -0 python3 -c '
import json, sys
for line in open("batch.jsonl"):
    r = json.loads(line)
    assert r["method"] == "POST" and r["url"] == "/v1/chat/completions", r
    assert r["body"]["model"] == "test-model" and r["body"]["messages"][0]["role"] == "user"
    print(r["custom_id"])'
	assert_output "$(printf 'q1\nq2\nq3\nq4')"
	python3 "$ROOT/tests/llm-server.py" --batch batch.jsonl results.jsonl
	run --separate-stderr llm --batch-in results.jsonl queries.jsonl
	assert_success
	assert_output "$(cat expected.jsonl)"
	# a per-request error is reported with its qid
	python3 "$ROOT/tests/llm-server.py" --batch batch.jsonl results.jsonl --batch-fail q3
	run llm --batch-in results.jsonl -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'q3': batch error server_error: injected batch failure"
	assert_no_file run.jsonl
	run llm --batch-in results.jsonl --skip-bad queries.jsonl
	assert_success
	assert_line '{"qid":"q4","hits":[{"pid":"p40","score":1}]}'
	refute_line --partial '"q3"'
	# a result missing altogether
	grep -v '"q2"' results.jsonl >partial.jsonl
	run llm --batch-in partial.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'q2': no result for this custom_id in the Batch file"
	# the failed request resubmitted, the result files concatenated: its answer replaces the failure
	python3 "$ROOT/tests/llm-server.py" --batch batch.jsonl failed.jsonl --batch-fail q3
	python3 "$ROOT/tests/llm-server.py" --batch batch.jsonl good.jsonl
	{ cat failed.jsonl; grep '"q3"' good.jsonl; } > retried.jsonl
	run --separate-stderr llm --batch-in retried.jsonl queries.jsonl
	assert_success
	assert_output "$(cat expected.jsonl)"
	# a failure after an answer does not replace it; it is counted
	{ cat good.jsonl; grep '"q3"' failed.jsonl; } > late.jsonl
	run --separate-stderr llm --batch-in late.jsonl queries.jsonl
	assert_success
	assert_output "$(cat expected.jsonl)"
	[[ "$stderr" == *"a second result for custom_id 'q3' (the first answer is kept)"* ]] || fail "$stderr"
	# every result twice: the first is named, all are counted
	cat good.jsonl good.jsonl > twice.jsonl
	run --separate-stderr llm --batch-in twice.jsonl queries.jsonl
	assert_success
	assert_output "$(cat expected.jsonl)"
	n=$(wc -l < good.jsonl)
	[[ "$stderr" == *"twice.jsonl: $n second results for a custom_id ignored (the first of each kept)"* ]] || fail "$stderr"
}

# argv_has PID WORD: PID's argv (read into ARGV) contains WORD.
argv_has() {
	ARGV=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	case " $ARGV " in *" $2 "*) return 0 ;; esac
	return 1
}

@test "the API key: sent as a header, never in argv, logs, cache or batch files" {
	start_server --fault slow:1 --slow 3
	export LCTK_API_KEY="$KEY"
	lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq \
		--few-shot few.jsonl --backoff 0.05 --cache cache --verbose -o run.jsonl queries.jsonl 3>&- 2>err.txt &
	pid=$!
	track_pid "$pid"
	# argv is read once the program itself runs (its argv holds --llm; before the
	# exec it is the test shell's) and before it can end: every first attempt
	# takes 3 s (slow:1)
	wait_until 120 argv_has "$pid" --llm || fail "lcretrieve's argv never seen: $(cat err.txt)"
	case $ARGV in *"$KEY"*) fail "key in argv: $ARGV" ;; esac
	wait "$pid"
	no_key cache err.txt run.jsonl server.log
	run grep -c '"auth": "ok"' server.log
	assert_output 4
	llm --batch-out batch.jsonl queries.jsonl
	no_key batch.jsonl
	# OPENAI_API_KEY goes to https://api.openai.com only, not to this plain-http server
	unset LCTK_API_KEY
	export OPENAI_API_KEY="$KEY"
	run llm --no-cache queries.jsonl
	assert_success
	assert_output --partial 'OPENAI_API_KEY is sent only to https://api.openai.com'
	run grep -c '"auth": "ok"' server.log
	assert_output 4
}

@test "unusable answers give empty predictions, not errors" {
	start_server
	cat >>queries.jsonl <<'EOF'
{"qid": "q5", "query_text": "[[reply:I do not know.]]", "answers": [["p10", 1]]}
{"qid": "q6", "query_text": "[[reply:Final Answer: ['99'] ]]", "answers": [["p10", 1]]}
EOF
	run llm -o run.jsonl queries.jsonl
	assert_success
	assert_output --partial "1 of 6 answers gave an empty prediction"
	assert_output --partial "1 of 6 answers name an id that is not in the prompt: unanswered"
	run tail -2 run.jsonl
	assert_output "$(printf '%s\n' '{"qid":"q5","hits":[]}' '{"qid":"q6","hits":[],"answered":false}')"
}

@test "--prefilter K keeps BM25's top K (in corpus order) plus the few-shot passages" {
	EP=http://127.0.0.1:9/v1   # not contacted with --batch-out
	run llm --prefilter 1 --batch-out batch.jsonl queries.jsonl
	assert_success
	run -0 python3 -c '
import json, re
for line in open("batch.jsonl"):
    p = json.loads(line)["body"]["messages"][0]["content"]
    print(" ".join(re.findall(r"^ID: (\d+) \| TITLE: (\w+)", p, re.M)[i][1] for i in range(3)))'
	assert_line --index 0 "Whales Bees Coral"
	assert_line --index 1 "Bees Volcanoes Coral"
	start_server
	run --separate-stderr llm --prefilter 1 queries.jsonl
	assert_success
	assert_output "$(cat expected.jsonl)"
}

@test "usage errors exit 2" {
	run lcretrieve --llm -c corpus.jsonl --model m queries.jsonl
	assert_failure 2
	assert_output --partial "endpoint"
	run lcretrieve --llm -c corpus.jsonl --endpoint http://127.0.0.1:9/v1 queries.jsonl
	assert_failure 2
	assert_output --partial "model"
	run lcretrieve --llm -c corpus.jsonl --endpoint ftp://127.0.0.1/ --model m queries.jsonl
	assert_failure 2
	run lcretrieve --llm -i some.idx --endpoint http://127.0.0.1:9/v1 --model m queries.jsonl
	assert_failure 2
	run lcretrieve --llm -c corpus.jsonl --endpoint http://127.0.0.1:9/v1 --model m --context-limit 100 queries.jsonl
	assert_failure 2
	assert_output --partial "tokenizer"
	run lcretrieve --llm -c corpus.jsonl --endpoint http://127.0.0.1:9/v1 --model m --prompt nosuch queries.jsonl
	assert_failure 2
	assert_output --partial "no such template"
	run lcretrieve --endpoint http://127.0.0.1:9/v1 -c corpus.jsonl queries.jsonl
	assert_failure 2
	assert_output --partial "--llm"
}

@test "bad few-shot input: gold pid absent from the corpus" {
	# the message names the few-shot file's line
	printf '%s\n' '{"qid": "f8", "query_text": "y", "answers": []}' '{"qid": "f9", "query_text": "x", "answers": [["nope", 1]]}' >few89.jsonl
	run lcretrieve --llm -c corpus.jsonl --endpoint http://127.0.0.1:9/v1 --model m --few-shot few89.jsonl \
		--shots 2 --template nq --batch-out b.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "few89.jsonl:1: few-shot query 'f8' has no relevant answers"
	tail -n 1 few89.jsonl > few9.jsonl
	run lcretrieve --llm -c corpus.jsonl --endpoint http://127.0.0.1:9/v1 --model m --few-shot few9.jsonl \
		--template nq --batch-out b.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "few9.jsonl:1: few-shot query 'f9': gold pid 'nope' is not in the corpus"
	assert_no_file b.jsonl
	# ... unless --few-shot-corpus has it: appended after the corpus rows
	printf '%s\n' '{"pid": "nope", "title_text": "Extra", "passage_text": "An extra passage.", "metadata": {}}' >fsc.jsonl
	run lcretrieve --llm -c corpus.jsonl --endpoint http://127.0.0.1:9/v1 --model m --few-shot few9.jsonl \
		--few-shot-corpus fsc.jsonl --prompt nq --batch-out b.jsonl queries.jsonl
	assert_success
	grep -q 'ID: 6 | TITLE: Extra | CONTENT: An extra passage. | END ID: 6' b.jsonl
	grep -q "TITLE: Extra | ID: 6" b.jsonl
}

# prompts of a Batch file, one line per request: the TITLEs of the blocks in order
batch_titles() {
	python3 -c '
import json, re, sys
for line in open(sys.argv[1]):
    p = json.loads(line)["body"]["messages"][0]["content"]
    print(" ".join(re.findall(r"^ID: \d+ \| TITLE: (\w+)", p, re.M)))' "$1"
}

@test "--context-limit refuses an oversized prompt before any request" {
	start_server
	run llm --context-limit 100 -e cl100k_base -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'q1': the prompt is 538 tokens, over --context-limit 100 (6 passages); use --fit"
	assert_no_file run.jsonl
	[ "$(requests)" -eq 0 ]
	# the limit is inclusive and counted exactly per prompt: q1 is 538 tokens, q2 539
	run llm --context-limit 538 -e cl100k_base -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'q2': the prompt is 539 tokens"
	[ "$(requests)" -eq 0 ]
	run llm --context-limit 100 -e no_such_tokenizer queries.jsonl
	assert_failure
}

@test "--fit drops the passages BM25 ranks lowest, never few-shot gold, and ids follow" {
	run llm --context-limit 538 -e cl100k_base --fit --batch-out b.jsonl queries.jsonl
	assert_success
	run -0 batch_titles b.jsonl
	assert_line --index 0 "Whales Bees Volcanoes Glaciers Owls Coral"
	assert_line --index 1 "Whales Bees Volcanoes Glaciers Coral"
	run llm --context-limit 500 -e cl100k_base --fit --batch-out b.jsonl queries.jsonl
	assert_success
	run -0 batch_titles b.jsonl
	assert_line --index 0 "Whales Bees Volcanoes Coral"
	assert_line --index 2 "Whales Bees Owls Coral"
	assert_line --index 3 "Whales Bees Glaciers Coral"
	run llm --context-limit 440 -e cl100k_base --fit --batch-out b.jsonl queries.jsonl
	assert_success
	run -0 batch_titles b.jsonl
	assert_line --index 0 "Bees Coral"
	# the answers' row ids are mapped through the reduced prompt
	start_server
	run --separate-stderr llm --context-limit 500 -e cl100k_base --fit queries.jsonl
	assert_success
	assert_output "$(cat expected.jsonl)"
	# even the few-shot passages alone are too long
	run llm --context-limit 330 -e cl100k_base --fit queries.jsonl
	assert_failure 1
	assert_output --partial "does not fit --context-limit 330 even with only the few-shot passages"
}

@test "compressed corpus: summary_text when not empty; untitled corpora drop TITLE" {
	mkdir -p data/scifact
	cat >data/scifact/corpus.jsonl <<'EOF2'
{"pid": "a", "title_text": "", "passage_text": "Long original text one.", "summary_text": "Short one."}
{"pid": "b", "title_text": "", "passage_text": "Long original text two.", "summary_text": ""}
EOF2
	printf '%s\n' '{"qid": "x", "query_text": "short", "answers": [["a", 1]]}' >q.jsonl
	# the template is guessed from the corpus path (scifact: titled, "claim:")
	run lcretrieve --llm -c data/scifact/corpus.jsonl --model m --batch-out b.jsonl q.jsonl
	assert_success
	grep -qF 'ID: 0 | TITLE: None | CONTENT: Short one. | END ID: 0' b.jsonl
	grep -qF 'ID: 1 | TITLE: None | CONTENT: Long original text two. | END ID: 1' b.jsonl
	grep -qF 'claim: short' b.jsonl
	# the default template (asked for: plain.jsonl names no LOFT dataset) leaves TITLE out when no passage has one
	cp data/scifact/corpus.jsonl plain.jsonl
	run lcretrieve --llm -c plain.jsonl --template default --model m --batch-out b.jsonl q.jsonl
	assert_success
	grep -qF 'ID: 0 | CONTENT: Short one. | END ID: 0' b.jsonl
	grep -qF 'query: short' b.jsonl
	# a template file
	printf '@titles no\n@instruction\nPick.\n@format\nFinal Answer: [i]\n@query\nQ={query}\n' >t.txt
	run lcretrieve --llm -c plain.jsonl --model m --prompt ./t.txt --batch-out b.jsonl q.jsonl
	assert_success
	run -0 python3 -c 'import json; print(json.loads(open("b.jsonl").readline())["body"]["messages"][0]["content"], end="")'
	assert_output "$(printf 'Pick.\n\nFinal Answer: [i]\n\nID: 0 | CONTENT: Short one. | END ID: 0\nID: 1 | CONTENT: Long original text two. | END ID: 1\n====== Now let'"'"'s start! ======\nQ=short')"
}

# log_py CODE: runs python over the server log entries (list "log")
log_py() {
	python3 -c '
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
'"$1" "$T/server.log"
}

@test "--parallel N: never more than N requests in flight, and N are used" {
	start_server --fault slow:1 --slow 0.5
	for i in 1 2 3 4 5 6; do
		printf '{"qid": "s%d", "query_text": "whales sing %d"}\n' "$i" "$i"
	done >q6.jsonl
	run llm --no-cache --parallel 2 q6.jsonl
	assert_success
	run -0 log_py 'print(max(e["inflight"] for e in log))'
	assert_output 2
	run llm --no-cache --parallel 6 q6.jsonl   # all second attempts now: fast
	assert_success
	run llm --no-cache --parallel 1 q6.jsonl
	assert_success
	run -0 log_py 'print(max(e["inflight"] for e in log[12:]))'
	assert_output 1
}

@test "backoff waits grow, and Retry-After is honoured" {
	start_server --fault 500:3
	run llm --no-cache --backoff 0.2 --parallel 1 -o run.jsonl queries.jsonl
	assert_success
	# per request, gaps between attempts >= 0.5 * 0.2 * 2^(n-1): 0.1, 0.2, 0.4 s
	run -0 log_py '
by = {}
for e in log: by.setdefault(e["hash"], []).append(e["t"])
for h, ts in by.items():
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    assert len(gaps) == 3, gaps
    for n, g in enumerate(gaps):
        assert g >= 0.5 * 0.2 * 2 ** n - 0.01, (n, gaps)
print("ok")'
	assert_output ok
	stop_server
	rm -f server.log
	start_server --fault 429:1 --retry-after 1
	run llm --no-cache --backoff 0.01 queries.jsonl
	assert_success
	run -0 log_py '
by = {}
for e in log: by.setdefault(e["hash"], []).append(e["t"])
assert all(len(ts) == 2 and ts[1] - ts[0] >= 0.99 for ts in by.values()), by
print("ok")'
	assert_output ok
}

@test "queries whose gold pids are not in the corpus: one warning with counts" {
	printf '%s\n' '{"qid": "q9", "query_text": "whales", "answers": [["gone", 1], ["p10", 1]]}' >>queries.jsonl
	run llm --batch-out b.jsonl queries.jsonl
	assert_success
	assert_output --partial "warning: 1 of 6 gold pids (in 1 of 5 queries; e.g. 'gone') are not in the corpus"
	run llm --quiet --batch-out b.jsonl queries.jsonl
	assert_success
	refute_output --partial "warning"
}

@test "--responses keeps the raw answers and the pids they map to" {
	start_server
	printf '%s\n' '{"qid": "q5", "query_text": "[[reply:Final Answer: [5, 0, 5] ]]", "answers": []}' >>queries.jsonl
	run llm --prefilter 1 --responses resp.jsonl -o run.jsonl queries.jsonl
	assert_success
	run sed -n '1p;5p' resp.jsonl
	assert_line --index 0 '{"qid":"q1","response_text":"The most relevant document is ID 0.\nFinal Answer: ['"'"'0'"'"']","pids":["p10"]}'
	# q5's prompt holds only the few-shot passages (no query term): rows 0, 1, so row 5 is unknown
	assert_line --index 1 '{"qid":"q5","response_text":"Final Answer: [5, 0, 5] ","pids":null}'
	run tail -1 run.jsonl
	assert_output '{"qid":"q5","hits":[],"answered":false}'
	# the whole corpus: rows 5, 0, 5 -> p60, p10, p60; the run keeps LOFT's list, repeats marked
	run llm --responses resp.jsonl -o run.jsonl queries.jsonl
	assert_success
	run sed -n 5p resp.jsonl
	assert_output '{"qid":"q5","response_text":"Final Answer: [5, 0, 5] ","pids":["p60","p10","p60"]}'
	run tail -1 run.jsonl
	assert_output '{"qid":"q5","hits":[{"pid":"p60","score":3},{"pid":"p10","score":2},{"pid":"p60","score":1,"repeat":true}]}'
	run -0 --separate-stderr llm --loft queries.jsonl
	assert_line --index 4 '{"qid":"q5","num_turns":1,"model_outputs":[["p60","p10","p60"]]}'
	run -0 --separate-stderr llm -k 1 queries.jsonl
	assert_line --index 4 '{"qid":"q5","hits":[{"pid":"p60","score":1}]}'
	# -k cuts the list alike in every run form: LOFT's too (lceval's numbers agree)
	run -0 --separate-stderr llm -k 2 --loft queries.jsonl
	assert_line --index 4 '{"qid":"q5","num_turns":1,"model_outputs":[["p60","p10"]]}'
	llm -k 2 --loft -o k2.loft queries.jsonl 2>/dev/null
	llm -k 2 -o k2.jsonl queries.jsonl 2>/dev/null
	run -0 lceval -m loft --json queries.jsonl k2.loft
	want=$output
	run -0 lceval -m loft --json queries.jsonl k2.jsonl
	assert_output "$want"
}

# --- --shard K/N with --llm (issue 13) ---------------------------------------------

# shard_bg K OUT RESP: shard K/2 in the background, sharing ./shared-cache; its pid in $!
shard_bg() {
	llm --cache shared-cache --shard "$1/2" --responses "$3" -o "$2" queries.jsonl 2>"$2.err" 3>&- &
}

@test "--llm --shard: two shards at once share one cache; the merge equals one process, responses too" {
	start_server
	printf '%s\n' '{"qid": "q5", "query_text": "warm reefs bees", "answers": [["p60", 1]]}' >>queries.jsonl
	shard_bg 1 p1.jsonl r1.jsonl
	local a=$!
	track_pid "$a"
	shard_bg 2 p2.jsonl r2.jsonl
	local b=$!
	track_pid "$b"
	wait "$a"
	wait "$b"
	# each query was asked once, by the shard that owns it: q1 q3 q5 and q2 q4
	[ "$(requests)" -eq 5 ]
	run -0 head -1 p2.jsonl
	assert_output --regexp '^\{"lctk_part":\{"program":"lcretrieve","shard":"2/2","run":"[0-9a-f]{16}","merge":"lines"\}\}$'
	# header, q1 q3 q5, end line
	[ "$(wc -l <p1.jsonl)" -eq 5 ]
	run -0 tail -n 1 p1.jsonl
	assert_output '{"lctk_part_end":true}'
	lcretrieve merge -o merged.jsonl p2.jsonl p1.jsonl
	lcretrieve merge -o merged-resp.jsonl r1.jsonl r2.jsonl
	# one process, fresh cache: the same bytes
	llm --cache one-cache --responses one-resp.jsonl -o one.jsonl queries.jsonl
	[ "$(requests)" -eq 10 ]
	cmp one.jsonl merged.jsonl
	cmp one-resp.jsonl merged-resp.jsonl
	# the shared cache: one whole entry per request, no temporary file left
	[ "$(find shared-cache -type f | wc -l)" -eq 5 ]
	run -0 find shared-cache -type f -name '.*'
	assert_output ""
	for f in shared-cache/*/*.json; do python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f"; done
	# and it answers the whole run: no request sent, the same bytes
	llm --cache shared-cache -o again.jsonl queries.jsonl
	[ "$(requests)" -eq 10 ]
	run cmp one.jsonl again.jsonl
	assert_success
}

@test "--llm --shard: a run part and a responses part do not merge; a missing shard is named" {
	start_server
	llm --cache c --shard 1/2 --responses r1.jsonl -o p1.jsonl queries.jsonl
	llm --cache c --shard 2/2 --responses r2.jsonl -o p2.jsonl queries.jsonl
	run lcretrieve merge -o m.jsonl p1.jsonl r2.jsonl
	assert_failure 1
	assert_output --partial "come from different runs"
	[ ! -e m.jsonl ]
	run lcretrieve merge -o m.jsonl p1.jsonl
	assert_failure 1
	assert_output --partial "shard 2/2 is missing"
	run lcretrieve merge -o m.jsonl p1.jsonl p2.jsonl
	assert_success
	run -0 cat m.jsonl
	assert_output "$(cat expected.jsonl)"
}

@test "--llm --shard: what cannot be sharded is a usage error" {
	run llm --shard 1/2 --skip-bad queries.jsonl
	assert_failure 2
	assert_output --partial "drop --skip-bad"
	run llm --shard 1/2 --batch-out b.jsonl queries.jsonl
	assert_failure 2
	assert_output --partial "lcbatch split"
	run llm --shard 1/2 --loft queries.jsonl
	assert_failure 2
	assert_output --partial "lcconv --to loft"
	run llm --shard 1/2 --trec queries.jsonl
	assert_failure 2
	assert_output --partial "lcconv --to trec"
	run llm --shard 3/2 queries.jsonl
	assert_failure 2
	assert_output --partial "--shard wants K/N"
}
