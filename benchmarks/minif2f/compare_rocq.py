"""miniF2F-rocq: automation portfolio alone vs model search + portfolio, and 1 vs 2 workers.

Prints measured figures; it asserts nothing (targets are read off the table):
  - proved / invalid / error / median seconds per method at the same per-theorem wall budget,
  - share of wall time outside model and checker calls (target < 5%),
  - throughput (theorems per second) with --workers 1 and --workers 2 (target >= 1.8x).

    .venv/bin/python benchmarks/minif2f/compare_rocq.py --limit 40 --wall-seconds 60 --ray
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from prover.batch.config import EvalConfig
from prover.batch.runner import run_eval
from prover.batch.summary import summarize
from prover.datasets import load_benchmark
from prover.methods import Budget


def run(theorems, config: EvalConfig, workers: int, out_dir: Path, tag: str):
    out = out_dir / f"{tag}.jsonl"
    t0 = time.perf_counter()
    summary = run_eval(theorems, config, out, workers=workers, progress=True)
    return summarize(summary.records), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--split", default="test")
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument(
        "--stride",
        type=int,
        default=1,
        help="take every k-th theorem (the split is sorted by name)",
    )
    ap.add_argument("--wall-seconds", type=float, default=60.0)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--max-expansions", type=int, default=8)
    ap.add_argument(
        "--attempts", type=int, default=4, help="searches per theorem; temperatures cycle 0, 1.0"
    )
    ap.add_argument(
        "--throughput-limit", type=int, default=16, help="theorems for the 1-vs-2 worker run"
    )
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-compare", action="store_true", help="only the throughput part")
    ap.add_argument(
        "--ray", action="store_true", help="also measure 2 Ray actors on a local 2-CPU cluster"
    )
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out-dir", default=None, help="keep the results files here")
    args = ap.parse_args()

    split = load_benchmark("minif2f-rocq", args.split, args.data_dir)
    theorems = split[args.offset :: args.stride][: args.limit]
    automation = EvalConfig(
        system="coq",
        method="portfolio",
        budget=Budget(wall_limit=args.wall_seconds, tactic_timeout=10.0),
    )
    model_search = EvalConfig(
        system="coq",
        method="search",
        budget=Budget(
            samples=args.samples,
            expansions=args.max_expansions,
            attempts=args.attempts,
            temperatures=(0.0, 1.0),
            wall_limit=args.wall_seconds,
            tactic_timeout=10.0,
            max_tokens=48,
        ),
    )
    out_dir = Path(args.out_dir or tempfile.mkdtemp(prefix="bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)

    if not args.skip_compare:
        rows = []
        for tag, cfg in (("portfolio", automation), ("search+portfolio", model_search)):
            s, elapsed = run(theorems, cfg, 1, out_dir, tag)
            rows.append((tag, s, elapsed))

        print(
            f"\nminiF2F-rocq {args.split}[{args.offset}::{args.stride}][:{args.limit}], wall budget {args.wall_seconds:.0f} s/theorem"
        )
        print(
            f"{'method':<18}{'proved':>7}{'failed':>7}{'invalid':>8}{'error':>6}{'median s':>10}{'model s':>9}{'checker s':>10}{'outside':>9}"
        )
        for tag, s, _ in rows:
            print(
                f"{tag:<18}{s.proved:>7}{s.failed:>7}{s.invalid_statement:>8}{s.error:>6}"
                f"{s.median_seconds:>10.1f}{s.model_seconds:>9.1f}{s.checker_seconds:>10.1f}{100 * s.overhead_share:>8.2f}%"
            )

    if args.skip_throughput:
        return
    slice_ = theorems[: args.throughput_limit]
    rates = {}
    for workers in (1, 2):
        _, elapsed = run(slice_, model_search, workers, out_dir, f"throughput-w{workers}")
        rates[workers] = len(slice_) / elapsed
    # One worker held to one core's share (one torch thread), the per-worker share of the pool.
    t0 = time.perf_counter()
    run_eval(slice_, model_search, out_dir / "throughput-w1-1thread.jsonl", workers=1, threads=1)
    rates["1 (1 thread)"] = len(slice_) / (time.perf_counter() - t0)
    if args.ray:
        from prover.batch.ray import run_eval_ray

        t0 = time.perf_counter()
        run_eval_ray(slice_, model_search, out_dir / "throughput-ray2.jsonl", workers=2)
        rates["ray x2"] = len(slice_) / (time.perf_counter() - t0)
    print(f"\nthroughput on {len(slice_)} theorems (search+portfolio, includes worker start-up):")
    for w, r in rates.items():
        print(f"  workers={w}: {r:.3f} theorems/s")
    print(f"  speed-up 2 vs 1: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")
    print(f"  speed-up 2 vs 1 worker held to 1 thread: {rates[2] / rates['1 (1 thread)']:.2f}x")
    if "ray x2" in rates:
        print(f"  Ray, 2 actors vs 1 local worker: {rates['ray x2'] / rates[1]:.2f}x")
    print(f"results files: {out_dir}")


if __name__ == "__main__":
    main()
