#!/usr/bin/env bats
load helpers
setup() {
	lctk_setup
	V="$ROOT/tests/vectors/color"
	lcgen candidates --summaries "$V/summaries.jsonl" -o cand.jsonl "$V/corpus.jsonl" 2>/dev/null
	# hand-made pairs over the fixture: shorter, specific extracts preferred
	python3 - "$V/corpus.jsonl" > pairs.jsonl <<'PY'
import json, sys
H = "Summarize the following content. \nContent:\n"
for l in open(sys.argv[1]):
    p = json.loads(l)
    t = p["passage_text"]
    if t.count(".") < 2:
        continue
    first = t.split(". ")[0] + "."
    for i in range(3):
        pr = H + t + "\n Summary:"
        print(json.dumps({"prompt": pr,
            "chosen": [{"role": "user", "content": pr}, {"role": "assistant", "content": first}],
            "rejected": [{"role": "user", "content": pr}, {"role": "assistant", "content": t}],
            "pid": p["pid"], "chosen_tokens": len(first.split()), "rejected_tokens": len(t.split())}))
PY
}

@test "lctrain: trains, reports loss and validation accuracy per epoch, writes a model file" {
	run lctrain -c "$V/corpus.jsonl" --epochs 3 --val 0.4 -o m.lcm pairs.jsonl
	assert_success
	assert_line --regexp '^lctrain: epoch 1: loss [0-9.]+ train_acc [0-9.]+ val_loss [0-9.]+ val_acc [0-9.]+$'
	assert_line --partial 'lctrain: epoch 3:'
	run head -2 m.lcm
	assert_output $'lctk-compress-model 1\nfeatures 23'
	grep -q '^meta objective orpo beta=2.5 c=0.1$' m.lcm
	grep -q '^checksum [0-9a-f]\{8\}$' m.lcm
}

@test "lctrain: learns the preference (chosen more probable than rejected after training)" {
	run lctrain -c "$V/corpus.jsonl" --epochs 60 --val 0 pairs.jsonl
	assert_success
	run -0 bash -o pipefail -c "lctrain -c '$V/corpus.jsonl' --epochs 60 --val 0 -o m.lcm pairs.jsonl 2>&1 | tail -1"
	assert_output --regexp 'train_acc 1\.0000'
}

@test "lctrain: same seed gives the same file; another seed another" {
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 5 --seed 7 -o a.lcm pairs.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 5 --seed 7 -o b.lcm pairs.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 5 --seed 8 -o c.lcm pairs.jsonl
	cmp a.lcm b.lcm
	! cmp -s a.lcm c.lcm
}

@test "lctrain --average N: the mean of N seeded runs" {
	run lctrain -c "$V/corpus.jsonl" --epochs 2 --average 3 -o m.lcm pairs.jsonl
	assert_success
	assert_line --partial 'lctrain: run 3 epoch 2:'
	assert_line --regexp '^lctrain: average of 3 runs: train_acc [0-9.]+ val_acc [0-9.]+$'
	grep -q '^meta average 3$' m.lcm
}

@test "lctrain --average 2: the mean of the weights of --seed S and --seed S+1" {
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 --val 0 --seed 4 -o a.lcm pairs.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 --val 0 --seed 5 -o b.lcm pairs.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 --val 0 --seed 4 --average 2 -o m.lcm pairs.jsonl
	run -0 python3 -c '
import sys
def w(f):
    return {l.split()[1]: float.fromhex(l.split()[2]) for l in open(f) if l.startswith("w ")}
a, b, m = w(sys.argv[1]), w(sys.argv[2]), w(sys.argv[3])
assert len(m) == 23 and a != b, (len(m), a == b)
bad = [k for k in m if abs(m[k] - (a[k] + b[k]) / 2) > 1e-15 * max(1, abs(m[k]))]
assert not bad, bad
print("ok")' a.lcm b.lcm m.lcm
	assert_output ok
}

@test "lctrain --val: whole passages held out, the share asked, the same split for the same seed" {
	# 12 passages x 4 pairs, each pair naming its passage in its chosen text
	python3 -c '
import json
for p in range(12):
    t = "Passage %d has a first sentence. It has a second one. And a third one here." % p
    for k in range(4):
        print(json.dumps({"prompt": "Summarize the following content. \nContent:\n" + t + "\n Summary:",
            "chosen": "Passage %d has a first sentence." % p, "rejected": t, "pid": "p%d" % p}))' > many.jsonl
	for s in 1 1 2; do
		lctrain --quiet --epochs 1 --val 0.5 --seed $s --report r.json -o /dev/null many.jsonl
		python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["pairs_train"], r["pairs_val"])' r.json >> split.txt
	done
	run -0 awk '{ r[NR] = $0; if ($2 % 4 || $1 + $2 != 48 || $2 < 8 || $2 > 40) bad = bad " " $0 }
		END { print (NR == 3 && r[1] == r[2] && !bad ? "ok" : "bad:" bad " rows " r[1] "/" r[2]) }' split.txt
	assert_output ok
}

@test "lctrain: without -c the passage comes from the prompt (CoLoR's released pairs)" {
	run lctrain --epochs 2 --val 0 -o m.lcm pairs.jsonl
	assert_success
	[ -s m.lcm ]
}

@test "lctrain: chosen == rejected, unknown pid and empty passages are counted warnings" {
	python3 -c '
import json
H = "Summarize the following content. \nContent:\n"
print(json.dumps({"prompt": H + "A. B.\n Summary:", "chosen": "same", "rejected": "same", "pid": "p1"}))
print(json.dumps({"prompt": H + "A. B.\n Summary:", "chosen": "x", "rejected": "y z", "pid": "nope"}))
print(json.dumps({"prompt": H + "\n Summary:", "chosen": "x", "rejected": "y z", "pid": "p6"}))' >> pairs.jsonl
	run lctrain --quiet -c "$V/corpus.jsonl" --epochs 1 --report r.json -o m.lcm pairs.jsonl
	assert_success
	assert_line 'lctrain: warning: 1 pair with chosen == rejected skipped'
	assert_line 'lctrain: warning: 1 pair whose pid is not in the corpora skipped'
	assert_line 'lctrain: warning: 1 pair with an empty passage skipped'
	# the report has the same counts, and the pairs read are those trained, validated or skipped
	run -0 python3 -c '
import json
r = json.load(open("r.json"))
print(r["pairs_read"], r["skipped_same"], r["skipped_not_in_corpora"], r["skipped_empty"], r["skipped_unjoined"], r["joined_by_text"])
print(r["pairs_read"] == r["pairs_train"] + r["pairs_val"] + 3, sum(1 for _ in open("pairs.jsonl")) == r["pairs_read"])'
	assert_line --index 0 --regexp '^[0-9]+ 1 1 1 0 0$'
	assert_line --index 1 'True True'
}

@test "lctrain: --target-ratio calibrates the threshold on the corpora" {
	run lctrain -c "$V/corpus.jsonl" --epochs 3 --target-ratio 2 -o m.lcm pairs.jsonl
	assert_success
	assert_output --partial 'keeps about 1/2 of the corpora'
	! grep -q '^threshold 0x1p-1$' m.lcm
	grep -q '^length_bias 0x1p-1$' m.lcm
	# the calibration counts the per-passage shift: about half the words kept either way
	run lctrain -c "$V/corpus.jsonl" --epochs 3 --target-ratio 2 --length-bias 2 -o m2.lcm pairs.jsonl
	assert_success
	grep -q '^length_bias 0x1p+1$' m2.lcm
	set -o pipefail
	for m in m.lcm m2.lcm; do
		lcompress -m $m --keep-punct --quiet "$V/corpus.jsonl" | python3 -c '
import json, sys
a = b = 0
for l in sys.stdin:
    o = json.loads(l)
    a += len(o["passage_text"].split())
    b += len((o["summary_text"] or o["passage_text"]).split())
print("# %s keeps %.3f of the words" % (sys.argv[1], b / a))
assert 0.4 <= b / a <= 0.6, b / a' $m >&3
	done
	run lctrain -c "$V/corpus.jsonl" --epochs 1 --length-bias 0 -o m0.lcm pairs.jsonl
	assert_success
	! grep -q '^length_bias' m0.lcm
}

@test "lctrain -c: a BEIR corpus and a dataset's zip (its corpus.jsonl) give the model the LOFT corpus gives" {
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 --target-ratio 2 -o loft.lcm pairs.jsonl
	mkdir -p ds
	lcconv --to beir "$V/corpus.jsonl" > ds/corpus.jsonl 2>/dev/null
	printf '{"_id": "q1", "text": "a query, not a passage"}\n' > ds/queries.jsonl
	(cd ds && zip -q ../ds.zip queries.jsonl corpus.jsonl)
	lctrain --quiet -c ds/corpus.jsonl --epochs 3 --target-ratio 2 -o beir.lcm pairs.jsonl
	run -0 cmp loft.lcm beir.lcm
	lctrain --quiet -c ds.zip --epochs 3 --target-ratio 2 -o zip.lcm pairs.jsonl
	run -0 cmp loft.lcm zip.lcm
	zip -q other.zip ds/queries.jsonl
	run -1 lctrain --quiet -c other.zip -o x.lcm pairs.jsonl
	assert_output "lctrain: other.zip: no member matches 'corpus.jsonl' (the file a BEIR or LOFT dataset names so; extract the file you mean and give it)"
	assert_no_file x.lcm
}

@test "lctrain: bad input and usage" {
	echo '{"prompt":"p","chosen":3,"rejected":"x"}' > bad.jsonl
	run lctrain -o m.lcm bad.jsonl
	assert_failure 1
	assert_output --partial 'bad.jsonl:1'
	assert_no_file m.lcm
	echo '{oops' > bad2.jsonl
	run lctrain bad2.jsonl
	assert_failure 1
	assert_output --partial 'bad2.jsonl:1'
	run lctrain
	assert_failure 2
	run lctrain --beta -1 pairs.jsonl
	assert_failure 2
	run lctrain --init nosuch.lcm pairs.jsonl
	assert_failure 1
	# --target-ratio calibrates on the corpora: refused before any training without them
	run lctrain --target-ratio 2 -o m.lcm pairs.jsonl
	assert_failure 2
	assert_output 'lctrain: --target-ratio needs the corpora (-c) to calibrate on'
	assert_no_file m.lcm
}

@test "lctrain: a token count that is not a whole number from 0 is bad input with its line (it was taken as the length)" {
	for v in -5 1e300 2.5 '"NaN"' null; do
		python3 -c 'import json,sys; ls=open("pairs.jsonl").read().splitlines(); r=json.loads(ls[1]); r["chosen_tokens"]=json.loads(sys.argv[1]); ls[1]=json.dumps(r); print("\n".join(ls))' "$v" > bad.jsonl
		run lctrain --val 0 -c "$V/corpus.jsonl" -o m.lcm bad.jsonl
		assert_failure 1
		assert_output --partial "bad.jsonl:2: field 'chosen_tokens': expected a token count"
		assert_no_file m.lcm
	done
	# 7.0 is a whole number: the model is the one 7 gives
	mkdir f i
	python3 -c 'import json; ls=open("pairs.jsonl").read().splitlines(); r=json.loads(ls[1]); r["chosen_tokens"]=7.0; ls[1]=json.dumps(r); print("\n".join(ls))' > f/p.jsonl
	python3 -c 'import json; ls=open("pairs.jsonl").read().splitlines(); r=json.loads(ls[1]); r["chosen_tokens"]=7; ls[1]=json.dumps(r); print("\n".join(ls))' > i/p.jsonl
	(cd f && lctrain --quiet --val 0 -c "$V/corpus.jsonl" -o m.lcm p.jsonl)
	(cd i && lctrain --quiet --val 0 -c "$V/corpus.jsonl" -o m.lcm p.jsonl)
	cmp f/m.lcm i/m.lcm
}
