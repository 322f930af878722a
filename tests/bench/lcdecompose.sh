#!/bin/sh
# lcdecompose benchmark: Dataset Decomposition speed and memory.  Results:
# tests/bench/results/lcdecompose.txt.
#   sh tests/bench/lcdecompose.sh [BINDIR]     REPS=5 (medians), TEXT_MB=1024, BASE=7aa4d50
#                                   (or BASE_BIN=DIR BASE_NAME=TEXT), SCALE="10 100"
# 1. From token ids in memory: decomposition + shard writing (tests/bench/dd_core.c
#    against build/libcore.a), 100M tokens, tar / bin / jsonl.
# 2. End to end from pre-tokenised JSONL ({"ids": [...]}), 40M tokens: this tree ("after")
#    interleaved with the build of commit BASE ("before"; BASE_BIN=DIR uses a built one),
#    whose shards must be byte-identical (diff -r; the script stops otherwise), the
#    output stage's share of the CPU (1 - CPU of --table / CPU with shards), and the
#    reference's algorithm restated in Python (tests/bench/dd_ref.py) in the same run.
# 3. From text (cl100k_base): >= 1 GB of JSONL documents made of LOFT passages
#    (../shared/data/loft), throughput with and without shard writing, peak memory.
# 4. Scaling: SCALE (default "10 100", millions of tokens; "10 100 1000" adds 1B) tokens
#    of the same documents streamed on standard input, tar shards, before and after:
#    CPU, tok/s and peak RSS.
# The machine is shared: tokens/s are given per CPU second (user+sys, the single
# thread's own work) and per wall second.  Generated inputs live in a temp dir.
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOFT=${LCTK_SHARED:-$ROOT/../shared}/data/loft
OUT=$HERE/results/lcdecompose.txt
REPS=${REPS:-5}
BASE=${BASE:-7aa4d50}   # main before the ddout branch (f5fd6e4: before direct writes, 16-bit and huge-page pools)
SCALE=${SCALE:-10 100}
# shard files go to the page cache only: the bench measures lcdecompose, not the disk
export LCTK_NO_SYNC=1
TEXT_MB=${TEXT_MB:-1024}
export LCTK_DATA="$ROOT/share/lctk"
W=$(mktemp -d "${TMPDIR:-/tmp}/lcdecompose-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$HERE/results"
LIBCORE=$(dirname "$BIN")/libcore.a
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# timed CMD...: runs CMD under nice; leaves "wall cpu maxrss_kb" in $W/t, CPU = user + sys
# from wait4's rusage in microseconds (/usr/bin/time prints hundredths: +-10 ms against an
# output stage of ~90 ms on section 2's input).  A small C parent, so that the peak RSS
# is the program's (a Python parent's would carry over through exec).  stdin and stdout
# go to CMD.
cat > "$W/timer.c" <<'C'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	FILE *f = fopen(argv[1], "w");
	fprintf(f, "%.6f %.6f %ld\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9,
	        ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6,
	        ru.ru_maxrss);
	fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
C
cc -O2 -o "$W/timer" "$W/timer.c"
timed() { "$W/timer" "$W/t" nice "$@"; }

# the "before" binary: BASE built in the temp dir, unless BASE_BIN names one
if [ -n "${BASE_BIN:-}" ]; then
	OLD=$(cd "$BASE_BIN" && pwd)/lcdecompose
else
	mkdir "$W/base"
	git -C "$ROOT" archive "$BASE" | tar -x -C "$W/base"
	make -C "$W/base" -j2 build/bin/lcdecompose >/dev/null
	OLD=$W/base/build/bin/lcdecompose
fi
BASE_NAME=${BASE_NAME:-${BASE_BIN:-$(git -C "$ROOT" rev-parse --short "$BASE")}}

cc -O2 -std=gnu11 $(for d in "$ROOT"/lib/*/; do printf -- "-I%s " "$d"; done) -o "$W/dd_core" "$HERE/dd_core.c" "$LIBCORE" \
	$(pkg-config --libs jansson libarchive zlib libpcre2-8 libcurl) -lstemmer -lm -pthread

# pre-tokenised JSONL, web-like lengths (log-normal, median ~665 tokens)
gen_ids() {
	python3 - "$1" "$2" <<'PY'
import random, sys
target, seed = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed)
pool = [str(r.randrange(50277)) for _ in range(1 << 16)]
done = 0
out = sys.stdout
while done < target:
    n = min(int(r.lognormvariate(6.5, 1.3)), 200000)
    s = r.randrange(len(pool))
    ids = pool[s:s + n]
    while len(ids) < n:
        ids += pool[:n - len(ids)]
    out.write('{"ids": [' + ", ".join(ids) + ']}\n')
    done += n
PY
}

{
echo "# lcdecompose benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores shared, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -m))"
echo "# defaults: kmin 8, kmax 13, seed 0, pool 20 shards; medians of $REPS runs; tok/s = tokens per second"
echo
echo "## 1. From token ids in memory: decomposition + shard writing (dd_core.c), 100M tokens"
printf '%-6s %16s %16s\n' format "tok/s (CPU)" "tok/s (wall)"
for f in tar bin jsonl; do
	: > "$W/c"; : > "$W/w"
	for r in $(seq "$REPS"); do
		set -- $(nice "$W/dd_core" 100000000 $f "$W/core")
		echo "$2 $4" | awk '{printf "%.0f\n", $1/$2}' >> "$W/c"
		echo "$2 $6" | awk '{printf "%.0f\n", $1/$2}' >> "$W/w"
		rm -rf "$W/core"
	done
	printf '%-6s %16.0f %16.0f\n' $f "$(median < "$W/c")" "$(median < "$W/w")"
done
echo
echo "## 2. End to end from pre-tokenised JSONL (parse + decompose + write), before and after"
gen_ids 40000000 1 > "$W/ids.jsonl"
NT=$("$BIN/lcdecompose" --eot 0 --table --quiet "$W/ids.jsonl" | awk '/^tokens in/ {print $3}')
MB=$(du -m "$W/ids.jsonl" | cut -f1)
NTI=$NT
echo "# input: $NT tokens (incl. one EOT per document), $MB MB; before = $BASE_NAME, after = this tree"
echo "# output stage = 1 - CPU(--table: parse + decompose, nothing written) / CPU(run), same binary"
echo "#   (output: that share, and the output stage's CPU per token)"
printf '%-34s %14s %14s %10s %14s\n' run "tok/s (CPU)" "tok/s (wall)" "peak RSS" "output"
# row LABEL NAME SHARE: the medians of $W/NAME.{c,w,m} (tok/s CPU, tok/s wall, RSS kB)
row() {
	printf '%-34s %14.0f %14.0f %8d MB %14s\n' "$1" "$(median < "$W/$2.c")" "$(median < "$W/$2.w")" \
		"$(( $(median < "$W/$2.m" | cut -d. -f1) / 1024 ))" "$3"
}
# one NAME BIN ARGS...: one timed run appended to NAME's samples
one() {
	n=$1; shift
	timed "$@" >/dev/null
	read -r wall cpu rss < "$W/t"
	echo "$NT $cpu" | awk '{printf "%.0f\n", $1/$2}' >> "$W/$n.c"
	echo "$NT $wall" | awk '{printf "%.0f\n", $1/$2}' >> "$W/$n.w"
	echo "$rss" >> "$W/$n.m"
}
for n in old-tar new-tar old-bin new-bin old-table new-table; do : > "$W/$n.c"; : > "$W/$n.w"; : > "$W/$n.m"; done
same=yes
for r in $(seq "$REPS"); do
	for f in tar bin; do
		rm -rf "$W/o-old" "$W/o-new"
		one old-$f "$OLD" --eot 0 --quiet --format $f -o "$W/o-old" "$W/ids.jsonl"
		one new-$f "$BIN/lcdecompose" --eot 0 --quiet --format $f -o "$W/o-new" "$W/ids.jsonl"
		if [ "$r" = 1 ] && ! diff -r "$W/o-old" "$W/o-new" >/dev/null; then
			echo "lcdecompose.sh: --format $f: shards differ from $BASE_NAME's" >&2
			same=no
		fi
	done
	one old-table "$OLD" --eot 0 --quiet --table "$W/ids.jsonl"
	one new-table "$BIN/lcdecompose" --eot 0 --quiet --table "$W/ids.jsonl"
done
rm -rf "$W/o-old" "$W/o-new"
[ $same = yes ] || exit 1
# share BUILD FORMAT: the output stage's share of the run's CPU, and its CPU per token
# (1/r - 1/t seconds): the share alone moves when parsing gets faster or slower
share() { awk -v t="$(median < "$W/$1-table.c")" -v r="$(median < "$W/$1-$2.c")" \
	'BEGIN {printf "%.0f %% %4.1f ns", 100 * (1 - r / t), 1e9 * (1 / r - 1 / t)}'; }
row "lcdecompose --format tar (before)" old-tar "$(share old tar)"
row "lcdecompose --format tar (after)" new-tar "$(share new tar)"
row "lcdecompose --format bin (before)" old-bin "$(share old bin)"
row "lcdecompose --format bin (after)" new-bin "$(share new bin)"
row "lcdecompose --table (before)" old-table -
row "lcdecompose --table (after)" new-table -
echo "# shards byte-identical before and after (tar, bin; diff -r): $same"
rm -rf "$W/o"
timed "$BIN/lcdecompose" --eot 0 --quiet --compare -L 8192 "$W/ids.jsonl" >/dev/null
read -r wall cpu rss < "$W/t"
printf '%-34s %14.0f %14.0f %8d MB\n' "lcdecompose --compare" "$(echo "$NT $cpu" | awk '{print $1/$2}')" \
	"$(echo "$NT $wall" | awk '{print $1/$2}')" $((rss / 1024))
# the reference's algorithm in Python on half the input (its memory grows with it)
gen_ids 20000000 1 > "$W/ids20.jsonl"
: > "$W/r"
for r in $(seq "$REPS"); do
	rm -rf "$W/ref"
	set -- $(nice python3 "$HERE/dd_ref.py" "$W/ids20.jsonl" "$W/ref" 0)
	echo "$2 $4" | awk '{printf "%.0f\n", $1/$2}' >> "$W/r"
done
rm -rf "$W/ref" "$W/ids20.jsonl"
printf '%-34s %14s %14.0f   (20M tokens; JSON parsing not timed)\n' "reference in Python" "-" "$(median < "$W/r")"
echo
echo "## 3. From text: cl100k_base, JSONL documents of LOFT passages (../shared/data/loft)"
if [ -d "$LOFT" ]; then
	python3 - "$W/text.jsonl" "$TEXT_MB" "$LOFT"/*/corpus.jsonl <<'PY'
import json, random, sys
out, mb, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ps = [json.loads(l)["passage_text"] for f in files for l in open(f)]
r = random.Random(1)
size, target = 0, mb << 20
with open(out, "w") as o:
    while size < target:
        n = max(1, min(int(r.lognormvariate(1.5, 1.2)), 400))
        i = r.randrange(len(ps))
        line = json.dumps({"text": "\n\n".join(ps[(i + j) % len(ps)] for j in range(n))}) + "\n"
        o.write(line)
        size += len(line)
PY
	MB=$(du -m "$W/text.jsonl" | cut -f1)
	echo "# input: $MB MB, $(wc -l < "$W/text.jsonl") documents (1 run each)"
	timed "$BIN/lcdecompose" -e cl100k_base --quiet --table "$W/text.jsonl" > "$W/rep"
	read -r wall cpu rss < "$W/t"
	NT=$(awk '/^tokens in/ {print $3}' "$W/rep")
	printf '%-34s %9s %9s %13s %13s %9s\n' run "MB/s CPU" "MB/s wall" "tok/s CPU" "tok/s wall" "peak RSS"
	printf '%-34s %9.1f %9.1f %13.0f %13.0f %6d MB\n' "tokenise + decompose (--table)" \
		"$(echo "$MB $cpu" | awk '{print $1/$2}')" "$(echo "$MB $wall" | awk '{print $1/$2}')" \
		"$(echo "$NT $cpu" | awk '{print $1/$2}')" "$(echo "$NT $wall" | awk '{print $1/$2}')" $((rss / 1024))
	timed "$BIN/lcdecompose" -e cl100k_base --quiet -o "$W/o" "$W/text.jsonl" > "$W/stats"
	read -r wall cpu rss < "$W/t"
	printf '%-34s %9.1f %9.1f %13.0f %13.0f %6d MB\n' "tokenise + decompose + tar shards" \
		"$(echo "$MB $cpu" | awk '{print $1/$2}')" "$(echo "$MB $wall" | awk '{print $1/$2}')" \
		"$(echo "$NT $cpu" | awk '{print $1/$2}')" "$(echo "$NT $wall" | awk '{print $1/$2}')" $((rss / 1024))
	echo "# $NT tokens; the dataset:"
	sed 's/^/#   /' "$W/stats"
else
	echo "# skipped: $LOFT not found"
fi
echo
echo "## 4. Scaling: the 40M-token documents repeated, on standard input, tar shards (1 run each)"
mkfifo "$W/fifo.in"
printf '%-8s %-7s %10s %14s %10s %12s\n' tokens build "CPU s" "tok/s (CPU)" "peak RSS" "output"
for m in $SCALE; do
	# copies of the input (and a part of one) up to m million tokens
	full=$(( m * 1000000 / NTI )) part=$(( (m * 1000000 % NTI) * 100 / NTI ))
	lines=$(wc -l < "$W/ids.jsonl")
	feed() { i=0; while [ $i -lt $full ]; do cat "$W/ids.jsonl"; i=$((i + 1)); done; head -n $((lines * part / 100)) "$W/ids.jsonl"; }
	n=$(feed | "$BIN/lcdecompose" --eot 0 --table --quiet - | awk '/^tokens in/ {print $3}')
	for v in before after; do
		b=$OLD; [ $v = after ] && b=$BIN/lcdecompose
		rm -rf "$W/o"
		feed > "$W/fifo.in" &
		feed_pid=$!
		timed "$b" --eot 0 --quiet -o "$W/o" - < "$W/fifo.in" >/dev/null
		wait $feed_pid
		read -r wall cpu rss < "$W/t"
		printf '%-8s %-7s %10.2f %14.0f %7d MB %9d MB\n' "${m}M" $v "$cpu" "$(echo "$n $cpu" | awk '{print $1/$2}')" \
			$((rss / 1024)) "$(du -sm "$W/o" | cut -f1)"
		rm -rf "$W/o"
	done
done
echo "# tokens: the nominal size; peak RSS is bounded by the shuffle pools (20 shards per bucket)"
rm -f "$W/ids.jsonl" "$W/fifo.in"
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
