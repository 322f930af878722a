#!/usr/bin/env bats
# make install / uninstall with DESTDIR and PREFIX: programs, man pages,
# completions and share/lctk land where they should; installed programs find
# their data under PREFIX/share/lctk without LCTK_DATA; uninstall removes it all.
load helpers
setup() { lctk_setup; }

@test "make install DESTDIR PREFIX, installed programs find their data, make uninstall removes everything" {
	D="$T/stage"
	run make -C "$ROOT" --no-print-directory install B="$BUILD" DESTDIR="$D" PREFIX=/opt/lctk
	assert_success
	for c in "$ROOT"/cmd/lc*.c; do
		p=$(basename "$c" .c)
		[ -x "$D/opt/lctk/bin/$p" ] || fail "$p not installed"
		[ -f "$D/opt/lctk/share/man/man1/$p.1" ] || fail "$p.1 not installed"
	done
	[ -f "$D/opt/lctk/share/man/man5/lctk-formats.5" ]
	[ -f "$D/opt/lctk/share/man/man7/lctk.7" ]
	[ -f "$D/opt/lctk/share/bash-completion/completions/lctk" ]
	[ -f "$D/opt/lctk/share/zsh/vendor-completions/_lctk" ]
	[ -f "$D/opt/lctk/share/lctk/vocab/cl100k_base.tiktoken" ]
	# data next to the installed binary, no LCTK_DATA
	run env -u LCTK_DATA sh -c "printf '{\"text\":\"hello world\"}\n' | '$D/opt/lctk/bin/lctok' count -e cl100k_base --total"
	assert_success
	assert_output "2"
	run make -C "$ROOT" --no-print-directory uninstall DESTDIR="$D" PREFIX=/opt/lctk
	assert_success
	run find "$D" -type f
	assert_success
	assert_output ""
}

@test "LCTK_DATA overrides the data directory" {
	mkdir -p data/vocab
	run env LCTK_DATA="$T/data" sh -c "printf '{\"text\":\"x\"}\n' | lctok count -e cl100k_base"
	assert_failure
	assert_output --partial "cl100k_base"
}
