/*
 * size — byte sizes as users write them on the command line: digits with an
 * optional K, M or G (powers of 1000, as OpenAI counts "200 MB" and lcindex
 * its --memory), e.g. "200M".  A module of its own so that a program parsing a
 * size does not link what else uses one (lcindex needs no HTTP client).
 */
#ifndef LC_SIZE_H
#define LC_SIZE_H

#include "err.h"

/* The size in arg, or 0 + e (a usage error naming opt) when it is not a positive one. */
unsigned long long lc_size_parse(const char *opt, const char *arg, lc_err *e);

#endif
