/* Unit tests for libcore's small modules: buf, arena, strmap, input, output, json, fdio, msort, zipdir. */
#include "arena.h"
#include "buf.h"
#include "fdio.h"
#include "gold.h"
#include "input.h"
#include "json.h"
#include "msort.h"
#include "output.h"
#include "strmap.h"
#include "trecid.h"
#include "tap.h"
#include "zipdir.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lctk-unit-XXXXXX";

static char *write_tmp(const char *name, const char *data, size_t n)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	return path;
}

static void test_buf(void)
{
	lc_buf b = {0};
	lc_buf_adds(&b, "abc");
	lc_buf_printf(&b, "-%d-", 42);
	for (int i = 0; i < 1000; i++)
		lc_buf_addc(&b, 'x');
	ok(b.len == 1007 && !strncmp(b.p, "abc-42-x", 8) && b.p[b.len] == 0, "buf appends and stays NUL-terminated");
	lc_buf_free(&b);
}

static void test_strmap(void)
{
	lc_strmap m = {0};
	int is_new;
	char key[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "doc%d", i);
		lc_strmap_intern(&m, key, strlen(key), &is_new);
	}
	ok(lc_strmap_count(&m) == 10000, "strmap holds 10000 keys");
	ok(lc_strmap_intern(&m, "doc77", 5, &is_new) == 77 && !is_new, "strmap interns to the same id");
	ok(lc_strmap_find(&m, "nope", 4) == -1, "strmap find misses");
	is_str(lc_strmap_str(&m, 9999), "doc9999", "strmap returns keys");
	lc_strmap_free(&m);
}

static int count_lines(const char *path, const char *glob, char *last, long *lastno, lc_err *e)
{
	lc_input *in = lc_input_open(path, glob, e);
	if (!in)
		return -1;
	char *line;
	size_t len;
	int n = 0, r;
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		n++;
		strcpy(last, line);
		*lastno = lc_input_lineno(in);
	}
	lc_input_close(in);
	return r < 0 ? -1 : n;
}

static void test_input(void)
{
	char last[256];
	long no = 0;
	lc_err e = {0};
	char *p = write_tmp("a.txt", "one\r\ntwo\n\nfour", 14);
	ok(count_lines(p, NULL, last, &no, &e) == 4 && !strcmp(last, "four") && no == 4,
	   "plain file: CRLF stripped, missing final newline, empty line kept");
	p = write_tmp("empty.txt", "", 0);
	ok(count_lines(p, NULL, last, &no, &e) == 0, "empty file has no lines");
	/* gzip of "x\ny\n" (its CRC-32 is checked: 0x9c70f918) */
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0xe0,
	                                    0xaa, 0xe4, 0x02, 0x00, 0x18, 0xf9, 0x70, 0x9c, 0x04, 0x00, 0x00, 0x00 };
	p = write_tmp("b.gz", (const char *)gz, sizeof gz);
	ok(count_lines(p, NULL, last, &no, &e) == 2 && !strcmp(last, "y"), "gzip input read transparently");
	p = write_tmp("t.gz", (const char *)gz, 12);
	ok(count_lines(p, NULL, last, &no, &e) == -1, "truncated gzip is an error: %s", e.msg);
	ok(lc_input_open(tmpdir, NULL, &e) == NULL && strstr(e.msg, "directory"), "a directory is refused");
	ok(lc_input_open("/nonexistent/x", NULL, &e) == NULL && strstr(e.msg, "No such file"), "missing file");
	/* unget: the line just read comes back once, with its line number */
	p = write_tmp("u.txt", "first\nsecond\n", 13);
	lc_input *in = lc_input_open(p, NULL, &e);
	char *line;
	size_t len;
	ok(lc_input_getline(in, &line, &len, &e) == 1 && !strcmp(line, "first"), "unget: first line read");
	lc_input_unget(in);
	ok(lc_input_getline(in, &line, &len, &e) == 1 && !strcmp(line, "first") && len == 5 && lc_input_lineno(in) == 1,
	   "unget: the same line again, line 1");
	ok(lc_input_getline(in, &line, &len, &e) == 1 && !strcmp(line, "second") && lc_input_lineno(in) == 2,
	   "unget: then the next line");
	ok(lc_input_getline(in, &line, &len, &e) == 0, "unget: then the end");
	lc_input_close(in);
}

static void test_output(void)
{
	char path[600];
	snprintf(path, sizeof path, "%s/out.txt", tmpdir);
	lc_output *o = lc_output_open(path);
	lc_output_printf(o, "hello %d\n", 1);
	ok(access(path, F_OK) != 0, "output not visible before commit");
	lc_output_commit(o);
	char last[256];
	long no;
	lc_err e = {0};
	ok(count_lines(path, NULL, last, &no, &e) == 1 && !strcmp(last, "hello 1"), "committed output readable");
	snprintf(path, sizeof path, "%s/out.txt.gz", tmpdir);
	o = lc_output_open(path);
	for (int i = 0; i < 100000; i++)
		lc_output_printf(o, "line %d\n", i);
	lc_output_commit(o);
	ok(count_lines(path, NULL, last, &no, &e) == 100000 && !strcmp(last, "line 99999"), "gzip output round trip");
	snprintf(path, sizeof path, "%s/aborted.txt", tmpdir);
	o = lc_output_open(path);
	lc_output_puts(o, "x");
	lc_output_abort(o);
	ok(access(path, F_OK) != 0, "aborted output leaves nothing");
	/* -o /dev/null must write into the device, not rename a file over it */
	struct stat st;
	if (stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)) {
		o = lc_output_open("/dev/null");
		lc_output_puts(o, "discarded\n");
		lc_output_commit(o);
		ok(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "-o /dev/null leaves the device in place");
	} else {
		ok(1, "# SKIP /dev/null is not a character device here");
	}
}

static void test_json(void)
{
	lc_err e = {0};
	json_t *v = lc_json_parse_object("{\"pid\": 7, \"t\": \"a\"}", 20, "f:1", &e);
	lc_buf b = {0};
	ok(v && !strcmp(lc_json_id(json_object_get(v, "pid"), &b, "pid", "f:1", &e), "7"), "integer id rendered");
	ok(!lc_json_str(v, "pid", "f:1", &e) && strstr(e.msg, "field 'pid': expected a string, got number"),
	   "type error names the field");
	json_decref(v);
	ok(!lc_json_parse_object("{\"a\":", 5, "f:2", &e) && !strncmp(e.msg, "f:2:", 4), "syntax error has position: %s", e.msg);
	lc_buf_reset(&b);
	lc_json_quote(&b, "a\"b\\\n\x01", 6);
	is_str(b.p, "\"a\\\"b\\\\\\n\\u0001\"", "quote escapes");
	lc_buf_reset(&b);   /* ids lceval keeps byte for byte: JSON stays UTF-8, U+FFFD per bad byte */
	lc_json_quote(&b, "q\xff\xc3\xa9\xe2\x82x\xef\xbf\xbd", 10);
	is_str(b.p, "\"q\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbd\"", "quote repairs bytes that are not UTF-8");
	lc_buf_free(&b);
}

/* lc_write_all / lc_pwrite_all: whole buffers, at offsets, and the device-full error */
static void test_fdio(void)
{
	char path[600], got[32] = { 0 };
	snprintf(path, sizeof path, "%s/fdio", tmpdir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0, "fdio: open");
	ok(lc_write_all(fd, "hello world", 11) == 0, "lc_write_all writes");
	ok(lc_pwrite_all(fd, "W", 1, 6) == 0, "lc_pwrite_all writes at an offset");
	ok(lc_write_all(fd, "!", 1) == 0, "lc_pwrite_all leaves the file position alone");
	ok(pread(fd, got, sizeof got - 1, 0) == 12, "fdio: 12 bytes");
	is_str(got, "hello World!", "fdio: the bytes");
	close(fd);
	int full = open("/dev/full", O_WRONLY);
	if (full >= 0) {
		errno = 0;
		ok(lc_write_all(full, "x", 1) < 0 && errno == ENOSPC, "lc_write_all: a full device is -1 with ENOSPC");
		close(full);
	}
}

struct keyed { int key, seq; };

static int cmp_key(const void *a, const void *b, void *arg)
{
	const struct keyed *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

/* "a and b equal unless 2 or more apart" is not a total order: what a sort makes of
 * it depends on the algorithm (trec_eval's int-truncated gain differences) */
static int cmp_far(const void *a, const void *b, void *arg)
{
	int d = *(const int *)a - *(const int *)b;
	return d >= 2 ? 1 : d <= -2 ? -1 : 0;
}

static void test_msort(void)
{
	/* sorted and stable: equal keys keep their input order, for every length to 40 */
	int bad = 0;
	unsigned r = 7;
	for (int n = 0; n <= 40; n++) {
		struct keyed a[40], tmp[40];
		for (int i = 0; i < n; i++) {
			r = r * 1103515245 + 12345;
			a[i].key = (int)(r >> 16) % 5;
			a[i].seq = i;
		}
		lc_msort(a, (size_t)n, sizeof *a, tmp, cmp_key, NULL);
		for (int i = 1; i < n; i++)
			if (a[i - 1].key > a[i].key || (a[i - 1].key == a[i].key && a[i - 1].seq > a[i].seq))
				bad++;
	}
	ok(bad == 0, "msort: sorted and stable at lengths 0-40");
	/* glibc's merge order on a comparator that is not a total order: [2 0 1 3] splits
	 * into [2 0] -> [0 2] (2-0 >= 2) and [1 3] (equal: kept); merging takes 0, then
	 * 2 vs 1 equal -> 2, then 1, 3 */
	int v[4] = { 2, 0, 1, 3 }, t[4];
	lc_msort(v, 4, sizeof *v, t, cmp_far, NULL);
	ok(v[0] == 0 && v[1] == 2 && v[2] == 1 && v[3] == 3, "msort: glibc's merge order (got %d %d %d %d)",
	   v[0], v[1], v[2], v[3]);
}

/* One "answers" entry through lc_gold_entry: 0 and pid/rel, or -1. */
static int gold(const char *json, char *pid, size_t cap, int *rel)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	lc_buf idb = {0};
	lc_err e = {0};
	const char *p;
	size_t pl;
	int r = v ? lc_gold_entry(v, 0, &idb, &p, &pl, rel, "f:1", &e) : -1;
	if (r == 0)
		snprintf(pid, cap, "%.*s", (int)pl, p);
	lc_buf_free(&idb);
	json_decref(v);
	return r;
}

static void test_gold(void)
{
	char pid[32];
	int rel = -7;
	ok(gold("[\"d1\", 2]", pid, sizeof pid, &rel) == 0 && !strcmp(pid, "d1") && rel == 2, "gold: [pid, rel]");
	ok(gold("[\" d1\\t \", \"3\"]", pid, sizeof pid, &rel) == 0 && !strcmp(pid, "d1") && rel == 3,
	   "gold: the pid stripped, rel \"3\" is 3");
	ok(gold("[\"d1\"]", pid, sizeof pid, &rel) == 0 && !strcmp(pid, "d1") && rel == 1, "gold: [pid] is rel 1");
	ok(gold("\"d1\"", pid, sizeof pid, &rel) == 0 && !strcmp(pid, "d1") && rel == 1, "gold: a bare pid is rel 1");
	ok(gold("[12, 1.0]", pid, sizeof pid, &rel) == 0 && !strcmp(pid, "12") && rel == 1, "gold: integer pid, rel 1.0");
	ok(gold("[\"d1\", 1, \"x\"]", pid, sizeof pid, &rel) == 0 && rel == 1, "gold: elements after rel ignored");
	ok(gold("[\"d1\", 1.5]", pid, sizeof pid, &rel) < 0 && gold("[\"d1\", \"1x\"]", pid, sizeof pid, &rel) < 0 &&
	   gold("[]", pid, sizeof pid, &rel) < 0 && gold("[1.5, 1]", pid, sizeof pid, &rel) < 0 &&
	   gold("[\"d1\", true]", pid, sizeof pid, &rel) < 0, "gold: 1.5, \"1x\", [], a real pid, true refused");
}

static void put_le(lc_buf *b, unsigned long long v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		lc_buf_addc(b, (char)(v >> (8 * i) & 0xff));
}

/* A zip of empty stored members named names[0..n-1], as zip(1) writes it: local
 * headers, the central directory, with zip64 the zip64 end record and its
 * locator, and the end record (its counts 0xffff then), then comment. */
static void make_zip(lc_buf *z, const char *const *names, int n, int zip64, const char *comment)
{
	size_t off[8];
	for (int i = 0; i < n; i++) {
		off[i] = z->len;
		lc_buf_add(z, "PK\3\4", 4);
		put_le(z, 10, 2), put_le(z, 0, 2), put_le(z, 0, 2), put_le(z, 0, 4), put_le(z, 0, 4);
		put_le(z, 0, 4), put_le(z, 0, 4), put_le(z, strlen(names[i]), 2), put_le(z, 0, 2);
		lc_buf_adds(z, names[i]);
	}
	size_t dir = z->len;
	for (int i = 0; i < n; i++) {
		lc_buf_add(z, "PK\1\2", 4);
		put_le(z, 20, 2), put_le(z, 10, 2), put_le(z, 0, 2), put_le(z, 0, 2), put_le(z, 0, 4);
		put_le(z, 0, 4), put_le(z, 0, 4), put_le(z, 0, 4), put_le(z, strlen(names[i]), 2);
		put_le(z, 3, 2), put_le(z, 0, 2), put_le(z, 0, 2), put_le(z, 0, 2), put_le(z, 0, 4);
		put_le(z, off[i], 4);
		lc_buf_adds(z, names[i]);
		lc_buf_add(z, "xyz", 3);   /* an extra field the walk must step over */
	}
	size_t dir_len = z->len - dir;
	if (zip64) {
		size_t rec = z->len;
		lc_buf_add(z, "PK\6\6", 4);
		put_le(z, 44, 8), put_le(z, 45, 2), put_le(z, 45, 2), put_le(z, 0, 4), put_le(z, 0, 4);
		put_le(z, (unsigned)n, 8), put_le(z, (unsigned)n, 8), put_le(z, dir_len, 8), put_le(z, dir, 8);
		lc_buf_add(z, "PK\6\7", 4);
		put_le(z, 0, 4), put_le(z, rec, 8), put_le(z, 1, 4);
	}
	lc_buf_add(z, "PK\5\6", 4);
	put_le(z, 0, 2), put_le(z, 0, 2);
	put_le(z, zip64 ? 0xffff : (unsigned)n, 2), put_le(z, zip64 ? 0xffff : (unsigned)n, 2);
	put_le(z, dir_len, 4), put_le(z, zip64 ? 0xffffffff : dir, 4);
	put_le(z, strlen(comment), 2);
	lc_buf_adds(z, comment);
}

/* The names the directory lists, joined by ','. */
static const char *dir_names(const lc_zipdir *d)
{
	static char out[256];
	const char *nm;
	size_t n, pos = 0;
	out[0] = 0;
	while (lc_zipdir_next(d, &pos, &nm, &n))
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%.*s", *out ? "," : "", (int)n, nm);
	return out;
}

/* lc_trec_number: the whole field is one number (what --finite readers demand),
 * beside lc_trec_atof's atof value of it */
static void test_trec_number(void)
{
	static const struct { const char *s; int whole; double v; } c[] = {
		{ "3", 1, 3 }, { "-2.5e-1", 1, -0.25 }, { "+3", 1, 3 }, { ".5", 1, 0.5 }, { "5.", 1, 5 },
		{ "0x1p2", 1, 4 }, { "12abc", 0, 12 }, { "xyz", 0, 0 }, { "1e", 0, 1 }, { "", 0, 0 },
		{ " 1", 0, 1 }, { "1 ", 0, 1 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double v = -1;
		int w = lc_trec_number(c[i].s, strlen(c[i].s), &v);
		ok(w == c[i].whole && v == c[i].v && lc_trec_atof(c[i].s, strlen(c[i].s)) == c[i].v,
		   "lc_trec_number('%s') = %d, %g", c[i].s, w, v);
	}
	double v;
	ok(lc_trec_number("nan", 3, &v) && isnan(v), "lc_trec_number(nan): a number, not finite");
	ok(lc_trec_number("1e400", 5, &v) && isinf(v), "lc_trec_number(1e400): a number, not finite");
	ok(lc_trec_number("2.5xyz", 3, &v) && v == 2.5, "lc_trec_number reads n bytes, not to a NUL");
}

static void test_zipdir(void)
{
	static const char *const names[] = { "ds/corpus.jsonl", "ds/queries.jsonl", "ds/qrels/test.tsv" };
	lc_buf z = {0};
	lc_zipdir d;
	make_zip(&z, names, 3, 0, "");
	const unsigned char *u = (const unsigned char *)z.p;
	ok(lc_zipdir_find(u, z.len, &d) == 1 && d.members == 3 && d.dir, "zipdir: the end record's count");
	is_str(dir_names(&d), "ds/corpus.jsonl,ds/queries.jsonl,ds/qrels/test.tsv", "zipdir: the names in order");
	/* only the archive's last bytes: the count, and no directory when it starts before them */
	ok(lc_zipdir_find(u + z.len - 30, 30, &d) == 1 && d.members == 3 && !d.dir && !*dir_names(&d),
	   "zipdir: a directory that starts before the tail is not walked");
	ok(lc_zipdir_find(u, 21, &d) == 0, "zipdir: fewer bytes than an end record");
	lc_buf_addc(&z, '\n');
	ok(lc_zipdir_find((const unsigned char *)z.p, z.len, &d) == 0, "zipdir: bytes after the end record: not found");
	lc_buf_reset(&z);
	make_zip(&z, names, 2, 0, "a comment PK\5\6 inside");
	ok(lc_zipdir_find((const unsigned char *)z.p, z.len, &d) == 1 && d.members == 2, "zipdir: after a comment");
	is_str(dir_names(&d), "ds/corpus.jsonl,ds/queries.jsonl", "zipdir: the names before a comment");
	lc_buf_reset(&z);
	make_zip(&z, names, 3, 1, "");
	ok(lc_zipdir_find((const unsigned char *)z.p, z.len, &d) == 1 && d.members == 3, "zipdir: zip64's count");
	is_str(dir_names(&d), "ds/corpus.jsonl,ds/queries.jsonl,ds/qrels/test.tsv", "zipdir: zip64's names");
	lc_buf_free(&z);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_buf();
	test_strmap();
	test_input();
	test_output();
	test_json();
	test_fdio();
	test_msort();
	test_gold();
	test_zipdir();
	test_trec_number();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
