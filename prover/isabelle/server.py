"""Talking to `isabelle server` through the isabelle-client package.

The server speaks a line protocol over TCP: the password, then ``command {json}``; it
answers ``OK``/``ERROR`` at once and, for asynchronous tasks (session_start,
use_theories), ``NOTE`` messages and a final ``FINISHED``/``FAILED`` carrying the task id.
Long answers come as a line with their byte length followed by that many bytes.
isabelle-client parses those messages; this module adds what a prover needs on top: a
deadline per check (on expiry the task is cancelled with `cancel` on a second connection),
theory files written to a scratch folder and purged after each check, and messages decoded
into line-numbered errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prover.proofenv import ProofEnvError, ToolchainMissing


class IsabelleError(ProofEnvError):
    """The server or session failed (not a failing proof)."""


@dataclass(frozen=True)
class IsaMessage:
    kind: str  # error | warning | writeln | ...
    text: str
    line: int | None = None


@dataclass(frozen=True)
class TheoryResult:
    ok: bool
    errors: tuple[IsaMessage, ...] = ()
    messages: tuple[IsaMessage, ...] = ()
    timed_out: bool = False
    seconds: float = 0.0

    def output(self) -> str:
        return "\n".join(m.text for m in self.messages)


def _messages(raw: list[dict[str, Any]]) -> tuple[IsaMessage, ...]:
    out = []
    for m in raw:
        pos = m.get("pos") or {}
        out.append(IsaMessage(m.get("kind", "error"), m.get("message", ""), pos.get("line")))
    return tuple(out)


def parse_use_theories(body: dict[str, Any]) -> TheoryResult:
    """Decode the FINISHED answer of use_theories (see the Isabelle system manual, 'use_theories')."""
    errors = _messages(body.get("errors", []))
    messages: list[IsaMessage] = []
    for node in body.get("nodes", []):
        messages.extend(_messages(node.get("messages", [])))
        if node.get("status", {}).get("failed"):
            errors += tuple(
                m
                for m in _messages(node.get("messages", []))
                if m.kind == "error" and m not in errors
            )
    return TheoryResult(
        ok=bool(body.get("ok")) and not errors, errors=errors, messages=tuple(messages)
    )


@dataclass
class IsabelleServer:
    """A connection to one server and one running session (started here or already running)."""

    address: str = "127.0.0.1"
    port: int | None = None
    password: str | None = None
    session: str = "HOL"
    session_dirs: list[str] = field(default_factory=list)
    start_timeout: float = 1800.0  # building a heap the first time takes long
    isabelle: str = "isabelle"

    def __post_init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._client = None
        self.session_id: str | None = None
        self.scratch = Path(tempfile.mkdtemp(prefix="prover-isabelle-"))

    # --- lifecycle -----------------------------------------------------------------------
    def connect(self) -> None:
        from isabelle_client import IsabelleClient

        if self.port is None or self.password is None:
            self._start_server()
        else:
            self._client = IsabelleClient(self.address, self.port, self.password)
        self._start_session()

    def _start_server(self) -> None:
        if shutil.which(self.isabelle) is None:
            raise ToolchainMissing(
                "isabelle is not on PATH: run `prover setup isabelle` for the installation steps"
            )
        from isabelle_client import get_isabelle_client, start_isabelle_server

        info, self._process = start_isabelle_server(name=f"prover-{uuid.uuid4().hex[:8]}")
        self._client = get_isabelle_client(info)

    def _start_session(self) -> None:
        args = {
            "session": self.session,
            "dirs": self.session_dirs,
            "options": [],
            "include_sessions": [],
            "verbose": False,
            "print_mode": [],
        }
        final = self._run("session_start", args, self.start_timeout)
        if final["type"] != "FINISHED" or "session_id" not in final["body"]:
            raise IsabelleError(f"could not start session {self.session}: {final['body']}")
        self.session_id = final["body"]["session_id"]

    def close(self) -> None:
        if self._client is not None and self.session_id is not None:
            with contextlib.suppress(Exception):
                self._run("session_stop", {"session_id": self.session_id}, 60)
        self.session_id = None
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            self._process = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    # --- checking theories ---------------------------------------------------------------
    def check_theory(self, name: str, text: str, timeout: float = 120.0) -> TheoryResult:
        """Check one theory text; purge it afterwards so the next check starts clean."""
        if self.session_id is None:
            self.connect()
        t0 = time.perf_counter()
        folder = self.scratch / uuid.uuid4().hex[:12]
        folder.mkdir()
        (folder / f"{name}.thy").write_text(text, encoding="utf-8")
        try:
            final = self._run(
                "use_theories",
                {
                    "session_id": self.session_id,
                    "theories": [name],
                    "master_dir": str(folder),
                    "unicode_symbols": False,
                    "watchdog_timeout": timeout,
                },
                timeout,
            )
        finally:
            with contextlib.suppress(Exception):
                self._run(
                    "purge_theories",
                    {
                        "session_id": self.session_id,
                        "theories": [name],
                        "master_dir": str(folder),
                        "all": False,
                    },
                    30,
                    asynchronous=False,
                )
            shutil.rmtree(folder, ignore_errors=True)
        if final["type"] == "TIMEOUT":
            return TheoryResult(
                ok=False,
                errors=(IsaMessage("error", f"timeout after {timeout:.0f} s"),),
                timed_out=True,
                seconds=time.perf_counter() - t0,
            )
        if final["type"] != "FINISHED":
            raise IsabelleError(f"use_theories failed: {final['body']}")
        result = parse_use_theories(final["body"])
        return TheoryResult(
            result.ok, result.errors, result.messages, False, time.perf_counter() - t0
        )

    # --- the protocol, one command per connection as isabelle-client does -----------------
    def _run(
        self, command: str, args: dict[str, Any], timeout: float, asynchronous: bool = True
    ) -> dict[str, Any]:
        return asyncio.run(self._run_async(command, args, timeout, asynchronous))

    async def _run_async(
        self, command: str, args: dict, timeout: float, asynchronous: bool
    ) -> dict[str, Any]:
        from isabelle_client.socket_communication import get_response_from_isabelle

        client = self._client
        if client is None:
            raise IsabelleError("not connected")
        try:
            reader, writer = await asyncio.open_connection(client.address, client.port)
        except OSError as e:
            raise IsabelleError(
                f"cannot reach the Isabelle server at {client.address}:{client.port}: {e}"
            ) from e
        try:
            writer.write(f"{client.password}\n{command} {json.dumps(args)}\n".encode())
            await writer.drain()
            hello = await asyncio.wait_for(get_response_from_isabelle(reader), 30)
            if hello.response_type.value != "OK":
                raise IsabelleError(f"the server refused the connection: {hello.response_body}")
            first = await asyncio.wait_for(get_response_from_isabelle(reader), timeout)
            if first.response_type.value == "ERROR":
                return {"type": "ERROR", "body": first.response_body}
            if not asynchronous:
                return {"type": first.response_type.value, "body": first.response_body}
            task = (
                (first.response_body or {}).get("task")
                if isinstance(first.response_body, dict)
                else None
            )
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                try:
                    msg = await asyncio.wait_for(
                        get_response_from_isabelle(reader), max(left, 0.01)
                    )
                except TimeoutError:
                    if task:
                        await self._cancel(task)
                    return {"type": "TIMEOUT", "body": {"task": task}}
                kind = msg.response_type.value
                if kind in ("FINISHED", "FAILED"):
                    return {"type": kind, "body": msg.response_body}
        finally:
            writer.close()

    async def _cancel(self, task: str) -> None:
        client = self._client
        reader, writer = await asyncio.open_connection(client.address, client.port)
        writer.write(f"{client.password}\ncancel {json.dumps({'task': task})}\n".encode())
        await writer.drain()
        writer.close()


def isabelle_version(isabelle: str = "isabelle") -> str | None:
    if shutil.which(isabelle) is None:
        return None
    out = subprocess.run([isabelle, "version"], capture_output=True, text=True, timeout=60)
    return out.stdout.strip() or None
