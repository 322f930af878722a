#!/bin/sh
# lcdecompose-parallel.sh — Dataset Decomposition with N worker processes (GNU parallel).
#
#   lcdecompose-parallel.sh N OUTDIR [lcdecompose options] FILE...
#
# Runs `lcdecompose --shard K/N` for K = 1..N at once (each worker reads every input
# file and keeps the documents whose hash falls in its slice), then joins the parts
# with `lcdecompose merge`.  The merged dataset holds exactly the sequences one
# `lcdecompose` process would write with the same options and --seed (each document's
# length draws depend only on the seed and its position in the input); only the
# shuffle into shards differs.  Needs GNU parallel; falls back to xargs -P.
set -eu
if [ $# -lt 3 ]; then
	echo "usage: $0 N OUTDIR [lcdecompose options] FILE..." >&2
	exit 2
fi
n=$1
out=$2
shift 2
case $n in ''|*[!0-9]*) echo "$0: N must be a positive number, got '$n'" >&2; exit 2 ;; esac
parts=$(mktemp -d "${TMPDIR:-/tmp}/lcdecompose-parts.XXXXXX")
trap 'rm -rf "$parts"' EXIT INT TERM
if command -v parallel >/dev/null 2>&1; then
	seq 1 "$n" | parallel --will-cite --halt now,fail=1 -j "$n" -q \
		lcdecompose --shard "{}/$n" --quiet -o "$parts/part-{}" "$@" >/dev/null
else
	seq 1 "$n" | xargs -P "$n" -I{} \
		lcdecompose --shard "{}/$n" --quiet -o "$parts/part-{}" "$@" >/dev/null
fi
set --
for k in $(seq 1 "$n"); do set -- "$@" "$parts/part-$k"; done
lcdecompose merge -o "$out" "$@"
