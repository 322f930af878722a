#!/usr/bin/env python3
"""dd_check.py — independent checker for an lcdecompose dataset (used by tests/lcdecompose.bats).

usage: dd_check.py INPUT.jsonl EOT KMIN KMAX DIR [--no-random [--partial]]
       dd_check.py --dump DIR      (every sequence of DIR, sorted, one per line)

Reads the input documents ({"ids": [...]}) and every sequence of DIR (tar shards
read with Python's tarfile, members parsed with ast.literal_eval as OpenLM does, the
string '<|endoftext|>' read as the end-of-text id; jsonl shards or bin files, per
D_k/lcdecompose.json) and checks:
  - the top level of DIR holds only bucket directories (the reference's get_stats.py
    reads every entry as a bucket) and every bucket carries the same lcdecompose.json;
  - manifests match the shards (one line per shard, num_sequences = members);
  - every sequence in D_k has 2^k + 1 tokens;
  - every sequence is a piece of exactly one document, pieces of a document are
    consecutive from its first token, and each sequence is used exactly once;
  - where the remainder r satisfies floor(log2(r-1)) <= kmax, k is exactly that
    (no randomness), and with --no-random k = kmax for long remainders;
  - the dropped remainders are the only tokens not in a sequence and their sum
    equals the counters in lcdecompose.json.
With --partial (only with --no-random) pieces missing because --full-shards dropped
a short final shard are counted and compared with tail_dropped_tokens.
Prints "ok SEQS DROPPED" or "FAIL: reason" (exit 1).
"""
import ast, json, os, sys, tarfile, struct, collections, math

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def read_dir(d):
    """{bucket: [sequence, ...]} and the manifests checked against the shards."""
    names = sorted(os.listdir(d))
    for name in names:
        if name[:2] not in ("D_", "L_") or not name[2:].isdigit():
            fail("%s: top level holds %r, not a bucket directory" % (d, name))
    infos = [open(os.path.join(d, n, "lcdecompose.json")).read() for n in names]
    if not infos or any(i != infos[0] for i in infos):
        fail("%s: buckets without the same lcdecompose.json" % d)
    info = json.loads(infos[0])
    fmt = info["params"]["format"]
    eot = info["params"]["eot"]
    out = {}
    for name in names:
        bd = os.path.join(d, name)
        man = [json.loads(l) for l in open(os.path.join(bd, "manifest.jsonl"))]
        seqs = []
        if fmt == "bin":
            idx = open(os.path.join(bd, "index.bin"), "rb").read()
            offs = struct.unpack("<%dQ" % (len(idx) // 8), idx)
            tok = open(os.path.join(bd, "tokens.bin"), "rb").read()
            toks = struct.unpack("<%dI" % (len(tok) // 4), tok)
            if offs[0] != 0 or offs[-1] != len(toks):
                fail("%s: index does not cover tokens.bin" % bd)
            seqs = [tuple(toks[offs[i]:offs[i + 1]]) for i in range(len(offs) - 1)]
            if sum(m["num_sequences"] for m in man) != len(seqs):
                fail("%s: manifest total != index" % bd)
        else:
            files = sorted(f for f in os.listdir(bd) if f.startswith("shard-"))
            if [m["shard"] for m in man] != [f.rsplit(".", 1)[0] for f in files]:
                fail("%s: manifest shards %s != files %s" % (bd, [m["shard"] for m in man], files))
            for m, f in zip(man, files):
                p = os.path.join(bd, f)
                if fmt == "tar":
                    with tarfile.open(p) as t:
                        mem = t.getmembers()
                        for i, x in enumerate(mem):
                            if x.name != "%012d.txt" % i:
                                fail("%s: member %d named %s" % (p, i, x.name))
                            v = ast.literal_eval(t.extractfile(x).read().decode())
                            seqs.append(tuple(eot if x == "<|endoftext|>" else x for x in v))
                        cnt = len(mem)
                else:
                    lines = open(p).read().splitlines()
                    cnt = len(lines)
                    seqs += [tuple(json.loads(l)["ids"]) for l in lines]
                if m["num_sequences"] != cnt:
                    fail("%s: manifest says %d, shard has %d" % (p, m["num_sequences"], cnt))
        out[name] = seqs
    return info, out

def main():
    if sys.argv[1] == "--dump":
        _, b = read_dir(sys.argv[2])
        lines = sorted("%s %s" % (name, " ".join(map(str, s))) for name, ss in b.items() for s in ss)
        sys.stdout.write("".join(l + "\n" for l in lines))
        return
    inp, eot, kmin, kmax, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    norandom = "--no-random" in sys.argv
    info, buckets = read_dir(d)
    pool = collections.Counter()
    nseq = 0
    for name, seqs in buckets.items():
        if not name.startswith("D_"):
            continue
        k = int(name[2:])
        for s in seqs:
            if len(s) != (1 << k) + 1:
                fail("%s: sequence of %d tokens" % (name, len(s)))
            pool[tuple(s)] += 1
            nseq += 1
    dropped = missing = 0
    partial = "--partial" in sys.argv
    for line in open(inp):
        if not line.strip():
            continue
        doc = json.loads(line)["ids"] + [eot]
        n, pos = len(doc), 0
        while n - pos > 1:
            r = n - pos
            k0 = int(math.floor(math.log2(r - 1)))
            if k0 < kmin:
                break
            cands = [kmax] if (k0 > kmax and norandom) else (range(kmin, kmax + 1) if k0 > kmax else [k0])
            hit = None
            for k in cands:
                piece = tuple(doc[pos:pos + (1 << k) + 1])
                if len(piece) == (1 << k) + 1 and pool[piece] > 0:
                    hit = k
                    break
            if hit is None:
                if partial and len(cands) == 1:
                    # a piece lost with a short final shard (--full-shards)
                    missing += (1 << cands[0]) + 1
                    pos += (1 << cands[0]) + 1
                    continue
                break
            pool[tuple(doc[pos:pos + (1 << hit) + 1])] -= 1
            pos += (1 << hit) + 1
        r = n - pos
        if r > 1 and int(math.floor(math.log2(r - 1))) >= kmin:
            fail("document %r...: %d tokens at offset %d not in any sequence" % (doc[:5], r, pos))
        dropped += r
    left = sum(v for v in pool.values() if v > 0)
    if left:
        fail("%d sequences match no document piece" % left)
    c = info["counters"]
    if c["tokens_dropped"] != dropped or c.get("tail_dropped_tokens", 0) != missing:
        fail("counters say %d dropped + %d in short shards, checker counts %d + %d"
             % (c["tokens_dropped"], c.get("tail_dropped_tokens", 0), dropped, missing))
    print("ok", nseq, dropped)

main()
