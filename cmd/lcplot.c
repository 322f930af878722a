/*
 * lcplot — turns JSON records into a gnuplot chart.
 *
 * Reads JSONL or JSON documents (lceval --json, report files; --records PATH
 * picks an array of records inside them, --paste joins the i-th records of
 * several inputs, --group N the i-th records of every N inputs in turn, so a
 * report file and lceval --json's output per run make one point; --input-name
 * FIELD names each record after its input file), takes numeric fields -x and -y (a histogram needs only -x;
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

/* The settings: the options, each bound to its variable in the table
 * (lib/cli/cli.h), and what check_options() derives from them.  --type, --size
 * and --format are checked after parsing. */
static struct {
	const char *xf, *yf, *by, *labf, *type, *title, *xl, *yl, *fmt, *out, *size;
	const char *yerr, *ylow, *yhigh, *recpath, *tag;
	long bins, group;
	int logx, logy, paste;
	int hist, errbars, w, h;   /* --type hist; error bars asked; --size */
	size_t gsz;                /* inputs merged into one record list: all (--paste), N (--group) or 1 */
} S = { .type = "points", .size = "800,500", .bins = 20 };

static const lc_opt opts[] = {
	{ 'x', "x", "FIELD", "numeric field on the x axis (the value for a histogram); a.b.c reaches into objects", NULL, LC_BIND_STR(S.xf) },
	{ 'y', "y", "FIELD", "numeric field on the y axis", NULL, LC_BIND_STR(S.yf) },
	{ 0, "by", "FIELD", "one series per value of FIELD", NULL, LC_BIND_STR(S.by) },
	{ 0, "label", "FIELD", "label each point with FIELD", NULL, LC_BIND_STR(S.labf) },
	{ 0, "type", "TYPE", "points (default), lines, linespoints or hist", "points lines linespoints hist", LC_BIND_STR(S.type) },
	{ 0, "bins", "N", "histogram bins (default 20)", NULL, LC_BIND_LONG(S.bins, 1, 10000) },
	{ 0, "title", "TEXT", "chart title", NULL, LC_BIND_STR(S.title) },
	{ 0, "xlabel", "TEXT", "x axis label (default the field)", NULL, LC_BIND_STR(S.xl) },
	{ 0, "ylabel", "TEXT", "y axis label (default the field, or count)", NULL, LC_BIND_STR(S.yl) },
	{ 0, "size", "W,H", "picture size in pixels (default 800,500; PDF 100 an inch)", NULL, LC_BIND_STR(S.size) },
	{ 0, "logx", NULL, "logarithmic x axis (histogram: logarithmic bins)", NULL, LC_BIND_SET(S.logx, 1) },
	{ 0, "logy", NULL, "logarithmic y axis", NULL, LC_BIND_SET(S.logy, 1) },
	{ 0, "yerr", "FIELD", "error bar y-FIELD to y+FIELD", NULL, LC_BIND_STR(S.yerr) },
	{ 0, "ylow", "FIELD", "error bar from FIELD (with --yhigh)", NULL, LC_BIND_STR(S.ylow) },
	{ 0, "yhigh", "FIELD", "error bar to FIELD (with --ylow)", NULL, LC_BIND_STR(S.yhigh) },
	{ 0, "records", "PATH", "the records are the array (or object) at PATH in each JSON value, e.g. runs", NULL, LC_BIND_STR(S.recpath) },
	{ 0, "paste", NULL, "record i is the i-th records of all inputs merged (later inputs win a clash)", NULL, LC_BIND_SET(S.paste, 1) },
	{ 0, "group", "N", "as --paste, over each N consecutive inputs in turn (e.g. a --report file and lceval --json output per point)", NULL, LC_BIND_LONG(S.group, 1, 100000) },
	{ 0, "input-name", "FIELD", "set FIELD of each record (unless present) to its input's name: no directory, no .json/.jsonl suffix", NULL, LC_BIND_STR(S.tag) },
	LC_OPT_FORMAT(0, "gp svg png pdf", LC_BIND_STR(S.fmt)),
	LC_OPT_OUTPUT(LC_BIND_STR(S.out)),
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

/* The chart's options: --type, the fields -x/-y, the error bars, --size.  Sets
 * S.hist, S.errbars, S.w and S.h; a bad combination is a usage error. */
static void check_chart_options(void)
{
	S.hist = !strcmp(S.type, "hist");
	if (strcmp(S.type, "points") && strcmp(S.type, "lines") && strcmp(S.type, "linespoints") && !S.hist)
		lc_cli_usage_error(&cmd, "--type: expected points, lines, linespoints or hist, got '%s'", S.type);
	if (!S.xf)
		lc_cli_usage_error(&cmd, "-x FIELD is required");
	if (!S.yf && !S.hist)
		lc_cli_usage_error(&cmd, "-y FIELD is required unless --type hist");
	if (S.yf && S.hist)
		lc_cli_usage_error(&cmd, "--type hist counts the values of -x: drop -y %s (or plot it with points or lines)", S.yf);
	if (S.yerr && (S.ylow || S.yhigh))
		lc_cli_usage_error(&cmd, "--yerr and --ylow/--yhigh are two ways to give error bars: use one");
	if (!S.ylow != !S.yhigh)
		lc_cli_usage_error(&cmd, "--ylow and --yhigh go together");
	S.errbars = S.yerr || S.ylow;
	if (S.hist && S.errbars)
		lc_cli_usage_error(&cmd, "--type hist draws counts: error bars (--yerr, --ylow, --yhigh) need points or lines");
	int used = 0;
	if (sscanf(S.size, "%d,%d%n", &S.w, &S.h, &used) != 2 || S.size[used] || S.w < 50 || S.h < 50 ||
	    S.w > 20000 || S.h > 20000)
		lc_cli_usage_error(&cmd, "--size: expected W,H in pixels (50 to 20000), got '%s'", S.size);
}

/* The output format: --format, else -o's suffix, else a gnuplot script; sets
 * S.fmt.  A picture needs -o FILE; a suffix that contradicts --format, or one
 * lcplot cannot write without --format, is a usage error. */
static void check_format(void)
{
	if (S.fmt && strcmp(S.fmt, "gp") && strcmp(S.fmt, "svg") && strcmp(S.fmt, "png") && strcmp(S.fmt, "pdf"))
		lc_cli_usage_error(&cmd, "--format: expected gp, svg, png or pdf, got '%s'", S.fmt);
	int to_file = S.out && strcmp(S.out, "-");
	const char *named = to_file ? format_of_name(S.out) : NULL;
	if (named && !*named && !S.fmt)
		lc_cli_usage_error(&cmd, "-o %s: lcplot writes .svg, .png, .pdf or a gnuplot script (.gp); "
		                         "give --format to write another name", S.out);
	if (named && *named && S.fmt && strcmp(named, S.fmt))
		lc_cli_usage_error(&cmd, "-o %s names a %s file but --format is %s", S.out, named, S.fmt);
	if (!S.fmt)
		S.fmt = named && *named ? named : "gp";
	if (strcmp(S.fmt, "gp") && !to_file)
		lc_cli_usage_error(&cmd, "--format %s needs -o FILE", S.fmt);
}

/* --paste and --group against the nin inputs; sets S.gsz. */
static void check_grouping(size_t nin)
{
	if (S.paste && S.group)
		lc_cli_usage_error(&cmd, "--paste merges all inputs, --group N every N of them: use one");
	if (S.group && nin % (size_t)S.group)
		lc_cli_usage_error(&cmd, "--group %ld: %zu inputs do not split into groups of %ld", S.group, nin, S.group);
	S.gsz = S.paste ? nin : S.group ? (size_t)S.group : 1;
}

/* The records of files[0..nin), each input's array in recs[i] (new
 * references); --input-name tags the first input of each group. */
static void read_inputs(json_t **recs, size_t nin, const char *const *files)
{
	for (size_t fi = 0; fi < nin; fi++) {
		lc_input *in = lc_input_open_or_die(files[fi], NULL);
		lc_err e = {0};
		recs[fi] = json_array();
		if (lc_plot_read(in, S.recpath, recs[fi], &e) < 0)
			lc_die_err(&e);
		lc_input_close(in);
		if (S.tag && fi % S.gsz == 0)
			tag_records(recs[fi], S.tag, files[fi]);
	}
}

/* One list of records (a new reference): every input's in turn, or with
 * --paste / --group the i-th records of each group's inputs merged into one
 * (later inputs win a clash).  A group whose inputs differ in length is bad input. */
static json_t *merge_records(json_t **recs, size_t nin, const char *const *files)
{
	json_t *all = json_array();
	if (S.gsz == 1) {
		for (size_t fi = 0; fi < nin; fi++)
			json_array_extend(all, recs[fi]);
		return all;
	}
	for (size_t g0 = 0; g0 < nin; g0 += S.gsz) {
		size_t nr = json_array_size(recs[g0]);
		for (size_t fi = g0 + 1; fi < g0 + S.gsz; fi++)
			if (json_array_size(recs[fi]) != nr)
				lc_die(LC_EXIT_INPUT, "--%s: %s has %zu records but %s has %zu: each input needs one record per point",
				       S.paste ? "paste" : "group", files[g0], nr, files[fi], json_array_size(recs[fi]));
		for (size_t i = 0; i < nr; i++) {
			json_t *m = json_object();
			for (size_t fi = g0; fi < g0 + S.gsz; fi++)
				json_object_update(m, json_array_get(recs[fi], i));
			json_array_append_new(all, m);
		}
	}
	return all;
}

/* The points to draw, the series they belong to and the records skipped, and why. */
typedef struct {
	lc_plot_point *p;          /* labels malloc'd */
	size_t n, cap;
	lc_strmap series;          /* --by values, in order of first appearance; "" = none */
	size_t skipped, skipped_err, skipped_log;
	size_t unlabelled;         /* points drawn without a --label value */
} points;

/* The string a JSON value shows as, a series name or label: a string as it is,
 * anything else as JSON (kept in tmp); NULL for a missing or null value. */
static const char *shown_as(json_t *v, lc_buf *tmp)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!v || json_is_null(v))
		return NULL;
	lc_json_dump(tmp, v);
	return tmp->p;
}

/* Adds record o to pts as a point, or counts why it is skipped: no numeric x
 * (and y), no numeric error bar, or a value a logarithmic axis cannot show. */
static void add_point(points *pts, json_t *o)
{
	double x, y = 0, lo = 0, hi = 0, d;
	if (!number_of(lc_plot_get(o, S.xf), &x) || (!S.hist && !number_of(lc_plot_get(o, S.yf), &y))) {
		pts->skipped++;
		return;
	}
	if (S.yerr) {
		if (!number_of(lc_plot_get(o, S.yerr), &d) || d < 0) {
			pts->skipped_err++;
			return;
		}
		lo = y - d, hi = y + d;
	} else if (S.ylow && (!number_of(lc_plot_get(o, S.ylow), &lo) || !number_of(lc_plot_get(o, S.yhigh), &hi))) {
		pts->skipped_err++;
		return;
	}
	if ((S.logx && x <= 0) || (S.logy && !S.hist && y <= 0)) {
		pts->skipped_log++;
		return;
	}
	lc_buf tmp = {0};
	const char *sn = shown_as(S.by ? lc_plot_get(o, S.by) : NULL, &tmp);
	if (!sn)
		sn = "";
	if (pts->n == pts->cap) {
		pts->cap = pts->cap ? pts->cap * 2 : 256;
		pts->p = lc_xrealloc(pts->p, pts->cap * sizeof *pts->p);
	}
	pts->p[pts->n] = (lc_plot_point){ x, y, lo, hi, lc_strmap_intern(&pts->series, sn, strlen(sn), NULL), NULL };
	lc_buf_reset(&tmp);
	const char *label = shown_as(S.labf && !S.hist ? lc_plot_get(o, S.labf) : NULL, &tmp);
	if (label)
		pts->p[pts->n].label = lc_xstrdup(label);
	else if (S.labf && !S.hist)
		pts->unlabelled++;
	pts->n++;
	lc_buf_free(&tmp);
}

/* The records of all inputs, merged as --paste or --group ask (a new reference). */
static json_t *read_records(size_t nin, const char *const *files)
{
	json_t **recs = lc_xcalloc(nin, sizeof *recs);
	read_inputs(recs, nin, files);
	json_t *all = merge_records(recs, nin, files);
	for (size_t fi = 0; fi < nin; fi++)
		json_decref(recs[fi]);
	free(recs);
	return all;
}

/* Every record of all that can be drawn, into pts. */
static void collect_points(points *pts, json_t *all)
{
	size_t i;
	json_t *o;
	json_array_foreach(all, i, o)
		add_point(pts, o);
}

/* A warning for each kind of skipped record; no point at all is bad input. */
static void report_skipped(const points *pts)
{
	const char *and_y = !S.hist ? " and '" : "", *y = !S.hist ? S.yf : "", *q = !S.hist ? "'" : "";
	if (pts->skipped)
		lc_warn("warning: %zu record%s without numeric '%s'%s%s%s skipped", pts->skipped,
		        pts->skipped == 1 ? "" : "s", S.xf, and_y, y, q);
	if (pts->skipped_err)
		lc_warn("warning: %zu record%s without numeric error bar field%s%s%s%s%s skipped", pts->skipped_err,
		        pts->skipped_err == 1 ? "" : "s", S.yerr ? " '" : "s '", S.yerr ? S.yerr : S.ylow,
		        S.yerr ? "'" : "' and '", S.yerr ? "" : S.yhigh, S.yerr ? " (>= 0)" : "'");
	if (pts->skipped_log)
		lc_warn("warning: %zu record%s with %s <= 0 skipped: a logarithmic axis cannot show them", pts->skipped_log,
		        pts->skipped_log == 1 ? "" : "s", S.logx && S.logy && !S.hist ? "x or y" : S.logx ? "x" : "y");
	if (!pts->n)
		lc_die(LC_EXIT_INPUT, "no records with numeric '%s'%s%s%s: nothing to plot", S.xf, and_y, y, q);
	if (pts->unlabelled)
		lc_warn("warning: %zu of %zu point%s without '%s' drawn without a label%s", pts->unlabelled, pts->n,
		        pts->n == 1 ? "" : "s", S.labf,
		        pts->unlabelled == pts->n ? " (name a field the records hold, or set it with --input-name)" : "");
}

/* Appends the gnuplot script for the points (sorted here) to g; the series
 * without a --by value is called "(no FIELD)". */
static void write_script(lc_buf *g, points *pts)
{
	qsort(pts->p, pts->n, sizeof *pts->p, cmp_pt);
	size_t ns = lc_strmap_count(&pts->series);
	const char **names = lc_xcalloc(ns, sizeof *names);
	lc_buf none = {0};
	lc_buf_printf(&none, "(no %s)", S.by ? S.by : "");
	for (size_t s = 0; s < ns; s++) {
		names[s] = lc_strmap_str(&pts->series, (uint32_t)s);
		if (!*names[s])
			names[s] = none.p;
	}
	lc_plot_spec spec = { S.type, S.fmt, S.w, S.h, S.bins, S.logx, S.logy, S.errbars, S.title,
	                      S.xl ? S.xl : S.xf, S.yl ? S.yl : S.hist ? "count" : S.yf, names, ns };
	lc_plot_script(g, &spec, pts->p, pts->n);
	free(names);
	lc_buf_free(&none);
}

/* Frees the points, their labels and the series names. */
static void points_free(points *pts)
{
	for (size_t i = 0; i < pts->n; i++)
		free((char *)pts->p[i].label);
	free(pts->p);
	lc_strmap_free(&pts->series);
}

/* Writes the script to -o (or stdout), or the picture gnuplot renders from it;
 * a failed gnuplot leaves no output file. */
static void write_chart(lc_buf *g)
{
	lc_output *o = lc_output_open(S.out);
	if (!strcmp(S.fmt, "gp"))
		lc_output_write(o, g->p, g->len);
	else {
		lc_err e = {0};
		if (lc_plot_render(g->p, g->len, o, &e) < 0) {
			lc_output_abort(o);
			lc_buf_free(g);
			lc_die_err(&e);
		}
	}
	lc_output_commit(o);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	while (lc_cli_next(&st, &cmd, argc, argv) != -1)
		;   /* every option is bound */
	static const char *const stdin_only[] = { "-" };
	size_t nin = argc > st.ind ? (size_t)(argc - st.ind) : 1;
	const char *const *files = argc > st.ind ? (const char *const *)argv + st.ind : stdin_only;
	check_chart_options();
	check_format();
	check_grouping(nin);

	json_t *all = read_records(nin, files);
	points pts = {0};
	collect_points(&pts, all);
	report_skipped(&pts);
	lc_buf g = {0};
	write_script(&g, &pts);
	points_free(&pts);
	json_decref(all);

	write_chart(&g);
	lc_buf_free(&g);
	return 0;
}
