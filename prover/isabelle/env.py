"""IsabelleEnv: whole-theory checks (Isabelle proofs here are written whole, not step by step)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from prover.isabelle import theory
from prover.isabelle.server import IsabelleServer, TheoryResult
from prover.proofenv import InvalidStatement, ProofState, TacticResult, Verdict
from prover.theorem import Theorem


@dataclass
class IsabelleEnv:
    server: IsabelleServer = field(default_factory=IsabelleServer)
    check_timeout: float = 120.0
    system: str = "isabelle"

    def check(self, theorem: Theorem, proof: str, timeout: float | None = None) -> TheoryResult:
        return self.server.check_theory(
            theory.theory_name(theorem), theory.build(theorem, proof), timeout or self.check_timeout
        )

    def check_statement(self, theorem: Theorem) -> None:
        """A statement that does not check with `sorry` is invalid, whatever the proof."""
        result = self.check(theorem, "sorry")
        if not result.ok and not result.timed_out:
            raise InvalidStatement(
                "; ".join(e.text for e in result.errors)[:500] or "the statement does not check"
            )

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        """From scratch: the whole theory, with no sorry/oops/axiomatization and the statement unchanged."""
        t0 = time.perf_counter()
        cheat = theory.cheats(proof)
        if cheat:
            return Verdict(ok=False, reason=f"the proof contains {cheat}")
        if theory.cheats(theorem.header) in ("axiomatization", "axioms"):
            return Verdict(ok=False, reason="the header declares axioms")
        text = theory.build(theorem, proof)
        if theorem.statement not in text:
            return Verdict(ok=False, reason="the statement was changed")
        result = self.server.check_theory(theory.theory_name(theorem), text, self.check_timeout)
        seconds = time.perf_counter() - t0
        if result.timed_out:
            return Verdict(
                ok=False,
                reason=f"the check timed out after {self.check_timeout:.0f} s",
                seconds=seconds,
            )
        if not result.ok:
            return Verdict(
                ok=False,
                reason="; ".join(f"line {e.line}: {e.text}" for e in result.errors)[:500],
                seconds=seconds,
            )
        return Verdict(ok=True, seconds=seconds)

    # Isabelle runs whole proofs here; the tactic-level seam is not used.
    def open(self, theorem: Theorem) -> ProofState:
        raise NotImplementedError(
            "the Isabelle backend checks whole proofs: use --method informal2formal or sledgehammer"
        )

    def run_tactic(self, state: ProofState, tactic: str) -> TacticResult:
        raise NotImplementedError("the Isabelle backend checks whole proofs")

    def proof_text(self, tactics: list[str]) -> str:
        return "\n".join(tactics)

    def close(self) -> None:
        self.server.close()


def create(**options: Any) -> IsabelleEnv:
    server_keys = {"address", "port", "password", "session", "session_dirs", "isabelle"}
    server = IsabelleServer(**{k: v for k, v in options.items() if k in server_keys})
    rest = {k: v for k, v in options.items() if k not in server_keys and k != "tactic_timeout"}
    return IsabelleEnv(server=server, **rest)
