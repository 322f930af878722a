#!/bin/sh
# lcindex/lcretrieve benchmark: effectiveness on the five LOFT datasets and speed on a
# 100,000-passage corpus, each against Xapian BM25 (same k1 = 0.9, b = 0.4, English
# stemming) measured in the same run.  Results: tests/bench/results/bm25.txt.
#   sh tests/bench/lcindex.sh [BINDIR]      (REPS=3 timing repetitions; medians reported)
# Needs Debian's python3-xapian (run with /usr/bin/python3) and ../shared/data/loft.
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOFT=${LCTK_SHARED:-$ROOT/../shared}/data/loft
OUT=$HERE/results/bm25.txt
REPS=${REPS:-3}
PY=/usr/bin/python3
REF="$PY $HERE/bm25_ref.py"
export LCTK_DATA="$ROOT/share/lctk"
[ -d "$LOFT" ] || { echo "lcindex.sh: $LOFT not found" >&2; exit 1; }
$PY -c 'import xapian' 2>/dev/null || { echo "lcindex.sh: install python3-xapian" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$HERE/results"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }

{
echo "# lcindex / lcretrieve BM25 benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m))"
echo "# reference: Xapian $($PY -c 'import xapian; print(xapian.version_string())') BM25Weight(k1=0.9,k2=0,k3=1,b=0.4),"
echo "# English stemmer, STEM_SOME query parsing, no positions; lctk: defaults (k1=0.9 b=0.4, stemming, stopwords)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: compare ratios, not absolute rates)"
echo
echo "## Effectiveness: LOFT 128k corpora, queries.jsonl, title+text, top 100"
echo "# recall@1 = gold in the top 1 / min(1,|gold|); nDCG@10 as trec_eval ndcg_cut_10"
echo "# issue targets (Xapian as measured by the issue): scifact .809/.884 nq .782/.892 hotpotqa .881/.925 fiqa .389/.514 msmarco .880/.932"
printf '%-10s %8s %8s   %8s %8s   %s\n' dataset lc-R@1 lc-nDCG xap-R@1 xap-nDCG "target R@1/nDCG"
for d in scifact nq hotpotqa fiqa msmarco; do
	"$BIN/lcindex" --quiet -o "$W/$d.idx" "$LOFT/$d/corpus.jsonl"
	"$BIN/lcretrieve" --quiet -i "$W/$d.idx" -k 100 -o "$W/$d.lc" "$LOFT/$d/queries.jsonl"
	$REF xapian-eval "$LOFT/$d/corpus.jsonl" "$LOFT/$d/queries.jsonl" "$W/$d.xap"
	set -- $($REF eval "$LOFT/$d/queries.jsonl" "$W/$d.lc") $($REF eval "$LOFT/$d/queries.jsonl" "$W/$d.xap")
	case $d in scifact) t=.809/.884;; nq) t=.782/.892;; hotpotqa) t=.881/.925;; fiqa) t=.389/.514;; msmarco) t=.880/.932;; esac
	printf '%-10s %8s %8s   %8s %8s   %s\n' "$d" "$1" "$2" "$3" "$4" "$t"
done
echo
echo "## Speed: 100,000 passages (the five LOFT corpora replicated, fresh pids), 3,973 queries, top 100"
$REF replicate 100000 "$W/big.jsonl" "$LOFT"/scifact/corpus.jsonl "$LOFT"/nq/corpus.jsonl \
	"$LOFT"/hotpotqa/corpus.jsonl "$LOFT"/fiqa/corpus.jsonl "$LOFT"/msmarco/corpus.jsonl
for d in scifact nq hotpotqa fiqa msmarco; do sed "s/\"qid\": \"/\"qid\": \"$d-/" "$LOFT/$d/queries.jsonl"; done > "$W/q.jsonl"
NQ=$(wc -l < "$W/q.jsonl")
: > "$W/lb"; : > "$W/lq"; : > "$W/xb"; : > "$W/xq"; : > "$W/mem"
for r in $(seq "$REPS"); do
	t0=$(now)
	/usr/bin/time -f %M -o "$W/m1" nice "$BIN/lcindex" --quiet -o "$W/big.idx" "$W/big.jsonl"
	t1=$(now)
	/usr/bin/time -f %M -o "$W/m2" nice "$BIN/lcretrieve" --quiet -i "$W/big.idx" -k 100 -o "$W/big.run" "$W/q.jsonl"
	t2=$(now)
	echo "$t0 $t1" | awk '{print 100000/($2-$1)}' >> "$W/lb"
	echo "$t1 $t2 $NQ" | awk '{print $3/($2-$1)}' >> "$W/lq"
	echo "$(cat "$W/m1") $(cat "$W/m2")" >> "$W/mem"
	rm -rf "$W/xdb"
	set -- $(nice $REF xapian-build "$W/big.jsonl" "$W/xdb")
	echo "$1 $2" | awk '{print $1/$2}' >> "$W/xb"
	set -- $(nice $REF xapian-query "$W/xdb" "$W/q.jsonl")
	echo "$1 $2" | awk '{print $1/$2}' >> "$W/xq"
done
LB=$(median < "$W/lb"); XB=$(median < "$W/xb"); LQ=$(median < "$W/lq"); XQ=$(median < "$W/xq")
LS=$(stat -c %s "$W/big.idx"); XS=$(du -sb "$W/xdb" | cut -f1)
MB=$(cut -d' ' -f1 < "$W/mem" | median); MQ=$(cut -d' ' -f2 < "$W/mem" | median)
printf '%-28s %12s %12s %8s   %s\n' measure lctk xapian ratio target
printf '%-28s %12.0f %12.0f %7.1fx   >= 5x\n' "build docs/s (median of $REPS)" "$LB" "$XB" "$(echo "$LB $XB" | awk '{print $1/$2}')"
printf '%-28s %12.0f %12.0f %7.1fx   >= 10x\n' "top-100 queries/s (median)" "$LQ" "$XQ" "$(echo "$LQ $XQ" | awk '{print $1/$2}')"
printf '%-28s %12d %12d %7.2fx   <= 1x\n' "index bytes" "$LS" "$XS" "$(echo "$LS $XS" | awk '{print $1/$2}')"
printf '%-28s %12s\n' "peak RSS lcindex (KB)" "$MB"
printf '%-28s %12s\n' "peak RSS lcretrieve (KB)" "$MQ"
echo "# lctk times are whole processes (startup, JSON parsing, output included); Xapian's exclude Python startup."
} | tee "$OUT"
