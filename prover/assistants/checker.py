"""The whole-text `Checker` seam over each kind of env: step by step for Coq and Lean, one
theory check per call for Isabelle."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prover.assistants.base import CheckResult, Closing, Finished, Progress, ProofEnv, Verdict
from prover.theorem import Theorem


@dataclass
class StepwiseChecker(Closing):
    """The `Checker` seam for an assistant with a `ProofEnv`: run the proof step by step from
    the theorem's root, so a failure comes with the assistant's message and the goal there."""

    env: ProofEnv
    steps: Callable[[str], list[str]]

    @property
    def system(self) -> str:
        return self.env.system

    def check_statement(self, theorem: Theorem) -> None:
        self.env.open(theorem)

    def check(self, theorem: Theorem, proof: str, timeout: float | None = None) -> CheckResult:
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        state = self.env.open(theorem)
        try:
            steps = self.steps(proof)
        except ValueError as e:
            return CheckResult(False, f"the proof cannot be read: {e}", state.text)
        if not steps:
            return CheckResult(False, "empty proof", state.text)
        for step in steps:
            left = deadline - time.monotonic()
            if left <= 0:
                return CheckResult(False, "the check ran out of time", state.text)
            result = self.env.run_tactic(state, step, timeout=left)
            if isinstance(result, Finished):
                return CheckResult(True)
            if not isinstance(result, Progress):
                return CheckResult(False, f"{step}\n{result.message}".strip(), state.text)
            state = result.state
        return CheckResult(False, "the proof is incomplete: goals remain", state.text)

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        return self.env.verify(theorem, proof)

    def close(self) -> None:
        self.env.close()


@dataclass
class IsabelleChecker(Closing):
    """The `Checker` seam over an IsabelleEnv: one theory check per call."""

    env: Any  # prover.assistants.isabelle.env.IsabelleEnv
    system: str = "isabelle"

    def check_statement(self, theorem: Theorem) -> None:
        self.env.check_statement(theorem)

    def check(self, theorem: Theorem, proof: str, timeout: float | None = None) -> CheckResult:
        result = self.env.check(theorem, proof, timeout)
        return CheckResult(True) if result.ok else CheckResult(False, result.first_error())

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        return self.env.verify(theorem, proof)

    def close(self) -> None:
        self.env.close()
