#!/usr/bin/env bats
# lcindex: building, stats, sharding + merge, and bad input.
load helpers
setup() { lctk_setup; }

corpus() {
	cat > c.jsonl <<'J'
{"pid": "p1", "title_text": "Apples", "passage_text": "Apples are red fruit.", "metadata": {}}
{"pid": "p2", "title_text": "Bananas", "passage_text": "Bananas are yellow fruit; monkeys like bananas.", "metadata": {}}
{"pid": 3, "title_text": "", "passage_text": "Cherries are small.", "summary_text": "Tiny cherries."}
{"pid": "p4", "title_text": "Dates", "passage_text": "Dates grow on palms.", "metadata": {}}
{"pid": "p5", "title_text": "Elderberry", "passage_text": "Elderberries make wine.", "metadata": {}}
J
}

@test "builds an index and reports its statistics" {
	corpus
	run lcindex -o c.idx c.jsonl
	assert_success
	run lcindex --stats c.idx
	assert_success
	assert_line --partial $'documents\t5'
	assert_line --partial $'shard\t1/1'
	assert_line --partial $'analyser\tstem=english stopwords='
	# 24 words, minus the stopwords "are" (twice) and "on"
	assert_line $'total_length\t21'
}

@test "--no-stem and --no-stopwords are recorded in the index" {
	corpus
	lcindex --no-stem --no-stopwords -o c.idx c.jsonl
	run -0 lcindex --stats c.idx
	assert_line $'analyser\tstem=none stopwords=0'
	assert_line $'total_length\t24'
}

@test "reads gzip input, stdin and BEIR zip files" {
	corpus
	gzip -k c.jsonl
	lcindex -o a.idx c.jsonl
	lcindex -o b.idx c.jsonl.gz
	lcindex -o s.idx < c.jsonl
	cmp a.idx b.idx
	cmp a.idx s.idx
	mkdir ds
	printf '{"_id": "d1", "title": "T", "text": "alpha beta"}\n{"_id": "d2", "title": "", "text": "gamma"}\n' > ds/corpus.jsonl
	printf '{"_id": "q1", "text": "alpha"}\n' > ds/queries.jsonl
	zip -qr ds.zip ds
	run lcindex -o z.idx ds.zip
	assert_success
	run -0 lcindex --stats z.idx
	assert_line $'documents\t2'
}

@test "--id/-f index chosen fields of any JSONL" {
	printf '{"doc": 1, "a": "one fish", "b": "two fish"}\n{"doc": 2, "a": "red", "b": "blue"}\n' > x.jsonl
	run lcindex --id doc --field a,b -o x.idx x.jsonl
	assert_success
	run -0 lcindex --stats x.idx
	assert_line $'documents\t2'
	assert_line $'terms\t5'
	run lcindex --field a x.jsonl
	assert_failure 2
}

@test "shards merged equal a single build (and shard order does not matter)" {
	corpus
	lcindex -o full.idx c.jsonl
	for k in 1 2 3; do lcindex --shard $k/3 -o part$k.idx c.jsonl; done
	run -0 lcindex --stats part2.idx
	assert_line $'shard\t2/3'
	assert_line $'documents\t2'
	lcindex merge -o merged.idx part3.idx part1.idx part2.idx
	cmp full.idx merged.idx
	run lcindex merge -o m2.idx part1.idx part2.idx
	assert_failure 1
	assert_output --partial "give all 3 shards"
	assert_no_file m2.idx
	# shard 3/3 of another corpus of the same size (one title changed): not one of this split
	sed '1s/"title_text": "[^"]*"/"title_text": "changed"/' c.jsonl > other.jsonl
	run -1 cmp -s c.jsonl other.jsonl
	lcindex --shard 3/3 -o other3.idx other.jsonl
	run lcindex merge -o m3.idx part1.idx part2.idx other3.idx
	assert_failure 1
	assert_output --partial "other3.idx: shard 3/3 is of another lcindex run than part1.idx"
	assert_no_file m3.idx
	# a task may differ in what does not change what it writes: memory, progress, its report
	lcindex --shard 3/3 --memory 1M --quiet --report r3.json -o q3.idx c.jsonl
	lcindex merge -o m4.idx part1.idx q3.idx part2.idx
	cmp full.idx m4.idx
	run lcretrieve -i part1.idx <<< $'q\tapples'
	assert_failure 1
	assert_output --partial "lcindex merge"
}

@test "GNU parallel recipe builds the same index as a single process" {
	command -v parallel >/dev/null || skip "GNU parallel not installed"
	need_shared data/loft/nq/corpus.jsonl
	lcindex -o one.idx "$SHARED/data/loft/nq/corpus.jsonl"
	run sh "$ROOT/share/lctk/recipes/bm25-parallel.sh" 4 par.idx "$SHARED/data/loft/nq/corpus.jsonl"
	assert_success
	cmp one.idx par.idx
}

@test "duplicate pids: error names both lines, no output" {
	corpus
	echo '{"pid": "p2", "title_text": "", "passage_text": "again"}' >> c.jsonl
	run lcindex -o c.idx c.jsonl
	assert_failure 1
	assert_output "lcindex: c.jsonl:6: duplicate pid 'p2' (first at c.jsonl:2); ids must be unique"
	assert_no_file c.idx
}

@test "duplicate pids: the same message with --memory, across input files, and late in a large corpus" {
	corpus
	echo '{"pid": "p2", "title_text": "", "passage_text": "again"}' >> c.jsonl
	run lcindex --memory 1 -o c.idx c.jsonl
	assert_failure 1
	assert_output "lcindex: c.jsonl:6: duplicate pid 'p2' (first at c.jsonl:2); ids must be unique"
	assert_no_file c.idx
	# the first occurrence in an earlier file (blank lines count as lines)
	printf '{"pid": "a", "passage_text": "x"}\n\n{"pid": "b", "passage_text": "y"}\n' > f1.jsonl
	printf '{"pid": "c", "passage_text": "z"}\n{"pid": "b", "passage_text": "w"}\n' > f2.jsonl
	run lcindex -o f.idx f1.jsonl f2.jsonl
	assert_failure 1
	assert_output "lcindex: f2.jsonl:2: duplicate pid 'b' (first at f1.jsonl:3); ids must be unique"
	# 40,000 long pids (far past the pid store's 125-byte share of --memory 1K: most in the temporary
	# file), one repeated at the end
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "{\"pid\": \"a-rather-long-passage-identifier-%06d\", \"passage_text\": \"w%d\"}\n", i, i }' > big.jsonl
	echo '{"pid": "a-rather-long-passage-identifier-031337", "passage_text": "dup"}' >> big.jsonl
	run lcindex --memory 1K -o big.idx big.jsonl
	assert_failure 1
	assert_output "lcindex: big.jsonl:40001: duplicate pid 'a-rather-long-passage-identifier-031337' (first at big.jsonl:31338); ids must be unique"
	assert_no_file big.idx
}

@test "--memory: a pid repeated across the duplicate check's chunks is the error an unlimited build gives first" {
	# 3,000 pids; a sixteenth of --memory 2K holds the check's hashes for 6 of them at a time
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"pid\": \"p%d\", \"passage_text\": \"w%d\"}\n", i, i }' > c.jsonl
	{ cat c.jsonl; echo '{"pid": "p7", "passage_text": "again"}'; echo '{"pid": "bad", "passage_text": '; } > dup-then-bad.jsonl
	for m in unlimited 2K; do
		TMPDIR=$PWD run lcindex --memory $m -o x.idx dup-then-bad.jsonl
		assert_failure 1
		assert_output "lcindex: dup-then-bad.jsonl:3001: duplicate pid 'p7' (first at dup-then-bad.jsonl:8); ids must be unique"
		assert_no_file x.idx
	done
	# the malformed record first: it is the error, with or without the budget
	{ cat c.jsonl; echo '{"pid": "bad", "passage_text": '; echo '{"pid": "p7", "passage_text": "again"}'; } > bad-then-dup.jsonl
	for m in unlimited 2K; do
		TMPDIR=$PWD run lcindex --memory $m -o x.idx bad-then-dup.jsonl
		assert_failure 1
		assert_output --partial "lcindex: bad-then-dup.jsonl:3001:31: invalid JSON"
		refute_output --partial "duplicate"
	done
	# a repeat within the last chunk after one across chunks: the earlier is named
	{ cat c.jsonl; echo '{"pid": "p9", "passage_text": "again"}'; echo '{"pid": "q", "passage_text": "x"}'; echo '{"pid": "q", "passage_text": "x"}'; } > two.jsonl
	TMPDIR=$PWD run lcindex --memory 2K -o x.idx two.jsonl
	assert_failure 1
	assert_output "lcindex: two.jsonl:3001: duplicate pid 'p9' (first at two.jsonl:10); ids must be unique"
	# --shard reads every third record: the lines named are the file's
	{ cat c.jsonl; echo '{"pid": "f1", "passage_text": "x"}'; echo '{"pid": "f2", "passage_text": "x"}'
	  echo '{"pid": "p2", "passage_text": "again"}'; } > shard.jsonl
	TMPDIR=$PWD run lcindex --memory 2K --shard 3/3 -o x.idx shard.jsonl
	assert_failure 1
	assert_output "lcindex: shard.jsonl:3003: duplicate pid 'p2' (first at shard.jsonl:3); ids must be unique"
	# and a corpus without a repeat builds the index an unlimited build does, leaving nothing in TMPDIR
	mkdir tmp
	TMPDIR=$PWD/tmp lcindex --memory 2K -o a.idx c.jsonl
	lcindex --memory unlimited -o b.idx c.jsonl
	cmp a.idx b.idx
	run ls -A tmp
	assert_output ""
}

@test "--memory: pids spilled to the temporary file come back byte for byte" {
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "{\"pid\": \"a-rather-long-passage-identifier-%06d\", \"passage_text\": \"w%d common\"}\n", i, i }' > big.jsonl
	lcindex -o a.idx big.jsonl
	TMPDIR=$PWD lcindex --memory 1K -o b.idx big.jsonl
	cmp a.idx b.idx
	printf '{"qid": "q", "query_text": "w39999"}\n' > q.jsonl
	run lcretrieve --quiet -i b.idx -k 1 q.jsonl
	assert_success
	assert_output --regexp '^\{"qid":"q","hits":\[\{"pid":"a-rather-long-passage-identifier-039999",'
}

@test "a posting list longer than 1 MiB is written in pieces: blocks still point right" {
	# 'common' in 600,000 passages: 1.2 MB of (gap, tf) pairs, 4,688 blocks
	awk 'BEGIN { for (i = 0; i < 600000; i++) printf "{\"pid\": \"d%d\", \"passage_text\": \"common w%d\"}\n", i, i % 5 }' > huge.jsonl
	lcindex -o a.idx huge.jsonl
	lcindex --memory 1M -o b.idx huge.jsonl
	cmp a.idx b.idx
	printf '{"qid": "q", "query_text": "common w3"}\n' > q.jsonl
	lcretrieve --quiet -i a.idx -k 5 -o pruned.jsonl q.jsonl
	LCTK_BM25_EXHAUSTIVE=1 lcretrieve --quiet -i a.idx -k 5 -o all.jsonl q.jsonl
	cmp pruned.jsonl all.jsonl
	run -0 lcindex --stats a.idx
	assert_line $'postings\t1200000'
	assert_line $'bytes\t13990424'
}

@test "duplicate pids across shards are caught by merge" {
	printf '{"pid": "a", "passage_text": "x"}\n{"pid": "a", "passage_text": "y"}\n' > d.jsonl
	lcindex --shard 1/2 -o p1.idx d.jsonl
	lcindex --shard 2/2 -o p2.idx d.jsonl
	run lcindex merge -o m.idx p1.idx p2.idx
	assert_failure 1
	assert_output --partial "duplicate pid 'a'"
	assert_no_file m.idx
}

@test "missing fields, bad JSON and wrong types are errors with a position" {
	printf '{"pid": "a", "title_text": "t"}\n' > m.jsonl
	run lcindex -o m.idx m.jsonl
	assert_failure 1
	assert_output "lcindex: m.jsonl:1: missing field 'passage_text'"
	assert_no_file m.idx
	printf '{"pid": "a", "passage_text": "x"}\n{"pid": "b", "passage_text": 5}\n' > t.jsonl
	run lcindex -o t.idx t.jsonl
	assert_failure 1
	assert_output --partial "t.jsonl:2: field 'passage_text': expected a string, got number"
	printf '{"pid": "a", "passage_text": "x"\n' > j.jsonl
	run lcindex -o j.idx j.jsonl
	assert_failure 1
	assert_output --partial "j.jsonl:1:"
	assert_output --partial "invalid JSON"
	printf '{"id": "a", "body": "x"}\n' > u.jsonl
	run lcindex -o u.idx u.jsonl
	assert_failure 1
	assert_output --partial "--id FIELD -f FIELD"
}

@test "empty corpus is an error" {
	: > e.jsonl
	run lcindex -o e.idx e.jsonl
	assert_failure 1
	assert_output --partial "e.jsonl: empty corpus"
	assert_no_file e.idx
}

@test "--stats on broken files names the file" {
	echo hello > notidx
	run lcindex --stats notidx
	assert_failure 1
	assert_output "lcindex: notidx: not an lctk BM25 index (bad magic); build one with lcindex"
	run lcindex --stats nonexistent.idx
	assert_failure 1
	assert_output --partial "nonexistent.idx"
}

@test "--stats honours -o FILE (atomic, compressed on request) and fails on a write error" {
	corpus
	lcindex -o c.idx c.jsonl
	run -0 lcindex --stats c.idx
	want=$output
	run -0 lcindex --stats -o st.txt c.idx
	assert_output ""
	run -0 cat st.txt
	assert_output "$want"
	assert_line $'documents\t5'
	run -0 lcindex --stats -o st.txt.gz c.idx
	run -0 zcat st.txt.gz
	assert_output "$want"
	# a broken operand after a good one leaves no file
	echo hello > notidx
	run lcindex --stats -o bad.txt c.idx notidx
	assert_failure 1
	assert_no_file bad.txt
	# standard output on a full disk
	run bash -c 'lcindex --stats c.idx >/dev/full'
	assert_failure 1
	assert_output --partial "write error"
}

@test "usage errors exit 2" {
	run lcindex --shard 4/3 c.jsonl
	assert_failure 2
	run lcindex --shard x c.jsonl
	assert_failure 2
	run lcindex merge part.idx
	assert_failure 2
	assert_output --partial "-o OUT"
	run lcindex --bogus
	assert_failure 2
}

@test "sharding counts records across several input files" {
	corpus
	head -n 2 c.jsonl > c1.jsonl
	tail -n 3 c.jsonl | gzip > c2.jsonl.gz
	lcindex -o full.idx c1.jsonl c2.jsonl.gz
	lcindex -o one.idx c.jsonl
	cmp full.idx one.idx
	lcindex --shard 1/2 -o s1.idx c1.jsonl c2.jsonl.gz
	lcindex --shard 2/2 -o s2.idx c1.jsonl c2.jsonl.gz
	run -0 lcindex --stats s1.idx
	assert_line $'documents\t3'
	lcindex merge -o m.idx s2.idx s1.idx
	cmp full.idx m.idx
}

@test "--memory spills sorted runs and still builds the same index byte for byte" {
	corpus
	lcindex -o full.idx c.jsonl
	lcindex --memory 1 -o tiny.idx c.jsonl
	cmp full.idx tiny.idx
	# 3,000 passages with 1,000 distinct terms: many runs at 2K, blocks of postings too
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"pid\": \"d%d\", \"passage_text\": \"w%d w%d w%d common x%d\"}\n", i, i % 1000, i % 7, (i * 13) % 101, i % 3 }' > big.jsonl
	lcindex -o big.idx big.jsonl
	TMPDIR=$PWD lcindex --memory 2K -o big2.idx big.jsonl
	cmp big.idx big2.idx
	for k in 1 2; do lcindex --memory 2K --shard $k/2 -o s$k.idx big.jsonl; done
	lcindex merge -o m.idx s2.idx s1.idx
	cmp big.idx m.idx
	run -0 lcindex --stats big2.idx
	assert_line $'total_length\t15000'
	assert_line $'version\t2'
}

@test "--memory: a bad size is a usage error, and so is a bad LCTK_INDEX_MEMORY" {
	corpus
	run lcindex --memory 0 -o x.idx c.jsonl
	assert_failure 2
	assert_output --partial "--memory '0': expected a positive size such as 200M (K, M, G = 1000s), or 'unlimited'"
	run lcindex --memory lots -o x.idx c.jsonl
	assert_failure 2
	run lcindex --memory -5 -o x.idx c.jsonl
	assert_failure 2
	LCTK_INDEX_MEMORY=lots run lcindex -o x.idx c.jsonl
	assert_failure 2
	assert_output --partial "LCTK_INDEX_MEMORY 'lots': expected a positive size"
	# --stats builds nothing: the variable is not read
	lcindex -o c.idx c.jsonl
	LCTK_INDEX_MEMORY=lots run lcindex --stats c.idx
	assert_success
	assert_no_file x.idx
}

# 3,000 passages, 1,004 distinct terms, 14,961 postings: many runs and pid flushes at a 2K budget
big_corpus() {
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"pid\": \"d%d\", \"passage_text\": \"w%d w%d w%d common x%d\"}\n", i, i % 1000, i % 7, (i * 13) % 101, i % 3 }' > big.jsonl
}

@test "the default budget (LCTK_INDEX_MEMORY, else 32M) spills and builds the index --memory unlimited builds" {
	big_corpus
	lcindex --memory unlimited -o u.idx big.jsonl
	TMPDIR=$PWD LCTK_INDEX_MEMORY=2K lcindex -o d.idx big.jsonl
	cmp u.idx d.idx
	# the shipped default holds all of it in memory: the same bytes
	lcindex -o p.idx big.jsonl
	cmp u.idx p.idx
	# --memory wins over the variable, and 'unlimited' works in both
	LCTK_INDEX_MEMORY=2K lcindex --memory unlimited -o o.idx big.jsonl
	cmp u.idx o.idx
	LCTK_INDEX_MEMORY=unlimited lcindex -o v.idx big.jsonl
	cmp u.idx v.idx
	# the figures counted apart (Python: distinct terms per passage, summed; the vocabulary)
	run -0 lcindex --stats d.idx
	assert_line $'documents\t3000'
	assert_line $'terms\t1004'
	assert_line $'postings\t14961'
	assert_line $'total_length\t15000'
}

@test "a default build that must spill with an unusable TMPDIR: exit 1, what to do, no output" {
	# valgrind writes its own files under TMPDIR and cannot start without it
	[ -z "${LCTK_VALGRIND:-}" ] || skip "valgrind itself needs a usable TMPDIR (this case runs in check and check SAN=1)"
	big_corpus
	TMPDIR=$PWD/missing LCTK_INDEX_MEMORY=2K run lcindex -o x.idx big.jsonl
	assert_failure 1
	assert_output "lcindex: cannot create a temporary file for index runs in $PWD/missing: No such file or directory; set TMPDIR to a writable directory or raise --memory"
	assert_no_file x.idx
	# the failed spill ends the reading there: a bad record further on is never reached
	{ cat big.jsonl; echo '{"pid": "bad", "passage_text": '; } > bad-end.jsonl
	TMPDIR=$PWD/missing LCTK_INDEX_MEMORY=2K run lcindex -o x.idx bad-end.jsonl
	assert_failure 1
	assert_output "lcindex: cannot create a temporary file for index runs in $PWD/missing: No such file or directory; set TMPDIR to a writable directory or raise --memory"
	assert_no_file x.idx
	# 'unlimited' needs no TMPDIR however large the corpus
	TMPDIR=$PWD/missing LCTK_INDEX_MEMORY=2K lcindex --memory unlimited -o u.idx big.jsonl
	lcindex --memory unlimited -o w.idx big.jsonl
	cmp u.idx w.idx
	# the dictionary counts in the budget: 1,000 terms of 100 letters pass 32K, so runs want the
	# file (the 100 pids are within the pid check's sixteenth)
	awk 'BEGIN { for (i = 0; i < 100; i++) { printf "{\"pid\": \"d%d\", \"passage_text\": \"", i; for (j = 0; j < 10; j++) { w = sprintf("w%03d%d", i, j); while (length(w) < 100) w = w "x"; printf " %s", w }; printf "\"}\n" } }' > wide.jsonl
	TMPDIR=$PWD/missing run lcindex --memory 32K -o y.idx wide.jsonl
	assert_failure 1
	assert_output "lcindex: cannot create a temporary file for index runs in $PWD/missing: No such file or directory; set TMPDIR to a writable directory or raise --memory"
	assert_no_file y.idx
	awk 'BEGIN { for (i = 0; i < 100; i++) { w = sprintf("w%03d", i); while (length(w) < 100) w = w "x"; printf "{\"pid\": \"d%d\", \"passage_text\": \"%s\"}\n", i, w } }' > long.jsonl
	# postings, dictionary and pids within the budget but an image past it (a stopword list of
	# 20,000 words is in the image): the image wants the temporary file and cannot go through memory
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "stop%05d\n", i }' > stop.txt
	lcindex --memory unlimited --stopwords stop.txt -o s.idx long.jsonl
	size=$(wc -c < s.idx)
	[ "$size" -gt 64000 ]
	TMPDIR=$PWD/missing run lcindex --memory 64K --stopwords stop.txt -o y.idx long.jsonl
	assert_failure 1
	assert_output "lcindex: cannot create a temporary file for the index image ($size bytes, more than the memory budget) in $PWD/missing: No such file or directory; set TMPDIR to a writable directory or raise --memory"
	assert_no_file y.idx
	# within a budget of 40K the 15,448-byte image of long.jsonl may: without the file
	# (past an eighth of the budget), it is put together in memory
	TMPDIR=$PWD/missing lcindex --memory 40K -o y.idx long.jsonl
	lcindex --memory unlimited -o z.idx long.jsonl
	[ "$(wc -c < z.idx)" -eq 15448 ]
	cmp y.idx z.idx
}

@test "--memory: an unusable TMPDIR for the runs is an input error, no output; a small default build never needs it" {
	# valgrind writes its own files under TMPDIR and cannot start without it
	[ -z "${LCTK_VALGRIND:-}" ] || skip "valgrind itself needs a usable TMPDIR (this case runs in check and check SAN=1)"
	awk 'BEGIN { for (i = 0; i < 500; i++) printf "{\"pid\": \"d%d\", \"passage_text\": \"w%d common\"}\n", i, i }' > big.jsonl
	TMPDIR=$PWD/missing run lcindex --memory 1K -o x.idx big.jsonl
	assert_failure 1
	assert_output "lcindex: cannot create a temporary file for index runs in $PWD/missing: No such file or directory; set TMPDIR to a writable directory or raise --memory"
	assert_no_file x.idx
	# under the default budget a small corpus is held, and its image put together, in memory
	TMPDIR=$PWD/missing lcindex -o y.idx big.jsonl
	lcindex --memory unlimited -o z.idx big.jsonl
	cmp y.idx z.idx
	# 1.6 MB of pids (40,000 of 40 bytes) stay in memory within their 4 MB share of the default
	# (before, any --memory sent pids past 1 MiB to the temporary file)
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "{\"pid\": \"a-rather-long-passage-identifier-%06d\", \"passage_text\": \"w%d common\"}\n", i, i }' > pids.jsonl
	TMPDIR=$PWD/missing lcindex -o p.idx pids.jsonl
	lcindex --memory unlimited -o q.idx pids.jsonl
	cmp p.idx q.idx
}

@test "merge --report: the shards and the merged index's figures, the whole object" {
	corpus
	for k in 1 2 3; do lcindex --shard $k/3 -o part$k.idx c.jsonl; done
	lcindex merge --report r.json -o merged.idx part3.idx part1.idx part2.idx
	run -0 lcindex --stats merged.idx
	local terms postings
	terms=$(echo "$output" | awk '$1=="terms" {print $2}')
	postings=$(echo "$output" | awk '$1=="postings" {print $2}')
	run -0 cat r.json
	assert_output "$(cat <<J
{
  "program": "lcindex",
  "version": "$(lcindex --version | awk '{print $3}')",
  "inputs": [
    "part3.idx",
    "part1.idx",
    "part2.idx"
  ],
  "options": {
    "output": "merged.idx",
    "analyser": "stem=english stopwords=174",
    "shard_k": 1,
    "shard_n": 1
  },
  "subcommand": "merge",
  "shards": 3,
  "documents": 5,
  "terms": $terms,
  "postings": $postings,
  "total_length": 21,
  "avgdl": 4.2000000000000002,
  "bytes": $(stat -c %s merged.idx)
}
J
)"
}

@test "merge --report: bad usage and a failed merge leave no report" {
	corpus
	for k in 1 2; do lcindex --shard $k/2 -o part$k.idx c.jsonl; done
	run lcindex merge --report r.json -o m.idx part1.idx
	assert_failure 1
	assert_output --partial "shard"
	assert_no_file r.json
	assert_no_file m.idx
	run lcindex merge --report -o m.idx part1.idx part2.idx
	assert_failure 2
	run lcindex merge --report - -o - part1.idx part2.idx
	assert_failure 2
	assert_output --partial "standard output"
	run lcindex merge --report - -o m.idx part1.idx part2.idx
	assert_success
	assert_line '  "subcommand": "merge",'
}
