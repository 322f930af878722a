#!/usr/bin/env python3
"""loft_ref.py — LOFT's scoring of raw LLM answers, written independently of lctk
for tests/scoring.bats.

  loft_ref.py answers CORPUS QUERIES RESULTS   Batch results -> LOFT metrics JSON
  loft_ref.py ranked QUERIES TRECRUN           a TREC run taken in its own order
                                               (rank, then file order) -> metrics
  loft_ref.py dedup QUERIES PREDS CORPUS       LOFT predictions with run_evaluation.py's
                                               --deduplicate_pids: ids of answered queries
                                               replaced by title.strip() + passage.strip()

Parsing follows google-deepmind/loft 53358ff inference/utils.py
extract_prediction (strip '*' and '`', first line with "final answer" and both
brackets, ast.literal_eval of first '[' .. last ']', apostrophes between
alphanumerics escaped) and models.py's pid_mapper[str(a)] (a KeyError -> no
prediction line -> unanswered).  Metrics follow LOFT's retrieval evaluation as
copied in going-doer/CoLoR 0343c28 (brief §4): top-k = set(pred[:k]) before
de-duplication; an empty prediction scores int 0; means over all queries.
"""
import ast
import json
import re
import sys

KS = (1, 2, 3, 5)


def extract(text):
    text = text.replace("*", "").replace("`", "").strip()
    for line in text.split("\n"):
        if "final answer" in line.lower() and "[" in line and "]" in line:
            s = line[line.index("["):line.rindex("]") + 1]
            s = re.sub(r"([a-zA-Z0-9])'([a-zA-Z0-9])", r"\1\\'\2", s)
            try:
                return list(ast.literal_eval(s))
            except Exception:
                return []
    return []


def metrics(gold, pred):
    out = {}
    if not pred:
        for k in KS:
            out["recall@%d" % k] = 0
        for k in KS:
            out["mrecall@%d" % k] = 0
        out["capped_recall@1"] = 0
        for k in KS:
            out["precision@%d" % k] = 0
        for k in KS:
            out["f1@%d" % k] = 0
        return out
    g = set(gold)
    hits = {k: len(set(pred[:k]) & g) for k in KS}
    for k in KS:
        out["recall@%d" % k] = hits[k] / len(gold)
    for k in KS:
        out["mrecall@%d" % k] = 1.0 if hits[k] == min(k, len(gold)) else 0.0
    out["capped_recall@1"] = hits[1] / 1 if len(gold) > 1 else hits[1] / len(gold)
    for k in KS:
        out["precision@%d" % k] = hits[k] / k
    for k in KS:
        p, r = hits[k] / k, hits[k] / len(gold)
        out["f1@%d" % k] = 0 if p + r == 0 else 2 * p * r / (p + r)
    return out


def score(queries, preds, pid2text=None):
    rows, unanswered = [], 0
    for q in queries:
        gold = [str(a[0]).strip() for a in q["answers"]]
        if q["qid"] not in preds:
            unanswered += 1
            rows.append(metrics(gold, []))
        else:
            pred = [str(p).strip() for p in preds[q["qid"]]]
            if pid2text is not None:
                gold = [pid2text[p] for p in gold]
                pred = [pid2text[p] for p in pred]
            rows.append(metrics(gold, pred))
    keys = list(rows[0])
    return {"quality": {k: sum(r[k] for r in rows) / len(rows) for k in keys}, "num_unanswered_queries": unanswered}


def load(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def main():
    if sys.argv[1] == "answers":
        corpus, queries, results = (load(p) for p in sys.argv[2:5])
        mapper = {str(i): c["pid"] for i, c in enumerate(corpus)}
        preds = {}
        for r in results:
            if r.get("error") or r["response"]["status_code"] != 200:
                continue   # no answer: run_inference writes no prediction
            text = r["response"]["body"]["choices"][0]["message"]["content"]
            try:
                preds[r["custom_id"]] = [mapper[str(a)] for a in extract(text)]
            except KeyError:
                pass       # 'Unexpected response': no prediction line
        print(json.dumps(score(queries, preds)))
    elif sys.argv[1] == "dedup":
        queries, preds = load(sys.argv[2]), load(sys.argv[3])
        pid2text = {c["pid"]: c["title_text"].strip() + c["passage_text"].strip() for c in load(sys.argv[4])}
        print(json.dumps(score(queries, {p["qid"]: p["model_outputs"][0] for p in preds}, pid2text)))
    else:
        queries = load(sys.argv[2])
        lines = [l.split() for l in open(sys.argv[3]) if l.strip() and not l.startswith("#")]
        runs = {}
        for n, f in enumerate(lines):
            runs.setdefault(f[0], []).append((int(f[3]), n, f[2]))
        preds = {q: [d for _, _, d in sorted(v)] for q, v in runs.items()}
        print(json.dumps(score(queries, preds)))


main()
