/*
 * candgen — CoLoR's query-free compressions of one passage, the extractive
 * candidates of `lcgen candidates` (Seo et al., ACL 2025): the full passage, its
 * title, the lead-1..3 sentences and lead-50% of the words, seeded random
 * sentence subsets, word filters (content words; first occurrences of content
 * words, all or with normalised IDF >= 0.2, 0.35, 0.5) and a compression model
 * at thresholds 0.3, 0.5, 0.7 and ratios 2 and 3.  Each candidate is rendered
 * (lc_compress_render) and handed to the caller's emit callback with its name, in
 * that order; the caller drops texts it has seen (lcgen writes each text of a
 * passage once).  External and LLM summaries are the caller's (kinds listed here
 * so --kinds has one table).
 *
 * Random subsets: one lib/core/rng stream per passage, seeded with (seed, FNV-1a
 * of the pid: lc_hash64), so a passage draws the same subsets whatever the corpus
 * order, the other passages or --shard; each of the first LC_CAND_MAX_SENTENCES
 * sentences is kept by a draw's top bit, and a draw keeping none keeps one
 * (lc_rng_below); later sentences are never kept.
 *
 * Ownership: an lc_candgen is the caller's; it borrows model and cx, owns its
 * scratch buffers (lc_candgen_free).  Never exits, never prints.
 */
#ifndef LC_CANDGEN_H
#define LC_CANDGEN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compress.h"

/* The kinds of --kinds, in the order lcgen writes them per passage. */
enum lc_cand_kind { LC_CAND_FULL, LC_CAND_TITLE, LC_CAND_LEAD, LC_CAND_RANDOM, LC_CAND_FILTER, LC_CAND_MODEL,
                    LC_CAND_EXTERNAL, LC_CAND_LLM, LC_CAND_NKINDS };
extern const char *const lc_cand_kind_names[LC_CAND_NKINDS];   /* "full", "title", ... "llm" */

/* Random subsets draw from a passage's first sentences only. */
enum { LC_CAND_MAX_SENTENCES = 64 };

/* Receives one candidate: its name and text (valid during the call only). */
typedef void lc_cand_emit_fn(void *ud, const char *name, const char *text, size_t len);

typedef struct lc_candgen {
	int want[LC_CAND_NKINDS];   /* 1 = write this kind */
	long nrandom;               /* random subsets per passage */
	uint64_t seed;              /* --seed of the random subsets */
	const lc_cmodel *model;     /* borrowed; NULL = no model candidates */
	lc_cand_emit_fn *emit;
	void *ud;
	/* scratch, owned */
	lc_cunits u;
	lc_buf tmp;
	unsigned char *mask;
	double *p;
	size_t cap;
} lc_candgen;

/* Emits the extractive candidates of one passage (title may be NULL) in the
 * order above; an empty text gets "full" only.  cx holds the corpus statistics
 * (lc_cctx_add of every passage). */
void lc_candgen_passage(lc_candgen *g, lc_cctx *cx, const char *pid, const char *title, const char *text);
void lc_candgen_free(lc_candgen *g);

#endif
