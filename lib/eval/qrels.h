/*
 * qrels — relevance judgments in every format lctk reads, and writers for each.
 *
 * Formats:
 *   TREC   "qid iter docno rel", exactly 4 white-space separated fields; rel is
 *          read as C atol() does ("2.9" -> 2, "+3" -> 3); a line starting with '#'
 *          is a comment.  (trec_eval 10.0 semantics.)
 *   BEIR   tab-separated "query-id corpus-id score" with that header line, as in
 *          BEIR's qrels/test.tsv — also straight out of a BEIR zip or tar, any
 *          compression (its qrels/test.tsv unless another member is given).
 *   LOFT   queries JSONL {"qid", ..., "answers": [[pid, rel], ...]}; each entry
 *          read by lib/core/gold as every LOFT query reader reads it ([pid, rel],
 *          [pid] or a bare pid; rel 1, 1.0 or "1"; pid stripped of white space);
 *          every answer is kept, in order, duplicates included (LOFT counts
 *          them); rel is kept.  A line without "answers" (or null) is an error:
 *          such a query has no gold (LOFT's evaluation fails on it too).
 *   TREC_JG trec_eval's qrels_jg (-R qrels_jg): "qid jg docno rel", the TREC
 *          layout with a judgment group (a user) in the second field; each
 *          query's judgments are kept sorted by group, then docno (strcmp), the
 *          groups' bounds in grp.  A docno twice in a group is an error
 *          (trec_eval's words, code 2), found when the file is read.  Never
 *          detected: asked for by name.  (qrels_jg.c)
 *   PREFS  trec_eval's prefs (-R prefs): "qid jg jsg docno level", five fields:
 *          a judgment group (one user's information need), a sub-group inside
 *          it whose docs are ranked against one another by level, and the level,
 *          read as C atof() does ("3", "2.5", "x" -> 0).  TREC_PREFS is trec_eval's
 *          qrels_prefs (-R qrels_prefs): TREC qrels read that way, the second
 *          field the group, every line in sub-group "0", the level atof'd.  Each
 *          judgment's group, sub-group and level are in pref (j[k].rel is 0);
 *          judgments stay in file order.  A line that is not five (four) fields
 *          is an error in trec_eval's words (its "Malformed line N" counts the
 *          lines that are not '#' comments), code 2, and so is an empty file.
 *          Never detected.  (qrels_prefs.c)
 * Detection (LC_QRELS_AUTO) looks at the first content line: '{' = LOFT, a
 * "query-id" header or three tab-separated fields = BEIR, otherwise TREC.
 *
 * A judgment set is grouped by query in first-appearance order; each query keeps
 * its judgments in file order.  `recs` lists the source records: for LOFT one per
 * query line (a repeated qid gives two records over the same query), for the
 * other formats one per query.
 *
 * Relevance values above LC_QRELS_MAX_REL are rejected.
 * Errors: "FILE:LINE: what was expected" in e (code LC_EXIT_INPUT; a malformed
 * TREC line also sets ref_code LC_TREC_EXIT_FORMAT, trec_eval's exit for it).
 *
 * Ownership: lc_qrels owns every string (arena) and array; lc_qrels_free()
 * releases all.  Pointers stay valid until then.
 */
#ifndef LC_QRELS_H
#define LC_QRELS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "input.h"
#include "output.h"
#include "strmap.h"

/* Largest relevance value accepted (evaluation keeps a count per value). */
#define LC_QRELS_MAX_REL 1000000

enum lc_qrels_format { LC_QRELS_AUTO = 0, LC_QRELS_TREC, LC_QRELS_BEIR, LC_QRELS_LOFT, LC_QRELS_TREC_JG,
                       LC_QRELS_PREFS, LC_QRELS_TREC_PREFS };

typedef struct lc_judg {
	const char *docno;
	long rel;
} lc_judg;

/* A preference judgment's group, sub-group (borrowed from the qrels) and level. */
typedef struct lc_qrels_pref {
	const char *jg, *jsg;
	double level;
} lc_qrels_pref;

typedef struct lc_qrels_q {
	const char *qid;
	lc_judg *j;
	size_t n, cap;
	uint32_t *grp;           /* TREC_JG: [ngrp + 1] group g is j[grp[g] .. grp[g + 1]); else NULL */
	size_t ngrp;
	lc_qrels_pref *pref;     /* PREFS, TREC_PREFS: [n] judgment k's group and level; else NULL */
} lc_qrels_q;

typedef struct lc_qrels_rec {
	uint32_t q;              /* query index */
	uint32_t start, n;       /* its judgments: q[q].j[start .. start+n) */
} lc_qrels_rec;

typedef struct lc_qrels {
	lc_strmap qids;          /* qid -> query index */
	lc_qrels_q *q;
	size_t nq;
	lc_qrels_rec *recs;
	size_t nrecs, caprecs;
	size_t njudg;
	int format;              /* the format read */
	int raw;                 /* set by the caller before lc_qrels_read: the text formats' ids keep their
	                          * bytes (lc_input_keep_bytes), NUL aside, for byte comparison (lceval) */
	lc_arena arena;
} lc_qrels;

/* "trec", "beir", "loft", "trec_jg", "prefs", "trec_prefs" -> LC_QRELS_*; "auto" -> AUTO; -1 if unknown. */
int lc_qrels_format_from_name(const char *name);
/* The name lc_qrels_format_from_name takes for fmt ("trec", "auto" ...); a static string. */
const char *lc_qrels_format_name(int fmt);

/* The member a BEIR dataset's zip or tar holds its test qrels in, and the one a
 * LOFT dataset's holds its answers in (its queries, as LOFT's evaluation reads). */
#define LC_QRELS_MEMBER "*qrels/test.tsv"
#define LC_QRELS_LOFT_MEMBER LC_DATASET_QUERIES

/* Reads path ("-" = stdin) into q, which must be zero-initialised (but for raw).  member is an
 * archive member glob; NULL = LC_QRELS_MEMBER when the bytes are a zip or tar
 * archive, whatever the name (lc_input_open_default: x.tar.bz2, a zip on
 * standard input), or LC_QRELS_LOFT_MEMBER (by base name, not
 * few_shot_queries.jsonl) when the archive, a file, has no such member; the
 * whole input when it is not an archive.  member_option is the program's option
 * that sets member (lceval's "--qrels-member", lcconv's "--member"), which the
 * messages about members name; NULL when it has none (they say to extract the
 * file).  Returns 0, or -1 with e filled. */
int lc_qrels_read(lc_qrels *q, const char *path, const char *member, const char *member_option, int format,
                  lc_err *e);
void lc_qrels_free(lc_qrels *q);

/* Adds one judgment (used by readers and by programs building qrels); returns
 * its query's index in q->q. */
uint32_t lc_qrels_add(lc_qrels *q, const char *qid, size_t qlen, const char *docno, size_t dlen, long rel);
/* Sets the records to one per query, all its judgments (the TREC, BEIR and
 * prefs readers' last step). */
void lc_qrels_recs_per_query(lc_qrels *q);

/* qrels_jg.c: a judgment's group as read_trec meets it (jg in q's arena), and
 * the step that sorts each query's judgments by group and docno and sets grp
 * once the file is read: -1 + e (trec_eval's text, code 2) on a docno judged
 * twice in one group, naming path as trec_eval does.  lines is borrowed. */
typedef struct lc_qrels_jgline {
	uint32_t q, k;           /* query index, judgment index in q->q[q].j */
	const char *jg;
} lc_qrels_jgline;
int lc_qrels_group(lc_qrels *q, const lc_qrels_jgline *lines, size_t n, const char *path, lc_err *e);

/* qrels_prefs.c: reads in (positioned at its first line) as PREFS or
 * TREC_PREFS (format) into q, which must hold no query yet: 0, or -1 + e
 * (trec_eval's text, code 2). */
int lc_qrels_read_prefs(lc_qrels *q, lc_input *in, int format, lc_err *e);

/* Writers.  TREC: "qid 0 docno rel" per judgment.  BEIR: the header, then
 * "qid\tdocno\trel".  LOFT: one {"qid", "answers": [[docno, rel], ...]} line per
 * query (no query_text: a qrels file has none).  Order: queries and judgments as
 * stored. */
/* TREC and BEIR refuse (-1 + e, nothing written) an empty qid or docno or one
 * holding white space (trecid.h). */
int lc_qrels_write_trec(const lc_qrels *q, lc_output *o, lc_err *e);
int lc_qrels_write_beir(const lc_qrels *q, lc_output *o, lc_err *e);
void lc_qrels_write_loft(const lc_qrels *q, lc_output *o);

#endif
