#!/usr/bin/env python3
"""tok-cmp.py LCTOK KIND SPEC TEXTS.jsonl REF.jsonl: compares lctok with the reference ids
tok-ref.js wrote, for one encoding (KIND tiktoken, SPEC = name) or tokenizer.json (KIND hf,
SPEC = path).  Every mode: tiktoken ordinary (--special-as-text), all (--allow-special) and
default (an error exactly when the reference raises); HF add_special_tokens false and true
(--allow-special [--add-special]).  Raw-byte texts go through --text.  Also decode(ref ids)
against the reference's decode and count against len(ids).  Prints one MISMATCH line per
difference (id, mode, the text, expected and got from the first differing token) and a
summary line "SPEC: N texts, M checks, K mismatches"; exit 1 on any mismatch."""
import base64, json, subprocess, sys
from collections import Counter

lctok, kind, spec, texts_path, ref_path = sys.argv[1:6]
sel = ["-e", spec] if kind == "tiktoken" else ["--tokenizer", spec]
texts = [json.loads(l) for l in open(texts_path, encoding="utf-8")]
refs = {r["id"]: r for r in (json.loads(l) for l in open(ref_path, encoding="utf-8"))}
bad = 0
checks = Counter()
fails = Counter()

def cat(i):
    return i.split("/")[0]

def run(args, data):
    p = subprocess.run([lctok] + args + sel, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")

def show(t):
    s = ("b64:" + base64.b64encode(t).decode()) if isinstance(t, bytes) else json.dumps(t, ensure_ascii=True)
    return s if len(s) <= 300 else s[:300] + "...(%d chars)" % len(t)

def report(rid, mode, text, want, got, why=""):
    global bad
    bad += 1
    fails[cat(rid)] += 1
    if isinstance(want, list) and isinstance(got, list):
        k = 0
        while k < min(len(want), len(got)) and want[k] == got[k]:
            k += 1
        print("MISMATCH %s %s %s: text=%s\n  first difference at token %d: want %s got %s" %
              (spec, rid, mode, show(text), k, want[k:k + 8], got[k:k + 8]))
    else:
        print("MISMATCH %s %s %s: text=%s\n  want %s got %s %s" % (spec, rid, mode, show(text), str(want)[:200], str(got)[:200], why))

def jsonl(rows):
    return "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows).encode()

def by_id(out):
    res = {}
    for l in out.decode("utf-8", "replace").split("\n"):
        if l:
            d = json.loads(l)
            res[d["id"]] = d
    return res

live = [r for r in texts if r["id"] in refs and "skip" not in refs[r["id"]]]
js = [r for r in live if "b64" not in r]
raw = [r for r in live if "b64" in r and b"\n" not in base64.b64decode(r["b64"]) and b"\r" not in base64.b64decode(r["b64"])]

if kind == "tiktoken":
    modes = [("ordinary", ["--special-as-text"]), ("all", ["--allow-special"]), ("default", ["--skip-bad"])]
    want_of = lambda ref, m: ref.get(m, ref["ordinary"]) if m != "ordinary" else ref["ordinary"]
else:
    modes = [("f", ["--allow-special"]), ("t", ["--allow-special", "--add-special"])]
    want_of = lambda ref, m: ref[m]

for m, flags in modes:
    rc, out, err = run(["encode"] + flags, jsonl(js))
    if rc != 0:
        print("MISMATCH %s encode %s exited %d: %s" % (spec, m, rc, err.strip()[:300])); bad += 1
        continue
    got = by_id(out)
    for r in js:
        want = want_of(refs[r["id"]], m)
        g = got.get(r["id"], {}).get("ids")
        checks[cat(r["id"])] += 1
        if g != want:
            report(r["id"], m, r["text"], want, g)
    # raw bytes through --text, one record a line
    if m == "default":
        flags = []
    rawdata = b"".join(base64.b64decode(r["b64"]) + b"\n" for r in raw)
    one = [r for r in raw if want_of(refs[r["id"]], m) is not None]
    rc, out, err = run(["encode", "--text"] + flags, b"".join(base64.b64decode(r["b64"]) + b"\n" for r in one))
    lines = out.decode().split("\n")[:-1] if rc == 0 else []
    for k, r in enumerate(one):
        want = want_of(refs[r["id"]], m)
        g = [int(x) for x in lines[k].split()] if k < len(lines) else ("exit %d: %s" % (rc, err.strip()[:200]))
        checks[cat(r["id"])] += 1
        if g != want:
            report(r["id"], m + " raw", base64.b64decode(r["b64"]), want, g)
    for r in raw:
        if want_of(refs[r["id"]], m) is None:
            rc, out, err = run(["encode", "--text"], base64.b64decode(r["b64"]) + b"\n")
            checks[cat(r["id"])] += 1
            if rc != 1 or "special token" not in err:
                report(r["id"], "default raw", base64.b64decode(r["b64"]), "error", "rc=%d" % rc, err[:100])

# decode the reference ids (ordinary / add_special_tokens false)
dm = "ordinary" if kind == "tiktoken" else "f"
rows = [r for r in live if refs[r["id"]].get(dm)]
rc, out, err = run(["decode"], "".join(json.dumps({"id": r["id"], "ids": refs[r["id"]][dm]}) + "\n" for r in rows).encode())
got = by_id(out) if rc == 0 else {}
for r in rows:
    ref = refs[r["id"]]
    want = base64.b64decode(ref["dec"]).decode("utf-8", "replace") if kind == "tiktoken" else ref["dec"]
    g = got.get(r["id"], {}).get("text")
    checks[cat(r["id"])] += 1
    if g != want:
        report(r["id"], "decode", r.get("text", r.get("b64")), want, g)

# count (specials as text) = number of ordinary / f ids
rc, out, err = run(["count", "--special-as-text" if kind == "tiktoken" else "--allow-special"], jsonl(js))
got = by_id(out) if rc == 0 else {}
for r in js:
    want = len(refs[r["id"]][dm])
    g = got.get(r["id"], {}).get("n_tokens")
    checks[cat(r["id"])] += 1
    if g != want:
        report(r["id"], "count", r["text"], want, g)

xc = [i for i, r in refs.items() if "xcheck" in r]
for i in xc:
    print("REFERENCES DISAGREE %s %s: tiktoken %s tiktoken-rs %s" % (spec, i, refs[i]["ordinary"][:10], refs[i]["xcheck"][:10]))
print("%s: %d texts, %d checks, %d mismatches (%s); per category checks: %s" % (
    spec, len(live), sum(checks.values()), bad, ", ".join("%s %d" % kv for kv in sorted(fails.items())) or "none",
    " ".join("%s=%d" % kv for kv in sorted(checks.items()))))
sys.exit(1 if bad else 0)
