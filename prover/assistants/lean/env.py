"""LeanReplEnv: the ProofEnv for Lean 4 over the REPL's tactic mode.

The header (imports, opens) is elaborated once per process and its env id reused for
every theorem. A theorem enters tactic mode through `statement sorry`: the sorry's
proofState is the root. The REPL's proof states form a true tree and are immutable, so
running a tactic on any earlier state is backtracking at no cost: nothing is replayed.
If the process dies, the env starts a new one and rebuilds a state only when the search
asks for it again, by replaying that state's path (counted in `stats.replayed_tactics`).

Bounds. Each tactic runs under Lean's own heartbeat limit, which in the REPL's tactic mode is
Lean's default maxHeartbeats (200000) whatever the header sets: the REPL (v4.24.0) builds each
proof state's Core context through `ContextInfo.runCoreM`, which leaves `maxHeartbeats` at
its default, and a `set_option maxHeartbeats N in tac` wrapper cannot change it (the tactic
`set_option` goes through `withOptions`, which updates options and maxRecDepth, not the
heartbeat limit; Lean's CoreM source). So Lean stops a runaway tactic itself with
"(deterministic) timeout", an ordinary tactic error; the wall-clock kill (`tactic_timeout`,
then a restart) is only the backstop. Memory: the REPL runs under a cap (`memory_gb`), and
between theorems it is restarted before it nears the cap (`restart_fraction` of it, 0.8 as
LeanInteract does) so a theorem does not start in a process about to be killed.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from prover.assistants.base import (
    Closing,
    Crashed,
    Failed,
    Finished,
    InvalidStatement,
    Progress,
    ProofEnvError,
    ProofState,
    TacticResult,
    TimedOut,
    Verdict,
    rejected,
    tactic_limit,
)
from prover.assistants.lean.audit import KernelChecker
from prover.assistants.lean.check import refusal, theorem_name
from prover.assistants.lean.repl import (
    CommandResponse,
    ErrorResponse,
    LeanRepl,
    ReplDied,
    ReplTimedOut,
    TacticResponse,
)
from prover.theorem import Theorem

_RESOURCE_ERRORS = (
    "deterministic) timeout",
    "out of memory",
    "maximum recursion depth",
    "stack overflow",
)


# Lean's own limits stopping a tactic: its heartbeat limit, and its memory. The process lives
# on, but the env, not the tactic, is to blame.
_TIMEOUT_ERRORS = ("deterministic) timeout",)
_CRASH_ERRORS = ("out of memory",)

_SCOPE_LINE = re.compile(r"^\s*(open|set_option|namespace|section|end|variable|universe)\b")


def scope_lines(header: str) -> str:
    """The header's lines that set scope (opens, options) rather than declare: not pickled."""
    return "\n".join(line for line in header.splitlines() if _SCOPE_LINE.match(line))


@dataclass
class LeanStats:
    tactic_calls: int = 0
    replayed_tactics: int = 0
    restarts: int = 0
    memory_restarts: int = 0  # proactive, between theorems
    seconds: float = 0.0


@dataclass
class LeanReplEnv(Closing):
    command: list[str]
    cwd: str | None = None
    tactic_timeout: float = 60.0
    command_timeout: float = 600.0  # `import Mathlib` takes tens of seconds
    memory_gb: float | None = 8.0
    memory_limit: str = "data"  # which resource limit the cap sets: see prover.assistants.lean.repl
    restart_fraction: float = 0.8  # restart between theorems above this share of memory_gb
    allow_native_decide: bool = False
    header_cache: str | None = (
        None  # folder for pickled header envs, shared by workers so new ones start fast
    )
    system: str = "lean"
    # The verdict's two commands (prover.assistants.lean.audit.KernelChecker): `lean` to compile a
    # file to .olean, and the `prover_audit` program; both run in `cwd` under `lake env`.
    compile_command: list[str] | None = None
    audit_command: list[str] | None = None
    stats: LeanStats = field(default_factory=LeanStats)

    def __post_init__(self) -> None:
        self._repl = LeanRepl(self.command, self.cwd, self.memory_gb, self.memory_limit)
        self._header: str | None = None
        self._header_env: int | None = None
        self._header_starts = -1  # the process (LeanRepl.starts) that holds _header_env
        self._theorem: Theorem | None = None
        # node id -> (parent node, tactic, live proofState in the current process or None)
        self._nodes: dict[int, tuple[int | None, str, int | None]] = {}
        self._generation = 0

    # --- the ProofEnv seam -------------------------------------------------------------
    def open(self, theorem: Theorem) -> ProofState:
        self._restart_if_near_cap()
        self._theorem = theorem
        self._nodes = {}
        goal, ps = self._open_root(theorem)
        self._nodes[0] = (None, "", ps)
        self._generation = self._repl.starts
        return ProofState(0, (goal,))

    def _open_root(self, theorem: Theorem) -> tuple[str, int]:
        """Elaborate `statement sorry` on the header env: the sorry's goal and proofState."""
        env = self._header_env_id(theorem.header) if theorem.header.strip() else None
        resp = self._repl.run_command(f"{theorem.statement} sorry", env, self.command_timeout)
        if isinstance(resp, ErrorResponse):
            raise InvalidStatement(resp.message)
        assert isinstance(resp, CommandResponse)
        if resp.errors:
            text = resp.errors[0].data.strip()
            if any(marker in text for marker in _RESOURCE_ERRORS):  # not a verdict on the statement
                raise ProofEnvError(f"Lean ran out of resources elaborating the statement: {text}")
            raise InvalidStatement(f"statement does not check: {text}")
        if not resp.sorries or resp.sorries[0].proof_state is None:
            raise InvalidStatement("the statement opened no goal (does it end in ':= by'?)")
        return resp.sorries[0].goal, resp.sorries[0].proof_state

    def run_tactic(
        self, state: ProofState, tactic: str, timeout: float | None = None
    ) -> TacticResult:
        t0 = time.perf_counter()
        limit = tactic_limit(self.tactic_timeout, timeout)
        try:
            why = refusal(tactic, self.allow_native_decide)
            if why:
                return Failed(f"refused: {why}")
            if state.handle not in self._nodes:
                return Failed("unknown proof state (from another theorem?)")
            self.stats.tactic_calls += 1
            try:
                if self._generation != self._repl.starts:
                    self._forget_process()  # the process was replaced: every proofState is void
                parent_ps = self._live(state.handle)
                resp = self._repl.tactic(tactic, parent_ps, limit)
            except ReplDied as e:
                self._restarted()
                message = f"Lean REPL died and was restarted: {e}"
                return TimedOut(message) if isinstance(e, ReplTimedOut) else Crashed(message)
            except ProofEnvError as e:  # includes InvalidStatement: a replay that no longer checks
                return Crashed(f"could not rebuild the proof state after a restart: {e}")
            return self._result(state.handle, tactic, resp)
        finally:
            self.stats.seconds += time.perf_counter() - t0

    def proof_text(self, tactics: list[str]) -> str:
        lines = []
        for t in tactics:
            lines.extend("  " + line for line in t.strip().splitlines())
        return "\n".join(lines)

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        """The verdict: the filter, then prover.assistants.lean.audit's compile-and-replay check.

        The REPL plays no part: its stdout is shared with whatever the proof's code prints,
        so the verdict is read from the separate audit process's output only.
        """
        name = theorem_name(theorem.statement)
        why = refusal(proof, self.allow_native_decide)
        if why:
            return Verdict(ok=False, reason=f"proof refused: {why}")
        if name is None:
            return Verdict(ok=False, reason="cannot find the theorem's name in its statement")
        if not self.compile_command or not self.audit_command:
            return Verdict(ok=False, reason="no Lean compiler or audit program is configured")
        checker = KernelChecker(
            list(self.compile_command), list(self.audit_command), self.cwd, self.command_timeout
        )
        return checker.verify(theorem, proof, name, self.allow_native_decide)

    def close(self) -> None:
        self._repl.close()

    # --- internals ---------------------------------------------------------------------
    def _restart_if_near_cap(self) -> None:
        """Start a fresh REPL before a theorem when the current one nears its memory cap."""
        if not self.memory_gb or not self._repl.alive:
            return
        if self._repl.resident_bytes() > self.restart_fraction * self.memory_gb * 2**30:
            self.stats.memory_restarts += 1
            self._repl.start()
            self._forget_process()

    def _header_env_id(self, header: str) -> int:
        """The env holding `header`, elaborated once per process (or unpickled from the cache)."""
        if (
            header == self._header
            and self._header_env is not None
            and self._repl.alive
            and self._header_starts == self._repl.starts
        ):
            return self._header_env
        if self._generation != self._repl.starts:
            self._forget_process()
        env = self._unpickled_header(header)
        if env is None:
            resp = self._repl.run_command(header, None, self.command_timeout)
            if not isinstance(resp, CommandResponse):
                raise ProofEnvError(
                    f"the Lean REPL could not load the header: {getattr(resp, 'message', resp)}"
                )
            if resp.errors:
                raise InvalidStatement(f"header does not check: {resp.errors[0].data.strip()}")
            env = resp.env
            pickle = self._pickle_path(header)
            if pickle is not None:
                pickle.parent.mkdir(parents=True, exist_ok=True)
                tmp = pickle.with_suffix(f".{os.getpid()}.tmp.olean")
                saved = self._repl.pickle_env(env, str(tmp), self.command_timeout)
                if isinstance(saved, CommandResponse) and tmp.exists():
                    tmp.replace(pickle)  # atomic: a worker never reads a half-written file
        self._header, self._header_env, self._header_starts = header, env, self._repl.starts
        return env

    def _unpickled_header(self, header: str) -> int | None:
        """Load a pickled header env, then re-run its scope lines (`open`, `set_option`, ...).

        Pickling keeps declarations but not scoped notations (the REPL's README says so), and
        miniF2F's `open Real Nat` brings scoped notation such as `π` and `n !`: those lines
        are cheap, so they are always run again on top of the unpickled env.
        """
        pickle = self._pickle_path(header)
        if pickle is None or not pickle.exists():
            return None
        resp = self._repl.unpickle_env(str(pickle), self.command_timeout)
        if not isinstance(resp, CommandResponse) or resp.errors:
            return None
        scope = scope_lines(header)
        if not scope:
            return resp.env
        again = self._repl.run_command(scope, resp.env, self.command_timeout)
        if not isinstance(again, CommandResponse) or again.errors:
            return None
        return again.env

    def _pickle_path(self, header: str) -> Path | None:
        if not self.header_cache:
            return None
        # A pickle is only valid for the Lean and Mathlib that wrote it: key on the project
        # (its toolchain file) and the REPL command as well as on the header text.
        toolchain = ""
        if self.cwd and (Path(self.cwd) / "lean-toolchain").exists():
            toolchain = (Path(self.cwd) / "lean-toolchain").read_text()
        key = "\0".join([header, toolchain, str(self.cwd), " ".join(self.command)])
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return Path(self.header_cache).expanduser() / f"header-{digest}.olean"

    def _live(self, node: int) -> int:
        """The node's proofState in the current process, replaying its path after a restart."""
        parent, tactic, ps = self._nodes[node]
        if ps is not None:
            return ps
        if parent is None:
            assert self._theorem is not None
            _, ps = self._open_root(self._theorem)
        else:
            base = self._live(parent)
            resp = self._repl.tactic(tactic, base, self.tactic_timeout)
            self.stats.replayed_tactics += 1
            if not isinstance(resp, TacticResponse):
                raise ProofEnvError(f"replaying {tactic!r} after a restart failed: {resp}")
            ps = resp.proof_state
        self._nodes[node] = (parent, tactic, ps)
        return ps

    def _forget_process(self) -> None:
        """Void every id of the previous process; states are rebuilt on demand by `_live`."""
        self._header_env = None
        self._nodes = {n: (p, t, None) for n, (p, t, _) in self._nodes.items()}
        self._generation = self._repl.starts

    def _restarted(self) -> None:
        self.stats.restarts += 1
        self._repl.start()
        self._forget_process()

    def _result(self, parent: int, tactic: str, resp) -> TacticResult:
        if isinstance(resp, ErrorResponse):
            return rejected(resp.message, _TIMEOUT_ERRORS, _CRASH_ERRORS)
        assert isinstance(resp, TacticResponse)
        if resp.errors:
            return rejected(resp.errors[0].data, _TIMEOUT_ERRORS, _CRASH_ERRORS)
        node = len(self._nodes)
        self._nodes[node] = (parent, tactic, resp.proof_state)
        if resp.completed or (
            resp.proof_status is None and not resp.goals
        ):  # REPLs before proofStatus
            return Finished(ProofState(node, resp.goals, subproof_done=True))
        if not resp.goals:
            # No goals but not "Completed": sorry or unassigned metavariables. Not a proof.
            return Failed(f"not a finished proof: {resp.proof_status}")
        return Progress(ProofState(node, resp.goals))
