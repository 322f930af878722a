#!/bin/sh
# make lint: mandoc -Tlint on every page; every page rendered (mandoc -Tutf8)
# has none of the artefacts -Tlint lets through (nested quote macros giving
# runs of "" or a quote opened inside another, a roff \n register escape
# eating a letter, words rendered as options, "and et al."); every long option of every program is
# documented in its man page and present in both completions; the committed
# completions equal freshly generated ones; no bats suite has an assertion whose
# failure bats would never see (tests/chainlint.py); one option vocabulary
# (lctk(7)): a long option shared by two programs (or subcommands) has the same
# letter, argument name and help text, and a letter names one long option,
# except where tests/options.exceptions says otherwise.
# usage: lint.sh BUILDDIR             the whole lint
#        lint.sh BUILDDIR --pages PAGE...  only the man page checks, on PAGEs
#        lint.sh BUILDDIR --options [EXCEPTIONS]  only the vocabulary check
set -u
b=$1
rc=0

# vocabulary BINDIR EXCEPTIONS: print "what is wrong" for every conflict between
# the option tables (--lctk-options) of BINDIR/lc* and of their subcommands.
vocabulary() {
	for bin in "$1"/lc*; do
		p=$(basename "$bin")
		main=$("$bin" --lctk-options) || { echo "$p: --lctk-options failed"; continue; }
		printf '%s\n' "$main" | awk -F'\t' -v p="$p" '$1=="opt" { print p "\t" $2 "\t" $3 "\t" $4 "\t" $6 }'
		for sub in $(printf '%s\n' "$main" | awk -F'\t' '$1=="sub" { print $2 }'); do
			t=$("$bin" "$sub" --lctk-options 2>/dev/null) || continue
			[ "$t" = "$main" ] && continue
			printf '%s\n' "$t" | awk -F'\t' -v p="$p $sub" '$1=="opt" { print p "\t" $2 "\t" $3 "\t" $4 "\t" $6 }'
		done
	done | awk -F'\t' -v exfile="$2" '
		BEGIN {
			while ((getline line < exfile) > 0) {
				sub(/#.*/, "", line)
				n = split(line, f, /[ \t]+/)
				if (n == 0) continue
				# PROGRAM [SUB] OPTION FIELD...
				for (i = 1; i <= n && f[i] !~ /^-/; i++) ;
				if (i > n) continue
				prog = f[1]; for (j = 2; j < i; j++) prog = prog " " f[j]
				for (j = i + 1; j <= n; j++) ex[prog SUBSEP f[i] SUBSEP f[j]] = 1
			}
		}
		{
			prog = $1; letter = $2; long = $3; arg = $4; help = $5
			if (long == "--help" || long == "--version") next
			n = ++cnt[long]; who[long, n] = prog
			L[long, n] = letter; A[long, n] = arg; H[long, n] = help
			if (letter != "" && !((prog SUBSEP letter SUBSEP "letter") in ex)) {
				if (!((letter, long) in seenl)) { seenl[letter, long] = prog; nl[letter]++; longs[letter] = longs[letter] " " long " (" prog ")" }
			}
		}
		function same(long, f, i, j, a, b) {
			if ((who[long, i] SUBSEP long SUBSEP f) in ex || (who[long, j] SUBSEP long SUBSEP f) in ex) return 1
			return a == b
		}
		END {
			for (long in cnt) {
				# the reference: the first occurrence not excepted in any field
				r = 1
				for (i = 1; i <= cnt[long]; i++)
					if (!((who[long, i] SUBSEP long SUBSEP "letter") in ex) && !((who[long, i] SUBSEP long SUBSEP "arg") in ex) && !((who[long, i] SUBSEP long SUBSEP "help") in ex)) { r = i; break }
				for (i = 1; i <= cnt[long]; i++) {
					if (i == r) continue
					if (!same(long, "letter", i, r, L[long, i], L[long, r]))
						printf "%s %s has letter \"%s\" but %s has \"%s\"\n", who[long, i], long, L[long, i], who[long, r], L[long, r]
					if (!same(long, "arg", i, r, A[long, i], A[long, r]))
						printf "%s %s takes %s but %s takes %s\n", who[long, i], long, (A[long, i] == "" ? "no argument" : A[long, i]), who[long, r], (A[long, r] == "" ? "no argument" : A[long, r])
					if (!same(long, "help", i, r, H[long, i], H[long, r]))
						printf "%s %s says \"%s\" but %s says \"%s\": declare it once in lib/cli/options.h\n", who[long, i], long, H[long, i], who[long, r], H[long, r]
				}
			}
			for (letter in nl)
				if (nl[letter] > 1)
					printf "letter %s names more than one long option:%s\n", letter, longs[letter]
		}' | sort
}

if [ "${2:-}" = --options ]; then
	out=$(vocabulary "$b/bin" "${3:-tests/options.exceptions}")
	if [ -n "$out" ]; then
		printf 'lint: option vocabulary (lctk(7), lib/cli/options.h):\n%s\n' "$out"
		exit 1
	fi
	echo "lint: options ok"
	exit 0
fi

# rendered_artefacts PAGE OPTS: print "PAGE:LINE: what" for each artefact in
# PAGE's rendering; OPTS is a file of every program's real options, one a line.
rendered_artefacts() {
	# \n (not \\n, not \en) in roff interpolates a number register: "\nContent"
	# renders "0ontent"
	grep -n '\(^\|[^\\]\)\(\\\\\)*\\n' "$1" | sed "s|^\([0-9]*\):.*|$1:\1: roff backslash-n escape (a number register: renders e.g. 0ontent); write backslash-e n|"
	mandoc -Tutf8 "$1" 2>/dev/null | col -b | awk -v page="$1" -v optfile="$2" '
		BEGIN { while ((getline o < optfile) > 0) known[o] = 1 }
		{
			if (index($0, "\"\""))
				printf "%s: rendered line %d has \"\" (nested Qq/Dq?): %s\n", page, NR, $0
			if ($0 ~ /(^|[^[:alnum:]_.])0[a-wyzA-Z][a-z]/)
				printf "%s: rendered line %d has a 0 glued to a word (a backslash-n escape?): %s\n", page, NR, $0
			# a quote opened inside another (Ql/Dq nested on one macro line
			# closes at the end of the line: "(‘pid, else ‘id’’)")
			q = $0; gsub(/‘/, "\001", q); gsub(/’/, "\002", q); gsub(/“/, "\003", q); gsub(/”/, "\004", q)
			for (i = 1; i <= length(q); i++) {
				ch = substr(q, i, 1)
				if (ch == "\001" || ch == "\003") {
					if (++depth[ch] == 2)
						printf "%s: rendered line %d opens a quote inside another (nested Ql/Dq?): %s\n", page, NR, $0
				} else if (ch == "\002" && depth["\001"] > 0)
					depth["\001"]--
				else if (ch == "\004" && depth["\003"] > 0)
					depth["\003"]--
			}
			if ($0 ~ /and et al/)
				printf "%s: rendered line %d says \"and et al.\": %s\n", page, NR, $0
			# runs of two or more -words (across line breaks): every one
			# must be a real option of some program
			n = split($0, w, /[ \t]+/)
			if (n == 0 || $0 ~ /^[ \t]*$/) flush()
			for (i = 1; i <= n; i++) {
				t = w[i]
				if (t == "") continue
				sub(/[.,;:)]+$/, "", t); sub(/^[(]/, "", t)
				if (t ~ /^-[A-Za-z][A-Za-z0-9_-]*$/) {
					if (run++ == 0) { from = NR; text = "" }
					if (!(t in known)) bad = bad " " t
					text = text " " w[i]
				} else
					flush()
			}
		}
		END { flush() }
		function flush() {
			if (run >= 2 && bad != "")
				printf "%s: rendered line %d shows words as options (%s):%s\n", page, from, substr(bad, 2), text
			run = 0; bad = ""
		}'
}

opts=$(mktemp)
for bin in "$b"/bin/lc*; do
	"$bin" --lctk-options 2>/dev/null | awk -F'\t' '$1=="opt" { if ($2 != "") print $2; if ($3 != "") print $3 }'
done | sort -u > "$opts"
pages_only=
if [ "${2:-}" = --pages ]; then
	pages_only=1
	shift 2
	pages="$*"
else
	pages=$(ls man/*.[1-9])
fi
for m in $pages; do
	out=$(mandoc -Tlint -W warning "$m" 2>&1) || true
	if [ -n "$out" ]; then echo "$out"; rc=1; fi
	out=$(rendered_artefacts "$m" "$opts")
	if [ -n "$out" ]; then echo "$out"; rc=1; fi
done
rm -f "$opts"
if [ -n "$pages_only" ]; then
	[ $rc -eq 0 ] && echo "lint: pages ok"
	exit $rc
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh completions/generate.sh "$b/bin" "$tmp"
for f in lctk.bash _lctk; do
	if ! cmp -s "$tmp/$f" "completions/$f"; then
		echo "completions/$f is stale: run 'make completions'"
		rc=1
	fi
done
for src in cmd/lc*.c; do
	[ -f "$src" ] || continue
	p=$(basename "$src" .c)
	bin="$b/bin/$p"
	page="man/$p.1"
	[ -f "$page" ] || { echo "$p: no man page $page"; rc=1; continue; }
	for opt in $("$bin" --lctk-options | awk -F'\t' '$1=="opt"{print $3}'); do
		case $opt in --help|--version|--max-record) continue ;; esac  # common: lctk-formats(5)
		name=${opt#--}
		grep -q -- "Fl \\(-\\|\\\\-\\)$name\\b\\|Fl -$name\\b\\|-$name" "$page" ||
			{ echo "$page: option $opt not documented"; rc=1; }
		grep -q -- "$opt" completions/lctk.bash || { echo "completions/lctk.bash: $p $opt missing"; rc=1; }
		grep -q -- "$opt" completions/_lctk || { echo "completions/_lctk: $p $opt missing"; rc=1; }
	done
done
out=$(vocabulary "$b/bin" tests/options.exceptions)
if [ -n "$out" ]; then
	printf 'option vocabulary (lctk(7), lib/cli/options.h):\n%s\n' "$out"
	rc=1
fi
# checks in && lists, pipes without pipefail, run without a status check, [ ] in $( )
python3 tests/chainlint.py tests/*.bats || rc=1
# lib/'s subsystems include only their own headers and those of the layers below
sh tests/layers.sh lib || rc=1
# the OPTION VOCABULARY tables of lctk(7) name every shared option and exactly its programs
python3 tests/vocabtable.py "$b" man/lctk.7 || rc=1
[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
