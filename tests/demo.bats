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
