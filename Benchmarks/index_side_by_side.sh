#!/bin/sh
# Two or more searchd binaries building the same corpus with `searchd index`, alternated in
# one sitting, each build into an empty data directory. On this VM a build's time depends on
# its place in a round (in rounds of A B B A, the two middle builds ran slower, whatever the
# binary), so the order turns every round: each binary takes each place equally often.
#
# usage: Benchmarks/index_side_by_side.sh CORPUS_JSONL ROUNDS BINARY...
# env:   IDLE   seconds of idle before each build (default 15: the builds before leave
#               writeback and page freeing behind them)
#        WORK   where the data directories go (default a new directory under /tmp)
# Prints each build, then per binary the median wall, user and system seconds, the RSS, and
# the median of the seconds `searchd index` reports for reading and indexing (the rest of the
# wall time is its final merge and commit); keeps the list of builds in WORK, not the indexes.
set -eu
CORPUS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROUNDS=$2
shift 2
IDLE=${IDLE:-15}
WORK=${WORK:-$(mktemp -d /tmp/index-side-by-side.XXXXXX)}
REPO=$(cd "$(dirname "$0")/.." && pwd)
LOG=$WORK/builds.txt
: > "$LOG"
n=$#
k=0
for bin in "$@"; do
    k=$((k + 1))
    mkdir -p "$WORK/$k"
    # each binary its own analysis cache: a binary's first start builds it (a second)
    printf 'socket = "%s/%s/searchd.sock"\ndata_dir = "%s/%s/data"\nsources = ["%s"]\nsynonyms = "%s/config/synonyms.txt"\nlog_level = "info"\n' \
        "$WORK" "$k" "$WORK" "$k" "$CORPUS" "$REPO" > "$WORK/$k/searchd.toml"
    SEARCHD_CACHE_DIR=$WORK/$k/cache "$bin" index --config "$WORK/$k/searchd.toml" >/dev/null 2>&1
done
for round in $(seq "$ROUNDS"); do
    # round r: the binaries rotated by r
    order=""
    for i in $(seq 0 $((n - 1))); do order="$order $(( (i + round) % n + 1 ))"; done
    for j in $order; do
        eval "bin=\${$j}"
        rm -rf "$WORK/$j/data"
        sync
        sleep "$IDLE"
        SEARCHD_CACHE_DIR=$WORK/$j/cache /usr/bin/time -f "$j %e %U %S %M" -o "$WORK/time" \
            "$bin" index --config "$WORK/$j/searchd.toml" >"$WORK/log" 2>&1
        reading=$(grep -o 'reading and indexing [0-9.]*' "$WORK/log" | grep -o '[0-9.]*$' || echo 0)
        echo "$(cat "$WORK/time") $reading" >> "$LOG"
        echo "round $round: $bin $(cut -d' ' -f2- "$WORK/time" | awk '{print $1 " s wall, " $2 " user, " $3 " sys, " int($4 / 1024) " MB"}'), reading and indexing $reading s"
    done
done
python3 - "$LOG" "$@" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    k, wall, user, system, rss, reading = line.split()
    rows[int(k)].append((float(wall), float(user), float(system), int(rss) // 1024, float(reading)))
for k, bin in enumerate(sys.argv[2:], 1):
    v = rows[k]
    med = lambda i: statistics.median(x[i] for x in v)
    print(f"{bin}: {len(v)} builds, median {med(0):.2f} s wall, {med(1):.2f} s user, {med(2):.2f} s sys, "
          f"RSS {min(x[3] for x in v)}-{max(x[3] for x in v)} MB, reading and indexing {med(4):.2f} s; "
          f"walls {sorted(x[0] for x in v)}")
PY
rm -rf "$WORK"/*/data
echo "builds: $LOG"
