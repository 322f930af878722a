/* llmcost — the figures and cost of a dry run of LLM requests (see llmcost.h). */
#include "llmcost.h"
#include "err.h"

#include <stdio.h>

void lc_llm_dry_add(lc_llm_dry *d, size_t t)
{
	d->requests++;
	d->prompt_tokens += t;
	if (t > d->max_prompt_tokens)
		d->max_prompt_tokens = t;
}

static double mean(const lc_llm_dry *d)
{
	return d->requests ? (double)d->prompt_tokens / (double)d->requests : 0.0;
}

static double prompt_cost(const lc_llm_dry *d)
{
	return (double)d->prompt_tokens * d->price_in / 1e6;
}

static double answer_cost(const lc_llm_dry *d)
{
	return (double)d->requests * (double)(d->max_tokens > 0 ? d->max_tokens : 0) * d->price_out / 1e6;
}

void lc_llm_dry_print(const lc_llm_dry *d)
{
	char cost[160] = "";
	if (d->price_in > 0 || d->price_out > 0) {
		double in = prompt_cost(d), ans = answer_cost(d);
		if (d->max_tokens > 0)
			snprintf(cost, sizeof cost, "; cost at most %.4f (prompts %.4f + answers of at most %ld tokens %.4f)",
			         in + ans, in, d->max_tokens, ans);
		else
			snprintf(cost, sizeof cost, "; prompt cost %.4f (answers not priced: give --max-tokens to bound them)", in);
	}
	fprintf(stderr, "%s: dry run: %zu requests, %llu prompt tokens (mean %.0f, max %zu)%s; nothing sent\n",
	        lc_progname(), d->requests, d->prompt_tokens, mean(d), d->max_prompt_tokens, cost);
}

json_t *lc_llm_dry_report(const lc_llm_dry *d)
{
	json_t *o = json_pack("{s:I, s:I, s:f, s:I}", "requests", (json_int_t)d->requests, "prompt_tokens",
	                      (json_int_t)d->prompt_tokens, "mean_prompt_tokens", mean(d), "max_prompt_tokens",
	                      (json_int_t)d->max_prompt_tokens);
	if (d->price_in > 0 || d->price_out > 0) {
		json_object_set_new(o, "prompt_cost", json_real(prompt_cost(d)));
		json_object_set_new(o, "max_cost", d->max_tokens > 0 ? json_real(prompt_cost(d) + answer_cost(d)) : json_null());
	}
	return o;
}
