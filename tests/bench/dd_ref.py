#!/usr/bin/env python3
"""dd_ref.py — the Dataset Decomposition reference's algorithm restated with the Python
standard library, as the speed baseline of tests/bench/lcdecompose.sh.

The reference (apple/ml-dataset-decomposition, scripts/make_dd_buckets.py) needs numpy,
transformers and webdataset; this restatement keeps its per-token work: per document
the binary decomposition (k = floor(log2(n-1)), random k in kmax..kmin with P ∝ 2^(kmax-k)
for long remainders), per-bucket pools of 20 shards shuffled with random.shuffle, and
WebDataset-style tar shards of min(2^(20-k), 65536) members "{idx:012d}.txt" = str(list),
written with tarfile (full shards only, as the reference).

usage: dd_ref.py IDS.jsonl OUTDIR EOT     prints "tokens N seconds S"
"""
import json, math, os, random, sys, tarfile, time, io

KMIN, KMAX, POOL = 8, 13, 20
SIZE = {k: min(2 ** (20 - k), 65536) for k in range(20)}
WEIGHTS = [2 ** (KMAX - k) for k in range(KMAX, KMIN - 1, -1)]
KS = list(range(KMAX, KMIN - 1, -1))

def decompose(seq):
    out = []
    while len(seq) > 1:
        k = int(math.log2(len(seq) - 1))
        if k < KMIN:
            break
        if k > KMAX:
            k = random.choices(KS, weights=WEIGHTS)[0]
        out.append((k, seq[:(1 << k) + 1]))
        seq = seq[(1 << k) + 1:]
    return out

def main():
    src, outdir, eot = sys.argv[1], sys.argv[2], int(sys.argv[3])
    docs = [json.loads(l)["ids"] + [eot] for l in open(src)]
    ntok = sum(len(d) for d in docs)
    t0 = time.time()
    pools = {k: [] for k in range(KMIN, KMAX + 1)}
    nshard = {k: 0 for k in pools}
    for k in pools:
        os.makedirs(os.path.join(outdir, "D_%d" % k), exist_ok=True)

    def write(k, chunk):
        p = os.path.join(outdir, "D_%d" % k, "shard-%07d.tar" % nshard[k])
        nshard[k] += 1
        with tarfile.open(p, "w") as t:
            for i, c in enumerate(chunk):
                b = str(c).encode()
                ti = tarfile.TarInfo("%012d.txt" % i)
                ti.size = len(b)
                t.addfile(ti, io.BytesIO(b))

    for d in docs:
        for k, piece in decompose(d):
            pools[k].append(piece)
            if len(pools[k]) == POOL * SIZE[k]:
                random.shuffle(pools[k])
                write(k, pools[k][:SIZE[k]])
                pools[k] = pools[k][SIZE[k]:]
    for k, p in pools.items():
        random.shuffle(p)
        for i in range(0, len(p) - SIZE[k] + 1, SIZE[k]):
            write(k, p[i:i + SIZE[k]])
    print("tokens %d seconds %.3f" % (ntok, time.time() - t0))

main()
