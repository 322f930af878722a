#!/usr/bin/env bats
# lctok: exact ids on the conformance vectors (every mode), decode round trips,
# the subcommands, -j determinism, and bad input.
load helpers
setup() { lctk_setup; }

CHECK="$ROOT/tests/vectors/tok/check.py"

@test "vectors shipped in tests/: four tiktoken encodings, every mode, raw bytes, decode" {
	for e in cl100k_base o200k_base p50k_base r50k_base; do
		run python3 "$CHECK" "$ROOT/tests/vectors/tok/$e.jsonl" -e "$e"
		assert_success
		assert_output --partial ", 0 mismatches"
	done
}

@test "vectors shipped in tests/: HF NFC at Unicode 9.0 as tokenizers 0.22.2 (gpt-neox-20b, qwen3)" {
	need_shared vocab/hf
	for t in gpt-neox-20b qwen3; do
		run python3 "$CHECK" "$ROOT/tests/vectors/tok/hf-$t.jsonl" --tokenizer "$SHARED/vocab/hf/$t/tokenizer.json"
		assert_success
		assert_output --partial "18 lines, 0 mismatches"
	done
}

@test "vectors (../shared): tiktoken encodings, all lines and modes" {
	need_shared vectors/tok
	for e in cl100k_base o200k_base p50k_base r50k_base; do
		run python3 "$CHECK" "$SHARED/vectors/tok/$e.jsonl" -e "$e"
		assert_success
		assert_output --regexp "^[0-9]{3,} lines, 0 mismatches"
	done
}

@test "vectors (../shared): HF tokenizer.json, both add_special_tokens settings" {
	need_shared vectors/tok
	need_shared vocab/hf
	for t in llama3 llama3_1 qwen3 gpt-neox-20b; do
		run python3 "$CHECK" "$SHARED/vectors/tok/hf-$t.jsonl" --tokenizer "$SHARED/vocab/hf/$t/tokenizer.json"
		assert_success
		assert_output --regexp "^[0-9]{3,} lines, 0 mismatches"
	done
}

@test "--vocab FILE --pattern RE (PCRE2) equals the named encoding on ASCII text" {
	printf '%s\n' "Hello world, it's 2024!" "  indented   code();" > in.txt
	lctok encode --text -e r50k_base in.txt > want
	run lctok encode --text --vocab "$LCTK_DATA/vocab/r50k_base.tiktoken" \
		--pattern "'s|'t|'re|'ve|'m|'ll|'d| ?[a-zA-Z]+| ?[0-9]+| ?[^\\s a-zA-Z0-9]+|\\s+(?!\\S)|\\s+" in.txt
	assert_success
	assert_output "$(cat want)"
	assert_output --partial "15496 995 11 340 338 48609 0"
}

@test "encode/decode: known ids, and a JSONL round trip keeps other fields" {
	echo '{"pid":"7","text":"hello world"}' > a.jsonl
	run lctok encode -e cl100k_base a.jsonl
	assert_success
	assert_output '{"pid":"7","text":"hello world","ids":[15339,1917]}'
	run -0 bash -o pipefail -c 'lctok encode -e o200k_base a.jsonl | lctok decode -e o200k_base -t back'
	assert_output --partial '"back":"hello world"'
	run -0 sh -c 'printf "[15339, 1917]\n" | lctok decode --text -e cl100k_base'
	assert_output "hello world"
	# ids that split a character: U+FFFD in JSON output, the whole emoji when complete
	printf '{"ids":[9468,239]}\n{"ids":[9468,239,222]}\n' > part.jsonl
	run -0 lctok decode -e cl100k_base part.jsonl
	assert_line --index 0 "$(printf '{"ids":[9468,239],"text":"\xef\xbf\xbd"}')"
	assert_line --index 1 "$(printf '{"ids":[9468,239,222],"text":"\xf0\x9f\x91\x80"}')"
}

@test "special tokens: error names record and byte offset; --allow-special; --special-as-text" {
	printf '{"text":"ok"}\n{"text":"a <|endoftext|>"}\n' > s.jsonl
	run --separate-stderr lctok encode -e cl100k_base s.jsonl -o out.jsonl
	assert_failure 1
	[[ "$stderr" == "lctok: s.jsonl:2: special token '<|endoftext|>' at byte 2"* ]] || fail "$stderr"
	assert_no_file out.jsonl
	run -0 lctok encode -e cl100k_base --allow-special s.jsonl
	assert_line --index 1 '{"text":"a <|endoftext|>","ids":[64,220,100257]}'
	run -0 lctok encode -e cl100k_base --special-as-text s.jsonl
	assert_line --index 1 '{"text":"a <|endoftext|>","ids":[64,83739,8862,728,428,91,29]}'
	run --separate-stderr lctok encode -e cl100k_base --skip-bad s.jsonl
	assert_success
	assert_output '{"text":"ok","ids":[564]}'
	[[ "$stderr" == *"skipped 1 bad records"* ]] || fail "$stderr"
}

@test "invalid UTF-8: plain text is repaired per WHATWG; inside JSON it is a JSON error" {
	printf 'a\xffb\xe2\x82\n' > bad.txt
	run lctok encode --text -e cl100k_base bad.txt
	assert_success
	# a U+FFFD b U+FFFD
	assert_output "$(printf 'a\xef\xbf\xbdb\xef\xbf\xbd\n' | lctok encode --text -e cl100k_base)"
	printf '{"text":"a\xffb"}\n' > bad.jsonl
	run --separate-stderr lctok encode -e cl100k_base bad.jsonl
	assert_failure 1
	[[ "$stderr" == "lctok: bad.jsonl:1:"*"JSON"* ]] || fail "$stderr"
}

@test "count: per record, --total, --hist; -j 2 output identical to -j 1" {
	for i in $(seq 1 3000); do echo "{\"pid\":\"$i\",\"text\":\"passage $i has some words in it, $((i * 7)) of them\"}"; done > c.jsonl
	lctok count -e cl100k_base c.jsonl > one
	run bash -o pipefail -c 'lctok count -e cl100k_base -j 2 c.jsonl | cmp - one'
	assert_success
	total=$(python3 -c 'import json,sys; print(sum(json.loads(l)["n_tokens"] for l in open("one")))')
	run -0 lctok count -e cl100k_base --total -j 2 c.jsonl
	assert_output "$total"
	run -0 lctok count -e cl100k_base --hist c.jsonl
	assert_line --index 0 "min	max	records	tokens"
	assert_line --partial "total		3000	$total"
	lctok encode -e o200k_base c.jsonl > e1
	run bash -o pipefail -c 'lctok encode -e o200k_base -j 2 c.jsonl | cmp - e1'
	assert_success
}

@test "truncate --allow-special: a special token in the kept text stays one token" {
	printf 'hello <|endoftext|> world and more words here\n' > sp.txt
	# ids 15339 220 100257 1917 ...: four tokens keep "hello <|endoftext|> world";
	# counted as text the special string alone would take seven
	run lctok truncate -n 4 --allow-special -e cl100k_base --text sp.txt
	assert_success
	assert_output "hello <|endoftext|> world"
	run lctok truncate -n 4 -e cl100k_base --text sp.txt
	assert_failure 1
	assert_output --partial "special token '<|endoftext|>'"
}

@test "truncate: at most N tokens, valid UTF-8, on a token boundary" {
	python3 -c 'import json; print(json.dumps({"text": "naïve café — 東京都 " * 40}))' > t.jsonl
	for n in 1 2 3 5 17 50; do
		lctok truncate -e cl100k_base -n $n t.jsonl > tr.jsonl
		c=$(lctok count -e cl100k_base --total tr.jsonl)
		[ "$c" -le "$n" ] || fail "truncate -n $n gave $c tokens"
		python3 -c 'import json,sys; t=json.loads(open("tr.jsonl").read())["text"]; o=json.loads(open("t.jsonl").read())["text"]; sys.exit(0 if o.startswith(t) and t else 1)' || fail "not a prefix"
	done
}

@test "chunk: windows with overlap, offsets point into the parent text" {
	python3 -c 'import json; print(json.dumps({"pid": "d1", "title_text": "T", "text": " ".join("word%d" % i for i in range(300))}))' > d.jsonl
	run lctok chunk -e cl100k_base -n 64 --overlap 16 d.jsonl
	assert_success
	python3 - "$output" <<'PY'
import json, sys
parent = json.loads(open("d.jsonl").read())
rows = [json.loads(l) for l in sys.argv[1].splitlines()]
assert rows[0]["pid"] == "d1#0" and rows[0]["parent"] == "d1" and rows[0]["title_text"] == "T"
for k, r in enumerate(rows):
    assert r["chunk"] == k
    assert parent["text"][r["start"]:r["end"]] == r["text"], r
    assert r["n_tokens"] <= 64
assert rows[-1]["end"] == len(parent["text"])
assert rows[1]["start"] < rows[0]["end"]
PY
}

@test "HF: --add-special applies the template (Llama 3.1 BOS)" {
	need_shared vocab/hf/llama3_1
	run -0 sh -c "echo 'hello world' | lctok encode --text --tokenizer '$SHARED/vocab/hf/llama3_1/tokenizer.json' --add-special"
	assert_output "128000 15339 1917"
	run -0 sh -c "echo 'hello world' | lctok count --text --tokenizer '$SHARED/vocab/hf/llama3_1/tokenizer.json' --add-special"
	assert_output "3"
}

@test "bad input: malformed JSON, missing and non-string field, no partial -o file" {
	printf '{"text":"ok"}\n{"text": \n' > m.jsonl
	run --separate-stderr lctok encode -e cl100k_base m.jsonl -o out
	assert_failure 1
	[[ "$stderr" == "lctok: m.jsonl:2:"* ]] || fail "$stderr"
	assert_no_file out
	printf '{"body":"x"}\n' > f.jsonl
	run --separate-stderr lctok count -e cl100k_base f.jsonl
	assert_failure 1
	[[ "$stderr" == *"f.jsonl:1: field 'passage_text': expected a string, got nothing (missing)"* ]] || fail "$stderr"
	printf '{"text":5}\n' > n.jsonl
	run --separate-stderr lctok count -e cl100k_base n.jsonl
	assert_failure 1
	[[ "$stderr" == *"expected a string, got"* ]] || fail "$stderr"
}

@test "bad input: unknown encoding, corrupt vocabulary (FILE:LINE), unsupported model, ids out of range" {
	: > empty.txt
	run --separate-stderr lctok count -e cl999k_base empty.txt
	assert_failure 1
	[[ "$stderr" == *"unknown encoding 'cl999k_base'"* ]] || fail "$stderr"
	head -n 5 "$LCTK_DATA/vocab/r50k_base.tiktoken" > v.tiktoken
	echo 'not base64!! 5' >> v.tiktoken
	run --separate-stderr lctok count --vocab v.tiktoken empty.txt
	assert_failure 1
	[[ "$stderr" == "lctok: v.tiktoken:6: corrupt vocabulary"* ]] || fail "$stderr"
	echo '{"model":{"type":"Unigram","vocab":[["a",0.0]]}}' > u.json
	run --separate-stderr lctok count --tokenizer u.json empty.txt
	assert_failure 1
	[[ "$stderr" == *"model type 'Unigram' is not supported"* ]] || fail "$stderr"
	echo '{"ids":[15339,100256]}' > i.jsonl
	run --separate-stderr lctok decode -e cl100k_base i.jsonl -o out
	assert_failure 1
	[[ "$stderr" == "lctok: i.jsonl:1: token id 100256 is out of range"* ]] || fail "$stderr"
	assert_no_file out
	echo '{"ids":[999999]}' > i2.jsonl
	run lctok decode -e cl100k_base i2.jsonl
	assert_failure 1
}

@test "-e defaults to cl100k_base, as in every program" {
	printf 'Hello, world! 123 tokens\n' > t.txt
	run lctok encode -e cl100k_base --text t.txt
	assert_success
	local want=$output
	run lctok encode --text t.txt
	assert_success
	assert_output "$want"
}

@test "usage errors exit 2" {
	: > empty.txt
	run lctok count -e cl100k_base --tokenizer "$LCTK_DATA/vocab/cl100k_base.json" empty.txt
	assert_failure 2
	assert_output --partial "at most one of -e NAME, --vocab FILE or --tokenizer FILE"
	run lctok frobnicate -e cl100k_base
	assert_failure 2
	run lctok chunk -e cl100k_base -n 4 --overlap 4 empty.txt
	assert_failure 2
	run lctok truncate -e cl100k_base empty.txt
	assert_failure 2
}

@test "count -f F1,F2 joins fields with --join (default \" | \"); --overhead adds per record" {
	printf '{"pid":"1","title_text":"Whales","passage_text":"Humpback whales sing."}\n{"pid":"2","passage_text":"x","title_text":null}\n' > j.jsonl
	printf 'Whales | Humpback whales sing.\n | x\n' > want.txt
	run -0 lctok count --text -e cl100k_base want.txt
	w1=${lines[0]} w2=${lines[1]}
	run -0 lctok count -e cl100k_base -f title_text,passage_text j.jsonl
	assert_line --index 0 --partial "\"n_tokens\":$w1}"
	assert_line --index 1 --partial "\"n_tokens\":$w2}"
	printf 'Whales Humpback whales sing.\n x\n' > sp.txt
	run -0 lctok count --text -e cl100k_base sp.txt
	s1=$((${lines[0]} + 7)) s2=$((${lines[1]} + 7))
	run -0 lctok count -e cl100k_base -f title_text,passage_text --join ' ' --overhead 7 j.jsonl
	assert_line --index 0 --partial "\"n_tokens\":$s1}"
	assert_line --index 1 --partial "\"n_tokens\":$s2}"
	run -2 lctok decode -e cl100k_base -f a,b j.jsonl
	assert_output --partial "is for count and encode"
	run -2 lctok count -e cl100k_base --join x j.jsonl
	assert_output --partial "--join goes with -f F1,F2"
	printf '{"title_text":3,"passage_text":"x"}\n' > bad.jsonl
	run -1 lctok count -e cl100k_base -f title_text,passage_text bad.jsonl
	assert_output --partial "field 'title_text': expected a string"
}

@test "count --report names the field actually read: passage_text over text, text alone, the rule for a mix" {
	printf '{"passage_text": "one two three four", "text": "x"}\n{"passage_text": "five", "text": "y y y y y y"}\n' > two.jsonl
	field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["options"]["field"])' "$1"; }
	run -0 lctok count -e cl100k_base -f passage_text --total two.jsonl
	want=$output
	for j in 1 3; do
		run -0 lctok count -e cl100k_base -j $j --total --report r.json two.jsonl
		assert_output "$want"
		run -0 field r.json
		assert_output passage_text
	done
	printf '{"text": "x"}\n' > t.jsonl
	run -0 lctok count -e cl100k_base --report r.json -o /dev/null t.jsonl
	run -0 field r.json
	assert_output text
	printf '{"text": "x"}\n{"passage_text": "one"}\n' > mix.jsonl
	run -0 lctok count -e cl100k_base --report r.json -o /dev/null mix.jsonl
	run -0 field r.json
	assert_output "passage_text, else text"
	run -0 lctok count -e cl100k_base -f text --report r.json -o /dev/null two.jsonl
	run -0 field r.json
	assert_output text
}
