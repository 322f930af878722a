#!/bin/sh
# tests/bench/lcompress.sh BINDIR — CoLoR with the embedded compressor, leave one
# dataset out, on every LOFT dataset in ../shared/data/loft; and lcompress speed.
#
# For each dataset: candidates (with its LLM summaries when it has them) ->
# BM25 labels -> pairs.  For each held-out dataset H: lctrain on the pairs of
# the others (seed 1), lcompress H to --budget = tokens(H)/RATIO, BM25
# (lcretrieve) on the compressed corpus, lceval recall@1.  Then the LLM summary
# sets, and the shipped default model (trained on bundled hotpotqa only) on
# fiqa and scifact: at its own threshold and at each summary set's size.
# Writes tests/bench/results/color.txt.  Tokens: cl100k_base, title + text.
set -eu
B=${1:-build/bin}
B=$(cd "$B" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
L=${LOFT:-$ROOT/../shared/data/loft}
RATIO=${RATIO:-1.95}
OUT=$ROOT/tests/bench/results/color.txt
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
tokens() { # CORPUS -> tokens of title + (summary when non-empty, else text)
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("summary_text"): r["passage_text"] = r["summary_text"]
    print(json.dumps(r))' "$1" > "$W/asused.jsonl"
	"$B/lcompress" -m "$W/keepall.lcm" --threshold 0 "$W/asused.jsonl" 2>&1 >/dev/null | sed 's/.*-> \([0-9]*\),.*/\1/'
}
# a model that keeps everything, to count the tokens of a corpus as it is
printf '%s\n' '{"prompt":"Summarize the following content. \nContent:\nA b. C d.\n Summary:","chosen":"A b.","rejected":"A b. C d."}' > "$W/one.jsonl"
"$B/lctrain" --quiet --epochs 0 --val 0 --threshold 0 -o "$W/keepall.lcm" "$W/one.jsonl"

start=$(date +%s)
for d in $SETS; do
	S=""
	for f in "$L/$d"/summaries/*.jsonl; do [ -f "$f" ] && S="$S --summaries $f"; done
	# shellcheck disable=SC2086
	"$B/lcgen" candidates $S -o "$W/$d.cand.jsonl" "$L/$d/corpus.jsonl" 2>/dev/null
	"$B/lcgen" labels -c "$L/$d/corpus.jsonl" -q "$L/$d/queries.jsonl" -o "$W/$d.lab.jsonl" "$W/$d.cand.jsonl" 2>/dev/null
	"$B/lcgen" pairs -c "$L/$d/corpus.jsonl" -o "$W/$d.pairs.jsonl" "$W/$d.cand.jsonl" "$W/$d.lab.jsonl" 2>/dev/null
done
gen=$(( $(date +%s) - start ))

{
echo "# CoLoR, embedded extractive compressor, leave-one-dataset-out ($(date -u +%Y-%m-%d), lctk $("$B/lcompress" --version | awk '{print $NF}'))"
echo "# BM25 = lcretrieve defaults (k1 0.9, b 0.4, Snowball, Lucene stopwords); R@1 = lceval recall@1 over queries.jsonl."
echo "# tokens = cl100k_base over title + text (summary when non-empty). Compressed: lcompress --budget tokens/$RATIO."
echo "# candidates+labels+pairs for all datasets: ${gen}s"
printf '%-10s %-22s %9s %9s %7s %7s %7s %7s\n' dataset compressor tok_orig tok_comp ratio R1_orig R1_comp dR1
for h in $SETS; do
	C=""; P=""
	for d in $SETS; do [ "$d" = "$h" ] && continue; C="$C -c $L/$d/corpus.jsonl"; P="$P $W/$d.pairs.jsonl"; done
	t0=$(date +%s)
	# shellcheck disable=SC2086
	"$B/lctrain" --quiet --seed 1 $C -o "$W/m.$h.lcm" $P 2>/dev/null
	tt=$(( $(date +%s) - t0 ))
	orig=$(tokens "$L/$h/corpus.jsonl")
	ro=$(r1 "$L/$h/corpus.jsonl" "$L/$h/queries.jsonl")
	budget=$(awk -v t="$orig" -v r="$RATIO" 'BEGIN{printf "%d", t / r}')
	"$B/lcompress" --quiet -m "$W/m.$h.lcm" --budget "$budget" -o "$W/$h.comp.jsonl" "$L/$h/corpus.jsonl"
	comp=$(tokens "$W/$h.comp.jsonl")
	rc=$(r1 "$W/$h.comp.jsonl" "$L/$h/queries.jsonl")
	printf '%-10s %-22s %9d %9d %7.3f %7.4f %7.4f %+7.4f\n' "$h" "lodo-model(train ${tt}s)" "$orig" "$comp" \
		"$(awk -v a="$orig" -v b="$comp" 'BEGIN{print a/b}')" "$ro" "$rc" "$(awk -v a="$rc" -v b="$ro" 'BEGIN{print a-b}')"
	for f in "$L/$h"/summaries/*.jsonl; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .jsonl)
		# the corpus with this summary set as summary_text
		python3 - "$L/$h/corpus.jsonl" "$f" "$W/s.corpus.jsonl" <<'PY'
import json, sys
s = {}
for l in open(sys.argv[2]):
    r = json.loads(l); s[str(r["pid"])] = r.get("summary_text", "")
with open(sys.argv[3], "w") as o:
    for l in open(sys.argv[1]):
        r = json.loads(l); r["summary_text"] = s.get(str(r["pid"]), ""); o.write(json.dumps(r) + "\n")
PY
		st=$(tokens "$W/s.corpus.jsonl")
		sr=$(r1 "$W/s.corpus.jsonl" "$L/$h/queries.jsonl")
		printf '%-10s %-22s %9d %9d %7.3f %7.4f %7.4f %+7.4f\n' "$h" "llm:$n" "$orig" "$st" \
			"$(awk -v a="$orig" -v b="$st" 'BEGIN{print a/b}')" "$ro" "$sr" "$(awk -v a="$sr" -v b="$ro" 'BEGIN{print a-b}')"
		if [ -f "$ROOT/share/lctk/models/default.lcm" ]; then
			"$B/lcompress" --quiet --budget "$st" -o "$W/d.comp.jsonl" "$L/$h/corpus.jsonl"
			dt=$(tokens "$W/d.comp.jsonl"); dr=$(r1 "$W/d.comp.jsonl" "$L/$h/queries.jsonl")
			printf '%-10s %-22s %9d %9d %7.3f %7.4f %7.4f %+7.4f\n' "$h" "default@size($n)" "$orig" "$dt" \
				"$(awk -v a="$orig" -v b="$dt" 'BEGIN{print a/b}')" "$ro" "$dr" "$(awk -v a="$dr" -v b="$ro" 'BEGIN{print a-b}')"
		fi
	done
	if [ -f "$ROOT/share/lctk/models/default.lcm" ]; then
		"$B/lcompress" --quiet -o "$W/d.comp.jsonl" "$L/$h/corpus.jsonl"
		dt=$(tokens "$W/d.comp.jsonl"); dr=$(r1 "$W/d.comp.jsonl" "$L/$h/queries.jsonl")
		printf '%-10s %-22s %9d %9d %7.3f %7.4f %7.4f %+7.4f\n' "$h" "default(threshold)" "$orig" "$dt" \
			"$(awk -v a="$orig" -v b="$dt" 'BEGIN{print a/b}')" "$ro" "$dr" "$(awk -v a="$dr" -v b="$ro" 'BEGIN{print a-b}')"
	fi
done
# speed: all corpora concatenated, median of 3
cat "$L"/*/corpus.jsonl > "$W/all.jsonl"
np=$(wc -l < "$W/all.jsonl")
ts=""
for i in 1 2 3; do
	s=$(date +%s.%N)
	"$B/lcompress" --quiet -o "$W/all.out" "$W/all.jsonl"
	e=$(date +%s.%N)
	ts="$ts $(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')"
done
med=$(echo $ts | tr ' ' '\n' | sort -n | sed -n 2p)
echo "# lcompress speed (default model, single thread, $np passages incl. reading, features, tokens and writing): median of 3 = ${med}s = $(awk -v n="$np" -v t="$med" 'BEGIN{printf "%d", n/t}') passages/s (target >= 2000)"
} > "$OUT"
cat "$OUT"
