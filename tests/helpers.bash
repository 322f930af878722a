# helpers.bash — loaded by every bats suite: puts the built programs first on
# PATH, loads bats-support/bats-assert, gives each test a scratch directory and
# finds ../shared (vectors, data) when present.
#
#   load helpers
#   setup() { lctk_setup; }
#   need_shared vectors/eval   # skips with a clear message when ../shared is absent
#
# Background processes: a suite that starts any defines
#   teardown() { lctk_teardown; }
# and starts them with start_llm_server (the test LLM server) or
# `CMD 3>&- & track_pid $!`, so they are killed by pid when the test ends, pass
# or fail.  Closing fd 3 (bats' TAP stream) matters: a process holding it keeps
# bats waiting for its output.  Waits poll for a condition (wait_until), never
# sleep for a fixed time; their limit only bounds a hang.

ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
BUILD="${LCTK_BUILD:-$ROOT/build}"
export PATH="$BUILD/bin:$PATH"
# LCTK_VALGRIND=1 (make memcheck): every program runs under valgrind memcheck through
# wrapper scripts; a memory error or definite leak exits 99, failing the test.  Each
# run logs to valgrind-logs/vg.SUITE.PID.log (SUITE: tests/run-test's tag for this
# suite), and run-test fails the suite on a memory error in any of its logs, so one in a
# run that a test expected to fail (exit 99 is a failure too) is not passed over.
if [ -n "${LCTK_VALGRIND:-}" ]; then
	export LCTK_VG_SUITE="${LCTK_SUITE_TAG:-${BATS_TEST_FILENAME##*/}}"
	VG="$BUILD/valgrind-bin"
	if [ ! -d "$VG" ]; then
		mkdir -p "$VG.tmp.$$"
		for p in "$BUILD"/bin/lc*; do
			printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --log-file=%s/vg.%%q{LCTK_VG_SUITE}.%%p.log %s "$@"\n' \
				"$BUILD/valgrind-logs" "$p" > "$VG.tmp.$$/${p##*/}"
			chmod +x "$VG.tmp.$$/${p##*/}"
		done
		mkdir -p "$BUILD/valgrind-logs"
		mv "$VG.tmp.$$" "$VG" 2>/dev/null || rm -rf "$VG.tmp.$$"
	fi
	export PATH="$VG:$PATH"
fi
export LCTK_DATA="$ROOT/share/lctk"
SHARED="${LCTK_SHARED:-$ROOT/../shared}"

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

lctk_setup() {
	T="$BATS_TEST_TMPDIR"
	# caches (lctok's compiled tokenizer.json models) go to the test's own directory
	export XDG_CACHE_HOME="$T/xdg"
	unset LCTK_CACHE LCTK_NO_CACHE
	LCTK_BG_PIDS=()
	LLM_PID=
	cd "$T" || return 1
}

# lctk_llm_setup: lctk_setup for suites that talk to the test LLM server: a
# private response cache, no API key from the caller's environment, loopback
# never through a proxy.
lctk_llm_setup() {
	lctk_setup || return 1
	export XDG_CACHE_HOME="$T/xdg"
	unset LCTK_API_KEY OPENAI_API_KEY LCTK_LLM_MAX_REPLY
	export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
}

# llm_corpus N: the first N passages (at most 6) of tests/vectors/llm/corpus.jsonl
# into ./corpus.jsonl — the small LOFT corpus the LLM suites share.
llm_corpus() {
	head -n "$1" "$ROOT/tests/vectors/llm/corpus.jsonl" > corpus.jsonl
}

# lctk_teardown: kills what the test started in the background (track_pid,
# start_llm_server), by pid, whether the test passed or failed.
lctk_teardown() {
	stop_llm_server
	local p
	for p in "${LCTK_BG_PIDS[@]}"; do
		kill_wait "$p"
	done
	LCTK_BG_PIDS=()
}

# track_pid PID: lctk_teardown kills PID (started with `3>&- &`) at the end of the test.
track_pid() {
	LCTK_BG_PIDS+=("$1")
}

# kill_wait PID: SIGTERM, then SIGKILL if PID is still there after 10 s; reaps it.
kill_wait() {
	kill "$1" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 200; i++)); do
		alive "$1" || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# alive PID: PID runs (a child that has exited but is not yet reaped does not).
alive() {
	local state
	state=$(awk '$1 == "State:" { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.05 s until it succeeds;
# returns 1 once it has been tried for about SECONDS (LCTK_WAIT_SCALE multiplies
# it; default 1).  The limit bounds a hang: pick it far above the normal time.
wait_until() {
	local limit=$(( $1 * 20 * ${LCTK_WAIT_SCALE:-1} )) i
	shift
	for ((i = 0; i < limit; i++)); do
		if "$@"; then return 0; fi
		sleep 0.05
	done
	return 1
}

# start_llm_server [llm-server.py flags...]: starts tests/llm-server.py (the
# deterministic OpenAI-compatible test server) on an ephemeral port of 127.0.0.1,
# stdin from /dev/null, output in $T/server.out, fd 3 closed, and returns once it
# accepts connections; fails the test if it exits first or is not listening
# within 120 s.  Sets LLM_PID, LLM_PORT and EP=http://127.0.0.1:LLM_PORT/v1; one
# JSON line per request in $T/server.log.  A running server is stopped first.
start_llm_server() {
	stop_llm_server
	rm -f "$T/port"
	python3 "$ROOT/tests/llm-server.py" --port-file "$T/port" --log "$T/server.log" "$@" \
		</dev/null >"$T/server.out" 2>&1 3>&- &
	LLM_PID=$!
	local i
	for ((i = 0; ; i++)); do
		if [ -s "$T/port" ] && (: <"/dev/tcp/127.0.0.1/$(cat "$T/port")") 2>/dev/null; then
			break
		fi
		if ! alive "$LLM_PID"; then
			fail "tests/llm-server.py $*: exited before listening: $(cat "$T/server.out")"
			return 1
		fi
		if [ "$i" -ge $((2400 * ${LCTK_WAIT_SCALE:-1})) ]; then
			fail "tests/llm-server.py $*: not listening after 120 s: $(cat "$T/server.out")"
			return 1
		fi
		sleep 0.05
	done
	LLM_PORT=$(cat "$T/port")
	EP="http://127.0.0.1:$LLM_PORT/v1"
}

# stop_llm_server: kills and reaps the server start_llm_server started, if any.
stop_llm_server() {
	if [ -n "${LLM_PID:-}" ]; then
		kill_wait "$LLM_PID"
		LLM_PID=
	fi
}

# need_shared REL: skip unless ../shared/REL exists.
need_shared() {
	[ -e "$SHARED/$1" ] || skip "../shared/$1 not present (reference vectors live outside the repo)"
}

# The file must not exist (no partial output).
assert_no_file() {
	[ ! -e "$1" ] || fail "expected no file $1, found one"
}

# stdout must be empty (failed records print nothing).
assert_no_stdout() {
	[ -z "$output" ] || fail "expected nothing on stdout, got: $output"
}

# need_faultinject: skip unless the LD_PRELOAD fault shim is built (not under SAN=1).
need_faultinject() {
	FAULTINJECT="$BUILD/tests/faultinject.so"
	[ -f "$FAULTINJECT" ] || skip "fault-injection shim not built (sanitizer build)"
}
