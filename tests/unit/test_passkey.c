/* Unit tests for lib/eval/passkey: the key-matching rule, the depth of the key
 * (from the prompt or a "depth" field) and its bins, the answer forms and their
 * errors, and the counts per length, depth and cell. */
#include "passkey.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/lctk-passkey-XXXXXX";


static int match(const char *answer, const char *key)
{
	return lc_passkey_match(answer, strlen(answer), key);
}

/* Probe lines: p1 key 42 at byte 10 of 12 (depth 83), p2 depth 0.3, p3 depth 1, p4 key at 0. */
static const char probes[] =
	"{\"id\": \"p1\", \"length\": 400, \"answer\": \" 42 \", \"prompt\": \"x 142 424 42\"}\n"
	"{\"id\": \"p2\", \"length\": 100, \"answer\": 7, \"depth\": 0.3}\n"
	"\n"
	"{\"id\": 3, \"length\": 400, \"answer\": \"Blue\", \"depth\": 1}\n"
	"{\"id\": \"p4\", \"length\": 100, \"answer\": \"9\", \"prompt\": \"9 is the key\"}\n";

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	ok(match("The pass key is 12345.", "12345"), "key in a sentence");
	ok(match("12345", "12345") && match("a12345b", "12345"), "whole answer; letters are not digits");
	ok(!match("112345", "12345") && !match("123456", "12345"), "a longer digit run does not hold the key");
	ok(!match("12,345", "12345") && !match("", "12345") && !match("1234", "12345"), "separators, empty, short");
	ok(match("no 123456 but 12345", "12345"), "a later whole occurrence counts");
	ok(match("the word is BLUE-fox!", "blue-fox") && !match("blue fox", "blue-fox"), "text key: ASCII case ignored");

	lc_err e;
	lc_passkey_set s = {0};
	ok(lc_passkey_load(&s, tap_file(dir, "p.jsonl", probes), &e) == 0 && s.n == 4, "four probes read");
	ok(!strcmp(s.p[0].key, "42") && s.p[0].depth == 83 && s.p[0].bin == 8, "key trimmed; depth 10/12 bytes = 83 percent");
	ok(!strcmp(s.p[1].key, "7") && s.p[1].depth == 30 && s.p[1].bin == 3, "integer key; depth field 0.3 = bin 3");
	ok(!strcmp(s.p[2].id, "3") && s.p[2].depth == 100 && s.p[2].bin == 9, "integer id; depth 1 in the last bin");
	ok(s.p[3].depth == 0 && s.p[3].bin == 0, "key at the start: depth 0");

	unsigned char st[4] = {0};
	const char *a = tap_file(dir, "a.jsonl",
		"{\"id\": \"p1\", \"answer\": \"It is 42.\"}\n"
		"{\"custom_id\": \"p2\", \"response\": {\"status_code\": 500, \"body\": {}}, \"error\": null}\n"
		"{\"qid\": 3, \"response_text\": \"red\", \"pids\": null}\n"
		"{\"custom_id\": \"p2\", \"response\": {\"status_code\": 200, \"body\": {\"choices\": "
		"[{\"message\": {\"content\": \"7\"}}]}}, \"error\": null}\n");
	ok(lc_passkey_read_answers(&s, a, st, &e) == 0, "answers in three forms read");
	ok(st[0] == LC_PASSKEY_CORRECT && st[1] == LC_PASSKEY_CORRECT && st[2] == LC_PASSKEY_WRONG && st[3] == LC_PASSKEY_MISSING,
	   "correct, failed then replaced by a correct Batch result, wrong, missing");
	lc_passkey_result r;
	lc_passkey_score(&s, st, &r);
	ok(r.all.probes == 4 && r.all.correct == 2 && r.all.wrong == 1 && r.all.missing == 1 && lc_passkey_accuracy(&r.all) == 0.5,
	   "overall 2 of 4");
	ok(r.nlength == 2 && r.by_length[0].length == 100 && r.by_length[0].correct == 1 && r.by_length[0].missing == 1 &&
	   r.by_length[1].length == 400 && r.by_length[1].correct == 1 && r.by_length[1].wrong == 1, "per length, ascending");
	ok(r.ndepth == 4 && r.by_depth[0].bin == 0 && r.by_depth[1].bin == 3 && r.by_depth[2].bin == 8 && r.by_depth[3].bin == 9,
	   "only bins with probes, ascending");
	ok(r.ncell == 4 && r.by_cell[0].length == 100 && r.by_cell[0].bin == 0 && r.by_cell[3].length == 400 &&
	   r.by_cell[3].bin == 9, "cells: length then bin");
	lc_passkey_result_free(&r);

	memset(st, 0, sizeof st);
	ok(lc_passkey_read_answers(&s, tap_file(dir, "u.jsonl", "{\"id\": \"p1\", \"text\": \"1\"}\n{\"id\": \"zz\", \"text\": \"1\"}\n"), st, &e) < 0 &&
	   e.code == 1 && strstr(e.msg, "u.jsonl:2: 'zz' is not a probe"), "unknown id: FILE:LINE");
	memset(st, 0, sizeof st);
	ok(lc_passkey_read_answers(&s, tap_file(dir, "d.jsonl", "{\"id\": \"p1\", \"text\": \"1\"}\n{\"id\": \"p1\", \"text\": \"2\"}\n"), st, &e) < 0 &&
	   strstr(e.msg, "d.jsonl:2: a second answer to probe 'p1'") && strstr(e.msg, "d.jsonl:1"), "two answers to one probe");
	memset(st, 0, sizeof st);
	ok(lc_passkey_read_answers(&s, tap_file(dir, "n.jsonl", "{\"id\": \"p1\", \"score\": 1}\n"), st, &e) < 0 &&
	   strstr(e.msg, "n.jsonl:1: no answer text"), "no text field");
	lc_passkey_set_free(&s);

	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "{\"id\": \"p\", \"length\": 10, \"answer\": \"5\", \"prompt\": \"no key\"}\n"), &e) < 0 &&
	   strstr(e.msg, "b.jsonl:1: the key '5' is not in the prompt"), "key not in the prompt");
	lc_passkey_set_free(&s);
	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "{\"id\": \"p\", \"length\": 10, \"answer\": \"5\"}\n"), &e) < 0 &&
	   strstr(e.msg, "b.jsonl:1: field 'prompt': expected the prompt (a string), got nothing"),
	   "neither prompt nor depth (a fuzzer find: the type of a missing field)");
	lc_passkey_set_free(&s);
	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "{\"id\": \"p\", \"length\": 0, \"answer\": \"5\", \"depth\": 0}\n"), &e) < 0 &&
	   strstr(e.msg, "field 'length'"), "length 0");
	lc_passkey_set_free(&s);
	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "{\"id\": \"p\", \"length\": 9, \"answer\": \"5\", \"depth\": 1.5}\n"), &e) < 0 &&
	   strstr(e.msg, "field 'depth'"), "depth above 1");
	lc_passkey_set_free(&s);
	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "{\"id\": \"p\", \"length\": 9, \"answer\": \"5\", \"depth\": 0}\n"
	                                      "{\"id\": \"p\", \"length\": 9, \"answer\": \"6\", \"depth\": 0}\n"), &e) < 0 &&
	   strstr(e.msg, "b.jsonl:2: probe 'p' again"), "duplicate probe id");
	lc_passkey_set_free(&s);
	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "{\"id\": \"p\", \"answer\": \"The key is 5\"}\n"), &e) < 0 &&
	   strstr(e.msg, "an answer, not a probe"), "answers given as probes");
	lc_passkey_set_free(&s);
	ok(lc_passkey_load(&s, tap_file(dir, "b.jsonl", "\n"), &e) < 0 && strstr(e.msg, "no probes found"), "empty probes file");
	lc_passkey_set_free(&s);

	const char *names[] = { "p.jsonl", "a.jsonl", "u.jsonl", "d.jsonl", "n.jsonl", "b.jsonl" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char p[256];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	return done_testing();
}
