#!/bin/sh
# lcfuse benchmark: fusing 3 TREC runs of 10,000 queries x 100 docs (3M lines,
# docs overlapping between runs) with RRF and with CombMNZ after min-max, CPU
# time (user+sys) medians, against the same fusion in plain Python
# (tests/bench/lcfuse_ref.py, ranx's formulas) measured in the same run; ranx
# itself cannot be installed here (no PyPI).  Outputs are compared first.
# usage: sh tests/bench/lcfuse.sh [BINDIR]   (env: RUNS=3)
# Writes tests/bench/results/lcfuse.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../../build/bin}" && pwd)
runs=${RUNS:-3}
out=$here/results/lcfuse.txt
W=$(mktemp -d "${TMPDIR:-/tmp}/lcfuse-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$here/results"

python3 - "$W" <<'PY'
import random, sys
d = sys.argv[1]
rnd = random.Random(2026)
for k, name in enumerate('abc'):
    with open('%s/%s.trec' % (d, name), 'w') as f:
        for q in range(10000):
            docs = rnd.sample(range(300), 100)
            sc = sorted((rnd.random() * (k + 1) for _ in docs), reverse=True)
            f.writelines('q%05d Q0 doc%d %d %.6f %s\n' % (q, x, i + 1, s, name)
                         for i, (x, s) in enumerate(zip(docs, sc)))
PY

# correctness first: lcfuse and the reference give the same ranking and doubles
for m in rrf combmnz; do
	"$bin/lcfuse" --method "$m" "$W/a.trec" "$W/b.trec" "$W/c.trec" > "$W/lc.$m"
	python3 "$here/lcfuse_ref.py" "$m" "$W/a.trec" "$W/b.trec" "$W/c.trec" > "$W/py.$m"
	python3 - "$W/lc.$m" "$W/py.$m" <<'PY' || { echo "lcfuse.sh: $m differs from the reference" >&2; exit 1; }
import sys
a = [l.split() for l in open(sys.argv[1])]
b = [l.split() for l in open(sys.argv[2])]
sys.exit(not (len(a) == len(b) and all(x[0] == y[0] and x[2] == y[1] and float(x[4]) == float(y[2]) for x, y in zip(a, b))))
PY
done

# time_cmd LABEL CMD...: "LABEL cpu wall rss" medians of $runs runs
time_cmd() {
	label=$1
	shift
	: > "$W/times"
	i=0
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f '%U %S %e %M' -o "$W/t" "$@" > /dev/null
		awk '{ printf "%.2f %.2f %d\n", $1 + $2, $3, $4 }' "$W/t" >> "$W/times"
		i=$((i + 1))
	done
	med() { cut -d' ' -f"$1" "$W/times" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
	printf '%-22s %8s %8s %10s  [cpu %s]\n' "$label" "$(med 1)" "$(med 2)" "$(med 3)" "$(cut -d' ' -f1 "$W/times" | tr '\n' ' ' | sed 's/ $//')"
}

{
	echo "# lcfuse benchmark: 3 TREC runs x 10,000 queries x 100 docs (3M lines), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# $(nproc) CPUs shared, load $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs; outputs checked equal first"
	echo "# columns: command, CPU s (user+sys), wall s, peak RSS KiB, [CPU of each run]"
	time_cmd lcfuse-rrf "$bin/lcfuse" "$W/a.trec" "$W/b.trec" "$W/c.trec"
	time_cmd python-ref-rrf python3 "$here/lcfuse_ref.py" rrf "$W/a.trec" "$W/b.trec" "$W/c.trec"
	time_cmd lcfuse-combmnz-minmax "$bin/lcfuse" --method combmnz "$W/a.trec" "$W/b.trec" "$W/c.trec"
	time_cmd python-ref-combmnz python3 "$here/lcfuse_ref.py" combmnz "$W/a.trec" "$W/b.trec" "$W/c.trec"
} > "$W/res"
awk '{ print } /^lcfuse-rrf/ { a = $2 } /^python-ref-rrf/ { b = $2 } /^lcfuse-combmnz/ { c = $2 } /^python-ref-combmnz/ { d = $2 }
     END { if (a > 0 && c > 0) printf "# CPU speed-up over the Python reference: rrf %.1fx, combmnz %.1fx\n", b / a, d / c }' "$W/res" > "$out"
cat "$out"
