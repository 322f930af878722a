#!/usr/bin/env python3
"""check.py VECTORS.jsonl (-e NAME | --tokenizer FILE): runs lctok over every line of
a tokenizer conformance vector file, in the line's mode, and prints mismatches.
tiktoken files: mode ordinary -> --special-as-text, all -> --allow-special,
default -> the default (must fail naming the special token).  HF files:
--allow-special, plus --add-special when add_special_tokens is true.  Lines with
input_b64 are fed as raw bytes through --text.  Also checks decode(ids) == text
and that count agrees.  Exit 0 when everything matches."""
import base64, json, subprocess, sys

path, sel = sys.argv[1], sys.argv[2:]
rows = [json.loads(l) for l in open(path, encoding="utf-8")]
hf = "add_special_tokens" in rows[0]

def run(args, data):
    p = subprocess.run(["lctok"] + args + sel, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")

groups = {}
for i, r in enumerate(rows):
    if hf:
        key = ("allow", r["add_special_tokens"])
    else:
        key = ({"ordinary": "text", "all": "allow", "default": "error"}[r["mode"]], False)
    groups.setdefault(key, []).append(i)

bad = 0
for (mode, addsp), idx in groups.items():
    flags = {"text": ["--special-as-text"], "allow": ["--allow-special"], "error": []}[mode]
    if addsp:
        flags = flags + ["--add-special"]
    js = [i for i in idx if "input_b64" not in rows[i]]
    raw = [i for i in idx if "input_b64" in rows[i]]
    if js:
        data = "".join(json.dumps({"text": rows[i]["text"]}) + "\n" for i in js).encode()
        if mode == "error":
            # each record on its own: it must fail naming the special token
            for i in js:
                rc, out, err = run(["encode"], (json.dumps({"text": rows[i]["text"]}) + "\n").encode())
                if rc != 1 or "special token" not in err or out:
                    print("MISMATCH %s default mode: rc=%d %s" % (rows[i]["id"], rc, err.strip()))
                    bad += 1
        else:
            rc, out, err = run(["encode"] + flags, data)
            got = [json.loads(l)["ids"] for l in out.decode().split("\n")[:-1]] if rc == 0 else []
            for k, i in enumerate(js):
                if k >= len(got) or got[k] != rows[i]["ids"]:
                    print("MISMATCH %s %s%s: %s" % (rows[i]["id"], mode, "+add" if addsp else "", err.strip()[:200]))
                    bad += 1
            # decode(ids) == text (or the recorded decoded form)
            dec_in = "".join(json.dumps({"ids": rows[i]["ids"]}) + "\n" for i in js).encode()
            rc, out, err = run(["decode"], dec_in)
            texts = [json.loads(l)["text"] for l in out.decode().split("\n")[:-1]] if rc == 0 else []
            for k, i in enumerate(js):
                r = rows[i]
                want = r.get("decoded", r["text"])
                if "decoded_b64" in r:
                    want = base64.b64decode(r["decoded_b64"]).decode("utf-8", "replace")
                if k >= len(texts) or texts[k] != want:
                    print("DECODE MISMATCH %s" % r["id"])
                    bad += 1
            if mode == "text" and not addsp:
                rc, out, err = run(["count", "--text", "--special-as-text"],
                                   "".join(json.dumps({"text": rows[i]["text"]})[0:0] + rows[i]["text"].replace("\n", " ") + "\n" for i in js if "\n" not in rows[i]["text"] and "\r" not in rows[i]["text"]).encode())
                cnt = [int(x) for x in out.split()]
                want = [len(rows[i]["ids"]) for i in js if "\n" not in rows[i]["text"] and "\r" not in rows[i]["text"]]
                if cnt != want:
                    print("COUNT MISMATCH (%d vs %d lines)" % (len(cnt), len(want)))
                    bad += 1
    for i in raw:
        b = base64.b64decode(rows[i]["input_b64"])
        if b"\n" in b or b"\r" in b:
            continue
        rc, out, err = run(["encode", "--text"] + flags, b + b"\n")
        if rows[i]["ids"] is None:
            if rc != 1:
                print("MISMATCH %s (raw) expected an error" % rows[i]["id"])
                bad += 1
            continue
        got = [int(x) for x in out.split()]
        if rc != 0 or got != rows[i]["ids"]:
            print("MISMATCH %s (raw bytes) %s" % (rows[i]["id"], err.strip()[:200]))
            bad += 1
print("%d lines, %d mismatches" % (len(rows), bad))
sys.exit(1 if bad else 0)
