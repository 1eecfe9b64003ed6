"""IsabelleEnv: whole-theory checks and the from-scratch verdict.

Isabelle proofs here are written whole (an Isar sketch, or one `by` line), not tactic by
tactic, so the env offers `check_theory`/`check` and `verify` (the whole-text Checker seam,
through prover.assistants.registry.IsabelleChecker) and does not claim the step-wise ProofEnv seam.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from prover.assistants.base import Closing, InvalidStatement, ProofEnvError, Status, Verdict
from prover.assistants.isabelle import audit, theory
from prover.assistants.isabelle.client import IsabelleServer, IsaMessage, TheoryResult
from prover.theorem import Theorem

_IMPORT_ERROR = "Bad theory import"


@dataclass
class IsabelleEnv(Closing):
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
        """From scratch: the whole theory checks, with no escape hatch and the statement kept,
        and the oracle audit (prover.assistants.isabelle.audit) finds no oracle but the code generator's.

        `proof` is the proof text after the statement; a completion that restates the
        theorem first is accepted only if the restatement is the same statement.
        """
        t0 = time.perf_counter()
        pre = theory.precheck(theorem, proof)
        if pre.reason is not None:
            return Verdict(ok=False, reason=pre.reason)
        text = theory.build(theorem, pre.body)
        name = theory.theory_name(theorem)
        audit_name, audit_text = audit.audit_theory(name, pre.fact)
        result = self.server.check_theory(
            name, text, self.check_timeout, then={audit_name: audit_text}
        )
        seconds = time.perf_counter() - t0
        if result.timed_out:
            return Verdict(
                ok=False,
                reason=f"the check timed out after {self.check_timeout:.0f} s",
                seconds=seconds,
            )
        audit_messages = result.messages_of(audit_name)
        if not result.ok:
            failed = [m for m in audit_messages if m.kind == "error"]
            own = [e for e in result.errors if e not in failed]
            if failed and not own:
                return Verdict(
                    ok=False,
                    reason=f"the oracle audit failed: {failed[0].text[:300]}",
                    seconds=seconds,
                )
            return Verdict(ok=False, reason=result.first_error()[:500], seconds=seconds)
        return _audited(audit_messages, seconds, text)

    def close(self) -> None:
        self.server.close()


def _audited(messages: tuple[IsaMessage, ...], seconds: float, text: str) -> Verdict:
    """The verdict on a theory that checked, from its audit node's `thm_oracles` answer."""
    answers = [m.text for m in messages if m.text.lstrip().startswith(audit.HEADER)]
    if len(answers) != 1:
        return Verdict(
            ok=False,
            reason=f"the oracle audit gave {len(answers)} answers, not one",
            seconds=seconds,
        )
    try:
        judged = audit.judge(audit.parse_oracles(answers[0].strip("\n")))
    except audit.AuditError as e:
        return Verdict(ok=False, reason=f"the oracle audit: {e}", seconds=seconds)
    details = {"theory": text, "oracles": list(judged.oracles)}
    if not judged.ok:
        return Verdict(
            ok=False,
            reason=f"the proof rests on the oracle {judged.refused[0]}"
            + (" (sorry / quick_and_dirty)" if judged.refused[0].endswith("skip_proof") else ""),
            axioms=judged.oracles,
            seconds=seconds,
            details=details,
        )
    if judged.code_oracle:
        return Verdict(
            ok=True,
            reason="proved_code_oracle: the proof rests on the code generator's oracle "
            f"({', '.join(judged.oracles)}): it trusts the generated code and the ML compiler",
            axioms=judged.oracles,
            # Results lines carry them (ResultRecord.axioms), so reports flag the row.
            axioms_beyond_stdlib=judged.oracles,
            seconds=seconds,
            status=Status.CODE_ORACLE,
            details=details,
        )
    return Verdict(ok=True, seconds=seconds, details=details)


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
