"""LeanReplEnv: the ProofEnv for Lean 4 over the REPL's tactic mode.

The header (imports, opens) is elaborated once per process and its env id reused for
every theorem. A theorem enters tactic mode through `statement sorry`: the sorry's
proofState is the root. The REPL's proof states form a true tree and are immutable, so
running a tactic on any earlier state is backtracking at no cost: nothing is replayed.
If the process dies, the env starts a new one and rebuilds a state only when the search
asks for it again, by replaying that state's path (counted in `stats.replayed_tactics`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from prover.lean.check import audit, refusal, theorem_name
from prover.lean.repl import CommandResponse, ErrorResponse, LeanRepl, ReplDied, TacticResponse
from prover.proofenv import (
    InvalidStatement,
    Outcome,
    ProofEnvError,
    ProofState,
    TacticResult,
    Verdict,
)
from prover.theorem import Theorem

_RESOURCE_ERRORS = (
    "deterministic) timeout",
    "out of memory",
    "maximum recursion depth",
    "stack overflow",
)


@dataclass
class LeanStats:
    tactic_calls: int = 0
    replayed_tactics: int = 0
    restarts: int = 0
    seconds: float = 0.0


@dataclass
class LeanReplEnv:
    command: list[str]
    cwd: str | None = None
    tactic_timeout: float = 60.0
    command_timeout: float = 600.0  # `import Mathlib` takes tens of seconds
    memory_gb: float | None = 8.0
    allow_native_decide: bool = False
    header_cache: str | None = (
        None  # folder for pickled header envs, shared by workers so new ones start fast
    )
    system: str = "lean"
    stats: LeanStats = field(default_factory=LeanStats)

    def __post_init__(self) -> None:
        self._repl = LeanRepl(self.command, self.cwd, self.memory_gb)
        self._header: str | None = None
        self._header_env: int | None = None
        self._theorem: Theorem | None = None
        # node id -> (parent node, tactic, live proofState in the current process or None)
        self._nodes: dict[int, tuple[int | None, str, int | None]] = {}
        self._generation = 0

    # --- the ProofEnv seam -------------------------------------------------------------
    def open(self, theorem: Theorem) -> ProofState:
        self._theorem = theorem
        self._nodes = {}
        request: dict = {"cmd": f"{theorem.statement} sorry"}
        if theorem.header.strip():
            request["env"] = self._header_env_id(theorem.header)
        resp = self._repl.request(request, self.command_timeout)
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
        root = resp.sorries[0]
        self._nodes[0] = (None, "", root.proof_state)
        return ProofState(0, (root.goal,))

    def run_tactic(self, state: ProofState, tactic: str) -> TacticResult:
        t0 = time.perf_counter()
        try:
            why = refusal(tactic, self.allow_native_decide)
            if why:
                return TacticResult(Outcome.ERROR, message=f"refused: {why}")
            if state.handle not in self._nodes:
                return TacticResult(
                    Outcome.ERROR, message="unknown proof state (from another theorem?)"
                )
            self.stats.tactic_calls += 1
            try:
                parent_ps = self._live(state.handle)
                resp = self._repl.request(
                    {"tactic": tactic, "proofState": parent_ps}, self.tactic_timeout
                )
            except ReplDied as e:
                self._restarted()
                return TacticResult(Outcome.ERROR, message=f"Lean REPL died and was restarted: {e}")
            return self._result(state.handle, tactic, resp)
        finally:
            self.stats.seconds += time.perf_counter() - t0

    def proof_text(self, tactics: list[str]) -> str:
        lines = []
        for t in tactics:
            lines.extend("  " + line for line in t.strip().splitlines())
        return "\n".join(lines)

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        """Re-check header + statement + proof as one command, in a fresh process and environment."""
        t0 = time.perf_counter()
        name = theorem_name(theorem.statement)
        why = refusal(proof, self.allow_native_decide)
        if why:
            return Verdict(ok=False, reason=f"proof refused: {why}")
        if name is None:
            return Verdict(ok=False, reason="cannot find the theorem's name in its statement")
        checker = LeanRepl(self.command, self.cwd, self.memory_gb)
        try:
            text = f"{theorem.header}\n\n{theorem.statement}\n{proof}\n"
            check = checker.request({"cmd": text}, self.command_timeout)
            axioms = None
            if isinstance(check, CommandResponse):
                axioms = checker.request(
                    {"cmd": f"#print axioms {name}", "env": check.env}, self.command_timeout
                )
        except ReplDied as e:
            return Verdict(
                ok=False, reason=f"the checking REPL failed: {e}", seconds=time.perf_counter() - t0
            )
        finally:
            checker.close()
        return audit(check, axioms, self.allow_native_decide, time.perf_counter() - t0)

    def close(self) -> None:
        self._repl.close()

    # --- internals ---------------------------------------------------------------------
    def _header_env_id(self, header: str) -> int:
        if header == self._header and self._header_env is not None and self._repl.alive:
            return self._header_env
        pickle = self._pickle_path(header)
        if pickle is not None and pickle.exists():
            resp = self._repl.request({"unpickleEnvFrom": str(pickle)}, self.command_timeout)
            if isinstance(resp, CommandResponse) and not resp.errors:
                self._header, self._header_env = header, resp.env
                return resp.env
        resp = self._repl.request({"cmd": header}, self.command_timeout)
        if isinstance(resp, ErrorResponse) or not isinstance(resp, CommandResponse):
            raise ProofEnvError(
                f"the Lean REPL could not load the header: {getattr(resp, 'message', resp)}"
            )
        if resp.errors:
            raise InvalidStatement(f"header does not check: {resp.errors[0].data.strip()}")
        self._header, self._header_env = header, resp.env
        if pickle is not None:
            pickle.parent.mkdir(parents=True, exist_ok=True)
            self._repl.request({"pickleTo": str(pickle), "env": resp.env}, self.command_timeout)
        return resp.env

    def _pickle_path(self, header: str) -> Path | None:
        if not self.header_cache:
            return None
        digest = hashlib.sha256(header.encode()).hexdigest()[:16]
        return Path(self.header_cache).expanduser() / f"header-{digest}.olean"

    def _live(self, node: int) -> int:
        """The node's proofState in the current process, replaying its path after a restart."""
        parent, tactic, ps = self._nodes[node]
        if ps is not None:
            return ps
        if parent is None:
            assert self._theorem is not None
            root = self.open(self._theorem)
            return self._nodes[root.handle][2]  # type: ignore[return-value]
        base = self._live(parent)
        resp = self._repl.request({"tactic": tactic, "proofState": base}, self.tactic_timeout)
        self.stats.replayed_tactics += 1
        if not isinstance(resp, TacticResponse):
            raise ProofEnvError(f"replaying {tactic!r} after a restart failed")
        self._nodes[node] = (parent, tactic, resp.proof_state)
        return resp.proof_state

    def _restarted(self) -> None:
        self.stats.restarts += 1
        self._header_env = None
        self._nodes = {n: (p, t, None) for n, (p, t, _) in self._nodes.items()}
        self._repl.start()

    def _result(self, parent: int, tactic: str, resp) -> TacticResult:
        if isinstance(resp, ErrorResponse):
            return TacticResult(Outcome.ERROR, message=resp.message)
        assert isinstance(resp, TacticResponse)
        if resp.errors:
            return TacticResult(Outcome.ERROR, message=resp.errors[0].data)
        node = len(self._nodes)
        self._nodes[node] = (parent, tactic, resp.proof_state)
        state = ProofState(node, resp.goals)
        if resp.completed or (
            resp.proof_status is None and not resp.goals
        ):  # REPLs before proofStatus
            return TacticResult(Outcome.FINISHED, state)
        if not resp.goals:
            # No goals but not "Completed": sorry or unassigned metavariables. Not a proof.
            return TacticResult(Outcome.ERROR, message=f"not a finished proof: {resp.proof_status}")
        return TacticResult(Outcome.OPEN, state)
