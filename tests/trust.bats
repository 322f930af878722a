#!/usr/bin/env bats
# The test suite's own guards (issue 12): the chain lint (tests/chainlint.py,
# also run by make lint) finds nothing in the suites and catches each kind of
# assertion bats would never see; tests/run-test fails a suite that hangs or that
# leaves a process running, naming the suite, and kills what it left.
load helpers
setup() { lctk_setup; }
teardown() { lctk_teardown; }

lint() {
	run python3 "$ROOT/tests/chainlint.py" "$@"
}

# nested CMD...: run CMD (a nested bats) without this test's BATS_* variables,
# which would make it report into this suite
nested() {
	local u=() v
	for v in $(compgen -e); do
		case $v in BATS_*) u+=(-u "$v") ;; esac
	done
	run env "${u[@]}" "$@"
}

# suite FILE: writes stdin to FILE, %test made @test (bats would rewrite an
# @test line even inside a here-document of this file)
suite() {
	sed 's/^%test /@test /' > "$1"
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
	# bats itself passes the planted test: that is why the lint exists
	nested bats planted.bats
	assert_success
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
	# the planted body (conditions whose status counts: ||, if, while, case, heredoc text,
	# run with a status) is a fixture file, so no scanner takes its lines for this suite's
	planted "$(cat "$ROOT/tests/data/chainlint-quiet.body")"
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

@test "run-test: a suite that leaves a process running fails, names it, and the process is gone" {
	suite leaves.bats <<EOF
%test "starts a sleeper and forgets it" {
	sleep 1000 3>&- &
	echo \$! > "$T/pid"
}
EOF
	nested "$ROOT/tests/run-test" leaves.bats
	assert_failure 1
	assert_line "ok 1 starts a sleeper and forgets it"
	assert_line "run-test: leaves.bats: left 1 process(es) running after it ended (killed now):"
	assert_line "  pid $(cat pid): sleep 1000 "
	run -1 alive "$(cat pid)"
}

@test "run-test: a suite that hangs fails at LCTK_SUITE_TIMEOUT with its name; its processes are gone" {
	suite hangs.bats <<EOF
%test "quick" { true; }
%test "hangs" {
	echo \$\$ > "$T/pid"
	sleep 1000
}
EOF
	LCTK_SUITE_TIMEOUT=3 nested "$ROOT/tests/run-test" hangs.bats
	assert_failure 124
	assert_line "ok 1 quick"
	assert_line "run-test: hangs.bats: TIMED OUT after 3 s (LCTK_SUITE_TIMEOUT); the last test above did not finish"
	refute_line --partial "ok 2"
	run -1 alive "$(cat pid)"
	LCTK_SUITE_TIMEOUT=x nested "$ROOT/tests/run-test" hangs.bats
	assert_failure 2
	assert_output "run-test: LCTK_SUITE_TIMEOUT must be a number of seconds, not 'x'"
}

@test "run-test: under make memcheck a memory error fails the suite even in a run whose failure was expected; leaks alone are listed" {
	# the planted tests stand in for programs run under the valgrind wrapper: one run
	# logged nothing, one a memory error and exited (99) as the test expected, one
	# only a leak when it failed
	mkdir -p b/valgrind-logs
	suite memerr.bats <<EOF
%test "a clean run" { : > "$T/b/valgrind-logs/vg.\$LCTK_SUITE_TAG.101.log"; }
%test "a failure the test expected, with an invalid read" {
	printf '==102== Invalid read of size 8\n==102==    at 0x1: f (a.c:1)\n==102== \n' > "$T/b/valgrind-logs/vg.\$LCTK_SUITE_TAG.102.log"
}
%test "a failed run that leaked" {
	printf '==103== 8 bytes in 1 blocks are definitely lost in loss record 5 of 63\n==103==    at 0x1: calloc (x.c:1)\n==103== \n' > "$T/b/valgrind-logs/vg.\$LCTK_SUITE_TAG.103.log"
}
EOF
	LCTK_VALGRIND=1 LCTK_BUILD="$T/b" nested "$ROOT/tests/run-test" memerr.bats
	assert_failure 1
	assert_line "ok 2 a failure the test expected, with an invalid read"
	assert_line "run-test: memerr.bats: valgrind reported memory errors in 1 program run(s):"
	assert_line "==102== Invalid read of size 8"
	assert_line --regexp "^run-test: memerr.bats: 1 program run\(s\) logged only definite leaks .*\.103\.log$"
	# without the invalid read the suite passes, the leak still listed
	sed -i '/Invalid read/d' memerr.bats
	LCTK_VALGRIND=1 LCTK_BUILD="$T/b" nested "$ROOT/tests/run-test" memerr.bats
	assert_success
	refute_output --partial "memory errors"
	assert_line --partial "1 program run(s) logged only definite leaks"
}

@test "run-test: a passing suite passes, its output and status unchanged" {
	printf '@test "one" { true; }\n@test "two" { false; }\n' > two.bats
	nested "$ROOT/tests/run-test" two.bats
	assert_failure 1
	assert_line "ok 1 one"
	assert_line "not ok 2 two"
	printf '@test "one" { true; }\n' > one.bats
	nested env -u LCTK_SUITE_TIMEOUT "$ROOT/tests/run-test" one.bats
	assert_success
	assert_line --index 0 "run-test: one.bats: started (time limit 900 s)"
	assert_line --index 1 "1..1"
	assert_line --index 2 "ok 1 one"
	assert_line --index 3 --regexp '^run-test: one\.bats: ended after [0-9]+\.[0-9] s \(CPU [0-9]+\.[0-9] s\)$'
	assert_equal "${#lines[@]}" 4
}

@test "run-test: TAP lines pass on as they come; a failing test's lines also go to stderr" {
	# test two waits (at most 20 s) for the file the reader makes on seeing "ok 1 one":
	# a filter that held the stream until the suite ended would make it fail
	suite flow.bats <<-'EOF'
	%test "one" { true; }
	%test "two" { for _ in $(seq 200); do [ -e "$FLOW_FLAG" ] && return 0; sleep 0.1; done; false; }
	%test "three" { echo "why three failed"; false; }
	EOF
	export FLOW_FLAG="$T/seen-ok-1"
	nested bash -c '"$1" flow.bats 2>stderr.txt | while IFS= read -r l; do
		[ "$l" != "ok 1 one" ] || touch "$FLOW_FLAG"; printf "%s\n" "$l"; done' - "$ROOT/tests/run-test"
	assert_line "ok 2 two"
	assert_line "not ok 3 three"
	run cat stderr.txt
	assert_line "not ok 3 three"
	assert_line "# why three failed"
	refute_line "ok 1 one"
	refute_line "ok 2 two"
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

@test "layers lint: lib/ passes, a header including one from a subsystem above fails, naming both" {
	run -0 sh "$ROOT/tests/layers.sh" "$ROOT/lib"
	cp -r "$ROOT/lib" lib
	sed -i '0,/^#include "/s//#include "bm25.h"\n#include "/' lib/tok/tok.h
	run -1 sh "$ROOT/tests/layers.sh" lib
	assert_output --partial "lib/tok/tok.h"
	assert_output --partial "includes bm25.h of retrieve, above tok"
}
