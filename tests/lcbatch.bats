#!/usr/bin/env bats
# lcbatch: split OpenAI Batch request files at the API's limits, and pick the
# requests whose result is missing or an error to submit again.

load helpers

setup() {
	lctk_setup
	for i in 1 2 3 4 5; do
		printf '{"custom_id":"r%s","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hello %s"}]}}\n' "$i" "$i"
	done >req.jsonl
}

teardown() { lctk_teardown; }

@test "split --requests 2: three parts of whole lines, together the input" {
	run lcbatch split --requests 2 req.jsonl
	assert_success
	assert_output "lcbatch: req.jsonl: 3 parts written"
	[ "$(wc -l <req.part-001.jsonl)" -eq 2 ]
	[ "$(wc -l <req.part-002.jsonl)" -eq 2 ]
	[ "$(wc -l <req.part-003.jsonl)" -eq 1 ]
	cat req.part-00[123].jsonl >joined.jsonl
	cmp req.jsonl joined.jsonl
}

@test "split --max-bytes: no part over the limit; --prefix names the parts" {
	len=$(head -n 1 req.jsonl | wc -c)
	run lcbatch split --max-bytes $((2 * len + 1)) --prefix out/p req.jsonl
	assert_failure 1
	mkdir out
	run lcbatch split --max-bytes $((2 * len + 1)) --prefix out/p req.jsonl
	assert_success
	assert_output "lcbatch: req.jsonl: 3 parts written"
	for f in out/p.part-001.jsonl out/p.part-002.jsonl out/p.part-003.jsonl; do
		[ "$(wc -c <"$f")" -le $((2 * len + 1)) ] || fail "$f is over the limit"
	done
	assert_no_file out/p.part-004.jsonl
}

@test "split: defaults (50,000 requests, 200M) give one part; .jsonl.gz input is read" {
	gzip -k req.jsonl
	run lcbatch split req.jsonl.gz
	assert_success
	cmp req.jsonl req.part-001.jsonl
	assert_no_file req.part-002.jsonl
}

@test "split: bad input writes no part, names FILE:LINE, exit 1" {
	printf '{"custom_id":"a"}\n{"x":1}\n' >bad.jsonl
	run lcbatch split bad.jsonl
	assert_failure 1
	assert_output --partial "lcbatch: bad.jsonl:2: "
	assert_output --partial "custom_id"
	assert_no_file bad.part-001.jsonl
	run lcbatch split --max-bytes 10 req.jsonl
	assert_failure 1
	assert_output --partial "req.jsonl:1: the request is"
	assert_no_file req.part-001.jsonl
	printf 'not json\n' >nj.jsonl
	run lcbatch split nj.jsonl
	assert_failure 1
	assert_output --partial "nj.jsonl:1:"
	: >empty.jsonl
	run lcbatch split empty.jsonl
	assert_failure 1
	assert_output --partial "no requests"
}

@test "failed: the requests with no result or an error result, nothing else" {
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res.jsonl --batch-fail r2 3>&-
	grep -v '"custom_id": *"r4"' res.jsonl >res-missing.jsonl
	run lcbatch failed req.jsonl res-missing.jsonl -o retry.jsonl
	assert_success
	assert_output "lcbatch: 2 of 5 requests have no successful result: resubmit them"
	run cut -d, -f1 retry.jsonl
	assert_output "$(printf '{"custom_id":"r2"\n{"custom_id":"r4"')"
	run lcbatch failed req.jsonl res.jsonl
	assert_success
	assert_line --index 0 --partial '{"custom_id":"r2"'
}

@test "failed: a results line without custom_id is bad input; bad usage exits 2" {
	printf '{"response":{}}\n' >res.jsonl
	run lcbatch failed req.jsonl res.jsonl -o retry.jsonl
	assert_failure 1
	assert_output --partial "res.jsonl:1:"
	assert_no_file retry.jsonl
	run lcbatch failed req.jsonl
	assert_failure 2
	run lcbatch split -o x req.jsonl
	assert_failure 2
	run lcbatch failed --requests 3 req.jsonl res.jsonl
	assert_failure 2
	run lcbatch split --max-bytes 1Q req.jsonl
	assert_failure 2
	assert_output --partial "--max-bytes '1Q'"
	run lcbatch frob
	assert_failure 2
	run lcbatch
	assert_failure 2
}
