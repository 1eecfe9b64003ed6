"""CoqEnv: the ProofEnv for Coq, a search tree on top of coqtop's line of states.

coqtop's states form a line: `BackTo N` discards every later state. The search needs a
tree, so the env keeps one: each node remembers its parent and the sentences that led to
it, and `line` is the path of nodes whose coqtop state numbers are currently valid.
Running a tactic on a node on the line costs one `BackTo` (cheap); on a node of another
branch it re-runs only the path from the common ancestor, and `stats.replayed_tactics`
counts those re-runs. Restarting coqtop after a crash is the same operation from the root.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field

from prover.assistants.base import (
    TACTIC_TIMEOUT,
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
from prover.assistants.coq.check import RefusedTactic, tactic_sentences, verify
from prover.assistants.coq.coqtop import Coqtop, CoqtopDied, Reply
from prover.assistants.coq.sentences import SentenceError, split_sentences
from prover.theorem import Theorem

_FINISHED = ("No more goals", "No more subgoals")
_SUBPROOF_DONE = "This subproof is complete"
# Coq's answers when a tactic ran out of time (its own `Timeout`, or the interrupt after it)
# or of memory: the env, not the tactic, is to blame.
_TIMEOUT_ERRORS = ("Timeout!", "Control.Timeout", "User interrupt")
_CRASH_ERRORS = ("Out of memory",)
# How long past a tactic's limit its answer is awaited before coqtop is interrupted: Coq's
# own Timeout answers within milliseconds of it; this only bounds a tactic that ignores it.
SLACK_SECONDS = 0.5


@dataclass
class CoqStats:
    tactic_calls: int = 0
    replayed_tactics: int = 0
    backtracks: int = 0
    restarts: int = 0
    seconds: float = 0.0


@dataclass
class _Node:
    parent: int | None
    sentences: tuple[str, ...]
    goals: tuple[str, ...]
    depth: int


@dataclass
class CoqEnv(Closing):
    tactic_timeout: float = TACTIC_TIMEOUT
    memory_mb: int | None = 1024
    verify_timeout: float = 120.0
    coqtop_args: tuple[str, ...] = ()
    extra_header: str = ""  # e.g. imports the automation portfolio needs
    header_axioms: bool = True  # a benchmark's header: the axioms it declares are allowed
    max_crashes: int = (
        10  # per theorem, before it is marked `error` (hammer/sauto often hit the memory cap)
    )
    system: str = "coq"
    stats: CoqStats = field(default_factory=CoqStats)

    def __post_init__(self) -> None:
        self._top = Coqtop(self.coqtop_args, self.memory_mb)
        self._initial = 0
        self._header: str | None = None
        self._header_state = 0
        self._theorem: Theorem | None = None
        self._nodes: dict[int, _Node] = {}
        self._line: list[tuple[int, int]] = []  # (node id, coqtop state) from the root
        self._ids = itertools.count()
        self._crashes = 0
        self._used = False  # has this coqtop run a tactic (state a tactic may have left)?

    # --- the ProofEnv seam -------------------------------------------------------------
    def open(self, theorem: Theorem) -> ProofState:
        self._theorem = theorem
        self._crashes = 0
        self._nodes.clear()
        self._line = []
        if self._top.alive and self._near_memory_cap():
            self._restart_process()  # Coq keeps memory after BackTo; start the theorem fresh
        try:
            goals = self._enter(theorem)
        except InvalidStatement:
            if not self._used:
                raise
            # Only a fresh coqtop's word makes a statement invalid: a tactic that timed out on
            # an earlier theorem (hammer's ATP calls) can make a later `Require` fail with
            # "CoqHammer bug: please report: Control.Timeout".
            goals = self._enter_fresh(theorem)
        except (CoqtopDied, ResourceExhausted):
            # A resource failure says nothing about the statement: retry once in a new process.
            goals = self._enter_fresh(theorem)
        root = next(self._ids)
        self._nodes[root] = _Node(None, (), goals, 0)
        self._line = [(root, self._top.state)]
        return ProofState(root, goals)

    def run_tactic(
        self, state: ProofState, tactic: str, timeout: float | None = None
    ) -> TacticResult:
        t0 = time.perf_counter()
        try:
            return self._run(state.handle, tactic, tactic_limit(self.tactic_timeout, timeout))
        finally:
            self.stats.seconds += time.perf_counter() - t0

    def proof_text(self, tactics: list[str]) -> str:
        """The tactics, with any `{` left open closed: inside a brace Coq already answers
        "No more goals." once the last goal is solved, but `Qed` needs the braces closed."""
        sentences = [s for t in tactics for s in split_sentences(t)]
        unclosed = sum(s.endswith("{") for s in sentences) - sentences.count("}")
        return "\n".join([*(t.strip() for t in tactics), *["}"] * max(unclosed, 0)])

    def effective_header(self, theorem: Theorem) -> str:
        return f"{self.extra_header}\n{theorem.header}" if self.extra_header else theorem.header

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        return verify(
            theorem,
            proof,
            header=self.effective_header(theorem),
            timeout=self.verify_timeout,
            memory_mb=max(self.memory_mb or 0, 2048),
            header_axioms=self.header_axioms,
        )

    def close(self) -> None:
        self._top.close()

    # --- internals ---------------------------------------------------------------------
    def _near_memory_cap(self, share: float = 0.6) -> bool:
        if not self.memory_mb or self._top.proc is None:
            return False
        try:
            with open(f"/proc/{self._top.proc.pid}/status") as f:
                rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            return False
        return rss_kb > share * self.memory_mb * 1024

    def _enter_fresh(self, theorem: Theorem) -> tuple[str, ...]:
        self._restart_process()
        try:
            return self._enter(theorem)
        except ResourceExhausted as e:
            raise ProofEnvError(f"coqtop ran out of resources loading the theorem: {e}") from e

    def _restart_process(self) -> None:
        self._top.kill()
        self.stats.restarts += 1
        self._start_process()

    def _start_process(self) -> None:
        """A new coqtop: nothing loaded, no tactic run yet."""
        self._top.start()
        self._initial = self._top.state
        self._header = None
        self._used = False

    def _enter(self, theorem: Theorem) -> tuple[str, ...]:
        """Load the header (reused when unchanged), then the statement; return the root goals."""
        if not self._top.alive:
            self._start_process()
        header = self.effective_header(theorem)
        if header != self._header:
            self._back_to(self._initial)
            try:
                sentences = split_sentences(header)
            except SentenceError as e:
                raise InvalidStatement(f"header: {e}") from None
            for s in sentences:
                reply = self._top.send(s, self.verify_timeout)
                if reply.error:
                    self._back_to(self._initial)
                    _raise_unless_resource(reply.error)
                    raise InvalidStatement(f"header does not check: {reply.error}")
            self._header, self._header_state = header, self._top.state
        else:
            self._back_to(self._header_state)
        try:
            statement = split_sentences(theorem.statement)
        except SentenceError as e:
            raise InvalidStatement(f"statement: {e}") from None
        if len(statement) != 1:
            raise InvalidStatement(f"expected one statement sentence, found {len(statement)}")
        reply = self._top.send(statement[0], self.verify_timeout)
        if reply.error:
            self._back_to(self._header_state)
            _raise_unless_resource(reply.error)
            raise InvalidStatement(f"statement does not check: {reply.error}")
        if theorem.name not in reply.proofs:
            self._back_to(self._header_state)
            raise InvalidStatement("the statement did not open a proof (is it a Theorem/Lemma?)")
        self._top.send("Proof.", 10)
        after = self._top.state
        goals = self._goals()
        self._back_to(after)
        return goals

    def _goals(self) -> tuple[str, ...]:
        # `Show.` takes a state number of its own but changes nothing; callers BackTo past it.
        return parse_goals(self._top.send("Show.", 10).output)

    def _back_to(self, state: int) -> None:
        if self._top.state != state:
            reply = self._top.send(f"BackTo {state}.", 10)
            if reply.error:
                raise CoqtopDied(f"BackTo {state} failed: {reply.error}")
            self.stats.backtracks += 1

    def _run(self, node_id: int, tactic: str, limit: float) -> TacticResult:
        if node_id not in self._nodes:
            return Failed("unknown proof state (from another theorem?)")
        try:
            sentences = tactic_sentences(tactic)
        except RefusedTactic as e:
            return Failed(f"refused: {e}")
        self.stats.tactic_calls += 1
        self._used = True
        deadline = time.perf_counter() + limit
        try:
            if not self._top.alive:
                self._revive()
            if not self._goto(node_id, deadline):
                return TimedOut("Timeout! (no time left to return to this state)")
            return self._apply(node_id, tuple(sentences), deadline)
        except CoqtopDied as e:
            # Report this tactic as failed: it may be what killed coqtop. The restart (the
            # header loaded again, seconds) waits for the next tactic, so that it is never paid
            # at a theorem's deadline. A theorem that keeps killing coqtop is given up with the
            # reason (the batch goes on).
            self._crashes += 1
            self._top.kill()
            if self._crashes > self.max_crashes:
                raise ProofEnvError(
                    f"coqtop died {self._crashes} times on this theorem; last: {e}"
                ) from e
            return Crashed(f"coqtop died (restarted before the next tactic): {e}")

    def _revive(self) -> None:
        """A new coqtop at the theorem's root, after one died or was killed."""
        self._restart_process()
        assert self._theorem is not None
        self._enter(self._theorem)
        root = next(n for n, node in self._nodes.items() if node.parent is None)
        self._line = [(root, self._top.state)]

    def _goto(self, node_id: int, deadline: float | None = None) -> bool:
        """Make `node_id` the current coqtop state, replaying only from the common ancestor;
        False when a replayed tactic ran out of the time left before `deadline`."""
        path = []
        n: int | None = node_id
        while n is not None:
            path.append(n)
            n = self._nodes[n].parent
        path.reverse()
        common = 0
        while common < min(len(path), len(self._line)) and self._line[common][0] == path[common]:
            common += 1
        if common == 0:
            raise CoqtopDied("lost the root state")
        self._line = self._line[:common]
        self._back_to(self._line[-1][1])
        for n in path[common:]:
            for s in self._nodes[n].sentences:
                left = None if deadline is None else deadline - time.perf_counter()
                reply = self._send_tactic(s, left)
                self.stats.replayed_tactics += 1
                if reply.error and deadline is not None and time.perf_counter() >= deadline:
                    return False  # `_line` still ends at a node coqtop has reached
                if reply.error:
                    raise CoqtopDied(f"replaying {s!r} failed: {reply.error}")
            self._line.append((n, self._top.state))
        return True

    def _send_tactic(self, sentence: str, limit: float | None = None) -> Reply:
        """Coq's own `Timeout` (whole seconds, never above `limit` unless under 1 s) stops the
        tactic; should Coq not stop (a computation that never checks for it), it is
        interrupted `SLACK_SECONDS` after `limit`, and killed 0.5 s later."""
        limit = self.tactic_timeout if limit is None else max(limit, 0.0)
        wrapped = (
            sentence if _is_structural(sentence) else f"Timeout {max(int(limit), 1)} {sentence}"
        )
        return self._top.send(wrapped, max(limit, 1.0) + SLACK_SECONDS)

    def _apply(self, parent: int, sentences: tuple[str, ...], deadline: float) -> TacticResult:
        start_state = self._top.state
        assert self._theorem is not None
        for s in sentences:
            reply = self._send_tactic(s, deadline - time.perf_counter())
            if reply.error:
                self._back_to(start_state)
                return rejected(reply.error, _TIMEOUT_ERRORS, _CRASH_ERRORS)
            if reply.proofs != (self._theorem.name,):
                self._back_to(start_state)
                return Failed(
                    f"refused: the tactic changed the open proofs to {list(reply.proofs)}"
                )
        after = self._top.state
        goals = self._goals()
        self._back_to(after)
        node = next(self._ids)
        self._nodes[node] = _Node(parent, sentences, goals, self._nodes[parent].depth + 1)
        self._line.append((node, after))
        finished = bool(goals) and goals[0].startswith(_FINISHED)
        done = finished or (bool(goals) and goals[0].startswith(_SUBPROOF_DONE))
        state = ProofState(node, goals, subproof_done=done)
        return Finished(state) if finished else Progress(state)


class ResourceExhausted(ProofEnvError):
    """Coq answered with a resource error (memory, stack, time): not a verdict on the statement."""


_RESOURCE_ERRORS = (
    "Out of memory",
    "Stack overflow",
    "Timeout!",
    "Control.Timeout",
    "User interrupt",
)


def _raise_unless_resource(error: str) -> None:
    if any(marker in error for marker in _RESOURCE_ERRORS):
        raise ResourceExhausted(error)


def _is_structural(sentence: str) -> bool:
    """Bullets and braces (`2:{` too): `Timeout` cannot wrap them."""
    return sentence.endswith(("{", "}")) or set(sentence) <= set("-+*")


def parse_goals(output: str) -> tuple[str, ...]:
    """Goals from `Show.` output; a finished proof is the single pseudo-goal 'No more goals.'."""
    text = output.strip()
    if text.startswith(_SUBPROOF_DONE):
        return (" ".join(text.split()),)
    if not text or text.startswith(_FINISHED):
        return ("No more goals.",) if not text or text.startswith("No more goals") else (text,)
    lines = text.splitlines()
    if lines and lines[0].split()[1:2] in (["goal"], ["goals"]):
        lines = lines[1:]
    body = "\n".join(lines)
    parts = re.split(r"\n\s*goal \d+ \(ID \d+\) is:\n", body)
    return tuple(
        "\n".join(line.strip() for line in p.strip("\n").splitlines() if line.strip())
        for p in parts
    )
