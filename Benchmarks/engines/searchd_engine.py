"""searchd adapter for the peer benchmark (../../../shared/bench/engines/README.md).

index CORPUS_DIR INDEX_DIR
    Writes INDEX_DIR/searchd.toml (source: CORPUS_DIR/corpus.jsonl, read as JSON Lines
    documents; socket and data inside INDEX_DIR; the project's config/synonyms.txt) and runs
    `searchd index` on it: the offline indexer, into INDEX_DIR/data/index.
search INDEX_DIR QUERIES_TSV K
    Starts searchd on INDEX_DIR/searchd.sock unless it runs (pid in INDEX_DIR/searchd.pid),
    waits until its status says "ready" (the index open and up to date), then, in a small C
    client (searchd_client.c, compiled into INDEX_DIR), for each query times one
    request/response round trip through the socket,
    client-side: {"method": "search", "params": {"query": q, "limit": K, "snippets": false,
    "mode": "any" or "all" (BENCH_OP=and)}}. Free text goes to searchd's own query language
    unchanged: words side by side rank documents matching all of them first (BM25 within).
stop INDEX_DIR
    SIGTERM to that searchd.

The binary is $SEARCHD_BIN, else the repository's .build/release/searchd.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("SEARCHD_BIN", os.path.join(REPO, ".build", "release", "searchd"))
OP = os.environ.get("BENCH_OP", "or").lower()


def paths(index_dir):
    index_dir = os.path.abspath(index_dir)
    return index_dir, os.path.join(index_dir, "searchd.sock"), os.path.join(index_dir, "searchd.pid")


def write_config(corpus_dir, index_dir):
    index_dir, sock, _ = paths(index_dir)
    with open(os.path.join(index_dir, "searchd.toml"), "w") as f:
        f.write(f'socket = "{sock}"\n')
        f.write(f'data_dir = "{os.path.join(index_dir, "data")}"\n')
        f.write(f'sources = ["{os.path.join(os.path.abspath(corpus_dir), "corpus.jsonl")}"]\n')
        f.write(f'synonyms = "{os.path.join(REPO, "config", "synonyms.txt")}"\n')
        f.write('log_level = "warning"\n')


def running(pid_file):
    try:
        pid = int(open(pid_file).read())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(index_dir, timeout=600):
    index_dir, sock, pid_file = paths(index_dir)
    if running(pid_file):
        try:
            Client(sock).call("ping", {})
            return
        except OSError:
            pass  # a stale pid file: start a new searchd
    log = open(os.path.join(index_dir, "searchd.log"), "a")
    p = subprocess.Popen([BIN, "--config", os.path.join(index_dir, "searchd.toml")],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    with open(pid_file, "w") as f:
        f.write(str(p.pid))
    deadline = time.time() + timeout
    while time.time() < deadline:
        if p.poll() is not None:
            sys.exit(f"searchd exited with {p.returncode}; see {index_dir}/searchd.log")
        try:
            if Client(sock).call("status", {}).get("result", {}).get("state") == "ready":
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("searchd did not start in time")


def stop(index_dir):
    _, _, pid_file = paths(index_dir)
    pid = running(pid_file)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not running(pid_file):
                break
            time.sleep(0.05)


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        self.id = 0

    def call(self, method, params):
        self.id += 1
        self.s.sendall(json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params},
                                  ensure_ascii=False).encode() + b"\n")
        return json.loads(self.f.readline())


def index(corpus_dir, index_dir):
    os.makedirs(index_dir, exist_ok=True)
    write_config(corpus_dir, index_dir)
    r = subprocess.run([BIN, "index", "--config", os.path.join(os.path.abspath(index_dir), "searchd.toml")],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(f"searchd index failed: {r.stderr.decode(errors='replace')}")


def search(index_dir, queries_tsv, k):
    start(index_dir)
    index_dir, sock, _ = paths(index_dir)
    mode = "all" if OP == "and" else "any"
    # the timed loop runs in a small C client (searchd_client.c), so that an interpreter's
    # per-request overhead is not in the measurement
    client = os.path.join(index_dir, "searchd_client")
    if not os.path.exists(client):
        subprocess.run(["cc", "-O2", "-o", client, os.path.join(HERE, "searchd_client.c")], check=True)
    sys.stdout.flush()
    r = subprocess.run([client, sock, queries_tsv, str(k), mode, "searchd"])
    if r.returncode != 0:
        sys.exit(f"searchd_client failed with {r.returncode}")


def search_in_python(index_dir, queries_tsv, k):
    """The same loop in Python (kept for machines without a C compiler)."""
    start(index_dir)
    _, sock, _ = paths(index_dir)
    c = Client(sock)
    mode = "all" if OP == "and" else "any"
    lat, lines = [], []
    for line in open(queries_tsv, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        qid, _, q = line.partition("\t")
        t0 = time.perf_counter_ns()
        r = c.call("search", {"query": q, "limit": int(k), "snippets": False, "mode": mode})
        dt = (time.perf_counter_ns() - t0) // 1000
        lat.append(f"{qid}\t{dt}\n")
        for hit in r.get("result", {}).get("hits", []):
            lines.append(f"{qid} Q0 {hit['id']} {hit['rank']} {hit['score']:.6g} searchd\n")
    sys.stdout.writelines(lines)
    out = os.environ.get("LATENCY_OUT")
    if out:
        with open(out, "w") as f:
            f.writelines(lat)


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "index":
        index(a[1], a[2])
    elif len(a) == 4 and a[0] == "search":
        search(a[1], a[2], a[3])
    elif len(a) == 2 and a[0] == "stop":
        stop(a[1])
    else:
        sys.exit("usage: searchd index CORPUS_DIR INDEX_DIR | search INDEX_DIR QUERIES_TSV K | stop INDEX_DIR")


if __name__ == "__main__":
    main()
