/* batch — split OpenAI Batch request files at the API's limits, and pick the
 * requests to submit again; see batch.h. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "answer.h"
#include "buf.h"
#include "input.h"
#include "json.h"
#include "llm.h"
#include "output.h"
#include "strmap.h"

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

/* ---- split ------------------------------------------------------------------- */

/* The parts of the split in progress, for the die hook: staged[] are the files in
 * the build directory, then the directory itself (commit_parts runs with signals
 * blocked and undoes its own renames).
 * Blocked signals guard every change, as lib/dd/wds does. */
static char **staged;
static volatile size_t n_staged;
static size_t cap_staged;
static char *volatile stage_dir;

static void remove_staged(void)
{
	for (size_t i = 0; i < n_staged; i++)
		unlink(staged[i]);
	if (stage_dir)
		rmdir(stage_dir);
}

/* Creates the build directory from template (mkdtemp) and arms the hook: 0, or -1 + errno. */
static int arm(char *template)
{
	static int registered;
	sigset_t old;
	lc_signals_block(&old);
	if (!registered) {
		registered = 1;
		lc_at_die(remove_staged);
	}
	int rc = mkdtemp(template) ? 0 : -1;
	int err = errno;
	if (rc == 0)
		stage_dir = lc_xstrdup(template);
	lc_signals_restore(&old);
	errno = err;
	return rc;
}

/* path (malloc'd, taken) is a part built in the directory */
static void stage(char *path)
{
	sigset_t old;
	lc_signals_block(&old);
	if (n_staged == cap_staged) {
		cap_staged = cap_staged ? 2 * cap_staged : 16;
		staged = lc_xrealloc(staged, cap_staged * sizeof *staged);
	}
	staged[n_staged] = path;
	n_staged = n_staged + 1;
	lc_signals_restore(&old);
}

/* Ends the split: removes the build directory, and with failed every part of this
 * run (built or already in place). */
static void disarm(int failed)
{
	sigset_t old;
	lc_signals_block(&old);
	if (failed)
		remove_staged();
	else if (stage_dir)
		rmdir(stage_dir);   /* empty: every part was renamed out */
	size_t n = n_staged;
	n_staged = 0;
	char *d = stage_dir;
	stage_dir = NULL;
	lc_signals_restore(&old);
	for (size_t i = 0; i < n; i++)
		free(staged[i]);
	free(d);
}

/* "PREFIX.part-NNN.jsonl" into b */
static void part_name(lc_buf *b, const char *pre, size_t k)
{
	lc_buf_reset(b);
	lc_buf_printf(b, "%s.part-%03zu.jsonl", pre, k);
}

/* A part's name must be free or a regular file that the new part replaces. */
static int check_target(const char *name, lc_err *e)
{
	struct stat st;
	if (stat(name, &st) == 0 && !S_ISREG(st.st_mode))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: exists and is not a regular file: remove it or choose another --prefix",
		                  name);
	return 0;
}

/* One request line: a JSON object with a non-empty string custom_id not seen
 * before, "method": "POST", a string url and an object body (what the Batch API
 * accepts; a number is not a custom_id there).  split and failed read requests
 * by this rule.  ids maps custom_id -> index into *first (the line it was on);
 * *id (may be NULL) gets the request's index in ids. */
static int check_request(char *line, size_t len, lc_input *in, lc_strmap *ids, long **first, uint32_t *id_index,
                         lc_err *e)
{
	const char *where = lc_input_where(in);
	json_t *obj = lc_json_parse_object(line, len, where, e);
	if (!obj)
		return -1;
	int rc = -1;
	const char *id = lc_json_str(obj, "custom_id", where, e);
	json_t *method = json_object_get(obj, "method"), *url = json_object_get(obj, "url");
	if (!id)
		goto out;
	if (!*id) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: custom_id is empty: give every request its own id", where);
		goto out;
	}
	if (!json_is_string(method) || strcmp(json_string_value(method), "POST")) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: request '%s' needs \"method\": \"POST\" (the Batch API refuses the file)",
		           where, id);
		goto out;
	}
	if (!json_is_string(url) || json_string_value(url)[0] != '/') {
		lc_err_set(e, LC_EXIT_INPUT, "%s: request '%s' needs a \"url\" such as \"/v1/chat/completions\"", where, id);
		goto out;
	}
	if (!json_is_object(json_object_get(obj, "body"))) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: request '%s' needs a \"body\" object", where, id);
		goto out;
	}
	int is_new;
	uint32_t k = lc_strmap_intern(ids, id, strlen(id), &is_new);
	if (!is_new) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: custom_id '%s' repeats line %ld: custom_ids must be unique in a batch",
		           where, id, (*first)[k]);
		goto out;
	}
	*first = lc_xrealloc(*first, lc_strmap_count(ids) * sizeof **first);
	(*first)[k] = lc_input_lineno(in);
	if (id_index)
		*id_index = k;
	rc = 0;
out:
	json_decref(obj);
	return rc;
}

/* Appends to names the paths dir/PREFIX.part-NNN.jsonl for NNN > parts (regular
 * files named exactly as a split names them): what an earlier split into more
 * parts left. */
static int list_stale(const char *dir, const char *base, size_t parts, lc_strlist *names, lc_err *e)
{
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	if (!d) {
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot read the directory to remove an earlier split's parts: %s",
		                  dir, strerror(errno));
	}
	lc_buf name = {0}, path = {0};
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (strncmp(n, base, blen) || strncmp(n + blen, ".part-", 6))
			continue;
		char *end;
		errno = 0;
		unsigned long long k = strtoull(n + blen + 6, &end, 10);
		if (errno || end == n + blen + 6 || k <= parts || strcmp(end, ".jsonl"))
			continue;
		lc_buf_reset(&name);
		lc_buf_printf(&name, "%s.part-%03llu.jsonl", base, k);
		if (strcmp(name.p, n))
			continue;
		lc_buf_reset(&path);
		lc_buf_printf(&path, "%s/%s", dir, n);
		struct stat st;
		if (lstat(path.p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		lc_strlist_push(names, path.p, path.len);
	}
	closedir(d);
	lc_buf_free(&name);
	lc_buf_free(&path);
	return 0;
}

/* How a file at a name this split replaces or removes was kept until the end. */
enum { KEPT_NONE, KEPT_LINK, KEPT_MOVED };

/* Puts the nparts built parts (staged[]) at PREFIX.part-NNN.jsonl and moves the
 * stale parts of an earlier split out of the way, as one step as far as POSIX
 * allows: every file it replaces or removes is first kept in the build
 * directory (a hard link, or renamed there where the file system has no hard
 * links), and a failed rename puts every one back and takes this split's parts
 * away, so the names hold the earlier split as they did.  Signals are blocked
 * throughout, so an interrupt lands before or after, never between two renames.
 * *removed counts the stale parts removed. */
static int commit_parts(const char *pre, const char *pdir, const char *base, size_t nparts, size_t *removed,
                        lc_err *e)
{
	lc_strlist stale = {0}, tgt = {0}, bk = {0}, sbk = {0};
	if (list_stale(pdir, base, nparts, &stale, e) < 0)
		return -1;
	lc_buf b = {0};
	for (size_t k = 1; k <= nparts; k++) {
		part_name(&b, pre, k);
		lc_strlist_push(&tgt, b.p, b.len);
		lc_buf_reset(&b);
		lc_buf_printf(&b, "%s/old-%zu", stage_dir, k);
		lc_strlist_push(&bk, b.p, b.len);
	}
	for (size_t j = 0; j < stale.n; j++) {
		lc_buf_reset(&b);
		lc_buf_printf(&b, "%s/stale-%zu", stage_dir, j);
		lc_strlist_push(&sbk, b.p, b.len);
	}
	lc_buf_free(&b);
	unsigned char *kept = lc_xcalloc(nparts + 1, 1);
	size_t placed = 0, moved = 0;
	int r = 0;
	sigset_t old;
	lc_signals_block(&old);
	/* keep what the parts replace */
	for (size_t k = 0; r == 0 && k < nparts; k++) {
		struct stat st;
		if (lstat(tgt.s[k], &st) < 0)
			continue;
		if (link(tgt.s[k], bk.s[k]) == 0)
			kept[k] = KEPT_LINK;
		else if (rename(tgt.s[k], bk.s[k]) == 0)
			kept[k] = KEPT_MOVED;
		else
			r = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot keep the earlier part while this split's is put in place: %s",
			               tgt.s[k], strerror(errno));
	}
	/* the stale parts out of the way, then this split's parts into place */
	while (r == 0 && moved < stale.n) {
		if (rename(stale.s[moved], sbk.s[moved]) < 0)
			r = lc_err_set(e, LC_EXIT_INPUT, "%s: part of an earlier split, cannot remove it: %s", stale.s[moved],
			               strerror(errno));
		else
			moved++;
	}
	while (r == 0 && placed < nparts) {
		if (rename(staged[placed], tgt.s[placed]) < 0)
			r = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot rename the part into place: %s", tgt.s[placed],
			               strerror(errno));
		else
			placed++;
	}
	if (r == 0 && lc_output_sync_enabled() && lc_fsync_dir(pdir) < 0)
		r = lc_err_set(e, LC_EXIT_INPUT, "%s: syncing the directory failed: %s", pdir, strerror(errno));
	if (r < 0) {
		/* back as it was: the earlier parts at their names, this split's gone */
		int lost = 0;
		for (size_t k = 0; k < nparts; k++) {
			if (kept[k] == KEPT_MOVED || (kept[k] == KEPT_LINK && k < placed))
				lost |= rename(bk.s[k], tgt.s[k]) < 0;
			else if (k < placed)
				lost |= unlink(tgt.s[k]) < 0;
		}
		for (size_t j = 0; j < moved; j++)
			lost |= rename(sbk.s[j], stale.s[j]) < 0;
		if (lost) {
			size_t l = strlen(e->msg);
			snprintf(e->msg + l, sizeof e->msg - l, " (and putting the earlier parts back failed: they are in %s)",
			         stage_dir);
		}
	}
	/* what was kept is no longer needed (after a failure: the links of parts never replaced) */
	for (size_t k = 0; k < nparts; k++)
		if (kept[k] && (r == 0 || (kept[k] == KEPT_LINK && k >= placed)))
			unlink(bk.s[k]);
	for (size_t j = 0; r == 0 && j < moved; j++)
		unlink(sbk.s[j]);
	lc_signals_restore(&old);
	*removed = r == 0 ? stale.n : 0;
	free(kept);
	lc_strlist_free(&stale);
	lc_strlist_free(&tgt);
	lc_strlist_free(&bk);
	lc_strlist_free(&sbk);
	return r;
}

int lc_batch_split(const char *path, const char *prefix, size_t max_lines, unsigned long long max_bytes,
                   size_t *parts, size_t *removed, lc_err *e)
{
	*parts = *removed = 0;
	char *pre = prefix ? lc_xstrdup(prefix) : default_prefix(path);
	const char *slash = strrchr(pre, '/');
	char *pdir = slash ? lc_xstrndup(pre, slash == pre ? 1 : (size_t)(slash - pre)) : lc_xstrdup(".");
	/* The parts are built in a directory beside them and renamed into place once
	 * the whole input has been read and checked: the input is read once (a pipe
	 * works), and a bad line or a failure leaves no part of this run. */
	lc_buf sd = {0}, name = {0};
	lc_buf_printf(&sd, "%s/.%s.split.XXXXXX", pdir, slash ? slash + 1 : pre);
	if (arm(sd.p) < 0) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create a directory to build the parts in: %s", pdir,
		           strerror(errno));
		lc_buf_free(&sd);
		free(pdir);
		free(pre);
		return -1;
	}
	lc_input *in = lc_input_open(path, NULL, e);
	int r = in ? 0 : -1;
	lc_strmap ids = {0};
	long *first = NULL;
	lc_output *o = NULL;
	char *line;
	size_t len, in_part = 0;
	unsigned long long bytes = 0;
	while (in && (r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		if (check_request(line, len, in, &ids, &first, NULL, e) < 0) {
			r = -1;
			break;
		}
		if (len + 1 > max_bytes) {
			r = lc_err_set(e, LC_EXIT_INPUT,
			               "%s: the request is %zu bytes, over --max-bytes %llu: it cannot go in any part",
			               lc_input_where(in), len + 1, max_bytes);
			break;
		}
		if (o && (in_part == max_lines || bytes + len + 1 > max_bytes)) {
			lc_output_commit(o);
			o = NULL;
		}
		if (!o) {
			part_name(&name, pre, ++*parts);
			if ((r = check_target(name.p, e)) < 0)
				break;
			const char *b = strrchr(name.p, '/');
			lc_buf_reset(&sd);
			lc_buf_printf(&sd, "%s/%s", stage_dir, b ? b + 1 : name.p);
			o = lc_output_open(sd.p);
			stage(lc_buf_detach(&sd));
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
	if (r == 0 && !*parts)
		r = lc_err_set(e, LC_EXIT_INPUT, "%s: no requests", path);
	/* every part is complete: check the names again, then put them in place */
	for (size_t k = 1; r == 0 && k <= *parts; k++) {
		part_name(&name, pre, k);
		r = check_target(name.p, e);
	}
	if (r == 0)
		r = commit_parts(pre, pdir, slash ? slash + 1 : pre, *parts, removed, e);
	disarm(r < 0);
	if (r < 0)
		*parts = 0;
	if (in)
		lc_input_close(in);
	lc_strmap_free(&ids);
	free(first);
	lc_buf_free(&name);
	lc_buf_free(&sd);
	free(pdir);
	free(pre);
	return r == 0 ? 0 : -1;
}

typedef struct {
	lc_strmap ok;        /* custom_ids with a successful result */
	lc_strmap seen;      /* every result's custom_id */
} failed_ctx;

static void on_result(void *ud, const char *id, const lc_llm_result *r, const char *where)
{
	failed_ctx *x = ud;
	(void)where;
	lc_strmap_intern(&x->seen, id, strlen(id), NULL);
	if (r->ok)
		lc_strmap_intern(&x->ok, id, strlen(id), NULL);
}

int lc_batch_failed(const char *requests, const char *results, const char *out, size_t *failed, size_t *total,
                    size_t *unmatched, lc_err *e)
{
	*failed = *total = *unmatched = 0;
	failed_ctx x = {0};
	lc_strmap req = {0};
	long *first = NULL;
	lc_input *in = NULL;
	lc_output *o = NULL;
	int r = -1;
	if (lc_llm_batch_read(results, on_result, &x, e) < 0 || !(in = lc_input_open(requests, NULL, e)))
		goto done;
	o = lc_output_open(out);
	char *line;
	size_t len;
	while ((r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		uint32_t k;
		if (check_request(line, len, in, &req, &first, &k, e) < 0) {
			r = -1;
			break;
		}
		(*total)++;
		if (lc_strmap_find(&x.ok, lc_strmap_str(&req, k), lc_strmap_len(&req, k)) < 0) {
			lc_output_write(o, line, len);
			lc_output_write(o, "\n", 1);
			(*failed)++;
		}
	}
	if (r == 0 && !*total)
		r = lc_err_set(e, LC_EXIT_INPUT, "%s: no requests", requests);
	if (r == 0)
		lc_output_commit(o);
	else
		lc_output_abort(o);
	for (size_t i = 0; r == 0 && i < lc_strmap_count(&x.seen); i++)
		if (lc_strmap_find(&req, lc_strmap_str(&x.seen, (uint32_t)i), lc_strmap_len(&x.seen, (uint32_t)i)) < 0)
			(*unmatched)++;
done:
	if (in)
		lc_input_close(in);
	free(first);
	lc_strmap_free(&x.ok);
	lc_strmap_free(&x.seen);
	lc_strmap_free(&req);
	return r == 0 ? 0 : -1;
}
