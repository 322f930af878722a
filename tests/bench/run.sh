#!/bin/sh
# make bench: runs every benchmark script tests/bench/*.sh with the built programs,
# one after the other (the machine has 2 cores; benchmarks must not overlap), and
# prints the result files.  BENCH="lceval lctok" runs only those scripts.
# Each script writes tests/bench/results/NAME.txt with medians and the reference
# measured in the same run.
# usage: run.sh BINDIR
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for s in "$here"/*.sh; do
	name=$(basename "$s" .sh)
	[ "$name" = run ] && continue
	if [ -n "${BENCH:-}" ]; then
		case " $BENCH " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "== bench $name" >&2
	if ! sh "$s" "$bin"; then
		echo "bench $name failed" >&2
		rc=1
	fi
done
for r in "$here"/results/*.txt; do
	[ -f "$r" ] && { echo "== $(basename "$r")"; cat "$r"; }
done
exit $rc
