"""The one result type every method returns, and how it becomes a results line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prover.assistants.base import Status, Verdict
from prover.results import Counts, ResultRecord, config_id
from prover.theorem import Theorem


@dataclass
class ProofResult(Counts):
    status: Status
    proof: str | None = None
    reason: str = ""
    # Axioms beyond the standard library the accepted proof relies on (the verdict's
    # axioms_beyond_stdlib: a benchmark header's own); results lines carry them.
    axioms: tuple[str, ...] = ()
    rejected: list[str] = field(default_factory=list)  # verdict reasons of refused proofs
    extra: dict[str, Any] = field(default_factory=dict)
    graph: Any = None  # search: the networkx tree

    @property
    def proved(self) -> bool:
        return self.status in (Status.PROVED, Status.NATIVE_DECIDE, Status.CODE_ORACLE)

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
            **self.counts(),
            method=method,
            model=model,
            config=cfg,
            config_id=config_id(cfg),
            axioms=list(self.axioms),
            extra=extra,
        )


def proved_status(verdict: Verdict) -> Status:
    """The status an accepted verdict gives (proved; proved_native_decide for Lean,
    proved_code_oracle for Isabelle)."""
    return verdict.status or Status.PROVED


def accepted(verdict: Verdict, proof: str, **counts: Any) -> ProofResult:
    """The result of a proof the verdict accepted: its status and the axioms it relies on."""
    return ProofResult(
        proved_status(verdict), proof=proof, axioms=verdict.axioms_beyond_stdlib, **counts
    )
