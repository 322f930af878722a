#!/usr/bin/env bats
# Conventions every program follows (CONTRIBUTING): --help, --version, usage
# errors exit 2 with a hint, the option table is dumpable for completions, a man
# page and completions exist.  Runs over every program in cmd/, so new programs are
# covered without editing this file.
load helpers
setup() { lctk_setup; }

programs() {
	for c in "$ROOT"/cmd/lc*.c; do
		if [ -f "$c" ]; then basename "$c" .c; fi
	done
}

@test "every program: --help prints usage on stdout and exits 0" {
	for p in $(programs); do
		run "$p" --help
		[ "$status" -eq 0 ] || fail "$p --help exited $status"
		[[ "$output" == "usage: $p"* ]] || fail "$p --help does not start with usage: $output"
		run "$p" -h
		[ "$status" -eq 0 ] || fail "$p -h exited $status"
	done
}

@test "every program: --version names the program and lctk's version" {
	for p in $(programs); do
		run "$p" --version
		[ "$status" -eq 0 ] || fail "$p --version exited $status"
		[[ "$output" =~ ^$p\ \(lctk\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "$p --version: $output"
	done
}

@test "every program: --help, --version and --lctk-options on a full disk are a write error (exit 1, a message)" {
	for p in $(programs); do
		for opt in --help --version --lctk-options; do
			run bash -c "$p $opt >/dev/full"
			[ "$status" -eq 1 ] || fail "$p $opt >/dev/full exited $status"
			[[ "$output" == "$p: (stdout): write error: No space left on device" ]] || fail "$p $opt: $output"
		done
	done
}

@test "every program: an unknown option is a usage error (exit 2, hint, nothing on stdout)" {
	for p in $(programs); do
		run --separate-stderr "$p" --no-such-option-xyz
		[ "$status" -eq 2 ] || fail "$p: exit $status"
		[ -z "$output" ] || fail "$p printed to stdout: $output"
		[[ "$stderr" == "$p: "* ]] || fail "$p: stderr not prefixed: $stderr"
	done
}

@test "every program: has a man page and appears in both completions and the README" {
	for p in $(programs); do
		[ -f "$ROOT/man/$p.1" ] || fail "no man/$p.1"
		grep -q -- "complete -o filenames -F _$p $p" "$ROOT/completions/lctk.bash" || fail "$p not in lctk.bash"
		grep -q -- "^$p)" "$ROOT/completions/_lctk" || fail "$p not in _lctk"
		grep -q -- "\`$p\`" "$ROOT/README.md" || fail "$p not in README.md"
	done
}

@test "make lint: man pages are mandoc-clean and every option is documented and completed" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	run sh -c "cd '$ROOT' && sh tests/lint.sh '$BUILD'"
	assert_success
	assert_output --partial "lint: ok"
}
