"""What every method's entry point receives: one theorem and everything it may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prover.candidates import NO_SOURCES, CandidateSources
from prover.methods.budget import Budget, Clock
from prover.theorem import Theorem


@dataclass
class Task:
    theorem: Theorem
    env: Any  # the assistant's env (ProofEnv for Coq/Lean; IsabelleEnv)
    budget: Budget
    generator: Any = None  # a Generator, for methods that use a model
    portfolio: tuple[str, ...] = ()  # automation tactics, for methods that use them
    clock: Clock | None = None  # a fresh one from the budget when not given
    retriever: Any = None  # a prover.retrieval.Retriever, for methods whose prompts use it
    candidates: CandidateSources = NO_SOURCES  # search: sources besides the model (templates, kNN)

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = Clock(self.budget.wall_seconds)
