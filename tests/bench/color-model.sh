#!/bin/sh
# tests/bench/color-model.sh [BINDIR] OLD.lcm [NEW.lcm] — two compressor models
# side by side on every LOFT dataset in ../shared/data/loft (LOFT=DIR): for
# each, the corpus compressed with one corpus-wide threshold to --budget =
# tokens / RATIO (default 1.91), then BM25 (lcretrieve) and recall@1 (lceval),
# as tests/bench/lcompress.sh's "default@1.91x" rows; also each model at its
# own threshold.  NEW defaults to share/lctk/models/default.lcm.  Used when the
# shipped model is regenerated (color.mk default-model): appends a dated
# "regenerated model" section to tests/bench/results/color.txt (OUT=FILE).
#   sh tests/bench/color-model.sh build/bin old.lcm
set -eu
B=${1:-build/bin}
B=$(cd "$B" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OLD=${2:?usage: color-model.sh BINDIR OLD.lcm [NEW.lcm]}
NEW=${3:-$ROOT/share/lctk/models/default.lcm}
L=${LOFT:-$ROOT/../shared/data/loft}
RATIO=${RATIO:-1.91}
OUT=${OUT:-$ROOT/tests/bench/results/color.txt}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export LCTK_DATA=$ROOT/share/lctk
[ -d "$L" ] || { echo "no LOFT data at $L" >&2; exit 1; }
SETS=""
for d in "$L"/*/; do [ -f "$d/corpus.jsonl" ] && SETS="$SETS $(basename "$d")"; done

r1() { # CORPUS QUERIES -> recall@1
	"$B/lcretrieve" --quiet -k 10 -c "$1" "$2" > "$W/run.jsonl"
	"$B/lceval" -m recall@1 "$2" "$W/run.jsonl" | awk '$1=="recall@1"{print $3}'
}
after() { sed -n 's/.* -> \([0-9]*\),.*/\1/p' "$1"; }
before() { sed -n 's/.* \([0-9]*\) -> .*/\1/p' "$1"; }
row() { # dataset name orig comp r1orig r1comp
	printf '%-9s %-22s %8d %8d %6.3f %7.4f %7.4f %+7.4f\n' "$1" "$2" "$3" "$4" \
		"$(awk -v a="$3" -v b="$4" 'BEGIN{print a/b}')" "$5" "$6" "$(awk -v a="$6" -v b="$5" 'BEGIN{print a-b}')"
}
meta() { awk -v k="$2" '$1=="meta" && $2==k {$1=$2=""; sub(/^ +/, ""); print}' "$1"; }
{
echo
echo "# regenerated model ($(date -u +%Y-%m-%d), $("$B/lcompress" --version)): share/lctk/models/default.lcm retrained by"
echo "#   color.mk default-model LOFT=../shared/data/loft after lctrain's shuffle and validation split moved to lib/core/rng"
echo "#   (same data, seed 1, --average 10, --target-ratio 2.2).  old: checksum $(awk '$1=="checksum"{print $2}' "$OLD"),"
echo "#   pairs $(meta "$OLD" pairs), train_acc $(meta "$OLD" train_accuracy), val_acc $(meta "$OLD" val_accuracy);" \
     "new: checksum $(awk '$1=="checksum"{print $2}' "$NEW"), pairs $(meta "$NEW" pairs),"
echo "#   train_acc $(meta "$NEW" train_accuracy), val_acc $(meta "$NEW" val_accuracy).  Both trained on all five datasets (in-domain)."
echo "#   @${RATIO}x: lcompress --budget tokens/$RATIO; own thr: the model's calibrated threshold."
printf '%-9s %-22s %8s %8s %6s %7s %7s %7s\n' dataset model tok_orig tok_comp ratio R1_orig R1_comp dR1
for h in $SETS; do
	"$B/lcompress" --lead --ratio 1 -o /dev/null "$L/$h/corpus.jsonl" 2> "$W/log"
	orig=$(before "$W/log")
	ro=$(r1 "$L/$h/corpus.jsonl" "$L/$h/queries.jsonl")
	budget=$(awk -v t="$orig" -v r="$RATIO" 'BEGIN{printf "%d", t / r}')
	for which in old new; do
		if [ $which = old ]; then m=$OLD; else m=$NEW; fi
		for how in budget own; do
			if [ $how = budget ]; then set -- --budget "$budget"; name="$which@${RATIO}x"; else set --; name="$which own thr"; fi
			"$B/lcompress" -m "$m" "$@" -o "$W/comp.jsonl" "$L/$h/corpus.jsonl" 2> "$W/log"
			row "$h" "$name" "$orig" "$(after "$W/log")" "$ro" "$(r1 "$W/comp.jsonl" "$L/$h/queries.jsonl")"
		done
	done
done > "$W/table"
cat "$W/table"
awk '$2 ~ /@/ {n[$2]++; r[$2]+=$5; s[$2]+=$NF} END {for (k in n) printf "# mean over %d datasets, %s: ratio %.3f, dR1 %+.4f\n", n[k], k, r[k]/n[k], s[k]/n[k]}' "$W/table" | sort
} >> "$OUT"
tail -n 30 "$OUT"
