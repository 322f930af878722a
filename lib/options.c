/* options — the callbacks behind the shared option declarations in options.h. */
#include "options.h"

const char *lc_text_field(const json_t *rec)
{
	/* a record with neither gets "passage_text", so the error names the usual field */
	return json_object_get(rec, "text") && !json_object_get(rec, "passage_text") ? "text" : "passage_text";
}

/* An LLM client option bound with LC_BIND_LLM: lib/llm validates and stores it. */
void lc_opt_llm_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!lc_llm_opt_set(o->var, o->name, arg))
		lc_cli_usage_error(cmd, "--%s is not an LLM client option", o->name);
}
