/* options — the callbacks behind the shared option declarations in options.h. */
#include "options.h"
#include "trecid.h"

#include <string.h>

const char *lc_text_field(const json_t *rec)
{
	/* a record with neither gets "passage_text", so the error names the usual field */
	return json_object_get(rec, "text") && !json_object_get(rec, "passage_text") ? "text" : "passage_text";
}

/* --tag TAG: the sixth field of a TREC run line, so one word (lc_trec_id_check's rule). */
void lc_opt_tag_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	(void)o;
	lc_err e = { 0 };
	if (lc_trec_id_check(arg, "tag", "TREC run", &e) < 0)
		lc_cli_usage_error(cmd, "--tag '%s': a TREC run's tag is one field of its lines: give a non-empty TAG "
		                   "without white space", arg);
}

/* An LLM client option bound with LC_BIND_LLM: lc_llm_opt_set validates and stores it. */
void lc_opt_llm_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	if (!lc_llm_opt_set(o->var, o->name, arg))
		lc_cli_usage_error(cmd, "--%s is not an LLM client option", o->name);
}

/* --no-stem, --no-stopwords or --stopwords FILE bound with LC_BIND_ANALYSER. */
void lc_opt_analyser_cb(const struct lc_cmd *cmd, const lc_opt *o, const char *arg)
{
	lc_analyze_opts *an = o->var;
	if (!strcmp(o->name, "no-stem"))
		an->flags &= ~(unsigned)LC_AN_STEM;
	else if (!strcmp(o->name, "no-stopwords"))
		an->flags &= ~(unsigned)LC_AN_STOP;
	else if (!strcmp(o->name, "stopwords")) {
		an->stopword_file = arg;
		an->flags |= LC_AN_STOP;
	} else
		lc_cli_usage_error(cmd, "--%s is not a BM25 analysis option", o->name);
}

int lc_llm_opt_set(lc_llm_opts *o, const char *name, const char *arg)
{
	if (!name)
		return 0;
	if (!strcmp(name, "endpoint"))
		o->endpoint = arg;
	else if (!strcmp(name, "model"))
		o->model = arg;
	else if (!strcmp(name, "parallel"))
		o->parallel = (int)lc_cli_long("--parallel", arg, 1, 1024);
	else if (!strcmp(name, "timeout"))
		o->timeout = lc_cli_double("--timeout", arg, 0.001, 1e6);
	else if (!strcmp(name, "connect-timeout"))
		o->connect_timeout = lc_cli_double("--connect-timeout", arg, 0.001, 1e6);
	else if (!strcmp(name, "retries"))
		o->retries = (int)lc_cli_long("--retries", arg, 0, 1000);
	else if (!strcmp(name, "backoff"))
		o->backoff = lc_cli_double("--backoff", arg, 0, 3600);
	else if (!strcmp(name, "cache"))
		o->cache_dir = arg;
	else if (!strcmp(name, "no-cache"))
		o->no_cache = 1;
	else if (!strcmp(name, "temperature"))
		o->temperature = lc_cli_double("--temperature", arg, 0, 100);
	else if (!strcmp(name, "max-tokens"))
		o->max_tokens = lc_cli_long("--max-tokens", arg, 1, 100000000);
	else
		return 0;
	return 1;
}
