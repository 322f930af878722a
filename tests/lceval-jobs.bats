#!/usr/bin/env bats
# lceval -j N: a plain TREC run is cut at topic boundaries and its parts are
# streamed on N threads; the output must be byte-identical to -j 1 and to
# trec_eval's (the bundled conformance vectors), and every run -j cannot split
# (interleaved topics, gzip, stdin, bad lines) must give -j 1's result.

load helpers
setup() { lctk_setup; }
bats_require_minimum_version 1.5.0

VEC="$ROOT/tests/vectors/eval"

# 300 topics of 8 hits each (every topic in the qrels but the last, t299);
# the tag changes on the last line, which is the run id.
make_run() {
	python3 - <<'PY'
with open("qrels.txt", "w") as q, open("run.txt", "w") as r:
    for t in range(300):
        qid = "t%03d" % t
        if t < 299:
            for d in range(5):
                q.write("%s 0 d%d %d\n" % (qid, d, d % 3))
        for d in range(8):
            r.write("%s Q0 d%d %d %d %s\n" % (qid, (d * 7 + t) % 9, d + 1, 10 - d, "last" if t == 299 and d == 7 else "tag"))
PY
}

# stdout, stderr and exit code of lceval -j 1 and -j N ARGS... must agree.
same_as_j1() {
	local n=$1
	shift
	run --separate-stderr lceval -j 1 "$@"
	local o1="$output" e1="$stderr" s1=$status
	run --separate-stderr lceval -j "$n" "$@"
	[ "$status" = "$s1" ] || fail "-j $n: exit $status, -j 1: $s1"
	[ "$stderr" = "$e1" ] || fail "-j $n stderr: $stderr; -j 1: $e1"
	[ "$output" = "$o1" ] || fail "-j $n output differs from -j 1"
}

@test "-j 2: the bundled trec_eval vectors give trec_eval's output, exit code and messages" {
	python3 - "$VEC" <<'PY'
import json, os, subprocess, sys
bad = 0
for case in ("trec_graded", "trec_ties", "trec_duplicates"):
    d = os.path.join(sys.argv[1], case)
    for c in json.load(open(os.path.join(d, "expected", "commands.json"))):
        p = subprocess.run(["lceval", "-j", "2"] + c["argv"], cwd=d, capture_output=True)
        if p.stdout != open(os.path.join(d, "expected", c["stdout_file"]), "rb").read() or p.returncode != c["exit_code"] \
           or not p.stderr.decode().startswith(c["stderr"]):
            bad += 1
            print(f"{case}: {c['name']}: differs (exit {p.returncode})")
sys.exit(1 if bad else 0)
PY
}

@test "-j 2 and -j 3 equal -j 1: summary, -q, -c, two measures, and the run id of the last line" {
	make_run
	same_as_j1 2 -q -m all_trec qrels.txt run.txt
	[ "$(grep '^runid' <<< "$output" | cut -f3)" = "last" ]
	[ "$(grep -c '^map ' <<< "$output")" = 300 ]   # 299 topics and 'all'
	same_as_j1 3 -m ndcg_cut.10 -m map qrels.txt run.txt
	grep -v '^t299 ' run.txt > short.txt
	sed -i '/^t150 /d' short.txt
	same_as_j1 2 -q -c -m all_trec qrels.txt short.txt
	assert_success
}

@test "-j 2 over runs it cannot split: interleaved topics, a topic in two blocks, gzip, stdin" {
	make_run
	one=$(lceval -q -m all_trec qrels.txt run.txt)
	awk '{ print n[$1]++, $0 }' run.txt | sort -s -n -k1,1 | cut -d' ' -f2- > rr.txt
	run lceval -j 2 -q -m all_trec qrels.txt rr.txt
	assert_success
	[ "$output" = "$one" ] || fail "interleaved"
	# t010's last line moved to the end: its two blocks fall in different parts
	{ grep -v '^t010 Q0 d.* 8 3 tag$' run.txt; grep '^t010 Q0 d.* 8 3 tag$' run.txt; } > moved.txt
	[ "$(wc -l < moved.txt)" = 2400 ]
	same_as_j1 2 -q -m all_trec qrels.txt moved.txt
	gzip -c run.txt > run.txt.gz
	run lceval -j 2 -q -m all_trec qrels.txt run.txt.gz
	assert_success
	[ "$output" = "$one" ] || fail "gzip"
	run bash -c "lceval -j 2 -q -m all_trec qrels.txt - < run.txt"
	assert_success
	[ "$output" = "$one" ]
}

@test "-j 2: a bad line or a duplicate doc late in the run: -j 1's FILE:LINE, message and exit code" {
	make_run
	sed '2000s/ tag$//' run.txt > bad.txt
	same_as_j1 2 -m map qrels.txt bad.txt
	assert_failure 2
	[[ "$stderr" == "lceval: bad.txt:2000: malformed run line"* ]] || fail "$stderr"
	sed '2000s/^\(t249 Q0\) d[0-9]/\1 d'"$(sed -n 1999p run.txt | cut -d' ' -f3 | tr -d d)"'/' run.txt > dup.txt
	same_as_j1 2 -q -m map qrels.txt dup.txt
	assert_failure 4
}

@test "-j takes a whole number from 1 to 256: 0, -1 and abc are usage errors" {
	printf 'a 0 d1 1\n' > q.txt
	printf 'a Q0 d1 1 1 t\n' > r.txt
	for v in 0 -1 abc; do
		run --separate-stderr lceval -j "$v" -m map q.txt r.txt
		[ "$status" = 2 ] || fail "-j $v: exit $status"
		[[ "$stderr" == "lceval: option -j: '$v' is not a whole number from 1 to 256"* ]] || fail "-j $v: $stderr"
	done
	run lceval --jobs 2 -m map q.txt r.txt
	assert_success
	assert_output --regexp '^map +	all	1\.0000$'
}
