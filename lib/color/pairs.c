/* pairs — chosen and rejected candidates of a labelled group, and the TRL line (see pairs.h). */
#include "pairs.h"
#include "json.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

int lc_pair_select(const lc_candset *cs, const lc_pair_label *L, size_t nl, lc_pair *p)
{
	long sc = -1, lf = -1, sh = -1, lo = -1;
	int shok = 0, look = 0;
	for (size_t i = 0; i < nl; i++) {
		const lc_cand *cd = &cs->v[L[i].cand];
		if (L[i].success && (sc < 0 || cd->tokens < cs->v[sc].tokens))
			sc = (long)L[i].cand;
		if (!L[i].success && (lf < 0 || cd->tokens > cs->v[lf].tokens))
			lf = (long)L[i].cand;
		if (sh < 0 || cd->tokens < cs->v[sh].tokens) {
			sh = (long)L[i].cand;
			shok = L[i].success;
		}
		if (lo < 0 || cd->tokens > cs->v[lo].tokens) {
			lo = (long)L[i].cand;
			look = L[i].success;
		}
	}
	if (sc >= 0 && lf >= 0)
		*p = (lc_pair){ (size_t)sc, (size_t)lf, 1, 0 };
	else
		*p = (lc_pair){ (size_t)sh, (size_t)lo, shok, look };
	return sc >= 0;
}

/* Candidate order (= candidates-file order); a group names each candidate once. */
static int by_cand(const void *a, const void *b)
{
	size_t x = ((const lc_pair_label *)a)->cand, y = ((const lc_pair_label *)b)->cand;
	return x < y ? -1 : x > y;
}

int lc_pair_select_released(const lc_candset *cs, lc_pair_label *L, size_t nl, const char *label_by, lc_pair *p)
{
	qsort(L, nl, sizeof *L, by_cand);
	long d = label_by ? -1 : (long)nl - 1;
	for (size_t i = 0; label_by && i < nl; i++)
		if (!strcmp(cs->v[L[i].cand].name, label_by))
			d = (long)i;
	if (d < 0)
		return -1;
	size_t sh = 0, lo = 0, shl = 0, lol = 0;
	for (size_t i = 0; i < nl; i++) {
		const char *text = cs->v[L[i].cand].text;
		size_t len = lc_utf8_cpcount(text, strlen(text));   /* Python's len() */
		if (i == 0 || len < shl) {
			sh = i;
			shl = len;
		}
		if (i == 0 || len >= lol) {
			lo = i;
			lol = len;
		}
	}
	*p = (lc_pair){ L[sh].cand, L[lo].cand, L[sh].success, L[lo].success };
	return L[d].success;
}

/* [{"role":"user","content":PROMPT},{"role":"assistant","content":ANSWER}] */
static void add_msgs(lc_buf *b, const char *prompt, size_t plen, const char *answer)
{
	lc_buf_adds(b, "[{\"role\":\"user\",\"content\":");
	lc_json_quote(b, prompt, plen);
	lc_buf_adds(b, "},{\"role\":\"assistant\",\"content\":");
	lc_json_quote(b, answer, strlen(answer));
	lc_buf_adds(b, "}]");
}

void lc_pair_format(lc_buf *b, const char *prompt, size_t plen, const char *pid, const char *qid,
                    const lc_candset *cs, const lc_pair *p)
{
	const lc_cand *ch = &cs->v[p->chosen], *rj = &cs->v[p->rejected];
	lc_buf_adds(b, "{\"prompt\":");
	lc_json_quote(b, prompt, plen);
	lc_buf_adds(b, ",\"chosen\":");
	add_msgs(b, prompt, plen, ch->text);
	lc_buf_adds(b, ",\"rejected\":");
	add_msgs(b, prompt, plen, rj->text);
	lc_buf_adds(b, ",\"pid\":");
	lc_json_quote(b, pid, strlen(pid));
	lc_buf_adds(b, ",\"qid\":");
	lc_json_quote(b, qid, strlen(qid));
	lc_buf_adds(b, ",\"chosen_name\":");
	lc_json_quote(b, ch->name, strlen(ch->name));
	lc_buf_adds(b, ",\"rejected_name\":");
	lc_json_quote(b, rj->name, strlen(rj->name));
	lc_buf_printf(b, ",\"chosen_tokens\":%zu,\"rejected_tokens\":%zu,\"chosen_success\":%s,\"rejected_success\":%s}\n",
	              ch->tokens, rj->tokens, p->chosen_ok ? "true" : "false", p->rejected_ok ? "true" : "false");
}
