#!/usr/bin/env bats
# lcfuse: every method and normalisation against an independent Python
# reference of ranx's formulas (written below from ranx's fusion/ and
# normalization/ sources, explicit left-to-right sums as ranx's njit code does),
# hand-checked small cases, -k, --rrf-k, formats, --optimize against the same
# reference with recip_rank, and bad input.
load helpers

setup() {
	lctk_setup
	# two small runs for hand-checked values
	printf 'q1 Q0 a 1 3 r1\nq1 Q0 b 2 2 r1\nq1 Q0 c 3 1 r1\nq2 Q0 x 1 5 r1\n' > r1
	printf 'q1 Q0 b 1 0.9 r2\nq1 Q0 d 2 0.5 r2\nq1 Q0 a 3 0.1 r2\nq2 Q0 y 1 1 r2\n' > r2
	cat > ref.py <<'PY'
# ranx's fuse() re-derived: ranx/normalization/*_norm.py, ranx/fusion/comb_*.py,
# rrf.py, wsum.py.  Ties inside a run and in the output: score desc, docid asc.
import json, math, sys

def load(path):
    run = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith('{'):
                o = json.loads(line)
                d = run.setdefault(o['qid'], {})
                for h in o['hits']:
                    d[h['pid']] = float(h['score'])
            else:
                q, _, doc, _, s, _ = line.split()
                run.setdefault(q, {})[doc] = float(s)   # a repeat: last wins
    return run

def order(res):
    return sorted(res.items(), key=lambda kv: (-kv[1], kv[0]))

def norm(res, how, cands):
    items = order(res)
    n = len(items)
    sc = [s for _, s in items]
    mn = min(sc) if n else 0
    mx = max(sc) if n else 0
    if how == 'none':
        return dict(res)
    if how == 'minmax':
        den = max(mx - mn, 1e-9)
        return {d: (s - mn) / den for d, s in items}
    if how == 'max':
        den = max(mx, 1e-9)
        return {d: s / den for d, s in items}
    if how == 'sum':
        tot = 0.0
        for s in sc:
            tot += s
        den = max(tot - mn * n, 1e-9)
        return {d: (s - mn) / den for d, s in items}
    if how == 'zscore':
        tot = 0.0
        for s in sc:
            tot += s
        mean = tot / n if n else 0.0
        ssd = 0.0
        for s in sc:
            ssd += (s - mean) * (s - mean)
        den = max(math.sqrt(ssd / n) if n else 0.0, 1e-9)
        return {d: (s - mean) / den for d, s in items}
    if how == 'rank':
        return {d: 1 - (i / n) for i, (d, _) in enumerate(items)}
    if how == 'borda':
        nc = len(cands)
        out = {d: 0.5 - ((n - 1) / (2 * nc)) for d in cands}
        for i, (d, _) in enumerate(items):
            out[d] = 1 - (i / nc)
        return out
    raise SystemExit('norm ' + how)

def fuse(runs, method, how, weights, k):
    qids = sorted(set(q for r in runs for q in r))
    out = {}
    for q in qids:
        res = [r.get(q, {}) for r in runs]
        cands = sorted(set(d for r in res for d in r))
        if method == 'rrf':
            res = [{d: 1 / (k + i + 1) for i, (d, _) in enumerate(order(r))} for r in res]
        else:
            res = [norm(r, how, cands) for r in res]
        f = {}
        for d in cands:
            pres = [r[d] for r in res if d in r]
            if method in ('rrf', 'combsum'):
                acc = 0.0
                for r in res:
                    acc += r.get(d, 0.0)
            elif method == 'wsum':
                acc = 0.0
                for i, r in enumerate(res):
                    acc += weights[i] * r.get(d, 0.0)
            elif method in ('combmnz', 'combanz'):
                acc = 0.0
                for s in pres:
                    acc += s
                acc = acc * len(pres) if method == 'combmnz' else acc / len(pres)
            elif method == 'combmax':
                acc = max([r.get(d, -1e9) for r in res])
            elif method == 'combmin':
                acc = min([r.get(d, 1e9) for r in res])
            elif method == 'combmed':
                p = sorted(pres)
                m = len(p)
                acc = p[m // 2] if m % 2 else (p[m // 2 - 1] + p[m // 2]) / 2
            f[d] = acc
        out[q] = order(f)
    return out

def compare(ref, path):
    got = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            got[o['qid']] = [(h['pid'], h['score']) for h in o['hits']]
    bad = 0
    if list(got) != list(ref):
        print('query order', list(got)[:5], list(ref)[:5]); bad += 1
    for q in ref:
        if got.get(q) != ref[q]:
            print(q, 'got', got.get(q), 'want', ref[q]); bad += 1
            if bad > 3:
                break
    return bad

if __name__ == '__main__' and len(sys.argv) > 1:
    cmd = sys.argv[1]
    if cmd == 'check':   # check OUT METHOD NORM WEIGHTS K RUN...
        _, _, outp, method, how, w, k = sys.argv[:7]
        weights = [float(x) for x in w.split(',')] if w != '-' else None
        runs = [load(p) for p in sys.argv[7:]]
        sys.exit(1 if compare(fuse(runs, method, how, weights, int(k)), outp) else 0)
PY
	# three runs: integer scores with ties, a repeated docid (last wins),
	# JSONL floats, negative scores, a query missing from one run, a
	# single-document query (min-max with max == min)
	python3 - <<'PY'
import random, json
rnd = random.Random(15)
docs = ['d%02d' % i for i in range(40)]
with open('a.trec', 'w') as f:
    for q in range(12):
        for i, d in enumerate(rnd.sample(docs, 15)):
            f.write('q%02d Q0 %s %d %d A\n' % (q, d, i + 1, rnd.randint(0, 6)))
    f.write('q00 Q0 d39 99 7 A\nq00 Q0 d39 99 2 A\n')
    f.write('q99 Q0 solo 1 4.5 A\n')
with open('b.jsonl', 'w') as f:
    for q in range(12):
        hits = [{'pid': d, 'score': round(rnd.random(), 6)} for d in rnd.sample(docs, 10)]
        hits.sort(key=lambda h: -h['score'])
        f.write(json.dumps({'qid': 'q%02d' % q, 'hits': hits}) + '\n')
    f.write(json.dumps({'qid': 'q99', 'hits': [{'pid': 'solo', 'score': 1.0}, {'pid': 'other', 'score': 0.5}]}) + '\n')
with open('c.trec', 'w') as f:
    for q in range(11):
        for i, d in enumerate(rnd.sample(docs, 20)):
            f.write('q%02d Q0 %s %d %r C\n' % (q, d, i + 1, rnd.gauss(-3, 2)))
PY
}

@test "hand-checked RRF (k = 60): sum of 1/(k + rank), ties by docid ascending" {
	run -0 lcfuse r1 r2
	# b: 1/(60+2) + 1/(60+1); a: 1/61 + 1/63; d: 1/62; c: 1/63; q2: x and y tie at 1/61
	assert_output "$(printf '%s\n' 'q1 Q0 b 1 0.03252247488101534 lcfuse' 'q1 Q0 a 2 0.032266458495966696 lcfuse' \
		'q1 Q0 d 3 0.016129032258064516 lcfuse' 'q1 Q0 c 4 0.015873015873015872 lcfuse' \
		'q2 Q0 x 1 0.01639344262295082 lcfuse' 'q2 Q0 y 2 0.01639344262295082 lcfuse')"
	run -0 python3 -c 'print(repr(1/62 + 1/61), repr(1/61 + 1/63), repr(1/62), repr(1/63), repr(1/61))'
	assert_output '0.03252247488101534 0.032266458495966696 0.016129032258064516 0.015873015873015872 0.01639344262295082'
}

@test "hand-checked Comb* after min-max: run 1 a=1 b=.5 c=0, run 2 b=1 d=.5 a=0" {
	run -0 lcfuse --method combsum -k 2 r1 r2
	assert_output "$(printf 'q1 Q0 b 1 1.5 lcfuse\nq1 Q0 a 2 1 lcfuse\nq2 Q0 x 1 0 lcfuse\nq2 Q0 y 2 0 lcfuse')"
	# --top is -k's older spelling: a usage error that names -k
	run -2 --separate-stderr lcfuse --method combsum --top 2 r1 r2
	assert_output ''
	[[ "$stderr" == *"--top"*"-k"* ]] || fail "$stderr"
	run -0 lcfuse --method combmnz --to jsonl r1 r2
	assert_line --index 0 '{"qid": "q1", "hits": [{"pid": "b", "score": 3.0}, {"pid": "a", "score": 2.0}, {"pid": "d", "score": 0.5}, {"pid": "c", "score": 0.0}]}'
	run -0 lcfuse --method combmin --to jsonl r1 r2
	assert_line --index 0 '{"qid": "q1", "hits": [{"pid": "b", "score": 0.5}, {"pid": "d", "score": 0.5}, {"pid": "a", "score": 0.0}, {"pid": "c", "score": 0.0}]}'
	run -0 lcfuse --method combmed --to jsonl r1 r2
	assert_line --index 0 '{"qid": "q1", "hits": [{"pid": "b", "score": 0.75}, {"pid": "a", "score": 0.5}, {"pid": "d", "score": 0.5}, {"pid": "c", "score": 0.0}]}'
}

@test "hand-checked borda: present 1 - pos/candidates, missing 0.5 - (n - 1)/(2 candidates)" {
	# q1: 4 candidates; run 1 a=1 b=.75 c=.5 d=.25; run 2 b=1 d=.75 a=.5 c=.25
	run -0 lcfuse --method combsum --norm borda --to jsonl r1 r2
	assert_line --index 0 '{"qid": "q1", "hits": [{"pid": "b", "score": 1.75}, {"pid": "a", "score": 1.5}, {"pid": "d", "score": 1.0}, {"pid": "c", "score": 0.75}]}'
	# q2: 2 candidates, one per run: 1 + (0.5 - 0/4) each
	assert_line --index 1 '{"qid": "q2", "hits": [{"pid": "x", "score": 1.5}, {"pid": "y", "score": 1.5}]}'
}

@test "every method with every normalisation equals the reference bit for bit" {
	for m in combsum combmnz combmax combmin combmed combanz; do
		for n in none minmax max sum zscore rank borda; do
			lcfuse --method "$m" --norm "$n" --to jsonl -o out.jsonl a.trec b.jsonl c.trec || fail "lcfuse $m $n failed"
			python3 ref.py check out.jsonl "$m" "$n" - 60 a.trec b.jsonl c.trec || fail "$m with $n differs from the reference"
		done
	done
}

@test "rrf with k = 60 and --rrf-k 10, and wsum with weights, equal the reference" {
	run -0 lcfuse --to jsonl -o rrf.jsonl a.trec b.jsonl c.trec
	run -0 python3 ref.py check rrf.jsonl rrf none - 60 a.trec b.jsonl c.trec
	run -0 lcfuse --rrf-k 10 --to jsonl -o rrf10.jsonl a.trec b.jsonl c.trec
	run -0 python3 ref.py check rrf10.jsonl rrf none - 10 a.trec b.jsonl c.trec
	for n in minmax zscore borda; do
		lcfuse --method wsum --weights 0.2,0.5,0.3 --norm "$n" --to jsonl -o w.jsonl a.trec b.jsonl c.trec || fail "wsum $n failed"
		python3 ref.py check w.jsonl wsum "$n" 0.2,0.5,0.3 60 a.trec b.jsonl c.trec || fail "wsum with $n differs"
	done
}

@test "ranx's method and normalisation names are accepted" {
	run -0 lcfuse --method mnz --norm min-max --to jsonl a.trec c.trec
	local ranx="$output"
	run -0 lcfuse --method combmnz --norm minmax --to jsonl a.trec c.trec
	assert_equal "$output" "$ranx"
	run -0 lcfuse --method sum --norm zmuv --to jsonl a.trec c.trec
	ranx="$output"
	run -0 lcfuse --method combsum --norm zscore --to jsonl a.trec c.trec
	assert_equal "$output" "$ranx"
}

@test "a query no run has a document for is kept: '#lctk empty QID' read and written, \"hits\": [] in JSONL" {
	printf '{"qid": "q1", "hits": [{"pid": "a", "score": 1}]}\n{"qid": "q2", "hits": []}\n' > a.jsonl
	# the other marks are not hits here (trec_eval's view): a repeat is left out, a comment is a comment
	printf 'q1 Q0 b 1 2 t\n#lctk repeat q1 Q0 b 2 1 t\n# q3 Q0 c 1 1 t\n#lctk empty q2\n' > b.trec
	run -0 lcfuse --to trec a.jsonl b.trec
	assert_output "$(printf 'q1 Q0 a 1 0.01639344262295082 lcfuse\nq1 Q0 b 2 0.01639344262295082 lcfuse\n#lctk empty q2')"
	run -0 lcfuse --to jsonl b.trec b.trec
	assert_output "$(printf '%s\n' '{"qid": "q1", "hits": [{"pid": "b", "score": 0.03278688524590164}]}' '{"qid": "q2", "hits": []}')"
	# what lcfuse writes reads back as the same queries
	lcfuse --to trec -o f.trec a.jsonl b.trec
	run -0 lcconv --to jsonl f.trec
	assert_line --index 1 '{"qid": "q2", "hits": []}'
}

@test "TREC output: first run's format by default, ranks from 1, --tag, -k, scores read back exactly" {
	run -0 lcfuse -k 3 --tag fused a.trec b.jsonl
	assert_line --index 0 --regexp '^q00 Q0 d[0-9]+ 1 [0-9.e-]+ fused$'
	run -0 bash -o pipefail -c "lcfuse -k 3 a.trec b.jsonl | awk '{ n[\$1]++ } END { for (q in n) if (n[q] > 3) exit 1 }'"
	# the JSONL default (first run JSONL) and the TREC text carry the same doubles
	lcfuse b.jsonl a.trec > f.jsonl
	lcfuse --to trec b.jsonl a.trec > f.trec
	run -0 python3 -c '
import json, sys
sys.argv = ["ref.py"]
exec(open("ref.py").read())
t = [l.split() for l in open("f.trec")]
j = [(o["qid"], h["pid"], h["score"]) for l in open("f.jsonl") for o in [json.loads(l)] for h in o["hits"]]
assert [(a[0], a[2], float(a[4])) for a in t] == j, "differ"
a, b = load("a.trec"), load("b.jsonl")
want = sum(len(set(a.get(q, {})) | set(b.get(q, {}))) for q in set(a) | set(b))
print(len(j) == want, len(j))'
	assert_output 'True 257'
}

@test "-o writes atomically, --report records the settings" {
	run -0 lcfuse --method wsum --weights 1,2 -o fused.trec --report rep.json r1 r2
	assert_output ''
	run -0 head -1 fused.trec
	assert_output 'q1 Q0 b 1 2.5 lcfuse'
	run -0 python3 -c '
import json
r = json.load(open("rep.json"))
assert r["program"] == "lcfuse" and r["inputs"] == ["r1", "r2"], r
assert r["options"] == {"method": "wsum", "norm": "minmax"}, r["options"]
assert r["queries"] == 2 and r["weights"] == [1.0, 2.0], r
assert set(r) == {"program", "version", "inputs", "options", "queries", "weights"}, sorted(r)'
}

@test "--optimize: ranx's grid, the best recip_rank with ties to the later weighting, as a Python reference finds" {
	python3 - <<'PY'
import random
rnd = random.Random(7)
with open('qrels', 'w') as f:
    for q in range(12):
        for d in rnd.sample(['d%02d' % i for i in range(40)], 4):
            f.write('q%02d 0 %s 1\n' % (q, d))
PY
	run --separate-stderr lcfuse --optimize recip_rank --qrels qrels --report rep.json --to jsonl -o opt.jsonl a.trec b.jsonl c.trec
	assert_success
	[[ "$stderr" == *"chose weights ["* ]] || fail "no chosen weights on stderr: $stderr"
	run -0 python3 - <<'PY'
import json, sys
sys.argv = ['ref.py']  # exec below defines the reference without running its checks
exec(open('ref.py').read())
runs = [load(p) for p in ('a.trec', 'b.jsonl', 'c.trec')]
qrels = {}
for line in open('qrels'):
    q, _, d, r = line.split()
    qrels.setdefault(q, {})[d] = int(r)
grid = [(a / 10, b / 10, (10 - a - b) / 10) for a in range(11) for b in range(11 - a)]
def rr(fused):
    tot = 0.0
    for q in sorted(qrels):
        hits = sorted(fused.get(q, []), key=lambda h: h[0], reverse=True)   # trec_eval: docno desc among ties
        hits.sort(key=lambda h: -h[1])
        v = 0.0
        for i, (d, s) in enumerate(hits):
            if qrels[q].get(d, 0) >= 1:
                v = 1 / (i + 1)
                break
        tot += v
    return tot / len(qrels)
best, bw, scores = 0.0, None, []
for w in grid:
    s = rr(fuse(runs, 'wsum', 'minmax', list(w), 60))
    scores.append(s)
    if s >= best:
        best, bw = s, w
rep = json.load(open('rep.json'))
assert len(rep['trials']) == 66, len(rep['trials'])
assert [tuple(t['weights']) for t in rep['trials']] == grid, 'grid order'
for t, s in zip(rep['trials'], scores):
    assert abs(t['score'] - s) < 1e-12, (t, s)
assert tuple(rep['weights']) == bw, (rep['weights'], bw)
assert compare(fuse(runs, 'wsum', 'minmax', list(bw), 60), 'opt.jsonl') == 0
print('best', bw)
PY
	assert_output --partial 'best ('
}

@test "bad input: missing file, empty run, malformed line with FILE:LINE" {
	run -1 lcfuse r1 missing.trec
	assert_output --partial 'lcfuse: missing.trec:'
	: > empty.trec
	run -1 lcfuse r1 empty.trec
	assert_output 'lcfuse: empty.trec: no results found (expected a TREC run, run JSONL or LOFT predictions)'
	printf 'q1 Q0 a 1 3 r1\nq1 Q0 b 2\n' > bad.trec
	run -1 lcfuse r1 bad.trec
	assert_output --partial 'lcfuse: bad.trec:2: malformed run line'
	[ ! -e out.trec ] || fail "out.trec exists"
	run -1 lcfuse -o out.trec r1 bad.trec
	[ ! -e out.trec ] || fail "a failed run left out.trec"
}

@test "--tag that is empty or holds white space is a usage error (it would write 5- or 7-field TREC lines)" {
	run -2 lcfuse --tag '' -o out.trec r1 r2
	assert_line --index 0 "lcfuse: --tag '': a TREC run's tag is one field of its lines: give a non-empty TAG without white space"
	run -2 lcfuse --tag 'a b' r1 r2
	assert_line --index 0 "lcfuse: --tag 'a b': a TREC run's tag is one field of its lines: give a non-empty TAG without white space"
	run -2 lcconv --to trec --tag '' r1
	assert_line --index 0 "lcconv: --tag '': a TREC run's tag is one field of its lines: give a non-empty TAG without white space"
	run -2 lcconv --to trec --tag "$(printf 'a\tb')" r1
	assert_line --index 0 "lcconv: --tag 'a\x09b': a TREC run's tag is one field of its lines: give a non-empty TAG without white space"
	assert_no_file out.trec
}

@test "a score that is not finite (nan, inf, 1e400) is bad input with FILE:LINE, never written" {
	printf 'q1 Q0 d1 1 inf a\n' > i.trec
	run -1 --separate-stderr lcfuse --norm none --method combsum --to jsonl -o out.jsonl i.trec r1
	[ "$stderr" = "lcfuse: i.trec:1: score 'inf' is not a finite number: give every hit a finite score (run JSONL cannot hold NaN or infinity)" ] || fail "$stderr"
	assert_no_file out.jsonl
	printf 'q1 Q0 a 1 3 r\nq1 Q0 b 2 nan r\n' > n.trec
	run -1 --separate-stderr lcfuse r1 n.trec
	[ "$stderr" = "lcfuse: n.trec:2: score 'nan' is not a finite number: give every hit a finite score (run JSONL cannot hold NaN or infinity)" ] || fail "$stderr"
	assert_output ''
}

@test "a score that is not all one number ('xyz', '12abc') is bad input with FILE:LINE, every reader path" {
	long=$(printf 'd%.0s' $(seq 80))
	for sc in xyz 12abc 1e5e 0x; do
		# a short line, a line past 63 bytes, a line with a byte that is not UTF-8, gzip
		printf 'q1 Q0 a 1 3 r\nq1 Q0 b 2 %s r\n' "$sc" > s.trec
		printf 'q1 Q0 %s 1 3 r\nq1 Q0 b 2 %s r\n' "$long" "$sc" > l.trec
		printf 'q1 Q0 a\377 1 3 r\nq1 Q0 b 2 %s r\n' "$sc" > o.trec
		gzip -c s.trec > z.trec.gz
		for f in s.trec l.trec o.trec z.trec.gz; do
			run -1 --separate-stderr lcfuse -o out.trec r1 "$f"
			[ "$stderr" = "lcfuse: $f:2: score '$sc' is not a number: give every hit a numeric score" ] || fail "$sc $f: $stderr"
			assert_no_file out.trec
		done
	done
	printf '{"qid": "q1", "hits": [{"pid": "a", "score": "3"}]}\n' > s.jsonl
	run -1 lcfuse r1 s.jsonl
	assert_output "lcfuse: s.jsonl:1: field 'score' of hit 0: expected a number, got string"
}

@test "a fused score beyond the largest double is bad input naming qid and doc, nothing written, any method or format" {
	printf 'q1 Q0 a 1 1e308 x\nq1 Q0 b 2 1 x\nq2 Q0 c 1 1 x\n' > big1
	printf 'q1 Q0 a 1 1e308 y\nq1 Q0 b 2 1 y\nq2 Q0 c 1 1 y\n' > big2
	for m in combsum combmnz; do
		for to in trec jsonl; do
			run -1 --separate-stderr lcfuse --method "$m" --norm none --to "$to" big1 big2
			assert_output ''
			[ "$stderr" = "lcfuse: query 'q1', doc 'a': the $m of its scores (big1 1e+308, big2 1e+308) is inf, beyond the largest double (about 1.8e308), so no run format can hold it: scale the runs' scores down or normalise them (--norm minmax); nothing was written" ] || fail "$m $to: $stderr"
		done
	done
	run -1 --separate-stderr lcfuse --method wsum --weights 1e300,-1 --norm none -o out.trec big1 big2
	assert_no_file out.trec
	[[ "$stderr" == "lcfuse: query 'q1', doc 'a': the wsum of its scores (big1 1e+308, big2 1e+308) is inf, "*"give smaller --weights, "* ]] || fail "$stderr"
}

@test "sums and means that overflow on the way to a finite score are exact: ranx's inf and nan are not written" {
	printf 'q1 Q0 a 1 1e308 x\nq1 Q0 b 2 1 x\n' > big1
	printf 'q1 Q0 a 1 1e308 y\nq1 Q0 b 2 1 y\n' > big2
	printf 'q1 Q0 a 1 -1e308 z\nq1 Q0 b 2 1 z\n' > neg3
	# CombANZ and CombMED: the mean of 1e308 and 1e308; CombSUM: 1e308 + 1e308 - 1e308
	run -0 lcfuse --method combanz --norm none --to jsonl big1 big2
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 1e+308}, {"pid": "b", "score": 1.0}]}'
	run -0 lcfuse --method combmed --norm none --to jsonl big1 big2
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 1e+308}, {"pid": "b", "score": 1.0}]}'
	run -0 lcfuse --method combsum --norm none --to jsonl big1 big2 neg3
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 1e+308}, {"pid": "b", "score": 3.0}]}'
	# a weighted sum: 2 x 1e308 - 1 x 1e308
	run -0 lcfuse --method wsum --weights 2,-1 --norm none --to jsonl big1 big2
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 1e+308}, {"pid": "b", "score": 1.0}]}'
}

@test "normalisations of huge scores stay finite and keep the ranking; --norm max's overflow is refused" {
	# min-max over 1e308 .. -1e308 (max - min overflows): 1, 0.5, 0
	printf 'q1 Q0 a 1 1e308 x\nq1 Q0 b 2 0 x\nq1 Q0 c 3 -1e308 x\n' > wide
	printf 'q1 Q0 a 1 1 y\n' > one
	run -0 lcfuse --method combsum --norm minmax --to jsonl wide one
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 1.0}, {"pid": "b", "score": 0.5}, {"pid": "c", "score": 0.0}]}'
	run -0 lcfuse --method combsum --norm sum --to jsonl wide one
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 0.6666666666666666}, {"pid": "b", "score": 0.3333333333333333}, {"pid": "c", "score": 0.0}]}'
	# z-score: mean 0, std sqrt(2/3) e200 (the squares overflow a double): +-1.2247..., 0;
	# the single hit of 'one' and an all-equal run give 0
	printf 'q1 Q0 a 1 1e200 x\nq1 Q0 b 2 0 x\nq1 Q0 c 3 -1e200 x\n' > z200
	printf 'q1 Q0 a 1 7 y\nq1 Q0 c 2 7 y\n' > same
	run -0 lcfuse --method combsum --norm zscore --to jsonl z200 one same
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 1.224744871391589}, {"pid": "b", "score": 0.0}, {"pid": "c", "score": -1.224744871391589}]}'
	run -0 lcfuse --method combsum --norm minmax --to jsonl same one
	assert_output '{"qid": "q1", "hits": [{"pid": "a", "score": 0.0}, {"pid": "c", "score": 0.0}]}'
	# --norm max divides by 1e-9 when the best score is not above it: -1e300 / 1e-9 is -inf
	printf 'q1 Q0 a 1 -5 x\nq1 Q0 b 2 -1e300 x\n' > neg
	run -1 --separate-stderr lcfuse --method combmax --norm max neg one
	assert_output ''
	[ "$stderr" = "lcfuse: neg: query 'q1', doc 'b': --norm max turns its score -1e+300 into -inf, which is not a finite number: use --norm minmax, zscore or rank, or scale the run's scores down" ] || fail "$stderr"
}

@test "--run-member and --qrels-member read runs and qrels from archives; misuse exits 2" {
	lcfuse r1 r2 > plain.out
	mkdir a b
	cp r1 a/run.trec
	cp r2 b/run.trec
	printf 'not a run\n' > a/README
	cp a/README b/README
	tar cf a.tar -C a README run.trec
	tar cf b.tar -C b run.trec README
	run -0 lcfuse --run-member '*.trec' a.tar b.tar
	assert_output "$(cat plain.out)"
	run -1 lcfuse --run-member 'x*' a.tar b.tar
	assert_output "lcfuse: a.tar: no member matches 'x*'"
	run -2 lcfuse --run-member r1 r1 r2
	assert_output "lcfuse: r1: --run-member given but the input is not a zip or tar archive"
	printf 'q1 0 a 1\nq2 0 y 1\n' > train.qrels
	printf 'q1 0 b 1\n' > other.qrels
	tar cf qrels.tar other.qrels train.qrels
	lcfuse --method wsum --optimize recip_rank --qrels train.qrels r1 r2 > want.out 2>/dev/null
	lcfuse --method wsum --optimize recip_rank --qrels other.qrels r1 r2 > other.out 2>/dev/null
	run ! cmp -s want.out other.out
	run -0 --separate-stderr lcfuse --method wsum --optimize recip_rank --qrels qrels.tar --qrels-member train.qrels r1 r2
	assert_output "$(cat want.out)"
	run -2 lcfuse --qrels-member train.qrels r1 r2
	assert_output --partial 'lcfuse: --qrels-member names a member of --qrels FILE'
}

@test "bad usage: weights count, unknown method or norm, one run, misplaced options (exit 2)" {
	run -2 lcfuse --method wsum --weights 0.5,0.3,0.2 r1 r2
	assert_output --partial 'lcfuse: --weights: 3 weights for 2 runs: give one per run'
	run -2 lcfuse --method wsum r1 r2
	assert_output --partial 'needs --weights'
	run -2 lcfuse --method combfoo r1 r2
	assert_output --partial "unknown method 'combfoo'"
	run -2 lcfuse --method combsum --norm l2 r1 r2
	assert_output --partial "unknown normalisation 'l2'"
	run -2 lcfuse r1
	assert_output --partial 'at least two runs'
	run -2 lcfuse --norm minmax r1 r2
	assert_output --partial 'rrf fuses ranks'
	run -2 lcfuse --weights 1,1 r1 r2
	assert_output --partial '--weights applies to --method wsum'
	run -2 lcfuse --optimize map r1 r2
	assert_output --partial 'needs the training qrels'
	run -2 lcfuse --method wsum --weights 1,x r1 r2
	assert_output --partial "'x' is not a number"
	run -2 lcfuse --optimize nonsense --qrels r1 r1 r2
	assert_output --partial "illegal measure 'nonsense'"
	run -2 lcfuse --to loft r1 r2
	assert_output --partial 'trec or jsonl'
}

@test "--optimize with an illegal measure: trec_eval's line and lcfuse's suggestion, each on its own line" {
	run -2 --separate-stderr lcfuse --optimize bogus --qrels r1 r1 r2
	[ "$stderr" = "$(printf '%s\n' "lcfuse: --optimize: trec_eval: illegal measure 'bogus'" \
		"lcfuse: the closest known measure is 'bpref' (trec_eval or ir_measures names)" \
		"Try 'lcfuse --help' for more information.")" ] || fail "$stderr"
}

@test "--optimize takes ir_measures names: RR picks what recip_rank picks" {
	printf 'q1 0 b 1\nq1 0 d 1\nq2 0 y 1\n' > qr
	run -0 --separate-stderr lcfuse --optimize recip_rank --qrels qr --report a.json r1 r2
	local a="$output"
	run -0 --separate-stderr lcfuse --optimize RR --qrels qr --report b.json r1 r2
	assert_equal "$output" "$a"
	[[ "$stderr" == "lcfuse: --optimize RR: chose weights [0.6, 0.4] (RR 1.0000 over 11 weightings)" ]] || fail "stderr: $stderr"
	run -0 python3 -c 'import json; a = json.load(open("a.json")); b = json.load(open("b.json")); print(a["weights"] == b["weights"], len(a["trials"]))'
	assert_output 'True 11'
	run -2 lcfuse --method rrf --optimize RR --qrels qr r1 r2
	assert_output --partial 'picks the weights of --method wsum'
}
