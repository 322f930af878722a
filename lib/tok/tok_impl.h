/*
 * tok_impl — the inside of struct lc_tok, shared by tok.c (the engine) and
 * tokcache.c (its binary cache).  Not a public header: programs use tok.h.
 */
#ifndef LC_TOK_IMPL_H
#define LC_TOK_IMPL_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
