/* Unit tests for lib/color/candset and lib/color/pairs (lcgen pairs): the
 * candidates file read and looked up, lctk's selection rule, the rule of
 * CoLoR's released script with its ties (first shortest, last longest, by
 * characters), the deciding label, and the TRL line. */
#include "candset.h"
#include "pairs.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/lctk-pairs-XXXXXX";

/* Candidates of pid p1 (tokens differ from characters on purpose: the rules
 * measure one and the other) and one of pid p2. */
static const char *const CANDS =
	"{\"pid\":\"p1\",\"name\":\"full\",\"text\":\"aaaaaaaaaa\",\"tokens\":9}\n"
	"{\"pid\":\"p1\",\"name\":\"lead\",\"text\":\"bbb\",\"tokens\":2}\n"
	"{\"pid\":\"p1\",\"name\":\"first\",\"text\":\"\xc3\xa9\xc3\xa9\",\"tokens\":5}\n"
	"{\"pid\":\"p1\",\"name\":\"title\",\"text\":\"cccccccccc\",\"tokens\":1}\n"
	"\n"
	"{\"pid\":7,\"name\":\"full\",\"text\":\"d\",\"tokens\":1}\n"
	/* pid t: two equal short ones and two equal long ones (tokens and characters) */
	"{\"pid\":\"t\",\"name\":\"x1\",\"text\":\"xx\",\"tokens\":3}\n"
	"{\"pid\":\"t\",\"name\":\"x2\",\"text\":\"yy\",\"tokens\":3}\n"
	"{\"pid\":\"t\",\"name\":\"y1\",\"text\":\"zzzz\",\"tokens\":7}\n"
	"{\"pid\":\"t\",\"name\":\"y2\",\"text\":\"wwww\",\"tokens\":7}\n";

static size_t idx(const lc_candset *cs, const char *pid, const char *name)
{
	long k = lc_candset_find(cs, pid, name);
	return k < 0 ? (size_t)-1 : (size_t)k;
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	lc_candset cs;
	lc_err e = {0};
	ok(lc_candset_load(&cs, tap_file(dir, "c.jsonl", CANDS), &e) == 0 && cs.n == 9, "nine candidates read, the blank line skipped");
	size_t n, k = lc_candset_of(&cs, "p1", &n);
	ok(k == 0 && n == 4, "p1's candidates are v[0..4)");
	ok(lc_candset_find(&cs, "7", "full") == 4, "a numeric pid is found as its text");
	ok(lc_candset_find(&cs, "p1", "nosuch") == -1 && lc_candset_find(&cs, "p3", "full") == -1, "unknown name or pid: -1");
	lc_candset_of(&cs, "p3", &n);
	ok(n == 0, "a pid without candidates has none");

	/* lctk's rule: by tokens, each candidate's own label */
	size_t full = idx(&cs, "p1", "full"), lead = idx(&cs, "p1", "lead"), first = idx(&cs, "p1", "first"),
	       title = idx(&cs, "p1", "title");
	lc_pair p;
	lc_pair_label mixed[] = { { full, 1 }, { lead, 1 }, { first, 0 }, { title, 0 } };
	ok(lc_pair_select(&cs, mixed, 4, &p) == 1 && p.chosen == lead && p.rejected == first && p.chosen_ok && !p.rejected_ok,
	   "lctk: the shortest success (2 tokens) against the longest failure (5 tokens, not the 9-token success)");
	lc_pair_label fail[] = { { full, 0 }, { lead, 0 }, { title, 0 } };
	ok(lc_pair_select(&cs, fail, 3, &p) == 0 && p.chosen == title && p.rejected == full && !p.chosen_ok && !p.rejected_ok,
	   "lctk: all fail: the shortest against the longest, returns 0");
	lc_pair_label win[] = { { full, 1 }, { title, 1 } };
	ok(lc_pair_select(&cs, win, 2, &p) == 1 && p.chosen == title && p.rejected == full && p.chosen_ok && p.rejected_ok,
	   "lctk: all succeed: the shortest against the longest, both labels kept");

	lc_pair_label first_ok[] = { { full, 1 }, { title, 0 } };
	ok(lc_pair_select(&cs, first_ok, 2, &p) == 1 && p.chosen == full && p.rejected == title,
	   "lctk: the file's first candidate as the only success is chosen (index 0 is a candidate)");
	size_t x1 = idx(&cs, "t", "x1"), x2 = idx(&cs, "t", "x2"), y1 = idx(&cs, "t", "y1"), y2 = idx(&cs, "t", "y2");
	lc_pair_label ties[] = { { x1, 1 }, { x2, 1 }, { y1, 0 }, { y2, 0 } };
	ok(lc_pair_select(&cs, ties, 4, &p) == 1 && p.chosen == x1 && p.rejected == y1,
	   "lctk: ties in tokens go to the first of the equals, for chosen and for rejected");
	lc_pair_label tfail[] = { { x1, 0 }, { x2, 0 }, { y1, 0 }, { y2, 0 } };
	ok(lc_pair_select(&cs, tfail, 4, &p) == 0 && p.chosen == x1 && p.rejected == y1,
	   "lctk: all fail, ties: the first shortest against the first longest");
	lc_pair_label rties[] = { { y2, 0 }, { x2, 1 }, { y1, 0 }, { x1, 1 } };
	ok(lc_pair_select_released(&cs, rties, 4, NULL, &p) == 0 && p.chosen == x1 && p.rejected == y2,
	   "released: ties in characters: chosen the first of the shortest, rejected the last of the longest (file order)");

	/* the released rule: by characters, over candidate order, whatever the labels */
	/* sorted into file order: full(1) lead(0) first(1) title(0): the deciding label is title's */
	lc_pair_label rel2[] = { { title, 0 }, { first, 1 }, { full, 1 }, { lead, 0 } };
	int keep = lc_pair_select_released(&cs, rel2, 4, NULL, &p);
	ok(keep == 0, "released: the last candidate in file order (title, failed) decides: 0");
	ok(p.chosen == first && p.rejected == title,
	   "released: chosen = the shortest by characters (2 code points, 4 bytes: not lead's 3), rejected = the last of the longest (10: title after full)");
	ok(p.chosen_ok == 1 && p.rejected_ok == 0, "released: chosen and rejected carry their own labels");
	lc_pair_label rel3[] = { { lead, 0 }, { full, 1 } };
	ok(lc_pair_select_released(&cs, rel3, 2, "full", &p) == 1 && p.chosen == lead && p.rejected == full,
	   "released: --label-by full decides by full's label");
	ok(lc_pair_select_released(&cs, rel3, 2, "nosuch", &p) == -1, "released: no candidate called label_by: -1");

	/* the TRL line */
	lc_buf b = {0};
	lc_pair q = { lead, full, 1, 0 };
	lc_pair_format(&b, "Sum \"x\"", 7, "p1", "q\n1", &cs, &q);
	is_str(b.p,
	       "{\"prompt\":\"Sum \\\"x\\\"\",\"chosen\":[{\"role\":\"user\",\"content\":\"Sum \\\"x\\\"\"},{\"role\":\"assistant\",\"content\":\"bbb\"}],"
	       "\"rejected\":[{\"role\":\"user\",\"content\":\"Sum \\\"x\\\"\"},{\"role\":\"assistant\",\"content\":\"aaaaaaaaaa\"}],"
	       "\"pid\":\"p1\",\"qid\":\"q\\n1\",\"chosen_name\":\"lead\",\"rejected_name\":\"full\",\"chosen_tokens\":2,"
	       "\"rejected_tokens\":9,\"chosen_success\":true,\"rejected_success\":false}\n",
	       "the pair's line: JSON-quoted prompt, conversations, ids, names, tokens, labels");
	lc_buf_free(&b);
	lc_candset_free(&cs);

	/* errors name the line */
	lc_err e2 = {0};
	ok(lc_candset_load(&cs, tap_file(dir, "b.jsonl", "{\"pid\":\"a\",\"name\":\"x\",\"text\":\"t\",\"tokens\":1}\n"
	                                                 "{\"pid\":\"b\",\"name\":\"x\",\"text\":\"t\",\"tokens\":1}\n"
	                                                 "{\"pid\":\"a\",\"name\":\"y\",\"text\":\"t\",\"tokens\":1}\n"), &e2) < 0 &&
	   strstr(e2.msg, "b.jsonl:3: candidates of pid 'a' are not consecutive") && cs.n == 0,
	   "pid a again after b: FILE:LINE error, the set left empty (%s)", e2.msg);
	lc_err e3 = {0};
	ok(lc_candset_load(&cs, tap_file(dir, "t.jsonl", "{\"pid\":\"a\",\"name\":\"x\",\"text\":\"t\",\"tokens\":-1}\n"), &e3) < 0 &&
	   strstr(e3.msg, "t.jsonl:1: field 'tokens': expected a count"), "negative tokens refused (%s)", e3.msg);
	lc_err e4 = {0};
	ok(lc_candset_load(&cs, tap_file(dir, "m.jsonl", "{\"pid\":\"a\",\"name\":\"x\"}\n"), &e4) < 0 && strstr(e4.msg, "m.jsonl:1: missing field 'text'"),
	   "a missing text refused (%s)", e4.msg);
	lc_err e5 = {0};
	ok(lc_candset_load(&cs, "/nonexistent/c.jsonl", &e5) < 0 && e5.msg[0], "a missing file is an error (%s)", e5.msg);

	/* a read error part-way (a gzip stream cut short) is an error, not an end */
	char gz[300];
	snprintf(gz, sizeof gz, "%s/cut.jsonl.gz", dir);
	gzFile g = gzopen(gz, "wb");
	for (int i = 0; i < 2000; i++)
		gzprintf(g, "{\"pid\":\"p%d\",\"name\":\"full\",\"text\":\"text %d\",\"tokens\":2}\n", i, i * 7919);
	gzclose(g);
	struct stat st;
	lc_err e6 = {0};
	ok(stat(gz, &st) == 0 && truncate(gz, st.st_size / 2) == 0 && lc_candset_load(&cs, gz, &e6) < 0 && e6.msg[0] &&
	   cs.n == 0, "a gzip file cut in half: an error (%s)", e6.msg);
	unlink(gz);

	char path[300];
	for (const char *const *f = (const char *const[]){ "c.jsonl", "b.jsonl", "t.jsonl", "m.jsonl", NULL }; *f; f++) {
		snprintf(path, sizeof path, "%s/%s", dir, *f);
		unlink(path);
	}
	rmdir(dir);
	return done_testing();
}
