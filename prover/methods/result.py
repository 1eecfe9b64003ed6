"""The one result type every method returns, and how it becomes a results line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prover.proofenv import Status, Verdict
from prover.results import ResultRecord, config_id
from prover.theorem import Theorem


@dataclass
class ProofResult:
    status: Status
    proof: str | None = None
    reason: str = ""
    expansions: int = 0
    tactic_calls: int = 0
    replayed_tactics: int = 0
    model_calls: int = 0
    model_seconds: float = 0.0
    checker_seconds: float = 0.0
    wall_seconds: float = 0.0
    # Axioms beyond the standard library the accepted proof relies on (the verdict's
    # axioms_beyond_stdlib: a benchmark header's own); results lines carry them.
    axioms: tuple[str, ...] = ()
    rejected: list[str] = field(default_factory=list)  # verdict reasons of refused proofs
    extra: dict[str, Any] = field(default_factory=dict)
    graph: Any = None  # search: the networkx tree

    @property
    def proved(self) -> bool:
        return self.status in (Status.PROVED, Status.NATIVE_DECIDE)

    @property
    def overhead_seconds(self) -> float:
        return max(self.wall_seconds - self.model_seconds - self.checker_seconds, 0.0)

    def to_record(
        self, theorem: Theorem, method: str, model: str = "", config: dict | None = None
    ) -> ResultRecord:
        cfg = config or {}
        extra = dict(self.extra)
        if self.rejected:
            extra["rejected"] = self.rejected[:10]
        return ResultRecord(
            name=theorem.name,
            system=theorem.system,
            split=theorem.split,
            status=self.status.value,
            proof=self.proof,
            reason=self.reason,
            expansions=self.expansions,
            tactic_calls=self.tactic_calls,
            replayed_tactics=self.replayed_tactics,
            model_calls=self.model_calls,
            model_seconds=round(self.model_seconds, 3),
            checker_seconds=round(self.checker_seconds, 3),
            wall_seconds=round(self.wall_seconds, 3),
            method=method,
            model=model,
            config=cfg,
            config_id=config_id(cfg),
            axioms=list(self.axioms),
            extra=extra,
        )


def proved_status(verdict: Verdict) -> Status:
    """The status an accepted verdict gives (proved, or proved_native_decide for Lean)."""
    return verdict.status or Status.PROVED


def accepted(verdict: Verdict, proof: str, **counts: Any) -> ProofResult:
    """The result of a proof the verdict accepted: its status and the axioms it relies on."""
    return ProofResult(
        proved_status(verdict), proof=proof, axioms=verdict.axioms_beyond_stdlib, **counts
    )
