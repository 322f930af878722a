#!/usr/bin/env python3
# Reference for tests/bench/lcfuse.sh: ranx's RRF (k = 60) and CombMNZ after
# min-max (ranx fusion/rrf.py, comb_mnz.py, normalization/min_max_norm.py)
# in plain Python, the way ranx's njit loops compute them; ties by docid
# ascending, as lcfuse documents.  Prints "qid docid score" with repr scores.
# usage: lcfuse_ref.py rrf|combmnz RUN...
import sys


def load(path):
    run = {}
    with open(path) as f:
        for line in f:
            q, _, d, _, s, _ = line.split()
            run.setdefault(q, {})[d] = float(s)
    return run


def order(res):
    return sorted(res.items(), key=lambda kv: (-kv[1], kv[0]))


def main():
    method = sys.argv[1]
    runs = [load(p) for p in sys.argv[2:]]
    out = sys.stdout
    for q in sorted(set(q for r in runs for q in r)):
        res = [r.get(q, {}) for r in runs]
        if method == 'rrf':
            res = [{d: 1 / (60 + i + 1) for i, (d, _) in enumerate(order(r))} for r in res]
        else:
            normed = []
            for r in res:
                sc = list(r.values())
                mn, mx = (min(sc), max(sc)) if sc else (0, 0)
                den = max(mx - mn, 1e-9)
                normed.append({d: (s - mn) / den for d, s in r.items()})
            res = normed
        f = {}
        for r in res:
            for d in r:
                if d in f:
                    continue
                acc, n = 0.0, 0
                for r2 in res:
                    if d in r2:
                        acc += r2[d]
                        n += 1
                f[d] = acc * n if method == 'combmnz' else acc
        for d, s in order(f):
            out.write('%s %s %r\n' % (q, d, s))


main()
