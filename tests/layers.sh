#!/bin/sh
# The layering rule of lib/ (run by make lint): lib/ is grouped into
# subsystems, one folder each, ordered from the bottom up in LAYERS below.  A
# file may include headers of its own subsystem and of subsystems below it,
# never above: core includes nothing else, tok never includes retrieve.
# Prints "lib/SUB/FILE:LINE: includes HEADER of SUB2, above SUB" for each
# violation and exits 1; a header that is in no subsystem is an error too.
# usage: layers.sh [LIBDIR]
set -u
lib=${1:-lib}
LAYERS="core text tok llm eval retrieve color dd plot cli"
rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# header -> subsystem
for d in "$lib"/*/; do
	s=$(basename "$d")
	[ "$(rank "$s")" -ge 0 ] || { echo "layers.sh: $d: folder not in LAYERS ($LAYERS)"; echo x >> "$tmp.bad"; }
	for h in "$d"*.h; do
		[ -e "$h" ] && echo "$(basename "$h") $s"
	done
done > "$tmp"
rc=0
[ -e "$tmp.bad" ] && { rc=1; rm -f "$tmp.bad"; }
for f in "$lib"/*/*.[ch]; do
	s=$(basename "$(dirname "$f")")
	r=$(rank "$s")
	grep -n '^#include "[^"]*"' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		h=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
		hs=$(awk -v h="$h" '$1 == h { print $2 }' "$tmp")
		if [ -z "$hs" ]; then
			echo "$f:$n: includes $h, which is in no subsystem of $lib/"
			continue
		fi
		if [ "$(rank "$hs")" -gt "$r" ]; then
			echo "$f:$n: includes $h of $hs, above $s (order: $LAYERS)"
		fi
	done
done > "$tmp.out"
if [ -s "$tmp.out" ]; then
	cat "$tmp.out"
	rc=1
fi
rm -f "$tmp.out"
exit $rc
