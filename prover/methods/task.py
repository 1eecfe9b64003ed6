"""What every method's entry point receives, and how every method's run ends.

A method's `run(task)` returns its result or raises: `settle` is the one place where the
exceptions a run may end with become a status, and where the theorem's clock (model,
checker and wall seconds) enters the result, so the methods need not repeat either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prover.assistants.base import InvalidStatement, ProofEnvError, Status
from prover.candidates import NO_SOURCES, CandidateSources
from prover.methods.budget import Budget, Clock
from prover.methods.result import ProofResult
from prover.models.base import ModelUnavailable
from prover.theorem import Theorem


def _no_counts(_result: ProofResult) -> None:
    return None


@dataclass
class Task:
    theorem: Theorem
    env: Any  # the assistant's env (ProofEnv for Coq/Lean; IsabelleEnv)
    budget: Budget
    generator: Any = None  # a Generator, for methods that use a model
    portfolio_tactics: tuple[str, ...] = ()  # automation tactics, for methods that use them
    clock: Clock = None  # type: ignore[assignment]  # always set: a fresh one from the budget
    retriever: Any = None  # a prover.retrieval.Retriever, for methods whose prompts use it
    candidates: CandidateSources = NO_SOURCES  # search: sources besides the model (templates, kNN)
    # Copies the method's counters (model calls, tactic calls, ...) into the run's result:
    # set by the method when it starts counting, so a run ended by an exception has them too.
    tally: Callable[[ProofResult], None] = field(default=_no_counts, repr=False)

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = Clock(self.budget.wall_limit)


def settle(task: Task, run: Callable[[Task], ProofResult]) -> ProofResult:
    """`run(task)`'s result, or the status the exception it raised stands for, with the
    method's counters and the clock's split.

    A statement that does not check is `invalid_statement`; a model that cannot be reached
    and an assistant that failed beyond its own recovery are `error`, with a reason."""
    try:
        result = run(task)
    except InvalidStatement as e:
        result = ProofResult(Status.INVALID_STATEMENT, reason=str(e))
    except ModelUnavailable as e:
        result = ProofResult(Status.ERROR, reason=f"model unavailable: {e}")
    except ProofEnvError as e:
        result = ProofResult(Status.ERROR, reason=f"{task.theorem.system} failed: {e}")
    task.tally(result)
    clock = task.clock
    result.model_seconds = clock.model
    result.checker_seconds = clock.checker
    result.wall_seconds = clock.elapsed()
    return result
