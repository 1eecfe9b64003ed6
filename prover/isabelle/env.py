"""IsabelleEnv: whole-theory checks and the from-scratch verdict.

Isabelle proofs here are written whole (an Isar sketch, or one `by` line), not tactic by
tactic, so the env offers `check_theory`/`check` and `verify` (the whole-text Checker seam,
through prover.backends.IsabelleChecker) and does not claim the step-wise ProofEnv seam.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from prover.isabelle import theory
from prover.isabelle.client import IsabelleServer, TheoryResult
from prover.proofenv import InvalidStatement, ProofEnvError, Verdict
from prover.theorem import Theorem

_IMPORT_ERROR = "Bad theory import"


@dataclass
class IsabelleEnv:
    server: IsabelleServer = field(default_factory=IsabelleServer)
    check_timeout: float = 120.0
    system: str = "isabelle"

    def __post_init__(self) -> None:
        self._tactics: tuple[str, ...] | None = None

    # --- checking ------------------------------------------------------------------------
    def check_theory(
        self, text: str, timeout: float | None = None, name: str | None = None
    ) -> TheoryResult:
        """Check a whole theory text; `name` defaults to the one its `theory` line declares."""
        if name is None:
            name = theory.declared_name(text)
        return self.server.check_theory(name, text, timeout or self.check_timeout)

    def check(self, theorem: Theorem, proof: str, timeout: float | None = None) -> TheoryResult:
        """Check header + statement + proof."""
        return self.check_theory(theory.build(theorem, proof), timeout, theory.theory_name(theorem))

    def check_statement(self, theorem: Theorem) -> None:
        """A statement that does not check with `sorry` is invalid, whatever the proof.

        Unless the header imports what the MiniF2F heap lacks (HOL-Analysis, an AFP entry):
        then the failure (or timeout, as HOL-Analysis loads from source) is an `error` with
        that reason, not a verdict on the statement.
        """
        result = self.check(theorem, "sorry")
        if result.ok:
            return
        missing = theory.unavailable_imports(theorem.header)
        if missing or any(_IMPORT_ERROR in e.text for e in result.errors):
            raise ProofEnvError(
                f"the theory imports {', '.join(missing) or 'a theory'} outside the MiniF2F "
                "heap (HOL-Analysis loads from source, slowly; AFP entries need the AFP "
                f"registered: isabelle components -u AFP/thys): {result.first_error()[:300]}"
            )
        if not result.timed_out:
            raise InvalidStatement(result.first_error()[:500])

    def hole_tactics(self) -> tuple[str, ...]:
        """The automation list, without the methods this Isabelle does not define (probed once)."""
        if self._tactics is None:
            missing = []
            for method in theory.OPTIONAL_METHODS:
                probe = (
                    f"theory Probe_{method} imports Main\nbegin\n\n"
                    f'lemma "(0::int) \\<le> 1"\n  by {method}\n\nend\n'
                )
                result = self.check_theory(probe, 60)
                if any("Undefined method" in e.text for e in result.errors):
                    missing.append(method)
            self._tactics = tuple(
                t for t in theory.HOLE_TACTICS if not any(t == f"by {m}" for m in missing)
            )
        return self._tactics

    # --- the verdict ---------------------------------------------------------------------
    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        """From scratch: the whole theory checks, with no escape hatch and the statement kept.

        `proof` is the proof text after the statement; a completion that restates the
        theorem first is accepted only if the restatement is the same statement.
        """
        t0 = time.perf_counter()
        body = theory.strip_statement(theorem, proof)
        if body is None:
            return Verdict(ok=False, reason="the statement was changed")
        if not body.strip():
            return Verdict(ok=False, reason="empty proof")
        cheat = theory.cheats(body)
        if cheat:
            return Verdict(ok=False, reason=f"the proof contains {cheat}")
        problem = theory.proof_start_problem(body)
        if problem:
            return Verdict(ok=False, reason=f"the statement was changed: {problem}")
        in_header = [c for c in theory.all_cheats(theorem.header) if c != "theory"]
        if in_header:
            # Helper lemmas left unproved, axioms or ML in the header could forge the theorem.
            return Verdict(ok=False, reason=f"the header contains {in_header[0]}")
        text = theory.build(theorem, body)
        if not theory.statement_kept(theorem, text):
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
            return Verdict(ok=False, reason=result.first_error()[:500], seconds=seconds)
        return Verdict(ok=True, seconds=seconds, details={"theory": text})

    def close(self) -> None:
        self.server.close()


SERVER_OPTIONS = frozenset(
    {
        "address",
        "port",
        "password",
        "name",
        "session",
        "session_dirs",
        "isabelle",
        "server_command",
        "start_timeout",
    }
)


def create(**options: Any) -> IsabelleEnv:
    """IsabelleEnv from flat options; unknown ones (e.g. the CLI's tactic_timeout) are ignored."""
    server = IsabelleServer(**{k: v for k, v in options.items() if k in SERVER_OPTIONS})
    env_options = {k: v for k, v in options.items() if k == "check_timeout"}
    return IsabelleEnv(server=server, **env_options)
