/* prompt — LOFT corpus-in-context prompts and CoLoR's summarisation prompt (see prompt.h). */
#define _GNU_SOURCE   /* memmem */
#include "prompt.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "input.h"

static const char SEP[] = "\n\n";

/* The phrase LOFT's loader removes from titles and passages (utils.py
 * load_data_from_file, blacklist_words). */
static const char BLACKLIST[] = "childhood abuse";

/* Length of the Python-whitespace code point (str.isspace) at s[0..n), 0 if none. */
static size_t pyspace(const unsigned char *s, size_t n)
{
	if (!n)
		return 0;
	if (s[0] == ' ' || (s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x1f))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)                      /* U+1680 */
		return 3;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3;                                                                  /* U+2000-200A 2028 2029 202F */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)                      /* U+205F */
		return 3;
	if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)                      /* U+3000 */
		return 3;
	return 0;
}

/* Python's str.strip(): *s, *n narrowed to drop leading and trailing whitespace. */
static void pystrip(const char **s, size_t *n)
{
	size_t k;
	while ((k = pyspace((const unsigned char *)*s, *n)))
		*s += k, *n -= k;
	for (;;) {
		/* a trailing code point starts at the last byte that is not a continuation byte */
		size_t st = *n;
		while (st > 0 && ((unsigned char)(*s)[st - 1] & 0xc0) == 0x80)
			st--;
		if (st == 0)
			break;
		st--;
		if (pyspace((const unsigned char *)*s + st, *n - st) != *n - st)
			break;
		*n = st;
	}
}

/* Appends text as LOFT's loader keeps it: stripped, and for corpus fields
 * (clean) without the blacklisted phrase (removed after stripping, as LOFT does). */
static void add_loft(lc_buf *b, const char *text, int clean)
{
	size_t n = strlen(text);
	pystrip(&text, &n);
	if (!clean) {
		lc_buf_add(b, text, n);
		return;
	}
	const size_t bl = sizeof BLACKLIST - 1;
	while (n) {
		const char *at = memmem(text, n, BLACKLIST, bl);
		if (!at) {
			lc_buf_add(b, text, n);
			break;
		}
		lc_buf_add(b, text, (size_t)(at - text));
		n -= (size_t)(at - text) + bl;
		text = at + bl;
	}
}

/* The title as LOFT writes it: cleaned, "None" when that leaves nothing. */
static void add_title(lc_buf *b, const char *title)
{
	size_t at = b->len;
	add_loft(b, title ? title : "", 1);
	if (b->len == at)
		lc_buf_adds(b, "None");
}

void lc_prompt_tpl_free(lc_prompt_tpl *t)
{
	free(t->name);
	free(t->instruction);
	free(t->format);
	free(t->query);
	memset(t, 0, sizeof *t);
}

/* Copy of s[0..n) without trailing newlines/spaces. */
static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return lc_xstrndup(s, n);
}

int lc_prompt_tpl_parse(lc_prompt_tpl *t, const char *text, size_t n, const char *where, lc_err *e)
{
	memset(t, 0, sizeof *t);
	json_t *utf8 = json_stringn(text, n);   /* jansson validates UTF-8 */
	if (!utf8)
		return lc_err_set(e, LC_EXIT_INPUT, "%s: a prompt template must be UTF-8 text without NUL bytes", where);
	json_decref(utf8);
	t->titles = -1;
	t->name = lc_xstrdup(where);
	char **cur = NULL;
	const char *sec_start = NULL;
	long lineno = 0;
	const char *p = text, *end = text + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		lineno++;
		if (ll > 0 && p[0] == '@') {
			if (cur) {
				*cur = trimmed(sec_start, (size_t)(p - sec_start));
				cur = NULL;
			}
			char name[32];
			size_t k = 0;
			while (k < ll && k + 1 < sizeof name && p[k] != ' ')
				name[k] = p[k], k++;
			name[k] = 0;
			const char *arg = p + k;
			size_t al = ll - k;
			while (al && *arg == ' ')
				arg++, al--;
			char **slot = !strcmp(name, "@instruction") ? &t->instruction
			            : !strcmp(name, "@format")      ? &t->format
			            : !strcmp(name, "@query")       ? &t->query
			                                            : NULL;
			if (slot) {
				if (*slot) {
					lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: section %s given twice", where, lineno, name);
					goto bad;
				}
				cur = slot;
				sec_start = nl ? nl + 1 : end;
			} else if (!strcmp(name, "@titles")) {
				if (al == 3 && !memcmp(arg, "yes", 3))
					t->titles = 1;
				else if (al == 2 && !memcmp(arg, "no", 2))
					t->titles = 0;
				else if (al == 4 && !memcmp(arg, "auto", 4))
					t->titles = -1;
				else {
					lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: @titles takes yes, no or auto", where, lineno);
					goto bad;
				}
			} else {
				lc_err_set(e, LC_EXIT_INPUT,
				           "%s:%ld: unknown section '%s' (expected @instruction, @format, @query or @titles)",
				           where, lineno, name);
				goto bad;
			}
		} else if (!cur && ll > 0 && p[0] != '#') {
			lc_err_set(e, LC_EXIT_INPUT, "%s:%ld: text outside a section (start one with @instruction, @format or @query)",
			           where, lineno);
			goto bad;
		}
		p = nl ? nl + 1 : end;
	}
	if (cur)
		*cur = trimmed(sec_start, (size_t)(end - sec_start));
	if (!t->instruction || !t->format || !t->query) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: a prompt template needs @instruction, @format and @query sections", where);
		goto bad;
	}
	if (!strstr(t->query, "{query}")) {
		lc_err_set(e, LC_EXIT_INPUT, "%s: the @query section must contain {query}", where);
		goto bad;
	}
	return 0;
bad:
	lc_prompt_tpl_free(t);
	return -1;
}

static int is_path(const char *spec)
{
	size_t n = strlen(spec);
	return strchr(spec, '/') || (n > 4 && !strcmp(spec + n - 4, ".txt"));
}

int lc_prompt_tpl_load(lc_prompt_tpl *t, const char *spec, lc_err *e)
{
	char *path;
	if (is_path(spec))
		path = lc_xstrdup(spec);
	else {
		for (const char *s = spec; *s; s++)
			if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9'))) {
				lc_err_set(e, LC_EXIT_USAGE, "prompt '%s': not a template name (give a name such as scifact, or a file)", spec);
				return -1;
			}
		lc_buf rel = {0};
		lc_buf_printf(&rel, "prompts/loft/%s.txt", spec);
		path = lc_data_path(rel.p);
		lc_buf_free(&rel);
		if (!path) {
			lc_err_set(e, LC_EXIT_USAGE,
			           "prompt '%s': no such template in share/lctk/prompts/loft (known: scifact, nq, hotpotqa, fiqa, "
			           "msmarco, arguana, quora, webis_touche2020, default; or give a file)", spec);
			return -1;
		}
	}
	lc_input *in = lc_input_open(path, NULL, e);
	if (!in) {
		free(path);
		return -1;
	}
	char *text;
	size_t n;
	int r = lc_input_slurp(in, &text, &n, e);
	lc_input_close(in);
	if (r < 0) {
		free(path);
		return -1;
	}
	r = lc_prompt_tpl_parse(t, text, n, is_path(spec) ? path : spec, e);
	free(text);
	free(path);
	return r;
}

/* 1 if name (n bytes) names a shipped template. */
static int known(const char *name, size_t n)
{
	if (n == 0 || n > 64 || strcmp(name, "default") == 0)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (!(name[k] == '_' || name[k] == '-' || (name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9')))
			return 0;
	lc_buf rel = {0};
	lc_buf_printf(&rel, "prompts/loft/%.*s.txt", (int)n, name);
	char *found = lc_data_path(rel.p);
	lc_buf_free(&rel);
	free(found);
	return found != NULL;
}

char *lc_prompt_guess(const char *corpus_path)
{
	if (!corpus_path)
		return lc_xstrdup("default");
	/* the file's own stem first ("scifact.zip", "fiqa.jsonl.gz"), then each
	 * directory from the innermost out ("loft/scifact/corpus.jsonl"); '-' reads
	 * as '_', as BEIR names LOFT's webis_touche2020 "webis-touche2020.zip" */
	char *p = lc_xstrdup(corpus_path);
	for (char *c = p; *c; c++)
		if (*c == '-')
			*c = '_';
	const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	size_t stem = strcspn(base, ".");
	if (known(base, stem)) {
		char *r = lc_xstrndup(base, stem);
		free(p);
		return r;
	}
	char *slash;
	while ((slash = strrchr(p, '/'))) {
		*slash = 0;
		const char *comp = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		if (known(comp, strlen(comp))) {
			char *r = lc_xstrdup(comp);
			free(p);
			return r;
		}
	}
	free(p);
	return lc_xstrdup("default");
}

const char *lc_prompt_doc_text(const char *passage, const char *summary)
{
	return summary && *summary ? summary : passage ? passage : "";
}

int lc_prompt_titled(const lc_prompt_tpl *t, const lc_prompt_doc *docs, size_t ndocs)
{
	if (t->titles >= 0)
		return t->titles;
	for (size_t i = 0; i < ndocs; i++)
		if (docs[i].title && *docs[i].title)
			return 1;
	return 0;
}

void lc_prompt_head(lc_buf *b, const lc_prompt_tpl *t)
{
	lc_buf_adds(b, t->instruction);
	lc_buf_adds(b, SEP);
	lc_buf_adds(b, t->format);
	lc_buf_adds(b, SEP);
}

void lc_prompt_block(lc_buf *b, int titled, size_t id, const lc_prompt_doc *d)
{
	lc_buf_printf(b, "ID: %zu | ", id);
	if (titled) {
		lc_buf_adds(b, "TITLE: ");
		add_title(b, d->title);
		lc_buf_adds(b, " | ");
	}
	lc_buf_adds(b, "CONTENT: ");
	add_loft(b, d->text ? d->text : "", 1);
	lc_buf_printf(b, " | END ID: %zu\n", id);
}

static void query_format(lc_buf *b, const lc_prompt_tpl *t, const char *query)
{
	const char *q = t->query, *at;
	while ((at = strstr(q, "{query}"))) {
		lc_buf_add(b, q, (size_t)(at - q));
		add_loft(b, query, 0);
		q = at + 7;
	}
	lc_buf_adds(b, q);
}

void lc_prompt_shots(lc_buf *b, const lc_prompt_tpl *t, int titled, const lc_prompt_doc *docs,
                     const lc_prompt_shot *shots, size_t nshots, const size_t *id_of)
{
	for (size_t s = 0; s < nshots; s++) {
		lc_buf_printf(b, "====== Example %zu ======\n", s + 1);
		query_format(b, t, shots[s].query);
		lc_buf_addc(b, '\n');
		/* one reasoning line per passage of the example's qrels (LOFT: metadata.qrels) */
		const size_t *rs = shots[s].reason ? shots[s].reason : shots[s].gold;
		size_t nr = shots[s].reason ? shots[s].nreason : shots[s].ngold;
		for (size_t g = 0; g < nr; g++) {
			size_t d = rs[g], id = id_of ? id_of[d] : d;
			if (titled) {
				lc_buf_adds(b, "TITLE: ");
				add_title(b, docs[d].title);
			} else {
				lc_buf_adds(b, "CONTENT: ");
				add_loft(b, docs[d].text ? docs[d].text : "", 1);
			}
			lc_buf_printf(b, " | ID: %zu\n", id);
		}
		/* Python's repr of a list of id strings, as LOFT prints it */
		lc_buf_adds(b, "Final Answer: [");
		for (size_t g = 0; g < shots[s].ngold; g++) {
			size_t d = shots[s].gold[g], id = id_of ? id_of[d] : d;
			lc_buf_printf(b, "%s'%zu'", g ? ", " : "", id);
		}
		lc_buf_adds(b, "]\n");
	}
}

void lc_prompt_tail(lc_buf *b, const lc_prompt_tpl *t, const char *query)
{
	lc_buf_adds(b, "====== Now let's start! ======\n");
	query_format(b, t, query);
	lc_buf_addc(b, '\n');
}

int lc_prompt_build(lc_buf *b, const lc_prompt_tpl *t, int titled, const lc_prompt_doc *docs, size_t ndocs,
                    const size_t *rows, size_t nrows, const lc_prompt_shot *shots, size_t nshots,
                    const char *query, lc_err *e)
{
	size_t *id_of = NULL;
	if (rows) {
		id_of = lc_xmalloc((ndocs ? ndocs : 1) * sizeof *id_of);
		for (size_t i = 0; i < ndocs; i++)
			id_of[i] = (size_t)-1;
		for (size_t r = 0; r < nrows; r++)
			id_of[rows[r]] = r;
		for (size_t s = 0; s < nshots; s++)
			for (size_t g = 0; g < shots[s].ngold + shots[s].nreason; g++) {
				size_t d = g < shots[s].ngold ? shots[s].gold[g] : shots[s].reason[g - shots[s].ngold];
				if (id_of[d] == (size_t)-1) {
					lc_err_set(e, LC_EXIT_INPUT, "few-shot example %zu: its gold passage (row %zu) is not in the prompt",
					           s + 1, d);
					free(id_of);
					return -1;
				}
			}
	} else
		nrows = ndocs;
	lc_prompt_head(b, t);
	for (size_t r = 0; r < nrows; r++)
		lc_prompt_block(b, titled, r, &docs[rows ? rows[r] : r]);
	lc_prompt_shots(b, t, titled, docs, shots, nshots, id_of);
	lc_prompt_tail(b, t, query);
	free(id_of);
	return 0;
}

void lc_prompt_summarize(lc_buf *b, const char *passage)
{
	lc_buf_adds(b, "Summarize the following content. \nContent:\n");
	lc_buf_adds(b, passage);
	lc_buf_adds(b, "\n Summary:");
}
