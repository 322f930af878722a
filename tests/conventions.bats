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

@test "every program reads a named pipe (a shell's <(cmd)) as it reads the file, also where it reads its input twice" {
	D="$ROOT/share/lctk/data/hotpotqa"
	lcindex --quiet -o c.idx "$D/corpus.jsonl"
	lcretrieve --quiet -i c.idx -k 20 -o run.jsonl "$D/queries.jsonl"
	lcconv --to trec -o run.trec run.jsonl
	# each command with FILE, then with <(cat FILE): the same stdout
	while IFS='|' read -r cmd file; do
		run -0 bash -c "$cmd \"\$1\"" _ "$file"
		want=$output
		run -0 bash -c "$cmd <(cat \"\$1\")" _ "$file"
		[ "$output" = "$want" ] || fail "$cmd <(cat $file) differs from $cmd $file"
	done <<EOT
lcompress --quiet|$D/corpus.jsonl
lcconv --to trec|run.jsonl
lcconv --to jsonl|run.trec
lcconv --to beir -o -|$D/corpus.jsonl
lctok count -e cl100k_base --total|$D/corpus.jsonl
lcsplit|$D/corpus.jsonl
lcdecompose --table -e cl100k_base|$D/corpus.jsonl
lcfuse run.jsonl|run.trec
lceval -m map -m recall@2 $D/queries.jsonl|run.jsonl
lcretrieve --quiet -i c.idx -k 5|$D/queries.jsonl
EOT
	cmp <(lcindex --quiet -o - "$D/corpus.jsonl") <(lcindex --quiet -o - <(cat "$D/corpus.jsonl"))
}
