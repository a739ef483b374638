#!/bin/sh
# Two or more searchd binaries answering the kit's queries through their socket, alternated
# in one sitting (this VM's noise is larger than most differences between two commits).
#
# usage: Benchmarks/side_by_side.sh INDEX_DIR ROUNDS BINARY[@INDEX_DIR]...
#   INDEX_DIR as the adapter's `index` command made it (searchd.toml, data/); a binary of
#   another index format serves the one named after it (the same documents, its own build). Per round and binary: start searchd, one warm pass, one
#   measured pass; prints p50/p95/p99 and the median per query category, in µs.
# env: WARM=0 measures a new searchd's first pass instead (its caches cold: typo lookups,
#      terms, word breaks), as a user's new queries find them.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
QUERIES=${QUERIES:-/work/shared/bench/queries/perf.tsv}
INDEX=$1
ROUNDS=$2
shift 2
OUT=$(mktemp)
trap 'rm -f "$OUT"; python3 "$HERE/engines/searchd_engine.py" stop "$index" >/dev/null 2>&1 || true' EXIT
index=$INDEX
for round in $(seq "$ROUNDS"); do
    for spec in "$@"; do
        python3 "$HERE/engines/searchd_engine.py" stop "$index" >/dev/null 2>&1 || true
        bin=${spec%%@*}
        index=$INDEX
        case $spec in *@*) index=${spec#*@} ;; esac
        if [ "${WARM:-1}" != 0 ]; then
            SEARCHD_BIN=$bin python3 "$HERE/engines/searchd_engine.py" search "$index" "$QUERIES" 10 >/dev/null
        fi
        LATENCY_OUT=$OUT SEARCHD_BIN=$bin python3 "$HERE/engines/searchd_engine.py" search "$index" "$QUERIES" 10 >/dev/null
        python3 - "$OUT" "$bin" "$round" <<'PY'
import collections, statistics, sys
rows = [l.rstrip("\n").split("\t")[:2] for l in open(sys.argv[1]) if l.strip()]
v = sorted(float(t) for _, t in rows)
pct = lambda p: v[min(len(v) - 1, int(len(v) * p))]
by = collections.defaultdict(list)
for q, t in rows:
    by[q.rsplit("-", 1)[0]].append(float(t))
cats = " ".join(f"{c} {statistics.median(x):.0f}" for c, x in sorted(by.items()))
print(f"{sys.argv[2]} round {sys.argv[3]}: p50 {pct(.5):.0f} p95 {pct(.95):.0f} p99 {pct(.99):.0f} | {cats}")
PY
    done
done
