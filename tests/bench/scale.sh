#!/bin/sh
# Per-shard cost of the sharded stages (the figures of lctk-scale(7) and the
# --mem defaults of share/lctk/recipes/lctk-array.sh): for N = 1, 4 and 16 shards
# of a corpus of P passages (the bundled HotpotQA corpus replicated with fresh pids,
# default P = 200000, about 100 MB), the CPU time (user+sys, median of 3) and
# peak RSS of shard 1/N of lcindex and lcdecompose (-e cl100k_base --kmin 5 --kmax 10: the passages are short), and of the
# merge of the N parts.  The N = 1 row is the single-process reference, measured
# in the same run.  Also lcompress (embedded model) on PASSAGES/4 passages (every
# task reads the whole corpus), lcretrieve (BM25, k 100) of the bundled queries
# repeated 10 times (8800) against the PASSAGES index, and lctok count --total.
# Writes tests/bench/results/scale.txt.
# usage: scale.sh BINDIR [PASSAGES]
set -eu
bin=$(cd "$1" && pwd)
P=${2:-200000}
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$bin:$PATH"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lctk-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
python3 "$here/bm25_ref.py" replicate "$P" "$tmp/corpus.jsonl" "$here/../../share/lctk/data/hotpotqa/corpus.jsonl"
mb=$(du -m "$tmp/corpus.jsonl" | cut -f1)

# measure CMD...: "CPU_SECONDS PEAK_RSS_MB" (median of 3 CPU times, largest RSS)
measure() {
	for i in 1 2 3; do
		/usr/bin/time -f '%U %S %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
		awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$tmp/t"
	done | sort -n | awk '{ c[NR] = $1; if ($2 > m) m = $2 } END { printf "%.2f %.0f\n", c[2], m / 1024 }'
}

{
	echo "# tests/bench/scale.sh: $P passages ($mb MB), $(date -u +%Y-%m-%d), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
	echo "# stage  N   shard-1/N CPU s  peak MB   merge CPU s  merge peak MB  part MB"
	for n in 1 4 16; do
		set -- $(measure lcindex --quiet --shard "1/$n" -o "$tmp/i1.idx" "$tmp/corpus.jsonl")
		for k in $(seq 2 "$n"); do lcindex --quiet --shard "$k/$n" -o "$tmp/i$k.idx" "$tmp/corpus.jsonl"; done
		if [ "$n" -gt 1 ]; then
			parts=$(for k in $(seq 1 "$n"); do printf '%s ' "$tmp/i$k.idx"; done)
			# shellcheck disable=SC2086
			m=$(measure lcindex merge -o "$tmp/m.idx" $parts)
		else
			m="- -"
		fi
		pm=$(du -m "$tmp/i1.idx" | cut -f1)
		printf 'index %4d   %14s  %8s   %11s  %13s  %7s\n' "$n" "$1" "$2" ${m% *} ${m#* } "$pm"
		rm -f "$tmp"/i*.idx "$tmp/m.idx"
	done
	for n in 1 4 16; do
		dd="lcdecompose -e cl100k_base -f passage_text --kmin 5 --kmax 10 --quiet --force"
		# shellcheck disable=SC2086
		set -- $(measure $dd --shard "1/$n" -o "$tmp/d1" "$tmp/corpus.jsonl")
		# shellcheck disable=SC2086
		for k in $(seq 2 "$n"); do $dd --shard "$k/$n" -o "$tmp/d$k" "$tmp/corpus.jsonl" >/dev/null; done
		if [ "$n" -gt 1 ]; then
			parts=$(for k in $(seq 1 "$n"); do printf '%s ' "$tmp/d$k"; done)
			# shellcheck disable=SC2086
			m=$(measure sh -c 'rm -rf "$0"; exec lcdecompose merge -o "$0" "$@"' "$tmp/m" $parts)
		else
			m="- -"
		fi
		pm=$(du -sm "$tmp/d1" | cut -f1)
		printf 'dd    %4d   %14s  %8s   %11s  %13s  %7s\n' "$n" "$1" "$2" ${m% *} ${m#* } "$pm"
		rm -rf "$tmp"/d* "$tmp/m"
	done
	# jsonl_stage NAME MERGE INPUT PROGRAM-AND-OPTIONS...: shard 1/N, the other
	# shards, and the merge of the N parts (lcompress, lcretrieve, lctok count)
	jsonl_stage() {
		name=$1 merge=$2 input=$3
		shift 3
		for n in 1 4 16; do
			r=$(measure "$@" --shard "1/$n" -o "$tmp/p1" "$input")
			for k in $(seq 2 "$n"); do "$@" --shard "$k/$n" -o "$tmp/p$k" "$input"; done
			parts=$(for k in $(seq 1 "$n"); do printf '%s ' "$tmp/p$k"; done)
			# shellcheck disable=SC2086
			m=$(measure $merge -o "$tmp/m" $parts)
			pm=$(du -m "$tmp/p1" | cut -f1)
			printf '%-8s %2d   %14s  %8s   %11s  %13s  %7s\n' "$name" "$n" ${r% *} ${r#* } ${m% *} ${m#* } "$pm"
			rm -f "$tmp"/p* "$tmp/m"
		done
	}
	head -n $((P / 4)) "$tmp/corpus.jsonl" > "$tmp/quarter.jsonl"
	jsonl_stage compress "lcompress merge" "$tmp/quarter.jsonl" lcompress --quiet
	lcindex --quiet -o "$tmp/all.idx" "$tmp/corpus.jsonl"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sed "s/\"qid\": *\"/&r$i-/" "$here/../../share/lctk/data/hotpotqa/queries.jsonl"
	done > "$tmp/queries.jsonl"
	jsonl_stage retrieve "lcretrieve merge" "$tmp/queries.jsonl" lcretrieve --quiet -i "$tmp/all.idx" -k 100
	jsonl_stage count "lctok merge" "$tmp/corpus.jsonl" lctok count --quiet --total -e cl100k_base -f passage_text
} > "$here/results/scale.txt"
cat "$here/results/scale.txt"
