/* Unit tests for lib/text/sentsplit: abbreviations, decimals, initials, quotes,
 * brackets, lists, missing final punctuation, CJK, whitespace. */
#include "buf.h"
#include "sentsplit.h"
#include "tap.h"

/* Joins the sentences with " | " for comparison. */
static const char *split(const char *s)
{
	static lc_buf b;
	static lc_sentv sv;
	lc_buf_reset(&b);
	lc_sentsplit(s, strlen(s), &sv);
	for (size_t i = 0; i < sv.n; i++) {
		if (i)
			lc_buf_adds(&b, " | ");
		lc_buf_add(&b, s + sv.v[i].start, sv.v[i].end - sv.v[i].start);
	}
	if (!b.p)
		lc_buf_adds(&b, "");
	return b.p;
}

int main(void)
{
	is_str(split("One. Two! Three?"), "One. | Two! | Three?", "basic terminators");
	is_str(split("Dr. Smith met Mr. Jones. They talked."), "Dr. Smith met Mr. Jones. | They talked.", "titles");
	is_str(split("Use tools, e.g. hammers. Then stop."), "Use tools, e.g. hammers. | Then stop.", "e.g.");
	is_str(split("Pi is 3.14159 approx. It is irrational."), "Pi is 3.14159 approx. It is irrational.", "decimal; abbreviation before capital kept");
	is_str(split("It costs $3.50. Cheap."), "It costs $3.50. | Cheap.", "price then end");
	is_str(split("J. R. R. Tolkien wrote it. Fans agree."), "J. R. R. Tolkien wrote it. | Fans agree.", "initials");
	is_str(split("He said \"Stop.\" Then he left."), "He said \"Stop.\" | Then he left.", "closing quote");
	is_str(split("\"Why?\" she asked. Nobody knew."), "\"Why?\" she asked. | Nobody knew.", "question in quote, lowercase after");
	is_str(split("It works (see Fig. 2. It is clear) well. Next."), "It works (see Fig. 2. It is clear) well. | Next.", "no split inside brackets");
	is_str(split("It was shown. (See below.) Next one."), "It was shown. | (See below.) | Next one.", "bracketed sentence");
	is_str(split("Items:\n- apples\n- pears\n1. first\n2) second"), "Items: | - apples | - pears | 1. first | 2) second", "list items");
	is_str(split("- one\nTwo follows."), "- one | Two follows.", "a list item ends at its line");
	is_str(split("No final punctuation here"), "No final punctuation here", "missing final punctuation");
	is_str(split("First part\n\nSecond part"), "First part | Second part", "blank line");
	is_str(split("Wait... What happened?! Nothing."), "Wait... | What happened?! | Nothing.", "runs of terminators");
	is_str(split("He lives in the U.S. now. Good."), "He lives in the U.S. now. | Good.", "U.S. mid sentence");
	is_str(split("version 2.0.1 released. ok"), "version 2.0.1 released. ok", "lowercase after dot: no split");
	is_str(split("天气很好。我们去公园！好吗？"), "天气很好。 | 我们去公园！ | 好吗？", "CJK terminators");
	is_str(split("Done. 2019 was a year."), "Done. | 2019 was a year.", "digit starts a sentence");
	is_str(split("He said “Go.” Then."), "He said “Go.” | Then.", "curly quotes");
	is_str(split("   "), "", "whitespace only");
	is_str(split(""), "", "empty");
	is_str(split("  Padded.  "), "Padded.", "trimmed");
	lc_sentv sv = {0};
	const char *t = "Ünïcode here. Next.";
	lc_sentsplit(t, strlen(t), &sv);
	ok(sv.n == 2 && sv.v[1].start == 16 && lc_utf8_cpcount(t, sv.v[1].start) == 14, "byte offsets; code point conversion");
	lc_sentv_free(&sv);
	return done_testing();
}
