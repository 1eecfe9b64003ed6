"""The figures of a batch's results: counts by status and where the time went."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from prover.assistants.base import Status
from prover.results import Counts, ResultRecord

PROVED_STATUSES = (Status.PROVED, Status.NATIVE_DECIDE, Status.CODE_ORACLE)


@dataclass(kw_only=True)
class BatchSummary(Counts):
    """Counts and timing figures for the summary table and benchmarks: the records'
    `Counts` summed, and how many theorems ended in each status."""

    theorems: int = 0
    proved: int = 0  # proved, native_decide and code_oracle
    failed: int = 0
    invalid_statement: int = 0
    error: int = 0
    median_seconds: float = 0.0

    @property
    def overhead_share(self) -> float:
        """The share of the wall clock neither in the model nor in the checker."""
        return self.other_seconds / self.wall_seconds if self.wall_seconds else 0.0


def summarize(records: Iterable[ResultRecord]) -> BatchSummary:
    """The summary of `records` (one per theorem)."""
    recs = list(records)
    counts = Counter(r.status for r in recs)
    walls = sorted(r.wall_seconds for r in recs)
    return BatchSummary(
        **Counts.summed(recs),
        theorems=len(recs),
        proved=sum(counts.get(s.value, 0) for s in PROVED_STATUSES),
        failed=counts.get(Status.FAILED.value, 0),
        invalid_statement=counts.get(Status.INVALID_STATEMENT.value, 0),
        error=counts.get(Status.ERROR.value, 0),
        median_seconds=walls[len(walls) // 2] if walls else 0.0,
    )
