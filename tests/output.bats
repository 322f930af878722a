#!/usr/bin/env bats
# Every program's -o FILE (lib/core/output.c) under attack, issue 18 items 4 5 6 13 14
# 15 21 24 and issue 10's output-suffix rule: where -o leads (/dev/stdout, fd
# paths, symlinks, FIFOs), the mode it keeps, closed standard fds, durability,
# signals and ulimit -f, names checked before work, compression by suffix, and
# control characters in messages.  Runs over several programs, not only one.
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
	lcconv --kind corpus --to beir c.jsonl
	lcretrieve --quiet -c c.jsonl q.jsonl
	lctok count -e cl100k_base -f passage_text c.jsonl
	lcsplit -f passage_text c.jsonl
	F
}

# ---- issue 18 #6: -o /dev/stdout and friends ---------------------------------

# Runs "$@" in a private mount namespace whose /dev is a fresh tmpfs holding the
# usual /dev/std* symlinks, so a program that renamed over /dev/stdout cannot
# damage the real /dev even on the old code.
in_private_dev() {
	unshare -m true 2>/dev/null || skip "no mount namespaces (unshare -m) here"
	unshare -m bash -c 'mount -t tmpfs lctk-test /dev || exit 97
		ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout
		ln -s /proc/self/fd/2 /dev/stderr; ln -s /proc/self/fd /dev/fd
		: > /dev/null; chmod 666 /dev/null
		"$@"; rc=$?
		[ -L /dev/stdout ] || { echo "/dev/stdout is no longer a symlink" >&2; exit 98; }
		exit $rc' in_private_dev "$@"
}

@test "-o /dev/stdout writes through to the redirected file; /dev/stdout stays a symlink (four programs)" {
	[ "$(id -u)" = 0 ] || skip "the data loss needs root (a writable /dev)"
	while read -r -a form; do
		"${form[@]}" -o want.out 2>/dev/null
		rm -f got.out
		run in_private_dev bash -c '"$@" -o /dev/stdout > got.out' _ "${form[@]}"
		[ "$status" -ne 97 ] || skip "cannot mount a tmpfs on /dev"
		assert_success
		cmp want.out got.out || fail "${form[*]} -o /dev/stdout: the redirected file does not hold the output"
		run in_private_dev bash -c '"$@" -o /dev/stderr 2> got.err' _ "${form[@]}"
		assert_success
		cmp want.out got.err || fail "${form[*]} -o /dev/stderr: the redirected file does not hold the output"
	done < <(forms)
	[ -L /dev/stdout ] || fail "the real /dev/stdout is no longer a symlink"
}

@test "-o /dev/stdout appends under >>, and /dev/fd/1 and /proc/self/fd/1 write through too" {
	[ "$(id -u)" = 0 ] || skip "the data loss needs root (a writable /dev)"
	lcconv --kind corpus --to beir -o want.out c.jsonl
	echo first > got.out
	run in_private_dev bash -c 'lcconv --kind corpus --to beir -o /dev/stdout c.jsonl >> got.out'
	assert_success
	{ echo first; cat want.out; } | cmp - got.out || fail ">>: the earlier content was lost or the output is missing"
	# these two cannot harm /dev: they run outside a namespace
	lcretrieve --quiet -c c.jsonl -o /dev/fd/1 q.jsonl > fd.out
	lcretrieve --quiet -c c.jsonl -o want.run q.jsonl
	cmp want.run fd.out
	lcsplit -f passage_text -o /proc/self/fd/1 c.jsonl > proc.out
	lcsplit -f passage_text c.jsonl > want.split
	cmp want.split proc.out
	[ -L /dev/stdout ]
}

@test "-o through a symlink replaces the target, in the target's directory; the link stays a link" {
	mkdir sub other
	echo old > other/target.jsonl
	ln -s ../other/target.jsonl sub/link.jsonl
	run lcconv --kind corpus --to beir -o sub/link.jsonl c.jsonl
	assert_success
	[ -L sub/link.jsonl ] || fail "the symlink was replaced by a regular file"
	lcconv --kind corpus --to beir c.jsonl > want.out
	cmp want.out other/target.jsonl
	# a dangling link creates its target, as '>' does
	ln -s new.run sub/dangling
	run lcretrieve --quiet -c c.jsonl -o sub/dangling q.jsonl
	assert_success
	[ -L sub/dangling ] || fail "the dangling link was replaced"
	[ -s sub/new.run ] || fail "the dangling link's target was not created"
	[ -z "$(ls -A sub other | grep '^\.')" ] || fail "temp files left: $(ls -A sub other)"
}

@test "-o naming a FIFO, directly or through a symlink, writes in place; a .gz name compresses onto it" {
	mkfifo pipe pipe.gz
	ln -s pipe via-link
	lcconv --kind corpus --to beir -o want.out c.jsonl
	cat via-link > got.out 3>&- &
	BG+=($!)
	run lcconv --kind corpus --to beir -o via-link c.jsonl
	assert_success
	wait "${BG[-1]}"
	cmp want.out got.out
	[ -p pipe ] || fail "the FIFO was replaced"
	[ -L via-link ] || fail "the link to the FIFO was replaced"
	gzip -dc < pipe.gz > got.gz.out 3>&- &
	BG+=($!)
	run lcsplit -f passage_text -o pipe.gz c.jsonl
	assert_success
	wait "${BG[-1]}" || fail "what lcsplit wrote onto the FIFO pipe.gz is not gzip"
	lcsplit -f passage_text c.jsonl > want.split
	cmp want.split got.gz.out
	[ -p pipe.gz ]
}

# ---- issue 18 #5: modes and owners ---------------------------------------------

@test "an existing output keeps its mode (0600 stays 0600, four programs); a new one gets 0666 & ~umask" {
	while read -r -a form; do
		rm -f out
		echo secret > out
		chmod 600 out
		run "${form[@]}" -o out
		assert_success
		[ "$(stat -c %a out)" = 600 ] || fail "${form[*]}: mode became $(stat -c %a out)"
		[ "$(head -c 6 out)" != secret ] || fail "${form[*]}: not replaced"
	done < <(forms)
	(umask 027 && lcconv --kind corpus --to beir -o new.out c.jsonl)
	[ "$(stat -c %a new.out)" = 640 ]
	chmod 640 new.out
	lcretrieve --quiet -c c.jsonl -o new.out q.jsonl
	[ "$(stat -c %a new.out)" = 640 ]
}

@test "as root, an existing output keeps its owner and group" {
	[ "$(id -u)" = 0 ] || skip "needs root to own files as someone else"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	echo old > out
	chown nobody:"$(id -gn nobody)" out
	chmod 640 out
	run lcconv --kind corpus --to beir -o out c.jsonl
	assert_success
	[ "$(stat -c %U:%a out)" = "nobody:640" ] || fail "owner/mode became $(stat -c %U:%a out)"
}

# ---- issue 18 #13: closed standard fds ------------------------------------------

@test "with stderr closed, warnings do not end up in the output file" {
	# valgrind opens its log on the free fd 2, so the program sees an open stderr
	[ -z "${LCTK_VALGRIND:-}" ] || skip "under valgrind fd 2 is valgrind's log file"
	lcconv --to loft -o want.jsonl run.trec 2>/dev/null
	# bash -c: bats' run would reopen stderr onto its capture
	run bash -c 'lcconv --to loft -o out.jsonl run.trec 2>&-'
	assert_success
	cmp want.jsonl out.jsonl || fail "output differs: $(cat out.jsonl)"
	run bash -c 'lcsplit -f passage_text -o split.out c.jsonl 2>&- <&-'
	assert_success
	lcsplit -f passage_text c.jsonl > want.split
	cmp want.split split.out
}

# ---- issue 18 #14: durability ------------------------------------------------

@test "the output is fsync'd before the rename and its directory after; LCTK_NO_SYNC=1 skips both" {
	command -v strace >/dev/null || skip "strace not installed"
	[ -z "${LCTK_VALGRIND:-}" ] || skip "strace of valgrind wrappers"
	mkdir d
	# LeakSanitizer cannot run under ptrace (make check SAN=1)
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	run strace -f -o trace -e trace=fsync,rename,openat lcconv --kind corpus --to beir -o d/out.jsonl c.jsonl
	assert_success
	# fsync(temp fd) ... rename(temp, d/out.jsonl) ... openat(d) ... fsync(dir fd)
	run -0 awk '/^[0-9]+ +fsync\(/ { n++; if (!renamed) before++; else after++ }
	         /rename\(.*"d\/out.jsonl"/ { renamed = 1 }
	         END { print before + 0, after + 0 }' trace
	assert_output "1 1"
	grep -q 'openat(.*"d", O_RDONLY.*O_DIRECTORY' trace || fail "the directory d was not opened to sync: $(cat trace)"
	run env LCTK_NO_SYNC=1 strace -f -o trace2 -e trace=fsync lctok count -e cl100k_base -f passage_text -o d/n.out c.jsonl
	assert_success
	[ -s d/n.out ]
	! grep -q 'fsync(' trace2 || fail "LCTK_NO_SYNC=1 still syncs: $(cat trace2)"
}

# ---- issue 18 #15: signals and ulimit -f ----------------------------------------

# start_blocked PROG ARGS...: runs the form with input from a FIFO that never ends
# (fd 5 holds its write side) and -o d/out, and waits until its temp file exists.
start_blocked() {
	rm -rf d && mkdir d
	rm -f in.fifo && mkfifo in.fifo
	exec 5<> in.fifo
	head -1 c.jsonl >&5
	# a background job of a non-interactive shell starts with INT and QUIT ignored
	# (and a program keeps an ignored signal ignored): perl restores the defaults
	perl -e '$SIG{$_} = "DEFAULT" for qw(INT QUIT); exec @ARGV or die "exec: $!"' -- "$@" in.fifo -o d/out 3>&- 5>&- &
	PID=$!
	BG+=("$PID")
	local i
	for i in $(seq 3000); do
		[ -z "$(ls -A d)" ] || return 0
		kill -0 "$PID" 2>/dev/null || fail "$* exited before creating its temp file"
		sleep 0.01
	done
	fail "$*: no temp file in d after 30 s"
}

@test "QUIT ALRM USR1 USR2 BUS PIPE while writing: no temp left, the exit status is the signal's (three programs)" {
	local n=0
	# a sanitizer build reports SIGBUS itself unless told not to (make check SAN=1)
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_sigbus=0"
	for form in "lcconv --kind corpus --to beir" "lcsplit -f passage_text" "lctok count -e cl100k_base -f passage_text"; do
		for sig in QUIT ALRM USR1 USR2 BUS PIPE; do
			# valgrind drops a SIGBUS sent by kill (it expects only faults)
			[ -z "${LCTK_VALGRIND:-}" ] || [ "$sig" != BUS ] || { n=$((n + 1)); continue; }
			start_blocked $form
			kill -s "$sig" "$PID"
			# a program that ignored the signal would block on its input for ever
			local i
			for i in $(seq 3000); do
				kill -0 "$PID" 2>/dev/null || break
				sleep 0.01
			done
			if kill -0 "$PID" 2>/dev/null; then
				kill -9 "$PID"
				fail "$form: still running 30 s after SIG$sig"
			fi
			local rc=0
			wait "$PID" || rc=$?
			exec 5>&-
			[ "$rc" -eq $((128 + $(kill -l "$sig"))) ] || fail "$form, SIG$sig: exit $rc"
			[ -z "$(ls -A d)" ] || fail "$form, SIG$sig: left $(ls -A d)"
			n=$((n + 1))
		done
	done
	[ "$n" -eq 18 ]
}

@test "ulimit -f: 'File too large', exit 1, no temp and no output (three programs)" {
	for i in $(seq 400); do printf '{"pid":"p%d","title_text":"","passage_text":"word %d and more words to make the line longer than before"}\n' "$i" "$i"; done > big.jsonl
	for form in "lcconv --kind corpus --to beir" "lcsplit -f passage_text" "lctok encode -e cl100k_base -f passage_text"; do
		rm -rf d && mkdir d
		run --separate-stderr bash -c "ulimit -f 4; exec $form -o d/out big.jsonl"
		assert_failure 1
		[[ "$stderr" == *"d/out: write error: File too large"* ]] || fail "$form: stderr: $stderr"
		[ -z "$(ls -A d)" ] || fail "$form: left $(ls -A d)"
	done
}

# ---- issue 18 #21: -o checked before any work ----------------------------------

@test "-o '' and -o DIR are usage errors before any input is read (four programs)" {
	while read -r -a form; do
		# the input does not exist: the output's message must come first
		run --separate-stderr "${form[@]/c.jsonl/missing.jsonl}" -o ''
		assert_failure 2
		[[ "$stderr" == *"empty output file name"* ]] || fail "${form[*]} -o '': $stderr"
		run --separate-stderr "${form[@]/c.jsonl/missing.jsonl}" -o "$T"
		assert_failure 2
		[[ "$stderr" == *"is a directory"* ]] || fail "${form[*]} -o DIR: $stderr"
	done < <(forms)
}

@test "-o into a missing directory fails (exit 1) before any input is read; so do --responses and --report" {
	run --separate-stderr lcconv --kind corpus --to beir -o nodir/out missing.jsonl
	assert_failure 1
	[[ "$stderr" == *"nodir/out: directory nodir: No such file or directory; create it first"* ]] || fail "$stderr"
	run --separate-stderr lcompress --report nodir/stats.jsonl -o out missing.jsonl
	assert_failure 1
	[[ "$stderr" == *"nodir/stats.jsonl"* ]] || fail "$stderr"
	assert_no_file out
}

@test "two options naming one file to write (-o and --report, through a symlink or another spelling) are a usage error before any input is read" {
	ln -s r.json link.json
	for args in "-o r.json --report r.json" "--report ./r.json -o $PWD/r.json" "-o link.json --report r.json"; do
		run --separate-stderr lcsplit $args c.jsonl
		assert_failure 2
		[[ "$stderr" == *"given to both --"*"each output needs a file of its own"* ]] || fail "$args: $stderr"
		assert_no_file r.json
	done
	run --separate-stderr lcindex -o r.json --report r.json c.jsonl
	assert_failure 2
	# the last -o is the output: an earlier one may be the report's
	run -0 lcsplit -o r.json -o s.json --report r.json c.jsonl
	run -0 jq -r .program r.json
	assert_output lcsplit
}

@test "-o into a directory the user cannot write fails before any input is read" {
	[ "$(id -u)" != 0 ] || skip "root can write anywhere"
	mkdir ro && chmod 555 ro
	run --separate-stderr lcsplit -f passage_text -o ro/out missing.jsonl
	assert_failure 1
	[[ "$stderr" == *"cannot write in directory ro"* ]] || fail "$stderr"
}

@test "output names of 247 to 255 bytes work (the temp name fits NAME_MAX)" {
	for len in 247 248 250 255; do
		local name
		name=$(printf 'a%.0s' $(seq "$len"))
		run lcconv --kind corpus --to beir -o "$name" c.jsonl
		assert_success
		[ -s "$name" ] || fail "no output for a $len-byte name"
		run lctok count -e cl100k_base -f passage_text -o "$name" c.jsonl
		assert_success
		rm -f "$name"
	done
	[ -z "$(ls -A | grep '^\.')" ] || fail "temp files left: $(ls -A)"
}

# ---- issue 10: .gz .zst .xz .bz2 are honoured everywhere ------------------------

@test "-o NAME.zst/.xz/.bz2/.gz compress (lcconv, lcretrieve, lctok), and read back" {
	lcconv --kind corpus --to beir -o plain.c c.jsonl
	lcretrieve --quiet -c c.jsonl -o plain.r q.jsonl
	lctok count -e cl100k_base -f passage_text -o plain.t c.jsonl
	local -A tool=([gz]="gzip -dc" [zst]="zstd -dc" [xz]="xz -dc" [bz2]="bzip2 -dc")
	for s in gz zst xz bz2; do
		command -v "${tool[$s]%% *}" >/dev/null || skip "${tool[$s]%% *} not installed"
		lcconv --kind corpus --to beir -o "c.$s" c.jsonl
		${tool[$s]} "c.$s" | cmp - plain.c || fail "lcconv -o c.$s is not $s"
		lcretrieve --quiet -c c.jsonl -o "r.jsonl.$s" q.jsonl
		${tool[$s]} "r.jsonl.$s" | cmp - plain.r || fail "lcretrieve -o r.jsonl.$s is not $s"
		lctok count -e cl100k_base -f passage_text -o "t.$s" c.jsonl
		${tool[$s]} "t.$s" | cmp - plain.t || fail "lctok -o t.$s is not $s"
		# and lctk reads its own compressed output back
		run lceval -m loft q.jsonl "r.jsonl.$s"
		assert_success
	done
}

@test "container suffixes lctk cannot write are usage errors; a compressed index is refused" {
	for name in out.zip out.tar out.tar.gz out.tgz out.7z; do
		run --separate-stderr lcconv --kind corpus --to beir -o "$name" c.jsonl
		assert_failure 2
		[[ "$stderr" == *"cannot write a"* ]] || fail "-o $name: $stderr"
		assert_no_file "$name"
	done
	run --separate-stderr lcindex -o idx.gz c.jsonl
	assert_failure 2
	[[ "$stderr" == *"cannot be compressed"* ]] || fail "$stderr"
	assert_no_file idx.gz
	run --separate-stderr lcretrieve --quiet -c c.jsonl --responses r.zip -o out q.jsonl
	assert_failure 2
	# lcdecompose writes a directory of tar shards: a compression suffix is refused
	printf '{"ids":[1,2,3,4,5]}\n' > ids.jsonl
	run --separate-stderr lcdecompose --eot 0 --kmin 2 --kmax 4 -o dd.gz ids.jsonl
	assert_failure 2
	[[ "$stderr" == *"cannot be compressed"* ]] || fail "$stderr"
	assert_no_file dd.gz
}

# ---- issue 18 #24: an empty write (runs under ASan/UBSan in make check SAN=1) ---

@test "lcretrieve --trec whose first query has no hits (memcpy from NULL, length 0)" {
	run --separate-stderr lcretrieve --quiet -c c.jsonl --trec q.jsonl
	assert_success
	[[ "$output" == $'#lctk empty q1\nq2 Q0 d1 1 '* ]] || fail "$output"
	run --separate-stderr lcretrieve --quiet -c c.jsonl --trec -o run.gz q.jsonl
	assert_success
	gzip -dc run.gz | grep -q '^q2 Q0 d1 1 '
}

# ---- issue 18 #4: control characters in messages --------------------------------

@test "control characters from data are escaped in messages (lceval qid, lcconv file name, usage errors)" {
	printf 'q1 0 d1 1\nq\0339]0;pwned\a 0 d1 1\n' > qrels.txt
	printf 'q1 Q0 d1 1 2.5 r\n' > r.trec
	run --separate-stderr lceval qrels.txt r.trec
	assert_failure
	[[ "$stderr" == *"result qid 'q\\x1b9]0;pwned\\x07' not found in qrels"* ]] || fail "$stderr"
	[[ "$stderr" != *$'\e'* && "$stderr" != *$'\a'* ]] || fail "raw control characters reached stderr"
	run --separate-stderr lcconv --kind corpus --to beir $'no\e[2Jsuch\xc2\x9b.jsonl'
	assert_failure 1
	[[ "$stderr" == *'no\x1b[2Jsuch\u009b.jsonl'* ]] || fail "$stderr"
	[[ "$stderr" != *$'\e'* ]] || fail "raw ESC reached stderr"
	run --separate-stderr lcsplit $'--x\e[31m'
	assert_failure 2
	[[ "$stderr" == *'--x\x1b[31m'* ]] || fail "$stderr"
	# UTF-8 text is kept as it is
	run -1 --separate-stderr lcconv --kind corpus --to beir 'café.jsonl'
	[[ "$stderr" == *'café.jsonl'* ]] || fail "$stderr"
}

@test "issue 18 #4: lceval's trec_eval-style usage messages escape control characters from argv" {
	printf 'q 0 d 1\n' > qrels.txt
	printf 'q Q0 d 1 1 t\n' > run.txt
	run -1 lceval -m "$(printf 'bad\033[31mX')" qrels.txt run.txt
	assert_output --partial "'bad\\x1b[31mX'"
	[[ "$output" != *$'\033'* ]] || fail "raw ESC reached stderr"
	run -2 lceval -R "$(printf 'x\033y')" qrels.txt run.txt
	assert_output --partial "'x\\x1by'"
	[[ "$output" != *$'\033'* ]] || fail "raw ESC reached stderr"
}
