/*
 * compare_fmt — the comparison of several runs as a Markdown, LaTeX or CSV
 * table, laid out as ranx's Report (ranx/data_structures/report.py): a row per
 * run labelled a, b, c..., a column per measure, the best value of a measure in
 * bold, and after a value the letters of the runs it is significantly better
 * than (superscripts; LaTeX pads the others with \hphantom so columns align).
 * Values have 4 decimals (CSV: every digit); "best" compares the printed values,
 * and no value is best when every run has the same.  See lceval.h.
 */
#include "lceval.h"
#include "err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* best[r * nm + k]: run r has measure k's highest printed value (integers: never). */
static int *best_of(const ev_table *t)
{
	size_t nm = t->nm, nr = t->nruns;
	int *best = lc_xcalloc(nr * nm + 1, sizeof *best);
	for (size_t k = 0; k < nm; k++) {
		if (t->is_long[k])
			continue;
		double top = -INFINITY;
		size_t ntop = 0;
		for (size_t r = 0; r < nr; r++) {
			double v = round(t->summary[r][k] * 1e4);
			if (v > top) {
				top = v;
				ntop = 0;
			}
			ntop += v == top;
		}
		for (size_t r = 0; r < nr && ntop < nr; r++)
			best[r * nm + k] = round(t->summary[r][k] * 1e4) == top;
	}
	return best;
}

/* The letters of the runs r beats on measure k (inverse: the others), into s. */
static void letters(const ev_table *t, const ev_pair *c, size_t r, size_t k, int inverse, char *s)
{
	size_t n = 0;
	for (size_t o = 0; o < t->nruns; o++)
		if (o != r && ev_beats(t, c, r, o, k) != inverse)
			s[n++] = (char)('a' + (int)o);
	s[n] = 0;
}

static void value(lc_buf *b, const ev_table *t, size_t r, size_t k)
{
	if (t->is_long[k])
		lc_buf_printf(b, "%ld", (long)t->summary[r][k]);
	else
		lc_buf_printf(b, "%.4f", t->summary[r][k]);
}

static void md_text(lc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '<')
			lc_buf_addc(b, '\\');
		lc_buf_addc(b, *s);
	}
}

static void markdown(lc_buf *b, const ev_table *t, const ev_pair *c, const int *best, const lc_signif_opts *so)
{
	lc_buf_adds(b, "| # | run |");
	for (size_t k = 0; k < t->nm; k++) {
		lc_buf_addc(b, ' ');
		md_text(b, t->mnames[k]);
		lc_buf_adds(b, " |");
	}
	lc_buf_adds(b, "\n|---|---|");
	for (size_t k = 0; k < t->nm; k++)
		lc_buf_adds(b, "---:|");
	lc_buf_addc(b, '\n');
	char sup[32];
	for (size_t r = 0; r < t->nruns; r++) {
		lc_buf_printf(b, "| %c | ", 'a' + (int)r);
		md_text(b, ev_base(t->runnames[r]));
		lc_buf_adds(b, " |");
		for (size_t k = 0; k < t->nm; k++) {
			int bold = best[r * t->nm + k];
			lc_buf_adds(b, bold ? " **" : " ");
			value(b, t, r, k);
			lc_buf_adds(b, bold ? "**" : "");
			letters(t, c, r, k, 0, sup);
			if (*sup)
				lc_buf_printf(b, "<sup>%s</sup>", sup);
			lc_buf_adds(b, " |");
		}
		lc_buf_addc(b, '\n');
	}
	lc_buf_adds(b, "\nBest value of each measure in bold; superscripts: the runs a value is significantly better than (");
	ev_describe_tests(t, so, b);
	lc_buf_adds(b, ").\n");
}

static void tex_text(lc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			lc_buf_adds(b, "\\textbackslash{}");
		else if (*s == '~')
			lc_buf_adds(b, "\\textasciitilde{}");
		else if (*s == '^')
			lc_buf_adds(b, "\\textasciicircum{}");
		else {
			if (strchr("&%$#_{}", *s))
				lc_buf_addc(b, '\\');
			lc_buf_addc(b, *s);
		}
	}
}

static void latex(lc_buf *b, const ev_table *t, const ev_pair *c, const int *best, const lc_signif_opts *so)
{
	lc_buf_adds(b, "% needs \\usepackage{graphicx} and \\usepackage{booktabs}; resize with resizebox's 0.8\n"
	               "\\begin{table*}[ht]\n\\centering\n\\caption{\nOverall effectiveness of the runs.\n"
	               "The best results are highlighted in boldface.\n"
	               "Superscripts name the runs a result is significantly better than: ");
	lc_buf wrk = { 0 };
	ev_describe_tests(t, so, &wrk);
	tex_text(b, wrk.p);
	lc_buf_free(&wrk);
	lc_buf_adds(b, ".\n}\n\\resizebox{0.8\\textwidth}{!}{\n\\begin{tabular}{c|l");
	for (size_t k = 0; k < t->nm; k++)
		lc_buf_adds(b, "|c");
	lc_buf_adds(b, "}\n\\toprule\n\\textbf{\\#}\n& \\textbf{Run}");
	for (size_t k = 0; k < t->nm; k++) {
		lc_buf_adds(b, "\n& \\textbf{");
		tex_text(b, t->mnames[k]);
		lc_buf_addc(b, '}');
	}
	lc_buf_adds(b, " \\\\\n\\midrule\n");
	char sup[32], ph[32];
	for (size_t r = 0; r < t->nruns; r++) {
		lc_buf_printf(b, "%c &\n", 'a' + (int)r);
		tex_text(b, ev_base(t->runnames[r]));
		lc_buf_adds(b, " &\n");
		for (size_t k = 0; k < t->nm; k++) {
			int bold = best[r * t->nm + k];
			lc_buf_adds(b, bold ? "\\textbf{" : "");
			value(b, t, r, k);
			lc_buf_adds(b, bold ? "}" : "");
			if (t->testable[k]) {
				letters(t, c, r, k, 0, sup);
				letters(t, c, r, k, 1, ph);
				if (*sup)
					lc_buf_printf(b, "$^{%s}$", sup);
				if (*ph)
					lc_buf_printf(b, "\\hphantom{$^{%s}$}", ph);
			}
			lc_buf_adds(b, k + 1 < t->nm ? " &\n" : " \\\\\n");
		}
	}
	lc_buf_adds(b, "\\bottomrule\n\\end{tabular}\n}\n\\label{tab:results}\n\\end{table*}\n");
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void csv_field(lc_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		lc_buf_adds(b, s);
		return;
	}
	lc_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			lc_buf_addc(b, '"');
		lc_buf_addc(b, *s);
	}
	lc_buf_addc(b, '"');
}

/* Long form, a line per run and measure: every digit of the value. */
static void csv(lc_buf *b, const ev_table *t, const ev_pair *c, const int *best)
{
	lc_buf_adds(b, "label,run,measure,value,best,better_than\n");
	char sup[32], num[64];
	for (size_t r = 0; r < t->nruns; r++)
		for (size_t k = 0; k < t->nm; k++) {
			lc_buf_printf(b, "%c,", 'a' + (int)r);
			csv_field(b, ev_base(t->runnames[r]));
			lc_buf_addc(b, ',');
			csv_field(b, t->mnames[k]);
			if (t->is_long[k])
				snprintf(num, sizeof num, "%ld", (long)t->summary[r][k]);
			else if (!isfinite(t->summary[r][k]))
				snprintf(num, sizeof num, "nan");
			else
				lc_py_repr_double(num, sizeof num, t->summary[r][k]);
			letters(t, c, r, k, 0, sup);
			lc_buf_printf(b, ",%s,%d,%s\n", num, best[r * t->nm + k], sup);
		}
}

void ev_table_format(const ev_table *t, const lc_signif_opts *so, int format, lc_output *out)
{
	if (t->nruns > 26)
		lc_die(2, "%zu runs: the comparison names runs a to z, give at most 26", t->nruns);
	ev_pair *c = ev_compare(t, so);
	int *best = best_of(t);
	lc_buf b = { 0 };
	if (format == EV_FMT_MARKDOWN)
		markdown(&b, t, c, best, so);
	else if (format == EV_FMT_LATEX)
		latex(&b, t, c, best, so);
	else
		csv(&b, t, c, best);
	lc_output_write(out, b.p, b.len);
	lc_buf_free(&b);
	free(best);
	free(c);
}
