/* fuzz_input.c — the line reader over arbitrary bytes: every compression filter
 * and archive format libarchive detects, zlib's gzip checks, the replay of data
 * that looks like an empty archive, member selection, line splitting, the
 * maximum record size and UTF-8 repair.  The last byte picks options (a member
 * glob, a 64-byte record limit, and reading through a pipe, as from standard
 * input: no seeking, a zip read by its local headers and checked against its
 * directory at the end): gzip and zip data end in 0 (no options), so their
 * seeds are read whole. */
#include "fuzz.h"
#include "input.h"

#include <pthread.h>
#include <signal.h>

typedef struct {
	int fd;
	const uint8_t *data;
	size_t size;
} feed;

/* Writes the bytes into the pipe; stops when the reader has closed its end. */
static void *feed_pipe(void *arg)
{
	feed *f = arg;
	size_t off = 0;
	while (off < f->size) {
		ssize_t w = write(f->fd, f->data + off, f->size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(f->fd);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned opt = size ? data[size - 1] : 0;
	int fd = -1, p[2] = { -1, -1 };
	pthread_t writer;
	feed f;
	const char *path;
	static char pipe_path[64];
	if (opt & 4) {
		signal(SIGPIPE, SIG_IGN);
		if (pipe(p) < 0)
			return 0;
		f = (feed){ p[1], data, size };
		if (pthread_create(&writer, NULL, feed_pipe, &f)) {
			close(p[0]);
			close(p[1]);
			return 0;
		}
		snprintf(pipe_path, sizeof pipe_path, "/proc/self/fd/%d", p[0]);
		path = pipe_path;
	} else if (!(path = lc_fuzz_file(data, size, &fd)))
		return 0;
	lc_err e;
	lc_input_set_max_record(opt & 2 ? 64 : LC_INPUT_MAX_RECORD);
	lc_input *in = lc_input_open(path, opt & 1 ? "*.jsonl" : NULL, &e);
	if (in) {
		char *line;
		size_t len;
		while (lc_input_getline(in, &line, &len, &e) == 1) {
			(void)lc_input_where(in);
			lc_input_repair(in, &line, &len);
		}
		(void)lc_input_repaired(in);
		lc_input_close(in);
	}
	if (opt & 4) {
		close(p[0]);   /* a writer still writing gets EPIPE and ends */
		pthread_join(writer, NULL);
	} else
		close(fd);
	return 0;
}
