#!/usr/bin/env python3
"""Rule-based relevance judgments for the queries in queries.tsv.

usage: make_qrels.py CORPUS_DIR [QUERIES_TSV] > qrels.tsv
       make_qrels.py --stats CORPUS_DIR [QUERIES_TSV]     (per query: relevant docs, grade-2 docs, a few ids)
       make_qrels.py --count CORPUS_DIR 'truth' ...       (explore: how many docs a truth expression matches)

QUERIES_TSV defaults to queries.tsv next to this script (columns qid, group, query, truth).

Truth expression: alternatives separated by '|' (a doc matches if it contains any of them),
groups separated by '&' (a doc must match every group). Matching is literal, on text
normalized the same way for documents and truth strings:
  NFKC, then lower case, then white space between two Han characters deleted, then every
  remaining run of white space collapsed to one space (so hard-wrapped text still matches).
Han characters match anywhere (Chinese has no word boundaries), but a Latin/Cyrillic/...
letter or digit at either end of an alternative must be a word edge in the document:
'apec' does not match inside 'escapechar', 'kernel' does not match 'kernels'. A trailing '*'
makes an alternative a prefix ('kernel*' matches kernel, kernels, kernel's).
Grade: 2 if, for every '&' group, the group matches the document's title or occurs at least
3 times in title+text (non-overlapping occurrences of any of its alternatives); otherwise 1.
Documents that do not match get no line (non-relevant). Output lines: `qid 0 docid grade`,
in query-file order then corpus order: deterministic.
"""
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_GAP = re.compile(f"(?<=[{HAN}])\\s+(?=[{HAN}])")
SPACE = re.compile(r"\s+")
# a letter or digit of a script written with spaces (word characters minus '_' and Han)
WORD = f"[^\\W_{HAN}]"


def norm(s):
    s = unicodedata.normalize("NFKC", s).lower()
    s = HAN_GAP.sub("", s)
    return SPACE.sub(" ", s)


def alt_pattern(a):
    prefix = a.endswith("*")
    if prefix:
        a = a[:-1]
    pat = re.escape(a)
    if re.match(WORD, a):
        pat = f"(?<!{WORD})" + pat
    if not prefix and re.match(WORD, a[-1]):
        pat += f"(?!{WORD})"
    return pat


def compile_truth(truth):
    """'a|b&c' -> [(plain strings, regex matching a or b), (..., regex matching c)]; the plain
    strings are a fast substring pre-check, the regex (longest alternative first) decides."""
    groups = []
    for g in truth.split("&"):
        alts = sorted({norm(a).strip() for a in g.split("|") if a.strip()}, key=lambda a: (-len(a), a))
        if not alts:
            raise ValueError(f"empty alternative group in truth {truth!r}")
        groups.append((tuple(a.rstrip("*") for a in alts),
                       re.compile("|".join(alt_pattern(a) for a in alts))))
    return groups


def grade(groups, title, body):
    """0 (not relevant), 1 or 2; title and body already normalized (body includes the title)."""
    strong = True
    for plain, g in groups:
        if not any(p in body for p in plain) or not g.search(body):
            return 0
        if strong and not g.search(title):
            n = 0
            for _ in g.finditer(body):
                n += 1
                if n >= 3:
                    break
            strong = n >= 3
    return 2 if strong else 1


def load_corpus(corpus_dir):
    docs = []
    with open(os.path.join(corpus_dir, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            title = d.get("title") or ""
            docs.append((d["id"], norm(title), norm(title + "\n" + (d.get("text") or ""))))
    return docs


def load_queries(path):
    """[(qid, group, query, truth)] from the judged query file."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 4:
                sys.exit(f"{path}:{n}: expected 4 tab-separated columns, got {len(cols)}")
            if cols[0] == "qid":
                continue  # header
            out.append(tuple(cols))
    return out


def judge(docs, truth):
    groups = compile_truth(truth)
    for docid, title, body in docs:
        g = grade(groups, title, body)
        if g:
            yield docid, g


def main():
    a = sys.argv[1:]
    if a and a[0] == "--count":
        docs = load_corpus(a[1])
        for t in a[2:]:
            j = list(judge(docs, t))
            print(f"{t}\t{len(j)}\t(grade 2: {sum(g == 2 for _, g in j)})\t{[d for d, _ in j[:5]]}")
        return
    stats = bool(a) and a[0] == "--stats"
    if stats:
        a = a[1:]
    if not a or len(a) > 2:
        sys.exit(__doc__)
    docs = load_corpus(a[0])
    queries = load_queries(a[1] if len(a) > 1 else os.path.join(HERE, "queries.tsv"))
    seen = set()
    out = sys.stdout
    for qid, group, query, truth in queries:
        if qid in seen:
            sys.exit(f"duplicate qid {qid}")
        seen.add(qid)
        j = list(judge(docs, truth))
        if stats:
            print(f"{qid}\t{group}\t{query}\t{truth}\t{len(j)}\t{sum(g == 2 for _, g in j)}\t"
                  f"{' '.join(d for d, _ in j[:3])}")
            continue
        if not j:
            sys.exit(f"query {qid} ({query!r}): truth {truth!r} matches no document")
        for docid, g in j:
            out.write(f"{qid} 0 {docid} {g}\n")


if __name__ == "__main__":
    main()
