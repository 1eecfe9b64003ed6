"""Talking to `isabelle server`: start or find a server, start a session, check theories.

The server speaks a line protocol over TCP (Isabelle system manual, chapter "The Isabelle
server"): the client sends the password, then ``command {json}``; the server answers
``OK``/``ERROR`` at once and, for asynchronous tasks (session_start, use_theories), ``NOTE``
messages and a final ``FINISHED``/``FAILED`` carrying the task id. A message longer than a
line comes as a line holding its byte length followed by that many bytes. A wrong password
is answered by silently closing the connection.

isabelle-client (PyPI) parses the server's info line and its messages; its own command
runner has no deadline, so every command here goes through `_run_async`, which adds one:
on expiry the task is cancelled with ``cancel`` on a second connection. On top of that this
module writes each theory to a scratch folder, purges it from the session after the check,
decodes the answer into line-numbered messages, and recovers from a dead server or a lost
session by starting them again (once per check).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prover.assistants.base import ProofEnvError, ToolchainMissing


class IsabelleError(ProofEnvError):
    """The server or the session failed (not a failing proof)."""


@dataclass(frozen=True)
class IsaMessage:
    kind: str  # error | warning | writeln | ...
    text: str
    line: int | None = None


@dataclass(frozen=True)
class TheoryResult:
    """The outcome of one `use_theories` check of one theory text."""

    ok: bool
    errors: tuple[IsaMessage, ...] = ()
    messages: tuple[IsaMessage, ...] = ()
    timed_out: bool = False
    seconds: float = 0.0
    # Each theory's own messages, by theory base name: what one theory's commands print
    # never lands in another's node (the oracle audit reads only its own).
    node_messages: tuple[tuple[str, tuple[IsaMessage, ...]], ...] = ()

    def messages_of(self, theory: str) -> tuple[IsaMessage, ...]:
        return next((m for name, m in self.node_messages if name == theory), ())

    def output(self) -> str:
        return "\n".join(m.text for m in self.messages)

    def first_error(self) -> str:
        if self.timed_out:
            return "timeout"
        if not self.errors:
            return "the theory did not check"
        e = self.errors[0]
        return f"line {e.line}: {e.text}" if e.line else e.text


def _messages(raw: list[dict[str, Any]]) -> tuple[IsaMessage, ...]:
    out = []
    for m in raw:
        pos = m.get("pos") or {}
        out.append(IsaMessage(m.get("kind", "error"), m.get("message", ""), pos.get("line")))
    return tuple(out)


def parse_use_theories(body: dict[str, Any]) -> TheoryResult:
    """Decode the FINISHED answer of use_theories (system manual, command use_theories).

    A node that never consolidated (the server's `check_limit` ran out) counts as a timeout:
    broken theories can keep PIDE from ever reaching the final `end`.
    """
    errors = list(_messages(body.get("errors", [])))
    messages: list[IsaMessage] = []
    by_node: list[tuple[str, tuple[IsaMessage, ...]]] = []
    consolidated = True
    for node in body.get("nodes", []):
        node_messages = _messages(node.get("messages", []))
        messages.extend(node_messages)
        by_node.append((_theory_base_name(node), node_messages))
        status = node.get("status", {})
        if status.get("consolidated") is False:
            consolidated = False
        if status.get("failed"):
            errors += [m for m in node_messages if m.kind == "error" and m not in errors]
    ok = bool(body.get("ok")) and not errors and consolidated
    return TheoryResult(
        ok=ok,
        errors=tuple(errors),
        messages=tuple(messages),
        timed_out=not consolidated and not errors,
        node_messages=tuple(by_node),
    )


def _theory_base_name(node: dict[str, Any]) -> str:
    """`toy` for a node whose theory is `Draft.toy` (or whose file is .../toy.thy)."""
    theory = str(node.get("theory_name") or "")
    if theory:
        return theory.rsplit(".", 1)[-1]
    return Path(str(node.get("node_name", ""))).stem


@dataclass
class IsabelleServer:
    """One server (started here, found by name, or given by port and password) and one session.

    - ``port`` and ``password`` given: connect to that server.
    - otherwise ``server_command`` is run (default ``isabelle server -n NAME``, which finds the
      running server of that name or becomes it; add ``-s`` to only find one) and its first
      output line gives the address, port and password.
    """

    address: str = "127.0.0.1"
    port: int | None = None
    password: str | None = None
    name: str | None = None
    session: str = "HOL"
    session_dirs: list[str] = field(default_factory=list)
    start_timeout: float = 3600.0  # the first start may build the session heap
    isabelle: str = "isabelle"
    server_command: list[str] | None = None

    def __post_init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._connection: tuple[str, int, str] | None = None
        self.session_id: str | None = None
        self.restarts = 0
        self.purge_restarts = 0  # sessions replaced because a theory could not be purged
        self.scratch = Path(tempfile.mkdtemp(prefix="prover-isabelle-"))

    # --- lifecycle -----------------------------------------------------------------------
    def connect(self) -> None:
        """Reach a server and start the session (idempotent)."""
        if self._connection is None:
            if self.port is not None and self.password is not None:
                self._connection = (self.address, int(self.port), self.password)
            else:
                self._connection = self._launch()
        if self.session_id is None:
            self._start_session()

    def _launch(self) -> tuple[str, int, str]:
        from isabelle_client import get_isabelle_client

        command = self.server_command or [
            self.isabelle,
            "server",
            "-n",
            self.name or f"prover-{uuid.uuid4().hex[:8]}",
        ]
        if shutil.which(command[0]) is None:
            raise ToolchainMissing(
                f"{command[0]} is not on PATH: run `prover setup isabelle` for the installation steps"
            )
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self._process.stdout.readline()
        # Keep draining the pipe so a chatty server never blocks on a full buffer.
        threading.Thread(target=self._process.stdout.read, daemon=True).start()
        try:
            client = get_isabelle_client(line.strip())
        except ValueError as e:
            raise IsabelleError(f"`{' '.join(command)}` printed no server line: {line!r}") from e
        return client.address, client.port, client.password

    def _start_session(self) -> None:
        args = {
            "session": self.session,
            "dirs": self.session_dirs,
            "options": [],
            "include_sessions": [],
            "verbose": False,
            "print_mode": ["ASCII"],
        }
        final = self._run("session_start", args, self.start_timeout)
        body = final["body"] if isinstance(final["body"], dict) else {}
        if final["type"] != "FINISHED" or "session_id" not in body:
            message = body.get("message", final["body"]) if body else final["body"]
            raise IsabelleError(f"could not start session {self.session}: {message}")
        self.session_id = body["session_id"]

    def restart(self) -> None:
        """Start again after a crash: a new server if ours died, and a new session."""
        self.restarts += 1
        self.session_id = None
        if self._process is not None and self._process.poll() is not None:
            self._process = None
            self._connection = None
        self.connect()

    def close(self) -> None:
        if self._connection is not None and self.session_id is not None:
            with contextlib.suppress(Exception):
                self._run("session_stop", {"session_id": self.session_id}, 60)
        self.session_id = None
        if self._process is not None:
            if self._process.poll() is None:  # we became the server: shut it down
                with contextlib.suppress(Exception):
                    self._run("shutdown", None, 10, asynchronous=False)
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(10)
            self._process = None
        self._connection = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    # --- checking theories ---------------------------------------------------------------
    def check_theory(
        self, name: str, text: str, timeout: float = 120.0, then: dict[str, str] | None = None
    ) -> TheoryResult:
        """Check one theory text (file NAME.thy), then the theories in `then` (name -> text,
        which may import it: the oracle audit), in one use_theories call; on a server or
        session failure, restart once."""
        try:
            self.connect()
            return self._check_once(name, text, timeout, then or {})
        except IsabelleError:
            self.restart()
            return self._check_once(name, text, timeout, then or {})

    def _check_once(
        self, name: str, text: str, timeout: float, then: dict[str, str]
    ) -> TheoryResult:
        t0 = time.perf_counter()
        folder = self.scratch / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        theories = {name: text, **then}
        for theory, source in theories.items():
            (folder / f"{theory}.thy").write_text(source, encoding="utf-8")
        check_delay = 0.5
        try:
            final = self._run(
                "use_theories",
                {
                    "session_id": self.session_id,
                    "theories": list(theories),
                    "master_dir": str(folder),
                    "unicode_symbols": False,
                    "check_delay": check_delay,
                    # The server's own bound, in case the cancel below is ignored.
                    "check_limit": math.ceil((timeout + 5) / check_delay),
                    "watchdog_timeout": timeout,
                },
                timeout,
            )
        finally:
            purged = self._purge(list(theories), folder)
            shutil.rmtree(folder, ignore_errors=True)
        if not purged and final["type"] != "ERROR":  # ERROR: no session left to purge from
            # The server kept the theory (still running after a cancel): it would hold the
            # session's memory and clash with the next check of the same name. A new session.
            self.purge_restarts += 1
            with contextlib.suppress(Exception):
                self._run("session_stop", {"session_id": self.session_id}, 60)
            self.restart()
        seconds = time.perf_counter() - t0
        if final["type"] == "TIMEOUT":
            return TheoryResult(
                ok=False,
                errors=(IsaMessage("error", f"timeout after {timeout:.0f} s"),),
                timed_out=True,
                seconds=seconds,
            )
        if final["type"] != "FINISHED":
            # ERROR (e.g. an unknown session id after the session died) or FAILED.
            raise IsabelleError(f"use_theories {final['type']}: {final['body']}")
        r = parse_use_theories(final["body"])
        return TheoryResult(r.ok, r.errors, r.messages, r.timed_out, seconds, r.node_messages)

    def _purge(self, names: list[str], folder: Path) -> bool:
        """purge_theories for the checked theories; whether the server says all were purged."""
        if self.session_id is None:
            return True
        try:
            answer = self._run(
                "purge_theories",
                {"session_id": self.session_id, "theories": names, "master_dir": str(folder)},
                30,
                asynchronous=False,
            )
        except Exception:
            return False
        body = answer.get("body")
        if answer.get("type") != "OK" or not isinstance(body, dict):
            return False
        purged = {Path(str(p.get("node_name", ""))).name for p in body.get("purged", [])}
        return all(f"{name}.thy" in purged for name in names)

    # --- the protocol: one connection per command, with a deadline ------------------------
    def _run(
        self, command: str, args: Any, timeout: float, asynchronous: bool = True
    ) -> dict[str, Any]:
        return asyncio.run(self._run_async(command, args, timeout, asynchronous))

    async def _run_async(
        self, command: str, args: Any, timeout: float, asynchronous: bool
    ) -> dict[str, Any]:
        from isabelle_client.socket_communication import get_response_from_isabelle

        if self._connection is None:
            raise IsabelleError("not connected to an Isabelle server")
        address, port, password = self._connection
        try:
            reader, writer = await asyncio.open_connection(address, port)
        except OSError as e:
            raise IsabelleError(f"cannot reach the Isabelle server at {address}:{port}: {e}") from e

        async def read():
            try:
                return await get_response_from_isabelle(reader)
            except (ValueError, asyncio.IncompleteReadError, ConnectionError) as e:
                raise IsabelleError(f"the server closed the connection ({e})") from e

        try:
            argument = "" if args is None else " " + json.dumps(args)
            writer.write(f"{password}\n{command}{argument}\n".encode())
            await writer.drain()
            try:
                hello = await asyncio.wait_for(read(), 30)
            except IsabelleError as e:
                raise IsabelleError(f"the server refused the password ({e})") from e
            if hello.response_type.value != "OK":
                raise IsabelleError(f"the server refused the connection: {hello.response_body}")
            first = await asyncio.wait_for(read(), timeout)
            kind = first.response_type.value
            if kind == "ERROR" or not asynchronous:
                return {"type": kind, "body": first.response_body}
            body = first.response_body
            task = body.get("task") if isinstance(body, dict) else None
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                try:
                    msg = await asyncio.wait_for(read(), max(left, 0.01))
                except TimeoutError:
                    if task:
                        await self._cancel(task)
                    return {"type": "TIMEOUT", "body": {"task": task}}
                kind = msg.response_type.value
                if kind in ("FINISHED", "FAILED"):
                    return {"type": kind, "body": msg.response_body}
        except TimeoutError as e:
            raise IsabelleError(f"no answer from the server to {command}") from e
        finally:
            writer.close()

    async def _cancel(self, task: str) -> None:
        address, port, password = self._connection
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection(address, port)
            writer.write(f"{password}\ncancel {json.dumps({'task': task})}\n".encode())
            await writer.drain()
            writer.close()


def isabelle_version(isabelle: str = "isabelle") -> str | None:
    """`isabelle version` (e.g. "Isabelle2024"), or None when Isabelle is not on PATH."""
    if shutil.which(isabelle) is None:
        return None
    out = subprocess.run([isabelle, "version"], capture_output=True, text=True, timeout=120)
    return out.stdout.strip() or None
