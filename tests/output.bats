#!/usr/bin/env bats
# Every program's -o FILE (lib/output.c) and messages under attack, issue 18:
# closed standard fds (#13) and control characters in messages (#4).
load helpers

setup() {
	lctk_setup
	BG=()
	printf '{"pid":"d1","title_text":"","passage_text":"the cat sat on the mat"}\n{"pid":"d2","title_text":"","passage_text":"a dog ran in the park"}\n' > c.jsonl
	# q1 matches nothing: the first query of the run has no hits (issue 18 #24)
	printf '{"qid":"q1","query_text":"zebra","answers":[["d1",1]]}\n{"qid":"q2","query_text":"cat","answers":[["d1",1]]}\n' > q.jsonl
	printf 'q1 Q0 d1 1 2.5 runA\nq1 Q0 d2 2 1.25 runA\n' > run.trec
}

teardown() {
	exec 5>&- 2>/dev/null || true
	local p
	for p in "${BG[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# the forms below write -o OUT; one line per program
forms() {
	cat <<-F
	lcconv -k corpus -t beir c.jsonl
	lcretrieve --quiet -c c.jsonl q.jsonl
	lctok count -e cl100k_base -f passage_text c.jsonl
	lcsplit -f passage_text c.jsonl
	F
}

# ---- issue 18 #13: closed standard fds ------------------------------------------

@test "with stderr closed, warnings do not end up in the output file" {
	lcconv -t loft -o want.jsonl run.trec 2>/dev/null
	# bash -c: bats' run would reopen stderr onto its capture
	run bash -c 'lcconv -t loft -o out.jsonl run.trec 2>&-'
	assert_success
	cmp want.jsonl out.jsonl || fail "output differs: $(cat out.jsonl)"
	run bash -c 'lcsplit -f passage_text -o split.out c.jsonl 2>&- <&-'
	assert_success
	lcsplit -f passage_text c.jsonl | cmp - split.out
}

# ---- issue 18 #4: control characters in messages --------------------------------

@test "control characters from data are escaped in messages (lceval qid, lcconv file name, usage errors)" {
	printf 'q1 0 d1 1\nq\0339]0;pwned\a 0 d1 1\n' > qrels.txt
	printf 'q1 Q0 d1 1 2.5 r\n' > r.trec
	run --separate-stderr lceval qrels.txt r.trec
	assert_failure
	[[ "$stderr" == *"result qid 'q\\x1b9]0;pwned\\x07' not found in qrels"* ]] || fail "$stderr"
	[[ "$stderr" != *$'\e'* && "$stderr" != *$'\a'* ]] || fail "raw control characters reached stderr"
	run --separate-stderr lcconv -k corpus -t beir $'no\e[2Jsuch\xc2\x9b.jsonl'
	assert_failure 1
	[[ "$stderr" == *'no\x1b[2Jsuch\u009b.jsonl'* ]] || fail "$stderr"
	[[ "$stderr" != *$'\e'* ]] || fail "raw ESC reached stderr"
	run --separate-stderr lcsplit $'--x\e[31m'
	assert_failure 2
	[[ "$stderr" == *'--x\x1b[31m'* ]] || fail "$stderr"
	# UTF-8 text is kept as it is
	run --separate-stderr lcconv -k corpus -t beir 'café.jsonl'
	[[ "$stderr" == *'café.jsonl'* ]] || fail "$stderr"
}
