"""The two proof-assistant seams: `ProofEnv` (step-wise) and `Checker` (whole text).

Coq and Lean implement both; Isabelle only `Checker` (its proofs are written whole).
Methods only ever see `ProofState` handles, `TacticResult`s, `CheckResult`s and
`Verdict`s, so they never know which assistant they drive.

A `TacticResult` is one of five types (after LeanDojo's): the backend that ran the tactic
decides which, so callers dispatch on the type and never read an assistant's message text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

from prover.theorem import Theorem

# Seconds one proof-assistant call may take unless a run says otherwise (`--tactic-timeout`):
# the one default of the budget, the envs and the registry.
TACTIC_TIMEOUT = 10.0


def tactic_limit(own: float, timeout: float | None) -> float:
    """The seconds one tactic may take: the env's own limit, lowered to the caller's
    `timeout` (what is left of the theorem's clock) where that is smaller."""
    return own if timeout is None else min(own, timeout)


class ProofEnvError(Exception):
    """The proof assistant itself failed (crash, hang, protocol error); not the tactic."""


class InvalidStatement(ProofEnvError):
    """The theorem statement does not type-check; the theorem is `invalid_statement`."""


class ToolchainMissing(ProofEnvError):
    """The proof assistant is not installed; the message says how to install it."""


@dataclass(frozen=True)
class ProofState:
    """A revisitable proof state.

    `handle` is backend-specific (a Coq state number, a Lean REPL proofState id) and is
    only meaningful to the env that produced it. `goals` are the pretty-printed goals;
    their normalised text is the key the search uses to skip states it has already seen.
    """

    handle: Any
    goals: tuple[str, ...]
    # No goal is left in focus: the whole proof, or the focused subproof (Coq's bullet or
    # brace: "This subproof is complete"), is done. Set by the backend that read the goals.
    subproof_done: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.goals)

    @property
    def key(self) -> str:
        return "\n\n".join(" ".join(g.split()) for g in self.goals)


@dataclass(frozen=True)
class _WithState:
    """A result that leaves a state to go on from; it has nothing to say beyond it."""

    state: ProofState
    ok: ClassVar[bool] = True
    message: ClassVar[str] = ""


@dataclass(frozen=True)
class Progress(_WithState):
    """The tactic applied and goals remain."""


@dataclass(frozen=True)
class Finished(_WithState):
    """No goals remain; the proof is still subject to the from-scratch verdict."""


@dataclass(frozen=True)
class _NoState:
    """A result that leaves no state to go on from; `message` says why."""

    message: str
    ok: ClassVar[bool] = False
    state: ClassVar[None] = None


@dataclass(frozen=True)
class Failed(_NoState):
    """The assistant rejected the tactic, or the env refused it before it reached the
    assistant: a fact about the tactic on this state, worth remembering."""


@dataclass(frozen=True)
class TimedOut(_NoState):
    """A limit stopped the tactic (the env's per-tactic wall clock, Lean's heartbeats, or
    what was left of the caller's clock): no verdict on the tactic, never remembered as
    failed."""


@dataclass(frozen=True)
class Crashed(_NoState):
    """The assistant's process died, ran out of memory or was restarted: says nothing about
    the tactic, so it is never remembered as failed."""


TacticResult = Progress | Finished | Failed | TimedOut | Crashed


def rejected(
    error: str, timeout_markers: tuple[str, ...], crash_markers: tuple[str, ...]
) -> TacticResult:
    """The result of an assistant's error for a tactic: a limit stopped it (`TimedOut`), the
    assistant ran out of resources (`Crashed`), else the assistant rejected it (`Failed`).
    Each backend names its own markers, found anywhere in the error text."""
    if any(marker in error for marker in timeout_markers):
        return TimedOut(error)
    if any(marker in error for marker in crash_markers):
        return Crashed(error)
    return Failed(error)


class Status(StrEnum):
    """Per-theorem verdicts written to results files."""

    PROVED = "proved"
    FAILED = "failed"  # budget exhausted without a checked proof
    INVALID_STATEMENT = "invalid_statement"
    ERROR = "error"  # the prover or model failed; the reason says how
    NATIVE_DECIDE = "proved_native_decide"  # Lean: proved, but trusts the compiler
    # Isabelle: proved, but rests on the code generator's oracle (`eval`, `normalization`).
    CODE_ORACLE = "proved_code_oracle"


@dataclass(frozen=True)
class Verdict:
    """The answer of a from-scratch check of a complete proof text."""

    ok: bool
    reason: str = ""
    axioms: tuple[str, ...] = ()
    seconds: float = 0.0
    # Axioms beyond the assistant's standard library (a benchmark header's own, by kernel
    # name) that an accepted proof relies on: results lines carry them (ResultRecord.axioms).
    axioms_beyond_stdlib: tuple[str, ...] = ()
    status: Status | None = None  # set when ok but special (native_decide, code oracle)
    details: dict[str, Any] = field(default_factory=dict)


class Closing(Protocol):
    """Closed when its `with` block ends: every env and checker. Implementations subclass it
    for `__enter__` and `__exit__` and write `close`; the seams below extend it."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@runtime_checkable
class ProofEnv(Closing, Protocol):
    """One proof-assistant process (or client) owned by one worker.

    Implementations own their process, per-tactic timeout, memory cap and
    restart-after-crash; they raise `ProofEnvError` only when they cannot recover. Every env
    is a context manager (`with backend("coq").create_env() as env:`) that closes itself.
    """

    system: str

    def open(self, theorem: Theorem) -> ProofState:
        """Enter proof mode on `theorem`; raise `InvalidStatement` if it does not check."""
        ...

    def run_tactic(
        self, state: ProofState, tactic: str, timeout: float | None = None
    ) -> TacticResult:
        """Run `tactic` on `state` (any earlier state: backtracking is free for the caller).

        `timeout` lowers the env's own per-tactic limit for this call: the search passes what
        is left of the theorem's wall clock, so the last tactic cannot overrun it. The
        result's type says what happened: `Progress`, `Finished`, `Failed` (the tactic is
        wrong), `TimedOut` or `Crashed` (the env, not the tactic, is to blame)."""
        ...

    def proof_text(self, tactics: list[str]) -> str:
        """Assemble the tactics of a path into the proof body that `verify` accepts."""
        ...

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        """Check header + statement + proof from scratch in a fresh process, audit cheats."""
        ...


@dataclass(frozen=True)
class CheckResult:
    """What a whole-text check says: accepted, or the first error and the goal at the failure.

    Not a verdict: a repair round reads `error` and `goal`; only `Checker.verify` decides."""

    ok: bool
    error: str = ""
    goal: str = ""


@runtime_checkable
class Checker(Closing, Protocol):
    """The whole-text seam (every assistant): check a proof text, and verify it from scratch."""

    system: str

    def check_statement(self, theorem: Theorem) -> None:
        """Raise `InvalidStatement` when the statement itself does not check."""
        ...

    def check(self, theorem: Theorem, proof: str, timeout: float | None = None) -> CheckResult:
        """Run `proof` after `theorem`'s statement; the first error and the goal there."""
        ...

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        """Check header + statement + proof from scratch in a fresh process, audit cheats."""
        ...
