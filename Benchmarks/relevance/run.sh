#!/bin/sh
# Relevance evaluation: searchd beside the peer engines on the judged query set.
#
# usage: Benchmarks/relevance/run.sh [CORPUS_DIR]      (default /tmp/search-corpus)
# env:   ENGINES     engines to run (names in $BENCH/engines or paths to adapters);
#                    default: the peers below and this repository's searchd adapter
#        BENCH       the peer benchmark kit (default /work/shared/bench)
#        RESULTS     run files, logs and relevance.md (default ~/.cache/searchd-bench/relevance)
#        INDEX_ROOT  where the engines build their indexes (default /tmp/searchd-relevance-index)
#        QRELS       judgments to score against (default: the frozen qrels.tsv next to this script)
#        REJUDGE=1   recompute the judgments for CORPUS_DIR (make_qrels.py) into
#                    RESULTS/qrels.tsv and score against those (needed for any other corpus)
#        SEARCHD_BIN the searchd binary the adapter runs (default .build/release/searchd)
#
# Steps: write the plain `qid<TAB>query` file, run $BENCH/run_peers.sh (K=10, no AND pass;
# it builds each index, runs the queries twice and keeps the measured pass as ENGINE.trec),
# then score with evaluate.py: tables to stdout and to RESULTS/relevance.md, per-query
# scores and top-3 ids to RESULTS/per-query.tsv.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CORPUS=$(cd "${1:-/tmp/search-corpus}" && pwd)
BENCH=${BENCH:-/work/shared/bench}
RESULTS=${RESULTS:-$HOME/.cache/searchd-bench/relevance}
INDEX_ROOT=${INDEX_ROOT:-/tmp/searchd-relevance-index}
ENGINES=${ENGINES:-"tantivy tantivy-jieba fts5-unicode61 fts5-trigram xapian sphinx bm25s $REPO/Benchmarks/engines/searchd"}
BIN=${SEARCHD_BIN:-$REPO/.build/release/searchd}

case " $ENGINES " in
*/searchd" "*|*" searchd "*)
    if [ ! -x "$BIN" ]; then
        echo "run.sh: $BIN does not exist. Build it first, in $REPO:" >&2
        echo "    make build" >&2
        exit 1
    fi ;;
esac
[ -f "$CORPUS/corpus.jsonl" ] || { echo "run.sh: no $CORPUS/corpus.jsonl" >&2; exit 1; }
[ -x "$BENCH/run_peers.sh" ] || { echo "run.sh: no $BENCH/run_peers.sh" >&2; exit 1; }
mkdir -p "$RESULTS" "$INDEX_ROOT"

# judgments
QRELS=${QRELS:-$HERE/qrels.tsv}
if [ "${REJUDGE:-0}" = 1 ]; then
    python3 "$HERE/make_qrels.py" "$CORPUS" "$HERE/queries.tsv" > "$RESULTS/qrels.tsv"
    QRELS=$RESULTS/qrels.tsv
fi
# the frozen judgments name documents of one corpus: say so if this corpus lacks some
python3 - "$CORPUS/corpus.jsonl" "$QRELS" <<'EOF' >&2
import json, sys
ids = {json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8")}
judged = {l.split()[2] for l in open(sys.argv[2], encoding="utf-8") if l.strip()}
missing = judged - ids
if missing:
    print(f"run.sh: WARNING: {len(missing)} judged documents are not in this corpus "
          f"(e.g. {sorted(missing)[0]}); use REJUDGE=1 for another corpus")
EOF

# (a) the plain query file the adapters read
PLAIN=$RESULTS/queries.plain.tsv
awk -F'\t' 'NR > 1 && $0 !~ /^#/ && NF >= 3 { print $1 "\t" $3 }' "$HERE/queries.tsv" > "$PLAIN"

# `make install` puts this project's searchd in /usr/local/bin, ahead of Sphinx's own daemon
# (/usr/bin/searchd, Debian sphinxsearch), and the sphinx adapter runs `searchd` from PATH:
# give the peers a PATH whose `searchd` is Sphinx's (our adapter uses the build path anyway).
if [ -x /usr/bin/searchd ] && [ "$(command -v searchd)" != /usr/bin/searchd ]; then
    mkdir -p "$RESULTS/sphinx-path"
    ln -sf /usr/bin/searchd "$RESULTS/sphinx-path/searchd"
    PATH=$RESULTS/sphinx-path:$PATH
    export PATH
fi

# (b) every engine: index, warm-up pass, measured pass (run_peers.sh's own latency table goes
# to RESULTS/table.md and, with its progress, to stderr)
ENGINES=$ENGINES QUERIES=$PLAIN K=10 AND_RUN=0 RESULTS=$RESULTS INDEX_ROOT=$INDEX_ROOT \
    "$BENCH/run_peers.sh" "$CORPUS" >&2 || echo "run.sh: run_peers.sh exited with $?; scoring what it left" >&2

# (c) score
NAMES=$(for e in $ENGINES; do basename "$e"; done)
# shellcheck disable=SC2086
python3 "$HERE/evaluate.py" --per-query "$RESULTS/per-query.tsv" \
    "$HERE/queries.tsv" "$QRELS" "$RESULTS" $NAMES | tee "$RESULTS/relevance.md"
echo "run.sh: wrote $RESULTS/relevance.md and $RESULTS/per-query.tsv" >&2
