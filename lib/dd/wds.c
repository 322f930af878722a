/*
 * wds — the decomposed-dataset writer: shuffle pools per bucket, WebDataset tar
 * shards (ustar members built in memory, lib/dd/ustar; or JSONL shards / flat binary
 * files), manifests, stats,
 * and the merge of several datasets into one.  See wds.h for the layout.
 */
#define _GNU_SOURCE   /* renameat2(RENAME_EXCHANGE) */
#include "wds.h"
#include "decompose.h"
#include "dfile.h"
#include "fdio.h"
#include "idtext.h"
#include "input.h"
#include "json.h"
#include "output.h"   /* lc_signals_block */
#include "resv.h"
#include "ustar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>   /* narrow_copy */
#endif

/* ---- cleanup registry: everything we created, removed on failure ------------ */

#define MAX_CREATED 1000000
static char **created;          /* paths; directories end with '/' */
static volatile size_t n_created;
static size_t cap_created;
static volatile int cleanup_armed;
static struct sigaction old_sa[3];
static const int cleanup_sigs[3] = { SIGINT, SIGTERM, SIGHUP };

static void remove_created(void)
{
	if (!cleanup_armed)
		return;
	cleanup_armed = 0;
	for (size_t i = n_created; i-- > 0;) {
		char *p = created[i];
		size_t n = strlen(p);
		if (n && p[n - 1] == '/') {
			p[n - 1] = 0;
			rmdir(p);
			p[n - 1] = '/';
		} else {
			unlink(p);
		}
	}
}

static void on_signal(int sig)
{
	remove_created();
	for (int i = 0; i < 3; i++)
		if (cleanup_sigs[i] == sig) {
			sigaction(sig, &old_sa[i], NULL);
			break;
		}
	raise(sig);
}

static void arm_cleanup(void)
{
	static int installed;
	if (!installed) {
		installed = 1;
		lc_at_die(remove_created);
		atexit(remove_created);   /* lc_xmalloc exits by itself when out of memory */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (int i = 0; i < 3; i++) {
			sigaction(cleanup_sigs[i], NULL, &old_sa[i]);
			if (old_sa[i].sa_handler != SIG_IGN)
				sigaction(cleanup_sigs[i], &sa, NULL);
		}
	}
	for (size_t i = 0; i < n_created; i++)
		free(created[i]);
	n_created = 0;
	cleanup_armed = 1;
}

static void disarm_cleanup(void)
{
	cleanup_armed = 0;
}

static void remember(const char *path, int is_dir)
{
	sigset_t old;
	lc_signals_block(&old);
	if (n_created == cap_created) {
		cap_created = cap_created ? cap_created * 2 : 64;
		created = lc_xrealloc(created, cap_created * sizeof *created);
	}
	size_t n = strlen(path);
	char *p = lc_xmalloc(n + 2);
	memcpy(p, path, n);
	p[n] = is_dir ? '/' : 0;
	p[n + 1] = 0;
	created[n_created] = p;
	n_created = n_created + 1;
	lc_signals_restore(&old);
}

/* ---- small helpers ------------------------------------------------------------ */


/* fsync(fd) unless LCTK_NO_SYNC; file systems that cannot sync (EINVAL, EROFS)
 * are not an error. */
static int sync_fd(int fd)
{
	if (!lc_output_sync_enabled())
		return 0;
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		return -1;
	return 0;
}

/* fsync a directory (its entries: renamed files, new subdirectories). */
static int sync_dir(const char *dir)
{
	if (!lc_output_sync_enabled())
		return 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = sync_fd(fd);
	int er = errno;
	close(fd);
	errno = er;
	return r;
}

static int sync_error(lc_err *e, const char *path, int er)
{
	return lc_err_set(e, LC_EXIT_INPUT, "%s: fsync failed: %s; nothing was kept", path,
	                  strerror(er ? er : EIO));
}

static char *path2(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = lc_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static char *tmp_name(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 8;
	char *p = lc_xmalloc(n);
	snprintf(p, n, "%s/.%s.tmp", dir, name);
	return p;
}

void lc_wds_format_ids(lc_buf *b, const uint32_t *tok, size_t n)
{
	lc_buf_grow(b, n * 12 + 3);
	char *o = b->p + b->len;
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i) {
			*o++ = ',';
			*o++ = ' ';
		}
		o = lc_idtext_u32(o, tok[i]);
	}
	*o++ = ']';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = 0;
}

static void commas(char *out, size_t cap, uint64_t v)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
	size_t k = 0;
	for (int i = 0; i < n && k + 1 < cap; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = t[i];
	}
	out[k] = 0;
}

/* ---- the writer ------------------------------------------------------------- */

/* Where a dataset is built (prepare_target, finish_target below). */
typedef struct target {
	char *final;          /* the directory the user named */
	char *build;          /* where the files go: final, or the sibling */
	int swap;             /* build is a sibling to exchange with final */
	int created;          /* final did not exist before */
} target;

typedef struct bucket {
	char *name, *dir;
	size_t max_len, shard_size;
	uint64_t seq_len;
	/* pool slots of max_len tokens: ids in 16 bits (s16) while every id the bucket
	 * has taken is below 65536 (vocabularies of up to 65536 tokens: half the memory
	 * and memory traffic), widened to 32 bits (s32) by the first larger one */
	uint16_t *s16;
	uint32_t *s32;
	int wide;
	lc_resv r16, r32;      /* their memory: never moved, on huge pages (lib/dd/resv) */
	uint32_t *lens;        /* tokens in each slot */
	unsigned char *ends;   /* 1: the slot's last token is its document's end-of-text */
	uint32_t *idx;         /* occupied slots, in pool order */
	uint32_t *free_;       /* free slot stack */
	size_t n_idx, n_free, n_slots, cap_slots, pool_cap;
	size_t n_shards;
	uint64_t *shard_counts;
	size_t cap_counts;
	/* bin */
	int tok_fd, idx_fd;
	char *tok_tmp, *idx_tmp;
	uint64_t tok_off;
	int idx_started;
} bucket;

struct lc_wds {
	lc_wds_opts o;
	char *dir;             /* where files are written: t.build */
	target t;
	bucket *b;
	int nb;
	lc_rng rng;
	lc_buf line, bin;
	lc_dfile df;           /* tar: the shard being written, its buffer reused */
	lc_idtext *idtext;     /* tar and JSONL: "[1, 2, 3]" from a table */
	size_t eot_len;        /* strlen(o.eot_text) */
};

size_t lc_wds_shard_size(int k)
{
	if (k >= 20)
		return 1;
	size_t s = (size_t)1 << (20 - k);
	return s > 65536 ? 65536 : s;
}

static int is_output_name(const char *n)
{
	return (n[0] == 'D' || n[0] == 'L') && n[1] == '_' ? 1 :
	       !strcmp(n, "stats.txt") || !strcmp(n, "lcdecompose.json");
}

static int rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return -1;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char *p = path2(path, de->d_name);
			int r = rm_tree(p);
			free(p);
			if (r < 0) {
				closedir(d);
				return -1;
			}
		}
		closedir(d);
		return rmdir(path);
	}
	return unlink(path);
}

/* Where a dataset is built.  A new or empty directory is written in place; an earlier
 * output replaced with force is left untouched while the new one is built in a
 * sibling ".NAME.lctk-XXXXXX", which finish_target() swaps in once it is complete. */

static void free_target(target *t)
{
	free(t->final);
	free(t->build);
	memset(t, 0, sizeof *t);
}

/* Splits dir into its parent directory and last component (both malloc'd). */
static void split_dir(const char *dir, char **parent, char **base)
{
	char *d = lc_xstrdup(dir);
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = 0;
	char *slash = strrchr(d, '/');
	if (!slash) {
		*parent = lc_xstrdup(".");
		*base = d;
		return;
	}
	*base = lc_xstrdup(slash + 1);
	*slash = 0;
	*parent = slash == d ? lc_xstrdup("/") : lc_xstrdup(d);
	free(d);
}

/* "PARENT/.BASE.lctk-XXXXXX" (tag "") or "PARENT/.BASE.lctk-TAG-XXXXXX", for mkdtemp. */
static char *sibling_template(const char *dir, const char *tag)
{
	char *parent, *base;
	split_dir(dir, &parent, &base);
	size_t m = strlen(parent) + strlen(base) + strlen(tag) + 32;
	char *p = lc_xmalloc(m);
	snprintf(p, m, "%s/.%s.lctk-%s%sXXXXXX", parent, base, tag, *tag ? "-" : "");
	free(parent), free(base);
	return p;
}

static char *parent_dir(const char *dir)
{
	char *parent, *base;
	split_dir(dir, &parent, &base);
	free(base);
	return parent;
}

/* Checks dir: refuses a non-empty one unless force, and one holding foreign files
 * even then.  Creates dir, or the sibling to build in.  Nothing is removed here. */
static int prepare_target(const char *dir, int force, target *t, lc_err *e)
{
	memset(t, 0, sizeof *t);
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: exists and is not a directory", dir);
		DIR *d = opendir(dir);
		if (!d)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", dir, strerror(errno));
		struct dirent *de;
		int nonempty = 0, foreign = 0;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			nonempty = 1;
			if (!is_output_name(de->d_name))
				foreign = 1;
		}
		closedir(d);
		if (nonempty && !force)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: output directory exists and is not empty; "
			                  "use --force to replace an earlier lcdecompose output", dir);
		if (nonempty && foreign)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: holds files lcdecompose did not write; "
			                  "refusing to replace it even with --force", dir);
		t->final = lc_xstrdup(dir);
		if (!nonempty) {
			t->build = lc_xstrdup(dir);
			return 0;
		}
		/* build beside it; the old dataset stays until the new one is complete */
		t->build = sibling_template(dir, "");
		sigset_t old;
		lc_signals_block(&old);
		int ok = mkdtemp(t->build) != NULL;
		int er = errno;
		if (ok)
			remember(t->build, 1);
		lc_signals_restore(&old);
		if (ok && chmod(t->build, st.st_mode & 07777) < 0)   /* mkdtemp made it 0700 */
			ok = 0, er = errno;
		if (!ok)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create a directory beside it to build in: %s",
			                  dir, strerror(er));
		t->swap = 1;
		return 0;
	}
	t->final = lc_xstrdup(dir);
	t->build = lc_xstrdup(dir);
	t->created = 1;
	remember(dir, 1);   /* before creating: a failure in between still cleans up */
	if (mkdir(dir, 0777) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create the output directory: %s", dir, strerror(errno));
	return 0;
}

/* Exchanges two directories: renameat2(RENAME_EXCHANGE) where the kernel and file
 * system have it, else old -> a sibling, new -> old (put back on failure). */
static int exchange_dirs(const char *build, const char *final, char **old_out)
{
	*old_out = NULL;
#ifdef RENAME_EXCHANGE
	if (renameat2(AT_FDCWD, build, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
		*old_out = lc_xstrdup(build);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP && errno != EPERM)
		return -1;
#endif
	char *old = sibling_template(final, "old");
	if (!mkdtemp(old)) {
		free(old);
		return -1;
	}
	if (rename(final, old) < 0) {   /* onto an empty directory: replaces it */
		int er = errno;
		rmdir(old), free(old);
		errno = er;
		return -1;
	}
	if (rename(build, final) < 0) {
		int er = errno;
		rename(old, final);
		rmdir(old);
		free(old);
		errno = er;
		return -1;
	}
	*old_out = old;
	return 0;
}

/* The dataset in t->build is complete: fsync it, put it in place, fsync the parent,
 * stop the cleanup and remove the replaced dataset. */
static int finish_target(target *t, lc_err *e)
{
	if (sync_dir(t->build) < 0)
		return sync_error(e, t->final, errno);
	char *parent = parent_dir(t->final);
	int rc = 0;
	if (!t->swap) {
		if ((t->created && sync_dir(parent) < 0))
			rc = sync_error(e, parent, errno);
		if (!rc)
			disarm_cleanup();
		free(parent);
		return rc;
	}
	sigset_t oldmask;
	lc_signals_block(&oldmask);
	char *old = NULL;
	if (exchange_dirs(t->build, t->final, &old) < 0) {
		rc = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot put the new dataset in place: %s; "
		                "the old one is unchanged", t->final, strerror(errno));
	} else {
		disarm_cleanup();   /* the registry's paths now name the old dataset */
	}
	lc_signals_restore(&oldmask);
	if (!rc) {
		if (sync_dir(parent) < 0)
			lc_warn("%s: fsync failed: %s (the new dataset is in place)", parent, strerror(errno));
		if (rm_tree(old) < 0)
			lc_warn("%s: could not remove the replaced dataset: %s", old, strerror(errno));
	}
	free(old), free(parent);
	return rc;
}

lc_wds *lc_wds_open(const lc_wds_opts *o, lc_err *e)
{
	arm_cleanup();
	target t;
	if (prepare_target(o->dir, o->force, &t, e) < 0) {
		remove_created();
		free_target(&t);
		return NULL;
	}
	lc_wds *w = lc_xcalloc(1, sizeof *w);
	w->o = *o;
	if (w->o.pool <= 0)
		w->o.pool = 20;
	w->t = t;
	w->dir = lc_xstrdup(t.build);
	lc_rng_seed2(&w->rng, o->seed, 0x5348554646ULL);   /* "SHUFF" stream */
	if (o->format != LC_WDS_BIN)
		w->idtext = lc_idtext_new();
	w->eot_len = o->eot_text ? strlen(o->eot_text) : 0;
	return w;
}

int lc_wds_bucket(lc_wds *w, const char *name, size_t max_len, uint64_t seq_len, size_t shard_size)
{
	w->b = lc_xrealloc(w->b, (size_t)(w->nb + 1) * sizeof *w->b);
	bucket *b = &w->b[w->nb];
	memset(b, 0, sizeof *b);
	b->name = lc_xstrdup(name);
	b->dir = path2(w->dir, name);
	b->max_len = max_len;
	b->seq_len = seq_len;
	b->shard_size = shard_size ? shard_size : 1;
	b->pool_cap = b->shard_size * (size_t)w->o.pool;
	lc_resv_init(&b->r16, b->pool_cap * max_len * sizeof *b->s16);
	b->tok_fd = b->idx_fd = -1;
	return w->nb++;
}

static int ensure_dir(lc_wds *w, bucket *b, lc_err *e)
{
	(void)w;
	struct stat st;
	if (stat(b->dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	remember(b->dir, 1);
	if (mkdir(b->dir, 0777) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", b->dir, strerror(errno));
	return 0;
}

static int io_error(lc_err *e, const char *path, int er)
{
	return lc_err_set(e, LC_EXIT_INPUT, "%s: write failed: %s; nothing was kept", path,
	                  strerror(er ? er : EIO));
}

static int finish_file(const char *tmp, const char *final, lc_err *e)
{
	remember(final, 0);
	if (rename(tmp, final) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot rename into place: %s", final, strerror(errno));
	return 0;
}

/* Asks for slot s (its first 4 KiB) to be brought into the cache while the slots
 * before it are formatted: a shard visits the pool's slots in random order, which
 * the hardware's prefetcher cannot follow (short slots: D_8's are 514 bytes). */
static void prefetch_slot(const bucket *b, uint32_t s)
{
	size_t at = (size_t)s * b->max_len, bytes = (size_t)b->lens[s] * (b->wide ? 4 : 2);
	const char *p = b->wide ? (const char *)(b->s32 + at) : (const char *)(b->s16 + at);
	if (bytes > 4096)
		bytes = 4096;
	for (size_t o = 0; o < bytes; o += 64)
		__builtin_prefetch(p + o);
}

/* Writes "[1, 2, 3]" for the first n ids of slot s at o (LC_IDTEXT_ROOM(n) bytes);
 * returns the end of the text. */
static char *put_ids(const lc_wds *w, const bucket *b, uint32_t s, size_t n, char *o)
{
	size_t at = (size_t)s * b->max_len;
	return b->wide ? lc_idtext_put(w->idtext, o, b->s32 + at, n) : lc_idtext_put16(w->idtext, o, b->s16 + at, n);
}

/* "{i:012d}.txt", without printf (one call per member); i has at most 12 digits
 * (a shard holds at most 65536 members), as snprintf's "%012zu" would write. */
static void member_name(char *key, size_t i)
{
	for (int d = 11; d >= 0; d--, i /= 10)
		key[d] = (char)('0' + i % 10);
	memcpy(key + 12, ".txt", 5);
}

/* Appends slot s to df as tar member number i, "{i:012d}.txt" holding "[1, 2, 3]",
 * formatted in place; a sequence that ends its document ends with o.eot_text
 * instead of the end-of-text id when that is set.  fin names the shard in errors. */
static int tar_member(const lc_wds *w, const bucket *b, uint32_t s, size_t i, lc_dfile *df, const char *fin,
                      lc_err *e)
{
	size_t n = b->lens[s];
	char *h = lc_dfile_room(df, 2 * LC_USTAR_BLOCK + LC_IDTEXT_ROOM(n) + w->eot_len + 4);
	if (!h)
		return io_error(e, fin, errno);
	char *o = h + LC_USTAR_BLOCK, *end;
	if (!w->o.eot_text || !n || !(b->ends[s] & LC_WDS_ENDS_DOC)) {
		end = put_ids(w, b, s, n, o);
	} else {
		end = put_ids(w, b, s, n - 1, o) - 1;   /* without its ']' */
		if (n > 1) {
			*end++ = ',';
			*end++ = ' ';
		}
		memcpy(end, w->o.eot_text, w->eot_len);
		end += w->eot_len;
		*end++ = ']';
	}
	size_t size = (size_t)(end - o);
	char key[32];
	member_name(key, i);
	if (lc_ustar_header(h, key, size) < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: member %s: %zu bytes is too large for a tar member",
		                  fin, key, size);
	size_t pad = lc_ustar_pad(size);
	memset(end, 0, pad);
	lc_dfile_commit(df, LC_USTAR_BLOCK + size + pad);
	return 0;
}

/* The end of writing one file (a shard, or write_small's): sync and close fd,
 * then rename tmp into place as fin, unless rc (the writing's result) already
 * failed; frees tmp and fin.
 * 0, or -1 + e. */
static int end_file(int fd, int rc, char *tmp, char *fin, lc_err *e)
{
	if (!rc && sync_fd(fd) < 0)
		rc = sync_error(e, fin, errno);
	if (close(fd) < 0 && !rc)
		rc = io_error(e, fin, errno);
	if (!rc)
		rc = finish_file(tmp, fin, e);
	free(tmp), free(fin);
	return rc ? -1 : 0;
}

/* Writes sequences in slots sel[0..m) as the bucket's next shard. */
static int write_shard(lc_wds *w, bucket *b, const uint32_t *sel, size_t m, lc_err *e)
{
	if (ensure_dir(w, b, e) < 0)
		return -1;
	char name[64];
	size_t nsh = b->n_shards;
	if (w->o.format == LC_WDS_BIN) {
		if (b->tok_fd < 0) {
			b->tok_tmp = tmp_name(b->dir, "tokens.bin");
			b->idx_tmp = tmp_name(b->dir, "index.bin");
			remember(b->tok_tmp, 0);
			remember(b->idx_tmp, 0);
			b->tok_fd = open(b->tok_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			b->idx_fd = open(b->idx_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (b->tok_fd < 0 || b->idx_fd < 0)
				return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", b->tok_tmp, strerror(errno));
		}
		lc_buf_reset(&w->line);
		if (!b->idx_started) {
			uint64_t z = 0;
			lc_buf_add(&w->line, &z, 8);
			b->idx_started = 1;
		}
		lc_buf *tb = &w->bin;
		lc_buf_reset(tb);
		for (size_t i = 0; i < m; i++) {
			uint32_t s = sel[i];
			size_t n = b->lens[s];
			size_t at = (size_t)s * b->max_len;
			lc_buf_grow(tb, n * 4);
			unsigned char *o = (unsigned char *)tb->p + tb->len;
			for (size_t t = 0; t < n; t++) {   /* little-endian uint32 */
				uint32_t v = b->wide ? b->s32[at + t] : b->s16[at + t];
				o[4 * t] = (unsigned char)v;
				o[4 * t + 1] = (unsigned char)(v >> 8);
				o[4 * t + 2] = (unsigned char)(v >> 16);
				o[4 * t + 3] = (unsigned char)(v >> 24);
			}
			tb->len += n * 4;
			if (tb->len >= (1 << 20) || i + 1 == m) {
				if (lc_write_all(b->tok_fd, tb->p, tb->len) < 0)
					return io_error(e, b->tok_tmp, errno);
				lc_buf_reset(tb);
			}
			b->tok_off += n;
			uint64_t off = b->tok_off;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
			off = __builtin_bswap64(off);
#endif
			lc_buf_add(&w->line, &off, 8);
		}
		if (lc_write_all(b->idx_fd, w->line.p, w->line.len) < 0)
			return io_error(e, b->idx_tmp, errno);
	} else if (w->o.format == LC_WDS_JSONL) {
		snprintf(name, sizeof name, "shard-%07zu.jsonl", nsh);
		char *tmp = tmp_name(b->dir, name), *fin = path2(b->dir, name);
		remember(tmp, 0);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", tmp, strerror(errno));
			free(tmp), free(fin);
			return -1;
		}
		int rc = 0;
		lc_buf_reset(&w->line);
		for (size_t i = 0; i < m && !rc; i++) {
			uint32_t s = sel[i];
			lc_buf_adds(&w->line, "{\"ids\": ");
			lc_buf_grow(&w->line, LC_IDTEXT_ROOM(b->lens[s]));
			w->line.len = (size_t)(put_ids(w, b, s, b->lens[s], w->line.p + w->line.len) - w->line.p);
			lc_buf_adds(&w->line, "}\n");
			if (w->line.len > (1 << 20) || i + 1 == m) {
				if (lc_write_all(fd, w->line.p, w->line.len) < 0)
					rc = io_error(e, fin, errno);
				lc_buf_reset(&w->line);
			}
		}
		if (end_file(fd, rc, tmp, fin, e) < 0)
			return -1;
	} else {
		snprintf(name, sizeof name, "shard-%07zu.tar", nsh);
		char *tmp = tmp_name(b->dir, name), *fin = path2(b->dir, name);
		remember(tmp, 0);
		/* members are formatted in place (header, text, padding) in df's buffer,
		 * which goes to the file in direct writes of about LC_DFILE_FLUSH bytes */
		lc_dfile *df = &w->df;
		if (lc_dfile_open(df, tmp) < 0) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", tmp, strerror(errno));
			free(tmp), free(fin);
			return -1;
		}
		static const char end_blocks[2 * LC_USTAR_BLOCK];   /* the end of the archive */
		int rc = 0;
		for (size_t i = 0; i < m && !rc; i++) {
			if (i + 2 < m)
				prefetch_slot(b, sel[i + 2]);
			rc = tar_member(w, b, sel[i], i, df, fin, e);
		}
		if (!rc && lc_dfile_add(df, end_blocks, sizeof end_blocks) < 0)
			rc = io_error(e, fin, errno);
		int fd = rc ? -1 : lc_dfile_finish(df);
		if (fd < 0) {
			if (!rc)
				io_error(e, fin, errno);
			lc_dfile_close(df);
			free(tmp), free(fin);
			return -1;
		}
		if (end_file(fd, 0, tmp, fin, e) < 0)
			return -1;
	}
	if (b->n_shards == b->cap_counts) {
		b->cap_counts = b->cap_counts ? b->cap_counts * 2 : 16;
		b->shard_counts = lc_xrealloc(b->shard_counts, b->cap_counts * sizeof *b->shard_counts);
	}
	b->shard_counts[b->n_shards++] = m;
	return 0;
}

/* Draws a uniformly random ordered subset of m pool entries into idx[0..m). */
static void draw_front(lc_wds *w, bucket *b, size_t m)
{
	for (size_t i = 0; i < m; i++) {
		size_t j = i + (size_t)lc_rng_below(&w->rng, b->n_idx - i);
		uint32_t t = b->idx[i];
		b->idx[i] = b->idx[j];
		b->idx[j] = t;
	}
}

static int emit_front(lc_wds *w, bucket *b, size_t m, lc_err *e)
{
	draw_front(w, b, m);
	if (write_shard(w, b, b->idx, m, e) < 0)
		return -1;
	for (size_t i = 0; i < m; i++)
		b->free_[b->n_free++] = b->idx[i];
	/* move the last m entries into the hole */
	size_t rest = b->n_idx - m;
	size_t mv = rest < m ? rest : m;
	memmove(b->idx, b->idx + b->n_idx - mv, mv * sizeof *b->idx);
	b->n_idx = rest;
	return 0;
}

/* Copies the n ids of tok to d in 16 bits; -1 when one of them needs more (d then
 * holds truncated ids).  With SSE2 (every x86-64), eight at a time: the low halves,
 * sign-extended, are packed with signed saturation (which then changes nothing),
 * and the words or'ed together tell whether a high half was set. */
static int narrow_copy(uint16_t *d, const uint32_t *tok, size_t n)
{
	uint32_t any = 0;
	size_t i = 0;
#ifdef __SSE2__
	__m128i all = _mm_setzero_si128();
	for (; i + 8 <= n; i += 8) {
		__m128i a = _mm_loadu_si128((const __m128i *)(tok + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(tok + i + 4));
		all = _mm_or_si128(all, _mm_or_si128(a, b));
		a = _mm_srai_epi32(_mm_slli_epi32(a, 16), 16);
		b = _mm_srai_epi32(_mm_slli_epi32(b, 16), 16);
		_mm_storeu_si128((__m128i *)(d + i), _mm_packs_epi32(a, b));
	}
	if (_mm_movemask_epi8(_mm_cmpeq_epi32(_mm_srli_epi32(all, 16), _mm_setzero_si128())) != 0xffff)
		return -1;
#endif
	for (; i < n; i++) {
		any |= tok[i];
		d[i] = (uint16_t)tok[i];
	}
	return any >> 16 ? -1 : 0;
}

/* The bucket takes an id of 65536 or more: its pool goes to 32 bits (every slot
 * taken so far copied over). */
static void widen(bucket *b)
{
	lc_resv_init(&b->r32, b->pool_cap * b->max_len * sizeof *b->s32);
	lc_resv_grow(&b->r32, (b->cap_slots ? b->cap_slots : 1) * b->max_len * sizeof *b->s32);
	b->s32 = (uint32_t *)b->r32.p;
	for (size_t s = 0; s < b->n_slots; s++)
		for (size_t t = 0, at = s * b->max_len; t < b->lens[s]; t++)
			b->s32[at + t] = b->s16[at + t];
	lc_resv_free(&b->r16);
	b->s16 = NULL;
	b->wide = 1;
}

int lc_wds_add(lc_wds *w, int bi, const uint32_t *tok, size_t n, lc_err *e)
{
	return lc_wds_add_ex(w, bi, tok, n, 0, e);
}

int lc_wds_add_ex(lc_wds *w, int bi, const uint32_t *tok, size_t n, int flags, lc_err *e)
{
	bucket *b = &w->b[bi];
	if (n > b->max_len)
		n = b->max_len;   /* callers never do this */
	uint32_t s;
	if (b->n_free) {
		s = b->free_[--b->n_free];
	} else {
		if (b->n_slots == b->cap_slots) {
			size_t nc = b->cap_slots ? b->cap_slots * 2 : 64;
			if (nc > b->pool_cap)
				nc = b->pool_cap;
			if (b->wide) {
				lc_resv_grow(&b->r32, nc * b->max_len * sizeof *b->s32);
				b->s32 = (uint32_t *)b->r32.p;
			} else {
				lc_resv_grow(&b->r16, nc * b->max_len * sizeof *b->s16);
				b->s16 = (uint16_t *)b->r16.p;
			}
			b->lens = lc_xrealloc(b->lens, nc * sizeof *b->lens);
			b->ends = lc_xrealloc(b->ends, nc * sizeof *b->ends);
			b->idx = lc_xrealloc(b->idx, nc * sizeof *b->idx);
			b->free_ = lc_xrealloc(b->free_, nc * sizeof *b->free_);
			b->cap_slots = nc;
		}
		s = (uint32_t)b->n_slots++;
	}
	size_t at = (size_t)s * b->max_len;
	b->lens[s] = 0;   /* widen() copies the slots' ids, and this one has none yet */
	if (!b->wide && narrow_copy(b->s16 + at, tok, n) < 0)
		widen(b);
	if (b->wide)
		memcpy(b->s32 + at, tok, n * sizeof *tok);
	b->lens[s] = (uint32_t)n;
	b->ends[s] = (unsigned char)flags;
	b->idx[b->n_idx++] = s;
	if (b->n_idx == b->pool_cap)
		return emit_front(w, b, b->shard_size, e);
	return 0;
}

static void free_bucket(bucket *b)
{
	lc_resv_free(&b->r16), lc_resv_free(&b->r32);
	free(b->name), free(b->dir), free(b->lens), free(b->ends), free(b->idx), free(b->free_);
	free(b->shard_counts), free(b->tok_tmp), free(b->idx_tmp);
	if (b->tok_fd >= 0)
		close(b->tok_fd);
	if (b->idx_fd >= 0)
		close(b->idx_fd);
}

static void free_wds(lc_wds *w)
{
	for (int i = 0; i < w->nb; i++)
		free_bucket(&w->b[i]);
	free(w->b);
	free(w->dir);
	free_target(&w->t);
	lc_buf_free(&w->line);
	lc_buf_free(&w->bin);
	lc_dfile_free(&w->df);
	lc_idtext_free(w->idtext);
	free(w);
}

void lc_wds_abort(lc_wds *w)
{
	for (int i = 0; i < w->nb; i++) {
		bucket *b = &w->b[i];
		if (b->tok_fd >= 0)
			close(b->tok_fd), b->tok_fd = -1;
		if (b->idx_fd >= 0)
			close(b->idx_fd), b->idx_fd = -1;
	}
	remove_created();
	free_wds(w);
}

/* Writes a small text file atomically (temp + rename). */
static int write_small(const char *dir, const char *name, const char *p, size_t n, lc_err *e)
{
	char *tmp = tmp_name(dir, name), *fin = path2(dir, name);
	int rc = 0;
	remember(tmp, 0);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", tmp, strerror(errno));
		free(tmp), free(fin);
		return rc;
	}
	if (lc_write_all(fd, p, n) < 0)
		rc = io_error(e, fin, errno);
	return end_file(fd, rc, tmp, fin, e);
}

static void manifest_text(lc_buf *m, const uint64_t *counts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lc_buf_printf(m, "{\"shard\": \"shard-%07zu\", \"num_sequences\": %llu}\n", i,
		              (unsigned long long)counts[i]);
}

/* ---- stats -------------------------------------------------------------------- */

typedef lc_wds_binfo bstat;

static int cmp_bstat(const void *a, const void *b)
{
	const bstat *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return (x->num > y->num) - (x->num < y->num);
}

static int parse_bucket_name(const char *s, char *kind, long *num)
{
	if ((s[0] != 'D' && s[0] != 'L') || s[1] != '_' || !s[2])
		return 0;
	char *end;
	long v = strtol(s + 2, &end, 10);
	if (*end || v < 0 || v > (1L << 40))
		return 0;
	*kind = s[0];
	*num = v;
	return 1;
}

/* Reads DIR/B/manifest.jsonl: per-shard counts appended to *counts. */
static int read_manifest(const char *path, uint64_t **counts, size_t *n, char ***names, lc_err *e)
{
	/* read as every lctk input is: a BOM, CRLF and blank lines are no error */
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	char *line;
	size_t len;
	int rc, r;
	while ((r = lc_input_getline_nonblank(in, &line, &len, e)) == 1) {
		const char *where = lc_input_where(in);
		json_t *o = lc_json_parse_object(line, len, where, e);
		if (!o) {
			r = -1;
			break;
		}
		json_t *v = json_object_get(o, "num_sequences");
		if (!v)
			v = json_object_get(o, "num_chunks");
		json_t *sh = json_object_get(o, "shard");
		if (!v || !json_is_integer(v) || json_integer_value(v) < 0 || !sh || !json_is_string(sh)) {
			r = lc_err_set(e, LC_EXIT_INPUT, "%s: expected {\"shard\": NAME, \"num_sequences\": N}", where);
			json_decref(o);
			break;
		}
		*counts = lc_xrealloc(*counts, (*n + 1) * sizeof **counts);
		(*counts)[*n] = (uint64_t)json_integer_value(v);
		if (names) {
			*names = lc_xrealloc(*names, (*n + 1) * sizeof **names);
			(*names)[*n] = lc_xstrdup(json_string_value(sh));
		}
		(*n)++;
		json_decref(o);
	}
	rc = r < 0 ? -1 : 0;
	lc_input_close(in);
	return rc;
}

static void stats_layout(lc_buf *out, bstat *bs, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t len = bs[i].seq_len;
		uint64_t toks = bs[i].seqs * len;
		char a[40], b[40], c[40], d[40];
		commas(a, sizeof a, bs[i].shards);
		commas(b, sizeof b, len);
		commas(c, sizeof c, bs[i].seqs);
		commas(d, sizeof d, toks);
		lc_buf_printf(out, "%-4s: # shards: %-6s seq-length: %-8s # sequences: %-12s  # tokens: %-12s\n",
		              bs[i].name, a, b, c, d);
		total += toks;
	}
	char t[40];
	commas(t, sizeof t, total);
	lc_buf_printf(out, "********************\nTotal number of tokens = %s\n", t);
}

int lc_wds_buckets(const char *dir, lc_wds_binfo **out, size_t *nout, lc_err *e)
{
	*out = NULL;
	*nout = 0;
	DIR *d = opendir(dir);
	if (!d)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", dir, strerror(errno));
	bstat *bs = NULL;
	size_t n = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) && !rc) {
		char kind;
		long num;
		const char *nm = de->d_name;
		if ((nm[0] != 'D' && nm[0] != 'L') || nm[1] != '_')
			continue;
		/* D_x, D_-1, D_07 (beside D_7?), D_63: a bucket's name gone wrong, not to be
		 * skipped in silence (a schedule or stats without its data) */
		char canon[64];
		int ok = parse_bucket_name(nm, &kind, &num) && strlen(nm) < 60 && !(kind == 'D' && num > 62);
		if (ok)
			snprintf(canon, sizeof canon, "%c_%ld", kind, num);
		if (!ok || strcmp(canon, nm)) {
			char *p = path2(dir, nm);
			struct stat st;
			if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
				rc = lc_err_set(e, LC_EXIT_INPUT, "%s: not a bucket directory name (D_k with k = 0..62 or L_LEN, "
				                "in decimal without leading zeros): rename or remove it", p);
			free(p);
			continue;
		}
		bs = lc_xrealloc(bs, (n + 1) * sizeof *bs);
		bstat *s = &bs[n++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%s", de->d_name);
		s->kind = kind;
		s->num = num;
		s->seq_len = kind == 'D' ? (uint64_t)1 << num : (uint64_t)num;
		char *p = path2(dir, de->d_name), *m = path2(p, "manifest.jsonl");
		uint64_t *counts = NULL;
		size_t nc = 0;
		if (access(m, F_OK) == 0 && read_manifest(m, &counts, &nc, NULL, e) < 0)
			rc = -1;
		s->shards = nc;
		for (size_t i = 0; i < nc && !rc; i++) {
			if (counts[i] > (uint64_t)INT64_MAX - s->seqs)
				rc = lc_err_set(e, LC_EXIT_INPUT, "%s: the shards hold more than 2^63-1 sequences in all; "
				                "the manifest is wrong", m);
			s->seqs += counts[i];
			if (counts[i] > s->max_shard)
				s->max_shard = counts[i];
		}
		for (size_t i = 0; i < nc && s->max_shard; i++)
			s->full_shards += counts[i] == s->max_shard;
		free(counts), free(p), free(m);
	}
	closedir(d);
	if (rc) {
		free(bs);
		return -1;
	}
	if (n)
		qsort(bs, n, sizeof *bs, cmp_bstat);
	*out = bs;
	*nout = n;
	return 0;
}

int lc_wds_stats(const char *dir, lc_buf *out, lc_err *e)
{
	bstat *bs;
	size_t n;
	if (lc_wds_buckets(dir, &bs, &n, e) < 0)
		return -1;
	stats_layout(out, bs, n);
	free(bs);
	return 0;
}

/* ---- close ---------------------------------------------------------------------- */

static int write_info(const char *dir, json_t *info, lc_err *e)
{
	char *s = json_dumps(info, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	lc_buf b = { 0 };
	lc_buf_adds(&b, s);
	lc_buf_addc(&b, '\n');
	free(s);
	int rc = write_small(dir, "lcdecompose.json", b.p, b.len, e);
	lc_buf_free(&b);
	return rc;
}

/* Writes info as lcdecompose.json into every bucket directory of dir (the top level
 * holds only bucket directories, as the reference's scripts expect). */
static int write_info_all(char *const *bdirs, int nb, json_t *info, lc_err *e)
{
	for (int i = 0; i < nb; i++)
		if (write_info(bdirs[i], info, e) < 0)
			return -1;
	return 0;
}

int lc_wds_close(lc_wds *w, json_t *info, lc_buf *stats_out, lc_wds_tail *tail, lc_err *e)
{
	int rc = 0;
	lc_wds_tail t = { 0 };
	for (int i = 0; i < w->nb && !rc; i++) {
		bucket *b = &w->b[i];
		if (ensure_dir(w, b, e) < 0) {
			rc = -1;
			break;
		}
		draw_front(w, b, b->n_idx);   /* full shuffle of the rest */
		size_t off = 0;
		while (!rc && off < b->n_idx) {
			size_t m = b->n_idx - off < b->shard_size ? b->n_idx - off : b->shard_size;
			if (m < b->shard_size && w->o.full_shards) {
				for (size_t j = off; j < b->n_idx; j++) {
					uint32_t s = b->idx[j];
					t.tokens += b->lens[s];
					t.padded += b->max_len - b->lens[s];
					t.crossing += (b->ends[s] & LC_WDS_CROSSING) != 0;
				}
				t.seqs += m;
				t.attn += (uint64_t)m * b->seq_len * b->seq_len;
				break;
			}
			rc = write_shard(w, b, b->idx + off, m, e);
			off += m;
		}
		if (rc)
			break;
		/* an empty bucket holds one empty shard, as the reference's ShardWriter leaves */
		if (w->o.format == LC_WDS_TAR && !b->n_shards && write_shard(w, b, NULL, 0, e) < 0) {
			rc = -1;
			break;
		}
		if (w->o.format == LC_WDS_BIN) {
			if (b->tok_fd < 0) {   /* empty bucket: empty files */
				size_t m0 = 0;
				if (write_shard(w, b, NULL, m0, e) < 0) {
					rc = -1;
					break;
				}
				b->n_shards--;
			}
			int s1 = sync_fd(b->tok_fd), e1 = errno, s2 = sync_fd(b->idx_fd), e2 = errno;
			int r1 = close(b->tok_fd), r2 = close(b->idx_fd);
			b->tok_fd = b->idx_fd = -1;
			if (s1 < 0 || s2 < 0) {
				rc = sync_error(e, b->dir, s1 < 0 ? e1 : e2);
				break;
			}
			if (r1 < 0 || r2 < 0) {
				rc = io_error(e, b->dir, errno);
				break;
			}
			char *f1 = path2(b->dir, "tokens.bin"), *f2 = path2(b->dir, "index.bin");
			rc = finish_file(b->tok_tmp, f1, e);
			if (!rc)
				rc = finish_file(b->idx_tmp, f2, e);
			free(f1), free(f2);
			if (rc)
				break;
		}
		lc_buf m = { 0 };
		manifest_text(&m, b->shard_counts, b->n_shards);
		rc = write_small(b->dir, "manifest.jsonl", m.p ? m.p : "", m.len, e);
		lc_buf_free(&m);
	}
	if (!rc && info) {
		json_t *c = json_object_get(info, "counters");
		if (c) {
			json_object_set_new(c, "tail_dropped_sequences", json_integer((json_int_t)t.seqs));
			json_object_set_new(c, "tail_dropped_tokens", json_integer((json_int_t)t.tokens));
		}
		char **bd = lc_xcalloc((size_t)w->nb + 1, sizeof *bd);
		for (int i = 0; i < w->nb; i++)
			bd[i] = w->b[i].dir;
		rc = write_info_all(bd, w->nb, info, e);
		free(bd);
	}
	for (int i = 0; i < w->nb && !rc; i++)
		if (sync_dir(w->b[i].dir) < 0)
			rc = sync_error(e, w->b[i].dir, errno);
	lc_buf st = { 0 };
	if (!rc)
		rc = lc_wds_stats(w->dir, &st, e);
	if (!rc)
		rc = finish_target(&w->t, e);
	if (rc) {
		lc_buf_free(&st);
		lc_wds_abort(w);
		return -1;
	}
	if (stats_out)
		lc_buf_add(stats_out, st.p, st.len);
	lc_buf_free(&st);
	if (tail)
		*tail = t;
	free_wds(w);
	return 0;
}

/* ---- merge ---------------------------------------------------------------------- */

static int copy_file(const char *src, const char *dst, int append_fd, lc_err *e)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", src, strerror(errno));
	int out = append_fd;
	if (out < 0) {
		remember(dst, 0);
		out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			close(in);
			return lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", dst, strerror(errno));
		}
	}
	static char buf[1 << 16];
	ssize_t r;
	int rc = 0;
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (lc_write_all(out, buf, (size_t)r) < 0) {
			rc = io_error(e, dst, errno);
			break;
		}
	if (r < 0 && !rc)
		rc = lc_err_set(e, LC_EXIT_INPUT, "%s: %s", src, strerror(errno));
	close(in);
	if (append_fd < 0 && !rc && sync_fd(out) < 0)
		rc = sync_error(e, dst, errno);
	if (append_fd < 0 && close(out) < 0 && !rc)
		rc = io_error(e, dst, errno);
	return rc;
}

/* Puts shard src into bucket dir bdir as shard-NNNNNNN (number k) EXT: a hard
 * link where the file system allows it, else a copy.  Remembered for cleanup. */
static int place_shard(const char *src, const char *bdir, size_t k, const char *ext, lc_err *e)
{
	char nm[64];
	snprintf(nm, sizeof nm, "shard-%07zu%s", k, ext);
	char *dst = path2(bdir, nm);
	remember(dst, 0);
	int rc = link(src, dst) < 0 ? copy_file(src, dst, -1, e) : 0;
	free(dst);
	return rc;
}

/* DIR/D_k/lcdecompose.json (any bucket's: they are copies), or DIR/lcdecompose.json
 * as lctk wrote it before the top level held only bucket directories. */
static char *info_path(const char *dir)
{
	char *p = path2(dir, "lcdecompose.json");
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	p = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	char *best = NULL;
	while (d && (de = readdir(d))) {
		char kind;
		long num;
		if (!parse_bucket_name(de->d_name, &kind, &num))
			continue;
		char *b = path2(dir, de->d_name), *q = path2(b, "lcdecompose.json");
		free(b);
		if (access(q, F_OK) == 0 && (!best || strcmp(q, best) < 0)) {
			free(best);
			best = q;
		} else {
			free(q);
		}
	}
	if (d)
		closedir(d);
	return best ? best : path2(dir, "lcdecompose.json");
}

static json_t *load_info(const char *dir, lc_err *e)
{
	char *p = info_path(dir);
	json_error_t je;
	json_t *j = json_load_file(p, 0, &je);
	if (!j || !json_is_object(j)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: not an lcdecompose output (%s)", dir,
		           j ? "lcdecompose.json is not an object" : je.text);
		json_decref(j);
		j = NULL;
	}
	free(p);
	return j;
}

static void free_shards(json_t **shards, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(shards[i]);
	free(shards);
}

/* The inputs of a merge are one split's parts, each once (shards[i], their
 * lcdecompose.json's "shard" K/N or NULL: one N, every K from 1 to N once), or
 * whole outputs (no --shard); never one directory twice.  0, or -1 + e. */
static int check_parts(char *const *srcs, json_t *const *shards, json_t *const *runs, int n, lc_err *e)
{
	struct stat *st = lc_xcalloc((size_t)n, sizeof *st);
	int *owner = NULL, with = 0, rc = 0;
	long N = 0;
	for (int i = 0; i < n && !rc; i++) {
		if (stat(srcs[i], &st[i]) == 0)
			for (int j = 0; j < i && !rc; j++)
				if (st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino)
					rc = lc_err_set(e, LC_EXIT_INPUT, "%s: the same directory as %s; give each part once",
					                srcs[i], srcs[j]);
		if (rc)
			break;
		json_t *sh = shards[i];
		long k = 0, nn = 0;
		char extra;
		if (sh && (!json_is_string(sh) || sscanf(json_string_value(sh), "%ld/%ld%c", &k, &nn, &extra) != 2 ||
		           k < 1 || k > nn))
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: lcdecompose.json: 'shard' is not K/N", srcs[i]);
		else if (i == 0)
			with = sh != NULL;
		else if ((sh != NULL) != with)
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: %s a --shard part and %s %s; merge one split's parts, or whole outputs",
			                srcs[i], sh ? "is" : "is not", srcs[0], sh ? "is not" : "is");
		/* "run" (lcdecompose's command line without --shard and -o): one split's parts share it */
		if (!rc && sh && i > 0 && runs[i] && runs[0] && !json_equal(runs[i], runs[0]))
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: part %ld/%ld is of another lcdecompose run than %s (other "
			                "inputs or options); merge the parts of one command line", srcs[i], k, nn, srcs[0]);
		if (!rc && sh) {
			if (!N) {
				N = nn;
				if (N > n)
					rc = lc_err_set(e, LC_EXIT_INPUT, "%s: part %ld/%ld: %ld parts were made, %d given; give all of them",
					                srcs[i], k, nn, nn, n);
				else
					owner = lc_xcalloc((size_t)N + 1, sizeof *owner);
			} else if (nn != N) {
				rc = lc_err_set(e, LC_EXIT_INPUT, "%s: part %ld/%ld is of another split than %s (of %ld parts)",
				                srcs[i], k, nn, srcs[0], N);
			}
			if (!rc && owner[k])
				rc = lc_err_set(e, LC_EXIT_INPUT, "%s: part %ld/%ld again (also %s); give each part once",
				                srcs[i], k, N, srcs[owner[k] - 1]);
			if (!rc)
				owner[k] = i + 1;
		}
	}
	for (long k = 1; !rc && owner && k <= N; k++)
		if (!owner[k])
			rc = lc_err_set(e, LC_EXIT_INPUT, "part %ld/%ld is missing; give all %ld parts", k, N, N);
	free(owner);
	free(st);
	return rc ? -1 : 0;
}

int lc_wds_merge(const char *dir, int force, char *const *srcs, int n, lc_buf *stats_out, lc_err *e)
{
	json_t *merged = NULL;
	const char *fmt = "tar";
	json_t **shards = lc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *shards);   /* each input's "shard" */
	json_t **runs = lc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *runs);       /* and "run" */
	/* Check the inputs agree before writing anything. */
	for (int i = 0; i < n; i++) {
		json_t *j = load_info(srcs[i], e);
		if (!j) {
			json_decref(merged);
			free_shards(shards, i);
			free_shards(runs, i);
			return -1;
		}
		shards[i] = json_incref(json_object_get(j, "shard"));
		runs[i] = json_incref(json_object_get(j, "run"));
		json_t *p = json_object_get(j, "params");
		if (!merged) {
			merged = json_deep_copy(j);
			json_object_del(merged, "shard");
			json_object_del(merged, "run");
		} else if (!json_equal(p, json_object_get(merged, "params"))) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: made with different parameters than %s; "
			           "merge only outputs of one lcdecompose command line", srcs[i], srcs[0]);
			json_decref(j), json_decref(merged);
			free_shards(shards, i + 1);
			free_shards(runs, i + 1);
			return -1;
		} else {
			json_t *c = json_object_get(j, "counters"), *mc = json_object_get(merged, "counters");
			const char *key;
			json_t *v;
			json_object_foreach(c, key, v) {
				json_t *m = json_object_get(mc, key);
				if (json_is_integer(v) && json_is_integer(m))
					json_integer_set(m, json_integer_value(m) + json_integer_value(v));
			}
		}
		json_decref(j);
	}
	int parts_ok = merged ? check_parts(srcs, shards, runs, n, e) : 0;
	free_shards(shards, n);
	free_shards(runs, n);
	if (!merged)
		return lc_err_set(e, LC_EXIT_USAGE, "merge: no input directories");
	if (parts_ok < 0) {
		json_decref(merged);
		return -1;
	}
	json_t *jf = json_object_get(json_object_get(merged, "params"), "format");
	if (json_is_string(jf))
		fmt = json_string_value(jf);
	int bin = !strcmp(fmt, "bin");
	const char *ext = !strcmp(fmt, "jsonl") ? ".jsonl" : ".tar";

	arm_cleanup();
	target t;
	if (prepare_target(dir, force, &t, e) < 0) {
		remove_created();
		free_target(&t);
		json_decref(merged);
		return -1;
	}
	/* Union of bucket names, in a stable order. */
	char **names = NULL;
	size_t nn = 0;
	for (int i = 0; i < n; i++) {
		DIR *d = opendir(srcs[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			char kind;
			long num;
			if (!parse_bucket_name(de->d_name, &kind, &num))
				continue;
			size_t k;
			for (k = 0; k < nn && strcmp(names[k], de->d_name); k++)
				;
			if (k == nn) {
				names = lc_xrealloc(names, (nn + 1) * sizeof *names);
				names[nn++] = lc_xstrdup(de->d_name);
			}
		}
		if (d)
			closedir(d);
	}
	int rc = 0;
	char **bdirs = lc_xcalloc(nn + 1, sizeof *bdirs);
	int nbd = 0;
	for (size_t bi = 0; bi < nn && !rc; bi++) {
		char *bdir = path2(t.build, names[bi]);
		char *empty_src = NULL;   /* an input's empty shard, kept if no other is */
		remember(bdir, 1);
		if (mkdir(bdir, 0777) < 0) {
			rc = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", bdir, strerror(errno));
			free(bdir);
			break;
		}
		uint64_t *all = NULL;
		size_t nall = 0;
		int tfd = -1, ifd = -1;
		char *ttmp = NULL, *itmp = NULL;
		uint64_t base = 0;
		if (bin) {
			ttmp = tmp_name(bdir, "tokens.bin");
			itmp = tmp_name(bdir, "index.bin");
			remember(ttmp, 0);
			remember(itmp, 0);
			tfd = open(ttmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			ifd = open(itmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			uint64_t z = 0;
			if (tfd < 0 || ifd < 0)
				rc = lc_err_set(e, LC_EXIT_INPUT, "%s: cannot create: %s", ttmp, strerror(errno));
			else if (lc_write_all(ifd, &z, 8) < 0)
				rc = io_error(e, itmp, errno);
		}
		for (int i = 0; i < n && !rc; i++) {
			char *sb = path2(srcs[i], names[bi]), *man = path2(sb, "manifest.jsonl");
			uint64_t *counts = NULL;
			size_t nc = 0;
			char **shn = NULL;
			if (access(man, F_OK) == 0)
				rc = read_manifest(man, &counts, &nc, &shn, e);
			if (!rc && bin && nc) {
				char *st = path2(sb, "tokens.bin"), *si = path2(sb, "index.bin");
				rc = copy_file(st, ttmp, tfd, e);
				FILE *f = rc ? NULL : fopen(si, "rb");
				if (!rc && !f)
					rc = lc_err_set(e, LC_EXIT_INPUT, "%s: %s", si, strerror(errno));
				if (f) {
					uint64_t v, last = 0;
					size_t cnt = 0;
					int first = 1;
					while (!rc && fread(&v, 8, 1, f) == 1) {
						if (first) {
							first = 0;
							continue;
						}
						uint64_t o = v + base;
						last = v;
						cnt++;
						if (lc_write_all(ifd, &o, 8) < 0)
							rc = io_error(e, itmp, errno);
					}
					fclose(f);
					base += last;
					uint64_t want = 0;
					for (size_t s = 0; s < nc; s++)
						want += counts[s];
					if (!rc && cnt != want)
						rc = lc_err_set(e, LC_EXIT_INPUT, "%s: %zu sequences but the manifest says %llu",
						                si, cnt, (unsigned long long)want);
				}
				free(st), free(si);
			}
			for (size_t s = 0; s < nc && !rc; s++) {
				if (!bin && !counts[s]) {
					/* empty shards (an empty bucket's) are not joined: the merged
					 * bucket gets one only if it has no other, as one process writes */
					if (!empty_src) {
						char src[4096];
						snprintf(src, sizeof src, "%s/%s%s", sb, shn[s], ext);
						empty_src = lc_xstrdup(src);
					}
					continue;
				}
				if (!bin) {
					char src[4096];
					snprintf(src, sizeof src, "%s/%s%s", sb, shn[s], ext);
					rc = place_shard(src, bdir, nall, ext, e);
				}
				all = lc_xrealloc(all, (nall + 1) * sizeof *all);
				all[nall++] = counts[s];
			}
			for (size_t s = 0; s < nc; s++)
				free(shn[s]);
			free(shn), free(counts), free(sb), free(man);
		}
		if (!rc && !bin && !nall && empty_src) {
			rc = place_shard(empty_src, bdir, nall, ext, e);
			all = lc_xrealloc(all, (nall + 1) * sizeof *all);
			all[nall++] = 0;
		}
		free(empty_src);
		if (bin) {
			if (tfd >= 0 && !rc && sync_fd(tfd) < 0)
				rc = sync_error(e, ttmp, errno);
			if (ifd >= 0 && !rc && sync_fd(ifd) < 0)
				rc = sync_error(e, itmp, errno);
			if (tfd >= 0 && close(tfd) < 0 && !rc)
				rc = io_error(e, ttmp, errno);
			if (ifd >= 0 && close(ifd) < 0 && !rc)
				rc = io_error(e, itmp, errno);
			if (!rc) {
				char *f1 = path2(bdir, "tokens.bin"), *f2 = path2(bdir, "index.bin");
				rc = finish_file(ttmp, f1, e);
				if (!rc)
					rc = finish_file(itmp, f2, e);
				free(f1), free(f2);
			}
			free(ttmp), free(itmp);
		}
		if (!rc) {
			lc_buf m = { 0 };
			manifest_text(&m, all, nall);
			rc = write_small(bdir, "manifest.jsonl", m.p ? m.p : "", m.len, e);
			lc_buf_free(&m);
		}
		free(all);
		bdirs[nbd++] = bdir;
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (!rc)
		rc = write_info_all(bdirs, nbd, merged, e);
	json_decref(merged);
	for (int i = 0; i < nbd && !rc; i++)
		if (sync_dir(bdirs[i]) < 0)
			rc = sync_error(e, bdirs[i], errno);
	for (int i = 0; i < nbd; i++)
		free(bdirs[i]);
	free(bdirs);
	lc_buf st = { 0 };
	if (!rc)
		rc = lc_wds_stats(t.build, &st, e);
	if (!rc)
		rc = finish_target(&t, e);
	free_target(&t);
	if (rc) {
		lc_buf_free(&st);
		remove_created();
		return -1;
	}
	if (stats_out)
		lc_buf_add(stats_out, st.p, st.len);
	lc_buf_free(&st);
	return 0;
}
