#!/usr/bin/env bats
# pipelines.bats — issue 10's "done when": every documented pipeline, run end to
# end on the bundled data (share/lctk/data/hotpotqa), producer -> consumer for
# every format of lctk-formats(5), and the scores of every form checked against
# the ones computed here, in Python, from the run file itself.
#
#   README "A pipeline":  lctok -> lcompress -> lcindex -> lcretrieve -> lceval (+ lcconv qrels)
#   recipes/demo.sh:      its table against the same pipeline run by hand
#   formats:              lcconv LOFT <-> BEIR (corpus, queries, qrels, zip), TSV queries,
#                         TREC qrels, run JSONL <-> TREC run; each consumed by the next program
#   LLM path:             lcretrieve --llm against tests/llm-server.py, with --fit, --trec,
#                         --loft, --responses, and OpenAI Batch files out and back in
#
# Tests that wait for another engineer's fix assert the right behaviour and skip
# with the reason ("waits for scoring fix: ..."); the lead un-skips them.

load helpers

setup() {
	lctk_llm_setup
	D="$ROOT/share/lctk/data/hotpotqa"
}

teardown() { lctk_teardown; }

# start_server: tests/llm-server.py on an ephemeral port (start_llm_server); sets EP
start_server() {
	start_llm_server
}

# py_scores QUERIES RUN.jsonl: LOFT's measures (recall@1, recall@5, mrecall@2,
# precision@2, f1@2, the predictions in the run file's order) and trec_eval's
# recip_rank (score descending, ties by docno descending), computed from the run
# file alone; "name value" lines, 4 decimals as lceval prints them.
py_scores() {
	python3 - "$1" "$2" <<'PY'
import json, sys
gold, qids = {}, []
for line in open(sys.argv[1]):
    if line.strip():
        q = json.loads(line)
        qids.append(q["qid"])
        gold[q["qid"]] = [a[0] if isinstance(a, list) else a for a in q.get("answers", [])]
run = {}
for line in open(sys.argv[2]):
    if line.strip():
        r = json.loads(line)
        run[r["qid"]] = r["hits"]
def loft(k, kind):
    vals = []
    for q in qids:
        preds = [h["pid"] for h in run.get(q, [])]
        if not preds:
            vals.append(0.0)
            continue
        g = set(gold[q])
        hits = len(set(preds[:k]) & g)
        r, p = hits / len(gold[q]), hits / k
        vals.append({"recall": r, "precision": p, "mrecall": 1.0 if hits == min(k, len(gold[q])) else 0.0,
                     "f1": 2 * p * r / (p + r) if p + r else 0.0}[kind])
    return sum(vals) / len(vals)
def recip_rank():
    vals = []
    for q, hits in run.items():
        ranked = sorted(sorted(hits, key=lambda h: h["pid"], reverse=True), key=lambda h: -h["score"])
        rr = 0.0
        for i, h in enumerate(ranked):
            if h["pid"] in gold.get(q, []):
                rr = 1.0 / (i + 1)
                break
        vals.append(rr)
    return sum(vals) / len(vals)
for name, v in (("recall@1", loft(1, "recall")), ("recall@5", loft(5, "recall")), ("mrecall@2", loft(2, "mrecall")),
                ("precision@2", loft(2, "precision")), ("f1@2", loft(2, "f1")), ("recip_rank", recip_rank())):
    print("%s %.4f" % (name, v))
PY
}

# ev ARGS...: lceval with the LOFT measures of py_scores (no recip_rank), "name value" lines
# (num_unanswered_queries left out: a run file has no unanswered queries to compare)
ev() {
	local -
	set -o pipefail
	lceval -m recall@1 -m recall@5 -m mrecall@2 -m precision@2 -m f1@2 "$@" |
		awk '$2 == "all" && $1 != "num_unanswered_queries" {print $1, $3}'
}

# loft_of SCORES: the LOFT lines of py_scores output
loft_of() { grep -v '^recip_rank ' "$1"; }

# --- README "A pipeline" ----------------------------------------------------------

@test "README pipeline: lctok -> lcompress -> lcindex -> lcretrieve -> lceval, scores equal the run file's" {
	run lctok count -e cl100k_base -f passage_text --total "$D/corpus.jsonl"
	assert_success
	[[ "$output" =~ ^[0-9]+$ ]] || fail "lctok --total printed: $output"
	[ "$output" -gt 50000 ]
	lcompress --quiet -o small.jsonl "$D/corpus.jsonl"
	[ "$(wc -l <small.jsonl)" -eq 890 ]
	lcindex --quiet -o small.idx small.jsonl
	lcretrieve --quiet -i small.idx -k 100 -o run.jsonl "$D/queries.jsonl"
	[ "$(wc -l <run.jsonl)" -eq 880 ]
	py_scores "$D/queries.jsonl" run.jsonl >want
	# lceval -m loft --json, as the README runs it: the same numbers
	run lceval -m loft --json "$D/queries.jsonl" run.jsonl
	assert_success
	echo "$output" >loft.json
	run -0 python3 - loft.json want <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
def find(o, name):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == name and isinstance(v, (int, float)):
                return v
            r = find(v, name)
            if r is not None:
                return r
    return None
for line in open(sys.argv[2]):
    name, want = line.split()
    if name in ("recall@1", "recall@5", "mrecall@2", "precision@2", "f1@2"):
        got = find(j, name)
        assert got is not None and "%.4f" % got == want, (name, got, want)
print("ok")
PY
	assert_output ok
	# trec_eval's measures on the qrels lcconv writes, as the README runs them
	lcconv --kind qrels --to trec "$D/queries.jsonl" >qrels.txt
	run lceval -m ndcg_cut.10 -m recip_rank qrels.txt run.jsonl
	assert_success
	assert_line --regexp '^ndcg_cut_10 +	all	0\.[0-9]{4}$'
	got=$(printf '%s\n' "$output" | awk '$1 == "recip_rank" && $2 == "all" { print "recip_rank", $3 }')
	[ "$got" = "$(grep '^recip_rank ' want)" ] || fail "recip_rank: lceval says '$got', the run file gives '$(grep '^recip_rank ' want)'"
}

@test "README pipeline: every qrels form (LOFT queries, TREC, BEIR, LOFT via lcconv) and run form (JSONL, TREC) scores the same" {
	lcindex --quiet -o i.idx "$D/corpus.jsonl"
	lcretrieve --quiet -i i.idx -k 20 -o run.jsonl "$D/queries.jsonl"
	lcretrieve --quiet -i i.idx -k 20 --trec -o run.trec "$D/queries.jsonl"
	lcconv --kind run --to trec -o conv.trec run.jsonl
	lcconv --kind run --to jsonl -o back.jsonl conv.trec
	lcconv --kind qrels --to trec -o q.trec "$D/queries.jsonl"
	lcconv --kind qrels --to beir -o q.tsv q.trec
	lcconv --kind qrels --to loft -o q.loft.jsonl q.tsv
	py_scores "$D/queries.jsonl" run.jsonl >want
	measures=(-m ndcg_cut.10 -m recip_rank -m map -m P.5)
	lceval "${measures[@]}" "$D/queries.jsonl" run.jsonl >ref.txt
	[ "$(awk '$1 == "recip_rank" {print "recip_rank", $3}' ref.txt)" = "$(grep '^recip_rank ' want)" ]
	for qr in "$D/queries.jsonl" q.trec q.tsv q.loft.jsonl; do
		for r in run.jsonl run.trec conv.trec back.jsonl; do
			run lceval "${measures[@]}" "$qr" "$r"
			assert_success
			[ "$output" = "$(cat ref.txt)" ] || fail "trec_eval measures differ for $qr $r: $output"
			run -0 ev "$qr" "$r"
			[ "$output" = "$(loft_of want)" ] || fail "LOFT measures differ for $qr $r: $output"
		done
	done
}

# --- recipes/demo.sh -------------------------------------------------------------

@test "demo.sh: the lctk row equals the pipeline run by hand" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "the demo compresses and searches the whole sample (lcompress, lcindex, lcretrieve suites cover them under valgrind)"
	run sh "$ROOT/share/lctk/recipes/demo.sh" "$BUILD/bin"
	assert_success
	read -r _ tok _ r1 r5 nd <<<"$(echo "$output" | awk '$1 == "lctk" && NF == 6')"
	lcompress -o c.jsonl "$D/corpus.jsonl" 2>size.txt
	lcindex --quiet -o c.idx c.jsonl
	lcretrieve --quiet -k 100 -i c.idx -o run.jsonl "$D/queries.jsonl"
	py_scores "$D/queries.jsonl" run.jsonl >want
	[ "recall@1 $r1" = "$(grep '^recall@1 ' want)" ] || fail "demo recall@1 $r1, run file $(cat want)"
	[ "recall@5 $r5" = "$(grep '^recall@5 ' want)" ] || fail "demo recall@5 $r5, run file $(cat want)"
	[ "$nd" = "$(lceval -m ndcg_cut.10 "$D/queries.jsonl" run.jsonl | awk '$2 == "all" {print $3}')" ]
	grep -q -- "-> $tok," size.txt || fail "demo tokens $tok, lcompress said: $(cat size.txt)"
}

# --- formats: lcconv producers and their consumers --------------------------------

@test "formats: LOFT corpus -> BEIR -> LOFT, queries -> BEIR + qrels -> LOFT, TSV queries; consumers agree" {
	lcconv --kind corpus --to beir -o beir-corpus.jsonl "$D/corpus.jsonl"
	lcconv --kind corpus --to loft -o loft-corpus.jsonl beir-corpus.jsonl
	lcconv --kind queries --to beir -o beir-queries.jsonl "$D/queries.jsonl"
	lcconv --kind qrels --to beir -o beir-qrels.tsv "$D/queries.jsonl"
	lcconv --kind queries --to loft --qrels beir-qrels.tsv -o loft-queries.jsonl beir-queries.jsonl
	lcconv --kind queries --to tsv -o queries.tsv "$D/queries.jsonl"
	# the round trips keep ids, titles, texts and answers
	run -0 python3 - "$D/corpus.jsonl" loft-corpus.jsonl "$D/queries.jsonl" loft-queries.jsonl <<'PY'
import json, sys
def load(p, key, fields):
    return [tuple([json.loads(l)[key]] + [json.loads(l).get(f) for f in fields]) for l in open(p) if l.strip()]
a = load(sys.argv[1], "pid", ["title_text", "passage_text"]); b = load(sys.argv[2], "pid", ["title_text", "passage_text"])
assert a == b, "corpus round trip differs"
def ans(q): return [[x[0], x[1]] for x in q.get("answers", [])]
qa = [(json.loads(l)["qid"], json.loads(l)["query_text"], ans(json.loads(l))) for l in open(sys.argv[3]) if l.strip()]
qb = [(json.loads(l)["qid"], json.loads(l)["query_text"], ans(json.loads(l))) for l in open(sys.argv[4]) if l.strip()]
assert qa == qb, "queries round trip differs"
print("ok")
PY
	assert_output ok
	# one index from either corpus form, byte for byte
	lcindex --quiet -o loft.idx "$D/corpus.jsonl"
	lcindex --quiet -o beir.idx beir-corpus.jsonl
	cmp loft.idx beir.idx
	# every query form gives the same run
	lcretrieve --quiet -i loft.idx -k 10 -o a.jsonl "$D/queries.jsonl"
	lcretrieve --quiet -i loft.idx -k 10 -o b.jsonl beir-queries.jsonl
	lcretrieve --quiet -i loft.idx -k 10 -o c.jsonl queries.tsv
	lcretrieve --quiet -i loft.idx -k 10 -o d.jsonl loft-queries.jsonl
	cmp a.jsonl b.jsonl
	cmp a.jsonl c.jsonl
	cmp a.jsonl d.jsonl
	# and the qrels forms score it the same
	[ "$(ev "$D/queries.jsonl" a.jsonl)" = "$(ev beir-qrels.tsv a.jsonl)" ]
	[ "$(ev "$D/queries.jsonl" a.jsonl)" = "$(ev loft-queries.jsonl a.jsonl)" ]
}

@test "formats: a BEIR zip is read in place by lcindex, lcretrieve and lceval" {
	lcconv --kind corpus --to beir -o corpus.jsonl "$D/corpus.jsonl"
	lcconv --kind queries --to beir -o queries.jsonl "$D/queries.jsonl"
	mkdir -p qrels
	lcconv --kind qrels --to beir -o qrels/test.tsv "$D/queries.jsonl"
	python3 -c 'import zipfile, sys
with zipfile.ZipFile("hotpotqa.zip", "w") as z:
    for f in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        z.write(f, "hotpotqa/" + f)'
	lcindex --quiet -o zip.idx hotpotqa.zip
	lcindex --quiet -o loft.idx "$D/corpus.jsonl"
	cmp zip.idx loft.idx
	lcretrieve --quiet -c hotpotqa.zip -k 10 -o zip.jsonl hotpotqa.zip
	lcretrieve --quiet -i loft.idx -k 10 -o loft.jsonl "$D/queries.jsonl"
	cmp zip.jsonl loft.jsonl
	run lceval -m ndcg_cut.10 -m recip_rank --qrels-member '*qrels/test.tsv' hotpotqa.zip zip.jsonl
	assert_success
	[ "$output" = "$(lceval -m ndcg_cut.10 -m recip_rank "$D/queries.jsonl" loft.jsonl)" ]
}

@test "formats: lcindex | lcretrieve -i - is the same run as through a file" {
	lcindex --quiet -o i.idx "$D/corpus.jsonl"
	lcretrieve --quiet -i i.idx -k 10 -o a.jsonl "$D/queries.jsonl"
	set -o pipefail
	lcindex --quiet "$D/corpus.jsonl" | lcretrieve --quiet -i - -k 10 -o b.jsonl "$D/queries.jsonl"
	cmp a.jsonl b.jsonl
}

# --- the LLM path -------------------------------------------------------------------

# llm ARGS...: lcretrieve --llm over the bundled corpus with its few-shot examples
llm() {
	lcretrieve --llm -c "$D/corpus.jsonl" --few-shot "$D/few_shot_queries.jsonl" \
		--few-shot-corpus "$D/few_shot_corpus.jsonl" --model test-model --quiet "$@"
}

@test "LLM path with --fit: run JSONL, TREC and --loft outputs score what the run file says" {
	head -n 12 "$D/queries.jsonl" >q.jsonl
	start_server
	llm --endpoint "$EP" --context-limit 40000 -e cl100k_base --fit --responses resp.jsonl -o run.jsonl q.jsonl
	llm --endpoint "$EP" --context-limit 40000 -e cl100k_base --fit --trec -o run.trec q.jsonl
	llm --endpoint "$EP" --context-limit 40000 -e cl100k_base --fit --loft -o preds.jsonl q.jsonl
	# the later runs came from the cache: one request per query
	[ "$(wc -l <"$T/server.log")" -eq 12 ]
	[ "$(wc -l <run.jsonl)" -eq 12 ]
	# --fit really dropped passages: every prompt holds fewer blocks than the corpus has rows
	llm --context-limit 40000 -e cl100k_base --fit --batch-out fit-requests.jsonl q.jsonl
	run -0 python3 -c 'import json, sys
n = [json.loads(l)["body"]["messages"][0]["content"].count(" | END ID: ") for l in open(sys.argv[1])]
print(len(n), all(0 < x < 890 for x in n))' fit-requests.jsonl
	assert_output "12 True"
	py_scores q.jsonl run.jsonl >want
	# the server finds most gold passages: the numbers are not all zero
	awk '$1 == "recall@1" {exit !($2 > 0.3)}' want
	for f in run.jsonl run.trec preds.jsonl; do
		run ev q.jsonl "$f"
		assert_success
		[ "$output" = "$(loft_of want)" ] || fail "$f scores $output, the run file $(loft_of want)"
	done
}

@test "LLM path with --fit: --responses (pids of renumbered prompts) score what the run file says" {
	head -n 12 "$D/queries.jsonl" >q.jsonl
	start_server
	llm --endpoint "$EP" --context-limit 40000 -e cl100k_base --fit --responses resp.jsonl -o run.jsonl q.jsonl
	py_scores q.jsonl run.jsonl >want
	run ev q.jsonl resp.jsonl
	assert_success
	assert_output "$(loft_of want)"
	# with --corpus too: a line's pids win over its row ids
	run ev --corpus "$D/corpus.jsonl" q.jsonl resp.jsonl
	assert_success
	assert_output "$(loft_of want)"
}

@test "LLM path: OpenAI Batch out and back in (with and without --fit) gives the direct run; raw results score the same" {
	head -n 12 "$D/queries.jsonl" >q.jsonl
	start_server
	llm --endpoint "$EP" -o direct.jsonl q.jsonl
	llm --endpoint "$EP" --context-limit 40000 -e cl100k_base --fit -o direct-fit.jsonl q.jsonl
	# requests out, answered offline by the test server (results in reverse order), back in
	llm --batch-out batch.jsonl q.jsonl
	[ "$(wc -l <batch.jsonl)" -eq 12 ]
	python3 "$ROOT/tests/llm-server.py" --batch batch.jsonl results.jsonl
	llm --batch-in results.jsonl -o batch.run.jsonl q.jsonl
	cmp direct.jsonl batch.run.jsonl
	llm --context-limit 40000 -e cl100k_base --fit --batch-out batch-fit.jsonl q.jsonl
	python3 "$ROOT/tests/llm-server.py" --batch batch-fit.jsonl results-fit.jsonl
	llm --context-limit 40000 -e cl100k_base --fit --batch-in results-fit.jsonl -o batch-fit.run.jsonl q.jsonl
	cmp direct-fit.jsonl batch-fit.run.jsonl
	# the raw Batch results (no --fit: row ids are corpus rows) with --corpus score as the run
	py_scores q.jsonl direct.jsonl >want
	run ev --corpus "$D/corpus.jsonl" q.jsonl results.jsonl
	assert_success
	assert_output "$(loft_of want)"
}

@test "LLM path: raw Batch results without --corpus stop with an error that asks for --corpus" {
	head -n 12 "$D/queries.jsonl" >q.jsonl
	llm --batch-out batch.jsonl q.jsonl
	python3 "$ROOT/tests/llm-server.py" --batch batch.jsonl results.jsonl
	run lceval -m recall@1 q.jsonl results.jsonl
	assert_failure 1
	assert_output --partial "--corpus"
}

@test "LLM path: answers that repeat ids or name no passage score the same as a run, as LOFT predictions and as raw answers" {
	# the gold passages' rows, so that the crafted answer names them
	read -r g1 g2 r1 r2 <<<"$(python3 - "$D/corpus.jsonl" "$D/queries.jsonl" <<'PY'
import json, sys
rows = {json.loads(l)["pid"]: i for i, l in enumerate(open(sys.argv[1])) if l.strip()}
for l in open(sys.argv[2]):
    q = json.loads(l)
    g = [a[0] for a in q["answers"]]
    if len(g) >= 1:
        other = next(p for p in rows if p not in g)
        print(g[0], other, rows[g[0]], rows[other])
        break
PY
)"
	printf '{"qid": "rep", "query_text": "[[reply:Final Answer: [%s, %s, %s] ]]", "answers": [["%s", 1], ["%s", 1]]}\n' \
		"$r1" "$r1" "$r2" "$g1" "$g2" >q.jsonl
	# and one whose id is no row: LOFT counts it unanswered
	printf '{"qid": "unk", "query_text": "[[reply:Final Answer: [99999] ]]", "answers": [["%s", 1]]}\n' "$g1" >>q.jsonl
	start_server
	lcretrieve --llm -c "$D/corpus.jsonl" --model m --quiet --endpoint "$EP" --responses resp.jsonl -o run.jsonl q.jsonl
	lcretrieve --llm -c "$D/corpus.jsonl" --model m --quiet --endpoint "$EP" --loft -o preds.jsonl q.jsonl
	# LOFT: rep's top 2 are [g1, g1]: recall@2 = 1/2 (a deduplicated run would say 2/2);
	# unk is unanswered (0): the mean is 0.25 and one query is unanswered, in every form
	for f in preds.jsonl run.jsonl resp.jsonl; do
		run lceval -m recall@2 --corpus "$D/corpus.jsonl" q.jsonl "$f"
		assert_success
		assert_line --regexp '^recall@2 +	all	0\.2500$'
		assert_line --regexp '^num_unanswered_queries	all	1$'
	done
}
