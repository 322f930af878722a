/*
 * json — the jansson wrapper every JSONL reader and writer uses.
 *
 * Parsing reports "WHERE:COL: invalid JSON: reason" with the input position;
 * field access reports "WHERE: field 'pid': expected a string, got number".
 * Numbers used as ids (pid 12) are accepted where a string is expected only by
 * lc_json_id(), which renders integers without a decimal point.  The string
 * getters (lc_json_str, lc_json_opt_str, lc_json_id) reject a string holding a
 * NUL (\u0000): "WHERE: field 'pid': contains a NUL character", since callers
 * keep C strings and would otherwise cut the value at the NUL.
 * Writing keeps insertion order (stable, as jansson stores it) and is compact.
 *
 * Ownership: lc_json_parse() returns a new reference (json_decref it); getters
 * return borrowed pointers valid while the object lives.
 */
#ifndef LC_JSON_H
#define LC_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "input.h"

/* Parses one JSON value (a JSONL line); where = "file:LINE". NULL + e on error. */
json_t *lc_json_parse(const char *s, size_t n, const char *where, lc_err *e);
/* Same, but requires an object. */
json_t *lc_json_parse_object(const char *s, size_t n, const char *where, lc_err *e);

/* The next JSON object of a JSONL input, skipping blank lines: 1 = *obj set (a new
 * reference), 0 = end of input, -1 = read or parse error (e names file:line:col). */
int lc_json_next_object(lc_input *in, json_t **obj, lc_err *e);

/* Required string field (NULL + e if missing or not a string). */
const char *lc_json_str(json_t *obj, const char *field, const char *where, lc_err *e);
/* lc_json_str for a value already taken from its record (v not NULL), such
 * as an array's element; field names it in the errors. */
const char *lc_json_str_value(json_t *v, const char *field, const char *where, lc_err *e);
/* Optional string field: NULL if missing or null; error if another type. */
const char *lc_json_opt_str(json_t *obj, const char *field, const char *where, lc_err *e, int *bad);
/* An id: a string, or an integer rendered in decimal into buf.  NULL + e otherwise. */
const char *lc_json_id(json_t *v, lc_buf *buf, const char *field, const char *where, lc_err *e);
/* Required array field: obj[field] if it is an array, else NULL + e
 * "WHERE: field 'FIELD': expected WHAT, got TYPE" (WHAT: NULL = "an array"; TYPE
 * "nothing" when the field is missing).  Borrowed reference. */
json_t *lc_json_array(json_t *obj, const char *field, const char *what, const char *where, lc_err *e);
/* Name of a JSON value's type for messages ("string", "number", "array", ...). */
const char *lc_json_type_name(const json_t *v);

/* Appends the compact encoding of v to b (no newline). */
void lc_json_dump(lc_buf *b, const json_t *v);
/* Appends s as a JSON string literal (quoted, escaped) to b; a byte that is not
 * part of valid UTF-8 becomes U+FFFD, one per byte as lc_input_repair makes it
 * (ids read byte for byte, lc_input_keep_bytes, stay valid JSON). */
void lc_json_quote(lc_buf *b, const char *s, size_t n);
/* A new JSON string of the C string s (a file name, an option's argument), its
 * bytes that are not UTF-8 replaced by U+FFFD (json_string would return NULL and
 * the value be lost); NULL s gives JSON null. */
json_t *lc_json_text(const char *s);

#endif
