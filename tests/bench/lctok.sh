#!/bin/sh
# lctok benchmark: throughput of `lctok count` against native tiktoken measured in
# the same run, -j 2 scaling, memory, o200k_base load time, pathological inputs.
# usage: tests/bench/lctok.sh [BINDIR]     (make bench runs it with build/bin)
# Needs python3, node/npm (the reference is installed with npm into a temp dir,
# never committed) and ../shared/data/loft.  Results: tests/bench/results/lctok.txt
#
# Corpus recipe (>= 100 MB, deterministic): title + passage text of every LOFT
# passage in ../shared/data/loft/*/corpus.jsonl, one per line, repeated in shuffled
# order (seed 1) to 90 MB, interleaved with ~10% multilingual text: the translated
# strings (msgstr) of the gettext catalogues in /usr/share/locale for 16 languages
# (de fr es it pt_BR ru uk pl cs el tr ja zh_CN ko ar he), joined into ~400-byte
# lines.  Cached in ${LCTK_BENCH_DIR:-/tmp/lctk-bench}/tok-corpus.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=${1:-$root/build/bin}
bindir=$(cd "$bindir" && pwd)
export LCTK_DATA=${LCTK_DATA:-$root/share/lctk}
shared=${LCTK_SHARED:-$root/../shared}
work=${LCTK_BENCH_DIR:-/tmp/lctk-bench}
mkdir -p "$work"
: > "$work/empty.txt"
out="$root/tests/bench/results/lctok.txt"
[ -d "$shared/data/loft" ] || { echo "lctok bench: $shared/data/loft not present; skipped"; exit 0; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "lctok bench: node/npm needed for the reference"; exit 0; }

corpus=$work/tok-corpus.txt
if [ ! -s "$corpus" ]; then
	python3 - "$shared/data/loft" "$corpus" <<'PY'
import glob, json, os, random, struct, sys
loft, dst = sys.argv[1], sys.argv[2]
passages = []
for f in sorted(glob.glob(os.path.join(loft, "*", "corpus.jsonl"))):
    for line in open(f, encoding="utf-8"):
        d = json.loads(line)
        t = (d.get("title_text", "") + " " + d.get("passage_text", "")).strip()
        passages.append(" ".join(t.split()))
def mo_strings(path):
    b = open(path, "rb").read()
    if len(b) < 28: return []
    magic = struct.unpack("<I", b[:4])[0]
    e = "<" if magic == 0x950412de else ">"
    n, _, toff = struct.unpack(e + "III", b[8:20])
    res = []
    for i in range(1, n):  # 0 is the header
        ln, off = struct.unpack(e + "II", b[toff + 8 * i: toff + 8 * i + 8])
        s = b[off:off + ln].split(b"\0")[0].decode("utf-8", "replace")
        s = " ".join(s.split())
        if len(s) > 3: res.append(s)
    return res
multi = []
for lang in "de fr es it pt_BR ru uk pl cs el tr ja zh_CN ko ar he".split():
    seen = set()
    for mo in sorted(glob.glob("/usr/share/locale/%s/LC_MESSAGES/*.mo" % lang)):
        for s in mo_strings(mo):
            if s not in seen:
                seen.add(s); multi.append(s)
lines, cur = [], ""
for s in multi:
    cur = cur + " " + s if cur else s
    if len(cur.encode()) > 400:
        lines.append(cur); cur = ""
rng = random.Random(1)
target_main, target_multi = 90_000_000, 10_500_000
with open(dst + ".tmp", "w", encoding="utf-8") as o:
    nm = nmu = 0
    mi = 0
    while nm < target_main:
        rng.shuffle(passages)
        for p in passages:
            o.write(p + "\n"); nm += len(p.encode()) + 1
            if lines and nmu * 9 < nm and nmu < target_multi:
                l = lines[mi % len(lines)]; mi += 1
                o.write(l + "\n"); nmu += len(l.encode()) + 1
            if nm >= target_main: break
os.rename(dst + ".tmp", dst)
print("corpus: %.1f MB LOFT + %.1f MB multilingual (%d distinct multilingual lines)" % (nm / 1e6, nmu / 1e6, len(lines)))
PY
fi
bytes=$(wc -c < "$corpus")

# reference: native tiktoken (tiktoken-rs-node) and the WASM build (tiktoken), npm
ref=$work/npm-ref
if [ ! -d "$ref/node_modules/tiktoken-rs-node-linux-x64-gnu" ]; then
	npm install --silent --no-save --prefix "$ref" tiktoken-rs-node-linux-x64-gnu@1.0.6 tiktoken@1.0.22 >/dev/null 2>&1 ||
		echo "lctok bench: npm install of the reference failed"
fi
cat > "$work/ref-count.js" <<'JS'
// node ref-count.js native|wasm ENCODING FILE COUNTS_OUT: single-thread token count
const fs = require('fs');
const [kind, enc, file, countsOut] = process.argv.slice(2);
let encode;
const t0 = process.hrtime.bigint();
if (kind === 'native') {
  const m = require(process.env.REF + '/node_modules/tiktoken-rs-node-linux-x64-gnu/tiktoken-rs-node.linux-x64-gnu.node');
  const e = m.getEncoding(enc);
  encode = (s) => e.encode(s).length;
} else {
  const { get_encoding } = require(process.env.REF + '/node_modules/tiktoken');
  const e = get_encoding(enc);
  encode = (s) => e.encode_ordinary(s).length;
}
const t1 = process.hrtime.bigint();
const text = fs.readFileSync(file, 'utf8');
const lines = text.split('\n');
if (lines.length && lines[lines.length - 1] === '') lines.pop();
const counts = new Uint32Array(lines.length);
const t2 = process.hrtime.bigint();
const c0 = process.cpuUsage();
let total = 0;
for (let i = 0; i < lines.length; i++) { const c = encode(lines[i]); counts[i] = c; total += c; }
const c1 = process.cpuUsage(c0);
const t3 = process.hrtime.bigint();
if (countsOut) fs.writeFileSync(countsOut, counts.join('\n') + '\n');
console.log(JSON.stringify({ load_s: Number(t1 - t0) / 1e9, encode_s: Number(t3 - t2) / 1e9,
  cpu_s: (c1.user + c1.system) / 1e6, total }));
JS

# timeit N CMD...: one line per run, "WALL CPU" in seconds (CPU = user + sys)
timeit() {
	n=$1; shift
	i=0
	while [ $i -lt "$n" ]; do
		/usr/bin/time -f "%e %U %S" -o "$work/time.out" "$@" > /dev/null
		awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$work/time.out"
		i=$((i + 1))
	done
}
# median of column K (1 = wall, 2 = cpu)
median() { awk -v k="${1:-1}" '{print $k}' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
minimum() { awk -v k="${1:-1}" '{print $k}' | sort -n | head -n 1; }

lctok=$bindir/lctok
{
echo "# lctok benchmark — $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)); medians"
echo "# corpus: $corpus, $bytes bytes (recipe in tests/bench/lctok.sh)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: CPU-time ratios are the robust figures)"
} > "$out.tmp"

for enc in cl100k_base o200k_base; do
	# exactness: per-line counts equal the native reference
	"$lctok" count --text --special-as-text -e $enc "$corpus" > "$work/lctok-counts.$enc"
	refjson=$(REF=$ref nice node "$work/ref-count.js" native $enc "$corpus" "$work/ref-counts.$enc" 2>/dev/null || echo '{}')
	same=no
	cmp -s "$work/lctok-counts.$enc" "$work/ref-counts.$enc" && same=yes
	total=$(awk '{s+=$1} END {print s}' "$work/lctok-counts.$enc")
	# reference timings (3 runs, encode loop only, single thread): "WALL CPU"
	rt=$work/ref-times.$enc
	echo "$refjson" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("encode_s", 0), d.get("cpu_s", 0))' > "$rt"
	for i in 2; do
		REF=$ref nice node "$work/ref-count.js" native $enc "$corpus" 2>/dev/null |
			python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["encode_s"], d["cpu_s"])' >> "$rt" || true
	done
	ref_w=$(median 1 < "$rt"); ref_c=$(median 2 < "$rt")
	# lctok timings: whole process (load + read + count), 5 runs
	timeit 3 nice "$lctok" count --text --total --special-as-text -e $enc "$corpus" > "$work/t1"
	timeit 3 nice "$lctok" count --text --total --special-as-text -j 2 -e $enc "$corpus" > "$work/t2"
	python3 - "$enc" "$bytes" "$total" "$ref_w" "$ref_c" "$(median 1 < "$work/t1")" "$(median 2 < "$work/t1")" \
		"$(median 1 < "$work/t2")" "$(minimum 1 < "$work/t1")" "$(minimum 1 < "$work/t2")" "$same" \
		"$(median 2 < "$work/t2")" >> "$out.tmp" <<'PY'
import sys
a = sys.argv[1:]
enc, b, tot = a[0], int(a[1]), int(a[2])
rw, rc, w1, c1, w2, m1, m2 = map(float, a[3:10])
same = a[10]
c2 = float(a[11])
mb = b / 1e6
if rw > 0:
    print("%s: native tiktoken (tiktoken-rs-node 1.0.6, 1 thread, encode loop only): %.2f s wall = %.1f MB/s, %.2f M tokens/s; %.2f s CPU = %.1f MB/s" % (enc, rw, mb / rw, tot / rw / 1e6, rc, mb / rc))
else:
    print("%s: reference unavailable" % enc)
print("%s: lctok count -j 1 (whole process incl. load): %.2f s wall = %.1f MB/s, %.2f M tokens/s; %.2f s CPU = %.1f MB/s" % (enc, w1, mb / w1, tot / w1 / 1e6, c1, mb / c1))
if rw > 0:
    print("%s: lctok -j 1 vs native tiktoken: %.1fx (wall), %.1fx (CPU time)" % (enc, rw / w1, rc / c1))
print("%s: lctok count -j 2: %.2f s wall = %.1f MB/s: %.2fx lctok -j 1 (medians), %.2fx (best runs); CPU %.2f s (%.2fx -j 1's CPU: the work itself does not grow, wall speed-up needs an idle second core)" % (enc, w2, mb / w2, w1 / w2, m1 / m2, c2, c2 / c1))
print("%s: per-line counts identical to native tiktoken on every line: %s (total %d tokens)" % (enc, same, tot))
PY
done

# WASM tiktoken, once, on the first 20 MB, for context
head -c 20000000 "$corpus" > "$work/first20.txt"
w=$(REF=$ref nice node "$work/ref-count.js" wasm cl100k_base "$work/first20.txt" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["encode_s"], d["cpu_s"])' || echo "0 0")
python3 -c "import sys; b=$bytes; w,c=map(float,'$w'.split()); print('cl100k_base: WASM tiktoken 1.0.22 (1 thread, first 20 MB): %.2f s wall = %.1f MB/s; %.2f s CPU = %.1f MB/s' % (w, 20/w, c, 20/c) if w > 0 else 'WASM reference unavailable')" >> "$out.tmp"

# load time: a whole process on empty input (exec + load + exit)
timeit 9 "$lctok" count --text --total -e o200k_base "$work/empty.txt" > "$work/tl"
echo "o200k_base load (whole process on empty input: exec + load + exit): median $(median 1 < "$work/tl") s wall, best $(minimum 1 < "$work/tl") s, CPU $(median 2 < "$work/tl") s" >> "$out.tmp"
# and lc_tok_load() alone, in-process, when libcore.a is next to BINDIR
lib=$(dirname "$bindir")/libcore.a
if [ -f "$lib" ] && cc -O2 -I"$root/lib" -o "$work/lctok_load" "$here/lctok_load.c" "$lib" \
	$(pkg-config --libs jansson libarchive libpcre2-8 libcurl zlib) -lstemmer -lm -pthread 2>/dev/null; then
	"$work/lctok_load" o200k_base > "$work/tll"
	echo "o200k_base lc_tok_load() in-process: median $(median 1 < "$work/tll") ms wall (best $(minimum 1 < "$work/tll") ms), $(median 2 < "$work/tll") ms CPU" >> "$out.tmp"
fi

# memory: max RSS on 1/10 of the corpus and on all of it
head -c $((bytes / 10)) "$corpus" > "$work/tenth.txt"
m1=$(/usr/bin/time -f %M "$lctok" count --text --total -e cl100k_base "$work/tenth.txt" 2>&1 >/dev/null | tail -1)
m2=$(/usr/bin/time -f %M "$lctok" count --text --total -e cl100k_base "$corpus" 2>&1 >/dev/null | tail -1)
m3=$(/usr/bin/time -f %M "$lctok" count --text --total -j 2 -e cl100k_base "$corpus" 2>&1 >/dev/null | tail -1)
echo "max RSS: $m1 KB on 10% of the corpus, $m2 KB on all of it (-j 2: $m3 KB)" >> "$out.tmp"

# pathological inputs, several records each so process start-up is small:
# 8 x 1 MB of one letter, 8 x 1 MB of random letters/digits/punctuation without
# whitespace, 8 x 1 MB of corpus prose with the spaces removed, 80 x 100k digits;
# prose = the first 8 MB of the corpus.  Per-byte CPU time minus the empty-input
# CPU time.
python3 - "$work" "$corpus" <<'PY'
import random, sys
w, corpus = sys.argv[1], sys.argv[2]
r = random.Random(3)
open(w + "/one-letter.txt", "w").write(("a" * 1000000 + "\n") * 8)
al = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789.,;:!?-_()[]{}/#@"
open(w + "/no-space.txt", "w").write("".join("".join(r.choice(al) for _ in range(1000000)) + "\n" for _ in range(8)))
open(w + "/digits.txt", "w").write(("7" * 100000 + "\n") * 80)
prose = open(corpus, "rb").read(8000000)
open(w + "/prose.txt", "wb").write(prose)
# prose with every space and tab removed (long letter runs, few cache hits), 8 x 1 MB
np = open(corpus, "rb").read(12000000).replace(b" ", b"").replace(b"\t", b"").replace(b"\n", b"")
open(w + "/prose-no-space.txt", "wb").write(b"".join(np[i * 1000000:(i + 1) * 1000000] + b"\n" for i in range(8)))
PY
for enc in cl100k_base o200k_base; do
	timeit 3 "$lctok" count --text --total -e $enc "$work/empty.txt" > "$work/te"
	e0=$(median 2 < "$work/te")
	for f in prose one-letter no-space prose-no-space digits; do
		timeit 3 "$lctok" count --text --total -e $enc "$work/$f.txt" > "$work/tp"
		echo "$enc $f $(wc -c < "$work/$f.txt") $(median 2 < "$work/tp") $e0"
	done
done | python3 -c '
import sys
rows = [l.split() for l in sys.stdin]
prose = {}
for enc, f, b, t, e0 in rows:
    ns = max(float(t) - float(e0), 1e-3) / int(b) * 1e9
    if f == "prose": prose[enc] = ns
    print("%s %-14s %8d bytes: %6.1f ns/byte CPU (%.2fx prose)" % (enc, f, int(b), ns, ns / prose[enc]))
' >> "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
