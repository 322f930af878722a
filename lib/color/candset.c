/* candset — lcgen candidates files read into memory, grouped by pid (see candset.h). */
#include "candset.h"
#include "input.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

void lc_candset_free(lc_candset *cs)
{
	free(cs->v);
	free(cs->start);
	free(cs->count);
	lc_strmap_free(&cs->pids);
	json_decref(cs->keep);
	memset(cs, 0, sizeof *cs);
}

/* Adds the candidate of line o (pid, name, text already checked); -1 on error. */
static int add(lc_candset *cs, json_t *o, const char *pid, const char *name, const char *text, const char *w,
               lc_err *e)
{
	if (!json_is_string(json_object_get(o, "pid")))   /* a number: kept as its text */
		json_object_set_new(o, "pid", json_string(pid));
	pid = json_string_value(json_object_get(o, "pid"));
	json_array_append_new(cs->keep, o);
	int is_new;
	uint32_t id = lc_strmap_intern(&cs->pids, pid, strlen(pid), &is_new);
	if (is_new) {
		cs->start = lc_xrealloc(cs->start, (id + 1) * sizeof *cs->start);
		cs->count = lc_xrealloc(cs->count, (id + 1) * sizeof *cs->count);
		cs->start[id] = cs->n;
		cs->count[id] = 0;
	} else if (cs->start[id] + cs->count[id] != cs->n) {
		return lc_err_set(e, LC_EXIT_INPUT, "%s: candidates of pid '%s' are not consecutive (write them grouped by pid, as lcgen candidates does)", w, pid);
	}
	json_t *wj = json_object_get(o, "tokens");
	if (!json_is_integer(wj) || json_integer_value(wj) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'tokens': expected a count (write candidates with lcgen candidates)", w);
	cs->count[id]++;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 4096;
		cs->v = lc_xrealloc(cs->v, cs->cap * sizeof *cs->v);
	}
	cs->v[cs->n] = (lc_cand){ pid, name, text, (size_t)json_integer_value(wj) };
	cs->n++;
	return 0;
}

int lc_candset_load(lc_candset *cs, const char *path, lc_err *e)
{
	memset(cs, 0, sizeof *cs);
	cs->keep = json_array();
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in) {
		lc_candset_free(cs);
		return -1;
	}
	char *line;
	size_t len;
	lc_buf idb = {0};
	int r, rc = 0;
	while (!rc && (r = lc_input_getline(in, &line, &len, e)) != 0) {
		if (r < 0) {
			rc = -1;
			break;
		}
		if (!len)
			continue;
		const char *w = lc_input_where(in);
		json_t *o = lc_json_parse_object(line, len, w, e);
		const char *pid = o ? lc_json_id(json_object_get(o, "pid"), &idb, "pid", w, e) : NULL;
		const char *name = pid ? lc_json_str(o, "name", w, e) : NULL;
		const char *text = name ? lc_json_str(o, "text", w, e) : NULL;
		if (!text) {
			json_decref(o);
			rc = -1;
		} else {
			rc = add(cs, o, pid, name, text, w, e);
		}
	}
	lc_buf_free(&idb);
	lc_input_close(in);
	if (rc)
		lc_candset_free(cs);
	return rc;
}

size_t lc_candset_of(const lc_candset *cs, const char *pid, size_t *count)
{
	long id = lc_strmap_find(&cs->pids, pid, strlen(pid));
	*count = id < 0 ? 0 : cs->count[id];
	return id < 0 ? 0 : cs->start[id];
}

long lc_candset_find(const lc_candset *cs, const char *pid, const char *name)
{
	size_t n, k = lc_candset_of(cs, pid, &n);
	for (size_t end = k + n; k < end; k++)
		if (!strcmp(cs->v[k].name, name))
			return (long)k;
	return -1;
}
