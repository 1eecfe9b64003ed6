"""LeanDojo behind the ProofEnv seam, for users with traced repositories (as Llemma's harness ran).

LeanDojo addresses a theorem by repository, file and full name, so the env is built with
the traced repository (URL + commit) and a path pattern for the benchmark's files
(miniF2F-lean4: ``MiniF2F/{Split}/{name}.lean``). Tactic results map one to one:
TacticState -> open, ProofFinished -> finished, LeanError / ProofGivenUp -> error. The final
verdict does not trust ProofFinished: it re-checks the proof with the REPL backend's
from-scratch check when that is installed, and refuses to call a theorem proved otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prover.lean.check import refusal
from prover.proofenv import (
    Outcome,
    ProofEnvError,
    ProofState,
    TacticResult,
    ToolchainMissing,
    Verdict,
)
from prover.theorem import Theorem


def map_result(result: Any) -> TacticResult:
    """Translate a LeanDojo result object (matched by class name: the package is optional)."""
    kind = type(result).__name__
    if kind == "TacticState":
        return TacticResult(
            Outcome.OPEN, ProofState(result, tuple(g for g in result.pp.split("\n\n") if g))
        )
    if kind == "ProofFinished":
        return TacticResult(Outcome.FINISHED, ProofState(result, ()))
    if kind == "LeanError":
        return TacticResult(Outcome.ERROR, message=result.error)
    if kind == "ProofGivenUp":
        return TacticResult(Outcome.ERROR, message="refused: the proof gave up (sorry)")
    return TacticResult(Outcome.ERROR, message=f"unexpected LeanDojo result {kind}")


@dataclass
class LeanDojoEnv:
    repo_url: str = "https://github.com/yangky11/miniF2F-lean4"
    commit: str = "5746b7d6c47855ce1294bed87329618ff7f1bc31"
    file_pattern: str = "MiniF2F/{Split}/{name}.lean"
    tactic_timeout: float = 60.0
    allow_native_decide: bool = False
    system: str = "lean"
    _dojo: Any = field(default=None, repr=False)

    def _lean_dojo(self):
        try:
            import lean_dojo
        except ImportError as e:
            raise ToolchainMissing(
                "LeanDojo is not installed: pip install -e '.[lean]' (and trace the repository)"
            ) from e
        return lean_dojo

    def open(self, theorem: Theorem) -> ProofState:
        ld = self._lean_dojo()
        self.close()
        repo = ld.LeanGitRepo(self.repo_url, self.commit)
        path = self.file_pattern.format(
            Split=theorem.split.capitalize(), split=theorem.split, name=theorem.name
        )
        self._ctx = ld.Dojo(ld.Theorem(repo, path, theorem.name), timeout=int(self.tactic_timeout))
        try:
            self._dojo, init = self._ctx.__enter__()
        except Exception as e:
            raise ProofEnvError(f"LeanDojo could not open {theorem.name}: {e}") from e
        return map_result(init).state  # type: ignore[return-value]

    def run_tactic(
        self, state: ProofState, tactic: str, timeout: float | None = None
    ) -> TacticResult:
        # LeanDojo fixes its timeout when the Dojo opens; `timeout` cannot lower it per call.
        why = refusal(tactic, self.allow_native_decide)
        if why:
            return TacticResult(Outcome.ERROR, message=f"refused: {why}")
        return map_result(self._dojo.run_tac(state.handle, tactic))

    def proof_text(self, tactics: list[str]) -> str:
        return "\n".join("  " + line for t in tactics for line in t.strip().splitlines())

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        from prover.lean import check_installation, create_env

        problem = check_installation()
        if problem:
            return Verdict(
                ok=False, reason=f"cannot re-check from scratch without the REPL backend: {problem}"
            )
        env = create_env(allow_native_decide=self.allow_native_decide)
        try:
            return env.verify(theorem, proof)
        finally:
            env.close()

    def close(self) -> None:
        ctx = getattr(self, "_ctx", None)
        if ctx is not None:
            ctx.__exit__(None, None, None)
            self._ctx = None
