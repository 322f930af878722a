#!/bin/bash
# mutate.sh — a small mutation sweep: would the tests notice a wrong result?
#
# For one C source file it makes simple operator mutations on its lines, one at
# a time (< <-> <=, > <-> >=, == <-> !=, && <-> ||, + 1 <-> - 1, += <-> -=,
# a dropped '!', a continue;/break; made '{}' (not ';', which -Wempty-body
# rejects), an integer literal changed), builds each mutant and runs the given
# suites on it.  A mutant the suites pass on
# "survived": no test saw the wrong code.  Survivors are where tests are missing
# (or the mutant is equivalent: same behaviour; that judgement is a human's).
#
# usage: tests/mutate.sh [-n MAX] [-m ID,ID...] [-l] FILE.c... SUITE...
#        make mutate FILES="lib/eval/fuse.c" SUITES="tests/lcfuse.bats" [MAX=40]
#   SUITE  tests/NAME.bats, or unit/test_NAME (the C unit test tests/unit/test_NAME.c)
#   -n MAX at most MAX mutants of each FILE (default 40): the candidates are listed
#          in file order and MAX of them taken evenly spaced, so the selection is
#          the same on every run for the same file (no randomness)
#   -m IDS only these candidate ids (as printed), e.g. to re-check survivors
#          (with one FILE)
#   -l     list the selected mutants and stop (no build)
#
# The worktree is never touched: the tree (without .git and build dirs) is copied
# to $LCTK_MUT_DIR (default ${TMPDIR:-/tmp}/lctk-mutate.$USER), where each mutant
# is written, built with `make B=build-mut -j2 all` (and the unit tests named) and
# tested with `LCTK_BUILD=$PWD/build-mut prove --exec $PWD/tests/run-test SUITE`;
# the copy's FILE is restored after every mutant and on exit or interrupt.
# Suites run in the order given and stop at the first failure (put the fast ones
# first); each has a time limit of LCTK_SUITE_TIMEOUT s (default here 300), and a
# mutant that hangs a suite counts as killed.  Before the mutants, the unmutated
# copy is built and its suites must pass (else the sweep means nothing).
# LCTK_MUT_SAN=1 builds with ASan+UBSan (make SAN=1, into build-mut-san): a mutant
# that only reads or writes out of bounds is killed there.
# Everything runs under nice.  Output: one line per mutant, then a summary line:
#   lib/eval/fuse.c:120:14: #7 '<' -> '<=': survived   (FILE:LINE:COLUMN: #candidate)
#   mutate: lib/eval/fuse.c: 40 mutants: 31 killed, 7 survived, 2 not compiled
# Exit 0 when it ran (whatever survived), 2 on bad usage, 1 when the baseline fails.
set -u

max=40 ids= list=0
while getopts n:m:l o; do
	case $o in
	n) max=$OPTARG ;;
	m) ids=,$OPTARG, ;;
	l) list=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
usage() { sed -n '/^# usage/,/^#   -l/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
files=()
while [ $# -gt 0 ]; do
	case $1 in tests/*.bats | unit/*) break ;; esac
	[ -f "$src/$1" ] || { echo "mutate: $1: no such file under $src" >&2; exit 2; }
	files+=("$1")
	shift
done
[ ${#files[@]} -ge 1 ] || usage
[ $list = 1 ] || [ $# -ge 1 ] || { echo "mutate: name at least one suite" >&2; exit 2; }
[ -z "$ids" ] || [ ${#files[@]} -eq 1 ] || { echo "mutate: -m takes one FILE" >&2; exit 2; }

# candidates FILE: one line per possible mutation, "LINE<TAB>COL<TAB>FROM<TAB>TO".
# Comments, string and character literals and preprocessor lines are blanked out
# first (same length), so only code is mutated.
candidates() {
	awk '
	BEGIN { incomment = 0; SQ = sprintf("%c", 39) }
	{
		s = $0; out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1); c2 = substr(s, i, 2)
			if (incomment) {
				if (c2 == "*/") { incomment = 0; out = out "  "; i++ } else out = out " "
			} else if (c2 == "/*") { incomment = 1; out = out "  "; i++ }
			else if (c2 == "//") { while (i <= length(s)) { out = out " "; i++ } }
			else if (c == "\"" || c == SQ) {
				q = c; out = out " "
				for (i++; i <= length(s); i++) {
					c = substr(s, i, 1)
					if (c == "\\") { out = out "  "; i++; continue }
					out = out " "
					if (c == q) break
				}
			} else out = out c
		}
		if (out ~ /^[ \t]*#/) next
		scan(out, NR)
	}
	function emit(line, col, from, to) { printf "%d\t%d\t%s\t%s\n", line, col, from, to }
	function scan(t, line,    i, c, p, n, m, num, rest) {
		n = length(t)
		for (i = 1; i <= n; i++) {
			c = substr(t, i, 1); p = (i > 1) ? substr(t, i - 1, 1) : " "
			two = substr(t, i, 2)
			if (two == "<=" && p != "<") { emit(line, i, "<=", "<"); i++; continue }
			if (two == ">=" && p != ">" && p != "-") { emit(line, i, ">=", ">"); i++; continue }
			if (two == "==") { emit(line, i, "==", "!="); i++; continue }
			if (two == "!=") { emit(line, i, "!=", "=="); i++; continue }
			if (two == "&&") { emit(line, i, "&&", "||"); i++; continue }
			if (two == "||") { emit(line, i, "||", "&&"); i++; continue }
			if (two == "+=") { emit(line, i, "+=", "-="); i++; continue }
			if (two == "-=") { emit(line, i, "-=", "+="); i++; continue }
			if (two == "<<" || two == ">>" || two == "->" || two == "++" || two == "--") { i++; continue }
			if (c == "<") { emit(line, i, "<", "<="); continue }
			if (c == ">") { emit(line, i, ">", ">="); continue }
			if (c == "!") { emit(line, i, "!", ""); continue }
			if (substr(t, i, 4) == " + 1" && substr(t, i + 4, 1) !~ /[0-9A-Za-z_.]/) { emit(line, i, " + 1", " - 1"); i += 3; continue }
			if (substr(t, i, 4) == " - 1" && substr(t, i + 4, 1) !~ /[0-9A-Za-z_.]/) { emit(line, i, " - 1", " + 1"); i += 3; continue }
			if (substr(t, i, 9) == "continue;") { emit(line, i, "continue;", "{}"); i += 8; continue }
			if (substr(t, i, 6) == "break;" && p !~ /[A-Za-z0-9_]/) { emit(line, i, "break;", "{}"); i += 5; continue }
			if (c ~ /[0-9]/ && p !~ /[A-Za-z0-9_.]/) {
				# a decimal integer literal with an optional u/l suffix; not hex, not floating
				m = match(substr(t, i), /^[0-9]+[uUlL]*/)
				num = substr(t, i, RLENGTH); rest = substr(t, i + RLENGTH, 1)
				if (rest !~ /[A-Za-z0-9_.xX]/ && !(substr(num, 1, 1) == "0" && length(num) > 1 && num ~ /^0[0-9]/)) {
					d = num; sub(/[uUlL]+$/, "", d); sfx = substr(num, length(d) + 1)
					emit(line, i, num, (d == "0" ? "1" : d == "1" ? "0" : d + 1) sfx)
				}
				i += RLENGTH - 1
				continue
			}
			if (c ~ /[A-Za-z0-9_.]/) {   # skip the rest of an identifier or number
				while (i < n && substr(t, i + 1, 1) ~ /[A-Za-z0-9_.]/) i++
			}
		}
	}' "$1"
}

# apply FILE LINE COL FROM TO: write FILE with the mutation made.
apply() {
	awk -v L="$2" -v C="$3" -v F="$4" -v T="$5" '
		NR == L {
			if (substr($0, C, length(F)) != F) { print "mutate: line " L " col " C " is not " F > "/dev/stderr"; exit 1 }
			$0 = substr($0, 1, C - 1) T substr($0, C + length(F))
		}
		{ print }' "$1"
}

# select FILE: the selected candidates, "ID<TAB>LINE<TAB>COL<TAB>FROM<TAB>TO", evenly
# spaced: ids floor(k * total / max) + 1 for k = 0 .. max-1
select_mutants() {
	candidates "$src/$1" | awk -F'\t' -v max="$max" -v ids="$ids" '
		{ c[NR] = NR "\t" $0 }
		END {
			total = NR; n = max > total ? total : max
			for (k = 0; k < n; k++) pick[int(k * total / n) + 1] = 1
			for (i = 1; i <= total; i++)
				if (ids != "" ? index(ids, "," i ",") : (i in pick)) print c[i]
		}'
}

if [ $list = 1 ]; then
	for file in "${files[@]}"; do
		select_mutants "$file" | awk -F'\t' -v f="$file" '{ printf "%s:%d:%d: #%d %c%s%c -> %c%s%c\n", f, $2, $3, $1, 39, $4, 39, 39, $5, 39 }'
		echo "mutate: $file: $(select_mutants "$file" | grep -c .) of $(candidates "$src/$file" | grep -c .) candidates selected"
	done
	exit 0
fi

# --- the scratch copy --------------------------------------------------------------
work=${LCTK_MUT_DIR:-${TMPDIR:-/tmp}/lctk-mutate.${USER:-$(id -un)}}
mkdir -p "$work"
# a fresh copy of the sources each run; build-mut* are kept (make rebuilds what changed)
find "$work" -mindepth 1 -maxdepth 1 ! -name 'build-mut*' -exec rm -rf {} +
tar -C "$src" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$work" -xf -
cd "$work" || exit 1
B=build-mut san=
[ -z "${LCTK_MUT_SAN:-}" ] || { B=build-mut-san san=SAN=1; }
# a mutant's object left by a run that was killed
[ ! -f "$B/.mutating" ] || rm -f "$B/$(sed 's/\.c$/.o/' "$B/.mutating")" "$B/.mutating"
orig=$work/.mutate-orig
file=
# restore: the file being mutated back as it was, and its object removed: the next
# copy of the tree gives the file its old mtime, older than a mutant's object.
# $B/.mutating names the file while it is mutated, for a run that was killed.
restore() {
	[ -n "$file" ] && [ -f "$orig" ] && cp "$orig" "$file" && rm -f "$B/${file%.c}.o" "$B/.mutating"
}
trap 'restore; exit 130' INT TERM HUP
trap restore EXIT
export LCTK_SUITE_TIMEOUT=${LCTK_SUITE_TIMEOUT:-300}
# the copy has no ../shared beside it: point the suites at the real one
[ -n "${LCTK_SHARED:-}" ] || [ ! -d "$src/../shared" ] || export LCTK_SHARED=$(cd "$src/../shared" && pwd)

units=
for s in "$@"; do
	case $s in
	unit/test_*) units="$units $B/tests/${s#unit/}" ;;
	tests/*.bats) [ -f "$s" ] || { echo "mutate: $s: no such suite" >&2; exit 2; } ;;
	*) echo "mutate: $s: a suite is tests/NAME.bats or unit/test_NAME" >&2; exit 2 ;;
	esac
done
build() { nice make --no-print-directory $san B=$B -j2 all $units > "$work/build.log" 2>&1; }
# run_suites: 0 when every suite passes, else prints the first suite that failed
run_suites() {
	local s t
	for s in "$@"; do
		case $s in unit/*) t=$B/tests/${s#unit/} ;; *) t=$s ;; esac
		if ! LCTK_BUILD=$PWD/$B nice prove --exec "$PWD/tests/run-test" "$t" > "$work/test.log" 2>&1; then
			echo "$s"
			return 1
		fi
	done
	return 0
}

build || { echo "mutate: the unmutated tree does not build (see $work/build.log)" >&2; exit 1; }
if bad=$(run_suites "$@"); then :; else
	echo "mutate: $bad fails on the unmutated tree (see $work/test.log); fix that first" >&2
	exit 1
fi

for file in "${files[@]}"; do
	cp "$file" "$orig"
	killed=0 survived=0 broken=0 n=0
	while IFS=$'\t' read -r id line col from to; do
		[ -n "$id" ] || continue
		n=$((n + 1))
		mkdir -p "$B" && printf '%s\n' "$file" > "$B/.mutating"
		apply "$orig" "$line" "$col" "$from" "$to" > "$file" || exit 1
		what="$file:$line:$col: #$id '$from' -> '$to'"
		if ! build; then
			echo "$what: not compiled"
			broken=$((broken + 1))
		elif by=$(run_suites "$@"); then
			echo "$what: survived"
			survived=$((survived + 1))
		else
			echo "$what: killed ($by)"
			killed=$((killed + 1))
		fi
		restore
	done < <(select_mutants "$file")
	echo "mutate: $file: $n mutants: $killed killed, $survived survived, $broken not compiled"
	file=
done
