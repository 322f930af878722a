#!/bin/sh
# lcretrieve --llm benchmark: what the client itself costs, next to references
# measured in the same run.
#  1. request throughput against tests/llm-server.py answering each request after a
#     fixed 0.25 s delay (a stand-in for model latency): --parallel 1 (the reference:
#     strictly sequential) vs 4 and 16, 64 LOFT scifact prompts (~60k tokens each);
#  2. a re-run answered from the response cache (no request), vs the first run;
#  3. prompt planning with an exact cl100k_base context check: 300 nq queries
#     (214k-token prompts) and 100 nq queries with --fit to 128,000 tokens
#     (--batch-out, no network).
# usage: tests/bench/lcretrieve-llm.sh [BINDIR]   (env RUNS=3, LCTK_BENCH_DIR=/tmp/lctk-bench-llm)
# Writes tests/bench/results/lcretrieve-llm.txt (medians of wall seconds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/bin}
bin=$(cd "$bin" && pwd)
runs=${RUNS:-3}
dir=${LCTK_BENCH_DIR:-/tmp/lctk-bench-llm}
data=${LCTK_SHARED:-$root/../shared}/data/loft
out=$here/results/lcretrieve-llm.txt
export LCTK_DATA="$root/share/lctk"
[ -d "$data/scifact" ] || { echo "lcretrieve-llm.sh: $data not found (LOFT data from ../shared)" >&2; exit 1; }
mkdir -p "$dir" "$here/results"
rm -rf "$dir/cache" "$dir/port"
head -64 "$data/scifact/queries.jsonl" > "$dir/q64.jsonl"
head -100 "$data/nq/queries.jsonl" > "$dir/nq100.jsonl"
head -300 "$data/nq/queries.jsonl" > "$dir/nq300.jsonl"

python3 "$root/tests/llm-server.py" --port-file "$dir/port" --fault slow:1000000 --slow 0.25 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$dir/b.jsonl"' EXIT
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ep="http://127.0.0.1:$(cat "$dir/port")/v1"

# median of the arguments
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# wall LABEL CMD...: runs CMD $runs times, prints "LABEL median [each]"
wall() {
	label=$1
	shift
	ts=""
	k=0
	while [ $k -lt "$runs" ]; do
		s=$(date +%s.%N)
		"$@" > /dev/null 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
		e=$(date +%s.%N)
		ts="$ts $(echo "$e - $s" | bc)"
		k=$((k + 1))
	done
	# shellcheck disable=SC2086
	printf '%s %.2f [%s ]\n' "$label" "$(median $ts)" "$ts"
}

llm() {
	nice "$bin/lcretrieve" --llm -c "$data/scifact/corpus.jsonl" --few-shot "$data/scifact/few_shot_queries.jsonl" \
		--endpoint "$ep" --model bench "$@" "$dir/q64.jsonl"
}

{
	echo "# lcretrieve --llm benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each)"
	echo "# 1. 64 scifact prompts, server delay 0.25 s per request; reference: --parallel 1"
	wall "parallel-1 (reference)" llm --no-cache --parallel 1
	wall "parallel-4" llm --no-cache --parallel 4
	wall "parallel-16" llm --no-cache --parallel 16
	echo "# 2. response cache: first run fills it, re-runs send nothing"
	llm --cache "$dir/cache" --parallel 16 > /dev/null 2>&1
	wall "cached re-run" llm --cache "$dir/cache"
	echo "# 3. planning with an exact cl100k_base count (no network)"
	wall "nq 300 prompts, check 250000" nice "$bin/lcretrieve" --llm -c "$data/nq/corpus.jsonl" \
		--few-shot "$data/nq/few_shot_queries.jsonl" --model m --context-limit 250000 -e cl100k_base \
		--batch-out "$dir/b.jsonl" "$dir/nq300.jsonl"
	wall "nq 100 prompts, --fit 128000" nice "$bin/lcretrieve" --llm -c "$data/nq/corpus.jsonl" \
		--few-shot "$data/nq/few_shot_queries.jsonl" --model m --context-limit 128000 -e cl100k_base --fit \
		--batch-out "$dir/b.jsonl" "$dir/nq100.jsonl"
	echo "# expected: parallel-N near 1/N of the reference while the server keeps up; cached re-run = local work only"
} | tee "$out"
