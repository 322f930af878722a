#!/usr/bin/env bats
# lcretrieve (BM25): scores, formats, threads, and bad input.
load helpers
setup() { lctk_setup; }

small() {
	cat > c.jsonl <<'J'
{"pid": "d1", "title_text": "", "passage_text": "apple banana"}
{"pid": "d2", "title_text": "", "passage_text": "Apple apple cherry"}
{"pid": "d3", "title_text": "", "passage_text": "banana"}
J
	cat > q.jsonl <<'J'
{"qid": "q1", "query_text": "apple", "answers": [["d2", 1]]}
{"qid": "q2", "query_text": "banana cherry", "answers": [["d2", 1], ["zz", 1]]}
{"qid": "q3", "query_text": "durian"}
J
}

@test "BM25 scores match Lucene's formula (k1=0.9, b=0.4), best first" {
	small
	run lcretrieve --quiet --no-stem --no-stopwords -c c.jsonl q.jsonl
	assert_success
	# idf = ln(1 + (N-df+0.5)/(df+0.5)); tf*(k1+1)/(tf + k1*(1-b+b*dl/avgdl)); N=3, avgdl=2
	assert_line --index 0 '{"qid":"q1","hits":[{"pid":"d2","score":0.579875},{"pid":"d1","score":0.470004}]}'
	assert_line --index 1 '{"qid":"q2","hits":[{"pid":"d2","score":0.895950},{"pid":"d3","score":0.519190},{"pid":"d1","score":0.470004}]}'
	assert_line --index 2 '{"qid":"q3","hits":[]}'
}

@test "--k1 and --b (also b = 0, and k1 below 1) score by Lucene's formula, computed here in Python" {
	small
	for kb in "0.5 0" "0.5 0.75" "1.6 1"; do
		set -- $kb
		lcretrieve --quiet --no-stem --no-stopwords --k1 "$1" --b "$2" -c c.jsonl -o got.jsonl q.jsonl || fail "lcretrieve --k1 $1 --b $2"
		run -0 python3 - "$1" "$2" <<'PY'
import json, math, sys
k1, b = float(sys.argv[1]), float(sys.argv[2])
docs = {"d1": "apple banana", "d2": "apple apple cherry", "d3": "banana"}
N, avgdl = len(docs), sum(len(t.split()) for t in docs.values()) / len(docs)
def score(q, d):
    s, words = 0.0, docs[d].split()
    for t in set(q.split()):
        df = sum(t in v.split() for v in docs.values())
        tf = words.count(t)
        if tf:
            s += math.log(1 + (N - df + 0.5) / (df + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(words) / avgdl))
    return s
for line, q in zip(open("got.jsonl"), ["apple", "banana cherry", "durian"]):
    want = sorted(((round(score(q, d), 6), d) for d in docs if score(q, d) > 0), key=lambda x: (-x[0], x[1]))
    got = [(h["score"], h["pid"]) for h in json.loads(line)["hits"]]
    assert got == want, (q, got, want)
print("ok")
PY
		assert_output ok
	done
}

@test "index file and in-memory corpus give the same run; -k limits hits" {
	small
	lcindex --no-stem -o c.idx c.jsonl
	lcretrieve --quiet -i c.idx -k 1 -o a.jsonl q.jsonl
	lcretrieve --quiet --no-stem -c c.jsonl -k 1 -o b.jsonl q.jsonl
	cmp a.jsonl b.jsonl
	run cat a.jsonl
	assert_line --index 1 '{"qid":"q2","hits":[{"pid":"d2","score":0.895950}]}'
}

@test "ties are broken by corpus order" {
	printf '{"pid": "z", "passage_text": "same text"}\n{"pid": "a", "passage_text": "same text"}\n{"pid": "m", "passage_text": "same text"}\n' > t.jsonl
	run lcretrieve --quiet -c t.jsonl <<< $'q\ttext'
	assert_success
	assert_output --regexp '^\{"qid":"q","hits":\[\{"pid":"z",.*\{"pid":"a",.*\{"pid":"m",'
}

@test "--trec writes a TREC run with a tag" {
	small
	run lcretrieve --quiet --no-stem -c c.jsonl --trec --tag mine q.jsonl
	assert_success
	assert_line --index 0 "q1 Q0 d2 1 0.579875 mine"
	assert_line --index 1 "q1 Q0 d1 2 0.470004 mine"
	assert_line --index 2 "q2 Q0 d2 1 0.895950 mine"
}

@test "queries as TSV, BEIR JSONL, BEIR zip and stdin" {
	small
	printf 'q1\tapple\n' > q.tsv
	printf '{"_id": "q1", "text": "apple"}\n' > qb.jsonl
	mkdir ds
	cp c.jsonl ds/corpus.jsonl
	cp qb.jsonl ds/queries.jsonl
	zip -qr ds.zip ds
	a=$(lcretrieve --quiet -c c.jsonl q.tsv)
	b=$(lcretrieve --quiet -c c.jsonl qb.jsonl)
	c=$(lcretrieve --quiet -c c.jsonl < q.tsv)
	d=$(lcretrieve --quiet -c ds.zip ds.zip)
	[ "$a" = "$b" ] || fail "BEIR JSONL queries differ from TSV: $b"
	[ "$a" = "$c" ] || fail "stdin queries differ from TSV: $c"
	[ "$a" = "$d" ] || fail "BEIR zip differs from TSV: $d"
	[[ "$a" == '{"qid":"q1","hits":[{"pid":"d2",'* ]]
}

@test "gold pids missing from the corpus: one warning with counts" {
	small
	run lcretrieve -c c.jsonl -o run.jsonl q.jsonl
	assert_success
	assert_output "lcretrieve: warning: 1 of 3 gold pids (in 1 of 3 queries; e.g. 'zz') are not in the corpus; those queries cannot score fully"
	[ "$(wc -l < run.jsonl)" -eq 3 ]
}

@test "-j threads give byte-identical output" {
	need_shared data/loft/scifact/corpus.jsonl
	lcindex -o s.idx "$SHARED/data/loft/scifact/corpus.jsonl"
	lcretrieve --quiet -i s.idx -j 1 -o one.jsonl "$SHARED/data/loft/scifact/queries.jsonl"
	lcretrieve --quiet -i s.idx -j 3 -o three.jsonl "$SHARED/data/loft/scifact/queries.jsonl"
	cmp one.jsonl three.jsonl
	[ "$(wc -l < one.jsonl)" -eq 251 ]
}

@test "-j: a TREC pid refused in a late query stops the run alike for any thread count, writing nothing" {
	# 300 queries (several slots of the ring); only query 250 finds the pid with a space
	printf '{"pid":"p 1","title_text":"","passage_text":"narwhal"}\n{"pid":"p2","title_text":"","passage_text":"bees hum"}\n' > c.jsonl
	lcindex --quiet -o c.idx c.jsonl
	for i in $(seq 300); do
		if [ "$i" -eq 250 ]; then printf 'q%s\tnarwhal\n' "$i"; else printf 'q%s\tbees\n' "$i"; fi
	done > q.tsv
	for j in 1 2 5; do
		run --separate-stderr lcretrieve --quiet -i c.idx --trec -j $j -o r$j.txt q.tsv
		[ "$status" -eq 1 ] || fail "-j $j: status $status"
		[[ "$stderr" == *"pid 'p 1' contains white space"* ]] || fail "-j $j: $stderr"
		[ ! -e r$j.txt ] || fail "-j $j wrote r$j.txt"
	done
	# without the refused query, every thread count writes the same 299 lines
	grep -v narwhal q.tsv > q2.tsv
	lcretrieve --quiet -i c.idx --trec -j 1 -o one.txt q2.tsv
	lcretrieve --quiet -i c.idx --trec -j 4 -o four.txt q2.tsv
	cmp one.txt four.txt
	[ "$(wc -l < four.txt)" -eq 299 ]
}

@test "LOFT scifact: top hit of the first query is the gold passage" {
	need_shared data/loft/scifact/corpus.jsonl
	run lcretrieve --quiet -c "$SHARED/data/loft/scifact/corpus.jsonl" -k 1 --trec "$SHARED/data/loft/scifact/queries.jsonl"
	assert_success
	assert_line --index 0 --regexp '^283 Q0 1974176 1 '
	# recall@1 over all 251 queries is at least Xapian's .809 (see tests/bench/results/bm25.txt)
	printf '%s\n' "$output" > run.trec
	hits=$(python3 -c '
import json, sys
gold = {}
for l in open(sys.argv[1]):
    d = json.loads(l)
    gold[d["qid"]] = {a[0] for a in d["answers"]}
print(sum(1 for l in open(sys.argv[2]) if l.split()[2] in gold[l.split()[0]]))' \
		"$SHARED/data/loft/scifact/queries.jsonl" run.trec)
	[ "$hits" -ge 204 ]
}

@test "truncated index: clear error naming the file, no output" {
	small
	lcindex -o c.idx c.jsonl
	head -c 300 c.idx > t.idx
	run lcretrieve -i t.idx -o run.jsonl q.jsonl
	assert_failure 1
	assert_output --partial "lcretrieve: t.idx: truncated index"
	assert_no_file run.jsonl
	head -c 100 c.idx > t2.idx
	run lcretrieve -i t2.idx q.jsonl
	assert_failure 1
	assert_output --partial "t2.idx: truncated index"
	assert_no_stdout_json
}

assert_no_stdout_json() { [[ "$output" != *'"qid"'* ]]; }

@test "corrupted index: checksum error" {
	small
	lcindex -o c.idx c.jsonl
	size=$(stat -c %s c.idx)
	cp c.idx x.idx
	printf '\x55' | dd of=x.idx bs=1 seek=$((size - 20)) conv=notrunc status=none
	run lcretrieve -i x.idx -o run.jsonl q.jsonl
	assert_failure 1
	assert_output "lcretrieve: x.idx: index checksum mismatch (corrupt file); rebuild it"
	assert_no_file run.jsonl
}

@test "index of another version, or not an index" {
	small
	lcindex -o c.idx c.jsonl
	cp c.idx v.idx
	printf '\x07' | dd of=v.idx bs=1 seek=8 conv=notrunc status=none
	run lcretrieve -i v.idx q.jsonl
	assert_failure 1
	assert_output --partial "v.idx: index format version 7, but this program reads version 1"
	run lcretrieve -i c.jsonl q.jsonl
	assert_failure 1
	assert_output --partial "c.jsonl: not an lctk BM25 index"
	: > empty.idx
	run lcretrieve -i empty.idx q.jsonl
	assert_failure 1
	assert_output --partial "empty.idx: empty file"
}

@test "bad corpus or queries: exit 1 with a position, nothing on stdout" {
	small
	printf '{"pid": "d1", "passage_text": "x"}\n{"pid": "d1", "passage_text": "y"}\n' > dup.jsonl
	run lcretrieve -c dup.jsonl q.jsonl
	assert_failure 1
	assert_output "lcretrieve: dup.jsonl:2: duplicate pid 'd1' (first at dup.jsonl:1); ids must be unique"
	: > empty.jsonl
	run lcretrieve -c empty.jsonl q.jsonl
	assert_failure 1
	assert_output --partial "empty corpus"
	printf '{"qid": "a"}\n' > badq.jsonl
	run lcretrieve -c c.jsonl badq.jsonl
	assert_failure 1
	assert_output "lcretrieve: badq.jsonl:1: missing field 'query_text'"
	printf 'a\tx\na\ty\n' > dq.tsv
	run lcretrieve -c c.jsonl dq.tsv
	assert_failure 1
	assert_output --partial "dq.tsv:2: duplicate qid 'a'"
}

@test "usage errors exit 2" {
	small
	run lcretrieve q.jsonl
	assert_failure 2
	assert_output --partial "exactly one of -i INDEX or -c CORPUS"
	run lcretrieve -i a -c b q.jsonl
	assert_failure 2
	run lcretrieve -c c.jsonl -k 0 q.jsonl
	assert_failure 2
	run lcretrieve -c c.jsonl --b 2 q.jsonl
	assert_failure 2
}

@test "summary_text replaces passage_text when non-empty (CoLoR's rule); the title is always indexed" {
	cat > s.jsonl <<'J'
{"pid": "a", "title_text": "Zebra", "passage_text": "original walrus words", "summary_text": "compressed narwhal"}
{"pid": "b", "title_text": "", "passage_text": "plain walrus text", "summary_text": ""}
J
	run lcretrieve --quiet -c s.jsonl <<< $'q1\twalrus\nq2\tnarwhal\nq3\tzebra'
	assert_success
	assert_line --index 0 --regexp '^\{"qid":"q1","hits":\[\{"pid":"b","score":[0-9.]+\}\]\}$'
	assert_line --index 1 --regexp '^\{"qid":"q2","hits":\[\{"pid":"a",'
	assert_line --index 2 --regexp '^\{"qid":"q3","hits":\[\{"pid":"a",'
}

# pruned (default) and exhaustive (LCTK_BM25_EXHAUSTIVE=1) search give the same bytes
same_as_exhaustive() {
	local idx=$1 q=$2
	shift 2
	for k in 1 3 10 100 1000; do
		lcretrieve --quiet -i "$idx" -k $k "$@" -o pruned.jsonl "$q" || return 1
		LCTK_BM25_EXHAUSTIVE=1 lcretrieve --quiet -i "$idx" -k $k "$@" -o full.jsonl "$q" || return 1
		cmp pruned.jsonl full.jsonl || return 1
	done
}

@test "pruned top-k is byte-identical to exhaustive scoring on the LOFT corpora" {
	need_shared data/loft/msmarco/corpus.jsonl
	for d in scifact nq hotpotqa fiqa msmarco; do
		lcindex --quiet -o $d.idx "$SHARED/data/loft/$d/corpus.jsonl"
		same_as_exhaustive $d.idx "$SHARED/data/loft/$d/queries.jsonl" || fail "$d differs"
	done
	same_as_exhaustive nq.idx "$SHARED/data/loft/nq/queries.jsonl" --k1 1.2 --b 0.75 || fail "k1/b differ"
}

@test "pruned top-k with many ties (replicated passages) equals exhaustive scoring" {
	# 4,000 passages from 8 texts: every score is tied 500 ways, lists span many blocks
	awk 'BEGIN { split("red apple pie|green apple tart|red cherry pie|apple apple apple|pie|cherry tart with red apple|green green tea|tea and apple pie", t, "|");
		for (i = 0; i < 4000; i++) printf "{\"pid\": \"p%d\", \"passage_text\": \"%s\"}\n", i, t[i % 8 + 1] }' > ties.jsonl
	printf 'q1\tred apple pie\nq2\tapple\nq3\tgreen tea\nq4\tcherry tart red\nq5\tpie pie apple tea\nq6\tnothing\n' > q.tsv
	lcindex -o ties.idx ties.jsonl
	same_as_exhaustive ties.idx q.tsv
	same_as_exhaustive ties.idx q.tsv --b 0 --k1 2
	# the first 3 of the 500 passages tied at the top, in corpus order
	run -0 lcretrieve -i ties.idx -k 3 --trec <<< $'q\tred apple pie'
	assert_line --index 0 --regexp '^q Q0 p0 1 '
	assert_line --index 1 --regexp '^q Q0 p8 2 '
	assert_line --index 2 --regexp '^q Q0 p16 3 '
}

@test "an index of format version 1 (before skip blocks) is still read, with the same results" {
	small
	lcindex -o c.idx c.jsonl
	# version 1 = version 2 without its last two sections (BLKOFF, BLOCKS)
	python3 -c '
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
b = b[:struct.unpack_from("<Q", b, 72 + 16 * 8)[0]]
struct.pack_into("<I", b, 8, 1)
b[200:248] = bytes(48)
struct.pack_into("<Q", b, 64, len(b))
struct.pack_into("<I", b, 248, zlib.crc32(bytes(b[256:])))
struct.pack_into("<I", b, 252, zlib.crc32(bytes(b[:252])))
open(sys.argv[2], "wb").write(b)' c.idx v1.idx
	printf 'q1\tapple\nq2\tbanana cherry\n' > q.tsv
	lcretrieve -i c.idx -o a.jsonl q.tsv
	lcretrieve -i v1.idx -o b.jsonl q.tsv
	cmp a.jsonl b.jsonl
}

@test "merge --report: the shards, their run and records, the whole object; the merge equals one process" {
	small
	lcretrieve --quiet -c c.jsonl -o one.jsonl q.jsonl
	lcretrieve --quiet -c c.jsonl --shard 1/2 --report s1.json -o p1.jsonl q.jsonl
	lcretrieve --quiet -c c.jsonl --shard 2/2 --report s2.json -o p2.jsonl q.jsonl
	lcretrieve merge --report m.json -o merged.jsonl p2.jsonl p1.jsonl
	cmp one.jsonl merged.jsonl
	local run
	run=$(head -1 p1.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["lctk_part"]["run"])')
	run -0 cat m.json
	assert_output "$(cat <<J
{
  "program": "lcretrieve",
  "version": "$(lcretrieve --version | awk '{print $3}')",
  "inputs": [
    "p2.jsonl",
    "p1.jsonl"
  ],
  "options": {
    "output": "merged.jsonl"
  },
  "subcommand": "merge",
  "shards": 2,
  "run": "$run",
  "merge": "lines",
  "per_shard": [
    2,
    1
  ],
  "records": 3
}
J
)"
}

@test "merge --report: a refused merge writes neither output nor report" {
	small
	lcretrieve --quiet -c c.jsonl --shard 1/2 -o p1.jsonl q.jsonl
	lcretrieve --quiet -k 1 -c c.jsonl --shard 2/2 -o p2.jsonl q.jsonl
	run lcretrieve merge --report m.json -o merged.jsonl p1.jsonl p2.jsonl
	assert_failure 1
	assert_output --partial "different runs"
	assert_no_file m.json
	assert_no_file merged.jsonl
	run lcretrieve merge --report - p1.jsonl
	assert_failure 2
	assert_output --partial "-o OUT"
}
