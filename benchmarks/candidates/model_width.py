"""How many distinct tactics one model call returns, and at what cost: the figure behind the
search's widening rule (prover.methods.search.next_width: a call with fewer than half of its
samples distinct makes the next call twice as wide).

For each theorem (every --stride-th of the split, in name order), the root state after
`intros.` is rendered with the search's prompt and the model is asked for n candidates at
each temperature; printed per (temperature, n): median distinct tactics (after the search's
normalisation) and median seconds per call.

    .venv/bin/python benchmarks/candidates/model_width.py --split valid --stride 24
"""

from __future__ import annotations

import argparse
import statistics
import time

from prover.assistants.base import InvalidStatement, Progress
from prover.assistants.coq import create_env
from prover.candidates import normalise
from prover.datasets import load_benchmark
from prover.models import load_generator
from prover.models.base import SamplingParams
from prover.prompts import load_template


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--split", default="valid")
    ap.add_argument("--stride", type=int, default=24)
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--n", type=int, nargs="+", default=[8, 16])
    ap.add_argument("--temperatures", type=float, nargs="+", default=[0.0, 0.6])
    args = ap.parse_args()
    theorems = sorted(load_benchmark("minif2f-rocq", args.split), key=lambda t: t.name)
    theorems = theorems[:: args.stride]
    gen = load_generator(args.model, lazy=False)
    template = load_template("coq_tactic")
    env = create_env(portfolio=False)
    figures: dict[tuple[float, int], list[tuple[int, float]]] = {}
    try:
        for theorem in theorems:
            try:
                state = env.open(theorem)
            except InvalidStatement:
                continue
            after = env.run_tactic(state, "intros.")
            if isinstance(after, Progress):
                state = after.state
            prompt = template.render(theorem=theorem, state=state.text)
            for temperature in args.temperatures:
                for n in args.n:
                    params = SamplingParams(
                        n=n, temperature=temperature, max_tokens=48, stop=template.stop, seed=0
                    )
                    t0 = time.perf_counter()
                    samples = gen.generate([prompt], params)[0]
                    seconds = time.perf_counter() - t0
                    distinct = len({normalise(s.text) for s in samples} - {""})
                    figures.setdefault((temperature, n), []).append((distinct, seconds))
    finally:
        env.close()
    print(
        f"{len(theorems)} theorems of minif2f-rocq/{args.split} (stride {args.stride}), {args.model}"
    )
    for (temperature, n), rows in sorted(figures.items()):
        distinct = statistics.median(d for d, _ in rows)
        under = sum(d * 2 < n for d, _ in rows)
        seconds = statistics.median(s for _, s in rows)
        print(
            f"T={temperature:g} n={n}: distinct median {distinct:g}, "
            f"calls under n/2 distinct {under}/{len(rows)}, seconds median {seconds:.2f}"
        )


if __name__ == "__main__":
    main()
