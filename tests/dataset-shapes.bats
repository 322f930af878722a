#!/usr/bin/env bats
# dataset-shapes.bats — data shaped differently from the bundled LOFT sets, as
# held-back datasets are: a BEIR dataset packed as a tar with any compression or
# piped on standard input, BEIR queries that the chosen qrels split does not
# judge, and LOFT answers whose relevance is written "1" or 1.0.  Each test
# checks a route against an equivalent one (BEIR zip vs tar vs LOFT files) or
# against numbers worked out by hand, and fails on the code before its fix.

load helpers

setup() {
	lctk_setup
	mkdir -p beir/ds/qrels
	cat >beir/ds/corpus.jsonl <<'EOF'
{"_id": "d1", "title": "Whales", "text": "Humpback whales sing long songs.", "metadata": {}}
{"_id": "d2", "title": "Bees", "text": "Honey bees dance to show the way.", "metadata": {}}
{"_id": "d3", "title": "Owls", "text": "Owls hunt small animals at night.", "metadata": {}}
{"_id": "d4", "title": "Songbirds", "text": "Songbirds sing at dawn.", "metadata": {}}
EOF
	cat >beir/ds/queries.jsonl <<'EOF'
{"_id": "t1", "text": "which whales sing songs", "metadata": {}}
{"_id": "t2", "text": "owls at night", "metadata": {}}
{"_id": "tr1", "text": "bees dance", "metadata": {}}
EOF
	printf 'query-id\tcorpus-id\tscore\nt1\td1\t1\nt2\td3\t1\n' >beir/ds/qrels/test.tsv
	printf 'query-id\tcorpus-id\tscore\ntr1\td2\t1\n' >beir/ds/qrels/train.tsv
	(cd beir && zip -qr ../ds.zip ds) || return 1
	# the same dataset as LOFT files, by hand
	cat >corpus.jsonl <<'EOF'
{"pid": "d1", "title_text": "Whales", "passage_text": "Humpback whales sing long songs.", "metadata": {}}
{"pid": "d2", "title_text": "Bees", "passage_text": "Honey bees dance to show the way.", "metadata": {}}
{"pid": "d3", "title_text": "Owls", "passage_text": "Owls hunt small animals at night.", "metadata": {}}
{"pid": "d4", "title_text": "Songbirds", "passage_text": "Songbirds sing at dawn.", "metadata": {}}
EOF
}

@test "a BEIR dataset as .tar.bz2, .txz, .tar.lz4-named or on standard input reads its corpus and queries members like the zip" {
	(cd beir && tar cjf ../ds.tar.bz2 ds && tar cJf ../ds.txz ds && tar czf ../ds.tar.lz4 ds) || fail "tar"
	run -0 lcindex -o zip.idx ds.zip
	run -0 lcindex -o loft.idx corpus.jsonl
	run -0 cmp zip.idx loft.idx
	run -0 lcretrieve -i zip.idx -k 3 -o zip.run ds.zip
	for f in ds.tar.bz2 ds.txz ds.tar.lz4; do
		run -0 lcindex -o t.idx "$f"
		run -0 cmp t.idx zip.idx
		run -0 lcretrieve -i t.idx -k 3 -o t.run "$f"
		run -0 cmp t.run zip.run
		run -0 lcconv --kind corpus --to loft "$f"
		assert_output "$(lcconv --to loft corpus.jsonl)"
	done
	# bytes that are an archive pick the members whatever the name, also on a pipe
	cp ds.tar.bz2 ds.data
	run -0 lcindex -o t.idx ds.data
	run -0 cmp t.idx zip.idx
	run -0 bash -c 'lcindex -o p.idx - <ds.zip'
	run -0 cmp p.idx zip.idx
	run -0 bash -c 'lcretrieve -i zip.idx -k 3 - <ds.tar.bz2 >p.run'
	run -0 cmp p.run zip.run
	# a plain (or plainly compressed) corpus is not an archive: no member needed
	gzip -c corpus.jsonl >c.gz
	run -0 lcindex -o g.idx c.gz
	run -0 cmp g.idx zip.idx
	# an archive without the member says so
	(cd beir/ds && tar cjf ../../other.tar.bz2 queries.jsonl) || fail "tar"
	run -1 lcindex -o x.idx other.tar.bz2
	assert_output --partial "no member matches 'corpus.jsonl' (the file a BEIR or LOFT dataset names so"
	assert_no_file x.idx
}

@test "lcconv: a BEIR tar needs -k like a zip, and its queries get the answers of qrels/test.tsv" {
	(cd beir && tar cjf ../ds.tar.bz2 ds) || fail "tar"
	# known by its bytes, as every reader knows it: also under a name without a suffix
	cp ds.tar.bz2 ds.data
	for f in ds.tar.bz2 ds.data; do
		run -2 lcconv --to loft "$f"
		assert_output --partial "say which with --kind KIND"
		run -0 --separate-stderr lcconv --kind queries --to loft "$f"
		assert_line --index 0 '{"qid":"t1","query_text":"which whales sing songs","answers":[["d1",1]],"metadata":{}}'
		assert_line --index 1 '{"qid":"t2","query_text":"owls at night","answers":[["d3",1]],"metadata":{}}'
	done
}

@test "lcconv: BEIR queries the qrels split does not judge are left out of LOFT queries, so LOFT scores agree with the BEIR route" {
	run --separate-stderr lcconv --kind queries --to loft --report rep.json -o q.jsonl ds.zip
	assert_success
	[ "$stderr" = "lcconv: 1 queries have no judgments in ds.zip: left out (a LOFT query needs its answers)" ] ||
		fail "stderr: $stderr"
	run -0 cat q.jsonl
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 '{"qid":"t1","query_text":"which whales sing songs","answers":[["d1",1]],"metadata":{}}'
	assert_line --index 1 '{"qid":"t2","query_text":"owls at night","answers":[["d3",1]],"metadata":{}}'
	run -0 python3 -c 'import json; r = json.load(open("rep.json")); print(r["records"], r["queries_without_judgments"])'
	assert_output "2 1"
	# every query of the zip is retrieved (tr1 too); both routes score t1 and t2 only
	run -0 lcindex -o ds.idx ds.zip
	run -0 lcretrieve -i ds.idx -k 3 -o run.jsonl ds.zip
	run -0 lceval -m loft --json ds.zip run.jsonl
	beir_route=$output
	run -0 lceval -m loft --json q.jsonl run.jsonl
	assert_equal "$output" "$beir_route"
	# by hand: t1 finds d1 first, t2 finds d3 first -> recall@1 = 1
	run -0 lceval -m loft q.jsonl run.jsonl
	assert_line --index 0 --regexp '^recall@1 +	all	1\.0000$'
	# a query with answers of its own keeps them when the qrels do not judge it
	printf '%s\n' '{"qid": "own", "query_text": "bees", "answers": [["d2", 1]]}' >own.jsonl
	run -0 lcconv --kind queries --to loft --qrels beir/ds/qrels/test.tsv own.jsonl
	assert_output '{"qid":"own","query_text":"bees","answers":[["d2",1]],"metadata":{}}'
}

@test "LOFT answers with relevance \"1\" or 1.0 are read as 1 by lcretrieve, lcconv and lcgen; other values are refused" {
	cat >q.jsonl <<'EOF'
{"qid": "q1", "query_text": "whales sing", "answers": [["d1", "1"]], "metadata": {"qrels": [["d1", "1"]]}}
{"qid": "q2", "query_text": "owls", "answers": [["d3", 1.0], ["d4", "0"]], "metadata": {}}
{"qid": "q3", "query_text": "bees", "answers": [["d2", 2]], "metadata": {}}
EOF
	run -0 lcconv --kind queries --to loft q.jsonl
	assert_line --index 0 '{"qid":"q1","query_text":"whales sing","answers":[["d1",1]],"metadata":{"qrels":[["d1","1"]]}}'
	assert_line --index 1 '{"qid":"q2","query_text":"owls","answers":[["d3",1],["d4",0]],"metadata":{}}'
	assert_line --index 2 '{"qid":"q3","query_text":"bees","answers":[["d2",2]],"metadata":{}}'
	run -0 lcindex -o c.idx corpus.jsonl
	run -0 lcretrieve -i c.idx -k 1 q.jsonl
	assert_line --index 0 --regexp '^\{"qid":"q1","hits":\[\{"pid":"d1",'
	assert_line --index 1 --regexp '^\{"qid":"q2","hits":\[\{"pid":"d3",'
	assert_line --index 2 --regexp '^\{"qid":"q3","hits":\[\{"pid":"d2",'
	run -0 lcgen candidates --kinds full -o cand.jsonl corpus.jsonl
	run -0 lcgen labels -c corpus.jsonl -q q.jsonl -o lab.jsonl cand.jsonl
	run -0 python3 -c 'import json; print(sorted({(o["qid"], o["pid"]) for o in map(json.loads, open("lab.jsonl"))}))'
	assert_output "[('q1', 'd1'), ('q2', 'd3'), ('q2', 'd4'), ('q3', 'd2')]"
	for bad in '"1x"' '1.5' '""' 'true' '"2.0"'; do
		printf '{"qid": "b", "query_text": "x", "answers": [["d1", %s]]}\n' "$bad" >bad.jsonl
		run -1 lcretrieve -i c.idx bad.jsonl
		assert_output --partial 'bad.jsonl:1: answers[0]: relevance must be an integer (1, 1.0 or "1")'
	done
}

# hotpotqa's first N passages as BEIR corpus.jsonl (written by python, not lcconv)
beir_of_hotpotqa() {
	python3 - "$ROOT/share/lctk/data/hotpotqa/corpus.jsonl" "$1" <<'PY'
import json, sys
with open(sys.argv[1]) as f, open("loft.jsonl", "w") as lo, open("beir.jsonl", "w") as be:
    for i, line in zip(range(int(sys.argv[2])), f):
        o = json.loads(line)
        lo.write(line)
        be.write(json.dumps({"_id": o["pid"], "title": o["title_text"], "text": o["passage_text"], "metadata": {}}) + "\n")
PY
}

@test "lcompress a BEIR corpus (also in a zip or tar): the same summaries as its LOFT form, and lcindex indexes them" {
	beir_of_hotpotqa 40 || fail "python"
	mkdir -p z/hq
	cp beir.jsonl z/hq/corpus.jsonl
	cp beir/ds/queries.jsonl z/hq/queries.jsonl
	(cd z && zip -qr ../hq.zip hq && tar cjf ../hq.tar.bz2 hq) || fail "archives"
	run -0 lcompress -o loft.small.jsonl loft.jsonl
	loft_msg=$output
	run -0 lcompress -o beir.small.jsonl beir.jsonl
	# the titles count as in the LOFT form: the same sizes, and the same summaries
	assert_equal "$output" "$loft_msg"
	run -0 python3 -c '
import json
a = [(o["pid"], o["summary_text"]) for o in map(json.loads, open("loft.small.jsonl"))]
b = [(o["_id"], o["summary_text"]) for o in map(json.loads, open("beir.small.jsonl"))]
assert len(a) == 40 and a == b, "summaries differ"
assert sum(s != "" for _, s in a) > 30 and any(len(s) < len(t) for (_, s), t in zip(a, (json.loads(l)["passage_text"] for l in open("loft.jsonl")))), "nothing compressed"
print("ok")'
	assert_output "ok"
	for f in hq.zip hq.tar.bz2; do
		run -0 lcompress -o a.small.jsonl "$f"
		run -0 cmp a.small.jsonl beir.small.jsonl
	done
	# lcindex reads summary_text of a BEIR record as of a LOFT one: the compressed index
	run -0 lcindex -o loft.idx loft.small.jsonl
	run -0 lcindex -o beir.idx beir.small.jsonl
	run -0 cmp loft.idx beir.idx
	run -0 lcindex -o full.idx beir.jsonl
	run -1 cmp -s full.idx beir.idx
	# and lcconv keeps it in LOFT form
	run -0 lcconv --to loft beir.small.jsonl
	run -0 python3 -c '
import json, subprocess
out = subprocess.run(["lcconv", "--to", "loft", "beir.small.jsonl"], capture_output=True, text=True, check=True).stdout
got = [json.loads(l)["summary_text"] for l in out.splitlines()]
want = [json.loads(l)["summary_text"] for l in open("beir.small.jsonl")]
print(got == want)'
	assert_output "True"
}

@test "a BEIR zip made on macOS: the __MACOSX/._corpus.jsonl resource forks are not read as data" {
	python3 - <<'PY' || fail "python"
import zipfile
fork = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09"
with zipfile.ZipFile("mac.zip", "w") as z:
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        z.write("beir/ds/" + name, "ds/" + name)
        head, _, base = ("ds/" + name).rpartition("/")
        z.writestr("__MACOSX/" + head + "/._" + base, fork)
    z.writestr("ds/._corpus.jsonl", fork)
PY
	run -0 lcindex -o zip.idx ds.zip
	run -0 lcindex -o mac.idx mac.zip
	run -0 cmp mac.idx zip.idx
	run -0 lcretrieve -i zip.idx -k 3 -o mac.run mac.zip
	run -0 lcretrieve -i zip.idx -k 3 -o zip.run ds.zip
	run -0 cmp mac.run zip.run
	run -0 lceval -m P.1 mac.zip zip.run
	assert_output "$(printf 'P_1                   \tall\t1.0000')"
	run -0 --separate-stderr lcconv --kind queries --to loft mac.zip
	assert_equal "${#lines[@]}" 2
}

@test "LOFT query_text as a list: one turn is read as its string; several turns are refused naming the count" {
	cat >q.jsonl <<'EOF2'
{"qid": "q1", "query_text": ["which whales sing songs"], "answers": [["d1", 1]], "metadata": {}}
{"qid": "q2", "query_text": "owls at night", "answers": [["d3", 1]], "metadata": {}}
EOF2
	printf '%s\n' '{"qid": "q1", "query_text": "which whales sing songs", "answers": [["d1", 1]], "metadata": {}}' \
		'{"qid": "q2", "query_text": "owls at night", "answers": [["d3", 1]], "metadata": {}}' >flat.jsonl
	run -0 lcindex -o c.idx corpus.jsonl
	run -0 lcretrieve -i c.idx -k 4 q.jsonl
	assert_output "$(lcretrieve -i c.idx -k 4 flat.jsonl)"
	assert_line --index 0 --regexp '^\{"qid":"q1","hits":\[\{"pid":"d1",'
	run -0 lcconv --kind queries --to loft q.jsonl
	assert_line --index 0 '{"qid":"q1","query_text":"which whales sing songs","answers":[["d1",1]],"metadata":{}}'
	printf '%s\n' '{"qid": "m", "query_text": ["first turn", "second turn"], "answers": [["d1", 1], ["d2", 1]]}' >multi.jsonl
	run -1 lcretrieve -i c.idx multi.jsonl
	assert_output "lcretrieve: multi.jsonl:1: field 'query_text': a list of 2 turns (a multi-turn LOFT query); lctk reads single-turn queries: a string, or a list of one"
	printf '%s\n' '{"qid": "e", "query_text": [], "answers": []}' >empty.jsonl
	run -1 lcretrieve -i c.idx empty.jsonl
	assert_output --partial "field 'query_text': expected a string, got array"
}

@test "lcconv --kind qrels --to trec|beir: an answer pid listed twice becomes one judgment, so lceval reads the qrels" {
	cat >q.jsonl <<'EOF2'
{"qid": "q1", "query_text": "whales", "answers": [["d1", 1], ["d2", 1], ["d1", 2]]}
{"qid": "q2", "query_text": "owls", "answers": [["d3", 1]]}
EOF2
	run -0 --separate-stderr lcconv --kind qrels --to trec --report rep.json -o qrels.txt q.jsonl
	[ "$stderr" = "lcconv: 1 judgments repeat a document of their query: the first kept, as trec qrels hold one per query and document" ] ||
		fail "stderr: $stderr"
	run -0 cat qrels.txt
	assert_output "$(printf 'q1 0 d1 1\nq1 0 d2 1\nq2 0 d3 1')"
	run -0 python3 -c 'import json; r = json.load(open("rep.json")); print(r["records"], r["repeated_judgments_dropped"])'
	assert_output "3 1"
	run -0 --separate-stderr lcconv --kind qrels --to beir q.jsonl
	assert_output "$(printf 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t1\nq2\td3\t1')"
	printf 'q1 Q0 d1 1 2.0 t\nq1 Q0 d4 2 1.0 t\nq2 Q0 d3 1 1.0 t\n' >run.txt
	# by hand: q1 finds 1 of its 2 relevant in 2, q2 1 of 1 -> recall_2 (0.5 + 1) / 2
	run -0 lceval -m recall.2 -m P.1 qrels.txt run.txt
	assert_output "$(printf 'P_1                   \tall\t1.0000\nrecall_2              \tall\t0.7500')"
	# LOFT keeps them (they count in LOFT's recall)
	run -0 lcconv --kind qrels --to loft q.jsonl
	assert_line --index 0 '{"qid": "q1", "answers": [["d1", 1], ["d2", 1], ["d1", 2]]}'
}

@test "a LOFT dataset folder as a zip or tar: corpus.jsonl and queries.jsonl are read (lcindex, lcretrieve, lcconv, lcompress, lcsplit), not the few-shot files beside them" {
	mkdir -p loft/ds
	cp corpus.jsonl loft/ds/corpus.jsonl
	head -1 corpus.jsonl >loft/ds/few_shot_corpus.jsonl
	printf '%s\n' '{"qid": "t1", "query_text": "which whales sing songs", "answers": [["d1", 1]], "metadata": {}}' \
		'{"qid": "t2", "query_text": "owls at night", "answers": [["d3", 1]], "metadata": {}}' >loft/ds/queries.jsonl
	printf '%s\n' '{"qid": "fs1", "query_text": "bees", "answers": [["d1", 1]], "metadata": {}}' >loft/ds/few_shot_queries.jsonl
	(cd loft && zip -qr ../ds-loft.zip ds && tar czf ../ds-loft.tar.gz ds) || fail "archives"
	run -0 lcindex -o plain.idx loft/ds/corpus.jsonl
	run -0 lcretrieve -i plain.idx -k 3 -o plain.run loft/ds/queries.jsonl
	for f in ds-loft.zip ds-loft.tar.gz; do
		run -0 lcindex -o a.idx "$f"
		run -0 cmp a.idx plain.idx
		run -0 lcretrieve -i a.idx -k 3 -o a.run "$f"
		run -0 cmp a.run plain.run
		run -0 lcconv --kind queries --to loft "$f"
		assert_equal "${#lines[@]}" 2
		run -0 lcompress -o a.small "$f"
		run -0 lcompress -o plain.small loft/ds/corpus.jsonl
		run -0 cmp a.small plain.small
		run -0 lcsplit -o a.split "$f"
		run -0 lcsplit -o plain.split loft/ds/corpus.jsonl
		run -0 cmp a.split plain.split
	done
	# the few-shot files are still one --member away
	run -0 lcindex --member '*few_shot_corpus.jsonl' -o fs.idx ds-loft.zip
	run -0 lcindex --stats fs.idx
	assert_line "$(printf 'documents\t1')"
}

@test "lceval reads LOFT answers as lcretrieve does: [pid], bare pid, relevance 1.0 or \"2\", pids with spaces; no answers is an error" {
	# the reference: answers as [pid, int] pairs, which lceval always read
	printf '%s\n' '{"qid": "t1", "query_text": "which whales sing songs", "answers": [["d1", 1]]}' \
		'{"qid": "t2", "query_text": "owls at night", "answers": [["d3", 2], ["d2", 1], ["d4", 1]]}' >ref.jsonl
	# the same answers as held-back LOFT files write them
	printf '%s\n' '{"qid": "t1", "query_text": "which whales sing songs", "answers": [["d1"]]}' \
		'{"qid": "t2", "query_text": "owls at night", "answers": [[" d3 ", "2"], ["d2", 1.0], "d4"]}' >var.jsonl
	run -0 lcindex -o c.idx corpus.jsonl
	run -0 lcretrieve -i c.idx -k 4 -o var.run var.jsonl
	run -0 lcretrieve -i c.idx -k 4 -o ref.run ref.jsonl
	run -0 cmp var.run ref.run
	run -0 lceval -q -m ndcg -m ndcg_cut.3 -m recip_rank -m map ref.jsonl ref.run
	expected=$output
	run -0 lceval -q -m ndcg -m ndcg_cut.3 -m recip_rank -m map var.jsonl var.run
	assert_output "$expected"
	# the relevance threshold sees "2" as 2 (ndcg above its gain)
	run -0 lceval -q -m ndcg -m recip_rank -m map -l 2 ref.jsonl ref.run
	expected=$output
	run -0 lceval -q -m ndcg -m recip_rank -m map -l 2 var.jsonl var.run
	assert_output "$expected"
	run -0 lceval -m loft --json ref.jsonl ref.run
	expected=$output
	run -0 lceval -m loft --json var.jsonl var.run
	assert_output "$expected"
	run -0 lcconv --kind qrels --to trec var.jsonl
	assert_output "$(printf 't1 0 d1 1\nt2 0 d3 2\nt2 0 d2 1\nt2 0 d4 1')"
	# lcretrieve's reader strips the pid too: lcgen labels finds " d3 " as d3
	run -0 lcgen candidates --kinds full -o cand.jsonl corpus.jsonl
	run -0 lcgen labels -c corpus.jsonl -q var.jsonl -o lab.jsonl cand.jsonl
	run -0 python3 -c 'import json; print(sorted({(o["qid"], o["pid"]) for o in map(json.loads, open("lab.jsonl"))}))'
	assert_output "[('t1', 'd1'), ('t2', 'd2'), ('t2', 'd3'), ('t2', 'd4')]"
	run -0 lcconv --kind queries --to loft var.jsonl
	assert_line --index 1 '{"qid":"t2","query_text":"owls at night","answers":[["d3",2],["d2",1],["d4",1]],"metadata":{}}'
	# the values lcretrieve refuses, lceval refuses with the same message
	printf '%s\n' '{"qid": "t1", "query_text": "x", "answers": [["d1", "1x"]]}' >bad.jsonl
	run -1 lceval -m P.1 bad.jsonl ref.run
	assert_output --partial 'bad.jsonl:1: answers[0]: relevance must be an integer (1, 1.0 or "1")'
	# a query without answers judges nothing: an error naming it, as LOFT's evaluation fails on it
	printf '%s\n' '{"qid": "t1", "query_text": "x"}' >none.jsonl
	run -1 lceval -m loft none.jsonl ref.run
	assert_output --partial "none.jsonl:1: query 't1' has no 'answers'"
}

@test "lceval and lcconv --kind qrels: a BEIR dataset as .tar.bz2, .tgz, a zip under another name or on standard input gives its qrels/test.tsv, as the .zip does" {
	(cd beir && tar cjf ../ds.tar.bz2 ds && tar czf ../ds.tgz ds) || fail "tar"
	cp ds.zip ds.data
	run -0 lcindex -o c.idx ds.zip
	run -0 lcretrieve -i c.idx -k 3 -o r.run ds.zip
	run -0 lceval -m recip_rank -m P.1 -m num_q beir/ds/qrels/test.tsv r.run
	expected=$output
	assert_line "$(printf 'num_q                 \tall\t2')"
	for f in ds.zip ds.tar.bz2 ds.tgz ds.data; do
		run -0 lceval -m recip_rank -m P.1 -m num_q "$f" r.run
		assert_output "$expected"
		run -0 lcconv --kind qrels --to trec "$f"
		assert_output "$(printf 't1 0 d1 1\nt2 0 d3 1')"
	done
	run -0 bash -c 'lceval -m recip_rank -m P.1 -m num_q - r.run <ds.tgz'
	assert_output "$expected"
	# another split is one option away
	run -0 lceval --qrels-member '*qrels/train.tsv' -m num_q -c ds.tar.bz2 r.run
	assert_output "$(printf 'num_q                 \tall\t1')"
	# lcfuse --optimize reads its --qrels the same way
	run -0 lcfuse --optimize recip_rank --qrels beir/ds/qrels/test.tsv r.run r.run
	expected=$output
	run -0 lcfuse --optimize recip_rank --qrels ds.tgz r.run r.run
	assert_output "$expected"
}

@test "lctok reads a dataset archive's corpus.jsonl as lcindex does (--member for others), and its messages name the member" {
	(cd beir && tar cjf ../ds.tar.bz2 ds) || fail "tar"
	run -0 lctok count -e cl100k_base --total beir/ds/corpus.jsonl
	expected=$output
	for f in ds.zip ds.tar.bz2; do
		run -0 lctok count -e cl100k_base --total "$f"
		assert_output "$expected"
		run -0 lctok count -e cl100k_base -j 2 "$f"
		assert_output "$(lctok count -e cl100k_base beir/ds/corpus.jsonl)"
	done
	run -0 bash -c 'lctok count -e cl100k_base --total - <ds.tar.bz2'
	assert_output "$expected"
	run -0 lctok count -e cl100k_base --total -f text --member queries.jsonl ds.zip
	assert_output "$(lctok count -e cl100k_base --total -f text beir/ds/queries.jsonl)"
	# a LOFT folder: corpus.jsonl, not few_shot_corpus.jsonl beside it
	mkdir -p loft/ds
	cp corpus.jsonl loft/ds/corpus.jsonl
	head -1 corpus.jsonl >loft/ds/few_shot_corpus.jsonl
	(cd loft && zip -qr ../ds-loft.zip ds) || fail "zip"
	run -0 lctok count -e cl100k_base --total ds-loft.zip
	assert_output "$(lctok count -e cl100k_base --total corpus.jsonl)"
	# --member on plain input is a usage error
	run -2 lctok count -e cl100k_base --member '*.jsonl' corpus.jsonl
	assert_output --partial "--member given but the input is not a zip or tar archive"
	# a bad record in the second member is named by its member, with -j 1 and 2
	mkdir -p parts
	head -2 corpus.jsonl >parts/part-0.jsonl
	printf '%s\n' '{"pid": "x", "passage_text": "fine"}' '{"pid": "y", "passage_text": oops}' >parts/part-1.jsonl
	(cd parts && zip -q ../parts.zip part-0.jsonl part-1.jsonl) || fail "zip"
	for j in 1 2; do
		run -1 lctok count -e cl100k_base -j "$j" --member 'part-*.jsonl' parts.zip
		assert_output --partial "lctok: parts.zip(part-1.jsonl):2:"
	done
	run -0 lctok count -e cl100k_base --total --member 'part-0.jsonl' parts.zip
	assert_output "$(head -2 corpus.jsonl | lctok count -e cl100k_base --total)"
}

@test "lcompress and lcsplit --member: a corpus archived in shards (part-*.jsonl) reads as the whole file does" {
	mkdir -p shards
	head -2 corpus.jsonl >shards/part-0.jsonl
	tail -n +3 corpus.jsonl >shards/part-1.jsonl
	printf '%s\n' '{"qid": "t1", "query_text": "whales", "answers": [["d1", 1]]}' >shards/queries.jsonl
	(cd shards && tar czf ../shards.tar.gz part-0.jsonl part-1.jsonl queries.jsonl) || fail "tar"
	run -0 lcompress -o plain.small corpus.jsonl
	run -0 lcompress --member 'part-*.jsonl' -o a.small shards.tar.gz
	run -0 cmp a.small plain.small
	run -0 lcsplit -o plain.split corpus.jsonl
	run -0 lcsplit --member 'part-*.jsonl' -o a.split shards.tar.gz
	run -0 cmp a.split plain.split
	# without it the archive has no corpus.jsonl: the message says to give --member
	run -1 lcompress -o b.small shards.tar.gz
	assert_output --partial "no member matches 'corpus.jsonl'"
	assert_output --partial "--member GLOB"
	assert_no_file b.small
	run -1 lcsplit -o b.split shards.tar.gz
	assert_output --partial "no member matches 'corpus.jsonl'"
	# and --member on input that is not an archive is a usage error
	run -2 lcompress --member 'part-*.jsonl' corpus.jsonl
	assert_output --partial "--member given but the input is not a zip or tar archive"
	run -2 lcsplit --member 'part-*.jsonl' corpus.jsonl
	assert_output --partial "--member given but the input is not a zip or tar archive"
}

@test "lceval, lcconv --kind qrels: a LOFT dataset's archive as qrels gives its queries.jsonl answers (not the few-shot ones), as the plain file does" {
	mkdir -p loft/ds
	cp corpus.jsonl loft/ds/corpus.jsonl
	printf '%s\n' '{"qid": "t1", "query_text": "which whales sing songs", "answers": [["d1", 1]], "metadata": {}}' \
		'{"qid": "t2", "query_text": "owls at night", "answers": [["d3", 1], ["d2", 1]], "metadata": {}}' >loft/ds/queries.jsonl
	printf '%s\n' '{"qid": "t1", "query_text": "bees", "answers": [["d4", 1]], "metadata": {}}' >loft/ds/few_shot_queries.jsonl
	(cd loft && zip -qr ../ds-loft.zip ds && tar cjf ../ds-loft.tar.bz2 ds) || fail "archives"
	run -0 lcindex -o c.idx ds-loft.zip
	run -0 lcretrieve -i c.idx -k 3 -o r.run ds-loft.zip
	run -0 lceval -m loft --json loft/ds/queries.jsonl r.run
	loft=$output
	run -0 lceval -m ndcg -m recip_rank loft/ds/queries.jsonl r.run
	trec=$output
	for f in ds-loft.zip ds-loft.tar.bz2; do
		run -0 lceval -m loft --json "$f" r.run
		assert_output "$loft"
		run -0 lceval -m ndcg -m recip_rank "$f" r.run
		assert_output "$trec"
		run -0 lcconv --kind qrels --to trec "$f"
		assert_output "$(printf 't1 0 d1 1\nt2 0 d3 1\nt2 0 d2 1')"
	done
	# neither qrels/test.tsv nor queries.jsonl: both named
	(cd loft/ds && tar czf ../../other.tgz corpus.jsonl) || fail "tar"
	run -1 lceval -m P.1 other.tgz r.run
	assert_output "lceval: other.tgz: no member matches '*qrels/test.tsv' (a BEIR dataset's qrels) or 'queries.jsonl' (a LOFT dataset's queries); name the member that holds the qrels with --qrels-member GLOB, or extract it"
}

@test "an archive without the dataset's member: each program's message names its own option for that input (lceval --qrels-member, --run-member), or says to extract the file where it has none" {
	mkdir -p parts
	head -2 corpus.jsonl >parts/part-0.jsonl
	tail -n +3 corpus.jsonl >parts/part-1.jsonl
	(cd parts && zip -q ../parts.zip part-0.jsonl part-1.jsonl) || fail "zip"
	printf 't1 Q0 d1 1 3 r\n' >r.run
	printf 't1 0 d1 1\n' >q.txt
	# lceval chooses the qrels' member with --qrels-member and a run's with --run-member
	run -1 bash -c 'lceval -m P.1 - r.run <parts.zip'
	assert_output "lceval: (stdin): no member matches '*qrels/test.tsv' (the file a BEIR or LOFT dataset names so; choose other members with --qrels-member GLOB, or extract the file)"
	run -1 lceval -m P.1 parts.zip r.run
	assert_output --partial "name the member that holds the qrels with --qrels-member GLOB, or extract it"
	run -2 lceval -m P.1 --qrels-member '*.tsv' q.txt r.run
	assert_output "lceval: q.txt: --qrels-member given but the input is not a zip or tar archive"
	run -2 lceval -m P.1 --run-member '*.run' q.txt r.run
	assert_output "lceval: r.run: --run-member given but the input is not a zip or tar archive"
	# lcretrieve and lcgen have no member option: the file is to be extracted
	run -1 lcretrieve -c parts.zip -k 3 beir/ds/queries.jsonl
	assert_output "lcretrieve: parts.zip: no member matches 'corpus.jsonl' (the file a BEIR or LOFT dataset names so; extract the file you mean and give it)"
	run -1 lcretrieve -c corpus.jsonl -k 3 parts.zip
	assert_output "lcretrieve: parts.zip: no member matches 'queries.jsonl' (the file a BEIR or LOFT dataset names so; extract the file you mean and give it)"
	run -1 bash -c 'lcretrieve -c corpus.jsonl -k 3 <parts.zip'
	assert_output --partial "lcretrieve: (stdin): no member matches 'queries.jsonl' (the file a BEIR or LOFT dataset names so; extract the file you mean and give it)"
	run -1 lcgen labels -c parts.zip -q beir/ds/queries.jsonl cands.jsonl
	assert_output --partial "lcgen: parts.zip: no member matches 'corpus.jsonl' (the file a BEIR or LOFT dataset names so; extract the file you mean and give it)"
	run -1 lcgen labels -c corpus.jsonl -q parts.zip cands.jsonl
	assert_output --partial "lcgen: parts.zip: no member matches 'queries.jsonl' (the file a BEIR or LOFT dataset names so; extract the file you mean and give it)"
	# lcfuse, like lceval, has --qrels-member and --run-member
	run -1 lcfuse --qrels parts.zip --optimize P.1 r.run r.run
	assert_output --partial "lcfuse: parts.zip: no member matches '*qrels/test.tsv' (a BEIR dataset's qrels) or 'queries.jsonl' (a LOFT dataset's queries); name the member that holds the qrels with --qrels-member GLOB, or extract it"
	run -1 bash -c 'lcfuse --qrels - --optimize P.1 r.run r.run <parts.zip'
	assert_output --partial "(the file a BEIR or LOFT dataset names so; choose other members with --qrels-member GLOB, or extract the file)"
	# the programs with --member name it, for each kind of input
	for cmd in "lcindex -o x.idx" "lctok count -e cl100k_base" "lcsplit" "lcompress" "lcconv --kind corpus --to loft" \
		"lcconv --kind queries --to loft"; do
		run -1 $cmd parts.zip
		assert_output --partial "(the file a BEIR or LOFT dataset names so; choose other members with --member GLOB, or extract the file)"
	done
	run -1 lcconv --kind qrels --to trec parts.zip
	assert_output --partial "name the member that holds the qrels with --member GLOB, or extract it"
	run -2 lcconv --to trec --member '*.run' r.run
	assert_output "lcconv: r.run: --member given but the input is not a zip or tar archive"
	assert_no_file x.idx
}
