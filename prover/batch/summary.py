"""The figures of a batch's results: counts by status and where the time went."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from prover.assistants.base import Status
from prover.results import ResultRecord

PROVED_STATUSES = (Status.PROVED, Status.NATIVE_DECIDE, Status.CODE_ORACLE)


@dataclass(frozen=True)
class BatchSummary:
    """Counts and timing figures for the summary table and benchmarks."""

    theorems: int = 0
    proved: int = 0  # proved, native_decide and code_oracle
    failed: int = 0
    invalid_statement: int = 0
    error: int = 0
    median_seconds: float = 0.0
    wall_seconds: float = 0.0
    model_seconds: float = 0.0
    checker_seconds: float = 0.0
    model_calls: int = 0
    overhead_share: float = 0.0  # of the wall clock, neither in the model nor in the checker

    @property
    def other_seconds(self) -> float:
        """Wall seconds neither in the model nor in the proof assistant."""
        return max(self.wall_seconds - self.model_seconds - self.checker_seconds, 0.0)


def summarize(records: Iterable[ResultRecord]) -> BatchSummary:
    """The summary of `records` (one per theorem)."""
    recs = list(records)
    counts = Counter(r.status for r in recs)
    wall = sum(r.wall_seconds for r in recs)
    model = sum(r.model_seconds for r in recs)
    checker = sum(r.checker_seconds for r in recs)
    walls = sorted(r.wall_seconds for r in recs)
    return BatchSummary(
        theorems=len(recs),
        proved=sum(counts.get(s.value, 0) for s in PROVED_STATUSES),
        failed=counts.get(Status.FAILED.value, 0),
        invalid_statement=counts.get(Status.INVALID_STATEMENT.value, 0),
        error=counts.get(Status.ERROR.value, 0),
        median_seconds=walls[len(walls) // 2] if walls else 0.0,
        wall_seconds=wall,
        model_seconds=model,
        checker_seconds=checker,
        model_calls=sum(r.model_calls for r in recs),
        overhead_share=(max(wall - model - checker, 0.0) / wall) if wall else 0.0,
    )
