#!/usr/bin/env bats
load helpers
setup() { lctk_setup; V="$ROOT/tests/vectors/color"; }
teardown() { lctk_teardown; }

@test "lcompress: default model, summary_text added, passage_text kept, sizes on stderr" {
	run lcompress -o out.jsonl "$V/corpus.jsonl"
	assert_success
	assert_output --regexp '^lcompress: 7 passages, tokens \(cl100k_base, title\+text\) 146 -> [0-9]+, ratio [0-9.]+x$'
	run -0 python3 -c '
import json
src = [json.loads(l) for l in open("'"$V"'/corpus.jsonl")]
out = [json.loads(l) for l in open("out.jsonl")]
assert [o["pid"] for o in out] == [s["pid"] for s in src]
for s, o in zip(src, out):
    assert o["passage_text"] == s["passage_text"] and o["title_text"] == s["title_text"]
    if s["passage_text"]:
        assert o["summary_text"], o
        words = set(s["passage_text"].replace(".", " ").split())
        assert all(w.strip(".,") in words for w in o["summary_text"].split()), o
print(out[5]["summary_text"] == "", out[6]["summary_text"])'
	assert_output 'True A single sentence without a full stop'
}

@test "lcompress: --ratio, --budget (tokens), --threshold bound the size" {
	run lcompress --ratio 3 "$V/corpus.jsonl"
	assert_success
	run lcompress --budget 70 -o b.jsonl "$V/corpus.jsonl"
	assert_success
	after=$(echo "$output" | sed 's/.*-> \([0-9]*\),.*/\1/')
	[ "$after" -le 70 ]
	run -0 lcompress --threshold 0 "$V/corpus.jsonl"
	assert_output --partial '146 -> 146, ratio 1.000x'
	run -0 lcompress --threshold 1 --quiet "$V/corpus.jsonl"
	# never compresses a non-empty passage to nothing
	[ "$(echo "$output" | grep -c '"summary_text":""')" -eq 1 ]
	# --ratio 1 keeps ceil(n/1) = every word (it was taken for "no ratio": the model's threshold)
	run -0 lcompress --ratio 1 --report r1.json "$V/corpus.jsonl"
	assert_line --partial '146 -> 146, ratio 1.000x'
	run -2 lcompress --ratio 2 --threshold 0.5 "$V/corpus.jsonl"
	assert_output --partial "--ratio and --threshold exclude each other"
	# a pid with two summaries: an error naming the second line (the last one silently won)
	{ cat "$V/summaries.jsonl"; head -1 "$V/summaries.jsonl"; } > dup.jsonl
	n=$(wc -l < dup.jsonl)
	run -1 lcompress --summaries dup.jsonl -o out.jsonl "$V/corpus.jsonl"
	assert_output --partial "dup.jsonl:$n: pid '"
	assert_output --partial "has a second summary"
	assert_no_file out.jsonl
	run -1 lcgen candidates --summaries dup.jsonl "$V/corpus.jsonl"
	assert_output --partial "dup.jsonl:$n: pid '"
	# the report names what decides the model's threshold
	lcompress --quiet --length-bias 2 --keep-punct --report r2.json "$V/corpus.jsonl" > /dev/null
	run -0 jq -c '[.options.length_bias, .options.keep_punct, (.options.threshold > 0)]' r2.json
	assert_output '[2,true,true]'
}

@test "lcompress: deterministic; --report; --lead; --summaries" {
	lcompress --quiet "$V/corpus.jsonl" > a
	lcompress --quiet "$V/corpus.jsonl" > b
	cmp a b
	lcompress --quiet --report s.json "$V/corpus.jsonl" > /dev/null
	run -0 python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["per_passage"][0], separators=(",", ":")))' s.json
	assert_output --regexp '^\{"pid":"p1","tokens":33,"compressed_tokens":[0-9]+,"ratio":[0-9.]+\}$'
	run -0 lcompress --quiet --lead "$V/corpus.jsonl"
	assert_line --index 0 --partial '"summary_text":"Quantum dots are tiny semiconductor particles. They glow under ultraviolet"'
	run lcompress --summaries "$V/summaries.jsonl" "$V/corpus.jsonl"
	assert_success
	assert_line --index 1 --partial '"summary_text":"Solar panels turn sunlight into power."'
	assert_line --partial 'warning: 5 passages without a summary'
}

@test "lcompress --summaries: the sizes count what is written, also an empty passage's summary (lctok agrees)" {
	printf '{"pid":"a","title_text":"","passage_text":"Cats sit. Dogs run."}\n{"pid":"b","title_text":"","passage_text":""}\n{"pid":"c","title_text":"","passage_text":"Birds fly."}\n' > c.jsonl
	# c has an empty summary: its passage is what counts
	printf '{"pid":"a","summary_text":"Cats."}\n{"pid":"b","summary_text":"A long made up summary here."}\n{"pid":"c","summary_text":""}\n' > s.jsonl
	run -0 --separate-stderr lcompress --summaries s.jsonl --report r.json -o z.jsonl c.jsonl
	# the summaries a and b as lctok counts them (c's is empty) ...
	run -0 lctok count -f summary_text --total z.jsonl
	assert_output '10'
	# ... and c's passage: a 3, b 7 (its passage has none), c 4
	run -0 lctok count -f passage_text c.jsonl
	assert_line --index 2 --partial '"n_tokens":4'
	run -0 python3 -c 'import json; r = json.load(open("r.json")); print(r["tokens"], r["compressed_tokens"], [p["compressed_tokens"] for p in r["per_passage"]])'
	assert_output '11 14 [3, 7, 4]'
}

@test "lcompress: a passage kept whole is written as it is, spacing too, and counted as written (lctok agrees)" {
	# one-sentence passages stay whole; their runs of spaces and tabs are kept
	printf '{"pid":"a","title_text":"","passage_text":"Cats   sit  on \\t mats   today."}\n{"pid":"b","title_text":"","passage_text":"Dogs run fast.  Birds fly high.  Fish swim deep.  Cows eat grass."}\n' > c.jsonl
	for how in "" "--lead"; do
		run -0 --separate-stderr lcompress $how --ratio 4 --report r.json -o z.jsonl c.jsonl
		run -0 jq -r 'select(.pid == "a") | .summary_text' z.jsonl
		assert_output "$(printf 'Cats   sit  on \t mats   today.')"
		run -0 lctok count -f summary_text --total z.jsonl
		written=$output
		run -0 jq .compressed_tokens r.json
		[ "$output" = "$written" ] || fail "$how: --report says $output tokens, the corpus written holds $written"
	done
}

@test "lcompress: model of another version or corrupted is refused" {
	cp "$ROOT/share/lctk/models/default.lcm" m.lcm
	sed -i 's/^w idf .*/w idf 0x1p+3/' m.lcm
	run lcompress -m m.lcm -o out.jsonl "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial 'checksum mismatch'
	assert_output --partial 'corrupted'
	assert_no_file out.jsonl
	sed '1s/ 1$/ 2/' "$ROOT/share/lctk/models/default.lcm" > v2.lcm
	run lcompress -m v2.lcm "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial 'model file version 2'
	head -c 100 "$ROOT/share/lctk/models/default.lcm" > cut.lcm
	run lcompress -m cut.lcm "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial 'truncated or corrupted'
	python3 - "$ROOT/share/lctk/models/default.lcm" <<-'PY'
	import re, sys, zlib
	t = open(sys.argv[1]).read()
	body = re.sub(r"(?m)^checksum .*\n", "", t)
	body = re.sub(r"(?m)^length_bias .*\n", "", body)
	body = body.replace("threshold ", "length_bias nan\nthreshold ", 1)
	open("lb.lcm", "w").write(body + "checksum %08x\n" % zlib.crc32(body.encode()))
	PY
	run lcompress -m lb.lcm "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial 'bad length_bias'
	echo garbage > g.lcm
	run lcompress -m g.lcm "$V/corpus.jsonl"
	assert_failure 1
	assert_output --partial 'not an lctk compression model'
}

@test "lcompress --length-bias: long passages cut harder under one corpus-wide budget" {
	D="$ROOT/share/lctk/data/hotpotqa"
	for a in 0 2; do
		run lcompress --length-bias $a --budget 48000 --report r$a.json -o c$a.jsonl "$D/corpus.jsonl"
		python3 -c 'import json,sys; [print(json.dumps(o)) for o in json.load(open(sys.argv[1]))["per_passage"]]' r$a.json > s$a.jsonl
		assert_success
	done
	# mean ratio of the longest quarter of passages over that of the shortest quarter
	gap() { python3 -c '
import json, sys
s = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda o: o["tokens"])
q = len(s) // 4
m = lambda v: sum(o["ratio"] for o in v) / len(v)
print("%.3f" % (m(s[-q:]) / m(s[:q])))' "$1"; }
	g0=$(gap s0.jsonl) g2=$(gap s2.jsonl)
	echo "# long/short ratio gap: bias 0 $g0, bias 2 $g2" >&3
	awk -v a="$g0" -v b="$g2" 'BEGIN{exit !(b > a + 0.2)}'
	# both fit the same budget
	for a in 0 2; do
		t=$(python3 -c 'import json,sys; print(sum(json.loads(l)["compressed_tokens"] for l in open(sys.argv[1])))' s$a.jsonl)
		[ "$t" -le 48000 ] || fail "bias $a: $t tokens over the budget of 48000"
		[ "$t" -ge 46000 ] || fail "bias $a: $t tokens, far under the budget of 48000"
	done
	# the model's own length_bias is the default: same output as giving it
	lb=$(awk '$1=="length_bias"{print $2}' "$ROOT/share/lctk/models/default.lcm")
	[ -n "$lb" ]
	lcompress --quiet --length-bias "$lb" "$V/corpus.jsonl" > a.jsonl
	lcompress --quiet "$V/corpus.jsonl" > b.jsonl
	cmp a.jsonl b.jsonl
	run lcompress --length-bias 1 --ratio 2 "$V/corpus.jsonl"
	assert_failure 2
	assert_output --partial 'no effect with --ratio'
	run lcompress --length-bias x "$V/corpus.jsonl"
	assert_failure 2
}

@test "lcompress: bad records and usage" {
	printf '%s\n' '{"pid":"a","passage_text":"One. Two."}' '{"pid":"b"}' '{oops' > c.jsonl
	run lcompress -o out.jsonl c.jsonl
	assert_failure 1
	assert_output --partial 'c.jsonl:2'
	assert_no_file out.jsonl
	run lcompress --skip-bad --quiet c.jsonl
	assert_success
	assert_line --index 0 --partial '"pid":"a"'
	assert_line 'lcompress: skipped 2 bad records'
	run lcompress --ratio 2 --budget 10 c.jsonl
	assert_failure 2
	run lcompress --unit paragraph c.jsonl
	assert_failure 2
	run lcompress --endpoint http://127.0.0.1:9 c.jsonl
	assert_failure 2
	run lcompress --endpoint http://127.0.0.1:9 --model x --ratio 2 c.jsonl
	assert_failure 2
	LCTK_DATA=/nonexistent run lcompress c.jsonl
	assert_failure 1
	assert_output --partial "lcompress: no default model"
}

@test "lcompress on LOFT scifact: about 2x smaller, recall@1 within a point" {
	need_shared data/loft/scifact/corpus.jsonl
	D="$SHARED/data/loft/scifact"
	run lcompress --budget 47000 -o small.jsonl "$D/corpus.jsonl"
	assert_success
	lcretrieve --quiet -c "$D/corpus.jsonl" "$D/queries.jsonl" > r0.jsonl
	lcretrieve --quiet -c small.jsonl "$D/queries.jsonl" > r1.jsonl
	a=$(lceval -m recall@1 "$D/queries.jsonl" r0.jsonl | awk '$1=="recall@1"{print $3}')
	b=$(lceval -m recall@1 "$D/queries.jsonl" r1.jsonl | awk '$1=="recall@1"{print $3}')
	echo "# original $a compressed $b" >&3
	awk -v a="$a" -v b="$b" 'BEGIN{exit !(b >= a - 0.02)}'
}

@test "lcompress --endpoint: LLM summaries with CoLoR's prompt, cached, failures reported" {
	start_llm_server
	url=$EP
	export XDG_CACHE_HOME="$T/cache"
	run lcompress --endpoint "$url" --model m -o out.jsonl "$V/corpus.jsonl"
	assert_success
	assert_line 'lcompress: LLM m: 6 requests, 0 from the cache, 0 retries'
	run -0 python3 -c 'import json; print([json.loads(l)["summary_text"] for l in open("out.jsonl")])'
	assert_output "['Quantum dots are tiny semiconductor particles.', 'Solar panels convert sunlight into electricity.', 'Honey bees live in colonies.', 'A volcano is a rupture in the crust.', 'Chess is a board game for two players.', '', 'A single sentence without a full stop']"
	run -0 lcompress --endpoint "$url" --model m -o out2.jsonl "$V/corpus.jsonl"
	assert_line 'lcompress: LLM m: 6 requests, 6 from the cache, 0 retries'
	cmp out.jsonl out2.jsonl
	# the offline route: Batch requests (lcgen probes --summarise's), answered, read back: the same corpus
	run -0 lcompress --model m --batch-out req.jsonl "$V/corpus.jsonl"
	assert_line 'lcompress: req.jsonl: 6 Batch requests written'
	lcgen probes --summarise "$V/corpus.jsonl" --model m -o probes.jsonl
	cmp req.jsonl probes.jsonl
	python3 "$ROOT/tests/llm-server.py" --batch req.jsonl res.jsonl
	lcompress --model m --batch-in res.jsonl --report b.json -o batch.jsonl "$V/corpus.jsonl"
	cmp out.jsonl batch.jsonl
	run -0 jq -c '[.options.method, .options.batch_in, .llm.requests]' b.json
	assert_output '["llm","res.jsonl",6]'
	run -2 lcompress --model m --batch-out r2.jsonl -o x.jsonl "$V/corpus.jsonl"
	assert_output --partial "drop -o"
	# a passage without its result fails the run as a failed request does
	head -n 5 res.jsonl > res5.jsonl
	run -1 lcompress --model m --batch-in res5.jsonl -o b5.jsonl "$V/corpus.jsonl"
	assert_output --partial "1 of 7 summaries failed"
	assert_output --partial "no result for this custom_id in the Batch file"
	assert_no_file b5.jsonl
	printf '%s\n' '{"pid":"x","passage_text":"Fail here [[status:400]]. Really."}' > bad.jsonl
	run lcompress --endpoint "$url" --model m -o out3.jsonl bad.jsonl
	assert_failure 1
	assert_output --partial '1 of 1 summaries failed'
	assert_no_file out3.jsonl
	# an answer of white space only is a summary of nothing: the passage is used, and counted
	printf '%s\n' '{"pid":"w","passage_text":"One. Two [[reply:   ]]."}' '{"pid":"e","passage_text":"Three. Four [[reply:]]."}' > blank.jsonl
	run -0 --separate-stderr lcompress --endpoint "$url" --model m --report blank.json -o out4.jsonl blank.jsonl
	[[ "$stderr" == *"warning: 2 LLM answers were empty or only white space: their passages are used"* ]] || fail "$stderr"
	run -0 jq -c '[.summary_text]' out4.jsonl
	assert_output "$(printf '%s\n' '[""]' '[""]')"
	run -0 jq .llm.empty blank.json
	assert_output 2
	run -0 --separate-stderr lcgen candidates --kinds full,llm --endpoint "$url" --model m blank.jsonl
	refute_output --partial '"name":"llm:m"'
	[[ "$stderr" == *"warning: 2 LLM answers were empty or only white space: no llm candidate for their passages"* ]] || fail "$stderr"
}

@test "lcompress --endpoint --dry-run: each summary prompt counted as lctok counts CoLoR's prompt, totals and cost, nothing sent" {
	lctk_llm_setup
	llm_corpus 4
	start_llm_server
	run -0 --separate-stderr lcompress --endpoint "$EP" --model m --dry-run -e cl100k_base \
		--price-in 2 --price-out 8 --max-tokens 100 --report r.json -o plan.jsonl corpus.jsonl
	[ ! -s "$T/server.log" ] || fail "requests were sent: $(cat "$T/server.log")"
	# the prompt each request would carry: CoLoR's summarisation prompt, built here
	# independently of lib/llm/prompt.c, counted by lctok
	python3 -c '
import json, sys
for l in open("corpus.jsonl"):
    o = json.loads(l)
    if o["passage_text"]:
        p = "Summarize the following content. \nContent:\n" + o["passage_text"] + "\n Summary:"
        print(json.dumps({"pid": o["pid"], "text": p}))' > prompts.jsonl
	lctok count -e cl100k_base -f text -t prompt_tokens -o counted.jsonl prompts.jsonl
	python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print(json.dumps({"pid": o["pid"], "prompt_tokens": o["prompt_tokens"]}, separators=(",", ":")))' < counted.jsonl > want.jsonl
	run -0 diff want.jsonl plan.jsonl
	total=$(python3 -c 'import json; print(sum(json.loads(l)["prompt_tokens"] for l in open("want.jsonl")))')
	n=$(wc -l < want.jsonl)
	[[ "$stderr" == *"dry run: $n requests, $total prompt tokens"* ]] || fail "$stderr"
	run -0 python3 -c "
import json
d = json.load(open('r.json'))['dry_run']
assert d['requests'] == $n and d['prompt_tokens'] == $total, d
assert abs(d['prompt_cost'] - $total * 2 / 1e6) < 1e-12, d
assert abs(d['max_cost'] - ($total * 2 + $n * 100 * 8) / 1e6) < 1e-12, d"
}

@test "lcompress --dry-run: bad usage (no --endpoint, no tokenizer named, prices without --dry-run) exits 2 and writes nothing" {
	printf '%s\n' '{"pid":"a","passage_text":"One. Two."}' > c.jsonl
	run -2 lcompress --dry-run -e cl100k_base -o out.jsonl c.jsonl
	assert_output --partial "--endpoint"
	run -2 lcompress --endpoint http://127.0.0.1:9/v1 --model m --dry-run -o out.jsonl c.jsonl
	assert_output --partial "-e NAME or --tokenizer FILE"
	run -2 lcompress --endpoint http://127.0.0.1:9/v1 --model m --price-in 1 -o out.jsonl c.jsonl
	assert_output --partial "go with --dry-run"
	assert_no_file out.jsonl
}

@test "lcompress streams: standard input (plain, gzip) and a corpus cut in two files write what the whole file does, with and without --budget" {
	D="$ROOT/share/lctk/data/hotpotqa"
	for args in "" "--budget 48000" "--budget 45000 --unit sentence"; do
		# shellcheck disable=SC2086
		lcompress --quiet $args -o want.jsonl "$D/corpus.jsonl"
		# shellcheck disable=SC2086
		lcompress --quiet $args -o in.jsonl - < "$D/corpus.jsonl"
		cmp want.jsonl in.jsonl
		gzip -c "$D/corpus.jsonl" > c.jsonl.gz
		# shellcheck disable=SC2086
		lcompress --quiet $args -o gz.jsonl - < c.jsonl.gz
		cmp want.jsonl gz.jsonl
		head -n 300 "$D/corpus.jsonl" > a.jsonl
		tail -n +301 "$D/corpus.jsonl" > b.jsonl
		# shellcheck disable=SC2086
		lcompress --quiet $args -o two.jsonl a.jsonl - < b.jsonl
		cmp want.jsonl two.jsonl
	done
	[ "$(wc -l < want.jsonl)" -eq 890 ]
}

@test "lcompress --budget: the threshold it picks writes the same corpus, fits, and one step (2^-24) lower does not" {
	D="$ROOT/share/lctk/data/hotpotqa"
	run -0 lcompress --budget 48000 --report r.json -o b.jsonl "$D/corpus.jsonl"
	assert_output --partial '91436 -> 48000, ratio 1.905x'
	t=$(python3 -c 'import json; print(repr(json.load(open("r.json"))["options"]["threshold"]))')
	# a dyadic threshold (24 halvings), given back as --threshold: the same output
	python3 -c "t = $t; assert (t * 2**24).is_integer() and 0 < t < 1, t"
	run -0 lcompress --threshold "$t" -o t.jsonl "$D/corpus.jsonl"
	cmp b.jsonl t.jsonl
	lower=$(python3 -c "print(repr($t - 2**-24))")
	run -0 lcompress --threshold "$lower" --report l.json -o /dev/null "$D/corpus.jsonl"
	run -0 python3 -c 'import json; print(json.load(open("l.json"))["compressed_tokens"])'
	[ "$output" -gt 48000 ] || fail "$output tokens at $lower: the bisection stopped too high"
}

@test "lcompress --budget with o200k_base (one read, counts added per word) and a tokenizer.json (counts that need not add up: re-read per 4 halvings): fits, and one step lower does not" {
	D="$ROOT/share/lctk/data/hotpotqa"
	for tk in "-e o200k_base:47000" "--tokenizer $ROOT/tests/vectors/tok/sp-tiny.json:250000" "-e o200k_base --unit sentence --keep-punct:52000"; do
		args=${tk%:*} budget=${tk##*:}
		# shellcheck disable=SC2086
		lcompress --quiet $args --budget "$budget" --report r.json -o b.jsonl "$D/corpus.jsonl"
		read -r t got <<-EOF
		$(python3 -c 'import json; r = json.load(open("r.json")); print(repr(r["options"]["threshold"]), r["compressed_tokens"])')
		EOF
		[ "$got" -le "$budget" ] || fail "$args: $got tokens over --budget $budget"
		[ "$got" -ge $((budget * 9 / 10)) ] || fail "$args: $got tokens, far under --budget $budget"
		# shellcheck disable=SC2086
		lcompress --quiet $args --threshold "$t" -o t.jsonl "$D/corpus.jsonl"
		cmp b.jsonl t.jsonl
		# shellcheck disable=SC2086
		lcompress --quiet $args --threshold "$(python3 -c "print(repr($t - 2**-24))")" --report l.json -o /dev/null "$D/corpus.jsonl"
		lower=$(python3 -c 'import json; print(json.load(open("l.json"))["compressed_tokens"])')
		[ "$lower" -gt "$budget" ] || fail "$args: $lower tokens one step below $t: the bisection stopped too high"
	done
}

@test "lcompress --shard with --skip-bad: bad lines skipped on every read, the merged parts are the one-process corpus" {
	D="$ROOT/share/lctk/data/hotpotqa"
	{ head -n 5 "$D/corpus.jsonl"; echo '{oops'; sed -n 6,40p "$D/corpus.jsonl"; echo '{"pid":"x"}'; echo; tail -n +41 "$D/corpus.jsonl"; } > c.jsonl
	run -0 lcompress --skip-bad -o whole.jsonl c.jsonl
	assert_line 'lcompress: skipped 2 bad records'
	for k in 1 2 3; do
		lcompress --quiet --skip-bad --shard $k/3 -o p$k.jsonl c.jsonl
	done
	lcompress merge -o merged.jsonl p1.jsonl p2.jsonl p3.jsonl
	cmp whole.jsonl merged.jsonl
	# without bad records the other shards' lines are not parsed: the same parts
	lcompress --quiet -o whole2.jsonl "$D/corpus.jsonl"
	for k in 1 2; do
		lcompress --quiet --shard $k/2 -o q$k.jsonl "$D/corpus.jsonl"
	done
	lcompress merge -o merged2.jsonl q1.jsonl q2.jsonl
	cmp whole2.jsonl merged2.jsonl
}

@test "lcompress: standard input needs a writable TMPDIR for its second read; exit 1, nothing written" {
	[ -z "${LCTK_VALGRIND:-}" ] || skip "valgrind itself needs a usable TMPDIR (this case runs in check and check SAN=1)"
	run -1 env TMPDIR="$T/none" lcompress -o out.jsonl - < "$V/corpus.jsonl"
	assert_output --partial "cannot create a temporary file for standard input in $T/none"
	assert_output --partial 'set TMPDIR'
	assert_no_file out.jsonl
}

@test "lcompress: standard input's temporary copy is gone after the run" {
	mkdir tmp
	run -0 env TMPDIR="$PWD/tmp" lcompress --quiet - < "$V/corpus.jsonl"
	[ "$(ls -A tmp)" = "" ] || fail "temporary files left: $(ls -A tmp)"
}
