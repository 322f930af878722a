/*
 * data — where lctk's bundled data lives (vocabularies, models, prompts,
 * stopwords, recipes): $LCTK_DATA, else share/lctk next to the running binary
 * (the build tree's build/bin/../../share/lctk or PREFIX/bin/../share/lctk), else
 * the compiled-in DATADIR.  Kept apart from lib/cli/cli so that the tokenizer, the
 * analyser and the prompts, which load bundled files, do not depend on the
 * command line.
 *
 * Ownership: lc_data_path returns a malloc'd path the caller frees.
 */
#ifndef LC_DATA_H
#define LC_DATA_H

/* The path of rel ("vocab/cl100k_base.tiktoken") inside the first data directory
 * that has it, or NULL if none does. */
char *lc_data_path(const char *rel);

#endif
