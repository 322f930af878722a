/*
 * llmcost — what a dry run of LLM requests reports before anything is sent:
 * the number of requests, their prompt tokens (total, mean, largest) and, given
 * prices per million tokens, the cost (prompts, plus answers bounded by
 * --max-tokens when given).  One line on stderr and a "dry_run" JSON object, the
 * same for lcretrieve --llm --dry-run and lcompress --endpoint --dry-run.
 *
 * Ownership: lc_llm_dry_report returns a new JSON object (the caller owns it).
 */
#ifndef LC_LLMCOST_H
#define LC_LLMCOST_H

#include <jansson.h>
#include <stddef.h>

typedef struct lc_llm_dry {
	size_t requests;
	unsigned long long prompt_tokens;   /* sum over the requests */
	size_t max_prompt_tokens;
	long max_tokens;                    /* --max-tokens (answer bound), 0 = none */
	double price_in, price_out;         /* per million prompt / answer tokens, 0 = not priced */
} lc_llm_dry;

/* Adds one request of t prompt tokens. */
void lc_llm_dry_add(lc_llm_dry *d, size_t t);
/* "PROGRAM: dry run: N requests, T prompt tokens (mean M, max X)[; cost ...]; nothing sent" on stderr. */
void lc_llm_dry_print(const lc_llm_dry *d);
/* The same figures as a JSON object: requests, prompt_tokens, mean_prompt_tokens,
 * max_prompt_tokens, and with prices prompt_cost and max_cost (null without --max-tokens). */
json_t *lc_llm_dry_report(const lc_llm_dry *d);

#endif
