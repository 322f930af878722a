/* queries — LOFT / BEIR / TSV query reader and writers (see queries.h). */
#include "queries.h"
#include "gold.h"
#include "input.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static lc_query *new_query(lc_queries *qs)
{
	if (qs->n == qs->cap) {
		qs->cap = qs->cap ? qs->cap * 2 : 256;
		qs->q = lc_xrealloc(qs->q, qs->cap * sizeof *qs->q);
	}
	lc_query *q = &qs->q[qs->n];
	memset(q, 0, sizeof *q);
	return q;
}

/* A LOFT query's "answers": its entries as lib/core/gold reads them (lceval's
 * LOFT qrels reader reads them the same way); absent or null = no answers. */
static int parse_answers(lc_queries *qs, lc_query *q, json_t *a, const char *where, lc_err *e)
{
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'answers': expected an array, got %s", where,
		                  lc_json_type_name(a));
	size_t n = json_array_size(a);
	if (!n)
		return 0;
	q->ans = lc_arena_alloc(&qs->arena, n * sizeof *q->ans);
	lc_buf idb = {0};
	for (size_t i = 0; i < n; i++) {
		const char *pid;
		size_t pl;
		int rel;
		if (lc_gold_entry(json_array_get(a, i), i, &idb, &pid, &pl, &rel, where, e) < 0) {
			lc_buf_free(&idb);
			return -1;
		}
		q->ans[q->nans].pid = lc_arena_strndup(&qs->arena, pid, pl);
		q->ans[q->nans].rel = rel;
		q->nans++;
	}
	lc_buf_free(&idb);
	return 0;
}

/* A LOFT query's text: a string, or a list of turns as LOFT's loader allows
 * (utils.load_data_from_file keeps a list; a one-element list is one turn).
 * lctk's query sets are single-turn: a list of several turns is an error. */
static const char *query_text(json_t *o, const char *where, lc_err *e)
{
	json_t *v = json_object_get(o, "query_text");
	if (json_is_array(v)) {
		size_t n = json_array_size(v);
		if (n == 1 && json_is_string(json_array_get(v, 0)))
			return lc_json_str_value(json_array_get(v, 0), "query_text", where, e);
		if (n > 1) {
			lc_err_set(e, LC_EXIT_INPUT,
			           "%s: field 'query_text': a list of %zu turns (a multi-turn LOFT query); lctk reads "
			           "single-turn queries: a string, or a list of one",
			           where, n);
			return NULL;
		}
	}
	return lc_json_str(o, "query_text", where, e);
}

static int parse_json(lc_queries *qs, lc_query *q, const char *line, size_t len, lc_input *in,
                      const lc_queries_opts *opts, lc_err *e)
{
	const char *where = lc_input_where(in);
	json_t *o = lc_json_parse_object(line, len, where, e);
	if (!o)
		return -1;
	lc_buf idb = {0};
	int rc = -1;
	const char *id, *text;
	json_t *ans = NULL;
	if (json_object_get(o, "qid")) {
		if (!(id = lc_json_id(json_object_get(o, "qid"), &idb, "qid", where, e)))
			goto out;
		if (!(text = query_text(o, where, e)))
			goto out;
		ans = json_object_get(o, "answers");
	} else if (json_object_get(o, "_id")) {
		if (!(id = lc_json_id(json_object_get(o, "_id"), &idb, "_id", where, e)))
			goto out;
		if (!(text = lc_json_str(o, "text", where, e)))
			goto out;
	} else {
		lc_err_set(e, LC_EXIT_INPUT, "%s: no query id: expected 'qid' (LOFT) or '_id' (BEIR)", where);
		goto out;
	}
	if (!*id) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: empty query id", where);
		goto out;
	}
	if (lc_idset_add(&qs->qids, id, "qid", lc_input_name(in), lc_input_lineno(in), where, e) < 0)
		goto out;
	q->qid = lc_strmap_str(&qs->qids.ids, (uint32_t)qs->n);
	q->line = lc_input_lineno(in);
	q->text = lc_arena_strndup(&qs->arena, text, strlen(text));
	if (parse_answers(qs, q, ans, where, e) < 0)
		goto out;
	if (opts && opts->keep_meta && json_object_get(o, "metadata")) {
		lc_buf mb = {0};
		lc_json_dump(&mb, json_object_get(o, "metadata"));
		q->meta = lc_arena_strndup(&qs->arena, mb.p, mb.len);
		lc_buf_free(&mb);
	}
	qs->n++;
	rc = 0;
out:
	lc_buf_free(&idb);
	json_decref(o);
	return rc;
}

int lc_queries_load(lc_queries *qs, const char *path, const lc_queries_opts *opts, lc_err *e)
{
	lc_input *in = lc_input_open_default(path, opts ? opts->member : NULL, LC_DATASET_QUERIES,
	                                     opts ? opts->member_option : NULL, e);
	if (!in)
		return -1;
	char *line;
	size_t len;
	int r, rc = 0;
	while ((r = lc_input_getline(in, &line, &len, e)) == 1) {
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i == len)
			continue;
		lc_query *q = new_query(qs);
		if (line[i] == '{') {
			if (parse_json(qs, q, line, len, in, opts, e) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		lc_input_repair(in, &line, &len);   /* TSV text goes into JSON strings */
		const char *tab = memchr(line, '\t', len);
		const char *where = lc_input_where(in);
		if (!tab || tab == line) {
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: expected a JSON object or 'qid<TAB>text'", where);
			break;
		}
		char *qid = lc_xstrndup(line, (size_t)(tab - line));
		if (lc_idset_add(&qs->qids, qid, "qid", lc_input_name(in), lc_input_lineno(in), where, e) < 0) {
			free(qid);
			rc = -1;
			break;
		}
		free(qid);
		q->qid = lc_strmap_str(&qs->qids.ids, (uint32_t)qs->n);
		q->line = lc_input_lineno(in);
		q->text = lc_arena_strndup(&qs->arena, tab + 1, len - (size_t)(tab + 1 - line));
		qs->n++;
	}
	if (r < 0)
		rc = -1;
	if (rc == 0)
		lc_input_warn_repaired(in);
	lc_input_close(in);
	return rc;
}

void lc_queries_free(lc_queries *qs)
{
	free(qs->q);
	lc_idset_free(&qs->qids);
	lc_arena_free(&qs->arena);
	memset(qs, 0, sizeof *qs);
}

static void quote(lc_buf *out, const char *s)
{
	lc_json_quote(out, s ? s : "", s ? strlen(s) : 0);
}

void lc_queries_write_loft(lc_buf *out, const lc_query *q)
{
	lc_buf_adds(out, "{\"qid\":");
	quote(out, q->qid);
	lc_buf_adds(out, ",\"query_text\":");
	quote(out, q->text);
	lc_buf_adds(out, ",\"answers\":[");
	for (size_t i = 0; i < q->nans; i++) {
		lc_buf_adds(out, i ? ",[" : "[");
		quote(out, q->ans[i].pid);
		lc_buf_printf(out, ",%d]", q->ans[i].rel);
	}
	lc_buf_adds(out, "],\"metadata\":");
	lc_buf_adds(out, q->meta ? q->meta : "{}");
	lc_buf_adds(out, "}\n");
}

void lc_queries_write_beir(lc_buf *out, const lc_query *q)
{
	lc_buf_adds(out, "{\"_id\":");
	quote(out, q->qid);
	lc_buf_adds(out, ",\"text\":");
	quote(out, q->text);
	lc_buf_adds(out, "}\n");
}

static void add_flat(lc_buf *out, const char *s)
{
	for (; s && *s; s++)
		lc_buf_addc(out, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

int lc_queries_tsv_id_check(const char *qid, lc_err *e)
{
	if (qid[strcspn(qid, "\t\n\r")] || *qid == '{')
		return lc_err_set(e, LC_EXIT_INPUT, "qid '%s' %s, which a TSV queries line cannot hold as its first "
		                  "field; rename it or write JSONL (--to loft or beir)", qid,
		                  *qid == '{' ? "starts with '{'" : "contains a tab or line break");
	return 0;
}

void lc_queries_write_tsv(lc_buf *out, const lc_query *q)
{
	add_flat(out, q->qid);
	lc_buf_addc(out, '\t');
	add_flat(out, q->text);
	lc_buf_addc(out, '\n');
}
