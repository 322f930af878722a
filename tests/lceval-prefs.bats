#!/usr/bin/env bats
# lceval -R prefs and -R qrels_prefs: trec_eval 10.0's preference judgments and
# its fourteen prefs_* measures, byte for byte against trec_eval's output
# (tests/vectors/eval/trec_prefs), the other ways of reading the same judgments,
# and where lceval does what trec_eval's documentation says instead of
# crashing (lceval(1), TREC_EVAL SEMANTICS).

load helpers
load trec_case
setup() {
	lctk_setup
	D="$ROOT/tests/vectors/eval/trec_prefs"
}

@test "bundled trec_prefs vector: -R prefs, -R qrels_prefs, the 14 measures, nicknames, -q -c -M -J -l -D, format errors as trec_eval's" {
	run trec_case "$D"
	assert_success
}

@test "--qrels-format prefs and trec_prefs read as -R prefs and -R qrels_prefs; a gzip'd prefs file reads the same" {
	run --separate-stderr lceval --qrels-format prefs -q -m all_prefs "$D/prefs.txt" "$D/run.txt"
	assert_success
	[ "$output" = "$(cat "$D/expected/all_prefs.txt")" ]
	run --separate-stderr lceval --qrels-format trec_prefs -q -m all_prefs "$D/qrels_prefs.txt" "$D/run.txt"
	assert_success
	[ "$output" = "$(cat "$D/expected/qrels_prefs.txt")" ]
	gzip -c "$D/prefs.txt" > prefs.gz
	run --separate-stderr lceval -R prefs -q -m all_prefs prefs.gz "$D/run.txt"
	assert_success
	[ "$output" = "$(cat "$D/expected/all_prefs.txt")" ]
}

@test "prefs from a run on standard input, read in two parts (-j 2) and as --json" {
	run --separate-stderr lceval -R prefs -q -m all_prefs "$D/prefs.txt" - < "$D/run.txt"
	assert_success
	[ "$output" = "$(cat "$D/expected/all_prefs.txt")" ]
	run --separate-stderr lceval -j 2 -R prefs -q -m all_prefs "$D/prefs.txt" "$D/run.txt"
	assert_success
	[ "$output" = "$(cat "$D/expected/all_prefs.txt")" ]
	run --separate-stderr lceval -R prefs -m prefs --json "$D/prefs.txt" "$D/run.txt"
	assert_success
	[ "$(printf '%.4f %s' "$(jq -r '.summary.prefs_pair' <<< "$output")" "$(jq -r '.summary.prefs_num_prefs_poss' <<< "$output")")" = \
	  "$(awk '$2 == "all" && $1 == "prefs_pair" { p = $3 } $2 == "all" && $1 == "prefs_num_prefs_poss" { n = $3 } END { print p, n }' "$D/expected/prefs_nickname.txt")" ]
}

@test "all_trec leaves the prefs measures out, as trec_eval; named next to it on plain qrels they fail on the format" {
	run --separate-stderr lceval -m all_trec "$D/qrels.txt" "$D/run.txt"
	assert_success
	refute_output --partial prefs_
	run --separate-stderr lceval -m all_trec -m prefs_pair "$D/qrels.txt" "$D/run.txt"
	assert_failure 4
	[ "$stderr" = "trec_eval.form_prefs_info: prefs_info format not (prefs or qrels_prefs) or results format not trec_results
trec_eval: Can't calculate measure 'prefs_pair'" ]
}

@test "contradicting preferences in one group: trec_eval's message and exit 4 (trec_eval aborts)" {
	run --separate-stderr lceval -q -R prefs -m prefs_simp "$D/prefs_inconsistent.txt" "$D/run.txt"
	assert_failure 4
	assert_output ''
	[ "$stderr" = "trec_eval.form_prefs_counts: Pref inconsistency found
      internal rank 0 and internal rank 1 are conflicted
trec_eval: Can't calculate measure 'prefs_simp'" ]
}

@test "a negative -M ranks nothing, as -M 0 (trec_eval crashes)" {
	run --separate-stderr lceval -q -M -1 -R prefs -m all_prefs "$D/prefs.txt" "$D/run.txt"
	assert_success
	[ "$output" = "$(lceval -q -M 0 -R prefs -m all_prefs "$D/prefs.txt" "$D/run.txt")" ]
	assert_line --regexp '^prefs_num_prefs_ful_ret'$'\t''all'$'\t''0$'
}

# One group, one sub-group: d1 d2 at level 1 (R = 2), d3 d4 at 0 and d5 at -1
# (N = 3 > R: prefs_avgjg_Rnonrel recounts with R docs of the last class, which
# holds one; trec_eval reads past it).  Ranking d1 d5 d3: internal ranks d1 0,
# d5 1, d3 2 (retrieved), d2 3, d4 4.  Classes {0 3} {2 4} {1}; the new
# nonrelevant class is {1}.  Recount: {0 3} over {2 4}: 0>2, 0>4 fulfilled,
# 3 vs 2 and 3 vs 4 not (3 unretrieved); each class over {1}: 0>1 fulfilled,
# 3, 2, 4 and 1 itself not: 3 fulfilled of 9, 0.3333.  _ret (R = 1 retrieved
# relevant, N = 2): {0} over {2} fulfilled, {0} {2} {1} over {1}: 1 of 3, so
# 2 of 4, 0.5000.
@test "prefs_avgjg_Rnonrel with a last class smaller than R takes that class's docs (trec_eval reads past it)" {
	printf 'q g s d1 1\nq g s d2 1\nq g s d3 0\nq g s d4 0\nq g s d5 -1\n' > p.txt
	printf 'q Q0 d1 1 3 r\nq Q0 d5 2 2 r\nq Q0 d3 3 1 r\n' > r.txt
	run --separate-stderr lceval -R prefs -m prefs_avgjg_Rnonrel -m prefs_avgjg_Rnonrel_ret p.txt r.txt
	assert_success
	assert_line --regexp '^prefs_avgjg_Rnonrel +'$'\t''all'$'\t''0\.3333$'
	assert_line --regexp '^prefs_avgjg_Rnonrel_ret'$'\t''all'$'\t''0\.5000$'
}

@test "a malformed prefs line names trec_eval's count and the file's line; a NaN level is read as trec_eval reads it" {
	run --separate-stderr lceval -R prefs "$D/prefs_malformed.txt" "$D/run.txt"
	assert_failure 2
	[ "$stderr" = "trec_eval.get_prefs: Malformed line 2
trec_eval: Quit in file '$D/prefs_malformed.txt'
lceval: $D/prefs_malformed.txt:3: expected 5 fields 'qid jg jsg docno level', found 4" ]
	printf 'q g s d1 nan\nq g s d2 1\nq g s d3 0\n' > p.txt
	printf 'q Q0 d2 1 3 r\nq Q0 d3 2 2 r\n' > r.txt
	run --separate-stderr lceval -R prefs -m prefs_num_prefs_poss p.txt r.txt
	assert_success
	assert_line --regexp '^prefs_num_prefs_poss +'$'\t''all'$'\t''3$'
}

@test "preferences are for trec_eval's measures: LOFT measures and lcconv refuse them" {
	run --separate-stderr lceval -R prefs -m recall@10 "$D/prefs.txt" "$D/run.txt"
	assert_failure 2
	grep -q 'preference judgments' <<< "$stderr"
	run --separate-stderr lcconv --kind qrels --from prefs --to trec "$D/prefs.txt"
	assert_failure 2
	grep -q 'holds preferences' <<< "$stderr"
}
