"""Seconds per model call: CTranslate2 vs transformers, beams and sampling, per model.

One Coq goal in the search's own prompt (chat template included for instruct models),
8 candidates of at most 64 tokens, no stop string (every candidate costs the same tokens),
and mode `search`: the call one search expansion makes (8 beams ending at the prompt's stop
strings, as in the search): the median seconds per call over a few calls, for each model,
runtime and mode, and the
transformers / CTranslate2 ratio. Targets (issue 12): CTranslate2 at least 5x faster, and
Qwen-0.5B's call at most 3 s median on 2 cores. Prints figures; asserts nothing. Model
loading and conversion happen before timing.

    .venv/bin/python benchmarks/models/sampling_throughput.py                # everything
    .venv/bin/python benchmarks/models/sampling_throughput.py --models smollm2 --hf-repeats 1
    .venv/bin/python benchmarks/models/sampling_throughput.py --batching     # 1 call vs n calls
"""

from __future__ import annotations

import argparse
import statistics
import time

from prover.models import load_generator
from prover.models.base import SamplingParams
from prover.prompts import load_template

GOALS = [
    "x : R\nh0 : 3 * x + 2 = 11\n============================\nx = 3",
    "n : nat\n============================\nn + 0 = n",
    "a, b : Z\nH : a = b\n============================\nb = a",
    "============================\nforall x y : nat, x + y = y + x",
]
MODES = {"beams": 0.0, "sampling": 1.0, "search": 0.0}


def seconds_per_call(gen, prompt: str, params: SamplingParams, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        gen.generate([prompt], params)
        times.append(time.perf_counter() - t0)
    return times


def compare(args) -> None:
    template = load_template("coq_tactic")
    prompt = template.render(state=GOALS[0])
    print(
        f"one Coq goal, {args.n} candidates of {args.max_tokens} tokens, median of "
        f"{args.repeats} call(s) (CTranslate2) / {args.hf_repeats} (transformers)"
    )
    print(f"{'model':<22}{'mode':<10}{'ct2 s':>9}{'hf s':>9}{'hf/ct2':>9}")
    for model in args.models:
        medians: dict[tuple[str, str], float] = {}
        for runtime in args.runtimes:
            t0 = time.perf_counter()
            gen = load_generator(model, runtime=runtime, lazy=False)
            load = time.perf_counter() - t0
            print(f"  ({model} on {runtime}: loaded in {load:.1f} s)", flush=True)
            for mode, temperature in MODES.items():
                if mode not in args.modes:
                    continue
                stop = template.stop if mode == "search" else ()
                params = SamplingParams(
                    n=args.n, temperature=temperature, max_tokens=args.max_tokens, stop=stop, seed=0
                )
                if runtime == "ct2":  # warm-up (first-call allocations); transformers is too slow
                    gen.generate([prompt], params)
                repeats = args.repeats if runtime == "ct2" else args.hf_repeats
                times = seconds_per_call(gen, prompt, params, repeats)
                medians[(runtime, mode)] = statistics.median(times)
                print(
                    f"  {runtime} {mode}: " + " ".join(f"{t:.2f}" for t in times) + " s",
                    flush=True,
                )
            del gen
        for mode in args.modes:
            ct2 = medians.get(("ct2", mode))
            hf = medians.get(("hf", mode))
            ratio = f"{hf / ct2:.1f}x" if ct2 and hf else "-"
            print(
                f"{model:<22}{mode:<10}{ct2 or float('nan'):>9.2f}{hf or float('nan'):>9.2f}{ratio:>9}",
                flush=True,
            )


def batching(args) -> None:
    """Batched generation must beat sequential calls (the search asks for n at once)."""
    gen = load_generator(args.models[0], lazy=False)
    t = load_template("coq_tactic")
    prompts = [t.render(state=g) for g in GOALS]

    def params(n: int) -> SamplingParams:
        return SamplingParams(n=n, temperature=1.0, max_tokens=args.max_tokens, stop=(), seed=0)

    def count(out) -> int:
        return sum(len(o) for o in out)

    cases = {
        "1 prompt x 8 (one call)": lambda: count(gen.generate(prompts[:1], params(8))),
        "1 prompt x 8 (8 calls of 1)": lambda: sum(
            count(gen.generate(prompts[:1], params(1))) for _ in range(8)
        ),
        "4 prompts x 8 (one call)": lambda: count(gen.generate(prompts, params(8))),
        "4 prompts x 8 (4 calls of 8)": lambda: sum(
            count(gen.generate([p], params(8))) for p in prompts
        ),
    }
    print(f"{'case':<30}{'seconds':>9}")
    for name, fn in cases.items():
        t0 = time.perf_counter()
        fn()
        print(f"{name:<30}{time.perf_counter() - t0:>9.2f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["smollm2", "qwen2.5-coder-0.5b"])
    ap.add_argument("--runtimes", nargs="+", default=["ct2", "hf"])
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    ap.add_argument("-n", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--hf-repeats", type=int, default=2)
    ap.add_argument("--batching", action="store_true", help="batched vs sequential calls instead")
    args = ap.parse_args()
    batching(args) if args.batching else compare(args)


if __name__ == "__main__":
    main()
