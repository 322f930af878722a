#!/bin/sh
# lctok SentencePiece-style BPE benchmark: `lctok count` with the Mistral and Gemma 3
# tokenizer.json files against native Hugging Face tokenizers (npm
# @anush008/tokenizers 0.6.0 = tokenizers 0.22.2, one thread, installed into a temp
# dir, never committed) measured in the same run; per-line counts compared; load
# time without the cache (LCTK_NO_CACHE=1: JSON parsed), first load (parse, hash,
# cache written) and warm load (cache mmap-read); whole-piece inputs (1 MB of one
# letter, 1 MB of prose without spaces).  The cache lives in a directory of the
# bench's own ($LCTK_BENCH_DIR/tokcache), never the user's.
# usage: tests/bench/lctok-sp.sh [BINDIR]     (make bench runs it with build/bin)
# Corpus: title + passage text of every passage in ../shared/data/loft/*/corpus.jsonl,
# one per line, repeated in a fixed shuffled order (seed 1) to 12 MB.
# Results: tests/bench/results/lctok-sp.txt
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$(cd "${1:-$root/build/bin}" && pwd)
shared=${LCTK_SHARED:-$root/../shared}
work=${LCTK_BENCH_DIR:-/tmp/lctk-bench}
out="$root/tests/bench/results/lctok-sp.txt"
mkdir -p "$work"
export LCTK_CACHE="$work/tokcache"
unset LCTK_NO_CACHE
[ -d "$shared/data/loft" ] && [ -d "$shared/vocab/hf/mistral" ] ||
	{ echo "lctok-sp bench: ../shared data or vocab/hf not present; skipped"; exit 0; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "lctok-sp bench: node/npm needed"; exit 0; }
ref=$work/npm-hf
[ -d "$ref/node_modules/@anush008/tokenizers" ] ||
	npm install --silent --no-save --prefix "$ref" @anush008/tokenizers@0.6.0 >/dev/null 2>&1 ||
	{ echo "lctok-sp bench: npm install of @anush008/tokenizers failed"; exit 1; }

corpus=$work/sp-corpus.txt
[ -s "$corpus" ] || python3 - "$shared/data/loft" "$corpus" <<'PY'
import glob, json, os, random, sys
loft, dst = sys.argv[1], sys.argv[2]
ps = []
for f in sorted(glob.glob(os.path.join(loft, "*", "corpus.jsonl"))):
    for line in open(f, encoding="utf-8"):
        d = json.loads(line)
        ps.append(" ".join((d.get("title_text", "") + " " + d.get("passage_text", "")).split()))
rng, n = random.Random(1), 0
with open(dst + ".tmp", "w", encoding="utf-8") as o:
    while n < 12_000_000:
        rng.shuffle(ps)
        for p in ps:
            o.write(p + "\n"); n += len(p.encode()) + 1
            if n >= 12_000_000: break
os.rename(dst + ".tmp", dst)
PY
python3 -c "print('a' * 1000000)" > "$work/sp-one-letter.txt"
python3 -c "
import itertools
t = open('$corpus', encoding='utf-8').read(3_000_000).replace(' ', '').replace('\n', '')
print(t[:1000000])" > "$work/sp-no-space.txt"

cat > "$work/hf-count.js" <<'JS'
// node hf-count.js TOKENIZER.json FILE COUNTS_OUT: one-thread token count, load and encode timed
const fs = require('fs');
const { Tokenizer } = require(process.env.REF + '/node_modules/@anush008/tokenizers');
(async () => {
  const [tj, file, countsOut] = process.argv.slice(2);
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  const tok = Tokenizer.fromFile(tj);
  const c1 = process.cpuUsage(c0), t1 = process.hrtime.bigint();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const counts = new Uint32Array(lines.length);
  const c2 = process.cpuUsage(), t2 = process.hrtime.bigint();
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    const e = await tok.encode(lines[i], null, { addSpecialTokens: false });
    counts[i] = e.getIds().length; total += counts[i];
  }
  const c3 = process.cpuUsage(c2), t3 = process.hrtime.bigint();
  if (countsOut) fs.writeFileSync(countsOut, counts.join('\n') + '\n');
  console.log(JSON.stringify({ load_cpu: (c1.user + c1.system) / 1e6, load_wall: Number(t1 - t0) / 1e9,
    cpu: (c3.user + c3.system) / 1e6, wall: Number(t3 - t2) / 1e9, total }));
})();
JS

# cpu CMD...: user+sys seconds of one run (stdout to /dev/null)
cpu() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.3f\n", $1 + $2 }'; }
# cpums CMD...: user+sys milliseconds of one run, from wait4's microsecond rusage
cpums() { python3 -c 'import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.execvp(sys.argv[1], sys.argv[1:])
_, st, ru = os.wait4(pid, 0)
print("%.1f" % ((ru.ru_utime + ru.ru_stime) * 1000))' "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
bytes=$(wc -c < "$corpus")
{
	echo "# lctok SentencePiece-style BPE benchmark — $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; CPU-time medians of 3"
	echo "# corpus: $corpus, $bytes bytes of LOFT passages, one per line (recipe in tests/bench/lctok-sp.sh)"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: CPU-time ratios are the robust figures)"
	echo "# reference: native Hugging Face tokenizers 0.22.2 via npm @anush008/tokenizers 0.6.0, one call per line, RAYON_NUM_THREADS=1"
} > "$out"
for m in mistral gemma3; do
	tj=$shared/vocab/hf/$m/tokenizer.json
	hf=""; for i in 1 2 3; do
		r=$(REF=$ref RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false node "$work/hf-count.js" "$tj" "$corpus" "$work/hf-$m.counts")
		hf="$hf$(echo "$r" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["cpu"], d["load_cpu"], d["total"])')
"
	done
	hf_cpu=$(echo "$hf" | awk 'NF { print $1 }' | median)
	hf_load=$(echo "$hf" | awk 'NF { print $2 }' | median)
	rm -rf "$LCTK_CACHE"
	first=$(for i in 1 2 3; do rm -rf "$LCTK_CACHE"; cpums "$bindir/lctok" count --text --tokenizer "$tj" /dev/null; done | median)
	nocache=$(for i in 1 2 3; do cpums env LCTK_NO_CACHE=1 "$bindir/lctok" count --text --tokenizer "$tj" /dev/null; done | median)
	ld=$(for i in 1 2 3 4 5; do cpums "$bindir/lctok" count --text --tokenizer "$tj" /dev/null; done | median)
	lc=$(for i in 1 2 3; do cpu "$bindir/lctok" count --text --tokenizer "$tj" "$corpus"; done | median)
	"$bindir/lctok" count --text --tokenizer "$tj" "$corpus" > "$work/lc-$m.counts"
	same=no; cmp -s "$work/lc-$m.counts" "$work/hf-$m.counts" && same=yes
	python3 - "$m" "$bytes" "$hf_cpu" "$hf_load" "$lc" "$ld" "$same" "$(awk '{ s += $1 } END { print s }' "$work/lc-$m.counts")" "$nocache" "$first" <<'PY' >> "$out"
import sys
m, b, hf, hfl, lc, ld, same, tot, nc, first = sys.argv[1:]
b, hf, hfl, lc = int(b), float(hf), float(hfl), float(lc)
ld, nc, first = float(ld) / 1000, float(nc) / 1000, float(first) / 1000
enc = max(lc - ld, 1e-3)
print(f"{m}: HF tokenizers encode loop {hf:.2f} s CPU = {b/hf/1e6:.1f} MB/s (its load {hfl*1000:.0f} ms CPU)")
print(f"{m}: lctok count -j 1, whole process incl. warm load {lc:.2f} s CPU = {b/lc/1e6:.1f} MB/s; {hf/lc:.1f}x HF's encode loop")
print(f"{m}: lctok encode alone (whole process minus warm load) {enc:.2f} s CPU = {b/enc/1e6:.1f} MB/s; {hf/enc:.1f}x HF's encode loop")
print(f"{m}: lctok load (whole process on empty input): warm (cache) {ld*1000:.1f} ms CPU (median of 5), first (parse + hash + write cache) {first*1000:.0f} ms, cache off (LCTK_NO_CACHE=1: parse) {nc*1000:.0f} ms")
print(f"{m}: per-line counts identical to HF on every line: {same} (total {tot} tokens)")
PY
	for f in one-letter no-space; do
		t=$(for i in 1 2 3; do cpu "$bindir/lctok" count --text --tokenizer "$tj" "$work/sp-$f.txt"; done | median)
		rss=$(/usr/bin/time -f %M "$bindir/lctok" count --text --tokenizer "$tj" "$work/sp-$f.txt" 2>&1 >/dev/null | tail -1)
		printf '%s: 1 MB %s (one piece): %s s CPU incl. load, max RSS %s KB\n' "$m" "$f" "$t" "$rss" >> "$out"
	done
done
cat "$out"
