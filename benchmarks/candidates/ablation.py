"""A candidate source (or any one setting: a model, retrieval) switched on vs off: the figures
of one pair of `prover eval` runs.

Reads two results files written at the same wall budget per theorem (e.g. the default and
`--no-templates`) and prints, for the theorems they share: proved by each, the theorems only
one proved (with the proof's tactics by source), the found proofs' tactics by source and the
candidates run by source (the search's `proof_sources` / `candidates_run`), model calls and
their mean seconds, the model calls' widths where one was widened, and the wall overrun past
the budget. Asserts nothing.

    prover eval --benchmark minif2f-rocq --split valid --names A,B,C --wall-seconds 60 --out on.jsonl
    prover eval --benchmark minif2f-rocq --split valid --names A,B,C --wall-seconds 60 \\
        --no-templates --out off.jsonl
    .venv/bin/python benchmarks/candidates/ablation.py on.jsonl off.jsonl
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter

from prover.results import ResultRecord, common_results, overrun


def summary(label: str, records: list[ResultRecord]) -> set[str]:
    proved = {r.name for r in records if r.status.startswith("proved")}
    sources: Counter = Counter()
    ran: Counter = Counter()
    widths: Counter = Counter()
    for r in records:
        sources.update(r.extra.get("proof_sources", {}))
        ran.update(r.extra.get("candidates_run", {}))
        widths.update({int(k): v for k, v in r.extra.get("model_widths", {}).items()})
    over = [overrun(r) for r in records if r.config.get("budget", {}).get("wall_seconds")]
    calls = sum(r.model_calls for r in records)
    per_call = sum(r.model_seconds for r in records) / calls if calls else 0.0
    print(
        f"{label}: proved {len(proved)} of {len(records)}; proofs' tactics by source "
        f"{dict(sources)}; candidates run {dict(ran)}; model calls median "
        f"{statistics.median(r.model_calls for r in records):g} ({calls} in all, "
        f"{per_call:.2f} s per call); widened calls' widths "
        f"{dict(widths) or '-'}; overrun max {max(over, default=0):.1f} s, "
        f"over 2 s: {sum(o > 2 for o in over)}"
    )
    return proved


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("on", help="results with the source on")
    ap.add_argument("off", help="results with the source off")
    args = ap.parse_args()
    on_records, off_records = common_results(args.on, args.off)
    on = {r.name: r for r in on_records}
    off = {r.name: r for r in off_records}
    proved_on = summary("on ", on_records)
    proved_off = summary("off", off_records)
    for name in sorted(proved_on - proved_off):
        proof = " ".join((on[name].proof or "").split())
        print(f"  only on:  {name} {on[name].extra.get('proof_sources')}: {proof}")
    for name in sorted(proved_off - proved_on):
        print(f"  only off: {name}: {' '.join((off[name].proof or '').split())}")


if __name__ == "__main__":
    main()
