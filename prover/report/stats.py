"""Solve rates with Wilson score intervals, pass-rate-vs-budget curves, time-to-proof figures."""

from __future__ import annotations

import math
from collections.abc import Sequence

from prover.results import ResultRecord

PROVED = ("proved", "proved_native_decide")


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval for a binomial proportion (well-behaved at 0 and n)."""
    if n == 0:
        return 0.0, 0.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def solve_rate(records: Sequence[ResultRecord]) -> dict:
    n = len(records)
    k = sum(r.status in PROVED for r in records)
    lo, hi = wilson(k, n)
    return {"n": n, "proved": k, "rate": k / n if n else 0.0, "low": lo, "high": hi}


def pass_rate_curve(
    records: Sequence[ResultRecord], budget: str = "expansions", points: int = 20
) -> list[tuple[float, float]]:
    """Share proved within a budget b, for b from 0 to the largest budget used by a proof."""
    n = len(records)
    used = sorted(
        getattr(r, budget if budget != "seconds" else "wall_seconds")
        for r in records
        if r.status in PROVED
    )
    if not n or not used:
        return [(0.0, 0.0)]
    top = used[-1] or 1.0
    xs = [top * i / points for i in range(points + 1)]
    return [(x, sum(u <= x for u in used) / n) for x in xs]


def times_to_proof(records: Sequence[ResultRecord]) -> list[float]:
    return sorted(r.wall_seconds for r in records if r.status in PROVED)
