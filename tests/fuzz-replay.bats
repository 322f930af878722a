#!/usr/bin/env bats
# Replays every fuzz harness's seed corpus and past crashers (tests/fuzz/corpus/NAME/)
# through the harness linked with a plain driver; under SAN=1 any sanitizer report fails.
load helpers

@test "fuzz replay: every harness has a replay binary and a seed corpus" {
	for h in "$ROOT"/tests/fuzz/fuzz_*.c; do
		name=$(basename "$h" .c)
		[ -x "$BUILD/tests/$name" ] || fail "$name not built"
		[ -n "$(ls "$ROOT/tests/fuzz/corpus/${name#fuzz_}")" ] || fail "$name has no seeds"
	done
}

@test "fuzz replay: all seeds and regression inputs run clean" {
	for h in "$ROOT"/tests/fuzz/fuzz_*.c; do
		name=$(basename "$h" .c)
		run "$BUILD/tests/$name" "$ROOT"/tests/fuzz/corpus/"${name#fuzz_}"/*
		[ "$status" -eq 0 ] || fail "$name failed: $output"
		refute_output --partial "not ok"
	done
}

@test "fuzz replay: harnesses keep scratch files under TMPDIR and leave nothing there" {
	# a path under /tmp written into a harness would bypass TMPDIR
	run grep -n '"/tmp/' "$ROOT"/tests/fuzz/*.c
	[ "$status" -eq 1 ] || fail "harness writes under a fixed /tmp path: $output"
	tmp="$BATS_TEST_TMPDIR/tmp"
	mkdir "$tmp"
	for h in "$ROOT"/tests/fuzz/fuzz_*.c; do
		name=$(basename "$h" .c)
		TMPDIR="$tmp" run "$BUILD/tests/$name" "$ROOT"/tests/fuzz/corpus/"${name#fuzz_}"/*
		[ "$status" -eq 0 ] || fail "$name failed: $output"
		left=$(ls -A "$tmp")
		[ -z "$left" ] || fail "$name left in TMPDIR: $left"
	done
}
