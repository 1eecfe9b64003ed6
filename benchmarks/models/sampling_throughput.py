"""Samples per second of the embedded model: 1 sample, 8 samples, 4 prompts x 8, batched vs sequential.

Prints figures; asserts nothing. Batched generation must beat sequential calls.

    .venv/bin/python benchmarks/models/sampling_throughput.py --max-tokens 24 --repeats 2
"""

from __future__ import annotations

import argparse
import time

from prover.generator import SamplingParams
from prover.models import load_generator
from prover.prompts import load_template

GOALS = [
    "x : R\nh0 : 3 * x + 2 = 11\n============================\nx = 3",
    "n : nat\n============================\nn + 0 = n",
    "a, b : Z\nH : a = b\n============================\nb = a",
    "============================\nforall x y : nat, x + y = y + x",
]


def timed(fn, repeats: int) -> tuple[float, int]:
    best, samples = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        samples = fn()
        best = min(best, time.perf_counter() - t0)
    return best, samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="embedded")
    ap.add_argument("--max-tokens", type=int, default=24)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument(
        "--temperature", type=float, default=1.0, help="sampling (1.0) or beam search (0)"
    )
    args = ap.parse_args()
    gen = load_generator(args.model)
    t = load_template("coq_tactic")
    prompts = [t.render(state=g) for g in GOALS]

    def params(n: int) -> SamplingParams:
        # No stop string, so every sample costs the same number of tokens.
        return SamplingParams(
            n=n, temperature=args.temperature, max_tokens=args.max_tokens, stop=(), seed=0
        )

    def count(out) -> int:
        return sum(len(o) for o in out)

    cases = {
        "1 prompt x 1": lambda: count(gen.generate(prompts[:1], params(1))),
        "1 prompt x 8 (one call)": lambda: count(gen.generate(prompts[:1], params(8))),
        "1 prompt x 8 (8 calls of 1)": lambda: sum(
            count(gen.generate(prompts[:1], params(1))) for _ in range(8)
        ),
        "4 prompts x 8 (one call)": lambda: count(gen.generate(prompts, params(8))),
        "4 prompts x 8 (4 calls of 8)": lambda: sum(
            count(gen.generate([p], params(8))) for p in prompts
        ),
    }
    print(
        f"model {args.model}, {args.max_tokens} new tokens per sample, temperature {args.temperature}, best of {args.repeats}"
    )
    print(f"{'case':<30}{'seconds':>9}{'samples':>9}{'samples/s':>11}")
    rates = {}
    for name, fn in cases.items():
        seconds, n = timed(fn, args.repeats)
        rates[name] = n / seconds
        print(f"{name:<30}{seconds:>9.2f}{n:>9}{rates[name]:>11.2f}")
    print(
        f"batched 8 samples vs 8 sequential calls: {rates['1 prompt x 8 (one call)'] / rates['1 prompt x 8 (8 calls of 1)']:.2f}x"
    )
    print(
        f"one call for 4x8 vs 4 calls of 8:       {rates['4 prompts x 8 (one call)'] / rates['4 prompts x 8 (4 calls of 8)']:.2f}x"
    )


if __name__ == "__main__":
    main()
