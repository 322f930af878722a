#!/usr/bin/env bats
# The test suite's own guards (issue 12): the chain lint (tests/chainlint.py,
# also run by make lint) finds nothing in the suites and catches each kind of
# assertion bats would never see; start_llm_server is ready on return and gone
# after the test.
load helpers
setup() { lctk_setup; }
teardown() { lctk_teardown; }

lint() {
	run python3 "$ROOT/tests/chainlint.py" "$@"
}

# planted BODY: a suite with one test whose body is BODY (lines 3 on)
planted() {
	printf '#!/usr/bin/env bats\n@test "planted" {\n%s\n}\n' "$1" > planted.bats
}

@test "chainlint: nothing to report in the tree's suites" {
	lint "$ROOT"/tests/*.bats
	assert_success
	assert_output ""
}

@test "chainlint: a planted '[ a = b ] && true' line fails the lint, named by file and line" {
	planted $'\techo one\n\t[ a = b ] && true\n\techo two'
	lint planted.bats
	assert_failure 1
	assert_output 'planted.bats:4: [ a = b ] before && is not checked: bats ignores a failure there; put it on its own line (or end the list with || fail "why")'
	# the same line in a copy of a real suite
	awk '{ print } /^@test/ && !done { print "\t[ a = b ] && true"; done = 1 }' "$ROOT/tests/lcsplit.bats" > copy.bats
	lint copy.bats
	assert_failure 1
	assert_output --regexp '^copy\.bats:[0-9]+: \[ a = b \] before &&'
	[ "${#lines[@]}" -eq 1 ]
}

@test "chainlint: each dead-assertion pattern is reported" {
	planted $'\t[[ -n x ]] &&\n\t\techo continued\n\tassert_output x && echo y\n\tgrep -q a f && cmp a b && echo z\n\ttest -e x && :\n\t! cmp a b && :\n\tx=$( [ -e f ] && echo y )\n\tlcsplit f | python3 -c pass\n\trun lcsplit f | cat\n\trun sh -c "lcsplit f | wc -l"\n\trun lcsplit f\n\tassert_output x\n\trun lcsplit g\n\trun -0 lcsplit h'
	lint planted.bats
	assert_failure 1
	assert_line --partial 'planted.bats:3: [[ -n x ]] before &&'
	assert_line --partial 'planted.bats:5: assert_output x before &&'
	assert_line --partial 'planted.bats:6: grep -q a f before &&'
	assert_line --partial 'planted.bats:6: cmp a b before &&'
	assert_line --partial 'planted.bats:7: test -e x before &&'
	assert_line --partial 'planted.bats:8: ! cmp a b before &&'
	assert_line 'planted.bats:9: [ inside $( ): its status is discarded; check it on its own line'
	assert_line --partial 'planted.bats:10: the status of lcsplit is lost in this pipeline; add set -o pipefail'
	assert_line --partial 'planted.bats:11: run in a pipeline runs in a subshell'
	assert_line --partial 'planted.bats:12: the status of lcsplit is lost in this pipeline of sh -c; use bash -o pipefail -c'
	assert_line --partial 'planted.bats:13: run without a status check'
	assert_line --partial 'planted.bats:15: run without a status check'
	[ "${#lines[@]}" -eq 13 ]
}

@test "chainlint: checks whose status counts are not reported" {
	planted "$(cat <<'EOF'
	[ a = a ] || fail "why"
	[ a = a ] && [ b = b ] || fail "why"
	[ -e x ] && [ -e y ] || return 1
	grep -q a f && fail "a in f"
	if [ -e x ] && [ -e y ]; then echo both; elif [ a ] && [ b ]; then :; fi
	while [ -e x ] && [ -e y ]; do break; done
	for i in 1 2; do [ -e "$i" ] && break; [ -e x ] && continue; done
	case $x in a|b) [ -e z ] || fail ;; *) : ;; esac
	echo "[ a = b ] && true" 'grep -q x && y' # [ a ] && b
	cat <<-X
	[ a = b ] && true
	X
	[[ a == a && b == b ]]
	run -1 lcsplit f
	run ! lcsplit f
	run lcsplit g
	assert_failure 2
	run --separate-stderr lcsplit h
	[ "$status" -eq 0 ]
	run cat f
	assert_output x
	run bash -o pipefail -c "lcsplit f | wc -l"
	assert_success
	set -o pipefail
	lcsplit f | wc -l
EOF
)"
	lint planted.bats
	assert_success
	assert_output ""
}

@test "chainlint: usage and unreadable files" {
	lint
	assert_failure 2
	assert_output "usage: chainlint.py FILE.bats..."
	lint nonexistent.bats
	assert_failure 2
	assert_output --partial "chainlint: nonexistent.bats: "
}

@test "start_llm_server: listening on return, gone after stop_llm_server; teardown stops it" {
	start_llm_server
	local pid=$LLM_PID
	# it answers at once: the readiness wait connected already
	run -0 curl -sS -m 60 -H 'Content-Type: application/json' \
		-d '{"model":"m","messages":[{"role":"user","content":"Summarize the following content.\n\nOne. Two."}]}' "$EP/chat/completions"
	assert_output --partial '"object": "chat.completion"'
	run -0 grep -c . "$T/server.log"
	assert_output 1
	stop_llm_server
	run -1 alive "$pid"
	[ -z "$LLM_PID" ]
	start_llm_server --fault 500:1
	pid=$LLM_PID
	lctk_teardown
	run -1 alive "$pid"
}

@test "start_llm_server: a server that cannot start fails the test at once with its error" {
	run start_llm_server --no-such-flag
	assert_failure
	assert_output --partial "tests/llm-server.py --no-such-flag: exited before listening"
	assert_output --partial "unrecognized arguments: --no-such-flag"
}
