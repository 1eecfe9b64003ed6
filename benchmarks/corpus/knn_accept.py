"""How often Coq accepts the kNN predictor's tactics on real goals (what `Retriever.tactics`
adds as candidates beside the model's).

For the root goal of every k-th miniF2F-rocq valid theorem: the top 8 predictions of
`Retriever.tactics`, each run on the goal in coqtop (with the portfolio's imports, as the
search runs them); prints the share accepted, the share that closes the goal, and examples.

    python benchmarks/corpus/knn_accept.py [--every 8]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from prover.assistants.base import Finished
from prover.assistants.coq import create_env
from prover.datasets import load_benchmark
from prover.retrieval import Retriever


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=8)
    ap.add_argument("--k", type=int, default=8)
    args = ap.parse_args()
    theorems = sorted(load_benchmark("minif2f-rocq", "valid"), key=lambda t: t.name)[:: args.every]
    retriever = Retriever.load()
    env = create_env(tactic_timeout=3.0)
    counts: Counter = Counter()
    accepted: Counter = Counter()
    try:
        for t in theorems:
            try:
                root = env.open(t)
            except Exception:  # noqa: BLE001 - a statement that does not load is skipped
                continue
            counts["goals"] += 1
            t0 = time.perf_counter()
            predictions = retriever.tactics(root.text, args.k)
            counts["retrieval_ms"] += (time.perf_counter() - t0) * 1000
            for tactic, _ in predictions:
                counts["tried"] += 1
                result = env.run_tactic(root, tactic)
                if result.ok:
                    counts["accepted"] += 1
                    accepted[tactic] += 1
                if isinstance(result, Finished):
                    counts["closed"] += 1
                    print(f"{t.name}: closed by {tactic}")
    finally:
        env.close()
    print(
        f"{counts['goals']} goals, {counts['tried']} predictions, {counts['accepted']} accepted "
        f"({counts['accepted'] / max(counts['tried'], 1):.0%}), {counts['closed']} closed the goal; "
        f"mean retrieval {counts['retrieval_ms'] / max(counts['goals'], 1):.0f} ms"
    )
    print("most accepted:", accepted.most_common(10))


if __name__ == "__main__":
    main()
