/*
 * Unit tests for lib/llm/prompt: template parsing and errors, the exact LOFT prompt
 * layout (titled and untitled, few-shot examples, subsets renumbered), the
 * summary fallback, the shipped templates and CoLoR's summarisation prompt.
 */
#include "cli.h"
#include "prompt.h"
#include "tap.h"

#include <stdlib.h>

static const char tpl_text[] =
	"# a comment\n"
	"@titles auto\n"
	"@instruction\n"
	"Find the documents.\n"
	"@format\n"
	"Final Answer: [id1]\n"
	"\n"
	"Never empty.\n"
	"\n"
	"@query\n"
	"Which one? Print out the TITLE and ID.\n"
	"query: {query}\n"
	"The following documents can help:\n";

static void test_parse(void)
{
	lc_prompt_tpl t;
	lc_err e = {0};
	ok(lc_prompt_tpl_parse(&t, tpl_text, sizeof tpl_text - 1, "t.txt", &e) == 0, "template parses");
	is_str(t.instruction, "Find the documents.", "instruction");
	is_str(t.format, "Final Answer: [id1]\n\nNever empty.", "format keeps inner blank line, drops trailing");
	is_str(t.query, "Which one? Print out the TITLE and ID.\nquery: {query}\nThe following documents can help:", "query");
	is_num(t.titles, -1, "titles auto");
	lc_prompt_tpl_free(&t);

	const char *bad[][2] = {
		{ "@instruction\nx\n@query\nno placeholder\n@format\nf\n", "must contain {query}" },
		{ "@instruction\nx\n@query\n{query}\n", "needs @instruction, @format and @query" },
		{ "stray\n@instruction\nx\n", "t.txt:1: text outside a section" },
		{ "@titles maybe\n", "t.txt:1: @titles takes yes, no or auto" },
		{ "@instruction\nx\n@bogus\n", "t.txt:3: unknown section '@bogus'" },
		{ "@instruction\nx\n@instruction\ny\n", "t.txt:3: section @instruction given twice" },
		{ "@instruction\n\xff\n@format\nf\n@query\n{query}\n", "must be UTF-8 text" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e.msg[0] = 0;
		int r = lc_prompt_tpl_parse(&t, bad[i][0], strlen(bad[i][0]), "t.txt", &e);
		ok(r == -1 && strstr(e.msg, bad[i][1]), "bad template %zu: %s", i, e.msg);
	}
}

static void test_build(void)
{
	lc_prompt_tpl t;
	lc_err e = {0};
	lc_prompt_tpl_parse(&t, tpl_text, sizeof tpl_text - 1, "t.txt", &e);
	lc_prompt_doc docs[] = {
		{ "Cats", "Cats purr." },
		{ "", "Dogs bark." },
		{ "Birds", "Birds sing." },
		{ "Fish", "Fish swim." },
	};
	size_t g0[] = { 2 }, g1[] = { 3, 0 };
	lc_prompt_shot shots[] = { { "who sings", g0, 1, NULL, 0 }, { "swim and purr", g1, 2, NULL, 0 } };
	int titled = lc_prompt_titled(&t, docs, 4);
	ok(titled == 1, "auto: titled when some doc has a title");
	lc_buf b = {0};
	ok(lc_prompt_build(&b, &t, titled, docs, 4, NULL, 0, shots, 2, "who barks", &e) == 0, "build");
	/* LOFT's code joins its chunks (each ending in one newline) without blank lines */
	is_str(b.p,
	       "Find the documents.\n\n"
	       "Final Answer: [id1]\n\nNever empty.\n\n"
	       "ID: 0 | TITLE: Cats | CONTENT: Cats purr. | END ID: 0\n"
	       "ID: 1 | TITLE: None | CONTENT: Dogs bark. | END ID: 1\n"
	       "ID: 2 | TITLE: Birds | CONTENT: Birds sing. | END ID: 2\n"
	       "ID: 3 | TITLE: Fish | CONTENT: Fish swim. | END ID: 3\n"
	       "====== Example 1 ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: who sings\nThe following documents can help:\n"
	       "TITLE: Birds | ID: 2\n"
	       "Final Answer: ['2']\n"
	       "====== Example 2 ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: swim and purr\nThe following documents can help:\n"
	       "TITLE: Fish | ID: 3\n"
	       "TITLE: Cats | ID: 0\n"
	       "Final Answer: ['3', '0']\n"
	       "====== Now let's start! ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: who barks\nThe following documents can help:\n",
	       "titled LOFT prompt, exact text");

	/* a subset (prefilter/fit) is renumbered; untitled drops TITLE everywhere */
	size_t rows[] = { 0, 2, 3 };
	lc_buf_reset(&b);
	ok(lc_prompt_build(&b, &t, 0, docs, 4, rows, 3, shots, 1, "q {query}", &e) == 0, "subset build");
	is_str(b.p,
	       "Find the documents.\n\n"
	       "Final Answer: [id1]\n\nNever empty.\n\n"
	       "ID: 0 | CONTENT: Cats purr. | END ID: 0\n"
	       "ID: 1 | CONTENT: Birds sing. | END ID: 1\n"
	       "ID: 2 | CONTENT: Fish swim. | END ID: 2\n"
	       "====== Example 1 ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: who sings\nThe following documents can help:\n"
	       "CONTENT: Birds sing. | ID: 1\n"
	       "Final Answer: ['1']\n"
	       "====== Now let's start! ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: q {query}\nThe following documents can help:\n",
	       "untitled subset prompt, renumbered ids, {query} in the query kept literally");
	size_t rows2[] = { 0, 1 };
	lc_buf_reset(&b);
	ok(lc_prompt_build(&b, &t, 1, docs, 4, rows2, 2, shots, 2, "x", &e) == -1 && b.len == 0 &&
	   strstr(e.msg, "few-shot example 1"), "gold outside the subset refused: %s", e.msg);

	/* LOFT's loader: str.strip() of titles, passages and queries (Unicode white space
	 * too), "childhood abuse" removed from titles and passages only (after the strip);
	 * reasoning lines from the example's qrels, the Final Answer from its answers */
	lc_prompt_doc dirty[] = {
		{ " \t Cats\xc2\xa0", "\n  Cats purr.\xe3\x80\x80 " },
		{ "childhood abuse", "A childhood abuse study; childhood abuse. " },
	};
	size_t ga[] = { 0 }, gr[] = { 1, 0 };
	lc_prompt_shot ds[] = { { "\u2003 who purrs \n", ga, 1, gr, 2 } };
	lc_buf_reset(&b);
	ok(lc_prompt_build(&b, &t, 1, dirty, 2, NULL, 0, ds, 1, "  childhood abuse\t", &e) == 0, "dirty build");
	is_str(b.p,
	       "Find the documents.\n\n"
	       "Final Answer: [id1]\n\nNever empty.\n\n"
	       "ID: 0 | TITLE: Cats | CONTENT: Cats purr. | END ID: 0\n"
	       "ID: 1 | TITLE: None | CONTENT: A  study; . | END ID: 1\n"
	       "====== Example 1 ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: who purrs\nThe following documents can help:\n"
	       "TITLE: None | ID: 1\n"
	       "TITLE: Cats | ID: 0\n"
	       "Final Answer: ['0']\n"
	       "====== Now let's start! ======\n"
	       "Which one? Print out the TITLE and ID.\nquery: childhood abuse\nThe following documents can help:\n",
	       "stripped and cleaned as LOFT's loader; qrels reasoning, answers in the Final Answer");

	lc_prompt_doc nt[] = { { NULL, "a" }, { "", "b" } };
	ok(lc_prompt_titled(&t, nt, 2) == 0, "auto: untitled corpus has no TITLE field");
	is_str(lc_prompt_doc_text("passage", "summary"), "summary", "summary used when present");
	is_str(lc_prompt_doc_text("passage", ""), "passage", "empty summary falls back to passage");
	is_str(lc_prompt_doc_text("passage", NULL), "passage", "missing summary falls back to passage");

	lc_buf_reset(&b);
	lc_prompt_summarize(&b, "Some text.");
	is_str(b.p, "Summarize the following content. \nContent:\nSome text.\n Summary:", "CoLoR summarisation prompt");
	lc_buf_free(&b);
	lc_prompt_tpl_free(&t);
}

static void test_shipped(void)
{
	const char *names[] = { "scifact", "nq", "hotpotqa", "fiqa", "msmarco", "arguana", "quora", "webis_touche2020",
	                        "fever", "musique", "qampari", "quest", "topiocqa", "default" };
	int all = 1;
	lc_err e = {0};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		lc_prompt_tpl t;
		if (lc_prompt_tpl_load(&t, names[i], &e) < 0) {
			printf("# %s\n", e.msg);
			all = 0;
			continue;
		}
		lc_prompt_tpl_free(&t);
	}
	ok(all, "every shipped template loads");
	lc_prompt_tpl t;
	ok(lc_prompt_tpl_load(&t, "nq", &e) == 0, "nq loads");
	is_str(t.query,
	       "Which document is most relevant to answer the query? Print out the TITLE and ID of the document. Then format "
	       "the IDs into a list.\nIf there is no perfect answer output the closest one. Do not give an empty final "
	       "answer.\nquery: {query}\nThe following documents can help answer the query:",
	       "nq question text as in brief 2.1");
	ok(t.titles == 1, "nq is titled");
	lc_prompt_tpl_free(&t);
	ok(lc_prompt_tpl_load(&t, "msmarco", &e) == 0 && t.titles == 0, "msmarco uses fiqa's untitled prompt");
	lc_prompt_tpl_free(&t);
	ok(lc_prompt_tpl_load(&t, "nope", &e) == -1 && strstr(e.msg, "no such template"), "unknown name: %s", e.msg);
	ok(lc_prompt_tpl_load(&t, "../x", &e) == -1, "missing file refused");

	char *g = lc_prompt_guess("/data/loft/scifact/corpus.jsonl");
	is_str(g, "scifact", "guess from directory");
	free(g);
	g = lc_prompt_guess("/data/fiqa/summaries/gpt.jsonl");
	is_str(g, "fiqa", "guess looks further out");
	free(g);
	g = lc_prompt_guess("/x/nq/beir/hotpotqa.zip");
	is_str(g, "hotpotqa", "guess from the file name first");
	free(g);
	g = lc_prompt_guess("default/corpus.jsonl");
	is_str(g, "default", "a directory named default is no guess");
	free(g);
	g = lc_prompt_guess("corpus.jsonl");
	is_str(g, "default", "no guess -> default");
	free(g);
}

int main(int argc, char **argv)
{
	lc_cli_init(argc, argv);   /* finds share/lctk next to build/tests */
	test_parse();
	test_build();
	test_shipped();
	return done_testing();
}
