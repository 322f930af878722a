#!/usr/bin/env bats
# lib/llm/llm.c against hostile endpoints and servers (issue 18 #2, #3, #17; issue 10
# section 4): credentials in --endpoint, OPENAI_API_KEY sent where it does not
# belong, huge and gzip-bomb replies, terminal escapes in a server's error, and a
# cache key that depends on how the host is spelled.  Driven through lcretrieve
# --llm against tests/llm-server.py on 127.0.0.1 (ephemeral port).

load helpers

setup() {
	lctk_llm_setup
	llm_corpus 3
	cat >queries.jsonl <<'EOF'
{"qid": "q1", "query_text": "why do whales sing", "answers": [["p10", 1]]}
{"qid": "q2", "query_text": "what makes magma erupts", "answers": [["p30", 1]]}
EOF
	cat >expected.jsonl <<'EOF'
{"qid":"q1","hits":[{"pid":"p10","score":1}]}
{"qid":"q2","hits":[{"pid":"p30","score":1}]}
EOF
}

teardown() { lctk_teardown; }

# start_server [server flags...]: the test LLM server (start_llm_server, with
# --echo-auth); sets PORT and EP, logs requests to $T/server.log
start_server() {
	start_llm_server --echo-auth "$@" || return 1
	PORT=$LLM_PORT
}

requests() {
	if [ -f "$T/server.log" ]; then wc -l <"$T/server.log" | tr -d ' '; else echo 0; fi
}

# llm ARGS...: lcretrieve --llm over the test corpus (endpoint from $EP)
llm() {
	lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq --backoff 0.05 "$@"
}

# the n-th (1-based) server log line's field, as JSON
logged() {
	python3 -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1]).readlines()[int(sys.argv[2]) - 1]).get(sys.argv[3])))' \
		"$T/server.log" "$1" "$2"
}

@test "credentials in --endpoint are sent, never printed or stored; the path goes before the query" {
	start_server
	EP="http://alice:pw-SECRET1@127.0.0.1:$PORT/v1?api_key=SECRET2"
	run llm --cache cache -o run.jsonl queries.jsonl
	assert_success
	run cat run.jsonl
	assert_output "$(cat expected.jsonl)"
	# the request went to .../chat/completions?api_key=..., with basic auth from user:password
	run -0 logged 1 path
	assert_output '"/v1/chat/completions?api_key=SECRET2"'
	run -0 logged 1 authorization
	assert_output "\"Basic $(printf 'alice:pw-SECRET1' | base64)\""
	# nothing in the cache or in messages carries them
	run grep -rl SECRET cache
	assert_failure 1
	refute_output --partial SECRET
	# a connection error names the endpoint without them
	stop_llm_server
	run -1 llm --no-cache --retries 0 queries.jsonl
	assert_output --partial "http://127.0.0.1:$PORT/v1/chat/completions?..."
	refute_output --partial SECRET
	refute_output --partial alice
}

@test "OPENAI_API_KEY goes to https://api.openai.com only; LCTK_API_KEY anywhere" {
	start_server
	export OPENAI_API_KEY=sk-openai-only
	run llm --no-cache queries.jsonl
	assert_success
	assert_output --partial "OPENAI_API_KEY is sent only to https://api.openai.com, not to $EP/chat/completions: set LCTK_API_KEY"
	run -0 logged 1 authorization
	assert_output null
	export LCTK_API_KEY=sk-lctk-chosen
	run llm --no-cache queries.jsonl
	assert_success
	refute_output --partial OPENAI_API_KEY
	run -0 logged 3 authorization
	assert_output '"Bearer sk-lctk-chosen"'
	# decided by scheme and host (Batch output contacts no server)
	unset LCTK_API_KEY
	EP=https://api.openai.com/v1
	run llm --batch-out b1.jsonl queries.jsonl
	assert_success
	refute_output --partial OPENAI_API_KEY
	EP=http://api.openai.com/v1
	run llm --batch-out b2.jsonl queries.jsonl
	assert_success
	assert_output --partial 'OPENAI_API_KEY is sent only to https://api.openai.com, not to http://api.openai.com/v1/chat/completions'
}

@test "a reply over the cap fails that request, counted after decoding (huge and gzip bomb)" {
	start_server
	printf '%s\n' '{"qid": "q3", "query_text": "[[huge:20000000]]", "answers": [["p10", 1]]}' \
		'{"qid": "q4", "query_text": "[[gzip:20000000]]", "answers": [["p10", 1]]}' >>queries.jsonl
	run -1 llm --no-cache --retries 2 -o run.jsonl queries.jsonl
	assert_line --partial "query 'q3': http://127.0.0.1:$PORT/v1/chat/completions: the reply is larger than 16777216 bytes (counted after decoding)"
	assert_line --partial "query 'q4': http://127.0.0.1:$PORT/v1/chat/completions: the reply is larger than 16777216 bytes (counted after decoding)"
	# the remedy it names exists (there is no --max-reply option)
	assert_line --partial "if it is genuine, raise the limit with LCTK_LLM_MAX_REPLY=BYTES in the environment"
	# not retried: one request each
	run grep -c 'huge\|gzip' server.log
	assert_output 2
	# the gzip bomb was small on the wire: the cap is on the decoded size
	run -0 env LCTK_LLM_MAX_REPLY=30000000 lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model \
		--prompt nq --no-cache queries.jsonl
	refute_output --partial 'larger than'
	run env LCTK_LLM_MAX_REPLY=12 lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model \
		--prompt nq queries.jsonl
	assert_failure 2
	assert_output --partial 'LCTK_LLM_MAX_REPLY: expected a number of bytes >= 1024'
}

@test "a gzip bomb costs at most the cap in memory" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "memory is measured without valgrind"
	[ -x /usr/bin/time ] || skip "/usr/bin/time not installed"
	start_server
	printf '%s\n' '{"qid": "q3", "query_text": "[[gzip:300000000]]", "answers": [["p10", 1]]}' >queries.jsonl
	run -1 /usr/bin/time -f 'maxrss %M' -o rss.txt lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model \
		--prompt nq --no-cache --retries 0 queries.jsonl
	assert_output --partial 'the reply is larger than 16777216 bytes'
	local kb
	kb=$(sed -n 's/^maxrss //p' rss.txt)
	# 300 MB decoded would need over 300000 KB; the cap keeps it near 16 MB
	[ "$kb" -lt 120000 ] || fail "max RSS $kb KB for a 300 MB gzip bomb"
}

@test "a server's error message cannot drive the terminal" {
	start_server
	printf '%s\n' '{"qid": "q3", "query_text": "[[esc-error]]", "answers": [["p10", 1]]}' >>queries.jsonl
	run -1 llm --no-cache --retries 0 queries.jsonl
	assert_output --partial 'HTTP 400: bad \x1b[31mred\x1b[0m \x1b]0;owned\x07 bell\x07 csi\xc2\x9b2J end'
	[[ $output != *$'\e'* ]] || fail "an ESC byte reached the terminal"
	[[ $output != *$'\a'* ]] || fail "a BEL byte reached the terminal"
	[[ $output != *$'\xc2\x9b'* ]] || fail "a C1 CSI reached the terminal"
}

@test "the cache key does not depend on how the host is spelled" {
	start_server
	run llm --cache cache -o a.jsonl queries.jsonl
	assert_success
	[ "$(requests)" -eq 2 ]
	EP="http://localhost:$PORT/v1/"
	run llm --cache cache -o b.jsonl queries.jsonl
	assert_success
	[ "$(requests)" -eq 2 ] || fail "localhost missed the cache filled through 127.0.0.1"
	# another port (nothing listens there): every answer still comes from the cache
	EP="http://127.0.0.1:9/v1/chat/completions"
	run llm --cache cache -o c.jsonl queries.jsonl
	assert_success
	run cat c.jsonl
	assert_output "$(cat expected.jsonl)"
	# the entries hold no URL
	run grep -rl '"url"' cache
	assert_failure 1
}

@test "cache entries written by an older lctk (keyed on the URL too) are still read" {
	# the request bodies, as lcretrieve would send them
	EP="http://127.0.0.1:9/v1"
	run llm --batch-out b.jsonl queries.jsonl
	assert_success
	# a v1 entry: SHA-256 of tag, the URL as the old code built it, NUL, the sorted compact body
	python3 - "$EP" <<'EOF'
import hashlib, json, os, sys
url = sys.argv[1] + "/chat/completions"
for line in open("b.jsonl"):
    r = json.loads(line)
    s = json.dumps(r["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    h = hashlib.sha256(b"lctk-llm-cache-v1\n" + url.encode() + b"\0" + s.encode()).hexdigest()
    os.makedirs("cache/" + h[:2], exist_ok=True)
    pid = {"q1": "0", "q2": "1"}[r["custom_id"]]
    resp = {"choices": [{"message": {"role": "assistant", "content": "Final Answer: ['%s']" % pid}}]}
    with open("cache/%s/%s.json" % (h[:2], h), "w") as f:
        json.dump({"lctk_cache": 1, "url": url, "model": "test-model", "response": resp}, f)
EOF
	# nothing listens on port 9: the answers can only come from those entries
	run llm --cache cache -o run.jsonl queries.jsonl
	assert_success
	run cat run.jsonl
	assert_output "$(printf '%s\n' '{"qid":"q1","hits":[{"pid":"p10","score":1}]}' '{"qid":"q2","hits":[{"pid":"p20","score":1}]}')"
}
