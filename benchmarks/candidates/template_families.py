"""How often each template family's tactics are accepted by Coq, and close the goal, on a
benchmark split: the figures the families' priors (prover.candidates.templates.PRIORS) are
set from.

For each theorem: the root state, then (breadth first, up to --depth steps and --states
states) every state a template reached; at each, every template that fits is run in the
real coqtop (the search's env, the portfolio's imports loaded, --seconds per tactic).
Counted per family: proposed, accepted (Coq made progress), closed (no goals left), and
the theorems a template path closed. Prints a table and log(accepted / proposed) per family.
No model is involved. Tune on the valid split only:

    .venv/bin/python benchmarks/candidates/template_families.py --split valid --stride 2
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter, deque

from prover.assistants.base import Finished, InvalidStatement, ProofEnvError
from prover.assistants.coq import create_env
from prover.candidates.templates import Context, instantiate
from prover.datasets import load_benchmark


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--benchmark", default="minif2f-rocq")
    ap.add_argument("--split", default="valid")
    ap.add_argument("--stride", type=int, default=1, help="every k-th theorem in name order")
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--states", type=int, default=12, help="states explored per theorem")
    ap.add_argument("--seconds", type=float, default=3.0, help="per tactic")
    args = ap.parse_args()
    theorems = sorted(load_benchmark(args.benchmark, args.split), key=lambda t: t.name)
    theorems = theorems[:: args.stride]
    proposed: Counter = Counter()
    accepted: Counter = Counter()
    closed: Counter = Counter()
    seconds: Counter = Counter()
    closed_theorems: dict[str, str] = {}
    env = create_env(tactic_timeout=args.seconds)
    t0 = time.monotonic()
    try:
        for theorem in theorems:
            try:
                root = env.open(theorem)
            except (InvalidStatement, ProofEnvError):
                continue
            context = Context(theorem.header)
            queue = deque([(root, 0, [])])
            seen = {root.key}
            explored = 0
            while queue and explored < args.states:
                state, depth, path = queue.popleft()
                explored += 1
                for family, tactic in instantiate(state.text, context):
                    proposed[family] += 1
                    t = time.monotonic()
                    result = env.run_tactic(state, tactic, timeout=args.seconds)
                    seconds[family] += time.monotonic() - t
                    if not result.ok:
                        continue
                    if isinstance(result, Finished):
                        accepted[family] += 1
                        closed[family] += 1
                        closed_theorems.setdefault(theorem.name, " ".join([*path, tactic]))
                        continue
                    if result.state.key == state.key:
                        continue
                    accepted[family] += 1
                    if depth + 1 < args.depth and result.state.key not in seen:
                        seen.add(result.state.key)
                        queue.append((result.state, depth + 1, [*path, tactic]))
    finally:
        env.close()
    print(
        f"{len(theorems)} theorems of {args.benchmark}/{args.split} (stride {args.stride}), "
        f"depth {args.depth}, {time.monotonic() - t0:.0f} s"
    )
    print(
        f"{'family':<16}{'proposed':>9}{'accepted':>9}{'closed':>7}{'s/tactic':>9}{'log(acc)':>9}"
    )
    for family in sorted(proposed, key=lambda f: -accepted[f] / proposed[f]):
        rate = accepted[family] / proposed[family]
        print(
            f"{family:<16}{proposed[family]:>9}{accepted[family]:>9}{closed[family]:>7}"
            f"{seconds[family] / proposed[family]:>9.3f}"
            f"{math.log(rate) if rate else float('-inf'):>9.2f}"
        )
    print(f"theorems closed by templates alone: {len(closed_theorems)}")
    for name, proof in sorted(closed_theorems.items()):
        print(f"  {name}: {proof}")


if __name__ == "__main__":
    main()
