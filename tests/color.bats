#!/usr/bin/env bats
# color.bats — CoLoR reproducible as released (issue 11 items 3-4, issue 10 §1's
# lcgen/lctrain hand-offs): lcgen pairs --selection released against the pairs
# CoLoR published (../shared/data/loft/*/orpo), lengths with any tokenizer and
# TRL's truncation in lctrain, lctrain joining pid-less pairs by prompt text, and
# one request body for every LLM Batch line lcgen writes.
load helpers
setup() { lctk_setup; }

# a three-passage corpus and candidates named like CoLoR's summarisers, in its
# order (mistral, phi, gpt = the last one)
small_setup() {
	printf '%s\n' \
		'{"pid":"p1","title_text":"","passage_text":"Alpha beta gamma delta."}' \
		'{"pid":"p2","title_text":"","passage_text":"Epsilon zeta eta theta."}' \
		'{"pid":"p3","title_text":"","passage_text":"Iota kappa lambda mu."}' > c.jsonl
	# p1: by characters mistral (5 characters, 10 bytes, 5 tokens) is the
	#     shortest, by tokens phi (1 token, 7 characters) is; p2: all three tie
	printf '%s\n' \
		'{"pid":"p1","name":"mistral","text":"ééééé","tokens":5}' \
		'{"pid":"p1","name":"phi","text":"ABCDEFG","tokens":1}' \
		'{"pid":"p1","name":"gpt","text":"a much longer summary","tokens":4}' \
		'{"pid":"p2","name":"mistral","text":"abc","tokens":1}' \
		'{"pid":"p2","name":"phi","text":"xyz","tokens":1}' \
		'{"pid":"p2","name":"gpt","text":"uvw","tokens":1}' \
		'{"pid":"p3","name":"mistral","text":"one","tokens":1}' \
		'{"pid":"p3","name":"phi","text":"three","tokens":1}' \
		'{"pid":"p3","name":"gpt","text":"fives","tokens":1}' > cand.jsonl
	# the labels of the non-last summarisers contradict the last one's
	printf '%s\n' \
		'{"qid":"q1","pid":"p1","name":"mistral","success":false}' \
		'{"qid":"q1","pid":"p1","name":"phi","success":true}' \
		'{"qid":"q1","pid":"p1","name":"gpt","success":true}' \
		'{"qid":"q2","pid":"p2","name":"mistral","success":true}' \
		'{"qid":"q2","pid":"p2","name":"phi","success":true}' \
		'{"qid":"q2","pid":"p2","name":"gpt","success":true}' \
		'{"qid":"q3","pid":"p3","name":"mistral","success":true}' \
		'{"qid":"q3","pid":"p3","name":"phi","success":true}' \
		'{"qid":"q3","pid":"p3","name":"gpt","success":false}' > labels.jsonl
}

pick() {   # pick FILE: "pid chosen|rejected" per pair
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["pid"], r["chosen"][1]["content"] + "|" + r["rejected"][1]["content"])' "$1"
}

@test "lcgen pairs --selection released: last candidate's label, shortest vs longest by characters, Python's tie order" {
	small_setup
	run lcgen pairs --selection released -c c.jsonl -o r.jsonl cand.jsonl labels.jsonl
	assert_success
	run pick r.jsonl
	assert_success
	# p1: ééééé (5 characters) beats ABCDEFG by characters although it has more
	# tokens, and mistral's own failure does not matter; p2: all three tie:
	# the first (mistral) is chosen, the last (gpt) rejected; p3: gpt failed -> dropped
	assert_output $'p1 ééééé|a much longer summary\np2 abc|uvw'
}

@test "lcgen pairs --selection released --label-by NAME and --mode all" {
	small_setup
	run lcgen pairs --selection released --label-by mistral -c c.jsonl cand.jsonl labels.jsonl
	assert_success
	lcgen pairs --selection released --label-by mistral -c c.jsonl -o m.jsonl cand.jsonl labels.jsonl 2>/dev/null
	run -0 pick m.jsonl
	assert_output $'p2 abc|uvw\np3 one|fives'
	lcgen pairs --selection released --mode all -c c.jsonl -o all.jsonl cand.jsonl labels.jsonl 2>/dev/null
	run -0 pick all.jsonl
	assert_output $'p1 ééééé|a much longer summary\np2 abc|uvw\np3 one|fives'
	run lcgen pairs --selection released --label-by nosuch -c c.jsonl cand.jsonl labels.jsonl
	assert_success
	assert_line "lcgen: warning: 3 groups without a label for candidate 'nosuch' skipped"
	run lcgen pairs --label-by gpt -c c.jsonl cand.jsonl labels.jsonl
	assert_failure 2
	assert_output --partial '--label-by goes with --selection released'
	run lcgen pairs --selection newest -c c.jsonl cand.jsonl labels.jsonl
	assert_failure 2
}

@test "lcgen pairs: the default rule stays lctk's (tokens, each candidate's own label)" {
	small_setup
	lcgen pairs -c c.jsonl -o d.jsonl cand.jsonl labels.jsonl 2>/dev/null
	run -0 pick d.jsonl
	assert_output $'p1 ABCDEFG|ééééé\np3 one|fives'
}

# released_pairs DATASET FILE HARDFILE: candidates from the three summaries in
# CoLoR's order, labels for the passages of FILE's pairs (gpt_4o_mini succeeds iff
# the pair is in HARDFILE, the others the opposite), then compares lcgen's pairs
# with the published ones on prompt, chosen and rejected.
released_setup() {
	D="$SHARED/data/loft/$1"
	lcgen candidates --kinds external --summaries "$D/summaries/mistral_7b_0.3_inst.jsonl" \
		--summaries "$D/summaries/phi3_mini_4k.jsonl" --summaries "$D/summaries/gpt_4o_mini.jsonl" \
		-o cand.jsonl "$D/corpus.jsonl"
	python3 - "$D/corpus.jsonl" cand.jsonl "$D/orpo/$2" "$D/orpo/$3" > labels.jsonl <<'PY'
import json, sys
corpus, cand, allf, hardf = sys.argv[1:5]
pre, suf = "Summarize the following content. \nContent:\n", "\n Summary:"
pid_of = {}
for l in open(corpus):
    p = json.loads(l)
    pid_of.setdefault(p["passage_text"], p["pid"])
names = {}
for l in open(cand):
    c = json.loads(l)
    names.setdefault(c["pid"], []).append(c["name"])
hard = {json.loads(l)["prompt"] for l in open(hardf)}
for k, l in enumerate(open(allf)):
    pr = json.loads(l)["prompt"]
    pid = pid_of[pr[len(pre):-len(suf)]]
    for n in names[pid]:
        ok = pr in hard
        print(json.dumps({"qid": "q%d" % k, "pid": pid, "name": n, "success": ok if n == "gpt_4o_mini" else not ok}))
PY
}

same_pairs() {   # same_pairs OURS RELEASED: prints "n_ours n_released n_equal"
	python3 - "$1" "$2" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
k = lambda r: (r["prompt"], r["chosen"], r["rejected"])
print(len(a), len(b), sum(k(x) == k(y) for x, y in zip(a, b)))
PY
}

@test "lcgen pairs --selection released reproduces CoLoR's released fiqa pairs (dataset_hard, dataset, chunk_1)" {
	need_shared data/loft/fiqa/orpo
	released_setup fiqa dataset.jsonl dataset_hard.jsonl
	run lcgen pairs --selection released -c "$D/corpus.jsonl" -o hard.jsonl cand.jsonl labels.jsonl
	assert_success
	run -0 same_pairs hard.jsonl "$D/orpo/dataset_hard.jsonl"
	assert_output '207 207 207'
	run lcgen pairs --selection released --mode all -c "$D/corpus.jsonl" -o all.jsonl cand.jsonl labels.jsonl
	assert_success
	run -0 same_pairs all.jsonl "$D/orpo/dataset.jsonl"
	assert_output '404 404 404'
	# chunk 1 holds the passage with empty text (pid 115636): its summaries are
	# still candidates, as CoLoR paired them
	released_setup fiqa chunk_1_dataset_hard.jsonl chunk_1_dataset_hard.jsonl
	run lcgen pairs --selection released -c "$D/corpus.jsonl" -o c1.jsonl cand.jsonl labels.jsonl
	assert_success
	run -0 same_pairs c1.jsonl "$D/orpo/chunk_1_dataset_hard.jsonl"
	assert_output '248 248 248'
	# the authors' final mix is the two hard files concatenated
	cat hard.jsonl c1.jsonl > mix.jsonl
	run -0 same_pairs mix.jsonl "$D/orpo/hard_short_01_dataset.jsonl"
	assert_output '455 455 455'
}

# pairs over the fixture corpus (tests/vectors/color): the first sentence
# preferred to the whole passage; FIELDS=1 adds lctk's pid and counts
fixture_pairs() {
	python3 - "$ROOT/tests/vectors/color/corpus.jsonl" "$@" <<'PY'
import json, sys
H = "Summarize the following content. \nContent:\n"
mode = sys.argv[2] if len(sys.argv) > 2 else ""
for l in open(sys.argv[1]):
    p = json.loads(l)
    t = p["passage_text"]
    if t.count(".") < 2:
        continue
    first = t.split(". ")[0] + "."
    pr = H + t + "\n Summary:"
    r = {"prompt": pr,
         "chosen": [{"role": "user", "content": pr}, {"role": "assistant", "content": first}],
         "rejected": [{"role": "user", "content": pr}, {"role": "assistant", "content": t}]}
    if mode == "pid":
        r["pid"] = p["pid"]
    print(json.dumps(r))
PY
}

# the model's weights only (meta lines name the data and the options; the
# checksum covers them)
weights() { grep -v -e '^meta ' -e '^checksum ' "$1"; }

@test "lctrain -c: released pairs have no pid: joined to the corpus by the passage text of their prompt" {
	V="$ROOT/tests/vectors/color"
	mkdir -p a/x b/x
	fixture_pairs > a/x/pairs.jsonl
	fixture_pairs pid > b/x/pairs.jsonl
	n=$(grep -c . a/x/pairs.jsonl)
	run lctrain -c "$V/corpus.jsonl" --epochs 2 -o a.lcm a/x/pairs.jsonl
	assert_success
	assert_line "lctrain: $n pairs without a pid joined to the corpora by the passage text in the prompt"
	refute_output --partial 'not in the corpora'
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 2 -o b.lcm b/x/pairs.jsonl
	cmp a.lcm b.lcm
	# a pid-less pair whose passage is in no corpus: said so, and how to fix it
	python3 -c 'import json; H="Summarize the following content. \nContent:\n"
print(json.dumps({"prompt": H + "Not a passage of the corpus.\n Summary:", "chosen": "x", "rejected": "y z"}))' >> a/x/pairs.jsonl
	run lctrain --quiet -c "$V/corpus.jsonl" --epochs 1 -o a.lcm a/x/pairs.jsonl
	assert_success
	assert_line --partial 'lctrain: warning: 1 pair without a pid skipped: the passage in the prompt is in none of the corpora'
	assert_output --partial 'add a "pid" field'
}

@test "lctrain -c on CoLoR's released fiqa pairs trains on all of them" {
	need_shared data/loft/fiqa/orpo
	D="$SHARED/data/loft/fiqa"
	run lctrain -c "$D/corpus.jsonl" --epochs 1 --val 0 -o m.lcm "$D/orpo/dataset_hard.jsonl"
	assert_success
	assert_line 'lctrain: 207 pairs without a pid joined to the corpora by the passage text in the prompt'
	grep -q '^meta pairs train=207 val=0$' m.lcm
}

# counted PAIRS LCTOK-ARGS...: the pairs with chosen_tokens/rejected_tokens as
# lctok counts the answers
counted() {
	python3 - "$@" <<'PY'
import json, subprocess, sys
n = lambda s: int(subprocess.run(["lctok", "count", "--text", "--total"] + sys.argv[2:], input=s + "\n",
                                 capture_output=True, text=True, check=True).stdout)
for l in open(sys.argv[1]):
    r = json.loads(l)
    r["chosen_tokens"], r["rejected_tokens"] = n(r["chosen"][1]["content"]), n(r["rejected"][1]["content"])
    print(json.dumps(r))
PY
}

@test "lctrain -e NAME / --tokenizer FILE: l_c and l_r are that tokenizer's counts of the answers" {
	V="$ROOT/tests/vectors/color"
	fixture_pairs pid > p.jsonl
	counted p.jsonl -e cl100k_base > counted.jsonl
	sed 's/"chosen_tokens": [0-9]*/"chosen_tokens": 1000/' counted.jsonl > wrong.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 -o ref.lcm counted.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 -o wrong.lcm wrong.jsonl
	run lctrain --quiet -e cl100k_base -c "$V/corpus.jsonl" --epochs 3 -o e.lcm wrong.jsonl
	assert_success
	[ "$(weights e.lcm)" = "$(weights ref.lcm)" ] || fail "-e cl100k_base did not count the answers"
	[ "$(weights wrong.lcm)" != "$(weights ref.lcm)" ] || fail "the counts do not reach the objective"
	grep -qx 'meta lengths cl100k_base' e.lcm
	run lctrain -e cl100k_base --tokenizer x.json p.jsonl
	assert_failure 2
	run lctrain -e nosuch p.jsonl
	assert_failure 1
}

@test "lctrain --tokenizer FILE counts with a Hugging Face tokenizer.json" {
	need_shared vocab/hf/gpt-neox-20b/tokenizer.json
	V="$ROOT/tests/vectors/color"
	TJ="$SHARED/vocab/hf/gpt-neox-20b/tokenizer.json"
	fixture_pairs pid > p.jsonl
	counted p.jsonl --tokenizer "$TJ" > counted.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 -o ref.lcm counted.jsonl
	run lctrain --quiet --tokenizer "$TJ" -c "$V/corpus.jsonl" --epochs 3 -o t.lcm p.jsonl
	assert_success
	[ "$(weights t.lcm)" = "$(weights ref.lcm)" ] || fail "--tokenizer did not count the answers"
}

@test "lctrain --truncate-like-trl: TRL <= 0.11's keep_end prompt cut, then responses cut to max_length - max_prompt_length" {
	V="$ROOT/tests/vectors/color"
	fixture_pairs pid | head -3 > p.jsonl
	# (prompt, chosen, rejected) counts -> the lengths TRL leaves:
	#   600, 10, 500: prompt -> 128, still 628 > 512: responses -> 384: 10, 384
	#   600, 10, 300: prompt -> 128, 428 fits: 10, 300
	#   100, 10, 450: prompt shorter than 128 stays, 550 > 512: 10, 384
	python3 - p.jsonl <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
given = [(600, 10, 500), (600, 10, 300), (100, 10, 450)]
want = [(10, 384), (10, 300), (10, 384)]
with open("given.jsonl", "w") as g, open("want.jsonl", "w") as w:
    for r, (p, c, j), (wc, wj) in zip(rows, given, want):
        g.write(json.dumps(dict(r, prompt_tokens=p, chosen_tokens=c, rejected_tokens=j)) + "\n")
        w.write(json.dumps(dict(r, chosen_tokens=wc, rejected_tokens=wj)) + "\n")
PY
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 --val 0 -o want.lcm want.jsonl
	lctrain --quiet -c "$V/corpus.jsonl" --epochs 3 --val 0 -o plain.lcm given.jsonl
	run lctrain --quiet --truncate-like-trl -c "$V/corpus.jsonl" --epochs 3 --val 0 -o trl.lcm given.jsonl
	assert_success
	[ "$(weights trl.lcm)" = "$(weights want.lcm)" ] || fail "not TRL's truncation"
	[ "$(weights plain.lcm)" != "$(weights want.lcm)" ] || fail "truncation does not change the lengths here"
	grep -qx 'meta trl max_length=512 max_prompt_length=128' trl.lcm
	# --max-length 1100: nothing is truncated
	lctrain --quiet --truncate-like-trl --max-length 1100 -c "$V/corpus.jsonl" --epochs 3 --val 0 -o big.lcm given.jsonl
	[ "$(weights big.lcm)" = "$(weights plain.lcm)" ] || fail "--max-length ignored"
	# without counts and without a tokenizer there is nothing to truncate
	run lctrain --truncate-like-trl -c "$V/corpus.jsonl" p.jsonl
	assert_failure 1
	assert_output --partial 'needs token counts'
	run lctrain --truncate-like-trl --max-length 100 --max-prompt-length 100 p.jsonl
	assert_failure 2
}

@test "lcgen -e NAME / --tokenizer FILE: candidate lengths in that tokenizer's tokens, as lctok counts them" {
	V="$ROOT/tests/vectors/color"
	run lcgen candidates --kinds full,lead -e o200k_base -o cand.jsonl "$V/corpus.jsonl"
	assert_success
	python3 -c '
import json, sys
for l in open("cand.jsonl"):
    r = json.loads(l)
    print(json.dumps({"text": r["text"], "n": r["tokens"]}))' > texts.jsonl
	run lctok count -e o200k_base -f text -t m texts.jsonl
	assert_success
	python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    assert r["n"] == r["m"], r' <<<"$output"
	lcgen candidates --kinds full -o c100.jsonl "$V/corpus.jsonl"
	lcgen candidates --kinds full -e o200k_base -o c200.jsonl "$V/corpus.jsonl"
	! cmp -s c100.jsonl c200.jsonl || fail "-e changed nothing"
	run lcgen candidates -e gpt2 --tokenizer x.json "$V/corpus.jsonl"
	assert_failure 2
	assert_output --partial 'give one of -e NAME and --tokenizer FILE'
}

@test "lcgen --tokenizer FILE: a Hugging Face tokenizer.json for lengths" {
	need_shared vocab/hf/gpt-neox-20b/tokenizer.json
	V="$ROOT/tests/vectors/color"
	TJ="$SHARED/vocab/hf/gpt-neox-20b/tokenizer.json"
	run lcgen candidates --kinds full --tokenizer "$TJ" -o cand.jsonl "$V/corpus.jsonl"
	assert_success
	run sh -c "head -1 '$V/corpus.jsonl' | lctok count --tokenizer '$TJ' -f passage_text -t n"
	assert_success
	want=$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["n"])')
	got=$(head -1 cand.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"])')
	[ "$got" = "$want" ] || fail "tokens $got, lctok says $want"
}

@test "lcgen: one request body for every Batch line: probes --summarise equals candidates --batch-out, both with temperature" {
	V="$ROOT/tests/vectors/color"
	run lcgen candidates --kinds llm --model gpt-4o-mini --batch-out cand.jsonl "$V/corpus.jsonl"
	assert_success
	run lcgen probes --summarise "$V/corpus.jsonl" --model gpt-4o-mini -o probes.jsonl
	assert_success
	cmp cand.jsonl probes.jsonl
	# every line: the model, temperature 0, CoLoR's prompt (one distinct summary line)
	run -0 python3 -c '
import json
rows = [json.loads(l)["body"] for l in open("probes.jsonl")]
print(len(rows) > 0, *sorted({(b["model"], b["temperature"], b["messages"][0]["content"].startswith("Summarize the following content.")) for b in rows}))'
	assert_output "True ('gpt-4o-mini', 0.0, True)"
	# the body options reach both the same way
	lcgen candidates --kinds llm --model m --temperature 0.7 --max-tokens 64 --batch-out c2.jsonl "$V/corpus.jsonl"
	lcgen probes --summarise "$V/corpus.jsonl" --model m --temperature 0.7 --max-tokens 64 -o p2.jsonl
	cmp c2.jsonl p2.jsonl
	run -0 python3 -c '
import json
print(*sorted({(json.loads(l)["body"]["temperature"], json.loads(l)["body"]["max_tokens"]) for l in open("p2.jsonl")}))'
	assert_output '(0.7, 64)'
}

@test "lcgen probes --model: passkey requests carry the client's temperature and --max-tokens" {
	run lcgen probes --model m --lengths 100 --per-length 2
	assert_success
	run -0 python3 -c '
import json, sys
for l in sys.stdin:
    b = json.loads(l)["body"]
    print(b["model"], b["temperature"], b.get("max_tokens"))' <<<"$output"
	assert_output $'m 0.0 None\nm 0.0 None'
	run lcgen probes --model m --lengths 100 --per-length 1 --temperature 0.2 --max-tokens 8
	assert_success
	run -0 python3 -c '
import json, sys
for l in sys.stdin:
    b = json.loads(l)["body"]
    print(b["temperature"], b["max_tokens"])' <<<"$output"
	assert_output '0.2 8'
	run lcgen probes --lengths 100 --temperature 0.2
	assert_failure 2
	assert_output --partial '--temperature goes with probes --model NAME'
	run lcgen probes --model m --endpoint http://127.0.0.1:9/v1
	assert_failure 2
	# --batch MODEL is --model's older spelling here: a usage error that names it
	run -2 --separate-stderr lcgen probes --batch m --lengths 100
	assert_output ''
	[[ "$stderr" == *"--batch is now --model"* ]] || fail "$stderr"
}

@test "color.mk SELECTION=released: summaries only, in CoLoR's order, pairs --selection released (dry run)" {
	mkdir -p d/summaries
	touch d/corpus.jsonl d/queries.jsonl d/summaries/gpt_4o_mini.jsonl d/summaries/phi3_mini_4k.jsonl \
		d/summaries/mistral_7b_0.3_inst.jsonl
	run make -n -f "$ROOT/share/lctk/recipes/color.mk" DATA=d OUT=o SELECTION=released LABEL_BY=gpt_4o_mini o/pairs.jsonl
	assert_success
	assert_line --regexp '^lcgen candidates --seed 1 --kinds external +--summaries d/summaries/mistral_7b_0.3_inst.jsonl --summaries d/summaries/phi3_mini_4k.jsonl --summaries d/summaries/gpt_4o_mini.jsonl -o o/candidates.jsonl d/corpus.jsonl$'
	assert_line 'lcgen pairs --selection released --label-by gpt_4o_mini -c d/corpus.jsonl -o o/pairs.jsonl o/candidates.jsonl o/labels.jsonl'
	# without it: lctk's rule and kinds as before
	run -0 make -n -f "$ROOT/share/lctk/recipes/color.mk" DATA=d OUT=o o/pairs.jsonl
	assert_line 'lcgen pairs -c d/corpus.jsonl -o o/pairs.jsonl o/candidates.jsonl o/labels.jsonl'
	assert_line --regexp '^lcgen candidates --seed 1 --kinds full,filter,model,external '
}
