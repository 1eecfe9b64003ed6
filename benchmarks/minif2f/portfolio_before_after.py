"""The portfolio before and after: two `prover eval --method portfolio` results files.

Prints, for each file and on the theorems both hold: proved, time per theorem (median and
mean; failing theorems apart, since their time is what the search's model waits for), the
largest overrun of the wall budget, and the theorems only one of them proved. The runs
behind the figures in benchmarks/README.md (valid stride sample, 60 s per theorem):

    prover eval --benchmark minif2f-rocq --split valid --stride 4 --method portfolio \\
        --wall-seconds 60 --automation classic --out runs/portfolio-classic.jsonl
    prover eval --benchmark minif2f-rocq --split valid --stride 4 --method portfolio \\
        --wall-seconds 60 --out runs/portfolio-default.jsonl
    .venv/bin/python benchmarks/minif2f/portfolio_before_after.py \\
        runs/portfolio-classic.jsonl runs/portfolio-default.jsonl
"""

from __future__ import annotations

import argparse
import statistics

from prover.results import ResultRecord, common_results, overrun


def describe(label: str, records: list[ResultRecord]) -> set[str]:
    proved = {r.name for r in records if r.status.startswith("proved")}
    failed = [r.wall_seconds for r in records if r.status == "failed"]
    wall = [r.wall_seconds for r in records]
    over = max(
        (overrun(r) for r in records if r.config.get("budget", {}).get("wall_seconds")), default=0.0
    )
    print(
        f"{label}: {len(records)} theorems, proved {len(proved)}; s per theorem median "
        f"{statistics.median(wall):.1f}, mean {statistics.mean(wall):.1f}; failing theorems "
        f"({len(failed)}) median {statistics.median(failed) if failed else 0:.1f} s; "
        f"largest overrun {over:.2f} s"
    )
    return proved


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("before", help="results of --method portfolio --automation classic")
    ap.add_argument("after", help="results of --method portfolio (the default automation)")
    args = ap.parse_args()
    before, after = common_results(args.before, args.after)
    b = describe("before", before)
    a = describe("after ", after)
    print(f"only before: {sorted(b - a)}")
    print(f"only after:  {sorted(a - b)}")


if __name__ == "__main__":
    main()
