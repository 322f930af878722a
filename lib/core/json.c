/* json — jansson wrapper with positioned errors. */
#include "json.h"
#include "utf8.h"


#include <stdio.h>
#include <string.h>

json_t *lc_json_parse(const char *s, size_t n, const char *where, lc_err *e)
{
	json_error_t je;
	json_t *v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!v)
		lc_err_set(e, LC_EXIT_INPUT, "%s:%d: invalid JSON: %s", where, je.column > 0 ? je.column : 1, je.text);
	return v;
}

json_t *lc_json_parse_object(const char *s, size_t n, const char *where, lc_err *e)
{
	json_t *v = lc_json_parse(s, n, where, e);
	if (v && !json_is_object(v)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: expected a JSON object, got %s", where, lc_json_type_name(v));
		json_decref(v);
		return NULL;
	}
	return v;
}

const char *lc_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

json_t *lc_json_array(json_t *obj, const char *field, const char *what, const char *where, lc_err *e)
{
	json_t *v = json_object_get(obj, field);
	if (json_is_array(v))
		return v;
	lc_err_set(e, LC_EXIT_INPUT, "%s: field '%s': expected %s, got %s", where, field, what ? what : "an array",
	           v ? lc_json_type_name(v) : "nothing");
	return NULL;
}

/* A string value must not hold a NUL: lctk keeps ids and texts as C strings, and a
 * string cut at its NUL silently loses the rest (a false duplicate id, words not
 * indexed).  NULL + e when it does. */
static const char *no_nul(json_t *v, const char *field, const char *where, lc_err *e)
{
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: field '%s': contains a NUL character (\\u0000), which lctk does not accept; remove it",
		           where, field);
		return NULL;
	}
	return s;
}

const char *lc_json_str(json_t *obj, const char *field, const char *where, lc_err *e)
{
	json_t *v = json_object_get(obj, field);
	if (!v) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: missing field '%s'", where, field);
		return NULL;
	}
	return lc_json_str_value(v, field, where, e);
}

const char *lc_json_str_value(json_t *v, const char *field, const char *where, lc_err *e)
{
	if (!json_is_string(v)) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: field '%s': expected a string, got %s", where, field,
		           lc_json_type_name(v));
		return NULL;
	}
	return no_nul(v, field, where, e);
}

const char *lc_json_opt_str(json_t *obj, const char *field, const char *where, lc_err *e, int *bad)
{
	json_t *v = json_object_get(obj, field);
	*bad = 0;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		lc_err_set(e, LC_EXIT_INPUT, "%s: field '%s': expected a string, got %s", where, field,
		           lc_json_type_name(v));
		return NULL;
	}
	const char *s = no_nul(v, field, where, e);
	*bad = !s;
	return s;
}

const char *lc_json_id(json_t *v, lc_buf *buf, const char *field, const char *where, lc_err *e)
{
	if (!v) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: missing field '%s'", where, field);
		return NULL;
	}
	if (json_is_string(v))
		return no_nul(v, field, where, e);
	if (json_is_integer(v)) {
		lc_buf_reset(buf);
		lc_buf_printf(buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf->p;
	}
	lc_err_set(e, LC_EXIT_INPUT, "%s: field '%s': expected a string or integer id, got %s", where, field,
	           lc_json_type_name(v));
	return NULL;
}

static int dump_cb(const char *s, size_t n, void *data)
{
	lc_buf_add(data, s, n);
	return 0;
}

void lc_json_dump(lc_buf *b, const json_t *v)
{
	json_dump_callback(v, dump_cb, b, JSON_COMPACT | JSON_ENCODE_ANY);
}

void lc_json_quote(lc_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	lc_buf_grow(b, n + 2);
	lc_buf_addc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
			continue;
		if (c >= 0x80) {
			size_t bad, k = lc_utf8_seq((const uint8_t *)s, n, i, &bad);
			if (k) {
				i += k - 1;
				continue;
			}
			lc_buf_add(b, s + run, i - run);
			lc_buf_add(b, "\xEF\xBF\xBD", 3);
			run = i + 1;
			continue;
		}
		lc_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': lc_buf_add(b, "\\\"", 2); break;
		case '\\': lc_buf_add(b, "\\\\", 2); break;
		case '\n': lc_buf_add(b, "\\n", 2); break;
		case '\r': lc_buf_add(b, "\\r", 2); break;
		case '\t': lc_buf_add(b, "\\t", 2); break;
		case '\b': lc_buf_add(b, "\\b", 2); break;
		case '\f': lc_buf_add(b, "\\f", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			lc_buf_add(b, u, 6);
		}
		}
	}
	lc_buf_add(b, s + run, n - run);
	lc_buf_addc(b, '"');
}

int lc_json_next_object(lc_input *in, json_t **obj, lc_err *e)
{
	char *line;
	size_t len;
	int r = lc_input_getline_nonblank(in, &line, &len, e);
	if (r != 1)
		return r;
	*obj = lc_json_parse_object(line, len, lc_input_where(in), e);
	return *obj ? 1 : -1;
}

json_t *lc_json_text(const char *s)
{
	if (!s)
		return json_null();
	size_t n = strlen(s);
	if (lc_utf8_valid_prefix(s, n) == n)
		return json_stringn(s, n);
	lc_buf b = {0};
	lc_utf8_repair(s, n, &b);
	json_t *v = json_stringn(b.p, b.len);
	lc_buf_free(&b);
	return v;
}
