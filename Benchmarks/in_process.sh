#!/bin/sh
# Two or more searchd-profile binaries answering the kit's queries in process, alternated
# round by round in one sitting (this VM's noise moves a binary's p50 by 10–20% between
# sittings, and by 5% between rounds): per query, the minimum of its per-round medians;
# then per query category, and over all queries, the median of those minima.
#
# usage: Benchmarks/in_process.sh INDEX_DIR ROUNDS SECONDS BINARY[@INDEX_DIR]...
#   INDEX_DIR an index searchd built (DATA_DIR/index); a binary of another index format reads
#   the one named after it (the same documents, built by that binary's searchd).
#   Build each binary with `swift build -c release --product searchd-profile` in Benchmarks/.
set -eu
# QUERIES: the kit-form query file, read by the binaries too (searchd-profile before 5be5b15 reads perf.tsv)
QUERIES=${QUERIES:-/work/shared/bench/queries/perf.tsv}
INDEX=$1
ROUNDS=$2
SECONDS_EACH=$3
shift 3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for round in $(seq "$ROUNDS"); do
    k=0
    for bin in "$@"; do
        k=$((k + 1))
        index=$INDEX
        case $bin in *@*) index=${bin#*@} ;; esac
        SEARCHD_ALL_QUERIES=1 SEARCHD_PROFILE_QUERIES=$QUERIES SEARCHD_PROFILE_INDEX=$index "${bin%%@*}" query "$SECONDS_EACH" > "$OUT/$k.$round" 2>/dev/null
        echo "$bin round $round: $(sed -n 2p "$OUT/$k.$round")"
    done
done
python3 - "$QUERIES" "$OUT" "$ROUNDS" "$@" <<'PY'
import collections, glob, re, statistics, sys
queries, out, rounds, bins = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
category = {}
for line in open(queries, encoding="utf-8"):
    if line.strip() and not line.startswith("#"):
        qid, q = line.rstrip("\n").split("\t", 1)
        category[q] = qid.rsplit("-", 1)[0]
best = []
for k in range(1, len(bins) + 1):
    minima = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{k}.{r}", encoding="utf-8"):
            m = re.match(r"\s*(\d+) µs  (.*)$", line.rstrip("\n"))
            if m and m.group(2) in category:
                minima[m.group(2)] = min(minima.get(m.group(2), 1e18), int(m.group(1)))
    best.append(minima)
cats = sorted(set(category.values()))
print("per-query minimum over", rounds, "rounds, median per category (µs):")
print("binary | all p50 | all p90 | " + " | ".join(cats))
for b, minima in zip(bins, best):
    v = sorted(minima.values())
    by = collections.defaultdict(list)
    for q, t in minima.items():
        by[category[q]].append(t)
    print(f"{b} | {v[len(v) // 2]} | {v[len(v) * 9 // 10]} | " + " | ".join(f"{statistics.median(by[c]):.0f}" for c in cats))
PY
