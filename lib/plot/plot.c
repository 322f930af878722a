/* plot — JSON records to a gnuplot script that never evaluates data; gnuplot run without a shell. */
#define _GNU_SOURCE  /* pipe2 */
#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "json.h"
#include "run.h"

void lc_plot_quote(lc_buf *b, const char *s)
{
	int open = 0, any = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* gnuplot 5.4 reads '' as a quote only after a character that is not a
		 * quote: '''90s' and 'a''''b' are syntax errors.  A quote that would open
		 * a run, or follow another quote, goes as the string "'" instead. */
		int lone_quote = *p == '\'' && (!open || p[-1] == '\'');
		if (*p == '\n' || *p == '\t' || lone_quote) {
			if (open)
				lc_buf_addc(b, '\'');
			if (any)
				lc_buf_addc(b, '.');
			/* a double-quoted string of one escape or a quote: no backquote can be in it */
			lc_buf_adds(b, *p == '\n' ? "\"\\n\"" : *p == '\t' ? "\"\\t\"" : "\"'\"");
			open = 0;
			any = 1;
			continue;
		}
		if (!open) {
			if (any)
				lc_buf_addc(b, '.');
			lc_buf_addc(b, '\'');
			open = any = 1;
		}
		if (*p == '\'')
			lc_buf_adds(b, "''");
		else if (*p < 0x20 || *p == 0x7f)
			lc_buf_adds(b, "\xef\xbf\xbd");
		else
			lc_buf_addc(b, (char)*p);
	}
	if (open)
		lc_buf_addc(b, '\'');
	if (!any)
		lc_buf_adds(b, "''");
}

static json_t *get_n(json_t *v, const char *p, size_t n)
{
	if (json_is_object(v)) {
		json_t *x = json_object_getn(v, p, n);
		if (x)
			return x;
		for (size_t i = n; i-- > 0;)
			if (p[i] == '.' && (x = json_object_getn(v, p, i)) && (x = get_n(x, p + i + 1, n - i - 1)))
				return x;
		return NULL;
	}
	if (json_is_array(v)) {
		size_t i = 0, k = 0;
		while (i < n && isdigit((unsigned char)p[i]) && k < 100000000)
			k = k * 10 + (size_t)(p[i++] - '0');
		if (!i)
			return NULL;
		json_t *x = json_array_get(v, k);
		if (i == n || !x)
			return i == n ? x : NULL;
		return p[i] == '.' ? get_n(x, p + i + 1, n - i - 1) : NULL;
	}
	return NULL;
}

json_t *lc_plot_get(json_t *v, const char *path)
{
	return v && path ? get_n(v, path, strlen(path)) : NULL;
}

/* Appends the records of one input value v to recs. */
static int add_value(json_t *v, const char *rp, json_t *recs, const char *where, lc_err *e)
{
	json_t *sel = rp ? lc_plot_get(v, rp) : v;
	if (!sel)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: no '%s' in this JSON value: check --records", where, rp);
	if (json_is_array(sel)) {
		size_t i;
		json_t *x;
		json_array_foreach(sel, i, x) {
			if (!json_is_object(x))
				return lc_err_set(e, LC_EXIT_INPUT, "%s: element %zu of %s is a%s %s, expected an object%s", where, i,
				                  rp ? rp : "the array", json_is_array(x) || json_is_object(x) ? "n" : "",
				                  lc_json_type_name(x), rp ? "" : " (--records PATH picks the records)");
			json_array_append(recs, x);
		}
		return 0;
	}
	if (!json_is_object(sel))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: expected a JSON object or array%s, got %s", where,
		                  rp ? " at --records" : "", lc_json_type_name(sel));
	json_array_append(recs, sel);
	return 0;
}

/* The rest of the input (from line, which did not parse alone) as a stream of JSON
 * values that may span lines. */
static int read_stream(lc_input *in, const char *line, size_t len, const char *rp, json_t *recs, lc_err *e)
{
	long lineno = lc_input_lineno(in);
	lc_buf name = {0}, where = {0}, all = {0};
	lc_buf_adds(&name, lc_input_name(in));
	lc_buf_add(&all, line, len);
	lc_buf_addc(&all, '\n');
	char *rest;
	size_t rl;
	if (lc_input_slurp(in, &rest, &rl, e) < 0) {
		lc_buf_free(&name);
		lc_buf_free(&all);
		return -1;
	}
	lc_buf_add(&all, rest, rl);
	free(rest);
	int rc = 0;
	size_t pos = 0;
	for (;;) {
		while (pos < all.len && isspace((unsigned char)all.p[pos]))
			lineno += all.p[pos++] == '\n';
		if (pos == all.len)
			break;
		json_error_t je;
		json_t *v = json_loadb(all.p + pos, all.len - pos, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);
		if (!v) {
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s:%ld:%d: invalid JSON: %s", name.p, lineno + (je.line > 1 ? je.line - 1 : 0),
			                je.column > 0 ? je.column : 1, je.text);
			break;
		}
		lc_buf_reset(&where);
		lc_buf_printf(&where, "%s:%ld", name.p, lineno);
		rc = add_value(v, rp, recs, where.p, e);
		json_decref(v);
		if (rc)
			break;
		size_t used = je.position > 0 ? (size_t)je.position : 1;
		for (size_t i = 0; i < used && pos < all.len; i++)
			lineno += all.p[pos++] == '\n';
	}
	lc_buf_free(&name);
	lc_buf_free(&where);
	lc_buf_free(&all);
	return rc;
}

int lc_plot_read(lc_input *in, const char *rp, json_t *recs, lc_err *e)
{
	char *line;
	size_t len;
	int r;
	while ((r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		json_error_t je;
		json_t *v = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!v && json_error_code(&je) == json_error_premature_end_of_input)
			return read_stream(in, line, len, rp, recs, e);
		if (!v)
			return lc_err_set(e, LC_EXIT_INPUT, "%s:%d: invalid JSON: %s", lc_input_where(in), je.column > 0 ? je.column : 1,
			                  je.text);
		int rc = add_value(v, rp, recs, lc_input_where(in), e);
		json_decref(v);
		if (rc)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

/* the shortest form that reads back as v: 1700000000123 and 1700000000456 stay apart */
static void num(lc_buf *g, double v)
{
	char s[32];
	lc_trec_score(s, sizeof s, v);
	lc_buf_adds(g, s);
}

static void histogram(lc_buf *g, const lc_plot_spec *sp, const lc_plot_point *P, size_t n)
{
	size_t ns = sp->nseries ? sp->nseries : 1;
	long bins = sp->bins > 0 ? sp->bins : 20;
	/* bins are equal in x, or in log10 x with logx */
	double lo = HUGE_VAL, hi = -HUGE_VAL;
	for (size_t i = 0; i < n; i++) {
		double t = sp->logx ? log10(P[i].x) : P[i].x;
		lo = fmin(lo, t);
		hi = fmax(hi, t);
	}
	if (hi == lo)
		hi = lo + 1;
	double bw = (hi - lo) / (double)bins, sub = bw / (double)ns;
	long *cnt = lc_xcalloc((size_t)bins, sizeof *cnt);
	for (size_t s = 0; s < ns; s++) {
		lc_buf_printf(g, "$s%zu << EOD\n", s);
		memset(cnt, 0, (size_t)bins * sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			if (P[i].series == s) {
				double t = sp->logx ? log10(P[i].x) : P[i].x;
				long k = (long)((t - lo) / bw);
				cnt[k >= bins ? bins - 1 : k < 0 ? 0 : k]++;
			}
		for (long k = 0; k < bins; k++) {
			/* series s takes the s-th slice of the bin; columns: centre, count, width
			 * (linear), or centre, count, left and right edge (logx: gnuplot centres
			 * a box's width on x in linear units, so log bins are drawn with
			 * boxxyerror between their edges) */
			double a = lo + bw * (double)k + sub * (double)s, b = a + sub;
			if (ns == 1)
				a = lo + bw * (double)k, b = a + bw;
			num(g, sp->logx ? pow(10, (a + b) / 2) : (a + b) / 2);
			lc_buf_printf(g, " %ld ", cnt[k]);
			if (sp->logx) {
				num(g, pow(10, a));
				lc_buf_addc(g, ' ');
				num(g, pow(10, b));
			} else {
				num(g, b - a);
			}
			lc_buf_addc(g, '\n');
		}
		lc_buf_adds(g, "EOD\n");
	}
	free(cnt);
}

void lc_plot_script(lc_buf *g, const lc_plot_spec *sp, const lc_plot_point *P, size_t n)
{
	int hist = !strcmp(sp->type, "hist");
	size_t ns = sp->nseries ? sp->nseries : 1;
	lc_buf_adds(g, "# gnuplot script written by lcplot: every text is a single-quoted string, never evaluated\n");
	if (!strcmp(sp->format, "svg"))
		lc_buf_printf(g, "set terminal svg size %d,%d dynamic noenhanced background rgb 'white'\n", sp->width, sp->height);
	else if (!strcmp(sp->format, "png"))
		lc_buf_printf(g, "set terminal pngcairo noenhanced size %d,%d\n", sp->width, sp->height);
	else if (!strcmp(sp->format, "pdf"))
		lc_buf_printf(g, "set terminal pdfcairo noenhanced size %gin,%gin\n", sp->width / 100.0, sp->height / 100.0);
	else
		lc_buf_printf(g, "# set terminal svg size %d,%d; set output 'chart.svg'\n", sp->width, sp->height);
	lc_buf_adds(g, "set termoption noenhanced\n");
	if (sp->title) {
		lc_buf_adds(g, "set title ");
		lc_plot_quote(g, sp->title);
		lc_buf_adds(g, " noenhanced\n");
	}
	lc_buf_adds(g, "set xlabel ");
	lc_plot_quote(g, sp->xlabel);
	lc_buf_adds(g, " noenhanced\nset ylabel ");
	lc_plot_quote(g, sp->ylabel);
	lc_buf_adds(g, " noenhanced\nset grid\n");
	lc_buf_adds(g, ns > 1 ? "set key inside right top noenhanced\n" : "unset key\n");
	if (hist)
		lc_buf_adds(g, sp->logy ? "set yrange [0.5:*]\n" : "set yrange [0:*]\n");
	lc_buf_adds(g, hist ? "set offsets graph 0.02, graph 0.02, graph 0.05, 0\n"
	                    : "set offsets graph 0.05, graph 0.15, graph 0.05, graph 0.05\n");
	if (sp->logx)
		lc_buf_adds(g, "set logscale x\n");
	if (sp->logy)
		lc_buf_adds(g, "set logscale y\n");
	if (hist) {
		lc_buf_adds(g, "set style fill solid 0.5 border\n");
		histogram(g, sp, P, n);
	} else {
		/* labels as 'set label' commands: a data block's strings cannot be quoted safely */
		for (size_t i = 0; i < n; i++)
			if (P[i].label) {
				lc_buf_adds(g, "set label ");
				lc_plot_quote(g, P[i].label);
				lc_buf_adds(g, " at first ");
				num(g, P[i].x);
				lc_buf_adds(g, ", first ");
				num(g, P[i].y);
				lc_buf_adds(g, " offset 1,0.7 left noenhanced front\n");
			}
		for (size_t s = 0; s < ns; s++) {
			lc_buf_printf(g, "$s%zu << EOD\n", s);
			for (size_t i = 0; i < n; i++)
				if (P[i].series == s) {
					num(g, P[i].x);
					lc_buf_addc(g, ' ');
					num(g, P[i].y);
					if (sp->errbars) {
						lc_buf_addc(g, ' ');
						num(g, P[i].lo);
						lc_buf_addc(g, ' ');
						num(g, P[i].hi);
					}
					lc_buf_addc(g, '\n');
				}
			lc_buf_adds(g, "EOD\n");
		}
	}
	const char *with;
	if (hist && sp->logx)   /* from the axis' floor (0, or 0.5 with logy) to the count */
		with = sp->logy ? "using 1:2:3:4:(0.5):2 with boxxyerror" : "using 1:2:3:4:(0):2 with boxxyerror";
	else if (hist)
		with = "using 1:2:3 with boxes";
	else if (!strcmp(sp->type, "points"))
		with = sp->errbars ? "using 1:2:3:4 with yerrorbars pt 7 ps 1.2" : "using 1:2 with points pt 7 ps 1.2";
	else if (!strcmp(sp->type, "lines"))
		with = sp->errbars ? "using 1:2:3:4 with yerrorlines pt 0" : "using 1:2 with lines";
	else
		with = sp->errbars ? "using 1:2:3:4 with yerrorlines pt 7 ps 1.2" : "using 1:2 with linespoints pt 7 ps 1.2";
	lc_buf_adds(g, "plot ");
	for (size_t s = 0; s < ns; s++) {
		lc_buf_printf(g, "%s$s%zu %s", s ? ", \\\n     " : "", s, with);
		if (ns > 1) {
			lc_buf_adds(g, " title ");
			lc_plot_quote(g, sp->series[s]);
			lc_buf_adds(g, " noenhanced");
		} else
			lc_buf_adds(g, " notitle");
	}
	lc_buf_addc(g, '\n');
}


static volatile pid_t gnuplot_pid;

/* lc_die while gnuplot runs: do not leave it behind */
static void kill_gnuplot(void)
{
	if (gnuplot_pid > 0)
		kill(gnuplot_pid, SIGTERM);
}

int lc_plot_render(const char *script, size_t len, lc_output *o, lc_err *e)
{
	int in[2], out[2], ex[2];
	if (pipe(in) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "cannot run gnuplot: pipe: %s", strerror(errno));
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		return lc_err_set(e, LC_EXIT_INPUT, "cannot run gnuplot: pipe: %s", strerror(errno));
	}
	/* ex: closed by a successful exec, carries errno if exec fails */
	if (pipe2(ex, O_CLOEXEC) < 0) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return lc_err_set(e, LC_EXIT_INPUT, "cannot run gnuplot: pipe: %s", strerror(errno));
	}
	static int hooked;
	if (!hooked) {
		hooked = 1;
		lc_at_die(kill_gnuplot);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(ex[0]), close(ex[1]);
		return lc_err_set(e, LC_EXIT_INPUT, "cannot run gnuplot: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(ex[0]);
		execlp("gnuplot", "gnuplot", (char *)NULL);
		int err = errno;
		if (write(ex[1], &err, sizeof err) < 0)
			_exit(127);
		_exit(127);
	}
	gnuplot_pid = pid;
	close(in[0]);
	close(out[1]);
	close(ex[1]);
	int err = 0;
	ssize_t got;
	while ((got = read(ex[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(ex[0]);
	struct sigaction ign, old;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	/* feed the script and drain the picture together: either may fill a pipe */
	size_t off = 0;
	int wfd = in[1], rfd = out[0], werr = 0;
	if (got > 0) {
		close(wfd);
		wfd = -1;
	}
	char buf[65536];
	while (rfd >= 0) {
		struct pollfd pf[2] = { { rfd, POLLIN, 0 }, { wfd, POLLOUT, 0 } };
		if (poll(pf, wfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (wfd >= 0 && pf[1].revents) {
			size_t chunk = len - off < 4096 ? len - off : 4096;
			if (chunk && lc_write_all(wfd, script + off, chunk) < 0)
				werr = errno, off = len;
			else
				off += chunk;
			if (off == len) {
				close(wfd);
				wfd = -1;
			}
		}
		if (pf[0].revents) {
			ssize_t r = read(rfd, buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(rfd);
				rfd = -1;
			} else
				lc_output_write(o, buf, (size_t)r);
		}
	}
	if (wfd >= 0)
		close(wfd);
	sigaction(SIGPIPE, &old, NULL);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	gnuplot_pid = 0;
	if (got > 0)
		return lc_err_set(e, LC_EXIT_INPUT, "cannot run gnuplot: %s: install gnuplot (Debian: gnuplot-nox); --format gp writes the script alone",
		                  strerror(err));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return lc_err_set(e, LC_EXIT_INPUT, "gnuplot failed (%s %d; its message is above)%s",
		                  WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		                  werr ? ": it stopped reading the script" : "");
	return 0;
}
