/*
 * qrels — readers (TREC, BEIR tsv, LOFT queries) and writers for judgments.
 * See qrels.h for the formats and ownership.
 */
#include "qrels.h"
#include "run.h"
#include "trecid.h"
#include "buf.h"
#include "gold.h"
#include "input.h"
#include "json.h"
#include "mapfile.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int lc_qrels_format_from_name(const char *name)
{
	if (!strcmp(name, "auto")) return LC_QRELS_AUTO;
	if (!strcmp(name, "trec")) return LC_QRELS_TREC;
	if (!strcmp(name, "beir")) return LC_QRELS_BEIR;
	if (!strcmp(name, "loft")) return LC_QRELS_LOFT;
	if (!strcmp(name, "trec_jg")) return LC_QRELS_TREC_JG;
	if (!strcmp(name, "prefs")) return LC_QRELS_PREFS;
	if (!strcmp(name, "trec_prefs")) return LC_QRELS_TREC_PREFS;
	return -1;
}

const char *lc_qrels_format_name(int fmt)
{
	static const char *const names[] = { [LC_QRELS_AUTO] = "auto", [LC_QRELS_TREC] = "trec", [LC_QRELS_BEIR] = "beir",
	                                     [LC_QRELS_LOFT] = "loft", [LC_QRELS_TREC_JG] = "trec_jg",
	                                     [LC_QRELS_PREFS] = "prefs", [LC_QRELS_TREC_PREFS] = "trec_prefs" };
	return fmt >= 0 && (size_t)fmt < sizeof names / sizeof names[0] && names[fmt] ? names[fmt] : "?";
}

static uint32_t get_q(lc_qrels *q, const char *qid, size_t qlen)
{
	int is_new = 0;
	uint32_t id = lc_strmap_intern(&q->qids, qid, qlen, &is_new);
	if (is_new) {
		if ((q->nq & (q->nq - 1)) == 0)   /* capacity: powers of two */
			q->q = lc_xrealloc(q->q, (q->nq ? 2 * q->nq : 1) * sizeof *q->q);
		memset(&q->q[q->nq], 0, sizeof *q->q);
		q->q[q->nq].qid = lc_strmap_str(&q->qids, id);
		q->nq++;
	}
	return id;
}

/* Gives the judgment arrays' spare capacity back once a file is read. */
static void trim(lc_qrels *q)
{
	for (size_t i = 0; i < q->nq; i++)
		if (q->q[i].n && q->q[i].cap > q->q[i].n) {
			q->q[i].j = lc_xrealloc(q->q[i].j, q->q[i].n * sizeof *q->q[i].j);
			q->q[i].cap = q->q[i].n;
		}
}

static void add_judg(lc_qrels *q, uint32_t id, const char *docno, size_t dlen, long rel)
{
	lc_qrels_q *qq = &q->q[id];
	if (qq->n == qq->cap) {
		qq->cap = qq->cap ? 2 * qq->cap : 8;
		qq->j = lc_xrealloc(qq->j, qq->cap * sizeof *qq->j);
	}
	qq->j[qq->n].docno = lc_arena_strndup(&q->arena, docno, dlen);
	qq->j[qq->n].rel = rel;
	qq->n++;
	q->njudg++;
}

static void add_rec(lc_qrels *q, uint32_t id, uint32_t start, uint32_t n)
{
	if (q->nrecs == q->caprecs) {
		q->caprecs = q->caprecs ? 2 * q->caprecs : 64;
		q->recs = lc_xrealloc(q->recs, q->caprecs * sizeof *q->recs);
	}
	q->recs[q->nrecs++] = (lc_qrels_rec){ id, start, n };
}

uint32_t lc_qrels_add(lc_qrels *q, const char *qid, size_t qlen, const char *docno, size_t dlen, long rel)
{
	uint32_t id = get_q(q, qid, qlen);
	add_judg(q, id, docno, dlen, rel);
	return id;
}

void lc_qrels_recs_per_query(lc_qrels *q)
{
	q->nrecs = 0;
	for (size_t i = 0; i < q->nq; i++)
		add_rec(q, (uint32_t)i, 0, (uint32_t)q->q[i].n);
}

/* C atol() on a field: optional blanks/sign, digits, stops at the first non-digit. */
static long c_atol(const char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	long v = 0;
	while (i < n && (unsigned)(s[i] - '0') <= 9) {
		if (v > (LONG_MAX - 9) / 10)
			return neg ? LONG_MIN : LONG_MAX;   /* strtol saturates */
		v = v * 10 + (s[i] - '0');
		i++;
	}
	return neg ? -v : v;
}

/* TREC qrels; with jg (qrels_jg) each line's second field is kept as its
 * judgment's group and the judgments are grouped at the end (lc_qrels_group). */
static int read_trec(lc_qrels *q, lc_input *in, int jg, lc_err *e)
{
	lc_qrels_jgline *jl = NULL;
	size_t njl = 0, capjl = 0;
	long last = -1;
	size_t lastql = 0;
	char *line;
	size_t len;
	int r;
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		if (len > 0 && line[0] == '#')
			continue;
		lc_input_repair(in, &line, &len);
		const char *f[4];
		size_t fl[4];
		int n = lc_trec_fields(line, len, f, fl, 4);
		if (n != 4) {
			free(jl);
			return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s: malformed qrels line: expected 4 fields 'qid %s docno rel', found %d",
			                  lc_input_where(in), jg ? "jg" : "iter", n);
		}
		if (!isdigit((unsigned char)f[3][0]) && !((f[3][0] == '-' || f[3][0] == '+') && fl[3] > 1 &&
		                                          isdigit((unsigned char)f[3][1]))) {
			free(jl);
			return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s: malformed qrels line: relevance '%.*s' is not an integer",
			                  lc_input_where(in), (int)fl[3], f[3]);
		}
		long rel = c_atol(f[3], fl[3]);
		if (rel > LC_QRELS_MAX_REL) {
			free(jl);
			return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s: relevance %.*s is too large (at most %d)", lc_input_where(in), (int)fl[3], f[3],
			                  LC_QRELS_MAX_REL);
		}
		uint32_t id = last >= 0 && fl[0] == lastql && !memcmp(f[0], q->q[last].qid, fl[0])
		              ? (uint32_t)last : get_q(q, f[0], fl[0]);   /* qrels come topic by topic */
		lastql = fl[0];
		if ((long)id != last) {
			add_rec(q, id, (uint32_t)q->q[id].n, 0);
			last = id;
		}
		if (jg) {
			if (njl == capjl)
				jl = lc_xrealloc(jl, (capjl = capjl ? 2 * capjl : 64) * sizeof *jl);
			jl[njl++] = (lc_qrels_jgline){ id, (uint32_t)q->q[id].n, lc_arena_strndup(&q->arena, f[1], fl[1]) };
		}
		add_judg(q, id, f[2], fl[2], rel);
	}
	if (r == 0 && jg)
		r = lc_qrels_group(q, jl, njl, lc_input_path(in), e) < 0 ? -1 : 0;
	free(jl);
	if (r < 0)
		return -1;
	lc_qrels_recs_per_query(q);
	return 0;
}

/* The fast path of read_trec for a plain file (lc_input_is_plain): the file is
 * mapped and its lines parsed in place, with the same result as read_trec.
 * Any line read_trec would treat specially (bytes to repair: NUL, or >= 0x80
 * unless raw (lc_qrels.raw), a malformed line, an error, a record longer than --max-record) makes it give
 * up: 1 = q left empty, the caller reads with read_trec (which reports the
 * error or repairs as usual); 0 = q read. */
enum { Q_TEXT, Q_WS, Q_ODD, Q_NL };
#define QRELS_WINDOW ((size_t)2 << 20)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22   /* Linux 5.14 */
#endif
static int read_trec_mapped(lc_qrels *q, const char *path, int raw)
{
	size_t size, maxrec = lc_input_max_record();
	const char *m = lc_map_file(path, &size);
	if (!m)
		return 1;
	unsigned char cls[256];
	for (int c = 0; c < 256; c++)
		cls[c] = c == 0 || (c >= 0x80 && !raw) ? Q_ODD : c == '\n' ? Q_NL
		         : c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ? Q_WS : Q_TEXT;
	long last = -1;
	size_t lastql = 0;
	int ok = 1;
	const char *p = m, *end = m + size;
	if (size >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;   /* a UTF-8 byte order mark starts the file: not data (as lc_input_getline) */
	size_t win = 0;   /* the file is mapped a window at a time (faults in one go), */
	while (p < end && ok) {   /* and the windows parsed are dropped (peak memory) */
		if ((size_t)(p - m) >= win) {
			size_t drop = (size_t)(p - m) & ~(QRELS_WINDOW - 1);
			if (drop)
				madvise((void *)m, drop, MADV_DONTNEED);
			win = drop + QRELS_WINDOW;
			if (win > size)
				win = size;
			madvise((void *)(m + drop), win - drop, MADV_POPULATE_READ);   /* may be unsupported: then faults */
		}
		/* one pass splits the fields and finds the line end; a line that is
		 * not four plain fields goes back to read_trec whatever its length */
		const char *ls = p, *le;
		if (*p == '#') {   /* a comment (read_trec skips it before any repair) */
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			le = nl ? nl : end;
			p = nl ? nl + 1 : end;
			if (maxrec && (size_t)(le - ls) > maxrec)
				ok = 0;
			continue;
		}
		const char *f[4];
		size_t fl[4];
		int n = 0;
		const char *c = ls;
		for (;;) {
			unsigned k = Q_NL;
			while (c < end && (k = cls[(unsigned char)*c]) == Q_WS)
				c++;
			if (c >= end || k == Q_NL)
				break;
			const char *fs = c;
			while (c < end && (k = cls[(unsigned char)*c]) == Q_TEXT)
				c++;
			if (c < end && k == Q_ODD) {
				n = -1;
				break;
			}
			if (n == 4) {
				n = 5;
				break;
			}
			f[n] = fs;
			fl[n++] = (size_t)(c - fs);
		}
		if (n != 4) {   /* malformed or odd: read_trec decides */
			ok = 0;
			break;
		}
		le = c;
		p = c < end ? c + 1 : end;
		if (maxrec && (size_t)(le - ls) > maxrec) {
			ok = 0;
			break;
		}
		if ((unsigned)(f[3][0] - '0') > 9) {   /* a signed rel: read_trec decides */
			ok = 0;
			break;
		}
		long rel = c_atol(f[3], fl[3]);
		if (rel > LC_QRELS_MAX_REL) {
			ok = 0;
			break;
		}
		int same = last >= 0 && fl[0] == lastql;
		for (size_t k = 0; same && k < fl[0]; k++)   /* qids are short: no call */
			same = f[0][k] == q->q[last].qid[k];
		uint32_t id = same ? (uint32_t)last : get_q(q, f[0], fl[0]);
		lastql = fl[0];
		if ((long)id != last) {
			add_rec(q, id, (uint32_t)q->q[id].n, 0);
			last = id;
		}
		add_judg(q, id, f[2], fl[2], rel);
	}
	lc_unmap_file(m, size);
	if (!ok) {
		int format = q->format;
		lc_qrels_free(q);   /* back to the empty state read_trec starts from */
		q->format = format;
		q->raw = raw;
		return 1;
	}
	lc_qrels_recs_per_query(q);
	return 0;
}

static int read_beir(lc_qrels *q, lc_input *in, lc_err *e)
{
	int first = 1;
	char *line;
	size_t len;
	int r;
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		if (len == 0)
			continue;
		lc_input_repair(in, &line, &len);
		char *t1 = memchr(line, '\t', len);
		char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - line)) : NULL;
		if (first) {
			first = 0;
			if (len >= 8 && !memcmp(line, "query-id", 8))
				continue;
		}
		if (!t1 || !t2 || memchr(t2 + 1, '\t', len - (size_t)(t2 + 1 - line)))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: malformed BEIR qrels line: expected 3 tab-separated fields 'query-id corpus-id score'",
			                  lc_input_where(in));
		char *sc = t2 + 1;
		size_t scl = len - (size_t)(sc - line);
		char *end;
		char tmp[64];
		if (scl == 0 || scl >= sizeof tmp)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: BEIR qrels score is not an integer", lc_input_where(in));
		memcpy(tmp, sc, scl);
		tmp[scl] = 0;
		long rel = strtol(tmp, &end, 10);
		if (*end)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: BEIR qrels score '%s' is not an integer", lc_input_where(in), tmp);
		if (rel > LC_QRELS_MAX_REL)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: relevance %s is too large (at most %d)", lc_input_where(in), tmp,
			                  LC_QRELS_MAX_REL);
		if (t1 == line || t2 == t1 + 1)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: BEIR qrels line has an empty id", lc_input_where(in));
		lc_qrels_add(q, line, (size_t)(t1 - line), t1 + 1, (size_t)(t2 - t1 - 1), rel);
	}
	if (r < 0)
		return -1;
	for (size_t i = 0; i < q->nq; i++)
		add_rec(q, (uint32_t)i, 0, (uint32_t)q->q[i].n);
	return 0;
}

/* LOFT queries: each line's "answers" are its judgments, every entry read by
 * lib/core/gold (as lcretrieve reads them).  A line without answers (or with
 * null) is an error: LOFT's evaluation needs them too (a KeyError there), and a
 * query file without gold, such as BEIR's queries.jsonl, is not judgments. */
static int read_loft(lc_qrels *q, lc_input *in, lc_err *e)
{
	lc_buf idb = {0};
	int ret = 0, r;
	json_t *o;
	while ((r = lc_json_next_object(in, &o, e)) == 1) {
		const char *where = lc_input_where(in);
		json_t *qv = json_object_get(o, "qid");
		const char *qid = qv ? lc_json_id(qv, &idb, "qid", where, e) : NULL;
		if (!qid) {
			if (!qv)
				lc_err_set(e, LC_EXIT_INPUT, "%s: LOFT query line has no 'qid'", where);
			json_decref(o);
			ret = -1;
			break;
		}
		uint32_t id = get_q(q, qid, strlen(qid));
		json_t *ans = json_object_get(o, "answers");
		if (!ans || json_is_null(ans)) {
			lc_err_set(e, LC_EXIT_INPUT,
			           "%s: query '%s' has no 'answers': LOFT queries are judgments only with their gold "
			           "answers (LOFT's evaluation needs them too); give qrels that judge it (TREC, or BEIR's "
			           "qrels/test.tsv)", where, q->q[id].qid);
			json_decref(o);
			ret = -1;
			break;
		}
		if (!(ans = lc_json_array(o, "answers", "an array of [pid, rel] pairs", where, e))) {
			json_decref(o);
			ret = -1;
			break;
		}
		uint32_t start = (uint32_t)q->q[id].n;
		size_t i;
		json_t *a;
		json_array_foreach(ans, i, a) {
			const char *p;
			size_t pl;
			int rel;
			if (lc_gold_entry(a, i, &idb, &p, &pl, &rel, where, e) < 0) {
				json_decref(o);
				ret = -1;
				goto done;
			}
			if (rel > LC_QRELS_MAX_REL) {
				lc_err_set(e, LC_EXIT_INPUT, "%s: answers[%zu]: relevance %d is too large (at most %d)",
				           where, i, rel, LC_QRELS_MAX_REL);
				json_decref(o);
				ret = -1;
				goto done;
			}
			add_judg(q, id, p, pl, rel);
		}
		add_rec(q, id, start, (uint32_t)(q->q[id].n - start));
		json_decref(o);
	}
	if (r < 0)
		ret = -1;
done:
	lc_buf_free(&idb);
	return ret;
}

/* The number of white-space separated fields of a line. */
static int count_fields(const char *s, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; ) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		n++;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
	}
	return n;
}

int lc_qrels_read(lc_qrels *q, const char *path, const char *member, const char *member_option, int format,
                  lc_err *e)
{
	lc_input *in = lc_input_open_default(path, member, LC_QRELS_MEMBER, member_option, e);
	if (!in)
		return -1;
	if (q->raw)
		lc_input_keep_bytes(in);
	char *line = NULL;
	size_t len = 0;
	int have = 0;
	/* the first non-blank line decides the format (TREC reads every line) */
	int every = format == LC_QRELS_TREC || format == LC_QRELS_TREC_JG || format == LC_QRELS_PREFS ||
	            format == LC_QRELS_TREC_PREFS;
	int got = every ? lc_input_getline(in, &line, &len, e) : lc_input_getline_nonblank(in, &line, &len, e);
	if (got < 0 && !member && lc_input_no_member(in) && strcmp(lc_input_path(in), "-")) {
		/* a LOFT dataset's archive has no qrels/test.tsv: its queries.jsonl
		 * holds the answers (LOFT's evaluation reads that file) */
		lc_input_close(in);
		if (!(in = lc_input_open_default(path, NULL, LC_QRELS_LOFT_MEMBER, member_option, e)))
			return -1;
		if (q->raw)
			lc_input_keep_bytes(in);
		got = lc_input_getline_nonblank(in, &line, &len, e);
		if (got < 0 && lc_input_no_member(in))
			lc_err_set(e, LC_EXIT_INPUT,
			           "%s: no member matches '%s' (a BEIR dataset's qrels) or '%s' (a LOFT dataset's "
			           "queries); %s%s%s", path, LC_QRELS_MEMBER, LC_QRELS_LOFT_MEMBER,
			           member_option ? "name the member that holds the qrels with " : "extract the file that "
			           "holds the qrels and give it", member_option ? member_option : "",
			           member_option ? " GLOB, or extract it" : "");
	}
	if (got < 0) {
		lc_input_close(in);
		return -1;
	}
	have = got;
	if (format == LC_QRELS_AUTO) {   /* (qrels_jg is never guessed: it looks like TREC) */
		format = LC_QRELS_TREC;
		if (have) {
			size_t k = 0;
			while (k < len && isspace((unsigned char)line[k]))
				k++;
			char *t1 = memchr(line, '\t', len);
			char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - line)) : NULL;
			if (line[k] == '{')
				format = LC_QRELS_LOFT;
			else if ((len >= 8 && !memcmp(line, "query-id", 8)) ||
			         (t1 && t2 && !memchr(t2 + 1, '\t', len - (size_t)(t2 + 1 - line)) &&
			          count_fields(line, len) == 3))
				format = LC_QRELS_BEIR;   /* "1 0\tdoc\t1" (4 fields) is TREC */
		}
	}
	q->format = format;
	if (have)
		lc_input_unget(in);   /* the readers start at the sniffed line */
	int r;
	if (format == LC_QRELS_LOFT)
		r = read_loft(q, in, e);
	else if (format == LC_QRELS_BEIR)
		r = read_beir(q, in, e);
	else if (format == LC_QRELS_TREC_JG)
		r = read_trec(q, in, 1, e);
	else if (format == LC_QRELS_PREFS || format == LC_QRELS_TREC_PREFS)
		r = lc_qrels_read_prefs(q, in, format, e);
	else if (lc_input_is_plain(in) && q->nq == 0 && read_trec_mapped(q, lc_input_path(in), q->raw) == 0)
		r = 0;
	else
		r = read_trec(q, in, 0, e);
	if (r == 0) {
		lc_input_warn_repaired(in);
		trim(q);
	}
	lc_input_close(in);
	return r;
}

void lc_qrels_free(lc_qrels *q)
{
	for (size_t i = 0; i < q->nq; i++) {
		free(q->q[i].j);
		free(q->q[i].grp);
		free(q->q[i].pref);
	}
	free(q->q);
	free(q->recs);
	lc_strmap_free(&q->qids);
	lc_arena_free(&q->arena);
	memset(q, 0, sizeof *q);
}

/* Every qid and docno of q as one field of fmt, or -1 + e. */
static int ids_check(const lc_qrels *q, const char *fmt, lc_err *e)
{
	for (size_t i = 0; i < q->nq; i++) {
		if (lc_trec_id_check(q->q[i].qid, "qid", fmt, e) < 0)
			return -1;
		for (size_t k = 0; k < q->q[i].n; k++)
			if (lc_trec_id_check(q->q[i].j[k].docno, "docno", fmt, e) < 0)
				return -1;
	}
	return 0;
}

int lc_qrels_write_trec(const lc_qrels *q, lc_output *o, lc_err *e)
{
	if (ids_check(q, "TREC", e) < 0)
		return -1;
	for (size_t i = 0; i < q->nq; i++)
		for (size_t k = 0; k < q->q[i].n; k++)
			lc_output_printf(o, "%s 0 %s %ld\n", q->q[i].qid, q->q[i].j[k].docno, q->q[i].j[k].rel);
	return 0;
}

int lc_qrels_write_beir(const lc_qrels *q, lc_output *o, lc_err *e)
{
	if (ids_check(q, "BEIR", e) < 0)
		return -1;
	lc_output_puts(o, "query-id\tcorpus-id\tscore\n");
	for (size_t i = 0; i < q->nq; i++)
		for (size_t k = 0; k < q->q[i].n; k++)
			lc_output_printf(o, "%s\t%s\t%ld\n", q->q[i].qid, q->q[i].j[k].docno, q->q[i].j[k].rel);
	return 0;
}

void lc_qrels_write_loft(const lc_qrels *q, lc_output *o)
{
	lc_buf b = {0};
	for (size_t i = 0; i < q->nq; i++) {
		lc_buf_reset(&b);
		lc_buf_adds(&b, "{\"qid\": ");
		lc_json_quote(&b, q->q[i].qid, strlen(q->q[i].qid));
		lc_buf_adds(&b, ", \"answers\": [");
		for (size_t k = 0; k < q->q[i].n; k++) {
			if (k)
				lc_buf_adds(&b, ", ");
			lc_buf_addc(&b, '[');
			lc_json_quote(&b, q->q[i].j[k].docno, strlen(q->q[i].j[k].docno));
			lc_buf_printf(&b, ", %ld]", q->q[i].j[k].rel);
		}
		lc_buf_adds(&b, "]}\n");
		lc_output_write(o, b.p, b.len);
	}
	lc_buf_free(&b);
}
