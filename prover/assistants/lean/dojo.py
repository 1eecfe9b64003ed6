"""LeanDojo behind the ProofEnv seam, for users with traced repositories (as Llemma's harness ran).

LeanDojo addresses a theorem by repository, file and full name, so the env is built with
the traced repository (URL + commit) and a path pattern for the benchmark's files
(miniF2F-lean4: ``MiniF2F/{Split}/{name}.lean``). Tactic results map one to one:
TacticState -> open, ProofFinished -> finished, LeanError / ProofGivenUp -> error. The final
verdict does not trust ProofFinished: it re-checks the proof with the REPL backend's
from-scratch check when that is installed, and refuses to call a theorem proved otherwise.

Supported: lean-dojo 2.x from 2.1 (LeanDojo's Lean 4 interaction through its Lean4Repl and
pexpect, with DojoTacticTimeoutError/DojoCrashError/DojoInitError), on the Lean 4 toolchain
the traced repository pins (LeanDojo 2.x traces Lean 4 repositories from v4.3.0 on). Other
releases (1.x drove Lean through Docker with other errors) are refused with that message.
Failures map onto the seam: a tactic past its time limit (DojoTacticTimeoutError) is an
ERROR result; a crash (DojoCrashError) restarts the Dojo on the same theorem and the tactic
is an ERROR; states from before the crash are gone (their tactics must be re-run from the
root). The Dojo starts under `startup_timeout` (it elaborates the file, a Mathlib import:
minutes), then each tactic under `tactic_timeout`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from prover.assistants.base import (
    Closing,
    Crashed,
    Failed,
    Finished,
    Progress,
    ProofEnvError,
    ProofState,
    TacticResult,
    TimedOut,
    ToolchainMissing,
    Verdict,
)
from prover.assistants.lean.check import refusal
from prover.theorem import Theorem


def map_result(result: Any) -> TacticResult:
    """Translate a LeanDojo result object (matched by class name: the package is optional)."""
    kind = type(result).__name__
    if kind == "TacticState":
        return Progress(ProofState(result, tuple(g for g in result.pp.split("\n\n") if g)))
    if kind == "ProofFinished":
        return Finished(ProofState(result, (), subproof_done=True))
    if kind == "LeanError":
        return Failed(result.error)
    if kind == "ProofGivenUp":
        return Failed("refused: the proof gave up (sorry)")
    return Failed(f"unexpected LeanDojo result {kind}")


SUPPORTED = ((2, 1), (3, 0))  # lean-dojo releases: from 2.1 up to, not including, 3.0


def version_problem(version: str) -> str | None:
    """Why this lean-dojo release is not supported, or None."""
    try:
        got = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return f"cannot read the lean-dojo version {version!r}"
    if not SUPPORTED[0] <= got < SUPPORTED[1]:
        return (
            f"lean-dojo {version} is not supported: install a 2.x release from 2.1 "
            "(pip install 'lean-dojo>=2.1,<3')"
        )
    return None


@dataclass
class LeanDojoEnv(Closing):
    repo_url: str = "https://github.com/yangky11/miniF2F-lean4"
    commit: str = "5746b7d6c47855ce1294bed87329618ff7f1bc31"
    file_pattern: str = "MiniF2F/{Split}/{name}.lean"
    tactic_timeout: float = 60.0
    startup_timeout: float = 1800.0  # entering the Dojo elaborates the file: a Mathlib import
    allow_native_decide: bool = False
    system: str = "lean"
    crashes: int = 0
    _dojo: Any = field(default=None, repr=False)
    _ctx: Any = field(default=None, repr=False)
    _entry: Any = field(default=None, repr=False)

    def _lean_dojo(self):
        try:
            import lean_dojo
        except ImportError as e:
            raise ToolchainMissing(
                "LeanDojo is not installed: pip install -e '.[lean]' (and trace the repository)"
            ) from e
        problem = version_problem(str(getattr(lean_dojo, "__version__", "unknown")))
        if problem:
            raise ToolchainMissing(problem)
        return lean_dojo

    def open(self, theorem: Theorem) -> ProofState:
        ld = self._lean_dojo()
        self.close()
        repo = ld.LeanGitRepo(self.repo_url, self.commit)
        path = self.file_pattern.format(
            Split=theorem.split.capitalize(), split=theorem.split, name=theorem.name
        )
        self._entry = ld.Theorem(repo, path, theorem.name)
        return map_result(self._enter(ld)).state  # type: ignore[return-value]

    def _enter(self, ld) -> Any:
        """Start a Dojo on the current entry; its first state. A failed start leaves nothing."""
        ctx = ld.Dojo(self._entry, timeout=int(self.startup_timeout))
        try:
            dojo, init = ctx.__enter__()
        except Exception as e:
            raise ProofEnvError(f"LeanDojo could not open {self._entry}: {e}") from e
        self._ctx, self._dojo = ctx, dojo
        # pexpect reads every answer with the spawn's timeout: start-up used the long one,
        # tactics get theirs.
        self._dojo.timeout = int(self.tactic_timeout)
        proc = getattr(self._dojo, "proc", None)
        if proc is not None and hasattr(proc, "timeout"):
            proc.timeout = self.tactic_timeout
        return init

    def run_tactic(
        self, state: ProofState, tactic: str, timeout: float | None = None
    ) -> TacticResult:
        # LeanDojo fixes its timeout when the Dojo opens; `timeout` cannot lower it per call.
        why = refusal(tactic, self.allow_native_decide)
        if why:
            return Failed(f"refused: {why}")
        if self._dojo is None:
            return Failed("no theorem is open")
        try:
            return map_result(self._dojo.run_tac(state.handle, tactic))
        except Exception as e:  # matched by name: the package is optional
            kind = type(e).__name__
            if kind == "DojoTacticTimeoutError":
                return TimedOut(f"timeout: the tactic ran past {self.tactic_timeout:.0f} s")
            if kind in ("DojoCrashError", "DojoHardTimeoutError"):
                self.crashes += 1
                self._restart()
                return Crashed(f"LeanDojo crashed and was restarted: {e}")
            if kind == "RuntimeError" and "invalid state" in str(e):
                return Crashed("a state from before a LeanDojo restart")
            raise

    def _restart(self) -> None:
        ld = self._lean_dojo()
        self._exit()
        self._enter(ld)

    def proof_text(self, tactics: list[str]) -> str:
        return "\n".join("  " + line for t in tactics for line in t.strip().splitlines())

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        from prover.assistants.lean import check_installation, create_env

        problem = check_installation()
        if problem:
            return Verdict(
                ok=False, reason=f"cannot re-check from scratch without the REPL backend: {problem}"
            )
        with create_env(allow_native_decide=self.allow_native_decide) as env:
            return env.verify(theorem, proof)

    def _exit(self) -> None:
        ctx, self._ctx, self._dojo = self._ctx, None, None
        if ctx is not None:
            with contextlib.suppress(Exception):  # a crashed Dojo may fail to clean up
                ctx.__exit__(None, None, None)

    def close(self) -> None:
        """Safe whatever state the Dojo is in (never opened, failed to open, crashed)."""
        self._exit()
