"""Proving methods, one module each, behind one entry point.

Every method module declares `NAME`, `SYSTEMS` (the assistants it supports), `USES_MODEL`,
`READS` (the config keys of the `Budget` fields it uses; only those enter a run's
config_id, and the CLI refuses the others), `OPTIONS` (method switches such as
`portfolio`) and one entry point `run(task: Task) -> ProofResult`, which may raise:
`prove` (through `prover.methods.task.settle`) is the one place where an exception becomes
a status and where the clock enters the result.

    search        best-first search over proof states (Coq, Lean)
    portfolio     the automation alone (Coq, Lean)
    whole         whole proofs from the model, repaired with the checker's errors (Coq, Lean)
    sketch        a skeleton with holes closed by automation and search (Coq, Lean, Isabelle)
    copra         an in-context chat agent (Coq, Lean)
    sledgehammer  Isabelle's Sledgehammer alone
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from prover.candidates import CandidateSources
from prover.methods.budget import Budget, Clock
from prover.methods.result import ProofResult
from prover.methods.task import Task, settle
from prover.theorem import Theorem

NAMES = ("search", "portfolio", "whole", "sketch", "copra", "sledgehammer")
ALIASES = {"informal2formal": "sketch"}  # the older name of Isabelle's DSP

__all__ = ["ALIASES", "NAMES", "Budget", "ProofResult", "canonical", "method", "prove"]


@dataclass(frozen=True)
class Method:
    name: str
    systems: tuple[str, ...]
    uses_model: bool
    reads: frozenset[str]
    options: frozenset[str]
    module: ModuleType

    def refusal(self, system: str) -> str | None:
        if system not in self.systems:
            return f"method {self.name} does not support {system} (it supports {', '.join(self.systems)})"
        return None


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def method(name: str) -> Method:
    name = canonical(name)
    if name not in NAMES:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(NAMES)}")
    m = importlib.import_module(f"prover.methods.{name}")
    return Method(m.NAME, m.SYSTEMS, m.USES_MODEL, m.READS, m.OPTIONS, m)


def prove(
    theorem: Theorem,
    method_name: str,
    budget: Budget,
    env: Any,
    generator: Any = None,
    portfolio_tactics: tuple[str, ...] = (),
    clock: Clock | None = None,
    retriever: Any = None,
    candidates: CandidateSources | None = None,
) -> ProofResult:
    """Prove `theorem` with one method: the one entry point the runners and the copilot use.

    `env` is the assistant's env from `prover.assistants.registry.backend(system).create_env(...)`;
    `generator` is any Generator (None for methods without a model); `portfolio_tactics` the
    automation tactics (`backend(system).portfolio()`) for methods that use them;
    `retriever` the proof corpus's retriever for methods whose prompts use it; `candidates`
    the prover.candidates.CandidateSources of methods with the `templates` option (None:
    none); `clock` the theorem's clock (default: a fresh one of `budget.wall_limit`).

    The result's status is the method's, or `invalid_statement` / `error` when the run
    raised (`prover.methods.task.settle`); its seconds are the clock's."""
    m = method(method_name)
    problem = m.refusal(theorem.system)
    if problem:
        raise ValueError(problem)
    if m.uses_model and generator is None:
        raise ValueError(f"method {m.name} needs a model")
    task = Task(theorem, env, budget, generator, portfolio_tactics, clock, retriever)
    if candidates is not None:
        task.candidates = candidates
    return settle(task, m.module.run)
