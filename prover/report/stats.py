"""Solve rates with Wilson score intervals, pass rate against budget, time-to-proof figures.

Wilson rather than the normal approximation because benchmark subsets are small and rates
sit near 0: the Wald interval collapses to a point at 0 solved and leaves [0, 1] otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prover.results import ResultRecord

PROVED = ("proved", "proved_native_decide", "proved_code_oracle")
Z95 = 1.959963984540054  # two-sided 95% normal quantile

# Budget axes a pass-rate curve can use: the per-theorem field that measures it.
BUDGET_FIELDS = {
    "expansions": "expansions",
    "seconds": "wall_seconds",
    "model_calls": "model_calls",
    "tactic_calls": "tactic_calls",
}


def is_proved(r: ResultRecord) -> bool:
    return r.status in PROVED


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (0, 0) for an empty sample."""
    if n == 0:
        return 0.0, 0.0
    if not 0 <= successes <= n:
        raise ValueError(f"successes={successes} outside 0..{n}")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class SolveRate:
    n: int
    proved: int
    rate: float
    low: float
    high: float
    invalid: int = 0
    errors: int = 0

    def pct(self) -> str:
        return f"{100 * self.rate:.1f}"

    def interval(self) -> str:
        return f"[{100 * self.low:.1f}, {100 * self.high:.1f}]"


def solve_rate(records: Sequence[ResultRecord]) -> SolveRate:
    """Share proved among all attempted theorems (invalid statements and errors count as unsolved)."""
    n = len(records)
    k = sum(map(is_proved, records))
    lo, hi = wilson(k, n)
    return SolveRate(
        n=n,
        proved=k,
        rate=k / n if n else 0.0,
        low=lo,
        high=hi,
        invalid=sum(r.status == "invalid_statement" for r in records),
        errors=sum(r.status == "error" for r in records),
    )


def pass_rate_curve(
    records: Sequence[ResultRecord], budget: str = "expansions"
) -> list[tuple[float, float]]:
    """Exact step curve: (b, share of all theorems proved using at most b) at each distinct b.

    Starts at (0, share proved with zero budget used) and ends at the run's overall solve rate.
    """
    if budget not in BUDGET_FIELDS:
        raise ValueError(f"unknown budget {budget!r}; choose one of {', '.join(BUDGET_FIELDS)}")
    n = len(records)
    used = sorted(float(getattr(r, BUDGET_FIELDS[budget])) for r in records if is_proved(r))
    if not n:
        return [(0.0, 0.0)]
    points = [(0.0, sum(u <= 0 for u in used) / n)]
    for i, u in enumerate(used):
        if u > 0 and (i + 1 == len(used) or used[i + 1] != u):
            points.append((u, (i + 1) / n))
    return points


def rate_within(records: Sequence[ResultRecord], budget: str, limit: float) -> float:
    """Share of all theorems proved with at most `limit` of `budget` (one point of the curve)."""
    n = len(records)
    field_ = BUDGET_FIELDS[budget]
    return sum(is_proved(r) and getattr(r, field_) <= limit for r in records) / n if n else 0.0


def times_to_proof(records: Sequence[ResultRecord]) -> list[float]:
    return sorted(r.wall_seconds for r in records if is_proved(r))


def budget_limit(records: Sequence[ResultRecord], config: dict[str, Any], budget: str) -> float:
    """Where a run's curve must end: the budget it was given (wall seconds per theorem, or
    expansions x attempts), and never before the most any of its theorems used."""
    used = max((float(getattr(r, BUDGET_FIELDS[budget])) for r in records), default=0.0)
    given = 0.0
    for key in ("budget", "search"):
        b = config.get(key) if isinstance(config, dict) else None
        if not isinstance(b, dict):
            continue
        if budget == "seconds" and "wall_seconds" in b:
            given = float(b["wall_seconds"])
        elif budget == "expansions":
            per = b.get("expansions", b.get("max_expansions"))
            if per is not None:
                given = float(per) * float(b.get("attempts", 1))
    if budget == "seconds" and not given and isinstance(config, dict) and "timeout" in config:
        given = float(config["timeout"])  # Llemma harness: seconds per theorem
    return max(used, given)


def cumulative_curve(records: Sequence[ResultRecord], right: float) -> list[tuple[float, float]]:
    """(t, share of all theorems proved by time t): a step from 0 at each proof, carried flat to
    `right`, so that a run with one proof still draws a visible line."""
    n = len(records)
    times = times_to_proof(records)
    if not n:
        return []
    first = min([t for t in times if t > 0] + [right or 1.0]) / 2
    points = [(first, 0.0)]
    points += [(t, (i + 1) / n) for i, t in enumerate(times)]
    points.append((max(right, times[-1] if times else 0.0, first), len(times) / n))
    return points


def quantile(xs: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of sorted data (numpy's default method)."""
    if not xs:
        return math.nan
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass(frozen=True)
class TimeSummary:
    proved: int
    median: float
    p90: float
    max: float
    mean: float
    mean_all: float  # over every theorem, proved or not: what a run costs per theorem


def time_summary(records: Sequence[ResultRecord]) -> TimeSummary:
    t = times_to_proof(records)
    return TimeSummary(
        proved=len(t),
        median=quantile(t, 0.5),
        p90=quantile(t, 0.9),
        max=t[-1] if t else math.nan,
        mean=sum(t) / len(t) if t else math.nan,
        mean_all=sum(r.wall_seconds for r in records) / len(records) if records else math.nan,
    )


def budget_label(config: dict[str, Any], method: str = "") -> str:
    """The run's budget in the papers' notation: attempts x samples x expansions, wall clock."""
    b = config.get("budget") if isinstance(config, dict) else None
    if isinstance(b, dict):  # prover.methods.Budget: only the fields the method reads
        wall = f", {b['wall_seconds']:g} s" if "wall_seconds" in b else ""
        parts = [str(b[k]) for k in ("attempts", "samples", "expansions") if k in b]
        if "repair_rounds" in b:
            parts.append(f"{b['repair_rounds']} repairs")
        return (" x ".join(parts) or "automation") + wall
    s = config.get("search") if isinstance(config, dict) else None
    if isinstance(s, dict):  # results files written before prover.methods
        wall = f", {s['wall_seconds']:g} s" if "wall_seconds" in s else ""
        if method == "portfolio" or (s.get("portfolio") and method not in ("search", "copra")):
            return f"{len(s.get('portfolio') or ())} tactics{wall}"
        return f"{s.get('attempts', 1)} x {s.get('samples', '?')} x {s.get('max_expansions', '?')}{wall}"
    if isinstance(config, dict) and "num_samples" in config:  # Llemma harness arguments
        temps = config.get("temperatures") or [0.0]
        wall = f", {config['timeout']:g} s" if "timeout" in config else ""
        return f"{len(temps)} x {config['num_samples']} x {config.get('max_iters', '?')}{wall}"
    return "-"
