/* report — collects a program's figures as a JSON object and writes it atomically (--report FILE). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "output.h"

#ifndef LCTK_VERSION
#define LCTK_VERSION "unknown"
#endif

void lc_report_arg(lc_report *r, const lc_cmd *cmd, const char *path)
{
	lc_err e = {0};
	if (strcmp(path, "-") && lc_output_check(path, &e) < 0) {
		if (e.code == LC_EXIT_USAGE)
			lc_cli_usage_error(cmd, "--report: %s", e.msg);
		lc_die(e.code, "--report: %s", e.msg);
	}
	r->path = path;
}

void lc_report_start(lc_report *r, const lc_cmd *cmd, int stdout_busy, int ninputs, char *const *inputs)
{
	if (!r->path)
		return;
	if (!strcmp(r->path, "-") && stdout_busy)
		lc_cli_usage_error(cmd, "--report -: standard output carries the program's data; give --report FILE (or -o FILE)");
	if (r->o)
		json_decref(r->o);
	r->o = json_object();
	json_object_set_new(r->o, "program", json_string(cmd->name));
	json_object_set_new(r->o, "version", json_string(LCTK_VERSION));
	json_t *in = json_array();
	for (int i = 0; i < ninputs; i++)
		json_array_append_new(in, lc_json_text(inputs[i]));
	if (!ninputs)
		json_array_append_new(in, json_string("-"));
	json_object_set_new(r->o, "inputs", in);
}

int lc_report_on(const lc_report *r) { return r->o != NULL; }

/* The object that holds key's last component: "a.b" walks into (or creates) a. */
static json_t *parent_of(lc_report *r, const char *key, const char **last)
{
	json_t *o = r->o;
	const char *dot;
	while ((dot = strchr(key, '.'))) {
		char *k = lc_xstrndup(key, (size_t)(dot - key));
		json_t *c = json_object_get(o, k);
		if (!json_is_object(c)) {
			c = json_object();
			json_object_set_new(o, k, c);
		}
		free(k);
		o = c;
		key = dot + 1;
	}
	*last = key;
	return o;
}

void lc_report_set(lc_report *r, const char *key, json_t *v)
{
	if (!r->o) {
		json_decref(v);
		return;
	}
	const char *k;
	json_t *o = parent_of(r, key, &k);
	json_object_set_new(o, k, v ? v : json_null());
}

void lc_report_int(lc_report *r, const char *key, long long v)
{
	if (r->o)
		lc_report_set(r, key, json_integer(v));
}

void lc_report_real(lc_report *r, const char *key, double v)
{
	if (r->o)
		lc_report_set(r, key, isfinite(v) ? json_real(v) : json_null());
}

void lc_report_str(lc_report *r, const char *key, const char *v)
{
	if (r->o)
		lc_report_set(r, key, lc_json_text(v));
}

void lc_report_bool(lc_report *r, const char *key, int v)
{
	if (r->o)
		lc_report_set(r, key, json_boolean(v));
}

json_t *lc_report_array(lc_report *r, const char *key)
{
	if (!r->o)
		return NULL;
	const char *k;
	json_t *o = parent_of(r, key, &k);
	json_t *a = json_object_get(o, k);
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(o, k, a);
	}
	return a;
}

void lc_report_write(lc_report *r)
{
	if (!r->o)
		return;
	char *s = json_dumps(r->o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s)
		lc_die(LC_EXIT_INPUT, "%s: cannot encode the report", r->path);
	lc_output *o = lc_output_open(r->path);
	lc_output_puts(o, s);
	lc_output_write(o, "\n", 1);
	lc_output_commit(o);
	free(s);
	lc_report_free(r);
}

void lc_report_free(lc_report *r)
{
	if (r->o)
		json_decref(r->o);
	r->o = NULL;
}
