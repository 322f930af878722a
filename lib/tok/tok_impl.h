/*
 * tok_impl — the inside of struct lc_tok and the functions the tokenizer's own
 * files share: tok.c (encode/decode pipeline, construction), tok_pretok.c
 * (pre-tokenisation), tok_bpe.c (the merge engine), tok_tiktoken.c and
 * tok_hf.c (the two loaders) and tokcache.c (the binary cache).  Not a public
 * header: programs use tok.h.
 */
#ifndef LC_TOK_IMPL_H
#define LC_TOK_IMPL_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "tok.h"

#define NONE32 0xFFFFFFFFu

enum { PT_WHOLE, PT_CL100K, PT_QWEN, PT_O200K, PT_GPT2, PT_PCRE };
enum { MODE_TIKTOKEN, MODE_HF };

typedef struct stage {
	int kind;
	int keep_matches, keep_gaps;
	int prefix_space;
	pcre2_code *re;
} stage;

typedef struct added {
	char *s;
	size_t n;
	uint32_t id;
	int special, normalized;
} added;

struct lc_tok {
	char *name;
	int mode;
	unsigned serial;
	size_t n_vocab;
	/* id -> bytes */
	uint32_t *off, *len; /* len NONE32 = no such token */
	char *blob;
	size_t blob_len, blob_cap;
	/* bytes -> id (mergeable vocabulary only): open addressing over 16-byte slots
	 * holding the first 8 bytes, so short tokens compare without touching blob */
	struct vslot *hs;
	/* compact tables for 2-, 3- and 4-byte tokens (most BPE lookups), L2-sized */
	uint32_t *two;                /* 65536 ids */
	uint64_t *t3, *t4;            /* slots: bytes << 32 | id */
	size_t m3, m4;
	uint64_t *bloom;              /* tokens of 5+ bytes: skips most failed lookups */
	size_t bmask;
	size_t hmask, max_tok_len;
	uint32_t byte_id[256];
	/* HF merges: (a,b) -> rank, new id */
	uint64_t *pkey, *pval;
	size_t pmask;
	int whole_lookup;
	size_t nrank; /* one past the largest merge rank */
	/* added tokens, bucketed by first byte (longest first) */
	added *add;
	size_t nadd;
	uint32_t *border, bstart[257];
	unsigned cats; /* which (special x normalized) categories exist */
	long eot;
	int nfc;
	stage st[6];
	int nst;
	uint32_t *pre_ids, *post_ids;
	size_t npre, npost;
	/* normalizer steps after NFC: Prepend and string Replace, in file order */
	struct norm_op { char *from, *to; size_t nfrom, nto; } *nops;
	size_t nnops;
	/* SentencePiece-style BPE (byte_fallback): symbols are characters, a
	 * character missing from the vocabulary becomes its <0xNN> byte tokens */
	int sp;
	uint32_t fb_id[256];          /* <0xNN> ids, NONE32 if absent */
	int16_t *fb_byte;             /* id -> byte of a <0xNN> token, -1 otherwise */
	uint32_t unk;                 /* unk_token id, NONE32 if none */
	int fuse_unk;
	/* word split: a piece is cut before each "\u2581" symbol (id sp_space) whose
	 * left neighbour's bit in sp_glue is clear, i.e. no token contains that
	 * character followed by "\u2581": no merge can cross the cut, so the words
	 * are merged independently and cached */
	uint32_t sp_space;            /* NONE32: no splitting */
	uint64_t *sp_glue;            /* n_vocab bits */
	/* its decoder: token text with Replace applied (dblob), then Strip */
	uint32_t *doff, *dlen;
	char *dblob;
	size_t dblob_len, dblob_cap;
	char *dec_from, *dec_to;
	char strip_ch;
	unsigned strip_start, strip_stop;
	/* loaded from the binary cache (tokcache.c): the big tables point into
	 * this read-only mapping, which lc_tok_free unmaps instead of freeing them */
	void *map;
	size_t maplen;
};

typedef struct vslot {
	uint64_t pfx;
	uint32_t id;
	uint16_t len, tag;
} vslot;


/* Where encoded ids go: appended to out (NULL = only counted). */
typedef struct sink {
	lc_ids *out;
	size_t count;
} sink;

static inline void emit(sink *k, uint32_t id)
{
	k->count++;
	if (k->out)
		lc_ids_push(k->out, id);
}

/* tok.c: construction (the loaders fill a tok_new()'d struct with these) */
lc_tok *tok_new(const char *name, int mode);
uint32_t tok_blob_add(lc_tok *t, const void *p, size_t n);
void tok_set_ids(lc_tok *t, size_t n);
void tok_add_added(lc_tok *t, const char *s, size_t n, uint32_t id, int special, int normalized);
void tok_added_index(lc_tok *t);
void tok_find_eot(lc_tok *t);

/* tok_bpe.c: lookup tables (built once the vocabulary is in) and the merge engine */
void tok_build_short(lc_tok *t);
int tok_vocab_build_hash(lc_tok *t);
void tok_pair_put(lc_tok *t, uint32_t a, uint32_t b, uint32_t rank, uint32_t nid);
uint32_t tok_vocab_find(const lc_tok *t, const uint8_t *p, size_t n);        /* NONE32 if absent */
uint32_t tok_vocab_find_hashed(const lc_tok *t, const uint8_t *p, size_t n); /* before tok_build_short */
void tok_bpe_piece(const lc_tok *t, const uint8_t *p, size_t n, sink *k);
void tok_sp_piece(const lc_tok *t, const uint8_t *p, size_t n, sink *k);

/* tok_pretok.c: the split patterns and the stage chain */
extern const char tok_pat_cl100k[], tok_pat_o200k[], tok_pat_gpt2[];
int tok_stage_regex(stage *g, const char *pat, size_t patlen, int literal, lc_err *e);
void tok_pretokenize(const lc_tok *t, const uint8_t *s, size_t n, sink *k);
void tok_pretok_init(void);

/* tok_tiktoken.c: a whole file into *data (malloc'd, NUL-terminated) */
int tok_read_file(const char *path, char **data, size_t *len, lc_err *e);

#endif
