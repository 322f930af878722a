#!/usr/bin/env bats
# handoffs.bats — issue 10 §1 (lcretrieve and lcompress hand-offs) and issue 11 #6
# (the LOFT prompt as LOFT's code builds it).  Each test fails on the code before
# the fix: the template guessed silently, `-i -` not read, analyser options ignored
# with -i, an unmet --budget exiting 0, prompts with blank lines and unstripped text.
# Prompts are inspected through --batch-out (no server needed).

load helpers

setup() {
	lctk_setup
	D="$ROOT/share/lctk/data/hotpotqa"
	mkdir -p myset
	cat >myset/corpus.jsonl <<'EOF'
{"pid": "a", "title_text": "Whales", "passage_text": "Humpback whales sing long songs.", "metadata": {}}
{"pid": "b", "title_text": "Bees", "passage_text": "Honey bees dance.", "metadata": {}}
{"pid": "c", "title_text": "Owls", "passage_text": "Owls hunt at night.", "metadata": {}}
EOF
	printf '%s\n' '{"qid": "q1", "query_text": "do whales sing", "answers": [["a", 1]]}' >myset/queries.jsonl
}

# prompt FILE: the user message of the first request of a Batch file
prompt() {
	python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["body"]["messages"][0]["content"], end="")' "$1"
}

# --- item 1: the prompt template ------------------------------------------------

@test "lcretrieve --llm: a corpus path that names no LOFT dataset is a usage error naming --template" {
	run lcretrieve --llm -c myset/corpus.jsonl --model m --batch-out b.jsonl myset/queries.jsonl
	assert_failure 2
	assert_output --partial "cannot tell which LOFT dataset myset/corpus.jsonl holds"
	assert_output --partial "--template NAME"
	assert_output --partial "fever"
	assert_no_file b.jsonl
}

@test "lcretrieve --llm --template NAME: FEVER in a folder not named fever gets FEVER's prompt, and says so" {
	run --separate-stderr lcretrieve --llm -c myset/corpus.jsonl --template fever --model m --batch-out b.jsonl \
		myset/queries.jsonl
	assert_success
	[ "$stderr" = "lcretrieve: prompt template: fever (--template)" ] || fail "stderr: $stderr"
	run -0 prompt b.jsonl
	assert_output --partial "Then you will be given a claim"
	assert_output --partial "claim: do whales sing"
	# --quiet: no line
	run --separate-stderr lcretrieve --llm -c myset/corpus.jsonl --template fever --quiet --model m \
		--batch-out b.jsonl myset/queries.jsonl
	assert_success
	[ -z "$stderr" ] || fail "stderr with --quiet: $stderr"
}

@test "lcretrieve --llm: the template named by the corpus path is printed; unknown --template names are refused" {
	mkdir -p data/fever
	cp myset/corpus.jsonl data/fever/
	run --separate-stderr lcretrieve --llm -c data/fever/corpus.jsonl --model m --batch-out b.jsonl myset/queries.jsonl
	assert_success
	[ "$stderr" = "lcretrieve: prompt template: fever (named by the corpus path; --template NAME to choose another)" ] ||
		fail "stderr: $stderr"
	run lcretrieve --llm -c data/fever/corpus.jsonl --template fevr --model m --batch-out b.jsonl myset/queries.jsonl
	assert_failure 2
	assert_output --partial "--template 'fevr': not a LOFT dataset"
	run lcretrieve --llm -c data/fever/corpus.jsonl --template nq --prompt nq --model m --batch-out b.jsonl \
		myset/queries.jsonl
	assert_failure 2
	assert_output --partial "--template and --prompt exclude each other"
	# the names are in --help
	run -0 lcretrieve --help
	assert_output --partial "arguana fever fiqa hotpotqa msmarco musique nq qampari quest quora scifact topiocqa webis_touche2020 default"
}

@test "lcretrieve --llm: BEIR's webis-touche2020 (a zip or a folder) names LOFT's webis_touche2020 prompt" {
	mkdir -p beir/webis-touche2020
	python3 -c '
import json
with open("beir/webis-touche2020/corpus.jsonl", "w") as f:
    for l in open("myset/corpus.jsonl"):
        o = json.loads(l)
        f.write(json.dumps({"_id": o["pid"], "title": o["title_text"], "text": o["passage_text"]}) + "\n")' ||
		fail "python"
	(cd beir && zip -qr ../webis-touche2020.zip webis-touche2020) || fail "zip"
	for c in webis-touche2020.zip beir/webis-touche2020/corpus.jsonl; do
		run --separate-stderr lcretrieve --llm -c "$c" --model m --batch-out b.jsonl myset/queries.jsonl
		assert_success
		[ "$stderr" = "lcretrieve: prompt template: webis_touche2020 (named by the corpus path; --template NAME to choose another)" ] ||
			fail "$c: stderr: $stderr"
		run -0 lcretrieve --llm -c myset/corpus.jsonl --template webis_touche2020 --quiet --model m --batch-out w.jsonl \
			myset/queries.jsonl
		run -0 cmp b.jsonl w.jsonl
	done
}

# --- item 2: -i - ---------------------------------------------------------------

@test "lcretrieve -i -: the index is read from standard input" {
	set -o pipefail
	lcindex --quiet -o idx "$D/corpus.jsonl"
	lcretrieve -k 5 -i idx -o want.jsonl "$D/queries.jsonl"
	lcindex --quiet "$D/corpus.jsonl" | lcretrieve -k 5 -i - -o got.jsonl "$D/queries.jsonl"
	cmp want.jsonl got.jsonl
	[ "$(wc -l <got.jsonl)" -eq "$(wc -l <"$D/queries.jsonl")" ]
}

@test "lcretrieve -i -: not an index, or queries from standard input too, are clear errors" {
	run lcretrieve -i - "$D/queries.jsonl" <<<"not an index"
	assert_failure 1
	assert_output --partial "- (standard input): not an lctk BM25 index"
	run lcretrieve -i - <<<"x"
	assert_failure 2
	assert_output --partial "give the queries as a file operand"
	run lcretrieve -i - - <<<"x"
	assert_failure 2
	assert_output --partial "cannot both read standard input"
}

@test "an index given where its corpus is meant: every corpus reader says so instead of 'invalid JSON'" {
	lcindex --quiet -o my.idx myset/corpus.jsonl
	local want="my.idx: an lctk BM25 index (lcindex's output), not a corpus: lcretrieve searches it with -i/--index; other programs read the corpus it was built from"
	for cmd in "lcretrieve -k 1 -c my.idx myset/queries.jsonl" "lcindex -o again.idx my.idx" "lcindex --shard 2/2 -o again.idx my.idx" \
		"lcompress my.idx" "lcompress --skip-bad my.idx" "lcgen candidates my.idx"; do
		run --separate-stderr $cmd
		[ "$status" -eq 1 ] || fail "$cmd: exit $status"
		[ "$stderr" = "${cmd%% *}: $want" ] || fail "$cmd: $stderr"
		assert_output ''
	done
	run -0 lcretrieve -k 1 -i my.idx myset/queries.jsonl
	assert_output --partial '"pid":"a"'
}

# --- item 3: analyser options with -i -------------------------------------------

@test "lcretrieve -i IDX: --no-stem/--no-stopwords/--stopwords must match the index's analyser" {
	lcindex --quiet -o idx "$D/corpus.jsonl"
	lcretrieve -k 5 -i idx -o want.jsonl "$D/queries.jsonl"
	run lcretrieve -i idx --no-stem "$D/queries.jsonl"
	assert_failure 2
	assert_output --partial "the analyser is a property of the index"
	assert_output --partial "drop --no-stem"
	run lcretrieve -i idx --no-stopwords "$D/queries.jsonl"
	assert_failure 2
	assert_output --partial "drop --no-stopwords"
	printf 'the\nof\n' >stop.txt
	run lcretrieve -i idx --stopwords stop.txt "$D/queries.jsonl"
	assert_failure 2
	assert_output --partial "another stopword list"
	# options that describe the index are accepted and change nothing
	lcretrieve -k 5 -i idx --stopwords "$ROOT/share/lctk/stopwords/english.txt" -o same.jsonl "$D/queries.jsonl"
	cmp want.jsonl same.jsonl
	lcindex --quiet --no-stem --no-stopwords -o raw.idx "$D/corpus.jsonl"
	lcretrieve -k 5 -i raw.idx --no-stem --no-stopwords -o raw.jsonl "$D/queries.jsonl"
	run lcretrieve -i raw.idx --no-stem "$D/queries.jsonl"
	assert_failure 2
	assert_output --partial "add --no-stopwords"
}

# --- item 4: lcompress --budget -------------------------------------------------

@test "lcompress --budget that cannot be met fails with no output unless --best-effort" {
	run --separate-stderr lcompress --budget 100 -o c.jsonl "$D/corpus.jsonl"
	assert_failure 1
	[[ "$stderr" == *"more than --budget 100"*"--best-effort"* ]] || fail "stderr: $stderr"
	assert_no_file c.jsonl
	run --separate-stderr lcompress --budget 100 "$D/corpus.jsonl"
	assert_failure 1
	assert_no_stdout
	# best effort: the smallest corpus, a warning, exit 0
	run --separate-stderr lcompress --budget 100 --best-effort -o c.jsonl "$D/corpus.jsonl"
	assert_success
	[[ "$stderr" == *"warning: --best-effort"*"more than --budget 100"* ]] || fail "stderr: $stderr"
	[ "$(wc -l <c.jsonl)" -eq "$(wc -l <"$D/corpus.jsonl")" ]
	# a budget that can be met is met
	run lcompress --budget 40000 -o ok.jsonl "$D/corpus.jsonl"
	assert_success
	run lcompress --best-effort "$D/corpus.jsonl"
	assert_failure 2
	assert_output --partial "--best-effort goes with --budget"
}

# --- item 5 (issue 11 #6): the prompt as LOFT's code builds it --------------------

@test "LOFT prompt: chunks joined without blank lines, text stripped, the filtered phrase removed, qrels reasoning" {
	mkdir -p loft/nq
	cat >loft/nq/corpus.jsonl <<'EOF'
{"pid": "a", "title_text": "  Whales \n", "passage_text": "\tHumpback whales sing.  ", "metadata": {}}
{"pid": "b", "title_text": "childhood abuse", "passage_text": "A childhood abuse study. ", "metadata": {}}
{"pid": "c", "title_text": "Owls", "passage_text": "Owls hunt at night.", "metadata": {}}
EOF
	# reasoning lines come from metadata.qrels, the Final Answer from answers
	printf '%s\n' '{"qid": "f1", "query_text": " owls at night ", "answers": [["c", 1]], "metadata": {"qrels": [["c", 1], ["a", 1]]}}' >few.jsonl
	printf '%s\n' '{"qid": "q1", "query_text": "  do whales sing?\n", "answers": [["a", 1]]}' >q.jsonl
	run lcretrieve --llm -c loft/nq/corpus.jsonl --few-shot few.jsonl --quiet --model m --batch-out b.jsonl q.jsonl
	assert_success
	run -0 prompt b.jsonl
	q='Which document is most relevant to answer the query? Print out the TITLE and ID of the document. Then format the IDs into a list.
If there is no perfect answer output the closest one. Do not give an empty final answer.'
	assert_output "You will be given a list of documents. You need to read carefully and understand all of them. Then you will be given a query, and your goal is to find all documents from the list that can help answer the query. Print out the ID and TITLE of each document.

Your final answer should be a list of IDs, in the following format:
Final Answer: [id1, id2, ...]
If there is only one ID, it should be in the format:
Final Answer: [id1]

If there is no perfect answer output the closest one. Do not give an empty final answer.

ID: 0 | TITLE: Whales | CONTENT: Humpback whales sing. | END ID: 0
ID: 1 | TITLE: None | CONTENT: A  study. | END ID: 1
ID: 2 | TITLE: Owls | CONTENT: Owls hunt at night. | END ID: 2
====== Example 1 ======
$q
query: owls at night
The following documents can help answer the query:
TITLE: Owls | ID: 2
TITLE: Whales | ID: 0
Final Answer: ['2']
====== Now let's start! ======
$q
query: do whales sing?
The following documents can help answer the query:"
}
