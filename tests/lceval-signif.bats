#!/usr/bin/env bats
# lceval comparing several runs (issue 15): every pair of runs tested, --test,
# --correction, --alpha, the ranx-style tables (--format markdown, latex, csv)
# against expected files in tests/data/lceval-compare/ whose numbers and marks
# verify.py recomputes independently (AP, P@5, paired t-test by numerical
# integration, Holm / Bonferroni), -q for every run, and bad usage.

load helpers
setup() { lctk_setup; }
bats_require_minimum_version 1.5.0

D="$ROOT/tests/data/lceval-compare"

# cmp3 ARGS...: lceval -m map -m P.5 -m num_rel_ret ARGS on the three runs
cmp3() {
	lceval -m map -m P.5 -m num_rel_ret "$@" "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run"
}

@test "--format markdown, latex and csv equal the expected tables, whose values and marks verify.py recomputes" {
	for f in markdown latex csv; do
		cmp3 --test t --alpha 0.25 --format "$f" > "out.$f"
	done
	run -0 python3 "$D/verify.py" "$D" holm 0.25 "$D/holm.md" "$D/holm.csv" "$D/holm.tex"
	run -0 diff "$D/holm.md" out.markdown
	run -0 diff "$D/holm.tex" out.latex
	run -0 diff "$D/holm.csv" out.csv
}

@test "--correction bonferroni and none change the marks as the corrections say" {
	for f in markdown latex csv; do
		cmp3 --test t --alpha 0.25 --correction bonferroni --format "$f" > "b.$f"
		cmp3 --test t --alpha 0.25 --correction none --format "$f" > "none.$f"
	done
	run -0 diff "$D/bonferroni.md" b.markdown
	run -0 python3 "$D/verify.py" "$D" bonferroni 0.25 b.markdown b.csv b.latex
	# the check sees a wrong correction: Holm's tables are not Bonferroni's
	run -1 python3 "$D/verify.py" "$D" bonferroni 0.25 "$D/holm.md" "$D/holm.csv" "$D/holm.tex"
	run -0 python3 "$D/verify.py" "$D" none 0.25 none.markdown none.csv none.latex
	# bm25 beats tuned on map without correction (t-test p 0.233 < 0.25), not with Bonferroni (0.699)
	run -0 grep -F '| a | bm25.run | 40 | **0.6480**<sup>bc</sup>' none.markdown
}

@test "text: a legend, letters after the values, a block for every pair with the corrected p-values" {
	run -0 cmp3 --test t --alpha 0.25 --correction bonferroni
	assert_line --index 0 '# runs: a bm25.run, b weak.run, c tuned.run'
	assert_line --index 1 '# letters after a value: the runs it is significantly better than (paired t-test, Bonferroni correction over the 3 pairs of each measure, alpha 0.25)'
	assert_line --regexp '^map +	0\.6480 b +	0\.1532 +	0\.5411 b$'
	assert_line --regexp '^num_rel_ret +	40 +	40 +	40$'
	assert_line '# b weak.run vs a bm25.run (baseline), 10 topics: diff = mean(b - a)'
	assert_line '# c tuned.run vs a bm25.run (baseline), 10 topics: diff = mean(c - a)'
	assert_line '# c tuned.run vs b weak.run (baseline), 10 topics: diff = mean(c - b)'
	assert_line --partial 'p_t_bonferroni	  p_rand	p_rand_bonferroni'
	run -0 cmp3 --correction none
	refute_output --partial 'p_t_holm'
	assert_line --partial '	     p_t	  p_rand'
}

@test "the randomization test decides by default; a seed gives the same table; pair a-b keeps its p-values when a run is added" {
	run -0 lceval -m map --permutations 2000 --seed 3 "$D/qrels.txt" "$D/bm25.run" "$D/weak.run"
	two=$(printf '%s\n' "$output" | grep -A2 '^# b weak.run vs a' | tail -1 | cut -f4,6)
	assert_line --index 1 '# letters after a value: the runs it is significantly better than (paired randomization test (2000 permutations), Holm correction over the 1 pair of each measure, alpha 0.05)'
	run -0 lceval -m map --permutations 2000 --seed 3 "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run"
	first="$output"
	three=$(printf '%s\n' "$output" | grep -A2 '^# b weak.run vs a' | tail -1 | cut -f4,6)
	[ "$two" = "$three" ] || fail "$two / $three"
	run -0 lceval -m map --permutations 2000 --seed 3 "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run"
	[ "$output" = "$first" ]
}

@test "--json: every pair once, with the test, correction and alpha; p_t equals the t-test and p_t_holm Holm's correction" {
	cmp3 --json --test t --alpha 0.25 > out.json
	cmp3 --format json --test t --alpha 0.25 > format.json
	run -0 cmp out.json format.json
	run -0 python3 - "$D" out.json <<'EOF'
import json, sys
sys.argv = [sys.argv[0], sys.argv[1], 'holm', '0.25', '/dev/null', '/dev/null', '/dev/null']
d = json.load(open('out.json'))
assert (d['test'], d['correction'], d['alpha']) == ('t', 'holm', 0.25), d
pairs = [(t['baseline'].split('/')[-1], t['run'].split('/')[-1], t['measure']) for t in d['tests']]
want = [(a, b, m) for a, b in [('bm25.run', 'weak.run'), ('bm25.run', 'tuned.run'), ('weak.run', 'tuned.run')] for m in ('map', 'P_5')]
assert pairs == want, pairs
for m in ('map', 'P_5'):
    ts = [t for t in d['tests'] if t['measure'] == m]
    order = sorted(range(3), key=lambda k: ts[k]['p_t']); run = 0
    for rank, k in enumerate(order):
        run = max(run, min(1, (3 - rank) * ts[k]['p_t']))
        assert abs(ts[k]['p_t_holm'] - run) < 1e-15, (m, k)
        assert ts[k]['significant'] == (ts[k]['p_t_holm'] < 0.25)
tuned = [t for t in d['tests'] if t['run'].endswith('tuned.run') and t['baseline'].endswith('bm25.run') and t['measure'] == 'map'][0]
assert abs(tuned['p_t'] - 0.2330) < 5e-5 and tuned['significant'], tuned
EOF
}

@test "-q gives every run's per-topic values: text, --json and --jsonl, for trec and LOFT measures" {
	run -0 lceval -q -m P.5 "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run"
	assert_line --index 0 --regexp '^P_5 +	q01	0\.[0-9]{4}	0\.[0-9]{4}	0\.[0-9]{4}$'
	printf '%s\n' "$output" | awk -F'\t' '$2 ~ /^q/ { print $2, $3, $4, $5 }' > text.q
	lceval -q -m recall@5 "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run" > loft.txt
	awk -F'\t' '$2 ~ /^q/ { print $2, $3, $4, $5 }' loft.txt > loft.q
	lceval -q -m P.5 --jsonl "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run" > trec.jsonl
	lceval -q -m recall@5 --jsonl "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run" > loft.jsonl
	lceval -q -m P.5 --json "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run" > trec.json
	lceval -q -m recall@5 --json "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run" > loft.json
	run -0 python3 - "$D" <<'EOF'
import json, sys
d = sys.argv[1]
rel = {}
for l in open(d + '/qrels.txt'):
    q, _, doc, r = l.split()
    if int(r) > 0:
        rel.setdefault(q, set()).add(doc)
runs = ['bm25.run', 'weak.run', 'tuned.run']
p5 = {}
for n in runs:
    rk = {}
    for l in open(d + '/' + n):
        q, _, doc, _, s, _ = l.split()
        rk.setdefault(q, []).append((-float(s), doc))
    for q in rk:
        p5[n, q] = sum(1 for _, x in sorted(rk[q])[:5] if x in rel[q]) / 5
qs = sorted(rel)
for f, scale in (('text.q', 1), ('loft.q', 5 / 4)):
    rows = [l.split() for l in open(f)]
    assert [r[0] for r in rows] == qs, (f, rows)
    for r in rows:
        for n, v in zip(runs, r[1:]):
            assert abs(float(v) - p5[n, r[0]] * scale) < 5e-5, (f, r)
for f, key, scale in (('trec.jsonl', 'P_5', 1), ('loft.jsonl', 'recall@5', 5 / 4)):
    lines = [json.loads(l) for l in open(f) if '"all"' not in l]
    assert len(lines) == 30, f
    for o in lines:
        assert abs(o[key] - p5[o['run'].split('/')[-1], o['qid']] * scale) < 1e-12, (f, o)
t = json.load(open('trec.json'))
for r in t['runs']:
    n = r['run'].split('/')[-1]
    assert sorted(r['queries']) == qs
    for q, v in r['queries'].items():
        assert abs(v['P_5'] - p5[n, q]) < 1e-12
l = json.load(open('loft.json'))
for r in l['runs']:
    n = r['run'].split('/')[-1]
    assert len(r['queries']) == 10
    for o in r['queries']:
        assert abs(o['recall@5'] - p5[n, o['qid']] * 5 / 4) < 1e-12
EOF
}

@test "LOFT measures: the same tables and marks as trec_eval's measures" {
	run -0 lceval -m recall@5 --test t --alpha 0.25 --format csv "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run"
	assert_line --index 0 'label,run,measure,value,best,better_than'
	assert_line --index 1 'a,bm25.run,recall@5,0.65,1,b'
	assert_line --index 2 'b,weak.run,recall@5,0.0,0,'
	assert_line --index 3 'c,tuned.run,recall@5,0.575,0,b'
	run -0 lceval -m recall@5 --format markdown "$D/qrels.txt" "$D/bm25.run" "$D/weak.run"
	assert_line --index 2 '| a | bm25.run | **0.6500**<sup>b</sup> |'
}

@test "one run: --format gives a one-row table, nothing bold or marked; text stays trec_eval's" {
	run -0 lceval -m map --format markdown "$D/qrels.txt" "$D/bm25.run"
	assert_line --index 2 '| a | bm25.run | 0.6480 |'
	run -0 lceval -m map "$D/qrels.txt" "$D/bm25.run"
	[ "$output" = "$(printf 'map                   \tall\t0.6480')" ]
}

@test "names with LaTeX, Markdown and CSV specials are escaped" {
	cp "$D/bm25.run" 'a_b&c.run'
	cp "$D/weak.run" 'x|y,z.run'
	run -0 lceval -m map --format latex "$D/qrels.txt" 'a_b&c.run' 'x|y,z.run'
	assert_line 'a\_b\&c.run &'
	run -0 lceval -m map --format markdown "$D/qrels.txt" 'a_b&c.run' 'x|y,z.run'
	assert_line --index 3 '| b | x\|y,z.run | 0.1532 |'
	run -0 lceval -m map --format csv "$D/qrels.txt" 'a_b&c.run' 'x|y,z.run'
	assert_line --index 2 'b,"x|y,z.run",map,0.15318856667927877,0,'
}

@test "bad usage: unknown --format, --test, --correction; --format with --json or -q; more than 26 runs" {
	run -2 cmp3 --format html
	assert_output --partial "--format: expected text, markdown, latex, csv or json, got 'html'"
	run -2 cmp3 --test wilcoxon
	assert_output --partial "--test: expected 'randomization' or 't'"
	run -2 cmp3 --correction fdr
	assert_output --partial "--correction: expected 'holm', 'bonferroni' or 'none'"
	run -2 cmp3 --format csv --json
	assert_output --partial "--format and --json are exclusive"
	run -2 cmp3 -q --format latex
	assert_output --partial "-q gives per-topic values in text, --json and --jsonl"
	local many=()
	for i in $(seq 27); do many+=("$D/bm25.run"); done
	run -2 lceval -m map --permutations 10 --bootstrap 10 "$D/qrels.txt" "${many[@]}"
	assert_output --partial "27 runs: the comparison names runs a to z, give at most 26"
}

@test "trec_eval and LOFT measures mixed: text, --jsonl and --json join each family's own output" {
	local q="$D/qrels.txt" a="$D/bm25.run" b="$D/weak.run"
	lceval -q -m P.5 "$q" "$a" > t.txt
	lceval -q -m recall@5 "$q" "$a" > l.txt
	run -0 lceval -q -m P.5 -m recall@5 "$q" "$a"
	[ "$output" = "$(cat t.txt l.txt)" ]
	lceval -q -m P.5 --jsonl "$q" "$a" "$b" > t.jsonl
	lceval -q -m recall@5 --jsonl "$q" "$a" "$b" > l.jsonl
	run -0 lceval -q -m recall@5 -m P.5 --jsonl "$q" "$a" "$b"
	[ "$output" = "$(cat t.jsonl l.jsonl)" ]
	lceval -q -m P.5 -m recall@5 --json --test t "$q" "$a" "$b" > m.json
	run -0 python3 - <<'PY'
import json
d = json.load(open('m.json'))
r = d['runs'][0]
assert sorted(r) == ['loft_queries', 'num_unanswered_queries', 'quality', 'queries', 'run', 'summary'], sorted(r)
assert abs(r['summary']['P_5'] - 0.52) < 1e-12 and r['quality']['recall@5'] == 0.65
assert len(r['loft_queries']) == 10 and r['queries']['q01']['P_5'] == 0.6
assert [(t['measure'], t['significant']) for t in d['tests']] == [('P_5', True), ('recall@5', True)], d['tests']
PY
}

@test "trec_eval and LOFT measures mixed: one comparison table, LOFT's values tested topic by topic" {
	run -0 lceval -q -m P.5 -m recall@5 --test t "$D/qrels.txt" "$D/bm25.run" "$D/weak.run" "$D/tuned.run"
	assert_line --index 0 --regexp '^P_5 +	q01	0\.6000	0\.0000	0\.[0-9]{4}$'
	assert_line --index 1 --regexp '^recall@5 +	q01	0\.7500	0\.0000	0\.[0-9]{4}$'
	assert_line --regexp '^recall@5 +	0\.6500 b +	0\.0000 +	0\.5750 b$'
	# recall@5 = 5/4 P@5 here (4 relevant a topic): the same t-test p as P_5's
	assert_line --regexp '^recall@5 +	 +-0\.0750	\[-0\.2500, 0\.0500\] +	  0\.3938	'
	run -0 lceval -m P.5 -m recall@5 --test t --format csv "$D/qrels.txt" "$D/bm25.run" "$D/weak.run"
	assert_output "$(printf '%s\n' 'label,run,measure,value,best,better_than' \
		'a,bm25.run,P_5,0.5199999999999999,1,b' 'a,bm25.run,recall@5,0.65,1,b' \
		'b,weak.run,P_5,0.0,0,' 'b,weak.run,recall@5,0.0,0,')"
}
