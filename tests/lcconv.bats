#!/usr/bin/env bats
# lcconv: conversions between LOFT, BEIR (incl. a BEIR zip), TREC and run JSONL;
# round trips; what a target cannot hold is reported; bad input.
load helpers
setup() {
	lctk_setup
	cat > corpus.jsonl <<'J'
{"pid": "d1", "title_text": "Alpha", "passage_text": "first passage", "metadata": {}}
{"pid": 7, "title_text": "Beta", "passage_text": "second \"quoted\" passage", "summary_text": "second", "metadata": {"src": "x"}}
J
	cat > queries.jsonl <<'J'
{"qid": "q1", "query_text": "what is alpha", "answers": [["d1", 1]], "metadata": {}}
{"qid": "q2", "query_text": "beta?", "answers": [["7", 2], ["d1", 0]], "metadata": {}}
J
	printf 'q1 Q0 d1 1 2.5 runA\nq1 Q0 7 2 1.25 runA\nq2 Q0 7 1 3 runA\n' > run.trec
}

@test "corpus: LOFT to BEIR and back is lossless except summaries, which are reported" {
	run --separate-stderr lcconv --to beir corpus.jsonl
	assert_success
	assert_line --index 0 '{"_id":"d1","title":"Alpha","text":"first passage","metadata":{}}'
	assert_line --index 1 '{"_id":"7","title":"Beta","text":"second \"quoted\" passage","metadata":{"src":"x"}}'
	[[ "$stderr" == *"1 passages have summary_text"* ]]
	lcconv --to beir -o b.jsonl corpus.jsonl 2>/dev/null
	run lcconv --to loft b.jsonl
	assert_success
	assert_line --index 0 '{"pid":"d1","title_text":"Alpha","passage_text":"first passage","metadata":{}}'
	assert_line --index 1 '{"pid":"7","title_text":"Beta","passage_text":"second \"quoted\" passage","metadata":{"src":"x"}}'
}

@test "queries and qrels: LOFT to TREC, BEIR, TSV" {
	run lcconv --kind qrels --to trec queries.jsonl
	assert_success
	assert_output "$(printf 'q1 0 d1 1\nq2 0 7 2\nq2 0 d1 0')"
	run lcconv --kind qrels --to beir queries.jsonl
	assert_success
	assert_output "$(printf 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\t7\t2\nq2\td1\t0')"
	run --separate-stderr lcconv --to tsv queries.jsonl
	assert_success
	assert_output "$(printf 'q1\twhat is alpha\nq2\tbeta?')"
	[[ "$stderr" == *"2 queries have answers"* ]]
}

@test "BEIR zip: corpus and queries (with answers from qrels/test.tsv) read straight from the zip" {
	mkdir -p ds/qrels
	lcconv --to beir corpus.jsonl > ds/corpus.jsonl 2>/dev/null
	lcconv --to beir queries.jsonl > ds/queries.jsonl 2>/dev/null
	lcconv --kind qrels --to beir queries.jsonl > ds/qrels/test.tsv
	zip -qr ds.zip ds
	run lcconv --kind corpus --to loft ds.zip
	assert_success
	assert_line --index 1 '{"pid":"7","title_text":"Beta","passage_text":"second \"quoted\" passage","metadata":{"src":"x"}}'
	run --separate-stderr lcconv --kind queries --to loft ds.zip
	assert_success
	assert_line --index 1 '{"qid":"q2","query_text":"beta?","answers":[["7",2]],"metadata":{}}'
	run lcconv --kind qrels --to trec ds.zip
	assert_success
	assert_output "$(printf 'q1 0 d1 1\nq2 0 7 2\nq2 0 d1 0')"
}

# beir_zip DEV: ds.zip, the BEIR dataset ds/ of queries.jsonl (queries.jsonl,
# qrels/test.tsv) with qrels/dev.tsv holding the judgments DEV (printf format)
beir_zip() {
	mkdir -p ds/qrels
	lcconv --to beir queries.jsonl > ds/queries.jsonl 2>/dev/null
	lcconv --kind qrels --to beir queries.jsonl > ds/qrels/test.tsv
	printf "query-id\tcorpus-id\tscore\n$1" > ds/qrels/dev.tsv
	zip -qr ds.zip ds
}

@test "--qrels-member picks the judgments of a --qrels archive or a BEIR zip; it applies to queries to LOFT only" {
	beir_zip 'q1\t7\t3\nq2\td1\t1\n'
	run -0 lcconv --kind queries --to loft --qrels ds.zip --qrels-member '*dev.tsv' ds/queries.jsonl
	assert_output "$(printf '%s\n' '{"qid":"q1","query_text":"what is alpha","answers":[["7",3]],"metadata":{}}' \
		'{"qid":"q2","query_text":"beta?","answers":[["d1",1]],"metadata":{}}')"
	run -0 --separate-stderr lcconv --kind queries --to loft --qrels ds.zip ds/queries.jsonl
	assert_line --index 0 '{"qid":"q1","query_text":"what is alpha","answers":[["d1",1]],"metadata":{}}'
	run -0 lcconv --kind queries --to loft --qrels-member '*dev.tsv' ds.zip
	assert_line --index 1 '{"qid":"q2","query_text":"beta?","answers":[["d1",1]],"metadata":{}}'
	run -1 lcconv --kind queries --to loft --qrels ds.zip --qrels-member '*train.tsv' ds/queries.jsonl
	assert_output "lcconv: ds.zip: no member matches '*train.tsv'"
	run -2 lcconv --kind queries --to loft --qrels ds/qrels/dev.tsv --qrels-member '*dev.tsv' ds/queries.jsonl
	assert_output "lcconv: ds/qrels/dev.tsv: --qrels-member given but the input is not a zip or tar archive"
	run -2 lcconv --kind qrels --to trec --qrels-member '*dev.tsv' ds.zip
	assert_output --partial 'lcconv: --qrels-member picks the judgments that fill LOFT answers: --kind queries --to loft'
}

@test "a BEIR zip on standard input gives the same LOFT queries (answers, --qrels-member) as the named zip" {
	beir_zip 'q1\t7\t3\n'
	lcconv --kind queries --to loft -o named.jsonl ds.zip 2>/dev/null
	lcconv --kind queries --to loft --qrels-member '*dev.tsv' -o named-dev.jsonl ds.zip 2>/dev/null
	run -0 --separate-stderr lcconv --kind queries --to loft < ds.zip
	assert_output "$(cat named.jsonl)"
	run -0 --separate-stderr sh -c 'cat ds.zip | lcconv --kind queries --to loft'
	assert_output "$(cat named.jsonl)"
	run -0 --separate-stderr sh -c "cat ds.zip | lcconv --kind queries --to loft --qrels-member '*dev.tsv'"
	[ "$stderr" = "lcconv: 1 queries have no judgments in (stdin): left out (a LOFT query needs its answers)" ] || fail "$stderr"
	assert_output "$(cat named-dev.jsonl)"
	run -2 sh -c "cat ds/queries.jsonl | lcconv --kind queries --to loft --qrels-member '*dev.tsv'"
	assert_output "lcconv: (stdin): --qrels-member given but the input is not a zip or tar archive"
	run -2 lcconv --kind queries --to loft --qrels-member '*dev.tsv' ds/queries.jsonl
	assert_output "lcconv: ds/queries.jsonl: --qrels-member given but the input is not a zip or tar archive"
}

@test "judgments of relevance 0 or below are not LOFT answers: counted, and a query left without answers is left out" {
	printf 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\nq2\td3\t0\nq3\td4\t-1\nq3\td5\t2\n' > nr.tsv
	printf '{"_id":"q1","text":"a"}\n{"_id":"q2","text":"b"}\n{"_id":"q3","text":"c"}\n' > nrq.jsonl
	run --separate-stderr lcconv --kind queries --to loft --qrels nr.tsv --report rep.json nrq.jsonl
	assert_success
	assert_output "$(printf '%s\n' '{"qid":"q1","query_text":"a","answers":[["d1",1]],"metadata":{}}' \
		'{"qid":"q3","query_text":"c","answers":[["d5",2]],"metadata":{}}')"
	[ "$stderr" = "$(printf '%s\n' 'lcconv: 3 judgments in nr.tsv have relevance 0 or below: not LOFT answers (gold passages), left out' \
		'lcconv: 1 queries have no judgments in nr.tsv: left out (a LOFT query needs its answers)')" ] || fail "$stderr"
	run -0 python3 -c 'import json; r = json.load(open("rep.json")); print(r["nonrelevant_judgments_dropped"], r["queries_without_judgments"])'
	assert_output "3 1"
	run --separate-stderr lcconv --kind qrels --to loft --report rep2.json nr.tsv
	assert_success
	assert_output "$(printf '%s\n' '{"qid": "q1", "answers": [["d1", 1]]}' '{"qid": "q3", "answers": [["d5", 2]]}')"
	[[ "$stderr" == *"1 queries have no judgment of relevance 1 or more: left out"* ]] || fail "$stderr"
	run -0 python3 -c 'import json; r = json.load(open("rep2.json")); print(r["nonrelevant_judgments_dropped"], r["queries_without_judgments"])'
	assert_output "3 1"
	# LOFT answers are gold whatever their relevance (lceval -m loft ignores it): kept
	run -0 lcconv --kind qrels --to loft queries.jsonl
	assert_line --index 1 '{"qid": "q2", "answers": [["7", 2], ["d1", 0]]}'
}

@test "a run score that is not finite (nan, inf, 1e400) is bad input with FILE:LINE; lceval still reads it as trec_eval" {
	printf 'q Q0 y 1 1 t\nq Q0 x 2 1e400 t\n' > big.trec
	run -1 --separate-stderr lcconv --to jsonl -o out.jsonl big.trec
	[ "$stderr" = "lcconv: big.trec:2: score '1e400' is not a finite number: give every hit a finite score (run JSONL cannot hold NaN or infinity)" ] || fail "$stderr"
	assert_no_file out.jsonl
	printf 'q Q0 y 1 nan t\n' > nan.trec
	run -1 --separate-stderr sh -c 'gzip -c nan.trec | lcconv --kind run --to trec'
	[ "$stderr" = "lcconv: (stdin):1: score 'nan' is not a finite number: give every hit a finite score (run JSONL cannot hold NaN or infinity)" ] || fail "$stderr"
	printf 'q 0 y 1\n' > nan.qrels
	run -0 lceval -m P.1 nan.qrels nan.trec
	assert_output "$(printf 'P_1                   \tall\t1.0000')"
}

@test "a run score that is not all one number ('xyz', '12abc') is bad input with FILE:LINE; lceval still reads it with atof" {
	for sc in xyz 12abc 1.5.2 0x; do
		printf 'q Q0 y 1 1 t\nq Q0 x 2 %s t\n' "$sc" > bad.trec
		run -1 --separate-stderr lcconv --to jsonl -o out.jsonl bad.trec
		[ "$stderr" = "lcconv: bad.trec:2: score '$sc' is not a number: give every hit a numeric score" ] || fail "$sc: $stderr"
		assert_no_file out.jsonl
		run -1 --separate-stderr sh -c 'gzip -c bad.trec | lcconv --kind run --to loft'
		[ "$stderr" = "lcconv: (stdin):2: score '$sc' is not a number: give every hit a numeric score" ] || fail "$sc: $stderr"
		assert_output ''
	done
	# a repeat an LLM run marks carries a score too
	printf 'q Q0 y 1 3 t\n#lctk repeat q Q0 y 2 2x t\n' > rep.trec
	run -1 --separate-stderr lcconv --to jsonl rep.trec
	[ "$stderr" = "lcconv: rep.trec:2: score '2x' is not a number: give every hit a numeric score" ] || fail "$stderr"
	# numbers as C reads them stay numbers
	printf 'q Q0 a 1 -2.5e-1 t\nq Q0 b 2 +3 t\nq Q0 c 3 .5 t\nq Q0 d 4 0x1p2 t\n' > ok.trec
	run -0 lcconv --to jsonl ok.trec
	assert_output '{"qid": "q", "hits": [{"pid": "d", "score": 4.0}, {"pid": "b", "score": 3.0}, {"pid": "c", "score": 0.5}, {"pid": "a", "score": -0.25}]}'
	# lceval is trec_eval: atof reads '12abc' as 12, above x's 5
	printf 'q Q0 y 1 12abc t\nq Q0 x 2 5 t\n' > atof.trec
	printf 'q 0 y 1\n' > atof.qrels
	run -0 lceval -m P.1 atof.qrels atof.trec
	assert_output "$(printf 'P_1                   \tall\t1.0000')"
	# a run JSONL score must be a JSON number, not a string
	printf '{"qid": "q", "hits": [{"pid": "y", "score": "0.5"}]}\n' > s.jsonl
	run -1 lcconv --to trec s.jsonl
	assert_output "lcconv: s.jsonl:1: field 'score' of hit 0: expected a number, got string"
}

@test "run JSONL hits without a score keep the hits' order: between their scored neighbours, else below the hit above" {
	printf '{"qid":"q1","hits":[{"pid":"a","score":1},{"pid":"b"}]}\n' > m1.jsonl
	run -0 lcconv --kind run --to trec m1.jsonl
	assert_output "$(printf 'q1 Q0 a 1 1 lctk\nq1 Q0 b 2 0 lctk')"
	printf '%s\n' '{"qid":"q1","hits":[{"pid":"a","score":1},{"pid":"z"},{"pid":"y","score":null},{"pid":"d","score":0.5},{"pid":"e"}]}' \
		'{"qid":"q2","hits":[{"pid":"a"},{"pid":"b"},{"pid":"c","score":0}]}' '{"qid":"q3","hits":[{"pid":"a"},{"pid":"b"}]}' > m2.jsonl
	run -0 lcconv --kind run --to trec m2.jsonl
	assert_output "$(printf '%s\n' 'q1 Q0 a 1 1 lctk' 'q1 Q0 z 2 0.8333333333333334 lctk' 'q1 Q0 y 3 0.6666666666666667 lctk' \
		'q1 Q0 d 4 0.5 lctk' 'q1 Q0 e 5 -0.5 lctk' 'q2 Q0 a 1 2 lctk' 'q2 Q0 b 2 1 lctk' 'q2 Q0 c 3 0 lctk' \
		'q3 Q0 a 1 2 lctk' 'q3 Q0 b 2 1 lctk')"
	# lcfuse shares the reader: b stays below a in its run
	printf 'q1 Q0 c 1 5 r\n' > c.trec
	run -0 lcfuse --method rrf --to trec m1.jsonl c.trec
	assert_output "$(printf 'q1 Q0 a 1 0.01639344262295082 lcfuse\nq1 Q0 c 2 0.01639344262295082 lcfuse\nq1 Q0 b 3 0.016129032258064516 lcfuse')"
}

@test "hits without a score keep their order where steps of 1 or the interpolation are too fine for the doubles, JSONL -> TREC -> JSONL" {
	# 1e20 - 1 == 1e20 and 1e17 + 2 == 1e17, and the interpolation between 1 and the
	# third double below it rounds b to 1: such hits step one double at a time
	# instead of tying (which trec_eval breaks by docno descending: b before a)
	printf '%s\n' '{"qid":"q1","hits":[{"pid":"a","score":1e20},{"pid":"b"},{"pid":"c"}]}' \
		'{"qid":"q2","hits":[{"pid":"a"},{"pid":"b"},{"pid":"c","score":1e17}]}' \
		'{"qid":"q3","hits":[{"pid":"a","score":1},{"pid":"b"},{"pid":"c"},{"pid":"d","score":0.9999999999999997}]}' > huge.jsonl
	run -0 bash -o pipefail -c 'lcconv --to trec huge.jsonl | lcconv --kind run --to jsonl -'
	assert_output "$(printf '%s\n' '{"qid": "q1", "hits": [{"pid": "a", "score": 1e+20}, {"pid": "b", "score": 9.999999999999998e+19}, {"pid": "c", "score": 9.999999999999997e+19}]}' \
		'{"qid": "q2", "hits": [{"pid": "a", "score": 1.0000000000000003e+17}, {"pid": "b", "score": 1.0000000000000002e+17}, {"pid": "c", "score": 1e+17}]}' \
		'{"qid": "q3", "hits": [{"pid": "a", "score": 1.0}, {"pid": "b", "score": 0.9999999999999999}, {"pid": "c", "score": 0.9999999999999998}, {"pid": "d", "score": 0.9999999999999997}]}')"
}

@test "LOFT predictions that repeat a pid: TREC '#lctk repeat' comments and JSONL \"repeat\": true, which lceval reads back" {
	printf '%s\n' '{"qid":"q1","num_turns":1,"model_outputs":[["d1","d2","d1"]]}' '{"qid":"q2","num_turns":1,"model_outputs":[[]]}' > lp.jsonl
	run -0 --separate-stderr lcconv --kind run --to trec --report rep.json lp.jsonl
	assert_output "$(printf '%s\n' 'q1 Q0 d1 1 3 lctk' 'q1 Q0 d2 2 2 lctk' '#lctk repeat q1 Q0 d1 3 1 lctk' '#lctk empty q2')"
	[[ "$stderr" == *"lcconv: 1 hits repeat a pid of their query: written as '#lctk repeat' comment lines"* ]] || fail "$stderr"
	run -0 python3 -c 'import json; print(json.load(open("rep.json"))["repeats_marked"])'
	assert_output 1
	lcconv --kind run --to trec -o lp.trec lp.jsonl 2>/dev/null
	run -0 --separate-stderr lcconv --kind run --to jsonl lp.jsonl
	assert_output "$(printf '%s\n' '{"qid": "q1", "hits": [{"pid": "d1", "score": 3.0}, {"pid": "d2", "score": 2.0}, {"pid": "d1", "score": 1.0, "repeat": true}]}' \
		'{"qid": "q2", "hits": []}')"
	lcconv --kind run --to jsonl -o lp.run.jsonl lp.jsonl 2>/dev/null
	printf 'q1 0 d1 1\nq2 0 d3 1\n' > lp.qrels
	lceval -m loft lp.qrels lp.jsonl > want.txt
	run -0 lceval -m loft lp.qrels lp.trec
	assert_output "$(cat want.txt)"
	run -0 lceval -m loft lp.qrels lp.run.jsonl
	assert_output "$(cat want.txt)"
	run -0 lceval -c -m P.2 lp.qrels lp.trec
	assert_output "$(printf 'P_2                   \tall\t0.2500')"
}

@test "messages name options lcconv has (--kind, not -k; no --id/--text/--corpus) and an empty file has no line 0" {
	: > empty.jsonl
	run -1 lcconv --to loft empty.jsonl
	assert_output "lcconv: empty.jsonl: no record to tell the kind from: give --kind KIND (corpus, queries, qrels or run)"
	run -2 sh -c 'lcconv --to loft < corpus.jsonl'
	assert_output "lcconv: standard input is read once: say what it holds with --kind KIND (corpus, queries, qrels or run)"
	printf 'x y\n' > odd.txt
	run -1 lcconv --to loft odd.txt
	assert_output "lcconv: odd.txt:1: cannot tell whether this is a corpus, queries, qrels or a run: give --kind KIND"
	printf '{"id":"a","body":"x"}\n' > u.jsonl
	run -1 lcconv --kind corpus --to loft u.jsonl
	assert_output "lcconv: u.jsonl:1: no id field: expected 'pid' (LOFT) or '_id' (BEIR); for other JSONL rename its id and text fields 'pid' and 'passage_text'"
	printf '{"qid":"q1","response_text":"Final Answer: [0, 1]"}\n' > ans.jsonl
	run -1 lcconv --kind run --to trec ans.jsonl
	assert_output "lcconv: ans.jsonl:1: query 'q1': the answer's ids (0, ...) are row numbers of the prompt and nothing maps them to pids: use the run file or --responses file lcretrieve wrote (they carry pids)"
}

@test "TSV queries read back: detected by their one tab, whatever their words; a line that also reads as TREC asks for --kind (exit 1)" {
	printf '%s\n' '{"qid":"q1","query_text":"What is the capital of England?"}' '{"qid":"q2","query_text":"covid 19"}' \
		'{"qid":"q3","query_text":"a\tb c d e f"}' > q.jsonl
	lcconv --to tsv -o qq.tsv q.jsonl
	run -0 lcconv --to loft qq.tsv
	assert_output "$(printf '%s\n' '{"qid":"q1","query_text":"What is the capital of England?","answers":[],"metadata":{}}' \
		'{"qid":"q2","query_text":"covid 19","answers":[],"metadata":{}}' '{"qid":"q3","query_text":"a b c d e f","answers":[],"metadata":{}}')"
	run -0 lcconv --report r.json --to beir -o /dev/null qq.tsv
	run -0 python3 -c 'import json; print(json.load(open("r.json"))["options"]["kind"])'
	assert_output queries
	# two words after the tab: queries, not qrels; --to jsonl is a run's format
	printf 'q1\thello world\n' > q.tsv
	run -0 lcconv --to loft q.tsv
	assert_output '{"qid":"q1","query_text":"hello world","answers":[],"metadata":{}}'
	run -2 lcconv --to jsonl q.tsv
	assert_output --partial "lcconv: queries convert to loft, beir or tsv, not 'jsonl'"
	# a TREC line with one tab: ambiguous, an input error naming --kind; --kind settles it
	printf 'q1\t0 d1 1\n' > a.txt
	run -1 lcconv --to loft -o out.jsonl a.txt
	assert_output "lcconv: a.txt:1: the line reads both as TSV queries ('qid<TAB>text') and as a TREC qrels line: say which with --kind queries or --kind qrels"
	assert_no_file out.jsonl
	run -0 lcconv --kind qrels --to trec a.txt
	assert_output 'q1 0 d1 1'
	run -0 lcconv --kind queries --to loft a.txt
	assert_output '{"qid":"q1","query_text":"0 d1 1","answers":[],"metadata":{}}'
	printf 'q1\tQ0 d1 1 2.5 tag\n' > b.txt
	run -1 lcconv --to trec b.txt
	assert_output "lcconv: b.txt:1: the line reads both as TSV queries ('qid<TAB>text') and as a TREC run line: say which with --kind queries or --kind run"
	# TREC and BEIR files, spaces or tabs, are detected as before
	printf 'q1 0 d1 1\n' > t.qrels
	printf 'q1\t0\td1\t1\n' > tt.qrels
	printf 'q1\td1\t1\n' > b.qrels
	for f in t.qrels tt.qrels b.qrels; do
		run -0 lcconv --to trec "$f"
		assert_output 'q1 0 d1 1'
	done
	printf 'q1 Q0 d1 1 2.5 tag\n' > s.run
	printf 'q1\tQ0\td1\t1\t2.5\ttag\n' > t.run
	for f in s.run t.run; do
		run -0 lcconv --to jsonl "$f"
		assert_output '{"qid": "q1", "hits": [{"pid": "d1", "score": 2.5}]}'
	done
}

@test "--to tsv refuses a qid with a tab or line break (or a leading '{'), naming it, before writing anything" {
	printf '%s\n' '{"qid":"q0","query_text":"fine"}' '{"qid":"a\tb","query_text":"x"}' > tq.jsonl
	run -1 --separate-stderr lcconv --to tsv tq.jsonl
	[ "$stderr" = "lcconv: qid 'a\x09b' contains a tab or line break, which a TSV queries line cannot hold as its first field; rename it or write JSONL (--to loft or beir)" ] || fail "$stderr"
	assert_output ''
	printf '%s\n' '{"qid":"{c","query_text":"y"}' > tb.jsonl
	run -1 lcconv --to tsv -o out.tsv tb.jsonl
	assert_output "lcconv: qid '{c' starts with '{', which a TSV queries line cannot hold as its first field; rename it or write JSONL (--to loft or beir)"
	assert_no_file out.tsv
}

@test "bad input: a malformed TREC qrels or run line exits 1 (lceval keeps trec_eval's 2)" {
	printf 'q1 0 d1 1\nq1 0 d2\n' > bad.qrels
	run --separate-stderr lcconv --kind qrels --to beir -o out.tsv bad.qrels
	[ "$status" -eq 1 ] || fail "exit $status"
	[ "$stderr" = "lcconv: bad.qrels:2: malformed qrels line: expected 4 fields 'qid iter docno rel', found 3" ] || fail "$stderr"
	assert_no_file out.tsv
	printf 'q1 Q0 d1 1 2.5 runA\nq1 Q0 d2 2\n' > bad.run
	run --separate-stderr lcconv --kind run --to jsonl bad.run
	[ "$status" -eq 1 ] || fail "exit $status"
	[ "$stderr" = "lcconv: bad.run:2: malformed run line: expected 6 fields 'qid iter docno rank score tag', found 4" ] || fail "$stderr"
	run -2 lceval -m P.1 bad.qrels run.trec
	assert_output "lceval: bad.qrels:2: malformed qrels line: expected 4 fields 'qid iter docno rel', found 3"
}

@test "runs: TREC to run JSONL to TREC keeps ids, scores and order; LOFT loses scores with a warning" {
	lcconv --to jsonl -o run.jsonl run.trec
	run cat run.jsonl
	assert_line --index 0 --partial '"qid": "q1"'
	run -0 lcconv --to trec --tag runA run.jsonl
	assert_output "$(printf 'q1 Q0 d1 1 2.5 runA\nq1 Q0 7 2 1.25 runA\nq2 Q0 7 1 3 runA')"
	run --separate-stderr lcconv --to loft run.trec
	assert_success
	[[ "$stderr" == *"hold no scores"* ]]
	assert_line --index 0 --partial '"model_outputs": [["d1", "7"]]'
	# an unanswered query has no LOFT line: the count says what was written, the rest is counted
	printf '{"qid":"a","hits":[],"answered":false}\n{"qid":"b","hits":[{"pid":"p","score":1}]}\n' > mini.jsonl
	run -0 --separate-stderr lcconv --to loft --report r.json mini.jsonl
	assert_output '{"qid": "b", "num_turns": 1, "model_outputs": [["p"]]}'
	[[ "$stderr" == *"1 query written as ranked id lists"* ]] || fail "$stderr"
	[[ "$stderr" == *"1 unanswered query left out"* ]] || fail "$stderr"
	run -0 jq -c '[.queries, .unanswered_left_out]' r.json
	assert_output '[2,1]'
}

@test "runs: hits of one score keep their order in every form, so LOFT measures agree across conversions" {
	printf '{"qid":"q1","query_text":"x","answers":[["d1",1]]}\n{"qid":"q2","query_text":"y","answers":[["a",1]]}\n' > q.jsonl
	printf '{"qid":"q1","hits":[{"pid":"d1","score":1},{"pid":"d2","score":1},{"pid":"d0","score":0.5}]}\n{"qid":"q2","hits":[{"pid":"b","score":2},{"pid":"a","score":2},{"pid":"c","score":2}]}\n' > tie.jsonl
	lcconv --to trec -o tie.trec tie.jsonl
	run -0 cat tie.trec
	assert_output "$(printf 'q1 Q0 d1 1 1 lctk\nq1 Q0 d2 2 1 lctk\nq1 Q0 d0 3 0.5 lctk\nq2 Q0 b 1 2 lctk\nq2 Q0 a 2 2 lctk\nq2 Q0 c 3 2 lctk')"
	lcconv --to loft -o tie.loft tie.jsonl 2>/dev/null
	lcconv --to jsonl -o back.jsonl tie.trec
	run -0 lcconv --to jsonl tie.jsonl
	cmp back.jsonl <(printf '%s\n' "$output")
	run -0 lceval -m recall@1 -m mrecall@2 q.jsonl tie.jsonl
	assert_line --index 0 $'recall@1              \tall\t0.5000'
	want=$output
	for f in tie.trec tie.loft back.jsonl; do
		run -0 lceval -m recall@1 -m mrecall@2 q.jsonl "$f"
		[ "$output" = "$want" ] || fail "$f: $output"
	done
	# trec_eval's measures break the ties themselves (docno descending): the same on every form
	lcconv --kind qrels --to trec -o q.qrels q.jsonl
	run -0 lceval -m recip_rank q.qrels tie.jsonl
	assert_output $'recip_rank            \tall\t0.4167'
	run -0 lceval -m recip_rank q.qrels tie.trec
	assert_output $'recip_rank            \tall\t0.4167'
}

@test "runs: TREC round trip of a reference vector is exact" {
	need_shared vectors/eval/trec_graded
	lcconv --to jsonl "$SHARED/vectors/eval/trec_graded/run.txt" > r.jsonl
	lcconv --to trec r.jsonl > r.trec
	run lceval -m all_trec "$SHARED/vectors/eval/trec_graded/qrels.txt" r.trec
	assert_success
	# the runid differs only if the tag was lost; everything else must be identical
	diff <(grep -v '^runid' "$SHARED/vectors/eval/trec_graded/expected/all_trec.txt" | grep -v '^rbp ') \
	     <(echo "$output" | grep -v '^runid' | grep -v '^rbp ')
}

@test "gzip input, stdin with -k, and atomic -o" {
	gzip -k corpus.jsonl
	run --separate-stderr lcconv --to beir corpus.jsonl.gz
	assert_success
	assert_line --index 0 --partial '"_id":"d1"'
	run bash -c "cat queries.jsonl | lcconv --kind queries --to tsv - 2>/dev/null"
	assert_success
	assert_line --index 0 "$(printf 'q1\twhat is alpha')"
}

@test "bad input: malformed JSON names file and line, exit 1, no output file" {
	printf '{"pid": "a", "title_text": "t", "passage_text": "p"}\n{"pid": \n' > bad.jsonl
	run --separate-stderr lcconv --to beir -o out.jsonl bad.jsonl
	[ "$status" -eq 1 ]
	[[ "$stderr" == "lcconv: bad.jsonl:2"* ]]
	assert_no_file out.jsonl
}

@test "bad input: duplicate pids are an error naming both lines" {
	printf '{"pid": "a", "title_text": "t", "passage_text": "p"}\n{"pid": "a", "title_text": "t", "passage_text": "q"}\n' > dup.jsonl
	run --separate-stderr lcconv --to beir dup.jsonl
	[ "$status" -eq 1 ]
	assert_no_stdout
	[[ "$stderr" == *"dup.jsonl:2"*"duplicate"* ]]
}

@test "usage errors: no -t, unknown kind, wrong target for the kind, stdin without -k, zip without -k" {
	run lcconv corpus.jsonl
	[ "$status" -eq 2 ]
	run lcconv --kind nope --to loft corpus.jsonl
	[ "$status" -eq 2 ]
	run lcconv --to trec corpus.jsonl
	[ "$status" -eq 2 ]
	run bash -c "cat corpus.jsonl | lcconv --to beir"
	[ "$status" -eq 2 ]
	[[ "$output" == *"-k"* ]]
	printf 'x' > a.txt && zip -q z.zip a.txt
	run lcconv --to loft z.zip
	[ "$status" -eq 2 ]
}

@test "lcconv: an LLM run's repeats, empty and unanswered queries survive every conversion (JSONL -> TREC -> JSONL, -> LOFT)" {
	printf '%s\n' '{"qid":"q1","hits":[{"pid":"a","score":3},{"pid":"a","score":2,"repeat":true},{"pid":"b","score":1}]}' \
		'{"qid":"q2","hits":[]}' '{"qid":"q3","hits":[],"answered":false}' > llm.jsonl
	run -0 --separate-stderr lcconv --kind run --to trec -o llm.trec llm.jsonl
	run -0 cat llm.trec
	assert_output "$(printf '%s\n' 'q1 Q0 a 1 3 lctk' '#lctk repeat q1 Q0 a 2 2 lctk' 'q1 Q0 b 3 1 lctk' '#lctk empty q2' '#lctk unanswered q3')"
	run -0 --separate-stderr lcconv --kind run --to jsonl llm.trec
	assert_line --index 0 '{"qid": "q1", "hits": [{"pid": "a", "score": 3.0}, {"pid": "a", "score": 2.0, "repeat": true}, {"pid": "b", "score": 1.0}]}'
	assert_line --index 1 '{"qid": "q2", "hits": []}'
	assert_line --index 2 '{"qid": "q3", "hits": [], "answered": false}'
	run -0 --separate-stderr lcconv --kind run --to loft llm.jsonl
	assert_line --index 0 '{"qid": "q1", "num_turns": 1, "model_outputs": [["a", "a", "b"]]}'
	# the LOFT measures of every form are the same
	printf '%s\n' '{"qid":"q1","query_text":"x","answers":[["b",1]]}' '{"qid":"q2","query_text":"y","answers":[["a",1]]}' \
		'{"qid":"q3","query_text":"z","answers":[["a",1]]}' > q.jsonl
	lcconv --kind run --to loft -o llm.loft llm.jsonl 2>/dev/null
	# q1's gold is b: with a's repeat kept the top 2 are a, a (recall 0); dropped, a, b (recall 1)
	run -0 --separate-stderr lceval -m recall@2 -m precision@2 q.jsonl llm.jsonl
	assert_line --index 0 --regexp '^recall@2 +	all	0[.]0000$'
	want=$output
	for f in llm.trec llm.loft; do
		run -0 --separate-stderr lceval -m recall@2 -m precision@2 q.jsonl "$f"
		assert_output "$want"
	done
}
