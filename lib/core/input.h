/*
 * input — one line reader for every input lctk accepts.
 *
 * A path (or "-"/NULL for stdin) is opened through libarchive, so plain files and
 * .gz .zst .xz .bz2 (any filter libarchive knows, detected from the bytes, not the
 * name) read the same way, and .zip/.tar archives yield the lines of their regular
 * members in archive order, except the metadata macOS adds (__MACOSX/ and "._NAME"
 * members).  member_glob (fnmatch, may be NULL) picks members; an archive in which
 * nothing matches is an error.
 *
 * Integrity: gzip is inflated with zlib here, its CRC32 and length checked, more
 * members read on (multi-member gzip) and anything else after the last member an
 * error; a libarchive warning (a zip member's bad CRC) is an error naming the file.
 * A member header that cannot be read is an error naming "file(member)" when
 * libarchive read its name, else "the member after NAME" (the last header read)
 * or "the first member".
 * A zip read as a stream (a pipe, x.zip.gz: no seeking) is checked at its end
 * against its central directory (lib/core/zipdir), since libarchive's stream
 * reader passes over a damaged local header without a word; the last bytes it
 * read are kept for that (at most 2 * LC_ZIPDIR_TAIL).
 * Data in which libarchive finds an archive without a single entry (512 NUL bytes
 * look like an empty tar) is read as plain data instead.
 *
 * Lines come back NUL-terminated without their "\n" and a trailing "\r"; a UTF-8
 * byte order mark before the first line of a file or member is dropped.  A line
 * longer than the maximum record size (LC_INPUT_MAX_RECORD by default, the
 * program's --max-record) is an error "file:LINE: record longer than N bytes",
 * found while reading, before the line is held whole.  A NUL byte inside a line
 * is kept (len tells).  lc_input_where() names the current position: "file:LINE"
 * or "file(member):LINE".
 *
 * Ownership: lc_input_open() allocates; lc_input_close() frees.  The line pointer
 * stays valid until the next lc_input_getline().
 */
#ifndef LC_INPUT_H
#define LC_INPUT_H

#include <stddef.h>

#include "err.h"

typedef struct lc_input lc_input;

/* Default maximum record (line) size in bytes. */
#define LC_INPUT_MAX_RECORD ((size_t)64 << 20)

/* The maximum record size of every input opened afterwards (0 = no limit): the
 * program's --max-record option, set once while parsing options. */
void lc_input_set_max_record(size_t bytes);
size_t lc_input_max_record(void);

lc_input *lc_input_open(const char *path, const char *member_glob, lc_err *e);
/* lc_input_open with a default member: member (a glob) if given, which the data
 * must then be an archive for; else dflt, which picks members only when the
 * bytes turn out to be a zip or tar archive, whatever the name (a BEIR dataset
 * as x.tar.bz2, or a zip on standard input), and is ignored for other data.
 * A glob also matches a member's base name: "corpus.jsonl" is any folder's
 * corpus.jsonl (and not few_shot_corpus.jsonl, which "*corpus.jsonl" is).
 * option is the caller's option that sets member for this input ("--member",
 * lceval's "--qrels-member"; copied), for the messages to name:
 *   "FILE: no member matches 'DFLT' (the file a BEIR or LOFT dataset names so;
 *    choose other members with OPTION GLOB, or extract the file)"
 *   "FILE: OPTION given but the input is not a zip or tar archive" (exit 2).
 * NULL when the program has no such option: the first then says to extract
 * the file (lc_input_open's messages say "a member glob", naming no option). */
lc_input *lc_input_open_default(const char *path, const char *member, const char *dflt, const char *option,
                                lc_err *e);
/* The members a BEIR or LOFT dataset's archive holds its corpus and queries in
 * (dflt for lc_input_open_default; matched by base name, in any folder). */
#define LC_DATASET_CORPUS "corpus.jsonl"
#define LC_DATASET_QUERIES "queries.jsonl"
/* 1 = a line, 0 = end of input, -1 = read error (e filled). */
int lc_input_getline(lc_input *in, char **line, size_t *len, lc_err *e);
/* lc_input_getline, skipping lines of only white space (isspace). */
int lc_input_getline_nonblank(lc_input *in, char **line, size_t *len, lc_err *e);
/* Pushes the line just read back (call it only after lc_input_getline returned
 * 1): the next lc_input_getline returns it again (same text, same line number).  Lets a reader sniff a format on the first
 * line and then hand the input to a loop that reads it from the start. */
void lc_input_unget(lc_input *in);
/* Reads the whole (remaining) input of the current and later members into *out
 * (caller frees).  The whole file counts as one record: longer than --max-record
 * is an error naming the file; bytes that are not UTF-8 (and NUL) are replaced
 * by U+FFFD with a counted warning (as lc_input_repair does for lines). */
int lc_input_slurp(lc_input *in, char **out, size_t *len, lc_err *e);
/* For text formats copied into JSON strings (TSV queries, TREC and BEIR qrels,
 * TREC runs): replaces each byte of *line that is not part of valid UTF-8, and
 * each NUL byte, by U+FFFD and counts them: *line then points to a copy owned by
 * the input, valid until the next getline or repair (*line untouched when valid).  lctk's JSON output then stays valid
 * UTF-8 and lctk reads it back. */
void lc_input_repair(lc_input *in, char **line, size_t *len);
/* From now on lc_input_repair replaces NUL bytes only (a C string cannot hold
 * them) and keeps every other byte as read, for a reader whose ids are compared
 * byte for byte and that quotes them into JSON itself (lc_json_quote replaces
 * bytes that are not UTF-8): lceval, whose qids and docnos trec_eval compares
 * with strcmp.  lc_input_warn_repaired then speaks of NUL bytes. */
void lc_input_keep_bytes(lc_input *in);
int lc_input_keeps_bytes(const lc_input *in);   /* lc_input_keep_bytes was called */
long lc_input_repaired(const lc_input *in);     /* bytes replaced so far */
/* Warns "lcNAME: FILE: N bytes that are not UTF-8 (or NUL) replaced by U+FFFD" if any. */
void lc_input_warn_repaired(lc_input *in);
/* 1 when the input is a zip or tar archive none of whose members matched the
 * member glob: lc_input_getline has returned the error "no member matches".  Lets
 * a reader with a second default (lceval: a LOFT dataset's queries.jsonl when
 * there is no qrels/test.tsv) open the file again with it. */
int lc_input_no_member(const lc_input *in);
const char *lc_input_name(const lc_input *in);   /* "file" or "file(member)" */
const char *lc_input_path(const lc_input *in);   /* as given; "-" for stdin */
long lc_input_lineno(const lc_input *in);        /* 1-based number of the last line read */
const char *lc_input_where(lc_input *in);        /* "name:LINE" for messages */
void lc_input_close(lc_input *in);

/* Progress through the underlying file, for a meter (lib/core/progress): the size of
 * a regular file in bytes (-1 for a pipe, a terminal or stdin not redirected from
 * a file), and how many of its bytes have been consumed so far (for compressed
 * input the compressed bytes, so bytes/size is the fraction done; read-ahead
 * makes it run up to 64 KiB early).  lc_input_bytes costs a system call. */
long long lc_input_size(const lc_input *in);
/* 1 when the input is a regular file (not stdin) read as it is: no compression
 * filter, not an archive.  A reader with a faster parser may then read the file
 * itself from its start (lines as lc_input_getline would give them). */
int lc_input_is_plain(const lc_input *in);
long long lc_input_bytes(const lc_input *in);

/* 1 when path's bytes are a zip or tar archive (whatever its name or compression),
 * 0 when not or when path is standard input ("-", which can be read only once,
 * unless spooled), -1 with e filled when it cannot be read.  Reads the first
 * member's header. */
int lc_input_archive(const char *path, lc_err *e);

/* Lets a program read standard input more than once (a BEIR zip's queries.jsonl,
 * then its qrels/test.tsv, as from a named file): copies it into an unlinked
 * temporary file (lc_tmpfd, "lctk-stdin") that becomes descriptor 0, unless it
 * is already a regular file at its start (redirected from a file).  From then on
 * every lc_input_open of "-" reads it from its start, and lc_input_archive
 * examines it.  Call it before "-" is first opened.  0, or -1 with e filled (a
 * read error, no room for the copy: the message names TMPDIR). */
int lc_input_spool_stdin(lc_err *e);
/* lc_input_spool_stdin for "-", and the same for a named pipe or device (a shell's
 * <(cmd), a FIFO): its bytes are copied into a temporary file that every later
 * lc_input_open of the same name reads from its start (messages keep the name).
 * A regular file, a directory or a name that cannot be opened is left as it is
 * (lc_input_open reports the error).  Call it before the name is first opened.
 * 0, or -1 with e filled. */
int lc_input_spool(const char *path, lc_err *e);

/* Convenience for programs: open or die with "lcNAME: path: reason". */
lc_input *lc_input_open_or_die(const char *path, const char *member_glob);
/* getline or die on read errors. */
int lc_input_next(lc_input *in, char **line, size_t *len);

#endif
