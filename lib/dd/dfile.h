/*
 * dfile — a shard file written in large aligned blocks with O_DIRECT: the bytes go
 * from the caller's buffer to the device without a copy into the page cache, which
 * is most of the CPU time a buffered write of hundreds of megabytes costs (and the
 * write-back an fsync would do afterwards).  Where the file system refuses O_DIRECT
 * (at open, or for one write: EINVAL), the file is written the ordinary way, so the
 * bytes are the same everywhere.  The unaligned end of a file is written buffered.
 *
 * Use: format into lc_dfile_room(f, N) (room for N bytes, which may first write out
 * what the buffer holds), then lc_dfile_commit(f, used <= N); lc_dfile_finish(f)
 * writes the rest and hands back the descriptor for the caller to sync and close.
 * One lc_dfile (its buffer) serves one file after another: lc_dfile_open again
 * after lc_dfile_finish.
 *
 * Ownership: the lc_dfile is the caller's (zero-initialise it); its buffer is
 * allocated here and freed by lc_dfile_free.  The descriptor belongs to the caller
 * once lc_dfile_finish returns it (closed by lc_dfile_free before that).
 */
#ifndef LC_DFILE_H
#define LC_DFILE_H
#include <stddef.h>
#include <stdint.h>

#define LC_DFILE_ALIGN 4096          /* offsets, lengths and memory of direct writes */
#define LC_DFILE_FLUSH (4u << 20)    /* the buffer is written out in writes of ~4 MiB */

typedef struct lc_dfile {
	int fd;          /* the file, when is_open */
	int is_open;
	int direct;      /* O_DIRECT is on for fd */
	char *p;         /* LC_DFILE_ALIGN-aligned buffer */
	size_t len, cap; /* bytes held, allocated */
} lc_dfile;

/* Creates (truncates) path, mode 0644, close-on-exec, O_DIRECT where allowed.
 * 0, or -1 with errno. */
int lc_dfile_open(lc_dfile *f, const char *path);

/* Room for n bytes at the returned pointer (valid until the next call on f): the
 * buffer is written out first when it holds LC_DFILE_FLUSH bytes or n would not
 * fit.  NULL with errno when that write fails. */
char *lc_dfile_room(lc_dfile *f, size_t n);

/* The caller put n bytes (at most what it asked room for) at lc_dfile_room's pointer. */
static inline void lc_dfile_commit(lc_dfile *f, size_t n)
{
	f->len += n;
}

/* Appends n bytes (lc_dfile_room + memcpy + lc_dfile_commit).  0, or -1 with errno. */
int lc_dfile_add(lc_dfile *f, const void *s, size_t n);

/* Writes everything held; returns the descriptor (the caller syncs and closes it;
 * f no longer has a file), or -1 with errno (f keeps the descriptor: lc_dfile_free
 * or lc_dfile_close closes it). */
int lc_dfile_finish(lc_dfile *f);

/* Closes f's file, if open, without writing what the buffer holds. */
void lc_dfile_close(lc_dfile *f);

/* Closes f's file, if open, and frees the buffer; f can be used again (zeroed). */
void lc_dfile_free(lc_dfile *f);
#endif
