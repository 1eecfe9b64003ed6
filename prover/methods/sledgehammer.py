"""sledgehammer: Isabelle's automation baseline (Sledgehammer on the statement), no model."""

from __future__ import annotations

from typing import Any

from prover.methods.budget import Budget, Clock
from prover.methods.result import ProofResult
from prover.theorem import Theorem

NAME = "sledgehammer"
SYSTEMS = ("isabelle",)
USES_MODEL = False
READS = frozenset({"wall_seconds", "tactic_timeout"})
OPTIONS: frozenset[str] = frozenset()


def run(
    theorem: Theorem,
    env: Any,
    generator: Any,
    budget: Budget,
    *,
    portfolio: tuple[str, ...] = (),
    clock: Clock | None = None,
) -> ProofResult:
    from prover.isabelle.dsp import sledgehammer_only

    return sledgehammer_only(theorem, env, budget, clock)
