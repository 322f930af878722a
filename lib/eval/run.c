/*
 * run — readers (TREC run, lctk run JSONL, LOFT predictions, raw LLM answers,
 * OpenAI Batch results) and writers for ranked results.  See run.h.
 *
 * The TREC reader is the hot path of lceval (10M lines in the benchmark): a
 * plain file is mapped and parsed in place (the fast path below), other input
 * comes line by line through lc_input; both split fields by hand, parse simple
 * decimal scores with an exact fast path (digits/10^k is correctly rounded when
 * both fit a double exactly, so it equals strtod) and pack docnos unaligned
 * (arena blocks, or a compact run's per-query buffers).
 */
#include "run.h"

#include "trecid.h"
#include "answer.h"
#include "buf.h"
#include "input.h"
#include "json.h"
#include "msort.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int lc_run_format_from_name(const char *name)
{
	static const char *names[] = { "auto", "trec", "jsonl", "loft", "answers", "batch" };
	for (int i = 0; i < 6; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

lc_run_q *lc_run_query(lc_run *r, const char *qid, size_t qlen)
{
	int is_new = 0;
	uint32_t id = lc_strmap_intern(&r->qids, qid, qlen, &is_new);
	if (is_new) {
		if ((r->nq & (r->nq - 1)) == 0 || r->nq == 0)
			r->q = lc_xrealloc(r->q, (r->nq ? 2 * r->nq : 1) * sizeof *r->q);
		memset(&r->q[r->nq], 0, sizeof *r->q);
		r->q[r->nq].qid = lc_strmap_str(&r->qids, id);
		r->q[r->nq].num_turns = 1;
		r->nq++;
	}
	return &r->q[id];
}

void lc_run_add(lc_run *r, lc_run_q *q, const char *docno, size_t dlen, double score)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 16;
		q->h = lc_xrealloc(q->h, q->cap * sizeof *q->h);
	}
	q->h[q->n].docno = lc_arena_strndup(&r->arena, docno, dlen);
	q->h[q->n].score = score;
	q->n++;
}

static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                              1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* C atof() with an exact fast path for plain decimals ([-+]digits[.digits],
 * at most 15 digits: m / 10^k with both exact doubles is correctly rounded, so
 * it equals strtod; anything else goes to strtod). */
static double c_atof_long(const char *s, size_t n);
static inline double c_atof(const char *s, size_t n)
{
	if (n == 0 || n > 16)
		return c_atof_long(s, n);
	size_t i = s[0] == '-' || s[0] == '+';
	uint64_t m = 0;
	unsigned d;
	size_t st = i;
	while (i < n && (d = (unsigned)(s[i] - '0')) <= 9) {   /* integer part */
		m = m * 10 + d;
		i++;
	}
	size_t ni = i - st;
	int frac = 0;
	if (i < n && s[i] == '.') {   /* fraction */
		size_t f0 = ++i;
		while (i < n && (d = (unsigned)(s[i] - '0')) <= 9) {
			m = m * 10 + d;
			i++;
		}
		frac = (int)(i - f0);
	}
	if (i < n || ni + (size_t)frac == 0 || ni + (size_t)frac > 15)
		return c_atof_long(s, n);
	double v = (double)(int64_t)m / p10[frac];
	return s[0] == '-' ? -v : v;
}

static double c_atof_long(const char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	uint64_t m = 0;
	int nd = 0, frac = 0, dot = 0;
	size_t st = i;
	for (; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (m || c != '0')
				nd++;
			m = m * 10 + (uint64_t)(c - '0');
			if (dot)
				frac++;
			if (nd > 15)
				goto slow;
		} else if (c == '.' && !dot)
			dot = 1;
		else
			goto slow;
	}
	if (i == st || (dot && i == st + 1) || frac > 22)
		goto slow;
	{
		double v = (double)m / p10[frac];
		return neg ? -v : v;
	}
slow:
	return lc_trec_atof(s, n);
}

static const unsigned char wstab[256] = { [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1, ['\n'] = 1 };
static inline int isws(char c) { return wstab[(unsigned char)c]; }

/* 1 if f[0 .. fl) is [-+]digits[.digits] or [-+]digits.: a number c_atof reads exactly
 * (the usual score, checked without strtod). */
static inline int plain_decimal(const char *f, size_t fl)
{
	size_t i = fl && (f[0] == '-' || f[0] == '+'), digits = 0;
	int dot = 0;
	for (; i < fl; i++) {
		if ((unsigned)(f[i] - '0') <= 9)
			digits++;
		else if (f[i] == '.' && !dot)
			dot = 1;
		else
			return 0;
	}
	return digits > 0;
}

/* lc_run_opts.finite: a TREC score field that is not all one number ("xyz", "12abc",
 * which atof reads as 0 and 12) or one JSON cannot hold (nan, inf, 1e400) is bad
 * input naming name:lineno and the field; sc is c_atof's value of it.  0 or -1 + e. */
static int check_score(const char *name, long lineno, const char *f, size_t fl, double sc, lc_err *e)
{
	double v;
	if (!plain_decimal(f, fl) && !lc_trec_number(f, fl, &v))
		return lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: score '%.*s' is not a number: give every hit a numeric "
		                  "score", name, lineno, (int)(fl > 40 ? 40 : fl), f);
	if (!isfinite(sc))
		return lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: score '%.*s' is not a finite number: give every hit "
		                  "a finite score (run JSONL cannot hold NaN or infinity)", name, lineno,
		                  (int)(fl > 40 ? 40 : fl), f);
	return 0;
}

/* Keeps a hit's rank column (TREC read for LOFT measures). */
static void put_rank(lc_run_q *q, double rank)
{
	if (q->rank_cap < q->cap) {
		q->rank = lc_xrealloc(q->rank, q->cap * sizeof *q->rank);
		q->rank_cap = q->cap;
	}
	q->rank[q->n - 1] = rank;
}

/* The first max white-space-separated fields of line (more are not looked at). */
static inline int split_fields(const char *line, size_t len, const char **f, size_t *fl, int max)
{
	int nf = 0;
	size_t i = 0;
	while (nf < max) {
		while (i < len && isws(line[i]))
			i++;
		if (i >= len)
			break;
		size_t st = i;
		while (i < len && !isws(line[i]))
			i++;
		f[nf] = line + st;
		fl[nf++] = i - st;
	}
	return nf;
}

/* "#lctk repeat QID Q0 PID RANK SCORE TAG", "#lctk empty QID", "#lctk unanswered QID"
 * (lcretrieve --llm --trec); anything else after '#' is a comment.  With finite
 * (lc_run_opts.finite) a repeat's score is checked as a hit's: 0 or -1 + e. */
static int trec_annotation(lc_run *r, const char *line, size_t len, int finite, int empty_only, lc_input *in,
                           lc_err *e)
{
	const char *f[8];
	size_t fl[8];
	int nf = split_fields(line, len, f, fl, 8);
#define IS(k, lit) (fl[k] == sizeof lit - 1 && !memcmp(f[k], lit, fl[k]))
	if (nf < 3 || !IS(0, "#lctk"))
		return 0;
	if (empty_only) {
		if (nf == 3 && IS(1, "empty"))
			lc_run_query(r, f[2], fl[2]);
	} else if (nf == 8 && IS(1, "repeat")) {
		double sc = c_atof(f[6], fl[6]);
		if (finite && check_score(lc_input_name(in), lc_input_lineno(in), f[6], fl[6], sc, e) < 0)
			return -1;
		lc_run_q *q = lc_run_query(r, f[2], fl[2]);
		lc_run_add(r, q, f[4], fl[4], sc);
		put_rank(q, c_atof(f[5], fl[5]));
	} else if (nf == 3 && IS(1, "empty"))
		lc_run_query(r, f[2], fl[2]);
	else if (nf == 3 && IS(1, "unanswered"))
		lc_run_query(r, f[2], fl[2])->unanswered = 1;
#undef IS
	return 0;
}

/* Compact storage (opts.compact): appends a hit; cap_hint/dcap_hint = the sizes
 * of the query read before (runs usually give every query the same depth), so
 * most queries are allocated once at their final size.  -1 past 4 GiB of docnos
 * in one query (offsets are 32-bit). */
static int compact_add(lc_run_q *q, const char *docno, size_t dlen, double score, size_t cap_hint, size_t dcap_hint)
{
	if (q->n == q->cap) {
		size_t c = q->cap ? 2 * q->cap : cap_hint > 16 ? cap_hint : 16;
		q->sc = lc_xrealloc(q->sc, c * sizeof *q->sc);
		q->doff = lc_xrealloc(q->doff, c * sizeof *q->doff);
		q->cap = c;
	}
	if (q->dlen + dlen + 1 > q->dcap) {
		size_t c = q->dcap ? 2 * q->dcap : dcap_hint > 256 ? dcap_hint : 256;
		while (c < q->dlen + dlen + 1)
			c *= 2;
		if (c > UINT32_MAX) {
			if (q->dlen + dlen + 1 > UINT32_MAX)
				return -1;
			c = UINT32_MAX;
		}
		q->dbuf = lc_xrealloc(q->dbuf, c);
		q->dcap = c;
	}
	memcpy(q->dbuf + q->dlen, docno, dlen);
	q->dbuf[q->dlen + dlen] = 0;
	q->doff[q->n] = (uint32_t)q->dlen;
	q->sc[q->n++] = score;
	q->dlen += dlen + 1;
	return 0;
}

/* compact_add for a docno of at most 16 bytes with 16 readable bytes at
 * docno (a line of the fast path's padded block): one fixed-size copy. */
static inline int compact_add16(lc_run_q *q, const char *docno, size_t dlen, double score, size_t cap_hint,
                                size_t dcap_hint)
{
	if (dlen > 16 || q->n == q->cap || q->dlen + 17 > q->dcap)
		return compact_add(q, docno, dlen, score, cap_hint, dcap_hint + 16);
	char *d = q->dbuf + q->dlen;
	memcpy(d, docno, 16);
	d[dlen] = 0;
	q->doff[q->n] = (uint32_t)q->dlen;
	q->sc[q->n++] = score;
	q->dlen += dlen + 1;
	return 0;
}

/* Gives a compact query's spare capacity back (the reader moved on). */
static void compact_trim(lc_run_q *q)
{
	if (q->cap > q->n && q->n) {
		q->sc = lc_xrealloc(q->sc, q->n * sizeof *q->sc);
		q->doff = lc_xrealloc(q->doff, q->n * sizeof *q->doff);
		q->cap = q->n;
	}
	if (q->dcap > q->dlen && q->dlen) {
		q->dbuf = lc_xrealloc(q->dbuf, q->dlen);
		q->dcap = q->dlen;
	}
}

/* ---- the fast path: a plain TREC run file, mapped (or read in 256 KiB blocks)
 * Used for a regular uncompressed file without --loft.  One pass per line
 * splits the fields (64-byte bit masks, or the byte classes below), finds the
 * line end, and flags bytes that need lc_input_repair (NUL, and >= 0x80 unless
 * the input keeps its bytes); such a line takes the slow path of
 * lc_input_getline's rules.  Lines are parsed in
 * place: a block always ends at a newline with FAST_PAD readable bytes after
 * it (the rest is carried to the next block), so the scanner needs no bounds
 * checks. */
enum { C_TEXT, C_WS, C_NL, C_ODD };
static const unsigned char cls[256] = {
	[0] = C_ODD, [' '] = C_WS, ['\t'] = C_WS, ['\r'] = C_WS, ['\v'] = C_WS, ['\f'] = C_WS, ['\n'] = C_NL,
	[0x80 ... 0xff] = C_ODD,
};
#define FAST_BLOCK ((size_t)256 << 10)   /* fits L2: parsed while the copy is warm */
#define FAST_PAD 64              /* bytes after the data: word and vector loads may read them */

#ifdef __SSE2__
#include <emmintrin.h>
/* The 16 bytes at p as bit masks: newlines, white space, and bytes the vector
 * path leaves to the byte loop (other controls, NUL, >= 0x80). */
static inline void masks16(const char *p, uint64_t *nl, uint64_t *ws, uint64_t *other)
{
	const __m128i vnl = _mm_set1_epi8('\n'), vsp = _mm_set1_epi8(' '), v9 = _mm_set1_epi8(9);
	const __m128i v4 = _mm_set1_epi8(4), v20 = _mm_set1_epi8(0x20);
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i t = _mm_sub_epi8(x, v9);   /* \t \n \v \f \r: x - 9 <= 4 unsigned */
	__m128i isws = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(t, v4), t), _mm_cmpeq_epi8(x, vsp));
	__m128i le20 = _mm_cmpeq_epi8(_mm_max_epu8(x, v20), v20);
	uint64_t mws = (uint32_t)_mm_movemask_epi8(isws);
	*nl = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vnl));
	*ws = mws;
	*other = (uint32_t)_mm_movemask_epi8(x) | ((uint32_t)_mm_movemask_epi8(le20) & ~mws);
}

/* The 64 bytes at p as bit masks (bit i = p[i]); the last 16 only when no
 * newline came before them (a run line is usually shorter than 48 bytes). */
static inline void masks64(const char *p, uint64_t *nl, uint64_t *ws, uint64_t *other)
{
	uint64_t n0, w0, o0, n1, w1, o1, n2, w2, o2;
	masks16(p, &n0, &w0, &o0);
	masks16(p + 16, &n1, &w1, &o1);
	masks16(p + 32, &n2, &w2, &o2);
	uint64_t n = n0 | n1 << 16 | n2 << 32, w = w0 | w1 << 16 | w2 << 32, o = o0 | o1 << 16 | o2 << 32;
	if (!n) {
		masks16(p + 48, &n0, &w0, &o0);
		n |= n0 << 48;
		w |= w0 << 48;
		o |= o0 << 48;
	}
	*nl = n;
	*ws = w;
	*other = o;
}
#endif

/* The end of the field at p: the first white-space or newline byte, found 8
 * bytes at a time (bytes < 0x21 flagged without a false first hit: the borrow
 * of the subtraction only runs upwards).  *odd is set when the field holds a
 * byte >= 0x80 or NUL. */
static inline char *field_end(char *p, int *odd)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	for (;;) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t m = (w - 0x21 * ones) & ~w & high;
		if (!m) {
			*odd |= (w & high) != 0;
			p += 8;
			continue;
		}
		unsigned k = (unsigned)__builtin_ctzll(m) >> 3;
		if (w & high & ((1ull << (8 * k)) - 1))
			*odd = 1;
		unsigned char c = (unsigned char)p[k];
		if (cls[c] == C_WS || cls[c] == C_NL)
			return p + k;
		*odd |= c == 0;   /* a control byte is text; NUL needs repair */
		p += k + 1;
	}
}


typedef struct {
	lc_run *r;
	lc_input *in;
	int compact;
	int finite;              /* a non-finite score is an error (lc_run_opts.finite) */
	lc_run_q *q;             /* query of the last line */
	size_t lastql;
	size_t hint_n, hint_d;   /* sizes of the query read before (compact) */
	char tag[256];
	size_t tagl;
	char *bigtag;            /* a tag longer than tag[] */
	int unpadded;            /* the fields are in scratch, not in a padded block */
	char qw[16];             /* the first 16 bytes of q's qid */
	const char *ltag;        /* the last line's tag in the block, not yet saved */
	size_t ltagl;
	long lineno;
	lc_buf scratch;          /* a line for the slow path */
	lc_run_each each;        /* streaming (lc_run_stream): called per query, else NULL */
	void *ctx;
	lc_run_q cur;            /* streaming: the hits of query q (compact, reused) */
	int part;                /* a part of the file (lc_run_stream_part): no slow lines */
	int raw;                 /* lc_input_keeps_bytes: only a line with NUL needs the slow path */
} fastrd;

#define NOT_CONSECUTIVE (-2)   /* streaming: a qid's lines are not all in one block */
#define NEEDS_WHOLE_FILE (-3)  /* a part met a line that the reader of the whole file must take */

/* Keeps the tag of the last line read (its bytes are still in the block). */
static void tag_save(fastrd *F)
{
	if (!F->ltag)
		return;
	if (F->ltagl < sizeof F->tag) {
		memcpy(F->tag, F->ltag, F->ltagl);
		F->tagl = F->ltagl;
	} else {
		free(F->bigtag);
		F->bigtag = lc_xmalloc(F->ltagl + 1);
		memcpy(F->bigtag, F->ltag, F->ltagl);
		F->bigtag[F->ltagl] = 0;
		F->tagl = SIZE_MAX;
	}
	F->ltag = NULL;
}

/* One line's six fields: adds the hit.  0, or -1 + e.  Inlined into the
 * scanner's vector path (a call per line cost its prologue and spills);
 * fast_hit is the out-of-line copy for the other callers. */
static inline __attribute__((always_inline)) int fast_hit_in(fastrd *F, const char **f, const size_t *fl, lc_err *e)
{
	lc_run *r = F->r;
	r->nlines++;
	F->ltag = f[5];
	F->ltagl = fl[5];
	lc_run_q *q = F->q;
	int same = q && fl[0] == F->lastql;
	if (same && fl[0] <= 16 && !F->unpadded) {   /* two masked word compares (the block is padded) */
		uint64_t a0, a1, b0, b1;
		memcpy(&a0, f[0], 8);
		memcpy(&a1, f[0] + 8, 8);
		memcpy(&b0, F->qw, 8);
		memcpy(&b1, F->qw + 8, 8);
		uint64_t m0 = fl[0] >= 8 ? ~0ull : (1ull << (8 * fl[0])) - 1;
		uint64_t m1 = fl[0] <= 8 ? 0 : fl[0] >= 16 ? ~0ull : (1ull << (8 * (fl[0] - 8))) - 1;
		same = !(((a0 ^ b0) & m0) | ((a1 ^ b1) & m1));
	} else
		for (size_t k = 0; same && k < fl[0]; k++)   /* qids are short: no call */
			same = f[0][k] == q->qid[k];
	if (!same)
		memcpy(F->qw, f[0], fl[0] < 16 ? fl[0] : 16);
	if (!same && F->each) {
		if (q)
			F->each(F->ctx, &F->cur);
		if (lc_strmap_find(&r->qids, f[0], fl[0]) >= 0)
			return NOT_CONSECUTIVE;
		q = F->q = lc_run_query(r, f[0], fl[0]);
		F->lastql = fl[0];
		F->cur.qid = q->qid;
		F->cur.n = F->cur.dlen = 0;
	} else if (!same) {
		if (F->compact && q) {
			F->hint_n = q->n;
			F->hint_d = q->dlen;
			compact_trim(q);
		}
		q = F->q = lc_run_query(r, f[0], fl[0]);
		F->lastql = fl[0];
	}
	double sc = c_atof(f[4], fl[4]);
	if (F->each)
		q = &F->cur;
	if (!F->compact) {
		if (F->finite && check_score(lc_input_name(F->in), F->lineno, f[4], fl[4], sc, e) < 0)
			return -1;
		lc_run_add(r, q, f[2], fl[2], sc);
	}
	else if ((F->unpadded ? compact_add(q, f[2], fl[2], sc, F->hint_n, F->hint_d)
	                      : compact_add16(q, f[2], fl[2], sc, F->hint_n, F->hint_d)) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: query '%s' has more than 4 GiB of docnos", lc_input_name(F->in),
		                  F->lineno, q->qid);
	return 0;
}

static __attribute__((noinline)) int fast_hit(fastrd *F, const char **f, const size_t *fl, lc_err *e)
{
	return fast_hit_in(F, f, fl, e);
}

/* A line as lc_input_getline gives it (no '\r' at the end), repaired, split. */
static int slow_line(fastrd *F, const char *text, size_t len, lc_err *e)
{
	if (F->part)
		return NEEDS_WHOLE_FILE;   /* repairs and their warning count belong to one reader */
	if (len && text[len - 1] == '\r')
		len--;
	lc_buf_reset(&F->scratch);   /* the block may be a read-only map */
	lc_buf_add(&F->scratch, text, len);
	char *line = F->scratch.p;
	lc_input_repair(F->in, &line, &len);
	size_t i = 0;
	while (i < len && isws(line[i]))
		i++;
	if (i < len && line[i] == '#')
		return 0;
	const char *f[6];
	size_t fl[6];
	int nf = split_fields(line + i, len - i, f, fl, 6);
	if (nf == 0)
		return 0;
	if (nf < 6)
		return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s:%ld: malformed run line: expected 6 fields 'qid iter docno rank score tag', found %d",
		                  lc_input_name(F->in), F->lineno, nf);
	F->unpadded = 1;
	int rc = fast_hit(F, f, fl, e);
	F->unpadded = 0;
	tag_save(F);   /* scratch is reused by the next slow line */
	return rc;
}

/* Parses the complete lines of b[0 .. n) (b[n - 1] == '\n'); a line longer
 * than maxrec (0 = no limit) is an error, as lc_input_getline makes it. */
static int fast_lines(fastrd *F, char *b, size_t n, size_t maxrec, lc_err *e)
{
	char *p = b, *end = b + n;
	while (p < end) {
		char *ls = p;
		F->lineno++;
#ifdef __SSE2__
		{   /* a line of up to 63 bytes, plain ASCII: its fields from bit masks */
			uint64_t mn, mw, mo;
			masks64(p, &mn, &mw, &mo);
			unsigned nlpos = mn ? (unsigned)__builtin_ctzll(mn) : 64;
			uint64_t lm = nlpos < 64 ? (1ull << nlpos) - 1 : 0;
			if (nlpos < 64 && !(mo & lm)) {
				uint64_t text = ~mw & lm;
				p += nlpos + 1;
				if (maxrec && nlpos > maxrec)
					return lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: record longer than %zu bytes; raise --max-record BYTES if it is genuine",
					                  lc_input_name(F->in), F->lineno, maxrec);
				if (!text || ls[__builtin_ctzll(text)] == '#')
					continue;   /* blank, or a comment */
				uint64_t starts = text & ~(text << 1), ends = ~text & (text << 1);
				const char *f[6];
				size_t fl[6];
				int nf = 0;
				for (; starts && nf < 6; nf++, starts &= starts - 1, ends &= ends - 1) {
					unsigned fa = (unsigned)__builtin_ctzll(starts), fz = (unsigned)__builtin_ctzll(ends);
					f[nf] = ls + fa;
					fl[nf] = fz - fa;
				}
				if (nf < 6)
					return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s:%ld: malformed run line: expected 6 fields 'qid iter docno rank score tag', found %d",
					                  lc_input_name(F->in), F->lineno, nf);
				int rc = fast_hit_in(F, f, fl, e);
				if (rc < 0)
					return rc;
				continue;
			}
		}
#endif
		int odd = 0;
		while (cls[(unsigned char)*p] == C_WS)
			p++;
		if (*p == '#') {   /* a comment; its bad bytes are counted as lc_input_repair does */
			char *nl = memchr(p, '\n', (size_t)(end - p));
			if (F->raw)
				odd = memchr(p, 0, (size_t)(nl - p)) != NULL;
			for (char *k = p; k < nl && !odd && !F->raw; k++)
				odd = cls[(unsigned char)*k] == C_ODD;
			int rc = odd ? slow_line(F, ls, (size_t)(nl - ls), e) : 0;
			if (rc < 0)
				return rc;
			p = nl + 1;
			continue;
		}
		const char *f[6];
		size_t fl[6];
		int nf = 0;
		unsigned c;
		while (nf < 6 && (c = cls[(unsigned char)*p]) != C_NL) {
			char *st = p;
			p = field_end(p, &odd);
			f[nf] = st;
			fl[nf++] = (size_t)(p - st);
			while (cls[(unsigned char)*p] == C_WS)
				p++;
		}
		char *nl = *p == '\n' ? p : memchr(p, '\n', (size_t)(end - p));
		if (maxrec && (size_t)(nl - ls) > maxrec)
			return lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: record longer than %zu bytes; raise --max-record BYTES if it is genuine",
			                  lc_input_name(F->in), F->lineno, maxrec);
		for (char *k = p; k < nl && !odd; k++)
			odd = cls[(unsigned char)*k] == C_ODD;
		if (odd && F->raw && !memchr(ls, 0, (size_t)(nl - ls)))
			odd = 0;   /* bytes >= 0x80 are kept as they are: the fields split above stand */
		p = nl + 1;
		if (odd) {
			int rc = slow_line(F, ls, (size_t)(nl - ls), e);
			if (rc < 0)
				return rc;
			continue;
		}
		if (nf == 0)
			continue;
		if (nf < 6)
			return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s:%ld: malformed run line: expected 6 fields 'qid iter docno rank score tag', found %d",
			                  lc_input_name(F->in), F->lineno, nf);
		int rc = fast_hit(F, f, fl, e);
		if (rc < 0)
			return rc;
	}
	tag_save(F);
	return 0;
}

/* The end of a fast read: the last query trimmed, the run id from the last tag. */
static int fast_done(fastrd *F, int ret)
{
	lc_run *r = F->r;
	if (ret == 0) {
		if (F->each && F->q)
			F->each(F->ctx, &F->cur);
		else if (F->compact && F->q)
			compact_trim(F->q);
		if (F->tagl == SIZE_MAX)
			r->runid = lc_arena_strndup(&r->arena, F->bigtag, strlen(F->bigtag));
		else if (F->tagl)
			r->runid = lc_arena_strndup(&r->arena, F->tag, F->tagl);
	}
	free(F->bigtag);
	lc_buf_free(&F->scratch);
	free(F->cur.sc);
	free(F->cur.doff);
	free(F->cur.dbuf);
	return ret;
}

/* Appends n bytes to the carry buffer (kept FAST_PAD bytes longer, initialised). */
static void carry_add(char **b, size_t *cap, size_t *have, const char *s, size_t n)
{
	if (*have + n + 1 > *cap) {
		size_t c = *cap;
		while (*have + n + 1 > c)
			c *= 2;
		*b = lc_xrealloc(*b, c + FAST_PAD);
		memset(*b + *cap + FAST_PAD, 0, c - *cap);
		*cap = c;
	}
	memcpy(*b + *have, s, n);
	*have += n;
}

/* The file mapped 2 MiB at a time (read-only, populated: no copy into a buffer,
 * one call per window instead of a fault per page; at most one window adds to
 * the resident set) and parsed in place.  The lines in a window's last 64 bytes
 * and a line that crosses into the next window go through a small padded carry
 * buffer, so the word and vector loads never leave the map.  1 = not mapped
 * (the caller reads instead), else 0 or -1 + e. */
#define MAP_WINDOW ((size_t)2 << 20)
static int read_trec_mmap(lc_run *r, lc_input *in, int compact, int finite, lc_run_each each, void *ctx, const lc_run_part *part,
                          lc_err *e)
{
	int fd = open(lc_input_path(in), O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	size_t size = (size_t)st.st_size, maxrec = lc_input_max_record();
	size_t start = 0;
	if (part) {   /* bytes [start, size) of the file: windows from the page holding start */
		start = part->start < size ? (size_t)part->start : size;
		size = part->end < size ? (size_t)part->end : size;
	}
	size_t base = start & ~((size_t)sysconf(_SC_PAGESIZE) - 1);
	fastrd F = { .r = r, .in = in, .compact = compact || each, .finite = finite, .each = each, .ctx = ctx,
	             .part = part != NULL, .raw = lc_input_keeps_bytes(in) };
	size_t cap = 4096, have = 0;
	char *b = lc_xcalloc(cap + FAST_PAD, 1);
	int ret = 0;
	for (size_t off = base; off < size && ret == 0; off += MAP_WINDOW) {
		size_t wl = size - off < MAP_WINDOW ? size - off : MAP_WINDOW;
		char *m = mmap(NULL, wl, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)off);
		if (m == MAP_FAILED) {
			if (off == base) {
				free(b);
				close(fd);
				lc_buf_free(&F.scratch);
				return 1;
			}
			ret = lc_err_set(e, LC_EXIT_INPUT, "%s: %s", lc_input_name(in), strerror(errno));
			break;
		}
		size_t pos = off == base ? start - base : 0;
		if (off == 0 && wl >= 3 && !memcmp(m, "\xEF\xBB\xBF", 3))
			pos = 3;   /* a UTF-8 byte order mark starts the file: not data */
		if (have) {   /* complete the carried lines */
			char *nl = memchr(m + pos, '\n', wl - pos);
			size_t take = nl ? (size_t)(nl + 1 - (m + pos)) : wl - pos;
			carry_add(&b, &cap, &have, m + pos, take);
			pos += take;
			if (nl) {
				ret = fast_lines(&F, b, have, maxrec, e);
				have = 0;
			} else if (maxrec && have > maxrec + 2 * FAST_PAD) {
				char *last = b + have - 1;   /* the lines before the long one first */
				while (last >= b && *last != '\n')
					last--;
				if (last >= b && (ret = fast_lines(&F, b, (size_t)(last + 1 - b), maxrec, e)) < 0)
					break;
				ret = lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: record longer than %zu bytes; raise --max-record BYTES if it is genuine",
				                 lc_input_name(in), F.lineno + 1, maxrec);
			}
		}
		if (ret == 0 && !have) {
			size_t safe = wl > FAST_PAD ? wl - FAST_PAD : 0;
			char *last = m + safe - 1;
			while (last >= m + pos && *last != '\n')
				last--;
			if (last >= m + pos) {
				ret = fast_lines(&F, m + pos, (size_t)(last + 1 - (m + pos)), maxrec, e);
				pos = (size_t)(last + 1 - m);
			}
			carry_add(&b, &cap, &have, m + pos, wl - pos);
		}
		munmap(m, wl);
	}
	if (ret == 0 && have) {
		if (b[have - 1] != '\n')
			carry_add(&b, &cap, &have, "\n", 1);   /* the last line, without its newline */
		ret = fast_lines(&F, b, have, maxrec, e);
	}
	free(b);
	close(fd);
	return fast_done(&F, ret);
}

static int read_trec_fast(lc_run *r, lc_input *in, int compact, int finite, lc_err *e)
{
	int mr = read_trec_mmap(r, in, compact, finite, NULL, NULL, NULL, e);
	if (mr != 1)
		return mr;
	const char *path = lc_input_path(in);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, strerror(errno));
	size_t maxrec = lc_input_max_record();
	size_t cap = FAST_BLOCK, have = 0;
	char *b = lc_xcalloc(cap + FAST_PAD, 1);
	fastrd F = { .r = r, .in = in, .compact = compact, .finite = finite, .raw = lc_input_keeps_bytes(in) };
	int ret = 0, first = 1;
	for (;;) {
		ssize_t got = read(fd, b + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = lc_err_set(e, LC_EXIT_INPUT, "%s: %s", lc_input_name(in), strerror(errno));
			break;
		}
		size_t start = 0;
		have += (size_t)got;
		if (first && have >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3)) {
			memmove(b, b + 3, have - 3);   /* a UTF-8 byte order mark starts the file: not data */
			have -= 3;
		}
		first = 0;
		if (got == 0) {
			if (have > start) {   /* the last line, without its newline */
				b[have++] = '\n';
				if (maxrec && have - start - 1 > maxrec)
					goto toolong;
				ret = fast_lines(&F, b + start, have - start, maxrec, e);
			}
			break;
		}
		char *lastnl = b + have - 1;
		while (lastnl >= b + start && *lastnl != '\n')
			lastnl--;
		if (lastnl < b + start) {
			if (maxrec && have - start > maxrec)
				goto toolong;
			if (have == cap) {
				b = lc_xrealloc(b, 2 * cap + FAST_PAD);
				memset(b + cap + FAST_PAD, 0, cap);
				cap *= 2;
			}
			continue;
		}
		size_t n = (size_t)(lastnl + 1 - (b + start));
		if ((ret = fast_lines(&F, b + start, n, maxrec, e)) < 0)
			break;
		have -= start + n;
		memmove(b, b + start + n, have);
	}
	if (0) {
toolong:
		ret = lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: record longer than %zu bytes; raise --max-record BYTES if it is genuine",
		                 lc_input_name(in), F.lineno + 1, maxrec);
	}
	close(fd);
	free(b);
	return fast_done(&F, ret);
}

static int read_trec(lc_run *r, lc_input *in, int loft, int empty_marks, int compact, int finite, lc_run_each each,
                     void *ctx, const lc_run_part *part, lc_err *e)
{
	if (each) {   /* streaming: a plain file only, else the caller reads it whole */
		int ret = !loft && lc_input_is_plain(in) ? read_trec_mmap(r, in, 1, 0, each, ctx, part, e) : 1;
		if (part && ret < 0)
			ret = 1;   /* an error in a part: the whole file's reader reports it with its line number */
		return ret == NOT_CONSECUTIVE || ret == NEEDS_WHOLE_FILE ? 1 : ret;
	}
	if (!loft && !empty_marks && lc_input_is_plain(in))
		return read_trec_fast(r, in, compact, finite, e);
	size_t hint_n = 0, hint_d = 0;
	char tagb[64];
	size_t tagl = 0;
	const char *lastq = NULL;
	size_t lastql = 0;
	lc_run_q *q = NULL;
	lc_buf tag = {0};
	char *line;
	size_t len;
	int rr;
	while ((rr = lc_input_getline(in, &line, &len, e)) == 1) {
		lc_input_repair(in, &line, &len);   /* ids go into JSON strings (unless o->raw: NUL only) */
		size_t i = 0;
		while (i < len && isws(line[i]))
			i++;
		if (i < len && line[i] == '#') {
			if (loft || empty_marks) {
				if (trec_annotation(r, line + i, len - i, finite, !loft, in, e) < 0) {
					lc_buf_free(&tag);
					return -1;
				}
				q = NULL;   /* the annotation may have grown r->q */
			}
			continue;
		}
		const char *f[6];
		size_t fl[6];
		int nf = split_fields(line + i, len - i, f, fl, 6);
		if (nf == 0)
			continue;
		if (nf < 6) {
			lc_buf_free(&tag);
			return lc_err_set_ref(e, LC_EXIT_INPUT, LC_TREC_EXIT_FORMAT, "%s: malformed run line: expected 6 fields 'qid iter docno rank score tag', found %d",
			                  lc_input_where(in), nf);
		}
		r->nlines++;
		if (fl[5] < sizeof tagb) {
			memcpy(tagb, f[5], fl[5]);
			tagl = fl[5];
		} else {
			lc_buf_reset(&tag);
			lc_buf_add(&tag, f[5], fl[5]);
			tagl = SIZE_MAX;
		}
		if (!q || fl[0] != lastql || memcmp(f[0], lastq, lastql)) {
			if (compact && q) {
				hint_n = q->n;
				hint_d = q->dlen;
				compact_trim(q);
			}
			q = lc_run_query(r, f[0], fl[0]);
			lastq = q->qid;
			lastql = fl[0];
		}
		if (!compact) {
			double sc = c_atof(f[4], fl[4]);
			if (finite && check_score(lc_input_name(in), lc_input_lineno(in), f[4], fl[4], sc, e) < 0) {
				lc_buf_free(&tag);
				return -1;
			}
			lc_run_add(r, q, f[2], fl[2], sc);
			if (loft)
				put_rank(q, c_atof(f[3], fl[3]));
		} else if (compact_add(q, f[2], fl[2], c_atof(f[4], fl[4]), hint_n, hint_d) < 0) {
			lc_buf_free(&tag);
			return lc_err_set(e, LC_EXIT_INPUT, "%s: query '%s' has more than 4 GiB of docnos", lc_input_where(in), q->qid);
		}
	}
	if (rr < 0) {
		lc_buf_free(&tag);
		return -1;
	}
	if (compact && q)
		compact_trim(q);
	if (tagl == SIZE_MAX)
		r->runid = lc_arena_strndup(&r->arena, tag.p, tag.len);
	else if (tagl)
		r->runid = lc_arena_strndup(&r->arena, tagb, tagl);
	lc_buf_free(&tag);
	return 0;
}

void lc_trec_score(char *buf, size_t size, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

void lc_py_repr_double(char *buf, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v < 0 ? "-inf" : "inf");
		return;
	}
	char tmp[64];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp = d.ddde[+-]XX; Python: exponent < -4 or >= 16 -> scientific */
	char *ep = strchr(tmp, 'e');
	int ex = atoi(ep + 1);
	char digs[32];
	int nd = 0;
	int neg = tmp[0] == '-';
	for (char *p = tmp + neg; p < ep; p++)
		if (isdigit((unsigned char)*p))
			digs[nd++] = *p;
	while (nd > 1 && digs[nd - 1] == '0')
		nd--;
	digs[nd] = 0;
	lc_buf b = {0};
	if (neg)
		lc_buf_addc(&b, '-');
	if (ex < -4 || ex >= 16) {
		lc_buf_addc(&b, digs[0]);
		if (nd > 1) {
			lc_buf_addc(&b, '.');
			lc_buf_adds(&b, digs + 1);
		}
		lc_buf_printf(&b, "e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
	} else if (ex < 0) {
		lc_buf_adds(&b, "0.");
		for (int k = 0; k < -ex - 1; k++)
			lc_buf_addc(&b, '0');
		lc_buf_adds(&b, digs);
	} else {
		for (int k = 0; k <= ex; k++)
			lc_buf_addc(&b, k < nd ? digs[k] : '0');
		lc_buf_addc(&b, '.');
		if (nd > ex + 1)
			lc_buf_adds(&b, digs + ex + 1);
		else
			lc_buf_addc(&b, '0');
	}
	snprintf(buf, size, "%s", b.p);
	lc_buf_free(&b);
}

/* Python str(x).strip() of a JSON value. */
static void py_str(lc_buf *b, json_t *v)
{
	lc_buf_reset(b);
	char tmp[64];
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		lc_buf_add(b, s, n);
	} else if (json_is_integer(v))
		lc_buf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		lc_py_repr_double(tmp, sizeof tmp, json_real_value(v));
		lc_buf_adds(b, tmp);
	} else if (json_is_true(v))
		lc_buf_adds(b, "True");
	else if (json_is_false(v))
		lc_buf_adds(b, "False");
	else if (json_is_null(v))
		lc_buf_adds(b, "None");
	else
		lc_json_dump(b, v);
}

static const char *json_qid(json_t *o, const char *const *keys, lc_buf *idb, const char *where, lc_err *e)
{
	for (int k = 0; keys[k]; k++) {
		json_t *v = json_object_get(o, keys[k]);
		if (v)
			return lc_json_id(v, idb, keys[k], where, e);
	}
	lc_err_set(e, LC_EXIT_INPUT, "%s: no '%s' field", where, keys[0]);
	return NULL;
}

/* Every id is a row number (a decimal int or a string of digits). */
static int row_numbers(const lc_strlist *ids)
{
	for (size_t i = 0; i < ids->n; i++) {
		const char *p = ids->s[i];
		if (!*p)
			return 0;
		for (; *p; p++)
			if (*p < '0' || *p > '9')
				return 0;
	}
	return ids->n > 0;
}

/* The answer text of q: parsed, then mapped through o->pids.  -1 + e when the
 * ids are row numbers and nothing maps them. */
static int set_answer(lc_run *r, lc_run_q *q, const char *text, size_t n, const lc_run_opts *o, lc_strlist *ids,
                      const char *where, lc_err *e)
{
	q->n = 0;
	q->unanswered = 0;
	q->parse_error = 0;
	if (!text) {
		q->unanswered = 1;
		return 0;
	}
	int fl = lc_answer_parse(text, n, o->answer_variant, ids);
	q->parse_error = !!(fl & LC_ANSWER_PARSE_ERROR);
	if (o->pids) {
		if (lc_answer_map(ids, fl, o->pids, o->npids) < 0) {
			q->unanswered = 1;
			return 0;
		}
	} else if (fl & LC_ANSWER_NONSTR) {
		q->unanswered = 1;
		return 0;
	} else if (row_numbers(ids))
		return lc_err_set(e, LC_EXIT_INPUT,
		                  "%s: query '%s': the answer's ids (%s%s) are row numbers of the prompt and nothing maps them "
		                  "to pids: %s%s%suse the run file or --responses file lcretrieve wrote (they carry pids)",
		                  where, q->qid, ids->s[0], ids->n > 1 ? ", ..." : "", o->corpus_option ? "give " : "",
		                  o->corpus_option ? o->corpus_option : "",
		                  o->corpus_option ? " (the corpus in the prompt's row order), or " : "");
	for (size_t i = 0; i < ids->n; i++)
		lc_run_add(r, q, ids->s[i], strlen(ids->s[i]), (double)(ids->n - i));
	return 0;
}

/* A --responses line's "pids": the mapped list (duplicates kept), null = unanswered. */
static int set_pids(lc_run *r, lc_run_q *q, json_t *pids, lc_buf *pb, const char *where, lc_err *e)
{
	q->n = 0;
	q->parse_error = 0;
	q->unanswered = json_is_null(pids);
	if (q->unanswered)
		return 0;
	if (!json_is_array(pids))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'pids': expected a list of pids or null, got %s", where,
		                  lc_json_type_name(pids));
	size_t i, np = json_array_size(pids);
	json_t *v;
	json_array_foreach(pids, i, v) {
		const char *p = lc_json_id(v, pb, "pids", where, e);
		if (!p)
			return -1;
		lc_run_add(r, q, p, strlen(p), (double)(np - i));
	}
	return 0;
}

/* The hits h[0 .. n) of one run JSONL line, unscored[i] set for those without a
 * "score": each gets a score below the hit above it and above the next scored
 * hit below it (evenly spaced between the two, else 1 apart from the one there
 * is), so that ranking by score keeps the hits' order (lctk-formats(5)).  Where
 * the doubles are too coarse for that (hi - 1 == hi from about 9e15, or two
 * neighbours a few ulps apart), the scores step one double at a time instead;
 * only when there are fewer doubles between the neighbours than hits do two
 * hits tie.  A line without any score keeps the n - i it was read with. */
static void fill_scores(lc_hit *h, size_t n, const unsigned char *unscored)
{
	for (size_t i = 0; i < n;) {
		if (!unscored[i]) {
			i++;
			continue;
		}
		size_t a = i;
		while (i < n && unscored[i])
			i++;
		size_t m = i - a;
		int above = a > 0, below = i < n;
		if (!above && !below)
			return;
		double hi = above ? h[a - 1].score : 0, lo = below ? h[i].score : 0;
		int between = above && below && hi > lo;
		for (size_t k = 0; k < m; k++) {
			double t = (double)(k + 1) / (double)(m + 1);
			if (between)
				h[a + k].score = hi * (1 - t) + lo * t;   /* no overflow between large scores */
			else if (above)
				h[a + k].score = hi - (double)(k + 1);
			else
				h[a + k].score = lo + (double)(m - k);
		}
		/* strictly decreasing down the gap, above the scored hit below */
		if (above) {
			double floor_ = between ? lo : -DBL_MAX;
			for (size_t k = 0; k < m; k++) {
				double prev = k ? h[a + k - 1].score : hi;
				if (h[a + k].score < prev && h[a + k].score > floor_)
					continue;
				double next = nextafter(prev, -INFINITY);
				h[a + k].score = next > floor_ || !between ? fmax(next, -DBL_MAX) : prev;
			}
		} else {
			for (size_t k = m; k-- > 0;) {
				double prev = k + 1 < m ? h[a + k + 1].score : lo;
				if (h[a + k].score > prev)
					continue;
				h[a + k].score = fmin(nextafter(prev, INFINITY), DBL_MAX);
			}
		}
	}
}

static void drop_repeats(lc_run *r);

static int read_json(lc_run *r, lc_input *in, const lc_run_opts *o, lc_err *e)
{
	static const char *const qkeys[] = { "qid", "id", "custom_id", NULL };
	static const char *const bkeys[] = { "custom_id", NULL };
	static const char *const tkeys[] = { "response_text", "answer", "response", "output", "text", "model_output", NULL };
	lc_buf idb = {0}, pb = {0};
	lc_strlist ids = {0};
	unsigned char *unscored = NULL;   /* per hit of a JSONL line: read without a score */
	size_t unscored_cap = 0;
	int ret = 0, rr;
	json_t *obj;
	while ((rr = lc_json_next_object(in, &obj, e)) == 1) {
		const char *where = lc_input_where(in);
		r->nlines++;
		const char *qid = json_qid(obj, r->format == LC_RUN_BATCH ? bkeys : qkeys, &idb, where, e);
		if (!qid) {
			json_decref(obj);
			ret = -1;
			break;
		}
		lc_run_q *q = lc_run_query(r, qid, strlen(qid));
		if (r->format == LC_RUN_JSONL) {
			json_t *hits = lc_json_array(obj, "hits", "an array of {\"pid\", \"score\"}", where, e);
			if (!hits) {
				json_decref(obj);
				ret = -1;
				break;
			}
			json_t *answered = json_object_get(obj, "answered");
			if (answered && !json_is_boolean(answered)) {
				lc_err_set(e, LC_EXIT_INPUT, "%s: field 'answered': expected true or false, got %s", where,
				           lc_json_type_name(answered));
				json_decref(obj);
				ret = -1;
				break;
			}
			q->unanswered = json_is_false(answered);
			size_t i, nh = json_array_size(hits), first = q->n;
			if (nh > unscored_cap) {
				unscored_cap = nh;
				unscored = lc_xrealloc(unscored, unscored_cap);
			}
			int any_unscored = 0;
			json_t *h;
			json_array_foreach(hits, i, h) {
				json_t *rep = json_is_object(h) ? json_object_get(h, "repeat") : NULL;
				if (rep && !json_is_boolean(rep)) {
					lc_err_set(e, LC_EXIT_INPUT, "%s: field 'repeat' of hit %zu: expected true or false, got %s",
					           where, i, lc_json_type_name(rep));
					json_decref(obj);
					ret = -1;
					goto out;
				}
				if (json_is_true(rep) && !o->loft)
					continue;   /* a repeated pid: only LOFT measures count it */
				json_t *pid = json_is_object(h) ? json_object_get(h, "pid") : NULL;
				const char *p = pid ? lc_json_id(pid, &pb, "pid", where, e) : NULL;
				if (!p) {
					if (!pid)
						lc_err_set(e, LC_EXIT_INPUT, "%s: field 'hits': entry %zu has no 'pid'", where, i);
					json_decref(obj);
					ret = -1;
					goto out;
				}
				json_t *sc = json_object_get(h, "score");
				double s = (double)(nh - i);
				if (sc && json_is_number(sc))
					s = json_number_value(sc);
				else if (sc && !json_is_null(sc)) {
					lc_err_set(e, LC_EXIT_INPUT, "%s: field 'score' of hit %zu: expected a number, got %s",
					           where, i, lc_json_type_name(sc));
					json_decref(obj);
					ret = -1;
					goto out;
				}
				unscored[q->n - first] = !sc || json_is_null(sc);
				any_unscored |= unscored[q->n - first];
				lc_run_add(r, q, p, strlen(p), s);
			}
			if (any_unscored)
				fill_scores(q->h + first, q->n - first, unscored);
		} else if (r->format == LC_RUN_LOFT) {
			json_t *mo = lc_json_array(obj, "model_outputs", "an array of id lists", where, e);
			json_t *nt = json_object_get(obj, "num_turns");
			if (!mo) {
				json_decref(obj);
				ret = -1;
				break;
			}
			if (nt && !json_is_integer(nt)) {
				lc_err_set(e, LC_EXIT_INPUT, "%s: field 'num_turns': expected an integer", where);
				json_decref(obj);
				ret = -1;
				break;
			}
			/* last line wins */
			q->n = 0;
			free(q->turn_start);
			q->turn_start = NULL;
			q->num_turns = nt ? (uint32_t)json_integer_value(nt) : 1;
			size_t nturns = json_array_size(mo);
			q->turn_start = lc_xmalloc((nturns + 1) * sizeof *q->turn_start);
			q->ntstart = (uint32_t)nturns;
			size_t t;
			json_t *turn;
			json_array_foreach(mo, t, turn) {
				q->turn_start[t] = (uint32_t)q->n;
				if (!json_is_array(turn)) {
					lc_err_set(e, LC_EXIT_INPUT, "%s: field 'model_outputs': turn %zu is not a list", where, t);
					json_decref(obj);
					ret = -1;
					goto out;
				}
				size_t i, nh = json_array_size(turn);
				json_t *x;
				json_array_foreach(turn, i, x) {
					py_str(&pb, x);
					lc_run_add(r, q, pb.p ? pb.p : "", pb.len, (double)(nh - i));
				}
			}
			q->turn_start[nturns] = (uint32_t)q->n;
		} else {
			const char *text = NULL;
			size_t tn = 0;
			if (r->format == LC_RUN_BATCH) {
				json_t *resp = json_object_get(obj, "response");
				json_t *err = json_object_get(obj, "error");
				json_t *sc = json_is_object(resp) ? json_object_get(resp, "status_code") : NULL;
				json_t *body = json_is_object(resp) ? json_object_get(resp, "body") : NULL;
				json_t *ch = json_is_object(body) ? json_object_get(body, "choices") : NULL;
				json_t *c0 = json_is_array(ch) ? json_array_get(ch, 0) : NULL;
				json_t *msg = json_is_object(c0) ? json_object_get(c0, "message") : NULL;
				json_t *ct = json_is_object(msg) ? json_object_get(msg, "content") : NULL;
				if ((!err || json_is_null(err)) && (!sc || (json_is_integer(sc) && json_integer_value(sc) == 200)) &&
				    json_is_string(ct)) {
					text = json_string_value(ct);
					tn = json_string_length(ct);
				}
			} else {
				json_t *pids = json_object_get(obj, "pids");
				if (pids) {
					if (set_pids(r, q, pids, &pb, where, e) < 0) {
						json_decref(obj);
						ret = -1;
						break;
					}
					json_decref(obj);
					continue;
				}
				for (int kk = 0; tkeys[kk]; kk++) {
					json_t *v = json_object_get(obj, tkeys[kk]);
					if (json_is_string(v)) {
						text = json_string_value(v);
						tn = json_string_length(v);
						break;
					}
				}
				if (!text) {
					lc_err_set(e, LC_EXIT_INPUT, "%s: no answer text (expected a string field 'response_text', 'answer', 'response', 'output', 'text' or 'model_output')", where);
					json_decref(obj);
					ret = -1;
					break;
				}
			}
			if (set_answer(r, q, text, tn, o, &ids, where, e) < 0) {
				json_decref(obj);
				ret = -1;
				break;
			}
		}
		json_decref(obj);
	}
	if (rr < 0)
		ret = -1;
	if (!ret && !o->loft && (r->format == LC_RUN_LOFT || r->format == LC_RUN_ANSWERS || r->format == LC_RUN_BATCH))
		drop_repeats(r);
out:
	free(unscored);
	lc_buf_free(&idb);
	lc_buf_free(&pb);
	lc_strlist_free(&ids);
	return ret;
}

static int run_read(lc_run *r, const char *path, const lc_run_opts *o, int compact, lc_run_each each, void *ctx,
                    const lc_run_part *part, lc_err *e)
{
	lc_run_opts def = { 0 };
	if (!o)
		o = &def;
	lc_input *in = lc_input_open_default(path, o->member, NULL, o->member_option, e);
	if (!in)
		return -1;
	if (o->raw)
		lc_input_keep_bytes(in);
	char *line = NULL;
	size_t len = 0;
	int have = 0;
	/* the first non-blank line decides the format */
	int got = lc_input_getline_nonblank(in, &line, &len, e);
	if (got < 0) {
		lc_input_close(in);
		return -1;
	}
	have = got;
	r->empty = !have && lc_input_lineno(in) == 0;
	int format = o->format;
	if (format == LC_RUN_AUTO) {
		format = LC_RUN_TREC;
		if (have) {
			size_t k = 0;
			while (k < len && isws(line[k]))
				k++;
			if (line[k] == '{') {
				lc_err e2 = {0};
				json_t *obj = lc_json_parse_object(line, len, lc_input_where(in), &e2);
				format = LC_RUN_ANSWERS;
				if (obj) {
					if (json_object_get(obj, "hits"))
						format = LC_RUN_JSONL;
					else if (json_object_get(obj, "model_outputs"))
						format = LC_RUN_LOFT;
					else if (json_object_get(obj, "response") && json_object_get(obj, "custom_id"))
						format = LC_RUN_BATCH;
					json_decref(obj);
				}
			}
		}
	}
	r->format = format;
	int ret = 0;
	if (have) {
		lc_input_unget(in);   /* the readers start at the sniffed line */
		ret = format == LC_RUN_TREC ? read_trec(r, in, o->loft, o->empty_marks, compact && !o->loft, o->finite, each, ctx, part, e)
		    : each ? 1 : read_json(r, in, o, e);
	} else if (each)
		ret = 1;
	if (ret == 0)
		lc_input_warn_repaired(in);
	lc_input_close(in);
	return ret;
}

int lc_run_read(lc_run *r, const char *path, const lc_run_opts *o, lc_err *e)
{
	return run_read(r, path, o, 0, NULL, NULL, NULL, e);
}

int lc_run_read_compact(lc_run *r, const char *path, const lc_run_opts *o, lc_err *e)
{
	return run_read(r, path, o, 1, NULL, NULL, NULL, e);
}

int lc_run_stream(lc_run *r, const char *path, const lc_run_opts *o, lc_run_each fn, void *ctx, lc_err *e)
{
	return lc_run_stream_part(r, path, o, NULL, fn, ctx, e);   /* NULL: the whole file */
}

int lc_run_stream_part(lc_run *r, const char *path, const lc_run_opts *o, const lc_run_part *part, lc_run_each fn,
                       void *ctx, lc_err *e)
{
	struct stat st;
	if (!strcmp(path, "-") || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 1;   /* not to be read twice: the caller reads it once, whole */
	int ret = run_read(r, path, o, 1, fn, ctx, part, e);
	if (ret == 1)
		lc_run_free(r);
	return ret;
}

void lc_run_free(lc_run *r)
{
	for (size_t i = 0; i < r->nq; i++) {
		free(r->q[i].h);
		free(r->q[i].turn_start);
		free(r->q[i].rank);
		free(r->q[i].sc);
		free(r->q[i].doff);
		free(r->q[i].dbuf);
	}
	free(r->q);
	lc_strmap_free(&r->qids);
	lc_arena_free(&r->arena);
	memset(r, 0, sizeof *r);
}

int lc_hit_cmp_trec(const void *a, const void *b)
{
	const lc_hit *x = a, *y = b;
	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	return strcmp(y->docno, x->docno);
}

void lc_hits_sort_trec(lc_hit *h, size_t n)
{
	if (n > 1)
		qsort(h, n, sizeof *h, lc_hit_cmp_trec);
}

/* rep[k] = 1 for each hit of q (ranked) whose docno an earlier hit has: the
 * repeats of LOFT predictions and LLM answers, written as lctk-formats(5) marks
 * them.  Returns how many. */
static size_t mark_repeats(const lc_run_q *q, unsigned char *rep)
{
	memset(rep, 0, q->n);
	if (q->n < 2)
		return 0;
	lc_strmap seen = {0};
	size_t n = 0;
	for (size_t k = 0; k < q->n; k++) {
		int is_new;
		lc_strmap_intern(&seen, q->h[k].docno, strlen(q->h[k].docno), &is_new);
		n += rep[k] = !is_new;
	}
	lc_strmap_free(&seen);
	return n;
}

/* The ranking trec_eval's measures (and fusion) read from LOFT predictions, LLM
 * answers and Batch results, which keep the model's repeats: each query's hits
 * ranked (lc_hit_cmp_trec), the hits mark_repeats marks (as the writers mark
 * them and readers without opts.loft skip them) left out; the turns are one
 * ranking then. */
static void drop_repeats(lc_run *r)
{
	for (size_t i = 0; i < r->nq; i++) {
		lc_run_q *q = &r->q[i];
		free(q->turn_start);
		q->turn_start = NULL;
		q->ntstart = 0;
		if (q->n < 2)
			continue;
		qsort(q->h, q->n, sizeof *q->h, lc_hit_cmp_trec);
		unsigned char *rep = lc_xmalloc(q->n);
		if (mark_repeats(q, rep)) {
			size_t kept = 0;
			for (size_t k = 0; k < q->n; k++)
				if (!rep[k])
					q->h[kept++] = q->h[k];
			q->n = kept;
		}
		free(rep);
	}
}

static int cmp_score_desc(const void *a, const void *b, void *arg)
{
	(void)arg;
	double x = ((const lc_hit *)a)->score, y = ((const lc_hit *)b)->score;
	return x > y ? -1 : x < y;
}

/* The order the writers give a query's hits: by score, best first, hits of one
 * score in the order read.  trec_eval's measures rank by score and docno
 * whatever the order; LOFT measures take the order as written, so tied hits
 * keep theirs (a conversion gives the same LOFT figures as its input). */
static void rank_by_score(lc_hit *h, size_t n)
{
	if (n < 2)
		return;
	lc_hit *tmp = lc_xmalloc(n * sizeof *tmp);
	lc_msort(h, n, sizeof *h, tmp, cmp_score_desc, NULL);
	free(tmp);
}

int lc_run_write_trec(lc_run *r, lc_output *o, const char *tag, size_t *repeats, lc_err *e)
{
	if (!tag)
		tag = r->runid ? r->runid : "lctk";
	char num[64];
	for (size_t i = 0; i < r->nq; i++) {
		if (lc_trec_id_check(r->q[i].qid, "qid", "TREC", e) < 0)
			return -1;
		for (size_t k = 0; k < r->q[i].n; k++)
			if (lc_trec_id_check(r->q[i].h[k].docno, "docno", "TREC", e) < 0)
				return -1;
	}
	size_t cap = 0, marked = 0;
	unsigned char *rep = NULL;
	for (size_t i = 0; i < r->nq; i++) {
		lc_run_q *q = &r->q[i];
		if (q->unanswered)
			lc_output_printf(o, "#lctk unanswered %s\n", q->qid);
		else if (!q->n)
			lc_output_printf(o, "#lctk empty %s\n", q->qid);
		rank_by_score(q->h, q->n);
		if (q->n > cap)
			rep = lc_xrealloc(rep, cap = q->n);
		marked += mark_repeats(q, rep);
		for (size_t k = 0; k < q->n; k++) {
			lc_trec_score(num, sizeof num, q->h[k].score);
			lc_output_printf(o, "%s%s Q0 %s %zu %s %s\n", rep[k] ? "#lctk repeat " : "", q->qid, q->h[k].docno,
			                 k + 1, num, tag);
		}
	}
	free(rep);
	if (repeats)
		*repeats = marked;
	return 0;
}

size_t lc_run_write_jsonl(lc_run *r, lc_output *o)
{
	lc_buf b = {0};
	char num[64];
	size_t cap = 0, marked = 0;
	unsigned char *rep = NULL;
	for (size_t i = 0; i < r->nq; i++) {
		lc_run_q *q = &r->q[i];
		rank_by_score(q->h, q->n);
		if (q->n > cap)
			rep = lc_xrealloc(rep, cap = q->n);
		marked += mark_repeats(q, rep);
		lc_buf_reset(&b);
		lc_buf_adds(&b, "{\"qid\": ");
		lc_json_quote(&b, q->qid, strlen(q->qid));
		lc_buf_adds(&b, ", \"hits\": [");
		for (size_t k = 0; k < q->n; k++) {
			lc_buf_adds(&b, k ? ", {\"pid\": " : "{\"pid\": ");
			lc_json_quote(&b, q->h[k].docno, strlen(q->h[k].docno));
			lc_py_repr_double(num, sizeof num, q->h[k].score);
			lc_buf_printf(&b, ", \"score\": %s%s}", num, rep[k] ? ", \"repeat\": true" : "");
		}
		lc_buf_adds(&b, q->unanswered ? "], \"answered\": false}\n" : "]}\n");
		lc_output_write(o, b.p, b.len);
	}
	free(rep);
	lc_buf_free(&b);
	return marked;
}

size_t lc_run_write_loft(lc_run *r, lc_output *o)
{
	lc_buf b = {0};
	size_t written = 0;
	for (size_t i = 0; i < r->nq; i++) {
		lc_run_q *q = &r->q[i];
		if (q->unanswered)
			continue;   /* LOFT: no prediction line */
		if (r->format != LC_RUN_LOFT && r->format != LC_RUN_ANSWERS && r->format != LC_RUN_BATCH)
			rank_by_score(q->h, q->n);
		lc_buf_reset(&b);
		lc_buf_adds(&b, "{\"qid\": ");
		lc_json_quote(&b, q->qid, strlen(q->qid));
		uint32_t nt = q->turn_start ? q->ntstart : 1;
		lc_buf_printf(&b, ", \"num_turns\": %u, \"model_outputs\": [", q->turn_start ? q->num_turns : 1);
		for (uint32_t t = 0; t < nt; t++) {
			size_t a = q->turn_start ? q->turn_start[t] : 0, z = q->turn_start ? q->turn_start[t + 1] : q->n;
			lc_buf_adds(&b, t ? ", [" : "[");
			for (size_t k = a; k < z; k++) {
				if (k > a)
					lc_buf_adds(&b, ", ");
				lc_json_quote(&b, q->h[k].docno, strlen(q->h[k].docno));
			}
			lc_buf_addc(&b, ']');
		}
		lc_buf_adds(&b, "]}\n");
		lc_output_write(o, b.p, b.len);
		written++;
	}
	lc_buf_free(&b);
	return written;
}
