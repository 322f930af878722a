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

@test "tiny model: chunk spans count the decoded text (its leading space stripped), a split character widened, never past its end" {
	# ids 264 264 | 259 123 | 229 133 | 175 264: "▁ab▁ab", "▁x", the 3 bytes of "€", "▁ab";
	# the decoder strips the first space, so chunk 0 is "ab ab" (0-5), not "ab ab " (0-6);
	# windows 2 and 3 each hold part of "€" and are widened to the whole of it
	printf '{"pid":"p","text":"ab ab x\\u20ac ab"}\n{"pid":"q","text":"ab"}\n' > sp.jsonl
	run lctok chunk -n 2 --tokenizer "$TINY" -f text sp.jsonl
	assert_success
	assert_output "$(cat <<'EOF2'
{"pid":"p#0","parent":"p","chunk":0,"start":0,"end":5,"n_tokens":2,"text":"ab ab"}
{"pid":"p#1","parent":"p","chunk":1,"start":5,"end":7,"n_tokens":2,"text":" x"}
{"pid":"p#2","parent":"p","chunk":2,"start":7,"end":8,"n_tokens":2,"text":"€"}
{"pid":"p#3","parent":"p","chunk":3,"start":7,"end":11,"n_tokens":2,"text":"€ ab"}
{"pid":"q#0","parent":"q","chunk":0,"start":0,"end":2,"n_tokens":1,"text":"ab"}
EOF2
)"
}

# Compares lctok's output records (FILE) with the nq passages they came from:
# "spans" counts chunks whose text is not their parent's at [start, end), "prefixes"
# records whose text is not a prefix of their passage's.  Prints "N records, M bad".
nq_check() {
	python3 - "$1" "$SHARED/data/loft/nq/corpus.jsonl" "$2" <<'PY'
import json, sys
mode, corpus, out = sys.argv[1:4]
text = {}
for line in open(corpus, encoding="utf-8"):
    d = json.loads(line)
    text[d["pid"]] = d["passage_text"]
n = bad = 0
for line in open(out, encoding="utf-8"):
    r = json.loads(line)
    n += 1
    if mode == "spans":
        bad += text[r["parent"]][r["start"]:r["end"]] != r["passage_text"]
    else:
        bad += not text[r["pid"]].startswith(r["passage_text"])
print("%d records, %d bad" % (n, bad))
PY
}

@test "vectors (../shared): mistral and gemma3 chunks of LOFT passages are the parent's text at [start, end)" {
	need_shared data/loft/nq/corpus.jsonl
	need_shared vocab/hf/mistral/tokenizer.json
	[ -z "${LCTK_VALGRIND:-}" ] || skip "262k-entry vocabularies are too slow to load under valgrind"
	for t in mistral gemma3; do
		lctok chunk -n 16 --overlap 4 --tokenizer "$SHARED/vocab/hf/$t/tokenizer.json" -f passage_text \
			"$SHARED/data/loft/nq/corpus.jsonl" > chunks.jsonl
		run nq_check spans chunks.jsonl
		assert_success
		assert_output --regexp "^[0-9]{4,} records, 0 bad$"
	done
}

@test "vectors (../shared): gemma3 truncate cuts before a character its byte tokens spell in part, never into a U+FFFD" {
	need_shared data/loft/nq/corpus.jsonl
	need_shared vocab/hf/gemma3/tokenizer.json
	[ -z "${LCTK_VALGRIND:-}" ] || skip "262k-entry vocabularies are too slow to load under valgrind"
	# nq's doc14520 is "The crown is 30\u00a0cm ...": the 7th token is the first of
	# the two byte tokens of U+00A0; decoding 7 ids alone gives "The crown is 30\ufffd"
	for n in 7 33; do
		lctok truncate -n $n --tokenizer "$SHARED/vocab/hf/gemma3/tokenizer.json" -f passage_text \
			"$SHARED/data/loft/nq/corpus.jsonl" > cut.jsonl
		run nq_check prefixes cut.jsonl
		assert_success
		assert_output "939 records, 0 bad"
	done
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

@test "word cut: a token with a letter before \"▁\" keeps the merge across words (no cut there)" {
	# "b▁" is a token and (b, ▁) the first merge: "▁ab▁ab" must become ▁a b▁ ab
	# (262 266 263), not two independently merged words (264 264)
	python3 - "$TINY" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["model"]["vocab"]["b\u2581"] = 266
d["model"]["merges"] = ["b \u2581"] + d["model"]["merges"]
json.dump(d, open("glue.json", "w"))
PY
	printf 'ab ab\nab\n' > in.txt
	run lctok encode --text --tokenizer glue.json in.txt
	assert_success
	assert_output "$(printf '262 266 263\n264\n')"
	run lctok encode --text --tokenizer "$TINY" in.txt
	assert_success
	assert_output "$(printf '264 264\n264\n')"
}

@test "cache: written under LCTK_CACHE, reused (file not rewritten), same ids; LCTK_NO_CACHE writes nothing" {
	cp "$TINY" tiny.json
	printf 'ab ab\nx\n\xe2\x82\xac\n' > in.txt
	want=$(LCTK_NO_CACHE=1 lctok encode --text --tokenizer tiny.json in.txt)
	[ -z "$(ls -A "$XDG_CACHE_HOME" 2>/dev/null)" ] || fail "LCTK_NO_CACHE=1 wrote $(ls -A "$XDG_CACHE_HOME")"
	export LCTK_CACHE="$T/c"
	run lctok encode --text --tokenizer tiny.json in.txt
	assert_success
	assert_output "$want"
	ls c/tok-*.v1.bin c/ref-* > /dev/null || fail "no cache files: $(ls c)"
	ino=$(stat -c %i c/tok-*.v1.bin)
	run lctok encode --text --tokenizer tiny.json in.txt
	assert_success
	assert_output "$want"
	[ "$(stat -c %i c/tok-*.v1.bin)" = "$ino" ] || fail "a warm load rewrote the cache file"
	run lctok count --text --tokenizer tiny.json in.txt
	assert_success
	assert_output "$(printf '2\n2\n4\n')"
}

@test "cache: default directory is XDG_CACHE_HOME/lctk; a changed tokenizer.json gets its own entry" {
	cp "$TINY" tiny.json
	echo 'ab ab' > in.txt
	run lctok encode --text --tokenizer tiny.json in.txt
	assert_success
	assert_output "264 264"
	[ "$(ls "$XDG_CACHE_HOME"/lctk/tok-*.v1.bin | wc -l)" -eq 1 ] || fail "$(ls -R "$XDG_CACHE_HOME")"
	python3 - <<'PY'
import json
d = json.load(open("tiny.json"))
d["model"]["merges"] = d["model"]["merges"][:1]
json.dump(d, open("tiny.json", "w"))
PY
	run lctok encode --text --tokenizer tiny.json in.txt
	assert_success
	assert_output "262 261 262 261"
	[ "$(ls "$XDG_CACHE_HOME"/lctk/tok-*.v1.bin | wc -l)" -eq 2 ] || fail "$(ls -R "$XDG_CACHE_HOME")"
}

@test "cache: corrupt, truncated and foreign-version files are ignored and rebuilt" {
	cp "$TINY" tiny.json
	export LCTK_CACHE="$T/c"
	printf 'ab ab\nx\n' > in.txt
	want=$(lctok encode --text --tokenizer tiny.json in.txt)
	f=$(ls c/tok-*.v1.bin)
	cp "$f" good.bin
	for how in flip truncate version empty; do
		python3 - "$f" "$how" <<'PY'
import sys
f, how = sys.argv[1], sys.argv[2]
b = bytearray(open(f, "rb").read())
if how == "flip": b[len(b) // 2] ^= 0x40
elif how == "truncate": b = b[: len(b) - 100]
elif how == "version": b[8] ^= 0x02
else: b = b""
open(f, "wb").write(b)
PY
		run lctok encode --text --tokenizer tiny.json in.txt
		assert_success
		assert_output "$want"
		cmp "$f" good.bin || fail "$how: cache file not rebuilt"
	done
	echo garbage > c/ref-*
	run lctok encode --text --tokenizer tiny.json in.txt
	assert_success
	assert_output "$want"
	grep -q '^LCTKREF1 [0-9a-f]\{64\}$' c/ref-* || fail "ref file not rewritten: $(cat c/ref-*)"
}

@test "cache: a cache directory that cannot be created is no error (and no message)" {
	cp "$TINY" tiny.json
	echo x > blocker
	printf 'ab ab\n' > in.txt
	LCTK_CACHE="$T/blocker/sub" lctok encode --text --tokenizer tiny.json in.txt > out.txt 2> err.txt ||
		fail "exit $?: $(cat err.txt)"
	[ ! -s err.txt ] || fail "stderr: $(cat err.txt)"
	[ "$(cat out.txt)" = "264 264" ] || fail "ids: $(cat out.txt)"
}

@test "cache: gemma3 from the cache gives the ids the parser gives" {
	need_shared vocab/hf/gemma3/tokenizer.json
	[ -z "${LCTK_VALGRIND:-}" ] || skip "262k-entry vocabularies are too slow to load under valgrind"
	G="$SHARED/vocab/hf/gemma3/tokenizer.json"
	printf 'Hello world, the   quick brown fox.\n  indented\tcode()\n\xc3\xa9t\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80\n' > in.txt
	want=$(LCTK_NO_CACHE=1 lctok encode --text --tokenizer "$G" in.txt)
	export LCTK_CACHE="$T/c"
	lctok encode --text --tokenizer "$G" in.txt > cold.txt
	run lctok encode --text --tokenizer "$G" in.txt
	assert_success
	assert_output "$want"
	[ "$(cat cold.txt)" = "$want" ] || fail "cold load differs"
}
