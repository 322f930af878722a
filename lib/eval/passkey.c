/*
 * passkey — passkey-retrieval scoring: loads lcgen's probes, reads the answers of
 * each run and scores them per target length and depth of the key.  The rules are
 * in passkey.h; lceval's cmd/lceval/passkey.c prints the results.
 */
#include "passkey.h"

#include "buf.h"
#include "input.h"
#include "json.h"
#include "llm.h"
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!is_digit((unsigned char)*s))
			return 0;
	return 1;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The first place key (kl bytes) occurs in hay (n bytes) by the rule of
 * passkey.h: a whole number when numeric, else text with ASCII case ignored.
 * NULL when it does not. */
static const char *find_key(const char *hay, size_t n, const char *key, size_t kl, int numeric)
{
	if (kl == 0 || kl > n)
		return NULL;
	for (size_t i = 0; i + kl <= n; i++) {
		size_t j = 0;
		if (numeric) {
			if (hay[i] != key[0] || (i > 0 && is_digit((unsigned char)hay[i - 1])))
				continue;
			while (j < kl && hay[i + j] == key[j])
				j++;
			if (j == kl && (i + kl == n || !is_digit((unsigned char)hay[i + kl])))
				return hay + i;
		} else {
			while (j < kl && lower((unsigned char)hay[i + j]) == lower((unsigned char)key[j]))
				j++;
			if (j == kl)
				return hay + i;
		}
	}
	return NULL;
}

int lc_passkey_match(const char *answer, size_t n, const char *key)
{
	return find_key(answer, n, key, strlen(key), all_digits(key)) != NULL;
}

const char *lc_passkey_state_name(int state)
{
	static const char *const names[] = { "missing", "failed", "wrong", "correct" };
	return state >= 0 && state <= LC_PASSKEY_CORRECT ? names[state] : "?";
}

/* Answer text keys (lib/eval/run's) and the keys that say a line is an answer. */
static const char *const text_keys[] = { "response_text", "answer", "response", "output", "text", "model_output", NULL };
static const char *const id_keys[] = { "qid", "id", "custom_id", NULL };

/* One probe record into p; 0, or -1 + e. */
static int read_probe(json_t *obj, lc_passkey_probe *p, lc_buf *kb, const char *where, lc_err *e)
{
	json_t *len = json_object_get(obj, "length"), *ans = json_object_get(obj, "answer");
	if (!json_object_get(obj, "id") || !len || !ans)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: not a probe: expected {\"id\", \"length\", \"answer\", \"prompt\"} "
		                  "as lcgen probes writes (no '%s')", where,
		                  !json_object_get(obj, "id") ? "id" : !len ? "length" : "answer");
	if (!json_is_integer(len) || json_integer_value(len) < 1)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'length': expected the target length in tokens "
		                  "(an integer >= 1), got %s", where, lc_json_type_name(len));
	p->length = (long)json_integer_value(len);
	const char *k = lc_json_id(ans, kb, "answer", where, e);
	if (!k)
		return -1;
	while (*k == ' ' || *k == '\t' || *k == '\n' || *k == '\r')
		k++;
	size_t kl = strlen(k);
	while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\t' || k[kl - 1] == '\n' || k[kl - 1] == '\r'))
		kl--;
	if (!kl)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'answer': the key is empty", where);
	p->key = lc_xstrndup(k, kl);
	json_t *d = json_object_get(obj, "depth");
	if (d) {
		double x = json_is_number(d) ? json_number_value(d) : -1;
		if (!(x >= 0 && x <= 1))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'depth': expected the key's depth, a number from 0 to 1", where);
		p->depth = (int)floor(x * 100 + 1e-9);
	} else {
		json_t *pr = json_object_get(obj, "prompt");
		if (!json_is_string(pr))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: field 'prompt': expected the prompt (a string), got %s; "
			                  "without it give the key's 'depth' (0 to 1)", where, pr ? lc_json_type_name(pr) : "nothing");
		const char *t = json_string_value(pr);
		size_t tn = json_string_length(pr);
		const char *at = find_key(t, tn, p->key, kl, all_digits(p->key));
		if (!at)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: the key '%s' is not in the prompt: its depth is unknown", where, p->key);
		p->depth = (int)((size_t)(at - t) * 100 / tn);
	}
	p->bin = p->depth / (100 / LC_PASSKEY_BINS);
	if (p->bin >= LC_PASSKEY_BINS)
		p->bin = LC_PASSKEY_BINS - 1;
	return 0;
}

/* An answers line where probes are expected: QRELS and RUN given the other way round. */
static int looks_like_answer(json_t *obj)
{
	if (json_object_get(obj, "length") || json_object_get(obj, "prompt"))
		return 0;
	for (int i = 0; text_keys[i]; i++)
		if (json_object_get(obj, text_keys[i]))
			return 1;
	return json_object_get(obj, "custom_id") != NULL;
}

int lc_passkey_load(lc_passkey_set *s, const char *path, lc_err *e)
{
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	lc_buf idb = {0}, kb = {0};
	json_t *obj;
	size_t cap = 0;
	int r, ret = 0;
	while ((r = lc_json_next_object(in, &obj, e)) == 1) {
		const char *where = lc_input_where(in);
		if (s->n == 0 && looks_like_answer(obj)) {
			json_decref(obj);
			ret = lc_err_set(e, LC_EXIT_INPUT, "%s: an answer, not a probe: give the probes (lcgen probes) first: "
			                 "lceval -m passkey PROBES ANSWERS", where);
			break;
		}
		if (s->n == cap)
			s->p = lc_xrealloc(s->p, (cap = cap ? 2 * cap : 64) * sizeof *s->p);
		lc_passkey_probe *p = &s->p[s->n];
		memset(p, 0, sizeof *p);
		const char *id = NULL;
		if (read_probe(obj, p, &kb, where, e) < 0 || !(id = lc_json_id(json_object_get(obj, "id"), &idb, "id", where, e))) {
			free(p->key);
			json_decref(obj);
			ret = -1;
			break;
		}
		int is_new;
		uint32_t k = lc_strmap_intern(&s->ids, id, strlen(id), &is_new);
		if (!is_new) {
			ret = lc_err_set(e, LC_EXIT_INPUT, "%s: probe '%s' again: probe ids must be unique", where, id);
			free(p->key);
			json_decref(obj);   /* id may live in obj */
			break;
		}
		p->id = lc_strmap_str(&s->ids, k);
		s->n++;
		json_decref(obj);
	}
	if (r < 0)
		ret = -1;
	if (!ret && s->n == 0)
		ret = lc_err_set(e, LC_EXIT_INPUT, "%s: no probes found (expected the JSONL lcgen probes writes)", path);
	lc_buf_free(&idb);
	lc_buf_free(&kb);
	lc_input_close(in);
	return ret;
}

void lc_passkey_set_free(lc_passkey_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->p[i].key);
	free(s->p);
	lc_strmap_free(&s->ids);
	memset(s, 0, sizeof *s);
}

/* A Batch result line's answer (lc_llm_batch_read's rules): the content, or NULL
 * when the request failed. */
static const char *batch_text(json_t *obj, size_t *n)
{
	json_t *err = json_object_get(obj, "error"), *resp = json_object_get(obj, "response");
	if ((err && !json_is_null(err)) || !json_is_object(resp))
		return NULL;
	json_t *st = json_object_get(resp, "status_code");
	if (json_is_integer(st) && json_integer_value(st) != 200)
		return NULL;
	const char *why, *t = lc_llm_content(json_object_get(resp, "body"), &why);
	if (t)
		*n = strlen(t);
	return t;
}

/* One answers line: its state (FAILED, WRONG or CORRECT) and its probe in *k; -1 + e. */
static int read_answer(const lc_passkey_set *s, json_t *obj, lc_buf *idb, long *k, const char *where, lc_err *e)
{
	if (json_object_get(obj, "prompt") && json_object_get(obj, "length"))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: a probe, not an answer: give the model's answers after the probes", where);
	if (json_object_get(obj, "custom_id") && json_object_get(obj, "body") && !json_object_get(obj, "response"))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: a Batch request, not its result: give the results file the Batch "
		                  "API returns", where);
	json_t *resp = json_object_get(obj, "response");
	int batch = json_object_get(obj, "custom_id") && resp && !json_is_string(resp);
	json_t *idv = NULL;
	const char *idkey = NULL;
	for (int i = batch ? 2 : 0; id_keys[i] && !idv; i++)
		idv = json_object_get(obj, idkey = id_keys[i]);
	if (!idv)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: no probe id (expected a field 'qid', 'id' or 'custom_id')", where);
	const char *id = lc_json_id(idv, idb, idkey, where, e);
	if (!id)
		return -1;
	*k = lc_strmap_find(&s->ids, id, strlen(id));
	if (*k < 0)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: '%s' is not a probe of the probes file (lcgen probes with the same "
		                  "--lengths, --per-length and --seed gives the same ids)", where, id);
	const char *text = NULL;
	size_t tn = 0;
	if (batch)
		text = batch_text(obj, &tn);
	else {
		int i;
		json_t *v = NULL;
		for (i = 0; text_keys[i] && !v; i++)
			v = json_object_get(obj, text_keys[i]);
		if (!v)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: no answer text (expected a string field 'response_text', "
			                  "'answer', 'response', 'output', 'text' or 'model_output')", where);
		if (json_is_string(v)) {
			text = json_string_value(v);
			tn = json_string_length(v);
		} else if (!json_is_null(v))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: field '%s': expected the answer text (a string, or null for "
			                  "a failed request), got %s", where, text_keys[i - 1], lc_json_type_name(v));
	}
	if (!text)
		return LC_PASSKEY_FAILED;
	return find_key(text, tn, s->p[*k].key, strlen(s->p[*k].key), all_digits(s->p[*k].key)) ? LC_PASSKEY_CORRECT
	                                                                                       : LC_PASSKEY_WRONG;
}

int lc_passkey_read_answers(const lc_passkey_set *s, const char *path, unsigned char *state, lc_err *e)
{
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in)
		return -1;
	char **first = lc_xcalloc(s->n ? s->n : 1, sizeof *first);   /* where each probe was answered */
	lc_buf idb = {0};
	json_t *obj;
	int r, ret = 0;
	while ((r = lc_json_next_object(in, &obj, e)) == 1) {
		const char *where = lc_input_where(in);
		long k = -1;
		int st = read_answer(s, obj, &idb, &k, where, e);
		json_decref(obj);
		if (st < 0) {
			ret = -1;
			break;
		}
		if (state[k] == LC_PASSKEY_MISSING || state[k] == LC_PASSKEY_FAILED) {
			state[k] = (unsigned char)st;   /* a later answer replaces a failed request */
			free(first[k]);
			first[k] = lc_xstrdup(where);
		} else if (st != LC_PASSKEY_FAILED) {
			ret = lc_err_set(e, LC_EXIT_INPUT, "%s: a second answer to probe '%s' (the first is %s)", where,
			                 s->p[k].id, first[k]);
			break;
		}
	}
	if (r < 0)
		ret = -1;
	for (size_t i = 0; i < s->n; i++)
		free(first[i]);
	free(first);
	lc_buf_free(&idb);
	lc_input_close(in);
	return ret;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static void count(lc_passkey_row *w, int st)
{
	w->probes++;
	switch (st) {
	case LC_PASSKEY_CORRECT: w->correct++; break;
	case LC_PASSKEY_WRONG: w->wrong++; break;
	case LC_PASSKEY_FAILED: w->failed++; break;
	default: w->missing++; break;
	}
}

void lc_passkey_score(const lc_passkey_set *s, const unsigned char *state, lc_passkey_result *r)
{
	memset(r, 0, sizeof *r);
	r->all.bin = -1;
	long *len = lc_xmalloc((s->n ? s->n : 1) * sizeof *len);
	for (size_t i = 0; i < s->n; i++)
		len[i] = s->p[i].length;
	qsort(len, s->n, sizeof *len, cmp_long);
	size_t nl = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!nl || len[nl - 1] != len[i])
			len[nl++] = len[i];
	lc_passkey_row *bl = lc_xcalloc(nl ? nl : 1, sizeof *bl), bd[LC_PASSKEY_BINS] = {{0}};
	lc_passkey_row *bc = lc_xcalloc((nl ? nl : 1) * LC_PASSKEY_BINS, sizeof *bc);
	for (size_t i = 0; i < s->n; i++) {
		const lc_passkey_probe *p = &s->p[i];
		size_t li = (size_t)((long *)bsearch(&p->length, len, nl, sizeof *len, cmp_long) - len);
		count(&r->all, state[i]);
		count(&bl[li], state[i]);
		count(&bd[p->bin], state[i]);
		count(&bc[li * LC_PASSKEY_BINS + (size_t)p->bin], state[i]);
	}
	for (size_t li = 0; li < nl; li++) {
		bl[li].length = len[li];
		bl[li].bin = -1;
		for (int b = 0; b < LC_PASSKEY_BINS; b++) {
			lc_passkey_row *c = &bc[li * LC_PASSKEY_BINS + (size_t)b];
			c->length = len[li];
			c->bin = b;
			if (c->probes)
				bc[r->ncell++] = *c;
		}
	}
	r->by_length = bl;
	r->nlength = nl;
	r->by_cell = bc;
	r->by_depth = lc_xcalloc(LC_PASSKEY_BINS, sizeof *r->by_depth);
	for (int b = 0; b < LC_PASSKEY_BINS; b++)
		if (bd[b].probes) {
			bd[b].bin = b;
			r->by_depth[r->ndepth++] = bd[b];
		}
	free(len);
}

void lc_passkey_result_free(lc_passkey_result *r)
{
	free(r->by_length);
	free(r->by_depth);
	free(r->by_cell);
	memset(r, 0, sizeof *r);
}

double lc_passkey_accuracy(const lc_passkey_row *w)
{
	return w->probes ? (double)w->correct / (double)w->probes : 0.0;
}
