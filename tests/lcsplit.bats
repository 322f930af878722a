#!/usr/bin/env bats
load helpers
setup() { lctk_setup; }

@test "lcsplit splits a LOFT record and keeps its fields" {
	echo '{"pid":"1","title_text":"T","passage_text":"Dr. Smith came. He left at 3.30 p.m. today! Done"}' > c.jsonl
	run lcsplit c.jsonl
	assert_success
	assert_output '{"pid":"1","title_text":"T","passage_text":"Dr. Smith came. He left at 3.30 p.m. today! Done","sentences":[{"start":0,"end":15,"text":"Dr. Smith came."},{"start":16,"end":43,"text":"He left at 3.30 p.m. today!"},{"start":44,"end":48,"text":"Done"}]}'
}

@test "lcsplit offsets are code points by default, bytes with --bytes" {
	printf 'Über alles. Ça va.\n' > t.txt
	run lcsplit --text t.txt
	assert_success
	assert_output '{"line":1,"sentences":[{"start":0,"end":11,"text":"Über alles."},{"start":12,"end":18,"text":"Ça va."}]}'
	run -0 lcsplit --text --bytes t.txt
	assert_output '{"line":1,"sentences":[{"start":0,"end":12,"text":"Über alles."},{"start":13,"end":20,"text":"Ça va."}]}'
}

@test "lcsplit: lists, quotes and empty passages" {
	printf '%s\n' '{"pid":"a","passage_text":"Steps:\n- mix\n- bake\nHe said \"Go.\" Then ate."}' '{"pid":"b","passage_text":""}' > c.jsonl
	run lcsplit -t s c.jsonl
	assert_success
	assert_line --index 0 --partial '"s":[{"start":0,"end":6,"text":"Steps:"},{"start":7,"end":12,"text":"- mix"},{"start":13,"end":19,"text":"- bake"},{"start":20,"end":33,"text":"He said \"Go.\""},{"start":34,"end":43,"text":"Then ate."}]'
	assert_line --index 1 '{"pid":"b","passage_text":"","s":[]}'
}

@test "lcsplit: bad JSON names file and line, no stdout, no -o file" {
	printf '%s\n' '{"pid":"1","passage_text":"ok."}' '{oops' > c.jsonl
	run lcsplit -o out.jsonl c.jsonl
	assert_failure 1
	assert_output --partial 'c.jsonl:2'
	assert_no_file out.jsonl
	run lcsplit --skip-bad c.jsonl
	assert_success
	assert_line --index 0 --partial '"sentences":[{"start":0,"end":3,"text":"ok."}]'
	assert_line --index 1 --partial 'skipped 1 bad record'
}

@test "lcsplit: missing field is an error naming it" {
	echo '{"pid":"1"}' > c.jsonl
	run lcsplit c.jsonl
	assert_failure 1
	assert_output --partial passage_text
}

@test "lcsplit: bad usage exits 2" {
	run lcsplit --nope
	assert_failure 2
}

@test "lcsplit on LOFT scifact: offsets reproduce each sentence" {
	need_shared data/loft/scifact/corpus.jsonl
	run bash -o pipefail -c "lcsplit '$SHARED/data/loft/scifact/corpus.jsonl' | python3 -c '
import json,sys
n=0
for l in sys.stdin:
    r=json.loads(l); t=r[\"passage_text\"]
    for s in r[\"sentences\"]:
        assert t[s[\"start\"]:s[\"end\"]]==s[\"text\"]; n+=1
print(n)'"
	assert_success
	[ "$output" -gt 1500 ]
}

@test "lcsplit: CJK closing brackets end the sentence they close; Unicode white space separates and is trimmed" {
	printf '「これは文。」次の文。\n（注。）次。\n' > cjk.txt
	run -0 lcsplit --text cjk.txt
	assert_line --index 0 '{"line":1,"sentences":[{"start":0,"end":7,"text":"「これは文。」"},{"start":7,"end":11,"text":"次の文。"}]}'
	assert_line --index 1 '{"line":2,"sentences":[{"start":0,"end":4,"text":"（注。）"},{"start":4,"end":6,"text":"次。"}]}'
	# no-break space (U+00A0) and ideographic space (U+3000): between sentences, never inside one
	printf 'One. \xc2\xa0Two.\xc2\xa0\nHi.\xe3\x80\x80Next.\n' > ws.txt
	run -0 lcsplit --text ws.txt
	assert_line --index 0 '{"line":1,"sentences":[{"start":0,"end":4,"text":"One."},{"start":6,"end":10,"text":"Two."}]}'
	assert_line --index 1 '{"line":2,"sentences":[{"start":0,"end":3,"text":"Hi."},{"start":4,"end":9,"text":"Next."}]}'
}
