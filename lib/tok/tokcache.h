/*
 * tokcache — a binary cache of loaded tokenizer.json models, so that a 262k-entry
 * vocabulary (Gemma 3: 33 MB of JSON, a second to parse and index) loads in a few
 * milliseconds: the vocabulary hash tables, merge ranks, byte-fallback and decoder
 * tables and the normalizer/pre-tokenizer/added-token configuration, written once
 * and mmap-read (read-only, shared page cache) afterwards.
 *
 * Where: $LCTK_CACHE, else $XDG_CACHE_HOME/lctk, else $HOME/.cache/lctk.  Off when
 * LCTK_NO_CACHE is set to anything but "" or "0".
 * Files: tok-SHA.vN.bin, the model of the tokenizer.json whose bytes have SHA-256
 * SHA, in cache format N; ref-KEY, a text line naming the SHA of the file with
 * fingerprint KEY (real path, device, inode, size, mtime and ctime in ns), so
 * that a warm load does not hash 33 MB (150 ms) again.  On a ref miss the bytes
 * are hashed and a valid tok-SHA file is used (a copy of the same file elsewhere,
 * a touched file), else the JSON is parsed and both files are written.  Both are written to a
 * temporary name and renamed into place.
 * Trust: a cache file is used only if its magic, format version, byte order,
 * source hash and size, length, checksum (over every byte) and every table index
 * check out; otherwise it is ignored and rebuilt.  Any failure to read or write
 * the cache (no HOME, directory not writable, disk full) only means no cache.
 *
 * Models with a PCRE2 pre-tokenizer stage are not cached (a compiled regex is
 * not data); the built-in split patterns and SentencePiece-style models are.
 *
 * Ownership: lc_tokcache holds malloc'd strings released by lc_tokcache_end().
 */
#ifndef LC_TOKCACHE_H
#define LC_TOKCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "tok.h"

typedef struct lc_tokcache {
	char *dir;     /* NULL: the cache is off or has no directory */
	char *ref;     /* dir/ref-KEY for the tokenizer.json's fingerprint */
	uint64_t src_size;
} lc_tokcache;

/* Prepares c for the tokenizer.json at path: 0 and c->dir set if a cache may be
 * used, -1 (c->dir NULL) if it is off or the file cannot be stat'ed. */
int lc_tokcache_begin(lc_tokcache *c, const char *path);
/* Fills t (fresh from the engine, nothing loaded) from the cache file of the
 * tokenizer.json whose SHA-256 is sha, or (sha NULL) the one c's ref file names:
 * 0 on a hit, -1 on a miss or an invalid file (t untouched). */
int lc_tokcache_load(const lc_tokcache *c, const uint8_t *sha, lc_tok *t);
/* SHA-256 of the tokenizer.json bytes src[0..n). */
void lc_tokcache_sha(const void *src, size_t n, uint8_t sha[32]);
/* Writes t, loaded from the tokenizer.json with hash sha, and then the ref file;
 * best effort, silent.  No-op if the model cannot be cached. */
void lc_tokcache_store(const lc_tokcache *c, const lc_tok *t, const uint8_t sha[32]);
/* Writes only the ref file (the content was cached under another name). */
void lc_tokcache_store_ref(const lc_tokcache *c, const uint8_t sha[32]);
void lc_tokcache_end(lc_tokcache *c);
/* Unmaps the cache file behind t, if any, and clears the table pointers into it
 * (called by lc_tok_free before freeing the rest). */
void lc_tokcache_unmap(lc_tok *t);
/* 1 if t was loaded from the cache (tests). */
int lc_tok_cached(const lc_tok *t);
/* The cache file name a model of these source bytes would have: dir/tok-SHA.vN.bin
 * (malloc'd; tests). */
char *lc_tokcache_file(const lc_tokcache *c, const uint8_t sha[32]);
/* Tests: rewrites the checksum of a cache file image m[0..n) to match its bytes,
 * so that the structural checks can be exercised alone; -1 if n is too short. */
int lc_tokcache_reseal(void *m, size_t n);

#endif
