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
	head -n 1 req.jsonl >bad.jsonl
	printf '{"x":1}\n' >>bad.jsonl
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

@test "split: standard input (a pipe, a redirect, a process substitution) is read once, as the file is" {
	lcbatch split --requests 2 --prefix named req.jsonl
	cat req.jsonl | lcbatch split --requests 2 --prefix piped -
	lcbatch split --requests 2 --prefix redir - <req.jsonl
	lcbatch split --requests 2 --prefix subst <(cat req.jsonl)
	for k in 001 002 003; do
		for p in piped redir subst; do
			cmp named.part-$k.jsonl $p.part-$k.jsonl || fail "$p.part-$k.jsonl differs"
		done
	done
	run lcbatch split - <req.jsonl
	assert_failure 2
	assert_output --partial "needs --prefix"
}

@test "split: a failure leaves no part of this run, exit 1; a re-split into fewer parts removes the rest" {
	mkdir pp.part-002.jsonl
	run lcbatch split --requests 2 --prefix pp req.jsonl
	assert_failure 1
	assert_output --partial "pp.part-002.jsonl: exists and is not a regular file"
	assert_no_file pp.part-001.jsonl
	assert_no_file pp.part-003.jsonl
	run sh -c 'ls -A | grep split'
	assert_failure
	lcbatch split --requests 1 --prefix st req.jsonl
	run lcbatch split --requests 2 --prefix st req.jsonl
	assert_success
	assert_output "$(printf 'lcbatch: req.jsonl: 3 parts written\nlcbatch: removed 2 parts of an earlier split beyond part 3')"
	assert_no_file st.part-004.jsonl
	assert_no_file st.part-005.jsonl
	cat st.part-*.jsonl >joined.jsonl
	cmp req.jsonl joined.jsonl
}

@test "split: a rename that fails at any point leaves the earlier split's parts as they were, or the new split whole" {
	need_faultinject
	lcbatch split --requests 1 --prefix st req.jsonl 2>/dev/null
	before=$(ls -A | sort | tr '\n' ' ')$(cat st.part-*.jsonl | md5sum)
	after_ok=
	failed_at=
	for n in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf try && mkdir try && cp st.part-*.jsonl req.jsonl try/
		run --separate-stderr bash -c "cd try && LCTK_FAULT=rename:$n:EIO:once LD_PRELOAD='$FAULTINJECT' lcbatch split --requests 2 --prefix st req.jsonl"
		got=$(cd try && ls -A | sort | tr '\n' ' ')$(cat try/st.part-*.jsonl | md5sum)
		if [ "$status" -eq 0 ]; then
			[ "$got" = "req.jsonl st.part-001.jsonl st.part-002.jsonl st.part-003.jsonl $(md5sum <req.jsonl)" ] || fail "rename $n: exit 0 but not the new split: $got"
			after_ok=$n
		else
			[ "$status" -eq 1 ] || fail "rename $n: exit $status: $stderr"
			[ "$got" = "$before" ] || fail "rename $n failed ($stderr) and left $got instead of $before"
			failed_at="$failed_at $n"
		fi
	done
	# the three parts' own temp files, two stale parts moved, three parts placed: eight renames
	[ "$failed_at" = " 1 2 3 4 5 6 7 8" ] || fail "renames that failed the split:$failed_at"
	[ "$after_ok" = 10 ]
}

@test "split: a numeric or repeated custom_id, or no method/url/body, is refused with FILE:LINE, exit 1" {
	printf '{"custom_id":7,"method":"POST","url":"/v1/chat/completions","body":{}}\n' >num.jsonl
	run lcbatch split num.jsonl
	assert_failure 1
	assert_output --partial "num.jsonl:1: field 'custom_id': expected a string, got number"
	cat req.jsonl req.jsonl >dup.jsonl
	run lcbatch split dup.jsonl
	assert_failure 1
	assert_output --partial "dup.jsonl:6: custom_id 'r1' repeats line 1"
	assert_no_file dup.part-001.jsonl
	for f in method url body; do
		head -n 1 req.jsonl >nof.jsonl
		jq -c "del(.$f)" <req.jsonl | sed -n 2p >>nof.jsonl
		run lcbatch split nof.jsonl
		assert_failure 1
		assert_output --partial "nof.jsonl:2: request 'r2' needs"
		assert_output --partial "$f"
	done
	assert_no_file nof.part-001.jsonl
}

@test "failed: an empty REQUESTS exits 1; both files '-' is bad usage; results of no request are counted" {
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res.jsonl 3>&-
	: >empty.jsonl
	run lcbatch failed empty.jsonl res.jsonl
	assert_failure 1
	assert_output --partial "empty.jsonl: no requests"
	run lcbatch failed - - <req.jsonl
	assert_failure 2
	assert_output --partial "read once"
	head -n 3 req.jsonl >three.jsonl
	run lcbatch failed three.jsonl res.jsonl
	assert_success
	assert_line --index 0 "lcbatch: res.jsonl: 2 results whose custom_id is in no request of three.jsonl: ignored (results of another batch?)"
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

@test "failed: REQUESTS are read by split's rule: a numeric or repeated custom_id is bad input naming FILE:LINE, nothing written" {
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res.jsonl 3>&-
	{ cat req.jsonl; printf '{"custom_id":7,"method":"POST","url":"/v1/chat/completions","body":{}}\n'; } >num.jsonl
	run -1 --separate-stderr lcbatch failed num.jsonl res.jsonl
	assert_output ''
	[ "$stderr" = "lcbatch: num.jsonl:6: field 'custom_id': expected a string, got number" ] || fail "$stderr"
	{ cat req.jsonl; head -n 2 req.jsonl | tail -n 1; } >dup.jsonl
	run -1 --separate-stderr lcbatch failed -o retry.jsonl dup.jsonl res.jsonl
	assert_no_file retry.jsonl
	[ "$stderr" = "lcbatch: dup.jsonl:6: custom_id 'r2' repeats line 2: custom_ids must be unique in a batch" ] || fail "$stderr"
	# what split writes, failed reads: every request has a result here
	run -0 lcbatch failed req.jsonl res.jsonl
	assert_output "lcbatch: 0 of 5 requests have no successful result"
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
