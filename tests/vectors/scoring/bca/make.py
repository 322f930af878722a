#!/usr/bin/python3
"""make.py — writes the BCa/percentile fixtures of tests/scoring.bats (run once;
needs Debian's python3-scipy 1.10.1 / numpy 1.24.2 and a built lceval).

  /usr/bin/python3 tests/vectors/scoring/bca/make.py build/bin/lceval

Inputs: the bundled sample runs (share/lctk/samples: bm25 = baseline, dense,
rerank) scored with map and P_10; per-topic values come from lceval -q --jsonl
(printed in shortest round-trip form, so they are the exact doubles lceval
compares).  For each run against the baseline and measure, d = run - baseline
and scipy.stats.bootstrap((d,), np.mean, n_resamples=B, confidence_level=0.95,
random_state=np.random.default_rng(SEED), method=...) gives the interval.
SciPy draws its resamples as default_rng(SEED).integers(0, n, (B, n))
(_bootstrap_resample -> rng_integers); indices.txt.gz stores exactly those rows,
so lceval --bootstrap-indices uses the same resamples and must give the same
interval (up to rounding in the last bits).  The script checks that claim by
recomputing SciPy's percentile interval from the stored rows.
Writes indices.txt.gz and expected.json.
"""
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import scipy
from scipy import stats

SEED, B = 20261205, 2000
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "../../../.."))
samples = os.path.join(root, "share/lctk/samples")
lceval = sys.argv[1]


def per_topic(run):
    out = subprocess.run([lceval, "-q", "--jsonl", "-m", "map", "-m", "P.10", samples + "/qrels.txt",
                          samples + "/" + run], check=True, capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines()]
    rows = [r for r in rows if r["qid"] != "all"]
    return [r["qid"] for r in rows], {m: np.array([r[m] for r in rows]) for m in ("map", "P_10")}


qids, base = per_topic("bm25.run")
n = len(qids)
idx = np.random.default_rng(SEED).integers(0, n, (B, n))
with gzip.open(os.path.join(here, "indices.txt.gz"), "wt") as f:
    for row in idx:
        f.write(" ".join(map(str, row)) + "\n")
expected = {"scipy": scipy.__version__, "numpy": np.__version__, "seed": SEED, "n_resamples": B,
            "topics": qids, "tests": []}
for run in ("dense.run", "rerank.run"):
    q2, vals = per_topic(run)
    assert q2 == qids
    for m in ("map", "P_10"):
        d = vals[m] - base[m]
        res = {}
        for method in ("BCa", "percentile"):
            r = stats.bootstrap((d,), np.mean, n_resamples=B, confidence_level=0.95, vectorized=True,
                                random_state=np.random.default_rng(SEED), method=method)
            res[method] = [float(r.confidence_interval.low), float(r.confidence_interval.high)]
        # the stored rows are SciPy's resamples: its percentile interval from them
        means = d[idx].mean(axis=-1)
        alpha = (1 - 0.95) / 2
        assert [np.percentile(means, alpha * 100), np.percentile(means, (1 - alpha) * 100)] == res["percentile"]
        expected["tests"].append({"run": run, "measure": m, "bca": res["BCa"], "percentile": res["percentile"]})
with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
