"""The timeline of one theorem under the search: every model call and tactic, timed from the
theorem's start, and the model's recent call costs at the end. This is how an overrun past
the wall clock is traced to the call that caused it.

    python benchmarks/minif2f/timeline.py mathd_numbertheory_236 --wall-seconds 60 [--split valid]

It prints every model call, every tactic that took over 3 s, and everything that ended in
the last 2 s of the budget.
"""

from __future__ import annotations

import argparse
import time

from prover.assistants.registry import CoqConfig
from prover.batch.config import EvalConfig
from prover.batch.worker import Worker
from prover.datasets import load_benchmark, select
from prover.methods import Budget


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--split", default="valid")
    ap.add_argument("--wall-seconds", type=float, default=60.0)
    args = ap.parse_args()
    theorem = select(load_benchmark("minif2f-rocq", args.split), [args.name])[0]
    wall = args.wall_seconds
    config = EvalConfig(
        system="coq", method="search", budget=Budget(wall_limit=wall), assistant=CoqConfig()
    )
    events: list[tuple[str, float, float, str]] = []
    start = [0.0]

    def timed(kind: str, call, describe):
        def wrapper(*a, **k):
            t0 = time.monotonic()
            out = call(*a, **k)
            events.append((kind, t0 - start[0], time.monotonic() - start[0], describe(a, k, out)))
            return out

        return wrapper

    with Worker(config, threads=2) as worker:
        runtime = worker.generator.load()  # loaded before the clock starts, as in a batch
        runtime = getattr(runtime, "inner", runtime)  # a chat wrapper's runtime
        worker.generator.generate = timed(
            "model",
            worker.generator.generate,
            lambda a, k, out: (
                f"n={a[1].n} T={a[1].temperature} allowed={a[1].max_seconds:.2f}s "
                f"got={sum(len(o) for o in out)}"
            ),
        )
        worker.env.run_tactic = timed(
            "tactic",
            worker.env.run_tactic,
            lambda a, k, out: f"{type(out).__name__} {a[1][:50]!r}",
        )
        start[0] = time.monotonic()
        result = worker.result(theorem)
    print(f"{theorem.name}: {result.status.value} in {result.wall_seconds:.2f} s of {wall:.0f}")
    for kind, s, e, what in events:
        if kind == "model" or e - s > 3 or e > wall - 2:
            print(f"{kind:6s} {s:7.2f} -> {e:7.2f} ({e - s:5.2f} s) {what}")
    for name in ("beam_clock", "sample_clock"):
        clock = getattr(runtime, name, None)
        for width, calls in clock.calls.items() if clock else ():
            costs = ", ".join(f"{c.steps} steps {c.seconds:.2f} s" for c in calls)
            print(f"{name} width {width}: {costs}")


if __name__ == "__main__":
    main()
