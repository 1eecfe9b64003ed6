"""miniF2F-rocq: the proving methods side by side at equal wall time per theorem.

portfolio (automation alone), search (model-guided best-first search + portfolio), whole
(whole proofs from the model, repaired with Coq's errors) and sketch (a skeleton with
`admit.` holes closed by the portfolio and a short search). Prints one table; asserts
nothing. Each method's results file is kept (and resumed) in --out-dir, so
`prover report <out-dir>/*.jsonl` draws the methods on one axis.

    .venv/bin/python benchmarks/minif2f/compare_methods.py --limit 40 --wall-seconds 120
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import fields
from pathlib import Path

from prover.batch.config import EvalConfig
from prover.batch.runner import run_eval
from prover.batch.summary import summarize
from prover.datasets import load_benchmark
from prover.methods import Budget

METHODS = ("portfolio", "search", "whole", "sketch")


def budget_for(method: str, args: argparse.Namespace) -> Budget:
    """The same wall clock and tactic timeout for every method; model limits where they apply."""
    common = {"wall_limit": args.wall_seconds, "tactic_timeout": args.tactic_timeout}
    if method == "portfolio":
        return Budget(**common)
    model = {"samples": args.samples, "attempts": args.attempts, **common}
    if method == "search":
        return Budget(expansions=args.max_expansions, max_tokens=48, **model)
    if method == "whole":
        return Budget(repair_rounds=args.repair_rounds, max_tokens=args.proof_tokens, **model)
    return Budget(expansions=args.hole_expansions, max_tokens=args.proof_tokens, **model)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--split", default="valid", help="develop on valid; test is for publishing")
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--wall-seconds", type=float, default=120.0)
    ap.add_argument("--tactic-timeout", type=float, default=10.0)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--attempts", type=int, default=1)
    ap.add_argument("--max-expansions", type=int, default=32, help="search: per attempt")
    ap.add_argument("--repair-rounds", type=int, default=2, help="whole")
    ap.add_argument("--hole-expansions", type=int, default=4, help="sketch: search per hole")
    ap.add_argument("--proof-tokens", type=int, default=256, help="whole/sketch: max tokens")
    ap.add_argument("--model", default=None, help="default: the prover's default model")
    ap.add_argument("--runtime", default=None, help="default: the prover's default runtime")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out-dir", default=None, help="keep (and resume) the results files here")
    args = ap.parse_args()

    theorems = load_benchmark("minif2f-rocq", args.split, args.data_dir)
    theorems = theorems[args.offset :][: args.limit]
    out_dir = Path(args.out_dir or tempfile.mkdtemp(prefix="compare-methods-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    defaults = {f.name: f.default for f in fields(EvalConfig) if f.name in ("model", "runtime")}
    model = args.model or defaults["model"]
    runtime = args.runtime or defaults["runtime"]

    rows = []
    for method in args.methods.split(","):
        config = EvalConfig("coq", method, budget_for(method, args), model=model, runtime=runtime)
        t0 = time.perf_counter()
        summary = run_eval(theorems, config, out_dir / f"{method}.jsonl", workers=args.workers)
        rows.append((method, summarize(summary.records), time.perf_counter() - t0))

    print(
        f"\nminiF2F-rocq {args.split}[{args.offset}:{args.offset + args.limit}] "
        f"({len(theorems)} theorems), {args.wall_seconds:g} s wall per theorem, model {model} "
        f"({runtime}), {args.workers} worker(s)"
    )
    head = ("method", "proved", "failed", "invalid", "errors", "median s", "model calls")
    head += ("model %", "checker %", "elsewhere %", "run s")
    print("".join(f"{h:>12}" for h in head))
    for method, s, elapsed in rows:
        wall = s.wall_seconds or 1.0
        model_share = 100 * s.model_seconds / wall
        checker_share = 100 * s.checker_seconds / wall
        cells = (
            method,
            s.proved,
            s.failed,
            s.invalid_statement,
            s.error,
            f"{s.median_seconds:.1f}",
            s.model_calls,
            f"{model_share:.1f}",
            f"{checker_share:.1f}",
            f"{max(100 - model_share - checker_share, 0.0):.1f}",
            f"{elapsed:.0f}",
        )
        print("".join(f"{c!s:>12}" for c in cells))
    print(f"results files: {out_dir} (prover report {out_dir}/*.jsonl)")


if __name__ == "__main__":
    main()
