#!/usr/bin/env bats
# The bad-input catalogue (issue 7): every program form in tests/robustness.cmds
# is fed every entry below and must fail cleanly: exit 1 or 2 (never a signal or
# core dump), a message starting "lcNAME: ", nothing on stdout, and no -o file.
load helpers

setup_file() {
	C="$BATS_FILE_TMPDIR/cat"
	mkdir -p "$C"
	cd "$C" || return 1
	printf '{"pid": "1", "title_text": "t", "passage_text": "some text"}\n' > good.jsonl
	gzip -c good.jsonl > full.gz
	head -c 20 full.gz > truncated.gz
	printf 'PK\003\004garbage that is not a zip at all' > corrupt.zip
	head -c 4096 /dev/urandom > binary.bin 2>/dev/null || python3 -c 'import os;open("binary.bin","wb").write(os.urandom(4096))'
	printf '{"pid": "1", "title_text": "\xff\xfe bad", "passage_text": "x\xc3"}\n' > badutf8.jsonl
	python3 -c 'print("[" * 100000 + "]" * 100000)' > nested.json
	printf '{"pid": ["x"], "title_text": 3, "passage_text": {"a": 1}, "qid": [], "query_text": 5, "answers": "no", "hits": 7}\n' > wrongtypes.jsonl
	: > empty.jsonl
	mkdir adir
	printf '{"pid": "1", "title_text": "a", "passage_text": "b"}\n{"pid": "1", "title_text": "c", "passage_text": "d"}\n' > dupids.jsonl
	head -c 100000000 /dev/zero | tr '\0' 'a' > bigline.txt
	# issue 18 #7, #8: a gzip whose CRC32 is wrong; 512 NUL bytes before JSONL (not an empty tar)
	gzip -c good.jsonl > badcrc.gz
	printf '\001' | dd of=badcrc.gz bs=1 seek=$(($(stat -c %s badcrc.gz) - 8)) conv=notrunc 2>/dev/null
	{ head -c 512 /dev/zero; cat good.jsonl; } > nul512.jsonl
	export CATALOGUE="$C"
}

entries="truncated.gz corrupt.zip binary.bin badutf8.jsonl nested.json wrongtypes.jsonl empty.jsonl missing.jsonl adir dupids.jsonl bigline.txt badcrc.gz nul512.jsonl"

check_form() {
	local prog=$1 form=$2 okset=$3
	for e in $entries; do
		case " $okset " in *" $e "*) continue ;; esac
		local cmd=${form//\{\}/$CATALOGUE/$e}
		rm -f "$BATS_TEST_TMPDIR/out"
		run --separate-stderr bash -c "ulimit -c 0; cd '$BATS_TEST_TMPDIR' && $cmd -o out"
		[ "$status" -eq 1 ] || [ "$status" -eq 2 ] || fail "$cmd -o out ($e): exit $status, stderr: ${stderr:0:300}"
		[ -z "$output" ] || fail "$cmd ($e): printed to stdout: ${output:0:200}"
		[[ "$stderr" == "$prog: "* ]] || fail "$cmd ($e): message not prefixed '$prog: ': ${stderr:0:300}"
		[ ! -e "$BATS_TEST_TMPDIR/out" ] || fail "$cmd ($e): left an output file"
		ls -a "$BATS_TEST_TMPDIR" | grep -q '^\.out\.' && fail "$cmd ($e): left a temp file"
	done
	return 0
}

@test "catalogue: every listed program form fails cleanly on every bad input" {
	local n=0
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		local form=${line%% ok:*} okset=""
		if [[ "$line" == *" ok:"* ]]; then okset=${line#* ok:}; fi
		local prog=${form%% *}
		[ -x "$BUILD/bin/$prog" ] || continue
		check_form "$prog" "$form" "$okset"
		n=$((n + 1))
	done < "$ROOT/tests/robustness.cmds"
	echo "# $n program forms x $(echo $entries | wc -w) catalogue entries" >&3
}

@test "issue 18 catalogue: every attack 1-24 is listed with its outcome, and each referenced test exists" {
	local cat="$ROOT/tests/robustness.issue18" item what file name
	local -A seen=()
	while IFS=$'\t' read -r item what file name; do
		case $item in ''|'#'*) continue ;; esac
		[ -n "$what" ] && [ -n "$name" ] || fail "malformed catalogue line for item $item"
		[[ "$what" == *" -> "* ]] || fail "item $item: no expected outcome ('ATTACK -> OUTCOME'): $what"
		if [ "$file" = fuzz ]; then
			[ -f "$ROOT/tests/fuzz/fuzz_$name.c" ] || fail "item $item: no fuzz harness $name"
			[ -n "$(ls "$ROOT/tests/fuzz/corpus/$name")" ] || fail "item $item: no seeds for $name"
		else
			grep -qF "@test \"$name\" {" "$ROOT/tests/$file" || fail "item $item: no test '$name' in $file"
		fi
		seen[$item]=1
	done < "$cat"
	for i in $(seq 1 24); do
		[ -n "${seen[$i]:-}" ] || fail "issue 18 item $i is not in the catalogue"
	done
}
