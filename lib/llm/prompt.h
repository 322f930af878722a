/*
 * prompt — the text lctk sends to an LLM: LOFT's corpus-in-context retrieval
 * prompt (Lee et al. 2024, google-deepmind/loft) and CoLoR's summarisation prompt
 * (Seo et al., ACL 2025).
 *
 * A retrieval prompt is built from a template (share/lctk/prompts/loft/NAME.txt:
 * per-dataset instruction, the Final Answer rule, the query format, whether blocks
 * carry TITLE), the passages in corpus order, the few-shot examples and the test
 * query.  The text is what LOFT's code sends (google-deepmind/loft, prompts/ and
 * utils.py), not its PROMPT_EXAMPLE.txt: every piece is one chunk ending in "\n",
 * chunks are joined as they are, so only the instruction and the answer rule
 * (LOFT's FORMATTING_INSTRUCTION starts and ends with a newline) are followed by a
 * blank line; the prompt ends in "\n":
 *
 *     INSTRUCTION
 *
 *     FINAL ANSWER RULE
 *
 *     ID: 0 | TITLE: t | CONTENT: c | END ID: 0        (untitled: no TITLE field)
 *     ...
 *     ====== Example 1 ======
 *     QUERY FORMAT with the example's query
 *     TITLE: t | ID: 12                                (untitled: CONTENT: c | ID: 12)
 *     Final Answer: ['12']
 *     ...
 *     ====== Now let's start! ======
 *     QUERY FORMAT with the test query
 *
 * Text goes in as LOFT's loader keeps it: titles, passages and queries stripped of
 * leading and trailing white space (Python's str.strip()), and the phrase
 * "childhood abuse" removed from titles and passages (after stripping).  A
 * few-shot example has one reasoning line per passage of its reason list (LOFT:
 * the query's metadata.qrels) and a Final Answer listing its gold (LOFT: the
 * query's answers).
 *
 * Ids are 0-based positions among the passages actually in the prompt (a subset
 * with --prefilter/--fit is renumbered).  An empty title in a titled prompt is
 * (empty after the cleaning above) is written "None", as LOFT does.  Passage text is summary_text when it is not
 * empty (CoLoR's compressed corpora), else passage_text: lc_prompt_doc_text().
 *
 * Template file format: "#" comment lines before the first section; sections
 * start with a line "@instruction", "@format" or "@query" and hold the text up to
 * the next section (trailing blank lines dropped); "@titles yes|no|auto" is one
 * line.  @query must contain "{query}".
 *
 * Ownership: lc_prompt_tpl strings are owned by the template (lc_prompt_tpl_free);
 * docs and shots are borrowed; output is appended to the caller's lc_buf.
 */
#ifndef LC_PROMPT_H
#define LC_PROMPT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

typedef struct lc_prompt_tpl {
	char *name;          /* template name or file path, for messages */
	char *instruction;
	char *format;        /* the Final Answer rule */
	char *query;         /* contains {query} */
	int titles;          /* 1 = TITLE fields, 0 = none, -1 = auto */
} lc_prompt_tpl;

/* Loads a template: spec is a file path (contains '/' or ends in ".txt") or a
 * name looked up as prompts/loft/NAME.txt under lc_data_path() ("scifact",
 * "default").  0, or -1 + e listing what went wrong. */
int lc_prompt_tpl_load(lc_prompt_tpl *t, const char *spec, lc_err *e);
/* Parses template text; where names it in messages. */
int lc_prompt_tpl_parse(lc_prompt_tpl *t, const char *text, size_t n, const char *where, lc_err *e);
void lc_prompt_tpl_free(lc_prompt_tpl *t);

/* The template name for a corpus path: the file name up to its first '.'
 * ("scifact.zip" -> "scifact"), else the first directory component, from the
 * innermost out, for which prompts/loft/NAME.txt exists (".../loft/scifact/corpus.jsonl"
 * -> "scifact"), else "default".  Returns a malloc'd string. */
char *lc_prompt_guess(const char *corpus_path);

typedef struct lc_prompt_doc {
	const char *title;   /* NULL or "" = untitled */
	const char *text;
} lc_prompt_doc;

/* summary when non-NULL and non-empty, else passage (CoLoR's fallback rule). */
const char *lc_prompt_doc_text(const char *passage, const char *summary);

typedef struct lc_prompt_shot {
	const char *query;
	const size_t *gold;  /* Final Answer: indices into the docs array passed to the builder */
	size_t ngold;
	const size_t *reason;/* reasoning lines (LOFT: metadata.qrels), or NULL = one per gold */
	size_t nreason;
} lc_prompt_shot;

/* 1 when blocks carry TITLE: the template's choice, or with "auto", when some doc has a title. */
int lc_prompt_titled(const lc_prompt_tpl *t, const lc_prompt_doc *docs, size_t ndocs);

/* Pieces, for callers that measure or cache parts (the head ends with "\n\n",
 * the others with "\n"). */
void lc_prompt_head(lc_buf *b, const lc_prompt_tpl *t);
void lc_prompt_block(lc_buf *b, int titled, size_t id, const lc_prompt_doc *d);
/* Few-shot section; id_of(gold doc index) gives its id in this prompt. */
void lc_prompt_shots(lc_buf *b, const lc_prompt_tpl *t, int titled, const lc_prompt_doc *docs,
                     const lc_prompt_shot *shots, size_t nshots, const size_t *id_of);
void lc_prompt_tail(lc_buf *b, const lc_prompt_tpl *t, const char *query);

/* The whole prompt over docs[rows[0]], docs[rows[1]], ... (rows ascending; NULL =
 * all ndocs in order), which get ids 0..nrows-1.  Every shot's gold and reason doc must be
 * among the rows: returns -1 + e otherwise (nothing appended), else 0. */
int lc_prompt_build(lc_buf *b, const lc_prompt_tpl *t, int titled, const lc_prompt_doc *docs, size_t ndocs,
                    const size_t *rows, size_t nrows, const lc_prompt_shot *shots, size_t nshots,
                    const char *query, lc_err *e);

/* CoLoR's summarisation prompt: "Summarize the following content. \nContent:\n{passage}\n Summary:". */
void lc_prompt_summarize(lc_buf *b, const char *passage);

#endif
