/*
 * tok_hf — the Hugging Face tokenizer.json loader: BPE models (byte-level and
 * SentencePiece-style with byte fallback), their normalizer, pre-tokenizer,
 * post-processor, decoder and added tokens, behind the binary cache (tokcache.h).
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok.h"
#include "tok_unicode.h"
#include "tok_impl.h"

#include "tokcache.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- tokenizer.json -------------------------------------------------------------------------- */

static int bl_byte_of_cp[324]; /* byte-level char -> byte, -1 if none */
static uint32_t bl_cp_of_byte[256];
static pthread_once_t bl_once = PTHREAD_ONCE_INIT;
static void bl_init(void)
{
	int n = 0;
	for (int i = 0; i < 324; i++)
		bl_byte_of_cp[i] = -1;
	for (int b = 0; b < 256; b++) {
		int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
		uint32_t cp = printable ? (uint32_t)b : (uint32_t)(256 + n++);
		bl_cp_of_byte[b] = cp;
		bl_byte_of_cp[cp] = b;
	}
}

/* Byte-level string -> raw bytes into out; returns 0 if some char is outside the alphabet. */
static int bl_decode(const char *s, size_t n, lc_buf *out)
{
	const uint8_t *p = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		if (p[i] < 0x80)
			cp = p[i++];
		else if ((p[i] & 0xE0) == 0xC0 && i + 1 < n) {
			cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
			i += 2;
		} else
			return 0;
		if (cp >= 324 || bl_byte_of_cp[cp] < 0)
			return 0;
		lc_buf_addc(out, (char)bl_byte_of_cp[cp]);
	}
	return 1;
}

static int hf_pretok(lc_tok *t, json_t *p, const char *path, int *bytelevel, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (!type)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: pre_tokenizer without a type", path);
	if (!strcmp(type, "Sequence")) {
		json_t *a = json_object_get(p, "pretokenizers");
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) if (hf_pretok(t, v, path, bytelevel, e)) return -1;
		return 0;
	}
	if (t->nst >= (int)(sizeof t->st / sizeof *t->st))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: too many pre-tokenizers", path);
	stage *g = &t->st[t->nst];
	memset(g, 0, sizeof *g);
	if (!strcmp(type, "ByteLevel")) {
		*bytelevel = 1;
		json_t *ur = json_object_get(p, "use_regex");
		int use_regex = ur ? json_is_true(ur) : 1;
		g->prefix_space = json_is_true(json_object_get(p, "add_prefix_space"));
		g->keep_matches = 1;
		g->kind = use_regex ? PT_GPT2 : PT_WHOLE;
		if (use_regex || g->prefix_space)
			t->nst++;
		return 0;
	}
	if (!strcmp(type, "Split") && t->sp) {
		/* SentencePiece files (gemma3) split on " " after a normalizer that
		 * replaced every " ": nothing is left to split on */
		const char *str = json_string_value(json_object_get(json_object_get(p, "pattern"), "String"));
		int gone = 0;
		for (size_t i = 0; str && i < t->nnops; i++)
			gone |= t->nops[i].from && !strcmp(t->nops[i].from, str) && !strstr(t->nops[i].to, str);
		if (gone)
			return 0;
		return lc_err_set(e, LC_EXIT_INPUT, "%s: a Split pre_tokenizer in a byte_fallback (SentencePiece-style) BPE is supported only on a string the normalizer removes", path);
	}
	if (!strcmp(type, "Metaspace"))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: the Metaspace pre_tokenizer is not supported (SentencePiece files with a Prepend/Replace normalizer are)", path);
	if (!strcmp(type, "Split")) {
		json_t *pat = json_object_get(p, "pattern");
		const char *re = json_string_value(json_object_get(pat, "Regex"));
		const char *str = json_string_value(json_object_get(pat, "String"));
		const char *beh = json_string_value(json_object_get(p, "behavior"));
		int invert = json_is_true(json_object_get(p, "invert"));
		if (!re && !str)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Split pre_tokenizer without a pattern", path);
		if (!beh || !strcmp(beh, "Isolated")) {
			g->keep_matches = g->keep_gaps = 1;
		} else if (!strcmp(beh, "Removed")) {
			g->keep_matches = invert;
			g->keep_gaps = !invert;
		} else
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Split behavior '%s' is not supported (Isolated and Removed are)", path, beh);
		const char *ps = re ? re : str;
		size_t pl = strlen(ps);
		if (re) {
			json_t *jr = json_object_get(pat, "Regex");
			pl = json_string_length(jr);
		}
		if (tok_stage_regex(g, ps, pl, !re, e)) {
			char m[sizeof e->msg];
			snprintf(m, sizeof m, "%s", e->msg);
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s", path, m);
		}
		t->nst++;
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: pre_tokenizer '%s' is not supported (lctok handles byte-level BPE: Split, ByteLevel, Sequence)", path, type);
}

static int hf_normalizer(lc_tok *t, json_t *p, const char *path, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (type && !strcmp(type, "NFC")) {
		if (t->nnops)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: an NFC normalizer after Prepend/Replace is not supported", path);
		t->nfc = 1;
		return 0;
	}
	if (type && !strcmp(type, "Sequence")) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(p, "normalizers"), i, v) if (hf_normalizer(t, v, path, e)) return -1;
		return 0;
	}
	if (type && (!strcmp(type, "Prepend") || !strcmp(type, "Replace"))) {
		int prep = !strcmp(type, "Prepend");
		json_t *from = prep ? NULL : json_object_get(json_object_get(p, "pattern"), "String");
		json_t *to = json_object_get(p, prep ? "prepend" : "content");
		if ((!prep && !json_is_string(from)) || !json_is_string(to))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s normalizer: only a literal String pattern and content are supported", path, type);
		t->nops = lc_xrealloc(t->nops, (t->nnops + 1) * sizeof *t->nops);
		struct norm_op *op = &t->nops[t->nnops++];
		op->from = from ? lc_xstrndup(json_string_value(from), json_string_length(from)) : NULL;
		op->nfrom = from ? json_string_length(from) : 0;
		op->to = lc_xstrndup(json_string_value(to), json_string_length(to));
		op->nto = json_string_length(to);
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: normalizer '%s' is not supported (NFC, Prepend, Replace and Sequence are)", path, type ? type : "?");
}

static int special_ids(json_t *sp, const char *name, uint32_t **v, size_t *n, const char *path, lc_err *e)
{
	json_t *ent = json_object_get(sp, name);
	json_t *ids = json_object_get(ent, "ids");
	if (!json_is_array(ids))
		return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor names special token '%s' without ids", path, name);
	size_t i;
	json_t *x;
	json_array_foreach(ids, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor: bad id for '%s'", path, name);
		*v = lc_xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = (uint32_t)json_integer_value(x);
	}
	return 0;
}

static int hf_post(lc_tok *t, json_t *p, const char *path, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (!type)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor without a type", path);
	if (!strcmp(type, "ByteLevel"))
		return 0;
	if (!strcmp(type, "Sequence")) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(p, "processors"), i, v) if (hf_post(t, v, path, e)) return -1;
		return 0;
	}
	if (!strcmp(type, "TemplateProcessing")) {
		json_t *single = json_object_get(p, "single"), *sp = json_object_get(p, "special_tokens");
		size_t i;
		json_t *v;
		int seen = 0;
		json_array_foreach(single, i, v)
		{
			json_t *st = json_object_get(v, "SpecialToken");
			if (st) {
				const char *id = json_string_value(json_object_get(st, "id"));
				if (!id || special_ids(sp, id, seen ? &t->post_ids : &t->pre_ids, seen ? &t->npost : &t->npre, path, e))
					return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor template: bad SpecialToken", path);
			} else if (json_object_get(v, "Sequence"))
				seen = 1;
		}
		return 0;
	}
	if (!strcmp(type, "RobertaProcessing") || !strcmp(type, "BertProcessing")) {
		json_t *cls = json_object_get(p, "cls"), *sep = json_object_get(p, "sep");
		if (!json_is_integer(json_array_get(cls, 1)) || !json_is_integer(json_array_get(sep, 1)))
			return lc_err_set(e, LC_EXIT_INPUT, "%s: %s without cls/sep ids", path, type);
		t->pre_ids = lc_xmalloc(sizeof *t->pre_ids);
		t->pre_ids[0] = (uint32_t)json_integer_value(json_array_get(cls, 1));
		t->npre = 1;
		t->post_ids = lc_xmalloc(sizeof *t->post_ids);
		t->post_ids[0] = (uint32_t)json_integer_value(json_array_get(sep, 1));
		t->npost = 1;
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: post_processor '%s' is not supported", path, type);
}

/* The decoder of a byte_fallback BPE: Replace (literal strings), ByteFallback,
 * Fuse and Strip, in a Sequence or alone. */
static int hf_decoder(lc_tok *t, json_t *p, const char *path, lc_err *e)
{
	if (!p || json_is_null(p))
		return 0;
	const char *type = json_string_value(json_object_get(p, "type"));
	if (!type)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: decoder without a type", path);
	if (!strcmp(type, "Sequence")) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(p, "decoders"), i, v) if (hf_decoder(t, v, path, e)) return -1;
		return 0;
	}
	if (!strcmp(type, "ByteFallback") || !strcmp(type, "Fuse"))
		return 0;
	if (!strcmp(type, "Replace")) {
		json_t *from = json_object_get(json_object_get(p, "pattern"), "String");
		json_t *to = json_object_get(p, "content");
		if (!json_is_string(from) || !json_is_string(to) || t->dec_from)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Replace decoder: one literal String pattern is supported", path);
		t->dec_from = lc_xstrndup(json_string_value(from), json_string_length(from));
		t->dec_to = lc_xstrndup(json_string_value(to), json_string_length(to));
		return 0;
	}
	if (!strcmp(type, "Strip")) {
		const char *c = json_string_value(json_object_get(p, "content"));
		json_int_t a = json_integer_value(json_object_get(p, "start")), z = json_integer_value(json_object_get(p, "stop"));
		if (!c || strlen(c) != 1 || a < 0 || z < 0 || a > 64 || z > 64)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: Strip decoder: an ASCII character and small counts are supported", path);
		t->strip_ch = c[0];
		t->strip_start = (unsigned)a;
		t->strip_stop = (unsigned)z;
		return 0;
	}
	return lc_err_set(e, LC_EXIT_INPUT, "%s: decoder '%s' is not supported (Replace, ByteFallback, Fuse, Strip)", path, type);
}

/* <0xNN> byte tokens and <unk> of a byte_fallback BPE. */
static int sp_tables(lc_tok *t, json_t *vocab, const char *unk, const char *path, lc_err *e)
{
	t->fb_byte = lc_xmalloc(t->n_vocab * sizeof *t->fb_byte);
	for (size_t i = 0; i < t->n_vocab; i++)
		t->fb_byte[i] = -1;
	for (int c = 0; c < 256; c++) {
		char name[8];
		snprintf(name, sizeof name, "<0x%02X>", c); /* HF: format!("<{b:#04X}>") */
		json_t *v = json_object_get(vocab, name);
		t->fb_id[c] = v ? (uint32_t)json_integer_value(v) : NONE32;
		if (v)
			t->fb_byte[json_integer_value(v)] = (int16_t)c;
	}
	t->unk = NONE32;
	if (unk) {
		json_t *v = json_object_get(vocab, unk);
		if (!v)
			return lc_err_set(e, LC_EXIT_INPUT, "%s: unk_token '%s' is not in the vocab", path, unk);
		t->unk = (uint32_t)json_integer_value(v);
	}
	return 0;
}

/* Each token's decoded text: the decoder's Replace applied ("▁" -> " "). */
static void sp_decoded(lc_tok *t)
{
	t->doff = lc_xmalloc(t->n_vocab * sizeof *t->doff);
	t->dlen = lc_xcalloc(t->n_vocab, sizeof *t->dlen);
	lc_buf b = {0};
	size_t nf = t->dec_from ? strlen(t->dec_from) : 0, nt = t->dec_to ? strlen(t->dec_to) : 0;
	for (size_t id = 0; id < t->n_vocab; id++) {
		t->doff[id] = (uint32_t)t->dblob_len;
		if (t->len[id] == NONE32)
			continue;
		const char *p = t->blob + t->off[id];
		size_t n = t->len[id];
		lc_buf_reset(&b);
		for (size_t i = 0; i < n;) {
			if (nf && n - i >= nf && !memcmp(p + i, t->dec_from, nf)) {
				lc_buf_add(&b, t->dec_to, nt);
				i += nf;
			} else
				lc_buf_addc(&b, p[i++]);
		}
		if (t->dblob_len + b.len + 1 > t->dblob_cap) {
			t->dblob_cap = (t->dblob_len + b.len + 1) * 2;
			t->dblob = lc_xrealloc(t->dblob, t->dblob_cap);
		}
		memcpy(t->dblob + t->dblob_len, b.p ? b.p : "", b.len);
		t->dlen[id] = (uint32_t)b.len;
		t->dblob_len += b.len;
	}
	lc_buf_free(&b);
}

/* The word-split tables: sp_space = id of "\u2581"; bit id of sp_glue set when
 * some token has id's text (one character) right before a "\u2581", and for
 * byte-fallback tokens and <unk> (not single characters: never cut after). */
static void sp_words(lc_tok *t)
{
	static const uint8_t SP[3] = { 0xE2, 0x96, 0x81 };
	t->sp_glue = lc_xcalloc((t->n_vocab + 63) / 64, sizeof *t->sp_glue);
	t->sp_space = tok_vocab_find(t, SP, 3);
	if (t->sp_space == NONE32)
		return;
#define GLUE(id) (t->sp_glue[(id) >> 6] |= 1ull << ((id) & 63))
	for (size_t id = 0; id < t->n_vocab; id++) {
		if (t->fb_byte[id] >= 0 || id == t->unk)
			GLUE(id);
		if (t->len[id] == NONE32 || t->len[id] < 4)
			continue;
		const uint8_t *s = (const uint8_t *)t->blob + t->off[id];
		size_t n = t->len[id];
		for (size_t j = 1; j + 3 <= n; j++) {
			if (memcmp(s + j, SP, 3))
				continue;
			size_t c = j - 1;
			while (c > 0 && (s[c] & 0xC0) == 0x80)
				c--;
			uint32_t l = tok_vocab_find(t, s + c, j - c);
			if (l != NONE32)
				GLUE(l);
		}
	}
	if (t->unk != NONE32)
		GLUE(t->unk);
#undef GLUE
}

/* Id of a vocab string of a tokenizer.json, as the vocabulary loop stored it. */
static uint32_t hf_vocab_id(const lc_tok *t, const char *s, size_t n, lc_buf *tmp)
{
	lc_buf_reset(tmp);
	if (!t->sp && bl_decode(s, n, tmp))
		return tok_vocab_find(t, (const uint8_t *)(tmp->p ? tmp->p : ""), tmp->len);
	return tok_vocab_find(t, (const uint8_t *)s, n);
}

static lc_tok *hf_parse(const char *path, const char *data, size_t len, lc_err *e);

/* The binary cache first (tokcache.h): by the file's fingerprint, then by the
 * hash of its bytes; on a miss, parse and fill the cache. */
lc_tok *lc_tok_load_hf(const char *path, lc_err *e)
{
	lc_tokcache c;
	int on = !lc_tokcache_begin(&c, path);
	lc_tok *t = tok_new(path, MODE_HF);
	if (on && !lc_tokcache_load(&c, NULL, t)) {
		lc_tokcache_end(&c);
		return t;
	}
	char *data;
	size_t len;
	if (tok_read_file(path, &data, &len, e)) {
		lc_tok_free(t);
		lc_tokcache_end(&c);
		return NULL;
	}
	uint8_t sha[32];
	on &= len == c.src_size; /* changed since stat: no cache this time */
	if (on) {
		lc_tokcache_sha(data, len, sha);
		if (!lc_tokcache_load(&c, sha, t)) {
			lc_tokcache_store_ref(&c, sha);
			free(data);
			lc_tokcache_end(&c);
			return t;
		}
	}
	lc_tok_free(t);
	t = hf_parse(path, data, len, e);
	if (t && on)
		lc_tokcache_store(&c, t, sha);
	free(data);
	lc_tokcache_end(&c);
	return t;
}

static lc_tok *hf_parse(const char *path, const char *data, size_t len, lc_err *e)
{
	pthread_once(&bl_once, bl_init);
	json_error_t je;
	json_t *root = json_loadb(data, len, JSON_DECODE_ANY, &je);
	if (!root) {
		if (je.line <= 0)
			lc_err_set(e, LC_EXIT_INPUT, "%s: cannot read tokenizer.json: %s", path, je.text);
		else
			lc_err_set(e, LC_EXIT_INPUT, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
		return NULL;
	}
	lc_tok *t = tok_new(path, MODE_HF);
	lc_buf b = {0}, b2 = {0};
	json_t *model = json_object_get(root, "model");
	if (!json_is_object(model)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: not a tokenizer.json (no \"model\" object)", path);
		goto fail;
	}
	const char *mtype = json_string_value(json_object_get(model, "type"));
	json_t *vocab = json_object_get(model, "vocab"), *merges = json_object_get(model, "merges");
	if (mtype ? strcmp(mtype, "BPE") : !merges) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: model type '%s' is not supported: lctok handles byte-level BPE only (not WordPiece, Unigram or WordLevel)",
			   path, mtype ? mtype : "?");
		goto fail;
	}
	if (!json_is_object(vocab) || !json_is_array(merges)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: BPE model without vocab object and merges array", path);
		goto fail;
	}
	json_t *dr = json_object_get(model, "dropout");
	if (json_is_number(dr) && json_number_value(dr) > 0) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: BPE dropout is not supported (it is not deterministic)", path);
		goto fail;
	}
	t->sp = json_is_true(json_object_get(model, "byte_fallback"));
	t->fuse_unk = json_is_true(json_object_get(model, "fuse_unk"));
	const char *csp = json_string_value(json_object_get(model, "continuing_subword_prefix"));
	const char *ews = json_string_value(json_object_get(model, "end_of_word_suffix"));
	if ((csp && *csp) || (ews && *ews)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: continuing_subword_prefix/end_of_word_suffix are not supported", path);
		goto fail;
	}
	t->whole_lookup = json_is_true(json_object_get(model, "ignore_merges"));
	int bytelevel = 0;
	if (hf_normalizer(t, json_object_get(root, "normalizer"), path, e) ||
	    hf_pretok(t, json_object_get(root, "pre_tokenizer"), path, &bytelevel, e) ||
	    hf_post(t, json_object_get(root, "post_processor"), path, e) ||
	    (t->sp && hf_decoder(t, json_object_get(root, "decoder"), path, e)))
		goto fail;
	if (t->sp && bytelevel) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: byte_fallback together with a ByteLevel pre_tokenizer is not supported", path);
		goto fail;
	}
	if (!bytelevel && !t->sp) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: not a byte-level BPE (no ByteLevel pre_tokenizer); unsupported", path);
		goto fail;
	}
	/* vocabulary */
	const char *key;
	json_t *val;
	size_t maxid = 0;
	json_object_foreach(vocab, key, val)
	{
		if (!json_is_integer(val) || json_integer_value(val) < 0 || json_integer_value(val) > 16777215) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocab entry '%s': id must be a non-negative integer", path, key);
			goto fail;
		}
		if ((size_t)json_integer_value(val) > maxid)
			maxid = (size_t)json_integer_value(val);
	}
	json_t *at = json_object_get(root, "added_tokens");
	size_t i;
	json_t *v;
	json_array_foreach(at, i, v)
	{
		json_t *id = json_object_get(v, "id");
		if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > 16777215 ||
		    !json_is_string(json_object_get(v, "content"))) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: added_tokens[%zu]: needs integer id and string content", path, i);
			goto fail;
		}
		if ((size_t)json_integer_value(id) > maxid)
			maxid = (size_t)json_integer_value(id);
	}
	tok_set_ids(t, maxid + 1);
	json_object_foreach(vocab, key, val)
	{
		size_t id = (size_t)json_integer_value(val);
		lc_buf_reset(&b);
		if (t->sp || !bl_decode(key, strlen(key), &b)) {
			lc_buf_reset(&b);
			lc_buf_adds(&b, key);
		}
		t->off[id] = tok_blob_add(t, b.p ? b.p : "", b.len);
		t->len[id] = (uint32_t)b.len;
	}
	tok_vocab_build_hash(t);
	tok_build_short(t);
	for (int c = 0; c < 256; c++) {
		uint8_t ch = (uint8_t)c;
		t->byte_id[c] = tok_vocab_find_hashed(t, &ch, 1);
		/* bytes that never occur in valid UTF-8 (C0 C1 F5..FF) may be missing */
		if (t->byte_id[c] == NONE32 && !t->sp && !(c == 0xC0 || c == 0xC1 || c >= 0xF5)) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: vocab lacks the byte-level token for byte 0x%02x; not a byte-level BPE", path, c);
			goto fail;
		}
	}
	/* merges */
	size_t nm = json_array_size(merges), sz = 1024;
	while (sz < nm * 2)
		sz <<= 1;
	t->pmask = sz - 1;
	t->pkey = lc_xmalloc(sz * sizeof *t->pkey);
	t->pval = lc_xcalloc(sz, sizeof *t->pval); /* zeroed: the cache file is byte-for-byte reproducible */
	memset(t->pkey, 0xff, sz * sizeof *t->pkey);
	json_array_foreach(merges, i, v)
	{
		const char *a = NULL, *c = NULL;
		size_t al = 0, cl = 0;
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			const char *spc = strchr(s, ' ');
			if (spc && !strchr(spc + 1, ' ')) {
				a = s;
				al = (size_t)(spc - s);
				c = spc + 1;
				cl = strlen(c);
			}
		} else if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
			   json_is_string(json_array_get(v, 1))) {
			a = json_string_value(json_array_get(v, 0));
			al = strlen(a);
			c = json_string_value(json_array_get(v, 1));
			cl = strlen(c);
		}
		if (!a) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: merges[%zu]: expected \"A B\" or [\"A\", \"B\"]", path, i);
			goto fail;
		}
		/* looked up in lctk's own table (as stored: byte-level decoded when the
		 * string is in the byte alphabet): a third of the load time otherwise */
		lc_buf_reset(&b2);
		lc_buf_add(&b2, a, al);
		lc_buf_add(&b2, c, cl);
		uint32_t ia = hf_vocab_id(t, b2.p, al, &b), ib = hf_vocab_id(t, b2.p + al, cl, &b),
			 iab = hf_vocab_id(t, b2.p, al + cl, &b);
		if (ia == NONE32 || ib == NONE32 || iab == NONE32) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: merges[%zu]: '%.*s %s' uses a token that is not in the vocab", path, i, (int)al, a, c);
			goto fail;
		}
		tok_pair_put(t, ia, ib, (uint32_t)i, iab);
	}
	t->nrank = nm;
	if (t->sp && sp_tables(t, vocab, json_string_value(json_object_get(model, "unk_token")), path, e))
		goto fail;
	/* added tokens */
	json_array_foreach(at, i, v)
	{
		size_t id = (size_t)json_integer_value(json_object_get(v, "id"));
		json_t *c = json_object_get(v, "content");
		const char *s = json_string_value(c);
		size_t sl = json_string_length(c);
		if (json_is_true(json_object_get(v, "lstrip")) || json_is_true(json_object_get(v, "rstrip")) ||
		    json_is_true(json_object_get(v, "single_word"))) {
			lc_err_set(e, LC_EXIT_INPUT, "%s: added token '%s' uses lstrip/rstrip/single_word, which lctok does not support", path, s);
			goto fail;
		}
		int special = json_is_true(json_object_get(v, "special"));
		json_t *nj = json_object_get(v, "normalized");
		int normalized = nj ? json_is_true(nj) : !special;
		if (normalized && t->nfc && lc_utf8_valid_prefix(s, sl) == sl && !lc_tok_nfc_quick(s, sl)) {
			/* HF matches a normalized added token by its normalised content */
			lc_buf nb = {0};
			lc_tok_nfc(s, sl, &nb);
			tok_add_added(t, nb.p, nb.len, (uint32_t)id, special, normalized);
			lc_buf_free(&nb);
		} else
			tok_add_added(t, s, sl, (uint32_t)id, special, normalized);
		lc_buf_reset(&b);
		if (t->sp || !bl_decode(s, sl, &b)) {
			lc_buf_reset(&b);
			lc_buf_add(&b, s, sl);
		}
		t->off[id] = tok_blob_add(t, b.p ? b.p : "", b.len);
		t->len[id] = (uint32_t)b.len;
	}
	if (t->sp) {
		sp_decoded(t);
		sp_words(t);
	}
	/* NFC-normalised text can only contain normalized added tokens if they are NFC themselves: fine */
	tok_added_index(t);
	tok_find_eot(t);
	lc_buf_free(&b);
	lc_buf_free(&b2);
	json_decref(root);
	return t;
fail:
	lc_buf_free(&b);
	lc_buf_free(&b2);
	json_decref(root);
	lc_tok_free(t);
	return NULL;
}
