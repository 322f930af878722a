#!/bin/sh
# make fuzz: builds libcore and every tests/fuzz/fuzz_*.c harness with clang's
# libFuzzer + ASan + UBSan in build-fuzz/, then runs each for FUZZ_SECONDS
# (default 600) or FUZZ_RUNS executions (default 10M), whichever comes first, from its seed corpus tests/fuzz/corpus/NAME.  New crashers land in
# build-fuzz/crashes/; copy them into tests/fuzz/corpus/NAME/ as regression inputs
# (they replay in `make check` through tests/fuzz/driver.c).
# FUZZ_ONLY=name runs one harness.  Summary: tests/fuzz/results.txt.
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-600}
B=${FUZZ_BUILD:-build-fuzz}
FLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
make --no-print-directory B=$B CC=clang CFLAGS="$FLAGS" $B/libcore.a >/dev/null || exit 1
libs="$(pkg-config --libs jansson libarchive zlib libpcre2-8 libcurl) -lstemmer -lm -pthread"
mkdir -p $B/fuzz $B/crashes
out=tests/fuzz/results.txt
echo "# make fuzz $(date -u +%Y-%m-%dT%H:%MZ), $secs s per harness, $(clang --version | head -1)" > $out
rc=0
for h in tests/fuzz/fuzz_*.c; do
	name=$(basename "$h" .c); name=${name#fuzz_}
	[ -n "${FUZZ_ONLY:-}" ] && [ "$FUZZ_ONLY" != "$name" ] && continue
	clang $FLAGS -fsanitize=fuzzer -std=gnu11 $(for d in lib/*/; do printf -- "-I%s " "$d"; done)$(pkg-config --cflags jansson libarchive) \
		-o $B/fuzz/$name "$h" $B/libcore.a $libs || { rc=1; continue; }
	mkdir -p $B/corpus/$name tests/fuzz/corpus/$name
	log=$B/fuzz/$name.log
	$B/fuzz/$name -max_total_time="$secs" -runs="${FUZZ_RUNS:-10000000}" -rss_limit_mb=4096 -timeout=20 \
		-artifact_prefix=$B/crashes/$name- $B/corpus/$name tests/fuzz/corpus/$name >"$log" 2>&1
	st=$?
	runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1)
	printf '%-12s exit %d  %s\n' "$name" "$st" "${runs:-no summary (see $log)}" | tee -a $out
	[ $st -eq 0 ] || rc=1
done
exit $rc
