/* fuzz_passkey.c — lceval -m passkey's readers (lib/eval/passkey): the input as a
 * probes file, and as an answers file (every form) against a fixed probe set,
 * scored and written as text, JSON, JSON lines and into a report object. */
#include "fuzz.h"
#include "passkey.h"

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
	char *runs[] = { in, in };
	for (int mode = 0; mode < 4; mode++) {
		lc_passkey_opts o = { mode == 1 || mode == 3, mode == 2, mode == 3, 0 };
		json_t *rep = mode == 3 ? json_object() : NULL;
		lc_output *out = lc_output_open("/dev/null");
		if (lc_passkey_main(&o, pk, runs, mode == 3 ? 2 : 1, out, rep, &e) == 0)
			lc_output_commit(out);
		else
			lc_output_abort(out);
		json_decref(rep);
	}
	close(pfd);
	close(fd);
	return 0;
}
