"""Retrieval quality and latency on held-out corpus states.

Every 10th theorem of the corpus (by a stable hash of file and name) is held out; the rest is
indexed. For each held-out tactic row: does the nearest example's tactic equal the one the
library proof used (exact text), and is it among the kNN predictor's (`Retriever.tactics`)
top 1 / 5 / 10 after name mapping? Compared with the nearest state in BM25's own order
(before the retriever reorders its candidates by word overlap), with the global most-frequent tactics of the
indexed part (what a predictor that ignores the goal gets) and, with --jaccard, with
nearest-by-Jaccard-overlap of the same words (brute force: the simple alternative).

    python benchmarks/corpus/retrieval_eval.py [--corpus DIR] [--limit N] [--jaccard]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from prover.corpus import load_lemmas, load_tactics
from prover.retrieval import Retriever
from prover.retrieval.tokens import goal_words


def held_out(row: dict, every: int = 10) -> bool:
    key = f"{row['file']}:{row['theorem']}".encode()
    return int(hashlib.sha256(key).hexdigest(), 16) % every == 0


def norm(tactic: str) -> str:
    return " ".join(tactic.split())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument(
        "--limit", type=int, default=2000, help="held-out rows scored (a stride sample)"
    )
    ap.add_argument("--jaccard", action="store_true")
    args = ap.parse_args()
    rows = list(load_tactics(args.corpus))
    train = [r for r in rows if not held_out(r)]
    test = [r for r in rows if held_out(r)]
    stride = max(1, len(test) // args.limit)
    test = test[::stride][: args.limit]
    t0 = time.perf_counter()
    retriever = Retriever.from_rows(train, list(load_lemmas(args.corpus)))
    index_seconds = time.perf_counter() - t0
    freq = [t for t, _ in Counter(norm(r["tactic"]) for r in train).most_common(10)]
    hits = Counter()
    latency = []
    for r in test:
        want = norm(r["tactic"])
        t = time.perf_counter()
        ex = retriever.examples(r["state"], 1)
        latency.append(time.perf_counter() - t)
        t = time.perf_counter()
        preds = [norm(p) for p, _ in retriever.tactics(r["state"], 10)]
        latency.append(time.perf_counter() - t)
        hits["nearest"] += bool(ex) and norm(ex[0].tactic) == want
        bm25 = retriever._ex_index.top(goal_words(r["state"]), 1, retriever.size[0])
        hits["bm25_order_nearest"] += (
            bool(bm25) and norm(retriever._examples[bm25[0][0]]["tactic"]) == want
        )
        for k in (1, 5, 10):
            hits[f"knn@{k}"] += want in preds[:k]
            hits[f"freq@{k}"] += want in freq[:k]
    if args.jaccard:
        sets = [set(goal_words(r["state"])) for r in train]
        for r in test:
            q = set(goal_words(r["state"]))
            best = max(range(len(train)), key=lambda i: len(q & sets[i]) / max(len(q | sets[i]), 1))
            hits["jaccard_nearest"] += norm(train[best]["tactic"]) == norm(r["tactic"])
    n = len(test)
    out = {
        "rows_indexed": len(train),
        "rows_scored": n,
        "index_seconds": round(index_seconds, 2),
        "latency_ms_median": round(statistics.median(latency) * 1000, 2),
        "latency_ms_p95": round(sorted(latency)[int(0.95 * len(latency))] * 1000, 2),
        **{k: round(v / n, 4) for k, v in sorted(hits.items())},
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
