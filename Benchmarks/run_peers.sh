#!/bin/sh
# searchd beside the peer engines of ../shared/bench on one corpus, in one run: index time,
# MB/s, peak RSS, index size, query latency (p50/p95/p99) through each engine's own path.
#
# usage: Benchmarks/run_peers.sh [CORPUS_DIR]     (default /tmp/search-corpus)
# env:   ENGINES  engines to run (default: the peers and this repository's adapter)
#        BENCH    the peer kit (default /work/shared/bench); other variables as its run_peers.sh
# Needs .build/release/searchd (make build) and the kit's setup.sh having run.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BENCH=${BENCH:-/work/shared/bench}
[ -x "$REPO/.build/release/searchd" ] || { echo "build first: (cd $REPO && make build)" >&2; exit 1; }
ENGINES=${ENGINES:-"tantivy tantivy-jieba fts5-unicode61 fts5-trigram xapian sphinx $HERE/engines/searchd"}
# Debian's Sphinx daemon is /usr/bin/searchd and the kit's sphinx adapter runs `searchd` from
# PATH: make sure it finds Sphinx's, not this project's if it is installed.
if [ -x /usr/bin/searchd ] && [ "$(command -v searchd)" != /usr/bin/searchd ]; then
    dir=$(mktemp -d)
    ln -s /usr/bin/searchd "$dir/searchd"
    PATH=$dir:$PATH
    export PATH
fi
ENGINES=$ENGINES exec "$BENCH/run_peers.sh" "$@"
