#!/usr/bin/env bats
# --report FILE (lib/cli/report): every program that reports figures writes them as
# one JSON object, the same numbers it prints on stderr (lctk-formats(5)
# REPORTS); and the progress meter (lib/core/progress): percent and ETA from the
# input file's size, a line of its own for every message.

load helpers

setup() {
	lctk_setup
	D="$ROOT/share/lctk/data/hotpotqa"
	V="$ROOT/tests/vectors/color"
}

teardown() { lctk_teardown; }

# jval FILE PATH: the value at PATH (a.b.0) of the JSON in FILE; strings bare,
# numbers as Python prints them, anything else as JSON
jval() {
	python3 - "$1" "$2" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else json.dumps(v))
PY
}

@test "every program has --report FILE as the last entry of its option table" {
	for p in lcbatch lcconv lcdecompose lceval lcgen lcindex lcompress lcretrieve lcschedule lcsplit lctok lctrain; do
		# the program's own options come first, then the built-in --max-record, -h, --version
		last=$("$p" --lctk-options | grep -B1 -- '--max-record' | head -n 1)
		[[ "$last" == *"--report"* ]] || fail "$p: last option is not --report: $last"
		"$p" --help | grep -q -- '--report FILE' || fail "$p --help does not show --report FILE"
	done
}

@test "lcompress --report: the figures of the stderr line, each passage's sizes summing to the total" {
	run --separate-stderr lcompress --report r.json -o c.jsonl "$D/corpus.jsonl"
	assert_success
	# lcompress: 890 passages, tokens (cl100k_base, title+text) 91436 -> 56004, ratio 1.633x
	read -r n before after ratio < <(echo "$stderr" | awk '/passages, tokens/ {print $2, $(NF-4), $(NF-2), $NF}' | tr -d ',x')
	[ "$n" = 890 ] || fail "stderr: $stderr"
	[ "$(jval r.json program)" = lcompress ]
	[ "$(jval r.json version)" = "$(lcompress --version | awk '{print $NF}')" ]
	[ "$(jval r.json passages)" = "$n" ]
	[ "$(jval r.json tokens)" = "$before" ]
	[ "$(jval r.json compressed_tokens)" = "$after" ]
	[ "$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["ratio"])' r.json)" = "$ratio" ]
	[ "$(jval r.json options.method)" = model ]
	[ "$(jval r.json inputs.0)" = "$D/corpus.jsonl" ]
	run -0 python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
p = r["per_passage"]
assert len(p) == r["passages"], len(p)
assert sum(x["compressed_tokens"] for x in p) == r["compressed_tokens"]
assert sum(x["tokens"] for x in p) == r["tokens"]
assert list(r)[-1] == "per_passage"
pids = [json.loads(l)["pid"] for l in open(sys.argv[2])]
assert [x["pid"] for x in p] == pids
print("ok")' r.json c.jsonl
	assert_output ok
}

@test "lcompress --stats is a usage error that points to --report" {
	run --separate-stderr lcompress --stats s.jsonl -o c.jsonl "$V/corpus.jsonl"
	assert_failure 2
	[[ "$stderr" == *"--report FILE"* ]] || fail "$stderr"
	assert_no_file c.jsonl
	assert_no_file s.jsonl
}

@test "--report -: standard output only where it carries no data; bad names fail before any work" {
	run --separate-stderr lcompress --lead --report - "$V/corpus.jsonl"
	assert_failure 2
	[[ "$stderr" == *"--report -: standard output carries"* ]] || fail "$stderr"
	run --separate-stderr lcompress --lead --report - -o c.jsonl "$V/corpus.jsonl"
	assert_success
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["program"])')" = lcompress ]
	run --separate-stderr lcompress --report nodir/r.json -o c2.jsonl missing.jsonl
	assert_failure 1
	[[ "$stderr" == *"nodir"* ]] || fail "$stderr"
	run --separate-stderr lcindex --report r.zip -o i.idx "$V/corpus.jsonl"
	assert_failure 2
	assert_no_file i.idx
	run --separate-stderr lcdecompose --eot 0 --report -q in.jsonl
	assert_failure 2
	[[ "$stderr" == *"--table"* ]] || fail "$stderr"
}

@test "a failed run leaves no report; a compressed name is compressed" {
	printf '{"pid":"a","passage_text":"x"}\nnot json\n' > bad.jsonl
	run lcompress --report r.json -o c.jsonl bad.jsonl
	assert_failure 1
	assert_no_file r.json
	run lcompress --lead --quiet --report r.json.gz -o c.jsonl "$V/corpus.jsonl"
	assert_success
	gzip -dc r.json.gz > r.json
	[ "$(jval r.json passages)" = "$(wc -l < "$V/corpus.jsonl")" ]
}

@test "--report: an input name or option argument that is not UTF-8 is kept, its bad bytes as U+FFFD" {
	cp "$D/corpus.jsonl" $'c\xff.jsonl'
	run -0 lcindex --quiet --report r.json -o c.idx $'c\xff.jsonl'
	[ "$(jval r.json inputs)" = '["c\ufffd.jsonl"]' ] || fail "inputs: $(jval r.json inputs)"
	run -0 lctok count -e cl100k_base -f passage_text --total --report t.json $'c\xff.jsonl' "$D/corpus.jsonl"
	[ "$(jval t.json inputs)" = "[\"c\\ufffd.jsonl\", \"$D/corpus.jsonl\"]" ] || fail "inputs: $(jval t.json inputs)"
	lcindex --quiet --shard 1/2 -o p1.idx "$D/corpus.jsonl"
	lcindex --quiet --shard 2/2 -o p2.idx "$D/corpus.jsonl"
	run -0 lcindex merge --report m.json -o $'m\xff.idx' p1.idx p2.idx
	[ "$(jval m.json options.output)" = $'m\xef\xbf\xbd.idx' ] || fail "options.output: $(jval m.json options.output)"
}

@test "lctok count and lcindex: the report equals --total and --stats" {
	run -0 lctok count -e cl100k_base -f passage_text --total --report t.json "$D/corpus.jsonl"
	[ "$(jval t.json tokens)" = "$output" ]
	[ "$(jval t.json records)" = 890 ]
	[ "$(jval t.json subcommand)" = count ]
	run -0 lcindex --quiet --report i.json -o c.idx "$D/corpus.jsonl"
	run -0 lcindex --stats c.idx
	for k in documents terms postings total_length bytes; do
		[ "$(jval i.json $k)" = "$(echo "$output" | awk -v k=$k '$1==k {print $2}')" ] || fail "$k differs"
	done
	[ "$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["avgdl"])' i.json)" = \
	  "$(echo "$output" | awk '$1=="avgdl" {print $2}')" ]
}

@test "lcretrieve (BM25 and --dry-run) and lceval: the report holds what they print" {
	head -n 40 "$D/queries.jsonl" > q.jsonl
	lcindex --quiet -o c.idx "$D/corpus.jsonl"
	run -0 lcretrieve -k 7 -i c.idx --report r.json -o run.jsonl q.jsonl
	[ "$(jval r.json queries)" = 40 ]
	[ "$(jval r.json documents)" = 890 ]
	[ "$(jval r.json options.k)" = 7 ]
	[ "$(jval r.json hits)" = "$(grep -o '"pid"' run.jsonl | wc -l)" ]
	# lceval: the report's numbers are --json's, exactly
	run -0 lceval -m loft --report e.json -o /dev/null q.jsonl run.jsonl
	run -0 lceval -m loft --json q.jsonl run.jsonl
	echo "$output" > j.json
	run -0 python3 -c '
import json, sys
r, j = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert r["options"]["measures"] == ["loft"]
for k in j:
    assert r[k] == j[k], k
print("ok")' e.json j.json
	assert_output ok
	# the trec_eval options that change the numbers are in the report
	lcconv --kind qrels --to trec -o q.qrels q.jsonl 2>/dev/null
	run -0 lceval -m map -M 5 -J -N 1000 -R qrels --report t.json -o /dev/null q.qrels run.jsonl
	run -0 jq -c '.options | [.judged_docs_only, .max_retrieved, .num_docs_in_coll, .qrels_format]' t.json
	assert_output '[true,5,1000,"trec"]'
	# --dry-run: the estimate's totals
	head -n 3 q.jsonl > q3.jsonl
	run --separate-stderr lcretrieve --llm --dry-run -e cl100k_base -c "$D/corpus.jsonl" --price-in 2 \
		--report d.json -o dry.jsonl q3.jsonl
	assert_success
	read -r n tot < <(echo "$stderr" | awk '/dry run:/ {for (i = 1; i <= NF; i++) if ($i == "requests,") print $(i-1), $(i+1)}')
	[ "$(jval d.json dry_run.requests)" = "$n" ]
	[ "$(jval d.json dry_run.prompt_tokens)" = "$tot" ]
	[ "$(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["dry_run"]["prompt_cost"])' d.json)" = \
	  "$(echo "$stderr" | sed -n 's/.*prompt cost \([0-9.]*\).*/\1/p')" ]
}

@test "lcretrieve --llm: the client's request summary" {
	lctk_llm_setup
	llm_corpus 6
	cat > q.jsonl <<'EOF'
{"qid": "q1", "query_text": "why do whales sing", "answers": [["p10", 1]]}
{"qid": "q2", "query_text": "what makes magma erupts", "answers": [["p30", 1]]}
EOF
	start_llm_server
	run --separate-stderr lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq \
		--report r.json -o run.jsonl q.jsonl
	assert_success
	[ "$(jval r.json queries)" = 2 ]
	[ "$(jval r.json requests.completed)" = 2 ]
	[ "$(jval r.json requests.cached)" = 0 ]
	[ "$(jval r.json requests.failed)" = 0 ]
	[ "$(jval r.json options.model)" = test-model ]
	run --separate-stderr lcretrieve --llm -c corpus.jsonl --endpoint "$EP" --model test-model --prompt nq \
		--report r2.json -o run.jsonl q.jsonl
	assert_success
	[ "$(jval r2.json requests.cached)" = 2 ]
}

@test "lcsplit, lcconv, lcgen, lctrain: the counts of stderr and output" {
	run -0 lcsplit --report s.json -o s.jsonl "$V/corpus.jsonl"
	[ "$(jval s.json records)" = "$(wc -l < s.jsonl)" ]
	[ "$(jval s.json sentences)" = "$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["sentences"]) for l in open(sys.argv[1])))' s.jsonl)" ]
	run -0 lcconv --kind qrels --to trec --report c.json -o q.txt "$D/queries.jsonl"
	[ "$(jval c.json records)" = "$(wc -l < q.txt)" ]
	run --separate-stderr lcgen candidates --summaries "$V/summaries.jsonl" --report g.json -o cand.jsonl "$V/corpus.jsonl"
	assert_success
	[ "$(jval g.json candidates)" = "$(wc -l < cand.jsonl)" ]
	[[ "$stderr" == *"$(jval g.json without_external_summary) passages without an external summary"* ]] || fail "$stderr"
	run --separate-stderr lcgen probes --per-length 2 --report p.json -o p.jsonl
	assert_success
	[ "$(jval p.json probes)" = "$(wc -l < p.jsonl)" ]
	# every lcgen subcommand's report says what decided its output, as the other programs' do
	run -0 jq -c '[(keys_unsorted | .[:5]), .options.kinds, .options.seed, .options.encoding, (.options.summaries | length)]' g.json
	assert_output '[["program","version","inputs","subcommand","options"],"all",0,"cl100k_base",1]'
	run -0 jq -c '.options | [.lengths, .per_length, .seed, .model]' p.json
	assert_output '["1000,4000,16000",2,0,null]'
	lcgen labels -c "$V/corpus.jsonl" -q "$V/queries.jsonl" --k1 1.2 --no-stem --report l.json -o lab.jsonl cand.jsonl
	run -0 jq -c '.options | [.mode, .k1, .b, .stem, .stopwords, .shard]' l.json
	assert_output '["bm25",1.2,0.4,false,true,null]'
	lcgen pairs -c "$V/corpus.jsonl" --mode all --report pr.json -o pp.jsonl cand.jsonl lab.jsonl
	run -0 jq -c '.options | [.mode, .selection, .label_by]' pr.json
	assert_output '["all","lctk",null]'
	# lctrain: the last epoch's line
	python3 - "$V/corpus.jsonl" > pairs.jsonl <<'PY'
import json, sys
H = "Summarize the following content. \nContent:\n"
for l in open(sys.argv[1]):
    p = json.loads(l)
    t = p["passage_text"]
    first = t.split(". ")[0] + "."
    pr = H + t + "\n Summary:"
    print(json.dumps({"prompt": pr, "chosen": first, "rejected": t, "pid": p["pid"],
        "chosen_tokens": len(first.split()), "rejected_tokens": len(t.split())}))
PY
	run --separate-stderr lctrain -c "$V/corpus.jsonl" --epochs 3 --val 0.4 --report t.json -o m.lcm pairs.jsonl
	assert_success
	last=$(echo "$stderr" | grep 'epoch 3:')
	[ -n "$last" ] || fail "$stderr"
	[[ "$last" == *"loss $(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["loss"])' t.json) "* ]] || fail "$last"
	[[ "$last" == *"val_acc $(python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["val_acc"])' t.json)" ]] || fail "$last"
	[ "$(jval t.json epochs)" = 3 ]
	[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["history"]))' t.json)" = 3 ]
	python3 -c 'import json,sys; t = json.load(open(sys.argv[1]))["threshold"]; assert 0 <= t <= 1, t' t.json
	# the options that change the loss are in the report
	run -0 jq -c '.options | [.c, .l2, .val, .lengths, .truncate_like_trl]' t.json
	assert_output '[0.1,0.0001,0.4,"pair-fields",false]'
}

@test "lcdecompose, lcschedule, lcbatch: the figures of their stderr lines" {
	python3 -c '
import json
for i in range(60):
    print(json.dumps({"ids": list(range(1, 2 + (i * 7) % 40))}))' > ids.jsonl
	run --separate-stderr lcdecompose --eot 0 --kmin 1 --kmax 4 --keep-short-shards --report d.json -o dd ids.jsonl
	assert_success
	# lcdecompose: N documents (E empty, D gave no sequence); X of Y tokens dropped
	read -r docs empty dropped x y < <(echo "$stderr" | awk '/documents \(/ {gsub(/[(),;]/, ""); print $2, $4, $6, $10, $12}')
	[ "$(jval d.json documents)" = "$docs" ] || fail "$stderr"
	[ "$(jval d.json documents_empty)" = "$empty" ]
	[ "$(jval d.json documents_dropped)" = "$dropped" ]
	[ "$(jval d.json methods.0.tokens_dropped)" = "$x" ]
	[ "$(jval d.json methods.0.tokens_in)" = "$y" ]
	[ "$(jval d.json sequences)" = "$(python3 -c 'import json,sys; print(sum(b["sequences"] for b in json.load(open(sys.argv[1]))["buckets"]))' d.json)" ]
	run --separate-stderr lcschedule --global-batch-size 1 --report s.json -o sched.txt dd
	assert_success
	read -r steps tps < <(echo "$stderr" | awk '/steps of/ {print $2, $5}')
	[ "$(jval s.json steps)" = "$steps" ] || fail "$stderr"
	[ "$(jval s.json tokens_per_step)" = "$tps" ]
	[ "$(jval s.json steps)" = "$(($(wc -l < sched.txt) - 1))" ]
	for i in 1 2 3; do
		printf '{"custom_id":"r%s","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi %s"}]}}\n' "$i" "$i"
	done > req.jsonl
	run --separate-stderr lcbatch split --requests 2 --report b.json req.jsonl
	assert_success
	[ "$(jval b.json parts)" = 2 ]
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res.jsonl --batch-fail r2 3>&-
	run --separate-stderr lcbatch failed --report f.json -o again.jsonl req.jsonl res.jsonl
	assert_success
	[[ "$stderr" == *"$(jval f.json failed) of $(jval f.json requests) requests"* ]] || fail "$stderr"
}

@test "progress: percent and ETA from the file's size; counts only from a pipe" {
	run --separate-stderr lctok count -e cl100k_base -f passage_text --progress --total "$D/corpus.jsonl"
	assert_success
	[[ "$stderr" == *"890 records (100%,"*"ETA 00:00:00)"* ]] || fail "$stderr"
	run --separate-stderr bash -o pipefail -c "cat '$D/corpus.jsonl' | lctok count -e cl100k_base -f passage_text --progress --total"
	assert_success
	[[ "$stderr" == *"890 records ("*"/s)"* ]] || fail "$stderr"
	[[ "$stderr" != *"%"* ]] || fail "percent without a known size: $stderr"
	run --separate-stderr lcindex --progress -o i.idx "$D/corpus.jsonl"
	assert_success
	[[ "$stderr" == *" records ("*"%, "*"ETA "* ]] || fail "$stderr"
	# compressed input: the compressed bytes count
	gzip -c "$D/corpus.jsonl" > c.jsonl.gz
	run --separate-stderr lcsplit --progress -o /dev/null c.jsonl.gz
	assert_success
	[[ "$stderr" == *" records ("*"%, "*"ETA "* ]] || fail "$stderr"
	run --separate-stderr lcompress --progress --lead -o /dev/null "$V/corpus.jsonl"
	assert_success
	for phase in "passages read" "passages measured" "passages compressed"; do
		[[ "$stderr" == *"$phase ("*"%, "*"ETA "* ]] || fail "no '$phase' with percent and ETA: $stderr"
	done
	# without --progress on a file (not a terminal): no meter at all
	run -0 --separate-stderr lcompress --lead -o /dev/null "$V/corpus.jsonl"
	[[ "$stderr" != *$'\r'* ]] || fail "a meter on a file: $stderr"
}

@test "progress: the meter's line is ended before an error or a warning" {
	{ head -n 3 "$V/corpus.jsonl"; echo '{"pid": "x", "passage_text": '; } > bad.jsonl
	for cmd in "lcompress --progress -o out.jsonl bad.jsonl" "lcsplit --progress -o out.jsonl bad.jsonl" \
	           "lctok count -e cl100k_base -f passage_text --progress bad.jsonl" \
	           "lcdecompose -e cl100k_base -f passage_text --progress -o dd bad.jsonl" \
	           "lcindex --progress -o i.idx bad.jsonl" "lcconv --kind corpus --to beir --progress -o out.jsonl bad.jsonl"; do
		run --separate-stderr $cmd
		assert_failure 1
		prog=${cmd%% *}
		# the meter was drawn, and the message starts a line of its own
		[[ "$stderr" == *$'\r'"$prog: "* ]] || fail "$cmd: no meter: $stderr"
		msg=$(printf '%s\n' "$stderr" | grep -a 'bad.jsonl:4')
		[[ "$msg" == "$prog: bad.jsonl:4"* ]] || fail "$cmd: the message runs into the meter: $(printf '%q' "$stderr")"
	done
	# a warning mid-run (--skip-bad) also gets its own line, and the meter goes on
	run --separate-stderr lcompress --progress --skip-bad -o out.jsonl bad.jsonl
	assert_success
	msg=$(printf '%s\n' "$stderr" | grep -a 'skipped 1 bad record')
	[ "$msg" = "lcompress: skipped 1 bad record" ] || fail "$(printf '%q' "$stderr")"
}

@test "lcompress merge and lctok merge --report: the shards, each shard's records or count, and their sum" {
	for k in 1 2 3; do
		lcompress --quiet --shard $k/3 -o p$k.jsonl "$D/corpus.jsonl"
		lctok count -e cl100k_base --total --shard $k/3 -o t$k "$D/corpus.jsonl"
	done
	lcompress merge -o all.jsonl --report rc.json p2.jsonl p1.jsonl p3.jsonl
	lctok merge -o total --report rt.json t3 t1 t2
	# per shard: the part's lines between its header and end line (lcompress), the part's number (lctok)
	want_c=$(for k in 1 2 3; do echo $(( $(wc -l < p$k.jsonl) - 2 )); done | jq -cs '.')
	want_t=$(for k in 1 2 3; do sed -n 2p t$k; done | jq -cs '.')
	run -0 jq -c '[.program, .subcommand, .shards, .merge, .per_shard, .records]' rc.json
	assert_output "[\"lcompress\",\"merge\",3,\"lines\",$want_c,$(wc -l < all.jsonl)]"
	run -0 jq -c '[.program, .subcommand, .shards, .merge, .per_shard, .count]' rt.json
	assert_output "[\"lctok count\",\"merge\",3,\"sum\",$want_t,$(cat total)]"
}

@test "lcompress merge --report: a refused merge (a shard missing) writes no report" {
	for k in 1 2; do lcompress --quiet --shard $k/3 -o p$k.jsonl "$D/corpus.jsonl"; done
	run lcompress merge -o all.jsonl --report rc.json p1.jsonl p2.jsonl
	assert_failure 1
	assert [ ! -e rc.json ]
	assert [ ! -e all.jsonl ]
}
