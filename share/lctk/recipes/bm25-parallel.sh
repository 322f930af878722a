#!/bin/sh
# Sharded BM25 indexing with GNU parallel: N processes each index one slice of the
# corpus (lcindex --shard K/N), then `lcindex merge` combines the parts into one index,
# byte-identical to `lcindex -o OUT CORPUS...`.
#
#   sh bm25-parallel.sh N OUT CORPUS... [-- LCINDEX-OPTIONS...]
#   e.g. sh bm25-parallel.sh 8 wiki.idx wiki.jsonl.zst -- --no-stopwords
#
# Across machines: run `lcindex --shard K/N -o part-K.idx CORPUS` on each (same corpus,
# same options), copy the parts to one place and run `lcindex merge -o OUT part-*.idx`.
set -eu
[ $# -ge 3 ] || { echo "usage: sh bm25-parallel.sh N OUT CORPUS... [-- LCINDEX-OPTIONS...]" >&2; exit 2; }
N=$1
OUT=$2
shift 2
CORPORA=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	CORPORA="$CORPORA $1"
	shift
done
[ $# -gt 0 ] && shift
command -v parallel >/dev/null || { echo "bm25-parallel.sh: GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lcindex-shards.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
# shellcheck disable=SC2086
seq "$N" | parallel --will-cite --halt now,fail=1 -j "$N" \
	lcindex --quiet "$@" --shard "{}/$N" -o "$TMP/part-{}.idx" $CORPORA
lcindex merge -o "$OUT" "$TMP"/part-*.idx
