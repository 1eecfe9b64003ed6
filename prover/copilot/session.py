"""Warm Coq sessions for the copilot, keyed by the file's header.

Loading a file's imports costs seconds (`Require Import Reals` ~0.6 s, Hammer more); a
tactic costs milliseconds. So each distinct header keeps one `CoqEnv` with the header
loaded, in a small LRU, and each session remembers the proof states it has reached (the
proof's sentences so far -> state): typing one more tactic runs one more sentence. A
session serves one request at a time (its lock); different files run in parallel.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from prover.assistants.base import InvalidStatement, ProofEnvError, ProofState
from prover.assistants.coq.env import CoqEnv
from prover.copilot.coqfile import CursorError, ProofAtCursor
from prover.theorem import Theorem


class Cancelled(ProofEnvError):
    """The client went away or the request's time ran out: stop at the next step."""


@dataclass
class Deadline:
    """A request's clock and cancel flag, checked between steps by the blocking work."""

    seconds: float
    cancel: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.end = time.monotonic() + self.seconds

    def left(self) -> float:
        return max(self.end - time.monotonic(), 0.0)

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("request cancelled")
        if self.left() <= 0:
            raise Cancelled(f"request timed out after {self.seconds:g} s")


@dataclass
class CoqSession:
    """One coqtop with one header loaded, and the proof states reached in it."""

    env: CoqEnv
    lock: threading.Lock = field(default_factory=threading.Lock)
    theorem: Theorem | None = None
    states: dict[tuple[str, ...], ProofState] = field(default_factory=dict)
    hits: int = 0  # sentences served from remembered states (for tests and stats)

    def state_at(self, proof: ProofAtCursor, deadline: Deadline) -> ProofState:
        """The goal at the cursor; `CursorError` with the position where the file stops checking."""
        theorem = Theorem(proof.name, "coq", proof.statement, proof.header)
        if theorem != self.theorem or not self.states:
            self.theorem, self.states = None, {}
            deadline.check()
            try:
                root = self.env.open(theorem)
            except InvalidStatement as e:
                raise self._statement_error(proof, str(e)) from None
            self.theorem, self.states = theorem, {(): root}
        state = self.states[()]
        path: tuple[str, ...] = ()
        for span in proof.tactics:
            path = (*path, span.text)
            known = self.states.get(path)
            if known is not None:
                state, self.hits = known, self.hits + 1
                continue
            deadline.check()
            result = self.env.run_tactic(state, span.text, timeout=max(deadline.left(), 1.0))
            if not result.ok:
                line, col = proof.position(span.start)
                raise CursorError(_one_line(result.message) or "the sentence failed", line, col)
            state = self.states[path] = result.state
        return state

    def _statement_error(self, proof: ProofAtCursor, message: str) -> CursorError:
        if message.startswith("header"):
            return header_error(proof.header, message, self.env.verify_timeout)
        line, col = proof.position(proof.statement_span.start)
        return CursorError(_one_line(message), line, col)

    def close(self) -> None:
        self.env.close()


class SessionPool:
    """An LRU of warm sessions by key (the header); the least recently used one is closed."""

    def __init__(self, factory: Callable[[], CoqEnv], size: int = 3):
        self.factory, self.size = factory, size
        self._sessions: OrderedDict[str, CoqSession] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CoqSession:
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self._sessions[key] = CoqSession(self.factory())
            self._sessions.move_to_end(key)
            idle = [k for k, s in self._sessions.items() if k != key and not s.lock.locked()]
            while len(self._sessions) > self.size and idle:
                self._sessions.pop(idle.pop(0)).close()
            return session

    def __len__(self) -> int:
        return len(self._sessions)

    def close(self) -> None:
        with self._lock:
            for s in self._sessions.values():
                s.close()
            self._sessions.clear()


_LOCATION = re.compile(r'File "[^"]*", line (\d+), characters (\d+)-(\d+):')


def header_error(header: str, message: str, timeout: float = 120.0) -> CursorError:
    """Where the header stops checking: coqc's own location for the first error (coqtop's
    interactive mode reports the error but not which sentence of the header raised it)."""
    from prover.assistants.coq.toolchain import environment
    from prover.assistants.process import run_in_session

    with tempfile.TemporaryDirectory(prefix="prover-copilot-") as d:
        (Path(d) / "Header.v").write_text(header, encoding="utf-8")
        code, out = run_in_session(["coqc", "-q", "Header.v"], timeout, cwd=d, env=environment())
    m = _LOCATION.search(out or "")
    if code == 0 or m is None:
        return CursorError(_one_line(message))
    error = out[m.end() :]
    i = error.find("Error:")
    return CursorError(
        _one_line(error[i:] if i >= 0 else error), int(m.group(1)), int(m.group(2)) + 1
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]
