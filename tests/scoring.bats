#!/usr/bin/env bats
# scoring.bats — scores a paper can cite (issues 10 §1 and 11): LLM runs scored in
# every output form exactly as LOFT scores the raw answers, LOFT measures in the
# run's own order, --responses/Batch hand-offs to lceval, lceval's several-run
# output, and the bootstrap intervals.  LOFT's numbers are computed independently
# by tests/vectors/scoring/loft_ref.py.

load helpers

setup() {
	lctk_setup
	REF="$ROOT/tests/vectors/scoring/loft_ref.py"
	llm_corpus 6
}

# same_scores A B: two LOFT metric objects ({"quality", "num_unanswered_queries"}) agree
# (means to 1e-12: numpy's pairwise sum against Python's sum; counts exactly).
same_scores() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["num_unanswered_queries"] == b["num_unanswered_queries"], (a["num_unanswered_queries"], b["num_unanswered_queries"])
assert sorted(a["quality"]) == sorted(b["quality"]), (sorted(a["quality"]), sorted(b["quality"]))
for k in a["quality"]:
    assert abs(a["quality"][k] - b["quality"][k]) < 1e-12, (k, a["quality"][k], b["quality"][k])
PY
}

# Crafted answers: repeats, an unknown row, a float, an empty list, no answer line,
# string and int forms of one row, and a failed request.
crafted_llm_run() {
	cat >queries.jsonl <<'JSON'
{"qid": "q01", "query_text": "whale songs and lava", "answers": [["p10", 1], ["p30", 1]]}
{"qid": "q02", "query_text": "ice", "answers": [["p40", 1]]}
{"qid": "q03", "query_text": "owls", "answers": [["p50", 1]]}
{"qid": "q04", "query_text": "bees", "answers": [["p20", 1]]}
{"qid": "q05", "query_text": "coral", "answers": [["p60", 1]]}
{"qid": "q06", "query_text": "lava", "answers": [["p30", 1]]}
{"qid": "q07", "query_text": "reefs and whales", "answers": [["p60", 1], ["p10", 1]]}
{"qid": "q08", "query_text": "glaciers", "answers": [["p40", 1]]}
{"qid": "q09", "query_text": "bees again", "answers": [["p20", 1]]}
{"qid": "q10", "query_text": "failed", "answers": [["p10", 1]]}
{"qid": "q11", "query_text": "three golds", "answers": [["p10", 1], ["p20", 1], ["p30", 1]]}
{"qid": "q12", "query_text": "owls twice", "answers": [["p50", 1], ["p40", 1]]}
JSON
	python3 - <<'PY'
import json
answers = {
    "q01": "Thought: whales.\nFinal Answer: [0, 0, 2]",
    "q02": "Final Answer: [1, 1, 1, 3]",
    "q03": "Final Answer: [99]",
    "q04": "Final Answer: []",
    "q05": "I am not sure.",
    "q06": "Final Answer: [2, 4]",
    "q07": "**Final Answer:** [5, 5, 0]",
    "q08": "Final Answer: ['3', 3]",
    "q09": "Final Answer: [1, 1.5]",
    "q11": "Final Answer: [0, 0, 0, 0, 1, 2]",
    "q12": "Final Answer: ['4', '4', '3']",
}
with open("results.jsonl", "w") as f:
    for qid, text in answers.items():
        f.write(json.dumps({"id": "r" + qid, "custom_id": qid, "response": {"status_code": 200, "body": {
            "choices": [{"message": {"role": "assistant", "content": text}}]}}, "error": None}) + "\n")
    f.write(json.dumps({"id": "rq10", "custom_id": "q10", "response": None,
                        "error": {"code": "server_error", "message": "failed"}}) + "\n")
PY
	python3 "$REF" answers corpus.jsonl queries.jsonl results.jsonl >loft.json
}

llm_batch() {
	lcretrieve --llm -c corpus.jsonl --prompt nq --batch-in results.jsonl --skip-bad --quiet "$@" queries.jsonl
}

@test "LLM run: every output form scores as LOFT scores the raw answers (repeats, unanswered)" {
	crafted_llm_run
	# the reference itself: repeats cost top-k slots, 3 unanswered (q03 unknown row, q09 float, q10 failed)
	run -0 python3 -c 'import json; d = json.load(open("loft.json")); print(d["num_unanswered_queries"], round(d["quality"]["recall@2"], 4))'
	assert_output "3 0.3194"
	llm_batch -o run.jsonl --responses resp.jsonl 2>err.txt
	llm_batch --trec -o run.trec 2>/dev/null
	llm_batch --loft -o preds.jsonl 2>/dev/null
	for f in run.jsonl run.trec preds.jsonl resp.jsonl; do
		lceval -m loft --json queries.jsonl "$f" >"$f.scores" 2>/dev/null
		same_scores loft.json "$f.scores" || fail "$f does not score as LOFT"
	done
	lceval -m loft --json --corpus corpus.jsonl queries.jsonl results.jsonl >batch.scores 2>/dev/null
	same_scores loft.json batch.scores
	grep -q "2 of 11 answers name an id that is not in the prompt" err.txt || fail "$(cat err.txt)"
}

@test "LLM run JSONL and TREC: how repeats and unanswered queries are written" {
	crafted_llm_run
	llm_batch -o run.jsonl --responses resp.jsonl 2>/dev/null
	run grep -E '"q0(1|3)"' run.jsonl
	assert_line --index 0 '{"qid":"q01","hits":[{"pid":"p10","score":3},{"pid":"p10","score":2,"repeat":true},{"pid":"p30","score":1}]}'
	assert_line --index 1 '{"qid":"q03","hits":[],"answered":false}'
	run grep -E '"q0(1|3|4)"' resp.jsonl
	assert_line --index 0 --partial '"pids":["p10","p10","p30"]}'
	assert_line --index 1 --partial '"pids":null}'
	assert_line --index 2 --partial '"pids":[]}'
	llm_batch --trec --tag t -o run.trec 2>/dev/null
	run grep -E '^(#lctk [a-z]+ )?q0(1|3|4)( |$)' run.trec
	assert_output "$(printf '%s\n' 'q01 Q0 p10 1 3 t' '#lctk repeat q01 Q0 p10 2 2 t' 'q01 Q0 p30 3 1 t' \
		'#lctk unanswered q03' '#lctk empty q04')"
	# --loft: an unanswered query has no prediction line, as LOFT's run_inference writes none
	llm_batch --loft -o preds.jsonl 2>/dev/null
	run grep -c '"q03"\|"q09"\|"q10"' preds.jsonl
	assert_output 0
	# -k counts the model's entries, repeats included (LOFT's top-k slots)
	llm_batch -k 2 2>/dev/null | grep '"q02"' >k2.jsonl
	run cat k2.jsonl
	assert_output '{"qid":"q02","hits":[{"pid":"p20","score":2},{"pid":"p20","score":1,"repeat":true}]}'
	# trec_eval measures see each pid once (repeats are not documents), as trec_eval sees the TREC file
	run lceval -c -q -m P.2 queries.jsonl run.jsonl
	assert_success
	assert_line "$(printf 'P_2                   \tq01\t1.0000')"
	lceval -c -q -m P.2 queries.jsonl run.trec >trec.out
	[ "$output" = "$(cat trec.out)" ] || fail "run JSONL and TREC differ for trec_eval measures"
	# lcconv keeps an LLM run JSONL's unanswered query unanswered in every format (repeats are dropped)
	run -0 lcconv --to loft run.jsonl
	refute_line --partial '"q03"'
	run -0 lcconv --to trec run.jsonl
	assert_line '#lctk unanswered q03'
}

@test "LOFT measures take a ranked run in its own order (rank, then file order), not trec_eval's tie-break" {
	need_shared data/loft/hotpotqa
	# musique-like duplicates: each gold passage of the first 300 queries repeated just
	# before itself under another pid ('0' + pid, so trec_eval's docno-descending
	# tie-break puts the original first while the run lists the copy first)
	python3 - "$SHARED/data/loft/hotpotqa" <<'PY'
import json, sys
d = sys.argv[1]
qs = [json.loads(l) for l in open(d + "/queries.jsonl")][:300]
gold = {a[0] for q in qs for a in q["answers"]}
with open("corpus.jsonl", "w") as f:
    for l in open(d + "/corpus.jsonl"):
        p = json.loads(l)
        if p["pid"] in gold:
            f.write(json.dumps(dict(p, pid="0" + p["pid"])) + "\n")
        f.write(l)
with open("queries.jsonl", "w") as f:
    for q in qs:
        f.write(json.dumps(q) + "\n")
PY
	lcretrieve -c corpus.jsonl -k 5 --trec -o run.trec --quiet queries.jsonl
	lcretrieve -c corpus.jsonl -k 5 -o run.jsonl --quiet queries.jsonl
	python3 "$REF" ranked queries.jsonl run.trec >loft.json
	# the ties matter: trec_eval's order gives other numbers
	LC_ALL=C sort -k1,1 -k5,5gr -k3,3r run.trec | awk '{ $4 = ++n[$1]; print }' >trec-order.trec
	python3 "$REF" ranked queries.jsonl trec-order.trec >trec-order.json
	run -0 python3 -c 'import json; a, b = (json.load(open(p))["quality"]["mrecall@2"] for p in ("loft.json", "trec-order.json")); print(a < b)'
	assert_output True
	lceval -m loft --json queries.jsonl run.trec >trec.scores
	same_scores loft.json trec.scores
	lceval -m loft --json queries.jsonl run.jsonl >jsonl.scores
	same_scores loft.json jsonl.scores
	# a TREC file whose lines are not in rank order: the rank column decides
	tac run.trec >reversed.trec
	lceval -m loft --json queries.jsonl reversed.trec >rev.scores
	same_scores loft.json rev.scores
}

@test "--responses pids win over --corpus; raw answers with row numbers and nothing to map them are an error" {
	crafted_llm_run
	# --prefilter 2: each prompt holds 2 rows, so row numbers are not corpus rows
	llm_batch --prefilter 2 -o run.jsonl --responses resp.jsonl 2>/dev/null
	lceval -m recall@1,2 --json queries.jsonl run.jsonl >run.scores
	lceval -m recall@1,2 --json queries.jsonl resp.jsonl >resp.scores
	lceval -m recall@1,2 --json --corpus corpus.jsonl queries.jsonl resp.jsonl >resp-corpus.scores
	run cmp run.scores resp.scores
	assert_success
	run cmp run.scores resp-corpus.scores
	assert_success
	# trec_eval measures read the pids too
	lceval -c -m P.1 queries.jsonl run.jsonl >run.p1
	run lceval -c -m P.1 queries.jsonl resp.jsonl
	assert_success
	assert_output "$(cat run.p1)"
	# Batch results and raw answers without --corpus: stop and say what to do
	run lceval -m recall@1 queries.jsonl results.jsonl
	assert_failure 1
	assert_output --partial "query 'q01': the answer's ids (0, ...) are row numbers"
	assert_output --partial "give --corpus FILE"
	python3 -c '
import json
for l in open("resp.jsonl"):
    r = json.loads(l); del r["pids"]; print(json.dumps(r))' >raw.jsonl
	run lceval -m P.1 queries.jsonl raw.jsonl
	assert_failure 1
	assert_output --partial "give --corpus FILE"
}

@test "lceval with several runs: --jsonl lines name their run and end with a summary; -q and --json are honoured" {
	crafted_llm_run
	llm_batch -o a.jsonl 2>/dev/null
	llm_batch --loft -o b.jsonl 2>/dev/null
	lceval -m recall@1,2 --jsonl queries.jsonl a.jsonl b.jsonl >out.jsonl 2>/dev/null
	run -0 python3 - <<'PY'
import json
lines = [json.loads(l) for l in open("out.jsonl")]
for run in ("a.jsonl", "b.jsonl"):
    mine = [l for l in lines if l["run"] == run]
    assert len(mine) == 13, len(mine)                     # 12 queries + the summary
    s = mine[-1]
    assert s["qid"] == "all" and s["num_unanswered_queries"] == 3, s
    assert abs(s["recall@2"] - sum(l["recall@2"] for l in mine[:-1]) / 12) < 1e-12
print("ok")
PY
	assert_output ok
	# --json with several runs: one object, LOFT's numbers per run, then the tests; -q adds the lines
	lceval -q -m recall@1 --json queries.jsonl a.jsonl b.jsonl >out.json 2>/dev/null
	run -0 python3 -c '
import json
d = json.load(open("out.json"))
print([r["run"] for r in d["runs"]], [len(r["queries"]) for r in d["runs"]], d["runs"][0]["num_unanswered_queries"], [t["measure"] for t in d["tests"]])'
	assert_output "['a.jsonl', 'b.jsonl'] [12, 12] 3 ['recall@1']"
	# one run, --json -q: LOFT's object plus its lines
	lceval -q -m recall@1 --json queries.jsonl a.jsonl >one.json 2>/dev/null
	run -0 python3 -c 'import json; d = json.load(open("one.json")); print(len(d["queries"]), d["queries"][0])'
	assert_output "12 {'qid': 'q01', 'turn_id': '0', 'recall@1': 0.5}"
	# -q in text mode with several runs: a line per topic and measure, a column per run
	run lceval -q -m recall@1 queries.jsonl a.jsonl b.jsonl
	assert_success
	assert_line "$(printf 'recall@1              \tq02\t0.0000\t0.0000')"
	lceval -c -q -m P.1 queries.jsonl a.jsonl a.jsonl >trec.txt
	grep -q "$(printf '^P_1                   \tq01\t1.0000\t1.0000$')" trec.txt || fail "$(cat trec.txt)"
}

@test "--permutations 0 and --bootstrap 0 are usage errors" {
	crafted_llm_run
	llm_batch -o a.jsonl 2>/dev/null
	run lceval --permutations 0 -m P.1 queries.jsonl a.jsonl a.jsonl
	assert_failure 2
	assert_output --partial "--permutations"
	run lceval --bootstrap 0 -m recall@1 queries.jsonl a.jsonl a.jsonl
	assert_failure 2
	assert_output --partial "--bootstrap"
}

@test "bootstrap intervals: BCa (default) and percentile equal SciPy's on the same resamples" {
	V="$ROOT/tests/vectors/scoring/bca"
	S="$ROOT/share/lctk/samples"
	for ci in bca percentile; do
		lceval --ci "$ci" --bootstrap-indices "$V/indices.txt.gz" -m map -m P.10 --json \
			"$S/qrels.txt" "$S/bm25.run" "$S/dense.run" "$S/rerank.run" >"$ci.json"
	done
	# the default is BCa
	lceval --bootstrap-indices "$V/indices.txt.gz" -m map -m P.10 --json \
		"$S/qrels.txt" "$S/bm25.run" "$S/dense.run" "$S/rerank.run" >default.json
	run cmp default.json bca.json
	assert_success
	run -0 python3 - "$V/expected.json" <<'PY'
import json, os, sys
exp = json.load(open(sys.argv[1]))
for ci in ("bca", "percentile"):
    # the pairs against the first run (lceval tests every pair)
    got = {(os.path.basename(t["run"]), t["measure"]): (t["ci_low"], t["ci_high"]) for t in json.load(open(ci + ".json"))["tests"]
           if os.path.basename(t["baseline"]) == "bm25.run"}
    for t in exp["tests"]:
        lo, hi = got[(t["run"], t["measure"])]
        assert abs(lo - t[ci][0]) < 1e-12 and abs(hi - t[ci][1]) < 1e-12, (ci, t, lo, hi)
print("ok")
PY
	assert_output ok
	# the two methods differ here, so the test tells them apart
	run cmp bca.json percentile.json
	assert_failure
	# resamples of the wrong width, and bad values
	printf '0 1 2\n' >short.txt
	run lceval --bootstrap-indices short.txt -m map "$S/qrels.txt" "$S/bm25.run" "$S/dense.run"
	assert_failure 2
	assert_output --partial "the resamples have 3 indices each, the comparison has 20 topics"
	run lceval --ci normal -m map "$S/qrels.txt" "$S/bm25.run" "$S/dense.run"
	assert_failure 2
}

@test "answers: \\N{NAME} escapes are read as Python's ast.literal_eval reads them" {
	[ -e /usr/share/unicode/UnicodeData.txt ] || skip "Debian unicode-data not installed"
	python3 - <<'PY'
import json
with open("corpus.jsonl", "w") as f:
    for i in range(12):
        f.write(json.dumps({"pid": "p%d" % i, "title_text": "", "passage_text": "text %d" % i}) + "\n")
answers = {
    "q1": r"Final Answer: ['\N{DIGIT ONE}']",                      # -> row 1
    "q2": r"Final Answer: ['\N{NO SUCH CHARACTER}', 1]",           # SyntaxError -> empty
    "q3": r"Final Answer: ['1\N{digit zero}', '\N{DIGIT TWO}']",   # names ignore case -> rows 10, 2
    "q4": r"Final Answer: ['\N{HANGUL SYLLABLE GAG}', 3]",         # a syllable: not a row -> unanswered
    "q5": r"Final Answer: ['\N{CJK UNIFIED IDEOGRAPH-4E00}']",     # ideograph: not a row -> unanswered
    "q6": r"Final Answer: ['\N{CJK UNIFIED IDEOGRAPH-4e00}', 4]",  # lower-case hex: SyntaxError -> empty
    "q7": r"Final Answer: ['\N{DIGIT FIVE}\N{LF}']",               # alias LF: '5\n' -> unanswered
    "q8": r"Final Answer: [b'\N{DIGIT ONE}', 6]",                  # bytes: \N is no escape -> unanswered
}
with open("queries.jsonl", "w") as f:
    for q in answers:
        f.write(json.dumps({"qid": q, "query_text": q, "answers": [["p1", 1], ["p10", 1], ["p2", 1]]}) + "\n")
with open("results.jsonl", "w") as f:
    for q, t in answers.items():
        f.write(json.dumps({"custom_id": q, "response": {"status_code": 200, "body": {
            "choices": [{"message": {"content": t}}]}}, "error": None}) + "\n")
PY
	python3 "$REF" answers corpus.jsonl queries.jsonl results.jsonl >loft.json
	lceval -m loft --json --corpus corpus.jsonl queries.jsonl results.jsonl >lctk.json 2>/dev/null
	same_scores loft.json lctk.json
	run python3 -c 'import json; print(json.load(open("loft.json"))["num_unanswered_queries"])'
	assert_output 4
}

@test "--deduplicate-pids: ids compared by passage text, as LOFT's --deduplicate_pids (TopiOCQA)" {
	mkdir data
	# p2 and p3 repeat p1's passage (white space around title and text is stripped);
	# p5 has p4's text under another title, so it stays distinct
	cat >data/corpus.jsonl <<'JSON'
{"pid": "p1", "title_text": "Tea", "passage_text": "Tea is a drink.", "metadata": {}}
{"pid": "p2", "title_text": " Tea", "passage_text": "Tea is a drink.\n", "metadata": {}}
{"pid": "p3", "title_text": "Tea\u3000", "passage_text": "\u00a0Tea is a drink.", "metadata": {}}
{"pid": "p4", "title_text": "Coffee", "passage_text": "Coffee is a drink.", "metadata": {}}
{"pid": "p5", "title_text": "Beans", "passage_text": "Coffee is a drink.", "metadata": {}}
{"pid": "p6", "title_text": "Water", "passage_text": "Water is wet.", "metadata": {}}
JSON
	cat >data/queries.jsonl <<'JSON'
{"qid": "t1", "query_text": "tea", "answers": [["p1", 1]]}
{"qid": "t2", "query_text": "tea and coffee", "answers": [["p1", 1], ["p4", 1]]}
{"qid": "t3", "query_text": "coffee", "answers": [["p4", 1]]}
{"qid": "t4", "query_text": "none", "answers": [["p6", 1]]}
JSON
	cat >preds.jsonl <<'JSON'
{"qid": "t1", "num_turns": 1, "model_outputs": [["p2", "p6"]]}
{"qid": "t2", "num_turns": 1, "model_outputs": [["p3", "p1", "p4"]]}
{"qid": "t3", "num_turns": 1, "model_outputs": [["p5", "p4"]]}
JSON
	python3 "$REF" dedup data/queries.jsonl preds.jsonl data/corpus.jsonl >loft.json
	lceval -m loft --json --deduplicate-pids data/queries.jsonl preds.jsonl >lctk.json 2>/dev/null
	same_scores loft.json lctk.json
	# it changes the numbers: without it p2 is not p1
	run -0 python3 -c 'import json; print(json.load(open("loft.json"))["quality"]["recall@1"])'
	assert_output 0.375
	lceval -m loft --json data/queries.jsonl preds.jsonl >plain.json 2>/dev/null
	run same_scores loft.json plain.json
	assert_failure
	# --corpus names another corpus; a pid missing from it is an error (LOFT: KeyError)
	cp data/corpus.jsonl other.jsonl
	lceval -m loft --json --deduplicate-pids --corpus other.jsonl data/queries.jsonl preds.jsonl >other.json 2>/dev/null
	run cmp lctk.json other.json
	assert_success
	grep -v '"p5"' data/corpus.jsonl >short.jsonl
	run lceval -m loft --deduplicate-pids --corpus short.jsonl -o out.json data/queries.jsonl preds.jsonl
	assert_failure 1
	assert_output --partial "query 't3': predicted pid 'p5' is not in the --deduplicate-pids corpus"
	assert_no_file out.json
	run lceval -m P.1 --deduplicate-pids data/queries.jsonl preds.jsonl
	assert_failure 2
}
