#!/usr/bin/env python3
"""Generates the trec_eval speed anchor input of ../shared/vectors/eval/SPEED_ANCHOR.txt
exactly (CPython 3.11 random.Random(424242), one stream used in this order).
usage: lceval_gen.py OUTDIR  -> OUTDIR/speed.run, OUTDIR/speed.qrels"""
import os
import random
import sys

out = sys.argv[1]
rnd = random.Random(424242)
with open(os.path.join(out, "speed.run"), "w") as run, open(os.path.join(out, "speed.qrels"), "w") as qrels:
    for i in range(10000):
        qid = "Q%05d" % i
        ret = rnd.sample(range(5_000_000), 1000)
        score = [rnd.random() for _ in ret]
        rows = sorted(((-round(s, 4), d) for s, d in zip(score, ret)))
        run.write("".join("%s Q0 D%07d %d %.4f synth\n" % (qid, d, r + 1, -ns)
                          for r, (ns, d) in enumerate(rows)))
        judged_ret = rnd.sample(ret, 60)
        extra = []
        retset = set(ret)
        while len(extra) < 40:
            n = rnd.randrange(5_000_000)
            if n not in retset and n not in extra:
                extra.append(n)
        rels = {}
        for n in judged_ret + extra:
            rels[n] = rnd.choices([0, 1, 2, 3], weights=[70, 20, 7, 3])[0]
        qrels.write("".join("%s 0 D%07d %d\n" % (qid, n, rels[n]) for n in sorted(rels)))
