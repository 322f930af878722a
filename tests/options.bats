#!/usr/bin/env bats
# One option vocabulary (issue 10 §2, lctk(7) OPTION VOCABULARY): the renamed
# options work under their new spelling and the old one is a usage error naming
# the new one; lcretrieve's -e/--tokenizer still take what -e SPEC took;
# lcompress takes the LLM client block; and the lint's vocabulary check fails
# on a planted conflict.

load helpers

setup() {
	lctk_setup
	printf '%s\n' '{"pid":"d1","title":"A","text":"apple banana"}' '{"pid":"d2","title":"B","text":"cherry banana"}' > c.jsonl
	printf '%s\n' '{"qid":"q1","query_text":"apple","answers":[["d1",1]]}' > q.jsonl
}

teardown() { lctk_teardown; }

# old_spelling PROGRAM-AND-ARGS... : exit 2, the message naming the new spelling is in $output
@test "lcconv: --kind and --to work; -k and -t are usage errors naming them" {
	run -0 lcconv --kind qrels --to trec q.jsonl
	assert_output "q1 0 d1 1"
	run -2 lcconv -k qrels --to trec q.jsonl
	assert_output --partial "-k is now --kind"
	run -2 lcconv --kind qrels -t trec q.jsonl
	assert_output --partial "-t is now --to"
}

@test "lcbatch: --requests works; -n is a usage error naming it" {
	printf '%s\n' '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}' \
		'{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{}}' > req.jsonl
	run -0 lcbatch split --requests 1 req.jsonl
	assert_output "lcbatch: req.jsonl: 2 parts written"
	run -2 lcbatch split -n 1 req.jsonl
	assert_output --partial "-n is now --requests"
}

@test "lcdecompose: --quiet works; -q is a usage error naming it" {
	printf '%s\n' '{"text":"hello world, this is a test"}' > d.jsonl
	run -0 --separate-stderr lcdecompose -e cl100k_base --quiet --table d.jsonl
	[ -z "$stderr" ] || fail "stderr not quiet: $stderr"
	run -2 lcdecompose -e cl100k_base -q --report d.jsonl
	assert_output --partial "-q is now --quiet"
}

@test "lcindex: -f/--field F1,F2 indexes those fields; --text is a usage error naming -f" {
	run -0 lcindex --id pid -f title,text -o a.idx c.jsonl
	run -0 lcindex --id pid --field=title,text -o b.idx c.jsonl
	cmp a.idx b.idx
	run -0 lcretrieve --quiet -i a.idx -k 1 --trec q.jsonl
	assert_output "q1 Q0 d1 1 $(echo "$output" | awk '{print $5}') lctk-bm25"
	run -2 lcindex --id pid --text title,text -o c.idx c.jsonl
	assert_output --partial "--text is now -f/--field"
	run -2 lcindex --id pid --text=title c.jsonl
	assert_output --partial "--text is now -f/--field"
	assert_no_file c.idx
}

@test "lcretrieve -c: -f selects the fields like lcindex; --text is a usage error naming -f" {
	run -0 lcindex --id pid -f text -o t.idx c.jsonl
	lcretrieve --quiet -i t.idx q.jsonl > from-index.jsonl
	run -0 lcretrieve --quiet -c c.jsonl --id pid -f text q.jsonl
	assert_output "$(cat from-index.jsonl)"
	run -2 lcretrieve --quiet -c c.jsonl --id pid --text text q.jsonl
	assert_output --partial "--text is now -f/--field"
}

@test "lctrain: --batch-size is parsed; --batch (also as an abbreviation) is a usage error naming it" {
	run -2 lctrain --batch-size 0 x.jsonl
	assert_output --partial "--batch-size"
	run -2 lctrain --batch 8 x.jsonl
	assert_output --partial "--batch is now --batch-size"
	run -2 lctrain --batch=8 x.jsonl
	assert_output --partial "--batch is now --batch-size"
}

@test "lcschedule: --total-tokens is parsed; --tokens is a usage error naming it" {
	run -2 lcschedule --openlm --total-tokens 0 nodir
	assert_output --partial "--total-tokens"
	run -2 lcschedule --openlm --tokens 1000 nodir
	assert_output --partial "--tokens is now --total-tokens"
}

@test "lcretrieve --dry-run: -e NAME, --encoding NAME, --tokenizer NAME count the same (what -e SPEC took)" {
	llm_corpus 6
	printf '%s\n' '{"qid":"q1","query_text":"whales sing","answer_pids":["p10"]}' > q1.jsonl
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template nq -e o200k_base --dry-run q1.jsonl
	want=$output
	[[ "$want" == *'"prompt_tokens"'* ]] || fail "no dry-run line: $want"
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template nq --encoding o200k_base --dry-run q1.jsonl
	assert_output "$want"
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template nq --tokenizer o200k_base --dry-run q1.jsonl
	assert_output "$want"
	run -0 --separate-stderr lcretrieve --llm -c corpus.jsonl --template nq -e cl100k_base --dry-run q1.jsonl
	[ "$output" != "$want" ] || fail "cl100k_base and o200k_base gave the same count: $output"
}

@test "lcompress --model FILE says to use -m/--model-file" {
	run -2 lcompress --endpoint http://127.0.0.1:9/v1 --model "$LCTK_DATA/models/default.lcm" c.jsonl
	assert_output --partial "use -m/--model-file for a model file"
	run -2 lcompress --endpoint http://127.0.0.1:9/v1 --model mine.lcm c.jsonl
	assert_output --partial "use -m/--model-file for a model file"
}

@test "lcompress takes the LLM client block: --cache DIR, --no-cache, bad --retries/--temperature/--timeout" {
	lctk_llm_setup
	llm_corpus 2
	start_llm_server
	run -0 lcompress --endpoint "$EP" --model m --cache "$T/mycache" --retries 1 --timeout 30 \
		--connect-timeout 5 --backoff 0.05 --temperature 0 --max-tokens 64 -o s1.jsonl corpus.jsonl
	assert_line 'lcompress: LLM m: 2 requests, 0 from the cache, 0 retries'
	[ -n "$(find "$T/mycache" -type f)" ] || fail "--cache DIR: nothing cached in $T/mycache"
	[ ! -e "$T/xdg/lctk" ] || fail "--cache DIR ignored: the default cache was used"
	run -0 lcompress --endpoint "$EP" --model m --cache "$T/mycache" --temperature 0 --max-tokens 64 -o s2.jsonl corpus.jsonl
	assert_line 'lcompress: LLM m: 2 requests, 2 from the cache, 0 retries'
	cmp s1.jsonl s2.jsonl
	run -0 lcompress --endpoint "$EP" --model m --cache "$T/mycache" --max-tokens 64 --no-cache -o s3.jsonl corpus.jsonl
	assert_line 'lcompress: LLM m: 2 requests, 0 from the cache, 0 retries'
	run -2 lcompress --endpoint "$EP" --model m --retries -1 corpus.jsonl
	assert_output --partial "--retries"
	run -2 lcompress --endpoint "$EP" --model m --temperature 101 corpus.jsonl
	assert_output --partial "--temperature"
	run -2 lcompress --endpoint "$EP" --model m --timeout x corpus.jsonl
	assert_output --partial "--timeout"
}

# tables PROG: "PROG" (unless it needs a subcommand) and "PROG SUB" for each subcommand
tables() {
	local p=$1 s
	"$p" --lctk-options | awk -F'\t' '$1=="sub" && $3!="optional" {req=1} END {exit req}' && echo "$p"
	for s in $("$p" --lctk-options | awk -F'\t' '$1=="sub" {print $2}'); do
		"$p" "$s" --lctk-options >/dev/null 2>&1 && echo "$p $s"
	done
}

@test "--seed and -j have one range in every program: seeds 0..2^63-1, jobs 1..256" {
	local p t n=0 m=0
	for p in "$BUILD"/bin/lc*; do
		p=${p##*/}
		while read -r t; do
			# an option's value is checked as it is parsed, before --help exits 0
			if $t --lctk-options | grep -q $'\t--seed\t'; then
				n=$((n + 1))
				run $t --seed 3000000000 --help
				[ "$status" -eq 0 ] || fail "$t refuses --seed 3000000000: $output"
				run $t --seed 9223372036854775807 --help
				[ "$status" -eq 0 ] || fail "$t refuses --seed 2^63-1: $output"
				run $t --seed 9223372036854775808 --help
				[ "$status" -eq 2 ] || fail "$t takes --seed 2^63"
				run $t --seed -1 --help
				[ "$status" -eq 2 ] || fail "$t takes --seed -1"
			fi
			if $t --lctk-options | grep -q $'\t--jobs\t'; then
				m=$((m + 1))
				run $t -j 256 --help
				[ "$status" -eq 0 ] || fail "$t refuses -j 256: $output"
				run $t -j 257 --help
				[ "$status" -eq 2 ] || fail "$t takes -j 257"
				run $t -j 0 --help
				[ "$status" -eq 2 ] || fail "$t takes -j 0"
			fi
		done < <(tables "$p")
	done
	# lcdecompose, lceval, lcgen candidates/labels/probes, lcretrieve, lcschedule, lctrain; lceval, lcretrieve, lctok
	[ "$n" -ge 8 ] || fail "only $n tables with --seed"
	[ "$m" -ge 3 ] || fail "only $m tables with -j"
}

@test "--k1 and --b have one range wherever BM25 scores: k1 above 0 up to 1000, b 0..1" {
	local p t n=0
	for p in "$BUILD"/bin/lc*; do
		p=${p##*/}
		while read -r t; do
			$t --lctk-options | grep -q $'\t--k1\t' || continue
			n=$((n + 1))
			# lib/retrieve/bm25 reads k1 <= 0 as its default: 0 must be refused, not scored as 0.9
			run $t --k1 0 --help
			[ "$status" -eq 2 ] || fail "$t takes --k1 0"
			run $t --k1 1000 --b 0 --help
			[ "$status" -eq 0 ] || fail "$t refuses --k1 1000 --b 0: $output"
			run $t --k1 1001 --help
			[ "$status" -eq 2 ] || fail "$t takes --k1 1001"
			run $t --b 1.5 --help
			[ "$status" -eq 2 ] || fail "$t takes --b 1.5"
		done < <(tables "$p")
	done
	# lcgen labels, lcretrieve
	[ "$n" -ge 2 ] || fail "only $n tables with --k1"
}

@test "lctok -j 256: more threads than batches in flight, the same output as -j 1" {
	for i in $(seq 1 300); do printf '{"pid":"p%d","text":"record %d of the test, some words"}\n' "$i" "$i"; done > many.jsonl
	run -0 lctok count -e cl100k_base -o one.jsonl many.jsonl
	run -0 lctok count -e cl100k_base -j 256 -o many256.jsonl many.jsonl
	cmp one.jsonl many256.jsonl
}

@test "shared options print the same help line in every program" {
	a=$(lcgen --help | grep -e '--seed N')
	b=$(lceval --help | grep -e '--seed N')
	c=$(lctrain --help | grep -e '--seed N')
	[ -n "$a" ] || fail "lcgen --help has no --seed N"
	[ "$a" = "$b" ] || fail "lcgen: $a / lceval: $b"
	[ "$a" = "$c" ] || fail "lcgen: $a / lctrain: $c"
}

# stub BINDIR NAME TABLE: a fake program printing TABLE (printf format) for --lctk-options
stub() {
	mkdir -p "$1"
	printf '#!/bin/sh\nprintf "%s"\n' "$3" > "$1/$2"
	chmod +x "$1/$2"
}

@test "lint --options: agreeing tables pass; a planted conflict fails, naming both programs" {
	cd "$ROOT"
	stub "$T/ok/bin" lcfoo 'opt\t-o\t--output\tFILE\t@file\twrite it\nopt\t\t--seed\tN\t\trandom seed\n'
	stub "$T/ok/bin" lcbar 'opt\t-o\t--output\tFILE\t@file\twrite it\n'
	run -0 sh tests/lint.sh "$T/ok" --options /dev/null
	assert_output "lint: options ok"
	stub "$T/bad/bin" lcfoo 'opt\t-o\t--output\tFILE\t@file\twrite it\nopt\t\t--seed\tN\t\trandom seed\n'
	stub "$T/bad/bin" lcbar 'opt\t-o\t--output\tOUT\t@file\twrite it\nopt\t\t--seed\tS\t\tthe seed\nopt\t-s\t--sort\t\t\tsort\n'
	stub "$T/bad/bin" lcbaz 'opt\t-s\t--size\tN\t\tsize\n'
	run -1 sh tests/lint.sh "$T/bad" --options /dev/null
	assert_line --partial "lcfoo --output takes FILE but lcbar takes OUT"
	assert_line --partial "lcfoo --seed takes N but lcbar takes S"
	assert_line --partial 'lcfoo --seed says "random seed" but lcbar says "the seed"'
	assert_line --partial "letter -s names more than one long option"
	printf '%s\n' '# planted: allowed' 'lcbar --output arg' 'lcbar --seed arg help' 'lcbaz -s letter' > "$T/ex"
	run -0 sh tests/lint.sh "$T/bad" --options "$T/ex"
	assert_output "lint: options ok"
}

@test "lint --options: a subcommand's own table is checked too" {
	cd "$ROOT"
	stub "$T/sub/bin" lcfoo 'opt\t-o\t--output\tFILE\t@file\twrite it\nsub\tmerge\n'
	# lcfoo merge --lctk-options prints a different table: -o with DIR
	printf '#!/bin/sh\nif [ "$1" = merge ]; then printf "opt\\t-o\\t--output\\tDIR\\t@dir\\twrite it\\n"; else printf "opt\\t-o\\t--output\\tFILE\\t@file\\twrite it\\nsub\\tmerge\\n"; fi\n' > "$T/sub/bin/lcfoo"
	run -1 sh tests/lint.sh "$T/sub" --options /dev/null
	assert_output --partial "lcfoo merge --output takes DIR but lcfoo takes FILE"
}

@test "default text field: passage_text when the record has it, else text (lctok, lcsplit, lcompress, lcdecompose)" {
	printf '%s\n' '{"pid":"a","passage_text":"one two three four","text":"x"}' '{"pid":"b","text":"Hello world. Bye."}' > mix.jsonl
	run -0 lctok count -e cl100k_base mix.jsonl
	assert_output "$(printf '%s\n' '{"pid":"a","passage_text":"one two three four","text":"x","n_tokens":4}' '{"pid":"b","text":"Hello world. Bye.","n_tokens":5}')"
	run -0 lctok count -e cl100k_base -f text mix.jsonl
	assert_line --index 0 '{"pid":"a","passage_text":"one two three four","text":"x","n_tokens":1}'
	run -0 lctok truncate -e cl100k_base -n 2 mix.jsonl
	assert_output "$(printf '%s\n' '{"pid":"a","text":"x","passage_text":"one two"}' '{"pid":"b","text":"Hello world"}')"
	run -0 lcsplit mix.jsonl
	assert_line --index 1 --partial '"sentences":[{"start":0,"end":12,"text":"Hello world."},{"start":13,"end":17,"text":"Bye."}]'
	run -0 --separate-stderr lcdecompose -e cl100k_base --quiet --table mix.jsonl
	assert_output --partial "tokens in"
	run -0 --separate-stderr lcompress --lead --ratio 2 mix.jsonl
	assert_line --index 1 --partial '"summary_text":"Hello'
}

@test "lcompress --verbose reports the LLM client's retries (the block's --verbose, bound to lib/llm/llm)" {
	lctk_llm_setup
	llm_corpus 1
	start_llm_server --fault 500:1
	run -0 --separate-stderr lcompress --endpoint "$EP" --model m --backoff 0.01 --verbose -o s.jsonl corpus.jsonl
	[[ "$stderr" == *"retry"* ]] || fail "no retry report: $stderr"
}

@test "lctk(7)'s vocabulary tables: a program missing from a row, or a shared option without a row, fails the lint" {
	run -0 python3 "$ROOT/tests/vocabtable.py" "$BUILD" "$ROOT/man/lctk.7"
	sed 's/^\(\.It Fl -seed Ta \)lcdecompose, /\1/' "$ROOT/man/lctk.7" > missing-prog.7
	if cmp -s "$ROOT/man/lctk.7" missing-prog.7; then
		fail "the fixture did not change the --seed row"
	fi
	run -1 python3 "$ROOT/tests/vocabtable.py" "$BUILD" missing-prog.7
	assert_output --partial "--seed is taken by lcdecompose"
	grep -v '^\.It Fl -report Ta' "$ROOT/man/lctk.7" > missing-row.7
	run -1 python3 "$ROOT/tests/vocabtable.py" "$BUILD" missing-row.7
	assert_output --partial "--report (lcbatch"
}

@test "--model's help names no option a program lacks: lcretrieve has no -m/--model-file" {
	run -0 lcretrieve --help
	assert_line --regexp '^ +--model NAME +LLM: model name'
	refute_output --partial -- "-m/--model-file"
	refute_output --partial -- "--model-file"
	run -2 lcretrieve -m x
}
