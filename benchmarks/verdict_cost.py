"""Cost of one Coq verdict (compile from scratch + axiom audit), median of N, in ms.

Runs `prover.assistants.coq.check.verify` of the checkout it is imported from. To compare with another
checkout on the same machine in one run, pass `--baseline PATH`: the same measurement is
then repeated in a subprocess that imports `prover` from PATH, interleaved with ours so that
load on a shared machine falls on both alike.

    .venv/bin/python benchmarks/verdict_cost.py --runs 20 --baseline ../main
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# A typical miniF2F-rocq case: a Reals header and an `lra` proof that relies on the
# standard library's Reals axioms.
HEADER = "Require Import Reals.\nRequire Import Lra.\nOpen Scope R_scope."
STATEMENT = "Theorem t : forall x y : R, x < y -> 2 * x + 1 < 2 * y + 1."
PROOF = "intros x y H.\nlra."


def one_verdict_ms() -> tuple[float, float]:
    """(wall ms, CPU ms of the Coq processes) of one verdict."""
    from prover.assistants.coq.check import verify
    from prover.theorem import Theorem

    theorem = Theorem(name="t", system="coq", statement=STATEMENT, header=HEADER)
    t0 = time.perf_counter()
    verdict = verify(theorem, PROOF)
    ms = 1000 * (time.perf_counter() - t0)
    if not verdict.ok:
        raise SystemExit(f"the honest proof was rejected: {verdict.reason}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ms, 1000 * (children.ru_utime + children.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--baseline", type=Path, help="another checkout to measure alike")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_verdict_ms()))
        return
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    here = Path(__file__).resolve()
    for _ in range(args.runs):
        ours.append(_in_subprocess(here.parents[1]))
        if args.baseline:
            theirs.append(_in_subprocess(args.baseline.resolve()))
    for label, runs in (("this checkout", ours), (str(args.baseline), theirs)):
        if runs:
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(
                f"{label}: median {wall:.0f} ms wall, {cpu:.0f} ms CPU of Coq, {len(runs)} verdicts"
            )


def _in_subprocess(checkout: Path) -> tuple[float, float]:
    """One verdict in a fresh interpreter importing `prover` from `checkout`."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--one"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = json.loads(out.stdout.strip().splitlines()[-1])
    return wall, cpu


if __name__ == "__main__":
    main()
