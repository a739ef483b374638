"""Scores queries with bm25s (the independent BM25 of BM25ReferenceTests).
stdin: {"corpus": [[token, ...], ...], "queries": [[token, ...], ...]}
stdout: [[score of each document] for each query]"""
import json
import sys

import bm25s

data = json.load(sys.stdin)
retriever = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
retriever.index(data["corpus"], show_progress=False)
json.dump([[float(s) for s in retriever.get_scores(q)] for q in data["queries"]], sys.stdout)
