#!/bin/sh
# make lint: mandoc -Tlint on every page; every long option of every program is
# documented in its man page and present in both completions; the committed
# completions equal freshly generated ones; no bats suite has an assertion whose
# failure bats would never see (tests/chainlint.py).
# usage: lint.sh BUILDDIR
set -u
b=$1
rc=0
for m in man/*.[1-9]; do
	out=$(mandoc -Tlint -W warning "$m" 2>&1) || true
	if [ -n "$out" ]; then echo "$out"; rc=1; fi
done
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
# checks in && lists, pipes without pipefail, run without a status check, [ ] in $( )
python3 tests/chainlint.py tests/*.bats || rc=1
[ $rc -eq 0 ] && echo "lint: ok"
exit $rc
