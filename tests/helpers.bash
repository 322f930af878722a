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
