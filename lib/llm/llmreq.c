/* llmreq — Batch request lines through the one body builder (see llmreq.h). */
#include "llmreq.h"

lc_llm *lc_llmreq_batch_client(const lc_llm_opts *o, lc_err *e)
{
	lc_llm_opts lo = *o;   /* the body only: the key and the cache are not used */
	lo.no_cache = 1;
	if (!lo.endpoint || !*lo.endpoint)
		lo.endpoint = "https://api.openai.com/v1";
	return lc_llm_new(&lo, e);
}

int lc_llmreq_batch_line(const lc_llm *c, lc_buf *b, const char *custom_id, const char *prompt)
{
	json_t *m = lc_llm_user_messages(prompt);
	if (!m)
		return -1;
	json_t *body = lc_llm_body(c, m);
	lc_llm_batch_request(b, custom_id, body);
	json_decref(body);
	json_decref(m);
	return 0;
}

int lc_llmreq_batch_keep(char **content, char **error, size_t i, int ok, const char *where, const char *id,
                         size_t *dup)
{
	if (content[i] || (error[i] && !ok)) {
		if ((*dup)++ == 0)
			lc_warn("%s: a second result for custom_id '%s' (the %s is kept)", where, id,
			        content[i] ? "first answer" : "first failure");
		return 0;
	}
	free(error[i]);
	error[i] = NULL;
	return 1;
}
