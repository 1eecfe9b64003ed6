"""sledgehammer: Isabelle's automation baseline (Sledgehammer on the statement), no model."""

from __future__ import annotations

from prover.methods.result import ProofResult
from prover.methods.task import Task

NAME = "sledgehammer"
SYSTEMS = ("isabelle",)
USES_MODEL = False
READS = frozenset({"wall_seconds", "tactic_timeout"})
OPTIONS: frozenset[str] = frozenset()


def run(task: Task) -> ProofResult:
    from prover.methods.dsp import sledgehammer_only

    return sledgehammer_only(task)
