#!/usr/bin/env bats
load helpers
setup() {
	lctk_setup
	printf '%s\n' '{"name":"original","ratio":1,"r1":0.40}' '{"name":"lctk","ratio":2,"r1":"0.39"}' \
		'{"name":"llm","ratio":2.3,"r1":0.37}' '{"name":"no-y","ratio":3}' > t.jsonl
}

@test "lcplot: gnuplot script with the data inline, one series per --by value" {
	run lcplot -x ratio -y r1 --by name --title 'size vs R@1' t.jsonl
	assert_success
	assert_line 'set title "size vs R@1"'
	assert_line '$s0 << EOD'
	assert_line '1 0.4 ""'
	assert_line '2 0.39 ""'
	assert_line --partial 'plot $s0 using 1:2 with points pt 7 ps 1.2 title "original"'
	assert_line 'lcplot: warning: 1 record without numeric '"'"'ratio'"'"' and '"'"'r1'"'"' skipped'
}

@test "lcplot: histogram counts per bin" {
	printf '{"v":%s}\n' 1 1 2 3 4 4 4 > h.jsonl
	run lcplot --type hist --bins 3 -x v h.jsonl
	assert_success
	assert_line '1.5 2'
	assert_line '2.5 1'
	assert_line '3.5 4'
	assert_line --partial 'with boxes'
}

@test "lcplot: SVG and PNG through gnuplot, written atomically" {
	command -v gnuplot >/dev/null || skip "gnuplot not installed"
	run lcplot -x ratio -y r1 --label name -o f.svg t.jsonl
	assert_success
	grep -q '<svg' f.svg
	grep -q 'original' f.svg
	run lcplot -x ratio -y r1 -o f.png t.jsonl
	assert_success
	[ "$(head -c 4 f.png | od -An -c | tr -d ' ')" = '211PNG' ]
}

@test "lcplot: bad usage and input" {
	run lcplot -y r1 t.jsonl
	assert_failure 2
	run lcplot -x ratio t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --type pie t.jsonl
	assert_failure 2
	run lcplot -x ratio -y r1 --format svg t.jsonl
	assert_failure 2
	run lcplot -x nope -y r1 -o x.svg t.jsonl
	assert_failure 1
	assert_output --partial 'nothing to plot'
	assert_no_file x.svg
	echo '{bad' > b.jsonl
	run lcplot -x a -y b b.jsonl
	assert_failure 1
	assert_output --partial 'b.jsonl:1'
}
