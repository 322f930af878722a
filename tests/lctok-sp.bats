#!/usr/bin/env bats
# lctok with SentencePiece-style BPE tokenizer.json files (byte_fallback: Mistral,
# Gemma 3, Gemini): exact ids and decoding against Hugging Face tokenizers on the
# conformance vectors, and a small shipped model that pins each rule down.
load helpers
setup() { lctk_setup; }

CHECK="$ROOT/tests/vectors/tok/check.py"
TINY="$ROOT/tests/vectors/tok/sp-tiny.json"

@test "vectors (../shared): mistral, both add_special_tokens settings, ids and decode" {
	need_shared vectors/tok/hf-mistral.jsonl
	run python3 "$CHECK" "$SHARED/vectors/tok/hf-mistral.jsonl" --tokenizer "$SHARED/vocab/hf/mistral/tokenizer.json"
	assert_success
	assert_output --regexp "^[0-9]{3,} lines, 0 mismatches"
}

@test "vectors (../shared): gemma3 and gemini (262k and 256k entries)" {
	need_shared vectors/tok/hf-gemma3.jsonl
	# each load parses a 17-33 MB tokenizer.json: minutes under valgrind, and the
	# code they exercise is the one the mistral and tiny-model tests cover
	[ -z "${LCTK_VALGRIND:-}" ] || skip "262k-entry vocabularies are too slow to load under valgrind"
	for t in gemma3 gemini; do
		run python3 "$CHECK" "$SHARED/vectors/tok/hf-$t.jsonl" --tokenizer "$SHARED/vocab/hf/$t/tokenizer.json"
		assert_success
		assert_output --regexp "^[0-9]{3,} lines, 0 mismatches"
	done
}

@test "tiny model: prepend per piece, merges across words, byte fallback, <s> splits first" {
	printf 'ab ab\nx\n\xe2\x82\xac\n<s>ab\n\n' > in.txt
	run lctok encode --text --allow-special --tokenizer "$TINY" in.txt
	assert_success
	# "▁ab▁ab": (▁,a) twice, then (▁a,b) twice; "x" is not in the vocab: <0x78>;
	# "€" is three byte tokens; the piece after <s> gets its own "▁"; "" gets nothing
	assert_output "$(printf '264 264\n259 123\n259 229 133 175\n1 264\n')"
}

@test "tiny model: --add-special prepends <s>, count agrees with encode" {
	printf 'ab ab\n' > in.txt
	run lctok encode --text --add-special --tokenizer "$TINY" in.txt
	assert_success
	assert_output "1 264 264"
	run lctok count --text --tokenizer "$TINY" in.txt
	assert_success
	assert_output "2"
}

@test "tiny model: decode strips one leading space, fuses byte tokens, U+FFFD per broken byte" {
	printf '[264, 264]\n[259, 229, 133, 175]\n[229, 133]\n[1, 264]\n' > ids.txt
	run lctok decode --text --tokenizer "$TINY" ids.txt
	assert_success
	assert_line --index 0 "ab ab"
	assert_line --index 1 "€"
	assert_line --index 2 "$(printf '\xef\xbf\xbd\xef\xbf\xbd')"
	assert_line --index 3 "<s> ab"
}

@test "tiny model: special token text is refused by default, as with tiktoken" {
	printf '<s>ab\n' > in.txt
	run lctok encode --text --tokenizer "$TINY" in.txt
	assert_failure 1
	assert_output --partial "special token '<s>'"
}

@test "unsupported SentencePiece variants are refused naming what is missing" {
	python3 - "$TINY" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = dict(d); m["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
json.dump(m, open("meta.json", "w"))
w = dict(d); w["model"] = {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "a"}
json.dump(w, open("wp.json", "w"))
r = dict(d); r["decoder"] = {"type": "CTC"}
json.dump(r, open("ctc.json", "w"))
PY
	echo a > in.txt
	run lctok encode --text --tokenizer meta.json in.txt
	assert_failure 1
	assert_output --partial "Metaspace pre_tokenizer is not supported"
	run lctok encode --text --tokenizer wp.json in.txt
	assert_failure 1
	assert_output --partial "model type 'WordPiece' is not supported"
	run lctok encode --text --tokenizer ctc.json in.txt
	assert_failure 1
	assert_output --partial "decoder 'CTC' is not supported"
}

@test "1 MB of one letter and 1 MB of prose without spaces: one piece each, decode gives the input back" {
	need_shared vocab/hf/mistral/tokenizer.json
	M="$SHARED/vocab/hf/mistral/tokenizer.json"
	python3 -c "print('a' * 1000000)" > a.txt
	python3 -c "
import itertools
w = 'thequickbrownfoxjumpsoverthelazydog'
print(''.join(itertools.islice(itertools.cycle(w), 1000000)))" > p.txt
	for f in a.txt p.txt; do
		lctok encode --text --tokenizer "$M" "$f" > ids.txt
		n=$(wc -w < ids.txt)
		[ "$n" -gt 1000 ] || fail "$f: only $n tokens"
		[ "$n" -lt 1000001 ] || fail "$f: $n tokens, no merges happened"
		printf '[%s]\n' "$(tr ' ' ',' < ids.txt)" | lctok decode --text --tokenizer "$M" > back.txt
		cmp back.txt "$f" || fail "$f: decode(encode(x)) differs from x"
	done
}
