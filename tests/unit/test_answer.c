/* Unit tests for lib/llm/answer: LOFT's answer-line rule (both upstream variants,
 * cases of ../shared/vectors/eval/loft_parse_a), the Python-literal reader and
 * the index -> pid mapping. */
#include "answer.h"
#include "tap.h"

#include <stdlib.h>

typedef struct {
	const char *id, *text;
	const char *pids_old;   /* "a,b"; "|" = empty list; NULL = mapping error */
	int perr_old;
	const char *pids_head;
	int perr_head;
} tcase;

static const tcase cases[] = {
	{ "plain_ints", "Thought: passages 3 and 1 are relevant.\nFinal Answer: [3, 1]", "pidD,pidB", 0, "pidD,pidB", 0 },
	{ "markdown_bold", "**Final Answer:** [2]", "pidC", 0, "pidC", 0 },
	{ "lowercase_string_ids", "final answer: ['1', '5']", "pidB,pidF", 0, "pidB,pidF", 0 },
	{ "first_line_wins", "Final Answer: [4]\nFinal Answer: [5, 6]", "pidE", 0, "pidE", 0 },
	{ "empty_list", "Final Answer: []", "|", 0, "|", 0 },
	{ "no_final_answer", "The answer is [1, 2].", "|", 0, "pidB,pidC", 0 },
	{ "unclosed_then_valid", "Final Answer: [1, 2\nFinal Answer: [7]", "pidH", 0, "pidH", 0 },
	{ "two_lists_one_line", "Final Answer: [1, 2] and [3]", "|", 1, "|", 1 },
	{ "apostrophe_escape", "Final Answer: ['the devil's sleep']", NULL, 0, NULL, 0 },
	{ "backticks", "```\nFinal Answer: [4]\n```", "pidE", 0, "pidE", 0 },
	{ "duplicates_kept", "Final Answer: [1, 1, 2]", "pidB,pidB,pidC", 0, "pidB,pidB,pidC", 0 },
	{ "phrase_in_sentence", "So the final answer is [7] I think", "pidH", 0, "pidH", 0 },
	{ "parentheses_not_brackets", "Final Answer: (1, 2)", "|", 0, "|", 0 },
	{ "out_of_range_id", "Final Answer: [99]", NULL, 0, NULL, 0 },
	{ "trailing_comma_spaces", "Final Answer: [ 3 , 0 , ]", "pidD,pidA", 0, "pidD,pidA", 0 },
	{ "brackets_in_reasoning", "Thought: passages [3] and [1] look relevant.\nFinal Answer: [3, 1]", "pidD,pidB", 0, "|", 1 },
	{ "list_without_prefix", "Relevant: [2, 4]", "|", 0, "pidC,pidE", 0 },
	/* beyond the vectors: Python literal details */
	{ "hex_and_sign", "Final Answer: [0x3, +1, -0]", "pidD,pidB,pidA", 0, "pidD,pidB,pidA", 0 },
	{ "underscore_int", "Final Answer: [1_0]", "pidK", 0, "pidK", 0 },
	{ "leading_zero", "Final Answer: [01]", "|", 1, "|", 1 },
	{ "float_never_maps", "Final Answer: [1.0]", NULL, 0, NULL, 0 },
	{ "bool_never_maps", "Final Answer: [True]", NULL, 0, NULL, 0 },
	{ "nested_list", "Final Answer: [[1], 2]", NULL, 0, NULL, 0 },
	{ "tuple_top", "Final Answer: [1], [2]", NULL, 0, NULL, 0 },
	{ "concat_strings", "Final Answer: ['1' '2']", "pidM", 0, "pidM", 0 },
	{ "double_quotes", "Final Answer: [\"4\", \"9\"]", "pidE,pidJ", 0, "pidE,pidJ", 0 },
	{ "string_space", "Final Answer: ['3 ']", NULL, 0, NULL, 0 },
	{ "bare_word", "Final Answer: [pidA]", "|", 1, "|", 1 },
	{ "dict_unhashable_key", "Final Answer: [{[1]: 2}]", "|", 1, "|", 1 },
	{ "comment_eats_bracket", "Final Answer: [1, # x ]", "|", 1, "|", 1 },
	{ "cr_in_line", "Final Answer: [2]\r\nmore", "pidC", 0, "pidC", 0 },
};

static char *join(const lc_strlist *l)
{
	size_t n = 2;
	for (size_t i = 0; i < l->n; i++)
		n += strlen(l->s[i]) + 1;
	char *s = malloc(n);
	s[0] = 0;
	if (!l->n)
		strcpy(s, "|");
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, l->s[i]);
	}
	return s;
}

int main(void)
{
	static char *const pids[] = { "pidA", "pidB", "pidC", "pidD", "pidE", "pidF", "pidG", "pidH", "pidI", "pidJ",
	                              "pidK", "pidL", "pidM" };
	lc_strlist ids = { 0 };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const tcase *c = &cases[i];
		for (int v = 0; v < 2; v++) {
			int fl = lc_answer_parse(c->text, strlen(c->text), v ? LC_ANSWER_LOFT_HEAD : LC_ANSWER_LOFT_53358FF, &ids);
			const char *want = v ? c->pids_head : c->pids_old;
			int perr = v ? c->perr_head : c->perr_old;
			/* the vectors' corpus has 10 rows; the extra cases use 13 */
			size_t nrows = i < 17 ? 10 : 13;
			int m = lc_answer_map(&ids, fl, pids, nrows);
			char name[128];
			snprintf(name, sizeof name, "%s (%s)", c->id, v ? "HEAD" : "53358ff");
			if (!want)
				ok(m < 0, "%s: mapping fails (unanswered)", name);
			else {
				char *got = m < 0 ? strdup("(mapping failed)") : join(&ids);
				is_str(got, want, name);
				free(got);
			}
			ok(!!(fl & LC_ANSWER_PARSE_ERROR) == perr, "%s: parse error flag %d", name, perr);
		}
	}
	lc_strlist_free(&ids);
	return done_testing();
}
