/* batch — split OpenAI Batch request files at the API's limits, and pick the
 * requests to submit again; see batch.h. */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "input.h"
#include "json.h"
#include "llm.h"
#include "output.h"
#include "strmap.h"

/* The custom_id of a request line (into idb), or NULL + e. */
static const char *request_id(char *line, size_t len, const char *where, lc_buf *idb, json_t **obj, lc_err *e)
{
	*obj = lc_json_parse_object(line, len, where, e);
	if (!*obj)
		return NULL;
	const char *id = lc_json_id(json_object_get(*obj, "custom_id"), idb, "custom_id", where, e);
	if (!id) {
		json_decref(*obj);
		*obj = NULL;
	}
	return id;
}

/* prefix for path: without .gz/.zst/.xz/.bz2, then without .jsonl (malloc'd) */
static char *default_prefix(const char *path)
{
	lc_buf b = {0};
	lc_buf_adds(&b, path);
	static const char *const sfx[] = { ".gz", ".zst", ".xz", ".bz2", ".jsonl", NULL };
	for (int k = 0; sfx[k]; k++) {
		size_t n = strlen(sfx[k]);
		if (b.len > n && !strcmp(b.p + b.len - n, sfx[k])) {
			b.len -= n;
			b.p[b.len] = 0;
		}
	}
	return lc_buf_detach(&b);
}

int lc_batch_split(const char *path, const char *prefix, size_t max_lines, unsigned long long max_bytes,
                   size_t *parts, lc_err *e)
{
	*parts = 0;
	/* pass 1: every line a request with a custom_id, none over max_bytes */
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	char *line;
	size_t len;
	int r;
	lc_buf idb = {0};
	size_t nlines = 0;
	while ((r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		const char *where = lc_input_where(in);
		json_t *obj;
		if (!request_id(line, len, where, &idb, &obj, e))
			break;
		json_decref(obj);
		if (len + 1 > max_bytes) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: the request is %zu bytes, over --max-bytes %llu: it cannot go in any part",
			           where, len + 1, max_bytes);
			break;
		}
		nlines++;
	}
	lc_input_close(in);
	lc_buf_free(&idb);
	if (r != 0)
		return -1;
	if (!nlines)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: no requests", path);
	/* pass 2: write the parts */
	char *pre = prefix ? lc_xstrdup(prefix) : default_prefix(path);
	if (!(in = lc_input_open(path, NULL, e))) {
		free(pre);
		return -1;
	}
	lc_buf name = {0};
	lc_output *o = NULL;
	size_t in_part = 0;
	unsigned long long bytes = 0;
	while ((r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		if (o && (in_part == max_lines || bytes + len + 1 > max_bytes)) {
			lc_output_commit(o);
			o = NULL;
		}
		if (!o) {
			lc_buf_reset(&name);
			lc_buf_printf(&name, "%s.part-%03zu.jsonl", pre, ++*parts);
			o = lc_output_open(name.p);
			in_part = 0;
			bytes = 0;
		}
		lc_output_write(o, line, len);
		lc_output_write(o, "\n", 1);
		in_part++;
		bytes += len + 1;
	}
	if (o) {
		if (r == 0)
			lc_output_commit(o);
		else
			lc_output_abort(o);
	}
	lc_input_close(in);
	lc_buf_free(&name);
	free(pre);
	return r == 0 ? 0 : -1;
}

typedef struct {
	lc_strmap ok;
} failed_ctx;

static void on_result(void *ud, const char *id, const lc_llm_result *r, const char *where)
{
	failed_ctx *x = ud;
	(void)where;
	if (r->ok)
		lc_strmap_intern(&x->ok, id, strlen(id), NULL);
}

int lc_batch_failed(const char *requests, const char *results, const char *out, size_t *failed, size_t *total,
                    lc_err *e)
{
	*failed = *total = 0;
	failed_ctx x = {0};
	if (lc_llm_batch_read(results, on_result, &x, e) < 0) {
		lc_strmap_free(&x.ok);
		return -1;
	}
	lc_input *in = lc_input_open(requests, NULL, e);
	if (!in) {
		lc_strmap_free(&x.ok);
		return -1;
	}
	lc_output *o = lc_output_open(out);
	lc_buf idb = {0};
	char *line;
	size_t len;
	int r;
	while ((r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		json_t *obj;
		const char *id = request_id(line, len, lc_input_where(in), &idb, &obj, e);
		if (!id) {
			r = -1;
			break;
		}
		(*total)++;
		if (lc_strmap_find(&x.ok, id, strlen(id)) < 0) {
			lc_output_write(o, line, len);
			lc_output_write(o, "\n", 1);
			(*failed)++;
		}
		json_decref(obj);
	}
	if (r == 0)
		lc_output_commit(o);
	else
		lc_output_abort(o);
	lc_input_close(in);
	lc_buf_free(&idb);
	lc_strmap_free(&x.ok);
	return r == 0 ? 0 : -1;
}
