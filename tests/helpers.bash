# helpers.bash — loaded by every bats suite: puts the built programs first on
# PATH, loads bats-support/bats-assert, gives each test a scratch directory and
# finds ../shared (vectors, data) when present.
#
#   load helpers
#   setup() { lctk_setup; }
#   need_shared vectors/eval   # skips with a clear message when ../shared is absent

ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
BUILD="${LCTK_BUILD:-$ROOT/build}"
export PATH="$BUILD/bin:$PATH"
# LCTK_VALGRIND=1 (make memcheck): every program runs under valgrind memcheck through
# wrapper scripts; a memory error or definite leak exits 99, failing the test.
if [ -n "${LCTK_VALGRIND:-}" ]; then
	VG="$BUILD/valgrind-bin"
	if [ ! -d "$VG" ]; then
		mkdir -p "$VG.tmp.$$"
		for p in "$BUILD"/bin/lc*; do
			printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --log-file=%s/vg.%%p.log %s "$@"\n' \
				"$BUILD/valgrind-logs" "$p" > "$VG.tmp.$$/${p##*/}"
			chmod +x "$VG.tmp.$$/${p##*/}"
		done
		mkdir -p "$BUILD/valgrind-logs"
		mv "$VG.tmp.$$" "$VG" 2>/dev/null || rm -rf "$VG.tmp.$$"
	fi
	export PATH="$VG:$PATH"
fi
export LCTK_DATA="$ROOT/share/lctk"
SHARED="${LCTK_SHARED:-$ROOT/../shared}"

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

lctk_setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
}

# need_shared REL: skip unless ../shared/REL exists.
need_shared() {
	[ -e "$SHARED/$1" ] || skip "../shared/$1 not present (reference vectors live outside the repo)"
}

# The file must not exist (no partial output).
assert_no_file() {
	[ ! -e "$1" ] || fail "expected no file $1, found one"
}

# stdout must be empty (failed records print nothing).
assert_no_stdout() {
	[ -z "$output" ] || fail "expected nothing on stdout, got: $output"
}

# need_faultinject: skip unless the LD_PRELOAD fault shim is built (not under SAN=1).
need_faultinject() {
	FAULTINJECT="$BUILD/tests/faultinject.so"
	[ -f "$FAULTINJECT" ] || skip "fault-injection shim not built (sanitizer build)"
}
