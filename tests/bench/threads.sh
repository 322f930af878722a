#!/bin/sh
# Threads benchmark: wall time of -j 1 and -j 2 for
# lctok, lcretrieve (BM25, many queries) and lceval, interleaved, medians of REPS runs,
# with the machine's load average noted around each pair (the machine is shared: a
# speed-up below 2x is partly the other load's).  Results: tests/bench/results/threads.txt.
#   sh tests/bench/threads.sh [BINDIR]      REPS=3
# Inputs (generated in a temp dir from ../shared/data/loft):
#   lctok       the LOFT passages' text, one per line, repeated to TOK_MB (40) MB;
#               count --text --total -e cl100k_base, and encode of the same lines as JSONL
#   lcretrieve  the five LOFT corpora, each passage 25 times (100k passages), indexed
#               once; the 3,973 LOFT queries 5 times (19,865 queries), -k 100
#   lceval      trec_eval's speed anchor (10,000 queries x 1,000 documents,
#               ${LCTK_BENCH_DIR:-/tmp/lctk-bench}/speed.{run,qrels}, made by
#               tests/bench/lceval_gen.py when absent), -m all_trec
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOFT=${LCTK_SHARED:-$ROOT/../shared}/data/loft
OUT=$HERE/results/threads.txt
REPS=${REPS:-3}
TOK_MB=${TOK_MB:-40}
export LCTK_DATA="$ROOT/share/lctk"
[ -d "$LOFT" ] || { echo "threads.sh: $LOFT not present; skipped"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/threads-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
load() { cut -d' ' -f1 /proc/loadavg; }
# busiest CMD...: one -j 2 run under perf (samples per thread, 999 Hz): the busiest
# thread's share of the process's CPU, and min(2, 1/share), the speed-up -j 2 allows at
# most on an idle 2-core machine (Amdahl over threads; independent of the other load)
busiest() {
	perf record -q -F 999 -o "$W/perf.data" -- "$@" > /dev/null 2>&1
	perf report -i "$W/perf.data" --sort pid --stdio 2>/dev/null |
		awk '/%/ && !/^#/ {v = $1; sub("%", "", v); if (v + 0 > m) m = v + 0} END {b = 100 / m; if (b > 2) b = 2; printf "%3.0f%% %5.2fx", m, b}'
}

python3 - "$LOFT" "$W" "$TOK_MB" <<'PY'
import glob, json, os, sys
loft, w, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
ps, qs = [], []
for d in sorted(glob.glob(os.path.join(loft, "*", "corpus.jsonl"))):
    name = os.path.basename(os.path.dirname(d))
    ps += [(name, json.loads(l)) for l in open(d, encoding="utf-8")]
    qs += [(name, json.loads(l)) for l in open(os.path.join(os.path.dirname(d), "queries.jsonl"), encoding="utf-8")]
lines = [" ".join((p.get("title_text", "") + " " + p["passage_text"]).split()) for _, p in ps]
with open(os.path.join(w, "tok.txt"), "w", encoding="utf-8") as t, open(os.path.join(w, "tok.jsonl"), "w", encoding="utf-8") as j:
    size, i = 0, 0
    while size < mb << 20:
        s = lines[i % len(lines)]
        t.write(s + "\n")
        j.write(json.dumps({"text": s}) + "\n")
        size += len(s.encode()) + 1
        i += 1
with open(os.path.join(w, "corpus.jsonl"), "w", encoding="utf-8") as c:
    for r in range(25):
        for name, p in ps:
            c.write(json.dumps({"pid": "%s-%s-%d" % (name, p["pid"], r), "title_text": p.get("title_text", ""),
                                "passage_text": p["passage_text"]}) + "\n")
with open(os.path.join(w, "queries.jsonl"), "w", encoding="utf-8") as q:
    for r in range(5):
        for name, x in qs:
            q.write(json.dumps({"qid": "%s-%s-%d" % (name, x["qid"], r), "query_text": x["query_text"]}) + "\n")
PY
"$BIN/lcindex" --quiet -o "$W/bm25.idx" "$W/corpus.jsonl"
EV=${LCTK_BENCH_DIR:-/tmp/lctk-bench}
if [ ! -s "$EV/speed.run" ] || [ ! -s "$EV/speed.qrels" ]; then
	EV=$W
	nice python3 "$HERE/lceval_gen.py" "$EV" >/dev/null
fi

# pair NAME CMD1 -- CMD2: REPS interleaved runs of each; one result line
pair() {
	name=$1; shift
	c1=""; c2=""; seen=0
	for a in "$@"; do
		if [ "$a" = "--" ]; then seen=1; elif [ $seen = 0 ]; then c1="$c1 '$a'"; else c2="$c2 '$a'"; fi
	done
	: > "$W/w1"; : > "$W/w2"; : > "$W/u1"; : > "$W/u2"; : > "$W/l"
	for r in $(seq "$REPS"); do
		load >> "$W/l"
		for j in 1 2; do
			eval "cmd=\$c$j"
			eval "/usr/bin/time -f '%e %U %S' -o '$W/t' $cmd" > "$W/out$j"
			awk '{print $1}' "$W/t" >> "$W/w$j"
			awk '{print $2 + $3}' "$W/t" >> "$W/u$j"
		done
		load >> "$W/l"
	done
	cmp -s "$W/out1" "$W/out2" || { echo "threads.sh: $name: -j 1 and -j 2 outputs differ" >&2; exit 1; }
	w1=$(median < "$W/w1") w2=$(median < "$W/w2") u1=$(median < "$W/u1") u2=$(median < "$W/u2")
	b=$(eval "busiest $c2")
	printf '%-40s %8.2f %8.2f %8.2fx %8.2f %8.2f %12s   %s\n' "$name" "$w1" "$w2" "$(echo "$w1 $w2" | awk '{print $1/$2}')" \
		"$u1" "$u2" "$b" "$(sort -g "$W/l" | sed -n '1p;$p' | paste -sd- -)"
}

{
echo "# threads benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores shared by other engineers' jobs, $(uname -m))"
echo "# medians of $REPS interleaved runs; wall and CPU (user+sys) in seconds; speed-up = wall -j 1 / wall -j 2;"
echo "# load = the 1-minute load average's range over the runs (2 cores: above 2, -j 2 cannot get two free cores);"
echo "# sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?') (1: CPU shared between sessions, not threads)"
echo "# busiest/bound: perf samples per thread in one -j 2 run: the busiest thread's share of the"
echo "# process's CPU, and min(2, 1/share), the speed-up -j 2 can give on an idle 2-core machine"
printf '%-40s %8s %8s %9s %8s %8s %12s   %s\n' run "wall j1" "wall j2" speed-up "CPU j1" "CPU j2" "busiest/bound" load
pair "lctok count --text --total ($TOK_MB MB)" \
	"$BIN/lctok" count --text --total -e cl100k_base -j 1 "$W/tok.txt" -- \
	"$BIN/lctok" count --text --total -e cl100k_base -j 2 "$W/tok.txt"
pair "lctok encode (JSONL, $TOK_MB MB)" \
	"$BIN/lctok" encode -e cl100k_base -j 1 "$W/tok.jsonl" -- \
	"$BIN/lctok" encode -e cl100k_base -j 2 "$W/tok.jsonl"
pair "lcretrieve BM25 (100k passages, 19,865 q)" \
	"$BIN/lcretrieve" --quiet -i "$W/bm25.idx" -k 100 -j 1 "$W/queries.jsonl" -- \
	"$BIN/lcretrieve" --quiet -i "$W/bm25.idx" -k 100 -j 2 "$W/queries.jsonl"
pair "lceval -m all_trec (10M lines)" \
	"$BIN/lceval" -j 1 -m all_trec "$EV/speed.qrels" "$EV/speed.run" -- \
	"$BIN/lceval" -j 2 -m all_trec "$EV/speed.qrels" "$EV/speed.run"
cat <<'NOTES'
#
# The run above (2026-12-06 15:39Z) was on an idle machine (load 0.5-1.1 on 2 cores):
# every -j 2 speed-up is 1.89x or more.  On a busy machine the wall speed-up drops with the
# load, not the programs: the kernel shares the CPU between sessions (sched_autogroup_enabled=1),
# not threads, so with every core busy -j 2 cannot finish sooner (the 05:59Z run, load 5-6:
# 1.04-2.02x).  The busiest/bound column does not depend on the load: it is what an idle
# 2-core machine allows at most.
# - lctok: the reading and writing thread is 6-7 % of the CPU, each of the two workers
#   43-49 %, and the ring's lock is taken once per batch (4096 lines or 1 MiB): nothing
#   serial to remove; on an idle machine -j 2 is bounded by 2x, not by lctok.
# - lcretrieve: workers search and format slots of 64 queries (lib/core/ring) while the
#   main thread writes them in order (before, the main thread formatted and wrote each
#   4096-query batch alone: 1.16x loaded, bound 1.82x); now bound 2.00x, 1.95x idle.
# - lceval: -j N cuts the plain run file into N byte ranges at topic boundaries and each
#   thread reads and evaluates its own (branch evalj); what stays on one thread is reading
#   the qrels (~60 ms, 1M lines), the summary and the output: the main thread is 55-57 %
#   of the CPU (perf, all_trec and ndcg_cut.10 + map, 2026-12-06 on the loaded machine),
#   so -j 2 tops out near 1.8x.  Before evalj a plain run was streamed on one thread
#   (LCTK_THREADS applied only to runs read whole), hence the 1.01x measured before.
NOTES
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
