/*
 * lcplot — turns JSON records into a gnuplot chart.
 *
 * Reads JSONL or JSON documents (lceval --json, report files; --records PATH
 * picks an array of records inside them, --paste joins the i-th records of
 * several inputs, --group N the i-th records of every N inputs in turn, so a
 * report file and lceval --json's output per run make one point; --tag FIELD
 * names each record after its input file), takes numeric fields -x and -y (a histogram needs only -x;
 * a field may be a path into nested objects, "summary.recall_5"), optionally
 * splits them into series by --by FIELD, labels points with --label FIELD and
 * draws error bars (--yerr, or --ylow/--yhigh), and writes a self-contained
 * gnuplot script with the data inline, or runs gnuplot for SVG, PNG or PDF
 * (format from -o's suffix or --format; a suffix lcplot cannot write is a usage
 * error).  No data string is ever evaluated by gnuplot (lib/plot/plot.h).  Records
 * without the fields are counted and reported, never silently dropped.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "options.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "plot.h"
#include "strmap.h"

/* The options, each bound to its variable in the table (lib/cli/cli.h); the
 * switch is gone.  --type, --size and --format are checked after parsing. */
static struct {
	const char *xf, *yf, *by, *labf, *type, *title, *xl, *yl, *fmt, *out, *size;
	const char *yerr, *ylow, *yhigh, *recpath, *tag;
	long bins, group;
	int logx, logy, paste;
} O = { .type = "points", .size = "800,500", .bins = 20 };

static const lc_opt opts[] = {
	{ 'x', "x", "FIELD", "numeric field on the x axis (the value for a histogram); a.b.c reaches into objects", NULL, LC_BIND_STR(O.xf) },
	{ 'y', "y", "FIELD", "numeric field on the y axis", NULL, LC_BIND_STR(O.yf) },
	{ 0, "by", "FIELD", "one series per value of FIELD", NULL, LC_BIND_STR(O.by) },
	{ 0, "label", "FIELD", "label each point with FIELD", NULL, LC_BIND_STR(O.labf) },
	{ 0, "type", "TYPE", "points (default), lines, linespoints or hist", "points lines linespoints hist", LC_BIND_STR(O.type) },
	{ 0, "bins", "N", "histogram bins (default 20)", NULL, LC_BIND_LONG(O.bins, 1, 10000) },
	{ 0, "title", "TEXT", "chart title", NULL, LC_BIND_STR(O.title) },
	{ 0, "xlabel", "TEXT", "x axis label (default the field)", NULL, LC_BIND_STR(O.xl) },
	{ 0, "ylabel", "TEXT", "y axis label (default the field, or count)", NULL, LC_BIND_STR(O.yl) },
	{ 0, "size", "W,H", "picture size in pixels (default 800,500; PDF 100 an inch)", NULL, LC_BIND_STR(O.size) },
	{ 0, "logx", NULL, "logarithmic x axis (histogram: logarithmic bins)", NULL, LC_BIND_SET(O.logx, 1) },
	{ 0, "logy", NULL, "logarithmic y axis", NULL, LC_BIND_SET(O.logy, 1) },
	{ 0, "yerr", "FIELD", "error bar y-FIELD to y+FIELD", NULL, LC_BIND_STR(O.yerr) },
	{ 0, "ylow", "FIELD", "error bar from FIELD (with --yhigh)", NULL, LC_BIND_STR(O.ylow) },
	{ 0, "yhigh", "FIELD", "error bar to FIELD (with --ylow)", NULL, LC_BIND_STR(O.yhigh) },
	{ 0, "records", "PATH", "the records are the array (or object) at PATH in each JSON value, e.g. runs", NULL, LC_BIND_STR(O.recpath) },
	{ 0, "paste", NULL, "record i is the i-th records of all inputs merged (later inputs win a clash)", NULL, LC_BIND_SET(O.paste, 1) },
	{ 0, "group", "N", "as --paste, over each N consecutive inputs in turn (e.g. a --report file and lceval --json output per point)", NULL, LC_BIND_LONG(O.group, 1, 100000) },
	{ 0, "input-name", "FIELD", "set FIELD of each record (unless present) to its input's name: no directory, no .json/.jsonl suffix", NULL, LC_BIND_STR(O.tag) },
	LC_OPT_FORMAT(0, "gp svg png pdf", LC_BIND_STR(O.fmt)),
	LC_OPT_OUTPUT(LC_BIND_STR(O.out)),
	LC_OPT_END
};
static const lc_cmd cmd = { "lcplot", "-x FIELD [-y FIELD] [--by FIELD] [--type TYPE] [-o OUT] [FILE...]",
	"turn JSON records into a gnuplot chart (script, SVG, PNG or PDF)", opts, NULL };

static int number_of(json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return isfinite(*out);
	}
	if (json_is_string(v)) {
		char *e;
		errno = 0;
		*out = strtod(json_string_value(v), &e);
		return e != json_string_value(v) && !*e && !errno && isfinite(*out);
	}
	return 0;
}

static int cmp_pt(const void *a, const void *b)
{
	const lc_plot_point *p = a, *q = b;
	if (p->series != q->series)
		return p->series < q->series ? -1 : 1;
	return (p->x > q->x) - (p->x < q->x);
}

/* The format -o's name asks for: "gp", "svg", "png", "pdf"; NULL when the name
 * has no suffix (after a compression suffix); "" for a suffix lcplot cannot write. */
static const char *format_of_name(const char *out)
{
	const char *base = strrchr(out, '/');
	base = base ? base + 1 : out;
	size_t n = strlen(base);
	static const char *const z[] = { ".gz", ".zst", ".xz", ".bz2" };
	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++) {
		size_t zl = strlen(z[i]);
		if (n > zl && !strcmp(base + n - zl, z[i])) {
			n -= zl;
			break;
		}
	}
	size_t dot = n;
	while (dot > 0 && base[dot - 1] != '.')
		dot--;
	if (dot <= 1)   /* no dot, or only a leading one (".hidden") */
		return NULL;
	const char *ext = base + dot;
	size_t el = n - dot;
	static const char *const known[][2] = { { "gp", "gp" }, { "gnuplot", "gp" }, { "plt", "gp" },
		{ "svg", "svg" }, { "png", "png" }, { "pdf", "pdf" } };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i][0]) == el && !strncmp(ext, known[i][0], el))
			return known[i][1];
	return "";
}

/* --tag: FIELD = the input's name without directory and .json/.jsonl (and a
 * compression suffix), in every record that has no FIELD yet. */
static void tag_records(json_t *recs, const char *field, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	static const char *const sfx[] = { ".gz", ".zst", ".xz", ".bz2", ".jsonl", ".json" };
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		size_t k = strlen(sfx[i]);
		if (n > k && !strncmp(base + n - k, sfx[i], k))
			n -= k;
	}
	size_t i;
	json_t *o;
	json_array_foreach(recs, i, o)
		if (!json_object_get(o, field))
			json_object_set_new(o, field, json_stringn(base, n));
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	while (lc_cli_next(&st, &cmd, argc, argv) != -1)
		;   /* every option is bound */
	const char *xf = O.xf, *yf = O.yf, *by = O.by, *labf = O.labf, *type = O.type, *title = O.title;
	const char *xl = O.xl, *yl = O.yl, *fmt = O.fmt, *out = O.out, *size = O.size;
	const char *yerr = O.yerr, *ylow = O.ylow, *yhigh = O.yhigh, *recpath = O.recpath, *tag = O.tag;
	long bins = O.bins, group = O.group;
	int logx = O.logx, logy = O.logy, paste = O.paste;
	int hist = !strcmp(type, "hist");
	if (strcmp(type, "points") && strcmp(type, "lines") && strcmp(type, "linespoints") && !hist)
		lc_cli_usage_error(&cmd, "--type: expected points, lines, linespoints or hist, got '%s'", type);
	if (!xf)
		lc_cli_usage_error(&cmd, "-x FIELD is required");
	if (!yf && !hist)
		lc_cli_usage_error(&cmd, "-y FIELD is required unless --type hist");
	if (yerr && (ylow || yhigh))
		lc_cli_usage_error(&cmd, "--yerr and --ylow/--yhigh are two ways to give error bars: use one");
	if (!ylow != !yhigh)
		lc_cli_usage_error(&cmd, "--ylow and --yhigh go together");
	int errbars = yerr || ylow;
	if (hist && errbars)
		lc_cli_usage_error(&cmd, "--type hist draws counts: error bars (--yerr, --ylow, --yhigh) need points or lines");
	int w = 0, h = 0, used = 0;
	if (sscanf(size, "%d,%d%n", &w, &h, &used) != 2 || size[used] || w < 50 || h < 50 || w > 20000 || h > 20000)
		lc_cli_usage_error(&cmd, "--size: expected W,H in pixels (50 to 20000), got '%s'", size);
	if (fmt && strcmp(fmt, "gp") && strcmp(fmt, "svg") && strcmp(fmt, "png") && strcmp(fmt, "pdf"))
		lc_cli_usage_error(&cmd, "--format: expected gp, svg, png or pdf, got '%s'", fmt);
	int to_file = out && strcmp(out, "-");
	const char *named = to_file ? format_of_name(out) : NULL;
	if (named && !*named && !fmt)
		lc_cli_usage_error(&cmd, "-o %s: lcplot writes .svg, .png, .pdf or a gnuplot script (.gp); "
		                         "give --format to write another name", out);
	if (named && *named && fmt && strcmp(named, fmt))
		lc_cli_usage_error(&cmd, "-o %s names a %s file but --format is %s", out, named, fmt);
	if (!fmt)
		fmt = named && *named ? named : "gp";
	if (strcmp(fmt, "gp") && !to_file)
		lc_cli_usage_error(&cmd, "--format %s needs -o FILE", fmt);

	/* the records: every input's, or with --paste / --group the i-th of each group merged */
	int nfiles = argc - st.ind;
	size_t nin = nfiles ? (size_t)nfiles : 1;
	if (paste && group)
		lc_cli_usage_error(&cmd, "--paste merges all inputs, --group N every N of them: use one");
	if (group && nin % (size_t)group)
		lc_cli_usage_error(&cmd, "--group %ld: %zu inputs do not split into groups of %ld", group, nin, group);
	size_t gsz = paste ? nin : group ? (size_t)group : 1;
	json_t **recs = lc_xcalloc(nin, sizeof *recs);
	for (size_t fi = 0; fi < nin; fi++) {
		const char *path = nfiles ? argv[st.ind + (int)fi] : "-";
		lc_input *in = lc_input_open_or_die(path, NULL);
		lc_err e = {0};
		recs[fi] = json_array();
		if (lc_plot_read(in, recpath, recs[fi], &e) < 0)
			lc_die_err(&e);
		lc_input_close(in);
		if (tag && fi % gsz == 0)
			tag_records(recs[fi], tag, path);
	}
	json_t *all = json_array();
	if (gsz > 1) {
		for (size_t g0 = 0; g0 < nin; g0 += gsz) {
			size_t nr = json_array_size(recs[g0]);
			for (size_t fi = g0 + 1; fi < g0 + gsz; fi++)
				if (json_array_size(recs[fi]) != nr)
					lc_die(LC_EXIT_INPUT, "--%s: %s has %zu records but %s has %zu: each input needs one record per point",
					       paste ? "paste" : "group", argv[st.ind + (int)g0], nr, argv[st.ind + (int)fi],
					       json_array_size(recs[fi]));
			for (size_t i = 0; i < nr; i++) {
				json_t *m = json_object();
				for (size_t fi = g0; fi < g0 + gsz; fi++)
					json_object_update(m, json_array_get(recs[fi], i));
				json_array_append_new(all, m);
			}
		}
	} else
		for (size_t fi = 0; fi < nin; fi++)
			json_array_extend(all, recs[fi]);
	for (size_t fi = 0; fi < nin; fi++)
		json_decref(recs[fi]);
	free(recs);

	lc_plot_point *P = NULL;
	size_t n = 0, cap = 0, skipped = 0, skipped_err = 0, skipped_log = 0;
	lc_strmap series = {0};
	size_t ri;
	json_t *o;
	json_array_foreach(all, ri, o) {
		double x, y = 0, lo = 0, hi = 0, d;
		if (!number_of(lc_plot_get(o, xf), &x) || (!hist && !number_of(lc_plot_get(o, yf), &y))) {
			skipped++;
			continue;
		}
		if (yerr) {
			if (!number_of(lc_plot_get(o, yerr), &d) || d < 0) {
				skipped_err++;
				continue;
			}
			lo = y - d, hi = y + d;
		} else if (ylow && (!number_of(lc_plot_get(o, ylow), &lo) || !number_of(lc_plot_get(o, yhigh), &hi))) {
			skipped_err++;
			continue;
		}
		if ((logx && x <= 0) || (logy && !hist && y <= 0)) {
			skipped_log++;
			continue;
		}
		const char *sn = "";
		lc_buf tmp = {0};
		json_t *v = by ? lc_plot_get(o, by) : NULL;
		if (json_is_string(v))
			sn = json_string_value(v);
		else if (v && !json_is_null(v)) {
			lc_json_dump(&tmp, v);
			sn = tmp.p;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			P = lc_xrealloc(P, cap * sizeof *P);
		}
		P[n] = (lc_plot_point){ x, y, lo, hi, lc_strmap_intern(&series, sn, strlen(sn), NULL), NULL };
		lc_buf_reset(&tmp);
		json_t *lv = labf && !hist ? lc_plot_get(o, labf) : NULL;
		if (json_is_string(lv))
			P[n].label = lc_xstrdup(json_string_value(lv));
		else if (lv && !json_is_null(lv)) {
			lc_json_dump(&tmp, lv);
			P[n].label = lc_buf_detach(&tmp);
		}
		n++;
		lc_buf_free(&tmp);
	}
	if (skipped)
		lc_warn("warning: %zu record%s without numeric '%s'%s%s%s skipped", skipped, skipped == 1 ? "" : "s", xf,
		        !hist ? " and '" : "", !hist ? yf : "", !hist ? "'" : "");
	if (skipped_err)
		lc_warn("warning: %zu record%s without numeric error bar field%s%s%s%s%s skipped", skipped_err,
		        skipped_err == 1 ? "" : "s", yerr ? " '" : "s '", yerr ? yerr : ylow, yerr ? "'" : "' and '",
		        yerr ? "" : yhigh, yerr ? " (>= 0)" : "'");
	if (skipped_log)
		lc_warn("warning: %zu record%s with %s <= 0 skipped: a logarithmic axis cannot show them", skipped_log,
		        skipped_log == 1 ? "" : "s", logx && logy && !hist ? "x or y" : logx ? "x" : "y");
	if (!n)
		lc_die(LC_EXIT_INPUT, "no records with numeric '%s'%s%s%s: nothing to plot", xf, hist ? "" : " and '", hist ? "" : yf, hist ? "" : "'");
	qsort(P, n, sizeof *P, cmp_pt);

	size_t ns = lc_strmap_count(&series);
	const char **names = lc_xcalloc(ns, sizeof *names);
	lc_buf none = {0};
	lc_buf_printf(&none, "(no %s)", by ? by : "");
	for (size_t s = 0; s < ns; s++) {
		names[s] = lc_strmap_str(&series, (uint32_t)s);
		if (!*names[s])
			names[s] = none.p;
	}
	lc_plot_spec spec = { type, fmt, w, h, bins, logx, logy, errbars, title, xl ? xl : xf,
	                      yl ? yl : hist ? "count" : yf, names, ns };
	lc_buf g = {0};
	lc_plot_script(&g, &spec, P, n);
	for (size_t i = 0; i < n; i++)
		free((char *)P[i].label);
	free(P);
	free(names);
	lc_buf_free(&none);
	lc_strmap_free(&series);
	json_decref(all);

	lc_output *w_out = lc_output_open(out);
	if (!strcmp(fmt, "gp"))
		lc_output_write(w_out, g.p, g.len);
	else {
		lc_err e = {0};
		if (lc_plot_render(g.p, g.len, w_out, &e) < 0) {
			lc_output_abort(w_out);
			lc_buf_free(&g);
			lc_die_err(&e);
		}
	}
	lc_output_commit(w_out);
	lc_buf_free(&g);
	return 0;
}
