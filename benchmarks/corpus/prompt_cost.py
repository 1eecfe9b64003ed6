"""What retrieval costs a model call, and what the model proposes with and without it.

For the root goal of every k-th miniF2F-rocq valid theorem, one search call (8 beams, the
embedded model through the default runtime) with the Coq tactic prompt as the search renders
it, with and without the retrieved examples and lemmas; prints the seconds per call, the
prompt's length, the retrieval time, and how many of the proposals Coq accepts on that goal.

    python benchmarks/corpus/prompt_cost.py [--every 20] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from prover.assistants.coq import create_env
from prover.datasets import load_benchmark
from prover.models import load_generator
from prover.models.base import SamplingParams
from prover.prompts import load_template
from prover.retrieval import Retriever
from prover.retrieval.prompt import prompt_fields


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=20)
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--model", default="embedded")
    args = ap.parse_args()
    theorems = sorted(load_benchmark("minif2f-rocq", "valid"), key=lambda t: t.name)[:: args.every]
    retriever = Retriever.load(args.corpus)
    template = load_template("coq_tactic")
    generator = load_generator(args.model)
    params = SamplingParams(n=8, temperature=0.0, max_tokens=64, stop=template.stop)
    env = create_env(tactic_timeout=5.0, portfolio=False)
    rows = []
    try:
        generator.generate([template.render(theorem=None, state="True")], params)  # warm up
        for t in theorems:
            try:
                root = env.open(t)
            except Exception as e:  # noqa: BLE001 - a statement that does not load is skipped
                print(f"{t.name}: skipped ({e})")
                continue
            row = {"name": t.name}
            for mode in ("off", "on"):
                t0 = time.perf_counter()
                fields = prompt_fields(retriever if mode == "on" else None, root.text)
                retrieval_s = time.perf_counter() - t0
                prompt = template.render(theorem=t, state=root.text, **fields)
                t0 = time.perf_counter()
                samples = generator.generate([prompt], params)[0]
                seconds = time.perf_counter() - t0
                accepted = [
                    s.text.strip() for s in samples if env.run_tactic(root, s.text.strip()).ok
                ]
                row[mode] = {
                    "seconds": round(seconds, 2),
                    "retrieval_ms": round(retrieval_s * 1000, 1),
                    "prompt_chars": len(prompt),
                    "accepted": len(accepted),
                    "proposals": [s.text.strip() for s in samples],
                }
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        env.close()
    for mode in ("off", "on"):
        print(
            mode,
            "median s/call",
            round(statistics.median(r[mode]["seconds"] for r in rows), 2),
            "median prompt chars",
            statistics.median(r[mode]["prompt_chars"] for r in rows),
            "accepted proposals",
            sum(r[mode]["accepted"] for r in rows),
            "of",
            sum(len(r[mode]["proposals"]) for r in rows),
            "median retrieval ms",
            round(statistics.median(r[mode]["retrieval_ms"] for r in rows), 1),
        )


if __name__ == "__main__":
    main()
