#!/bin/sh
# tok-diff.sh: differential test of lctok against the reference tokenizers on texts
# that the conformance vectors do not contain.  tok-gen.py writes, with a fixed seed,
# N texts per category (whitespace, digits, contractions, scripts and marks, Unicode
# 13-16 / unassigned / private-use code points, emoji, specials, controls, invalid
# UTF-8 bytes, SentencePiece edge cases...), a sweep of every code point up to U+323FF,
# long texts and LOFT passages; tok-ref.js runs the references (npm tiktoken@1.0.22
# cross-checked with tiktoken-rs-node@1.0.6; @anush008/tokenizers@0.6.0 = HF tokenizers
# 0.22.2 for every ../shared/vocab/hf/*/tokenizer.json); tok-cmp.py runs lctok in every
# mode and prints each mismatch and one summary line per tokenizer.
# usage: tests/refdiff/tok-diff.sh [BINDIR]
#   TOKDIFF_SEED (default 1), TOKDIFF_N texts per category (default 300),
#   TOKDIFF_ONLY (space-separated subset, e.g. "cl100k_base mistral"),
#   LCTK_SHARED (default ../shared), TOKDIFF_DIR (default /tmp/lctk-tokdiff; the npm
#   references are installed there, never in the tree).
# Exit 0: no mismatch; 1: a mismatch (or a reference disagreement); 0 with "skipped"
# when node/npm, python3 or ../shared are not available.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$(cd "${1:-$root/build/bin}" && pwd)
shared=${LCTK_SHARED:-$root/../shared}
work=${TOKDIFF_DIR:-/tmp/lctk-tokdiff}
seed=${TOKDIFF_SEED:-1}
n=${TOKDIFF_N:-300}
export LCTK_DATA=${LCTK_DATA:-$root/share/lctk}

for c in node npm python3; do
	command -v $c >/dev/null 2>&1 || { echo "tok-diff: $c not found; skipped"; exit 0; }
done
[ -d "$shared/vocab/hf" ] && [ -d "$shared/data/loft" ] || { echo "tok-diff: $shared (vocab/hf, data/loft) not present; skipped"; exit 0; }
[ -x "$bindir/lctok" ] || { echo "tok-diff: $bindir/lctok not built (make all)" >&2; exit 2; }
mkdir -p "$work"
if [ ! -d "$work/node_modules/@anush008/tokenizers" ] || [ ! -d "$work/node_modules/tiktoken" ]; then
	npm install --silent --no-save --prefix "$work" tiktoken@1.0.22 tiktoken-rs-node-linux-x64-gnu@1.0.6 \
		@anush008/tokenizers@0.6.0 >/dev/null 2>&1 || { echo "tok-diff: npm install of the references failed; skipped"; exit 0; }
fi

texts=$work/texts-$seed-$n.jsonl
python3 "$here/tok-gen.py" "$seed" "$n" "$shared" "$texts"
key=$(cksum < "$texts" | cut -d' ' -f1)   # reference ids are cached per text set

all="cl100k_base o200k_base p50k_base r50k_base"
for d in "$shared"/vocab/hf/*/; do
	[ -f "$d/tokenizer.json" ] && all="$all $(basename "$d")"
done
status=0
summary=$work/summary-$seed-$n.txt
: > "$summary"
for name in ${TOKDIFF_ONLY:-$all}; do
	case $name in
	*_base) kind=tiktoken; spec=$name; export VOCAB_JSON="$shared/vocab/$name.json" ;;
	*) kind=hf; spec="$shared/vocab/hf/$name/tokenizer.json" ;;
	esac
	ref=$work/ref-$seed-$n-$key-$name.jsonl
	if [ ! -s "$ref" ]; then
		nice node "$here/tok-ref.js" "$work" "$kind" "$spec" "$texts" "$ref.tmp" && mv "$ref.tmp" "$ref" || rm -f "$ref.tmp"
	fi
	[ -s "$ref" ] || { echo "tok-diff: the reference failed on $name" >&2; status=1; continue; }
	nice python3 "$here/tok-cmp.py" "$bindir/lctok" "$kind" "$spec" "$texts" "$ref" > "$work/cmp-$name.txt" || status=1
	grep -v '^[^ M]*REFERENCES\|^MISMATCH\|^  ' "$work/cmp-$name.txt" | sed "s|$shared/vocab/hf/||" >> "$summary" || true
	grep -A1 '^MISMATCH\|^REFERENCES' "$work/cmp-$name.txt" | head -40 || true
done
cat "$summary"
[ $status = 0 ] && echo "tok-diff: seed $seed, 0 mismatches" || echo "tok-diff: seed $seed: MISMATCHES (full lists in $work/cmp-*.txt)"
exit $status
