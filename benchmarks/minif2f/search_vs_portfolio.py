"""Search (model + portfolio) vs the portfolio alone: the figures of one pair of runs.

Reads two results files written by `prover eval` at the same wall budget per theorem and
prints: proved by each, the theorems only one of them proved (with the proofs), the wall
overrun of every theorem past its budget (target: at most 2 s), and the peak memory of the
workers. Asserts nothing. The runs behind the figures in the README:

    prover eval --benchmark minif2f-rocq --split valid --limit 48 --method portfolio \\
        --wall-seconds 120 --out runs/portfolio48.jsonl
    prover eval --benchmark minif2f-rocq --split valid --limit 48 --method search \\
        --workers 2 --wall-seconds 120 --out runs/search48.jsonl
    .venv/bin/python benchmarks/minif2f/search_vs_portfolio.py runs/search48.jsonl runs/portfolio48.jsonl
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter

from prover.results import ResultRecord, common_results, overrun


def describe(name: str, records: list[ResultRecord]) -> None:
    counts = Counter(r.status for r in records)
    over = [overrun(r) for r in records]
    rss = [r.extra.get("worker_max_rss_mb", 0) for r in records]
    calls = [r.model_calls for r in records]
    print(
        f"{name}: {len(records)} theorems, "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f"; overrun max {max(over, default=0):.2f} s, over 2 s: {sum(o > 2 for o in over)}"
        + f"; model calls median {statistics.median(calls) if calls else 0}"
        + (f"; worker peak RSS max {max(rss)} MiB" if any(rss) else "")
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("search", help="results of --method search")
    ap.add_argument("portfolio", help="results of --method portfolio")
    ap.add_argument("--overruns", action="store_true", help="list every theorem's overrun")
    args = ap.parse_args()
    searched, portfolioed = common_results(args.search, args.portfolio)
    search = {r.name: r for r in searched}
    portfolio = {r.name: r for r in portfolioed}
    common = [r.name for r in searched]
    describe("search   ", searched)
    describe("portfolio", portfolioed)
    proved_s = {n for n in common if search[n].status.startswith("proved")}
    proved_p = {n for n in common if portfolio[n].status.startswith("proved")}
    print(f"proved by both: {len(proved_s & proved_p)}")
    for title, names, side in (
        ("only the search proved", proved_s - proved_p, search),
        ("only the portfolio proved", proved_p - proved_s, portfolio),
    ):
        print(f"{title}: {len(names)}")
        for n in sorted(names):
            proof = (side[n].proof or "").replace("\n", " ")
            print(f"  {n} ({side[n].wall_seconds:.1f} s): {proof}")
    if args.overruns:
        for n in common:
            print(
                f"  {n}: search {overrun(search[n]):+.2f} s, portfolio {overrun(portfolio[n]):+.2f} s"
            )


if __name__ == "__main__":
    main()
