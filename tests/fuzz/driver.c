/*
 * driver.c — runs a fuzz harness over files without libFuzzer, so the seeds
 * and every crash found (tests/fuzz/corpus/NAME/) replay in `make check`,
 * including under SAN=1.  Prints TAP: one test per file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			printf("not ok %d - cannot open %s\n", ++n, argv[i]);
			continue;
		}
		fseek(f, 0, SEEK_END);
		long len = ftell(f);
		fseek(f, 0, SEEK_SET);
		uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
		size_t got = fread(buf, 1, (size_t)(len > 0 ? len : 0), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, got);
		free(buf);
		printf("ok %d - %s\n", ++n, argv[i]);
	}
	printf("1..%d\n", n);
	return 0;
}
