#!/usr/bin/env bats
# make demo's table (share/lctk/recipes/demo.sh): the whole pipeline on the
# bundled hotpotqa sample with the embedded defaults, no network.
load helpers
setup() { lctk_setup; }

@test "demo: one table, original / lead-50% / lctk / lctk@1.91x, sizes and recalls that hold" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the demo compresses and searches the whole sample: the per-program suites cover it under valgrind"
	run sh "$ROOT/share/lctk/recipes/demo.sh" "$BUILD/bin"
	assert_success
	assert_line --index 0 --partial 'bundled hotpotqa sample'
	assert_output --regexp $'\ncompressor +tokens +ratio +recall@1 +recall@5 +nDCG@10\n'
	row() { echo "$output" | awk -v n="$1" '$1==n'; }
	set -- $(row original)
	[ "$3" = 1.000 ]
	[ "$2" -gt 0 ]
	local orig=$2 r0=$4
	set -- $(row lead-50%)
	awk -v r="$3" 'BEGIN{exit !(r > 1.7)}'
	local rlead=$4
	set -- $(row lctk)
	awk -v r="$3" 'BEGIN{exit !(r > 1.2)}'
	awk -v a="$4" -v b="$r0" 'BEGIN{exit !(a >= b - 0.01)}'
	set -- $(row lctk@1.91x)
	# at least 1.91x fewer tokens; recall@1 within two points of the original
	# and far above lead-50%, which is about as small
	awk -v r="$3" -v t="$2" -v o="$orig" 'BEGIN{exit !(r >= 1.91 && t <= o / 1.91)}'
	awk -v a="$4" -v b="$r0" -v l="$rlead" 'BEGIN{exit !(a >= b - 0.02 && a >= l + 0.05)}'
	[ "$(echo "$output" | grep -c ' n/a')" -eq 0 ]
}

@test "demo: the sizes come from lcompress --report files, not from its stderr" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the demo compresses and searches the whole sample: the per-program suites cover it under valgrind"
	run -0 --separate-stderr sh "$ROOT/share/lctk/recipes/demo.sh" "$BUILD/bin"
	local want=$output
	# a BIN whose lcompress prints a misleading size line on stderr: a scraper of
	# stderr would show 1 and 2 tokens
	mkdir bin
	for p in "$BUILD"/bin/lc*; do ln -s "$p" bin/; done
	rm bin/lcompress
	printf '#!/bin/sh\n"%s" "$@" || exit\necho "lcompress: 1 passages, tokens (cl100k_base, title+text) 1 -> 2, ratio 0.500x" >&2\n' \
		"$BUILD/bin/lcompress" > bin/lcompress
	chmod +x bin/lcompress
	run -0 --separate-stderr sh "$ROOT/share/lctk/recipes/demo.sh" "$PWD/bin"
	[ "$output" = "$want" ] || fail "$(diff <(echo "$want") <(echo "$output"))"
	# and no recipe runs sed at all (they read reports and JSON)
	run grep -nE '(^|[|;(]|\$\()[[:space:]]*sed ' "$ROOT/share/lctk/recipes/demo.sh" "$ROOT/share/lctk/recipes/color.mk"
	assert_failure 1
}

@test "color.mk frontier: ratio vs recall@1 of every compressor, lcplot reading the reports and lceval's JSON" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the recipe compresses and searches the whole sample: the per-program suites cover it under valgrind"
	command -v gnuplot >/dev/null || skip "gnuplot not installed"
	command -v make >/dev/null || skip "make not installed"
	run -0 make -s -f "$ROOT/share/lctk/recipes/color.mk" frontier BIN="$BUILD/bin" OUT=fr \
		MODEL="$ROOT/share/lctk/models/default.lcm" RATIOS=2
	for n in original lctk lead lctk-x2; do
		[ -s fr/reports/$n.json ] || fail "no fr/reports/$n.json"
		[ -s fr/evals/$n.json ] || fail "no fr/evals/$n.json"
	done
	run -0 grep -c '<svg' fr/frontier.svg
	for n in original lctk lead lctk-x2; do
		grep -q ">$n<" fr/frontier.svg || fail "no point labelled $n in frontier.svg"
	done
	# the budget was met: half the original's tokens, from the reports
	run -0 python3 -c '
import json
o = json.load(open("fr/reports/original.json"))
x = json.load(open("fr/reports/lctk-x2.json"))
assert o["ratio"] == 1 and o["tokens"] == o["compressed_tokens"]
assert x["options"]["budget"] == o["tokens"] // 2, x["options"]
assert x["compressed_tokens"] <= x["options"]["budget"] and x["ratio"] >= 2
assert 0 < json.load(open("fr/evals/lctk-x2.json"))["quality"]["recall@1"] <= 1
print("ok")'
	assert_output ok
	# the chart's points are the reports' ratios and the evaluations' recall@1
	run -0 lcplot --group 2 --input-name name --label name -x ratio -y quality.recall@1 \
		fr/reports/original.json fr/evals/original.json fr/reports/lctk-x2.json fr/evals/lctk-x2.json
	assert_line --partial "set label 'lctk-x2' at first $(python3 -c 'import json; print(repr(float(json.load(open("fr/reports/lctk-x2.json"))["ratio"])).removesuffix(".0"))')"
}
