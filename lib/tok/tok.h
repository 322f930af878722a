/*
 * tok — exact byte-pair-encoding tokenizers: OpenAI tiktoken encodings and Hugging
 * Face tokenizer.json files, byte-level BPE or SentencePiece-style BPE with
 * byte_fallback (Mistral, Gemma 3, Gemini: characters are the symbols, a missing
 * character becomes <0xNN> tokens, no pre-tokenisation, Prepend/Replace
 * normalizers per piece, decoder Replace/ByteFallback/Fuse/Strip).  The engine
 * behind lctok and every program that counts, truncates or chunks text in tokens.
 *
 * Loading: lc_tok_load("cl100k_base") finds share/lctk/vocab/NAME.tiktoken through
 * lc_data_path() and uses the encoding's split pattern and special tokens (kept in
 * tok.c); a spec containing '/' or ending in ".json" is read as a tokenizer.json.
 * lc_tok_load_tiktoken() takes any .tiktoken file and a regex (NULL = cl100k's).
 * The known split patterns (cl100k/o200k/r50k-p50k-gpt2 and Qwen's single-digit
 * variant) run in hand-written pre-tokenizers over generated Unicode 16 tables
 * (tok_unicode.h); any other pattern runs in PCRE2 (JIT, UTF+UCP).
 *
 * Text is UTF-8; invalid input bytes are replaced the WHATWG way (each maximal
 * invalid subpart becomes U+FFFD) before encoding, as the references do.
 *
 * Special tokens (tiktoken specials; tokenizer.json added tokens with
 * "special": true): LC_TOK_SPECIAL_ERROR makes text spelling one an error naming
 * the byte offset, ALLOW encodes it as its special id, TEXT encodes it as ordinary
 * text.  Non-special added tokens of a tokenizer.json are always matched (as HF
 * does).  lc_tok_count() treats specials as text (TEXT mode).
 *
 * A tokenizer.json is loaded through a binary cache (tokcache.h: LCTK_CACHE,
 * LCTK_NO_CACHE), so a 262k-entry vocabulary loads in milliseconds after the
 * first time; a missing or bad cache only means parsing the JSON.
 *
 * Threads: an lc_tok is immutable after load and may be shared read-only by any
 * number of threads; each thread keeps its own small piece cache (thread-local).
 * Ownership: lc_tok_load*() allocate, lc_tok_free() releases; lc_ids and lc_buf
 * outputs belong to the caller (free(ids.v), lc_buf_free()).
 */
#ifndef LC_TOK_H
#define LC_TOK_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "utf8.h"   /* lc_utf8_valid_prefix, lc_utf8_repair */

typedef struct lc_tok lc_tok;
typedef struct lc_ids { uint32_t *v; size_t n, cap; } lc_ids;

enum { LC_TOK_SPECIAL_ERROR = 0, LC_TOK_SPECIAL_ALLOW = 1, LC_TOK_SPECIAL_TEXT = 2 };

/* Encoding name (cl100k_base, o200k_base, p50k_base, r50k_base, gpt2) or a path
 * to a tokenizer.json.  NULL + e (code 1) on unknown names and bad files. */
lc_tok *lc_tok_load(const char *spec, lc_err *e);
/* A .tiktoken file with split pattern (NULL = cl100k_base's) and no specials. */
lc_tok *lc_tok_load_tiktoken(const char *vocab_path, const char *pattern, lc_err *e);
/* A Hugging Face tokenizer.json (byte-level or byte_fallback BPE). */
lc_tok *lc_tok_load_hf(const char *path, lc_err *e);
void lc_tok_free(lc_tok *t);

/* Appends the ids of s[0..n) to out.  -1 on error (e filled): a special token in
 * ERROR mode ("special token '<|endoftext|>' at byte 12 ..."). */
int lc_tok_encode(const lc_tok *t, const char *s, size_t n, int special_mode, lc_ids *out, lc_err *e);
/* HF post-processor template (TemplateProcessing "single"): adds its special ids
 * around out->v[from..out->n).  No-op for tiktoken encodings. */
void lc_tok_add_special(const lc_tok *t, lc_ids *out, size_t from);
/* Number of tokens of s (specials as text).  Never fails. */
size_t lc_tok_count(const lc_tok *t, const char *s, size_t n);
/* Number of tokens of s under special_mode (ERROR mode fails as lc_tok_encode does),
 * without materialising ids. */
int lc_tok_count_ex(const lc_tok *t, const char *s, size_t n, int special_mode, size_t *count, lc_err *e);
/* Appends the bytes of ids to out (may be invalid UTF-8 if a character is split).
 * -1 + e if an id is out of range. */
int lc_tok_decode(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, lc_err *e);
/* lc_tok_decode, and where each id's text starts in what it appended: offs[i]
 * (i < n) bytes from the start of the appended text, offs[n] its length (offs
 * holds n + 1).  With a SentencePiece decoder these count the decoded text: a
 * <0xNN> run that is not UTF-8 gives each token its U+FFFD, and an id whose text
 * the Strip decoder removed starts where the text does. */
int lc_tok_decode_offsets(const lc_tok *t, const uint32_t *ids, size_t n, lc_buf *out, size_t *offs, lc_err *e);
/* Bytes of one token (NULL if id is not a token); *len set.  For a byte_fallback
 * model: its decoded text ("\u2581" -> " ", <0xNN> -> that byte). */
const char *lc_tok_token_bytes(const lc_tok *t, uint32_t id, size_t *len);
/* End-of-text id, -1 if none. */
long lc_tok_eot(const lc_tok *t);
/* One past the largest id. */
/* "cl100k_base", or the tokenizer.json path. */
const char *lc_tok_name(const lc_tok *t);
/* 1 if encoding changes the text (NFC, Prepend or Replace normalizer, Strip
 * decoder): ids then decode to the normalised text, not byte offsets of the input. */
int lc_tok_normalizes(const lc_tok *t);


void lc_ids_push(lc_ids *ids, uint32_t id);

#endif
