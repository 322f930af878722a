#!/usr/bin/env bats
# lceval: byte-for-byte agreement with trec_eval 10.0 and LOFT's evaluation on the
# conformance vectors (../shared/vectors/eval, copies of a few in tests/vectors/eval),
# the other input formats, several runs with significance tests, and bad input.

load helpers
load trec_case
setup() { lctk_setup; }
teardown() { lctk_teardown; }
bats_require_minimum_version 1.5.0

VEC="$ROOT/tests/vectors/eval"

# LOFT cases: --json must equal metrics.json, --jsonl metrics_per_line.jsonl.
loft_case() {
	local d="$1"
	run --separate-stderr lceval -m loft --json "$d/queries.jsonl" "$d/preds.jsonl"
	assert_success
	[ "$output" = "$(cat "$d/expected/metrics.json")" ] || { echo "$output"; return 1; }
	run --separate-stderr lceval -m loft --jsonl "$d/queries.jsonl" "$d/preds.jsonl"
	assert_success
	[ "$output" = "$(cat "$d/expected/metrics_per_line.jsonl")" ] || { echo "$output"; return 1; }
}

@test "bundled trec_graded vector: all_trec and selected measures, -q, byte-identical" {
	run trec_case "$VEC/trec_graded"
	assert_success
}

@test "bundled trec_ties vector: score ties broken by docno descending" {
	run trec_case "$VEC/trec_ties"
	assert_success
}

@test "bundled trec_duplicates vector: duplicate docs exit 4 with trec_eval's messages" {
	run trec_case "$VEC/trec_duplicates"
	assert_success
}

@test "bundled trec_complete_num_rel vector: -c num_rel summary counts every judgment > 0 of the qrels" {
	run trec_case "$VEC/trec_complete_num_rel"
	assert_success
}

@test "bundled trec_gain_order vector: gains less than 1 apart ordered as trec_eval's int comparator" {
	run trec_case "$VEC/trec_gain_order"
	assert_success
}

@test "bundled trec_nan_scores vector: NaN scores ranked as trec_eval's merge sort leaves them" {
	run trec_case "$VEC/trec_nan_scores"
	assert_success
}

@test "bundled trec_mixed_blanks vector: TREC qrels with blanks and tabs mixed is not BEIR" {
	run trec_case "$VEC/trec_mixed_blanks"
	assert_success
}

@test "bundled trec_dcg_yaap vector: dcg, ideal_dcg and yaap (outside all_trec) as trec_eval computes and orders them" {
	run trec_case "$VEC/trec_dcg_yaap"
	assert_success
}

@test "bundled trec_qrels_jg vector: -R qrels_jg and map_avgjg, P_avgjg, Rprec_mult_avgjg; format errors as trec_eval's" {
	run trec_case "$VEC/trec_qrels_jg"
	assert_success
}

@test "bundled trec_zscore vector: -Z z scores per topic and summary, missing topic/measure -1000000, file errors exit 255" {
	run trec_case "$VEC/trec_zscore"
	assert_success
}

@test "-Z: a compressed z file reads the same; --json gives z scores as numbers, num_ret too" {
	local d="$VEC/trec_zscore"
	gzip -c "$d/zscores.txt" > "$BATS_TEST_TMPDIR/z.gz"
	run --separate-stderr lceval -q -Z "$BATS_TEST_TMPDIR/z.gz" "$d/qrels.txt" "$d/run.txt"
	assert_success
	[ "$output" = "$(cat "$d/expected/official.txt")" ]
	run --separate-stderr lceval -m num_ret -m map -Z "$d/zscores.txt" --json "$d/qrels.txt" "$d/run.txt"
	assert_success
	[ "$(printf '%.4f' "$(jq -r '.summary.num_ret' <<< "$output")")" = "$(lceval -m num_ret -Z "$d/zscores.txt" "$d/qrels.txt" "$d/run.txt" | awk '$1 == "Znum_ret" { print $3 }')" ]
}

@test "bundled trec_version vector: -v prints trec_eval's version line on stderr and exits 0 where trec_eval does" {
	run trec_case "$VEC/trec_version"
	assert_success
}

@test "--version stays lctk's (stdout, exit 0) next to trec_eval's -v" {
	run --separate-stderr lceval --version
	assert_success
	assert_output --regexp '^lceval \(lctk\) [0-9]'
	run --separate-stderr lceval --trec_eval_version
	assert_success
	assert_output ''
	[ "$stderr" = "trec_eval version 10.0-rc3" ]
}

@test "bundled trec_debug_query vector: -D N.QID evaluates QID alone; -c still averages over every qrels topic" {
	run trec_case "$VEC/trec_debug_query"
	assert_success
}

@test "-D N.QID picks the same topic when the run is read in parts (-j 2) and from stdin" {
	local d="$VEC/trec_debug_query"
	run --separate-stderr lceval -j 2 -q -D 0.t2 -m all_trec "$d/qrels.txt" "$d/run.txt"
	assert_success
	[ "$output" = "$(cat "$d/expected/one_topic.txt")" ]
	run --separate-stderr lceval -q -D 0.t2 -m all_trec "$d/qrels.txt" - < "$d/run.txt"
	assert_success
	[ "$output" = "$(cat "$d/expected/one_topic.txt")" ]
}

@test "--qrels-format trec_jg is -R qrels_jg; --json carries the judgment-group measures" {
	local d="$VEC/trec_qrels_jg"
	run --separate-stderr lceval --qrels-format trec_jg -q -m qrels_jg "$d/qrels_jg.txt" "$d/run.txt"
	assert_success
	[ "$output" = "$(cat "$d/expected/qrels_jg.txt")" ]
	run --separate-stderr lceval -R qrels_jg -m map_avgjg --json "$d/qrels_jg.txt" "$d/run.txt"
	assert_success
	[ "$(printf '%.4f' "$(jq -r '.summary.map_avgjg' <<< "$output")")" = "$(awk '$1 == "map_avgjg" { if ($2 == "all") print $3 }' "$d/expected/qrels_jg.txt")" ]
}

@test "judgment groups go with trec_eval's measures: LOFT measures on -R qrels_jg are a usage error" {
	local d="$VEC/trec_qrels_jg"
	run --separate-stderr lceval -R qrels_jg -m recall@5 "$d/qrels_jg.txt" "$d/run.txt"
	assert_failure 2
	assert_output ''
	[[ "$stderr" == "lceval: judgment groups (-R qrels_jg) go with trec_eval's measures"* ]] || fail "$stderr"
}

@test "dcg, ideal_dcg and ndcg asked for together each use their own gains (trec_eval aborts: one shared gain list)" {
	local d="$VEC/trec_dcg_yaap"
	run --separate-stderr lceval -m ndcg.2=5,3=1 -m ideal_dcg -m dcg.1=3 "$d/qrels.txt" "$d/run.txt"
	assert_success
	[ "$output" = "$(cat "$d/expected/alone_dcg.txt" "$d/expected/alone_ideal_dcg.txt" "$d/expected/alone_ndcg.txt")" ]
}

@test "all_trec leaves out dcg, ideal_dcg and yaap, and keeps them when also named" {
	local d="$VEC/trec_dcg_yaap"
	run lceval -m all_trec "$d/qrels.txt" "$d/run.txt"
	assert_success
	refute_output --regexp '^(dcg|ideal_dcg|yaap) '
	run lceval -m yaap -m all_trec "$d/qrels.txt" "$d/run.txt"
	assert_success
	assert_line --regexp '^yaap +'$'\t''all'$'\t''-0\.5798$'
}

@test "bundled loft_edge_a vector: LOFT JSON and per-line metrics" {
	loft_case "$VEC/loft_edge_a"
}

@test "every trec_* case in ../shared/vectors/eval" {
	need_shared vectors/eval
	local n=0
	for d in "$SHARED"/vectors/eval/trec_*/; do
		run trec_case "${d%/}"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

@test "every loft_* evaluation case in ../shared/vectors/eval" {
	need_shared vectors/eval
	local n=0
	for d in "$SHARED"/vectors/eval/loft_*/; do
		[ -f "$d/queries.jsonl" ] || continue
		loft_case "${d%/}"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

@test "loft_parse_a: raw answers through --run-format answers and --corpus" {
	need_shared vectors/eval/loft_parse_a
	local d="$SHARED/vectors/eval/loft_parse_a"
	# gold = the expected 53358ff mapping; a query scores recall@5 = 1 exactly when
	# lceval maps the answer to the same non-empty pid list
	python3 - "$d" > q.jsonl <<'EOF'
import json, sys
for l in open(sys.argv[1] + "/expected/parsed_loft_53358ff.jsonl"):
    r = json.loads(l)
    print(json.dumps({"qid": r["id"], "answers": [[p, 1] for p in dict.fromkeys(r["pids"] or ["none"])] or [["none", 1]]}))
EOF
	run --separate-stderr lceval -m recall@5 --jsonl --run-format answers --corpus "$d/corpus_pids.json" q.jsonl "$d/model_responses.jsonl"
	assert_success
	python3 - "$d" "$output" <<'EOF'
import json, sys
exp = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[1] + "/expected/parsed_loft_53358ff.jsonl")}
got = {json.loads(l)["qid"]: json.loads(l) for l in sys.argv[2].splitlines()}
for k, e in exp.items():
    want = 1.0 if e["pids"] else 0
    assert got[k]["recall@5"] == want, (k, got[k], e)
EOF
	# unmapped answers are reported as unanswered on stderr
	[[ "$stderr" == *"apostrophe_escape was unanswered"* ]]
	[[ "$stderr" == *"out_of_range_id was unanswered"* ]]
}

@test "-m with parameters, nicknames and table order" {
	run lceval -m P.10,5 -m map -m ndcg_cut.3 "$VEC/trec_graded/qrels.txt" "$VEC/trec_graded/run.txt"
	assert_success
	assert_output "$(printf 'map                   \tall\t0.3809\nP_5                   \tall\t0.3000\nP_10                  \tall\t0.2500\nndcg_cut_3            \tall\t%s' "$(lceval -m ndcg_cut.3 "$VEC/trec_graded/qrels.txt" "$VEC/trec_graded/run.txt" | cut -f3)")"
	run lceval "$VEC/trec_graded/qrels.txt" "$VEC/trec_graded/run.txt"
	assert_success
	assert_line --index 0 --regexp '^runid +	all	tagA$'
	[ "${#lines[@]}" -eq 30 ]
	run lceval -m P.5,5 "$VEC/trec_graded/qrels.txt" "$VEC/trec_graded/run.txt"
	assert_failure 2
	assert_output --partial "duplicate cutoffs detected"
	run lceval -m nosuch "$VEC/trec_graded/qrels.txt" "$VEC/trec_graded/run.txt"
	assert_failure 1
	assert_line --index 0 "trec_eval: illegal measure 'nosuch'"
	assert_line --index 1 --partial "lceval: the closest known measure is '"
}

@test "-l, -M, -J and -c change the evaluation as in trec_eval" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run lceval -m num_rel -l 2 "$q" "$r"
	assert_success
	assert_output --regexp "num_rel +	all	$(awk '$4 >= 2' "$q" | wc -l)\$"
	run lceval -m num_ret -M 3 "$q" "$r"
	assert_success
	assert_output --regexp 'num_ret +	all	12$'
	run lceval -q -m relstring -J "$q" "$r"
	assert_success
	assert_line --regexp "^relstring +	q1	'0320213011'$"
}

@test "-l, -M and -N read their numbers as trec_eval does (atol: leading digits, else 0)" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run lceval -m num_rel -l 2x "$q" "$r"
	assert_success
	assert_output --regexp "num_rel +	all	$(awk '$4 >= 2' "$q" | wc -l)\$"
	run lceval -m num_ret -M 3rd "$q" "$r"
	assert_success
	assert_output --regexp 'num_ret +	all	12$'
	# -l abc is -l 0: every judged document counts as relevant
	run lceval -m num_rel -l abc "$q" "$r"
	assert_success
	assert_output --regexp "num_rel +	all	$(awk '$4 >= 0' "$q" | wc -l)\$"
}

@test "-R and -T take trec_eval's one format each; anything else is trec_eval's message and exit 2" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -0 lceval -R qrels -T trec_results -m map "$q" "$r"
	assert_output "$(lceval -m map "$q" "$r")"
	run -2 --separate-stderr lceval -R trec -m map "$q" "$r"
	assert_equal "$stderr" "trec_eval: Illegal rel_format 'trec'"
	assert_output ""
	run -2 --separate-stderr lceval -T jsonl -m map "$q" "$r"
	assert_equal "$stderr" "trec_eval: Illegal retrieval results format 'jsonl'"
}

@test "bad option values are usage errors naming the option: --answer-rule, --ci, --seed, --alpha, --permutations" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run -2 --separate-stderr lceval --answer-rule tail "$q" "$r"
	assert_equal "$stderr" "$(printf "lceval: --answer-rule: expected 'loft' or 'head', got 'tail'\nTry 'lceval --help' for more information.")"
	run -2 --separate-stderr lceval --ci normal "$q" "$r"
	assert_equal "$stderr" "$(printf "lceval: --ci: expected 'bca' or 'percentile', got 'normal'\nTry 'lceval --help' for more information.")"
	run -2 --separate-stderr lceval --seed -1 "$q" "$r"
	assert_equal "$stderr" "lceval: option --seed: '-1' is not a whole number from 0 to 9223372036854775807"
	run -2 --separate-stderr lceval --alpha 2 "$q" "$r"
	assert_equal "$stderr" "lceval: option --alpha: '2' is not a number from 0 to 1"
	run -2 --separate-stderr lceval --permutations 0 "$q" "$r"
	assert_equal "$stderr" "lceval: option --permutations: '0' is not a whole number from 1 to 100000000"
	assert_output ""
}

@test "qrels as BEIR tsv and LOFT queries, runs as lctk JSONL, give trec_eval's numbers" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	awk 'BEGIN{print "query-id\tcorpus-id\tscore"} {print $1 "\t" $3 "\t" $4}' "$q" > qrels.tsv
	python3 - "$r" > run.jsonl <<'EOF'
import json, sys
runs = {}
for l in open(sys.argv[1]):
    f = l.split()
    runs.setdefault(f[0], []).append({"pid": f[2], "score": float(f[4])})
for q, h in runs.items():
    print(json.dumps({"qid": q, "hits": h}))
EOF
	python3 - "$q" > queries.jsonl <<'EOF'
import json, sys
qs = {}
for l in open(sys.argv[1]):
    f = l.split()
    qs.setdefault(f[0], []).append([f[2], int(f[3])])
for q, a in qs.items():
    print(json.dumps({"qid": q, "query_text": "", "answers": a}))
EOF
	want="$(lceval -m all_trec "$q" "$r" | grep -v '^runid')"
	run lceval -m all_trec qrels.tsv run.jsonl
	assert_success
	[ "$(echo "$output" | grep -v '^runid')" = "$want" ]
	run lceval -m all_trec queries.jsonl "$r"
	assert_success
	[ "$(echo "$output" | grep -v '^runid')" = "$want" ]
	# BEIR qrels straight from a zip
	mkdir -p beir/qrels && cp qrels.tsv beir/qrels/test.tsv && (cd beir && zip -qr ../beir.zip .)
	run lceval -m all_trec --qrels-member '*qrels/test.tsv' beir.zip run.jsonl
	assert_success
	[ "$(echo "$output" | grep -v '^runid')" = "$want" ]
	echo '{"_id": "d1", "text": "x"}' > beir/corpus.jsonl
	mkdir -p beir/qrels && printf 'query-id\tcorpus-id\tscore\nzz\tzz\t1\n' > beir/qrels/dev.tsv
	rm -f beir.zip && (cd beir && zip -qr ../beir.zip .)
	run lceval -m all_trec beir.zip run.jsonl
	assert_success
	[ "$(echo "$output" | grep -v '^runid')" = "$want" ]
}

@test "OpenAI Batch results: joined on custom_id, answers mapped through the corpus" {
	printf '{"qid":"q1","answers":[["pB",1]]}\n{"qid":"q2","answers":[["pC",1]]}\n{"qid":"q3","answers":[["pA",1]]}\n' > q.jsonl
	printf '{"pid":"pA"}\n{"pid":"pB"}\n{"pid":"pC"}\n' > corpus.jsonl
	cat > batch.jsonl <<'EOF'
{"id":"b2","custom_id":"q2","response":{"status_code":200,"body":{"choices":[{"message":{"content":"Final Answer: [2, 0]"}}]}},"error":null}
{"id":"b1","custom_id":"q1","response":{"status_code":200,"body":{"choices":[{"message":{"content":"reasoning\nFinal Answer: ['1']"}}]}},"error":null}
{"id":"b3","custom_id":"q3","response":null,"error":{"message":"failed"}}
EOF
	run --separate-stderr lceval -m recall@1 -m precision@2 --json --corpus corpus.jsonl q.jsonl batch.jsonl
	assert_success
	assert_output "$(printf '{\n    "quality": {\n        "recall@1": 0.6666666666666666,\n        "precision@2": 0.3333333333333333\n    },\n    "num_unanswered_queries": 1\n}')"
	[[ "$stderr" == *"q3 was unanswered"* ]]
}

@test "--corpus and --deduplicate-pids read a dataset archive's corpus.jsonl, not every member" {
	mkdir -p ds
	printf '{"pid":"pA","title_text":"t","passage_text":"same"}\n{"pid":"pB","title_text":"t","passage_text":"same"}\n{"pid":"pC","title_text":"u","passage_text":"other"}\n' > ds/corpus.jsonl
	printf '{"qid":"q1","query_text":"x","answers":[["pB",1]]}\n{"qid":"q2","query_text":"y","answers":[["pC",1]]}\n' > ds/queries.jsonl
	cp ds/queries.jsonl ds/few_shot_queries.jsonl
	rm -f ds.zip && zip -qr ds.zip ds
	cat > batch.jsonl <<'EOF'
{"id":"b1","custom_id":"q1","response":{"status_code":200,"body":{"choices":[{"message":{"content":"Final Answer: [0]"}}]}},"error":null}
{"id":"b2","custom_id":"q2","response":{"status_code":200,"body":{"choices":[{"message":{"content":"Final Answer: [2]"}}]}},"error":null}
EOF
	# row 0 is pA: wrong for q1 by pid, right by text (pA and pB hold the same passage)
	run --separate-stderr lceval -m recall@1 --corpus ds.zip ds/queries.jsonl batch.jsonl
	assert_success
	assert_line --regexp '^recall@1 +'$'\t''all'$'\t''0\.5000$'
	run --separate-stderr lceval -m recall@1 --deduplicate-pids --corpus ds.zip ds/queries.jsonl batch.jsonl
	assert_success
	assert_line --regexp '^recall@1 +'$'\t''all'$'\t''1\.0000$'
	# QRELS a dataset's archive: its corpus.jsonl, as LOFT reads the corpus next to the queries
	printf '{"qid":"q1","num_turns":1,"model_outputs":[["pA"]]}\n{"qid":"q2","num_turns":1,"model_outputs":[["pC"]]}\n' > preds.jsonl
	run --separate-stderr lceval -m recall@1 --deduplicate-pids ds.zip preds.jsonl
	assert_success
	assert_line --regexp '^recall@1 +'$'\t''all'$'\t''1\.0000$'
}

@test "several runs: one table, a column per run, tests of every pair" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	awk '{ $5 = -$5; print }' "$r" > worse.txt
	run lceval -m map -m P.5 --permutations 2000 --seed 7 "$q" "$r" worse.txt
	assert_success
	assert_line --index 0 '# runs: a run.txt, b worse.txt'
	assert_line --index 2 --regexp '^measure +	run.txt +	worse.txt$'
	assert_line --regexp '^map +	0\.3809 +	0\.[0-9]{4}'
	assert_output --partial "# b worse.txt vs a run.txt (baseline), 4 topics"
	assert_output --partial "p_rand_holm"
	first="$output"
	run -0 lceval -m map -m P.5 --permutations 2000 --seed 7 "$q" "$r" worse.txt
	[ "$output" = "$first" ]
	run lceval -m map --json "$q" "$r" worse.txt
	assert_success
	echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["runs"]) == 2 and d["runs"][0]["summary"]["map"] > 0.38'
}

@test "--json and --jsonl for one run" {
	local q="$VEC/trec_graded/qrels.txt" r="$VEC/trec_graded/run.txt"
	run lceval -q -m map -m P.5 --json "$q" "$r"
	assert_success
	echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert abs(d["summary"]["map"] - 0.3809) < 5e-5 and "q1" in d["queries"]'
	run lceval -m map --jsonl "$q" "$r"
	assert_success
	[ "${#lines[@]}" -eq 5 ]
	assert_line --index 4 --partial '"qid": "all"'
}

@test "-o writes atomically; a failed evaluation leaves no file" {
	local q="$VEC/trec_duplicates/qrels.txt"
	run lceval -o out.txt "$q" "$VEC/trec_duplicates/run_ok.txt"
	assert_success
	[ -s out.txt ]
	run lceval -q -o bad.txt "$q" "$VEC/trec_duplicates/run_dupdoc.txt"
	assert_failure 4
	assert_no_file bad.txt
	# JSON output of a failed evaluation: nothing on stdout
	run --separate-stderr lceval -q --json "$q" "$VEC/trec_duplicates/run_dupdoc.txt"
	assert_failure 4
	assert_no_stdout
	[[ "$stderr" == *"duplicate docs a"* ]]
}

@test "malformed qrels line: lceval: FILE:LINE, exit 2, nothing on stdout" {
	printf 'q1 0 d1 1\nq1 0 d2\n' > qrels.txt
	printf 'q1 Q0 d1 1 1.0 t\n' > run.txt
	run --separate-stderr lceval qrels.txt run.txt
	assert_failure 2
	assert_no_stdout
	[[ "$stderr" == "lceval: qrels.txt:2: malformed qrels line: expected 4 fields"* ]]
}

@test "malformed run line: lceval: FILE:LINE, exit 2, nothing on stdout" {
	printf 'q1 0 d1 1\n' > qrels.txt
	printf 'q1 Q0 d1 1 1.0 t\n# comment\nq1 Q0 d2 2 0.5\n' > run.txt
	run --separate-stderr lceval qrels.txt run.txt
	assert_failure 2
	assert_no_stdout
	[[ "$stderr" == "lceval: run.txt:3: malformed run line: expected 6 fields"* ]]
}

@test "bad JSON lines name the file and line" {
	printf '{"qid":"q1","answers":[["p1",1]]}\n' > q.jsonl
	printf '{"qid":"q1","num_turns":1,"model_outputs":[["p1"]]}\n{"qid": q2}\n' > p.jsonl
	run --separate-stderr lceval -m loft q.jsonl p.jsonl
	assert_failure 1
	assert_no_stdout
	[[ "$stderr" == "lceval: p.jsonl:2"* ]]
	printf '{"qid":"q1","answers":"p1"}\n' > q2.jsonl
	run --separate-stderr lceval -m loft q2.jsonl p.jsonl
	assert_failure 1
	[[ "$stderr" == *"q2.jsonl:1: field 'answers'"* ]]
}

@test "a qrels topic missing from the run: exit 4 without -c, dummy ranking with -c" {
	printf 'a 0 d1 1\nb 0 d2 1\n' > qrels.txt
	printf 'a Q0 d1 1 1.0 t\n' > run.txt
	run --separate-stderr lceval -m map qrels.txt run.txt
	assert_failure 4
	[ "$stderr" = "$(printf '%s\n%s' "trec_eval: result qid 'b' not found in qrels" "lceval: run.txt lacks topic 'b' that qrels.txt has (score it as 0 with -c)")" ] || fail "$stderr"
	run lceval -c -m map -m num_q qrels.txt run.txt
	assert_success
	assert_output "$(printf 'num_q                 \tall\t2\nmap                   \tall\t0.5000')"
}

@test "usage errors exit 2" {
	run lceval only-one-file
	assert_failure 2
	run lceval --run-format nope a b
	assert_failure 2
}

@test "many topics: threaded evaluation gives the same output, and stops at the first failing topic" {
	python3 - <<'PY'
with open("qrels.txt", "w") as q, open("run.txt", "w") as r:
    for t in range(300):
        qid = "t%03d" % t
        for d in range(5):
            q.write("%s 0 d%d %d\n" % (qid, d, d % 3))
        for d in range(8):
            r.write("%s Q0 d%d %d %d tag\n" % (qid, (d * 7 + t) % 9, d + 1, 10 - d))
        if t == 150:
            r.write("%s Q0 d0 9 0.5 tag\n" % qid)
PY
	run --separate-stderr env LCTK_THREADS=1 lceval -q -m all_trec qrels.txt run.txt
	assert_failure 4
	one="$output"
	[[ "$stderr" == "trec_eval.form_res_qrels: duplicate docs d0trec_eval: Can't calculate measure 'num_ret'" ]]
	run --separate-stderr env LCTK_THREADS=4 lceval -q -m all_trec qrels.txt run.txt
	assert_failure 4
	[ "$output" = "$one" ]
	# the last topic printed is the one before the failing topic
	[ "$(echo "$one" | tail -1 | cut -f2)" = "t149" ]
	grep -v 't150 Q0 d0 9' run.txt > ok.txt
	run env LCTK_THREADS=1 lceval -q -m all_trec qrels.txt ok.txt
	assert_success
	one="$output"
	run env LCTK_THREADS=3 lceval -q -m all_trec qrels.txt ok.txt
	assert_success
	[ "$output" = "$one" ]
}

@test "the run can come from a pipe ('-'), as in trec_eval" {
	run bash -c "cat '$VEC/trec_graded/run.txt' | lceval -m map '$VEC/trec_graded/qrels.txt' -"
	assert_success
	assert_output --regexp '^map +	all	0\.3809$'
}

@test "issue 18 #23: a topic the run lacks is blamed on the run, naming both files, with one run or several" {
	printf 'a 0 d1 1\nb 0 d2 1\n' > qrels.txt
	printf 'a Q0 d1 1 1.0 t\nb Q0 d2 1 1.0 t\n' > full.txt
	printf 'a Q0 d1 1 1.0 t\n' > short.txt
	run --separate-stderr lceval -m map qrels.txt short.txt
	assert_failure 4
	[ "$stderr" = "$(printf '%s\n%s' "trec_eval: result qid 'b' not found in qrels" "lceval: short.txt lacks topic 'b' that qrels.txt has (score it as 0 with -c)")" ] || fail "$stderr"
	run --separate-stderr lceval -m map qrels.txt full.txt short.txt
	assert_failure 4
	[ "$stderr" = "$(printf '%s\n%s' "lceval: short.txt: trec_eval: result qid 'b' not found in qrels" "lceval: short.txt lacks topic 'b' that qrels.txt has (score it as 0 with -c)")" ] || fail "$stderr"
	assert_no_stdout
}

@test "issue 18 #24: two runs where the second is bad exit cleanly (no leak under ASan/valgrind)" {
	printf 'a 0 d1 1\nb 0 d2 1\n' > qrels.txt
	printf 'a Q0 d1 1 1.0 t\nb Q0 d2 1 1.0 t\n' > full.txt
	printf 'garbage\n' > bad.txt
	printf 'a Q0 d1 1 1.0 t\na Q0 d1 2 0.5 t\nb Q0 d2 1 1 t\n' > dup.txt
	run --separate-stderr lceval -m map qrels.txt full.txt bad.txt
	assert_failure 2
	[[ "$stderr" == "lceval: bad.txt:1: malformed run line"* ]] || fail "$stderr"
	run --separate-stderr lceval -m map -o out.txt qrels.txt full.txt dup.txt
	assert_failure 4
	[[ "$stderr" == "lceval: dup.txt: trec_eval.form_res_qrels: duplicate docs d1"* ]] || fail "$stderr"
	[ ! -e out.txt ] || fail "out.txt written"
	# one run with duplicate docs: LeakSanitizer reported the runs (exit 1, not 4) on this exit
	run --separate-stderr lceval -m map qrels.txt dup.txt
	assert_failure 4
	[ "$stderr" = "trec_eval.form_res_qrels: duplicate docs d1trec_eval: Can't calculate measure 'map'" ] || fail "$stderr"
}

@test "issue 16: a run whose topics come in several blocks is read whole and gives trec_eval's output" {
	# the streamed evaluation needs each topic's lines together; interleaved
	# topics (round robin here: each topic's first line, then each's second ...),
	# gzip and stdin take the whole-run reader
	d="$VEC/trec_graded"
	awk '{ print n[$1]++, $0 }' "$d/run.txt" | sort -s -n -k1,1 | cut -d' ' -f2- > split.txt
	[ "$(cut -d' ' -f1 split.txt | uniq | wc -l)" -gt "$(cut -d' ' -f1 split.txt | sort -u | wc -l)" ]
	run lceval -q -m all_trec "$d/qrels.txt" split.txt
	assert_success
	[ "$output" = "$(cat "$d/expected/all_trec.q.txt")" ] || fail "split run differs from trec_eval"
	gzip -c split.txt > split.txt.gz
	run lceval -m all_trec "$d/qrels.txt" split.txt.gz
	assert_success
	[ "$output" = "$(cat "$d/expected/all_trec.txt")" ] || fail "gzipped split run differs from trec_eval"
	run bash -c "lceval -q -m all_trec '$d/qrels.txt' - < split.txt"
	assert_success
	[ "$output" = "$(cat "$d/expected/all_trec.q.txt")" ]
}

@test "issue 16: a streamed run with a bad line late in the file: FILE:LINE, exit 2, nothing on stdout" {
	python3 - <<'PY'
with open("qrels.txt", "w") as q, open("run.txt", "w") as r:
    for t in range(50):
        q.write("t%02d 0 d1 1\n" % t)
        for d in range(20):
            r.write("t%02d Q0 d%d %d %d tag\n" % (t, d, d + 1, 20 - d))
    r.write("t49 Q0 d99 21\n")
PY
	run --separate-stderr lceval -m map qrels.txt run.txt
	assert_failure 2
	assert_no_stdout
	[[ "$stderr" == "lceval: run.txt:1001: malformed run line: expected 6 fields 'qid iter docno rank score tag', found 4"* ]]
	# a topic repeated after others (read whole) with a duplicate doc: trec_eval's exit 4
	head -n 1000 run.txt > dup.txt
	echo "t00 Q0 d3 99 0.5 tag" >> dup.txt
	run --separate-stderr lceval -m map qrels.txt dup.txt
	assert_failure 4
	[[ "$stderr" == "trec_eval.form_res_qrels: duplicate docs d3"* ]]
}

@test "issue 16: a plain qrels file (read mapped) and the same qrels through gzip and stdin give the same output" {
	# the mapped qrels reader gives up on anything unusual (CRLF and comments are
	# usual; signed rels, bad bytes, malformed lines are not) and the line reader
	# decides: every form must score the same
	d="$VEC/trec_graded"
	{ echo "# judged"; sed 's/$/\r/' "$d/qrels.txt"; } > crlf.txt
	printf '%s' "$(cat "$d/qrels.txt")" > nonl.txt
	gzip -c "$d/qrels.txt" > q.gz
	for q in "$d/qrels.txt" crlf.txt nonl.txt q.gz; do
		run lceval -q -m all_trec "$q" "$d/run.txt"
		assert_success
		[ "$output" = "$(cat "$d/expected/all_trec.q.txt")" ] || fail "$q differs from trec_eval"
	done
	run bash -c "lceval -q -m all_trec - '$d/run.txt' < '$d/qrels.txt'"
	assert_success
	[ "$output" = "$(cat "$d/expected/all_trec.q.txt")" ]
}

@test "issue 16: qrels the mapped reader hands back: signed and fractional rels, bad bytes, a late bad line" {
	printf 'q1 0 d1 +1\nq1 0 d2 -1\nq1 0 d3 2.9\n' > signed.txt
	printf 'q1 Q0 d3 1 3 t\nq1 Q0 d2 2 2 t\nq1 Q0 d1 3 1 t\n' > run.txt
	run lceval -q -m num_rel -m num_rel_ret -m P.1 signed.txt run.txt
	assert_success
	[ "$output" = "$(printf 'num_rel               \tq1\t2\nnum_rel_ret           \tq1\t2\nP_1                   \tq1\t1.0000\nnum_rel               \tall\t2\nnum_rel_ret           \tall\t2\nP_1                   \tall\t1.0000')" ]
	printf 'q1 0 d1 1\nq1 0 d\xff 1\n' > odd.txt   # kept as it is, as trec_eval keeps it
	run --separate-stderr lceval -m num_rel odd.txt run.txt
	assert_success
	assert_output "$(printf 'num_rel               \tall\t2')"
	[ -z "$stderr" ]
	printf 'q1 0 d1 1\nq1 0 d\0x 1\n' > bad.txt   # NUL: the line reader replaces it
	run --separate-stderr lceval -m num_rel bad.txt run.txt
	assert_success
	assert_output "$(printf 'num_rel               \tall\t2')"
	[[ "$stderr" == "lceval: bad.txt: 1 NUL byte replaced by U+FFFD" ]]
	python3 -c '
with open("late.txt", "w") as q:
    for t in range(300000): q.write("q%d 0 d1 1\n" % t)   # 3.6 MB: past the first mapped window
    q.write("q1 0 d2\n")'
	run --separate-stderr lceval late.txt run.txt
	assert_failure 2
	assert_no_stdout
	[[ "$stderr" == "lceval: late.txt:300001: malformed qrels line: expected 4 fields"* ]]
}

# Files whose qids, docnos and run tag hold bytes that are not UTF-8, next to the
# valid spellings a repair to U+FFFD would confuse them with: topic q\xff (judged
# d\xff, retrieved d\xfe), topic "qé" and topic "q" U+FFFD.
nonutf8_files() {
	printf 'q\xff 0 d\xff 1\nq\xff 0 e 1\nq\xc3\xa9 0 d 1\nq\xef\xbf\xbd 0 x 1\nq\xef\xbf\xbd 0 y 0\n' > odd.qrels
	printf 'q\xff Q0 d\xfe 1 2 r\xff\nq\xff Q0 e 2 1 r\xff\nq\xc3\xa9 Q0 d 1 1 r\xff\n' > odd.run
	printf 'q\xef\xbf\xbd Q0 y 1 3 r\xff\nq\xef\xbf\xbd Q0 x 2 2 r\xff\n' >> odd.run
}

@test "non-UTF-8 qids, docnos and run tags are compared, ordered and printed byte for byte, as trec_eval does" {
	nonutf8_files
	# trec_eval 10.0's output: d\xfe is not d\xff, q\xff is not q U+FFFD, topics
	# in strcmp order of their bytes (c3 < ef < ff), qids and runid as read
	line() { printf "%-22s\t$2\t$3\n" "$1"; }
	{
		for t in 'q\xc3\xa9 1 1 1.0000' 'q\xef\xbf\xbd 1 1 0.0000' 'q\xff 2 1 0.0000'; do
			set -- $t
			line num_rel "$1" "$2"; line num_rel_ret "$1" "$3"; line P_1 "$1" "$4"
		done
		line runid all 'r\xff'; line num_q all 3; line num_rel all 4; line num_rel_ret all 3; line P_1 all 0.3333
	} > expected
	gzip -c odd.qrels > odd.qrels.gz
	for args in "odd.qrels odd.run" "odd.qrels.gz odd.run" "odd.qrels - <odd.run" "-j 2 odd.qrels odd.run"; do
		run --separate-stderr bash -c "lceval -q -m runid -m num_q -m num_rel -m num_rel_ret -m P.1 $args > out"
		assert_success
		cmp expected out || fail "$args: $(cat -v out)"
		[ -z "$stderr" ] || fail "$args: $stderr"
	done
}

@test "non-UTF-8 docnos: LOFT measures on TREC files compare them byte for byte; --json holds U+FFFD" {
	nonutf8_files
	run --separate-stderr lceval -q -m recall@1 -m mrecall@2 odd.qrels odd.run
	assert_success
	# q\xff: its one retrieved relevant doc is e, at rank 2 (d\xfe is not judged)
	assert_line --index 0 "$(printf 'recall@1              \tq\xff\t0.0000')"
	assert_line --index 1 "$(printf 'mrecall@2             \tq\xff\t0.0000')"
	assert_line --index 6 "$(printf 'recall@1              \tall\t0.3333')"
	assert_line --index 7 "$(printf 'mrecall@2             \tall\t0.6667')"
	run --separate-stderr lceval -q --json -m P.1 odd.qrels odd.run
	assert_success
	# JSON text is UTF-8: a byte that is not becomes U+FFFD (so q\xff prints as q U+FFFD does)
	run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(d["run"], d["summary"]["P_1"], sorted(d["queries"]))' "$output"
	assert_success
	assert_output "$(printf "odd.run 0.3333333333333333 ['q\xc3\xa9', 'q\xef\xbf\xbd']")"
}

@test "a docno longer than 1000 bytes twice in a topic: trec_eval's duplicate docs message names it whole" {
	d=$(printf 'L%02000d' 7)
	printf 'q1 0 %s 1\n' "$d" > long.qrels
	printf 'q1 Q0 %s 1 2 t\nq1 Q0 %s 2 1 t\n' "$d" "$d" > long.run
	run --separate-stderr lceval -m map long.qrels long.run
	assert_failure 4
	# trec_eval 10.0's text (its message has no newline before the next)
	[ "${stderr%%$'\n'*}" = "trec_eval.form_res_qrels: duplicate docs ${d}trec_eval: Can't calculate measure 'map'" ] ||
		fail "$(printf '%s' "$stderr" | head -c 200)... (${#stderr} bytes)"
}

@test "a run of comments and blank lines only is a run without topics, as trec_eval reads it; an empty file is an error" {
	printf 'q1 0 d1 1\nq2 0 d2 1\n' > qrels.txt
	printf '# no results\n\n' > comments.run
	# trec_eval 10.0: -c scores every topic against an empty ranking; without -c its message, exit 4
	run --separate-stderr lceval -c -q -m num_q -m num_ret -m map qrels.txt comments.run
	assert_success
	assert_output "$(printf '%s\n' 'num_ret               	q1	0' 'map                   	q1	0.0000' \
		'num_ret               	q2	0' 'map                   	q2	0.0000' 'num_q                 	all	2' \
		'num_ret               	all	0' 'map                   	all	0.0000')"
	run --separate-stderr lceval -m map qrels.txt comments.run
	assert_failure 4
	[[ "$stderr" == "trec_eval: result qid 'q1' not found in qrels"* ]]
	: > empty.run
	run --separate-stderr lceval -c -m map qrels.txt empty.run
	assert_failure 1
	assert_no_stdout
	[[ "$stderr" == "lceval: empty.run: no results found"* ]]
}

@test "a JSONL run query with no hits is an empty ranking: every measure as its TREC form with -c gives (iprec_at_recall 0, not nan)" {
	printf 'q1 0 d1 1\nq2 0 d2 1\nq2 0 d4 1\n' > qrels.txt
	printf '{"qid": "q1", "hits": [{"pid": "d1", "score": 2}, {"pid": "d3", "score": 1}]}\n{"qid": "q2", "hits": []}\n' > run.jsonl
	printf 'q1 Q0 d1 1 2 t\nq1 Q0 d3 2 1 t\n' > run.trec
	run -0 --separate-stderr lceval -c -q -m all_trec qrels.txt run.jsonl
	jsonl=$(printf '%s\n' "$output" | grep -v '^runid')
	run -0 --separate-stderr lceval -c -q -m all_trec qrels.txt run.trec
	[ "$jsonl" = "$(printf '%s\n' "$output" | grep -v '^runid')" ] || fail "$(diff <(echo "$jsonl") <(echo "$output"))"
	run -0 lceval -q -m iprec_at_recall.0,0.2 -m 11pt_avg qrels.txt run.jsonl
	assert_output "$(printf '%s\n' 'iprec_at_recall_0.00  	q1	1.0000' 'iprec_at_recall_0.20  	q1	1.0000' \
		'11pt_avg              	q1	1.0000' 'iprec_at_recall_0.00  	q2	0.0000' 'iprec_at_recall_0.20  	q2	0.0000' \
		'11pt_avg              	q2	0.0000' 'iprec_at_recall_0.00  	all	0.5000' 'iprec_at_recall_0.20  	all	0.5000' \
		'11pt_avg              	all	0.5000')"
}

@test "a UTF-8 byte order mark starting a TREC qrels file is skipped however the file is read" {
	printf '\xef\xbb\xbfq1 0 d1 1\nq2 0 d1 1\n' > bom.qrels
	gzip -c bom.qrels > bom.qrels.gz
	printf 'q1 Q0 d1 1 1 t\nq2 Q0 d1 1 1 t\n' > run.txt
	for q in bom.qrels bom.qrels.gz; do
		run --separate-stderr lceval -q -m num_q -m P.1 "$q" run.txt
		assert_success
		assert_output "$(printf '%s\n' 'P_1                   	q1	1.0000' 'P_1                   	q2	1.0000' \
			'num_q                 	all	2' 'P_1                   	all	1.0000')"
	done
}

@test "a run on standard input or from a pipe, and judgments from a pipe, score as the files do (LOFT and trec_eval measures together read the run twice)" {
	D="$ROOT/share/lctk/data/hotpotqa"
	lcindex --quiet -o c.idx "$D/corpus.jsonl"
	lcretrieve --quiet -i c.idx -o run.jsonl "$D/queries.jsonl"
	run -0 lceval -m map -m recall@2 "$D/queries.jsonl" run.jsonl
	want=$output
	[[ "$want" == *"num_unanswered_queries	all	0"* ]] || fail "file: $want"
	run -0 lceval -m map -m recall@2 "$D/queries.jsonl" - < run.jsonl
	assert_output "$want"
	run -0 bash -c 'cat run.jsonl | lceval -m map -m recall@2 "$1" -' _ "$D/queries.jsonl"
	assert_output "$want"
	run -0 bash -c 'lceval -m map -m recall@2 "$1" <(cat run.jsonl)' _ "$D/queries.jsonl"
	assert_output "$want"
	run -0 bash -c 'lceval -m map -m recall@2 <(cat "$1") <(cat run.jsonl)' _ "$D/queries.jsonl"
	assert_output "$want"
	mkfifo f
	cat run.jsonl > f 3>&- &
	track_pid $!
	run -0 lceval -m map -m recall@2 "$D/queries.jsonl" f
	assert_output "$want"
}

@test "trec_eval measures on LOFT predictions that repeat a pid: the ranking without the repeats, as from lcconv's JSONL and TREC forms" {
	printf '{"qid":"q1","query_text":"x","answers":[["d1",1],["d3",1]]}\n{"qid":"q2","query_text":"y","answers":[["d5",1]]}\n' > g.jsonl
	printf '{"qid":"q1","num_turns":2,"model_outputs":[["d2","d1"],["d1","d3","d2"]]}\n{"qid":"q2","num_turns":1,"model_outputs":[["d5","d5","d4","d5"]]}\n' > p.loft
	lcconv --to jsonl -o p.jsonl p.loft
	lcconv --to trec -o p.trec p.loft
	run -0 lceval -q -m map -m P_3 -m num_ret g.jsonl p.jsonl
	want=$output
	assert_line $'num_ret               \tall\t5'
	run -0 lceval -q -m map -m P_3 -m num_ret g.jsonl p.trec
	assert_output "$want"
	run -0 lceval -q -m map -m P_3 -m num_ret g.jsonl p.loft
	assert_output "$want"
	run -0 lcfuse -o f.jsonl p.loft p.jsonl
	run -0 lcfuse -o f2.jsonl p.jsonl p.jsonl
	cmp f.jsonl f2.jsonl
}
