#!/usr/bin/env python3
"""Score TREC runs against the rule-based judgments, per query group.

usage: evaluate.py [--self NAME] [--per-query FILE] QUERIES_TSV QRELS RESULTS_DIR ENGINE...

QUERIES_TSV  the judged query file (qid, group, query, truth; see README.md)
QRELS        TREC qrels: `qid 0 docid grade` (make_qrels.py)
RESULTS_DIR  holds ENGINE.trec per engine: `qid Q0 docid rank score name`
ENGINE       engine names (a path is reduced to its basename)
--self NAME  the engine compared against the best peer (default: searchd)
--per-query FILE  also write per-query scores (TSV: qid, group, query, relevant, then
             nDCG@10 per engine) and each engine's top 3 ids, for error analysis

Metrics, over the first 10 results of each query (ordered by the run's rank column):
  MRR@10     1/rank of the first relevant result (grade >= 1), 0 if none in the top 10
  nDCG@10    graded: DCG = sum(grade_i / log2(i + 1)), i = 1..10, divided by the DCG of the
             ideal ordering of all judged documents (gain = grade, as in trec_eval)
  Recall@10  |relevant in top 10| / min(10, |relevant|)  (so 1.0 is reachable for any query)
Each group's value is the mean over its queries; "all" is the mean over every query.
A missing run, or a query with no results in it, scores 0.
"""
import math
import os
import sys

METRICS = ("MRR@10", "nDCG@10", "Recall@10")
K = 10


def load_queries(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "qid":
                continue
            out.append((cols[0], cols[1], cols[2]))
    return out


def load_qrels(path):
    rel = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and int(p[3]) > 0:
                rel.setdefault(p[0], {})[p[2]] = int(p[3])
    return rel


def load_run(path):
    """{qid: [docid, ...]} in rank order, first K distinct docids; None if the file is missing."""
    if not os.path.exists(path):
        return None
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            try:
                rank = int(p[3])
            except ValueError:
                continue
            rows.setdefault(p[0], []).append((rank, p[2]))
    run = {}
    for qid, hits in rows.items():
        seen, ids = set(), []
        for _, d in sorted(hits, key=lambda h: h[0]):
            if d not in seen:
                seen.add(d)
                ids.append(d)
        run[qid] = ids[:K]
    return run


def score(ranked, rel):
    """(MRR@10, nDCG@10, Recall@10) of one ranked list against {docid: grade}."""
    if not rel:
        return 0.0, 0.0, 0.0
    rr = 0.0
    dcg = 0.0
    found = 0
    for i, d in enumerate(ranked[:K], 1):
        g = rel.get(d, 0)
        if g:
            found += 1
            dcg += g / math.log2(i + 1)
            if not rr:
                rr = 1.0 / i
    ideal = sorted(rel.values(), reverse=True)[:K]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return rr, dcg / idcg, found / min(K, len(rel))


def fmt(v):
    return f"{v:.3f}"


def main():
    args = sys.argv[1:]
    me = "searchd"
    per_query = None
    while args and args[0].startswith("--"):
        if args[0] == "--self" and len(args) > 1:
            me = args[1]
            args = args[2:]
        elif args[0] == "--per-query" and len(args) > 1:
            per_query = args[1]
            args = args[2:]
        else:
            sys.exit(__doc__)
    if len(args) < 4:
        sys.exit(__doc__)
    queries_tsv, qrels_path, results = args[:3]
    engines = [os.path.basename(e.rstrip("/")) for e in args[3:]]
    queries = load_queries(queries_tsv)
    qrels = load_qrels(qrels_path)
    groups = []
    for _, g, _ in queries:
        if g not in groups:
            groups.append(g)
    runs = {e: load_run(os.path.join(results, e + ".trec")) for e in engines}

    # per[engine][qid] = (mrr, ndcg, recall)
    per = {e: {qid: score((runs[e] or {}).get(qid, []), qrels.get(qid, {})) for qid, _, _ in queries}
           for e in engines}
    rows = groups + ["all"]
    members = {g: [q for q, gg, _ in queries if gg == g] for g in groups}
    members["all"] = [q for q, _, _ in queries]

    def mean(e, row, m):
        qs = members[row]
        return sum(per[e][q][m] for q in qs) / len(qs) if qs else 0.0

    table = {(e, row, m): mean(e, row, m) for e in engines for row in rows for m in range(3)}

    out = []
    out.append(f"# Relevance: {len(queries)} judged queries, {len(groups)} groups, top {K}")
    out.append("")
    out.append(f"Judgments: {os.path.basename(qrels_path)} (rule-based literal matching of each query's "
               "truth strings, see README.md); grade 2 = truth in the title or 3+ occurrences, 1 = present.")
    out.append("MRR@10 and nDCG@10 (gain = grade, log2 discount, ideal from the qrels) are standard; "
               "Recall@10 here is |relevant in top 10| / min(10, |relevant|). "
               "Missing runs or queries score 0. Best value per row in bold.")
    missing = [e for e in engines if runs[e] is None]
    if missing:
        out.append(f"No run file for: {', '.join(missing)} (scored 0).")
    out.append("")
    for m, name in enumerate(METRICS):
        out.append(f"## {name}")
        out.append("")
        out.append("| group | n | " + " | ".join(engines) + " |")
        out.append("|---|---:|" + "---:|" * len(engines))
        for row in rows:
            vals = [table[(e, row, m)] for e in engines]
            best = max(vals) if vals else 0
            cells = [f"**{fmt(v)}**" if fmt(v) == fmt(best) and best > 0 else fmt(v) for v in vals]
            label = f"**{row}**" if row == "all" else row
            out.append(f"| {label} | {len(members[row])} | " + " | ".join(cells) + " |")
        out.append("")

    peers = [e for e in engines if e != me]
    if me in engines and peers:
        out.append(f"## {me} against the best peer (decided on nDCG@10; MRR@10 and Recall@10 deltas alongside)")
        out.append("")
        for row in rows:
            mine = table[(me, row, 1)]
            bp = max(peers, key=lambda e: table[(e, row, 1)])
            theirs = table[(bp, row, 1)]
            d = mine - theirs
            verdict = "BEATS" if d > 0.0005 else ("TIES" if abs(d) <= 0.0005 else "LOSES TO")
            extra = ", ".join(
                f"{METRICS[m]} {table[(me, row, m)] - max(table[(e, row, m)] for e in peers):+.3f}"
                for m in (0, 2))
            out.append(f"- {row}: {me} {verdict} the best peer ({bp}): nDCG@10 {fmt(mine)} vs "
                       f"{fmt(theirs)} ({d:+.3f}); vs best peer per metric: {extra}")
        out.append("")

    lat_rows = []
    for e in engines:
        p = os.path.join(results, e + ".lat")
        if os.path.exists(p):
            v = []
            for line in open(p):
                parts = line.split("\t")
                if len(parts) == 2:
                    v.append((int(parts[1]), parts[0]))
            if v:
                v.sort()
                q = lambda f: v[min(len(v) - 1, int(f * len(v)))][0]
                lat_rows.append(f"| {e} | {q(0.5)} | {q(0.95)} | {v[-1][0]} ({v[-1][1]}) |")
    if lat_rows:
        out.append("## Latency of this query set (µs, measured pass, from ENGINE.lat)")
        out.append("")
        out.append("| engine | p50 | p95 | max (qid) |")
        out.append("|---|---:|---:|---:|")
        out.extend(lat_rows)
        out.append("")
    print("\n".join(out))

    if per_query:
        with open(per_query, "w", encoding="utf-8") as f:
            f.write("qid\tgroup\tquery\trelevant\t" + "\t".join(f"{e} nDCG@10" for e in engines)
                    + "\t" + "\t".join(f"{e} top3" for e in engines) + "\n")
            for qid, g, q in queries:
                f.write(f"{qid}\t{g}\t{q}\t{len(qrels.get(qid, {}))}\t"
                        + "\t".join(fmt(per[e][qid][1]) for e in engines) + "\t"
                        + "\t".join(" ".join((runs[e] or {}).get(qid, [])[:3]) or "-" for e in engines)
                        + "\n")


if __name__ == "__main__":
    main()
