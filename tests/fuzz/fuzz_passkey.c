/* fuzz_passkey.c — lceval -m passkey's readers (lib/eval/passkey): the input as a
 * probes file, and as an answers file (every form) against a fixed probe set,
 * scored.  (lceval's printing of the results, cmd/lceval/passkey.c, is covered by
 * tests/lceval-passkey.bats.) */
#include "fuzz.h"
#include "passkey.h"

#include <stdlib.h>
#include <string.h>

static const char probes[] =
	"{\"id\": \"a\", \"length\": 100, \"answer\": \"123\", \"prompt\": \"x 123 y\"}\n"
	"{\"id\": \"b\", \"length\": 200, \"answer\": \"Key\", \"depth\": 0.5}\n"
	"{\"id\": 3, \"length\": 200, \"answer\": 7, \"prompt\": \"7\"}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd, pfd;
	char in[64], pk[64];
	const char *p = lc_fuzz_file(data, size, &fd);
	if (!p)
		return 0;
	snprintf(in, sizeof in, "%s", p);
	p = lc_fuzz_file((const uint8_t *)probes, sizeof probes - 1, &pfd);
	if (!p) {
		close(fd);
		return 0;
	}
	snprintf(pk, sizeof pk, "%s", p);
	lc_err e;
	lc_passkey_set s = {0};
	if (lc_passkey_load(&s, in, &e) == 0) {
		lc_passkey_result r;
		unsigned char *st = calloc(s.n, 1);
		lc_passkey_score(&s, st, &r);
		lc_passkey_result_free(&r);
		free(st);
	}
	lc_passkey_set_free(&s);
	lc_passkey_set ps = {0};
	if (lc_passkey_load(&ps, pk, &e) == 0) {
		unsigned char *st = calloc(ps.n ? ps.n : 1, 1);
		if (lc_passkey_read_answers(&ps, in, st, &e) == 0) {
			lc_passkey_result r;
			lc_passkey_score(&ps, st, &r);
			for (size_t i = 0; i < r.nlength; i++)
				(void)lc_passkey_accuracy(&r.by_length[i]);
			lc_passkey_result_free(&r);
		}
		free(st);
	}
	lc_passkey_set_free(&ps);
	close(pfd);
	close(fd);
	return 0;
}
