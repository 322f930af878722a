#!/usr/bin/env bats
# LLM runs that fail on every request the same way (a wrong port, host or key)
# stop after the first few with one message and write nothing; Ctrl-C says how
# many answers are cached and that a re-run resumes; --progress ends its line
# before an error.  Against tests/llm-server.py and a closed port.

load helpers

setup() {
	lctk_llm_setup
	cat >corpus.jsonl <<'JSON'
{"pid": "p10", "title_text": "Whales", "passage_text": "Humpback whales sing long songs in the ocean.", "metadata": {}}
{"pid": "p30", "title_text": "Volcanoes", "passage_text": "Lava erupts from volcanoes when magma pressure rises.", "metadata": {}}
{"pid": "p50", "title_text": "Owls", "passage_text": "Owls hunt mice at night with silent feathers.", "metadata": {}}
JSON
	for i in 1 2 3 4 5 6 7 8; do
		printf '{"qid": "q%s", "query_text": "why do whales sing %s", "answers": [["p10", 1]]}\n' "$i" "$i"
	done >queries.jsonl
}

teardown() { lctk_teardown; }

requests() {
	if [ -f "$T/server.log" ]; then wc -l <"$T/server.log" | tr -d ' '; else echo 0; fi
}

# some_request: at least one request has reached the server
some_request() { [ "$(requests)" -ge 1 ]; }

# a port nothing listens on: bind one, note it, close it
closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

@test "connection refused on every request: one message after 3, exit 1, no output" {
	port=$(closed_port)
	run lcretrieve --llm -c corpus.jsonl --endpoint "http://127.0.0.1:$port/v1" --model m --prompt nq \
		--backoff 0.05 -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "3 requests in a row failed the same way: http://127.0.0.1:$port/v1/chat/completions: Couldn't connect to server; nothing more sent"
	run grep -c "failed the same way" <<<"$output"
	assert_output 1
	refute_output --partial "query 'q"
	assert_no_file run.jsonl
}

@test "HTTP 401 on every request: stops after 3 requests, not one per query" {
	sed -i 's/why do whales sing/[[status:401]] why do whales sing/' queries.jsonl
	start_llm_server
	run lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model m --prompt nq --parallel 1 \
		-o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "3 requests in a row failed the same way: HTTP 401"
	assert_output --partial "nothing more sent"
	refute_output --partial "query 'q"
	assert_no_file run.jsonl
	[ "$(requests)" -eq 3 ] || fail "expected 3 requests, the server saw $(requests)"
}

@test "a failure that is not the same everywhere still reports each query by qid" {
	start_llm_server
	sed -i '1s/why do whales sing/[[status:400]] why do whales sing/' queries.jsonl
	run lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model m --prompt nq -o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --partial "query 'q1': HTTP 400"
	refute_output --partial "failed the same way"
}

@test "lcgen candidates (LLM summaries) with a closed port stop after 3 with one message" {
	port=$(closed_port)
	run lcgen candidates --endpoint "http://127.0.0.1:$port/v1" --model m --backoff 0.05 -o sum.jsonl corpus.jsonl
	assert_failure 1
	assert_output --partial "failed the same way"
	assert_no_file sum.jsonl
}

@test "lcompress --endpoint with a closed port stops after 3 with one message" {
	port=$(closed_port)
	run lcompress --endpoint "http://127.0.0.1:$port/v1" --model m -o c.jsonl corpus.jsonl
	assert_failure 1
	assert_output --partial "3 requests in a row failed the same way"
	assert_output --partial "nothing more sent"
	assert_no_file c.jsonl
}

@test "--progress shows percent and ETA and ends its line before the error message" {
	sed -i '$s/why do whales sing/[[status:400]] why/' queries.jsonl
	# every request takes >= 0.5 s, so the meter (4 updates a second at most) shows
	start_llm_server --fault slow:1 --slow 0.5
	run lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model m --prompt nq --progress --parallel 1 \
		-o run.jsonl queries.jsonl
	assert_failure 1
	assert_output --regexp "[0-9]/8 requests \([0-9]+%, [0-9]+/s, ETA [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\)"
	assert_output --partial "query 'q8': HTTP 400"
	# the error starts a line of its own: never after the meter on one line
	run grep -c "^lcretrieve: query 'q8': HTTP 400" <<<"$output"
	assert_output 1
}

@test "Ctrl-C: says how many answers are cached and that a re-run resumes" {
	start_llm_server
	head -n 2 queries.jsonl >first.jsonl
	run lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model m --prompt nq -o first.run first.jsonl
	assert_success
	stop_llm_server
	rm -f "$T/server.log"
	start_llm_server --fault slow:1 --slow 60
	# a background job starts with SIGINT ignored: env gives it the default back
	env --default-signal=INT lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model m \
		--prompt nq --parallel 1 -o run.jsonl queries.jsonl 2>err.txt 3>&- &
	pid=$!
	track_pid "$pid"
	wait_until 120 some_request || fail "no request reached the server"
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 130 ] || fail "exit status $status, expected 130: $(cat err.txt)"
	run cat err.txt
	assert_output --partial "interrupted: 2 of 8 answers are cached in $T/xdg/lctk/llm; re-run the same command to resume"
	assert_no_file run.jsonl
}
