#!/usr/bin/env bats
# lceval: ir_measures' measure names (nDCG@10, R@100, P(rel=2)@5, AP@10, RR@10,
# Judged@10, SetF ...) and lceval's printed value names (ndcg_cut_10) give the
# trec_eval computation behind them: per-topic and summary lines equal real
# trec_eval's output on the conformance vectors (tests/vectors/eval), and the
# measures trec_eval has no single name for equal an independent Python
# computation.  Unknown names suggest the closest; swapped QRELS/RUN is named.
load helpers
setup() {
	lctk_setup
	VEC="$ROOT/tests/vectors/eval"
}

# same NAME VALUE VECTOR: `lceval -q -m NAME` prints exactly trec_eval's lines for VALUE
same() {
	local q="$VEC/$3/qrels.txt" r="$VEC/$3/run.txt"
	diff <(lceval -q -m "$1" "$q" "$r") <(grep -P "^$2\\s" "$VEC/$3/expected/all_trec.q.txt") ||
		fail "-m '$1' on $3 differs from trec_eval's $2"
}

@test "ir_measures names and printed value names equal trec_eval's measures on the conformance vectors" {
	for v in trec_graded trec_ties; do
		same 'nDCG@10' ndcg_cut_10 "$v"
		same 'ndcg_cut_10' ndcg_cut_10 "$v"
		same 'nDCG' ndcg "$v"
		same 'R@100' recall_100 "$v"
		same 'P@5' P_5 "$v"
		same 'P_10' P_10 "$v"
		same 'AP' map "$v"
		same 'AP@10' map_cut_10 "$v"
		same 'RR' recip_rank "$v"
		same 'Rprec' Rprec "$v"
		same 'Bpref' bpref "$v"
		same 'NumRet' num_ret "$v"
		same 'NumRel' num_rel "$v"
		same 'NumRet(rel=1)' num_rel_ret "$v"
		same 'SetP' set_P "$v"
		same 'SetR' set_recall "$v"
		same 'SetF' set_F "$v"
		same 'Success@5' success_5 "$v"
		same 'IPrec@0.1' 'iprec_at_recall_0\.10' "$v"
		same 'iprec_at_recall_0.10' 'iprec_at_recall_0\.10' "$v"
		same 'infAP' infAP "$v"
	done
}

@test "P(rel=2)@5 is P.5 at relevance level 2 (-l 2), and equals an independent computation" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -0 lceval -q -m 'P(rel=2)@5' "$q" "$r"
	local named="$output"
	run -0 lceval -q -l 2 -m P.5 "$q" "$r"
	assert_equal "$named" "$output"
	run -0 python3 - "$q" "$r" 5 <<'PY'
import sys
qrels, run = {}, {}
for l in open(sys.argv[1]):
    t, _, d, rel = l.split()
    qrels.setdefault(t, {})[d] = int(rel)
for l in open(sys.argv[2]):
    t, _, d, _, s, _ = l.split()
    run.setdefault(t, []).append((d, float(s)))
k, tot = int(sys.argv[3]), 0.0
for t in sorted(qrels):
    hits = sorted(run.get(t, []), key=lambda h: h[0], reverse=True)   # trec_eval: docno desc among ties
    hits.sort(key=lambda h: -h[1])
    v = sum(1 for d, _ in hits[:k] if qrels[t].get(d, 0) >= 2) / k
    tot += v
    print('P_5                   \t%s\t%.4f' % (t, v))
print('P_5                   \tall\t%.4f' % (tot / len(qrels)))
PY
	assert_equal "$named" "$output"
	run -2 lceval -l 3 -m 'P(rel=2)@5' "$q" "$r"
	assert_output --partial "disagree"
}

@test "RR@10 and Judged@10 equal an independent computation (recip_rank cut at 10; judged share of the top 10)" {
	for v in trec_graded trec_ties; do
		local q="$VEC/$v/qrels.txt" r="$VEC/$v/run.txt"
		lceval -q -m 'RR@3' -m 'RR@10' -m 'Judged@10' -m 'Judged@2' "$q" "$r" > got.txt || fail "lceval failed on $v"
		python3 - "$q" "$r" > want.txt <<'PY' || fail "reference failed on $v"
import sys
qrels, run = {}, {}
for l in open(sys.argv[1]):
    t, _, d, rel = l.split()
    qrels.setdefault(t, {})[d] = int(rel)
for l in open(sys.argv[2]):
    t, _, d, _, s, _ = l.split()
    run.setdefault(t, []).append((d, float(s)))
topics = [t for t in sorted(qrels) if t in run]
rows, sums = [], {}
for t in topics:
    hits = sorted(run[t], key=lambda h: h[0], reverse=True)
    hits.sort(key=lambda h: -h[1])
    first = next((i + 1 for i, (d, _) in enumerate(hits) if qrels[t].get(d, 0) >= 1), 0)
    vals = {}
    for k in (3, 10):
        vals['recip_rank_cut_%d' % k] = 1 / first if 0 < first <= k else 0.0
    for k in (2, 10):
        top = hits[:k]
        vals['judged_%d' % k] = sum(1 for d, _ in top if d in qrels[t]) / len(top) if top else 0.0
    for name in ('recip_rank_cut_3', 'recip_rank_cut_10', 'judged_2', 'judged_10'):
        rows.append((name, t, vals[name]))
        sums[name] = sums.get(name, 0.0) + vals[name]
for name in ('recip_rank_cut_3', 'recip_rank_cut_10', 'judged_2', 'judged_10'):
    for n, t, v in rows:
        if n == name:
            print('%-22s\t%s\t%.4f' % (n, t, v))
    print('%-22s\tall\t%.4f' % (name, sums[name] / len(topics)))
PY
		diff <(sort got.txt) <(sort want.txt) || fail "RR@k / Judged@k differ from the reference on $v"
	done
}

@test "several cutoffs of one measure add up; all_trec is unchanged by the additions" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -0 lceval -m P@10 -m P@5 -m 'nDCG@10' -m ndcg_cut_5 "$q" "$r"
	assert_output "$(grep -P '^(P_5|P_10|ndcg_cut_5|ndcg_cut_10)\s' "$VEC/trec_graded/expected/all_trec.txt")"
	run -0 lceval -m all_trec "$q" "$r"
	run -0 diff <(echo "$output" | grep -v '^rbp ') <(grep -v '^rbp ' "$VEC/trec_graded/expected/all_trec.txt")
}

@test "unknown names: trec_eval's message, then the closest known name" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -1 lceval -m 'nDGC@10' "$q" "$r"
	assert_line --index 0 "trec_eval: illegal measure 'nDGC@10'"
	assert_line --index 1 "lceval: the closest known measure is 'nDCG@10' (trec_eval or ir_measures names)"
	run -1 lceval -m bref "$q" "$r"
	assert_line --index 1 --partial "'bpref'"
	run -1 lceval -m ndcgcut "$q" "$r"
	assert_line --index 1 --partial "'ndcg_cut'"
	run -1 lceval -m 'R' "$q" "$r"
	assert_output --partial "needs a cutoff, e.g. R@10"
	run -1 lceval -m 'nDCG(gains={0:0,1:1,2:3})@10' "$q" "$r"
	assert_output --partial "ndcg_cut has no gains"
	run -1 lceval -m 'P(foo=1)@5' "$q" "$r"
	assert_output --partial "parameter 'foo'"
}

@test "nDCG with gains is trec_eval's ndcg with those gains" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -0 lceval -q -m 'nDCG(gains={0:0,1:1,2:3})' "$q" "$r"
	local named="$output"
	run -0 lceval -q -m 'ndcg.0=0,1=1,2=3' "$q" "$r"
	assert_equal "$named" "$output"
}

@test "QRELS and RUN swapped: the error says so (exit 2)" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -2 lceval -m map "$r" "$q"
	assert_output --partial "QRELS and RUN are swapped: $r looks like a run and $q like judgments"
	cp "$q" q.txt
	gzip q.txt
	run -2 lceval -m 'nDCG@10' "$r" q.txt.gz
	assert_output --partial "QRELS and RUN are swapped"
}
