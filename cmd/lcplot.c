/*
 * lcplot — turns JSONL columns into a gnuplot chart.
 *
 * Reads JSONL records, takes numeric fields -x and -y (a histogram needs only
 * -x), optionally splits them into series by --by FIELD (a label per point with
 * --label FIELD), and writes a self-contained gnuplot script with the data
 * inline.  --format gp (default when -o ends in .gp or there is no -o) writes
 * the script; svg/png (default from -o's suffix) run gnuplot on it.  Records
 * without the fields are counted and reported, never silently dropped.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "input.h"
#include "json.h"
#include "output.h"
#include "strmap.h"

enum { OPT_BY = 256, OPT_TYPE, OPT_BINS, OPT_TITLE, OPT_XLABEL, OPT_YLABEL, OPT_FORMAT, OPT_LABEL,
       OPT_SIZE, OPT_LOGX };

static const lc_opt opts[] = {
	{ 'x', "x", "FIELD", "numeric field on the x axis (the value for a histogram)", NULL },
	{ 'y', "y", "FIELD", "numeric field on the y axis", NULL },
	{ OPT_BY, "by", "FIELD", "one series per value of FIELD", NULL },
	{ OPT_LABEL, "label", "FIELD", "label each point with FIELD", NULL },
	{ OPT_TYPE, "type", "TYPE", "points (default), lines, linespoints or hist", "points lines linespoints hist" },
	{ OPT_BINS, "bins", "N", "histogram bins (default 20)", NULL },
	{ OPT_TITLE, "title", "TEXT", "chart title", NULL },
	{ OPT_XLABEL, "xlabel", "TEXT", "x axis label (default the field)", NULL },
	{ OPT_YLABEL, "ylabel", "TEXT", "y axis label (default the field, or count)", NULL },
	{ OPT_SIZE, "size", "W,H", "picture size in pixels (default 800,500)", NULL },
	{ OPT_LOGX, "logx", NULL, "logarithmic x axis", NULL },
	{ OPT_FORMAT, "format", "FMT", "gp (script), svg or png (default from -o's suffix)", "gp svg png" },
	{ 'o', "output", "FILE", "write to FILE atomically", LC_COMPLETE_FILE },
	LC_OPT_END
};
static const lc_cmd cmd = { "lcplot", "-x FIELD [-y FIELD] [--by FIELD] [--type TYPE] [-o OUT] [FILE...]",
	"turn JSONL columns into a gnuplot chart (script, SVG or PNG)", opts, NULL };

typedef struct {
	double x, y;
	unsigned series;
	char *label;
} point;

/* gnuplot string literal in double quotes */
static void gq(lc_buf *b, const char *s)
{
	lc_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			lc_buf_addc(b, '\\');
		if (*s == '\n')
			lc_buf_adds(b, "\\n");
		else
			lc_buf_addc(b, *s);
	}
	lc_buf_addc(b, '"');
}

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
	const point *p = a, *q = b;
	if (p->series != q->series)
		return p->series < q->series ? -1 : 1;
	return (p->x > q->x) - (p->x < q->x);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);
	lc_cli st = {0};
	const char *xf = NULL, *yf = NULL, *by = NULL, *labf = NULL, *type = "points", *title = NULL;
	const char *xl = NULL, *yl = NULL, *fmt = NULL, *out = NULL, *size = "800,500";
	long bins = 20;
	int logx = 0, c;
	while ((c = lc_cli_next(&st, &cmd, argc, argv)) != -1)
		switch (c) {
		case 'x': xf = optarg; break;
		case 'y': yf = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_LABEL: labf = optarg; break;
		case OPT_TYPE: type = optarg; break;
		case OPT_BINS: bins = lc_cli_long("--bins", optarg, 1, 10000); break;
		case OPT_TITLE: title = optarg; break;
		case OPT_XLABEL: xl = optarg; break;
		case OPT_YLABEL: yl = optarg; break;
		case OPT_SIZE: size = optarg; break;
		case OPT_LOGX: logx = 1; break;
		case OPT_FORMAT: fmt = optarg; break;
		case 'o': out = optarg; break;
		}
	int hist = !strcmp(type, "hist");
	if (strcmp(type, "points") && strcmp(type, "lines") && strcmp(type, "linespoints") && !hist)
		lc_cli_usage_error(&cmd, "--type: expected points, lines, linespoints or hist, got '%s'", type);
	if (!xf)
		lc_cli_usage_error(&cmd, "-x FIELD is required");
	if (!yf && !hist)
		lc_cli_usage_error(&cmd, "-y FIELD is required unless --type hist");
	int w = 0, h = 0;
	if (sscanf(size, "%d,%d", &w, &h) != 2 || w < 50 || h < 50 || w > 20000 || h > 20000)
		lc_cli_usage_error(&cmd, "--size: expected W,H in pixels, got '%s'", size);
	if (!fmt) {
		size_t ol = out ? strlen(out) : 0;
		fmt = ol > 4 && !strcmp(out + ol - 4, ".svg") ? "svg" : ol > 4 && !strcmp(out + ol - 4, ".png") ? "png" : "gp";
	}
	if (strcmp(fmt, "gp") && strcmp(fmt, "svg") && strcmp(fmt, "png"))
		lc_cli_usage_error(&cmd, "--format: expected gp, svg or png, got '%s'", fmt);
	if (strcmp(fmt, "gp") && !out)
		lc_cli_usage_error(&cmd, "--format %s needs -o FILE", fmt);

	point *P = NULL;
	size_t n = 0, cap = 0, skipped = 0;
	lc_strmap series = {0};
	int nfiles = argc - st.ind;
	for (int fi = 0; fi < (nfiles ? nfiles : 1); fi++) {
		lc_input *in = lc_input_open_or_die(nfiles ? argv[st.ind + fi] : "-", NULL);
		lc_err e = {0};
		json_t *o;
		int r;
		while ((r = lc_json_next_object(in, &o, &e)) == 1) {
			double x, y = 0;
			if (!number_of(json_object_get(o, xf), &x) || (yf && !hist && !number_of(json_object_get(o, yf), &y))) {
				skipped++;
				json_decref(o);
				continue;
			}
			const char *sn = "";
			lc_buf tmp = {0};
			if (by) {
				json_t *v = json_object_get(o, by);
				if (json_is_string(v))
					sn = json_string_value(v);
				else if (v) {
					lc_json_dump(&tmp, v);
					sn = tmp.p;
				}
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				P = lc_xrealloc(P, cap * sizeof *P);
			}
			P[n].x = x;
			P[n].y = y;
			P[n].series = lc_strmap_intern(&series, sn, strlen(sn), NULL);
			json_t *lv = labf ? json_object_get(o, labf) : NULL;
			P[n].label = json_is_string(lv) ? lc_xstrdup(json_string_value(lv)) : NULL;
			n++;
			lc_buf_free(&tmp);
			json_decref(o);
		}
		if (r < 0)
			lc_die_err(&e);
		lc_input_close(in);
	}
	if (skipped)
		lc_warn("warning: %zu record%s without numeric '%s'%s%s%s skipped", skipped, skipped == 1 ? "" : "s", xf,
		        yf && !hist ? " and '" : "", yf && !hist ? yf : "", yf && !hist ? "'" : "");
	if (!n)
		lc_die(LC_EXIT_INPUT, "no records with numeric '%s'%s: nothing to plot", xf, hist ? "" : " and y");
	qsort(P, n, sizeof *P, cmp_pt);

	lc_buf g = {0};
	lc_buf_adds(&g, "# gnuplot script written by lcplot\n");
	if (!strcmp(fmt, "svg"))
		lc_buf_printf(&g, "set terminal svg size %d,%d dynamic noenhanced background rgb 'white'\n", w, h);
	else if (!strcmp(fmt, "png"))
		lc_buf_printf(&g, "set terminal pngcairo noenhanced size %d,%d\n", w, h);
	else
		lc_buf_printf(&g, "# set terminal svg size %d,%d; set output 'chart.svg'\n", w, h);
	if (title) {
		lc_buf_adds(&g, "set title ");
		gq(&g, title);
		lc_buf_addc(&g, '\n');
	}
	lc_buf_adds(&g, "set xlabel ");
	gq(&g, xl ? xl : xf);
	lc_buf_adds(&g, "\nset ylabel ");
	gq(&g, yl ? yl : hist ? "count" : yf);
	lc_buf_adds(&g, "\nset grid\nset key inside right top noenhanced\n");
	lc_buf_adds(&g, hist ? "set yrange [0:*]\nset offsets graph 0.02, graph 0.02, graph 0.05, 0\n"
	                     : "set offsets graph 0.05, graph 0.15, graph 0.05, graph 0.05\n");
	if (logx)
		lc_buf_adds(&g, "set logscale x\n");
	size_t ns = lc_strmap_count(&series);
	if (hist) {
		double lo = P[0].x, hi = P[0].x;
		for (size_t i = 0; i < n; i++) {
			lo = fmin(lo, P[i].x);
			hi = fmax(hi, P[i].x);
		}
		if (hi == lo)
			hi = lo + 1;
		double bw = (hi - lo) / (double)bins;
		lc_buf_printf(&g, "set style fill solid 0.5 border\nset boxwidth %.17g\n", bw / (double)(ns > 1 ? ns : 1));
		for (size_t s = 0; s < ns; s++) {
			lc_buf_printf(&g, "$s%zu << EOD\n", s);
			long *cnt = lc_xcalloc((size_t)bins, sizeof *cnt);
			for (size_t i = 0; i < n; i++)
				if (P[i].series == s) {
					long k = (long)((P[i].x - lo) / bw);
					if (k >= bins)
						k = bins - 1;
					cnt[k]++;
				}
			for (long k = 0; k < bins; k++)
				lc_buf_printf(&g, "%.10g %ld\n", lo + bw * ((double)k + 0.5) + bw / (double)(ns > 1 ? ns : 1) * ((double)s - (double)(ns - 1) / 2), cnt[k]);
			lc_buf_adds(&g, "EOD\n");
			free(cnt);
		}
	} else {
		for (size_t s = 0; s < ns; s++) {
			lc_buf_printf(&g, "$s%zu << EOD\n", s);
			for (size_t i = 0; i < n; i++)
				if (P[i].series == s) {
					lc_buf_printf(&g, "%.10g %.10g ", P[i].x, P[i].y);
					gq(&g, P[i].label ? P[i].label : "");
					lc_buf_addc(&g, '\n');
				}
			lc_buf_adds(&g, "EOD\n");
		}
	}
	lc_buf_adds(&g, "plot ");
	for (size_t s = 0; s < ns; s++) {
		const char *name = lc_strmap_str(&series, (uint32_t)s);
		lc_buf_printf(&g, "%s$s%zu using 1:2 with %s", s ? ", \\\n     " : "", s,
		              hist ? "boxes" : !strcmp(type, "points") ? "points pt 7 ps 1.2" : type);
		lc_buf_adds(&g, " title ");
		gq(&g, *name ? name : (hist ? xf : yf));
		if (labf && !hist)
			lc_buf_printf(&g, ", $s%zu using 1:2:3 with labels offset 1,0.7 left notitle", s);
	}
	lc_buf_addc(&g, '\n');

	for (size_t i = 0; i < n; i++)
		free(P[i].label);
	free(P);
	lc_strmap_free(&series);
	if (!strcmp(fmt, "gp")) {
		lc_output *o = lc_output_open(out);
		lc_output_write(o, g.p, g.len);
		lc_output_commit(o);
		lc_buf_free(&g);
		return 0;
	}
	/* run gnuplot: script on its stdin, picture on its stdout into lc_output */
	char tmpl[] = "/tmp/lcplot-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		lc_die(LC_EXIT_INPUT, "cannot create a temporary file: %s", strerror(errno));
	FILE *tf = fdopen(fd, "w+");
	lc_buf cmdl = {0};
	lc_buf_printf(&cmdl, "gnuplot > '%s'", tmpl);
	FILE *gp = popen(cmdl.p, "w");
	if (!gp) {
		unlink(tmpl);
		lc_die(LC_EXIT_INPUT, "cannot run gnuplot: %s", strerror(errno));
	}
	fwrite(g.p, 1, g.len, gp);
	int rc = pclose(gp);
	if (rc != 0) {
		unlink(tmpl);
		lc_die(LC_EXIT_INPUT, "gnuplot failed (status %d): is gnuplot (gnuplot-nox) installed? --format gp writes the script alone",
		       WIFEXITED(rc) ? WEXITSTATUS(rc) : rc);
	}
	lc_output *o = lc_output_open(out);
	char buf[65536];
	size_t r;
	rewind(tf);
	while ((r = fread(buf, 1, sizeof buf, tf)) > 0)
		lc_output_write(o, buf, r);
	fclose(tf);
	unlink(tmpl);
	lc_output_commit(o);
	lc_buf_free(&g);
	lc_buf_free(&cmdl);
	return 0;
}
