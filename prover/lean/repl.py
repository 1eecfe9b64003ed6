"""A client for the Lean REPL (leanprover-community/repl): JSON requests in, typed answers out.

The REPL reads one JSON object per request, requests separated by a blank line, and
answers each with one JSON object, pretty-printed over several lines and followed by a
blank line. Every answer is decoded into one of four dataclasses below, so the backend
never pokes at raw dictionaries. The process runs under a memory cap (address space) and
every request under a deadline; a crash, a hang or an exceeded cap kills the process and
raises `ReplDied`, after which the owner starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from prover.proofenv import ProofEnvError


class ReplDied(ProofEnvError):
    """The REPL process crashed, hung past its deadline, or hit its memory cap."""


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass(frozen=True)
class Message:
    severity: str  # info | warning | error | trace
    data: str
    pos: Pos | None = None
    end_pos: Pos | None = None


@dataclass(frozen=True)
class Sorry:
    proof_state: int | None
    goal: str
    pos: Pos | None = None
    end_pos: Pos | None = None


@dataclass(frozen=True)
class CommandResponse:
    env: int
    messages: tuple[Message, ...] = ()
    sorries: tuple[Sorry, ...] = ()
    tactics: tuple[dict[str, Any], ...] = ()
    infotree: Any = None

    @property
    def errors(self) -> tuple[Message, ...]:
        return tuple(m for m in self.messages if m.severity == "error")


@dataclass(frozen=True)
class TacticResponse:
    proof_state: int
    goals: tuple[str, ...]
    proof_status: str | None = None
    messages: tuple[Message, ...] = ()
    sorries: tuple[Sorry, ...] = ()
    traces: tuple[str, ...] = ()

    @property
    def completed(self) -> bool:
        """Only "Completed" is a finished proof: `goals == []` alone can hide metavariables."""
        return self.proof_status == "Completed"

    @property
    def errors(self) -> tuple[Message, ...]:
        return tuple(m for m in self.messages if m.severity == "error")


@dataclass(frozen=True)
class ErrorResponse:
    """The REPL refused the request: a failing tactic ("Lean error: ..."), an unknown env or state."""

    message: str


Response = CommandResponse | TacticResponse | ErrorResponse


def _pos(d: dict | None) -> Pos | None:
    return Pos(d["line"], d["column"]) if d else None


def _message(d: dict) -> Message:
    return Message(
        d.get("severity", "info"), d.get("data", ""), _pos(d.get("pos")), _pos(d.get("endPos"))
    )


def _sorry(d: dict) -> Sorry:
    return Sorry(d.get("proofState"), d.get("goal", ""), _pos(d.get("pos")), _pos(d.get("endPos")))


def parse_response(d: dict[str, Any]) -> Response:
    """Decode one answer of the REPL by its shape (the protocol has no type tag)."""
    messages = tuple(_message(m) for m in d.get("messages", []))
    sorries = tuple(_sorry(s) for s in d.get("sorries", []))
    if "env" in d and "proofState" not in d:
        return CommandResponse(
            d["env"], messages, sorries, tuple(d.get("tactics", [])), d.get("infotree")
        )
    if "proofState" in d:
        return TacticResponse(
            proof_state=d["proofState"],
            goals=tuple(d.get("goals", [])),
            proof_status=d.get("proofStatus"),
            messages=messages,
            sorries=sorries,
            traces=tuple(d.get("traces", [])),
        )
    if "message" in d:
        return ErrorResponse(d["message"])
    raise ReplDied(f"unrecognised REPL answer: {json.dumps(d)[:200]}")


@dataclass
class LeanRepl:
    """One REPL process. `command` is e.g. ``["lake", "env", ".lake/.../repl"]`` run in `cwd`."""

    command: list[str]
    cwd: str | None = None
    memory_gb: float | None = 8.0
    start_timeout: float = 60.0
    env_vars: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self._buf = ""
        self.requests = 0

    def start(self) -> None:
        self.close()
        cap = int(self.memory_gb * 2**30) if self.memory_gb else None

        def limit() -> None:
            os.setsid()
            if cap:
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

        try:
            self.proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=limit,
                env={**os.environ, **self.env_vars},
            )
        except FileNotFoundError as e:
            raise ReplDied(
                f"cannot start the Lean REPL ({self.command[0]} not found): run `prover setup lean`"
            ) from e
        self._buf = ""

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def request(self, payload: dict[str, Any], timeout: float) -> Response:
        """Send one request and wait up to `timeout` seconds for its answer."""
        if not self.alive:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(payload, ensure_ascii=False) + "\n\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise self._died(f"could not write to the REPL ({e})") from None
        self.requests += 1
        return parse_response(self._read_object(timeout))

    def _read_object(self, timeout: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        decoder = json.JSONDecoder(strict=False)
        while True:
            text = self._buf.lstrip()
            if text.startswith("{"):
                try:
                    obj, end = decoder.raw_decode(text)
                    self._buf = text[end:]
                    return obj
                except json.JSONDecodeError:
                    pass  # incomplete: read more
            elif "\n" in text:
                # Not JSON (e.g. a crash message printed by Lean): skip that line.
                self._buf = text.split("\n", 1)[1]
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._died(f"no answer within {timeout:.0f} s (killed and will be restarted)")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise self._died("the REPL exited")
            self._buf += chunk.decode(errors="replace")

    def _died(self, why: str) -> ReplDied:
        code = self.proc.poll() if self.proc else None
        self.kill()
        if code is not None and code < 0:
            why += f" (killed by signal {-code}{', probably the memory cap' if -code in (6, 9, 11) else ''})"
        elif code:
            why += f" (exit status {code})"
        return ReplDied(why)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.proc = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except Exception:
                pass
        self.kill()
