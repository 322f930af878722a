/* lctok_load.c — times lc_tok_load() in-process for tests/bench/lctok.sh:
 * prints "WALL_MS CPU_MS" per load of the encoding named in argv[1]. */
#include "tok.h"

#include <stdio.h>
#include <time.h>

static double ms(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "o200k_base";
	for (int r = 0; r < 9; r++) {
		lc_err e;
		double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
		lc_tok *t = lc_tok_load(name, &e);
		double w1 = ms(CLOCK_MONOTONIC), c1 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (!t) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		printf("%.2f %.2f\n", w1 - w0, c1 - c0);
		lc_tok_free(t);
	}
	return 0;
}
