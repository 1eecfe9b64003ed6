"""A client for the Lean REPL (leanprover-community/repl): JSON requests in, typed answers out.

The REPL reads one JSON object per request, requests separated by a blank line, and
answers each with one JSON object, pretty-printed over several lines and followed by a
blank line. Every answer is decoded into one of the dataclasses below, so the backend
never pokes at raw dictionaries. The process runs under a memory cap (a resource limit set
in the child before it starts Lean) and every request under a deadline; a crash, a hang or
an exceeded cap kills the process and raises `ReplDied`. The next request starts a new
process; `starts` counts them, so an owner can tell that env and proofState numbers it
holds from an earlier process are void.

The cap is RLIMIT_DATA by default, not RLIMIT_AS: `import Mathlib` maps several GiB of
read-only .olean files into the address space, which RLIMIT_AS counts and RLIMIT_DATA
(private writable memory: the heap Lean actually grows) does not.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from prover.assistants.base import ProofEnvError
from prover.assistants.process import ask_to_exit, child_setup


class ReplDied(ProofEnvError):
    """The REPL process crashed, hung past its deadline, or hit its memory cap."""


class ReplTimedOut(ReplDied):
    """The REPL gave no answer before the request's deadline, so it was killed."""


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


class _Answer:
    """An answer that carries Lean's messages: its errors reject the command or tactic,
    its warnings and infos do not."""

    messages: tuple[Message, ...]

    @property
    def errors(self) -> tuple[Message, ...]:
        return tuple(m for m in self.messages if m.severity == "error")


@dataclass(frozen=True)
class CommandResponse(_Answer):
    env: int
    messages: tuple[Message, ...] = ()
    sorries: tuple[Sorry, ...] = ()
    tactics: tuple[dict[str, Any], ...] = ()
    infotree: Any = None


@dataclass(frozen=True)
class TacticResponse(_Answer):
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


@dataclass(frozen=True)
class ErrorResponse:
    """The REPL refused the request: a failing tactic ("Lean error: ..."), an unknown env or state."""

    message: str


Response = CommandResponse | TacticResponse | ErrorResponse
_LIMITS = {"data": resource.RLIMIT_DATA, "as": resource.RLIMIT_AS}


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
        return ErrorResponse(str(d["message"]))
    # A shape this client does not know (a newer REPL): an error for this request only; the
    # process is healthy, so it is not killed.
    return ErrorResponse(f"unrecognised REPL answer: {json.dumps(d, ensure_ascii=False)[:500]}")


@dataclass
class LeanRepl:
    """One REPL process. `command` is e.g. ``["lake", "env", ".lake/.../repl"]`` run in `cwd`."""

    command: list[str]
    cwd: str | None = None
    memory_gb: float | None = 8.0
    memory_limit: str = "data"  # "data" (RLIMIT_DATA) or "as" (RLIMIT_AS, address space)
    env_vars: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.memory_limit not in _LIMITS:
            raise ValueError(f"memory_limit must be one of {', '.join(_LIMITS)}")
        self.proc: subprocess.Popen | None = None
        self._stderr: Any = None
        self._buf = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.requests = 0
        self.starts = 0  # processes started so far: ids from an earlier one are void

    def start(self) -> None:
        self.close()
        cap = int(self.memory_gb * 2**30) if self.memory_gb else None
        which = _LIMITS[self.memory_limit]

        # stderr goes to a file, not a pipe: nobody drains it while we wait on stdout, and
        # its tail (Lean's "out of memory", a stack overflow) explains a death.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in kill())
        try:
            self.proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                preexec_fn=child_setup(cap, which),
                env={**os.environ, **self.env_vars},
            )
        except (FileNotFoundError, NotADirectoryError, PermissionError) as e:
            raise ReplDied(
                f"cannot start the Lean REPL with `{' '.join(self.command)}` ({e}): "
                "run `prover setup lean`"
            ) from e
        self.starts += 1
        self._buf = ""
        self._decoder.reset()

    # --- the requests of the protocol, typed ----------------------------------------------
    def run_command(self, cmd: str, env: int | None = None, timeout: float = 600.0, **flags: Any):
        """Run Lean commands on top of `env` (a fresh environment when None)."""
        payload: dict[str, Any] = {"cmd": cmd, **flags}
        if env is not None:
            payload["env"] = env
        return self.request(payload, timeout)

    def tactic(self, tactic: str, proof_state: int, timeout: float = 60.0) -> Response:
        return self.request({"tactic": tactic, "proofState": proof_state}, timeout)

    def pickle_env(self, env: int, path: str, timeout: float = 600.0) -> Response:
        return self.request({"pickleTo": path, "env": env}, timeout)

    def unpickle_env(self, path: str, timeout: float = 600.0) -> Response:
        return self.request({"unpickleEnvFrom": path}, timeout)

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
                raise self._died(
                    f"no answer within {timeout:.0f} s (killed and will be restarted)",
                    ReplTimedOut,
                )
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise self._died("the REPL exited")
            # Incremental: a character split across two reads (ℝ is 3 bytes) waits for its rest.
            self._buf += self._decoder.decode(chunk)

    def _died(self, why: str, kind: type[ReplDied] = ReplDied) -> ReplDied:
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.2)  # an exiting process: let it finish to read its code
        code = self.proc.poll() if self.proc else None
        tail = self.stderr_tail()
        self.kill()
        if code is not None and code < 0:
            why += f" (killed by signal {-code}{', probably the memory cap' if -code in (6, 9, 11) else ''})"
        elif code:
            why += f" (exit status {code})"
        if tail:
            why += f"; stderr: {tail}"
        return kind(why)

    def resident_bytes(self) -> int:
        """Anonymous resident memory (RssAnon: the heap Lean grows, not the mapped .olean
        files) of the REPL's process group, i.e. `lake env` and the REPL it starts.

        Read from /proc (Linux); 0 where that is not readable.
        """
        if not self.alive or not os.path.isdir("/proc"):
            return 0
        assert self.proc is not None
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    group = int(f.read().rsplit(")", 1)[1].split()[2])  # field 5: pgrp
                if group != self.proc.pid:
                    continue
                with open(f"/proc/{entry}/status", encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            total += int(line.split()[1]) * 1024
            except (OSError, IndexError, ValueError):
                continue
        return total

    def stderr_tail(self, chars: int = 500) -> str:
        """The end of what the process wrote to stderr (Lean's last words after a crash)."""
        if self._stderr is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.flush()
            size = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(size - chars, 0))
            return self._stderr.read().decode(errors="replace").strip()
        return ""

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        if self.proc is not None:
            ask_to_exit(self.proc, 5)
        self.kill()
