#!/usr/bin/env bats
# Fault injection (issue 7): every form in tests/faults.cmds runs with write(),
# read(), open() and malloc() failing at the N-th call (tests/faultinject.c).
# Whatever fails, the program must exit 1 or 2 (never die on a signal), say
# "lcNAME: ..." on stderr and leave no output or temp file; when the fault does
# not matter and it exits 0, its output must equal the clean run's.  The inputs
# are never modified.
load helpers
setup() { lctk_setup; }
teardown() { lctk_teardown; }

setup_file() {
	F="$BATS_FILE_TMPDIR/fx"
	mkdir -p "$F"
	D="$ROOT/share/lctk/data/hotpotqa"
	head -30 "$D/corpus.jsonl" > "$F/corpus.jsonl"
	head -20 "$D/queries.jsonl" > "$F/queries.jsonl"
	"$BUILD/bin/lcindex" -o "$F/corpus.idx" "$F/corpus.jsonl"
	"$BUILD/bin/lcretrieve" -c "$F/corpus.jsonl" -o "$F/run.jsonl" "$F/queries.jsonl"
	"$BUILD/bin/lcretrieve" -c "$F/corpus.jsonl" --trec -o "$F/run.trec" "$F/queries.jsonl"
	"$BUILD/bin/lcconv" --kind qrels --to trec -o "$F/qrels.txt" "$F/queries.jsonl"
	python3 -c 'import json
for d in range(20): print(json.dumps({"ids": list(range(d * 7 % 40))}))' > "$F/ids.jsonl"
	"$BUILD/bin/lcdecompose" --eot 0 --kmin 2 --kmax 4 -o "$F/dd" "$F/ids.jsonl" >/dev/null
	python3 -c 'import json
for i in range(50): print(json.dumps({"score": (i * 37 % 11) / 3}))' > "$F/scores.jsonl"
	(cd "$F" && find . -type f | sort | xargs md5sum) > "$BATS_FILE_TMPDIR/fixtures.md5"
	export F
}

# run_form FORM FAULT: runs FORM -o out with LCTK_FAULT=FAULT in a fresh dir.
check_fault() {
	local form=$1 fault=$2 clean=$3 prog=${1%% *}
	local dir="$BATS_TEST_TMPDIR/run"
	rm -rf "$dir" && mkdir -p "$dir"
	run --separate-stderr bash -c "ulimit -c 0; cd '$dir' && LCTK_FAULT=$fault LD_PRELOAD='$FAULTINJECT' $form -o out"
	case $status in
	0)
		diff -r "$clean" "$dir/out" >/dev/null || fail "$form [$fault]: exit 0 but output differs from the clean run"
		;;
	1|2)
		# libarchive reports its own allocation failures and exits 1 itself
		[[ "$stderr" == "$prog: "* || ( $fault == malloc:* && "$stderr" == "Fatal Internal Error in libarchive: Out of memory"* ) ]] || fail "$form [$fault]: exit $status without a '$prog: ' message: ${stderr:0:300}"
		[ ! -e "$dir/out" ] || fail "$form [$fault]: exit $status but left out"
		[ -z "$(ls -A "$dir")" ] || fail "$form [$fault]: left files: $(ls -A "$dir")"
		;;
	*)
		fail "$form [$fault]: exit $status (crash?), stderr: ${stderr:0:300}"
		;;
	esac
}

@test "fault injection: every form survives failing write/read/open/malloc cleanly" {
	need_faultinject
	# Under make memcheck each program is a wrapper shell that execs valgrind: the
	# shim would count (and fail) the shell's and valgrind's own calls, and
	# valgrind replaces malloc, so the N-th-call faults no longer hit the program.
	[ -z "${LCTK_VALGRIND:-}" ] || skip "fault counts are meaningless under valgrind wrappers (covered by make check and SAN=1)"
	local n=0
	while IFS= read -r form; do
		case $form in ''|'#'*) continue ;; esac
		form=${form//\$F/$F}
		local prog=${form%% *}
		[ -x "$BUILD/bin/$prog" ] || continue
		local clean="$BATS_TEST_TMPDIR/clean"
		rm -rf "$clean.d" && mkdir -p "$clean.d"
		(cd "$clean.d" && $form -o out >/dev/null 2>&1) || fail "clean run failed: $form"
		rm -rf "$clean" && mv "$clean.d/out" "$clean"
		for fault in write:1:ENOSPC write:2:ENOSPC write:3:EIO read:1:EIO read:2:EIO read:3:EIO read:5:EIO \
		             open:1:EACCES open:2:EACCES open:3:EACCES malloc:1 malloc:50 malloc:500 malloc:5000; do
			check_fault "$form" "$fault" "$clean"
			n=$((n + 1))
		done
	done < "$ROOT/tests/faults.cmds"
	(cd "$F" && find . -type f | sort | xargs md5sum) | diff - "$BATS_FILE_TMPDIR/fixtures.md5" || fail "inputs were modified"
	echo "# $n faulty runs" >&3
}

# output_begun PID DIR: PID has created a file in DIR, or has ended.
output_begun() {
	alive "$1" || return 0
	[ -n "$(ls -A "$2")" ]
}

# sig_ignored PID SIG: /proc/PID/status says SIG is ignored (its SigIgn bit).
sig_ignored() {
	local mask
	mask=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$1/status")
	(( (0x$mask >> ($(kill -l "$2") - 1)) & 1 ))
}

@test "interruption: SIGTERM or SIGINT in the middle of writing leaves no output and no temp file" {
	need_faultinject
	local n=0
	while IFS= read -r form; do
		case $form in ''|'#'*) continue ;; esac
		form=${form//\$F/$F}
		local prog=${form%% *}
		[ -x "$BUILD/bin/$prog" ] || continue
		for sig in TERM INT; do
			local dir="$BATS_TEST_TMPDIR/int"
			rm -rf "$dir" && mkdir -p "$dir"
			# A background job of a script starts with SIGINT ignored, and a program
			# keeps an ignored SIGINT ignored: env gives the program the default
			# back.  The signal is sent only once the program itself runs and has
			# begun its output (a file in $dir), and every write sleeps 2 s first,
			# so it lands mid-write however slow the machine is.
			(cd "$dir" && LCTK_SLOW=2000 LD_PRELOAD="$FAULTINJECT" exec env --default-signal=INT $form -o out) \
				</dev/null >/dev/null 2>&1 3>&- &
			local pid=$!
			track_pid "$pid"
			wait_until 120 output_begun "$pid" "$dir" || fail "$form: no output begun within 120 s"
			alive "$pid" || fail "$form: ended before the signal (LCTK_SLOW not applied?)"
			sig_ignored "$pid" "$sig" && fail "$form: SIG$sig is ignored by the program: the test cannot interrupt it"
			kill -s $sig $pid
			local st=0
			wait $pid || st=$?
			# killed by the signal (128 + its number), after removing what it wrote
			[ "$st" -eq $((128 + $(kill -l $sig))) ] || fail "$form: SIG$sig: exit $st, not death by the signal"
			if [ "$prog" = lcdecompose ]; then
				[ -z "$(ls -A "$dir/out" 2>/dev/null)" ] || fail "$form: SIG$sig left output: $(ls -A "$dir/out")"
			else
				[ ! -e "$dir/out" ] || fail "$form: SIG$sig left output"
			fi
			[ -z "$(ls -A "$dir" | grep -v '^out$')" ] || fail "$form: SIG$sig left files: $(ls -A "$dir")"
			n=$((n + 1))
		done
	done < "$ROOT/tests/faults.cmds"
	echo "# $n interrupted runs" >&3
}
