#!/bin/sh
# BM25 scaling benchmark: index build and top-10 / top-100 query CPU time and peak
# RSS at 10k, 100k and 1M passages, lctk next to Xapian (Debian's python3-xapian,
# BM25 k1=0.9 b=0.4, English stemmer) measured in the same run, with the growth
# per 10x passages.  Corpora (CORPUS, default both, each sizes' rows apart):
# "replicated" = the five LOFT corpora repeated with fresh pids (bm25_ref.py
# replicate: at 1M every passage 250 times); "mixed" = synthetic passages with no
# exact repeats, each a LOFT title and 2-6 sentences of different LOFT passages
# (bm25_ref.py mix, seed 0).  Both deterministic, written to a temp dir and removed.
# "realtext" (not in the default CORPUS; its sizes are REALTEXT_SIZES, default
# 7000 70000 700000: this machine holds ~718k passages of it) = 40-word runs of the
# man pages and /usr/share/doc text of this machine, exact repeats dropped, shuffled
# (bm25_ref.py realtext): a vocabulary that grows with the collection as a real
# one's does; the results record how many passages were available and a hash.
# Results: tests/bench/results/bm25-scaling.txt (OUT=FILE to write elsewhere).
#   sh tests/bench/scaling-bm25.sh [BINDIR]
#   REPS=3 (medians) below 700k passages; REPS_1M=1 (700k and 1M run once: Xapian needs
#   about half an hour to index 1M passages on this machine); SIZES to change sizes;
#   CORPUS=mixed (or replicated) for one corpus kind;
#   QUERIES=0 measures the builds only; BASE=DIR (another build's bin directory,
#   e.g. main's built in a temp dir) measures its lcindex and lcretrieve in the
#   same runs as "before" columns and checks its indexes and runs equal these
#   byte for byte; XAPIAN=0 skips Xapian (for query-only iterations: the
#   results file is meant to hold it).  The "open" rows are lcretrieve with no
#   query: opening and checking the index alone.
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOFT=${LCTK_SHARED:-$ROOT/../shared}/data/loft
OUT=${OUT:-$HERE/results/bm25-scaling.txt}
REPS=${REPS:-3}
REPS_1M=${REPS_1M:-1}
SIZES=${SIZES:-10000 100000 1000000}
REALTEXT_SIZES=${REALTEXT_SIZES:-7000 70000 700000}
CORPUS=${CORPUS:-replicated mixed}
MEM=${MEM:-32M}
QUERIES=${QUERIES:-1}
XAPIAN=${XAPIAN:-1}
BASE=${BASE:+$(cd "$BASE" && pwd)}
PY=/usr/bin/python3
export LCTK_DATA="$ROOT/share/lctk" LCTK_NO_SYNC=1
[ -d "$LOFT" ] || { echo "scaling-bm25.sh: $LOFT not found" >&2; exit 1; }
if [ "$XAPIAN" != 0 ] && ! $PY -c 'import xapian' 2>/dev/null; then
	apt-get install -y python3-xapian >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y python3-xapian >/dev/null 2>&1; } ||
		{ echo "scaling-bm25.sh: cannot install python3-xapian" >&2; exit 1; }
fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$HERE/results"
export TMPDIR="$W"

sizes_of() { if [ "$1" = realtext ]; then echo "$REALTEXT_SIZES"; else echo "$SIZES"; fi; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# cpu+rss of a command: appends "user+sys maxrss_kb" to file $1
measure() { f=$1; shift; /usr/bin/time -f '%U %S %M' -o "$W/tm" "$@" >/dev/null; awk '{printf "%.2f %d\n", $1+$2, $3}' "$W/tm" >> "$f"; }
cat > "$W/xquery.py" <<'PY'
# DB QUERIES K: Xapian top K for every query
import sys
sys.path.insert(0, sys.argv[4])
import bm25_ref
s = bm25_ref.xapian_searcher(sys.argv[1])
for _, t, _ in bm25_ref.load_queries(sys.argv[2]):
    s(t, int(sys.argv[3]))
PY

for d in scifact nq hotpotqa fiqa msmarco; do sed "s/\"qid\": \"/\"qid\": \"$d-/" "$LOFT/$d/queries.jsonl"; done > "$W/q.jsonl"
NQ=$(wc -l < "$W/q.jsonl")
: > "$W/none.jsonl"
stages="build build-mem"
[ "$QUERIES" = 0 ] || stages="$stages open top10 top100"
for kind in $CORPUS; do
case $kind in
replicated) gen=replicate ;;
mixed) gen=mix ;;
realtext) gen=realtext ;;
*) echo "scaling-bm25.sh: CORPUS: $kind is not a corpus kind (replicated, mixed, realtext)" >&2; exit 2 ;;
esac
for n in $(sizes_of "$kind"); do
	if [ "$gen" = realtext ]; then
		echo "$n $($PY "$HERE/bm25_ref.py" realtext "$n" "$W/c.jsonl")" >> "$W/realtext"
	else
		$PY "$HERE/bm25_ref.py" $gen "$n" "$W/c.jsonl" "$LOFT"/scifact/corpus.jsonl "$LOFT"/nq/corpus.jsonl \
			"$LOFT"/hotpotqa/corpus.jsonl "$LOFT"/fiqa/corpus.jsonl "$LOFT"/msmarco/corpus.jsonl
	fi
	n=$kind.$n
	r=$REPS
	[ "${n#*.}" -ge 700000 ] && r=$REPS_1M
	for i in $(seq "$r"); do
		measure "$W/l.build.$n" nice "$BIN/lcindex" --quiet -o "$W/i.idx" "$W/c.jsonl"
		measure "$W/l.build-mem.$n" nice "$BIN/lcindex" --quiet --memory "$MEM" -o "$W/m.idx" "$W/c.jsonl"
		cmp -s "$W/i.idx" "$W/m.idx" || { echo "scaling-bm25.sh: --memory $MEM index differs at $n" >&2; exit 1; }
		if [ -n "$BASE" ]; then
			measure "$W/b.build.$n" nice "$BASE/lcindex" --quiet -o "$W/b.idx" "$W/c.jsonl"
			measure "$W/b.build-mem.$n" nice "$BASE/lcindex" --quiet --memory "$MEM" -o "$W/bm.idx" "$W/c.jsonl"
			cmp -s "$W/i.idx" "$W/b.idx" && cmp -s "$W/i.idx" "$W/bm.idx" ||
				{ echo "scaling-bm25.sh: $BASE/lcindex builds another index at $n" >&2; exit 1; }
		fi
		if [ "$QUERIES" != 0 ]; then
			measure "$W/l.open.$n" nice "$BIN/lcretrieve" --quiet -i "$W/i.idx" -k 10 -o "$W/r.open" "$W/none.jsonl"
			[ -z "$BASE" ] || measure "$W/b.open.$n" nice "$BASE/lcretrieve" --quiet -i "$W/i.idx" -k 10 -o "$W/r.open" "$W/none.jsonl"
		fi
		for k in $([ "$QUERIES" = 0 ] || echo 10 100); do
			measure "$W/l.top$k.$n" nice "$BIN/lcretrieve" --quiet -i "$W/i.idx" -k $k -o "$W/r.$k" "$W/q.jsonl"
			LCTK_BM25_EXHAUSTIVE=1 "$BIN/lcretrieve" --quiet -i "$W/i.idx" -k $k -o "$W/e.$k" "$W/q.jsonl"
			cmp -s "$W/r.$k" "$W/e.$k" || { echo "scaling-bm25.sh: pruned top-$k differs from exhaustive at $n" >&2; exit 1; }
			if [ -n "$BASE" ]; then
				measure "$W/b.top$k.$n" nice "$BASE/lcretrieve" --quiet -i "$W/i.idx" -k $k -o "$W/br.$k" "$W/q.jsonl"
				cmp -s "$W/r.$k" "$W/br.$k" || { echo "scaling-bm25.sh: $BASE/lcretrieve ranks otherwise at $n (top-$k)" >&2; exit 1; }
			fi
		done
		[ "$XAPIAN" != 0 ] || continue
		rm -rf "$W/xdb"
		measure "$W/x.build.$n" nice $PY "$HERE/bm25_ref.py" xapian-build "$W/c.jsonl" "$W/xdb"
		cp "$W/x.build.$n" "$W/x.build-mem.$n"
		for k in $([ "$QUERIES" = 0 ] || echo 10 100); do
			measure "$W/x.top$k.$n" nice $PY "$W/xquery.py" "$W/xdb" "$W/q.jsonl" $k "$HERE"
		done
	done
	echo "$n $(stat -c %s "$W/i.idx") $([ -d "$W/xdb" ] && du -sb "$W/xdb" | cut -f1 || echo -) $r" >> "$W/sizes"
	rm -rf "$W/xdb" "$W/c.jsonl" "$W/i.idx" "$W/m.idx" "$W/b.idx" "$W/bm.idx"
done
done

{
echo "# BM25 scaling: lctk vs Xapian $([ "$XAPIAN" = 0 ] && echo '(not run: XAPIAN=0)' || $PY -c 'import xapian; print(xapian.version_string())') in the same run ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m))"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: compare ratios, not absolute rates)"
echo "# corpora: $CORPUS (replicated = the 4,003 LOFT passages repeated with fresh pids; mixed = a LOFT title"
echo "# and 2-6 sentences of different LOFT passages each, no exact repeats, seed 0; realtext = 40-word runs of this"
echo "# machine's man pages and /usr/share/doc, no exact repeats, shuffled); $NQ queries (all five LOFT query sets)"
echo "# cpu = user+sys seconds of the whole process (startup, parsing, output included; Xapian's include"
echo "# Python), median of the runs; rss = peak resident set (KB, /usr/bin/time %M), median."
echo "# build-mem = lcindex --memory $MEM (spills sorted runs; the index is checked byte-identical to build;"
echo "# Xapian's row repeats its one build).  Every lctk top-k run is checked byte-identical to"
echo "# exhaustive scoring (LCTK_BM25_EXHAUSTIVE=1)."
[ -z "$BASE" ] || echo "# before-cpu/before-rss: $BASE/lcindex and lcretrieve in the same runs (indexes and runs checked byte-identical)."
while read -r n ls xs r; do echo "# ${n%.*} ${n#*.} passages: $r run(s); index bytes lctk $ls, xapian $xs"; done < "$W/sizes"
[ ! -s "$W/realtext" ] || while read -r n avail h; do echo "# realtext $n passages: sha256 $h (first 16 hex) of the corpus file, drawn from $avail distinct passages"; done < "$W/realtext"
echo
# a column pair: median cpu and rss of file $1, "-" for none
pair() { if [ -s "$1" ]; then printf ' %9s %10s' "$(cut -d' ' -f1 "$1" | median)" "$(cut -d' ' -f2 "$1" | median)"; else printf ' %9s %10s' - -; fi; }
printf '%-10s %-10s %8s %9s %10s %9s %10s' stage corpus passages lctk-cpu lctk-rss xap-cpu xap-rss
[ -z "$BASE" ] || printf ' %9s %10s' before-cpu before-rss
echo
for s in $stages; do
	for kind in $CORPUS; do
	for n0 in $(sizes_of "$kind"); do
		n=$kind.$n0
		printf '%-10s %-10s %8s' "$s" "$kind" "$n0"
		pair "$W/l.$s.$n"
		pair "$W/x.$s.$n"
		[ -z "$BASE" ] || pair "$W/b.$s.$n"
		echo
	done
	done
done
echo
echo "## growth per 10x passages (value at 10x / value), targets: query cpu <= 4x; lcindex rss <= xapian's"
printf '%-10s %-10s %-16s %9s %9s %9s %9s' stage corpus step lctk-cpu lctk-rss xap-cpu xap-rss
[ -z "$BASE" ] || printf ' %10s %10s' before-cpu before-rss
echo
for s in $stages; do
	for kind in $CORPUS; do
	prev=
	for n0 in $(sizes_of "$kind"); do
		n=$kind.$n0
		if [ -n "$prev" ]; then
			printf '%-10s %-10s %-16s' "$s" "$kind" "${prev#*.}->$n0"
			for f in l x $([ -z "$BASE" ] || echo b); do
				for c in 1 2; do
					if [ -s "$W/$f.$s.$prev" ] && [ -s "$W/$f.$s.$n" ]; then
						a=$(cut -d' ' -f$c "$W/$f.$s.$prev" | median); b=$(cut -d' ' -f$c "$W/$f.$s.$n" | median)
						printf ' %8.2fx' "$(echo "$a $b" | awk '{print ($1 > 0) ? $2 / $1 : 0}')"
					else
						printf ' %9s' -
					fi
				done
			done
			echo
		fi
		prev=$n
	done
	done
done
} | tee "$OUT"
