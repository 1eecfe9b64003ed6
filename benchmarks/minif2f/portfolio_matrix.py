"""Which automation tactics pay: each candidate alone on each theorem of a sample.

Runs every candidate tactic alone on the root goal of every theorem (each under its own
timeout), appends one JSON line per (theorem, tactic) to --out, and skips the pairs already
there, so a stopped run resumes. Then prints, per tactic: theorems closed, closed by no
other candidate, median seconds to close and to fail. The sample is the valid stride
sample (every 4th name of the valid split in sorted order, 61 theorems): never the test
split (nothing is tuned on it) and never the first N (all aime/amc/algebra).

    PROVER_DATA_DIR=... nice -n 10 .venv/bin/python benchmarks/minif2f/portfolio_matrix.py \\
        --out runs/matrix.jsonl [--shard 0/2]
    .venv/bin/python benchmarks/minif2f/portfolio_matrix.py --out runs/matrix.jsonl --report
    ... --combined (one call vs many), --first-call (the search's wait for the model)

"Closed" means Coq answered "No more goals" in coqtop (the portfolio's final `Qed` check is
not repeated here). All candidates run with the `default` portfolio's imports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from prover.assistants.base import (
    Finished,
    InvalidStatement,
    Progress,
    ProofEnvError,
    TacticResult,
)
from prover.assistants.coq import create_env
from prover.assistants.coq.portfolio import REWRITE_DEFINITIONS
from prover.assistants.registry import CoqConfig
from prover.datasets import load_benchmark
from prover.theorem import Theorem

# The squares of the differences of every pair of real variables, as hypotheses for `nra`
# (`0 <= (x - y) ^ 2`): the products it needs for AM-GM-like inequalities. Measured, not
# kept: `psatz R 2` or `nra` alone closed every theorem of the sample it closed.
SQ = (
    "repeat match goal with x : R, y : R |- _ =>"
    " lazymatch goal with _ : 0 <= (x - y) ^ 2 |- _ => fail"
    " | _ => pose proof (pow2_ge_0 (x - y)) end end"
)

RW = REWRITE_DEFINITIONS
_BASE = ("lia", "lra", "nra", "nia", "field", "ring", "auto")
CHEAP: tuple[str, ...] = (
    *(f"{t}." for t in _BASE),
    *(f"intros; {t}." for t in _BASE),
    "intros; psatz R 2.",
    "intros; psatz R 3.",
    "intros; split_Rabs; lra.",
    "intros; split_Rabs; nra.",
    f"intros; {RW}; first [lia | lra | nra].",
    f"intros; {RW}; psatz R 2.",
    "intros; Z.to_euclidean_division_equations; nia.",
    "intros; subst; nia.",
    "intros; subst; nra.",
    "intros; field_simplify; lra.",
    "intros; field_simplify; nra.",
    f"intros; {SQ}; nra.",
    f"intros; {SQ}; psatz R 2.",
    "intro n; induction n; intros; simpl in *; nia.",
    "intros; simpl in *; lia.",
    "intros; vm_compute; reflexivity.",
    "intros; eauto with arith.",
    "intros; tauto.",
)
SLOW: tuple[str, ...] = ("intros; sauto.", "intros; hammer.")


def _outcome(result: TacticResult) -> str:
    """The word the matrix's records have always carried for a result."""
    if isinstance(result, Finished):
        return "finished"
    return "open" if isinstance(result, Progress) else "error"


def stride_sample(split: str = "valid", stride: int = 4) -> list[Theorem]:
    theorems = sorted(load_benchmark("minif2f-rocq", split), key=lambda t: t.name)
    return theorems[::stride]


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {(r["name"], r["tactic"]) for r in read(out)}
    sample = stride_sample(args.split, args.stride)
    index, count = (int(x) for x in args.shard.split("/"))
    sample = [t for i, t in enumerate(sample) if i % count == index]
    tactics = [(t, args.timeout) for t in CHEAP]
    if not args.no_slow:
        tactics += [(t, args.slow_timeout) for t in SLOW]
    env = create_env(tactic_timeout=max(args.timeout, args.slow_timeout))
    try:
        for theorem in sample:
            todo = [(t, s) for t, s in tactics if (theorem.name, t) not in done]
            if not todo:
                continue
            try:
                root = env.open(theorem)
            except (InvalidStatement, ProofEnvError) as e:
                print(f"{theorem.name}: cannot open ({e})", flush=True)
                continue
            for tactic, seconds in todo:
                t0 = time.monotonic()
                try:
                    result = env.run_tactic(root, tactic, timeout=seconds)
                    outcome, message = _outcome(result), result.message
                except ProofEnvError as e:
                    outcome, message = "error", str(e)
                    root = env.open(theorem)
                record = {
                    "name": theorem.name,
                    "tactic": tactic,
                    "timeout": seconds,
                    "closed": outcome == "finished",
                    "outcome": outcome,
                    "seconds": round(time.monotonic() - t0, 3),
                    "message": message[:200],
                }
                with out.open("a") as f:
                    f.write(json.dumps(record) + "\n")
            closed = sum(1 for r in read(out) if r["name"] == theorem.name and r["closed"])
            print(f"{theorem.name}: {closed} closers", flush=True)
    finally:
        env.close()


def combined(args: argparse.Namespace) -> None:
    """Separate calls vs one call: the default portfolio's cheap part on the sample's theorems
    that no cheap tactic closes (the ones where its time is spent), timed both ways in turn:
    each tactic in its own call (each stopped after CHEAP_SECONDS), and one call
    `solve [timeout N (t1) | timeout N (t2) | ...]` (the same limits, inside Coq)."""
    from prover.assistants.coq.portfolio import CHEAP_PORTFOLIO, CHEAP_SECONDS

    closed = {r["name"] for r in read(Path(args.out)) if r["closed"]}
    sample = [t for t in stride_sample(args.split, args.stride) if t.name not in closed]
    bodies = [t.removeprefix("intros; ").removesuffix(".") for t in CHEAP_PORTFOLIO]
    limit = int(CHEAP_SECONDS)
    one = "intros; solve [" + " | ".join(f"timeout {limit} ({b})" for b in bodies) + "]."
    env = create_env()
    separate_s, combined_s = [], []
    try:
        for theorem in sample[: args.limit]:
            try:
                root = env.open(theorem)
            except (InvalidStatement, ProofEnvError):
                continue
            t0 = time.monotonic()
            for tactic in CHEAP_PORTFOLIO:
                env.run_tactic(root, tactic, timeout=CHEAP_SECONDS)
            separate_s.append(time.monotonic() - t0)
            t0 = time.monotonic()
            result = env.run_tactic(root, one, timeout=limit * len(bodies))
            combined_s.append(time.monotonic() - t0)
            print(
                f"{theorem.name}: separate {separate_s[-1]:.2f} s, one call "
                f"{combined_s[-1]:.2f} s ({_outcome(result)} {result.message[:80]!r})",
                flush=True,
            )
    finally:
        env.close()
    if separate_s:
        print(
            f"{len(separate_s)} theorems: separate median {statistics.median(separate_s):.2f} s "
            f"(total {sum(separate_s):.1f}), one call median {statistics.median(combined_s):.2f} s "
            f"(total {sum(combined_s):.1f})"
        )


class Timed:
    """The model, with the time of each call since this object was made."""

    def __init__(self, model) -> None:
        self.model, self.t0, self.calls = model, time.monotonic(), []

    def generate(self, prompts, params):
        self.calls.append(time.monotonic() - self.t0)
        return self.model.generate(prompts, params)


def first_call(args: argparse.Namespace) -> None:
    """The search's wait for its first model call, classic vs default automation, on the
    sample's theorems that no candidate closes (the embedded model; --wall-seconds each)."""
    from prover.assistants.registry import backend
    from prover.methods import Budget
    from prover.methods.search import best_first_search
    from prover.models import load_generator

    closed = {r["name"] for r in read(Path(args.out)) if r["closed"]}
    sample = [t for t in stride_sample(args.split, args.stride) if t.name not in closed]
    model = load_generator("embedded")
    for automation in ("classic", "default"):
        env = create_env(automation=automation)
        tactics = backend("coq").portfolio(CoqConfig(automation=automation))
        waits = []
        try:
            for theorem in sample[: args.limit]:
                timed = Timed(model)
                budget = Budget(wall_limit=args.wall_seconds)
                r = best_first_search(theorem, env, timed, budget, tactics)
                calls = timed.calls
                if r.status.value == "invalid_statement":
                    continue
                waits.append(calls[0] if calls else r.wall_seconds)
                print(
                    f"{automation} {theorem.name}: first model call at "
                    f"{waits[-1]:.1f} s, {len(calls)} calls, {r.status.value}",
                    flush=True,
                )
        finally:
            env.close()
        if waits:
            print(
                f"{automation}: {len(waits)} theorems, first model call median "
                f"{statistics.median(waits):.1f} s, max {max(waits):.1f} s"
            )


def read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def report(path: Path, cheap_seconds: float) -> None:
    records = read(path)
    closers: dict[str, set[str]] = defaultdict(set)
    by_tactic: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_tactic[r["tactic"]].append(r)
        if r["closed"]:
            closers[r["name"]].add(r["tactic"])
    names = {r["name"] for r in records}
    print(f"{len(names)} theorems, {len(by_tactic)} tactics, {len(records)} runs")
    print(f"closed by any: {len(closers)}")
    classic = {f"{t}." for t in (*_BASE, "sauto", "hammer")}
    classic |= {f"intros; {t}" for t in classic}
    old = {n for n, ts in closers.items() if ts & classic}
    print(
        f"closed by a classic-portfolio tactic: {len(old)}; by nothing classic: "
        f"{sorted(set(closers) - old)}"
    )
    cols = ("closed", "only", f"<{cheap_seconds:g}s", "med close", "med fail", "sum fail", "tactic")
    print("  ".join(f"{c:>9}" for c in cols[:-1]) + "  tactic")
    for tactic, rs in sorted(by_tactic.items(), key=lambda kv: -sum(r["closed"] for r in kv[1])):
        closed = [r for r in rs if r["closed"]]
        failed = [r for r in rs if not r["closed"]]
        only = [r for r in closed if closers[r["name"]] == {tactic}]
        fast = [r for r in closed if r["seconds"] < cheap_seconds]
        med_c = statistics.median(r["seconds"] for r in closed) if closed else float("nan")
        med_f = statistics.median(r["seconds"] for r in failed) if failed else float("nan")
        sum_f = sum(r["seconds"] for r in failed)
        row = (len(closed), len(only), len(fast), f"{med_c:.2f}", f"{med_f:.2f}", f"{sum_f:.0f}")
        print("  ".join(f"{c:>9}" for c in row) + f"  {tactic[:90]}")
        if only and len(only) <= 6:
            print(" " * 22 + "only: " + ", ".join(r["name"] for r in only))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", required=True, help="JSON lines, appended; resumed when present")
    ap.add_argument("--split", default="valid", choices=("valid",), help="never test")
    ap.add_argument("--stride", type=int, default=4)
    ap.add_argument("--shard", default="0/1", help="i/n: this process runs theorems i, i+n, ...")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per cheap tactic")
    ap.add_argument("--slow-timeout", type=float, default=10.0, help="seconds per slow hammer")
    ap.add_argument("--no-slow", action="store_true", help="skip sauto and hammer")
    ap.add_argument("--report", action="store_true", help="only print the table of --out")
    ap.add_argument(
        "--combined", action="store_true", help="time the cheap part as one call vs separate"
    )
    ap.add_argument("--limit", type=int, default=20, help="--combined: at most this many")
    ap.add_argument(
        "--first-call", action="store_true", help="the search's wait for its first model call"
    )
    ap.add_argument("--wall-seconds", type=float, default=60.0, help="--first-call: budget")
    ap.add_argument("--cheap-seconds", type=float, default=2.0, help="report: the cheap limit")
    args = ap.parse_args()
    if args.combined:
        combined(args)
        return
    if args.first_call:
        first_call(args)
        return
    if not args.report:
        run(args)
    report(Path(args.out), args.cheap_seconds)


if __name__ == "__main__":
    main()
